"""Rules of the seventh quality round, each general, each against a development miss.

Every text here is written for the test, in the shapes the round-7 development documents use (a
forum's privacy policy written as questions, in English and in Japanese); none is taken from the
held-out policies.
"""

from __future__ import annotations

from draft_kit import found, write

from policykeeper.draft.extract import topic_of
from policykeeper.draft.sources import read_source


def test_markdown_character_references_anchors_and_in_page_links_are_read_as_text(
    tmp_path,
) -> None:
    # "&mdash;" is a dash, an anchor line '<a name="use"></a>' has no text, and a heading that
    # links to its own place on the page ("[Do we use cookies?](#cookies)") is its label
    sentences = read_source(
        write(
            tmp_path,
            "p.md",
            '<a name="cookies"></a>\n\n## [Do we use cookies?](#cookies)\n\n'
            "* To improve our site &mdash; we improve the site with your feedback.\n",
        )
    ).sentences
    assert [s.text for s in sentences] == [
        "Do we use cookies?",
        "To improve our site — we improve the site with your feedback.",
    ]
    assert sentences[1].section == ("Do we use cookies?",)


def test_japanese_grounds_of_disclosure_under_a_heading_about_disclosing_outside(tmp_path) -> None:
    # 「外部に情報を開示していますか？」 heads a section about disclosure to others, not about the
    # reader's right to disclosure (開示請求); 法令遵守 is the law, 「権利、財産または安全の保護」
    # the protection of rights; 「情報を公開する」 discloses
    extraction = found(
        tmp_path,
        "## 外部に情報を開示していますか？\n\n"
        "また、法令遵守、利用規約の施行、当社や他の人の権利、財産または安全の保護のために適切であると"
        "判断した場合には、あなたの情報を公開する場合があります。\n",
    )
    assert sorted(extraction.keys("exception")) == ["law", "protect_rights"]
    assert extraction.keys("right") == []


def test_a_japanese_disclosure_ground_needs_a_verb_of_disclosure(tmp_path) -> None:
    # 法令遵守 in a sentence about the operator's own compliance discloses nothing
    extraction = found(
        tmp_path,
        "## 外部への情報の提供\n\n当社は法令遵守のための社内体制を整備しています。\n",
    )
    assert extraction.keys("exception") == []


def test_headings_about_disclosing_to_outside_parties_are_about_sharing(tmp_path) -> None:
    sentences = read_source(
        write(
            tmp_path,
            "p.md",
            "## Do we disclose any information to outside parties?\n\nWe may release it.\n\n"
            "## 外部に情報を開示していますか？\n\n公開する場合があります。\n\n"
            "## 個人情報の開示\n\n開示を請求できます。\n",
        )
    ).sentences
    assert [topic_of(s) for s in sentences if s.kind != "heading"] == ["share", "share", "rights"]


def test_the_parties_a_denial_of_transfer_leaves_out_are_recipients(tmp_path) -> None:
    # "This does not include trusted third parties who assist us …" after "We do not sell, trade,
    # or otherwise transfer …": the data goes to them, and the sentence denies nothing
    extraction = found(
        tmp_path,
        "## Sharing\n\nWe do not sell or otherwise transfer your personal information. This does "
        "not include trusted third parties who help us run the site, so long as they keep it "
        "confidential.\n\n"
        "## 第三者提供\n\n当社は、個人情報を販売または譲渡することはありません。これには、サイトの"
        "運営を支援する、機密性を維持することに同意した信頼できる第三者は含まれません。\n",
    )
    recipients = extraction.keys("recipient")
    assert "third_party:trusted third parties" in recipients
    assert "third_party:信頼できる第三者" in recipients
    assert extraction.keys("negation") == ["sale"]


def test_what_a_sentence_does_not_include_is_no_recipient_unless_it_is_a_party(tmp_path) -> None:
    extraction = found(
        tmp_path,
        "## Sharing\n\nWe share the history with our partners. This does not include activity in "
        "Private Windows.\n",
    )
    assert extraction.keys("recipient") == ["third_party:partners"]


