"""The renamed table's new twin: the constraints it takes later, and the names it cannot take yet.

A table rename is planned as create new table (expand), copy the rows (backfill), drop the old
table (contract), so both tables exist during the window, and triggers carry old code's writes
into the new table.

A constraint of the new table that the old one lacks (``fresh``: compared by definition, its
columns mapped through the copy's pairs) would make old code's writes fail through those
triggers, and the copy fail on old rows that break it. As on a table that is not renamed, it
restricts writes only from contract on: it is left out of the CREATE TABLE and added in contract
(``add_check``, ``add_unique``, ``add_foreign_key`` …, with their hazards), before the old table
is dropped, so that a row that breaks it stops the plan while the old table is still there.

Where the dialect keeps a kind of name per schema rather than per table (PostgreSQL indexes and
the indexes of unique and primary key constraints, SQLite indexes, MySQL/MariaDB foreign keys), an
object of the new table cannot take the name its twin on the old table still holds. Each such
object is

* built under a temporary name and renamed once the old table is gone (contract), where the
  dialect can rename that kind in place (``Dialect.RENAMABLE``);
* built under a temporary name and replaced once the old table is gone, where it cannot: the
  object is added under its own name (it cannot fail: the rows kept it since the temporary one
  was built), then the temporary one is dropped. So the new table holds its foreign keys (their
  cascades too: a cascade fires no trigger on MariaDB), checks and unique indexes all through the
  window. Such a foreign key is added in expand after the table's indexes, before the sync
  triggers write a row (``_temporary_key``);
* or, a plain (non-unique) index, which restricts nothing, only created after the old table is
  dropped (an index build).

No dialect is named here: the facts come from ``Dialect.name_namespace`` and ``RENAMABLE``.
"""
from __future__ import annotations

from dataclasses import replace

from ..changes import Change
from ..ir import Check, Exclusion, ForeignKey, Index, PrimaryKey, Table
from . import ops as o
from .model import Hazard, HazardKind, Phase

#: the field of each add op that holds its object
_FIELD = {"create_index": "index", "add_check": "check", "add_foreign_key": "foreign_key",
          "add_exclusion": "exclusion"}


def kind_of(obj) -> str:
    if isinstance(obj, PrimaryKey):
        return "primary_key"
    if isinstance(obj, Index):
        return "unique" if obj.is_constraint else "index"
    if isinstance(obj, Exclusion):
        return "exclusion"
    return "foreign_key" if isinstance(obj, ForeignKey) else "check"


def named_objects(t: Table) -> list:
    """Every named key, index and constraint of ``t``."""
    objs = ([t.primary_key] if t.primary_key else []) + list(t.indexes) + list(t.foreign_keys) \
        + list(t.checks) + list(t.exclusions)
    return [x for x in objs if x.name]


def held_names(dialect, t: Table) -> set[tuple[str, str]]:
    """(namespace, name key) of each schema-wide name ``t`` holds."""
    out = set()
    for obj in named_objects(t):
        ns = dialect.name_namespace(kind_of(obj))
        if ns:
            out.add((ns, dialect.name_key(obj.name)))
    return out


# -- constraints the old table lacks ---------------------------------------------------------------
def fresh(dialect, old: Table, new: Table, pairs) -> list:
    """The unique indexes and constraints, checks, foreign keys and exclusion constraints of
    ``new`` that ``old`` has no equal of (names aside; ``old``'s columns read as the columns of
    ``new`` the copy fills from them, ``pairs`` of (new, old) names). A check whose text names a
    renamed column differs by its text: it counts as new (added in contract)."""
    key = dialect.column_key
    moved = {key(s): t for t, s in pairs}
    gone = object()

    def from_old(c):
        return key(moved[key(c)]) if key(c) in moved else gone

    def same_table(c):
        return key(c)
    olds = [_shape(dialect, x, from_old, old, new) for x in _restricting(old)]
    out = []
    for obj in _restricting(new):
        shape = _shape(dialect, obj, same_table, new, new)
        if not any(_same(dialect, shape, s) for s in olds):
            out.append(obj)
    return out


def lacking_foreign_keys(dialect, old: Table, new: Table, pairs) -> list[ForeignKey]:
    """The foreign keys of ``old`` that ``new`` has no twin of (the same columns, as the copy's
    ``pairs`` of (new, old) names fill them, to the same table): a row of ``new`` mirrored back
    into ``old`` may break them."""
    key = dialect.column_key
    renamed = {key(s): key(t) for t, s in pairs}
    have = {(frozenset(map(key, fk.columns)), dialect.table_key(fk.ref_table)) for fk in new.foreign_keys}
    return [fk for fk in old.foreign_keys if (frozenset(renamed.get(key(c), "") for c in fk.columns),
                                              dialect.table_key(fk.ref_table)) not in have]


def lacking_exclusions(dialect, old: Table, new: Table, pairs) -> list[Exclusion]:
    """The exclusion constraints of ``old`` that ``new`` has no equal of (as ``fresh`` compares
    them, the other way round)."""
    back = tuple((s, t) for t, s in pairs)
    return [x for x in fresh(dialect, new, old, back) if isinstance(x, Exclusion)]


