"""What every page needs to be safe: security headers, CSRF tokens, bounded form bodies,
cookie settings and a login rate limit kept in the store (so it holds across processes).
"""

from __future__ import annotations

import hmac
import secrets
from typing import Any

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response
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
_PRIVATE_PREFIXES = ("/status", "/verify", "/download", "/admin", "/outbox")
_DOCS_PREFIXES = ("/docs", "/redoc")


class SecurityHeaders:
    """Headers on every response; private pages are also kept out of caches."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        extra = list(_HEADERS)
        if not path.startswith(_DOCS_PREFIXES):
            extra.append((b"content-security-policy", _CSP.encode()))
        if path.startswith(_PRIVATE_PREFIXES):
            extra.append((b"cache-control", b"no-store"))
        if scope.get("scheme") == "https":
            extra.append((b"strict-transport-security", b"max-age=63072000; includeSubDomains"))

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                message["headers"] = list(message.get("headers", [])) + [
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
    """Secure cookies whenever the page was reached over https (uvicorn --proxy-headers)."""
    return request.url.scheme == "https"


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
    """A redirect target on this site only: a path, never '//host' or a full URL."""
    if isinstance(value, str) and value.startswith("/") and not value.startswith(("//", "/\\")):
        return value
    return default
