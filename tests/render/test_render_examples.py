"""Each example's rendered policy carries its promises: periods, deadlines, fees, recipients,
cookies and contacts, in both languages and both formats; AInema's against its seed text."""

from __future__ import annotations

import pytest
from render_support import EXAMPLE_NAMES, FORMATS, LANGS, example, normalize, rendered, visible

from policykeeper.policy.models import Deadline, Fee, Policy
from policykeeper.policy.types import Lang, Text
from policykeeper.render import render_policy
from policykeeper.render.catalog import catalog

EVERY = [(n, lang, fmt) for n in EXAMPLE_NAMES for lang in LANGS for fmt in FORMATS]


def _deadlines(policy: Policy) -> list[Deadline]:
    found = []
    for right in policy.rights:
        found += [right.deadline] if right.deadline else []
        found += [t.deadline for t in right.by_jurisdiction.values() if t.deadline]
    return found


def _fees(policy: Policy) -> list[Fee]:
    return [r.fee for r in policy.rights] + [
        t.fee for r in policy.rights for t in r.by_jurisdiction.values() if t.fee
    ]


@pytest.mark.parametrize(("name", "lang", "fmt"), EVERY)
def test_example_keeps_its_promises(name: str, lang: str, fmt: str) -> None:
    policy, cat, text = example(name), catalog(Lang(lang)), visible(name, lang, fmt)
    expected = [cat.duration(rule.period) for rule in policy.retention if rule.period]
    for deadline in _deadlines(policy):
        if deadline.period:
            expected.append(cat.duration(deadline.period, deadline.business_days))
        if deadline.extension:
            expected.append(cat.duration(deadline.extension))
    for fee in _fees(policy):
        if fee.amount is not None:
            expected.append(cat.money(fee.amount, fee.currency))
        if fee.kind == "free":
            expected.append(cat("text.fee_free"))
    expected += [r.name.get(lang) for r in policy.recipients]
    expected += [t.name for t in policy.trackers]
    expected += [c.value for c in policy.contacts if c.value != "on_request"]
    expected += [c.hours.get(lang) for c in policy.contacts if c.hours]
    expected += [o.name.get(lang) for o in policy.operators]
    missing = [e for e in expected if normalize(e) not in text]
    assert not missing


@pytest.mark.parametrize(("name", "lang", "fmt"), EVERY)
def test_example_names_its_operator_or_says_on_request(name: str, lang: str, fmt: str) -> None:
    policy, text = example(name), visible(name, lang, fmt)
    for operator in policy.operators:
        for value in (operator.address, operator.representative):
            shown = catalog(Lang(lang))("on_request") if value == "on_request" else value.get(lang)
            assert isinstance(value, str | Text)
            assert normalize(shown) in text


@pytest.mark.parametrize("fmt", FORMATS)
def test_ainema_in_japanese_states_the_seed_facts(fmt: str) -> None:
    text = visible("ainema", "ja", fmt)
    for fact in (
        "AInema運営事務局",
        "荒谷 貴斗",
        "〒150-0021 東京都渋谷区恵比寿西2-4-8 ウィンド恵比寿ビル8F",
        "contact@ainema.tv",
        "7年",
        "12か月",
        "30日",
        "1年",
        "2週間以内",
        "無料",
        "Stripe, Inc.",
        "PayPay株式会社",
        "Amazon Web Services (AWS)",
        "ainema_session",
        "件名「個人情報開示請求」",
        "件名「個人情報訂正請求」",
        "カード番号は当社では保存せず、Stripeが直接処理します。",
        "18歳以上",
        "14日前までに",
        "本サービス上でのお知らせ及びご登録のメールアドレスへの通知",
        "米国",
        "2026年3月23日",
        "英語版は参考のための翻訳",
        "組織的安全管理措置",
        "技術的安全管理措置",
        "法人税法",
    ):
        assert fact in text, fact


@pytest.mark.parametrize("fmt", FORMATS)
def test_ainema_in_english_states_the_seed_facts(fmt: str) -> None:
    text = visible("ainema", "en", fmt)
    for fact in (
        "AInema Operations",
        "Takato Araya",
        "contact@ainema.tv",
        "7 years",
        "12 months",
        "30 days",
        "2 weeks",
        "within two weeks of receiving your request",
        "Free of charge",
        "Stripe, Inc.",
        "PayPay Corporation",
        "ainema_session",
        '"Personal Information Disclosure Request"',
        "Card numbers are processed directly by Stripe",
        "18 or older",
        "at least 14 days before",
        "March 23, 2026",
        "The Japanese version of this Privacy Policy is authoritative",
        "United States",
    ):
        assert fact in text, fact


def test_only_the_translation_defers_to_the_authoritative_language() -> None:
    assert "Japanese version of this Privacy Policy is authoritative" in visible(
        "ainema", "en", "html"
    )
    assert "本ポリシーは日本語版を正本とします。英語版は参考" in visible("ainema", "ja", "html")


def test_on_request_is_rendered_as_an_answer_on_request() -> None:
    policy = example("ainema").model_copy(deep=True)
    policy.operators[0].representative = "on_request"
    ja = render_policy(policy, "ja", "md")
    en = render_policy(policy, "en", "md")
    assert "本人の求めに応じて遅滞なく回答します" in ja
    assert "Provided without delay on request" in en
    assert "荒谷" not in ja


@pytest.mark.parametrize(("name", "lang", "fmt"), EVERY)
def test_output_is_deterministic(name: str, lang: str, fmt: str) -> None:
    again = render_policy(example(name), lang, fmt)
    assert again == rendered(name, lang, fmt)
    assert again.encode("utf-8") == rendered(name, lang, fmt).encode("utf-8")


def test_unknown_language_or_format_is_an_input_error() -> None:
    from policykeeper.errors import InputError

    with pytest.raises(InputError, match="language"):
        render_policy(example("ainema"), "fr", "html")
    with pytest.raises(InputError, match="format"):
        render_policy(example("ainema"), "ja", "pdf")
