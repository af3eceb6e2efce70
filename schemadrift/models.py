"""Declared models (a SQLAlchemy ``MetaData``) → the IR, for one dialect.

Each type, default and expression is compiled with the target dialect's own SQLAlchemy compiler
and then passed through the same normalization hooks as what the live server prints, so that a
database created from the models compares as in sync with them.
"""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.sql import naming
from sqlalchemy.sql.base import _NONE_NAME

from .dialects.base import Dialect, collector_paused
from .errors import SourceError
from .ir import (
    Check,
    Column,
    EnumType,
    ForeignKey,
    Generated,
    Identity,
    Index,
    IndexPart,
    PrimaryKey,
    Schema,
    Table,
)


def load_metadata(metadata: sa.MetaData, dialect: Dialect) -> Schema:
    """The IR of ``metadata`` as ``dialect`` would create it."""
    hook = getattr(dialect, "load_models", None)
    if hook is not None:
        return hook(metadata)
    return ModelReader(dialect).read(metadata)


class ModelReader:
    """Reads a MetaData with a dialect's compiler; dialects may subclass it for their options."""

    def __init__(self, dialect: Dialect):
        self.dialect = dialect
        self.sa_dialect = _sqlalchemy_dialect(dialect)
        self.ddl = self.sa_dialect.ddl_compiler(self.sa_dialect, None)

    def read(self, metadata: sa.MetaData) -> Schema:
        with collector_paused():  # (as the database readers: many objects, no cycle among them)
            return self._read(metadata)

    def _read(self, metadata: sa.MetaData) -> Schema:
        # (metadata.tables, not sorted_tables: its topological sort is quadratic, and
        # normalize() orders the tables anyway)
        tables = tuple(self.table(t) for t in metadata.tables.values())
        enums = self.enums(metadata) if self.dialect.NAMED_ENUMS else ()
        return self.dialect.normalize(Schema(dialect=self.dialect.flavour, tables=tables, enums=enums,
                                             server_version=self.dialect.version))

    # -- tables --------------------------------------------------------------------------------
    def table(self, t: sa.Table) -> Table:
        return Table(
            name=t.name, schema=t.schema,
            columns=tuple(self.column(c) for c in t.columns),
            primary_key=self.primary_key(t),
            indexes=tuple(self.unique(u) for u in t.constraints if isinstance(u, sa.UniqueConstraint))
            + tuple(self.index(i) for i in t.indexes),
            foreign_keys=tuple(self.foreign_key(fk) for fk in t.foreign_key_constraints),
            checks=tuple(self.check(c) for c in _table_checks(t) if self.creates(c)),
            comment=t.comment,
            options=self.table_options(t),
        )

    def table_options(self, t: sa.Table) -> tuple[tuple[str, str], ...]:
        return ()

    def column(self, c: sa.Column) -> Column:
        try:
            raw_type = c.type.compile(dialect=self.sa_dialect)
        except Exception as e:  # noqa: BLE001 - any compile failure is the user's model
            raise SourceError(f"column {c.table.name}.{c.name}: type {c.type!r} cannot be compiled "
                              f"for {self.dialect.flavour}: {e}") from e
        ctype = self.dialect.parse_type(raw_type)
        return Column(
            name=c.name, type=ctype, nullable=bool(c.nullable),
            default=self.dialect.normalize_default(self.ddl.get_column_default_string(c), ctype)
            if c.server_default is not None and c.computed is None and c.identity is None else None,
            identity=self.identity(c),
            generated=Generated(self.dialect.normalize_expr(self.expr(c.computed.sqltext)),
                                bool(c.computed.persisted)) if c.computed is not None else None,
            collation=getattr(c.type, "collation", None),
            comment=c.comment,
        )

    def identity(self, c: sa.Column) -> Identity | None:
        if c.identity is not None:
            return Identity("always" if c.identity.always else "by_default",
                            c.identity.start, c.identity.increment)
        if c.table.autoincrement_column is c:
            return Identity("autoincrement")
        return None

    def primary_key(self, t: sa.Table) -> PrimaryKey | None:
        pk = t.primary_key
        if pk is None or not pk.columns:
            return None
        return PrimaryKey(columns=tuple(c.name for c in pk.columns), name=_name(pk))

    def unique(self, u: sa.UniqueConstraint) -> Index:
        return Index(name=_name(u), parts=tuple(IndexPart(column=c.name) for c in u.columns),
                     unique=True, is_constraint=True)

    def index(self, i: sa.Index) -> Index:
        opts = self.dialect_options(i)
        return Index(name=_name(i), parts=tuple(self.index_part(e, opts) for e in i.expressions),
                     unique=bool(i.unique), predicate=self.predicate(opts),
                     predicate_raw=self.predicate_text(opts) or "", method=self.index_method(opts),
                     include=self.index_include(opts))

    def dialect_options(self, construct) -> dict:
        """The ``<dialect>_*`` keyword options of an Index or constraint for this dialect."""
        try:
            return dict(construct.dialect_options[self.sa_dialect.name])
        except (KeyError, LookupError):
            return {}

    def index_part(self, expr, opts) -> IndexPart:
        expr, descending, nulls = index_ordering(expr)
        nulls = self.dialect.index_nulls(descending, nulls)
        if isinstance(expr, sa.Column):
            return IndexPart(column=expr.name, descending=descending, nulls=nulls)
        return IndexPart(expr=self.dialect.normalize_expr(self.expr(expr)), descending=descending,
                         nulls=nulls)

    def predicate(self, opts) -> str | None:
        text = self.predicate_text(opts)
        return self.dialect.normalize_expr(text) if text is not None else None

    def predicate_text(self, opts) -> str | None:
        """An index's WHERE clause as the dialect compiles it (None without one)."""
        where = opts.get("where") if opts else None
        if isinstance(where, str):  # reflected metadata carries the predicate as plain text
            where = sa.text(where)
        return self.expr(where) if where is not None else None

    def index_method(self, opts) -> str | None:
        return None

    def index_include(self, opts) -> tuple[str, ...]:
        return ()

    def foreign_key(self, fk: sa.ForeignKeyConstraint) -> ForeignKey:
        target = fk.elements[0].column.table
        return ForeignKey(
            name=_name(fk), columns=tuple(c.name for c in fk.columns),
            ref_table=target.name, ref_schema=target.schema,
            ref_columns=tuple(e.column.name for e in fk.elements),
            on_delete=(fk.ondelete or "NO ACTION").upper(), on_update=(fk.onupdate or "NO ACTION").upper(),
            deferrable=bool(fk.deferrable), initially_deferred=(fk.initially or "").upper() == "DEFERRED",
        )

    def check(self, c: sa.CheckConstraint) -> Check:
        raw = self.expr(c.sqltext)
        return Check(name=_name(c), expr=self.dialect.normalize_expr(raw), raw=raw)

    def creates(self, c: sa.CheckConstraint) -> bool:
        """False for a CHECK SQLAlchemy adds for a type but does not emit on this dialect."""
        rule = getattr(c, "_create_rule", None)
        return rule is None or bool(rule(self.ddl))

    def expr(self, clause) -> str:
        return str(clause.compile(dialect=self.sa_dialect, compile_kwargs={"literal_binds": True}))

    def enums(self, metadata: sa.MetaData) -> tuple[EnumType, ...]:
        found: dict[tuple, EnumType] = {}
        for t in metadata.tables.values():
            for c in t.columns:
                e = c.type
                if isinstance(e, sa.Enum) and e.native_enum and e.name:
                    found[(e.schema or t.schema or "", e.name)] = EnumType(
                        name=e.name, values=tuple(e.enums), schema=e.schema or t.schema)
        return tuple(found[k] for k in sorted(found))


