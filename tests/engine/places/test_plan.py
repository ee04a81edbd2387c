"""One plan shows every place together; corrections and restrictions go everywhere too."""

from __future__ import annotations

import json

from places_kit import Everywhere
from typer.testing import CliRunner

from policykeeper.cli import app


def _cli(*args: str) -> tuple[int, dict, str]:
    result = CliRunner().invoke(app, list(args))
    data = json.loads(result.stdout) if result.stdout.strip().startswith("{") else {}
    return result.exit_code, data, result.stderr


def test_plan_shows_tables_stores_processor_calls_and_manual_tasks(everywhere: Everywhere) -> None:
    user_id, email = everywhere.person()
    code, plan, _ = _cli("plan", str(everywhere.directory), "--identity", f"user_id={user_id}")
    assert code == 0
    assert {t["table"] for t in plan["tables"]} >= {"users", "payouts", "creator_profiles"}
    places = {p["place"]: p for p in plan["places"]}
    assert list(places) == ["database", "media", "sessions", "stripe", "digico", "paypay"]
    assert places["database"]["counts"]["rows"] == plan["total_rows"]
    assert places["media"]["counts"]["items"] == 5, "the avatar, two uploads, two statements"
    assert "every version and delete marker; kept under transactions" in places["media"]["note"]
    assert places["sessions"]["counts"]["items"] >= 2
    assert places["stripe"]["note"] == (
        "Stripe: DELETE /v1/customers/{id} for each record (ids kept in the database)"
    )
    assert places["digico"]["note"] == "a task for staff: tell privacy@digico.example within 5 days"
    assert email not in json.dumps(plan), "a plan reads no personal data"
    assert not everywhere.stripe.calls, "nor does it call a processor that keeps its ids here"


def test_a_correction_reaches_the_processor(everywhere: Everywhere) -> None:
    user_id, _email = everywhere.person()
    customer = everywhere.column("SELECT stripe_customer_id FROM users WHERE id = :id", id=user_id)[
        0
    ]
    code, report, errors = _cli(
        "rectify",
        str(everywhere.directory),
        "--identity",
        f"user_id={user_id}",
        "--set",
        "users.email=fixed@example.jp",
    )
    assert code == 0, errors
    places = {p["place"]: p for p in report["places"]}
    assert (
        places["stripe"]["status"] == "passed_to_recipient" and places["stripe"]["note"] == "email"
    )
    assert everywhere.stripe.customers[customer]["email"] == "fixed@example.jp"
    assert places["digico"]["status"] == "awaiting_recipient"
    assert places["paypay"]["status"] in ("not_applicable",), "PayPay is told of erasures only"
    assert places["media"]["status"] == "not_applicable"


def test_generate_fills_the_configured_stores(everywhere: Everywhere) -> None:
    everywhere.reset()
    code, _report, errors = _cli("generate", str(everywhere.directory), "--users", "5", "--places")
    assert code == 0, errors
    assert "filled media" in errors and "sessions" in errors
    avatars = everywhere.column("SELECT avatar_key FROM users WHERE avatar_key IS NOT NULL")
    stored = {key for key, kind, _v in everywhere.objects("avatars/") if kind == "version"}
    assert stored == set(avatars)
    assert [k for k in everywhere.redis_keys() if k.startswith("cache:profile:")] == sorted(
        f"cache:profile:{n}" for n in range(1, 6)
    )


def test_erase_exits_1_and_says_what_is_left_when_a_processor_fails(
    everywhere: Everywhere,
) -> None:
    user_id, _email = everywhere.person()
    everywhere.stripe.fail["DELETE"] = 3
    result = CliRunner().invoke(
        app, ["erase", str(everywhere.directory), "--identity", f"user_id={user_id}", "--json"]
    )
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["pending"] == ["stripe"] and report["complete"] is False
    assert "not finished: stripe; run erase again to retry" in result.stderr
    again = CliRunner().invoke(  # the short human summary this time
        app, ["erase", str(everywhere.directory), "--identity", f"user_id={user_id}"]
    )
    assert again.exit_code == 0, again.stderr
    assert "stripe: passed to recipient" in again.stdout
