"""The data map's places beyond SQL: object stores, caches, files, processor APIs, manual tasks.

Each is a new top-level section of `datamap.yaml`. Values in braces are templates filled from the
person's SQL rows: `{user_id}` is an identity kind, `{users.avatar_key}` a column of an owned
table. `${NAME}` takes a secret from the environment, as for connections.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import Field, model_validator

from policykeeper.connectors.config import RetryPolicy
from policykeeper.datamap.models import ConnectionName, Keep, Scalar
from policykeeper.policy.models import CategoryKey, Identifier
from policykeeper.policy.types import Duration, Strict, Text

PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)?)\}")
"""`{user_id}` or `{table.column}`; `${NAME}` secrets are expanded before templates are read."""

Template = Annotated[
    str, Field(description="Text with {identity_kind} or {table.column} placeholders.")
]
PlaceErase = Literal["delete"] | Keep
RightName = Literal["erasure", "rectification", "restriction", "access"]


def placeholders(template: str) -> list[str]:
    return PLACEHOLDER.findall(template)


class ObjectGroup(Strict):
    """Objects of one kind: an exact key, or every object under a key prefix."""

    key: Template | None = Field(None, description="Exact key, e.g. '{users.avatar_key}'.")
    prefix: Template | None = Field(None, description="Key prefix ending in '/'.")
    category: CategoryKey | None = None
    erase: PlaceErase = Field("delete", description="delete, or {keep: rule} (kept as declared).")

    @model_validator(mode="after")
    def _one_of(self) -> ObjectGroup:
        if (self.key is None) == (self.prefix is None):
            raise ValueError("give exactly one of key or prefix")
        return self

    def template(self) -> str:
        return self.key if self.key is not None else str(self.prefix)


class PlaceBase(Strict):
    recipient: Identifier | None = Field(
        None, description="The declared recipient that holds this place (e.g. aws)."
    )
    optional: bool = Field(
        False,
        description="Skip the place (and say so in plans and reports) while a ${NAME} it "
        "needs is unset or empty; otherwise that is an error.",
    )


class S3Store(PlaceBase):
    """Objects in an S3-compatible bucket; versioned buckets lose every version and marker."""

    kind: Literal["s3"]
    bucket: str
    region: str
    access_key_id: str
    secret_access_key: str
    endpoint_url: str | None = Field(None, description="For S3-compatible servers; empty: AWS.")
    objects: list[ObjectGroup] = Field(min_length=1)
    export_max_bytes: int = Field(
        10_000_000, ge=0, description="Larger objects are exported as a listing with size and hash."
    )


class RedisKeys(Strict):
    pattern: Template = Field(description="Key pattern; '*' matches the rest of a key.")
    category: CategoryKey | None = None
    export: bool = Field(False, description="Include the values in access exports.")


class RedisStore(PlaceBase):
    """Keys in Redis (sessions, caches, counters), found by patterns built from identity values."""

    kind: Literal["redis"]
    url: str
    key_prefix: str = Field("", description="Prepended to every pattern (a literal prefix).")
    keys: list[RedisKeys] = Field(min_length=1)


class FileGroup(Strict):
    path: Template = Field(description="Relative path; ending in '/' means a whole directory.")
    category: CategoryKey | None = None
    erase: PlaceErase = "delete"


class FilesStore(PlaceBase):
    """Local or mounted files under a root directory."""

    kind: Literal["files"]
    root: str
    paths: list[FileGroup] = Field(min_length=1)
    export_max_bytes: int = Field(10_000_000, ge=0)


class CustomStore(PlaceBase):
    """A kind of place written outside PolicyKeeper (see policykeeper.engine.places.Place)."""

    kind: Literal["custom"]
    factory: str = Field(
        description="'module:Class', or the name of an entry point in the group "
        "'policykeeper.places'; called as factory(name=..., options=..., identities=...)."
    )
    options: dict[str, Any] = {}


StoreSpec = Annotated[S3Store | RedisStore | FilesStore | CustomStore, Field(discriminator="kind")]


class ConnectorUse(Strict):
    """A processor reached through a declarative connector configuration (YAML, not code)."""

    recipient: Identifier
    config: str = Field(
        description="A shipped configuration (stripe, hotjar) or a YAML path in the project."
    )
    optional: bool = PlaceBase.model_fields["optional"]
    settings: dict[str, str] = Field({}, description="Values the configuration asks for.")
    id: Template | None = Field(
        None,
        description="Where the processor's record ids are kept, e.g. {users.stripe_customer_id}.",
    )
    person: dict[str, Template] = Field(
        {}, description="Variables the configuration's requests use, e.g. email: '{email}'."
    )
    rectify: dict[str, str] = Field(
        {}, description="A corrected TABLE.COLUMN: the processor's field it updates."
    )
    categories: list[CategoryKey] = []
    retry: RetryPolicy | None = None


class Condition(Strict):
    """The person has at least one row of `table` with these column values."""

    table: str
    where: dict[str, Scalar | None] = Field({}, description="Empty: any row of the table.")


class Identifier_(Strict):
    label: Text
    value: Template


class ManualTask(Strict):
    """A recipient without an API: staff send a ready-made message and record the answer."""

    recipient: Identifier
    contact: str = Field(description="Where the message goes, e.g. an email address.")
    language: Literal["ja", "en"]
    due_within: Duration = Field(description="Capped at the request's own deadline.")
    rights: list[RightName] = Field(
        ["erasure", "rectification", "restriction"],
        description="Requests that create the task (GDPR Art. 19 covers these three).",
    )
    when: list[Condition] = Field(
        [], description="Only for people with such rows (e.g. payouts through this recipient)."
    )
    identify: list[Identifier_] = Field(
        min_length=1, description="What tells the recipient who the person is."
    )


class RecipientReach(Strict):
    """How erasure reaches a recipient that holds no place of its own in this map."""

    hosts: list[ConnectionName] = Field(
        [], description="SQL connections this recipient hosts: erasing there erases at it."
    )
    nothing_to_erase: Text | None = Field(
        None, description="Why erasure needs no action at this recipient."
    )
