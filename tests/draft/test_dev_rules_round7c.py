"""Rules of the seventh quality round's third batch (an app's privacy policy, Japanese and
English, rich in denials, short retention periods and recipients named by their role), each
general, each against a development miss, each with a negative control.

Every text here is written for the test, in forms privacy policies commonly use; none is taken
from the held-out policies.
"""

from __future__ import annotations

from draft_kit import keys

from policykeeper.draft import dates

# --- negations -------------------------------------------------------------------------------


def test_a_denial_worded_with_the_means_first_denies_the_data_after_to_collect(tmp_path) -> None:
    text = (
        "# Privacy\n\n## What we do not collect\n\n"
        "We do not use the app to collect your name, email address or device location information.\n"
    )
    assert {"user.name", "user.contact.email", "user.location"} <= keys(tmp_path, text, "negation")
    assert not {"user.name", "user.contact.email"} & keys(tmp_path, text, "category")
    # negative control: a limit on use is no denial of the data used
    control = "# Privacy\n\n## Use\n\nWe do not use your email address to provide advertising.\n"
    assert "user.contact.email" not in keys(tmp_path, control, "negation")


def test_information_that_enables_a_person_to_be_identified_is_personal_information(
    tmp_path,
) -> None:
    en = (
        "# Privacy\n\n## Data\n\n"
        "We do not collect any information which enables a user to be personally identified.\n"
    )
    ja = "# プライバシー\n\n## 情報\n\n当社は、利用者を個人として識別可能な情報を取得しません。\n"
    assert "personal information" in keys(tmp_path, en, "negation")
    assert "personal information" in keys(tmp_path, ja, "negation")
    # negative control: receiving no such information is said of the reader, not a denial of
    # collection by the operator
    control = (
        "# プライバシー\n\n## 同意\n\n"
        "当社は、他の利用者が当該利用者を個人として識別可能な情報の提供を受けずに通知を受け取る"
        "ことについて、同意を取得します。\n"
    )
    assert "personal information" not in keys(tmp_path, control, "negation")


# --- rights ----------------------------------------------------------------------------------


def test_consent_that_can_be_retracted_or_withdrawn_is_the_right_to_withdraw_it(tmp_path) -> None:
    en = (
        "# Privacy\n\n## Consent\n\n"
        "Consent to the use of the app can be retracted at any time by deleting the app.\n"
    )
    ja = "# プライバシー\n\n## 同意\n\n本サービスの利用に関する同意は、いつでも撤回できます。\n"
    assert "withdraw_consent" in keys(tmp_path, en, "right")
    assert "withdraw_consent" in keys(tmp_path, ja, "right")
    # negative control: consent that is obtained is no right to withdraw it
    control = "# Privacy\n\n## Consent\n\nWe obtain your consent before sending a notification.\n"
    assert "withdraw_consent" not in keys(tmp_path, control, "right")


# --- retention -------------------------------------------------------------------------------


def test_a_period_before_keika_is_a_period() -> None:
    assert [str(p) for _, p in dates.periods_in("生成されてから14日が経過した後")] == ["14 days"]
    assert [str(p) for _, p in dates.periods_in("14日の経過後に")] == ["14 days"]
    # negative control: a date is no period
    assert dates.periods_in("2021年7月14日が施行日です") == []


def test_data_invalidated_after_a_period_is_kept_for_that_period(tmp_path) -> None:
    en = (
        "# Privacy\n\n## Keys\n\n"
        "The key is automatically invalidated 14 days after being generated on the device.\n"
    )
    ja = "# プライバシー\n\n## 鍵\n\n鍵は、端末において生成されてから14日が経過した後に自動的に無効となります。\n"
    assert "14 days|collection" in keys(tmp_path, en, "retention")
    assert "14 days|collection" in keys(tmp_path, ja, "retention")
    # negative control: a period searched back over is no retention
    control = (
        "# Privacy\n\n## Keys\n\nThe app searches the codes of the last 14 days on the device.\n"
    )
    assert not keys(tmp_path, control, "retention")


