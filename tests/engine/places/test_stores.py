"""Object storage, Redis and files as places, against real servers: access puts the person's
data in the export, erasure removes exactly their objects, keys and files (every version in a
versioned bucket) and keeps what the data map keeps."""

from __future__ import annotations

import hashlib
import json
import zipfile
from pathlib import Path

import pytest
from places_kit import Everywhere
from ruamel.yaml import YAML

from policykeeper.engine import Identity, places
from policykeeper.engine.runtime import release
from policykeeper.project import load_project


def _erase(directory: Path, identity: Identity) -> dict:
    project = load_project(directory)
    try:
        return places.erase(project, identity).to_json()
    finally:
        release(project)


def _place(report: dict, name: str) -> dict:
    return next(p for p in report["places"] if p["place"] == name)


def _edit_datamap(directory: Path, change) -> None:
    yaml = YAML()
    path = directory / "datamap.yaml"
    data = yaml.load(path.read_text("utf-8"))
    change(data)
    with path.open("w", encoding="utf-8") as stream:
        yaml.dump(data, stream)


def test_s3_erasure_removes_every_version_and_keeps_what_the_map_keeps(
    everywhere: Everywhere,
) -> None:
    user_id, _email = everywhere.person()
    avatar = everywhere.column("SELECT avatar_key FROM users WHERE id = :id", id=user_id)[0]
    creator = everywhere.column("SELECT id FROM creator_profiles WHERE user_id = :id", id=user_id)[
        0
    ]
    assert [kind for _k, kind, _v in everywhere.objects(avatar)] == ["version", "version"]
    everywhere.s3.delete_object(Bucket=everywhere.bucket, Key=avatar)  # a delete marker too
    before = everywhere.objects()
    uploads, statements = f"uploads/{creator}/", f"statements/{creator}/"
    theirs = {item for item in before if item[0] == avatar or item[0].startswith(uploads)}
    kept = [item for item in before if item[0].startswith(statements)]
    assert sorted(kind for key, kind, _v in theirs if key == avatar) == [
        "marker",
        "version",
        "version",
    ]
    assert kept and any(key.startswith(uploads) for key, _kind, _v in theirs)

    report = _erase(everywhere.directory, Identity("user_id", str(user_id)))

    media = _place(report, "media")
    assert media["status"] == "deleted"
    assert media["counts"]["versions_removed"] == len(theirs)
    assert {k["item"] for k in media["kept"]} == {key for key, _kind, _v in kept}
    assert {k["rule"] for k in media["kept"]} == {"transactions"}
    after = everywhere.objects()
    assert sorted(set(before) - theirs) == after, "exactly the person's objects went"


def test_s3_access_exports_small_objects_as_files_and_lists_large_ones(
    everywhere: Everywhere, tmp_path: Path
) -> None:
    user_id, _email = everywhere.person()
    project = load_project(everywhere.directory)
    try:
        found = places.access(project, Identity("user_id", str(user_id)))
        archive_path = tmp_path / "export.zip"
        found.write_zip(archive_path)
    finally:
        release(project)
    archive = zipfile.ZipFile(archive_path)
    media = next(
        p for p in json.loads(archive.read("access.json"))["places"] if p["place"] == "media"
    )
    avatar = everywhere.column("SELECT avatar_key FROM users WHERE id = :id", id=user_id)[0]
    item = next(i for i in media["data"] if i["key"] == avatar)
    stored = everywhere.s3.get_object(Bucket=everywhere.bucket, Key=avatar)["Body"].read()
    assert archive.read(item["file"]) == stored
    assert "users.csv" in archive.namelist(), "the tables are still in the archive"

    _edit_datamap(everywhere.directory, lambda d: d["stores"]["media"].update(export_max_bytes=8))
    project = load_project(everywhere.directory)
    try:
        listed = places.access(project, Identity("user_id", str(user_id)))
    finally:
        release(project)
    media = next(e for e in listed.report.places if e.name == "media")
    large = next(i for i in media.result.data if i["key"] == avatar)
    assert "file" not in large and large["size"] == len(stored)
    assert large["sha256"] == hashlib.sha256(stored).hexdigest()
    assert not listed.files


def test_redis_keys_are_erased_and_exported_by_escaped_patterns(everywhere: Everywhere) -> None:
    user_id, email = everywhere.person()
    # The person's email holds a glob character: their pattern must not match a neighbour's key.
    odd = "star*" + email
    everywhere.execute("UPDATE users SET email = :e WHERE id = :id", e=odd, id=user_id)
    everywhere.redis.set(f"{everywhere.prefix}ratelimit:login:{odd}", 3)
    everywhere.redis.set(f"{everywhere.prefix}ratelimit:login:starXYZ{email}", 1)
    before = everywhere.redis_keys()
    mine = {
        k
        for k in before
        if k.startswith(f"session:{user_id}:")
        or k in (f"cache:profile:{user_id}", f"ratelimit:login:{odd}")
    }
    assert len(mine) >= 2

    project = load_project(everywhere.directory)
    try:
        found = places.access(project, Identity("user_id", str(user_id)))
    finally:
        release(project)
    sessions = next(e for e in found.report.places if e.name == "sessions")
    exported = {i["key"]: i.get("value") for i in sessions.result.data}
    assert set(exported) == {everywhere.prefix + k for k in mine}
    profile = exported[f"{everywhere.prefix}cache:profile:{user_id}"]
    assert json.loads(profile)["cached"] is True
    assert exported[f"{everywhere.prefix}ratelimit:login:{odd}"] is None, "counters stay out"

    report = _erase(everywhere.directory, Identity("user_id", str(user_id)))
    assert _place(report, "sessions")["status"] == "deleted"
    assert _place(report, "sessions")["counts"]["deleted"] == len(mine)
    assert everywhere.redis_keys() == sorted(set(before) - mine)


