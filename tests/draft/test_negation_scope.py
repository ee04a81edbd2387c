"""Negation scope: what a sentence denies, advises or obliges is never drafted as collected.

The held-out Kolibri notice had an instruction ("use strong passwords") drafted as collected
data; these are the general patterns behind that kind of error, in English and Japanese.
"""

from __future__ import annotations

import pytest
from draft_kit import write

from policykeeper.draft.extract import extract
from policykeeper.draft.japanese import is_negative
from policykeeper.draft.sources import read_source

PASSWORD = "user.authorization.password"


def found(tmp_path, text: str):
    return extract(read_source(write(tmp_path, "p.md", text)).sentences)


@pytest.mark.parametrize(
    "sentence",
    [
        "We do not collect your password.",
        "We never store passwords.",
        "当社は、パスワードを取得しません。",
        "パスワードは当社のサーバーに保存しません。",
    ],
)
def test_a_denied_password_is_a_negative_promise(tmp_path, sentence) -> None:
    extraction = found(tmp_path, f"# Information we collect\n\n{sentence}\n")
    assert PASSWORD not in extraction.keys("category")
    assert PASSWORD in extraction.keys("negation")


@pytest.mark.parametrize(
    "text",
    [
        "# Security\n\nAdministrators should use strong passwords.\n",
        "# Your account\n\nUse strong passwords and change them regularly.\n",
        "# Cookies\n\nThey assist with sign-in so you can bypass re-entering your passwords.\n",
        "# アカウント\n\nパスワードは推測されにくいものを設定してください。\n",
        "# Cookie\n\nユーザがパスワードの再入力を迂回できるように、Cookie がサインインを助けます。\n",
    ],
)
def test_advice_about_a_password_is_not_collection(tmp_path, text) -> None:
    assert PASSWORD not in found(tmp_path, text).keys("category")


def test_a_stored_password_is_still_collected(tmp_path) -> None:
    text = "# Your account\n\nWe store your password only in hashed form.\n\nパスワードはハッシュ化して保存します。\n"
    assert PASSWORD in found(tmp_path, text).keys("category")


def test_a_japanese_obligation_is_not_a_denial(tmp_path) -> None:
    text = "# 応募者の情報\n\n応募者は、氏名、電話番号及びメールアドレスを当社に提供しなければなりません。\n"
    extraction = found(tmp_path, text)
    assert {"user.name", "user.contact.phone_number", "user.contact.email"} <= set(
        extraction.keys("category")
    )
    assert extraction.keys("negation") == []
    assert not is_negative("提供しなければなりません", "ja")
    assert is_negative("提供しません", "ja")


def test_do_not_track_names_a_setting_and_denies_nothing(tmp_path) -> None:
    text = "# Your choices\n\nYou can turn on Do Not Track in your browser.\n"
    extraction = found(tmp_path, text)
    assert extraction.keys("negation") == []
    assert "user.device.browser" not in extraction.keys("category")
    assert not is_negative("You can turn on Do Not Track in your browser", "en")


def test_a_data_item_in_a_list_stays_collected_without_a_verb(tmp_path) -> None:
    text = "# Information we collect\n\n- Name\n- Password (stored in hashed form)\n"
    assert {"user.name", PASSWORD} <= set(found(tmp_path, text).keys("category"))
