"""The differ's data-driven cases: one runner for every folder under ``tests/cases/``.

Layout (see tests/README.md): ``tests/cases/<group>/<case>/`` with ``from.sql``, ``to.sql`` and
``expected.json``; ``<group>`` is ``common`` (portable DDL, run on every dialect) or a dialect name.
Optional files: ``from.<dialect>.sql`` / ``to.<dialect>.sql`` (a dialect's own spelling of the
same schema), ``data.sql`` (rows seeded into FROM before a plan is applied) and ``case.json``
(``renames``, ``backfill_values``, ``rename_candidates``, ``skip``).

For each case and dialect:

* the diff: build FROM (seeded with ``data.sql``) and TO on two scratch databases, introspect
  both; each must survive the snapshot round trip and be in sync with itself; FROM→TO must report
  exactly the changes of ``expected.json`` (nothing missing, nothing extra);
* the plan: apply ``schemadrift.plan`` of FROM→TO to FROM (with the case's backfill values for
  manual steps) and check FROM is then in sync with TO, with no seeded row lost.

Both run in one test so that each case builds its databases once (half the time); a plan
failure says ``PLAN`` in its message. ``case.json`` may mark a dialect ``xfail`` (strict) with
the reason: a known bug of a dialect, kept visible rather than weakened.
"""
from __future__ import annotations

import contextlib
import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import DIALECTS, RESET, execute, scratch_database, split_sql

import schemadrift
from schemadrift import snapshot
from schemadrift.differ import explain

CASES = Path(__file__).resolve().parent / "cases"
GROUPS = {"common": DIALECTS, **{d: (d,) for d in DIALECTS}}
ENTRY_KEYS = {"kind", "table", "name", "schema", "attributes", "dialects"}


@dataclass(frozen=True)
class Case:
    """One case folder, run on one dialect."""

    path: Path
    dialect: str

    @property
    def id(self) -> str:
        return f"{self.path.parent.name}/{self.path.name}[{self.dialect}]"

    @property
    def options(self) -> dict:
        f = self.path / "case.json"
        return json.loads(f.read_text(encoding="utf-8")) if f.exists() else {}

    def script(self, stem: str) -> list[str]:
        """The statements of ``from``/``to``/``data``: the dialect's own file wins."""
        for name in (f"{stem}.{self.dialect}.sql", f"{stem}.sql"):
            f = self.path / name
            if f.exists():
                return split_sql(f.read_text(encoding="utf-8"))
        return []

    def expected(self) -> Counter:
        """The expected changes on this dialect, as comparable keys."""
        entries = json.loads((self.path / "expected.json").read_text(encoding="utf-8"))
        keys = Counter()
        for e in entries:
            unknown = set(e) - ENTRY_KEYS
            assert not unknown, f"{self.id}: unknown keys {sorted(unknown)} in expected.json"
            if self.dialect not in e.get("dialects", DIALECTS):
                continue
            attrs = _per_dialect(e.get("attributes"), self.dialect)
            assert e["kind"] in schemadrift.changes.KINDS, f"{self.id}: unknown kind {e['kind']!r}"
            assert (attrs is not None) == e["kind"].startswith("alter_"), \
                f"{self.id}: alter_* entries (and only they) must list their attributes: {e}"
            keys[(e["kind"], e.get("schema"), e["table"], _per_dialect(e["name"], self.dialect),
                  tuple(sorted(attrs or ())))] += 1
        return keys


def _per_dialect(value, dialect: str):
    """``{"postgresql": x, "mariadb": y, ...}`` → the dialect's value; anything else as is."""
    if isinstance(value, dict) and value and set(value) <= set(DIALECTS):
        return value.get(dialect)
    return value


def change_key(c) -> tuple:
    return (c.kind, c.schema, c.table, c.name, tuple(sorted(c.what)))


def _discover() -> list:
    params = []
    for group, dialects in GROUPS.items():
        folder = CASES / group
        for path in sorted(p for p in folder.iterdir() if p.is_dir()) if folder.is_dir() else ():
            for dialect in dialects:
                case = Case(path, dialect)
                skip = case.options.get("skip", {}).get(dialect)
                xfail = case.options.get("xfail", {}).get(dialect)
                marks = [pytest.mark.skip(reason=skip)] if skip else []
                if xfail:
                    marks.append(pytest.mark.xfail(reason=xfail, strict=True))
                params.append(pytest.param(case, id=case.id, marks=marks))
    return params


PARAMS = _discover()


# Creating a PostgreSQL database costs half a second; emptying one costs a twentieth. So the
# scratch databases are kept for the whole module and emptied before each use.
_free: dict[str, list[str]] = {}
_held = contextlib.ExitStack()


@pytest.fixture(scope="module", autouse=True)
def _drop_scratch_databases():
    yield
    _free.clear()
    _held.close()


@contextlib.contextmanager
def empty_database(dialect: str):
    """An empty scratch database of ``dialect``, reused across cases."""
    if dialect not in RESET:
        with scratch_database(dialect) as url:
            yield url
        return
    free = _free.setdefault(dialect, [])
    url = free.pop() if free else _held.enter_context(scratch_database(dialect))
    execute(url, RESET[dialect](url.rsplit("/", 1)[1]))
    try:
        yield url
    finally:
        free.append(url)


