"""MySQL and MariaDB: one module, two flavours (``mysql`` / ``mariadb``) with version predicates.

Introspection reads ``information_schema`` with one query per object kind for the whole database
(``sql/mysql/*.sql``; a ``<kind>.mysql.sql`` file overrides one for MySQL 8). The rows are turned
into the IR by pure functions, so that the facts of the flavour we have no server for (MySQL 8:
unquoted ``COLUMN_DEFAULT``, ``DEFAULT_GENERATED``, functional index parts) are unit-tested on rows
as that server returns them.

Normalization facts: ``tinyint(1)`` is boolean; display widths (``int(11)``) are not drift;
MariaDB's JSON is ``LONGTEXT`` plus a ``json_valid(col)`` CHECK; a unique index *is* the unique
constraint; the primary key is always called ``PRIMARY`` (so: no name); the index the server adds
for a foreign key is implicit; ``RESTRICT`` is ``NO ACTION`` (InnoDB checks both at once); a column
collation equal to its table's, and a table collation equal to its database's, are no option.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import replace
from decimal import Decimal, InvalidOperation, localcontext
from functools import cache, lru_cache
from importlib import resources

import sqlalchemy as sa

from ..errors import PlanError
from ..ir import (
    Check,
    Column,
    ColumnType,
    Default,
    ForeignKey,
    Generated,
    Identity,
    Index,
    IndexPart,
    PrimaryKey,
    Schema,
    Table,
)
from ..models import ModelReader
from ..planner import ops as O
from ..planner.model import Hazard, HazardKind
from .base import Dialect, collector_paused
from .mysql_expr import canonical_expr, quote_string, unquote

# -- type facts ---------------------------------------------------------------------------------
TYPE_ALIASES = {
    "int": "integer", "integer": "integer", "int4": "integer", "smallint": "smallint", "int2": "smallint",
    "bigint": "bigint", "int8": "bigint", "tinyint": "tinyint", "int1": "tinyint", "mediumint": "mediumint",
    "int3": "mediumint", "middleint": "mediumint", "bool": "boolean", "boolean": "boolean",
    "decimal": "numeric", "numeric": "numeric", "dec": "numeric", "fixed": "numeric",
    "float": "real", "float4": "real", "double": "double", "double precision": "double", "real": "double",
    "float8": "double", "datetime": "timestamp", "timestamp": "timestamptz",
    "character": "char", "char": "char", "nchar": "char", "national char": "char",
    "varchar": "varchar", "character varying": "varchar", "nvarchar": "varchar",
    "national varchar": "varchar", "varcharacter": "varchar", "char varying": "varchar",
    "long varchar": "mediumtext", "long": "mediumtext", "long varbinary": "mediumblob",
}
INTEGER_TYPES = frozenset({"tinyint", "smallint", "mediumint", "integer", "bigint", "year"})
NUMERIC_TYPES = INTEGER_TYPES | {"numeric", "real", "double", "boolean"}
#: the server picks the smallest TEXT/BLOB type that holds TEXT(n) / BLOB(n)
_SIZED_LOBS = ((255, "tiny"), (65535, ""), (16777215, "medium"), (4294967295, "long"))
#: bytes per character assumed for TEXT(n) (utf8mb4, the default of both servers)
_MAX_BYTES_PER_CHAR = 4
#: the default collation of each common character set, per flavour (for models that name a charset)
DEFAULT_COLLATIONS = {
    "mariadb": {"utf8mb4": "utf8mb4_general_ci", "utf8mb3": "utf8mb3_general_ci",
                "latin1": "latin1_swedish_ci", "ascii": "ascii_general_ci", "binary": "binary",
                "ucs2": "ucs2_general_ci", "utf16": "utf16_general_ci", "utf32": "utf32_general_ci"},
    "mysql": {"utf8mb4": "utf8mb4_0900_ai_ci", "utf8mb3": "utf8mb3_general_ci",
              "latin1": "latin1_swedish_ci", "ascii": "ascii_general_ci", "binary": "binary",
              "ucs2": "ucs2_general_ci", "utf16": "utf16_general_ci", "utf32": "utf32_general_ci"},
}
_CHARSET_ALIASES = {"utf8": "utf8mb3"}
_CURRENT_TIMESTAMP = re.compile(r"current_timestamp(\(\d*\))?", re.I)
FK_RULES = {"RESTRICT": "NO ACTION", "NO ACTION": "NO ACTION", "CASCADE": "CASCADE",
            "SET NULL": "SET NULL", "SET DEFAULT": "SET DEFAULT"}
DEFAULT_ENGINE = "InnoDB"
#: the database character set models are assumed to be created in (they cannot say)
ASSUMED_DATABASE_CHARSET = "utf8mb4"
_TYPE = re.compile(r"([a-z][a-z0-9 ]*?)\s*(?:\(\s*([\d\s,]*)\))?((?:\s+(?:unsigned|signed|zerofill))*)",
                   re.I | re.S)
_TYPE_CHARSET = re.compile(r"\s+(?:CHARACTER\s+SET|CHARSET|COLLATE)\s+", re.I)
_TYPE_BINARY = re.compile(r"\s+BINARY$", re.I)
_TYPE_ENUM = re.compile(r"(?is)(enum|set)\s*\((.*)\)\s*$")
_ENUM_VALUE = re.compile(r"'(?:[^'\\]|\\.|'')*'")
_ON_UPDATE = re.compile(r"(?is)(.*?)\s+on\s+update\s+(.+)$")
_ON_UPDATE_EXTRA = re.compile(r"on update (\S+)", re.I)
_NUMBER = re.compile(r"[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?")
_STRING = re.compile(r"(_[a-z0-9]+\s*)?'(?:[^'\\]|\\.|'')*'|\"(?:[^\"\\]|\\.|\"\")*\"", re.I | re.S)


@lru_cache(maxsize=4096)  # a schema has a few distinct column types, each thousands of times
def _parse_type(raw: str) -> ColumnType:
    text = raw.strip()
    text = _TYPE_CHARSET.split(text)[0]
    text = _TYPE_BINARY.sub("", text)
    values: tuple[str, ...] = ()
    m = _TYPE_ENUM.match(text)
    if m:
        values = tuple(unquote(v) for v in _ENUM_VALUE.findall(m.group(2)))
        return ColumnType(name=m.group(1).lower(), values=values, raw=text)
    m = _TYPE.fullmatch(text)
    if not m:
        return ColumnType(name=" ".join(text.lower().split()), raw=text)
    base = " ".join(m.group(1).lower().split())
    args = tuple(int(a) for a in (m.group(2) or "").replace(" ", "").split(",") if a)
    flags = m.group(3).lower()
    return MySQLDialect._canonical_type(base, args, "unsigned" in flags or "zerofill" in flags, text)


@lru_cache(maxsize=64)
def _version_tuple(version: str | None, is_mariadb: bool) -> tuple[int, ...]:
    nums = re.findall(r"\d+", (version or "").split("-")[0])
    if nums:
        return tuple(int(n) for n in nums[:3])
    return (10, 11, 0) if is_mariadb else (8, 0, 30)


# -- the dialect --------------------------------------------------------------------------------
class MySQLDialect(Dialect):
    """MySQL 8 and MariaDB 10.x (``flavour``), with version predicates for what differs."""

    name = "mysql"
    sqlalchemy_name = "mysql"
    TRANSACTIONAL_DDL = False
    ALTER_TYPE_KEEPS_FOREIGN_KEYS = False  # error 1832: a FK's column cannot change type
    CONCURRENT_INDEX = False
    NAMED_ENUMS = False
    PARTIAL_INDEX = False
    MULTI_SCHEMA = False
    #: error 1442: a trigger cannot write the table whose statement fired it, even behind a
    #: guard, so a renamed table's window is synced one way only (old → new)
    TABLE_SYNC = True
    #: InnoDB foreign key names are unique in the database (there is no RENAME for them)
    SCHEMA_WIDE_NAMES = {"foreign_key": "foreign_key"}

    def __init__(self, version: str | None = None, flavour: str | None = None):
        super().__init__(version, flavour if flavour in ("mysql", "mariadb") else "mysql")

    def name_namespace(self, kind: str) -> str | None:
        """MySQL 8 CHECK names are unique in the database too; MariaDB's are per table."""
        if kind == "check" and not self.is_mariadb:
            return "check"
        return super().name_namespace(kind)

    # -- version predicates ----------------------------------------------------------------------
    @property
    def is_mariadb(self) -> bool:
        return self.flavour == "mariadb"

    def version_tuple(self) -> tuple[int, ...]:
        return _version_tuple(self.version, self.is_mariadb)

    def at_least(self, mariadb: tuple[int, ...] | None, mysql: tuple[int, ...] | None) -> bool:
        wanted = mariadb if self.is_mariadb else mysql
        return wanted is not None and self.version_tuple() >= wanted

    def supports_instant_add_column(self) -> bool:
        return self.at_least((10, 3, 2), (8, 0, 12))

    def supports_instant_drop_column(self) -> bool:
        return self.at_least((10, 4, 0), (8, 0, 29))

    def supports_instant_varchar_extend(self) -> bool:
        return self.at_least((10, 4, 3), None)

    def supports_check(self) -> bool:
        return self.at_least((10, 2, 1), (8, 0, 16))

    def supports_drop_constraint(self) -> bool:
        return self.at_least((10, 2, 1), (8, 0, 19))

    def supports_expression_default(self) -> bool:
        return self.at_least((10, 2, 1), (8, 0, 13))

    def quotes_column_default(self) -> bool:
        """MariaDB ≥ 10.2.7 quotes literal defaults in COLUMN_DEFAULT; MySQL never does."""
        return self.at_least((10, 2, 7), None)

    def default_collation(self, charset: str | None) -> str | None:
        if not charset:
            return None
        charset = _CHARSET_ALIASES.get(charset.lower(), charset.lower())
        if charset == "utf8mb4" and self.at_least((11, 5, 0), None):
            return "utf8mb4_uca1400_ai_ci"
        if charset == "utf8mb4" and not self.is_mariadb and not self.at_least(None, (8, 0, 0)):
            return "utf8mb4_general_ci"
        return DEFAULT_COLLATIONS[self.flavour].get(charset, charset + "_general_ci")

    # -- introspection ---------------------------------------------------------------------------
    def introspect(self, conn: sa.Connection, schemas: list[str] | None = None) -> Schema:
        """Read the connected database (or ``schemas``): one query per object kind."""
        with collector_paused():  # (as the SQLite reader: ~100,000 objects, no cycle among them)
            current, version = conn.exec_driver_sql("SELECT DATABASE(), VERSION()").one()
            self.flavour = "mariadb" if "mariadb" in (version or "").lower() else "mysql"
            self.version = self.version or (version or "").split("-")[0] or None
            wanted = list(schemas) if schemas else [current]
            rows = {kind: self._query(conn, kind, wanted) for kind in
                    ("schemata", "tables", "columns", "indexes", "foreign_keys", "checks", "others",
                     "triggers")}
            rows["foreign_keys"] = self.complete_foreign_keys(conn, rows["foreign_keys"])
            return self.build(rows, current, version)

    def complete_foreign_keys(self, conn: sa.Connection, rows: list[dict]) -> list[dict]:
        """The foreign-key rows, with the tables whose rules (or referenced table) the catalog
        hid read again from ``SHOW CREATE TABLE``.

        MariaDB shows REFERENTIAL_CONSTRAINTS (and TABLE_CONSTRAINTS) only to a user holding a
        privilege other than SELECT on the table (MDEV-32500); KEY_COLUMN_USAGE needs any privilege.
        MySQL 8's views filter both with ``CAN_ACCESS_TABLE`` (SELECT is enough), so there, as for
        any MariaDB user with more than SELECT, nothing is missing and no statement is added."""
        missing = tables_missing_fk_facts(rows)
        if not missing:
            return rows
        cursor = conn.connection.cursor()  # DBAPI, no parameters: names with % reach the server as is
        try:
            ddl = {}
            for schema, table in sorted(missing):
                cursor.execute(f"SHOW CREATE TABLE {self.quote(schema)}.{self.quote(table)}")
                ddl[(schema, table)] = cursor.fetchone()[1]
        finally:
            cursor.close()
        return replace_foreign_key_rows(rows, ddl)

    def _query(self, conn: sa.Connection, kind: str, schemas: list[str]) -> list[dict]:
        text = self.catalog_sql(kind)
        if text is None:
            return []
        stmt = sa.text(text).bindparams(sa.bindparam("schemas", expanding=True))
        result = conn.execute(stmt, {"schemas": schemas})
        keys = tuple(result.keys())
        return [dict(zip(keys, r)) for r in result]

    def catalog_sql(self, kind: str) -> str | None:
        """The catalog query for ``kind`` on this server (None: the server has no such catalog)."""
        if kind == "checks" and not self.supports_check():
            return None  # no CHECK_CONSTRAINTS before MariaDB 10.2 / MySQL 8.0.16
        flavour = self.flavour
        if kind == "indexes" and not self.at_least(None, (8, 0, 13)):
            flavour = "mariadb"  # STATISTICS.EXPRESSION (functional key parts) came with 8.0.13
        return _sql(kind, flavour)

    def build(self, rows: dict[str, list[dict]], current: str | None, version: str | None) -> Schema:
        """The IR from catalog rows (as the queries in ``sql/mysql`` return them)."""
        db_collation = {r["schema_name"]: r["collation"] for r in rows.get("schemata", ())}
        tables: dict[tuple[str, str], dict] = {}
        for r in rows.get("tables", ()):
            if r["table_type"] in ("BASE TABLE", "SYSTEM VERSIONED"):
                tables[(r["table_schema"], r["table_name"])] = {
                    "row": r, "columns": [], "indexes": {}, "fks": {}, "checks": []}
        for kind, slot, name in (("columns", "columns", None), ("indexes", "indexes", "index_name"),
                                 ("foreign_keys", "fks", "constraint_name"), ("checks", "checks", None)):
            for r in rows.get(kind, ()):
                table = tables.get((r["table_schema"], r["table_name"]))
                if table is None:
                    continue  # a view's columns, or a table filtered out
                if name is None:
                    table[slot].append(r)
                else:
                    table[slot].setdefault(r[name], []).append(r)
        memo: dict = {}  # a column or index part met again (same catalog facts) is made once per read
        built = tuple(self._table(key, t, current, db_collation.get(key[0]), memo)
                      for key, t in tables.items())
        built = self._with_triggers(built, rows.get("triggers", ()), current)
        not_compared = tuple(sorted(self._not_compared(r, current) for r in rows.get("others", ())))
        # (each table is built as normalize() would leave it: only the cross-table step is left)
        return self._normalize_schema(Schema(dialect=self.flavour, tables=built, default_schema=current,
                                             server_version=version, not_compared=not_compared))

    def _with_triggers(self, tables: tuple[Table, ...], rows, current) -> tuple[Table, ...]:
        """``tables`` with their user triggers (``Table.triggers``), each as the CREATE TRIGGER
        that ``_trigger_text`` builds from its parts (the shape ``carried_trigger`` reads)."""
        found: dict[tuple, list] = {}
        for r in rows:
            schema = None if r["table_schema"] == current else r["table_schema"]
            found.setdefault((schema, r["table_name"]), []).append(r)
        return tuple(replace(t, triggers=tuple(
            (r["name"], self._trigger_text(r["name"], r["timing"], r["event"], t, r["body"]))
            for r in found[(t.schema, t.name)])) if (t.schema, t.name) in found else t for t in tables)

    def _trigger_text(self, name: str, timing: str, event: str, table: Table, body: str) -> str:
        return (f"CREATE TRIGGER {self.qualified(name, table.schema)} {timing} {event} ON "
                f"{self.table_name(table)} FOR EACH ROW {body}")

    def carried_trigger(self, schema: Schema, old: Table, new: Table, trigger: tuple[str, str],
                        columns: dict[str, str]) -> str | None:
        """The trigger built again on ``new`` from its parts, unless its body names (as a word,
        in any case) a column of ``old`` that ``new`` does not keep under its name, or ``old``
        itself (a body that reads or writes the dropped table)."""
        name, text = trigger
        m = re.fullmatch(rf"CREATE TRIGGER {re.escape(self.qualified(name, old.schema))} (BEFORE|AFTER) "
                         rf"(INSERT|UPDATE|DELETE) ON {re.escape(self.table_name(old))} FOR EACH ROW (.*)",
                         text, re.S)
        if m is None:
            return None
        timing, event, body = m.groups()
        key = self.column_key
        changed = [c.name for c in old.columns if key(columns.get(key(c.name), "")) != key(c.name)]
        if any(_names(body, n) for n in [old.name, *changed]):
            return None
        return self._trigger_text(name, timing, event, new, body)

    def _not_compared(self, r: dict, current: str | None) -> str:
        name = r["name"] if r["table_schema"] == current else f"{r['table_schema']}.{r['name']}"
        return f"{r['kind']} {name}" + (f" on {r['on_table']}" if r.get("on_table") else "")

    def _table(self, key, t: dict, current, db_collation, memo: dict | None = None) -> Table:
        """One table, built as ``_normalize_table`` leaves it (column-name case, FK rules, JSON,
        index flags, order): ``tests/dialects/test_mysql_reader.py`` holds them to the same result."""
        memo = {} if memo is None else memo
        row = t["row"]
        table_collation = row["collation"]
        columns = tuple(self._column_memo(r, table_collation, memo) for r in t["columns"])
        spelled = {c.name.lower(): c.name for c in columns}
        fks = tuple(self._foreign_key(name, parts, current, spelled) for name, parts in t["fks"].items())
        if len(fks) > 1:
            fks = tuple(sorted(fks, key=_fk_order))
        pk, indexes = None, []
        for name, parts in t["indexes"].items():
            if name == "PRIMARY":
                pk = PrimaryKey(columns=tuple(_spelled(p["column_name"], spelled) for p in parts))
            else:
                indexes.append(self._index(name, parts, memo, fks, spelled))
        indexes.sort(key=_index_order)
        checks = tuple(Check(name=r["constraint_name"],
                             expr=self.normalize_expr(_check_text(r["check_clause"])),
                             validated=str(r.get("enforced") or "YES").upper() == "YES",
                             raw=r["check_clause"])
                       for r in t["checks"])
        columns, checks = _json_columns(columns, checks)
        options = table_options(row["engine"], row.get("charset"), table_collation,
                                row.get("collation_is_default"), db_collation)
        return Table(name=key[1], schema=None if key[0] == current else key[0], columns=columns,
                     primary_key=pk, indexes=tuple(indexes), foreign_keys=fks,
                     checks=tuple(sorted(checks, key=_check_order)),
                     comment=row["comment"] or None, options=tuple(sorted(options)))

    def _column_memo(self, r: dict, table_collation: str | None, memo: dict) -> Column:
        collation = r.get("collation")
        key = ("column", r["column_name"], r["column_type"], r["is_nullable"], r.get("column_default"),
               r.get("extra"), r.get("generation_expression"),
               None if collation == table_collation else collation, r.get("comment"))
        column = memo.get(key)
        if column is None:
            column = memo[key] = self._column(r, table_collation)
        return column

    def _column(self, r: dict, table_collation: str | None) -> Column:
        ctype = self.parse_type(r["column_type"])
        extra = (r.get("extra") or "").lower()
        generated = None
        if r.get("generation_expression") and "generated" in extra and "default_generated" not in extra:
            generated = Generated(self.normalize_expr(_check_text(r["generation_expression"])),
                                  stored="stored" in extra or "persistent" in extra)
        default = None if generated else self.normalize_default(self.catalog_default(r, ctype), ctype)
        collation = r.get("collation")
        return Column(
            name=r["column_name"], type=ctype, nullable=r["is_nullable"] == "YES", default=default,
            identity=Identity("autoincrement") if "auto_increment" in extra else None,
            generated=generated, collation=None if collation == table_collation else collation,
            comment=r.get("comment") or None)

    def catalog_default(self, r: dict, ctype: ColumnType) -> str | None:
        """COLUMN_DEFAULT (+ EXTRA's ON UPDATE) as SQL text, whichever way the server spells it."""
        value, extra = r.get("column_default"), r.get("extra") or ""
        if not self.quotes_column_default() and value is not None:
            if "DEFAULT_GENERATED" in extra.upper() or (
                    ctype.name in ("timestamp", "timestamptz") and _CURRENT_TIMESTAMP.fullmatch(value)):
                # (MySQL 5.7 and MariaDB < 10.2.7 print CURRENT_TIMESTAMP with no marker)
                value = _check_text(value)
                value = value if _is_call_or_keyword(value) else f"({value})"
            elif ctype.name not in NUMERIC_TYPES and not value.lower().startswith("b'"):
                value = quote_string(value)
        m = _ON_UPDATE_EXTRA.search(extra) if extra else None
        if m:
            value = f"{value or 'NULL'} ON UPDATE {m.group(1)}"
        return value

    def _index(self, name: str, parts: list[dict], memo: dict | None = None, fks: tuple = (),
               spelled: dict | None = None) -> Index:
        first = parts[0]
        method = (first.get("index_type") or "BTREE").lower()
        method = None if method == "btree" else method
        unique = not int(first["non_unique"])
        memo = {} if memo is None else memo
        ix_parts = tuple(self._index_part(p, memo, spelled or {}) for p in parts)
        return Index(name=name, unique=unique, is_constraint=unique, parts=ix_parts, method=method,
                     implicit=bool(fks) and _implicit_fk_index(name, unique, method, ix_parts, fks))

    def _index_part(self, p: dict, memo: dict, spelled: dict) -> IndexPart:
        column = p["column_name"]
        column = _spelled(column, spelled) if column is not None else None
        key = ("part", column, p.get("expression"), p.get("collation"), p.get("sub_part"))
        part = memo.get(key)
        if part is None:
            part = memo[key] = IndexPart(
                column=column,
                expr=self.normalize_expr(_check_text(p["expression"])) if p.get("expression") else None,
                descending=p.get("collation") == "D",
                prefix_length=int(p["sub_part"]) if p.get("sub_part") else None)
        return part

    def _foreign_key(self, name: str, parts: list[dict], current, spelled: dict | None = None) -> ForeignKey:
        first = parts[0]
        ref_schema = first["ref_schema"]
        spelled = spelled or {}
        return ForeignKey(
            name=name, columns=tuple(_spelled(p["column_name"], spelled) for p in parts),
            ref_table=first["ref_table"],
            ref_columns=tuple(p["ref_column"] for p in parts),
            ref_schema=None if ref_schema in (None, current, first["table_schema"]) else ref_schema,
            on_delete=_fk_rule(first["delete_rule"]), on_update=_fk_rule(first["update_rule"]))

    # -- normalization ---------------------------------------------------------------------------
    def parse_type(self, raw: str) -> ColumnType:
        """``COLUMN_TYPE`` (or a compiled SQLAlchemy type) → canonical ColumnType."""
        return _parse_type(raw)

    @staticmethod
    def _canonical_type(base: str, args: tuple[int, ...], unsigned: bool, raw: str) -> ColumnType:
        name = TYPE_ALIASES.get(base, base)
        if name == "serial":  # BIGINT UNSIGNED NOT NULL AUTO_INCREMENT UNIQUE
            name, unsigned = "bigint", True
        if name == "tinyint" and args == (1,) and not unsigned:
            name = "boolean"
        if name in INTEGER_TYPES or name == "boolean":
            args = ()
        elif name == "numeric":
            args = (args + (10, 0))[:2] if not args else (args + (0,))[:2]
        elif name == "real" and args:
            name, args = ("double" if args[0] > 24 else "real"), ()
        elif name in ("text", "blob") and args:
            size = args[0] * (_MAX_BYTES_PER_CHAR if name == "text" else 1)
            name = next(prefix for limit, prefix in _SIZED_LOBS if size <= limit) + name
            args = ()
        elif name in ("timestamp", "timestamptz", "time") and args == (0,):
            args = ()
        elif name in ("char", "binary") and not args:
            args = (1,)
        elif name == "bit" and not args:
            args = (1,)
        return ColumnType(name=name, args=args, unsigned=unsigned, raw=raw)

    def normalize_default(self, raw: str | None, column_type: ColumnType) -> Default | None:
        """A default as SQL text (MariaDB's COLUMN_DEFAULT, a compiled model default) → Default."""
        if raw is None:
            return None
        text = raw.strip()
        on_update = None
        m = _ON_UPDATE.match(text)
        if m and not text.startswith("'"):
            text, on_update = m.group(1).strip(), canonical_expr(m.group(2))
        if text.upper() == "NULL" and on_update is None:
            return None
        expr, kind = self._default_value(text, column_type)
        if on_update:
            expr, kind = f"{expr} on update {on_update}", "expression"
        return Default(expr=expr, kind=kind, raw=raw)

    def _default_value(self, text: str, ctype: ColumnType) -> tuple[str, str]:
        while text.startswith("(") and text.endswith(")") and _balanced(text[1:-1]):
            text = text[1:-1].strip()
        literal = _literal_value(text)
        if literal is not None or text.upper() in ("TRUE", "FALSE"):
            value = literal if literal is not None else ("1" if text.upper() == "TRUE" else "0")
            return self._typed_literal(value, ctype), "literal"
        if re.fullmatch(r"[bBxX]'[0-9a-fA-F]*'|0x[0-9a-fA-F]+", text):
            return text.lower(), "literal"
        return canonical_expr(text), "expression"

    def _typed_literal(self, value: str, ctype: ColumnType) -> str:
        if ctype.name not in NUMERIC_TYPES:
            return quote_string(value)
        with localcontext() as ctx:
            ctx.prec = 100  # DECIMAL(65, 30) and more
            try:
                number = Decimal(value.strip())
                if ctype.name == "boolean":
                    return "1" if number else "0"
                if ctype.name in ("real", "double"):
                    return repr(float(number))
                if ctype.name == "numeric" and len(ctype.args) == 2:
                    return str(number.quantize(Decimal(1).scaleb(-ctype.args[1])))
                return str(number.normalize()) if number != number.to_integral() else str(int(number))
            except (InvalidOperation, ValueError, OverflowError):
                return quote_string(value)

    def normalize_expr(self, raw: str) -> str:
        return canonical_expr(raw)

    def normalize(self, schema: Schema) -> Schema:
        """Both sides: unnamed primary keys, JSON checks, unique = constraint, implicit FK indexes,
        canonical FK rules and column-name case, and a stable order of indexes and constraints."""
        return self._normalize_schema(replace(schema, tables=tuple(self._normalize_table(t)
                                                                   for t in schema.tables)))

    def _normalize_schema(self, schema: Schema) -> Schema:
        """What ``normalize()`` does across tables, once each table is normalized: the case of the
        columns a foreign key references, and the order of the tables."""
        tables = schema.tables
        names = {(t.schema, t.name): {c.name.lower(): c.name for c in t.columns} for t in tables}

        def ref_case(fk: ForeignKey) -> ForeignKey:
            known = names.get((fk.ref_schema, fk.ref_table), {})
            ref_columns = tuple(known.get(c.lower(), c) for c in fk.ref_columns)
            return fk if ref_columns == fk.ref_columns else replace(fk, ref_columns=ref_columns)

        tables = tuple(_changed(t, "foreign_keys", tuple(ref_case(fk) for fk in t.foreign_keys))
                       for t in tables)
        return replace(schema, tables=tables).sorted()

    def _normalize_table(self, t: Table) -> Table:
        """(Each part is copied only where it changes: the reader builds tables this way already.)"""
        by_lower = {c.name.lower(): c.name for c in t.columns}

        def fix(name: str | None) -> str | None:
            return by_lower.get(name.lower(), name) if name is not None else None

        def fix_all(names: tuple) -> tuple:
            fixed = tuple(fix(c) for c in names)
            return names if fixed == names else fixed

        columns, checks = _json_columns(t.columns, t.checks)
        pk = t.primary_key
        if pk is not None and (pk.name is not None or fix_all(pk.columns) is not pk.columns):
            pk = PrimaryKey(columns=fix_all(pk.columns))
        fks = tuple(sorted((_normalized_fk(fk, fix_all(fk.columns)) for fk in t.foreign_keys),
                           key=_fk_order))
        indexes = []
        for ix in t.indexes:
            if any(fix(p.column) != p.column for p in ix.parts):
                ix = replace(ix, parts=tuple(replace(p, column=fix(p.column)) for p in ix.parts))
            implicit = _is_implicit_fk_index(ix, fks)
            if ix.is_constraint != ix.unique or ix.implicit != implicit:
                ix = replace(ix, is_constraint=ix.unique, implicit=implicit)
            indexes.append(ix)
        for name, value in (("columns", columns), ("primary_key", pk), ("foreign_keys", fks),
                            ("indexes", tuple(sorted(indexes, key=_index_order))),
                            ("checks", tuple(sorted(checks, key=_check_order))),
                            ("options", tuple(sorted(t.options)))):
            t = _changed(t, name, value)
        return t

    def column_key(self, name: str) -> str:
        """Column names are case-insensitive in MySQL."""
        return name.lower()

    def name_key(self, name: str) -> str:
        """Index and constraint names are case-insensitive too (MariaDB refuses CHECK ``c`` next
        to ``C``: error 1826)."""
        return name.lower()

    # -- models ----------------------------------------------------------------------------------
    def load_models(self, metadata: sa.MetaData) -> Schema:
        """SQLAlchemy models → IR, with the MySQL table and index options."""
        return MySQLModelReader(self).read(metadata)

    # -- rendering -------------------------------------------------------------------------------
    def quote(self, ident: str) -> str:
        return "`" + ident.replace("`", "``") + "`"

    def literal(self, value: object) -> str:
        if isinstance(value, str):
            return quote_string(value)
        return super().literal(value)

    def render_type(self, ctype: ColumnType) -> str:
        if ctype.raw:
            return ctype.raw
        if ctype.name in ("enum", "set"):
            return f"{ctype.name}({','.join(quote_string(v) for v in ctype.values)})"
        name = {"boolean": "tinyint(1)", "timestamp": "datetime", "timestamptz": "timestamp",
                "real": "float"}.get(ctype.name, ctype.name)
        args = f"({','.join(str(a) for a in ctype.args)})" if ctype.args else ""
        return f"{name}{args}" + (" unsigned" if ctype.unsigned else "")

    def render_default(self, default: Default) -> str:
        expr = default.expr
        on_update = ""
        m = re.match(r"(.*?) on update (.+)$", expr)
        if m and not expr.startswith("'"):
            expr, on_update = m.group(1), f" ON UPDATE {m.group(2)}"
        if default.kind == "literal" or expr == "null" or re.fullmatch(r"current_timestamp\(\d*\)", expr):
            return expr + on_update
        return f"({expr}){on_update}"

    def column_sql(self, c: Column) -> str:
        sql = f"{self.quote(c.name)} {self.render_type(c.type)}"
        if c.collation:
            sql += f" COLLATE {c.collation}"
        if c.generated:
            kind = "STORED" if c.generated.stored else "VIRTUAL"
            sql += f" GENERATED ALWAYS AS ({c.generated.expr}) {kind}"
        else:
            sql += " NULL" if c.nullable else " NOT NULL"
            if c.default is not None:
                sql += " DEFAULT " + self.render_default(c.default)
            if c.identity is not None:
                sql += " AUTO_INCREMENT"
        if c.comment:
            sql += " COMMENT " + self.literal(c.comment)
        return sql

    def _parts(self, ix: Index) -> str:
        out = []
        for p in ix.parts:
            text = self.quote(p.column) if p.column else f"({p.expr})"
            if p.prefix_length:
                text += f"({p.prefix_length})"
            out.append(text + (" DESC" if p.descending else ""))
        return ", ".join(out)

    def column_checks(self, table: Table, column: Column) -> list[Check]:
        """MariaDB's column-level CHECKs of ``column``: the server names them after the column, a
        MODIFY of the column drops them, and they cannot be named otherwise. Every check named
        after a column is rendered as one, so that these facts hold for what plans create too."""
        if not self.is_mariadb:
            return []
        return [ck for ck in table.checks if (ck.name or "").lower() == column.name.lower()]

    def _column_def(self, table: Table, column: Column) -> str:
        return self.column_sql(column) + "".join(f" CHECK ({ck.expr})"
                                                 for ck in self.column_checks(table, column))

    def _modify(self, table: Table, column: Column) -> str:
        """``MODIFY COLUMN`` with the full definition, column-level CHECKs included."""
        return f"MODIFY COLUMN {self._column_def(table, column)}"

    def _index_kind(self, ix: Index) -> str:
        if ix.method in ("fulltext", "spatial"):
            return ix.method.upper() + " INDEX"
        return "UNIQUE INDEX" if ix.unique else "INDEX"

    def _index_sql(self, ix: Index) -> str:
        name = f" {self.quote(ix.name)}" if ix.name else ""
        using = f" USING {ix.method.upper()}" if ix.method in ("hash", "btree") else ""
        return f"{self._index_kind(ix)}{name} ({self._parts(ix)}){using}"

    def _fk_sql(self, fk: ForeignKey) -> str:
        name = f"CONSTRAINT {self.quote(fk.name)} " if fk.name else ""
        ref = self.qualified(fk.ref_table, fk.ref_schema)
        sql = (f"{name}FOREIGN KEY ({', '.join(self.quote(c) for c in fk.columns)}) REFERENCES {ref} "
               f"({', '.join(self.quote(c) for c in fk.ref_columns)})")
        if fk.on_delete != "NO ACTION":
            sql += f" ON DELETE {fk.on_delete}"
        if fk.on_update != "NO ACTION":
            sql += f" ON UPDATE {fk.on_update}"
        return sql

    def _check_sql(self, ck: Check) -> str:
        return (f"CONSTRAINT {self.quote(ck.name)} " if ck.name else "") + f"CHECK ({ck.expr})"

    def _options_sql(self, options) -> list[str]:
        opts = dict(options)
        out = [f"ENGINE={opts.get('engine', DEFAULT_ENGINE)}"] if "engine" in opts else []
        if "charset" in opts:
            out.append(f"DEFAULT CHARSET={opts['charset']}")
        if "collate" in opts:
            out.append(f"COLLATE={opts['collate']}")
        return out

    def _alter(self, table: Table, clauses: list[str], algorithm: str | None = None,
               lock: str | None = None) -> str:
        tail = ([f"ALGORITHM={algorithm}"] if algorithm else []) + ([f"LOCK={lock}"] if lock else [])
        return f"ALTER TABLE {self.table_name(table)} " + ", ".join(clauses + tail)

    # tables
    def render_create_table(self, op: O.CreateTable) -> list[str]:
        t = op.table
        body = [self._column_def(t, c) for c in t.columns]
        inline = {id(ck) for c in t.columns for ck in self.column_checks(t, c)}
        if t.primary_key:
            body.append(f"PRIMARY KEY ({', '.join(self.quote(c) for c in t.primary_key.columns)})")
        body += [self._index_sql(ix) for ix in t.indexes if ix.is_constraint and not ix.implicit]
        body += [self._check_sql(ck) for ck in t.checks if id(ck) not in inline]
        body += [self._fk_sql(fk) for fk in t.foreign_keys]
        tail = self._options_sql(t.options) + ([f"COMMENT={self.literal(t.comment)}"] if t.comment else [])
        return [f"CREATE TABLE {self.table_name(t)} (\n  " + ",\n  ".join(body) + "\n)"
                + ("" if not tail else " " + " ".join(tail))]

    def render_drop_table(self, op: O.DropTable) -> list[str]:
        return [f"DROP TABLE {self.table_name(op.table)}"]

    def render_copy_rows(self, op: O.CopyRows) -> list[str]:
        """INSERT … SELECT; with ``batch_size``, one INSERT per range of the old table's key."""
        targets = ", ".join([self.quote(t) for t, _ in op.columns] + [self.quote(t) for t, _ in op.values])
        sources = ", ".join([self.quote(s) for _, s in op.columns] + [value for _, value in op.values])
        copy = (f"INSERT INTO {self.table_name(op.table)} ({targets}) "
                f"SELECT {sources} FROM {self.table_name(op.source)}")
        filters: list[str] = self._skip_synced(op)

        def where(*conditions: str) -> str:
            both = filters + list(conditions)
            return copy + (" WHERE " + " AND ".join(both) if both else "")
        statements = self._batched(op, op.source, lambda rows: [where(rows)]) or [where()]
        if any(_to_itself(op.table, fk) for fk in op.table.foreign_keys):
            # InnoDB checks a key per row: a row copied before the one it points at would fail,
            # though the old table's rows all hold that key (one TO adds waits for contract)
            statements = ["SET SESSION foreign_key_checks = 0", *statements,
                          "SET SESSION foreign_key_checks = 1"]
        return statements

    def render_set_table_comment(self, op: O.SetTableComment) -> list[str]:
        return [self._alter(op.table, [f"COMMENT={self.literal(op.comment or '')}"])]

    def render_set_table_options(self, op: O.SetTableOptions) -> list[str]:
        new, old = dict(op.options), dict(op.table.options)
        clauses = []
        if new.get("engine", DEFAULT_ENGINE) != old.get("engine", DEFAULT_ENGINE):
            clauses.append(f"ENGINE={new.get('engine', DEFAULT_ENGINE)}")
        charset_changed = (new.get("charset"), new.get("collate")) != (old.get("charset"), old.get("collate"))
        if charset_changed:
            clauses.append(f"CONVERT TO CHARACTER SET {new.get('charset', 'DEFAULT')}"
                           + (f" COLLATE {new['collate']}" if "collate" in new else ""))
        statements = [self._alter(op.table, clauses)] if clauses else []
        if charset_changed:  # CONVERT TO rewrites every text column: restore the explicit collations
            statements += [self._alter(op.table, [self._modify(op.table, c)])
                           for c in op.table.columns if c.collation]
        return statements

    # columns
    def render_add_column(self, op: O.AddColumn) -> list[str]:
        algorithm, lock = self._add_column_algorithm(op.table, op.column)
        clauses = [f"ADD COLUMN {self.column_sql(op.column)}"]
        if op.column.identity is not None and op.table.primary_key is None:
            # an AUTO_INCREMENT column must be a key in the statement that adds it
            clauses.append(f"ADD PRIMARY KEY ({self.quote(op.column.name)})")
        return [self._alter(op.table, clauses, algorithm, lock)]

    def render_drop_column(self, op: O.DropColumn) -> list[str]:
        algorithm = "INSTANT" if self._instant_drop(op.table, op.column) else None
        return [self._alter(op.table, [f"DROP COLUMN {self.quote(op.column.name)}"], algorithm)]

    def render_alter_column(self, op: O.AlterColumn) -> list[str]:
        what, after = set(op.what), op.after
        if "generated" in what:
            return self._replace_generated(op)
        if what == {"default"}:
            clause = self._default_clause(after)
            if clause:
                return [self._alter(op.table, [clause], "INSTANT" if self.is_mariadb else None)]
        algorithm, lock = self._modify_algorithm(op)
        return [self._alter(op.table, [self._modify(op.table, after)], algorithm, lock)]

    def _replace_generated(self, op: O.AlterColumn) -> list[str]:
        """A generated column cannot be MODIFYed: re-add it (to generated), or copy it into a new
        plain column that takes its name (to a plain column, keeping the values)."""
        col, after = self.quote(op.before.name), op.after
        if after.generated is not None:
            return [self._alter(op.table, [f"DROP COLUMN {col}", f"ADD COLUMN {self.column_sql(after)}"])]
        tmp = replace(after, name=(after.name + "__sd_new")[:64])
        return [self._alter(op.table, [f"ADD COLUMN {self.column_sql(replace(tmp, nullable=True))}"]),
                f"UPDATE {self.table_name(op.table)} SET {self.quote(tmp.name)} = {col}",
                self._alter(op.table, [f"DROP COLUMN {col}",
                                       f"CHANGE COLUMN {self.quote(tmp.name)} {self.column_sql(after)}"])]

    def _default_clause(self, column: Column) -> str | None:
        """ALTER COLUMN SET/DROP DEFAULT, or None where only a MODIFY can say it (ON UPDATE)."""
        if column.default is None:
            return f"ALTER COLUMN {self.quote(column.name)} DROP DEFAULT"
        if " on update " in column.default.expr:
            return None
        return f"ALTER COLUMN {self.quote(column.name)} SET DEFAULT {self.render_default(column.default)}"

    def render_copy_column(self, op: O.CopyColumn) -> list[str]:
        """One UPDATE; with ``batch_size``, one UPDATE per range of the primary key."""
        update = f"UPDATE {self.table_name(op.table)} SET {self.quote(op.target.name)} = " \
                 f"{self.quote(op.source.name)}"
        return self._batched(op, op.table, lambda batch: [f"{update} WHERE {batch}"]) or [update]

    def render_fill_column(self, op: O.FillColumn) -> list[str]:
        """One UPDATE of the NULLs; with ``batch_size``, one per range of the primary key, and an
        error (SIGNAL) as soon as the expression leaves a row of a batch NULL (SET NOT NULL would
        fail on it anyway)."""
        col, table = self.quote(op.column.name), self.table_name(op.table)
        update = f"UPDATE {table} SET {col} = {op.expr} WHERE {col} IS NULL"
        message = _signal_text(f"backfill of {op.table.qualified_name}.{op.column.name}",
                               ": the expression gives NULL for some rows")

        def batch(rows: str) -> list[str]:
            return [f"{update} AND {rows}",
                    f"IF EXISTS (SELECT 1 FROM {table} WHERE {rows} AND {col} IS NULL AND ({op.expr}) "
                    f"IS NULL) THEN SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = {quote_string(message)}; "
                    "END IF"]
        return self._batched(op, op.table, batch) or [update]

    # batched backfills
    def _batched(self, op, keyed: Table, batch) -> list[str] | None:
        """``batch(rows)`` (statements for the rows that the condition ``rows`` picks) run once per
        range of ``batch_size`` rows of ``keyed``'s primary key, each range committed; None when
        unbatched (no ``batch_size``, or no key to page by: ``_paging_key``).

        The ranges come from the key itself, never from ``ROW_COUNT()`` or a condition on the
        values written: each range starts after the last one, so the loop ends after one pass,
        whatever the UPDATE leaves (a value that compares equal or not after a type conversion,
        PAD SPACE, NULL from an expression), and whether the client counts changed or matched
        rows. MariaDB runs the loop as a compound statement (``BEGIN NOT ATOMIC``, 10.1.1+); MySQL
        has compound statements only in stored programs, so there it is a procedure created,
        called and dropped by the step."""
        key = _paging_key(keyed)
        if not getattr(op, "batch_size", None) or key is None:
            return None
        cols = [self.quote(c) for c in key]
        lo, hi = ([f"@sd_{end}_{i}" for i in range(1, len(key) + 1)] for end in ("lo", "hi"))
        table, listed = self.table_name(keyed), ", ".join(cols)
        ascending, descending = listed, ", ".join(c + " DESC" for c in cols)
        rows = f"{_key_compare(cols, lo, '>', '>=')} AND {_key_compare(cols, hi, '<', '<=')}"
        first = f"SELECT {listed} INTO {', '.join(lo)} FROM {table}"
        body = [
            "DECLARE CONTINUE HANDLER FOR NOT FOUND BEGIN END",  # no next row: the variables stay NULL
            f"SET {', '.join(v + ' = NULL' for v in lo + hi)}",
            f"{first} ORDER BY {ascending} LIMIT 1",
            f"WHILE {lo[0]} IS NOT NULL DO",
            f"  SELECT {listed} INTO {', '.join(hi)} FROM (SELECT {listed} FROM {table} WHERE "
            f"{_key_compare(cols, lo, '>', '>=')} ORDER BY {ascending} LIMIT {int(op.batch_size)}) "
            f"AS sd_batch ORDER BY {descending} LIMIT 1",
            *("  " + s for s in batch(rows)),
            "  COMMIT",
            f"  SET {', '.join(v + ' = NULL' for v in lo)}",
            f"  {first} WHERE {_key_compare(cols, hi, '>', '>')} ORDER BY {ascending} LIMIT 1",
            "END WHILE",
        ]
        block = "\n".join(f"  {s}" + ("" if s.endswith(" DO") else ";") for s in body)
        if self.is_mariadb:
            return [f"BEGIN NOT ATOMIC\n{block}\nEND"]
        name = self.qualified(_procedure_name(op), keyed.schema)
        return [f"DROP PROCEDURE IF EXISTS {name}", f"CREATE PROCEDURE {name}()\nBEGIN\n{block}\nEND",
                f"CALL {name}()", f"DROP PROCEDURE {name}"]

    def script_statement(self, statement: str) -> str:
        """A compound statement (the batch loops) between ``DELIMITER`` lines, with a delimiter
        that its text does not hold, so that the mysql/mariadb client sends it whole."""
        if not (_COMPOUND.match(statement) or statement.startswith("CREATE TRIGGER") and ";" in statement):
            return super().script_statement(statement)
        delimiter = next(d for d in (f"$${'$' * n}" for n in range(len(statement) + 1)) if d not in statement)
        return f"DELIMITER {delimiter}\n{statement.rstrip()}\n{delimiter}\nDELIMITER ;"

    def sync_trigger_names(self, op) -> tuple[str, str]:
        base = _fit64(f"sd_sync_{op.table.name}_{op.old.name}_{op.new.name}", 58)
        return base + "_ins", base + "_upd"

    def render_create_sync_trigger(self, op: O.CreateSyncTrigger) -> list[str]:
        ins, upd = self.sync_trigger_names(op)
        old, new = (f"NEW.{self.quote(op.old.name)}", f"NEW.{self.quote(op.new.name)}")
        was_old, was_new = f"OLD.{self.quote(op.old.name)}", f"OLD.{self.quote(op.new.name)}"
        table = self.table_name(op.table)
        # one SET statement per trigger: no BEGIN ... END, so no client DELIMITER is needed
        return [
            f"CREATE TRIGGER {self.quote(ins)} BEFORE INSERT ON {table} FOR EACH ROW "
            f"SET {new} = COALESCE({new}, {old}), {old} = COALESCE({old}, {new})",
            f"CREATE TRIGGER {self.quote(upd)} BEFORE UPDATE ON {table} FOR EACH ROW "
            f"SET {new} = IF(NOT ({old} <=> {was_old}) AND ({new} <=> {was_new}), {old}, {new}), "
            f"{old} = IF(({old} <=> {was_old}) AND NOT ({new} <=> {was_new}), {new}, {old})",
        ]

    def render_drop_sync_trigger(self, op: O.DropSyncTrigger) -> list[str]:
        prefix = f"{self.quote(op.table.schema)}." if op.table.schema else ""
        return [f"DROP TRIGGER IF EXISTS {prefix}{self.quote(n)}" for n in self.sync_trigger_names(op)]

    def temp_name(self, name: str) -> str:
        """``<name>__sdnew`` within the 64-character limit (cut, with a hash of the whole)."""
        return _fit64(name + "__sdnew")

    def table_sync_names(self, op) -> tuple[str, str, str]:
        """The INSERT, UPDATE and DELETE triggers of a renamed table's sync (<= 64 characters)."""
        base = _fit64(f"sd_tsync_{op.source.name}_{op.table.name}", 58)
        return base + "_ins", base + "_upd", base + "_del"

    def render_create_table_sync(self, op: O.CreateTableSync) -> list[str]:
        """AFTER triggers on the old table that repeat each write in the new one (one statement
        each: no client DELIMITER). One way only (``TABLE_SYNC_BACK`` is off: error 1442)."""
        ins, upd, dele = (self.quote(n) for n in self.table_sync_names(op))
        q, src, dst = self.quote, self.table_name(op.source), self.table_name(op.table)
        found = " AND ".join(f"{q(t)} = OLD.{q(s)}" for t, s in op.key)
        values = ", ".join(f"NEW.{q(s)}" for _, s in op.columns)
        return [
            f"CREATE TRIGGER {ins} AFTER INSERT ON {src} FOR EACH ROW INSERT INTO {dst} "
            f"({', '.join(q(t) for t, _ in op.columns)}) VALUES ({values})",
            f"CREATE TRIGGER {upd} AFTER UPDATE ON {src} FOR EACH ROW UPDATE {dst} SET "
            f"{', '.join(f'{q(t)} = NEW.{q(s)}' for t, s in op.columns)} WHERE {found}",
            f"CREATE TRIGGER {dele} AFTER DELETE ON {src} FOR EACH ROW DELETE FROM {dst} WHERE {found}",
        ]

    def render_drop_table_sync(self, op: O.DropTableSync) -> list[str]:
        prefix = f"{self.quote(op.source.schema)}." if op.source.schema else ""
        return [f"DROP TRIGGER IF EXISTS {prefix}{self.quote(n)}" for n in self.table_sync_names(op)]

    def _skip_synced(self, op: O.CopyRows) -> list[str]:
        """The copy's condition that skips the rows the sync triggers wrote already (a plain
        NOT EXISTS: INSERT IGNORE would turn other errors into warnings)."""
        if not op.key:
            return []
        src = self.table_name(op.source)
        found = " AND ".join(f"sd_t.{self.quote(t)} = {src}.{self.quote(s)}" for t, s in op.key)
        return [f"NOT EXISTS (SELECT 1 FROM {self.table_name(op.table)} AS sd_t WHERE {found})"]

    # keys, indexes, constraints
    def render_add_primary_key(self, op: O.AddPrimaryKey) -> list[str]:
        cols = ", ".join(self.quote(c) for c in op.primary_key.columns)
        auto = self._auto_columns(op.table, op.primary_key)
        if auto:
            # the AUTO_INCREMENT goes back with the key (render_drop_primary_key took it off), or
            # is there already, with the key, when render_add_column added the column
            exists = " IF NOT EXISTS" if self.is_mariadb else ""
            return [self._alter(op.table, [f"ADD PRIMARY KEY{exists} ({cols})"]
                                + [f"MODIFY COLUMN {self._column_def(op.table, c)}" for c in auto])]
        online = all(not (op.table.column(c) or Column(c, ColumnType("?"))).nullable
                     for c in op.primary_key.columns)
        return [self._alter(op.table, [f"ADD PRIMARY KEY ({cols})"], *(("INPLACE", "NONE") if online
                                                                        else (None, None)))]

    def render_drop_primary_key(self, op: O.DropPrimaryKey) -> list[str]:
        # an AUTO_INCREMENT column must stay a key: it loses AUTO_INCREMENT in the same statement
        other_keys = {ix.columns[0] for ix in op.table.indexes}
        auto = [c for c in self._auto_columns(op.table, op.primary_key) if c.name not in other_keys]
        plain = [replace(c, identity=None) for c in auto]
        return [self._alter(op.table, [f"MODIFY COLUMN {self._column_def(op.table, c)}" for c in plain]
                            + ["DROP PRIMARY KEY"])]

    def _auto_columns(self, table: Table, pk: PrimaryKey) -> list[Column]:
        return [c for c in table.columns if c.identity is not None and c.name in pk.columns]

    def render_create_index(self, op: O.CreateIndex) -> list[str]:
        ix = op.index
        lock = "SHARED" if ix.method in ("fulltext", "spatial") else "NONE"
        sql = f"ADD {self._index_sql(ix)}"
        if ix.implicit and ix.name and self.is_mariadb:  # the server may have made it for a new FK
            sql = sql.replace(f" {self.quote(ix.name)} (", f" IF NOT EXISTS {self.quote(ix.name)} (", 1)
        if not self._online_index(op.table, ix):
            return [self._alter(op.table, [sql])]
        return [self._alter(op.table, [sql], "INPLACE", lock)]

    def _online_index(self, table: Table, ix: Index) -> bool:
        """False for what InnoDB builds by copying: a hash index (MariaDB's long UNIQUE), an index
        on a whole BLOB/TEXT column, or on a virtual column."""
        if ix.method == "hash":
            return False
        for part in ix.parts:
            col = table.column(part.column) if part.column else None
            if col is not None and (col.generated is not None and not col.generated.stored
                                    or col.type.name.endswith(("blob", "text")) and not part.prefix_length):
                return False
        return True

    def render_drop_index(self, op: O.DropIndex) -> list[str]:
        exists = " IF EXISTS" if op.index.implicit and self.is_mariadb else ""  # maybe gone with its FK
        # an index a foreign key needs cannot go alone (error 1553): the statement gives the key
        # back the index the server would make for it
        keep = [f"ADD INDEX {self.quote(fk.name)} ({', '.join(map(self.quote, fk.columns))})"
                for fk in _needing(op.table, op.index)]
        return [self._alter(op.table, keep + [f"DROP INDEX{exists} {self.quote(op.index.name)}"],
                            "INPLACE", "NONE")]

    def render_add_foreign_key(self, op: O.AddForeignKey) -> list[str]:
        return [self._alter(op.table, [f"ADD {self._fk_sql(op.foreign_key)}"])]

    def render_drop_foreign_key(self, op: O.DropForeignKey) -> list[str]:
        fk = op.foreign_key
        out = [self._alter(op.table, [f"DROP FOREIGN KEY {self.quote(fk.name)}"])]
        # the server keeps the index it made for the FK: it goes too, unless another FK needs it
        others = [f for f in op.table.foreign_keys if f != fk]
        for ix in op.table.indexes:
            if ix.implicit and ix.columns == fk.columns and not _is_implicit_fk_index(ix, others):
                out.append(self._alter(op.table, [f"DROP INDEX {self.quote(ix.name)}"], "INPLACE", "NONE"))
        return out

    def render_add_check(self, op: O.AddCheck) -> list[str]:
        after = op.apply(op.table)
        column = next((c for c in after.columns if self.column_checks(after, c)
                       and op.check in self.column_checks(after, c)), None)
        if column is not None:
            return [self._alter(op.table, [self._modify(after, column)])]
        return [self._alter(op.table, [f"ADD {self._check_sql(op.check)}"])]

    def render_drop_check(self, op: O.DropCheck) -> list[str]:
        keyword = "CONSTRAINT" if self.supports_drop_constraint() else "CHECK"
        column = next((c for c in op.table.columns if op.check in self.column_checks(op.table, c)), None)
        if column is not None:
            # only a MODIFY of its column removes a column-level CHECK; IF EXISTS then covers a
            # table-level CHECK that merely has the column's name
            return [self._alter(op.table, [self._modify(op.apply(op.table), column)]),
                    self._alter(op.table, [f"DROP CONSTRAINT IF EXISTS {self.quote(op.check.name)}"])]
        return [self._alter(op.table, [f"DROP {keyword} {self.quote(op.check.name)}"])]

    def _unsupported(self, op) -> list[str]:
        raise PlanError(f"{self.flavour} has no named enum types ({op.kind}): enums are column types here")

    render_create_enum = render_drop_enum = render_add_enum_value = render_replace_enum = _unsupported

    # -- algorithms and hazards ------------------------------------------------------------------
    def _add_column_algorithm(self, table: Table, column: Column) -> tuple[str | None, str | None]:
        if column.identity is not None or (column.generated and column.generated.stored):
            return None, None
        if not self.supports_instant_add_column() or _has_fulltext(table):
            return "INPLACE", "NONE"
        if column.default is not None and column.default.kind != "literal" \
                and not column.default.expr.startswith("current_timestamp"):
            return "INPLACE", "NONE"  # a non-constant default is computed per row: a rebuild
        return "INSTANT", None

    def _instant_drop(self, table: Table, column: Column) -> bool:
        in_index = any(column.name in ix.columns for ix in table.indexes) or \
            (table.primary_key is not None and column.name in table.primary_key.columns)
        return self.supports_instant_drop_column() and not in_index and not _has_fulltext(table)

    def _modify_algorithm(self, op: O.AlterColumn) -> tuple[str | None, str | None]:
        what, before, after = set(op.what), op.before, op.after
        if what <= {"comment"}:
            return ("INSTANT", None) if self.is_mariadb else ("INPLACE", "NONE")
        if what == {"type"} and _enum_append(before.type, after.type):
            return "INSTANT", None
        if what == {"type"} and _varchar_extend(before.type, after.type):
            return ("INSTANT", None) if self.supports_instant_varchar_extend() else ("INPLACE", "NONE")
        if what <= {"nullable", "comment"}:
            return "INPLACE", "NONE"
        return None, None

    def hazards(self, op) -> list[Hazard]:
        """Dialect facts: which ALTERs copy the table, block writes, build indexes or scan rows."""
        kind = op.kind
        copy = Hazard(HazardKind.TABLE_REWRITE, "MySQL copies the table (ALGORITHM=COPY): the whole "
                                                "table is rewritten")
        blocks = Hazard(HazardKind.BLOCKING_LOCK, "writes to the table are blocked while it is copied")
        if kind == "add_column":
            algorithm, _ = self._add_column_algorithm(op.table, op.column)
            if algorithm == "INSTANT":
                return []
            return [Hazard(HazardKind.TABLE_REWRITE, "the table is rebuilt to add the column")] + \
                ([] if algorithm else [blocks])
        if kind == "drop_column":
            return [] if self._instant_drop(op.table, op.column) else \
                [Hazard(HazardKind.TABLE_REWRITE, "the table is rebuilt to drop the column")]
        if kind == "alter_column":
            if set(op.what) == {"default"}:
                return []
            if "generated" in op.what:
                lost = [Hazard(HazardKind.DATA_LOSS, "the column's values are replaced by its expression")] \
                    if op.after.generated is not None and op.before.generated is None else []
                return [copy, blocks] + lost
            algorithm, _ = self._modify_algorithm(op)
            if algorithm == "INSTANT":
                return []
            if algorithm == "INPLACE":
                metadata_only = set(op.what) <= {"comment"} or \
                    ("type" in op.what and _varchar_extend(op.before.type, op.after.type))
                out = [] if metadata_only else [
                    Hazard(HazardKind.TABLE_REWRITE, "the table is rebuilt in place (LOCK=NONE)")]
                if "nullable" in op.what and not op.after.nullable:
                    out.append(Hazard(HazardKind.VALIDATION_SCAN, "every row is checked for NULL"))
                return out
            return [copy, blocks]
        if kind in ("add_primary_key", "drop_primary_key", "set_table_options"):
            return [Hazard(HazardKind.TABLE_REWRITE, "the table is rebuilt (clustered index)")] + \
                ([blocks] if kind != "add_primary_key" or "ALGORITHM" not in self.render(op)[0] else [])
        if kind == "create_index":
            if not self._online_index(op.table, op.index):
                return [Hazard(HazardKind.INDEX_BUILD, "the index is built"), copy, blocks]
            out = [Hazard(HazardKind.INDEX_BUILD, "the index is built in place (ALGORITHM=INPLACE)")]
            if op.index.method in ("fulltext", "spatial"):
                out.append(Hazard(HazardKind.BLOCKING_LOCK, f"a {op.index.method} index build blocks writes "
                                                            "(LOCK=SHARED)"))
            return out
        if kind == "add_foreign_key":
            out = [Hazard(HazardKind.TABLE_REWRITE, "with foreign_key_checks=1 the table is copied to add "
                                                    "a foreign key"), blocks,
                   Hazard(HazardKind.VALIDATION_SCAN, "existing rows are checked against the parent")]
            if not any(ix.columns[:len(op.foreign_key.columns)] == op.foreign_key.columns
                       for ix in op.table.indexes):
                out.append(Hazard(HazardKind.INDEX_BUILD, "the server builds an index for the foreign key"))
            return out
        if kind == "add_check":
            return [copy, blocks, Hazard(HazardKind.VALIDATION_SCAN, "every row is checked")]
        if kind in ("create_sync_trigger", "drop_sync_trigger", "create_table_sync", "drop_table_sync",
                    "create_trigger"):
            return [Hazard(HazardKind.BLOCKING_LOCK, "CREATE/DROP TRIGGER takes a short metadata lock")]
        return []

    def transactional(self, op) -> bool:
        """MySQL DDL commits implicitly: never inside a transaction block."""
        return False

    def session_settings(self, op) -> list[str]:
        """Fail fast instead of queueing every query behind a waiting metadata lock."""
        if op.kind in ("create_table", "copy_rows", "copy_column", "fill_column"):
            return []
        settings = ["SET SESSION lock_wait_timeout = 10"]
        if op.kind == "alter_column" and set(op.what) != {"default"}:
            settings.append(STRICT_SESSION)
        return settings

    def render_rollback(self, op) -> list[str] | None:
        """SQL that undoes ``op`` (None where data would be lost or nothing can restore it)."""
        inverse = _inverse(op)
        if inverse is None:
            return None
        return [] if inverse == () else self.render(inverse)


