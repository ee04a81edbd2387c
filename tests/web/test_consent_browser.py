"""The consent banner in a real browser (Debian's Chromium, never a downloaded one), on a page
that includes the snippet and keeps its analytics and advertising scripts as
type="text/plain" until allowed: the banner appears, "reject all" keeps analytics from running
or setting its cookie, withdrawing is one click, GPC turns off targeted advertising without
asking, and screenshots of both languages at desktop and phone widths.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.responses import HTMLResponse, Response
from store.kit import free_port

from policykeeper.consent import consent_export
from policykeeper.consent.cookie import COOKIE_NAME
from policykeeper.consent.service import ConsentService
from policykeeper.web.app import create_app

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
WIDTHS = {"desktop": (1280, 800), "mobile": (375, 812)}
GPC_ON = "Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', {get: () => true});"

PAGE = """<!DOCTYPE html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{service}</title>
<link rel="stylesheet" href="/consent/banner.css">
<script src="/consent/banner.js" data-lang="{lang}" defer></script>
</head>
<body>
<main>
<h1>{service}</h1>
<p>Demo page for the consent banner.</p>
</main>
<script type="text/plain" data-category="analytics" src="/demo/analytics.js"></script>
<script type="text/plain" data-category="advertising" src="/demo/ads.js"></script>
</body>
</html>
"""
ANALYTICS = "window.analyticsRan = true; document.cookie = 'analytics=1; path=/';"
ADS = "window.adsRan = true;"


@dataclass
class Live:
    app: FastAPI
    url: str

    def subject(self, context: Any) -> str:
        value = next(c["value"] for c in context.cookies() if c["name"] == COOKIE_NAME)
        cookie = self.app.state.consent.read_cookie(value)
        return str(cookie.device)

    def records(self, context: Any) -> list[dict[str, Any]]:
        return consent_export(self.app.state.workflow.store, self.subject(context))


def demo_app(example: str, folder: Path) -> FastAPI:
    app = create_app(
        EXAMPLES / example,
        database_url=f"sqlite:///{folder / 'state.sqlite3'}",
        secret_key=b"browser-test-secret-0123456789abcdef",
        run_worker=False,
    )
    service = app.state.workflow.policy.service.name

    def demo(lang: str = "ja") -> HTMLResponse:
        return HTMLResponse(PAGE.format(lang=lang, service=service.get(lang)))

    app.add_api_route("/demo", demo)
    app.add_api_route(
        "/demo/analytics.js", lambda: Response(ANALYTICS, media_type="text/javascript")
    )
    app.add_api_route("/demo/ads.js", lambda: Response(ADS, media_type="text/javascript"))
    return app


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Live]]:
    """One live server per example, each on a free local port."""
    running: list[tuple[uvicorn.Server, threading.Thread]] = []
    lives: dict[str, Live] = {}
    for example in ("ainema", "jasminai", "audiostock"):
        app = demo_app(example, tmp_path_factory.mktemp(example))
        port = free_port()
        server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
        )
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        deadline = time.monotonic() + 30
        while not server.started and time.monotonic() < deadline:
            time.sleep(0.05)
        assert server.started, f"the {example} server did not start"
        running.append((server, thread))
        lives[example] = Live(app, f"http://127.0.0.1:{port}")
    yield lives
    for server, thread in running:
        server.should_exit = True
        thread.join(timeout=10)


def open_page(chromium: Any, live: Live, lang: str, *, width: str = "desktop", gpc: bool = False):  # type: ignore[no-untyped-def]
    size = WIDTHS[width]
    context = chromium.new_context(
        viewport={"width": size[0], "height": size[1]},
        locale="ja-JP" if lang == "ja" else "en-US",
        extra_http_headers={"Sec-GPC": "1"} if gpc else {},
    )
    if gpc:
        context.add_init_script(GPC_ON)
    page = context.new_page()
    page.goto(f"{live.url}/demo?lang={lang}")
    return context, page


def ran(page: Any, flag: str) -> bool:
    return bool(page.evaluate(f"window.{flag} === true"))


def wait_until_ran(page: Any, flag: str, timeout: float = 10) -> None:
    """Polls from outside: the demo page's CSP forbids the eval wait_for_function needs."""
    deadline = time.monotonic() + timeout
    while not ran(page, flag):
        assert time.monotonic() < deadline, f"window.{flag} was never set"
        page.wait_for_timeout(50)


