from datetime import datetime

import pytest
from pydantic import ValidationError

from policykeeper.policy.types import Duration, Lang, Text


@pytest.mark.parametrize(
    ("text", "amount", "unit"),
    [
        ("30 days", 30, "day"),
        ("2 weeks", 2, "week"),
        ("12 months", 12, "month"),
        ("1 year", 1, "year"),
    ],
)
def test_duration_parses_what_policies_say(text: str, amount: int, unit: str) -> None:
    assert Duration.parse(text) == Duration(amount, unit)


def test_duration_rejects_vague_periods() -> None:
    with pytest.raises(ValueError, match="not a period"):
        Duration.parse("a reasonable period")


def test_calendar_months_clamp_to_the_last_day() -> None:
    assert Duration.parse("1 month").after(datetime(2026, 1, 31)) == datetime(2026, 2, 28)
    assert Duration.parse("12 months").before(datetime(2024, 2, 29)) == datetime(2023, 2, 28)
    assert Duration.parse("7 years").after(datetime(2026, 3, 23)) == datetime(2033, 3, 23)


def test_plain_string_text_is_the_same_in_every_language() -> None:
    text = Text.model_validate("Stripe, Inc.")
    assert (text.get("ja"), text.get("en")) == ("Stripe, Inc.", "Stripe, Inc.")


def test_text_falls_back_to_the_other_language() -> None:
    text = Text(ja="開示")
    assert text.get("en") == "開示"
    assert [lang.value for lang in text.missing([Lang.ja, Lang.en])] == ["en"]


def test_empty_text_is_refused() -> None:
    with pytest.raises(ValidationError, match="at least one of ja, en"):
        Text.model_validate({})
