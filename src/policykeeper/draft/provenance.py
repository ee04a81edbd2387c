"""The sidecar (where every value came from) and the review file (what each sentence became).

`policy.provenance.yaml` lists each drafted value of `policy.yaml` with the sentence that
states it (file, paragraph, offset, line), each placeholder with why it is one, and each fact
no field of the declaration holds. `policy.review.md` starts with the reviewer's to-do list
(placeholders, and what the law requires that the text does not state, as `validate` reports
it), then lists every sentence of the sources as mapped (to which fields) or unmapped.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from policykeeper.draft.emit import Emitted, Unsupported
from policykeeper.draft.facts import Fact
from policykeeper.draft.text import Sentence
from policykeeper.errors import InputError, display_path
from policykeeper.policy.checks import ERROR, LAW, WARNING
from policykeeper.policy.source import YamlDocument, read_yaml

PROVENANCE_FILE = "policy.provenance.yaml"
REVIEW_FILE = "policy.review.md"


def dotted(path: tuple[str | int, ...]) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _where(sentence: Sentence) -> dict[str, Any]:
    return {
        "file": sentence.file,
        "paragraph": sentence.paragraph,
        "offset": sentence.offset,
        "line": sentence.line,
        "sentence": sentence.text,
    }


def _plain(value: Any) -> Any:
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value if isinstance(value, str | int | float | bool) or value is None else str(value)


def sidecar(emitted: Emitted, sources: list[dict[str, Any]]) -> str:
    values = []
    for trace in emitted.traces:
        entry: dict[str, Any] = {
            "field": dotted(trace.path),
            "kind": trace.kind,
            "value": _plain(trace.value),
        }
        if trace.placeholder:
            entry["placeholder"] = trace.placeholder
        entry["from"] = [_where(s) for s in trace.evidence]
        values.append(entry)
    unsupported = [
        {
            "kind": item.fact.kind,
            "key": item.fact.key,
            "needs_model_support": item.reason,
            "from": [_where(s) for s in item.fact.evidence],
        }
        for item in emitted.unsupported
    ]
    document = {"sources": sources, "values": values, "needs_model_support": unsupported}
    yaml = YAML()
    yaml.width = 4096
    yaml.allow_unicode = True
    stream = io.StringIO()
    stream.write(
        "# Where each value of policy.yaml came from: written by `policykeeper init --from`.\n"
    )
    yaml.dump(document, stream)
    return stream.getvalue()


@dataclass
class Coverage:
    sentences: int
    mapped: int
    noted: int

    @property
    def share(self) -> float:
        return self.mapped / self.sentences if self.sentences else 0.0

    @property
    def structured_share(self) -> float:
        return (self.mapped - self.noted) / self.sentences if self.sentences else 0.0


def sentence_fields(emitted: Emitted, facts: list[Fact]) -> dict[int, list[str]]:
    """For each sentence (by id), the fields or fact kinds it was mapped to."""
    mapped: dict[int, list[str]] = {}
    for trace in emitted.traces:
        for sentence in trace.evidence:
            mapped.setdefault(id(sentence), []).append(dotted(trace.path))
    unsupported = {id(item.fact) for item in emitted.unsupported}
    for fact in facts:
        for sentence in fact.evidence:
            label = (
                f"{fact.kind}: {fact.key}"[:60]
                if id(fact) in unsupported
                or fact.kind
                in {"vendor", "obtained", "qualifier", "country", "jurisdiction", "join"}
                else None
            )
            if label and label not in mapped.get(id(sentence), []):
                mapped.setdefault(id(sentence), []).append(label)
    return mapped


def introduce(sentences: list[Sentence], mapped: dict[int, list[str]]) -> None:
    """A lead-in ('... as follows:', 'Address :') is mapped to what the sentences it introduces are."""
    for index, sentence in enumerate(sentences):
        if sentence.kind == "heading" or id(sentence) in mapped:
            continue
        if not re.search(r"[:：]$|following|as follows|below|以下|次の|下記", sentence.norm):
            continue
        for following in sentences[index + 1 : index + 12]:
            if following.kind == "heading":
                break
            fields = mapped.get(id(following))
            if fields:
                mapped[id(sentence)] = [f"lead-in to {fields[0]}"]
                break


def _free_text(field: str) -> bool:
    return field.endswith(("_note", ".note", ".body")) or field.startswith("lead-in to sections")


def coverage(sentences: list[Sentence], mapped: dict[int, list[str]]) -> Coverage:
    counted = [s for s in sentences if s.kind != "heading"]
    hits = [s for s in counted if id(s) in mapped]
    noted = [s for s in hits if all(_free_text(f) for f in mapped[id(s)])]
    return Coverage(len(counted), len(hits), len(noted))


def review(
    emitted: Emitted, facts: list[Fact], sentences: list[Sentence], source_names: list[str]
) -> tuple[str, Coverage]:
    mapped = sentence_fields(emitted, facts)
    introduce(sentences, mapped)
    measured = coverage(sentences, mapped)
    lines = [
        "# Review of the drafted policy.yaml",
        "",
        f"Sources: {', '.join(source_names)}",
        "",
        f"**{measured.mapped} of {measured.sentences} sentences mapped ({measured.share:.0%})**; "
        f"{measured.mapped - measured.noted} to structured fields and {measured.noted} kept as free text "
        "(a note or a `sections` entry); "
        f"{measured.sentences - measured.mapped} unmapped. Headings are listed but not counted.",
        "",
        "Every value of policy.yaml cites its sentence in `policy.provenance.yaml`; "
        "`policykeeper validate DIR --provenance` prints them beside their lines.",
        "",
        "## Placeholders: the model requires a value the text does not give",
        "",
    ]
    placeholders = [t for t in emitted.traces if t.placeholder]
    lines += [
        f"- `{dotted(t.path)}` = {_short(t.value)}: {t.placeholder}" for t in placeholders
    ] or ["- none"]
    for severity, title in (
        (ERROR, "Errors: the draft cannot be used until these are fixed"),
        (LAW, "What the law requires and the text does not state (validate reports these)"),
        (WARNING, "Worth a look (validate warnings)"),
    ):
        found = [f for f in emitted.findings if f.severity == severity]
        if severity == ERROR and not found:
            continue
        lines += ["", f"## {title}", ""]
        lines += [
            f"- `{dotted(tuple(f.location)) or 'policy.yaml'}`: {f.message}" for f in found
        ] or ["- none"]
    lines += ["", "## Facts no field holds (needs model support)", ""]
    lines += [_unsupported_line(item) for item in emitted.unsupported] or ["- none"]
    lines += [
        "",
        "## Every sentence",
        "",
        "| | where | sentence | mapped to |",
        "|---|---|---|---|",
    ]
    for sentence in sentences:
        fields = mapped.get(id(sentence), [])
        if sentence.kind == "heading":
            mark = "§"
        elif not fields:
            mark = "✗"
        else:
            mark = "≈" if all(_free_text(f) for f in fields) else "✓"
        shown = (
            ", ".join(dict.fromkeys(fields))
            if fields
            else ("(section)" if sentence.kind == "heading" else "unmapped")
        )
        lines.append(
            f"| {mark} | {sentence.where} ¶{sentence.paragraph} | {_cell(sentence.text)} | {_cell(shown)} |"
        )
    return "\n".join(lines) + "\n", measured


def _unsupported_line(item: Unsupported) -> str:
    fact = item.fact
    return (
        f"- {fact.kind} `{fact.key}`: {item.reason}. "
        f"From {fact.first.where}: “{_short(fact.first.text, 120)}”"
    )


def _short(value: Any, limit: int = 80) -> str:
    text = str(_plain(value))
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


# --- reading it back for `validate --provenance` -----------------------------------------


@dataclass(frozen=True)
class Cited:
    field: str
    line: int
    column: int
    value: str
    placeholder: str
    source: str


def _path(field: str) -> tuple[str | int, ...]:
    parts: list[str | int] = []
    for piece in field.replace("]", "").replace("[", ".").split("."):
        if piece:
            parts.append(int(piece) if piece.isdigit() else piece)
    return tuple(parts)


def cited_values(directory: Path) -> list[Cited]:
    """Each traced value with its line in policy.yaml and the sentence it came from."""
    path = directory / PROVENANCE_FILE
    if not path.is_file():
        raise InputError(
            f"{display_path(path)}: file not found (it is written by `policykeeper init --from`)"
        )
    sidecar_document = read_yaml(path)
    policy: YamlDocument = read_yaml(directory / "policy.yaml")
    out = []
    for entry in sidecar_document.data.get("values") or []:
        line, column = policy.position(_path(str(entry["field"])))
        origins = entry.get("from") or []
        source = "; ".join(
            f"{o['file']}:{o['line']} (¶{o['paragraph']}, offset {o['offset']}): “{_short(o['sentence'], 100)}”"
            for o in origins[:2]
        )
        out.append(
            Cited(
                str(entry["field"]),
                line,
                column,
                _short(entry.get("value")),
                str(entry.get("placeholder") or ""),
                source,
            )
        )
    return out


def cited_lines(directory: Path | str) -> list[str]:
    """`validate --provenance`: each value at its line in policy.yaml, with its sentence."""
    lines = []
    for cited in cited_values(Path(directory)):
        where = f"{display_path(Path(directory) / 'policy.yaml')}:{cited.line}:{cited.column}"
        origin = (
            f"placeholder: {cited.placeholder}" if cited.placeholder else f"from {cited.source}"
        )
        lines.append(f"{where}: {cited.field} = {cited.value} ({origin})")
    return lines
