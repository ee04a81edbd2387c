"""The server matrix is behind markers: a test that talks to PostgreSQL, MariaDB or Chromium is
marked so, whichever way it reaches the server, so `-m "not postgres and not mariadb"` leaves
only SQLite and CI (which passes no -m) runs everything."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]


def collected(marker: str, *paths: str) -> set[str]:
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-m", marker, *paths],
        cwd=TESTS.parent,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return {line for line in result.stdout.splitlines() if "::" in line}


def test_each_way_of_reaching_a_server_is_marked() -> None:
    paths = [
        "tests/web/test_api.py",  # state_url parametrised
        "tests/engine/test_oscar.py",  # oscar_url
        "tests/checks/test_datascan.py",  # its own parameter, getfixturevalue
        "tests/wordpress/test_allin_datamap.py",  # the WordPress site on MariaDB
    ]
    postgres = collected("postgres", *paths)
    mariadb = collected("mariadb", *paths)
    quick = collected("not postgres and not mariadb and not browser", *paths)
    assert any("test_api.py" in t and "[postgres]" in t for t in postgres)
    assert any("test_oscar.py" in t for t in postgres)
    assert any("test_datascan.py" in t and "[postgres]" in t for t in postgres)
    assert any("test_datascan.py" in t and "[mariadb]" in t for t in mariadb)
    assert any("test_allin_datamap.py" in t for t in mariadb)
    assert quick and not any(
        "postgres" in t or "mariadb" in t or "oscar" in t or "allin" in t for t in quick
    )
    assert any("test_api.py" in t and "[sqlite]" in t for t in quick)
