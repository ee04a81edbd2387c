"""Database findings: what the sampled values are, held against the data map and the policy.

A column the scan could not read is a warning: it was not checked. Four broken promises: a column holding personal data the data map does not declare (a new
`tel2`), a declared category the values contradict, personal data in a table marked reference,
and values a policy statement rules out (card numbers stored while the policy says only the
processor holds them). Each finding drafts the data-map or declaration entry that would make the
policy true, or names the system that must change instead.
"""

from __future__ import annotations

from policykeeper.checks.classify import CATEGORY
from policykeeper.checks.datascan import ColumnScan
from policykeeper.checks.report import Check, Proposal, Tie
from policykeeper.checks.sections import Labels
from policykeeper.datamap.guesses import is_other_person_table
from policykeeper.datamap.models import DataMap
from policykeeper.policy.models import Policy

SECTION = "categories"
FREE_TEXT = ("user.content",)
"""Declared free-form content may hold anything a person typed; values never contradict it."""


def compatible(found: str, declared: str) -> bool:
    """Does a declared category admit values of the found one (same branch of the taxonomy)?"""
    if found.startswith(declared) or declared.startswith(found):
        return True
    if found.startswith("user.contact.address") and declared.startswith("user.contact.address"):
        return True
    return declared.startswith(FREE_TEXT) or (
        found == "user.name" and declared.startswith("user.account.username")
    )


def data_checks(policy: Policy, datamap: DataMap, scans: list[ColumnScan]) -> list[Check]:
    labels = Labels(policy)
    checks: list[Check] = []
    located: dict[str, list[ColumnScan]] = {}
    other_people: dict[str, list[str]] = {}
    unread: dict[str, list[ColumnScan]] = {}
    for scan in scans:
        if scan.problem is not None:
            unread.setdefault(scan.table, []).append(scan)
        kind = scan.profile.kind
        if kind is None:
            continue
        found = CATEGORY[kind]
        facts = _facts(scan, found)
        spec = datamap.tables.get(scan.table) if scan.mapped_table else None
        declared = spec.columns.get(scan.column) if spec is not None else None
        if spec is not None and spec.rows == "reference":
            if is_other_person_table(scan.table):
                other_people.setdefault(scan.table, []).append(scan.column)
                continue
            checks.append(
                Check(
                    f"data.reference_personal:{scan.where}",
                    "data.reference_personal",
                    "fail",
                    Tie(SECTION, f"category:{found}", labels.category(found)),
                    scan.where,
                    facts,
                    (Proposal("datamap.yaml", _owned_draft(scan.table, scan.column, found)),),
                )
            )
            continue
        if declared is None or declared.category is None:
            checks.append(_undeclared(policy, scan, found, facts, labels, spec is not None))
            continue
        if not compatible(found, declared.category):
            facts["declared"] = declared.category
            checks.append(
                Check(
                    f"data.category_contradicted:{scan.where}",
                    "data.category_contradicted",
                    "fail",
                    Tie(
                        SECTION, f"category:{declared.category}", labels.category(declared.category)
                    ),
                    scan.where,
                    facts,
                    (
                        Proposal(
                            "datamap.yaml",
                            f"tables:\n  {scan.table}:\n    columns:\n"
                            f"      {scan.column}: {{category: {found}}}",
                        ),
                        Proposal("system", None, "data_writer"),
                    ),
                )
            )
            continue
        located.setdefault(declared.category, []).append(scan)
    checks += _not_stored(policy, scans, labels)
    for key, columns in sorted(located.items()):
        checks.append(
            Check(
                f"data.category_located:{key}",
                "data.category_located",
                "pass",
                Tie(SECTION, f"category:{key}", labels.category(key)),
                key,
                {
                    "columns": [c.where for c in columns],
                    "sampled": sum(c.profile.sampled for c in columns),
                },
            )
        )
    for table, missed in sorted(unread.items()):
        checks.append(
            Check(
                f"data.not_sampled:{table}",
                "data.not_sampled",
                "warn",
                Tie(SECTION, None),
                table,
                {
                    "columns": [c.where for c in missed],
                    "detail": missed[0].problem,
                    "connection": missed[0].connection,
                },
                (Proposal("system", None, "data_unread"),),
            )
        )
    for table, columns in sorted(other_people.items()):
        checks.append(
            Check(
                f"data.other_people:{table}",
                "data.other_people",
                "pass",
                Tie(SECTION, None),
                table,
                {"columns": [f"{table}.{c}" for c in columns]},
            )
        )
    return checks


