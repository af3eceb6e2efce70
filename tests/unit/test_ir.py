"""The IR: equality ignores the no-compare fields; the snapshot JSON round-trips and is stable."""
import json

import pytest

from schemadrift import ir, snapshot
from schemadrift.errors import SourceError


def _schema(**table_kw) -> ir.Schema:
    cols = (ir.Column("id", ir.ColumnType("integer", raw="int4"), nullable=False),
            ir.Column("name", ir.ColumnType("varchar", (20,), raw="character varying(20)"),
                      default=ir.Default("'x'", raw="'x'::character varying"), comment="the name"))
    table = ir.Table("users", cols, primary_key=ir.PrimaryKey(("id",), "users_pkey"),
                     indexes=(ir.Index("ix_name", (ir.IndexPart(column="name", descending=True),),
                                       predicate="name IS NOT NULL"),),
                     foreign_keys=(ir.ForeignKey("fk", ("id",), "other", ("id",), on_delete="CASCADE"),),
                     checks=(ir.Check("ck", "id > 0"),), comment="people", options=(("k", "v"),),
                     **table_kw)
    return ir.Schema("postgresql", (table,), enums=(ir.EnumType("mood", ("a", "b")),),
                     not_compared=("view public.v",), server_version="15.2")


def test_raw_spellings_do_not_count_as_differences():
    a = ir.ColumnType("integer", raw="int4")
    b = ir.ColumnType("integer", raw="INTEGER")
    assert a == b
    assert ir.Default("'x'", raw="'x'::text") == ir.Default("'x'", raw="'x'")
    assert ir.ColumnType("integer") != ir.ColumnType("bigint")


def test_not_compared_and_version_do_not_count():
    s = _schema()
    assert s == ir.replace(s, not_compared=(), server_version=None)


def test_snapshot_round_trip_is_equal_and_keeps_raw_spellings():
    s = _schema()
    back = snapshot.from_json(snapshot.to_json(s))
    assert back == s
    assert back.tables[0].columns[0].type.raw == "int4"
    assert back.not_compared == ("view public.v",)


def test_snapshot_keeps_false_and_zero_values():
    s = _schema()
    col = s.tables[0].columns[0]
    assert col.nullable is False
    assert snapshot.from_json(snapshot.to_json(s)).tables[0].columns[0].nullable is False


def test_snapshot_text_is_stable_whatever_the_table_order():
    t1 = ir.Table("a")
    t2 = ir.Table("b", schema="x")
    t3 = ir.Table("c")
    one = snapshot.to_json(ir.Schema("sqlite", (t1, t2, t3)))
    two = snapshot.to_json(ir.Schema("sqlite", (t3, t2, t1)))
    assert one == two
    assert json.loads(one)["format"] == "schemadrift/1"


@pytest.mark.parametrize("fmt, message", [
    ("schemadrift/2", "newer"),
    ("something/1", "not a schemadrift snapshot"),
])
def test_snapshot_format_is_checked(fmt, message):
    with pytest.raises(SourceError, match=message):
        snapshot.from_dict({"format": fmt, "dialect": "sqlite"})


def test_snapshot_rejects_unknown_fields():
    with pytest.raises(SourceError, match="unknown Table field"):
        snapshot.from_dict({"format": "schemadrift/1", "dialect": "sqlite",
                            "tables": [{"name": "t", "colour": "red"}]})


def test_models_compare_only_the_namespaces_they_declare():
    from schemadrift.sources import only_declared_namespaces
    live = ir.Schema("postgresql", (ir.Table("a"), ir.Table("b", schema="audit"), ir.Table("c", schema="x")),
                     enums=(ir.EnumType("e", ("v",), schema="x"),))
    models = ir.Schema("postgresql", (ir.Table("a"), ir.Table("b", schema="audit")))
    kept = only_declared_namespaces(live, models)
    assert [t.qualified_name for t in kept.tables] == ["a", "audit.b"]
    assert kept.enums == ()
    empty = only_declared_namespaces(live, ir.Schema("postgresql"))
    assert [t.qualified_name for t in empty.tables] == ["a"]


