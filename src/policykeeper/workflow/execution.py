"""Carrying out an approved request with the engine: the executor the worker's jobs call.

Every engine call here is safe to repeat (erasure is journaled by the engine; the others set
values), so after a crash the job runs again, and only the first run that reaches
`Workflow.complete` moves the request to completed.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

from policykeeper.errors import SubjectNotFound
from policykeeper.policy.models import Jurisdiction, RightKind
from policykeeper.store.models import Request as RequestRow
from policykeeper.store.provision_export import with_provision_records
from policykeeper.workflow.errors import Conflict
from policykeeper.workflow.outcome import erasure_outcome
from policykeeper.workflow.service import StoreWrite, Workflow
from policykeeper.workflow.states import State

WITHHELD = "[withheld]"
Export = tuple[str, str, bytes]


def execute_request(workflow: Workflow, request_id: str) -> bool:
    """Run the engine for one executing request; False when there was nothing left to do.

    The journal's finish of an erasure that settled every place commits with the request's
    completion: one commit, and a crash before it leaves both to the job's next run."""
    row = workflow.get(request_id)
    if row.state != State.executing:
        return False
    finish: list[StoreWrite] = []
    result, export = places_again(workflow, row, finish)
    # --- places: what execution could not settle waits as tasks (workflow.tasks) ---
    return workflow.complete(request_id, result, export, places=_places_of(result), also=finish)


def places_again(
    workflow: Workflow, row: RequestRow, finish: list[StoreWrite] | None = None
) -> tuple[dict[str, Any], Export | None]:
    """Run the request over every place; a repeat goes on where the last run stopped.
    `finish`: where an erasure leaves its journal's finish for the caller's transaction."""
    if workflow.project_dir is None:
        raise Conflict("the workflow has no project directory to execute requests in")
    zone = workflow.settings.calendars[Jurisdiction(row.jurisdictions[0])].timezone
    result, export = _run(workflow, workflow.project_dir, row, zone, finish)
    # Proof of consent is part of what a person is owed on access (GDPR Art. 7, Art. 15): the
    # Keeper adds consent's export here, so the workflow does not depend on consent.
    subject = f"{row.identity_kind}={row.identity_value}"
    for addition in workflow.export_additions:
        export = addition(workflow.store, subject, export)
    # Disclosure covers the records of provision to third parties (APPI Art. 33(5)).
    if row.kind in (RightKind.access, RightKind.third_party_records):
        export = with_provision_records(workflow.store, [subject], export)
    if result.get("found") is False:
        export = _nothing_held(result, export)
    return result, export


def _nothing_held(result: dict[str, Any], export: Export | None) -> Export | None:
    """No one found and no consent or provision record either: "no retained personal data"
    is the answer the person is owed (APPI Art. 33(3)), not an empty file to download."""
    if export is not None:
        body = json.loads(export[2])
        if any(value for key, value in body.items() if key not in ("found", "tables")):
            return export
    result["no_retained_data"] = True
    return None


def _places_of(result: dict[str, Any]) -> dict[str, Any] | None:
    for value in result.values():
        if isinstance(value, dict) and "places" in value:
            return value
    return None


def _run(
    workflow: Workflow,
    project_dir: Path,
    row: RequestRow,
    zone: str,
    finish: list[StoreWrite] | None,
) -> tuple[dict[str, Any], Export | None]:
    """Run the engine over the Keeper's project (kept open), else over one loaded for this
    run alone and released after it. The journal's finish is left to the caller only where
    the engine's state is the workflow's own store."""
    from policykeeper.engine.runtime import release
    from policykeeper.project import load_project

    if workflow.project_source is not None:
        project = workflow.project_source()
        shared = finish if project.store_url == workflow.store.url else None
        try:
            return _dispatch(project, row, zone, shared)
        except SubjectNotFound:
            return _nobody(row)
    project = load_project(project_dir, workflow.store.url)
    try:
        return _dispatch(project, row, zone)
    except SubjectNotFound:
        return _nobody(row)
    finally:
        release(project)


