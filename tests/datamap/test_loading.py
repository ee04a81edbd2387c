"""The data map loads with located errors and is cross-checked against the declaration."""

from __future__ import annotations

import shutil
from pathlib import Path

from policykeeper.project import load_project
from policykeeper.review import validate_project

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _copy(tmp_path: Path, edit: tuple[str, str] | None = None) -> Path:
    project = tmp_path / "ainema"
    shutil.copytree(EXAMPLES / "ainema", project, ignore=shutil.ignore_patterns("*.sqlite3"))
    if edit:
        path = project / "datamap.yaml"
        text = path.read_text(encoding="utf-8")
        assert edit[0] in text
        path.write_text(text.replace(edit[0], edit[1], 1), encoding="utf-8")
    return project


def test_the_ainema_map_is_valid() -> None:
    assert validate_project(EXAMPLES / "ainema") == []
    project = load_project(EXAMPLES / "ainema")
    assert project.datamap.identities["email"].table == "users"
    assert project.datamap.tables["purchases"].held_by() == "transactions"


def test_unknown_rule_is_located(tmp_path: Path) -> None:
    project = _copy(tmp_path, ("{keep: transactions}", "{keep: transaction}"))
    problems = [str(p) for p in validate_project(project)]
    assert len(problems) == 1
    assert "datamap.yaml:" in problems[0]
    assert "undeclared retention rule 'transaction'; did you mean 'transactions'?" in problems[0]


def test_typo_in_a_key_is_located(tmp_path: Path) -> None:
    project = _copy(
        tmp_path, ("    rows: owned\n    restricted_flag", "    row: owned\n    restricted_flag")
    )
    problems = [str(p) for p in validate_project(project)]
    assert any("unknown key 'row'; did you mean 'rows'?" in p for p in problems)


def test_unknown_category_is_reported(tmp_path: Path) -> None:
    project = _copy(
        tmp_path,
        ("category: user.contact.email, erase: hash", "category: user.contact.emial, erase: hash"),
    )
    problems = [str(p) for p in validate_project(project)]
    assert any(
        "'user.contact.emial'" in p and "did you mean 'user.contact.email'" in p for p in problems
    )


def test_owned_table_must_be_reachable(tmp_path: Path) -> None:
    project = _copy(tmp_path, ("    via: [{table: users, join: {reporter_id: id}}]\n", ""))
    problems = [str(p) for p in validate_project(project)]
    assert any("owned table 'content_reports' has no via" in p for p in problems)


def test_a_map_without_hash_key_is_valid(tmp_path: Path) -> None:
    """The project's own key file serves erase: hash (see tests/engine/test_hashkey.py)."""
    project = _copy(tmp_path, ("hash_key: ${AINEMA_HASH_KEY:-ainema-demo-hash-key}\n", ""))
    assert validate_project(project) == []


def test_identity_match_is_read_from_either_form(tmp_path: Path) -> None:
    project = _copy(
        tmp_path,
        (
            "  email: {column: users.email, match: exact}\n",
            "  email: {column: users.email, match: casefold}\n",
        ),
    )
    identities = load_project(project).datamap.identities
    assert (identities["email"].table, identities["email"].column) == ("users", "email")
    assert identities["email"].match == "casefold"
    assert identities["user_id"].match == "exact"


def test_an_unknown_match_is_located(tmp_path: Path) -> None:
    project = _copy(tmp_path, ("match: exact}\n", "match: nocase}\n"))
    problems = [str(p) for p in validate_project(project)]
    assert len(problems) == 1 and "datamap.yaml:9:" in problems[0] and "exact" in problems[0]


def test_sides_name_every_party_once(tmp_path: Path) -> None:
    project = _copy(
        tmp_path,
        (
            "      - {table: creator_profiles, join: {to_creator_id: id}, side: []}",
            "      - {table: creator_profiles, join: {to_creator_id: id}, side: [message]}",
        ),
    )
    problems = [str(p) for p in validate_project(project)]
    assert any("column 'message' is already on the side of via 1" in p for p in problems)
    project = _copy(
        tmp_path / "b",
        (
            "      - {table: creator_profiles, join: {to_creator_id: id}, side: []}",
            "      - {table: creator_profiles, join: {to_creator_id: id}}",
        ),
    )
    problems = [str(p) for p in validate_project(project)]
    assert any(
        "every via of a table whose rows two people share names its side" in p for p in problems
    )


def test_a_kept_column_must_be_one_its_rule_declares(tmp_path: Path) -> None:
    """A column kept under a rule is kept as the published policy says, or the map is refused."""
    project = _copy(
        tmp_path,
        (
            "      message: {category: user.behavior.purchase_history}",
            "      message: {category: user.content.private, erase: {keep: transactions}}",
        ),
    )
    problems = [str(p) for p in validate_project(project)]
    assert any(
        "'tips.message' (user.content.private) is kept under 'transactions', whose categories "
        "do not include it" in p
        for p in problems
    )
