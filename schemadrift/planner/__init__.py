"""The planner: a Diff becomes an ordered expand / backfill / contract Plan.

1. ``rules`` turns each change into draft steps (the safe patterns), with neutral hazards and the
   dependency facts of the objects they create, drop and use;
2. ``order`` sorts the drafts by their dependency graph, deterministically;
3. a running model of the database, starting from FROM, gives every op the table state it acts
   on; the dialect renders the op (SQL, hazards, transactionality, session settings, rollback);
4. at the end the model must be in sync with TO — a built-in self-check.

No dialect is named here: every dialect fact comes through the ``Dialect`` hooks.
"""
from __future__ import annotations

from dataclasses import replace

from ..changes import Diff
from ..dialects import Dialect, get
from ..errors import PlanError
from ..ir import EnumType, Schema, Table
from . import ops as o
from .blockers import blockers, hazard_message
from .model import Hazard, HazardKind, Phase, Plan, Step
from .order import toposort
from .rules import Draft, Rules

__all__ = ["make_plan", "resolve_backfills", "unused_backfills", "Plan", "Step", "Phase", "Hazard",
           "HazardKind", "DEFAULT_BATCH_SIZE"]

#: rows per batch for backfill statements, where the dialect batches them
DEFAULT_BATCH_SIZE = 10_000

#: backfill ops only write into objects that undoing the expand phase removes (or fill NULLs)
_DATA_OPS = ("copy_rows", "copy_column", "fill_column")


def make_plan(diff: Diff, *, backfills: dict[str, str] | None = None,
              backfill_values: dict[str, str] | None = None,
              batch_size: int | None = DEFAULT_BATCH_SIZE, dialect: Dialect | None = None) -> Plan:
    """The ordered plan that turns ``diff.from_schema`` into ``diff.to_schema``.

    ``backfills`` maps ``"table.column"`` (``"schema.table.column"`` outside the default schema)
    to an SQL expression that fills the existing rows of that column before it becomes NOT NULL
    (a new NOT NULL column without a default, or an existing column that becomes NOT NULL); it
    may use the row's other columns. Without one, the backfill of a column that has no default
    is a ``manual`` step. Where the column's type changes and the server has no conversion between
    the types (``Dialect.converts_type``), the expression converts its old value instead (the
    ``USING`` of the type change); without one, that type change is a ``manual`` step.
    ``backfill_values`` is the older name of ``backfills`` (both may be
    given; ``backfills`` wins). ``batch_size`` is passed to the backfill ops. Raises PlanError
    when a key names no table or column of TO, when a change cannot be planned, or when the plan
    would not reach TO."""
    dialect = dialect or _dialect_of(diff)
    name = diff.dialect or dialect.flavour
    values = resolve_backfills({**(backfill_values or {}), **(backfills or {})}, diff.to_schema, dialect)
    if diff.in_sync:
        return Plan(dialect=name, steps=(), from_schema=diff.from_schema)
    rules = Rules(dialect, diff.from_schema, diff.to_schema, values, batch_size)
    drafts = toposort(rules.drafts(diff.changes), key=Draft.sort_key)
    model = RunningModel(diff.from_schema, dialect, target=diff.to_schema)
    steps = tuple(build_step(d, model, dialect) for d in drafts)
    model.check(diff.to_schema)
    return Plan(dialect=name, steps=steps, from_schema=diff.from_schema)


def resolve_backfills(backfills: dict[str, str], to_schema: Schema, dialect: Dialect) -> dict[str, str]:
    """``backfills`` with each key spelled as the planner names the column (``table.column``, or
    ``schema.table.column`` outside the default schema), matched as the dialect matches names.
    Raises PlanError for a key that names no column of TO or an empty expression."""
    if not backfills:
        return {}
    columns: dict[tuple[str, str], str] = {}
    tables: set[str] = set()
    default = to_schema.default_schema
    for t in to_schema.tables:
        spellings = {t.name, t.qualified_name}
        if t.schema is None and default:
            spellings.add(f"{default}.{t.name}")  # "public.users.email" names "users.email"
        for spelled in spellings:
            tables.add(dialect.table_key(spelled))
            for c in t.columns:
                key = (dialect.table_key(spelled), dialect.column_key(c.name))
                columns[key] = f"{t.qualified_name}.{c.name}"
    out = {}
    for key, expr in backfills.items():
        table, dot, column = key.rpartition(".")
        if not dot or not table or not column:
            raise PlanError(f"backfill {key!r}: expected TABLE.COLUMN (SCHEMA.TABLE.COLUMN outside the "
                            "default schema)")
        if not str(expr).strip():
            raise PlanError(f"backfill {key!r}: the SQL expression is empty")
        found = columns.get((dialect.table_key(table), dialect.column_key(column)))
        if found is None:
            where = f"no column {column!r} in table {table!r}" if dialect.table_key(table) in tables \
                else f"no table {table!r}"
            raise PlanError(f"backfill {key!r}: {where} in the target schema")
        out[found] = str(expr).strip()
    return out


