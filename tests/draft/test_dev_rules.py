"""Rules added against the larger development set (six more Mozilla notices), each general.

Every text here is written for the test, in the shapes the development notices use; none is
taken from the held-out policies.
"""

from __future__ import annotations

from draft_kit import found


def test_an_ordered_markdown_list_stays_a_list_and_keeps_its_section(tmp_path) -> None:
    text = (
        "# Notice\n\n## Your rights\n\nYou have the right to:\n\n"
        "1. Be informed about what we process about you, why and with whom it is shared\n"
        "2. Request a copy of the data we have about you\n"
        "3. Request portability of your data\n\n"
        "## Changes\n\nWe may change this notice; the updates will be posted online.\n"
    )
    extraction = found(tmp_path, text)
    assert {"access", "portability"} <= set(extraction.keys("right"))
    assert extraction.keys("changes") == ["on_posting"]


def test_an_address_block_with_line_breaks_is_not_a_run_of_headings(tmp_path) -> None:
    text = (
        "# Notice\n\n## Your rights\n\nYou can write to us at:\n\n"
        "Example DPO Services<br>\nAvenue Louise 235<br>\n1050 Brussels<br>\nBelgium\n\n"
        "We may need to ask you for additional information to confirm your identity.\n"
    )
    assert found(tmp_path, text).keys("verification") == ["additional_information"]


def test_parts_of_a_purpose_heading_links_and_the_readers_choices_are_not_purposes(
    tmp_path,
) -> None:
    text = (
        "# Notice\n\n## To provide and improve security\n\n### Unique identifiers\n\n"
        "### System performance\n\n"
        "## To provide the service\n\nConnected services have their own notices:\n\n"
        "* [Firefox Browser](https://www.example.org/privacy/firefox/)\n\n"
        "You can install the [Opt-out Add-on](https://example.org/optout) to prevent data "
        "collection about your visits.\n"
    )
    labels = [f.value["label"] for f in found(tmp_path, text).of("purpose")]
    assert labels == ["To provide and improve security", "To provide the service"]


def test_headings_completing_a_lead_in_heading_are_purposes(tmp_path) -> None:
    text = (
        "# Mail App Notice\n\n## Mail App Collects Data To:\n\n"
        "### Improve Performance and Stability\n\nThe app sends telemetry to us.\n\n"
        "### Set Up Your Calendar\n\nThe app receives your email domain.\n"
    )
    labels = [f.value["label"] for f in found(tmp_path, text).of("purpose")]
    assert labels == ["Improve Performance and Stability", "Set Up Your Calendar"]


def test_data_that_stays_on_the_device_is_a_negation_never_collection(tmp_path) -> None:
    text = (
        "# Notice\n\n## What we collect\n\n"
        "Other information, like your name and your email messages, is stored and processed "
        "locally on your device and never sent to us.\n"
    )
    extraction = found(tmp_path, text)
    assert extraction.keys("category") == []
    assert {"user.name", "user.content.private.messages"} <= set(extraction.keys("negation"))


def test_limits_and_the_readers_choices_are_not_denials(tmp_path) -> None:
    text = (
        "# Notice\n\n## What we collect\n\n"
        "We use the recipient's email address to share the link, but we will not use that "
        "email address for any other purpose.\n\n"
        "If you do not provide your phone number, we cannot send text alerts.\n\n"
        "## 保存期間\n\n技術データは、25 か月以上保持されることはありません。\n"
    )
    extraction = found(tmp_path, text)
    assert extraction.keys("negation") == []
    assert "25 months|collection" in extraction.keys("retention")


def test_password_advice_is_never_collection(tmp_path) -> None:
    text = (
        "# Notice\n\n## Accounts\n\n"
        "For security, choose a strong password that is hard to guess.\n\n"
        "- Use a unique password for your account\n\n"
        "It is important to keep your password private; learners should not share it.\n\n"
        "If you forget your password, ask an administrator to reset and save a new one.\n\n"
        "During registration, you are required to provide a name, password and email address.\n"
    )
    extraction = found(tmp_path, text)
    password = [f for f in extraction.of("category") if f.key == "user.authorization.password"]
    assert [s.text for f in password for s in f.evidence] == [
        "During registration, you are required to provide a name, password and email address."
    ]


def test_named_and_tabled_recipients(tmp_path) -> None:
    text = (
        "# Example VPN Notice\n\nExample VPN partners with Mullvad to encrypt your traffic.\n\n"
        "Example shares this with Adjust, but we do not share or store your IP address.\n\n"
        "We use:\n\n* [Formstack.](https://www.formstack.com/) Example uses Formstack to "
        "capture feedback.\n\n"
        "When you search, those keywords will be sent to Example to perform the search.\n\n"
        "## How we share your personal data\n\nWe may disclose personal data to:\n\n"
        "|  |  |\n| ----- | ----- |\n"
        "| Authorities | We may need to disclose personal data to law enforcement. |\n"
        "| Researchers | We release information in aggregated form. |\n"
    )
    names = {key.partition(":")[2] for key in found(tmp_path, text).keys("recipient")}
    assert {"mullvad", "adjust", "formstack", "authorities", "researchers"} <= names
    assert "example" not in names