def test_providers_the_operator_contracts_with_are_recipients(tmp_path) -> None:
    extraction = found(
        tmp_path,
        "## Cookies\n\nWe may contract with third-party service providers to assist us in "
        "understanding our visitors.\n\n"
        "## Cookie\n\n訪問者を理解できるように、第三者のサービスプロバイダーと契約することもあります。\n",
    )
    assert sorted(extraction.keys("recipient")) == [
        "entrustment:third-party service providers",
        "entrustment:第三者のサービスプロバイダー",
    ]


def test_a_contract_with_the_reader_names_no_recipient(tmp_path) -> None:
    extraction = found(
        tmp_path,
        "## Terms\n\nWe use your address to perform our contract with you.\n\n"
        "## 規約\n\n当社はお客様と契約を締結します。\n",
    )
    assert extraction.keys("recipient") == []


def test_a_limit_with_a_template_placeholder_for_its_number_denies_nothing(tmp_path) -> None:
    # "no more than [NUMBER OF DAYS] days" limits how long logs are kept, as "no more than 90
    # days" does; the site that uses the template fills the number in
    for period in ("[NUMBER OF DAYS] days", "%{log_days} days", "{{ months }} months"):
        extraction = found(
            tmp_path,
            "## Retention\n\nWe will make a good faith effort to:\n\n"
            f"* Retain server logs containing the IP address of all requests no more than {period}.\n",
        )
        assert extraction.keys("negation") == [], period
    denial = found(tmp_path, "## Logs\n\nWe do not retain the IP address of any request.\n", "q.md")
    assert denial.keys("negation") == ["user.device.ip_address"]


def test_changes_posted_on_this_page_in_japanese(tmp_path) -> None:
    # 「このページに変更内容を掲載します」 posts the changes, as "we will post those changes on
    # this page" does
    extraction = found(
        tmp_path,
        "## プライバシーポリシーへの変更\n\nプライバシーポリシーを変更する場合は、このページに変更内容を"
        "掲載します。\n",
    )
    assert extraction.keys("changes") == ["on_posting"]
    unposted = found(
        tmp_path,
        "## プライバシーポリシーへの変更\n\nプライバシーポリシーを変更する場合は、メールでお知らせします。\n",
        "q.md",
    )
    assert "on_posting" not in unposted.keys("changes")


def test_items_under_a_lead_about_the_ways_information_is_used_are_purposes(tmp_path) -> None:
    # "… may be used in one of the following ways:" and 「次のいくつかの方法で使用される場合が
    # あります。」 announce purposes; each item "LABEL — explanation" is one, named by its label
    extraction = found(
        tmp_path,
        "## What do we use your information for?\n\n"
        "Any of the information we collect from you may be used in one of the following ways:\n\n"
        "* To personalize your experience &mdash; your information helps us to better respond to "
        "your individual needs.\n"
        "* To improve customer service &mdash; your information helps us to respond to your "
        "support needs.\n\n"
        "## 収集した情報は何に使いますか？\n\n"
        "本サイトで収集された情報は、次のいくつかの方法で使用される場合があります。\n\n"
        "* エクスペリエンスのパーソナル化 &mdash; あなたの情報は、ニーズへの対応を改善する上で役立てられます。\n",
    )
    labels = sorted(f.value["label"] for f in extraction.of("purpose"))
    assert labels == [
        "To improve customer service",
        "To personalize your experience",
        "エクスペリエンスのパーソナル化",
    ]
    descriptions = {f.value["label"]: f.value["description"] for f in extraction.of("purpose")}
    assert descriptions["To improve customer service"].startswith("your information helps us")


def test_items_under_a_lead_about_something_else_are_no_purposes(tmp_path) -> None:
    # a list of data after a lead that does not say it is used in the listed ways
    extraction = found(
        tmp_path,
        "## Information\n\nWe may record information in the following ways:\n\n"
        "* When you post &mdash; the IP address of the post.\n",
    )
    assert extraction.keys("purpose") == []


