"""discover on the AInema database of each kind: the draft matches the hand-written map."""

from __future__ import annotations

from policykeeper.datamap.discovery import discover
from policykeeper.engine.runtime import runtime
from policykeeper.project import Project


def test_the_draft_agrees_with_the_hand_written_map(ainema: Project) -> None:
    url = runtime(ainema).sources["main"].url
    draft = discover(url, "users.email")
    owned = {name for name, table in draft.tables.items() if table.owned}
    assert owned == set(ainema.datamap.owned())
    assert draft.tables["users"].restricted_flag == "processing_restricted"
    held = {name for name, table in draft.tables.items() if table.keep}
    assert held == {"coin_ledger", "purchases", "tips", "payouts"}
    assert draft.tables["staff"].note == "another person (staff)"
    assert draft.identities["email"]["column"] == "users.email"
    # MariaDB compares the column under utf8mb4_unicode_ci, so the service ignores case there.
    folded = "casefold" if url.startswith("mysql") else "exact"
    assert draft.identities["email"]["match"] == folded
    assert draft.identities["user_id"] == {"column": "users.id"}
