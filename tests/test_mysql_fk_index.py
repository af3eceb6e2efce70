"""MariaDB/MySQL: an index that a foreign key needs cannot be dropped alone (error 1553: needed
in a foreign key constraint). The DROP INDEX gives the key back the index the server would make
for it, in the same statement — a forward drop, and the rollback of a created index on a new
table (the server drops its own index for the key once another serves it)."""
from __future__ import annotations

from conftest import execute, scratch_database

import schemadrift

PARENT = "CREATE TABLE parent (id INT PRIMARY KEY)"
CHILD = ("CREATE TABLE child (id INT PRIMARY KEY, p_id INT, x INT{}, "
         "CONSTRAINT fk_p FOREIGN KEY (p_id) REFERENCES parent (id))")


def test_dropping_the_index_a_foreign_key_uses():
    with scratch_database("mariadb") as a, scratch_database("mariadb") as b:
        execute(a, [PARENT, CHILD.format(", KEY ix_child (p_id, x)"), "INSERT INTO parent VALUES (1)",
                    "INSERT INTO child VALUES (1, 1, 1)"])
        execute(b, [PARENT, CHILD.format("")])
        plan = schemadrift.plan(schemadrift.compare(a, b))
        for step in plan.steps:
            execute(a, step.sql)
        assert schemadrift.compare(a, b).in_sync


def test_rollback_of_an_index_on_a_new_table_with_a_foreign_key():
    with scratch_database("mariadb") as a, scratch_database("mariadb") as b, \
            scratch_database("mariadb") as before:
        execute(a, [PARENT])
        execute(before, [PARENT])
        execute(b, [PARENT, CHILD.format(", KEY ix_child (p_id, x)")])
        plan = schemadrift.plan(schemadrift.compare(a, b))
        window = [s for s in plan.steps if s.phase.label in ("expand", "backfill")]
        for step in window:
            execute(a, step.sql)
        for step in reversed(window):
            execute(a, step.rollback)
        assert schemadrift.compare(a, before).in_sync
