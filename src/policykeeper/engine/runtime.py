"""Open the project's databases once, reflect them, and check the data map against them."""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa

from policykeeper.datamap.connections import (
    open_engine,
    require_existing,
    resolve_url,
    unreachable,
)
from policykeeper.datamap.loading import datamap_path
from policykeeper.datamap.schema import (
    PARTITIONS,
    ForeignKey,
    check_live,
    foreign_keys,
    full_name,
    reflect,
    schema_version,
)
from policykeeper.engine.keys import Statements
from policykeeper.engine.state import release_state
from policykeeper.errors import ProblemsFound
from policykeeper.policy.source import read_yaml
from policykeeper.project import Project


@dataclass
class Source:
    """One connection of the data map: its engine, its reflected tables and foreign keys."""

    name: str
    url: str
    engine: sa.Engine
    metadata: sa.MetaData
    foreign_keys: list[ForeignKey]
    schemas: set[str | None]
    version: str | None
    """The schema's version when it was reflected (`schema_version`)."""

    def changed(self) -> bool:
        """Has a table definition in its schemas changed since it was reflected?"""
        if self.version is None:
            return False
        with self.engine.connect() as connection:
            return schema_version(connection, self.schemas) != self.version


@dataclass
class Runtime:
    project: Project
    sources: dict[str, Source]
    tables: dict[str, sa.Table]
    _names: dict[str, str] | None = None
    _keys: dict[str, tuple[str, ...]] = field(default_factory=dict)
    statements: Statements = field(default_factory=Statements)
    """The engine's statements over these reflected tables, built once (see `Statements`)."""

    def source_of(self, table: str) -> Source:
        return self.sources[self.project.datamap.connection_of(table)]

    def primary_key(self, table: str) -> tuple[str, ...]:
        found = self._keys.get(table)
        if found is None:
            found = self._keys[table] = tuple(c.name for c in self.tables[table].primary_key)
        return found

    def mapped_name(self, fullname: str) -> str | None:
        """The data map's name for a reflected table, if the map lists it."""
        if self._names is None:
            self._names = {table.fullname: name for name, table in self.tables.items()}
        return self._names.get(fullname)


def runtime(project: Project) -> Runtime:
    """The project's runtime, reflected once per project object (kept in its cache, so it
    lives as long as whoever holds the project: the Keeper, or the caller)."""
    with project.lock:
        cached: Runtime | None = project.cache.get("runtime")
        if cached is None:
            cached = project.cache["runtime"] = _open(project)
        return cached


def refresh(project: Project) -> bool:
    """Reflect the databases again if a table definition changed since they were reflected
    (a migration ran): one catalog query per connection. True when it reflected again.
    Long-lived processes (the Keeper's jobs) ask before each request; a command that runs
    once does not need to."""
    with project.lock:
        cached: Runtime | None = project.cache.get("runtime")
    if cached is None or not any(source.changed() for source in cached.sources.values()):
        return False
    with project.lock:
        if project.cache.get("runtime") is cached:
            project.cache["runtime"] = _open(project)
    for source in cached.sources.values():
        source.engine.dispose()
    return True


def _open(project: Project) -> Runtime:
    datamap = project.datamap
    sources: dict[str, Source] = {}
    tables: dict[str, sa.Table] = {}
    for name, raw_url in datamap.connections.items():
        url = resolve_url(raw_url, project.directory, f"connection '{name}'")
        require_existing(url)
        engine = open_engine(url)
        schemas = {
            spec.schema_name
            for table_name, spec in datamap.tables.items()
            if datamap.connection_of(table_name) == name
        } | {None}
        try:
            with engine.connect() as connection:
                version = schema_version(connection, schemas)  # first: a change after it
                metadata = reflect(connection, schemas)  # only reflects once more
        except sa.exc.SQLAlchemyError as exc:
            engine.dispose()
            raise unreachable(url, exc) from None
        sources[name] = Source(
            name, url, engine, metadata, foreign_keys(metadata), schemas, version
        )
    for table_name, spec in datamap.tables.items():
        live = sources[datamap.connection_of(table_name)].metadata.tables.get(
            full_name(table_name, spec)
        )
        if live is not None:
            tables[table_name] = live
    live = {key: t for source in sources.values() for key, t in source.metadata.tables.items()}
    partitions = {k: v for s in sources.values() for k, v in s.metadata.info[PARTITIONS].items()}
    findings = check_live(datamap, live, partitions)
    if findings:
        for source in sources.values():
            source.engine.dispose()
        document = read_yaml(datamap_path(project.directory))
        raise ProblemsFound([document.problem(location, message) for location, message in findings])
    return Runtime(project, sources, tables)


def release(project: Project) -> None:
    """Close the project's database connections (tests, and long-lived apps switching projects)."""
    with project.lock:
        cached: Runtime | None = project.cache.pop("runtime", None)
    if cached is not None:
        for source in cached.sources.values():
            source.engine.dispose()
    release_state(project)
