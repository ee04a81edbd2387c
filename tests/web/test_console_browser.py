"""The staff's journeys in a real browser (Debian's Chromium), in Japanese and English at 1280
and 390 px: an erasure through the confirmation page and a second approver, and corrections
declined with a reason and accepted, each ending with what the person is told. Screenshots
go to artifacts/screenshots/console-*.png."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
import test_browser
from test_browser import PASSWORD, SCREENSHOTS, Live, person_with_history

from policykeeper.datamap.models import Procedures
from policykeeper.policy.models import RightKind
from policykeeper.workflow.service import NewRequest

pytestmark = pytest.mark.browser
SIZES = {"desktop": (1280, 900), "phone": (390, 844)}
live = test_browser.live
"""The served app with its worker and SMTP inbox (test_browser's fixture, one per module)."""


def confirmed(live: Live, kind: str, email: str, **details: Any) -> tuple[str, str]:
    """A request made and confirmed by its emailed code; (its id, the status link)."""
    flow = live.app.state.workflow
    submitted = flow.submit(
        NewRequest(kind=kind, email=email, language="ja", details=details), "10.9.9.9"
    )
    code = live.inbox.wait_for(email, r"確認コード[:：] ?(\d{6})").group(1)
    flow.verify_code(submitted.status_token, code, "10.9.9.9")
    return submitted.request_id, f"{live.base}/status/{submitted.status_token}"


def staff_page(chromium: Any, live: Live, who: str, locale: str, size: str) -> Any:
    width, height = SIZES[size]
    context = chromium.new_context(locale=locale, viewport={"width": width, "height": height})
    page = context.new_page()
    page.goto(f"{live.base}/admin/login")
    page.locator("#username").fill(who)
    page.locator("#password").fill(PASSWORD)
    page.locator("form[action='/admin/login'] button[type=submit]").click()
    page.wait_for_url(re.compile(r".*/admin/requests$"))
    return page


def shoot(page: Any, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    width = page.viewport_size["width"]
    page.screenshot(path=str(SCREENSHOTS / f"console-{name}-{width}.png"), full_page=True)
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{name} scrolls sideways by {overflow}px at {width}px"


def wait_for_state(page: Any, states: tuple[str, ...]) -> str:
    deadline = time.monotonic() + 30
    while (state := page.locator("[data-state]").first.get_attribute("data-state")) not in states:
        assert time.monotonic() < deadline, f"still {state}"
        time.sleep(0.5)
        page.reload()
    return str(state)


@pytest.mark.parametrize(
    ("locale", "first", "second"),
    [("ja-JP", "desktop", "phone"), ("en-US", "phone", "desktop")],
)
def test_erasure_with_the_confirmation_page_and_a_second_approver(
    chromium: Any, live: Live, locale: str, first: str, second: str
) -> None:
    lang = locale[:2]
    flow = live.app.state.workflow
    flow._procedures = Procedures(four_eyes=[RightKind.erasure])
    try:
        _user, email = person_with_history(live.service_url, 5 if lang == "ja" else 6)
        request_id, _status = confirmed(live, "erasure", email)
        proposer = staff_page(chromium, live, "handler", locale, first)
        proposer.goto(f"{live.base}/admin/requests/{request_id}")
        shoot(proposer, f"erasure-detail-{lang}")
        proposer.locator("#approve").click()
        assert proposer.url.endswith("/confirm")
        summary = proposer.locator(".outcome-summary").inner_text()
        if lang == "ja":
            assert re.search(
                r"削除 \d+件.*法定保存 \d+件（取引履歴、\d{4}年\d+月\d+日まで）", summary
            )
        else:
            assert re.search(r"\d+ deleted.*\d+ kept by law \(Transaction history, until ", summary)
        shoot(proposer, f"erasure-confirm-{lang}")
        proposer.locator("#understood").check()
        proposer.locator("#confirm-approve").click()
        assert proposer.locator(".alert.success").is_visible()
        assert flow.get(request_id).state == "in_review"
        proposer.goto(f"{live.base}/admin/requests/{request_id}/confirm")
        assert proposer.locator("#confirm-approve").count() == 0  # not their own approval
        proposer.context.close()

        approver = staff_page(chromium, live, "admin", locale, second)
        approver.goto(f"{live.base}/admin/requests/{request_id}/confirm")
        shoot(approver, f"erasure-second-approver-{lang}")
        approver.locator("#understood").check()
        approver.locator("#confirm-approve").click()
        assert wait_for_state(approver, ("completed", "partially_complete"))
        assert approver.locator("details.raw").first.get_attribute("open") is None
        assert approver.locator(".outcome-summary").is_visible()
        assert approver.locator("a[href$='/confirm'], form[action$='/execute']").count() == 0
        shoot(approver, f"erasure-result-{lang}")
        approver.context.close()
    finally:
        flow._procedures = None


@pytest.mark.parametrize(("locale", "size"), [("ja-JP", "desktop"), ("en-US", "phone")])
def test_corrections_declined_with_a_reason_and_accepted(
    chromium: Any, live: Live, locale: str, size: str
) -> None:
    lang = locale[:2]
    _user, email = person_with_history(live.service_url, 7 if lang == "ja" else 8)
    declined_id, declined_status = confirmed(
        live, "rectification", email, changes={"users.display_name": "別人の名前"}
    )
    accepted_id, accepted_status = confirmed(
        live, "rectification", email, changes={"users.display_name": "正しい名前"}
    )
    reason = "契約書の氏名と一致しているため" if lang == "ja" else "It matches the contract"
    page = staff_page(chromium, live, "handler", locale, size)
    page.goto(f"{live.base}/admin/requests/{declined_id}/confirm")
    page.locator("#accept-0-no").check()
    page.locator("#reason-0").fill(reason)
    page.locator("#understood").check()
    shoot(page, f"correction-decline-{lang}")
    page.locator("#confirm-approve").click()
    assert wait_for_state(page, ("denied",))
    page.goto(f"{live.base}/admin/requests/{accepted_id}/confirm")
    old = page.locator("fieldset.correction-item dd bdi").first.inner_text()
    page.locator("#understood").check()
    page.locator("#confirm-approve").click()
    assert wait_for_state(page, ("completed", "partially_complete"))
    shoot(page, f"correction-accepted-{lang}")
    page.context.close()

    person = chromium.new_context(locale=locale).new_page()
    person.goto(declined_status + f"?lang={lang}")
    text = person.locator("main").inner_text()
    assert reason in text
    assert ("訂正は行いませんでした" if lang == "ja" else "not corrected") in text
    shoot(person, f"correction-person-declined-{lang}")
    person.goto(accepted_status + f"?lang={lang}")
    text = person.locator("main").inner_text()
    assert f"{old} → 正しい名前" in text
    shoot(person, f"correction-person-corrected-{lang}")
    person.context.close()


@pytest.mark.parametrize(("locale", "size"), [("ja-JP", "desktop"), ("en-US", "phone")])
def test_a_staff_invitation_and_first_login(
    chromium: Any, live: Live, locale: str, size: str
) -> None:
    lang = locale[:2]
    username, address = f"newcomer-{lang}", f"newcomer-{lang}@example.jp"
    admin = staff_page(chromium, live, "admin", locale, size)
    admin.goto(f"{live.base}/admin/staff")
    admin.locator("#invite-username").fill(username)
    admin.locator("#invite-email").fill(address)
    admin.locator("#invite-role").select_option("handler")
    shoot(admin, f"staff-invite-{lang}")
    admin.locator("#invite").click()
    assert admin.locator(".alert.success").is_visible()
    admin.context.close()

    link = live.inbox.wait_for(address, r"(http://\S+/admin/link/\S+)").group(1)
    width, height = SIZES[size]
    newcomer = chromium.new_context(locale=locale, viewport={"width": width, "height": height})
    page = newcomer.new_page()
    page.goto(link)
    shoot(page, f"staff-set-password-{lang}")
    page.locator("#new").fill("my-own-long-password")
    page.locator("#confirm").fill("my-own-long-password")
    page.locator("#set-password").click()
    page.wait_for_url(re.compile(r".*/admin/login\?set=1$"))
    assert page.locator(".alert.success").is_visible()
    page.locator("#username").fill(username)
    page.locator("#password").fill("my-own-long-password")
    page.locator("form[action='/admin/login'] button[type=submit]").click()
    page.wait_for_url(re.compile(r".*/admin/requests$"))
    shoot(page, f"staff-first-login-{lang}")
    page.goto(link)
    assert page.locator("h1").inner_text() != ""
    assert "/admin/link/" in page.url and page.locator("#set-password").count() == 0
    newcomer.close()
