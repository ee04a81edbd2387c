from pathlib import Path

import pytest

from policykeeper.errors import InputError
from policykeeper.policy.source import read_yaml


def test_positions_point_at_keys_and_items(tmp_path: Path) -> None:
    path = tmp_path / "policy.yaml"
    path.write_text("service:\n  name: X\npurposes:\n  - id: a\n  - id: b\n    uses: [x]\n")
    document = read_yaml(path)
    assert document.position(("service", "name")) == (2, 3)
    assert document.position(("purposes", 1)) == (5, 5)
    assert document.position(("purposes", 1, "uses")) == (6, 5)
    assert document.position(("purposes", 7, "uses")) == (3, 1)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("a: [\n", "policy.yaml:2:1: malformed YAML"),
        ("", "policy.yaml: the file is empty"),
        ("- a\n- b\n", "policy.yaml:1:1: expected a mapping"),
        ("a: 1\na: 2\n", "policy.yaml:2:1: malformed YAML: found duplicate key"),
    ],
)
def test_bad_yaml_is_one_located_line(tmp_path: Path, content: str, expected: str) -> None:
    path = tmp_path / "policy.yaml"
    path.write_text(content)
    with pytest.raises(InputError) as caught:
        read_yaml(path)
    message = str(caught.value)
    assert expected in message
    assert "\n" not in message


def test_undecodable_file_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "policy.yaml"
    path.write_bytes(b"\xff\xfe\x00bad")
    with pytest.raises(InputError, match="cannot read"):
        read_yaml(path)
