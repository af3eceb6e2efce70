"""The differ on hand-built IR values (no server): (FROM, TO) → exactly the expected changes.

Table-driven, Atlas style. Each case is also run backwards (TO → FROM), where every add must
become a drop and every alter stay an alter on the same object.
"""
# ruff: noqa: E501  (one case per line reads better than wrapped tables)
from __future__ import annotations

import pytest

from schemadrift import changes as ch
from schemadrift.dialects import Dialect
from schemadrift.differ import diff, explain, match
from schemadrift.ir import (
    Check,
    Column,
    ColumnType,
    Default,
    EnumType,
    ForeignKey,
    Generated,
    Identity,
    Index,
    IndexPart,
    PrimaryKey,
    Schema,
    Table,
    replace,
)

INT, TEXT = ColumnType("integer", raw="integer"), ColumnType("text", raw="text")


def col(name: str, type_: ColumnType = INT, **kw) -> Column:
    return Column(name, type_, **kw)


def ix(name, *columns, **kw) -> Index:
    return Index(name, tuple(IndexPart(column=c) for c in columns), **kw)


def fk(name, columns, ref_table, ref_columns=("id",), **kw) -> ForeignKey:
    return ForeignKey(name, tuple(columns), ref_table, tuple(ref_columns), **kw)


def table(name="t", *extra_columns, **kw) -> Table:
    columns = (col("id", nullable=False), col("a"), col("b", TEXT)) + tuple(extra_columns)
    return Table(name, columns, kw.pop("primary_key", PrimaryKey(("id",), "t_pkey")), **kw)


def schema(*tables, enums=(), **kw) -> Schema:
    return Schema(None, tuple(tables), tuple(enums), **kw)


PARENT = Table("p", (col("id", nullable=False),), PrimaryKey(("id",), "p_pkey"))
BASE = table()


def with_table(**changes) -> Table:
    return replace(BASE, **changes)


def with_column(name, **changes) -> Table:
    return replace(BASE, columns=tuple(replace(c, **changes) if c.name == name else c for c in BASE.columns))


def T(*tables):
    return schema(PARENT, *tables)