def test_reject_all_keeps_analytics_from_running(chromium: Any, servers: dict[str, Live]) -> None:
    live = servers["ainema"]
    context, page = open_page(chromium, live, "ja")
    banner = page.locator(".pk-banner")
    banner.wait_for(state="visible")
    assert "Cookieと類似の技術について" in banner.inner_text()
    assert not ran(page, "analyticsRan")
    banner.get_by_role("button", name="すべて拒否する").click()
    banner.wait_for(state="detached")
    page.locator(".pk-reopen").wait_for(state="visible")
    assert not ran(page, "analyticsRan")
    assert "analytics" not in {c["name"] for c in context.cookies()}
    assert [(r["purpose"], r["action"], r["source"]) for r in live.records(context)] == [
        ("analytics", "withdrawn", "banner")
    ]
    page.reload()
    page.locator(".pk-reopen").wait_for(state="visible")
    assert page.locator(".pk-banner").count() == 0
    assert not ran(page, "analyticsRan")
    assert "analytics" not in {c["name"] for c in context.cookies()}
    context.close()


def test_withdrawing_is_as_easy_as_giving(chromium: Any, servers: dict[str, Live]) -> None:
    live = servers["ainema"]
    context, page = open_page(chromium, live, "en")
    banner = page.locator(".pk-banner")
    banner.get_by_role("button", name="Accept all").click()
    wait_until_ran(page, "analyticsRan")
    assert "analytics" in {c["name"] for c in context.cookies()}
    page.locator(".pk-reopen").click()
    with page.expect_navigation():
        page.locator(".pk-banner").get_by_role("button", name="Reject all").click()
    page.locator(".pk-reopen").wait_for(state="visible")
    assert not ran(page, "analyticsRan")
    assert "analytics" not in {c["name"] for c in context.cookies()}
    assert [r["action"] for r in live.records(context)] == ["given", "withdrawn"]
    context.close()


def test_customize_gives_one_purpose_and_not_the_other(
    chromium: Any, servers: dict[str, Live]
) -> None:
    live = servers["jasminai"]
    context, page = open_page(chromium, live, "en")
    banner = page.locator(".pk-banner")
    banner.get_by_role("button", name="Customize").click()
    banner.get_by_label("Personalising your home page (gravity_cookie)").check()
    banner.get_by_role("button", name="Save my choices").click()
    banner.wait_for(state="detached")
    assert page.evaluate("PolicyKeeperConsent.allowed('personalization')") is True
    assert page.evaluate("PolicyKeeperConsent.allowed('analytics')") is False
    assert not ran(page, "analyticsRan")
    actions = {(r["purpose"], r["action"]) for r in live.records(context)}
    assert actions == {("personalization", "given"), ("analytics_cookies", "withdrawn")}
    context.close()


def test_gpc_turns_off_targeted_advertising_without_asking(
    chromium: Any, servers: dict[str, Live]
) -> None:
    live = servers["audiostock"]
    context, page = open_page(chromium, live, "en", gpc=True)
    notice = page.locator(".pk-toast")
    notice.wait_for(state="visible")
    assert "opt-out request honoured" in notice.inner_text()
    assert page.locator(".pk-banner").count() == 0
    assert not ran(page, "adsRan")
    assert page.evaluate("PolicyKeeperConsent.allowed('targeted_advertising')") is False
    records = {(r["purpose"], r["action"], r["source"]) for r in live.records(context)}
    assert records == {
        ("targeted_advertising", "withdrawn", "gpc"),
        ("statistics", "withdrawn", "gpc"),
    }
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "consent-gpc-audiostock-en-desktop.png"))
    context.close()


