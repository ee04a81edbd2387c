"""Third-party provision records (第三者提供記録), APPI Arts. 29 and 30 and the Enforcement Rules.

Provider side (Art. 29, Rules Art. 20): for each provision to a recipient the declaration marks
as third-party provision (by consent or opt-out; never entrustment, joint use, business
succession or the Art. 27(1) cases), the date, the recipient's name and address (and
representative), the person, the items, and the consent or the opt-out basis. Receiver side
(Art. 30, Rules Arts. 22 and 24): also the provider's name, address and representative and how
the provider obtained the data, and for data received by opt-out that the Commission published
the provider's notification. Records are kept three years from the last provision they cover
(one year where the contract is the record) and then purged by the retention sweep.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any, Literal

import sqlalchemy as sa
from pydantic import Field

from policykeeper.datamap.values import coerce
from policykeeper.engine.identity import Identity
from policykeeper.engine.runtime import runtime
from policykeeper.errors import InputError
from policykeeper.policy.laws.appi import APPI
from policykeeper.policy.models import CategoryKey, Identifier, Policy, Provision, Recipient
from policykeeper.policy.taxonomy import builtin
from policykeeper.policy.types import Duration, Strict
from policykeeper.project import Project
from policykeeper.store import Store
from policykeeper.store.provision_export import normal_subject
from policykeeper.store.records_models import ProvisionRecord, ProvisionSubject
from policykeeper.workflow import audit
from policykeeper.workflow.errors import Conflict, Invalid, NotFound

KEPT = APPI.record_keeping["third_party_provision"]
KEPT_AS_CONTRACT = APPI.record_keeping["third_party_provision_by_contract"]
RECORDED = {Provision.consent, Provision.opt_out}
NOT_RECORDED = {
    Provision.entrustment: "entrustment (委託)",
    Provision.joint_use: "joint use (共同利用)",
    Provision.business_succession: "business succession",
    Provision.law: "a case of APPI Art. 27(1)",
    Provision.not_identifiable: "data that identifies no one",
    Provision.contract: "a GDPR basis outside APPI",
    Provision.legitimate_interests: "a GDPR basis outside APPI",
}


class Basis(StrEnum):
    consent = "consent"
    opt_out = "opt_out"


class NewProvision(Strict):
    """One provision (or a recurring one) to a declared recipient."""

    recipient: Identifier = Field(description="A recipient id from policy.yaml.")
    subjects: list[str] = Field(
        min_length=1, max_length=10000, description="The people, each as KIND=VALUE."
    )
    person_name: str | None = Field(None, max_length=200)
    items: list[CategoryKey] = Field(min_length=1)
    provided_at: datetime
    basis: Basis | None = Field(None, description="Default: the recipient's declared provision.")
    recipient_address: str | None = Field(None, max_length=500)
    recipient_representative: str | None = Field(None, max_length=200)
    recurring: bool = Field(
        False, description="One record for repeated provisions (Rules Art. 19(2))."
    )
    contract_record: bool = Field(
        False, description="The contract with the person is the record: kept one year."
    )
    note: str | None = Field(None, max_length=2000)


class NewReceipt(Strict):
    """Personal data received from a third party, with what the receiver must confirm."""

    provider_name: str = Field(min_length=1, max_length=500)
    provider_address: str = Field(min_length=1, max_length=500)
    provider_representative: str | None = Field(None, max_length=200)
    acquisition: str = Field(
        min_length=1, max_length=2000, description="How the provider obtained the data."
    )
    subjects: list[str] = Field(min_length=1, max_length=10000)
    person_name: str | None = Field(None, max_length=200)
    items: list[CategoryKey] = Field(min_length=1)
    received_at: datetime
    basis: Basis
    ppc_published: bool | None = Field(
        None, description="Opt-out: the Commission published the provider's notification."
    )
    recurring: bool = False
    contract_record: bool = False
    note: str | None = Field(None, max_length=2000)


def record_provision(
    project: Project, store: Store, new: NewProvision, *, now: datetime, actor: str
) -> ProvisionRecord:
    """Record a provision to a declared third-party recipient; refused for entrustment and the
    other cases APPI Art. 29 exempts, so the ledger holds only what the law asks for."""
    policy = project.policy
    recipient = _recipient(policy, new.recipient)
    basis = new.basis or Basis(recipient.provision.value)
    if basis is Basis.opt_out and not (new.recipient_address or _declared_address(recipient)):
        raise Invalid("a provision by opt-out records the recipient's address")
    items = _items(policy, new.items)
    beyond = [key for key in new.items if not _declared_for(policy, recipient, key)]
    record = ProvisionRecord(
        id=uuid.uuid4().hex,
        direction="provided",
        recipient=recipient.id,
        counterparty_name=recipient.name.get(policy.languages.authoritative),
        counterparty_address=new.recipient_address or _declared_address(recipient),
        counterparty_representative=new.recipient_representative,
        basis=basis.value,
        items=items,
        beyond_declared=beyond,
        person_name=new.person_name,
        acquisition=None,
        ppc_published=None,
        note=new.note,
        **_dates(new.provided_at, new.contract_record, new.recurring, now, actor),
    )
    return _save(project, store, record, new.subjects, now, actor)


def record_receipt(
    project: Project, store: Store, new: NewReceipt, *, now: datetime, actor: str
) -> ProvisionRecord:
    """Record data received from a third party with the Art. 30 confirmation items."""
    if new.basis is Basis.opt_out and not new.ppc_published:
        raise Invalid(
            "data received by opt-out records that the Commission published the provider's "
            "notification (ppc_published: true)"
        )
    record = ProvisionRecord(
        id=uuid.uuid4().hex,
        direction="received",
        recipient=None,
        counterparty_name=new.provider_name,
        counterparty_address=new.provider_address,
        counterparty_representative=new.provider_representative,
        basis=new.basis.value,
        items=_items(project.policy, new.items),
        beyond_declared=[],
        person_name=new.person_name,
        acquisition=new.acquisition,
        ppc_published=new.ppc_published,
        note=new.note,
        **_dates(new.received_at, new.contract_record, new.recurring, now, actor),
    )
    return _save(project, store, record, new.subjects, now, actor)


def recur(
    store: Store, record_id: str, *, at: datetime, now: datetime, actor: str
) -> ProvisionRecord:
    """Another provision under a recurring record: its three years run from this one."""
    with store.transaction() as session:
        record = session.get(ProvisionRecord, record_id, with_for_update=True)
        if record is None:
            raise NotFound("no such provision record")
        if not record.recurring:
            raise Conflict("this record covers one provision; record the new one on its own")
        if at < record.last_at:
            raise Invalid("a recurrence cannot come before the last provision recorded")
        record.last_at = at
        record.purge_after = Duration.parse(record.keep).after(at)
        audit.append(
            session,
            at=now,
            actor=actor,
            action="provision_recurred",
            data={"record": record_id, "at": at.isoformat()},
        )
        return record


def list_provisions(
    store: Store,
    *,
    subject: str | None = None,
    recipient: str | None = None,
    direction: Literal["provided", "received"] | None = None,
    limit: int = 500,
) -> list[ProvisionRecord]:
    query = sa.select(ProvisionRecord).order_by(ProvisionRecord.first_at.desc()).limit(limit)
    if subject is not None:
        kind, _, value = subject.partition("=")
        query = query.where(
            ProvisionRecord.id.in_(
                sa.select(ProvisionSubject.record_id).where(
                    ProvisionSubject.subject == normal_subject(kind, value)
                )
            )
        )
    if recipient is not None:
        query = query.where(ProvisionRecord.recipient == recipient)
    if direction is not None:
        query = query.where(ProvisionRecord.direction == direction)
    with store.transaction() as session:
        return list(session.execute(query).scalars())


def subjects_of(store: Store, record_id: str) -> list[str]:
    with store.transaction() as session:
        return list(
            session.execute(
                sa.select(ProvisionSubject.subject)
                .where(ProvisionSubject.record_id == record_id)
                .order_by(ProvisionSubject.subject)
            ).scalars()
        )


def purge_provisions(store: Store, now: datetime, actor: str) -> int:
    """Delete the records whose keeping period has ended; the audit log keeps the count."""
    with store.transaction() as session:
        due = list(
            session.execute(
                sa.select(ProvisionRecord.id).where(ProvisionRecord.purge_after <= now)
            ).scalars()
        )
        if not due:
            return 0
        for start in range(0, len(due), 1000):
            chunk = due[start : start + 1000]
            session.execute(
                sa.delete(ProvisionSubject).where(ProvisionSubject.record_id.in_(chunk))
            )
            session.execute(sa.delete(ProvisionRecord).where(ProvisionRecord.id.in_(chunk)))
        audit.append(
            session,
            at=now,
            actor=actor,
            action="provision_records_purged",
            data={"records": len(due)},
        )
        return len(due)


def provided_by_recipient(policy: Policy) -> list[Recipient]:
    """The declared recipients whose provisions are recorded."""
    return [r for r in policy.recipients if r.provision in RECORDED]


# --- internals --------------------------------------------------------------------------------


def _recipient(policy: Policy, recipient_id: str) -> Recipient:
    recipient = policy.recipient(recipient_id)
    if recipient is None:
        declared = ", ".join(r.id for r in provided_by_recipient(policy)) or "none"
        raise Invalid(
            f"'{recipient_id}' is not a recipient in policy.yaml "
            f"(recipients whose provisions are recorded: {declared})"
        )
    if recipient.provision not in RECORDED:
        why = NOT_RECORDED.get(recipient.provision, recipient.provision.value)
        raise Invalid(
            f"'{recipient_id}' receives data by {why}: APPI Art. 29 asks no provision record"
        )
    return recipient


def _declared_address(recipient: Recipient) -> str | None:
    addresses = [e.address for e in recipient.entities if e.address is not None]
    return addresses[0].get("ja") if addresses else None


def _declared_for(policy: Policy, recipient: Recipient, key: str) -> bool:
    return any(policy.covers(declared, key) for declared in recipient.categories)


def _items(policy: Policy, keys: list[str]) -> list[dict[str, Any]]:
    items = []
    for key in dict.fromkeys(keys):
        declared = policy.category(key)
        if declared is not None:
            label = {"ja": declared.label.get("ja"), "en": declared.label.get("en")}
        elif (builtin_label := builtin().categories.get(key)) is not None:
            label = {"ja": builtin_label.ja, "en": builtin_label.en}
        else:
            raise Invalid(f"unknown category '{key}'")
        items.append({"key": key, "label": label})
    return items


def _dates(
    at: datetime, contract: bool, recurring: bool, now: datetime, actor: str
) -> dict[str, Any]:
    if at.tzinfo is None:
        raise Invalid("the date of provision needs a time zone, e.g. 2026-05-01T12:00+09:00")
    if at > now:
        raise Invalid("a provision is recorded once it has happened, not before")
    keep = KEPT_AS_CONTRACT if contract else KEPT
    return {
        "first_at": at,
        "last_at": at,
        "recurring": recurring,
        "keep": str(keep),
        "purge_after": keep.after(at),
        "recorded_at": now,
        "recorded_by": actor,
    }


def _save(
    project: Project,
    store: Store,
    record: ProvisionRecord,
    subjects: list[str],
    now: datetime,
    actor: str,
) -> ProvisionRecord:
    identifiers = _identifiers(project, subjects)
    with store.transaction() as session:
        session.add(record)
        session.flush()
        session.execute(
            sa.insert(ProvisionSubject),
            [{"record_id": record.id, "subject": s} for s in sorted(identifiers)],
        )
        audit.append(
            session,
            at=now,
            actor=actor,
            action=f"provision_{record.direction}",
            data={
                "record": record.id,
                "counterparty": record.counterparty_name,
                "recipient": record.recipient,
                "basis": record.basis,
                "items": [item["key"] for item in record.items],
                "people": len(subjects),
                "beyond_declared": record.beyond_declared,
            },
        )
        return record


def _identifiers(project: Project, subjects: list[str]) -> set[str]:
    """Each person under every identity the data map finds for them (their email and their
    user id), so an access request by either finds the record."""
    datamap = project.datamap
    found: set[str] = set()
    for text in subjects:
        try:
            identity = Identity.parse(text)
        except InputError as exc:
            raise Invalid(str(exc)) from None
        if identity.kind not in datamap.identities:
            kinds = ", ".join(sorted(datamap.identities))
            raise Invalid(
                f"unknown identity kind '{identity.kind}'; the data map declares: {kinds}"
            )
        found.add(normal_subject(identity.kind, identity.value))
        found |= _same_person(project, identity)
    return found


def _same_person(project: Project, identity: Identity) -> set[str]:
    datamap = project.datamap
    column = datamap.identities[identity.kind]
    siblings = {
        kind: other.column
        for kind, other in datamap.identities.items()
        if other.table == column.table and kind != identity.kind
    }
    if not siblings:
        return set()
    rt = runtime(project)
    live = rt.tables.get(column.table)
    if live is None:
        return set()
    try:
        value = coerce(live.c[column.column], identity.value)
    except ValueError as exc:
        raise Invalid(f"identity {identity.kind}: {exc}") from None
    with rt.source_of(column.table).engine.connect() as connection:
        row = (
            connection.execute(
                sa.select(*(live.c[c] for c in siblings.values()))
                .where(live.c[column.column] == value)
                .limit(2)
            )
            .mappings()
            .all()
        )
    if len(row) != 1:
        return set()
    return {
        normal_subject(kind, str(row[0][name]))
        for kind, name in siblings.items()
        if row[0][name] is not None
    }
