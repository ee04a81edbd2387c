"""Per-language wording: message catalogues plus dates, periods, money and lists in each language.

The wording lives in `messages/<lang>.yaml` so each language reads as native text; this module only
looks phrases up and formats values the way a reader of that language expects them.
"""

from __future__ import annotations

from datetime import date
from enum import Enum
from functools import cache
from importlib.resources import files
from typing import Any

from ruamel.yaml import YAML

from policykeeper.policy.countries import country_name
from policykeeper.policy.types import Duration, Lang, Text


class Catalog:
    """The phrases and value formats of one language."""

    def __init__(self, lang: Lang, messages: dict[str, Any]) -> None:
        self.lang = lang
        self.messages = messages

    def _lookup(self, key: str) -> Any:
        node: Any = self.messages
        for part in key.split("."):
            node = node[part]
        return node

    def __call__(self, key: str, **values: Any) -> str:
        """The phrase `key` (dotted), with `values` filled in."""
        phrase = self._lookup(key)
        return phrase.format(**values) if values else phrase

    def columns(self, key: str) -> list[str]:
        return list(self._lookup(f"table.{key}"))

    def label(self, group: str, value: Enum | str | bool) -> str:
        """The reader-facing name of an enum or literal value; unknown values show as given."""
        if isinstance(value, bool):
            raw = "true" if value else "false"
        else:
            raw = value.value if isinstance(value, Enum) else value
        return self.messages["label"][group].get(raw, raw)

    def text(self, value: Text | None) -> str:
        return value.get(self.lang) if value is not None else ""

    def join(self, items: list[str]) -> str:
        return self.messages["list_separator"].join(item for item in items if item)

    def join_and(self, items: list[str]) -> str:
        """A list read as one phrase: 「A、B及びC」 / "A, B and C"."""
        items = [item for item in items if item]
        if len(items) < 2:
            return "".join(items)
        return self.join(items[:-1]) + self.messages["list_and"] + items[-1]

    def join_or(self, items: list[str]) -> str:
        """Alternatives read as one phrase: 「A、B又はC」 / "A, b or c" (no capital mid-sentence)."""
        items = [item for item in items if item]
        if self.messages.get("lowercase_in_lists"):
            items = items[:1] + [_lower_first(item) for item in items[1:]]
        if len(items) < 2:
            return "".join(items)
        return self.join(items[:-1]) + self.messages["list_or"] + items[-1]

    def date(self, value: date) -> str:
        month_names = self.messages.get("month_names")
        month_name = month_names[value.month - 1] if month_names else ""
        return self(
            "date", year=value.year, month=value.month, day=value.day, month_name=month_name
        )

    def duration(self, value: Duration, business_days: bool = False) -> str:
        """「30日」「2週間」「12か月」「7年」 / "30 days", "1 year", "10 business days"."""
        form = (
            self.messages["business_days"]
            if business_days and value.unit == "day"
            else self.messages["duration"][value.unit]
        )
        if isinstance(form, list):
            form = form[0] if value.amount == 1 else form[1]
        return form.format(n=value.amount)

    def money(self, amount: int, currency: str) -> str:
        """「1,000円」 / "JPY 1,000"."""
        forms = self.messages["money"]
        form = forms.get(currency.upper(), forms["other"])
        return form.format(amount=f"{amount:,}", currency=currency.upper())

    def country(self, code: str) -> str:
        """The country's name: the catalogue's preferred form, else CLDR's; never the code."""
        return self.messages["label"]["country"].get(code) or country_name(code, self.lang.value)

    def language(self, lang: Lang) -> str:
        return self.messages["lang_name"][lang.value]


def _lower_first(text: str) -> str:
    """'Signing in' -> 'signing in', but 'IP address' and 'GPC' keep their capitals."""
    if len(text) > 1 and text[0].isupper() and text[1].islower():
        return text[0].lower() + text[1:]
    return text


@cache
def catalog(lang: Lang) -> Catalog:
    source = files("policykeeper.render").joinpath("messages", f"{lang.value}.yaml")
    return Catalog(lang, YAML(typ="safe").load(source.read_text("utf-8")))
