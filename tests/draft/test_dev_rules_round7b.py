"""Rules of the seventh quality round's second batch (three Japanese APPI-style policies), each
general, each against a development miss.

Every text here is written for the test, in the forms Japanese APPI-style policies commonly use
(statutory exceptions numbered i., ii., iii., lists of purposes announced by a lead sentence);
none is taken from the held-out policies.
"""

from __future__ import annotations

from draft_kit import found, write

from policykeeper.draft.extract import extract
from policykeeper.draft.sources import read_source

_NUMBERED_EXCEPTIONS = (
    "## 第三者への提供\n\n"
    "1. 当社は、次に掲げる場合を除いて、あらかじめ本人の同意を得ることなく、第三者に個人データを"
    "提供しません。\n"
    "   i. 法令に基づく場合\n"
    "   ii. 人の生命、身体又は財産の保護のために必要がある場合であって、本人の同意を得ることが"
    "困難であるとき\n"
    "   iii. 公衆衛生の向上又は児童の健全な育成の推進のために特に必要がある場合であって、本人の"
    "同意を得ることが困難であるとき\n"
    "   iv. 国の機関若しくは地方公共団体又はその委託を受けた者が法令の定める事務を遂行する"
    "ことに対して協力する必要がある場合\n"
)


def test_roman_numbered_sub_items_under_a_clause_with_statutory_exceptions(tmp_path) -> None:
    # sub-items numbered "i.", "ii.", "iii.", "iv." are list items (not wrapped text), and the
    # clause 「次に掲げる場合を除いて」 above them is their lead
    sentences = read_source(write(tmp_path, "p.md", _NUMBERED_EXCEPTIONS)).sentences
    items = [s for s in sentences if s.kind == "item"][1:]
    assert [s.text[:6] for s in items] == [
        "法令に基づく",
        "人の生命、身",
        "公衆衛生の向",
        "国の機関若し",
    ]
    assert all("次に掲げる場合を除いて" in s.lead for s in items)
    extraction = extract(sentences)
    assert sorted(extraction.keys("exception")) == [
        "law",
        "life_body_property",
        "public_health_children",
        "state_cooperation",
    ]


def test_a_roman_numeral_needs_a_space_and_a_words_first_letter_is_no_marker(tmp_path) -> None:
    # "vi.x" or "ivy. …" are not markers; a line of prose is text
    sentences = read_source(
        write(tmp_path, "p.md", "## About\n\nivy. leaves grow here.\n\nvi.x is a version.\n")
    ).sentences
    assert [s.kind for s in sentences[1:]] == ["text", "text"]


def test_items_under_a_lead_announcing_the_purposes_are_purposes(tmp_path) -> None:
    for lead in (
        "当社は、取得した個人情報を、以下のような目的の範囲内で利用します。",
        "当社が個人情報を利用する目的は、以下のとおりです。",
    ):
        extraction = found(
            tmp_path,
            f"## 個人情報の取扱い\n\n{lead}\n\n"
            "1. 当社のサービスに関する会員登録の受付、本人確認及び利用料金の請求のため\n"
            "2. 当社のサービスの新機能、イベント及びキャンペーンに関するお知らせの送付のため\n",
        )
        assert len(extraction.keys("purpose")) == 2, lead


def test_items_under_a_lead_about_other_uses_than_the_purposes_are_no_purposes(tmp_path) -> None:
    # 「上記の目的以外に…利用し、または開示することがあります」 announces exceptions, not purposes
    extraction = found(
        tmp_path,
        "## 個人情報の取扱い\n\n"
        "次のいずれかの場合には上記の目的以外に個人情報を利用し、または開示することがあります。\n\n"
        "1. 本人の同意があるとき\n"
        "2. 裁判所から開示を命じられたとき\n",
    )
    assert extraction.keys("purpose") == []


def test_a_japanese_request_may_be_an_irai_or_a_moushide(tmp_path) -> None:
    # 「…の開示、訂正、利用停止又は第三者提供記録の開示の依頼があった場合」「訂正等の申し出があったとき」
    extraction = found(
        tmp_path,
        "## 個人情報の開示、訂正等\n\n"
        "当社は、本人から個人情報の開示、訂正、利用停止又は第三者提供記録の開示の依頼があった場合には、"
        "本人であることを確認した上で対応します。\n\n"
        "また、個人情報の訂正等の申し出があったときは、遅滞なく訂正等を行います。\n",
    )
    assert sorted(extraction.keys("right")) == [
        "access",
        "rectification",
        "restriction",
        "third_party_records",
    ]


