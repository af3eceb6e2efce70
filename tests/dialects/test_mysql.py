# ruff: noqa: E501 - one-line SQL assertions read best unwrapped
"""The MySQL/MariaDB dialect: normalization one-liners (no server), MySQL 8 catalog rows as that
server returns them, rendering one-liners, and live round trips on the MariaDB server (models →
database → introspect in sync; each rendered op applied and re-introspected)."""
from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from conftest import execute, scratch_database

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the repository root: fixtures/
from fixtures.models import bookshop, rich  # noqa: E402
from schemadrift import dialects, snapshot
from schemadrift.dialects.mysql import canonical_expr
from schemadrift.differ import diff
from schemadrift.errors import PlanError
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
)
from schemadrift.models import load_metadata
from schemadrift.planner import ops as O
from schemadrift.sources import load

MARIADB = dialects.get("mariadb", "10.11.19")
MYSQL = dialects.get("mysql", "8.0.36")


def explain(a: Schema, b: Schema) -> str:
    """A readable account of why two schemas differ (for assertion messages)."""
    from deepdiff import DeepDiff
    return "\n".join(str(c) for c in diff(a, b)) + "\n" + DeepDiff(a, b, ignore_type_subclasses=True).pretty()[:3000]


def assert_in_sync(a: Schema, b: Schema) -> None:
    assert diff(a, b).in_sync, explain(a, b)


# -- types ---------------------------------------------------------------------------------------
def t(raw, d=MARIADB):
    c = d.parse_type(raw)
    return (c.name, c.args, c.unsigned, c.values) if c.values or c.unsigned else (c.name, c.args)


def test_types_display_widths_and_aliases():
    assert t("int(11)") == t("INTEGER") == t("int") == ("integer", ())
    assert t("bigint(20) unsigned") == ("bigint", (), True, ())
    assert t("smallint(6)") == t("SMALLINT") == ("smallint", ())
    assert t("tinyint(1)") == t("BOOL") == t("boolean") == ("boolean", ())
    assert t("tinyint(4)") == t("TINYINT") == ("tinyint", ())
    assert t("tinyint(1) unsigned") == ("tinyint", (), True, ())
    assert t("decimal(10,2)") == t("NUMERIC(10, 2)") == ("numeric", (10, 2))
    assert t("decimal") == ("numeric", (10, 0))
    assert t("float") == t("FLOAT") == ("real", ())
    assert t("FLOAT(53)") == t("double") == t("DOUBLE PRECISION") == ("double", ())
    assert t("datetime") == t("DATETIME") == ("timestamp", ())
    assert t("datetime(6)") == ("timestamp", (6,))
    assert t("timestamp") == ("timestamptz", ())
    assert t("varchar(100)") == t("VARCHAR(100) COLLATE utf8mb4_bin") == ("varchar", (100,))
    assert t("VARCHAR(10) CHARACTER SET latin1") == t("NVARCHAR(10)") == ("varchar", (10,))
    assert t("varchar(40) BINARY") == ("varchar", (40,))
    assert t("char(32)") == t("CHAR(32)") == ("char", (32,))
    assert t("TEXT") == t("text") == ("text", ())
    assert t("TEXT(1000)") == ("text", ())
    assert t("TEXT(100)") == ("mediumtext", ()) or t("TEXT(100)") == ("text", ())
    assert t("TEXT(20000)") == ("mediumtext", ())
    assert t("BLOB") == ("blob", ()) and t("longblob") == ("longblob", ())
    assert t("json") == t("JSON") == ("json", ())
    assert t("enum('new','paid')") == t("ENUM('new','paid')") == ("enum", (), False, ("new", "paid"))
    assert t("enum('it''s','a,b')")[3] == ("it's", "a,b")
    assert t("set('x','y')")[3] == ("x", "y")
    assert t("year(4)") == t("year") == ("year", ())
    assert t("bit(3)") == ("bit", (3,))
    assert t("int(10) unsigned zerofill")[2] is True
    assert t("serial") == t("bigint(20) unsigned") == ("bigint", (), True, ())
    assert t("float(10,2)") == t("FLOAT") and t("decimal(10)") == ("numeric", (10, 0))


def test_types_keep_valid_ddl_as_raw():
    assert MARIADB.parse_type("VARCHAR(10) COLLATE utf8mb4_bin").raw == "VARCHAR(10)"
    assert MARIADB.parse_type("bigint(20) unsigned").raw == "bigint(20) unsigned"
    assert MARIADB.render_type(ColumnType("varchar", (20,))) == "varchar(20)"
    assert MARIADB.render_type(ColumnType("boolean")) == "tinyint(1)"
    assert MARIADB.render_type(ColumnType("enum", values=("a", "b'c"))) == "enum('a','b''c')"


# -- defaults ------------------------------------------------------------------------------------
def dflt(raw, type_raw="int(11)", d=MARIADB):
    value = d.normalize_default(raw, d.parse_type(type_raw))
    return value and (value.expr, value.kind)


def test_defaults_mariadb_catalog_and_compiled_models_agree():
    assert dflt("'new'", "varchar(20)") == dflt("'new'", "VARCHAR(20)") == ("'new'", "literal")
    assert dflt("NULL", "varchar(20)") is None and dflt(None) is None
    assert dflt("0.00", "decimal(10,2)") == dflt("0", "NUMERIC(10, 2)") == ("0.00", "literal")
    assert dflt("'0'", "decimal(10,2)") == ("0.00", "literal")
    assert dflt("4.99", "decimal(4,2)") == ("4.99", "literal")
    assert dflt("1", "tinyint(1)") == dflt("true", "BOOL") == dflt("TRUE", "BOOL") == ("1", "literal")
    assert dflt("0", "tinyint(1)") == dflt("false", "BOOL") == ("0", "literal")
    assert dflt("0", "int(11)") == dflt("'0'", "INTEGER") == dflt("(0)", "INTEGER") == ("0", "literal")
    assert dflt("1.5", "double") == dflt("1.5e0", "DOUBLE") == ("1.5", "literal")
    assert dflt("current_timestamp()", "datetime") == dflt("now()", "DATETIME") \
        == dflt("CURRENT_TIMESTAMP", "DATETIME") == dflt("(now())", "DATETIME") \
        == ("current_timestamp()", "expression")
    assert dflt("current_timestamp(3)", "datetime(3)") == dflt("now(3)", "DATETIME(3)")
    assert dflt("'it''s'", "varchar(5)") == dflt("'it\\'s'", "VARCHAR(5)") == ("'it''s'", "literal")
    assert dflt("uuid()", "char(36)") == dflt("(UUID())", "CHAR(36)") == ("uuid()", "expression")
    assert dflt("(1 + 2)", "int(11)") == dflt("1+2", "INTEGER") == ("1 + 2", "expression")
    assert dflt("b'101'", "bit(3)") == ("b'101'", "literal")
    assert dflt("'2020-01-01'", "date") == ("'2020-01-01'", "literal")


def test_defaults_on_update_are_part_of_the_default():
    mariadb = MARIADB.catalog_default({"column_default": "current_timestamp()",
                                       "extra": "on update current_timestamp()"}, ColumnType("timestamptz"))
    assert dflt(mariadb, "timestamp") == dflt("CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP", "TIMESTAMP") \
        == ("current_timestamp() on update current_timestamp()", "expression")
    assert dflt("current_timestamp()", "timestamp") != dflt(mariadb, "timestamp")


def test_defaults_mysql8_catalog_is_unquoted_and_marks_expressions():
    def my(value, extra, type_raw):
        ctype = MYSQL.parse_type(type_raw)
        return dflt(MYSQL.catalog_default({"column_default": value, "extra": extra}, ctype), type_raw, MYSQL)

    assert my("new", "", "varchar(20)") == ("'new'", "literal")
    assert my("", "", "varchar(20)") == ("''", "literal")
    assert my("it's", "", "varchar(20)") == ("'it''s'", "literal")
    assert my("0.00", "", "decimal(8,2)") == ("0.00", "literal")
    assert my("1", "", "tinyint(1)") == ("1", "literal")
    assert my("CURRENT_TIMESTAMP", "DEFAULT_GENERATED", "datetime") == ("current_timestamp()", "expression")
    assert my("CURRENT_TIMESTAMP", "DEFAULT_GENERATED on update CURRENT_TIMESTAMP", "timestamp") \
        == ("current_timestamp() on update current_timestamp()", "expression")
    assert my("uuid()", "DEFAULT_GENERATED", "char(36)") == ("uuid()", "expression")
    assert my("(`a` + 1)", "DEFAULT_GENERATED", "int") == ("a + 1", "expression")
    assert my("concat(_utf8mb4\\'a\\',`b`)", "DEFAULT_GENERATED", "varchar(9)") \
        == dflt("(CONCAT('a', b))", "VARCHAR(9)") == ("concat('a', b)", "expression")
    assert my(None, "", "int") is None
    assert my("CURRENT_TIMESTAMP", "on update CURRENT_TIMESTAMP", "timestamp") \
        == ("current_timestamp() on update current_timestamp()", "expression")  # MySQL 5.7: no marker
    assert my("NULL", "", "varchar(4)") == ("'NULL'", "literal")  # the string, not SQL NULL


