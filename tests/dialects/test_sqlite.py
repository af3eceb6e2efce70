"""The SQLite dialect: normalization one-liners (no database), rendering one-liners, and live
checks on scratch database files: models vs database in sync, hostile names, and every op applied
to a real database and re-introspected ("apply & re-introspect")."""
from __future__ import annotations

import sqlite3
import sys
from dataclasses import replace
from pathlib import Path

import pytest
import sqlalchemy as sa
from conftest import execute
from hypothesis import given, settings
from hypothesis import strategies as st

from schemadrift import dialects, sources
from schemadrift.dialects import sqlite_parse as P
from schemadrift.differ import diff, explain
from schemadrift.errors import PlanError
from schemadrift.ir import (
    Check,
    Column,
    ColumnType,
    Default,
    ForeignKey,
    Generated,
    Index,
    IndexPart,
    PrimaryKey,
    Schema,
    Table,
)
from schemadrift.models import load_metadata
from schemadrift.planner import ops as O
from schemadrift.planner.model import HazardKind

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the repository root: fixtures/
from fixtures.models import bookshop, rich  # noqa: E402

D = dialects.get("sqlite", "3.40.1")
INT = ColumnType("integer", raw="INTEGER")
TEXT = ColumnType("text", raw="TEXT")


def _type(raw):
    t = D.parse_type(raw)
    return (t.name, t.args)


def _default(raw, declared="TEXT"):
    d = D.normalize_default(raw, D.parse_type(declared))
    return None if d is None else (d.expr, d.kind)


# -- normalization (no database) ------------------------------------------------------------------
@pytest.mark.parametrize("raw, expected", [
    ("NUMERIC(10, 2)", ("numeric", (10, 2))),
    ("numeric( 10 ,2 )", ("numeric", (10, 2))),
    ("VARCHAR(255)", ("varchar", (255,))),
    ("  Double   Precision ", ("double precision", ())),
    ("INT", ("int", ())),  # not "integer": only INTEGER PRIMARY KEY is a rowid alias
    ("INTEGER", ("integer", ())),
    ("NVARCHAR(160)", ("nvarchar", (160,))),
    ("unsigned big int", ("unsigned big int", ())),
    ("", ("", ())),
    ("DECIMAL(-1)", ("decimal", (-1,))),
])
def test_parse_type(raw, expected):
    assert _type(raw) == expected


def test_parse_type_keeps_raw_and_falls_back():
    assert D.parse_type("NUMERIC( 10 , 2 )").raw == "NUMERIC( 10 , 2 )"
    assert _type("VARCHAR(max)") == ("varchar(max)", ())


@pytest.mark.parametrize("raw, expected", [
    ("'abc'", ("'abc'", "literal")),
    ("'it''s'", ("'it''s'", "literal")),
    ("NULL", None),
    ("null", None),
    (None, None),
    ("(CURRENT_TIMESTAMP)", ("CURRENT_TIMESTAMP", "expression")),
    ("current_timestamp", ("CURRENT_TIMESTAMP", "expression")),
    ("datetime('now', 'localtime')", ("datetime('now', 'localtime')", "expression")),
    ("(DATETIME( 'now' ))", ("CURRENT_TIMESTAMP", "expression")),  # the same value
    ("X'00ff'", ("X'00ff'", "literal")),
    ('"ABC"', ("'ABC'", "literal")),  # a lone name in DEFAULT is stored as that string
    ("abc", ("'abc'", "literal")),
    ("[X y]", ("'X y'", "literal")),
])
def test_normalize_default(raw, expected):
    assert _default(raw) == expected


@pytest.mark.parametrize("raw, declared, expected", [
    # a literal default is the value the column stores, by the affinity of its declared type
    ("TRUE", "BOOLEAN", "1"),
    ("false", "BOOLEAN", "0"),
    ("-1", "INTEGER", "-1"),
    ("(0)", "INTEGER", "0"),
    ("'0'", "TINYINT", "0"),
    ("0.00", "NUMERIC(12, 2)", "0"),
    ("'1.50'", "NUMERIC(10,2)", "1.5"),
    ("0", "REAL", "0.0"),
    ("0", "FLOAT", "0.0"),
    ("0", "VARCHAR(5)", "'0'"),
    ("007", "TEXT", "'7'"),
    ("'abc'", "INTEGER", "'abc'"),
    ("' 5'", "INT", "5"),
    ("'5 apples'", "INT", "'5 apples'"),
    ("0", "BLOB", "0"),
    ("0", "", "0"),
])
def test_literal_defaults_by_affinity(raw, declared, expected):
    assert _default(raw, declared) == (expected, "literal")