def test_a_rights_section_sentence_with_no_request_names_no_right(tmp_path) -> None:
    extraction = found(
        tmp_path,
        "## 個人情報の開示、訂正等\n\n"
        "当社は、個人情報の開示及び訂正の手続について社内規程を整備しています。\n",
    )
    assert extraction.keys("right") == []


def test_a_labelled_right_to_access_and_access_permissions(tmp_path) -> None:
    # 「アクセス権: …」 labels the right of access; 「アクセス権限」 is a security measure
    extraction = found(
        tmp_path,
        "## ユーザーの権利\n\nユーザーは、以下の権利を有します。\n\n"
        "- アクセス権: 自身の個人情報の開示を請求できます\n",
    )
    assert extraction.keys("right") == ["access"]
    extraction = found(
        tmp_path,
        "## ユーザーの権利\n\nユーザーは、以下の権利を有します。\n\n"
        "- アクセス権限の管理: 担当者のみに付与します\n",
    )
    assert extraction.keys("right") == []


def test_japanese_changes_without_notice_and_in_effect_when_posted(tmp_path) -> None:
    extraction = found(
        tmp_path,
        "## 本ポリシーの変更\n\n"
        "当社は、予告無く本ポリシーを改定することがあります。"
        "本ポリシーの変更は、当社ウェブサイトへの掲載によって効力を生じるものとします。\n",
    )
    assert sorted(extraction.keys("changes")) == ["on_posting", "without_notice"]
    extraction = found(
        tmp_path,
        "## 本ポリシーの変更\n\n"
        "本ポリシーを改定したときは、当社のウェブサイトに遅滞なく掲載いたします。\n",
    )
    assert extraction.keys("changes") == ["on_posting"]


def test_japanese_changes_announced_beforehand_take_effect_later(tmp_path) -> None:
    extraction = found(
        tmp_path,
        "## 本ポリシーの変更\n\n"
        "当社は、予告の上で本ポリシーを改定します。"
        "変更後の本ポリシーは、電子メールでの通知から30日後に効力を生じます。\n",
    )
    assert "on_posting" not in extraction.keys("changes")
    assert "without_notice" not in extraction.keys("changes")


def test_short_numbered_cases_after_a_sentence_announcing_them_are_items(tmp_path) -> None:
    # 「次のいずれかの場合には…開示提供することがあります。」 then 「1. 法令の規定に基づくとき」: items
    # (not numbered headings), each a ground; 「人の生命・身体・財産」 is written with 「・」 too
    extraction = found(
        tmp_path,
        "## 個人情報の利用\n\n"
        "次のいずれかの場合には、上記の目的以外に個人情報を利用し、または開示提供することがあります。\n\n"
        "1. 法令の規定に基づくとき\n"
        "2. 人の生命・身体・財産の保護に必要なとき\n"
        "3. 業務の全部又は一部を委託する場合\n",
    )
    assert [s.kind for s in extraction.sentences[2:]] == ["item", "item", "item"]
    assert sorted(extraction.keys("exception")) == ["entrustment", "law", "life_body_property"]


def test_short_numbered_lines_after_an_ordinary_sentence_stay_headings(tmp_path) -> None:
    sentences = read_source(
        write(
            tmp_path,
            "p.md",
            "# プライバシーポリシー\n\n当社は、以下のとおりプライバシーポリシーを定めます。\n\n"
            "1. 取得する情報\n\n当社は、氏名及びメールアドレスを取得します。\n",
        )
    ).sentences
    assert [s.kind for s in sentences] == ["heading", "text", "heading", "text"]


def test_a_definition_of_the_self_reference_names_the_operator(tmp_path) -> None:
    extraction = found(
        tmp_path,
        "## 定義\n\n"
        "1. 「本法人」とは、一般社団法人サンプル協議会を指します。\n"
        "2. 「本サービス」とは、本法人が運営するウェブサイトを指します。\n"
        "3. 「個人情報」とは、生存する個人に関する情報をいいます。\n",
    )
    assert extraction.keys("operator") == ["一般社団法人サンプル協議会"]
    assert extraction.keys("self_reference") == ["本法人"]


