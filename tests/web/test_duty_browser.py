"""The duty pages in a real browser (Debian's Chromium): an admin publishes a material change
from the console, the worker emails every account holder over real SMTP, the center shows the
notice; a handler records a leak through the form and reads the report. Screenshots at desktop
and phone widths, with no horizontal scrolling at 375 px.
"""

from __future__ import annotations

import re
import shutil
import threading
import time
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import uvicorn
from aiosmtpd.controller import Controller
from store.kit import Mailbox, _Collector, free_port, quick_settings

from policykeeper.examples.generation import generate
from policykeeper.lifecycle.versions import operator_timezone
from policykeeper.policy import load_policy
from policykeeper.web.app import create_app
from policykeeper.workflow.mail import SmtpMailer

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
PASSWORD = "duty-browser-password"
NEW_PURPOSE = """  - id: ai_training
    label: {ja: AIモデルの学習, en: AI model training}
    uses: [functional.service.improve]
    categories: [user.behavior.media_consumption]
"""


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path, Mailbox]]:
    folder = tmp_path_factory.mktemp("duties")
    project = folder / "ainema"
    shutil.copytree(
        ROOT / "examples" / "ainema", project, ignore=shutil.ignore_patterns(".*", "*.sqlite3")
    )
    generate("ainema", f"sqlite:///{project / 'ainema.sqlite3'}", 25, progress=False)
    mailbox = Mailbox()
    smtp = Controller(_Collector(mailbox), hostname="127.0.0.1", port=free_port())
    smtp.start()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    app = create_app(
        project,
        database_url=f"sqlite:///{folder / 'state.sqlite3'}",
        mailer=SmtpMailer("127.0.0.1", smtp.port, "privacy@ainema.test"),
        settings=quick_settings(base_url=base),
        secret_key=b"duty-browser-secret-key-012345678",
    )
    for role in ("handler", "admin"):
        app.state.staff.create(role, PASSWORD, role)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    try:
        yield base, project, mailbox
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        smtp.stop()


def signed_in(chromium: Any, base: str, role: str) -> Any:
    page = chromium.new_context(locale="ja-JP").new_page()
    page.goto(f"{base}/admin/versions")
    page.locator("#username").fill(role)
    page.locator("#password").fill(PASSWORD)
    page.locator("form[action='/admin/login'] button[type=submit]").click()
    page.wait_for_url(re.compile(r".*/admin/versions$"))
    return page


def publish(page: Any, day: date) -> None:
    page.get_by_label("施行日").fill(day.isoformat())
    page.get_by_role("button", name="公表する").click()
    assert "新しい版を公表しました。" in page.locator(".alert.success").inner_text()


def test_publish_notice_and_a_recorded_leak_in_the_browser(
    chromium: Any, live: tuple[str, Path, Mailbox]
) -> None:
    base, project, mailbox = live
    admin = signed_in(chromium, base, "admin")
    today = datetime.now(ZoneInfo(operator_timezone(load_policy(project)))).date()  # in Tokyo
    publish(admin, today)
    policy = project / "policy.yaml"
    text = policy.read_text(encoding="utf-8")
    text = text.replace('version: "2026-03-23"', 'version: "next"', 1)
    policy.write_text(text.replace("\nrecipients:\n", "\n" + NEW_PURPOSE + "\nrecipients:\n", 1))
    publish(admin, today + timedelta(days=14))
    deadline = time.monotonic() + 60
    while len(mailbox.messages) < 25:
        assert time.monotonic() < deadline, f"{len(mailbox.messages)} of 25 notices sent"
        time.sleep(0.2)
    assert len({m["To"] for m in mailbox.messages}) == 25
    admin.goto(f"{base}/admin/versions/2")
    assert "送信済み（25件／25件）" in admin.locator("main").inner_text()

    center = chromium.new_context(locale="ja-JP").new_page()
    center.goto(base + "/")
    assert "利用目的「AIモデルの学習」を追加しました。" in center.locator(".notice").inner_text()
    center.get_by_role("link", name="変更点の一覧を見る").click()
    assert "第2版（next）" in center.locator("main").inner_text()

    handler = signed_in(chromium, base, "handler")
    handler.goto(f"{base}/admin/incidents/new")
    handler.get_by_label("件名").fill("不正アクセスによる会員情報の漏えい")
    handler.get_by_label("発覚日時").fill("2026-11-30T10:00")
    handler.get_by_label("原因", exact=True).select_option("unauthorized_access")
    handler.get_by_label("テーブル").select_option("users")
    handler.get_by_label("列", exact=True).fill("email, password_hash")
    handler.locator("#f-ja_summary").fill("会員情報が外部から不正に取得されました。")
    handler.get_by_role("button", name="記録する").click()
    main = handler.locator("main").inner_text()
    assert (
        "報告対象" in main
        and "（3）漏えい等が発生し、又は発生したおそれがある個人データに係る本人の数" in main
    )
    assert "25人" in main
    incident_path = handler.url.replace(base, "")

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    wide = []
    for label, (width, height) in {"desktop": (1280, 900), "mobile": (375, 812)}.items():
        for name, page, path in (
            ("center-notice-ja", center, "/?lang=ja"),
            ("center-history-en", center, "/policy/history?lang=en"),
            ("admin-versions-ja", admin, "/admin/versions?lang=ja"),
            ("admin-version-en", admin, "/admin/versions/2?lang=en"),
            ("admin-incidents-ja", handler, "/admin/incidents?lang=ja"),
            ("admin-incident-ja", handler, incident_path + "?lang=ja"),
            ("admin-incident-new-en", handler, "/admin/incidents/new?lang=en"),
            ("admin-provisions-ja", handler, "/admin/provisions?lang=ja"),
        ):
            page.set_viewport_size({"width": width, "height": height})
            page.goto(base + path)
            page.screenshot(path=str(SCREENSHOTS / f"duties-{name}-{label}-{width}.png"))
            overflow = page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            if width == 375 and overflow > 0:
                wide.append(f"{name} ({overflow}px)")
    assert not wide, f"pages that scroll sideways at 375 px: {wide}"