def test_affinity_equivalences_match_the_server():
    """The equivalences above are what SQLite itself stores."""
    c = sqlite3.connect(":memory:")
    c.execute("CREATE TABLE t (id INT, a TINYINT DEFAULT '0', b NUMERIC(12, 2) DEFAULT 0.00, "
              "c REAL DEFAULT 0, d VARCHAR(5) DEFAULT 0, e TEXT DEFAULT 007, f INT DEFAULT ' 5')")
    c.execute("INSERT INTO t (id) VALUES (1)")
    assert c.execute("SELECT a, b, c, d, e, f FROM t").fetchone() == (0, 0, 0.0, "0", "7", 5)
    assert [type(v) for v in c.execute("SELECT a, b, c FROM t").fetchone()] == [int, int, float]


@pytest.mark.parametrize("raw, expected", [
    ("price>=0", "price >= 0"),
    ('"Price" >= 0', "price >= 0"),
    ("[Price]>=0", "price >= 0"),
    ("(a == 1)", "a = 1"),
    ("a != b", "a <> b"),
    ("[deleted_at] is null", "deleted_at IS NULL"),
    ("lower( title )", "lower(title)"),
    ("status in ('A','b')", "status IN ('A', 'b')"),
    ("x > -1 and y - 1 < 2", "x > -1 AND y - 1 < 2"),
    ('"we""ird" > 0', '"we""ird" > 0'),
    ("length(\"my col\")>0", 'length("my col") > 0'),
    ("a /* note */ > 0 -- tail", "a > 0"),
    ('"order" > 0', '"order" > 0'),  # spelled like a keyword: stays quoted, so the SQL stays valid
    ("key > 0", '"key" > 0'),
    ("REPLACE(a, 'x', 'y') = a", "replace(a, 'x', 'y') = a"),
])
def test_normalize_expr(raw, expected):
    assert D.normalize_expr(raw) == expected


@pytest.mark.parametrize("sql, value", [
    ('"we""ird"', 'we"ird'), ("`a``b`", "a`b"), ("[x y]", "x y"), ("'s''q'", "s'q"),
])
def test_tokenize_quotes(sql, value):
    (tok,) = P.tokenize(sql)
    assert tok.value == value


def test_parse_create_table_text_facts():
    t = P.parse_create_table(
        "CREATE TABLE [T]( id integer CONSTRAINT pk PRIMARY KEY AUTOINCREMENT, "
        "b INT CONSTRAINT ck_b CHECK (b > 0) REFERENCES p(id) DEFERRABLE INITIALLY DEFERRED NOT NULL, "
        "c text COLLATE nocase UNIQUE, g INT GENERATED ALWAYS AS (b * 2) STORED, "
        "CHECK (b < 10), CONSTRAINT u UNIQUE (b, c), CONSTRAINT fk FOREIGN KEY (c) REFERENCES q) "
        "WITHOUT ROWID, STRICT")
    assert t.columns["id"].autoincrement and t.columns["id"].pk_name == "pk"
    assert t.columns["c"].collation == "nocase"
    assert t.columns["g"].generated == ("b * 2", True)
    assert t.checks == [("ck_b", "b > 0"), (None, "b < 10")]
    assert t.uniques == [(None, ("c",)), ("u", ("b", "c"))]
    assert [(f.name, f.columns, f.ref_table, f.ref_columns, f.deferred) for f in t.foreign_keys] == [
        (None, ("b",), "p", ("id",), True), ("fk", ("c",), "q", (), False)]
    assert t.without_rowid and t.strict


def test_parse_references_with_set_default_then_deferrable():
    t = P.parse_create_table("CREATE TABLE t (a INT REFERENCES p ON DELETE SET DEFAULT DEFERRABLE "
                             "INITIALLY DEFERRED DEFAULT 0 NOT NULL, b INT REFERENCES p NOT DEFERRABLE)")
    assert [(f.columns, f.deferred) for f in t.foreign_keys] == [(("a",), True), (("b",), False)]