def test_japanese_recipients_listed_before_similar_ones(tmp_path) -> None:
    text = (
        "# 通知\n\n## 個人データの共有\n\n当社は、個人データを広告事業者、決済代行会社、"
        "または類似の事業者と共有します。\n"
    )
    names = {key.partition(":")[2] for key in found(tmp_path, text).keys("recipient")}
    assert names == {"広告事業者", "決済代行会社"}


def test_disclosure_grounds_without_an_appi_list_of_exceptions(tmp_path) -> None:
    text = (
        "# Notice\n\n## Sharing as required by law or asset sale\n\n"
        "In the event that we or certain of our assets are acquired, user information may be "
        "included among the transferred assets.\n\n"
        "We will release personal information if required by law.\n\n"
        "## Sharing with partners\n\nWe share usage data with our partners to improve the app.\n"
    )
    assert set(found(tmp_path, text).keys("exception")) == {"law", "business_succession"}


def test_change_clauses_posted_online_and_effective_days_after_posting(tmp_path) -> None:
    text = (
        "# Notice\n\n## Amendments to Policy\n\n"
        "We may amend this Privacy Policy at any time by posting the amended terms on our "
        "website. All amended terms shall automatically be effective thirty (30) days after "
        "they are initially posted on the website. If the changes are substantive, we will "
        "also announce them on our blog.\n"
    )
    assert set(found(tmp_path, text).keys("changes")) == {
        "on_posting",
        "notice_days=30",
        "material_changes_only",
    }


def test_retention_periods_with_their_starting_points(tmp_path) -> None:
    text = (
        "# Notice\n\n## Technical data\n\n"
        "Your IP address is temporarily collected as part of our server logs for 90 days.\n\n"
        "The provider deletes its records of your text messages after 7 days.\n\n"
        "## How long we keep your data\n\n"
        "We delete accounts that have not been signed in for more than two years.\n\n"
        "We will keep your information only for as long as we need it to provide you "
        "services or as required by law.\n\n"
        "## 保存期間\n\nアカウントがアクティブである限り、アカウントデータは保持されます。\n"
    )
    assert set(found(tmp_path, text).keys("retention")) == {
        "90 days|collection",
        "7 days|collection",
        "2 years|last_activity",
        "|while_needed",
        "|account_active",
    }


def test_rights_exercised_from_settings_and_refusal_grounds(tmp_path) -> None:
    text = (
        "# Notice\n\n## Managing your settings\n\n"
        "You can access, correct, or delete your personal information and export your data "
        "from your profile.\n\n## Contact us\n\n"
        "If you want to make a correction to your information, please get in touch.\n\n"
        "## Other information\n\n"
        "We will honor your request unless a legal requirement prevents us from doing so.\n"
    )
    extraction = found(tmp_path, text)
    assert set(extraction.keys("right")) == {"access", "rectification", "erasure", "portability"}
    assert [f.value["label"] for f in extraction.of("refusal")] == [
        "We will honor your request unless a legal requirement prevents us from doing so."
    ]


def test_a_link_to_a_regulator_is_not_a_channel_but_a_request_portal_is(tmp_path) -> None:
    text = (
        "# Notice\n\n## Your rights\n\n"
        "You can also reach out to your relevant EU data protection authority "
        "(https://www.edpb.europa.eu/members_en), or search for (and contact) your local one.\n\n"
        "個人データに関する要求は、[データ主体アクセス要求ポータル](https://portal.example.org/requests) "
        "を通じてご連絡ください。\n"
    )
    assert found(tmp_path, text).keys("contact") == ["url:https://portal.example.org/requests"]


def test_us_is_a_pronoun_not_a_country(tmp_path) -> None:
    text = (
        "# Notice\n\n## Transfer of Information\n\nBy giving us information, you consent to "
        "this kind of transfer. Our servers are based in the United States.\n"
    )
    assert found(tmp_path, text).keys("country") == ["US"]
    assert (
        found(
            tmp_path,
            "# Notice\n\n## Transfer of Information\n\nBy giving us information, you consent "
            "to this kind of transfer of your information.\n",
            "q.md",
        ).keys("country")
        == []
    )


def test_a_short_telemetry_notice(tmp_path) -> None:
    text = (
        "# Example CLI Telemetry\n\nExample collects anonymous telemetry data about general "
        "usage. You can always opt-out if you'd not like to share any information.\n\n"
        "## Why collect telemetry?\n\nThis helps us to gauge feature usage across all our users.\n\n"
        "## Sensitive data\n\nNo data we collect is personally identifiable.\n\n"
        "Such information is not personally identifiable, although it can be collected.\n"
    )
    extraction = found(tmp_path, text)
    assert {"user.device.telemetry", "user.behavior.usage_log"} <= set(extraction.keys("category"))
    assert [f.value["label"] for f in extraction.of("purpose")] == [
        "This helps us to gauge feature usage across all our users."
    ]
    assert extraction.keys("negation") == ["personal information"]
    assert [f.evidence[0].text for f in extraction.of("negation")] == [
        "No data we collect is personally identifiable."
    ]
    assert extraction.keys("right") == ["withdraw_consent"]
