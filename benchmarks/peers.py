"""The peers measured beside schemadrift, and the floor.

* Alembic's ``compare_metadata`` (database against models);
* migra (PostgreSQL, database against database), through its Python API;
* SQLAlchemy's ``MetaData.reflect()``;
* the floor: schemadrift's own catalog queries (``schemadrift/dialects/sql/<dialect>/*.sql``),
  run with the bare DBAPI driver and nothing else (no SQLAlchemy, no row objects, no IR).

Each function does the whole job from a URL, connection included, as schemadrift.load(url) does.
"""
from __future__ import annotations

import sqlite3
from pathlib import Path

import sqlalchemy as sa

SQL_DIR = Path(__file__).resolve().parents[1] / "schemadrift" / "dialects" / "sql"


def _engine(url: str) -> sa.Engine:
    return sa.create_engine(url, poolclass=sa.pool.NullPool)


def alembic_compare(url: str, metadata: sa.MetaData, schemas: list[str] | None = None) -> int:
    """Alembic autogenerate's diff of the database at ``url`` against ``metadata``."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    engine = _engine(url)
    try:
        with engine.connect() as conn:
            opts = {"include_schemas": True} if schemas else {}
            if schemas:
                opts["include_name"] = lambda name, type_, parent: (
                    type_ != "schema" or name in schemas)
            ctx = MigrationContext.configure(conn, opts={"compare_type": True,
                                                         "compare_server_default": True, **opts})
            return len(compare_metadata(ctx, metadata))
    finally:
        engine.dispose()


def _named_type(name: str) -> sa.types.TypeEngine:
    """A user-defined type spelled ``name``, as a model author declares an extension's type."""
    cls = type(f"Named_{name}", (sa.types.UserDefinedType,),
               {"cache_ok": True, "get_col_spec": lambda self, **kw: name})
    return cls()


def _name_unknown_types(conn, md: sa.MetaData) -> None:
    """Give each PostgreSQL column that SQLAlchemy reflected as NullType (an extension's
    ``cube``, the built-in ``point``: types it does not know) a user-defined type spelled as
    the server spells it; NullType is no type a model can create."""
    unknown = [(t, c) for t in md.tables.values() for c in t.columns if isinstance(c.type, sa.types.NullType)]
    if not unknown:
        return
    rows = conn.exec_driver_sql(
        "SELECT n.nspname, c.relname, a.attname, format_type(a.atttypid, a.atttypmod) "
        "FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid "
        "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE a.attnum > 0").all()
    spelled = {(s, t, c): f for s, t, c, f in rows}
    default = conn.dialect.default_schema_name
    for t, c in unknown:
        name = spelled.get((t.schema or default, t.name, c.name))
        if name:
            c.type = _named_type(name)


def sa_reflect(url: str, schemas: list[str] | None = None, only=None,
               named_unknown_types: bool = False) -> sa.MetaData:
    """SQLAlchemy's own reflection of every table (of each of ``schemas``; with ``only``, of
    the tables for which ``only(schema, name)`` is true; with ``named_unknown_types``, the
    PostgreSQL types SQLAlchemy does not know as user-defined types of the same name)."""
    engine = _engine(url)
    try:
        md = sa.MetaData()
        with engine.connect() as conn:
            for schema in schemas or [None]:
                pick = (lambda name, _md, schema=schema: only(schema, name)) if only else None
                md.reflect(conn, schema=schema, only=pick)
            if named_unknown_types and engine.dialect.name == "postgresql":
                _name_unknown_types(conn, md)
        return md
    finally:
        engine.dispose()


def migra_compare(from_url: str, to_url: str) -> str:
    """migra's migration script from one PostgreSQL database to another (``--unsafe``)."""
    from migra import Migration
    from sqlbag import S

    with S(from_url) as a, S(to_url) as b:
        m = Migration(a, b)
        m.set_safety(False)
        m.add_all_changes()
        return m.sql


# -- the floor ----------------------------------------------------------------------------------
def floor(dialect: str, url: str) -> int:
    """Run schemadrift's catalog queries for ``dialect`` with the bare driver; returns the row count.

    Raises FileNotFoundError when the dialect's .sql files are not there (yet)."""
    return {"postgresql": _floor_pg, "mariadb": _floor_my, "mysql": _floor_my,
            "sqlite": _floor_lite}[dialect](url)


def _sql(dialect: str, name: str) -> str:
    return (SQL_DIR / dialect / f"{name}.sql").read_text(encoding="utf-8")


def floor_queries(dialect: str, version_num: int = 150000) -> list[str]:
    """The catalog queries the floor runs, in the driver's own parameter style."""
    if dialect == "postgresql":
        rel = _sql("postgresql", "relations")
        nnd = "x.indnullsnotdistinct" if version_num >= 150000 else "false"
        texts = [f"WITH rel AS ({rel})\n" + _sql("postgresql", k).replace("{nulls_not_distinct}", nnd)
                 for k in ("tables", "columns", "constraints", "indexes")]
        texts += [_sql("postgresql", "enums"), _sql("postgresql", "not_compared"),
                  f"WITH rel AS ({rel}),\n" + _sql("postgresql", "dependents"),
                  _sql("postgresql", "triggers")]
        return [t.replace("%", "%%").replace(":schemas", "%(schemas)s") for t in texts]
    if dialect in ("mariadb", "mysql"):
        texts = []
        for kind in ("schemata", "tables", "columns", "indexes", "foreign_keys", "checks", "others",
                     "triggers"):
            special = SQL_DIR / "mysql" / f"{kind}.mysql.sql"
            texts.append(special.read_text() if dialect == "mysql" and special.exists()
                         else _sql("mysql", kind))
        return [t.replace("%", "%%").replace(":schemas", "%(schemas)s") for t in texts]
    return [_sql("sqlite", k).replace("{schema}", '"main"')
            for k in ("objects", "columns", "indexes", "foreign_keys")]


def _floor_pg(url: str) -> int:
    import psycopg

    u = sa.make_url(url)
    with psycopg.connect(host=u.host, port=u.port or 5432, user=u.username, dbname=u.database,
                         password=u.password or None) as con:
        cur = con.cursor()
        cur.execute("SET jit = off")  # as introspection does (the queries gain nothing from JIT)
        cur.execute("SELECT current_schema(), current_setting('server_version_num')::int")
        _, version_num = cur.fetchone()
        rows = 0
        for q in floor_queries("postgresql", version_num):
            cur.execute(q, {"schemas": None})
            rows += len(cur.fetchall())
        return rows


def _floor_my(url: str) -> int:
    import pymysql

    u = sa.make_url(url)
    con = pymysql.connect(host=u.host, port=u.port or 3306, user=u.username, password=u.password or "",
                          database=u.database)
    try:
        cur = con.cursor()
        cur.execute("SELECT DATABASE(), VERSION()")
        current, version = cur.fetchone()
        rows = 0
        for q in floor_queries("mariadb" if "mariadb" in version.lower() else "mysql"):
            cur.execute(q, {"schemas": [current]})
            rows += len(cur.fetchall())
        return rows
    finally:
        con.close()


def _floor_lite(url: str) -> int:
    con = sqlite3.connect(f"file:{sa.make_url(url).database}?mode=ro", uri=True)
    try:
        rows = 0
        for q in floor_queries("sqlite"):
            rows += len(con.execute(q, {"schema": "main"}).fetchall())
        return rows
    finally:
        con.close()
