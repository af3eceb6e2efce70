"""A confirmed table rename keeps old code's writes (issue 4): between the new table's creation
and the old table's drop, triggers mirror every INSERT, UPDATE and DELETE of the old table into
the new one (and back, where the dialect can), the copy skips the rows they wrote, and contract
drops them before the old table. Real servers, all three dialects."""
from __future__ import annotations

import pytest
from conftest import execute, scratch_database
from test_plan_roundtrip import query_rows, script_statements

import schemadrift
from schemadrift.dialects import get

FROM = ["CREATE TABLE people (id INTEGER PRIMARY KEY, name VARCHAR(40) NOT NULL, nick VARCHAR(20))",
        "INSERT INTO people (id, name, nick) VALUES (1, 'ann', 'a')",
        "INSERT INTO people (id, name, nick) VALUES (2, 'bob', NULL)",
        "INSERT INTO people (id, name, nick) VALUES (3, 'cy', 'c')"]
TO = ["CREATE TABLE persons (id INTEGER PRIMARY KEY, full_name VARCHAR(40) NOT NULL, nick VARCHAR(20))"]
RENAMES = {"people": "persons", "people.name": "full_name"}
OLD_CODE = ["INSERT INTO people (id, name, nick) VALUES (5, 'eve', 'e')",
            "UPDATE people SET name = 'ann2', nick = NULL WHERE id = 1",
            "UPDATE people SET id = 30 WHERE id = 3",
            "DELETE FROM people WHERE id = 2"]
NEW_CODE = ["INSERT INTO persons (id, full_name, nick) VALUES (6, 'fay', 'f')",
            "UPDATE persons SET full_name = 'dan2' WHERE id = 4"]
#: persons at the end: old code's rows (4 written before the copy ran), then new code's
AFTER = [(1, "ann2", None), (4, "dan2", "d"), (5, "eve", "e"), (6, "fay", "f"), (30, "cy", "c")]


def sync_objects(dialect: str, url: str) -> list[tuple]:
    """The plan's table-sync triggers (and PostgreSQL functions) in the database."""
    ours = "substr({}, 1, 8) = 'sd_tsync'"
    query = {"postgresql": f"SELECT tgname FROM pg_trigger WHERE {ours.format('tgname')} UNION ALL "
                           f"SELECT proname FROM pg_proc WHERE {ours.format('proname')}",
             "mariadb": "SELECT trigger_name FROM information_schema.triggers "
                        f"WHERE trigger_schema = DATABASE() AND {ours.format('trigger_name')}",
             "sqlite": f"SELECT name FROM sqlite_master WHERE type = 'trigger' AND {ours.format('name')}"}
    return query_rows(url, query[dialect])


def run(url: str, steps, phase: str) -> None:
    for step in steps:
        if step.phase.label == phase:
            execute(url, step.sql)


def test_old_codes_writes_reach_the_renamed_table(dialect, scratch):
    """Triggers created before the copy carry old code's inserts, updates (a key change too) and
    deletes into the new table; the copy skips the rows they wrote already (no duplicate key);
    new code's writes go back to the old table where the dialect can (PostgreSQL, SQLite), not
    on MariaDB (error 1442: a hazard says so). Contract drops the triggers, then the old table."""
    a, b = scratch(), scratch()
    execute(a, FROM)
    execute(b, TO)
    p = schemadrift.plan(schemadrift.compare(a, b, renames=RENAMES))
    back = get(dialect).TABLE_SYNC_BACK
    what = "the writes of people into persons" + (" and back" if back else "")
    assert [(s.phase.label, s.summary) for s in p.steps] == [
        ("expand", "create table persons"),
        ("expand", f"create triggers that copy {what}"),
        ("backfill", "copy rows of people into persons"),
        ("contract", f"drop the triggers that copy {what}"),
        ("contract", "drop table people (renamed to persons)")]
    sync, drop = p.steps[1], p.steps[4]
    alone = [h.message for h in sync.hazards if h.kind.value == "backward_incompatible"]
    assert bool(alone) is not back and all("old code does not see them" in m for m in alone), alone
    loss = [h.message for h in drop.hazards if h.kind.value == "data_loss"]
    assert "after the copy are lost" not in loss[0] and "live on in persons" in loss[0], loss
    run(a, p.steps, "expand")
    assert sync_objects(dialect, a)
    execute(a, ["INSERT INTO people (id, name, nick) VALUES (4, 'dan', 'd')"])  # before the copy
    run(a, p.steps, "backfill")
    execute(a, OLD_CODE + NEW_CODE)
    old_view = query_rows(a, "SELECT id, name, nick FROM people ORDER BY id")
    mine = [(1, "ann2", None), (4, "dan", "d"), (5, "eve", "e"), (30, "cy", "c")]
    assert old_view == (sorted(mine[:1] + [(4, "dan2", "d")] + mine[2:3] + [(6, "fay", "f")] + mine[3:])
                        if back else mine)
    run(a, p.steps, "contract")
    assert query_rows(a, "SELECT id, full_name, nick FROM persons ORDER BY id") == AFTER
    assert sync_objects(dialect, a) == []
    assert schemadrift.compare(a, b).in_sync