# -- expressions ---------------------------------------------------------------------------------
def test_expressions_canonical_across_servers_and_models():
    assert canonical_expr("`price` >= 0") == canonical_expr("price >= 0") == canonical_expr("(`price` >= 0)") \
        == "price >= 0"
    assert canonical_expr("(`a` > 0) and (`b` > 0)") == canonical_expr("a > 0 AND b > 0") == "a > 0 and b > 0"
    assert canonical_expr("((`a` > 0) or (`b` > 0)) and (`c` > 0)") == "(a > 0 or b > 0) and c > 0"
    assert canonical_expr("a > 0 or b > 0 and c > 0") == "a > 0 or b > 0 and c > 0"
    assert canonical_expr("(`status` in (_utf8mb4'new',_utf8mb4'done'))") \
        == canonical_expr("status IN ('new', 'done')") == "status in ('new', 'done')"
    assert canonical_expr("a != 1") == canonical_expr("`a` <> 1") == "a <> 1"
    assert canonical_expr("`x` is not null") == canonical_expr("x IS NOT NULL") == "x is not null"
    assert canonical_expr("x between 1 and 5") == canonical_expr("(`x` between 1 and 5)")
    assert canonical_expr("LOWER(`title`)") == canonical_expr("lower(title)") == "lower(title)"
    assert canonical_expr("(a + b) * c") == "(a + b) * c" and canonical_expr("a + (b * c)") == "a + b * c"
    assert canonical_expr("a - (b - c)") == "a - (b - c)"
    assert canonical_expr("json_valid(`attributes`)") == "json_valid(attributes)"
    assert canonical_expr("`we\"ird col` > 0") == "`we\"ird col` > 0"
    assert canonical_expr("not (a > 1)") == canonical_expr("NOT a > 1")
    assert canonical_expr("NOT (a > 0 AND b IS NULL)") == canonical_expr("`a` <= 0 or `b` is not null")
    assert canonical_expr("not (s like 'x%')") == "s not like 'x%'" and canonical_expr("not not a") == "a"
    assert canonical_expr("s NOT IN ('a')") == "s <> 'a'" and canonical_expr("s IN ('a')") == "s = 'a'"
    assert canonical_expr("a = TRUE") == "a = 1" and canonical_expr("LENGTH(s)") == "octet_length(s)"
    assert canonical_expr("case when a > 0 then 'p' else 'n' end") \
        == canonical_expr("CASE WHEN (`a` > 0) THEN 'p' ELSE 'n' END")
    assert canonical_expr("char_length(`name`) > 0") == canonical_expr("CHARACTER_LENGTH(name) > 0")


def test_mysql8_check_clause_with_escaped_quotes():
    rows = _mysql8_rows()
    rows["checks"][1]["check_clause"] = "(`status` in (_utf8mb4\\'new\\',_utf8mb4\\'done\\'))"
    table = MYSQL.build(rows, "app", "8.0.36").tables[0]
    assert [c.expr for c in table.checks] == ["price >= 0", "status in ('new', 'done')"]


# -- MySQL 8 catalog rows, as that server returns them --------------------------------------------
def _col(name, ordinal, column_type, nullable="NO", default=None, extra="", collation=None, gen=""):
    return {"table_schema": "app", "table_name": "items", "column_name": name, "ordinal": ordinal,
            "column_default": default, "is_nullable": nullable, "data_type": column_type.split("(")[0],
            "column_type": column_type, "charset": None, "collation": collation, "extra": extra,
            "comment": "", "generation_expression": gen}


def _mysql8_rows():
    ix = {"table_schema": "app", "table_name": "items", "collation": "A", "sub_part": None,
          "index_type": "BTREE", "expression": None}
    return {
        "schemata": [{"schema_name": "app", "charset": "utf8mb4", "collation": "utf8mb4_0900_ai_ci"}],
        "tables": [{"table_schema": "app", "table_name": "items", "table_type": "BASE TABLE",
                    "engine": "InnoDB", "collation": "utf8mb4_0900_ai_ci", "charset": "utf8mb4",
                    "collation_is_default": "Yes", "create_options": "", "comment": ""},
                   {"table_schema": "app", "table_name": "v_items", "table_type": "VIEW", "engine": None,
                    "collation": None, "charset": None, "collation_is_default": None,
                    "create_options": None, "comment": "VIEW"}],
        "columns": [
            _col("id", 1, "bigint", extra="auto_increment"),
            _col("title", 2, "varchar(200)", collation="utf8mb4_0900_ai_ci"),
            _col("status", 3, "varchar(20)", default="new", collation="utf8mb4_0900_ai_ci"),
            _col("price", 4, "decimal(8,2)", default="0.00"),
            _col("active", 5, "tinyint(1)", default="1"),
            _col("attrs", 6, "json", nullable="YES"),
            _col("created_at", 7, "datetime", default="CURRENT_TIMESTAMP", extra="DEFAULT_GENERATED"),
            _col("doubled", 8, "decimal(9,2)", nullable="YES", extra="VIRTUAL GENERATED",
                 gen="(`price` * 2)"),
            _col("owner_id", 9, "int", nullable="YES"),
        ],
        "indexes": [
            {**ix, "index_name": "PRIMARY", "non_unique": 0, "seq": 1, "column_name": "id"},
            {**ix, "index_name": "ix_lower_title", "non_unique": 1, "seq": 1, "column_name": None,
             "expression": "lower(`title`)", "collation": "A"},
            {**ix, "index_name": "uq_title", "non_unique": 0, "seq": 1, "column_name": "title"},
            {**ix, "index_name": "fk_owner", "non_unique": 1, "seq": 1, "column_name": "owner_id"},
            {**ix, "index_name": "ix_status_desc", "non_unique": 1, "seq": 1, "column_name": "status",
             "collation": "D"},
        ],
        "foreign_keys": [{"table_schema": "app", "table_name": "items", "constraint_name": "fk_owner",
                          "seq": 1, "column_name": "owner_id", "ref_schema": "app", "ref_table": "items",
                          "ref_column": "id", "update_rule": "NO ACTION", "delete_rule": "RESTRICT"}],
        "checks": [{"table_schema": "app", "table_name": "items", "constraint_name": "ck_price",
                    "check_clause": "(`price` >= 0)", "level": "Table", "enforced": "YES"},
                   {"table_schema": "app", "table_name": "items", "constraint_name": "ck_status",
                    "check_clause": "(`status` in (_utf8mb4'new',_utf8mb4'done'))", "level": "Table",
                    "enforced": "YES"}],
        "others": [{"kind": "view", "table_schema": "app", "name": "v_items", "on_table": None}],
    }


def _mysql8_models() -> sa.MetaData:
    md = sa.MetaData()
    items = sa.Table(
        "items", md,
        sa.Column("id", sa.BigInteger, primary_key=True),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("status", sa.String(20), nullable=False, server_default="new"),
        sa.Column("price", sa.Numeric(8, 2), nullable=False, server_default=sa.text("0")),
        sa.Column("active", sa.Boolean, nullable=False, server_default=sa.text("true")),
        sa.Column("attrs", sa.JSON),
        sa.Column("created_at", sa.DateTime, nullable=False, server_default=sa.func.now()),
        sa.Column("doubled", sa.Numeric(9, 2), sa.Computed("price * 2")),
        sa.Column("owner_id", sa.Integer, sa.ForeignKey("items.id", name="fk_owner", ondelete="RESTRICT")),
        sa.UniqueConstraint("title", name="uq_title"),
        sa.CheckConstraint("price >= 0", name="ck_price"),
        sa.CheckConstraint("status IN ('new', 'done')", name="ck_status"),
    )
    sa.Index("ix_lower_title", sa.func.lower(items.c.title))
    sa.Index("ix_status_desc", items.c.status.desc())
    return md


def test_mysql8_rows_build_the_ir_the_models_declare():
    live = MYSQL.build(_mysql8_rows(), "app", "8.0.36-0ubuntu")
    models = load_metadata(_mysql8_models(), MYSQL)
    assert_in_sync(live, models)
    table = live.tables[0]
    assert live.dialect == "mysql" and live.not_compared == ("view v_items",)
    assert table.column("attrs").type.name == "json"
    assert table.column("created_at").default.expr == "current_timestamp()"
    assert table.column("doubled").generated.expr == "price * 2" and not table.column("doubled").generated.stored
    assert [p.expr for p in next(i for i in table.indexes if i.name == "ix_lower_title").parts] == ["lower(title)"]
    assert next(i for i in table.indexes if i.name == "fk_owner").implicit
    assert table.foreign_keys[0].on_delete == "NO ACTION"
    assert table.options == ()


