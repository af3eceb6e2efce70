"""Hypothesis strategies: hostile identifiers and single schema mutations of a model set.

A ``Mutation`` knows the one change the differ must report for it (kind, table, name and, for an
``alter_*``, the attributes) and how to apply it on a live database:

* ``forward(ctx)`` / ``backward(ctx)``: the SQL that makes it and undoes it, where the dialect has
  the ALTER for it (PostgreSQL, MariaDB);
* ``rebuild(table)``: what the SA table looks like after it, for SQLite, which cannot ALTER most
  things (the test copies the base file, then drops and re-creates that table).

Mutations are drawn from the SQLAlchemy model set the base database was created from (the
columns no index, key or check uses are the ones that may be dropped or altered) and from the
base's IR (the names the server gave to unnamed constraints).
"""
from __future__ import annotations

import re
import string
from dataclasses import dataclass, field

import sqlalchemy as sa
from hypothesis import strategies as st
from sqlalchemy.schema import (
    AddConstraint,
    CreateColumn,
    CreateIndex,
    CreateTable,
    SetColumnComment,
    SetTableComment,
)
from sqlalchemy.sql import visitors

import schemadrift.dialects

# BMP only (MySQL identifiers are utf8mb3); no '.', '/', '\\' (MySQL file names) and no NUL
ALPHABET = string.ascii_letters + string.digits + " _\"'`$-#éßüÅ名€"


def identifier(prefix: str) -> st.SearchStrategy[str]:
    """A hostile name: quotes, backticks, spaces, unicode; never ending in a space (MySQL)."""
    return st.text(ALPHABET, min_size=1, max_size=12).map(lambda s: prefix + s).filter(
        lambda s: not s.endswith(" "))


@dataclass
class Ctx:
    """What a mutation needs to render SQL: the dialect names, quoting and the SA dialect."""

    dialect: str
    sa_dialect: sa.engine.Dialect
    metadata: sa.MetaData

    @property
    def ours(self):
        return schemadrift.dialects.get(self.dialect)

    def q(self, name: str) -> str:
        return self.ours.quote(name)

    def lit(self, value) -> str:
        return self.ours.literal(value)

    def compile(self, construct) -> str:
        return str(construct.compile(dialect=self.sa_dialect)).strip()

    @property
    def mysql(self) -> bool:
        return self.dialect in ("mysql", "mariadb")


@dataclass
class Mutation:
    """One change to one object; ``expected`` is (kind, table, name)."""

    kind: str
    table: str | None
    name: str | None
    attributes: frozenset[str] = field(default_factory=frozenset)

    @property
    def expected(self) -> tuple:
        return (self.kind, self.table, self.name)

    def forward(self, ctx: Ctx) -> list[str]:
        raise NotImplementedError

    def backward(self, ctx: Ctx) -> list[str]:
        raise NotImplementedError

    def rebuild(self, table: sa.Table) -> None:
        """Change the SA ``table`` (a copy) the way this mutation changes the database."""
        raise NotImplementedError

    @property
    def rebuilds(self) -> bool:
        """Whether SQLite needs the table rebuilt for it (it has no ALTER for it)."""
        return type(self).rebuild is not Mutation.rebuild

    def __repr__(self) -> str:
        return f"{type(self).__name__}{self.expected}{sorted(self.attributes) or ''}"


# -- columns -----------------------------------------------------------------------------------
@dataclass(repr=False)
class AddColumn(Mutation):
    spec: str = ""

    def forward(self, ctx):
        return [f"ALTER TABLE {ctx.q(self.table)} ADD COLUMN {ctx.q(self.name)} {self.spec}"]

    def backward(self, ctx):
        return [f"ALTER TABLE {ctx.q(self.table)} DROP COLUMN {ctx.q(self.name)}"]


@dataclass(repr=False)
class DropColumn(Mutation):
    column: sa.Column = None

    def forward(self, ctx):
        return [f"ALTER TABLE {ctx.q(self.table)} DROP COLUMN {ctx.q(self.name)}"]

    def backward(self, ctx):
        out = [f"ALTER TABLE {ctx.q(self.table)} ADD COLUMN {ctx.compile(CreateColumn(self.column))}"]
        if self.column.comment and not ctx.mysql:
            out.append(ctx.compile(SetColumnComment(self.column)))
        return out


