"""Which writing system a text is in: what the translation checks and the style pass look at."""

from __future__ import annotations

import re

JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3005\u30fc]")
"""Kana and kanji (with 々 and ー): the letters that make a text Japanese."""
LATIN = re.compile(r"[A-Za-z]")


def has_japanese(text: str) -> bool:
    return JAPANESE.search(text) is not None


def latin_only(text: str) -> bool:
    """Latin letters and no Japanese: 'Mami Minami', not '10:00' and not '荒谷 貴斗'."""
    return LATIN.search(text) is not None and not has_japanese(text)
