"""Rules of the seventh quality round's fourth batch (a long English privacy policy of an
open-source service, in the US and GDPR form, with named processors, kinds of recipients listed
under headings, disclosure exceptions and account-bound retention), each general, each against a
development miss or wrong value, each with a negative control.

Every text here is written for the test, in forms privacy policies commonly use; none is taken
from the held-out policies.
"""

from __future__ import annotations

from draft_kit import found, keys, write

from policykeeper.draft import dates, draft_policy, write_draft
from policykeeper.policy.loading import load_policy

# --- refusal grounds -------------------------------------------------------------------------


def test_a_caveat_inside_a_rights_lead_does_not_make_each_listed_right_a_refusal(
    tmp_path,
) -> None:
    text = (
        "# Privacy\n\n## Your Rights\n\n"
        "You have certain rights with respect to your data. Please note that in some "
        "circumstances, we may not be able to fully comply with your request, such as if it is "
        "frivolous. In some cases, we may need additional information to verify your identity.\n\n"
        "- **Access**: You can request a copy of your personal data.\n"
        "- **Erasure**: You can request that we erase your personal data.\n"
    )
    refusals = keys(tmp_path, text, "refusal")
    assert not [r for r in refusals if "copy of your personal data" in r or "erase" in r]
    assert {"access", "erasure"} <= keys(tmp_path, text, "right")
    # negative control: a lead whose announcing sentence refuses makes its items the grounds
    control = (
        "# Privacy\n\n## Your Rights\n\n"
        "When you ask us to disclose your data, we will do so without delay. However, if the "
        "request falls under any of the following, all or part of it may not be disclosed. A fee "
        "of 10 euros is charged.\n\n"
        "1. Cases where disclosure would harm the rights of a third party.\n"
        "2. Cases that would violate laws and regulations.\n"
    )
    grounds = keys(tmp_path, control, "refusal")
    assert any("harm the rights of a third party" in g for g in grounds)
    assert any("violate laws and regulations" in g for g in grounds)


# --- retention -------------------------------------------------------------------------------


def test_an_open_account_and_the_law_are_open_ended_retention_clocks(tmp_path) -> None:
    text = (
        "# Privacy\n\n## Data Retention\n\n"
        "We retain personal data about you for as long as you have an open account with us. "
        "In some cases we retain personal data for longer, if doing so is necessary to comply "
        "with our legal obligations or resolve disputes.\n"
    )
    retention = keys(tmp_path, text, "retention")
    assert {"|account_active", "|statutory"} <= retention
    # negative controls: the law as the exception to a deletion keeps nothing for it, and a
    # period the reader keeps an account open is no retention clock of the operator's
    control = (
        "# Privacy\n\n## Data Retention\n\n"
        "We delete your data when you close your account, unless we are required by law to "
        "keep it.\n\n## Accounts\n\nYou may keep your account open for as long as you wish.\n"
    )
    retention = keys(tmp_path, control, "retention")
    assert "|statutory" not in retention
    assert "|account_active" not in retention
    # and the law as an alternative to another open-ended clock is part of that one rule
    one_rule = (
        "# Privacy\n\n## Data Retention\n\n"
        "We keep your information only for as long as we need it to provide you services or as "
        "required by law.\n"
    )
    assert keys(tmp_path, one_rule, "retention") == {"|while_needed"}


def test_retention_as_long_as_the_law_requires_is_traced_not_written_without_a_period(
    tmp_path,
) -> None:
    text = (
        "# Privacy\n\n## Data Retention\n\n"
        "We retain your email address for as long as you have an open account with us. We retain "
        "your email address for longer where doing so is necessary to comply with our legal "
        "obligations.\n"
    )
    draft = draft_policy([write(tmp_path, "p.md", text)])
    folder = tmp_path / "out"
    folder.mkdir()
    write_draft(str(folder), draft)
    policy = load_policy(str(folder))  # a statutory rule without a period would not load
    assert [r.clock.value for r in policy.retention] == ["account_active"]
    assert any("as long as the law requires" in t.placeholder for t in draft.emitted.traces)
    # and the sidecar lists it as held by no field, so the round trip reports it as needing
    # model support rather than as lost
    assert [u.fact.key for u in draft.emitted.unsupported if u.fact.kind == "retention"] == [
        "|statutory"
    ]