@dataclass(repr=False)
class AlterColumn(Mutation):
    """A change of type, nullability or default of a column no index, key or check uses."""

    before: sa.Column = None
    after: sa.Column = None

    def forward(self, ctx):
        return self._sql(ctx, self.before, self.after)

    def backward(self, ctx):
        return self._sql(ctx, self.after, self.before)

    def _sql(self, ctx, old: sa.Column, new: sa.Column) -> list[str]:
        t = ctx.q(self.table)
        if ctx.mysql:
            return [f"ALTER TABLE {t} MODIFY COLUMN {ctx.compile(CreateColumn(new))}"]
        c = ctx.q(self.name)
        out = []
        if "type" in self.attributes:
            type_sql = new.type.compile(dialect=ctx.sa_dialect)
            out.append(f"ALTER TABLE {t} ALTER COLUMN {c} TYPE {type_sql} USING {c}::{type_sql}")
        if "nullable" in self.attributes:
            out.append(f"ALTER TABLE {t} ALTER COLUMN {c} {'DROP' if new.nullable else 'SET'} NOT NULL")
        if "default" in self.attributes:
            default = default_sql(new.server_default)
            out.append(f"ALTER TABLE {t} ALTER COLUMN {c} " + (
                f"SET DEFAULT {default}" if default is not None else "DROP DEFAULT"))
        return out

    def rebuild(self, table):
        table.append_column(self.after._copy(), replace_existing=True)


@dataclass(repr=False)
class ColumnComment(Mutation):
    before: sa.Column = None
    after: sa.Column = None

    def forward(self, ctx):
        return [ctx.compile(SetColumnComment(self.after))]

    def backward(self, ctx):
        if self.before.comment is None and not ctx.mysql:
            return [f"COMMENT ON COLUMN {ctx.q(self.table)}.{ctx.q(self.name)} IS NULL"]
        return [ctx.compile(SetColumnComment(self.before))]


# -- indexes, keys, checks ---------------------------------------------------------------------
@dataclass(repr=False)
class AddIndex(Mutation):
    index: sa.Index = None

    def forward(self, ctx):
        return [ctx.compile(CreateIndex(self.index))]

    def backward(self, ctx):
        return [drop_index(ctx, self.table, self.name)]


@dataclass(repr=False)
class DropIndex(Mutation):
    index: sa.Index = None

    def forward(self, ctx):
        return [drop_index(ctx, self.table, self.name)]

    def backward(self, ctx):
        return [ctx.compile(CreateIndex(self.index))]


def drop_index(ctx: Ctx, table: str, name: str) -> str:
    return f"DROP INDEX {ctx.q(name)}" + (f" ON {ctx.q(table)}" if ctx.mysql else "")


@dataclass(repr=False)
class AddConstraint_(Mutation):
    """Add a check, unique or foreign key constraint (SA object ``constraint``, on a copy)."""

    constraint: sa.Constraint = None

    def forward(self, ctx):
        return [ctx.compile(AddConstraint(self.constraint))]

    def backward(self, ctx):
        return drop_constraint(ctx, self.kind.replace("add_", ""), self.table, self.name, implicit_index=True)

    def rebuild(self, table):
        table.append_constraint(self.constraint._copy())


@dataclass(repr=False)
class DropConstraint_(Mutation):
    """Drop a check, unique or foreign key constraint; ``definition`` is the SQL that restores it."""

    definition: str = ""
    matches: object = None  # SA constraint → bool, for SQLite's rebuild

    def forward(self, ctx):
        return drop_constraint(ctx, self.kind.replace("drop_", ""), self.table, self.name)

    def backward(self, ctx):
        return [f"ALTER TABLE {ctx.q(self.table)} ADD CONSTRAINT {ctx.q(self.name)} {self.definition}"]

    def rebuild(self, table):
        for c in list(table.constraints):
            if self.matches(c):
                table.constraints.discard(c)
                for fk in getattr(c, "elements", ()):
                    fk.parent.foreign_keys.discard(fk)
                    table.foreign_keys.discard(fk)


