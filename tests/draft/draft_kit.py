"""Paths and helpers shared by the draft tests."""

from __future__ import annotations

from pathlib import Path

DATA = Path(__file__).parent / "data"
SEEDS = sorted((DATA / "seeds").glob("0*.txt"))
BILINGUAL = [DATA / "bilingual" / "privacy-ja.md", DATA / "bilingual" / "privacy-en.md"]


def write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)
