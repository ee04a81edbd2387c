"""Deliberate irreversible steps: an erasure or a correction is approved only from a page that
says what will be deleted, kept (rule and date) and changed; the four-eyes rule, when a right
declares it, needs a second handler; 'execute now' is offered only while the job waits."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from test_console_language import made, member_email
from web_kit import STAFF_PASSWORD, Site, form_fields, sign_in

from policykeeper.datamap.models import Procedures
from policykeeper.policy.models import RightKind
from policykeeper.store.models import Job


def csrf_of(client, path: str) -> str:  # type: ignore[no-untyped-def]
    return form_fields(client.get(path).text)["csrf"]


def test_an_erasure_is_approved_only_after_the_confirmation_page(site: Site) -> None:
    flow = site.app.state.workflow
    request_id = made(site, "erasure", member_email(site, 11))
    handler = sign_in(site, "handler", **{"accept-language": "ja"})
    detail = handler.get(f"/admin/requests/{request_id}").text
    assert f'href="/admin/requests/{request_id}/confirm"' in detail
    token = csrf_of(handler, f"/admin/requests/{request_id}")
    # Approving straight from a form that skipped the summary only leads to the summary.
    skipped = handler.post(
        f"/admin/requests/{request_id}/decision", data={"csrf": token, "outcome": "approve"}
    )
    assert skipped.status_code == 303 and skipped.headers["location"].endswith("/confirm")
    assert flow.get(request_id).state == "in_review"
    page = handler.get(f"/admin/requests/{request_id}/confirm").text
    assert "削除したデータは元に戻せません" in page
    summary = re.search(r'<p class="outcome-summary"><strong>(.*?)</strong>', page).group(1)
    assert re.fullmatch(
        r"削除 \d+件(・マスキング \d+件)?・法定保存 \d+件（取引履歴、\d{4}年\d{1,2}月\d{1,2}日まで）",
        summary,
    ), summary
    assert "承認して実行する" in page and 'name="confirmed" value="1"' in page
    assert flow.get(request_id).state == "in_review"  # the dry run changed nothing
    approved = handler.post(
        f"/admin/requests/{request_id}/decision",
        data={"csrf": token, "outcome": "approve", "confirmed": "1"},
    )
    assert approved.status_code == 303 and flow.get(request_id).state == "executing"
    queued = handler.get(f"/admin/requests/{request_id}").text
    assert "今すぐ実行する" in queued
    # While the worker holds the job, the button is not offered.
    with flow.store.transaction() as session:
        session.execute(sa.update(Job).where(Job.request_id == request_id).values(state="running"))
    running = handler.get(f"/admin/requests/{request_id}").text
    assert "今すぐ実行する" not in running and "実行中です" in running
    with flow.store.transaction() as session:
        session.execute(sa.update(Job).where(Job.request_id == request_id).values(state="queued"))
    executed = handler.post(f"/admin/requests/{request_id}/execute", data={"csrf": token})
    assert executed.status_code == 303
    assert flow.get(request_id).state in ("completed", "partially_complete")
    done = handler.get(f"/admin/requests/{request_id}").text
    assert "今すぐ実行する" not in done
    again = handler.post(f"/admin/requests/{request_id}/execute", data={"csrf": token})
    assert again.status_code == 303 and again.headers["location"].endswith("?taken=1")
    # Once decided, the confirmation page is only a way back to the request.
    assert handler.get(f"/admin/requests/{request_id}/confirm").status_code == 303


def test_four_eyes_one_proposes_another_approves(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    flow = site.app.state.workflow
    monkeypatch.setattr(flow, "_procedures", Procedures(four_eyes=[RightKind.erasure]))
    if not any(a.username == "second" for a in site.app.state.staff.accounts()):
        site.app.state.staff.create("second", STAFF_PASSWORD, "handler")
    request_id = made(site, "erasure", member_email(site, 12))
    first = sign_in(site, "handler", **{"accept-language": "en"})
    page = first.get(f"/admin/requests/{request_id}/confirm").text
    assert "four-eyes" in page and "Propose (ask for approval)" in page
    token = csrf_of(first, f"/admin/requests/{request_id}")
    proposed = first.post(
        f"/admin/requests/{request_id}/decision",
        data={"csrf": token, "outcome": "approve", "confirmed": "1"},
    )
    assert proposed.status_code == 303 and proposed.headers["location"].endswith("?proposed=1")
    row = flow.get(request_id)
    assert row.state == "in_review" and flow.proposal(row) == "staff:handler"
    # The proposer sees no approve button, and a forged approval is refused.
    own = first.get(f"/admin/requests/{request_id}/confirm").text
    assert "You proposed this request" in own and 'name="confirmed"' not in own
    forged = first.post(
        f"/admin/requests/{request_id}/decision",
        data={"csrf": token, "outcome": "approve", "confirmed": "1"},
    )
    assert forged.status_code == 409 and "cannot also approve" in forged.text
    assert flow.get(request_id).state == "in_review"
    second = sign_in(site, "second", **{"accept-language": "ja"})
    page = second.get(f"/admin/requests/{request_id}/confirm").text
    assert "handlerが起案しました" in page and "承認して実行する" in page
    approved = second.post(
        f"/admin/requests/{request_id}/decision",
        data={
            "csrf": csrf_of(second, f"/admin/requests/{request_id}"),
            "outcome": "approve",
            "confirmed": "1",
        },
    )
    assert approved.status_code == 303 and flow.get(request_id).state == "executing"
    decision = flow.get(request_id).decision
    assert decision["outcome"] == "approved" and decision["proposed_by"] == "staff:handler"
    audit = second.get(f"/admin/requests/{request_id}").text
    assert "起案（承認待ち）" in audit and "承認" in audit


def _user(site: Site, offset: int) -> tuple[str, str]:
    engine = sa.create_engine(site.service_url)
    with engine.connect() as connection:
        email, name = connection.execute(
            sa.text("SELECT email, display_name FROM users ORDER BY id LIMIT 1 OFFSET :n"),
            {"n": offset},
        ).one()
    engine.dispose()
    return str(email), str(name)


def _display_name(site: Site, email: str) -> str:
    engine = sa.create_engine(site.service_url)
    with engine.connect() as connection:
        name = connection.execute(
            sa.text("SELECT display_name FROM users WHERE email = :e"), {"e": email}
        ).scalar_one()
    engine.dispose()
    return str(name)


def test_a_correction_is_decided_item_by_item_and_the_person_told_old_and_new(
    site: Site,
) -> None:
    flow = site.app.state.workflow
    email, name = _user(site, 13)
    request_id = made(
        site,
        "rectification",
        email,
        changes={"users.display_name": "佐藤 花子", "users.email": "wrong@example.jp"},
    )
    handler = sign_in(site, "handler", **{"accept-language": "ja"})
    page = handler.get(f"/admin/requests/{request_id}/confirm").text
    items = re.findall(r'<fieldset class="correction-item" data-item="([\w.]+)">', page)
    assert sorted(items) == ["users.display_name", "users.email"]
    shown = page[page.index('data-item="users.display_name"') :]
    assert name in shown[:800] and "佐藤 花子" in shown[:800] and "氏名（表示名）" in shown[:800]
    assert "訂正前の値は元に戻せません" in page
    index = {item: i for i, item in enumerate(items)}
    token = csrf_of(handler, f"/admin/requests/{request_id}")
    form = {"csrf": token, "outcome": "approve", "confirmed": "1"}
    form[f"accept-{index['users.display_name']}"] = "1"
    form[f"accept-{index['users.email']}"] = "0"
    # Not correcting an item needs a reason the person is told.
    missing = handler.post(f"/admin/requests/{request_id}/decision", data=form)
    assert missing.status_code == 422 and "理由を入力してください" in missing.text
    assert flow.get(request_id).state == "in_review"
    form[f"reason-{index['users.email']}"] = "ご登録のメールアドレスは本人確認済みのものです"
    decided = handler.post(f"/admin/requests/{request_id}/decision", data=form)
    assert decided.status_code == 303 and flow.get(request_id).state == "executing"
    assert flow.get(request_id).decision["correction"] == "partly_corrected"
    handler.post(f"/admin/requests/{request_id}/execute", data={"csrf": token})
    assert flow.get(request_id).state in ("completed", "partially_complete")
    assert _display_name(site, email) == "佐藤 花子"  # the accepted item only
    detail = handler.get(f"/admin/requests/{request_id}").text
    assert "訂正の判断：一部訂正" in detail and "本人確認済み" in detail
    person = site.client(**{"accept-language": "ja"})
    status = person.get(f"/status/{flow.secrets.status_token(request_id)}").text
    assert "一部を訂正しました" in status
    assert f"氏名（表示名）：{name} → 佐藤 花子" in status
    assert (
        "メールアドレス（会員情報）：訂正していません（理由：ご登録のメールアドレスは本人確認済みのものです）"
        in status
    )


def test_a_correction_declined_with_a_reason_ends_not_corrected(site: Site) -> None:
    flow = site.app.state.workflow
    email, name = _user(site, 14)
    request_id = made(site, "rectification", email, changes={"users.display_name": "別人"})
    handler = sign_in(site, "handler", **{"accept-language": "en"})
    declined = handler.post(
        f"/admin/requests/{request_id}/decision",
        data={
            "csrf": csrf_of(handler, f"/admin/requests/{request_id}"),
            "outcome": "approve",
            "confirmed": "1",
            "accept-0": "0",
            "reason-0": "The name matches the one on the contract",
        },
    )
    assert declined.status_code == 303
    row = flow.get(request_id)
    assert row.state == "denied" and row.decision["ground"] == "not_corrected"
    assert _display_name(site, email) == name
    person = site.client(**{"accept-language": "en"})
    status = person.get(f"/status/{flow.secrets.status_token(request_id)}").text
    assert "The outcome: not corrected" in status
    assert "not corrected (reason: The name matches the one on the contract)" in status


def test_the_four_eyes_rule_is_declared_in_the_data_map(site: Site, tmp_path) -> None:  # type: ignore[no-untyped-def]
    import shutil

    from policykeeper.workflow.inputs import staff_procedures

    flow = site.app.state.workflow
    assert staff_procedures(flow.project_dir).four_eyes == []
    assert staff_procedures(flow.project_dir).reference_prefix == "AIN"
    project = tmp_path / "p"
    shutil.copytree(flow.project_dir, project, ignore=shutil.ignore_patterns("*.sqlite3*", ".*"))
    datamap = project / "datamap.yaml"
    datamap.write_text(
        datamap.read_text("utf-8").replace(
            "\nprocedures:", "\nprocedures:\n  four_eyes: [erasure, rectification]"
        ),
        "utf-8",
    )
    assert staff_procedures(project).four_eyes == [
        RightKind.erasure,
        RightKind.rectification,
    ]
