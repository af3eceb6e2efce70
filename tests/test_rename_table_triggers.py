"""A renamed table keeps the user's triggers (issue 4). Introspection reads them
(``Table.triggers``: PostgreSQL ``pg_get_triggerdef``, MariaDB ``information_schema.TRIGGERS``,
SQLite ``sqlite_master``); the plan creates each on the new table, rewritten for it, in contract
right after the old table's drop, so that no write fires it twice while the sync triggers mirror
rows between the tables. A trigger that uses a column the new table drops or renames (or names
the old table in its body) is not created: the drop's hazard names it. Real servers."""
from __future__ import annotations

import pytest
from conftest import execute, scratch_database
from test_plan_roundtrip import query_rows, script_statements
from test_rename_table_window import hostile, run

import schemadrift
from schemadrift.dialects import get
from schemadrift.dialects import sqlite_parse as P

FROM = ["CREATE TABLE people (id INTEGER PRIMARY KEY, name VARCHAR(40), nick VARCHAR(20))",
        "CREATE TABLE audit (n INTEGER, what VARCHAR(40))",
        "INSERT INTO people (id, name, nick) VALUES (1, 'ann', 'a')"]
TO = ["CREATE TABLE persons (id INTEGER PRIMARY KEY, full_name VARCHAR(40), nick VARCHAR(20))",
      "CREATE TABLE audit (n INTEGER, what VARCHAR(40))"]
RENAMES = {"people": "persons", "people.name": "full_name"}
PERSONS = "CREATE TABLE persons (id INTEGER PRIMARY KEY, name VARCHAR(40), nick VARCHAR(20))"


def trigger_sql(dialect: str, name: str, body: str, table: str = "people",
                event: str = "AFTER INSERT") -> list[str]:
    """A row trigger whose one statement is ``body`` (NEW.… as the dialect spells it)."""
    q = get(dialect).quote
    if dialect == "postgresql":
        fn = q(f"{name}_fn")
        return [f"CREATE FUNCTION {fn}() RETURNS trigger LANGUAGE plpgsql AS "
                f"$$BEGIN {body}; RETURN NULL; END$$",
                f"CREATE TRIGGER {q(name)} {event} ON {q(table)} FOR EACH ROW EXECUTE FUNCTION {fn}()"]
    if dialect == "mariadb":
        return [f"CREATE TRIGGER {q(name)} {event} ON {q(table)} FOR EACH ROW {body}"]
    return [f"CREATE TRIGGER {q(name)} {event} ON {q(table)} BEGIN {body}; END"]


def user_triggers(dialect: str, url: str) -> list[tuple[str, str]]:
    """(table, trigger) of the user's triggers in the database (not the plan's sd_ ones)."""
    query = {"postgresql": "SELECT c.relname::text, t.tgname::text FROM pg_trigger t JOIN pg_class c "
                           "ON c.oid = t.tgrelid WHERE NOT t.tgisinternal",
             "mariadb": "SELECT event_object_table, trigger_name FROM information_schema.triggers "
                        "WHERE trigger_schema = DATABASE()",
             "sqlite": "SELECT tbl_name, name FROM sqlite_master WHERE type = 'trigger'"}[dialect]
    return sorted(r for r in query_rows(url, query) if not r[1].startswith("sd_"))


def hazard(step, kind: str) -> str:
    return next((h.message for h in step.hazards if h.kind.value == kind), "")


def test_a_trigger_moves_to_the_renamed_table_and_fires_once_per_write(dialect, scratch):
    """audit_ins (uses id only) is created on persons right after people is dropped; name_ins
    uses the renamed column: not created, named by the drop's hazard. During the window each
    write writes one audit row, never two: old code's on people; new code's through the sync
    back into people where the dialect mirrors (PostgreSQL, SQLite), none on MariaDB (the
    hazard of the carried step says so). After contract, new code's insert fires it on persons."""
    a, b = scratch(), scratch()
    execute(a, FROM + trigger_sql(dialect, "audit_ins", "INSERT INTO audit (n, what) VALUES (NEW.id, 'ins')")
            + trigger_sql(dialect, "name_ins", "INSERT INTO audit (n, what) VALUES (NEW.id, NEW.name)"))
    execute(b, TO)
    assert [n for n, _ in schemadrift.load(a).table("people").triggers] == ["audit_ins", "name_ins"]
    p = schemadrift.plan(schemadrift.compare(a, b, renames=RENAMES))
    summaries = [s.summary for s in p.steps]
    assert summaries[-2:] == ["drop table people (renamed to persons)",
                              "create trigger audit_ins on persons (as it was on people)"], summaries
    drop, carried = p.steps[-2], p.steps[-1]
    assert carried.phase.label == "contract" and "name_ins" in hazard(drop, "backward_incompatible")
    assert "audit_ins" not in hazard(drop, "backward_incompatible")
    back = get(dialect).TABLE_SYNC_BACK
    assert bool(hazard(carried, "backward_incompatible")) is not back
    run(a, p.steps, "expand")
    run(a, p.steps, "backfill")
    execute(a, ["DELETE FROM audit", "INSERT INTO people (id, name) VALUES (2, 'old')",
                "INSERT INTO persons (id, full_name) VALUES (3, 'new')"])
    audit = query_rows(a, "SELECT n, what FROM audit WHERE what = 'ins' ORDER BY n")
    assert audit == ([(2, "ins"), (3, "ins")] if back else [(2, "ins")])
    run(a, p.steps, "contract")
    assert user_triggers(dialect, a) == [("persons", "audit_ins")]
    execute(a, ["DELETE FROM audit", "INSERT INTO persons (id, full_name) VALUES (4, 'later')"])
    assert query_rows(a, "SELECT n, what FROM audit") == [(4, "ins")]
    assert schemadrift.compare(a, b).in_sync


