"""Ordering: dependency edges from IR facts, deterministic Kahn sort, FK cycle breaking. No server."""
from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import pytest
from test_rules import FAKE, INT, TEXT, plan_of, schema, table

from schemadrift.errors import PlanError
from schemadrift.ir import Column, ColumnType, EnumType, ForeignKey, Index, IndexPart, Schema
from schemadrift.planner.model import Phase
from schemadrift.planner.order import cycles, edges, toposort


@dataclass(eq=False)
class D:
    """A minimal draft: what toposort needs."""

    summary: str
    phase: Phase = Phase.EXPAND
    creates: set = field(default_factory=set)
    drops: set = field(default_factory=set)
    needs_new: set = field(default_factory=set)
    needs_old: set = field(default_factory=set)
    follows: list = field(default_factory=list)

    def key(self):
        return (int(self.phase), self.summary)


def names(drafts) -> list[str]:
    return [d.summary for d in drafts]


def test_creator_before_user_even_against_the_tie_break():
    use = D("a: index on t.c", needs_new={("column", "t", "c")})
    make = D("b: add column t.c", creates={("column", "t", "c")})
    assert names(toposort([use, make], D.key)) == ["b: add column t.c", "a: index on t.c"]


def test_user_of_the_old_object_before_its_drop():
    drop_table = D("a: drop table t", Phase.CONTRACT, drops={("table", "t")})
    drop_fk = D("b: drop fk on u", Phase.CONTRACT, needs_old={("table", "t")})
    assert names(toposort([drop_table, drop_fk], D.key)) == ["b: drop fk on u", "a: drop table t"]


def test_drop_before_recreate_within_a_phase_but_temporary_objects_follow_phases():
    create = D("a: create index i", Phase.CONTRACT, creates={("index", "i")})
    drop = D("b: drop index i", Phase.CONTRACT, drops={("index", "i")})
    assert names(toposort([create, drop], D.key)) == ["b: drop index i", "a: create index i"]
    trigger = D("z: create trigger", Phase.EXPAND, creates={("trigger", "t")})
    untrigger = D("a: drop trigger", Phase.CONTRACT, drops={("trigger", "t")})
    assert names(toposort([untrigger, trigger], D.key)) == ["z: create trigger", "a: drop trigger"]


def test_phases_are_barriers_and_ties_break_by_key():
    steps = [D("c", Phase.CONTRACT), D("b", Phase.BACKFILL), D("a2"), D("a1")]
    assert names(toposort(steps, D.key)) == ["a1", "a2", "b", "c"]


def test_a_dependency_against_the_phases_is_an_error():
    late = D("late", Phase.CONTRACT, creates={("key", "t")})
    early = D("early", Phase.EXPAND, needs_new={("key", "t")})
    with pytest.raises(PlanError, match="depends on"):
        toposort([late, early], D.key)


def test_a_cycle_is_an_error_that_names_the_steps():
    a = D("a", creates={"x"}, needs_new={"y"})
    b = D("b", creates={"y"}, needs_new={"x"})
    with pytest.raises(PlanError, match="cycle among: a; b"):
        toposort([a, b], D.key)


def test_follows_is_an_explicit_edge():
    first = D("z")
    second = D("a", follows=[first])
    assert edges([first, second]) == {0: {1}, 1: set()}
    assert names(toposort([second, first], D.key)) == ["z", "a"]


def test_cycles_finds_components_but_not_self_references():
    graph = {"a": {"b"}, "b": {"a"}, "c": {"c"}, "d": {"e"}, "e": {"f"}, "f": {"d"}, "g": set()}
    assert cycles(graph, graph.__getitem__) == [frozenset("ab"), frozenset("def")]


def test_cycles_handles_deep_chains_without_recursion():
    n = 5000
    graph = {i: {i + 1} for i in range(n)}
    graph[n] = {0}
    assert cycles(graph, graph.__getitem__) == [frozenset(range(n + 1))]


# -- through the planner -------------------------------------------------------------------------
def fk(name, column, ref) -> ForeignKey:
    return ForeignKey(name, (column,), ref, ("id",))


def kinds(plan) -> list[tuple[str, str, str]]:
    return [(s.phase.label, s.ops[0].kind, s.ops[0].table.name if s.ops[0].table else "-")
            for s in plan.steps]


def test_referenced_table_is_created_before_the_table_that_references_it():
    a = schema()
    b = schema(table("a_child", Column("p", INT), foreign_keys=(fk("fk_c", "p", "z_parent"),)),
               table("z_parent"))
    assert kinds(plan_of(a, b)) == [("expand", "create_table", "z_parent"),
                                    ("expand", "create_table", "a_child")]


