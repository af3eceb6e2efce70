"""Each safe pattern of the planner, with the plan it must produce, on the real servers.

Every test builds FROM and TO from DDL on scratch databases, plans, checks the plan's shape
(phases, ops, the neutral hazards of the pattern and a few key SQL fragments: the SQL itself
belongs to the dialects), applies the JSON steps as given and checks FROM is then in sync with TO.
"""
from __future__ import annotations

import contextlib

from conftest import execute, scratch_database, split_sql

import schemadrift
from schemadrift.dialects import get


@contextlib.contextmanager
def pair(dialect: str, from_ddl: str, to_ddl: str, data=()):
    """Scratch databases A (FROM, with ``data``) and B (TO)."""
    with scratch_database(dialect) as a, scratch_database(dialect) as b:
        execute(a, split_sql(from_ddl) + list(data))
        execute(b, split_sql(to_ddl))
        yield a, b


def plan_for(a: str, b: str, renames=None, **options):
    return schemadrift.plan(schemadrift.compare(a, b, renames=renames), **options)


def shape(plan) -> list[tuple[str, tuple[str, ...]]]:
    return [(s.phase.label, tuple(op.kind for op in s.ops)) for s in plan.steps]


def kinds(step) -> set[str]:
    return {h.kind.value for h in step.hazards}


def apply(url: str, plan, phases=("expand", "backfill", "contract")) -> None:
    """Run the JSON steps of the given phases exactly as the plan gives them."""
    for step in plan.to_dict()["steps"]:
        if step["phase"] in phases:
            assert not step["manual"], f"manual step in an automatic run: {step['summary']}"
            execute(url, step["sql"])


def assert_in_sync(a: str, b: str) -> None:
    left = schemadrift.compare(a, b)
    assert left.in_sync, [c.to_dict() for c in left.changes]


def rows(url: str, sql: str) -> list[tuple]:
    import sqlalchemy as sa
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as c:
            return [tuple(r) for r in c.exec_driver_sql(sql).all()]
    finally:
        engine.dispose()


USERS = "CREATE TABLE users (id INTEGER PRIMARY KEY, name VARCHAR(50) NOT NULL{extra})"
SEED = ["INSERT INTO users (id, name) VALUES (1, 'ann')", "INSERT INTO users (id, name) VALUES (2, 'bob')"]


def test_new_not_null_column_without_default(dialect):
    with pair(dialect, USERS.format(extra=""), USERS.format(extra=", email VARCHAR(100) NOT NULL"),
              SEED) as (a, b):
        p = plan_for(a, b)
        assert shape(p) == [("expand", ("add_column",)), ("backfill", ("fill_column",)),
                            ("contract", ("alter_column",))]
        add, fill, not_null = p.steps
        assert add.ops[0].column.nullable and fill.manual and "manual" in kinds(fill)
        assert "-- MANUAL: " in p.to_sql() and "TODO" in p.to_sql()
        assert {"validation_scan", "backward_incompatible"} <= kinds(not_null)
        p = plan_for(a, b, backfill_values={"users.email": "'none@example.com'"})
        assert not any(s.manual for s in p.steps)
        apply(a, p)
        assert_in_sync(a, b)
        assert rows(a, "SELECT id, name, email FROM users ORDER BY id") == [
            (1, "ann", "none@example.com"), (2, "bob", "none@example.com")]


def test_not_null_column_with_default_is_one_expand_step(dialect):
    with pair(dialect, USERS.format(extra=""),
              USERS.format(extra=", status VARCHAR(10) DEFAULT 'new' NOT NULL"), SEED) as (a, b):
        p = plan_for(a, b)
        assert shape(p) == [("expand", ("add_column",))]
        apply(a, p)
        execute(a, ["INSERT INTO users (id, name) VALUES (3, 'cy')"])  # old code still works
        assert_in_sync(a, b)
        assert rows(a, "SELECT status FROM users ORDER BY id") == [("new",)] * 3


