"""PostgreSQL: catalog introspection, normalization, and rendering of plan ops.

Introspection runs one catalog query per object kind for the whole database (``sql/postgresql``),
reading the server's own canonical strings (``format_type``, ``pg_get_expr`` in pretty mode).
Models compile with SQLAlchemy's PostgreSQL dialect and pass through the same normalization, so
that a database created from the models compares as in sync with them.

Rendering follows the online-migration habits of PostgreSQL: indexes are built CONCURRENTLY,
foreign keys and checks are added NOT VALID and validated afterwards, SET NOT NULL goes through a
validated CHECK, a unique constraint is attached to an index built concurrently, and every step
that takes a table lock starts with ``SET lock_timeout``.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import replace
from decimal import Decimal, InvalidOperation
from importlib import resources
from typing import ClassVar

import sqlalchemy as sa

from ..errors import PlanError
from ..ir import (
    Check,
    Column,
    ColumnType,
    Default,
    Dependent,
    EnumType,
    Exclusion,
    ExclusionElement,
    ForeignKey,
    Generated,
    Identity,
    Index,
    IndexPart,
    PrimaryKey,
    Schema,
    Table,
)
from ..models import ModelReader, index_ordering
from ..planner.model import Hazard, HazardKind
from . import postgresql_names as pg_names
from .base import Dialect, collector_paused
from .postgresql_expr import normalize_sql

MAX_IDENT = 63  # NAMEDATALEN - 1, in bytes
LOCK_TIMEOUT = "SET lock_timeout = '5s'"

#: pg_index.indoption bits of an index column (src/include/catalog/pg_index.h)
INDOPTION_DESC, INDOPTION_NULLS_FIRST = 0x1, 0x2
FK_ACTIONS = {"a": "NO ACTION", "r": "RESTRICT", "c": "CASCADE", "n": "SET NULL", "d": "SET DEFAULT"}

# -- types ---------------------------------------------------------------------------------------
TYPE_ALIASES = {
    "int": "integer", "int4": "integer", "serial": "integer", "serial4": "integer",
    "int8": "bigint", "bigserial": "bigint", "serial8": "bigint",
    "int2": "smallint", "smallserial": "smallint", "serial2": "smallint",
    "character varying": "varchar", "character": "char", "bpchar": "char",
    "decimal": "numeric", "float4": "real", "float8": "double", "double precision": "double",
    "bool": "boolean", "timestamp without time zone": "timestamp",
    "timestamp with time zone": "timestamptz", "time without time zone": "time",
    "time with time zone": "timetz", "bit varying": "varbit",
}
#: canonical name → DDL spelling, where they differ
TYPE_DDL = {"double": "double precision", "timestamptz": "timestamp with time zone",
            "timetz": "time with time zone", "varbit": "bit varying", '"char"': '"char"'}
DEFAULT_PRECISION_6 = {"timestamp", "timestamptz", "time", "timetz", "interval"}
INTEGERS = {"smallint", "integer", "bigint"}
NUMBERS = INTEGERS | {"numeric", "real", "double"}
TEXTS = {"varchar", "text", "char"}
SERIAL = {"integer": "serial", "bigint": "bigserial", "smallint": "smallserial"}

_TYPE_TAIL = r"\s*(?:\((?P<args>[^)]*)\))?(?P<tz>\s+with(?:out)? time zone)?$"
_TYPE_RE = re.compile(r"(?P<name>[a-z_][\w$ ]*?)" + _TYPE_TAIL)
#: a user type name: quoted or bare parts, dotted (``other."Mood"``)
_NAME_PART = r'(?:"(?:[^"]|"")+"|[^\W\d][\w$]*)'
_NAMED_TYPE_RE = re.compile(rf"(?P<name>{_NAME_PART}(?:\.{_NAME_PART})*)" + _TYPE_TAIL)


def _unquote(name: str) -> str:
    """``other."Mo""od"`` → ``other.Mo"od``: quoted parts kept as written, bare parts folded."""
    parts = re.findall(r'"((?:[^"]|"")*)"|([^."]+)', name)
    return ".".join(q.replace('""', '"') if q else p.lower() for q, p in parts)


_NOW = {"now()", "current_timestamp", "transaction_timestamp()"}
_TRUE = {"'t'", "'true'", "'y'", "'yes'", "'on'", "'1'", "true"}
_FALSE = {"'f'", "'false'", "'n'", "'no'", "'off'", "'0'", "false"}

def _ident_limit(name: str, limit: int = MAX_IDENT) -> str:
    """``name`` cut to the server's identifier limit in bytes, with a hash suffix when cut."""
    data = name.encode()
    if len(data) <= limit:
        return name
    digest = hashlib.sha1(data).hexdigest()[:8]
    head = data[:limit - 9].decode(errors="ignore")
    return f"{head}_{digest}"


# -- models --------------------------------------------------------------------------------------
class PgModelReader(ModelReader):
    """Reads PostgreSQL-specific model options: index method, INCLUDE, operator classes, NULLS NOT
    DISTINCT, partitioning and storage parameters; and where SQLAlchemy emits SERIAL."""

    def expr(self, clause) -> str:
        # as SQLAlchemy's DDL compiler does for CHECK bodies and index expressions
        return str(self.ddl.sql_compiler.process(clause, include_table=False, literal_binds=True))

    def identity(self, c: sa.Column) -> Identity | None:
        if c.identity is not None:
            i = c.identity
            return replace(super().identity(c), minvalue=i.minvalue, maxvalue=i.maxvalue,
                           cycle=bool(i.cycle), cache=i.cache)
        serial = (c.primary_key and c is c.table._autoincrement_column
                  and (c.default is None or isinstance(c.default, sa.Sequence) and c.default.optional))
        return Identity("autoincrement") if serial else None

    def column(self, c: sa.Column) -> Column:
        col = super().column(c)
        if col.generated is not None and c.computed.persisted is None:
            # before PostgreSQL 18 every generated column is STORED, whatever the model says
            col = replace(col, generated=replace(col.generated, stored=True))
        if _spells_serial(c.table.name, c.table.schema, col):
            # reflected or generated models (sqlacodegen) spell a serial column as its default
            col = replace(col, default=None, identity=Identity("autoincrement"))
        return col

    def index(self, i: sa.Index) -> Index:
        opts = i.dialect_options["postgresql"]
        ops = opts.get("ops") or {}
        parts = []
        for e in i.expressions:
            part = self.index_part(e, opts)
            key = getattr(e, "key", None) or getattr(index_ordering(e)[0], "key", None)
            if key in ops:
                part = replace(part, opclass=ops[key])
            parts.append(part)
        return Index(name=_model_name(i), parts=tuple(parts), unique=bool(i.unique),
                     predicate=self.predicate(opts), predicate_raw=self.predicate_text(opts) or "",
                     method=self.index_method(opts), include=self.index_include(opts),
                     nulls_not_distinct=bool(opts.get("nulls_not_distinct")))

    def table(self, t: sa.Table) -> Table:
        from sqlalchemy.dialects.postgresql import ExcludeConstraint

        return replace(super().table(t), exclusions=tuple(
            self.exclusion(x) for x in t.constraints if isinstance(x, ExcludeConstraint)))

    def exclusion(self, x) -> Exclusion:
        """An ``ExcludeConstraint``: its elements as index parts, each WITH its operator."""
        elements = []
        for expr, _, operator in x._render_exprs:
            part = self.index_part(expr, {})
            elements.append(ExclusionElement(
                column=part.column, expr=part.expr, operator=operator,
                opclass=x.ops.get(getattr(expr, "key", None)), descending=part.descending, nulls=part.nulls))
        where = self.dialect.normalize_expr(self.expr(x.where)) if x.where is not None else None
        return Exclusion(name=_model_name(x), elements=tuple(elements), method=(x.using or "gist").lower(),
                         predicate=where, deferrable=bool(x.deferrable),
                         initially_deferred=str(x.initially or "").upper() == "DEFERRED")

    def unique(self, u: sa.UniqueConstraint) -> Index:
        opts = u.dialect_options["postgresql"]
        return replace(super().unique(u), include=self.index_include(opts),
                       nulls_not_distinct=bool(opts.get("nulls_not_distinct")))

    def index_method(self, opts) -> str | None:
        using = (opts.get("using") or "").lower() if opts else ""
        return None if using in ("", "btree") else using

    def index_include(self, opts) -> tuple[str, ...]:
        cols = (opts.get("include") or ()) if opts else ()
        return tuple(c if isinstance(c, str) else c.name for c in cols)

    def table_options(self, t: sa.Table) -> tuple[tuple[str, str], ...]:
        opts = t.dialect_options["postgresql"]
        out = []
        if opts.get("partition_by"):
            out.append(("partition_by", str(opts["partition_by"])))
        for key, value in (opts.get("with") or {}).items():
            out.append((str(key).lower(), str(value).lower()))
        if any(str(p).upper() == "UNLOGGED" for p in t._prefixes):
            out.append(("unlogged", "true"))
        return tuple(out)


def _model_name(obj) -> str | None:
    from ..models import _name
    return _name(obj)


