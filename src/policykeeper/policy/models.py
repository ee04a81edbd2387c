"""The privacy declaration (`policy.yaml`): everything a service promises, as typed models.

The models are the documentation: `policykeeper schema` prints them as JSON Schema. Every
reference between sections (a purpose naming categories, a cookie naming a purpose) is by
key or id, and `policykeeper.policy.checks` verifies those references and the law's rules.

**Not stated is a value.** Every optional field is empty (None, or an empty list) until the
policy says something about it, and an empty field is rendered as nothing: no fee line, no
deadline, no consent mode, no change clause. Where the law requires an item the policy does not
give, `policykeeper validate` reports it as missing; nothing fills it in. Defaults that remain
are the author's house style (`style`, `self_reference`), never a promise.

**The company's wording is kept.** `qualifier` records "as a rule" (原則として) and "we endeavour
to" (努めます); `*_join` records whether a list is alternatives ("or", 又は) or a combination
("and", 及び); periods keep the unit they were written in ("60 days" stays 60日); `statements`
hold negative and on-device promises ("we do not store card numbers").
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import Field, StringConstraints, model_validator

from policykeeper.policy.types import Duration, Lang, Strict, Text
from policykeeper.policy.voice import DEFAULT_SELF_REFERENCE

CountryCode = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]
Identifier = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_\-]*$")]
CategoryKey = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$")]
OnRequest = Literal["on_request"]
"""APPI Art. 32 allows some public items to be answered 'without delay on request' instead.
Declare it only where the policy says so: otherwise leave the field empty (not stated)."""
Join = Literal["or", "and"]
"""How a list reads: 'or', alternatives (A又はB); 'and', all of them together (A及びB). Empty:
the policy does not say, so the items are listed one per line with no conjunction."""


class Qualifier(StrEnum):
    """How firmly the policy words a promise."""

    as_a_rule = "as_a_rule"
    """'As a general rule' / 原則として: exceptions are possible."""
    best_efforts = "best_efforts"
    """'We endeavour to' / 努めます: an effort, not a guarantee."""


class Jurisdiction(StrEnum):
    # A law a declaration names; `policy.laws.register` adds members for laws from outside.
    appi = "appi"
    gdpr = "gdpr"
    ccpa = "ccpa"

    @classmethod
    def _missing_(cls, value: object) -> Jurisdiction | None:
        """A registered law's key (pydantic and `Jurisdiction(value)` both ask here)."""
        return cls._value2member_map_.get(value) if isinstance(value, str) else None  # type: ignore[return-value]


# --- who -------------------------------------------------------------------------------


class Person(Strict):
    name: Text | OnRequest | None = Field(
        None,
        description="Empty when the policy names only the role; 'on_request' only when it says "
        "the name is given on request.",
    )
    title: Text | None = None
    email: str | None = None
    contacts: list[Identifier] = Field(
        [],
        description="Contact channels that reach this person directly, e.g. a DPO's postal address.",
    )


class Operator(Strict):
    """A business responsible for the data: the controller (個人情報取扱事業者)."""

    id: Identifier
    name: Text
    role: Literal["controller", "joint_controller"] = "controller"
    address: Text | OnRequest | None = Field(
        None, description="Empty when the policy gives none (APPI Art. 32(1)(i) requires it)."
    )
    representative: Text | OnRequest | None = Field(
        None, description="Empty when the policy names none (APPI Art. 32(1)(i) requires it)."
    )
    country: CountryCode | None = Field(
        None, description="Where the operator is established, if the policy says."
    )
    registration: Text | None = Field(None, description="Company registration number, if stated.")
    department: Text | None = None


