"""Where an erasure's time goes: wall-clock time per phase of the engine's erasure of one
person in pk_bench (made by engine_bench.py), averaged over people not erased before.

    .venv/bin/python bench/erase_phases.py [--people 100] [--seed N] [--heavy] [--pause MS] [--cold]

Phases: the journal and legal holds read from the state store, the search for the person, the
decisions (with the read of rows elsewhere that point at rows to delete), the changes with
their verification, the service database's commit, the wait for the journal's start, and the
journal's finish. What is left is the engine's own work between them. As in engine_bench.py,
the tables are first read into the OS page cache (pg_prewarm), unless --cold.
"""

from __future__ import annotations

import argparse
import functools
import importlib
import os
import shutil
import statistics
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from engine_bench import EXAMPLE, HEAVY_POOL, database_url, prewarm, subjects

from policykeeper.engine import Identity, erase
from policykeeper.engine.planner import Collector
from policykeeper.engine.state import StoreState
from policykeeper.project import load_project

ERASE = importlib.import_module("policykeeper.engine.erase")
PHASES: list[tuple[Any, str, str]] = [
    (StoreState, "journal", "journal and holds read"),
    (ERASE, "active_holds", "journal and holds read"),
    (Collector, "from_identity", "search"),
    (ERASE, "decide", "decisions (references read)"),
    (ERASE, "_change_and_verify", "changes and verification"),
    (sa.Connection, "commit", "commit"),
    (ERASE._Beside, "wait", "wait for the journal's start"),
    (StoreState, "finish", "journal's finish"),
]


def timing(spent: dict[str, float]) -> None:
    for owner, name, label in PHASES:
        original: Callable[..., Any] = getattr(owner, name)

        @functools.wraps(original)
        def timed(*args: Any, _f: Callable[..., Any] = original, _l: str = label, **kw: Any) -> Any:
            started = time.perf_counter()
            try:
                return _f(*args, **kw)
            finally:
                spent[_l] += time.perf_counter() - started

        setattr(owner, name, timed)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=100)
    parser.add_argument("--seed", type=int, default=int(time.time()))
    parser.add_argument("--heavy", action="store_true", help="Among the most active people.")
    parser.add_argument(
        "--pause",
        type=float,
        default=0.0,
        help="Milliseconds between erasures, as requests arriving apart (default: back to back).",
    )
    parser.add_argument(
        "--cold", action="store_true", help="Skip pg_prewarm: measure with whatever is cached."
    )
    options = parser.parse_args()
    if not options.cold:
        prewarm()
    spent: dict[str, float] = defaultdict(float)
    with tempfile.TemporaryDirectory() as temporary:
        directory = Path(temporary) / "ainema"
        shutil.copytree(EXAMPLE, directory, ignore=shutil.ignore_patterns("*.sqlite3", ".*"))
        os.environ["AINEMA_DATABASE_URL"] = database_url()
        project = load_project(directory)
        pool = HEAVY_POOL if options.heavy else 1_000_000
        people = subjects(options.people + 1, pool, options.seed)
        erase(project, Identity("user_id", str(people.pop())))  # warm-up, not counted
        timing(spent)
        walls = []
        for person in people:
            started = time.perf_counter()
            erase(project, Identity("user_id", str(person)))
            walls.append(time.perf_counter() - started)
            time.sleep(options.pause / 1000)
    n = len(people)
    total = sum(walls) / n * 1000
    print(f"{n} erasures: p50 {statistics.median(walls) * 1000:.2f} ms, mean {total:.2f} ms")
    for label, seconds in sorted(spent.items(), key=lambda item: -item[1]):
        print(f"  {seconds / n * 1000:6.2f} ms  {label}")
    print(f"  {total - sum(spent.values()) / n * 1000:6.2f} ms  the rest (the engine's own work)")


if __name__ == "__main__":
    main()
