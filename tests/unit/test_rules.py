"""The planner's rules on hand-built IR, without a server: change → steps (phases, ops, hazards,
manual, reversible), rendered by a tiny fake dialect that prints ops as readable strings."""
from __future__ import annotations

import pytest

from schemadrift.dialects.base import Dialect
from schemadrift.differ import diff
from schemadrift.errors import PlanError
from schemadrift.ir import (
    Check,
    Column,
    ColumnType,
    Default,
    EnumType,
    ForeignKey,
    Index,
    IndexPart,
    PrimaryKey,
    Schema,
    Table,
)
from schemadrift.planner import make_plan
from schemadrift.planner.model import Hazard, HazardKind, Phase

H = HazardKind
INT, TEXT = ColumnType("integer"), ColumnType("text")


def varchar(n: int) -> ColumnType:
    return ColumnType("varchar", (n,))


class FakeDialect(Dialect):
    """Renders each op as ``kind table detail``; a varchar widening is cheap, any other type
    change rewrites; drops cannot be rolled back; ops that lock ask for a session setting."""

    name = "fake"

    def render(self, op):
        table = op.table.qualified_name if op.table is not None else "-"
        return [f"{op.kind} {table} {_detail(op)}".rstrip()]

    def hazards(self, op):
        if op.kind == "alter_column" and "type" in op.what:
            a, b = op.before.type, op.after.type
            if not (a.name == b.name == "varchar" and b.args[0] >= a.args[0]):
                return [Hazard(H.TABLE_REWRITE, "fake: the table is rewritten")]
        return []

    def session_settings(self, op):
        return ["SET fake_lock_timeout"] if op.kind in ("alter_column", "add_foreign_key") else []

    def transactional(self, op):
        return op.kind != "create_index"

    def render_rollback(self, op):
        if op.kind.startswith("drop") or op.kind == "replace_enum":
            return None
        return [f"undo {self.render(op)[0]}"]


def _detail(op) -> str:
    if op.kind == "fill_column":
        return f"{op.column.name} {op.expr}"
    for attr in ("column", "index", "foreign_key", "check", "primary_key", "enum"):
        value = getattr(op, attr, None)
        if value is not None:
            return getattr(value, "name", None) or ",".join(getattr(value, "columns", ()))
    if op.kind == "alter_column":
        return f"{op.after.name} {','.join(sorted(op.what))}"
    return ""


FAKE = FakeDialect()


def table(name: str, *columns: Column, pk=("id",), **kw) -> Table:
    cols = (Column("id", INT, nullable=False),) + columns if "id" in pk else columns
    return Table(name, columns=cols, primary_key=PrimaryKey(pk) if pk else None, **kw)


def schema(*tables: Table, enums=()) -> Schema:
    return Schema("fake", tables=tables, enums=tuple(enums))


def plan_of(a: Schema, b: Schema, renames=None, **options):
    return make_plan(diff(a, b, renames=renames, dialect=FAKE), dialect=FAKE, **options)


def shape(plan) -> list[tuple[str, tuple[str, ...], tuple[str, ...]]]:
    """(phase, op kinds, hazard kinds) of each step."""
    return [(s.phase.label, tuple(op.kind for op in s.ops), tuple(h.kind.value for h in s.hazards))
            for s in plan.steps]


def test_equal_schemas_give_an_empty_plan():
    s = schema(table("users", Column("name", TEXT)))
    p = plan_of(s, s)
    assert p.steps == () and p.to_dict()["steps"] == []


def test_new_not_null_column_without_default_is_add_nullable_manual_backfill_set_not_null():
    a = schema(table("users"))
    b = schema(table("users", Column("email", TEXT, nullable=False)))
    p = plan_of(a, b)
    assert shape(p) == [
        ("expand", ("add_column",), ()),
        ("backfill", ("fill_column",), ("manual",)),
        ("contract", ("alter_column",), ("validation_scan", "backward_incompatible")),
    ]
    add, fill, not_null = p.steps
    assert add.ops[0].column.nullable is True
    assert fill.manual and "TODO" in fill.sql[0] and fill.sql[0].startswith("fill_column users email NULL")
    assert "-- MANUAL: fill_column" in p.to_sql()
    assert not_null.ops[0].what == frozenset({"nullable"}) and not_null.ops[0].after.nullable is False
    assert not_null.sql[0] == "SET fake_lock_timeout"


