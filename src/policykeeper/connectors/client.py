"""Running a connector configuration over HTTP: authentication, rate limit, retries with
exponential backoff (honouring Retry-After), cursor pagination, and writes that carry an
idempotency key so a retried call is not applied twice.

Secrets are filled into requests only; errors quote the status and the processor's message,
never a header or a setting.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import re
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import httpx

from policykeeper.connectors.config import Call, ConnectorConfig, RetryPolicy, Step

_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
ERROR_EXCERPT = 300


class ConnectorError(Exception):
    """The processor could not be reached or refused a call after every retry."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class ConnectorClient:
    """One configuration bound to its settings; one instance per run (it holds a token)."""

    def __init__(
        self,
        config: ConnectorConfig,
        settings: dict[str, str],
        *,
        retry: RetryPolicy | None = None,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.config = config
        self.settings = settings
        self.retry = retry or config.retry
        self.sleep = sleep
        self.clock = clock
        self._token: str | None = None
        self._last_call: float | None = None
        self.http = httpx.Client(
            base_url=fill(config.base_url, settings),
            timeout=config.timeout_seconds,
            transport=transport,
            follow_redirects=False,
        )

    def close(self) -> None:
        self.http.close()

    # --- steps ----------------------------------------------------------------------------

    def run(self, step: Step, variables: dict[str, Any], key: str = "") -> tuple[int, Any]:
        """One step: (status, JSON answer or, with `records`, every record over all pages).

        A status the step lists as `missing` answers (status, None): nothing is there.
        """
        missing = frozenset(step.missing)
        if step.records is None:
            status, answer = self.call(step.call, variables, key, missing=missing)
            if status in step.missing:
                return status, None
            return status, answer
        records: list[Any] = []
        extra: dict[str, Any] = {}
        status = 200
        for page in range(step.pages.max_pages if step.pages else 1):
            status, answer = self.call(
                step.call, variables, f"{key}:{page}", extra, missing=missing
            )
            if status in step.missing:
                return status, records
            found = dig(answer, step.records)
            if not isinstance(found, list):
                raise ConnectorError(f"{self.config.name}: '{step.records}' is not a list")
            records += found
            if step.pages is None or not found:
                break
            if step.pages.more is not None and not dig(answer, step.pages.more):
                break
            cursor = (
                dig(found[-1], step.pages.cursor.removeprefix("last."))
                if step.pages.cursor.startswith("last.")
                else dig(answer, step.pages.cursor)
            )
            if cursor in (None, ""):
                break
            extra = {step.pages.param: cursor}
        return status, records

    def call(
        self,
        call: Call,
        variables: dict[str, Any],
        key: str = "",
        query: dict[str, Any] | None = None,
        *,
        missing: frozenset[int] = frozenset(),
    ) -> tuple[int, Any]:
        """Send one request, retrying what the policy says is worth retrying."""
        values = {**self.settings, **variables}
        path = _PLACEHOLDER.sub(lambda m: quote(str(_need(values, m.group(1))), safe=""), call.path)
        params = {k: fill_value(v, values) for k, v in call.query.items()} | (query or {})
        headers = {k: fill(v, values) for k, v in {**self.config.headers, **call.headers}.items()}
        if call.method != "GET" and self.config.idempotency_header and key:
            digest = hashlib.sha256(f"{call.method} {path} {key}".encode()).hexdigest()[:40]
            headers[self.config.idempotency_header] = digest
        body: dict[str, Any] = {}
        if call.form:
            body["data"] = {k: fill_value(v, values) for k, v in call.form.items()}
        if call.json_body is not None:
            body["json"] = fill_value(call.json_body, values)
        where = f"{self.config.name}: {call.method} {call.path}"
        refreshed = False
        attempt = 0
        while True:
            attempt += 1
            self._pace()
            try:
                response = self.http.request(
                    call.method, path, params=params, headers=headers | self._auth(), **body
                )
            except httpx.TransportError as exc:
                if attempt >= self.retry.attempts:
                    raise ConnectorError(f"{where}: unreachable ({type(exc).__name__})") from None
                self._wait(attempt, None)
                continue
            oauth = self.config.auth.oauth_client_credentials
            if response.status_code == 401 and oauth is not None and not refreshed:
                self._token, refreshed = None, True
                attempt -= 1
                continue
            if response.status_code in self.retry.statuses and attempt < self.retry.attempts:
                self._wait(attempt, response.headers.get("Retry-After"))
                continue
            if response.status_code >= 400 and response.status_code not in missing:
                raise ConnectorError(
                    f"{where}: HTTP {response.status_code} {excerpt(response)}".strip(),
                    response.status_code,
                )
            return response.status_code, _json(response)

    # --- authentication, pacing and backoff ----------------------------------------------

    def _auth(self) -> dict[str, str]:
        auth = self.config.auth
        if auth.bearer is not None:
            return {"Authorization": f"Bearer {fill(auth.bearer, self.settings)}"}
        if auth.basic is not None:
            pair = f"{fill(auth.basic.username, self.settings)}:{fill(auth.basic.password, self.settings)}"
            return {"Authorization": "Basic " + base64.b64encode(pair.encode()).decode("ascii")}
        if self._token is None:
            oauth = auth.oauth_client_credentials
            assert oauth is not None
            self._token = ""
            try:
                _status, answer = self.call(oauth.call, {})
            finally:
                if self._token == "":
                    self._token = None
            token = dig(answer, oauth.token)
            if not isinstance(token, str) or not token:
                raise ConnectorError(f"{self.config.name}: the token answer has no '{oauth.token}'")
            self._token = token
        return {"Authorization": f"Bearer {self._token}"} if self._token else {}

    def _pace(self) -> None:
        """Space calls so the configured rate limit is never exceeded."""
        limit = self.config.rate_limit
        if limit is None:
            return
        gap = limit.per_seconds / limit.requests
        now = self.clock()
        if self._last_call is not None and now - self._last_call < gap:
            self.sleep(gap - (now - self._last_call))
        self._last_call = self.clock()

    def _wait(self, attempt: int, retry_after: str | None) -> None:
        delay = self.retry.backoff_seconds * 2 ** (attempt - 1)
        if retry_after is not None:
            with contextlib.suppress(ValueError):
                delay = max(delay, float(retry_after))
        self.sleep(min(delay, self.retry.max_backoff_seconds))


def fill(text: str, values: dict[str, Any]) -> str:
    return _PLACEHOLDER.sub(lambda m: str(_need(values, m.group(1))), text)


def fill_value(value: Any, values: dict[str, Any]) -> Any:
    """Fill placeholders in strings, recursively through lists and objects."""
    if isinstance(value, str):
        whole = _PLACEHOLDER.fullmatch(value)
        return _need(values, whole.group(1)) if whole else fill(value, values)
    if isinstance(value, dict):
        return {k: fill_value(v, values) for k, v in value.items()}
    if isinstance(value, list):
        return [fill_value(v, values) for v in value]
    return value


def _need(values: dict[str, Any], name: str) -> Any:
    if name not in values or values[name] is None:
        raise ConnectorError(f"the connector needs '{name}', which is not set")
    return values[name]


def dig(data: Any, dotted: str) -> Any:
    for part in dotted.split("."):
        if not isinstance(data, dict):
            return None
        data = data.get(part)
    return data


def _json(response: httpx.Response) -> Any:
    if not response.content:
        return None
    try:
        return response.json()
    except ValueError:
        return None


def excerpt(response: httpx.Response) -> str:
    """The processor's own error message, shortened: enough to act on, no more."""
    answer = _json(response)
    message = dig(answer, "error.message") or dig(answer, "message") or dig(answer, "error")
    text = message if isinstance(message, str) else response.text
    return " ".join(text.split())[:ERROR_EXCERPT]
