"""Paths and helpers shared by the draft tests."""

from __future__ import annotations

from pathlib import Path

from policykeeper.draft.extract import extract
from policykeeper.draft.facts import Extraction
from policykeeper.draft.sources import read_source

DATA = Path(__file__).parent / "data"
SEEDS = sorted((DATA / "seeds").glob("0*.txt"))
BILINGUAL = [DATA / "bilingual" / "privacy-ja.md", DATA / "bilingual" / "privacy-en.md"]


def write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def found(tmp_path: Path, text: str, name: str = "p.md") -> Extraction:
    """What the drafter's rules read in `text`, written to a file as a user would give it."""
    return extract(read_source(write(tmp_path, name, text)).sentences)


def keys(tmp_path: Path, text: str, kind: str) -> set[str]:
    """The keys of one field kind that `text` drafts."""
    return set(found(tmp_path, text).keys(kind))
