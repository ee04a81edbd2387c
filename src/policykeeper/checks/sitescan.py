"""The site scan: the service's pages in a real Chromium, four times over.

Runs: no choice made (what happens before consent), everything rejected (after "Reject all"),
Global Privacy Control on (after "Accept all", which GPC must still override for the purposes
it covers), and everything accepted (so a declared tracker that only runs with consent is
seen). Each run records the cookies (name, domain, lifetime, first or third party), the keys in
localStorage and sessionStorage, and every request to another host with what it carries: query
keys, cookie names and body keys, never their values.

A hostile or broken page cannot stop the scan: every browser call has a deadline, a page that
never finishes loading is scanned as far as it got, and a page that fails, hangs or leaves the
site is recorded as a problem of that page while the other pages are still scanned. What is
recorded per run is bounded (distinct requests, storage keys), however much a page produces.
"""

from __future__ import annotations

import base64
import contextlib
import json
import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urljoin, urlsplit

from policykeeper.errors import InputError

logger = logging.getLogger(__name__)
RUNS = ("no_choice", "rejected", "gpc", "accepted")
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = (
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)
CONTAINER_MARKERS = (Path("/.dockerenv"), Path("/run/.containerenv"))


def sandbox_off_reason(euid: int, in_container: bool) -> str | None:
    """Why Chromium must run without its sandbox here, or None (the sandbox stays on).

    The scan opens third-party pages, so the browser keeps its sandbox. Chromium refuses to
    sandbox itself as root; only there, and only inside a container (which is then the
    isolation), is it turned off. As root outside a container the launch fails, asking for
    an unprivileged user, rather than run hostile pages unsandboxed on the host."""
    if euid == 0 and in_container:
        return "running as root in a container: Chromium cannot sandbox itself as root"
    return None


def _sandbox_off_reason() -> str | None:
    return sandbox_off_reason(os.geteuid(), any(p.exists() for p in CONTAINER_MARKERS))


GPC_ON = "Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', {get: () => true});"
CONSENT_COOKIE = "pk_consent"
BANNER_BUTTONS = {"rejected": ".pk-banner .pk-reject", "accepted": ".pk-banner .pk-accept"}
BANNER_BUTTONS["gpc"] = BANNER_BUTTONS["accepted"]
MAX_RECORDED = 500
"""Per run: distinct requests to other hosts, and keys of each storage, kept in the report."""
STORAGE_KEYS = f"""() => {{
  const keys = (store) => {{ const all = Object.keys(store); return [all.slice(0, {MAX_RECORDED}), all.length]; }};
  return [keys(localStorage), keys(sessionStorage)];
}}"""


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