def test_the_script_applies_as_printed(dialect, scratch):
    """The plan's SQL script, as the dialect's own client splits it, runs (trigger bodies and
    PostgreSQL functions included) and ends in sync with TO, rows kept."""
    a, b = scratch(), scratch()
    execute(a, FROM)
    execute(b, TO)
    p = schemadrift.plan(schemadrift.compare(a, b, renames=RENAMES))
    execute(a, script_statements(dialect, p.to_sql()))
    assert schemadrift.compare(a, b).in_sync
    assert query_rows(a, "SELECT id, full_name FROM persons ORDER BY id") == \
        [(1, "ann"), (2, "bob"), (3, "cy")]


def test_rollback_after_the_window_keeps_every_row_old_code_wrote(dialect, scratch):
    """After expand + backfill and writes of both codes, the rollback script drops the triggers
    and the new table: FROM is back, with every row as old code sees it, and old code's writes
    still work (no trigger left that writes a dropped table)."""
    a, original = scratch(), scratch()
    execute(a, FROM)
    execute(original, FROM[:1])
    with scratch_database(dialect) as b:
        execute(b, TO)
        p = schemadrift.plan(schemadrift.compare(a, b, renames=RENAMES))
    for step in p.steps:
        if step.phase.label != "contract":
            assert step.reversible, step.summary
            execute(a, step.sql)
    execute(a, OLD_CODE + NEW_CODE)
    seen = query_rows(a, "SELECT id, name, nick FROM people ORDER BY id")
    execute(a, script_statements(dialect, p.to_rollback_sql()))
    assert schemadrift.compare(a, original).in_sync
    assert query_rows(a, "SELECT id, name, nick FROM people ORDER BY id") == seen
    assert sync_objects(dialect, a) == []
    execute(a, ["INSERT INTO people (id, name) VALUES (99, 'late')", "DELETE FROM people WHERE id = 1"])


def test_a_table_without_a_key_keeps_the_copy_and_its_hazard(dialect, scratch):
    """No primary key and no unique NOT NULL key: nothing finds a row in both tables, so no
    triggers; the drop still says that late rows are lost. A table with one is synced."""
    a, b = scratch(), scratch()
    execute(a, ["CREATE TABLE logs (at INTEGER, what VARCHAR(20))", "INSERT INTO logs VALUES (1, 'x')",
                "CREATE TABLE tags (code VARCHAR(10) NOT NULL, CONSTRAINT uq_code UNIQUE (code))"])
    execute(b, ["CREATE TABLE events (at INTEGER, what VARCHAR(20))",
                "CREATE TABLE labels (code VARCHAR(10) NOT NULL, CONSTRAINT uq_label UNIQUE (code))"])
    p = schemadrift.plan(schemadrift.compare(a, b, renames={"logs": "events", "tags": "labels"}))
    syncs = [s.ops[0] for s in p.steps if s.ops[0].kind == "create_table_sync"]
    assert [(op.source.name, op.key) for op in syncs] == [("tags", (("code", "code"),))]
    drop = next(s for s in p.steps if s.summary.startswith("drop table logs"))
    loss = [h.message for h in drop.hazards if h.kind.value == "data_loss"]
    assert loss == ["rows written to logs after the copy are lost"]
    run(a, p.steps, "expand")
    run(a, p.steps, "backfill")
    execute(a, ["INSERT INTO tags (code) VALUES ('t1')", "UPDATE tags SET code = 't2' WHERE code = 't1'"])
    run(a, p.steps, "contract")
    assert schemadrift.compare(a, b).in_sync
    assert query_rows(a, "SELECT at, what FROM events") == [(1, "x")]
    assert query_rows(a, "SELECT code FROM labels") == [("t2",)]


