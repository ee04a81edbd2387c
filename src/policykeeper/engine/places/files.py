"""Local or mounted files under a root directory, by path template (`uploads/{user_id}/`).

A value filled into a path is one path segment: it may not be empty, '.', '..' or contain a
separator, so no person's value can lead outside their own files. Symbolic links are removed,
never followed.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path, PurePosixPath
from typing import Any

from policykeeper.datamap.models import Keep
from policykeeper.datamap.places import FilesStore
from policykeeper.engine.places.base import Kept, Location, Person, PlaceError, PlaceResult, Status
from policykeeper.engine.places.templates import expand, references

CHUNK = 1024 * 1024


def path_segment(value: str) -> str:
    if value in ("", ".", "..") or "/" in value or "\\" in value or "\0" in value:
        raise PlaceError(f"the value {value!r} cannot be part of a file path")
    return value


def archive_path(*parts: str) -> str:
    """A path inside the export archive that cannot climb out of it."""
    segments = [s for part in parts for s in PurePosixPath(part).parts if s not in ("/", ".", "..")]
    return "/".join(segments)


class FilesPlace:
    kind = "files"

    def __init__(self, name: str, spec: FilesStore, identities: dict[str, str]) -> None:
        self.name = name
        self.spec = spec
        self.recipient = spec.recipient
        self.identities = identities
        self.root = Path(spec.root)

    def columns(self) -> set[str]:
        return {r for g in self.spec.paths for r in references(g.path, self.identities)}

    def locate(self, person: Person) -> Location:
        if not self.root.is_dir():
            raise PlaceError(f"the root directory {self.root} does not exist")
        return {"paths": [expand(group.path, person, path_segment) for group in self.spec.paths]}

    def _targets(self, location: Location) -> list[tuple[Any, Path]]:
        out = []
        for group, paths in zip(self.spec.paths, location["paths"], strict=True):
            for relative in paths:
                target = self.root / relative
                if target.is_symlink() or target.exists():
                    out.append((group, target))
        return out

    def _files(self, target: Path) -> list[Path]:
        if target.is_symlink() or target.is_file():
            return [target]
        found = []
        for folder, _dirs, names in os.walk(target, followlinks=False):
            found += [Path(folder) / n for n in sorted(names)]
        return found

    def count(self, location: Location) -> int:
        return sum(len(self._files(target)) for _group, target in self._targets(location))

    def erase(self, location: Location) -> PlaceResult:
        deleted = 0
        kept: list[Kept] = []
        for group, target in self._targets(location):
            files = self._files(target)
            if isinstance(group.erase, Keep):
                kept += [
                    Kept(
                        str(f.relative_to(self.root)),
                        group.erase.keep,
                        "kept under a declared rule",
                    )
                    for f in files
                ]
                continue
            try:
                if target.is_symlink() or target.is_file():
                    target.unlink()
                else:
                    shutil.rmtree(target)
            except OSError as exc:
                raise PlaceError(f"{target}: {exc.strerror or exc}") from None
            deleted += len(files)
            if target.is_symlink() or target.exists():
                raise PlaceError(f"{target} remains after deletion")
        status = Status.deleted if deleted else Status.kept if kept else Status.nothing_found
        return PlaceResult(status, {"deleted": deleted, "kept": len(kept)}, kept)

    def read(self, location: Location) -> PlaceResult:
        items: list[dict[str, Any]] = []
        files: dict[str, bytes] = {}
        for group, target in self._targets(location):
            for path in self._files(target):
                if path.is_symlink():
                    continue
                relative = str(path.relative_to(self.root))
                size = path.stat().st_size
                entry: dict[str, Any] = {"path": relative, "size": size, "category": group.category}
                if size <= self.spec.export_max_bytes:
                    inside = archive_path("places", self.name, relative)
                    files[inside] = path.read_bytes()
                    entry["file"] = inside
                else:
                    digest = hashlib.sha256()
                    with path.open("rb") as stream:
                        for chunk in iter(lambda: stream.read(CHUNK), b""):
                            digest.update(chunk)
                    entry["sha256"] = digest.hexdigest()
                items.append(entry)
        return PlaceResult(Status.read, {"files": len(items)}, data=items, files=files)

    def rectify(self, location: Location, changes: dict[str, Any]) -> PlaceResult:
        return PlaceResult(Status.not_applicable, note="files are not corrected field by field")

    def restrict(self, location: Location, lift: bool) -> PlaceResult:
        return PlaceResult(Status.not_applicable, note="files stay stored and are not processed")
