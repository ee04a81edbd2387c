"""Access and portability: the person's rows, with what GDPR Art. 15 and APPI Art. 33 require.

Beside the data, each category carries its purposes, recipients, retention and sources, all
read from the declaration, so the answer cannot drift from the published policy.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from policykeeper.datamap.models import Table
from policykeeper.datamap.values import jsonable
from policykeeper.engine.identity import Identity
from policykeeper.engine.keys import Key
from policykeeper.engine.planner import Collector, Reached, Subject, side_columns
from policykeeper.engine.runtime import Runtime, runtime
from policykeeper.output import write_atomic
from policykeeper.policy.models import Category, Policy
from policykeeper.project import Project

WITHHELD_UNDER = ("user.authorization",)
WITHHELD = "[withheld: credential]"


@dataclass
class AccessResult:
    identity_kind: str
    tables: dict[str, list[dict[str, Any]]]
    categories: dict[str, dict[str, Any]]
    about: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        return {
            "action": "access",
            "identity": self.identity_kind,
            **self.about,
            "categories": self.categories,
            "tables": self.tables,
        }

    def write_zip(self, path: Path | str) -> None:
        """One CSV per table (UTF-8 with BOM, so spreadsheets read Japanese) plus the JSON."""
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(
                "access.json", json.dumps(self.to_json(), ensure_ascii=False, indent=2)
            )
            for table, rows in self.tables.items():
                text = io.StringIO()
                columns = list(rows[0]) if rows else []
                writer = csv.DictWriter(text, fieldnames=columns, lineterminator="\n")
                writer.writeheader()
                writer.writerows(rows)
                archive.writestr(f"{table}.csv", "\ufeff" + text.getvalue())
        write_atomic(path, buffer.getvalue())


def access(project: Project, identity: Identity) -> AccessResult:
    rt = runtime(project)
    with ExitStack() as stack:
        connections = {
            name: stack.enter_context(source.engine.connect())
            for name, source in rt.sources.items()
        }
        subject = Collector(rt, connections, everything=True).from_identity(identity)
    return _result(rt, identity, subject)


def _result(rt: Runtime, identity: Identity, subject: Subject) -> AccessResult:
    datamap, policy = rt.project.datamap, rt.project.policy
    tables: dict[str, list[dict[str, Any]]] = {}
    data: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for name, reached in subject.tables.items():
        if not reached.rows:
            continue
        spec = datamap.tables[name]
        withheld = {
            column
            for column, c in spec.columns.items()
            if c.category and any(_covers(w, c.category) for w in WITHHELD_UNDER)
        }
        rows = []
        for key in sorted(reached.rows, key=repr):
            theirs = _other_side(spec, reached, key)
            row = {
                column: WITHHELD if column in withheld and value is not None else jsonable(value)
                for column, value in reached.rows[key].items()
                if column not in theirs
            }
            rows.append(row)
            for column, c in spec.columns.items():
                if c.category and column in row:
                    item = {k: row[k] for k in reached.primary_key}
                    item[column] = row[column]
                    data.setdefault(c.category, {}).setdefault(name, []).append(item)
            meta, key_spec = spec.meta, spec.meta_key(reached.rows[key])
            if meta is not None and key_spec is not None and key_spec.category:
                item = {k: row[k] for k in reached.primary_key}
                item.update({meta.key: row[meta.key], meta.value: row[meta.value]})
                data.setdefault(key_spec.category, {}).setdefault(name, []).append(item)
        tables[name] = rows
    categories = {key: {**_about_category(policy, key), "data": data[key]} for key in sorted(data)}
    return AccessResult(identity.kind, tables, categories, _about_service(policy))


def _other_side(spec: Table, reached: Reached, key: Key) -> set[str]:
    """For a row two people share, the other person's side: not part of this export."""
    sides = reached.sides.get(key)
    if not spec.has_sides() or not sides:
        return set()
    return side_columns(spec, sides)[1]


def _covers(parent: str, key: str) -> bool:
    return key == parent or key.startswith(parent + ".")


def _declared(policy: Policy, key: str) -> Category | None:
    """The declared category for a column's key: itself, or its nearest declared ancestor."""
    matches = [c for c in policy.categories if _covers(c.key, key)]
    return max(matches, key=lambda c: len(c.key)) if matches else None


def _about_category(policy: Policy, key: str) -> dict[str, Any]:
    category = _declared(policy, key)
    declared = category.key if category else key

    def mentions(keys: list[str]) -> bool:
        return any(_covers(k, declared) or _covers(declared, k) for k in keys)

    def may_concern(keys: list[str]) -> bool:
        """A purpose or recipient whose data the policy does not name may concern any of it."""
        return not keys or mentions(keys)

    purposes = [p for p in policy.purposes if may_concern(p.categories)]
    recipients = [
        r
        for r in policy.recipients
        if may_concern(r.categories) or (category is not None and r.id in category.handled_by)
    ]
    rules = [r for r in policy.retention if mentions(r.categories)]
    return {
        "label": _text(category.label) if category else None,
        "declared": category is not None,
        "sources": [s.value for s in category.sources] if category else [],
        "source_note": _text(category.source_note) if category and category.source_note else None,
        "purposes": [
            {"id": p.id, "label": _text(p.label), "legal_basis": p.legal_basis} for p in purposes
        ],
        "recipients": [
            {
                "id": r.id,
                "name": _text(r.name),
                "type": r.type.value,
                "countries": r.countries,
                "purpose": _text(r.purpose) if r.purpose else None,
            }
            for r in recipients
        ],
        "retention": [
            {
                "rule": r.id,
                "label": _text(r.label),
                "period": str(r.period) if r.period else None,
                "clock": r.clock.value,
                "description": _text(r.description) if r.description else None,
            }
            for r in rules
        ],
    }


def _about_service(policy: Policy) -> dict[str, Any]:
    return {
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "service": _text(policy.service.name),
        "controllers": [{"name": _text(o.name), "country": o.country} for o in policy.operators],
        "policy_version": policy.version,
        "rights": [
            {"kind": r.kind.value, "label": _text(r.label) if r.label else None}
            for r in policy.rights
        ],
    }


def _text(text: Any) -> dict[str, str | None]:
    return {"ja": text.ja, "en": text.en}
