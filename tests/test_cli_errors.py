"""Every bad input of the command line: exit 2, exactly one line on stderr starting with
``schemadrift: error:``, no traceback, never a password. Each runs the real command
(``python -m schemadrift``) against the real servers."""
from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import textwrap
import time
import uuid

import pytest
import sqlalchemy as sa
from conftest import MY_URL, PG_URL, _admin_engine, execute, require_server

SECRET = "hunter2-S3cret"
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run(*args, cwd=None, timeout=120):
    """``python -m schemadrift ARGS`` with NO_COLOR=1: (exit code, stdout, stderr)."""
    env = {**os.environ, "NO_COLOR": "1", "PYTHONPATH": ROOT}
    p = subprocess.run([sys.executable, "-m", "schemadrift", *args], capture_output=True, text=True,
                       timeout=timeout, env=env, cwd=cwd or ROOT)
    return p.returncode, p.stdout, p.stderr


def assert_error(result, *fragments: str, secrets: tuple[str, ...] = (SECRET,)) -> str:
    """Exit 2, one line on stderr starting ``schemadrift: error:``, holding every fragment."""
    rc, out, err = result
    lines = [x for x in err.splitlines() if x.strip()]
    assert rc == 2, (rc, out, err)
    assert len(lines) == 1, err
    assert lines[0].startswith("schemadrift: error: "), err
    assert "Traceback" not in out + err
    assert out == "", out
    for s in secrets:
        assert s not in out + err
    for f in fragments:
        assert f in lines[0], (f, lines[0])
    return lines[0]


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def with_db(server_url: str, database: str, user: str | None = None, password: str | None = None) -> str:
    url = sa.make_url(server_url).set(database=database)
    if user is not None:
        url = url.set(username=user, password=password)
    return url.render_as_string(hide_password=False)


@pytest.fixture
def sqlite_url(tmp_path):
    path = tmp_path / "ok.db"
    import sqlite3
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE t (id INTEGER PRIMARY KEY)")
    con.close()
    return f"sqlite:///{path}"


@pytest.fixture
def models_dir(tmp_path):
    """A folder of model files, good and bad."""
    files = {
        "good.py": """
            import sqlalchemy as sa
            metadata = sa.MetaData()
            sa.Table("t", metadata, sa.Column("id", sa.Integer, primary_key=True))
            NUMBER = 3
            def broken():
                raise RuntimeError("factory failed")
        """,
        "bad_import.py": """
            import does_not_exist_xyz  # noqa
            metadata = None
        """,
        "raises.py": """
            raise ValueError("models exploded")
        """,
        "pg_only.py": """
            import sqlalchemy as sa
            from sqlalchemy.dialects.postgresql import TSVECTOR
            metadata = sa.MetaData()
            sa.Table("docs", metadata, sa.Column("id", sa.Integer, primary_key=True),
                     sa.Column("search", TSVECTOR))
        """,
    }
    for name, body in files.items():
        (tmp_path / name).write_text(textwrap.dedent(body))
    return tmp_path


# -- URLs --------------------------------------------------------------------------------------
def test_malformed_url(sqlite_url):
    assert_error(run("compare", "postgresql://:::", sqlite_url), "malformed database URL")


def test_malformed_url_port_keeps_password_hidden(sqlite_url):
    line = assert_error(run("compare", f"postgresql://u:{SECRET}@h:99999/x", sqlite_url), "bad port")
    assert "u:***@h" in line


def test_unknown_dialect(sqlite_url):
    assert_error(run("compare", f"oracle://scott:{SECRET}@localhost/x", sqlite_url),
                 "unknown dialect 'oracle'", "postgresql, mysql, mariadb, sqlite")


@pytest.mark.parametrize("url, extra", [
    (f"postgresql+pg8000://u:{SECRET}@127.0.0.1/x", "pip install 'schemadrift-db[postgresql]'"),
    (f"mysql+mysqldb://u:{SECRET}@127.0.0.1/x", "pip install 'schemadrift-db[mysql]'"),
])
def test_driver_not_installed_names_the_pip_extra(sqlite_url, url, extra):
    line = assert_error(run("compare", url, sqlite_url), "is not installed", extra)
    assert "pip install pg8000" in line or "pip install mysqlclient" in line


@pytest.mark.parametrize("backend", ["postgresql", "mariadb"])
def test_host_unreachable_is_fast_and_hides_the_password(sqlite_url, backend):
    scheme = "postgresql" if backend == "postgresql" else "mysql+pymysql"
    port = closed_port()
    start = time.monotonic()
    line = assert_error(run("compare", f"{scheme}://u:{SECRET}@127.0.0.1:{port}/x", sqlite_url,
                            "--connect-timeout", "2"), f"127.0.0.1:{port}")
    assert time.monotonic() - start < 15
    assert "***" in line


