"""Independent oracles check every PostgreSQL case of the differ's and planner's test sets.

* migra (someone else's PostgreSQL differ) must agree with our in-sync / not-in-sync verdict on
  the objects our IR models, and after our full plan is applied to FROM, migra must find no
  statement between FROM and TO;
* squawk (the PostgreSQL migration linter) must find nothing in an expand or backfill step that
  the step's hazards do not account for; contract steps may trip destructive rules only with
  ``data_loss`` (the allowed rules and why are listed once, in ``tests/oracles.py``).

Disagreements that are migra's, not ours, are listed in MIGRA_DIFFERS with the reason.
"""
from __future__ import annotations

import contextlib

import oracles
import pytest
from conftest import execute, scratch_database
from test_cases import PARAMS

import schemadrift
from schemadrift.verify import apply_steps

# case folder → why migra's verdict differs from ours (migra's blind spot or its extra strictness)
MIGRA_DIFFERS = {
    "view_is_not_compared": "the case adds a view: migra compares views, our IR lists them as not compared",
    "check_not_valid_in_sync": "migra re-adds a NOT VALID check as validated; for us the validation state "
                               "is not drift (our own plans pass through NOT VALID on the way)",
    "foreign_key_not_valid_in_sync": "the same for a NOT VALID foreign key",
    "column_comment": "migra does not compare comments",
    "column_comment_changed": "migra does not compare comments",
    "table_comment": "migra does not compare comments",
    "table_comment_dropped": "migra does not compare comments",
    "identity_start_changed": "migra does not compare identity options (START WITH)",
    "index_nulls_not_distinct": "migra misses NULLS NOT DISTINCT (PostgreSQL 15) on an index",
    "index_opclass_changed": "migra misses an operator-class change on an index of the same name",
}
# case folder → squawk rule → why the case's plan may trip it (beyond the rules in oracles.py)
SQUAWK_CASE_ALLOWED = {
    "generated_column_expression": {
        "ban-drop-column": "the dropped column is generated: its values are recomputed, none is lost"},
}
PG_CASES = [p for p in PARAMS if p.values[0].dialect == "postgresql"]


def _modelled(statements):
    return [s for s in statements if s not in oracles.unmodelled_statements(statements)]


@pytest.mark.parametrize("case", PG_CASES)
def test_migra_and_squawk_agree(case):
    oracles.require("migra")
    oracles.require("squawk")
    options = case.options
    with contextlib.ExitStack() as stack:
        a = stack.enter_context(scratch_database("postgresql"))
        b = stack.enter_context(scratch_database("postgresql"))
        execute(a, case.script("from"))
        execute(b, case.script("to"))
        d = schemadrift.compare(a, b, renames=options.get("renames"))
        theirs = _modelled(oracles.migra_statements(a, b))
        if case.path.name not in MIGRA_DIFFERS:
            assert d.in_sync == (not theirs), (
                f"verdicts differ: schemadrift in_sync={d.in_sync}, migra says {theirs[:5]}")
        if d.in_sync:
            return
        plan = schemadrift.plan(d, backfill_values=options.get("backfill_values"))
        allowed = SQUAWK_CASE_ALLOWED.get(case.path.name, {})
        problems = [p for p in oracles.lint_problems(plan) if not any(f"'s {rule} " in p for rule in allowed)]
        assert not problems, "\n".join(problems)
        _, failed, error = apply_steps(a, plan.steps, backfilled=bool(options.get("backfill_values")))
        assert error is None, f"{failed}: {error}"
        left = _modelled(oracles.migra_statements(a, b))
        assert not left, f"after our plan, migra still finds: {left[:5]}"
