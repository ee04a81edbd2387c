"""What the console's duty pages and their JSON API share: actions check the session and role
before the form is read, so a refused caller learns nothing from the form's checks; the project
with its data map, which counting people and resolving identities need; one-line problems.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request
from pydantic import ValidationError

from policykeeper.errors import Unavailable
from policykeeper.project import Project
from policykeeper.web.admin import signed_in
from policykeeper.web.center import project_of
from policykeeper.web.security import read_form
from policykeeper.web.views import workflow_of
from policykeeper.workflow.service import Workflow
from policykeeper.workflow.staff import Role, StaffMember


async def staff_action(
    request: Request, needed: Role = Role.handler
) -> tuple[Workflow, Any, StaffMember]:
    member = signed_in(request, needed)
    flow = workflow_of(request)
    return flow, await read_form(request, flow.secrets), member


def project(request: Request) -> Project:
    """The project with its data map (a dependency of the routes that read the service's data)."""
    found = project_of(request)
    if found is None:
        raise Unavailable("the project's data map could not be loaded")
    return found


def problem_text(exc: Exception) -> str:
    """A refused form's problem in one line: the first invalid field, or the error itself."""
    if isinstance(exc, ValidationError):
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        return f"{where}: {first['msg']}"
    return str(exc)
