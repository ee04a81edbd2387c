"""'Execute now' pressed after the worker took the job answers with the request's state."""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from security_kit import PASSWORD, Served, form_fields

from policykeeper.job_handlers import JOB_HANDLERS
from policykeeper.jobs.worker import Worker
from policykeeper.store.models import Job

Serve = Callable[..., Served]
PERSON = "hanako@example.jp"


def approved(site: Served) -> str:
    http = site.http()
    http.post("/api/requests", json={"kind": "restriction", "email": PERSON})
    token = site.status_token(PERSON)
    http.post(f"/api/status/{token}/verify", json={"code": site.code(PERSON)})
    request_id = token.split(".")[0]
    decided = http.post(
        f"/api/staff/requests/{request_id}/decision",
        json={"outcome": "approve"},
        headers=site.staff("handler"),
    )
    assert decided.json()["state"] == "executing"
    return request_id


def test_execute_now_after_the_worker_took_the_job(serve: Serve) -> None:
    site = serve()
    request_id = approved(site)
    worker = Worker(site.workflow, JOB_HANDLERS)
    with site.workflow.store.transaction() as session:
        job_id = session.execute(
            sa.select(Job.id).where(Job.request_id == request_id, Job.kind == "execute")
        ).scalar_one()
    job = worker.claim(job_id)  # the worker holds the lease, as if running it now
    assert job is not None
    http = site.http()
    handler = site.staff("handler")
    running = http.post(f"/api/staff/requests/{request_id}/execute", headers=handler)
    assert running.status_code == 202 and running.json()["state"] == "executing"
    console = site.client()
    fields = form_fields(console.get("/admin/login").text)
    console.post("/admin/login", data={**fields, "username": "handler", "password": PASSWORD})
    csrf = form_fields(console.get(f"/admin/requests/{request_id}").text)["csrf"]
    pressed = console.post(f"/admin/requests/{request_id}/execute", data={"csrf": csrf})
    assert pressed.status_code == 303 and pressed.headers["location"].endswith("?taken=1")
    worker.run(job)
    done = http.post(f"/api/staff/requests/{request_id}/execute", headers=handler)
    assert done.status_code == 200 and done.json()["state"] == "completed"
    # Nothing approved: still a conflict.
    http.post("/api/requests", json={"kind": "access", "email": "other@example.jp"})
    other = site.status_token("other@example.jp").split(".")[0]
    assert http.post(f"/api/staff/requests/{other}/execute", headers=handler).status_code == 409