# -- models -------------------------------------------------------------------------------------
class MySQLModelReader(ModelReader):
    """Reads ``mysql_*`` / ``mariadb_*`` table and index options as the server would store them."""

    def _opt(self, obj, key: str):
        kwargs = obj.kwargs if hasattr(obj, "kwargs") else obj.dialect_kwargs
        for prefix in ("mariadb_", "mysql_"):
            if kwargs.get(prefix + key) is not None:
                return kwargs[prefix + key]
        return None

    def table_options(self, t: sa.Table) -> tuple[tuple[str, str], ...]:
        charset = self._opt(t, "default_charset") or self._opt(t, "charset") or \
            self._opt(t, "default_character_set") or self._opt(t, "character_set")
        collate = self._opt(t, "collate") or self._opt(t, "default_collate")
        if not charset and collate:
            charset = str(collate).split("_")[0]
        charset = _CHARSET_ALIASES.get(str(charset).lower(), str(charset).lower()) if charset else None
        default_collation = self.dialect.default_collation(charset)
        # models cannot know the database default: assume the server's own (utf8mb4), as set up by
        # every current MySQL and MariaDB release
        return table_options(self._opt(t, "engine"), charset, collate or default_collation,
                             "Yes" if collate is None or collate == default_collation else "",
                             self.dialect.default_collation(ASSUMED_DATABASE_CHARSET))

    def column(self, c: sa.Column) -> Column:
        col = super().column(c)
        collation = col.collation
        if collation is None:
            charset = getattr(c.type, "charset", None)
            collation = self.dialect.default_collation(charset) if charset else None
        if collation is not None and collation == _table_collation(self, c.table):
            collation = None
        return col if collation == col.collation else replace(col, collation=collation)

    def primary_key(self, t: sa.Table) -> PrimaryKey | None:
        pk = super().primary_key(t)
        return replace(pk, name=None) if pk else None

    def index(self, i: sa.Index) -> Index:
        ix = Index(name=_model_name(i), parts=tuple(self.index_part(e, {}) for e in i.expressions),
                   unique=bool(i.unique))
        length = self._opt(i, "length")
        prefix = (self._opt(i, "prefix") or "").lower() or None
        parts = tuple(replace(p, prefix_length=length.get(p.column) if isinstance(length, dict)
                              else length) if length and p.column else p for p in ix.parts)
        return replace(ix, parts=parts, method=prefix if prefix in ("fulltext", "spatial") else None)


