"""What staff read in the console: the engine's plans and reports, the audit trail and a
request's details as translated tables, named by the declaration (category, retention rule and
recipient labels), with dates in the reader's time zone.

Table names, connection names, action codes and English engine reasons never reach the page
text; each view keeps the raw JSON (`raw`) for the engineers' 詳細 toggle.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from policykeeper.datamap.models import DataMap, Keep
from policykeeper.policy.models import Policy
from policykeeper.store.models import AuditEntry
from policykeeper.store.models import Request as RequestRow
from policykeeper.web.i18n import Messages, load_messages, messages
from policykeeper.workflow.grounds import ground_label

PLACE_STATUSES = (
    "deleted",
    "masked",
    "kept",
    "passed_to_recipient",
    "awaiting_recipient",
    "done",
    "waived",
    "nothing_found",
    "corrected",
    "restricted",
    "retrying",
    "skipped",
    "failed",
    "exported",
)


@cache
def console_messages(lang: str, we: str) -> Messages:
    """The console's own phrases (messages/console/<lang>.yaml), apart from the center's."""
    return load_messages(lang, we, "console")


def raw(value: Any) -> str:
    """The JSON for the 詳細 toggle: indented, never cut in the middle of a value."""
    return json.dumps(value, ensure_ascii=False, indent=1, default=str)


@dataclass
class Line:
    """One row of a summary table: what, how many of each outcome, and why kept."""

    label: str
    counts: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    until: dict[str, str] = field(default_factory=dict)
    """Per retention rule (its label), the latest day a kept row is deleted after."""

    def add(self, outcome: str, count: int) -> None:
        self.counts[outcome] = self.counts.get(outcome, 0) + count

    def note(self, text: str) -> None:
        if text and text not in self.notes:
            self.notes.append(text)


class Reader:
    """Turns one request's engine output and audit entries into the staff's language."""

    def __init__(self, policy: Policy, datamap: DataMap | None, lang: str, zone: str) -> None:
        self.policy, self.datamap, self.lang, self.zone = policy, datamap, lang, zone
        we = policy.self_reference
        self.t, self.c = messages(lang, we), console_messages(lang, we)

    # --- names ---------------------------------------------------------------------------

    def category(self, key: str | None) -> str:
        found = self.policy.category(key) if key else None
        return found.label.get(self.lang) if found else self.c("other_data")

    def table(self, name: str) -> str:
        """A table named as the declaration names its data: its retention rule's label when it
        has one, else the label of its first categorised column."""
        spec = self.datamap.tables.get(name) if self.datamap else None
        if spec is None:
            return self.c("other_data")
        for binding in spec.retention:
            rule = self.policy.rule(binding.rule)
            if rule is not None:
                return rule.label.get(self.lang)
        for column in spec.columns.values():
            if column.category and self.policy.category(column.category):
                return self.category(column.category)
        return self.c("other_data")

    def column(self, name: str) -> str:
        """`table.column` as its category's label."""
        table, _, column = name.partition(".")
        spec = self.datamap.tables.get(table) if self.datamap else None
        declared = spec.columns.get(column) if spec else None
        return self.category(declared.category if declared else None)

    def rule(self, rule_id: str | None) -> str:
        found = self.policy.rule(rule_id) if rule_id else None
        return found.label.get(self.lang) if found else self.c("kept_linked")

    def recipient(self, recipient_id: str | None, kind: str) -> str:
        if kind == "sql" or not recipient_id:
            key = f"place_kind.{kind}"
            return self.c(key) if self.c.has(key) else self.c("place_kind.files")
        found = self.policy.recipient(recipient_id)
        return found.name.get(self.lang) if found else recipient_id

    def state(self, value: str) -> str:
        key = f"staff_state.{value}"
        return self.t(key) if self.t.has(key) else value

    def identity_kind(self, kind: str) -> str:
        key = f"identity_kind.{kind}"
        return self.c(key) if self.c.has(key) else self.c("identity_kind.other")

    def when(self, moment: datetime | str | None) -> str:
        if isinstance(moment, str):
            try:
                moment = datetime.fromisoformat(moment)
            except ValueError:
                return ""
        return self.t.when(moment, self.zone) if moment else ""

    def day(self, value: date | str | None) -> str:
        if isinstance(value, str):
            try:
                value = date.fromisoformat(value[:10])
            except ValueError:
                return ""
        if value is None:
            return ""
        return self.t.day(datetime.combine(value, time(12), ZoneInfo(self.zone)), self.zone)

    def count(self, n: int) -> str:
        return self.c("count", n=n)

    # --- the plan and the erasure ----------------------------------------------------------

    def plan(self, planned: dict[str, Any]) -> dict[str, Any]:
        """The preview: per declared label, rows found and what erasure would do to them."""
        lines: dict[str, Line] = {}
        for entry in planned.get("tables", []):
            label = self.table(entry["table"])
            line = lines.setdefault(label, Line(label))
            line.add("rows", int(entry.get("rows", 0)))
            line.note(self._planned_action(entry["table"]))
        return {
            "lines": list(lines.values()),
            "total": self.count(int(planned.get("total_rows", 0))),
            "raw": raw(planned),
        }

    def _planned_action(self, table: str) -> str:
        spec = self.datamap.tables.get(table) if self.datamap else None
        if spec is None:
            return ""
        if isinstance(spec.erase, Keep):
            return self.c("action.keep", rule=self.rule(spec.erase.keep))
        return self.c(f"action.{spec.erase}")

    def erasure(self, report: dict[str, Any]) -> dict[str, Any]:
        """An erasure report (or its dry run): totals in one sentence, one line per declared
        label with what was deleted, masked and kept (rule and until when)."""
        lines: dict[str, Line] = {}
        kept_until: dict[str, str] = {}
        for table, entry in (report.get("tables") or {}).items():
            deleted = int(entry.get("deleted", 0))
            masked = int(entry.get("masked", 0))
            kept_rows = entry.get("kept_rows", [])
            if not (deleted or masked or kept_rows):
                continue
            label = self.table(table)
            line = lines.setdefault(label, Line(label))
            line.add("deleted", deleted)
            line.add("masked", masked)
            line.add("kept", len(kept_rows) - masked if len(kept_rows) >= masked else 0)
            for kept in kept_rows:
                rule = self.rule(kept.get("rule"))
                until = str(kept.get("delete_after") or "")
                if kept.get("rule"):
                    kept_until[rule] = max(kept_until.get(rule, ""), until)
                line.until[rule] = max(line.until.get(rule, ""), until)
        for line in lines.values():
            for rule, until in line.until.items():
                line.note(self._until(rule, until))
        totals = report.get("totals") or {}
        return {
            "summary": self.totals(totals, kept_until),
            "lines": list(lines.values()),
            "repeated": bool(report.get("repeated")),
        }

    def totals(self, totals: dict[str, Any], kept_until: dict[str, str]) -> str:
        masked = int(totals.get("masked", 0))
        kept = max(int(totals.get("kept", 0)) - masked, 0)
        parts = [self.c("summary.deleted", n=int(totals.get("deleted", 0)))]
        if masked:
            parts.append(self.c("summary.masked", n=masked))
        if kept:
            latest = max(kept_until.values(), default="")
            rules = "・" if self.lang == "ja" else ", "
            text = self.c("summary.kept", n=kept)
            if latest:
                text += self.c(
                    "summary.kept_until", rules=rules.join(kept_until), date=self.day(latest)
                )
            parts.append(text)
        return self.c("summary.joiner").join(parts)

    def _until(self, rule: str, until: str) -> str:
        return self.c("kept_until", rule=rule, date=self.day(until)) if until else rule

    def places(self, entries: Iterable[dict[str, Any]]) -> list[dict[str, str]]:
        """The other places (files, caches, recipients): name and what happened there."""
        shown = []
        for place in entries:
            if place.get("kind") == "sql":
                continue
            status = str(place.get("status", ""))
            key = f"place_status.{status}" if status in PLACE_STATUSES else "place_status.other"
            shown.append(
                {
                    "name": self.recipient(place.get("recipient"), str(place.get("kind", ""))),
                    "status": self.c(key),
                    "code": status,
                }
            )
        return shown

    # --- results of every kind -------------------------------------------------------------

    def result(self, row: RequestRow) -> dict[str, Any] | None:
        """The outcome of an executed request, in words and tables."""
        result = row.result or {}
        if not result:
            return None
        view: dict[str, Any] = {
            "summary": "",
            "lines": [],
            "columns": [],
            "places": [],
            "changes": [],
            "raw": raw(result),
        }
        if result.get("found") is False:
            view["summary"] = self.c("result.nobody")
            return view
        if "erasure" in result:
            erased = self.erasure(result["erasure"])
            view.update(
                summary=erased["summary"],
                lines=erased["lines"],
                columns=["deleted", "masked", "kept"],
                places=self.places(result["erasure"].get("places", [])),
            )
        elif "rectification" in result:
            changes = result["rectification"].get("changes", [])
            view["summary"] = self.c("result.corrected", n=len(changes))
            view["changes"] = [
                self.c("change_rows", item=self.column(f"{c['table']}.{c['column']}"), n=c["rows"])
                for c in changes
            ]
            view["places"] = self.places(result["rectification"].get("places", []))
        elif "access" in result:
            lines: dict[str, Line] = {}
            for table, count in (result.get("tables") or {}).items():
                label = self.table(table)
                lines.setdefault(label, Line(label)).add("rows", int(count))
            view.update(
                summary=self.c("result.delivered"),
                lines=list(lines.values()),
                columns=["rows"],
                places=self.places(result.get("places", [])),
            )
            withheld = [self.category(key) for key in result.get("withheld", [])]
            if withheld:
                view["summary"] += self.c("result.withheld", labels="、".join(withheld))
        elif "restriction" in result:
            flagged = result["restriction"].get("flagged_rows", 0)
            view["summary"] = self.c("result.restricted", n=flagged)
            view["places"] = self.places(result["restriction"].get("places", []))
            purposes = (result.get("objection") or {}).get("purposes", [])
            if purposes:
                view["summary"] += self.c("result.objected", purposes=self.purposes(purposes))
        return view

    def purposes(self, ids: Iterable[str]) -> str:
        labels = []
        for purpose_id in ids:
            found = next((p for p in self.policy.purposes if p.id == purpose_id), None)
            labels.append(found.label.get(self.lang) if found else self.c("other_data"))
        return ("、" if self.lang == "ja" else ", ").join(labels)

    # --- what the person asked for ------------------------------------------------------------

    def details(self, row: RequestRow) -> list[tuple[str, str]]:
        """The request's details as (item, text) pairs: corrections, purposes, grounds."""
        details = row.details or {}
        pairs: list[tuple[str, str]] = []
        for name, value in (details.get("changes") or {}).items():
            pairs.append((self.column(str(name)), str(value)))
        if details.get("purposes"):
            pairs.append((self.c("detail.purposes"), self.purposes(details["purposes"])))
        for key in ("ground", "grounds"):
            if details.get(key):
                pairs.append((self.c("detail.ground"), self.c("detail.given")))
        for key in ("reason", "note", "message"):
            if details.get(key):
                pairs.append((self.c("detail.reason"), str(details[key])))
        return pairs

    def corrections(
        self, changes: dict[str, Any], current: dict[str, list[dict[str, Any]]]
    ) -> list[dict[str, str]]:
        """Each item the person asks to correct: its declared label, the value held now (from
        the person's own rows) and the value asked for."""
        items = []
        for name, value in changes.items():
            table, _, column = str(name).partition(".")
            held = []
            for found in current.get(table, []):
                text = "" if found.get(column) is None else str(found.get(column))
                if text and text not in held:
                    held.append(text)
            items.append(
                {
                    "name": str(name),
                    "item": self.column(str(name)),
                    "old": self.c("summary.list_joiner").join(held) if held else self.c("no_value"),
                    "held": bool(held),
                    "new": str(value),
                }
            )
        return items

    def decided_items(self, row: RequestRow) -> dict[str, Any] | None:
        """A correction decided item by item: the outcome and each item's old and new value,
        whether it was corrected and why not."""
        decision = row.decision or {}
        items = decision.get("items")
        if not items:
            return None
        outcome = decision.get("correction") or (
            "not_corrected" if decision.get("outcome") == "denied" else "proposed"
        )
        key = f"correction.{outcome}"
        return {
            "outcome": self.c(key) if self.c.has(key) else self.c("event.proposed"),
            "entries": [
                {
                    "item": self.column(name),
                    "old": item.get("old") or self.c("no_value"),
                    "new": item.get("new", ""),
                    "result": self.c("confirm.accept" if item.get("accept") else "confirm.decline"),
                    "reason": item.get("reason", ""),
                }
                for name, item in items.items()
            ],
        }

    # --- the audit trail ------------------------------------------------------------------------

    def actor(self, actor: str) -> str:
        if actor.startswith("staff:"):
            return self.c("actor.staff", name=actor.removeprefix("staff:"))
        if actor.startswith("token:"):
            return self.c("actor.token")
        key = f"actor.{actor}"
        return self.c(key) if self.c.has(key) else self.c("actor.other")

    def audit(self, entry: AuditEntry, row: RequestRow) -> dict[str, str]:
        try:
            data = json.loads(entry.data) if entry.data else {}
        except ValueError:
            data = {}
        key = f"event.{entry.action}"
        return {
            "at": self.when(entry.at),
            "actor": self.actor(entry.actor),
            "action": self.c(key) if self.c.has(key) else self.c("event.other"),
            "text": self._audit_text(entry.action, data if isinstance(data, dict) else {}, row),
            "raw": raw(data) if data else "",
        }

    def _audit_text(self, action: str, data: dict[str, Any], row: RequestRow) -> str:
        if action == "transition":
            return self.c(
                "audit.transition",
                old=self.state(str(data.get("from", ""))),
                new=self.state(str(data.get("to", ""))),
            )
        if action == "extended":
            return self.c(
                "audit.extended",
                old=self.when(data.get("from")),
                new=self.when(data.get("to")),
                reason=data.get("reason", ""),
            )
        if action == "denied":
            right = self.policy.right(row.kind)
            ground = str(data.get("ground", ""))
            label = ground_label(right, ground).get(self.lang) if right else ""
            return self._with_note(self.c("audit.ground", ground=label or ground), data)
        if action in ("approved", "proposed"):
            withheld = [self.category(k) for k in data.get("withhold", [])]
            text = self.c("audit.withheld", labels="、".join(withheld)) if withheld else ""
            return self._with_note(text, data)
        if action == "fee_paid":
            return self.c("audit.fee", amount=data.get("amount", ""), currency="")
        if action == "executed":
            view = self.result_of(data.get("result") or {})
            return view["summary"] if view else ""
        if action in ("documents_verified", "declined", "correction_decided"):
            return self._with_note("", data)
        return ""

    def result_of(self, result: dict[str, Any]) -> dict[str, Any] | None:
        stand_in = RequestRow(result=result)
        return self.result(stand_in)

    def _with_note(self, text: str, data: dict[str, Any]) -> str:
        note = str(data.get("note") or data.get("reason") or "")
        if not note:
            return text
        noted = self.c("audit.note", note=note)
        return f"{text} {noted}".strip()