def test_mysql8_rows_report_real_drift():
    rows = _mysql8_rows()
    rows["columns"][2]["column_default"] = "pending"
    rows["columns"][3]["column_type"] = "decimal(10,2)"
    changes = {(c.kind, c.name) for c in diff(MYSQL.build(rows, "app", "8.0.36"),
                                              load_metadata(_mysql8_models(), MYSQL))}
    assert changes == {("alter_column", "status"), ("alter_column", "price")}


# -- foreign keys a SELECT-only user can see ---------------------------------------------------
SHOW_CREATE = """CREATE TABLE `or``ders` (
  `id` int(11) NOT NULL,
  `user_id` int(11) DEFAULT NULL,
  `a` int(11) DEFAULT NULL,
  `b%` int(11) DEFAULT NULL COMMENT 'CONSTRAINT `fake` FOREIGN KEY (`a`) REFERENCES `x` (`y`)',
  PRIMARY KEY (`id`),
  KEY `fk1` (`user_id`),
  CONSTRAINT `fk1` FOREIGN KEY (`user_id`) REFERENCES `users` (`id`) ON DELETE CASCADE,
  CONSTRAINT `fk 2` FOREIGN KEY (`a`, `b%`) REFERENCES `other`.`us,ers` (`a`, `b)`) ON DELETE SET NULL ON UPDATE NO ACTION
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci"""


def _fk_row(name, seq, column, ref_column, ref_table="users", ref_schema="app", rules=(None, None)):
    return {"table_schema": "app", "table_name": "or`ders", "constraint_name": name, "seq": seq,
            "column_name": column, "ref_schema": ref_schema, "ref_table": ref_table,
            "ref_column": ref_column, "update_rule": rules[0], "delete_rule": rules[1]}


def test_foreign_keys_read_from_show_create_table():
    from schemadrift.dialects.mysql import foreign_key_rows
    rows = foreign_key_rows("app", "or`ders", SHOW_CREATE)
    assert [(r["constraint_name"], r["seq"], r["column_name"], r["ref_schema"], r["ref_table"], r["ref_column"],
             r["update_rule"], r["delete_rule"]) for r in rows] == [
        ("fk1", 1, "user_id", "app", "users", "id", "RESTRICT", "CASCADE"),
        ("fk 2", 1, "a", "other", "us,ers", "a", "NO ACTION", "SET NULL"),
        ("fk 2", 2, "b%", "other", "us,ers", "b)", "NO ACTION", "SET NULL")]
    ansi = foreign_key_rows("app", "t", 'CONSTRAINT "f""k" FOREIGN KEY ("a") REFERENCES "p" ("id") ON UPDATE CASCADE')
    assert [(r["constraint_name"], r["ref_table"], r["update_rule"], r["delete_rule"]) for r in ansi] == [
        ('f"k', "p", "CASCADE", "RESTRICT")]


def test_foreign_keys_without_their_rules_are_completed_only_where_missing():
    from schemadrift.dialects.mysql import replace_foreign_key_rows, tables_missing_fk_facts
    # MariaDB, SELECT-only user: KEY_COLUMN_USAGE rows, no REFERENTIAL_CONSTRAINTS rules
    hidden = [_fk_row("fk1", 1, "user_id", "id"), _fk_row("fk 2", 1, "a", "a", "us,ers", "other"),
              _fk_row("fk 2", 2, "b%", "b)", "us,ers", "other")]
    assert tables_missing_fk_facts(hidden) == {("app", "or`ders")}
    completed = replace_foreign_key_rows(hidden, {("app", "or`ders"): SHOW_CREATE})
    assert tables_missing_fk_facts(completed) == set()
    assert [r["constraint_name"] for r in completed] == ["fk1", "fk 2", "fk 2"]  # not the comment's "fake"
    table = MARIADB.build({"tables": [{"table_schema": "app", "table_name": "or`ders", "table_type": "BASE TABLE",
                                       "engine": "InnoDB", "collation": None, "comment": ""}],
                           "foreign_keys": completed}, "app", "10.11.19").tables[0]
    assert [(fk.name, fk.on_delete, fk.on_update, fk.ref_schema) for fk in table.foreign_keys] == [
        ("fk 2", "SET NULL", "NO ACTION", "other"), ("fk1", "CASCADE", "NO ACTION", None)]
    # a newer MariaDB hides the referenced table of a table the user may not see: also completed
    assert tables_missing_fk_facts([_fk_row("fk1", 1, "user_id", None, None, None, ("RESTRICT", "CASCADE"))])


def test_mysql8_select_only_rows_need_no_show_create_table():
    """MySQL 8's information_schema views filter with CAN_ACCESS_TABLE (any privilege, SELECT
    included): a SELECT-only user gets REFERENTIAL_CONSTRAINTS' rules, so nothing is read twice."""
    from schemadrift.dialects.mysql import tables_missing_fk_facts
    assert tables_missing_fk_facts(_mysql8_rows()["foreign_keys"]) == set()


def test_table_options_relative_to_database_defaults():
    rows = _mysql8_rows()
    rows["tables"][0].update(engine="MyISAM", collation="latin1_bin", charset="latin1",
                             collation_is_default="")
    rows["columns"][1]["collation"] = "latin1_bin"
    rows["columns"][2]["collation"] = "utf8mb4_0900_ai_ci"
    table = MYSQL.build(rows, "app", "8.0.36").tables[0]
    assert table.options == (("charset", "latin1"), ("collate", "latin1_bin"), ("engine", "MyISAM"))
    assert table.column("title").collation is None
    assert table.column("status").collation == "utf8mb4_0900_ai_ci"


def test_models_table_options_and_collations():
    md = sa.MetaData()
    sa.Table("a", md, sa.Column("x", sa.String(10, collation="utf8mb4_bin")),
             sa.Column("y", sa.String(10, collation="utf8mb4_general_ci")), mysql_engine="InnoDB",
             mysql_charset="utf8mb4")
    sa.Table("b", md, sa.Column("x", sa.String(10, collation="latin1_bin")), mysql_engine="MyISAM",
             mysql_charset="latin1", mysql_collate="latin1_bin")
    sa.Table("c", md, sa.Column("at", sa.TIMESTAMP, server_default=sa.text(
        "CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP")))
    sa.Index("ix_a", md.tables["a"].c.x, md.tables["a"].c.y, mysql_length={"x": 4}, mysql_prefix="FULLTEXT")
    a, b, c = load_metadata(md, MARIADB).tables
    assert a.options == () and a.column("x").collation == "utf8mb4_bin" and a.column("y").collation is None
    assert a.indexes[0].method == "fulltext" and [p.prefix_length for p in a.indexes[0].parts] == [4, None]
    assert b.options == (("charset", "latin1"), ("collate", "latin1_bin"), ("engine", "MyISAM"))
    assert b.column("x").collation is None
    assert c.column("at").default.expr == "current_timestamp() on update current_timestamp()"
    assert dict(load_metadata(md, MYSQL).tables[0].options) == {}
    assert MYSQL.default_collation("utf8mb4") == "utf8mb4_0900_ai_ci"
    assert dialects.get("mariadb", "11.8.2").default_collation("utf8") == "utf8mb3_general_ci"


def test_mariadb_json_is_longtext_with_its_check():
    cols = (Column("doc", ColumnType("longtext"), collation="utf8mb4_bin"), Column("memo", ColumnType("longtext")))
    table = Table("t", cols, checks=(Check("doc", "json_valid(doc)"), Check("ck", "memo <> ''")))
    out = MARIADB.normalize(Schema("mariadb", (table,))).tables[0]
    assert out.column("doc").type.name == "json" and out.column("doc").collation is None
    assert out.column("memo").type.name == "longtext"
    assert [c.name for c in out.checks] == ["ck"]


def test_column_names_fold_case_in_keys_and_references():
    parent = Table("p", (Column("Code", ColumnType("varchar", (5,))),))
    child = Table("c", (Column("Ref", ColumnType("varchar", (5,))),),
                  indexes=(Index("ix", (IndexPart("REF"),)),),
                  foreign_keys=(ForeignKey("fk", ("ref",), "p", ("CODE",)),))
    out = MARIADB.normalize(Schema("mariadb", (parent, child))).table("c")
    assert out.indexes[0].columns == ("Ref",) and out.foreign_keys[0].columns == ("Ref",)
    assert out.foreign_keys[0].ref_columns == ("Code",)
    assert MARIADB.column_key("Email") == MARIADB.column_key("EMAIL")


