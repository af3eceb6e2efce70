"""Round trips on the real servers: FROM (with rows) + plan = TO, with every kept row kept.

* the plan's SQL is applied exactly as printed: once as the JSON steps, once as the SQL script;
* expand (+ backfill) alone is backward compatible: FROM's inserts and selects still run, and so
  do TO's where TO's columns already exist;
* the rollback script after expand + backfill brings FROM back, rows included;
* a seeded generator of schema pairs runs the same round trip on random mutations: 30 pairs per
  dialect, 300 with ``SCHEMADRIFT_PROFILE=extended``, or ``SD_PLAN_PAIRS=N``.
"""
from __future__ import annotations

import dataclasses
import json
import os
import random
from dataclasses import dataclass, field

import oracles
import pytest
import sqlalchemy as sa
from conftest import execute, scratch_database, split_sql

import schemadrift


@dataclass
class Case:
    id: str
    from_ddl: str
    to_ddl: str
    data: list[str]
    renames: dict[str, str] = field(default_factory=dict)
    backfill: dict[str, str] = field(default_factory=dict)
    old_code: list[str] = field(default_factory=list)  # FROM's queries: must run after expand
    new_code: list[str] = field(default_factory=list)  # TO's queries on what expand already added
    after: list[tuple[str, list[tuple]]] = field(default_factory=list)  # (query, rows) at the end


SHOP_FROM = """
CREATE TABLE customers (
  id INTEGER PRIMARY KEY,
  email VARCHAR(120) NOT NULL,
  name VARCHAR(80) NOT NULL DEFAULT 'anonymous',
  legacy_code VARCHAR(10),
  CONSTRAINT uq_customers_email UNIQUE (email)
);
CREATE TABLE orders (
  id INTEGER PRIMARY KEY,
  customer_id INTEGER NOT NULL,
  note VARCHAR(200),
  total NUMERIC(12,2) NOT NULL DEFAULT 0,
  CONSTRAINT fk_orders_customer FOREIGN KEY (customer_id) REFERENCES customers (id)
);
CREATE INDEX ix_orders_note ON orders (note);
CREATE TABLE audit (id INTEGER PRIMARY KEY, what VARCHAR(50));
"""
SHOP_TO = """
CREATE TABLE customers (
  id INTEGER PRIMARY KEY,
  email VARCHAR(120) NOT NULL,
  full_name VARCHAR(80) NOT NULL DEFAULT 'anonymous',
  phone VARCHAR(30),
  tier VARCHAR(10) NOT NULL,
  CONSTRAINT uq_customers_email UNIQUE (email)
);
CREATE TABLE orders (
  id INTEGER PRIMARY KEY,
  customer_id INTEGER NOT NULL,
  note VARCHAR(400),
  total NUMERIC(12,2) NOT NULL DEFAULT 0,
  deleted_at DATE,
  CONSTRAINT fk_orders_customer FOREIGN KEY (customer_id) REFERENCES customers (id),
  CONSTRAINT ck_orders_total CHECK (total >= 0)
);
CREATE INDEX ix_orders_deleted ON orders (deleted_at);
CREATE TABLE coupons (code VARCHAR(20) PRIMARY KEY, customer_id INTEGER,
  percent INTEGER NOT NULL DEFAULT 10,
  CONSTRAINT fk_coupons_customer FOREIGN KEY (customer_id) REFERENCES customers (id));
"""
SHOP_DATA = [
    "INSERT INTO customers (id, email, name, legacy_code) VALUES (1, 'a@x.org', 'Ann', 'A1')",
    "INSERT INTO customers (id, email, name, legacy_code) VALUES (2, 'b@x.org', 'Bob', NULL)",
    "INSERT INTO orders (id, customer_id, note, total) VALUES (10, 1, 'first', 12.50)",
    "INSERT INTO orders (id, customer_id, note, total) VALUES (11, 2, NULL, 0)",
    "INSERT INTO audit (id, what) VALUES (1, 'x')",
]
# every name of the table is kept by the rename: on PostgreSQL the unique constraint's and the
# index's names are schema-wide (relations), on SQLite the index's, on MariaDB the foreign key's
RENAME_FROM = """
CREATE TABLE orgs (id INTEGER PRIMARY KEY);
CREATE TABLE people (
  id INTEGER NOT NULL,
  email VARCHAR(120) NOT NULL,
  org INTEGER,
  CONSTRAINT pk_main PRIMARY KEY (id),
  CONSTRAINT uq_email UNIQUE (email),
  CONSTRAINT fk_org FOREIGN KEY (org) REFERENCES orgs (id),
  CONSTRAINT ck_id CHECK (id > 0)
);
CREATE INDEX ix_org ON people (org);
"""
CASES = [
    Case("shop_forward", SHOP_FROM, SHOP_TO, SHOP_DATA, renames={"customers.name": "full_name"},
         backfill={"customers.tier": "'basic'"},
         old_code=["INSERT INTO customers (id, email, name, legacy_code) VALUES (3, 'c@x.org', 'Cy', 'C')",
                   "INSERT INTO orders (id, customer_id, note, total) VALUES (12, 3, 'old', 1)",
                   "SELECT id, email, name, legacy_code FROM customers",
                   "SELECT id, customer_id, note, total FROM orders"],
         new_code=["INSERT INTO customers (id, email, full_name, phone, tier) "
                   "VALUES (4, 'd@x.org', 'Di', '1', 'gold')",
                   "INSERT INTO coupons (code, customer_id) VALUES ('HELLO', 4)",
                   "SELECT id, email, full_name, phone, tier FROM customers"],
         after=[("SELECT id, full_name, tier FROM customers WHERE id > 2 ORDER BY id",
                 [(3, "Cy", "basic"), (4, "Di", "gold")])]),
    Case("shop_backward", SHOP_TO, SHOP_FROM,
         ["INSERT INTO customers (id, email, full_name, tier) VALUES (1, 'a@x.org', 'Ann', 'gold')",
          "INSERT INTO orders (id, customer_id, note, total) VALUES (10, 1, 'short', 3)"],
         renames={"customers.full_name": "name"},
         old_code=["INSERT INTO customers (id, email, full_name, tier) VALUES (2, 'b@x.org', 'Bob', 't')"]),
    # two rename windows on one table and a rebuild of it (SQLite): the second window's rebuild
    # and the contract's rebuilds keep the first window's triggers
    Case("two_renames_and_a_rebuild",
         "CREATE TABLE t (id INTEGER PRIMARY KEY, a VARCHAR(20) NOT NULL, "
         "b VARCHAR(20) DEFAULT 'bee' NOT NULL, n INTEGER)",
         "CREATE TABLE t (id INTEGER PRIMARY KEY, a2 VARCHAR(20) NOT NULL, "
         "b2 VARCHAR(20) DEFAULT 'bee' NOT NULL, n INTEGER, CONSTRAINT ck_n CHECK (n > 0))",
         ["INSERT INTO t (id, a, b, n) VALUES (1, 'x', 'y', 1)"],
         renames={"t.a": "a2", "t.b": "b2"},
         old_code=["INSERT INTO t (id, a, n) VALUES (2, 'old', 2)", "UPDATE t SET a = 'old2' WHERE id = 1"],
         new_code=["INSERT INTO t (id, a2, b2, n) VALUES (3, 'new', 'nb', 3)",
                   "UPDATE t SET b2 = 'nb2' WHERE id = 2"],
         after=[("SELECT id, a2, b2 FROM t ORDER BY id",
                 [(1, "old2", "y"), (2, "old", "nb2"), (3, "new", "nb")])]),
    Case("rename_table_keeps_names", RENAME_FROM, RENAME_FROM.replace("people", "persons"),
         ["INSERT INTO orgs (id) VALUES (1)",
          "INSERT INTO people (id, email, org) VALUES (1, 'a@x.org', 1)",
          "INSERT INTO people (id, email, org) VALUES (2, 'b@x.org', NULL)"],
         renames={"people": "persons"},
         old_code=["SELECT id, email, org FROM people"],
         new_code=["INSERT INTO persons (id, email, org) VALUES (3, 'c@x.org', 1)"],
         after=[("SELECT id, email FROM persons ORDER BY id",
                 [(1, "a@x.org"), (2, "b@x.org"), (3, "c@x.org")])]),
]


