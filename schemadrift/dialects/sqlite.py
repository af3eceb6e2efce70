"""SQLite: introspection from ``sqlite_master`` and pragma table-valued functions, normalization,
and rendering with the table-rebuild recipe for every change SQLite's ALTER TABLE cannot make.

Decisions (each one a SQLite fact, checked on the server):

* **Introspection** runs four bulk queries per database (``sql/sqlite/*.sql``): objects with
  their SQL text, columns (``pragma_table_xinfo``), index keys (``pragma_index_list`` ×
  ``pragma_index_xinfo``) and foreign keys (``pragma_foreign_key_list``). CHECK constraints,
  constraint names, collations, generated expressions, AUTOINCREMENT, deferrability, WITHOUT
  ROWID / STRICT and index expressions/predicates exist only in the SQL text:
  ``sqlite_parse`` reads them. Views, triggers, virtual tables and their shadow tables go to
  ``not_compared``; ``sqlite_*`` internal tables are skipped.
* **Names**: a constraint has a name only where its SQL text declares one (``CONSTRAINT x``);
  otherwise it is None on both sides (SQLite cannot name it later), and the differ matches it by
  definition. ``sqlite_autoindex_*`` indexes are UNIQUE constraints (``is_constraint``).
* **Types** are free text: only case, whitespace and argument spacing are canonicalized
  (``NUMERIC( 10 , 2 )`` is ``numeric(10,2)``); ``INT`` and ``INTEGER`` stay different, since
  only ``INTEGER PRIMARY KEY`` is a rowid alias.
* **Rowid alias vs AUTOINCREMENT**: ``Identity("autoincrement")`` only for the AUTOINCREMENT
  keyword (ids never reused, ``sqlite_sequence``). A rowid alias (``INTEGER PRIMARY KEY`` in a
  rowid table) has no identity: it is implied by type + key. It cannot hold NULL, so it is
  ``nullable=False`` however it was declared, as are the key columns of a WITHOUT ROWID table.
* **Defaults / expressions** are canonical token text (``sqlite_parse.canonical_expr``); a NULL
  default is no default. A literal default is written as the value the column stores, by its
  affinity: ``'0'``, ``0`` and ``0.00`` are one default of an INTEGER/NUMERIC column, ``0`` and
  ``'0'`` of a TEXT one; ``TRUE``/``FALSE`` are ``1``/``0``; ``datetime('now')`` is
  ``CURRENT_TIMESTAMP`` (the same value); a lone name (``DEFAULT "x"``) is the string ``'x'``.
  FK actions stay as SQLite reports them: ``RESTRICT`` is *not* ``NO ACTION`` here (it fires at
  once, not at the end of the statement). ``DEFERRABLE INITIALLY DEFERRED`` is the only deferred
  form; any other spelling is immediate (``deferrable=initially_deferred=False``).
* **Models** are created in an in-memory SQLite database and introspected (``load_models``):
  what the models give is exactly what SQLite makes of them.
* **Rendering**: ADD COLUMN, DROP COLUMN (3.35+), CREATE/DROP INDEX and triggers are plain
  statements; everything else rebuilds the table (create ``_new_<t>``, copy the columns both
  states have, drop, rename, recreate indexes) inside ``PRAGMA foreign_keys=OFF`` (and
  ``legacy_alter_table=ON``, so that views naming the table do not block the rename) and its own
  BEGIN/COMMIT, so those steps are not transactional. A rebuild drops the table's triggers.
* **Rename window**: SQLite has no BEFORE trigger that can change NEW
  (``BEFORE_TRIGGER_SETS_NEW = False``, so the planner first makes an old NOT NULL column
  nullable), and the sync triggers are AFTER INSERT/UPDATE triggers that UPDATE the row. An AFTER
  trigger cannot tell a default from a written value, so when the old column (still) is NOT NULL
  or has a default, the sync step itself first rebuilds the table with it nullable and without
  default, and the insert trigger applies that default; its rollback restores the column, and the
  contract phase drops it anyway. Known limit: a default on the *new* column wins over the old
  column's value for rows inserted by old code.
"""
from __future__ import annotations

import contextlib
import functools
import re
import sqlite3
from dataclasses import replace
from decimal import Decimal, InvalidOperation
from importlib import resources

import sqlalchemy as sa
from sqlalchemy.schema import CreateIndex, CreateTable

from ..errors import PlanError, SourceError
from ..ir import (
    Check,
    Column,
    ColumnType,
    Default,
    Dependent,
    ForeignKey,
    Generated,
    Identity,
    Index,
    IndexPart,
    PrimaryKey,
    Schema,
    Table,
)
from ..planner import ops as O
from ..planner.model import Hazard, HazardKind
from ..planner.names import lacking_foreign_keys
from . import sqlite_parse as P
from .base import Dialect, collector_paused

_REBUILT = ("alter_column", "add_primary_key", "drop_primary_key", "add_foreign_key", "drop_foreign_key",
            "add_check", "drop_check", "set_table_options")


@functools.cache
def _query(name: str) -> str:
    return resources.files(__package__).joinpath(f"sql/sqlite/{name}.sql").read_text(encoding="utf-8")


def _is_literal(text: str) -> bool:
    toks = P.tokenize(text)
    if toks and toks[0].kind == "op" and toks[0].value in "+-":
        toks = toks[1:]
    return len(toks) == 1 and toks[0].kind in ("number", "string", "blob")


#: defaults SQLite evaluates to the same value
_SAME_VALUE = {"TRUE": "1", "FALSE": "0", "datetime('now')": "CURRENT_TIMESTAMP",
               "date('now')": "CURRENT_DATE", "time('now')": "CURRENT_TIME"}


def affinity(t: ColumnType) -> str:
    """The column affinity SQLite derives from a declared type (sqlite.org/datatype3.html 3.1)."""
    name = t.name.upper()
    if "INT" in name:
        return "INTEGER"
    if any(x in name for x in ("CHAR", "CLOB", "TEXT")):
        return "TEXT"
    if "BLOB" in name or not name.strip():
        return "BLOB"
    if any(x in name for x in ("REAL", "FLOA", "DOUB")):
        return "REAL"
    return "NUMERIC"


def _stored_literal(text: str, column_affinity: str) -> str:
    """A literal default as the value the column stores: ``'0'`` and ``0.00`` are both ``0`` in an
    INTEGER or NUMERIC column, ``0`` is ``0.0`` in a REAL one, ``0`` is ``'0'`` in a TEXT one."""
    if column_affinity == "BLOB" or text.upper().startswith("X'"):
        return text
    number = text[1:-1].strip() if text.startswith("'") else text
    try:
        value = Decimal(number.replace(" ", ""))
    except InvalidOperation:
        return text
    if not value.is_finite() or (text.startswith("'") and not _NUMERIC_TEXT.fullmatch(number)):
        return text
    if column_affinity == "TEXT":
        return text if text.startswith("'") or value != value.to_integral_value() or "." in number \
            or "e" in number.lower() else f"'{int(value)}'"
    if column_affinity == "REAL":
        return repr(float(value))
    if value == value.to_integral_value() and abs(value) < 2 ** 63:
        return str(int(value))
    return repr(float(value))


_NUMERIC_TEXT = re.compile(r"[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?")


def _collation(name: str | None) -> str | None:
    """Collation names are case-insensitive; BINARY is the default."""
    if not name or name.upper() == "BINARY":
        return None
    return name.upper()


