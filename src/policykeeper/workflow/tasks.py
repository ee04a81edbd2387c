"""Places a request still waits for after execution, and how it settles.

Execution reaches what PolicyKeeper can reach. What is left becomes tasks: a recipient without
an API gets a task for staff with a ready-to-send message and a due date inside the request's
deadline; a processor that failed gets a retry task the worker tries again with backoff. The
request is `partially_complete` until every task is done or waived with a reason, then
`completed`. Every step is in the audit log.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from sqlalchemy.orm import Session, object_session

from policykeeper.policy.models import Jurisdiction, Provision
from policykeeper.policy.types import Duration
from policykeeper.policy.voice import as_declared
from policykeeper.store.models import Export
from policykeeper.store.models import Request as RequestRow
from policykeeper.store.queue import enqueue
from policykeeper.store.task_models import PlaceTask, TaskEvidence
from policykeeper.workflow.errors import Conflict, Invalid, NotFound
from policykeeper.workflow.states import State
from policykeeper.workflow.tokens import new_id

if TYPE_CHECKING:
    from policykeeper.workflow.service import Workflow

TEMPLATES = Path(__file__).resolve().parent / "templates"
RETRY_JOB = "retry_places"
FIRST_RETRY = timedelta(minutes=1)
LONGEST_RETRY = timedelta(hours=6)
EVIDENCE_MAX_BYTES = 10 * 1024 * 1024
ACTIONS = {"erasure": "erase", "rectification": "rectify", "restriction": "restrict"}
"""The place action each request kind's tasks are about (objection restricts too)."""

STATUS_WORDS = {
    "ja": {
        "deleted": "削除しました",
        "masked": "識別できない形に加工しました",
        "kept": "法令に基づき保存しています",
        "passed_to_recipient": "提供先に削除を依頼し、受け付けられました",
        "awaiting_recipient": "提供先からの回答をお待ちしています",
        "done": "提供先での対応を確認しました",
        "waived": "対応不要と判断しました",
        "nothing_found": "該当する情報はありませんでした",
        "corrected": "訂正しました",
        "restricted": "利用を停止しました",
        "retrying": "提供先への依頼を再試行しています",
    },
    "en": {
        "deleted": "deleted",
        "masked": "made unidentifiable",
        "kept": "kept where the law requires it",
        "passed_to_recipient": "passed on to the recipient, who accepted it",
        "awaiting_recipient": "awaiting the recipient's answer",
        "done": "the recipient's answer was checked",
        "waived": "no action was needed there",
        "nothing_found": "nothing was held there",
        "corrected": "corrected",
        "restricted": "use stopped",
        "retrying": "being passed on to the recipient again",
    },
}
KIND_NAMES = {
    "ja": {
        "sql": "当社のデータベース",
        "s3": "当社のファイル保存領域",
        "redis": "当社のセッション・キャッシュ",
        "files": "当社のファイル",
    },
    "en": {
        "sql": "Our database",
        "s3": "Our file storage",
        "redis": "Our sessions and caches",
        "files": "Our files",
    },
}
SHOWN = {"deleted", "masked", "kept", "passed_to_recipient", "awaiting_recipient", "corrected"}
SHOWN |= {"restricted"}


def pending(places: dict[str, Any]) -> bool:
    """Whether a places report leaves anything for later: a failure or a recipient to tell."""
    return any(p["status"] in ("failed", "awaiting_recipient") for p in places.get("places", []))


# --- after execution -----------------------------------------------------------------------


def wait_for_places(
    flow: Workflow, session: Session, row: RequestRow, places: dict[str, Any]
) -> None:
    """Open a task for each place left, then hold the request in partially_complete."""
    now = flow.clock()
    action = ACTIONS.get(row.kind, "restrict")
    opened = _sync(flow, session, row, places, action, now)
    flow._move(session, row, State.partially_complete, "worker")
    flow._audit(session, row, "worker", "places_pending", {"tasks": opened})
    _schedule_retry(flow, session, row, now)


