"""Exclusion constraints (PostgreSQL ``EXCLUDE USING …``) on hand-built IR, without a server:
the differ's add / drop / alter, the snapshot round trip, the planner's steps and their order,
hazards and rollback, and what a missing operator class (``btree_gist``) does to a plan."""
from __future__ import annotations

from dataclasses import replace

from test_rules import FAKE, INT, TEXT, plan_of, schema, shape, table

from schemadrift import changes as ch
from schemadrift import snapshot
from schemadrift.dialects import get
from schemadrift.differ import diff
from schemadrift.ir import Column, ColumnType, Dependent, Exclusion, ExclusionElement
from schemadrift.planner import make_plan
from schemadrift.planner.model import HazardKind

RANGE = ColumnType("tstzrange")
PG = get("postgresql")


def ex(name, *elements, **kw) -> Exclusion:
    """``ex("x", ("room", "="), ("during", "&&"))``"""
    return Exclusion(name, tuple(ExclusionElement(column=c, operator=op) for c, op in elements), **kw)


BOOKING = ex("no_overlap", ("room", "="), ("during", "&&"))


def rooms(*exclusions, during=RANGE) -> object:
    return table("rooms", Column("room", INT), Column("during", during), exclusions=tuple(exclusions))


def kinds(a, b) -> list[tuple[str, str, tuple]]:
    return [(c.kind, c.name, c.what) for c in diff(a, b, dialect=FAKE)]


# -- differ ------------------------------------------------------------------------------------
def test_an_added_or_dropped_exclusion_is_a_change():
    assert kinds(schema(rooms()), schema(rooms(BOOKING))) == [("add_exclusion", "no_overlap", ())]
    assert kinds(schema(rooms(BOOKING)), schema(rooms())) == [("drop_exclusion", "no_overlap", ())]


def test_only_the_operator_changed_is_an_alter_of_the_elements():
    other = ex("no_overlap", ("room", "="), ("during", "-|-"))
    changes = list(diff(schema(rooms(BOOKING)), schema(rooms(other)), dialect=FAKE))
    assert [(c.kind, c.what) for c in changes] == [("alter_exclusion", ("elements",))]
    attrs = changes[0].to_dict()["attributes"]["elements"]
    assert attrs["before"][1]["operator"] == "&&" and attrs["after"][1]["operator"] == "-|-"


def test_each_compared_attribute_is_named_in_the_alter():
    after = replace(BOOKING, method="spgist", predicate="room > 0", include=("room",), deferrable=True,
                    initially_deferred=True)
    assert kinds(schema(rooms(BOOKING)), schema(rooms(after))) == [(
        "alter_exclusion", "no_overlap",
        ("method", "predicate", "include", "deferrable", "initially_deferred"))]


def test_the_servers_text_is_not_compared_and_a_database_chosen_name_matches_by_definition():
    spelled = replace(BOOKING, raw="EXCLUDE USING gist (room WITH =, during WITH &&)")
    assert diff(schema(rooms(BOOKING)), schema(rooms(spelled)), dialect=FAKE).in_sync
    unnamed = replace(BOOKING, name=None)  # a model that leaves the name to the server
    assert diff(schema(rooms(BOOKING)), schema(rooms(unnamed)), dialect=FAKE).in_sync


def test_a_source_that_cannot_record_them_compares_none():
    assert diff(schema(rooms(BOOKING)), replace(schema(rooms()), unknown=frozenset({"exclusions"})),
                dialect=FAKE).in_sync


def test_a_renamed_exclusion_with_the_same_definition_is_drop_and_add():
    renamed = replace(BOOKING, name="other")
    assert sorted(kinds(schema(rooms(BOOKING)), schema(rooms(renamed)))) == [
        ("add_exclusion", "other", ()), ("drop_exclusion", "no_overlap", ())]