def test_data_deleted_immediately_once_a_check_is_complete_is_kept_while_needed(
    tmp_path,
) -> None:
    en = (
        "# Privacy\n\n## Numbers\n\n"
        "The number is deleted from our servers immediately upon completion of the check.\n"
    )
    ja = "# プライバシー\n\n## 番号\n\n番号は、確認が完了した後、サーバーにおいて直ちに削除されます。\n"
    assert "|while_needed" in keys(tmp_path, en, "retention")
    assert "|while_needed" in keys(tmp_path, ja, "retention")
    # negative control: a deletion the reader asks for is no retention period
    control = "# Privacy\n\n## Numbers\n\nYou can ask us to delete the number.\n"
    assert "|while_needed" not in keys(tmp_path, control, "retention")


# --- recipients ------------------------------------------------------------------------------


def test_handling_entrusted_to_others_names_the_entrustee_even_under_security(tmp_path) -> None:
    ja = (
        "# プライバシー\n\n## 安全管理\n\n"
        "当社は、適正な安全管理措置を講じます。システムの運用の一部を委託する場合には、当該委託先"
        "に対しても、適正な安全管理措置を講じさせます。\n"
    )
    en = (
        "# Privacy\n\n## Security\n\n"
        "In the event that the operation of the app is partially contracted to another "
        "organization, that organization shall be required to take appropriate measures.\n"
    )
    assert "entrustment:委託先" in keys(tmp_path, ja, "recipient")
    assert "entrustment:organization" in keys(tmp_path, en, "recipient")
    # negative control: a denial of outsourcing names no entrustee
    control = (
        "# Privacy\n\n## Security\n\n"
        "The operation of the app is not contracted to another organization.\n"
    )
    assert not keys(tmp_path, control, "recipient")


def test_data_provided_to_other_users_or_their_devices_names_them_as_recipients(
    tmp_path,
) -> None:
    ja = (
        "# プライバシー\n\n## 仕組み\n\n"
        "登録された鍵は、サーバーを経由して他のアプリ利用者の端末に自動的に提供されます。\n"
    )
    en = (
        "# Privacy\n\n## How it works\n\n"
        "The key is automatically provided to the device of another app user via the server.\n"
    )
    assert "third_party:他のアプリ利用者" in keys(tmp_path, ja, "recipient")
    assert "third_party:another app user" in keys(tmp_path, en, "recipient")
    # negative control: what is not provided to other users names no recipient
    control = (
        "# プライバシー\n\n## 仕組み\n\n接触に関する情報は、他のアプリ利用者に提供されません。\n"
    )
    assert not keys(tmp_path, control, "recipient")


# --- operator --------------------------------------------------------------------------------


def test_a_public_body_opening_the_policy_is_its_operator(tmp_path) -> None:
    ja = (
        "# アプリプライバシーポリシー\n\n"
        "国土交通省は、道路情報アプリ（以下「本アプリ」といいます。）の提供に関し、利用者のプライバシーの"
        "保護に配慮し、以下のポリシーにより、本アプリを提供します。\n\n## (1) 取得する情報\n\n本文。\n"
    )
    en = (
        "# App Privacy Policy\n\n"
        "The Ministry of Land, Infrastructure and Transport is committed to protecting users' "
        'privacy in the provision of the Road App ("the App").\n\n## (1) Information\n\nText.\n'
    )
    assert keys(tmp_path, ja, "operator") == {"国土交通省"}
    assert keys(tmp_path, en, "operator") == {"ministry of land, infrastructure and transport"}
    # negative control: a public body named later, in a section, is no operator
    control = (
        "# Privacy\n\n## Disclosure\n\n"
        "The Ministry of Justice is committed to reviewing requests made under the law.\n"
    )
    assert not keys(tmp_path, control, "operator")


# --- purposes --------------------------------------------------------------------------------


