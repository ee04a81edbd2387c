"""What changed between two declarations, in the declaration's own terms, and what is material.

The comparison reads the declarations as JSON (as the store freezes them), so a version
published under an older model still compares with a new one. A change is material when it
widens what is done with people's data or takes something from them: a new purpose or a purpose
using more data or uses, a new recipient, a recipient in a new country or receiving more data,
data newly provided to a third party, longer retention, new sensitive data, a weaker consent,
a new or higher fee, a longer answer deadline, a right removed, a new controller.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files
from typing import Any

from ruamel.yaml import YAML

from policykeeper.policy.taxonomy import builtin
from policykeeper.policy.types import Duration, Lang
from policykeeper.render.catalog import Catalog, catalog

Json = dict[str, Any]
CONSENT_STRENGTH = {"opt_in": 3, "opt_out": 2, "notice": 1, "none": 0}
THIRD_PARTY_PROVISIONS = {"consent", "opt_out"}
KEYED = {
    "purposes": "id",
    "categories": "key",
    "recipients": "id",
    "retention": "id",
    "rights": "kind",
    "trackers": "name",
    "operators": "id",
}
IGNORED = {"policykeeper", "version", "effective_date", "history"}
"""Fields every version changes (its label, date and revision list), never a change in substance."""


@dataclass(frozen=True)
class Change:
    """One difference: its kind (a message key), whether it is material, and what to say."""

    kind: str
    material: bool
    values: Json = field(default_factory=dict)

    def to_json(self) -> Json:
        return {"kind": self.kind, "material": self.material, "values": self.values}

    @classmethod
    def from_json(cls, data: Json) -> Change:
        return cls(str(data["kind"]), bool(data["material"]), dict(data.get("values") or {}))


def diff(old: Json, new: Json) -> list[Change]:
    """Every difference from `old` to `new`, material ones first, each section in file order."""
    changes: list[Change] = []
    labels = _Labels(old, new)
    changes += _purposes(_items(old, "purposes"), _items(new, "purposes"), labels)
    changes += _categories(_items(old, "categories"), _items(new, "categories"), labels)
    changes += _recipients(_items(old, "recipients"), _items(new, "recipients"), labels)
    changes += _retention(_items(old, "retention"), _items(new, "retention"), labels)
    changes += _rights(_items(old, "rights"), _items(new, "rights"))
    changes += _simple(
        old, new, "trackers", "tracker", lambda t: {"ja": t["name"], "en": t["name"]}
    )
    changes += _operators(_items(old, "operators"), _items(new, "operators"))
    changes += _jurisdictions(old.get("jurisdictions") or [], new.get("jurisdictions") or [])
    handled = IGNORED | set(KEYED) | {"jurisdictions"}
    for name in _ordered_keys(old, new):
        if name not in handled and old.get(name) != new.get(name):
            changes.append(Change("section_changed", False, {"section": name}))
    return sorted(changes, key=lambda c: not c.material)


def is_material(changes: Iterable[Change]) -> bool:
    return any(change.material for change in changes)


def describe(change: Change, lang: str, jurisdictions: Iterable[str] = ()) -> str:
    """One sentence in `lang` saying what changed."""
    words = _Words(lang, jurisdictions)
    values = {key: words.value(key, value) for key, value in change.values.items()}
    listed = [values[k] for k in ("categories", "countries", "sources") if k in values]
    if listed:
        values["items"] = listed[0]
    sentence = words.phrase(f"change.{change.kind}", values)
    return sentence[:-1] if sentence.endswith("..") else sentence


# --- sections ---------------------------------------------------------------------------------


def _purposes(old: dict[str, Json], new: dict[str, Json], labels: _Labels) -> list[Change]:
    changes = []
    for key, purpose in new.items():
        label = _text(purpose.get("label"), key)
        before = old.get(key)
        if before is None:
            changes.append(Change("purpose_added", True, {"label": label}))
            continue
        added = _added(before.get("categories"), purpose.get("categories"))
        if added:
            changes.append(
                Change(
                    "purpose_categories_added",
                    True,
                    {"label": label, "categories": labels.categories(added)},
                )
            )
        removed = _added(purpose.get("categories"), before.get("categories"))
        if removed:
            changes.append(
                Change(
                    "purpose_categories_removed",
                    False,
                    {"label": label, "categories": labels.categories(removed)},
                )
            )
        if _added(before.get("uses"), purpose.get("uses")):
            changes.append(Change("purpose_uses_added", True, {"label": label}))
        was, now = before.get("consent") or "none", purpose.get("consent") or "none"
        if was != now:
            weaker = CONSENT_STRENGTH.get(now, 0) < CONSENT_STRENGTH.get(was, 0)
            changes.append(
                Change(
                    "purpose_consent_changed",
                    weaker,
                    {"label": label, "old": {"consent": was}, "new": {"consent": now}},
                )
            )
        if before.get("legal_basis") != purpose.get("legal_basis"):
            changes.append(Change("purpose_basis_changed", False, {"label": label}))
        if _rest(before, purpose, {"categories", "uses", "consent", "legal_basis"}):
            changes.append(Change("purpose_text_changed", False, {"label": label}))
    for key, purpose in old.items():
        if key not in new:
            changes.append(
                Change("purpose_removed", False, {"label": _text(purpose.get("label"), key)})
            )
    return changes


def _categories(old: dict[str, Json], new: dict[str, Json], labels: _Labels) -> list[Change]:
    changes = []
    for key, category in new.items():
        label = _text(category.get("label"), key)
        before = old.get(key)
        sensitive = bool(category.get("sensitive")) or builtin().is_sensitive(key)
        if before is None:
            kind = "category_added_sensitive" if sensitive else "category_added"
            changes.append(Change(kind, sensitive, {"label": label}))
            continue
        was_sensitive = bool(before.get("sensitive")) or builtin().is_sensitive(key)
        if sensitive and not was_sensitive:
            changes.append(Change("category_now_sensitive", True, {"label": label}))
        sources = _added(before.get("sources"), category.get("sources"))
        if sources:
            changes.append(
                Change("category_sources_added", False, {"label": label, "sources": sources})
            )
        if _rest(before, category, {"sources", "sensitive"}):
            changes.append(Change("category_text_changed", False, {"label": label}))
    for key, category in old.items():
        if key not in new:
            changes.append(
                Change("category_removed", False, {"label": _text(category.get("label"), key)})
            )
    return changes


def _recipients(old: dict[str, Json], new: dict[str, Json], labels: _Labels) -> list[Change]:
    changes = []
    for key, recipient in new.items():
        name = _text(recipient.get("name"), key)
        role = {"role": _role(recipient)}
        before = old.get(key)
        if before is None:
            countries = list(recipient.get("countries") or [])
            kind = "recipient_added_abroad" if countries else "recipient_added"
            values = {"name": name, **role, **({"countries": countries} if countries else {})}
            changes.append(Change(kind, True, values))
            continue
        countries = _added(before.get("countries"), recipient.get("countries"))
        if countries:
            changes.append(
                Change("recipient_countries_added", True, {"name": name, "countries": countries})
            )
        categories = _added(before.get("categories"), recipient.get("categories"))
        if categories:
            changes.append(
                Change(
                    "recipient_categories_added",
                    True,
                    {"name": name, "categories": labels.categories(categories)},
                )
            )
        was, now = before.get("provision"), recipient.get("provision")
        if was != now:
            newly_provided = now in THIRD_PARTY_PROVISIONS and was not in THIRD_PARTY_PROVISIONS
            changes.append(
                Change(
                    "recipient_provision_changed",
                    newly_provided,
                    {"name": name, "old": {"provision": was}, "new": {"provision": now}},
                )
            )
        if _rest(before, recipient, {"countries", "categories", "provision"}):
            changes.append(Change("recipient_text_changed", False, {"name": name}))
    for key, recipient in old.items():
        if key not in new:
            name = _text(recipient.get("name"), key)
            changes.append(
                Change("recipient_removed", False, {"name": name, "role": _role(recipient)})
            )
    return changes


def _retention(old: dict[str, Json], new: dict[str, Json], labels: _Labels) -> list[Change]:
    changes = []
    for key, rule in new.items():
        label = _text(rule.get("label"), key)
        before = old.get(key)
        if before is None:
            changes.append(Change("retention_added", False, {"label": label}))
            continue
        was, now = _days(before.get("period")), _days(rule.get("period"))
        if was != now:
            values = {
                "label": label,
                "old": {"period": before.get("period")},
                "new": {"period": rule.get("period")},
            }
            longer = now is None or (was is not None and now > was)
            changes.append(
                Change("retention_longer" if longer else "retention_shorter", longer, values)
            )
        if before.get("clock") != rule.get("clock"):
            changes.append(Change("retention_clock_changed", False, {"label": label}))
        added = _added(before.get("categories"), rule.get("categories"))
        if added:
            changes.append(
                Change(
                    "retention_categories_added",
                    False,
                    {"label": label, "categories": labels.categories(added)},
                )
            )
    for key, rule in old.items():
        if key not in new:
            changes.append(
                Change("retention_removed", False, {"label": _text(rule.get("label"), key)})
            )
    return changes


def _rights(old: dict[str, Json], new: dict[str, Json]) -> list[Change]:
    changes = []
    for kind, right in new.items():
        label = _right_label(right, kind)
        before = old.get(kind)
        if before is None:
            changes.append(Change("right_added", False, {"label": label}))
            continue
        was_fee, fee = before.get("fee") or {"kind": "free"}, right.get("fee") or {"kind": "free"}
        if _fee_key(was_fee) != _fee_key(fee):
            changes.append(
                Change(
                    "fee_changed",
                    _fee_rank(fee) > _fee_rank(was_fee),
                    {"label": label, "old": {"fee": was_fee}, "new": {"fee": fee}},
                )
            )
        was_deadline, deadline = before.get("deadline"), right.get("deadline")
        if _deadline_key(was_deadline) != _deadline_key(deadline):
            longer = _deadline_days(deadline) > _deadline_days(was_deadline)
            changes.append(
                Change(
                    "deadline_changed",
                    longer,
                    {
                        "label": label,
                        "old": {"deadline": was_deadline},
                        "new": {"deadline": deadline},
                    },
                )
            )
        if _rest(before, right, {"fee", "deadline"}):
            changes.append(Change("right_text_changed", False, {"label": label}))
    for kind, right in old.items():
        if kind not in new:
            changes.append(Change("right_removed", True, {"label": _right_label(right, kind)}))
    return changes


def _operators(old: dict[str, Json], new: dict[str, Json]) -> list[Change]:
    changes = []
    for key, operator in new.items():
        label = _text(operator.get("name"), key)
        before = old.get(key)
        if before is None:
            changes.append(Change("operator_added", True, {"label": label}))
        elif before != operator:
            changes.append(Change("operator_changed", False, {"label": label}))
    for key, operator in old.items():
        if key not in new:
            changes.append(
                Change("operator_removed", False, {"label": _text(operator.get("name"), key)})
            )
    return changes


def _simple(
    old: Json, new: Json, section: str, kind: str, label: Callable[[Json], Json]
) -> list[Change]:
    before, after = _items(old, section), _items(new, section)
    changes = [
        Change(f"{kind}_added", False, {"label": label(t)})
        for k, t in after.items()
        if k not in before
    ]
    changes += [
        Change(f"{kind}_removed", False, {"label": label(t)})
        for k, t in before.items()
        if k not in after
    ]
    if any(before[k] != after[k] for k in before.keys() & after.keys()):
        changes.append(Change("section_changed", False, {"section": section}))
    return changes


def _jurisdictions(old: list[str], new: list[str]) -> list[Change]:
    changes = [
        Change("jurisdiction_added", False, {"jurisdiction": j}) for j in new if j not in old
    ]
    changes += [
        Change("jurisdiction_removed", False, {"jurisdiction": j}) for j in old if j not in new
    ]
    return changes


# --- helpers ----------------------------------------------------------------------------------


class _Labels:
    """Category labels from either declaration (the newer wording first), else the taxonomy's."""

    def __init__(self, old: Json, new: Json) -> None:
        self.known: dict[str, Json] = {}
        for declaration in (old, new):
            for category in declaration.get("categories") or []:
                if isinstance(category, dict) and "key" in category:
                    self.known[category["key"]] = _text(category.get("label"), category["key"])

    def categories(self, keys: list[str]) -> list[Json]:
        return [self.label(key) for key in keys]

    def label(self, key: str) -> Json:
        if key in self.known:
            return self.known[key]
        builtin_label = builtin().categories.get(key)
        if builtin_label is not None:
            return {"ja": builtin_label.ja, "en": builtin_label.en}
        return {"ja": key, "en": key}


