"""Rules of the fifth quality round, each general, each against a development miss.

Every text here is written for the test, in the shapes the round-5 development documents use
(a server's privacy policy and terms of service wrapped at a fixed width); none is taken from
the held-out policies.
"""

from __future__ import annotations

import pytest
from draft_kit import found, write

from policykeeper.draft.extract import extract
from policykeeper.draft.sources import read_source


@pytest.mark.parametrize(("name", "heading"), [("terms.md", "## "), ("terms.txt", "")])
def test_a_wrapped_first_line_that_looks_like_a_heading_heads_no_section(
    tmp_path, name, heading
) -> None:
    # "…reserves the right in our sole discretion to modify or" is no heading about rights: the
    # sentences under "Disclaimer" draft no right of the reader and no refusal ground
    text = (
        f"{heading}Disclaimer\n\n"
        "Administrator reserves the right in our sole discretion to modify or\n"
        "discontinue the Service with or without notice to you. Any violation of these\n"
        "Terms may result in the suspension or termination by us of your access to the Service.\n\n"
        "You may gain access to other websites via links on the Service. You are free\n"
        "to link to the Service. We may not be able to restore a suspended account.\n"
    )
    sentences = read_source(write(tmp_path, name, text)).sentences
    assert {s.section for s in sentences if s.kind != "heading"} == {("Disclaimer",)}
    extraction = extract(sentences)
    assert extraction.keys("right") == []
    assert extraction.keys("refusal") == []
    assert extraction.keys("fee") == []


def test_a_heading_followed_by_a_blank_line_stays_a_heading(tmp_path) -> None:
    text = "Your rights\n\nyou can ask us to delete your email address.\n"
    sentences = read_source(write(tmp_path, "p.txt", text)).sentences
    assert [s.kind for s in sentences] == ["heading", "text"]


def test_a_list_item_wrapped_after_a_number_is_one_item_and_a_limit(tmp_path) -> None:
    text = (
        "# Privacy\n\n## What is our data retention policy?\n\n"
        "We will make a good faith effort to:\n\n"
        "- Retain the IP addresses associated with registered users no more than 12\n"
        "  months.\n"
    )
    extraction = found(tmp_path, text)
    assert extraction.keys("negation") == []
    assert any(key.startswith("12 months") for key in extraction.keys("retention"))


def test_a_right_with_an_adverb_before_its_verb(tmp_path) -> None:
    text = "# Privacy\n\n## Retention\n\nYou may irreversibly delete your account at any time.\n"
    assert "erasure" in found(tmp_path, text).keys("right")


def test_a_minimum_age_in_words_under_an_age_requirements_heading(tmp_path) -> None:
    text = (
        "# Terms\n\n## Age Requirements and Responsibility of Parents\n\n"
        "By accessing the Service, you signify that you are at least thirteen years old. If you "
        "are not old enough to consent, your parent or legal guardian must agree on your behalf.\n"
    )
    keys = found(tmp_path, text).keys("minors")
    assert "minimum_age=13" in keys
    assert "guardian" in keys


def test_changes_effective_calendar_days_after_posting(tmp_path) -> None:
    text = (
        "# Terms\n\n## Changes to these Terms\n\n"
        "We may change these Terms by posting a revised version. Changes will become effective "
        "no earlier than fourteen (14) calendar days after they are posted.\n"
    )
    assert "notice_days=14" in found(tmp_path, text).keys("changes")


def test_a_trade_name_is_no_personal_name(tmp_path) -> None:
    text = (
        "# Terms\n\n## Links\n\n"
        "Unless expressly agreed to by us in writing, reference to any of our products, "
        "services, processes or other information, by trade name, trademark, logo, or otherwise "
        "by you or any third party does not imply endorsement thereof by us. We collect your "
        "name when you register.\n"
    )
    names = [f for f in found(tmp_path, text).of("category") if f.key == "user.name"]
    assert [s.text for f in names for s in f.evidence] == [
        "We collect your name when you register."
    ]


def test_what_a_party_agrees_to_provide_is_no_purpose(tmp_path) -> None:
    text = (
        "# Terms\n\n## Disputes\n\n"
        "Before commencing any arbitration, you agree to provide us with a written notice of "
        "Claim, and we agree to provide you with a written notice of Claim using the email "
        "address we have on file for you.\n\n"
        "We use your email address to send you notifications.\n"
    )
    keys = found(tmp_path, text).keys("purpose")
    assert not any("written notice" in key for key in keys)
    assert any("send you notifications" in key for key in keys)


# --- second batch: terms of service and a moderation page ---------------------------------


def test_a_numbered_list_item_holding_a_heading_is_a_numbered_heading(tmp_path) -> None:
    text = (
        "# Terms\n\n## Terms of Service\n\n1. #### Services\n\n"
        "    * Breach Alerts: This notifies you of new breaches.\n\n"
        "2. #### Communications\n\n    We send periodic messages to your email address.\n"
    )
    sentences = read_source(write(tmp_path, "p.md", text)).sentences
    headings = [s.text for s in sentences if s.kind == "heading"]
    assert headings[-2:] == ["1. Services", "2. Communications"]
    last = sentences[-1]
    assert last.section[-1] == "2. Communications"


def test_promising_not_to_infringe_a_third_partys_rights_denies_no_sharing(tmp_path) -> None:
    text = (
        "# Terms\n\n## Content\n\n"
        "You represent that your content will not infringe the rights of any third party.\n\n"
        "皆様は、自身でアップロードしたコンテンツがいかなる第三者の権利も侵害していないことを保証するものとします。\n\n"
        "We do not share your email address with third parties.\n"
    )
    negations = [f for f in found(tmp_path, text).of("negation") if f.key == "third_party_sharing"]
    assert [s.text for f in negations for s in f.evidence] == [
        "We do not share your email address with third parties."
    ]


