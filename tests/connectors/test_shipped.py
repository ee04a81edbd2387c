"""The shipped connector configurations (Stripe, Hotjar) run against local servers that answer
as those APIs document: authentication, search with pagination, access, erasure, correction."""

from __future__ import annotations

from pathlib import Path

import pytest
from places_kit import STRIPE_KEY, FakeHotjar, FakeStripe

from policykeeper.connectors import ConnectorClient, ConnectorError, load_connector
from policykeeper.connectors.config import RetryPolicy
from policykeeper.datamap.places import ConnectorUse
from policykeeper.engine.identity import Identity
from policykeeper.engine.places.base import Person, PlaceError, Status
from policykeeper.engine.places.connector import ConnectorPlace

HERE = Path(".")
FAST = RetryPolicy(attempts=3, backoff_seconds=0.01, max_backoff_seconds=0.05)


def _person(email: str, customer: str | None = None) -> Person:
    row = {"email": email, "id": 7, "stripe_customer_id": customer}
    return Person(
        Identity("email", email), {"email": "users.email", "user_id": "users.id"}, {"users": [row]}
    )


def _stripe(url: str, **use: object) -> ConnectorPlace:
    spec = ConnectorUse.model_validate({"recipient": "stripe", "config": "stripe", **use})
    settings = {"api_key": STRIPE_KEY, "base_url": url}
    return ConnectorPlace(
        "stripe", spec, load_connector("stripe", HERE), settings, _person("x").identities
    )


def test_stripe_by_kept_id_reads_deletes_and_repeats_safely(
    stripe_api: tuple[FakeStripe, str],
) -> None:
    fake, url = stripe_api
    fake.add("cus_A1", "a@example.jp", "Aiko", cards=3)
    fake.add("cus_B2", "b@example.jp", "Bob")
    place = _stripe(url, id="{users.stripe_customer_id}", retry=FAST.model_dump())
    location = place.locate(_person("a@example.jp", "cus_A1"))
    assert location["ids"] == ["cus_A1"]

    read = place.read(location)
    assert read.status is Status.read
    assert read.data[0]["customer"]["email"] == "a@example.jp"
    assert [pm["card"]["last4"] for pm in read.data[0]["payment_methods"]] == [
        "4240",
        "4241",
        "4242",
    ]

    erased = place.erase(location)
    assert erased.status is Status.passed_to_recipient
    assert "cus_A1" not in fake.customers and "cus_B2" in fake.customers
    assert [c for c in fake.calls if c[0] == "DELETE"] == [("DELETE", "/v1/customers/cus_A1")]

    replayed = _stripe(url, id="{users.stripe_customer_id}").erase(location)
    assert replayed.counts == {"records": 1, "already_gone": 0}, "same run: Stripe replays"
    fresh = place.locate(_person("a@example.jp", "cus_A1"))
    again = _stripe(url, id="{users.stripe_customer_id}").erase(fresh)
    assert again.status is Status.passed_to_recipient
    assert again.counts == {"records": 1, "already_gone": 1}, "a new run finds it already gone"
    assert len([c for c in fake.calls if c[0] == "DELETE"]) == 3


def test_stripe_search_by_email_follows_every_page(stripe_api: tuple[FakeStripe, str]) -> None:
    fake, url = stripe_api
    for n in range(130):
        fake.add(f"cus_{n:03d}", "many@example.jp", f"Dup {n}", cards=0)
    fake.add("cus_other", "other@example.jp", "Other")
    place = _stripe(url, person={"email": "{email}"})
    location = place.locate(_person("many@example.jp"))
    assert location["ids"] is None and location["variables"] == {"email": "many@example.jp"}
    assert place.count(location) == 130
    pages = [c for c in fake.calls if c == ("GET", "/v1/customers")]
    assert len(pages) == 2, "limit 100, then starting_after the last id"
    place.erase(location)
    assert list(fake.customers) == ["cus_other"]


def test_stripe_corrections_go_as_form_fields_with_an_idempotency_key(
    stripe_api: tuple[FakeStripe, str],
) -> None:
    fake, url = stripe_api
    fake.add("cus_A1", "old@example.jp", "Old Name")
    place = _stripe(
        url,
        id="{users.stripe_customer_id}",
        rectify={"users.email": "email", "users.display_name": "name"},
    )
    location = place.locate(_person("old@example.jp", "cus_A1"))
    result = place.rectify(location, {"users.email": "new@example.jp", "users.bio": "x"})
    assert result.status is Status.passed_to_recipient and result.note == "email"
    assert fake.customers["cus_A1"]["email"] == "new@example.jp"
    assert fake.customers["cus_A1"]["name"] == "Old Name"
    key = next(iter(fake.replays))
    place.rectify(location, {"users.email": "new@example.jp"})
    assert list(fake.replays) == [key], "the same correction again carries the same key"


