"""Review findings of a renamed table's sync triggers (issue 4): what the old table's own BEFORE
trigger does to new code's rows reaches the new table (PostgreSQL), old code's REPLACE is
mirrored (SQLite), a carried trigger that names the old table with its schema is rewritten
(SQLite), a cross-schema rename drops both functions (PostgreSQL), a row of new code's that only
the old table's constraints reject is skipped on its way back, and MariaDB's one-way sync names
the AUTO_INCREMENT clash. Real servers."""
from __future__ import annotations

import pytest
from conftest import execute, scratch_database
from test_plan_roundtrip import query_rows
from test_rename_table_window import run

import schemadrift
from schemadrift.dialects import sqlite_parse as P


def window(a: str, b: str, from_sql: list[str], to_sql: list[str], renames: dict):
    """Build FROM in ``a`` and TO in ``b``, plan, and run expand and backfill on ``a``."""
    execute(a, from_sql)
    execute(b, to_sql)
    p = schemadrift.plan(schemadrift.compare(a, b, renames=renames))
    run(a, p.steps, "expand")
    run(a, p.steps, "backfill")
    return p


def test_postgresql_old_tables_before_trigger_reaches_the_new_table(pg_scratch):
    """New code's write goes back to the old table, whose BEFORE trigger changes the row: the
    new table gets the changed row too (and keeps it after contract). A BEFORE trigger of the new
    table that disagrees does not make the triggers write back and forth: the write ends. (A json
    column, which has no equality, does not stop the comparison.)"""
    slug = ("CREATE FUNCTION {0}() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN NEW.slug := {1}(NEW.name); RETURN NEW; END $$")
    columns = "(id INTEGER PRIMARY KEY, name VARCHAR(40) NOT NULL, slug VARCHAR(40), doc json)"
    from_sql = [f"CREATE TABLE people {columns}",
                slug.format("mkslug", "lower"),
                "CREATE TRIGGER people_slug BEFORE INSERT OR UPDATE ON people "
                "FOR EACH ROW EXECUTE FUNCTION mkslug()",
                "INSERT INTO people (id, name) VALUES (1, 'Ann')"]
    to_sql = [f"CREATE TABLE persons {columns}"]
    with scratch_database("postgresql") as b:
        p = window(pg_scratch, b, from_sql, to_sql, {"people": "persons"})
        execute(pg_scratch, ["INSERT INTO persons (id, name, doc) VALUES (2, 'Bob', '{\"a\": 1}')",  # new
                             "UPDATE persons SET name = 'Ann B' WHERE id = 1",
                             "INSERT INTO people (id, name) VALUES (3, 'Cy')"])  # old code
        rows = [(1, "Ann B", "ann b", None), (2, "Bob", "bob", '{"a": 1}'), (3, "Cy", "cy", None)]
        every = "SELECT id, name, slug, doc::text FROM {} ORDER BY id"
        assert query_rows(pg_scratch, every.format("people")) == rows
        assert query_rows(pg_scratch, every.format("persons")) == rows
        execute(pg_scratch, [slug.format("upslug", "upper"),
                             "CREATE TRIGGER persons_slug BEFORE INSERT OR UPDATE ON persons "
                             "FOR EACH ROW EXECUTE FUNCTION upslug()",
                             "INSERT INTO persons (id, name) VALUES (4, 'Dee')"])
        assert query_rows(pg_scratch, "SELECT slug FROM people WHERE id = 4") == [("dee",)]
        execute(pg_scratch, ["DROP TRIGGER persons_slug ON persons", "DELETE FROM persons WHERE id = 4"])
        run(pg_scratch, p.steps, "contract")
        assert query_rows(pg_scratch, every.format("persons")) == rows


