"""Rules of the third quality round, each general, each against a development miss.

Every text here is written for the test, in the shapes the round-3 development notices use
(Mozilla Location Services, Common Voice, Firefox Relay, Pocket in Japanese, Homebrew's
analytics notice); none is taken from the held-out policies.
"""

from __future__ import annotations

from draft_kit import found, write

from policykeeper.draft.sources import read_source


def test_a_markdown_paragraph_wrapped_at_a_fixed_width_is_one_paragraph(tmp_path) -> None:
    text = (
        "# Notice\n\n## How your data is shared\n\n__Cloud storage__: We use\n"
        "[Example Web Services](https://example.org/privacy/) as our storage\nprovider. "
        "We may also\ndetermine your location from your IP address.\n\n"
        "Example Corporation\n4th Floor\nSan Francisco\n"
    )
    sentences = [s.text for s in read_source(write(tmp_path, "p.md", text)).sentences]
    assert (
        "Cloud storage: We use Example Web Services (https://example.org/privacy/) as our "
        "storage provider." in sentences
    )
    assert "We may also determine your location from your IP address." in sentences
    assert "Example Corporation" in sentences  # an address block's lines stay apart


def test_a_catalogued_vendor_used_to_handle_data_is_a_recipient(tmp_path) -> None:
    text = (
        "# Notice\n\n## Sharing\n\nWe use [Amazon Web Services](https://aws.amazon.com/privacy/) "
        "(AWS) as our cloud storage provider to store and process data.\n\n"
        "The app uses Stripe to process payments.\n\n"
        "We use Google Analytics to better understand how you use the site.\n"
    )
    extraction = found(tmp_path, text)
    assert set(extraction.keys("recipient")) == {
        "entrustment:amazon web services",
        "entrustment:stripe, inc.",
    }
    assert {"aws", "stripe", "google_analytics"} <= set(extraction.keys("vendor"))


def test_a_named_service_data_is_sent_to_is_a_recipient(tmp_path) -> None:
    text = "# Analytics\n\n## Transport\n\nThe tool sends analytics to InfluxDB over HTTPS.\n"
    assert [k.partition(":")[2] for k in found(tmp_path, text).keys("recipient")] == ["influxdb"]


def test_the_group_under_common_control_is_not_a_recipient(tmp_path) -> None:
    text = (
        "# Notice\n\nWe may disclose the databases with affiliates, including parents, "
        "subsidiaries, and other organizations under common control or ownership with Example "
        "Foundation.\n"
    )
    names = {k.partition(":")[2] for k in found(tmp_path, text).keys("recipient")}
    assert "affiliates" in names and not any("foundation" in n for n in names)


def test_sending_us_data_is_not_an_instruction_to_write_to_us(tmp_path) -> None:
    text = (
        "# Notice\n\n* **Demographic data.** You can optionally send us information such as "
        "your accent, age, and gender.\n\n* **Support.** Send us an email with your phone "
        "number.\n\nWe also collect your location to show the right content.\n"
    )
    keys = set(found(tmp_path, text).keys("category"))
    assert {"user.demographic.age", "user.demographic.gender", "user.location"} <= keys
    assert "user.contact.phone_number" not in keys


def test_what_the_data_lets_us_do_is_a_purpose(tmp_path) -> None:
    text = (
        "# Notice\n\n* **Demographic data.** You can send us your age. This helps us and other "
        "researchers improve speech technology.\n\n"
        "To consistently improve the app, we collect your browser type. This allows us to "
        "understand how people use it.\n\n"
        "## 利用\n\n皆様から得られる情報によって、当社はサービスを強化できます。\n\n"
        "これらの情報は、新製品についてのご案内にも役立ちます。\n\n"
        "当社は、以下の目的で Cookie を使用します。\n"
    )
    labels = [f.value["label"] for f in found(tmp_path, text).of("purpose")]
    assert labels == [
        "This helps us and other researchers improve speech technology.",
        "To consistently improve the app, we collect your browser type.",
        "This allows us to understand how people use it.",
        "皆様から得られる情報によって、当社はサービスを強化できます。",
        "これらの情報は、新製品についてのご案内にも役立ちます。",
    ]


def test_a_purpose_section_whose_data_helps_maintainers(tmp_path) -> None:
    text = (
        "# Analytics\n\n## Purpose\n\nThe data helps maintainers prioritise widely used "
        "commands.\n\nIt is stored in a database.\n"
    )
    labels = [f.value["label"] for f in found(tmp_path, text).of("purpose")]
    assert labels == ["The data helps maintainers prioritise widely used commands."]


