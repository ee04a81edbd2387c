"""Declared retention rules bound to the data map: which table, which clock column, which action.

A rule is swept where a table of the data map names it under `retention:` with a clock
column. On a table that holds an identity (the account itself), deletion is the engine's
erasure of that person, so held rows stay and restricted; elsewhere rows are deleted or
anonymized in place. A table bound `with:` another has no clock of its own: its rows go with
the swept rows they belong to (an order's lines). A table bound to a rule without a period
keeps its rows under that rule. Rules with no period are enforced another way, and the plan
says which.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

from policykeeper.datamap.models import DataMap, Keep, RetentionBinding
from policykeeper.policy.checks import Finding
from policykeeper.policy.models import Clock, Policy, RetentionRule
from policykeeper.workflow.uploads import about_proofs_only

SweepKind = Literal["delete", "anonymize", "restrict", "erase_account"]


@dataclass(frozen=True)
class Bound:
    """One binding of one rule to one table."""

    rule: RetentionRule
    table: str
    binding: RetentionBinding
    index: int

    @property
    def clock(self) -> str:
        """The clock column of a binding swept on its own clock (every sweep's binding)."""
        assert self.binding.clock is not None, f"{self.table}: {self.rule.id} has no clock"
        return self.binding.clock


@dataclass(frozen=True)
class Sweep:
    """What one binding does when its rows are due, and the other bindings that must agree."""

    bound: Bound
    kind: SweepKind
    others: tuple[Bound, ...]

    @property
    def rule(self) -> RetentionRule:
        return self.bound.rule

    @property
    def table(self) -> str:
        return self.bound.table

    @property
    def binding(self) -> RetentionBinding:
        return self.bound.binding

    @property
    def clock(self) -> str:
        return self.bound.clock


@dataclass(frozen=True)
class Member:
    """A table whose rows go with a swept table's rows: bound `{rule, with: parent}`.

    `join` is its via to the parent (this table's column: the parent's column); `clock`, when
    given, holds the parent's row back until this row's period has run too.
    """

    table: str
    parent: str
    join: dict[str, str]
    clock: str | None


@dataclass(frozen=True)
class Unswept:
    """A declared rule that no sweep here executes, and why that is correct."""

    rule: RetentionRule
    reason: str
    """elsewhere, with_account, reviewed, proofs or unbound: a key of HOW."""

    @property
    def how(self) -> str:
        return HOW[self.reason]


HOW = {
    "elsewhere": "declared, not executed here (outside the databases PolicyKeeper reaches)",
    "with_account": "enforced by account erasure: deleted with the account",
    "reviewed": "no period: reviewed by staff, not swept",
    "proofs": "enforced on PolicyKeeper's own store: identity proofs sent with requests are purged",
    "unbound": "not bound to any table of the data map",
}


def bindings(policy: Policy, datamap: DataMap) -> list[Bound]:
    found = []
    for name, table in datamap.tables.items():
        for index, binding in enumerate(table.retention):
            rule = policy.rule(binding.rule)
            if rule is not None:
                found.append(Bound(rule, name, binding, index))
    return found


def sweeps(policy: Policy, datamap: DataMap) -> list[Sweep]:
    """Every executable sweep; a row is due only when every rule bound to its table is due."""
    bound = [
        b
        for b in bindings(policy, datamap)
        if _executable(b.rule) and b.binding.clock is not None and b.binding.with_ is None
    ]
    result = []
    for item in bound:
        others = tuple(
            o
            for o in bound
            if o.table == item.table and o is not item and _constrains(o, item, datamap)
        )
        result.append(Sweep(item, _kind(item, datamap), others))
    return result


def _constrains(other: Bound, item: Bound, datamap: DataMap) -> bool:
    """Does `other` hold back rows `item` would sweep?

    A statutory rule, or the rule the table is kept under, always does. Otherwise a binding
    scoped by `where` (guests' logs) is more specific than one without (everyone's logs), so
    the general rule does not stretch the specific one's shorter promise.
    """
    rule = other.rule
    if rule.clock is Clock.statutory or rule.statute is not None:
        return True
    if datamap.tables[item.table].held_by() == rule.id:
        return True
    return not (item.binding.where and not other.binding.where)


def unswept(policy: Policy, datamap: DataMap) -> list[Unswept]:
    bound = {b.rule.id for b in bindings(policy, datamap)}
    result = []
    for rule in policy.retention:
        if rule.id in bound and _executable(rule):
            continue
        result.append(Unswept(rule, _reason(rule)))
    return result


def _executable(rule: RetentionRule) -> bool:
    return rule.enforced and rule.period is not None


def _kind(bound: Bound, datamap: DataMap) -> SweepKind:
    table = datamap.tables[bound.table]
    if bound.rule.end_action == "anonymize":
        return "anonymize"
    if bound.rule.end_action == "block":
        return "restrict"
    if is_account_table(datamap, bound.table) and table.rows == "owned":
        return "erase_account"
    return "delete"


def blocklists(policy: Policy, datamap: DataMap) -> list[Bound]:
    """Tables bound to a 'superseded' rule: the former usernames an account leaves behind."""
    return [
        b
        for b in bindings(policy, datamap)
        if b.rule.clock is Clock.superseded and b.binding.clock is not None
    ]


def members(datamap: DataMap, table: str, rule: str) -> list[Member]:
    """The tables whose rows go with `table`'s rows under `rule`, each after its parent."""
    found: list[Member] = []
    parents, seen = [table], {table}
    while parents:
        parent = parents.pop(0)
        for name, spec in datamap.tables.items():
            binding = next(
                (b for b in spec.retention if b.rule == rule and b.with_ == parent), None
            )
            via = next((v for v in spec.via if v.table == parent), None)
            if binding is None or via is None or name in seen:
                continue
            seen.add(name)
            parents.append(name)
            found.append(Member(name, parent, dict(via.join), binding.clock))
    return found


def keeping(policy: Policy, datamap: DataMap, table: str) -> list[RetentionRule]:
    """The rules without a period that `table`'s rows are kept under (`{rule}` alone)."""
    found = []
    for binding in datamap.tables[table].retention:
        rule = policy.rule(binding.rule)
        if rule is not None and binding.clock is None and binding.with_ is None:
            found.append(rule)
    return found


def is_account_table(datamap: DataMap, table: str) -> bool:
    return any(identity.table == table for identity in datamap.identities.values())


def how(rule: RetentionRule) -> str:
    """How a rule no sweep executes is enforced (see HOW)."""
    return HOW[_reason(rule)]


def _reason(rule: RetentionRule) -> str:
    if not rule.enforced:
        return "elsewhere"
    if rule.clock is Clock.account_active:
        return "with_account"
    if rule.clock is Clock.while_needed:
        return "reviewed"
    if about_proofs_only(rule):
        return "proofs"
    return "unbound"


def binding_findings(policy: Policy, datamap: DataMap) -> list[Finding]:
    """What makes a rule unbindable, located in datamap.yaml, before anything runs."""
    return list(_findings(policy, datamap))


def _findings(policy: Policy, datamap: DataMap) -> Iterator[Finding]:
    for item in bindings(policy, datamap):
        where = ("tables", item.table, "retention", item.index, "rule")
        rule = item.rule
        kept_only = item.binding.clock is None and item.binding.with_ is None
        if rule.period is None and not kept_only:
            yield (
                where,
                (
                    f"rule '{rule.id}' has no period (clock {rule.clock.value}), so it cannot be "
                    f"swept from a clock column; write {{rule: {rule.id}}} alone to keep the "
                    "rows under it, or remove this binding"
                ),
            )
        elif not rule.enforced:
            yield (
                where,
                (
                    f"rule '{rule.id}' is declared enforced: false (e.g. backups), so nothing "
                    "here may execute it; remove this binding"
                ),
            )
        elif kept_only and rule.period is not None:
            yield (
                where,
                (
                    f"rule '{rule.id}' runs for {rule.period}: name the column its period runs "
                    "from (clock: COLUMN), or the table its rows go with (with: TABLE)"
                ),
            )
        elif item.binding.with_ is not None:
            yield from _with_findings(item, datamap)
        elif rule.end_action == "block" and datamap.tables[item.table].restricted_flag is None:
            yield (
                where,
                (
                    f"rule '{rule.id}' ends in block, which sets the table's restricted_flag; "
                    f"table '{item.table}' has none"
                ),
            )
    for name, table in datamap.tables.items():
        rules_here = {binding.rule for binding in table.retention}
        for column_name, column in table.columns.items():
            kept = column.erase.keep if isinstance(column.erase, Keep) else None
            if kept and table.retention and kept not in rules_here:
                yield (
                    ("tables", name, "columns", column_name, "erase", "keep"),
                    (
                        f"'{name}.{column_name}' is kept under '{kept}', which has no binding on "
                        f"this table, so its rows could be swept first; add {{rule: {kept}, "
                        "clock: COLUMN}} to its retention"
                    ),
                )
    bound = {b.rule.id for b in bindings(policy, datamap)}
    stored = {c.key for c in policy.categories if c.stored}
    for rule in policy.retention:
        if rule.id in bound or not _executable(rule) or about_proofs_only(rule):
            continue
        if rule.categories and not any(_touches(key, stored) for key in rule.categories):
            continue
        yield (
            ("tables",),
            (
                f"retention rule '{rule.id}' ({rule.period}, clock {rule.clock.value}) is bound "
                f"to no table; add retention: [{{rule: {rule.id}, clock: COLUMN}}] to the table "
                "that holds its data"
            ),
        )


def _with_findings(item: Bound, datamap: DataMap) -> Iterator[Finding]:
    """A `with:` binding needs a via to that table, which must itself be bound to the rule."""
    where = ("tables", item.table, "retention", item.index, "with")
    parent, rule = item.binding.with_, item.rule
    assert parent is not None
    spec = datamap.tables.get(parent)
    if spec is None:
        yield where, f"'{parent}' is not a table of the data map"
        return
    if not any(via.table == parent for via in datamap.tables[item.table].via):
        yield (
            where,
            f"'{item.table}' has no via to '{parent}', so its rows cannot be matched to the "
            f"rows they go with; add via: [{{table: {parent}, join: {{COLUMN: COLUMN}}}}]",
        )
    if not any(b.rule == rule.id and (b.clock or b.with_) for b in spec.retention):
        yield (
            where,
            f"'{parent}' has no binding of rule '{rule.id}' with a clock, so nothing sweeps "
            f"the rows '{item.table}' goes with",
        )
    if rule.end_action in ("anonymize", "block"):
        yield (
            where,
            f"rule '{rule.id}' ends in {rule.end_action}; with: is for rules that end in deletion",
        )
    if is_account_table(datamap, item.table):
        yield where, f"'{item.table}' holds an identity: accounts are erased, not swept with rows"
    chain: list[str] = [item.table]
    at: str | None = parent
    while at is not None and at not in chain and at in datamap.tables:
        chain.append(at)
        at = next((b.with_ for b in datamap.tables[at].retention if b.rule == rule.id), None)
    if at is not None and at in chain:
        yield where, f"with: goes round in a circle ({' → '.join([*chain, at])})"


def _touches(key: str, stored: set[str]) -> bool:
    return any(s == key or s.startswith(key + ".") or key.startswith(s + ".") for s in stored)
