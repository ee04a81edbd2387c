"""The current state of one subject's consents: the latest record per purpose, read against
the current declaration and the browser's signals.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from policykeeper.consent.catalog import Catalog, Item
from policykeeper.consent.ledger import Entry


@dataclass(frozen=True)
class PurposeState:
    purpose: str
    mechanism: str
    allowed: bool
    choice: str | None
    """'given', 'withdrawn', or None while the declaration's default applies."""
    source: str | None
    needs_reconsent: bool
    """An opt-in consent was given to a scope the current policy version has changed."""
    by_signal: bool
    """Off because of a GPC or DNT opt-out (recorded, or sent with this request)."""
    entry: Entry | None

    def to_json(self) -> dict[str, Any]:
        return {
            "purpose": self.purpose,
            "mechanism": self.mechanism,
            "allowed": self.allowed,
            "choice": self.choice,
            "source": self.source,
            "needs_reconsent": self.needs_reconsent,
            "opted_out_by_signal": self.by_signal,
            "recorded_at": self.entry.recorded_at.isoformat() if self.entry else None,
            "policy_version": self.entry.policy_version if self.entry else None,
        }


def purpose_state(item: Item, entry: Entry | None, signal: bool) -> PurposeState:
    changed = entry is not None and entry.scope_hash != item.scope_hash
    reconsent = bool(entry and entry.given and changed and item.mechanism == "opt_in")
    if entry is None:
        allowed = item.default
    elif entry.given:
        allowed = not reconsent
    else:
        allowed = False
    signalled = signal and item.opt_out_use
    recorded_signal = bool(entry and not entry.given and entry.source in ("gpc", "dnt"))
    return PurposeState(
        purpose=item.key,
        mechanism=item.mechanism,
        allowed=allowed and not signalled,
        choice=entry.action if entry else None,
        source=entry.source if entry else None,
        needs_reconsent=reconsent,
        by_signal=signalled or recorded_signal,
        entry=entry,
    )


def current_state(
    catalog: Catalog, latest: dict[str, Entry], *, signal: bool = False
) -> dict[str, PurposeState]:
    """Every consent item's state; `signal` is a GPC (or declared DNT) opt-out on this request."""
    return {
        key: purpose_state(item, latest.get(key), signal) for key, item in catalog.items.items()
    }
