"""PostgreSQL exclusion constraints on the real server: introspected into ``Table.exclusions``
(no longer "not compared"), compared, planned and applied with rows in place; read from
SQLAlchemy ``ExcludeConstraint`` models; a gist constraint on a scalar column needs
``btree_gist``, which a plan cannot create."""
from __future__ import annotations

from dataclasses import replace

import sqlalchemy as sa
from conftest import execute, scratch_database
from sqlalchemy.dialects.postgresql import TSTZRANGE, ExcludeConstraint

import schemadrift

TABLE = "CREATE TABLE r (id integer PRIMARY KEY, room integer, during tstzrange, \"Na me\" text)"
ROWS = ("INSERT INTO r VALUES (1, 1, '[2026-01-01, 2026-01-02)', 'a'), "
        "(2, 1, '[2026-01-02, 2026-01-03)', 'b')")


def _definitions(url: str) -> dict[str, str]:
    eng = sa.create_engine(url)
    try:
        with eng.connect() as c:
            return dict(c.exec_driver_sql(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE contype = 'x'").all())
    finally:
        eng.dispose()


def _count(url: str) -> int:
    eng = sa.create_engine(url)
    try:
        with eng.connect() as c:
            return c.exec_driver_sql("SELECT count(*) FROM r").scalar_one()
    finally:
        eng.dispose()


def _apply(a: str, b: str):
    plan = schemadrift.plan(schemadrift.compare(a, b))
    for step in plan.steps:
        assert not step.manual, step.summary
        execute(a, step.sql)
    assert schemadrift.compare(a, b).in_sync
    return plan


def test_introspected_and_no_longer_listed_as_not_compared():
    with scratch_database("postgresql") as a:
        execute(a, [TABLE, 'ALTER TABLE r ADD CONSTRAINT "ex ""1" EXCLUDE USING gist (during WITH &&) '
                           "WHERE (room > 0) DEFERRABLE INITIALLY DEFERRED"])
        s = schemadrift.load(a)
        (x,) = s.table("r").exclusions
        assert (x.name, x.method, x.predicate, x.deferrable, x.initially_deferred) == \
            ('ex "1', "gist", "room > 0", True, True)
        assert [(e.column, e.operator) for e in x.elements] == [("during", "&&")]
        assert x.raw.startswith("EXCLUDE USING gist") and s.table("r").indexes == ()
        assert not any("exclusion" in item for item in s.not_compared)


def test_compare_reports_drift_when_only_the_operator_changes():
    with scratch_database("postgresql") as a, scratch_database("postgresql") as b:
        execute(a, [TABLE, "ALTER TABLE r ADD CONSTRAINT ex EXCLUDE USING gist (during WITH &&)"])
        execute(b, [TABLE, "ALTER TABLE r ADD CONSTRAINT ex EXCLUDE USING gist (during WITH -|-)"])
        d = schemadrift.compare(a, b)
        assert [(c.kind, c.name, c.what) for c in d] == [("alter_exclusion", "ex", ("elements",))]


def test_plan_adds_drops_and_changes_them_with_rows_in_place():
    with scratch_database("postgresql") as a, scratch_database("postgresql") as b:
        execute(a, [TABLE, ROWS,
                    'ALTER TABLE r ADD CONSTRAINT "ex ""1" EXCLUDE USING gist (during WITH &&)',
                    "ALTER TABLE r ADD CONSTRAINT gone EXCLUDE USING btree (id WITH =)"])
        execute(b, [TABLE,
                    'ALTER TABLE r ADD CONSTRAINT "ex ""1" EXCLUDE USING gist (during WITH -|-) '
                    "WHERE (room > 5)",
                    'ALTER TABLE r ADD CONSTRAINT "new ""one""" EXCLUDE USING btree (lower("Na me") WITH =)',
                    "CREATE TABLE s (span int4range, "
                    "CONSTRAINT s_no_overlap EXCLUDE USING gist (span WITH &&))"])
        plan = _apply(a, b)
        assert _count(a) == 2
        assert _definitions(a) == _definitions(b)
        adds = [s for s in plan.steps if s.ops[0].kind == "add_exclusion"]
        assert adds and all(s.phase.label == "contract" and s.reversible for s in adds)
        assert all({"blocking_lock", "validation_scan"} <= {h.kind.value for h in s.hazards} for s in adds)
        # the new table is created with its constraint, in expand
        (create,) = [s for s in plan.steps if s.ops[0].kind == "create_table"]
        assert create.phase.label == "expand" and "EXCLUDE USING gist" in create.sql[-1]


def test_rollback_of_a_dropped_one_adds_it_again():
    with scratch_database("postgresql") as a, scratch_database("postgresql") as b:
        execute(a, [TABLE, ROWS, "ALTER TABLE r ADD CONSTRAINT ex EXCLUDE USING gist (during WITH &&)"])
        execute(b, [TABLE])
        before = _definitions(a)
        (step,) = schemadrift.plan(schemadrift.compare(a, b)).steps
        execute(a, step.sql)
        assert _definitions(a) == {}
        execute(a, step.rollback)
        assert _definitions(a) == before


def _models(operator: str) -> sa.MetaData:
    md = sa.MetaData()
    sa.Table("r", md, sa.Column("id", sa.Integer, primary_key=True), sa.Column("room", sa.Integer),
             sa.Column("during", TSTZRANGE),
             ExcludeConstraint(("during", operator), name="ex", using="gist", where=sa.text("room > 0")))
    return md


def test_models_with_an_exclude_constraint_load_into_the_same_ir():
    with scratch_database("postgresql") as a:
        eng = sa.create_engine(a)
        _models("&&").create_all(eng)
        eng.dispose()
        assert schemadrift.compare(a, _models("&&")).in_sync
        d = schemadrift.compare(a, _models("-|-"))
        assert [(c.kind, c.name, c.what) for c in d] == [("alter_exclusion", "ex", ("elements",))]
        (x,) = schemadrift.load(_models("&&"), dialect="postgresql").table("r").exclusions
        assert (x.method, x.predicate, [(e.column, e.operator) for e in x.elements]) == \
            ("gist", "room > 0", [("during", "&&")])


def test_a_gist_constraint_that_needs_btree_gist_is_manual_where_from_lacks_it():
    with scratch_database("postgresql") as a, scratch_database("postgresql") as b:
        execute(a, [TABLE])
        execute(b, ["CREATE EXTENSION btree_gist", TABLE,
                    "ALTER TABLE r ADD CONSTRAINT ex EXCLUDE USING gist (room WITH =, during WITH &&)"])
        (step,) = schemadrift.plan(schemadrift.compare(a, b)).steps
        assert step.manual and "extension btree_gist" in step.to_dict()["hazards"][-1]["message"]
        execute(a, ["CREATE EXTENSION btree_gist"])  # once FROM has it, the plan applies
        _apply(a, b)


def test_renamed_table_keeps_its_exclusion_constraint_name():
    """The new table builds it under a temporary name (the old table's index holds the name in
    the schema until contract), then renames it: TO's name, with every row copied."""
    with scratch_database("postgresql") as a, scratch_database("postgresql") as b:
        execute(a, [TABLE, 'ALTER TABLE r ADD CONSTRAINT "no overlap" EXCLUDE USING gist (during WITH &&)',
                    ROWS])
        execute(b, [TABLE.replace("TABLE r", "TABLE bookings"),
                    'ALTER TABLE bookings ADD CONSTRAINT "no overlap" EXCLUDE USING gist (during WITH &&)'])
        plan = schemadrift.plan(schemadrift.diff(schemadrift.load(a), schemadrift.load(b),
                                                 renames={"r": "bookings"}))
        assert any("rename exclusion constraint" in s.summary or "RENAME CONSTRAINT" in " ".join(s.sql)
                   for s in plan.steps)
        for step in plan.steps:
            assert not step.manual, step.summary
            execute(a, step.sql)
        assert schemadrift.compare(a, b).in_sync
        assert list(_definitions(a)) == ["no overlap"]
        eng = sa.create_engine(a)
        with eng.connect() as c:
            assert c.exec_driver_sql("SELECT count(*) FROM bookings").scalar_one() == 2
        eng.dispose()


def test_text_report_shows_the_definition_and_json_uses_the_contract_kind():
    with scratch_database("postgresql") as a, scratch_database("postgresql") as b:
        execute(a, [TABLE])
        execute(b, [TABLE, "ALTER TABLE r ADD CONSTRAINT no_overlap EXCLUDE USING gist (during WITH &&)"])
        from schemadrift import output
        d = schemadrift.compare(a, b)
        text = output.render_diff(d, "text")
        assert "exclusion constraint no_overlap EXCLUDE USING gist (during WITH &&)" in text
        assert [c["kind"] for c in d.to_dict()["changes"]] == ["add_index"]


LONG = "booking_" + "x" * 52  # 60 bytes: the server cuts it to fit <table>_<columns>_excl in 63


def _unnamed_models() -> schemadrift.Schema:
    """Unnamed exclusion constraints: on a column, on an expression (named after its function),
    repeated elements, and INCLUDE (not in SQLAlchemy's ExcludeConstraint: set on the IR)."""
    md = sa.MetaData()
    for name in ("t", LONG):
        sa.Table(name, md, sa.Column("id", sa.Integer, primary_key=True), sa.Column("note", sa.Text),
                 sa.Column("room", sa.Integer), sa.Column("during", TSTZRANGE),
                 ExcludeConstraint(("room", "="), using="btree"),
                 ExcludeConstraint((sa.func.lower(sa.column("note")), "="), ("room", "="), using="btree"),
                 ExcludeConstraint((sa.func.lower(sa.column("note")), "="),
                                   (sa.func.lower(sa.column("note")), "="), using="btree"),
                 ExcludeConstraint(("during", "&&")))
    s = schemadrift.load(md, dialect="postgresql")
    tables = []
    for t in s.tables:
        assert all(x.name is None for x in t.exclusions)
        tables.append(replace(t, exclusions=tuple(replace(x, include=("room",)) if x.columns == ("during",)
                                                  else x for x in t.exclusions)))
    return replace(s, tables=tuple(tables))


def test_unnamed_exclusions_from_models_are_dropped_and_added_under_the_servers_names():
    """The server names an unnamed one ``<table>_<element names>_excl``: an expression after its
    function, a repeated name numbered, INCLUDE columns too, the longer part cut to 63 bytes."""
    models = _unnamed_models()
    bare = ["CREATE TABLE t (id serial PRIMARY KEY, note text, room integer, during tstzrange)",
            f"CREATE TABLE {LONG} (id serial PRIMARY KEY, note text, room integer, during tstzrange)"]
    with scratch_database("postgresql") as a, scratch_database("postgresql") as b:
        _apply(a, models)  # created by a plan: CREATE TABLE leaves the names to the server
        names = set(_definitions(a))
        assert {"t_room_excl", "t_lower_room_excl", "t_lower_lower1_excl", "t_during_room_excl"} <= names
        assert len(names) == 8 and all(len(n.encode()) <= 63 for n in names)
        execute(b, bare)
        plan = schemadrift.plan(schemadrift.compare(models, b))
        assert len(plan.steps) == 8
        for step in plan.steps:  # each drop names the constraint as the server did
            execute(a, step.sql)
        assert _definitions(a) == {} and schemadrift.compare(a, b).in_sync
        _apply(a, models)  # added back one by one: the same names as CREATE TABLE gave them
        assert set(_definitions(a)) == names
