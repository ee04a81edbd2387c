"""An erasure for someone the service holds nothing about is not reported as "deleted": the
person is told honestly that no personal data was found (so nothing was erased), by email and
on the status page."""

from __future__ import annotations

from collections.abc import Callable

from security_kit import Served, a_person

from policykeeper.job_handlers import JOB_HANDLERS
from policykeeper.jobs.worker import Worker
from policykeeper.workflow.notifications import render_email

Serve = Callable[..., Served]


def erase(site: Served, email: str) -> tuple[str, list[str]]:
    """File, confirm, approve and execute an erasure; the status token and every email's
    subject and body."""
    http = site.http()
    http.post("/api/requests", json={"kind": "erasure", "email": email})
    token = site.status_token(email)
    http.post(f"/api/status/{token}/verify", json={"code": site.code(email)})
    request_id = token.split(".")[0]
    decided = http.post(
        f"/api/staff/requests/{request_id}/decision",
        json={"outcome": "approve"},
        headers=site.staff("handler"),
    )
    assert decided.json()["state"] == "executing", decided.text
    Worker(site.workflow, JOB_HANDLERS).run_until_idle()
    mails = site.mailbox.to(email)
    return token, [f"{m['Subject']}\n{site.mailbox.body(m)}" for m in mails]


def test_an_erasure_that_finds_nobody_does_not_say_deleted(serve: Serve) -> None:
    site = serve()
    token, mails = erase(site, "stranger@example.jp")
    assert not [m for m in mails if "completed your" in m or "complete\n" in m]
    (told,) = [m for m in mails if "we hold no personal data" in m.splitlines()[0]]
    assert "Nothing was therefore deleted or changed." in told
    status = site.http().get(f"/api/status/{token}").json()
    assert status["state"] == "completed" and status["outcome"] == "no_personal_data"
    page = site.http().get(f"/status/{token}?lang=ja").text
    assert "ご請求に係る保有個人データはありませんでした" in page and "完了しました</p>" not in page


def test_an_erasure_that_finds_the_person_is_not_told_nothing_was_held(serve: Serve) -> None:
    site = serve()
    _id, email = a_person(site.service_url)
    token, mails = erase(site, email)
    assert not [m for m in mails if "no personal data" in m]
    status = site.http().get(f"/api/status/{token}").json()
    assert status["state"] in ("completed", "partially_complete") and status["outcome"] is None


def test_the_japanese_notice_names_no_deletion() -> None:
    context = {"service": "AInema", "right": "削除", "request_id": "r1", "complaints": "窓口"}
    context |= {"disclosure": False, "places": [], "download_url": "", "withheld": ""}
    context |= {"addressee": "stranger@example.jp", "no_reply": True, "signature": ["AInema"]}
    context |= {"no_data": False, "erased": [], "kept": [], "withheld_reason": ""}
    held = render_email("completed", "ja", context | {"nothing_held": True})
    assert held[0] == "AInema：ご請求に係る保有個人データはありませんでした"
    assert "削除、訂正、利用停止等の措置は行っていません" in held[1] and "完了" not in held[1]
    done = render_email("completed", "ja", context | {"nothing_held": False})
    assert done[0] == "AInema：ご請求への対応が完了しました"
