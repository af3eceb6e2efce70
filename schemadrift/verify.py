"""Prove a plan: apply it to a database, re-introspect, re-diff, and check that no kept row was lost.

Used by the tests, the peer-suite script and anyone who wants to rehearse a plan on a scratch copy.
This is the only module that writes to a database, and only when asked to.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa

from .changes import Diff
from .planner.model import Plan, Step


@dataclass
class Verdict:
    """What happened when a plan was applied: ``converged`` is the one answer that matters."""

    drift_before: bool
    steps_applied: int = 0
    failed_step: str | None = None
    error: str | None = None
    remaining: tuple[str, ...] = ()
    lost_rows: dict[str, tuple[int, int]] = field(default_factory=dict)
    manual_steps: tuple[str, ...] = ()

    @property
    def converged(self) -> bool:
        return self.error is None and not self.remaining and not self.lost_rows


def execute(url: str, statements) -> None:
    """Run statements one by one, autocommitted, through a DBAPI cursor with no parameters
    (so that a ``%`` in the SQL reaches the server as written)."""
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    try:
        raw = engine.raw_connection()
        try:
            cur = raw.cursor()
            for statement in statements:
                if statement.strip():
                    cur.execute(statement)
            cur.close()
        finally:
            raw.close()
    finally:
        engine.dispose()


def apply_steps(url: str, steps: list[Step] | tuple[Step, ...],
                backfilled: bool = False) -> tuple[int, str | None, str | None]:
    """Apply steps in order; return (steps applied, summary of the failed step, error line).

    Manual steps are skipped unless ``backfilled`` says their SQL was supplied."""
    done = 0
    for step in steps:
        if step.manual and not backfilled:
            continue
        try:
            execute(url, step.sql)
        except Exception as e:  # noqa: BLE001 - any failure is the verdict
            line = (str(getattr(e, "orig", None) or e).strip().splitlines() or [type(e).__name__])[0]
            return done, step.summary, line
        done += 1
    return done, None, None


def row_counts(url: str) -> dict[str, int]:
    """Rows per table (every schema the inspector lists by default)."""
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as conn:
            quote = engine.dialect.identifier_preparer.quote
            names = sa.inspect(conn).get_table_names()
            return {n: conn.exec_driver_sql(f"SELECT COUNT(*) FROM {quote(n)}").scalar() for n in names}
    finally:
        engine.dispose()


def rehearse(from_url: str, to_source, *, renames: dict[str, str] | None = None,
             plan_options: dict | None = None) -> tuple[Diff, Plan | None, Verdict]:
    """Diff ``from_url`` with ``to_source``, apply the whole plan to ``from_url`` (it is changed!),
    and compare again. Kept tables must keep every row."""
    from . import compare, plan  # noqa: PLC0415 - the package imports this module lazily

    before = compare(from_url, to_source, renames=renames)
    verdict = Verdict(drift_before=not before.in_sync)
    if before.in_sync:
        return before, None, verdict
    try:
        the_plan = plan(before, **(plan_options or {}))
    except Exception as e:  # noqa: BLE001
        verdict.error = f"planning failed: {type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}"
        return before, None, verdict
    verdict.manual_steps = tuple(s.summary for s in the_plan.steps if s.manual)
    rows_before = row_counts(from_url)
    applied, failed, error = apply_steps(from_url, the_plan.steps,
                                         backfilled=bool((plan_options or {}).get("backfill_values")))
    verdict.steps_applied, verdict.failed_step = applied, failed
    if error:
        verdict.error = f"step failed: {failed}: {error}"
        return before, the_plan, verdict
    after = compare(from_url, to_source)
    verdict.remaining = tuple(f"{c.kind} {c.qualified_table or ''} {c.name or ''}".strip()
                              for c in after.changes)
    rows_after = row_counts(from_url)
    verdict.lost_rows = {t: (n, rows_after[t]) for t, n in rows_before.items()
                         if t in rows_after and rows_after[t] < n}
    return before, the_plan, verdict