def snapshot_rows(url: str) -> dict[str, dict[tuple, dict[str, object]]]:
    """Every row of every table, keyed by primary key: {table: {pk: {column: value}}}."""
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        md = sa.MetaData()
        md.reflect(engine)
        out = {}
        with engine.connect() as c:
            for t in md.sorted_tables:
                pk = [col.name for col in t.primary_key.columns] or [col.name for col in t.columns]
                out[t.name] = {tuple(r[k] for k in pk): dict(r) for r in c.execute(sa.select(t)).mappings()}
        return out
    finally:
        engine.dispose()


def assert_rows_kept(before, after, to: schemadrift.Schema, renames: dict[str, str]) -> None:
    """Each row of a kept table is still there, with the same value in every kept column."""
    for table, rows in before.items():
        new_table = next((v for k, v in renames.items() if k == table), table)
        target = to.table(new_table)
        if target is None:
            continue
        columns = next(iter(rows.values())).keys() if rows else ()
        kept = {col: renames.get(f"{table}.{col}", col) for col in columns}
        kept = {old: new for old, new in kept.items() if target.column(new) is not None}
        for key, row in rows.items():
            got = after[new_table].get(key)
            assert got is not None, f"row {key} of {table} lost"
            for old, new in kept.items():
                assert got[new] == row[old], f"{table}{key}.{old}: {row[old]!r} became {got[new]!r}"


def script_statements(dialect: str, script: str) -> list[str]:
    """The statements of a script as the dialect's own client reads them (the sqlite3 shell
    keeps a trigger's BEGIN … END body, semicolons included, in one statement)."""
    parts = split_sql(script)
    if dialect != "sqlite":
        return parts
    import sqlite3
    out, buf = [], ""
    for part in parts:
        buf = f"{buf}; {part}" if buf else part
        if sqlite3.complete_statement(buf + ";"):
            out.append(buf)
            buf = ""
    return out + ([buf] if buf else [])


def built(dialect: str, case: Case, stack):
    a = stack.enter_context(scratch_database(dialect))
    b = stack.enter_context(scratch_database(dialect))
    execute(a, split_sql(case.from_ddl) + case.data)
    execute(b, split_sql(case.to_ddl))
    return a, b


def the_plan(a, b, case: Case):
    d = schemadrift.compare(a, b, renames=case.renames)
    return d, schemadrift.plan(d, backfill_values=case.backfill)


def assert_in_sync(a: str, b: str, plan) -> None:
    left = schemadrift.compare(a, b)
    assert left.in_sync, f"{[c.to_dict() for c in left.changes]}\n{plan.to_sql()}"


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
@pytest.mark.parametrize("form", ["json", "script"])
def test_round_trip(dialect, case: Case, form: str):
    import contextlib
    with contextlib.ExitStack() as stack:
        a, b = built(dialect, case, stack)
        d, p = the_plan(a, b, case)
        assert p.to_json() == schemadrift.plan(d, backfill_values=case.backfill).to_json()
        before = snapshot_rows(a)
        if form == "json":
            for step in p.to_dict()["steps"]:
                execute(a, step["sql"])
        else:
            execute(a, script_statements(dialect, p.to_sql()))
        assert_in_sync(a, b, p)
        assert_rows_kept(before, snapshot_rows(a), d.to_schema, case.renames)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_expand_is_backward_compatible(dialect, case: Case):
    import contextlib
    with contextlib.ExitStack() as stack:
        a, b = built(dialect, case, stack)
        _, p = the_plan(a, b, case)
        # expand and backfill are applied, then old and new code both run (the window), then
        # the old code is retired and contract runs
        for step in p.to_dict("expand")["steps"] + p.to_dict("backfill")["steps"]:
            execute(a, step["sql"])
        execute(a, case.old_code + case.new_code)
        for step in p.to_dict("contract")["steps"]:
            execute(a, step["sql"])
        assert_in_sync(a, b, p)
        for query, expected in case.after:
            assert query_rows(a, query) == expected, query