def test_backfill_value_option_replaces_the_manual_step():
    a = schema(table("users"))
    b = schema(table("users", Column("email", TEXT, nullable=False)))
    p = plan_of(a, b, backfill_values={"users.email": "'x@example.com'"})
    fill = p.steps[1]
    assert not fill.manual and fill.hazards == ()
    assert fill.sql == ("fill_column users email 'x@example.com'",)
    assert p.steps[2].sql[1:] == ("fill_column users email 'x@example.com'",
                                  "alter_column users email nullable")


def test_not_null_column_with_default_is_added_directly_in_expand():
    a = schema(table("users"))
    b = schema(table("users", Column("status", TEXT, nullable=False, default=Default("'new'"))))
    p = plan_of(a, b)
    assert shape(p) == [("expand", ("add_column",), ())]
    assert p.steps[0].ops[0].column.nullable is False


def test_existing_column_becoming_not_null_with_a_default_is_filled_from_it():
    a = schema(table("users", Column("status", TEXT)))
    b = schema(table("users", Column("status", TEXT, nullable=False, default=Default("'new'"))))
    p = plan_of(a, b)
    assert shape(p) == [
        ("expand", ("alter_column",), ()),
        ("backfill", ("fill_column",), ()),
        # the fill again first: old code may have written NULLs since the backfill
        ("contract", ("fill_column", "alter_column"), ("validation_scan", "backward_incompatible")),
    ]
    assert p.steps[0].ops[0].what == frozenset({"default"})
    assert p.steps[1].ops[0].expr == "'new'"


def test_confirmed_rename_is_add_sync_copy_drop_never_a_rename():
    a = schema(table("users", Column("name", TEXT)))
    b = schema(table("users", Column("full_name", TEXT)))
    p = plan_of(a, b, renames={"users.name": "full_name"})
    assert shape(p) == [
        ("expand", ("add_column",), ()),
        ("expand", ("create_sync_trigger",), ()),
        ("backfill", ("copy_column",), ()),
        ("contract", ("drop_sync_trigger", "drop_column"),
         ("data_loss", "backward_incompatible", "irreversible")),
    ]
    assert not any("rename" in s for step in p.steps for s in step.sql)


def test_rename_of_a_not_null_column_relaxes_the_old_one_without_before_triggers():
    a = schema(table("users", Column("name", TEXT, nullable=False)))
    b = schema(table("users", Column("full_name", TEXT, nullable=False)))
    p = plan_of(a, b, renames={"users.name": "full_name"})
    assert [(s.phase.label, s.summary) for s in p.steps] == [
        ("expand", "add column users.full_name (rename of name)"),
        ("expand", "allow NULL in users.name during its rename"),
        ("expand", "create triggers that keep users.name and full_name in sync"),
        ("backfill", "copy users.name into full_name"),
        ("contract", "set users.full_name NOT NULL"),
        ("contract", "drop the sync triggers and the old column users.name"),
    ]

    class WithBeforeTriggers(FakeDialect):
        BEFORE_TRIGGER_SETS_NEW = True
    d = WithBeforeTriggers()
    p2 = make_plan(diff(a, b, renames={"users.name": "full_name"}, dialect=d), dialect=d)
    assert "allow NULL in users.name during its rename" not in [s.summary for s in p2.steps]


def test_rename_table_is_create_copy_drop():
    a = schema(table("people", Column("name", TEXT)))
    b = schema(table("persons", Column("name", TEXT)))
    p = plan_of(a, b, renames={"people": "persons"})
    assert shape(p) == [
        ("expand", ("create_table",), ()),
        ("backfill", ("copy_rows",), ()),
        ("contract", ("drop_table",), ("data_loss", "backward_incompatible", "irreversible")),
    ]
    copy = p.steps[1].ops[0]
    assert copy.source.name == "people" and copy.table.name == "persons"
    assert copy.columns == (("id", "id"), ("name", "name"))


def test_drops_are_contract_with_data_loss_and_irreversible():
    a = schema(table("users", Column("bio", TEXT)), table("old"))
    b = schema(table("users"))
    p = plan_of(a, b)
    assert shape(p) == [
        ("contract", ("drop_column",), ("data_loss", "backward_incompatible", "irreversible")),
        ("contract", ("drop_table",), ("data_loss", "backward_incompatible", "irreversible")),
    ]
    assert all(not s.reversible and s.rollback == () for s in p.steps)


