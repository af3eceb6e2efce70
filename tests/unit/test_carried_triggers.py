"""A renamed table's user triggers, on hand-built IR with the fake dialect of ``test_rules``:
the dialect rewrites each (or refuses), the planner creates it in contract after the old table's
drop and after the new table's own contract steps, in the old order, and the drop's hazard names
only those left behind."""
from __future__ import annotations

from dataclasses import replace

from test_rules import TEXT, FakeDialect, schema, shape, table

from schemadrift.differ import diff
from schemadrift.ir import Column
from schemadrift.planner import make_plan


class Carrying(FakeDialect):
    """Carries a trigger whose text names no column the new table drops or renames."""

    TABLE_SYNC = TABLE_SYNC_BACK = True

    def carried_trigger(self, schema, old, new, trigger, columns):
        gone = [c.name for c in old.columns if columns.get(c.name) != c.name]
        return None if any(g in trigger[1] for g in gone) else f"{trigger[1]} -> {new.name}"


class OneWay(Carrying):
    TABLE_SYNC_BACK = False


TRIGGERS = (("z_audit", "audit id"), ("a_more", "more id"), ("uses_name", "log name"))
PEOPLE = replace(schema(table("people", Column("name", TEXT), Column("nick", TEXT), triggers=TRIGGERS)),
                 not_compared=tuple(f"trigger {n} on people" for n, _ in TRIGGERS))
PERSONS = schema(table("persons", Column("full_name", TEXT), Column("nick", TEXT, nullable=False)))
RENAMES = {"people": "persons", "people.name": "full_name"}


def plan_with(d, a, b, renames):
    return make_plan(diff(a, b, renames=renames, dialect=d), dialect=d)


def test_carried_triggers_come_after_the_drop_in_their_order():
    p = plan_with(Carrying(), PEOPLE, PERSONS, RENAMES)
    assert ("contract", ("alter_column",), ("validation_scan", "backward_incompatible")) in shape(p)
    assert shape(p)[-3:] == [
        ("contract", ("drop_table",), ("data_loss", "backward_incompatible", "irreversible")),
        ("contract", ("create_trigger",), ()),
        ("contract", ("create_trigger",), ()),
    ]
    assert [(s.ops[0].name, s.ops[0].sql) for s in p.steps[-2:]] == [
        ("z_audit", "audit id -> persons"), ("a_more", "more id -> persons")]
    use = next(h.message for h in p.steps[-3].hazards if h.kind.value == "backward_incompatible")
    assert "(uses_name)" in use and "z_audit" not in use and "a_more" not in use


def test_one_way_sync_says_new_codes_writes_miss_the_trigger_until_contract():
    p = plan_with(OneWay(), PEOPLE, PERSONS, RENAMES)
    carried = [s for s in p.steps if s.ops[0].kind == "create_trigger"]
    assert len(carried) == 2 and all(
        "do not fire trigger" in next(h.message for h in s.hazards) for s in carried)


def test_without_a_dialect_rewrite_nothing_is_carried():
    p = plan_with(FakeDialect(), PEOPLE, PERSONS, RENAMES)
    assert not any(s.ops[0].kind == "create_trigger" for s in p.steps)
    use = next(h.message for h in p.steps[-1].hazards if h.kind.value == "backward_incompatible")
    assert "(z_audit, a_more, uses_name)" in use
