"""What kind of personal data a single value is: email, phone, My Number, card, IP address,
postal code, address, date of birth or a person's name.

Cheap shape tests come first and the libraries that know the rules (phonenumbers for phone
plans, python-stdnum for check digits, Luhn for cards) only see values that already look right,
so a column of a few hundred values classifies in milliseconds. A column's name can make a
weaker shape count (a `name` column of two capitalised words), never the other way round.
"""

from __future__ import annotations

import ipaddress
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from datetime import date

import phonenumbers
from stdnum import iban, luhn
from stdnum.jp import in_ as my_number

from policykeeper.checks.names import ENGLISH_GIVEN_NAMES, ENGLISH_SURNAMES, JAPANESE_SURNAMES
from policykeeper.datamap.guesses import category_of

TYPES = (
    "email",
    "phone",
    "my_number",
    "card",
    "bank_account",
    "ip",
    "postal_code",
    "address",
    "date_of_birth",
    "name",
)
CATEGORY = {
    "email": "user.contact.email",
    "phone": "user.contact.phone_number",
    "my_number": "user.government_id.my_number",
    "card": "user.financial.credit_card",
    "bank_account": "user.financial.bank_account",
    "ip": "user.device.ip_address",
    "postal_code": "user.contact.address.postal_code",
    "address": "user.contact.address",
    "date_of_birth": "user.demographic.date_of_birth",
    "name": "user.name",
}
"""The taxonomy key each kind of value belongs under."""

PREFECTURES = [
    "北海道",
    "青森県",
    "岩手県",
    "宮城県",
    "秋田県",
    "山形県",
    "福島県",
    "茨城県",
    "栃木県",
    "群馬県",
    "埼玉県",
    "千葉県",
    "東京都",
    "神奈川県",
    "新潟県",
    "富山県",
    "石川県",
    "福井県",
    "山梨県",
    "長野県",
    "岐阜県",
    "静岡県",
    "愛知県",
    "三重県",
    "滋賀県",
    "京都府",
    "大阪府",
    "兵庫県",
    "奈良県",
    "和歌山県",
    "鳥取県",
    "島根県",
    "岡山県",
    "広島県",
    "山口県",
    "徳島県",
    "香川県",
    "愛媛県",
    "高知県",
    "福岡県",
    "佐賀県",
    "長崎県",
    "熊本県",
    "大分県",
    "宮崎県",
    "鹿児島県",
    "沖縄県",
]

