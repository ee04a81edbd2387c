"""Carrying out an approved request with the engine: the executor the worker's jobs call.

Every engine call here is safe to repeat: after a crash the job runs again, and only the first
run that reaches `Workflow.complete` moves the request to completed.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

from policykeeper.policy.models import RightKind
from policykeeper.store.models import Request as RequestRow
from policykeeper.workflow.errors import Conflict
from policykeeper.workflow.service import Workflow
from policykeeper.workflow.states import State


def execute_request(workflow: Workflow, request_id: str) -> bool:
    """Run the engine for one executing request; False when there was nothing left to do."""
    row = workflow.get(request_id)
    if row.state != State.executing:
        return False
    if workflow.project_dir is None:
        raise Conflict("the workflow has no project directory to execute requests in")
    result, export = _dispatch(workflow.project_dir, row)
    return workflow.complete(request_id, result, export)


def _dispatch(
    project_dir: Path, row: RequestRow
) -> tuple[dict[str, Any], tuple[str, str, bytes] | None]:
    from policykeeper import engine
    from policykeeper.project import load_project

    project = load_project(project_dir)
    identity = engine.Identity(row.identity_kind, row.identity_value)
    kind = RightKind(row.kind)
    withhold = list((row.decision or {}).get("withhold", []))
    if kind in (RightKind.access, RightKind.third_party_records):
        access = engine.access(project, identity)
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / f"{row.id}.zip"
            access.write_zip(path)
            content = path.read_bytes()
        return _summary(access, withhold), (f"access-{row.id}.zip", "application/zip", content)
    if kind is RightKind.portability:
        access = engine.access(project, identity)
        content = json.dumps(access.to_json(), ensure_ascii=False, indent=2, default=str).encode()
        return _summary(access, withhold), (
            f"portability-{row.id}.json",
            "application/json",
            content,
        )
    if kind is RightKind.erasure:
        return {"erasure": _json(engine.erase(project, identity))}, None
    if kind is RightKind.rectification:
        changes = {str(k): str(v) for k, v in row.details.get("changes", {}).items()}
        return {"rectification": _json(engine.rectify(project, identity, changes))}, None
    if kind is RightKind.objection:
        purposes = list(row.details.get("purposes", []))
        return {
            "objection": {"purposes": purposes},
            "restriction": _json(engine.restrict(project, identity)),
        }, None
    return {"restriction": _json(engine.restrict(project, identity))}, None


def _summary(access: Any, withhold: list[str]) -> dict[str, Any]:
    return {"access": "delivered", "withheld": withhold}


def _json(outcome: Any) -> Any:
    if hasattr(outcome, "to_json"):
        return outcome.to_json()
    return outcome if isinstance(outcome, (dict, list, str, int, float, bool)) else str(outcome)