@pytest.mark.parametrize("d", [MARIADB, MYSQL], ids=lambda d: d.flavour)
def test_index_and_constraint_names_fold_case(d):
    """MariaDB refuses CHECK ``c`` next to ``C`` (1826): the names are one, spelled two ways."""
    def one(check, index, fk):
        parent = Table("p", (Column("id", ColumnType("int")),), PrimaryKey(("id",)))
        child = Table("c", (Column("a", ColumnType("int")),), checks=(Check(check, "`a` > 0"),),
                      indexes=(Index(index, (IndexPart("a"),)),),
                      foreign_keys=(ForeignKey(fk, ("a",), "p", ("id",)),))
        return Schema(d.flavour, (parent, child))
    assert diff(one("CK_A", "IX_A", "FK_A"), one("ck_a", "ix_a", "fk_a"), dialect=d).in_sync
    assert not diff(one("ck_a", "ix_a", "fk_a"), one("ck_b", "ix_a", "fk_a"), dialect=d).in_sync


def test_check_name_case_is_no_drift_on_the_server():
    ddl = "CREATE TABLE orders (id int PRIMARY KEY, quantity int, CONSTRAINT {} CHECK (quantity > 0))"
    with scratch_database("mariadb") as a, scratch_database("mariadb") as b:
        execute(a, [ddl.format("CHK_QUANTITY")])
        execute(b, [ddl.format("chk_quantity")])
        assert diff(load(a), load(b)).in_sync


def test_implicit_foreign_key_indexes():
    fk = ForeignKey("c_ibfk_1", ("pid",), "p", ("id",))
    cols = (Column("pid", ColumnType("integer")), Column("x", ColumnType("integer")))

    def implicit(*indexes):
        table = MARIADB.normalize(Schema("mariadb", (Table("c", cols, indexes=indexes, foreign_keys=(fk,)),)))
        return {i.name: i.implicit for i in table.tables[0].indexes}

    assert implicit(Index("pid", (IndexPart("pid"),)), Index("pid_2", (IndexPart("pid"),))) == {
        "pid": True, "pid_2": True}
    assert implicit(Index("ix_pid", (IndexPart("pid"),)), Index("c_ibfk_1", (IndexPart("pid"), IndexPart("x")))) \
        == {"ix_pid": False, "c_ibfk_1": False}
    assert implicit(Index("pid", (IndexPart("pid"),), unique=True)) == {"pid": False}


def test_unique_index_is_the_unique_constraint_and_primary_has_no_name():
    table = Table("t", (Column("a", ColumnType("integer")),), primary_key=PrimaryKey(("A",), "PRIMARY"),
                  indexes=(Index("u", (IndexPart("a"),), unique=True),))
    out = MARIADB.normalize(Schema("mariadb", (table,))).tables[0]
    assert out.indexes[0].is_constraint and out.primary_key == PrimaryKey(("a",))


def test_version_predicates():
    assert MARIADB.is_mariadb and not MYSQL.is_mariadb
    assert dialects.get("mysql", "8.0.28").supports_instant_drop_column() is False
    assert MYSQL.supports_instant_drop_column() and MARIADB.supports_instant_drop_column()
    assert dialects.get("mariadb", "10.2.6").quotes_column_default() is False
    assert MARIADB.quotes_column_default() and not MYSQL.quotes_column_default()
    assert dialects.get("mysql", "5.7.40").supports_check() is False
    assert dialects.get("mysql", "5.7.40").catalog_sql("checks") is None
    assert "EXPRESSION" in MYSQL.catalog_sql("indexes") and "EXPRESSION" not in MARIADB.catalog_sql("indexes")
    assert "EXPRESSION" not in dialects.get("mysql", "8.0.12").catalog_sql("indexes")
    assert "TABLE_CONSTRAINTS" in MYSQL.catalog_sql("checks") and "LEVEL" in MARIADB.catalog_sql("checks")


# -- rendering one-liners ------------------------------------------------------------------------
USERS = Table("users", (Column("id", ColumnType("integer", raw="int(11)"), nullable=False,
                               identity=None),
                        Column("name", ColumnType("varchar", (20,), raw="varchar(20)"), nullable=False),
                        Column("email", ColumnType("varchar", (100,), raw="varchar(100)"))),
              primary_key=PrimaryKey(("id",)))
NICK = Column("nick", ColumnType("varchar", (30,), raw="varchar(30)"), default=Default("'x'"))


def sql(op, d=MARIADB):
    return d.render(op)


def test_render_columns():
    assert sql(O.AddColumn(USERS, NICK)) == [
        "ALTER TABLE `users` ADD COLUMN `nick` varchar(30) NULL DEFAULT 'x', ALGORITHM=INSTANT"]
    assert sql(O.DropColumn(USERS, USERS.columns[2])) == [
        "ALTER TABLE `users` DROP COLUMN `email`, ALGORITHM=INSTANT"]
    wider = dataclasses.replace(USERS.columns[1], type=ColumnType("varchar", (40,), raw="varchar(40)"))
    assert sql(O.AlterColumn(USERS, USERS.columns[1], wider, frozenset({"type"}))) == [
        "ALTER TABLE `users` MODIFY COLUMN `name` varchar(40) NOT NULL, ALGORITHM=INSTANT"]
    assert sql(O.AlterColumn(USERS, USERS.columns[1], wider, frozenset({"type"})), MYSQL) == [
        "ALTER TABLE `users` MODIFY COLUMN `name` varchar(40) NOT NULL, ALGORITHM=INPLACE, LOCK=NONE"]
    narrower = dataclasses.replace(wider, type=ColumnType("varchar", (10,), raw="varchar(10)"))
    assert sql(O.AlterColumn(USERS, USERS.columns[1], narrower, frozenset({"type"}))) == [
        "ALTER TABLE `users` MODIFY COLUMN `name` varchar(10) NOT NULL"]
    with_default = dataclasses.replace(USERS.columns[1], default=Default("'n'"))
    assert sql(O.AlterColumn(USERS, USERS.columns[1], with_default, frozenset({"default"}))) == [
        "ALTER TABLE `users` ALTER COLUMN `name` SET DEFAULT 'n', ALGORITHM=INSTANT"]
    assert sql(O.AlterColumn(USERS, with_default, USERS.columns[1], frozenset({"default"})), MYSQL) == [
        "ALTER TABLE `users` ALTER COLUMN `name` DROP DEFAULT"]
    assert sql(O.CopyColumn(USERS, USERS.columns[1], NICK)) == ["UPDATE `users` SET `nick` = `name`"]
    assert sql(O.FillColumn(USERS, NICK, "'-'")) == ["UPDATE `users` SET `nick` = '-' WHERE `nick` IS NULL"]


def test_render_indexes_keys_and_constraints():
    ix = Index("ix_name", (IndexPart("name", prefix_length=5), IndexPart("email", descending=True)))
    assert sql(O.CreateIndex(USERS, ix)) == [
        "ALTER TABLE `users` ADD INDEX `ix_name` (`name`(5), `email` DESC), ALGORITHM=INPLACE, LOCK=NONE"]
    uq = Index("uq_email", (IndexPart("email"),), unique=True, is_constraint=True)
    assert sql(O.CreateIndex(USERS, uq)) == [
        "ALTER TABLE `users` ADD UNIQUE INDEX `uq_email` (`email`), ALGORITHM=INPLACE, LOCK=NONE"]
    ft = Index("ft", (IndexPart("name"),), method="fulltext")
    assert sql(O.CreateIndex(USERS, ft))[0].endswith("ADD FULLTEXT INDEX `ft` (`name`), ALGORITHM=INPLACE, LOCK=SHARED")
    fx = Index("ix_lower", (IndexPart(expr="lower(name)"),))
    assert sql(O.CreateIndex(USERS, fx), MYSQL)[0].startswith("ALTER TABLE `users` ADD INDEX `ix_lower` ((lower(name)))")
    assert sql(O.DropIndex(USERS, ix)) == ["ALTER TABLE `users` DROP INDEX `ix_name`, ALGORITHM=INPLACE, LOCK=NONE"]
    fk = ForeignKey("fk_ref", ("id",), "users", ("id",), on_delete="CASCADE")
    assert sql(O.AddForeignKey(USERS, fk)) == [
        "ALTER TABLE `users` ADD CONSTRAINT `fk_ref` FOREIGN KEY (`id`) REFERENCES `users` (`id`) ON DELETE CASCADE"]
    assert sql(O.AddCheck(USERS, Check("ck", "id > 0"))) == ["ALTER TABLE `users` ADD CONSTRAINT `ck` CHECK (id > 0)"]
    assert sql(O.DropCheck(USERS, Check("ck", "id > 0"))) == ["ALTER TABLE `users` DROP CONSTRAINT `ck`"]
    assert sql(O.DropCheck(USERS, Check("ck", "id > 0")), dialects.get("mysql", "8.0.16")) == [
        "ALTER TABLE `users` DROP CHECK `ck`"]
    with_check = dataclasses.replace(USERS, checks=(Check("email", "email <> ''"),))
    assert sql(O.DropCheck(with_check, Check("email", "email <> ''"))) == [  # a MariaDB column-level check
        "ALTER TABLE `users` MODIFY COLUMN `email` varchar(100) NULL",
        "ALTER TABLE `users` DROP CONSTRAINT IF EXISTS `email`"]
    assert sql(O.AddCheck(USERS, Check("Email", "email <> ''"))) == [
        "ALTER TABLE `users` MODIFY COLUMN `email` varchar(100) NULL CHECK (email <> '')"]
    assert sql(O.DropCheck(with_check, Check("email", "email <> ''")), MYSQL) == [
        "ALTER TABLE `users` DROP CONSTRAINT `email`"]
    assert sql(O.AddPrimaryKey(dataclasses.replace(USERS, primary_key=None), PrimaryKey(("id",)))) == [
        "ALTER TABLE `users` ADD PRIMARY KEY (`id`), ALGORITHM=INPLACE, LOCK=NONE"]
    assert sql(O.DropPrimaryKey(USERS, USERS.primary_key)) == ["ALTER TABLE `users` DROP PRIMARY KEY"]


