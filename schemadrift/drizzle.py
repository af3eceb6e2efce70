"""drizzle-kit snapshots as a declared schema source.

drizzle-kit keeps one JSON snapshot of the schema declared in TypeScript per migration
(``<out>/meta/NNNN_snapshot.json``, in the order of ``<out>/meta/_journal.json``). The latest one
is the schema the project declares. This module reads it into the IR:

* PostgreSQL snapshots (``version`` 7, and the 5/6 files drizzle-kit still upgrades) and MySQL
  snapshots (5, and the older 3/4, which only lack keys);
* every type, default and expression goes through the target dialect's own normalization hooks,
  so that a database built by drizzle-kit's migrations compares in sync with its snapshot;
* a MySQL snapshot has no flavour of its own: it is built for the other side's (MySQL or
  MariaDB), lazily (a ``"builder"`` source);
* what a snapshot cannot record (comments, collations, table options; MySQL charsets) is listed in
  ``Schema.unknown``, so the differ compares only what both sides can know.

The format is described in ``docs/drizzle.md``; drizzle-kit's zod schemas are the reference.
"""
from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path
from typing import ClassVar

from sqlalchemy.dialects import registry as sa_registry

from . import dialects
from .dialects.base import Dialect
from .errors import SourceError
from .ir import (
    Check,
    Column,
    ColumnType,
    EnumType,
    ForeignKey,
    Generated,
    Identity,
    Index,
    IndexPart,
    PrimaryKey,
    Schema,
    Table,
    replace,
)
from .sources import Source

__all__ = ["is_drizzle_snapshot", "is_drizzle_journal", "resolve_folder", "resolve_file", "read_snapshot",
           "latest_snapshot_path", "SUPPORTED_VERSIONS"]

#: (snapshot ``dialect`` field, ``version``) pairs this reader understands
SUPPORTED_VERSIONS = {
    "postgresql": ("6", "7"), "pg": ("5",),
    "mysql": ("3", "4", "5"),
}

#: the table where drizzle-kit's ``migrate`` records applied migrations (its default name; in the
#: ``drizzle`` schema on PostgreSQL): never part of the declared schema
MIGRATIONS_TABLE = "__drizzle_migrations"


# -- recognising files and folders --------------------------------------------------------------
def is_drizzle_snapshot(data: object) -> bool:
    """Whether parsed JSON looks like a drizzle-kit snapshot (or its ``_journal.json``)."""
    if not isinstance(data, dict):
        return False
    if is_drizzle_journal(data):
        return True
    return isinstance(data.get("tables"), dict) and "dialect" in data and "version" in data \
        and ("prevId" in data or "id" in data or "_meta" in data)


def is_drizzle_journal(data: object) -> bool:
    """Whether parsed JSON is a drizzle-kit ``meta/_journal.json``."""
    return isinstance(data, dict) and isinstance(data.get("entries"), list) and "dialect" in data


def resolve_folder(path: Path) -> Source:
    """A drizzle-kit output folder (holding ``meta/_journal.json``) or that ``meta/`` folder."""
    path = Path(path)
    meta = path if (path / "_journal.json").is_file() else path / "meta"
    journal_file = meta / "_journal.json"
    if not journal_file.is_file():
        raise SourceError(f"{path}: a folder, but not a drizzle-kit output folder "
                          "(no meta/_journal.json in it)")
    snapshot_file = latest_snapshot_path(meta, _read_json(journal_file))
    return _source(str(path), _read_json(snapshot_file), snapshot_file)


def resolve_file(path: Path, data: dict) -> Source:
    """One drizzle-kit snapshot file (or a ``_journal.json``: its folder's latest snapshot)."""
    path = Path(path)
    if is_drizzle_journal(data):
        snapshot_file = latest_snapshot_path(path.parent, data)
        return _source(str(path), _read_json(snapshot_file), snapshot_file)
    return _source(str(path), data, path)