def test_japanese_purposes_said_with_o_shiyou_shite_and_you_ni(tmp_path) -> None:
    # 「Cookie を使用して、…を認識し、…保存しています」 says what cookies are used for, as "We use
    # cookies to …" does; 「…を提供していけるように、…をコンパイルしています」 says why data is compiled
    extraction = found(
        tmp_path,
        "## Cookie を使用していますか？\n\n"
        "Cookie を使用して、あなたの設定を認識し、以降でアクセスした際に使用できるように保存しています。"
        "また、より良いツールを提供していけるように、サイトの利用状況に関する集計データをコンパイルしています。\n",
    )
    purposes = extraction.keys("purpose")
    assert len(purposes) == 2
    assert any("設定を認識" in p for p in purposes)
    assert any("ツールを提供していけるように" in p for p in purposes)


def test_what_the_reader_can_do_with_a_setting_or_a_manner_is_no_japanese_purpose(tmp_path) -> None:
    extraction = found(
        tmp_path,
        "## Cookie\n\nブラウザの設定を使用して、Cookie を無効にすることができます。"
        "当社は次のように、情報を管理しています。\n",
    )
    assert extraction.keys("purpose") == []


def test_site_traffic_and_interaction_are_usage_data(tmp_path) -> None:
    extraction = found(
        tmp_path,
        "## Do we use cookies?\n\nWe use cookies to compile aggregate data about site traffic and "
        "site interaction.\n\n"
        "## Cookie\n\nCookie を使用して、サイトのトラフィックに関する集計データを作成しています。\n",
    )
    usage = [f for f in extraction.of("category") if f.key == "user.behavior.usage_log"]
    assert {s.lang for f in usage for s in f.evidence} == {"en", "ja"}
    denied = found(
        tmp_path, "## Analytics\n\nWe do not use cookies to track site traffic.\n", "q.md"
    )
    assert "user.behavior.usage_log" not in denied.keys("category")


def test_the_readers_posts_and_the_content_they_share_are_content(tmp_path) -> None:
    extraction = found(
        tmp_path,
        "## What information do we collect?\n\nAll posts are stored and processed on the server.\n\n"
        "## Your content\n\nWe store content you submit to the forum.\n",
    )
    (content,) = extraction.of("category")
    assert content.key == "user.content"
    assert [s.text for s in content.evidence] == [
        "All posts are stored and processed on the server.",
        "We store content you submit to the forum.",
    ]
    posted = found(
        tmp_path,
        "## Changes\n\nWe will post changes on this page.\n\n## Forum\n\nPosts are public.\n",
        "q.md",
    )
    assert posted.keys("category") == []


def test_a_denial_scoped_to_one_part_of_a_tool_that_collects_denies_nothing(tmp_path) -> None:
    # "The `dotnet` command itself does not collect telemetry" contrasts the command with the
    # tools it launches, which the page says collect telemetry
    extraction = found(
        tmp_path,
        "## Telemetry\n\nThe tools collect telemetry. The `tool` command itself does not collect "
        "telemetry.\n\n## 製品利用統計情報\n\nツールは製品利用統計情報を収集します。`tool` コマンド自体は"
        "製品利用統計情報を収集しません。\n",
    )
    assert "user.device.telemetry" in extraction.keys("category")
    assert "user.device.telemetry" not in extraction.keys("negation")
    # where nothing says it is collected, the same words still deny it
    alone = found(tmp_path, "## Telemetry\n\nThe app itself does not collect telemetry.\n", "q.md")
    assert alone.keys("negation") == ["user.device.telemetry"]


def test_a_japanese_feature_the_reader_may_choose_not_to_use_is_an_opt_out(tmp_path) -> None:
    # 「製品利用統計情報機能は選択しないこともできます」: the reader may opt out, which denies nothing
    extraction = found(
        tmp_path,
        "## 動作\n\n製品利用統計情報機能は既定では有効になっています。製品利用統計情報機能は選択しない"
        "こともできます。\n",
    )
    assert extraction.keys("right") == ["withdraw_consent"]
    assert extraction.keys("negation") == []
    denial = found(tmp_path, "## 動作\n\n製品利用統計情報は収集しません。\n", "q.md")
    assert denial.keys("negation") == ["user.device.telemetry"]
    assert denial.keys("right") == []


