"""A leak of the AInema users table's email and password columns for 1,200 people by an
outsider: reportable, the clocks at 3–5 days and 60 days, the right people and categories, and
a notice in each person's language to exactly those people, over real SMTP.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from records_kit import copy_ainema, query
from store.kit import FakeClock, Mailbox, drain

from policykeeper.workflow.audit import verify_chain

TOKYO = ZoneInfo("Asia/Tokyo")
LEAK = {
    "title": "外部からの不正アクセスによる会員情報の漏えい",
    "discovered_at": "2026-05-01T12:00:00+09:00",
    "occurred_from": "2026-04-28T02:00:00+09:00",
    "occurred_to": "2026-04-30T23:00:00+09:00",
    "cause": "unauthorized_access",
    "tables": [
        {
            "table": "users",
            "columns": ["email", "password_hash"],
            "where": {"id": {"from": 1, "until": 1201}},
        }
    ],
    "texts": {
        "ja": {
            "summary": "会員データベースへの不正アクセスにより、会員情報が外部に流出しました。",
            "cause": "管理画面の脆弱性を突かれました。",
            "harm": "現時点で不正ログインは確認されていません。",
            "response": "全会員のパスワードを無効化しました。新しいパスワードを設定してください。",
        },
        "en": {
            "summary": "An outsider accessed our member database and copied member data.",
            "response": "We reset every password. Please set a new one.",
        },
    },
}


def moment(text: str) -> datetime:
    return datetime.fromisoformat(text)


@pytest.mark.parametrize("state_url", ["postgres"], indirect=True)  # 1,200 emails: once
def test_outsider_leak_of_1200_emails_and_passwords(
    make_client: Callable[..., TestClient],
    mailbox: Mailbox,
    clock: FakeClock,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    project, url = copy_ainema(tmp_path, 1500, monkeypatch, languages=True)
    client = make_client(project=project)
    staff = client.staff  # type: ignore[attr-defined]
    assert (
        client.post("/api/staff/incidents", json=LEAK, headers=staff["viewer"]).status_code == 403
    )

    recorded = client.post("/api/staff/incidents", json=LEAK, headers=staff["handler"])
    assert recorded.status_code == 201, recorded.text
    incident = recorded.json()
    assert incident["persons"] == 1200 and incident["persons_elsewhere"] == 0
    assert incident["categories"] == ["user.contact.email", "user.authorization.password"]
    assert incident["appi_reportable"] is True
    # a login ID with its password, at a service that takes payments: financial harm too
    assert incident["reasons"] == ["financial", "wrongful_purpose", "over_1000"]
    clocks = {c["stage"]: c for c in incident["clocks"]}
    assert set(clocks) == {"preliminary", "final"}  # APPI only: no GDPR clock
    assert moment(clocks["preliminary"]["soon_from"]) == datetime(2026, 5, 4, tzinfo=TOKYO)
    assert moment(clocks["preliminary"]["due"]) == datetime(2026, 5, 6, 23, 59, 59, tzinfo=TOKYO)
    assert moment(clocks["final"]["due"]) == datetime(2026, 6, 30, 23, 59, 59, tzinfo=TOKYO)
    assert clocks["preliminary"]["level"] == "on_time"

    report = client.get(
        f"/api/staff/incidents/{incident['id']}/report/preliminary", headers=staff["viewer"]
    ).json()
    fields = {f["label"]: f["value"] for f in report}
    assert fields["報告の区分"] == "速報"
    assert (
        fields["（3）漏えい等が発生し、又は発生したおそれがある個人データに係る本人の数"]
        == "1,200人"
    )
    assert "規則第7条第3号" in fields["報告対象となる事態"]
    assert "規則第7条第4号" in fields["報告対象となる事態"]
    assert fields["発覚日"] == "2026年5月1日"
    assert (
        "メールアドレス"
        in fields["（2）漏えい等が発生し、又は発生したおそれがある個人データの項目"]
    )

    started = client.post(
        f"/api/staff/incidents/{incident['id']}/notify",
        json={"pace": 1000},
        headers=staff["handler"],
    )
    assert started.status_code == 202, started.text
    drain(client.app.state.workflow)  # type: ignore[attr-defined]

    affected = {
        str(e): str(lang)
        for e, lang in query(url, "SELECT email, language FROM users WHERE id <= 1200")
    }
    sent = Counter(str(m["To"]) for m in mailbox.messages)
    assert set(sent) == set(affected) and set(sent.values()) == {1}
    for message in mailbox.messages:
        body = Mailbox.body(message)
        if affected[str(message["To"])] == "ja":
            assert "会員データベースへの不正アクセス" in body and "An outsider" not in body
            assert str(message["Subject"]) == "【AInema】個人情報の漏えい等に関するお知らせとお詫び"
        else:
            assert "An outsider accessed our member database" in body
            assert "会員データベース" not in body

    done = client.get(f"/api/staff/incidents/{incident['id']}", headers=staff["viewer"]).json()
    assert done["mailing"]["state"] == "done" and done["mailing"]["sent"] == 1200
    report = client.get(
        f"/api/staff/incidents/{incident['id']}/report/final", headers=staff["viewer"]
    ).json()
    response = next(f["value"] for f in report if f["label"] == "（6）本人への対応の実施状況")
    assert (
        "本人1,200人にメールで通知しました" in response
        or "1,200人にメールで通知しました" in response
    )
    path = f"/api/staff/incidents/{incident['id']}"
    made = client.post(
        f"{path}/reports",
        json={"stage": "preliminary", "at": "2026-05-01T11:30:00+09:00"},
        headers=staff["handler"],
    ).json()
    assert {c["stage"]: c["level"] for c in made["clocks"]}["preliminary"] == "done"
    assert (
        client.post(
            f"{path}/reports", json={"stage": "preliminary"}, headers=staff["handler"]
        ).status_code
        == 409
    )
    announced = client.post(
        f"{path}/announcement",
        json={"url": "https://ainema.tv/news/1", "reason": "念のため公表"},
        headers=staff["handler"],
    )
    assert announced.json()["announcement"]["url"] == "https://ainema.tv/news/1"
    with client.app.state.workflow.store.transaction() as session:  # type: ignore[attr-defined]
        assert verify_chain(session).ok