def test_names_of_things_are_not_personal_names(tmp_path) -> None:
    text = (
        "# Analytics\n\n## Data sent\n\nEvents can include:\n\n- the package and tap names\n"
        "- CPU architecture and operating system name\n\n"
        "The tool samples one variable and records its name.\n\n"
        "## Account\n\nWe collect your name.\n"
    )
    extraction = found(tmp_path, text)
    assert "user.device.telemetry" in extraction.keys("category")
    names = [f for f in extraction.of("category") if f.key == "user.name"]
    assert [s.text for f in names for s in f.evidence] == ["We collect your name."]


def test_a_payload_that_does_not_contain_data_is_a_negation(tmp_path) -> None:
    text = "# Analytics\n\nThe payload does not contain a user identifier or an IP-address field.\n"
    extraction = found(tmp_path, text)
    assert set(extraction.keys("negation")) == {"user.unique_id", "user.device.ip_address"}
    assert extraction.keys("category") == []


def test_limits_and_consequences_are_not_denials(tmp_path) -> None:
    text = (
        "# Notice\n\n## Sharing\n\nWe will not publicly share Wi-Fi location data.\n\n"
        "## Cookie\n\nCookie を拒否すると、パスワードを入力できない可能性があります。\n\n"
        "当社は、そのメールアドレスを他の目的で使用することはありません。\n\n"
        "これらの Cookie に、個人を特定できる情報が保存されることはありません。\n"
    )
    extraction = found(tmp_path, text)
    assert extraction.keys("negation") == ["personal information"]


def test_japanese_credentials_required_at_registration(tmp_path) -> None:
    text = "# 方針\n\n登録時には、名前、パスワード、および有効なメールアドレスを提供する必要があります。\n"
    assert "user.authorization.password" in found(tmp_path, text).keys("category")


def test_japanese_recipients_used_or_shared_with(tmp_path) -> None:
    text = (
        "# 方針\n\n## 情報の共有\n\n当社は、支払いを処理するためにサードパーティの支払い処理業者を"
        "使用する場合があります。\n\n当社は記事の内容をサードパーティサービスと共有することがあります。\n\n"
        "たとえば、当社は Google アナリティクスやその他のツールを使用して、人気のページを把握しています。\n"
    )
    names = {k.partition(":")[2] for k in found(tmp_path, text).keys("recipient")}
    assert names == {"サードパーティの支払い処理業者", "サードパーティサービス"}


def test_japanese_disclosure_grounds(tmp_path) -> None:
    text = (
        "# 方針\n\n## 法律または資産売却で義務付けられている共有\n\n"
        "当社の資産の一部が買収された場合、譲渡された資産にはユーザー情報が含まれていることがあります。\n\n"
        "法律で義務付けられている場合は、個人情報を開示します。\n"
    )
    assert set(found(tmp_path, text).keys("exception")) == {"business_succession", "law"}


def test_japanese_rights_from_settings_and_opting_out_steps(tmp_path) -> None:
    text = (
        "# 方針\n\n## 設定の管理\n\n皆様は、各自の個人情報にアクセスしたり、各自の個人情報を修正または"
        "削除したり、プロファイルからの各自のデータをエクスポートしたりできます。\n\n"
        "# Analytics\n\n## Opting out\n\nDisable analytics persistently with:\n\n"
        "Alternatively, set this variable:\n"
    )
    assert set(found(tmp_path, text).keys("right")) == {
        "access",
        "rectification",
        "erasure",
        "portability",
        "withdraw_consent",
    }


def test_an_instruction_outside_an_opting_out_section_is_no_right(tmp_path) -> None:
    text = "# Tool\n\n## Install\n\nRun the installer, then set your name.\n"
    assert found(tmp_path, text).keys("right") == []


def test_retention_to_the_end_of_a_program_and_while_needed_in_japanese(tmp_path) -> None:
    text = (
        "# Notice\n\n* **Email.** If you do not create an account, we will delete your email "
        "address within two weeks after the completion of each testing program.\n\n"
        "## 情報の保持\n\n当社は、サービスの提供に必要な限り、皆様の情報を保持します。\n\n"
        "## Your requests\n\nWe will respond within 30 days.\n"
    )
    assert set(found(tmp_path, text).keys("retention")) == {
        "2 weeks|contract_end",
        "|while_needed",
    }


def test_japanese_amendments_posted_and_effective_days_after(tmp_path) -> None:
    text = (
        "# 方針\n\n## ポリシーの修正\n\n当社は、当社ウェブサイトに修正された条件を投稿することで、いつでも"
        "本ポリシーを修正できます。修正された条件はすべて、最初にウェブサイトに投稿されてから 30 日後に"
        "自動的に有効になります。\n"
    )
    assert set(found(tmp_path, text).keys("changes")) == {"on_posting", "notice_days=30"}


def test_whole_days_written_in_hours_are_periods() -> None:
    from policykeeper.draft import dates

    found = [str(p) for _, p in dates.periods_in("deleted within 72 hours; 24 時間以内; 36 hours")]
    assert found == ["3 days", "1 day"]


