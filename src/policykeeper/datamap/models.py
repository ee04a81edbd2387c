"""The data map (`datamap.yaml`): where each promised category lives, and what erasure does to it.

A table either holds rows about the subject (`rows: owned`) or shared rows (`rows: reference`).
Owned rows are reached from an identity column, then from table to table along `via` joins;
only owned rows are exported, erased, corrected or restricted.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints, model_validator

from policykeeper.policy.models import CategoryKey, Identifier, RightKind
from policykeeper.policy.types import Strict, Text

Scalar = str | int | float | bool


Match = Literal["exact", "casefold"]


class IdentityColumn(Strict):
    """Where an identity kind (email, user_id, phone) is looked up: `users.email`, or
    `{column: users.email, match: casefold}` where the service treats the column as
    case-insensitive."""

    table: str
    column: str
    match: Match = Field(
        "exact",
        description="exact: the value as given (Unicode NFC, trimmed) equals the stored value "
        "byte for byte; casefold: both are lowercased first. Never accent- or width-folded, "
        "whatever the column's collation.",
    )

    @model_validator(mode="before")
    @classmethod
    def _dotted(cls, value: Any) -> Any:
        if isinstance(value, str):
            return _split(value)
        if (
            isinstance(value, dict)
            and "table" not in value
            and isinstance(value.get("column"), str)
        ):
            return {**value, **_split(value["column"])}
        return value

    def __str__(self) -> str:
        return f"{self.table}.{self.column}"


def _split(dotted: str) -> dict[str, str]:
    table, dot, column = dotted.rpartition(".")
    if not dot or not table or not column:
        raise ValueError(f"expected TABLE.COLUMN, got {dotted!r}")
    return {"table": table, "column": column}


class Via(Strict):
    """How this table's owned rows are found from another table's owned rows.

    `join` maps this table's columns to the other table's columns, so it works in either
    foreign-key direction (orders.user_id = users.id, or addresses.id = users.address_id)
    and for composite keys.
    """

    table: str
    join: dict[str, str] = Field(min_length=1, description="this column: other table's column")
    where: dict[str, Scalar | list[Scalar]] = Field(
        {},
        description="Only this table's rows with these column values are reached by this join "
        "(a meta table's row whose meta_key is _from_email). A list means any of its values.",
    )
    inferred: bool = Field(
        False,
        description="Drafted from names and sampled values, not a declared foreign key: "
        "confirm it (see evidence), then remove the mark.",
    )
    evidence: str | None = Field(None, description="What the draft checked for an inferred join.")
    side: list[str] | None = Field(
        None,
        description="For a row two people share (a tip from a viewer to a creator): the columns "
        "that belong to the person reached through this join, besides its join columns. Each "
        "person's export shows their own side only; erasing one person masks or detaches their "
        "side and leaves the other side as it is.",
    )

    def side_columns(self) -> set[str]:
        return {*self.join, *(self.side or [])}


class Keep(Strict):
    """Keep under a retention rule of the declaration (a legal hold): kept, and restricted."""

    keep: Identifier = Field(description="Id of a retention rule in policy.yaml.")


class SetValue(Strict):
    """Overwrite with a fixed value, e.g. '退会済みユーザー' or 0."""

    set: Scalar


ColumnErase = Literal["set_null", "hash", "keep"] | SetValue | Keep
TableErase = Literal["delete", "mask"] | Keep


class Shows(Strict):
    """A reference the person reads as a name: `episodes.title` shows the title of the
    episode whose `id` (or `key`) the column holds, instead of the bare number."""

    table: str
    column: str
    key: str = "id"

    @model_validator(mode="before")
    @classmethod
    def _dotted(cls, value: Any) -> Any:
        return _split(value) if isinstance(value, str) else value


class Column(Strict):
    category: CategoryKey | None = Field(None, description="A category key the column holds.")
    label: Text | None = Field(
        None,
        description="The column's name in the person's export (header and explanation); "
        "default: its category's label.",
    )
    export: Literal["yes", "never"] = Field(
        "yes",
        description="never: a secret (session token, password hash, API key) left out of every "
        "export; the person is told such columns exist but not their values.",
    )
    shows: Shows | None = Field(
        None, description="Show the referenced row's name in the export, e.g. episodes.title."
    )
    erase: ColumnErase | None = Field(
        None,
        description="What erasure does to the column when the row stays: set_null, hash "
        "(HMAC with hash_key), {set: value}, keep or {keep: rule}. Default: set_null for a "
        "categorised column, keep otherwise.",
    )

    def action(self) -> ColumnErase:
        if self.erase is not None:
            return self.erase
        return "set_null" if self.category else "keep"


MetaErase = Literal["delete"] | ColumnErase


class MetaKey(Strict):
    """One key of a key-value table: the category its value holds, and what erasure does."""

    category: CategoryKey | None = Field(None, description="A category key the value holds.")
    erase: MetaErase = Field(
        "delete",
        description="delete (the row goes), or what happens to the value when the row stays: "
        "set_null, hash, {set: value}, keep or {keep: rule}.",
    )

    def column(self) -> Column:
        """The value column as an ordinary column with this key's category and action."""
        return Column(category=self.category, erase=None if self.erase == "delete" else self.erase)


class Meta(Strict):
    """A key-value table (WordPress's wp_usermeta, a Rails settings table): one row per key.

    Only rows whose key is listed here are the person's data; each key has its own category
    and erasure, so erasing a member deletes their first_name row and can keep another key.
    """

    key: str = Field(description="The column holding the key (meta_key).")
    value: str = Field(description="The column holding the value (meta_value).")
    keys: dict[str, MetaKey] = Field(min_length=1, description="key: its category and erasure")


