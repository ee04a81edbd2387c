"""`policykeeper consent ...`: each command one call into the consent API."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from consent_kit import EXAMPLES
from typer.testing import CliRunner

from policykeeper.cli import app

runner = CliRunner()


def copy(name: str, tmp_path: Path) -> Path:
    target = tmp_path / name
    shutil.copytree(
        EXAMPLES / name, target, ignore=shutil.ignore_patterns("*.sqlite3", ".policykeeper")
    )
    return target


def test_record_check_and_export(tmp_path: Path) -> None:
    project = copy("jasminai", tmp_path)
    db = f"sqlite:///{tmp_path / 'state.sqlite3'}"
    common = [str(project), "--subject", "user_id=8", "--db", db]
    checked = runner.invoke(app, ["consent", "allowed", *common, "--purpose", "personalization"])
    assert checked.exit_code == 0, checked.output
    assert json.loads(checked.stdout)["allowed"] is False
    recorded = runner.invoke(
        app, ["consent", "record", *common, "--purpose", "personalization", "--lang", "ja"]
    )
    assert recorded.exit_code == 0, recorded.output
    assert json.loads(recorded.stdout)["state"]["personalization"]["allowed"] is True
    exported = runner.invoke(app, ["consent", "export", *common])
    records = json.loads(exported.stdout)["records"]
    assert [(r["action"], r["source"], r["language"]) for r in records] == [("given", "api", "ja")]


def test_unknown_purpose_is_one_line_and_a_nonzero_exit(tmp_path: Path) -> None:
    project = copy("ainema", tmp_path)
    db = f"sqlite:///{tmp_path / 'state.sqlite3'}"
    result = runner.invoke(
        app,
        [
            "consent",
            "record",
            str(project),
            "--subject",
            "user_id=8",
            "--purpose",
            "nope",
            "--db",
            db,
        ],
    )
    assert result.exit_code != 0
    assert result.stderr.strip() == "error: unknown purpose 'nope'"


def test_items_and_reconsent(tmp_path: Path) -> None:
    items = runner.invoke(app, ["consent", "items", str(EXAMPLES / "jasminai")])
    assert (
        json.loads(items.stdout)["sensitive_services"]["withdrawal_effect"] == "deactivate_account"
    )
    same = runner.invoke(
        app, ["consent", "reconsent", str(EXAMPLES / "jasminai"), str(EXAMPLES / "jasminai")]
    )
    assert json.loads(same.stdout) == {}
