"""A plan creates a partial index with the predicate as the source spelled it, not the canonical
form the differ compares: PostgreSQL stores ``status IN (…)`` and ``status = ANY ((ARRAY[…])::text[])``
differently, and a tool that reads the catalog text (migra, pg_dump) would see drift.

Regression: sqldef's ``PartialIndexWithArrayCastAnyPgDumpStyle``."""
from __future__ import annotations

import sqlalchemy as sa
from conftest import execute, scratch_database

import schemadrift

PG_DUMP_STYLE = ("((status)::text = ANY ((ARRAY['active'::character varying, "
                 "'pending'::character varying])::text[]))")


def _indexdef(url: str, name: str) -> str:
    eng = sa.create_engine(url)
    try:
        with eng.connect() as c:
            return c.exec_driver_sql("SELECT indexdef FROM pg_indexes WHERE indexname = %s",
                                     (name,)).scalar_one()
    finally:
        eng.dispose()


def _apply_plan(a: str, b: str) -> None:
    plan = schemadrift.plan(schemadrift.compare(a, b))
    for step in plan.steps:
        execute(a, step.sql)
    assert schemadrift.compare(a, b).in_sync


def test_postgresql_partial_index_keeps_the_servers_spelling():
    with scratch_database("postgresql") as a, scratch_database("postgresql") as b:
        table = "CREATE TABLE orders (id integer, status character varying(16))"
        execute(a, [table])
        execute(b, [table, f"CREATE UNIQUE INDEX uk_orders_status ON orders (id) WHERE {PG_DUMP_STYLE}"])
        _apply_plan(a, b)
        assert _indexdef(a, "uk_orders_status") == _indexdef(b, "uk_orders_status")


def test_sqlite_partial_index_keeps_the_written_predicate():
    with scratch_database("sqlite") as a, scratch_database("sqlite") as b:
        execute(a, ["CREATE TABLE t (id INTEGER, status TEXT)"])
        execute(b, ["CREATE TABLE t (id INTEGER, status TEXT)",
                    "CREATE INDEX ix_t ON t (id) WHERE \"status\"  IN ('a','b') AND id > 0"])
        _apply_plan(a, b)
        eng = sa.create_engine(a)
        with eng.connect() as c:
            sql = c.exec_driver_sql("SELECT sql FROM sqlite_master WHERE name = 'ix_t'").scalar_one()
        eng.dispose()
        assert sql.endswith("WHERE \"status\"  IN ('a','b') AND id > 0")


def test_model_predicate_is_rendered_as_compiled():
    md = sa.MetaData()
    t = sa.Table("t", md, sa.Column("id", sa.Integer), sa.Column("status", sa.String(16)))
    sa.Index("ix_t", t.c.id, postgresql_where=t.c.status.in_(["a", "b"]))
    with scratch_database("postgresql") as a:
        execute(a, ["CREATE TABLE t (id integer, status character varying(16))"])
        plan = schemadrift.plan(schemadrift.compare(a, md))
        create = [s for step in plan.steps for s in step.sql if "CREATE INDEX" in s]
        assert create and "status IN ('a', 'b')" in create[0].replace('"', "")