def latest_snapshot_path(meta: Path, journal: dict) -> Path:
    """The snapshot of the journal's last entry: ``<tag prefix>_snapshot.json`` (drizzle-kit's rule)."""
    entries = [e for e in journal.get("entries") or () if isinstance(e, dict) and e.get("tag")]
    if not entries:
        raise SourceError(f"{meta / '_journal.json'}: the journal has no migrations yet")
    last = max(entries, key=lambda e: e.get("idx", -1))
    path = meta / f"{str(last['tag']).split('_')[0]}_snapshot.json"
    if not path.is_file():
        raise SourceError(f"{path}: missing (the journal's last migration is {last['tag']!r})")
    return path


def _read_json(path: Path) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as e:
        raise SourceError(f"{path}: cannot read ({e.strerror})") from e
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise SourceError(f"{path}: not a drizzle-kit JSON file ({e})") from e
    if not isinstance(data, dict):
        raise SourceError(f"{path}: not a drizzle-kit JSON file (not an object)")
    return data


def _source(label: str, data: dict, path: Path) -> Source:
    reader_cls = reader_for(data, path)
    family = reader_cls.family

    def build(dialect_name: str | None) -> Schema:
        name = dialect_name or family
        if dialects.ALIASES.get((name or "").lower().split("+")[0]) != family:
            raise SourceError(f"{label}: a {family} drizzle-kit snapshot cannot be compared with "
                              f"a {name} schema")
        return reader_cls(data, dialects.get(name), str(path)).read()

    fixed = family if reader_cls.fixed_dialect else None
    return Source(label, fixed, "builder", build, fallback=family, exclude=(MIGRATIONS_TABLE,),
                  declared_schemas=reader_cls.declared_schemas(data))


def reader_for(data: dict, path: Path | str = "snapshot") -> type[SnapshotReader]:
    """The reader class for a snapshot's ``dialect`` and ``version``, or a SourceError naming them."""
    kind, version = str(data.get("dialect", "")), str(data.get("version", ""))
    if kind not in SUPPORTED_VERSIONS:
        raise SourceError(f"{path}: drizzle-kit snapshots of dialect {kind!r} are not supported "
                          "(postgresql and mysql are)")
    if version not in SUPPORTED_VERSIONS[kind]:
        raise SourceError(f"{path}: drizzle-kit {kind} snapshot version {version!r} is not supported "
                          f"(supported: {', '.join(SUPPORTED_VERSIONS[kind])})")
    return PgSnapshotReader if kind in ("postgresql", "pg") else MySqlSnapshotReader


def read_snapshot(data: dict, dialect: str | None = None) -> Schema:
    """The IR of one parsed snapshot for ``dialect`` (default: the snapshot's own family)."""
    cls = reader_for(data)
    return cls(data, dialects.get(dialect or cls.family)).read()