def test_parse_create_index():
    parts, where = P.parse_create_index(
        'CREATE UNIQUE INDEX "x" ON t (lower(a) COLLATE nocase DESC, b) WHERE a > 0')
    assert parts == [("lower(a)", "nocase"), ("b", None)] and where == "a > 0"


# -- rendering one-liners -------------------------------------------------------------------------
VARCHAR50 = ColumnType("varchar", (50,), raw="VARCHAR(50)")
T = Table("t", (Column("id", INT, False), Column("name", VARCHAR50, False, Default("'x'")),
                Column("qty", ColumnType("int", raw="INT"))),
          PrimaryKey(("id",)), indexes=(Index("ix_t_name", (IndexPart("name"),)),),
          checks=(Check("ck_qty", "qty >= 0"),))


def sql(op):
    return D.render(op)


def test_render_create_table():
    assert sql(O.CreateTable(T)) == ['CREATE TABLE "t" (\n    "id" INTEGER NOT NULL,\n'
                                     '    "name" VARCHAR(50) NOT NULL DEFAULT \'x\',\n    "qty" INT,\n'
                                     '    PRIMARY KEY ("id"),\n    CONSTRAINT "ck_qty" CHECK (qty >= 0)\n)']


def test_render_plain_statements():
    c = Column("n", INT, False, Default("0"))
    assert sql(O.AddColumn(T, column=c)) == ['ALTER TABLE "t" ADD COLUMN "n" INTEGER NOT NULL DEFAULT 0']
    assert sql(O.DropIndex(T, index=T.indexes[0])) == ['DROP INDEX "ix_t_name"']
    ix = Index("ix p", (IndexPart(expr="lower(name)"), IndexPart("qty", descending=True)), unique=True,
               predicate="qty > 0")
    assert sql(O.CreateIndex(T, index=ix)) == [
        'CREATE UNIQUE INDEX "ix p" ON "t" (lower(name), "qty" DESC) WHERE qty > 0']
    assert sql(O.FillColumn(T, column=T.columns[2], expr="0")) == [
        'UPDATE "t" SET "qty" = 0 WHERE "qty" IS NULL']
    assert sql(O.CopyColumn(T, source=T.columns[1], target=T.columns[2])) == [
        'UPDATE "t" SET "qty" = "name" WHERE "qty" IS NOT "name"']
    assert sql(O.DropTable(T)) == ['DROP TABLE "t"']


def test_default_rendering_wraps_expressions():
    c = Column("at", TEXT, default=Default("datetime('now')", "expression"))
    assert D.column_sql(c) == "\"at\" TEXT DEFAULT (datetime('now'))"
    assert D.column_sql(replace(c, default=Default("CURRENT_TIMESTAMP", "expression"))) == \
        '"at" TEXT DEFAULT CURRENT_TIMESTAMP'


@pytest.mark.parametrize("op", [
    O.AddColumn(T, column=Column("n", INT, False)),                             # NOT NULL, no default
    O.AddColumn(T, column=Column("at", TEXT, default=Default("CURRENT_TIMESTAMP", "expression"))),
    O.DropColumn(T, column=T.columns[1]),                                       # indexed
    O.DropColumn(T, column=T.columns[2]),                                       # named in a check
    O.AlterColumn(T, before=T.columns[2], after=replace(T.columns[2], nullable=False),
                  what=frozenset({"nullable"})),
    O.AddCheck(T, check=Check(None, "qty < 100")),
    O.DropPrimaryKey(T, primary_key=T.primary_key),
    O.CreateIndex(T, index=Index(None, (IndexPart("qty"),), unique=True, is_constraint=True)),
])
def test_rebuild_ops(op):
    out = sql(op)
    assert out[:3] == ["PRAGMA foreign_keys=OFF", "PRAGMA legacy_alter_table=ON", "BEGIN"]
    assert out[-3:] == ["COMMIT", "PRAGMA legacy_alter_table=OFF", "PRAGMA foreign_keys=ON"]
    assert out[3].startswith('CREATE TABLE "_new_t" (')
    assert 'ALTER TABLE "_new_t" RENAME TO "t"' in out
    assert not D.transactional(op)
    assert {h.kind for h in D.hazards(op)} == {HazardKind.TABLE_REWRITE, HazardKind.BLOCKING_LOCK}