def _sync(
    flow: Workflow,
    session: Session,
    row: RequestRow,
    places: dict[str, Any],
    action: str,
    now: datetime,
) -> list[str]:
    """Tasks for the places of a report: new ones opened, retried ones brought up to date."""
    existing = {t.place: t for t in tasks_of(session, row.id)}
    changes = {f"{c['table']}.{c['column']}": c["value"] for c in places.get("changes", [])}
    opened: list[str] = []
    for place in places.get("places", []):
        name, status = place["place"], place["status"]
        task = existing.get(name)
        if status == "awaiting_recipient" and task is None:
            handoff = place["handoff"]
            subject, body = message(flow, row, action, handoff, changes)
            language = handoff["language"]
            due = min(Duration.parse(handoff["due_within"]).after(now), row.due_at)
            session.add(
                PlaceTask(
                    id=new_id(),
                    request_id=row.id,
                    place=name,
                    recipient=handoff["recipient"],
                    kind="manual",
                    action=action,
                    state="open",
                    language=language,
                    contact=handoff["contact"],
                    subject=subject,
                    body=body,
                    due_at=due,
                    attempts=0,
                    created_at=now,
                )
            )
            opened.append(name)
        elif status == "failed":
            attempts = int(place.get("attempts", 1))
            wait = min(FIRST_RETRY * 2 ** max(attempts - 1, 0), LONGEST_RETRY)
            if task is None:
                task = PlaceTask(
                    id=new_id(),
                    request_id=row.id,
                    place=name,
                    recipient=place.get("recipient"),
                    kind="retry",
                    action=action,
                    state="open",
                    language=row.language,
                    created_at=now,
                )
                session.add(task)
                opened.append(name)
            task.attempts = attempts
            task.last_error = str(place.get("error", ""))[:2000]
            task.next_attempt_at = now + wait
        elif task is not None and task.kind == "retry" and task.state == "open":
            task.state, task.closed_at, task.closed_by = "done", now, "worker"
            task.next_attempt_at = None
            flow._audit(session, row, "worker", "task_done", {"place": name, "retried": True})
    session.flush()
    return opened


def _schedule_retry(flow: Workflow, session: Session, row: RequestRow, now: datetime) -> None:
    retries = [
        t.next_attempt_at
        for t in tasks_of(session, row.id)
        if t.kind == "retry" and t.state == "open" and t.next_attempt_at is not None
    ]
    if retries:
        enqueue(session, RETRY_JOB, now=min(retries), request_id=row.id, job_id=new_id())


def retry_places(flow: Workflow, request_id: str) -> bool:
    """The worker's retry: run the request's places again (only those not settled), then
    update its tasks; False when the request no longer waits for a retry."""
    from policykeeper.workflow.execution import places_again

    row = flow.get(request_id)
    if row.state != State.partially_complete:
        return False
    with flow.store.transaction() as session:
        waiting = [
            t for t in tasks_of(session, request_id) if t.kind == "retry" and t.state == "open"
        ]
    if not waiting:
        return False
    result, export = places_again(flow, row)
    with flow.store.transaction() as session:
        locked = flow._lock(session, request_id)
        if locked.state != State.partially_complete:
            return False
        now = flow.clock()
        places = _places_of(result)
        _sync(flow, session, locked, places, ACTIONS.get(locked.kind, "restrict"), now)
        locked.result = result
        if export is not None:
            filename, content_type, content = export
            session.merge(
                Export(
                    request_id=locked.id,
                    filename=filename,
                    content_type=content_type,
                    content=content,
                    created_at=now,
                )
            )
        flow._audit(
            session, locked, "worker", "places_retried", {"pending": places.get("pending", [])}
        )
        if not _settle(flow, session, locked, now):
            _schedule_retry(flow, session, locked, now)
    return True


def _places_of(result: dict[str, Any]) -> dict[str, Any]:
    for value in result.values():
        if isinstance(value, dict) and "places" in value:
            return value
    return {}


# --- staff ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class TaskView:
    task: PlaceTask
    evidence: list[TaskEvidence]


def tasks_of(session: Session, request_id: str) -> list[PlaceTask]:
    return list(
        session.execute(
            sa.select(PlaceTask)
            .where(PlaceTask.request_id == request_id)
            .order_by(PlaceTask.created_at, PlaceTask.place)
        ).scalars()
    )


def list_tasks(flow: Workflow, request_id: str) -> list[TaskView]:
    with flow.store.transaction() as session:
        tasks = tasks_of(session, request_id)
        evidence = list(
            session.execute(
                sa.select(TaskEvidence)
                .where(TaskEvidence.task_id.in_([t.id for t in tasks]))
                .order_by(TaskEvidence.uploaded_at)
            ).scalars()
        )
        for item in evidence:
            session.expunge(item)
        return [TaskView(t, [e for e in evidence if e.task_id == t.id]) for t in tasks]


