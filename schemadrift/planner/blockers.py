"""Objects the IR does not model that stand in the way of a step.

A view over a column, a policy that reads it, a rule that writes a table: the server refuses to
drop (or retype) what they use, and schemadrift cannot drop and recreate them since it does not
model them. The other way round, a new column's default may call a function, or its type be a
domain, that TO has and FROM lacks: schemadrift cannot create those either. The introspector lists
both in ``Schema.dependents``, and the dialect adds what it reads from the text of such objects
(``Dialect.dependents``: the columns a SQLite trigger or view uses, kind ``column``, which block only
the drop of the column, and not a rebuild of the trigger's own table; the tables it names, kind
``table``, whose drop they block); a step they block becomes a
``manual`` step (its SQL commented out) that names them, so the rest of the plan still applies.
"""
from __future__ import annotations

from collections.abc import Iterable

from ..dialects.base import Dialect
from ..ir import Dependent, Schema
from . import ops as o


def blockers(ops: Iterable[o.Op], schema: Schema, dialect: Dialect,
             target: Schema | None = None) -> tuple[str, ...]:
    """Why ``ops`` cannot run as planned, one line per unmodelled object in the way: those of
    ``schema`` (FROM) that use what the ops drop or retype, and those of ``target`` (TO) that
    FROM lacks and the ops' new objects need."""
    missing = [d for d in target.dependents if d.kind == "needs" and d.object not in schema.not_compared] \
        if target is not None else []
    if not schema.dependents and not missing:
        return ()
    found: dict[str, None] = {}
    for op in ops:
        for dep in schema.dependents:
            if _blocks(dep, op, dialect):
                found.setdefault(_in_the_way(dep))
        for dep in missing:
            if _needs(dep, op, dialect):
                found.setdefault(f"this step needs {dep.object}, which FROM lacks: create it first")
    return tuple(found)


#: ops that create (or retype) what a ``needs`` dependent says: column-level, then table-level
_CREATES_COLUMN = ("add_column", "alter_column")
_CREATES_ON_TABLE = ("add_check", "add_exclusion", "create_index", "add_primary_key")


def _needs(dep: Dependent, op: o.Op, dialect: Dialect) -> bool:
    """Whether ``op`` creates the column, CHECK or index that needs ``dep.object``."""
    if op.table is None or not _on_table(dep, op.table, dialect):
        return False
    if op.kind == "create_table":
        return True
    if op.kind in _CREATES_COLUMN:
        column = op.column if op.kind == "add_column" else op.after
        return _on_column(dep, op.table, column.name, dialect)
    return op.kind in _CREATES_ON_TABLE and dep.column is None


def _in_the_way(dep: Dependent) -> str:
    if dep.kind == "column":
        return (f"{dep.object} uses {dep.name}.{dep.column}, which this step drops: drop the "
                f"{dep.object.split(' ', 1)[0]} first, and create it again without that column after")
    return f"{dep.object} uses what this step drops or changes: drop it first, create it again after"


def _blocks(dep: Dependent, op: o.Op, dialect: Dialect) -> bool:
    if dep.kind in ("needs", "mentions"):  # FROM has what its objects need; a mention is text
        return False
    if dep.kind == "column":  # uses the column by name (SQLite triggers): only its drop breaks it
        return op.kind == "drop_column" and op.table is not None and \
            _on_column(dep, op.table, op.column.name, dialect) and \
            not (dep.on_self and dialect.recreates_table(op))
    if dep.kind == "relation":
        return _takes_name(dep, op, dialect)
    if dep.kind == "enum":
        enum = getattr(op, "before", None) if op.kind == "replace_enum" else \
            getattr(op, "enum", None) if op.kind == "drop_enum" else None
        return enum is not None and (enum.schema or None) == dep.schema and enum.name == dep.name
    if dep.kind == "index":
        return op.kind == "drop_index" and _on_table(dep, op.table, dialect) and \
            dialect.name_key(op.index.name) == dialect.name_key(dep.column or "")
    if op.kind == "replace_enum":
        return any(_on_column(dep, table, column.name, dialect) for table, column in op.usages)
    if op.table is None or not _on_table(dep, op.table, dialect):
        return False
    if op.kind == "drop_table":
        return not dep.on_self
    if op.kind == "drop_column":
        return _on_column(dep, op.table, op.column.name, dialect)
    if op.kind == "alter_column" and "type" in op.what:
        return _on_column(dep, op.table, op.before.name, dialect)
    return False


def _takes_name(dep: Dependent, op: o.Op, dialect: Dialect) -> bool:
    """A new table, index or key whose name an unmodelled relation already holds."""
    if op.table is None or (dep.schema or None) != (op.table.schema or None):
        return False
    if op.kind == "create_table":
        names = [op.table.name] + [i.name for i in op.table.indexes if i.name]
        if op.table.primary_key is not None and op.table.primary_key.name:
            names.append(op.table.primary_key.name)
    elif op.kind == "create_index":
        names = [op.index.name]
    elif op.kind == "add_primary_key":
        names = [op.primary_key.name]
    else:
        return False
    return any(n is not None and dialect.name_key(n) == dialect.name_key(dep.name) for n in names)


def _on_table(dep: Dependent, table, dialect: Dialect) -> bool:
    return (dep.schema or None) == (table.schema or None) and \
        dialect.table_key(dep.name) == dialect.table_key(table.name)


def _on_column(dep: Dependent, table, column: str, dialect: Dialect) -> bool:
    return _on_table(dep, table, dialect) and dep.column is not None and \
        dialect.column_key(dep.column) == dialect.column_key(column)


def hazard_message(reasons: tuple[str, ...]) -> str:
    return "objects schemadrift does not model are in the way: " + "; ".join(reasons)
