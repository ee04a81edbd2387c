"""The published policy on the privacy center: the version in force, the notice of the next
one, and the history page with what changed between any two versions.

Before any version is published, the center shows policy.yaml as the server loaded it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from policykeeper.lifecycle.diff import Change, describe, diff
from policykeeper.lifecycle.versions import (
    declared,
    in_force,
    list_versions,
    upcoming,
    version_text,
)
from policykeeper.policy.models import Policy
from policykeeper.policy.types import Lang
from policykeeper.render.catalog import catalog
from policykeeper.store.lifecycle_models import PolicyVersion
from policykeeper.web.duty_text import duty_messages, duty_page
from policykeeper.web.views import language, workflow_of
from policykeeper.workflow.errors import Conflict, NotFound
from policykeeper.workflow.service import Workflow

router = APIRouter(include_in_schema=False)
log = logging.getLogger(__name__)
SHOWN_CHANGES = 5


@dataclass(frozen=True)
class Shown:
    """The declaration in force now, the versions announced, and a key for cached pages.

    `policy` is None when the version in force no longer reads as a declaration of this
    PolicyKeeper (its model changed since): then `frozen` is its number, and its text is served
    exactly as it was published."""

    policy: Policy | None
    frozen: int | None
    label: str
    effective: date | None
    coming: list[PolicyVersion]
    published: bool
    key: tuple[int, ...]


def shown(flow: Workflow) -> Shown:
    """The published version in force (policy.yaml as loaded, before any is published)."""
    now = flow.clock()
    current = in_force(flow.store, now)
    coming = upcoming(flow.store, now)
    key = (current.number if current else 0, *(v.number for v in coming))
    published = current is not None or bool(coming)
    if current is None:
        policy = flow.policy
        return Shown(policy, None, policy.version, policy.effective_date, coming, published, key)
    try:
        policy = declared(current)
    except Conflict as exc:
        log.warning("serving version %s as published: %s", current.number, exc)
        return Shown(
            None, current.number, current.label, current.effective_date, coming, published, key
        )
    return Shown(policy, None, current.label, current.effective_date, coming, published, key)


def frozen_page(flow: Workflow, view: Shown, lang: str) -> Response:
    """The version in force as its standalone published document."""
    assert view.frozen is not None
    return HTMLResponse(version_text(flow.store, view.frozen, lang, "html"))


def center_context(view: Shown, lang: str, we: str) -> dict[str, Any]:
    """The notice of the next version, and whether there is a history to link to; `we` is the
    served declaration's self_reference."""
    notice = None
    if view.coming:
        version = view.coming[0]
        changes = [Change.from_json(c) for c in version.changes]
        jurisdictions = version.declaration.get("jurisdictions") or []
        notice = {
            "date": catalog(Lang(lang)).date(version.effective_date),
            "number": version.number,
            "changes": [
                {"text": describe(c, lang, jurisdictions), "material": c.material}
                for c in changes[:SHOWN_CHANGES]
            ],
            "more": len(changes) > SHOWN_CHANGES,
        }
    return {"change_notice": notice, "has_history": view.published, "dt": duty_messages(lang, we)}


@router.get("/policy/history")
async def history(request: Request) -> Response:
    flow = workflow_of(request)
    lang = language(request)
    older, newer = _pair(request)
    context = await run_in_threadpool(_history, flow, lang, older, newer)
    return duty_page(request, "duties/history.html", context, lang=lang)


def _pair(request: Request) -> tuple[int | None, int | None]:
    def number(name: str) -> int | None:
        value = request.query_params.get(name, "")
        if not value:
            return None
        if not value.isdigit() or len(value) > 6:
            raise NotFound("no such version")
        return int(value)

    return number("from"), number("to")


def _history(flow: Workflow, lang: str, older: int | None, newer: int | None) -> dict[str, Any]:
    now = flow.clock()
    versions = [v for v in list_versions(flow.store) if v.published_at <= now]
    numbers = {v.number: v for v in versions}
    current = in_force(flow.store, now)
    entries = []
    for version in reversed(versions):
        if newer is not None and version.number != newer:
            continue
        base = older if older is not None and newer is not None else version.previous
        if base is not None and base not in numbers:
            raise NotFound("no such version")
        if newer is not None and version.number not in numbers:
            raise NotFound("no such version")
        entries.append(entry(version, numbers.get(base) if base else None, current, lang))
    if newer is not None and not entries:
        raise NotFound("no such version")
    return {"entries": entries, "compare": older is not None and newer is not None}


def entry(
    version: PolicyVersion,
    base: PolicyVersion | None,
    current: PolicyVersion | None,
    lang: str,
) -> dict[str, Any]:
    if base is None:
        changes: list[Change] = []
    elif base.number == version.previous:
        changes = [Change.from_json(c) for c in version.changes]
    else:
        first, second = sorted((base, version), key=lambda v: v.number)
        changes = diff(first.declaration, second.declaration)
    jurisdictions = version.declaration.get("jurisdictions") or []
    if current is not None and version.number == current.number:
        status = "in_force"
    elif current is None or version.number > current.number:
        status = "scheduled"
    else:
        status = "superseded"
    return {
        "number": version.number,
        "label": version.label,
        "effective": catalog(Lang(lang)).date(version.effective_date),
        "status": status,
        "base": base.number if base else None,
        "changes": [
            {"text": describe(c, lang, jurisdictions), "material": c.material} for c in changes
        ],
        "material": any(c.material for c in changes),
    }