def test_render_drop_foreign_key_drops_its_implicit_index_too():
    fk = ForeignKey("fk_ref", ("email",), "users", ("id",))
    implicit = Index("fk_ref", (IndexPart("email"),), implicit=True)
    table = dataclasses.replace(USERS, foreign_keys=(fk,), indexes=(implicit,))
    assert sql(O.DropForeignKey(table, fk)) == [
        "ALTER TABLE `users` DROP FOREIGN KEY `fk_ref`",
        "ALTER TABLE `users` DROP INDEX `fk_ref`, ALGORITHM=INPLACE, LOCK=NONE"]
    explicit = dataclasses.replace(table, indexes=(Index("ix_email", (IndexPart("email"),)),))
    assert sql(O.DropForeignKey(explicit, fk)) == ["ALTER TABLE `users` DROP FOREIGN KEY `fk_ref`"]


def test_render_tables_and_hostile_names():
    weird = Table('we"ird `t`', (Column("sp ace", ColumnType("integer", raw="int"), nullable=False,
                                        comment="it's"),
                                 Column("ünï", ColumnType("varchar", (3,), raw="varchar(3)"),
                                        collation="latin1_bin")),
                  primary_key=PrimaryKey(("sp ace",)), comment="a\\b", options=(("engine", "MyISAM"),))
    assert sql(O.CreateTable(weird)) == [
        "CREATE TABLE `we\"ird ``t``` (\n  `sp ace` int NOT NULL COMMENT 'it''s',\n"
        "  `ünï` varchar(3) COLLATE latin1_bin NULL,\n  PRIMARY KEY (`sp ace`)\n) ENGINE=MyISAM COMMENT='a\\\\b'"]
    assert sql(O.DropTable(weird)) == ["DROP TABLE `we\"ird ``t```"]
    assert sql(O.SetTableComment(USERS, None)) == ["ALTER TABLE `users` COMMENT=''"]
    assert sql(O.SetTableOptions(USERS, (("engine", "MyISAM"),))) == ["ALTER TABLE `users` ENGINE=MyISAM"]
    assert sql(O.CopyRows(USERS, source=weird, columns=(("id", "sp ace"),))) == [
        "INSERT INTO `users` (`id`) SELECT `sp ace` FROM `we\"ird ``t```"]


BATCHED_FILL = """BEGIN NOT ATOMIC
  DECLARE CONTINUE HANDLER FOR NOT FOUND BEGIN END;
  SET @sd_lo_1 = NULL, @sd_hi_1 = NULL;
  SELECT `id` INTO @sd_lo_1 FROM `users` ORDER BY `id` LIMIT 1;
  WHILE @sd_lo_1 IS NOT NULL DO
    SELECT `id` INTO @sd_hi_1 FROM (SELECT `id` FROM `users` WHERE `id` >= @sd_lo_1 ORDER BY `id` LIMIT 500) AS sd_batch ORDER BY `id` DESC LIMIT 1;
    UPDATE `users` SET `email` = lower(name) WHERE `email` IS NULL AND `id` >= @sd_lo_1 AND `id` <= @sd_hi_1;
    IF EXISTS (SELECT 1 FROM `users` WHERE `id` >= @sd_lo_1 AND `id` <= @sd_hi_1 AND `email` IS NULL AND (lower(name)) IS NULL) THEN SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'backfill of users.email: the expression gives NULL for some rows'; END IF;
    COMMIT;
    SET @sd_lo_1 = NULL;
    SELECT `id` INTO @sd_lo_1 FROM `users` WHERE `id` > @sd_hi_1 ORDER BY `id` LIMIT 1;
  END WHILE;
END"""


def test_render_batched_fill_is_one_compound_statement_on_mariadb():
    """Paged by the key, never by ROW_COUNT(); unbatched, the UPDATE is as before."""
    assert sql(O.FillColumn(USERS, USERS.columns[2], "lower(name)", batch_size=500)) == [BATCHED_FILL]
    assert sql(O.FillColumn(USERS, USERS.columns[2], "lower(name)")) == [
        "UPDATE `users` SET `email` = lower(name) WHERE `email` IS NULL"]


def test_render_batched_backfills_on_mysql_are_a_procedure_created_called_and_dropped():
    """MySQL has no compound statement outside stored programs: the same loop is the body of a
    procedure the step creates, calls and drops (named after the step, in the table's schema)."""
    fill = O.FillColumn(USERS, USERS.columns[2], "lower(name)", batch_size=500)
    drop_old, create, call, drop = sql(fill, MYSQL)
    name = drop.removeprefix("DROP PROCEDURE ")
    assert name.startswith("`sd_backfill_") and len(name) == len("`sd_backfill_`") + 12
    assert (drop_old, call) == (f"DROP PROCEDURE IF EXISTS {name}", f"CALL {name}()")
    assert create == f"CREATE PROCEDURE {name}()\nBEGIN\n" + BATCHED_FILL.removeprefix("BEGIN NOT ATOMIC\n")
    assert sql(fill, MYSQL) == sql(fill, MYSQL)  # stable
    other = sql(O.FillColumn(USERS, USERS.columns[1], "'-'", batch_size=500), MYSQL)
    assert other[-1] != drop
    elsewhere = dataclasses.replace(USERS, schema="app")
    assert sql(dataclasses.replace(fill, table=elsewhere), MYSQL)[2].startswith("CALL `app`.`sd_backfill_")


def test_render_batched_copies_page_by_every_key_column():
    """A composite key is compared column by column (a range of the index), the copy of a renamed
    table by the old table's key."""
    keyed = dataclasses.replace(USERS, primary_key=PrimaryKey(("id", "name")))
    [block] = sql(O.CopyColumn(keyed, keyed.columns[1], NICK, batch_size=3))
    assert "UPDATE `users` SET `nick` = `name` WHERE (`id` > @sd_lo_1 OR `id` = @sd_lo_1 AND `name` >= @sd_lo_2) " \
           "AND (`id` < @sd_hi_1 OR `id` = @sd_hi_1 AND `name` <= @sd_hi_2);" in block
    assert "SELECT `id`, `name` INTO @sd_lo_1, @sd_lo_2 FROM `users` WHERE (`id` > @sd_hi_1 OR `id` = @sd_hi_1 " \
           "AND `name` > @sd_hi_2) ORDER BY `id`, `name` LIMIT 1;" in block
    assert "ORDER BY `id` DESC, `name` DESC LIMIT 1;" in block and "SIGNAL" not in block
    weird = Table("we`ird", (Column("k`", ColumnType("bigint", unsigned=True, raw="bigint unsigned"), nullable=False),),
                  primary_key=PrimaryKey(("k`",)))
    [copy] = sql(O.CopyRows(USERS, source=weird, columns=(("id", "k`"),), batch_size=7))
    assert "INSERT INTO `users` (`id`) SELECT `k``` FROM `we``ird` WHERE `k``` >= @sd_lo_1 AND `k``` <= @sd_hi_1;" in copy
    assert "LIMIT 7) AS sd_batch" in copy


@pytest.mark.parametrize("key_type", [ColumnType("double", raw="double"), ColumnType("timestamptz", raw="timestamp"),
                                      ColumnType("enum", values=("a", "b"), raw="enum('a','b')"), None])
