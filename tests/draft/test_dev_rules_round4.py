"""Rules of the fourth quality round, each general, each against a development miss.

Every text here is written for the test, in the shapes the round-4 development notices use
(Mozilla's VPN and Facebook notices, the Japanese Common Voice, Monitor and Firefox OS notices,
…); none is taken from the held-out policies.
"""

from __future__ import annotations

from draft_kit import found


def test_japanese_advice_about_the_readers_password_is_no_collection(tmp_path) -> None:
    text = (
        "# 規約\n\n## はじめに\n\n当社では、パスワードを再利用しないことを強く推奨しています。\n\n"
        "強力なパスワードを使用してアカウントを保護することは、皆様の責任です。\n"
    )
    extraction = found(tmp_path, text)
    assert "user.authorization.password" not in extraction.keys("category")
    assert extraction.keys("negation") == []


def test_a_pointer_to_read_more_names_no_collected_data(tmp_path) -> None:
    text = (
        "# 規約\n\n## プライバシー\n\n当社の Cookie と分析、および解除の方法について、"
        "[詳細](https://example.org/cookies) をご覧ください。\n\n"
        "Learn more about our cookies and analytics here.\n\n"
        "当社はサイトの改善のため Cookie を使用します。\n"
    )
    cookies = [f for f in found(tmp_path, text).of("category") if f.key == "user.device.cookie"]
    assert [s.text for f in cookies for s in f.evidence] == [
        "当社はサイトの改善のため Cookie を使用します。"
    ]


def test_japanese_effective_date_written_yuukoubi(tmp_path) -> None:
    text = "# 通知\n\n有効日 2019 年 8 月 15 日\n\n## 情報\n\n当社はメールアドレスを取得します。\n"
    assert found(tmp_path, text).keys("date") == ["effective=2019-08-15"]


def test_japanese_purposes_written_suru_tame_and_what_the_data_helps_with(tmp_path) -> None:
    text = (
        "# 通知\n\n* 検索: 端末上での検索機能を改善するため、本製品は検索エンジンの情報を当社へ送信します。\n"
        "* 初回: 本製品はデータを当社へ送信します。これは、修正が必要かどうかを当社が判断するのに役立ちます。\n"
        "* 位置: 位置情報を利用できないため、当社は地域を推定しません。\n"
    )
    keys = found(tmp_path, text).keys("purpose")
    assert any("検索機能を改善するため" in key for key in keys)
    assert any(key.startswith("これは、修正が必要かどうか") for key in keys)
    assert not any("利用できないため" in key for key in keys)  # a cause, not a purpose


def test_what_data_helps_a_named_product_do_is_a_purpose(tmp_path) -> None:
    text = (
        "# Notice\n\n__Campaign data.__ This helps Example VPN understand the effectiveness of "
        "our campaigns. The app receives your operating system.\n"
    )
    labels = [f.value["label"] for f in found(tmp_path, text).of("purpose")]
    assert labels == ["This helps Example VPN understand the effectiveness of our campaigns."]


def test_a_listed_item_with_its_purpose_in_brackets(tmp_path) -> None:
    text = (
        "# Notice\n\nThe app saves the following user data in our database:\n\n"
        "* User id (to identify the user)\n* Photo (to display it in the shared image)\n"
        "* Settings (see the help page)\n\n"
        "While you use the app we use the following data, but do not save it to a database:\n\n"
        "* Locale\n"
    )
    labels = [f.value["label"] for f in found(tmp_path, text).of("purpose")]
    assert labels == ["User id (to identify the user)", "Photo (to display it in the shared image)"]


def test_japanese_rights_to_delete_the_account_and_disable_sharing(tmp_path) -> None:
    text = (
        "# 通知\n\n* **アカウント。** アカウントはいつでも削除することができ、削除するとメールアドレスも"
        "削除されます。\n* **使用状況。** 使用状況情報の共有は「設定」アプリ内で無効化できます。\n"
    )
    assert set(found(tmp_path, text).keys("right")) == {"erasure", "withdraw_consent"}


def test_japanese_providers_named_in_passing(tmp_path) -> None:
    text = (
        "# 通知\n\n## プライバシー\n\n皆様が登録すると、当社 (ならびに当社のメールプロバイダーである "
        "SalesForce および Amazon) は、連絡を行うために皆様のメールアドレスを受け取ります。\n\n"
        "支払いは第三者決済プロバイダであるExamplePay、Venmo または Other Pay を通じて行います。\n"
    )
    extraction = found(tmp_path, text)
    names = {k.partition(":")[2] for k in extraction.keys("recipient")}
    assert {"amazon", "examplepay", "venmo", "other pay"} <= names
    assert "salesforce" in extraction.keys("vendor")  # a catalogued vendor, named by the catalogue


