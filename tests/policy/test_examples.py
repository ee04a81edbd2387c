"""Facts the example declarations keep from their seed policies, read through the Python API."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from policykeeper.cli import app
from policykeeper.policy import Policy, load_policy
from policykeeper.policy.checks import check_policy
from policykeeper.policy.models import (
    ConsentMode,
    Jurisdiction,
    Provision,
    ProvisionException,
    RecipientType,
    RequestGround,
    Right,
    RightKind,
    Verification,
)
from policykeeper.policy.types import Lang

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
SEEDED = ["allin-studio", "audiostock", "nicori"]


@pytest.fixture(scope="module")
def allin() -> Policy:
    return load_policy(EXAMPLES / "allin-studio")


@pytest.fixture(scope="module")
def audiostock() -> Policy:
    return load_policy(EXAMPLES / "audiostock")


@pytest.fixture(scope="module")
def nicori() -> Policy:
    return load_policy(EXAMPLES / "nicori")


def _right(policy: Policy, kind: RightKind) -> Right:
    right = policy.right(kind)
    assert right is not None, f"no '{kind.value}' right declared"
    return right


MISSING = {
    "ainema": [
        "where to complain",
        "on what basis 'stripe' in US",
        "on what basis 'aws' in US",
        "on what basis 'vercel' in US",
        "利用目的の通知",
        "第三者提供記録の開示",
        "外的環境の把握",
    ],
    "allin-studio": [
        "the security measures taken",
        "the representative of 'allin'",
        "where to complain",
        "利用目的の通知",
        "第三者提供記録の開示",
        "how to pay the fee",
    ],
    "audiostock": [
        "the representative of 'audiostock'",
        "the address and representative of the party responsible for the joint use",
        "利用停止等",
        "利用目的の通知",
        "第三者提供記録の開示",
        "how to pay the fee",
        "the amount of the fee",
        "APPI allows no fee for 'rectification'",
    ],
    "nicori": [
        "where to complain",
        "the address of 'nicori'",
        "the representative of 'nicori'",
        "on what basis 'sellers' receives personal data",
        "利用停止等",
        "利用目的の通知",
        "第三者提供記録の開示",
        "a usable channel for 'access'",
        "a usable channel for 'rectification'",
        "warning: the Japanese text will show 'Mami Minami' in Latin letters",
    ],
    "jasminai": ["whether personal information is shared for cross-context behavioral advertising"],
}
"""What each original policy leaves out or gets wrong under its law, one finding each: validate
says so (exit 1) instead of the example filling it in."""


@pytest.mark.parametrize("name", sorted(MISSING))
def test_validate_lists_what_each_original_leaves_out(name: str) -> None:
    result = CliRunner().invoke(app, ["validate", str(EXAMPLES / name)])
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == len(MISSING[name]), lines
    for expected, line in zip(MISSING[name], _in_file_order(lines, MISSING[name]), strict=True):
        assert expected in line


def _in_file_order(lines: list[str], expected: list[str]) -> list[str]:
    """The line matching each expected phrase, so the comparison ignores line order."""
    return [next(line for line in lines if phrase in line) for phrase in expected]


@pytest.mark.parametrize("name", sorted(MISSING))
def test_examples_load_and_render_despite_the_law_findings(name: str) -> None:
    """Findings of the law do not stop the policy from being used or published as written."""
    policy = load_policy(EXAMPLES / name)
    assert all(severity != "error" for _, _, severity in check_policy(policy))


def test_nicori_fails_validate_because_it_gives_no_way_to_send_a_request() -> None:
    """The original says 'send a copy of your ID to us' and never says where."""
    result = CliRunner().invoke(app, ["validate", str(EXAMPLES / "nicori")])
    assert result.exit_code == 1
    assert (
        "missing: a usable channel for 'access': the policy gives no address, email, form or "
        "phone to send the request to"
    ) in result.stderr
    nicori = load_policy(EXAMPLES / "nicori")
    assert nicori.contacts == [] and all(r.channels == [] for r in nicori.rights)


@pytest.mark.parametrize("name", SEEDED)
def test_seeded_examples_publish_japanese_as_authoritative(name: str) -> None:
    policy = load_policy(EXAMPLES / name)
    assert policy.languages.authoritative is Lang.ja
    assert set(policy.languages.published) == {Lang.ja, Lang.en}
    assert [j.value for j in policy.jurisdictions] == ["appi"]


def test_allin_charges_1000_yen_per_disclosure_and_says_nothing_else_about_fees(
    allin: Policy,
) -> None:
    fee = _right(allin, RightKind.access).fee
    assert fee is not None
    assert (fee.kind, fee.amount, fee.currency) == ("fixed", 1000, "JPY")
    assert fee.unit is not None and fee.unit.get("ja") == "1件あたり"
    assert fee.payment_methods == []
    for kind in (RightKind.rectification, RightKind.restriction):
        assert _right(allin, kind).fee is None


def test_allin_refusal_grounds_and_history_information_withheld(allin: Policy) -> None:
    access = _right(allin, RightKind.access)
    assert [g.id for g in access.refusal_grounds] == [
        "harm_to_rights",
        "business_impediment",
        "violation_of_law",
    ]
    assert access.deadline is not None and access.deadline.without_delay
    assert access.withheld is not None and "履歴情報及び特性情報" in access.withheld.get("ja")
    assert access.outcome_notice is not None
    history = {c.key for c in allin.categories if c.history_information}
    assert {"user.device.ip_address", "user.device.cookie", "user.location"} <= history
    assert "user.name" not in history


def test_allin_suspension_only_on_stated_grounds_with_substitute(allin: Policy) -> None:
    restriction = _right(allin, RightKind.restriction)
    assert restriction.grounds == [
        RequestGround.beyond_purpose,
        RequestGround.improper_acquisition,
    ]
    assert restriction.substitute_measures is not None
    assert _right(allin, RightKind.rectification).grounds == [RequestGround.inaccurate]


def test_allin_creator_publication_needs_separate_consent(allin: Policy) -> None:
    works = allin.purpose("works_publication")
    assert works is not None
    assert works.consent is ConsentMode.opt_in
    assert works.uses == ["publication"]
    assert works.subjects == ["creator"]
    entries = allin.purpose("creator_entries")
    assert (
        entries is not None and "user.professional_information.portfolio_url" in entries.categories
    )
    assert allin.incidental_purposes


def test_allin_provision_exceptions_include_announced_opt_out(allin: Policy) -> None:
    assert ProvisionException.opt_out in allin.provision_exceptions
    assert {
        ProvisionException.law,
        ProvisionException.life_body_property,
        ProvisionException.public_health_children,
        ProvisionException.state_cooperation,
        ProvisionException.entrustment,
        ProvisionException.business_succession,
        ProvisionException.joint_use,
    } <= set(allin.provision_exceptions)
    announced = allin.provision_exception_notes[ProvisionException.opt_out].get("ja")
    for item in ("第三者への提供を含むこと", "データの項目", "手段又は方法", "停止すること"):
        assert item in announced


def test_allin_operator_and_changes(allin: Policy) -> None:
    operator = allin.operators[0]
    assert operator.representative is None, "the policy names no representative"
    assert operator.address is not None and operator.address.get("en").endswith(
        "Tokyo 150-0011, Japan"
    )
    assert allin.contact("email").value == "filmproduction@allhero.co.jp"
    assert allin.effective_date is None
    assert allin.security == [] and not allin.security_on_request
    assert all(p.legal_basis is None for p in allin.purposes), "an APPI-only policy"
    assert allin.changes is not None and allin.changes.without_notice
    assert allin.changes.effective is None, "its own words say when: 'except as otherwise set'"


def test_audiostock_requests_arrive_by_post_with_identity_documents(audiostock: Policy) -> None:
    for kind in (RightKind.access, RightKind.rectification):
        right = _right(audiostock, kind)
        channel = right.channels[0]
        assert audiostock.contact(channel.contact).kind == "postal"
        assert right.verification == [Verification.postal_application, Verification.id_document]
        assert right.verification_join == "and", "an application together with an ID copy"
        assert right.agents is not None and right.agents.allowed
        assert "代理権" in right.agents.proof.get("ja")
        assert right.deadline is None, "the policy states no deadline"


def test_audiostock_charges_the_registered_mail_cost_on_every_request(audiostock: Policy) -> None:
    """As the policy says, corrections included; validate reports that APPI forbids it."""
    for kind in (RightKind.access, RightKind.rectification):
        fee = _right(audiostock, kind).fee
        assert fee is not None and fee.kind == "actual_cost" and fee.amount is None
        assert fee.note is not None and "書留郵便" in fee.note.get("ja")


def test_audiostock_joint_use_announces_every_item(audiostock: Policy) -> None:
    partner = audiostock.recipient("audiostock_artists")
    assert partner is not None
    assert partner.type is RecipientType.joint_use and partner.provision is Provision.joint_use
    joint = partner.joint_use
    assert joint is not None
    assert joint.items == [
        "user.name",
        "user.contact.address.postal_code",
        "user.contact.address",
        "user.contact.phone_number",
        "user.contact.email",
        "user.behavior",
        "user.device.ip_address",
        "user.device.device_id",
        "user.device.cookie",
    ]
    assert "Audiostock Artists" in joint.purposes.get("en")
    assert joint.responsible.name.get("en") == "Audiostock Inc."
    assert joint.responsible.address is None and joint.responsible_representative is None
    assert partner.countries_unknown and not partner.countries


def test_audiostock_targeted_ads_use_non_identifiable_data_under_conditions(
    audiostock: Policy,
) -> None:
    ads = audiostock.recipient("advertising_providers")
    assert ads is not None
    assert ads.type is RecipientType.advertising_partner
    assert not ads.identifiable and ads.provision is Provision.not_identifiable
    assert len(ads.conditions) == 2
    modules = [t for t in audiostock.trackers if t.type == "module"]
    assert {t.kind for t in modules} == {"analytics", "advertising"}
    assert not any(t.consent_required for t in modules)
    assert all(t.label is not None for t in modules), "shown by name, not by key"
    statistics = audiostock.anonymized_uses[0]
    assert statistics.kind == "statistical" and statistics.recipients == ["statistics_recipients"]
    rule = audiostock.rule("activity_history")
    # No period, so it is reviewed, not swept; licences are kept under it (datamap.yaml).
    assert rule is not None and rule.clock.value == "while_needed" and rule.period is None


def test_audiostock_inquiry_center_history_and_manager(audiostock: Policy) -> None:
    phone = audiostock.contact("phone")
    assert phone is not None and phone.kind == "phone"
    assert phone.hours is not None and "10:00" in phone.hours.get("ja")
    assert "18:00" in phone.hours.get("en") and "Weekdays" in phone.hours.get("en")
    assert audiostock.complaints.contact == "phone"
    assert [r.date.isoformat() for r in audiostock.history] == [
        "2018-10-17",
        "2018-10-17",
        "2019-04-23",
        "2019-08-06",
        "2020-07-01",
    ]
    assert audiostock.effective_date.isoformat() == "2020-07-01"
    manager = audiostock.privacy_manager
    assert manager is not None and manager.name is None
    assert manager.title.get("en") == "Representative Director"
    assert {s.id for s in audiostock.sections} >= {"disclaimer", "external_links"}


def test_nicori_verifies_disclosure_with_an_id_copy(nicori: Policy) -> None:
    access = _right(nicori, RightKind.access)
    assert access.verification == [Verification.id_document]
    assert access.verification_note is not None
    assert "運転免許証" in access.verification_note.get("ja")
    assert access.deadline is not None and not access.deadline.without_delay
    assert access.deadline.note is not None and "確認でき次第" in access.deadline.note.get("ja")
    rectification = _right(nicori, RightKind.rectification)
    assert rectification.outcome_notice is not None
    assert "メールアドレス" in rectification.outcome_notice.get("ja")


def test_nicori_security_measures_and_manager(nicori: Policy) -> None:
    kinds = {m.kind for m in nicori.security}
    assert {"organizational", "human", "physical", "technical"} <= kinds
    human = [m.text.get("ja") for m in nicori.security if m.kind == "human"]
    assert any("誓約" in text for text in human)
    assert nicori.privacy_manager is not None
    assert nicori.privacy_manager.name.get("en") == "Mami Minami"
    assert nicori.privacy_manager.name.get("ja") == "Mami Minami", "the only form the policy gives"


def test_nicori_marketing_only_with_prior_approval_and_changes(nicori: Policy) -> None:
    promotions = nicori.purpose("promotions")
    assert promotions is not None and promotions.consent is ConsentMode.opt_in
    assert nicori.changes is not None and nicori.changes.without_notice
    assert nicori.incidental_purposes
    operator = nicori.operators[0]
    assert (operator.address, operator.representative, operator.country) == (None, None, None)
    assert nicori.recipient("sellers").provision is None, "the policy gives no basis"


# --- jasminai (seed 002): joint controllers in Luxembourg, GDPR and CCPA --------------------


@pytest.fixture(scope="module")
def jasminai() -> Policy:
    return load_policy(EXAMPLES / "jasminai")


def test_jasminai_english_is_authoritative_under_gdpr_and_ccpa(jasminai: Policy) -> None:
    assert jasminai.languages.authoritative is Lang.en
    assert set(jasminai.languages.published) == {Lang.en, Lang.ja}
    assert [j.value for j in jasminai.jurisdictions] == ["gdpr", "ccpa"]
    assert jasminai.version == "2025-03-03"
    assert str(jasminai.effective_date) == "2025-03-03"


def test_jasminai_joint_controllers_share_one_contact_point(jasminai: Policy) -> None:
    operators = {o.id: o for o in jasminai.operators}
    assert set(operators) == {"jws_americas", "jws_international"}
    assert all(o.role == "joint_controller" and o.country == "LU" for o in operators.values())
    registrations = {o.id: o.registration.get("en") for o in operators.values() if o.registration}
    assert registrations["jws_americas"].endswith("B 249539")
    assert registrations["jws_international"].endswith("B 249566")
    assert jasminai.gdpr is not None and jasminai.gdpr.joint_arrangement is not None
    assert "Article 26" in jasminai.gdpr.joint_arrangement.get("en")
    joint_contact = jasminai.contact(jasminai.gdpr.joint_contact or "")
    assert joint_contact is not None and joint_contact.value == "dsr@jwsprivacy.com"
    assert jasminai.privacy_manager is not None
    dpo_channels = [jasminai.contact(c) for c in jasminai.privacy_manager.contacts]
    assert "dpo@jasmin.ai" in [c.value for c in dpo_channels if c is not None]


@pytest.mark.parametrize(
    ("rule_id", "period", "clock", "enforced"),
    [
        ("guests", "15 days", "collection", True),
        ("identity_verification", "5 days", "collection", True),
        ("activity_logs", "120 days", "last_activity", True),
        ("financial_records", "10 years", "statutory", True),
        ("former_usernames", "5 years", "superseded", True),
        ("inactive_accounts", "1 year", "last_activity", True),
        ("backups", "30 days", "account_deletion", False),
    ],
)
def test_jasminai_retention_periods_and_clocks(
    jasminai: Policy, rule_id: str, period: str, clock: str, enforced: bool
) -> None:
    rule = jasminai.rule(rule_id)
    assert rule is not None, f"no retention rule '{rule_id}'"
    assert str(rule.period) == period
    assert rule.clock == clock
    assert rule.enforced is enforced


def test_jasminai_retention_scopes(jasminai: Policy) -> None:
    guests, financial = jasminai.rule("guests"), jasminai.rule("financial_records")
    assert guests is not None and guests.subjects == ["guest"]
    assert financial is not None and financial.statute is not None
    assert "Luxembourg" in financial.statute.get("en")
    logs = jasminai.rule("activity_logs")
    assert logs is not None and "user.content.public.wall_posts" in logs.categories
    former = jasminai.rule("former_usernames")
    assert former is not None and former.categories == ["user.account.former_usernames"]


def test_jasminai_answers_in_a_month_or_60_days_free_unless_excessive(jasminai: Policy) -> None:
    """'Within one month; for complex or numerous requests within 60 days', as written."""
    for right in jasminai.rights:
        gdpr = right.by_jurisdiction.get(Jurisdiction.gdpr)
        deadline = gdpr.deadline if gdpr and gdpr.deadline else right.deadline
        fee = gdpr.fee if gdpr and gdpr.fee else right.fee
        assert deadline is not None, right.kind
        assert str(deadline.period) == "1 month"
        assert str(deadline.extended_to) == "60 days"
        assert deadline.extension is None
        assert fee is not None and fee.kind == "free" and fee.excessive_requests
    for kind in (RightKind.access, RightKind.erasure):
        right = _right(jasminai, kind)
        assert right.deadline is None and right.fee is None, "CCPA terms are not stated"
    for rule_id in ("guests", "identity_verification"):
        rule = jasminai.rule(rule_id)
        assert rule is not None and rule.qualifier == "as_a_rule", "'normally', 'typically'"
    kinds = {r.kind for r in jasminai.rights}
    assert {RightKind.portability, RightKind.objection, RightKind.automated_decision} <= kinds


def test_jasminai_ccpa_right_to_know_twice_a_year_with_agents(jasminai: Policy) -> None:
    terms = _right(jasminai, RightKind.access).by_jurisdiction["ccpa"]
    assert terms.limit is not None
    assert (terms.limit.count, str(terms.limit.per)) == (2, "12 months")
    assert str(terms.lookback) == "12 months"
    assert terms.deadline is None, "the policy states no CCPA time limit"
    erasure = _right(jasminai, RightKind.erasure).by_jurisdiction["ccpa"]
    for agents in (terms.agents, erasure.agents):
        assert agents is not None and agents.allowed and agents.proof is not None


def test_jasminai_dnt_is_a_ccpa_opt_out_and_nothing_is_sold(jasminai: Policy) -> None:
    assert jasminai.signals.dnt == "opt_out_sale_sharing"
    assert jasminai.signals.gpc is None, "the seed says nothing about GPC"
    assert jasminai.ccpa is not None and not jasminai.ccpa.sells
    assert jasminai.ccpa.shares is None, "the seed says nothing about sharing"
    disclosed_to = {r for d in jasminai.ccpa.disclosures for r in d.recipients}
    assert {"analytics_providers", "marketing_partners", "fraud_audit_providers"} <= disclosed_to


def test_jasminai_gravity_cookie_personalises_only_with_explicit_consent(
    jasminai: Policy,
) -> None:
    cookie = next(t for t in jasminai.trackers if t.name == "gravity_cookie")
    assert cookie.consent_required and cookie.kind == "personalization"
    purpose = jasminai.purpose(cookie.purpose)
    assert purpose is not None
    assert purpose.legal_basis == "explicit_consent" and purpose.consent is ConsentMode.opt_in
    assert purpose.withdrawal_effect == "stop_processing"
    assert "user.demographic.sex_life.inferred" in purpose.categories


def test_jasminai_sexual_preferences_need_explicit_consent_never_marketing(
    jasminai: Policy,
) -> None:
    sensitive = {c.key for c in jasminai.categories if c.sensitive}
    assert sensitive == {"user.demographic.sex_life.profile", "user.demographic.sex_life.inferred"}
    services = jasminai.purpose("sensitive_services")
    assert services is not None and services.legal_basis == "explicit_consent"
    assert services.withdrawal_effect == "deactivate_account"
    profile = jasminai.purpose("profile_sexual_preferences")
    assert profile is not None and profile.withdrawal_effect == "erase_data"
    for purpose in jasminai.purposes:
        if any(use.startswith("marketing") for use in purpose.uses):
            assert not any(
                jasminai.covers(key, s) for key in purpose.categories for s in sensitive
            ), purpose.id


def test_jasminai_group_companies_and_card_payments(jasminai: Policy) -> None:
    group = jasminai.recipient("group")
    assert group is not None and group.type is RecipientType.group_company
    assert set(group.countries) == {"LU", "HU", "US"}
    assert len(group.entities) == 8 and group.safeguards
    unknown = [r.id for r in jasminai.recipients if r.countries_unknown and r.safeguards]
    assert unknown == [], "no safeguards for recipients the policy does not place"
    escalion = jasminai.recipient("escalion")
    assert escalion is not None and escalion.countries == ["LU"]
    card = jasminai.category("user.financial.credit_card")
    assert card is not None and not card.stored and "escalion" in card.handled_by
    assert card.kept_instead is not None and "four digits" in card.kept_instead.get("en")
    assert _provision(jasminai, "payment_providers") is Provision.contract


def _provision(policy: Policy, recipient_id: str) -> Provision:
    recipient = policy.recipient(recipient_id)
    assert recipient is not None, f"no recipient '{recipient_id}'"
    return recipient.provision


def test_jasminai_webmasters_never_receive_directly_identifying_data(jasminai: Policy) -> None:
    webmasters = jasminai.recipient("webmasters")
    assert webmasters is not None and not webmasters.identifiable
    assert webmasters.provision is Provision.not_identifiable and webmasters.countries_unknown
    for key in ("user.contact.email", "user.device.ip_address", "user.name.full"):
        assert key not in webmasters.categories


def test_jasminai_anonymised_ai_training_can_be_opted_out_by_email(jasminai: Policy) -> None:
    training = next(u for u in jasminai.anonymized_uses if u.id == "ai_training")
    assert training.kind == "anonymized" and training.opt_out
    contact = jasminai.contact(training.opt_out_contact or "")
    assert contact is not None and contact.value == "dsr@jwsprivacy.com"


def test_jasminai_checks_guard_the_joint_arrangement_dnt_and_provision_bases(
    jasminai: Policy,
) -> None:
    assert [m for _, m, _ in check_policy(jasminai)] == [
        "missing: whether personal information is shared for cross-context behavioral "
        "advertising (CCPA §1798.130(a)(5)(C)); declare ccpa.shares"
    ]
    without_arrangement = jasminai.model_copy(update={"gdpr": None})
    assert any("Art. 26" in m for _, m, _ in check_policy(without_arrangement))
    gdpr_only = jasminai.model_copy(update={"jurisdictions": jasminai.jurisdictions[:1]})
    assert any("DNT" in m for _, m, _ in check_policy(gdpr_only))
    with_appi = jasminai.model_copy(update={"jurisdictions": ["appi", *jasminai.jurisdictions]})
    assert any("not a basis for provision under APPI" in m for _, m, _ in check_policy(with_appi))


def test_jasminai_negative_promises_are_declared_and_checked(jasminai: Policy) -> None:
    kinds = {s.kind.value: s for s in jasminai.statements}
    assert set(kinds) == {"not_used_for", "not_collected", "only_for_purposes"}
    assert kinds["not_used_for"].uses == ["marketing"]
    assert kinds["only_for_purposes"].purposes == ["safety"]
    contradicted = jasminai.model_copy(deep=True)
    contradicted.statements[0].categories = ["user.contact.email"]
    assert any(
        "never used for marketing" in m and severity == "error"
        for _, m, severity in check_policy(contradicted)
    )
