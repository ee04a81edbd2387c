"""Differences between declarations in the declaration's own terms, and which are material."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from lifecycle_kit import AINEMA

from policykeeper.lifecycle.diff import Change, describe, diff, is_material
from policykeeper.policy import load_policy

Json = dict[str, Any]


@pytest.fixture(scope="module")
def base() -> Json:
    return load_policy(AINEMA).model_dump(mode="json")


def changed(base: Json, edit: Any) -> Json:
    new = copy.deepcopy(base)
    edit(new)
    return new


def kinds(changes: list[Change]) -> dict[str, bool]:
    return {c.kind: c.material for c in changes}


def item(declaration: Json, section: str, key: str, value: str) -> Json:
    return next(i for i in declaration[section] if i[key] == value)


def test_the_same_declaration_under_a_new_version_label_is_no_change(base: Json) -> None:
    relabelled = changed(
        base, lambda d: d.update(version="2027-01-01", effective_date="2027-01-01")
    )
    assert diff(base, relabelled) == []


def test_a_new_purpose_and_a_purpose_using_more_data_are_material(base: Json) -> None:
    def edit(d: Json) -> None:
        d["purposes"].append(
            {
                "id": "ai_training",
                "label": {"ja": "AIモデルの学習", "en": "AI model training"},
                "uses": ["functional.service.improve"],
                "categories": ["user.behavior.media_consumption"],
            }
        )
        item(d, "purposes", "id", "recommendations")["categories"].append("user.device.ip_address")

    changes = diff(base, changed(base, edit))
    assert kinds(changes) == {"purpose_added": True, "purpose_categories_added": True}
    assert [describe(c, "ja") for c in changes] == [  # in the declaration's order
        "利用目的「レコメンド」に利用する情報として、「IPアドレス」を追加しました。",
        "利用目的「AIモデルの学習」を追加しました。",
    ]
    assert describe(changes[1], "en") == "New purpose: AI model training."


def test_recipients_countries_and_data_to_a_recipient(base: Json) -> None:
    def edit(d: Json) -> None:
        paypay = item(d, "recipients", "id", "paypay")
        paypay["countries"].append("SG")
        paypay["categories"].append("user.contact.email")

    changes = diff(base, changed(base, edit))
    assert kinds(changes) == {"recipient_countries_added": True, "recipient_categories_added": True}
    assert describe(changes[0], "ja") == "「PayPay株式会社」の所在国にシンガポールを追加しました。"
    removed = diff(base, changed(base, lambda d: d["recipients"].pop()))
    assert kinds(removed) == {"recipient_removed": False}
    assert describe(removed[0], "ja").startswith("委託先から「")


def test_entrustment_turned_into_third_party_provision_is_material(base: Json) -> None:
    changes = diff(
        base,
        changed(base, lambda d: item(d, "recipients", "id", "neon").update(provision="consent")),
    )
    assert kinds(changes) == {"recipient_provision_changed": True}
    assert describe(changes[0], "ja") == (
        "「Neon Inc.」への提供の根拠を「業務の委託」から「本人の同意」に変更しました。"
    )


def test_longer_retention_is_material_and_shorter_is_not(base: Json) -> None:
    longer = diff(
        base,
        changed(base, lambda d: item(d, "retention", "id", "access_logs").update(period="2 years")),
    )
    assert kinds(longer) == {"retention_longer": True}
    assert describe(longer[0], "ja") == "「アクセスログ」の保存期間を12か月から2年に延長しました。"
    assert describe(longer[0], "en") == "Access logs is kept longer: 2 years instead of 12 months."
    shorter = diff(
        base,
        changed(
            base, lambda d: item(d, "retention", "id", "access_logs").update(period="6 months")
        ),
    )
    assert kinds(shorter) == {"retention_shorter": False}
    unlimited = diff(
        base,
        changed(
            base,
            lambda d: item(d, "retention", "id", "access_logs").update(
                period=None, clock="while_needed"
            ),
        ),
    )
    assert kinds(unlimited) == {"retention_longer": True, "retention_clock_changed": False}


def test_new_sensitive_data_is_material_and_other_new_data_is_not(base: Json) -> None:
    def add(key: str, label: str, sensitive: bool) -> Any:
        return lambda d: d["categories"].append(
            {
                "key": key,
                "label": {"ja": label, "en": label},
                "sources": ["provided"],
                "sensitive": sensitive,
            }
        )

    plain = diff(base, changed(base, add("user.demographic.age_range", "年代", False)))
    assert kinds(plain) == {"category_added": False}
    health = diff(base, changed(base, add("user.health_and_medical", "病歴", True)))
    assert kinds(health) == {"category_added_sensitive": True}
    assert (
        describe(health[0], "ja", ["appi"])
        == "取得する情報に「病歴」（要配慮個人情報）を追加しました。"
    )
    assert (
        describe(health[0], "en", ["gdpr"]) == "New data collected: 病歴 (special-category data)."
    )


def test_fees_deadlines_and_rights(base: Json) -> None:
    fee = diff(
        base,
        changed(
            base,
            lambda d: item(d, "rights", "kind", "access").update(
                fee={"kind": "fixed", "amount": 1000, "currency": "JPY"}
            ),
        ),
    )
    assert kinds(fee) == {"fee_changed": True}
    assert describe(fee[0], "ja") == "「開示」の手数料を無料から1,000円に変更しました。"
    cheaper = diff(
        changed(
            base,
            lambda d: item(d, "rights", "kind", "access").update(
                fee={"kind": "fixed", "amount": 1000, "currency": "JPY"}
            ),
        ),
        base,
    )
    assert kinds(cheaper) == {"fee_changed": False}
    slower = diff(
        base,
        changed(
            base,
            lambda d: item(d, "rights", "kind", "erasure").update(deadline={"period": "1 month"}),
        ),
    )
    assert kinds(slower) == {"deadline_changed": True}
    gone = diff(base, changed(base, lambda d: d["rights"].pop()))
    assert kinds(gone) == {"right_removed": True}


def test_weaker_consent_is_material(base: Json) -> None:
    opt_in = changed(
        base, lambda d: item(d, "purposes", "id", "analytics").update(consent="opt_in")
    )
    weaker = diff(opt_in, base)
    assert kinds(weaker) == {"purpose_consent_changed": True}
    assert kinds(diff(base, opt_in)) == {"purpose_consent_changed": False}


def test_other_sections_are_named_and_material_changes_come_first(base: Json) -> None:
    def edit(d: Json) -> None:
        d["security"].append({"kind": "technical", "text": {"ja": "多要素認証", "en": "MFA"}})
        d["purposes"][0]["label"] = {"ja": "サービスの提供", "en": "Service"}
        d["recipients"].append(
            {"id": "x", "name": "X", "type": "processor", "provision": "entrustment"}
        )

    changes = diff(base, changed(base, edit))
    assert [c.material for c in changes] == [True, False, False]
    assert "「安全管理措置」の記載を変更しました。" in [describe(c, "ja") for c in changes]
    assert is_material(changes)


def test_a_declaration_missing_fields_a_newer_model_has_still_compares(base: Json) -> None:
    old = copy.deepcopy(base)
    del old["changes"], old["signals"]
    for purpose in old["purposes"]:
        del purpose["consent"]
    assert diff(old, base) == [
        Change("section_changed", False, {"section": "signals"}),
        Change("section_changed", False, {"section": "changes"}),
    ]


def test_every_kind_of_change_reads_in_both_languages(base: Json) -> None:
    def edit(d: Json) -> None:
        d["jurisdictions"].append("gdpr")
        d["trackers"].append(
            {"name": "pixel", "kind": "advertising", "purpose": "analytics", "provider": "Ads"}
        )
        d["operators"].append(
            {"id": "partner", "name": "Partner K.K.", "address": "Tokyo", "representative": "A"}
        )
        item(d, "operators", "id", "ainema")["representative"] = {"ja": "新代表", "en": "New CEO"}
        item(d, "categories", "key", "user.device.ip_address")["sources"].append("partners")

    changes = diff(base, changed(base, edit)) + diff(changed(base, edit), base)
    texts = {c.kind: (describe(c, "ja"), describe(c, "en")) for c in changes}
    assert texts["jurisdiction_added"] == (
        "適用する法令にEU（GDPR）を追加しました。",
        "The policy now also covers EU (GDPR).",
    )
    assert texts["tracker_added"][0] == "Cookie等「pixel」を追加しました。"
    assert texts["operator_added"] == (
        "個人情報を取り扱う事業者に「Partner K.K.」を追加しました。",
        "New business handling personal data: Partner K.K.",
    )
    assert {"operator_changed", "category_sources_added", "jurisdiction_removed"} <= set(texts)
    assert all(ja and en and "{" not in ja + en for ja, en in texts.values())