_EMAIL = re.compile(r"^[A-Za-z0-9._%+\-]{1,64}@[A-Za-z0-9\-]+(\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}$")
_NUMBERISH = re.compile(r"^[+(]?[\d][\d\s\-().]{5,24}(\s?(x|ext\.?)\s?\d{1,5})?$")
_MY_NUMBER = re.compile(r"^\d{4}[ -]?\d{4}[ -]?\d{4}$")
MAESTRO_12 = frozenset({"50", "56", "57", "58", "67"})
"""Twelve-digit card numbers (Maestro) start with these; a twelve-digit value whose My Number
check digit holds is taken as a My Number first."""
_IBAN = re.compile(r"^[A-Z]{2}\d{2}[A-Z0-9 ]{11,40}$")
_POSTAL_JP = re.compile(r"^〒?\s?\d{3}-\d{4}$|^〒\s?\d{7}$")
_IPV4 = re.compile(r"^\d{1,3}(\.\d{1,3}){3}$")
_IPV6 = re.compile(r"^[0-9A-Fa-f:]{2,39}$")
_JP_ADDRESS = re.compile(
    r"^(?:〒?\s?\d{3}-?\d{4}\s*)?(?:" + "|".join(PREFECTURES) + r")\S{0,8}?(?:市|区|町|村|郡)"
)
_US_ADDRESS = re.compile(
    r"(^\d{1,6}\s+\w[\w .'\-]*\s(street|st|avenue|ave|road|rd|boulevard|blvd|lane|ln|drive|dr|"
    r"court|ct|way|place|pl|terrace|parkway|circle|square|highway)\b)|"
    r"(,\s?[A-Z]{2}\s\d{5}(-\d{4})?$)|(\b[AFD]PO\s(AA|AE|AP)\s\d{5}$)",
    re.IGNORECASE,
)
_DATES = (
    re.compile(r"^(?P<y>\d{4})[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})$"),
    re.compile(r"^(?P<m>\d{1,2})/(?P<d>\d{1,2})/(?P<y>\d{4})$"),
    re.compile(r"^(?P<y>\d{4})年(?P<m>\d{1,2})月(?P<d>\d{1,2})日$"),
    re.compile(r"^(?P<era>昭和|平成|令和)(?P<y>\d{1,2}|元)年(?P<m>\d{1,2})月(?P<d>\d{1,2})日$"),
)
_ERA_START = {"昭和": 1925, "平成": 1988, "令和": 2018}
_KANJI_NAME = re.compile(
    r"^([\u4e00-\u9fff々]{1,4})[ \u3000]?([\u4e00-\u9fff々\u3041-\u3096]{1,4})$"
)
_KANA_NAME = re.compile(r"^[\u30a1-\u30f6ー]{2,8}[ \u3000][\u30a1-\u30f6ー]{2,8}$")
_HIRAGANA_NAME = re.compile(r"^[\u3041-\u3096ー]{2,8}[ \u3000][\u3041-\u3096ー]{2,8}$")
_LATIN_WORD = re.compile(r"^[A-Z][a-z]+(?:[-'][A-Z]?[a-z]+)?$|^[A-Z]\.$")
_NOT_NAME_ENDINGS = (
    *"都道府県市区町村郡駅店屋社所館堂院局署園場者業品料",
    "製薬",
    "商店",
    "工業",
    "産業",
    "銀行",
    "病院",
    "学校",
    "大学",
    "会社",
)
"""Endings of places, shops and firms named after a family (鈴木商店, 中野区), not people."""
_LOANWORD_KANA = frozenset("ーァィゥェォヴ")
"""Long vowels and small vowels mark loanwords (アイス クリーム); name readings rarely use them."""
_NOT_NAME_WORDS = frozenset(
    {
        "street",
        "station",
        "road",
        "avenue",
        "college",
        "university",
        "school",
        "hospital",
        "bank",
        "hotel",
        "airport",
        "bridge",
        "river",
        "lake",
        "period",
        "sale",
        "center",
        "centre",
        "city",
        "county",
        "square",
        "tower",
        "club",
        "market",
        "company",
        "group",
    }
)
"""Last words of places and things that start with a given name (Victoria Station); words
that are also common surnames (Hall, Park, House) are left out."""
_TITLES = frozenset({"mr.", "mrs.", "ms.", "miss", "dr.", "mr", "mrs", "ms", "dr", "prof."})
_SUFFIXES = frozenset({"jr.", "sr.", "ii", "iii", "iv", "md", "dds", "phd", "dvm", "jr", "sr"})
_HINTS = {
    "user.contact.email": "email",
    "user.contact.phone_number": "phone",
    "user.government_id.my_number": "my_number",
    "user.financial.credit_card": "card",
    "user.device.ip_address": "ip",
    "user.contact.address.postal_code": "postal_code",
    "user.demographic.date_of_birth": "date_of_birth",
}


def hint(column: str) -> str | None:
    """The kind of value a column's name suggests (`tel2` → phone, `shimei` → name)."""
    category = category_of(column) or category_of(re.sub(r"[_\d]+$", "", column))
    if category is None:
        return None
    if category.startswith("user.name"):
        return "name"
    if category.startswith("user.contact.address"):
        return _HINTS.get(category, "address")
    return _HINTS.get(category)


