"""The rules: what a sentence states, and what it does not."""

from __future__ import annotations

from draft_kit import write

from policykeeper.draft.extract import extract
from policykeeper.draft.sources import read_source


def facts(tmp_path, text: str, name: str = "p.md"):
    return extract(read_source(write(tmp_path, name, text)).sentences)


def keys(extraction, kind: str) -> set[str]:
    return set(extraction.keys(kind))


def test_a_japanese_negation_is_a_promise_not_a_category(tmp_path) -> None:
    found = facts(
        tmp_path,
        "# 取得する情報\n\n当社は、氏名を取得します。\n\n当社は、マイナンバーを取得しません。\n",
    )
    assert "user.name" in keys(found, "category")
    assert "user.government_id.my_number" not in keys(found, "category")
    negation = next(f for f in found.of("negation") if f.key == "user.government_id.my_number")
    assert "取得しません" in negation.value["clause"]


def test_an_english_negation_in_a_clause_keeps_the_rest_collected(tmp_path) -> None:
    text = "# Information we collect\n\n- Credit card information (processed by Stripe; we do not store card numbers)\n"
    found = facts(tmp_path, text)
    assert "user.financial.credit_card" in keys(found, "category")
    assert "user.financial.credit_card" in keys(found, "negation")


def test_no_sharing_and_no_sale_are_negative_promises(tmp_path) -> None:
    text = (
        "# Sharing\n\nWe don't share information with third parties.\n\n"
        "当社は、お客様の個人データを販売することはありません。\n"
    )
    assert {"third_party_sharing", "sale"} <= keys(facts(tmp_path, text), "negation")


def test_provision_with_exceptions_is_not_a_negative_promise(tmp_path) -> None:
    text = (
        "# Provision to third parties\n\nWe will not provide personal information to third parties "
        "except in the following cases:\n\n- Cases based on laws and regulations\n"
        "- Cases where personal information is provided due to business succession by merger\n"
    )
    found = facts(tmp_path, text)
    assert "third_party_sharing" not in keys(found, "negation")
    assert {"law", "business_succession"} <= keys(found, "exception")


def test_an_instruction_to_the_reader_is_not_collection(tmp_path) -> None:
    text = "# Users\n\nYou should not:\n\n- Share your password with anyone\n"
    assert "user.authorization.password" not in keys(facts(tmp_path, text), "category")


def test_qualifiers_stay_with_their_value(tmp_path) -> None:
    text = (
        "# 開示等の請求\n\n当社は、原則として、請求を受けた日から2週間以内に回答します。\n\n"
        "# 本ポリシーの変更\n\n当社は、変更の14日前までに通知するよう努めます。\n"
    )
    found = facts(tmp_path, text)
    deadline = next(f for f in found.of("deadline") if f.key == "2 weeks")
    assert deadline.qualifiers == {"as_a_rule"}
    assert {"as_a_rule:deadline", "best_efforts:changes"} <= keys(found, "qualifier")
    assert "notice_days=14" in keys(found, "changes")


def test_vendors_from_the_catalogue(tmp_path) -> None:
    text = "# Service providers\n\n- Stripe, Inc.: payments\n- Amazon Web Services (AWS): hosting\n\nWe use Google Analytics and Hotjar.\n"
    found = facts(tmp_path, text)
    assert {"stripe", "aws", "google_analytics", "hotjar"} <= keys(found, "vendor")
    assert "entrustment:stripe, inc." in keys(found, "recipient")


def test_recipient_kinds(tmp_path) -> None:
    text = (
        "# 第三者提供\n\n当社は、決済処理を決済代行会社に委託します。\n\n"
        "当社は、次の項目を提携先と共同利用します。\n\n"
        "当社は、広告配信事業者に情報を提供することがあります。\n"
    )
    kinds = {key.split(":")[0] for key in keys(facts(tmp_path, text), "recipient")}
    assert {"entrustment", "joint_use", "third_party"} <= kinds


def test_retention_with_its_starting_point(tmp_path) -> None:
    text = (
        "# 保存期間\n\n- 会員情報：退会後30日間\n- アクセスログ：取得から12か月\n- 取引記録：法令に基づき7年間\n"
        "- Viewing history: while the account is active\n"
    )
    assert {
        "30 days|account_deletion",
        "12 months|collection",
        "7 years|statutory",
        "|account_active",
    } <= keys(facts(tmp_path, text), "retention")


