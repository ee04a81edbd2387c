"""The command line around drafting: init --from, validate --provenance, roundtrip."""

from __future__ import annotations

from draft_kit import SEEDS, write
from ruamel.yaml import YAML
from typer.testing import CliRunner

from policykeeper.cli import app
from policykeeper.review import validate_project

runner = CliRunner()
AINEMA = str(SEEDS[0])


def test_init_from_prints_what_it_wrote_and_the_share_mapped(tmp_path) -> None:
    result = runner.invoke(app, ["init", str(tmp_path / "p"), "--from", AINEMA])
    assert result.exit_code == 0, result.stderr
    assert "sentences mapped" in result.stderr and "policy.review.md" in result.stderr
    assert sorted(p.name for p in (tmp_path / "p").iterdir()) == [
        "policy.provenance.yaml",
        "policy.review.md",
        "policy.yaml",
    ]


def test_init_never_overwrites(tmp_path) -> None:
    (tmp_path / "p").mkdir()
    (tmp_path / "p" / "policy.yaml").write_text("mine\n")
    result = runner.invoke(app, ["init", str(tmp_path / "p"), "--from", AINEMA])
    assert result.exit_code == 2
    assert "already exists; not overwriting it" in result.stderr
    assert (tmp_path / "p" / "policy.yaml").read_text() == "mine\n"
    assert not (tmp_path / "p" / "policy.review.md").exists()


def test_bad_sources_are_one_line_and_exit_2(tmp_path) -> None:
    missing = runner.invoke(
        app, ["init", str(tmp_path / "p"), "--from", str(tmp_path / "none.txt")]
    )
    assert missing.exit_code == 2 and missing.stderr.strip().endswith("none.txt: file not found")
    empty = runner.invoke(
        app, ["init", str(tmp_path / "p"), "--from", write(tmp_path, "e.txt", "\n\n")]
    )
    assert empty.exit_code == 2 and "no text found" in empty.stderr
    both = runner.invoke(
        app,
        ["init", str(tmp_path / "p"), "--from", AINEMA, "--db", "sqlite://", "--identity", "u.id"],
    )
    assert both.exit_code == 2 and "not both" in both.stderr
    assert not (tmp_path / "p").exists()


def test_validate_shows_where_each_value_came_from(tmp_path) -> None:
    runner.invoke(app, ["init", str(tmp_path / "p"), "--from", AINEMA])
    result = runner.invoke(app, ["validate", str(tmp_path / "p"), "--provenance"])
    assert result.exit_code == 1
    assert validate_project(tmp_path / "p") == []
    review = (tmp_path / "p" / "policy.review.md").read_text("utf-8")
    missing = [line for line in result.stderr.splitlines() if ": missing: " in line]
    assert missing
    for line in missing:
        assert line.split(": missing: ", 1)[1] in review
    lines = result.stdout.splitlines()
    representative = next(line for line in lines if ": operators[0].representative = " in line)
    assert representative.startswith(f"{tmp_path / 'p' / 'policy.yaml'}:")
    assert "= Takato Araya (from " in representative and ":90 (¶90, offset " in representative
    assert "“Operator: Takato Araya”" in representative
    assert any("(placeholder: " in line for line in lines)


def test_validate_provenance_without_a_sidecar_is_one_line(tmp_path) -> None:
    runner.invoke(app, ["init", str(tmp_path / "p")])
    result = runner.invoke(app, ["validate", str(tmp_path / "p"), "--provenance"])
    assert result.exit_code == 2
    assert "policy.provenance.yaml: file not found" in result.stderr


def test_roundtrip_passes_then_catches_a_changed_fact(tmp_path) -> None:
    directory = tmp_path / "p"
    runner.invoke(app, ["init", str(directory), "--from", AINEMA])
    passed = runner.invoke(app, ["roundtrip", str(directory), "--from", AINEMA])
    assert passed.exit_code == 0, passed.stdout
    assert "en: lost: language authoritative=ja (needs model support)" in passed.stdout
    assert "negation user.financial.credit_card" not in passed.stdout
    assert "no fact changed and no promise invented" in passed.stderr

    yaml = YAML()
    data = yaml.load((directory / "policy.yaml").read_text("utf-8"))
    data["minors"]["minimum_age"] = 20
    data["retention"][0]["period"] = "90 days"
    with (directory / "policy.yaml").open("w", encoding="utf-8") as stream:
        yaml.dump(data, stream)
    failed = runner.invoke(app, ["roundtrip", str(directory), "--from", AINEMA])
    assert failed.exit_code == 1
    assert "en: added: minors minimum_age=20 (drafted)" in failed.stdout
    assert (
        "en: changed: retention 30 days|account_deletion (rendered as 90 days|account_deletion)"
        in failed.stdout
    )


def test_two_versions_must_be_two_languages(tmp_path) -> None:
    result = runner.invoke(
        app, ["init", str(tmp_path / "p"), "--from", AINEMA, "--from", str(SEEDS[1])]
    )
    assert result.exit_code == 2
    assert "one source per language" in result.stderr
    assert not (tmp_path / "p").exists()
