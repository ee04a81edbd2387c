"""Rendering pages: one Jinja2 environment for the center, the console and pages that extend
`base.html` (e.g. consent preferences), with the language, phrases and CSRF token filled in.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from functools import cache
from pathlib import Path
from threading import Lock
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, PackageLoader, StrictUndefined

from policykeeper.policy.models import Policy
from policykeeper.web.i18n import LANG_COOKIE, LANGUAGES, Messages, messages, negotiate
from policykeeper.web.security import csrf_token, secure_cookies, set_csrf_cookie
from policykeeper.workflow.service import Workflow

TEMPLATES = Path(__file__).resolve().parent / "templates"
CSRF_SLOT = "\x00csrf\x00"
"""Where a cached page's CSRF token goes; each reader gets their own on the way out."""


class PageCache:
    """Rendered public pages by key, for a short while: the declaration does not change while
    the process runs, and a request's page is keyed by its version and last audit entry."""

    def __init__(self, size: int = 1024, ttl: float = 30.0) -> None:
        self.size, self.ttl = size, ttl
        self._pages: OrderedDict[Hashable, tuple[float, str]] = OrderedDict()
        self._lock = Lock()

    def get(self, key: Hashable) -> str | None:
        with self._lock:
            found = self._pages.get(key)
            if found is None or found[0] < time.monotonic():
                return None
            self._pages.move_to_end(key)
            return found[1]

    def put(self, key: Hashable, html: str) -> None:
        with self._lock:
            self._pages[key] = (time.monotonic() + self.ttl, html)
            self._pages.move_to_end(key)
            while len(self._pages) > self.size:
                self._pages.popitem(last=False)


def page_cache(request: Request) -> PageCache:
    state = request.app.state
    if not hasattr(state, "page_cache"):
        state.page_cache = PageCache()
    return state.page_cache  # type: ignore[no-any-return]


@cache
def environment() -> Environment:
    """Our templates first; the policy renderer's templates provide the policy's macros (and
    their `langs` filter, which marks Japanese inside an English page)."""
    from policykeeper.render import mark_languages

    environment = Environment(
        loader=ChoiceLoader(
            [FileSystemLoader(TEMPLATES), PackageLoader("policykeeper.render", "templates")]
        ),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters["langs"] = mark_languages
    return environment


def workflow_of(request: Request) -> Workflow:
    return request.app.state.workflow  # type: ignore[no-any-return]


def language(request: Request) -> str:
    policy = workflow_of(request).policy
    return negotiate(request, policy.languages.authoritative.value)


def texts(
    request: Request, lang: str | None = None, of: Callable[[str, str], Messages] = messages
) -> Messages:
    """A catalogue (`of`: the center's, the console's …) in the reader's or the given language,
    naming the operator as the served declaration does."""
    return of(lang or language(request), workflow_of(request).policy.self_reference)


def zone_of(workflow: Workflow, jurisdiction: str | None = None) -> str:
    calendars = workflow.settings.calendars
    chosen = next((j for j in workflow.policy.jurisdictions if j.value == jurisdiction), None)
    return calendars[chosen or workflow.policy.jurisdictions[0]].timezone


def switch_url(request: Request, lang: str) -> str:
    """The same page in another language, as a query-only link: it cannot lead off the site
    whatever path the page was reached by (a path such as '//elsewhere.example/')."""
    query = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"]
    return f"?{urlencode([*query, ('lang', lang)])}"


def contact_text(policy: Policy, lang: str) -> str:
    """The complaints window's address, else the first contact's; empty when none is given."""
    named = policy.contact(policy.complaints.contact or "") if policy.complaints else None
    contact = named or next(iter(policy.contacts), None)
    return contact.value or "" if contact is not None else ""


def is_cached(request: Request, template: str, lang: str, cache_key: Hashable) -> bool:
    return page_cache(request).get((template, lang, cache_key)) is not None


def page(
    request: Request,
    template: str,
    context: dict[str, Any] | Callable[[], dict[str, Any]] | None = None,
    *,
    status: int = 200,
    lang: str | None = None,
    cache_key: Hashable | None = None,
) -> HTMLResponse:
    """A full page in the reader's language; remembers an explicit `?lang=` choice.

    With `cache_key` (public pages only), the rendered page is reused for that key and
    language, and `context` may be a function so a hit skips building it."""
    workflow = workflow_of(request)
    chosen = lang or language(request)
    key = (template, chosen, cache_key) if cache_key is not None else None
    html = page_cache(request).get(key) if key is not None else None
    if html is None:
        values = base_context(request, chosen, csrf_slot=key is not None)
        values.update((context() if callable(context) else context) or {})
        html = environment().get_template(template).render(values)
        if key is not None:
            page_cache(request).put(key, html)
    if key is not None and CSRF_SLOT in html:
        html = html.replace(CSRF_SLOT, csrf_token(request, workflow.secrets))
    response = HTMLResponse(html, status_code=status)
    if request.query_params.get("lang") in LANGUAGES:
        response.set_cookie(
            LANG_COOKIE,
            chosen,
            max_age=365 * 24 * 3600,
            samesite="lax",
            httponly=True,
            secure=secure_cookies(request),
        )
    set_csrf_cookie(request, response)
    return response


def base_context(request: Request, lang: str, *, csrf_slot: bool = False) -> dict[str, Any]:
    """What base.html needs: language, phrases, switch links, service, CSRF token, member."""
    workflow = workflow_of(request)
    policy = workflow.policy
    others = [code for code in LANGUAGES if code != lang]
    return {
        "request": request,
        "lang": lang,
        "t": texts(request, lang),
        "switches": [
            (code, texts(request, code)("lang_name"), switch_url(request, code)) for code in others
        ],
        "service": policy.service.name.get(lang),
        "contact": contact_text(policy, lang),
        "zone": zone_of(workflow),
        "csrf": (lambda: CSRF_SLOT)
        if csrf_slot
        else (lambda: csrf_token(request, workflow.secrets)),
        "member": getattr(request.state, "member", None),
        "outbox": hasattr(request.app.state, "outbox_dir"),
        "flash": None,
    }


def error_page(
    request: Request,
    status: int,
    kind: str,
    detail: str | None = None,
    *,
    home: str = "/",
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    """A friendly page in the reader's language with the right status, never a traceback."""
    t = texts(request)
    response = page(
        request,
        "error.html",
        {
            "title": t(f"error.{kind}_title"),
            "detail": t(f"error.{detail or kind}"),
            "code": status,
            "home": home,
        },
        status=status,
    )
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response
