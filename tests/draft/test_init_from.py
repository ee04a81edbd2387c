"""`policykeeper init DIR --from` on the five seed policies: valid, covered, traced, faithful."""

from __future__ import annotations

from pathlib import Path

import pytest
from draft_kit import SEEDS, write
from ruamel.yaml import YAML

from policykeeper.draft import draft_policy, init_from
from policykeeper.draft.provenance import PROVENANCE_FILE, REVIEW_FILE
from policykeeper.draft.roundtrip import roundtrip
from policykeeper.policy.loading import load_policy
from policykeeper.render import render_policy
from policykeeper.review import review_project, validate_project


def markdown(policy, lang: str) -> str:
    return render_policy(policy, lang, "md")


@pytest.fixture(scope="module", params=SEEDS, ids=[p.name[:3] for p in SEEDS])
def seed_project(request, tmp_path_factory) -> tuple[Path, Path]:
    directory = tmp_path_factory.mktemp(request.param.name[:3]) / "project"
    init_from(directory, [str(request.param)])
    return request.param, directory


def test_the_draft_validates_and_its_review_lists_what_the_law_still_requires(seed_project) -> None:
    """No problem of severity error; each of validate's "law" findings (an item the law requires
    that the text does not state) is on the review file's to-do list, none is filled in."""
    _, directory = seed_project
    assert validate_project(directory) == []
    law = [p for p in review_project(directory) if p.severity == "law"]
    review = (directory / REVIEW_FILE).read_text("utf-8")
    todo = review[review.index("## What the law requires") : review.index("## Worth a look")]
    listed = [line for line in todo.splitlines() if line.startswith("- `")]
    assert law and len(listed) == len(law)
    for problem in law:
        assert problem.message in todo


def test_the_review_file_shows_most_sentences_mapped(seed_project) -> None:
    source, _ = seed_project
    draft = draft_policy([str(source)])
    assert draft.coverage.share >= 0.8
    review = (seed_project[1] / REVIEW_FILE).read_text("utf-8")
    assert f"**{draft.coverage.mapped} of {draft.coverage.sentences} sentences mapped" in review
    rows = [line for line in review.splitlines() if line.startswith(("| ✓", "| ≈", "| ✗", "| §"))]
    assert len(rows) == len(draft.sentences)


def test_the_rendering_invents_no_promise_and_changes_no_fact(seed_project) -> None:
    source, directory = seed_project
    for comparison in roundtrip(directory, [str(source)], markdown):
        assert comparison.changed == []
        assert comparison.invented == []
        assert {d.detail for d in comparison.added} <= {
            "model default",
            "placeholder",
            "source words",
        }
        defaults = [d for d in comparison.added if d.detail == "model default"]
        assert [
            d for d in defaults if d.kind in {"fee", "deadline", "changes", "verification"}
        ] == []
        lost = [d for d in comparison.lost if d.detail != "needs model support"]
        assert len(lost) <= 3, lost


def test_every_drafted_value_cites_its_sentence_where_it_is(seed_project) -> None:
    source, directory = seed_project
    text = source.read_text("utf-8")
    sidecar = YAML(typ="safe").load((directory / PROVENANCE_FILE).read_text("utf-8"))
    cited = [origin for value in sidecar["values"] for origin in value["from"]]
    assert cited
    lines = text.splitlines()
    for origin in cited:
        start = origin["offset"]
        assert text[start : start + len(origin["sentence"])] == origin["sentence"]
        assert origin["sentence"][:20] in lines[origin["line"] - 1]


def test_what_the_text_does_not_state_is_left_out_and_listed(tmp_path) -> None:
    source = write(tmp_path, "p.md", "# Information we collect\n\nWe collect your email address.\n")
    directory = tmp_path / "project"
    draft = init_from(directory, [source])
    data = YAML(typ="safe").load((directory / "policy.yaml").read_text("utf-8"))
    assert set(data["operators"][0]) == {"id", "name"}
    assert set(data["rights"][0]) == {"kind"}
    assert "sources" not in data["categories"][0] and "complaints" not in data
    assert "on_request" not in (directory / "policy.yaml").read_text("utf-8")
    placeholders = {
        v["field"]
        for v in YAML(typ="safe").load((directory / PROVENANCE_FILE).read_text("utf-8"))["values"]
        if v.get("placeholder")
    }
    assert {"operators[0].name", "purposes[0].label", "rights[0].kind"} <= placeholders
    assert draft.placeholders == len(placeholders)
    review = (directory / REVIEW_FILE).read_text("utf-8")
    assert "`operators[0].name` = p: the text does not name the operator" in review
    assert "missing: the representative of 'operator' (APPI Art. 32(1)(i))" in review
    assert "missing: the address of 'operator' (APPI Art. 32(1)(i))" in review
    assert draft.missing == len([p for p in review_project(directory) if p.severity == "law"])
    english = markdown(load_policy(directory), "en")
    for unsaid in ("on request", "Representative", "Free of charge", "How we verify", "complain"):
        assert unsaid not in english


def test_a_negation_becomes_a_statement_not_a_category(tmp_path) -> None:
    source = write(
        tmp_path,
        "p.md",
        "# 取得する情報\n\n当社は、メールアドレスを取得します。当社は、マイナンバーを取得しません。\n",
    )
    directory = tmp_path / "project"
    init_from(directory, [source])
    policy = load_policy(directory)
    assert [c.key for c in policy.categories] == ["user.contact.email"]
    [statement] = policy.statements
    assert (statement.kind.value, statement.categories) == (
        "not_collected",
        ["user.government_id.my_number"],
    )
    assert statement.text.ja == "当社は、マイナンバーを取得しません。"
    assert "当社は、マイナンバーを取得しません。" in markdown(policy, "ja")
    review = (directory / REVIEW_FILE).read_text("utf-8")
    assert "| 当社は、マイナンバーを取得しません。 | self_reference, statements[0].kind |" in review