def _dispatch(
    project: Any, row: RequestRow, zone: str = "UTC", finish: list[StoreWrite] | None = None
) -> tuple[dict[str, Any], Export | None]:
    from policykeeper.engine import Identity, places

    identity = Identity(row.identity_kind, row.identity_value)
    kind = RightKind(row.kind)
    key = f"request:{row.id}"
    if kind in (RightKind.access, RightKind.third_party_records, RightKind.portability):
        withhold = list((row.decision or {}).get("withhold", []))
        found = places.access(project, identity)
        access = found.sql
        _withhold(access, project, withhold)
        _withhold_places(found, withhold)
        summary = {
            "access": "delivered",
            "tables": {table: len(rows) for table, rows in access.tables.items()},
            "withheld": withhold,
            "places": found.report.to_json()["places"],
            "pending": [p.name for p in found.report.failed()],
        }
        if kind is RightKind.portability:
            content = json.dumps(found.to_json(), ensure_ascii=False, indent=2).encode()
            return summary, (f"portability-{row.id}.json", "application/json", content)
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "export.zip"
            found.write_zip(path, row.language, zone)
            return summary, (f"access-{row.id}.zip", "application/zip", path.read_bytes())
    if kind is RightKind.erasure:
        report = places.erase(project, identity, run_key=key, finish=finish).to_json()
        return {"erasure": report, "outcome": erasure_outcome(project.datamap, report)}, None
    if kind is RightKind.rectification:
        changes = {str(k): str(v) for k, v in row.details.get("changes", {}).items()}
        items = (row.decision or {}).get("items")
        if items:  # decided item by item: only the accepted items are corrected
            changes = {k: v for k, v in changes.items() if items.get(k, {}).get("accept")}
        report = places.rectify(project, identity, changes, run_key=key)
        return {"rectification": report.to_json()}, None
    restriction = places.restrict(project, identity, run_key=key).to_json()
    if kind is RightKind.objection:
        # Objection is honoured by restricting processing; the purposes objected to are recorded.
        return {
            "objection": {"purposes": list(row.details.get("purposes", []))},
            "restriction": restriction,
        }, None
    return {"restriction": restriction}, None


def _withhold(access: Any, project: Any, withhold: list[str]) -> None:
    """Partial disclosure: blank the withheld categories' columns and drop their sections."""
    if not withhold:
        return

    def covered(category: str | None) -> bool:
        return category is not None and any(
            category == key or category.startswith(key + ".") for key in withhold
        )

    for table, rows in access.tables.items():
        spec = project.datamap.tables.get(table)
        hidden = (
            {c for c, column in spec.columns.items() if covered(column.category)} if spec else set()
        )
        for item in rows:
            for column in hidden & set(item):
                item[column] = WITHHELD
    access.categories = {k: v for k, v in access.categories.items() if not covered(k)}


def _withhold_places(found: Any, withhold: list[str]) -> None:
    """Partial disclosure reaches the other places too: withheld categories' items go."""
    if not withhold:
        return
    for entry in found.report.places:
        items = entry.result.data
        if not isinstance(items, list):
            continue
        hidden = [
            i
            for i in items
            if isinstance(i, dict)
            and i.get("category")
            and any(i["category"] == k or i["category"].startswith(k + ".") for k in withhold)
        ]
        for item in hidden:
            items.remove(item)
            if item.get("file"):
                found.files.pop(item["file"], None)


def _nobody(row: RequestRow) -> tuple[dict[str, Any], Export | None]:
    """No one with this identity in the service's data: an answer in itself, not a failure."""
    result = {"found": False, "action": row.kind}
    if row.kind in (RightKind.access, RightKind.portability, RightKind.third_party_records):
        content = json.dumps({"found": False, "tables": {}}, indent=2).encode()
        return result, (f"{row.kind}-{row.id}.json", "application/json", content)
    return result, None
