"""Scratch databases on the real servers.

Server URLs (without a database) come from ``PG_URL`` and ``MY_URL``, with the local defaults.
Each test gets its own database with a unique name, dropped afterwards. An unreachable server
skips its tests with a one-line reason, except under ``CI=true``, where they fail.
"""
from __future__ import annotations

import atexit
import contextlib
import os
import queue
import re
import threading
import uuid

import pytest
import sqlalchemy as sa

from schemadrift import verify

PG_URL = os.environ.get("PG_URL", "postgresql://postgres@127.0.0.1:5432")
MY_URL = os.environ.get("MY_URL", "mysql+pymysql://root@127.0.0.1:3306")
DIALECTS = ("sqlite", "postgresql", "mariadb")
IN_CI = os.environ.get("CI", "").lower() == "true"

_reachable: dict[str, str | None] = {}


def _server(dialect: str) -> str:
    return PG_URL if dialect == "postgresql" else MY_URL


def _admin_engine(dialect: str) -> sa.Engine:
    suffix = "/postgres" if dialect == "postgresql" else "/"
    return sa.create_engine(_server(dialect).rstrip("/") + suffix, isolation_level="AUTOCOMMIT",
                            poolclass=sa.pool.NullPool, connect_args={"connect_timeout": 5})


def require_server(dialect: str) -> None:
    """Skip (or fail under CI=true) when the server for ``dialect`` is not reachable."""
    if dialect == "sqlite":
        return
    if dialect not in _reachable:
        try:
            with _admin_engine(dialect).connect() as c:
                c.exec_driver_sql("SELECT 1")
            _reachable[dialect] = None
        except Exception as e:  # noqa: BLE001
            _reachable[dialect] = f"{dialect} server not reachable: {str(e).splitlines()[0][:150]}"
    reason = _reachable[dialect]
    if reason:
        if IN_CI:
            pytest.fail(reason)
        pytest.skip(reason)


@contextlib.contextmanager
def scratch_database(dialect: str, tmp_path=None):
    """Yield the URL of a fresh empty database on the real server; drop it afterwards."""
    require_server(dialect)
    name = "sdt_" + uuid.uuid4().hex[:12]
    if dialect == "sqlite":
        import tempfile
        with tempfile.TemporaryDirectory() as d:
            yield f"sqlite:///{d}/{name}.db"
        return
    admin = _admin_engine(dialect)
    with admin.connect() as c:
        c.exec_driver_sql(f"CREATE DATABASE {name}" + (" CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci"
                                                        if dialect != "postgresql" else ""))
    admin.dispose()
    try:
        yield f"{_server(dialect).rstrip('/')}/{name}"
    finally:
        _DROPPER.drop(dialect, name)


class _Dropper:
    """Drops scratch databases on a background thread, so that the slow part of DROP DATABASE
    (PostgreSQL forces a checkpoint) is off the tests' critical path. Every database is still
    dropped: the queue is drained when the test session ends."""

    def __init__(self):
        self.queue: queue.Queue = queue.Queue()
        self.thread: threading.Thread | None = None

    def drop(self, dialect: str, name: str) -> None:
        if self.thread is None:
            self.thread = threading.Thread(target=self._run, name="scratch-dropper", daemon=True)
            self.thread.start()
        self.queue.put((dialect, name))

    def _run(self) -> None:
        while True:
            item = self.queue.get()
            try:
                if item is not None:
                    _drop_now(*item)
            except Exception:  # noqa: BLE001 - a failed drop must not kill the others
                pass
            finally:
                self.queue.task_done()

    def drain(self) -> None:
        if self.thread is not None:
            self.queue.join()


def _drop_now(dialect: str, name: str) -> None:
    admin = _admin_engine(dialect)
    try:
        with admin.connect() as c:
            if dialect == "postgresql":
                c.exec_driver_sql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                  f"WHERE datname = '{name}' AND pid <> pg_backend_pid()")
            c.exec_driver_sql(f"DROP DATABASE IF EXISTS {name}")
    finally:
        admin.dispose()


