"""Which constraints of a renamed table's new version are new relative to the old table
(``planner.names.fresh``): compared by definition, names aside, the old columns read through the
copy's column mapping. Without a server."""
from __future__ import annotations

from schemadrift.dialects.base import Dialect
from schemadrift.ir import Check, Column, ColumnType, ForeignKey, Index, IndexPart, PrimaryKey, Table
from schemadrift.planner.names import fresh

INT = ColumnType("integer")
D = Dialect()


def table(name: str, cols: list[str], **kw) -> Table:
    return Table(name, tuple(Column(c, INT) for c in cols), primary_key=PrimaryKey(None, ("id",)), **kw)


def unique(name: str, *cols: str, constraint: bool = True) -> Index:
    return Index(name, tuple(IndexPart(c) for c in cols), unique=True, is_constraint=constraint)


def fk(name: str, col: str, ref: str, on_delete: str = "NO ACTION") -> ForeignKey:
    return ForeignKey(name, (col,), ref, ("id",), on_delete=on_delete)


def test_kept_constraints_match_through_renamed_columns_and_any_name():
    old = table("people", ["id", "mail", "team"], indexes=(unique("uq_mail", "mail"),),
                foreign_keys=(fk("fk_team", "team", "teams"),), checks=(Check("ck", "id > 0"),))
    new = table("persons", ["id", "email", "team"],
                indexes=(unique("other_name", "email", constraint=False),),
                foreign_keys=(fk("fk_persons_team", "team", "teams"),), checks=(Check("ck2", "id > 0"),))
    pairs = (("id", "id"), ("email", "mail"), ("team", "team"))
    assert fresh(D, old, new, pairs) == []


def test_new_or_changed_definitions_are_fresh():
    old = table("people", ["id", "mail", "team"], indexes=(Index("ix", (IndexPart("mail"),)),),
                foreign_keys=(fk("fk_team", "team", "teams"),))
    changed_fk = fk("fk_team", "team", "teams", on_delete="CASCADE")
    new = table("persons", ["id", "mail", "team", "age"],
                indexes=(unique("ix", "mail", constraint=False), Index("ix2", (IndexPart("age"),))),
                foreign_keys=(changed_fk,), checks=(Check("ck_age", "age > 0"),))
    pairs = (("id", "id"), ("mail", "mail"), ("team", "team"))
    got = fresh(D, old, new, pairs)
    # the plain index ix2 restricts nothing: never fresh
    assert got == [unique("ix", "mail", constraint=False), Check("ck_age", "age > 0"), changed_fk]


def test_a_unique_on_a_column_the_copy_does_not_fill_is_fresh():
    old = table("people", ["id", "a"], indexes=(unique("uq", "a"),))
    new = table("persons", ["id", "a"], indexes=(unique("uq", "a"),))
    assert fresh(D, old, new, (("id", "id"),)) == [unique("uq", "a")]


def test_a_foreign_key_to_the_table_itself_points_at_the_new_one():
    old = table("people", ["id", "boss"], foreign_keys=(fk("fk_boss", "boss", "people"),))
    new = table("persons", ["id", "boss"], foreign_keys=(fk("fk_boss", "boss", "persons"),))
    pairs = (("id", "id"), ("boss", "boss"))
    assert fresh(D, old, new, pairs) == []
    other = table("persons", ["id", "boss"], foreign_keys=(fk("fk_boss", "boss", "people"),))
    assert fresh(D, old, other, pairs) == [fk("fk_boss", "boss", "people")]
