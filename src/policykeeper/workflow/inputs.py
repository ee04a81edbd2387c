"""The one place where what a person sends is checked: the form, the JSON API and the Python
API all call these rules, so an address, an agent or a correction accepted by one is accepted
by all, and a bad value is refused before anything is stored.
"""

from __future__ import annotations

import json
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from email_validator import EmailNotValidError, validate_email
from pydantic import ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from policykeeper.datamap.loading import datamap_path, load_datamap
from policykeeper.datamap.models import Procedures
from policykeeper.policy.models import (
    Agents,
    Jurisdiction,
    LegalBasis,
    Policy,
    Purpose,
    RequestGround,
    Right,
    RightKind,
)
from policykeeper.policy.types import Text
from policykeeper.workflow.errors import Invalid

EMAIL_MAX = 254
"""RFC 5321's limit on a forward path; longer addresses cannot receive mail."""
TEXT_MAX = 2000
NAME_MAX = 200
DETAILS_MAX_BYTES = 16 * 1024
AGENT_KEYS = frozenset({"name", "email", "relationship"})


def parse_email(value: Any, field: str = "email") -> str:
    """Exactly one RFC 5322 addr-spec: no list, no display name, no line break, no quoting;
    returned with its domain lowercased and its local part in NFC."""
    if not isinstance(value, str):
        raise Invalid(f"{field}: an email address is required")
    if any(unicodedata.category(c) == "Cc" for c in value):
        raise Invalid(f"{field}: line breaks and control characters are not allowed")
    text = value.strip(" ")
    if not text:
        raise Invalid(f"{field}: an email address is required")
    if len(text) > EMAIL_MAX:
        raise Invalid(f"{field}: an email address has at most {EMAIL_MAX} characters")
    try:
        checked = validate_email(text, check_deliverability=False)
    except EmailNotValidError as exc:
        raise Invalid(f"{field}: {exc}") from None
    return str(checked.normalized)


def plain_text(value: Any, field: str, limit: int = TEXT_MAX, *, lines: bool = False) -> str:
    """Text a person typed: a string of at most `limit` characters without control characters
    (newlines only where `lines` allows them)."""
    if not isinstance(value, str):
        raise Invalid(f"{field}: text is required")
    allowed = {"\n", "\r", "\t"} if lines else set()
    if any(unicodedata.category(c) == "Cc" and c not in allowed for c in value):
        raise Invalid(f"{field}: control characters are not allowed")
    text = value.strip()
    if len(text) > limit:
        raise Invalid(f"{field}: at most {limit} characters")
    return text


# --- who may ask ---------------------------------------------------------------------------


def agents_allowed(right: Right, jurisdictions: Iterable[Jurisdiction] | None = None) -> bool:
    """Whether an agent may ask for the person: only where the declaration says so, for one of
    the person's laws (a jurisdiction's own terms win over the general ones); with no
    jurisdictions given, under any of the right's terms."""
    if jurisdictions is None:
        terms = [right.agents, *(t.agents for t in right.by_jurisdiction.values())]
    else:
        terms = [_agent_terms(right, j) for j in jurisdictions] or [right.agents]
    return any(agents is not None and agents.allowed for agents in terms)


def _agent_terms(right: Right, jurisdiction: Jurisdiction) -> Agents | None:
    own = right.by_jurisdiction.get(jurisdiction)
    return own.agents if own is not None and own.agents is not None else right.agents


def check_agent(agent: Any) -> dict[str, str]:
    """The agent's name (required), address and relationship, each bounded and well-formed."""
    if not isinstance(agent, dict):
        raise Invalid("agent: an object with name, email and relationship is expected")
    unknown = sorted(set(agent) - AGENT_KEYS)
    if unknown:
        raise Invalid(f"agent: unknown fields: {', '.join(map(str, unknown))}")
    name = plain_text(agent.get("name") or "", "agent.name", NAME_MAX)
    if not name:
        raise Invalid("agent.name: the agent's name is required")
    checked = {"name": name}
    if agent.get("email"):
        checked["email"] = parse_email(agent["email"], "agent.email")
    if agent.get("relationship"):
        checked["relationship"] = plain_text(agent["relationship"], "agent.relationship", NAME_MAX)
    return checked


# --- what may be asked ---------------------------------------------------------------------


@dataclass(frozen=True)
class CorrectableField:
    """A column a person may ask to correct, named `table.column`, with its category."""

    name: str
    category: str
    column_label: Text | None = None
    table_label: Text | None = None


def correctable_fields(project_dir: Path | None, policy: Policy) -> list[CorrectableField]:
    """Columns of the person's own rows holding data they gave us, except credentials: what
    the declaration offers for correction; a meta table's keys count as its columns
    (`wp_usermeta.billing_phone`), as the engine names them. None without a data map."""
    if project_dir is None or not datamap_path(project_dir).is_file():
        return []
    datamap = load_datamap(project_dir, policy)
    fields = []
    for table_name, table in datamap.tables.items():
        if table.rows != "owned":
            continue
        for column_name, category_key, meta_key in table.categorised():
            category = policy.category(category_key)
            if category is None or [s.value for s in category.sources] != ["provided"]:
                continue
            if category.key.startswith("user.authorization"):
                continue
            column = table.columns.get(column_name) if meta_key is None else None
            fields.append(
                CorrectableField(
                    f"{table_name}.{meta_key or column_name}",
                    category.key,
                    column.label if column is not None else None,
                    table.label,
                )
            )
    return fields