def unused_backfills(plan: Plan, backfills: dict[str, str], dialect: Dialect,
                     to_schema: Schema) -> list[str]:
    """The keys of ``backfills`` that no automatic backfill step of ``plan`` uses (the column
    needs no backfill: it exists already, is nullable, or has a default that fills it; nor is its
    type changed where the server has no conversion, with the expression as USING)."""
    used = {f"{op.table.qualified_name}.{op.column.name}" for step in plan.steps if not step.manual
            for op in step.ops if isinstance(op, o.FillColumn)}
    used |= {f"{op.table.qualified_name}.{op.after.name}" for step in plan.steps if not step.manual
             for op in step.ops if isinstance(op, o.AlterColumn) and op.using is not None}
    used |= {f"{op.table.qualified_name}.{column}" for step in plan.steps if not step.manual
             for op in step.ops if isinstance(op, o.CopyRows) for column, _ in op.values}
    return [key for key, expr in backfills.items()
            if next(iter(resolve_backfills({key: expr}, to_schema, dialect))) not in used]


def _dialect_of(diff: Diff) -> Dialect:
    if not diff.dialect:
        raise PlanError("a plan needs a dialect: neither side of the diff has one (use --dialect)")
    version = diff.from_schema.server_version or diff.to_schema.server_version
    return get(diff.dialect, version)


def build_step(draft: Draft, model: RunningModel, dialect: Dialect) -> Step:
    """Bind the draft's ops to the current model, apply them, and render them."""
    ops = []
    for op in draft.ops:
        bound = model.bind(op, draft.target)
        ops.append(bound)
        model.apply(bound, draft.target)
    settings = list(dict.fromkeys(s for op in ops for s in dialect.session_settings(op)))
    sql = settings + [stmt for op in ops for stmt in _render(dialect, op)]
    blocked = blockers(ops, model.base, dialect, model.target)  # views & co. the IR does not model
    if not blocked and (draft.creates | draft.needs_gone | draft.needs_new) & model.withheld:
        blocked = ("it waits for a step they hold back (which frees or creates what this one needs)",)
    if blocked:
        model.withheld |= draft.drops | draft.creates
    hazards = _merge(*(dialect.hazards(op) for op in ops), draft.hazards,
                     [Hazard(HazardKind.MANUAL, hazard_message(blocked))] if blocked else ())
    rollbacks = [_rollback(dialect, op) for op in ops]
    reversible = all(r is not None for r in rollbacks) and \
        not any(h.kind in (HazardKind.DATA_LOSS, HazardKind.IRREVERSIBLE) for h in hazards)
    undo = [stmt for r in reversed(rollbacks) if r for stmt in r] if reversible else []
    return Step(phase=draft.phase, summary=draft.summary, sql=tuple(sql), ops=tuple(ops),
                hazards=hazards, transactional=all(dialect.transactional(op) for op in ops),
                manual=draft.manual or bool(blocked), reversible=reversible,
                rollback=tuple(settings + undo if undo else ()), source=draft.source)


def _render(dialect: Dialect, op: o.Op) -> list[str]:
    try:
        return dialect.render(op)
    except NotImplementedError as e:
        raise PlanError(str(e) or f"{dialect.name} cannot render {op.kind}") from None


def _rollback(dialect: Dialect, op: o.Op) -> list[str] | None:
    undo = dialect.render_rollback(op)
    if undo is None and op.kind in _DATA_OPS:
        return []
    return undo


def _merge(*groups) -> tuple[Hazard, ...]:
    """One hazard per kind, in the fixed order of HazardKind, its distinct messages joined with
    ``"; "`` in the order given (dialect facts come before the neutral ones): two facts of one
    kind both reach the user."""
    messages: dict[HazardKind, dict[str, None]] = {}
    for group in groups:
        for h in group:
            messages.setdefault(h.kind, {}).setdefault(h.message)
    return tuple(Hazard(kind, "; ".join(messages[kind])) for kind in HazardKind if kind in messages)