@pytest.mark.parametrize("recursive", ["OFF", "ON"])
def test_sqlite_replace_reaches_the_other_table(lite_scratch, recursive):
    """INSERT OR REPLACE / REPLACE of a row the other table has (its implicit delete fires no
    DELETE trigger unless recursive_triggers is on) reaches the other table, both ways."""
    with scratch_database("sqlite") as b:
        p = window(lite_scratch, b, ["CREATE TABLE people (id INTEGER PRIMARY KEY, name TEXT NOT NULL)",
                                     "INSERT INTO people VALUES (1, 'ann')"],
                   ["CREATE TABLE persons (id INTEGER PRIMARY KEY, name TEXT NOT NULL)"],
                   {"people": "persons"})
        pragma = f"PRAGMA recursive_triggers = {recursive}"
        execute(lite_scratch, [pragma, "INSERT OR REPLACE INTO people (id, name) VALUES (1, 'ann2')",
                               "REPLACE INTO people (id, name) VALUES (2, 'bob')",
                               "REPLACE INTO people (id, name) VALUES (2, 'bob2')"])
        execute(lite_scratch, [pragma, "REPLACE INTO persons (id, name) VALUES (3, 'cy')",
                               "INSERT OR REPLACE INTO persons (id, name) VALUES (3, 'cy2')",
                               "INSERT OR REPLACE INTO persons (id, name) VALUES (1, 'ann3')"])
        rows = [(1, "ann3"), (2, "bob2"), (3, "cy2")]
        assert query_rows(lite_scratch, "SELECT * FROM people ORDER BY id") == rows
        assert query_rows(lite_scratch, "SELECT * FROM persons ORDER BY id") == rows
        run(lite_scratch, p.steps, "contract")
        assert query_rows(lite_scratch, "SELECT * FROM persons ORDER BY id") == rows


def test_sqlite_carries_a_trigger_that_names_the_old_table_with_its_schema(lite_scratch):
    """A body that reads ``main.people`` is rewritten to the new table (the schema stays), so new
    code's inserts work after contract; a ``main.people`` that is not a table is not guessed."""
    with scratch_database("sqlite") as b:
        p = window(lite_scratch, b, ["CREATE TABLE people (id INTEGER PRIMARY KEY, name TEXT NOT NULL)",
                                     "CREATE TABLE stats (n INTEGER)",
                                     "CREATE TRIGGER count_people AFTER INSERT ON main.people BEGIN "
                                     "DELETE FROM stats; INSERT INTO stats SELECT count(*) FROM main.people "
                                     "WHERE main.people.id > 0; END",
                                     "INSERT INTO people VALUES (1, 'ann')"],
                   ["CREATE TABLE persons (id INTEGER PRIMARY KEY, name TEXT NOT NULL)",
                    "CREATE TABLE stats (n INTEGER)"], {"people": "persons"})
        run(lite_scratch, p.steps, "contract")
        execute(lite_scratch, ["INSERT INTO persons VALUES (2, 'bob')"])
        assert query_rows(lite_scratch, "SELECT n FROM stats") == [(2,)]
    assert P.retarget_trigger("CREATE TRIGGER t AFTER INSERT ON people BEGIN "
                              "SELECT main.people FROM x AS main; END", "people", '"p"') is None
    assert P.retarget_trigger("CREATE TRIGGER t AFTER INSERT ON people BEGIN SELECT 1 FROM "
                              'temp.people JOIN "main"."People"; END', "people", '"p"') == \
        'CREATE TRIGGER t AFTER INSERT ON "p" BEGIN SELECT 1 FROM temp.people JOIN "main"."p"; END'


def test_postgresql_cross_schema_rename_drops_both_functions(pg_scratch):
    """s1.people renamed to s2.persons: contract drops each sync function from the schema it was
    created in (the back one writes s1.people and lives in s1)."""
    with scratch_database("postgresql") as b:
        p = window(pg_scratch, b, ["CREATE SCHEMA s1", "CREATE SCHEMA s2",
                                   "CREATE TABLE s1.people (id int PRIMARY KEY, name text)",
                                   "INSERT INTO s1.people VALUES (1, 'a')"],
                   ["CREATE SCHEMA s1", "CREATE SCHEMA s2",
                    "CREATE TABLE s2.persons (id int PRIMARY KEY, name text)"],
                   {"s1.people": "s2.persons"})
        ours = "SELECT count(*) FROM pg_proc WHERE proname LIKE 'sd\\_tsync%%'"
        assert query_rows(pg_scratch, ours) == [(2,)]
        run(pg_scratch, p.steps, "contract")
        assert query_rows(pg_scratch, "SELECT n.nspname, p.proname FROM pg_proc p JOIN pg_namespace n "
                                      "ON n.oid = p.pronamespace WHERE p.proname LIKE 'sd\\_%%'") == []


