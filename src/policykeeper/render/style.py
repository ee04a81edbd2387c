"""House style: the Japanese a legal team expects, and English that reads as English.

`japanese` rewrites a Japanese text into the house style: full-width brackets （ ） and colons ：
wherever they touch Japanese, wave dashes in ranges (10:00〜18:00, or 10時〜18時), and one
spelling of each conjunction (又は・及び or または・および). It changes punctuation and spelling,
never words. `japanese_problems` finds what the style forbids; the renderer's output, and every
Japanese string PolicyKeeper ships (pages, emails, the cookie banner), are tested with it.
`japanese_runs` splits English-page text so that Japanese inside it can be marked lang="ja".
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from policykeeper.policy.script import JAPANESE

KANJI_CONJUNCTIONS = {
    "または": "又は",
    "および": "及び",
    "ならびに": "並びに",
    "もしくは": "若しくは",
}
KANA_CONJUNCTIONS = {kanji: kana for kana, kanji in KANJI_CONJUNCTIONS.items()}

_TIME_RANGE = re.compile(
    r"(\d{1,2})(?::(\d{2})|時(?:(\d{1,2})分)?)\s*[~～〜\-–—]\s*(\d{1,2})(?::(\d{2})|時(?:(\d{1,2})分)?)"
)
_NUMBER_RANGE = re.compile(r"(?<=\d)\s*[~～]\s*(?=\d)")
_WAVE = re.compile(r"[~～](?=[\u3040-\u9fff\d])|(?<=[\u3040-\u9fff])[~～]")
_HALF_COLON = re.compile(r":\s?")
_JA_PUNCTUATION = re.compile(r"[、。「」『』（）：・〜]")


def _japanese_at(text: str, index: int) -> bool:
    return 0 <= index < len(text) and JAPANESE.match(text[index]) is not None


def _japanese_near(text: str, index: int) -> bool:
    """Is there Japanese right next to position `index` (ignoring one space)?"""
    for step in (-1, 1):
        probe = index + step
        if 0 <= probe < len(text) and text[probe] == " ":
            probe += step
        if _japanese_at(text, probe) or (
            0 <= probe < len(text) and _JA_PUNCTUATION.match(text[probe]) is not None
        ):
            return True
    return False


def _bracket_pairs(text: str) -> Iterator[tuple[int, int | None]]:
    """Positions of each '(' with its matching ')' (None when unmatched), and unmatched ')'."""
    stack: list[int] = []
    for index, char in enumerate(text):
        if char in "(（":
            stack.append(index)
        elif char in ")）":
            if stack:
                yield stack.pop(), index
            else:
                yield index, None
    for start in stack:
        yield start, None


def _japanese_pair(text: str, start: int, end: int | None) -> bool:
    """Does the bracket pair hold Japanese, or touch it from outside?"""
    before = start > 0 and (_japanese_at(text, start - 1) or text[start - 1] in "「」『』、。・")
    if end is None:
        return before or _japanese_at(text, start + 1)
    return (
        before or JAPANESE.search(text[start + 1 : end]) is not None or _japanese_at(text, end + 1)
    )


def _brackets(text: str) -> str:
    """Half-width ( ) to full-width where the pair holds or touches Japanese; a name in Latin
    letters keeps its own ('Amazon Web Services (AWS)')."""
    chars = list(text)
    for start, end in _bracket_pairs(text):
        if end is not None and text[start] == "(" and _japanese_pair(text, start, end):
            chars[start], chars[end] = "（", "）"
    result = "".join(chars)
    # the space that separated a half-width bracket from the word before it goes too
    return re.sub(r"(?<=\S) （", "（", result)


def _colons(text: str) -> str:
    def replace(match: re.Match[str]) -> str:
        start = match.start()
        if _japanese_near(text, start):
            return "："
        return match.group(0)

    return _HALF_COLON.sub(lambda m: m.group(0) if _is_clock(text, m.start()) else replace(m), text)


def _is_clock(text: str, index: int) -> bool:
    """10:00, 2016:679 and https:// keep their colons."""
    before = text[index - 1] if index > 0 else ""
    after = text[index + 1] if index + 1 < len(text) else ""
    return (before.isdigit() and after.isdigit()) or text[index : index + 3] == "://"


