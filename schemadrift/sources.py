"""Detect and load a source into the IR.

A source is a database URL, a path to a JSON snapshot (or another supported snapshot format), a
Python reference ``package.module:attr`` / ``path/to/file.py:attr`` naming SQLAlchemy models, or
(in Python) an Engine, Connection, MetaData, declarative base or Schema. See ``contract.md``.
"""
from __future__ import annotations

import contextlib
import fnmatch
import importlib
import importlib.util
import json
import os
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import sqlalchemy as sa

from . import dialects, snapshot
from .errors import SourceError, UsageError, redact
from .ir import Schema

DISTRIBUTION = "schemadrift-db"
#: backend → the pip extra that installs schemadrift's supported driver for it
BACKEND_EXTRAS = {"postgresql": "postgresql", "mysql": "mysql", "mariadb": "mysql"}
#: importable driver module → the pip package that provides it
DRIVER_PACKAGES = {"pg8000": "pg8000", "MySQLdb": "mysqlclient", "asyncpg": "asyncpg",
                   "psycopg2": "psycopg2-binary", "psycopg": "psycopg[binary]", "pymysql": "pymysql",
                   "mariadb": "mariadb", "aiomysql": "aiomysql", "asyncmy": "asyncmy",
                   "mysql": "mysql-connector-python", "aiosqlite": "aiosqlite"}


@dataclass
class Source:
    """A source not yet loaded. ``dialect`` is None for models (they take the other side's).

    Kind ``builder``: ``value`` is a callable ``dialect name -> Schema`` that builds the IR for the
    dialect it is given (the other side's, or ``fallback`` when no side has one)."""

    label: str
    dialect: str | None
    kind: str  # url | snapshot | models | schema | engine | builder
    value: object
    fallback: str | None = None
    #: table globs that are the declaring tool's own bookkeeping (drizzle's ``__drizzle_migrations``):
    #: left out of both sides of a comparison
    exclude: tuple[str, ...] = ()
    #: the schemas a declared source (a snapshot) declares: without --schema, the other side is
    #: read for these only ("when one side is models or a snapshot, the schemas that side declares")
    declared_schemas: tuple[str, ...] | None = None

    def load(self, dialect: str | None = None, schemas: list[str] | None = None,
             connect_timeout: float = 10) -> Schema:
        name = self.dialect or dialect
        if self.kind in ("schema", "snapshot"):
            return _filter_schemas(self.value, schemas)
        if self.kind == "builder":
            return _filter_schemas(self.value(name or self.fallback), schemas)
        if self.kind == "models":
            if name is None:
                raise UsageError(f"{self.label} has no dialect of its own: give --dialect "
                                 f"({', '.join(dialects.NAMES)}) or compare it with a database")
            from .models import load_metadata
            return _filter_schemas(load_metadata(self.value, dialects.get(name)), schemas)
        if self.kind == "engine":
            return _introspect_engine(self.value, schemas, self.label)
        return introspect_url(self.value, schemas=schemas, connect_timeout=connect_timeout)


def resolve(source) -> Source:
    """Recognise what ``source`` is, without connecting to anything yet."""
    if isinstance(source, Schema):
        return Source("schema", source.dialect, "schema", source)
    if isinstance(source, Source):
        return source
    if isinstance(source, (sa.Engine, sa.Connection)):
        return Source(redact(str(source.engine.url)), _dialect_of_engine(source.engine), "engine", source)
    metadata = _as_metadata(source)
    if metadata is not None:
        return Source("models", None, "models", metadata)
    if isinstance(source, os.PathLike):
        source = os.fspath(source)
    if not isinstance(source, str):
        raise SourceError(f"cannot use a {type(source).__name__} as a schema source")
    if "://" in source or source.startswith("sqlite:"):
        url = parse_url(source)
        return Source(redact(source), _dialect_of_url(url), "url", url)
    if _looks_like_reference(source):
        return Source(source, None, "models", load_reference(source))
    return _resolve_path(source)


def _resolve_path(source: str) -> Source:
    path = Path(source)
    if path.is_dir():
        return _drizzle_reader(source).resolve_folder(path)
    if not path.exists():
        raise SourceError(f"{source}: no such file, and not a database URL or module:attr reference")
    if path.suffix == ".py":
        raise SourceError(f"{source}: name the models in the file: {source}:ATTRIBUTE "
                          f"(e.g. {source}:metadata)")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as e:
        raise SourceError(f"{source}: not a text file ({e.reason})") from e
    except json.JSONDecodeError as e:
        raise SourceError(f"{source}: not valid JSON ({e.msg} at line {e.lineno})") from e
    if snapshot.is_snapshot(data):
        schema = snapshot.from_dict(data)
        return Source(source, schema.dialect, "snapshot", schema)
    drizzle = _drizzle_reader(source, required=False)
    if drizzle is not None and drizzle.is_drizzle_snapshot(data):
        return drizzle.resolve_file(path, data)
    fmt = data.get("format") if isinstance(data, dict) else None
    raise SourceError(f"{source}: not a schemadrift snapshot (format {fmt!r})" if fmt else
                      f"{source}: JSON of an unknown format (expected \"format\": \"{snapshot.FORMAT}\")")


