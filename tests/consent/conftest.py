"""Consent fixtures: a migrated store (SQLite and PostgreSQL), the examples' declarations and a
consent service bound to a workflow that mails through a local SMTP server."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from consent_kit import KEY, example

from policykeeper.consent.service import ConsentService
from policykeeper.policy.models import Policy
from policykeeper.store import Store, migrate


def maker(store: Store) -> Callable[..., ConsentService]:
    def make(name: str | Policy = "jasminai", **options: Any) -> ConsentService:
        policy = example(name) if isinstance(name, str) else name
        return ConsentService(store, policy, key=KEY, **options)

    return make


@pytest.fixture
def make_service(store: Store) -> Callable[..., ConsentService]:
    """A consent service for an example's declaration, on SQLite and on PostgreSQL."""
    return maker(store)


@pytest.fixture
def lite_store(sqlite_state_url: str) -> Iterator[Store]:
    migrate(sqlite_state_url)
    opened = Store(sqlite_state_url)
    yield opened
    opened.dispose()


@pytest.fixture
def make_lite(lite_store: Store) -> Callable[..., ConsentService]:
    """The same on SQLite only, for tests about rules rather than databases."""
    return maker(lite_store)