class SQLiteDialect(Dialect):
    """SQLite 3.x (DROP COLUMN needs 3.35)."""

    name = "sqlite"
    sqlalchemy_name = "sqlite"
    TRANSACTIONAL_DDL = True
    PARTIAL_INDEX = True
    #: with recursive_triggers off a trigger does not fire itself again, but the other table's
    #: trigger does fire: each mirror statement is a no-op when the row is already as it should be
    TABLE_SYNC = TABLE_SYNC_BACK = True
    #: index names are unique in the database (a UNIQUE constraint's automatic index is named
    #: after its table); there is no ALTER INDEX … RENAME
    SCHEMA_WIDE_NAMES = {"index": "index"}

    # -- introspection ---------------------------------------------------------------------------
    def introspect(self, conn: sa.Connection, schemas: list[str] | None = None) -> Schema:
        """Read the main database (or the named attached ``schemas``) with four queries each."""
        return self._introspect([conn], schemas)

    def _introspect(self, conns: list[sa.Connection], schemas: list[str] | None) -> Schema:
        """``introspect`` of one database whose tables are spread over ``conns`` (same schemas)."""
        version = conns[0].exec_driver_sql("SELECT sqlite_version()").scalar()
        tables: list[Table] = []
        not_compared: list[str] = []
        views: list[tuple[str, str]] = []
        with collector_paused():
            for schema in self._schemas(conns[0], schemas):
                found, skipped = _Reader(self, conns, schema).read()
                tables += found
                not_compared += skipped
                if schema == "main" and any(n.startswith("view ") for n in skipped):
                    views = conns[0].exec_driver_sql(
                        "SELECT name, sql FROM main.sqlite_master WHERE type = 'view'").all()
        # (each table is read in normalize()'s order already: only the tables are sorted)
        return Schema(dialect="sqlite", tables=tuple(tables), default_schema="main",
                      server_version=version, not_compared=tuple(sorted(not_compared)),
                      dependents=self._view_dependents(views, tables)).sorted()

    def default_schema(self, conn: sa.Connection) -> str | None:
        return "main"

    def _schemas(self, conn: sa.Connection, schemas: list[str] | None) -> list[str]:
        if not schemas:
            return ["main"]
        attached = {row[1] for row in conn.exec_driver_sql("PRAGMA database_list")}
        return [s for s in schemas if s in attached and s != "temp"]

    def load_models(self, metadata: sa.MetaData) -> Schema:
        """Create the models in an in-memory database and introspect it: exact, and cheap.

        Each CREATE makes SQLite re-read its schema table with a full scan, so one database of
        n tables costs O(n²) (3 s for 1,000 tables): the tables are created in groups of
        ``MODEL_GROUP`` in separate in-memory databases and read back as one (a CREATE TABLE
        does not check the tables its foreign keys name), each with the CREATE TABLE and CREATE
        INDEX statements ``create_all`` would run, on the DBAPI cursor. Models with DDL event
        listeners are created by ``create_all`` in one database, as the listeners could reach
        across tables."""
        attached = sorted({t.schema for t in metadata.tables.values()} - {None, "main", "temp"})
        groups = _model_groups(metadata)
        with contextlib.ExitStack() as stack:
            conns = []
            for group in groups:
                engine = sa.create_engine("sqlite://", poolclass=sa.pool.StaticPool)
                stack.callback(engine.dispose)
                conn = stack.enter_context(engine.connect())
                for schema in attached:
                    conn.exec_driver_sql(f"ATTACH DATABASE ':memory:' AS {self.quote(schema)}")
                try:
                    _create(metadata, conn, group)
                except Exception as e:  # noqa: BLE001 - any failure is the user's model
                    first = (str(getattr(e, "orig", None) or e).splitlines() or [type(e).__name__])[0]
                    raise SourceError(f"the models cannot be created on SQLite: {first}") from e
                conns.append(conn)
            return self._introspect(conns, ["main", *attached])

    # -- normalization ---------------------------------------------------------------------------
    def parse_type(self, raw: str) -> ColumnType:
        """A declared type: case and spacing canonical, arguments as integers."""
        return _parse_type(raw or "")

    def normalize_default(self, raw: str | None, column_type: ColumnType) -> Default | None:
        return None if raw is None else _normalize_default(raw, column_type)

    def normalize_expr(self, raw: str) -> str:
        return P.canonical_expr(raw)

    def normalize(self, schema: Schema) -> Schema:
        """Objects of each table in a deterministic order (so ``==`` works), tables sorted."""
        return replace(schema, tables=tuple(_sorted_table(t) for t in schema.tables)).sorted()

    def column_key(self, name: str) -> str:
        return P.ascii_lower(name)

    def table_key(self, name: str) -> str:
        return P.ascii_lower(name)

    def name_key(self, name: str) -> str:
        return P.ascii_lower(name)

    def fills_on_insert(self, table: Table, column: Column) -> bool:
        """A rowid alias (``INTEGER PRIMARY KEY`` of a rowid table) gets the next rowid."""
        pk = table.primary_key
        alias = pk is not None and len(pk.columns) == 1 and self.column_key(pk.columns[0]) == \
            self.column_key(column.name) and column.type.name == "integer" and not column.type.args \
            and dict(table.options).get("without_rowid") != "true"
        return alias or super().fills_on_insert(table, column)

    def dependents(self, schema: Schema) -> tuple[Dependent, ...]:
        """Introspection's, plus a ``column`` dependent for each column of the main database a
        user trigger uses by name (read from its text, ``Table.triggers``): SQLite refuses to
        drop that column while the trigger exists, and a rebuild that removes it would leave the
        trigger broken (unless the trigger is on the rebuilt table: it goes with it); and a
        ``table`` dependent for each other table it names, whose DROP TABLE would leave it broken
        (every later ALTER TABLE fails). Views: see ``_view_dependents``."""
        tables = {self.table_key(t.name): t for t in schema.tables if t.schema is None}
        columns = {tk: {self.column_key(c.name): c.name for c in t.columns} for tk, t in tables.items()}
        found = []
        for owner_key, owner in sorted(tables.items()):
            for trigger, sql in owner.triggers:
                refs = P.trigger_refs(sql)
                what = f"trigger {trigger} on {owner.name}"
                for tk, ck in sorted(refs.columns if refs is not None else ()):
                    if ck in columns.get(tk, {}):
                        found.append(Dependent("column", tables[tk].name, what,
                                               column=columns[tk][ck], on_self=tk == owner_key))
                found += [Dependent("table", tables[tk].name, what) for tk in
                          sorted(refs.tables if refs is not None else ()) if tk in tables and tk != owner_key]
        return schema.dependents + tuple(found)

    def _view_dependents(self, views: list[tuple[str, str]], tables: list[Table]) -> tuple[Dependent, ...]:
        """The tables and columns of the main database that its views name
        (``sqlite_parse.view_refs``): SQLite refuses to drop such a column (``error in view``),
        and a DROP TABLE would leave the view broken (every later ALTER TABLE fails)."""
        by_key = {self.table_key(t.name): t for t in tables if t.schema is None}
        columns = {tk: {self.column_key(c.name): c.name for c in t.columns} for tk, t in by_key.items()}
        found: list[Dependent] = []
        for name, sql in views:
            refs = P.view_refs(sql)
            if refs is None:
                continue
            found += [Dependent("table", by_key[tk].name, f"view {name}") for tk in sorted(refs.tables)
                      if tk in by_key]
            found += [Dependent("column", by_key[tk].name, f"view {name}", column=columns[tk][ck])
                      for tk, ck in sorted(refs.columns) if ck in columns.get(tk, {})]
        return tuple(found)

    def carried_trigger(self, schema: Schema, old: Table, new: Table, trigger: tuple[str, str],
                        columns: dict[str, str]) -> str | None:
        """The trigger's text with ``new`` for ``old`` where it names it as a table
        (``sqlite_parse.retarget_trigger``), unless it uses a column of ``old`` that ``new`` does
        not keep under its name (``trigger_refs``)."""
        refs = P.trigger_refs(trigger[1])
        if refs is None or old.schema is not None or new.schema is not None \
                or trigger[0].startswith(("sd_sync_", "sd_tsync_")):  # the plan's own
            return None
        own = P.ascii_lower(old.name)
        changed = {k for k in map(self.column_key, (c.name for c in old.columns))
                   if self.column_key(columns.get(k, "")) != k}
        if any(t == own and c in changed for t, c in refs.columns):
            return None
        return P.retarget_trigger(trigger[1], old.name, self.quote(new.name))

    def recreates_table(self, op: O.Op) -> bool:
        return op.table is not None and self.needs_rebuild(op)

    def user_triggers(self, schema: Schema) -> dict[tuple[str, str], tuple[str, ...]]:
        """The triggers introspection listed in ``not_compared`` (``trigger NAME on [DB.]TABLE``)."""
        out: dict[tuple[str, str], tuple[str, ...]] = {}
        attached = {t.schema for t in schema.tables if t.schema}
        for entry in schema.not_compared:
            if not entry.startswith("trigger "):
                continue
            name, _, table = entry[len("trigger "):].rpartition(" on ")
            db, dot, bare = table.partition(".")
            if not dot or db not in attached:
                db, bare = "", table
            key = (db, self.table_key(bare))
            out[key] = out.get(key, ()) + (name,)
        return out

    # -- rendering helpers -----------------------------------------------------------------------
    def render(self, op: O.Op) -> list[str]:
        method = getattr(self, "render_" + op.kind, None)
        if method is None:
            raise PlanError(f"SQLite cannot {op.kind.replace('_', ' ')}")
        return list(method(op))

    def type_sql(self, t: ColumnType) -> str:
        if t.raw:
            return t.raw
        return t.name.upper() + (f"({','.join(map(str, t.args))})" if t.args else "")

    def default_sql(self, d: Default) -> str:
        return d.expr if d.kind == "literal" or d.expr.upper() in ("NULL", "CURRENT_TIMESTAMP",
                                                                     "CURRENT_DATE", "CURRENT_TIME") \
            else f"({d.expr})"

    def column_sql(self, c: Column, inline_pk: PrimaryKey | None = None) -> str:
        out = [self.quote(c.name)]
        if c.type.raw or c.type.name:
            out.append(self.type_sql(c.type))
        if inline_pk is not None:
            out += ([f"CONSTRAINT {self.quote(inline_pk.name)}"] if inline_pk.name else []) + \
                ["PRIMARY KEY AUTOINCREMENT"]
        if not c.nullable:
            out.append("NOT NULL")
        if c.default is not None:
            out.append("DEFAULT " + self.default_sql(c.default))
        if c.collation:
            out.append("COLLATE " + self.quote(c.collation))
        if c.generated is not None:
            out.append(f"GENERATED ALWAYS AS ({c.generated.expr}) " + ("STORED" if c.generated.stored
                                                                       else "VIRTUAL"))
        return " ".join(out)

    def _cols(self, names) -> str:
        return ", ".join(self.quote(n) for n in names)

    def _named(self, name: str | None) -> str:
        return f"CONSTRAINT {self.quote(name)} " if name else ""

    def fk_sql(self, fk: ForeignKey) -> str:
        out = (f"{self._named(fk.name)}FOREIGN KEY ({self._cols(fk.columns)}) REFERENCES "
               f"{self.quote(fk.ref_table)}" + (f" ({self._cols(fk.ref_columns)})" if fk.ref_columns else ""))
        if fk.on_delete != "NO ACTION":
            out += " ON DELETE " + fk.on_delete
        if fk.on_update != "NO ACTION":
            out += " ON UPDATE " + fk.on_update
        if fk.initially_deferred:
            out += " DEFERRABLE INITIALLY DEFERRED"
        return out

    def create_table_sql(self, t: Table, name: str | None = None) -> str:
        """``CREATE TABLE`` with columns, key, UNIQUE constraints, checks and FKs (no plain indexes)."""
        pk = t.primary_key
        auto = pk is not None and len(pk.columns) == 1 and any(
            c.name == pk.columns[0] and c.identity is not None and c.identity.kind == "autoincrement"
            for c in t.columns)
        items = [self.column_sql(c, pk if auto and c.name == pk.columns[0] else None) for c in t.columns]
        if pk is not None and not auto:
            items.append(f"{self._named(pk.name)}PRIMARY KEY ({self._cols(pk.columns)})")
        items += [f"{self._named(u.name)}UNIQUE ({self._parts(u)})" for u in t.indexes if u.is_constraint]
        items += [f"{self._named(c.name)}CHECK ({c.raw or c.expr})" for c in t.checks]
        items += [self.fk_sql(fk) for fk in t.foreign_keys]
        options = dict(t.options)
        suffix = ", ".join(x for x, on in (("WITHOUT ROWID", options.get("without_rowid") == "true"),
                                           ("STRICT", options.get("strict") == "true")) if on)
        body = ",\n    ".join(items)
        return (f"CREATE TABLE {self.qualified(name or t.name, t.schema)} (\n    {body}\n)"
                + (" " + suffix if suffix else ""))

    def _parts(self, ix: Index) -> str:
        out = []
        for p in ix.parts:
            text = self.quote(p.column) if p.column is not None else p.expr
            if p.collation:
                text += " COLLATE " + self.quote(p.collation)
            out.append(text + (" DESC" if p.descending else ""))
        return ", ".join(out)

    def index_sql(self, t: Table, ix: Index) -> str:
        name = ix.name or "ix_" + "_".join([t.name, *(p.column or "expr" for p in ix.parts)])
        sql = (f"CREATE {'UNIQUE ' if ix.unique else ''}INDEX {self.qualified(name, t.schema)} "
               f"ON {self.quote(t.name)} ({self._parts(ix)})")
        return sql + (f" WHERE {ix.predicate_sql}" if ix.predicate else "")

    def rebuild(self, before: Table, after: Table, triggers: tuple = ()) -> list[str]:
        """The table-rebuild recipe (sqlite.org/lang_altertable.html#otheralter): copy the columns
        both states have into a new table, swap it in, recreate the plain indexes, and the sync
        triggers of the rename windows open on it (``triggers``), whose old columns stay relaxed,
        and the user's triggers whose text introspection kept (``Table.triggers``) and that name
        no column the rebuild removes (the others are gone with the old table: a hazard says so)."""
        windows = [w for w in triggers if isinstance(w, O.CreateSyncTrigger)
                   and after.column(w.old.name) is not None and after.column(w.new.name) is not None]
        for w in windows:
            after = _relaxed(w, after)
        new_name = "_new_" + after.name
        have = {self.column_key(c.name): c for c in before.columns if c.generated is None}
        pairs = [(c.name, have[self.column_key(c.name)].name) for c in after.columns
                 if c.generated is None and self.column_key(c.name) in have]
        return [
            # legacy_alter_table: the rename must not re-check views that name the dropped table
            "PRAGMA foreign_keys=OFF", "PRAGMA legacy_alter_table=ON", "BEGIN",
            self.create_table_sql(after, new_name),
            f"INSERT INTO {self.qualified(new_name, after.schema)} ({self._cols(a for a, _ in pairs)}) "
            f"SELECT {self._cols(b for _, b in pairs)} FROM {self.table_name(before)}",
            f"DROP TABLE {self.table_name(before)}",
            f"ALTER TABLE {self.qualified(new_name, after.schema)} RENAME TO {self.quote(after.name)}",
            *(self.index_sql(after, ix) for ix in after.indexes if not ix.is_constraint),
            *(stmt for w in windows for stmt in self.sync_trigger_sql(w, after)),
            *(sql for _, sql in _kept_triggers(before, after)),
            "PRAGMA foreign_key_check", "COMMIT", "PRAGMA legacy_alter_table=OFF", "PRAGMA foreign_keys=ON",
        ]

    def _rebuilt(self, op: O.Op) -> list[str]:
        return self.rebuild(op.table, op.apply(op.table), op.triggers)

    # -- when a rebuild is needed ----------------------------------------------------------------
    def supports_drop_column(self) -> bool:
        try:
            return tuple(int(x) for x in (self.version or "3.35").split(".")[:2]) >= (3, 35)
        except ValueError:
            return True

    def needs_rebuild(self, op: O.Op) -> bool:
        """Whether SQLite's ALTER TABLE cannot do ``op`` in place."""
        kind = op.kind
        if kind in _REBUILT:
            return True
        if kind in ("create_index", "drop_index"):
            return op.index.is_constraint
        if kind == "add_column":
            return not _addable(op.column, op.table)
        if kind == "drop_column":
            return not (self.supports_drop_column() and _droppable(op.column, op.table, self.column_key))
        if kind == "create_sync_trigger":  # see _relaxed
            old = op.table.column(op.old.name)
            return old is not None and (not old.nullable or old.default is not None)
        return False

    # -- ops: tables -----------------------------------------------------------------------------
    def render_create_table(self, op: O.CreateTable) -> list[str]:
        return [self.create_table_sql(op.table)]

    def render_drop_table(self, op: O.DropTable) -> list[str]:
        return [f"DROP TABLE {self.table_name(op.table)}"]

    def render_copy_rows(self, op: O.CopyRows) -> list[str]:
        targets = self._cols([a for a, _ in op.columns] + [a for a, _ in op.values])
        sources = ", ".join([self.quote(b) for _, b in op.columns] + [value for _, value in op.values])
        return [f"INSERT INTO {self.table_name(op.table)} ({targets}) "
                f"SELECT {sources} FROM {self.table_name(op.source)}" + self._skip_synced(op)]

    def _skip_synced(self, op: O.CopyRows) -> str:
        """The copy's condition that skips the rows the sync triggers wrote already (INSERT OR
        IGNORE would skip rows that break another constraint too)."""
        if not op.key:
            return ""
        src = self.table_name(op.source)
        found = " AND ".join(f"sd_t.{self.quote(t)} = {src}.{self.quote(s)}" for t, s in op.key)
        return f" WHERE NOT EXISTS (SELECT 1 FROM {self.table_name(op.table)} AS sd_t WHERE {found})"

    def render_set_table_comment(self, op: O.SetTableComment) -> list[str]:
        raise PlanError("SQLite has no table comments")

    def render_set_table_options(self, op: O.SetTableOptions) -> list[str]:
        return self._rebuilt(op)

    # -- ops: columns ----------------------------------------------------------------------------
    def render_add_column(self, op: O.AddColumn) -> list[str]:
        if self.needs_rebuild(op):
            return self._rebuilt(op)
        return [f"ALTER TABLE {self.table_name(op.table)} ADD COLUMN {self.column_sql(op.column)}"]

    def render_drop_column(self, op: O.DropColumn) -> list[str]:
        if self.needs_rebuild(op):
            return self._rebuilt(op)
        return [f"ALTER TABLE {self.table_name(op.table)} DROP COLUMN {self.quote(op.column.name)}"]

    def render_alter_column(self, op: O.AlterColumn) -> list[str]:
        if set(op.what) == {"comment"}:
            raise PlanError("SQLite has no column comments")
        return self._rebuilt(op)

    def render_copy_column(self, op: O.CopyColumn) -> list[str]:
        """One UPDATE (SQLite has one writer at a time; ``batch_size`` would need a loop)."""
        src, dst = self.quote(op.source.name), self.quote(op.target.name)
        return [f"UPDATE {self.table_name(op.table)} SET {dst} = {src} WHERE {dst} IS NOT {src}"]

    def render_fill_column(self, op: O.FillColumn) -> list[str]:
        col = self.quote(op.column.name)
        return [f"UPDATE {self.table_name(op.table)} SET {col} = {op.expr} WHERE {col} IS NULL"]

    def _trigger_names(self, op) -> list[str]:
        base = f"sd_sync_{op.table.name}_{op.old.name}_{op.new.name}"
        return [self.qualified(base + s, op.table.schema) for s in ("_ins", "_upd_old", "_upd_new")]

    def _same_row(self, t: Table) -> str:
        if dict(t.options).get("without_rowid") == "true" and t.primary_key is not None:
            return " AND ".join(f"{self.quote(c)} = NEW.{self.quote(c)}" for c in t.primary_key.columns)
        return "rowid = NEW.rowid"

    def render_create_sync_trigger(self, op: O.CreateSyncTrigger) -> list[str]:
        """AFTER triggers that copy whichever of old/new a writer set into the other one."""
        out = self.rebuild(op.table, _relaxed(op), op.triggers) if self.needs_rebuild(op) else []
        return out + self.sync_trigger_sql(op, op.table)

    def sync_trigger_sql(self, op: O.CreateSyncTrigger, table: Table) -> list[str]:
        """The three triggers of a rename window on ``table``; a writer that leaves the old
        column out gets its default as it was when the window opened (``op.table``)."""
        t, old, new = self.quote(table.name), self.quote(op.old.name), self.quote(op.new.name)
        ins, upd_old, upd_new = self._trigger_names(op)
        row = self._same_row(table)
        current = op.table.column(op.old.name)
        fallback = f", {self.default_sql(current.default)}" if current and current.default else ""
        return [
            f"CREATE TRIGGER {ins} AFTER INSERT ON {t} FOR EACH ROW "
            f"WHEN NEW.{new} IS NULL OR NEW.{old} IS NULL BEGIN UPDATE {t} SET "
            f"{new} = coalesce(NEW.{new}, NEW.{old}{fallback}), "
            f"{old} = coalesce(NEW.{old}, NEW.{new}{fallback}) WHERE {row}; END",
            f"CREATE TRIGGER {upd_old} AFTER UPDATE OF {old} ON {t} FOR EACH ROW "
            f"WHEN NEW.{old} IS NOT OLD.{old} AND NEW.{new} IS OLD.{new} "
            f"BEGIN UPDATE {t} SET {new} = NEW.{old} WHERE {row}; END",
            f"CREATE TRIGGER {upd_new} AFTER UPDATE OF {new} ON {t} FOR EACH ROW "
            f"WHEN NEW.{new} IS NOT OLD.{new} AND NEW.{old} IS OLD.{old} "
            f"BEGIN UPDATE {t} SET {old} = NEW.{new} WHERE {row}; END",
        ]

    def render_drop_sync_trigger(self, op: O.DropSyncTrigger) -> list[str]:
        return [f"DROP TRIGGER IF EXISTS {name}" for name in self._trigger_names(op)]

    def table_sync_names(self, op) -> list[str]:
        """The INSERT, UPDATE and DELETE triggers of a renamed table's sync, old → new then back."""
        base = f"sd_tsync_{op.source.name}_{op.table.name}"
        return [self.qualified(base + s, op.source.schema)
                for s in ("_ins", "_upd", "_del", "_back_ins", "_back_upd", "_back_del")]

    def render_create_table_sync(self, op: O.CreateTableSync) -> list[str]:
        names = self.table_sync_names(op)
        out = self._mirror(names[:3], op.source, op.table, op.columns, op.key, back=False)
        if op.back:
            flip = lambda pairs: tuple((s, t) for t, s in pairs)  # noqa: E731
            out += self._mirror(names[3:], op.table, op.source, flip(op.columns), flip(op.key), back=True)
        return out

    def render_drop_table_sync(self, op: O.DropTableSync) -> list[str]:
        return [f"DROP TRIGGER IF EXISTS {name}" for name in self.table_sync_names(op)[:6 if op.back else 3]]

    def _mirror(self, names, src: Table, dst: Table, pairs, key, *, back: bool) -> list[str]:
        """AFTER triggers on ``src`` that repeat each write in ``dst`` (``pairs``: (dst column,
        src column)), the row found by ``key``. Each statement changes nothing when ``dst`` is
        already so: the other direction's trigger fires for the mirrored write (only a trigger
        already running is not fired again) and ends there. An insert also updates a row ``dst``
        has under its key: ``INSERT OR REPLACE`` (``REPLACE``) into ``src`` deletes the row it
        replaces without a DELETE trigger (unless recursive_triggers is on). New → old
        (``back``), OR IGNORE skips a row the old table cannot hold (its own CHECK, UNIQUE,
        NOT NULL) instead of failing new code's write (a conflict clause of the write itself
        overrides it), and so does a condition for its foreign keys (OR IGNORE does not cover
        them: with ``foreign_keys`` on the write would fail)."""
        q, s, d = self.quote, self.quote(src.name), self.quote(dst.name)
        ins, upd, dele = names
        lenient = " OR IGNORE" if back else ""
        parents = "".join(f" AND {c}" for c in self._parents(src, dst, pairs)) if back else ""
        found = lambda row: " AND ".join(f"{q(t)} = {row}.{q(c)}" for t, c in key)  # noqa: E731
        values = ", ".join(f"NEW.{q(c)}" for _, c in pairs)
        sets = ", ".join(f"{q(t)} = NEW.{q(c)}" for t, c in pairs)
        changed = " OR ".join(f"{q(t)} IS NOT NEW.{q(c)}" for t, c in pairs)
        return [
            f"CREATE TRIGGER {ins} AFTER INSERT ON {s} FOR EACH ROW BEGIN UPDATE{lenient} {d} "
            f"SET {sets} WHERE {found('NEW')} AND ({changed}){parents}; INSERT{lenient} INTO {d} "
            f"({self._cols(t for t, _ in pairs)}) SELECT {values} WHERE NOT EXISTS "
            f"(SELECT 1 FROM {d} WHERE {found('NEW')}){parents}; END",
            f"CREATE TRIGGER {upd} AFTER UPDATE ON {s} FOR EACH ROW BEGIN UPDATE{lenient} {d} SET {sets} "
            f"WHERE {found('OLD')} AND ({changed}){parents}; END",
            f"CREATE TRIGGER {dele} AFTER DELETE ON {s} FOR EACH ROW BEGIN DELETE FROM {d} "
            f"WHERE {found('OLD')}; END",
        ]

    def _parents(self, src: Table, dst: Table, pairs) -> list[str]:
        """For each foreign key of ``dst`` that ``src`` lacks, the condition that the row
        written from ``src``'s ``NEW`` (``pairs``: (dst column, src column)) keeps it: a NULL
        in its columns, or the parent row (the row itself, for a key to its own table)."""
        q, source = self.quote, {self.column_key(t): c for t, c in pairs}

        def value(column: str) -> str:
            if self.column_key(column) in source:
                return f"NEW.{q(source[self.column_key(column)])}"
            col = dst.column(column)
            return self.default_sql(col.default) if col is not None and col.default is not None else "NULL"

        out = []
        for fk in lacking_foreign_keys(self, dst, src, tuple((s, t) for t, s in pairs)):
            values = [value(c) for c in fk.columns]
            if "NULL" in values:
                continue
            either = [f"{v} IS NULL" for v in values]
            refs = fk.ref_columns
            if refs and None not in refs and len(refs) == len(values):
                parent = q(fk.ref_table)
                either.append(f"EXISTS (SELECT 1 FROM {parent} WHERE " + " AND ".join(
                    f"{parent}.{q(r)} = {v}" for r, v in zip(refs, values)) + ")")
                if self.table_key(fk.ref_table) == self.table_key(dst.name):
                    either.append(" AND ".join(f"{value(r)} = {v}" for r, v in zip(refs, values)))
            out.append(f"({' OR '.join(either)})")
        return out

    # -- ops: keys, indexes, constraints ---------------------------------------------------------
    render_add_primary_key = render_drop_primary_key = _rebuilt
    render_add_foreign_key = render_drop_foreign_key = _rebuilt
    render_add_check = render_drop_check = _rebuilt

    def render_create_index(self, op: O.CreateIndex) -> list[str]:
        if op.index.is_constraint:
            return self._rebuilt(op)
        return [self.index_sql(op.table, op.index)]

    def render_drop_index(self, op: O.DropIndex) -> list[str]:
        if op.index.is_constraint:
            return self._rebuilt(op)
        return [f"DROP INDEX {self.qualified(op.index.name, op.table.schema)}"]

    # -- plan facts ------------------------------------------------------------------------------
    def hazards(self, op: O.Op) -> list[Hazard]:
        name = op.table.qualified_name if op.table is not None else ""
        if self.needs_rebuild(op):
            out = [Hazard(HazardKind.TABLE_REWRITE, f"SQLite rebuilds {name}: a new table, every row "
                          "copied, the old one dropped (the plan's own sync triggers and the user's "
                          "triggers are created again)"),
                   Hazard(HazardKind.BLOCKING_LOCK, "the database write lock is held while the rows are "
                          "copied")]
            lost = self.lost_triggers(op)
            if lost:
                out.append(Hazard(HazardKind.BACKWARD_INCOMPATIBLE, f"the rebuild drops the triggers of "
                                  f"{name} ({', '.join(lost)}) and cannot create them again (their "
                                  "text is unknown, or they use a column this step removes): recreate "
                                  "them after this step"))
            return out
        if op.kind == "drop_column":
            return [Hazard(HazardKind.TABLE_REWRITE, f"DROP COLUMN rewrites every row of {name}")]
        if op.kind == "create_index":
            return [Hazard(HazardKind.INDEX_BUILD, "SQLite builds the index while it holds the database "
                           "write lock (no concurrent build)")]
        return []

    def lost_triggers(self, op: O.Op) -> list[str]:
        """The user's triggers (names) a rebuild for ``op`` drops and does not create again."""
        kept = {self.name_key(n) for n, _ in _kept_triggers(op.table, op.apply(op.table))}
        return [t for t in op.triggers if isinstance(t, str) and self.name_key(t) not in kept]

    def transactional(self, op: O.Op) -> bool:
        """A rebuild runs its own BEGIN/COMMIT: ``PRAGMA foreign_keys`` is ignored in a transaction."""
        return not self.needs_rebuild(op)

    def render_rollback(self, op: O.Op) -> list[str] | None:
        if op.kind in ("copy_column", "fill_column", "copy_rows"):
            return []
        if op.kind == "create_sync_trigger":
            out = [f"DROP TRIGGER IF EXISTS {n}" for n in self._trigger_names(op)]
            return out + (self.rebuild(_relaxed(op), op.table, op.triggers) if self.needs_rebuild(op)
                          else [])
        inverse = _inverse(op)
        return None if inverse is None else self.render(replace(inverse, triggers=op.triggers))


