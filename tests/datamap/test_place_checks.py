"""validate: every recipient the declaration says receives personal data is reached by a
place, a connector or a manual task, and no place sends data to an undeclared recipient."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from ruamel.yaml import YAML
from typer.testing import CliRunner

from policykeeper.cli import app

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _edit(path: Path, change: Callable[[dict], None]) -> None:
    yaml = YAML()
    data = yaml.load(path.read_text("utf-8"))
    change(data)
    with path.open("w", encoding="utf-8") as stream:
        yaml.dump(data, stream)


def _validate(
    tmp_path: Path,
    example: str,
    change: Callable[[dict], None],
    declare: Callable[[dict], None] | None = None,
) -> tuple[int, str]:
    directory = tmp_path / example
    shutil.copytree(EXAMPLES / example, directory, ignore=shutil.ignore_patterns("*.sqlite3"))
    _edit(directory / "datamap.yaml", change)
    if declare is not None:
        _edit(directory / "policy.yaml", declare)
    result = CliRunner().invoke(app, ["validate", str(directory)])
    return result.exit_code, result.stderr


@pytest.mark.parametrize("example", ["ainema", "jasminai", "audiostock"])
def test_the_examples_reach_every_recipient(example: str) -> None:
    """The examples' own validate output (which lists what their originals leave out under
    the law, tests/policy/test_examples.py) has no finding about places or recipients."""
    result = CliRunner().invoke(app, ["validate", str(EXAMPLES / example)])
    about_places = [
        line for line in result.stderr.splitlines() if "datamap.yaml" in line.split(": ")[0]
    ]
    assert about_places == [], result.stderr


def _digico_receives_email(policy: dict) -> None:
    """AInema's original names no categories for Digico; here it is declared to receive one."""
    digico = next(r for r in policy["recipients"] if r["id"] == "digico")
    digico["categories"] = ["user.contact.email"]


def test_a_recipient_without_connector_or_task_is_reported(tmp_path: Path) -> None:
    code, errors = _validate(
        tmp_path, "ainema", lambda d: d["manual_tasks"].pop("digico"), _digico_receives_email
    )
    assert code == 1
    assert (
        "recipient 'digico' receives personal data but has neither a connector nor a manual "
        "task for erasure" in errors
    )
    assert "datamap.yaml:" in errors and "paypay" not in errors


def test_a_connector_for_an_undeclared_recipient_is_an_undeclared_disclosure(
    tmp_path: Path,
) -> None:
    def add(data: dict) -> None:
        data["connectors"]["mail"] = dict(data["connectors"]["stripe"], recipient="mailchimp")

    code, errors = _validate(tmp_path, "ainema", add)
    assert code == 1
    assert (
        "connector 'mail' sends data to 'mailchimp', a recipient policy.yaml never declares"
        in errors
    )
    assert "(an undeclared disclosure)" in errors


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda d: d["connectors"]["stripe"]["settings"].update(api_key="sk_live_inline"),
            "'api_key' is a secret: take it from the environment as ${NAME}",
        ),
        (
            lambda d: d["connectors"]["stripe"]["settings"].pop("api_key"),
            "the Stripe connector needs the setting 'api_key'",
        ),
        (
            lambda d: d["connectors"]["stripe"].update(config="strpe"),
            "no shipped connector 'strpe'; shipped: hotjar, stripe",
        ),
        (
            lambda d: d["connectors"]["stripe"]["rectify"].update({"users.language": "locale"}),
            "the Stripe connector corrects no field 'locale'",
        ),
        (
            lambda d: d["manual_tasks"]["digico"]["when"][0].update(table="payout"),
            "'payout' is not an owned table of the map; did you mean 'payouts'?",
        ),
        (
            lambda d: d["recipients"]["neon"]["hosts"].append("replica"),
            "unknown connection 'replica'",
        ),
    ],
)
def test_connector_and_task_mistakes_are_one_line_each(
    tmp_path: Path, change: Callable[[dict], None], message: str
) -> None:
    code, errors = _validate(tmp_path, "ainema", change)
    assert code == 1 and message in errors, errors
    assert all(
        line.startswith(str(tmp_path)) or "datamap.yaml:" in line for line in errors.splitlines()
    )