def _drizzle_reader(source: str, required: bool = True):
    """The optional drizzle-kit snapshot reader, or a clear error (None) when this build lacks it."""
    try:
        from . import drizzle
    except ModuleNotFoundError as e:
        if e.name != f"{__package__}.drizzle":
            raise
        if not required:
            return None
        raise SourceError(f"{source}: is a folder; reading drizzle-kit folders is not supported by this "
                          "version of schemadrift") from e
    return drizzle


# -- URLs --------------------------------------------------------------------------------------
def parse_url(text: str) -> sa.URL:
    try:
        url = sa.make_url(text)
    except Exception as e:  # noqa: BLE001 - SQLAlchemy raises ArgumentError and ValueError
        raise SourceError(f"malformed database URL {redact(text)!r}") from e
    if not url.drivername:
        raise SourceError(f"malformed database URL {redact(text)!r}")
    backend = url.get_backend_name()
    if dialects.ALIASES.get(backend) is None:
        raise SourceError(f"unknown dialect {backend!r} in {redact(text)!r} "
                          f"(known: {', '.join(dialects.NAMES)})")
    if backend != "sqlite" and url.port is not None and not 0 < url.port < 65536:
        raise SourceError(f"malformed database URL {redact(text)!r}: bad port")
    return url


def _dialect_of_url(url: sa.URL) -> str:
    backend = url.get_backend_name()
    return "mariadb" if backend == "mariadb" else dialects.ALIASES[backend]


def _dialect_of_engine(engine: sa.Engine) -> str:
    name = engine.dialect.name
    return dialects.ALIASES.get(name, name)


def masked(url: sa.URL) -> str:
    return url.render_as_string(hide_password=True)


def create_engine(url: sa.URL, connect_timeout: float = 10, read_only: bool = True) -> sa.Engine:
    """An engine whose connections are read-only where the server allows it."""
    backend = url.get_backend_name()
    args: dict = {}
    if backend == "sqlite":
        if read_only and url.database and url.database != ":memory:":
            if not Path(url.database).exists():
                raise SourceError(f"{masked(url)}: no such SQLite database file")
            url = url.set(database=f"file:{Path(url.database).resolve()}?mode=ro",
                          query={**url.query, "uri": "true"})
    elif backend == "postgresql":
        args = {"connect_timeout": max(1, int(connect_timeout))}
        if read_only:
            args["options"] = "-c default_transaction_read_only=on"
    elif backend in ("mysql", "mariadb"):
        # the read timeout bounds the handshake too (a server that accepts and never answers);
        # it is lifted once connected, so that long catalog queries are not cut
        args = {"connect_timeout": max(1, int(connect_timeout)), "read_timeout": connect_timeout}
    try:
        engine = sa.create_engine(url, connect_args=args, poolclass=sa.pool.NullPool)
    except ModuleNotFoundError as e:
        raise SourceError(driver_missing_message(url, e.name)) from e
    except Exception as e:  # noqa: BLE001
        raise SourceError(f"{masked(url)}: {_first_line(e, url)}") from e
    if "read_timeout" in args:
        sa.event.listen(engine, "connect", _lift_read_timeout)
    return engine


def _lift_read_timeout(dbapi_connection, _record) -> None:
    if hasattr(dbapi_connection, "_read_timeout"):  # PyMySQL: applied again at the next read
        dbapi_connection._read_timeout = None


def driver_missing_message(url: sa.URL, module: str | None) -> str:
    """The one-line error for a URL whose driver is not installed: the pip command that fixes it."""
    backend = url.get_backend_name()
    extra = BACKEND_EXTRAS.get(backend)
    package = DRIVER_PACKAGES.get((module or "").split(".")[0], module)
    supported = f"pip install '{DISTRIBUTION}[{extra}]'" if extra else None
    driver = url.get_driver_name()
    if (extra and "+" not in url.drivername) or package in ("psycopg[binary]", "pymysql"):
        fix = supported
    elif supported:
        fix = f"pip install {package}, or use {backend}:// with the supported driver: {supported}"
    else:
        fix = f"pip install {package}"
    return f"the database driver {driver!r} for {url.drivername}:// is not installed (no module " \
           f"{module!r}): {fix}"


