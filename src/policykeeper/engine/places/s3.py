"""Objects in an S3-compatible bucket, by exact key or key prefix.

In a versioned bucket a delete only adds a delete marker and the data stays: erasure removes
every version and every delete marker of each object, then lists again to prove none is left.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from typing import Any

from policykeeper.datamap.models import Keep
from policykeeper.datamap.places import S3Store
from policykeeper.engine.places.base import Kept, Location, Person, PlaceError, PlaceResult, Status
from policykeeper.engine.places.files import archive_path
from policykeeper.engine.places.templates import expand, references
from policykeeper.errors import InputError

DELETE_BATCH = 1000
CHUNK = 1024 * 1024


class S3Place:
    kind = "s3"

    def __init__(self, name: str, spec: S3Store, identities: dict[str, str]) -> None:
        self.name = name
        self.spec = spec
        self.recipient = spec.recipient
        self.identities = identities
        self._client: Any = None

    @property
    def client(self) -> Any:
        if self._client is None:
            try:
                import boto3
                from botocore.config import Config
            except ImportError:
                raise InputError(
                    f"store '{self.name}' needs boto3: pip install 'policykeeper[stores]'"
                ) from None
            style = {"addressing_style": "path"} if self.spec.endpoint_url else {}
            self._client = boto3.client(
                "s3",
                endpoint_url=self.spec.endpoint_url or None,
                region_name=self.spec.region,
                aws_access_key_id=self.spec.access_key_id,
                aws_secret_access_key=self.spec.secret_access_key,
                config=Config(
                    s3=style,
                    retries={"max_attempts": 3, "mode": "standard"},
                    connect_timeout=10,
                    read_timeout=60,
                ),
            )
        return self._client

    def columns(self) -> set[str]:
        return {r for g in self.spec.objects for r in references(g.template(), self.identities)}

    def locate(self, person: Person) -> Location:
        groups = []
        for group in self.spec.objects:
            found = expand(group.template(), person)
            if group.prefix is not None:
                found = [p for p in found if p.endswith("/") and p.strip("/")]
            groups.append(found)
        return {"groups": groups}

    # --- listing --------------------------------------------------------------------------

    def _versioned(self) -> bool:
        answer = self._call("get_bucket_versioning", Bucket=self.spec.bucket)
        return answer.get("Status") in ("Enabled", "Suspended")

    def _objects(self, text: str, exact: bool) -> Iterator[dict[str, Any]]:
        """Current objects under a prefix (or the one object with that key)."""
        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.spec.bucket, Prefix=text
        )
        for page in self._pages(pages):
            for item in page.get("Contents", []):
                if not exact or item["Key"] == text:
                    yield item

    def _versions(self, text: str, exact: bool) -> Iterator[dict[str, Any]]:
        """Every version and delete marker under a prefix (or of one key)."""
        pages = self.client.get_paginator("list_object_versions").paginate(
            Bucket=self.spec.bucket, Prefix=text
        )
        for page in self._pages(pages):
            for item in [*page.get("Versions", []), *page.get("DeleteMarkers", [])]:
                if not exact or item["Key"] == text:
                    yield {"Key": item["Key"], "VersionId": item["VersionId"]}

    def _groups(self, location: Location) -> Iterator[tuple[Any, str, bool]]:
        for group, found in zip(self.spec.objects, location["groups"], strict=True):
            for text in found:
                yield group, text, group.key is not None

    def count(self, location: Location) -> int:
        return sum(
            1 for _g, text, exact in self._groups(location) for _ in self._objects(text, exact)
        )

    # --- actions --------------------------------------------------------------------------

    def erase(self, location: Location) -> PlaceResult:
        versioned = self._versioned()
        deleted: set[str] = set()
        removed = 0
        kept: list[Kept] = []
        for group, text, exact in self._groups(location):
            if isinstance(group.erase, Keep):
                kept += [
                    Kept(item["Key"], group.erase.keep, "kept under a declared rule")
                    for item in self._objects(text, exact)
                ]
                continue
            targets = (
                list(self._versions(text, exact))
                if versioned
                else [{"Key": o["Key"]} for o in self._objects(text, exact)]
            )
            self._delete(targets)
            deleted.update(t["Key"] for t in targets)
            removed += len(targets)
            left = list(self._versions(text, exact) if versioned else self._objects(text, exact))
            if left:
                raise PlaceError(f"{len(left)} objects under {text!r} remain after deletion")
        counts = {"deleted": len(deleted), "versions_removed": removed, "kept": len(kept)}
        if deleted:
            status = Status.deleted
        elif kept:
            status = Status.kept
        else:
            status = Status.nothing_found
        return PlaceResult(status, counts, kept)

    def _delete(self, targets: list[dict[str, Any]]) -> None:
        for start in range(0, len(targets), DELETE_BATCH):
            batch = targets[start : start + DELETE_BATCH]
            answer = self._call(
                "delete_objects",
                Bucket=self.spec.bucket,
                Delete={"Objects": batch, "Quiet": True},
            )
            errors = answer.get("Errors", [])
            if errors:
                first = errors[0]
                raise PlaceError(
                    f"{len(errors)} objects were not deleted, e.g. {first.get('Key')}: "
                    f"{first.get('Code')} {first.get('Message', '')}".strip()
                )

    def read(self, location: Location) -> PlaceResult:
        items: list[dict[str, Any]] = []
        files: dict[str, bytes] = {}
        for group, text, exact in self._groups(location):
            for item in self._objects(text, exact):
                key, size = item["Key"], int(item["Size"])
                entry: dict[str, Any] = {"key": key, "size": size, "category": group.category}
                body = self._call("get_object", Bucket=self.spec.bucket, Key=key)["Body"]
                if size <= self.spec.export_max_bytes:
                    path = archive_path("places", self.name, key)
                    files[path] = body.read()
                    entry["file"] = path
                else:
                    digest = hashlib.sha256()
                    for chunk in body.iter_chunks(CHUNK):
                        digest.update(chunk)
                    entry["sha256"] = digest.hexdigest()
                body.close()
                items.append(entry)
        return PlaceResult(Status.read, {"objects": len(items)}, data=items, files=files)

    def rectify(self, location: Location, changes: dict[str, Any]) -> PlaceResult:
        return PlaceResult(Status.not_applicable, note="objects are not corrected field by field")

    def restrict(self, location: Location, lift: bool) -> PlaceResult:
        return PlaceResult(Status.not_applicable, note="objects stay stored and are not processed")

    # --- errors ---------------------------------------------------------------------------

    def _pages(self, pages: Any) -> Iterator[dict[str, Any]]:
        try:
            yield from pages
        except Exception as exc:
            raise self._error(exc) from None

    def _call(self, operation: str, **arguments: Any) -> Any:
        try:
            return getattr(self.client, operation)(**arguments)
        except Exception as exc:
            raise self._error(exc) from None

    def _error(self, exc: Exception) -> PlaceError:
        from botocore.exceptions import BotoCoreError, ClientError

        if isinstance(exc, ClientError):
            error = exc.response.get("Error", {})
            return PlaceError(f"S3 {error.get('Code', '')}: {error.get('Message', '')}".strip())
        if isinstance(exc, BotoCoreError):
            return PlaceError(f"S3 unreachable: {exc}")
        raise exc