class ContactChannel(Strict):
    """A way to reach the service: the inquiry window for requests and complaints."""

    id: Identifier
    kind: Literal["email", "web_form", "postal", "phone", "in_app", "unspecified"] = Field(
        description="'unspecified': the policy names the window but not how to reach it."
    )
    value: str | None = Field(
        None,
        description="Address, URL, postal address or number; empty when the policy gives none, "
        "and then the channel is not usable (validate says so).",
    )
    name: Text | None = Field(None, description="e.g. 'Inquiry Center', 'Film Production Group'.")
    hours: Text | None = None
    note: Text | None = None


class Authority(Strict):
    name: Text
    url: str | None = None


class Complaints(Strict):
    """Where a person can complain (APPI Art. 32 public item; GDPR Art. 77)."""

    contact: Identifier | None = Field(
        None,
        description="Id of the contact channel that takes complaints, if the policy names one.",
    )
    authorities: list[Authority] = []
    note: Text | None = None


class SubjectType(Strict):
    id: Identifier
    label: Text
    description: Text | None = None


# --- what --------------------------------------------------------------------------------


class Source(StrEnum):
    provided = "provided"
    automatic = "automatic"
    partners = "partners"
    public = "public"
    third_party_login = "third_party_login"
    age_verification = "age_verification"
    inferred = "inferred"


class Category(Strict):
    """A kind of personal data the service handles, keyed by the built-in taxonomy."""

    key: CategoryKey = Field(description="A taxonomy key, or a new key under one.")
    label: Text
    description: Text | None = None
    examples: list[Text] = []
    sources: list[Source] = Field(
        [], description="How it is obtained; empty when the policy does not say."
    )
    source_note: Text | None = None
    required: bool | None = Field(
        None, description="Must the person provide it to use the service?"
    )
    sensitive: bool = Field(
        False,
        description="Special-care data. Rendered as 要配慮個人情報 only for the APPI's closed list "
        "(Art. 2(3), Cabinet Order Art. 2), as a GDPR special category (Art. 9) under the GDPR.",
    )
    sensitive_consent: Text | None = Field(
        None, description="How prior explicit consent is obtained."
    )
    stored: bool = Field(
        True, description="False: processed by a recipient, not kept by the service."
    )
    handled_by: list[Identifier] = Field(
        [], description="Recipients that process it on our behalf."
    )
    kept_instead: Text | None = Field(
        None, description="What is kept when not stored, e.g. last 4 digits."
    )
    subjects: list[Identifier] = Field(
        [], description="Subject types it concerns; empty means all."
    )
    history_information: bool = Field(
        False,
        description="'History and characteristic information' some Japanese policies separate.",
    )
    balance: bool = Field(
        False,
        description="A stored value the person holds (coins, points, credit): erasure forfeits "
        "what is unused, and the erasure form warns of it before submission.",
    )


class LegalBasis(StrEnum):
    consent = "consent"
    explicit_consent = "explicit_consent"
    contract = "contract"
    legal_obligation = "legal_obligation"
    vital_interests = "vital_interests"
    public_task = "public_task"
    legitimate_interests = "legitimate_interests"


class ConsentMode(StrEnum):
    none = "none"
    opt_in = "opt_in"
    opt_out = "opt_out"
    notice = "notice"


class Purpose(Strict):
    """A purpose of use (利用目的), the categories it uses and its legal basis."""

    id: Identifier
    label: Text
    description: Text | None = None
    details: list[Text] = []
    uses: list[CategoryKey] = Field(min_length=1, description="Data-use keys from the taxonomy.")
    categories: list[CategoryKey] = Field(
        [],
        description="The data it uses, where the policy says; empty: the policy does not tie "
        "this purpose to particular data.",
    )
    legal_basis: LegalBasis | None = None
    legitimate_interest: Text | None = None
    consent: ConsentMode = ConsentMode.none
    subjects: list[Identifier] = []
    withdrawal_effect: (
        Literal["stop_processing", "erase_data", "deactivate_account", "delete_account"] | None
    ) = Field(
        None,
        description="What withdrawing consent does. 'erase_data': the person's data for this "
        "purpose is erased and the account continues (e.g. optional profile fields).",
    )
    withdrawal_note: Text | None = None