def _model_name(obj) -> str | None:
    name = obj.name
    return None if name is None or type(name).__name__ == "_NoneName" else str(name)


def _table_collation(reader: MySQLModelReader, t: sa.Table) -> str | None:
    opts = dict(reader.table_options(t))
    return opts.get("collate") or reader.dialect.default_collation(opts.get("charset")
                                                                   or ASSUMED_DATABASE_CHARSET)


# -- helpers ------------------------------------------------------------------------------------
@lru_cache(maxsize=4096)
def _names(text: str, name: str) -> bool:
    """Whether ``text`` names ``name`` as a word (any case; quoted or not)."""
    return re.search(rf"(?<![\w$]){re.escape(name)}(?![\w$])", text, re.IGNORECASE) is not None


def _fit64(name: str, limit: int = 64) -> str:
    """``name`` within MySQL's identifier limit (characters): cut, with a hash of the whole."""
    if len(name) <= limit:
        return name
    return name[:limit - 9] + "_" + hashlib.sha1(name.encode()).hexdigest()[:8]


@cache
def _sql(kind: str, flavour: str) -> str:
    folder = resources.files(__package__) / "sql" / "mysql"
    specific = folder / f"{kind}.{flavour}.sql"
    return (specific if specific.is_file() else folder / f"{kind}.sql").read_text(encoding="utf-8")