def _facts(scan: ColumnScan, found: str) -> dict[str, object]:
    return {
        "found": found,
        "matched": scan.profile.matched,
        "sampled": scan.profile.sampled,
        "example": scan.profile.example,
        "connection": scan.connection,
    }


def _undeclared(
    policy: Policy,
    scan: ColumnScan,
    found: str,
    facts: dict[str, object],
    labels: Labels,
    table_mapped: bool,
) -> Check:
    proposals = [
        Proposal(
            "datamap.yaml",
            f"tables:\n  {scan.table}:\n"
            + (
                ""
                if table_mapped
                else "    rows: owned  # and via: the join to the person's rows\n"
            )
            + f"    columns:\n      {scan.column}: {{category: {found}}}",
        )
    ]
    if not any(
        policy.covers(c.key, found) or policy.covers(found, c.key) for c in policy.categories
    ):
        label = labels.category(found)
        proposals.append(
            Proposal(
                "policy.yaml",
                f"categories:\n  - key: {found}\n    label: {{ja: {label['ja']}, en: {label['en']}}}\n"
                "    sources: [provided]\n"
                f"purposes:  # add {found} to the categories of each purpose that uses it",
            )
        )
    proposals.append(Proposal("system", None, "data_drop"))
    kind = "data.undeclared_column" if table_mapped else "data.unmapped_table"
    return Check(
        f"{kind}:{scan.where}",
        kind,
        "fail",
        Tie(SECTION, f"category:{found}", labels.category(found)),
        scan.where,
        facts,
        tuple(proposals),
    )


def _owned_draft(table: str, column: str, found: str) -> str:
    return (
        f"tables:\n  {table}:\n    rows: owned  # and via: the join to the person's rows\n"
        f"    columns:\n      {column}: {{category: {found}}}"
    )


def _not_stored(policy: Policy, scans: list[ColumnScan], labels: Labels) -> list[Check]:
    """Categories the policy says are not kept (`stored: false`): no column may hold them."""
    checks = []
    for category in policy.categories:
        if category.stored:
            continue
        holding = [
            s
            for s in scans
            if s.profile.kind is not None and policy.covers(category.key, CATEGORY[s.profile.kind])
        ]
        tie = Tie(SECTION, f"category:{category.key}", labels.category(category.key))
        if holding:
            checks.append(
                Check(
                    f"data.not_stored_contradicted:{category.key}",
                    "data.not_stored_contradicted",
                    "fail",
                    tie,
                    category.key,
                    {
                        "columns": [s.where for s in holding],
                        "matched": sum(s.profile.matched for s in holding),
                        "example": holding[0].profile.example,
                        "handled_by": category.handled_by,
                    },
                    (
                        Proposal("system", None, "data_processor"),
                        Proposal(
                            "policy.yaml",
                            f"categories:\n  - key: {category.key}\n    stored: true  "
                            "# and remove kept_instead: the service does keep them",
                        ),
                    ),
                )
            )
        else:
            checks.append(
                Check(
                    f"data.not_stored_kept:{category.key}",
                    "data.not_stored_kept",
                    "pass",
                    tie,
                    category.key,
                    {"columns_sampled": sum(1 for s in scans if s.profile.sampled)},
                )
            )
    return checks