def _items(declaration: Json, section: str) -> dict[str, Json]:
    key = KEYED[section]
    return {
        str(item[key]): item
        for item in declaration.get(section) or []
        if isinstance(item, dict) and key in item
    }


def _ordered_keys(old: Json, new: Json) -> list[str]:
    return list(dict.fromkeys([*new, *old]))


def _added(before: Any, after: Any) -> list[Any]:
    was = list(before or [])
    return [item for item in (after or []) if item not in was]


def _rest(before: Json, after: Json, compared: set[str]) -> bool:
    """Do the two differ in anything but the fields already compared one by one?"""
    keys = (before.keys() | after.keys()) - compared
    return any(before.get(key) != after.get(key) for key in keys)


def _text(value: Any, fallback: str) -> Json:
    if isinstance(value, dict):
        return {"ja": value.get("ja") or value.get("en"), "en": value.get("en") or value.get("ja")}
    if isinstance(value, str):
        return {"ja": value, "en": value}
    return {"ja": fallback, "en": fallback}


def _right_label(right: Json, kind: str) -> Json:
    if right.get("label"):
        return _text(right["label"], kind)
    return {"right": kind}


def _role(recipient: Json) -> str:
    provision = recipient.get("provision")
    return provision if provision in ("entrustment", "joint_use") else "other"


