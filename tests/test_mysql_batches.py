"""Batched backfills on MariaDB, on the real server: the copy of a renamed column, the fill of a
column that becomes NOT NULL and the copy of a renamed table's rows run in ranges of the primary
key (``schemadrift.plan(diff, batch_size=…)``), as one compound statement per step that the JSON
steps and the ``mariadb`` client (the script, with its ``DELIMITER`` lines) both run.

Each test compares the batched plan with what the same plan without batches writes, row by row.
"""
from __future__ import annotations

import contextlib
import os
import shutil
import subprocess

import pytest
import sqlalchemy as sa
from conftest import IN_CI, MY_URL, execute, scratch_database, split_sql
from test_plan_roundtrip import query_rows as rows

import schemadrift
from schemadrift import dialects


@contextlib.contextmanager
def databases(count: int):
    with contextlib.ExitStack() as stack:
        yield [stack.enter_context(scratch_database("mariadb")) for _ in range(count)]


def apply_json(url: str, plan) -> None:
    for step in plan.to_dict()["steps"]:
        assert not step["manual"], step["summary"]
        execute(url, step["sql"])


def mariadb_client() -> str:
    """The ``mariadb`` (or ``mysql``) command-line client; skip (fail under CI=true) without one."""
    found = shutil.which("mariadb") or shutil.which("mysql")
    if found is None:
        reason = "no mariadb/mysql client binary on PATH"
        if IN_CI:
            pytest.fail(reason)
        pytest.skip(reason)
    return found


def apply_with_client(url: str, script: str) -> None:
    """Pipe the script into the server's own client, as a user would run it."""
    server = sa.engine.make_url(MY_URL)
    args = [mariadb_client(), "-h", server.host or "127.0.0.1", "-P", str(server.port or 3306),
            "-u", server.username or "root", "--batch", url.rsplit("/", 1)[1]]
    env = {**os.environ, "MYSQL_PWD": server.password or ""}
    run = subprocess.run(args, input=script, text=True, capture_output=True, timeout=120, env=env)
    assert run.returncode == 0, run.stderr + "\n" + script


def batched_steps(plan) -> list:
    return [s for s in plan.steps if any(sql.startswith("BEGIN NOT ATOMIC") for sql in s.sql)]


# -- the fill of a column that becomes NOT NULL -----------------------------------------------------
FILL_FROM = ["CREATE TABLE users (id int PRIMARY KEY, name varchar(40) NOT NULL)",
             "INSERT INTO users SELECT seq, concat('n', seq) FROM seq_1_to_23"]
FILL_TO = ["CREATE TABLE users (id int PRIMARY KEY, name varchar(40) NOT NULL, email varchar(60) NOT NULL)"]
FILL = {"users.email": "concat(name, '@example.com')"}


def test_batched_fill_writes_every_row_as_json_steps_and_as_the_script():
    """23 rows in batches of 4: every row filled (the last, short batch too), as the JSON steps
    and as the script read by split_sql, each step one compound statement."""
    with databases(3) as (a, b, c):
        execute(a, FILL_FROM)
        execute(c, FILL_FROM)
        execute(b, FILL_TO)
        plan = schemadrift.plan(schemadrift.compare(a, b), backfills=FILL, batch_size=4)
        fills = batched_steps(plan)
        assert [s.phase.label for s in fills] == ["backfill", "contract"], plan.to_sql()
        assert all(not s.transactional and any("LIMIT 4)" in sql for sql in s.sql) for s in fills)
        apply_json(a, plan)
        execute(c, split_sql(plan.to_sql()))
        for url in (a, c):
            assert rows(url, "SELECT count(*), count(email) FROM users WHERE email = concat(name, "
                             "'@example.com')") == [(23, 23)]
            assert schemadrift.compare(url, b).in_sync


def test_fill_that_gives_null_stops_with_a_clear_error_instead_of_looping():
    """A row whose expression is NULL stays NULL: the loop signals instead of picking it again
    (or stopping quietly with the rows after it unfilled)."""
    with databases(2) as (a, b):
        execute(a, FILL_FROM)
        execute(b, FILL_TO)
        plan = schemadrift.plan(schemadrift.compare(a, b),
                                backfills={"users.email": "nullif(name, 'n6')"}, batch_size=4)
        expand, fill = plan.steps[0], batched_steps(plan)[0]
        execute(a, expand.sql)
        with pytest.raises(Exception, match="backfill of users.email: the expression gives NULL for some "):
            execute(a, fill.sql)
        # the batches before the bad row are filled; the bad batch's rows are committed up to it
        assert rows(a, "SELECT count(*) FROM users WHERE email IS NULL AND id <= 4") == [(0,)]
        assert rows(a, "SELECT id FROM users WHERE email IS NULL AND id <= 8") == [(6,)]