# -- readers ------------------------------------------------------------------------------------
class SnapshotReader:
    """Reads one snapshot into the IR; subclasses hold what differs per drizzle dialect."""

    family: ClassVar[str]
    #: whether the snapshot fixes the dialect (PostgreSQL) or takes the other side's flavour
    fixed_dialect: ClassVar[bool] = False
    #: attributes a drizzle snapshot of this family cannot record: never reported as drift
    UNKNOWN: ClassVar[frozenset[str]] = frozenset({"comment", "collation", "options", "exclusions"})
    CHECKS_KEY: ClassVar[str] = "checkConstraints"

    @classmethod
    def declared_schemas(cls, data: dict) -> tuple[str, ...] | None:
        """The schemas the snapshot declares (None: the database named by the other side)."""
        return None

    def __init__(self, data: dict, dialect: Dialect, label: str = "snapshot"):
        self.data = data
        self.d = dialect
        self.label = label
        self.internal = (data.get("internal") or {}).get("tables") or {}

    def read(self) -> Schema:
        try:
            tables = tuple(self.clip(self.table(t)) for t in _values(self.data.get("tables")))
            schema = Schema(dialect=self.d.flavour, tables=tables, enums=self.enums(),
                            default_schema=self.default_schema(), server_version=self.d.version,
                            not_compared=self.not_compared(), unknown=self.UNKNOWN)
        except (KeyError, TypeError, ValueError, AttributeError) as e:
            raise SourceError(f"{self.label}: malformed drizzle-kit snapshot "
                              f"({type(e).__name__}: {e})") from e
        return self.d.normalize(schema)

    def default_schema(self) -> str | None:
        return None

    @property
    def sa_dialect(self):
        """The SQLAlchemy dialect of the target (its identifier rules)."""
        if not hasattr(self, "_sa_dialect"):
            self._sa_dialect = sa_registry.load(self.d.sqlalchemy_name)()
        return self._sa_dialect

    def clip(self, t: Table) -> Table:
        """Names cut to the server's identifier length, as the server cuts them (PostgreSQL
        truncates silently, at a character boundary; drizzle-kit keeps the long name)."""
        limit = self.sa_dialect.max_identifier_length

        def cut(name: str | None) -> str | None:
            if name is None or len(name.encode()) <= limit:
                return name
            return name.encode()[:limit].decode(errors="ignore")

        return replace(
            t, name=cut(t.name), columns=tuple(replace(c, name=cut(c.name)) for c in t.columns),
            indexes=tuple(replace(i, name=cut(i.name)) for i in t.indexes),
            foreign_keys=tuple(replace(f, name=cut(f.name), ref_table=cut(f.ref_table))
                               for f in t.foreign_keys),
            checks=tuple(replace(c, name=cut(c.name)) for c in t.checks),
            primary_key=replace(t.primary_key, name=cut(t.primary_key.name)) if t.primary_key else None)

    def enums(self) -> tuple[EnumType, ...]:
        return ()

    def not_compared(self) -> tuple[str, ...]:
        return tuple(sorted(f"view {self.object_name(v.get('schema'), v['name'])}"
                            for v in _values(self.data.get("views"))))

    def object_name(self, schema: str | None, name: str) -> str:
        """A schema-level object's name as the introspectors list it under "not compared"."""
        return self.qualified(schema, name)

    def qualified(self, schema: str | None, name: str) -> str:
        schema = self.ir_schema(schema)
        return f"{schema}.{name}" if schema else name

    def ir_schema(self, schema: str | None) -> str | None:
        """The IR's schema for a snapshot schema name (None: the default one)."""
        return None

    # -- tables --------------------------------------------------------------------------------
    def table(self, t: dict) -> Table:
        name, schema = t["name"], self.ir_schema(t.get("schema"))
        raw_columns = list(_values(t.get("columns")))
        columns = tuple(self.column(t, c) for c in raw_columns)
        return Table(
            name=name, schema=schema, columns=columns,
            primary_key=self.primary_key(t, raw_columns),
            indexes=self.uniques(t, raw_columns) + tuple(self.index(t, i) for i in _values(t.get("indexes")))
            + self.implicit_indexes(t, raw_columns),
            foreign_keys=tuple(self.foreign_key(t, fk) for fk in _values(t.get("foreignKeys"))),
            checks=tuple(self.check(t, c) for c in _values(t.get(self.CHECKS_KEY))),
        )

    def column(self, t: dict, c: dict) -> Column:
        ctype, identity, not_null = self.column_type(t, c)
        generated = c.get("generated")
        return Column(
            name=c["name"], type=ctype, nullable=not (c.get("notNull") or c.get("primaryKey") or not_null),
            default=None if generated or (identity and identity.kind != "autoincrement") else
            self.d.normalize_default(self.default_text(c), ctype),
            identity=identity,
            generated=Generated(self.expr(t, generated["as"]),
                                stored=generated.get("type", "stored") == "stored") if generated else None,
        )

    def column_type(self, t: dict, c: dict) -> tuple[ColumnType, Identity | None, bool]:
        """The column's type, its identity/autoincrement, and whether the type implies NOT NULL."""
        raise NotImplementedError

    def default_text(self, c: dict) -> str | None:
        """The snapshot's default as SQL text (JSON literals spelled as SQL)."""
        value = c.get("default")
        if value is None:
            return None
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, (int, float)):
            return repr(value)
        if isinstance(value, (dict, list)):
            return "'" + json.dumps(value).replace("'", "''") + "'"
        return str(value)

    def primary_key(self, t: dict, columns: list[dict]) -> PrimaryKey | None:
        composite = list(_values(t.get("compositePrimaryKeys")))
        if composite:
            pk = composite[0]
            return PrimaryKey(columns=tuple(pk["columns"]), name=pk.get("name") or None)
        flagged = tuple(c["name"] for c in columns if c.get("primaryKey"))
        return PrimaryKey(columns=flagged) if flagged else None

    def uniques(self, t: dict, columns: list[dict]) -> tuple[Index, ...]:
        return tuple(Index(name=u["name"], parts=tuple(IndexPart(column=c) for c in u["columns"]),
                           unique=True, is_constraint=True,
                           nulls_not_distinct=bool(u.get("nullsNotDistinct")))
                     for u in _values(t.get("uniqueConstraints")))

    def implicit_indexes(self, t: dict, columns: list[dict]) -> tuple[Index, ...]:
        """Indexes the server adds by itself for what the snapshot declares."""
        return ()

    def index(self, t: dict, ix: dict) -> Index:
        raise NotImplementedError

    def foreign_key(self, t: dict, fk: dict) -> ForeignKey:
        return ForeignKey(
            name=fk["name"], columns=tuple(fk["columnsFrom"]), ref_table=fk["tableTo"],
            ref_columns=tuple(fk["columnsTo"]), ref_schema=self.fk_schema(t, fk),
            on_delete=_action(fk.get("onDelete")), on_update=_action(fk.get("onUpdate")))

    def fk_schema(self, t: dict, fk: dict) -> str | None:
        return None

    def check(self, t: dict, ck: dict) -> Check:
        value = ck["value"]
        return Check(name=ck["name"], expr=self.expr(t, value), raw=value)

    def expr(self, t: dict, text: str) -> str:
        """A CHECK body, predicate, index or generated expression of table ``t``, canonical."""
        return self.d.normalize_expr(self.server_form(self.unqualify(t, text)))

    def server_form(self, text: str) -> str:
        """``text`` as the server would print it back, where drizzle's spelling differs."""
        return text

    def unqualify(self, t: dict, expr: str) -> str:
        """``expr`` without the table qualifiers drizzle writes (``"users"."score"`` → ``"score"``):
        the server stores a CHECK, predicate or generated expression without them."""
        names = [self.d.quote(t["name"])]
        if t.get("schema"):
            names.insert(0, self.d.quote(t["schema"]) + "." + self.d.quote(t["name"]))
        pattern = "|".join(re.escape(n) for n in names)
        return re.sub(rf"(?:{pattern})\.(?=[\"`\w])", "", expr)