def test_type_widening_is_expand_and_narrowing_is_contract_with_data_loss():
    a = schema(table("users", Column("name", varchar(20)), Column("code", varchar(20))))
    b = schema(table("users", Column("name", varchar(40)), Column("code", varchar(10))))
    p = plan_of(a, b)
    by_column = {s.ops[0].after.name: s for s in p.steps}
    assert by_column["name"].phase == Phase.EXPAND and by_column["name"].hazards == ()
    assert by_column["code"].phase == Phase.CONTRACT
    assert [h.kind for h in by_column["code"].hazards] == [H.DATA_LOSS, H.TABLE_REWRITE, H.BLOCKING_LOCK]
    # one hazard per kind: the dialect's fact first, then the neutral one
    assert by_column["code"].hazards[1].message == (
        "fake: the table is rewritten; changing the type of users.code from varchar to varchar "
        "may rewrite users")


def test_type_change_the_dialect_says_rewrites_goes_to_contract_without_data_loss():
    a = schema(table("users", Column("n", INT)))
    b = schema(table("users", Column("n", ColumnType("bigint"))))
    p = plan_of(a, b)
    assert shape(p) == [("contract", ("alter_column",), ("table_rewrite", "blocking_lock"))]


def test_add_index_is_expand_and_unique_constraint_is_contract():
    ix = Index("ix_users_name", (IndexPart("name"),))
    uq = Index("uq_users_email", (IndexPart("email"),), unique=True, is_constraint=True)
    a = schema(table("users", Column("name", TEXT), Column("email", TEXT)))
    b = schema(table("users", Column("name", TEXT), Column("email", TEXT), indexes=(ix, uq)))
    p = plan_of(a, b)
    assert shape(p) == [
        ("expand", ("create_index",), ("index_build",)),
        ("contract", ("create_index",), ("index_build", "validation_scan")),
    ]
    assert p.steps[0].transactional is False


def test_constraints_on_existing_tables_are_contract_with_validation_scan():
    fk = ForeignKey("fk_posts_user", ("user_id",), "users", ("id",))
    ck = Check("ck_posts_n", "n > 0")
    a = schema(table("users"), table("posts", Column("user_id", INT), Column("n", INT)))
    b = schema(table("users"), table("posts", Column("user_id", INT), Column("n", INT),
                                     foreign_keys=(fk,), checks=(ck,)))
    p = plan_of(a, b)
    assert shape(p) == [
        ("contract", ("add_check",), ("validation_scan",)),
        ("contract", ("add_foreign_key",), ("validation_scan",)),
    ]
    # a session setting is the first statement of its own step
    assert p.steps[1].sql[0] == "SET fake_lock_timeout"


def test_new_table_comes_with_its_constraints_and_then_its_indexes():
    fk = ForeignKey("fk_posts_user", ("user_id",), "users", ("id",))
    ix = Index("ix_posts_user", (IndexPart("user_id"),))
    a = schema(table("users"))
    b = schema(table("users"), table("posts", Column("user_id", INT), foreign_keys=(fk,), indexes=(ix,)))
    p = plan_of(a, b)
    assert shape(p) == [("expand", ("create_table",), ()), ("expand", ("create_index",), ())]
    assert p.steps[0].ops[0].table.foreign_keys == (fk,) and p.steps[0].ops[0].table.indexes == ()


def test_enum_value_added_is_expand_removed_is_contract_replace():
    a = schema(enums=[EnumType("mood", ("sad", "ok"))])
    b = schema(enums=[EnumType("mood", ("sad", "meh", "ok", "happy"))])
    p = plan_of(a, b)
    assert shape(p) == [("expand", ("add_enum_value", "add_enum_value"), ())]
    first, second = p.steps[0].ops
    assert (first.value, first.after, second.value, second.after) == ("meh", "sad", "happy", "ok")
    p2 = plan_of(b, a)
    assert shape(p2) == [("contract", ("replace_enum",), ("blocking_lock", "backward_incompatible"))]


