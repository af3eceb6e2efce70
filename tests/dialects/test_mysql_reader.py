"""The MySQL/MariaDB reader's shortcuts (performance, issue 6): ``build`` makes each table already
as ``normalize()`` leaves it and skips that step, and makes a column or index part met again once.
Each test holds the shortcut to the code it replaces, field for field (``compare=False`` fields
included: ``Index.implicit``, ``Check.raw``...)."""
from __future__ import annotations

import dataclasses
import functools
import gc
import traceback

import sqlalchemy as sa
from conftest import execute, scratch_database

from schemadrift import dialects
from schemadrift.dialects import mysql
from schemadrift.ir import Schema

MARIADB = dialects.get("mariadb", "10.11.19")


def _every_field(obj):
    """``obj`` as nested tuples of every field (``==`` skips the ``compare=False`` ones)."""
    if dataclasses.is_dataclass(obj):
        return (type(obj).__name__,) + tuple((f.name, _every_field(getattr(obj, f.name)))
                                             for f in dataclasses.fields(obj))
    if isinstance(obj, (tuple, list)):
        return tuple(_every_field(x) for x in obj)
    if isinstance(obj, frozenset):
        return tuple(sorted(obj))
    return obj


def _assert_normalized(schema: Schema) -> None:
    assert _every_field(MARIADB.normalize(schema)) == _every_field(schema)


def _row(table, **kw):
    return {"table_schema": "app", "table_name": table, **kw}


def _column(table, name, column_type="int(11)", collation=None):
    return _row(table, column_name=name, column_type=column_type, is_nullable="NO", column_default=None,
                extra="", collation=collation, comment="", generation_expression=None)


def _rows() -> dict:
    """Catalog rows whose names differ in case from the columns (as a server returns an FK or a key
    written so), with a JSON check, RESTRICT rules, unsorted keys and shared column definitions."""
    tables = [_row(t, table_type="BASE TABLE", engine="InnoDB", collation="utf8mb4_general_ci",
                   charset="utf8mb4", collation_is_default="Yes", comment="") for t in ("users", "orders")]
    columns = [_column("users", "Id"), _column("users", "Email", "varchar(80)", collation="utf8mb4_bin"),
               _column("orders", "id"), _column("orders", "User_Id"), _column("orders", "Doc", "longtext"),
               _column("orders", "note", "varchar(80)", collation="utf8mb4_general_ci")]
    indexes = [_row("users", index_name="PRIMARY", non_unique=0, column_name="ID", index_type="BTREE"),
               _row("users", index_name="uq_email", non_unique=0, column_name="EMAIL", index_type="BTREE"),
               _row("orders", index_name="zz", non_unique=1, column_name="note", index_type="BTREE",
                    sub_part=10, collation="D"),
               _row("orders", index_name="fk_user", non_unique=1, column_name="user_id", index_type="BTREE"),
               _row("orders", index_name="PRIMARY", non_unique=0, column_name="id", index_type="BTREE")]
    fks = [_row("orders", constraint_name="fk_user", column_name="USER_ID", ref_schema="app",
                ref_table="users", ref_column="id", delete_rule="RESTRICT", update_rule="cascade")]
    checks = [_row("orders", constraint_name="z_doc", check_clause="json_valid(`doc`)"),
              _row("orders", constraint_name="a_id", check_clause="`id` > 0", enforced="NO")]
    return {"schemata": [{"schema_name": "app", "collation": "utf8mb4_general_ci"}], "tables": tables,
            "columns": columns, "indexes": indexes, "foreign_keys": fks, "checks": checks}


def test_build_is_what_normalize_leaves():
    schema = MARIADB.build(_rows(), "app", "10.11.19-MariaDB")
    _assert_normalized(schema)
    users, orders = schema.table("users"), schema.table("orders")
    assert users.primary_key.columns == ("Id",) and users.indexes[0].parts[0].column == "Email"
    fk = orders.foreign_keys[0]
    assert (fk.columns, fk.ref_columns, fk.on_delete, fk.on_update) == (("User_Id",), ("Id",), "NO ACTION",
                                                                        "CASCADE")
    assert [(ix.name, ix.implicit, ix.columns) for ix in orders.indexes] == [
        ("fk_user", True, ("User_Id",)), ("zz", False, ("note",))]
    assert orders.column("Doc").type.name == "json" and [c.name for c in orders.checks] == ["a_id"]
    assert orders.checks[0].validated is False and users.column("Email").collation == "utf8mb4_bin"


def test_a_column_definition_met_again_is_made_once():
    rows = _rows()
    rows["columns"].append(_column("users", "note", "varchar(80)", collation="utf8mb4_general_ci"))
    schema = MARIADB.build(rows, "app", "10.11.19-MariaDB")
    assert schema.table("users").column("note") is schema.table("orders").column("note")
    assert schema.table("users").column("Id") is not schema.table("orders").column("id")


def _collections_during(enabled: bool, read):
    """The collections the cyclic collector ran inside the reader's queries or ``build`` during
    ``read()`` (threshold 1: any allocation sets one off while it is on), started with the collector
    ``enabled`` and checked to be so again afterwards."""
    collections, threshold = [], gc.get_threshold()

    def record(phase, info):
        inside = {f.f_code.co_name for f, _ in traceback.walk_stack(None)
                  if f.f_code.co_filename == mysql.__file__}
        if phase == "start" and inside & {"_query", "build"}:
            collections.append(sorted(inside))
    gc.collect()
    (gc.enable if enabled else gc.disable)()
    gc.callbacks.append(record)
    gc.set_threshold(1)
    try:
        out = read()
        assert gc.isenabled() is enabled
    finally:
        gc.set_threshold(*threshold)
        gc.callbacks.remove(record)
        gc.enable()
    return collections, out


def test_live_read_pauses_the_collector_and_is_normalized():
    with scratch_database("mariadb") as url:
        execute(url, [
            "CREATE TABLE `Us``ers` (Id INT PRIMARY KEY, Email VARCHAR(80) COLLATE utf8mb4_bin UNIQUE,"
            " doc JSON, n INT CHECK (n > 0)) ENGINE=MyISAM",
            "CREATE TABLE parent (id INT PRIMARY KEY, code CHAR(3), UNIQUE KEY (code, id))",
            "CREATE TABLE child (ID INT PRIMARY KEY, Parent_Id INT, code CHAR(3), note TEXT,"
            " KEY zz (note(10) DESC), KEY (Code),"
            " FOREIGN KEY (PARENT_ID) REFERENCES parent (ID) ON DELETE RESTRICT,"
            " CONSTRAINT fk2 FOREIGN KEY (CODE, parent_id) REFERENCES parent (CODE, Id) ON UPDATE CASCADE)",
        ])
        engine = sa.create_engine(url)
        try:
            for enabled in (True, False):
                with engine.connect() as conn:
                    read = functools.partial(dialects.get("mariadb").introspect, conn)
                    collections, schema = _collections_during(enabled, read)
                assert collections == []
        finally:
            engine.dispose()
        _assert_normalized(schema)
        child = schema.table("child")
        assert {fk.columns for fk in child.foreign_keys} == {("Parent_Id",), ("code", "Parent_Id")}
        assert {fk.ref_columns for fk in child.foreign_keys} == {("id",), ("code", "id")}
        assert any(ix.implicit for ix in child.indexes)
