"""Mutation test: one random change to a copy of the bundled model set on a real server, and the
differ must report exactly that change (kind, table, name; and the attributes of an alter).

Per dialect the base database is built once from ``fixtures/models/rich.py``, and once from a
real schema of ``fixtures/corpus`` (roundcube; read back by SQLAlchemy reflection). PostgreSQL and
MariaDB apply each mutation by ALTER to a second database and undo it afterwards (checking the
undo left nothing behind); SQLite copies the base file for each mutation and applies it there
(rebuilding the table where SQLite has no ALTER for it).

Examples per dialect: 50 on the model set (and 10 on the corpus schema) by default, 500 (and
100) with ``SCHEMADRIFT_PROFILE=extended`` (tests/README.md).
"""
from __future__ import annotations

import contextlib
import os
import shutil
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from conftest import DIALECTS, RESET, execute, scratch_database, split_sql
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.core import given
from sqlalchemy.schema import CreateIndex, CreateTable
from strategies import Base, Ctx, Mutation, copy_metadata, mutations

import schemadrift
from schemadrift.differ import explain

ROOT = str(Path(__file__).resolve().parents[2])
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)
from fixtures.models import rich  # noqa: E402  (the repository root holds the bundled model sets)

settings.register_profile("mutations", max_examples=50, deadline=None, derandomize=False,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.register_profile("mutations-extended", parent=settings.get_profile("mutations"), max_examples=500)
EXTENDED = os.environ.get("SCHEMADRIFT_PROFILE") == "extended"
PROFILE = settings.get_profile("mutations-extended" if EXTENDED else "mutations")
#: the corpus base is bigger and slower: a fifth of the examples, on top of the model set's
CORPUS_PROFILE = settings(PROFILE, max_examples=PROFILE.max_examples // 5)


class World:
    """A dialect's base database (and its IR) and where mutations are applied."""

    def __init__(self, dialect: str, metadata: sa.MetaData, base_url: str, work_url: str,
                 base: schemadrift.Schema, ctx: Ctx, name: str = "rich"):
        self.dialect, self.metadata, self.ctx = dialect, metadata, ctx
        self.base_url, self.work_url, self.base = base_url, work_url, base
        self.name = name
        self.source = Base(metadata, base, dialect, ctx.sa_dialect, exact=BASES[name] is None)

    def __repr__(self) -> str:
        return f"<World {self.dialect}>"

    def apply(self, m: Mutation) -> str:
        """Apply ``m``; return the URL of the mutated database."""
        if self.dialect != "sqlite":
            execute(self.work_url, m.forward(self.ctx))
            return self.work_url
        shutil.copyfile(_path(self.base_url), _path(self.work_url))
        execute(self.work_url, self._rebuild(m) if _rebuilds(m) else m.forward(self.ctx))
        return self.work_url

    def rebuild_work(self) -> None:
        """Empty the work database and build the base again in it."""
        name = sa.make_url(self.work_url).database
        execute(self.work_url, RESET[self.dialect](name))
        _build(self.name, self.dialect, self.work_url)

    def revert(self, m: Mutation) -> None:
        if self.dialect != "sqlite":
            execute(self.work_url, m.backward(self.ctx))

    def _rebuild(self, m: Mutation) -> list[str]:
        """SQLite: drop the table and create it again as the mutation wants it (tables are empty)."""
        md = copy_metadata(self.metadata)
        table = md.tables[m.table]
        m.rebuild(table)
        return (["PRAGMA foreign_keys=OFF", f"DROP TABLE {self.ctx.q(table.name)}",
                 self.ctx.compile(CreateTable(table))]
                + [self.ctx.compile(CreateIndex(ix)) for ix in table.indexes])


def _rebuilds(m: Mutation) -> bool:
    return m.rebuilds


def _path(url: str) -> Path:
    return Path(sa.make_url(url).database)



# the bases: the bundled model set, and a real schema of the corpus (its DDL, read back by
# SQLAlchemy's reflection so that the same strategies can draw from it)
CORPUS = Path(ROOT) / "fixtures" / "corpus"
BASES = {"rich": None, "roundcube": {"postgresql": "roundcube-pg/postgres.initial.sql",
                                     "mariadb": "roundcube-mysql/mysql.initial.sql",
                                     "sqlite": "roundcube-sqlite/sqlite.initial.sql"}}


def _build(source: str, dialect: str, url: str) -> None:
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        if BASES[source] is None:
            rich.for_dialect(dialect).create_all(engine)
        else:
            execute(url, split_sql((CORPUS / BASES[source][dialect]).read_text(encoding="utf-8")))
    finally:
        engine.dispose()


def _metadata(source: str, dialect: str, url: str) -> sa.MetaData:
    if BASES[source] is None:
        return rich.for_dialect(dialect)
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        md = sa.MetaData()
        md.reflect(engine)
        return md
    finally:
        engine.dispose()


@contextlib.contextmanager
def _world(dialect: str, source: str):
    if BASES[source] is not None and not (CORPUS / BASES[source][dialect]).exists():
        pytest.skip(f"corpus file {BASES[source][dialect]} is not in fixtures/corpus")
    with contextlib.ExitStack() as stack:
        base_url = stack.enter_context(scratch_database(dialect))
        work_url = stack.enter_context(scratch_database(dialect))
        _build(source, dialect, base_url)
        if dialect == "sqlite":
            work_url = base_url.replace(".db", "_work.db")
        else:
            _build(source, dialect, work_url)
        metadata = _metadata(source, dialect, base_url)
        base = schemadrift.load(base_url)
        engine = sa.create_engine(base_url, poolclass=sa.pool.NullPool)
        with engine.connect() as conn:
            sa_dialect = conn.dialect
        engine.dispose()
        w = World(dialect, metadata, base_url, work_url, base, Ctx(dialect, sa_dialect, metadata), source)
        if dialect != "sqlite":
            _assert_exactly(w, schemadrift.load(work_url), None)
        yield w


@pytest.fixture(scope="module", params=DIALECTS)
def world(request):
    with _world(request.param, "rich") as w:
        yield w


@pytest.fixture(scope="module", params=DIALECTS)
def corpus_world(request):
    with _world(request.param, "roundcube") as w:
        yield w


def _assert_exactly(w: World, got, m: Mutation | None, sql=()) -> None:
    d = schemadrift.diff(w.base, got)
    keys = [(c.kind, c.table, c.name) for c in d.changes]
    want = [m.expected] if m else []
    detail = "\n".join(f"  {c.to_dict()}" for c in d.changes)
    for c in d.changes:
        if c.table and w.base.table(c.table) is not None and got.table(c.table) is not None:
            detail += f"\n  explain {c.table}: {explain(w.base.table(c.table), got.table(c.table))}"
    label = f"{m!r} by {list(sql)}" if m else "the untouched copy"
    assert keys == want, f"{w.dialect}: {label}\n want {want}\n got  {keys}\n{detail}"
    if m and m.attributes:
        assert set(d.changes[0].what) == set(m.attributes), f"{w.dialect}: {label}: attributes\n{detail}"


@PROFILE
@given(data=st.data())
def test_one_mutation_is_reported_exactly(world: World, data):
    check_one_mutation(world, data)


@CORPUS_PROFILE
@given(data=st.data())
def test_one_mutation_of_a_real_schema_is_reported_exactly(corpus_world: World, data):
    check_one_mutation(corpus_world, data)


def check_one_mutation(world: World, data) -> None:
    m = data.draw(mutations(world.source), label="mutation")
    event(m.kind)  # --hypothesis-show-statistics: how often each kind was drawn
    sql = world._rebuild(m) if world.dialect == "sqlite" and _rebuilds(m) else m.forward(world.ctx)
    url = world.apply(m)
    try:
        _assert_exactly(world, schemadrift.load(url), m, sql)
    finally:
        world.revert(m)
    if world.dialect != "sqlite":
        # the undo must leave the copy as it was, or every later example would be wrong
        after = schemadrift.load(world.work_url)
        _assert_exactly(world, after, None)
        if _index_names(after) != _index_names(world.base):
            # in sync, yet not the same: MariaDB renames a FK's own index when the FK is made again
            world.rebuild_work()


def _index_names(s) -> set:
    return {(t.name, ix.name) for t in s.tables for ix in t.indexes}