def test_rights_fees_verification_deadlines(tmp_path) -> None:
    text = (
        "# Your rights\n\nYou may request disclosure of your personal information, correction, "
        "addition or deletion, and suspension of use.\n\n"
        "To verify your identity, please send a copy of your driver's license by post.\n\n"
        "A fee of 1,000 yen per case is charged for disclosure.\n\nWe respond without delay.\n"
    )
    found = facts(tmp_path, text)
    assert {"access", "rectification", "restriction"} <= keys(found, "right")
    assert {"id_document", "postal_application"} <= keys(found, "verification")
    assert "1000 JPY" in keys(found, "fee")
    assert "without_delay" in keys(found, "deadline")


def test_operator_address_representative_contacts(tmp_path) -> None:
    text = (
        "株式会社サンプル（以下「当社」といいます。）は、本ポリシーを定めます。\n\n# お問い合わせ窓口\n\n"
        "住所：〒100-0001 東京都千代田区千代田1-1\n\n代表者：山田太郎\n\nメール：privacy@example.co.jp\n\n"
        "電話：03-1234-5678（受付時間 平日10:00〜18:00）\n\n苦情のお申出は上記窓口までお問い合わせください。\n"
    )
    found = facts(tmp_path, text)
    assert "株式会社サンプル" in keys(found, "operator")
    assert "100-0001" in keys(found, "address")
    assert "山田太郎" in keys(found, "representative")
    assert {"email:privacy@example.co.jp", "phone:0312345678"} <= keys(found, "contact")
    assert "10:00-18:00" in keys(found, "hours")
    assert "complaints" in keys(found, "complaints")


def test_minors_changes_dates(tmp_path) -> None:
    text = (
        "# Children\n\nThe Service is for users aged 18 and older. If we become aware that we have "
        "collected data from a child, we will delete it.\n\n# Changes\n\nThis Policy may be changed "
        "without notice. The revised Policy takes effect when it is posted on this website.\n\n"
        "Effective October 17, 2018\n\nRevised July 01, 2020\n"
    )
    found = facts(tmp_path, text)
    assert {"minimum_age=18", "on_discovery=delete"} <= keys(found, "minors")
    assert {"without_notice", "on_posting"} <= keys(found, "changes")
    assert {"effective=2018-10-17", "revised=2020-07-01"} <= keys(found, "date")


def test_nothing_is_found_where_nothing_is_said(tmp_path) -> None:
    found = facts(tmp_path, "# About\n\nWe make software for schools.\n")
    assert not [f for f in found.facts if f.kind not in {"note"}]


def test_or_and_and_as_the_text_joins_the_items(tmp_path) -> None:
    text = (
        "# Your rights\n\nFor identity verification, we will confirm your registered email address "
        "or verify your account information.\n\n"
        "You may send an application form by postal service together with a copy of your passport.\n\n"
        "# Changes\n\nWe will endeavor to notify you via announcement on the Service and "
        "notification to registered email addresses.\n"
    )
    found = facts(tmp_path, text)
    assert {"verification=or", "verification=and", "changes_channels=and"} <= keys(found, "join")
    assert {"announcement on the service", "notification to registered email addresses"} <= keys(
        found, "notice_channel"
    )


def test_a_list_that_says_neither_or_nor_and_has_no_join(tmp_path) -> None:
    text = "# Your rights\n\nWe check your registered email address. We may ask for a passport.\n"
    assert keys(facts(tmp_path, text), "join") == set()


def test_japanese_alternatives_for_change_notices(tmp_path) -> None:
    text = (
        "# プライバシーポリシーへの変更\n\n重要な変更を行う場合は、関連するサイトに通知を掲載するか、"
        "メールなどの他の方法を使用して直接連絡することでお知らせします。\n"
    )
    found = facts(tmp_path, text)
    assert keys(found, "notice_channel") == {"関連するサイト", "メール"}
    assert "changes_channels=or" in keys(found, "join")


def test_a_longer_time_for_some_requests_keeps_its_unit_and_condition(tmp_path) -> None:
    text = (
        "# 開示等の請求\n\n当社は、請求を受けた日から1ヶ月以内に回答します。"
        "複雑なリクエストや多数のリクエストが寄せられた場合、60日以内の回答とさせていただくこともあります。\n"
    )
    found = {f.key: f for f in facts(tmp_path, text).of("deadline")}
    assert "extension" not in found["1 month"].value
    assert found["60 days"].value["extension"] == "extended_to"
    assert found["60 days"].value["when"] == "複雑なリクエストや多数のリクエストが寄せられた場合"


def test_the_operator_names_itself_as_the_text_defines(tmp_path) -> None:
    text = (
        "一般社団法人サンプル協会（以下「当法人」といいます。）は、個人情報を適切に取り扱います。\n"
    )
    assert keys(facts(tmp_path, text), "self_reference") == {"当法人"}