def test_the_script_carries_triggers_with_hostile_names(dialect, scratch):
    """Quotes, backticks and spaces in the table, column and trigger names; a MariaDB body with
    several statements (the script wraps it in DELIMITER); the script as the dialect's client
    reads it."""
    old, new, key, col = hostile(dialect)
    q = get(dialect).quote
    trg = 'au"d`it ON x'
    body = f"INSERT INTO audit (n, what) VALUES (NEW.{q(key)}, 'a;b')"
    if dialect == "mariadb":
        body = f"BEGIN {body}; INSERT INTO audit (n, what) VALUES (NEW.{q(key)}, 'two'); END"
    a, b = scratch(), scratch()
    execute(a, [f"CREATE TABLE {q(old)} ({q(key)} INTEGER PRIMARY KEY, {q(col)} VARCHAR(20))",
                "CREATE TABLE audit (n INTEGER, what VARCHAR(40))"] + trigger_sql(dialect, trg, body, old))
    execute(b, [f"CREATE TABLE {q(new)} ({q(key)} INTEGER PRIMARY KEY, {q(col)} VARCHAR(20))",
                "CREATE TABLE audit (n INTEGER, what VARCHAR(40))"])
    p = schemadrift.plan(schemadrift.compare(a, b, renames={old: new}))
    execute(a, script_statements(dialect, p.to_sql()))
    assert user_triggers(dialect, a) == [(new, trg)]
    execute(a, [f"INSERT INTO {q(new)} ({q(key)}, {q(col)}) VALUES (9, 'x')"])
    assert query_rows(a, "SELECT n, what FROM audit ORDER BY what") == \
        [(9, "a;b")] + ([(9, "two")] if dialect == "mariadb" else [])
    assert schemadrift.compare(a, b).in_sync


def test_a_trigger_naming_a_dropped_column_or_the_old_table_stays_behind(dialect, scratch):
    """nick is dropped: a trigger that uses it is not created; nor, on PostgreSQL and MariaDB, one
    whose body names people (it would use the dropped table; SQLite rewrites such a use of the
    table to persons); one that uses only kept columns is."""
    a, b = scratch(), scratch()
    execute(a, FROM + trigger_sql(dialect, "uses_nick",
                                  "INSERT INTO audit (n, what) VALUES (NEW.id, NEW.nick)")
            + trigger_sql(dialect, "reads_old", "INSERT INTO audit (n) SELECT count(*) FROM people")
            + trigger_sql(dialect, "kept", "INSERT INTO audit (n) VALUES (NEW.id)", event="AFTER UPDATE"))
    execute(b, ["CREATE TABLE persons (id INTEGER PRIMARY KEY, name VARCHAR(40))", TO[1]])
    p = schemadrift.plan(schemadrift.compare(a, b, renames={"people": "persons"}))
    lite = dialect == "sqlite"
    carried = ["kept", "reads_old"] if lite else ["kept"]
    assert [s.summary for s in p.steps if s.ops[0].kind == "create_trigger"] == \
        [f"create trigger {n} on persons (as it was on people)" for n in carried]
    drop = next(s for s in p.steps if s.summary.startswith("drop table people"))
    left = "(uses_nick)" if lite else "(reads_old, uses_nick)"
    assert left in hazard(drop, "backward_incompatible"), drop.hazards
    execute(a, script_statements(dialect, p.to_sql()))
    assert user_triggers(dialect, a) == [("persons", n) for n in carried]
    execute(a, ["UPDATE persons SET name = 'x' WHERE id = 1", "INSERT INTO persons (id) VALUES (2)"])
    assert query_rows(a, "SELECT n FROM audit ORDER BY n") == ([(1,), (2,)] if lite else [(1,)])


