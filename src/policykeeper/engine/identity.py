"""Who a request is about: an identity kind the data map declares, and its value."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from policykeeper.errors import InputError


@dataclass(frozen=True)
class Identity:
    kind: str
    value: str

    @classmethod
    def parse(cls, text: str) -> Identity:
        """`email=a@b.c` as an Identity; the value may itself contain '='."""
        kind, separator, value = text.partition("=")
        if not separator or not kind.strip() or not value.strip():
            raise InputError(f"identity {text!r}: expected KIND=VALUE, e.g. email=a@example.com")
        return cls(kind.strip(), value.strip())

    def digest(self) -> str:
        """A stable key for journals that does not store the value itself."""
        return hashlib.sha256(f"{self.kind}\0{self.value}".encode()).hexdigest()

    def __str__(self) -> str:
        return f"{self.kind}=…"