@functools.lru_cache(maxsize=4096)
def _parse_type(raw: str) -> ColumnType:
    words: list[str] = []
    args: tuple[int, ...] = ()
    toks = P.tokenize(raw)
    i = 0
    while i < len(toks):
        t = toks[i]
        if t.kind == "op" and t.value == "(":
            j = P.close(toks, i)
            try:
                args = tuple(int("".join(x.text for x in part)) for part in P.split_top(toks[i + 1:j]))
            except ValueError:
                return ColumnType(name=P.ascii_lower(P.canonical_expr(raw)), raw=raw)
            i = j + 1
            continue
        if t.kind not in ("word", "ident"):
            return ColumnType(name=P.ascii_lower(P.canonical_expr(raw)), raw=raw)
        words.append(P.ascii_lower(t.value))
        i += 1
    return ColumnType(name=" ".join(words), args=args, raw=raw)


@functools.lru_cache(maxsize=4096)
def _normalize_default(raw: str, column_type: ColumnType) -> Default | None:
    toks = P.tokenize(raw)
    if len(toks) == 1 and (toks[0].kind == "ident" or (toks[0].kind == "word" and toks[0].upper
                                                         not in P.KEYWORDS)):
        raw = "'" + toks[0].value.replace("'", "''") + "'"  # SQLite stores a lone name as that string
    text = P.canonical_expr(raw)
    if not text or text == "NULL":
        return None
    text = _SAME_VALUE.get(text, text)
    if _is_literal(text):
        return Default(expr=_stored_literal(text, affinity(column_type)), kind="literal", raw=raw)
    return Default(expr=text, kind="expression", raw=raw)


