"""Small value types shared by the declaration and the data map."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    model_validator,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import core_schema


class Lang(StrEnum):
    ja = "ja"
    en = "en"


class Strict(BaseModel):
    """Every declaration model rejects unknown keys, so a typo is an error and not silence."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True, use_enum_values=False)


class Text(Strict):
    """Text in each published language. A plain string is the same in every language (names)."""

    ja: str | None = None
    en: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _plain_string(cls, value: Any) -> Any:
        if isinstance(value, str):
            return {"ja": value, "en": value}
        return value

    @model_validator(mode="after")
    def _not_empty(self) -> Text:
        if not (self.ja or self.en):
            raise ValueError("text needs at least one of ja, en")
        return self

    def get(self, lang: Lang | str) -> str:
        """The text in `lang`, or in the other language when that one is missing."""
        value = self.ja if Lang(lang) is Lang.ja else self.en
        return value if value is not None else (self.en or self.ja or "")

    def missing(self, languages: list[Lang]) -> list[Lang]:
        return [lang for lang in languages if getattr(self, lang.value) is None]


_DURATION = re.compile(r"^\s*(\d+)\s*(day|week|month|year)s?\s*$", re.IGNORECASE)


@dataclass(frozen=True, order=True)
class Duration:
    """A period as people state it in a policy: '30 days', '12 months', '7 years'."""

    amount: int
    unit: str

    @classmethod
    def parse(cls, text: str) -> Duration:
        match = _DURATION.match(text)
        if not match:
            raise ValueError(
                f"{text!r} is not a period such as '30 days', '2 weeks', '12 months' or '7 years'"
            )
        return cls(int(match.group(1)), match.group(2).lower())

    def __str__(self) -> str:
        return f"{self.amount} {self.unit}{'' if self.amount == 1 else 's'}"

    def before(self, moment: datetime) -> datetime:
        """The moment this period before `moment`, with calendar months and years."""
        return _shift(moment, -self.amount, self.unit)

    def after(self, moment: datetime) -> datetime:
        return _shift(moment, self.amount, self.unit)

    def approx_days(self) -> int:
        return self.amount * {"day": 1, "week": 7, "month": 30, "year": 365}[self.unit]

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        def validate(value: Any) -> Duration:
            if isinstance(value, Duration):
                return value
            if isinstance(value, str):
                return cls.parse(value)
            raise ValueError("expected a period such as '30 days' or '7 years'")

        return core_schema.no_info_plain_validator_function(
            validate, serialization=core_schema.plain_serializer_function_ser_schema(str)
        )

    @classmethod
    def __get_pydantic_json_schema__(
        cls, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return {
            "type": "string",
            "pattern": _DURATION.pattern,
            "examples": ["30 days", "2 weeks", "12 months", "7 years"],
        }


def _shift(moment: datetime | date, amount: int, unit: str) -> Any:
    if unit == "day":
        return moment + timedelta(days=amount)
    if unit == "week":
        return moment + timedelta(weeks=amount)
    months = amount * (12 if unit == "year" else 1)
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    day = min(moment.day, _days_in_month(year, month))
    return moment.replace(year=year, month=month, day=day)


def _days_in_month(year: int, month: int) -> int:
    following = date(year + month // 12, month % 12 + 1, 1)
    return (following - timedelta(days=1)).day


CountryCode = Annotated[str, core_schema.str_schema(pattern=r"^[A-Z]{2}$")]