A = "alter"
# (id, FROM, TO, expected [(kind, table, name, what)])
CASES = [
    ("identical", T(BASE), T(BASE), []),
    ("column order is not a change", T(BASE), T(with_table(columns=BASE.columns[::-1])), []),
    ("add table", T(), T(BASE), [("add_table", "t", "t", ())]),
    ("drop table", T(BASE), T(), [("drop_table", "t", "t", ())]),
    ("add column", T(BASE), T(table("t", col("c"))), [("add_column", "t", "c", ())]),
    ("drop column", T(table("t", col("c"))), T(BASE), [("drop_column", "t", "c", ())]),
    ("type", T(BASE), T(with_column("a", type=ColumnType("bigint"))), [("alter_column", "t", "a", ("type",))]),
    ("type args", T(with_column("a", type=ColumnType("varchar", (10,)))),
     T(with_column("a", type=ColumnType("varchar", (20,)))), [("alter_column", "t", "a", ("type",))]),
    ("raw spelling is not compared", T(with_column("a", type=ColumnType("integer", raw="int4"))),
     T(with_column("a", type=ColumnType("integer", raw="INTEGER"))), []),
    ("nullability", T(BASE), T(with_column("a", nullable=False)), [("alter_column", "t", "a", ("nullable",))]),
    ("default added", T(BASE), T(with_column("a", default=Default("0"))), [("alter_column", "t", "a", ("default",))]),
    ("default changed", T(with_column("a", default=Default("0"))), T(with_column("a", default=Default("1"))),
     [("alter_column", "t", "a", ("default",))]),
    ("default raw spelling is not compared", T(with_column("a", default=Default("0", raw="'0'::integer"))),
     T(with_column("a", default=Default("0", raw="0"))), []),
    ("identity", T(BASE), T(with_column("id", identity=Identity("by_default"))),
     [("alter_column", "t", "id", ("identity",))]),
    ("identity kind", T(with_column("id", identity=Identity("always"))),
     T(with_column("id", identity=Identity("by_default"))), [("alter_column", "t", "id", ("identity",))]),
    ("generated expression", T(with_column("a", generated=Generated("b + 1"))),
     T(with_column("a", generated=Generated("b + 2"))), [("alter_column", "t", "a", ("generated",))]),
    ("generated stored", T(with_column("a", generated=Generated("b + 1"))),
     T(with_column("a", generated=Generated("b + 1", stored=False))), [("alter_column", "t", "a", ("generated",))]),
    ("collation", T(BASE), T(with_column("b", collation="C")), [("alter_column", "t", "b", ("collation",))]),
    ("column comment", T(BASE), T(with_column("b", comment="x")), [("alter_column", "t", "b", ("comment",))]),
    ("several attributes at once", T(BASE), T(with_column("a", nullable=False, default=Default("1"), comment="c")),
     [("alter_column", "t", "a", ("nullable", "default", "comment"))]),
    ("table comment", T(BASE), T(with_table(comment="things")), [("alter_table", "t", "t", ("comment",))]),
    ("table options", T(BASE), T(with_table(options=(("engine", "Aria"),))), [("alter_table", "t", "t", ("options",))]),
    # primary keys
    ("add primary key", T(with_table(primary_key=None)), T(BASE), [("add_primary_key", "t", "t_pkey", ())]),
    ("drop primary key", T(BASE), T(with_table(primary_key=None)), [("drop_primary_key", "t", "t_pkey", ())]),
    ("primary key columns", T(BASE), T(with_table(primary_key=PrimaryKey(("id", "a"), "t_pkey"))),
     [("alter_primary_key", "t", "t_pkey", ("columns",))]),
    ("primary key renamed", T(BASE), T(with_table(primary_key=PrimaryKey(("id",), "pk_t"))),
     [("alter_primary_key", "t", "pk_t", ("name",))]),
    ("primary key name left to the database", T(BASE), T(with_table(primary_key=PrimaryKey(("id",)))), []),
    # indexes
    ("add index", T(BASE), T(with_table(indexes=(ix("ix_a", "a"),))), [("add_index", "t", "ix_a", ())]),
    ("drop index", T(with_table(indexes=(ix("ix_a", "a"),))), T(BASE), [("drop_index", "t", "ix_a", ())]),
    ("index columns", T(with_table(indexes=(ix("ix", "a"),))), T(with_table(indexes=(ix("ix", "a", "b"),))),
     [("alter_index", "t", "ix", ("parts",))]),
    ("index made unique", T(with_table(indexes=(ix("ix", "a"),))), T(with_table(indexes=(ix("ix", "a", unique=True),))),
     [("alter_index", "t", "ix", ("unique",))]),
    ("index predicate", T(with_table(indexes=(ix("ix", "a"),))),
     T(with_table(indexes=(ix("ix", "a", predicate="a > 0"),))), [("alter_index", "t", "ix", ("predicate",))]),
    ("index method", T(with_table(indexes=(ix("ix", "a"),))), T(with_table(indexes=(ix("ix", "a", method="hash"),))),
     [("alter_index", "t", "ix", ("method",))]),
    ("index include", T(with_table(indexes=(ix("ix", "a"),))), T(with_table(indexes=(ix("ix", "a", include=("b",)),))),
     [("alter_index", "t", "ix", ("include",))]),
    ("index nulls not distinct", T(with_table(indexes=(ix("ix", "a", unique=True),))),
     T(with_table(indexes=(ix("ix", "a", unique=True, nulls_not_distinct=True),))),
     [("alter_index", "t", "ix", ("nulls_not_distinct",))]),
    ("index descending part", T(with_table(indexes=(ix("ix", "a"),))),
     T(with_table(indexes=(Index("ix", (IndexPart(column="a", descending=True),)),))),
     [("alter_index", "t", "ix", ("parts",))]),
    ("index renamed is drop and add", T(with_table(indexes=(ix("ix_old", "a"),))),
     T(with_table(indexes=(ix("ix_new", "a"),))), [("drop_index", "t", "ix_old", ()), ("add_index", "t", "ix_new", ())]),
    ("index name left to the database", T(with_table(indexes=(ix("t_a_idx", "a"),))),
     T(with_table(indexes=(ix(None, "a"),))), []),
    ("implicit index on one side only", T(BASE), T(with_table(indexes=(ix("fk_x", "a", implicit=True),))), []),
    ("implicit index that follows its FK's columns", T(with_table(indexes=(ix("fk_x", "a", implicit=True),))),
     T(with_table(indexes=(ix("fk_x", "b", implicit=True),))), []),
    # unique constraints
    ("add unique", T(BASE), T(with_table(indexes=(ix("uq_a", "a", unique=True, is_constraint=True),))),
     [("add_unique", "t", "uq_a", ())]),
    ("drop unique", T(with_table(indexes=(ix("uq_a", "a", unique=True, is_constraint=True),))), T(BASE),
     [("drop_unique", "t", "uq_a", ())]),
    ("unique columns changed", T(with_table(indexes=(ix("uq", "a", unique=True, is_constraint=True),))),
     T(with_table(indexes=(ix("uq", "a", "b", unique=True, is_constraint=True),))),
     [("drop_unique", "t", "uq", ()), ("add_unique", "t", "uq", ())]),
    ("unique constraint becomes a unique index", T(with_table(indexes=(ix("uq", "a", unique=True, is_constraint=True),))),
     T(with_table(indexes=(ix("uq", "a", unique=True),))), [("drop_unique", "t", "uq", ()), ("add_index", "t", "uq", ())]),
    # foreign keys
    ("add foreign key", T(BASE), T(with_table(foreign_keys=(fk("fk_a", ["a"], "p"),))),
     [("add_foreign_key", "t", "fk_a", ())]),
    ("drop foreign key", T(with_table(foreign_keys=(fk("fk_a", ["a"], "p"),))), T(BASE),
     [("drop_foreign_key", "t", "fk_a", ())]),
    ("foreign key on delete", T(with_table(foreign_keys=(fk("fk_a", ["a"], "p"),))),
     T(with_table(foreign_keys=(fk("fk_a", ["a"], "p", on_delete="CASCADE"),))),
     [("alter_foreign_key", "t", "fk_a", ("on_delete",))]),
    ("foreign key on update and deferrable", T(with_table(foreign_keys=(fk("fk_a", ["a"], "p"),))),
     T(with_table(foreign_keys=(fk("fk_a", ["a"], "p", on_update="CASCADE", deferrable=True),))),
     [("alter_foreign_key", "t", "fk_a", ("on_update", "deferrable"))]),
    ("foreign key target", T(with_table(foreign_keys=(fk("fk_a", ["a"], "p"),))),
     T(with_table(foreign_keys=(fk("fk_a", ["a"], "t"),))), [("alter_foreign_key", "t", "fk_a", ("ref_table",))]),
    ("foreign key name left to the database", T(with_table(foreign_keys=(fk("t_a_fkey", ["a"], "p"),))),
     T(with_table(foreign_keys=(fk(None, ["a"], "p"),))), []),
    ("unnamed foreign key with another action is an alter", T(with_table(foreign_keys=(fk("t_a_fkey", ["a"], "p"),))),
     T(with_table(foreign_keys=(fk(None, ["a"], "p", on_delete="SET NULL"),))),
     [("alter_foreign_key", "t", "t_a_fkey", ("on_delete",))]),
    ("not validated is not a change", T(with_table(foreign_keys=(fk("fk_a", ["a"], "p"),))),
     T(with_table(foreign_keys=(fk("fk_a", ["a"], "p", validated=False),))), []),
    # checks
    ("add check", T(BASE), T(with_table(checks=(Check("ck", "a > 0"),))), [("add_check", "t", "ck", ())]),
    ("drop check", T(with_table(checks=(Check("ck", "a > 0"),))), T(BASE), [("drop_check", "t", "ck", ())]),
    ("check expression", T(with_table(checks=(Check("ck", "a > 0"),))), T(with_table(checks=(Check("ck", "a >= 0"),))),
     [("alter_check", "t", "ck", ("expr",))]),
    ("check name left to the database", T(with_table(checks=(Check("t_a_check", "a > 0"),))),
     T(with_table(checks=(Check(None, "a > 0"),))), []),
    ("check renamed is drop and add", T(with_table(checks=(Check("ck1", "a > 0"),))),
     T(with_table(checks=(Check("ck2", "a > 0"),))), [("drop_check", "t", "ck1", ()), ("add_check", "t", "ck2", ())]),
    # enums and schemas
    ("add enum", T(), schema(PARENT, enums=[EnumType("mood", ("a", "b"))]), [("add_enum", None, "mood", ())]),
    ("drop enum", schema(PARENT, enums=[EnumType("mood", ("a",))]), T(), [("drop_enum", None, "mood", ())]),
    ("enum value added", schema(PARENT, enums=[EnumType("mood", ("a",))]),
     schema(PARENT, enums=[EnumType("mood", ("a", "b"))]), [("alter_enum", None, "mood", ("values",))]),
    ("enum values reordered", schema(PARENT, enums=[EnumType("mood", ("a", "b"))]),
     schema(PARENT, enums=[EnumType("mood", ("b", "a"))]), [("alter_enum", None, "mood", ("values",))]),
    ("same table name in another schema", T(BASE), T(BASE, with_table(schema="app")), [("add_table", "t", "t", ())]),
    ("many at once, in a stable order", T(BASE), T(table("t", col("c")), table("u"),
                                                 replace(PARENT, comment="parents")),
     [("alter_table", "p", "p", ("comment",)), ("add_column", "t", "c", ()), ("add_table", "u", "u", ())]),
]


