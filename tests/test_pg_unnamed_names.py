"""PostgreSQL names an unnamed constraint or index itself (``<table>_<columns>_key``,
``<table>_<column>_check``, ``<table>_lower_idx``…, cut to 63 bytes by ``makeObjectName``). A plan
whose FROM leaves them unnamed (models) must use the server's names to drop them (review: the
planner guessed ``t_check`` and cut long names with a hash: "does not exist")."""
from __future__ import annotations

import pytest
import sqlalchemy as sa
from conftest import execute, scratch_database

import schemadrift


def _models(table: str) -> sa.MetaData:
    md = sa.MetaData()  # (SQLAlchemy names every index itself: ix_<label>)
    parent = sa.Table("p", md, sa.Column("id", sa.Integer, primary_key=True, autoincrement=False))
    sa.Table(table, md, sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
                 sa.Column("note", sa.Text), sa.Column("room", sa.Integer),
                 sa.Column("p_id", sa.Integer, sa.ForeignKey(parent.c.id)),
                 sa.UniqueConstraint("note", "room"), sa.CheckConstraint("room > 0"),
                 sa.CheckConstraint("room < 100 AND note <> ''"))
    return md


@pytest.mark.parametrize("table", ["t", "t" * 60, "Mixed Case"])
def test_unnamed_objects_from_models_are_dropped_under_the_servers_names(table):
    md = _models(table)
    with scratch_database("postgresql") as a, scratch_database("postgresql") as bare:
        for step in schemadrift.plan(schemadrift.compare(a, md)).steps:
            execute(a, step.sql)
        assert schemadrift.compare(a, md).in_sync
        q = '"' + table.replace('"', '""') + '"'
        execute(bare, ["CREATE TABLE p (id integer PRIMARY KEY)",
                       f"CREATE TABLE {q} (id integer PRIMARY KEY, note text, room integer, p_id integer)"])
        plan = schemadrift.plan(schemadrift.compare(md, bare))
        assert len([s for s in plan.steps if s.phase.label == "contract"]) >= 4
        for step in plan.steps:
            execute(a, step.sql)
        assert schemadrift.compare(a, bare).in_sync


def test_an_unnamed_primary_key_of_a_long_table_name_is_dropped_under_the_servers_name():
    table = "k" * 62
    md = sa.MetaData()
    sa.Table(table, md, sa.Column("id", sa.Integer, primary_key=True, autoincrement=False))
    with scratch_database("postgresql") as a, scratch_database("postgresql") as bare:
        for step in schemadrift.plan(schemadrift.compare(a, md)).steps:
            execute(a, step.sql)
        execute(bare, [f"CREATE TABLE {table} (id integer NOT NULL)"])
        for step in schemadrift.plan(schemadrift.compare(md, bare)).steps:
            execute(a, step.sql)
        assert schemadrift.compare(a, bare).in_sync