def test_deleted_once_the_purposes_are_met_is_while_needed(tmp_path) -> None:
    text = (
        "# Notice\n\n## Contests\n\nWe will collect your email to notify the winner. We will "
        "delete as much as we can as soon as these purposes have been met.\n\n"
        "## 保存\n\n利用目的を達成した後、速やかに個人情報を削除します。\n"
    )
    assert found(tmp_path, text).keys("retention") == ["|while_needed"]


def test_japanese_current_position_and_device_specific_information(tmp_path) -> None:
    text = (
        "# 通知\n\n本製品は、皆様の現在位置を推測するため、GPS を使用します。\n\n"
        "本製品は画面サイズといった端末固有の情報を当社へ送信します。\n"
    )
    keys = set(found(tmp_path, text).keys("category"))
    assert {"user.location", "user.device.telemetry"} <= keys


def test_named_providers_used_to_provide_the_service_and_where_data_is_stored(tmp_path) -> None:
    text = (
        "# Notice\n\nThe Service is operated by Example Corporation. Example Corporation "
        "collects your email address. Example Corporation stores it.\n\n"
        "## Information We Share\n\n**Examplescale.** Examplescale is a cloud "
        "provider. We use Examplescale to provide access to certain models via our Service.\n\n"
        "## Hosting\n\nData is stored on servers at Hostbox Online GmbH in Finland.\n"
    )
    names = {k.partition(":")[2] for k in found(tmp_path, text).keys("recipient")}
    assert {"examplescale", "hostbox online gmbh"} <= names


def test_what_the_reader_shares_with_us_is_no_disclosure_ground(tmp_path) -> None:
    text = (
        "# Notice\n\nWe will retain any personal information you may share with us for as long "
        "as we need to resolve the case, or as otherwise required by law.\n\n"
        "We will release personal information if required by law.\n"
    )
    grounds = [f for f in found(tmp_path, text).of("exception")]
    assert [s.text for f in grounds for s in f.evidence] == [
        "We will release personal information if required by law."
    ]


def test_items_completing_a_use_cookies_to_lead_are_purposes(tmp_path) -> None:
    text = (
        "# Notice\n\n## Using the service\n\nAn email address is required to use the service. "
        "The service also uses cookies to:\n\n- remember that you're logged in\n"
        "- store short-lived messages\n"
    )
    extraction = found(tmp_path, text)
    assert extraction.keys("purpose") == [
        "remember that you're logged in",
        "store short-lived messages",
    ]
    assert "user.contact.email" in extraction.keys("category")


def test_rights_to_change_or_terminate_the_account_and_withdraw_this_consent(tmp_path) -> None:
    text = (
        "# Notice\n\n## Account Information\n\nIf you would at any time like to review or change "
        "the information in your account or terminate your account, you can contact us.\n\n"
        "## Consent\n\nWhere we ask for your consent, you can always withdraw this consent.\n\n"
        "## Deleting\n\nYou can remove all data from the site settings.\n"
    )
    assert set(found(tmp_path, text).keys("right")) == {
        "rectification",
        "erasure",
        "withdraw_consent",
    }


def test_data_a_child_gave_unknowingly_is_deleted_on_discovery(tmp_path) -> None:
    text = (
        "# Notice\n\n## Children\n\nThe Service is not directed to children under 18 years of "
        "age. If the Service unknowingly collects personal information from a child under the "
        "age of 18, we will delete that information as soon as possible.\n"
    )
    assert set(found(tmp_path, text).keys("minors")) == {"minimum_age=18", "on_discovery=delete"}


def test_names_of_sites_browsers_and_models_are_not_personal_names(tmp_path) -> None:
    text = (
        "# Notice\n\nOnly the browser name and version are stored. The service stores the site "
        "name in memory. We receive your name and the model name.\n"
    )
    names = [f for f in found(tmp_path, text).of("category") if f.key == "user.name"]
    assert [s.text for f in names for s in f.evidence] == [
        "We receive your name and the model name."
    ]


def test_a_vendor_named_to_compare_is_not_used(tmp_path) -> None:
    text = (
        "# Notice\n\nThis is essentially what Google Analytics does, but is rather different "
        "from our tool.\n\nWe use Hotjar to understand how the site is used.\n"
    )
    assert found(tmp_path, text).keys("vendor") == ["hotjar"]