def test_rebuild_copies_only_common_columns():
    op = O.AddColumn(T, column=Column("n", INT, False, Default("(1 + 1)", "expression")))
    insert = next(s for s in sql(op) if s.startswith("INSERT"))
    assert insert == 'INSERT INTO "_new_t" ("id", "name", "qty") SELECT "id", "name", "qty" FROM "t"'
    assert 'CREATE INDEX "ix_t_name" ON "t" ("name")' in sql(op)


def test_drop_column_needs_rebuild_before_3_35():
    op = O.DropColumn(replace(T, checks=()), column=T.columns[2])
    assert sql(op) == ['ALTER TABLE "t" DROP COLUMN "qty"']
    assert dialects.get("sqlite", "3.31.1").render(op)[0] == "PRAGMA foreign_keys=OFF"
    assert [h.kind for h in D.hazards(op)] == [HazardKind.TABLE_REWRITE]


def test_plain_ops_are_transactional_and_index_builds_are_hazards():
    op = O.CreateIndex(T, index=Index("ix_q", (IndexPart("qty"),)))
    assert D.transactional(op) and [h.kind for h in D.hazards(op)] == [HazardKind.INDEX_BUILD]
    assert D.hazards(O.AddColumn(T, column=Column("n", INT))) == []


@pytest.mark.parametrize("op", [
    O.CreateEnum(None), O.DropEnum(None), O.AddEnumValue(None), O.ReplaceEnum(None),
    O.SetTableComment(T, comment="hello"),
])
def test_unsupported_ops_raise_plan_error(op):
    with pytest.raises(PlanError):
        D.render(op)


def test_hostile_names_are_quoted():
    t = Table('we"ird', (Column("a`b", INT), Column("with space", TEXT), Column("ünï", TEXT)))
    assert sql(O.CreateTable(t)) == ['CREATE TABLE "we""ird" (\n    "a`b" INTEGER,\n    "with space" TEXT,\n'
                                     '    "ünï" TEXT\n)']
    assert sql(O.DropColumn(t, column=t.columns[0])) == ['ALTER TABLE "we""ird" DROP COLUMN "a`b"']


def test_rollback_sql():
    c = Column("n", INT)
    assert D.render_rollback(O.AddColumn(T, column=c)) == ['ALTER TABLE "t" DROP COLUMN "n"']
    assert D.render_rollback(O.DropColumn(T, column=T.columns[2])) is None
    ix = Index("ix_q", (IndexPart("qty"),))
    assert D.render_rollback(O.CreateIndex(T, index=ix)) == ['DROP INDEX "ix_q"']
    assert D.render_rollback(O.CopyColumn(T, source=c, target=c)) == []


# -- live: models vs database ---------------------------------------------------------------------
def _live(url: str) -> Schema:
    return sources.load(url)


def _assert_in_sync(a: Schema, b: Schema) -> None:
    d = diff(a, b)
    assert d.in_sync, [c.to_dict() for c in d] + [explain(a, b)]


def _create(url: str, metadata: sa.MetaData) -> None:
    engine = sa.create_engine(url)
    try:
        metadata.create_all(engine)
    finally:
        engine.dispose()


@pytest.mark.parametrize("metadata", [rich.for_dialect("sqlite"), bookshop.metadata],
                         ids=["rich", "bookshop"])
def test_models_in_sync_with_database(lite_scratch, metadata):
    _create(lite_scratch, metadata)
    live, models = _live(lite_scratch), load_metadata(metadata, D)
    _assert_in_sync(live, models)
    assert live == models, explain(live, models)