class RunningModel:
    """The database as the plan leaves it so far: FROM, with every op applied in order."""

    def __init__(self, schema: Schema, dialect: Dialect, target: Schema | None = None):
        self.d = dialect
        self.base = replace(schema, dependents=dialect.dependents(schema))  # (``blockers``)
        self.target = target  # TO: what the plan's new objects need (``blockers``)
        self.withheld: set = set()  # resources that manual (blocked) steps were to drop or create
        self.tables: dict[tuple[str, str], Table] = {self.key(t): t for t in schema.tables}
        self.enums: dict[tuple[str, str], EnumType] = {e.key: e for e in schema.enums}
        # per table: the user's triggers (names) and the open rename windows (CreateSyncTrigger)
        self.triggers: dict[tuple[str, str], tuple] = dict(dialect.user_triggers(schema))

    def key(self, t: Table) -> tuple[str, str]:
        return (t.schema or "", self.d.table_key(t.name))

    def bind(self, op: o.Op, target: tuple[str, str] | None) -> o.Op:
        """``op`` with ``table`` (and the other state it renders from) set to the current model."""
        if isinstance(op, o.CreateTable):
            return op
        if isinstance(op, o.CopyRows):
            return replace(op, table=self.tables[target], source=self.tables[self.key(op.source)])
        if isinstance(op, o.ReplaceEnum):
            return replace(op, before=self.enums[op.before.key], usages=self.usages(op.before))
        if isinstance(op, o.AddEnumValue):
            return replace(op, enum=self.enums[op.enum.key])
        if target is None:
            return op
        if target not in self.tables:
            raise PlanError(f"internal: {op.kind} on table {target[1]!r} that the plan has not created")
        return replace(op, table=self.tables[target], triggers=self.triggers.get(target, ()))

    def usages(self, enum: EnumType) -> tuple:
        return tuple((t, c) for _, t in sorted(self.tables.items()) for c in t.columns
                     if c.type.name == enum.name)

    def apply(self, op: o.Op, target: tuple[str, str] | None) -> None:
        if isinstance(op, o.CreateEnum):
            self.enums[op.enum.key] = op.enum
        elif isinstance(op, o.DropEnum):
            self.enums.pop(op.enum.key, None)
        elif isinstance(op, o.AddEnumValue):
            values = list(op.enum.values)
            values.insert(values.index(op.after) + 1 if op.after is not None else 0, op.value)
            self.enums[op.enum.key] = replace(op.enum, values=tuple(values))
        elif isinstance(op, o.ReplaceEnum):
            self.enums[op.after.key] = op.after
        elif target is not None:
            after = op.apply(op.table)
            if after is None:
                self.tables.pop(target, None)
                self.triggers.pop(target, None)
            else:
                self.tables[target] = after
                self.track_sync(op, target)

    def track_sync(self, op: o.Op, target: tuple[str, str]) -> None:
        """Open a rename window on CreateSyncTrigger, close it on DropSyncTrigger."""
        if not isinstance(op, (o.CreateSyncTrigger, o.DropSyncTrigger)):
            return
        key = (self.d.column_key(op.old.name), self.d.column_key(op.new.name))
        kept = tuple(t for t in self.triggers.get(target, ()) if not (
            isinstance(t, o.CreateSyncTrigger)
            and (self.d.column_key(t.old.name), self.d.column_key(t.new.name)) == key))
        if isinstance(op, o.CreateSyncTrigger):
            kept += (replace(op, triggers=()),)
        self.triggers[target] = kept

    def schema(self) -> Schema:
        return replace(self.base, tables=tuple(self.tables.values()),
                       enums=tuple(self.enums.values())).sorted()

    def check(self, to_schema: Schema) -> None:
        """Raise PlanError when the planned model is not in sync with TO."""
        from ..differ import diff
        rest = diff(self.schema(), to_schema, dialect=self.d)
        if not rest.in_sync:
            shown = "; ".join(f"{c.kind} {c.qualified_table or ''} {c.name or ''}".strip()
                              for c in rest.changes[:8])
            raise PlanError(f"internal: the plan does not reach the target schema; left: {shown}")
