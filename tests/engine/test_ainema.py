"""All five rights on the AInema example, on SQLite, PostgreSQL and MariaDB."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from engine_kit import copy_example, snapshot

from policykeeper.engine import Identity, access, erase, is_restricted, plan, rectify, restrict
from policykeeper.engine.runtime import release, runtime
from policykeeper.errors import InputError, ProblemsFound, SubjectNotFound
from policykeeper.project import Project, load_project

CREATOR = 21  # every 20th person (1, 21, 41, ...) is a creator

# Owned rows, written by hand from the schema: independent of the planner.
OWNED_SQL = {
    "users": "SELECT id FROM users WHERE id = :u",
    "creator_profiles": "SELECT id FROM creator_profiles WHERE user_id = :u",
    "coin_ledger": "SELECT id FROM coin_ledger WHERE user_id = :u",
    "purchases": "SELECT id FROM purchases WHERE user_id = :u",
    "tips": "SELECT id FROM tips WHERE from_user_id = :u OR to_creator_id IN "
    "(SELECT id FROM creator_profiles WHERE user_id = :u)",
    "payouts": "SELECT id FROM payouts WHERE creator_id IN "
    "(SELECT id FROM creator_profiles WHERE user_id = :u)",
    "viewing_history": "SELECT id FROM viewing_history WHERE user_id = :u",
    "favorites": "SELECT episode_id FROM favorites WHERE user_id = :u",
    "sessions": "SELECT token FROM sessions WHERE user_id = :u",
    "access_logs": "SELECT id FROM access_logs WHERE user_id = :u",
    "content_reports": "SELECT id FROM content_reports WHERE reporter_id = :u",
    "inquiries": "SELECT id FROM inquiries WHERE user_id = :u",
}
HELD = {"coin_ledger", "purchases", "tips", "payouts"}


def owned(url: str, user: int) -> dict[str, set[Any]]:
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        found = {
            table: {row[0] for row in connection.execute(sa.text(sql), {"u": user})}
            for table, sql in OWNED_SQL.items()
        }
    engine.dispose()
    return {table: keys for table, keys in found.items() if keys}


def url_of(project: Project) -> str:
    return runtime(project).sources["main"].url


def exported(result: dict[str, Any]) -> dict[str, set[Any]]:
    """Each table's exported keys; sessions by how many, as their tokens are never exported."""
    keys = {"favorites": "episode_id"}
    return {
        table: {row[keys.get(table, "id")] for row in rows}
        if table != "sessions"
        else set(range(len(rows)))
        for table, rows in result["tables"].items()
    }


def as_exported(keys: dict[str, set[Any]]) -> dict[str, set[Any]]:
    """Owned keys as `exported` reads them: sessions by their number."""
    return {t: set(range(len(k))) if t == "sessions" else k for t, k in keys.items()}


def email_of(url: str, user: int) -> str:
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        value = connection.execute(sa.text("SELECT email FROM users WHERE id = :u"), {"u": user})
        email = value.scalar_one()
    engine.dispose()
    return str(email)


def inviter(url: str) -> int:
    """Someone who invited another person and owns rows in most tables."""
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        found = connection.execute(
            sa.text(
                "SELECT invited_by FROM users WHERE invited_by IS NOT NULL "
                "AND invited_by NOT IN (SELECT user_id FROM creator_profiles) "
                "ORDER BY invited_by LIMIT 1"
            )
        ).scalar_one()
    engine.dispose()
    return int(found)


@pytest.mark.parametrize("who", ["creator", "inviter"])
def test_access_exports_exactly_the_owned_rows(ainema: Project, who: str) -> None:
    url = url_of(ainema)
    user = CREATOR if who == "creator" else inviter(url)
    result = access(ainema, Identity("email", email_of(url, user))).to_json()
    assert exported(result) == as_exported(owned(url, user))
    email = result["categories"]["user.contact.email"]
    assert {p["id"] for p in email["purposes"]} >= {"service", "notifications"}
    assert any(r["rule"] == "account" for r in email["retention"])
    # Secrets the data map marks `export: never` are in no part of the export.
    assert "user.authorization.password" not in result["categories"]
    assert all("password_hash" not in row for row in result["tables"]["users"])
    assert all("token" not in row for row in result["tables"].get("sessions", []))


def test_plan_counts_rows_without_personal_columns(ainema: Project) -> None:
    url = url_of(ainema)
    planned = plan(ainema, Identity("user_id", str(CREATOR))).to_json()
    expected = owned(url, CREATOR)
    assert {t["table"]: t["rows"] for t in planned["tables"]} == {
        t: len(k) for t, k in expected.items()
    }
    tips = next(t for t in planned["tables"] if t["table"] == "tips")
    assert "tips.to_creator_id = creator_profiles.id" in tips["reached_by"]