def correction_labels(fields: list[CorrectableField], policy: Policy, lang: str) -> dict[str, str]:
    """Each correctable field's name for the person, never two alike: the column's declared
    label, else its category's; a label shared by several fields is qualified by its table's
    label (メールアドレス（会員情報）), and one still shared is numbered, so the person can tell
    every item apart."""

    def text(value: Text | None) -> str:
        return (value.get(lang) or "") if value is not None else ""

    def own(field: CorrectableField) -> str:
        category = policy.category(field.category)
        return text(field.column_label) or (text(category.label) if category else "") or field.name

    def qualified(label: str, by: str) -> str:
        return f"{label}（{by}）" if lang == "ja" else f"{label} ({by})"

    labels = {f.name: own(f) for f in fields}
    counts = Counter(labels.values())
    for field in fields:
        table = text(field.table_label)
        if counts[labels[field.name]] > 1 and table and table != labels[field.name]:
            labels[field.name] = qualified(labels[field.name], table)
    seen: Counter[str] = Counter()
    counts = Counter(labels.values())
    for field in fields:
        label = labels[field.name]
        if counts[label] > 1:
            seen[label] += 1
            labels[field.name] = qualified(label, str(seen[label]))
    return labels


def staff_procedures(project_dir: Path | None) -> Procedures:
    """The data map's `procedures` section alone (four eyes, the reference prefix), checked by
    its own model: a decision must not depend on the rest of the map loading; the defaults
    without a map."""
    if project_dir is None or not datamap_path(project_dir).is_file():
        return Procedures()
    try:
        data = YAML(typ="safe").load(datamap_path(project_dir).read_text("utf-8")) or {}
    except (OSError, UnicodeDecodeError, YAMLError) as exc:
        raise Invalid(f"datamap.yaml cannot be read: {exc}") from exc
    try:
        return Procedures.model_validate(data.get("procedures") or {})
    except ValidationError as exc:
        raise Invalid(f"datamap.yaml procedures: {exc.errors()[0]['msg']}") from exc


def objectable(policy: Policy) -> list[Purpose]:
    """Purposes a person can object to (GDPR Art. 21): those resting on legitimate interests or
    a public task, and direct marketing; every purpose when the declaration names no basis."""
    chosen = [
        p
        for p in policy.purposes
        if p.legal_basis in (LegalBasis.legitimate_interests, LegalBasis.public_task)
        or any(use.startswith("marketing") for use in p.uses)
    ]
    return chosen or list(policy.purposes)


def accepted_grounds(right: Right) -> list[RequestGround]:
    """The grounds a restriction or correction may cite: the declared ones, else the law's."""
    return list(right.grounds) or list(RequestGround)


def check_details(
    policy: Policy,
    right: Right,
    details: Any,
    correctable: Callable[[], list[CorrectableField]],
) -> dict[str, Any]:
    """A request's details as its right allows them, or Invalid naming the first problem;
    `correctable` is asked for only when a correction needs it."""
    if not isinstance(details, dict):
        raise Invalid("details: an object is expected")
    try:
        size = len(json.dumps(details, ensure_ascii=False).encode())
    except (TypeError, ValueError):
        raise Invalid("details: only text, lists and objects are allowed") from None
    if size > DETAILS_MAX_BYTES:
        raise Invalid(f"details: at most {DETAILS_MAX_BYTES // 1024} KiB")
    allowed = {"ground"}
    if right.kind is RightKind.rectification:
        allowed |= {"changes", "reason"}
    if right.kind is RightKind.objection:
        allowed = {"purposes"}
    unknown = sorted(set(details) - allowed)
    if unknown:
        raise Invalid(
            f"details: {', '.join(map(str, unknown))} cannot be sent with a {right.kind.value} "
            f"request (accepted: {', '.join(sorted(allowed))})"
        )
    checked: dict[str, Any] = {}
    ground = details.get("ground")
    if ground is not None:
        accepted = [g.value for g in accepted_grounds(right)]
        if ground not in accepted:
            raise Invalid(f"details.ground: must be one of: {', '.join(accepted)}")
        checked["ground"] = ground
    if right.kind is RightKind.rectification:
        checked["changes"] = _changes(details.get("changes"), correctable())
        reason = plain_text(details.get("reason") or "", "details.reason", lines=True)
        if reason:
            checked["reason"] = reason
    if right.kind is RightKind.objection:
        checked["purposes"] = _purposes(policy, details.get("purposes"))
    return checked


def _changes(changes: Any, correctable: list[CorrectableField]) -> dict[str, str]:
    if not isinstance(changes, dict) or not changes:
        raise Invalid("details.changes: a correction names the fields and their right values")
    offered = {field.name for field in correctable}
    if not offered:
        raise Invalid("details.changes: this service offers no fields for correction here")
    if len(changes) > len(offered):
        raise Invalid(f"details.changes: at most {len(offered)} fields")
    checked = {}
    for name, value in changes.items():
        if name not in offered:
            raise Invalid(
                f"details.changes: {str(name)[:100]!r} cannot be corrected here; "
                f"fields offered: {', '.join(sorted(offered))}"
            )
        text = plain_text(value, f"details.changes.{name}")
        if not text:
            raise Invalid(f"details.changes.{name}: the right value is required")
        checked[name] = text
    return checked


def _purposes(policy: Policy, purposes: Any) -> list[str]:
    if not isinstance(purposes, list) or not purposes:
        raise Invalid("details.purposes: an objection names the purposes objected to")
    offered = [p.id for p in objectable(policy)]
    if not all(isinstance(p, str) for p in purposes) or len(set(purposes)) != len(purposes):
        raise Invalid("details.purposes: a list of distinct purpose ids is expected")
    unknown = [p for p in purposes if p not in offered]
    if unknown:
        raise Invalid(
            f"details.purposes: {', '.join(u[:60] for u in unknown[:5])} cannot be objected to; "
            f"purposes offered: {', '.join(offered)}"
        )
    return list(purposes)