#: hostile names: quotes, backticks, spaces; on PostgreSQL names near its 63-byte limit, so that
#: the trigger and function names are cut (with a hash) and still found by the drop
def hostile(dialect: str) -> tuple[str, str, str, str]:
    long = "x" * (50 if dialect == "postgresql" else 30)
    return (f'pe"o`ple {long}', f'per"so`ns {long}', 'i"d`', 'na"me `x')


def test_hostile_names_round_trip(dialect, scratch):
    old, new, key, col = hostile(dialect)
    q = get(dialect).quote
    a, b = scratch(), scratch()
    execute(a, [f"CREATE TABLE {q(old)} ({q(key)} INTEGER PRIMARY KEY, {q(col)} VARCHAR(20))",
                f"INSERT INTO {q(old)} ({q(key)}, {q(col)}) VALUES (1, 'one')"])
    execute(b, [f"CREATE TABLE {q(new)} ({q(key)} INTEGER PRIMARY KEY, {q(col)} VARCHAR(20))"])
    p = schemadrift.plan(schemadrift.compare(a, b, renames={old: new}))
    run(a, p.steps, "expand")
    assert len(sync_objects(dialect, a)) == {"postgresql": 4, "sqlite": 6, "mariadb": 3}[dialect]
    run(a, p.steps, "backfill")
    execute(a, [f"INSERT INTO {q(old)} ({q(key)}, {q(col)}) VALUES (2, 'two')",
                f"UPDATE {q(old)} SET {q(col)} = 'uno' WHERE {q(key)} = 1"])
    run(a, p.steps, "contract")
    assert sync_objects(dialect, a) == []
    assert query_rows(a, f"SELECT {q(key)}, {q(col)} FROM {q(new)} ORDER BY 1") == [(1, "uno"), (2, "two")]
    assert schemadrift.compare(a, b).in_sync


AUTO_KEY = {"postgresql": "id serial PRIMARY KEY", "sqlite": "id INTEGER PRIMARY KEY"}


@pytest.mark.parametrize("flavour", ["postgresql", "sqlite"])
def test_both_codes_insert_with_generated_keys_without_collisions(flavour):
    """Where new code's rows go back to the old table, each table's key sequence moves past the
    keys the other code took: old and new code insert in turn without naming the key, and no
    insert collides (PostgreSQL: the triggers move the serial sequences; SQLite: rowids)."""
    with scratch_database(flavour) as a, scratch_database(flavour) as b:
        execute(a, [f"CREATE TABLE people ({AUTO_KEY[flavour]}, name VARCHAR(20))",
                    "INSERT INTO people (name) VALUES ('a'), ('b')"])
        execute(b, [f"CREATE TABLE persons ({AUTO_KEY[flavour]}, name VARCHAR(20))"])
        p = schemadrift.plan(schemadrift.compare(a, b, renames={"people": "persons"}))
        run(a, p.steps, "expand")
        run(a, p.steps, "backfill")
        execute(a, ["INSERT INTO people (name) VALUES ('old1')",
                    "INSERT INTO persons (name) VALUES ('new1')",
                    "INSERT INTO people (name) VALUES ('old2')",
                    "INSERT INTO persons (name) VALUES ('new2')"])
        rows = [(1, "a"), (2, "b"), (3, "old1"), (4, "new1"), (5, "old2"), (6, "new2")]
        assert query_rows(a, "SELECT id, name FROM people ORDER BY id") == rows
        run(a, p.steps, "contract")
        assert query_rows(a, "SELECT id, name FROM persons ORDER BY id") == rows
        execute(a, ["INSERT INTO persons (name) VALUES ('new3')"])
        assert query_rows(a, "SELECT max(id) FROM persons") == [(7,)]
        assert schemadrift.compare(a, b).in_sync