# --- who receives ------------------------------------------------------------------------


class RecipientType(StrEnum):
    processor = "processor"
    third_party = "third_party"
    joint_use = "joint_use"
    group_company = "group_company"
    affiliate = "affiliate"
    advertising_partner = "advertising_partner"
    module_provider = "module_provider"
    authority = "authority"


class Provision(StrEnum):
    """The APPI basis on which data goes to the recipient."""

    entrustment = "entrustment"
    """委託: handling entrusted to the recipient (APPI Art. 27(5)(i)); not third-party provision."""
    consent = "consent"
    opt_out = "opt_out"
    joint_use = "joint_use"
    """共同利用 (APPI Art. 27(5)(iii)); not third-party provision."""
    law = "law"
    not_identifiable = "not_identifiable"
    business_succession = "business_succession"
    """事業承継 (APPI Art. 27(5)(ii)); not third-party provision."""
    contract = "contract"
    """GDPR-only basis: needed for the person's contract (e.g. their payment). Not valid under APPI."""
    legitimate_interests = "legitimate_interests"
    """GDPR-only basis, e.g. fraud checks with banks. Not valid under APPI."""


class Safeguard(StrEnum):
    adequacy = "adequacy"
    standard_contractual_clauses = "standard_contractual_clauses"
    binding_corporate_rules = "binding_corporate_rules"
    consent = "consent"
    equivalent_system = "equivalent_system"
    contract = "contract"


class Entity(Strict):
    name: Text
    address: Text | None = None
    country: CountryCode | None = None


class JointUse(Strict):
    """What APPI Art. 27(5)(iii) requires to be announced before joint use (共同利用)."""

    items: list[CategoryKey] = Field(min_length=1)
    users: Text = Field(description="The scope of joint users.")
    purposes: Text
    responsible: Entity
    responsible_representative: Text | OnRequest | None = Field(
        None, description="Empty when the policy names none (required since 2022)."
    )
    method: Text | None = None


class Recipient(Strict):
    id: Identifier
    name: Text
    type: RecipientType
    provision: Provision | None = Field(
        None, description="The APPI basis for the provision; empty when the policy does not say."
    )
    description: Text | None = None
    purpose: Text | None = None
    purposes: list[Identifier] = []
    categories: list[CategoryKey] = []
    countries: list[CountryCode] = []
    countries_unknown: bool = Field(
        False,
        description="The policy does not say where the recipient is: validate stops asking, and "
        "the country cell stays empty.",
    )
    safeguards: list[Safeguard] = []
    safeguard_note: Text | None = None
    country_regime: Text | None = Field(
        None, description="The recipient country's data protection regime."
    )
    entities: list[Entity] = Field([], description="Members, for a group of companies.")
    privacy_policy_url: str | None = None
    joint_use: JointUse | None = None
    conditions: list[Text] = Field([], description="Obligations imposed on the recipient.")
    identifiable: bool = Field(
        True, description="False when only non-identifying data is provided."
    )

    @model_validator(mode="after")
    def _joint_use_items(self) -> Recipient:
        if self.type is RecipientType.joint_use and self.joint_use is None:
            raise ValueError(
                "a joint-use recipient must declare joint_use (items, users, purposes, responsible)"
            )
        return self


class ProvisionException(StrEnum):
    """Cases where data is provided without consent (APPI Art. 27(1) and similar)."""

    law = "law"
    life_body_property = "life_body_property"
    public_health_children = "public_health_children"
    state_cooperation = "state_cooperation"
    protect_rights = "protect_rights"
    entrustment = "entrustment"
    business_succession = "business_succession"
    joint_use = "joint_use"
    opt_out = "opt_out"
    """Items announced in advance with provision stopped on request (APPI Art. 27(2))."""


