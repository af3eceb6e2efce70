"""Plan, Step, Phase and Hazard: the values a plan is made of, and their output formats."""
from __future__ import annotations

import enum
import hashlib
import json
from dataclasses import dataclass, field

from .ops import Op

PLAN_FORMAT = "schemadrift-plan/1"


class Phase(enum.IntEnum):
    """Strict barriers: every expand step runs before any backfill step, and so on."""

    EXPAND = 1
    BACKFILL = 2
    CONTRACT = 3

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Phase:
        return cls[text.upper()]


class HazardKind(enum.StrEnum):
    DATA_LOSS = "data_loss"
    TABLE_REWRITE = "table_rewrite"
    BLOCKING_LOCK = "blocking_lock"
    INDEX_BUILD = "index_build"
    VALIDATION_SCAN = "validation_scan"
    BACKWARD_INCOMPATIBLE = "backward_incompatible"
    MANUAL = "manual"
    IRREVERSIBLE = "irreversible"

    @property
    def code(self) -> str:
        """A stable identifier CI can allow or deny."""
        return HAZARD_CODES[self]


HAZARD_CODES = {
    HazardKind.DATA_LOSS: "SD-DL1", HazardKind.TABLE_REWRITE: "SD-TR1",
    HazardKind.BLOCKING_LOCK: "SD-BL1", HazardKind.INDEX_BUILD: "SD-IB1",
    HazardKind.VALIDATION_SCAN: "SD-VS1", HazardKind.BACKWARD_INCOMPATIBLE: "SD-BC1",
    HazardKind.MANUAL: "SD-MN1", HazardKind.IRREVERSIBLE: "SD-IR1",
}


@dataclass(frozen=True)
class Hazard:
    kind: HazardKind
    message: str

    def to_dict(self) -> dict:
        return {"kind": self.kind.value, "message": self.message}


@dataclass(frozen=True)
class Step:
    """One step of a plan: a change (or part of one) with its SQL, phase and hazards."""

    phase: Phase
    summary: str
    sql: tuple[str, ...]
    ops: tuple[Op, ...] = ()
    hazards: tuple[Hazard, ...] = ()
    transactional: bool = True
    manual: bool = False
    reversible: bool = True
    rollback: tuple[str, ...] = ()
    source: object = field(default=None, compare=False)

    def to_dict(self) -> dict:
        return {
            "phase": self.phase.label, "summary": self.summary, "sql": list(self.sql),
            "transactional": self.transactional, "hazards": [h.to_dict() for h in self.hazards],
            "manual": self.manual, "reversible": self.reversible, "rollback": list(self.rollback),
        }


@dataclass(frozen=True)
class Plan:
    """An ordered migration plan. ``steps`` are sorted by phase, then by dependency."""

    dialect: str
    steps: tuple[Step, ...] = ()
    from_schema: object = field(default=None, compare=False, repr=False)
    comment_prefix: str = "-- "

    @property
    def from_fingerprint(self) -> str:
        """A hash of the normalized FROM schema, so an executor can tell a stale plan. Computed
        on demand: encoding a 10,000-table schema costs more than planning it."""
        if self.from_schema is None:
            return ""
        from ..snapshot import to_dict
        return fingerprint(to_dict(self.from_schema))

    def by_phase(self, phase: Phase | str | None = None) -> tuple[Step, ...]:
        if phase is None or phase == "all":
            return self.steps
        phase = Phase.parse(phase) if isinstance(phase, str) else phase
        return tuple(s for s in self.steps if s.phase == phase)

    def to_dict(self, phase: Phase | str | None = None) -> dict:
        return {"format": PLAN_FORMAT, "dialect": self.dialect,
                "from_fingerprint": self.from_fingerprint,
                "steps": [s.to_dict() for s in self.by_phase(phase)]}

    def to_json(self, phase: Phase | str | None = None) -> str:
        return json.dumps(self.to_dict(phase), indent=2, ensure_ascii=False) + "\n"

    def to_sql(self, phase: Phase | str | None = None) -> str:
        """The plan as a script the dialect's own client runs as is."""
        lines: list[str] = [f"-- schemadrift plan ({self.dialect})"]
        script = _script_statement(self.dialect)
        if not self.steps:
            lines.append("-- in sync: nothing to do")
        current = None
        for number, step in enumerate(self.steps, 1):
            if phase not in (None, "all") and step not in self.by_phase(phase):
                continue
            if step.phase != current:
                current = step.phase
                lines += ["", f"-- phase: {step.phase.label}"]
            lines.append(f"-- step {number}: {_one_line(step.summary)}")
            if step.hazards:
                lines.append("-- hazards: " + ", ".join(dict.fromkeys(h.kind.value for h in step.hazards)))
            if not step.transactional:
                lines.append("-- (not transactional: run outside a transaction block)")
            for statement in step.sql:
                text = script(statement)
                lines += (["-- MANUAL: " + x for x in text.splitlines()] if step.manual
                          else [text])
        return "\n".join(lines) + "\n"

    def to_rollback_sql(self) -> str:
        """The script that undoes the expand and backfill phases, last step first."""
        lines = [f"-- schemadrift rollback of the expand and backfill phases ({self.dialect})"]
        undo = [s for s in self.steps if s.phase != Phase.CONTRACT]
        for number in range(len(undo), 0, -1):
            step = undo[number - 1]
            if not step.rollback and not step.sql:
                continue
            lines.append(f"-- undo step {number}: {_one_line(step.summary)}")
            if not step.reversible:
                lines.append("-- irreversible: nothing to undo automatically")
                continue
            if not step.rollback:
                lines.append("-- nothing to undo: a data step")
            lines += [_terminated(s) for s in step.rollback]
        return "\n".join(lines) + "\n"

    def to_text(self, phase: Phase | str | None = None) -> str:
        steps = self.by_phase(phase)
        if not steps:
            return "In sync: the plan is empty.\n"
        out = [f"Plan ({self.dialect}): {len(steps)} steps"]
        current = None
        for number, step in enumerate(steps, 1):
            if step.phase != current:
                current = step.phase
                out.append(f"\n{step.phase.label.upper()}")
            flags = [h.kind.value for h in step.hazards]
            out.append(f"  {number:>3}. {step.summary}" + (f"  [{', '.join(flags)}]" if flags else ""))
        return "\n".join(out) + "\n"


def fingerprint(obj) -> str:
    """A short stable hash of a schema (its snapshot JSON)."""
    return hashlib.sha256(json.dumps(obj, sort_keys=True).encode()).hexdigest()[:16]


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _script_statement(dialect: str):
    """The dialect's ``script_statement`` hook (a plain ``;`` for a dialect name it does not know)."""
    from ..dialects import get
    try:
        return get(dialect).script_statement
    except Exception:  # noqa: BLE001 - a plan built by hand may name no real dialect
        return _terminated


def _terminated(statement: str) -> str:
    s = statement.rstrip()
    return s if s.endswith(";") else s + ";"