# -- the dialect ---------------------------------------------------------------------------------
class PostgresDialect(Dialect):
    """PostgreSQL 12 and later (tested on 15)."""

    name: ClassVar[str] = "postgresql"
    sqlalchemy_name: ClassVar[str] = "postgresql"
    TRANSACTIONAL_DDL = True
    CONCURRENT_INDEX = True
    NOT_VALID_CONSTRAINTS = True
    NAMED_ENUMS = True
    PARTIAL_INDEX = True
    MULTI_SCHEMA = True
    BEFORE_TRIGGER_SETS_NEW = True
    TABLE_SYNC = TABLE_SYNC_BACK = True  # no recursion: a transaction-local setting guards them
    ALTER_COLUMN_TYPE = True
    ALTER_NULLABILITY = True
    DROP_COLUMN = True
    #: indexes, and the indexes of unique and primary key constraints, are relations of the schema
    SCHEMA_WIDE_NAMES = {"index": "relation", "unique": "relation", "primary_key": "relation",
                         "exclusion": "relation"}
    EXCLUSION_CONSTRAINTS = True
    RENAMABLE = frozenset({"index", "unique", "primary_key", "foreign_key", "check", "exclusion"})
    #: the schema unqualified names live in (``current_schema()`` on a live server)
    default_schema_name = "public"

    # -- introspection ---------------------------------------------------------------------------
    def default_schema(self, conn) -> str | None:
        return conn.exec_driver_sql("SELECT current_schema()").scalar()

    def introspect(self, conn, schemas: list[str] | None = None) -> Schema:
        """The whole database (every user schema, or ``schemas``): one query per object kind."""
        with collector_paused():  # (as the other readers: many objects, no cycle among them)
            return self._introspect(conn, schemas)

    def _introspect(self, conn, schemas: list[str] | None) -> Schema:
        # the catalog queries' cost estimates pass the JIT thresholds on large schemas: compiling
        # them took 1.1 s of the dependents query's 1.2 s at 5,000 tables (0.09 s without)
        conn.exec_driver_sql("SET LOCAL jit = off")
        meta = conn.exec_driver_sql(
            "SELECT current_schema(), current_setting('server_version'), "
            "current_setting('server_version_num')::int").one()
        default, version, version_num = meta
        self.default_schema_name = default or "public"
        params = {"schemas": list(schemas) if schemas else None}
        rows = {kind: conn.execute(sa.text(self._query(kind, version_num)), params).mappings().all()
                for kind in ("tables", "columns", "constraints", "indexes")}
        enums = conn.execute(sa.text(_sql("enums")), params).mappings().all()
        others = conn.execute(sa.text(_sql("not_compared")), params).mappings().all()
        dependents = conn.execute(sa.text(f"WITH rel AS ({_sql('relations')}),\n{_sql('dependents')}"),
                                  params).mappings().all()
        tables, mentions = self._with_triggers(
            self._assemble(rows), conn.execute(sa.text(_sql("triggers")), params).mappings().all())
        schema = Schema(
            dialect=self.flavour, tables=tables,
            enums=tuple(EnumType(r["name"], tuple(r["labels"]), self._schema(r["schema"])) for r in enums),
            default_schema=self.default_schema_name, server_version=version,
            not_compared=tuple(self._not_compared(r) for r in others),
            dependents=tuple(Dependent(r["kind"], r["name"], self._needed(r["object"]) if r["kind"] == "needs"
                                       else r["object"], self._schema(r["schema"]),
                                       r["column_name"] or None, r["on_self"]) for r in dependents)
            + mentions)
        return self.normalize(schema)

    def _with_triggers(self, tables: tuple[Table, ...], rows) -> tuple[tuple[Table, ...], tuple]:
        """``tables`` with their user triggers (``Table.triggers``: name, CREATE TRIGGER text),
        and a ``mentions`` dependent for each column of its table (``column`` None: the table's
        own name) that a trigger's text or its function's body names as a word: a rename cannot
        carry a trigger that names what the new table drops or renames (``carried_trigger``)."""
        found: dict[tuple, list] = {}
        for r in rows:
            found.setdefault((self._schema(r["schema"]), r["table_name"]), []).append(r)
        out, mentions = [], []
        for t in tables:
            mine = found.get((t.schema, t.name))
            if not mine:
                out.append(t)
                continue
            out.append(replace(t, triggers=tuple((r["name"], r["def"]) for r in mine)))
            for r in mine:
                what = f"trigger {r['name']} on {t.qualified_name}"
                text = f"{r['def']}\n{r['source'] or ''}"
                mentions += [Dependent("mentions", t.name, what, t.schema, c.name, True)
                             for c in t.columns if _names(text, c.name)]
                if _names(r["source"] or "", t.name):
                    mentions.append(Dependent("mentions", t.name, what, t.schema, None, True))
        return tuple(out), tuple(mentions)

    def carried_trigger(self, schema: Schema, old: Table, new: Table, trigger: tuple[str, str],
                        columns: dict[str, str]) -> str | None:
        """``CREATE TRIGGER name <its events> ON <new>`` and the rest of its text as
        ``pg_get_triggerdef`` gave it (FOR EACH …, WHEN, EXECUTE FUNCTION …), unless its text or
        its function names a column of ``old`` that ``new`` does not keep under its name, or
        ``old`` itself (the function would use the dropped table)."""
        name, text = trigger
        what, key = f"trigger {name} on {old.qualified_name}", self.column_key
        for dep in schema.dependents:
            if dep.kind == "mentions" and dep.object == what and (
                    dep.column is None or key(columns.get(key(dep.column), "")) != key(dep.column)):
                return None
        parts = _trigger_parts(text)
        if parts is None:
            return None
        events, tail = parts
        return f"CREATE TRIGGER {self.quote(name)} {events} ON {self.table_name(new)}{tail}"

    def _needed(self, described: str) -> str:
        """A ``needs`` row's object (``kind<TAB>schema<TAB>name``) named as not_compared names it."""
        kind, schema, name = described.split("\t", 2)
        return self._not_compared({"kind": kind, "schema": schema or None, "name": name, "table_name": None})

    def _query(self, kind: str, version_num: int) -> str:
        body = _sql(kind).replace("{nulls_not_distinct}", "x.indnullsnotdistinct" if version_num >= 150000
                                  else "false")
        return f"WITH rel AS ({_sql('relations')})\n{body}"

    def _schema(self, name: str | None) -> str | None:
        return None if name is None or name == self.default_schema_name else name

    def _not_compared(self, r) -> str:
        if r["table_name"] is not None:
            table = r["table_name"]
            if self._schema(r["schema"]) is not None:
                table = f"{r['schema']}.{table}"
            return f"{r['kind']} {r['name']} on {table}"
        return f"{r['kind']} {r['schema']}.{r['name']}" if r["schema"] else f"{r['kind']} {r['name']}"

    def _assemble(self, rows) -> tuple[Table, ...]:
        parts: dict[tuple[str, str], dict[str, list]] = {}

        def bucket(r, kind):
            return parts.setdefault((r["schema"], r.get("table_name") or r["name"]), {}).setdefault(kind, [])

        for r in rows["columns"]:
            bucket(r, "columns").append(self._column(r))
        for r in rows["constraints"]:
            bucket(r, r["kind"]).append(self._constraint(r))
        for r in rows["indexes"]:
            if r["constraint_kind"] == "x":
                bucket(r, "exclusions").append(self._exclusion(r))
            else:
                bucket(r, "indexes").append(self._index(r))
        tables = []
        for r in rows["tables"]:
            p = parts.get((r["schema"], r["name"]), {})
            pk = p.get("p", [None])[0]
            tables.append(Table(
                name=r["name"], schema=self._schema(r["schema"]), columns=tuple(p.get("columns", ())),
                primary_key=pk, indexes=tuple(p.get("indexes", ())), foreign_keys=tuple(p.get("f", ())),
                checks=tuple(p.get("c", ())), comment=r["comment"], options=self._table_options(r),
                exclusions=tuple(p.get("exclusions", ()))))
        return tuple(tables)

    def _table_options(self, r) -> tuple[tuple[str, str], ...]:
        out = []
        if r["partition_by"]:
            out.append(("partition_by", r["partition_by"]))
        for item in r["storage"] or ():
            key, _, value = item.partition("=")
            out.append((key.lower(), value.lower()))
        if r["persistence"] == "u":
            out.append(("unlogged", "true"))
        return tuple(out)

    def _column(self, r) -> Column:
        ctype = self.parse_type(r["type"])
        raw_default = r["default_expr"]
        identity = generated = None
        if r["identity"]:
            identity = _canonical_identity(Identity(
                "always" if r["identity"] == "a" else "by_default", r["identity_start"],
                r["identity_increment"], minvalue=r["identity_min"], maxvalue=r["identity_max"],
                cycle=r["identity_cycle"], cache=r["identity_cache"]), ctype.name)
        elif r["generated"] == "s":
            generated, raw_default = Generated(self.normalize_expr(raw_default or ""), True), None
        elif raw_default is not None and raw_default == r["owned_default"] and ctype.name in SERIAL:
            identity, raw_default = Identity("autoincrement"), None
        col = Column(name=r["name"], type=ctype, nullable=not r["not_null"],
                     default=self.normalize_default(raw_default, ctype), identity=identity,
                     generated=generated, collation=r["collation"], comment=r["comment"])
        if col.default is not None and _spells_serial(r.get("table_name"), r.get("schema"), col):
            # a default of the sequence a serial column would own, which it does not own
            col = replace(col, default=None, identity=Identity("autoincrement"))
        return col

    def _constraint(self, r):
        if r["kind"] == "p":
            return PrimaryKey(columns=tuple(r["columns"]), name=r["name"])
        if r["kind"] == "f":
            return ForeignKey(
                name=r["name"], columns=tuple(r["columns"]), ref_table=r["ref_table"],
                ref_columns=tuple(r["ref_columns"]), ref_schema=self._schema(r["ref_schema"]),
                on_delete=FK_ACTIONS[r["on_delete"]], on_update=FK_ACTIONS[r["on_update"]],
                deferrable=r["deferrable"], initially_deferred=r["deferred"], validated=r["validated"])
        return Check(name=r["name"], expr=self.normalize_expr(r["expr"]), validated=r["validated"],
                     raw=r["expr"])

    def _index(self, r) -> Index:
        nkey = r["key_count"]
        parts = []
        for k, (column, text) in enumerate(zip(r["columns"], r["exprs"])):
            if k >= nkey:
                break
            descending = bool(r["options"][k] & INDOPTION_DESC)
            nulls = "first" if r["options"][k] & INDOPTION_NULLS_FIRST else "last"
            parts.append(IndexPart(
                column=column, expr=None if column is not None else self.normalize_expr(text),
                descending=descending, opclass=r["opclasses"][k], collation=r["collations"][k],
                nulls=self.index_nulls(descending, nulls)))
        include = tuple(c for c in r["columns"][nkey:])
        return Index(name=r["constraint_name"] or r["name"], parts=tuple(parts), unique=r["is_unique"],
                     is_constraint=r["constraint_name"] is not None,
                     predicate=self.normalize_expr(r["predicate"]) if r["predicate"] else None,
                     predicate_raw=r["predicate"] or "",
                     method=None if r["method"] == "btree" else r["method"], include=include,
                     nulls_not_distinct=bool(r["nulls_not_distinct"]))

    def _exclusion(self, r) -> Exclusion:
        """An exclusion constraint from the row of the index that backs it."""
        ix = self._index(r)
        elements = tuple(ExclusionElement(column=p.column, expr=p.expr, operator=op, opclass=p.opclass,
                                          collation=p.collation, descending=p.descending, nulls=p.nulls)
                         for p, op in zip(ix.parts, r["operators"]))
        return Exclusion(name=r["constraint_name"], elements=elements, method=r["method"],
                         predicate=ix.predicate, include=ix.include, deferrable=r["deferrable"],
                         initially_deferred=r["deferred"], raw=r["constraint_def"])

    # -- models ----------------------------------------------------------------------------------
    def load_models(self, metadata: sa.MetaData) -> Schema:
        """The IR of SQLAlchemy models as PostgreSQL would create them."""
        return PgModelReader(self).read(metadata)

    # -- normalization ---------------------------------------------------------------------------
    def parse_type(self, raw: str) -> ColumnType:
        """``character varying(10)`` / ``VARCHAR(10)`` → varchar(10); enum and domain names kept."""
        key = (raw, self.default_schema_name)
        found = _TYPE_CACHE.get(key)
        if found is None:
            found = _TYPE_CACHE[key] = self._parse_type(raw)
        return found

    def _parse_type(self, raw: str) -> ColumnType:
        text = raw.strip() if '"' in raw else " ".join(raw.strip().split())
        dims = 0
        while text.endswith("[]"):
            text, dims = text[:-2].rstrip(), 1
        text = re.sub(r"(?i)\s+array(\[\d*\])?$", "", text) if re.search(r"(?i)\sarray(\[\d*\])?$", text) \
            else text
        if text == '"char"':  # the internal one-byte type, not character(1)
            return ColumnType(name='"char"', array_dims=dims, raw=raw)
        named = '"' in text or "." in text
        m = _NAMED_TYPE_RE.fullmatch(text) if named else _TYPE_RE.fullmatch(text.lower())
        if m is None:
            return ColumnType(name=text.lower(), array_dims=dims, raw=raw)
        name = _unquote(m["name"]) if named else m["name"].strip()
        if m["tz"]:
            name += m["tz"].lower()
        prefix = self.default_schema_name + "."
        if name.startswith(prefix) and len(name) > len(prefix):
            name = name[len(prefix):]
        name = TYPE_ALIASES.get(name, name)
        args = tuple(int(a) for a in (m["args"] or "").replace(" ", "").split(",") if a.strip().isdigit())
        name, args = _canonical_args(name, args, raw)
        return ColumnType(name=name, args=args, array_dims=dims, raw=raw)

    def normalize_default(self, raw: str | None, column_type: ColumnType) -> Default | None:
        """Casts the server adds stripped; now() ≡ CURRENT_TIMESTAMP; booleans and numbers canonical."""
        if raw is None or not raw.strip():
            return None
        expr = normalize_sql(raw)
        if expr == "null":
            return None
        if expr in _NOW:
            expr = "current_timestamp"
        if column_type.array_dims == 0:
            if column_type.name == "boolean" and expr in _TRUE | _FALSE:
                expr = "true" if expr in _TRUE else "false"
            elif column_type.name in NUMBERS and expr[:1] == "'" and _NUMERIC.fullmatch(expr[1:-1]):
                expr = expr[1:-1]
            if column_type.name in NUMBERS:
                expr = _canonical_number(expr, column_type)
        if expr.startswith("nextval("):
            kind = "sequence"
        elif _is_literal(expr):
            kind = "literal"
        else:
            kind = "expression"
        return Default(expr=expr, kind=kind, raw=raw)

    def default_nulls(self, descending: bool) -> str | None:
        """NULLs sort as larger than any value: last ascending, first descending."""
        return "first" if descending else "last"

    def normalize_expr(self, raw: str) -> str:
        return normalize_sql(raw)

    def normalize(self, schema: Schema) -> Schema:
        """Default-schema names to None, identity defaults dropped, then canonical order."""
        default = schema.default_schema or self.default_schema_name
        tables = tuple(self._normalize_table(t, default) for t in schema.tables)
        enums = tuple(replace(e, schema=None if e.schema == default else e.schema) for e in schema.enums)
        return replace(schema, tables=tables, enums=enums).sorted()

    def _normalize_table(self, t: Table, default: str) -> Table:
        changes: dict = {"options": tuple(sorted(t.options)),
                         "indexes": tuple(sorted(t.indexes, key=_index_key)),
                         "checks": tuple(sorted(t.checks, key=lambda c: (c.expr, c.name or ""))),
                         "exclusions": tuple(sorted(t.exclusions, key=lambda x: (x.name or "", repr(x))))}
        if t.schema == default:
            changes["schema"] = None
        if any(c.identity is not None and c.identity.kind != "autoincrement" for c in t.columns):
            changes["columns"] = tuple(replace(c, identity=_canonical_identity(c.identity, c.type.name))
                                       if c.identity is not None else c for c in t.columns)
        fks = t.foreign_keys
        if any(f.ref_schema == default for f in fks):
            fks = tuple(replace(f, ref_schema=None) if f.ref_schema == default else f for f in fks)
        changes["foreign_keys"] = tuple(sorted(fks, key=lambda f: (f.columns, f.ref_table, f.name or "")))
        return replace(t, **changes)

    # -- differ hooks ----------------------------------------------------------------------------
    def same_default(self, a: Column, b: Column) -> bool:
        if a.default == b.default:
            return True
        if a.default is None or b.default is None:
            return False
        return _numeric_equal(a.default.expr, b.default.expr, a.type) and a.type == b.type

    def same_expr(self, a: str | None, b: str | None) -> bool:
        if a is None or b is None:
            return a == b
        return a == b or normalize_sql(a) == normalize_sql(b)

    # -- rendering helpers -----------------------------------------------------------------------
    def converts_type(self, before: ColumnType, after: ColumnType) -> bool:
        """Whether ``ALTER COLUMN … TYPE`` has a cast from ``before`` to ``after``: see ``CASTS``."""
        return has_cast(before, after)

    def type_sql(self, t: ColumnType) -> str:
        """DDL for a column type: the raw spelling where there is one."""
        if t.raw:
            return t.raw
        name = TYPE_DDL.get(t.name, t.name)
        if t.name not in TYPE_DDL and not re.fullmatch(r"[a-z_][a-z0-9_ ]*", name):
            schema, _, bare = t.name.rpartition(".") if t.name.count(".") == 1 else ("", "", t.name)
            name = self.qualified(bare, schema or None)
        args = f"({', '.join(str(a) for a in t.args)})" if t.args else ""
        if name.endswith(" time zone"):
            base, _, tz = name.partition(" with")
            sql = f"{base}{args} with{tz}"
        else:
            sql = name + args
        return sql + "[]" * t.array_dims

    def column_sql(self, c: Column) -> str:
        """A column definition as in CREATE TABLE / ADD COLUMN."""
        parts = [self.quote(c.name)]
        if c.identity is not None and c.identity.kind == "autoincrement" and c.type.name in SERIAL:
            parts.append(SERIAL[c.type.name])
        else:
            parts.append(self.type_sql(c.type))
        if c.collation:
            parts.append("COLLATE " + self.quote(c.collation))
        if c.identity is not None and c.identity.kind != "autoincrement":
            parts.append(self._identity_sql(c.identity, c.type.name))
        if c.generated is not None:
            parts.append(f"GENERATED ALWAYS AS ({c.generated.expr}) STORED")
        if c.default is not None and c.generated is None:
            parts.append("DEFAULT " + (c.default.raw or c.default.expr))
        if not c.nullable:
            parts.append("NOT NULL")
        return " ".join(parts)

    def _identity_sql(self, ident: Identity, type_name: str) -> str:
        """``GENERATED … AS IDENTITY (…)`` with the options that differ from the defaults."""
        how = "ALWAYS" if ident.kind == "always" else "BY DEFAULT"
        ident, full = _canonical_identity(ident, type_name), _sequence(ident, type_name)
        lo, hi = _default_bounds(full.increment, type_name)
        named = (("START WITH", ident.start), ("INCREMENT BY", ident.increment),
                 ("MINVALUE", full.minvalue if full.minvalue != lo else None),
                 ("MAXVALUE", full.maxvalue if full.maxvalue != hi else None), ("CACHE", ident.cache))
        params = [f"{word} {value}" for word, value in named if value is not None]
        params += ["CYCLE"] if ident.cycle else []
        return f"GENERATED {how} AS IDENTITY" + (f" ({' '.join(params)})" if params else "")

    def _cols(self, names) -> str:
        return ", ".join(self.quote(n) for n in names)

    def _alter(self, table: Table, action: str) -> str:
        return f"ALTER TABLE {self.table_name(table)} {action}"

    def _fk_sql(self, fk: ForeignKey) -> str:
        sql = (f"FOREIGN KEY ({self._cols(fk.columns)}) REFERENCES "
               f"{self.qualified(fk.ref_table, fk.ref_schema)} ({self._cols(fk.ref_columns)})")
        if fk.on_delete != "NO ACTION":
            sql += f" ON DELETE {fk.on_delete}"
        if fk.on_update != "NO ACTION":
            sql += f" ON UPDATE {fk.on_update}"
        if fk.deferrable:
            sql += " DEFERRABLE" + (" INITIALLY DEFERRED" if fk.initially_deferred else "")
        return sql

    def _part_sql(self, p: IndexPart) -> str:
        sql = self.quote(p.column) if p.column is not None else f"({p.expr})"
        if p.collation:
            sql += " COLLATE " + self.quote(p.collation)
        if p.opclass:
            sql += " " + p.opclass
        sql += " DESC" if p.descending else ""
        return sql + (f" NULLS {p.nulls.upper()}" if p.nulls else "")

    def _index_name(self, table: Table, index: Index) -> str:
        """Its name, else the one the server gives it (``<table>_<columns>_key`` / ``_idx``, an
        expression named after its function, cut to 63 bytes as the server cuts it)."""
        if index.name:
            return index.name
        names = pg_names.index_column_names([(p.column, p.expr) for p in index.parts])
        return pg_names.object_name(table.name, pg_names.name_addition(names),
                                    "key" if index.is_constraint else "idx")

    def _constraint_name(self, table: Table, obj, suffix: str) -> str:
        """Its name, else the one the server gives it (``<table>_<columns>_fkey``, ``_pkey``)."""
        if obj.name:
            return obj.name
        cols = list(getattr(obj, "columns", ()) or ())
        return pg_names.object_name(table.name, pg_names.name_addition(cols) if cols else None, suffix)

    def _pkey_name(self, table: Table, pk: PrimaryKey | None) -> str:
        """Its name, else the server's (``<table>_pkey``, cut to 63 bytes as the server cuts it)."""
        return (pk.name if pk is not None else None) or pg_names.object_name(table.name, None, "pkey")

    def _check_name(self, table: Table, check: Check) -> str:
        """Its name, else the server's: ``<table>_<column>_check`` where the expression uses one
        column, ``<table>_check`` otherwise."""
        if check.name:
            return check.name
        used = [c.name for c in table.columns if _mentions(check.raw or check.expr, c.name)]
        return pg_names.object_name(table.name, used[0] if len(used) == 1 else None, "check")

    def _index_sql(self, table: Table, index: Index, name: str, concurrently: bool = True) -> str:
        sql = "CREATE UNIQUE INDEX" if index.unique or index.is_constraint else "CREATE INDEX"
        if concurrently:
            sql += " CONCURRENTLY"
        sql += f" {self.quote(name)} ON {self.table_name(table)}"
        if index.method:
            sql += f" USING {index.method}"
        sql += f" ({', '.join(self._part_sql(p) for p in index.parts)})"
        if index.include:
            sql += f" INCLUDE ({self._cols(index.include)})"
        if index.nulls_not_distinct:
            sql += " NULLS NOT DISTINCT"
        if index.predicate:
            sql += f" WHERE {index.predicate_sql}"
        return sql

    def _check_body(self, check: Check) -> str:
        return check.raw or check.expr

    def _comment(self, what: str, target: str, comment: str | None) -> str:
        return f"COMMENT ON {what} {target} IS {self.literal(comment)}"

    def _enum_name(self, enum: EnumType) -> str:
        return self.qualified(enum.name, enum.schema)

    # -- tables ----------------------------------------------------------------------------------
    def render_create_table(self, op) -> list[str]:
        t = op.table
        lines = [self.column_sql(c) for c in t.columns]
        if t.primary_key is not None:
            pk = t.primary_key
            lines.append(self._named(pk.name) + f"PRIMARY KEY ({self._cols(pk.columns)})")
        for u in t.uniques:
            nnd = " NULLS NOT DISTINCT" if u.nulls_not_distinct else ""
            inc = f" INCLUDE ({self._cols(u.include)})" if u.include else ""
            lines.append(self._named(u.name) + f"UNIQUE{nnd} ({self._cols(u.columns)}){inc}")
        for c in t.checks:
            lines.append(self._named(c.name) + f"CHECK ({self._check_body(c)})")
        for x in t.exclusions:
            lines.append(self._named(x.name) + self._exclusion_sql(x))
        for fk in t.foreign_keys:
            lines.append(self._named(fk.name) + self._fk_sql(fk))
        opts = dict(t.options)
        sql = "CREATE UNLOGGED TABLE" if opts.get("unlogged") == "true" else "CREATE TABLE"
        sql += f" {self.table_name(t)} (\n    " + ",\n    ".join(lines) + "\n)"
        if opts.get("partition_by"):
            sql += f" PARTITION BY {opts['partition_by']}"
        storage = _storage(t.options)
        if storage:
            sql += f" WITH ({', '.join(f'{k} = {v}' for k, v in storage)})"
        out = self._schema_for(t.schema) + self._sequences_for(t.columns) + [sql]
        out += self._nullable_serials(t, t.columns)
        if t.comment is not None:
            out.append(self._comment("TABLE", self.table_name(t), t.comment))
        for c in t.columns:
            if c.comment is not None:
                out.append(self._comment("COLUMN", f"{self.table_name(t)}.{self.quote(c.name)}", c.comment))
        for i in t.indexes:
            if not i.is_constraint:
                out.append(self._index_sql(t, i, self._index_name(t, i), concurrently=False))
        return out

    def _nullable_serials(self, table: Table, columns) -> list[str]:
        """``serial`` is NOT NULL: a serial column that accepts NULL (its NOT NULL dropped after)
        drops it again."""
        return [self._alter(table, f"ALTER COLUMN {self.quote(c.name)} DROP NOT NULL") for c in columns
                if c.nullable and c.identity == Identity("autoincrement") and c.type.name in SERIAL]

    def _named(self, name: str | None) -> str:
        return f"CONSTRAINT {self.quote(name)} " if name else ""

    def render_drop_table(self, op) -> list[str]:
        return [f"DROP TABLE {self.table_name(op.table)}"]

    def render_copy_rows(self, op) -> list[str]:
        """INSERT … SELECT, keeping the key values (OVERRIDING SYSTEM VALUE for a GENERATED ALWAYS
        identity); then each sequence of the new table (serial, identity) moves past the copied
        keys, so that the next insert does not collide with a copied row."""
        t = op.table
        targets = self._cols([c for c, _ in op.columns] + [c for c, _ in op.values])
        sources = ", ".join([self._copied_value(op.source.column(s), t.column(c)) for c, s in op.columns]
                            + [value for _, value in op.values])
        copied = [t.column(c) for c, _ in op.columns]
        override = " OVERRIDING SYSTEM VALUE" if any(
            c is not None and c.identity is not None and c.identity.kind == "always" for c in copied) else ""
        out = [f"INSERT INTO {self.table_name(t)} ({targets}){override} "
               f"SELECT {sources} FROM {self.table_name(op.source)}" + self._skip_synced(op)]
        for c in copied:
            if c is not None and (c.identity is not None or (c.default and c.default.kind == "sequence")):
                col = self.quote(c.name)
                out.append(f"SELECT setval({self._sequence_of(t, c.name)}, max({col})) "
                           f"FROM {self.table_name(t)} "
                           f"HAVING max({col}) IS NOT NULL")
        return out

    def _skip_synced(self, op) -> str:
        """Where triggers (``CreateTableSync``) mirror the source's writes: the copy skips the
        rows they wrote, and locks each row it reads against a delete until it commits (a row
        deleted meanwhile is skipped, not copied after its delete was mirrored). It sets the
        triggers' guard for its own transaction: the rows it writes do not go back (a stale
        value could overwrite a newer one there)."""
        if not op.key:
            return ""
        return (f" WHERE set_config('{_SYNCING}', 'on', true) = 'on' FOR KEY SHARE "
                f"ON CONFLICT ({self._cols(t for t, _ in op.key)}) DO NOTHING")

    def _copied_value(self, source, target) -> str:
        """A copied column's value, cast where PostgreSQL has no assignment cast to its new type."""
        col = self.quote(source.name)
        if target is None or not _needs_using(source.type, target.type):
            return col
        return _using(col, source.type, target.type, self.type_sql(target.type))

    def render_set_table_comment(self, op) -> list[str]:
        return [self._comment("TABLE", self.table_name(op.table), op.comment)]

    def render_set_table_options(self, op) -> list[str]:
        before, after = dict(op.table.options), dict(op.options)
        if before.get("partition_by") != after.get("partition_by"):
            raise PlanError(f"table {op.table.qualified_name}: PostgreSQL cannot change the partitioning "
                            "of an existing table")
        out = []
        if before.get("unlogged") != after.get("unlogged"):
            logged = "SET UNLOGGED" if after.get("unlogged") == "true" else "SET LOGGED"
            out.append(self._alter(op.table, logged))
        old, new = dict(_storage(op.table.options)), dict(_storage(op.options))
        changed = [(k, v) for k, v in sorted(new.items()) if old.get(k) != v]
        gone = sorted(k for k in old if k not in new)
        if changed:
            out.append(self._alter(op.table, f"SET ({', '.join(f'{k} = {v}' for k, v in changed)})"))
        if gone:
            out.append(self._alter(op.table, f"RESET ({', '.join(gone)})"))
        return out

    # -- columns ---------------------------------------------------------------------------------
    def _schema_for(self, schema: str | None) -> list[str]:
        """Schemas are not IR objects: a table or type in one the database lacks creates it."""
        return [f"CREATE SCHEMA IF NOT EXISTS {self.quote(schema)}"] if schema else []

    def _sequences_for(self, columns) -> list[str]:
        """A default ``nextval('seq'::regclass)`` needs its sequence (an object the IR does not
        model, so no plan step makes it): create it where it is missing."""
        out = []
        for c in columns:
            m = _NEXTVAL.fullmatch((c.default.raw or c.default.expr) if c.default is not None else "")
            if m and c.identity is None:
                out.append(f"CREATE SEQUENCE IF NOT EXISTS {m.group(1).replace(chr(39) * 2, chr(39))}")
        return out

    def render_add_column(self, op) -> list[str]:
        add = self._alter(op.table, f"ADD COLUMN {self.column_sql(op.column)}")
        out = self._sequences_for([op.column]) + [add] + self._nullable_serials(op.table, [op.column])
        if op.column.comment is not None:
            out.append(self._comment("COLUMN", self._column_ref(op.table, op.column), op.column.comment))
        return out

    def _column_ref(self, table: Table, column: Column) -> str:
        return f"{self.table_name(table)}.{self.quote(column.name)}"

    def render_drop_column(self, op) -> list[str]:
        return [self._alter(op.table, f"DROP COLUMN {self.quote(op.column.name)}")]

    def render_alter_column(self, op) -> list[str]:
        before, after, what = op.before, op.after, set(op.what)
        col = self.quote(after.name)
        out: list[str] = []
        if "generated" in what:
            if after.generated is not None or before.generated is None:
                raise PlanError(f"column {op.table.qualified_name}.{after.name}: PostgreSQL cannot change "
                                "a generation expression in place (drop and add the column)")
            out.append(self._alter(op.table, f"ALTER COLUMN {col} DROP EXPRESSION"))
        if "identity" in what:
            out += self._alter_identity(op.table, before, after)
        if what & {"type", "collation"}:
            if before.default is not None and "type" in what:
                out.append(self._alter(op.table, f"ALTER COLUMN {col} DROP DEFAULT"))
            sql = f"ALTER COLUMN {col} TYPE {self.type_sql(after.type)}"
            if after.collation:
                sql += f" COLLATE {self.quote(after.collation)}"
            if "type" in what and op.using is not None:
                sql += f" USING {op.using}"
            elif "type" in what and _needs_using(before.type, after.type):
                sql += f" USING {_using(col, before.type, after.type, self.type_sql(after.type))}"
            out.append(self._alter(op.table, sql))
            if after.default is not None and "type" in what and "default" not in what:
                # put the default back without the cast the server gave it for the old type
                out.append(self._alter(op.table, f"ALTER COLUMN {col} SET DEFAULT {after.default.expr}"))
        if "default" in what:
            out += self._sequences_for([after])
            out.append(self._alter(op.table, f"ALTER COLUMN {col} SET DEFAULT "
                                             f"{after.default.raw or after.default.expr}" if after.default
                                   else f"ALTER COLUMN {col} DROP DEFAULT"))
        if "nullable" in what:
            out += self._set_nullable(op.table, after)
        if "comment" in what:
            out.append(self._comment("COLUMN", self._column_ref(op.table, after), after.comment))
        return out

    def _set_nullable(self, table: Table, after: Column) -> list[str]:
        col = self.quote(after.name)
        if after.nullable:
            return [self._alter(table, f"ALTER COLUMN {col} DROP NOT NULL")]
        check = self.quote(_ident_limit(f"{table.name}_{after.name}_not_null"))
        return [self._alter(table, f"ADD CONSTRAINT {check} CHECK ({col} IS NOT NULL) NOT VALID"),
                self._alter(table, f"VALIDATE CONSTRAINT {check}"),
                self._alter(table, f"ALTER COLUMN {col} SET NOT NULL"),
                self._alter(table, f"DROP CONSTRAINT {check}")]

    def _alter_identity(self, table: Table, before: Column, after: Column) -> list[str]:
        col = self.quote(after.name)
        old, new = before.identity, after.identity
        out, set_aside = [], None
        if old is not None and old.kind == "autoincrement":
            out.append(self._alter(table, f"ALTER COLUMN {col} DROP DEFAULT"))
            if new is not None and new.kind != "autoincrement":
                set_aside = self.qualified(self._set_aside_name(table, before), table.schema)
                out.append(self._set_aside_serial_sequence(table, before))
            else:
                out.append(self._drop_serial_sequence(table, before))
            old = None
        elif old is not None and (new is None or new.kind == "autoincrement"):
            out.append(self._alter(table, f"ALTER COLUMN {col} DROP IDENTITY"))
            old = None
        if new is None:
            return out
        if new.kind == "autoincrement":
            return out + self._add_serial(table, after)
        if old is None:
            out.append(self._alter(table, f"ALTER COLUMN {col} ADD "
                                          f"{self._identity_sql(new, after.type.name)}"))
            out.append(self._continue_identity(table, after, set_aside))
            return out + ([f"DROP SEQUENCE IF EXISTS {set_aside}"] if set_aside else [])
        return out + self._set_identity(table, before, after)

    def _set_aside_name(self, table: Table, column: Column) -> str:
        return _ident_limit(f"{self._serial_sequence(table, column)}__sdold")

    def _set_aside_serial_sequence(self, table: Table, column: Column) -> str:
        """The column's own sequence (a serial's), if it has one, renamed aside (an owned sequence
        is in its table's schema) and no longer owned by it: the new identity then takes its
        place and continues from it."""
        lookup = (f"pg_get_serial_sequence({self.literal(self.table_name(table))}, "
                  f"{self.literal(column.name)})")
        name = self._set_aside_name(table, column)
        rename = self.literal(f" RENAME TO {self.quote(name)}")
        disown = self.literal(f"ALTER SEQUENCE {self.qualified(name, table.schema)} OWNED BY NONE")
        return _do_block(f"IF {lookup} IS NOT NULL THEN EXECUTE 'ALTER SEQUENCE ' || {lookup} || {rename}; "
                         f"EXECUTE {disown}; END IF;")

    def _continue_identity(self, table: Table, column: Column, set_aside: str | None) -> str:
        """A new identity on a column with rows: its sequence moves past the existing keys and
        past the last value of the sequence set aside (a serial's), but never before its START."""
        ident = _sequence(column.identity, column.type.name)
        col, up = self.quote(column.name), ident.increment > 0
        last = f"{'max' if up else 'min'}({col})"
        if set_aside and up:
            last = f"GREATEST({last}, pg_sequence_last_value(to_regclass({self.literal(set_aside)})))"
        seq = f"pg_get_serial_sequence({self.literal(self.table_name(table))}, {self.literal(column.name)})"
        return (f"SELECT setval({seq}, v) FROM (SELECT {last} AS v FROM {self.table_name(table)}) s "
                f"WHERE v {'>=' if up else '<='} {ident.start}")

    def _set_identity(self, table: Table, before: Column, after: Column) -> list[str]:
        """ALTER … SET for each changed option. Bounds that narrow are set last: the first ALTER
        sets every other option with the union of the old and new bounds (so the new START and the
        sequence's current value both hold), then the current value is clamped into the new
        bounds, then the bounds narrow."""
        col = self.quote(after.name)
        old, new = _sequence(before.identity, before.type.name), _sequence(after.identity, after.type.name)
        lo, hi = min(old.minvalue, new.minvalue), max(old.maxvalue, new.maxvalue)
        changes = []
        if before.identity.kind != after.identity.kind:
            changes.append("SET GENERATED " + ("ALWAYS" if after.identity.kind == "always" else "BY DEFAULT"))
        changes += _bound_changes(old, replace(new, minvalue=lo, maxvalue=hi), after.type.name)
        changes += [f"SET {word} {value}" for word, value in (
            ("START WITH", new.start), ("INCREMENT BY", new.increment), ("CACHE", new.cache))
            if getattr(old, _SEQ_FIELDS[word]) != value]
        if old.cycle != new.cycle:
            changes.append("SET CYCLE" if new.cycle else "SET NO CYCLE")
        out = [self._alter(table, f"ALTER COLUMN {col} {' '.join(changes)}")] if changes else []
        if (lo, hi) != (new.minvalue, new.maxvalue):
            seq = (f"pg_get_serial_sequence({self.literal(self.table_name(table))}, "
                   f"{self.literal(after.name)})::regclass")
            out.append(f"SELECT setval(s.seq, GREATEST(LEAST(COALESCE(pg_sequence_last_value(s.seq), "
                       f"{new.start}), {new.maxvalue}), {new.minvalue}), pg_sequence_last_value(s.seq) "
                       f"IS NOT NULL) FROM (SELECT {seq} AS seq) s")
            narrow = _bound_changes(replace(new, minvalue=lo, maxvalue=hi), new, after.type.name)
            out.append(self._alter(table, f"ALTER COLUMN {col} {' '.join(narrow)}"))
        return out

    def _serial_sequence(self, table: Table, column: Column) -> str:
        return serial_sequence_name(table.name, column.name)

    def _add_serial(self, table: Table, column: Column) -> list[str]:
        seq = self.qualified(self._serial_sequence(table, column), table.schema)
        col = self.quote(column.name)
        return [f"CREATE SEQUENCE IF NOT EXISTS {seq} AS {TYPE_DDL.get(column.type.name, column.type.name)} "
                f"OWNED BY {self._column_ref(table, column)}",
                f"SELECT setval({self.literal(seq)}, COALESCE(max({col}), 0) + 1, false) "
                f"FROM {self.table_name(table)}",
                self._alter(table, f"ALTER COLUMN {col} SET DEFAULT nextval({self.literal(seq)}::regclass)")]

    def _drop_serial_sequence(self, table: Table, column: Column) -> str:
        lookup = (f"pg_get_serial_sequence({self.literal(self.table_name(table))}, "
                  f"{self.literal(column.name)})")
        # none where the column's sequence is not its own (a default read as serial)
        return _do_block(f"IF {lookup} IS NOT NULL THEN EXECUTE 'DROP SEQUENCE IF EXISTS ' || {lookup}; "
                         "END IF;")

    def render_copy_column(self, op) -> list[str]:
        """One UPDATE, or with ``batch_size`` a loop that commits each batch (so it runs outside a
        transaction block, and row locks are held one batch at a time)."""
        src, dst = self.quote(op.source.name), self.quote(op.target.name)
        value = src if op.source.type == op.target.type else f"{src}::{self.type_sql(op.target.type)}"
        table = self.table_name(op.table)
        pending = f"{dst} IS DISTINCT FROM {value}"
        if not getattr(op, "batch_size", None):
            return [f"UPDATE {table} SET {dst} = {value} WHERE {pending}"]
        # the outer WHERE repeats ``pending``: ctid is unique per partition only
        return [_do_block_tagged(
            f"{_USE_COLUMN}DECLARE sd_rows bigint;\nBEGIN\n  LOOP\n"
            f"    UPDATE {table} SET {dst} = {value} WHERE ctid IN "
            f"(SELECT ctid FROM {table} WHERE {pending} LIMIT {int(op.batch_size)}) AND {pending};\n"
            f"    GET DIAGNOSTICS sd_rows = ROW_COUNT;\n    EXIT WHEN sd_rows = 0;\n    COMMIT;\n"
            f"  END LOOP;\nEND")]

    def render_fill_column(self, op) -> list[str]:
        """One UPDATE of the NULLs, or with ``batch_size`` a loop that commits each batch (outside
        a transaction block). The loop stops with an error when the expression gives NULL for a
        row: that row would be picked again and again, and SET NOT NULL would fail anyway."""
        col, table = self.quote(op.column.name), self.table_name(op.table)
        if not getattr(op, "batch_size", None):
            return [f"UPDATE {table} SET {col} = {op.expr} WHERE {col} IS NULL"]
        message = self.literal(f"backfill of {op.table.qualified_name}.{op.column.name}: the expression "
                               "gives NULL for some rows")
        # the outer WHERE repeats ``IS NULL``: ctid is unique per partition only, and a row of
        # another partition with the same ctid keeps its value
        body = (f"{_USE_COLUMN}DECLARE sd_rows bigint; sd_filled bigint;\nBEGIN\n  LOOP\n"
                f"    WITH done AS (UPDATE {table} SET {col} = {op.expr} WHERE ctid IN (SELECT ctid "
                f"FROM {table} WHERE {col} IS NULL LIMIT {int(op.batch_size)}) AND {col} IS NULL "
                f"RETURNING {col})\n"
                f"    SELECT count(*), count({col}) INTO sd_rows, sd_filled FROM done;\n"
                f"    EXIT WHEN sd_rows = 0;\n"
                f"    IF sd_filled < sd_rows THEN RAISE EXCEPTION USING MESSAGE = {message}; END IF;\n"
                f"    COMMIT;\n  END LOOP;\nEND")
        return [_do_block_tagged(body)]

    def sync_names(self, table: Table, old: Column, new: Column) -> tuple[str, str]:
        """The function and trigger names of a rename window's sync trigger (<= 63 bytes each)."""
        base = f"{table.name}_{old.name}_{new.name}"
        return _ident_limit(f"sd_sync_{base}"), _ident_limit(f"sd_sync_{base}_trg")

    def render_create_sync_trigger(self, op) -> list[str]:
        fn, trg = self.sync_names(op.table, op.old, op.new)
        o, n = self.quote(op.old.name), self.quote(op.new.name)
        body = (f"BEGIN\n"
                f"  IF TG_OP = 'INSERT' THEN\n"
                f"    IF NEW.{n} IS NULL THEN NEW.{n} := NEW.{o}; END IF;\n"
                f"    IF NEW.{o} IS NULL THEN NEW.{o} := NEW.{n}; END IF;\n"
                f"  ELSIF NEW.{o} IS DISTINCT FROM OLD.{o} AND NEW.{n} IS NOT DISTINCT FROM OLD.{n} THEN\n"
                f"    NEW.{n} := NEW.{o};\n"
                f"  ELSIF NEW.{n} IS DISTINCT FROM OLD.{n} AND NEW.{o} IS NOT DISTINCT FROM OLD.{o} THEN\n"
                f"    NEW.{o} := NEW.{n};\n"
                f"  END IF;\n"
                f"  RETURN NEW;\n"
                f"END")
        tag = "$sd$"
        while tag in body:
            tag = tag[:-1] + "x$"
        func = self.qualified(fn, op.table.schema)
        return [f"CREATE OR REPLACE FUNCTION {func}() RETURNS trigger LANGUAGE plpgsql AS "
                f"{tag}\n{body}\n{tag}",
                f"CREATE TRIGGER {self.quote(trg)} BEFORE INSERT OR UPDATE ON {self.table_name(op.table)} "
                f"FOR EACH ROW EXECUTE FUNCTION {func}()"]

    def render_drop_sync_trigger(self, op) -> list[str]:
        fn, trg = self.sync_names(op.table, op.old, op.new)
        return [f"DROP TRIGGER IF EXISTS {self.quote(trg)} ON {self.table_name(op.table)}",
                f"DROP FUNCTION IF EXISTS {self.qualified(fn, op.table.schema)}()"]

    def table_sync_names(self, op) -> list[tuple[str, str]]:
        """(function, trigger) of each direction of a renamed table's sync (<= 63 bytes each):
        old → new, then new → old."""
        base = f"sd_tsync_{op.source.name}_{op.table.name}"
        return [(_ident_limit(base), _ident_limit(f"{base}_trg")),
                (_ident_limit(f"{base}_back"), _ident_limit(f"{base}_back_trg"))]

    def render_create_table_sync(self, op) -> list[str]:
        there, back = self.table_sync_names(op)
        out = self._mirror(*there, op.source, op.table, op.columns, op.key, back=False)
        if op.back:
            flip = lambda pairs: tuple((s, t) for t, s in pairs)  # noqa: E731
            out += self._mirror(*back, op.table, op.source, flip(op.columns), flip(op.key), back=True)
        return out

    def render_drop_table_sync(self, op) -> list[str]:
        out = []
        ends = ((op.source, op.table), (op.table, op.source))  # (the trigger's table, the function's)
        for (fn, trg), (on, dst) in list(zip(self.table_sync_names(op), ends))[:1 + op.back]:
            out += [f"DROP TRIGGER IF EXISTS {self.quote(trg)} ON {self.table_name(on)}",
                    f"DROP FUNCTION IF EXISTS {self.qualified(fn, dst.schema)}()"]
        return out

    def _sequence_of(self, table: Table, column: str) -> str:
        """SQL for the sequence ``column`` takes its values from: the one it owns, else (a serial
        read from a default of a sequence it does not own) the serial-named one of its table."""
        own = f"pg_get_serial_sequence({self.literal(self.table_name(table))}, {self.literal(column)})"
        c = table.column(column)
        if c is None or c.identity is None or c.identity.kind != "autoincrement":
            return own
        named = self.qualified(serial_sequence_name(table.name, column), table.schema)
        return f"coalesce({own}, {self.literal(named)})"

    def _mirror(self, fn: str, trg: str, src: Table, dst: Table, pairs, key, *, back: bool) -> list[str]:
        """A function and an AFTER trigger on ``src`` that repeat each row's write in ``dst``
        (``pairs``: (dst column, src column)), the row found by ``key``: an upsert, so that a
        copy running meanwhile keeps the newer row. A transaction-local setting keeps the other
        direction's trigger from writing it back (and cascades still fire both).

        Old → new (not ``back``), a write the other direction made still sets the new table's
        row to the old one's where they differ: what the old table's own BEFORE triggers changed
        reaches the new table (the back trigger, under the setting, does not answer: no
        ping-pong). New → old (``back``), a row the old table cannot hold (its own CHECK,
        UNIQUE, NOT NULL, foreign key or exclusion constraint) is skipped, not an error for new
        code's write."""
        q, table = self.quote, self.table_name(dst)

        def value(row: str, t: str, s: str) -> str:
            expr, source, target = f"{row}.{q(s)}", src.column(s), dst.column(t)
            if not _needs_using(source.type, target.type):
                return expr
            return _using(expr, source.type, target.type, self.type_sql(target.type))

        found = lambda row: " AND ".join(f"{q(t)} = {value(row, t, s)}" for t, s in key)  # noqa: E731
        keys = {t for t, _ in key}
        always = {t for t, _ in pairs if dst.column(t).identity is not None
                  and dst.column(t).identity.kind == "always"}
        sets = ", ".join(f"{q(t)} = EXCLUDED.{q(t)}" for t, _ in pairs if t not in keys | always)
        moved = ", ".join(f"{{0}}.{q(s)}" for _, s in key)
        upsert = (f"INSERT INTO {table} ({self._cols(t for t, _ in pairs)})"
                  + (" OVERRIDING SYSTEM VALUE" if always else "")
                  + f" VALUES ({', '.join(value('NEW', t, s) for t, s in pairs)}) "
                  f"ON CONFLICT ({self._cols(t for t, _ in key)}) "
                  + (f"DO UPDATE SET {sets}" if sets else "DO NOTHING"))
        counters = [f"    PERFORM setval({self._sequence_of(dst, t)}, "
                    f"{value('NEW', t, s)}) WHERE {value('NEW', t, s)} > coalesce(pg_sequence_last_value("
                    f"{self._sequence_of(dst, t)}::regclass), 0);\n"
                    for t, s in pairs if _counted(dst.column(t))]
        synced = [(t, value('NEW', t, s)) for t, s in pairs if t not in keys | always]
        reconcile = "" if back or not synced else (
            f"    IF TG_OP <> 'DELETE' THEN UPDATE {table} SET "
            + ", ".join(f"{q(t)} = {v}" for t, v in synced)
            # as text: a type without equality (json, point) compares too
            + f" WHERE {found('NEW')} AND ROW({', '.join(q(t) for t, _ in synced)})::text IS DISTINCT FROM "
            f"ROW({', '.join(v for _, v in synced)})::text; END IF;\n")
        write = (f"  IF TG_OP = 'DELETE' OR TG_OP = 'UPDATE' AND "
                 f"ROW({moved.format('OLD')}) IS DISTINCT FROM ROW({moved.format('NEW')}) THEN\n"
                 f"    DELETE FROM {table} WHERE {found('OLD')};\n"
                 f"  END IF;\n"
                 f"  IF TG_OP <> 'DELETE' THEN\n"
                 f"    {upsert};\n{''.join(counters)}"
                 "  END IF;\n")
        if back:
            write = (f"  BEGIN\n{write}  EXCEPTION WHEN check_violation OR unique_violation OR "
                     "not_null_violation OR foreign_key_violation OR exclusion_violation THEN NULL;\n"
                     "  END;\n")
        body = (f"{_USE_COLUMN}BEGIN\n"
                f"  IF current_setting('{_SYNCING}', true) = 'on' THEN\n{reconcile}    RETURN NULL;\n"
                "  END IF;\n"
                f"  PERFORM set_config('{_SYNCING}', 'on', true);\n"
                f"{write}"
                f"  PERFORM set_config('{_SYNCING}', '', true);\n"
                "  RETURN NULL;\n"
                "END")
        tag = "$sd$"
        while tag in body:
            tag = tag[:-1] + "x$"
        func = self.qualified(fn, dst.schema)
        # old code's role may have no rights on the new table (nor new code's on the old one):
        # the function writes as its owner, who created both, with the names resolved as now
        return [f"CREATE OR REPLACE FUNCTION {func}() RETURNS trigger LANGUAGE plpgsql "
                f"SECURITY DEFINER SET search_path FROM CURRENT AS {tag}\n{body}\n{tag}",
                f"CREATE TRIGGER {q(trg)} AFTER INSERT OR UPDATE OR DELETE ON {self.table_name(src)} "
                f"FOR EACH ROW EXECUTE FUNCTION {func}()"]

    # -- keys, indexes, constraints --------------------------------------------------------------
    def render_add_primary_key(self, op) -> list[str]:
        name = self._pkey_name(op.table, op.primary_key)
        if _partitioned(op.table):  # no CONCURRENTLY, no USING INDEX on a partitioned table
            return [self._alter(op.table, f"ADD CONSTRAINT {self.quote(name)} "
                                          f"PRIMARY KEY ({self._cols(op.primary_key.columns)})")]
        index = Index(name=name, parts=tuple(IndexPart(column=c) for c in op.primary_key.columns),
                      unique=True)
        return [self._index_sql(op.table, index, name),
                self._alter(op.table, f"ADD CONSTRAINT {self.quote(name)} PRIMARY KEY "
                                      f"USING INDEX {self.quote(name)}")]

    def render_drop_primary_key(self, op) -> list[str]:
        name = self._pkey_name(op.table, op.primary_key or op.table.primary_key)
        return [self._alter(op.table, f"DROP CONSTRAINT {self.quote(name)}")]

    def render_create_index(self, op) -> list[str]:
        index, name = op.index, self._index_name(op.table, op.index)
        concurrently = not _partitioned(op.table)
        if not index.is_constraint:
            return [self._index_sql(op.table, index, name, concurrently)]
        if index.predicate or any(p.column is None for p in index.parts) or index.method:
            raise PlanError(f"unique constraint {name}: PostgreSQL constraints take plain columns only")
        if not concurrently:
            nnd = " NULLS NOT DISTINCT" if index.nulls_not_distinct else ""
            inc = f" INCLUDE ({self._cols(index.include)})" if index.include else ""
            return [self._alter(op.table, f"ADD CONSTRAINT {self.quote(name)} "
                                          f"UNIQUE{nnd} ({self._cols(index.columns)}){inc}")]
        return [self._index_sql(op.table, replace(index, unique=True), name),
                self._alter(op.table, f"ADD CONSTRAINT {self.quote(name)} UNIQUE "
                                      f"USING INDEX {self.quote(name)}")]

    def render_rename_object(self, op) -> list[str]:
        """An index (with the constraint it backs, if any) by ALTER INDEX; a foreign key or check
        by RENAME CONSTRAINT. Both only change the catalog."""
        obj = op.before
        if isinstance(obj, (Index, PrimaryKey)):
            index = self.qualified(obj.name, op.table.schema)
            return [f"ALTER INDEX {index} RENAME TO {self.quote(op.name)}"]
        return [self._alter(op.table, f"RENAME CONSTRAINT {self.quote(obj.name)} TO {self.quote(op.name)}")]

    def temp_name(self, name: str) -> str:
        return _ident_limit(name + "__sdnew")

    def render_drop_index(self, op) -> list[str]:
        name = self._index_name(op.table, op.index)
        if op.index.is_constraint:
            return [self._alter(op.table, f"DROP CONSTRAINT {self.quote(name)}")]
        how = "" if _partitioned(op.table) else " CONCURRENTLY"
        return [f"DROP INDEX{how} IF EXISTS {self.qualified(name, op.table.schema)}"]

    def render_add_foreign_key(self, op) -> list[str]:
        name = self.quote(self._constraint_name(op.table, op.foreign_key, "fkey"))
        if _partitioned(op.table):  # NOT VALID foreign keys are not supported there
            return [self._alter(op.table, f"ADD CONSTRAINT {name} {self._fk_sql(op.foreign_key)}")]
        return [self._alter(op.table, f"ADD CONSTRAINT {name} {self._fk_sql(op.foreign_key)} NOT VALID"),
                self._alter(op.table, f"VALIDATE CONSTRAINT {name}")]

    def render_drop_foreign_key(self, op) -> list[str]:
        name = self._constraint_name(op.table, op.foreign_key, "fkey")
        return [self._alter(op.table, f"DROP CONSTRAINT {self.quote(name)}")]

    def render_add_check(self, op) -> list[str]:
        name = self.quote(self._check_name(op.table, op.check))
        body = self._check_body(op.check)
        return [self._alter(op.table, f"ADD CONSTRAINT {name} CHECK ({body}) NOT VALID"),
                self._alter(op.table, f"VALIDATE CONSTRAINT {name}")]

    def render_drop_check(self, op) -> list[str]:
        name = self._check_name(op.table, op.check)
        return [self._alter(op.table, f"DROP CONSTRAINT {self.quote(name)}")]

    def _exclusion_sql(self, x: Exclusion) -> str:
        """``EXCLUDE USING …``: the server's own text where there is one, else built from parts."""
        if x.raw:
            return x.raw
        method = x.method if re.fullmatch(r"[a-z_][a-z0-9_]*", x.method) else self.quote(x.method)
        elements = ", ".join(
            self._part_sql(IndexPart(column=e.column, expr=e.expr, descending=e.descending,
                                     opclass=e.opclass, collation=e.collation, nulls=e.nulls))
            + f" WITH {e.operator}" for e in x.elements)
        sql = f"EXCLUDE USING {method} ({elements})"
        if x.include:
            sql += f" INCLUDE ({self._cols(x.include)})"
        if x.predicate:
            sql += f" WHERE ({x.predicate})"
        if x.deferrable:
            sql += " DEFERRABLE" + (" INITIALLY DEFERRED" if x.initially_deferred else "")
        return sql

    def _exclusion_name(self, table: Table, x: Exclusion) -> str:
        """Its name, else the one the server gives an unnamed one (``<table>_<columns>_excl``:
        an expression named after its function, INCLUDE columns too, cut as the server cuts)."""
        if x.name:
            return x.name
        cols = pg_names.index_column_names([(e.column, e.expr) for e in x.elements]
                                           + [(c, None) for c in x.include])
        return pg_names.object_name(table.name, pg_names.name_addition(cols), "excl")

    def render_add_exclusion(self, op) -> list[str]:
        name = self.quote(self._exclusion_name(op.table, op.exclusion))
        return [self._alter(op.table, f"ADD CONSTRAINT {name} {self._exclusion_sql(op.exclusion)}")]

    def render_drop_exclusion(self, op) -> list[str]:
        name = self.quote(self._exclusion_name(op.table, op.exclusion))
        return [self._alter(op.table, f"DROP CONSTRAINT {name}")]

    # -- enums -----------------------------------------------------------------------------------
    def render_create_enum(self, op) -> list[str]:
        values = ", ".join(self.literal(v) for v in op.enum.values)
        create = f"CREATE TYPE {self._enum_name(op.enum)} AS ENUM ({values})"
        return self._schema_for(op.enum.schema) + [create]

    def render_drop_enum(self, op) -> list[str]:
        return [f"DROP TYPE {self._enum_name(op.enum)}"]

    def render_add_enum_value(self, op) -> list[str]:
        sql = f"ALTER TYPE {self._enum_name(op.enum)} ADD VALUE {self.literal(op.value)}"
        if op.after is not None:
            sql += f" AFTER {self.literal(op.after)}"
        elif op.enum.values:
            sql += f" BEFORE {self.literal(op.enum.values[0])}"
        return [sql]

    def render_replace_enum(self, op) -> list[str]:
        old_name = _ident_limit(f"{op.before.name}__old")
        new = self._enum_name(op.after)
        values = ", ".join(self.literal(v) for v in op.after.values)
        out = [f"ALTER TYPE {self._enum_name(op.before)} RENAME TO {self.quote(old_name)}",
               f"CREATE TYPE {new} AS ENUM ({values})"]
        for table, column in op.usages:
            col = self.quote(column.name)
            if column.default is not None:
                out.append(self._alter(table, f"ALTER COLUMN {col} DROP DEFAULT"))
            array = "[]" * column.type.array_dims
            out.append(self._alter(table, f"ALTER COLUMN {col} TYPE {new}{array} "
                                          f"USING {col}::text{array}::{new}{array}"))
            if column.default is not None and _enum_default_kept(column.default, op.after):
                out.append(self._alter(table, f"ALTER COLUMN {col} SET DEFAULT {column.default.expr}"))
        out.append(f"DROP TYPE {self.qualified(old_name, op.before.schema)}")
        return out

    # -- plan facts ------------------------------------------------------------------------------
    def transactional(self, op) -> bool:
        """CONCURRENTLY cannot run in a transaction block; NOT VALID + VALIDATE only helps when each
        statement commits on its own; a new enum value cannot be used before its ALTER commits."""
        kind = op.kind
        if kind in ("create_index", "drop_index", "add_primary_key", "add_foreign_key") \
                and _partitioned(op.table):
            return True
        if kind in ("create_index", "drop_index", "add_primary_key", "add_foreign_key", "add_check",
                    "add_enum_value"):
            return bool(kind == "drop_index" and op.index.is_constraint)
        if kind == "alter_column" and "nullable" in op.what and not op.after.nullable:
            return False
        if kind in ("copy_column", "fill_column") and getattr(op, "batch_size", None):
            return False
        return True

    def session_settings(self, op) -> list[str]:
        """Every op that takes a lock on a table or type waits at most 5 s for it."""
        if op.kind == "copy_rows":
            return []
        return [LOCK_TIMEOUT]

    def hazards(self, op) -> list[Hazard]:
        method = getattr(self, "_hazards_" + op.kind, None)
        return method(op) if method else []

    def _hazards_create_index(self, op) -> list[Hazard]:
        if _partitioned(op.table):
            return [Hazard(HazardKind.INDEX_BUILD, "a partitioned table cannot build indexes CONCURRENTLY"),
                    Hazard(HazardKind.BLOCKING_LOCK, "writes to every partition wait for the index build")]
        out = [Hazard(HazardKind.INDEX_BUILD, "index built CONCURRENTLY: no write lock, but a full scan "
                                              "(two for a unique index), and it runs outside a transaction")]
        if op.index.is_constraint:
            out.append(Hazard(HazardKind.BLOCKING_LOCK, "attaching the unique constraint takes a brief "
                                                        "ACCESS EXCLUSIVE lock"))
        return out

    def _hazards_add_primary_key(self, op) -> list[Hazard]:
        out = [Hazard(HazardKind.INDEX_BUILD, "primary key index built CONCURRENTLY before it is attached")]
        nullable = [c for c in op.primary_key.columns
                    if op.table.column(c) is not None and op.table.column(c).nullable]
        if nullable:
            out.append(Hazard(HazardKind.VALIDATION_SCAN, "SET NOT NULL on " + ", ".join(nullable)
                              + " scans the table under an ACCESS EXCLUSIVE lock"))
        return out

    def _hazards_add_foreign_key(self, op) -> list[Hazard]:
        if op.kind == "add_foreign_key" and _partitioned(op.table):
            return [Hazard(HazardKind.VALIDATION_SCAN, "a partitioned table cannot add a foreign key NOT "
                                                       "VALID: every partition is checked at once"),
                    Hazard(HazardKind.BLOCKING_LOCK, "writes wait for the whole check")]
        return [Hazard(HazardKind.VALIDATION_SCAN, "added NOT VALID, then VALIDATE scans the table under a "
                                                   "SHARE UPDATE EXCLUSIVE lock (writes continue)")]

    def _hazards_add_check(self, op) -> list[Hazard]:
        return self._hazards_add_foreign_key(op)

    def _hazards_add_exclusion(self, op) -> list[Hazard]:
        return [Hazard(HazardKind.INDEX_BUILD, f"its {op.exclusion.method} index is built over every row "
                                               "(no CONCURRENTLY for a constraint's own index)"),
                Hazard(HazardKind.BLOCKING_LOCK, "ACCESS EXCLUSIVE lock while the index is built and every "
                                                 "row checked (no NOT VALID for exclusion constraints)")]

    def _hazards_add_column(self, op) -> list[Hazard]:
        c = op.column
        volatile = c.default is not None and c.default.kind == "sequence" or (
            c.default is not None and re.search(r"\b(random|nextval|gen_random_uuid|uuid_generate_v\d|"
                                                r"clock_timestamp|timeofday)\s*\(", c.default.expr))
        if c.identity is not None or c.generated is not None or volatile:
            return [Hazard(HazardKind.TABLE_REWRITE, f"adding {c.name} fills every existing row: "
                                                     "the table is rewritten"),
                    Hazard(HazardKind.BLOCKING_LOCK, "ACCESS EXCLUSIVE lock for the whole rewrite")]
        return []

    def _hazards_alter_column(self, op) -> list[Hazard]:
        out = []
        if "type" in op.what and not metadata_only_type_change(op.before.type, op.after.type):
            out += [Hazard(HazardKind.TABLE_REWRITE, f"{op.before.type} → {op.after.type} rewrites the "
                                                     "table and its indexes"),
                    Hazard(HazardKind.BLOCKING_LOCK, "ACCESS EXCLUSIVE lock for the whole rewrite")]
        elif "collation" in op.what:
            out.append(Hazard(HazardKind.BLOCKING_LOCK, "indexes on the column are rebuilt under an "
                                                        "ACCESS EXCLUSIVE lock"))
        if "type" in op.what and op.using is None and cast_can_fail(op.before.type, op.after.type):
            out.append(Hazard(HazardKind.VALIDATION_SCAN, f"the cast from {op.before.type} to "
                              f"{op.after.type} fails on a value that does not convert (or does not fit): "
                              "the whole ALTER is then rolled back and the table left as it was"))
        if "nullable" in op.what and not op.after.nullable:
            out.append(Hazard(HazardKind.VALIDATION_SCAN, "a CHECK (… IS NOT NULL) NOT VALID is validated "
                                                          "(scan without blocking writes), then SET NOT NULL "
                                                          "uses it"))
        if "identity" in op.what:
            out += _identity_narrowing(op.table, op.before, op.after)
        return out

    def _hazards_set_table_options(self, op) -> list[Hazard]:
        if dict(op.table.options).get("unlogged") != dict(op.options).get("unlogged"):
            return [Hazard(HazardKind.TABLE_REWRITE, "SET LOGGED/UNLOGGED rewrites the table"),
                    Hazard(HazardKind.BLOCKING_LOCK, "ACCESS EXCLUSIVE lock for the whole rewrite")]
        return []

    def _hazards_replace_enum(self, op) -> list[Hazard]:
        out = []
        for table, column in op.usages:
            out += [Hazard(HazardKind.TABLE_REWRITE, f"{table.qualified_name}.{column.name} is converted "
                                                     "to the new type: the table is rewritten"),
                    Hazard(HazardKind.BLOCKING_LOCK, f"ACCESS EXCLUSIVE lock on {table.qualified_name} for "
                                                     "the rewrite")]
        return out

    def _hazards_add_enum_value(self, op) -> list[Hazard]:
        return []

    def _hazards_copy_rows(self, op) -> list[Hazard]:
        if not op.key:
            return []
        return [Hazard(HazardKind.BLOCKING_LOCK, "until the copy commits, old code's updates and "
                       "deletes of the rows it has copied wait for it (their triggers write the same "
                       "rows of the new table; the copy holds a KEY SHARE lock on each row it read)")]

    def render_rollback(self, op) -> list[str] | None:
        """SQL that undoes ``op`` without loss, [] when nothing needs undoing, None when it cannot be."""
        from ..planner import ops as o

        kind = op.kind
        if kind in ("copy_rows", "copy_column", "fill_column"):
            return []
        inverse = {
            "create_table": lambda: o.DropTable(op.table),
            "add_column": lambda: o.DropColumn(op.apply(op.table), column=op.column),
            "create_index": lambda: o.DropIndex(op.apply(op.table), index=op.index),
            "add_foreign_key": lambda: o.DropForeignKey(op.apply(op.table), foreign_key=op.foreign_key),
            "add_check": lambda: o.DropCheck(op.apply(op.table), check=op.check),
            "add_primary_key": lambda: o.DropPrimaryKey(op.apply(op.table), primary_key=op.primary_key),
            "drop_primary_key": lambda: o.AddPrimaryKey(op.apply(op.table), primary_key=op.primary_key),
            "drop_index": lambda: o.CreateIndex(op.apply(op.table), index=op.index),
            "drop_foreign_key": lambda: o.AddForeignKey(op.apply(op.table), foreign_key=op.foreign_key),
            "drop_check": lambda: o.AddCheck(op.apply(op.table), check=op.check),
            "add_exclusion": lambda: o.DropExclusion(op.apply(op.table), exclusion=op.exclusion),
            "drop_exclusion": lambda: o.AddExclusion(op.apply(op.table), exclusion=op.exclusion),
            "create_enum": lambda: o.DropEnum(None, enum=op.enum),
            "set_table_comment": lambda: o.SetTableComment(op.apply(op.table), comment=op.table.comment),
            "set_table_options": lambda: o.SetTableOptions(op.apply(op.table), options=op.table.options),
            "alter_column": lambda: o.AlterColumn(op.apply(op.table), before=op.after, after=op.before,
                                                  what=op.what),
            "create_sync_trigger": lambda: o.DropSyncTrigger(op.table, old=op.old, new=op.new),
            "drop_sync_trigger": lambda: o.CreateSyncTrigger(op.table, old=op.old, new=op.new),
            "create_table_sync": lambda: o.DropTableSync(op.table, source=op.source, columns=op.columns,
                                                         key=op.key, back=op.back),
            "drop_table_sync": lambda: o.CreateTableSync(op.table, source=op.source, columns=op.columns,
                                                         key=op.key, back=op.back),
        }.get(kind)
        if inverse is None or kind == "alter_column" and "type" in op.what and (
                op.using is not None or not self.converts_type(op.after.type, op.before.type)):
            return None  # no way back the server knows of
        try:
            return self.render(inverse())
        except PlanError:
            return None