@dataclass(frozen=True)
class PageProblem:
    """Why one page was not scanned whole: `failed` (it did not open), `http_error` (it answered
    with an error status, so its error page was scanned), `slow` (it did not finish
    loading in time; what had loaded was scanned), `unresponsive` (its scripts did not answer,
    so its storage keys are unknown), `left_site` (it went to another host), `truncated` (more
    requests or storage keys than are recorded)."""

    page: str
    problem: str
    detail: str = ""

    def to_json(self) -> dict[str, str]:
        return {"page": self.page, "problem": self.problem, "detail": self.detail}


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
    problems: list[PageProblem] = field(default_factory=list)
    """Pages that could not be scanned whole in this run, and why."""

    def to_json(self) -> dict[str, Any]:
        return {
            "cookies": [c.to_json() for c in sorted(self.cookies.values(), key=lambda c: c.name)],
            "local_storage": sorted(self.local_storage),
            "session_storage": sorted(self.session_storage),
            "requests": [r.to_json() for r in self.requests],
            "choice_made": self.choice_made,
            "problems": [p.to_json() for p in self.problems],
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
    """Visit every page in each run, in a fresh browser context per run. Unusable input (no
    page of the site could be opened in any run) is an InputError."""
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
            unsandboxed = _sandbox_off_reason()
            if unsandboxed is not None:
                logger.warning("site scan: Chromium without its sandbox (%s)", unsandboxed)
            browser = playwright.chromium.launch(
                executable_path=str(chromium),
                args=list(args),
                chromium_sandbox=unsandboxed is None,
            )
            try:
                for name in RUNS:
                    if progress is not None:
                        progress(name)
                    runs[name] = _run(browser, name, parts.hostname, targets, settle_ms, timeout_ms)
                gpc = _gpc_json(browser, url, timeout_ms)
            finally:
                browser.close()
    except PlaywrightError as exc:
        raise InputError(f"site scan of {url}: {_reason(exc)}") from None
    failed = [p for run in runs.values() for p in run.problems if p.problem == "failed"]
    if len(failed) == len(targets) * len(runs):
        raise InputError(f"site scan of {url}: {failed[0].detail}")
    return SiteScan(url, [_path(t) for t in targets], runs, gpc)


def _path(url: str) -> str:
    return urlsplit(url).path or "/"


def _reason(exc: Exception) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__


def _run(
    browser: Any, name: str, host: str, targets: list[str], settle_ms: int, timeout_ms: int
) -> Run:
    gpc = name == "gpc"
    context = browser.new_context(
        extra_http_headers={"Sec-GPC": "1"} if gpc else {}, locale="en-US", bypass_csp=True
    )
    context.set_default_timeout(timeout_ms)
    context.set_default_navigation_timeout(timeout_ms)
    if gpc:
        context.add_init_script(GPC_ON)
    run = Run(name)
    pending: list[Any] = []
    context.on("request", lambda request: pending.append(request))
    try:
        for target in targets:
            # A tab per page: a page that hangs its tab cannot take the next pages with it.
            page = context.new_page()
            try:
                if not _visit(page, run, target, host, settle_ms, timeout_ms):
                    continue
                if run.choice_made is None and name in BANNER_BUTTONS:
                    run.choice_made = _choose(page, BANNER_BUTTONS[name], settle_ms, timeout_ms)
                    if run.choice_made:
                        _visit(page, run, target, host, settle_ms, timeout_ms)
                _read_storage(page, run, target, timeout_ms)
            finally:
                _close(page)
        _record_requests(run, pending, host)
        for cookie in context.cookies():
            run.cookies[cookie["name"]] = _cookie(cookie, host)
            if cookie["name"] == CONSENT_COOKIE:
                run.device = device_of(cookie["value"])
    finally:
        context.close()
    return run


def _close(page: Any) -> None:
    from playwright.sync_api import Error as PlaywrightError

    with contextlib.suppress(PlaywrightError):
        page.close(run_before_unload=False)


def _visit(page: Any, run: Run, target: str, host: str, settle_ms: int, timeout_ms: int) -> bool:
    """Open the page and let it load; False when it did not open at all. A page still loading
    at the deadline is scanned as far as it got."""
    from playwright.sync_api import Error as PlaywrightError

    path = _path(target)
    try:
        response = page.goto(target, wait_until="commit")
    except PlaywrightError as exc:
        run.problems.append(PageProblem(path, "failed", _reason(exc)))
        return False
    if response is not None and response.status >= 400:
        run.problems.append(PageProblem(path, "http_error", f"HTTP {response.status}"))
    try:
        page.wait_for_load_state("load", timeout=timeout_ms)
    except _timeout():
        run.problems.append(PageProblem(path, "slow", f"{timeout_ms / 1000:g} s"))
    _settle(page, settle_ms)
    landed = urlsplit(page.url)
    if landed.scheme in ("http", "https") and landed.hostname != host:
        run.problems.append(PageProblem(path, "left_site", page.url))
    return True


def _read_storage(page: Any, run: Run, target: str, timeout_ms: int) -> None:
    """The page's storage keys, with a deadline: a page whose scripts never yield (an endless
    loop) cannot hold the scan, as a plain evaluate would."""
    from playwright.sync_api import Error as PlaywrightError

    try:
        handle = page.wait_for_function(STORAGE_KEYS, timeout=timeout_ms)
        (local, local_count), (session, session_count) = handle.json_value()
    except PlaywrightError as exc:
        run.problems.append(PageProblem(_path(target), "unresponsive", _reason(exc)))
        return
    for kept, keys in ((run.local_storage, local), (run.session_storage, session)):
        kept.update(keys[: max(MAX_RECORDED - len(kept), 0)])
    if max(local_count, session_count) > MAX_RECORDED:
        detail = f"localStorage {local_count}, sessionStorage {session_count}"
        run.problems.append(PageProblem(_path(target), "truncated", detail))


def _record_requests(run: Run, pending: list[Any], host: str) -> None:
    """Requests to other hosts, once per distinct (host, path, keys), at most MAX_RECORDED."""
    seen: set[tuple[str, ...]] = set()
    dropped = 0
    for request in pending:
        recorded = _request(request, host, seen)
        if recorded is None:
            continue
        if len(run.requests) >= MAX_RECORDED:
            dropped += 1
            continue
        run.requests.append(recorded)
    if dropped:
        run.problems.append(PageProblem("*", "truncated", f"{dropped} more requests"))


def _timeout() -> type[Exception]:
    from playwright.sync_api import TimeoutError as Timeout

    return Timeout


def _settle(page: Any, settle_ms: int) -> None:
    """Let tags that fire after load finish: wait for the network to go quiet, then a little."""
    with contextlib.suppress(_timeout()):  # a page that never goes quiet is still scanned
        page.wait_for_load_state("networkidle", timeout=max(settle_ms * 10, 2000))
    page.wait_for_timeout(settle_ms)


def _choose(page: Any, selector: str, settle_ms: int, timeout_ms: int) -> bool:
    """Click the banner's button; False when there is no banner to click or it does not go."""
    from playwright.sync_api import Error as PlaywrightError

    button = page.locator(selector)
    try:
        button.first.wait_for(state="visible", timeout=max(settle_ms * 10, 3000))
        button.first.click(timeout=timeout_ms)
        page.locator(".pk-banner").wait_for(state="detached", timeout=timeout_ms)
    except PlaywrightError:
        return False
    _settle(page, settle_ms)
    return True


def _request(request: Any, host: str, seen: set[tuple[str, ...]]) -> SeenRequest | None:
    """What a request to another host carries; None for the site's own requests and for one
    already recorded in `seen` (same host, path, query keys and body keys)."""
    from playwright.sync_api import Error as PlaywrightError

    parts = urlsplit(request.url)
    if parts.scheme not in ("http", "https") or parts.hostname in (None, host):
        return None
    query_keys = sorted({key for key, _ in parse_qsl(parts.query, keep_blank_values=True)})
    body_keys = _body_keys(request.post_data_buffer)
    key = (str(parts.hostname), parts.path or "/", *query_keys, "", *body_keys)
    if key in seen:
        return None
    seen.add(key)
    try:
        headers = request.all_headers()
    except PlaywrightError:  # the page was gone before its headers were read
        headers = {}
    cookies = [
        item.split("=", 1)[0].strip() for item in headers.get("cookie", "").split(";") if item
    ]
    return SeenRequest(
        host=str(parts.hostname),
        path=parts.path or "/",
        query_keys=query_keys,
        cookie_names=sorted(set(cookies)),
        body_keys=body_keys,
    )


def _body_keys(body: bytes | None) -> list[str]:
    """Keys of a JSON object or form body; none for anything else (binary, text, too large)."""
    if not body or len(body) > 1_000_000:
        return []
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return []
    try:
        data = json.loads(text)
    except ValueError:
        return sorted({key for key, _ in parse_qsl(text, keep_blank_values=True)})
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