def test_hand_written_ddl_in_sync_with_models(lite_scratch):
    """Spellings SQLite treats alike: rowid alias without NOT NULL, parenthesised and lower-case
    defaults, TRUE for 1, NULL default, type case and spacing, quoted names, case of names."""
    execute(lite_scratch, [
        'CREATE TABLE "Users" (id integer primary key, "Name" varchar ( 20 ) not null default (\'x\'), '
        "at datetime default (current_timestamp), flag boolean default true, note text default null, "
        "boss INTEGER REFERENCES users, twice INTEGER AS (ID*2), kept INTEGER GENERATED ALWAYS AS (id + 1) "
        "STORED, CONSTRAINT ck_name CHECK ([name] != ''))",
        'CREATE INDEX ix_users_lower ON users (LOWER("name")) WHERE flag == 1',
    ])
    md = sa.MetaData()
    users = sa.Table("Users", md, sa.Column("id", sa.Integer, primary_key=True),
                     sa.Column("Name", sa.String(20), nullable=False, server_default="x"),
                     sa.Column("at", sa.DateTime, server_default=sa.func.now()),
                     sa.Column("flag", sa.Boolean, server_default=sa.text("1")),
                     sa.Column("note", sa.Text),
                     sa.Column("boss", sa.INT, sa.ForeignKey("Users.id")),
                     sa.Column("twice", sa.Integer, sa.Computed("id * 2")),
                     sa.Column("kept", sa.Integer, sa.Computed("id + 1", persisted=True)),
                     sa.CheckConstraint("name <> ''", name="ck_name"))
    sa.Index("ix_users_lower", sa.func.lower(users.c.Name), sqlite_where=sa.text("flag = 1"))
    _assert_in_sync(_live(lite_scratch), load_metadata(md, D))


def test_real_differences_are_seen(lite_scratch):
    execute(lite_scratch, ["CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(10), w TEXT DEFAULT 'a')"])
    md = sa.MetaData()
    sa.Table("t", md, sa.Column("id", sa.Integer, primary_key=True), sa.Column("v", sa.String(20)),
             sa.Column("w", sa.Text, server_default="b"))
    kinds = sorted((c.kind, c.name, c.what) for c in diff(_live(lite_scratch), load_metadata(md, D)))
    # INT PRIMARY KEY is no rowid alias: SQLite lets it hold NULLs, so nullability differs too
    assert kinds == [("alter_column", "id", ("type", "nullable")), ("alter_column", "v", ("type",)),
                     ("alter_column", "w", ("default",))]


def test_not_compared_objects(lite_scratch):
    execute(lite_scratch, [
        "CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT, x TEXT)",
        "CREATE VIEW v AS SELECT x FROM t",
        "CREATE TRIGGER trg AFTER INSERT ON t BEGIN SELECT 1; END",
        "CREATE VIRTUAL TABLE docs USING fts4(body)",
    ])
    s = _live(lite_scratch)
    assert [t.name for t in s.tables] == ["t"]  # no sqlite_sequence, no FTS tables
    assert "view v" in s.not_compared and "trigger trg on t" in s.not_compared
    assert "virtual table docs" in s.not_compared and "shadow table docs_content" in s.not_compared
    assert s.tables[0].columns[0].identity.kind == "autoincrement"
    assert s.default_schema == "main" and s.server_version == sqlite3.sqlite_version


def test_hostile_identifiers_round_trip(lite_scratch):
    t = Table('we"ird', (Column("i d", INT, False), Column("a`b", TEXT, collation="NOCASE"),
                         Column("ünï code", TEXT, default=Default("'it''s'")), Column("order", INT)),
              PrimaryKey(("i d",), name="pk ü"),
              indexes=(Index("ix 'q'", (IndexPart("a`b", descending=True),)),
                       Index("ix_order", (IndexPart(expr='"order" + 1'),), predicate='"order" > 0'),
                       Index(None, (IndexPart("ünï code"),), unique=True, is_constraint=True)),
              checks=(Check("ck\"1", 'length("a`b") > 0'),))
    execute(lite_scratch, D.render(O.CreateTable(t)) + D.render(O.CreateIndex(t, index=t.indexes[0]))
            + D.render(O.CreateIndex(t, index=t.indexes[1])))
    live = _live(lite_scratch)
    _assert_in_sync(live, D.normalize(Schema("sqlite", (t,))))
    assert live.tables[0].name == 'we"ird' and live.tables[0].primary_key.name == "pk ü"