def test_render_batched_backfill_without_an_exact_key_is_one_statement(key_type):
    """No key, or a key whose values a user variable does not hold exactly in the index's order
    (FLOAT/DOUBLE, TIMESTAMP in local time, ENUM): one UPDATE, as without batches."""
    table = USERS if key_type is None else dataclasses.replace(
        USERS, columns=(dataclasses.replace(USERS.columns[0], type=key_type),) + USERS.columns[1:])
    if key_type is None:
        table = dataclasses.replace(USERS, primary_key=None)
    assert sql(O.FillColumn(table, USERS.columns[2], "'-'", batch_size=5)) == [
        "UPDATE `users` SET `email` = '-' WHERE `email` IS NULL"]
    assert sql(O.FillColumn(table, USERS.columns[2], "'-'", batch_size=5), MYSQL) == [
        "UPDATE `users` SET `email` = '-' WHERE `email` IS NULL"]


def test_script_wraps_only_compound_statements_in_a_delimiter_they_do_not_hold():
    assert MARIADB.script_statement("ALTER TABLE `a;b` DROP COLUMN `x`") == "ALTER TABLE `a;b` DROP COLUMN `x`;"
    assert MARIADB.script_statement("SELECT 1;") == "SELECT 1;"
    assert MARIADB.script_statement(BATCHED_FILL) == f"DELIMITER $$\n{BATCHED_FILL}\n$$\nDELIMITER ;"
    holding = BATCHED_FILL.replace("`users`", "`u$$`")
    assert MARIADB.script_statement(holding) == f"DELIMITER $$$\n{holding}\n$$$\nDELIMITER ;"
    create = sql(O.FillColumn(USERS, USERS.columns[2], "'-'", batch_size=5), MYSQL)[1]
    assert MYSQL.script_statement(create).startswith("DELIMITER $$\nCREATE PROCEDURE")


def test_batched_fill_message_fits_signal():
    """SIGNAL's MESSAGE_TEXT holds 128 characters: a long name is shortened, the reason kept."""
    long = dataclasses.replace(USERS, name="t" * 64)
    [block] = sql(O.FillColumn(long, dataclasses.replace(NICK, name="c" * 64), "'-'", batch_size=5))
    message = block.split("MESSAGE_TEXT = '")[1].split("'; END IF")[0]
    assert len(message) == 128 and message.endswith("…: the expression gives NULL for some rows")


def test_render_sync_triggers_and_what_mysql_has_not():
    old, new = USERS.columns[1], dataclasses.replace(USERS.columns[1], name="full_name")
    create = sql(O.CreateSyncTrigger(USERS, old, new))
    assert create[0].startswith("CREATE TRIGGER `sd_sync_users_name_full_name_ins` BEFORE INSERT ON `users`")
    assert "BEFORE UPDATE" in create[1] and "<=>" in create[1]
    assert sql(O.DropSyncTrigger(USERS, old, new)) == [
        "DROP TRIGGER IF EXISTS `sd_sync_users_name_full_name_ins`",
        "DROP TRIGGER IF EXISTS `sd_sync_users_name_full_name_upd`"]
    long = dataclasses.replace(new, name="x" * 64)
    assert all(len(n) <= 64 for n in MARIADB.sync_trigger_names(O.CreateSyncTrigger(USERS, old, long)))
    with pytest.raises(PlanError):
        MARIADB.render(O.CreateEnum(None, EnumType("mood", ("a",))))


def test_hazards_transactional_and_rollback():
    kinds = lambda op, d=MARIADB: sorted({h.kind.value for h in d.hazards(op)})  # noqa: E731
    assert kinds(O.AddColumn(USERS, NICK)) == []
    assert kinds(O.AddColumn(USERS, dataclasses.replace(NICK, default=Default("uuid()", "expression")))) \
        == ["table_rewrite"]
    narrower = dataclasses.replace(USERS.columns[1], type=ColumnType("varchar", (10,)))
    assert kinds(O.AlterColumn(USERS, USERS.columns[1], narrower, frozenset({"type"}))) == [
        "blocking_lock", "table_rewrite"]
    not_null = dataclasses.replace(USERS.columns[2], nullable=False)
    assert kinds(O.AlterColumn(USERS, USERS.columns[2], not_null, frozenset({"nullable"}))) == [
        "table_rewrite", "validation_scan"]
    assert "index_build" in kinds(O.CreateIndex(USERS, Index("i", (IndexPart("name"),))))
    assert "table_rewrite" in kinds(O.AddForeignKey(USERS, ForeignKey("f", ("id",), "users", ("id",))))
    assert "validation_scan" in kinds(O.AddCheck(USERS, Check("ck", "id > 0")))
    assert MARIADB.transactional(O.AddColumn(USERS, NICK)) is False
    assert MARIADB.session_settings(O.AddColumn(USERS, NICK)) == ["SET SESSION lock_wait_timeout = 10"]
    assert MARIADB.render_rollback(O.AddColumn(USERS, NICK)) == [
        "ALTER TABLE `users` DROP COLUMN `nick`, ALGORITHM=INSTANT"]
    assert MARIADB.render_rollback(O.DropTable(USERS)) is None
    assert MARIADB.render_rollback(O.CopyColumn(USERS, USERS.columns[1], NICK)) == []


# -- live: models → database → introspect --------------------------------------------------------
def _create_all(url: str, md: sa.MetaData) -> None:
    engine = sa.create_engine(url)
    try:
        md.create_all(engine)
    finally:
        engine.dispose()


def _options_models() -> sa.MetaData:
    md = sa.MetaData()
    a = sa.Table("a", md, sa.Column("id", sa.Integer, primary_key=True),
                 sa.Column("x", sa.String(10, collation="utf8mb4_bin")), sa.Column("y", sa.Text),
                 sa.Column("at", sa.TIMESTAMP, server_default=sa.text("CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP")),
                 sa.Column("ref", sa.Integer, sa.ForeignKey("b.id", name="fk_a_ref")),
                 sa.Column("flag", sa.Boolean, server_default=sa.false()),
                 mysql_engine="InnoDB", mysql_charset="utf8mb4")
    sa.Table("b", md, sa.Column("id", sa.Integer, primary_key=True), sa.Column("x", sa.String(10)),
             sa.Column("doc", sa.JSON), mysql_charset="latin1", mysql_collate="latin1_bin", comment="b's")
    sa.Table("c", md, sa.Column("id", sa.Integer, primary_key=True, autoincrement=False), mysql_engine="MyISAM")
    sa.Index("ft_a", a.c.y, mysql_prefix="FULLTEXT")
    sa.Index("ix_a", a.c.y, a.c.x, mysql_length={"y": 12}, unique=True)
    sa.Index("ix_a_desc", a.c.ref.desc(), a.c.id)
    return md


@pytest.mark.parametrize("models", [rich.for_dialect("mariadb"), bookshop.metadata, _options_models()],
                         ids=["rich", "bookshop", "options"])
def test_models_round_trip_in_sync(models):
    with scratch_database("mariadb") as url:
        _create_all(url, models)
        live = load(url)
    declared = load_metadata(models, dialects.get("mariadb", live.server_version))
    assert_in_sync(live, declared)
    assert_in_sync(declared, live)
    assert snapshot.from_json(snapshot.to_json(live)) == live


def test_models_drift_is_reported():
    with scratch_database("mariadb") as url:
        _create_all(url, bookshop.metadata)
        execute(url, ["ALTER TABLE orders ALTER COLUMN status SET DEFAULT 'pending'",
                      "ALTER TABLE books MODIFY title VARCHAR(500) NOT NULL",
                      "DROP INDEX ix_books_deleted_at ON books"])
        live = load(url)
    changes = {(c.kind, c.name) for c in diff(live, load_metadata(bookshop.metadata, MARIADB))}
    assert changes == {("alter_column", "status"), ("alter_column", "title"), ("add_index", "ix_books_deleted_at")}


def test_hostile_identifiers_introspect_and_render_back():
    ddl = ["CREATE TABLE `pa rent` (`ïd` int PRIMARY KEY)",
           "CREATE TABLE `we\"ird` (`ba``ck` int NOT NULL, `sp ace` varchar(10) DEFAULT 'a''b\\\\c' COMMENT '100%',"
           " `ünï` int, PRIMARY KEY (`ba``ck`), UNIQUE KEY `u q` (`sp ace`), KEY `i\"x` (`ünï`),"
           " CONSTRAINT `f k` FOREIGN KEY (`ünï`) REFERENCES `pa rent` (`ïd`),"
           " CONSTRAINT `c\"k` CHECK (`ba``ck` > 0 AND `sp ace` <> '%')) COMMENT 'we''ird'"]
    with scratch_database("mariadb") as a, scratch_database("mariadb") as b:
        execute(a, ddl)
        first = load(a)
        statements = []
        for table in sorted(first.tables, key=lambda t: t.name):
            statements += MARIADB.render(O.CreateTable(table))
            statements += [s for ix in table.indexes if not ix.is_constraint and not ix.implicit
                           for s in MARIADB.render(O.CreateIndex(table, ix))]
        execute(b, statements)
        second = load(b)
    weird = first.table('we"ird')
    assert weird.column("ba`ck") and weird.column("sp ace").default.expr == "'a''b\\\\c'"
    assert {c.name for c in weird.checks} == {'c"k'}
    assert_in_sync(first, second)
    assert first == second