#: tables per in-memory database when models are loaded (see ``load_models``)
MODEL_GROUP = 100


def _model_groups(metadata: sa.MetaData) -> list[list[sa.Table] | None]:
    """The tables of ``metadata`` in creation order, in groups of ``MODEL_GROUP``; ``[None]``
    (all at once) when a DDL event listener could need the other tables."""
    tables = metadata.sorted_tables
    if len(tables) <= MODEL_GROUP or _listens(metadata) or any(
            _listens(t) or getattr(t, "_creator_ddl", None) is not None or any(_listens(i) for i in t.indexes)
            for t in tables):
        return [None]
    return [tables[k:k + MODEL_GROUP] for k in range(0, len(tables), MODEL_GROUP)]


def _create(metadata: sa.MetaData, conn: sa.Connection, group: list[sa.Table] | None) -> None:
    """``metadata.create_all``, or for a group of tables (no DDL listeners, see ``_model_groups``)
    the statements it runs on SQLite, compiled the same way and run on the DBAPI cursor: SQLite has
    no sequences, no separate comments and no ALTER, so a table is its CREATE TABLE (every foreign
    key inline) and one CREATE INDEX per index."""
    if group is None:
        metadata.create_all(conn)
        return
    cursor = conn.connection.dbapi_connection.cursor()
    try:
        for table in group:
            cursor.execute(str(CreateTable(table).compile(dialect=conn.dialect)))
            for index in table.indexes:
                cursor.execute(str(CreateIndex(index).compile(dialect=conn.dialect)))
    finally:
        cursor.close()


