"""SQLite refuses ``ALTER TABLE … DROP COLUMN`` of a column a user trigger uses (``error in trigger
…: no such column``), and a rebuild that removes it leaves another table's trigger broken. The
dialect reads which columns each trigger uses from its text (``sqlite_parse.trigger_refs``: names
resolved as SQLite does, not a word match) and feeds them to the planner's blockers: such a drop is
a ``manual`` step naming the trigger, the rest of the plan applies. Real SQLite."""
from __future__ import annotations

import dataclasses

from conftest import execute, scratch_database
from test_plan_roundtrip import query_rows, script_statements

import schemadrift
from schemadrift.dialects import sqlite_parse as P

TABLES = ["CREATE TABLE t (id INTEGER PRIMARY KEY, x INTEGER, a INTEGER, b INTEGER)",
          "CREATE TABLE log (id INTEGER PRIMARY KEY, x INTEGER, what INTEGER)",
          "INSERT INTO t (id, x, a, b) VALUES (1, 10, 20, 30)"]
TO = ["CREATE TABLE t (id INTEGER PRIMARY KEY, b INTEGER)",
      "CREATE TABLE log (id INTEGER PRIMARY KEY, x INTEGER, what INTEGER)"]
# a uses t.a (NEW.a); b writes log's own x (an INSERT's column list) and id; c: log's x and id
TRIGGERS = [
    "CREATE TRIGGER trg_a AFTER UPDATE ON t BEGIN INSERT INTO log (what) VALUES (NEW.a); END",
    "CREATE TRIGGER trg_b AFTER INSERT ON t BEGIN INSERT INTO log (id, x) VALUES (NEW.id, NEW.b); END",
    "CREATE TRIGGER trg_c AFTER INSERT ON log BEGIN UPDATE log SET x = x + 1 WHERE id = NEW.id; END"]


def manual_steps(plan) -> dict[str, str]:
    return {s.summary: next(h.message for h in s.hazards if h.kind.value == "manual")
            for s in plan.steps if s.manual}


def test_trigger_refs_resolve_names_as_sqlite_does():
    refs = P.trigger_refs(TRIGGERS[1])
    assert refs.table == "t" and refs.uses("t", "b") and refs.uses("log", "x")
    assert refs.uses("t", "id") and not refs.uses("t", "x") and not refs.uses("log", "b")
    other = P.trigger_refs('CREATE TRIGGER "g" AFTER INSERT ON "Log" BEGIN '
                           "UPDATE t SET b = a WHERE id = NEW.id; SELECT y.X FROM t AS y; END")
    assert other.table == "log" and other.uses("t", "a") and other.uses("T", "x") and other.uses("log", "id")
    assert not other.uses("log", "a")
    update_of = P.trigger_refs("CREATE TRIGGER u AFTER UPDATE OF a ON t BEGIN SELECT 1; END")
    assert update_of.columns == frozenset()
    assert P.trigger_refs("CREATE VIEW v AS SELECT 1") is None


def test_drop_of_a_column_a_trigger_uses_is_manual(lite_scratch):
    """t.a (used by trg_a) cannot be dropped: manual, naming trg_a. t.x shares its name with
    log.x, which trg_b and trg_c use: its drop stays automatic, and SQLite takes it."""
    with scratch_database("sqlite") as b:
        execute(lite_scratch, script_statements("sqlite", ";\n".join(TABLES + TRIGGERS)))
        execute(b, TO)
        p = schemadrift.plan(schemadrift.compare(lite_scratch, b))
        manual = manual_steps(p)
        assert list(manual) == ["drop column t.a"], p.to_sql()
        assert "trigger trg_a on t uses t.a" in manual["drop column t.a"]
        assert any(s.summary == "drop column t.x" and not s.manual for s in p.steps)
        execute(lite_scratch, script_statements("sqlite", p.to_sql()))  # fails if the drop of t.a runs
        left = schemadrift.compare(lite_scratch, b)
        assert [(c.kind, c.name) for c in left.changes] == [("drop_column", "a")]
        execute(lite_scratch, ["INSERT INTO t (id, b) VALUES (2, 5)"])  # trg_b still works
        assert query_rows(lite_scratch, "SELECT id, x FROM log ORDER BY id") == [(2, 6)]


def test_a_trigger_on_another_table_blocks_the_drop_even_in_a_rebuild(lite_scratch):
    """A rebuild (SQLite before 3.35 drops a column so) would leave log's trigger naming the
    dropped t.a: manual. t's own trigger that writes log's x goes with the rebuild and is created
    again (it does not use t.x), with no hazard about it."""
    execute(lite_scratch, script_statements("sqlite", ";\n".join(TABLES + TRIGGERS[1:] + [
        "CREATE TRIGGER trg_d AFTER INSERT ON log BEGIN UPDATE t SET b = a WHERE id = NEW.id; END"])))
    a = dataclasses.replace(schemadrift.load(lite_scratch), server_version="3.30.0")
    t = a.table("t")
    only_x = dataclasses.replace(a, tables=(a.table("log"), dataclasses.replace(
        t, columns=tuple(c for c in t.columns if c.name != "x"))))
    (step,) = schemadrift.plan(schemadrift.diff(a, only_x)).steps
    assert not step.manual and any(sql.startswith("CREATE TRIGGER trg_b ") for sql in step.sql)
    assert not any("trg_b" in h.message for h in step.hazards), step.hazards
    only_a = dataclasses.replace(a, tables=(a.table("log"), dataclasses.replace(
        t, columns=tuple(c for c in t.columns if c.name != "a"))))
    (step,) = schemadrift.plan(schemadrift.diff(a, only_a)).steps
    assert step.manual and "trigger trg_d on log uses t.a" in manual_steps(
        schemadrift.plan(schemadrift.diff(a, only_a)))[step.summary]


def test_a_rename_whose_old_column_a_trigger_uses_keeps_the_old_column(lite_scratch):
    """The contract step of a column rename drops the old column: held back (manual) while the
    user's trigger uses it; the rest of the rename (new column, copy) applies."""
    with scratch_database("sqlite") as b:
        execute(lite_scratch, script_statements("sqlite", ";\n".join(TABLES + TRIGGERS[:1])))
        execute(b, ["CREATE TABLE t (id INTEGER PRIMARY KEY, x INTEGER, a2 INTEGER, b INTEGER)",
                    TO[1]])
        p = schemadrift.plan(schemadrift.compare(lite_scratch, b, renames={"t.a": "a2"}))
        assert list(manual_steps(p)) == ["drop the sync triggers and the old column t.a"]
        execute(lite_scratch, script_statements("sqlite", p.to_sql()))
        assert query_rows(lite_scratch, "SELECT a, a2 FROM t") == [(20, 20)]
