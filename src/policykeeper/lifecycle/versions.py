"""Published versions: `publish` freezes the declaration as a numbered version with its rendered
text, checks the effective date against the notice period the version in force promised, and
queues the notice to account holders when a material change needs one.

The version in force at a moment is the newest whose effective moment (midnight of its date in
the operator's time zone) has passed: it switches by itself on the effective date.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from pydantic import ValidationError

from policykeeper.consent.reconsent import reconsent_diff
from policykeeper.datamap.loading import datamap_path
from policykeeper.errors import Problem, ProblemsFound
from policykeeper.lifecycle.diff import Change, diff, is_material
from policykeeper.lifecycle.notices import notice_message
from policykeeper.policy.loading import POLICY_FILE, load_policy, project_directory
from policykeeper.policy.models import Policy
from policykeeper.policy.source import read_yaml
from policykeeper.records.mailings import DEFAULT_PACE, create_mailing
from policykeeper.render import render_policy
from policykeeper.store import Store
from policykeeper.store.lifecycle_models import PolicyText, PolicyVersion
from policykeeper.workflow import audit
from policykeeper.workflow.errors import Conflict, Invalid, NotFound
from policykeeper.workflow.settings import DEFAULT_CALENDARS

FORMATS = ("html", "md")
HISTORY_PATH = "/policy/history"


class NoticeTooShort(Invalid):
    """The effective date comes before the notice period the version in force promised."""


@dataclass(frozen=True)
class Published:
    number: int
    label: str
    effective_date: date
    effective_at: datetime
    material: bool
    changes: list[Change]
    notice_days: int | None
    mailing_id: str | None

    def to_json(self) -> dict[str, Any]:
        return {
            "version": self.number,
            "label": self.label,
            "effective_date": self.effective_date.isoformat(),
            "material": self.material,
            "changes": [c.to_json() for c in self.changes],
            "notice_days": self.notice_days,
            "mailing": self.mailing_id,
        }


def operator_timezone(policy: Policy) -> str:
    """Where the effective date is a date: the first declared jurisdiction's calendar."""
    return DEFAULT_CALENDARS[policy.jurisdictions[0]].timezone


def effective_moment(day: date, timezone: str) -> datetime:
    return datetime.combine(day, time(0), ZoneInfo(timezone)).astimezone(UTC)