def _listens(target) -> bool:
    """Whether a DDL event listener is set on ``target``, other than SQLAlchemy's own SchemaType
    hooks (``Enum``, ``Boolean``: they create named types, which SQLite does not have)."""
    for fn in (*target.dispatch.before_create, *target.dispatch.after_create):
        owner = getattr(getattr(fn, "func", fn), "__self__", None)
        if not (isinstance(owner, sa.types.SchemaType) and type(owner).__module__.startswith("sqlalchemy.")):
            return True
    return False


class _Reader:
    """Reads one database (``main`` or an attached one) in four queries (per connection, when
    its tables are spread over several).

    Most of the time of a large schema is spent here in Python, per row: rows are unpacked by
    position, and a column definition or index part met again (``id INTEGER NOT NULL`` in every
    table) is the same immutable object, made once (``made_*``)."""

    def __init__(self, dialect: SQLiteDialect, conns: list[sa.Connection], schema: str):
        self.d, self.conns, self.schema = dialect, conns, schema
        self.ir_schema = None if schema == "main" else schema
        self.made_columns: dict[tuple, Column] = {}
        self.made_parts: dict[tuple, IndexPart] = {}

    def rows(self, name: str) -> list[tuple]:
        """The rows of one of the ``sql/sqlite`` queries, as the driver's tuples: cheaper to make
        and to unpack than SQLAlchemy's rows (25,000 of them at 1,000 tables). An error is raised
        as SQLAlchemy raises it."""
        sql = _query(name).replace("{schema}", self.d.quote(self.schema))
        params = {"schema": self.schema}
        out: list[tuple] = []
        for conn in self.conns:
            try:
                out += conn.connection.driver_connection.execute(sql, params).fetchall()
            except sqlite3.Error as e:
                raise sa.exc.DBAPIError.instance(sql, params, e, sqlite3.Error) from e
        return out

    def qualified(self, name: str) -> str:
        return f"{self.ir_schema}.{name}" if self.ir_schema else name

    def read(self) -> tuple[list[Table], list[str]]:
        table_sql: dict[str, str] = {}
        index_sql: dict[str, str | None] = {}
        skipped: list[str] = []
        # each table's triggers as (name, CREATE TRIGGER text), by ASCII-lower table name, for a
        # rebuild to create them again (``main`` only: the text names no database)
        triggers: dict[str, tuple[tuple[str, str], ...]] = {}
        for kind, name, table, sql in self.rows("objects"):
            if kind == "table":
                table_sql[name] = sql or ""
            elif kind == "index":
                index_sql[name] = sql
            elif kind == "view":
                skipped.append(f"view {self.qualified(name)}")
            elif kind == "trigger":
                skipped.append(f"trigger {name} on {self.qualified(table)}")
                if sql and self.ir_schema is None:
                    key = P.ascii_lower(table)
                    triggers[key] = triggers.get(key, ()) + ((name, sql),)
        # (the first 14 characters decide: no character upper-cases to nothing)
        virtual = {n for n, s in table_sql.items() if s[:14].upper().startswith("CREATE VIRTUAL")}
        shadow = {n for n in table_sql if n not in virtual and any(n.startswith(v + "_") for v in virtual)}
        skipped += [f"virtual table {self.qualified(n)}" for n in virtual]
        skipped += [f"shadow table {self.qualified(n)}" for n in shadow]
        keep = {n: P.parse_create_table(s) for n, s in table_sql.items()
                if n not in virtual and n not in shadow and not n.startswith("sqlite_")}
        tables = self.columns(keep)
        self.indexes(tables, keep, index_sql)
        self.foreign_keys(tables, keep)
        return [self.finish(tables[n], keep[n], triggers.get(P.ascii_lower(n), ()) if triggers else ())
                for n in sorted(tables)], skipped

    def columns(self, texts: dict[str, P.TableText]) -> dict[str, dict]:
        tables: dict[str, dict] = {}
        made = self.made_columns
        current, t, facts = None, None, {}
        for table, _cid, name, declared, notnull, dflt, pk, hidden in self.rows("columns"):
            if table != current:  # (the rows come table by table)
                current, text = table, texts.get(table)
                t = None if text is None else tables.setdefault(table, {
                    "name": table, "columns": [], "pk": [], "indexes": [], "fks": []})
                facts = text.columns if text is not None else {}
            if t is None:
                continue
            fact = facts.get(P.ascii_lower(name)) if facts else None
            if fact is None:
                key = (name, declared, notnull, dflt)
                col = made.get(key)
                if col is None:
                    col = made[key] = self.column(name, declared, notnull, dflt, hidden, None)
            else:
                col = self.column(name, declared, notnull, dflt, hidden, fact)
            t["columns"].append(col)
            if pk:
                t["pk"].append((pk, name))
        return tables

    def column(self, name: str, declared: str | None, notnull: int, dflt: str | None, hidden: int,
               text: P.ColumnText | None) -> Column:
        """One column from its pragma row and the facts its definition's text holds."""
        ctype = self.d.parse_type(declared or "")
        generated = None
        if hidden in (2, 3) and text is not None and text.generated:
            generated = Generated(P.canonical_expr(text.generated[0]), hidden == 3)
        return Column(
            name=name, type=ctype, nullable=not notnull,
            default=self.d.normalize_default(dflt, ctype) if generated is None else None,
            identity=Identity("autoincrement") if text is not None and text.autoincrement else None,
            generated=generated, collation=_collation(text.collation if text else None))

    def indexes(self, tables: dict[str, dict], texts: dict[str, P.TableText], index_sql: dict) -> None:
        grouped: dict[tuple[str, str], list] = {}
        for r in self.rows("indexes"):  # table_name, index_name, unique, origin, partial, seqno, …
            if r[3] != "pk" and r[0] in tables:
                rows = grouped.get((r[0], r[1]))
                if rows is None:
                    grouped[r[0], r[1]] = [r]
                else:
                    rows.append(r)
        for (table, name), rows in sorted(grouped.items()):
            t = tables[table]
            _, _, unique, origin, partial = rows[0][:5]
            if origin == "u":
                parts = tuple([self.part(r, t, None) for r in rows])
                t["indexes"].append(Index(
                    name=_take_unique(texts[table].uniques, [p.column for p in parts]), parts=parts,
                    unique=True, is_constraint=True))
                continue
            # the text holds only expressions and the predicate: not read for an index of columns
            if partial or -2 in [r[6] for r in rows]:
                texts_parts, where = P.parse_create_index(index_sql.get(name) or "")
                parts = tuple([self.part(r, t, texts_parts[r[5]] if r[5] < len(texts_parts) else None)
                               for r in rows])
            else:
                parts, where = tuple([self.part(r, t, None) for r in rows]), None
            t["indexes"].append(Index(
                name=name, parts=parts, unique=bool(unique),
                predicate=P.canonical_expr(where) if partial and where else None,
                predicate_raw=where if partial and where else ""))

    def part(self, r, t: dict, text: tuple[str, str | None] | None) -> IndexPart:
        _, _, _, _, _, _, cid, column_name, desc, coll = r
        if cid == -2 and text is not None:
            return IndexPart(expr=P.canonical_expr(text[0]), descending=bool(desc),
                             collation=_collation(text[1]))
        cols = t["columns"]
        # the pragma names a column as the table spells it, and cid is its position
        col = cols[cid] if 0 <= cid < len(cols) and cols[cid].name == column_name else \
            _keyed(t).get(P.ascii_lower(column_name or ""))
        own = col.collation if col is not None else None
        key = (col.name if col is not None else column_name, desc, coll, own)
        part = self.made_parts.get(key)
        if part is None:
            coll = _collation(coll)
            part = self.made_parts[key] = IndexPart(column=key[0], descending=bool(desc),
                                                    collation=coll if coll != own else None)
        return part

    def foreign_keys(self, tables: dict[str, dict], texts: dict[str, P.TableText]) -> None:
        grouped: dict[tuple[str, int], list] = {}
        for r in self.rows("foreign_keys"):  # table_name, id, seq, ref_table, from, to, on_update, on_delete
            if r[0] in tables:
                grouped.setdefault((r[0], r[1]), []).append(r)
        by_key: dict[str, str] = {}
        for (table, _), rows in sorted(grouped.items(), key=lambda kv: (kv[0][0], -kv[0][1])):
            _, _, _, ref_table, _, _, on_update, on_delete = rows[0]
            if ref_table in tables:  # (spelled as the table is: no need to fold it)
                ref = ref_table
            else:
                by_key = by_key or {P.ascii_lower(n): n for n in tables}
                ref = by_key.get(P.ascii_lower(ref_table))
            to = [r[5] for r in rows]
            ref_cols = _actual(tables[ref], to) if ref else tuple(to)
            if ref and None in to:
                ref_cols = tuple(n for _, n in sorted(tables[ref]["pk"]))
            columns = _actual(tables[table], [r[4] for r in rows])
            name, deferred = _take_fk(texts[table].foreign_keys, columns, ref_table)
            tables[table]["fks"].append(ForeignKey(
                name=name, columns=columns, ref_table=ref or ref_table, ref_columns=ref_cols,
                ref_schema=self.ir_schema, on_delete=on_delete.upper(), on_update=on_update.upper(),
                deferrable=deferred, initially_deferred=deferred))

    def finish(self, t: dict, text: P.TableText, triggers: tuple) -> Table:
        """The table, its objects in ``normalize``'s order (``_sorted_table`` would not change it)."""
        pk = t["pk"]
        pk_cols = (pk[0][1],) if len(pk) == 1 else tuple(n for _, n in sorted(pk))
        columns = t["columns"]
        if len(pk_cols) == 1 and not text.without_rowid:
            key_type = next(c for c in columns if c.name == pk_cols[0]).type
            rowid_alias = key_type.name == "integer" and not key_type.args
        else:
            rowid_alias = False
        if rowid_alias or text.without_rowid:
            columns = [replace(c, nullable=False) if c.nullable and c.name in pk_cols else c for c in columns]
        pk_name = text.pk_name or (next((c.pk_name for c in text.columns.values() if c.is_pk), None)
                                   if text.columns else None)
        options = tuple(sorted((k, "true") for k, on in (("strict", text.strict),
                                                          ("without_rowid", text.without_rowid)) if on)) \
            if text.strict or text.without_rowid else ()
        return Table(
            name=t["name"], schema=self.ir_schema, columns=tuple(columns),
            primary_key=PrimaryKey(pk_cols, pk_name) if pk_cols else None,
            indexes=_index_order(t["indexes"]), foreign_keys=_fk_order(t["fks"]),
            checks=_check_order([Check(n, P.canonical_expr(body), raw=body) for n, body in text.checks]),
            options=options, triggers=triggers)


