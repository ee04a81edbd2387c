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
    declared = [r.fee for r in policy.rights]
    declared += [t.fee for r in policy.rights for t in r.by_jurisdiction.values()]
    return [fee for fee in declared if fee is not None]


@pytest.mark.parametrize(("name", "lang", "fmt"), EVERY)
def test_example_keeps_its_promises(name: str, lang: str, fmt: str) -> None:
    policy, cat, text = example(name), catalog(Lang(lang)), visible(name, lang, fmt).casefold()
    expected = [
        cat.duration(rule.period) for rule in policy.retention if rule.period and rule.published
    ]
    for deadline in _deadlines(policy):
        for period in (deadline.period, deadline.extension, deadline.extended_to):
            if period:
                expected.append(
                    cat.duration(period, deadline.business_days and period is deadline.period)
                )
    for fee in _fees(policy):
        if fee.amount is not None:
            expected.append(
                cat.money(fee.amount, fee.currency) if fee.currency else f"{fee.amount:,}"
            )
        if fee.kind == "free":
            expected.append(cat("text.fee_free"))
    expected += [r.name.get(lang) for r in policy.recipients]
    expected += [t.label.get(lang) if t.label else t.name for t in policy.trackers]
    expected += [c.value for c in policy.contacts if c.value]
    expected += [c.hours.get(lang) for c in policy.contacts if c.hours]
    expected += [o.name.get(lang) for o in policy.operators]
    missing = [e for e in expected if normalize(e).casefold() not in text]
    assert not missing


@pytest.mark.parametrize(("name", "lang", "fmt"), EVERY)
def test_example_shows_its_operator_as_declared(name: str, lang: str, fmt: str) -> None:
    """A declared address or representative is shown; one the policy does not give is not
    replaced by anything (in particular not by 'answered on request')."""
    policy, cat, text = example(name), catalog(Lang(lang)), visible(name, lang, fmt)
    for operator in policy.operators:
        for field, value in (
            ("address", operator.address),
            ("representative", operator.representative),
        ):
            if value is None:
                assert f"{cat(f'field.{field}')}{cat('label_sep')}" not in text
            elif value == "on_request":
                assert cat("on_request") in text
            else:
                assert isinstance(value, Text) and normalize(value.get(lang)) in text


def test_only_the_translation_defers_to_the_authoritative_language() -> None:
    assert "Japanese version of this Privacy Policy is authoritative" in visible(
        "ainema", "en", "html"
    )
    assert "本ポリシーは日本語版を正本とします。英語版は参考" in visible("ainema", "ja", "html")


def test_a_policy_published_in_one_language_renders_only_that_language() -> None:
    from policykeeper.errors import InputError
    from policykeeper.policy.checks import check_policy
    from policykeeper.policy.models import Languages

    policy = example("ainema").model_copy(
        update={"languages": Languages(authoritative=Lang.ja, published=[Lang.ja])}
    )
    assert not [f for f in check_policy(policy) if "published language" in f.message]
    japanese = render_policy(policy, "ja", "md")
    assert "正本" not in japanese, "no translation to defer to"
    with pytest.raises(InputError, match="not published in 'en'"):
        render_policy(policy, "en", "md")


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
