"""A value a person had corrected is their personal data too: once they are erased, it is not
left in clear anywhere in PolicyKeeper's state (requests, results, journals, audit details)."""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from security_kit import Served, a_person

from policykeeper.job_handlers import JOB_HANDLERS
from policykeeper.jobs.worker import Worker

Serve = Callable[..., Served]
NEW_NAME = "Corrected-Name-7f3a9"


def run(site: Served, email: str, body: dict[str, object]) -> str:
    http = site.http()
    before = len(site.mailbox.to(email))
    assert http.post("/api/requests", json={"email": email, **body}).status_code == 202
    assert len(site.mailbox.to(email)) > before
    token = site.status_token(email)
    http.post(f"/api/status/{token}/verify", json={"code": site.code(email)})
    request_id = token.split(".")[0]
    decided = http.post(
        f"/api/staff/requests/{request_id}/decision",
        json={"outcome": "approve"},
        headers=site.staff("handler"),
    )
    assert decided.json()["state"] == "executing", decided.text
    Worker(site.workflow, JOB_HANDLERS).run_until_idle()
    return request_id


def clear_copies(url: str, needle: str) -> list[str]:
    """Every table.column of the state store whose text holds `needle`."""
    engine = sa.create_engine(url)
    metadata = sa.MetaData()
    found = []
    try:
        metadata.reflect(bind=engine)
        with engine.connect() as connection:
            for table in metadata.sorted_tables:
                for column in table.columns:
                    if isinstance(column.type, sa.LargeBinary):
                        values = connection.execute(sa.select(column)).scalars()
                    elif isinstance(column.type, (sa.String, sa.Text, sa.JSON)):
                        values = connection.execute(sa.select(sa.cast(column, sa.Text))).scalars()
                    else:
                        continue
                    for value in values:
                        data = value if isinstance(value, bytes) else str(value or "").encode()
                        if needle.encode() in data:
                            found.append(f"{table.name}.{column.name}")
                            break
    finally:
        engine.dispose()
    return found


def test_a_corrected_value_does_not_outlive_the_erasure(serve: Serve, state_store) -> None:
    site = serve(state_url=state_store)
    _id, email = a_person(site.service_url)
    changes = {"users.display_name": NEW_NAME}
    run(site, email, {"kind": "rectification", "details": {"changes": changes}})
    assert clear_copies(site.state_url, NEW_NAME)  # held while the person is a customer
    run(site, email, {"kind": "erasure"})
    assert clear_copies(site.state_url, NEW_NAME) == []  # the engine's run journals included
    assert not (site.project / ".policykeeper" / "engine.sqlite3").exists()
