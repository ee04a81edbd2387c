"""The site scan: the service's pages in a real Chromium, four times over.

Runs: no choice made (what happens before consent), everything rejected (after "Reject all"),
Global Privacy Control on (after "Accept all", which GPC must still override for the purposes
it covers), and everything accepted (so a declared tracker that only runs with consent is
seen). Each run records the cookies (name, domain, lifetime, first or third party), the keys in
localStorage and sessionStorage, and every request to another host with what it carries: query
keys, cookie names and body keys, never their values.
"""

from __future__ import annotations

import base64
import contextlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urljoin, urlsplit

from policykeeper.errors import InputError

RUNS = ("no_choice", "rejected", "gpc", "accepted")
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)
GPC_ON = "Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', {get: () => true});"
CONSENT_COOKIE = "pk_consent"
BANNER_BUTTONS = {"rejected": ".pk-banner .pk-reject", "accepted": ".pk-banner .pk-accept"}
BANNER_BUTTONS["gpc"] = BANNER_BUTTONS["accepted"]


@dataclass
class SeenCookie:
    name: str
    domain: str
    first_party: bool
    lifetime_days: float | None
    """None for a session cookie."""

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "domain": self.domain,
            "first_party": self.first_party,
            "lifetime_days": self.lifetime_days,
        }


@dataclass
class SeenRequest:
    host: str
    path: str
    query_keys: list[str]
    cookie_names: list[str]
    body_keys: list[str]

    def to_json(self) -> dict[str, Any]:
        return {
            "host": self.host,
            "path": self.path,
            "query_keys": self.query_keys,
            "cookie_names": self.cookie_names,
            "body_keys": self.body_keys,
        }


@dataclass
class Run:
    name: str
    cookies: dict[str, SeenCookie] = field(default_factory=dict)
    local_storage: set[str] = field(default_factory=set)
    session_storage: set[str] = field(default_factory=set)
    requests: list[SeenRequest] = field(default_factory=list)
    choice_made: bool | None = None
    """For runs that click the banner: whether its button was found and clicked."""
    device: str | None = None
    """The consent ledger's subject for this browser (from the consent cookie), if any."""

    def hosts(self) -> set[str]:
        return {r.host for r in self.requests}

    def to_json(self) -> dict[str, Any]:
        return {
            "cookies": [c.to_json() for c in sorted(self.cookies.values(), key=lambda c: c.name)],
            "local_storage": sorted(self.local_storage),
            "session_storage": sorted(self.session_storage),
            "requests": [r.to_json() for r in self.requests],
            "choice_made": self.choice_made,
        }


@dataclass
class SiteScan:
    url: str
    pages: list[str]
    runs: dict[str, Run]
    gpc_json: dict[str, Any] | None
    """The body of /.well-known/gpc.json, or None when it is not served."""

    @property
    def host(self) -> str:
        return urlsplit(self.url).hostname or ""

    def to_json(self) -> dict[str, Any]:
        return {
            "url": self.url,
            "pages": self.pages,
            "gpc_json": self.gpc_json,
            "runs": {name: run.to_json() for name, run in self.runs.items()},
        }


