"""Played again end to end on a served instance whose service database is SQLite, PostgreSQL or
MariaDB (utf8mb4_unicode_ci, which folds case and accents): an attacker who owns a look-alike
of a customer's address files an access request with it, confirms it with their own code, and
staff approve it. The export holds none of the customer's data; and a mail scanner opening the
victim's confirmation link confirms nothing."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable

import pytest
from security_kit import Served, a_person, submit_form

from policykeeper.job_handlers import JOB_HANDLERS
from policykeeper.jobs.worker import Worker

Serve = Callable[..., Served]


def look_alike(email: str) -> str:
    """The same address with one letter of its domain accented (a different mailbox)."""
    local, _, domain = email.partition("@")
    for plain, accented in (("a", "ä"), ("e", "é"), ("o", "ö"), ("i", "ï")):
        if plain in domain:
            return f"{local}@{domain.replace(plain, accented, 1)}"
    return f"{local.replace(local[0], local[0].upper(), 1)}@{domain}"


def export_text(site: Served, request_id: str) -> str:
    token = site.workflow.staff_download_token(request_id)
    body = site.http().get(f"/api/download/{token}").content
    if body[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            return "\n".join(archive.read(n).decode("utf-8", "replace") for n in archive.namelist())
    return body.decode("utf-8", "replace")


@pytest.mark.parametrize("kind", ["sqlite", "postgres", "mariadb"])
def test_a_look_alike_address_reads_nothing_of_the_customer(
    serve: Serve, kind: str, request: pytest.FixtureRequest
) -> None:
    service = None if kind == "sqlite" else request.getfixturevalue(f"{kind}_url")
    site = serve(service_url=service, users=8)
    _id, victim = a_person(site.service_url)
    attacker = look_alike(victim)
    assert attacker != victim
    http = site.http()
    assert http.post("/api/requests", json={"kind": "access", "email": attacker}).status_code == 202
    token = site.status_token(attacker)
    http.post(f"/api/status/{token}/verify", json={"code": site.code(attacker)})
    request_id = token.split(".")[0]
    decided = http.post(
        f"/api/staff/requests/{request_id}/decision",
        json={"outcome": "approve"},
        headers=site.staff("handler"),
    )
    assert decided.json()["state"] == "executing", decided.text
    Worker(site.workflow, JOB_HANDLERS).run_until_idle()
    row = site.workflow.get(request_id)
    assert row.result.get("found") is False, json.dumps(row.result)[:500]
    exported = export_text(site, request_id)
    assert victim not in exported and victim.split("@")[0] not in exported
    # The victim's own confirmation link, opened by a scanner, confirms nothing either.
    submit_form(site.http(), "access", victim)
    victim_token = site.status_token(victim)
    site.http(**{"user-agent": "SafeLinks/1.0"}).get(
        f"/verify/{site.link(victim)}", follow_redirects=True
    )
    assert site.workflow.status(victim_token)["state"] == "verifying"