def test_mutual_foreign_keys_are_added_after_both_tables():
    a = schema()
    b = schema(table("a", Column("b_id", INT), foreign_keys=(fk("fk_ab", "b_id", "b"),)),
               table("b", Column("a_id", INT), foreign_keys=(fk("fk_ba", "a_id", "a"),)),
               table("c", Column("parent", INT), foreign_keys=(fk("fk_cc", "parent", "c"),)))
    p = plan_of(a, b)
    assert kinds(p) == [("expand", "create_table", "a"), ("expand", "create_table", "b"),
                        ("expand", "create_table", "c"), ("expand", "add_foreign_key", "a"),
                        ("expand", "add_foreign_key", "b")]
    created = {s.ops[0].table.name: s.ops[0].table for s in p.steps[:3]}
    assert created["a"].foreign_keys == () and created["b"].foreign_keys == ()
    assert created["c"].foreign_keys == (fk("fk_cc", "parent", "c"),)  # a self-reference stays inline


def test_mutually_referencing_tables_are_dropped_after_their_foreign_keys():
    a = schema(table("a", Column("b_id", INT), foreign_keys=(fk("fk_ab", "b_id", "b"),)),
               table("b", Column("a_id", INT), foreign_keys=(fk("fk_ba", "a_id", "a"),)))
    p = plan_of(a, schema())
    assert kinds(p) == [("contract", "drop_foreign_key", "a"), ("contract", "drop_foreign_key", "b"),
                        ("contract", "drop_table", "a"), ("contract", "drop_table", "b")]


def test_referencing_table_dropped_before_the_referenced_one():
    a = schema(table("a_parent"),
               table("z_child", Column("p", INT), foreign_keys=(fk("f", "p", "a_parent"),)))
    assert kinds(plan_of(a, schema())) == [("contract", "drop_table", "z_child"),
                                           ("contract", "drop_table", "a_parent")]


def test_fk_dropped_before_the_column_it_references_and_index_before_its_column():
    a = schema(table("t", Column("code", INT), Column("x", TEXT),
                     indexes=(Index("uq_code", (IndexPart("code"),), unique=True),
                              Index("ix_x", (IndexPart("x"),)))),
               table("u", Column("code", INT), foreign_keys=(ForeignKey("fk_u", ("code",), "t", ("code",)),)))
    b = schema(table("t"), table("u", Column("code", INT)))
    order = [(s.ops[0].kind, s.ops[0].table.name) for s in plan_of(a, b).steps]
    assert order.index(("drop_foreign_key", "u")) < order.index(("drop_index", "t"))
    assert order.index(("drop_index", "t")) < order.index(("drop_column", "t"))


def test_fk_to_a_key_added_in_contract_is_detached_from_a_new_table():
    uq = Index("uq_code", (IndexPart("code"),), unique=True, is_constraint=True)
    a = schema(table("t", Column("code", INT)))
    b = schema(table("t", Column("code", INT), indexes=(uq,)),
               table("u", Column("code", INT), foreign_keys=(ForeignKey("fk_u", ("code",), "t", ("code",)),)))
    p = plan_of(a, b)
    assert kinds(p) == [("expand", "create_table", "u"), ("contract", "create_index", "t"),
                        ("contract", "add_foreign_key", "u")]


def test_enum_type_before_the_column_that_uses_it_and_dropped_after():
    mood = EnumType("mood", ("ok",))
    a = schema(table("t", Column("old", ColumnType("feeling"))), enums=[EnumType("feeling", ("x",))])
    b = Schema("fake", tables=(table("t", Column("m", ColumnType("mood"))),), enums=(mood,))
    order = [s.ops[0].kind for s in plan_of(a, b).steps]
    assert order == ["create_enum", "add_column", "drop_column", "drop_enum"]


def test_output_does_not_depend_on_input_order():
    tables = [table("a", Column("b_id", INT), foreign_keys=(fk("fk_ab", "b_id", "b"),)),
              table("b", Column("x", TEXT), indexes=(Index("ix_b_x", (IndexPart("x"),)),)),
              table("c", Column("a_id", INT, nullable=False), foreign_keys=(fk("fk_ca", "a_id", "a"),))]
    outputs = {plan_of(schema(), schema(*perm)).to_json() for perm in itertools.permutations(tables)}
    assert len(outputs) == 1
    assert FAKE.name == "fake"
