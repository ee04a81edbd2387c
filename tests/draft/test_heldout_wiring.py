"""The held-out set is wired as SOURCES.md describes it, checked without drafting anything.

The held-out documents only measure (`bench/draft_bench.py`); the tests never draft them. What
the tests can check is that every document has hand-written expectations, every expectation
file a document, every committed text its file and its row in SOURCES.md."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HELDOUT = ROOT / "tests" / "draft" / "data" / "heldout"


def _documents() -> tuple:
    spec = importlib.util.spec_from_file_location(
        "draft_heldout", ROOT / "bench" / "draft_heldout.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules["draft_heldout"] = module
    spec.loader.exec_module(module)
    return module.DOCUMENTS


def test_every_held_out_document_has_expectations_and_every_expectation_a_document() -> None:
    names = [document.name for document in _documents()]
    assert len(names) == len(set(names))
    written = {path.name.removesuffix(".expected.yaml") for path in HELDOUT.glob("*.expected.yaml")}
    assert written == set(names)


def test_committed_texts_are_present_and_their_sources_named() -> None:
    sources = (HELDOUT / "SOURCES.md").read_text("utf-8")
    committed = [document for document in _documents() if document.build is None]
    assert len(committed) == 7  # four Mozilla documents (rounds 1-6), three APPI-style (round 7)
    for document in committed:
        text = HELDOUT / "texts" / f"{document.name}{document.suffix}"
        assert text.stat().st_size > 500, text
        assert document.name in sources