# -- small helpers -------------------------------------------------------------------------------
_PG_TOKEN = re.compile(r'''"(?:[^"]|"")*"|'(?:[^']|'')*'|[A-Za-z_\u0080-\uffff][\w$\u0080-\uffff]*|\S''')


def _trigger_parts(text: str) -> tuple[str, str] | None:
    """(events, tail) of a ``pg_get_triggerdef`` text: ``CREATE TRIGGER name <events> ON
    schema.table<tail>``; None for any other shape (a CONSTRAINT TRIGGER)."""
    toks = list(_PG_TOKEN.finditer(text))
    if len(toks) < 6 or [t.group() for t in toks[:2]] != ["CREATE", "TRIGGER"]:
        return None
    on = next((i for i in range(3, len(toks)) if toks[i].group() == "ON"), None)
    if on is None or on + 1 >= len(toks):
        return None
    end = on + 3 if on + 3 < len(toks) and toks[on + 2].group() == "." else on + 1
    return text[toks[3].start():toks[on - 1].end()], text[toks[end].end():]


def _names(text: str, name: str) -> bool:
    """Whether ``text`` names ``name`` as a word (any case; quoted or not)."""
    return re.search(rf"(?<![\w$]){re.escape(name)}(?![\w$])", text, re.IGNORECASE) is not None