def test_change_kinds_and_snapshot_round_trip():
    assert {"add_exclusion", "drop_exclusion", "alter_exclusion"} <= set(ch.KINDS)
    full = ex("x", ("during", "&&"), method="gist", predicate="room > 0", include=("room",),
              deferrable=True, raw="EXCLUDE USING gist (during WITH &&) INCLUDE (room) WHERE (room > 0) "
                                   "DEFERRABLE")
    expr = Exclusion("y", (ExclusionElement(expr="lower(b)", operator="=", opclass="text_ops",
                                            collation="C", descending=True, nulls="last"),))
    s = replace(schema(rooms(full, expr)), dialect="postgresql")
    back = snapshot.from_json(snapshot.to_json(s))
    assert back == s and back.tables[0].exclusions[0].raw == full.raw
    # a table without any keeps its snapshot as before: no "exclusions" key
    assert "exclusions" not in snapshot.to_dict(schema(rooms()))["tables"][0]


# -- planner (the fake dialect of test_rules) ----------------------------------------------------
def test_added_exclusion_is_a_contract_step_that_scans():
    p = plan_of(schema(rooms()), schema(rooms(BOOKING)))
    assert shape(p) == [("contract", ("add_exclusion",), ("validation_scan",))]


def test_dropped_exclusion_is_a_contract_step_and_alter_is_drop_then_add():
    assert shape(plan_of(schema(rooms(BOOKING)), schema(rooms()))) == [
        ("contract", ("drop_exclusion",), ())]
    other = ex("no_overlap", ("room", "="), ("during", "-|-"))
    p = plan_of(schema(rooms(BOOKING)), schema(rooms(other)))
    assert [(s.ops[0].kind, s.ops[0].exclusion) for s in p.steps] == [
        ("drop_exclusion", BOOKING), ("add_exclusion", other)]


def test_a_new_table_creates_its_exclusion_with_it():
    p = plan_of(schema(), schema(rooms(BOOKING)))
    assert shape(p) == [("expand", ("create_table",), ())]
    assert p.steps[0].ops[0].table.exclusions == (BOOKING,)


def test_exclusion_on_new_columns_comes_after_them():
    a = schema(table("rooms"))
    p = plan_of(a, schema(rooms(BOOKING)))
    kinds_in_order = [s.ops[0].kind for s in p.steps]
    assert kinds_in_order.index("add_exclusion") > max(
        i for i, k in enumerate(kinds_in_order) if k == "add_column")


def test_dropped_exclusion_goes_before_the_column_it_uses():
    a = schema(rooms(BOOKING))
    b = schema(table("rooms", Column("room", INT)))
    order = [(s.ops[0].kind, getattr(s.ops[0], "column", None)) for s in plan_of(a, b).steps]
    assert [k for k, _ in order] == ["drop_exclusion", "drop_column"]


def test_exclusions_wait_around_a_type_change_of_a_column_they_use():
    """Drop the old one before the type changes (its operator class fits the old type), add the
    new one after (it needs the new type)."""
    old = ex("ex", ("during", "&&"))
    new = ex("ex2", ("during", "="))
    a = schema(rooms(old))
    b = schema(rooms(new, during=TEXT))
    order = [s.ops[0].kind for s in plan_of(a, b).steps]
    assert order.index("drop_exclusion") < order.index("alter_column") < order.index("add_exclusion")


def test_a_missing_operator_class_extension_makes_the_add_manual():
    a = schema(rooms())
    b = replace(schema(rooms(BOOKING)), dependents=(Dependent("needs", "rooms", "extension btree_gist"),))
    p = plan_of(a, b)
    (step,) = p.steps
    assert step.manual and any("extension btree_gist" in h.message for h in step.hazards
                               if h.kind is HazardKind.MANUAL)


# -- PostgreSQL rendering (no server needed) -----------------------------------------------------
def pg_plan(a, b):
    a, b = replace(a, dialect="postgresql"), replace(b, dialect="postgresql")
    return make_plan(diff(a, b, dialect=PG), dialect=PG)


