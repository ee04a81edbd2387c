"""kill -9 in the middle of an erasure that spans the database, S3, Redis and Stripe, then run
it again: everything ends exactly as after one uninterrupted run."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from typing import Any

import sqlalchemy as sa
from places_kit import Everywhere

from policykeeper.engine import Identity, places
from policykeeper.engine.runtime import release
from policykeeper.project import load_project

ERASE = [sys.executable, "-m", "policykeeper.cli", "erase"]


def _database(url: str) -> dict[str, list[tuple[Any, ...]]]:
    engine = sa.create_engine(url)
    metadata = sa.MetaData()
    with engine.connect() as connection:
        metadata.reflect(connection)
        rows = {
            table.name: sorted(tuple(r) for r in connection.execute(sa.select(table)))
            for table in metadata.sorted_tables
        }
    engine.dispose()
    return rows


def _state(everywhere: Everywhere) -> dict[str, Any]:
    return {
        "database": _database(everywhere.url),
        "objects": sorted((key, kind) for key, kind, _version in everywhere.objects()),
        "keys": everywhere.redis_keys(),
        "stripe": {k: dict(v) for k, v in everywhere.stripe.customers.items()},
    }


def _erase(everywhere: Everywhere, identity: Identity) -> dict[str, Any]:
    project = load_project(everywhere.directory)
    try:
        return places.erase(project, identity).to_json()
    finally:
        release(project)


def test_kill_9_between_places_then_resume_equals_one_run(everywhere: Everywhere) -> None:
    user_id, _email = everywhere.person()
    identity = Identity("user_id", str(user_id))
    before = _state(everywhere)
    everywhere.stripe.hang, everywhere.stripe.delay = {"DELETE"}, 8.0
    process = subprocess.Popen(
        [*ERASE, str(everywhere.directory), "--identity", f"user_id={user_id}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 120
    while not any(method == "DELETE" for method, _path in everywhere.stripe.calls):
        assert process.poll() is None, process.stderr.read() if process.stderr else ""
        assert time.monotonic() < deadline, "the erasure never reached Stripe"
        time.sleep(0.05)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    everywhere.stripe.hang = set()

    killed = _state(everywhere)
    assert killed["database"] != before["database"], "the database was erased before Stripe"
    assert killed["stripe"] == before["stripe"], "the Stripe call never completed"
    resumed_report = _erase(everywhere, identity)
    assert resumed_report["complete"] and resumed_report["pending"] == []
    resumed = _state(everywhere)
    assert resumed["stripe"] != before["stripe"]

    everywhere.reset()
    everywhere.fill()
    assert _state(everywhere) == before
    once = _erase(everywhere, identity)
    assert _state(everywhere) == resumed
    statuses = [(p["place"], p["status"]) for p in once["places"]]
    assert [(p["place"], p["status"]) for p in resumed_report["places"]] == statuses


def test_the_journal_forgets_the_person_once_every_place_settled(everywhere: Everywhere) -> None:
    from policykeeper.engine.places import StoreJournal

    user_id, email = everywhere.person()
    identity = Identity("user_id", str(user_id))
    everywhere.stripe.fail["DELETE"] = 3
    first = _erase(everywhere, identity)
    assert first["pending"] == ["stripe"]
    project = load_project(everywhere.directory)
    journal = StoreJournal.of(project)
    waiting = journal.get(identity.digest(), "erase")
    assert waiting is not None and waiting.person is not None, "kept while a place is left"
    assert email in json.dumps(waiting.person)

    second = _erase(everywhere, identity)
    assert second["complete"] and [p["status"] for p in second["places"]][3] == (
        "passed_to_recipient"
    )
    digico = next(p for p in second["places"] if p["place"] == "digico")
    assert email in json.dumps(digico["handoff"]), "the caller still gets what to send"
    done = journal.get(identity.digest(), "erase")
    assert done is not None and done.person is None and done.report is not None
    assert email not in json.dumps(done.report)
    repeated = _erase(everywhere, identity)
    assert repeated["repeated"] is True
    release(project)
