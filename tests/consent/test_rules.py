"""What the declarations make consentable, which purposes GPC and DNT cover, the signed cookie,
and re-consent when a new policy version widens what a consent covered."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import date

import pytest
from consent_kit import KEY, example

from policykeeper.consent import Catalog
from policykeeper.consent.cookie import CookieSigner, DeviceCookie, ForgedCookie
from policykeeper.consent.reconsent import reconsent_diff
from policykeeper.consent.service import ConsentService
from policykeeper.consent.signals import SignalRules
from policykeeper.policy.models import Policy

Make = Callable[..., ConsentService]


def test_jasminai_items_follow_its_declaration() -> None:
    catalog = Catalog.from_policy(example("jasminai"))
    mechanisms = {key: item.mechanism for key, item in catalog.items.items()}
    assert mechanisms == {
        "profile": "opt_in",
        "profile_sexual_preferences": "opt_in",
        "sensitive_services": "opt_in",
        "analytics_cookies": "opt_in",
        "marketing": "opt_out",
        "personalization": "opt_in",
    }
    assert [item.key for item in catalog.on_device()] == ["analytics_cookies", "personalization"]
    assert catalog.kinds() == {
        "analytics": ["analytics_cookies"],
        "personalization": ["personalization"],
    }
    assert catalog.items["sensitive_services"].purpose.withdrawal_effect == "deactivate_account"


def test_ainema_analytics_cookie_needs_consent_and_the_session_cookie_does_not() -> None:
    catalog = Catalog.from_policy(example("ainema"))
    assert list(catalog.items) == ["analytics"]
    assert catalog.items["analytics"].mechanism == "opt_in"
    assert [t.name for t in catalog.necessary] == ["ainema_session"]


def test_gpc_covers_audiostocks_targeted_advertising_and_sharing() -> None:
    rules = SignalRules.from_catalog(Catalog.from_policy(example("audiostock")))
    assert rules.purposes == ("statistics", "targeted_advertising")
    assert rules.from_headers({"sec-gpc": "1"}) == "gpc"
    assert rules.from_headers({"dnt": "1"}) is None
    assert rules.well_known(date(2026, 1, 1)) is None  # honoured, but never promised: no file
    declared = dataclasses.replace(rules, declared_gpc=True)
    assert declared.well_known(date(2026, 1, 1)) == {"gpc": True, "lastUpdate": "2020-07-01"}


def test_dnt_counts_only_where_the_declaration_promises_it() -> None:
    jasminai = SignalRules.from_catalog(Catalog.from_policy(example("jasminai")))
    ainema = SignalRules.from_catalog(Catalog.from_policy(example("ainema")))
    assert jasminai.from_headers({"dnt": "1"}) == "dnt"
    assert ainema.from_headers({"dnt": "1"}) is None
    assert ainema.from_headers({"sec-gpc": "0"}) is None


def test_the_cookie_round_trips_and_a_forged_one_is_refused() -> None:
    signer = CookieSigner(KEY)
    cookie = DeviceCookie.new("v1")
    cookie.choices = {"analytics": [1, "abc"]}
    value = signer.dump(cookie)
    assert signer.load(value) == cookie
    payload, _, signature = value.rpartition(".")
    tampered = payload.replace(payload[5], "A" if payload[5] != "A" else "B") + "." + signature
    for forged in (tampered, "garbage", value + "x", CookieSigner(b"other-key").dump(cookie)):
        with pytest.raises(ForgedCookie):
            signer.load(forged)


def widened(policy: Policy, purpose: str, category: str) -> Policy:
    purposes = [
        p.model_copy(update={"categories": [*p.categories, category]}) if p.id == purpose else p
        for p in policy.purposes
    ]
    return policy.model_copy(update={"purposes": purposes, "version": "2026-01-01"})


def test_a_wider_scope_asks_again_and_says_what_changed(make_lite: Make) -> None:
    old = example("jasminai")
    new = widened(old, "personalization", "user.location.precise")
    assert reconsent_diff(old, new) == {
        "personalization": [
            {"field": "categories", "added": ["user.location.precise"], "removed": []}
        ]
    }
    before = make_lite(old)
    before.ledger.record(
        "user_id=9",
        {"personalization": True, "analytics_cookies": True},
        source="banner",
        language="en",
    )
    after = make_lite(new)
    state = after.state("user_id=9")
    assert state["personalization"].needs_reconsent and not state["personalization"].allowed
    assert state["analytics_cookies"].allowed and not state["analytics_cookies"].needs_reconsent
    assert not after.allowed("user_id=9", "personalization")
    after.ledger.record("user_id=9", {"personalization": True}, source="banner", language="en")
    assert after.allowed("user_id=9", "personalization")


def test_a_new_version_that_changes_nothing_consented_asks_nothing() -> None:
    old = example("jasminai")
    new = old.model_copy(update={"version": "2026-02-02"})
    assert reconsent_diff(old, new) == {}
