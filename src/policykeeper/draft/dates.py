"""Dates, periods and amounts as policies write them, in Japanese and English.

'令和2年4月1日', '2026年3月23日', 'March 23, 2026', '3月 3, 2025' are dates; '30日間', '12か月',
'7年', 'one year', 'fifteen days', 'two weeks' are periods; '1,000円' and '1,000 yen' are fees.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

from policykeeper.policy.types import Duration

_ERAS = {"令和": 2018, "平成": 1988, "昭和": 1925, "r": 2018, "h": 1988}
_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}
_WORDS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
    "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16, "eighteen": 18,
    "twenty": 20, "thirty": 30, "sixty": 60, "ninety": 90,
}  # fmt: skip
_KANJI = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
_UNITS = {
    "day": "day", "days": "day", "日": "day", "日間": "day",
    "week": "week", "weeks": "week", "週": "week", "週間": "week",
    "month": "month", "months": "month", "か月": "month", "ヶ月": "month", "カ月": "month",
    "ケ月": "month", "ヵ月": "month", "箇月": "month", "月": "month",
    "year": "year", "years": "year", "年": "year", "年間": "year",
}  # fmt: skip

_NUMBER = r"(\d+|" + "|".join(sorted(_WORDS, key=len, reverse=True)) + r"|[一二三四五六七八九十]+)"
PERIOD = re.compile(
    _NUMBER
    + r"\s*(?:\(\d+\)\s*)?(?:-\s*)?(days?|weeks?|months?|years?|日間|週間|か月|ヶ月|カ月|ケ月|ヵ月|箇月|年間|日|週|年)",
    re.IGNORECASE,
)
_ISO = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_JA_DATE = re.compile(r"(令和|平成|昭和)?\s*(\d+|元)\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_JA_MONTH_EN_YEAR = re.compile(r"(\d{1,2})\s*月\s*(\d{1,2})\s*,\s*(\d{4})")
_EN_DATE = re.compile(
    r"\b("
    + "|".join(sorted(_MONTHS, key=len, reverse=True))
    + r")\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})\b",
    re.IGNORECASE,
)
_EN_DATE_DMY = re.compile(
    r"\b(\d{1,2})\s+(" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?,?\s+(\d{4})\b",
    re.IGNORECASE,
)
_AMOUNT = re.compile(
    r"(?:¥|￥)?\s*(\d{1,3}(?:,\d{3})+|\d+)\s*(円|yen|jpy)(?![a-z])|(?:¥|￥)\s*(\d{1,3}(?:,\d{3})+|\d+)",
    re.IGNORECASE,
)


def fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def _number(token: str) -> int:
    token = token.lower()
    if token.isdigit():
        return int(token)
    if token in _WORDS:
        return _WORDS[token]
    total, current = 0, 0
    for character in token:
        value = _KANJI[character]
        if value == 10:
            total += (current or 1) * 10
            current = 0
        else:
            current = value
    return total + current


def dates_in(text: str) -> list[tuple[int, date]]:
    """(position, date) of every complete date in `text`; impossible dates are skipped."""
    text = fold(text)
    found: list[tuple[int, date]] = []
    for match in _ISO.finditer(text):
        found += _date(match.start(), int(match[1]), int(match[2]), int(match[3]))
    for match in _JA_DATE.finditer(text):
        year = 1 if match[2] == "元" else int(match[2])
        if match[1]:
            year += _ERAS[match[1]]
        found += _date(match.start(), year, int(match[3]), int(match[4]))
    for match in _JA_MONTH_EN_YEAR.finditer(text):
        found += _date(match.start(), int(match[3]), int(match[1]), int(match[2]))
    for match in _EN_DATE.finditer(text):
        found += _date(match.start(), int(match[3]), _MONTHS[match[1].lower()], int(match[2]))
    for match in _EN_DATE_DMY.finditer(text):
        found += _date(match.start(), int(match[3]), _MONTHS[match[2].lower()], int(match[1]))
    return sorted(set(found))


def _date(position: int, year: int, month: int, day: int) -> list[tuple[int, date]]:
    try:
        return [(position, date(year, month, day))]
    except ValueError:
        return []


_WHOLE_DAYS_OF_HOURS = re.compile(
    _NUMBER + r"\s*(?:\(\d+\)\s*)?(?:-\s*)?(?:hours?|時間)", re.IGNORECASE
)
"""'24 hours', '72 hours', '48時間': a period in whole days (the policy model counts days, not
hours); other numbers of hours are not drafted as periods."""


def periods_in(text: str) -> list[tuple[int, Duration]]:
    """(position, period) of every period such as '30 days', '12か月', '7年間', 'one year'."""
    text = fold(text)
    found = []
    for match in _WHOLE_DAYS_OF_HOURS.finditer(text):
        hours = _number(match[1])
        if hours and hours % 24 == 0:
            found.append((match.start(), Duration(hours // 24, "day")))
    for match in PERIOD.finditer(text):
        unit = _UNITS[match[2].lower()]
        if match[2] in {"年", "月", "日"} and not _period_context(text, match):
            continue
        amount = _number(match[1])
        if amount:
            found.append((match.start(), Duration(amount, unit)))
    return sorted(found, key=lambda item: item[0])


def _period_context(text: str, match: re.Match[str]) -> bool:
    """A bare 年/月/日 is a period only before 以内/間/後/以上/未満/保存/(を|が|の)経過 and not inside
    a date (「14日が経過した後」「14日の経過後」 are periods)."""
    after = text[match.end() : match.end() + 3]
    before = text[max(0, match.start() - 1) : match.start()]
    return bool(
        re.match(r"(以内|以上|未満|後|を経過|が経過|の経過|を超|の間|保存|保管|まで)", after)
    ) and before not in {"年", "月"}


def amounts_in(text: str) -> list[tuple[int, int]]:
    """(position, amount in yen) of every fee written in 円, yen, JPY or with ¥."""
    found = []
    for match in _AMOUNT.finditer(fold(text)):
        digits = match[1] or match[3]
        found.append((match.start(), int(digits.replace(",", ""))))
    return found


def ages_in(text: str) -> list[int]:
    text = fold(text)
    found = re.findall(r"(\d{1,2})\s*歳", text)
    found += re.findall(
        r"(?:age[sd]?|under|over|older than|younger than)\s*[:：]?\s*(?:of\s+)?(\d{1,2})\b",
        text,
        re.IGNORECASE,
    )
    found += re.findall(
        r"\b(\d{1,2})\s*(?:years? of age|years? old|and (?:older|over|above)|\+)",
        text,
        re.IGNORECASE,
    )
    found += [
        str(_AGE_WORDS[w.lower()])
        for w in re.findall(
            rf"\b({'|'.join(_AGE_WORDS)})\s+(?:years? of age|years? old)", text, re.IGNORECASE
        )
    ]
    # an age in words with its digits in brackets ("children under thirteen (13) years of age"),
    # or in words after "under" / "the age of" ("under the age of thirteen")
    words = "|".join(_AGE_WORDS)
    found += re.findall(
        rf"\b(?:under|over|older than|younger than|the age of|aged?)\s+(?:{words})\s*[(（](\d{{1,2}})[)）]"
        rf"|\b(?:{words})\s*[(（](\d{{1,2}})[)）]\s*years?\b",
        text,
        re.IGNORECASE,
    )
    found = [a if isinstance(a, str) else next(g for g in a if g) for a in found]
    found += [
        str(_AGE_WORDS[w.lower()])
        for w in re.findall(
            rf"\b(?:under|over|older than|younger than|the age of)\s+({words})\b",
            text,
            re.IGNORECASE,
        )
    ]
    return sorted({int(a) for a in found if 6 <= int(a) <= 25})


_AGE_WORDS = {
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
    "twenty": 20,
    "twenty-one": 21,
}
"""Ages written in words ("at least thirteen years old")."""