def _keyed(t: dict) -> dict[str, Column]:
    """The columns of a table being read, by ASCII-lower name (built once, when the columns are
    all read)."""
    keyed = t.get("keyed")
    if keyed is None:
        keyed = t["keyed"] = {P.ascii_lower(c.name): c for c in t["columns"]}
    return keyed


def _actual(t: dict, names: list[str | None]) -> tuple:
    """Column names as the table ``t`` being read spells them (SQLite matches them without ASCII
    case); a name spelled as the table does needs no lookup by key."""
    spelled = t.get("spelled")
    if spelled is None:
        spelled = t["spelled"] = {c.name for c in t["columns"]}
    out = []
    for n in names:
        if n in spelled:
            out.append(n)
            continue
        c = _keyed(t).get(P.ascii_lower(n)) if n is not None else None
        out.append(c.name if c is not None else n)
    return tuple(out)


def _take_unique(uniques: list, columns: list[str]) -> str | None:
    """The declared name of the UNIQUE constraint on ``columns`` (consumed), if any."""
    exact, key = tuple(columns), None
    for i, (name, cols) in enumerate(uniques):
        if cols != exact:  # (the same spelling is the same key: no need to fold it)
            key = key or [P.ascii_lower(c) for c in columns]
            if [P.ascii_lower(c) for c in cols] != key:
                continue
        del uniques[i]
        return name
    return None


