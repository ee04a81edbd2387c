"""`policykeeper validate` on broken declarations: each a copy of AInema with one thing wrong.

Every problem must come out as one `file:line:column: message` line pointing at the offending
node, with exit 1 for problems found and exit 2 for input that cannot be read at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from policykeeper.cli import app

AINEMA = Path(__file__).resolve().parents[2] / "examples" / "ainema" / "policy.yaml"
FILE = "project/policy.yaml"

COMPLETE = (
    (
        "subjects:\n",
        "complaints:\n  contact: email\n\nsubjects:\n",
    ),
    (
        "    countries: [US]\n",
        "    countries: [US]\n    safeguards: [equivalent_system]\n",
    ),
    (
        "cross_border_note:\n",
        "cross_border_info_on_request: true\ncross_border_note:\n",
    ),
    (
        "\nminors:\n",
        "  - kind: notify_purposes\n    channels: [{contact: email}]\n"
        "  - kind: third_party_records\n    channels: [{contact: email}]\n\nminors:\n",
    ),
    (
        "\nsecurity:\n",
        "\nsecurity:\n  - kind: external_environment\n"
        "    text: {ja: 米国の個人情報保護制度を把握しています。, en: We know the US data protection regime.}\n",
    ),
)
"""What AInema's policy leaves out that APPI requires: with these, it validates cleanly, so each
case below shows exactly its own problem."""

SENSITIVE_CATEGORY = (
    """  - key: user.content.private.inquiries
    label: {ja: お問い合わせ内容, en: Inquiries}
""",
    """  - key: user.content.private.inquiries
    label: {ja: お問い合わせ内容, en: Inquiries}
  - key: user.health.medical_history
    label: {ja: 病歴, en: Medical history}
    sources: [provided]
    sensitive: true
    sensitive_consent: {ja: 事前に明示の同意を得ます。, en: Explicit consent is obtained first.}
""",
)
RECOMMENDATIONS = "uses: [personalize]\n"
VERCEL = """    purpose: {ja: Webアプリケーションのホスティング, en: Web application hosting}
    countries: [US]
    safeguards: [equivalent_system]
