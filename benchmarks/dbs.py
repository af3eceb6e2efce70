"""Benchmark databases on the real servers: create with unique names, fill, drop.

Server URLs (without a database) come from ``PG_URL`` and ``MY_URL`` as in the tests. Every
database this module creates is registered and dropped by ``drop_all()`` (run.py calls it in a
``finally``), SQLite files live in one temporary folder removed at the end.
"""
from __future__ import annotations

import concurrent.futures
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.schema import AddConstraint, CreateIndex, CreateTable

PG_URL = os.environ.get("PG_URL", "postgresql://postgres@127.0.0.1:5432").rstrip("/")
MY_URL = os.environ.get("MY_URL", "mysql+pymysql://root@127.0.0.1:3306").rstrip("/")
CORPUS = Path(os.environ.get("SD_CORPUS", Path(__file__).resolve().parents[2] / "shared" / "corpus"))
if not CORPUS.is_dir():
    CORPUS = Path("/work/shared/corpus")

_created: list[tuple[str, str]] = []
_tmp = Path(tempfile.mkdtemp(prefix="sdbench_"))


def server_url(dialect: str) -> str:
    return PG_URL if dialect == "postgresql" else MY_URL


def _admin(dialect: str) -> sa.Engine:
    suffix = "/postgres" if dialect == "postgresql" else "/"
    return sa.create_engine(server_url(dialect) + suffix, isolation_level="AUTOCOMMIT",
                            poolclass=sa.pool.NullPool, connect_args={"connect_timeout": 5})


def reachable(dialect: str) -> str | None:
    """None when the server for ``dialect`` answers, else a one-line reason."""
    if dialect == "sqlite":
        return None
    try:
        with _admin(dialect).connect() as c:
            c.exec_driver_sql("SELECT 1")
        return None
    except Exception as e:  # noqa: BLE001 - any failure means "not reachable"
        return f"{dialect} server not reachable: {str(e).splitlines()[0][:120]}"


def create_database(dialect: str, label: str, template: str | None = None) -> str:
    """A new empty database (or a PostgreSQL copy of ``template``); returns its URL."""
    name = f"sdbench_{label}_{uuid.uuid4().hex[:8]}"
    if dialect == "sqlite":
        path = _tmp / f"{name}.db"
        if template:
            shutil.copyfile(sa.make_url(template).database, path)
        return f"sqlite:///{path}"
    with _admin(dialect).connect() as c:
        if dialect == "postgresql":
            tpl = f" TEMPLATE {sa.make_url(template).database}" if template else ""
            c.exec_driver_sql(f"CREATE DATABASE {name}{tpl}")
        else:
            c.exec_driver_sql(f"CREATE DATABASE {name} CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci")
    _created.append((dialect, name))
    return f"{server_url(dialect)}/{name}"


def drop_all() -> None:
    """Drop every database created by this run (side by side: a PostgreSQL DROP DATABASE waits for
    a checkpoint, a MariaDB one deletes a file per table), and the SQLite folder."""
    dropping = []
    while _created:
        dropping.append(_created.pop())
    with concurrent.futures.ThreadPoolExecutor(max(1, min(8, len(dropping)))) as pool:
        list(pool.map(lambda created: _drop(*created), dropping))
    shutil.rmtree(_tmp, ignore_errors=True)


def _drop(dialect: str, name: str) -> None:
    try:
        with _admin(dialect).connect() as c:
            if dialect == "postgresql":
                c.exec_driver_sql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                  f"WHERE datname = '{name}' AND pid <> pg_backend_pid()")
            c.exec_driver_sql(f"DROP DATABASE IF EXISTS {name}")
    except Exception as e:  # noqa: BLE001 - keep dropping the others
        print(f"warning: could not drop {dialect} database {name}: {e}", file=sys.stderr)


