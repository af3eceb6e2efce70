"""Real public PostgreSQL schemas (``fixtures/corpus/*-pg``): each loads into two scratch databases
that must introspect as in sync, stably (byte-identical snapshots), through the snapshot round trip,
with the objects the IR does not model listed in ``not_compared``."""
from __future__ import annotations

import contextlib
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import sqlalchemy as sa
from conftest import execute, scratch_database, split_sql

from schemadrift import dialects, snapshot
from schemadrift.differ import diff, explain

CORPUS = Path(__file__).resolve().parents[1] / "fixtures" / "corpus"

#: folder → (DDL file, tables, what must be in not_compared (prefixes with counts))
SCHEMAS = {
    "chinook-pg": ("Chinook_PostgreSql-schema.sql", 11, {}),
    "roundcube-pg": ("postgres.initial.sql", 18, {"sequence public.": 8}),
    "powerdns-pg": ("schema.pgsql.sql", 7, {}),
    "quartz-pg": ("tables_postgres.sql", 11, {}),
    "pagila-pg": ("pagila-schema-2024-10.sql", 15, {
        "view public.": 7, "materialized view public.": 1, "partition public.payment_p2022_": 7,
        "trigger ": 15, "domain public.": 2, "aggregate public.": 1, "function public.": 9,
        "sequence public.": 13}),
}
#: database-level preamble the files carry for their own psql session
PREAMBLE = re.compile(r"(?is)^\s*((drop|create)\s+database\b|\\)")


def statements(folder: str) -> list[str]:
    text = (CORPUS / folder / SCHEMAS[folder][0]).read_text(encoding="utf-8")
    return [s for s in split_sql(text) if not PREAMBLE.match(s)]


def introspect(url: str):
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as conn:
            return dialects.for_connection(conn).introspect(conn)
    finally:
        engine.dispose()


@pytest.fixture(scope="module", params=sorted(SCHEMAS))
def loaded(request):
    """(folder, [schema of database A, schema of database A again, schema of database B])."""
    folder = request.param
    ddl = statements(folder)

    def build(stack: contextlib.ExitStack) -> str:
        url = stack.enter_context(scratch_database("postgresql"))
        # one transaction without waiting for each commit to be flushed: the load is set-up only
        execute(url, ["SET synchronous_commit = off", "BEGIN", *ddl, "COMMIT"])
        return url

    with contextlib.ExitStack() as stack, ThreadPoolExecutor(2) as pool:
        a, b = pool.map(build, (stack, stack))  # the two loads are independent: build them side by side
        yield folder, [introspect(a), introspect(a), introspect(b)]


def test_two_loads_are_in_sync(loaded):
    folder, (a, _, b) = loaded
    assert len(a.tables) == SCHEMAS[folder][1]
    d = diff(a, b)
    assert d.in_sync, "\n".join(map(str, d)) + "\n" + explain(a, b)
    assert diff(b, a).in_sync


def test_introspection_is_stable(loaded):
    _, (a, again, b) = loaded
    assert snapshot.to_json(a) == snapshot.to_json(again) == snapshot.to_json(b)


def test_snapshot_round_trip(loaded):
    _, (a, _, _) = loaded
    back = snapshot.from_json(snapshot.to_json(a))
    assert back == a
    assert back.not_compared == a.not_compared


def test_not_compared(loaded):
    folder, (a, _, _) = loaded
    expected = SCHEMAS[folder][2]
    counts = {prefix: sum(x.startswith(prefix) for x in a.not_compared) for prefix in expected}
    assert counts == expected, a.not_compared
    listed = sum(expected.values())
    assert len(a.not_compared) == listed, a.not_compared


def test_server_names_and_canonical_values(loaded):
    """Spot checks of what the corpus exercises: serial columns, server-named constraints,
    operator classes, partitioned tables, enums and domains."""
    folder, (a, _, _) = loaded
    if folder == "powerdns-pg":
        records = a.table("records")
        assert records.column("id").identity.kind == "autoincrement" and records.column("id").default is None
        assert records.column("disabled").default.expr == "false"
        order = next(i for i in records.indexes if i.name == "recordorder")
        assert [p.opclass for p in order.parts] == [None, "text_pattern_ops"]
        assert a.table("domains").checks[0].expr == "name = lower(name)"
    elif folder == "roundcube-pg":
        users = a.table("users")
        assert users.column("user_id").default.kind == "sequence" and users.column("user_id").identity is None
        assert users.indexes[0].is_constraint and users.indexes[0].name == "users_username_key"
    elif folder == "pagila-pg":
        payment = a.table("payment")
        assert dict(payment.options) == {"partition_by": "RANGE (payment_date)"}
        assert a.table("film").column("rating").type.name == "mpaa_rating"
        assert a.table("film").column("release_year").type.name == "year"
        assert [e.name for e in a.enums] == ["mpaa_rating"]
    elif folder == "quartz-pg":
        assert all(t.name == t.name.lower() for t in a.tables)
    elif folder == "chinook-pg":
        assert a.table("album").primary_key.name == "album_pkey"