# --- recipients ------------------------------------------------------------------------------


def test_kinds_of_recipients_listed_as_item_labels_under_a_sharing_heading(tmp_path) -> None:
    text = (
        "# Privacy\n\n## How We Share Your Personal Data\n\n"
        "We disclose your personal data to the parties listed in this section.\n\n"
        "- **Analytics Partners.** These parties provide analytics on web traffic.\n"
        "- **Business Partners.** These parties may include:\n"
        "    - Businesses that provide services you have integrated.\n"
        "- **Parties You Authorize, Access or Authenticate.** These parties could include:\n"
        "    - Other users. When you send a message, other users see it.\n"
    )
    recipients = keys(tmp_path, text, "recipient")
    assert {
        "third_party:analytics partners",
        "third_party:business partners",
        "third_party:parties you authorize, access or authenticate",
        "third_party:other users",
    } <= recipients
    # negative controls: the same labels outside a sharing section, and a label that is no kind
    # of recipient, name none
    control = (
        "# Privacy\n\n## Cookies We Use\n\n"
        "- **Essential Cookies.** These cookies let you log in.\n"
        "- **Analytics Partners.** These cookies are set by our analytics partners.\n"
        "\n## How We Share Your Personal Data\n\n"
        "- **Legal Requirements.** We may disclose data where the law requires it.\n"
    )
    recipients = keys(tmp_path, control, "recipient")
    assert not {r for r in recipients if r.endswith(("analytics partners", "legal requirements"))}


def test_a_data_tables_recipient_column_names_the_recipients_not_its_first_cells(
    tmp_path,
) -> None:
    text = (
        "# Privacy\n\n## Categories of Personal Data We Collect\n\n"
        "| Category of Personal Data | Examples | Categories of Third Parties With Whom We Share "
        "this Personal Data |\n"
        "| --- | --- | --- |\n"
        "| Device Data | - IP address<br>- Browser type | - Service Providers<br>- Analytics "
        "Partners |\n"
    )
    recipients = keys(tmp_path, text, "recipient")
    assert "entrustment:service providers" in recipients
    assert "third_party:analytics partners" in recipients
    assert not {r for r in recipients if r.endswith("device data")}
    # negative control: a table of recipients keeps its first column as the recipient
    control = (
        "# Privacy\n\n## Third Parties We Share Data With\n\n"
        "| Recipient | Purpose |\n| --- | --- |\n"
        "| Authorities | We share data with authorities when the law requires it |\n"
    )
    assert any(r.endswith(":authorities") for r in keys(tmp_path, control, "recipient"))


# --- exceptions ------------------------------------------------------------------------------


def test_sharing_to_meet_legal_requirements_and_enforce_terms_are_disclosure_grounds(
    tmp_path,
) -> None:
    text = (
        "# Privacy\n\n## Sharing\n\n"
        "We may share personal data with third parties when necessary for meeting legal "
        "requirements and enforcing our legal terms.\n"
    )
    assert {"law", "protect_rights"} <= keys(tmp_path, text, "exception")
    # negative control: the same words without any disclosure are no ground for one
    control = (
        "# Privacy\n\n## Sharing\n\n"
        "We process personal data for meeting legal requirements and enforcing our legal terms.\n"
    )
    assert not {"law", "protect_rights"} & keys(tmp_path, control, "exception")


# --- categories ------------------------------------------------------------------------------


def test_a_data_tables_rows_list_the_data_in_every_example(tmp_path) -> None:
    text = (
        "# Privacy\n\n## Categories of Personal Data We Collect\n\n"
        "| Category of Personal Data | Examples of Personal Data We Collect | Categories of Third "
        "Parties With Whom We Share this Personal Data |\n"
        "| --- | --- | --- |\n"
        "| Profile Data | - Display name<br>- Email address<br>- Phone number | - Service "
        "Providers |\n"
        "| Social Network Data | - User name | - Service Providers |\n"
        "| Web Analytics | - Web page interactions<br>- Referring webpage/source | - Analytics "
        "Partners |\n"
    )
    assert {
        "user.name.display",
        "user.contact.email",
        "user.contact.phone_number",
        "user.account.username",
        "user.behavior.usage_log",
        "user.behavior.browsing_history",
    } <= keys(tmp_path, text, "category")
    # negative control: the rows of a table that is not about data (its first column names
    # features) only mention data
    control = (
        "# Privacy\n\n## Features\n\n"
        "| Feature | Description |\n| --- | --- |\n"
        "| Help forum | A place to talk about email address changes, phone number formats and other "
        "account questions with the community |\n"
    )
    found_categories = keys(tmp_path, control, "category")
    assert not {"user.contact.email", "user.contact.phone_number"} & found_categories


