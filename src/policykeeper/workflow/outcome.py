"""What a completed request did, in the person's words.

The law makes the outcome something the person is told, not something staff read in a log:
that no retained personal data exists (APPI Art. 33(3)); what was erased, what a statute keeps,
until when, and that its use is stopped (APPI Art. 35(7), GDPR Art. 17(3) with Art. 18).
The status page and the completion email both read it from here, so they cannot disagree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from policykeeper.datamap.models import DataMap, Keep
from policykeeper.policy.models import Category, Policy

MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def local_date(moment: datetime | None, zone: str, lang: str) -> str:
    """「2026年12月1日」 / "1 December 2026", the day as the person's calendar has it."""
    if moment is None:
        return ""
    day = moment.astimezone(ZoneInfo(zone))
    if lang == "ja":
        return f"{day.year}年{day.month}月{day.day}日"
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def local_time(moment: datetime | None, zone: str, lang: str) -> str:
    """「2026年12月1日 15:00（JST）」 / "1 December 2026, 15:00 JST"."""
    if moment is None:
        return ""
    local = moment.astimezone(ZoneInfo(zone))
    clock, name = local.strftime("%H:%M"), local.strftime("%Z")
    if lang == "ja":
        return f"{local_date(moment, zone, lang)} {clock}（{name}）"
    return f"{local_date(moment, zone, lang)}, {clock} {name}"


def erasure_outcome(datamap: DataMap, report: dict[str, Any]) -> dict[str, Any]:
    """From the engine's erasure report: the categories erased and, per retention rule, the
    last day a kept row is held. Stored with the result, so the page needs no data map."""
    erased: set[str] = set()
    kept: dict[str, str] = {}
    for name, table in (report.get("tables") or {}).items():
        spec = datamap.tables.get(name)
        if spec is None:
            continue
        for column in spec.columns.values():
            if column.category is None:
                continue
            if table.get("deleted") or (table.get("masked") and not _kept_column(column.action())):
                erased.add(column.category)
        for row in table.get("kept_rows") or []:
            rule = row.get("rule")
            if rule:
                kept[rule] = max(kept.get(rule, ""), row.get("delete_after") or "")
    return {
        "erased": sorted(erased),
        "kept": [{"rule": rule, "until": until or None} for rule, until in sorted(kept.items())],
    }


def _kept_column(action: Any) -> bool:
    return action == "keep" or isinstance(action, Keep)


@dataclass
class Outcome:
    """The lines the person reads; empty lists when there is nothing of that kind to say."""

    no_data: bool = False
    erased: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)


def outcome(policy: Policy, result: dict[str, Any] | None, zone: str, lang: str) -> Outcome:
    result = result or {}
    if result.get("no_retained_data"):
        return Outcome(no_data=True)
    summary = result.get("outcome") or {}
    erased = _labels(policy, summary.get("erased", []), lang)
    kept = []
    for item in summary.get("kept", []):
        rule = next((r for r in policy.retention if r.id == item["rule"]), None)
        if rule is None:
            continue
        label = rule.label.get(lang) or rule.id
        why = (
            (rule.statute or rule.legal_basis).get(lang) if rule.statute or rule.legal_basis else ""
        )
        until = _parse(item.get("until"))
        kept.append(_kept_line(label, why, local_date(until, zone, lang) if until else "", lang))
    return Outcome(erased=erased, kept=kept)


def _kept_line(label: str, why: str, until: str, lang: str) -> str:
    if lang == "ja":
        when = f"{until}まで" if until else "法令の定める期間"
        return f"{label}：{when}保存します" + (f"（{why}）" if why else "")
    when = f"until {until}" if until else "for the period the law sets"
    return f"{label}: kept {when}" + (f" ({why})" if why else "")


def _parse(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def _labels(policy: Policy, keys: list[str], lang: str) -> list[str]:
    """Declared labels for category keys (the nearest declared ancestor), each once."""
    labels: list[str] = []
    for key in keys:
        category = declared(policy, key)
        label = category.label.get(lang) if category else key
        if label and label not in labels:
            labels.append(label)
    return labels


def declared(policy: Policy, key: str) -> Category | None:
    """The declared category for a key: itself, or its nearest declared ancestor."""
    matches = [c for c in policy.categories if key == c.key or key.startswith(c.key + ".")]
    return max(matches, key=lambda c: len(c.key)) if matches else None