def test_connect_timeout_applies_to_a_silent_host(sqlite_url):
    # a listening socket that never answers: the client waits for the server's greeting
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        port = server.getsockname()[1]
        start = time.monotonic()
        assert_error(run("compare", f"mysql+pymysql://u:{SECRET}@127.0.0.1:{port}/x", sqlite_url,
                         "--connect-timeout", "2"))
        assert time.monotonic() - start < 12


@contextlib.contextmanager
def pg_role(password: str | None = SECRET, login: bool = True):
    require_server("postgresql")
    name = "sdt_role_" + uuid.uuid4().hex[:8]
    admin = _admin_engine("postgresql")
    with admin.connect() as c:
        c.exec_driver_sql(f"CREATE ROLE {name} {'LOGIN' if login else ''}"
                          + (f" PASSWORD '{password}'" if password else ""))
    try:
        yield name
    finally:
        with admin.connect() as c:
            c.exec_driver_sql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                              f"WHERE usename = '{name}'")
            c.exec_driver_sql(f"DROP OWNED BY {name}")
            c.exec_driver_sql(f"DROP ROLE {name}")
        admin.dispose()


@contextlib.contextmanager
def my_user(password: str = SECRET):
    require_server("mariadb")
    name = "sdt_user_" + uuid.uuid4().hex[:8]
    admin = MY_URL.rstrip("/") + "/"
    execute(admin, [f"CREATE USER '{name}'@'%' IDENTIFIED BY '{password}'"])
    try:
        yield name
    finally:
        execute(admin, [f"DROP USER IF EXISTS '{name}'@'%'"])


def _pg_trusts_local_tcp() -> bool:
    with _admin_engine("postgresql").connect() as c:
        methods = c.exec_driver_sql("SELECT auth_method FROM pg_hba_file_rules "
                                    "WHERE type = 'host' AND address = '127.0.0.1'").scalars().all()
    return "trust" in methods


def test_wrong_password_mariadb(sqlite_url):
    with my_user() as user:
        url = with_db(MY_URL, "mysql", user, "not-" + SECRET)
        assert_error(run("compare", url, sqlite_url), "Access denied", secrets=(SECRET, "not-" + SECRET))


def test_wrong_password_postgresql(sqlite_url):
    with pg_role() as role:
        if _pg_trusts_local_tcp():
            pytest.skip("this PostgreSQL trusts 127.0.0.1: a wrong password cannot be observed")
        url = with_db(PG_URL, "postgres", role, "not-" + SECRET)
        assert_error(run("compare", url, sqlite_url), "password authentication failed",
                     secrets=(SECRET, "not-" + SECRET))


def test_unknown_database_postgresql(sqlite_url):
    require_server("postgresql")
    url = with_db(PG_URL, "sdt_no_such_db", "postgres", SECRET)
    assert_error(run("compare", url, sqlite_url), "sdt_no_such_db", "does not exist")


def test_unknown_database_mariadb(sqlite_url):
    require_server("mariadb")
    url = with_db(MY_URL, "sdt_no_such_db")
    assert_error(run("compare", url, sqlite_url), "Unknown database", "sdt_no_such_db")


def test_no_permission_postgresql(pg_scratch, sqlite_url):
    database = sa.make_url(pg_scratch).database
    with pg_role() as role:
        execute(with_db(PG_URL, "postgres"), [f"REVOKE CONNECT ON DATABASE {database} FROM PUBLIC"])
        url = with_db(PG_URL, database, role, SECRET)
        assert_error(run("inspect", url), "permission denied")


def test_no_permission_mariadb(my_scratch, sqlite_url):
    database = sa.make_url(my_scratch).database
    with my_user() as user:
        url = with_db(MY_URL, database, user, SECRET)
        assert_error(run("inspect", url), "Access denied", database)


def test_missing_sqlite_file_is_not_created(tmp_path, sqlite_url):
    path = tmp_path / "nope.db"
    assert_error(run("compare", f"sqlite:///{path}", sqlite_url), "no such SQLite database file")
    assert not path.exists()


# -- Python references -------------------------------------------------------------------------
def test_module_that_does_not_exist(sqlite_url):
    assert_error(run("compare", sqlite_url, "no_such_module_here:metadata"),
                 "cannot import 'no_such_module_here'")


def test_module_whose_import_fails_shows_the_import_error(models_dir, sqlite_url):
    assert_error(run("compare", sqlite_url, "bad_import:metadata", cwd=models_dir),
                 "No module named 'does_not_exist_xyz'")


