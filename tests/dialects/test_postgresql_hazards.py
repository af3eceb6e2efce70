"""PostgreSQL hazards a step carries beyond the neutral ones: casts that can fail on a value, and an
identity whose bounds narrow (or that stops cycling). One-liners without a server, then the same
facts on the real server: the step's hazard and what happens when it runs."""
from __future__ import annotations

from dataclasses import replace

import pytest
import sqlalchemy as sa
from conftest import execute, scratch_database

import schemadrift
from schemadrift import dialects
from schemadrift.ir import Column, Identity, Table
from schemadrift.planner import ops
from schemadrift.planner.model import HazardKind

PG = dialects.get("postgresql")
H = HazardKind


def T(raw: str):
    return PG.parse_type(raw)


def change_type(a: str, b: str, using: str | None = None) -> list:
    col = Column("c", T(a))
    t = Table("t", columns=(col,))
    return PG.hazards(ops.AlterColumn(t, before=col, after=replace(col, type=T(b)), what=frozenset({"type"}),
                                      using=using))


def failing_cast(hazards) -> list[str]:
    return [h.message for h in hazards if h.kind is H.VALIDATION_SCAN and "does not convert" in h.message]


@pytest.mark.parametrize("a, b", [
    ("text", "integer"), ("character varying(20)", "numeric(10,2)"), ("text", "date"),
    ("text", "boolean"), ("text", "uuid"), ("character varying(40)", "jsonb"),
    ("bigint", "integer"), ("integer", "smallint"), ("numeric(12,2)", "integer"),
    ("numeric(10,2)", "numeric(6,2)"), ("double precision", "real"), ("double precision", "bigint"),
    ("numeric", "numeric(10,2)"), ("jsonb", "integer"), ("jsonb", "boolean"),
    ("text", "character(3)"), ("character varying(20)", "character varying(5)"), ("text", "char"),
    ("character varying", "character varying(10)")])
def test_a_cast_that_can_fail_on_a_value_warns(a, b):
    (message,) = failing_cast(change_type(a, b))
    assert message.startswith(f"the cast from {T(a)} to {T(b)} fails on a value") and "rolled back" in message


@pytest.mark.parametrize("a, b", [
    ("integer", "bigint"), ("smallint", "integer"), ("integer", "numeric(12,2)"), ("integer", "text"),
    ("numeric(10,2)", "numeric(12,2)"), ("numeric(10,2)", "numeric(10,0)"), ("real", "double precision"),
    ("character varying(20)", "text"), ("boolean", "integer"), ("date", "timestamp without time zone"),
    ("jsonb", "text"), ("json", "jsonb"), ("character varying(5)", "character varying(20)"),
    ("character(3)", "text"), ("character varying(10)", "character varying")])
def test_a_cast_that_always_converts_does_not_warn(a, b):
    assert failing_cast(change_type(a, b)) == []


def test_a_users_conversion_expression_is_not_judged():
    assert failing_cast(change_type("bigint", "timestamp without time zone", using="to_timestamp(c)")) == []


def identity_change(old: Identity, new: Identity, type_: str = "integer") -> list:
    col = Column("id", T(type_), nullable=False, identity=old)
    t = Table("t", columns=(col,))
    return [h for h in PG.hazards(ops.AlterColumn(t, before=col, after=replace(col, identity=new),
                                                  what=frozenset({"identity"})))
            if h.kind is H.BACKWARD_INCOMPATIBLE]


def test_a_narrowed_identity_warns_that_inserts_may_fail():
    (h,) = identity_change(Identity("always"), Identity("always", maxvalue=1000))
    assert "t.id narrows (MAXVALUE 2147483647 → 1000)" in h.message and "inserts" in h.message
    (h,) = identity_change(Identity("always", maxvalue=90, cycle=True), Identity("always", maxvalue=90))
    assert "CYCLE → NO CYCLE" in h.message and "does not wrap" in h.message
    (h,) = identity_change(Identity("by_default", minvalue=5),
                           Identity("by_default", minvalue=50, cycle=True))
    assert "MINVALUE 5 → 50" in h.message and "wraps to values rows may already hold" in h.message
    # descending: the lower bound rises
    (h,) = identity_change(Identity("always", increment=-1), Identity("always", increment=-1, minvalue=-10))
    assert f"MINVALUE {-2 ** 31} → -10" in h.message


@pytest.mark.parametrize("old, new", [
    (Identity("always", maxvalue=1000), Identity("always")),                 # widened
    (Identity("always"), Identity("by_default", 100, cache=20)),             # start, kind, cache
    (Identity("always", maxvalue=90), Identity("always", maxvalue=90, cycle=True))])
def test_a_widened_or_unbounded_identity_change_does_not_warn(old, new):
    assert identity_change(old, new) == []


def rows(url: str, query: str) -> list[tuple]:
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as c:
            return [tuple(r) for r in c.exec_driver_sql(query)]
    finally:
        engine.dispose()


def test_text_to_integer_warns_and_fails_as_a_whole_on_the_server(pg_scratch):
    """The plan's step says it can fail; on a value that does not convert it does, and nothing
    changes (the ALTER is rolled back)."""
    with scratch_database("postgresql") as b:
        execute(pg_scratch, ["CREATE TABLE t (id integer PRIMARY KEY, n text)",
                             "INSERT INTO t VALUES (1, '12'), (2, 'twelve')"])
        execute(b, ["CREATE TABLE t (id integer PRIMARY KEY, n integer)"])
        (step,) = schemadrift.plan(schemadrift.compare(pg_scratch, b)).steps
        assert failing_cast(step.hazards) and not step.manual
        with pytest.raises(Exception, match="invalid input syntax"):
            execute(pg_scratch, step.sql)
        assert rows(pg_scratch, "SELECT id, n FROM t ORDER BY id") == [(1, "12"), (2, "twelve")]
        execute(pg_scratch, ["UPDATE t SET n = '12' WHERE id = 2", *step.sql])
        assert schemadrift.compare(pg_scratch, b).in_sync


def test_narrowed_identity_step_warns_and_inserts_then_fail(pg_scratch):
    """MAXVALUE below the sequence's current value: the step applies (the value is clamped) and
    carries the hazard; the next insert that takes an identity value fails."""
    with scratch_database("postgresql") as b:
        execute(pg_scratch, ["CREATE TABLE t (id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY, k int)",
                             "INSERT INTO t (k) SELECT g FROM generate_series(1, 5) g"])
        execute(b, ["CREATE TABLE t (id integer GENERATED ALWAYS AS IDENTITY (MAXVALUE 5) PRIMARY KEY, "
                    "k int)"])
        (step,) = schemadrift.plan(schemadrift.compare(pg_scratch, b)).steps
        (h,) = [h for h in step.hazards if h.kind is H.BACKWARD_INCOMPATIBLE]
        assert "MAXVALUE 2147483647 → 5" in h.message
        execute(pg_scratch, step.sql)
        assert schemadrift.compare(pg_scratch, b).in_sync
        with pytest.raises(Exception, match="reached maximum value"):
            execute(pg_scratch, ["INSERT INTO t (k) VALUES (6)"])
