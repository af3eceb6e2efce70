"""Objects the IR does not model (``Schema.dependents``) turn the steps they block into manual
steps that name them, and leave every other step as it was (no server: the fake dialect of
``test_rules``)."""
from __future__ import annotations

from dataclasses import replace

from test_rules import INT, TEXT, plan_of, table

from schemadrift.ir import Column, Dependent, EnumType, Index, IndexPart, Schema
from schemadrift.planner.model import HazardKind

VIEW = "view public.v"


def schema(*tables, enums=(), dependents=()) -> Schema:
    return Schema("fake", tuple(tables), tuple(enums), dependents=tuple(dependents))


def manual(plan) -> dict[str, str]:
    return {s.summary: next(h.message for h in s.hazards if h.kind is HazardKind.MANUAL)
            for s in plan.steps if s.manual}


def test_a_view_on_a_column_makes_its_drop_and_type_change_manual():
    a = schema(table("t", Column("a", INT), Column("b", INT), Column("c", INT)),
               dependents=[Dependent("table", "t", VIEW, column=c) for c in ("a", "b")])
    b = schema(table("t", Column("b", TEXT), Column("c", TEXT)))
    plan = plan_of(a, b)
    blocked = {(s.ops[0].kind, getattr(s.ops[0], "column", None) or s.ops[0].before): s for s in plan.steps
               if s.manual}
    assert {(kind, c.name) for kind, c in blocked} == {("drop_column", "a"), ("alter_column", "b")}
    assert all(VIEW in m for m in manual(plan).values())
    # the type change of c has no dependent: it stays automatic
    assert any(not s.manual and s.ops[0].kind == "alter_column" and s.ops[0].before.name == "c"
               for s in plan.steps)


def test_a_dependent_of_the_table_blocks_its_drop_but_not_its_own_objects():
    t = table("t", Column("a", INT))
    policy = Dependent("table", "t", "policy p on table t", column="a", on_self=True)
    assert manual(plan_of(schema(t, dependents=[policy]), schema())) == {}
    view = Dependent("table", "t", VIEW)
    assert list(manual(plan_of(schema(t, dependents=[view]), schema())).values()) == [
        f"objects schemadrift does not model are in the way: {VIEW} uses what this step drops or "
        "changes: drop it first, create it again after"]
    # a view on the whole table does not stop a column from being dropped
    assert manual(plan_of(schema(t, dependents=[view]), schema(table("t")))) == {}


def test_an_unmodelled_relation_holding_a_name_blocks_a_new_table_of_that_name():
    a = schema(dependents=[Dependent("relation", "data", "view public.data")])
    assert list(manual(plan_of(a, schema(table("data"))))) == [
        s.summary for s in plan_of(a, schema(table("data"))).steps]
    assert manual(plan_of(a, schema(table("other")))) == {}


def test_an_enum_a_view_uses_is_not_recreated_automatically():
    e = EnumType("mood", ("a", "b", "c"))
    t = table("t", Column("m", replace(INT, name="mood")))
    a = schema(t, enums=[e], dependents=[Dependent("enum", "mood", VIEW)])
    b = schema(t, enums=[replace(e, values=("a", "b"))])
    assert len(manual(plan_of(a, b))) == 1
    assert manual(plan_of(replace(a, dependents=()), b)) == {}


def test_no_dependents_no_manual_step():
    a = schema(table("t", Column("a", INT)))
    assert not any(s.manual for s in plan_of(a, schema()).steps)


def test_what_a_new_object_needs_and_from_lacks_makes_its_step_manual():
    needs = [Dependent("needs", "t", "function public.gen()", column="a"),
             Dependent("needs", "t", "extension pg_trgm")]
    a = schema(table("t", Column("b", INT)))
    b = replace(schema(table("t", Column("a", INT), Column("b", INT),
                             indexes=(Index("ix", (IndexPart("b"),)),)), dependents=needs))
    blocked = manual(plan_of(a, b))
    assert sorted(blocked) == sorted(s.summary for s in plan_of(a, b).steps
                                     if s.ops[0].kind in ("add_column", "create_index"))
    assert any("needs function public.gen(), which FROM lacks" in m for m in blocked.values())
    # FROM has them (listed as not compared): nothing is in the way
    has = replace(a, not_compared=("extension pg_trgm", "function public.gen()"))
    assert manual(plan_of(has, b)) == {}
    # and FROM's own needs never block dropping what needs them
    assert manual(plan_of(replace(b, not_compared=()), replace(a, dependents=()))) == {}


def test_a_partition_constraint_on_an_attached_index_blocks_dropping_that_index():
    t = table("t", Column("a", INT), indexes=(Index("ix", (IndexPart("a"),), unique=True),))
    pk = Dependent("index", "t", "constraint t_1_pkey on public.t_1", column="ix")
    blocked = manual(plan_of(schema(t, dependents=[pk]), schema(table("t", Column("a", INT)))))
    assert len(blocked) == 1 and "constraint t_1_pkey" in next(iter(blocked.values()))
    other = replace(pk, column="other_ix")
    assert manual(plan_of(schema(t, dependents=[other]), schema(table("t", Column("a", INT))))) == {}


def test_a_step_that_needs_what_a_held_back_step_creates_is_held_back_too():
    from schemadrift.ir import ForeignKey
    parent = table("p")
    child = table("c", Column("pid", INT), foreign_keys=(ForeignKey("fk", ("pid",), "p", ("id",)),))
    other = table("o")
    b = schema(parent, child, other, dependents=[Dependent("needs", "p", "domain public.d")])
    plan = plan_of(schema(), b)
    held = manual(plan)
    assert {s.ops[0].table.name for s in plan.steps if s.manual} >= {"p", "c"}
    assert any("waits for a step they hold back" in m for m in held.values())
    assert not any(s.manual for s in plan.steps if s.ops[0].table.name == "o")