def test_a_negative_purpose_in_a_sentence_affirming_the_use_is_a_purpose(tmp_path) -> None:
    ja = (
        "# プライバシー\n\n## 利用目的\n\n"
        "1. 当社は、会員でない者が会員である旨の登録をすることを避けるために、確認番号を使用します。\n"
    )
    en = (
        "# Privacy\n\n## Purposes of use\n\n"
        "1. We use the confirmation number to ensure that a person who is not a member is not "
        "registered as one.\n"
    )
    assert any("避ける" in k for k in keys(tmp_path, ja, "purpose"))
    assert any("is not registered" in k for k in keys(tmp_path, en, "purpose"))
    # negative control: a denied use stays no purpose
    control = (
        "# Privacy\n\n## Purposes of use\n\n"
        "1. We do not use the confirmation number to send advertising.\n"
    )
    assert not keys(tmp_path, control, "purpose")


def test_a_heading_or_short_item_naming_the_data_used_under_it_is_no_purpose(tmp_path) -> None:
    ja = (
        "# プライバシー\n\n## (1) 取得する情報\n1. 取得する情報\n当社は、以下の情報を取得します。\n"
        "    1. 確認番号\n    1. 端末鍵\n\n## (2) 利用目的\n"
        "1. 確認番号\n    1. 当社は、不正な登録を防止するために、確認番号を使用します。\n"
        "1. 端末鍵\n    1. 当社は、利用者に通知するために、端末鍵を使用します。\n"
    )
    en = (
        "# Privacy\n\n## (1) Information collected\n1. Information collected\n"
        "We collect the following information.\n    1. Confirmation Number\n    1. Device Key\n\n"
        "## (2) Purposes of use\n"
        "1. Confirmation Number\n    1. We use the Confirmation Number to prevent false "
        "registrations.\n"
        "1. Device Key\n    1. We use the Device Key to notify other users.\n"
    )
    ja_purposes = keys(tmp_path, ja, "purpose")
    en_purposes = keys(tmp_path, en, "purpose")
    assert not {p for p in ja_purposes if p.endswith(("確認番号", "端末鍵"))}
    assert not {p for p in en_purposes if p.endswith(("confirmation number", "device key"))}
    assert len(ja_purposes) == 2 and len(en_purposes) == 2
    # negative control: a heading that is a purpose, over sentences using other data, stays one
    control = (
        "# Privacy\n\n## Purposes of use\n\n### Improve Performance\n\n"
        "We use crash reports to find bugs.\n"
    )
    assert any("improve performance" in p for p in keys(tmp_path, control, "purpose"))


def test_consent_to_be_obtained_first_is_no_purpose(tmp_path) -> None:
    en = (
        "# Privacy\n\n## Purposes of use\n\n"
        "1. Before a user's key is shared, we will, in advance and through the app, obtain "
        "explicit consent to the key being provided to other users.\n"
    )
    ja = (
        "# プライバシー\n\n## 利用目的\n\n"
        "1. 当社は、鍵を共有する前に、本アプリ上で改めて明示的な同意を取得します。\n"
    )
    assert not keys(tmp_path, en, "purpose")
    assert not keys(tmp_path, ja, "purpose")
    # negative control: a purpose that mentions consent stays one
    control = (
        "# Privacy\n\n## Purposes of use\n\n"
        "1. We use your email address to send newsletters you have consented to.\n"
    )
    assert keys(tmp_path, control, "purpose")


# --- exceptions ------------------------------------------------------------------------------


def test_laws_complied_with_in_providing_the_service_are_no_ground_for_disclosure(
    tmp_path,
) -> None:
    text = (
        "# アプリプライバシーポリシー\n\n"
        "当社は、地図アプリ（以下「本アプリ」といいます。）の提供に関し、適用ある法令を遵守する"
        "とともに、利用者のプライバシーの保護に配慮し、本アプリを提供します。\n"
    )
    assert "law" not in keys(tmp_path, text, "exception")
    # negative control: data provided to others under the law is a ground
    control = (
        "# アプリプライバシーポリシー\n\n"
        "当社は、適用ある法令を遵守するため、個人情報を捜査機関に提供することがあります。\n"
    )
    assert "law" in keys(tmp_path, control, "exception")


