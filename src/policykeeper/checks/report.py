"""A promise-check report: checks, each tied to the part of the published policy it tests.

A check is tied by stable ids (a retention rule id, a tracker name, a right kind, a recipient id,
a category key) and the renderer's section anchors, never by sentence text, so rewording the
policy does not break the tie. The report carries the headings and row labels in both languages
as rendered when it ran, so a stored report reads the same later.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

Status = Literal["pass", "warn", "fail", "unavailable"]
MARKS: dict[str, str] = {"pass": "✓", "warn": "⚠", "fail": "✗", "unavailable": "–"}
SEVERITY: dict[str, int] = {"unavailable": 0, "pass": 0, "warn": 1, "fail": 2}
SECTION_ORDER = ("categories", "recipients", "trackers", "retention", "rights", "records")
"""Report order: the renderer's section anchors, then PolicyKeeper's own records."""


@dataclass(frozen=True)
class Tie:
    """Where in the published policy a check belongs: a section anchor and a row's stable id."""

    section: str
    row: str | None = None
    label: dict[str, str] = field(default_factory=dict)
    """The row as the policy names it, per language (a rule's label, a tracker's name)."""

    def to_json(self) -> dict[str, Any]:
        return {"section": self.section, "row": self.row, "label": self.label}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Tie:
        return cls(data["section"], data.get("row"), dict(data.get("label") or {}))


@dataclass(frozen=True)
class Proposal:
    """The change that would make the policy true: a draft for a file, or the system to fix."""

    target: Literal["policy.yaml", "datamap.yaml", "pages", "system"]
    draft: str | None = None
    system: str | None = None
    """For target 'system': which system must change instead (message key under `systems`)."""

    def to_json(self) -> dict[str, Any]:
        return {"target": self.target, "draft": self.draft, "system": self.system}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Proposal:
        return cls(data["target"], data.get("draft"), data.get("system"))


@dataclass(frozen=True)
class Check:
    """One promise held against the evidence. `kind` names its message; `facts` fill it in
    and are the evidence shown under it (counts and masked examples, never raw values)."""

    id: str
    kind: str
    status: Status
    tie: Tie
    subject: str
    facts: dict[str, Any] = field(default_factory=dict)
    proposals: tuple[Proposal, ...] = ()

    @property
    def mark(self) -> str:
        return MARKS[self.status]

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "status": self.status,
            "mark": self.mark,
            "tie": self.tie.to_json(),
            "subject": self.subject,
            "facts": self.facts,
            "proposals": [p.to_json() for p in self.proposals],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Check:
        return cls(
            id=data["id"],
            kind=data["kind"],
            status=data["status"],
            tie=Tie.from_json(data["tie"]),
            subject=data["subject"],
            facts=dict(data.get("facts") or {}),
            proposals=tuple(Proposal.from_json(p) for p in data.get("proposals") or []),
        )


@dataclass
class CheckReport:
    checked_at: datetime
    policy_version: str
    service: dict[str, str]
    headings: dict[str, dict[str, str]]
    """Section anchor → heading per language, as the renderer numbered and worded it."""
    checks: list[Check]
    scans: dict[str, Any] = field(default_factory=dict)
    """What was scanned: the site and its runs, the databases and columns sampled."""

    @property
    def status(self) -> Status:
        worst = max((SEVERITY[c.status] for c in self.checks), default=0)
        return ("pass", "warn", "fail")[worst]  # type: ignore[return-value]

    @property
    def failed(self) -> list[Check]:
        return [c for c in self.checks if c.status == "fail"]

    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(MARKS, 0)
        for check in self.checks:
            counts[check.status] += 1
        return counts

    def sections(self) -> list[tuple[str, list[Check]]]:
        """Checks grouped under their policy section, in the policy's order."""
        known = [s for s in SECTION_ORDER if any(c.tie.section == s for c in self.checks)]
        extra = sorted({c.tie.section for c in self.checks} - set(SECTION_ORDER))
        return [(s, [c for c in self.checks if c.tie.section == s]) for s in [*known, *extra]]

    def to_json(self) -> dict[str, Any]:
        return {
            "report": "policykeeper.promise_checks",
            "checked_at": self.checked_at.isoformat(),
            "policy_version": self.policy_version,
            "service": self.service,
            "status": self.status,
            "counts": self.counts(),
            "headings": self.headings,
            "checks": [c.to_json() for c in self.checks],
            "scans": self.scans,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> CheckReport:
        return cls(
            checked_at=datetime.fromisoformat(data["checked_at"]),
            policy_version=data["policy_version"],
            service=dict(data["service"]),
            headings={k: dict(v) for k, v in data["headings"].items()},
            checks=[Check.from_json(c) for c in data["checks"]],
            scans=dict(data.get("scans") or {}),
        )