# --- negations -------------------------------------------------------------------------------


def test_a_denial_limited_to_a_purpose_or_a_form_of_sharing_denies_no_sharing(tmp_path) -> None:
    for limited in (
        "We do not disclose personal data to any third parties for the purpose of such "
        "parties' direct marketing.",
        "We may share aggregated data with third parties for our business purposes, provided "
        "that we will not share such data in a manner that could identify you.",
    ):
        text = f"# Privacy\n\n## Sharing\n\n{limited}\n"
        assert "third_party_sharing" not in keys(tmp_path, text, "negation"), limited
    # negative control: a denial of sharing without such a limit is one
    control = "# Privacy\n\n## Sharing\n\nWe do not disclose personal data to any third parties.\n"
    assert "third_party_sharing" in keys(tmp_path, control, "negation")


# --- minors, rights, fees, changes -----------------------------------------------------------


def test_an_age_in_words_with_its_digits_in_brackets_is_a_minimum_age(tmp_path) -> None:
    text = (
        "# Privacy\n\n## Children\n\n"
        "We do not knowingly collect personal information from children under thirteen (13) "
        "years of age.\n"
    )
    assert "minimum_age=13" in keys(tmp_path, text, "minors")
    assert dates.ages_in("if you are under the age of sixteen") == [16]
    # negative control: a number in words and brackets that is no age
    assert dates.ages_in("one of the thirteen (13) members of the board") == []


def test_an_objection_label_a_fee_not_charged_and_use_after_changes_as_agreement(
    tmp_path,
) -> None:
    text = (
        "# Privacy\n\n## Your Rights\n\n"
        "- **Objection**: You can contact us to let us know that you disagree with the further "
        "use of your personal data.\n\n"
        "We will not charge you a fee for making a valid request unless it is excessive.\n\n"
        "## Changes to this Policy\n\n"
        "If you use the Services after any changes to the Privacy Policy have come into effect, "
        "that means you agree to all of the changes.\n"
    )
    facts = found(tmp_path, text)
    assert "objection" in facts.keys("right")
    assert "free" in facts.keys("fee")
    assert "continued_use_is_acceptance" in facts.keys("changes")
    # negative controls: a fee charged, use of the service before changes, and objections to
    # another's request
    control = (
        "# Privacy\n\n## Your Rights\n\n"
        "Nothing in this policy limits any objections you may have to a third party's request. "
        "We will charge you a fee of 10 euros for each copy.\n\n"
        "## Changes to this Policy\n\n"
        "If you use the Services before any changes take effect, the current policy applies.\n"
    )
    facts = found(tmp_path, control)
    assert "objection" not in facts.keys("right")
    assert "free" not in facts.keys("fee")
    assert "continued_use_is_acceptance" not in facts.keys("changes")


# --- operator and address --------------------------------------------------------------------


def test_a_policy_opening_at_an_organisation_names_its_operator_and_a_us_address(
    tmp_path,
) -> None:
    text = (
        "# Privacy Policy\n\n"
        "At Example Labs, Inc. (“Example”), we take your privacy seriously.\n\n"
        "## Contact Information\n\n"
        "- privacy@example.com\n"
        "- Example Labs, Inc., 100 Market Street, San Francisco, CA 94105\n"
    )
    facts = found(tmp_path, text)
    assert "example labs, inc." in facts.keys("operator")
    assert any("100 market street" in a for a in facts.keys("address"))
    # negative controls: "At" a time or a place that is no organisation, and a state and ZIP
    # code inside a sentence about something else
    control = (
        "# Privacy Policy\n\n"
        "At Any Time During Your Visit, we may ask for feedback.\n\n"
        "## Contact Information\n\n"
        "Email us at privacy@example.com; our office in CA 94105 is closed to visitors.\n"
    )
    facts = found(tmp_path, control)
    assert not facts.keys("operator")
    assert not facts.keys("address")