# -- the copy of a renamed column: values that never compare equal to their source ---------------------
COPY_FROM = ["CREATE TABLE m (k varchar(8) CHARACTER SET latin1 COLLATE latin1_general_ci NOT NULL, "
             "n int NOT NULL, f float, s varchar(10) COLLATE utf8mb4_general_ci, d decimal(6,3), "
             "PRIMARY KEY (k, n))",
             "INSERT INTO m VALUES ('a', 1, 0.1, 'x  ', 1.5), ('A', 2, 1e30, 'Y', 2.5), "
             "('b', 1, NULL, NULL, NULL), ('B ', 3, -0.3, ' z', 0.125), ('c', 1, 7, 'w', 9.999)"]
COPY_TO = ["CREATE TABLE m (k varchar(8) CHARACTER SET latin1 COLLATE latin1_general_ci NOT NULL, "
           "n int NOT NULL, g double, c char(10) COLLATE utf8mb4_bin, i int, PRIMARY KEY (k, n))"]
COPY_RENAMES = {"m.f": "g", "m.s": "c", "m.d": "i"}


def test_batched_column_copy_ends_where_values_change_in_the_copy():
    """float → double, PAD SPACE text into CHAR under another collation, decimal → int: each copied
    value differs from its source, so a loop on ``NOT (new <=> old)`` or on ROW_COUNT() would
    run forever or stop early. Paged by a two-column key (case-insensitive latin1 text first),
    batches of 2 write exactly what one unbatched UPDATE writes."""
    with databases(3) as (a, one, b):
        execute(a, COPY_FROM)
        execute(one, COPY_FROM)
        execute(b, COPY_TO)
        d = schemadrift.compare(a, b, renames=COPY_RENAMES)
        batched = schemadrift.plan(d, batch_size=2)
        assert len(batched_steps(batched)) == 3, batched.to_sql()
        apply_json(a, batched)
        apply_json(one, schemadrift.plan(d, batch_size=None))
        query = "SELECT k, n, g, c, i FROM m ORDER BY n, BINARY k"
        assert rows(a, query) == rows(one, query) and len(rows(a, query)) == 5
        assert schemadrift.compare(a, b).in_sync


# -- the rows of a renamed table --------------------------------------------------------------------
def test_batched_copy_of_a_renamed_tables_rows():
    with databases(2) as (a, b):
        execute(a, ["CREATE TABLE old_t (id bigint unsigned PRIMARY KEY, v varchar(10))",
                    "INSERT INTO old_t SELECT seq, concat('v', seq) FROM seq_1_to_17",
                    "INSERT INTO old_t VALUES (18446744073709551615, 'max')"])
        execute(b, ["CREATE TABLE new_t (id bigint unsigned PRIMARY KEY, v varchar(10))"])
        plan = schemadrift.plan(schemadrift.compare(a, b, renames={"old_t": "new_t"}), batch_size=5)
        copy = batched_steps(plan)
        assert [s.summary for s in copy] == ["copy rows of old_t into new_t"], plan.to_sql()
        apply_json(a, plan)
        assert rows(a, "SELECT count(*), max(id) FROM new_t") == [(18, 18446744073709551615)]
        assert schemadrift.compare(a, b).in_sync


def test_tables_without_a_pageable_key_keep_one_statement():
    """No primary key (or a FLOAT one): nothing to page by exactly, so one UPDATE, as before."""
    with databases(2) as (a, b):
        execute(a, ["CREATE TABLE nokey (v int, w int)", "INSERT INTO nokey VALUES (1, NULL), (2, NULL)",
                    "CREATE TABLE fkey (f float PRIMARY KEY, w int)", "INSERT INTO fkey VALUES (0.5, NULL)"])
        execute(b, ["CREATE TABLE nokey (v int, w int NOT NULL)",
                    "CREATE TABLE fkey (f float PRIMARY KEY, w int NOT NULL)"])
        plan = schemadrift.plan(schemadrift.compare(a, b), backfills={"nokey.w": "v * 2", "fkey.w": "1"},
                                batch_size=1)
        assert not batched_steps(plan)
        statements = [sql for s in plan.steps for sql in s.sql]
        assert "UPDATE `nokey` SET `w` = v * 2 WHERE `w` IS NULL" in statements
        apply_json(a, plan)
        assert rows(a, "SELECT v, w FROM nokey ORDER BY v") == [(1, 2), (2, 4)]