class Tracker(Strict):
    """A cookie, SDK, pixel or information-gathering module (TBA Art. 27-12)."""

    name: str = Field(description="Its technical name (e.g. the cookie's name); unique.")
    label: Text | None = Field(
        None,
        description="What the policy calls it, shown instead of `name` when the name is not "
        "something a reader would see (e.g. 'information-gathering modules').",
    )
    type: Literal["cookie", "local_storage", "sdk", "pixel", "module"] | None = None
    kind: Literal["necessary", "functional", "analytics", "personalization", "advertising"]
    purpose: Identifier = Field(description="Id of the purpose it serves.")
    provider: Text | None = None
    first_party: bool | None = Field(None, description="Ours (true) or a third party's (false).")
    recipient: Identifier | None = None
    sends: list[CategoryKey] = Field(
        [], description="What is sent out, and (via recipient) to whom."
    )
    duration: Text | None = None
    description: Text | None = None
    consent: ConsentMode | None = Field(
        None,
        description="What the policy says about consent. Empty: nothing is published about it "
        "(the banner still asks before a tracker that is not necessary runs). 'notice' for a "
        "tracker the policy only announces (TBA Art. 27-12 asks for publication, not consent).",
    )

    @property
    def consent_required(self) -> bool:
        """Runtime behaviour: the banner holds back a tracker that is not strictly necessary."""
        if self.consent is not None:
            return self.consent is ConsentMode.opt_in
        return self.kind != "necessary"


class Signals(Strict):
    gpc: bool | None = Field(
        None,
        description="What the policy says about Global Privacy Control: true, honoured as an "
        "opt-out of sale and sharing; false, not honoured. Empty: nothing is published (the "
        "runtime still honours it, as CCPA regulations §7025 require of a business they cover).",
    )
    dnt: Literal["ignore", "opt_out_sale_sharing"] | None = Field(
        None, description="What the policy says about Do Not Track; empty: nothing."
    )
    note: Text | None = Field(None, description="What the policy says about browser signals.")


# --- how long ----------------------------------------------------------------------------


class Clock(StrEnum):
    collection = "collection"
    last_activity = "last_activity"
    account_deletion = "account_deletion"
    resolution = "resolution"
    account_active = "account_active"
    contract_end = "contract_end"
    statutory = "statutory"
    while_needed = "while_needed"
    """Kept only as long as the business needs it, with no period: reviewed, not swept."""
    superseded = "superseded"
    """From when a value stops being current: a username is changed or its account closed."""


class RetentionRule(Strict):
    """How long something is kept, from what moment, and what happens then."""

    id: Identifier
    label: Text
    categories: list[CategoryKey] = []
    subjects: list[Identifier] = Field(
        [], description="Subject types the rule is for (e.g. guests only); empty means all."
    )
    period: Duration | None = Field(
        None, description="Empty with clock 'account_active' or 'while_needed'."
    )
    clock: Clock
    qualifier: Qualifier | None = Field(
        None, description="'as_a_rule' for 'we do not normally keep ... for more than N days'."
    )
    end_action: Literal["delete", "anonymize", "block"] | None = Field(
        None,
        description="What happens at the end, if the policy says; the sweep deletes when empty.",
    )
    legal_basis: Text | None = None
    statute: Text | None = Field(None, description="The statute fixing a statutory period.")
    enforced: bool = Field(
        True, description="False for what PolicyKeeper cannot reach, e.g. backups."
    )
    notice_before: Duration | None = Field(None, description="Warn the person this long before.")
    description: Text | None = None
    published: bool = Field(
        True,
        description="False for a rule the company keeps (a statute binds it) that its "
        "published policy does not state: bound and swept, but never rendered as a promise.",
    )

    @model_validator(mode="after")
    def _period_for_clock(self) -> RetentionRule:
        if self.clock not in {Clock.account_active, Clock.while_needed} and self.period is None:
            raise ValueError(f"a rule with clock '{self.clock.value}' needs a period")
        return self


# --- rights ------------------------------------------------------------------------------