class PgSnapshotReader(SnapshotReader):
    """drizzle-kit PostgreSQL snapshots: versions 7 and 6 (``postgresql``), 5 and older (``pg``)."""

    family = "postgresql"
    fixed_dialect = True
    SERIALS: ClassVar[dict[str, str]] = {"smallserial": "smallint", "serial": "integer",
                                         "bigserial": "bigint"}

    def __init__(self, data: dict, dialect: Dialect, label: str = "snapshot"):
        super().__init__(data, dialect, label)
        # old snapshots name a column's enum type without its schema (typeSchema)
        self.enum_schemas = {e["name"]: e.get("schema") or "public" for e in _values(data.get("enums"))}

    def default_schema(self) -> str | None:
        return "public"

    @classmethod
    def declared_schemas(cls, data: dict) -> tuple[str, ...] | None:
        found = {"public"} | {s for s in _values(data.get("schemas")) if isinstance(s, str)}
        found |= {t.get("schema") or "public" for t in _values(data.get("tables"))}
        found |= {e.get("schema") or "public" for e in _values(data.get("enums"))}
        return tuple(sorted(found))

    def ir_schema(self, schema: str | None) -> str | None:
        return None if schema in (None, "", "public") else schema

    def object_name(self, schema: str | None, name: str) -> str:
        return f"{schema or 'public'}.{name}"

    def enums(self) -> tuple[EnumType, ...]:
        out = []
        for e in _values(self.data.get("enums")):
            values = e.get("values") or ()
            if isinstance(values, dict):  # version 5 and older: {"label": "label"}
                values = list(values.values())
            out.append(EnumType(name=e["name"], values=tuple(values), schema=self.ir_schema(e.get("schema"))))
        return tuple(out)

    def not_compared(self) -> tuple[str, ...]:
        out = list(super().not_compared())
        out += [f"sequence {self.object_name(s.get('schema'), s['name'])}"
                for s in _values(self.data.get("sequences"))]
        out += [f"policy {p['name']}" + (f" on {p['on']}" if p.get("on") else "")
                for p in _values(self.data.get("policies"))]
        for t in _values(self.data.get("tables")):
            table = self.qualified(t.get("schema"), t["name"])
            out += [f"policy {p['name']} on {table}" for p in _values(t.get("policies"))]
            if t.get("isRLSEnabled"):
                out.append(f"row level security on {table}")
        return tuple(sorted(out))

    def column_type(self, t: dict, c: dict) -> tuple[ColumnType, Identity | None, bool]:
        raw = c["type"]
        dims = raw.count("[]")
        base = raw.replace("[]", "").strip()
        internal = ((self.internal.get(t["name"]) or {}).get("columns") or {}).get(c["name"]) or {}
        if internal.get("isArray") and not dims:
            dims = int(internal.get("dimensions") or 1)
        identity = None
        if base.lower() in self.SERIALS and not dims:
            base, identity = self.SERIALS[base.lower()], Identity("autoincrement")
        elif c.get("identity"):
            identity = _pg_identity(c["identity"])
        type_schema = c.get("typeSchema") or self.enum_schemas.get(base)
        if type_schema:  # an enum: its name is exact (quoted), qualified outside public
            base = self.d.quote(base) if type_schema == "public" else \
                self.d.quote(type_schema) + "." + self.d.quote(base)
        return self.d.parse_type(base + "[]" * dims), identity, identity is not None

    def index(self, t: dict, ix: dict) -> Index:
        parts = []
        for col in ix.get("columns") or ():
            if isinstance(col, str):  # versions 5 and 6: plain column names
                col = {"expression": col, "isExpression": False, "asc": True}
            desc = not col.get("asc", True)
            nulls = self.d.index_nulls(desc, col.get("nulls"))  # drizzle-kit writes it as given
            if col.get("isExpression"):
                part = IndexPart(expr=self.expr(t, col["expression"]), descending=desc, nulls=nulls,
                                 opclass=col.get("opclass") or col.get("opClass") or None)
            else:
                part = IndexPart(column=col["expression"], descending=desc, nulls=nulls,
                                 opclass=col.get("opclass") or col.get("opClass") or None)
            parts.append(part)
        where = ix.get("where")
        return Index(name=ix["name"], parts=tuple(parts), unique=bool(ix.get("isUnique")),
                     predicate=self.expr(t, where) if where else None, method=_pg_method(ix.get("method")))

    def uniques(self, t: dict, columns: list[dict]) -> tuple[Index, ...]:
        declared = super().uniques(t, columns)
        names = {u.name for u in declared}
        column_level = tuple(
            Index(name=c.get("uniqueName") or f"{t['name']}_{c['name']}_unique",
                  parts=(IndexPart(column=c["name"]),), unique=True, is_constraint=True,
                  nulls_not_distinct=bool(c.get("nullsNotDistinct")))
            for c in columns if c.get("isUnique") and (c.get("uniqueName") or
                                                        f"{t['name']}_{c['name']}_unique") not in names)
        return declared + column_level

    def fk_schema(self, t: dict, fk: dict) -> str | None:
        # drizzle-kit writes REFERENCES "<schemaTo or public>"."<tableTo>"
        return self.ir_schema(fk.get("schemaTo"))

    def default_text(self, c: dict) -> str | None:
        text = super().default_text(c)
        m = re.fullmatch(r"'((?:[^']|'')*)'::jsonb", text or "", re.S)
        if m:  # the server stores a jsonb literal in jsonb's own order and spacing
            try:
                value = json.loads(m.group(1).replace("''", "'"), parse_float=Decimal)
            except ValueError:
                return text
            return "'" + _jsonb_text(value).replace("'", "''") + "'::jsonb"
        return text

    def server_form(self, text: str) -> str:
        """PostgreSQL parses BETWEEN and LIKE into other operators and prints identifiers quoted
        only where needed: do the same to drizzle's text before the dialect canonicalizes it."""
        return _pg_server_form(_tokens(text), self.preparer)

    @property
    def preparer(self):
        return self.sa_dialect.identifier_preparer


