"""Dialect-neutral operations: what a plan step does, before any dialect renders it to SQL.

Every op carries ``table``: the state of the table *before* the op (None for schema-level ops),
so that a dialect can render it in context (MySQL's MODIFY needs the whole column, SQLite's table
rebuild needs the whole table). ``apply`` returns the table state after the op; the planner uses
it to keep a running model of the database as steps are added, and checks at the end that this
model equals TO.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace

from ..ir import Check, Column, EnumType, Exclusion, ForeignKey, Index, PrimaryKey, Table


def _swap(items: tuple, old, new) -> tuple:
    return tuple(new if x == old else x for x in items)


def _without(items: tuple, old) -> tuple:
    return tuple(x for x in items if x != old)


@dataclass(frozen=True)
class Op:
    table: Table | None
    #: what is on ``table`` when the op runs that the IR does not model, for a dialect that
    #: rebuilds the table (and so drops them): the rename windows open on it (their
    #: CreateSyncTrigger ops) and the names of the user's triggers. Set by the planner.
    triggers: tuple = field(default=(), kw_only=True, compare=False)

    @property
    def kind(self) -> str:
        name = type(self).__name__
        return "".join("_" + c.lower() if c.isupper() else c for c in name).lstrip("_")

    def apply(self, table: Table | None) -> Table | None:
        return table


# -- tables -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class CreateTable(Op):
    """Create ``table`` with its columns, primary key, unique, check, exclusion and FK constraints.

    Plain (non-constraint) indexes are separate CreateIndex ops."""

    def apply(self, table):
        return self.table


@dataclass(frozen=True)
class DropTable(Op):
    def apply(self, table):
        return None


@dataclass(frozen=True)
class CopyRows(Op):
    """Backfill: copy rows from ``source`` (an existing table) into ``table``.

    ``columns`` pairs (target column, source column)."""

    source: Table = None
    columns: tuple[tuple[str, str], ...] = ()
    batch_size: int | None = None
    #: (target column, source column) of the key that finds a row in both tables, when triggers
    #: (CreateTableSync) may have written some rows already: the copy skips those
    key: tuple[tuple[str, str], ...] = ()
    #: (target column, SQL expression over the source row) for a column no source column fills
    #: and that cannot wait for a later backfill (a new key column: the user's ``backfills``)
    values: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class CreateTableSync(Op):
    """Triggers that mirror each INSERT, UPDATE and DELETE of ``source`` (the old version of a
    renamed table) into ``table`` (its new version) while both exist; ``back``: those of
    ``table`` into ``source`` as well. ``columns`` pairs (target column, source column) as
    CopyRows does; ``key`` pairs the columns of a unique NOT NULL key of both tables."""

    source: Table = None
    columns: tuple[tuple[str, str], ...] = ()
    key: tuple[tuple[str, str], ...] = ()
    back: bool = False


@dataclass(frozen=True)
class DropTableSync(Op):
    """Drop what CreateTableSync (same fields) created."""

    source: Table = None
    columns: tuple[tuple[str, str], ...] = ()
    key: tuple[tuple[str, str], ...] = ()
    back: bool = False


@dataclass(frozen=True)
class CreateTrigger(Op):
    """Create a user's trigger (not modelled by the IR) on ``table``: ``sql`` is its CREATE
    TRIGGER text as the dialect rewrote it for this table (a renamed table's carried trigger)."""

    name: str = ""
    sql: str = ""

    def apply(self, table):
        return replace(table, triggers=table.triggers + ((self.name, self.sql),))


@dataclass(frozen=True)
class SetTableComment(Op):
    comment: str | None = None

    def apply(self, table):
        return replace(table, comment=self.comment)


@dataclass(frozen=True)
class SetTableOptions(Op):
    options: tuple[tuple[str, str], ...] = ()

    def apply(self, table):
        return replace(table, options=self.options)


# -- columns ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class AddColumn(Op):
    column: Column = None

    def apply(self, table):
        return replace(table, columns=table.columns + (self.column,))


@dataclass(frozen=True)
class DropColumn(Op):
    column: Column = None

    def apply(self, table):
        return replace(table, columns=_without(table.columns, self.column))


@dataclass(frozen=True)
class AlterColumn(Op):
    """Change the attributes named in ``what`` (``type``, ``nullable``, ``default``, ``identity``,
    ``generated``, ``collation``, ``comment``) of ``before`` so that it becomes ``after``.
    Attributes not named in ``what`` are equal in ``before`` and ``after``. ``using`` is the SQL
    expression that converts each row's value where the server has no conversion of its own
    (``Dialect.converts_type``); None: the server converts."""

    before: Column = None
    after: Column = None
    what: frozenset[str] = frozenset()
    using: str | None = None

    def apply(self, table):
        return replace(table, columns=_swap(table.columns, self.before, self.after))


@dataclass(frozen=True)
class CopyColumn(Op):
    """Backfill: ``UPDATE table SET target = source`` (in batches where the dialect can)."""

    source: Column = None
    target: Column = None
    batch_size: int | None = None


@dataclass(frozen=True)
class FillColumn(Op):
    """Backfill: set ``column`` to ``expr`` where it is NULL."""

    column: Column = None
    expr: str = ""
    batch_size: int | None = None


@dataclass(frozen=True)
class CreateSyncTrigger(Op):
    """Keep ``old`` and ``new`` columns in step while old and new code both write (rename window)."""

    old: Column = None
    new: Column = None


@dataclass(frozen=True)
class DropSyncTrigger(Op):
    old: Column = None
    new: Column = None


# -- keys, indexes, constraints ----------------------------------------------------------------
@dataclass(frozen=True)
class AddPrimaryKey(Op):
    primary_key: PrimaryKey = None

    def apply(self, table):
        return replace(table, primary_key=self.primary_key)


@dataclass(frozen=True)
class DropPrimaryKey(Op):
    primary_key: PrimaryKey = None

    def apply(self, table):
        return replace(table, primary_key=None)


@dataclass(frozen=True)
class CreateIndex(Op):
    """Create an index, or a unique constraint when ``index.is_constraint``."""

    index: Index = None

    def apply(self, table):
        return replace(table, indexes=table.indexes + (self.index,))


@dataclass(frozen=True)
class DropIndex(Op):
    index: Index = None

    def apply(self, table):
        return replace(table, indexes=_without(table.indexes, self.index))


@dataclass(frozen=True)
class AddForeignKey(Op):
    foreign_key: ForeignKey = None

    def apply(self, table):
        return replace(table, foreign_keys=table.foreign_keys + (self.foreign_key,))


@dataclass(frozen=True)
class DropForeignKey(Op):
    foreign_key: ForeignKey = None

    def apply(self, table):
        return replace(table, foreign_keys=_without(table.foreign_keys, self.foreign_key))


@dataclass(frozen=True)
class AddCheck(Op):
    check: Check = None

    def apply(self, table):
        return replace(table, checks=table.checks + (self.check,))


@dataclass(frozen=True)
class DropCheck(Op):
    check: Check = None

    def apply(self, table):
        return replace(table, checks=_without(table.checks, self.check))


@dataclass(frozen=True)
class AddExclusion(Op):
    exclusion: Exclusion = None

    def apply(self, table):
        return replace(table, exclusions=table.exclusions + (self.exclusion,))


@dataclass(frozen=True)
class DropExclusion(Op):
    exclusion: Exclusion = None

    def apply(self, table):
        return replace(table, exclusions=_without(table.exclusions, self.exclusion))


@dataclass(frozen=True)
class RenameObject(Op):
    """Give ``before`` (an Index, PrimaryKey, ForeignKey or Check of ``table``) the name ``name``:
    an object built under a temporary name while its own was still taken."""

    before: object = None
    name: str = ""

    def apply(self, table):
        after = replace(self.before, name=self.name)
        if isinstance(self.before, PrimaryKey):
            return replace(table, primary_key=after)
        attr = {Index: "indexes", ForeignKey: "foreign_keys", Check: "checks",
                Exclusion: "exclusions"}[type(self.before)]
        return replace(table, **{attr: _swap(getattr(table, attr), self.before, after)})


# -- schema-level -------------------------------------------------------------------------------
@dataclass(frozen=True)
class CreateEnum(Op):
    enum: EnumType = None


@dataclass(frozen=True)
class DropEnum(Op):
    enum: EnumType = None


@dataclass(frozen=True)
class AddEnumValue(Op):
    """Add ``value`` to ``enum`` right after ``after`` (or first when None)."""

    enum: EnumType = None
    value: str = ""
    after: str | None = None


@dataclass(frozen=True)
class ReplaceEnum(Op):
    """Recreate ``before`` as ``after`` (values removed or reordered), converting the columns that
    use it (``usages``: (table, column) pairs)."""

    before: EnumType = None
    after: EnumType = None
    usages: tuple[tuple[Table, Column], ...] = ()