def test_confirmed_rename_adds_syncs_copies_and_drops(dialect):
    to = "CREATE TABLE users (id INTEGER PRIMARY KEY, full_name VARCHAR(50) NOT NULL)"
    with pair(dialect, USERS.format(extra=""), to, SEED) as (a, b):
        p = plan_for(a, b, renames={"users.name": "full_name"})
        relax = [] if get(dialect).BEFORE_TRIGGER_SETS_NEW else [("expand", ("alter_column",))]
        assert shape(p) == [("expand", ("add_column",)), *relax, ("expand", ("create_sync_trigger",)),
                            ("backfill", ("copy_column",)), ("contract", ("alter_column",)),
                            ("contract", ("drop_sync_trigger", "drop_column"))]
        assert not any("RENAME COLUMN" in s.upper() for step in p.steps for s in step.sql)
        apply(a, p, ("expand", "backfill"))
        # the window: old code writes the old column, new code the new one; triggers keep both
        execute(a, ["INSERT INTO users (id, name) VALUES (3, 'cy')",
                    "INSERT INTO users (id, full_name) VALUES (4, 'di')",
                    "UPDATE users SET name = 'ann2' WHERE id = 1"])
        assert rows(a, "SELECT id, name, full_name FROM users ORDER BY id") == [
            (1, "ann2", "ann2"), (2, "bob", "bob"), (3, "cy", "cy"), (4, "di", "di")]
        apply(a, p, ("contract",))
        assert_in_sync(a, b)
        assert rows(a, "SELECT full_name FROM users ORDER BY id") == [("ann2",), ("bob",), ("cy",), ("di",)]


def test_confirmed_table_rename_creates_copies_and_drops(dialect):
    with pair(dialect, "CREATE TABLE people (id INTEGER PRIMARY KEY, name VARCHAR(50))",
              "CREATE TABLE persons (id INTEGER PRIMARY KEY, name VARCHAR(50))",
              ["INSERT INTO people VALUES (1, 'ann')"]) as (a, b):
        p = plan_for(a, b, renames={"people": "persons"})
        # triggers carry old code's writes into persons from before the copy until contract
        assert shape(p) == [("expand", ("create_table",)), ("expand", ("create_table_sync",)),
                            ("backfill", ("copy_rows",)), ("contract", ("drop_table_sync",)),
                            ("contract", ("drop_table",))]
        assert {"backward_incompatible", "irreversible"} <= kinds(p.steps[4])
        apply(a, p)
        assert_in_sync(a, b)
        assert rows(a, "SELECT id, name FROM persons") == [(1, "ann")]


def test_drops_only_in_contract_with_data_loss(dialect):
    from_ddl = USERS.format(extra=", bio VARCHAR(200)") + ";CREATE TABLE old (id INTEGER PRIMARY KEY)"
    with pair(dialect, from_ddl, USERS.format(extra=""), SEED) as (a, b):
        p = plan_for(a, b)
        assert shape(p) == [("contract", ("drop_column",)), ("contract", ("drop_table",))]
        for step in p.steps:
            assert {"data_loss", "backward_incompatible", "irreversible"} <= kinds(step)
            assert not step.reversible and step.rollback == ()
        apply(a, p)
        assert_in_sync(a, b)


#: a varchar widening is cheap where the server changes only the catalog; SQLite rebuilds
WIDENING_PHASE = {"postgresql": "expand", "mariadb": "expand", "sqlite": "contract"}


def test_type_widening_asks_the_dialect_and_narrowing_is_contract(dialect):
    cols = "CREATE TABLE t (id INTEGER PRIMARY KEY, wide VARCHAR({}), narrow VARCHAR({}))"
    seed = ["INSERT INTO t VALUES (1, 'a', 'b')"]
    with pair(dialect, cols.format(20, 20), cols.format(40, 10), seed) as (a, b):
        p = plan_for(a, b)
        by_column = {s.ops[0].after.name: s for s in p.steps}
        assert by_column["wide"].phase.label == WIDENING_PHASE[dialect]
        assert by_column["narrow"].phase.label == "contract"
        assert {"data_loss", "table_rewrite"} <= kinds(by_column["narrow"])
        apply(a, p)
        assert_in_sync(a, b)