_IDENT = r"(?:`(?:[^`]|``)*`|\"(?:[^\"]|\"\")*\")"  # as SHOW CREATE TABLE quotes (ANSI_QUOTES: ")
_IDENT_LIST = rf"\(\s*({_IDENT}(?:\s*,\s*{_IDENT})*)\s*\)"
_FK_RULE = r"RESTRICT|CASCADE|SET NULL|NO ACTION|SET DEFAULT"
_FK_CLAUSE = re.compile(
    rf"^\s*CONSTRAINT\s+({_IDENT})\s+FOREIGN\s+KEY\s*{_IDENT_LIST}\s*REFERENCES\s+(?:({_IDENT})\.)?({_IDENT})"
    rf"\s*{_IDENT_LIST}((?:\s+ON\s+(?:DELETE|UPDATE)\s+(?:{_FK_RULE}))*)", re.I | re.M)


def tables_missing_fk_facts(rows: list[dict]) -> set[tuple[str, str]]:
    """The tables with a foreign-key row the catalog showed only in part (no rule, no target)."""
    return {(r["table_schema"], r["table_name"]) for r in rows
            if r.get("delete_rule") is None or r.get("update_rule") is None or r.get("ref_table") is None}


def replace_foreign_key_rows(rows: list[dict], ddl: dict[tuple[str, str], str]) -> list[dict]:
    """``rows`` with each foreign key of a table in ``ddl`` read from its CREATE TABLE text instead
    (only the constraints the catalog listed: a comment that looks like one is not taken)."""
    parsed = {(r["table_schema"], r["table_name"], r["constraint_name"]): [] for r in rows}
    for (schema, table), text in ddl.items():
        for r in foreign_key_rows(schema, table, text):
            parsed.get((schema, table, r["constraint_name"]), []).append(r)
    out, done = [], set()
    for r in rows:
        key = (r["table_schema"], r["table_name"], r["constraint_name"])
        if not parsed[key]:
            out.append(r)
        elif key not in done:
            done.add(key)
            out += parsed[key]
    return out


