"""The places of a project, in the order a request visits them: the SQL tables first (other
places are found from the person's rows), then stores, processors and manual tasks.

Secrets are filled in here from `${NAME}`. A place marked `optional` whose secret is unset is
kept in the list as skipped, so plans and reports say so instead of leaving it out.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from importlib.metadata import entry_points
from typing import Any

from policykeeper.connectors.config import ConnectorConfig
from policykeeper.connectors.loading import connector_path, load_connector
from policykeeper.datamap.connections import expand
from policykeeper.datamap.places import (
    ConnectorUse,
    CustomStore,
    FilesStore,
    ManualTask,
    RedisStore,
    S3Store,
)
from policykeeper.engine.identity import Identity
from policykeeper.engine.places.base import Location, Person, Place, PlaceResult, Status
from policykeeper.engine.places.connector import ConnectorPlace
from policykeeper.engine.places.files import FilesPlace
from policykeeper.engine.places.manual import ManualPlace
from policykeeper.engine.places.redis_store import RedisPlace
from policykeeper.engine.places.s3 import S3Place
from policykeeper.engine.places.sql import SqlPlace
from policykeeper.errors import InputError
from policykeeper.progress import Progress
from policykeeper.project import Project

ENTRY_POINTS = "policykeeper.places"
REQUIRED = {
    "s3": ("bucket", "region", "access_key_id", "secret_access_key"),
    "redis": ("url",),
    "files": ("root",),
}


class SkippedPlace:
    """An optional place whose configuration is not set here: every action says so."""

    def __init__(self, name: str, kind: str, recipient: str | None, reason: str) -> None:
        self.name, self.kind, self.recipient, self.reason = name, kind, recipient, reason

    def columns(self) -> set[str]:
        return set()

    def locate(self, person: Person) -> Location:
        return {}

    def count(self, location: Location) -> int:
        return 0

    def _skipped(self) -> PlaceResult:
        return PlaceResult(Status.skipped, note=self.reason)

    def read(self, location: Location) -> PlaceResult:
        return self._skipped()

    def erase(self, location: Location) -> PlaceResult:
        return self._skipped()

    def rectify(self, location: Location, changes: dict[str, Any]) -> PlaceResult:
        return self._skipped()

    def restrict(self, location: Location, lift: bool) -> PlaceResult:
        return self._skipped()


def build_places(
    project: Project, identity: Identity, run_key: str = "", progress: Progress | None = None
) -> tuple[SqlPlace, list[Place]]:
    """The SQL place and every other place of the data map, in visiting order."""
    datamap = project.datamap
    identities = {kind: str(column) for kind, column in datamap.identities.items()}
    others: list[Place] = []
    for name, spec in datamap.stores.items():
        others.append(
            _optional(
                name,
                spec.kind,
                spec.recipient,
                spec.optional,
                lambda n=name, s=spec: _store(n, s, identities),
            )
        )
    for name, use in datamap.connectors.items():
        others.append(
            _optional(
                name,
                "connector",
                use.recipient,
                use.optional,
                lambda n=name, u=use: _connector(project, n, u, identities, run_key),
            )
        )
    for name, task in datamap.manual_tasks.items():
        others.append(_manual(name, task, identities))
    return SqlPlace(project, identity, progress), others


def _optional(
    name: str, kind: str, recipient: str | None, optional: bool, build: Callable[[], Place]
) -> Place:
    try:
        return build()
    except InputError as exc:
        if not optional:
            raise
        return SkippedPlace(name, kind, recipient, f"not configured here: {exc}")


def _filled(value: Any, what: str) -> Any:
    """Every `${NAME}` in a configuration value replaced from the environment."""
    if isinstance(value, str):
        return expand(value, what)
    if isinstance(value, dict):
        return {k: _filled(v, what) for k, v in value.items()}
    if isinstance(value, list):
        return [_filled(v, what) for v in value]
    return value


def _store(name: str, spec: Any, identities: dict[str, str]) -> Place:
    what = f"store '{name}'"
    filled = type(spec).model_validate(_filled(spec.model_dump(by_alias=True), what))
    for field in REQUIRED.get(filled.kind, ()):
        if not getattr(filled, field):
            raise InputError(f"{what}: {field} is empty")
    if isinstance(filled, S3Store):
        return S3Place(name, filled, identities)
    if isinstance(filled, RedisStore):
        return RedisPlace(name, filled, identities)
    if isinstance(filled, FilesStore):
        return FilesPlace(name, filled, identities)
    assert isinstance(filled, CustomStore)
    factory = _factory(filled.factory, what)
    try:
        place = factory(name=name, options=filled.options, identities=identities)
    except TypeError as exc:
        raise InputError(f"{what}: {filled.factory} does not make a place: {exc}") from None
    if not isinstance(place, Place):
        raise InputError(
            f"{what}: {filled.factory} does not make a place (see engine.places.Place)"
        )
    return place


def _factory(reference: str, what: str) -> Callable[..., Any]:
    """`module:attribute`, or an installed entry point of the group policykeeper.places."""
    if ":" in reference:
        module, _, attribute = reference.partition(":")
        try:
            return getattr(import_module(module), attribute)  # type: ignore[no-any-return]
        except (ImportError, AttributeError) as exc:
            raise InputError(f"{what}: cannot load {reference}: {exc}") from None
    found = [e for e in entry_points(group=ENTRY_POINTS) if e.name == reference]
    if not found:
        raise InputError(f"{what}: no installed place kind '{reference}' ({ENTRY_POINTS})")
    return found[0].load()  # type: ignore[no-any-return]


def _connector(
    project: Project, name: str, use: ConnectorUse, identities: dict[str, str], run_key: str
) -> Place:
    what = f"connector '{name}'"
    config = _connector_config(project, use.config)
    settings: dict[str, str] = {}
    for key, setting in config.settings.items():
        raw = use.settings.get(key)
        value = expand(raw, what) if raw is not None else setting.default
        if not value:
            raise InputError(f"{what}: the setting '{key}' is not set")
        settings[key] = value
    return ConnectorPlace(name, use, config, settings, identities, run_key)


def _connector_config(project: Project, reference: str) -> ConnectorConfig:
    """The connector's configuration, parsed once per loaded project and version of its file:
    a job reads it from the project's cache, not from disk (the parsed model is only read)."""
    path = connector_path(reference, project.directory)
    try:
        stat = path.stat()
    except OSError:
        return load_connector(reference, project.directory)  # it words what is missing
    stamp = (stat.st_mtime_ns, stat.st_size)
    key = f"connector:{path}"
    with project.lock:
        cached = project.cache.get(key)
    if cached is not None and cached[0] == stamp:
        return cached[1]  # type: ignore[no-any-return]
    config = load_connector(reference, project.directory)
    with project.lock:
        project.cache[key] = (stamp, config)
    return config


def _manual(name: str, task: ManualTask, identities: dict[str, str]) -> Place:
    return ManualPlace(name, task, identities)