def test_a_labelled_organisation_name_is_the_operator_but_a_bare_name_label_is_not(
    tmp_path,
) -> None:
    extraction = found(
        tmp_path,
        "## お問い合わせ\n\n- 組織名: サンプル市民ネットワーク\n- メール: info@example.org\n",
    )
    assert extraction.keys("operator") == ["サンプル市民ネットワーク"]
    extraction = found(
        tmp_path,
        "## 利用する外部サービス\n\n- 名称: Example Analytics\n- 提供者: Example Inc.\n",
    )
    assert extraction.keys("operator") == []


def test_markdown_japanese_wrapped_at_a_space_beside_a_half_width_word_goes_on(tmp_path) -> None:
    # a formatter wraps 「…であり、18 歳未満の方…」 and 「データは Supabase に保管されます。」 at a space
    sentences = read_source(
        write(
            tmp_path,
            "p.md",
            "## 未成年者の利用\n\n本サービスは、事業者向けのサービスであり、16\n"
            "歳未満の方による利用を想定していません。\n\n## 保管場所\n\nデータは Example\n"
            "に保管されます。\n",
        )
    ).sentences
    assert [s.text for s in sentences if s.kind != "heading"] == [
        "本サービスは、事業者向けのサービスであり、16歳未満の方による利用を想定していません。",
        "データは Exampleに保管されます。",
    ]
    assert extract(sentences).keys("minors") == ["minimum_age=16"]


def test_a_japanese_title_line_and_a_finished_sentence_do_not_run_on(tmp_path) -> None:
    sentences = read_source(
        write(
            tmp_path,
            "p.md",
            "個人情報の取扱いについて\n本ポリシーは当社の方針を定めます。\n"
            "Example サービスをご利用ください。\n",
        )
    ).sentences
    assert [s.text for s in sentences] == [
        "個人情報の取扱いについて",
        "本ポリシーは当社の方針を定めます。",
        "Example サービスをご利用ください。",
    ]


def test_a_right_with_a_bracketed_exception_states_a_ground_for_refusal(tmp_path) -> None:
    extraction = found(
        tmp_path,
        "## ユーザーの権利\n\nユーザーは、以下の権利を有します。\n\n"
        "- 削除権: 個人情報の削除を請求できます（法令上の保存義務がある場合を除く）\n"
        "- 訂正権: 誤った情報の訂正を請求できます\n",
    )
    assert extraction.keys("refusal") == ["法令上の保存義務がある場合"]
    # a bracket that excepts nothing from a request is no ground
    extraction = found(
        tmp_path,
        "## ユーザーの権利\n\n- 削除権: 個人情報の削除を請求できます（退会した場合を含む）\n",
    )
    assert extraction.keys("refusal") == []


def test_a_statutory_retention_obligation_is_the_statutory_clock(tmp_path) -> None:
    extraction = found(
        tmp_path,
        "## 保管期間\n\n収支データは、保存義務期間（5 年間）を考慮し、5 年間保管します。\n",
    )
    assert extraction.keys("retention") == ["5 years|statutory"]
    extraction = found(tmp_path, "## 保管期間\n\nアクセスログは 5 年間保管します。\n")
    assert extraction.keys("retention") == ["5 years|collection"]


def test_entrustees_named_in_an_exception_abroad_and_publication_are_recipients(tmp_path) -> None:
    extraction = found(
        tmp_path,
        "## 第三者提供\n\n当社は、以下の場合を除き、個人情報を第三者に提供しません。\n\n"
        "- 法令に基づく場合\n- サービス運営に必要な業務委託先への提供\n\n"
        "## 外国にある第三者への提供\n\n"
        "当社は、個人情報を、以下の外国（本邦の域外にある国又は地域）にある第三者に提供することができます。\n\n"
        "## 情報の公開\n\n"
        "登録された活動記録は、可視化サイト「サンプルビュー」に公開される場合があります。\n",
    )
    assert sorted(extraction.keys("recipient")) == [
        "entrustment:業務委託先",
        "third_party:サンプルビュー",
        "third_party:外国にある第三者",
    ]


def test_no_recipient_when_nothing_goes_abroad_or_is_published(tmp_path) -> None:
    extraction = found(
        tmp_path,
        "## 外国にある第三者への提供\n\n当社は、個人情報を外国にある第三者に提供することはありません。\n\n"
        "## 情報の公開\n\n本人確認書類は「サンプルビュー」に公開されません。\n"
        "当社は、一般に公開されている情報から連絡先を取得することがあります。\n",
    )
    assert extraction.keys("recipient") == []