def close_task(
    flow: Workflow,
    request_id: str,
    task_id: str,
    actor: str,
    *,
    waive: bool,
    text: str,
    evidence: tuple[str, str, bytes] | None = None,
) -> None:
    """Record the recipient's answer (done) or why nothing is needed (waived), in one step
    with the audit entry; the last task closed completes the request."""
    text = text.strip()
    if not text:
        raise Invalid("a waiver needs a reason" if waive else "record the recipient's answer")
    if evidence is not None:
        _check_evidence(evidence)
    now = flow.clock()
    with flow.store.transaction() as session:
        row = flow._lock(session, request_id)
        task = session.get(PlaceTask, task_id, with_for_update=True)
        if task is None or task.request_id != request_id:
            raise NotFound("no such task")
        if task.state != "open":
            raise Conflict("this task is already closed")
        task.state = "waived" if waive else "done"
        task.closed_at, task.closed_by = now, actor
        if waive:
            task.waiver_reason = text[:4000]
        else:
            task.answer = text[:4000]
        task.next_attempt_at = None
        if evidence is not None:
            _add_evidence(session, task, actor, evidence, now)
        flow._audit(
            session,
            row,
            actor,
            "task_waived" if waive else "task_done",
            {"place": task.place, "recipient": task.recipient, "text": text[:500]},
        )
        _settle(flow, session, row, now)


def attach_evidence(
    flow: Workflow, request_id: str, task_id: str, actor: str, evidence: tuple[str, str, bytes]
) -> str:
    _check_evidence(evidence)
    now = flow.clock()
    with flow.store.transaction() as session:
        row = flow._lock(session, request_id)
        task = session.get(PlaceTask, task_id)
        if task is None or task.request_id != request_id:
            raise NotFound("no such task")
        item = _add_evidence(session, task, actor, evidence, now)
        flow._audit(
            session, row, actor, "task_evidence", {"place": task.place, "file": item.filename}
        )
        return item.id


def evidence_file(flow: Workflow, request_id: str, evidence_id: str) -> TaskEvidence:
    with flow.store.transaction() as session:
        item = session.get(TaskEvidence, evidence_id)
        task = session.get(PlaceTask, item.task_id) if item is not None else None
        if item is None or task is None or task.request_id != request_id:
            raise NotFound("no such file")
        return item


def retry_now(flow: Workflow, request_id: str, task_id: str, actor: str) -> None:
    """Staff ask for the next try at once, instead of waiting for the backoff."""
    now = flow.clock()
    with flow.store.transaction() as session:
        row = flow._lock(session, request_id)
        task = session.get(PlaceTask, task_id)
        if task is None or task.request_id != request_id:
            raise NotFound("no such task")
        if task.kind != "retry" or task.state != "open":
            raise Conflict("this task is not waiting for a retry")
        task.next_attempt_at = now
        flow._audit(session, row, actor, "task_retry_requested", {"place": task.place})
        enqueue(session, RETRY_JOB, now=now, request_id=row.id, job_id=new_id())


def _check_evidence(evidence: tuple[str, str, bytes]) -> None:
    if not evidence[2]:
        raise Invalid("the file is empty")
    if len(evidence[2]) > EVIDENCE_MAX_BYTES:
        raise Invalid("the file is too large")


def _add_evidence(
    session: Session, task: PlaceTask, actor: str, evidence: tuple[str, str, bytes], now: datetime
) -> TaskEvidence:
    filename, content_type, content = evidence
    item = TaskEvidence(
        id=new_id(),
        task_id=task.id,
        filename=Path(filename).name[:255] or "evidence",
        content_type=content_type[:100] or "application/octet-stream",
        size=len(content),
        content=content,
        uploaded_at=now,
        uploaded_by=actor,
    )
    session.add(item)
    return item


def _settle(flow: Workflow, session: Session, row: RequestRow, now: datetime) -> bool:
    """Complete the request once no task is open; True when it did."""
    if row.state != State.partially_complete:
        return False
    if any(t.state == "open" for t in tasks_of(session, row.id)):
        return False
    row.closed_at = now
    flow._move(session, row, State.completed, "worker")
    flow._notify(session, row, "completed")
    return True


def open_places(flow: Workflow, row: RequestRow) -> list[dict[str, Any]]:
    """What a partially complete request still waits for, for the person's status page."""
    session = object_session(row)
    if session is not None:
        tasks = [t for t in tasks_of(session, row.id) if t.state == "open"]
    else:
        with flow.store.transaction() as own:
            tasks = [t for t in tasks_of(own, row.id) if t.state == "open"]
    return [
        {
            "place": _place_name(flow, row.language, t.recipient, "connector"),
            "status": "awaiting_recipient" if t.kind == "manual" else "retrying",
        }
        for t in tasks
    ]


# --- words ---------------------------------------------------------------------------------