def test_uploads_deleted_within_hours_and_dns_resolution_is_no_clock(tmp_path) -> None:
    text = (
        "# Notice\n\n**Photos and videos you upload**: Mozilla stores them so you can share them. "
        "They are deleted within 72 hours unless you pin them.\n\n"
        "## 保存\n\nDNS リクエストのシステムログは、24 時間以内に削除され、DNS 解決以外の目的には使用されません。\n"
    )
    extraction = found(tmp_path, text)
    assert set(extraction.keys("retention")) == {"3 days|collection", "1 day|collection"}
    assert "user.content" in extraction.keys("category")


def test_a_purpose_clause_that_makes_sure_is_no_instruction(tmp_path) -> None:
    text = (
        "# Notice\n\n* **Technical data.** We also collect your location, and your browser type "
        "to make sure the site looks right for you.\n\n"
        "* **Analytics.** We collect information about your session length, your location "
        "(country, state/province, and city), and screen resolution.\n\n"
        "Make sure your browser is up to date.\n"
    )
    extraction = found(tmp_path, text)
    assert {"user.location", "user.device.browser"} <= set(extraction.keys("category"))
    assert "user.contact.address.country" not in extraction.keys("category")
    browser = [f for f in extraction.of("category") if f.key == "user.device.browser"]
    assert len(browser[0].evidence) == 1


def test_inferred_data_and_browsing_activity_are_handled(tmp_path) -> None:
    text = (
        "# Notice\n\n## To provide the assistant\n\n"
        "The assistant may infer your location to personalize answers.\n\n"
        "It processes your browsing activity, including websites you have visited.\n\n"
        "You can open a new window in the File menu of your browser.\n"
    )
    extraction = found(tmp_path, text)
    assert set(extraction.keys("category")) == {"user.location", "user.behavior.browsing_history"}


def test_data_forwarded_to_a_third_party_and_providers_listed(tmp_path) -> None:
    text = (
        "# Notice\n\n## Who we disclose information to\n\n"
        "Mozilla forwards the request to a third-party large language model (LLM) on your behalf.\n\n"
        "**Amazon Web Services (AWS)**: The app uses Amazon's cloud storage service to store the "
        "information collected.\n\n"
        "When you search, we will send your searches to supported third parties. We support the "
        "following providers:\n\n- [Tenor](https://tenor.com/legal-privacy)\n\n"
        "- [YouTube](https://policies.google.com/privacy)\n\n"
        "We may share a link to a third-party website with you.\n"
    )
    assert set(found(tmp_path, text).keys("recipient")) == {
        "third_party:third-party large language model",
        "entrustment:amazon web services",
        "third_party:tenor",
        "third_party:youtube",
    }


def test_reviewing_or_deleting_from_settings_is_erasure(tmp_path) -> None:
    text = "# Notice\n\nYou can review or delete a specific Memory in your settings.\n"
    assert found(tmp_path, text).keys("right") == ["erasure"]


def test_what_the_reader_need_not_do_is_no_negation_and_what_we_need_is_a_purpose(
    tmp_path,
) -> None:
    text = (
        "# Notice\n\nWe need certain information to operate the app.\n\n"
        "**Account information**: You don’t need an account to use the app.\n"
    )
    extraction = found(tmp_path, text)
    assert extraction.keys("negation") == []
    assert [f.value["label"] for f in extraction.of("purpose")] == [
        "We need certain information to operate the app."
    ]


def test_what_you_should_know_is_not_advice_and_dated_is_a_date(tmp_path) -> None:
    text = (
        "# Privacy Notice\n\nVersion 1.0, dated March 1, 2019\n\n"
        "Here's what you should know about the site:\n\n"
        "* **Personal Data.** To create an account, you must provide us with your name and "
        "an email address.\n"
    )
    extraction = found(tmp_path, text)
    assert {"user.name", "user.contact.email"} <= set(extraction.keys("category"))
    assert extraction.keys("date") == ["updated=2019-03-01"]


def test_providers_named_in_passing_and_the_operator_is_never_one(tmp_path) -> None:
    text = (
        "# Example Reality Notice\n\n## At Example, we care about privacy.\n\n"
        "If you sign up, we (and our email providers SalesForce and Amazon) receive your email "
        "address to contact you about the service.\n\n"
        "Your voice recordings are sent to Example and Google for processing.\n"
    )
    extraction = found(tmp_path, text)
    names = {k.partition(":")[2] for k in extraction.keys("recipient")}
    assert names == {"salesforce", "amazon", "google"}
    assert any("contact you" in f.value["label"] for f in extraction.of("purpose"))


