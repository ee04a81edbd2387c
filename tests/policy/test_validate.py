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

SENSITIVE_CATEGORY = (
    """  - key: user.content.private.inquiries
    label: {ja: お問い合わせ内容, en: Inquiries}
    sources: [provided]
""",
    """  - key: user.content.private.inquiries
    label: {ja: お問い合わせ内容, en: Inquiries}
    sources: [provided]
  - key: user.health.medical_history
    label: {ja: 病歴, en: Medical history}
    sources: [provided]
    sensitive: true
    sensitive_consent: {ja: 事前に明示の同意を得ます。, en: Explicit consent is obtained first.}
""",
)
RECOMMENDATIONS = "uses: [personalize]\n    categories: [user.behavior.media_consumption]"
VERCEL = """    categories: [user.device.ip_address, user.device.browser]
    countries: [US]
    safeguards: [equivalent_system]
"""


@dataclass(frozen=True)
class Broken:
    """A change to AInema, where the error must point (`fragment`, first found after `after`)."""

    edits: tuple[tuple[str, str], ...]
    fragment: str
    message: str
    after: str | None = None


CASES = {
    "undeclared category in a purpose": Broken(
        edits=((RECOMMENDATIONS, RECOMMENDATIONS.replace("consumption", "consumptoin")),),
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
    "recipient without a country": Broken(
        edits=((VERCEL, VERCEL.replace("    countries: [US]\n", "")),),
        fragment="name: Vercel Inc.",
        message="recipient 'vercel' has no country (countries: [..], or countries_unknown: true "
        "when the policy does not say)",
    ),
    "cross-border recipient without a safeguard": Broken(
        edits=((VERCEL, VERCEL.replace("    safeguards: [equivalent_system]\n", "")),),
        after="name: Vercel Inc.",
        fragment="countries:",
        message="recipient 'vercel' receives data in US but declares no safeguards "
        "for the cross-border transfer",
    ),
    "countries and countries_unknown together": Broken(
        edits=((VERCEL, VERCEL + "    countries_unknown: true\n"),),
        fragment="countries_unknown:",
        message="recipient 'vercel' names countries, so countries_unknown must be false",
    ),
    "sensitive category in a marketing purpose": Broken(
        edits=(
            SENSITIVE_CATEGORY,
            (
                RECOMMENDATIONS,
                "uses: [marketing.communications.email]\n"
                "    categories: [user.health.medical_history]",
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
                "    provision: entrustment\n"
                "    purpose: {ja: 決済処理(PayPay決済), en: Payment processing (PayPay payments)}\n"
                "    categories: [user.payment.paypay]",
                "    provision: opt_out\n"
                "    purpose: {ja: 決済処理(PayPay決済), en: Payment processing (PayPay payments)}\n"
                "    categories: [user.payment.paypay, user.health.medical_history]",
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
                "Correction Request}\n"
                "    verification: [registered_email, account_login]\n"
                "    deadline: {period: 2 weeks}\n",
                "Correction Request}\n"
                "    verification: [registered_email, account_login]\n"
                "    deadline: {period: 2 weeks}\n"
                "    fee: {kind: fixed, amount: 500}\n",
            ),
        ),
        after="kind: rectification",
        fragment="fee:",
        message="APPI allows no fee for 'rectification' "
        "(Art. 38: only disclosure and notice of purposes)",
    ),
    "fee on restriction under APPI": Broken(
        edits=(
            (
                "cessation of use or erasure of personal information.}\n"
                "    channels: [{contact: email}]\n"
                "    verification: [registered_email, account_login]\n"
                "    deadline: {period: 2 weeks}\n",
                "cessation of use or erasure of personal information.}\n"
                "    channels: [{contact: email}]\n"
                "    verification: [registered_email, account_login]\n"
                "    deadline: {period: 2 weeks}\n"
                "    fee: {kind: actual_cost}\n",
            ),
        ),
        after="kind: restriction",
        fragment="fee:",
        message="APPI allows no fee for 'restriction' "
        "(Art. 38: only disclosure and notice of purposes)",
    ),
    "right without a deadline": Broken(
        edits=(
            (
                "account deletion and erasure of personal information.}\n"
                "    channels: [{contact: email}]\n"
                "    verification: [registered_email, account_login]\n"
                "    deadline: {period: 2 weeks}\n",
                "account deletion and erasure of personal information.}\n"
                "    channels: [{contact: email}]\n"
                "    verification: [registered_email, account_login]\n",
            ),
        ),
        fragment="kind: erasure",
        message="right 'erasure' has no deadline for appi",
    ),
    "ground that does not fit the right": Broken(
        edits=(
            (
                "    deadline: {period: 2 weeks}\n  - kind: erasure",
                "    deadline: {period: 2 weeks}\n    grounds: [beyond_purpose]\n  - kind: erasure",
            ),
        ),
        fragment="beyond_purpose",
        message="'beyond_purpose' is not a ground for 'rectification'",
    ),
    "note on an exception the policy does not list": Broken(
        edits=(
            (
                "provision_exceptions: [law, protect_rights]\n",
                "provision_exceptions: [law, protect_rights]\n"
                "provision_exception_notes:\n"
                "  opt_out: {ja: あらかじめ公表します。, en: Announced in advance.}\n",
            ),
        ),
        fragment="opt_out:",
        message="a note on 'opt_out', which provision_exceptions does not list",
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


def write_project(root: Path, edits: tuple[tuple[str, str], ...]) -> str:
    """AInema's policy.yaml with `edits` applied, written to root/project; returns the text."""
    text = AINEMA.read_text(encoding="utf-8")
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
    result = CliRunner().invoke(app, ["validate", directory])
    return result.exit_code, result.stderr.strip().splitlines()


@pytest.fixture
def root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run from tmp_path so that messages name the file as `project/policy.yaml`."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_ainema_itself_is_valid() -> None:
    exit_code, lines = validate(str(AINEMA.parent))
    assert exit_code == 0, lines


@pytest.mark.parametrize("case", list(CASES.values()), ids=list(CASES))
def test_problem_is_one_located_line(root: Path, case: Broken) -> None:
    text = write_project(root, case.edits)
    line, column = position(text, case.fragment, case.after)
    exit_code, lines = validate("project")
    assert exit_code == 1
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
                "  - name: analytics\n    kind: analytics\n",
                "  - name: analytics\n    kind: analytics\n    consent: notice\n",
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
