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
    assert draft.identities == {"email": "users.email", "user_id": "users.id"}