def _sql(name: str) -> str:
    return _SQL_CACHE.get(name) or _SQL_CACHE.setdefault(
        name, resources.files(__package__).joinpath(f"sql/postgresql/{name}.sql").read_text(encoding="utf-8"))


_SQL_CACHE: dict[str, str] = {}
_NEXTVAL = re.compile(r"nextval\('((?:[^']|'')+)'(?:::regclass)?\)", re.I)
_TYPE_CACHE: dict[tuple[str, str], ColumnType] = {}


def _canonical_args(name: str, args: tuple[int, ...], raw: str) -> tuple[str, tuple[int, ...]]:
    if name == "float":
        return ("real" if args and args[0] <= 24 else "double"), ()
    if name in ("char", "bit") and not args and raw.strip().lower() not in ("bpchar",):
        return name, (1,)
    if name == "numeric" and len(args) == 1:
        return name, (args[0], 0)
    if name in DEFAULT_PRECISION_6 and args == (6,):
        return name, ()
    return name, args


def _enum_default_kept(default: Default, enum: EnumType) -> bool:
    """Whether a column default survives an enum's replacement (its label is still a value)."""
    m = re.fullmatch(r"'((?:[^']|'')*)'", default.expr)
    return m is None or m.group(1).replace("''", "'") in enum.values