def _restricting(t: Table) -> list:
    """What limits the rows ``t`` takes, besides its primary key and NOT NULL: unique indexes and
    constraints, checks, foreign keys, exclusion constraints."""
    return [ix for ix in t.indexes if ix.unique] + list(t.checks) + list(t.foreign_keys) \
        + list(t.exclusions)


def _shape(dialect, obj, col, t: Table, new: Table) -> tuple:
    """``obj`` without its name, its columns as ``col`` gives them (the same table's are those of
    ``new``: a foreign key from ``t`` to itself points at ``new``)."""
    cols = lambda names: tuple(col(c) for c in names)  # noqa: E731
    if isinstance(obj, Index):
        parts = tuple((col(p.column) if p.column else None, p.expr, p.descending, p.prefix_length,
                       p.opclass, p.collation, p.nulls) for p in obj.parts)
        return ("unique", parts, obj.predicate, obj.method, cols(obj.include), obj.nulls_not_distinct)
    if isinstance(obj, Check):
        return ("check", obj.expr)
    if isinstance(obj, ForeignKey):
        to_self = (obj.ref_schema or "") == (t.schema or "") and \
            dialect.table_key(obj.ref_table) == dialect.table_key(t.name)
        target = (new.schema or "", dialect.table_key(new.name), cols(obj.ref_columns)) if to_self else \
            (obj.ref_schema or "", dialect.table_key(obj.ref_table),
             tuple(map(dialect.column_key, obj.ref_columns)))
        return ("foreign_key", cols(obj.columns), target, obj.on_delete, obj.on_update,
                obj.deferrable, obj.initially_deferred)
    elements = tuple(replace(e, column=col(e.column)) if e.column else e for e in obj.elements)
    return ("exclusion", elements, obj.method, obj.predicate, cols(obj.include), obj.deferrable,
            obj.initially_deferred)


def _same(dialect, a: tuple, b: tuple) -> bool:
    if a[0] == b[0] == "check":
        return a[1] == b[1] or dialect.same_expr(a[1], b[1])
    return a == b


def without(t: Table, objs: list) -> Table:
    """``t`` without the objects ``objs``."""
    for obj in objs:
        t = _swap(t, obj, None)
    return t


def add_draft(rules, new: Table, obj):
    """The draft that adds ``obj`` to the existing table ``new`` (its usual rule and hazards)."""
    change = Change(new.name, obj.name, after=obj, schema=new.schema)
    if isinstance(obj, ForeignKey):
        return rules.add_foreign_key(change)[0]
    if isinstance(obj, Check):
        return rules.add_check(change)[0]
    if isinstance(obj, PrimaryKey):
        return rules.add_primary_key(change)[0]
    if isinstance(obj, Exclusion):
        return rules.add_exclusion(change)[0]
    return rules.add_index(change)[0]


# -- names the old table holds -------------------------------------------------------------------
def free_names(rules, old: Table, new: Table, drafts: list, drop) -> list:
    """``drafts`` (the create-table draft first, then drafts that add an index or constraint to
    the new table) changed so that no object of ``new`` takes a schema-wide name ``old`` still
    holds; plus the drafts that rename, replace or create those objects after ``drop``."""
    d = rules.d
    held = held_names(d, old)

    def clashes(obj) -> bool:
        ns = d.name_namespace(kind_of(obj))
        return bool(obj.name) and (ns, d.name_key(obj.name)) in held

    create, extra, keys = drafts[0], [], []
    table = create.ops[0].table
    late = [obj for obj in named_objects(table) if clashes(obj)]
    for obj in late:
        if isinstance(obj, PrimaryKey) and kind_of(obj) not in d.RENAMABLE:
            table = _swap(table, obj, None)  # a table has one: added once the name is free
            extra.append(_late_draft(rules, old, new, obj, drop))
            continue
        temp = replace(obj, name=d.temp_name(obj.name))
        if isinstance(obj, ForeignKey) and kind_of(obj) not in d.RENAMABLE:
            table = _swap(table, obj, None)
            keys.append(temp)
        else:
            table = _swap(table, obj, temp)
        extra += _implicit_indexes(rules, new, temp, create) + \
            [_final_draft(rules, old, new, temp, obj.name, drop)]
    if late:
        create.ops = (o.CreateTable(table),)
        create.creates, create.needs_new = rules.table_resources(table), rules.table_needs(table)
    for draft in drafts[1:]:
        op = draft.ops[0]
        obj = getattr(op, _FIELD[op.kind])
        if not clashes(obj):
            continue
        if kind_of(obj) in d.RENAMABLE or _restricts(obj):
            temp = replace(obj, name=d.temp_name(obj.name))
            draft.ops = (replace(op, **{_FIELD[op.kind]: temp}),)
            draft.creates = add_draft(rules, new, temp).creates
            extra += _implicit_indexes(rules, new, temp, create) + \
                [_final_draft(rules, old, new, temp, obj.name, drop)]
        else:
            draft.phase = Phase.CONTRACT
            draft.follows.append(drop)
            draft.summary += f" (after {old.qualified_name} frees the name)"
            # the table's foreign keys do not wait for it (no dialect here needs an index for them)
            draft.creates = {r for r in draft.creates if r[0] != "ix"}
    indexes = [x for x in drafts[1:] + extra if x.phase is Phase.EXPAND and x.ops[0].kind == "create_index"]
    return [_temporary_key(rules, old, new, fk, [create] + indexes) for fk in keys] + extra