def _days(period: Any) -> int | None:
    """A period in days for comparison; None is no fixed period (the longest of all)."""
    if not period:
        return None
    try:
        return Duration.parse(str(period)).approx_days()
    except ValueError:
        return None


def _fee_key(fee: Json) -> tuple[Any, ...]:
    return (fee.get("kind", "free"), fee.get("amount"), fee.get("currency", "JPY"))


def _fee_rank(fee: Json) -> int:
    """Free below any amount; a fixed fee by its amount; actual cost above a fixed fee."""
    kind = fee.get("kind", "free")
    if kind == "free":
        return 0
    if kind == "actual_cost":
        return 10**12
    return int(fee.get("amount") or 0)


def _deadline_key(deadline: Json | None) -> tuple[Any, ...]:
    if not deadline:
        return (None, False, False)
    return (
        deadline.get("period"),
        bool(deadline.get("without_delay")),
        bool(deadline.get("business_days")),
    )


def _deadline_days(deadline: Json | None) -> int:
    if not deadline:
        return 0
    days = _days(deadline.get("period")) or 0
    return days * 7 // 5 if deadline.get("business_days") else days


@cache
def messages(lang: str) -> Json:
    chosen = lang if lang in ("ja", "en") else "en"
    source = files("policykeeper.lifecycle").joinpath("messages", f"{chosen}.yaml")
    return dict(YAML(typ="safe").load(source.read_text("utf-8")))