class MySqlSnapshotReader(SnapshotReader):
    """drizzle-kit MySQL snapshots (versions 5, 4 and 3). The IR takes the other side's flavour."""

    family = "mysql"
    CHECKS_KEY = "checkConstraint"  # sic: drizzle-kit's MySQL key is singular

    def table(self, t: dict) -> Table:
        if "checkConstraints" in t and "checkConstraint" not in t:
            t = {**t, "checkConstraint": t["checkConstraints"]}
        return super().table(t)

    def column_type(self, t: dict, c: dict) -> tuple[ColumnType, Identity | None, bool]:
        raw = c["type"]
        serial = raw.strip().lower() == "serial"  # BIGINT UNSIGNED NOT NULL AUTO_INCREMENT UNIQUE
        ctype = self.d.parse_type("bigint unsigned" if serial else raw)
        identity = Identity("autoincrement") if serial or c.get("autoincrement") else None
        return ctype, identity, serial

    def default_text(self, c: dict) -> str | None:
        text = super().default_text(c)
        if c.get("onUpdate"):
            return f"{text or 'NULL'} ON UPDATE CURRENT_TIMESTAMP"
        return text

    def primary_key(self, t: dict, columns: list[dict]) -> PrimaryKey | None:
        pk = super().primary_key(t, columns)
        return PrimaryKey(columns=pk.columns) if pk else None  # MySQL's is always PRIMARY

    def implicit_indexes(self, t: dict, columns: list[dict]) -> tuple[Index, ...]:
        """SERIAL implies UNIQUE: the server adds a unique index named after the column."""
        taken = set(_keys(t.get("indexes"))) | set(_keys(t.get("uniqueConstraints")))
        out = []
        for c in columns:
            if c["type"].strip().lower() == "serial":
                name, n = c["name"], 2
                while name in taken:
                    name, n = f"{c['name']}_{n}", n + 1
                taken.add(name)
                out.append(Index(name=name, parts=(IndexPart(column=c["name"]),), unique=True,
                                 is_constraint=True))
        return tuple(out)

    def index(self, t: dict, ix: dict) -> Index:
        flags = ((self.data.get("internal") or {}).get("indexes") or {}).get(ix["name"]) or {}
        flags = flags.get("columns") or {}
        parts = tuple(IndexPart(expr=self.expr(t, col))
                      if (flags.get(col) or {}).get("isExpression") else IndexPart(column=col)
                      for col in ix.get("columns") or ())
        using = (ix.get("using") or "").lower()
        return Index(name=ix["name"], parts=parts, unique=bool(ix.get("isUnique")),
                     method=None if using in ("", "btree") else using)