def query_rows(url: str, query: str) -> list[tuple]:
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as c:
            return [tuple(r) for r in c.exec_driver_sql(query).all()]
    finally:
        engine.dispose()


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_rollback_after_expand_and_backfill(dialect, case: Case):
    import contextlib
    with contextlib.ExitStack() as stack:
        a, b = built(dialect, case, stack)
        original = stack.enter_context(scratch_database(dialect))
        execute(original, split_sql(case.from_ddl))
        _, p = the_plan(a, b, case)
        before = snapshot_rows(a)
        for step in p.steps:
            if step.phase.label != "contract":
                assert step.reversible, step.summary
                execute(a, step.sql)
        execute(a, script_statements(dialect, p.to_rollback_sql()))
        assert_in_sync(a, original, p)
        from_schema = schemadrift.load(original)
        assert_rows_kept(before, snapshot_rows(a), from_schema, {})


# -- generated pairs -------------------------------------------------------------------------------
PAIRS = int(os.environ.get("SD_PLAN_PAIRS") or
            (300 if os.environ.get("SCHEMADRIFT_PROFILE") == "extended" else 30))
TYPES = ["INTEGER", "VARCHAR(20)", "VARCHAR(40)", "NUMERIC(8,2)", "DATE"]


def value(type_: str, row: int) -> str:
    """A literal of ``type_``, distinct per row (so that unique constraints hold)."""
    return {"INTEGER": f"{row * 7}", "VARCHAR(20)": f"'v{row}'", "VARCHAR(40)": f"'w{row}'",
            "NUMERIC(8,2)": f"{row}.50", "DATE": f"'2024-01-0{row}'", "BIGINT": f"{row * 9}"}[type_]


@dataclass
class Col:
    name: str
    type: str
    not_null: bool = False
    default: str | None = None

    def ddl(self) -> str:
        return (f"{self.name} {self.type}" + (f" DEFAULT {self.default}" if self.default else "")
                + (" NOT NULL" if self.not_null else ""))


@dataclass
class Tab:
    name: str
    cols: list[Col]
    indexes: list[str] = field(default_factory=list)
    fk: str | None = None
    unique: str | None = None
    check: bool = False

    def ddl(self) -> list[str]:
        body = ["id INTEGER PRIMARY KEY"] + [c.ddl() for c in self.cols]
        if self.fk:
            body.append(f"CONSTRAINT fk_{self.name}_{self.fk} FOREIGN KEY (ref_id) REFERENCES {self.fk} (id)")
        if self.unique:
            body.append(f"CONSTRAINT uq_{self.name}_{self.unique} UNIQUE ({self.unique})")
        if self.check:
            body.append(f"CONSTRAINT ck_{self.name}_id CHECK (id > 0)")
        out = [f"CREATE TABLE {self.name} ({', '.join(body)})"]
        out += [f"CREATE INDEX ix_{self.name}_{c} ON {self.name} ({c})" for c in self.indexes]
        return out

    def plain(self) -> list[Col]:
        return [c for c in self.cols if c.name != "ref_id"]


def random_schema(rng: random.Random) -> list[Tab]:
    tables = []
    for t in range(rng.randint(1, 3)):
        cols = [Col(f"c{i}", rng.choice(TYPES), rng.random() < 0.3) for i in range(rng.randint(1, 4))]
        for c in cols:
            if c.not_null and rng.random() < 0.5:
                c.default = value(c.type, 1)
        tab = Tab(f"t{t}", cols)
        if tables and rng.random() < 0.4:
            tab.cols.append(Col("ref_id", "INTEGER"))
            tab.fk = tables[0].name
        if rng.random() < 0.5:
            tab.indexes.append(rng.choice(cols).name)
        tables.append(tab)
    return tables


MOVES = ["add_col", "add_col_nn", "drop_col", "widen", "null", "not_null", "index", "drop_index",
         "add_table", "drop_table", "default", "rename_col", "unique", "check", "add_fk", "bigint",
         "narrow", "rename_table", "drop_fk"]


def mutate(rng: random.Random, tables: list[Tab]) -> tuple[list[Tab], dict[str, str]]:
    """A copy with one to three random changes of the kinds the planner has patterns for, and
    the column renames to confirm."""
    import copy
    out, renames = copy.deepcopy(tables), {}
    for _ in range(rng.randint(1, 3)):
        t = rng.choice(out)
        move, plain = rng.choice(MOVES), t.plain()
        if move == "add_col":
            t.cols.append(Col(f"n{rng.randint(0, 99)}", rng.choice(TYPES)))
        elif move == "add_col_nn":
            typ = rng.choice(TYPES)
            t.cols.append(Col(f"n{rng.randint(0, 99)}", typ, True, value(typ, 1)))
        elif move == "drop_col" and len(plain) > 1:
            victim = rng.choice(plain)
            t.cols.remove(victim)
            t.indexes = [i for i in t.indexes if i != victim.name]
            t.unique = None if t.unique == victim.name else t.unique
        elif move == "widen":
            for c in plain:
                if c.type == "VARCHAR(20)":
                    c.type = "VARCHAR(40)"
                    break
        elif move == "bigint":
            for c in plain:
                if c.type == "INTEGER" and c.name not in t.indexes and c.name != t.unique:
                    c.type, c.default = "BIGINT", c.default and value("BIGINT", 1)
                    break
        elif move == "null" and plain:
            rng.choice(plain).not_null = False
        elif move == "not_null" and plain:
            c = rng.choice(plain)
            c.not_null, c.default = True, c.default or value(c.type, 1)
        elif move == "index" and plain:
            name = rng.choice(plain).name
            if name not in t.indexes:
                t.indexes.append(name)
        elif move == "drop_index" and t.indexes:
            t.indexes.pop()
        elif move == "add_table":
            out.append(Tab(f"t{len(out) + rng.randint(3, 9)}", [Col("x", rng.choice(TYPES))]))
        elif move == "drop_table" and len(out) > 1 and not any(x.fk == out[-1].name for x in out):
            out.pop()
        elif move == "default" and plain:
            c = rng.choice(plain)
            c.default = None if c.default and not c.not_null else value(c.type, 1)
        elif move == "rename_col" and plain and t.name in {x.name for x in tables}:
            c = rng.choice(plain)
            if not c.name.endswith("_r") and c.name in {x.name for x in next(
                    x for x in tables if x.name == t.name).cols}:
                renames[f"{t.name}.{c.name}"] = c.name + "_r"
                t.indexes = [i + "_r" if i == c.name else i for i in t.indexes]
                t.unique = c.name + "_r" if t.unique == c.name else t.unique
                c.name += "_r"
        elif move == "unique" and plain and not t.unique:
            seeded = {f"{x.name}.{c.name}" for x in tables for c in x.cols}  # distinct values
            choice = rng.choice(plain).name
            t.unique = choice if f"{t.name}.{choice}" in seeded else None
        elif move == "check":
            t.check = not t.check
        elif move == "narrow":  # the seeded values still fit
            for c in plain:
                if c.type == "VARCHAR(40)" and c.name not in t.indexes and c.name != t.unique:
                    c.type, c.default = "VARCHAR(20)", c.default and value("VARCHAR(20)", 1)
                    break
        elif move == "rename_table" and t is not out[0] and t.name in {x.name for x in tables} \
                and t.name not in renames:
            renames[t.name] = t.name + "x"
            t.name += "x"
        elif move == "drop_fk" and t.fk:
            t.fk = None
        elif move == "add_fk" and not t.fk and t is not out[0]:
            if not any(c.name == "ref_id" for c in t.cols):
                t.cols.append(Col("ref_id", "INTEGER"))
            t.fk = out[0].name
    names = set()
    return [t for t in out if not (t.name in names or names.add(t.name))], renames