TYPE_MAX = {"smallint": 2**15 - 1, "integer": 2**31 - 1, "bigint": 2**63 - 1}
_SEQ_FIELDS = {"START WITH": "start", "INCREMENT BY": "increment", "CACHE": "cache"}


def _default_bounds(increment: int, type_name: str) -> tuple[int, int]:
    """MINVALUE / MAXVALUE PostgreSQL gives a sequence of this type when none is named: 1 and the
    type's maximum ascending, the type's minimum and -1 descending (CREATE SEQUENCE)."""
    top = TYPE_MAX.get(type_name, TYPE_MAX["bigint"])
    return (1, top) if increment > 0 else (-top - 1, -1)


def _sequence(ident: Identity, type_name: str) -> Identity:
    """Every option of an identity's sequence spelled out, as the server fills them in. A START
    beyond the default bounds widens them (the bound it needs, as the model asks for that start)."""
    increment = ident.increment or 1
    lo, hi = _default_bounds(increment, type_name)
    if ident.minvalue is not None:
        lo = ident.minvalue
    elif ident.start is not None and ident.start < lo:
        lo = ident.start
    if ident.maxvalue is not None:
        hi = ident.maxvalue
    elif ident.start is not None and ident.start > hi:
        hi = ident.start
    start = ident.start if ident.start is not None else (lo if increment > 0 else hi)
    return Identity(ident.kind, start, increment, lo, hi, bool(ident.cycle), ident.cache or 1)