@contextlib.contextmanager
def built(case: Case, seed: bool = False):
    """Two scratch databases: FROM (optionally seeded with ``data.sql``) and TO."""
    with empty_database(case.dialect) as a, empty_database(case.dialect) as b:
        execute(a, case.script("from"))
        if seed:
            execute(a, case.script("data"))
        execute(b, case.script("to"))
        yield a, b


def describe(d, a, b) -> str:
    """Every change in full, and deepdiff's account of each table that changed."""
    lines = [json.dumps(c.to_dict(), default=str, ensure_ascii=False) for c in d.changes]
    for table, schema in sorted({(c.table, c.schema) for c in d.changes if c.table}, key=str):
        ta, tb = a.table(table, schema), b.table(table, schema)
        if ta is not None and tb is not None:
            lines.append(f"explain {table}: {explain(ta, tb)}")
    return "\n".join(lines)


def assert_in_sync(s, label: str) -> None:
    d = schemadrift.diff(s, s)
    assert d.in_sync, f"{label} differs from itself:\n{describe(d, s, s)}"


@pytest.mark.parametrize("case", PARAMS)
def test_case(case: Case):
    """The diff of the case (exactly the expected changes), then its plan applied (in sync after)."""
    with built(case, seed=True) as (url_a, url_b):
        a, b = schemadrift.load(url_a), schemadrift.load(url_b)
        check_diff(case, a, b)
        _planner()
        check_plan(case, url_a, url_b, a, b)


def check_diff(case: Case, a, b) -> None:
    for s, label in ((a, "FROM"), (b, "TO")):
        assert snapshot.from_json(snapshot.to_json(s)) == s, f"{label} snapshot round trip"
        assert_in_sync(s, label)
    d = schemadrift.diff(a, b, renames=case.options.get("renames"))
    actual = Counter(change_key(c) for c in d.changes)
    expected = case.expected()
    missing, extra = expected - actual, actual - expected
    assert not missing and not extra, (
        f"{case.id}: FROM→TO differs from expected.json\n missing: {sorted(missing, key=str)}\n"
        f" extra:   {sorted(extra, key=str)}\n{describe(d, a, b)}")
    assert d.in_sync == (not expected)
    for want in case.options.get("rename_candidates", ()):
        assert any((r.table, r.old, r.new) == (want["table"], want["from"], want["to"])
                   for r in d.rename_candidates), f"rename candidate {want} not reported"


def _planner():
    try:
        from schemadrift.planner import make_plan  # noqa: F401
    except ImportError as e:
        pytest.skip(f"diff checked; schemadrift.planner cannot be imported yet: {e}")


def _backfill(case: Case, step) -> list[str]:
    """The SQL for a manual step: only where case.json gives the value, never guessed."""
    values = case.options.get("backfill_values", {})
    if not step.manual:
        return list(step.sql)
    source = step.source
    key = f"{getattr(source, 'table', None)}.{getattr(source, 'name', None)}"
    assert key in values, (f"{case.id}: manual step {step.summary!r} needs a value: add "
                           f'"backfill_values": {{"{key}": "<SQL>"}} to case.json')
    q = schemadrift.dialects.get(case.dialect).quote
    return [f"UPDATE {q(source.table)} SET {q(source.name)} = {values[key]} "
            f"WHERE {q(source.name)} IS NULL"]


def check_plan(case: Case, url_a: str, url_b: str, a, b) -> None:
    """Apply the plan of FROM→TO to FROM: then FROM must be in sync with TO, no kept row lost."""
    from schemadrift.verify import row_counts

    d = schemadrift.diff(a, b, renames=case.options.get("renames"))
    p = schemadrift.plan(d)
    rows = row_counts(url_a)
    for number, step in enumerate(p.steps, 1):
        statements = _backfill(case, step)
        try:
            execute(url_a, statements)
        except Exception as e:  # noqa: BLE001 - report which step failed, with the whole plan
            pytest.fail(f"{case.id}: PLAN step {number} ({step.summary}) failed: {e}\n{p.to_sql()}")
    after = schemadrift.load(url_a)
    left = schemadrift.diff(after, b)
    assert left.in_sync, f"{case.id}: PLAN applied, not in sync:\n{p.to_sql()}\n{describe(left, after, b)}"
    rows_after = row_counts(url_a)
    lost = {t: (n, rows_after.get(t)) for t, n in rows.items()
            if b.table(t) is not None and rows_after.get(t, 0) < n}
    assert not lost, f"{case.id}: PLAN lost rows in kept tables {lost}\n{p.to_sql()}"


def test_every_change_kind_has_a_case_on_each_dialect():
    """Every change kind of the contract is exercised on every dialect that has the object kind
    (named enum types only where the dialect says ``NAMED_ENUMS``, exclusion constraints only
    where it says ``EXCLUSION_CONSTRAINTS``)."""
    covered: dict[str, set[str]] = {d: set() for d in DIALECTS}
    for param in PARAMS:
        case = param.values[0]
        covered[case.dialect] |= {key[0] for key in case.expected()}
    for dialect in DIALECTS:
        kinds = set(schemadrift.changes.KINDS)
        if not schemadrift.dialects.get(dialect).NAMED_ENUMS:
            kinds -= {"add_enum", "drop_enum", "alter_enum"}
        if not schemadrift.dialects.get(dialect).EXCLUSION_CONSTRAINTS:
            kinds -= {"add_exclusion", "drop_exclusion", "alter_exclusion"}
        assert kinds <= covered[dialect], f"{dialect}: no case for {sorted(kinds - covered[dialect])}"
