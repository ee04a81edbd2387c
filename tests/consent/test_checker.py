"""allowed(): defaults from the declaration, answers from the cache, invalidation on a new
record, GPC per request, and a restriction from the request engine."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from consent_kit import EXAMPLES, KEY, example

from policykeeper import engine
from policykeeper.consent.checker import project_restriction
from policykeeper.consent.service import ConsentService
from policykeeper.engine.runtime import release, runtime
from policykeeper.errors import SubjectNotFound
from policykeeper.examples.generation import generate
from policykeeper.project import Project, load_project
from policykeeper.store import Store
from policykeeper.workflow.errors import Invalid

Make = Callable[..., ConsentService]


def test_defaults_before_any_choice(make_lite: Make) -> None:
    service = make_lite("jasminai")
    assert not service.allowed("user_id=1", "personalization")  # opt-in
    assert service.allowed("user_id=1", "marketing")  # opt-out
    assert service.allowed("user_id=1", "services")  # contract: not a consent purpose
    assert service.allowed("user_id=1", "storage")


def test_unknown_purposes_and_malformed_subjects_are_errors(make_lite: Make) -> None:
    service = make_lite("jasminai")
    with pytest.raises(Invalid, match="unknown purpose 'advertising'"):
        service.allowed("user_id=1", "advertising")
    with pytest.raises(Invalid, match="a subject is"):
        service.allowed("no spaces allowed", "services")


def test_a_new_record_invalidates_the_cache_at_once(make_lite: Make) -> None:
    service = make_lite("jasminai", ttl=3600)
    assert not service.allowed("user_id=1", "personalization")
    service.ledger.record("user_id=1", {"personalization": True}, source="api", language="en")
    assert service.allowed("user_id=1", "personalization")
    service.ledger.record("user_id=1", {"personalization": False}, source="api", language="en")
    assert not service.allowed("user_id=1", "personalization")


def test_another_processs_record_is_seen_after_the_ttl(lite_store: Store) -> None:
    now = [0.0]
    reader = ConsentService(lite_store, example("jasminai"), key=KEY)
    reader.checker._clock = lambda: now[0]
    writer = ConsentService(lite_store, example("jasminai"), key=KEY)
    assert not reader.allowed("user_id=1", "personalization")
    writer.ledger.record("user_id=1", {"personalization": True}, source="api", language="en")
    assert not reader.allowed("user_id=1", "personalization")
    now[0] += reader.checker.ttl + 0.1
    assert reader.allowed("user_id=1", "personalization")


def test_gpc_on_the_request_turns_off_sale_and_sharing_only(make_lite: Make) -> None:
    service = make_lite("audiostock")
    assert service.allowed("device:x", "targeted_advertising")  # notice: on by default
    assert not service.allowed("device:x", "targeted_advertising", signal=True)
    assert not service.allowed("device:x", "statistics", signal=True)
    assert service.allowed("device:x", "service", signal=True)


def test_a_restriction_allows_nothing_but_storage(make_lite: Make) -> None:
    restricted = {"user_id=5"}
    service = make_lite("jasminai", restricted=restricted.__contains__)
    service.ledger.record("user_id=5", {"personalization": True}, source="api", language="en")
    assert not service.allowed("user_id=5", "personalization")
    assert not service.allowed("user_id=5", "services")
    assert service.allowed("user_id=5", "storage")
    assert service.allowed("user_id=6", "services")


@pytest.fixture
def ainema(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Project]:
    url = f"sqlite:///{tmp_path / 'ainema.sqlite3'}"
    generate("ainema", url, 5, progress=False)
    monkeypatch.setenv("AINEMA_DATABASE_URL", url)
    target = tmp_path / "ainema"
    shutil.copytree(EXAMPLES / "ainema", target, ignore=shutil.ignore_patterns("*.sqlite3"))
    project = load_project(target)
    yield project
    release(project)


def test_the_request_engines_restriction_reaches_allowed(
    ainema: Project, lite_store: Store
) -> None:
    rt = runtime(ainema)
    with rt.sources["main"].engine.connect() as connection:
        user = connection.execute(sa.select(rt.tables["users"].c.id)).scalars().first()
    service = ConsentService(
        lite_store, ainema.policy, key=KEY, restricted=project_restriction(ainema), ttl=0
    )
    subject = f"user_id={user}"
    service.ledger.record(subject, {"analytics": True}, source="api", language="ja")
    assert service.allowed(subject, "analytics")
    engine.restrict(ainema, engine.Identity("user_id", str(user)))
    assert not service.allowed(subject, "analytics")
    assert not service.allowed(subject, "service")
    assert service.allowed(subject, "storage")
    engine.restrict(ainema, engine.Identity("user_id", str(user)), lift=True)
    assert service.allowed(subject, "analytics")
    with pytest.raises(SubjectNotFound, match="no one with that user_id"):
        service.allowed("user_id=999999", "analytics")
