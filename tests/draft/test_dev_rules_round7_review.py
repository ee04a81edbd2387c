"""Invented promises found by reviewing the drafter after round 7, each from a sentence written
for the test in a shape privacy policies commonly use (none from the held-out policies)."""

from __future__ import annotations

from draft_kit import found


def test_a_disclaimer_about_third_parties_denies_no_sharing(tmp_path) -> None:
    for text in (
        "We are not responsible for third parties.\n",
        "第三者のサービスについて当社は責任を負いません。\n",
        "This does not include data about third parties that you upload.\n",
    ):
        assert found(tmp_path, text).keys("negation") == [], text


def test_a_denial_of_sharing_with_third_parties_stays_a_denial(tmp_path) -> None:
    for text in (
        "We do not share your personal information with third parties.\n",
        "No third parties receive your data.\n",
        "Third parties do not have access to your data.\n",
        "第三者に提供することはありません。\n",
        "当社は、お客様の個人情報を第三者に渡しません。\n",
    ):
        assert found(tmp_path, text).keys("negation") == ["third_party_sharing"], text


def test_a_safeguard_the_operator_uses_is_no_purpose(tmp_path) -> None:
    extraction = found(
        tmp_path,
        "## How we protect your information\n\n"
        "We use SSL to encrypt communications. We use your information to prevent fraud.\n",
    )
    assert extraction.keys("purpose") == ["we use your information to prevent fraud."]
    assert (
        found(tmp_path, "当社は、SSLを使用して、通信を暗号化しています。\n").keys("purpose") == []
    )


def test_care_the_reader_is_asked_to_take_names_no_collected_data(tmp_path) -> None:
    assert (
        found(tmp_path, "Please be careful about content you share publicly.\n").keys("category")
        == []
    )
    assert found(tmp_path, "We store the content you share publicly.\n").keys("category") == [
        "user.content"
    ]