def keys(d) -> list[tuple]:
    return [(c.kind, c.table, c.name, c.what) for c in d.changes]


@pytest.mark.parametrize("a, b, expected", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_changes(a, b, expected):
    d = diff(a, b)
    assert sorted(keys(d), key=str) == sorted(expected, key=str), "\n".join(str(c.to_dict()) for c in d)
    assert d.in_sync == (not expected)
    assert diff(a, a).in_sync and diff(b, b).in_sync


MIRROR = {"add": "drop", "drop": "add", "alter": "alter"}


@pytest.mark.parametrize("a, b, expected", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_backwards_is_the_mirror_image(a, b, expected):
    forward, backward = diff(a, b), diff(b, a)
    mirrored = sorted((MIRROR[c.kind.split("_")[0]] + "_" + c.kind.split("_", 1)[1], c.table) for c in forward)
    assert sorted((c.kind, c.table) for c in backward) == mirrored


def test_order_is_deterministic_whatever_the_input_order():
    tables = [table("t", col("c")), table("u", col("d")), table("v")]
    a = T(*[replace(t, columns=t.columns[:3]) for t in tables[:2]])
    b1, b2 = T(*tables), T(*tables[::-1])
    assert keys(diff(a, b1)) == keys(diff(a, b2))
    assert [c.sort_key for c in diff(a, b1)] == sorted(c.sort_key for c in diff(a, b1))


def test_alter_reports_before_and_after_values():
    d = diff(T(with_column("a", type=ColumnType("varchar", (10,), raw="varchar(10)"))),
             T(with_column("a", type=ColumnType("varchar", (20,), raw="varchar(20)"), nullable=False)))
    (change,) = d.changes
    assert change.to_dict()["attributes"] == {
        "type": {"before": "varchar(10)", "after": "varchar(20)"},
        "nullable": {"before": True, "after": False}}


def test_to_dict_follows_the_contract():
    d = diff(T(BASE), T(BASE, with_table(schema="app", name="x")))
    out = d.to_dict()
    assert out["format"] == "schemadrift-diff/1" and out["in_sync"] is False
    (change,) = out["changes"]
    assert (change["kind"], change["table"], change["name"], change["schema"]) == ("add_table", "x", "x", "app")


def test_a_column_dropped_and_added_with_the_same_type_is_a_rename_candidate():
    a, b = T(table("t", col("old"))), T(table("t", col("new")))
    d = diff(a, b)
    assert keys(d) == [("add_column", "t", "new", ()), ("drop_column", "t", "old", ())]
    assert [(r.table, r.old, r.new) for r in d.rename_candidates] == [("t", "old", "new")]
    confirmed = diff(a, b, renames={"t.old": "new"})
    assert keys(confirmed) == [("rename_column", "t", "old", ())]
    assert confirmed.changes[0].to_dict()["to"] == "new"


def test_a_table_renamed_is_a_candidate_until_confirmed():
    a, b = T(table("t")), T(table("u"))
    d = diff(a, b)
    assert sorted(keys(d)) == [("add_table", "u", "u", ()), ("drop_table", "t", "t", ())]
    assert [(r.old, r.new) for r in d.rename_candidates] == [("t", "u")]
    assert keys(diff(a, b, renames={"t": "u"})) == [("rename_table", "t", "u", ())]


def test_a_rename_of_another_shape_is_no_candidate():
    d = diff(T(table("t", col("old"))), T(table("t", col("new", TEXT))))
    assert d.rename_candidates == ()


def test_what_a_source_cannot_record_is_not_compared():
    a = T(with_column("b", comment="x"))
    b = replace(T(BASE), unknown=frozenset({"comment"}))
    assert diff(a, b).in_sync
    assert diff(a, b).to_dict()["not_known_by_source"] == ["comment"]


def test_dialect_hooks_decide_equivalences():
    class FoldsCase(Dialect):
        def column_key(self, name):
            return name.lower()

        def same_type(self, a, b):
            return {a.name, b.name} <= {"integer", "int4"} or a == b

    a = T(table("t", col("Note")))
    b = T(table("t", col("note", ColumnType("int4"))))
    assert diff(a, b, dialect=FoldsCase()).in_sync
    assert keys(diff(a, b)) == [("add_column", "t", "note", ()), ("drop_column", "t", "Note", ())]


def test_object_names_match_by_the_dialects_name_key():
    class FoldsNames(Dialect):
        def name_key(self, name):
            return name.lower()

    a = T(with_table(checks=(Check("CK_A", "a > 0"),), indexes=(ix("IX_A", "a"),)))
    b = T(with_table(checks=(Check("ck_a", "a > 0"),), indexes=(ix("ix_a", "a"),)))
    assert diff(a, b, dialect=FoldsNames()).in_sync
    assert {k for k, *_ in keys(diff(a, b))} == {"add_check", "drop_check", "add_index", "drop_index"}


def test_match_pairs_by_name_then_definition():
    named, unnamed = Check("ck", "a > 0"), Check(None, "b > 0")
    pairs, only_a, only_b = match([named, unnamed], [Check(None, "a > 0"), Check("ck_b", "b > 0")],
                                  lambda c: c.expr)
    assert sorted((x.name or "", y.name or "") for x, y in pairs) == [("", "ck_b"), ("ck", "")]
    assert only_a == [] and only_b == []


def test_explain_names_what_differs():
    text = explain(with_column("a", nullable=False), BASE)
    assert "nullable" in text


def test_summary_counts_tables():
    d = diff(T(BASE), T(table("t", col("c")), table("u")))
    assert d.summary() == "2 changes: 1 table added, 1 table changed."
    assert diff(T(BASE), T(BASE)).summary() == "In sync: no differences."


def test_change_kinds_cover_the_contract():
    contract = {"add_table", "drop_table", "rename_table", "alter_table", "add_column", "drop_column",
                "rename_column", "alter_column", "add_primary_key", "drop_primary_key", "alter_primary_key",
                "add_index", "drop_index", "alter_index", "add_unique", "drop_unique", "add_foreign_key",
                "drop_foreign_key", "alter_foreign_key", "add_check", "drop_check", "alter_check",
                "add_enum", "drop_enum", "alter_enum"}
    # the JSON kinds are exactly the contract's: an exclusion constraint's changes are index changes
    assert {cls(table="t").public_kind for cls in ch.KINDS.values()} == contract
    assert set(ch.KINDS) - contract == {"add_exclusion", "drop_exclusion", "alter_exclusion"}
    assert ch.AddExclusion(table="t", name="x").to_dict()["kind"] == "add_index"
