"""Facts to `policy.yaml`: the only module that knows the declaration models' field names.

Every value it writes is one the text states, in the text's words: qualifiers (原則として,
努めます), whether a list is alternatives or a combination, periods in the unit written, the
operator's self-reference, negative promises as `statements`. What the text does not state is
left out, because not stated is a value: where the law requires it, `validate` reports it as
missing, and the review file lists those findings as the reviewer's to-do list.

Only where a model requires a value the text does not give (the operator's name, one category,
one purpose, one right, a tracker's kind and purpose) does the emitter write the least committal
value the model accepts, and lists it as a placeholder. A fact no field can hold (a qualifier on
a fee, a negative promise the rest of the text contradicts) reaches the sidecar and the review
file as "needs model support", with the reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from policykeeper.draft.extract import _EXCEPTIONS, _RIGHTS, term_matches, topic_of, vendors
from policykeeper.draft.facts import Fact
from policykeeper.draft.japanese import clauses, is_exception_frame, is_negative
from policykeeper.draft.text import Sentence, normalise
from policykeeper.policy.checks import ERROR, Finding, check_policy
from policykeeper.policy.models import Policy
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
class Unsupported:
    """A fact of the text that no field of the declaration holds, and why."""

    fact: Fact
    reason: str


@dataclass
class Emitted:
    data: dict[str, Any]
    traces: list[Trace] = field(default_factory=list)
    unsupported: list[Unsupported] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    """What `validate` says of the draft: the law's missing items, warnings (and, if the
    drafter erred, errors)."""


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
    "third_party": ("third_party", None),
}
"""Recipient type and APPI basis for each kind of recipient the text names; third-party
provision has a basis only where the text gives one (consent)."""
_CONSENTED = re.compile(
    r"with (?:your |the user.?s |the person.?s |prior |express )*(?:consent|agreement)|"
    r"(?:obtain|obtained|obtaining) (?:your |the user.?s |prior )*consent|同意を得(?:た|て)|同意(?:いただいた|の上)"
)
_TRACKER_KIND = (
    ("necessary", r"session|login|log in|ログイン|必須|necessary|strictly"),
    ("analytics", r"analy|statistic|分析|計測|解析"),
    ("advertising", r"advertis|marketing|広告|ターゲティング"),
    ("personalization", r"personali[sz]|recommend|パーソナライズ"),
)
_TRACKER_USES = {
    "analytics": ("analytics", "functional.service.improve"),
    "advertising": ("marketing",),
    "personalization": ("personalize",),
    "necessary": ("essential",),
}
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
_REQUEST_CHANNELS = (
    ("email", r"e-?mail|メール"),
    ("postal", r"\bpost(?:al)?\b|\bby mail\b|郵送|郵便"),
    ("web_form", r"\bforms?\b|フォーム"),
    ("phone", r"\b(?:tele)?phone\b|電話"),
)
_ANY_CHANNEL = re.compile(
    r"contact us|please contact|address below|contact (?:information|details) below|"
    r"お問い合わせ|問い合わせ窓口|窓口|までご連絡"
)
_STATEMENT_VERBS = (
    (
        "on_device",
        r"(?:stays?|remains?|kept|stored) (?:only )?(?:locally )?on (?:your|the user.?s) device|"
        r"(?:not|never) (?:be )?(?:sent|transmitted|uploaded) to (?:us|our servers?)|端末(?:内|上)に(?:のみ)?(?:保存|とどま)",
    ),
    ("not_stored", r"\bstor|\bkeep|\bkept|\bretain|\bhold|保存|保管|保持"),
    (
        "not_provided",
        r"\bshar|\bdisclos|\bprovid\w* (?:\w+ ){0,4}to\b|\bsen[dt]|\btransfer|\bsell|\bsold|\brent|第三者|共有|提供|開示|送信|販売",
    ),
    (
        "not_collected",
        r"\bcollect|\bobtain|\bacquir|\breceiv|\bgather|\brecord|取得|収集|記録|受け取",
    ),
)
"""What a negative promise denies, from its verb (see `_statement_kind`)."""
_NEGATION_CATEGORIES = {
    "personal information": ["user"],
    "third_party_sharing": ["user"],
    "user.account": ["user.account"],
}
_KANJI_CONJUNCTIONS = re.compile(r"又は|及び|並びに|若しくは")
_KANA_CONJUNCTIONS = re.compile(r"または|および|ならびに|もしくは")
_FALLBACK_SELF = ("当社", "弊社", "当法人", "当省", "当協会", "当財団", "当組合", "当機構", "当店")
"""Self-references recognised without a definition ('以下「当法人」'), by use alone."""


class _Emitter:
    def __init__(
        self, facts: list[Fact], sentences: list[Sentence], languages: list[str], name: str
    ) -> None:
        self.facts = facts
        self.sentences_all = sentences
        self.languages = languages
        self.name = name
        self.traces: list[Trace] = []
        self.placed: set[int] = set()
        """Facts (by id) that a field now holds: qualifiers, negations, language."""
        self.reasons: dict[int, str] = {}
        """Why a fact (by id) that a field could hold was left out of it."""

    # -- helpers --

    def of(self, kind: str) -> list[Fact]:
        return [f for f in self.facts if f.kind == kind]

    def joined(self, what: str, sentences: list[Sentence] | None = None) -> Fact | None:
        """The 'or'/'and' the text gives for a list of `what`, from the given sentences."""
        for fact in self.of("join"):
            if fact.key.split("=")[0] != what:
                continue
            if sentences is None or any(s in sentences for s in fact.evidence):
                return fact
        return None

    def text(self, fact: Fact, transform: Any = None) -> dict[str, str]:
        """The fact's sentence in every published language, each from its own version where the
        versions were aligned (otherwise the one version's words stand in both)."""
        texts = dict(fact.value.get("texts", {})) if isinstance(fact.value, dict) else {}
        for sentence in fact.evidence:
            texts.setdefault(sentence.lang, sentence.text)
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
                fact.kind if fact else str(path[0]),
                value,
                fact.evidence if fact else [],
                placeholder,
            )
        )

    def place(self, fact: Fact, path: Path, value: Any) -> None:
        """A fact a field holds: traced, and no longer needing model support."""
        self.placed.add(id(fact))
        self.trace(path, fact, value)

    def qualifier(self, facts: list[Fact], kind: str, path: Path) -> str | None:
        """The qualifier the text puts on a value (原則として, 努めます), placed at `path`."""
        found = sorted({q for fact in facts for q in fact.qualifiers})
        if len(found) != 1:
            return None
        for fact in self.of("qualifier"):
            if fact.key == f"{found[0]}:{kind}" and any(
                s in fact.evidence for f in facts for s in f.evidence
            ):
                self.place(fact, path, found[0])
        return found[0]

    def ja_sentences(self) -> list[Sentence]:
        return [s for s in self.sentences_all if s.lang == "ja" and s.kind != "heading"]

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
        data["languages"] = self.published()
        data["jurisdictions"] = self.jurisdictions()
        data["operators"] = self.operators()
        self_reference = self.self_reference()
        if self_reference:
            data["self_reference"] = self_reference
        style = self.style()
        if style:
            data["style"] = style
        manager = self.privacy_manager()
        if manager:
            data["privacy_manager"] = manager
        data["contacts"] = self.contacts()
        complaints = self.complaints(data["contacts"])
        if complaints:
            data["complaints"] = complaints
        definitions = self.definitions()
        if definitions:
            data["definitions"] = definitions
        data["categories"] = self.categories()
        data["purposes"] = self.purposes(data["categories"])
        purpose_change = self.purpose_change()
        if purpose_change:
            data["purpose_change"] = purpose_change
        recipients = self.recipients(data["categories"], data["operators"][0])
        if recipients:
            data["recipients"] = recipients
        exceptions, notes = self.exceptions()
        if exceptions:
            data["provision_exceptions"] = exceptions
        if notes:
            data["provision_exception_notes"] = notes
        for note_field, topic in (
            ("cross_border_note", "cross_border_note"),
            ("tracker_note", "tracker_note"),
            ("retention_note", "retention_note"),
            ("security_note", "security_note"),
        ):
            text = self.note(topic, (note_field,))
            if text:
                data[note_field] = text
        trackers = self.trackers(data["purposes"])
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
        statements = self.statements(data["categories"])
        if statements:
            data["statements"] = statements
        changes = self.changes()
        if changes:
            data["changes"] = changes
        ccpa = self.ccpa(data["jurisdictions"])
        if ccpa:
            data["ccpa"] = ccpa
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

    def published(self) -> dict[str, Any]:
        """The languages of the sources; the one the text says prevails, where it is one of them."""
        openings = [
            next(s for s in self.sentences_all if s.lang == lang or len(self.languages) == 1)
            for lang in self.languages
            if any(s.lang == lang for s in self.sentences_all) or len(self.languages) == 1
        ]
        self.traces.append(Trace(("languages", "published"), "language", self.languages, openings))
        stated = [f for f in self.of("language") if f.value["authoritative"] in self.languages]
        if stated:
            authoritative = stated[0].value["authoritative"]
            for fact in stated:
                self.place(fact, ("languages", "authoritative"), authoritative)
        elif len(self.languages) > 1:
            authoritative = "ja"
            self.trace(
                ("languages", "authoritative"),
                None,
                authoritative,
                "the text does not say which version prevails; the model requires one",
            )
        else:
            authoritative = self.languages[0]
            if self.of("language"):
                self.trace(
                    ("languages", "authoritative"),
                    self.of("language")[0],
                    authoritative,
                    "the text says another version prevails, which this draft does not have; "
                    "the model requires a published language",
                )
        return {"authoritative": authoritative, "published": self.languages}

    def jurisdictions(self) -> list[str]:
        stated = {f.key: f for f in self.of("jurisdiction")}
        chosen = [j for j in ("appi", "gdpr", "ccpa") if j in stated]
        for index, name in enumerate(chosen):
            self.trace(("jurisdictions", index), stated[name], name)
        if not chosen:
            self.trace(("jurisdictions", 0), None, "appi", "the text names no law; APPI is assumed")
            return ["appi"]
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
        departments = self.of("department")
        if departments:
            operator["department"] = self.localized(departments[0], "name")
            self.trace(("operators", 0, "department"), departments[0], departments[0].value["name"])
        if representatives:
            operator["representative"] = self.localized(representatives[0], "name")
            self.trace(
                ("operators", 0, "representative"), representatives[0], operator["representative"]
            )
        return [operator]

    def self_reference(self) -> str | None:
        """How the Japanese text names the operator: as it defines itself (以下「当法人」), or the
        one self-reference it uses throughout. A text that mixes them keeps the default."""
        if "ja" not in self.languages:
            return None
        defined = self.of("self_reference")
        if defined:
            self.place(defined[0], ("self_reference",), defined[0].key)
            return defined[0].key
        used: dict[str, list[Sentence]] = {}
        for sentence in self.ja_sentences():
            for word in _FALLBACK_SELF:
                if re.search(word + r"(?![員議会])", sentence.text):
                    used.setdefault(word, []).append(sentence)
        if len(used) != 1:
            return None
        word, sentences = next(iter(used.items()))
        if len(sentences) < 2:
            return None
        self.traces.append(Trace(("self_reference",), "self_reference", word, sentences[:3]))
        return word

    def style(self) -> dict[str, str]:
        """The Japanese house style the text itself follows, where it is not the default."""
        out: dict[str, str] = {}
        sentences = self.ja_sentences()
        kana = [s for s in sentences if _KANA_CONJUNCTIONS.search(s.text)]
        kanji = [s for s in sentences if _KANJI_CONJUNCTIONS.search(s.text)]
        if len(kana) >= 2 and len(kana) > len(kanji):
            out["conjunctions"] = "kana"
            self.traces.append(Trace(("style", "conjunctions"), "style", "kana", kana[:3]))
        hours = [h for h in self.of("hours") if h.value.get("ji")]
        if hours and "ja" in self.languages:
            out["time_ranges"] = "ji"
            self.trace(("style", "time_ranges"), hours[0], "ji")
        return out

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
            taken = any(c["kind"] == kind for c in out)
            contact_id = kind.replace("web_form", "form") + (f"{len(out) + 1}" if taken else "")
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
        return out

    def complaints(self, contacts: list[dict[str, Any]]) -> dict[str, Any] | None:
        """Where complaints go, only where the text names a desk for them."""
        desk = self.of("complaints")
        if not desk:
            return None
        out: dict[str, Any] = {"note": self.text(desk[0])}
        named = [
            c["id"]
            for c in contacts
            if c["value"] and any(normalise(c["value"]) in s.norm for s in desk[0].evidence)
        ]
        chosen = named[0] if named else (contacts[0]["id"] if contacts else None)
        if chosen is not None:
            out["contact"] = chosen
            self.trace(("complaints", "contact"), desk[0], chosen)
        self.trace(("complaints", "note"), desk[0], desk[0].first.text)
        return out

    def definitions(self) -> list[dict[str, Any]]:
        out = []
        for fact in self.of("definition"):
            self.trace(("definitions", len(out), "meaning"), fact, fact.value["term"])
            out.append({"term": self.text(fact, _quoted), "meaning": self.text(fact)})
        return out

    def categories(self) -> list[dict[str, Any]]:
        taxonomy = builtin()
        out = []
        for fact in self.of("category"):
            sources = sorted(
                {
                    o.key.split("=", 1)[1]
                    for o in self.of("obtained")
                    if o.key.split("=", 1)[0] == fact.key
                }
                - {"unstated"}
            )
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
            }
            if sources:
                entry["sources"] = sources
            if taxonomy.is_sensitive(fact.key):
                entry["sensitive"] = True
                consent = next(
                    (
                        s
                        for s in self.sentences()
                        if re.search(r"consent|同意", s.norm)
                        and re.search(r"special category|sensitive|要配慮|性的", s.norm)
                    ),
                    None,
                )
                if consent is not None:
                    entry["sensitive_consent"] = {lang: consent.text for lang in self.languages}
                    self.traces.append(
                        Trace(
                            ("categories", len(out), "sensitive_consent"),
                            "category",
                            consent.text,
                            [consent],
                        )
                    )
            self.trace(("categories", len(out), "key"), fact, fact.key)
            out.append(entry)
        if not out:
            self.trace(
                ("categories", 0, "key"),
                None,
                "user",
                "the text names no data; the model requires one category",
            )
            out.append({"key": "user", "label": self._pick("個人情報", "Personal information")})
        return out

    def sentences(self) -> list[Sentence]:
        seen: dict[int, Sentence] = {}
        for fact in self.facts:
            for sentence in fact.evidence:
                seen[id(sentence)] = sentence
        return list(seen.values())

    def purposes(self, categories: list[dict[str, Any]]) -> list[dict[str, Any]]:
        declared = [c["key"] for c in categories]
        out = []
        for fact in self.of("purpose"):
            mentioned = [k for k in declared if any(k in _keys_in(s) for s in fact.evidence)]
            entry: dict[str, Any] = {
                "id": f"purpose_{len(out) + 1}",
                "label": self.text(fact, _label_part),
                "uses": fact.value["uses"],
            }
            if mentioned:
                entry["categories"] = mentioned
                self.trace(("purposes", len(out), "categories"), fact, mentioned)
            if fact.value["description"]:
                entry["description"] = self.text(fact, _description_part)
            self.trace(("purposes", len(out), "label"), fact, fact.value["label"])
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
                }
            )
        return out

    def purpose_change(self) -> dict[str, str] | None:
        """When and how the purposes may change, in the text's words."""
        stated = [f for f in self.of("changes") if f.key == "purpose_change"]
        if not stated:
            return self.note("purpose_change", ("purpose_change",))
        self.trace(("purpose_change",), stated[0], stated[0].first.text)
        return self.text(stated[0])

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
        return out

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
        if provision is None and any(
            _CONSENTED.search(normalise(" ".join((s.text, s.lead)))) for s in fact.evidence
        ):
            provision = "consent"
        entry: dict[str, Any] = {"id": _slug(name, index), "name": name, "type": recipient_type}
        if provision is not None:
            entry["provision"] = provision
            self.trace(("recipients", index, "provision"), fact, provision)
        self.trace(("recipients", index, "name"), fact, name)
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
            safeguard = self._safeguard() if abroad else None
            if safeguard is not None:
                entry["safeguards"] = [safeguard[0]]
                self.trace(("recipients", index, "safeguards"), safeguard[1], [safeguard[0]])
        else:
            entry["countries_unknown"] = True
        if recipient_type == "joint_use":
            items = [
                k for k in declared if any(k in _keys_in(s) for s in self._section_sentences(fact))
            ]
            if items:
                self.trace(("recipients", index, "joint_use", "items"), fact, items)
            else:
                items = declared[:1]
                self.trace(
                    ("recipients", index, "joint_use", "items"),
                    fact,
                    items,
                    "the text does not list the items used jointly; the model requires one",
                )
            joint: dict[str, Any] = {
                "items": items,
                "users": self.same(name),
                "purposes": self.text(fact, _description_part) if purpose else self.text(fact),
                "responsible": {"name": operator["name"]},
            }
            self.trace(
                ("recipients", index, "joint_use", "responsible"),
                fact,
                operator["name"],
                "the text does not name who is responsible for the joint use; the operator stands in",
            )
            if "representative" in operator:
                joint["responsible_representative"] = operator["representative"]
            entry["joint_use"] = joint
            entry["categories"] = items
        return entry

    def _section_sentences(self, fact: Fact) -> list[Sentence]:
        sections = {s.section[:1] for s in fact.evidence}
        return [s for s in self.sentences_all if s.section[:1] in sections]

    def _safeguard(self) -> tuple[str, Fact] | None:
        for fact in self.of("note"):
            for sentence in fact.evidence:
                for name, pattern in _SAFEGUARDS:
                    if re.search(pattern, sentence.norm):
                        return name, fact
        return None

    def exceptions(self) -> tuple[list[str], dict[str, dict[str, str]]]:
        """The cases of provision without consent, each in the policy's own words where a
        sentence (or a clause of one) states that case alone."""
        found = self.of("exception")
        keys = sorted({f.key for f in found})
        for fact in found:
            self.trace(("provision_exceptions", keys.index(fact.key)), fact, fact.key)
        cited: dict[int, set[str]] = {}
        for fact in found:
            for sentence in fact.evidence:
                cited.setdefault(id(sentence), set()).add(fact.key)
        notes: dict[str, dict[str, str]] = {}
        for lang in self.languages:
            words = _exception_words(found, cited, lang)
            for key, text in words.items():
                notes.setdefault(key, {})[lang] = text
        notes = {k: v for k, v in notes.items() if set(v) == set(self.languages)}
        for key, text in notes.items():
            fact = next(f for f in found if f.key == key)
            self.trace(("provision_exception_notes", key), fact, text[self.languages[0]])
        return keys, dict(sorted(notes.items()))

    def trackers(self, purposes: list[dict[str, Any]]) -> list[dict[str, Any]]:
        out = []
        says_tracking = any(_TRACKING_WORDS.search(s.norm) for s in self.sentences_all)
        vendor_trackers = [f for f in self.of("vendor") if f.value.get("tracker") and says_tracking]
        for fact in [*self.of("tracker"), *vendor_trackers]:
            context = normalise(fact.first.text)
            kind = next((k for k, pattern in _TRACKER_KIND if re.search(pattern, context)), None)
            if fact.kind == "vendor":
                name = fact.value["name"]
            elif fact.key.startswith("cookie:"):
                name = f"cookie ({fact.value['duration']})"
            else:
                name = fact.value["name"]
            entry: dict[str, Any] = {
                "name": name,
                "kind": kind or "functional",
                "purpose": purposes[0]["id"],
                "description": self.text(fact),
            }
            if fact.kind == "vendor":
                entry["provider"] = fact.value["name"]
                entry["first_party"] = False
            if (
                fact.kind == "tracker"
                and fact.value.get("duration")
                and fact.value["duration"] != "session"
            ):
                entry["duration"] = self._pick(fact.value["duration"], fact.value["duration"])
            index = len(out)
            self.trace(("trackers", index, "name"), fact, name)
            if kind is None:
                self.trace(
                    ("trackers", index, "kind"),
                    fact,
                    "functional",
                    "the text does not say what kind of tracker this is; the model requires one",
                )
            serving = [
                p["id"]
                for p in purposes
                if kind and any(u.startswith(_TRACKER_USES[kind]) for u in p["uses"])
            ]
            if len(serving) == 1:
                entry["purpose"] = serving[0]
                self.trace(("trackers", index, "purpose"), fact, serving[0])
            else:
                self.trace(
                    ("trackers", index, "purpose"),
                    fact,
                    entry["purpose"],
                    "the text does not tie this tracker to one listed purpose; the model requires one",
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
            if clock not in {"account_active", "while_needed"} and not value["period"]:
                # "we retain it for longer where the law requires": the statute sets the period,
                # the text does not, and a rule on this clock needs one
                self.traces.append(
                    Trace(
                        ("retention",),
                        "retention",
                        clock,
                        fact.evidence,
                        "kept as long as the law requires: the text gives no period, which a rule "
                        "on this clock needs (the operator adds the statutory period)",
                    )
                )
                self.reasons[id(fact)] = (
                    "kept as long as the law requires, with no period: a retention rule on this "
                    "clock needs one"
                )
                continue
            index = len(out)
            entry: dict[str, Any] = {
                "id": f"rule_{index + 1}",
                "label": self.text(fact, _label_part) if value["label"] else self.text(fact),
                "categories": [k for k in declared if k in _keys_in(fact.first)],
                "clock": clock,
            }
            if value["period"]:
                entry["period"] = value["period"]
            qualifier = self.qualifier([fact], "retention", ("retention", index, "qualifier"))
            if qualifier:
                entry["qualifier"] = qualifier
            if clock == "while_needed":
                entry["enforced"] = False
            entry["description"] = self.text(fact)
            self.trace(
                ("retention", index, "period" if value["period"] else "clock"),
                fact,
                value["period"] or clock,
            )
            out.append(entry)
        return out

    def request_channels(self, contacts: list[dict[str, Any]]) -> tuple[list[str], list[Sentence]]:
        """The contacts the text says requests go to: those it names (an address, 'by post',
        'the email address below'), or every contact where it points at the contact section."""
        chosen: list[str] = []
        evidence: list[Sentence] = []
        pointing: list[Sentence] = []
        for sentence in self.rights_sentences():
            named = [
                c["id"]
                for c in contacts
                if (c["value"] and normalise(c["value"]) in sentence.norm)
                or any(
                    kind == c["kind"] and re.search(pattern, sentence.norm)
                    for kind, pattern in _REQUEST_CHANNELS
                )
            ]
            if named:
                evidence.append(sentence)
                chosen += [c for c in named if c not in chosen]
            elif _ANY_CHANNEL.search(sentence.norm):
                pointing.append(sentence)
        if not chosen and pointing and contacts:
            return [c["id"] for c in contacts], pointing
        return chosen, evidence

    def rights(self, contacts: list[dict[str, Any]]) -> list[dict[str, Any]]:
        rights = self.of("right")
        verification = self.of("verification")
        fees = self.of("fee")
        deadlines = self.of("deadline")
        refusals = self.of("refusal")
        channels, channel_evidence = self.request_channels(contacts)
        channels_join = self.joined("channels", channel_evidence)
        verification_join = self.joined(
            "verification", [s for v in verification for s in v.evidence]
        )
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
            if channels:
                entry["channels"] = [{"contact": c} for c in channels]
                self.traces.append(
                    Trace(("rights", index, "channels"), "right", channels, channel_evidence)
                )
                if channels_join and len(channels) > 1:
                    entry["channels_join"] = channels_join.value["join"]
                    self.trace(
                        ("rights", index, "channels_join"), channels_join, entry["channels_join"]
                    )
            if verification:
                entry["verification"] = sorted({v.key for v in verification})
                self.trace(
                    ("rights", index, "verification"), verification[0], entry["verification"]
                )
                if verification_join and len(entry["verification"]) > 1:
                    entry["verification_join"] = verification_join.value["join"]
                    self.trace(
                        ("rights", index, "verification_join"),
                        verification_join,
                        entry["verification_join"],
                    )
            deadline = self._deadline(deadlines, index)
            if deadline is not None:
                entry["deadline"] = deadline
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
                entry["fee"] = self._fee(fee, index)
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

    def _fee(self, fee: Fact, index: int) -> dict[str, Any]:
        entry: dict[str, Any] = {
            k: fee.value[k] for k in ("kind", "amount") if fee.value.get(k) is not None
        }
        if "amount" in entry:
            entry["currency"] = "JPY"
        if fee.value.get("unit"):
            entry["unit"] = self._pick("1件あたり", "per case")
        entry["note"] = self.text(fee)
        self.trace(("rights", index, "fee"), fee, fee.key)
        return entry

    def rights_sentences(self) -> list[Sentence]:
        return [s for s in self.sentences_all if topic_of(s) == "rights"]

    def _deadline(self, deadlines: list[Fact], index: int) -> dict[str, Any] | None:
        """The deadline as written: its period, 'as a rule', and a longer time for some
        requests with the text's own condition ('複雑なリクエスト…の場合')."""
        path: Path = ("rights", index, "deadline")
        periods = [d for d in deadlines if d.key != "without_delay"]
        main = next((d for d in periods if not d.value.get("extension")), None)
        longer = next((d for d in periods if d.value.get("extension") and d is not main), None)
        if main is None and longer is not None:
            main, longer = longer, None
        if main is not None:
            deadline: dict[str, Any] = {"period": main.key}
            notes = [self.text(main)]
            self.trace((*path, "period"), main, main.key)
            qualifier = self.qualifier([main], "deadline", (*path, "qualifier"))
            if qualifier:
                deadline["qualifier"] = qualifier
            if longer is not None:
                field_name = str(longer.value["extension"])
                deadline[field_name] = longer.key
                self.trace((*path, field_name), longer, longer.key)
                when = longer.value.get("when")
                if when and len(self.languages) == 1:
                    deadline["extension_when"] = self.same(when)
                    self.trace((*path, "extension_when"), longer, when)
                else:
                    notes.append(self.text(longer))
            deadline["note"] = {
                lang: ("" if lang == "ja" else " ").join(dict.fromkeys(n[lang] for n in notes))
                for lang in self.languages
            }
            return deadline
        delay = [d for d in deadlines if d.key == "without_delay"]
        if delay:
            self.trace((*path, "without_delay"), delay[0], True)
            return {"without_delay": True, "note": self.text(delay[0])}
        return None

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

    def statements(self, categories: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Negative and on-device promises, one per sentence and kind, in the sentence's words.
        Denying that data is stored also marks its category as not stored."""
        declared = {c["key"]: c for c in categories}
        groups: dict[tuple[int, str], tuple[Sentence, list[str], list[Fact]]] = {}
        for fact in self.of("negation"):
            keys = _NEGATION_CATEGORIES.get(fact.key, [fact.key])
            if not builtin().builtin_ancestor(keys[0]):
                continue
            kind = _statement_kind(str(fact.value.get("clause") or fact.first.norm))
            if kind is None:
                continue
            sentence = fact.first
            group = groups.setdefault((id(sentence), kind), (sentence, [], []))
            group[1].extend(k for k in keys if k not in group[1])
            group[2].append(fact)
        out = []
        for (_, kind), (_, keys, facts) in groups.items():
            index = len(out)
            statement = {"kind": kind, "categories": keys, "text": self.denial(facts[0])}
            for fact in facts:
                self.place(fact, ("statements", index, "kind"), kind)
            if kind == "not_stored":
                for key in keys:
                    if key in declared and self._declared_by(key, facts[0].first):
                        declared[key]["stored"] = False
                        position = list(declared).index(key)
                        self.trace(("categories", position, "stored"), facts[0], False)
            out.append(statement)
        return out

    def _declared_by(self, key: str, sentence: Sentence) -> bool:
        """Does this sentence itself declare the category ('Credit card information (processed
        by Stripe; we do not store card numbers)'), so that its denial is about that category?"""
        return any(f.key == key and sentence in f.evidence for f in self.of("category"))

    def denial(self, fact: Fact) -> dict[str, str]:
        """The words of a negative promise: its own clause where the sentence says more
        ('Credit card information (…; the Company does not store card numbers)')."""
        return self.text(fact, _negative_clause)

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
            where = "effective" if name == "on_posting" else name
            self.trace(("changes", where), fact, fact.key)
        qualifier = self.qualifier(list(found.values()), "changes", ("changes", "qualifier"))
        if qualifier:
            out["qualifier"] = qualifier
        sentences = [s for f in found.values() for s in f.evidence]
        channels = sorted(
            (f for f in self.of("notice_channel") if any(s in sentences for s in f.evidence)),
            key=lambda f: (f.first.index, f.value["at"]),
        )
        if channels:
            out["channels"] = [self.localized(f, "text") for f in channels]
            for n, fact in enumerate(channels):
                self.trace(("changes", "channels", n), fact, fact.value["text"])
            join = self.joined("changes_channels", [s for f in channels for s in f.evidence])
            if join and len(channels) > 1:
                out["channels_join"] = join.value["join"]
                self.trace(("changes", "channels_join"), join, out["channels_join"])
        note = self.note("changes_note", ("changes", "note"))
        if note:
            out["note"] = note
        return out

    def ccpa(self, jurisdictions: list[str]) -> dict[str, Any] | None:
        """'We do not sell personal information', where the policy declares the CCPA."""
        sale = next((f for f in self.of("negation") if f.key == "sale"), None)
        if sale is None or "ccpa" not in jurisdictions:
            return None
        self.place(sale, ("ccpa", "sells"), False)
        return {"sells": False, "notice": self.text(sale)}


def _exception_words(found: list[Fact], cited: dict[int, set[str]], lang: str) -> dict[str, str]:
    """Each exception's own words in `lang`: a sentence that states it alone, else its clause
    of a sentence that lists several cases no other sentence states."""
    own: dict[str, str] = {}
    for fact in found:
        for sentence in fact.evidence:
            if sentence.lang == lang and cited[id(sentence)] == {fact.key}:
                own.setdefault(fact.key, _case_text(sentence.text))
    shared = {
        id(s): s for f in found for s in f.evidence if s.lang == lang and len(cited[id(s)]) > 1
    }
    for sentence in shared.values():
        cases = cited[id(sentence)] - set(own)
        if len(cases) == 1:
            own[cases.pop()] = _case_text(sentence.text)
        elif cases == cited[id(sentence)]:
            own.update(_split_cases(sentence, cases))
    return {
        k: v for k, v in own.items() if v and not re.search(r"[:：]$|following|以下|次の|下記", v)
    }


def _split_cases(sentence: Sentence, cases: set[str]) -> dict[str, str]:
    """'... when required by law, by court order, or when necessary to protect our rights':
    each case's clause, cut where the next case's words begin."""
    starts = []
    for name, pattern in _EXCEPTIONS:
        if name in cases:
            match = re.search(pattern, sentence.norm)
            if match is None:
                return {}
            starts.append((match.start(), name))
    starts.sort()
    if len(sentence.norm) != len(sentence.text):
        return {}
    out: dict[str, str] = {}
    opening = list(_CONDITION.finditer(sentence.text[: starts[0][0]]))
    begin = opening[-1].start() if opening else 0
    for number, (_, name) in enumerate(starts):
        end = len(sentence.text)
        if number + 1 < len(starts):
            following = starts[number + 1][0]
            cut = max(sentence.text.rfind(mark, begin, following) for mark in (", ", "、", "; "))
            if cut <= begin:
                return {}
            end = cut
        out[name] = _case_text(sentence.text[begin:end])
        begin = end
    return out


_CONDITION = re.compile(
    r"\b(?:when|whenever|where|if|in (?:the )?cases? (?:where|of)|in the event)\b", re.IGNORECASE
)


def _case_text(text: str) -> str:
    """A case as a list item: no leading conjunction, no trailing '; or', a capital in English."""
    text = re.sub(r"^[\s,、;；]*(?:or|and|又は|または|及び|および)?\s*", "", text)
    text = re.sub(r"[\s;；,、]*(?:or|and|又は|または)?[\s;；,、]*$", "", text).strip()
    return text[:1].upper() + text[1:] if text[:1].islower() else text


def _statement_kind(clause: str) -> str | None:
    """What a negative clause denies: staying on the device, else its first verb
    ('we do not receive or store' denies receiving)."""
    if re.search(_STATEMENT_VERBS[0][1], clause):
        return _STATEMENT_VERBS[0][0]
    found = [
        (match.start(), kind)
        for kind, verb in _STATEMENT_VERBS[1:]
        if (match := re.search(verb, clause)) is not None
    ]
    return min(found)[1] if found else None


def _negative_clause(text: str) -> str:
    """The clause of a sentence that denies, as a sentence of its own."""
    lang = "ja" if re.search(r"[ぁ-んァ-ン一-龥]", text) else "en"
    folded = normalise(text)
    if len(folded) != len(text):
        return text
    for start, end in clauses(folded, lang):
        clause = folded[start:end]
        if is_negative(clause, lang) and not is_exception_frame(clause, lang):
            words = text[start:end].strip(" ,;、")
            if lang == "ja":
                return words if words.endswith("。") else words + "。"
            words = words[:1].upper() + words[1:]
            return words if words.endswith((".", "!", "?")) else words + "."
    return text


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


_TRACKING_WORDS = re.compile(
    r"cookie|\btags?\b|pixel|web beacon|clear gif|local storage|\bsdks?\b|tracking technolog|similar technolog"
    r"|クッキー|タグ|ピクセル|ウェブビーコン|トラッキング"
)
"""A policy that names an analytics or video vendor without a word about cookies or similar
technologies ("We use Google Analytics to understand how you interact", "YouTube" in a list of
search providers) states no tracker: the vendor stays a recipient, and the draft does not make
the policy say it uses cookies."""


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
    """The declaration, a trace of every value, what no field holds, and what validate says."""
    emitter = _Emitter(facts, sentences, languages, name)
    data = emitter.emit()
    _unique_ids(data)
    emitted = Emitted(data, emitter.traces)
    emitted.findings = _settle(emitted, emitter)
    emitted.unsupported = _unsupported(facts, emitter, data)
    return emitted


def _settle(emitted: Emitted, emitter: _Emitter) -> list[Finding]:
    """Check the draft as `validate` will; a statement the rest of the draft contradicts (the
    text says both) is taken out and listed for review instead of failing the draft."""
    while True:
        try:
            policy = Policy.model_validate(emitted.data)
        except ValidationError as exc:
            return [
                Finding(tuple(error["loc"]), error["msg"], ERROR)
                for error in exc.errors(include_url=False)
            ]
        findings = check_policy(policy)
        clash = next(
            (
                f
                for f in findings
                if f.severity == ERROR and f.location[:1] == ("statements",) and len(f.location) > 1
            ),
            None,
        )
        if clash is None:
            return findings
        index = int(clash.location[1])
        statement = emitted.data["statements"].pop(index)
        if not emitted.data["statements"]:
            emitted.data.pop("statements")
        for trace in emitted.traces:
            if trace.path[:2] == ("statements", index):
                for fact in emitter.facts:
                    if fact.kind == "negation" and fact.evidence == trace.evidence:
                        emitter.placed.discard(id(fact))
                        emitter.reasons[id(fact)] = (
                            f"a {statement['kind']} statement the draft contradicts: {clash.message}"
                        )
        emitted.traces = [
            _shift(t, index) for t in emitted.traces if t.path[:2] != ("statements", index)
        ]
        for key in statement["categories"]:
            category = next((c for c in emitted.data["categories"] if c["key"] == key), None)
            if category is not None and statement["kind"] == "not_stored":
                category.pop("stored", None)
                emitted.traces = [
                    t
                    for t in emitted.traces
                    if t.path
                    != ("categories", emitted.data["categories"].index(category), "stored")
                ]


def _shift(trace: Trace, removed: int) -> Trace:
    """A statement's trace after the statement before it was taken out."""
    path = trace.path
    if path[:1] == ("statements",) and isinstance(path[1], int) and path[1] > removed:
        trace.path = ("statements", path[1] - 1, *path[2:])
    return trace


def _unsupported(facts: list[Fact], emitter: _Emitter, data: dict[str, Any]) -> list[Unsupported]:
    """Negative promises, qualifiers and the prevailing language no field holds. One whose
    sentence the draft keeps word for word in a text field (a minors note) is not lost."""
    kept = " ".join(_strings(data))
    out = []
    for fact in facts:
        if id(fact) in emitter.placed or (
            fact.kind not in {"negation", "qualifier", "language"}
            and not (fact.kind == "retention" and id(fact) in emitter.reasons)
        ):
            continue
        if fact.first.text in kept:
            continue
        out.append(Unsupported(fact, emitter.reasons.get(id(fact)) or _REASONS[fact.kind]))
    return out


_REASONS = {
    "negation": "a negative promise no statement kind holds (not collected, not stored, on the "
    "device, not provided, only for purposes, not used for)",
    "qualifier": "a qualifier (原則として / 努めます) on a value whose field takes none",
    "language": "which language version prevails: the declaration needs that language's text",
}


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


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
