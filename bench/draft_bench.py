"""Draft benchmark: precision and recall of `policykeeper init --from`, per field kind.

    .venv/bin/python bench/draft_bench.py [--seeds-only] [--misses]

Three sets in one run:
- the five seed policies, from `tests/draft/data/seeds/`, on which the drafter was first built;
- the development policies, from `tests/draft/data/dev/` (provenance in its SOURCES.md): other
  real public policies whose misses the rules may be improved against;
- the held-out policies, obtained from Debian and npm at run time or committed with their
  licence (`bench/draft_heldout.py`, provenance in `tests/draft/data/heldout/SOURCES.md`), never
  used to develop the drafter.

Each document is drafted as `init --from` drafts it; the drafted facts of each field kind are
scored against the hand-checked `*.expected.yaml` beside the texts: precision over drafted
values (optional readings count neither way), recall over expected values. Also printed: the
share of sentences mapped (to fields, and as kept text), negations turned into collection
(must be 0), and the time to draft the largest seed (56 KB) against the time merely to tokenise
it with the same Japanese tokeniser, as a ratio.

Baseline, in the same run: a keyword reader that takes every lexicon term, vendor name and
right word anywhere in the text, with no sections, clauses or negation. Its precision and
recall on the same kinds show what the structure of the drafter adds.

The emitted draft of every document is also checked as `init --from` users check it, which
needs no hand-written expectation: problems of severity error (must be 0), what the law still
requires (validate's "law" findings, the review's to-do list), placeholders, facts no field
holds, and the round trip (the draft rendered as Markdown and read back): facts changed and
promises invented (both must be 0), facts lost, and additions from the models' own wording.

`--misses` lists the misses and wrong values of the seed and development sets only: the held-out
documents are for measuring, and their individual errors are not printed.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from ruamel.yaml import YAML

sys.path.insert(0, str(Path(__file__).resolve().parent))

from policykeeper.draft import Draft, draft_policy, write_draft
from policykeeper.draft.extract import _RIGHTS, term_matches, vendors
from policykeeper.draft.facts import Fact
from policykeeper.draft.japanese import clauses, is_negative, token_bounds
from policykeeper.draft.roundtrip import roundtrip
from policykeeper.draft.sources import read_source
from policykeeper.draft.text import normalise
from policykeeper.policy.checks import ERROR, LAW
from policykeeper.render import render_policy

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "draft" / "data"

KINDS = (
    "operator", "address", "representative", "contact", "hours", "complaints", "purpose",
    "category", "obtained", "recipient", "vendor", "country", "exception", "tracker",
    "retention", "right", "verification", "fee", "deadline", "refusal", "withheld", "minors",
    "changes", "date", "negation", "qualifier",
)  # fmt: skip
"""The field kinds scored: those the issue lists, each a kind of drafted fact."""
WORDED = {"operator", "address", "representative", "purpose", "refusal", "withheld"}


@dataclass
class Score:
    drafted: int = 0
    correct: int = 0
    expected: int = 0
    found: int = 0

    def add(self, other: Score) -> None:
        self.drafted += other.drafted
        self.correct += other.correct
        self.expected += other.expected
        self.found += other.found

    @property
    def precision(self) -> float | None:
        return self.correct / self.drafted if self.drafted else None

    @property
    def recall(self) -> float | None:
        return self.found / self.expected if self.expected else None


@dataclass
class Result:
    name: str
    scores: dict[str, Score] = field(default_factory=dict)
    misses: list[str] = field(default_factory=list)
    wrong: list[str] = field(default_factory=list)
    negations_collected: list[str] = field(default_factory=list)
    mapped: float = 0.0
    structured: float = 0.0
    seconds: float = 0.0
    emitted: dict[str, int] = field(default_factory=dict)


def load_expectations(path: Path) -> dict:
    return YAML(typ="safe").load(path.read_text("utf-8")) or {}


def _alternatives(entry: str) -> list[str]:
    return [a.strip() for a in str(entry).split(" | ")]


def matches(kind: str, expected: str, drafted: str) -> bool:
    """Does a drafted key satisfy one expected value (or one of its alternatives)?"""
    for alternative in _alternatives(expected):
        want, have = normalise(alternative), normalise(drafted)
        if kind == "recipient":
            want_kind, _, want_name = want.partition(":")
            have_kind, _, have_name = have.partition(":")
            if want_kind not in {"*", have_kind}:
                continue
            if want_name in have_name or (len(have_name) > 3 and have_name in want_name):
                return True
        elif kind in WORDED:
            if want in have or (len(have) > 8 and have in want):
                return True
        elif want == have:
            return True
    return False


def score(name: str, facts: list[Fact], expectations: dict) -> Result:
    result = Result(name)
    expected = expectations.get("expected") or {}
    optional = expectations.get("optional") or {}
    forbidden = expectations.get("forbidden") or {}
    unscored = set(expectations.get("unscored") or [])
    for kind in KINDS:
        if kind in unscored:
            continue
        keys = sorted({f.key for f in facts if f.kind == kind})
        if kind == "obtained":
            keys = [k for k in keys if not k.endswith("=unstated")]
        wanted = list(expected.get(kind) or [])
        acceptable = list(optional.get(kind) or [])
        scored = Score(expected=len(wanted))
        for key in keys:
            if any(matches(kind, f, key) for f in forbidden.get(kind) or []):
                scored.drafted += 1
                result.wrong.append(f"{kind}: {key} (forbidden)")
            elif any(matches(kind, w, key) for w in wanted):
                scored.drafted += 1
                scored.correct += 1
            elif any(matches(kind, a, key) for a in acceptable):
                continue
            else:
                scored.drafted += 1
                result.wrong.append(f"{kind}: {key}")
        for want in wanted:
            if any(matches(kind, want, key) for key in keys):
                scored.found += 1
            else:
                result.misses.append(f"{kind}: {want}")
        result.scores[kind] = scored
    result.negations_collected = sorted(
        {
            f.key
            for f in facts
            if f.kind == "category" and f.key in set(forbidden.get("category") or [])
        }
        | {f.key for f in facts if f.kind == "category" and only_negated(f)}
    )
    return result


def only_negated(fact: Fact) -> bool:
    """Was a category drafted only from clauses that deny it ('we do not collect X')?"""
    if not fact.evidence:
        return False
    for sentence in fact.evidence:
        for start, end in clauses(sentence.norm, sentence.lang):
            clause = sentence.norm[start:end]
            if any(key == fact.key for _, _, key in term_matches(clause)) and not is_negative(
                clause, sentence.lang
            ):
                return False
    return True


# --- the keyword baseline ----------------------------------------------------------------


def baseline_facts(path: Path) -> list[Fact]:
    """Every term, vendor and right word anywhere: no structure, no negation."""
    source = read_source(str(path))
    facts: list[Fact] = []
    for sentence in source.sentences:
        for _, _, key in term_matches(sentence.norm):
            facts.append(Fact("category", key))
        for vendor in vendors():
            if vendor.pattern.search(sentence.norm):
                facts.append(Fact("vendor", vendor.id))
        for kind, pattern in _RIGHTS:
            if re.search(pattern, sentence.norm):
                facts.append(Fact("right", kind))
    return facts


BASELINE_KINDS = ("category", "vendor", "right")


# --- running -----------------------------------------------------------------------------


FIRST_MEASURED: dict[str, str] = {}
"""Held-out document -> the commit (or round) that first measured it: the set grows, and the
figures of the documents measured earlier stay comparable with what was reported then."""


def documents(seeds_only: bool) -> list[tuple[str, str, Path, Path]]:
    """(set, name, text, expectations) for every document of the three sets."""
    found = []
    for text in sorted((DATA / "seeds").glob("0*.txt")):
        found.append(
            ("seed", text.name[:3], text, DATA / "seeds" / f"{text.name[:3]}.expected.yaml")
        )
    for expected in sorted((DATA / "dev").glob("*.expected.yaml")):
        name = expected.name.removesuffix(".expected.yaml")
        text = next(p for p in (DATA / "dev").glob(f"{name}.*") if p != expected)
        found.append(("development", name, text, expected))
    if not seeds_only:
        import draft_heldout

        for document, path in draft_heldout.materialise():
            FIRST_MEASURED[document.name] = document.first_measured
            found.append(
                (
                    "held-out",
                    document.name,
                    path,
                    DATA / "heldout" / f"{document.name}.expected.yaml",
                )
            )
    return found


def run(seeds_only: bool) -> dict[str, list[Result]]:
    results: dict[str, list[Result]] = defaultdict(list)
    for group, name, path, expected_path in documents(seeds_only):
        started = time.perf_counter()
        draft = draft_policy([str(path)])
        elapsed = time.perf_counter() - started
        expectations = load_expectations(expected_path)
        result = score(name, draft.facts, expectations)
        result.seconds = elapsed
        result.mapped = draft.coverage.share
        result.structured = draft.coverage.structured_share
        result.emitted = emitted_checks(draft, path)
        results[group].append(result)
        baseline = score(name, baseline_facts(path), expectations)
        baseline.scores = {k: v for k, v in baseline.scores.items() if k in BASELINE_KINDS}
        results[f"{group} baseline"].append(baseline)
    return results


def emitted_checks(draft: Draft, path: Path) -> dict[str, int]:
    """What validate and the round trip say of the written draft (no expectation needed)."""
    findings = draft.emitted.findings
    with tempfile.TemporaryDirectory() as folder:
        write_draft(folder, draft)
        comparisons = roundtrip(
            folder, [str(path)], lambda policy, lang: render_policy(policy, lang, "md")
        )
    return {
        "errors": sum(1 for f in findings if f.severity == ERROR),
        "law": sum(1 for f in findings if f.severity == LAW),
        "placeholders": draft.placeholders,
        "unsupported": len(draft.emitted.unsupported),
        "changed": sum(len(c.changed) for c in comparisons),
        "invented": sum(len(c.invented) for c in comparisons),
        "lost": sum(1 for c in comparisons for d in c.lost if d.detail != "needs model support"),
        "wording": sum(1 for c in comparisons for d in c.added if d.detail == "model default"),
    }


def _pct(value: float | None) -> str:
    return "   —" if value is None else f"{value:4.0%}"


def totals(results: list[Result], kinds: tuple[str, ...] = KINDS) -> dict[str, Score]:
    out: dict[str, Score] = {kind: Score() for kind in kinds}
    for result in results:
        for kind, scored in result.scores.items():
            if kind in out:
                out[kind].add(scored)
    return out


def report(results: dict[str, list[Result]], show_misses: bool) -> None:
    for group in ("seed", "development", "held-out"):
        if group not in results:
            continue
        docs = results[group]
        by_kind = totals(docs)
        overall = Score()
        for scored in by_kind.values():
            overall.add(scored)
        print(f"\n== {group} set: {len(docs)} documents ==")
        print(f"{'field kind':<15}{'precision':>10}{'recall':>8}{'drafted':>9}{'expected':>9}")
        for kind, scored in by_kind.items():
            if scored.drafted or scored.expected:
                print(
                    f"{kind:<15}{_pct(scored.precision):>10}{_pct(scored.recall):>8}{scored.drafted:>9}{scored.expected:>9}"
                )
        print(
            f"{'overall':<15}{_pct(overall.precision):>10}{_pct(overall.recall):>8}{overall.drafted:>9}{overall.expected:>9}"
        )
        if group == "held-out":
            earlier = (
                ("first measured", {"de6c866"}),
                ("measured before the quality round", {"de6c866", "issue16-followup"}),
                (
                    "measured in rounds 1 to 6",
                    {"de6c866", "issue16-followup", "issue16-quality"},
                ),
                ("Japanese APPI-style policies added in round 7", {"round7"}),
            )
            for label, rounds in earlier:
                subset = Score()
                chosen = [r for r in docs if FIRST_MEASURED.get(r.name) in rounds]
                for scored in totals(chosen).values():
                    subset.add(scored)
                print(
                    f"overall, the {len(chosen)} {label}: precision {_pct(subset.precision)} "
                    f"recall {_pct(subset.recall)}"
                )
        worst = min(
            (s.precision for s in by_kind.values() if s.precision is not None), default=None
        )
        print(f"lowest precision of any field kind: {_pct(worst)}")
        negations = [f"{r.name}: {k}" for r in docs for k in r.negations_collected]
        print(
            f"negations turned into collection: {len(negations)} {negations if negations else ''}"
        )
        print("sentences mapped (to fields + kept as text / to fields only):")
        for result in docs:
            print(
                f"  {result.name:<14} {result.mapped:5.0%} / {result.structured:4.0%}   drafted in {result.seconds:.2f} s"
            )
        print(
            "the written draft: errors / law items to do / placeholders / needing model support; "
            "round trip: changed / invented / lost / added by the models' wording"
        )
        for result in docs:
            e = result.emitted
            print(
                f"  {result.name:<14} {e['errors']} / {e['law']:>2} / {e['placeholders']} / "
                f"{e['unsupported']};   {e['changed']} / {e['invented']} / {e['lost']} / {e['wording']}"
            )
        base = totals(results[f"{group} baseline"], BASELINE_KINDS)
        print("keyword baseline (terms anywhere, no structure or negation) on the same kinds:")
        for kind in BASELINE_KINDS:
            ours, theirs = by_kind[kind], base[kind]
            ratio = (
                (ours.precision / theirs.precision) if ours.precision and theirs.precision else None
            )
            print(
                f"  {kind:<10} baseline precision {_pct(theirs.precision)} recall {_pct(theirs.recall)}; "
                f"drafter precision {_pct(ours.precision)} recall {_pct(ours.recall)}"
                + (f"; precision ratio {ratio:.2f}x" if ratio else "")
            )
        if show_misses and group != "held-out":
            for result in docs:
                for line in result.misses:
                    print(f"  miss  {result.name}: {line}")
                for line in result.wrong:
                    print(f"  wrong {result.name}: {line}")


def speed() -> None:
    """Seconds to draft the largest seed against seconds to tokenise it alone."""
    largest = max((DATA / "seeds").glob("0*.txt"), key=lambda p: p.stat().st_size)
    text = largest.read_text("utf-8")
    draft_policy([str(largest)])
    started = time.perf_counter()
    draft_policy([str(largest)])
    drafting = time.perf_counter() - started
    started = time.perf_counter()
    for line in text.splitlines():
        token_bounds(line)
    tokenising = time.perf_counter() - started
    print(
        f"\nspeed: drafting {largest.name} ({len(text.encode()) // 1024} KB) took {drafting:.2f} s; "
        f"tokenising it alone {tokenising:.3f} s (ratio {drafting / tokenising:.0f}x)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds-only", action="store_true", help="skip the held-out set")
    parser.add_argument(
        "--misses",
        action="store_true",
        help="list misses and wrong values of the seed and development sets",
    )
    args = parser.parse_args()
    report(run(args.seeds_only), args.misses)
    speed()


if __name__ == "__main__":
    main()