# -- live: apply & re-introspect --------------------------------------------------------------------
BASE = [
    "CREATE TABLE parent (id INTEGER PRIMARY KEY, code TEXT NOT NULL UNIQUE)",
    "CREATE TABLE t (id INTEGER PRIMARY KEY, name VARCHAR(50) NOT NULL DEFAULT 'x', qty INT, note TEXT, "
    "parent_id INT REFERENCES parent (id), code TEXT UNIQUE, CONSTRAINT ck_qty CHECK (qty >= 0))",
    "CREATE TABLE kv (k TEXT NOT NULL, v TEXT)",
    "CREATE INDEX ix_t_name ON t (name)",
    # objects that name t and must not get in the way of a rebuild
    "CREATE VIEW v_t AS SELECT id, name FROM t",
    "CREATE TRIGGER parent_gone AFTER DELETE ON parent BEGIN UPDATE t SET parent_id = NULL "
    "WHERE parent_id = OLD.id; END",
    "INSERT INTO parent (id, code) VALUES (1, 'a'), (2, 'b')",
    "INSERT INTO t (id, name, qty, note, parent_id, code) VALUES (1, 'one', 1, 'n1', 1, 'c1'), "
    "(2, 'two', 2, NULL, 2, 'c2')",
    "INSERT INTO kv VALUES ('a', '1'), ('b', '2')",
]


def _apply_and_check(url: str, make_op, dialect=D, table: str = "t") -> Table:
    """Build BASE, apply the op made from the live table, re-introspect: the table must equal
    ``op.apply(op.table)`` and keep its rows."""
    execute(url, BASE)
    before = _live(url)
    op = make_op(before.table(table))
    execute(url, dialect.render(op))
    expected = op.apply(op.table)
    after = _live(url)
    _assert_in_sync(Schema("sqlite", tuple(x for x in after.tables if x.name != table) + (expected,)), after)
    assert after.not_compared == before.not_compared
    with sqlite3.connect(url.removeprefix("sqlite:///")) as c:
        assert c.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == 2
        assert c.execute("SELECT count(*) FROM v_t").fetchone()[0] == 2
        assert c.execute("PRAGMA foreign_key_check").fetchall() == []
    return after.table(table)


def _col(t: Table, name: str) -> Column:
    return t.column(name)


OPS = {
    "add_column": lambda t: O.AddColumn(t, column=Column("n", INT, False, Default("7"))),
    "add_column_rebuild": lambda t: O.AddColumn(t, column=Column(
        "at", ColumnType("datetime", raw="DATETIME"), False, Default("CURRENT_TIMESTAMP", "expression"))),
    "drop_column": lambda t: O.DropColumn(t, column=_col(t, "note")),
    "add_virtual_column": lambda t: O.AddColumn(t, column=Column(
        "len", INT, generated=Generated("length(name)", stored=False))),
    "add_stored_column": lambda t: O.AddColumn(t, column=Column("len", INT, generated=Generated("qty * 2"))),
    "alter_type": lambda t: O.AlterColumn(t, before=_col(t, "name"),
                                          after=replace(_col(t, "name"), type=TEXT),
                                          what=frozenset({"type"})),
    "alter_null_default": lambda t: O.AlterColumn(
        t, before=_col(t, "qty"), after=replace(_col(t, "qty"), nullable=False, default=Default("0")),
        what=frozenset({"nullable", "default"})),
    "drop_primary_key": lambda t: O.DropPrimaryKey(t, primary_key=t.primary_key),
    "create_index": lambda t: O.CreateIndex(t, index=Index("ix_expr", (IndexPart(expr="lower(name)"),
                                                                       IndexPart("qty", descending=True)),
                                                           unique=True, predicate="qty > 0")),
    "drop_index": lambda t: O.DropIndex(t, index=t.indexes[0]),
    "add_unique": lambda t: O.CreateIndex(t, index=Index("uq_t_name", (IndexPart("name"),), unique=True,
                                                         is_constraint=True)),
    "add_foreign_key": lambda t: O.AddForeignKey(t, foreign_key=ForeignKey(
        "fk_t_qty", ("qty",), "parent", ("id",), on_delete="CASCADE", deferrable=True,
        initially_deferred=True)),
    "drop_foreign_key": lambda t: O.DropForeignKey(t, foreign_key=t.foreign_keys[0]),
    "drop_unique": lambda t: O.DropIndex(t, index=next(i for i in t.indexes if i.is_constraint)),
    "fill_column": lambda t: O.FillColumn(t, column=_col(t, "note"), expr="'filled'"),
    "add_check": lambda t: O.AddCheck(t, check=Check("ck_name", "length(name) > 0")),
    "drop_check": lambda t: O.DropCheck(t, check=t.checks[0]),
    "set_options": lambda t: O.SetTableOptions(t, options=(("without_rowid", "true"),)),
}