class RetentionBinding(Strict):
    """Binds a retention rule of the declaration to this table, in one of three ways.

    `{rule, clock}`: the rows are swept on their own clock column. `{rule, with: TABLE}`: a
    row has no clock of its own (an order's lines, the order's copy of an address) and goes
    with the row of TABLE its `via` join leads to, in the same transaction; a `clock` here
    only holds that row back until this one's period has run too. `{rule}` alone, for a rule
    without a period: the rows are kept under it (reviewed by staff, never swept), and rows
    of other tables they reference stay for them, reported with this rule as the reason.
    """

    rule: Identifier
    clock: str | None = Field(
        None, description="Column holding the moment the rule's period runs from."
    )
    with_: str | None = Field(
        None,
        alias="with",
        description="The table whose swept rows this table's rows go with (through its via).",
    )
    where: dict[str, Scalar | None] = Field(
        {}, description="Only rows matching these column values (null means IS NULL)."
    )

    @model_validator(mode="after")
    def _where_needs_own_clock(self) -> RetentionBinding:
        if self.where and (self.clock is None or self.with_ is not None):
            raise ValueError("where: only on a binding swept on its own clock (no with:)")
        return self


class Table(Strict):
    label: Text | None = Field(
        None, description="What the table holds, as the person's export names its file."
    )
    connection: str | None = Field(None, description="Connection name; default: the only one.")
    schema_name: str | None = Field(None, alias="schema", description="Database schema.")
    rows: Literal["owned", "reference"]
    via: list[Via] = Field([], description="Joins from tables whose owned rows lead here.")
    erase: TableErase = Field(
        "delete", description="delete, mask (apply column actions) or {keep: rule}."
    )
    restricted_flag: str | None = Field(
        None, description="The app's own boolean column marking a row as restricted."
    )
    shared: bool = Field(
        False,
        description="Rows several people may point at (an address two customers share): "
        "reached upward from one person's row, such a row is theirs only when no one else's "
        "row points at it; otherwise it is exported but left as it is by erasure.",
    )
    retention: list[RetentionBinding] = []
    columns: dict[str, Column] = {}
    meta: Meta | None = Field(
        None, description="A key-value table: a category and an erasure per key (see Meta)."
    )

    def meta_key(self, row: dict[str, Any]) -> MetaKey | None:
        """The key spec of a meta table's row (None for other tables and unlisted keys)."""
        if self.meta is None:
            return None
        return self.meta.keys.get(str(row.get(self.meta.key)))

    def for_key(self, key: str) -> Table:
        """A meta table as one key sees it: its value column with that key's category and
        action, so masking treats the row as any other table's row."""
        assert self.meta is not None
        column = self.meta.keys[key].column()
        return self.model_copy(update={"columns": {**self.columns, self.meta.value: column}})

    def categorised(self) -> list[tuple[str, str, str | None]]:
        """(column, category, meta key or None) for every category the table holds."""
        found = [(n, c.category, None) for n, c in self.columns.items() if c.category]
        if self.meta is not None:
            meta = self.meta
            found += [(meta.value, k.category, key) for key, k in meta.keys.items() if k.category]
        return found

    def held_by(self) -> str | None:
        return self.erase.keep if isinstance(self.erase, Keep) else None

    def has_sides(self) -> bool:
        """Are rows shared between two people, each owning a side (see Via.side)?"""
        return any(via.side is not None for via in self.via)


ConnectionName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z_][A-Za-z0-9_\-]*$")]


class Procedures(Strict):
    """How staff handle requests: internal steps the console enforces, never published."""

    four_eyes: list[RightKind] = Field(
        [],
        description="Rights whose approval needs two handlers: one proposes, another approves.",
    )
    reference_prefix: str = Field(
        "REQ",
        pattern=r"^[A-Z][A-Z0-9]{1,7}$",
        description="Starts the short references people and staff quote (AIN-2026-000123).",
    )


class DataMap(Strict):
    """Where one service keeps personal data, and how each right reaches it."""

    policykeeper: Literal[1] = Field(1, description="Data map format version.")
    connections: dict[ConnectionName, str] = Field(
        min_length=1,
        description="SQLAlchemy URLs; ${NAME} takes a secret from the environment.",
    )
    hash_key: str | None = Field(
        None, description="Secret for the keyed hash action, usually ${NAME}."
    )
    time_zone: str = Field(
        "UTC",
        description="The zone of times the databases store without one; exports show every "
        "time with its zone.",
    )
    identities: dict[Identifier, IdentityColumn] = Field(min_length=1)
    tables: dict[str, Table] = Field(min_length=1)
    # Places beyond SQL (policykeeper.datamap.places): each its own top-level section.
    stores: dict[str, StoreSpec] = Field({}, description="Object stores, caches and files.")
    connectors: dict[str, ConnectorUse] = Field({}, description="Processors reached by API.")
    manual_tasks: dict[str, ManualTask] = Field({}, description="Recipients without an API.")
    recipients: dict[str, RecipientReach] = Field(
        {}, description="Recipients reached through a hosted connection, or with nothing to erase."
    )
    procedures: Procedures = Field(
        default_factory=Procedures, description="How staff handle requests in the console."
    )

    def connection_of(self, table: str) -> str:
        chosen = self.tables[table].connection
        return chosen if chosen is not None else next(iter(self.connections))

    def owned(self) -> list[str]:
        return [name for name, table in self.tables.items() if table.rows == "owned"]


# The place models build on the models above; DataMap's fields refer to them.
from policykeeper.datamap.places import (  # noqa: E402
    ConnectorUse,
    ManualTask,
    RecipientReach,
    StoreSpec,
)

DataMap.model_rebuild()