#: how each dialect builds an index without blocking writes, where it can
INDEX_SQL = {"postgresql": "CREATE INDEX CONCURRENTLY", "mariadb": "LOCK=NONE", "sqlite": "CREATE INDEX"}


def test_soft_delete_column_and_its_index_are_expand_steps(dialect):
    base = "CREATE TABLE posts (id INTEGER PRIMARY KEY, title VARCHAR(100){})"
    with pair(dialect, base.format(""),
              base.format(", deleted_at DATE") + ";CREATE INDEX ix_posts_deleted ON posts (deleted_at)",
              ["INSERT INTO posts VALUES (1, 'hello')"]) as (a, b):
        p = plan_for(a, b)
        assert shape(p) == [("expand", ("add_column",)), ("expand", ("create_index",))]
        assert "index_build" in kinds(p.steps[1])
        assert INDEX_SQL[dialect] in " ".join(p.steps[1].sql)
        apply(a, p, ("expand",))
        execute(a, ["INSERT INTO posts (id, title) VALUES (2, 'old code')"])
        assert_in_sync(a, b)


def test_constraints_on_existing_tables_are_contract_with_validation_scan(dialect):
    from_ddl = ("CREATE TABLE users (id INTEGER PRIMARY KEY, email VARCHAR(100));"
                "CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER, n INTEGER)")
    to_ddl = ("CREATE TABLE users (id INTEGER PRIMARY KEY, email VARCHAR(100),"
              " CONSTRAINT uq_users_email UNIQUE (email));"
              "CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER, n INTEGER,"
              " CONSTRAINT fk_posts_user FOREIGN KEY (user_id) REFERENCES users (id),"
              " CONSTRAINT ck_posts_n CHECK (n > 0))")
    with pair(dialect, from_ddl, to_ddl, ["INSERT INTO users VALUES (1, 'a')",
                                          "INSERT INTO posts VALUES (1, 1, 5)"]) as (a, b):
        p = plan_for(a, b)
        added = [s for s in p.steps if s.ops[0].kind in ("create_index", "add_check", "add_foreign_key")]
        assert {s.ops[0].kind for s in added} == {"create_index", "add_check", "add_foreign_key"}
        for step in added:
            assert step.phase.label == "contract" and "validation_scan" in kinds(step)
        # the FK needs the unique key of users first
        kinds_in_order = [s.ops[0].kind for s in p.steps]
        assert kinds_in_order.index("create_index") < kinds_in_order.index("add_foreign_key")
        apply(a, p)
        assert_in_sync(a, b)


def test_new_tables_with_mutual_foreign_keys_get_them_after_both_exist(dialect):
    to = ("CREATE TABLE a (id INTEGER PRIMARY KEY, b_id INTEGER);"
          "CREATE TABLE b (id INTEGER PRIMARY KEY, a_id INTEGER,"
          " CONSTRAINT fk_b_a FOREIGN KEY (a_id) REFERENCES a (id));")
    to += ("ALTER TABLE a ADD CONSTRAINT fk_a_b FOREIGN KEY (b_id) REFERENCES b (id)" if dialect != "sqlite"
           else "DROP TABLE a; CREATE TABLE a (id INTEGER PRIMARY KEY, b_id INTEGER,"
                " CONSTRAINT fk_a_b FOREIGN KEY (b_id) REFERENCES b (id))")
    with pair(dialect, "CREATE TABLE keep (id INTEGER PRIMARY KEY)",
              "CREATE TABLE keep (id INTEGER PRIMARY KEY);" + to) as (a, b):
        p = plan_for(a, b)
        assert shape(p) == [("expand", ("create_table",)), ("expand", ("create_table",)),
                            ("expand", ("add_foreign_key",)), ("expand", ("add_foreign_key",))]
        assert all(s.ops[0].table.foreign_keys == () for s in p.steps[:2])
        apply(a, p)
        assert_in_sync(a, b)


