"""A third party adds a kind of place without touching PolicyKeeper: by naming its class in the
data map, or by installing it as an entry point of the group policykeeper.places."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from ruamel.yaml import YAML
from toy_place_fixture import ainema_copy

from policykeeper.engine import Identity, places
from policykeeper.engine.runtime import release
from policykeeper.project import load_project


@pytest.fixture
def project_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    directory = ainema_copy(tmp_path, monkeypatch)
    notes = tmp_path / "notes.json"
    notes.write_text(json.dumps({"3": ["likes cats", "asked about refunds"], "4": ["vip"]}))
    return directory


def _add_notes(directory: Path, factory: str) -> None:
    yaml = YAML()
    path = directory / "datamap.yaml"
    data = yaml.load(path.read_text("utf-8"))
    data["stores"]["notes"] = {
        "kind": "custom",
        "factory": factory,
        "options": {"file": str(directory.parent / "notes.json")},
    }
    with path.open("w", encoding="utf-8") as stream:
        yaml.dump(data, stream)


def _run(directory: Path) -> tuple[dict, dict, dict]:
    project = load_project(directory)
    try:
        subject = Identity("user_id", "3")
        planned = places.plan(project, subject)
        exported = places.access(project, subject).to_json()
        erased = places.erase(project, subject).to_json()
    finally:
        release(project)
    return planned, exported, erased


def _check(directory: Path) -> None:
    planned, exported, erased = _run(directory)
    notes = {p["place"]: p for p in planned["places"]}["notes"]
    assert notes["kind"] == "notes" and notes["counts"] == {"items": 2}
    data = {p["place"]: p for p in exported["places"]}["notes"]["data"]
    assert data == {"3": ["likes cats", "asked about refunds"]}
    assert {p["place"]: p for p in erased["places"]}["notes"]["status"] == "deleted"
    assert json.loads((directory.parent / "notes.json").read_text()) == {"4": ["vip"]}


def test_a_toy_place_named_in_the_data_map(project_dir: Path) -> None:
    _add_notes(project_dir, "toy_place:NotesPlace")
    _check(project_dir)


def test_a_toy_place_installed_as_an_entry_point(
    project_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = tmp_path / "site"
    info = site / "acme_notes-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: acme-notes\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(
        "[policykeeper.places]\nacme-notes = toy_place:NotesPlace\n"
    )
    monkeypatch.setattr(sys, "path", [str(site), *sys.path])
    _add_notes(project_dir, "acme-notes")
    _check(project_dir)


def test_a_factory_that_is_not_a_place_is_one_clear_error(project_dir: Path) -> None:
    from policykeeper.errors import InputError

    _add_notes(project_dir, "json:dumps")
    project = load_project(project_dir)
    try:
        with pytest.raises(InputError, match="does not make a place"):
            places.plan(project, Identity("user_id", "3"))
    finally:
        release(project)
