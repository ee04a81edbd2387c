"""The journal's writer threads are made once per process, even when erasures start at once."""

from __future__ import annotations

import os
import threading
from concurrent import futures
from importlib import import_module

erase = import_module("policykeeper.engine.erase")  # the module, not the function of that name


def test_erasures_starting_together_share_one_pool_of_writers() -> None:
    start = threading.Barrier(8)
    found: list[futures.ThreadPoolExecutor] = []

    def first_use() -> None:
        start.wait()
        found.append(erase._journal_writers(os.getpid()))

    threads = [threading.Thread(target=first_use) for _ in range(8)]
    erase._writers.pop(os.getpid(), None)
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(found) == 8
    assert len({id(pool) for pool in found}) == 1
    assert erase._writers[os.getpid()] is found[0]