def test_vendors_the_operator_works_with_or_uses_are_recipients(tmp_path) -> None:
    # "we work with vendors who …", "Where we use vendors to help us …", as "contract with" above
    extraction = found(
        tmp_path,
        "## Facebook\n\nTo help us manage these activities, we work with vendors who have "
        "contractually promised to handle the data as we approve.\n",
    )
    assert extraction.keys("recipient") == ["third_party:vendors"]
    colleagues = found(
        tmp_path, "## Team\n\nOur staff work with care to protect your data.\n", "q.md"
    )
    assert colleagues.keys("recipient") == []


def test_a_japanese_payment_processor_paid_through_is_a_recipient(tmp_path) -> None:
    # 「Mozilla のサードパーティー決済業者1社（Stripe、…）を通じて支払いを行います」: the reader pays
    # through the processor, as "through one of our third-party payment processors" says
    extraction = found(
        tmp_path,
        "## お支払い情報\n\n有料サービスに登録した場合、皆様は、当社のサードパーティー決済業者1社"
        "（Stripe または PayPal）を通じて支払いを行います。\n",
    )
    assert "third_party:サードパーティー決済業者" in extraction.keys("recipient")
    channel = found(
        tmp_path, "## 連絡\n\nお問い合わせはウェブサイトを通じて受け付けます。\n", "q.md"
    )
    assert channel.keys("recipient") == []


def test_what_a_tool_is_used_for_is_no_purpose_of_data(tmp_path) -> None:
    # "The `dotnet` command is used to launch both apps and the tools": what the product does
    extraction = found(
        tmp_path,
        "## Scope\n\nThe `tool` command is used to launch both apps and the tools.\n\n"
        "## Use\n\nThis data is used to improve the tools. Your email address is used to send "
        "you receipts.\n",
    )
    purposes = extraction.keys("purpose")
    assert len(purposes) == 2
    assert not any("launch" in p for p in purposes)


def test_an_ampersand_in_a_link_is_no_character_reference(tmp_path) -> None:
    # a reference needs its semicolon (CommonMark): "&region=eu&notice=2" in an address is not
    # "®ion=eu¬ice=2", as HTML's legacy references without the semicolon would read it
    sentences = read_source(
        write(
            tmp_path,
            "p.md",
            "## Opt out\n\nVisit https://example.com/optout?site=1&region=eu&notice=2 or "
            "[our form](https://example.com/form?a=1&para=2) &mdash; either works.\n",
        )
    ).sentences
    assert sentences[1].text == (
        "Visit https://example.com/optout?site=1&region=eu&notice=2 or our form "
        "(https://example.com/form?a=1&para=2) — either works."
    )


def test_compliance_with_the_law_beside_a_denial_is_no_ground_of_disclosure(tmp_path) -> None:
    # 「法令を遵守し、…第三者に提供しません」 and 「権利…を保護するため、…開示することはありません」
    # say the operator keeps the law and does not disclose: no case in which it does
    for sentence in (
        "当社は、個人情報保護法その他の法令を遵守し、あらかじめ本人の同意を得ることなく、個人情報を"
        "第三者に提供しません。",
        "当社は、法令遵守を徹底し、お客様の同意なく個人情報を第三者に提供することはありません。",
        "当社は、お客様の権利を保護するため、お客様の同意なく個人情報を第三者に開示することは"
        "ありません。",
        "We comply with applicable laws and never share your personal information with third "
        "parties.",
    ):
        extraction = found(tmp_path, f"## 第三者提供\n\n{sentence}\n")
        assert extraction.keys("exception") == [], sentence
    # a ground the denial excepts, or one said beside it, still stands
    excepted = found(
        tmp_path,
        "## 第三者提供\n\n法令に基づく場合を除き、個人情報を第三者に提供しません。\n\n"
        "## Sharing\n\nWe never sell your data, but we may disclose it if required by law.\n",
        "q.md",
    )
    assert excepted.keys("exception") == ["law"]


def test_the_readers_rights_and_interests_are_no_ground_of_disclosure(tmp_path) -> None:
    # 権利利益の保護 is what the law protects for the reader, not the operator's rights
    extraction = found(
        tmp_path,
        "## 第三者提供\n\n当社は、個人の権利利益の保護のため、委託先に個人情報を提供する場合は、"
        "委託先を適切に監督します。\n",
    )
    assert "protect_rights" not in extraction.keys("exception")


