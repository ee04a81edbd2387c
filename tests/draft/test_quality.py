"""Quality floors on the development set, and what the drafter needs (and never needs) at run time.

The benchmark (`bench/draft_bench.py`) prints the figures; these tests keep the seed set from
regressing below the issue's goals: 90% precision on every field kind, 80% recall overall,
no negation turned into collection.
"""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

import fugashi
import pytest
import unidic_lite

from policykeeper.draft import draft_policy

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("draft_bench", ROOT / "bench" / "draft_bench.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["draft_bench"] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def results(bench):
    return bench.run(seeds_only=True)


@pytest.fixture(scope="module")
def seed_results(results):
    return results["seed"]


def test_every_field_kind_is_at_least_90_percent_precise_on_the_seeds(bench, seed_results) -> None:
    imprecise = {
        kind: score.precision
        for kind, score in bench.totals(seed_results).items()
        if score.precision is not None and score.precision < 0.9
    }
    assert imprecise == {}


def test_recall_overall_is_at_least_80_percent_on_the_seeds(bench, seed_results) -> None:
    overall = bench.Score()
    for score in bench.totals(seed_results).values():
        overall.add(score)
    assert overall.recall >= 0.8


def test_no_negation_is_turned_into_collection(seed_results) -> None:
    assert [r.negations_collected for r in seed_results] == [[] for _ in seed_results]


def test_no_negation_or_advice_is_turned_into_collection_on_the_development_set(results) -> None:
    """Mozilla's notices say "so you can bypass re-entering your passwords" and
    「パスワードの再入力を迂回できるように」: a password is named, never collected."""
    development = results["development"]
    assert len(development) >= 9
    assert {r.name: r.negations_collected for r in development} == {r.name: [] for r in development}
    assert [w for r in development for w in r.wrong if "(forbidden)" in w] == []


ROUND4_DOCUMENTS = (
    "vpn-en", "facebook-en", "common-voice-ja", "monitor-ja", "firefox-os-ja",
    "formulaic-en", "goatcounter-privacy", "goatcounter-gdpr",
)  # fmt: skip
ROUND5_DOCUMENTS = (
    "mastodon-privacy", "mastodon-terms", "accounts-tos-en", "accounts-tos-ja",
    "content-moderation-en", "content-moderation-ja", "about-rights-en", "about-rights-ja",
    "smart-window-terms-en",
)  # fmt: skip
ROUND7B_DOCUMENTS = (
    "appi-dev-projectify", "appi-dev-polimoney-ledger", "appi-dev-tryswift-tokyo",
)  # fmt: skip
LATER_DOCUMENTS = (
    "dotnet-telemetry-en", "dotnet-telemetry-ja",  # round 6
    "discourse-privacy-en", "discourse-privacy-ja", "cocoa-ja", "cocoa-en", "zulip-privacy",
)  # fmt: skip
"""Documents added in rounds 6 and 7 (besides round 7's second batch): not in the floor of
rounds 1-3."""


def test_the_development_set_keeps_its_figures(bench, results) -> None:
    """The rules were improved against the development set's misses; these floors (measured at
    97% / 97%) keep a later change from quietly undoing that."""
    round5 = set(ROUND5_DOCUMENTS)
    # the Japanese APPI-style policies of round 7's second batch (SOURCES.md) came in at a lower
    # recall (89% development recall with them at first reading, 93% without), read by rules not
    # written for them: they count in the overall floor, and are left out of the earlier ones
    development = [r for r in results["development"] if r.name not in set(ROUND7B_DOCUMENTS)]
    overall = bench.Score()
    for score in bench.totals(results["development"]).values():
        overall.add(score)
    # the documents of round 5 (SOURCES.md), terms of service that state few promises, came in
    # at a lower recall, read by rules not written for them; after round 7 the whole set is at
    # 97% / 94%
    assert overall.precision >= 0.95 and overall.recall >= 0.93
    before = bench.Score()
    for score in bench.totals([r for r in development if r.name not in round5]).values():
        before.add(score)
    assert before.precision >= 0.95 and before.recall >= 0.93
    # the documents of rounds 1-3 keep the floor they were measured at; those added in round 4
    # came in at a lower recall too
    earlier = bench.Score()
    later = set(ROUND4_DOCUMENTS) | round5 | set(LATER_DOCUMENTS)
    for score in bench.totals([r for r in development if r.name not in later]).values():
        earlier.add(score)
    assert earlier.precision >= 0.95 and earlier.recall >= 0.95


def test_scoring_counts_optional_readings_neither_way(bench) -> None:
    from policykeeper.draft.facts import Fact

    expectations = {
        "expected": {"category": ["user.name | user.name.display"], "recipient": ["*:stripe"]},
        "optional": {"category": ["user.contact.email"]},
        "forbidden": {"category": ["user.authorization.password"]},
    }
    drafted = [
        Fact("category", "user.name.display"),
        Fact("category", "user.contact.email"),
        Fact("category", "user.authorization.password"),
        Fact("recipient", "entrustment:stripe, inc."),
    ]
    result = bench.score("x", drafted, expectations)
    assert (result.scores["category"].drafted, result.scores["category"].correct) == (2, 1)
    assert result.scores["category"].recall == 1.0
    assert result.scores["recipient"].precision == 1.0
    assert result.negations_collected == ["user.authorization.password"]


def test_the_tokeniser_dictionary_ships_with_the_package() -> None:
    dictionary = fugashi.Tagger().dictionary_info[0]["filename"]
    assert Path(dictionary).is_relative_to(Path(unidic_lite.DICDIR))


def test_the_draft_package_reads_no_environment_and_imports_only_policy() -> None:
    package = ROOT / "src" / "policykeeper" / "draft"
    for path in package.glob("*.py"):
        source = path.read_text("utf-8")
        assert "environ" not in source and "getenv" not in source, path.name
        imported = set(re.findall(r"^\s*(?:from|import) policykeeper\.(\w+)", source, re.MULTILINE))
        assert imported <= {"draft", "policy", "errors", "output"}, (path.name, imported)


def test_a_50_kb_policy_drafts_in_seconds() -> None:
    largest = max(
        (ROOT / "tests" / "draft" / "data" / "seeds").glob("0*.txt"), key=lambda p: p.stat().st_size
    )
    assert largest.stat().st_size > 50_000
    draft = draft_policy([str(largest)])
    assert draft.coverage.sentences > 300