def drop_constraint(ctx: Ctx, what: str, table: str, name: str, implicit_index: bool = False) -> list[str]:
    t, n = ctx.q(table), ctx.q(name)
    if not ctx.mysql:
        return [f"ALTER TABLE {t} DROP CONSTRAINT {n}"]
    if what == "foreign_key":
        # MariaDB keeps the index it made for the FK: drop it too when the FK was ours
        return [f"ALTER TABLE {t} DROP FOREIGN KEY {n}"] + ([f"ALTER TABLE {t} DROP INDEX {n}"]
                                                            if implicit_index else [])
    if what == "unique":
        return [f"ALTER TABLE {t} DROP INDEX {n}"]
    return [f"ALTER TABLE {t} DROP CONSTRAINT {n}"]


# -- tables ------------------------------------------------------------------------------------
@dataclass(repr=False)
class AddTable(Mutation):
    new: sa.Table = None

    def forward(self, ctx):
        return [ctx.compile(CreateTable(self.new))]

    def backward(self, ctx):
        return [f"DROP TABLE {ctx.q(self.table)}"]


@dataclass(repr=False)
class DropTable(Mutation):
    old: sa.Table = None

    def forward(self, ctx):
        return [f"DROP TABLE {ctx.q(self.table)}"]

    def backward(self, ctx):
        out = [ctx.compile(CreateTable(self.old))] + [ctx.compile(CreateIndex(ix)) for ix in self.old.indexes]
        if not ctx.mysql:
            out += [ctx.compile(SetTableComment(self.old))] if self.old.comment else []
            out += [ctx.compile(SetColumnComment(c)) for c in self.old.columns if c.comment]
        return out


@dataclass(repr=False)
class TableComment(Mutation):
    before: str | None = None
    after: str | None = None

    def forward(self, ctx):
        return [self._sql(ctx, self.after)]

    def backward(self, ctx):
        return [self._sql(ctx, self.before)]

    def _sql(self, ctx, text):
        if ctx.mysql:
            return f"ALTER TABLE {ctx.q(self.table)} COMMENT = {ctx.lit(text or '')}"
        return f"COMMENT ON TABLE {ctx.q(self.table)} IS {ctx.lit(text) if text else 'NULL'}"


@dataclass(repr=False)
class Redefine(Mutation):
    """Drop an object and create it again, under the same name, with another definition
    (``drop``/``create_old``/``create_new`` are SQL; ``rebuild_with`` changes the SA table)."""

    drop: list = field(default_factory=list)
    create_old: list = field(default_factory=list)
    create_new: list = field(default_factory=list)
    rebuild_with: object = None

    def forward(self, ctx):
        return self.drop + self.create_new

    def backward(self, ctx):
        return self.drop + self.create_old

    def rebuild(self, table):
        if self.rebuild_with is None:  # SQLite's own DROP/CREATE does it (an index)
            raise NotImplementedError
        self.rebuild_with(table)

    @property
    def rebuilds(self) -> bool:
        return self.rebuild_with is not None


@dataclass(repr=False)
class AddEnum(Mutation):
    """A new named enum type (schema-level: ``table`` is None)."""

    values: tuple[str, ...] = ()

    def forward(self, ctx):
        return [f"CREATE TYPE {ctx.q(self.name)} AS ENUM ({', '.join(map(ctx.lit, self.values))})"]

    def backward(self, ctx):
        return [f"DROP TYPE {ctx.q(self.name)}"]


# -- what the model set offers -----------------------------------------------------------------
def copy_metadata(md: sa.MetaData) -> sa.MetaData:
    """A deep copy of ``md`` (tables, constraints, indexes), to change without touching ``md``."""
    new = sa.MetaData()
    for t in md.sorted_tables:
        t.to_metadata(new)
    return new


def _columns_of(element) -> set[str]:
    return {c.name for c in visitors.iterate(element) if isinstance(c, sa.Column)}


def used_columns(table: sa.Table) -> set[str]:
    """Columns some key, index, check or other table's foreign key uses (not free to change)."""
    used = set()
    for ix in table.indexes:
        for e in ix.expressions:
            used |= _columns_of(e) if not isinstance(e, str) else {e}
        for opts in ix.dialect_options.values():
            where = opts.get("where")
            if where is not None:
                used |= _columns_of(where) | set(re.findall(r"\w+", str(where)))
    for c in table.constraints:
        used |= {col.name for col in getattr(c, "columns", ())}
        if isinstance(c, sa.CheckConstraint):
            used |= set(re.findall(r"\w+", str(c.sqltext)))
    for other in table.metadata.tables.values():
        for fk in other.foreign_keys:
            if fk.column.table is table:
                used.add(fk.column.name)
    return used