def _identity_narrowing(table: Table, before: Column, after: Column) -> list[Hazard]:
    """An identity whose range narrows (MINVALUE up, MAXVALUE down) or that stops cycling: rows
    keep their values, but inserts that take the next identity value fail sooner (at once when
    the clamped current value sits on the new bound)."""
    a, b = before.identity, after.identity
    if a is None or b is None or "autoincrement" in (a.kind, b.kind):
        return []
    old, new = _sequence(a, before.type.name), _sequence(b, after.type.name)
    what = [f"{word} {x} → {y}" for word, x, y, narrower in (
        ("MINVALUE", old.minvalue, new.minvalue, new.minvalue > old.minvalue),
        ("MAXVALUE", old.maxvalue, new.maxvalue, new.maxvalue < old.maxvalue)) if narrower]
    if old.cycle and not new.cycle:
        what.append("CYCLE → NO CYCLE")
    if not what:
        return []
    where = f"{table.qualified_name}.{after.name}" if table is not None else after.name
    return [Hazard(HazardKind.BACKWARD_INCOMPATIBLE, f"the identity of {where} "
                   f"narrows ({', '.join(what)}): its current value is clamped into the new bounds, and "
                   "inserts (old code's and new code's) that take the next identity value fail once the "
                   "sequence reaches a bound (at once if its current value lay beyond it); "
                   + ("with CYCLE it wraps to values rows may already hold" if new.cycle else
                      "without CYCLE it does not wrap around"))]


