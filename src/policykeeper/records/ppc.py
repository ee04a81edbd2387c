"""The leak report in the Commission's structure (Enforcement Rules Art. 8), in Japanese, field
by field in the order of its online form, ready to copy.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from policykeeper.policy.models import Policy
from policykeeper.records.text import Words, words
from policykeeper.store.records_models import Incident, Mailing

STAGES = ("preliminary", "final")


@dataclass(frozen=True)
class ReportField:
    label: str
    value: str


def ppc_report(
    policy: Policy, incident: Incident, mailing: Mailing | None, stage: str, lang: str = "ja"
) -> list[ReportField]:
    """The report's fields; what staff have not written yet says so instead of guessing."""
    w = words(lang, policy.self_reference)
    texts = incident.texts.get(lang) or incident.texts.get("ja") or {}
    missing = str(w("report.not_stated"))

    def written(key: str) -> str:
        return str(texts.get(key) or missing)

    def named(value: object) -> str:
        return value.get(lang) if hasattr(value, "get") and not isinstance(value, str) else missing

    operators = policy.operators
    fields = [
        ("report.operator", "、".join(o.name.get(lang) for o in operators)),
        ("report.address", "、".join(named(o.address) for o in operators)),
        ("report.representative", "、".join(named(o.representative) for o in operators)),
        ("report.stage", str(w(f"clock.{stage}"))),
        (
            "report.reasons",
            "\n".join(str(w(f"reason.{r}")) for r in incident.assessment["appi"]["reasons"]),
        ),
        ("report.discovered", w.day(incident.discovered_at)),
        (
            "report.occurred",
            w.span(incident.occurred_from, incident.occurred_to)
            if incident.occurred_from or incident.occurred_to
            else missing,
        ),
        ("report.summary", "\n".join(filter(None, [incident.title, texts.get("summary")]))),
        ("report.items", _items(policy, incident, w)),
        ("report.persons", _persons(incident, w)),
        (
            "report.cause",
            "\n".join(filter(None, [w.cause(incident.cause), texts.get("cause")])),
        ),
        ("report.harm", written("harm")),
        ("report.response", _response(incident, mailing, w)),
        ("report.publication", _publication(incident, w)),
        ("report.prevention", written("prevention")),
        ("report.other", written("other")),
    ]
    return [ReportField(str(w(key)), value) for key, value in fields]


def as_text(fields: list[ReportField]) -> str:
    return "\n\n".join(f"{f.label}\n{f.value}" for f in fields) + "\n"


def _items(policy: Policy, incident: Incident, w: Words) -> str:
    """Each affected item's categories, marking what strong encryption protected."""
    lines = []
    for item in incident.scope:
        part = item.get("table") or item.get("elsewhere") or {}
        keys = [str(k) for k in item.get("categories") or []]
        if keys:
            encrypted = str(w("report.encrypted")) if part.get("encrypted") else ""
            lines.append(w.categories(policy, keys) + encrypted)
    return "\n".join(dict.fromkeys(lines)) or w.categories(policy, incident.categories)


def _persons(incident: Incident, w: Words) -> str:
    if incident.persons_elsewhere:
        names = [str(item["elsewhere"]["name"]) for item in incident.scope if "elsewhere" in item]
        return str(
            w(
                "report.persons_more",
                count=f"{incident.persons:,}",
                estimate=f"{incident.persons_elsewhere:,}",
                elsewhere="、".join(names),
            )
        )
    return str(w("report.persons_count", count=f"{incident.persons:,}"))


def _response(incident: Incident, mailing: Mailing | None, w: Words) -> str:
    if mailing is None:
        return str(w("report.notice_none"))
    lines = []
    if mailing.state == "done":
        lines.append(
            w(
                "report.notice_done",
                date=w.day(mailing.finished_at),
                count=f"{mailing.sent:,}",
                failed=f"{mailing.failed:,}",
            )
        )
    else:
        lines.append(
            w(
                "report.notice_running",
                date=w.day(mailing.started_at or mailing.created_at),
                sent=f"{mailing.sent:,}",
                total=f"{mailing.total:,}",
            )
        )
    unreachable = int((mailing.skipped or {}).get("no_address", 0))
    if unreachable:
        lines.append(w("report.unreachable", count=f"{unreachable:,}"))
    return "\n".join(str(line) for line in lines)


def _publication(incident: Incident, w: Words) -> str:
    if not incident.announcement:
        return str(w("report.not_announced"))
    announced = incident.announcement
    return str(
        w(
            "report.announced",
            date=w.day(datetime.fromisoformat(announced["at"])),
            url=announced["url"],
            reason=announced["reason"],
        )
    )