def introspect_url(url: sa.URL, schemas: list[str] | None = None, connect_timeout: float = 10) -> Schema:
    engine = create_engine(url, connect_timeout=connect_timeout)
    try:
        return _introspect_engine(engine, schemas, masked(url), url)
    finally:
        engine.dispose()


def _introspect_engine(engine, schemas, label, url=None) -> Schema:
    try:
        with _connection(engine) as conn:
            dialect = dialects.for_connection(conn)
            return dialect.introspect(conn, schemas)
    except SourceError:
        raise
    except sa.exc.DBAPIError as e:
        raise SourceError(f"{label}: {_first_line(e.orig or e, url)}") from e
    except sa.exc.SQLAlchemyError as e:
        raise SourceError(f"{label}: {_first_line(e, url)}") from e


@contextlib.contextmanager
def _connection(engine):
    if isinstance(engine, sa.Connection):
        yield engine
        return
    with engine.connect() as conn:
        if conn.dialect.name in ("mysql", "mariadb"):
            conn.exec_driver_sql("SET SESSION TRANSACTION READ ONLY")
        try:
            yield conn
        finally:
            conn.rollback()


def _first_line(exc: BaseException, url: sa.URL | None = None) -> str:
    text = str(exc).strip().splitlines()
    line = text[0] if text else type(exc).__name__
    if isinstance(exc.args, tuple) and len(exc.args) == 2 and isinstance(exc.args[0], int):
        line = f"{exc.args[1]} (error {exc.args[0]})"  # pymysql: (code, message)
    secrets = (url.password,) if url is not None and url.password else ()
    return redact(line, secrets)


# -- Python references -------------------------------------------------------------------------
def _looks_like_reference(text: str) -> bool:
    head, sep, attr = text.rpartition(":")
    return bool(sep and head and attr.isidentifier() and len(head) > 1)


def load_reference(ref: str):
    """Import ``module:attr`` or ``file.py:attr`` and return the MetaData it names."""
    target, _, attr = ref.rpartition(":")
    if target.endswith(".py") or os.sep in target or "/" in target:
        module = _import_file(target)
    else:
        try:
            if os.getcwd() not in sys.path:
                sys.path.insert(0, os.getcwd())
            module = importlib.import_module(target)
        except ImportError as e:
            raise SourceError(f"{ref}: cannot import {target!r}: {e}") from e
        except Exception as e:  # noqa: BLE001 - the user's module raised while importing
            raise SourceError(f"{ref}: importing {target!r} failed: {type(e).__name__}: {e}") from e
    if not hasattr(module, attr):
        raise SourceError(f"{ref}: module {target!r} has no attribute {attr!r}")
    obj = getattr(module, attr)
    metadata = _as_metadata(obj)
    if metadata is None and callable(obj) and not isinstance(obj, type):
        try:
            metadata = _as_metadata(obj())
        except Exception as e:  # noqa: BLE001
            raise SourceError(f"{ref}: calling {attr}() failed: {type(e).__name__}: {e}") from e
    if metadata is None:
        raise SourceError(f"{ref}: {attr!r} is a {type(obj).__name__}, not a SQLAlchemy MetaData "
                          "or declarative base")
    return metadata


def _import_file(path: str):
    file = Path(path)
    if not file.is_file():
        raise SourceError(f"{path}: no such Python file")
    name = "_schemadrift_models_" + str(abs(hash(str(file.resolve()))))
    spec = importlib.util.spec_from_file_location(name, file)
    module = importlib.util.module_from_spec(spec)
    sys.path.insert(0, str(file.resolve().parent))
    try:
        spec.loader.exec_module(module)
    except Exception as e:  # noqa: BLE001 - the user's file raised while importing
        raise SourceError(f"{path}: importing failed: {type(e).__name__}: {e}") from e
    finally:
        sys.path.remove(str(file.resolve().parent))
    return module


def _as_metadata(obj) -> sa.MetaData | None:
    if isinstance(obj, sa.MetaData):
        return obj
    md = getattr(obj, "metadata", None)
    if isinstance(md, sa.MetaData) and not isinstance(obj, (sa.Engine, sa.Connection)):
        return md
    return None


def _filter_schemas(schema: Schema, names: list[str] | None) -> Schema:
    if not names:
        return schema
    from dataclasses import replace
    wanted = set(names)
    return replace(schema, tables=tuple(t for t in schema.tables if (t.schema or schema.default_schema
                                                                    or "") in wanted or
                                        (t.schema is None and not schema.default_schema)),
                   enums=tuple(e for e in schema.enums if (e.schema or "") in wanted or e.schema is None))