def publish(
    policy: Policy,
    store: Store,
    effective: date,
    *,
    now: datetime,
    actor: str,
    timezone: str,
    base_url: str,
    source: Any = None,
    pace: float = DEFAULT_PACE,
    accounts_known: bool = True,
) -> Published:
    """Freeze `policy` as the next version, taking effect on `effective`.

    Refused (nothing written) when nothing changed, when the version label was used before,
    when the date is not after the last version's, when it lies in the past, or when a
    change that needs notice would take effect before the promised notice period has run.
    `source` (the policy.yaml document) locates the label problem in the file;
    `accounts_known` is False for a project without a data map, which cannot send notices."""
    dated = policy.model_copy(update={"effective_date": effective})
    declaration = dated.model_dump(mode="json")
    effective_at = effective_moment(effective, timezone)
    today = now.astimezone(ZoneInfo(timezone)).date()
    with store.transaction() as session:
        versions = list(
            session.execute(sa.select(PolicyVersion).order_by(PolicyVersion.number)).scalars()
        )
    latest = versions[-1] if versions else None
    current = _in_force(versions, now) or latest
    changes = diff(latest.declaration, declaration) if latest is not None else []
    _check(policy, versions, latest, changes, effective, today, source)
    material = is_material(changes)
    notice_days = _notice_days(current, material) if latest is not None else None
    if notice_days is not None and effective < today + timedelta(days=notice_days):
        earliest = today + timedelta(days=notice_days)
        raise NoticeTooShort(
            f"version {current.number if current else ''} promises {notice_days} days' notice "
            f"of {'a material change' if material else 'a change'}: the earliest effective date "
            f"is {earliest.isoformat()}"
        )
    if notice_days is not None and not accounts_known:
        raise Invalid(
            f"this change needs {notice_days} days' notice to account holders, and without a "
            "datamap.yaml PolicyKeeper cannot find them"
        )
    reconsent = _reconsent(latest, dated)
    number = (latest.number if latest else 0) + 1
    texts = {
        (lang.value, fmt): render_policy(dated, lang.value, fmt)
        for lang in policy.languages.published
        for fmt in FORMATS
    }
    mailing_id = None
    with store.transaction() as session:
        if session.get(PolicyVersion, number) is not None:
            raise Conflict("another version was published at the same time; publish again")
        session.add(
            PolicyVersion(
                number=number,
                label=policy.version,
                digest=_digest(declaration),
                declaration=declaration,
                effective_date=effective,
                effective_at=effective_at,
                published_at=now,
                published_by=actor,
                previous=latest.number if latest else None,
                changes=[c.to_json() for c in changes],
                material=material,
                reconsent=reconsent,
                notice_days=notice_days,
            )
        )
        session.flush()
        for (lang, fmt), content in texts.items():
            session.add(PolicyText(number=number, lang=lang, fmt=fmt, content=content))
        if notice_days is not None:
            history_url = f"{base_url.rstrip('/')}{HISTORY_PATH}?to={number}"
            messages = {
                lang.value: notice_message(
                    dated,
                    changes,
                    effective,
                    lang.value,
                    history_url=history_url,
                    reconsent=reconsent,
                )
                for lang in policy.languages.published
            }
            mailing = create_mailing(
                session,
                purpose="policy_change",
                ref=str(number),
                audience={"kind": "account_holders"},
                messages=messages,
                fallback=_fallback(policy),
                now=now,
                actor=actor,
                pace=pace,
            )
            mailing_id = mailing.id
            session.execute(
                sa.update(PolicyVersion)
                .where(PolicyVersion.number == number)
                .values(mailing_id=mailing_id)
            )
        audit.append(
            session,
            at=now,
            actor=actor,
            action="policy_published",
            data={
                "version": number,
                "label": policy.version,
                "effective_date": effective.isoformat(),
                "material": material,
                "changes": len(changes),
                "notice_days": notice_days,
                "mailing": mailing_id,
                "reconsent": sorted(reconsent),
            },
        )
    return Published(
        number, policy.version, effective, effective_at, material, changes, notice_days, mailing_id
    )


def list_versions(store: Store) -> list[PolicyVersion]:
    with store.transaction() as session:
        return list(
            session.execute(sa.select(PolicyVersion).order_by(PolicyVersion.number)).scalars()
        )


def get_version(store: Store, number: int) -> PolicyVersion:
    with store.transaction() as session:
        version = session.get(PolicyVersion, number)
        if version is None:
            raise NotFound(f"no version {number}")
        return version


def in_force(store: Store, now: datetime) -> PolicyVersion | None:
    """The published version people are bound by at `now`; None before the first one."""
    with store.transaction() as session:
        return session.execute(
            sa.select(PolicyVersion)
            .where(PolicyVersion.effective_at <= now)
            .order_by(PolicyVersion.number.desc())
            .limit(1)
        ).scalar_one_or_none()


def upcoming(store: Store, now: datetime) -> list[PolicyVersion]:
    """Versions published and announced but not yet in force, soonest first."""
    with store.transaction() as session:
        return list(
            session.execute(
                sa.select(PolicyVersion)
                .where(PolicyVersion.effective_at > now, PolicyVersion.published_at <= now)
                .order_by(PolicyVersion.number)
            ).scalars()
        )


def version_text(store: Store, number: int, lang: str, fmt: str) -> str:
    """The text exactly as it was published."""
    with store.transaction() as session:
        text = session.get(PolicyText, (number, lang, fmt))
        if text is None:
            if session.get(PolicyVersion, number) is None:
                raise NotFound(f"no version {number}")
            raise NotFound(f"version {number} has no {lang} {fmt} text")
        return text.content