def free_columns(table: sa.Table) -> list[sa.Column]:
    used = used_columns(table)
    return [c for c in table.columns if c.name not in used and not c.primary_key]


def referenced_tables(md: sa.MetaData) -> set[str]:
    return {fk.column.table.name for t in md.tables.values() for fk in t.foreign_keys}


INDEXABLE = (sa.Integer, sa.Numeric, sa.Date, sa.DateTime, sa.Boolean, sa.Time)


def indexable(c: sa.Column) -> bool:
    """A column any dialect can index without a prefix length (no TEXT/BLOB/JSON on MySQL)."""
    return (isinstance(c.type, INDEXABLE) and not isinstance(c.type, sa.Enum)) or (
        isinstance(c.type, sa.String) and not isinstance(c.type, sa.Text) and (c.type.length or 999) <= 255)


# new column types: (SQL type, default literal or None); portable across the three dialects
NEW_TYPES = [("INTEGER", "7"), ("BIGINT", "0"), ("VARCHAR(40)", "'d'"), ("NUMERIC(8,2)", "1.5"),
             ("DATE", None), ("TEXT", None), ("SMALLINT", "2")]


def other_type(c: sa.Column):
    """A type different from ``c``'s (canonically so on every dialect), or None."""
    t = c.type
    if isinstance(t, (sa.Enum, sa.Boolean, sa.JSON, sa.LargeBinary, sa.Time)):
        return None
    collation = getattr(t, "collation", None)
    if isinstance(t, sa.Text):
        return sa.String(300, collation=collation)
    if isinstance(t, sa.String):
        return sa.String((t.length or 100) + 7, collation=collation)
    if isinstance(t, sa.BigInteger):
        return sa.Integer()
    if isinstance(t, sa.SmallInteger):
        return sa.Integer()
    if isinstance(t, sa.Integer):
        return sa.BigInteger()
    if isinstance(t, sa.Float):
        return sa.Numeric(10, 3)
    if isinstance(t, sa.Numeric):
        return sa.Numeric((t.precision or 10) + 2, t.scale or 0)
    if isinstance(t, sa.DateTime):
        return sa.Date()
    if isinstance(t, sa.Date):
        return sa.DateTime()
    return None


def default_for(c: sa.Column, salt: int) -> str | None:
    """A literal default for ``c``'s type, different for each ``salt``; None where we don't know one."""
    t = c.type
    if isinstance(t, (sa.Enum, sa.Boolean)):
        return None
    if isinstance(t, sa.Integer):
        return str(40 + salt)
    if isinstance(t, sa.String) and not isinstance(t, sa.Text):
        return f"'v{salt}'"
    return None


def _copy_column(c: sa.Column, **changes) -> sa.Column:
    new = c._copy()
    for k, v in changes.items():
        setattr(new, k, v)
    return new


def _attach(table: sa.Table, column: sa.Column) -> sa.Column:
    """``column`` in a private copy of ``table`` (so DDL constructs can name its table)."""
    copy = table.to_metadata(sa.MetaData())
    copy.append_column(column, replace_existing=True)
    return copy.c[column.name]


class Base:
    """The model set a base database was built from, its IR, its dialect (and a short repr)."""

    def __init__(self, metadata: sa.MetaData, schema, dialect: str, sa_dialect: sa.engine.Dialect,
                 exact: bool = True):
        self.metadata, self.schema, self.dialect, self.sa_dialect = metadata, schema, dialect, sa_dialect
        self.mysql = dialect in ("mysql", "mariadb")
        #: whether ``metadata`` renders the tables exactly as they are (False for reflected SQLite:
        #: SQLAlchemy drops FK actions there), which a SQLite table rebuild needs
        self.exact = exact
        self._kinds = None

    def __repr__(self) -> str:
        return f"<{self.dialect} base>"

    def type_sql(self, c: sa.Column) -> str:
        return str(c.type.compile(dialect=self.sa_dialect))

    @property
    def kinds(self) -> dict[str, st.SearchStrategy]:
        """Each mutation kind this base offers something for, with its strategy."""
        if self._kinds is None:
            names = [n for n in vars(_Draw) if not n.startswith("_")]
            if self.dialect == "sqlite":
                names = [n for n in names if "comment" not in n and (self.exact or n not in REBUILT)]
            made = {n: getattr(_Draw, n)(self) for n in sorted(names)}
            self._kinds = {n: s for n, s in made.items() if s is not None}
        return self._kinds