def foreign_key_rows(schema: str, table: str, create_table: str) -> list[dict]:
    """The rows ``foreign_keys.sql`` returns, read from ``SHOW CREATE TABLE`` (one clause per line;
    a rule it leaves out is RESTRICT, the InnoDB default it does not print)."""
    out = []
    for m in _FK_CLAUSE.finditer(create_table):
        name, columns, ref_schema, ref_table, ref_columns, tail = m.groups()
        rules = dict(re.findall(rf"ON\s+(DELETE|UPDATE)\s+({_FK_RULE})", tail.upper()))
        for seq, (col, ref_col) in enumerate(zip(_idents(columns), _idents(ref_columns)), 1):
            out.append({"table_schema": schema, "table_name": table, "constraint_name": _ident(name),
                        "seq": seq, "column_name": col,
                        "ref_schema": _ident(ref_schema) if ref_schema else schema,
                        "ref_table": _ident(ref_table), "ref_column": ref_col,
                        "update_rule": rules.get("UPDATE", "RESTRICT"),
                        "delete_rule": rules.get("DELETE", "RESTRICT")})
    return out


def _ident(quoted: str) -> str:
    q = quoted[0]
    return quoted[1:-1].replace(q + q, q)


def _idents(text: str) -> list[str]:
    return [_ident(m) for m in re.findall(_IDENT, text)]


