"""The retention rules Audiostock and Nicori declare, swept by a run on a fake clock (their plans
are checked in test_audiostock and test_nicori; AInema's and jasminai's runs in tests/retention):
every rule with a period is bound, a run seven years and a day on sweeps every due row, and
a second plan finds nothing left due, except what another table still needs (reported)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from engine_kit import copy_example
from test_nicori import CUSTOMERS

from policykeeper.engine.runtime import release
from policykeeper.examples.generation import generate
from policykeeper.examples.nicori import populate
from policykeeper.project import Project, load_project
from policykeeper.retention import retention_plan, retention_run

NOW, LATER = datetime(2026, 3, 1), datetime(2033, 3, 2)


@pytest.fixture(params=["audiostock", "nicori"])
def seed(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[Project, str]]:
    name = request.param
    if name == "nicori":
        url = request.getfixturevalue("oscar_url")
        populate(url, CUSTOMERS)
    else:
        url = f"sqlite:///{tmp_path / 'audiostock.sqlite3'}"
        generate("audiostock", url, 40, progress=False)
    monkeypatch.setenv(f"{name.upper()}_DATABASE_URL", url)
    project = load_project(copy_example(name, tmp_path))
    yield project, url
    release(project)


def count(url: str, sql: str, **params: object) -> int:
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        found = int(connection.execute(sa.text(sql), params).scalar_one())
    engine.dispose()
    return found


def test_every_rule_is_bound_and_a_run_sweeps_what_is_due(seed: tuple[Project, str]) -> None:
    project, url = seed
    plan = retention_plan(project, now=NOW).to_json()
    assert plan["problems"] == []
    with_period = {r.id for r in project.policy.retention if r.period is not None}
    assert with_period <= {s["rule"] for s in plan["sweeps"]} | {
        u["rule"] for u in plan["not_swept"]
    }
    assert {s["rule"] for s in plan["sweeps"]} >= {"transactions"}
    assert all(s["period"] == "7 years" for s in plan["sweeps"] if s["rule"] == "transactions")
    assert plan["total_due"] == 0
    due = retention_plan(project, now=LATER).to_json()
    assert due["total_due"] > 0
    report = retention_run(project, now=LATER).to_json()
    after = retention_plan(project, now=LATER).to_json()
    left = {s["table"]: s["due"] for s in after["sweeps"] if s["due"]}
    if project.policy.service.name.en == "Audiostock":
        # A buyer's licence (no retention rule: it licenses the track for good) references its
        # order line, which references the order: those stay, reported, until the declaration
        # says how long a licence is kept. Royalties and payouts go in the same run.
        licensed = count(
            url, "SELECT count(*) FROM order_items WHERE id IN (SELECT order_item_id FROM licences)"
        )
        ordered = count(
            url, "SELECT count(*) FROM orders WHERE id IN (SELECT order_id FROM order_items)"
        )
        assert left == {"order_items": licensed, "orders": ordered} and licensed and ordered
        assert report["totals"]["blocked"] == licensed + ordered
        assert any("still referenced" in p for p in report["problems"])
        assert count(url, "SELECT count(*) FROM royalties") == 0
    else:
        # Nicori binds orders and payment events to the 7 years, not the order lines: an order
        # with lines stays, reported, until the data map binds order_line (and what it holds).
        lined = count(url, "SELECT count(DISTINCT order_id) FROM order_line")
        assert left == {"order_order": lined} and lined, left
        assert count(url, "SELECT count(*) FROM order_paymentevent") == 0
        assert any("order_line" in p for p in report["problems"])
    for sweep in due["sweeps"]:
        if sweep["due"] and sweep["action"] == "delete":
            remaining = count(
                url,
                f"SELECT count(*) FROM {sweep['table']} WHERE {sweep['clock_column']} < :c",
                c=datetime.fromisoformat(sweep["cutoff"]).replace(tzinfo=None),
            )
            assert remaining <= left.get(sweep["table"], 0) + sweep["kept_by_longer_rule"], sweep