# --- categories ------------------------------------------------------------------------------


def test_denied_data_named_only_as_where_something_is_sent_is_not_collected(tmp_path) -> None:
    ja = (
        "# プライバシー\n\n## 仕組み\n\n"
        "1. 利用者は、窓口に別途登録した自らの携帯電話番号又はメールアドレスに通知された番号を"
        "本アプリに入力し、登録します。\n\n## 取得しない情報\n\n"
        "1. 当社は、本アプリを用いて、電話番号、メールアドレスを取得しません。\n"
    )
    en = (
        "# Privacy\n\n## How it works\n\n"
        "1. The user inputs to the app a number sent to the user's mobile telephone number or "
        "email address, which has been registered separately with the office.\n\n"
        "## Information not collected\n\n"
        "1. We do not use the app to collect your telephone number or email address.\n"
    )
    for text in (ja, en):
        assert not {"user.contact.email", "user.contact.phone_number"} & keys(
            tmp_path, text, "category"
        )
        assert {"user.contact.email", "user.contact.phone_number"} <= keys(
            tmp_path, text, "negation"
        )
    # negative control: without the denial, data registered with the service stays collected
    control = (
        "# プライバシー\n\n## 取得する情報\n\n"
        "1. 利用者は、本サービスに登録した自らのメールアドレスに通知された番号を入力し、登録します。\n"
    )
    assert "user.contact.email" in keys(tmp_path, control, "category")


def test_an_identifier_unique_to_the_device_defined_in_brackets_is_a_device_id(tmp_path) -> None:
    text = (
        "# Privacy\n\n## How it works\n\n"
        "1. On the user's device, a Daily Key (an identifier which, on the device, is unique to "
        "that device and which is changed every 24 hours; the same applies hereinafter) is "
        "automatically generated and recorded.\n"
    )
    assert "user.device.device_id" in keys(tmp_path, text, "category")
    # negative control: an identifier unique to an order is no device id
    control = (
        "# Privacy\n\n## How it works\n\n"
        "1. An order number (an identifier which is unique to that order; the same applies "
        "hereinafter) is recorded.\n"
    )
    assert "user.device.device_id" not in keys(tmp_path, control, "category")


def test_withdrawing_consent_as_a_noun_phrase_is_the_right_to_withdraw_it(tmp_path) -> None:
    # the rendered policy lists the right as "Withdrawing consent" / 「同意の撤回」: read back, it
    # is the same right (the round trip no longer loses it)
    en = "# Privacy\n\n## Your rights\n\n- Erasure\n- Withdrawing consent\n"
    ja = "# プライバシー\n\n## 利用者の権利\n\n- 削除\n- 同意の撤回\n"
    assert "withdraw_consent" in keys(tmp_path, en, "right")
    assert "withdraw_consent" in keys(tmp_path, ja, "right")
    # negative control: the other item stays erasure only
    control = "# Privacy\n\n## Your rights\n\n- Erasure\n"
    assert keys(tmp_path, control, "right") == {"erasure"}


# --- review of round 7c: sentences the rules had misread ----------------------------------------


def test_what_is_provided_to_other_users_is_a_recipient_only_where_it_is_data(tmp_path) -> None:
    for text in (
        "# Privacy\n\n## Pricing\n\n"
        "Prices shown to you may differ from the discounts that are provided to other users.\n",
        "# プライバシー\n\n## サービス\n\n同様のサービスが他の利用者にも提供されます。\n",
    ):
        assert not keys(tmp_path, text, "recipient"), text
    # positive control: data provided to other users still names them
    text = (
        "# Privacy\n\n## Sharing\n\n"
        "Your profile information is automatically provided to other users of the app.\n"
    )
    assert keys(tmp_path, text, "recipient")


