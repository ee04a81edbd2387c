"""The README's places section works as written: its YAML parses as the data map and connector
models, and its toy place, copied from the README, runs through plan, access and erasure."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from pydantic import TypeAdapter
from ruamel.yaml import YAML

from policykeeper.connectors.config import ConnectorConfig
from policykeeper.datamap.places import ConnectorUse, ManualTask, RecipientReach, StoreSpec
from policykeeper.engine import Identity, places
from policykeeper.engine.runtime import release
from policykeeper.project import load_project

README = Path(__file__).resolve().parents[3] / "README.md"


def _section() -> str:
    text = README.read_text("utf-8")
    start = text.index("## Beyond the database: stores, processors and manual tasks")
    return text[start : text.index("\n## ", start + 5)]


def _blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", _section(), re.S)


def test_the_yaml_examples_parse_as_the_models() -> None:
    yaml = YAML(typ="safe")
    blocks = [yaml.load(block) for block in _blocks("yaml")]
    stores = next(b["stores"] for b in blocks if "stores" in b and "media" in b["stores"])
    assert set(TypeAdapter(dict[str, StoreSpec]).validate_python(stores)) == {
        "media",
        "sessions",
        "uploads",
    }
    use = next(b["connectors"] for b in blocks if "connectors" in b)
    TypeAdapter(dict[str, ConnectorUse]).validate_python(use)
    config = ConnectorConfig.model_validate(next(b for b in blocks if b.get("name") == "Stripe"))
    shipped = yaml.load(
        (Path(places.__file__).parents[2] / "connectors" / "configs" / "stripe.yaml").read_text()
    )
    real = ConnectorConfig.model_validate(shipped)
    assert [(s.call, s.missing) for s in config.erase] == [(s.call, s.missing) for s in real.erase]
    assert config.find and real.find and config.find.call == real.find.call
    assert (config.auth, config.retry, config.rectify) == (real.auth, real.retry, real.rectify)
    TypeAdapter(dict[str, ManualTask]).validate_python(
        next(b["manual_tasks"] for b in blocks if "manual_tasks" in b)
    )
    TypeAdapter(dict[str, RecipientReach]).validate_python(
        next(b["recipients"] for b in blocks if "recipients" in b)
    )


def test_the_toy_place_of_the_readme_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from toy_place_fixture import ainema_copy

    (tmp_path / "my_notes.py").write_text(_blocks("python")[0], "utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    notes = tmp_path / "notes.json"
    notes.write_text(json.dumps({"5": ["called about a refund"], "6": ["vip"]}))
    directory = ainema_copy(tmp_path, monkeypatch)
    declared = YAML(typ="safe").load(_blocks("yaml")[-1])["stores"]["notes"]
    declared["options"]["file"] = str(notes)
    yaml = YAML()
    path = directory / "datamap.yaml"
    data = yaml.load(path.read_text("utf-8"))
    data["stores"]["notes"] = declared
    with path.open("w", encoding="utf-8") as stream:
        yaml.dump(data, stream)
    project = load_project(directory)
    try:
        subject = Identity("user_id", "5")
        planned = {p["place"]: p for p in places.plan(project, subject)["places"]}
        assert planned["notes"]["counts"] == {"items": 1}
        read = {e.name: e for e in places.access(project, subject).report.places}
        assert read["notes"].result.data == {"5": ["called about a refund"]}
        erased = {p["place"]: p for p in places.erase(project, subject).to_json()["places"]}
        assert erased["notes"]["status"] == "deleted"
    finally:
        release(project)
    assert json.loads(notes.read_text()) == {"6": ["vip"]}