@pytest.mark.parametrize("name", sorted(OPS))
def test_apply_and_reintrospect(lite_scratch, name):
    _apply_and_check(lite_scratch, OPS[name])


def test_add_primary_key(lite_scratch):
    pk = PrimaryKey(("k",), "pk_kv")
    after = _apply_and_check(lite_scratch, lambda t: O.AddPrimaryKey(t, primary_key=pk), table="kv")
    assert after.primary_key == PrimaryKey(("k",), "pk_kv")


def test_copy_rows_into_a_new_table(lite_scratch):
    execute(lite_scratch, BASE)
    kv = _live(lite_scratch).table("kv")
    new = replace(kv, name="kv2")
    copy = O.CopyRows(new, source=kv, columns=(("k", "k"), ("v", "v")))
    execute(lite_scratch, D.render(O.CreateTable(new)) + D.render(copy))
    with sqlite3.connect(lite_scratch.removeprefix("sqlite:///")) as c:
        assert c.execute("SELECT k, v FROM kv2 ORDER BY k").fetchall() == [("a", "1"), ("b", "2")]


def test_drop_column_by_rebuild_on_old_sqlite(lite_scratch):
    after = _apply_and_check(lite_scratch, OPS["drop_column"], dialects.get("sqlite", "3.30.0"))
    assert after.column("note") is None


def test_chained_rebuilds_keep_foreign_keys_and_data(lite_scratch):
    execute(lite_scratch, BASE)
    t = _live(lite_scratch).table("t")
    for make in (OPS["drop_foreign_key"], OPS["alter_type"], OPS["add_unique"], OPS["add_foreign_key"]):
        op = make(t)
        execute(lite_scratch, D.render(op))
        t = op.apply(t)
    live = _live(lite_scratch)
    _assert_in_sync(live, Schema("sqlite", (live.table("parent"), live.table("kv"), t)))
    with sqlite3.connect(lite_scratch.removeprefix("sqlite:///")) as c:
        c.execute("PRAGMA foreign_keys=ON")
        c.execute("DELETE FROM parent WHERE id = 1")  # the new ON DELETE CASCADE works after the rebuilds
        assert c.execute("SELECT id, name FROM t").fetchall() == [(2, "two")]


def test_create_and_drop_table(lite_scratch):
    t = replace(T, name="fresh", foreign_keys=(ForeignKey(None, ("qty",), "fresh", ("id",)),))
    execute(lite_scratch, D.render(O.CreateTable(t)) + D.render(O.CreateIndex(t, index=t.indexes[0])))
    _assert_in_sync(_live(lite_scratch), Schema("sqlite", (t,)))
    execute(lite_scratch, D.render(O.DropTable(t)))
    assert _live(lite_scratch).tables == ()