def test_changed_types_are_converted_one_way(pg_scratch):
    """A column whose type changes (text → integer) is converted by the triggers as by the copy;
    new code's rows do not go back (old code would read them in another type): the hazard says
    so."""
    with scratch_database("postgresql") as b:
        execute(pg_scratch, ["CREATE TABLE people (id int PRIMARY KEY, age text)",
                             "INSERT INTO people VALUES (1, '41')"])
        execute(b, ["CREATE TABLE persons (id int PRIMARY KEY, age integer)"])
        p = schemadrift.plan(schemadrift.compare(pg_scratch, b, renames={"people": "persons"}))
        sync = p.steps[1]
        assert sync.ops[0].back is False and "old code does not see them" in \
            next(h.message for h in sync.hazards if h.kind.value == "backward_incompatible")
        run(pg_scratch, p.steps, "expand")
        run(pg_scratch, p.steps, "backfill")
        execute(pg_scratch, ["INSERT INTO people VALUES (2, '42')",
                             "UPDATE people SET age = '43' WHERE id = 1",
                             "INSERT INTO persons VALUES (3, 44)"])
        assert query_rows(pg_scratch, "SELECT id FROM people ORDER BY id") == [(1,), (2,)]
        run(pg_scratch, p.steps, "contract")
        assert query_rows(pg_scratch, "SELECT id, age FROM persons ORDER BY id") == \
            [(1, 43), (2, 42), (3, 44)]


def test_the_copy_does_not_write_back_into_the_old_table(pg_scratch):
    """The copy's rows do not go back to the old table through the new table's trigger (that
    would rewrite every old row and could put a stale value over old code's newer one): the
    old rows keep their row versions (xmin)."""
    with scratch_database("postgresql") as b:
        execute(pg_scratch, FROM)
        execute(b, TO)
        p = schemadrift.plan(schemadrift.compare(pg_scratch, b, renames=RENAMES))
        assert p.steps[1].ops[0].back
        run(pg_scratch, p.steps, "expand")
        versions = query_rows(pg_scratch, "SELECT id, xmin::text FROM people ORDER BY id")
        run(pg_scratch, p.steps, "backfill")
        assert query_rows(pg_scratch, "SELECT id, xmin::text FROM people ORDER BY id") == versions
        assert query_rows(pg_scratch, "SELECT count(*) FROM persons") == [(3,)]
        execute(pg_scratch, ["INSERT INTO persons (id, full_name) VALUES (7, 'new')"])  # still goes back
        assert query_rows(pg_scratch, "SELECT name FROM people WHERE id = 7") == [("new",)]


def test_old_code_needs_no_rights_on_the_new_table(pg_scratch):
    """The sync functions write as their owner (SECURITY DEFINER): old code's role, allowed to
    write the old table only, still writes through to the new one."""
    import uuid
    role = "sdt_" + uuid.uuid4().hex[:10]
    with scratch_database("postgresql") as b:
        execute(pg_scratch, FROM + [f"CREATE ROLE {role} LOGIN",
                                    f"GRANT SELECT, INSERT, UPDATE, DELETE ON people TO {role}"])
        try:
            execute(b, TO)
            p = schemadrift.plan(schemadrift.compare(pg_scratch, b, renames=RENAMES))
            run(pg_scratch, p.steps, "expand")
            run(pg_scratch, p.steps, "backfill")
            as_old_code = pg_scratch.replace("://postgres@", f"://{role}@", 1)
            assert as_old_code != pg_scratch
            execute(as_old_code, OLD_CODE)
            assert query_rows(pg_scratch, "SELECT id, full_name, nick FROM persons ORDER BY id") == \
                [(1, "ann2", None), (5, "eve", "e"), (30, "cy", "c")]
        finally:
            execute(pg_scratch, [f"DROP OWNED BY {role}", f"DROP ROLE {role}"])
