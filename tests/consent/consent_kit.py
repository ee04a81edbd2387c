"""Helpers for the consent tests: the examples' declarations (parsed once) and a signing key."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from policykeeper.policy import load_policy
from policykeeper.policy.models import Policy

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
KEY = b"consent-test-key-0123456789abcdef"


@cache
def example(name: str) -> Policy:
    return load_policy(EXAMPLES / name)