def test_postgresql_renders_from_parts_with_quoted_names_and_hazards():
    hostile = Exclusion('ex "1', (ExclusionElement(column='Ro"om', operator="="),
                                  ExclusionElement(expr="lower(b)", operator="<>", opclass="text_ops")),
                        method="btree", predicate="b <> ''", deferrable=True, initially_deferred=True)
    t = table("rooms", Column('Ro"om', INT), Column("b", TEXT))
    p = pg_plan(schema(t), schema(replace(t, exclusions=(hostile,))))
    (step,) = p.steps
    assert step.sql[-1] == ('ALTER TABLE "rooms" ADD CONSTRAINT "ex ""1" EXCLUDE USING btree '
                            '("Ro""om" WITH =, (lower(b)) text_ops WITH <>) WHERE (b <> \'\') '
                            "DEFERRABLE INITIALLY DEFERRED")
    assert {h.kind.value for h in step.hazards} == {"blocking_lock", "index_build", "validation_scan"}
    assert step.reversible and step.rollback[-1] == 'ALTER TABLE "rooms" DROP CONSTRAINT "ex ""1"'


def test_postgresql_uses_the_servers_text_and_rolls_a_drop_back_with_the_add():
    raw = "EXCLUDE USING gist (room WITH =, during WITH &&)"
    spelled = replace(BOOKING, raw=raw)
    p = pg_plan(schema(rooms(spelled)), schema(rooms()))
    (step,) = p.steps
    assert step.sql[-1] == 'ALTER TABLE "rooms" DROP CONSTRAINT "no_overlap"'
    assert step.reversible and step.rollback[-1] == f'ALTER TABLE "rooms" ADD CONSTRAINT "no_overlap" {raw}'
    create = pg_plan(schema(), schema(rooms(spelled))).steps[0].sql[-1]
    assert f'CONSTRAINT "no_overlap" {raw}' in create


def test_json_definition_always_shows_the_method_and_each_operator():
    """``room WITH =`` and ``USING gist`` are the defaults of the IR's fields, which a snapshot
    leaves out; a change's definition (and an alter's elements) shows them all the same."""
    d = diff(schema(rooms()), schema(rooms(BOOKING)), dialect=FAKE)
    (added,) = d.to_dict()["changes"]
    assert added["definition"]["method"] == "gist"
    assert added["definition"]["elements"] == [{"column": "room", "operator": "="},
                                               {"column": "during", "operator": "&&"}]
    other = ex("no_overlap", ("room", "="), ("during", "-|-"))
    (alter,) = diff(schema(rooms(BOOKING)), schema(rooms(other)), dialect=FAKE).to_dict()["changes"]
    assert alter["attributes"]["elements"]["after"][0] == {"column": "room", "operator": "="}
    # the snapshot format is unchanged: defaults stay out
    (x,) = snapshot.to_dict(schema(rooms(BOOKING)))["tables"][0]["exclusions"]
    assert "method" not in x and x["elements"][0] == {"column": "room"}


def test_postgresql_names_an_unnamed_one_as_the_server_does():
    def name(table, *elements, include=()):
        x = Exclusion(None, tuple(ExclusionElement(column=c) if c.isidentifier() else ExclusionElement(expr=c)
                                  for c in elements), include=include)
        return PG._exclusion_name(table, x)

    assert name(table("t"), "lower(note)") == "t_lower_excl"
    assert name(table("t"), "room", "lower(note)", "lower(note)", include=("during",)) == \
        "t_room_lower_lower1_during_excl"
    assert name(table("t"), "note || 'x'", "cast(a + 1 as bigint)", "(a + 1)::double precision",
                "trim(leading 'x' from note)", 'public."Up"(note)', "case when a then b end") == \
        "t_expr_int8_float8_ltrim_Up_case_excl"
    assert name(table("t" * 60), "room") == "t" * 53 + "_room_excl"  # the longer part is cut
    assert name(table("ü" * 40), "room") == "ü" * 26 + "_room_excl"  # whole characters only