def test_something_expiring_is_a_retention_period_only_where_it_is_data(tmp_path) -> None:
    for text in (
        "# Privacy\n\n## Data\n\n"
        "We collect your email address. Your subscription expires after 12 months unless you "
        "renew it.\n",
        "# プライバシー\n\n## 会員\n\n会員資格は、有効期限から30日が経過した後に自動的に無効となります。\n",
    ):
        assert not keys(tmp_path, text, "retention"), text
    # positive control: data that expires keeps its period
    text = "# Privacy\n\n## Data\n\nThe log data is automatically invalidated 14 days after collection.\n"
    assert keys(tmp_path, text, "retention")


def test_a_public_body_named_later_or_a_possessive_office_is_no_operator(tmp_path) -> None:
    for text in (
        '# Privacy Policy\n\nAcme Inc. ("we") operates the Acme app. Microsoft Office provides '
        "features that let you share documents with others.\n",
        '# Privacy Policy\n\nAcme Inc. ("we") operates the Acme app. The European Commission is '
        "responsible for deciding whether a country offers adequate protection.\n",
        "# Privacy Policy\n\nOur Customer Support Office provides help with your account.\n",
    ):
        assert not {"microsoft office", "european commission", "our customer support office"} & (
            keys(tmp_path, text, "operator")
        ), text


def test_consent_obtained_for_an_affirmed_use_keeps_the_purpose(tmp_path) -> None:
    en = (
        "# Privacy\n\n## How we use your information\n\n"
        "We use your email address to send you newsletters, and we will obtain your consent "
        "before doing so.\n"
    )
    ja = (
        "# プライバシー\n\n## 利用目的\n\n"
        "当社は、位置情報を近隣店舗の表示のために利用し、その際は事前に同意を取得します。\n"
    )
    assert keys(tmp_path, en, "purpose")
    assert keys(tmp_path, ja, "purpose")
    # negative control: consent to be obtained, with no use of its own, stays no purpose
    control = (
        "# Privacy\n\n## Purposes\n\n"
        "Where you wish to register, we will, in advance, obtain explicit consent to the key being "
        "provided to other users.\n"
    )
    assert not keys(tmp_path, control, "purpose")


def test_data_denied_only_for_sale_and_named_as_a_destination_is_collected(tmp_path) -> None:
    text = (
        "# Privacy\n\n## Data\n\n"
        "We do not sell your email address. Newsletters are sent to your email address.\n"
    )
    assert "user.contact.email" in keys(tmp_path, text, "category")
    # negative control: denied collection, named only as a destination, stays uncollected
    control = (
        "# Privacy\n\n## Data\n\n"
        "We do not collect your email address. Your reply is sent to the email address you used.\n"
    )
    assert "user.contact.email" not in keys(tmp_path, control, "category")


def test_identifiable_information_denied_only_for_sharing_denies_no_collection(tmp_path) -> None:
    text = (
        "# Privacy\n\n## Data\n\n"
        "We collect your name and email address, and we do not share information which allows "
        "you to be personally identified.\n"
    )
    assert "personal information" not in keys(tmp_path, text, "negation")
    # negative control: the denied collection stays a denial, also after a list
    control = (
        "# Privacy\n\n## Data\n\n"
        "We do not use the app to collect your name, address or any other information which "
        "enables you to be personally identified.\n"
    )
    assert "personal information" in keys(tmp_path, control, "negation")


def test_deletion_on_completion_does_not_give_another_datum_s_period_its_clock(tmp_path) -> None:
    for text in (
        "# Privacy\n\n## Retention\n\nPayment data is deleted immediately upon completion of the "
        "transaction, and order records are kept for 7 years.\n",
        "# プライバシー\n\n## 保存期間\n\n"
        "注文履歴は7年間保存し、決済情報は決済処理が完了した後、直ちに削除します。\n",
    ):
        assert keys(tmp_path, text, "retention") == {"7 years|collection"}, text
    # negative control: alone, deletion on completion is still kept while needed
    text = (
        "# Privacy\n\n## Retention\n\n"
        "Payment data is deleted immediately upon completion of the transaction.\n"
    )
    assert keys(tmp_path, text, "retention") == {"|while_needed"}