def load(source, dialect: str | None = None, schemas: list[str] | None = None,
         connect_timeout: float = 10) -> Schema:
    """Load any source into the IR. Models need ``dialect`` (they have none of their own)."""
    return resolve(source).load(dialect, schemas, connect_timeout)


def load_pair(from_source, to_source, dialect: str | None = None, schemas: list[str] | None = None,
              connect_timeout: float = 10,
              progress: Callable[[str], None] | None = None) -> tuple[Schema, Schema]:
    """Load two sources; a side without a dialect takes the other side's (or ``dialect``).

    ``progress``, if given, is called with a short message before each side is read."""
    a, b = resolve(from_source), resolve(to_source)
    if dialect is None and a.dialect is None and b.dialect is None:
        dialect = a.fallback or b.fallback
    if dialect is None and a.dialect is None and b.dialect is None:
        raise UsageError("neither source has a dialect of its own: give --dialect "
                         f"({', '.join(dialects.NAMES)})")
    first, second = (a, b) if a.dialect is not None or b.dialect is None else (b, a)
    if not schemas and (a.declared_schemas or b.declared_schemas):
        schemas = sorted(set(a.declared_schemas or ()) | set(b.declared_schemas or ()))
    if first.kind == "url" and second.kind == "url":  # (a URL's side never takes the other's dialect)
        if progress:
            progress(f"reading {first.label} and {second.label}")
        loaded_first, loaded_second = _load_side_by_side(first, second, schemas, connect_timeout)
    else:
        if progress:
            progress(f"reading {first.label}")
        loaded_first = first.load(dialect, schemas, connect_timeout)
        if progress:
            progress(f"reading {second.label}")
        loaded_second = second.load(loaded_first.dialect or dialect, schemas, connect_timeout)
    if a.exclude or b.exclude:
        loaded_first, loaded_second = (filter_tables(x, None, list(a.exclude + b.exclude))
                                       for x in (loaded_first, loaded_second))
    if not schemas and second.kind == "models" and first.kind != "models":
        loaded_first = only_declared_namespaces(loaded_first, loaded_second)
    return (loaded_first, loaded_second) if first is a else (loaded_second, loaded_first)


def _load_side_by_side(first: Source, second: Source, schemas, connect_timeout) -> tuple[Schema, Schema]:
    """Two databases read at once: each side spends most of its time waiting for its server's
    catalog queries, so the two waits overlap. The second side is read in a daemon thread; an
    error on the first side is raised as soon as it happens (as when the sides are read one after
    the other), without waiting for the second side's connect timeout."""
    box: dict[str, object] = {}

    def read_second() -> None:
        try:
            box["schema"] = second.load(None, schemas, connect_timeout)
        except BaseException as e:  # noqa: BLE001 - handed to the caller's thread below
            box["error"] = e

    thread = threading.Thread(target=read_second, name="schemadrift-read", daemon=True)
    thread.start()
    loaded_first = first.load(None, schemas, connect_timeout)
    thread.join()
    if "error" in box:
        raise box["error"]
    return loaded_first, box["schema"]


def only_declared_namespaces(live: Schema, declared: Schema) -> Schema:
    """``live`` restricted to the namespaces (schemas) the models declare: a database compared with
    models is compared on the schemas those models use (the default one when they name none)."""
    wanted = {t.schema for t in declared.tables} | {e.schema for e in declared.enums} or {None}
    return replace(live, tables=tuple(t for t in live.tables if t.schema in wanted),
                   enums=tuple(e for e in live.enums if e.schema in wanted))


def filter_tables(schema: Schema, include: list[str] | None = None,
                  exclude: list[str] | None = None) -> Schema:
    """``schema`` with only the tables whose name (or ``schema.name``) matches an ``include``
    glob (all when none is given) and no ``exclude`` glob."""
    if not include and not exclude:
        return schema
    kept = tuple(t for t in schema.tables if table_matches(t, include, exclude))
    return replace(schema, tables=kept)


def table_matches(table, include: list[str] | None, exclude: list[str] | None) -> bool:
    """Whether ``table`` passes the include/exclude globs (case-sensitive, on the bare or the
    schema-qualified name)."""
    names = (table.name, table.qualified_name)

    def hit(patterns):
        return any(fnmatch.fnmatchcase(n, p) for p in patterns for n in names)
    return (not include or hit(include)) and not (exclude and hit(exclude))
