"""Each kind of personal data from its value alone, the column name's hint, and masking."""

from __future__ import annotations

from datetime import date

import pytest
from stdnum import luhn
from stdnum.jp import in_ as my_number

from policykeeper.checks.classify import classify, hint, mask, profile

TODAY = date(2026, 3, 2)


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        ("taro.yamada@example.co.jp", "email"),
        ("090-1234-5678", "phone"),
        ("03-3456-7890", "phone"),
        ("０９０－１２３４－５６７８", "phone"),
        ("+81 90-8765-4321", "phone"),
        ("(415) 555-2671", "phone"),
        ("123456789018", "my_number"),
        ("4111 1111 1111 1111", "card"),
        ("3530-1113-3330-0000", "card"),
        ("501809164491", "card"),  # a twelve-digit Maestro number, not a My Number
        ("GB06 GCXG 5924 1050 3057 96", "bank_account"),
        ("001-584-585-7893", "phone"),
        ("192.0.2.15", "ip"),
        ("2001:db8::8a2e:370:7334", "ip"),
        ("〒150-0021", "postal_code"),
        ("東京都渋谷区恵比寿西2-4-8", "address"),
        ("〒530-0001 大阪府大阪市北区梅田1-1", "address"),
        ("8342 Williams Crossing Apt. 401\nNorth Dustin, OR 12345", "address"),
        ("1985-04-12", "date_of_birth"),
        ("昭和60年4月12日", "date_of_birth"),
        ("佐藤 花子", "name"),
        ("サトウ ハナコ", "name"),
        ("John Smith", "name"),
        ("Dr. Mary Johnson MD", "name"),
    ],
)
def test_a_value_is_recognised(value: str, kind: str) -> None:
    assert classify(value, today=TODAY) == kind


@pytest.mark.parametrize(
    "value",
    [
        "123456789012",  # twelve digits whose check digit is wrong: not a My Number
        "4111 1111 1111 1112",  # fails Luhn
        "GB06 GCXG 5924 1050 3057 97",  # IBAN check digits wrong
        "12345",
        "2026-03-01",  # a date, but nobody born then has an account
        "999.1.1.1",
        "Blue Ocean",
        "第1話 テスト",
        "株式会社テスト",
        "hello world",
        "/episodes/1",
        "$2b$12$abcdefghijklmnopqrstuv",
    ],
)
def test_other_values_are_not_personal_data(value: str) -> None:
    assert classify(value, today=TODAY) is None


def test_a_phone_number_with_twelve_digits_is_not_a_my_number() -> None:
    assert classify("+81 90-8204-4581", today=TODAY) == "phone"
    assert classify("1234 5678 9018", today=TODAY) == "my_number"


def test_the_column_name_lets_a_weaker_shape_count() -> None:
    assert classify("Blue Ocean", today=TODAY) is None
    assert classify("Blue Ocean", "name", today=TODAY) == "name"
    assert profile("customer_name", ["Ocean Blue", "Sky Gray", None], today=TODAY).kind == "name"


def test_a_column_takes_the_kind_most_of_its_values_have() -> None:
    found = profile("tel2", ["090-1234-5678", "080-2468-1357", "n/a", None], today=TODAY)
    assert (found.kind, found.matched, found.sampled) == ("phone", 2, 3)
    mostly_text = profile("memo", ["call 090-1234-5678", "hello", "090-1234-5678"], today=TODAY)
    assert mostly_text.kind is None


def test_masked_examples_keep_no_more_than_the_kind() -> None:
    assert mask("taro@example.com", "email") == "t***@e***.com"
    assert mask("090-1234-5678", "phone") == "***-****-**78"
    assert mask("4111111111111111", "card") == "************1111"
    assert mask("192.168.10.20", "ip") == "192.***.**.**"
    assert mask("佐藤花子", "name") == "佐***"


@pytest.mark.parametrize(
    "value",
    [
        "林檎",
        "森林",
        "原因",
        "東京",
        "関西",
        "中野区",
        "石川県",
        "田中製作所",
        "鈴木商店",
        "中村屋",
        "小林製薬",
        "森の音",
        "アイス クリーム",
        "ゲーム センター",
        "Victoria Station",
        "Grace Period",
    ],
)
def test_words_shaped_like_names_are_not_names(value: str) -> None:
    assert classify(value, today=TODAY) is None


@pytest.mark.parametrize("value", ["山田太郎", "林太郎", "長谷川京子", "ヤマダ タロウ", "佐々木希"])
def test_names_are_still_names(value: str) -> None:
    assert classify(value, today=TODAY) == "name"


def test_a_postal_code_marked_with_its_sign_needs_no_hyphen() -> None:
    assert classify("〒1000001", today=TODAY) == "postal_code"
    assert classify("1000001", today=TODAY) is None  # seven bare digits say nothing


def test_a_numbered_column_name_hints_like_its_stem() -> None:
    assert (hint("tel2"), hint("phone_2"), hint("email2")) == ("phone", "phone", "email")


def test_a_twelve_digit_my_number_is_not_taken_for_a_card() -> None:
    body = "50430652984"  # a Maestro prefix, and a valid My Number once its check digit is added
    number = body + my_number.calc_check_digit(body)
    assert luhn.is_valid(number)
    assert classify(number, today=TODAY) == "my_number"
