"""ASGI middleware that attaches the person's consent state to every request.

The service reads `request.state.consent` (Starlette/FastAPI) or `scope["state"]["consent"]`
and asks `.allowed("analytics")`. The subject is the service's own user id when `subject_of`
finds one, else the device in the signed consent cookie; a GPC (or declared DNT) header on the
request counts as an opt-out at once.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from http.cookies import CookieError, SimpleCookie
from typing import Any

from policykeeper.consent.catalog import STORAGE
from policykeeper.consent.cookie import COOKIE_NAME, ForgedCookie
from policykeeper.consent.service import ConsentService
from policykeeper.workflow.errors import Invalid

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]
SubjectOf = Callable[[Scope], str | None]


@dataclass(frozen=True)
class RequestConsent:
    """One request's view of consent: who, which signal, and the runtime check."""

    service: ConsentService
    subject: str | None
    signal: str | None
    cookie_error: str | None = None

    def allowed(self, purpose: str) -> bool:
        """Without a subject nobody has consented yet: the declaration's defaults apply."""
        if self.subject is None:
            catalog = self.service.catalog
            if purpose not in catalog.purposes and purpose != STORAGE:
                raise Invalid(f"unknown purpose {purpose!r}")
            item = catalog.items.get(purpose)
            if item is None:
                return True
            return item.default and not (self.signal and item.opt_out_use)
        return self.service.allowed(self.subject, purpose, signal=bool(self.signal))


class ConsentMiddleware:
    def __init__(
        self, app: ASGIApp, service: ConsentService, subject_of: SubjectOf | None = None
    ) -> None:
        self.app = app
        self.service = service
        self.subject_of = subject_of

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            scope.setdefault("state", {})["consent"] = self.consent_for(scope)
        await self.app(scope, receive, send)

    def consent_for(self, scope: Scope) -> RequestConsent:
        headers = {
            key.decode("latin-1").lower(): value.decode("latin-1")
            for key, value in scope.get("headers", [])
        }
        signal = self.service.rules.from_headers(headers)
        subject = self.subject_of(scope) if self.subject_of else None
        if subject is not None:
            return RequestConsent(self.service, subject, signal)
        value = _cookie(headers.get("cookie", ""))
        try:
            cookie = self.service.read_cookie(value)
        except ForgedCookie as exc:
            return RequestConsent(self.service, None, signal, str(exc))
        return RequestConsent(self.service, cookie.device if cookie else None, signal)


def _cookie(header: str) -> str | None:
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(header)
    except CookieError:
        return None
    morsel = jar.get(COOKIE_NAME)
    return morsel.value if morsel else None
