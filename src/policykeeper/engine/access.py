"""Access and portability: the person's rows, with what GDPR Art. 15 and APPI Art. 33 require.

Beside the data, each category carries its purposes, recipients, retention and sources, all
read from the declaration, so the answer cannot drift from the published policy.
"""

from __future__ import annotations

import io
import json
import zipfile
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from policykeeper.datamap.models import DataMap, Table
from policykeeper.datamap.values import jsonable
from policykeeper.engine.identity import Identity
from policykeeper.engine.keys import Key
from policykeeper.engine.planner import Collector, Reached, Subject, side_columns
from policykeeper.engine.readable import ColumnView, TableView, csv_text, readme
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
    views: dict[str, TableView] = field(default_factory=dict)
    """How each table reads for the person: labels, names for references, time columns."""

    def to_json(self) -> dict[str, Any]:
        return {
            "action": "access",
            "identity": self.identity_kind,
            **self.about,
            "categories": self.categories,
            "tables": self.tables,
        }

    def write_zip(self, path: Path | str, lang: str = "en", zone: str = "UTC") -> None:
        """README.html first, then one CSV per table (UTF-8 with BOM, so spreadsheets read
        Japanese) with labelled headers, and access.json for machines."""
        write_atomic(path, self.zip_bytes(lang, zone))

    def zip_bytes(
        self, lang: str = "en", zone: str = "UTC", others: list[str] | None = None
    ) -> bytes:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(
                "README.html",
                readme(
                    self.about, self.categories, self.tables, self.views, others or [], lang, zone
                ),
            )
            for table, rows in self.tables.items():
                archive.writestr(f"{table}.csv", csv_text(rows, self.views.get(table), lang, zone))
            archive.writestr(
                "access.json", json.dumps(self.to_json(), ensure_ascii=False, indent=2)
            )
        return buffer.getvalue()


def access(project: Project, identity: Identity, *, found: Subject | None = None) -> AccessResult:
    """`found`: the person as the caller searched them just now with every column, so they
    are not searched twice."""
    rt = runtime(project)
    with ExitStack() as stack:
        connections = {
            name: stack.enter_context(source.engine.connect())
            for name, source in rt.sources.items()
        }
        subject = found or Collector(rt, connections, everything=True).from_identity(identity)
        result = _result(rt, identity, subject)
        _name_references(rt, connections, result)
    return result


def _result(rt: Runtime, identity: Identity, subject: Subject) -> AccessResult:
    datamap, policy = rt.project.datamap, rt.project.policy
    tables: dict[str, list[dict[str, Any]]] = {}
    data: dict[str, dict[str, list[dict[str, Any]]]] = {}
    views: dict[str, TableView] = {}
    stored_in = ZoneInfo(datamap.time_zone)
    for name, reached in subject.tables.items():
        if not reached.rows:
            continue
        spec = datamap.tables[name]
        withheld = {
            column
            for column, c in spec.columns.items()
            if c.category and any(_covers(w, c.category) for w in WITHHELD_UNDER)
        }
        never = {column for column, c in spec.columns.items() if c.export == "never"}
        view = _view(policy, datamap, spec, never)
        categorised = [(column, c.category) for column, c in spec.columns.items() if c.category]
        shared, meta = spec.has_sides(), spec.meta
        rows = []
        for key in sorted(reached.rows, key=repr):
            theirs = _other_side(spec, reached, key) if shared else set()
            row = {}
            for column, value in reached.rows[key].items():
                if column in theirs or column in never:
                    continue
                if isinstance(value, datetime):
                    value = value if value.tzinfo else value.replace(tzinfo=stored_in)
                    view.columns.setdefault(column, ColumnView({})).is_time = True
                row[column] = (
                    WITHHELD if column in withheld and value is not None else jsonable(value)
                )
            rows.append(row)
            for column, category in categorised:
                if column in row:
                    item = {k: row[k] for k in reached.primary_key if k in row}
                    item[column] = row[column]
                    data.setdefault(category, {}).setdefault(name, []).append(item)
            if meta is None:
                continue
            key_spec = spec.meta_key(reached.rows[key])
            if key_spec is not None and key_spec.category:
                item = {k: row[k] for k in reached.primary_key}
                item.update({meta.key: row[meta.key], meta.value: row[meta.value]})
                data.setdefault(key_spec.category, {}).setdefault(name, []).append(item)
        tables[name] = rows
        views[name] = view
    categories = {key: {**_about_category(policy, key), "data": data[key]} for key in sorted(data)}
    return AccessResult(identity.kind, tables, categories, _about_service(policy), views)


RECORD_NUMBER = {"ja": "記録番号", "en": "Record number"}


def _view(policy: Policy, datamap: DataMap, spec: Table, never: set[str]) -> TableView:
    """Labels from the data map, else from the declared category; secrets named, not shown."""
    columns: dict[str, ColumnView] = {}
    left_out: list[dict[str, str | None]] = []
    for column, c in spec.columns.items():
        category = _declared(policy, c.category) if c.category else None
        label = c.label or (category.label if category else None)
        text = _text(label) if label else {}
        if column in never:
            left_out.append(text or {"ja": column, "en": column})
            continue
        columns[column] = ColumnView(text, c.category)
    for via in spec.via:  # a join column reads as what it points at: user_id -> 会員ID
        other = datamap.tables.get(via.table)
        for column, theirs in via.join.items():
            target = other.columns.get(theirs) if other else None
            if target is not None and target.label is not None:
                columns.setdefault(column, ColumnView(_text(target.label)))
    columns.setdefault("id", ColumnView(dict(RECORD_NUMBER)))
    categories = [_declared(policy, c.category) for c in spec.columns.values() if c.category]
    if spec.label is not None:
        title = _text(spec.label)
    else:
        named = list({c.key: c for c in categories if c is not None}.values())
        title = {
            lang: ("、" if lang == "ja" else ", ").join(c.label.get(lang) for c in named) or None
            for lang in ("ja", "en")
        }
    return TableView(title, columns, left_out)


def _name_references(rt: Runtime, connections: dict[str, Any], result: AccessResult) -> None:
    """Where the data map says a column shows a name (episodes.title), read those names: one
    query per named table and column, whichever tables show them."""
    datamap: DataMap = rt.project.datamap
    wanted: dict[tuple[str, str, str], list[tuple[ColumnView, set[Any]]]] = {}
    for name, rows in result.tables.items():
        for column, c in datamap.tables[name].columns.items():
            view = result.views[name].columns.get(column)
            if c.shows is None or view is None or c.shows.table not in rt.tables:
                continue
            values = {r[column] for r in rows if r.get(column) is not None}
            target = rt.tables[c.shows.table]
            if not values or c.shows.key not in target.c or c.shows.column not in target.c:
                continue  # nothing to name, or no such column: the export keeps the value
            shown = (c.shows.table, c.shows.key, c.shows.column)
            wanted.setdefault(shown, []).append((view, values))
    for (table, key, column), views in wanted.items():
        target = rt.tables[table]
        values = sorted(set().union(*(values for _view, values in views)), key=str)
        connection = connections[datamap.connection_of(table)]
        found = connection.execute(
            sa.select(target.c[key], target.c[column]).where(target.c[key].in_(values))
        ).all()
        names = {str(k): str(title) for k, title in found}
        for view, values in views:
            view.names = {str(v): names[str(v)] for v in values if str(v) in names}


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