def seed(tables: list[Tab]) -> list[str]:
    out = []
    for t in tables:  # referenced tables come first: tables[0] is the only one referenced
        for i in (1, 2):
            cols = ["id"] + [c.name for c in t.cols]
            vals = [str(i)] + [("1" if c.name == "ref_id" else value(c.type, i)) for c in t.cols]
            out.append(f"INSERT INTO {t.name} ({', '.join(cols)}) VALUES ({', '.join(vals)})")
    return out


def test_generated_pairs_round_trip(dialect):
    rng = random.Random(f"schemadrift-plan-{dialect}")
    oracles_on = dialect == "postgresql" and oracles.present("migra") and oracles.present("squawk")
    if dialect == "postgresql" and not oracles_on and oracles.IN_CI:
        pytest.fail("migra and squawk must be installed under CI=true (pip install '.[test]')")
    with scratch_database(dialect) as a, scratch_database(dialect) as b:
        for n in range(PAIRS):
            one = random_schema(rng)
            two, renames = mutate(rng, one)
            execute(a, [s for t in one for s in t.ddl()] + seed(one))
            execute(b, [s for t in two for s in t.ddl()])
            from_schema, to_schema = schemadrift.load(a), schemadrift.load(b)
            before = table_rows(a, from_schema)
            p = schemadrift.plan(schemadrift.diff(from_schema, to_schema, renames=renames))
            for step in p.to_dict()["steps"]:
                execute(a, step["sql"])
            left = schemadrift.diff(schemadrift.load(a), to_schema)
            assert left.in_sync, (f"pair {n}: {[c.to_dict() for c in left.changes]}\n"
                                  f"{[t.ddl() for t in one]}\n{[t.ddl() for t in two]}\n{p.to_sql()}")
            assert_rows_kept(before, table_rows(a, to_schema), to_schema, renames)
            if oracles_on:
                assert not oracles.lint_problems(p), f"pair {n}: {oracles.lint_problems(p)}"
                left_by_migra = [s for s in oracles.migra_statements(a, b)
                                 if s not in oracles.unmodelled_statements([s])]
                assert not left_by_migra, f"pair {n}: after our plan, migra still finds {left_by_migra}"
            q = schemadrift.dialects.get(dialect).quote
            for url in (a, b):  # t0, the only referenced table, is first: drop it last
                execute(url, [f"DROP TABLE {q(t.name)}" for t in reversed(two)])


def table_rows(url: str, schema: schemadrift.Schema) -> dict[str, dict[tuple, dict[str, object]]]:
    """Rows of the tables of ``schema`` by primary key, read with plain SELECTs (no reflection)."""
    q = schemadrift.dialects.get(schema.dialect).quote
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    out = {}
    try:
        with engine.connect() as c:
            for t in schema.tables:
                names = [col.name for col in t.columns]
                pk = list(t.primary_key.columns) if t.primary_key else names
                result = c.exec_driver_sql(f"SELECT {', '.join(map(q, names))} FROM {q(t.name)}")
                rows = [dict(zip(names, r, strict=True)) for r in result]
                out[t.name] = {tuple(r[k] for k in pk): r for r in rows}
    finally:
        engine.dispose()
    return out


# -- table renames: names and sequences ----------------------------------------------------------
def test_rename_table_frees_schema_wide_names(dialect, scratch):
    """Each name the old table still holds is taken by the new table only after the old one is
    dropped: renamed there where the server can (PostgreSQL), a key replaced by its twin under its
    own name where it cannot (MariaDB), a plain index created there (SQLite)."""
    a, b = scratch(), scratch()
    execute(a, split_sql(RENAME_FROM))
    execute(b, split_sql(RENAME_FROM.replace("people", "persons")))
    p = schemadrift.plan(schemadrift.compare(a, b, renames={"people": "persons"}))
    summaries = [s.summary for s in p.steps]
    drop = next(i for i, s in enumerate(summaries) if s.startswith("drop table people"))
    late = {"postgresql": ["rename primary key pk_main__sdnew", "rename index ix_org__sdnew",
                           "rename unique constraint uq_email__sdnew"],
            "sqlite": ["create index ix_org on persons"],
            "mariadb": ["replace foreign key fk_org__sdnew of persons by fk_org"]}[dialect]
    for prefix in late:
        at = next(i for i, s in enumerate(summaries) if s.startswith(prefix))
        assert at > drop, summaries
    execute(a, [sql for s in p.steps if s.phase.label == "expand" for sql in s.sql])  # no clash


@pytest.mark.parametrize("key", ["serial", "integer GENERATED ALWAYS AS IDENTITY",
                                 "integer GENERATED BY DEFAULT AS IDENTITY"])
