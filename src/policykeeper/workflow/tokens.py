"""Secrets derived from one key: status links, keyed hashes of codes, signed download links.

Status links are an HMAC of the request id, so nothing secret is stored and a notification job
can rebuild the link; codes and verification links are stored only as keyed hashes. Links carry
the HMAC cut to 128 bits in base64url (22 characters, not 64 hex), so an emailed link stays
short; links issued before in the long form keep working until they expire.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
from datetime import datetime
from pathlib import Path

from policykeeper.store.database import private_dir
from policykeeper.workflow.errors import Expired, NotFound


def load_secret_key(state_dir: Path) -> bytes:
    """A random key created once in the project's state folder: the key when none is
    configured (`Config.secret_key`, POLICYKEEPER_SECRET_KEY at the command line)."""
    path = state_dir / "secret.key"
    if not path.exists():
        private_dir(state_dir)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(secrets.token_hex(32))
    return path.read_text().strip().encode()


MAC_BYTES = 16
"""128 bits of HMAC-SHA256 in a link: as unguessable as the random request id it signs."""
LONG_MAC_CHARS = 64
"""The full hex HMAC of links issued before links were shortened."""


class Secrets:
    def __init__(self, key: bytes) -> None:
        self._key = key

    def keyed_hash(self, purpose: str, value: str) -> str:
        return hmac.new(self._key, f"{purpose}:{value}".encode(), hashlib.sha256).hexdigest()

    def status_token(self, request_id: str) -> str:
        return self._signed("status", request_id)

    def request_for_status(self, token: str) -> str:
        """The request id a status token names, or NotFound for any token we did not issue."""
        return self._named("status", token)

    def submission_token(self, request_id: str) -> str:
        """What the submitter keeps to type the emailed code: it confirms, never shows status."""
        return self._signed("submission", request_id)

    def request_for_submission(self, token: str) -> str:
        return self._named("submission", token)

    def link_mac(self, purpose: str, value: str) -> str:
        """The keyed hash cut to 128 bits (unguessable) in base64url: 22 characters in a link."""
        digest = hmac.new(self._key, f"{purpose}:{value}".encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest[:MAC_BYTES]).rstrip(b"=").decode()

    def _mac_matches(self, given: str, purpose: str, value: str) -> bool:
        """Compared in constant time, in the short form or the long one issued before."""
        if len(given) == LONG_MAC_CHARS:
            return _same(given, self.keyed_hash(purpose, value))
        return _same(given, self.link_mac(purpose, value))

    def _signed(self, purpose: str, request_id: str) -> str:
        return f"{request_id}.{self.link_mac(purpose, request_id)}"

    def _named(self, purpose: str, token: str) -> str:
        request_id, _, mac = token.partition(".")
        if not request_id or not self._mac_matches(mac, purpose, request_id):
            raise NotFound("no such request")
        return request_id

    def download_token(self, request_id: str, expires_at: datetime) -> str:
        """A link that names the request and its expiry, signed so neither can be changed."""
        stamp = str(int(expires_at.timestamp()))
        return f"{request_id}.{stamp}.{self.link_mac('download', request_id + '.' + stamp)}"

    def request_for_download(self, token: str, now: datetime) -> str:
        request_id, _, rest = token.partition(".")
        stamp, _, mac = rest.partition(".")
        signed = self._mac_matches(mac, "download", request_id + "." + stamp)
        if not (stamp.isascii() and stamp.isdigit()) or not signed:
            raise NotFound("no such download")
        if now.timestamp() > int(stamp):
            raise Expired("this download link has expired")
        return request_id


def _same(given: str, expected: str) -> bool:
    """Constant-time comparison that also accepts non-ASCII input (it just does not match)."""
    return hmac.compare_digest(given.encode(), expected.encode())


def new_code() -> str:
    return f"{secrets.randbelow(1_000_000):06d}"


def new_link_token() -> str:
    return secrets.token_urlsafe(32)


def new_id() -> str:
    return secrets.token_hex(16)
