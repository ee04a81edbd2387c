"""The server matrix is behind markers: a test that talks to PostgreSQL, MariaDB or Chromium is
marked so, whichever way it reaches the server, so `-m "not postgres and not mariadb"` leaves
only SQLite and CI (which passes no -m) runs everything."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]
PRINT_MARKERS = """
def pytest_collection_finish(session):
    for item in session.items:
        marks = sorted({m.name for m in item.iter_markers()} & {"postgres", "mariadb", "browser"})
        print("MARKED", item.nodeid, ",".join(marks))
"""


def markers(tmp_path: Path, *paths: str) -> dict[str, set[str]]:
    """Each collected test's server markers, as the suite's own conftest gives them."""
    (tmp_path / "print_markers.py").write_text(PRINT_MARKERS, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "print_markers", *paths],
        cwd=TESTS.parent,
        env={
            **os.environ,
            "PYTHONPATH": os.pathsep.join([str(tmp_path), os.environ.get("PYTHONPATH", "")]),
        },
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    found = {}
    for line in result.stdout.splitlines():
        if line.startswith("MARKED "):
            _, nodeid, *marks = line.split(" ")
            found[nodeid] = set(filter(None, ",".join(marks).split(",")))
    return found


def test_each_way_of_reaching_a_server_is_marked(tmp_path: Path) -> None:
    found = markers(
        tmp_path,
        "tests/web/test_api.py",  # state_url parametrised
        "tests/engine/test_oscar.py",  # oscar_url
        "tests/checks/test_datascan.py",  # its own parameter, getfixturevalue
        "tests/wordpress/test_allin_datamap.py",  # the WordPress site on MariaDB
    )

    def marked(fragment: str, marker: str) -> bool:
        return any(fragment in nodeid and marker in marks for nodeid, marks in found.items())

    assert marked("test_api.py::", "postgres") and marked("test_oscar.py", "postgres")
    assert marked("test_datascan.py", "postgres") and marked("test_datascan.py", "mariadb")
    assert marked("test_allin_datamap.py", "mariadb")
    quick = [nodeid for nodeid, marks in found.items() if not marks]
    assert any("test_api.py" in t and "[sqlite]" in t for t in quick)
    assert not any(
        "postgres" in t or "mariadb" in t or "oscar" in t or "allin" in t for t in quick
    ), quick