def test_japanese_identity_documents_accounts_and_os_information_collected(tmp_path) -> None:
    extraction = found(
        tmp_path,
        "## 収集する情報\n\n本サービスでは、以下の情報を収集します。\n\n"
        "- 本人確認書類（審査目的のみに使用）\n- 家計の収支記録\n- 利用ブラウザ、OS 情報\n",
    )
    assert {"user.government_id", "user.financial", "user.device.telemetry"} <= set(
        extraction.keys("category")
    )


def test_an_identity_document_asked_for_a_request_is_no_collected_category(tmp_path) -> None:
    extraction = found(
        tmp_path,
        "## 開示等の請求\n\n"
        "開示等の請求の際には、本人確認のため、運転免許証等の本人確認書類の写しをご提出いただきます。\n",
    )
    assert extraction.keys("category") == []
    assert extraction.keys("verification") == ["id_document"]


# --- found by an outside review of round 7b: sentences written for the test, in shapes common
# to Japanese policies written in Markdown


def test_a_number_or_less_announces_no_cases_and_the_list_follows_the_last_sentence(
    tmp_path,
) -> None:
    # 「16歳以下の場合」 is "16 or under", and a paragraph whose earlier sentence mentions 「次の場合」
    # is not followed by its list: the numbered lines after them stay headings
    for paragraph in (
        "ご利用者が16歳以下の場合は、保護者の同意を得てからご登録ください。",
        "ご請求金額が1,000円以下の場合は、手数料はかかりません。",
        "当社は、次の場合を除き、個人情報を第三者に提供しません。詳しくは法第27条をご覧ください。",
    ):
        sentences = read_source(
            write(
                tmp_path,
                "p.md",
                f"# プライバシーポリシー\n\n1. 個人情報の取得\n\n{paragraph}\n\n"
                "2. 個人情報の利用目的\n\n当社は、個人情報をサービスの提供のために利用します。\n",
            )
        ).sentences
        assert "2. 個人情報の利用目的" in [s.text for s in sentences if s.kind == "heading"], (
            paragraph
        )


def test_markdown_lines_of_a_contact_block_or_a_heading_do_not_run_on(tmp_path) -> None:
    # a labelled field, a postcode, a half-width heading or an address line ends its line: only
    # a particle or a counter goes on from a half-width word, only a particle before one
    sentences = read_source(
        write(
            tmp_path,
            "p.md",
            "最終更新日: 2024-04-01\n"
            "株式会社サンプル（以下「当社」）は、個人情報を適切に取り扱います。\n\n"
            "Google Analytics\n当サイトでは、アクセス解析のために Google Analytics を利用しています。\n\n"
            "## 運営者情報\n\n運営会社: 株式会社サンプル\nEmail: privacy@example.com\n\n"
            "〒100-0001\n東京都千代田区千代田1-1-1 サンプルビル 3F\nTEL 03-1234-5678\n",
        )
    ).sentences
    assert [s.text for s in sentences] == [
        "最終更新日: 2024-04-01",
        "株式会社サンプル（以下「当社」）は、個人情報を適切に取り扱います。",
        "Google Analytics",
        "当サイトでは、アクセス解析のために Google Analytics を利用しています。",
        "運営者情報",
        "運営会社: 株式会社サンプル",
        "Email: privacy@example.com",
        "〒100-0001",
        "東京都千代田区千代田1-1-1 サンプルビル 3F",
        "TEL 03-1234-5678",
    ]
    extraction = extract(sentences)
    assert extraction.keys("operator")[0] == "株式会社サンプル"
    assert extraction.keys("date") == ["updated=2024-04-01"]


def test_an_exception_to_a_fee_a_deadline_or_a_way_of_asking_is_no_refusal_ground(
    tmp_path,
) -> None:
    for sentence in (
        "開示の請求には、1件につき1,000円の手数料をいただきます（第三者提供記録の開示の請求の場合を除く）。",
        "当社は、請求を受けた日から2週間以内に回答します（調査に時間を要する場合を除く）。",
        "開示等の請求は、郵送により受け付けます（当社が別途認めた場合を除く）。",
        "開示の請求を受けたときは、書面により遅滞なく開示します（請求者が同意した方法がある場合を除く）。",
    ):
        extraction = found(tmp_path, f"## 開示等の請求\n\n{sentence}\n")
        assert extraction.keys("refusal") == [], sentence
    extraction = found(
        tmp_path,
        "## 開示等の請求\n\n本人は、個人情報の削除を求めることができますが、ただし、法令により保存が"
        "義務付けられている場合を除きます。\n",
    )
    assert extraction.keys("refusal") == ["法令により保存が義務付けられている場合"]


