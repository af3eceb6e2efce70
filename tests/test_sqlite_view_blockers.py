"""SQLite refuses ``ALTER TABLE … DROP COLUMN`` of a column a view uses (``error in view …``), and
a ``DROP TABLE`` of a table a view or another table's trigger uses leaves that object broken
(every later ALTER TABLE then fails). Introspection reads which tables and columns each view
names (``sqlite_parse.view_refs``), the dialect which tables a trigger names
(``TriggerRefs.tables``); the planner's blockers make such a step ``manual``, naming the object,
and the rest of the plan applies. Real SQLite."""
from __future__ import annotations

from conftest import execute, scratch_database
from test_plan_roundtrip import query_rows, script_statements
from test_sqlite_trigger_blockers import manual_steps

import schemadrift
from schemadrift.dialects import sqlite_parse as P

FROM = ["CREATE TABLE t (id INTEGER PRIMARY KEY, a INTEGER, b INTEGER)",
        "CREATE TABLE seen (id INTEGER PRIMARY KEY, v INTEGER)",
        "CREATE TABLE written (id INTEGER PRIMARY KEY)",
        "CREATE TABLE own (id INTEGER PRIMARY KEY)",
        "CREATE TABLE log (id INTEGER PRIMARY KEY, x INTEGER)",
        "INSERT INTO t (id, a, b) VALUES (1, 2, 3)",
        'CREATE VIEW "v a" AS SELECT id, a FROM t WHERE a > 0',
        "CREATE VIEW v_seen AS SELECT s.v FROM seen AS s",
        "CREATE TRIGGER log_ins AFTER INSERT ON log BEGIN DELETE FROM written; END",
        "CREATE TRIGGER own_ins AFTER INSERT ON own BEGIN SELECT 1 FROM own; END"]
TO = ["CREATE TABLE t (id INTEGER PRIMARY KEY)",
      "CREATE TABLE log (id INTEGER PRIMARY KEY, x INTEGER)"]


def test_view_refs_reads_tables_and_columns():
    refs = P.view_refs('CREATE VIEW "v" (k) AS SELECT x.a, b FROM "T" AS x JOIN u ON u.id = x.id')
    assert {"t", "u"} <= refs.tables and ("t", "a") in refs.columns and ("t", "b") in refs.columns
    assert ("u", "id") in refs.columns and ("t", "id") in refs.columns and ("u", "a") not in refs.columns
    assert P.view_refs("CREATE TABLE t (id INTEGER)") is None
    trigger = P.trigger_refs("CREATE TRIGGER g AFTER INSERT ON a BEGIN DELETE FROM b; "
                             "SELECT lower(x) FROM c; END")
    assert {"b", "c"} <= trigger.tables and "lower" not in trigger.tables


def test_drops_a_view_or_another_tables_trigger_uses_are_manual(lite_scratch):
    """t.a (view "v a") and the tables seen (view v_seen) and written (log's trigger) are held
    back, each naming its object; t.b, and own (whose trigger goes with it), are dropped."""
    with scratch_database("sqlite") as b:
        execute(lite_scratch, script_statements("sqlite", ";\n".join(FROM)))
        execute(b, TO)
        p = schemadrift.plan(schemadrift.compare(lite_scratch, b))
        manual = manual_steps(p)
        assert sorted(manual) == ["drop column t.a", "drop table seen", "drop table written"], p.to_sql()
        assert 'view v a uses t.a, which this step drops: drop the view first' in manual["drop column t.a"]
        assert "view v_seen uses what this step drops" in manual["drop table seen"]
        assert "trigger log_ins on log uses what this step drops" in manual["drop table written"]
        execute(lite_scratch, script_statements("sqlite", p.to_sql()))  # SQLite refuses the drop of t.a
        left = schemadrift.compare(lite_scratch, b)
        assert sorted((c.kind, c.name) for c in left.changes) == [
            ("drop_column", "a"), ("drop_table", "seen"), ("drop_table", "written")]
        execute(lite_scratch, ["ALTER TABLE log ADD COLUMN y INTEGER", "INSERT INTO log (x) VALUES (1)"])
        assert query_rows(lite_scratch, 'SELECT id, a FROM "v a"') == [(1, 2)]


def test_a_renamed_table_a_view_uses_keeps_its_old_version(lite_scratch):
    """The rename's drop of the old table would break the view: manual, and the new table is
    created and filled all the same."""
    with scratch_database("sqlite") as b:
        execute(lite_scratch, ["CREATE TABLE people (id INTEGER PRIMARY KEY, name TEXT)",
                               "INSERT INTO people VALUES (1, 'ann')",
                               "CREATE VIEW names AS SELECT name FROM people"])
        execute(b, ["CREATE TABLE persons (id INTEGER PRIMARY KEY, name TEXT)"])
        p = schemadrift.plan(schemadrift.compare(lite_scratch, b, renames={"people": "persons"}))
        assert list(manual_steps(p)) == ["drop table people (renamed to persons)"]
        execute(lite_scratch, script_statements("sqlite", p.to_sql()))
        assert query_rows(lite_scratch, "SELECT name FROM names") == [("ann",)]
        assert query_rows(lite_scratch, "SELECT id, name FROM persons") == [(1, "ann")]