def _bound_changes(old: Identity, new: Identity, type_name: str) -> list[str]:
    """SET MINVALUE / MAXVALUE where the bound changes (NO … where the new one is the default)."""
    lo, hi = _default_bounds(new.increment, type_name)
    out = []
    for word, a, b, default in (("MINVALUE", old.minvalue, new.minvalue, lo),
                                ("MAXVALUE", old.maxvalue, new.maxvalue, hi)):
        if a != b:
            out.append(f"SET NO {word}" if b == default else f"SET {word} {b}")
    return out


def _partitioned(table: Table | None) -> bool:
    """A partitioned table (its indexes cannot be built CONCURRENTLY, nor its FKs added NOT VALID)."""
    return table is not None and any(k == "partition_by" for k, _ in table.options)


def _canonical_identity(ident: Identity | None, type_name: str) -> Identity | None:
    """Only the options that differ from the server's defaults for the column's type (an
    omitted START is the first bound the sequence walks from)."""
    if ident is None or ident.kind == "autoincrement":
        return ident
    full = _sequence(ident, type_name)
    lo, hi = _default_bounds(full.increment, type_name)
    up = full.increment > 0
    first = full.minvalue if up else full.maxvalue
    # a bound beyond the default that the start itself lies on is implied by the start
    implied = full.start == first and (first < lo if up else first > hi)
    return Identity(ident.kind, start=full.start if implied or full.start != first else None,
                    increment=None if full.increment == 1 else full.increment,
                    minvalue=None if full.minvalue == lo or implied and up else full.minvalue,
                    maxvalue=None if full.maxvalue == hi or implied and not up else full.maxvalue,
                    cycle=full.cycle, cache=None if full.cache == 1 else full.cache)