def _times(text: str, form: str) -> str:
    def clock(hour: str, minute: str | None) -> str:
        if form == "ji":
            return f"{int(hour)}時" + (f"{int(minute)}分" if minute and minute != "00" else "")
        return f"{int(hour)}:{minute or '00'}"

    def replace(match: re.Match[str]) -> str:
        h1, m1, j1, h2, m2, j2 = match.groups()
        return f"{clock(h1, m1 or j1)}〜{clock(h2, m2 or j2)}"

    return _TIME_RANGE.sub(replace, text)


def japanese(text: str, conjunctions: str = "kanji", time_ranges: str = "colon") -> str:
    """`text` in the house style; text without Japanese is returned unchanged."""
    if not JAPANESE.search(text):
        return text
    text = _times(text, time_ranges)
    text = _NUMBER_RANGE.sub("〜", text)
    text = _WAVE.sub("〜", text)
    text = _brackets(text)
    text = _colons(text)
    table = KANJI_CONJUNCTIONS if conjunctions == "kanji" else KANA_CONJUNCTIONS
    for old, new in table.items():
        text = text.replace(old, new)
    return text


def japanese_problems(text: str, conjunctions: str | None = None) -> list[str]:
    """What in `text` breaks the house style. `conjunctions` ('kanji' or 'kana') also flags the
    other spelling; without it, only a mix of both within the text is flagged."""
    found = []
    for start, end in _bracket_pairs(text):
        if text[start] in "()" and _japanese_pair(text, start, end):
            found.append(f"half-width bracket in Japanese text: '{_around(text, start)}'")
    for match in re.finditer(":", text):
        if not _is_clock(text, match.start()) and _japanese_near(text, match.start()):
            found.append(f"half-width colon in Japanese text: '{_around(text, match.start())}'")
    if JAPANESE.search(text) and re.search(r"[~～]", text):
        found.append("'~' where the house style writes '〜'")
    if JAPANESE.search(text) and re.search(r"\d{1,2}:\d{2}\s*[\-–—]\s*\d{1,2}:\d{2}", text):
        found.append("a time range with '-' where the house style writes '〜'")
    kanji = [c for c in KANJI_CONJUNCTIONS.values() if c in text]
    kana = [c for c in KANJI_CONJUNCTIONS if c in text]
    if conjunctions == "kanji" and kana:
        found.append(f"{'・'.join(kana)} in a document that writes 又は・及び")
    elif conjunctions == "kana" and kanji:
        found.append(f"{'・'.join(kanji)} in a document that writes または・および")
    elif conjunctions is None and kanji and kana:
        found.append(f"both {'・'.join(kanji)} and {'・'.join(kana)} in one document")
    return found


def _around(text: str, index: int) -> str:
    return text[max(0, index - 8) : index + 9]


_RUN_CHAR = r"[\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]"


def japanese_runs(text: str) -> Iterator[tuple[str, bool]]:
    """`text` cut into (part, is_japanese) runs, so an English page can mark lang="ja".

    A Japanese run takes in the punctuation and spaces between Japanese characters, and the
    digits and Latin letters written inside it (〒150-0021 東京都渋谷区恵比寿西2-4-8)."""
    if not re.search(_RUN_CHAR, text):
        yield text, False
        return
    spans = [m.span() for m in re.finditer(r"[^\s,;]*" + _RUN_CHAR + r"[^\s,;]*", text)]
    merged: list[list[int]] = []
    for start, end in spans:
        if merged and not re.search(r"[,;:.]\s|^\s*$", text[merged[-1][1] : start] + " x"):
            merged[-1][1] = end
        else:
            merged.append([start, end])
    position = 0
    for start, end in merged:
        if start > position:
            yield text[position:start], False
        yield text[start:end], True
        position = end
    if position < len(text):
        yield text[position:], False