def test_enum_values_added_in_expand_removed_in_contract(pg_scratch):
    with scratch_database("postgresql") as other:
        execute(pg_scratch, ["CREATE TYPE mood AS ENUM ('sad', 'ok')",
                             "CREATE TABLE t (id INTEGER PRIMARY KEY, m mood)",
                             "INSERT INTO t VALUES (1, 'ok')"])
        execute(other, ["CREATE TYPE mood AS ENUM ('sad', 'meh', 'ok', 'happy')",
                        "CREATE TABLE t (id INTEGER PRIMARY KEY, m mood)"])
        p = plan_for(pg_scratch, other)
        assert shape(p) == [("expand", ("add_enum_value", "add_enum_value"))]
        apply(pg_scratch, p)
        assert_in_sync(pg_scratch, other)
        execute(other, ["INSERT INTO t VALUES (1, 'ok')"])
        execute(pg_scratch, ["DROP TABLE t", "DROP TYPE mood", "CREATE TYPE mood AS ENUM ('ok', 'sad')",
                             "CREATE TABLE t (id INTEGER PRIMARY KEY, m mood)"])
        back = plan_for(other, pg_scratch)
        assert shape(back) == [("contract", ("replace_enum",))]
        assert {"blocking_lock", "backward_incompatible"} <= kinds(back.steps[0])
        apply(other, back)
        assert_in_sync(other, pg_scratch)
        assert rows(other, "SELECT id, m::text FROM t") == [(1, "ok")]


def test_equal_schemas_plan_nothing_and_planning_is_deterministic(dialect):
    ddl = USERS.format(extra=", email VARCHAR(100)") + ";CREATE INDEX ix_users_email ON users (email)"
    with pair(dialect, ddl, ddl) as (a, b):
        p = plan_for(a, b)
        assert p.steps == () and p.to_dict()["steps"] == []
        changed = USERS.format(extra=", bio VARCHAR(9) NOT NULL")
        execute(b, ["DROP TABLE users"] + split_sql(changed))
        first = plan_for(a, b).to_json()
        assert first == plan_for(a, b).to_json() and '"steps": []' not in first


def both_ways(dialect: str, one: str, other: str, data_one=(), data_other=(), check=None):
    """Plan one → other and other → one (each FROM seeded with its rows); ``check(plan)``
    each, apply it and require FROM in sync with TO, with its rows kept."""
    for from_ddl, to_ddl, data in ((one, other, data_one), (other, one, data_other)):
        with pair(dialect, from_ddl, to_ddl, data) as (a, b):
            p = plan_for(a, b)
            if check:
                check(p)
            table = split_sql(from_ddl)[0].split()[2]  # the first table created
            kept = rows(a, f"SELECT * FROM {table} ORDER BY id")
            apply(a, p)
            assert_in_sync(a, b)
            assert [r[0] for r in rows(a, f"SELECT * FROM {table} ORDER BY id")] == [r[0] for r in kept]


def test_type_and_default_change_together_drop_default_change_type_set_default(dialect):
    """A default set alone before the type change may not fit the old type (PostgreSQL: SET
    DEFAULT 'x'::varchar on an integer fails); one step drops the old default, changes the type
    and sets the new default, in the type change's phase. Both directions."""
    text = "CREATE TABLE t (id INTEGER PRIMARY KEY, v VARCHAR(10) DEFAULT 'x')"
    number = "CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER DEFAULT 0)"

    def check(p):
        assert shape(p) == [("contract", ("alter_column",))]
        assert {"type", "default"} <= p.steps[0].ops[0].what
    both_ways(dialect, text, number, ["INSERT INTO t (id, v) VALUES (1, '5')"],
              ["INSERT INTO t (id, v) VALUES (1, 5)"], check)


