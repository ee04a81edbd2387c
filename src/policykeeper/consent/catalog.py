"""What a person can consent to, derived from the declaration: one item per consent purpose.

An item is a purpose that rests on consent (opt-in, opt-out or notice), one a consent-requiring
cookie serves, or one declared as sale, sharing or targeted advertising (which GPC opts out of).
Its `scope` is what a consent to it covers; when a new policy version changes the scope, an
earlier consent no longer covers it and the person is asked again.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any, Literal

from policykeeper.policy.models import ConsentMode, Policy, Purpose, Tracker
from policykeeper.policy.taxonomy import builtin
from policykeeper.policy.types import Lang

Mechanism = Literal["opt_in", "opt_out", "notice"]
STORAGE = "storage"
"""Not a declared purpose: keeping the data, which a restriction still allows (GDPR Art. 18)."""


@dataclass(frozen=True)
class Item:
    purpose: Purpose
    mechanism: Mechanism
    opt_out_use: bool
    trackers: tuple[Tracker, ...]
    scope: dict[str, Any]
    scope_hash: str

    @property
    def key(self) -> str:
        return self.purpose.id

    @property
    def default(self) -> bool:
        """Allowed before any choice: never for opt-in, always for opt-out and notice."""
        return self.mechanism != "opt_in"

    @property
    def on_device(self) -> bool:
        """Shown in the cookie banner: a cookie or script on the page serves it."""
        return bool(self.trackers)

    def text(self, lang: Lang | str) -> dict[str, Any]:
        """What the person is shown for this item, stored with each record as proof."""
        purpose = self.purpose
        return {
            "label": purpose.label.get(lang),
            "description": purpose.description.get(lang) if purpose.description else "",
            "details": [d.get(lang) for d in purpose.details],
            "withdrawal": purpose.withdrawal_note.get(lang) if purpose.withdrawal_note else "",
            "trackers": [
                {
                    "name": t.name,
                    "provider": t.provider.get(lang) if t.provider else "",
                    "description": t.description.get(lang) if t.description else "",
                }
                for t in self.trackers
            ],
        }


@dataclass(frozen=True)
class Catalog:
    policy: Policy
    items: dict[str, Item]
    necessary: tuple[Tracker, ...]
    purposes: frozenset[str] = field(default_factory=frozenset)

    @classmethod
    def from_policy(cls, policy: Policy) -> Catalog:
        taxonomy = builtin()
        items: dict[str, Item] = {}
        for purpose in policy.purposes:
            trackers = tuple(t for t in policy.trackers if t.purpose == purpose.id)
            opt_out_use = any(taxonomy.is_opt_out_use(use) for use in purpose.uses)
            mechanism = _mechanism(purpose, trackers, opt_out_use)
            if mechanism is None:
                continue
            scope = _scope(policy, purpose, trackers, mechanism)
            items[purpose.id] = Item(
                purpose, mechanism, opt_out_use, trackers, scope, scope_digest(scope)
            )
        necessary = tuple(
            t for t in policy.trackers if t.purpose not in items and not t.consent_required
        )
        return cls(policy, items, necessary, frozenset(p.id for p in policy.purposes))

    @property
    def version(self) -> str:
        return self.policy.version

    def on_device(self) -> list[Item]:
        return [item for item in self.items.values() if item.on_device]

    def kinds(self) -> dict[str, list[str]]:
        """Tracker kind → the purposes its gated trackers serve (for data-category="analytics")."""
        kinds: dict[str, list[str]] = {}
        for item in self.items.values():
            for tracker in item.trackers:
                kinds.setdefault(tracker.kind, [])
                if item.key not in kinds[tracker.kind]:
                    kinds[tracker.kind].append(item.key)
        return kinds


def scope_digest(scope: dict[str, Any]) -> str:
    canonical = json.dumps(scope, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _mechanism(
    purpose: Purpose, trackers: tuple[Tracker, ...], opt_out_use: bool
) -> Mechanism | None:
    if purpose.consent is not ConsentMode.none:
        return purpose.consent.value  # type: ignore[return-value]
    if any(t.consent_required for t in trackers):
        return "opt_in"
    if opt_out_use:
        return "opt_out"
    return None


def _scope(
    policy: Policy, purpose: Purpose, trackers: tuple[Tracker, ...], mechanism: Mechanism
) -> dict[str, Any]:
    """What a consent covers: the data, its uses, who receives it and which trackers carry it."""
    recipients = sorted(r.id for r in policy.recipients if purpose.id in r.purposes)
    recipients += sorted(
        t.recipient for t in trackers if t.recipient and t.recipient not in recipients
    )
    return {
        "mechanism": mechanism,
        "uses": sorted(purpose.uses),
        "categories": sorted(purpose.categories),
        "recipients": recipients,
        "trackers": sorted(
            f"{t.name}:{t.provider.get(Lang.en) if t.provider else ''}:{','.join(sorted(t.sends))}"
            for t in trackers
        ),
    }