def _canonical_number(expr: str, t: ColumnType) -> str:
    """Integer columns: ``1.0`` and ``1`` are one value; numeric(p, s) keeps the literal's text."""
    if t.name in INTEGERS:
        try:
            value = Decimal(expr)
        except InvalidOperation:
            return expr
        if value == value.to_integral_value():
            return str(int(value))
    return expr


def _numeric_equal(a: str, b: str, t: ColumnType) -> bool:
    """numeric(p, s) stores ``0`` and ``0.00`` as the same value."""
    if t.name != "numeric" or len(t.args) != 2:
        return False
    try:
        return Decimal(a) == Decimal(b)
    except InvalidOperation:
        return False


_NUMERIC = re.compile(r"[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?")


def _is_literal(expr: str) -> bool:
    return bool(_NUMERIC.fullmatch(expr) or re.fullmatch(r"[eE]?'(?:[^']|'')*'|true|false", expr))


def _index_key(i: Index):
    return (tuple((p.column or "", p.expr or "") for p in i.parts), i.is_constraint, i.name or "")


def _storage(options) -> list[tuple[str, str]]:
    return [(k, v) for k, v in options if k not in ("partition_by", "unlogged")]


#: a PL/pgSQL body's first line: a name that is both a column and a variable is the column (a
#: user's column may be called like the loop's counters)
_USE_COLUMN = "#variable_conflict use_column\n"


def _do_block_tagged(body: str) -> str:
    """``DO`` with a dollar-quote tag that ``body`` (which may hold user SQL) does not contain."""
    tag = "$sd$"
    while tag in body:
        tag = tag[:-1] + "x$"
    return f"DO {tag}\n{body}\n{tag}"


def _do_block(body: str) -> str:
    return _do_block_tagged(f"BEGIN {body} END")


def metadata_only_type_change(a: ColumnType, b: ColumnType) -> bool:
    """Whether ALTER COLUMN TYPE from ``a`` to ``b`` only changes the catalog (binary-coercible with
    no length check): varchar widening, varchar → text, numeric precision widening at equal scale,
    time precision widening."""
    if a.array_dims != b.array_dims:
        return False
    if a == b:
        return True
    if a.name == "varchar" and b.name in ("varchar", "text"):
        return b.name == "text" or not b.args or bool(a.args) and b.args[0] >= a.args[0]
    if a.name == "varbit" and b.name == "varbit":
        return not b.args or bool(a.args) and b.args[0] >= a.args[0]
    if a.name == "numeric" and b.name == "numeric":
        return not b.args or (len(a.args) == 2 and a.args[1] == b.args[1] and b.args[0] >= a.args[0])
    if a.name == b.name and a.name in DEFAULT_PRECISION_6:
        return not b.args or bool(a.args) and b.args[0] >= a.args[0]
    return False


#: The explicit casts between built-in types other than the string types, as ``pg_cast`` lists
#: them (PostgreSQL 12–17, canonical names). Any type converts to a string type and a string type
#: to any type by I/O conversion, which ``pg_cast`` does not list; user types (enums, domains) go
#: through text (``_using``). Between two of the types named here, a pair missing from this table
#: has no cast at all: integer/numeric ↔ date/time/timestamp/interval, boolean ↔ any number but
#: integer, date ↔ time, uuid/bytea/macaddr ↔ anything but text, numbers → json …
CASTS: dict[str, frozenset[str]] = {k: frozenset(v) for k, v in {
    "smallint": NUMBERS,
    "integer": NUMBERS | {"money", "boolean", "bit"},
    "bigint": NUMBERS | {"money", "bit"},
    "numeric": NUMBERS | {"money"},
    "real": NUMBERS,
    "double": NUMBERS,
    "money": {"numeric"},
    "boolean": {"integer"},
    "date": {"timestamp", "timestamptz"},
    "time": {"interval", "timetz"},
    "timetz": {"time"},
    "timestamp": {"date", "time", "timestamptz"},
    "timestamptz": {"date", "time", "timetz", "timestamp"},
    "interval": {"time"},
    "json": {"jsonb"},
    "jsonb": NUMBERS | {"boolean", "json"},
    "bit": {"integer", "bigint", "varbit"},
    "varbit": {"bit"},
    "inet": {"cidr"},
    "cidr": {"inet"},
    "uuid": set(), "bytea": set(), "macaddr": set(), "xml": set(),
}.items()}


def has_cast(a: ColumnType, b: ColumnType) -> bool:
    """Whether PostgreSQL has a cast from ``a`` to ``b`` (``CASTS``); types it does not know of
    (extensions, user types, arrays of another depth) are taken as castable."""
    if a.name == b.name or a.array_dims != b.array_dims or a.name in TEXTS or b.name in TEXTS:
        return True
    if a.name not in CASTS or b.name not in CASTS:
        return True
    return b.name in CASTS[a.name]


#: the largest magnitude a number type holds (numeric(p, s): below 10 ** (p - s))
_NUMBER_LIMIT = {"smallint": 2 ** 15, "integer": 2 ** 31, "bigint": 2 ** 63, "real": 3.4e38,
                 "double": 1.7e308}


def _number_limit(t: ColumnType) -> float:
    if t.name == "numeric":
        return 10.0 ** (t.args[0] - (t.args[1] if len(t.args) > 1 else 0)) if t.args else float("inf")
    return _NUMBER_LIMIT[t.name]


def _shorter(b: ColumnType, a: ColumnType) -> bool:
    """Whether string type ``b`` holds fewer characters than ``a`` (no length: unbounded; an
    ALTER … TYPE then fails on a longer value: ``value too long``, it does not truncate)."""
    return bool(b.args) and (not a.args or b.args[0] < a.args[0])


def cast_can_fail(a: ColumnType, b: ColumnType) -> bool:
    """Whether ALTER COLUMN TYPE from ``a`` to ``b`` can fail on some values: a string parsed as
    anything else (number, date, boolean, uuid, json, an enum …) or into a shorter string type
    (``value too long``), a number into a type with a
    smaller range (or fewer integer digits), jsonb read as a number or boolean."""
    if a.array_dims != b.array_dims or a == b:
        return False
    if a.name in TEXTS:
        return b.name not in TEXTS or _shorter(b, a)
    if a.name in NUMBERS and b.name in NUMBERS:
        return _number_limit(b) < _number_limit(a)
    return a.name == "jsonb" and (b.name in NUMBERS or b.name == "boolean")


#: the transaction-local setting that tells a renamed table's sync trigger that the write it sees
#: comes from the other direction's trigger (or from the copy): it does not write it back
_SYNCING = "schemadrift.syncing"


def _spells_serial(table: str, schema: str | None, col: Column) -> bool:
    """Whether ``col``'s default is ``nextval()`` of the sequence a serial column of its table
    would own (``<table>_<column>_seq``, unqualified or in the table's schema; any schema where
    ``schema`` is None). Models spell a serial column so (reflection, sqlacodegen), and a database
    may hold such a default with a sequence it does not own: both read as the serial column,
    which behaves the same for every insert."""
    if col.identity not in (None, Identity("autoincrement")) or col.type.name not in SERIAL \
            or col.nullable:  # a serial column is NOT NULL
        return False
    m = _NEXTVAL.fullmatch((col.default.raw or col.default.expr) if col.default is not None else "")
    if not m:
        return False
    parts = [p.replace('""', '"') if p.startswith('"') else p.lower()
             for p in re.findall(r'"(?:[^"]|"")*"|[^."]+', m.group(1).replace("''", "'"))]
    parts = [p[1:-1] if p.startswith('"') else p for p in parts]
    return parts[-1] == serial_sequence_name(table, col.name) and (
        len(parts) == 1 or schema is None or parts[0] == schema)


def _mentions(expr: str, column: str) -> bool:
    """Whether ``expr`` names ``column`` (unquoted, as a word, or double-quoted)."""
    quoted = '"' + column.replace('"', '""') + '"'
    return quoted in expr or re.search(rf'(?<![\w$."]){re.escape(column)}(?![\w$"])', expr) is not None


def serial_sequence_name(table: str, column: str) -> str:
    """The sequence a serial column names as PostgreSQL does (``<table>_<column>_seq``, the longer
    name cut first to fit 63 bytes)."""
    return pg_names.object_name(table, column, "seq")


def _counted(c) -> bool:
    """Whether ``c`` takes its values from a sequence (serial, identity)."""
    return c is not None and (c.identity is not None
                              or (c.default is not None and c.default.kind == "sequence"))


def _needs_using(a: ColumnType, b: ColumnType) -> bool:
    """An explicit USING where PostgreSQL has no assignment cast (text → integer, text → enum …)."""
    if a.name == b.name:
        return False
    families = (TEXTS, NUMBERS, {"timestamp", "timestamptz", "date"}, {"json", "jsonb"})
    return not any(a.name in f and b.name in f for f in families)


BUILTIN_TYPES = NUMBERS | TEXTS | {
    "boolean", "date", "time", "timetz", "timestamp", "timestamptz", "interval", "json", "jsonb", "bytea",
    "uuid", "inet", "cidr", "macaddr", "bit", "varbit", "xml", "money", "tsvector", "tsquery", '"char"'}


def _using(column: str, a: ColumnType, b: ColumnType, target: str) -> str:
    """The USING expression: through text where either side is a user type (enum, domain)."""
    if a.name not in BUILTIN_TYPES or b.name not in BUILTIN_TYPES:
        return f"{column}::text{'[]' * a.array_dims}::{target}"
    return f"{column}::{target}"


DIALECT = PostgresDialect