def test_files_by_path_template_never_leave_their_root(
    everywhere: Everywhere, tmp_path: Path
) -> None:
    root = tmp_path / "uploads-root"
    outside = tmp_path / "outside.txt"
    outside.write_text("someone else's file")
    user_id, _email = everywhere.person()
    theirs = root / "uploads" / str(user_id)
    (theirs / "sub").mkdir(parents=True)
    (theirs / "a.jpg").write_bytes(b"jpeg")
    (theirs / "sub" / "b.txt").write_text("txt")
    (theirs / "link").symlink_to(outside)
    neighbour = root / "uploads" / str(user_id + 1)
    neighbour.mkdir(parents=True)
    (neighbour / "c.jpg").write_bytes(b"other")

    def add_files(data: dict) -> None:
        data["stores"]["local"] = {
            "kind": "files",
            "root": str(root),
            "paths": [
                {"path": "uploads/{user_id}/", "category": "user.content.public.creator_profile"}
            ],
            "export_max_bytes": 3,
        }

    _edit_datamap(everywhere.directory, add_files)
    project = load_project(everywhere.directory)
    try:
        found = places.access(project, Identity("user_id", str(user_id)))
    finally:
        release(project)
    local = next(e for e in found.report.places if e.name == "local")
    listed = {i["path"]: i for i in local.result.data}
    assert set(listed) == {f"uploads/{user_id}/a.jpg", f"uploads/{user_id}/sub/b.txt"}
    assert found.files[listed[f"uploads/{user_id}/sub/b.txt"]["file"]] == b"txt"
    assert listed[f"uploads/{user_id}/a.jpg"]["sha256"] == hashlib.sha256(b"jpeg").hexdigest()

    report = _erase(everywhere.directory, Identity("user_id", str(user_id)))
    assert _place(report, "local")["status"] == "deleted"
    assert _place(report, "local")["counts"]["deleted"] == 3
    assert not theirs.exists()
    assert outside.read_text() == "someone else's file", "a symbolic link is removed, not followed"
    assert (neighbour / "c.jpg").read_bytes() == b"other"


def test_a_value_that_would_climb_out_of_the_root_fails_that_place_only(
    everywhere: Everywhere, tmp_path: Path
) -> None:
    root = tmp_path / "root"
    (root / "uploads").mkdir(parents=True)
    (tmp_path / "precious.txt").write_text("keep")
    user_id, _email = everywhere.person()
    everywhere.execute(
        "UPDATE users SET avatar_key = '../../precious.txt' WHERE id = :id", id=user_id
    )

    def add_files(data: dict) -> None:
        data["stores"]["local"] = {
            "kind": "files",
            "root": str(root),
            "paths": [{"path": "uploads/{users.avatar_key}"}],
        }

    _edit_datamap(everywhere.directory, add_files)
    report = _erase(everywhere.directory, Identity("user_id", str(user_id)))
    local = _place(report, "local")
    assert local["status"] == "failed" and "cannot be part of a file path" in local["error"]
    assert (tmp_path / "precious.txt").read_text() == "keep"
    assert _place(report, "media")["status"] == "deleted", "the other places went on"
    assert report["pending"] == ["local"]


@pytest.mark.parametrize(
    ("template", "message"),
    [
        ("uploads/{creator_profiles.id}", "must end with '/'"),
        ("uploads/{nobody}/", "neither an identity kind nor TABLE.COLUMN"),
        ("uploads/{episodes.id}/", "not an owned table"),
    ],
)
def test_validate_reports_templates_that_would_reach_too_far(
    everywhere: Everywhere, template: str, message: str
) -> None:
    from typer.testing import CliRunner

    from policykeeper.cli import app

    _edit_datamap(
        everywhere.directory,
        lambda d: d["stores"]["media"]["objects"].append({"prefix": template}),
    )
    result = CliRunner().invoke(app, ["validate", str(everywhere.directory)])
    assert result.exit_code == 1
    assert message in result.stderr and "datamap.yaml:" in result.stderr


def test_archive_paths_cannot_climb_out() -> None:
    from policykeeper.engine.places.files import archive_path

    assert archive_path("places", "media", "../../etc/passwd") == "places/media/etc/passwd"
    assert archive_path("places", "m", "/abs/x") == "places/m/abs/x"