class _Words:
    """Values of a change as words of one language."""

    def __init__(self, lang: str, jurisdictions: Iterable[str]) -> None:
        self.lang = lang if lang in ("ja", "en") else "en"
        self.messages = messages(self.lang)
        self.cat: Catalog = catalog(Lang(self.lang))
        declared = list(jurisdictions)
        self.sensitive_term = self.messages["sensitive"][
            "appi" if "appi" in declared or not declared else "gdpr"
        ]

    def phrase(self, key: str, values: Json) -> str:
        node: Any = self.messages
        for part in key.split("."):
            node = node[part]
        values.setdefault("sensitive", self.sensitive_term)
        return str(node).format(**values)

    def text(self, value: Json) -> str:
        if "right" in value:
            return self.cat.label("right", value["right"])
        return str(value.get(self.lang) or value.get("en") or value.get("ja") or "")

    def quoted(self, labels: list[str]) -> str:
        if self.lang == "ja":
            return self.cat.join_and([f"「{label}」" for label in labels])
        return self.cat.join_and(labels)

    def value(self, key: str, value: Any) -> str:
        if key in ("label", "name"):
            return self.text(value)
        if key == "categories":
            return self.quoted([self.text(item) for item in value])
        if key == "countries":
            return self.cat.join_and([self.cat.country(code) for code in value])
        if key == "sources":
            return self.cat.join_and([self.cat.label("source", s) for s in value])
        if key == "role":
            return str(self.messages["role"][value])
        if key == "section":
            return str(self.messages["section"].get(value, value))
        if key == "jurisdiction":
            return self.cat.label("jurisdiction", value)
        if key in ("old", "new"):
            return self.setting(value)
        return str(value)

    def setting(self, value: Json) -> str:
        ((kind, raw),) = value.items()
        if kind == "period":
            return self.period(raw)
        if kind == "fee":
            return self.fee(raw)
        if kind == "deadline":
            return self.deadline(raw)
        if kind == "consent":
            return str(self.cat.label("tracker_consent", raw)) or str(raw)
        if kind == "provision":
            return str(self.messages["provision"].get(raw, raw)) if raw else ""
        return str(raw)

    def period(self, raw: Any) -> str:
        if not raw:
            return str(self.messages["unlimited"])
        return self.cat.duration(Duration.parse(str(raw)))

    def fee(self, fee: Json) -> str:
        kind = fee.get("kind", "free")
        if kind == "free":
            return str(self.messages["fee"]["free"])
        if kind == "actual_cost":
            return str(self.messages["fee"]["actual_cost"])
        return self.cat.money(int(fee.get("amount") or 0), str(fee.get("currency") or "JPY"))

    def deadline(self, deadline: Json | None) -> str:
        if not deadline or not deadline.get("period"):
            return str(self.messages["without_delay"])
        period = Duration.parse(str(deadline["period"]))
        return self.cat.duration(period, bool(deadline.get("business_days")))