def test_without_gpc_the_notice_purposes_run_until_turned_off(
    chromium: Any, servers: dict[str, Live]
) -> None:
    context, page = open_page(chromium, servers["audiostock"], "ja")
    page.locator(".pk-banner").wait_for(state="visible")
    wait_until_ran(page, "adsRan")
    context.close()


@pytest.mark.parametrize("example", ["ainema", "jasminai"])
@pytest.mark.parametrize("lang", ["ja", "en"])
@pytest.mark.parametrize("width", ["desktop", "mobile"])
def test_banner_screenshots(
    chromium: Any, servers: dict[str, Live], example: str, lang: str, width: str
) -> None:
    context, page = open_page(chromium, servers[example], lang, width=width)
    banner = page.locator(".pk-banner")
    banner.wait_for(state="visible")
    assert banner.get_attribute("lang") == lang
    banner.locator("button[aria-controls]").click()
    page.locator("#pk-panel").wait_for(state="visible")
    box = banner.bounding_box()
    assert box is not None and box["width"] <= WIDTHS[width][0]
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTHS[width][0]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    banner.locator("button[aria-controls]").click()
    page.screenshot(path=str(SCREENSHOTS / f"consent-{example}-{lang}-{width}.png"))
    banner.locator("button[aria-controls]").click()
    page.screenshot(
        path=str(SCREENSHOTS / f"consent-{example}-{lang}-{width}-customize.png"), full_page=True
    )
    context.close()


def test_preferences_page_screenshots(chromium: Any, servers: dict[str, Live]) -> None:
    live = servers["jasminai"]
    for lang in ("ja", "en"):
        for width, size in WIDTHS.items():
            context = chromium.new_context(viewport={"width": size[0], "height": size[1]})
            page = context.new_page()
            page.goto(f"{live.url}/consent/preferences?lang={lang}")
            assert page.locator("form.pk-form").is_visible()
            assert page.evaluate("document.documentElement.scrollWidth") <= size[0]
            page.screenshot(
                path=str(SCREENSHOTS / f"consent-preferences-{lang}-{width}.png"), full_page=True
            )
            context.close()


def test_a_wider_policy_asks_again(chromium: Any, servers: dict[str, Live]) -> None:
    live = servers["jasminai"]
    context, page = open_page(chromium, live, "en")
    page.locator(".pk-banner").get_by_role("button", name="Accept all").click()
    page.locator(".pk-reopen").wait_for(state="visible")
    original = live.app.state.consent
    policy = original.catalog.policy
    purposes = [
        p.model_copy(update={"categories": [*p.categories, "user.location.precise"]})
        if p.id == "personalization"
        else p
        for p in policy.purposes
    ]
    wider = policy.model_copy(update={"purposes": purposes, "version": "2026-12-01"})
    key = live.app.state.workflow.secrets.keyed_hash("consent", "cookie-key").encode()
    live.app.state.consent = ConsentService(original.store, wider, key=key)
    try:
        page.reload()
        banner = page.locator(".pk-banner")
        banner.wait_for(state="visible")
        banner.get_by_role("button", name="Customize").click()
        assert banner.locator(".pk-reconsent").count() == 1
        assert "Please choose again." in banner.locator(".pk-reconsent").inner_text()
        box = banner.get_by_label("Personalising your home page (gravity_cookie)")
        assert not box.is_checked()
        assert banner.get_by_label("Analytics and improvement through cookies").is_checked()
    finally:
        live.app.state.consent = original
        context.close()


def test_the_banner_comes_first_in_keyboard_order(chromium: Any, servers: dict[str, Live]) -> None:
    live = servers["ainema"]
    context, page = open_page(chromium, live, "en")
    page.locator(".pk-banner").wait_for(state="visible")
    assert page.evaluate("document.body.firstElementChild.classList.contains('pk-banner')")
    page.keyboard.press("Tab")
    assert page.evaluate("!!document.activeElement.closest('.pk-banner')")
    context.close()
