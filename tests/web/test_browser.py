"""The privacy center and the admin console in a real browser (Debian's Chromium, never a
downloaded one): a person's deletion in Japanese and access in English, end to end with real
email over SMTP, staff approval, the example database checked afterwards, role refusals, and
screenshots at desktop and phone widths with no horizontal scrolling at 375 px.
"""

from __future__ import annotations

import io
import re
import shutil
import threading
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import EmailMessage
from email.parser import BytesParser
from email.policy import default as default_policy
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
import uvicorn
from aiosmtpd.controller import Controller
from store.kit import free_port, quick_settings

from policykeeper.examples.generation import generate
from policykeeper.web.app import create_app
from policykeeper.workflow.mail import SmtpMailer

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]

SCREENSHOTS = ROOT / "artifacts" / "screenshots"
WIDTHS = {"desktop": (1280, 900), "mobile": (375, 812)}
PASSWORD = "browser-test-password"


class Inbox:
    """What the test SMTP server received, parsed; waits for a message to arrive."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server: object, session: object, envelope: Any) -> str:
        message = BytesParser(policy=default_policy).parsebytes(envelope.content)
        assert isinstance(message, EmailMessage)
        with self.lock:
            self.messages.append(message)
        return "250 OK"

    def wait_for(self, to: str, pattern: str, timeout: float = 20) -> re.Match[str]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                bodies = [
                    str(m.get_body(("plain",)).get_content())
                    for m in self.messages
                    if m["To"] == to
                ]  # type: ignore[union-attr]
            for body in reversed(bodies):
                found = re.search(pattern, body)
                if found:
                    return found
            time.sleep(0.1)
        raise AssertionError(f"no email to {to} matching {pattern!r}")


@dataclass
class Live:
    base: str
    inbox: Inbox
    service_url: str
    app: Any


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    """The app on a free port with its worker, over a small AInema database and real SMTP."""
    folder = tmp_path_factory.mktemp("browser")
    project = folder / "ainema"
    shutil.copytree(
        ROOT / "examples" / "ainema", project, ignore=shutil.ignore_patterns(".*", "*.sqlite3")
    )
    service_url = f"sqlite:///{project / 'ainema.sqlite3'}"
    generate("ainema", service_url, 40, progress=False)
    inbox = Inbox()
    smtp = Controller(inbox, hostname="127.0.0.1", port=free_port())
    smtp.start()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    app = create_app(
        project,
        database_url=f"sqlite:///{folder / 'state.sqlite3'}",
        mailer=SmtpMailer("127.0.0.1", smtp.port, "privacy@ainema.test"),
        settings=quick_settings(base_url=base),
        secret_key=b"browser-test-secret-key-0123456789",
    )
    for role in ("viewer", "handler", "admin"):
        app.state.staff.create(role, PASSWORD, role)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    try:
        yield Live(base, inbox, service_url, app)
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        smtp.stop()


def person_with_history(service_url: str, skip: int) -> tuple[int, str]:
    engine = sa.create_engine(service_url)
    with engine.connect() as connection:
        row = connection.execute(
            sa.text(
                "SELECT u.id, u.email FROM users u WHERE "
                "EXISTS (SELECT 1 FROM coin_ledger c WHERE c.user_id = u.id) AND "
                "EXISTS (SELECT 1 FROM viewing_history v WHERE v.user_id = u.id) AND "
                # No PayPay or Digico task, so the erasure completes without waiting for them.
                "NOT EXISTS (SELECT 1 FROM coin_ledger p WHERE p.user_id = u.id "
                "AND p.payment_method = 'paypay') AND NOT EXISTS (SELECT 1 FROM creator_profiles "
                "c JOIN payouts o ON o.creator_id = c.id WHERE c.user_id = u.id "
                "AND o.method = 'digico') "
                "ORDER BY u.id LIMIT 1 OFFSET :skip"
            ),
            {"skip": skip},
        ).one()
    engine.dispose()
    return int(row[0]), str(row[1])


def count(service_url: str, table: str, user_id: int) -> int:
    engine = sa.create_engine(service_url)
    with engine.connect() as connection:
        found = connection.execute(
            sa.text(f"SELECT count(*) FROM {table} WHERE user_id = :id"), {"id": user_id}
        ).scalar_one()
    engine.dispose()
    return int(found)


def sign_in(browser: Any, live: Live, role: str, locale: str = "ja-JP") -> Any:
    context = browser.new_context(locale=locale)
    page = context.new_page()
    page.goto(f"{live.base}/admin/requests")
    assert "/admin/login" in page.url
    page.locator("#username").fill(role)
    page.locator("#password").fill(PASSWORD)
    page.locator("form[action='/admin/login'] button[type=submit]").click()
    page.wait_for_url(re.compile(r".*/admin/requests$"))
    return page


def approve(browser: Any, live: Live, reference: str) -> None:
    """A handler finds the request in the queue, checks the plan preview and approves it."""
    page = sign_in(browser, live, "handler")
    page.locator(f"a[href='/admin/requests/{reference}']").first.click()
    assert page.locator("#plan-heading").is_visible()
    page.locator("#approve").click()
    if "/confirm" in page.url:  # an erasure or correction: approved from the summary page
        page.locator("#understood").check()
        page.locator("#confirm-approve").click()
    deadline = time.monotonic() + 30
    while page.locator("[data-state]").first.get_attribute("data-state") != "completed":
        assert time.monotonic() < deadline, "execution did not finish"
        time.sleep(0.5)
        page.reload()
    page.context.close()


def test_deletion_in_japanese(chromium: Any, live: Live) -> None:
    user_id, email = person_with_history(live.service_url, 0)
    held_before = count(live.service_url, "coin_ledger", user_id)
    context = chromium.new_context(locale="ja-JP")
    page = context.new_page()
    page.goto(live.base + "/")
    assert "プライバシーセンター" in page.locator("h1").inner_text()
    page.get_by_role("link", name="プライバシーポリシーを読む").click()
    assert "プライバシーポリシー" in page.locator("h1").inner_text()
    page.goto(live.base + "/")
    page.locator("a[href='/requests/erasure']").click()
    assert "削除" in page.locator("h1").inner_text()
    assert page.get_by_role("heading", name="法令により保存する情報").is_visible()
    page.get_by_label("メールアドレス").fill(email)
    page.locator("#confirm").check()  # 削除した情報は元に戻せないことを理解しました
    page.get_by_role("button", name="確認コードを送る").click()
    # The browser that submitted is told to check its mail; the status link is only there.
    assert page.locator("h1").inner_text() == "メールをご確認ください"
    assert "/status/" not in page.content()
    code = live.inbox.wait_for(email, r"確認コード[:：] ?(\d{6})").group(1)
    page.get_by_role("textbox", name="確認コード").fill(code)
    page.get_by_role("button", name="本人確認を完了する").click()
    assert "本人確認が完了しました" in page.locator(".alert.success").inner_text()
    assert "/status/" not in page.content()
    status_url = live.inbox.wait_for(email, r"(http://\S+/status/\S+)").group(1)
    reference = status_url.rsplit("/", 1)[1].split(".")[0]

    approve(chromium, live, reference)

    assert count(live.service_url, "viewing_history", user_id) == 0
    assert count(live.service_url, "coin_ledger", user_id) == held_before > 0
    page.goto(status_url)
    assert page.locator(".state").inner_text() == "完了しました"
    assert "ご請求への対応が完了しました" in page.locator(".timeline").inner_text()
    context.close()


def test_access_in_english_ends_with_the_download(chromium: Any, live: Live) -> None:
    _user_id, email = person_with_history(live.service_url, 1)
    context = chromium.new_context(locale="en-US", accept_downloads=True)
    page = context.new_page()
    page.goto(live.base + "/")
    assert "Privacy Center" in page.locator("h1").inner_text()
    page.locator("a[href='/requests/access']").click()
    page.get_by_label("Email address").fill(email)
    page.get_by_role("button", name="Send me a code").click()
    assert page.locator("h1").inner_text() == "Check your email"
    status_url = live.inbox.wait_for(email, r"(http://\S+/status/\S+)").group(1)
    link = live.inbox.wait_for(email, r"(http://\S+/verify/\S+)").group(1)
    page.goto(link)
    page.get_by_role("button", name="Confirm").click()
    assert "your identity is confirmed" in page.locator(".alert.success").inner_text()
    reference = status_url.rsplit("/", 1)[1].split(".")[0]

    approve(chromium, live, reference)

    page.goto(status_url)
    assert page.locator(".state").inner_text() == "Completed"
    with page.expect_download() as waiting:
        page.locator("a[href^='/download/']").click()
    download = waiting.value
    archive = zipfile.ZipFile(io.BytesIO(Path(download.path()).read_bytes()))
    assert any(name.endswith(".json") for name in archive.namelist())
    assert email in "".join(archive.read(n).decode("utf-8", "replace") for n in archive.namelist())
    context.close()


def test_a_guessed_status_link_is_not_found(chromium: Any, live: Live) -> None:
    page = chromium.new_page(locale="en-US")
    response = page.goto(f"{live.base}/status/{'0' * 32}.{'f' * 64}")
    assert response is not None and response.status == 404
    assert page.locator("h1").inner_text() == "Page not found"
    page.close()


def test_admin_refuses_anonymous_and_viewer(chromium: Any, live: Live) -> None:
    anonymous = chromium.new_context(locale="en-US")
    page = anonymous.new_page()
    for path in ("/admin/requests", "/admin/staff", "/admin/requests/abc"):
        page.goto(live.base + path)
        assert "/admin/login" in page.url
    for path in ("/admin/requests/abc/decision", "/admin/staff", "/admin/requests/abc/execute"):
        assert anonymous.request.post(live.base + path, form={"outcome": "approve"}).status == 401
    anonymous.close()

    viewer = sign_in(chromium, live, "viewer", "en-US")
    assert viewer.goto(live.base + "/admin/staff").status == 403
    assert viewer.goto(live.base + "/admin/requests/abc/download").status == 403
    for path in ("/admin/requests/abc/decision", "/admin/staff", "/admin/requests/abc/extend"):
        assert (
            viewer.context.request.post(live.base + path, form={"outcome": "approve"}).status == 403
        )
    viewer.context.close()


def pages_to_capture(chromium: Any, live: Live) -> list[tuple[str, str, str]]:
    """(name, path, who): every main page, with a live request for the status and detail."""
    _user_id, email = person_with_history(live.service_url, 2)
    context = chromium.new_context(locale="ja-JP")
    page = context.new_page()
    page.goto(live.base + "/requests/rectification")
    page.get_by_label("メールアドレス").fill(email)
    page.get_by_label("正しい内容").fill("新しい表示名")
    page.get_by_role("button", name="確認コードを送る").click()
    status_path = page.url.split("?")[0].replace(live.base, "")
    context.close()
    reference = status_path.rsplit("/", 1)[1].split(".")[0]
    return [
        ("center-home-ja", "/?lang=ja", ""),
        ("center-home-en", "/?lang=en", ""),
        ("center-policy-ja", "/policy?lang=ja", ""),
        ("center-policy-en", "/policy?lang=en", ""),
        ("center-form-erasure-ja", "/requests/erasure?lang=ja", ""),
        ("center-form-rectification-en", "/requests/rectification?lang=en", ""),
        ("center-status-ja", status_path + "?lang=ja", ""),
        ("center-verify-en", "/verify/example-link?lang=en", ""),
        ("center-404-ja", "/no-such-page?lang=ja", ""),
        ("admin-login-en", "/admin/login?lang=en", ""),
        ("admin-queue-ja", "/admin/requests?state=all&lang=ja", "admin"),
        ("admin-detail-en", f"/admin/requests/{reference}?lang=en", "admin"),
        ("admin-staff-ja", "/admin/staff?lang=ja", "admin"),
    ]


def test_screenshots_and_no_horizontal_scroll_at_375(chromium: Any, live: Live) -> None:
    """Long pages (the policy) are captured to the first screens; the width check reads them whole."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    shots = pages_to_capture(chromium, live)
    wide: list[str] = []
    for label, (width, height) in WIDTHS.items():
        anonymous = chromium.new_page(viewport={"width": width, "height": height})
        staff = sign_in(chromium, live, "admin")
        staff.set_viewport_size({"width": width, "height": height})
        for name, path, who in shots:
            page = staff if who else anonymous
            page.goto(live.base + path)
            full = page.evaluate("document.documentElement.scrollHeight") <= 3 * height
            target = SCREENSHOTS / f"{name}-{label}-{width}.png"
            page.screenshot(path=str(target), full_page=full)
            overflow = page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            if width == 375 and overflow > 0:
                wide.append(f"{name} ({overflow}px)")
        anonymous.close()
        staff.context.close()
    assert not wide, f"pages that scroll sideways at 375 px: {wide}"


