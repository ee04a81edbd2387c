"""Keys in Redis (sessions, caches, rate-limit counters) found by patterns of identity values.

Identity values are escaped before they enter a pattern, so an email such as `a*@x` matches
only its own keys. Keys are found with SCAN, never KEYS, so a large cache is not blocked.
"""

from __future__ import annotations

import base64
import re
from typing import Any

from policykeeper.datamap.places import RedisStore
from policykeeper.engine.places.base import Location, Person, PlaceError, PlaceResult, Status
from policykeeper.engine.places.templates import expand, references
from policykeeper.errors import InputError

_GLOB = re.compile(r"([\\*?\[\]])")
SCAN_COUNT = 1000
DELETE_BATCH = 500


def glob_escape(text: str) -> str:
    return _GLOB.sub(r"\\\1", text)


class RedisPlace:
    kind = "redis"

    def __init__(self, name: str, spec: RedisStore, identities: dict[str, str]) -> None:
        self.name = name
        self.spec = spec
        self.recipient = spec.recipient
        self.identities = identities
        self._client: Any = None

    @property
    def client(self) -> Any:
        if self._client is None:
            try:
                import redis
            except ImportError:
                raise InputError(
                    f"store '{self.name}' needs redis: pip install 'policykeeper[stores]'"
                ) from None
            self._client = redis.Redis.from_url(
                self.spec.url, socket_timeout=10, socket_connect_timeout=10
            )
        return self._client

    def columns(self) -> set[str]:
        return {r for k in self.spec.keys for r in references(k.pattern, self.identities)}

    def locate(self, person: Person) -> Location:
        prefix = glob_escape(self.spec.key_prefix)
        return {
            "patterns": [
                [prefix + p for p in expand(keys.pattern, person, glob_escape)]
                for keys in self.spec.keys
            ]
        }

    def _scan(self, pattern: str) -> list[bytes]:
        try:
            return sorted(set(self.client.scan_iter(match=pattern, count=SCAN_COUNT)))
        except Exception as exc:
            raise _error(exc) from None

    def _found(self, location: Location) -> list[tuple[Any, list[bytes]]]:
        return [
            (keys, [k for pattern in patterns for k in self._scan(pattern)])
            for keys, patterns in zip(self.spec.keys, location["patterns"], strict=True)
        ]

    def count(self, location: Location) -> int:
        return len({k for _spec, found in self._found(location) for k in found})

    def erase(self, location: Location) -> PlaceResult:
        keys = sorted({k for _spec, found in self._found(location) for k in found})
        try:
            for start in range(0, len(keys), DELETE_BATCH):
                self.client.unlink(*keys[start : start + DELETE_BATCH])
        except Exception as exc:
            raise _error(exc) from None
        left = self.count(location)
        if left:
            raise PlaceError(f"{left} keys remain after deletion")
        status = Status.deleted if keys else Status.nothing_found
        return PlaceResult(status, {"deleted": len(keys)})

    def read(self, location: Location) -> PlaceResult:
        data: list[dict[str, Any]] = []
        for spec, found in self._found(location):
            for key in found:
                entry: dict[str, Any] = {"key": _text(key), "category": spec.category}
                if spec.export:
                    entry["value"] = self._value(key)
                data.append(entry)
        return PlaceResult(Status.read, {"keys": len(data)}, data=data)

    def _value(self, key: bytes) -> Any:
        try:
            kind = _text(self.client.type(key))
            if kind == "string":
                return _text(self.client.get(key))
            if kind == "hash":
                return {_text(k): _text(v) for k, v in self.client.hgetall(key).items()}
            if kind == "list":
                return [_text(v) for v in self.client.lrange(key, 0, -1)]
            if kind == "set":
                return sorted(_text(v) for v in self.client.smembers(key))
            if kind == "zset":
                return [[_text(m), s] for m, s in self.client.zrange(key, 0, -1, withscores=True)]
        except Exception as exc:
            raise _error(exc) from None
        return None

    def rectify(self, location: Location, changes: dict[str, Any]) -> PlaceResult:
        return PlaceResult(Status.not_applicable, note="cached values are not corrected in place")

    def restrict(self, location: Location, lift: bool) -> PlaceResult:
        return PlaceResult(Status.not_applicable, note="keys stay stored and are not processed")


def _text(value: Any) -> Any:
    if isinstance(value, bytes):
        try:
            return value.decode("utf-8")
        except UnicodeDecodeError:
            return "base64:" + base64.b64encode(value).decode("ascii")
    return value


def _error(exc: Exception) -> PlaceError:
    import redis

    if isinstance(exc, redis.RedisError):
        return PlaceError(f"Redis: {exc}")
    raise exc
