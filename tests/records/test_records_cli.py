"""The commands: incident record/list/report, provision record/list and ropa."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pytest
from records_kit import EXAMPLES, copy_ainema
from typer.testing import CliRunner

from policykeeper.cli import app
from policykeeper.policy import load_policy

runner = CliRunner()

INCIDENT = """title: ランサムウェア感染
discovered_at: 2026-05-01T10:00:00+09:00
cause: malware
tables:
  - table: users
    columns: [email]
texts:
  ja:
    summary: ファイルサーバーがランサムウェアに感染しました。
    prevention: バックアップの分離保管を徹底します。
"""


def test_incident_commands(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project, _ = copy_ainema(tmp_path, 12, monkeypatch)
    db = ["--db", f"sqlite:///{tmp_path / 'state.sqlite3'}"]
    described = tmp_path / "incident.yaml"
    described.write_text(INCIDENT, encoding="utf-8")
    recorded = runner.invoke(
        app, ["incident", "record", str(project), "--file", str(described), *db]
    )
    assert recorded.exit_code == 0, recorded.output
    assert "12 people; APPI reportable: yes (wrongful_purpose)" in recorded.stderr
    assert "final report due" in recorded.stderr
    (line,) = runner.invoke(app, ["incident", "list", str(project), *db]).stdout.splitlines()
    incident_id, state, people, reportable, _due = line.split("\t")
    assert (state, people, reportable) == ("open", "12", "reportable")
    report = runner.invoke(
        app, ["incident", "report", str(project), incident_id, "--stage", "final", *db]
    )
    assert report.exit_code == 0
    assert "報告の区分\n確報" in report.stdout
    assert "（8）再発防止のための措置\nバックアップの分離保管を徹底します。" in report.stdout
    assert "（5）二次被害又はそのおそれの有無及びその内容\n（未記入）" in report.stdout

    described.write_text(INCIDENT.replace("cause: malware", "cause: malware\ncolour: red"))
    typo = runner.invoke(app, ["incident", "record", str(project), "--file", str(described), *db])
    assert typo.exit_code == 1
    assert typo.stderr.strip().endswith("incident.yaml:4:1: unknown key 'colour'")
    described.write_text("title: [unclosed\n")
    broken = runner.invoke(app, ["incident", "record", str(project), "--file", str(described), *db])
    assert broken.exit_code == 2 and "malformed YAML" in broken.stderr
    assert len(broken.stderr.strip().splitlines()) == 1


def test_provision_commands(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project, _ = copy_ainema(tmp_path, 5, monkeypatch, partner=True)
    db = ["--db", f"sqlite:///{tmp_path / 'state.sqlite3'}"]
    described = tmp_path / "provision.yaml"
    described.write_text(
        "recipient: lumen\nsubjects: [user_id=2]\nitems: [user.contact.email]\n"
        "provided_at: 2026-04-01T09:00:00+09:00\n",
        encoding="utf-8",
    )
    recorded = runner.invoke(
        app, ["provision", "record", str(project), "--file", str(described), *db]
    )
    assert recorded.exit_code == 0, recorded.output
    assert "Lumen Analytics, Inc., kept until 2029-04-01" in recorded.stderr
    mine = runner.invoke(app, ["provision", "list", str(project), "--identity", "user_id=2", *db])
    assert '"recipient": "Lumen Analytics, Inc."' in mine.stdout
    nobody = runner.invoke(app, ["provision", "list", str(project), "--identity", "user_id=3", *db])
    assert '"records": []' in nobody.stdout


def test_ropa_for_a_gdpr_service_and_refused_otherwise(tmp_path: Path) -> None:
    project = tmp_path / "jasminai"
    shutil.copytree(EXAMPLES / "jasminai", project, ignore=shutil.ignore_patterns("*.sqlite3"))
    html = runner.invoke(app, ["ropa", str(project), "--lang", "en"])
    assert html.exit_code == 0
    assert "<h1>jasminai record of processing activities (GDPR Art. 30)</h1>" in html.stdout
    assert "JWS Americas S.à r.l. (Joint controller)" in html.stdout
    out = tmp_path / "ropa.csv"
    written = runner.invoke(
        app, ["ropa", str(project), "--lang", "ja", "--format", "csv", "-o", str(out)]
    )
    assert written.exit_code == 0
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    purposes = load_policy(project).purposes
    assert rows[0][0] == "処理活動（利用目的）" and len(rows) == 1 + len(purposes)
    assert [row[0] for row in rows[1:]] == [p.label.get("ja") for p in purposes]
    chat = next(row for row in rows if row[0] == purposes[5].label.get("ja"))
    assert "米国（標準契約条項（SCC）の締結）" in chat[7] and "main:chats" in chat[9]
    refused = runner.invoke(app, ["ropa", str(EXAMPLES / "ainema"), "--lang", "ja"])
    assert refused.exit_code == 1
    assert refused.stderr.strip() == (
        "error: the declaration does not cover the GDPR: a record of processing activities "
        "(GDPR Art. 30) is kept by services it covers"
    )
