"""SQL injection through identities: an address that is a valid addr-spec but full of SQL
reaches the engine as a bound value on every service database, and matches no one."""

from __future__ import annotations

import json
from collections.abc import Callable

import sqlalchemy as sa
from security_kit import Served, a_person

Serve = Callable[..., Served]
INJECTIONS = ["x'or'1'='1@example.jp", "a'||'b'||'@example.jp", "%'--@example.jp"]


def counts(url: str) -> dict[str, int]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            tables = sa.inspect(connection).get_table_names()
            return {
                t: connection.execute(sa.text(f"SELECT COUNT(*) FROM {t}")).scalar_one()
                for t in tables
            }
    finally:
        engine.dispose()


def run(site: Served, kind: str, email: str) -> dict:
    http = site.http()
    submitted = http.post("/api/requests", json={"kind": kind, "email": email})
    assert submitted.status_code == 202, submitted.text
    token = site.status_token(email)
    http.post(f"/api/status/{token}/verify", json={"code": site.code(email)})
    request_id = token.split(".")[0]
    handler = site.staff("handler")
    http.post(
        f"/api/staff/requests/{request_id}/decision", json={"outcome": "approve"}, headers=handler
    )
    executed = http.post(f"/api/staff/requests/{request_id}/execute", headers=handler)
    assert executed.json()["state"] == "completed", executed.text
    return executed.json()


def test_sql_in_an_address_matches_no_one(serve: Serve, database_url: str) -> None:
    site = serve(service_url=database_url, users=8)
    _id, someone = a_person(database_url)
    before = counts(database_url)
    for email in INJECTIONS:
        check(site, database_url, someone, email)
    assert counts(database_url) == before


def check(site: Served, database_url: str, someone: str, email: str) -> None:
    access = run(site, "access", email)
    assert access["result"]["found"] is False
    # No one matched: the person is told no retained personal data exists; no file is made.
    assert access["result"]["no_retained_data"] is True
    assert someone not in json.dumps(access)
    link = site.http().get(
        f"/api/staff/requests/{access['id']}/export", headers=site.staff("handler")
    )
    assert link.status_code == 404
    erasure = run(site, "erasure", email)
    assert erasure["result"]["found"] is False