def test_renamed_table_continues_its_sequence(key, pg_scratch):
    """The copied keys keep their values and the new table's sequence moves past them: the next
    insert gets a fresh key (a GENERATED ALWAYS identity takes the copy with OVERRIDING)."""
    with scratch_database("postgresql") as b:
        ddl = f"CREATE TABLE people (id {key} PRIMARY KEY, name text)"
        execute(pg_scratch, [ddl, "INSERT INTO people (name) VALUES ('a'), ('b')"])
        execute(b, [ddl.replace("people", "persons")])
        p = schemadrift.plan(schemadrift.compare(pg_scratch, b, renames={"people": "persons"}))
        execute(pg_scratch, script_statements("postgresql", p.to_sql()))
        execute(pg_scratch, ["INSERT INTO persons (name) VALUES ('c')"])
        assert query_rows(pg_scratch, "SELECT id, name FROM persons ORDER BY id") == \
            [(1, "a"), (2, "b"), (3, "c")]
        assert_in_sync(pg_scratch, b, p)


# -- SQLite rebuilds and triggers -------------------------------------------------------------------
def test_sqlite_rebuild_recreates_the_user_triggers(lite_scratch):
    """A rebuild drops the table's triggers: the plan's own sync triggers and the user's (which
    the IR does not model, but whose text introspection keeps) are created again, so each rebuild
    step stays automatic with no hazard about them, and the triggers still fire afterwards."""
    with scratch_database("sqlite") as b:
        execute(lite_scratch, script_statements("sqlite", """
            CREATE TABLE t (id INTEGER PRIMARY KEY, a VARCHAR(20) NOT NULL, n INTEGER);
            CREATE TABLE log (id INTEGER PRIMARY KEY, what TEXT);
            CREATE TRIGGER trg_audit AFTER INSERT ON t BEGIN INSERT INTO log (what) VALUES ('x'); END;
            CREATE TRIGGER trg_log AFTER INSERT ON log BEGIN SELECT 1; END"""))
        execute(b, ["CREATE TABLE t (id INTEGER PRIMARY KEY, a2 VARCHAR(20) NOT NULL, n INTEGER, "
                    "CONSTRAINT ck_n CHECK (n > 0))",
                    "CREATE TABLE log (id INTEGER PRIMARY KEY, what TEXT NOT NULL DEFAULT 'x')"])
        p = schemadrift.plan(schemadrift.compare(lite_scratch, b, renames={"t.a": "a2"}))
        rebuilds = [s for s in p.steps if any(h.kind.value == "table_rewrite" and "rebuilds" in h.message
                                              for h in s.hazards)]
        assert {s.ops[-1].table.name for s in rebuilds} == {"t", "log"}
        for step in rebuilds:
            name = {"log": "trg_log", "t": "trg_audit"}[step.ops[-1].table.name]
            assert any(sql.startswith(f"CREATE TRIGGER {name} ") for sql in step.sql), step.sql
            assert not any(name in h.message for h in step.hazards), step.hazards
            assert not step.manual
        assert not any(h.kind.value == "manual" for s in p.steps for h in s.hazards)
        execute(lite_scratch, script_statements("sqlite", p.to_sql()))
        assert_in_sync(lite_scratch, b, p)
        assert query_rows(lite_scratch, "SELECT name FROM sqlite_master WHERE type = 'trigger' "
                          "AND name LIKE 'trg%' ORDER BY name") == [("trg_audit",), ("trg_log",)]
        execute(lite_scratch, ["INSERT INTO t (id, a2, n) VALUES (9, 'z', 1)"])
        assert query_rows(lite_scratch, "SELECT what FROM log") == [("x",)]


def test_sqlite_rebuild_names_the_triggers_it_cannot_recreate(lite_scratch):
    """A user trigger that uses a column the rebuild removes (or whose text is unknown: FROM is
    a snapshot without it) is not created again: the step stays automatic and carries a
    ``backward_incompatible`` hazard naming it, never a ``manual`` one. (SQLite before 3.35
    drops a column by a rebuild.)"""
    execute(lite_scratch, script_statements("sqlite", """
        CREATE TABLE t (id INTEGER PRIMARY KEY, a INTEGER, b INTEGER);
        CREATE TABLE log (id INTEGER PRIMARY KEY, what INTEGER);
        CREATE TRIGGER trg_a AFTER UPDATE OF a ON t BEGIN INSERT INTO log (what) VALUES (NEW.a); END;
        CREATE TRIGGER trg_b AFTER UPDATE OF b ON t BEGIN INSERT INTO log (what) VALUES (NEW.b); END"""))
    a = dataclasses.replace(schemadrift.load(lite_scratch), server_version="3.30.0")
    to = a.table("t")
    b = dataclasses.replace(a, tables=(a.table("log"), dataclasses.replace(to, columns=to.columns[::2])))
    unknown = dataclasses.replace(a, tables=tuple(dataclasses.replace(t, triggers=()) for t in a.tables))
    for source, lost in [(a, ["trg_a"]), (unknown, ["trg_a", "trg_b"])]:
        p = schemadrift.plan(schemadrift.diff(source, b))
        (rebuild,) = p.steps
        assert any(h.kind.value == "table_rewrite" for h in rebuild.hazards)
        assert not rebuild.manual and not any(h.kind.value == "manual" for h in rebuild.hazards)
        warn = [h.message for h in rebuild.hazards if h.kind.value == "backward_incompatible"]
        assert len(warn) == 1 and all(n in warn[0] for n in lost), (warn, lost)
        made = [n for n in ("trg_a", "trg_b")
                if any(q.startswith(f"CREATE TRIGGER {n} ") for q in rebuild.sql)]
        assert made == [n for n in ("trg_a", "trg_b") if n not in lost]
    execute(lite_scratch, script_statements("sqlite", schemadrift.plan(schemadrift.diff(a, b)).to_sql()))
    assert schemadrift.diff(schemadrift.load(lite_scratch), b).in_sync
    execute(lite_scratch, ["INSERT INTO t (id, b) VALUES (1, 1)", "UPDATE t SET b = 5"])
    assert query_rows(lite_scratch, "SELECT what FROM log") == [(5,)]


