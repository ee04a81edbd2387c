"""The five rights on the jasminai example: guests' logs, chat messages two joins away, and
ten-year financial records that keep a masked member row."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from engine_kit import copy_example, snapshot

from policykeeper.engine import Identity, access, erase, is_restricted, rectify, restrict
from policykeeper.engine.runtime import release
from policykeeper.examples.generation import generate
from policykeeper.project import Project, load_project


@pytest.fixture
def jasminai(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Project]:
    generate("jasminai", database_url, 60, progress=False)
    monkeypatch.setenv("JASMINAI_DATABASE_URL", database_url)
    project = load_project(copy_example("jasminai", tmp_path))
    yield project
    release(project)


def _count(url: str, sql: str, member: int) -> int:
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        value = connection.execute(sa.text(sql), {"m": member}).scalar_one()
    engine.dispose()
    return int(value)


def test_all_five_rights(jasminai: Project, database_url: str) -> None:
    member = Identity("member_id", "9")
    messages = _count(
        database_url,
        "SELECT count(*) FROM chat_messages WHERE chat_id IN "
        "(SELECT id FROM chats WHERE member_id = :m)",
        9,
    )
    exported = access(jasminai, member).to_json()
    assert len(exported["tables"]["chat_messages"]) == messages
    assert "user.content.private.chat_messages" in exported["categories"]

    rectify(jasminai, member, {"occupation": "Illustrator"})
    assert access(jasminai, member).to_json()["tables"]["members"][0]["occupation"] == (
        "Illustrator"
    )
    restrict(jasminai, member)
    assert is_restricted(jasminai, member)

    before = snapshot(database_url)
    guests = {k for k, row in before["access_logs"].items() if row["member_id"] is None}
    report = erase(jasminai, member).to_json()
    after = snapshot(database_url)
    assert report["verified"]
    assert _count(database_url, "SELECT count(*) FROM chats WHERE member_id = :m", 9) == 0
    assert not [r for r in after["access_logs"].values() if r["member_id"] == 9]
    assert guests <= set(after["access_logs"])
    purchases = [r for r in before["credit_purchases"].values() if r["member_id"] == 9]
    assert all(after["credit_purchases"][(r["id"],)] == r for r in purchases)
    if purchases:
        assert after["members"][(9,)]["email"].startswith("pk:")
        assert after["members"][(9,)]["nickname"] is None
    else:
        assert (9,) not in after["members"]
    others = {k: v for k, v in before["members"].items() if k != (9,)}
    assert {k: v for k, v in after["members"].items() if k != (9,)} == others
