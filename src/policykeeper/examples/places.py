"""Synthetic data beyond SQL: the objects, keys and files an example's data map says exist.

Every template of every configured store is filled from the generated rows of the whole
database, so each person's avatar key, upload prefix or session pattern has something there,
exactly where erasure and access will look. Optional stores that are not configured are left
out, as the engine leaves them out.
"""

from __future__ import annotations

import hashlib
import json

import sqlalchemy as sa

from policykeeper.datamap.places import PLACEHOLDER
from policykeeper.engine.identity import Identity
from policykeeper.engine.places.base import Person
from policykeeper.engine.places.files import FilesPlace
from policykeeper.engine.places.redis_store import RedisPlace
from policykeeper.engine.places.registry import build_places
from policykeeper.engine.places.s3 import S3Place
from policykeeper.engine.places.templates import expand
from policykeeper.engine.runtime import runtime
from policykeeper.project import Project

VERSIONS = 2
"""Each exact-key object is written twice, so a versioned bucket holds old versions too."""


def seed_places(project: Project) -> dict[str, int]:
    """Write what each configured store should hold for every person; items per store."""
    _sql, places = build_places(project, Identity("seed", "seed"))
    counts: dict[str, int] = {}
    for place in places:
        if isinstance(place, S3Place):
            counts[place.name] = _seed_s3(project, place)
        elif isinstance(place, RedisPlace):
            counts[place.name] = _seed_redis(project, place)
        elif isinstance(place, FilesPlace):
            counts[place.name] = _seed_files(project, place)
    return counts


def _everyone(project: Project, template: str) -> list[str]:
    """The template filled for every row of its table (all people at once)."""
    identities = {kind: str(column) for kind, column in project.datamap.identities.items()}
    references = {identities.get(n, n) for n in PLACEHOLDER.findall(template)}
    if not references:
        return [template]
    table = next(iter(references)).partition(".")[0]
    columns = sorted({r.partition(".")[2] for r in references})
    rt = runtime(project)
    live = rt.tables[table]
    with rt.source_of(table).engine.connect() as connection:
        rows = [
            dict(r) for r in connection.execute(sa.select(*(live.c[c] for c in columns))).mappings()
        ]
    everyone = Person(Identity("seed", "seed"), identities, {table: rows})
    return expand(template, everyone)


def _seed_s3(project: Project, place: S3Place) -> int:
    client = place.client
    bucket = place.spec.bucket
    existing = {b["Name"] for b in client.list_buckets().get("Buckets", [])}
    if bucket not in existing:
        client.create_bucket(Bucket=bucket)
        client.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    written = 0
    for group in place.spec.objects:
        for text in _everyone(project, group.template()):
            if group.key is not None:
                for version in range(VERSIONS):
                    client.put_object(Bucket=bucket, Key=text, Body=_content(text, version))
                    written += 1
            else:
                for name in ("1.bin", "2.bin"):
                    client.put_object(Bucket=bucket, Key=text + name, Body=_content(text + name))
                    written += 1
    return written


def _seed_redis(project: Project, place: RedisPlace) -> int:
    client = place.client
    written = 0
    for keys in place.spec.keys:
        for pattern in _everyone(project, keys.pattern):
            token = hashlib.sha256(pattern.encode()).hexdigest()[:16]
            key = place.spec.key_prefix + pattern.replace("*", token)
            if keys.export:
                client.set(key, json.dumps({"key": pattern, "cached": True}))
            else:
                client.incr(key)
            written += 1
    return written


def _seed_files(project: Project, place: FilesPlace) -> int:
    written = 0
    for group in place.spec.paths:
        for text in _everyone(project, group.path):
            target = place.root / text
            files = [target / "1.bin", target / "2.bin"] if text.endswith("/") else [target]
            for path in files:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(_content(str(path)))
                written += 1
    return written


def _content(name: str, version: int = 0) -> bytes:
    return f"synthetic content of {name} (version {version})\n".encode()