def test_not_null_with_a_new_default_and_type_fills_after_the_type_change(dialect):
    """A nullable column that becomes NOT NULL with a new default of a new type: the existing
    rows are filled with that default once the column has its new type (not in the backfill
    phase, while the value would not fit the old type)."""
    before = "CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER)"
    after = "CREATE TABLE t (id INTEGER PRIMARY KEY, v VARCHAR(10) NOT NULL DEFAULT 'x')"
    with pair(dialect, before, after, ["INSERT INTO t (id) VALUES (1)",
                                       "INSERT INTO t (id, v) VALUES (2, 7)"]) as (a, b):
        p = plan_for(a, b)
        assert shape(p) == [("contract", ("alter_column",)), ("contract", ("fill_column", "alter_column"))]
        apply(a, p)
        assert_in_sync(a, b)
        assert rows(a, "SELECT id, v FROM t ORDER BY id") == [(1, "x"), (2, "7")]


def test_allow_null_in_a_key_column_waits_for_the_key_to_go(dialect):
    """A primary key column cannot accept NULL (PostgreSQL refuses, MariaDB silently keeps NOT
    NULL): allowing NULL in a column that leaves the key runs after the key is dropped."""
    two = ("CREATE TABLE items (item_id INTEGER NOT NULL, supplier_id INTEGER NOT NULL, "
           "name VARCHAR(20), PRIMARY KEY (supplier_id, item_id))")
    one = "CREATE TABLE items (item_id INTEGER PRIMARY KEY, supplier_id INTEGER, name VARCHAR(20))"
    with pair(dialect, two, one, ["INSERT INTO items VALUES (1, 2, 'a')"]) as (a, b):
        p = plan_for(a, b)
        order = [(s.ops[0].kind, getattr(s.ops[0], "after", None)) for s in p.steps]
        relax = next(i for i, (k, col) in enumerate(order) if k == "alter_column" and col.nullable)
        assert p.steps[relax].phase.label == "contract"
        assert any(k == "drop_primary_key" for k, _ in order[:relax]) or dialect == "sqlite"
        apply(a, p)
        assert_in_sync(a, b)
        assert rows(a, "SELECT item_id, supplier_id FROM items") == [(1, 2)]


def test_identity_goes_before_null_is_allowed_and_a_new_start_resets_the_bounds(pg_scratch):
    """PostgreSQL: an identity column cannot DROP NOT NULL (DROP IDENTITY first, same phase); a
    new START beyond the old MAXVALUE fails unless the bounds change in the same ALTER."""
    with scratch_database("postgresql") as other:
        execute(pg_scratch, ["CREATE TABLE t (id INTEGER GENERATED ALWAYS AS IDENTITY, n INTEGER "
                             "GENERATED ALWAYS AS IDENTITY (MINVALUE 2 MAXVALUE 9 START 3))",
                             "INSERT INTO t DEFAULT VALUES"])
        execute(other, ["CREATE TABLE t (id INTEGER, n INTEGER GENERATED BY DEFAULT AS IDENTITY (START 30))"])
        p = plan_for(pg_scratch, other)
        summaries = [s.summary for s in p.steps]
        assert summaries.index("change the identity of t.id") < summaries.index("allow NULL in t.id")
        assert all(s.phase.label == "contract" for s in p.steps)
        assert any("NO MAXVALUE" in stmt and "START WITH 30" in stmt for s in p.steps for stmt in s.sql)
        apply(pg_scratch, p)
        assert_in_sync(pg_scratch, other)
        execute(pg_scratch, ["INSERT INTO t (id) VALUES (NULL)"])
        assert rows(pg_scratch, "SELECT count(*) FROM t WHERE id IS NULL") == [(1,)]