def test_a_request_declined_outright_grants_no_right(tmp_path) -> None:
    for sentence in (
        "当社は、個人情報の開示の依頼には応じておりません。",
        "当社は、個人情報の開示のお申し出には応じかねます。",
        "当社は、個人情報の開示の請求には応じません。",
    ):
        extraction = found(tmp_path, f"## 個人情報の開示、訂正等\n\n{sentence}\n")
        assert extraction.keys("right") == [], sentence


def test_a_change_never_made_without_notice_and_a_later_effective_date(tmp_path) -> None:
    for sentence in (
        "当社は、予告なしに本ポリシーを変更することはありません。",
        "当社は、予告なく、本ポリシーを変更いたしません。",
        "We will not change this Privacy Policy without notice.",
    ):
        extraction = found(tmp_path, f"## 本ポリシーの変更\n\n{sentence}\n")
        assert "without_notice" not in extraction.keys("changes"), sentence
    for sentence in (
        "本ポリシーの変更は、当社ウェブサイトに掲載した時から7日を経過した時点で効力を生じるものとします。",
        "当社は、変更内容及び効力発生日を当社ウェブサイトに遅滞なく掲載し、効力発生日から変更後の"
        "本ポリシーを適用します。",
    ):
        extraction = found(tmp_path, f"## 本ポリシーの変更\n\n{sentence}\n")
        assert "on_posting" not in extraction.keys("changes"), sentence
    extraction = found(
        tmp_path,
        "## 本ポリシーの変更\n\n当社は、予告なく本ポリシーを変更することがあります。"
        "変更後の本ポリシーは、当社ウェブサイトに掲載した日を効力発生日とします。\n",
    )
    assert sorted(extraction.keys("changes")) == ["on_posting", "without_notice"]


def test_publishing_the_policy_or_anonymous_statistics_names_no_recipient(tmp_path) -> None:
    for sentence in (
        "当社は、本ポリシーを「サンプルポータル」上で公開します。",
        "当社は、個人を特定できない形に加工した統計データを「サンプル白書」に公開することがあります。",
    ):
        extraction = found(tmp_path, f"## 情報の公開\n\n{sentence}\n")
        assert extraction.keys("recipient") == [], sentence


def test_a_self_reference_defined_by_a_description_names_no_operator(tmp_path) -> None:
    extraction = found(tmp_path, "## 定義\n\n「当社」とは、本ポリシーを定める事業者をいいます。\n")
    assert extraction.keys("operator") == []
    assert extraction.keys("self_reference") == ["当社"]
    extraction = found(
        tmp_path, "## 定義\n\n「当社」とは、株式会社サンプル及びそのグループ会社をいいます。\n"
    )
    assert extraction.keys("operator") == ["株式会社サンプル"]


def test_an_organisation_field_of_a_form_is_no_operator(tmp_path) -> None:
    extraction = found(
        tmp_path,
        "## 取得する情報\n\n会員登録時に、以下の情報をご入力いただきます。\n\n"
        "- 氏名\n- 組織名：所属する組織の名称（任意）\n- 法人名: 法人としてご利用の場合の法人名\n",
    )
    assert extraction.keys("operator") == []


def test_pos_data_is_no_os_information(tmp_path) -> None:
    extraction = found(
        tmp_path,
        "## 取得する情報\n\n当社は、ポイントカードのご利用時に、店舗のPOS情報（購入日時、購入商品）を"
        "取得します。\n",
    )
    assert "user.device.telemetry" not in extraction.keys("category")
    extraction = found(
        tmp_path, "## 取得する情報\n\n当社は、端末の iOS のバージョンと macOS 情報を取得します。\n"
    )
    assert "user.device.telemetry" in extraction.keys("category")


def test_information_about_provision_abroad_names_no_recipient(tmp_path) -> None:
    # APPI Art. 28(3): the operator informs the person about a provision abroad on request
    extraction = found(
        tmp_path,
        "## 外国にある第三者への提供\n\n"
        "当社は、本人の求めに応じて、外国にある第三者への提供に関する必要な情報を提供します。\n",
    )
    assert extraction.keys("recipient") == []
    extraction = found(
        tmp_path,
        "## 外国にある第三者への提供\n\n当社は、外国にある第三者への個人データの提供を行うことがあります。\n",
    )
    assert extraction.keys("recipient") == ["third_party:外国にある第三者"]