# -- hostile names, through the JSON steps, split_sql and the mariadb client ---------------------------
HOSTILE_TABLE = "we'ird `t`; DELIMITER $$ END"
HOSTILE_FROM = [
    "CREATE TABLE `we'ird ``t``; DELIMITER $$ END` (`END` int NOT NULL, `$$` varchar(10) NOT NULL, "
    "`a;b` varchar(10), `DELIMITER //` int, PRIMARY KEY (`END`, `$$`))",
    "INSERT INTO `we'ird ``t``; DELIMITER $$ END` SELECT seq % 3, concat('k', seq), concat('v;', seq), seq "
    "FROM seq_1_to_11",
    "CREATE TABLE `old; END $$` (`@sd_lo_1` int PRIMARY KEY, `BEGIN NOT ATOMIC` varchar(5))",
    "INSERT INTO `old; END $$` SELECT seq, 'x' FROM seq_1_to_7",
]
HOSTILE_TO = [
    "CREATE TABLE `we'ird ``t``; DELIMITER $$ END` (`END` int NOT NULL, `$$` varchar(10) NOT NULL, "
    "`b;a END` varchar(10), `DELIMITER //` int NOT NULL, PRIMARY KEY (`END`, `$$`))",
    "CREATE TABLE `new ``; END` (`@sd_lo_1` int PRIMARY KEY, `BEGIN NOT ATOMIC` varchar(5))",
]
HOSTILE_RENAMES = {f"{HOSTILE_TABLE}.a;b": "b;a END", "old; END $$": "new `; END"}
HOSTILE_FILL = {f"{HOSTILE_TABLE}.DELIMITER //": "0"}
HOSTILE_ROWS = [
    "SELECT `END`, `$$`, `b;a END`, `DELIMITER //` FROM `we'ird ``t``; DELIMITER $$ END` ORDER BY 1, 2",
    "SELECT `@sd_lo_1`, `BEGIN NOT ATOMIC` FROM `new ``; END` ORDER BY 1",
]


def test_hostile_names_round_trip_as_json_steps_split_sql_and_the_mariadb_client():
    with databases(4) as (a, b, c, e):
        for url in (a, c, e):
            execute(url, HOSTILE_FROM)
        execute(b, HOSTILE_TO)
        plan = schemadrift.plan(schemadrift.compare(a, b, renames=HOSTILE_RENAMES), backfills=HOSTILE_FILL,
                                batch_size=2)
        assert len(batched_steps(plan)) == 4, plan.to_sql()  # copy, fill, repeated fill, copy rows
        script = plan.to_sql()
        apply_json(a, plan)
        execute(c, split_sql(script))
        apply_with_client(e, script)
        for url in (a, c, e):
            assert schemadrift.compare(url, b).in_sync, plan.to_sql()
            assert [rows(url, q) for q in HOSTILE_ROWS] == [
                sorted([(i % 3, f"k{i}", f"v;{i}", i) for i in range(1, 12)], key=lambda r: (r[0], r[1])),
                [(i, "x") for i in range(1, 8)]]


def test_the_script_runs_in_the_mariadb_client_with_a_delimiter_only_around_loops():
    """The plain statements keep ``;``; each loop sits between ``DELIMITER`` lines; the script,
    piped into the real client, converges and fills every row."""
    with databases(2) as (a, b):
        execute(a, FILL_FROM)
        execute(b, FILL_TO)
        plan = schemadrift.plan(schemadrift.compare(a, b), backfills=FILL, batch_size=5)
        script = plan.to_sql()
        assert script.count("DELIMITER $$\nBEGIN NOT ATOMIC") == 2 and script.count("DELIMITER ;") == 2
        assert "ALTER TABLE `users` ADD COLUMN `email` varchar(60) NULL, ALGORITHM=INSTANT;\n" in script
        apply_with_client(a, script)
        assert rows(a, "SELECT count(*) FROM users WHERE email = concat(name, '@example.com')") == [(23,)]
        assert schemadrift.compare(a, b).in_sync


def test_the_mysql_procedure_form_runs_on_a_server_with_stored_programs():
    """MySQL's form of the loop (a procedure created, called and dropped) is the same body in
    CREATE PROCEDURE: run here on MariaDB, which takes that syntax too, as JSON statements and as
    a script through the client; the procedure is gone afterwards."""
    mysql = dialects.get("mysql", "8.0.36")
    with databases(3) as (a, b, c):
        for url in (a, c):
            execute(url, FILL_FROM)
        execute(b, FILL_TO)
        plan = schemadrift.plan(schemadrift.compare(a, b), backfills=FILL, batch_size=4, dialect=mysql)
        fill = next(s for s in plan.steps if s.phase.label == "backfill")
        assert [sql.split(" ")[0] for sql in fill.sql] == ["DROP", "CREATE", "CALL", "DROP"]
        for step in plan.steps[:2]:
            execute(a, step.sql)
        apply_with_client(c, "\n".join(mysql.script_statement(sql) for s in plan.steps[:2] for sql in s.sql))
        for url in (a, c):
            assert rows(url, "SELECT count(*) FROM users WHERE email = concat(name, '@example.com')") == \
                [(23,)]
            assert rows(url, "SELECT count(*) FROM information_schema.routines "
                             "WHERE routine_schema = database()") == [(0,)]
