"""`policykeeper check` as an operator runs it: exit 0 when every promise is kept, 1 when one is
broken, 2 for unusable input with one file:line line; the JSON and HTML reports it writes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import sqlalchemy as sa
from checks_kit import add_phone_column, ainema_project, database_url, state_url

NOW = "2026-03-02T09:00"


def check(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if k != "POLICYKEEPER_DATABASE_URL"}
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "policykeeper.cli",
            "check",
            str(folder),
            "--now",
            NOW,
            "--db",
            state_url(folder),
            *args,
        ],
        capture_output=True,
        text=True,
        env=environment,
        timeout=300,
        check=False,
    )


def test_exit_codes_reports_and_bad_input(tmp_path: Path) -> None:
    folder = tmp_path / "ainema"
    project = ainema_project(folder, users=15)

    kept = check(folder, "-o", str(tmp_path / "kept.json"), "--html", str(tmp_path / "kept.html"))
    assert kept.returncode == 0, kept.stderr
    assert json.loads((tmp_path / "kept.json").read_text())["status"] == "pass"
    assert '<html lang="ja">' in (tmp_path / "kept.html").read_text()
    assert "Traceback" not in kept.stderr

    add_phone_column(database_url(project))
    broken = check(folder, "--json", "--lang", "en")
    assert broken.returncode == 1
    assert json.loads(broken.stdout)["counts"]["fail"] == 1
    assert (
        "✗ 2. Information we collect: users.tel2: holds personal data the data map does not declare"
        in broken.stderr
    )

    pages = tmp_path / "pages.yaml"
    pages.write_text("pages: [/]\nhosts:\n  cdn.example.com: {tracker: nosuch}\n")
    bad = check(folder, "--site", "http://127.0.0.1:9", "--pages", str(pages))
    assert bad.returncode == 2
    assert bad.stderr.strip().endswith(
        "3:3: cdn.example.com: policy.yaml declares no tracker 'nosuch'"
    )
    assert check(folder, "--pages", str(pages)).returncode == 2  # --pages needs --site
    assert "error:" in check(folder, "--lang", "fr").stderr
    nowhere = "postgresql+psycopg://postgres@127.0.0.1:1/none"
    unreachable = check(folder, "--no-data", "--db", nowhere)  # the state store is down
    assert unreachable.returncode == 2 and "Traceback" not in unreachable.stderr
    assert unreachable.stderr.startswith("error: cannot reach the database postgresql+psycopg://")
    assert len(unreachable.stderr.strip().splitlines()) == 1
    alone = check(folder, "--notify", "privacy@example.test")  # whom would a one-off run tell?
    assert alone.returncode == 2
    assert (
        alone.stderr.strip()
        == "error: --notify needs --schedule: it says whom the daily run emails"
    )

    queued = check(folder, "--schedule", "--notify", "privacy@example.test", "--sample", "50")
    assert (
        queued.returncode == 0 and "daily promise checks for 2026-03-03 04:00 UTC" in queued.stderr
    )
    engine = sa.create_engine(state_url(folder))
    with engine.connect() as connection:
        payload = connection.exec_driver_sql(
            "SELECT payload FROM jobs WHERE kind = 'promise_checks'"
        ).scalar_one()
    engine.dispose()
    assert json.loads(payload)["notify"] == ["privacy@example.test"]
    assert json.loads(payload)["sample"] == 50


def test_the_command_reports_its_progress(tmp_path: Path) -> None:
    from policykeeper.checks.cli import check_command

    folder = tmp_path / "ainema"
    ainema_project(folder, users=5)
    seen: list[str] = []
    result = check_command(
        folder,
        site=None,
        pages=None,
        data=True,
        sample=10,
        now=None,
        store_url=state_url(folder),
        schedule=False,
        notify=[],
        output=None,
        html=None,
        lang="en",
        as_json=False,
        progress=seen.append,
    )
    assert result.exit_code in (0, 1)
    assert (
        seen[0] == "database scan" and "users" in seen and seen[-1] == "retention, requests, audit"
    )