def table_options(engine, charset, collation, collation_is_default, db_collation) -> tuple:
    """Table options that are not the server's defaults: engine unless InnoDB, charset/collation
    unless the database's (``collate`` only when not the charset's default collation)."""
    out = []
    if engine and engine.lower() != DEFAULT_ENGINE.lower():
        out.append(("engine", engine))
    if collation and collation != db_collation and charset:
        out.append(("charset", charset))
        if str(collation_is_default or "").lower() != "yes":
            out.append(("collate", collation))
    return tuple(out)


def _check_text(text: str) -> str:
    """MySQL 8 prints CHECK_CLAUSE and expression defaults with backslash-escaped quotes
    (``_utf8mb4\\'a\\'``)."""
    return text.replace("\\'", "'") if "\\'" in text and "'" not in text.replace("\\'", "") else text


def _balanced(text: str) -> bool:
    depth, quote = 0, None
    for ch in text:
        if quote:
            quote = None if ch == quote else quote
        elif ch in "'\"`":
            quote = ch
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth < 0:
                return False
    return depth == 0


def _literal_value(text: str) -> str | None:
    """The value of a quoted string or a plain number, else None."""
    if _NUMBER.fullmatch(text):
        return text
    if _STRING.fullmatch(text):
        return unquote(text)
    return None