def test_demo_journey_through_the_outbox(
    chromium: Any, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """What a newcomer does after `scripts/demo`: no SMTP server, the code is in /outbox."""
    from policykeeper.web.demo import demo_app

    folder = tmp_path_factory.mktemp("demo")
    project = folder / "ainema"
    shutil.copytree(
        ROOT / "examples" / "ainema", project, ignore=shutil.ignore_patterns(".*", "*.sqlite3")
    )
    port = free_port()
    demo = demo_app(project, port=port, users=30)
    assert demo.generated and demo.password
    assert demo_app(project, port=port).password == demo.password
    server = uvicorn.Server(
        uvicorn.Config(demo.app, host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    try:
        _user_id, email = person_with_history(f"sqlite:///{project / 'ainema.sqlite3'}", 0)
        page = chromium.new_page(locale="ja-JP")
        page.goto(demo.base_url + "/requests/erasure")
        page.get_by_label("メールアドレス").fill(email)
        page.locator("#confirm").check()
        page.get_by_role("button", name="確認コードを送る").click()
        page.get_by_role("link", name="送信メール（デモ）").click()
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "demo-outbox-ja-desktop-1280.png"))
        page.locator("a[href*='/verify/']").first.click()
        page.get_by_role("button", name="確認を完了する").click()
        assert "本人確認が完了しました" in page.locator(".alert.success").inner_text()
        page.goto(demo.base_url + "/admin/login")
        page.locator("#username").fill(demo.username)
        page.locator("#password").fill(demo.password)
        page.locator("form[action='/admin/login'] button[type=submit]").click()
        assert page.locator("table.queue").is_visible()
        page.close()
    finally:
        server.should_exit = True
        thread.join(timeout=30)