# -- user-supplied backfills (``backfills=`` / ``--backfill``) -------------------------------------
BACKFILL_FROM = ["CREATE TABLE users (id INTEGER PRIMARY KEY, name VARCHAR(40))",
                 "INSERT INTO users (id, name) VALUES (1, 'ann')",
                 "INSERT INTO users (id, name) VALUES (2, NULL)",
                 "INSERT INTO users (id, name) VALUES (3, 'cy')"]
BACKFILL_TO = ["CREATE TABLE users (id INTEGER PRIMARY KEY, name VARCHAR(40) NOT NULL, "
               "email VARCHAR(60) NOT NULL)"]
# portable SQL: MariaDB's || is OR, SQLite before 3.44 has no concat()
BACKFILLS = {"users.email": "CASE WHEN name IS NULL THEN 'nobody' ELSE name END",
             "users.name": "'anonymous'"}


def run_cli(*args: str) -> tuple[int, str, str]:
    import contextlib
    import io

    from schemadrift.cli import main
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(args))
    return code, out.getvalue(), err.getvalue()


def assert_backfilled(url: str) -> None:
    assert query_rows(url, "SELECT id, name, email FROM users ORDER BY id") == \
        [(1, "ann", "ann"), (2, "anonymous", "nobody"), (3, "cy", "cy")]


def test_backfill_api_and_cli_round_trip(dialect, scratch):
    """The expression fills the existing rows (of a new NOT NULL column, and of a column that
    becomes NOT NULL) in an automatic backfill step, before the NOT NULL step; the CLI's
    ``--backfill`` gives the very plan of the API's ``backfills=``; both round-trip."""
    a, b, c = scratch(), scratch(), scratch()
    execute(a, BACKFILL_FROM)
    execute(c, BACKFILL_FROM)
    execute(b, BACKFILL_TO)
    p = schemadrift.plan(schemadrift.compare(a, b), backfills=BACKFILLS)
    assert not any(s.manual or any(h.kind.value == "manual" for h in s.hazards) for s in p.steps)
    phases = {s.summary: s.phase.label for s in p.steps}
    fill = next(s for s in p.steps if s.summary.startswith("backfill users.email"))
    assert fill.phase.label == "backfill" and "nobody" in " ".join(fill.sql), fill.sql
    assert phases["fill what is still NULL in users.email and set users.email NOT NULL"] == "contract"
    assert fill.phase.label == "backfill"
    code, out, err = run_cli("plan", a, b, "--format", "json",
                             *[f"--backfill={k}={v}" for k, v in BACKFILLS.items()])
    assert (code, err) == (0, "") and out == p.to_json()
    for step in json.loads(out)["steps"]:
        execute(a, step["sql"])
    assert_in_sync(a, b, p)
    assert_backfilled(a)
    code, script, _ = run_cli("plan", c, b, *[x for k, v in BACKFILLS.items()
                                                for x in ("--backfill", f"{k}={v}")])
    assert code == 0
    execute(c, script_statements(dialect, script))
    assert_in_sync(c, b, p)
    assert_backfilled(c)


@pytest.mark.parametrize("spelling, message", [
    ("users.email", "expected TABLE.COLUMN=SQL"),
    ("users.email=", "expected TABLE.COLUMN=SQL"),
    ("=1", "expected TABLE.COLUMN=SQL"),
    ("email=1", "expected TABLE.COLUMN=SQL"),
    ("users.nope=1", "no column 'nope' in table 'users'"),
    ("nope.email=1", "no table 'nope'"),
])
def test_backfill_bad_spellings_are_one_line_errors(spelling, message, lite_scratch):
    with scratch_database("sqlite") as b:
        execute(lite_scratch, BACKFILL_FROM[:1])
        execute(b, BACKFILL_TO)
        code, out, err = run_cli("plan", lite_scratch, b, "--backfill", spelling)
        assert code == 2 and out == "" and len(err.splitlines()) == 1, err
        assert err.startswith("schemadrift: error: ") and message in err, err
        if "no " in message:  # the same check in the API
            key, _, expr = spelling.partition("=")
            with pytest.raises(schemadrift.PlanError, match=message):
                schemadrift.plan(schemadrift.compare(lite_scratch, b), backfills={key: expr})


def test_backfill_key_may_name_the_default_schema(pg_scratch):
    """``public.users.email`` names the column the planner calls ``users.email``."""
    with scratch_database("postgresql") as b:
        execute(pg_scratch, BACKFILL_FROM)
        execute(b, BACKFILL_TO)
        d = schemadrift.compare(pg_scratch, b)
        spelled = {f"public.{k}": v for k, v in BACKFILLS.items()}
        assert schemadrift.plan(d, backfills=spelled).to_json() == \
            schemadrift.plan(d, backfills=BACKFILLS).to_json()


def test_backfill_of_a_column_that_needs_none_warns(lite_scratch):
    """A --backfill for a column of TO that the plan does not fill is ignored with a warning."""
    with scratch_database("sqlite") as b:
        execute(lite_scratch, BACKFILL_FROM[:1])
        execute(b, ["CREATE TABLE users (id INTEGER PRIMARY KEY, name VARCHAR(40), bio TEXT)"])
        code, out, err = run_cli("plan", lite_scratch, b, "--backfill", "users.bio='-'",
                                 "--backfill", "USERS.ID=1")
        assert code == 0 and "UPDATE" not in out
        assert err.splitlines() == [
            "schemadrift: warning: --backfill users.bio=… fills no column of this plan (it needs no "
            "backfill); ignored",
            "schemadrift: warning: --backfill USERS.ID=… fills no column of this plan (it needs no "
            "backfill); ignored"]


def test_batched_backfill_fills_every_batch_and_stops_on_null(pg_scratch):
    """PostgreSQL fills in committed batches (here one row each); an expression that gives NULL
    for a row stops the loop with an error instead of picking that row forever."""
    with scratch_database("postgresql") as b:
        execute(pg_scratch, BACKFILL_FROM)
        execute(b, BACKFILL_TO)
        d = schemadrift.compare(pg_scratch, b)
        p = schemadrift.plan(d, backfills=BACKFILLS, batch_size=1)
        fill = next(s for s in p.steps if s.summary.startswith("backfill users.email"))
        assert not fill.transactional and "LIMIT 1" in fill.sql[-1]
        bad = schemadrift.plan(d, backfills={**BACKFILLS, "users.email": "name"}, batch_size=1)
        bad_fill = next(s for s in bad.steps if s.summary.startswith("backfill users.email"))
        for step in p.steps:
            if step.phase.label == "expand":
                execute(pg_scratch, step.sql)
        with pytest.raises(Exception, match="the expression gives NULL for some rows"):
            execute(pg_scratch, bad_fill.sql)
        for step in p.steps:
            if step.phase.label != "expand":
                execute(pg_scratch, step.sql)
        assert_in_sync(pg_scratch, b, p)
        assert_backfilled(pg_scratch)


