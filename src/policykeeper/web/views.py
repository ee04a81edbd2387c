"""Rendering pages: one Jinja2 environment for the center, the console and pages that extend
`base.html` (e.g. consent preferences), with the language, phrases and CSRF token filled in.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, PackageLoader, StrictUndefined

from policykeeper.policy.models import Policy
from policykeeper.web.i18n import LANG_COOKIE, LANGUAGES, messages, negotiate
from policykeeper.web.security import csrf_token, secure_cookies, set_csrf_cookie
from policykeeper.workflow.service import Workflow

TEMPLATES = Path(__file__).resolve().parent / "templates"


@cache
def environment() -> Environment:
    """Our templates first; the policy renderer's templates provide the policy's macros."""
    return Environment(
        loader=ChoiceLoader(
            [FileSystemLoader(TEMPLATES), PackageLoader("policykeeper.render", "templates")]
        ),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def workflow_of(request: Request) -> Workflow:
    return request.app.state.workflow  # type: ignore[no-any-return]


def language(request: Request) -> str:
    policy = workflow_of(request).policy
    return negotiate(request, policy.languages.authoritative.value)


def zone_of(workflow: Workflow, jurisdiction: str | None = None) -> str:
    calendars = workflow.settings.calendars
    chosen = next((j for j in workflow.policy.jurisdictions if j.value == jurisdiction), None)
    return calendars[chosen or workflow.policy.jurisdictions[0]].timezone


def switch_url(request: Request, lang: str) -> str:
    query = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"]
    return f"{request.url.path}?{urlencode([*query, ('lang', lang)])}"


def contact_text(policy: Policy, lang: str) -> str:
    contact = policy.contact(policy.complaints.contact) or policy.contacts[0]
    return contact.value if isinstance(contact.value, str) and contact.value != "on_request" else ""


def page(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    status: int = 200,
    lang: str | None = None,
) -> HTMLResponse:
    """A full page in the reader's language; remembers an explicit `?lang=` choice."""
    workflow = workflow_of(request)
    policy = workflow.policy
    chosen = lang or language(request)
    others = [code for code in LANGUAGES if code != chosen]
    values: dict[str, Any] = {
        "request": request,
        "lang": chosen,
        "t": messages(chosen),
        "switches": [
            (code, messages(code)("lang_name"), switch_url(request, code)) for code in others
        ],
        "service": policy.service.name.get(chosen),
        "contact": contact_text(policy, chosen),
        "zone": zone_of(workflow),
        "csrf": lambda: csrf_token(request, workflow.secrets),
        "member": getattr(request.state, "member", None),
        "outbox": hasattr(request.app.state, "outbox_dir"),
        "flash": None,
    }
    values.update(context or {})
    html = environment().get_template(template).render(values)
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
    t = messages(language(request))
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