def test_what_a_scope_sentence_leaves_out_is_no_party_when_party_only_describes_it(
    tmp_path,
) -> None:
    # "It does not apply to third-party websites" leaves out websites, not a recipient; "data about
    # third parties" is data
    extraction = found(
        tmp_path,
        "## Scope\n\nThis policy applies only to information collected through our website. It "
        "does not apply to third-party websites that link to our site.\n\n"
        "## Sharing\n\nWe do not sell your personal information. This does not include data "
        "about third parties that you upload.\n",
    )
    assert extraction.keys("recipient") == []
    party = found(
        tmp_path,
        "## Sharing\n\nWe do not sell it. This does not include third-party service providers, "
        "who assist us.\n",
        "q.md",
    )
    assert party.keys("recipient") == ["entrustment:third-party service providers"]


def test_the_readers_own_carrier_or_provider_is_no_recipient(tmp_path) -> None:
    # the reader's contract with a phone company, the provider that gives the reader an IP
    # address: the operator sends them nothing
    extraction = found(
        tmp_path,
        "## SMS 認証\n\nSMS 認証には、お客様が携帯電話会社と契約している電話番号が必要です。"
        "お客様は通信事業者と契約し、本サービスに接続します。\n\n"
        "## 通信\n\nIP アドレスは、お客様がご利用のプロバイダーを通じて割り当てられます。\n",
    )
    assert extraction.keys("recipient") == []


def test_items_under_a_lead_denying_the_ways_they_list_are_no_purposes(tmp_path) -> None:
    extraction = found(
        tmp_path,
        "## Use\n\nYour information will never be used in any of the following ways:\n\n"
        "* To sell it to data brokers\n* To send you unsolicited advertising\n\n"
        "## 利用目的\n\nお客様の個人情報は、以下の方法で利用しません。\n\n- 第三者への販売\n"
        "- ダイレクトメールの送付\n",
    )
    assert extraction.keys("purpose") == []
    # a lead that limits use to its items lists purposes
    limited = found(
        tmp_path,
        "## 利用目的\n\n当社は、個人情報を以下の目的以外には利用しません。\n\n- サービスの提供\n"
        "- お問い合わせへの対応\n",
        "q.md",
    )
    assert sorted(limited.keys("purpose")) == ["お問い合わせへの対応", "サービスの提供"]


def test_what_trackers_or_a_named_service_are_used_for_is_a_purpose(tmp_path) -> None:
    # "Web beacons are used to …", "Google Analytics is used to …": a use of data, not a
    # description of a piece of the product, though the subject names no data
    for sentence in (
        "Google Analytics is used to understand how visitors use our website.",
        "Web beacons are used to count the visitors who open our emails.",
        "Local storage is used to remember your preferences between visits.",
        "Session identifiers are used to keep you signed in.",
    ):
        extraction = found(tmp_path, f"## Cookies\n\n{sentence}\n")
        assert len(extraction.keys("purpose")) == 1, sentence


def test_a_denial_of_the_data_itself_stays_a_denial(tmp_path) -> None:
    # 「正確な位置情報自体は取得しません」 scopes the denial to the data (the precise location), not
    # to a part of the product: the approximate location collected does not undo it
    extraction = found(
        tmp_path,
        "## 位置情報\n\n当社は、IP アドレスからおおよその位置情報を取得します。正確な位置情報自体は"
        "取得しません。\n",
    )
    assert "user.location" in extraction.keys("negation")


def test_what_the_reader_does_with_something_is_no_japanese_purpose(tmp_path) -> None:
    # 「お客様は…を利用して、…します」: the reader acts, the operator states no purpose
    extraction = found(
        tmp_path,
        "## 設定\n\nお客様はブラウザの設定を利用して、Cookie の受け入れを拒否します。"
        "多くのお客様が本サービスを利用して、写真を共有しています。\n",
    )
    assert extraction.keys("purpose") == []
    ours = found(
        tmp_path,
        "## Cookie\n\nCookie を使用して、お客様がログインしたことを記憶しています。\n",
        "q.md",
    )
    assert len(ours.keys("purpose")) == 1
