"""A processor's API as a declarative configuration: how to authenticate, find the person's
records, fetch them for access, and what to call for erasure and correction.

Configurations are YAML written from the processor's public API documentation; shipped ones
live in `configs/`, and a project may add its own beside its data map. Values in braces are
filled at run time: `{api_key}` from the data map's settings, `{email}` from the person,
`{id}` from each record found.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, model_validator

from policykeeper.policy.types import Strict

Method = Literal["GET", "POST", "PUT", "PATCH", "DELETE"]


class Call(Strict):
    """One HTTP request; every string may hold {placeholders}."""

    method: Method
    path: str = Field(description="Path under the base URL; placeholders are URL-encoded.")
    query: dict[str, str | int | bool] = {}
    form: dict[str, str | int | bool] = Field({}, description="application/x-www-form-urlencoded")
    json_body: Any = Field(None, alias="json", description="A JSON body.")
    headers: dict[str, str] = {}

    @model_validator(mode="after")
    def _one_body(self) -> Call:
        if self.form and self.json_body is not None:
            raise ValueError("a call sends either form or json, not both")
        return self


class Pages(Strict):
    """Cursor pagination: the next request carries `param`, taken from the last page."""

    param: str = Field(description="Query parameter of the next request, e.g. starting_after.")
    cursor: str = Field(
        description="'last.FIELD' (that field of the page's last record) or a response field."
    )
    more: str | None = Field(None, description="Response field that is true while pages remain.")
    max_pages: int = Field(100, ge=1)


class Step(Strict):
    call: Call
    records: str | None = Field(None, description="Response field (dotted) holding a list.")
    pages: Pages | None = None
    missing: list[int] = Field(
        [], description="Statuses meaning the record is not there (e.g. already deleted)."
    )
    note: str | None = Field(None, description="What the step does, for reports.")


class Find(Step):
    """Search the processor for the person's records when the data map keeps no id."""

    id: str = Field(description="Record field holding the id other calls use as {id}.")


class Setting(Strict):
    description: str
    secret: bool = False
    default: str | None = None


class OAuthClientCredentials(Strict):
    call: Call
    token: str = Field("access_token", description="Response field with the bearer token.")


class Basic(Strict):
    username: str
    password: str


class Auth(Strict):
    bearer: str | None = None
    basic: Basic | None = None
    oauth_client_credentials: OAuthClientCredentials | None = None

    @model_validator(mode="after")
    def _one(self) -> Auth:
        chosen = [self.bearer, self.basic, self.oauth_client_credentials]
        if sum(x is not None for x in chosen) != 1:
            raise ValueError("choose one of bearer, basic or oauth_client_credentials")
        return self


class RateLimit(Strict):
    requests: int = Field(ge=1)
    per_seconds: float = Field(gt=0)


class RetryPolicy(Strict):
    attempts: int = Field(3, ge=1, le=20, description="Tries per call, the first included.")
    backoff_seconds: float = Field(1.0, ge=0, description="First wait; doubled after each try.")
    max_backoff_seconds: float = Field(30.0, ge=0)
    statuses: list[int] = Field([429, 500, 502, 503, 504], description="Statuses worth retrying.")


class Rectify(Strict):
    """Send the corrected fields the processor accepts; the data map maps columns to them."""

    fields: list[str] = Field(min_length=1)
    call: Call
    send_as: Literal["form", "json"] = "form"


class ConnectorConfig(Strict):
    name: str
    docs: list[str] = Field(min_length=1, description="Public API pages it was written from.")
    settings: dict[str, Setting] = {}
    base_url: str
    auth: Auth
    headers: dict[str, str] = {}
    retry: RetryPolicy = RetryPolicy()
    rate_limit: RateLimit | None = None
    idempotency_header: str | None = Field(
        None, description="Header carrying a stable key on writes, so a retry is not doubled."
    )
    timeout_seconds: float = Field(30.0, gt=0)
    find: Find | None = None
    access: dict[str, Step] = {}
    erase: list[Step] = Field(min_length=1)
    rectify: Rectify | None = None
    restrict: list[Step] = []