def test_japanese_without_revealing_an_address_is_no_denial(tmp_path) -> None:
    text = (
        "# 規約\n\n## 本サービス\n\n"
        "本サービスは、皆様のメールアドレスを明かすことなくメールを送受信できるエイリアスを作成します。\n"
    )
    assert found(tmp_path, text).keys("negation") == []


def test_titled_links_to_other_privacy_notices_are_no_recipients(tmp_path) -> None:
    text = (
        "# Terms\n\n## Privacy\n\n"
        "We use the information we receive as described in our "
        "[Privacy Notice](https://example.org/privacy/). Our Privacy Notices describe in more "
        "detail the data we receive from each service:\n\n"
        "* [Firefox Monitor](https://example.org/privacy/monitor/)\n"
        "* [Pocket](https://example.org/privacy/pocket/)\n"
    )
    assert found(tmp_path, text).keys("recipient") == []


def test_what_the_reader_needs_or_a_product_lets_them_do_is_no_purpose(tmp_path) -> None:
    text = (
        "# Terms\n\n## Accounts\n\n"
        "In order to use some of the Services, you'll need to create an account.\n\n"
        "Relay allows you to keep your email address private by making aliases that allow you "
        "to send and receive emails.\n\n"
        "We use your email address to send you security messages.\n"
    )
    keys = found(tmp_path, text).keys("purpose")
    assert not any(key.startswith(("in order to use", "relay allows")) for key in keys)
    assert any("send you security messages" in key for key in keys)


@pytest.mark.parametrize(
    "sentence",
    [
        "During registration, you will be asked to set a password.",
        "登録の際、皆様はパスワードの設定を求められます。",
    ],
)
def test_a_password_the_reader_is_asked_to_set_at_registration(tmp_path, sentence) -> None:
    text = f"# Terms\n\n## Accounts\n\n{sentence}\n"
    assert "user.authorization.password" in found(tmp_path, text).keys("category")


@pytest.mark.parametrize(
    "sentence",
    [
        "You must be 13 years old or older to create an account.",
        "アカウントを作成できるのは、13 歳以上の方です。",
    ],
)
def test_a_minimum_age_outside_a_section_about_children(tmp_path, sentence) -> None:
    text = f"# Terms\n\n## Accounts\n\n{sentence}\n"
    assert found(tmp_path, text).keys("minors") == ["minimum_age=13"]


@pytest.mark.parametrize(
    "body",
    [
        "## Modifications to these Terms\n\nThe updated Terms will be posted online. Your "
        "continued use of the Services after the effective date of such changes constitutes "
        "your acceptance of such changes.\n",
        "## 本規約の修正\n\n更新された本規約はオンラインに投稿されます。かかる変更の適用日以降も"
        "引き続き本サービスを利用されることにより、皆様はかかる変更を承諾したものとみなされます。\n",
    ],
)
def test_modifications_posted_online_and_continued_use_as_acceptance(tmp_path, body) -> None:
    keys = found(tmp_path, f"# Terms\n\n{body}").keys("changes")
    assert "on_posting" in keys
    assert "continued_use_is_acceptance" in keys


def test_a_template_placeholder_is_no_address(tmp_path) -> None:
    text = "# Terms\n\n## Notices\n\nAddress: %{dmca_address}\n\nAddress: 1 Example Street, Springfield\n"
    assert found(tmp_path, text).keys("address") == ["1 example street, springfield"]


# --- third batch: pages whose title speaks of rights that are not rights over data -----------


@pytest.mark.parametrize(
    ("title", "sentence", "purpose"),
    [
        (
            "About Your Rights",
            "By choosing to submit feedback, you give Example permission to use the feedback to "
            "improve its products.",
            "improve its products",
        ),
        (
            "あなたの権利について",
            "あなたがフィードバックの送信を選択することにより、Example がそのフィードバックを製品の改善"
            "のために使用する許可を Example に与えるものとします。",
            "製品の改善",
        ),
    ],
)
def test_leave_to_use_what_the_reader_submits_names_data_and_purpose(
    tmp_path, title, sentence, purpose
) -> None:
    text = f"# {title}\n\n* {sentence}\n"
    extraction = found(tmp_path, text)
    assert "user.content.private.feedback" in extraction.keys("category")
    assert any(purpose in key for key in extraction.keys("purpose"))


@pytest.mark.parametrize(
    "sentence",
    [
        "Example Browser is free and open source software, built by a community.",
        "Example Browser は無料のオープンソースソフトウェアです。",
        "You are free to link to the Service.",
    ],
)
def test_free_software_is_no_fee_for_requests(tmp_path, sentence) -> None:
    text = f"# About Your Rights\n\n{sentence}\n"
    assert found(tmp_path, text).keys("fee") == []


def test_requests_free_of_charge_keep_their_fee(tmp_path) -> None:
    text = (
        "# Privacy\n\n## Your rights\n\nThere is no fee for disclosure requests.\n\n"
        "お客様はデータのコピーを無料でリクエストすることができます。\n"
    )
    assert found(tmp_path, text).keys("fee") == ["free"]


def test_additional_information_about_trademarks_is_no_identity_check(tmp_path) -> None:
    text = (
        "# About Your Rights\n\n"
        "* Additional information on trademarks may be found on our website.\n"
        "* To verify your identity, we may ask for additional information.\n"
    )
    facts = [f for f in found(tmp_path, text).of("verification")]
    assert [s.text for f in facts for s in f.evidence] == [
        "To verify your identity, we may ask for additional information."
    ]
