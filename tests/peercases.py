"""Run one peer case (a schema pair from another diff tool's test suite) through schemadrift.

Shared by ``tests/test_peer_cases.py`` and ``benchmarks/peer_suites.py``. A case is
``{"id", "scope", "current", "desired"}``; each direction builds FROM and TO on scratch databases,
seeds a few rows into FROM, and checks that the plan converges (our compare and an independent
view — SQLAlchemy's inspector — agree that FROM now equals TO) with no row of a kept table lost.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import decimal
import hashlib
import json
import re
import uuid
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from conftest import RESET, scratch_database

from schemadrift import compare, plan
from schemadrift.verify import apply_steps, execute, row_counts

FILES = {
    "sqldef-postgresql": "postgresql", "pgschemadiff-postgresql": "postgresql",
    "migra-postgresql": "postgresql", "sqldef-mariadb": "mariadb", "sqldef-sqlite": "sqlite",
}
HERE = Path(__file__).resolve().parent.parent / "fixtures" / "peer-cases"


def load_cases(name: str) -> list[dict]:
    return json.loads((HERE / f"{name}.json").read_text())["cases"]


def in_sample(case_id: str, per_mille: int) -> bool:
    """A stable sample: the same cases every run."""
    return int(hashlib.sha1(case_id.encode()).hexdigest()[:6], 16) % 1000 < per_mille


class ScratchPool:
    """Empty scratch databases, reused: emptying a PostgreSQL database (dropping its schemas) costs
    far less than creating one and dropping it (a DROP DATABASE forces a checkpoint). Two per
    dialect, handed out in turn: a direction uses two at a time. Only for cases whose objects all
    live in schemas (``core`` scope): an ``extended`` case may leave database-level objects behind
    (casts, event triggers), so it gets fresh databases."""

    def __init__(self, stack: contextlib.ExitStack):
        self.stack = stack
        self.dbs: dict[str, list[str]] = {}
        self.turn: dict[str, int] = {}

    def empty(self, dialect: str) -> str:
        if dialect not in RESET:  # SQLite: a new file costs nothing
            return self.stack.enter_context(scratch_database(dialect))
        dbs = self.dbs.setdefault(dialect, [])
        i = self.turn[dialect] = (self.turn.get(dialect, -1) + 1) % 2
        if len(dbs) <= i:
            dbs.append(self.stack.enter_context(scratch_database(dialect)))
        execute(dbs[i], RESET[dialect](dbs[i].rsplit("/", 1)[1]))
        return dbs[i]

    def factory(self, case: dict, dialect: str, stack: contextlib.ExitStack):
        """``scratch()`` for ``run_direction``: pooled for a core case, fresh (dropped with
        ``stack``) otherwise."""
        if case["scope"] == "core":
            return lambda: self.empty(dialect)
        return lambda: stack.enter_context(scratch_database(dialect))


@dataclass
class Outcome:
    case: str
    direction: str
    ok: bool
    stage: str = ""
    detail: str = ""


def run_direction(case: dict, direction: str, scratch) -> Outcome:
    """``scratch()`` returns the URL of a new empty database of the case's dialect.

    Rows are generated for FROM only; where they cannot live in TO (a new CHECK they break, an enum
    value they use removed) the plan rightly fails on them, and the direction is run again
    without rows: it must then converge."""
    first = _run_direction(case, direction, scratch, seed=True)
    if first.stage == "apply":
        second = _run_direction(case, direction, scratch, seed=False)
        if second.ok:
            return Outcome(case["id"], direction, True, "converged-without-rows", first.detail)
        return second
    return first


def _run_direction(case: dict, direction: str, scratch, seed: bool) -> Outcome:
    cur, want = (case["current"], case["desired"]) if direction == "forward" else \
        (case["desired"], case["current"])
    a, b = scratch(), scratch()

    def out(ok, stage="", detail=""):
        return Outcome(case["id"], direction, ok, stage, detail[:400])

    try:
        execute(a, cur)
        execute(b, want)
    except Exception as e:  # noqa: BLE001 - a case that does not build is not ours to judge
        return out(True, "setup-skipped", str(e).splitlines()[0])
    try:
        d = compare(a, b)
    except Exception as e:  # noqa: BLE001
        return out(False, "compare", f"{type(e).__name__}: {e}")
    hidden = not_compared_relations(d.not_compared)
    if d.in_sync:
        missed = gap(structure(a), structure(b), hidden)
        return out(False, "missed-drift", f"inspector sees {missed}") if missed else out(True, "in-sync")
    if seed:
        seed_rows(a)
    rows_before = row_counts(a)
    try:
        p = plan(d)
    except Exception as e:  # noqa: BLE001
        return out(False, "plan", f"{type(e).__name__}: {e}")
    manual = [s for s in p.steps if s.manual]
    if manual:
        # a NOT NULL column without a default on a table with rows: the tool must ask a human
        _delete_all_rows(a)
        rows_before = row_counts(a)
    _, failed, error = apply_steps(a, p.steps)
    if error:
        return out(False, "apply", f"{failed}: {error}")
    after = compare(a, b)
    if not after.in_sync:
        left = "; ".join(f"{c.kind} {c.table} {c.name}" for c in after.changes)
        if manual:  # a step left to a human (an object the IR does not model stands in its way)
            return out(False, "manual", f"{'; '.join(s.summary for s in manual)} (left: {left})")
        return out(False, "not-converged", left)
    g = gap(structure(a), structure(b), hidden)
    if g:
        return out(False, "inspector-differs", g)
    left_by_migra = migra_leftovers(a, b) if case["scope"] == "core" else []
    if left_by_migra:
        return out(False, "migra-differs", "; ".join(left_by_migra))
    rows_after = row_counts(a)
    lost = {t: n for t, n in rows_before.items() if t in rows_after and rows_after[t] < n}
    if lost:
        return out(False, "rows-lost", str(lost))
    return out(True, "converged")


def migra_leftovers(from_url: str, to_url: str) -> list[str]:
    """A second independent view on PostgreSQL (when migra is installed): what migra would still
    run between the two databases, leaving out objects the IR does not model."""
    import importlib.util

    if not from_url.startswith("postgresql") or importlib.util.find_spec("migra") is None:
        return []
    from schemadrift.migra_engine import statements, unmodelled
    left = statements(from_url, to_url)
    return [s for s in left if s not in unmodelled(left) and not _EMPTY_CREATE.match(s)]


# migra's blind spot: schemainspect loses a table whose columns were all dropped (only
# attisdropped attributes left), so it "creates" the empty table that is already there
_EMPTY_CREATE = re.compile(r'^create table "[^"]+"\."[^"]+" \(\s*\)$', re.I)


def _delete_all_rows(url: str) -> None:
    """Empty every table, referencing tables first."""
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        md = sa.MetaData()
        md.reflect(engine)
        with engine.begin() as conn:
            for table in reversed(md.sorted_tables):
                conn.execute(table.delete())
    finally:
        engine.dispose()


# -- an independent view: what SQLAlchemy's inspector sees -----------------------------------------
def structure(url: str) -> dict:
    """Per table: columns with nullability, type, default and comment, primary key, foreign keys,
    indexes, unique keys, CHECK constraints and the table's comment — as SQLAlchemy's inspector
    reads them (its bulk ``get_multi_*`` calls), not as schemadrift does."""
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    lite = url.startswith("sqlite")
    fold = (lambda n: str(n).lower()) if lite or url.startswith(("mysql", "mariadb")) else str
    try:
        insp = sa.inspect(engine)
        out = {}
        schemas = [None]
        # PostgreSQL names the default schema as a diff's not_compared list does; a MySQL
        # database's name differs between FROM and TO
        default = insp.default_schema_name if url.startswith("postgresql") else ""
        if url.startswith("postgresql"):
            schemas += sorted(n for n in insp.get_schema_names()
                              if n not in ("public", "information_schema") and not n.startswith("pg_"))
        for schema in schemas:
            columns = insp.get_multi_columns(schema=schema)
            pks = insp.get_multi_pk_constraint(schema=schema)
            fks = insp.get_multi_foreign_keys(schema=schema)
            indexes = insp.get_multi_indexes(schema=schema)
            uniques = insp.get_multi_unique_constraints(schema=schema)
            checks = insp.get_multi_check_constraints(schema=schema)
            comments = {} if lite else insp.get_multi_table_comment(schema=schema)
            for key, cols in columns.items():
                pk = tuple(fold(x) for x in pks.get(key, {}).get("constrained_columns") or ())
                out[f"{schema or default}.{fold(key[1])}"] = {
                    # a key column never holds NULL (SQLite's inspector says a rowid alias may)
                    "columns": sorted((fold(c["name"]), bool(c["nullable"]) and fold(c["name"]) not in pk)
                                      for c in cols),
                    "pk": pk,
                    "fks": sorted((tuple(map(fold, fk["constrained_columns"])), fold(fk["referred_table"]))
                                  for fk in fks.get(key, ())),
                    # declared type text: SQLite keeps each CREATE's own spelling, so only there
                    # is it not comparable
                    "types": [] if lite else sorted((fold(c["name"]), str(c["type"]).lower())
                                                    for c in cols),
                    "indexes": sorted((tuple(map(fold, (n or "?" for n in ix.get("column_names") or ()))),
                                       bool(ix.get("unique"))) for ix in indexes.get(key, ())),
                    "unique_keys": sorted({tuple(map(fold, ix.get("column_names") or ()))
                                           for ix in indexes.get(key, ()) if ix.get("unique")} |
                                          {tuple(map(fold, u["column_names"]))
                                           for u in uniques.get(key, ())}),
                    "defaults": sorted((fold(c["name"]), _text(c.get("default"))) for c in cols),
                    "checks": sorted((fold(ck.get("name") or "?"), _text(ck.get("sqltext")))
                                     for ck in checks.get(key, ())),
                    "comments": [] if lite else
                    [_text((comments.get(key) or {}).get("text"))] +
                    sorted((fold(c["name"]), _text(c.get("comment"))) for c in cols),
                }
        return out
    finally:
        engine.dispose()


def _text(value) -> str:
    """A default, CHECK body or comment as the inspector reads it, whitespace folded."""
    return "" if value is None else " ".join(str(value).split())


#: relations the IR does not model (introspection lists them as ``"<kind> <schema>.<name>"``)
NOT_MODELLED_RELATIONS = ("partition", "foreign table")


def not_compared_relations(items) -> set[str]:
    """``schema.table`` keys of ``structure`` for the relations a diff lists as not compared: the
    independent view leaves them out too (their columns and keys are not ours to judge)."""
    out = set()
    for item in items:
        kind, _, name = item.rpartition(" ")
        if kind in NOT_MODELLED_RELATIONS and "." in name:
            out.add(name)
    return out


def gap(a: dict, b: dict, hidden: set[str] = frozenset()) -> str | None:
    for t in sorted((set(a) | set(b)) - hidden):
        if t not in a or t not in b:
            return f"table {t} only in {'TO' if t not in a else 'FROM'}"
        for part in a[t]:
            if a[t][part] != b[t][part]:
                return f"{t}.{part}: {a[t][part]} != {b[t][part]}"[:300]
    return None


# -- a few generated rows ----------------------------------------------------------------------
def seed_rows(url: str, per_table: int = 2) -> None:
    """Insert a few rows per table where the constraints allow; skip a table where they do not."""
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        md = sa.MetaData()
        try:
            md.reflect(engine)
        except Exception:  # noqa: BLE001 - a type SQLAlchemy cannot reflect: no rows, no check
            return
        for table in md.sorted_tables:
            for i in range(per_table):
                row = {c.name: _value(c, i) for c in table.columns if _needs_value(c)}
                try:
                    with engine.begin() as conn:
                        conn.execute(table.insert().values(**row))
                except Exception:  # noqa: BLE001
                    break
    finally:
        engine.dispose()


def _needs_value(c: sa.Column) -> bool:
    return not (c.primary_key and c.autoincrement is True) and c.server_default is None or not c.nullable


def _value(c: sa.Column, i: int):
    try:
        py = c.type.python_type
    except NotImplementedError:
        return None
    if py is bool:
        return bool(i % 2)
    if py is int:
        return i + 1
    if py in (float, decimal.Decimal):
        return py(i + 1)
    if py is str:
        length = getattr(c.type, "length", None) or 8
        enums = getattr(c.type, "enums", None)
        if enums:
            return enums[i % len(enums)]
        return (f"v{i}" + uuid.uuid4().hex)[:max(1, min(length, 12))]
    if py is dt.datetime:
        return dt.datetime(2024, 1, 1 + i)
    if py is dt.date:
        return dt.date(2024, 1, 1 + i)
    if py is dt.time:
        return dt.time(1, i)
    if py is bytes:
        return b"x" * (i + 1)
    if py is uuid.UUID:
        return uuid.uuid4()
    return None
