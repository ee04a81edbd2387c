"""Rules of the fifth quality round, each general, each against a development miss.

Every text here is written for the test, in the shapes the round-5 development documents use
(a server's privacy policy and terms of service wrapped at a fixed width); none is taken from
the held-out policies.
"""

from __future__ import annotations

import pytest
from draft_kit import write

from policykeeper.draft.extract import extract
from policykeeper.draft.sources import read_source


def found(tmp_path, text: str, name: str = "p.md"):
    return extract(read_source(write(tmp_path, name, text)).sentences)


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
