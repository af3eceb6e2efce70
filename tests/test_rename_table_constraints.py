"""A renamed table's new twin during the window (issue 4): it holds the constraints the old table
had from the start, under a temporary name where the old table still holds the name (so that a
foreign key's cascade reaches it: MariaDB fires no trigger for one), and takes those the old
table lacks only in contract, before the old table is dropped, as a table that is not renamed
does (so that old code's writes, carried over by the sync triggers, do not fail). Real servers,
all three dialects."""
from __future__ import annotations

import pytest
from conftest import execute
from test_plan_roundtrip import query_rows

import schemadrift

TEAMS = ["CREATE TABLE teams (id INTEGER PRIMARY KEY)", "INSERT INTO teams (id) VALUES (1), (2), (3)"]


def phase(url: str, steps, label: str) -> None:
    for step in steps:
        if step.phase.label == label:
            execute(url, step.sql)


def summaries(p) -> list[tuple[str, str]]:
    return [(s.phase.label, s.summary) for s in p.steps]


def test_cascade_reaches_the_renamed_table_during_the_window(dialect, scratch):
    """The old table's ``fk_team ... ON DELETE CASCADE`` is on the new table all through the
    window (MariaDB: under a temporary name, since FK names are schema-wide there and cannot be
    renamed): deleting a team while both tables exist removes its rows from both, and contract
    gives the key its own name after the old table's drop, which cannot fail on a row."""
    a, b = scratch(), scratch()
    fk = "CONSTRAINT fk_team FOREIGN KEY (team_id) REFERENCES teams (id) ON DELETE CASCADE"
    execute(a, TEAMS + [f"CREATE TABLE people (id INTEGER PRIMARY KEY, team_id INTEGER NOT NULL, {fk})",
                        "INSERT INTO people (id, team_id) VALUES (1, 1), (2, 2), (3, 3)"])
    execute(b, TEAMS[:1] + [f"CREATE TABLE persons (id INTEGER PRIMARY KEY, team_id INTEGER NOT NULL, {fk})"])
    p = schemadrift.plan(schemadrift.compare(a, b, renames={"people": "persons"}))
    created = p.steps[0].ops[0].table
    temp = dialect == "mariadb"
    assert [f.name for f in created.foreign_keys] == ([] if temp else ["fk_team"])
    if temp:  # added on the empty table, after the index the server would make (under TO's name)
        steps = summaries(p)
        assert steps[:4] == [
            ("expand", "create table persons"),
            ("expand", "create index fk_team on persons (team_id) for foreign key fk_team__sdnew"),
            ("expand", "add foreign key fk_team__sdnew persons(team_id) -> teams(id) (under a temporary "
                       "name: people holds its name until contract)"),
            ("expand", "create triggers that copy the writes of people into persons")]
        drop = steps.index(("contract", "drop table people (renamed to persons)"))
        assert steps[drop + 1:] == [("contract", "replace foreign key fk_team__sdnew of persons by "
                                                 "fk_team (after people frees the name)")]
        swap = p.steps[drop + 1]
        assert [op.kind for op in swap.ops] == ["add_foreign_key", "drop_foreign_key"]
        assert any("cannot fail" in h.message for h in swap.hazards), swap.hazards
    phase(a, p.steps, "expand")
    phase(a, p.steps, "backfill")
    on = ["PRAGMA foreign_keys = ON"] if dialect == "sqlite" else []  # SQLite: the app turns them on
    execute(a, on + ["DELETE FROM teams WHERE id = 2",  # old and new code delete a team: both follow
                     "INSERT INTO people (id, team_id) VALUES (4, 3)"])
    assert query_rows(a, "SELECT id, team_id FROM persons ORDER BY id") == [(1, 1), (3, 3), (4, 3)]
    execute(a, on + ["DELETE FROM teams WHERE id = 3"])
    assert query_rows(a, "SELECT id FROM persons ORDER BY id") == [(1,)]
    phase(a, p.steps, "contract")
    assert schemadrift.compare(a, b).in_sync
    execute(a, on + ["DELETE FROM teams WHERE id = 1"])  # the key under its own name cascades too
    assert query_rows(a, "SELECT count(*) FROM persons") == [(0,)]


OLD = "CREATE TABLE people (id INTEGER PRIMARY KEY, email VARCHAR(40) NOT NULL, age INTEGER, team_id INTEGER)"
NEW = ("CREATE TABLE persons (id INTEGER PRIMARY KEY, email VARCHAR(40) NOT NULL, age INTEGER, "
       "team_id INTEGER, CONSTRAINT uq_email UNIQUE (email), CONSTRAINT ck_age CHECK (age > 0), "
       "CONSTRAINT fk_team FOREIGN KEY (team_id) REFERENCES teams (id))")
#: old code's writes during the window: each breaks a constraint only TO has
BREAKING = ["INSERT INTO people (id, email, age, team_id) VALUES (2, 'b@x', 0, 1)",
            "INSERT INTO people (id, email, age, team_id) VALUES (3, 'a@x', 5, 1)",
            "INSERT INTO people (id, email, age, team_id) VALUES (4, 'd@x', 5, 99)"]