def test_batched_backfills_on_a_partitioned_table_with_loop_like_column_names(pg_scratch):
    """The batch loops' ctid only names a row within one partition: a row of another partition
    at the same ctid keeps its value (regression: the fill overwrote it). Columns named like the
    loop's counters (``n``, ``filled``) are the columns, not PL/pgSQL variables (regression:
    'column reference "n" is ambiguous')."""
    part = ["CREATE TABLE t1 PARTITION OF t FOR VALUES IN (1)",
            "CREATE TABLE t2 PARTITION OF t FOR VALUES IN (2)"]
    with scratch_database("postgresql") as b:
        execute(pg_scratch, ["CREATE TABLE t (id int, k int, n int, filled int, a text) "
                             "PARTITION BY LIST (k)", *part,
                             "INSERT INTO t VALUES (1, 1, NULL, NULL, 'x'), (2, 2, 7, 8, 'y')"])
        execute(b, ["CREATE TABLE t (id int, k int, n int NOT NULL, filled int NOT NULL, a2 text) "
                    "PARTITION BY LIST (k)", *part])
        d = schemadrift.compare(pg_scratch, b, renames={"t.a": "a2"})
        p = schemadrift.plan(d, backfills={"t.n": "id * 10", "t.filled": "k + id"},
                             batch_size=1)
        assert sum("LIMIT 1)" in sql for s in p.steps for sql in s.sql) >= 3, p.to_sql()
        for step in p.steps:
            execute(pg_scratch, step.sql)
        assert query_rows(pg_scratch, "SELECT id, n, filled, a2 FROM t ORDER BY id") == \
            [(1, 10, 2, "x"), (2, 7, 8, "y")]
        assert_in_sync(pg_scratch, b, p)


def test_rename_table_frees_names_the_server_matches_without_case(dialect, scratch):
    """MariaDB refuses foreign key ``fk_org`` while ``FK_ORG`` exists (errno 121): the clash is
    found with the dialect's name key (regression: the plan had a dependency cycle)."""
    a, b = scratch(), scratch()
    ddl = ["CREATE TABLE orgs (id INTEGER PRIMARY KEY)",
           "CREATE TABLE people (id INTEGER PRIMARY KEY, org INTEGER, "
           "CONSTRAINT FK_ORG FOREIGN KEY (org) REFERENCES orgs (id))",
           "CREATE INDEX IX_ORG ON people (org)"]
    execute(a, ddl + ["INSERT INTO orgs (id) VALUES (1)", "INSERT INTO people (id, org) VALUES (1, 1)"])
    execute(b, [s.replace("people", "persons").replace("_ORG", "_org") for s in ddl])
    p = schemadrift.plan(schemadrift.compare(a, b, renames={"people": "persons"}))
    from schemadrift.verify import apply_steps
    assert apply_steps(a, p.steps)[1:] == (None, None), p.to_sql()
    assert_in_sync(a, b, p)
    assert query_rows(a, "SELECT id, org FROM persons") == [(1, 1)]


def test_do_blocks_quote_around_names_that_hold_the_dollar_tag(pg_scratch):
    """A DO block's dollar quote is one the names inside do not hold (regression: a column
    ``a$sd$`` ended ``DO $sd$ … $sd$`` early, a syntax error)."""
    with scratch_database("postgresql") as b:
        execute(pg_scratch, ['CREATE TABLE "t$sd$" (id int PRIMARY KEY, "a$sd$" serial, "o$sd$" text)',
                             "INSERT INTO \"t$sd$\" (id, \"o$sd$\") VALUES (1, 'x'), (2, 'y')"])
        execute(b, ['CREATE TABLE "t$sd$" (id int PRIMARY KEY, "a$sd$" int NOT NULL, "n$sd$" text)'])
        p = schemadrift.plan(schemadrift.compare(pg_scratch, b, renames={"t$sd$.o$sd$": "n$sd$"}),
                             batch_size=1)
        assert sum(sql.startswith("DO $sdx$") for s in p.steps for sql in s.sql) == 2, p.to_sql()
        for step in p.steps:
            execute(pg_scratch, step.sql)
        assert_in_sync(pg_scratch, b, p)
        assert query_rows(pg_scratch, 'SELECT id, "n$sd$" FROM "t$sd$" ORDER BY id') == [(1, "x"), (2, "y")]
        assert query_rows(pg_scratch, "SELECT count(*) FROM pg_class WHERE relkind = 'S'") == [(0,)]


# -- a table rename whose new version also changes columns (issue #4) ------------------------------
RESHAPE_FROM = ["CREATE TABLE people (id INTEGER PRIMARY KEY, name VARCHAR(40) NOT NULL, "
                "nick VARCHAR(20), age VARCHAR(10), note VARCHAR(50))",
                "INSERT INTO people (id, name, nick, age, note) VALUES (1, 'Ann', 'an', '42', NULL)",
                "INSERT INTO people (id, name, nick, age, note) VALUES (2, 'Bob', NULL, NULL, 'hi')"]
RESHAPE_TO = ["CREATE TABLE persons (id INTEGER PRIMARY KEY, full_name VARCHAR(40) NOT NULL, "
              "email VARCHAR(60) NOT NULL, age INTEGER, note VARCHAR(50) DEFAULT 'none' NOT NULL)"]
RESHAPE_RENAMES = {"people": "persons", "people.name": "full_name"}
RESHAPE_ROWS = [(1, "Ann", "nobody", 42, "none"), (2, "Bob", "nobody", None, "hi")]


