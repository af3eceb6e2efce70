"""Synthetic schemas for the benchmarks: N tables of 15 columns, as SQLAlchemy models and as DDL.

Every table ``tNNNNN`` has a primary key, two foreign keys (to the previous table and to the table
at half its number), a unique constraint, two checks, five server defaults and three indexes. All
constraints are named, so that two databases built from the same models agree name for name.

``build(n, dialect, drift=True)`` gives the drifted variant: 1% of the tables (at least one) carry
a mix of changes (added, dropped and altered columns, indexes, defaults, checks).

The module also serves models to ``python -m schemadrift compare``: the reference
``benchmarks/synth.py:models_postgresql_1000`` (or ``..._drift``) names a MetaData built on demand.
"""
from __future__ import annotations

import re

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)

DRIFT_EVERY = 100  # 1% of the tables


def table_name(i: int) -> str:
    """The name of table number ``i`` (1-based)."""
    return f"t{i:05d}"


def drifted_tables(n: int) -> list[int]:
    """The numbers of the tables the drifted variant changes (1%, at least one)."""
    picked = [i for i in range(1, n + 1) if i % DRIFT_EVERY == DRIFT_EVERY // 2]
    return picked or [max(1, n // 2)]


def build(n: int, dialect: str = "postgresql", drift: bool = False) -> MetaData:
    """A MetaData of ``n`` synthetic tables for ``dialect`` (the drifted variant with ``drift``)."""
    md = MetaData()
    changed = set(drifted_tables(n)) if drift else set()
    for i in range(1, n + 1):
        _table(md, i, dialect, (i in changed) and drifted_tables(n).index(i) % 4 + 1)
    return md


def _table(md: MetaData, i: int, dialect: str, variant: int) -> Table:
    name = table_name(i)
    true = text("true") if dialect == "postgresql" else text("1")
    columns = [
        Column("id", Integer, primary_key=True),
        Column("parent_id", Integer, ForeignKey(f"{table_name(i - 1)}.id", ondelete="CASCADE",
                                                name=f"fk_{name}_parent") if i > 1 else None),
        Column("owner_id", Integer, ForeignKey(f"{table_name(max(1, i // 2))}.id",
                                               name=f"fk_{name}_owner") if i > 2 else None),
        Column("code", String(32), nullable=False),
        Column("name", String(300 if variant == 1 else 200), nullable=False,
               server_default="unnamed"),
        Column("description", Text),
        Column("amount", Numeric(12, 2), nullable=False, server_default=text("0")),
        Column("is_active", Boolean, nullable=False, server_default=true),
        Column("status", String(20), nullable=False, server_default="new"),
        Column("quantity", Integer, nullable=False, server_default=text("1" if variant == 3 else "0")),
        Column("payload", JSON),
        Column("birth_date", Date),
        Column("created_at", DateTime, nullable=False, server_default=text("CURRENT_TIMESTAMP")),
        Column("updated_at", DateTime, nullable=variant != 4),
    ]
    if variant != 2:
        columns.append(Column("ratio", Float))
    if variant == 1:
        columns.append(Column("extra_note", String(50)))
    extras = [
        UniqueConstraint("code", name=f"uq_{name}_code"),
        CheckConstraint("status IN ('new', 'active', 'closed')", name=f"ck_{name}_status"),
        Index(f"ix_{name}_name", "name"),
        Index(f"ix_{name}_parent", "parent_id"),
    ]
    if variant != 4:
        extras.append(CheckConstraint("quantity >= 0", name=f"ck_{name}_quantity"))
    if variant != 2:
        extras.append(Index(f"ix_{name}_status_created", "status", "created_at"))
    if variant == 3:
        extras.append(Index(f"ix_{name}_code_birth", "code", "birth_date"))
    return Table(name, md, *columns, *extras)


_MODELS = re.compile(r"models_(postgresql|mariadb|mysql|sqlite)_(\d+)(_drift)?")


def __getattr__(attr: str) -> MetaData:
    """``models_<dialect>_<n>[_drift]``: the MetaData for the CLI's ``file.py:attr`` reference."""
    m = _MODELS.fullmatch(attr)
    if m is None:
        raise AttributeError(attr)
    md = globals()[attr] = build(int(m.group(2)), m.group(1), drift=bool(m.group(3)))
    return md  # kept: the CLI asks hasattr() first, then getattr()


# -- the same schema as an IR built in memory (no database, no models) ---------------------------
def build_ir(n: int, drift: bool = False, dialect: str = "postgresql"):
    """The IR of ``build(n, drift=drift)`` as PostgreSQL would report it, built directly."""
    from schemadrift.ir import Schema

    changed = drifted_tables(n) if drift else []
    variants = {i: k % 4 + 1 for k, i in enumerate(changed)}
    return Schema(dialect=dialect, tables=tuple(_ir_table(i, variants.get(i, 0)) for i in range(1, n + 1)),
                  default_schema="public")


def _ir_table(i: int, variant: int):
    from schemadrift.ir import (
        Check,
        Column,
        ColumnType,
        Default,
        ForeignKey,
        Identity,
        Index,
        IndexPart,
        PrimaryKey,
        Table,
    )

    name = table_name(i)
    integer = ColumnType("integer", raw="integer")
    ts = ColumnType("timestamp", raw="timestamp without time zone")

    def varchar(size):
        return ColumnType("varchar", (size,), raw=f"character varying({size})")

    def default(expr, kind="literal"):
        return Default(expr, kind, raw=expr)

    columns = [
        Column("id", integer, False, identity=Identity("autoincrement")),
        Column("parent_id", integer), Column("owner_id", integer),
        Column("code", varchar(32), False),
        Column("name", varchar(300 if variant == 1 else 200), False, default("'unnamed'")),
        Column("description", ColumnType("text", raw="text")),
        Column("amount", ColumnType("numeric", (12, 2), raw="numeric(12,2)"), False, default("0")),
        Column("is_active", ColumnType("boolean", raw="boolean"), False, default("true")),
        Column("status", varchar(20), False, default("'new'")),
        Column("quantity", integer, False, default("1" if variant == 3 else "0")),
        Column("payload", ColumnType("json", raw="json")),
        Column("birth_date", ColumnType("date", raw="date")),
        Column("created_at", ts, False, default("current_timestamp", "expression")),
        Column("updated_at", ts, variant != 4),
    ]
    if variant != 2:
        columns.append(Column("ratio", ColumnType("double", raw="double precision")))
    if variant == 1:
        columns.append(Column("extra_note", varchar(50)))

    def index(ix, *cols, **kw):
        return Index(f"ix_{name}_{ix}", tuple(IndexPart(column=c) for c in cols), **kw)

    indexes = [Index(f"uq_{name}_code", (IndexPart(column="code"),), unique=True, is_constraint=True),
               index("name", "name"), index("parent", "parent_id")]
    if variant != 2:
        indexes.append(index("status_created", "status", "created_at"))
    if variant == 3:
        indexes.append(index("code_birth", "code", "birth_date"))
    fks = []
    if i > 1:
        fks.append(ForeignKey(f"fk_{name}_parent", ("parent_id",), table_name(i - 1), ("id",),
                              on_delete="CASCADE"))
    if i > 2:
        fks.append(ForeignKey(f"fk_{name}_owner", ("owner_id",), table_name(max(1, i // 2)), ("id",)))
    checks = [Check(f"ck_{name}_status", "status in ('new', 'active', 'closed')")]
    if variant != 4:
        checks.append(Check(f"ck_{name}_quantity", "quantity >= 0"))
    return Table(name, tuple(columns), PrimaryKey(("id",)), tuple(sorted(indexes, key=lambda x: x.name)),
                 tuple(sorted(fks, key=lambda f: f.name)), tuple(sorted(checks, key=lambda c: c.name)))
