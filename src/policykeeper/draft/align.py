"""A Japanese and an English version of one policy, aligned section by section.

Facts with a language-neutral key (a category, a right, an email address, a date) are the same
fact in both versions. Facts keyed by their wording (a purpose, a security measure, a refusal
ground) are paired by position: the n-th such fact of the n-th section in one version with the
n-th of the n-th section in the other, when both sections have as many. Each paired fact keeps
both sentences, so the draft carries the company's own words in both languages.
"""

from __future__ import annotations

from collections import defaultdict

from policykeeper.draft.facts import Extraction, Fact, merged
from policykeeper.draft.text import Sentence

WORDED = {
    "purpose",
    "security",
    "refusal",
    "definition",
    "recipient",
    "retention",
    "note",
    "operator",
    "representative",
    "department",
    "withheld",
    "address",
    "service",
    "complaints",
    "hours",
    "notice_channel",
}


def _section_number(sentence: Sentence, order: dict[str, int]) -> int:
    return order.get(sentence.section[0], 0) if sentence.section else 0


def _sections(extraction: Extraction) -> dict[str, int]:
    order: dict[str, int] = {}
    for sentence in extraction.sentences:
        if sentence.kind == "heading" and not sentence.section:
            order.setdefault(sentence.text, len(order) + 1)
    return order


def combine(extractions: list[tuple[str, Extraction]]) -> list[Fact]:
    """The facts of every version; worded facts of aligned sections merged across languages."""
    if len(extractions) == 1:
        lang, extraction = extractions[0]
        for fact in extraction.facts:
            if isinstance(fact.value, dict):
                fact.value.setdefault("texts", {lang: fact.first.text})
        return extraction.facts
    groups: dict[tuple[str, str, int], dict[str, list[Fact]]] = defaultdict(
        lambda: defaultdict(list)
    )
    plain: list[Fact] = []
    for lang, extraction in extractions:
        order = _sections(extraction)
        for fact in extraction.facts:
            if isinstance(fact.value, dict):
                fact.value.setdefault("texts", {lang: fact.first.text})
            if fact.kind in WORDED:
                subkind = fact.key if fact.kind == "note" else ""
                groups[(fact.kind, subkind, _section_number(fact.first, order))][lang].append(fact)
            else:
                plain.append(fact)
    out = merged(plain)
    for by_lang in groups.values():
        versions = list(by_lang.values())
        if len(versions) == 2 and len(versions[0]) == len(versions[1]):
            languages = list(by_lang)
            for first, second in zip(*versions, strict=True):
                first.evidence += second.evidence
                if isinstance(first.value, dict) and isinstance(second.value, dict):
                    first.value["texts"] = {**second.value["texts"], **first.value["texts"]}
                    first.value["by_lang"] = {
                        languages[0]: dict(first.value),
                        languages[1]: second.value,
                    }
                out.append(first)
        else:
            for facts in versions:
                out.extend(facts)
    return out