def _take_fk(fks: list[P.FKText], columns: tuple, ref_table: str) -> tuple[str | None, bool]:
    key = None
    for i, fk in enumerate(fks):
        if fk.columns != columns or fk.ref_table != ref_table:  # (else: the same key, unfolded)
            key = key or ([P.ascii_lower(c) for c in columns], P.ascii_lower(ref_table))
            if ([P.ascii_lower(c) for c in fk.columns], P.ascii_lower(fk.ref_table)) != key:
                continue
        del fks[i]
        return fk.name, fk.deferred
    return None, False


def _index_order(indexes) -> tuple[Index, ...]:
    """Indexes in canonical order: constraints last, by name, then by parts. The parts' repr is
    costly and only breaks a tie of the first two (two unnamed unique constraints): it is taken
    only when there is one."""
    if len(indexes) < 2:
        return tuple(indexes)
    out = sorted(indexes, key=lambda i: (i.is_constraint, i.name or ""))
    if any((a.is_constraint, a.name or "") == (b.is_constraint, b.name or "") for a, b in zip(out, out[1:])):
        out = sorted(indexes, key=lambda i: (i.is_constraint, i.name or "", repr(i.parts)))
    return tuple(out)


def _fk_order(fks) -> tuple[ForeignKey, ...]:
    return tuple(sorted(fks, key=lambda f: (f.name or "", f.columns, f.ref_table)) if len(fks) > 1 else fks)