_DROPPER = _Dropper()
atexit.register(_DROPPER.drain)


def pytest_sessionfinish(session, exitstatus):
    _DROPPER.drain()


# Statements that empty a scratch database for reuse (PostgreSQL: every user schema; MariaDB: the
# database is dropped and created again), for test modules that keep databases between cases.
RESET = {
    "postgresql": lambda name: [
        "DO $$ DECLARE s text; BEGIN FOR s IN SELECT nspname FROM pg_namespace WHERE nspname NOT LIKE "
        "'pg\\_%' AND nspname <> 'information_schema' LOOP EXECUTE format('DROP SCHEMA %I CASCADE', s); "
        "END LOOP; END $$", "CREATE SCHEMA public"],
    "mariadb": lambda name: [f"DROP DATABASE {name}",
                             f"CREATE DATABASE {name} CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci"],
}


def execute(url: str, statements) -> None:
    """Run statements one by one, autocommitted, through a DBAPI cursor with no parameters."""
    verify.execute(url, [statements] if isinstance(statements, str) else statements)


_DELIMITER = re.compile(r"[ \t]*DELIMITER[ \t]+(\S+)[ \t]*(?:\n|$)", re.I)


def split_sql(script: str) -> list[str]:
    """Split a DDL script on top-level semicolons (quotes, comments and $$ bodies respected), or
    on the delimiter a mysql-client ``DELIMITER x`` line (at the start of a statement) sets."""
    out, buf, i, n = [], [], 0, len(script)
    quote, delimiter = None, ";"
    while i < n:
        ch = script[i]
        command = _DELIMITER.match(script, i) if not quote and (i == 0 or script[i - 1] == "\n") \
            and not "".join(buf).strip() else None
        if command:
            delimiter = command.group(1)
            i = command.end()
            continue
        if quote:
            buf.append(ch)
            if script.startswith(quote, i):
                buf.append(script[i + 1:i + len(quote)])
                i += len(quote)
                quote = None
                continue
        elif script.startswith("--", i) or (ch == "#" and (i == 0 or script[i - 1] == "\n")):
            j = script.find("\n", i)
            i = n if j < 0 else j
            continue
        elif script.startswith("/*", i) and not script.startswith("/*!", i):
            j = script.find("*/", i + 2)
            i = n if j < 0 else j + 2
            continue
        elif delimiter != ";" and script.startswith(delimiter, i):
            stmt = "".join(buf).strip()
            if stmt:
                out.append(stmt)
            buf = []
            i += len(delimiter)
            continue
        elif ch in "'\"`":
            quote = ch
            buf.append(ch)
        elif ch == "$":
            j = script.find("$", i + 1)
            tag = script[i:j + 1] if j > 0 else ""
            if tag and all(c.isalnum() or c == "_" for c in tag[1:-1]):
                quote = tag
                buf.append(tag)
                i = j + 1
                continue
            buf.append(ch)
        elif ch == ";" and delimiter == ";":
            stmt = "".join(buf).strip()
            if stmt:
                out.append(stmt)
            buf = []
        else:
            buf.append(ch)
        i += 1
    stmt = "".join(buf).strip()
    if stmt:
        out.append(stmt)
    return out


@pytest.fixture(params=DIALECTS)
def dialect(request) -> str:
    return request.param


@pytest.fixture
def scratch(dialect):
    """A factory: ``scratch()`` returns the URL of a new scratch database of ``dialect``."""
    with contextlib.ExitStack() as stack:
        yield lambda: stack.enter_context(scratch_database(dialect))


@pytest.fixture
def pg_scratch():
    with scratch_database("postgresql") as url:
        yield url


@pytest.fixture
def my_scratch():
    with scratch_database("mariadb") as url:
        yield url


@pytest.fixture
def lite_scratch():
    with scratch_database("sqlite") as url:
        yield url
