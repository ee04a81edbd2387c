"""Nothing is printed that the declaration does not say, and what it says keeps its wording.

A bare declaration (a right with a channel, a cookie with a purpose, a recipient with a name)
renders no fee, no deadline, no consent rule, no browser-signal promise, no change clause, no
legal basis, no safeguard, no country and no statutory claim. What the declaration does say keeps
its qualifiers ('as a rule', 'we endeavour to'), its 'or' and 'and', its self-reference and its
negative promises.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
from render_support import normalize, visible_text

from policykeeper.policy.checks import check_policy
from policykeeper.policy.models import Policy
from policykeeper.render import render_policy

BARE: dict[str, Any] = {
    "service": {"name": "Example"},
    "version": "1",
    "languages": {"authoritative": "ja", "published": ["ja", "en"]},
    "jurisdictions": ["appi", "gdpr", "ccpa"],
    "operators": [{"id": "op", "name": {"ja": "例株式会社", "en": "Example Inc."}}],
    "contacts": [{"id": "mail", "kind": "email", "value": "privacy@example.com"}],
    "categories": [
        {"key": "user.contact.email", "label": {"ja": "メールアドレス", "en": "Email address"}}
    ],
    "purposes": [
        {
            "id": "service",
            "label": {"ja": "サービスの提供", "en": "Providing the service"},
            "uses": ["essential.service"],
        }
    ],
    "recipients": [
        {"id": "host", "name": "Host Inc.", "type": "processor", "provision": "entrustment"}
    ],
    "trackers": [{"name": "stats", "kind": "analytics", "purpose": "service"}],
    "rights": [
        {"kind": "access", "channels": [{"contact": "mail"}]},
        {"kind": "rectification", "channels": [{"contact": "mail"}]},
    ],
    "retention": [
        {
            "id": "logs",
            "label": {"ja": "ログ", "en": "Logs"},
            "clock": "collection",
            "period": "30 days",
        }
    ],
    "ccpa": {},
    "gdpr": {},
}


def policy(**changes: Any) -> Policy:
    data = copy.deepcopy(BARE)
    data.update(changes)
    return Policy.model_validate(data)


def text(p: Policy, lang: str) -> str:
    return visible_text(render_policy(p, lang, "md"), "md")


SILENT = {
    "a fee": ("手数料", "Fee"),
    "free of charge": ("無料", "Free of charge"),
    "a deadline": ("回答の期限", "When we respond"),
    "without delay": ("遅滞なく", "Without delay"),
    "a consent rule for cookies": ("同意が必要", "Consent required"),
    "'no consent needed'": ("同意不要", "No consent needed"),
    "cookies that send nothing": ("外部への送信", "Nothing is sent"),
    "a cookie provider": ("当社）", "our own"),
    "a cookie type": ("Cookie |", "| Cookie"),
    "the Telecommunications Business Act": ("電気通信事業法", "Telecommunications Business Act"),
    "GPC": ("Global Privacy Control", "Global Privacy Control"),
    "DNT": ("Do Not Track", "Do Not Track"),
    "a change clause": ("本ポリシーの変更", "Changes to this Policy"),
    "a legal basis": ("法的根拠", "Legal basis"),
    "a safeguard": ("保護措置", "Safeguards"),
    "a country": ("所在国", "Country"),
    "a retention end action": ("期間経過後の取扱い", "Afterwards"),
    "a CCPA sale statement": ("販売", "sell"),
    "a CCPA non-discrimination promise": ("差別", "discriminat"),
    "a complaints window": ("苦情", "omplain"),
    "an answer on request": ("本人の求めに応じて", "on request"),
    "agents": ("代理人", "agent"),
    "an identity check": ("本人確認", "verify your identity"),
    "the UK": ("英国", "United Kingdom"),
    "an extension": ("延長", "extend"),
    "the law's figures": ("法令の定める", "set by law"),
    "a generic security promise": (
        "安全管理のために必要かつ適切な措置",
        "necessary and appropriate",
    ),
}


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_a_bare_declaration_promises_nothing_it_did_not_say(lang: str) -> None:
    rendered = text(policy(), lang)
    said = [what for what, phrases in SILENT.items() if phrases[lang == "en"] in rendered]
    assert said == []
    assert "Host Inc." in rendered and "privacy@example.com" in rendered


def test_what_is_not_stated_is_reported_where_the_law_requires_it() -> None:
    """Not printed, but not silently accepted either: validate names each missing item."""
    messages = [f.message for f in check_policy(policy()) if f.severity != "warning"]
    for expected in (
        "the address of 'op'",
        "the representative of 'op'",
        "利用目的の通知",
        "第三者提供記録の開示",
        "利用停止等",
        "the security measures taken",
        "where to complain",
        "the right to complain to a supervisory authority",
        "needs a legal_basis under the GDPR",
        "whether personal information is sold",
        "the right to non-discrimination",
    ):
        assert any(expected in m for m in messages), expected


@pytest.mark.parametrize(
    ("lang", "phrases"),
    [
        (
            "ja",
            (
                "法令の定める回答期限",
                "遅滞なく（個人情報保護法第33条第2項）",
                "1か月以内、さらに2か月まで延長可（GDPR第12条第3項）",
                "45日以内、さらに45日まで延長可、受領の確認は10営業日以内（CCPA規則第7021条）",
                "無料（GDPR第12条第5項）",
            ),
        ),
        (
            "en",
            (
                "Time limit set by law",
                "Without delay (APPI Art. 33(2))",
                "Within 1 month, extendable by up to 2 months (GDPR Art. 12(3))",
                "Free of charge (CCPA §1798.130(a)(2))",
            ),
        ),
    ],
)
def test_the_laws_figures_only_when_asked_and_labelled_as_the_laws(
    lang: str, phrases: tuple[str, ...]
) -> None:
    assert not any(p in text(policy(), lang) for p in phrases)
    shown = text(policy(show_statutory=True), lang)
    assert all(p in shown for p in phrases), [p for p in phrases if p not in shown]


def with_right(**fields: Any) -> Policy:
    right = {"kind": "access", "channels": [{"contact": "mail"}], **fields}
    return policy(rights=[right])


@pytest.mark.parametrize(
    ("deadline", "ja", "en"),
    [
        ({"period": "2 weeks"}, "2週間以内", "Within 2 weeks"),
        (
            {"period": "2 weeks", "qualifier": "as_a_rule"},
            "原則として2週間以内",
            "Within 2 weeks, as a general rule",
        ),
        (
            {"period": "2 weeks", "qualifier": "best_efforts"},
            "2週間以内に回答するよう努めます",
            "We endeavour to respond within 2 weeks",
        ),
        (
            {"without_delay": True, "qualifier": "best_efforts"},
            "遅滞なく回答するよう努めます",
            "We endeavour to respond without delay",
        ),
        ({"period": "60 days"}, "60日以内", "Within 60 days"),
        (
            {
                "period": "1 month",
                "extended_to": "60 days",
                "extension_when": {"ja": "複雑な場合", "en": "Where requests are complex"},
            },
            "複雑な場合は、請求の受領から60日以内に回答することがあります。",
            "Where requests are complex, we may respond within 60 days of receipt.",
        ),
        (
            {
                "note": {
                    "ja": "合理的な期間内に回答します。",
                    "en": "We respond within a reasonable period.",
                }
            },
            "合理的な期間内に回答します。",
            "We respond within a reasonable period.",
        ),
    ],
)
def test_deadlines_keep_their_qualifier_and_unit(
    deadline: dict[str, Any], ja: str, en: str
) -> None:
    p = with_right(deadline=deadline)
    assert ja in text(p, "ja") and en in text(p, "en")
    if deadline.get("qualifier") is None:
        assert "原則として" not in text(p, "ja") and "努めます" not in text(p, "ja")


@pytest.mark.parametrize(
    ("join", "ja", "en"),
    [
        (
            "or",
            "ご登録のメールアドレスの確認又は本人確認書類の提出",
            "Confirming your registered email address or an identity document",
        ),
        (
            "and",
            "ご登録のメールアドレスの確認及び本人確認書類の提出",
            "Confirming your registered email address and an identity document",
        ),
    ],
)
def test_verification_reads_as_or_or_and_as_declared(join: str, ja: str, en: str) -> None:
    p = with_right(verification=["registered_email", "id_document"], verification_join=join)
    assert ja in text(p, "ja") and en in text(p, "en")


def test_unjoined_methods_are_listed_without_a_conjunction() -> None:
    p = with_right(verification=["registered_email", "id_document"])
    for lang, a, b in (
        ("ja", "ご登録のメールアドレスの確認", "本人確認書類の提出"),
        ("en", "Confirming your registered email address", "An identity document"),
    ):
        rendered = render_policy(p, lang, "md")
        assert a in rendered and b in rendered
        assert f"{a}又は" not in rendered and f"{a} or" not in rendered
        assert f"{a}及び" not in rendered and f"{a} and" not in rendered


@pytest.mark.parametrize(
    ("changes", "ja", "en"),
    [
        (
            {
                "notice_days": 14,
                "qualifier": "best_efforts",
                "channels": [
                    {"ja": "サイト上でのお知らせ", "en": "A notice on the site"},
                    {"ja": "メール", "en": "Email"},
                ],
                "channels_join": "and",
            },
            "変更の効力発生日の14日前までに、サイト上でのお知らせ及びメールによりお知らせするよう努めます。",
            "We will endeavour to tell you by a notice on the site and email at least 14 days before the change takes effect.",
        ),
        (
            {
                "material_changes_only": True,
                "channels": [
                    {"ja": "サイト上でのお知らせ", "en": "A notice on the site"},
                    {"ja": "メール", "en": "Email"},
                ],
                "channels_join": "or",
            },
            "重要な変更を行う場合は、サイト上でのお知らせ又はメールによりお知らせします。",
            "For material changes, we will tell you by a notice on the site or email.",
        ),
        (
            {"effective": "on_posting"},
            "変更後の本ポリシーは、掲載した時点から効力を生じます。",
            "A revised Policy takes effect when it is posted.",
        ),
    ],
)
def test_the_change_clause_says_what_is_declared_and_how(
    changes: dict[str, Any], ja: str, en: str
) -> None:
    p = policy(changes=changes)
    assert ja in text(p, "ja") and en in text(p, "en")


def test_the_operator_is_named_as_it_names_itself_and_its_own_words_are_kept() -> None:
    own_words = {"ja": "当社の規程に従います。", "en": "We follow our rules."}
    p = policy(self_reference="当法人", security=[{"kind": "organizational", "text": own_words}])
    ja = text(p, "ja")
    assert "（以下「当法人」といいます。）" in ja
    assert "当法人は、個人データの安全管理のため" in ja
    assert "当社の規程に従います。" in ja, "the declaration's own text is not rewritten"
    assert "当社は" not in ja.replace("当社の規程", "")


@pytest.mark.parametrize(
    ("statement", "ja", "en"),
    [
        (
            {"kind": "not_collected", "categories": ["user.government_id.my_number"]},
            "当社は、個人番号（マイナンバー）を取得しません。",
            "We do not collect my Number (individual number).",
        ),
        (
            {"kind": "on_device", "categories": ["user.biometrics"]},
            "生体情報は、利用者の端末内にとどまり、当社には送信されません。",
            "Biometrics stay on your device and are not sent to us.",
        ),
        (
            {
                "kind": "only_for_purposes",
                "categories": ["user.contact.email"],
                "purposes": ["service"],
            },
            "メールアドレスは、サービスの提供の目的以外には利用しません。",
            "We use email address only for providing the service, and for no other purpose.",
        ),
        (
            {"kind": "not_used_for", "categories": ["user.contact.email"], "uses": ["marketing"]},
            "当社は、メールアドレスをマーケティングに利用しません。",
            "We never use email address for marketing.",
        ),
        (
            {
                "kind": "not_collected",
                "categories": ["user.health"],
                "text": {"ja": "健康情報は取得しません。", "en": "We never ask about your health."},
            },
            "健康情報は取得しません。",
            "We never ask about your health.",
        ),
    ],
)
def test_negative_and_on_device_promises_render_as_statements(
    statement: dict[str, Any], ja: str, en: str
) -> None:
    p = policy(statements=[statement])
    assert [f for f in check_policy(p) if f.severity == "error"] == []
    assert normalize(ja) in text(p, "ja") and normalize(en) in text(p, "en")


def test_a_negative_promise_the_declaration_contradicts_is_an_error() -> None:
    p = policy(
        statements=[{"kind": "not_provided", "categories": ["user.contact.email"]}],
        recipients=[
            {
                "id": "buyer",
                "name": "Buyer",
                "type": "third_party",
                "provision": "consent",
                "categories": ["user.contact.email"],
                "countries": ["JP"],
            }
        ],
    )
    errors = [f.message for f in check_policy(p) if f.severity == "error"]
    assert errors == [
        "says user.contact.email is not provided to third parties, but a recipient receives it"
    ]


def sensitive(key: str, jurisdictions: list[str]) -> Policy:
    category = {
        "key": key,
        "label": {"ja": "項目", "en": "Item"},
        "sensitive": True,
        "sensitive_consent": {"ja": "同意を得ます。", "en": "With consent."},
    }
    return policy(jurisdictions=jurisdictions, categories=[*BARE["categories"], category])


def test_special_care_data_is_called_by_each_laws_own_term() -> None:
    appi = text(sensitive("user.health.medical_history", ["appi"]), "ja")
    assert "要配慮個人情報" in appi
    orientation = sensitive("user.demographic.sexual_orientation", ["appi"])
    assert "要配慮個人情報" not in text(orientation, "ja")
    assert "取扱いに特に配慮を要する情報" in text(orientation, "ja")
    assert any(
        f.severity == "warning" and "is not 要配慮個人情報" in f.message
        for f in check_policy(orientation)
    )
    gdpr = sensitive("user.demographic.sex_life", ["gdpr"])
    assert "特別な種類の個人データ（GDPR第9条）" in text(gdpr, "ja")
    assert "Special category of personal data (GDPR Art. 9)" in text(gdpr, "en")
    assert "要配慮個人情報" not in text(gdpr, "ja")


@pytest.mark.parametrize(
    ("kind", "term"),
    [
        ("anonymized", "匿名化した情報"),
        ("pseudonymized", "仮名化した情報"),
        ("anonymously_processed", "匿名加工情報"),
        ("pseudonymously_processed", "仮名加工情報"),
    ],
)
def test_appi_processed_information_terms_only_when_declared_as_such(kind: str, term: str) -> None:
    use = {
        "id": "stats",
        "kind": kind,
        "label": {"ja": "分析", "en": "Analysis"},
        "items_published": {"ja": "年代", "en": "Age range"},
    }
    ja = text(policy(anonymized_uses=[use]), "ja")
    assert term in ja
    for other in ("匿名加工情報", "仮名加工情報"):
        assert (other in ja) is (other == term)


def test_recipients_are_structured_as_the_appi_structures_them() -> None:
    recipients = [
        {"id": "a", "name": "Processor A", "type": "processor", "provision": "entrustment"},
        {
            "id": "b",
            "name": "Partner B",
            "type": "joint_use",
            "provision": "joint_use",
            "joint_use": {
                "items": ["user.contact.email"],
                "users": "B",
                "purposes": "P",
                "responsible": {"name": "Example Inc.", "address": "Tokyo"},
                "responsible_representative": "Taro",
            },
        },
        {"id": "c", "name": "Buyer C", "type": "third_party", "provision": "consent"},
        {
            "id": "d",
            "name": "Successor D",
            "type": "third_party",
            "provision": "business_succession",
        },
    ]
    p = policy(
        jurisdictions=["appi"],
        recipients=recipients,
        provision_exceptions=["law", "entrustment", "joint_use"],
    )
    ja = render_policy(p, "ja", "md")
    for heading in (
        "### 4.1 個人データの取扱いの委託",
        "### 4.2 共同利用",
        "### 4.3 事業の承継",
        "### 4.4 第三者への提供（本人の同意に基づく提供）",
    ):
        assert heading in ja, heading
    third_party, not_third_party = ja.split(
        "次の場合は、個人データの提供を受ける者は第三者に該当しません。"
    )
    assert "法令に基づく場合" in third_party and "委託する場合" not in third_party
    assert "委託する場合" in not_third_party and "共同して利用する場合" in not_third_party
    assert "保有個人データについて次の請求" in ja


def test_rights_that_share_a_procedure_print_it_once() -> None:
    shared = {
        "channels": [{"contact": "mail"}],
        "deadline": {"period": "2 weeks"},
        "verification": ["registered_email"],
    }
    p = policy(
        rights=[{"kind": k, **shared} for k in ("access", "rectification", "restriction")]
        + [{"kind": "erasure", "channels": [{"contact": "mail"}], "deadline": {"period": "1 week"}}]
    )
    ja = text(p, "ja")
    assert ja.count("2週間以内") == 1 and ja.count("1週間以内") == 1
    assert ja.count("privacy@example.com") == 1 + 1, "once for the requests, once in the contacts"
    assert "回答の期限（保有個人データの開示、訂正・追加・削除、利用停止・消去）：2週間以内" in ja
    assert "本人確認の方法（保有個人データの開示、訂正・追加・削除、利用停止・消去）" in ja


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_a_rule_the_policy_does_not_state_is_never_rendered(lang: str) -> None:
    """Audiostock keeps sales records for the Corporation Tax Act's seven years, which its
    policy does not say: the rule is bound and swept, and marked published: false."""
    rule = {
        "id": "transactions",
        "label": {"ja": "取引記録", "en": "Transaction records"},
        "categories": ["user.contact.email"],
        "clock": "statutory",
        "period": "7 years",
        "statute": {"ja": "法人税法", "en": "Corporation Tax Act"},
    }
    shown = policy(retention=[rule])
    hidden = policy(retention=[{**rule, "published": False}])
    words = {"ja": ("取引記録", "法人税法"), "en": ("Transaction records", "Corporation Tax Act")}
    assert all(word in text(shown, lang) for word in words[lang])
    assert not any(word in text(hidden, lang) for word in words[lang])
    assert hidden.retention[0].id == "transactions"  # still declared, for binding and sweeps