def place_lines(flow: Workflow, row: RequestRow) -> list[str]:
    """Each place and what happened there, in the person's language, for the completion email."""
    places = _places_of(row.result or {}).get("places", [])
    if not places:
        return []
    lang = row.language if row.language in STATUS_WORDS else "en"
    with flow.store.transaction() as session:
        closed = {t.place: t.state for t in tasks_of(session, row.id) if t.state != "open"}
    lines = []
    for place in places:
        status = closed.get(place["place"], place["status"])
        if status not in SHOWN | {"done", "waived"}:
            continue
        name = _place_name(flow, lang, place.get("recipient"), place["kind"])
        separator = "：" if lang == "ja" else ": "
        lines.append(f"{name}{separator}{STATUS_WORDS[lang][status]}{_kept(flow, lang, place)}")
    return lines


def _kept(flow: Workflow, lang: str, place: dict[str, Any]) -> str:
    """What a place kept on purpose, named by the declared retention rules."""
    if place["status"] == "kept":
        return ""
    rules = sorted({k["rule"] for k in place.get("kept", []) if k.get("rule")})
    labels = [r.label.get(lang) or r.id for r in flow.policy.retention if r.id in rules]
    if not labels:
        return ""
    if lang == "ja":
        return f"（ただし、{'、'.join(labels)}は法令に基づき保存しています）"
    return f" (except {', '.join(labels)}, which the law requires us to keep)"


def _place_name(flow: Workflow, lang: str, recipient: str | None, kind: str) -> str:
    words = KIND_NAMES.get(lang, KIND_NAMES["en"])
    if kind == "sql" or recipient is None:
        return as_declared(words.get(kind, words["files"]), flow.policy.self_reference)
    declared = next((r for r in flow.policy.recipients if r.id == recipient), None)
    if declared is None:
        return recipient
    return declared.name.get(lang) or declared.name.get("en") or recipient


def message(
    flow: Workflow, row: RequestRow, action: str, handoff: dict[str, Any], changes: dict[str, Any]
) -> tuple[str, str]:
    """(subject, body) of the ready-to-send message to a recipient, in its language."""
    lang = handoff["language"] if handoff["language"] in ("ja", "en") else "en"
    recipient = next((r for r in flow.policy.recipients if r.id == handoff["recipient"]), None)
    identifiers = [
        {"label": item["label"].get(lang) or item["label"].get("en"), "values": item["values"]}
        for item in handoff.get("identifiers", [])
        if item.get("values")
    ] or [{"label": row.identity_kind, "values": [row.identity_value]}]
    due = min(Duration.parse(handoff["due_within"]).after(flow.clock()), row.due_at)
    zone = ZoneInfo(flow.settings.calendars[Jurisdiction(row.jurisdictions[0])].timezone)
    local = due.astimezone(zone)
    declared = flow.policy.complaints
    complaints = flow.policy.contact(declared.contact or "") if declared else None
    if complaints is None:  # no complaints window declared: the first reachable contact
        complaints = next((c for c in flow.policy.contacts if c.value), None)
    contact = ""
    if complaints is not None:
        name = complaints.name.get(lang) if complaints.name else ""
        value = complaints.value if isinstance(complaints.value, str) else ""
        contact = f"{name} {value}".strip()
    context = {
        "service": flow.policy.service.name.get(lang),
        "we": flow.policy.self_reference,
        "recipient": (recipient.name.get(lang) if recipient else handoff["recipient"]),
        "relation": _relation(recipient.provision if recipient else None, lang),
        "reference": row.id,
        "identifiers": identifiers,
        "changes": changes,
        "due": f"{local.year}年{local.month}月{local.day}日"
        if lang == "ja"
        else local.strftime("%-d %B %Y"),
        "contact": contact,
    }
    environment = Environment(
        loader=FileSystemLoader(TEMPLATES),
        undefined=StrictUndefined,
        autoescape=False,
        keep_trailing_newline=True,
    )
    text = environment.get_template(f"task_{action}.{lang}.txt.j2").render(**context)
    subject, _, body = text.partition("\n")
    return subject.strip(), body.lstrip("\n")


def _relation(provision: Provision | None, lang: str) -> str:
    """How the data reached the recipient, as the message's first paragraph says it."""
    if lang == "ja":
        if provision is Provision.entrustment:
            return "業務の委託に伴い"
        if provision is Provision.joint_use:
            return "共同利用に伴い"
        return ""
    if provision is Provision.entrustment:
        return " as our processor"
    if provision is Provision.joint_use:
        return " under our joint use"
    return ""
