"""Rows people share: lookup tables, a household's address, messages between two people.

The search never goes up from a person's row into a shared row and back down to other
people's rows; erasure changes only the person's own rows and their side of rows two people
share, stops (changing nothing) where the data map owns a table whose rows turn out to be
shared, and proves afterwards that no one else's row changed. On SQLite, PostgreSQL and
MariaDB, with the map drafted by `init`.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from engine_kit import snapshot
from shop_kit import create, rows_of

from policykeeper.datamap.starter import init_project
from policykeeper.engine import Identity, access, erase, plan, rectify
from policykeeper.engine.runtime import release
from policykeeper.errors import SchemaConflict
from policykeeper.project import Project, load_project
from policykeeper.review import validate_project

HANAKO, TARO, LONE, GIFT = (
    "hanako@example.jp",
    "taro@example.jp",
    "lone@example.com",
    "gift@example.com",
)


@pytest.fixture
def shop(database_url: str, tmp_path: Path) -> Iterator[Project]:
    create(database_url)
    init_project(tmp_path / "shop", database_url, "customers.email")
    assert validate_project(tmp_path / "shop") == []
    project = load_project(tmp_path / "shop")
    yield project
    release(project)


def edited(project: Project, *edits: tuple[str, str]) -> Project:
    path = project.directory / "datamap.yaml"
    text = path.read_text(encoding="utf-8")
    for old, new in edits:
        assert old in text, old
        text = text.replace(old, new)
    path.write_text(text, encoding="utf-8")
    release(project)
    return load_project(project.directory)


def exported(project: Project, email: str) -> dict[str, list[dict[str, object]]]:
    return access(project, Identity("email", email)).to_json()["tables"]


def keys(tables: dict[str, list[dict[str, object]]], table: str, *columns: str) -> set[object]:
    return {tuple(row[c] for c in columns) for row in tables.get(table, [])}


def others_unchanged(
    before: dict[str, dict[tuple[object, ...], dict[str, object]]],
    after: dict[str, dict[tuple[object, ...], dict[str, object]]],
    mine: dict[str, set[tuple[object, ...]]],
) -> None:
    """Every row of every table that is not the person's is byte for byte as it was."""
    for table, rows in before.items():
        for key, row in rows.items():
            if key not in mine.get(table, set()):
                assert after[table].get(key) == row, (table, key)


def test_init_drafts_lookups_as_reference_and_the_address_as_shared(shop: Project) -> None:
    tables = shop.datamap.tables
    assert {name for name, t in tables.items() if t.rows == "reference"} == {
        "countries",
        "products",
        "vouchers",
    }
    assert tables["addresses"].shared
    assert [via.side for via in tables["messages"].via] == [[], []]
    assert tables["orders"].held_by() == "transactions"


def test_a_person_reaches_no_one_else_through_shared_rows(shop: Project) -> None:
    url = shop.datamap.connections["main"]
    mine = exported(shop, HANAKO)
    assert keys(mine, "customers", "id") == rows_of(url, "SELECT id FROM customers WHERE id = 1")
    assert keys(mine, "orders", "id") == rows_of(url, "SELECT id FROM orders WHERE customer_id = 1")
    assert keys(mine, "addresses", "id") == {(1,)}
    assert keys(mine, "messages", "id") == rows_of(
        url, "SELECT id FROM messages WHERE sender_id = 1 OR recipient_id = 1"
    )
    assert set(mine) == {"customers", "addresses", "orders", "order_lines", "messages"}
    # Lone's address is also where Gift shipped an order: Gift's order is not Lone's.
    lone = exported(shop, LONE)
    assert keys(lone, "orders", "id") == {(3,)}
    assert keys(lone, "addresses", "id") == {(2,)}
    planned = {
        t["table"]: (t["rows"], t["shared_rows"])
        for t in plan(shop, Identity("email", LONE)).to_json()["tables"]
    }
    assert planned == {
        "customers": (1, 0),
        "addresses": (1, 1),  # Gift's order is shipped there too
        "orders": (1, 0),
        "order_lines": (1, 0),
    }


def test_each_side_of_a_message_sees_its_own_side(shop: Project) -> None:
    mine = {row["id"]: row for row in exported(shop, HANAKO)["messages"]}
    assert mine[1] == {
        "id": 1,
        "sender_id": 1,
        "body": "牛乳を買ってきて",
        "sent_at": mine[1]["sent_at"],
    }
    assert "sender_id" not in mine[2] and mine[2]["recipient_id"] == 1


def test_erasing_one_of_two_people_leaves_what_they_share(shop: Project) -> None:
    url = shop.datamap.connections["main"]
    before = snapshot(url)
    report = erase(shop, Identity("email", HANAKO)).to_json()
    after = snapshot(url)
    assert report["verified"]
    mine = {
        "customers": {(1,)},
        "orders": {(1,)},
        "order_lines": {(1, 1)},
        "messages": {(1,), (2,)},
    }
    others_unchanged(before, after, mine)
    # The household's address stays as it was, and the report says why.
    assert report["tables"]["addresses"]["masked"] == 0
    assert (
        "shared: rows of customers.address_id"
        in report["tables"]["addresses"]["kept_rows"][0]["reason"]
    )
    # Her side of each message is detached; Taro's words and his side stay.
    assert after["messages"][(1,)] == {**before["messages"][(1,)], "sender_id": None}
    assert after["messages"][(2,)] == {**before["messages"][(2,)], "recipient_id": None}
    # Her account stays (the held order points at it) but holds nothing of her any more.
    assert after["customers"][(1,)]["full_name"] is None
    assert str(after["customers"][(1,)]["email"]).startswith("pk:")


