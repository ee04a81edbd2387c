"""Round trip: does the rendered draft say what the source says, no less and no more?

The source and the rendering are read by the same extractor. Facts with a language-neutral
key (a category, a right, a period, a fee, a date, an address) are compared by key, and by
slot for "changed" (the source's fee is 1,000 yen, the rendering's is free). Facts keyed by
their wording (a purpose, a recipient, a refusal ground) are compared by whether their words
appear in the rendering. A fact the rendering lost is "needs model support" when the sidecar
lists it so. A fact only the rendering states is classified: read from the source's own words
moved to another section ("source words"), a placeholder the draft had to write, a value the
draft wrote (an invented promise), or wording that comes from the renderer rather than from any
value of the draft ("model default"; the models print nothing that was not declared, so this
holds no default promise).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from policykeeper.draft.extract import extract, term_matches
from policykeeper.draft.facts import Extraction, Fact
from policykeeper.draft.provenance import PROVENANCE_FILE
from policykeeper.draft.sources import read_source
from policykeeper.draft.text import blocks_of_text, normalise, sentences_of
from policykeeper.policy.loading import load_policy
from policykeeper.policy.models import Policy
from policykeeper.policy.source import read_yaml

KEYED = (
    "category",
    "right",
    "retention",
    "fee",
    "deadline",
    "minors",
    "changes",
    "date",
    "contact",
    "vendor",
    "verification",
    "exception",
    "negation",
    "qualifier",
    "language",
)
"""Kinds compared by key: both sides must produce the same key for the same fact."""

WORDED = (
    "operator",
    "representative",
    "address",
    "purpose",
    "recipient",
    "refusal",
    "security",
    "tracker",
)
"""Kinds compared by their words appearing in the rendering."""

_FIELD_OF = {
    "fee": ("rights", "fee"),
    "deadline": ("rights", ""),
    "verification": ("rights", "verification"),
    "right": ("rights", "kind"),
    "changes": ("changes", ""),
    "minors": ("minors", ""),
    "category": ("categories", ""),
    "retention": ("retention", ""),
    "date": ("effective_date", ""),
    "contact": ("contacts", ""),
    "vendor": ("recipients", ""),
    "exception": ("provision_exceptions", ""),
    "negation": ("statements", ""),
    "qualifier": ("", "qualifier"),
    "language": ("languages", "authoritative"),
}
"""Which field of policy.yaml states a fact of each kind: (section, last part of the path);
an empty part matches any."""


@dataclass
class Difference:
    kind: str
    key: str
    detail: str = ""

    def __str__(self) -> str:
        return f"{self.kind} {self.key}" + (f" ({self.detail})" if self.detail else "")


@dataclass
class Comparison:
    lang: str
    lost: list[Difference] = field(default_factory=list)
    changed: list[Difference] = field(default_factory=list)
    added: list[Difference] = field(default_factory=list)

    @property
    def invented(self) -> list[Difference]:
        """Facts the rendering states that the source does not, from a value the draft wrote
        as drafted (not a listed placeholder, not a model default): an invented promise."""
        return [a for a in self.added if a.detail == "drafted"]

    @property
    def passed(self) -> bool:
        """No fact changed and no promise invented; lost and explained facts are listed."""
        return not (self.changed or self.invented)

    def lines(self) -> list[str]:
        out = []
        for title, items in (("lost", self.lost), ("changed", self.changed), ("added", self.added)):
            out += [f"{self.lang}: {title}: {item}" for item in items]
        return out


def _slot(fact: Fact) -> str:
    if fact.kind in {"fee", "deadline"}:
        return fact.kind
    if fact.kind == "retention":
        return "retention|" + fact.key.split("|")[1]
    if fact.kind in {"minors", "changes", "date"}:
        return fact.kind + "|" + fact.key.split("=")[0]
    return f"{fact.kind}|{fact.key}"


def compare_extractions(
    source: Extraction,
    rendered: Extraction,
    rendered_text: str,
    fields: dict[tuple[str, str], set[str]],
    lang: str,
    unsupported: frozenset[tuple[str, str]] = frozenset(),
) -> Comparison:
    """What the rendering lost, changed or added relative to the source; `unsupported` are the
    (kind, key) facts the sidecar lists as held by no field."""
    result = Comparison(lang)
    rendered_keys = {(f.kind, f.key) for f in rendered.facts}
    source_keys = {(f.kind, f.key) for f in source.facts}
    folded = _fold(rendered_text)
    lost: list[Fact] = []
    for fact in source.facts:
        if (fact.kind in KEYED and (fact.kind, fact.key) not in rendered_keys) or (
            fact.kind in WORDED and not _words_present(fact, folded)
        ):
            if (fact.kind, fact.key) in unsupported:
                result.lost.append(Difference(fact.kind, fact.key, "needs model support"))
            else:
                lost.append(fact)
    added = [f for f in rendered.facts if f.kind in KEYED and (f.kind, f.key) not in source_keys]
    lost_by_slot = {_slot(f): f for f in lost if f.kind in KEYED}
    for fact in list(added):
        previous = lost_by_slot.get(_slot(fact))
        if previous is not None and _slot(fact) not in {f"{fact.kind}|{fact.key}"}:
            result.changed.append(Difference(fact.kind, previous.key, f"rendered as {fact.key}"))
            lost.remove(previous)
            added.remove(fact)
            lost_by_slot.pop(_slot(fact))
    result.lost += [Difference(f.kind, f.key) for f in lost]
    said = _fold(" ".join(s.text for s in source.sentences))
    for fact in added:
        cause = "source words" if _in_source(fact, said) else _cause(fact.kind, fact.key, fields)
        result.added.append(Difference(fact.kind, fact.key, cause))
    return result


def _in_source(fact: Fact, said: str) -> bool:
    """Is the rendered fact read from a passage the source itself says word for word (its own
    sentence, moved to another section, where the rules read it differently)?"""
    for sentence in fact.evidence:
        for cell in re.split(r"\s*｜\s*", sentence.text):
            words = _fold(cell)
            if len(words) < 20 or words not in said:
                continue
            if fact.kind != "category" or fact.key in {k for _, _, k in term_matches(words)}:
                return True
    return False


def _cause(kind: str, key: str, fields: dict[tuple[str, str], set[str]]) -> str:
    """Why the rendering says something the source does not."""
    section, leaf = _FIELD_OF.get(kind, (kind, ""))
    statuses: set[str] = set()
    for (top, last), found in fields.items():
        if (not section or top == section) and (not leaf or last == leaf):
            statuses |= found
    if "placeholder" in statuses:
        return "placeholder"
    if "drafted" in statuses:
        return "drafted"
    return "model default"


_CONJUNCTIONS = (
    ("または", "又は"),
    ("および", "及び"),
    ("ならびに", "並びに"),
    ("もしくは", "若しくは"),
)
"""One spelling of each Japanese conjunction: the rendering writes the house style's."""


