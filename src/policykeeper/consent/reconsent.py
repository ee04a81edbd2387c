"""Re-consent: what a new policy version changed in what a given consent covered.

A consent covers the scope shown when it was given (data, uses, recipients, trackers). When the
current scope differs, an opt-in consent no longer counts and the person is asked again, with
these differences shown.
"""

from __future__ import annotations

from typing import Any

from policykeeper.consent.catalog import Catalog
from policykeeper.policy.models import Policy


def scope_changes(old: dict[str, Any], new: dict[str, Any]) -> list[dict[str, Any]]:
    """Field by field: what was added and removed; a changed mechanism as its old and new value."""
    changes: list[dict[str, Any]] = []
    for key in sorted(set(old) | set(new)):
        before, after = old.get(key), new.get(key)
        if before == after:
            continue
        if isinstance(before, list) or isinstance(after, list):
            was, now = set(before or []), set(after or [])
            changes.append({"field": key, "added": sorted(now - was), "removed": sorted(was - now)})
        else:
            changes.append({"field": key, "from": before, "to": after})
    return changes


def reconsent_diff(old: Policy, new: Policy) -> dict[str, list[dict[str, Any]]]:
    """Purposes whose consent must be asked again after moving from `old` to `new`."""
    before, after = Catalog.from_policy(old), Catalog.from_policy(new)
    diff: dict[str, list[dict[str, Any]]] = {}
    for key, item in after.items.items():
        previous = before.items.get(key)
        if previous is None or previous.scope_hash == item.scope_hash:
            continue
        if item.mechanism == "opt_in":
            diff[key] = scope_changes(previous.scope, item.scope)
    return diff