def test_the_last_person_using_a_row_takes_it_along(shop: Project) -> None:
    url = shop.datamap.connections["main"]
    before = snapshot(url)
    report = erase(shop, Identity("email", GIFT)).to_json()
    after = snapshot(url)
    assert (3,) not in after["addresses"]  # only Gift lived at address 3
    assert report["tables"]["addresses"]["deleted"] == 1
    assert after["customers"][(4,)]["address_id"] is None
    others_unchanged(
        before,
        after,
        {"customers": {(4,)}, "orders": {(4,)}, "order_lines": {(4, 1)}, "addresses": {(3,)}},
    )
    # Lone's address is also on Gift's order, which is kept: Lone's erasure leaves it.
    erase(shop, Identity("email", LONE))
    assert snapshot(url)["addresses"][(2,)] == before["addresses"][(2,)]


def test_a_map_owning_a_lookup_table_stops_before_any_change(shop: Project) -> None:
    """The bug found on django-oscar: countries owned through addresses, and addresses through
    countries; erasing one customer deleted the country and another customer's address."""
    project = edited(
        shop,
        (
            "  countries:\n    rows: reference",
            "  countries:\n    rows: owned\n"
            "    via:\n      - {table: addresses, join: {code: country_code}}",
        ),
        (
            "      - {table: orders, join: {id: ship_address_id}}\n",
            "      - {table: orders, join: {id: ship_address_id}}\n"
            "      - {table: countries, join: {country_code: code}}\n",
        ),
    )
    url = project.datamap.connections["main"]
    try:
        # Gift's own address and the one Gift shipped to; never Hanako's, also in JP.
        assert keys(exported(project, GIFT), "addresses", "id") == {(2,), (3,)}
        before = snapshot(url)
        with pytest.raises(SchemaConflict) as stopped:
            erase(project, Identity("email", GIFT))
        assert snapshot(url) == before
        message = str(stopped.value)
        assert "rows of countries" in message and "addresses.country_code" in message
        assert "'rows: reference'" in message and "'shared: true'" in message
        with pytest.raises(SchemaConflict):
            erase(project, Identity("email", GIFT), dry_run=True)
    finally:
        release(project)
    shared = edited(
        project,
        ("  countries:\n    rows: owned\n", "  countries:\n    rows: owned\n    shared: true\n"),
    )
    try:
        report = erase(shared, Identity("email", GIFT)).to_json()
        after = snapshot(url)
        assert after["countries"] == before["countries"]
        assert (1,) in after["addresses"] and after["addresses"][(1,)] == before["addresses"][(1,)]
        assert report["tables"]["countries"]["kept"] == 2
    finally:
        release(shared)


def test_rectification_changes_only_the_persons_side(shop: Project) -> None:
    project = edited(
        shop, ("join: {sender_id: id}, side: []", "join: {sender_id: id}, side: [body]")
    )
    url = project.datamap.connections["main"]
    try:
        before = snapshot(url)
        report = rectify(
            project, Identity("email", TARO), {"messages.body": "承知しました"}
        ).to_json()
        after = snapshot(url)
    finally:
        release(project)
    assert report["changes"][0]["rows"] == 1
    assert after["messages"][(2,)]["body"] == "承知しました"
    assert after["messages"][(1,)] == before["messages"][(1,)]


TRIGGERS = {
    "sqlite": [
        "CREATE TRIGGER stray AFTER UPDATE ON customers "
        "BEGIN UPDATE addresses SET street = 'moved' WHERE id = 2; END"
    ],
    "postgresql": [
        "CREATE FUNCTION stray() RETURNS trigger AS $$ BEGIN "
        "UPDATE addresses SET street = 'moved' WHERE id = 2; RETURN NEW; END $$ LANGUAGE plpgsql",
        "CREATE TRIGGER stray AFTER UPDATE ON customers FOR EACH ROW EXECUTE FUNCTION stray()",
    ],
    "mysql": [
        "CREATE TRIGGER stray AFTER UPDATE ON customers FOR EACH ROW "
        "UPDATE addresses SET street = 'moved' WHERE id = 2"
    ],
}


def test_verification_proves_no_one_elses_row_changed(shop: Project) -> None:
    """A trigger the planner cannot see rewrites an address Lone shares with Gift's order:
    the verification pass notices before commit, and nothing is changed."""
    url = shop.datamap.connections["main"]
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        for statement in TRIGGERS[connection.dialect.name]:
            connection.exec_driver_sql(statement)
    engine.dispose()
    before = snapshot(url)
    with pytest.raises(SchemaConflict, match="addresses shared with others would change"):
        erase(shop, Identity("email", LONE))
    assert snapshot(url) == before


def test_a_row_two_people_share_goes_when_both_sides_are_gone(shop: Project) -> None:
    url = shop.datamap.connections["main"]
    erase(shop, Identity("email", HANAKO))
    assert set(snapshot(url)["messages"]) == {(1,), (2,)}, "Taro's sides are still there"
    report = erase(shop, Identity("email", TARO)).to_json()
    assert set(snapshot(url)["messages"]) == set()
    assert report["tables"]["messages"]["deleted"] == 2
