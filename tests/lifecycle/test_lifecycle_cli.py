"""The commands: publish (one line and exit 1 when refused), versions list, diff and show."""

from __future__ import annotations

import shutil
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from lifecycle_kit import AINEMA, change_policy
from typer.testing import CliRunner

from policykeeper.cli import app
from policykeeper.lifecycle.versions import operator_timezone
from policykeeper.policy import load_policy
from policykeeper.render import render_policy

runner = CliRunner()


def test_publish_list_diff_and_show(tmp_path: Path) -> None:
    project = tmp_path / "ainema"
    shutil.copytree(AINEMA, project, ignore=shutil.ignore_patterns("*.sqlite3", ".policykeeper"))
    db = ["--db", f"sqlite:///{tmp_path / 'state.sqlite3'}"]
    first = runner.invoke(app, ["publish", str(project), "--effective", "2026-03-23", *db])
    assert first.exit_code == 0, first.output
    assert "published version 1 (2026-03-23), in force from 2026-03-23" in first.stderr

    change_policy(project, version="next")
    # "Today" where the operator is: after 15:00 UTC it is already tomorrow in Tokyo.
    today = datetime.now(ZoneInfo(operator_timezone(load_policy(project)))).date()
    early = (today + timedelta(days=13)).isoformat()
    refused = runner.invoke(app, ["publish", str(project), "--effective", early, *db])
    assert refused.exit_code == 1
    assert refused.stderr.strip() == (
        "error: version 1 promises 14 days' notice of a material change: "
        f"the earliest effective date is {(today + timedelta(days=14)).isoformat()}"
    )
    bad = runner.invoke(app, ["publish", str(project), "--effective", "soon", *db])
    assert bad.exit_code == 2 and "expected a date" in bad.stderr
    later = (today + timedelta(days=14)).isoformat()
    second = runner.invoke(
        app, ["publish", str(project), "--effective", later, "--pace", "25", *db]
    )
    assert second.exit_code == 0, second.output
    assert "material" in second.stderr and "notice to account holders queued" in second.stderr

    engine = sa.create_engine(db[1])
    with engine.connect() as connection:
        assert connection.execute(sa.text("SELECT pace FROM mailings")).scalar_one() == 25
    engine.dispose()
    listed = runner.invoke(app, ["versions", "list", str(project), *db])
    assert listed.stdout.splitlines() == [
        "1\t2026-03-23\t2026-03-23\t\t",
        f"2\tnext\t{later}\tmaterial\tnotice collecting 0/0",
    ]
    changes = runner.invoke(app, ["versions", "diff", str(project), "2", "1", "--lang", "ja", *db])
    assert changes.stdout.splitlines()[:2] == [
        "* 利用目的「AIモデルの学習」を追加しました。",
        "* 「Lumen Analytics, Inc.」（所在国：米国）を提供先として追加しました。",
    ]
    shown = runner.invoke(app, ["versions", "show", str(project), "--lang", "en", *db])
    assert shown.exit_code == 0
    original = load_policy(AINEMA)
    assert shown.stdout == render_policy(original, "en", "html")
    rendered = runner.invoke(app, ["render", str(project), "--lang", "en", "--published", *db])
    assert rendered.stdout == shown.stdout  # policy.yaml holds version 2, not yet in force
    assert "Lumen Analytics" in runner.invoke(app, ["render", str(project), "--lang", "en"]).stdout
    missing = runner.invoke(app, ["versions", "show", str(project), "7", "--lang", "en", *db])
    assert missing.exit_code == 1 and missing.stderr.strip() == "error: no version 7"
    fresh = ["--db", f"sqlite:///{tmp_path / 'empty.sqlite3'}"]
    none = runner.invoke(app, ["render", str(project), "--lang", "ja", "--published", *fresh])
    assert none.exit_code == 1
    assert none.stderr.strip() == "error: no version is in force yet: publish one first"