@pytest.mark.parametrize("flavour", ["postgresql", "sqlite"])
def test_a_row_only_the_old_table_rejects_is_not_copied_back(flavour):
    """The old table's CHECK and UNIQUE that the new one drops: new code's writes that break
    them succeed, the row (or change) stays out of the old table, and the sync step says so."""
    with scratch_database(flavour) as a, scratch_database(flavour) as b:
        p = window(a, b, ["CREATE TABLE people (id INTEGER PRIMARY KEY, email VARCHAR(40) NOT NULL UNIQUE, "
                          "age INTEGER CONSTRAINT adult CHECK (age > 0))",
                          "INSERT INTO people VALUES (1, 'a@x', 30)"],
                   ["CREATE TABLE persons (id INTEGER PRIMARY KEY, email VARCHAR(40) NOT NULL, age INTEGER)"],
                   {"people": "persons"})
        message = " ".join(h.message for h in p.steps[1].hazards if h.kind.value == "backward_incompatible")
        assert "check adult" in message and "unique" in message and "not copied back" in message, message
        execute(a, ["INSERT INTO persons VALUES (2, 'b@x', 0)", "INSERT INTO persons VALUES (3, 'a@x', 5)",
                    "INSERT INTO persons VALUES (4, 'd@x', 4)", "UPDATE persons SET age = -1 WHERE id = 1"])
        assert query_rows(a, "SELECT * FROM people ORDER BY id") == [(1, "a@x", 30), (4, "d@x", 4)]
        run(a, p.steps, "contract")
        assert query_rows(a, "SELECT * FROM persons ORDER BY id") == \
            [(1, "a@x", -1), (2, "b@x", 0), (3, "a@x", 5), (4, "d@x", 4)]


def test_mariadb_one_way_sync_names_the_auto_increment_clash(my_scratch):
    """MariaDB syncs one way: the step's hazard says that old code's inserts can fail with a
    duplicate key once new code took the next AUTO_INCREMENT value (and they do)."""
    with scratch_database("mariadb") as b:
        key = "id INTEGER AUTO_INCREMENT PRIMARY KEY"
        p = window(my_scratch, b, [f"CREATE TABLE people ({key}, name VARCHAR(40))",
                                   "INSERT INTO people (name) VALUES ('ann')"],
                   [f"CREATE TABLE persons ({key}, name VARCHAR(40))"],
                   {"people": "persons"})
        message = " ".join(h.message for h in p.steps[1].hazards if h.kind.value == "backward_incompatible")
        assert "AUTO_INCREMENT" in message and "duplicate key" in message, message
        execute(my_scratch, ["INSERT INTO persons (name) VALUES ('bob')"])
        with pytest.raises(Exception, match="Duplicate entry"):
            execute(my_scratch, ["INSERT INTO people (name) VALUES ('cy')"])


def test_postgresql_an_exclusion_only_the_old_table_has_is_skipped_on_the_way_back(pg_scratch):
    """The old table's exclusion constraint, which the new one drops: new code's write that breaks
    it succeeds and stays out of the old table (exclusion_violation is skipped like the others),
    and the sync step's hazard names the constraint."""
    with scratch_database("postgresql") as b:
        p = window(pg_scratch, b, ["CREATE TABLE slots (id int PRIMARY KEY, r int4range, "
                                   "CONSTRAINT no_overlap EXCLUDE USING gist (r WITH &&))",
                                   "INSERT INTO slots VALUES (1, '[1,5)')"],
                   ["CREATE TABLE bookings (id int PRIMARY KEY, r int4range)"], {"slots": "bookings"})
        message = " ".join(h.message for h in p.steps[1].hazards if h.kind.value == "backward_incompatible")
        assert "exclusion constraint no_overlap" in message, message
        execute(pg_scratch, ["INSERT INTO bookings VALUES (2, '[2,3)')",  # overlaps row 1
                             "INSERT INTO bookings VALUES (3, '[7,9)')"])
        assert query_rows(pg_scratch, "SELECT id FROM slots ORDER BY id") == [(1,), (3,)]
        run(pg_scratch, p.steps, "contract")
        assert query_rows(pg_scratch, "SELECT id FROM bookings ORDER BY id") == [(1,), (2,), (3,)]


