"""The engine's commands from the shell: exit codes, one-line errors, files written."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from engine_kit import copy_example
from typer.testing import CliRunner

from policykeeper.cli import app

runner = CliRunner()


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("AINEMA_DATABASE_URL", raising=False)
    directory = copy_example("ainema", tmp_path)
    result = runner.invoke(app, ["generate", str(directory), "--users", "60"])
    assert result.exit_code == 0, result.output
    return directory


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_every_right_from_the_shell(project: Path, tmp_path: Path) -> None:
    code, out, _ = run("plan", str(project), "--identity", "user_id=3")
    assert code == 0 and json.loads(out)["tables"][0]["table"] == "users"

    code, out, _ = run("access", str(project), "--identity", "user_id=3")
    assert code == 0 and json.loads(out)["tables"]["users"][0]["id"] == 3

    archive = tmp_path / "export.zip"
    code, _, _ = run(
        "access", str(project), "--identity", "user_id=3", "--format", "zip", "-o", str(archive)
    )
    assert code == 0
    names = zipfile.ZipFile(archive).namelist()
    assert "access.json" in names and "users.csv" in names

    code, out, _ = run(
        "rectify", str(project), "--identity", "user_id=3", "--set", "display_name=新しい名前"
    )
    assert code == 0 and json.loads(out)["changes"][0]["rows"] == 1

    code, out, _ = run("restrict", str(project), "--identity", "user_id=3")
    assert code == 0 and json.loads(out)["restricted"] is True

    code, out, _ = run("erase", str(project), "--identity", "user_id=3", "--dry-run", "--json")
    assert code == 0 and json.loads(out)["dry_run"] is True
    code, out, _ = run("erase", str(project), "--identity", "user_id=3", "--dry-run")
    assert code == 0 and out.startswith("Dry run, nothing changed: would delete")
    code, out, _ = run("access", str(project), "--identity", "user_id=3")
    assert json.loads(out)["tables"]["users"][0]["display_name"] == "新しい名前"

    code, out, _ = run("erase", str(project), "--identity", "user_id=3", "--json")
    assert code == 0 and json.loads(out)["verified"] is True
    code, out, _ = run("erase", str(project), "--identity", "user_id=3")
    assert code == 0 and out.startswith("Already erased: nothing changed.")


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (("erase", "{p}", "--identity", "phone=1"), 2, "unknown identity kind 'phone'"),
        (("erase", "{p}", "--identity", "email"), 2, "expected KIND=VALUE"),
        (("access", "{p}", "--identity", "email=nobody@example.com"), 1, "no one with that email"),
        (
            ("rectify", "{p}", "--identity", "user_id=2", "--set", "last_activity_at=soon"),
            2,
            "not a valid datetime",
        ),
        (("access", "{p}", "--identity", "user_id=2", "--format", "zip"), 2, "needs -o FILE"),
    ],
)
def test_bad_input_is_one_line(
    project: Path, args: tuple[str, ...], code: int, message: str
) -> None:
    exit_code, _, err = run(*(a.format(p=project) for a in args))
    assert exit_code == code
    assert message in err
    assert len(err.strip().splitlines()) == 1


def test_unreachable_database_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AINEMA_DATABASE_URL", "sqlite:///missing.sqlite3")
    directory = copy_example("ainema", tmp_path)
    code, _, err = run("plan", str(directory), "--identity", "user_id=1")
    assert code == 2 and "cannot reach the database" in err
    assert not (directory / "missing.sqlite3").exists()


def test_discover_and_init(project: Path, tmp_path: Path) -> None:
    url = f"sqlite:///{project / 'ainema.sqlite3'}"
    code, out, _ = run("discover", url, "--identity", "users.email")
    assert code == 0 and "  coin_ledger:\n    rows: owned" in out
    target = tmp_path / "drafted"
    code, _, _ = run("init", str(target), "--db", url, "--identity", "users.email")
    assert code == 0
    code, _, err = run("validate", str(target))
    assert code == 0, err
    code, _, err = run("discover", url, "--identity", "user.email")
    assert code == 2 and "did you mean 'users'" in err


def test_dry_run_leaves_no_trace(project: Path) -> None:
    code, _, _ = run("erase", str(project), "--identity", "user_id=4", "--dry-run")
    assert code == 0
    assert not (project / ".policykeeper").exists()
