"""What the pages for the duties around the policy share: their own phrases and the page wrapper
that adds them as `d`, with dates in the service's time zone.

The history, versions, incidents and provision-record pages keep their wording in
`messages/duties/<lang>.yaml`, apart from the center's and console's catalogues.
"""

from __future__ import annotations

from datetime import datetime
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse

from policykeeper.web.i18n import Messages, load_messages
from policykeeper.web.views import language, page, texts, workflow_of, zone_of
from policykeeper.workflow.errors import Invalid


@cache
def duty_messages(lang: str, we: str) -> Messages:
    return load_messages(lang, we, "duties")


def duty_page(
    request: Request,
    template: str,
    context: dict[str, Any],
    *,
    status: int = 200,
    lang: str | None = None,
) -> HTMLResponse:
    chosen = lang or language(request)
    flow = workflow_of(request)
    t = texts(request, chosen)
    zone = zone_of(flow)
    extra = {
        "d": texts(request, chosen, of=duty_messages),
        "when": lambda moment: t.when(moment, zone),
        "day": lambda moment: t.day(moment, zone),
    }
    return page(request, template, {**extra, **context}, status=status, lang=chosen)


def done(path: str) -> RedirectResponse:
    return RedirectResponse(f"{path}?done=1", status_code=303)


def local_moment(text: str, zone: str, field: str) -> datetime:
    """A datetime-local form value (no zone) read in the service's time zone."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise Invalid(f"{field}: expected a date and time") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(zone))
    return moment