def test_foreign_key_dropped_and_added_again_around_a_type_change(dialect):
    """MariaDB cannot change the type of a column a foreign key uses (error 1832, either side):
    the plan drops the key before the type changes and adds it again after them. Servers that
    can (ALTER_TYPE_KEEPS_FOREIGN_KEYS) keep the key. Both directions."""
    ddl = ("CREATE TABLE parents (id {t} NOT NULL PRIMARY KEY);"
           "CREATE TABLE kids (id INTEGER PRIMARY KEY, parent_id {t},"
           " CONSTRAINT fk_kids_parent FOREIGN KEY (parent_id) REFERENCES parents (id))")
    seed = ["INSERT INTO parents (id) VALUES (1)", "INSERT INTO kids (id, parent_id) VALUES (1, 1)"]

    def check(p):
        kinds_in_order = [s.ops[0].kind for s in p.steps]
        if get(dialect).ALTER_TYPE_KEEPS_FOREIGN_KEYS:
            assert "drop_foreign_key" not in kinds_in_order
            return
        assert kinds_in_order[0] == "drop_foreign_key" and kinds_in_order[-1] == "add_foreign_key"
        assert kinds_in_order[1:-1] == ["alter_column", "alter_column"]
    both_ways(dialect, ddl.format(t="INTEGER"), ddl.format(t="BIGINT"), seed, seed, check)


def test_check_renamed_in_case_only_with_a_new_body(my_scratch):
    """MariaDB check names are case-insensitive (error 1826 on CHK next to chk): the old check
    goes before the new one takes the name."""
    with scratch_database("mariadb") as other:
        execute(my_scratch, ["CREATE TABLE o (id INTEGER PRIMARY KEY, q INTEGER, "
                             "CONSTRAINT CHK_Q CHECK (q > 0))", "INSERT INTO o VALUES (1, 5)"])
        execute(other, ["CREATE TABLE o (id INTEGER PRIMARY KEY, q INTEGER, CONSTRAINT chk_q CHECK (q > 1))"])
        p = plan_for(my_scratch, other)
        assert shape(p) == [("contract", ("drop_check",)), ("contract", ("add_check",))]
        apply(my_scratch, p)
        assert_in_sync(my_scratch, other)


def test_check_on_a_column_whose_type_changes_goes_before_and_comes_after(dialect):
    """A dropped check that names a column goes before its type changes, an added one after
    (PostgreSQL: ``CHECK (foo > 0)`` cannot hold once foo is text). Both directions."""
    number = "CREATE TABLE t (id INTEGER PRIMARY KEY, foo INTEGER, CONSTRAINT ck_foo CHECK (foo > 0))"
    text = "CREATE TABLE t (id INTEGER PRIMARY KEY, foo VARCHAR(20), CONSTRAINT ck_foo CHECK (foo <> ''))"

    def check(p):
        kinds_in_order = [s.ops[0].kind for s in p.steps]
        if dialect != "sqlite":  # SQLite rebuilds the table in one step
            assert kinds_in_order.index("drop_check") < kinds_in_order.index("alter_column") \
                < kinds_in_order.index("add_check")
    both_ways(dialect, number, text, ["INSERT INTO t VALUES (1, 5)"], ["INSERT INTO t VALUES (1, '5')"],
              check)


def test_new_foreign_key_waits_for_the_type_change_of_the_key_it_references(dialect):
    """MariaDB refuses a foreign key between int and bigint (errno 150), and a type change under
    an existing key (1832): a new table's key to a column whose type changes is added after it."""
    with pair(dialect, "CREATE TABLE parents (id INTEGER NOT NULL PRIMARY KEY)",
              "CREATE TABLE parents (id BIGINT NOT NULL PRIMARY KEY);"
              "CREATE TABLE kids (id INTEGER PRIMARY KEY, parent_id BIGINT,"
              " CONSTRAINT fk_kids_parent FOREIGN KEY (parent_id) REFERENCES parents (id))",
              ["INSERT INTO parents (id) VALUES (1)"]) as (a, b):
        p = plan_for(a, b)
        if not get(dialect).ALTER_TYPE_KEEPS_FOREIGN_KEYS:
            assert shape(p) == [("expand", ("create_table",)), ("contract", ("alter_column",)),
                                ("contract", ("add_foreign_key",))]
        apply(a, p)
        assert_in_sync(a, b)


