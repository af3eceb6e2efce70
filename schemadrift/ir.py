"""The intermediate representation (IR) of a database schema.

Frozen, slotted dataclasses with no SQL and no I/O. Two schemas are in sync exactly when the
differ finds no change between them; fields declared with ``compare=False`` are kept for
rendering and messages but never count as drift. Names are stored as the database has them;
quoting happens only when a dialect renders SQL.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace

__all__ = [
    "Check", "Column", "ColumnType", "Default", "Dependent", "EnumType", "Exclusion", "ExclusionElement",
    "ForeignKey", "Generated", "Identity", "Index", "IndexPart", "PrimaryKey", "Schema", "Table", "replace",
]


@dataclass(frozen=True, slots=True)
class ColumnType:
    """A normalized column type.

    ``name`` is the canonical lowercase base name chosen by the dialect (``integer``, ``varchar``,
    ``numeric``, ``timestamptz``, ``enum`` …); ``args`` holds length or precision and scale;
    ``values`` the labels of an inline (MySQL) enum or set; ``raw`` is the server's own spelling,
    valid DDL for the dialect, and never compared.
    """

    name: str
    args: tuple[int, ...] = ()
    unsigned: bool = False
    array_dims: int = 0
    values: tuple[str, ...] = ()
    raw: str = field(default="", compare=False)

    def __str__(self) -> str:
        return self.raw or self.name


@dataclass(frozen=True, slots=True)
class Default:
    """A server default: canonical SQL text and whether it is a literal, an expression or a sequence."""

    expr: str
    kind: str = "literal"  # literal | expression | sequence
    raw: str = field(default="", compare=False)

    def __str__(self) -> str:
        return self.raw or self.expr


@dataclass(frozen=True, slots=True)
class Identity:
    """Identity or autoincrement: ``always`` / ``by_default`` (SQL identity) or ``autoincrement``.

    The sequence options record only a choice that differs from the server's default for the
    column's type (None / False = the default: PostgreSQL's minvalue 1 and maxvalue the type's
    maximum for an ascending identity, cache 1, no cycle), so that a model that omits them and the
    database created from it compare in sync. Dialects without identity sequences leave them unset."""

    kind: str
    start: int | None = None
    increment: int | None = None
    minvalue: int | None = None
    maxvalue: int | None = None
    cycle: bool = False
    cache: int | None = None


@dataclass(frozen=True, slots=True)
class Generated:
    """A generated (computed) column."""

    expr: str
    stored: bool = True


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    type: ColumnType
    nullable: bool = True
    default: Default | None = None
    identity: Identity | None = None
    generated: Generated | None = None
    collation: str | None = None
    comment: str | None = None


@dataclass(frozen=True, slots=True)
class PrimaryKey:
    """A primary key. ``name`` is None where the database chose it (or cannot name it)."""

    columns: tuple[str, ...]
    name: str | None = None


@dataclass(frozen=True, slots=True)
class IndexPart:
    """One part of an index: a column or an expression.

    ``nulls`` is ``"first"`` or ``"last"`` only where it is not what the server does by default
    for the part's direction (PostgreSQL: NULLS LAST ascending, NULLS FIRST descending); None
    otherwise, and always where the server has no NULLS FIRST/LAST in an index.
    """

    column: str | None = None
    expr: str | None = None
    descending: bool = False
    prefix_length: int | None = None
    opclass: str | None = None
    collation: str | None = None
    nulls: str | None = None


@dataclass(frozen=True, slots=True)
class Index:
    """An index or a unique constraint (``is_constraint``).

    ``implicit`` marks an index the server created by itself (MySQL's index for a foreign key):
    it is reported only when both sides have it.
    """

    name: str | None
    parts: tuple[IndexPart, ...]
    unique: bool = False
    is_constraint: bool = False
    predicate: str | None = None
    method: str | None = None
    include: tuple[str, ...] = ()
    nulls_not_distinct: bool = False
    implicit: bool = field(default=False, compare=False)
    predicate_raw: str = field(default="", compare=False)

    @property
    def predicate_sql(self) -> str | None:
        """The predicate as the source spelled it (a plan creates it so), else canonical."""
        return self.predicate_raw or self.predicate

    @property
    def columns(self) -> tuple[str | None, ...]:
        return tuple(p.column for p in self.parts)


@dataclass(frozen=True, slots=True)
class ForeignKey:
    name: str | None
    columns: tuple[str, ...]
    ref_table: str
    ref_columns: tuple[str, ...]
    ref_schema: str | None = None
    on_delete: str = "NO ACTION"
    on_update: str = "NO ACTION"
    deferrable: bool = False
    initially_deferred: bool = False
    validated: bool = field(default=True, compare=False)


@dataclass(frozen=True, slots=True)
class Check:
    name: str | None
    expr: str
    validated: bool = field(default=True, compare=False)
    raw: str = field(default="", compare=False)


@dataclass(frozen=True, slots=True)
class ExclusionElement:
    """One element of an exclusion constraint: a column or an expression, compared WITH
    ``operator``; ``opclass``, ``collation`` and ``nulls`` as in ``IndexPart``."""

    column: str | None = None
    expr: str | None = None
    operator: str = "="
    opclass: str | None = None
    collation: str | None = None
    descending: bool = False
    nulls: str | None = None


@dataclass(frozen=True, slots=True)
class Exclusion:
    """An exclusion constraint (PostgreSQL ``EXCLUDE USING method (… WITH op, …)``).

    ``method`` is the index access method (``gist``, ``btree`` …); ``raw`` the server's (or the
    model's) whole definition, used to create it as written and never compared."""

    name: str | None
    elements: tuple[ExclusionElement, ...]
    method: str = "gist"
    predicate: str | None = None
    include: tuple[str, ...] = ()
    deferrable: bool = False
    initially_deferred: bool = False
    raw: str = field(default="", compare=False)

    @property
    def columns(self) -> tuple[str | None, ...]:
        return tuple(e.column for e in self.elements)


@dataclass(frozen=True, slots=True)
class EnumType:
    """A named enum type (PostgreSQL)."""

    name: str
    values: tuple[str, ...]
    schema: str | None = None

    @property
    def key(self) -> tuple[str, str]:
        return (self.schema or "", self.name)


@dataclass(frozen=True, slots=True)
class Table:
    """A table. ``schema`` is None for the connection's default schema. ``triggers`` holds the
    user's triggers on it as (name, CREATE TRIGGER text) where the source can tell (SQLite): they
    are not compared, only carried so that a plan that rebuilds the table can create them again."""

    name: str
    columns: tuple[Column, ...] = ()
    primary_key: PrimaryKey | None = None
    indexes: tuple[Index, ...] = ()
    foreign_keys: tuple[ForeignKey, ...] = ()
    checks: tuple[Check, ...] = ()
    comment: str | None = None
    options: tuple[tuple[str, str], ...] = ()
    schema: str | None = None
    triggers: tuple[tuple[str, str], ...] = field(default=(), compare=False)
    #: exclusion constraints (PostgreSQL; empty elsewhere)
    exclusions: tuple[Exclusion, ...] = ()

    @property
    def key(self) -> tuple[str, str]:
        return (self.schema or "", self.name)

    @property
    def qualified_name(self) -> str:
        return f"{self.schema}.{self.name}" if self.schema else self.name

    def column(self, name: str) -> Column | None:
        for c in self.columns:
            if c.name == name:
                return c
        return None

    @property
    def uniques(self) -> tuple[Index, ...]:
        return tuple(i for i in self.indexes if i.is_constraint)


@dataclass(frozen=True, slots=True)
class Dependent:
    """An object the IR does not model (``object``: ``"view public.v"``) that stops a modelled
    one from being dropped or retyped: the table ``name`` (its ``column``, or the whole table
    when ``column`` is None) or, with ``kind`` ``"enum"`` or ``"index"``, an enum type or an
    index of the table ``name`` is on (the index's name is ``column``). ``on_self``: the object
    belongs to that same table, and goes with it. With ``kind`` ``"relation"``, the object holds
    the name ``name`` that a new table or index would take (PostgreSQL: one namespace). With
    ``kind`` ``"needs"`` it is the other way round: the table's ``column`` (its type, default or
    generated expression; a CHECK or index of the table when None) needs ``object``, which is
    named as in ``not_compared``: a plan cannot create it where that object does not exist."""

    kind: str
    name: str
    object: str
    schema: str | None = None
    column: str | None = None
    on_self: bool = False


@dataclass(frozen=True, slots=True)
class Schema:
    """A whole schema (or several namespaces of one database) as one value.

    ``dialect`` is the dialect it came from (None for a dialect-less source); ``not_compared``
    lists objects the IR does not model (views, triggers …) as ``"view public.v"`` strings, and
    ``unknown`` the attributes this source cannot record (so the differ skips them).
    """

    dialect: str | None
    tables: tuple[Table, ...] = ()
    enums: tuple[EnumType, ...] = ()
    default_schema: str | None = field(default=None, compare=False)
    server_version: str | None = field(default=None, compare=False)
    not_compared: tuple[str, ...] = field(default=(), compare=False)
    unknown: frozenset[str] = field(default=frozenset(), compare=False)
    #: what of ``not_compared`` depends on the modelled objects (a plan cannot drop those alone)
    dependents: tuple[Dependent, ...] = field(default=(), compare=False)

    def table(self, name: str, schema: str | None = None) -> Table | None:
        for t in self.tables:
            if t.name == name and (t.schema or None) == (schema or None):
                return t
        return None

    def sorted(self) -> Schema:
        """The same schema with tables and enums in their canonical order."""
        return replace(self, tables=tuple(sorted(self.tables, key=lambda t: t.key)),
                       enums=tuple(sorted(self.enums, key=lambda e: e.key)))
