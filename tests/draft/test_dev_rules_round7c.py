"""Rules of the seventh quality round's third batch (an app's privacy policy, Japanese and
English, rich in denials, short retention periods and recipients named by their role), each
general, each against a development miss, each with a negative control.

Every text here is written for the test, in forms privacy policies commonly use; none is taken
from the held-out policies.
"""

from __future__ import annotations

from draft_kit import write

from policykeeper.draft import dates
from policykeeper.draft.extract import extract
from policykeeper.draft.sources import read_source


def found(tmp_path, text: str, name: str = "p.md"):
    return extract(read_source(write(tmp_path, name, text)).sentences)


def keys(tmp_path, text: str, kind: str) -> set[str]:
    return set(found(tmp_path, text).keys(kind))


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