def test_sqlite_a_row_breaking_a_foreign_key_only_the_old_table_has_is_skipped(lite_scratch):
    """With ``PRAGMA foreign_keys`` on, new code's write that breaks a foreign key of the old
    table (one the new table drops) succeeds: OR IGNORE does not cover a foreign key, so the back
    triggers skip the row unless its parent is there (NULL, and a row that points at itself,
    are kept). The sync step's hazard names the keys."""
    on = ["PRAGMA foreign_keys = ON"]
    with scratch_database("sqlite") as b:
        p = window(lite_scratch, b, ["CREATE TABLE teams (id INTEGER PRIMARY KEY)",
                                     "INSERT INTO teams VALUES (1)",
                                     "CREATE TABLE people (id INTEGER PRIMARY KEY, "
                                     "team INTEGER CONSTRAINT fk_team REFERENCES teams (id), "
                                     "boss INTEGER CONSTRAINT fk_boss REFERENCES people (id))",
                                     "INSERT INTO people VALUES (1, 1, NULL)"],
                   ["CREATE TABLE teams (id INTEGER PRIMARY KEY)",
                    "CREATE TABLE persons (id INTEGER PRIMARY KEY, team INTEGER, boss INTEGER)"],
                   {"people": "persons"})
        message = " ".join(h.message for h in p.steps[1].hazards if h.kind.value == "backward_incompatible")
        assert "foreign key fk_team" in message and "foreign key fk_boss" in message, message
        execute(lite_scratch, on + ["INSERT INTO persons VALUES (2, 99, NULL)",  # no team 99
                                    "INSERT INTO persons VALUES (3, 1, 3)",  # its own boss
                                    "INSERT INTO persons VALUES (4, NULL, 1)",
                                    "INSERT INTO persons VALUES (5, 1, 42)",  # no person 42
                                    "UPDATE persons SET team = 98 WHERE id = 1"])
        assert query_rows(lite_scratch, "SELECT * FROM people ORDER BY id") == \
            [(1, 1, None), (3, 1, 3), (4, None, 1)]
        run(lite_scratch, p.steps, "contract")
        assert query_rows(lite_scratch, "SELECT id, team FROM persons ORDER BY id") == \
            [(1, 98), (2, 99), (3, 1), (4, None), (5, 1)]


def test_mariadb_a_foreign_key_to_the_table_itself_waits_for_the_copy(my_scratch):
    """A self-referencing key whose name the old table holds is added (under its temporary
    name) after the copy, not before it: the copy writes a child (id 1) before its parent (id 5),
    and old code's insert of a child of a row not copied yet goes through the sync trigger."""
    fk = "CONSTRAINT fk_parent FOREIGN KEY (parent) REFERENCES {} (id) ON DELETE CASCADE"
    with scratch_database("mariadb") as b:
        execute(my_scratch, [f"CREATE TABLE o (id int PRIMARY KEY, parent int, {fk.format('o')})",
                             "INSERT INTO o VALUES (5, NULL)", "INSERT INTO o VALUES (1, 5)"])
        execute(b, [f"CREATE TABLE n (id int PRIMARY KEY, parent int, {fk.format('n')})"])
        p = schemadrift.plan(schemadrift.compare(my_scratch, b, renames={"o": "n"}))
        key = [s for s in p.steps if s.summary.startswith("add foreign key fk_parent__sdnew")]
        assert [s.phase.label for s in key] == ["backfill"], [s.summary for s in p.steps]
        assert any(h.kind.value == "validation_scan" for h in key[0].hazards)
        run(my_scratch, p.steps, "expand")
        execute(my_scratch, ["INSERT INTO o VALUES (2, 1)"])  # old code: row 1 is not copied yet
        run(my_scratch, p.steps, "backfill")
        execute(my_scratch, ["DELETE FROM o WHERE id = 1"])  # the cascade reaches n through its key
        assert query_rows(my_scratch, "SELECT id, parent FROM n ORDER BY id") == [(5, None)]
        run(my_scratch, p.steps, "contract")
        assert schemadrift.compare(my_scratch, b).in_sync


