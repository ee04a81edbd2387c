"""What every page needs to be safe: security headers, CSRF tokens, bounded form bodies,
cookie settings and a login rate limit kept in the store (so it holds across processes).
"""

from __future__ import annotations

import hmac
import secrets
from typing import Any

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from policykeeper.workflow.tokens import Secrets

CSRF_COOKIE = "pk_csrf"
CSRF_FIELD = "csrf"
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
FORM_MAX_BYTES = 64 * 1024

_CSP = (
    "default-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)
_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    # Status and download links are secrets; they must never leak to another site.
    (b"referrer-policy", b"no-referrer"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), interest-cohort=()"),
    (b"cross-origin-opener-policy", b"same-origin"),
]
PUBLIC_PATHS = frozenset({"/", "/policy", "/openapi.json", "/docs", "/.well-known/gpc.json"})
PUBLIC_PREFIXES = ("/static/", "/docs/assets/", "/consent/banner.")
"""What may be cached: the published policy and static assets. Every other
response (the API, status and confirmation pages, downloads, the console, consent answers
and preferences) may carry personal data, so it is marked no-store, whatever it set."""
_NO_STORE = (b"cache-control", b"no-store")


def cacheable(method: str, path: str) -> bool:
    return method in ("GET", "HEAD") and (path in PUBLIC_PATHS or path.startswith(PUBLIC_PREFIXES))


class SecurityHeaders:
    """Headers on every response (the CSP included, also on the API docs page); anything
    that is not public is kept out of caches."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        extra = [*_HEADERS, (b"content-security-policy", _CSP.encode())]
        private = not cacheable(scope["method"], path)
        if scope.get("scheme") == "https":
            extra.append((b"strict-transport-security", b"max-age=63072000; includeSubDomains"))

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                if private:
                    headers = [(n, v) for n, v in headers if n.lower() != b"cache-control"]
                    headers.append(_NO_STORE)
                present = {name.lower() for name, _ in headers}
                message["headers"] = headers + [
                    (name, value) for name, value in extra if name not in present
                ]
            await send(message)

        await self.app(scope, receive, send_with_headers)


class FormRejected(Exception):
    """A form that cannot be read: too large, no length, the wrong type, or a CSRF failure."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


def secure_cookies(request: Request) -> bool:
    """Secure cookies whenever the page was reached over https, or the site's public address
    is https: behind a TLS proxy that is not trusted for forwarded headers the request itself
    looks like plain http, and the cookies must still never travel in clear."""
    if request.url.scheme == "https":
        return True
    flow = getattr(request.app.state, "workflow", None)
    base = getattr(getattr(flow, "settings", None), "base_url", "")
    return isinstance(base, str) and base.startswith("https://")


def csrf_seed(request: Request) -> str:
    """The browser's CSRF cookie value, or a new one the page response will set."""
    seed = request.cookies.get(CSRF_COOKIE) or getattr(request.state, "csrf_seed", None)
    if not seed:
        seed = secrets.token_urlsafe(24)
        request.state.csrf_seed = seed
    return str(seed)


def csrf_token(request: Request, keys: Secrets) -> str:
    """The form field that must accompany the cookie: a keyed hash of it (signed double submit)."""
    return keys.keyed_hash("csrf", csrf_seed(request))


def set_csrf_cookie(request: Request, response: Response) -> None:
    seed = getattr(request.state, "csrf_seed", None)
    if seed and not request.cookies.get(CSRF_COOKIE):
        response.set_cookie(
            CSRF_COOKIE, seed, httponly=True, samesite="lax", secure=secure_cookies(request)
        )


async def read_form(request: Request, keys: Secrets, max_bytes: int = FORM_MAX_BYTES) -> FormData:
    """The posted form, after checking its type, its declared size and its CSRF token."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type not in FORM_TYPES:
        raise FormRejected(415, "unsupported")
    length = request.headers.get("content-length")
    if length is None or not length.isdigit():
        raise FormRejected(411, "length_required")
    if int(length) > max_bytes:
        raise FormRejected(413, "too_large")
    try:
        form = await request.form(max_files=1, max_fields=40)
    except Exception as exc:
        raise FormRejected(400, "invalid") from exc
    seed = request.cookies.get(CSRF_COOKIE, "")
    sent = form.get(CSRF_FIELD)
    if not seed or not isinstance(sent, str):
        raise FormRejected(403, "csrf")
    if not hmac.compare_digest(sent, keys.keyed_hash("csrf", seed)):
        raise FormRejected(403, "csrf")
    return form


def text_field(form: FormData, name: str, limit: int = 2000) -> str:
    value = form.get(name)
    return value.strip()[:limit] if isinstance(value, str) else ""


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def safe_next(value: Any, default: str) -> str:
    """A redirect target on this site only: a path, never '//host', a full URL, or a path
    that a browser would turn into one (backslashes, tabs and line breaks it drops)."""
    if not isinstance(value, str) or not value.startswith("/") or value.startswith("//"):
        return default
    if "\\" in value or any(ord(c) < 0x20 or ord(c) == 0x7F for c in value):
        return default
    return value


class BodyLimit:
    """Bounds what the JSON API reads: a declared length over the limit is refused before the
    body is read, and a body sent without one is read only up to the limit. Uploads get the
    upload limit; the pages bound their forms themselves (`read_form`)."""

    def __init__(self, app: ASGIApp, *, limit: int, upload_limit: int) -> None:
        self.app = app
        self.limit = limit
        self.upload_limit = upload_limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or not path.startswith("/api/"):
            await self.app(scope, receive, send)
            return
        limit = self.upload_limit if path.endswith("/documents") else self.limit
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None:
            if not declared.isdigit() or int(declared) > limit:
                await _too_large(limit, scope, receive, send)
                return
            await self.app(scope, receive, send)
            return
        chunks, size, more = [], 0, True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunks.append(message.get("body", b""))
            size += len(chunks[-1])
            more = message.get("more_body", False)
            if size > limit:
                await _too_large(limit, scope, receive, send)
                return
        body = b"".join(chunks)
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if sent:
                return await receive()
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)


async def _too_large(limit: int, scope: Scope, receive: Receive, send: Send) -> None:
    message = f"the request body is over the limit of {limit // 1024} KiB"
    response = JSONResponse({"error": "too_large", "message": message}, status_code=413)
    await response(scope, receive, send)