#: a statement the mysql/mariadb client must not split on ``;`` (the batch loops)
_COMPOUND = re.compile(r"(BEGIN NOT ATOMIC|CREATE PROCEDURE)\b")
#: key types whose values a user variable holds and compares exactly, in the index's order (not
#: FLOAT/DOUBLE, nor TIMESTAMP: kept as local time text, which a DST change makes ambiguous)
_PAGING_TYPES = INTEGER_TYPES | {"boolean", "numeric", "char", "varchar", "binary", "varbinary", "date",
                                 "timestamp", "time"}
#: SIGNAL's MESSAGE_TEXT holds 128 characters (more is an error in strict mode)
_SIGNAL_TEXT_MAX = 128


def _paging_key(table: Table) -> tuple[str, ...] | None:
    """The primary key columns a batch loop pages by, or None (no key, or a type it cannot)."""
    if table.primary_key is None or not table.primary_key.columns:
        return None
    columns = [table.column(c) for c in table.primary_key.columns]
    if any(c is None or c.type.name not in _PAGING_TYPES for c in columns):
        return None
    return tuple(c.name for c in columns)


def _key_compare(cols: list[str], values: list[str], strict: str, last: str) -> str:
    """``(cols) <op> (values)`` in key order, spelled out (``a > x OR a = x AND b >= y``) so that
    the server reads it as a range of the index; ``last`` is the operator of the last column."""
    terms = []
    for i, col in enumerate(cols):
        op = last if i == len(cols) - 1 else strict
        equal = [f"{c} = {v}" for c, v in zip(cols[:i], values[:i])]
        terms.append(" AND ".join(equal + [f"{col} {op} {values[i]}"]))
    return terms[0] if len(terms) == 1 else "(" + " OR ".join(terms) + ")"


