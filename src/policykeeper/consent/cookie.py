"""The consent cookie: the device's id and choices, signed so a forged cookie is refused.

The payload is plain base64url JSON before the signature, so the banner script can read the
choices without a round trip; only the server can write a cookie it will accept.
"""

from __future__ import annotations

import base64
import json
import secrets
from dataclasses import dataclass, field

from itsdangerous import BadSignature, Signer

from policykeeper.errors import ForgedCookie

COOKIE_NAME = "pk_consent"
MAX_AGE = 60 * 60 * 24 * 395
"""About 13 months, after which the person is asked again."""
SCOPE_PREFIX = 12


@dataclass
class DeviceCookie:
    device: str
    version: str
    choices: dict[str, list[object]] = field(default_factory=dict)
    """purpose → [allowed (1 or 0), the first characters of the scope hash chosen on]."""
    signal: str | None = None

    @classmethod
    def new(cls, version: str) -> DeviceCookie:
        return cls(device=f"device:{secrets.token_urlsafe(18)}", version=version)


class CookieSigner:
    def __init__(self, key: bytes) -> None:
        self._signer = Signer(key, salt="policykeeper.consent-cookie")

    def dump(self, cookie: DeviceCookie) -> str:
        body = {"d": cookie.device, "v": cookie.version, "c": cookie.choices, "s": cookie.signal}
        raw = json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()
        payload = base64.urlsafe_b64encode(raw).rstrip(b"=")
        return self._signer.sign(payload).decode()

    def load(self, value: str) -> DeviceCookie:
        """The cookie's content, or ForgedCookie for anything this server did not sign."""
        try:
            payload = self._signer.unsign(value.encode())
            body = json.loads(base64.urlsafe_b64decode(payload + b"=" * (-len(payload) % 4)))
            cookie = DeviceCookie(
                device=str(body["d"]),
                version=str(body["v"]),
                choices=dict(body["c"]),
                signal=body["s"],
            )
        except (BadSignature, ValueError, KeyError, TypeError, UnicodeError):
            raise ForgedCookie("the consent cookie was not issued by this service") from None
        if not cookie.device.startswith("device:"):
            raise ForgedCookie("the consent cookie was not issued by this service")
        return cookie