def _table_checks(t: sa.Table) -> list[sa.CheckConstraint]:
    """Table-level CHECKs and those declared on a column (``Column(..., CheckConstraint(...))``)."""
    found = [c for c in t.constraints if isinstance(c, sa.CheckConstraint)]
    for col in t.columns:
        found += [c for c in col.constraints if isinstance(c, sa.CheckConstraint) and c not in found]
    return found


_ORDERING = {sa.sql.operators.desc_op: ("descending", True), sa.sql.operators.asc_op: ("descending", False),
             sa.sql.operators.nulls_first_op: ("nulls", "first"),
             sa.sql.operators.nulls_last_op: ("nulls", "last")}


def index_ordering(expr) -> tuple[object, bool, str | None]:
    """An index expression without its ``.desc()`` / ``.nulls_first()`` modifiers (either order):
    (the expression, descending, ``"first"``/``"last"``/None)."""
    found = {"descending": False, "nulls": None}
    while isinstance(expr, sa.sql.elements.UnaryExpression) and expr.modifier in _ORDERING:
        key, value = _ORDERING[expr.modifier]
        found[key] = value
        expr = expr.element
    return expr, found["descending"], found["nulls"]


def _sqlalchemy_dialect(dialect: Dialect):
    from sqlalchemy.dialects import registry

    cls = registry.load(dialect.sqlalchemy_name)
    sa_dialect = cls()
    if dialect.flavour == "mariadb":
        sa_dialect.is_mariadb = True
    return sa_dialect


def _name(constraint) -> str | None:
    name = constraint.name
    if name is None or name is _NONE_NAME:
        try:
            name = naming._constraint_name_for_table(constraint, constraint.table)
        except Exception:  # noqa: BLE001 - no convention applies: the database names it
            name = None
    if name is None or name is _NONE_NAME:
        return None
    return str(name)


