"""The Dialect base class: every dialect fact lives in a subclass of this, nowhere else.

A dialect does three jobs:

* **introspect** a live connection into the IR with bulk catalog queries (one query per object
  kind for the whole database, never one round per table);
* **normalize** what models compile to and what the server prints into the same canonical IR
  values (``parse_type``, ``normalize_default``, ``normalize_expr``, ``normalize``), and answer the
  differ's equivalence questions (``same_type``, ``same_default``, ``same_expr``);
* **render** the planner's neutral ops (``schemadrift.planner.ops``) as SQL (``render_<op kind>``
  methods), with the hazards and transactionality the dialect knows of.
"""
from __future__ import annotations

import contextlib
import gc
import re
from typing import TYPE_CHECKING, ClassVar

from ..ir import Column, ColumnType, Default, Dependent, Schema

if TYPE_CHECKING:  # pragma: no cover
    import sqlalchemy as sa

    from ..planner.model import Hazard
    from ..planner.ops import Op


class Dialect:
    """Base class. Subclasses override class attributes and the hooks that differ."""

    name: ClassVar[str] = "generic"
    #: SQLAlchemy dialect name used to compile models for this dialect
    sqlalchemy_name: ClassVar[str] = "default"

    # capability flags (conservative defaults)
    TRANSACTIONAL_DDL: ClassVar[bool] = False
    CONCURRENT_INDEX: ClassVar[bool] = False
    NOT_VALID_CONSTRAINTS: ClassVar[bool] = False
    NAMED_ENUMS: ClassVar[bool] = False
    PARTIAL_INDEX: ClassVar[bool] = False
    #: a BEFORE INSERT trigger may assign NEW.<column>, so a rename's sync trigger can fill an old
    #: NOT NULL column that new code leaves out (else the planner relaxes it during the window)
    BEFORE_TRIGGER_SETS_NEW: ClassVar[bool] = False
    #: triggers on a renamed table's old version can mirror its writes into the new one during
    #: the window (``CreateTableSync``); else old code's writes after the copy are lost
    TABLE_SYNC: ClassVar[bool] = False
    #: and the new one's writes back into the old one, without the two triggers recursing
    #: (MySQL/MariaDB cannot: a trigger may not write the table of the statement that fired it)
    TABLE_SYNC_BACK: ClassVar[bool] = False
    #: the server changes the type of a column that a foreign key uses (either side) with the key
    #: in place; where not (MySQL/MariaDB error 1832), the planner drops the key and adds it again
    #: around the type change
    ALTER_TYPE_KEEPS_FOREIGN_KEYS: ClassVar[bool] = True
    #: schema-level namespaces the introspector walks by default besides the default one
    MULTI_SCHEMA: ClassVar[bool] = False
    #: the server has exclusion constraints (``Table.exclusions``)
    EXCLUSION_CONSTRAINTS: ClassVar[bool] = False
    #: object kinds (``index``, ``unique``, ``primary_key``, ``foreign_key``, ``check``) whose names
    #: are unique in the whole schema rather than per table, each with its namespace: two kinds in
    #: one namespace cannot share a name either
    SCHEMA_WIDE_NAMES: ClassVar[dict[str, str]] = {}
    #: of those, the kinds the server can rename in place (``RenameObject`` ops)
    RENAMABLE: ClassVar[frozenset[str]] = frozenset()

    def __init__(self, version: str | None = None, flavour: str | None = None):
        self.version = version
        self.flavour = flavour or self.name

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.flavour} {self.version or ''}>".replace(" >", ">")

    # -- introspection ---------------------------------------------------------------------------
    def introspect(self, conn: sa.Connection, schemas: list[str] | None = None) -> Schema:
        """Read the whole schema (or the named ``schemas``) of a live connection, read-only."""
        raise NotImplementedError

    def default_schema(self, conn: sa.Connection) -> str | None:
        return None

    # -- normalization ---------------------------------------------------------------------------
    def parse_type(self, raw: str) -> ColumnType:
        """A type as the server (or the dialect's compiler) spells it → canonical ColumnType."""
        text = " ".join(raw.strip().lower().split())
        m = re.fullmatch(r"([a-z_][\w ]*?)\s*(?:\(([\d,\s]+)\))?", text)
        if not m:
            return ColumnType(name=text, raw=raw)
        args = tuple(int(a) for a in (m.group(2) or "").replace(" ", "").split(",") if a)
        return ColumnType(name=m.group(1), args=args, raw=raw)

    def normalize_default(self, raw: str | None, column_type: ColumnType) -> Default | None:
        """A default as the server (or compiler) spells it → canonical Default (None: no default)."""
        if raw is None:
            return None
        text = raw.strip()
        if text.upper() == "NULL" or not text:
            return None
        return Default(expr=text, kind="literal" if _is_literal(text) else "expression", raw=raw)

    def normalize_expr(self, raw: str) -> str:
        """A CHECK body, partial-index predicate or index expression → canonical text."""
        return " ".join(raw.split())

    def default_nulls(self, descending: bool) -> str | None:
        """Where an index part puts NULLs when it does not say (None: the server has no
        NULLS FIRST/LAST in an index, as SQLite and MariaDB)."""
        return None

    def index_nulls(self, descending: bool, nulls: str | None) -> str | None:
        """``IndexPart.nulls`` for a part that asks for ``nulls`` (``first``/``last``/None): None
        when that is the server's default for the direction, or the server cannot store it."""
        default = self.default_nulls(descending)
        if default is None or nulls is None or nulls.lower() == default:
            return None
        return nulls.lower()

    def normalize(self, schema: Schema) -> Schema:
        """Final pass over a loaded schema: implicit names and objects, default charsets…"""
        return schema.sorted()

    # -- differ hooks ----------------------------------------------------------------------------
    def column_key(self, name: str) -> str:
        """The key columns are matched by (MySQL and SQLite fold case)."""
        return name

    def table_key(self, name: str) -> str:
        """The key tables are matched by (SQLite folds case)."""
        return name

    def name_key(self, name: str) -> str:
        """The key index and constraint names are matched by (MySQL and SQLite fold case)."""
        return name

    def same_type(self, a: ColumnType, b: ColumnType) -> bool:
        return a == b

    def converts_type(self, before: ColumnType, after: ColumnType) -> bool:
        """Whether the server has a conversion for an in-place type change from ``before`` to
        ``after`` (it may still reject values that do not fit). Where it has none, the planner
        makes the change a ``manual`` step, or uses the user's backfill expression to convert."""
        return True

    def same_default(self, a: Column, b: Column) -> bool:
        return a.default == b.default

    def same_expr(self, a: str | None, b: str | None) -> bool:
        return a == b

    # -- rendering -------------------------------------------------------------------------------
    def quote(self, ident: str) -> str:
        return '"' + ident.replace('"', '""') + '"'

    def literal(self, value: object) -> str:
        if value is None:
            return "NULL"
        if isinstance(value, bool):
            return "TRUE" if value else "FALSE"
        if isinstance(value, (int, float)):
            return repr(value)
        return "'" + str(value).replace("'", "''") + "'"

    def qualified(self, name: str, schema: str | None = None) -> str:
        return f"{self.quote(schema)}.{self.quote(name)}" if schema else self.quote(name)

    def table_name(self, table) -> str:
        return self.qualified(table.name, table.schema)

    def name_namespace(self, kind: str) -> str | None:
        """The schema-wide namespace of a ``kind`` of object's name, None when it is per table."""
        return self.SCHEMA_WIDE_NAMES.get(kind)

    def user_triggers(self, schema: Schema) -> dict[tuple[str, str], tuple[str, ...]]:
        """The triggers (not modelled by the IR) of each table of ``schema``, by model key
        ``(schema, table_key)``, where a rebuild of the table would drop them."""
        return {}

    def carried_trigger(self, schema: Schema, old, new, trigger: tuple[str, str],
                        columns: dict[str, str]) -> str | None:
        """The CREATE TRIGGER text of ``trigger`` (name, text: an item of ``old.triggers``) for a
        renamed table's new version ``new``, or None where it cannot be carried safely: it uses a
        column of ``old`` that ``columns`` (old column key → new column name) does not keep under
        the same name, or its text cannot be rewritten. ``schema`` is FROM (its dependents)."""
        return None

    def render_create_trigger(self, op: Op) -> list[str]:
        return [op.sql]

    def dependents(self, schema: Schema) -> tuple[Dependent, ...]:
        """The objects the IR does not model that stand in the way of a step (the planner's
        blockers): introspection's ``schema.dependents``, plus what the dialect reads from the
        text it keeps of such objects (SQLite: the columns a trigger uses)."""
        return schema.dependents

    def recreates_table(self, op: Op) -> bool:
        """Whether ``op`` drops and recreates its table (SQLite's rebuild): the table's own
        unmodelled objects go with it, so they do not block the op (the dialect names those it
        cannot create again)."""
        return False

    def fills_on_insert(self, table, column: Column) -> bool:
        """Whether the server gives ``column`` of ``table`` a value when an INSERT leaves it out
        (a default, an identity or serial, a generated column)."""
        return column.default is not None or column.identity is not None or column.generated is not None

    def temp_name(self, name: str) -> str:
        """A name to build an object under while ``name`` is still taken (renamed later)."""
        return name + "__sdnew"

    def render(self, op: Op) -> list[str]:
        """SQL statements for one op, by dispatch to ``render_<op.kind>``."""
        method = getattr(self, "render_" + op.kind, None)
        if method is None:
            raise NotImplementedError(f"{self.name} cannot render {op.kind}")
        return list(method(op))

    def hazards(self, op: Op) -> list[Hazard]:
        """Hazards this dialect knows of for ``op`` (locks, rewrites), beyond the neutral ones."""
        return []

    def transactional(self, op: Op) -> bool:
        """Whether the op's SQL may run inside a transaction block."""
        return self.TRANSACTIONAL_DDL

    def session_settings(self, op: Op) -> list[str]:
        """Statements a step needs at its top (``SET lock_timeout`` …)."""
        return []

    def render_rollback(self, op: Op) -> list[str] | None:
        """Reverse SQL for ``op``, or None when the op cannot be undone without loss."""
        return None

    def script_statement(self, statement: str) -> str:
        """``statement`` as a script for the dialect's own client spells it: ended by ``;`` (a
        dialect whose client splits a compound statement on its inner ``;`` wraps it)."""
        s = statement.rstrip()
        return s if s.endswith(";") else s + ";"


_NUMBER = re.compile(r"[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?")


def _is_literal(text: str) -> bool:
    return bool(_NUMBER.fullmatch(text)) or (text.startswith("'") and text.endswith("'")) \
        or text.lower() in ("true", "false")


@contextlib.contextmanager
def collector_paused():
    """The cyclic garbage collector off while a schema is read (and as it was afterwards): reading
    creates some 100,000 objects that form no cycle, and the full collection their number sets off
    walks every live object of the process to find nothing (1,000 tables: 142 → 125 ms of CPU in
    a process like the CLI's)."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()