def _fold(text: str) -> str:
    folded = normalise(text)
    for kana, kanji in _CONJUNCTIONS:
        folded = folded.replace(kana, kanji)
    return folded


def _words_present(fact: Fact, folded: str) -> bool:
    """Do the fact's own words (its value, or its sentence) appear in the rendering?"""
    value = fact.value if isinstance(fact.value, dict) else {}
    candidates = [value.get("name"), value.get("label"), value.get("text"), fact.first.text]
    for candidate in candidates:
        if not candidate:
            continue
        words = _fold(str(candidate))
        words = re.sub(r"^(?:address|email|e-mail|operator|company name)\s*:\s*", "", words)
        if words and words in folded:
            return True
    return False


def rendered_extraction(text: str) -> Extraction:
    return extract(sentences_of(blocks_of_text(text, markdown=True), "rendered"))


def roundtrip(
    directory: Path | str,
    references: list[str],
    render: Callable[[Policy, str], str],
) -> list[Comparison]:
    """Compare each source with the project's policy rendered (as Markdown) in its language."""
    directory = Path(directory)
    policy = load_policy(directory)
    fields = _traced_fields(directory)
    unsupported = _unsupported(directory)
    comparisons = []
    for reference in references:
        source = read_source(reference)
        lang = (
            source.lang
            if source.lang in {p.value for p in policy.languages.published}
            else policy.languages.published[0].value
        )
        text = render(policy, lang)
        comparisons.append(
            compare_extractions(
                extract(source.sentences),
                rendered_extraction(text),
                text,
                fields,
                lang,
                unsupported,
            )
        )
    return comparisons


def _traced_fields(directory: Path) -> dict[tuple[str, str], set[str]]:
    """(section, last path part) of each value the sidecar traces: 'drafted' or 'placeholder'."""
    path = directory / PROVENANCE_FILE
    if not path.is_file():
        return {}
    fields: dict[tuple[str, str], set[str]] = {}
    for value in read_yaml(path).data.get("values") or []:
        parts = re.findall(r"[a-z_]+", str(value["field"]))
        key = (parts[0], parts[-1]) if parts else ("", "")
        fields.setdefault(key, set()).add("placeholder" if value.get("placeholder") else "drafted")
    return fields


def _unsupported(directory: Path) -> frozenset[tuple[str, str]]:
    """(kind, key) of each fact the sidecar lists as held by no field."""
    path = directory / PROVENANCE_FILE
    if not path.is_file():
        return frozenset()
    listed = read_yaml(path).data.get("needs_model_support") or []
    return frozenset((str(item["kind"]), str(item["key"])) for item in listed)


@dataclass
class RoundtripReport:
    comparisons: list[Comparison]

    @property
    def passed(self) -> bool:
        return all(c.passed for c in self.comparisons)

    @property
    def lines(self) -> list[str]:
        return [line for c in self.comparisons for line in c.lines()]

    @property
    def summary(self) -> str:
        lost = sum(len(c.lost) for c in self.comparisons)
        unrepresentable = sum(
            1 for c in self.comparisons for d in c.lost if d.detail == "needs model support"
        )
        added = sum(len(c.added) for c in self.comparisons)
        return (
            f"no fact changed and no promise invented; {lost} lost ({unrepresentable} need model "
            f"support), {added} added by placeholders or the models' wording"
        )


def roundtrip_report(
    directory: Path | str, references: list[str], render: Callable[[Policy, str], str]
) -> RoundtripReport:
    """`policykeeper roundtrip DIR --from ...`: the comparison for every source."""
    return RoundtripReport(roundtrip(directory, references, render))
