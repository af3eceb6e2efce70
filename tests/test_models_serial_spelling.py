"""Models that spell a serial column as its default (``server_default=nextval('t_id_seq'::regclass)``,
as SQLAlchemy reflection and sqlacodegen write them) are the serial column the database has: no
drift. A default of another sequence stays a default."""
from __future__ import annotations

import sqlalchemy as sa
from conftest import execute, scratch_database

import schemadrift


def _models(sequence: str, schema: str | None = None, table: str = "t") -> sa.MetaData:
    md = sa.MetaData()
    sa.Table(table, md,
             sa.Column("id", sa.Integer, primary_key=True,
                       server_default=sa.text(f"nextval('{sequence}'::regclass)")),
             sa.Column("n", sa.BigInteger, nullable=False,
                       server_default=sa.text(f"nextval('{sequence.replace('id', 'n')}'::regclass)")),
             schema=schema)
    return md


def test_serial_spelled_as_its_default_is_in_sync():
    with scratch_database("postgresql") as url:
        execute(url, ["CREATE SCHEMA s", "CREATE TABLE s.t (id serial PRIMARY KEY, n bigserial)",
                      'CREATE TABLE "Odd" (id serial PRIMARY KEY, n bigserial)'])
        assert schemadrift.compare(url, _models("s.t_id_seq", schema="s")).changes == ()
        odd = _models('"Odd_id_seq"', table="Odd")
        assert schemadrift.compare(url, odd).changes == ()  # each side: the schemas its models name


def test_default_of_another_sequence_is_drift():
    with scratch_database("postgresql") as url:
        execute(url, ["CREATE TABLE t (id serial PRIMARY KEY, n bigserial)", "CREATE SEQUENCE other_seq"])
        d = schemadrift.compare(url, _models("other_seq"))
        assert {(c.kind, c.name) for c in d.changes} == {("alter_column", "id"), ("alter_column", "n")}


def test_a_sequence_the_column_does_not_own_reads_as_serial_too():
    """Regression (review): a default of ``people_id_seq`` that the column does not own is the
    same as a serial column's for every insert: models spelling it so are in sync, not a plan
    that drops the default and fails creating a sequence that exists."""
    with scratch_database("postgresql") as url, scratch_database("postgresql") as serial:
        execute(url, ["CREATE SEQUENCE t_id_seq", "CREATE SEQUENCE t_n_seq",
                      "CREATE TABLE t (id integer DEFAULT nextval('t_id_seq') PRIMARY KEY, "
                      "n bigint NOT NULL DEFAULT nextval('t_n_seq'))"])
        execute(serial, ["CREATE TABLE t (id serial PRIMARY KEY, n bigserial)"])
        assert schemadrift.compare(url, _models("t_id_seq")).changes == ()
        assert schemadrift.compare(url, serial).changes == ()


def test_dropping_a_serial_whose_sequence_is_not_its_own():
    """The plan's DROP of the serial's sequence looks it up by ownership: none, nothing dropped."""
    with scratch_database("postgresql") as url, scratch_database("postgresql") as plain:
        execute(url, ["CREATE SEQUENCE t_id_seq",
                      "CREATE TABLE t (id integer DEFAULT nextval('t_id_seq') PRIMARY KEY, n text)"])
        execute(plain, ["CREATE TABLE t (id integer PRIMARY KEY, n text)"])
        plan = schemadrift.plan(schemadrift.compare(url, plain))
        for step in plan.steps:
            assert not step.manual, step.summary
            execute(url, step.sql)
        assert schemadrift.compare(url, plain).in_sync


def test_a_long_table_name_cut_as_the_server_cuts_the_sequence_name():
    """PostgreSQL names a serial's sequence by ``makeObjectName``: the longer of table and column
    name is cut until ``<table>_<column>_seq`` fits 63 bytes (review: false drift before)."""
    from schemadrift.dialects.postgresql import serial_sequence_name

    table = "t" * 70
    with scratch_database("postgresql") as url:
        execute(url, [f"CREATE TABLE {table[:63]} (id serial PRIMARY KEY, n text)"])
        seq = schemadrift.load(url)  # the server's own name for it:
        eng = sa.create_engine(url)
        with eng.connect() as c:
            name = c.exec_driver_sql(f"SELECT pg_get_serial_sequence('{table[:63]}', 'id')").scalar_one()
        eng.dispose()
        assert name == "public." + serial_sequence_name(table[:63], "id")
        md = sa.MetaData()
        sa.Table(table[:63], md, sa.Column("id", sa.Integer, primary_key=True,
                                           server_default=sa.text(f"nextval('{name}'::regclass)")),
                 sa.Column("n", sa.Text))
        assert seq.tables and schemadrift.compare(url, md).changes == ()