def ddl(metadata: sa.MetaData, url: str, tables: list[sa.Table] | None = None) -> list[str]:
    """CREATE TABLE / CREATE INDEX statements for ``metadata`` (or only ``tables``) in the dialect
    of ``url``. On MariaDB/MySQL the indexes go inside CREATE TABLE: each separate DDL statement
    costs an InnoDB commit, and that triples the time to build 1,000 tables."""
    sa_dialect = sa.make_url(url).get_dialect()()
    inline = sa_dialect.name in ("mysql", "mariadb")
    out = []
    for table in tables if tables is not None else metadata.sorted_tables:
        create = str(CreateTable(table).compile(dialect=sa_dialect)).strip()
        indexes = [str(CreateIndex(i).compile(dialect=sa_dialect)).strip() for i in table.indexes]
        if inline and indexes:
            keys = [_INDEX.sub(r"\1INDEX \2 \3", i) for i in indexes]
            create = create[:create.rindex(")")].rstrip() + ", \n\t" + ", \n\t".join(keys) + "\n)"
            indexes = []
        out.append(create)
        out.extend(indexes)
    return out


_INDEX = re.compile(r"CREATE (UNIQUE )?INDEX (\S+) ON \S+ (\(.*\))", re.S)


#: connections that create a MariaDB database's tables side by side (each DDL statement waits for
#: its own commit; 4 halve the time to build 1,000 tables on 2 CPUs, 8 gain nothing more)
MARIADB_DDL_CONNECTIONS = 4


def run_statements(url: str, statements: list[str]) -> None:
    """Run DDL statements fast: in batches on PostgreSQL and SQLite, one by one on MariaDB (over
    several connections, foreign key checks off: the order does not matter there)."""
    u = sa.make_url(url)
    if u.get_backend_name() == "sqlite":
        with sqlite3.connect(u.database, isolation_level=None) as con:
            con.executescript("BEGIN;\n" + ";\n".join(statements) + ";\nCOMMIT;")
        return
    if u.get_backend_name() != "postgresql" and len(statements) > 50:
        k = MARIADB_DDL_CONNECTIONS
        with concurrent.futures.ThreadPoolExecutor(k) as pool:
            for done in [pool.submit(_run_raw, url, statements[i::k]) for i in range(k)]:
                done.result()
        return
    _run_raw(url, statements)


def _run_raw(url: str, statements: list[str]) -> None:
    u = sa.make_url(url)
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    try:
        raw = engine.raw_connection()
        try:
            cur = raw.cursor()
            if u.get_backend_name() == "postgresql":
                for chunk in range(0, len(statements), 400):  # bounded by max_locks_per_transaction
                    cur.execute(";\n".join(statements[chunk:chunk + 400]))
            else:
                cur.execute("SET SESSION foreign_key_checks = 0")
                for s in statements:
                    cur.execute(s)
            cur.close()
        finally:
            raw.close()
    finally:
        engine.dispose()


def build_synthetic(dialect: str, metadata: sa.MetaData, label: str) -> str:
    """A new database holding ``metadata``; returns its URL."""
    url = create_database(dialect, label)
    run_statements(url, ddl(metadata, url))
    return url


def build_drifted(dialect: str, base_url: str, drifted: sa.MetaData, changed: list[str],
                  label: str) -> str:
    """A database holding ``drifted``. On PostgreSQL and SQLite: a copy of ``base_url`` in which
    the ``changed`` tables are dropped and created again from ``drifted`` (much faster than a
    full build); on MariaDB a full build."""
    if dialect not in ("postgresql", "sqlite"):
        return build_synthetic(dialect, drifted, label)
    url = create_database(dialect, label, template=base_url)
    tables = [drifted.tables[name] for name in changed]
    statements = [f"DROP TABLE {t.name}" + (" CASCADE" if dialect == "postgresql" else "")
                  for t in tables]
    statements += ddl(drifted, url, tables)
    if dialect == "postgresql":  # CASCADE dropped the other tables' FKs to the changed ones
        sa_dialect = sa.make_url(url).get_dialect()()
        names = set(changed)
        statements += [str(AddConstraint(fk).compile(dialect=sa_dialect))
                       for t in drifted.sorted_tables if t.name not in names
                       for fk in t.foreign_key_constraints if fk.referred_table.name in names]
    run_statements(url, statements)
    return url


# -- corpus -----------------------------------------------------------------------------------
MUSICBRAINZ_SCHEMAS = ("musicbrainz", "cover_art_archive", "documentation", "event_art_archive",
                       "json_dump", "report", "sitemaps", "statistics", "wikidocs", "dbmirror2")