def test_renamed_table_with_changed_columns_round_trips(dialect, scratch):
    """The copy keeps the shared columns and the confirmed column rename (old → new name), casts
    a changed type; a new NOT NULL column without default is created nullable, filled with the
    user's backfill after the copy and set NOT NULL in contract, as a column that becomes NOT
    NULL (filled from its default); the old column the new table lacks is named in a
    ``data_loss`` hazard of the drop. API and CLI give the same plan; the script applies."""
    a, b, c = scratch(), scratch(), scratch()
    execute(a, RESHAPE_FROM)
    execute(c, RESHAPE_FROM)
    execute(b, RESHAPE_TO)
    d = schemadrift.compare(a, b, renames=RESHAPE_RENAMES)
    assert d.to_dict()["changes"][0]["columns"] == {"name": "full_name"}
    p = schemadrift.plan(d, backfills={"persons.email": "'nobody'"})
    assert not any(s.manual or any(h.kind.value == "manual" for h in s.hazards) for s in p.steps)
    copy = next(s for s in p.steps if s.summary.startswith("copy rows"))
    assert copy.ops[0].columns == (("id", "id"), ("full_name", "name"), ("age", "age"), ("note", "note"))
    phases = {s.summary: s.phase.label for s in p.steps}
    assert phases["backfill persons.email with 'nobody'"] == "backfill"
    assert phases["fill what is still NULL in persons.email and set persons.email NOT NULL"] == "contract"
    drop = next(s for s in p.steps if s.summary.startswith("drop table people"))
    loss = [h.message for h in drop.hazards if h.kind.value == "data_loss"]
    assert len(loss) == 1 and "nick" in loss[0] and "name" not in loss[0].replace("full_name", ""), loss
    code, out, err = run_cli("plan", a, b, "--format", "json", "--rename", "people=persons",
                             "--rename", "people.name=full_name", "--backfill", "persons.email='nobody'")
    assert (code, err) == (0, "") and out == p.to_json()
    execute(a, script_statements(dialect, p.to_sql()))
    assert_in_sync(a, b, p)
    assert query_rows(a, "SELECT id, full_name, email, age, note FROM persons ORDER BY id") == RESHAPE_ROWS
    for step in p.to_dict()["steps"]:  # the JSON steps as printed, too
        execute(c, step["sql"])
    assert_in_sync(c, b, p)
    assert query_rows(c, "SELECT id, full_name, email, age, note FROM persons ORDER BY id") == RESHAPE_ROWS


def test_renamed_table_new_not_null_column_without_backfill_is_manual(dialect, scratch):
    """Without a backfill the new NOT NULL column's fill is a ``manual`` step (SQL commented
    out), never a guess; the copy itself stays automatic and applies."""
    a, b = scratch(), scratch()
    execute(a, RESHAPE_FROM)
    execute(b, RESHAPE_TO)
    p = schemadrift.plan(schemadrift.compare(a, b, renames=RESHAPE_RENAMES))
    manual = [s for s in p.steps if s.manual]
    assert [s.summary for s in manual] == \
        ["backfill persons.email (manual: no default to fill existing rows)"]
    assert "--backfill persons.email=" in manual[0].hazards[0].message
    steps = p.to_dict()["steps"]
    for step in steps[:[s["summary"] for s in steps].index(manual[0].summary)]:
        execute(a, step["sql"])
    assert query_rows(a, "SELECT id, full_name, email FROM persons ORDER BY id") == \
        [(1, "Ann", None), (2, "Bob", None)]


def test_compare_reports_and_uses_the_column_rename_of_a_renamed_table(lite_scratch):
    with scratch_database("sqlite") as b:
        execute(lite_scratch, RESHAPE_FROM[:1])
        execute(b, RESHAPE_TO)
        code, out, err = run_cli("compare", lite_scratch, b, "--rename", "people=persons",
                                 "--rename", "people.name=full_name")
        assert code == 1 and err == "", err  # no "matches no dropped and added pair" warning
        assert "renamed to persons (column name → full_name)" in out, out


RENAMED_TRIGGER = {
    "sqlite": ["CREATE TABLE log (what VARCHAR(10))",
               "CREATE TRIGGER trg_people AFTER INSERT ON people BEGIN INSERT INTO log VALUES ('x'); END"],
    "postgresql": ["CREATE TABLE log (what VARCHAR(10))",
                   "CREATE FUNCTION log_it() RETURNS trigger LANGUAGE plpgsql AS "
                   "$$BEGIN INSERT INTO log VALUES ('x'); RETURN NEW; END$$",
                   "CREATE TRIGGER trg_people AFTER INSERT ON people FOR EACH ROW EXECUTE FUNCTION log_it()"],
    "mariadb": ["CREATE TABLE log (what VARCHAR(10))",
                "CREATE TRIGGER trg_people AFTER INSERT ON people FOR EACH ROW INSERT INTO log VALUES ('x')"],
}


def test_renamed_table_drop_names_the_old_tables_triggers(dialect, scratch):
    """The old table's triggers (not modelled) go with it; the plan creates them on the new
    table after the drop (``test_rename_table_triggers.py``), so the drop's
    ``backward_incompatible`` hazard no longer names them (regression: no hazard at all, then
    the hazard as the only way)."""
    a, b = scratch(), scratch()
    execute(a, [RESHAPE_FROM[0]] + RENAMED_TRIGGER[dialect])
    execute(b, ["CREATE TABLE log (what VARCHAR(10))",
                RESHAPE_FROM[0].replace("people", "persons")] + RENAMED_TRIGGER[dialect][1:-1])
    p = schemadrift.plan(schemadrift.compare(a, b, renames={"people": "persons"}))
    drop = next(s for s in p.steps if s.summary.startswith("drop table people"))
    warn = [h.message for h in drop.hazards if h.kind.value == "backward_incompatible"]
    assert len(warn) == 1 and "trg_people" not in warn[0], warn
    assert not drop.manual
    assert p.steps[-1].summary == "create trigger trg_people on persons (as it was on people)"
    execute(a, script_statements(dialect, p.to_sql()))
    assert_in_sync(a, b, p)
    execute(a, ["INSERT INTO persons (id, name) VALUES (5, 'e')"])
    assert query_rows(a, "SELECT what FROM log") == [("x",)]
