"""Real public SQLite schemas (fixtures/corpus/*-sqlite): load each into two scratch databases and
check that schemadrift sees them as the same schema, reads them identically twice, round-trips
them through the snapshot, lists what it does not model in ``not_compared``, and that the IR
rendered back as DDL builds a database that is again in sync ("render & re-introspect").

The scripts are run with sqlite3's ``executescript`` (their own statement handling: trigger
bodies hold semicolons)."""
from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from conftest import scratch_database

from schemadrift import dialects, snapshot, sources
from schemadrift.differ import diff, explain
from schemadrift.planner import ops as O

CORPUS = Path(__file__).resolve().parent.parent / "fixtures" / "corpus"
D = dialects.get("sqlite")

# folder -> (tables compared, objects expected in not_compared (a sample), count of not_compared)
CASES = {
    "chinook-sqlite": (11, [], 0),
    "roundcube-sqlite": (18, [], 0),
    "powerdns-sqlite": (7, [], 0),
    "synapse-sqlite": (134, ["virtual table event_search", "shadow table event_search_content",
                             "virtual table user_directory_search",
                             "trigger partial_state_events_bad_room_id on partial_state_events"], 13),
    "sakila-sqlite": (16, ["view customer_list", "view film_list", "trigger actor_trigger_ai on actor"], 35),
}


def _load(url: str, folder: str) -> None:
    with sqlite3.connect(url.removeprefix("sqlite:///")) as c:
        c.execute("PRAGMA synchronous=OFF")  # a scratch file: no fsync per DDL statement
        for f in sorted((CORPUS / folder).glob("*.sql")):
            c.executescript(f.read_text(encoding="utf-8"))


def _in_sync(a, b) -> None:
    d = diff(a, b)
    assert d.in_sync, [c.to_dict() for c in d][:10] + [explain(a, b)[:3000]]


@pytest.mark.parametrize("folder", sorted(CASES))
def test_corpus(folder):
    tables, sample, skipped = CASES[folder]
    with scratch_database("sqlite") as url_a, scratch_database("sqlite") as url_b:
        _load(url_a, folder)
        _load(url_b, folder)
        a, b = sources.load(url_a), sources.load(url_b)
        _in_sync(a, b)
        assert a == b, explain(a, b)
        assert len(a.tables) == tables
        assert set(sample) <= set(a.not_compared) and len(a.not_compared) == skipped, a.not_compared
        text = snapshot.to_json(a)
        assert snapshot.to_json(sources.load(url_a)) == text
        assert snapshot.from_json(text) == a
        assert diff(a, a).in_sync


@pytest.mark.parametrize("folder", sorted(CASES))
def test_corpus_rendered_back(folder):
    """Each table rendered by CreateTable + CreateIndex builds the same schema again."""
    with scratch_database("sqlite") as url_a, scratch_database("sqlite") as url_b:
        _load(url_a, folder)
        a = sources.load(url_a)
        statements = []
        for t in a.tables:
            statements += D.render(O.CreateTable(t))
            statements += [s for ix in t.indexes if not ix.is_constraint
                           for s in D.render(O.CreateIndex(t, index=ix))]
        with sqlite3.connect(url_b.removeprefix("sqlite:///")) as c:
            c.execute("PRAGMA synchronous=OFF")
            for s in statements:
                c.execute(s)
        b = sources.load(url_b)
        _in_sync(a, b)
        assert a == b, explain(a, b)