@pytest.mark.parametrize("to_table", [
    "CREATE TABLE n (id INTEGER PRIMARY KEY, v INTEGER CHECK (v > 0), w INTEGER)",  # a new check
    "CREATE TABLE n (id INTEGER PRIMARY KEY, v INTEGER, w INTEGER NOT NULL)"])  # a loosened column
def test_sqlite_a_rebuild_of_the_twin_creates_no_trigger_before_the_drop(lite_scratch, to_table):
    """A contract rebuild of the new table (a constraint new in TO, a column set NOT NULL) runs
    while the old table holds the trigger's name: it creates none of TO's triggers, and the
    carried trigger's own step creates it once, after the drop."""
    trigger = "CREATE TRIGGER tg AFTER INSERT ON {} BEGIN INSERT INTO log VALUES (NEW.id); END"
    with scratch_database("sqlite") as b:
        execute(lite_scratch, ["CREATE TABLE log (a)",
                               "CREATE TABLE o (id INTEGER PRIMARY KEY, v INTEGER, w INTEGER)",
                               trigger.format("o"), "INSERT INTO o VALUES (1, 1, 1)"])
        execute(b, ["CREATE TABLE log (a)", to_table, trigger.format("n")])
        p = schemadrift.plan(schemadrift.compare(lite_scratch, b, renames={"o": "n"}), backfills={"n.w": "0"})
        for s in p.steps:
            execute(lite_scratch, s.sql)
        assert schemadrift.compare(lite_scratch, b).in_sync
        execute(lite_scratch, ["DELETE FROM log", "INSERT INTO n VALUES (2, 2, 2)"])
        assert query_rows(lite_scratch, "SELECT a FROM log") == [(2,)]


@pytest.mark.parametrize("name", ["new", "old"])
def test_sqlite_carries_the_trigger_of_a_table_named_new_or_old(lite_scratch, name):
    """``NEW.v`` / ``OLD.id`` in the trigger of a table called ``new`` (``old``) are the trigger's
    rows, not the table: they stay, and the carried trigger works on the new table."""
    trigger = (f"CREATE TRIGGER tg AFTER UPDATE ON {name} FOR EACH ROW BEGIN "
               "INSERT INTO log VALUES (OLD.id, NEW.v); END")
    assert P.retarget_trigger(trigger, name, '"items"') == trigger.replace(f"ON {name}", 'ON "items"')
    with scratch_database("sqlite") as b:
        p = window(lite_scratch, b, ["CREATE TABLE log (a, b)",
                                     f"CREATE TABLE {name} (id INTEGER PRIMARY KEY, v)",
                                     trigger, f"INSERT INTO {name} VALUES (1, 1)"],
                   ["CREATE TABLE log (a, b)", "CREATE TABLE items (id INTEGER PRIMARY KEY, v)"],
                   {name: "items"})
        run(lite_scratch, p.steps, "contract")
        execute(lite_scratch, ["DELETE FROM log", "UPDATE items SET v = 2 WHERE id = 1"])
        assert query_rows(lite_scratch, "SELECT a, b FROM log") == [(1, 2)]
    # the same statement names the table too: SQLite would read the qualifier as the table
    assert P.retarget_trigger(f"CREATE TRIGGER tg AFTER UPDATE ON {name} BEGIN UPDATE {name} SET v = "
                              f"{name}.v + 1 WHERE id = OLD.id; END", name, '"items"') is None