def test_notice_of_changes_we_aim_to_give_is_a_best_efforts_promise(tmp_path) -> None:
    text = (
        "# Privacy\n\n## Changes to this Privacy Policy\n\n"
        "We will generally aim to provide such notice at least 14 days in advance of the new "
        "Privacy Policy taking effect.\n"
    )
    facts = found(tmp_path, text)
    assert "notice_days=14" in facts.keys("changes")
    assert "best_efforts:changes" in facts.keys("qualifier")
    # negative control: the policy's aim as a noun, and a promise without it, qualify nothing
    control = (
        "# Privacy\n\n## Changes to this Privacy Policy\n\n"
        "Our aim is to keep this policy clear. We will provide notice at least 14 days in "
        "advance of the new Privacy Policy taking effect.\n"
    )
    facts = found(tmp_path, control)
    assert "notice_days=14" in facts.keys("changes")
    assert "best_efforts:changes" not in facts.keys("qualifier")


# --- review of round 7d: misfires on ordinary sentences ------------------------------------


def test_an_announcing_sentence_that_only_introduces_reads_with_the_one_before(tmp_path) -> None:
    """'Such exceptions include:' announces the list, but the refusal is in the sentence before
    it; the items are still refusal grounds."""
    text = (
        "## Your rights\n\nYou may ask us to access or delete your data. We may refuse your "
        "request where an exception applies. Such exceptions include:\n\n"
        "- where disclosure would reveal another person's data;\n"
        "- where the request is manifestly unfounded.\n"
    )
    assert "where disclosure would reveal another person's data;" in keys(tmp_path, text, "refusal")
    caveat = (
        "## Your rights\n\nIn some circumstances, we may not be able to fully comply with your "
        "request. You have the following rights:\n\n- Access to your data.\n- Erasure of your data.\n"
    )
    refused = keys(tmp_path, caveat, "refusal")
    assert not refused & {"access to your data.", "erasure of your data."}


def test_kinds_of_recipients_listed_under_a_denial_are_no_recipients(tmp_path) -> None:
    denied = (
        "## How we share information\n\nWe do not share your personal information with:\n\n"
        "- Advertisers\n- Marketing partners\n"
    )
    assert keys(tmp_path, denied, "recipient") == set()
    assert (
        keys(
            tmp_path,
            denied.replace("share your personal information with", "sell your data to"),
            "recipient",
        )
        == set()
    )
    granted = (
        "## How we share information\n\nWe disclose your personal information to the parties "
        "listed in this section. We do not sell personal information.\n\n"
        "- Advertisers\n- Marketing partners\n"
    )
    assert keys(tmp_path, granted, "recipient") == {
        "third_party:advertisers",
        "third_party:marketing partners",
    }


def test_the_law_as_an_exception_to_storage_is_no_statutory_retention(tmp_path) -> None:
    text = (
        "## Retention\n\nWe store your data on servers in the United States, except where "
        "required by law.\n"
    )
    assert keys(tmp_path, text, "retention") == set()


def test_continued_use_said_not_to_be_acceptance_is_no_acceptance(tmp_path) -> None:
    text = (
        "## Changes\n\nIf you use the Services after any changes, that does not mean you agree "
        "to the new terms unless we obtain your consent.\n"
    )
    assert "continued_use_is_acceptance" not in keys(tmp_path, text, "changes")


def test_what_is_shared_with_a_kind_of_recipient_is_no_recipient_label(tmp_path) -> None:
    text = (
        "## How we share information\n\nWe may share information in the following ways:\n\n"
        "- Content shared with other users.\n- Analytics partners.\n"
    )
    assert keys(tmp_path, text, "recipient") == {"third_party:analytics partners"}


def test_a_data_table_row_marked_not_collected_lists_no_collected_data(tmp_path) -> None:
    """The California form: a table of categories with a "Collected" column saying YES or NO."""
    text = (
        "## Information we collect\n\n"
        "| Category | Examples | Collected |\n| --- | --- | --- |\n"
        "| Identifiers | Name, email address, IP address | YES |\n"
        "| Biometric information | Fingerprints, faceprints and voiceprints, retina scans | NO |\n"
    )
    extraction = found(tmp_path, text)
    assert "user.biometrics" not in extraction.keys("category")
    assert "user.biometrics" in extraction.keys("negation")
    assert {"user.name", "user.contact.email"} <= set(extraction.keys("category"))
