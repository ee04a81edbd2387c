"""What the drafter found: facts with the sentences they came from, before any YAML exists.

The extractors produce facts; the emitter (`emit.py`) turns them into `policy.yaml`. A fact
no field holds (a qualifier on a fee, a negative promise the text contradicts) stays a fact and
reaches the sidecar and the review file as "needs model support", with the emitter's reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from policykeeper.draft.text import Sentence


@dataclass
class Fact:
    """One drafted value: its kind, a key to compare it by, its value and where it was said."""

    kind: str
    key: str
    value: Any = None
    evidence: list[Sentence] = field(default_factory=list)
    qualifiers: set[str] = field(default_factory=set)

    @property
    def first(self) -> Sentence:
        return self.evidence[0]


@dataclass
class Extraction:
    """Every sentence of the sources and every fact found in them."""

    sentences: list[Sentence]
    facts: list[Fact]

    def of(self, kind: str) -> list[Fact]:
        return [f for f in self.facts if f.kind == kind]

    def keys(self, kind: str) -> list[str]:
        return [f.key for f in self.of(kind)]


def merged(facts: list[Fact]) -> list[Fact]:
    """One fact per (kind, key), with the evidence of every sentence that stated it."""
    by_key: dict[tuple[str, str], Fact] = {}
    for fact in facts:
        known = by_key.get((fact.kind, fact.key))
        if known is None:
            by_key[(fact.kind, fact.key)] = fact
            continue
        for sentence in fact.evidence:
            if all(sentence is not s for s in known.evidence):
                known.evidence.append(sentence)
        known.qualifiers |= fact.qualifiers
        if isinstance(known.value, dict) and isinstance(fact.value, dict):
            for name, value in fact.value.items():
                if isinstance(value, dict) and isinstance(known.value.get(name), dict):
                    known.value[name] = {**value, **known.value[name]}
                else:
                    known.value.setdefault(name, value)
    return list(by_key.values())