class RightKind(StrEnum):
    access = "access"
    third_party_records = "third_party_records"
    notify_purposes = "notify_purposes"
    portability = "portability"
    rectification = "rectification"
    erasure = "erasure"
    restriction = "restriction"
    objection = "objection"
    opt_out_sale_sharing = "opt_out_sale_sharing"
    withdraw_consent = "withdraw_consent"
    automated_decision = "automated_decision"
    """Not to be subject to a decision based solely on automated processing (GDPR Art. 22)."""


class Verification(StrEnum):
    account_login = "account_login"
    account_details = "account_details"
    """Checking the account information the person gives against the account."""
    registered_email = "registered_email"
    email_code = "email_code"
    id_document = "id_document"
    postal_application = "postal_application"
    two_data_points = "two_data_points"
    three_data_points_signed = "three_data_points_signed"
    none = "none"
    company_procedure = "company_procedure"
    """'In accordance with the procedure the company sets' (当社所定の方法), given on request."""
    additional_information = "additional_information"
    """Proof or further information asked for when identity is in doubt (GDPR Art. 12(6))."""


class RequestGround(StrEnum):
    """Why a person may ask for correction or for suspension of use (APPI Arts. 34-35)."""

    inaccurate = "inaccurate"
    beyond_purpose = "beyond_purpose"
    improper_use = "improper_use"
    improper_acquisition = "improper_acquisition"
    unlawful_provision = "unlawful_provision"
    no_longer_needed = "no_longer_needed"
    leak = "leak"
    rights_harmed = "rights_harmed"


class RightChannel(Strict):
    contact: Identifier = Field(description="Id of a contact channel.")
    subject_line: Text | None = Field(None, description="Email subject the person should use.")
    documents: list[Text] = Field([], description="What to enclose, e.g. an application form.")


class Deadline(Strict):
    """How fast a request is answered, as the policy states it. Leave `deadline` out when the
    policy states none: the workflow then runs the law's clock, and nothing is published."""

    period: Duration | None = Field(None, description="'within N', in the unit written.")
    without_delay: bool = False
    business_days: bool = False
    qualifier: Qualifier | None = Field(
        None, description="'as_a_rule' for 原則として2週間以内; 'best_efforts' for 努めます."
    )
    extension: Duration | None = Field(None, description="Further time on top of `period`.")
    extended_to: Duration | None = Field(
        None,
        description="The whole time allowed when extended, counted from receipt, as written "
        "(jasminai: 'within 60 days' for complex requests).",
    )
    extension_when: Text | None = Field(
        None, description="When the deadline is extended, in the policy's words."
    )
    acknowledgment: Duration | None = None
    acknowledgment_business_days: bool = False
    note: Text | None = Field(
        None, description="The policy's own words, e.g. 'within a reasonable period'."
    )

    @model_validator(mode="after")
    def _some_deadline(self) -> Deadline:
        if self.period is None and not self.without_delay and self.note is None:
            raise ValueError("a deadline needs a period, without_delay: true, or a note")
        return self


class Fee(Strict):
    """A fee the policy states. Leave `fee` out when it says nothing: nothing is published."""

    kind: Literal["free", "fixed", "actual_cost"]
    amount: int | None = None
    currency: str | None = Field(
        None, description="ISO 4217 code; without it an amount is printed as a bare number."
    )
    unit: Text | None = Field(None, description="e.g. 'per request'.")
    excessive_requests: bool = Field(
        False, description="A fee may be charged for excessive requests."
    )
    payment_methods: list[Text] = []
    note: Text | None = None

    @model_validator(mode="after")
    def _amount(self) -> Fee:
        if self.kind == "fixed" and self.amount is None:
            raise ValueError("a fixed fee needs an amount")
        return self


class RefusalGround(Strict):
    id: Identifier
    label: Text


class RequestLimit(Strict):
    count: int = Field(ge=1)
    per: Duration