@pytest.mark.parametrize("who", ["creator", "inviter"])
def test_erase_keeps_holds_masks_the_account_and_spares_everyone_else(
    ainema: Project, who: str
) -> None:
    url = url_of(ainema)
    user = CREATOR if who == "creator" else inviter(url)
    mine = owned(url, user)
    before = snapshot(url)

    dry = erase(ainema, Identity("user_id", str(user)), dry_run=True).to_json()
    assert snapshot(url) == before
    assert dry["dry_run"] is True

    report = erase(ainema, Identity("user_id", str(user))).to_json()
    assert report["verified"] is True
    after = snapshot(url)

    for table, keys in mine.items():
        if table in HELD:
            assert set(after[table]) >= {(k,) for k in keys}, table
            kept = report["tables"][table]["kept_rows"]
            assert len(kept) == len(keys)
            assert all(k["rule"] == "transactions" and k["delete_after"] for k in kept)
        elif table not in {"users", "creator_profiles"}:
            remaining = {k for k in after[table] if k[0] in keys or (k and k[-1] in keys)}
            assert not ({(k,) for k in keys} & set(after[table])), table
            assert report["tables"][table]["deleted"] == len(keys)
            del remaining
    account = after["users"][(user,)]
    assert account["email"].startswith("pk:")
    assert account["display_name"] == "退会済みユーザー"
    assert account["password_hash"] is None
    assert account["processing_restricted"] == 1
    assert "referenced by rows of" in report["tables"]["users"]["kept_rows"][0]["reason"]

    # Everyone else's rows are untouched (invitees would lose their link to a deleted inviter).
    for table, rows in before.items():
        for key, row in rows.items():
            if key in {(k,) for k in mine.get(table, ())} or (
                table == "favorites" and row["user_id"] == user
            ):
                continue
            if table == "sessions" and row["user_id"] == user:
                continue
            expected = dict(row)
            if table == "users" and row["invited_by"] == user and (user,) not in after["users"]:
                expected["invited_by"] = None
            assert after[table].get(key) == expected, (table, key)

    # Access afterwards returns nothing erasable: only held rows and the masked account.
    left = exported(access(ainema, Identity("user_id", str(user))).to_json())
    assert set(left) <= HELD | {"users", "creator_profiles"}

    again = erase(ainema, Identity("user_id", str(user))).to_json()
    assert again["repeated"] is True
    assert snapshot(url) == after
    with pytest.raises(SubjectNotFound):
        access(ainema, Identity("email", email_of_before(before, user)))


def email_of_before(before: dict[str, Any], user: int) -> str:
    return str(before["users"][(user,)]["email"])


def test_rectify_checks_types_and_changes_only_this_person(ainema: Project) -> None:
    url = url_of(ainema)
    before = snapshot(url)
    report = rectify(
        ainema,
        Identity("user_id", "7"),
        {"display_name": "山田 花子", "users.last_activity_at": "2026-01-02T03:04:05"},
    ).to_json()
    assert [c["rows"] for c in report["changes"]] == [1, 1]
    after = snapshot(url)
    assert after["users"][(7,)]["display_name"] == "山田 花子"
    assert {k: v for k, v in after["users"].items() if k != (7,)} == {
        k: v for k, v in before["users"].items() if k != (7,)
    }
    with pytest.raises(InputError, match="not a valid datetime"):
        rectify(ainema, Identity("user_id", "7"), {"last_activity_at": "yesterday"})
    with pytest.raises(InputError, match="several tables"):
        rectify(ainema, Identity("user_id", "7"), {"email": "x@example.com"})
    with pytest.raises(InputError, match="legal hold"):
        rectify(ainema, Identity("user_id", "7"), {"purchases.coins": "1"})
    assert snapshot(url)["users"] == after["users"]


def test_restrict_sets_the_app_flag_and_lifts_it(ainema: Project) -> None:
    who = Identity("user_id", "8")
    assert not is_restricted(ainema, who)
    assert restrict(ainema, who).to_json()["flagged_rows"] == {"users": 1}
    assert is_restricted(ainema, who)
    assert is_restricted(ainema, Identity("email", email_of(url_of(ainema), 8)))
    restrict(ainema, who, lift=True)
    assert not is_restricted(ainema, who)


def test_bad_input_is_one_clear_error_and_changes_nothing(ainema: Project) -> None:
    url = url_of(ainema)
    before = snapshot(url)
    with pytest.raises(InputError, match="unknown identity kind 'phone'"):
        erase(ainema, Identity("phone", "0312345678"))
    with pytest.raises(SubjectNotFound):
        erase(ainema, Identity("email", "nobody@example.com"))
    with pytest.raises(InputError, match="not a valid int"):
        plan(ainema, Identity("user_id", "seven"))
    assert snapshot(url) == before