def classify(
    value: object, expected: str | None = None, *, today: date | None = None
) -> str | None:
    """The kind of personal data `value` is, or None. `expected` is the column name's hint."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not text or len(text) > 200:
        return None
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)
    if "@" in text:
        return "email" if _EMAIL.match(text) else None
    first = text[0]
    if first.isdigit() or first in "+(〒":
        found = _numeric(text, expected, today)
        if found is not None:
            return found
    if ":" in text and _IPV6.match(text):
        return "ip" if _is_ip(text) else None
    if text.isascii():
        if _IBAN.match(text):
            return "bank_account" if iban.is_valid(text) else None
        if _US_ADDRESS.search(text):
            return "address"
        return "name" if _latin_name(text, expected == "name") else None
    if _JP_ADDRESS.match(text):
        return "address"
    if (era := _date_of_birth(text, today)) is not None:
        return era
    return "name" if _japanese_name(text, expected == "name") else None


def _numeric(text: str, expected: str | None, today: date | None) -> str | None:
    if _POSTAL_JP.match(text):
        return "postal_code"
    if _IPV4.match(text):
        return "ip" if _is_ip(text) else None
    if (born := _date_of_birth(text, today)) is not None:
        return born
    if not _NUMBERISH.match(text):
        return None
    digits = re.sub(r"\D", "", text.split("x")[0].split("ext")[0])
    formatted = digits != text
    if len(digits) == 12 and _MY_NUMBER.match(text) and my_number.is_valid(digits):
        return "my_number"  # before twelve-digit Maestro: in Japan, the likelier of the two
    card = 12 <= len(digits) <= 19 and digits[0] in "123456" and luhn.is_valid(digits)
    if card and (len(digits) > 12 or digits[:2] in MAESTRO_12):
        return "card"
    if 7 <= len(digits) <= 15 and (formatted or expected == "phone" or text[0] == "0"):
        return "phone" if _is_phone(text) else None
    if expected == "postal_code" and len(digits) == 7:
        return "postal_code"
    return None


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def _is_phone(text: str) -> bool:
    region = "JP" if text.startswith("0") and not text.startswith("00") else "US"
    if text.startswith("00"):
        text = "+" + text[2:]  # the international prefix written as digits
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return False
    if phonenumbers.is_valid_number(number):
        return True
    return region == "US" and phonenumbers.is_possible_number(number)


def _date_of_birth(text: str, today: date | None) -> str | None:
    for pattern in _DATES:
        match = pattern.match(text)
        if match is None:
            continue
        parts = match.groupdict()
        year = 1 if parts["y"] == "元" else int(parts["y"])
        if "era" in parts:
            year += _ERA_START[parts["era"]]
        try:
            born = date(year, int(parts["m"]), int(parts["d"]))
        except ValueError:
            return None
        now = today or date.today()
        age = now.year - born.year
        return "date_of_birth" if 13 <= age <= 110 else None
    return None


def _latin_name(text: str, expected: bool) -> bool:
    tokens = text.split()
    if tokens and tokens[0].lower() in _TITLES:
        tokens = tokens[1:]
    if tokens and tokens[-1].lower().rstrip(",") in _SUFFIXES:
        tokens = tokens[:-1]
    if not 2 <= len(tokens) <= 3 or not all(_LATIN_WORD.match(t) for t in tokens):
        return False
    if expected:
        return True
    if tokens[-1].lower() in _NOT_NAME_WORDS:
        return False
    return tokens[0].lower() in ENGLISH_GIVEN_NAMES or tokens[-1].lower() in ENGLISH_SURNAMES


def _japanese_name(text: str, expected: bool) -> bool:
    """Katakana or kanji names. Without a column name that says so, a kana name must not look
    like a loanword, and a kanji one must start with a common surname followed by a given name
    (two characters at least after a one-character surname, so 林檎 and 東京 are not people) and
    not end like a place or a firm."""
    if _KANA_NAME.match(text):
        return expected or not (_LOANWORD_KANA & set(text))
    if expected and _HIRAGANA_NAME.match(text):
        return True
    if _KANJI_NAME.match(text) is None:
        return False
    if expected and (" " in text or "\u3000" in text):
        return True
    compact = text.replace(" ", "").replace("\u3000", "")
    if len(compact) > 6 or compact.endswith(_NOT_NAME_ENDINGS):
        return False
    return any(
        compact.startswith(surname)
        and 1 <= len(compact) - len(surname) <= 3
        and (len(surname) > 1 or len(compact) >= 3)
        and compact[len(surname)] != "の"
        for surname in JAPANESE_SURNAMES
    )


@dataclass(frozen=True)
class ColumnProfile:
    """What a sample of one column holds: its dominant kind, how many values had it, one masked."""

    kind: str | None
    matched: int
    sampled: int
    example: str | None
    counts: dict[str, int]


def profile(column: str, values: list[object], *, today: date | None = None) -> ColumnProfile:
    """The column's kind when most sampled values have it (a third, when the name agrees)."""
    expected = hint(column)
    counts: Counter[str] = Counter()
    first: dict[str, str] = {}
    sampled = 0
    for value in values:
        if value is None:
            continue
        sampled += 1
        kind = classify(value, expected, today=today)
        if kind is not None:
            counts[kind] += 1
            first.setdefault(kind, str(value))
    if not counts:
        return ColumnProfile(None, 0, sampled, None, {})
    kind, matched = counts.most_common(1)[0]
    needed = 0.3 if kind == expected else 0.5
    if matched < max(1, needed * sampled):
        return ColumnProfile(None, matched, sampled, None, dict(counts))
    return ColumnProfile(kind, matched, sampled, mask(first[kind], kind), dict(counts))


def mask(value: str, kind: str) -> str:
    """A masked example: enough to recognise the kind, never enough to recognise the person."""
    text = value.strip()
    if kind == "email":
        local, _, domain = text.partition("@")
        head, _, tld = domain.rpartition(".")
        return f"{local[:1]}***@{head[:1]}***.{tld}"
    if kind in ("phone", "card", "my_number", "bank_account", "postal_code"):
        keep = 2 if kind != "card" else 4
        digits_seen = sum(ch.isdigit() for ch in text)
        shown, out = 0, []
        for ch in text:
            if ch.isdigit():
                shown += 1
                out.append(ch if shown > digits_seen - keep else "*")
            else:
                out.append(ch)
        return "".join(out)
    if kind == "ip":
        separator = ":" if ":" in text else "."
        parts = text.split(separator)
        return separator.join([parts[0], *["*" * len(p) for p in parts[1:]]])
    return text[:1] + "*" * min(max(len(text) - 1, 1), 8)
