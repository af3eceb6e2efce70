"""The command line end to end on the real servers: every command, format and exit code through
the real command (``python -m schemadrift``, a subprocess); sources of every kind, options,
hostile names and read-only access with a SELECT-only user through ``cli.main`` in process
(the same code without an interpreter start per call, to keep the suite fast)."""
from __future__ import annotations

import contextlib
import io
import json
import os
import pathlib
import pty
import subprocess
import sys
import textwrap
import uuid

import pytest
import sqlalchemy as sa
from conftest import MY_URL, PG_URL, execute, require_server, scratch_database

from schemadrift.cli import main

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PASSWORD = "R3ad-0nly-pw"

FROM_DDL = [
    "CREATE TABLE users (id INTEGER PRIMARY KEY, name VARCHAR(100) NOT NULL)",
    "CREATE TABLE orders (id INTEGER PRIMARY KEY, user_id INTEGER, "
    "FOREIGN KEY (user_id) REFERENCES users (id))",
]
TO_DDL = [
    "CREATE TABLE users (id INTEGER PRIMARY KEY, name VARCHAR(100) NOT NULL, email VARCHAR(320))",
    "CREATE TABLE orders (id INTEGER PRIMARY KEY, user_id INTEGER, "
    "FOREIGN KEY (user_id) REFERENCES users (id))",
    "CREATE INDEX ix_users_name ON users (name)",
]
MODELS = """
    import sqlalchemy as sa
    metadata = sa.MetaData()
    sa.Table("users", metadata, sa.Column("id", sa.Integer, primary_key=True),
             sa.Column("name", sa.String(100), nullable=False))
    sa.Table("orders", metadata, sa.Column("id", sa.Integer, primary_key=True),
             sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id")))
"""