def published_text(
    store: Store, now: datetime, lang: str, fmt: str, number: int | None = None
) -> str:
    """The text of version `number`, or of the version in force at `now`, as published."""
    if number is None:
        current = in_force(store, now)
        if current is None:
            raise NotFound("no version is in force yet: publish one first")
        number = current.number
    return version_text(store, number, lang, fmt)


def changes_between(store: Store, older: int, newer: int) -> list[Change]:
    """The difference between any two versions, in either order of asking."""
    first, second = sorted((older, newer))
    return diff(get_version(store, first).declaration, get_version(store, second).declaration)


def declared(version: PolicyVersion) -> Policy:
    """A version's declaration as a model, read once per version and kept (pages cache by the
    object's identity, so it must stay alive)."""
    return _declared(version.number, version.digest, json.dumps(version.declaration))


@cache
def _declared(number: int, digest: str, text: str) -> Policy:
    try:
        return Policy.model_validate(json.loads(text))
    except ValidationError as exc:
        raise Conflict(
            f"version {number} no longer reads as a declaration of this PolicyKeeper: "
            f"{exc.errors()[0]['msg']}"
        ) from None


# --- checks -----------------------------------------------------------------------------------


def _check(
    policy: Policy,
    versions: list[PolicyVersion],
    latest: PolicyVersion | None,
    changes: list[Change],
    effective: date,
    today: date,
    source: Any,
) -> None:
    if latest is None:
        return
    if not changes:
        raise Invalid(
            f"nothing changed since version {latest.number} ({latest.label}): nothing to publish"
        )
    used = next((v for v in versions if v.label == policy.version), None)
    if used is not None:
        message = (
            f"version '{policy.version}' was published as version {used.number}; "
            "give the changed policy its own version"
        )
        if source is not None:
            raise ProblemsFound([source.problem(("version",), message)])
        raise ProblemsFound([Problem("policy.yaml", 0, 0, message)])
    if effective <= latest.effective_date:
        raise Invalid(
            f"version {latest.number} takes effect on {latest.effective_date.isoformat()}; "
            "a newer version must take effect after it"
        )
    if effective < today:
        raise Invalid(f"the effective date {effective.isoformat()} is in the past")


def _notice_days(current: PolicyVersion | None, material: bool) -> int | None:
    """The notice the version in force promised for this change, if any (read defensively:
    the changes clause of an older declaration may lack fields a newer model has)."""
    if current is None:
        return None
    clause = current.declaration.get("changes") or {}
    days = clause.get("notice_days")
    if clause.get("effective") != "after_notice" or not isinstance(days, int) or days <= 0:
        return None
    if clause.get("material_changes_only") and not material:
        return None
    return days


def _in_force(versions: list[PolicyVersion], now: datetime) -> PolicyVersion | None:
    passed = [v for v in versions if v.effective_at <= now]
    return passed[-1] if passed else None


def _reconsent(latest: PolicyVersion | None, policy: Policy) -> dict[str, Any]:
    """Purposes whose opt-in consent the change widens: the consent flow asks again."""
    if latest is None:
        return {}
    try:
        return reconsent_diff(declared(latest), policy)
    except Conflict:
        return {}  # the ledger still asks again: each consent carries its own scope hash


def _fallback(policy: Policy) -> list[str]:
    order = [policy.languages.authoritative.value]
    return order + [lang.value for lang in policy.languages.published if lang.value not in order]


def _digest(declaration: dict[str, Any]) -> str:
    text = json.dumps(declaration, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def publish_project(
    directory: Path | str,
    store: Store,
    effective: date,
    *,
    now: datetime,
    actor: str,
    base_url: str,
    timezone: str | None = None,
    pace: float = DEFAULT_PACE,
) -> Published:
    """`publish` for a project directory: its policy.yaml, located problems, its data map."""
    path = project_directory(directory)
    policy = load_policy(path)
    return publish(
        policy,
        store,
        effective,
        now=now,
        actor=actor,
        timezone=timezone or operator_timezone(policy),
        base_url=base_url,
        source=read_yaml(path / POLICY_FILE),
        pace=pace,
        accounts_known=datamap_path(path).is_file(),
    )