def test_headings_completing_a_lead_in_that_shares_data_for(tmp_path) -> None:
    text = (
        "# Notice\n\n## The app by default shares data for:\n\n"
        "### Improving performance and stability\n\n"
        "* **Technical data:** The app sends data about your app version and language; device "
        "operating system to us.\n"
    )
    extraction = found(tmp_path, text)
    assert [f.value["label"] for f in extraction.of("purpose")] == [
        "Improving performance and stability"
    ]
    assert "user.demographic.language" in extraction.keys("category")


def test_a_retention_clock_is_not_read_from_its_exception(tmp_path) -> None:
    text = (
        "# Notice\n\n## Information we share\n\n"
        "The provider does not share this data with others and deletes this after 24 hours "
        "unless necessary for its security or legal obligations.\n\n"
        "Mozilla does not receive or store your payment card details.\n"
    )
    extraction = found(tmp_path, text)
    assert extraction.keys("retention") == ["1 day|collection"]
    assert "user.financial.credit_card" in extraction.keys("negation")


def test_a_lawful_basis_or_engaging_third_parties_is_no_purpose(tmp_path) -> None:
    text = (
        "# 通知\n\n## 利用目的\n\n- 使用状況を理解するため\n\n"
        "ユーザーが使用状況の報告のために、このデータの送信にオプトインした場合の同意。\n\n"
        "当社はこれらのキャンペーンを管理するために第三者を利用する場合があります。\n"
    )
    assert [f.value["label"] for f in found(tmp_path, text).of("purpose")] == [
        "使用状況を理解するため"
    ]


def test_a_short_first_run_privacy_page(tmp_path) -> None:
    text = (
        "Privacy\n\nLocation Services\n\nAllows applications to determine your geographical "
        "location.\n\nUses Example Location Service: Privacy Policy\n\n"
        "Sending reports of technical problems helps us to improve the system. Reports are sent "
        "anonymously and are scrubbed of personal data.\n"
    )
    extraction = found(tmp_path, text, "p.txt")
    assert {"user.location", "user.device.telemetry"} <= set(extraction.keys("category"))
    assert extraction.keys("recipient") == ["third_party:example location service"]
    assert extraction.keys("negation") == ["personal information"]


def test_a_short_first_run_privacy_page_in_japanese(tmp_path) -> None:
    text = (
        "プライバシー\n\nExample Location Service を使用します: プライバシーポリシー\n\n"
        "問題に関するレポートを送信することで Debian の改善に役立てることができます。"
        "レポートは匿名で送信され、個人データは取り除かれます。\n\n"
        "問題のデータは Debian によって収集されます: プライバシーポリシー\n"
    )
    extraction = found(tmp_path, text, "p.txt")
    assert "user.device.telemetry" in extraction.keys("category")
    assert extraction.keys("recipient") == ["third_party:example location service"]
    assert extraction.keys("negation") == ["personal information"]
    assert len(extraction.of("purpose")) == 1


def test_a_versioned_date_heads_the_notice_and_the_os_of_a_product_is_no_data(tmp_path) -> None:
    text = (
        "# Example TV Notice\n\nVersion 1.0.1, October 11, 2018\n\n"
        "When Example OS sends information to us, our Example Privacy Policy describes how we "
        "handle it.\n\n* **Technical Data**: We receive your OS and browser version.\n\n"
        "* A browser extension.\n"
    )
    extraction = found(tmp_path, text)
    assert extraction.keys("date") == ["updated=2018-10-11"]
    telemetry = [f for f in extraction.of("category") if f.key == "user.device.telemetry"]
    assert [s.text for f in telemetry for s in f.evidence] == [
        "Technical Data: We receive your OS and browser version."
    ]
    browser = [f for f in extraction.of("category") if f.key == "user.device.browser"]
    assert len(browser[0].evidence) == 1


def test_an_organisation_that_receives_data_is_a_recipient_unless_it_is_the_operator(
    tmp_path,
) -> None:
    text = (
        "# Example TV Notice\n\nExample receives data to display relevant content. Example "
        "receives your language. Example stores your settings. Example uses your region.\n\n"
        "* **Voice Commands**: When you use voice commands, Amazon receives and interprets your "
        "voice data to carry out your instructions.\n\n"
        "Upon activation, the device sends to Example a data ping which helps Example determine "
        "if security updates are needed.\n"
    )
    extraction = found(tmp_path, text)
    assert extraction.keys("recipient") == ["third_party:amazon"]
    labels = [f.value["label"] for f in extraction.of("purpose")]
    assert "Example receives data to display relevant content." in labels
    assert any("helps Example determine" in label for label in labels)


def test_disabling_location_services_or_sharing_withdraws_consent(tmp_path) -> None:
    text = "# Notice\n\nYou can disable location services in the Settings app on your device.\n"
    assert found(tmp_path, text).keys("right") == ["withdraw_consent"]
