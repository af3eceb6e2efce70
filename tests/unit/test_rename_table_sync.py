"""The rename-table window's sync triggers, on hand-built IR with the fake dialect of
``test_rules``: where they go, which key they use, which direction, what the drop then says."""
from __future__ import annotations

from test_rules import INT, TEXT, FakeDialect, schema, shape, table

from schemadrift.differ import diff
from schemadrift.ir import Column, Default, ForeignKey, Index, IndexPart
from schemadrift.planner import make_plan


class BothWays(FakeDialect):
    TABLE_SYNC = TABLE_SYNC_BACK = True


class OneWay(FakeDialect):
    TABLE_SYNC = True


def plan_with(d, a, b, renames, **options):
    return make_plan(diff(a, b, renames=renames, dialect=d), dialect=d, **options)


PEOPLE = schema(table("people", Column("name", TEXT)))
PERSONS = schema(table("persons", Column("name", TEXT)))


def test_triggers_open_before_the_copy_and_close_before_the_drop():
    p = plan_with(BothWays(), PEOPLE, PERSONS, {"people": "persons"})
    assert shape(p) == [
        ("expand", ("create_table",), ()),
        ("expand", ("create_table_sync",), ()),
        ("backfill", ("copy_rows",), ()),
        ("contract", ("drop_table_sync",), ()),
        ("contract", ("drop_table",), ("data_loss", "backward_incompatible", "irreversible")),
    ]
    sync, copy = p.steps[1].ops[0], p.steps[2].ops[0]
    assert (sync.source.name, sync.table.name, sync.key, sync.back) == \
        ("people", "persons", (("id", "id"),), True)
    assert sync.columns == copy.columns == (("id", "id"), ("name", "name"))
    assert copy.key == (("id", "id"),)
    assert p.steps[1].reversible and p.steps[1].rollback == ("undo create_table_sync persons",)
    loss = next(h.message for h in p.steps[4].hazards if h.kind.value == "data_loss")
    assert "live on in persons" in loss and "after the copy" not in loss


def test_one_way_sync_says_that_old_code_does_not_see_new_rows():
    p = plan_with(OneWay(), PEOPLE, PERSONS, {"people": "persons"})
    sync = p.steps[1]
    assert sync.ops[0].back is False
    assert [(h.kind.value, "old code does not see them" in h.message) for h in sync.hazards] == \
        [("backward_incompatible", True)]


def test_no_sync_without_the_dialect_or_a_key():
    assert "create_table_sync" not in {op.kind for s in plan_with(
        FakeDialect(), PEOPLE, PERSONS, {"people": "persons"}).steps for op in s.ops}
    a = schema(table("logs", Column("at", INT), pk=()))
    b = schema(table("events", Column("at", INT), pk=()))
    p = plan_with(BothWays(), a, b, {"logs": "events"})
    assert shape(p) == [("expand", ("create_table",), ()), ("backfill", ("copy_rows",), ()),
                        ("contract", ("drop_table",), ("data_loss", "backward_incompatible", "irreversible"))]
    assert p.steps[1].ops[0].key == ()
    assert "rows written to logs after the copy are lost" in \
        next(h.message for h in p.steps[2].hazards if h.kind.value == "data_loss")


def test_the_key_may_be_a_unique_not_null_constraint_of_renamed_columns():
    unique = Index("uq", (IndexPart("code"),), unique=True, is_constraint=True)
    a = schema(table("tags", Column("code", TEXT, nullable=False), Column("n", INT), pk=(),
                     indexes=(unique,)))
    b = schema(table("labels", Column("label", TEXT, nullable=False), Column("n", INT), pk=(),
                     indexes=(Index("uq_l", (IndexPart("label"),), unique=True, is_constraint=True),)))
    p = plan_with(BothWays(), a, b, {"tags": "labels", "tags.code": "label"})
    assert p.steps[1].ops[0].key == (("label", "code"),)
    # a nullable unique column finds no row for sure: no sync
    loose = schema(table("tags", Column("code", TEXT), pk=(), indexes=(unique,)))
    p = plan_with(BothWays(), loose, schema(table("labels", Column("code", TEXT), pk=(), indexes=(
        Index("uq_l", (IndexPart("code"),), unique=True, is_constraint=True),))), {"tags": "labels"})
    assert "create_table_sync" not in {op.kind for s in p.steps for op in s.ops}


def test_no_sync_for_a_table_that_references_itself():
    """A mirrored row could name a parent the copy has not brought yet: old code's insert
    would fail on the new table's foreign key."""
    def tree(name):
        fk = ForeignKey(f"fk_{name}", ("parent",), name, ("id",))
        return schema(table(name, Column("parent", INT), foreign_keys=(fk,)))
    p = plan_with(BothWays(), tree("nodes"), tree("items"), {"nodes": "items"})
    assert "create_table_sync" not in {op.kind for s in p.steps for op in s.ops}


def test_no_way_back_when_old_code_needs_a_column_new_code_does_not_write():
    a = schema(table("people", Column("name", TEXT), Column("code", TEXT, nullable=False)))
    p = plan_with(BothWays(), a, PERSONS, {"people": "persons"})
    assert p.steps[1].ops[0].back is False
    with_default = schema(table("people", Column("name", TEXT),
                                Column("code", TEXT, nullable=False, default=Default("'x'", "literal"))))
    assert plan_with(BothWays(), with_default, PERSONS, {"people": "persons"}).steps[1].ops[0].back is True
    retyped = schema(table("persons", Column("name", INT)))
    assert plan_with(BothWays(), PEOPLE, retyped, {"people": "persons"}).steps[1].ops[0].back is False
    # new code may leave a column NULL (nullable in TO, or during the window) that old code cannot
    strict = schema(table("people", Column("name", TEXT, nullable=False)))
    assert plan_with(BothWays(), strict, PERSONS, {"people": "persons"}).steps[1].ops[0].back is False


def test_a_loosened_column_is_set_not_null_after_the_triggers_are_gone():
    b = schema(table("persons", Column("name", TEXT), Column("email", TEXT, nullable=False)))
    p = plan_with(BothWays(), PEOPLE, b, {"people": "persons"}, backfill_values={"persons.email": "'x'"})
    order = [s.summary for s in p.steps]
    unsync = order.index("drop the triggers that copy the writes of people into persons and back")
    assert unsync < order.index("fill what is still NULL in persons.email and set persons.email NOT NULL")