def test_a_partial_index_predicate_given_as_plain_text_is_read():
    import sqlalchemy as sa

    from schemadrift import dialects
    from schemadrift.models import load_metadata
    md = sa.MetaData()
    t = sa.Table("t", md, sa.Column("id", sa.Integer, primary_key=True), sa.Column("d", sa.Integer))
    sa.Index("ix_live", t.c.id, postgresql_where="d IS NULL")  # as MetaData.reflect() gives it
    index = load_metadata(md, dialects.get("postgresql")).tables[0].indexes[0]
    assert index.predicate is not None
    assert "d is null" in index.predicate.lower().replace("(", "").replace(")", "")


def test_index_nulls_order_in_snapshots_absent_means_the_default():
    part = ir.IndexPart(column="n", nulls="first")
    s = ir.Schema("postgresql", (ir.Table("t", indexes=(
        ir.Index("ix_n", (part, ir.IndexPart(column="m", descending=True))),)),))
    text = snapshot.to_json(s)
    assert snapshot.from_json(text) == s
    parts = json.loads(text)["tables"][0]["indexes"][0]["parts"]
    assert parts == [{"column": "n", "nulls": "first"}, {"column": "m", "descending": True}]
    # a schemadrift/1 snapshot written before the field existed reads as the server's default
    old = snapshot.from_dict({"format": "schemadrift/1", "dialect": "postgresql", "tables": [
        {"name": "t", "indexes": [{"name": "ix", "parts": [{"column": "n"}]}]}]})
    assert old.tables[0].indexes[0].parts[0].nulls is None


@pytest.mark.parametrize("name", ["sqlite", "mariadb", "mysql"])
def test_models_nulls_order_where_an_index_cannot_store_it(name):
    """SQLite ("unsupported use of NULLS FIRST") and MariaDB/MySQL (a syntax error) have no
    NULLS FIRST/LAST in CREATE INDEX. SQLite models are created in memory, so the server's own
    error is reported; MySQL models are compiled, and what the server cannot hold is not compared."""
    import sqlalchemy as sa

    from schemadrift import dialects
    from schemadrift.models import load_metadata
    md = sa.MetaData()
    t = sa.Table("t", md, sa.Column("id", sa.Integer, primary_key=True), sa.Column("d", sa.Integer))
    sa.Index("ix", t.c.d.nulls_first(), t.c.id.desc().nulls_last())
    if name == "sqlite":
        with pytest.raises(SourceError, match="cannot be created on SQLite: unsupported use of NULLS FIRST"):
            load_metadata(md, dialects.get(name))
        return
    parts = load_metadata(md, dialects.get(name)).tables[0].indexes[0].parts
    assert [(p.column, p.descending, p.nulls) for p in parts] == [("d", False, None), ("id", True, None)]


def test_snapshot_identity_options_absent_are_defaults_and_round_trip():
    """An older schemadrift/1 snapshot has no identity options: they load as the defaults, and a
    snapshot writes only the options that differ from them."""
    old = {"format": "schemadrift/1", "dialect": "postgresql", "tables": [{"name": "t", "columns": [
        {"name": "id", "type": {"name": "integer"}, "identity": {"kind": "always", "start": 5}}]}]}
    ident = snapshot.from_dict(old).tables[0].columns[0].identity
    assert ident == ir.Identity("always", 5) and ident.cycle is False and ident.minvalue is None
    col = ir.Column("id", ir.ColumnType("bigint"),
                    identity=ir.Identity("always", 3, 4, minvalue=2, maxvalue=9, cycle=True, cache=5))
    s = ir.Schema("postgresql", (ir.Table("t", columns=(col,)),))
    assert snapshot.from_json(snapshot.to_json(s)) == s
    assert "cycle" not in snapshot.to_json(ir.replace(s, tables=(ir.Table("t", columns=(
        ir.replace(col, identity=ir.Identity("always")),)),)))