def test_stripe_refuses_a_wrong_key_with_its_own_message(
    stripe_api: tuple[FakeStripe, str],
) -> None:
    fake, url = stripe_api
    fake.add("cus_A1", "a@example.jp", "Aiko")
    spec = ConnectorUse(recipient="stripe", config="stripe", id="{users.stripe_customer_id}")
    place = ConnectorPlace(
        "stripe",
        spec,
        load_connector("stripe", HERE),
        {"api_key": "sk_test_wrong", "base_url": url},
        _person("x").identities,
    )
    with pytest.raises(PlaceError) as caught:
        place.erase(place.locate(_person("a@example.jp", "cus_A1")))
    assert "HTTP 401 Invalid API Key provided" in str(caught.value)
    assert "sk_test_wrong" not in str(caught.value)
    assert "cus_A1" in fake.customers


def test_retries_back_off_then_succeed_or_give_up(stripe_api: tuple[FakeStripe, str]) -> None:
    fake, url = stripe_api
    fake.add("cus_A1", "a@example.jp", "Aiko")
    config = load_connector("stripe", HERE).model_copy(update={"rate_limit": None})
    waits: list[float] = []
    client = ConnectorClient(
        config, {"api_key": STRIPE_KEY, "base_url": url}, retry=FAST, sleep=waits.append
    )
    fake.fail["GET"] = 2
    status, answer = client.run(config.access["customer"], {"id": "cus_A1"})
    assert status == 200 and answer["id"] == "cus_A1"
    assert waits == [0.01, 0.02], "doubling backoff"

    waits.clear()
    fake.fail["GET"], fake.retry_after = 1, "0.04"
    client.run(config.access["customer"], {"id": "cus_A1"})
    assert waits == [0.04], "Retry-After asks for longer than the backoff"
    fake.retry_after = None

    fake.fail["DELETE"] = 3
    with pytest.raises(ConnectorError) as caught:
        client.run(config.erase[0], {"id": "cus_A1"})
    assert caught.value.status == 500
    assert [c for c in fake.calls if c[0] == "DELETE"] == [("DELETE", "/v1/customers/cus_A1")] * 3
    assert "cus_A1" in fake.customers
    client.close()


def test_the_rate_limit_spaces_calls() -> None:
    config = load_connector("stripe", HERE)
    now = [0.0]
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        now[0] += seconds

    client = ConnectorClient(
        config,
        {"api_key": "k", "base_url": "http://127.0.0.1:9"},
        sleep=sleep,
        clock=lambda: now[0],
    )
    for _ in range(3):
        client._pace()
    gap = config.rate_limit.per_seconds / config.rate_limit.requests  # type: ignore[union-attr]
    assert waits == [pytest.approx(gap), pytest.approx(gap)]


def test_hotjar_token_then_lookup_and_deletion_by_email(
    hotjar_api: tuple[FakeHotjar, str],
) -> None:
    fake, url = hotjar_api
    fake.hits["a@example.jp"] = 12
    fake.hits["b@example.jp"] = 3
    spec = ConnectorUse(
        recipient="analytics_providers", config="hotjar", person={"email": "{email}"}
    )
    settings = {
        "client_id": fake.client_id,
        "client_secret": fake.client_secret,
        "organization_id": fake.organization_id,
        "base_url": url,
    }
    place = ConnectorPlace(
        "hotjar", spec, load_connector("hotjar", HERE), settings, _person("x").identities
    )
    location = place.locate(_person("a@example.jp"))
    read = place.read(location)
    assert read.status is Status.read and "email" in (read.note or "")
    assert fake.lookups[-1] == {"data_subject_email": "a@example.jp", "delete_all_hits": False}
    assert fake.hits["a@example.jp"] == 12

    erased = place.erase(location)
    assert erased.status is Status.passed_to_recipient
    assert fake.lookups[-1]["delete_all_hits"] is True
    assert "a@example.jp" not in fake.hits and fake.hits["b@example.jp"] == 3
    assert len(fake.tokens) == 1, "one token for the run"

    fake.tokens.clear()  # the token expired: the client fetches a new one once
    place.erase(location)
    assert len(fake.tokens) == 1


def test_a_connector_configuration_error_is_one_located_line(tmp_path: Path) -> None:
    from policykeeper.errors import ProblemsFound

    (tmp_path / "acme.yaml").write_text(
        "name: Acme\ndocs: [https://acme.example/api]\nbase_url: https://acme.example\n"
        "auth: {bearer: '{api_key}'}\nerase:\n  - call: {method: DELET, path: /x}\n"
    )
    with pytest.raises(ProblemsFound) as caught:
        load_connector("acme.yaml", tmp_path)
    assert "acme.yaml:6:" in str(caught.value) and "DELET" in str(caught.value)


def test_an_id_cannot_change_the_path(stripe_api: tuple[FakeStripe, str]) -> None:
    fake, url = stripe_api
    fake.add("cus_A1", "a@example.jp", "Aiko")
    place = _stripe(url, id="{users.stripe_customer_id}")
    location = place.locate(_person("a@example.jp", "cus_A1/../../v1/balance"))
    result = place.erase(location)
    assert fake.raw_paths[-1] == "/v1/customers/cus_A1%2F..%2F..%2Fv1%2Fbalance"
    assert result.counts == {"records": 1, "already_gone": 1}
    assert "cus_A1" in fake.customers