def scan_site(
    url: str,
    pages: list[str] | None = None,
    *,
    chromium: Path = CHROMIUM,
    args: tuple[str, ...] = CHROMIUM_ARGS,
    settle_ms: int = 500,
    timeout_ms: int = 15000,
    progress: Callable[[str], None] | None = None,
) -> SiteScan:
    """Visit every page in each run, in a fresh browser context per run."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InputError(f"--site {url!r}: expected an http(s) URL")
    if not chromium.exists():
        raise InputError(f"the site scan needs Chromium at {chromium} (apt-get install chromium)")
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    targets = [urljoin(url, page) for page in (pages or ["/"])]
    runs: dict[str, Run] = {}
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(chromium), args=list(args))
            try:
                for name in RUNS:
                    if progress is not None:
                        progress(name)
                    runs[name] = _run(browser, name, parts.hostname, targets, settle_ms, timeout_ms)
                gpc = _gpc_json(browser, url, timeout_ms)
            finally:
                browser.close()
    except PlaywrightError as exc:
        reason = str(exc).strip().splitlines()[0]
        raise InputError(f"site scan of {url}: {reason}") from None
    return SiteScan(url, [urlsplit(t).path or "/" for t in targets], runs, gpc)


def _run(
    browser: Any, name: str, host: str, targets: list[str], settle_ms: int, timeout_ms: int
) -> Run:
    gpc = name == "gpc"
    context = browser.new_context(
        extra_http_headers={"Sec-GPC": "1"} if gpc else {}, locale="en-US", bypass_csp=True
    )
    context.set_default_timeout(timeout_ms)
    if gpc:
        context.add_init_script(GPC_ON)
    run = Run(name)
    pending: list[Any] = []
    context.on("request", lambda request: pending.append(request))
    try:
        page = context.new_page()
        for index, target in enumerate(targets):
            page.goto(target, wait_until="load")
            _settle(page, settle_ms)
            if index == 0 and name in BANNER_BUTTONS:
                run.choice_made = _choose(page, BANNER_BUTTONS[name], settle_ms)
                if run.choice_made:
                    page.reload(wait_until="load")
                    _settle(page, settle_ms)
            local, session = page.evaluate(
                "() => [Object.keys(localStorage), Object.keys(sessionStorage)]"
            )
            run.local_storage.update(local)
            run.session_storage.update(session)
        for request in pending:
            seen = _request(request, host)
            if seen is not None:
                run.requests.append(seen)
        for cookie in context.cookies():
            run.cookies[cookie["name"]] = _cookie(cookie, host)
            if cookie["name"] == CONSENT_COOKIE:
                run.device = device_of(cookie["value"])
    finally:
        context.close()
    return run


def _timeout() -> type[Exception]:
    from playwright.sync_api import TimeoutError as Timeout

    return Timeout


def _settle(page: Any, settle_ms: int) -> None:
    """Let tags that fire after load finish: wait for the network to go quiet, then a little."""
    with contextlib.suppress(_timeout()):  # a page that never goes quiet is still scanned
        page.wait_for_load_state("networkidle", timeout=max(settle_ms * 10, 2000))
    page.wait_for_timeout(settle_ms)


def _choose(page: Any, selector: str, settle_ms: int) -> bool:
    button = page.locator(selector)
    try:
        button.first.wait_for(state="visible", timeout=max(settle_ms * 10, 3000))
    except _timeout():
        return False
    button.first.click()
    page.locator(".pk-banner").wait_for(state="detached")
    _settle(page, settle_ms)
    return True


def _request(request: Any, host: str) -> SeenRequest | None:
    parts = urlsplit(request.url)
    if parts.scheme not in ("http", "https") or parts.hostname in (None, host):
        return None
    headers = request.all_headers()
    cookies = [
        item.split("=", 1)[0].strip() for item in headers.get("cookie", "").split(";") if item
    ]
    return SeenRequest(
        host=str(parts.hostname),
        path=parts.path or "/",
        query_keys=sorted({key for key, _ in parse_qsl(parts.query, keep_blank_values=True)}),
        cookie_names=sorted(set(cookies)),
        body_keys=_body_keys(request.post_data),
    )


def _body_keys(body: str | None) -> list[str]:
    if not body:
        return []
    try:
        data = json.loads(body)
    except ValueError:
        return sorted({key for key, _ in parse_qsl(body, keep_blank_values=True)})
    return sorted(data) if isinstance(data, dict) else []


def _cookie(cookie: dict[str, Any], host: str) -> SeenCookie:
    domain = str(cookie.get("domain", "")).lstrip(".")
    expires = float(cookie.get("expires", -1))
    lifetime = None
    if expires > 0:
        lifetime = round((expires - time.time()) / 86400, 1)
    first = domain == host or host.endswith("." + domain)
    return SeenCookie(cookie["name"], domain, first, lifetime)


def device_of(value: str) -> str | None:
    """The device id inside PolicyKeeper's consent cookie (its payload is readable base64url)."""
    payload = value.strip('"').rsplit(".", 1)[0]
    try:
        body = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except ValueError:
        return None
    device = body.get("d") if isinstance(body, dict) else None
    return str(device) if isinstance(device, str) and device.startswith("device:") else None


def _gpc_json(browser: Any, url: str, timeout_ms: int) -> dict[str, Any] | None:
    context = browser.new_context()
    try:
        response = context.request.get(urljoin(url, "/.well-known/gpc.json"), timeout=timeout_ms)
        if not response.ok:
            return None
        body = response.json()
        return body if isinstance(body, dict) else None
    except Exception:
        return None
    finally:
        context.close()
