"""Facts the example declarations keep from their seed policies, read through the Python API."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from policykeeper.cli import app
from policykeeper.policy import Policy, load_policy
from policykeeper.policy.models import (
    ConsentMode,
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


@pytest.mark.parametrize("name", ["ainema", *SEEDED])
def test_example_validates(name: str) -> None:
    result = CliRunner().invoke(app, ["validate", str(EXAMPLES / name)])
    assert result.exit_code == 0, result.stderr


@pytest.mark.parametrize("name", SEEDED)
def test_seeded_examples_publish_japanese_as_authoritative(name: str) -> None:
    policy = load_policy(EXAMPLES / name)
    assert policy.languages.authoritative is Lang.ja
    assert set(policy.languages.published) == {Lang.ja, Lang.en}
    assert [j.value for j in policy.jurisdictions] == ["appi"]


def test_allin_charges_1000_yen_per_disclosure(allin: Policy) -> None:
    fee = _right(allin, RightKind.access).fee
    assert (fee.kind, fee.amount, fee.currency) == ("fixed", 1000, "JPY")
    assert fee.unit is not None and fee.unit.get("ja") == "1件あたり"
    for kind in (RightKind.rectification, RightKind.restriction):
        assert _right(allin, kind).fee.kind == "free"


def test_allin_refusal_grounds_and_history_information_withheld(allin: Policy) -> None:
    access = _right(allin, RightKind.access)
    assert [g.id for g in access.refusal_grounds] == [
        "harm_to_rights",
        "business_impediment",
        "violation_of_law",
    ]
    assert access.deadline is not None and access.deadline.without_delay
    assert access.withheld is not None and "履歴情報および特性情報" in access.withheld.get("ja")
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
    for item in ("第三者への提供を含むこと", "データの項目", "手段または方法", "停止すること"):
        assert item in announced


def test_allin_operator_and_changes(allin: Policy) -> None:
    operator = allin.operators[0]
    assert operator.representative == "on_request"
    assert operator.address.get("en").endswith("Tokyo 150-0011, Japan")
    assert allin.contact("email").value == "filmproduction@allhero.co.jp"
    assert allin.effective_date is None
    assert allin.changes.effective == "on_posting" and allin.changes.without_notice


def test_audiostock_requests_arrive_by_post_with_identity_documents(audiostock: Policy) -> None:
    for kind in (RightKind.access, RightKind.rectification):
        right = _right(audiostock, kind)
        channel = right.channels[0]
        assert audiostock.contact(channel.contact).kind == "postal"
        assert set(right.verification) == {
            Verification.postal_application,
            Verification.id_document,
        }
        assert right.agents is not None and right.agents.allowed
        assert "代理権" in right.agents.proof.get("ja")


def test_audiostock_fee_is_the_registered_mail_cost_on_disclosure(audiostock: Policy) -> None:
    fee = _right(audiostock, RightKind.access).fee
    assert fee.kind == "actual_cost" and fee.amount is None
    assert "書留郵便" in fee.note.get("ja")
    assert _right(audiostock, RightKind.rectification).fee.kind == "free"


def test_audiostock_joint_use_announces_every_item(audiostock: Policy) -> None:
    partner = audiostock.recipient("audiostock_artists")
    assert partner is not None
    assert partner.type is RecipientType.joint_use and partner.provision is Provision.joint_use
    joint = partner.joint_use
    assert joint is not None
    assert joint.items == [
        "user.name",
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
    assert joint.responsible_representative == "on_request"
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
    statistics = audiostock.anonymized_uses[0]
    assert statistics.kind == "statistical" and statistics.recipients == ["statistics_recipients"]
    rule = audiostock.rule("activity_history")
    assert rule is not None and rule.clock.value == "while_needed" and not rule.enforced


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
    assert manager is not None and manager.name == "on_request"
    assert manager.title.get("en") == "Representative Director"
    assert {s.id for s in audiostock.sections} >= {"disclaimer", "external_links"}


def test_nicori_verifies_disclosure_with_an_id_copy(nicori: Policy) -> None:
    access = _right(nicori, RightKind.access)
    assert access.verification == [Verification.id_document]
    assert "運転免許証" in access.channels[0].documents[0].get("ja")
    assert access.deadline is not None and access.deadline.without_delay
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


def test_nicori_marketing_only_with_prior_approval_and_changes(nicori: Policy) -> None:
    promotions = nicori.purpose("promotions")
    assert promotions is not None and promotions.consent is ConsentMode.opt_in
    assert nicori.changes.without_notice and nicori.changes.effective == "on_posting"
    assert nicori.incidental_purposes
    assert nicori.operators[0].address == "on_request"