def run(*args, cwd=None):
    """``schemadrift ARGS`` in process: (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err), contextlib.chdir(cwd or ROOT):
        rc = main(list(args))
    return rc, out.getvalue(), err.getvalue()


def run_cmd(*args, cwd=None, env=None, timeout=180):
    """``python -m schemadrift ARGS`` with NO_COLOR=1: (exit code, stdout, stderr)."""
    full_env = {**os.environ, "NO_COLOR": "1", "PYTHONPATH": ROOT, **(env or {})}
    p = subprocess.run([sys.executable, "-m", "schemadrift", *args], capture_output=True, text=True,
                       timeout=timeout, env=full_env, cwd=cwd or ROOT)
    return p.returncode, p.stdout, p.stderr


def ok(result, code: int = 0) -> str:
    rc, out, err = result
    assert rc == code, (rc, out, err)
    assert err == "", err
    return out


def q(url: str, name: str) -> str:
    """``name`` quoted for the server of ``url``."""
    if url.startswith("mysql"):
        return "`" + name.replace("`", "``") + "`"
    return '"' + name.replace('"', '""') + '"'


@contextlib.contextmanager
def empty_database(dialect):
    """A scratch database with nothing in it (for SQLite, an existing empty file: schemadrift
    opens SQLite read-only and never creates a file)."""
    with scratch_database(dialect) as url:
        if dialect == "sqlite":
            pathlib.Path(sa.make_url(url).database).touch()
        yield url


@pytest.fixture
def pair(dialect):
    """Two scratch databases of ``dialect``: FROM and TO (TO adds a column and an index)."""
    with scratch_database(dialect) as a, scratch_database(dialect) as b:
        execute(a, FROM_DDL)
        execute(b, TO_DDL)
        yield a, b


@pytest.fixture
def models_file(tmp_path):
    path = tmp_path / f"shop_models_{uuid.uuid4().hex[:8]}.py"  # a new module name per test
    path.write_text(textwrap.dedent(MODELS))
    return path


# -- help --------------------------------------------------------------------------------------
@pytest.mark.parametrize("command", ["compare", "plan", "inspect"])
def test_help_of_every_command_shows_an_example(command):
    out = ok(run_cmd(command, "--help"))
    assert "examples:" in out
    assert f"schemadrift {command} " in out.split("examples:")[1]


def test_top_level_help_lists_the_commands():
    out = ok(run("--help"))
    for command in ("compare", "plan", "inspect"):
        assert command in out


def test_the_real_command_every_command_format_and_exit_code(pair, tmp_path):
    """``python -m schemadrift`` for each command, format and exit code (details in process below)."""
    a, b = pair
    assert ok(run_cmd("compare", a, a)) == "In sync: no differences.\n"
    assert "~ users" in ok(run_cmd("compare", a, b), 1)
    assert json.loads(ok(run_cmd("compare", a, b, "--format", "json"), 1))["in_sync"] is False
    assert ok(run_cmd("compare", a, b, "--format", "markdown"), 1).startswith("### schemadrift")
    assert "-- phase: expand" in ok(run_cmd("compare", a, b, "--format", "sql"), 1)
    assert "-- phase: expand" in ok(run_cmd("plan", a, b))
    assert json.loads(ok(run_cmd("plan", a, b, "--format", "json", "--phase", "expand")))["steps"]
    assert "EXPAND" in ok(run_cmd("plan", a, b, "--format", "text"))
    snap = tmp_path / "a.json"
    assert ok(run_cmd("inspect", a, "-o", str(snap))) == ""
    assert json.loads(snap.read_text())["format"] == "schemadrift/1"


# -- compare -----------------------------------------------------------------------------------
def test_compare_text_exits_1_grouped_by_table(pair):
    a, b = pair
    lines = ok(run("compare", a, b), 1).splitlines()
    assert lines[0] == "1 change: 1 table changed." or lines[0].startswith("2 changes: 1 table changed")
    assert "~ users" in lines
    block = lines[lines.index("~ users") + 1:]
    assert any(x.startswith("    + column email ") for x in block)
    assert any(x.startswith("    + index ix_users_name (name)") for x in block)
    assert "\x1b[" not in "\n".join(lines)


def test_compare_json(pair):
    a, b = pair
    data = json.loads(ok(run("compare", a, b, "--format", "json"), 1))
    assert data["format"] == "schemadrift-diff/1"
    assert data["in_sync"] is False
    kinds = {(c["kind"], c["table"], c["name"]) for c in data["changes"]}
    assert kinds == {("add_column", "users", "email"), ("add_index", "users", "ix_users_name")}
    back = json.loads(ok(run("compare", b, a, "--format", "json"), 1))
    assert {(c["kind"], c["name"]) for c in back["changes"]} == {("drop_column", "email"),
                                                                 ("drop_index", "ix_users_name")}


def test_compare_markdown(pair):
    a, b = pair
    md = ok(run("compare", a, b, "--format", "markdown"), 1)
    assert md.startswith("### schemadrift: schema drift")
    assert "#### Changed table `users`" in md
    assert "- **added** column `email`" in md


def test_compare_sql_prints_the_plan(pair):
    a, b = pair
    sql = ok(run("compare", a, b, "--format", "sql"), 1)
    assert "-- phase: expand" in sql
    assert "email" in sql and "ix_users_name" in sql
    assert ok(run("compare", a, a, "--format", "sql")).startswith("-- schemadrift plan")


def test_output_file(pair, tmp_path):
    a, b = pair
    target = tmp_path / "diff.json"
    assert ok(run("compare", a, b, "--format", "json", "-o", str(target)), 1) == ""
    assert json.loads(target.read_text())["format"] == "schemadrift-diff/1"


# -- plan --------------------------------------------------------------------------------------
def test_plan_formats_and_phases(pair):
    a, b = pair
    sql = ok(run("plan", a, b))
    assert sql.startswith("-- schemadrift plan")
    assert "-- phase: expand" in sql and "-- step 1:" in sql
    data = json.loads(ok(run("plan", a, b, "--format", "json")))
    assert data["format"] == "schemadrift-plan/1"
    assert {s["phase"] for s in data["steps"]} == {"expand"}
    assert data["steps"] and all(s["sql"] for s in data["steps"])
    contract = json.loads(ok(run("plan", a, b, "--format", "json", "--phase", "contract")))
    assert contract["steps"] == []
    back = json.loads(ok(run("plan", b, a, "--format", "json", "--phase", "contract")))
    assert back["steps"] and {s["phase"] for s in back["steps"]} == {"contract"}
    assert "Plan (" in ok(run("plan", a, b, "--format", "text"))
    assert json.loads(ok(run("plan", a, a, "--format", "json")))["steps"] == []


def test_plan_rollback(pair):
    a, b = pair
    out = ok(run("plan", a, b, "--rollback"))
    assert out.startswith("-- schemadrift rollback")
    assert "ix_users_name" in out and "email" in out


def test_applying_the_plan_brings_the_databases_in_sync(pair):
    a, b = pair
    data = json.loads(ok(run("plan", a, b, "--format", "json")))
    for step in data["steps"]:
        assert not step["manual"]
        execute(a, step["sql"])
    ok(run("compare", a, b))


# -- inspect and sources -----------------------------------------------------------------------
def test_inspect_snapshot_is_a_source(pair, tmp_path):
    a, b = pair
    out = ok(run("inspect", a))
    data = json.loads(out)
    assert data["format"] == "schemadrift/1"
    assert {t["name"] for t in data["tables"]} == {"users", "orders"}
    snap = tmp_path / "a.json"
    assert ok(run("inspect", a, "-o", str(snap))) == ""
    assert snap.read_text() == out
    ok(run("compare", str(snap), a))
    ok(run("compare", a, str(snap)))
    ok(run("compare", str(snap), b), 1)


def test_models_sources_file_and_module(dialect, models_file):
    """A database created from the models is in sync with them, whichever way they are named."""
    namespace: dict = {}
    exec(models_file.read_text(), namespace)
    with scratch_database(dialect) as a:
        engine = sa.create_engine(a)
        namespace["metadata"].create_all(engine)
        engine.dispose()
        _compare_with_models(a, models_file)


def _compare_with_models(a, models_file):
    ok(run("compare", a, f"{models_file}:metadata"))
    ok(run("compare", a, f"{models_file.stem}:metadata", cwd=models_file.parent))
    ok(run("compare", f"{models_file}:metadata", a))


def test_two_models_with_dialect(models_file, dialect):
    ref = f"{models_file}:metadata"
    ok(run("compare", ref, ref, "--dialect", dialect))
    data = json.loads(ok(run("inspect", ref, "--dialect", dialect)))
    assert data["dialect"] == dialect


def test_empty_schema_on_one_side(pair, dialect):
    a, _ = pair
    with empty_database(dialect) as empty:
        data = json.loads(ok(run("compare", empty, a, "--format", "json"), 1))
        assert {(c["kind"], c["table"]) for c in data["changes"]} == {("add_table", "users"),
                                                                      ("add_table", "orders")}
        ok(run("compare", empty, empty))
        assert json.loads(ok(run("inspect", empty))).get("tables", []) == []
        plan = json.loads(ok(run("plan", a, empty, "--format", "json")))
        assert {s["phase"] for s in plan["steps"]} == {"contract"}


# -- options -----------------------------------------------------------------------------------
def test_include_and_exclude(pair):
    a, b = pair
    ok(run("compare", a, b, "--include", "orders"))
    ok(run("compare", a, b, "--exclude", "us*"))
    ok(run("compare", a, b, "--include", "u*"), 1)
    ok(run("compare", a, b, "--include", "orders", "--include", "users"), 1)
    data = json.loads(ok(run("inspect", a, "--exclude", "orders")))
    assert [t["name"] for t in data["tables"]] == ["users"]


def test_include_matching_nothing_warns(pair):
    a, b = pair
    rc, out, err = run("compare", a, b, "--include", "nothing_*")
    assert rc == 0, (rc, out, err)
    assert err.strip() == "schemadrift: warning: --include 'nothing_*' matches no table"


def test_rename_candidate_and_confirmed_rename(dialect):
    with scratch_database(dialect) as a, scratch_database(dialect) as b:
        execute(a, ["CREATE TABLE people (id INTEGER PRIMARY KEY, name VARCHAR(50))"])
        execute(b, ["CREATE TABLE people (id INTEGER PRIMARY KEY, full_name VARCHAR(50))"])
        text = ok(run("compare", a, b), 1)
        assert "column people.name → full_name" in text
        assert "--rename people.name=full_name" in text
        data = json.loads(ok(run("compare", a, b, "--format", "json", "--rename",
                                 "people.name=full_name"), 1))
        assert [(c["kind"], c["table"]) for c in data["changes"]] == [("rename_column", "people")]
        assert "~ column name → full_name (rename)" in ok(run("compare", a, b, "--rename",
                                                             "people.name=full_name"), 1)
        rc, _, err = run("compare", a, b, "--rename", "people.nme=full_name")
        assert rc == 1
        assert err == "schemadrift: warning: --rename people.nme=full_name matches no dropped and added " \
                      "pair; ignored\n"


def test_hostile_table_names_round_trip(dialect):
    names = ['we"ird', "back`tick", "with space", "ünïcødé", "it's"]
    with scratch_database(dialect) as a, empty_database(dialect) as empty:
        execute(a, [f"CREATE TABLE {q(a, n)} (id INTEGER PRIMARY KEY, {q(a, n + ' col')} INTEGER)"
                    for n in names])
        data = json.loads(ok(run("inspect", a)))
        assert {t["name"] for t in data["tables"]} == set(names)
        ok(run("compare", a, a))
        diff = json.loads(ok(run("compare", empty, a, "--format", "json"), 1))
        assert {c["table"] for c in diff["changes"]} == set(names)
        text = ok(run("compare", empty, a), 1)
        assert '+ "we""ird"' in text and '+ "with space"' in text
        plan = json.loads(ok(run("plan", empty, a, "--format", "json")))
        for step in plan["steps"]:
            execute(empty, step["sql"])
        ok(run("compare", empty, a))


def test_schema_option_and_qualified_names(pg_scratch):
    execute(pg_scratch, FROM_DDL + ["CREATE SCHEMA billing",
                                    "CREATE TABLE billing.invoices (id INTEGER PRIMARY KEY)"])
    with scratch_database("postgresql") as other:
        execute(other, FROM_DDL)
        text = ok(run("compare", other, pg_scratch), 1)
        assert "+ billing.invoices" in text
        ok(run("compare", other, pg_scratch, "--schema", "public"))
        data = json.loads(ok(run("inspect", pg_scratch, "--schema", "billing")))
        assert [(t["schema"], t["name"]) for t in data["tables"]] == [("billing", "invoices")]


def test_engine_migra_reports_unmodelled_objects(pg_scratch):
    with scratch_database("postgresql") as other:
        execute(pg_scratch, FROM_DDL)
        execute(other, FROM_DDL + ["CREATE VIEW user_names AS SELECT name FROM users"])
        ok(run("compare", pg_scratch, pg_scratch, "--engine", "migra"))
        text = ok(run("compare", pg_scratch, other, "--engine", "migra"), 1)
        assert "view" in text.lower() and "user_names" in text
        data = json.loads(ok(run("compare", pg_scratch, other, "--engine", "migra", "--format", "json"), 1))
        assert data["in_sync"] is False
        assert any("user_names" in s for s in data["migra_statements"])


# -- terminal ----------------------------------------------------------------------------------
def _run_on_tty(args, env):
    master, slave = pty.openpty()
    try:
        p = subprocess.run([sys.executable, "-m", "schemadrift", *args], stdout=slave,
                           stderr=subprocess.PIPE, env={**os.environ, "PYTHONPATH": ROOT, **env},
                           cwd=ROOT, timeout=120)
        os.close(slave)
        chunks = []
        while True:
            try:
                data = os.read(master, 65536)
            except OSError:
                break
            if not data:
                break
            chunks.append(data)
        return p.returncode, b"".join(chunks).decode()
    finally:
        os.close(master)


def test_colors_on_a_terminal_unless_no_color(lite_scratch):
    with empty_database("sqlite") as empty:
        execute(lite_scratch, FROM_DDL)
        env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
        rc, out = _run_on_tty(["compare", empty, lite_scratch], {"NO_COLOR": ""} | env)
        assert rc == 1 and "\x1b[32m" in out
        rc, out = _run_on_tty(["compare", empty, lite_scratch], {"NO_COLOR": "1"})
        assert rc == 1 and "\x1b[" not in out and "+ users" in out
        rc, out, _ = run_cmd("compare", empty, lite_scratch, env={"NO_COLOR": ""})
        assert rc == 1 and "\x1b[" not in out  # a pipe is not a terminal


# -- read-only ---------------------------------------------------------------------------------
@pytest.fixture
def select_only_url(request, dialect):
    """A database with tables and a user that may only SELECT from them."""
    if dialect == "sqlite":
        pytest.skip("SQLite has no users; its read-only mode is tested below")
    require_server(dialect)
    user = "sdt_ro_" + uuid.uuid4().hex[:8]
    with scratch_database(dialect) as url:
        execute(url, TO_DDL)
        database = sa.make_url(url).database
        if dialect == "postgresql":
            admin = PG_URL.rstrip("/") + "/postgres"
            execute(url, [f"CREATE ROLE {user} LOGIN PASSWORD '{PASSWORD}'",
                          f"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {user}"])
            drop = ["SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    f"WHERE usename = '{user}'", f"DROP OWNED BY {user}", f"DROP ROLE {user}"]
            server = PG_URL
        else:
            admin = MY_URL.rstrip("/") + "/"
            execute(admin, [f"CREATE USER '{user}'@'%' IDENTIFIED BY '{PASSWORD}'",
                            f"GRANT SELECT ON {database}.* TO '{user}'@'%'"])
            drop = [f"DROP USER '{user}'@'%'"]
            server = MY_URL
        try:
            yield url, sa.make_url(server).set(username=user, password=PASSWORD, database=database) \
                .render_as_string(hide_password=False)
        finally:
            execute(url if dialect == "postgresql" else admin, drop)


def test_select_only_user_can_compare_plan_and_inspect(select_only_url, dialect):
    # (MariaDB hides REFERENTIAL_CONSTRAINTS from a SELECT-only user: the FK rules come from
    # SHOW CREATE TABLE, and the owner and the SELECT-only user must see the same schema)
    owner_url, ro_url = select_only_url
    assert json.loads(ok(run("inspect", ro_url)))["tables"]
    ok(run("compare", ro_url, owner_url))
    with scratch_database(dialect) as a:
        execute(a, FROM_DDL)
        rc, out, err = run("compare", a, ro_url)
        assert rc == 1 and PASSWORD not in out + err
        plan = ok(run("plan", a, ro_url))
        assert "-- phase: expand" in plan and PASSWORD not in plan


def test_connections_are_read_only(dialect):
    from schemadrift import sources
    with scratch_database(dialect) as url:
        execute(url, FROM_DDL)
        engine = sources.create_engine(sa.make_url(url))
        try:
            with sources._connection(engine) as conn:
                with pytest.raises(sa.exc.DBAPIError, match="(?i)read.only|readonly"):
                    conn.exec_driver_sql("CREATE TABLE intruder (id INTEGER)")
        finally:
            engine.dispose()
        assert {t for t in sa.inspect(sa.create_engine(url)).get_table_names()} == {"users", "orders"}


def test_main_in_process_returns_exit_codes(capsys):
    from schemadrift.cli import main
    assert main(["--help"]) == 0
    assert main(["compare", "postgresql://:::", "x"]) == 2
    assert capsys.readouterr().err.startswith("schemadrift: error: malformed database URL")


class _Tty(io.StringIO):
    def isatty(self):
        return True


def test_progress_only_on_a_terminal():
    from schemadrift.cli import Progress

    tty, pipe = _Tty(), io.StringIO()
    for stream in (tty, pipe):
        progress = Progress(stream)
        progress(f"reading postgresql://u:{PASSWORD}@h/db")
        progress.done()
    assert pipe.getvalue() == ""
    assert "reading postgresql://u:***@h/db" in tty.getvalue()
    assert tty.getvalue().endswith("\r\x1b[K")


def test_unexpected_errors_are_one_line_without_password(monkeypatch):
    from schemadrift import sources

    def explode(*_args, **_kwargs):
        raise RuntimeError(f"driver said: bad login for {PASSWORD}\nsecond line")
    monkeypatch.setattr(sources, "load_pair", explode)
    rc, out, err = run("compare", f"postgresql://u:{PASSWORD}@127.0.0.1/x", "sqlite://")
    assert rc == 2 and out == ""
    assert err.count("\n") == 1 and PASSWORD not in err
    assert err.startswith("schemadrift: error: unexpected RuntimeError: driver said: bad login for ***")
    assert "--debug" in err
