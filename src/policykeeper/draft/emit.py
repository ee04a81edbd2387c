"""Facts to `policy.yaml` for the declaration models as they are today.

This is the only module that knows the models' field names, so it is the one to retarget when
the models gain "not stated", qualifiers and negative promises (issue 11). Where today's models
require a value the text does not state, the emitter writes the least committal value the
model accepts and records it as a placeholder with the reason; where they cannot hold a fact
at all, the fact goes to the sidecar as "needs model support" instead of into a wrong field.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from policykeeper.draft.extract import _RIGHTS, term_matches, topic_of, vendors
from policykeeper.draft.facts import Fact
from policykeeper.draft.text import Sentence, normalise
from policykeeper.policy.taxonomy import builtin

Path = tuple[str | int, ...]


@dataclass
class Trace:
    """Where one value of policy.yaml came from, or why it is a placeholder."""

    path: Path
    kind: str
    value: Any
    evidence: list[Sentence]
    placeholder: str = ""


@dataclass
class Emitted:
    data: dict[str, Any]
    traces: list[Trace] = field(default_factory=list)
    unsupported: list[Fact] = field(default_factory=list)


_CHANNEL = re.compile(
    r"contact us|please contact|e-?mail address below|address below|send (?:us )?an? e-?mail|by post|"
    r"application form|inquiry form|お問い合わせ|窓口|郵送|メールで|[\w.+-]+@[\w-]+\.[\w.]+"
)
_SECTION_NOTES = {
    "categories_note",
    "purposes_note",
    "recipients_note",
    "rights_note",
    "operator_note",
    "definitions_note",
    "complaints_note",
    "other_note",
}
"""Notes of topics whose model has no free-text field: kept as `sections`."""

_PROVISION = {
    "entrustment": ("processor", "entrustment"),
    "joint_use": ("joint_use", "joint_use"),
    "business_succession": ("third_party", "business_succession"),
    "third_party": ("third_party", "consent"),
}
_TRACKER_KIND = (
    ("necessary", r"session|login|log in|ログイン|必須|necessary|strictly"),
    ("analytics", r"analy|statistic|分析|計測|解析"),
    ("advertising", r"advertis|marketing|広告|ターゲティング"),
    ("personalization", r"personali[sz]|recommend|パーソナライズ"),
)
_SAFEGUARDS = (
    (
        "standard_contractual_clauses",
        r"standard contractual clauses|標準契約条項|基本契約条項|model clauses",
    ),
    ("adequacy", r"adequacy|十分性認定"),
    ("binding_corporate_rules", r"binding corporate rules|拘束的企業準則"),
    ("consent", r"consent to (?:the )?transfer|移転に同意"),
    ("equivalent_system", r"equivalent|基準に適合する体制|相当措置|data protection standards"),
)


class _Emitter:
    def __init__(
        self, facts: list[Fact], sentences: list[Sentence], languages: list[str], name: str
    ) -> None:
        self.facts = facts
        self.sentences_all = sentences
        self.languages = languages
        self.name = name
        self.traces: list[Trace] = []

    # -- helpers --

    def of(self, kind: str) -> list[Fact]:
        return [f for f in self.facts if f.kind == kind]

    def text(self, fact: Fact, transform: Any = None) -> dict[str, str]:
        """The fact's sentence in every published language, each from its own version where the
        versions were aligned (otherwise the one version's words stand in both)."""
        texts = dict(fact.value.get("texts", {})) if isinstance(fact.value, dict) else {}
        base = texts.get(self.languages[0]) or next(iter(texts.values()), fact.first.text)
        shaped = transform or (lambda text: text)
        return {lang: shaped(texts.get(lang, base)) for lang in self.languages}

    def localized(self, fact: Fact, name: str) -> dict[str, str] | str:
        """A value each aligned version states in its own words ('株式会社サンプル' / 'Sample Inc.'),
        or the one value when only one version states it."""
        by_lang = fact.value.get("by_lang") if isinstance(fact.value, dict) else None
        if not by_lang:
            return fact.value[name]
        base = fact.value[name]
        return {lang: (by_lang.get(lang) or {}).get(name) or base for lang in self.languages}

    def same(self, value: str) -> dict[str, str]:
        """A name or other value that is written the same in every language."""
        return {lang: value for lang in self.languages}

    def trace(self, path: Path, fact: Fact | None, value: Any, placeholder: str = "") -> None:
        self.traces.append(
            Trace(
                path,
                fact.kind if fact else path[0],
                value,
                fact.evidence if fact else [],
                placeholder,
            )
        )

    # -- sections --

    def emit(self) -> dict[str, Any]:
        data: dict[str, Any] = {"policykeeper": 1}
        data["service"] = self.service()
        data["version"] = self.version()
        effective = self.effective_date()
        if effective:
            data["effective_date"] = effective
        history = self.history()
        if history:
            data["history"] = history
        authoritative = "ja" if "ja" in self.languages else self.languages[0]
        data["languages"] = {"authoritative": authoritative, "published": self.languages}
        self.trace(("languages", "published"), None, self.languages)
        data["jurisdictions"] = self.jurisdictions()
        data["operators"] = self.operators()
        manager = self.privacy_manager()
        if manager:
            data["privacy_manager"] = manager
        data["contacts"] = self.contacts()
        data["complaints"] = self.complaints(data["contacts"])
        definitions = self.definitions()
        if definitions:
            data["definitions"] = definitions
        data["categories"] = self.categories()
        data["purposes"] = self.purposes(data["categories"])
        purpose_change = self.note("purpose_change", ("purpose_change",))
        if purpose_change:
            data["purpose_change"] = purpose_change
        recipients = self.recipients(data["categories"], data["operators"][0])
        if recipients:
            data["recipients"] = recipients
        exceptions = sorted({f.key for f in self.of("exception")})
        if exceptions:
            data["provision_exceptions"] = exceptions
            for f in self.of("exception"):
                self.trace(("provision_exceptions", exceptions.index(f.key)), f, f.key)
        for note_field, topic in (
            ("cross_border_note", "cross_border_note"),
            ("tracker_note", "tracker_note"),
            ("retention_note", "retention_note"),
            ("security_note", "security_note"),
        ):
            text = self.note(topic, (note_field,))
            if text:
                data[note_field] = text
        trackers = self.trackers(data["purposes"], data["operators"][0])
        if trackers:
            data["trackers"] = trackers
        retention = self.retention(data["categories"])
        if retention:
            data["retention"] = retention
        data["rights"] = self.rights(data["contacts"])
        minors = self.minors()
        if minors:
            data["minors"] = minors
        security = self.security()
        if security:
            data["security"] = security
        changes = self.changes()
        if changes:
            data["changes"] = changes
        sections = self.sections()
        if sections:
            data["sections"] = sections
        return data

    def sections(self) -> list[dict[str, Any]]:
        """What the policy says that no field holds, kept as text under its own heading."""
        groups: dict[tuple[str, ...], list[Sentence]] = {}
        for fact in self.of("note"):
            if fact.key not in _SECTION_NOTES:
                continue
            for sentence in fact.evidence:
                groups.setdefault(sentence.section, []).append(sentence)
        out = []
        for section, sentences in groups.items():
            title = (
                section[-1]
                if section
                else ("前文" if sentences[0].lang == "ja" else "Introduction")
            )
            body = " ".join(dict.fromkeys(s.text for s in sentences))
            self.traces.append(Trace(("sections", len(out), "body"), "section", title, sentences))
            out.append(
                {
                    "id": f"section_{len(out) + 1}",
                    "title": self.same(title),
                    "body": self.same(body),
                }
            )
        return out

    def service(self) -> dict[str, Any]:
        found = self.of("service")
        if found:
            self.trace(("service", "name"), found[0], found[0].value["name"])
            return {"name": found[0].value["name"]}
        operators = self.of("operator")
        name = operators[0].value["name"] if operators else self.name
        self.trace(
            ("service", "name"),
            operators[0] if operators else None,
            name,
            "the text names no service; the operator's name (or the source's file name) stands in",
        )
        return {"name": name}

    def version(self) -> str:
        """The date of the latest version the text gives, or a label for the draft."""
        found = self._dates("updated", "effective", "revised", "established")
        if found:
            self.trace(("version",), found[-1], found[-1].value["date"].isoformat())
            return found[-1].value["date"].isoformat()
        self.trace(("version",), None, "draft", "the text gives no date; a label for this draft")
        return "draft"

    def _dates(self, *kinds: str) -> list[Fact]:
        return sorted(
            (f for f in self.of("date") if f.value["kind"] in kinds), key=lambda f: f.value["date"]
        )

    def effective_date(self) -> Any:
        """Only a date the text calls effective, and only if no later revision follows it."""
        effective = self._dates("effective")
        later = self._dates("updated", "revised")
        if not effective or (later and later[-1].value["date"] > effective[-1].value["date"]):
            return None
        self.trace(("effective_date",), effective[-1], effective[-1].value["date"])
        return effective[-1].value["date"]

    def history(self) -> list[dict[str, Any]]:
        entries = []
        labels = {
            "established": ("制定", "Established"),
            "effective": ("施行", "Effective"),
            "revised": ("改定", "Revised"),
            "updated": ("最終更新", "Last updated"),
        }
        for index, fact in enumerate(self._dates("established", "effective", "revised", "updated")):
            ja, en = labels[fact.value["kind"]]
            day = fact.value["date"]
            entries.append({"version": day.isoformat(), "date": day, "summary": self._pick(ja, en)})
            self.trace(("history", index, "date"), fact, day)
        return entries

    def _pick(self, ja: str, en: str) -> dict[str, str]:
        return {lang: ja if lang == "ja" else en for lang in self.languages}

    def jurisdictions(self) -> list[str]:
        stated = {f.key: f for f in self.of("jurisdiction")}
        chosen = [j for j in ("appi",) if j in stated]
        for extra in ("gdpr", "ccpa"):
            if extra in stated:
                self.trace(
                    ("jurisdictions",),
                    stated[extra],
                    extra,
                    f"the text names {extra.upper()}; add it to jurisdictions once every purpose "
                    "has its legal basis and the rights their terms (the draft leaves it out so it validates)",
                )
        if not chosen:
            self.trace(("jurisdictions", 0), None, "appi", "the text names no law; APPI is assumed")
            return ["appi"]
        self.trace(("jurisdictions", 0), stated["appi"], "appi")
        return chosen

    def operators(self) -> list[dict[str, Any]]:
        names = self.of("operator")
        addresses = self.of("address")
        representatives = [
            f for f in self.of("representative") if f.value.get("role") == "representative"
        ]
        operator: dict[str, Any] = {"id": "operator"}
        if names:
            operator["name"] = self.localized(names[0], "name")
            self.trace(("operators", 0, "name"), names[0], operator["name"])
        else:
            operator["name"] = self.name
            self.trace(
                ("operators", 0, "name"), None, self.name, "the text does not name the operator"
            )
        if addresses:
            operator["address"] = self.text(addresses[0], _strip_label)
            self.trace(("operators", 0, "address"), addresses[0], addresses[0].value["text"])
            countries = addresses[0].value.get("countries") or []
            if countries:
                operator["country"] = countries[-1] if countries[-1] != "EU" else countries[0]
                self.trace(("operators", 0, "country"), addresses[0], operator["country"])
        else:
            operator["address"] = "on_request"
            self.trace(
                ("operators", 0, "address"),
                None,
                "on_request",
                "the text gives no address; the model requires one ('on_request')",
            )
        departments = self.of("department")
        if departments:
            operator["department"] = self.localized(departments[0], "name")
            self.trace(("operators", 0, "department"), departments[0], departments[0].value["name"])
        if representatives:
            operator["representative"] = self.localized(representatives[0], "name")
            self.trace(
                ("operators", 0, "representative"), representatives[0], operator["representative"]
            )
        else:
            operator["representative"] = "on_request"
            self.trace(
                ("operators", 0, "representative"),
                None,
                "on_request",
                "the text names no representative; the model requires one ('on_request')",
            )
        return [operator]

    def privacy_manager(self) -> dict[str, Any] | None:
        managers = [
            f for f in self.of("representative") if f.value.get("role") == "privacy_manager"
        ]
        if not managers:
            return None
        self.trace(("privacy_manager", "name"), managers[0], managers[0].value["name"])
        return {"name": managers[0].value["name"]}

    def contacts(self) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        hours = self.of("hours")
        for fact in self.of("contact"):
            kind = fact.value["kind"]
            contact_id = f"{kind.replace('web_form', 'form')}{'' if not any(c['kind'] == kind for c in out) else len(out) + 1}"
            entry: dict[str, Any] = {"id": contact_id, "kind": kind, "value": fact.value["value"]}
            if kind == "phone" and hours:
                entry["hours"] = self.text(hours[0], _strip_label)
                self.trace(("contacts", len(out), "hours"), hours[0], hours[0].key)
            self.trace(("contacts", len(out), "value"), fact, fact.value["value"])
            out.append(entry)
        postal = [a for a in self.of("address") if any(_in_contact_section(s) for s in a.evidence)]
        if postal:
            self.trace(("contacts", len(out), "value"), postal[0], postal[0].value["text"])
            out.append({"id": "postal", "kind": "postal", "value": postal[0].value["text"]})
        if not out:
            self.trace(
                ("contacts", 0, "value"),
                None,
                "on_request",
                "the text gives no way to reach the operator; the model requires a contact",
            )
            out.append({"id": "contact", "kind": "unspecified", "value": "on_request"})
        return out

    def complaints(self, contacts: list[dict[str, Any]]) -> dict[str, Any]:
        desk = self.of("complaints")
        chosen = contacts[0]["id"]
        if desk:
            self.trace(("complaints", "contact"), desk[0], chosen)
            return {"contact": chosen, "note": self.text(desk[0])}
        self.trace(
            ("complaints", "contact"),
            None,
            chosen,
            "the text names no complaint desk; the first contact stands in",
        )
        return {"contact": chosen}

    def definitions(self) -> list[dict[str, Any]]:
        out = []
        for fact in self.of("definition"):
            self.trace(("definitions", len(out), "meaning"), fact, fact.value["term"])
            out.append({"term": self.text(fact, _quoted), "meaning": self.text(fact)})
        return out

    def categories(self) -> list[dict[str, Any]]:
        taxonomy = builtin()
        negated = {f.key for f in self.of("negation")}
        out = []
        for fact in self.of("category"):
            sources = sorted(
                {
                    o.key.split("=", 1)[1]
                    for o in self.of("obtained")
                    if o.key.split("=", 1)[0] == fact.key
                }
            )
            stated = [s for s in sources if s != "unstated"] or ["unstated"]
            labels = fact.value.get("labels") or {}
            builtin_label = taxonomy.categories[taxonomy.builtin_ancestor(fact.key) or "user"]
            entry: dict[str, Any] = {
                "key": fact.key,
                "label": {
                    lang: labels.get(lang)
                    or (fact.value["label"] if len(self.languages) == 1 else None)
                    or builtin_label.get(lang)
                    for lang in self.languages
                },
                "sources": stated,
            }
            if fact.key in negated:
                entry["stored"] = False
                self.trace(
                    ("categories", len(out), "stored"),
                    next(f for f in self.of("negation") if f.key == fact.key),
                    False,
                )
            if taxonomy.is_sensitive(fact.key):
                consent = next(
                    (
                        s
                        for s in self.sentences()
                        if re.search(r"consent|同意", s.norm)
                        and re.search(r"special category|sensitive|要配慮|性的", s.norm)
                    ),
                    None,
                )
                if consent is None:
                    self.traces.append(
                        Trace(
                            ("categories",),
                            "category",
                            fact.key,
                            fact.evidence,
                            "sensitive data without a stated way of obtaining consent: left out of policy.yaml (the model requires sensitive_consent)",
                        )
                    )
                    continue
                entry["sensitive"] = True
                entry["sensitive_consent"] = {lang: consent.text for lang in self.languages}
            self.trace(("categories", len(out), "key"), fact, fact.key)
            out.append(entry)
        if not out:
            self.trace(
                ("categories", 0, "key"),
                None,
                "user",
                "the text names no data; the model requires one category",
            )
            out.append(
                {
                    "key": "user",
                    "label": self._pick("個人情報", "Personal information"),
                    "sources": ["unstated"],
                }
            )
        return out

    def sentences(self) -> list[Sentence]:
        seen: dict[int, Sentence] = {}
        for fact in self.facts:
            for sentence in fact.evidence:
                seen[id(sentence)] = sentence
        return list(seen.values())

    def purposes(self, categories: list[dict[str, Any]]) -> list[dict[str, Any]]:
        declared = [c["key"] for c in categories]
        sensitive = {c["key"] for c in categories if c.get("sensitive")}
        fallback = (
            ["user"] if not sensitive else [k for k in declared if k not in sensitive] or declared
        )
        out = []
        for fact in self.of("purpose"):
            mentioned = [k for k in declared if any(k in _keys_in(s) for s in fact.evidence)]
            entry: dict[str, Any] = {
                "id": f"purpose_{len(out) + 1}",
                "label": self.text(fact, _label_part),
                "uses": fact.value["uses"],
                "categories": mentioned or fallback,
            }
            if fact.value["description"]:
                entry["description"] = self.text(fact, _description_part)
            self.trace(("purposes", len(out), "label"), fact, fact.value["label"])
            if not mentioned:
                self.trace(
                    ("purposes", len(out), "categories"),
                    fact,
                    fallback,
                    "the purpose does not say which data it uses",
                )
            out.append(entry)
        if not out:
            self.trace(
                ("purposes", 0, "label"),
                None,
                "(none)",
                "the text states no purpose; the model requires one",
            )
            out.append(
                {
                    "id": "purpose_1",
                    "label": self._pick("（利用目的の記載なし）", "(no purpose stated)"),
                    "uses": ["essential.service"],
                    "categories": fallback,
                }
            )
        return out

    def note(self, topic: str, path: Path) -> dict[str, str] | None:
        notes = [f for f in self.of("note") if f.key == topic]
        if not notes:
            return None
        sentences = notes[0].evidence
        joined: dict[str, list[str]] = {}
        for sentence in sentences:
            joined.setdefault(
                sentence.lang if sentence.lang in self.languages else self.languages[0], []
            ).append(sentence.text)
        self.trace(path, notes[0], " ".join(s.text for s in sentences))
        base = " ".join(joined.get(self.languages[0], [s.text for s in sentences]))
        return {
            lang: (("" if lang == "ja" else " ").join(joined[lang]) if lang in joined else base)
            for lang in self.languages
        }

    def recipients(
        self, categories: list[dict[str, Any]], operator: dict[str, Any]
    ) -> list[dict[str, Any]]:
        declared = [c["key"] for c in categories]
        transfer_countries = {f.key: f for f in self.of("country")}
        mentioned_vendors = {f.key: f for f in self.of("vendor")}
        out: list[dict[str, Any]] = []
        used_vendors: set[str] = set()
        for fact in self.of("recipient"):
            value = fact.value
            vendor_ids = [
                v
                for v, vf in mentioned_vendors.items()
                if any(s in vf.evidence for s in fact.evidence)
            ]
            used_vendors.update(vendor_ids)
            out.append(
                self._recipient(
                    fact,
                    value["name"],
                    value["kind"],
                    value.get("purpose"),
                    value.get("countries") or [],
                    declared,
                    transfer_countries,
                    operator,
                    len(out),
                )
            )
        for vendor_id, fact in mentioned_vendors.items():
            if vendor_id in used_vendors or not _shares_data(fact):
                continue
            out.append(
                self._recipient(
                    fact,
                    fact.value["name"],
                    "entrustment"
                    if fact.value["kind"]
                    in {"hosting", "payment", "analytics", "email", "support", "monitoring"}
                    else "third_party",
                    None,
                    [],
                    declared,
                    transfer_countries,
                    operator,
                    len(out),
                )
            )
        return [r for r in out if r is not None]

    def _recipient(
        self,
        fact: Fact,
        name: str,
        kind: str,
        purpose: str | None,
        countries: list[str],
        declared: list[str],
        transfers: dict[str, Fact],
        operator: dict[str, Any],
        index: int,
    ) -> dict[str, Any]:
        recipient_type, provision = _PROVISION[kind]
        entry: dict[str, Any] = {
            "id": _slug(name, index),
            "name": name,
            "type": recipient_type,
            "provision": provision,
        }
        self.trace(("recipients", index, "name"), fact, name)
        if provision == "consent":
            self.trace(
                ("recipients", index, "provision"),
                fact,
                "consent",
                "third-party provision: the text does not say on what basis; APPI's default is consent",
            )
        if purpose:
            entry["purpose"] = self.text(fact, _description_part)
        else:
            entry["description"] = self.text(fact)
        stated = [c for c in countries if c != "EU"]
        words = [w for w in re.split(r"[\s,()]+", normalise(name)) if len(w) > 2][:1]
        patterns = [v.pattern for v in vendors() if v.pattern.search(normalise(name))]
        for code, transfer in transfers.items():
            mentioned = any(
                any(w in s.norm for w in words) or any(p.search(s.norm) for p in patterns)
                for s in transfer.evidence
            )
            if mentioned and code not in stated:
                stated.append(code)
        if stated:
            entry["countries"] = stated
            self.trace(("recipients", index, "countries"), fact, stated)
            abroad = [c for c in stated if c != operator.get("country", "JP")]
            if abroad:
                safeguards = self._safeguards()
                entry["safeguards"] = safeguards[0]
                self.trace(
                    ("recipients", index, "safeguards"),
                    safeguards[1],
                    safeguards[0],
                    ""
                    if safeguards[2]
                    else "the text names no transfer mechanism; the model requires one for a recipient abroad",
                )
        else:
            entry["countries_unknown"] = True
        if recipient_type == "joint_use":
            items = [
                k for k in declared if any(k in _keys_in(s) for s in self._section_sentences(fact))
            ] or declared[:1]
            responsible = operator["name"]
            entry["joint_use"] = {
                "items": items,
                "users": self.same(name),
                "purposes": self.text(fact, _description_part) if purpose else self.text(fact),
                "responsible": {"name": responsible},
                "responsible_representative": operator["representative"],
            }
            entry["categories"] = items
            self.trace(("recipients", index, "joint_use", "items"), fact, items)
        return entry

    def _section_sentences(self, fact: Fact) -> list[Sentence]:
        sections = {s.section[:1] for s in fact.evidence}
        return [s for s in self.sentences_all if s.section[:1] in sections]

    def _safeguards(self) -> tuple[list[str], Fact | None, bool]:
        for fact in self.of("note"):
            for sentence in fact.evidence:
                for name, pattern in _SAFEGUARDS:
                    if re.search(pattern, sentence.norm):
                        return [name], fact, True
        return ["equivalent_system"], None, False

    def trackers(
        self, purposes: list[dict[str, Any]], operator: dict[str, Any]
    ) -> list[dict[str, Any]]:
        out = []
        vendor_trackers = [f for f in self.of("vendor") if f.value.get("tracker")]
        for fact in [*self.of("tracker"), *vendor_trackers]:
            context = normalise(fact.first.text)
            kind = next(
                (k for k, pattern in _TRACKER_KIND if re.search(pattern, context)), "functional"
            )
            if fact.kind == "vendor":
                name, provider, first_party = fact.value["name"], fact.value["name"], False
            elif fact.key.startswith("cookie:"):
                name, provider, first_party = (
                    f"cookie ({fact.value['duration']})",
                    operator["name"],
                    True,
                )
            else:
                name, provider, first_party = fact.value["name"], operator["name"], True
            purpose = next(
                (p["id"] for p in purposes if any(s in fact.evidence for s in [])),
                purposes[0]["id"],
            )
            entry: dict[str, Any] = {
                "name": name,
                "kind": kind,
                "purpose": purpose,
                "provider": provider,
                "first_party": first_party,
                "description": self.text(fact),
            }
            if (
                fact.kind == "tracker"
                and fact.value.get("duration")
                and fact.value["duration"] != "session"
            ):
                entry["duration"] = self._pick(fact.value["duration"], fact.value["duration"])
            self.trace(("trackers", len(out), "name"), fact, name)
            self.trace(
                ("trackers", len(out), "purpose"),
                fact,
                purpose,
                "the text does not tie this tracker to a listed purpose",
            )
            if kind == "functional":
                self.trace(
                    ("trackers", len(out), "kind"),
                    fact,
                    kind,
                    "the text does not say what kind of tracker this is",
                )
            out.append(entry)
        return out

    def retention(self, categories: list[dict[str, Any]]) -> list[dict[str, Any]]:
        declared = [c["key"] for c in categories]
        out = []
        for fact in self.of("retention"):
            value = fact.value
            clock = value["clock"]
            if clock == "indefinite":
                self.traces.append(
                    Trace(
                        ("retention",),
                        "retention",
                        "indefinite",
                        fact.evidence,
                        "kept indefinitely: the model has no clock for it (needs model support)",
                    )
                )
                continue
            value["label"] or fact.first.text
            entry: dict[str, Any] = {
                "id": f"rule_{len(out) + 1}",
                "label": self.text(fact, _label_part) if value["label"] else self.text(fact),
                "categories": [k for k in declared if k in _keys_in(fact.first)],
                "clock": clock,
            }
            if value["period"]:
                entry["period"] = value["period"]
            if clock == "while_needed":
                entry["enforced"] = False
            entry["description"] = self.text(fact)
            self.trace(
                ("retention", len(out), "period" if value["period"] else "clock"),
                fact,
                value["period"] or clock,
            )
            out.append(entry)
        return out

    def rights(self, contacts: list[dict[str, Any]]) -> list[dict[str, Any]]:
        rights = self.of("right")
        verification = [f for f in self.of("verification")]
        fees = self.of("fee")
        deadlines = self.of("deadline")
        refusals = self.of("refusal")
        channel_ids = [c["id"] for c in contacts]
        out = []
        for index, fact in enumerate(rights or [None]):
            kind = fact.key if fact else "access"
            entry: dict[str, Any] = {"kind": kind}
            if fact is None:
                self.trace(
                    ("rights", 0, "kind"),
                    None,
                    kind,
                    "the text states no right; the model requires one",
                )
            else:
                entry["description"] = self.text(fact)
                self.trace(("rights", index, "kind"), fact, kind)
            entry["channels"] = [{"contact": c} for c in channel_ids]
            how = next((s for s in self.rights_sentences() if _CHANNEL.search(s.norm)), None)
            if how is not None:
                self.traces.append(
                    Trace(("rights", index, "channels"), "right", channel_ids, [how])
                )
            else:
                self.trace(
                    ("rights", index, "channels"),
                    None,
                    channel_ids,
                    "the text does not say where requests go; every contact it gives stands in",
                )
            if verification:
                entry["verification"] = sorted({v.key for v in verification})
                self.trace(
                    ("rights", index, "verification"), verification[0], entry["verification"]
                )
            else:
                entry["verification"] = ["company_procedure"]
                self.trace(
                    ("rights", index, "verification"),
                    None,
                    ["company_procedure"],
                    "the text does not say how identity is checked; the model requires a method",
                )
            deadline = self._deadline(deadlines)
            entry["deadline"] = deadline[0]
            self.trace(("rights", index, "deadline"), deadline[1], deadline[0])
            fee = next(
                (
                    f
                    for f in fees
                    if kind in _rights_named(f)
                    or (kind == "access" and not any(_rights_named(g) for g in fees))
                ),
                None,
            )
            if fee is not None:
                entry["fee"] = {
                    k: fee.value[k] for k in ("kind", "amount") if fee.value.get(k) is not None
                }
                entry["fee"]["note"] = self.text(fee)
                if fee.value.get("unit"):
                    entry["fee"]["unit"] = self._pick("1件あたり", "per case")
                if fee.value["kind"] == "actual_cost" and kind not in {
                    "access",
                    "third_party_records",
                    "notify_purposes",
                }:
                    entry.pop("fee")
                else:
                    self.trace(("rights", index, "fee"), fee, fee.key)
            withheld = self.of("withheld")
            if kind == "access" and withheld:
                entry["withheld"] = self.text(withheld[0])
                self.trace(("rights", index, "withheld"), withheld[0], withheld[0].first.text)
            if kind == "access" and refusals:
                entry["refusal_grounds"] = [
                    {"id": f"ground_{n + 1}", "label": self.text(r)} for n, r in enumerate(refusals)
                ]
                for n, r in enumerate(refusals):
                    self.trace(
                        ("rights", index, "refusal_grounds", n, "label"), r, r.value["label"]
                    )
            out.append(entry)
        return out

    def rights_sentences(self) -> list[Sentence]:
        return [s for s in self.sentences_all if topic_of(s) == "rights"]

    def _deadline(self, deadlines: list[Fact]) -> tuple[dict[str, Any], Fact | None]:
        periods = [d for d in deadlines if d.key != "without_delay"]
        if periods:
            first = periods[0]
            deadline: dict[str, Any] = {"period": first.key, "note": self.text(first)}
            if len(periods) > 1:
                deadline["extension_note"] = self.text(periods[1])
            return deadline, first
        delay = [d for d in deadlines if d.key == "without_delay"]
        if delay:
            return {"without_delay": True, "note": self.text(delay[0])}, delay[0]
        return {"without_delay": True, "statutory": True}, None

    def minors(self) -> dict[str, Any] | None:
        found = self.of("minors")
        if not found:
            return None
        out: dict[str, Any] = {}
        for fact in found:
            if "minimum_age" in fact.value and "minimum_age" not in out:
                out["minimum_age"] = fact.value["minimum_age"]
                self.trace(("minors", "minimum_age"), fact, out["minimum_age"])
            if fact.value.get("on_discovery"):
                out["on_discovery"] = fact.value["on_discovery"]
                self.trace(("minors", "on_discovery"), fact, "delete")
        note = self.note("minors_note", ("minors", "note"))
        evidence = [s for f in found for s in f.evidence]
        by_lang = {
            lang: " ".join(dict.fromkeys(s.text for s in evidence if s.lang == lang))
            for lang in self.languages
        }
        fallback = " ".join(dict.fromkeys(s.text for s in evidence))
        out["note"] = note or {lang: by_lang[lang] or fallback for lang in self.languages}
        return out

    def security(self) -> list[dict[str, Any]]:
        out = []
        for fact in self.of("security"):
            self.trace(("security", len(out), "text"), fact, fact.value["text"])
            out.append({"kind": fact.value["kind"], "text": self.text(fact)})
        return out

    def changes(self) -> dict[str, Any] | None:
        found = {f.key.split("=")[0]: f for f in self.of("changes") if f.key != "purpose_change"}
        if not found:
            return None
        out: dict[str, Any] = {}
        if "on_posting" in found:
            out["effective"] = "on_posting"
        if "notice_days" in found:
            out["effective"] = "after_notice"
            out["notice_days"] = int(found["notice_days"].key.split("=")[1])
        for flag in (
            "material_changes_only",
            "without_notice",
            "continued_use_is_acceptance",
            "consent_when_required",
        ):
            if flag in found:
                out[flag] = True
        for name, fact in found.items():
            self.trace(
                (
                    "changes",
                    "notice_days"
                    if name == "notice_days"
                    else name
                    if name != "on_posting"
                    else "effective",
                ),
                fact,
                fact.key,
            )
        note = self.note("changes_note", ("changes", "note"))
        if note:
            out["note"] = note
        return out


def _rights_named(fact: Fact) -> set[str]:
    """The rights a fee sentence is about ('no fee for disclosure requests' is about access)."""
    text = " ".join(s.norm for s in fact.evidence)
    return {name for name, pattern in _RIGHTS if re.search(pattern, text)}


def _strip_label(text: str) -> str:
    return re.sub(
        r"^(?:address|所在地|住所|本社)\s*[:：]\s*", "", text, flags=re.IGNORECASE
    ).strip()


def _quoted(text: str) -> str:
    match = re.search(r"[\"“「]([^\"”」]{2,60})[\"”」]", text)
    return match.group(1) if match else text


def _label_part(text: str) -> str:
    label, separator, rest = text.partition(":")
    if not separator:
        label, separator, rest = text.partition("：")
    return label.strip() if separator and rest.strip() and len(label) <= 60 else text


def _description_part(text: str) -> str:
    label, separator, rest = text.partition(":")
    if not separator:
        label, separator, rest = text.partition("：")
    return rest.strip() if separator and rest.strip() and len(label) <= 80 else text


def _in_contact_section(sentence: Sentence) -> bool:
    return topic_of(sentence) == "contact"


def _keys_in(sentence: Sentence) -> set[str]:
    return {key for _, _, key in term_matches(sentence.norm)}


def _shares_data(fact: Fact) -> bool:
    return any(
        topic_of(s) in {"share", "transfer", "cookies", "purpose", "collect"} for s in fact.evidence
    )


def _slug(name: str, index: int) -> str:
    ascii_name = re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")
    return (
        (ascii_name[:30].strip("_") or f"recipient_{index + 1}")
        if ascii_name and ascii_name[0].isalpha()
        else f"recipient_{index + 1}"
    )


def emit_policy(
    facts: list[Fact], sentences: list[Sentence], languages: list[str], name: str
) -> Emitted:
    """The declaration for today's models, with a trace of every value and what it lacks."""
    emitter = _Emitter(facts, sentences, languages, name)
    data = emitter.emit()
    _unique_ids(data)
    unsupported = [f for f in facts if f.needs_model_support]
    return Emitted(data, emitter.traces, unsupported)


def _unique_ids(data: dict[str, Any]) -> None:
    for section in ("recipients", "contacts"):
        seen: set[str] = set()
        for index, entry in enumerate(data.get(section, [])):
            if entry["id"] in seen:
                entry["id"] = f"{entry['id']}_{index + 1}"
            seen.add(entry["id"])
    names: set[str] = set()
    for index, tracker in enumerate(data.get("trackers", [])):
        if tracker["name"] in names:
            tracker["name"] = f"{tracker['name']} {index + 1}"
        names.add(tracker["name"])
