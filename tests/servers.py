"""How a test reacts to a missing real server or browser: skip on a workstation, fail in CI."""

from __future__ import annotations

import os

import pytest

IN_CI = os.environ.get("CI", "").lower() == "true"


def unavailable(reason: str) -> None:
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: a test that needs a real server or browser may not skip)")
    pytest.skip(reason)