"""
PAYPAY = "    purpose: {ja: 決済処理（PayPay決済）, en: Payment processing (PayPay payments)}\n"
RECTIFICATION = (
    "        subject_line: {ja: 個人情報訂正請求, en: Personal Information Correction Request}\n"
)
RESTRICTION = (
    "    description: {ja: 個人情報の利用停止又は消去を請求できます。, "
    "en: Request cessation of use or erasure of personal information.}\n"
    "    channels: [{contact: email}]\n"
)
NOTIFY = "  - kind: notify_purposes\n    channels: [{contact: email}]\n"


@dataclass(frozen=True)
class Broken:
    """A change to the complete AInema; where the finding must point (`fragment`, first found
    after `after`), what it says, and the exit code of validate."""

    edits: tuple[tuple[str, str], ...]
    fragment: str
    message: str
    after: str | None = None
    exit_code: int = 1


CASES = {
    "an empty self-reference": Broken(
        edits=(("jurisdictions: [appi]\n", "jurisdictions: [appi]\nself_reference: ''\n"),),
        fragment="self_reference",
        message="self_reference: must be one word such as 当社, 当法人 or 当省",
    ),
    "a self-reference that is a phrase": Broken(
        edits=(("jurisdictions: [appi]\n", "jurisdictions: [appi]\nself_reference: 当 社\n"),),
        fragment="self_reference",
        message="self_reference: must be one word such as 当社, 当法人 or 当省",
    ),
    "undeclared category in a purpose": Broken(
        edits=(
            (
                RECOMMENDATIONS,
                RECOMMENDATIONS + "    categories: [user.behavior.media_consumptoin]\n",
            ),
        ),
        fragment="user.behavior.media_consumptoin",
        message="undeclared category 'user.behavior.media_consumptoin'; "
        "did you mean 'user.behavior.media_consumption'?",
    ),
    "retention rule for an undeclared category": Broken(
        edits=(
            (
                "categories: [user.content.private.reports]\n    clock: resolution",
                "categories: [user.content.private.report]\n    clock: resolution",
            ),
        ),
        fragment="user.content.private.report]",
        message="undeclared category 'user.content.private.report'; "
        "did you mean 'user.content.private.reports'?",
    ),
    "recipient without a country (a warning)": Broken(
        edits=(
            (
                VERCEL,
                VERCEL.replace("    countries: [US]\n", "").replace(
                    "    safeguards: [equivalent_system]\n", ""
                ),
            ),
        ),
        fragment="name: Vercel Inc.",
        message="warning: recipient 'vercel' has no country (countries: [..], or "
        "countries_unknown: true when the policy does not say)",
        exit_code=0,
    ),
    "cross-border recipient without a basis": Broken(
        edits=((VERCEL, VERCEL.replace("    safeguards: [equivalent_system]\n", "")),),
        after="name: Vercel Inc.",
        fragment="countries:",
        message="missing: on what basis 'vercel' in US receives personal data from abroad "
        "(APPI Art. 28: consent with the country's regime and the recipient's measures, or an "
        "equivalent system; GDPR Art. 46: safeguards)",
    ),
    "countries and countries_unknown together": Broken(
        edits=((VERCEL, VERCEL + "    countries_unknown: true\n"),),
        fragment="countries_unknown: true\n  - id: neon",
        message="recipient 'vercel' names countries, so countries_unknown must be false",
    ),
    "an unknown country code": Broken(
        edits=((VERCEL, VERCEL.replace("[US]", "[UX]")),),
        fragment="UX",
        message="'UX' is not an ISO 3166 country code",
    ),
    "sensitive category in a marketing purpose": Broken(
        edits=(
            SENSITIVE_CATEGORY,
            (
                RECOMMENDATIONS,
                "uses: [marketing.communications.email]\n"
                "    categories: [user.health.medical_history]\n",
            ),
        ),
        after="id: recommendations",
        fragment="categories:",
        message="purpose 'recommendations' is marketing but uses sensitive data "
        "(user.health.medical_history)",
    ),
    "opt-out provision of sensitive data": Broken(
        edits=(
            SENSITIVE_CATEGORY,
            (
                "    provision: entrustment\n" + PAYPAY,
                "    provision: opt_out\n"
                + PAYPAY
                + "    categories: [user.health.medical_history]\n",
            ),
        ),
        after="id: paypay",
        fragment="provision:",
        message="opt-out provision of sensitive data (user.health.medical_history) to 'paypay' "
        "is forbidden (APPI Art. 27(2))",
    ),
    "fee on rectification under APPI": Broken(
        edits=(
            (
                RECTIFICATION,
                RECTIFICATION
                + "    fee: {kind: fixed, amount: 500, currency: JPY, payment_methods: [bank transfer]}\n",
            ),
        ),
        after="kind: rectification",
        fragment="fee:",
        message="APPI allows no fee for 'rectification' "
        "(Art. 38: only disclosure and notice of purposes)",
    ),
    "fee on restriction under APPI": Broken(
        edits=(
            (RESTRICTION, RESTRICTION + "    fee: {kind: free}\n    methods: [paper]\n"),
            (
                "    fee: {kind: free}\n    methods: [paper]\n",
                "    fee: {kind: actual_cost, amount: 400, currency: JPY, payment_methods: [bank transfer]}\n",
            ),
        ),
        after="kind: restriction",
        fragment="fee:",
        message="APPI allows no fee for 'restriction' "
        "(Art. 38: only disclosure and notice of purposes)",
    ),
    "a disclosure fee without its amount": Broken(
        edits=(
            (
                "    fee: {kind: free}\n",
                "    fee: {kind: actual_cost, payment_methods: [postal money order]}\n",
            ),
        ),
        fragment="fee:",
        message="missing: the amount of the fee (APPI Art. 32(1)(iii))",
    ),
    "a request with no usable channel": Broken(
        edits=(
            (
                "contacts:\n",
                "contacts:\n  - id: manager\n    kind: unspecified\n    name: {ja: 担当者, en: Manager}\n",
            ),
            (RESTRICTION, RESTRICTION.replace("{contact: email}", "{contact: manager}")),
        ),
        after="kind: restriction",
        fragment="channels:",
        message="missing: a usable channel for 'restriction': the policy gives no address, email, "
        "form or phone to send the request to",
    ),
    "no procedure for a notice of purposes": Broken(
        edits=((NOTIFY, ""),),
        fragment="rights:",
        message="missing: the procedure for requests for 利用目的の通知 (Art. 32(2)) "
        "(APPI Art. 32(1)(iii))",
    ),
    "ground that does not fit the right": Broken(
        edits=((RECTIFICATION, RECTIFICATION + "    grounds: [beyond_purpose]\n"),),
        fragment="beyond_purpose",
        message="'beyond_purpose' is not a ground for 'rectification'",
    ),
    "note on an exception the policy does not list": Broken(
        edits=(
            (
                "provision_exception_notes:\n",
                "provision_exception_notes:\n"
                "  opt_out: {ja: あらかじめ公表します。, en: Announced in advance.}\n",
            ),
        ),
        fragment="opt_out:",
        message="a note on 'opt_out', which provision_exceptions does not list",
    ),
    "a negative promise the declaration contradicts": Broken(
        edits=(
            (
                "\nminors:\n",
                "\nstatements:\n  - kind: not_collected\n    categories: [user.contact.email]\n\nminors:\n",
            ),
        ),
        fragment="kind: not_collected",
        message="says user.contact.email is not collected, but categories declare it",
    ),
    "不要な要配慮個人情報 (a warning)": Broken(
        edits=(
            (
                SENSITIVE_CATEGORY[0],
                SENSITIVE_CATEGORY[0] + "  - key: user.demographic.sexual_orientation\n"
                "    label: {ja: 性的指向, en: Sexual orientation}\n"
                "    sensitive: true\n"
                "    sensitive_consent: {ja: 事前に同意を得ます。, en: With prior consent.}\n",
            ),
        ),
        fragment="sensitive: true",
        message="warning: 'user.demographic.sexual_orientation' is not 要配慮個人情報 under APPI "
        "Art. 2(3) and Cabinet Order Art. 2 (it is a GDPR Art. 9 special category); it will not "
        "be called that",
        exit_code=0,
    ),
    "a Japanese text in Latin letters only (a warning)": Broken(
        edits=(
            (
                "label: {ja: レコメンド, en: Recommendations}",
                "label: {ja: Recommend, en: Recommendations}",
            ),
        ),
        fragment="label: {ja: Recommend",
        message="warning: the Japanese text is in Latin letters only: 'Recommend'",
        exit_code=0,
    ),
    "an English text in Japanese script (a warning)": Broken(
        edits=(
            (
                "label: {ja: レコメンド, en: Recommendations}",
                "label: {ja: レコメンド, en: おすすめ}",
            ),
        ),
        fragment="label: {ja: レコメンド, en: おすすめ}",
        message="warning: the English text is in Japanese script: 'おすすめ'",
        exit_code=0,
    ),
    "a reference to the original's layout (a warning)": Broken(
        edits=(
            (
                "{ja: 視聴履歴に基づくコンテンツの提案,",
                "{ja: 前条の視聴履歴に基づくコンテンツの提案,",
            ),
        ),
        fragment="description: {ja: 前条",
        message="warning: '前条' points at the layout of another document; name what it refers "
        "to instead",
        exit_code=0,
    ),
    "a GDPR legal basis in an APPI-only policy (a warning)": Broken(
        edits=((RECOMMENDATIONS, RECOMMENDATIONS + "    legal_basis: consent\n"),),
        fragment="legal_basis: consent",
        message="warning: legal_basis is a GDPR term and the policy does not declare gdpr; it is "
        "not published",
        exit_code=0,
    ),
    "several verification methods with no join (a warning)": Broken(
        edits=(
            (
                "    verification_join: or\n    deadline: *disclosure_procedure\n",
                "    deadline: *disclosure_procedure\n",
            ),
        ),
        after="kind: rectification",
        fragment="verification:",
        message="warning: several verification methods: say whether any one will do "
        "(verification_join: or) or all together (and)",
        exit_code=0,
    ),
    "unknown key": Broken(
        edits=(("    country: JP\n\ncontacts:", "    countyr: JP\n\ncontacts:"),),
        fragment="countyr:",
        message="unknown key 'countyr'; did you mean 'country'?",
    ),
    "wrong type": Broken(
        edits=(("  minimum_age: 18\n", "  minimum_age: eighteen\n"),),
        fragment="minimum_age:",
        message="minors.minimum_age: Input should be a valid integer, "
        "unable to parse string as an integer",
    ),
}


def write_project(
    root: Path, edits: tuple[tuple[str, str], ...], base: tuple[tuple[str, str], ...] = COMPLETE
) -> str:
    """AInema's policy.yaml, made complete, with `edits` applied, written to root/project;
    returns the text."""
    text = AINEMA.read_text(encoding="utf-8")
    for old, new in base:
        assert old in text, f"the completion must match AInema: {old!r}"
        text = text.replace(old, new)
    for old, new in edits:
        assert text.count(old) == 1, f"the edit must match AInema exactly once: {old!r}"
        text = text.replace(old, new)
    project = root / "project"
    project.mkdir()
    (project / "policy.yaml").write_text(text, encoding="utf-8")
    return text


def position(text: str, fragment: str, after: str | None = None) -> tuple[int, int]:
    """1-based line and column of `fragment`, the first one after `after` when given."""
    start = 0
    if after is not None:
        assert text.count(after) == 1, f"anchor must be unique: {after!r}"
        start = text.index(after) + len(after)
    else:
        assert text.count(fragment) == 1, f"fragment must be unique: {fragment!r}"
    offset = text.index(fragment, start)
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return line, column


def validate(directory: str) -> tuple[int, list[str]]:
    """Exit code and the finding lines (the closing 'ok: … is valid' left out)."""
    result = CliRunner().invoke(app, ["validate", directory])
    lines = result.stderr.strip().splitlines()
    return result.exit_code, [line for line in lines if not line.startswith("ok: ")]


@pytest.fixture
def root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run from tmp_path so that messages name the file as `project/policy.yaml`."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_ainema_completed_is_valid(root: Path) -> None:
    write_project(root, ())
    exit_code, lines = validate("project")
    assert (exit_code, lines) == (0, [])


def test_ainema_as_published_lacks_what_appi_requires() -> None:
    """What the AInema policy leaves out is reported, exit 1, and nothing is filled in."""
    exit_code, lines = validate(str(AINEMA.parent))
    assert exit_code == 1
    messages = [line.split(": ", 1)[1] for line in lines]
    assert messages == [
        "missing: where to complain about the handling of personal data (complaints; "
        "Cabinet Order Art. 10(ii))",
        *[
            f"missing: on what basis '{r}' in US receives personal data from abroad (APPI Art. "
            "28: consent with the country's regime and the recipient's measures, or an "
            "equivalent system; GDPR Art. 46: safeguards)"
            for r in ("stripe", "aws", "vercel")
        ],
        "missing: the procedure for requests for 利用目的の通知 (Art. 32(2)) (APPI Art. 32(1)(iii))",
        "missing: the procedure for requests for 第三者提供記録の開示 (Art. 33(5)) "
        "(APPI Art. 32(1)(iii))",
        "missing: 外的環境の把握, the measures taken knowing the systems of the countries where "
        "data is held (US; security kind external_environment)",
    ]


@pytest.mark.parametrize("case", list(CASES.values()), ids=list(CASES))
def test_problem_is_one_located_line(root: Path, case: Broken) -> None:
    text = write_project(root, case.edits)
    line, column = position(text, case.fragment, case.after)
    exit_code, lines = validate("project")
    assert exit_code == case.exit_code
    assert lines == [f"{FILE}:{line}:{column}: {case.message}"]


def test_malformed_yaml_is_one_line_and_exit_2(root: Path) -> None:
    text = write_project(root, (("  published: [ja, en]\n", "  published: [ja, en\n"),))
    line, column = position(text, ": [appi]", after="published: [ja, en")
    exit_code, lines = validate("project")
    assert exit_code == 2
    assert lines == [
        f"error: {FILE}:{line}:{column}: malformed YAML: expected ',' or ']', but got ':'"
    ]


def test_missing_directory_is_one_line_and_exit_2(root: Path) -> None:
    exit_code, lines = validate("nowhere")
    assert exit_code == 2
    assert lines == ["error: nowhere: no such project directory"]


def test_missing_policy_file_is_one_line_and_exit_2(root: Path) -> None:
    (root / "project").mkdir()
    exit_code, lines = validate("project")
    assert exit_code == 2
    assert lines == [f"error: {FILE}: file not found"]


def test_tracker_announced_without_consent_is_refused_under_the_gdpr(root: Path) -> None:
    text = write_project(
        root,
        (
            ("jurisdictions: [appi]\n", "jurisdictions: [appi, gdpr]\n"),
            (
                "    type: cookie\n    kind: analytics\n",
                "    type: cookie\n    kind: analytics\n    consent: notice\n",
            ),
        ),
    )
    line, column = position(text, "consent: notice")
    exit_code, lines = validate("project")
    assert exit_code == 1
    assert (
        f"{FILE}:{line}:{column}: tracker 'analytics' is analytics, so the EU requires opt-in "
        "consent (ePrivacy Directive Art. 5(3))"
    ) in lines