def test_constraints_new_in_to_restrict_writes_only_from_contract(dialect, scratch):
    """UNIQUE, CHECK and FOREIGN KEY that the old table lacks are not on the new table during the
    window: old code's writes that break them still succeed (the sync triggers carry them over).
    Contract adds them (each with ``validation_scan``) after the sync triggers' drop and before
    the old table's drop: a row that breaks one stops the plan while the old table is there;
    once new code fixes the rows the rest of the plan runs and ends in sync with TO."""
    a, b = scratch(), scratch()
    execute(a, TEAMS + [OLD, "INSERT INTO people (id, email, age, team_id) VALUES (1, 'a@x', 30, 1)"])
    execute(b, TEAMS[:1] + [NEW])
    p = schemadrift.plan(schemadrift.compare(a, b, renames={"people": "persons"}))
    created = p.steps[0].ops[0].table
    assert (created.checks, created.foreign_keys, [ix for ix in created.indexes if ix.unique]) == ((), (), [])
    steps = summaries(p)
    drop = steps.index(("contract", "drop table people (renamed to persons)"))
    kinds = ("create_index", "add_check", "add_foreign_key")
    adds = [i for i, s in enumerate(p.steps) if s.ops[0].kind in kinds]
    sync_drop = next(i for i, s in enumerate(p.steps) if s.ops[0].kind == "drop_table_sync")
    assert len(adds) == 3 and all(sync_drop < i < drop for i in adds), steps
    assert all(p.steps[i].phase.label == "contract" and
               "validation_scan" in {h.kind.value for h in p.steps[i].hazards} for i in adds)
    phase(a, p.steps, "expand")
    phase(a, p.steps, "backfill")
    execute(a, BREAKING)  # each used to fail through the sync trigger
    assert query_rows(a, "SELECT id FROM persons ORDER BY id") == [(1,), (2,), (3,), (4,)]
    contract = [s for s in p.steps if s.phase.label == "contract"]
    failed = None
    for i, step in enumerate(contract):
        try:
            execute(a, step.sql)
        except Exception:
            failed = i
            break
    assert failed is not None and contract[failed].ops[0].kind in ("create_index", "add_check",
                                                                   "add_foreign_key")
    assert query_rows(a, "SELECT count(*) FROM people") == [(4,)]  # the old table is still there
    execute(a, ["DELETE FROM persons WHERE id > 1"])  # new code fixes the rows
    if dialect == "postgresql":  # a failed CREATE INDEX CONCURRENTLY leaves its invalid index
        execute(a, ["DROP INDEX IF EXISTS uq_email"])
    for step in contract[failed:]:
        execute(a, step.sql)
    assert schemadrift.compare(a, b).in_sync
    assert query_rows(a, "SELECT id, email, age, team_id FROM persons") == [(1, "a@x", 30, 1)]


def test_kept_constraints_stay_and_a_new_not_null_waits_for_contract(dialect, scratch):
    """A constraint the old table has (same definition, its column renamed) is created with the
    new table: old code's write that breaks it fails at once, as it did. A NOT NULL the old
    column lacks is set in contract, before the old table's drop (the loosened-column path)."""
    a, b = scratch(), scratch()
    execute(a, ["CREATE TABLE people (id INTEGER PRIMARY KEY, mail VARCHAR(40), nick VARCHAR(20), "
                "CONSTRAINT uq_mail UNIQUE (mail))",
                "INSERT INTO people (id, mail, nick) VALUES (1, 'a@x', 'a')"])
    execute(b, ["CREATE TABLE persons (id INTEGER PRIMARY KEY, email VARCHAR(40), nick VARCHAR(20) NOT NULL, "
                "CONSTRAINT uq_persons_email UNIQUE (email))"])
    p = schemadrift.plan(schemadrift.compare(a, b, renames={"people": "persons", "people.mail": "email"}))
    created = p.steps[0].ops[0].table
    assert [ix.columns for ix in created.indexes if ix.unique] == [("email",)]
    assert created.column("nick").nullable
    steps = summaries(p)
    drop = steps.index(("contract", "drop table people (renamed to persons)"))
    not_null = next(i for i, (_, s) in enumerate(steps) if s.startswith("set persons.nick NOT NULL"))
    assert p.steps[not_null].phase.label == "contract" and not_null < drop, steps
    phase(a, p.steps, "expand")
    phase(a, p.steps, "backfill")
    with pytest.raises(Exception, match="(?i)unique|duplicate"):
        execute(a, ["INSERT INTO people (id, mail, nick) VALUES (2, 'a@x', 'b')"])
    execute(a, ["INSERT INTO people (id, mail, nick) VALUES (3, 'c@x', 'c')"])
    phase(a, p.steps, "contract")
    assert schemadrift.compare(a, b).in_sync
    assert query_rows(a, "SELECT id, email FROM persons ORDER BY id") == [(1, "a@x"), (3, "c@x")]