def test_module_that_raises_while_importing(models_dir, sqlite_url):
    assert_error(run("compare", sqlite_url, f"{models_dir}/raises.py:metadata"),
                 "ValueError: models exploded")


def test_missing_attribute(models_dir, sqlite_url):
    assert_error(run("compare", sqlite_url, "good:nope", cwd=models_dir), "has no attribute 'nope'")


def test_attribute_that_is_not_metadata(models_dir, sqlite_url):
    assert_error(run("compare", sqlite_url, f"{models_dir}/good.py:NUMBER"),
                 "'NUMBER' is a int, not a SQLAlchemy MetaData")


def test_factory_that_raises(models_dir, sqlite_url):
    assert_error(run("compare", sqlite_url, f"{models_dir}/good.py:broken"),
                 "calling broken() failed", "factory failed")


def test_py_path_that_does_not_exist(tmp_path, sqlite_url):
    assert_error(run("compare", sqlite_url, f"{tmp_path}/nowhere/models.py:metadata"), "no such Python file")


def test_py_path_without_attribute(models_dir, sqlite_url):
    assert_error(run("compare", sqlite_url, f"{models_dir}/good.py"), "good.py:ATTRIBUTE")


def test_two_dialectless_sources_need_dialect(models_dir):
    ref = f"{models_dir}/good.py:metadata"
    assert_error(run("compare", ref, ref), "--dialect")


def test_models_with_a_type_the_dialect_cannot_compile(models_dir, sqlite_url):
    assert_error(run("compare", sqlite_url, f"{models_dir}/pg_only.py:metadata"),
                 "docs", "search", "TSVECTOR")


def test_models_with_a_type_mariadb_cannot_compile(models_dir):
    assert_error(run("inspect", f"{models_dir}/pg_only.py:metadata", "--dialect", "mariadb"),
                 "docs.search", "TSVECTOR", "cannot be compiled for mariadb")


# -- files -------------------------------------------------------------------------------------
@pytest.mark.parametrize("content, fragment", [
    ("{oops", "not valid JSON"),
    (json.dumps({"format": "drawio/3", "x": 1}), "not a schemadrift snapshot (format 'drawio/3')"),
    (json.dumps([1, 2, 3]), "JSON of an unknown format"),
    (json.dumps({"format": "schemadrift/99", "dialect": "sqlite"}), "'schemadrift/99' is newer"),
])
def test_bad_json_files(tmp_path, sqlite_url, content, fragment):
    path = tmp_path / "snap.json"
    path.write_text(content)
    assert_error(run("compare", str(path), sqlite_url), fragment)


def test_binary_file(tmp_path, sqlite_url):
    path = tmp_path / "blob.bin"
    path.write_bytes(b"\xff\xfe\x00\x81" * 10)
    assert_error(run("compare", str(path), sqlite_url), "not a text file")


def test_file_that_does_not_exist(tmp_path, sqlite_url):
    assert_error(run("compare", str(tmp_path / "nothing.json"), sqlite_url), "no such file")


def test_folder_that_is_not_a_drizzle_output(tmp_path, sqlite_url):
    assert_error(run("compare", str(tmp_path), sqlite_url))


def test_output_file_that_cannot_be_written(tmp_path, models_dir):
    assert_error(run("inspect", f"{models_dir}/good.py:metadata", "--dialect", "postgresql",
                     "-o", str(tmp_path / "no" / "such" / "dir.json")), "cannot write")


# -- options -----------------------------------------------------------------------------------
@pytest.mark.parametrize("args, fragment", [
    (["plan", "a", "b", "--phase", "later"], "argument --phase: invalid choice: 'later'"),
    (["compare", "a", "b", "--format", "yaml"], "argument --format: invalid choice: 'yaml'"),
    (["plan", "a", "b", "--format", "markdown"], "argument --format: invalid choice: 'markdown'"),
    (["compare", "a", "b", "--dialect", "oracle"], "unknown dialect 'oracle'"),
    (["compare", "a", "b", "--rename", "nothing"], "expected TABLE.OLD=NEW"),
    (["compare", "a", "b", "--connect-timeout", "soon"], "not a positive number of seconds"),
    (["compare", "a"], "required: TO"),
    (["frobnicate"], "invalid choice: 'frobnicate'"),
    ([], "required: COMMAND"),
    (["compare", "a", "b", "--no-such-option"], "unrecognized arguments: --no-such-option"),
    (["inspect", f"postgresql://u:{SECRET}@h/x", "extra-arg"], "unrecognized arguments"),
])
def test_bad_options(args, fragment):
    assert_error(run(*args), fragment)


def test_rollback_needs_sql_format(sqlite_url):
    assert_error(run("plan", sqlite_url, sqlite_url, "--rollback", "--format", "json"), "--rollback")