#: the kinds SQLite has no ALTER for (the test rebuilds the table from the SA model)
REBUILT = {"alter_column", "add_check", "drop_check", "add_unique", "drop_unique", "add_foreign_key",
           "drop_foreign_key", "alter_check", "alter_foreign_key"}


@st.composite
def mutations(draw, base: Base) -> Mutation:
    """One mutation of the database built from ``base.metadata`` (whose IR is ``base.schema``)."""
    kind = draw(st.sampled_from(sorted(base.kinds)))
    return draw(base.kinds[kind])


def default_sql(default) -> str | None:
    """The SQL text of an SA server default (a string is a literal)."""
    if default is None:
        return None
    arg = default.arg
    if isinstance(arg, str):
        return "'" + arg.replace("'", "''") + "'"
    return getattr(arg, "text", None) or str(arg)


def _sampled(choices, make) -> st.SearchStrategy | None:
    return st.sampled_from(choices).map(make) if choices else None


def _tables(md: sa.MetaData) -> list[sa.Table]:
    return sorted(md.tables.values(), key=lambda t: t.name)


class _Draw:
    """One strategy per mutation kind: ``kind(base)`` → a SearchStrategy of Mutation, or None
    where the base offers nothing for it."""

    @staticmethod
    def add_column(base):
        @st.composite
        def s(draw):
            table = draw(st.sampled_from(sorted(base.metadata.tables)))
            type_sql, default = draw(st.sampled_from(NEW_TYPES))
            not_null = default is not None and draw(st.booleans())
            spec = type_sql + (f" DEFAULT {default}" if default and (not_null or draw(st.booleans())) else "")
            spec += " NOT NULL" if not_null else ""
            return AddColumn("add_column", table, draw(identifier("c ")), spec=spec)
        return s()

    @staticmethod
    def drop_column(base):
        choices = [(t, c) for t in _tables(base.metadata) for c in free_columns(t)
                   # SQLite cannot ADD back a NOT NULL column without a constant default
                   if base.dialect != "sqlite" or c.nullable or _constant_default(c)]
        return _sampled(choices, lambda tc: DropColumn("drop_column", tc[0].name, tc[1].name, column=tc[1]))

    @staticmethod
    def alter_column(base):
        choices = [(t, c) for t in _tables(base.metadata) for c in free_columns(t)]

        @st.composite
        def s(draw):
            t, c = draw(st.sampled_from(choices))
            # (a date ↔ datetime change rewrites a default's literal too: '… 00:00:00' ↔ '…')
            retyped = other_type(c) is not None and not (
                c.server_default is not None and isinstance(c.type, (sa.Date, sa.DateTime)))
            options = ["nullable"] + (["type"] if retyped else []) + (
                ["default"] if default_for(c, 0) is not None else [])
            attr = draw(st.sampled_from(options))
            if attr == "type":
                after = _copy_column(c, type=other_type(c))
            elif attr == "nullable":
                after = _copy_column(c, nullable=not c.nullable)
            else:
                current = default_sql(c.server_default)
                new = draw(st.sampled_from([None, default_for(c, 1), default_for(c, 2)]).filter(
                    lambda v: v != current))
                after = c._copy()
                after.server_default = sa.DefaultClause(sa.text(new)) if new else None
            return AlterColumn("alter_column", t.name, c.name, frozenset({attr}),
                               before=_attach(t, c._copy()), after=_attach(t, after))
        return s() if choices else None

    @staticmethod
    def column_comment(base):
        choices = [(t, c) for t in _tables(base.metadata) for c in t.columns
                   if not c.primary_key and not c.foreign_keys]

        @st.composite
        def s(draw):
            t, c = draw(st.sampled_from(choices))
            text = draw(st.text(ALPHABET, min_size=1, max_size=20).filter(lambda x: x != c.comment))
            return ColumnComment("alter_column", t.name, c.name, frozenset({"comment"}),
                                 before=_attach(t, c._copy()),
                                 after=_attach(t, _copy_column(c, comment=text)))
        return s() if choices else None

    @staticmethod
    def table_comment(base):
        @st.composite
        def s(draw):
            table = draw(st.sampled_from(sorted(base.metadata.tables)))
            before = base.metadata.tables[table].comment
            texts = st.text(ALPHABET, min_size=1, max_size=30).filter(lambda x: x != before)
            after = draw(texts if before is None else st.one_of(st.none(), texts))
            return TableComment("alter_table", table, table, frozenset({"comment"}),
                                before=before, after=after)
        return s()

    @staticmethod
    def add_index(base):
        # no FK column: MariaDB may swap its implicit FK index for ours, then refuse to drop ours
        choices = [(t, cols) for t in _tables(base.metadata)
                   if (cols := [c.name for c in t.columns if indexable(c) and not c.foreign_keys])]

        @st.composite
        def s(draw):
            t, cols = draw(st.sampled_from(choices))
            copy = t.to_metadata(sa.MetaData())
            picked = draw(st.lists(st.sampled_from(cols), min_size=1, max_size=2, unique=True))
            name = draw(identifier("ix "))
            return AddIndex("add_index", t.name, name, index=sa.Index(name, *[copy.c[c] for c in picked]))
        return s() if choices else None

    @staticmethod
    def drop_index(base):
        choices = [(t, ix) for t in _tables(base.metadata) for ix in t.indexes
                   if ix.name and not any(c.foreign_keys for c in ix.columns)]

        def make(ti):
            # the IR says what the server made of it: on MySQL a unique index is the unique constraint
            t, ix = ti
            known = next(i for i in base.schema.table(t.name).indexes if i.name == ix.name)
            kind = "drop_unique" if known.is_constraint else "drop_index"
            return DropIndex(kind, t.name, ix.name, index=ix)
        return _sampled(choices, make)

    @staticmethod
    def add_check(base):
        # not on a key column: MariaDB refuses a CHECK on an AUTO_INCREMENT or FK-action column
        choices = [(t, c.name) for t in _tables(base.metadata) for c in _check_columns(t)]

        @st.composite
        def s(draw):
            t, column = draw(st.sampled_from(choices))
            copy = t.to_metadata(sa.MetaData())
            bound = draw(st.integers(-1000, 0))
            name = draw(identifier("ck "))
            ck = sa.CheckConstraint(sa.column(column) >= sa.literal_column(str(bound)), name=name)
            copy.append_constraint(ck)
            return AddConstraint_("add_check", t.name, name, constraint=ck)
        return s() if choices else None

    @staticmethod
    def add_unique(base):
        choices = [(t, cols) for t in _tables(base.metadata) if (cols := [
            c.name for c in t.columns if indexable(c) and not c.foreign_keys and not c.primary_key])]

        @st.composite
        def s(draw):
            t, cols = draw(st.sampled_from(choices))
            copy = t.to_metadata(sa.MetaData())
            # not the columns of a key the table has: SQLite keeps one index for both
            taken = {tuple(c.name for c in k.columns) for k in copy.constraints
                     if isinstance(k, (sa.UniqueConstraint, sa.PrimaryKeyConstraint))}
            taken |= {tuple(c.name for c in ix.columns) for ix in copy.indexes if ix.unique}
            picked = draw(st.lists(st.sampled_from(cols), min_size=1, max_size=2, unique=True)
                          .filter(lambda cs: tuple(cs) not in taken))
            name = draw(identifier("uq "))
            uq = sa.UniqueConstraint(*picked, name=name)
            copy.append_constraint(uq)
            return AddConstraint_("add_unique", t.name, name, constraint=uq)
        return s() if choices else None

    @staticmethod
    def add_foreign_key(base):
        # an integer column that is no key yet → a one-column primary key of the same type
        # (MySQL insists on the same type and sign)
        targets = [t for t in _tables(base.metadata) if len(t.primary_key.columns) == 1
                   and isinstance(t.primary_key.columns[0].type, sa.Integer)]
        pairs = [(t, c, target) for t in _tables(base.metadata) for c in t.columns
                 if isinstance(c.type, sa.Integer) and not c.foreign_keys and not c.primary_key
                 for target in targets
                 if base.type_sql(c) == base.type_sql(target.primary_key.columns[0])]

        @st.composite
        def s(draw):
            t, c, target = draw(st.sampled_from(pairs))
            copy = copy_metadata(base.metadata).tables[t.name]
            name = draw(identifier("fk "))
            action = draw(st.sampled_from([None, "CASCADE", "SET NULL"] if c.nullable else [None, "CASCADE"]))
            fk = sa.ForeignKeyConstraint([c.name], [target.primary_key.columns[0]], name=name,
                                         ondelete=action)
            copy.append_constraint(fk)
            return AddConstraint_("add_foreign_key", t.name, name, constraint=fk)
        return s() if pairs else None

    @staticmethod
    def drop_check(base):
        choices = [(t, ck) for t in base.schema.tables for ck in t.checks if ck.name]
        return _sampled(choices, lambda tc: DropConstraint_(
            "drop_check", tc[0].name, tc[1].name, definition=f"CHECK ({tc[1].raw or tc[1].expr})",
            matches=lambda c, n=tc[1].name: isinstance(c, sa.CheckConstraint) and c.name == n))

    @staticmethod
    def drop_unique(base):
        q = schemadrift.dialects.get(base.dialect).quote
        # not one a foreign key needs: MariaDB refuses to drop it (error 1553)
        choices = [(t, ix) for t in base.schema.tables for ix in t.indexes if ix.is_constraint and ix.name
                   and not any(set(ix.columns) & set(fk.columns) for fk in t.foreign_keys)]
        return _sampled(choices, lambda ti: DropConstraint_(
            "drop_unique", ti[0].name, ti[1].name,
            definition=f"UNIQUE ({', '.join(q(c) for c in ti[1].columns)})",
            matches=lambda c, cols=ti[1].columns: isinstance(c, sa.UniqueConstraint)
            and tuple(x.name for x in c.columns) == cols))

    @staticmethod
    def drop_foreign_key(base):
        q = schemadrift.dialects.get(base.dialect).quote

        def make(tf):
            t, fk = tf
            definition = (f"FOREIGN KEY ({', '.join(map(q, fk.columns))}) REFERENCES {q(fk.ref_table)} "
                          f"({', '.join(map(q, fk.ref_columns))}) "
                          f"ON DELETE {fk.on_delete} ON UPDATE {fk.on_update}")
            return DropConstraint_("drop_foreign_key", t.name, fk.name, definition=definition,
                                   matches=lambda c, cols=fk.columns: isinstance(c, sa.ForeignKeyConstraint)
                                   and tuple(c.column_keys) == cols)
        return _sampled([(t, fk) for t in base.schema.tables for fk in t.foreign_keys], make)

    @staticmethod
    def add_table(base):
        @st.composite
        def s(draw):
            name = draw(identifier("t "))
            # numbered: MySQL compares column names case- and accent-insensitively
            cols = draw(st.lists(identifier(""), min_size=1, max_size=3))
            t = sa.Table(name, sa.MetaData(), sa.Column("id", sa.Integer, primary_key=True),
                         *[sa.Column(f"c{i} {c}", sa.String(30)) for i, c in enumerate(cols)])
            return AddTable("add_table", name, name, new=t)
        return s()

    @staticmethod
    def alter_index(base):
        """A plain column index gets one more column (same name)."""
        choices = [(t, ix, c) for t in _tables(base.metadata) for ix in t.indexes
                   if ix.name and not ix.unique and all(isinstance(e, sa.Column) for e in ix.expressions)
                   and not any(x.foreign_keys for x in ix.columns) and not ix.dialect_kwargs
                   for c in t.columns if indexable(c) and c.name not in ix.columns and not c.foreign_keys]

        def make(tic):
            t, ix, c = tic
            copy = t.to_metadata(sa.MetaData())
            new = sa.Index(ix.name, *[copy.c[x.name] for x in ix.columns], copy.c[c.name])
            ctx = Ctx(base.dialect, base.sa_dialect, base.metadata)
            return Redefine("alter_index", t.name, ix.name, frozenset({"parts"}),
                            drop=[drop_index(ctx, t.name, ix.name)],
                            create_old=[ctx.compile(CreateIndex(ix))],
                            create_new=[ctx.compile(CreateIndex(new))])
        return _sampled(choices, make)

    @staticmethod
    def alter_check(base):
        """A named check gets another expression (same name)."""
        choices = [(t, ck) for t in base.schema.tables for ck in t.checks if ck.name]

        def make(tc):
            t, ck = tc
            ctx = Ctx(base.dialect, base.sa_dialect, base.metadata)
            old, new = ck.raw or ck.expr, f"({ck.raw or ck.expr}) AND 1 = 1"

            def rebuild(table, name=ck.name, text=new):
                for c in list(table.constraints):
                    if isinstance(c, sa.CheckConstraint) and c.name == name:
                        table.constraints.discard(c)
                table.append_constraint(sa.CheckConstraint(sa.text(text), name=name))
            add = f"ALTER TABLE {ctx.q(t.name)} ADD CONSTRAINT {ctx.q(ck.name)} CHECK "
            return Redefine("alter_check", t.name, ck.name, frozenset({"expr"}),
                            drop=drop_constraint(ctx, "check", t.name, ck.name),
                            create_old=[add + f"({old})"], create_new=[add + f"({new})"],
                            rebuild_with=rebuild)
        return _sampled(choices, make)

    @staticmethod
    def alter_foreign_key(base):
        """A foreign key gets another ON DELETE action (same name, same columns)."""
        q = schemadrift.dialects.get(base.dialect).quote
        choices = [(t, fk, action) for t in base.schema.tables for fk in t.foreign_keys
                   for action in ("NO ACTION", "CASCADE", "SET NULL") if action != fk.on_delete
                   and (action != "SET NULL" or all(t.column(c).nullable for c in fk.columns))]

        def make(tfa):
            t, fk, action = tfa
            ctx = Ctx(base.dialect, base.sa_dialect, base.metadata)

            def definition(on_delete):
                return (f"ALTER TABLE {q(t.name)} ADD " + (f"CONSTRAINT {q(fk.name)} " if fk.name else "")
                        + f"FOREIGN KEY ({', '.join(map(q, fk.columns))}) REFERENCES {q(fk.ref_table)} "
                        f"({', '.join(map(q, fk.ref_columns))}) "
                        f"ON DELETE {on_delete} ON UPDATE {fk.on_update}")

            def rebuild(table, cols=fk.columns, on_delete=action):
                for c in list(table.constraints):
                    if isinstance(c, sa.ForeignKeyConstraint) and tuple(c.column_keys) == cols:
                        c.ondelete = on_delete
                        for e in c.elements:
                            e.ondelete = on_delete
            return Redefine("alter_foreign_key", t.name, fk.name, frozenset({"on_delete"}),
                            drop=drop_constraint(ctx, "foreign_key", t.name, fk.name) if fk.name else [],
                            create_old=[definition(fk.on_delete)], create_new=[definition(action)],
                            rebuild_with=rebuild)
        return _sampled(choices, make)

    @staticmethod
    def add_enum(base):
        if not schemadrift.dialects.get(base.dialect).NAMED_ENUMS:
            return None
        return st.builds(lambda name, values: AddEnum("add_enum", None, name, values=tuple(values)),
                         identifier("e "), st.lists(st.text(ALPHABET, min_size=1, max_size=8), min_size=1,
                                                    max_size=4, unique=True))

    @staticmethod
    def drop_table(base):
        referenced = referenced_tables(base.metadata)
        choices = [t for t in _tables(base.metadata) if t.name not in referenced]
        return _sampled(choices, lambda t: DropTable("drop_table", t.name, t.name, old=t))


def _check_columns(t: sa.Table) -> list[sa.Column]:
    return [c for c in t.columns
            if isinstance(c.type, sa.Integer) and not c.primary_key and not c.foreign_keys]


def _constant_default(c: sa.Column) -> bool:
    d = c.server_default
    return d is not None and isinstance(getattr(d, "arg", None), (str, sa.sql.elements.TextClause)) \
        and "(" not in str(getattr(d.arg, "text", d.arg))