def test_a_new_constraint_under_a_name_the_old_table_holds(dialect, scratch):
    """TO changes ``ix_email`` from a plain index into a UNIQUE index and gives ``fk_team`` a
    cascade: both are new, and both names are held by the old table where names are schema-wide
    (PostgreSQL and SQLite indexes, MariaDB foreign keys). They are added in contract before the
    old table's drop under a temporary name, then renamed (PostgreSQL) or replaced after it; the
    plan ends in sync, rows kept."""
    a, b = scratch(), scratch()
    ref = "CONSTRAINT fk_team FOREIGN KEY (team_id) REFERENCES teams (id)"
    cols = "id INTEGER PRIMARY KEY, email VARCHAR(40), team_id INTEGER"
    execute(a, TEAMS + [f"CREATE TABLE people ({cols}, {ref})", "CREATE INDEX ix_email ON people (email)",
                        "INSERT INTO people (id, email, team_id) VALUES (1, 'a@x', 1), (2, 'b@x', 2)"])
    execute(b, TEAMS[:1] + [f"CREATE TABLE persons ({cols}, {ref} ON DELETE CASCADE)",
                            "CREATE UNIQUE INDEX ix_email ON persons (email)"])
    p = schemadrift.plan(schemadrift.compare(a, b, renames={"people": "persons"}))
    steps = summaries(p)
    drop = steps.index(("contract", "drop table people (renamed to persons)"))
    after = [s for _, s in steps[drop + 1:]]
    expected = {"postgresql": ["rename index ix_email__sdnew of persons to ix_email (its name is free now)"],
                "sqlite": ["replace index ix_email__sdnew of persons by ix_email "
                           "(after people frees the name)"],
                "mariadb": ["replace foreign key fk_team__sdnew of persons by fk_team "
                            "(after people frees the name)"]}[dialect]
    assert after == expected, steps
    phase(a, p.steps, "expand")
    phase(a, p.steps, "backfill")
    execute(a, ["INSERT INTO people (id, email, team_id) VALUES (3, 'a@x', 3)"])  # fine for old code
    execute(a, ["DELETE FROM persons WHERE id = 3"])  # new code fixes it before contract
    phase(a, p.steps, "contract")
    assert schemadrift.compare(a, b).in_sync
    on = ["PRAGMA foreign_keys = ON"] if dialect == "sqlite" else []
    execute(a, on + ["DELETE FROM teams WHERE id = 2"])
    assert query_rows(a, "SELECT id FROM persons ORDER BY id") == [(1,)]


def test_a_foreign_key_name_near_the_identifier_limit_round_trips(dialect, scratch):
    """The temporary name ``<name>__sdnew`` stays within the server's limit (MariaDB: 64
    characters, error 1059 before), cut with a hash of the whole name."""
    name = "fk_" + "t" * 58  # 61 characters
    a, b = scratch(), scratch()
    fk = f"CONSTRAINT {name} FOREIGN KEY (team_id) REFERENCES teams (id)"
    execute(a, TEAMS + [f"CREATE TABLE people (id INTEGER PRIMARY KEY, team_id INTEGER NOT NULL, {fk})",
                        "INSERT INTO people (id, team_id) VALUES (1, 1)"])
    execute(b, TEAMS[:1] + [f"CREATE TABLE persons (id INTEGER PRIMARY KEY, team_id INTEGER NOT NULL, {fk})"])
    p = schemadrift.plan(schemadrift.compare(a, b, renames={"people": "persons"}))
    for step in p.steps:
        assert not step.manual, step.summary
        execute(a, step.sql)
    assert schemadrift.compare(a, b).in_sync
    assert query_rows(a, "SELECT id, team_id FROM persons") == [(1, 1)]


def test_mariadb_copy_of_rows_that_point_at_later_rows_of_the_same_table():
    """A key to the table itself under the server's generated name is in the twin's CREATE TABLE:
    the copy writes a row before the one it points at (key order), which InnoDB would refuse
    row by row (1452); the copy step turns the session's checks off around itself."""
    from conftest import scratch_database

    with scratch_database("mariadb") as a, scratch_database("mariadb") as b:
        execute(a, ["CREATE TABLE n (id INT PRIMARY KEY, parent INT, "
                    "FOREIGN KEY (parent) REFERENCES n (id))", "INSERT INTO n VALUES (5, NULL), (1, 5)"])
        execute(b, ["CREATE TABLE m (id INT PRIMARY KEY, parent INT, "
                    "FOREIGN KEY (parent) REFERENCES m (id))"])
        p = schemadrift.plan(schemadrift.compare(a, b, renames={"n": "m"}))
        for step in p.steps:
            execute(a, step.sql)
        assert schemadrift.compare(a, b).in_sync
        assert query_rows(a, "SELECT id, parent FROM m ORDER BY id") == [(1, 5), (5, None)]
        copy = next(s for s in p.steps if s.summary.startswith("copy rows"))
        assert copy.sql[-1] == "SET SESSION foreign_key_checks = 1"