def _jsonb_text(value) -> str:
    """``value`` as PostgreSQL prints a jsonb: object keys by length then bytes, ``", "``/``": "``."""
    if isinstance(value, dict):
        keys = sorted(value, key=lambda k: (len(k.encode()), k.encode()))
        return "{" + ", ".join(f"{json.dumps(k, ensure_ascii=False)}: {_jsonb_text(value[k])}"
                               for k in keys) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_jsonb_text(v) for v in value) + "]"
    if isinstance(value, Decimal):
        return format(value, "f")
    return json.dumps(value, ensure_ascii=False)


def _pg_method(method: str | None) -> str | None:
    method = (method or "btree").lower()
    return None if method == "btree" else method  # the default access method, as introspected


_TOKEN = re.compile(r"""\s*('(?:[^']|'')*'|"(?:[^"]|"")*"|\d+(?:\.\d*)?|\w+|<>|<=|>=|!=|::|\S)""")
_LIKE = {"like": "~~", "ilike": "~~*"}


def _tokens(text: str) -> list[str]:
    return _TOKEN.findall(text)


def _pg_server_form(toks: list[str], preparer) -> str:
    """Unquote identifiers that need no quotes; ``a [not] between x and y`` → comparisons;
    ``[not] like``/``ilike`` → ``~~``/``~~*`` (``!~~``/``!~~*``)."""
    out: list[str] = []
    i = 0
    while i < len(toks):
        tok, low = toks[i], toks[i].lower()
        if tok.startswith('"') and len(tok) > 1:
            name = tok[1:-1].replace('""', '"')
            tok = name if not preparer._requires_quotes(name) else tok
        if low in _LIKE:
            negated = bool(out) and out[-1].lower() == "not"
            if negated:
                out.pop()
            out.append(("!" if negated else "") + _LIKE[low])
            i += 1
            continue
        if low == "between" and out and i + 3 < len(toks) and toks[i + 2].lower() == "and":
            negated = out[-1].lower() == "not"
            if negated:
                out.pop()
            if out and _atom(out[-1]) and _atom(toks[i + 1]) and _atom(toks[i + 3]):
                subject = out.pop()
                lo, hi = _pg_server_form([toks[i + 1]], preparer), _pg_server_form([toks[i + 3]], preparer)
                out.append(f"({subject} < {lo} or {subject} > {hi})" if negated
                           else f"({subject} >= {lo} and {subject} <= {hi})")
                i += 4
                continue
            if negated:
                out.append("not")
        out.append(tok)
        i += 1
    return " ".join(out)


def _atom(tok: str) -> bool:
    return bool(re.fullmatch(r"\w+|\d+(\.\d*)?|'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"", tok))


def _pg_identity(spec: dict) -> Identity:
    kind = "always" if spec.get("type") == "always" else "by_default"
    return Identity(kind, _int(spec.get("startWith")), _int(spec.get("increment")),
                    minvalue=_int(spec.get("minValue")), maxvalue=_int(spec.get("maxValue")),
                    cycle=bool(spec.get("cycle")), cache=_int(spec.get("cache")))


def _int(value) -> int | None:
    return int(value) if value not in (None, "") else None


def _action(value: str | None) -> str:
    return " ".join((value or "no action").upper().split())


def _values(mapping) -> list:
    if isinstance(mapping, dict):
        return list(mapping.values())
    if isinstance(mapping, list):  # a few old files keep lists
        return mapping
    return []


def _keys(mapping) -> list:
    return list(mapping) if isinstance(mapping, dict) else []