def _temporary_key(rules, old: Table, new: Table, fk: ForeignKey, follows: list):
    """A foreign key of the new table under a temporary name, where the server cannot rename it:
    added in expand, on the empty table, after the indexes (the server uses one of them rather
    than making its own, named after the temporary key; and a rollback can drop each index once
    the key is gone). A key to the table itself waits for the copy (backfill; the caller puts it
    after the copy): the server checks each row as it is written, and the copy (or a sync
    trigger, before the copy) may write a row before the one it points at."""
    change = Change(new.name, fk.name, after=fk, schema=new.schema)
    to_self = rules.tkey(fk) == rules.tkey(new)
    draft = rules.add_foreign_key(change, Phase.BACKFILL if to_self else Phase.EXPAND)[0]
    draft.summary += f" (under a temporary name: {old.qualified_name} holds its name until contract" + \
        ("; after the copy, which may write a row before the one it points at)" if to_self else ")")
    draft.follows += follows
    return draft


def _restricts(obj) -> bool:
    """Whether ``obj`` limits the rows its table takes (all but a plain index)."""
    return not isinstance(obj, Index) or obj.unique


def _implicit_indexes(rules, new: Table, temp, create) -> list:
    """The index the server makes by itself for a foreign key (MySQL) built under a temporary
    name, created under the name TO gives it before the key: the server would name its own after
    the temporary key, and keep it when the key is replaced."""
    if not isinstance(temp, ForeignKey):
        return []
    out = []
    for ix in new.indexes:
        if ix.implicit and ix.columns == temp.columns:
            draft = add_draft(rules, new, ix)
            draft.summary = f"create index {ix.name} on {new.qualified_name} ({', '.join(ix.columns)}) " \
                f"for foreign key {temp.name}"
            draft.follows.append(create)
            out.append(draft)
    return out


def _swap(t: Table, obj, new):
    """``t`` with ``obj`` replaced by ``new`` (removed when None)."""
    if isinstance(obj, PrimaryKey):
        return replace(t, primary_key=new)
    field = {Index: "indexes", ForeignKey: "foreign_keys", Check: "checks",
             Exclusion: "exclusions"}[type(obj)]
    items = tuple(new if x == obj else x for x in getattr(t, field))
    return replace(t, **{field: tuple(x for x in items if x is not None)})


def _label(obj) -> str:
    return {"unique": "unique constraint"}.get(kind_of(obj), kind_of(obj).replace("_", " "))


def _final_draft(rules, old: Table, new: Table, temp, name: str, drop):
    """The contract draft that gives ``temp`` its own ``name`` once ``drop`` has freed it."""
    if kind_of(temp) in rules.d.RENAMABLE:
        return _rename_draft(rules, new, temp, name, drop)
    return _replace_draft(rules, old, new, temp, name, drop)


def _rename_draft(rules, new: Table, temp, name: str, drop):
    from .rules import Draft

    return Draft(Phase.CONTRACT, f"rename {_label(temp)} {temp.name} of {new.qualified_name} to {name} "
                 "(its name is free now)", (o.RenameObject(None, before=temp, name=name),),
                 rules.tkey(new), name, follows=[drop])


def _replace_draft(rules, old: Table, new: Table, temp, name: str, drop):
    """Add the object under ``name``, then drop ``temp``: the new table is never without it,
    and the add cannot fail on a row (the rows have kept it since ``temp`` was built)."""
    obj = replace(temp, name=name)
    draft = add_draft(rules, new, obj)
    remove = {Index: o.DropIndex(None, index=temp), ForeignKey: o.DropForeignKey(None, foreign_key=temp),
              Check: o.DropCheck(None, check=temp),
              Exclusion: o.DropExclusion(None, exclusion=temp)}[type(temp)]
    draft.ops += (remove,)
    draft.phase = Phase.CONTRACT
    draft.summary = f"replace {_label(temp)} {temp.name} of {new.qualified_name} by {name} " \
        f"(after {old.qualified_name} frees the name)"
    what = "building it reads" if isinstance(temp, Index) else "checking it reads"
    draft.hazards = tuple(h for h in draft.hazards if h.kind is not HazardKind.VALIDATION_SCAN) + \
        (Hazard(HazardKind.VALIDATION_SCAN, f"{what} every row of {new.qualified_name}; it cannot "
                f"fail: the rows have kept it as {temp.name} since that was built"),)
    draft.follows.append(drop)
    return draft


def _late_draft(rules, old: Table, new: Table, obj, drop):
    """The draft that adds ``obj`` to ``new`` once ``drop`` has freed its name."""
    draft = add_draft(rules, new, obj)
    draft.phase = Phase.CONTRACT
    draft.summary += f" (after {old.qualified_name} frees the name)"
    draft.follows.append(drop)
    return draft