def _check_order(checks) -> tuple[Check, ...]:
    return tuple(sorted(checks, key=lambda c: (c.name or "", c.expr)) if len(checks) > 1 else checks)


def _sorted_table(t: Table) -> Table:
    return replace(t, indexes=_index_order(t.indexes), foreign_keys=_fk_order(t.foreign_keys),
                   checks=_check_order(t.checks))


def _mentions(expr: str | None, column: str) -> bool:
    key = P.ascii_lower(column)
    return bool(expr) and any(t.kind in ("word", "ident") and P.ascii_lower(t.value) == key
                              for t in P.tokenize(expr))


def _addable(c: Column, t: Table) -> bool:
    """ALTER TABLE ADD COLUMN limits: no key, constant default, NOT NULL needs one, no STORED."""
    if c.identity is not None or (t.primary_key and c.name in t.primary_key.columns):
        return False
    if c.default is not None and c.default.kind != "literal":
        return False
    if not c.nullable and c.default is None and c.generated is None:
        return False
    return not (c.generated is not None and c.generated.stored)


def _droppable(c: Column, t: Table, key) -> bool:
    """ALTER TABLE DROP COLUMN limits: not in the key, an index, a FK, a check or a generated column."""
    name = key(c.name)
    if t.primary_key and name in map(key, t.primary_key.columns):
        return False
    if any(name in map(key, [p.column or "" for p in ix.parts]) or _mentions(ix.predicate, c.name)
           or any(_mentions(p.expr, c.name) for p in ix.parts) for ix in t.indexes):
        return False
    if any(name in map(key, fk.columns) for fk in t.foreign_keys):
        return False
    return not (any(_mentions(ch.expr, c.name) for ch in t.checks)
                or any(o.generated and _mentions(o.generated.expr, c.name) for o in t.columns))


def _kept_triggers(before: Table, after: Table) -> list[tuple[str, str]]:
    """The user's triggers of ``before`` (name, SQL) that a rebuild into ``after`` creates again:
    those that name no column ``after`` lacks (SQLite would refuse every later ALTER TABLE)."""
    have = {P.ascii_lower(c.name) for c in after.columns}
    gone = [c.name for c in before.columns if P.ascii_lower(c.name) not in have]
    return [(name, sql) for name, sql in before.triggers
            if not any(_trigger_uses(sql, before.name, col) for col in gone)]


def _trigger_uses(sql: str, table: str, column: str) -> bool:
    """Whether a trigger's text uses ``table.column`` (``sqlite_parse.trigger_refs``); a text it
    cannot read counts as using any column it names as a word."""
    refs = P.trigger_refs(sql)
    if refs is not None:
        return refs.uses(table, column)
    return re.search(rf"(?<![\w$]){re.escape(column)}(?![\w$])", sql, re.IGNORECASE) is not None


def _relaxed(op: O.CreateSyncTrigger, table: Table | None = None) -> Table:
    """``table`` (default: the op's) with the old column of a rename window nullable and without
    its default (the insert trigger applies it), so that a writer that leaves it out is told from
    one that sets it."""
    table = table or op.table
    old = table.column(op.old.name)
    return replace(table, columns=tuple(replace(c, nullable=True, default=None) if c is old else c
                                        for c in table.columns))


def _inverse(op: O.Op) -> O.Op | None:
    """The op that undoes ``op`` (None where it would lose data)."""
    after = op.apply(op.table)
    simple = {
        "create_table": lambda: O.DropTable(table=op.table),
        "add_column": lambda: O.DropColumn(table=after, column=op.column),
        "alter_column": lambda: O.AlterColumn(table=after, before=op.after, after=op.before, what=op.what),
        "create_index": lambda: O.DropIndex(table=after, index=op.index),
        "drop_index": lambda: O.CreateIndex(table=after, index=op.index),
        "add_foreign_key": lambda: O.DropForeignKey(table=after, foreign_key=op.foreign_key),
        "drop_foreign_key": lambda: O.AddForeignKey(table=after, foreign_key=op.foreign_key),
        "add_check": lambda: O.DropCheck(table=after, check=op.check),
        "drop_check": lambda: O.AddCheck(table=after, check=op.check),
        "add_primary_key": lambda: O.DropPrimaryKey(table=after, primary_key=op.primary_key),
        "drop_primary_key": lambda: O.AddPrimaryKey(table=after, primary_key=op.primary_key),
        "set_table_options": lambda: O.SetTableOptions(table=after, options=op.table.options),
        "drop_sync_trigger": lambda: O.CreateSyncTrigger(table=op.table, old=op.old, new=op.new),
        "create_table_sync": lambda: O.DropTableSync(table=op.table, source=op.source, columns=op.columns,
                                                     key=op.key, back=op.back),
        "drop_table_sync": lambda: O.CreateTableSync(table=op.table, source=op.source, columns=op.columns,
                                                     key=op.key, back=op.back),
    }
    make = simple.get(op.kind)
    return make() if make else None


DIALECT = SQLiteDialect
