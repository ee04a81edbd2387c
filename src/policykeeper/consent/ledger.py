"""The consent ledger: append-only records that together prove each consent (GDPR Art. 7(1)).

Writing is the only operation: a withdrawal is a new record, never an edit. Every record points
to the notice the person was shown (the declaration's text for that purpose, in their language,
at that policy version), stored once by its hash.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal, get_args

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from policykeeper.consent.catalog import Catalog, Item
from policykeeper.store import Store
from policykeeper.store.consent_models import ConsentNotice, ConsentRecord
from policykeeper.workflow.errors import Conflict, Invalid

Source = Literal["banner", "settings", "gpc", "dnt", "api"]
SOURCES: frozenset[str] = frozenset(get_args(Source))
SIGNAL_SOURCES = frozenset({"gpc", "dnt"})
SUBJECT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:@+=\-]{0,199}$")


@dataclass(frozen=True)
class Entry:
    """A record as read back: what the current state and the export are built from."""

    id: int
    subject: str
    purpose: str
    action: str
    mechanism: str
    source: str
    policy_version: str
    language: str
    notice_hash: str
    scope_hash: str
    recorded_at: datetime

    @property
    def given(self) -> bool:
        return self.action == "given"

    @classmethod
    def of(cls, row: ConsentRecord) -> Entry:
        return cls(
            row.id,
            row.subject,
            row.purpose,
            row.action,
            row.mechanism,
            row.source,
            row.policy_version,
            row.language,
            row.notice_hash,
            row.scope_hash,
            row.recorded_at,
        )


def check_subject(subject: str) -> str:
    if not isinstance(subject, str) or not SUBJECT.match(subject):
        raise Invalid(
            "a subject is 1-200 characters: letters, digits and _ . : @ + = - "
            "(e.g. 'user_id=42' or a device id)"
        )
    return subject


class Ledger:
    """Append consent records; `listeners` hear the subject of every write (cache invalidation)."""

    def __init__(
        self, store: Store, catalog: Catalog, clock: Callable[[], datetime] | None = None
    ) -> None:
        self.store = store
        self.catalog = catalog
        self.clock = clock or (lambda: datetime.now(UTC))
        self.listeners: list[Callable[[str], None]] = []

    def record(
        self,
        subject: str,
        choices: Mapping[str, bool],
        *,
        source: str,
        language: str,
        policy_version: str | None = None,
    ) -> list[Entry]:
        """Write one record per changed choice; all or nothing. Unchanged choices write nothing."""
        items = self.validate(subject, choices, source, language, policy_version)
        now = self.clock()
        written: list[Entry] = []
        with self.store.transaction() as session:
            latest = _latest(session, subject)
            for item, given in items:
                previous = latest.get(item.key)
                action = "given" if given else "withdrawn"
                if (
                    previous is not None
                    and previous.action == action
                    and previous.scope_hash == item.scope_hash
                ):
                    continue
                notice = self._notice(session, item, language, now)
                row = ConsentRecord(
                    subject=subject,
                    purpose=item.key,
                    action=action,
                    mechanism=item.mechanism,
                    source=source,
                    policy_version=self.catalog.version,
                    language=language,
                    notice_hash=notice,
                    scope_hash=item.scope_hash,
                    recorded_at=now,
                )
                session.add(row)
                session.flush()
                written.append(Entry.of(row))
        if written:
            for listener in self.listeners:
                listener(subject)
        return written

    def latest(self, subject: str) -> dict[str, Entry]:
        """The newest record per purpose: the `consent_current` view, for one subject."""
        with self.store.transaction() as session:
            return _latest(session, subject)

    def history(self, subject: str) -> list[Entry]:
        with self.store.transaction() as session:
            rows = session.execute(
                sa.select(ConsentRecord)
                .where(ConsentRecord.subject == subject)
                .order_by(ConsentRecord.id)
            ).scalars()
            return [Entry.of(row) for row in rows]

    def notice(self, notice_hash: str) -> ConsentNotice | None:
        with self.store.transaction() as session:
            return session.get(ConsentNotice, notice_hash)

    def validate(
        self,
        subject: str,
        choices: Mapping[str, bool],
        source: str,
        language: str,
        policy_version: str | None,
    ) -> list[tuple[Item, bool]]:
        check_subject(subject)
        if source not in SOURCES:
            raise Invalid(f"source must be one of: {', '.join(sorted(SOURCES))}")
        if language not in ("ja", "en"):
            raise Invalid("language must be 'ja' or 'en'")
        if policy_version is not None and policy_version != self.catalog.version:
            raise Conflict(
                f"the choice was made on policy version {policy_version!r}, but the current "
                f"version is {self.catalog.version!r}; show the current text and ask again"
            )
        if not choices:
            raise Invalid("no choices given")
        items: list[tuple[Item, bool]] = []
        for purpose, given in choices.items():
            item = self.catalog.items.get(purpose)
            if item is None:
                if purpose in self.catalog.purposes:
                    raise Invalid(f"purpose {purpose!r} does not rest on consent")
                raise Invalid(f"unknown purpose {purpose!r}")
            if not isinstance(given, bool):
                raise Invalid(f"the choice for {purpose!r} must be true or false")
            if source in SIGNAL_SOURCES and (given or not item.opt_out_use):
                raise Invalid(
                    f"a {source.upper()} signal only opts out of sale, sharing or targeted "
                    f"advertising; {purpose!r} is not one of those"
                )
            items.append((item, given))
        return items

    def _notice(self, session: Session, item: Item, language: str, now: datetime) -> str:
        text = item.text(language)
        digest = notice_digest(self.catalog.version, language, item.key, text, item.scope)
        values = {
            "hash": digest,
            "policy_version": self.catalog.version,
            "language": language,
            "purpose": item.key,
            "text": text,
            "scope": item.scope,
            "created_at": now,
        }
        dialect = postgresql if self.store.postgres else sqlite
        session.execute(
            dialect.insert(ConsentNotice).values(values).on_conflict_do_nothing()  # type: ignore[attr-defined]
        )
        return digest


def notice_digest(
    version: str, language: str, purpose: str, text: dict[str, Any], scope: dict[str, Any]
) -> str:
    body = {"version": version, "language": language, "purpose": purpose, "text": text}
    body["scope"] = scope
    canonical = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _latest(session: Session, subject: str) -> dict[str, Entry]:
    newest = (
        sa.select(sa.func.max(ConsentRecord.id))
        .where(ConsentRecord.subject == subject)
        .group_by(ConsentRecord.purpose)
    )
    rows = session.execute(sa.select(ConsentRecord).where(ConsentRecord.id.in_(newest))).scalars()
    return {row.purpose: Entry.of(row) for row in rows}