def test_a_schema_wide_name_moving_to_another_table_is_freed_first(dialect):
    """PostgreSQL and SQLite index names are unique in the schema: an index whose name moves
    from one table to another is dropped before it is created again, in the later phase."""
    tables = ("CREATE TABLE a (id INTEGER PRIMARY KEY, x INTEGER);"
              "CREATE TABLE b (id INTEGER PRIMARY KEY, y INTEGER);")
    on_a, on_b = tables + "CREATE INDEX ix_shared ON a (x)", tables + "CREATE INDEX ix_shared ON b (y)"

    def check(p):
        kinds_in_order = [s.ops[0].kind for s in p.steps]
        if get(dialect).name_namespace("index"):
            assert kinds_in_order == ["drop_index", "create_index"]
            assert {s.phase.label for s in p.steps} == {"contract"}
    both_ways(dialect, on_a, on_b, check=check)


EPOCHS = "CREATE TABLE t (id INTEGER PRIMARY KEY, c BIGINT)"
STAMPS = "CREATE TABLE t (id INTEGER PRIMARY KEY, c TIMESTAMP NOT NULL DEFAULT '2000-01-01 00:00:00')"
EPOCH_ROWS = ["INSERT INTO t VALUES (1, 1700000000)", "INSERT INTO t VALUES (2, NULL)"]


def test_type_change_without_a_conversion_is_manual_never_a_failing_cast():
    """PostgreSQL has no cast from bigint to timestamp: the type change is a ``manual`` step whose
    USING is a placeholder to fill in (commented out in the script), never ``c::timestamp``; the
    NOT NULL step that follows waits for it (manual too). Running the script as printed changes
    nothing and fails nowhere."""
    with pair("postgresql", EPOCHS, STAMPS, EPOCH_ROWS) as (a, b):
        p = plan_for(a, b)
        assert [s.manual for s in p.steps] == [True, True], [s.summary for s in p.steps]
        change, not_null = p.steps
        assert "manual" in kinds(change) and "--backfill t.c=SQL" in \
            next(h.message for h in change.hazards if h.kind.value == "manual")
        alter = next(x for x in change.sql if " TYPE " in x)
        assert "USING <expression>" in alter and "::timestamp" not in alter.split(" USING ")[1]
        assert "manual" in kinds(not_null) and not change.rollback
        script = p.to_sql()
        assert "-- MANUAL: " + alter in script and "\nALTER TABLE" not in script
        execute(a, split_sql(script))  # comments only: runs, changes nothing
        assert rows(a, "SELECT id, c FROM t ORDER BY id") == [(1, 1700000000), (2, None)]


def test_type_change_without_a_conversion_uses_the_backfill_as_using():
    """``backfills={"t.c": SQL}`` is the USING expression of such a type change: the step is
    automatic, the round trip ends in sync with every row converted (a NULL takes the default),
    and the CLI takes ``--backfill`` for it without the "fills no column" warning."""
    with pair("postgresql", EPOCHS, STAMPS, EPOCH_ROWS) as (a, b):
        p = plan_for(a, b, backfills={"t.c": "to_timestamp(c)"})
        assert not any(s.manual or "manual" in kinds(s) for s in p.steps)
        assert any("USING to_timestamp(c)" in x for x in p.steps[0].sql), p.steps[0].sql
        assert not any("UPDATE \"t\" SET \"c\" = to_timestamp" in x for s in p.steps for x in s.sql)
        from test_plan_roundtrip import run_cli
        code, out, err = run_cli("plan", a, b, "--format", "json", "--backfill", "t.c=to_timestamp(c)")
        assert (code, err) == (0, "") and out == p.to_json()
        want = rows(a, "SELECT to_timestamp(1700000000)::timestamp")[0][0]
        apply(a, p)
        assert_in_sync(a, b)
        assert [r[1] for r in rows(a, "SELECT id, c FROM t ORDER BY id")] == \
            [want, rows(a, "SELECT TIMESTAMP '2000-01-01 00:00:00'")[0][0]]