def test_engine_migra_is_a_clear_error(sqlite_url):
    assert_error(run("compare", sqlite_url, sqlite_url, "--engine", "migra"), "--engine migra")


def test_debug_shows_the_traceback(sqlite_url):
    rc, out, err = run("compare", "postgresql://:::", sqlite_url, "--debug")
    assert rc == 2
    assert "Traceback" in err
    assert err.strip().splitlines()[-1].startswith("schemadrift: error: malformed database URL")


def test_inspect_models_without_dialect(models_dir):
    assert_error(run("inspect", f"{models_dir}/good.py:metadata"), "no dialect of its own", "--dialect")


# -- inputs that look odd but are valid: they must work -----------------------------------------
def _quote(url: str, name: str) -> str:
    if url.startswith("mysql"):
        return "`" + name.replace("`", "``") + "`"
    return '"' + name.replace('"', '""') + '"'


@pytest.fixture(params=["sqlite", "postgresql", "mariadb"])
def two_dbs(request):
    """A database and an empty one (an existing empty file for SQLite, which is opened read-only)."""
    from conftest import scratch_database
    with scratch_database(request.param) as a, scratch_database(request.param) as empty:
        if request.param == "sqlite":
            open(sa.make_url(empty).database, "wb").close()
        yield a, empty


def test_hostile_table_names_work(two_dbs):
    a, empty = two_dbs
    names = ['qu"ote', "back`tick", "sp ace", "ünïcødé"]
    execute(a, [f"CREATE TABLE {_quote(a, n)} (id INTEGER PRIMARY KEY)" for n in names])
    rc, out, err = run("compare", a, a)
    assert (rc, err) == (0, ""), out + err
    rc, out, err = run("compare", empty, a, "--format", "json")
    assert (rc, err) == (1, ""), out + err
    assert {c["table"] for c in json.loads(out)["changes"]} == set(names)


def test_zero_tables_and_an_empty_side(two_dbs):
    a, empty = two_dbs
    execute(a, ["CREATE TABLE t (id INTEGER PRIMARY KEY)"])
    rc, out, err = run("inspect", empty)
    assert (rc, err) == (0, "") and json.loads(out).get("tables", []) == []
    rc, out, err = run("compare", empty, empty)
    assert (rc, out, err) == (0, "In sync: no differences.\n", "")
    rc, out, err = run("compare", empty, a)
    assert (rc, err) == (1, "") and "+ t  (new table: 1 column)" in out


def test_include_matching_nothing_is_a_warning(sqlite_url, tmp_path):
    other = tmp_path / "other.db"
    import sqlite3
    con = sqlite3.connect(other)
    con.execute("CREATE TABLE u (id INTEGER PRIMARY KEY)")
    con.close()
    for target in (sqlite_url, f"sqlite:///{other}"):  # the same tables, then different ones
        rc, out, err = run("compare", sqlite_url, target, "--include", "zz_*")
        assert rc == 0, out + err  # nothing left to compare on either side
        assert err == "schemadrift: warning: --include 'zz_*' matches no table\n"
    rc, out, err = run("compare", sqlite_url, f"sqlite:///{other}", "--include", "zz_*", "--include", "u")
    assert rc == 1 and "+ u" in out
    assert err == "schemadrift: warning: --include 'zz_*' matches no table\n"


def test_password_with_an_unencoded_at_sign_never_leaks(sqlite_url):
    url = f"postgresql://u:p@{SECRET}@127.0.0.1:{closed_port()}/x"
    assert_error(run("compare", url, sqlite_url, "--connect-timeout", "2"))


@pytest.mark.parametrize("text, secrets, expected", [
    ("postgresql://u:pw@h/x failed", (), "postgresql://u:***@h/x failed"),
    ("mysql+pymysql://u:a@b@h:1/x and 'sqlite:///f.db'", (), "mysql+pymysql://u:***@h:1/x and 'sqlite:///f.db'"),
    ("host 'b-long@h' unknown", ("b-long",), "host '***@h' unknown"),
    ("a short pw p is not masked everywhere", ("p",), "a short pw p is not masked everywhere"),
    ("password=hunter2 sslmode=off", (), "password=*** sslmode=off"),
])
def test_redact(text, secrets, expected):
    from schemadrift.errors import redact
    assert redact(text, secrets) == expected


def test_url_secrets_include_decoded_and_split_passwords():
    from schemadrift.errors import url_secrets
    found = url_secrets(["compare", "postgresql://u:p%40ss@h/x", "mysql://u:one@two-x@h/y", "plain"])
    assert {"p%40ss", "p@ss", "one@two-x", "two-x"} <= set(found)
