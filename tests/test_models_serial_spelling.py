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