class Agents(Strict):
    allowed: bool = True
    proof: Text | None = None


class RightTerms(Strict):
    """What differs for one jurisdiction: deadline, fee, limit or verification."""

    deadline: Deadline | None = None
    fee: Fee | None = None
    limit: RequestLimit | None = None
    verification: list[Verification] | None = None
    lookback: Duration | None = Field(
        None, description="How far back a disclosure reaches, e.g. CCPA's 12 months."
    )
    agents: Agents | None = Field(
        None, description="Authorized agents, where only this jurisdiction provides for them."
    )
    note: Text | None = None


class Right(Strict):
    kind: RightKind
    label: Text | None = None
    description: Text | None = None
    jurisdictions: list[Jurisdiction] = Field([], description="Empty means every declared one.")
    channels: list[RightChannel] = Field(
        [], description="Where to send the request; validate requires a usable one."
    )
    channels_join: Join | None = Field(
        None, description="'or': any one channel will do; 'and': all are needed."
    )
    verification: list[Verification] = Field(
        [], description="How identity is checked; empty when the policy does not say."
    )
    verification_join: Join | None = Field(
        None,
        description="'or': any one method; 'and': together (a postal application with an ID copy).",
    )
    verification_note: Text | None = None
    deadline: Deadline | None = None
    fee: Fee | None = None
    refusal_grounds: list[RefusalGround] = []
    conditions: list[Text] = Field(
        [], description="When the right applies, e.g. 'if the data is wrong'."
    )
    grounds: list[RequestGround] = Field(
        [], description="The grounds the policy accepts; empty means every ground the law gives."
    )
    limit: RequestLimit | None = None
    agents: Agents | None = None
    withheld: Text | None = Field(None, description="What is not disclosed in principle.")
    substitute_measures: Text | None = None
    methods: list[Literal["electronic", "paper", "other"]] = []
    methods_join: Join | None = None
    outcome_notice: Text | None = None
    by_jurisdiction: dict[Jurisdiction, RightTerms] = {}


# --- everything else ----------------------------------------------------------------------


class Languages(Strict):
    authoritative: Lang
    published: list[Lang] = Field(min_length=1)


class Revision(Strict):
    version: str
    date: date
    summary: Text | None = None


class Minors(Strict):
    minimum_age: int | None = None
    guardian_consent_below: int | None = None
    on_discovery: Literal["delete", "suspend", "guardian_consent"] | None = None
    note: Text | None = None


class SecurityMeasure(Strict):
    kind: Literal["organizational", "human", "physical", "technical", "external_environment"]
    text: Text


class AnonymizedUse(Strict):
    """Use of data processed so that it no longer identifies the person.

    'anonymized', 'pseudonymized' and 'statistical' are ordinary processing. The APPI's own
    regimes, with their duties, are 'anonymously_processed' (匿名加工情報, Arts. 43-46: publish the
    items included) and 'pseudonymously_processed' (仮名加工情報, Arts. 41-42: no provision to
    third parties); declare them only when the policy uses those terms.
    """

    id: Identifier
    kind: Literal[
        "anonymized",
        "pseudonymized",
        "statistical",
        "anonymously_processed",
        "pseudonymously_processed",
    ]
    label: Text
    description: Text | None = None
    categories: list[CategoryKey] = []
    items_published: Text | None = None
    opt_out: bool = False
    opt_out_contact: Identifier | None = Field(
        None, description="Id of the contact channel that takes opt-outs from this use."
    )
    recipients: list[Identifier] = []


class Changes(Strict):
    """The change clause, as the policy writes it; each field says one thing it promises."""

    effective: Literal["on_posting", "after_notice"] | None = Field(
        None, description="When a revision takes effect, if the policy says."
    )
    notice_days: int | None = None
    qualifier: Qualifier | None = Field(
        None, description="'best_efforts' for 'we will endeavour to notify 14 days before'."
    )
    channels: list[Text] = []
    channels_join: Join | None = Field(
        None, description="'or': on the site or by email; 'and': on the site and by email."
    )
    material_changes_only: bool = False
    consent_when_required: bool = False
    without_notice: bool = False
    continued_use_is_acceptance: bool = False
    note: Text | None = None


