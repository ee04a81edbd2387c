"""A material change to AInema with the 14 days' notice its policy promises: every account
holder gets exactly one email over real SMTP, the privacy center shows the notice, and on the
effective date (a hand-moved clock) the new version is the published one, its diff on the
history page.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from lifecycle_kit import account_holders, change_policy, copy_ainema
from store.kit import FakeClock, Mailbox, drain

from policykeeper.lifecycle import NoticeTooShort, in_force, publish_project
from policykeeper.workflow.audit import verify_chain

BASE = "http://center.test"
NEW_PURPOSE_TEXT = "視聴履歴を用いたレコメンドモデルの学習"
"""Only in the new version's rendered text (the notice names the purpose by its label)."""


def test_material_change_is_noticed_once_to_each_account_holder_then_takes_effect(
    make_client: Callable[..., TestClient],
    mailbox: Mailbox,
    clock: FakeClock,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    project, url = copy_ainema(tmp_path, 40, monkeypatch)
    client = make_client(project=project)
    flow = client.app.state.workflow  # type: ignore[attr-defined]

    first = publish_project(
        project, flow.store, date(2026, 3, 23), now=clock(), actor="cli", base_url=BASE
    )
    assert (first.number, first.material, first.mailing_id) == (1, False, None)

    change_policy(project)
    with pytest.raises(NoticeTooShort, match="earliest effective date is 2026-05-15"):
        publish_project(
            project, flow.store, date(2026, 5, 14), now=clock(), actor="cli", base_url=BASE
        )
    second = publish_project(
        project, flow.store, date(2026, 5, 15), now=clock(), actor="cli", base_url=BASE, pace=500
    )
    assert second.number == 2 and second.material and second.notice_days == 14
    assert {c.kind for c in second.changes if c.material} == {
        "purpose_added",
        "recipient_added_abroad",
    }

    drain(flow)
    holders = account_holders(url)
    sent = Counter(str(m["To"]) for m in mailbox.messages)
    assert set(sent) == holders and len(holders) == 40
    assert set(sent.values()) == {1}
    notice = mailbox.messages[0]
    assert (
        str(notice["Subject"])
        == "【AInema】プライバシーポリシー改定のお知らせ（2026年5月15日施行）"
    )
    body = Mailbox.body(notice)
    assert "・利用目的「AIモデルの学習」を追加しました。" in body
    assert "Lumen Analytics, Inc." in body and f"{BASE}/policy/history?to=2" in body
    assert "Thank you for using AInema." in body  # no language column: both languages
    assert drain(flow) == 0 and len(mailbox.messages) == 40

    policy_page = client.get("/policy?lang=ja").text
    assert "2026年5月15日に、このプライバシーポリシーを改定します。" in policy_page
    assert NEW_PURPOSE_TEXT not in policy_page
    assert "2026年5月15日に" in client.get("/?lang=ja").text

    clock.now = datetime(2026, 5, 14, 15, 0, tzinfo=UTC) - timedelta(seconds=1)
    assert in_force(flow.store, clock()).number == 1  # type: ignore[union-attr]
    assert NEW_PURPOSE_TEXT not in client.get("/policy?lang=ja").text

    clock.now = datetime(2026, 5, 14, 15, 0, tzinfo=UTC)  # 2026-05-15 00:00 in Tokyo
    published = client.get("/policy?lang=ja").text
    assert NEW_PURPOSE_TEXT in published
    assert "改定します" not in published
    history = client.get("/policy/history?lang=ja").text
    assert "第2版（2026-05-15）" in history and "現在の版" in history
    assert "重要な変更：</strong>利用目的「AIモデルの学習」を追加しました。" in history
    compared = client.get("/policy/history?from=1&to=2&lang=ja").text
    assert "第1版からの変更点" in compared and "「Lumen Analytics, Inc.」" in compared
    english = client.get("/policy/history?lang=en").text
    assert "Material change: </strong>New purpose: AI model training." in english
    with flow.store.transaction() as session:
        assert verify_chain(session).ok