def test_a_map_that_contradicts_the_schema_is_refused(ainema: Project) -> None:
    path = ainema.directory / "datamap.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("position_seconds:", "position_secs:"),
        encoding="utf-8",
    )
    broken = load_project(ainema.directory)
    with pytest.raises(ProblemsFound) as raised:
        erase(broken, Identity("user_id", "3"))
    message = str(raised.value)
    assert "datamap.yaml:" in message
    assert "'viewing_history.position_secs' is not in the live database" in message
    assert "did you mean 'position_seconds'" in message


def test_unreachable_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AINEMA_DATABASE_URL", "postgresql+psycopg://nobody@127.0.0.1:1/none")
    project = load_project(copy_example("ainema", tmp_path))
    with pytest.raises(InputError, match="cannot reach the database"):
        access(project, Identity("user_id", "1"))


def test_a_re_registered_email_is_erased_again(ainema: Project) -> None:
    url = url_of(ainema)
    email = email_of(url, 30)
    first = erase(ainema, Identity("email", email)).to_json()
    assert first["repeated"] is False
    assert erase(ainema, Identity("email", email)).to_json()["repeated"] is True
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.execute(
            sa.text(
                "INSERT INTO users (id, email, language, processing_restricted, created_at) "
                "VALUES (:i, :e, 'ja', :f, :t)"
            ),
            {"i": 9999, "e": email, "f": False, "t": datetime(2026, 3, 1)},
        )
    engine.dispose()
    again = erase(ainema, Identity("email", email)).to_json()
    assert again["repeated"] is False
    assert again["tables"]["users"]["deleted_rows"] == [[9999]]


def test_an_identity_in_a_dependent_table_leads_up_to_the_account(ainema: Project) -> None:
    path = ainema.directory / "datamap.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace(
            "  user_id: users.id\n", "  user_id: users.id\n  handle: creator_profiles.handle\n"
        ),
        encoding="utf-8",
    )
    project = load_project(ainema.directory)
    url = url_of(ainema)
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        handle = connection.execute(
            sa.text("SELECT handle FROM creator_profiles WHERE user_id = :u"), {"u": CREATOR}
        ).scalar_one()
    engine.dispose()
    try:
        by_handle = exported(access(project, Identity("handle", handle)).to_json())
    finally:
        release(project)
    assert by_handle == as_exported(owned(url, CREATOR))


def test_a_column_kept_under_a_rule_keeps_its_row(ainema: Project) -> None:
    path = ainema.directory / "datamap.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace(
            "      ip_address: {category: user.device.ip_address}\n      user_agent: {category: user.device.browser}\n      path:",
            "      ip_address: {category: user.device.ip_address, erase: {keep: access_logs}}\n"
            "      user_agent: {category: user.device.browser}\n      path:",
        ),
        encoding="utf-8",
    )
    project = load_project(ainema.directory)
    url = url_of(ainema)
    before = snapshot(url)["access_logs"]
    mine = {k: row for k, row in before.items() if row["user_id"] == 5}
    try:
        report = erase(project, Identity("user_id", "5")).to_json()
    finally:
        release(project)
    after = snapshot(url)["access_logs"]
    assert set(mine) <= set(after)
    for key, row in mine.items():
        assert after[key]["ip_address"] == row["ip_address"]
        assert after[key]["user_agent"] is None
        assert after[key]["path"].startswith("pk:")
    kept = report["tables"]["access_logs"]["kept_rows"]
    assert len(kept) == len(mine)
    assert all("column ip_address is kept" in k["reason"] and k["delete_after"] for k in kept)


def test_a_tip_shows_and_loses_only_each_persons_side(ainema: Project) -> None:
    """A tip is the viewer's (who paid, their message) and the creator's (who was paid):
    each export shows its own side, and erasing the creator leaves the viewers' messages."""
    url = url_of(ainema)
    before = snapshot(url)
    creator_profile = next(
        key[0] for key, row in before["creator_profiles"].items() if row["user_id"] == CREATOR
    )
    received = {
        key: row
        for key, row in before["tips"].items()
        if row["to_creator_id"] == creator_profile and row["from_user_id"] != CREATOR
    }
    assert any(row["message"] for row in received.values()), "the data has messages to check"
    tips = access(ainema, Identity("user_id", str(CREATOR))).to_json()["tables"]["tips"]
    shown = {(row["id"],): row for row in tips}
    for key in received:
        assert set(shown[key]) == {"id", "to_creator_id", "coins", "created_at"}
    viewer = next(iter(received.values()))["from_user_id"]
    sent = access(ainema, Identity("user_id", str(viewer))).to_json()["tables"]["tips"]
    assert all("to_creator_id" not in row and "from_user_id" in row for row in sent)

    erase(ainema, Identity("user_id", str(CREATOR)))
    after = snapshot(url)
    for key, row in received.items():
        assert after["tips"][key] == row, "the viewer's tip, message included, is untouched"