class StatementKind(StrEnum):
    not_collected = "not_collected"
    """We do not collect it."""
    not_stored = "not_stored"
    """We do not keep it (a processor may handle it)."""
    on_device = "on_device"
    """It stays on the person's device and is not sent to us."""
    not_provided = "not_provided"
    """We do not provide it to third parties."""
    only_for_purposes = "only_for_purposes"
    """It is used for the listed purposes and for no other."""
    not_used_for = "not_used_for"
    """It is never used for the listed data uses (e.g. marketing)."""


class Statement(Strict):
    """A negative or on-device promise, checked against the rest of the declaration."""

    kind: StatementKind
    categories: list[CategoryKey] = Field(
        min_length=1, description="What it is about: taxonomy keys, declared or not."
    )
    purposes: list[Identifier] = Field([], description="For only_for_purposes: the purposes.")
    uses: list[CategoryKey] = Field([], description="For not_used_for: data-use keys.")
    text: Text | None = Field(
        None, description="The policy's own words; rendered instead of the built sentence."
    )

    @model_validator(mode="after")
    def _what_for(self) -> Statement:
        if self.kind is StatementKind.only_for_purposes and not self.purposes:
            raise ValueError("only_for_purposes needs purposes")
        if self.kind is StatementKind.not_used_for and not self.uses:
            raise ValueError("not_used_for needs uses")
        return self


class Style(Strict):
    """The house style of the Japanese text; every page of the policy follows it."""

    conjunctions: Literal["kanji", "kana"] = Field(
        "kanji", description="'kanji': 又は・及び・並びに・若しくは; 'kana': または・および・…"
    )
    time_ranges: Literal["colon", "ji"] = Field(
        "colon", description="'colon': 10:00〜18:00; 'ji': 10時〜18時."
    )


class Definition(Strict):
    term: Text
    meaning: Text


class Section(Strict):
    """Anything else the policy says that has no model (a disclaimer, external links)."""

    id: Identifier
    title: Text
    body: Text


class Service(Strict):
    name: Text
    url: str | None = None
    description: Text | None = None


class GdprTerms(Strict):
    eu_representative: Entity | None = None
    supervisory_authority: Authority | None = None
    joint_arrangement: Text | None = Field(
        None, description="The essence of the joint-controller arrangement."
    )
    joint_contact: Identifier | None = Field(
        None,
        description="Id of the single contact point the joint controllers designated (Art. 26(1)).",
    )


class CcpaDisclosure(Strict):
    """Categories disclosed for a business purpose in the last 12 months, and to whom (§1798.130)."""

    categories: list[CategoryKey] = Field(min_length=1)
    recipients: list[Identifier] = Field(min_length=1)
    note: Text | None = None


class CcpaTerms(Strict):
    sells: bool | None = Field(
        None, description="Whether the policy says it sells personal information; empty: silent."
    )
    shares: bool | None = Field(
        None,
        description="Whether it shares for cross-context behavioral advertising; empty: silent.",
    )
    notice: Text | None = None
    disclosures: list[CcpaDisclosure] = []
    non_discrimination: Text | None = Field(
        None, description="What the policy says about the right to non-discrimination."
    )