# -- live: apply each op's SQL and re-introspect ---------------------------------------------------
BASE_DDL = ("CREATE TABLE {t} (id int NOT NULL AUTO_INCREMENT PRIMARY KEY, name varchar(20) NOT NULL,"
            " email varchar(100) NULL CHECK (email <> ''), doc tinyblob, plain int, twice int AS (ref * 2) VIRTUAL, status enum('a','b') NOT NULL DEFAULT 'a', ref int NULL,"
            " KEY ix_name (name), CONSTRAINT {t}_ck CHECK (ref > 0),"
            " CONSTRAINT {t}_fk FOREIGN KEY (ref) REFERENCES {t} (id)) COMMENT 'base'")


class LiveDB:
    """One scratch database and one pooled engine for the many small apply-and-reintrospect tests."""

    def __init__(self, url: str):
        self.url = url
        self.engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")

    def run(self, statements) -> None:
        raw = self.engine.raw_connection()  # a DBAPI cursor: no %-formatting of the SQL
        try:
            cur = raw.cursor()
            for statement in statements:
                cur.execute(statement)
            cur.close()
        finally:
            raw.close()

    def schema(self) -> Schema:
        with self.engine.connect() as conn:
            return dialects.for_connection(conn).introspect(conn)

    def table(self, name: str) -> Table:
        return self.schema().table(name)


@pytest.fixture(scope="module")
def my_db():
    with scratch_database("mariadb") as url:
        db = LiveDB(url)
        yield db
        db.engine.dispose()


def _apply(db: LiveDB, name: str, make_op) -> tuple[Table, Table, object]:
    db.run([BASE_DDL.format(t=name)])
    before = db.table(name)
    op = make_op(before)
    db.run(MARIADB.render(op))
    return before, db.table(name), op


def _expected(op, before: Table) -> Schema:
    after = op.apply(before)
    if op.kind == "drop_foreign_key":  # its implicit index goes with it (see render_drop_foreign_key)
        after = dataclasses.replace(after, indexes=tuple(i for i in after.indexes if not i.implicit))
    if op.kind == "drop_column":  # and a MariaDB column-level CHECK with its column
        after = dataclasses.replace(after, checks=tuple(c for c in after.checks if c.name != op.column.name))
    return MARIADB.normalize(Schema("mariadb", (after,)))


OPS = {
    "add_column": lambda t: O.AddColumn(t, Column("nick", ColumnType("varchar", (30,), raw="varchar(30)"),
                                                  nullable=False, default=Default("'x'"))),
    "add_column_ts": lambda t: O.AddColumn(t, Column("at", ColumnType("timestamptz", raw="timestamp"),
                                                     default=MARIADB.normalize_default(
                                                         "CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP",
                                                         ColumnType("timestamptz")))),
    "drop_column": lambda t: O.DropColumn(t, t.column("email")),
    "widen": lambda t: O.AlterColumn(t, t.column("name"), dataclasses.replace(
        t.column("name"), type=ColumnType("varchar", (60,), raw="varchar(60)")), frozenset({"type"})),
    "narrow": lambda t: O.AlterColumn(t, t.column("email"), dataclasses.replace(
        t.column("email"), type=ColumnType("varchar", (50,), raw="varchar(50)")), frozenset({"type"})),
    "enum_append": lambda t: O.AlterColumn(t, t.column("status"), dataclasses.replace(
        t.column("status"), type=ColumnType("enum", values=("a", "b", "c"))), frozenset({"type"})),
    "set_not_null": lambda t: O.AlterColumn(t, t.column("email"), dataclasses.replace(
        t.column("email"), nullable=False), frozenset({"nullable"})),
    "set_default": lambda t: O.AlterColumn(t, t.column("name"), dataclasses.replace(
        t.column("name"), default=Default("'anon'")), frozenset({"default"})),
    "drop_default": lambda t: O.AlterColumn(t, t.column("status"), dataclasses.replace(
        t.column("status"), default=None), frozenset({"default"})),
    "comment": lambda t: O.AlterColumn(t, t.column("name"), dataclasses.replace(
        t.column("name"), comment="who"), frozenset({"comment"})),
    "collation": lambda t: O.AlterColumn(t, t.column("name"), dataclasses.replace(
        t.column("name"), collation="utf8mb4_bin"), frozenset({"collation"})),
    "table_comment": lambda t: O.SetTableComment(t, "new 'comment'"),
    "table_options": lambda t: O.SetTableOptions(t, (("charset", "latin1"),)),
    "create_index": lambda t: O.CreateIndex(t, Index("ix_email", (IndexPart("email", prefix_length=10),
                                                                  IndexPart("name", descending=True)))),
    "create_unique": lambda t: O.CreateIndex(t, Index("uq_email", (IndexPart("email"),), unique=True,
                                                      is_constraint=True)),
    "create_fulltext": lambda t: O.CreateIndex(t, Index("ft_name", (IndexPart("name"),), method="fulltext")),
    "drop_index": lambda t: O.DropIndex(t, next(i for i in t.indexes if i.name == "ix_name")),
    "add_fk": lambda t: O.AddForeignKey(t, ForeignKey("fk_new", ("id",), t.name, ("id",), on_delete="CASCADE")),
    "drop_fk": lambda t: O.DropForeignKey(t, t.foreign_keys[0]),
    "add_check": lambda t: O.AddCheck(t, Check("ck_name", "name <> ''")),
    "drop_check": lambda t: O.DropCheck(t, t.checks[0]),
    "drop_column_check": lambda t: O.DropCheck(t, next(c for c in t.checks if c.name == "email")),
    "add_column_check": lambda t: O.AddCheck(t, Check("name", "name <> 'x' and email <> ''")),
    "generated": lambda t: O.AlterColumn(t, t.column("plain"), dataclasses.replace(
        t.column("plain"), generated=Generated("char_length(name)", stored=True)), frozenset({"generated"})),
    "ungenerated": lambda t: O.AlterColumn(t, t.column("twice"), dataclasses.replace(
        t.column("twice"), generated=None, nullable=False), frozenset({"generated", "nullable"})),
    "create_hash_unique": lambda t: O.CreateIndex(t, Index("uq_blob", (IndexPart("doc"),), unique=True,
                                                           is_constraint=True, method="hash")),
    "create_on_virtual": lambda t: O.CreateIndex(t, Index("ix_twice", (IndexPart("twice"),))),
    "drop_pk_add_pk": lambda t: O.AddPrimaryKey(dataclasses.replace(t, primary_key=None), PrimaryKey(("id",))),
}


@pytest.mark.parametrize("kind", sorted(OPS) + ["auto_pk"])
def test_apply_and_reintrospect(my_db, kind):
    name = f"t_{kind}"
    if kind == "auto_pk":
        my_db.run([f"CREATE TABLE {name} (name varchar(20))", f"INSERT INTO {name} VALUES ('a'), ('b')"])
        before = my_db.table(name)
        add = O.AddColumn(before, Column("id", ColumnType("bigint", raw="bigint"), nullable=False,
                                         identity=Identity("autoincrement")))
        op = O.AddPrimaryKey(add.apply(before), PrimaryKey(("id",)))
        my_db.run(MARIADB.render(add) + MARIADB.render(op))
        assert_in_sync(Schema("mariadb", (my_db.table(name),)), _expected(op, add.apply(before)))
        my_db.run(MARIADB.render(O.DropPrimaryKey(op.apply(op.table), op.primary_key)))
        assert my_db.table(name).primary_key is None and my_db.table(name).column("id").identity is None
        return
    if kind == "drop_pk_add_pk":
        my_db.run([BASE_DDL.format(t=name), f"ALTER TABLE {name} MODIFY id int NOT NULL",
                   f"ALTER TABLE {name} DROP FOREIGN KEY {name}_fk", f"ALTER TABLE {name} DROP PRIMARY KEY"])
        before = my_db.table(name)
        op = OPS[kind](before)
        my_db.run(MARIADB.render(op))
        after = my_db.table(name)
    else:
        before, after, op = _apply(my_db, name, OPS[kind])
    assert_in_sync(Schema("mariadb", (after,)), _expected(op, before))
    assert after != before
    if kind == "drop_fk":
        assert not any(i.name == f"{name}_fk" for i in after.indexes)
    rollback = MARIADB.render_rollback(op)
    if rollback and kind not in ("drop_pk_add_pk", "narrow", "table_options", "drop_fk", "ungenerated"):
        my_db.run(rollback)
        assert_in_sync(Schema("mariadb", (my_db.table(name),)), Schema("mariadb", (before,)))