def test_postgresql_keeps_when_update_of_and_the_function(pg_scratch):
    """The trigger is rebuilt from pg_get_triggerdef's parts: its events (UPDATE OF), WHEN,
    FOR EACH and function as they were, ON the new table."""
    with scratch_database("postgresql") as b:
        execute(pg_scratch, FROM + [
            "CREATE FUNCTION log_fn() RETURNS trigger LANGUAGE plpgsql AS "
            "$$BEGIN INSERT INTO audit (n, what) VALUES (NEW.id, TG_ARGV[0]); RETURN NULL; END$$",
            "CREATE TRIGGER upd AFTER UPDATE OF nick ON people FOR EACH ROW "
            "WHEN (NEW.id > 1) EXECUTE FUNCTION log_fn('changed')"])
        execute(b, [PERSONS, TO[1]])
        p = schemadrift.plan(schemadrift.compare(pg_scratch, b, renames={"people": "persons"}))
        assert p.steps[-1].sql[-1] == ('CREATE TRIGGER "upd" AFTER UPDATE OF nick ON "persons" FOR EACH ROW '
                                       "WHEN ((new.id > 1)) EXECUTE FUNCTION log_fn('changed')")
        execute(pg_scratch, script_statements("postgresql", p.to_sql()) + [
            "INSERT INTO persons (id, name) VALUES (2, 'b')", "UPDATE persons SET name = 'c'",
            "UPDATE persons SET nick = 'n'"])
        assert query_rows(pg_scratch, "SELECT n, what FROM audit") == [(2, "changed")]


def test_mariadb_keeps_the_order_of_triggers_of_one_event(my_scratch):
    """Two AFTER INSERT triggers fire in the order they were created (ACTION_ORDER): the plan
    creates them again in that order, not by name."""
    with scratch_database("mariadb") as b:
        execute(my_scratch, FROM + trigger_sql("mariadb", "z_first", "INSERT INTO audit VALUES (1, 'z')")
                + trigger_sql("mariadb", "a_second", "INSERT INTO audit VALUES (2, 'a')"))
        execute(b, [PERSONS, TO[1]])
        p = schemadrift.plan(schemadrift.compare(my_scratch, b, renames={"people": "persons"}))
        assert [s.summary.split()[2] for s in p.steps if s.ops[0].kind == "create_trigger"] == \
            ["z_first", "a_second"]
        execute(my_scratch, script_statements("mariadb", p.to_sql()) +
                ["DELETE FROM audit", "INSERT INTO persons (id) VALUES (5)"])
        assert query_rows(my_scratch, "SELECT what FROM audit") == [("z",), ("a",)]


@pytest.mark.parametrize("flavour", ["postgresql", "mariadb"])
def test_introspection_leaves_out_the_plans_own_triggers(flavour):
    """During a rename window the old table holds the plan's sd_tsync_ triggers: they are not
    the user's (not carried by a later plan)."""
    with scratch_database(flavour) as a, scratch_database(flavour) as b:
        execute(a, FROM)
        execute(b, TO)
        p = schemadrift.plan(schemadrift.compare(a, b, renames=RENAMES))
        run(a, p.steps, "expand")
        assert schemadrift.load(a).table("people").triggers == ()


def test_sqlite_rewrites_the_old_table_where_the_body_uses_it():
    """SQLite: the body's uses of the old table as a table (UPDATE people, people.col) are
    rewritten; a bare word that names it elsewhere (a column or alias?) stops the rewrite."""
    sql = ("CREATE TRIGGER t AFTER UPDATE ON main.people WHEN NEW.id > 0 BEGIN "
           "UPDATE people SET nick = 'x' WHERE people.id = NEW.id AND 'people' <> NEW.people; END")
    assert P.retarget_trigger(sql, "People", '"persons"') == (
        'CREATE TRIGGER t AFTER UPDATE ON "persons" WHEN NEW.id > 0 BEGIN '
        "UPDATE \"persons\" SET nick = 'x' WHERE \"persons\".id = NEW.id AND 'people' <> NEW.people; END")
    assert P.retarget_trigger("CREATE TRIGGER t AFTER INSERT ON people BEGIN SELECT people; END",
                              "people", '"p"') is None
    assert P.retarget_trigger("CREATE TRIGGER t AFTER INSERT ON other BEGIN SELECT 1; END",
                              "people", '"p"') is None