def test_sync_triggers_for_a_rename_window(lite_scratch):
    """Old code writes ``name``, new code writes ``title``: each sees the other's writes; the
    old NOT NULL column is made nullable first so that new code may leave it out."""
    execute(lite_scratch, BASE)
    t = _live(lite_scratch).table("t")
    add = O.AddColumn(t, column=Column("title", ColumnType("varchar", (50,), raw="VARCHAR(50)")))
    t2 = add.apply(t)
    sync = O.CreateSyncTrigger(t2, old=_col(t2, "name"), new=_col(t2, "title"))
    assert not D.transactional(sync)
    execute(lite_scratch, D.render(add) + D.render(O.CopyColumn(t2, source=sync.old, target=sync.new))
            + D.render(sync))
    with sqlite3.connect(lite_scratch.removeprefix("sqlite:///")) as c:
        c.isolation_level = None
        c.execute("INSERT INTO t (id, name) VALUES (10, 'old code')")
        c.execute("INSERT INTO t (id, title) VALUES (11, 'new code')")
        c.execute("INSERT INTO t (id) VALUES (12)")  # old code relying on the old default
        c.execute("UPDATE t SET name = 'renamed by old' WHERE id = 1")
        c.execute("UPDATE t SET title = 'renamed by new' WHERE id = 2")
        rows = c.execute("SELECT id, name, title FROM t ORDER BY id").fetchall()
    assert rows == [(1, "renamed by old", "renamed by old"), (2, "renamed by new", "renamed by new"),
                    (10, "old code", "old code"), (11, "new code", "new code"), (12, "x", "x")]
    live = _live(lite_scratch)
    triggers = {x for x in live.not_compared if x.startswith("trigger sd_sync_t_name_title_")}
    assert live.table("t").column("name").nullable and len(triggers) == 3
    execute(lite_scratch, D.render_rollback(sync))
    live = _live(lite_scratch)
    assert live.table("t") == t2 and not any("sd_sync" in x for x in live.not_compared)


# -- property: any IR table renders to DDL that introspects back to the same table -----------------
NAMES = (st.text(alphabet=st.sampled_from(list('aZ_9 "`[]\'.é中-')), min_size=1, max_size=8)
         | st.sampled_from(["order", "Key", "select"])).filter(
    lambda n: n.strip() == n and not n.lower().startswith("sqlite_"))
TYPES = st.sampled_from([INT, TEXT, VARCHAR50, ColumnType("numeric", (10, 2), raw="NUMERIC(10, 2)"),
                         ColumnType("real", raw="REAL"), ColumnType("blob", raw="BLOB")])


@st.composite
def tables(draw):
    names = draw(st.lists(NAMES, min_size=1, max_size=5, unique_by=P.ascii_lower))
    columns = []
    for n in names:
        ctype = draw(TYPES)
        default = draw(st.sampled_from([None, Default("7"), Default("'x''y'")]))
        if default is not None:
            default = D.normalize_default(default.expr, ctype)
        columns.append(Column(n, ctype, draw(st.booleans()), default,
                              collation=draw(st.sampled_from([None, "NOCASE", "RTRIM"]))))
    pk_cols = draw(st.lists(st.sampled_from(names), max_size=2, unique_by=P.ascii_lower))
    if pk_cols:
        columns = [replace(c, nullable=False) if c.name in pk_cols else c for c in columns]
    first = D.quote(names[0])
    # tables and indexes share one namespace; SQLite folds a UNIQUE equal to the key into the key
    table_name, index_name = draw(st.lists(NAMES, min_size=2, max_size=2, unique_by=P.ascii_lower))
    unique = () if [P.ascii_lower(c) for c in pk_cols] == [P.ascii_lower(names[0])] else (
        Index(None, (IndexPart(names[0]),), unique=True, is_constraint=True),)
    return Table(
        table_name, tuple(columns), PrimaryKey(tuple(pk_cols), draw(st.sampled_from([None, "pk x"])))
        if pk_cols else None,
        indexes=(Index(index_name, (IndexPart(names[-1], descending=draw(st.booleans())),),
                       unique=draw(st.booleans()), predicate=D.normalize_expr(f"{first} IS NOT NULL")),
                 *unique),
        foreign_keys=(ForeignKey(draw(st.sampled_from([None, "fk ü"])), (names[0],), "parent", ("id",),
                                 on_delete=draw(st.sampled_from(["NO ACTION", "CASCADE", "SET NULL"]))),),
        checks=(Check(draw(st.sampled_from([None, 'ck "1"'])), D.normalize_expr(f"length({first}) >= 0")),))


@settings(max_examples=60, deadline=None)
@given(tables())
def test_any_table_round_trips(table):
    engine = sa.create_engine("sqlite://")
    try:
        with engine.connect() as conn:
            for statement in D.render(O.CreateTable(table)) + D.render(O.CreateIndex(table,
                                                                                     index=table.indexes[0])):
                conn.exec_driver_sql(statement)
            live = D.introspect(conn)
    finally:
        engine.dispose()
    _assert_in_sync(live, D.normalize(Schema("sqlite", (table,))))
