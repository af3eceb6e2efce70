"""Two databases are read side by side (``sources._load_side_by_side``): the same schemas, and
the same error, as when they are read one after the other."""
from __future__ import annotations

import sqlite3
import threading

import pytest

import schemadrift
from schemadrift import sources


def _db(path, script: str) -> str:
    with sqlite3.connect(path) as con:
        con.executescript(script)
    return f"sqlite:///{path}"


@pytest.fixture
def two_dbs(tmp_path):
    a = _db(tmp_path / "a.db", "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL);"
                               "CREATE INDEX ix_t_name ON t (name);")
    b = _db(tmp_path / "b.db", "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, extra INT);")
    return a, b


def test_side_by_side_reads_what_one_by_one_reads(two_dbs, monkeypatch):
    a, b = two_dbs
    threads = []
    start = threading.Thread.start
    monkeypatch.setattr(threading.Thread, "start", lambda self: (threads.append(self.name), start(self))[1])
    pair = schemadrift.load_pair(a, b)
    assert threads == ["schemadrift-read"]  # the second side was read in its own thread
    assert pair == (schemadrift.load(a), schemadrift.load(b))
    assert [c.kind for c in schemadrift.compare(a, b).changes] == \
        [c.kind for c in schemadrift.diff(schemadrift.load(a), schemadrift.load(b)).changes]


def test_the_first_sides_error_wins(tmp_path, two_dbs):
    missing = [f"sqlite:///{tmp_path / name}" for name in ("x.db", "y.db")]
    with pytest.raises(schemadrift.SourceError, match="x.db"):
        schemadrift.load_pair(*missing)
    with pytest.raises(schemadrift.SourceError, match="y.db"):
        schemadrift.load_pair(two_dbs[0], missing[1])
    with pytest.raises(schemadrift.SourceError, match="x.db"):
        schemadrift.load_pair(missing[0], two_dbs[1])


def test_a_side_with_models_is_read_after_the_database(two_dbs, monkeypatch):
    """Models take the database's dialect, so they wait for it: no thread."""
    import sqlalchemy as sa

    md = sa.MetaData()
    sa.Table("t", md, sa.Column("id", sa.Integer, primary_key=True))
    monkeypatch.setattr(sources, "_load_side_by_side", None)  # would fail if called
    a, b = schemadrift.load_pair(two_dbs[0], md)
    assert [t.name for t in b.tables] == ["t"]
