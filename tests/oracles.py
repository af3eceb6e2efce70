"""Independent oracles for PostgreSQL results: migra (diff) and squawk (migration lint).

Both are optional extras of the product and test dependencies here: the core and its tests run
without them (these helpers then skip with a reason), but under ``CI=true`` — where ``.ci/run``
installs both — their absence fails.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

IN_CI = os.environ.get("CI", "").lower() == "true"

# squawk rules a plan step may trip whatever its hazards, and why. One place, with the reason.
ALWAYS_ALLOWED = {
    "prefer-robust-stmts": "a plan runs once, in order, against a known FROM: IF [NOT] EXISTS would "
                           "hide drift instead of failing loudly",
    "require-statement-timeout": "every step sets lock_timeout, which bounds blocking; a statement "
                                 "timeout would abort long but online work (CONCURRENTLY, VALIDATE, "
                                 "batched backfills)",
    "prefer-bigint-over-int": "a type of TO, the user's choice; the plan only reproduces it",
    "prefer-bigint-over-smallint": "a type of TO, the user's choice",
    "prefer-big-int": "a type of TO, the user's choice",
    "prefer-text-field": "a type of TO, the user's choice",
    "prefer-timestamptz": "a type of TO, the user's choice",
    "prefer-timestamp-tz": "a type of TO, the user's choice",
    "prefer-identity": "a type of TO, the user's choice",
    "ban-char-field": "a type of TO, the user's choice",
    "ban-drop-not-null": "DROP NOT NULL loosens what may be written: old code keeps working, so the "
                         "planner puts it in expand",
}
# rules a step may trip only when it carries the matching hazard (squawk and we agree on the risk)
ALLOWED_WITH_HAZARD = {
    "changing-column-type": {"table_rewrite", "blocking_lock"},
    "constraint-missing-not-valid": {"validation_scan"},
    "adding-foreign-key-constraint": {"validation_scan"},
    "disallowed-unique-constraint": {"validation_scan"},
    "setting-not-nullable-field": {"validation_scan"},
    "require-concurrent-index-creation": {"index_build"},
    "adding-serial-primary-key-field": {"table_rewrite"},
    "adding-field-with-default": {"table_rewrite"},
    "ban-alter-identity": {"blocking_lock"},
    "adding-required-field": {"manual"},
}
# rules about drops that lose no data: the planner drops only in contract, after the old code is
# gone (this includes the helper CHECK that SET NOT NULL validates online, then drops)
ALLOWED_IN_CONTRACT = {
    "ban-drop-constraint": "a dropped constraint loosens what may be written; no row is lost",
    "ban-drop-trigger": "the rename window's sync triggers, dropped with the old column",
    "ban-drop-function": "the rename window's sync trigger function, dropped with its trigger",
    "ban-drop-default": "a dropped default changes what new rows get, not what rows hold",
    "ban-drop-type": "an enum type dropped (or replaced) once no column uses its old form",
    "renaming-object": "replacing an enum renames the old type aside, converts the columns, drops it",
    "ban-drop-sequence": "a serial's own sequence, set aside when its column becomes an identity and "
                         "dropped once the identity continues from its last value",
}
# squawk flags every ALTER COLUMN TYPE; PostgreSQL rewrites nothing for a binary-coercible one
# (varchar(n) → varchar(m > n), varchar → text): the dialect says so, the planner puts it in
# expand, and its brief lock is bounded by the step's lock_timeout
ALLOWED_IN_EXPAND = {"changing-column-type"}
# destructive rules: only in contract steps that carry data_loss
DESTRUCTIVE = {"ban-drop-column", "ban-drop-table", "ban-drop-database",
               "ban-truncate-cascade"}


def squawk_binary() -> str | None:
    found = shutil.which("squawk") or str(Path(sys.executable).parent / "squawk")
    return found if Path(found).exists() else None


def present(tool: str) -> bool:
    return bool(squawk_binary() if tool == "squawk" else _has_module("migra"))


def require(tool: str) -> None:
    """Skip (fail under CI=true) when an oracle is not installed."""
    if not present(tool):
        reason = f"{tool} is not installed (pip install '.[{'lint' if tool == 'squawk' else 'migra'}]')"
        if IN_CI:
            pytest.fail(reason)
        pytest.skip(reason)


def _has_module(name: str) -> bool:
    import importlib.util
    return importlib.util.find_spec(name) is not None


def squawk_rules(statements) -> set[str]:
    """The squawk rules these statements trip (PostgreSQL 15)."""
    with tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False, encoding="utf-8") as f:
        f.write("".join(s.rstrip().rstrip(";") + ";\n" for s in statements))
    try:
        run = subprocess.run([squawk_binary(), f.name, "--reporter", "json", "--pg-version", "15"],
                             capture_output=True, text=True, timeout=60)
    finally:
        os.unlink(f.name)
    return {x["rule_name"] for x in json.loads(run.stdout or "[]")}


def lint_problems(plan) -> list[str]:
    """Every squawk finding on a plan's steps that the step's hazards do not account for."""
    problems = []
    for number, step in enumerate(plan.steps, 1):
        if step.manual or not step.sql:
            continue
        hazards = {h.kind.value for h in step.hazards}
        for rule in sorted(squawk_rules(step.sql) - set(ALWAYS_ALLOWED)):
            if rule in DESTRUCTIVE:
                ok = step.phase.label == "contract" and "data_loss" in hazards
            elif rule in ALLOWED_IN_CONTRACT:
                ok = step.phase.label == "contract"
            elif rule in ALLOWED_IN_EXPAND and step.phase.label == "expand":
                ok = True
            else:
                ok = bool(ALLOWED_WITH_HAZARD.get(rule, set()) & hazards)
            if not ok:
                problems.append(f"step {number} ({step.phase.label}: {step.summary}) trips squawk's "
                                f"{rule} without the matching hazard (has {sorted(hazards)})")
    return problems


def migra_statements(from_url: str, to_url: str) -> list[str]:
    """What migra would run to turn FROM into TO (empty: migra sees them as equal)."""
    from schemadrift.migra_engine import statements
    return statements(from_url, to_url)


def unmodelled_statements(stmts: list[str]) -> list[str]:
    """migra statements about objects our IR does not model (views, functions, sequences …)."""
    from schemadrift.migra_engine import unmodelled
    return unmodelled(stmts)
