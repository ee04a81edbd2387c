"""Draft `policy.yaml` from the privacy policy a company already has, every value traced.

    draft = draft_policy(["privacy-ja.html", "privacy-en.html"])
    write_draft("my-project", draft)       # policy.yaml, policy.provenance.yaml, policy.review.md

Sources are read (`sources`), split into located sentences (`text`), read by rules
(`extract`, with Japanese tokenised by fugashi and unidic-lite), aligned across languages
(`align`), and written for the current models by one small emitter (`emit`).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

from ruamel.yaml import YAML

from policykeeper.draft.align import combine
from policykeeper.draft.emit import Emitted, emit_policy
from policykeeper.draft.extract import extract
from policykeeper.draft.facts import Extraction, Fact
from policykeeper.draft.provenance import PROVENANCE_FILE, REVIEW_FILE, Coverage, review, sidecar
from policykeeper.draft.sources import Source, read_source
from policykeeper.draft.text import Sentence
from policykeeper.errors import InputError, display_path
from policykeeper.output import write_atomic
from policykeeper.policy.checks import LAW

__all__ = ["Draft", "draft_policy", "init_from", "read_source", "write_draft"]


@dataclass
class Draft:
    sources: list[Source]
    extractions: list[Extraction]
    facts: list[Fact]
    emitted: Emitted
    review: str
    coverage: Coverage

    @property
    def sentences(self) -> list[Sentence]:
        return [s for source in self.sources for s in source.sentences]

    def policy_yaml(self) -> str:
        yaml = YAML()
        yaml.width = 100
        yaml.allow_unicode = True
        yaml.default_flow_style = False
        yaml.representer.ignore_aliases = lambda *_: True
        stream = io.StringIO()
        stream.write(
            "# Drafted by `policykeeper init --from` from "
            + ", ".join(s.name for s in self.sources)
            + ".\n# Check every value against policy.review.md before publishing: placeholders and\n"
            "# what the law requires that the text does not state are listed there, and\n"
            "# policy.provenance.yaml cites the sentence behind each value.\n"
        )
        yaml.dump(self.emitted.data, stream)
        return stream.getvalue()

    @property
    def placeholders(self) -> int:
        return sum(1 for trace in self.emitted.traces if trace.placeholder)

    @property
    def missing(self) -> int:
        """What the law requires and the text does not state: validate's 'law' findings."""
        return sum(1 for finding in self.emitted.findings if finding.severity == LAW)

    def summary(self, directory: Path | str) -> str:
        measured = self.coverage
        return (
            f"{display_path(Path(directory) / 'policy.yaml')}, {PROVENANCE_FILE}, {REVIEW_FILE}: "
            f"{measured.mapped} of {measured.sentences} sentences mapped "
            f"({measured.structured_share:.0%} to fields, "
            f"{measured.noted / measured.sentences if measured.sentences else 0:.0%} kept as text); "
            f"{_count(self.placeholders, 'placeholder')}, "
            f"{_count(self.missing, 'item')} the law requires that the text does not state, and "
            f"{_count(len(self.emitted.unsupported), 'fact')} needing model support are listed "
            f"in {REVIEW_FILE}"
        )

    def sidecar(self) -> str:
        described = [
            {"file": s.name, "format": s.format, "lang": s.lang, "sentences": len(s.sentences)}
            for s in self.sources
        ]
        return sidecar(self.emitted, described)


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" + ("" if number == 1 else "s")


def draft_policy(references: list[str]) -> Draft:
    """Read each source (path or URL) and draft one declaration from all of them."""
    if not references:
        raise InputError("give at least one policy to draft from (--from FILE_OR_URL)")
    sources = [read_source(reference) for reference in references]
    languages = list(dict.fromkeys(s.lang for s in sources))
    if len(sources) > len(languages):
        raise InputError(
            "give one source per language (a Japanese and an English version of one policy)"
        )
    extractions = [extract(source.sentences) for source in sources]
    facts = combine([(s.lang, e) for s, e in zip(sources, extractions, strict=True)])
    sentences = [s for source in sources for s in source.sentences]
    stem = Path(sources[0].name).stem or "operator"
    emitted = emit_policy(facts, sentences, sorted(languages, key=["ja", "en"].index), stem)
    text, measured = review(emitted, facts, sentences, [s.name for s in sources])
    return Draft(sources, extractions, facts, emitted, text, measured)


def write_draft(directory: Path | str, draft: Draft) -> list[Path]:
    """Write policy.yaml and its sidecar and review file; never overwrite an existing file."""
    target = Path(directory)
    paths = [target / "policy.yaml", target / PROVENANCE_FILE, target / REVIEW_FILE]
    for path in paths:
        if path.exists():
            raise InputError(f"{display_path(path)} already exists; not overwriting it")
    target.mkdir(parents=True, exist_ok=True)
    for path, content in zip(
        paths, (draft.policy_yaml(), draft.sidecar(), draft.review), strict=True
    ):
        write_atomic(path, content)
    return paths


def init_from(directory: Path | str, references: list[str]) -> Draft:
    """`policykeeper init DIR --from ...`: draft from the sources and write the three files."""
    target = Path(directory)
    for name in ("policy.yaml", PROVENANCE_FILE, REVIEW_FILE):
        if (target / name).exists():
            raise InputError(f"{display_path(target / name)} already exists; not overwriting it")
    draft = draft_policy(references)
    write_draft(target, draft)
    return draft