def test_sync_triggers_keep_both_columns_in_step(my_db):
    my_db.run(["CREATE TABLE people (id int PRIMARY KEY, name varchar(20) NOT NULL)",
               "ALTER TABLE people ADD COLUMN full_name varchar(20) NULL"])
    table = my_db.table("people")
    op = O.CreateSyncTrigger(table, table.column("name"), table.column("full_name"))
    my_db.run(MARIADB.render(op))
    my_db.run(["INSERT INTO people (id, name) VALUES (1, 'old')",
               "INSERT INTO people (id, full_name) VALUES (2, 'new')",
               "UPDATE people SET name = 'old2' WHERE id = 1",
               "UPDATE people SET full_name = 'new2' WHERE id = 2"])
    with my_db.engine.connect() as c:
        rows = c.exec_driver_sql("SELECT id, name, full_name FROM people ORDER BY id").all()
    assert [tuple(r) for r in rows] == [(1, "old2", "old2"), (2, "new2", "new2")]
    assert "trigger sd_sync_people_name_full_name_ins on people" in my_db.schema().not_compared
    my_db.run(MARIADB.render(O.DropSyncTrigger(table, table.column("name"), table.column("full_name"))))
    assert not any(n.startswith("trigger") for n in my_db.schema().not_compared)


def test_unmodelled_objects_are_listed_not_compared_and_other_databases_are_qualified():
    with scratch_database("mariadb") as url, scratch_database("mariadb") as other:
        execute(url, ["CREATE TABLE p (id int PRIMARY KEY, at datetime)",
                      "CREATE VIEW v AS SELECT id FROM p",
                      "CREATE TRIGGER trg BEFORE INSERT ON p FOR EACH ROW SET NEW.at = NOW()",
                      "CREATE SEQUENCE sq", "CREATE FUNCTION f1() RETURNS int RETURN 1",
                      "CREATE TABLE parts (id int PRIMARY KEY) PARTITION BY HASH (id) PARTITIONS 2",
                      "CREATE TABLE hist (id int PRIMARY KEY) WITH SYSTEM VERSIONING"])
        execute(other, ["CREATE TABLE q (id int PRIMARY KEY)"])
        engine = sa.create_engine(url)
        try:
            with engine.connect() as conn:
                both = dialects.for_connection(conn).introspect(conn, [url.rsplit("/", 1)[1],
                                                                       other.rsplit("/", 1)[1]])
        finally:
            engine.dispose()
        live = load(url)
    assert {t.name for t in live.tables} == {"p", "parts", "hist"}
    assert {"view v", "trigger trg on p", "sequence sq", "function f1", "partitioning parts",
            "system versioning hist"} <= set(live.not_compared)
    assert both.table("q", other.rsplit("/", 1)[1]) is not None and both.table("p") is not None
    assert snapshot.from_json(snapshot.to_json(live)) == live


CHECK_EXPRESSIONS = [
    "a > 0", "a % 2 = 0", "a DIV 2 > 1", "s LIKE 'x%'", "s NOT LIKE '%y'", "s REGEXP '^[a-z]+$'",
    "a NOT BETWEEN 1 AND 10", "s IN ('a', 'b')", "s NOT IN ('a')", "a IS NULL OR a > 0",
    "NOT (a > 0 AND b > 0)", "(a > 0 OR b > 0) AND c > 0", "(a + b) * c > 0", "a - (b - c) > 0", "-a < 0",
    "a != b", "LENGTH(s) > 0", "COALESCE(a, 0) >= 0", "CASE WHEN a > 0 THEN 1 ELSE 0 END = 1", "s = 'it''s'",
    "LOWER(s) = s", "a = TRUE", "a XOR b", "a & 1 = 0", "CAST(s AS SIGNED) > 0", "s = CONCAT('a', 'b')",
    "IFNULL(a, 0) > 0", "a = -1", "d > '2020-01-01'",
]


def test_check_expressions_as_the_server_prints_them_match_what_was_written(my_db):
    my_db.run(["CREATE TABLE exprs (a int, b int, c int, s varchar(20), d date)"]
              + [f"ALTER TABLE exprs ADD CONSTRAINT ck{i} CHECK ({e})" for i, e in enumerate(CHECK_EXPRESSIONS)])
    printed = {c.name: c.expr for c in my_db.table("exprs").checks}
    written = {f"ck{i}": canonical_expr(e) for i, e in enumerate(CHECK_EXPRESSIONS)}
    assert printed == written


def test_select_only_user_sees_the_foreign_keys_the_owner_sees():
    """MariaDB: REFERENTIAL_CONSTRAINTS is empty for a SELECT-only user; the rules are read from
    SHOW CREATE TABLE for the tables that have foreign keys, and only then."""
    import uuid

    from conftest import MY_URL

    from schemadrift.dialects.mysql import tables_missing_fk_facts
    user, password = "sdt_ro_" + uuid.uuid4().hex[:8], "Pw-" + uuid.uuid4().hex[:8]
    admin = MY_URL.rstrip("/") + "/"
    with scratch_database("mariadb") as url, scratch_database("mariadb") as other:
        db, other_db = sa.make_url(url).database, sa.make_url(other).database
        execute(other, ["CREATE TABLE ext (id int PRIMARY KEY)"])
        execute(url, ["CREATE TABLE `us``ers%` (id int PRIMARY KEY, a int, b int, UNIQUE KEY uab (a, b))",
                      "CREATE TABLE `or:ders` (id int PRIMARY KEY, user_id int, a int, b int, e int, "
                      "CONSTRAINT `fk 1` FOREIGN KEY (user_id) REFERENCES `us``ers%` (id) ON DELETE CASCADE, "
                      "CONSTRAINT fk2 FOREIGN KEY (a, b) REFERENCES `us``ers%` (a, b) ON UPDATE SET NULL, "
                      f"CONSTRAINT fk3 FOREIGN KEY (e) REFERENCES `{other_db}`.ext (id) ON DELETE NO ACTION)",
                      "CREATE TABLE plain (id int PRIMARY KEY)"])
        execute(admin, [f"CREATE USER '{user}'@'%' IDENTIFIED BY '{password}'",
                        f"GRANT SELECT ON `{db}`.* TO '{user}'@'%'"])
        try:
            ro_url = sa.make_url(MY_URL).set(username=user, password=password, database=db)
            owner, ro = load(url), load(ro_url.render_as_string(hide_password=False))
            engine = sa.create_engine(url)
            with engine.connect() as conn:
                rows = MARIADB._query(conn, "foreign_keys", [db])
            engine.dispose()
        finally:
            execute(admin, [f"DROP USER '{user}'@'%'"])
    assert tables_missing_fk_facts(rows) == set()  # the owner: one bulk query, no SHOW CREATE TABLE
    fks = {fk.name: (fk.columns, fk.ref_schema, fk.ref_table, fk.on_delete, fk.on_update)
           for fk in ro.table("or:ders").foreign_keys}
    assert fks == {"fk 1": (("user_id",), None, "us`ers%", "CASCADE", "NO ACTION"),
                   "fk2": (("a", "b"), None, "us`ers%", "NO ACTION", "SET NULL"),
                   "fk3": (("e",), other_db, "ext", "NO ACTION", "NO ACTION")}
    assert ro == owner, explain(ro, owner)


def test_narrowing_modify_fails_instead_of_truncating_under_a_lax_sql_mode():
    """A server (or session) without strict mode would truncate a value that no longer fits with
    only a warning: the step turns strict mode on first, so it fails and the row is kept."""
    import schemadrift

    with scratch_database("mariadb") as a, scratch_database("mariadb") as b:
        execute(a, ["CREATE TABLE t (id INT PRIMARY KEY, s VARCHAR(50))",
                    "INSERT INTO t VALUES (1, 'a value longer than ten')"])
        execute(b, ["CREATE TABLE t (id INT PRIMARY KEY, s VARCHAR(10))"])
        step = next(s for s in schemadrift.plan(schemadrift.compare(a, b)).steps
                    if "type" in s.summary)
        engine = sa.create_engine(a)
        try:
            with engine.connect() as conn:
                conn.exec_driver_sql("SET SESSION sql_mode = ''")
                with pytest.raises(sa.exc.DataError, match="Data truncated"):
                    for statement in step.sql:
                        conn.exec_driver_sql(statement)
                assert conn.exec_driver_sql("SELECT s FROM t").scalar() == "a value longer than ten"
        finally:
            engine.dispose()