class Policy(Strict):
    """One service's privacy declaration."""

    policykeeper: Literal[1] = Field(1, description="Declaration format version.")
    service: Service
    version: str
    effective_date: date | None = Field(
        None, description="Empty only when the policy itself states no date."
    )
    history: list[Revision] = []
    languages: Languages
    jurisdictions: list[Jurisdiction] = Field(min_length=1)
    operators: list[Operator] = Field(min_length=1)
    self_reference: str = Field(
        DEFAULT_SELF_REFERENCE,
        description="How the Japanese text names the operator: 当社, 当法人, 当省, 弊社 … "
        "(English always says 'we').",
    )
    privacy_manager: Person | None = Field(None, description="個人情報保護管理者 or the DPO.")
    contacts: list[ContactChannel] = []
    complaints: Complaints | None = Field(
        None, description="Where complaints go, if the policy says (an APPI public item)."
    )
    definitions: list[Definition] = []
    subjects: list[SubjectType] = []
    categories: list[Category] = Field(min_length=1)
    purposes: list[Purpose] = Field(min_length=1)
    incidental_purposes: bool = Field(
        False,
        description="The purposes include those incidental to the listed ones (付随する目的).",
    )
    purpose_change: Text | None = None
    recipients: list[Recipient] = []
    provision_exceptions: list[ProvisionException] = []
    provision_exception_notes: dict[ProvisionException, Text] = Field(
        {},
        description="The policy's own wording of a listed exception, printed instead of the "
        "law's standard wording (e.g. 'when required by law or by court order').",
    )
    cross_border_note: Text | None = None
    cross_border_info_on_request: bool = Field(
        False,
        description="The policy offers, on request, information on the measures a foreign "
        "recipient with an equivalent system takes (APPI Art. 28(3)).",
    )
    trackers: list[Tracker] = []
    tracker_note: Text | None = None
    external_transmission_notice: bool = Field(
        False,
        description="The policy presents its tracker list as the publication the "
        "Telecommunications Business Act Art. 27-12 requires; only then is the Act cited.",
    )
    signals: Signals = Signals()
    retention: list[RetentionRule] = []
    retention_note: Text | None = None
    rights: list[Right] = Field(min_length=1)
    minors: Minors | None = None
    security: list[SecurityMeasure] = []
    security_note: Text | None = None
    security_on_request: bool = Field(
        False,
        description="The measures are answered on request without delay instead of listed "
        "(APPI Art. 32 allows it).",
    )
    anonymized_uses: list[AnonymizedUse] = []
    statements: list[Statement] = Field(
        [], description="Negative and on-device promises: what the service does not do."
    )
    changes: Changes | None = Field(None, description="The change clause, if the policy has one.")
    show_statutory: bool = Field(
        False,
        description="Also print the law's own deadlines and fee rules where the policy states "
        "none, labelled as the law's. Off: nothing the policy did not say is printed.",
    )
    style: Style = Style()
    gdpr: GdprTerms | None = None
    ccpa: CcpaTerms | None = None
    sections: list[Section] = []

    def category(self, key: str) -> Category | None:
        return next((c for c in self.categories if c.key == key), None)

    def purpose(self, purpose_id: str) -> Purpose | None:
        return next((p for p in self.purposes if p.id == purpose_id), None)

    def recipient(self, recipient_id: str) -> Recipient | None:
        return next((r for r in self.recipients if r.id == recipient_id), None)

    def contact(self, contact_id: str) -> ContactChannel | None:
        return next((c for c in self.contacts if c.id == contact_id), None)

    def rule(self, rule_id: str) -> RetentionRule | None:
        return next((r for r in self.retention if r.id == rule_id), None)

    def right(self, kind: RightKind | str) -> Right | None:
        return next((r for r in self.rights if r.kind == kind), None)

    def covers(self, key: str, category_key: str) -> bool:
        """Does the reference `key` name `category_key` itself or a parent of it?"""
        return category_key == key or category_key.startswith(key + ".")

    def categories_under(self, key: str) -> list[Category]:
        return [c for c in self.categories if self.covers(key, c.key)]

    def home_country(self) -> str | None:
        """Where the first operator is, or Japan for an APPI declaration that does not say."""
        country = self.operators[0].country
        if country is None and Jurisdiction.appi in self.jurisdictions:
            return "JP"
        return country
