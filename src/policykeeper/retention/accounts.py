"""Accounts whose period ran out (30 days after deletion, a year inactive) go through the engine.

The engine's erasure of one person keeps rows held by a longer rule (masked and restricted)
and deletes the rest in foreign-key order, so retention never blindly deletes an account row.
Before that, the account's usernames go to the blocklist of former usernames.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from policykeeper.engine import erase
from policykeeper.engine.holds import HeldByLaw
from policykeeper.engine.identity import Identity, canonical
from policykeeper.engine.keys import Key
from policykeeper.engine.runtime import Runtime
from policykeeper.engine.state import state_for
from policykeeper.errors import SubjectNotFound
from policykeeper.retention.batches import Advance, SweepStats, pages
from policykeeper.retention.blocklist import write_blocklists
from policykeeper.retention.conditions import due
from policykeeper.retention.rules import Sweep

USERNAME_CATEGORY = "user.account.username"


@dataclass(frozen=True)
class AccountRow:
    key: Key
    identity: Identity
    row: dict[str, Any]


def identity_kind(rt: Runtime, table: str) -> str:
    """The identity kind that names an account by its primary key (else any kind on the table)."""
    pk = rt.primary_key(table)
    kinds = [k for k, c in rt.project.datamap.identities.items() if c.table == table]
    keyed = [k for k in kinds if (rt.project.datamap.identities[k].column,) == pk]
    return (keyed or kinds)[0]


def due_accounts(
    rt: Runtime, sweep: Sweep, now: datetime, size: int, extra: list[str] | None = None
) -> Iterator[list[AccountRow]]:
    """Pages of accounts due under `sweep`, each with the identity the engine erases them by."""
    live = rt.tables[sweep.table]
    pk = rt.primary_key(sweep.table)
    kind = identity_kind(rt, sweep.table)
    column = rt.project.datamap.identities[kind].column
    engine = rt.source_of(sweep.table).engine
    with engine.connect() as reader:
        for page in pages(reader, live, pk, due(live, sweep, now), size, [column, *(extra or [])]):
            yield [
                AccountRow(
                    tuple(r[c] for c in pk),
                    canonical(rt.project.datamap, Identity(kind, str(r[column]))),
                    dict(r),
                )
                for r in page
            ]


def already_erased(rt: Runtime, identity: Identity) -> bool:
    journal = state_for(rt.project).journal(identity.digest(), "erase")
    return journal is not None and journal.report is not None


def sweep_accounts(
    rt: Runtime,
    sweep: Sweep,
    now: datetime,
    held: set[Key],
    *,
    size: int,
    may_erase: Callable[[AccountRow], bool] | None = None,
    advance: Advance | None = None,
) -> SweepStats:
    """Erase every due account through the engine, one short erasure per person."""
    stats = SweepStats(sweep.rule.id, sweep.table, "erase_account")
    started = time.monotonic()
    kept_until = _kept_until(rt, sweep.table)
    for page in due_accounts(rt, sweep, now, size, [sweep.clock]):
        for account in page:
            if account.key in held:
                stats.held += 1
            elif already_erased(rt, account.identity):
                until = kept_until.get(account.key)
                waiting = until is not None and until >= now.date()
                if not waiting and _erase_rest(rt, account.identity):
                    stats.done += 1
                else:
                    stats.already += 1
            elif may_erase is not None and not may_erase(account):
                stats.awaiting_notice += 1
            else:
                began = time.monotonic()
                try:
                    write_blocklists(rt, account.identity, now)
                    erase(rt.project, account.identity)
                    stats.done += 1
                except HeldByLaw:
                    stats.held += 1
                except SubjectNotFound:
                    stats.already += 1
                stats.timed(time.monotonic() - began)
        if advance is not None:
            advance(len(page))
    stats.seconds = time.monotonic() - started
    return stats


def _kept_until(rt: Runtime, table: str) -> dict[Key, date]:
    """Account rows the engine kept (masked) for held rows, and until when those are held."""
    return {
        tuple(hold.key): hold.delete_after
        for hold in state_for(rt.project).holds()
        if hold.table == table and isinstance(hold.delete_after, date)
    }


def _erase_rest(rt: Runtime, identity: Identity) -> bool:
    """An erased account kept (masked) for held rows: once none of its rows is held any more,
    the engine's erasure runs again from the same roots and removes what was kept."""
    state = state_for(rt.project)
    journal = state.journal(identity.digest(), "erase")
    if journal is None:
        return False
    try:
        rest = erase(rt.project, identity, dry_run=True).to_json()
    except SubjectNotFound:
        return False
    if not rest["totals"]["deleted"]:
        return False
    if any(row["rule"] for t in rest["tables"].values() for row in t["kept_rows"]):
        return False
    state.start(identity.digest(), "erase", journal.roots)
    erase(rt.project, identity)
    return True