def test_rollback_is_the_reverse_of_each_reversible_step():
    a = schema(table("users"))
    b = schema(table("users", Column("email", TEXT), Column("code", varchar(4)),
                     indexes=(Index("ix_users_email", (IndexPart("email"),)),)))
    p = plan_of(a, b)
    assert all(s.reversible for s in p.steps)
    assert p.steps[0].rollback == ("undo add_column users code",)
    script = p.to_rollback_sql()
    assert script.index("undo create_index") < script.index("undo add_column users email")


def test_self_check_raises_when_the_plan_does_not_reach_to(monkeypatch):
    from schemadrift.planner import rules
    a = schema(table("users"))
    b = schema(table("users", Column("email", TEXT)))
    monkeypatch.setattr(rules.Rules, "add_column", lambda self, c: [])
    with pytest.raises(PlanError, match="add_column users email"):
        plan_of(a, b)


def test_planning_is_deterministic():
    a = schema(table("users", Column("name", TEXT, nullable=False)), table("t2"))
    b = schema(table("users", Column("full_name", TEXT, nullable=False), Column("n", INT, nullable=False)),
               table("t3", Column("x", INT)))
    outputs = {plan_of(a, b, renames={"users.name": "full_name"}).to_json() for _ in range(3)}
    assert len(outputs) == 1


def test_generation_expression_change_drops_and_adds_the_column():
    from schemadrift.ir import Generated
    a = schema(table("t", Column("n", INT), Column("g", INT, generated=Generated("n * 2"))))
    b = schema(table("t", Column("n", INT), Column("g", INT, generated=Generated("n * 3"))))
    p = plan_of(a, b)
    assert shape(p) == [("contract", ("drop_column", "add_column"), ("table_rewrite", "blocking_lock"))]
    assert p.steps[0].ops[1].column.generated.expr == "n * 3"


def test_implicit_fk_index_is_created_before_the_index_the_fk_used_is_dropped():
    fk = ForeignKey("fk_o_c", ("c_id",), "c", ("id",))
    used = Index("ix_o_c_id", (IndexPart("c_id"), IndexPart("id")))
    implicit = Index("fk_o_c", (IndexPart("c_id"),), implicit=True)
    a = schema(table("c"), table("o", Column("c_id", INT), foreign_keys=(fk,), indexes=(used,)))
    b = schema(table("c"), table("o", Column("c_id", INT), foreign_keys=(fk,), indexes=(implicit,)))
    p = plan_of(a, b)
    assert [(s.phase.label, s.ops[0].kind, s.ops[0].index.name) for s in p.steps] == [
        ("expand", "create_index", "fk_o_c"), ("contract", "drop_index", "ix_o_c_id")]
    # an implicit index FROM did not need (no index of the FK dropped) is left to the server
    c = schema(table("c"), table("o", Column("c_id", INT), foreign_keys=(fk,), indexes=(used, implicit)))
    assert [s.ops[0].kind for s in plan_of(c, b).steps] == ["drop_index"]


def test_an_index_taking_the_name_of_a_dropped_unique_constraint_waits_for_the_drop():
    uq = Index("k_email", (IndexPart("email"),), unique=True, is_constraint=True)
    ix = Index("k_email", (IndexPart("email"),))
    a = schema(table("users", Column("email", TEXT), indexes=(uq,)))
    b = schema(table("users", Column("email", TEXT), indexes=(ix,)))
    assert shape(plan_of(a, b)) == [("contract", ("drop_index",), ()),
                                    ("contract", ("create_index",), ("index_build",))]


def test_merged_hazards_keep_every_distinct_message_of_a_kind():
    """One hazard per kind (the JSON shape), its distinct messages joined in the order given
    (dialect facts first), duplicates once; kinds in the fixed order of HazardKind."""
    from schemadrift.planner import _merge
    dialect = [Hazard(H.BACKWARD_INCOMPATIBLE, "triggers trg are dropped"),
               Hazard(H.TABLE_REWRITE, "rebuilt")]
    neutral = [Hazard(H.DATA_LOSS, "values deleted"),
               Hazard(H.BACKWARD_INCOMPATIBLE, "old code that reads t.a fails"),
               Hazard(H.BACKWARD_INCOMPATIBLE, "triggers trg are dropped")]
    assert _merge(dialect, neutral) == (
        Hazard(H.DATA_LOSS, "values deleted"), Hazard(H.TABLE_REWRITE, "rebuilt"),
        Hazard(H.BACKWARD_INCOMPATIBLE, "triggers trg are dropped; old code that reads t.a fails"))