def load_musicbrainz(label: str = "mb") -> str:
    """musicbrainz-pg loaded with psql in LOAD_ORDER.txt order (the files use psql meta-commands)."""
    folder = CORPUS / "musicbrainz-pg"
    url = create_database("postgresql", label)
    u = sa.make_url(url)
    with sa.create_engine(url, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool).connect() as c:
        for s in MUSICBRAINZ_SCHEMAS:
            c.exec_driver_sql(f"CREATE SCHEMA {s}")
    files = [line.strip() for line in (folder / "LOAD_ORDER.txt").read_text().splitlines()
             if line.strip() and not line.startswith("#")]
    env = {**os.environ, "PGOPTIONS": "-c search_path=musicbrainz,public -c client_min_messages=warning"}
    args = ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", u.host or "127.0.0.1",
            "-p", str(u.port or 5432), "-U", u.username or "postgres", "-d", u.database]
    for f in files:
        result = subprocess.run([*args, "-f", str(folder / f)], env=env, capture_output=True, text=True,
                                cwd=folder / Path(f).parent)
        if result.returncode != 0:
            raise RuntimeError(f"musicbrainz {f}: {result.stderr.strip().splitlines()[-1][:200]}")
    return url


def load_orangehrm(label: str = "ohrm") -> str:
    url = create_database("mariadb", label)
    u = sa.make_url(url)
    script = (CORPUS / "orangehrm-mysql" / "orangehrm-4.10.1-schema.sql").read_text()
    result = subprocess.run(["mysql", "-h", u.host or "127.0.0.1", "-P", str(u.port or 3306),
                             "-u", u.username or "root", u.database], input=script, text=True,
                            capture_output=True)
    if result.returncode != 0:
        raise RuntimeError(f"orangehrm: {result.stderr.strip()[:200]}")
    return url


def load_synapse(label: str = "synapse") -> str:
    url = create_database("sqlite", label)
    folder = CORPUS / "synapse-sqlite"
    with sqlite3.connect(sa.make_url(url).database) as con:
        for f in ("common-full.sql.sqlite.sql", "main-full.sql.sqlite.sql", "state-full.sql.sqlite.sql"):
            con.executescript((folder / f).read_text())
    return url


def list_tables(url: str) -> list[tuple[str | None, str]]:
    """(schema, table) of the ordinary tables of a database, for picking tables to drift."""
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as c:
            backend = engine.dialect.name
            if backend == "postgresql":
                rows = c.exec_driver_sql(
                    "SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = "
                    "c.relnamespace WHERE c.relkind = 'r' AND NOT c.relispartition AND n.nspname NOT "
                    "IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%%' "
                    "ORDER BY 1, 2").all()
            elif backend == "sqlite":
                rows = c.exec_driver_sql(
                    "SELECT NULL, name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE "
                    "'sqlite\\_%%' ESCAPE '\\' AND sql NOT LIKE 'CREATE VIRTUAL%%' ORDER BY 2").all()
                virtual = [r[0] for r in c.exec_driver_sql(
                    "SELECT name FROM sqlite_master WHERE sql LIKE 'CREATE VIRTUAL%%'")]
                # an FTS table's shadow tables (<name>_content, …) belong to it
                rows = [r for r in rows if not any(r[1].startswith(v + "_") for v in virtual)]
            else:
                rows = c.exec_driver_sql("SELECT NULL, table_name FROM information_schema.tables WHERE "
                                         "table_schema = DATABASE() AND table_type = 'BASE TABLE' "
                                         "ORDER BY 2").all()
            return [(r[0], r[1]) for r in rows]
    finally:
        engine.dispose()


def drift_corpus(url: str, quote) -> int:
    """Add a nullable column to 1% of the tables (at least one); returns how many changed."""
    tables = list_tables(url)
    picked = tables[len(tables) // 200::100] or tables[:1]
    statements = []
    for schema, name in picked:
        qualified = f"{quote(schema)}.{quote(name)}" if schema else quote(name)
        statements.append(f"ALTER TABLE {qualified} ADD COLUMN bench_drift integer")
    run_statements(url, statements)
    return len(picked)


def copy_database(dialect: str, url: str, label: str, loader=None) -> str:
    """A copy of the database at ``url``: a PostgreSQL template or SQLite file copy, else ``loader``."""
    if dialect in ("postgresql", "sqlite"):
        return create_database(dialect, label, template=url)
    return loader(label)