def test_a_nullable_column_with_a_sequence_default_stays_a_default():
    """A serial column is NOT NULL: a nullable one with such a default is not read as serial (a
    plan would create it NOT NULL)."""
    with scratch_database("postgresql") as url, scratch_database("postgresql") as copy:
        ddl = ["CREATE SEQUENCE t_id_seq", "CREATE TABLE t (id integer DEFAULT nextval('t_id_seq'), v int)"]
        execute(url, ddl)
        assert schemadrift.load(url).table("t").column("id").default is not None
        execute(copy, ["CREATE TABLE t (v int)"])
        plan = schemadrift.plan(schemadrift.compare(copy, url))
        for step in plan.steps:
            execute(copy, step.sql)
        assert schemadrift.compare(copy, url).in_sync


def test_renamed_table_whose_key_uses_a_sequence_it_does_not_own():
    """The rename window moves the old table's sequence past new code's keys: the sequence a
    serial read from a default names (review: old code's next insert hit a duplicate key)."""
    from test_plan_roundtrip import query_rows

    with scratch_database("postgresql") as a, scratch_database("postgresql") as b:
        execute(a, ["CREATE SEQUENCE t_id_seq",
                    "CREATE TABLE t (id integer NOT NULL DEFAULT nextval('t_id_seq') PRIMARY KEY, v int)",
                    "INSERT INTO t (v) VALUES (1)"])
        execute(b, ["CREATE TABLE u (id serial PRIMARY KEY, v int)"])
        plan = schemadrift.plan(schemadrift.compare(a, b, renames={"t": "u"}))
        for step in plan.steps:
            if step.phase.label != "contract":
                execute(a, step.sql)
        execute(a, ["INSERT INTO u (v) VALUES (2)", "INSERT INTO t (v) VALUES (3)"])  # new code, old code
        assert query_rows(a, "SELECT id, v FROM t ORDER BY id") == [(1, 1), (2, 2), (3, 3)]


def test_a_serial_column_that_accepts_null_is_created_so():
    """``serial`` implies NOT NULL: a table or column created from a serial whose NOT NULL was
    dropped drops it again (review: the plan left a nullable drift)."""
    with scratch_database("postgresql") as a, scratch_database("postgresql") as b:
        execute(b, ["CREATE TABLE t (id serial, v int)", "ALTER TABLE t ALTER id DROP NOT NULL",
                    "CREATE TABLE u (v int)", "ALTER TABLE u ADD COLUMN id bigserial",
                    "ALTER TABLE u ALTER id DROP NOT NULL"])
        execute(a, ["CREATE TABLE u (v int)"])
        for step in schemadrift.plan(schemadrift.compare(a, b)).steps:
            execute(a, step.sql)
        assert schemadrift.compare(a, b).in_sync


def test_models_are_read_with_the_collector_paused_and_in_any_table_order(monkeypatch):
    """Reading models pauses the cyclic garbage collector (restored after), and takes the
    tables as declared: the IR is in canonical order whatever the declaration order."""
    import gc

    from schemadrift import models

    seen = []
    original = models.ModelReader.table
    monkeypatch.setattr(models.ModelReader, "table",
                        lambda self, t: (seen.append(gc.isenabled()), original(self, t))[1])
    one, two = sa.MetaData(), sa.MetaData()
    for md, names in ((one, "ab"), (two, "ba")):
        for n in names:
            sa.Table(n, md, sa.Column("id", sa.Integer, primary_key=True),
                     sa.Column("o", sa.Integer, sa.ForeignKey(("b" if n == "a" else "a") + ".id")))
    assert gc.isenabled()
    first, second = schemadrift.load(one, dialect="postgresql"), schemadrift.load(two, dialect="postgresql")
    assert gc.isenabled() and set(seen) == {False}
    assert first == second and [t.name for t in first.tables] == ["a", "b"]
