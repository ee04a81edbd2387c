"""Dates, periods, fees and ages as Japanese and English policies write them."""

from __future__ import annotations

from datetime import date

import pytest

from policykeeper.draft.dates import ages_in, amounts_in, dates_in, periods_in
from policykeeper.policy.types import Duration


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("令和6年4月1日 制定", date(2024, 4, 1)),
        ("平成31年4月30日改定", date(2019, 4, 30)),
        ("令和元年5月1日", date(2019, 5, 1)),
        ("２０２６年３月２３日", date(2026, 3, 23)),
        ("Last updated: March 23, 2026", date(2026, 3, 23)),
        ("最終更新: 3月 3, 2025", date(2025, 3, 3)),
        ("Revised 1 July 2020", date(2020, 7, 1)),
        ("2026-03-23", date(2026, 3, 23)),
    ],
)
def test_dates(text: str, expected: date) -> None:
    assert [day for _, day in dates_in(text)] == [expected]


def test_an_impossible_date_is_skipped() -> None:
    assert dates_in("令和5年2月30日") == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("退会後30日間保存します", Duration(30, "day")),
        ("取得から12か月", Duration(12, "month")),
        ("6ヶ月以内", Duration(6, "month")),
        ("法令に基づき7年間", Duration(7, "year")),
        ("1年以上使用されていない", Duration(1, "year")),
        ("60日以内に回答", Duration(60, "day")),
        ("三年間保存", Duration(3, "year")),
        ("These cookies will last for one year.", Duration(1, "year")),
        ("no more than fifteen days", Duration(15, "day")),
        ("within two weeks", Duration(2, "week")),
    ],
)
def test_periods(text: str, expected: Duration) -> None:
    assert [period for _, period in periods_in(text)] == [expected]


def test_a_date_is_not_a_period() -> None:
    assert periods_in("2026年3月23日に改定") == []


def test_fees_in_yen() -> None:
    assert [amount for _, amount in amounts_in("1件あたり1,000円の手数料")] == [1000]
    assert [amount for _, amount in amounts_in("A fee of 1,000 yen per case")] == [1000]
    assert [amount for _, amount in amounts_in("手数料は￥500です")] == [500]


def test_ages() -> None:
    assert ages_in("18歳未満の方") == [18]
    assert ages_in("users aged 16 and older") == [16]
