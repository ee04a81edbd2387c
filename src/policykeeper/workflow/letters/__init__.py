"""Printable replies: the letter a person who chose paper receives (APPI Art. 33).

pdf = render_letter(policy, Letter(LetterKind.disclosure, addressee, "R-2026-0012",
                                   received=date(2026, 11, 20), dated=date(2026, 12, 1),
                                   disclosed=access(project, identity).to_json()), "ja")
"""

from __future__ import annotations

from datetime import UTC, datetime, time
from pathlib import Path

from policykeeper.policy.models import Policy
from policykeeper.policy.types import Lang
from policykeeper.workflow.letters.compose import (
    Addressee,
    Composed,
    Letter,
    LetterKind,
    compose,
    disclosed_rows,
)
from policykeeper.workflow.letters.pdf import font_path, to_pdf

__all__ = [
    "Addressee",
    "Composed",
    "Letter",
    "LetterKind",
    "compose",
    "disclosed_rows",
    "font_path",
    "render_letter",
]


def render_letter(
    policy: Policy, letter: Letter, lang: Lang | str, font: Path | None = None
) -> bytes:
    """The letter as an A4 PDF in `lang`; the same letter always gives the same bytes.
    `font` is a TrueType file (`Config.letter_font`); None: the first installed usual one."""
    return to_pdf(compose(policy, letter, lang), datetime.combine(letter.dated, time(), UTC), font)