def _signal_text(subject: str, tail: str) -> str:
    """``subject + tail`` within SIGNAL's limit (the subject shortened with … where needed)."""
    room = _SIGNAL_TEXT_MAX - len(tail)
    return (subject if len(subject) <= room else subject[:room - 1] + "…") + tail


def _procedure_name(op) -> str:
    """A stable name for the procedure of one batched step (MySQL)."""
    what = getattr(op, "column", None) or getattr(op, "target", None)
    text = "\0".join([op.kind, op.table.qualified_name, what.name if what is not None else ""])
    return "sd_backfill_" + hashlib.sha1(text.encode()).hexdigest()[:12]


def _is_call_or_keyword(text: str) -> bool:
    return bool(re.fullmatch(r"[A-Za-z_]+(\(\d*\))?", text.strip()))


def _json_columns(columns: tuple[Column, ...], checks: tuple[Check, ...]):
    """MariaDB's JSON: a LONGTEXT column with a ``json_valid(col)`` CHECK is type json, no check."""
    json_checks = {ck.expr: ck for ck in checks}
    out_cols, dropped = [], set()
    for c in columns:
        key = f"json_valid({canonical_expr('`' + c.name.replace('`', '``') + '`')})" \
            if c.type.name == "longtext" else None
        if key is not None and key in json_checks:
            dropped.add(json_checks[key].name)
            c = replace(c, type=ColumnType("json", raw="json"), collation=None)
        elif c.type.name == "json" and c.collation is not None:
            c = replace(c, collation=None)
        out_cols.append(c)
    return tuple(out_cols), tuple(ck for ck in checks if ck.name not in dropped or ck.name is None)


def _to_itself(t: Table, fk: ForeignKey) -> bool:
    return fk.ref_table.lower() == t.name.lower() and (fk.ref_schema or t.schema) == t.schema


def _needing(t: Table, gone: Index) -> list[ForeignKey]:
    """The named foreign keys of ``t`` that no index but ``gone`` serves (their columns first)."""
    def serves(columns: tuple, fk: ForeignKey) -> bool:
        return [c.lower() for c in columns[:len(fk.columns)]] == [c.lower() for c in fk.columns]
    others = [ix.columns for ix in t.indexes if ix.name != gone.name and all(ix.columns)]
    if t.primary_key:
        others.append(t.primary_key.columns)
    # (an index named like its key is being replaced under that name: giving the name back would
    # make the new one fail; known limit)
    return [fk for fk in t.foreign_keys if fk.name and fk.name.lower() != (gone.name or "").lower()
            and serves(gone.columns, fk) and not any(serves(cols, fk) for cols in others)]


def _spelled(name: str, spelled: dict[str, str]) -> str:
    """A column name as its table spells it (``spelled``: lower-case name → name)."""
    return spelled.get(name.lower(), name)


def _fk_rule(rule: str) -> str:
    upper = rule.upper()
    return FK_RULES.get(upper, upper)


def _normalized_fk(fk: ForeignKey, columns: tuple) -> ForeignKey:
    on_delete, on_update = _fk_rule(fk.on_delete), _fk_rule(fk.on_update)
    if (columns is fk.columns and on_delete == fk.on_delete and on_update == fk.on_update
            and not fk.deferrable and not fk.initially_deferred):
        return fk
    return replace(fk, columns=columns, on_delete=on_delete, on_update=on_update, deferrable=False,
                   initially_deferred=False)


def _fk_order(fk: ForeignKey) -> tuple:
    return (fk.name or "", fk.columns)


def _index_order(ix: Index) -> tuple:
    return (ix.name or "", ix.columns)


def _check_order(ck: Check) -> tuple:
    return (ck.name or "", ck.expr)


def _changed(obj, name: str, value):
    """``obj`` with ``name`` set to ``value``; ``obj`` itself where the field already holds the
    same objects (identity, not ``==``: fields with ``compare=False``, like ``Index.implicit``,
    must be copied too)."""
    current = getattr(obj, name)
    same = current is value or (type(current) is tuple and type(value) is tuple and len(current) == len(value)
                                and all(a is b for a, b in zip(current, value)))
    return obj if same else replace(obj, **{name: value})


def _is_implicit_fk_index(ix: Index, fks) -> bool:
    """The index the server creates for a FK: non-unique, exactly the FK columns, named after the
    constraint (MySQL, MariaDB with a named FK) or its first column (an unnamed FK; ``col_2`` when
    that name is taken)."""
    return _implicit_fk_index(ix.name, ix.unique, ix.method, ix.parts, fks)


def _implicit_fk_index(name, unique, method, parts, fks) -> bool:
    if unique or method or any(p.expr or p.prefix_length or p.descending for p in parts):
        return False
    columns = tuple(p.column for p in parts)
    return any(columns == fk.columns and name is not None and (
        name in (fk.name, fk.columns[0]) or re.fullmatch(re.escape(fk.columns[0]) + r"_\d+", name))
        for fk in fks)


def _has_fulltext(table: Table) -> bool:
    return any(ix.method == "fulltext" for ix in table.indexes)


def _enum_append(before: ColumnType, after: ColumnType) -> bool:
    """Values appended at the end of an ENUM/SET with the same storage size: metadata only."""
    if before.name != after.name or before.name not in ("enum", "set") or before.unsigned != after.unsigned:
        return False
    if after.values[:len(before.values)] != before.values:
        return False
    if before.name == "enum":
        return (len(before.values) > 255) == (len(after.values) > 255)
    return (len(before.values) + 7) // 8 == (len(after.values) + 7) // 8


#: A MODIFY under a non-strict sql_mode truncates values that do not fit (or turns NULL into 0/'')
#: with only a warning: strict mode makes such a step fail instead, with the table left as it was.
STRICT_SESSION = ("SET SESSION sql_mode = IF(@@SESSION.sql_mode = '', 'STRICT_ALL_TABLES', "
                  "CONCAT(@@SESSION.sql_mode, ',STRICT_ALL_TABLES'))")


def _varchar_extend(before: ColumnType, after: ColumnType) -> bool:
    """A longer VARCHAR whose length prefix stays 1 byte (≤ 255 bytes) or was already 2 bytes."""
    if before.name != "varchar" or after.name != "varchar" or not before.args or not after.args:
        return False
    old, new = before.args[0] * _MAX_BYTES_PER_CHAR, after.args[0] * _MAX_BYTES_PER_CHAR
    return after.args[0] >= before.args[0] and ((old <= 255) == (new <= 255) or old > 255)


def _inverse(op):
    """The op that undoes ``op``; ``()`` when nothing needs undoing; None when it cannot be."""
    t = op.table
    simple = {
        "create_table": lambda: O.DropTable(table=t),
        "add_column": lambda: O.DropColumn(table=op.apply(t), column=op.column),
        "alter_column": lambda: O.AlterColumn(table=op.apply(t), before=op.after, after=op.before,
                                              what=op.what),
        "set_table_comment": lambda: O.SetTableComment(table=op.apply(t), comment=t.comment),
        "set_table_options": lambda: O.SetTableOptions(table=op.apply(t), options=t.options),
        "create_sync_trigger": lambda: O.DropSyncTrigger(table=t, old=op.old, new=op.new),
        "drop_sync_trigger": lambda: O.CreateSyncTrigger(table=t, old=op.old, new=op.new),
        "create_table_sync": lambda: O.DropTableSync(table=t, source=op.source, columns=op.columns,
                                                     key=op.key, back=op.back),
        "drop_table_sync": lambda: O.CreateTableSync(table=t, source=op.source, columns=op.columns,
                                                     key=op.key, back=op.back),
        "add_primary_key": lambda: O.DropPrimaryKey(table=op.apply(t), primary_key=op.primary_key),
        "drop_primary_key": lambda: O.AddPrimaryKey(table=op.apply(t), primary_key=op.primary_key),
        "create_index": lambda: O.DropIndex(table=op.apply(t), index=op.index),
        "drop_index": lambda: O.CreateIndex(table=op.apply(t), index=op.index),
        "add_foreign_key": lambda: O.DropForeignKey(table=op.apply(t), foreign_key=op.foreign_key),
        "drop_foreign_key": lambda: O.AddForeignKey(table=op.apply(t), foreign_key=op.foreign_key),
        "add_check": lambda: O.DropCheck(table=op.apply(t), check=op.check),
        "drop_check": lambda: O.AddCheck(table=op.apply(t), check=op.check),
    }
    if op.kind in simple:
        return simple[op.kind]()
    if op.kind in ("copy_column", "fill_column", "copy_rows"):
        return ()
    return None


DIALECT = MySQLDialect
