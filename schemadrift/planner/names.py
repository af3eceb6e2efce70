"""Names a renamed table cannot take yet.

A table rename is planned as create new table (expand), copy the rows (backfill), drop the old
table (contract), so both tables exist during the window. Where the dialect keeps a kind of name
per schema rather than per table (PostgreSQL indexes and the indexes of unique and primary key
constraints, SQLite indexes, MySQL/MariaDB foreign keys), an object of the new table cannot take
the name its twin on the old table still holds. Each such object is either

* built under a temporary name and renamed once the old table is gone (contract), where the
  dialect can rename that kind in place (``Dialect.RENAMABLE``): the new table has all its keys,
  unique checks and foreign keys while the rows are copied; or
* created only after the old table is dropped (contract), where it cannot: an index is built
  then, a foreign key or check is added and validated then.

No dialect is named here: the facts come from ``Dialect.name_namespace`` and ``RENAMABLE``.
"""
from __future__ import annotations

from dataclasses import replace

from ..changes import Change
from ..ir import Check, Exclusion, ForeignKey, Index, PrimaryKey, Table
from . import ops as o
from .model import Phase


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


def free_names(rules, old: Table, new: Table, drafts: list, drop) -> list:
    """``drafts`` (the create-table draft first, then its index drafts) changed so that no
    object of ``new`` takes a schema-wide name ``old`` still holds; plus the contract drafts
    that rename or create those objects after ``drop``."""
    d = rules.d
    held = held_names(d, old)

    def clashes(obj) -> bool:
        ns = d.name_namespace(kind_of(obj))
        return bool(obj.name) and (ns, d.name_key(obj.name)) in held

    create, extra = drafts[0], []
    table = create.ops[0].table
    late = [obj for obj in named_objects(table) if clashes(obj)]
    for obj in late:
        if kind_of(obj) in d.RENAMABLE:
            temp = replace(obj, name=d.temp_name(obj.name))
            table = _swap(table, obj, temp)
            extra.append(_rename_draft(rules, new, temp, obj.name, drop))
        else:
            table = _swap(table, obj, None)
            extra.append(_late_draft(rules, old, new, obj, drop))
    if late:
        create.ops = (o.CreateTable(table),)
        create.creates, create.needs_new = rules.table_resources(table), rules.table_needs(table)
    for draft in drafts[1:]:
        ix = draft.ops[0].index
        if not clashes(ix):
            continue
        if kind_of(ix) in d.RENAMABLE:
            temp = replace(ix, name=d.temp_name(ix.name))
            draft.ops = (replace(draft.ops[0], index=temp),)
            draft.creates = rules.index_resources(rules.tkey(new), temp)
            extra.append(_rename_draft(rules, new, temp, ix.name, drop))
        else:
            draft.phase = Phase.CONTRACT
            draft.follows.append(drop)
            draft.summary += f" (after {old.qualified_name} frees the name)"
            # the table's foreign keys do not wait for it (no dialect here needs an index for them)
            draft.creates = {r for r in draft.creates if r[0] != "ix"}
    return extra


def _swap(t: Table, obj, new):
    """``t`` with ``obj`` replaced by ``new`` (removed when None)."""
    if isinstance(obj, PrimaryKey):
        return replace(t, primary_key=new)
    field = {Index: "indexes", ForeignKey: "foreign_keys", Check: "checks",
             Exclusion: "exclusions"}[type(obj)]
    items = tuple(new if x == obj else x for x in getattr(t, field))
    return replace(t, **{field: tuple(x for x in items if x is not None)})


def _rename_draft(rules, new: Table, temp, name: str, drop):
    from .rules import Draft

    label = {"unique": "unique constraint"}.get(kind_of(temp), kind_of(temp).replace("_", " "))
    return Draft(Phase.CONTRACT, f"rename {label} {temp.name} of {new.qualified_name} to {name} "
                 "(its name is free now)", (o.RenameObject(None, before=temp, name=name),),
                 rules.tkey(new), name, follows=[drop])


def _late_draft(rules, old: Table, new: Table, obj, drop):
    """The draft that adds ``obj`` to ``new`` once ``drop`` has freed its name."""
    change = Change(new.name, obj.name, after=obj, schema=new.schema)
    if isinstance(obj, ForeignKey):
        draft = rules.add_foreign_key(change)[0]
    elif isinstance(obj, Check):
        draft = rules.add_check(change)[0]
    elif isinstance(obj, PrimaryKey):
        draft = rules.add_primary_key(change)[0]
    elif isinstance(obj, Exclusion):
        draft = rules.add_exclusion(change)[0]
    else:
        draft = rules.add_index(change)[0]
    draft.phase = Phase.CONTRACT
    draft.summary += f" (after {old.qualified_name} frees the name)"
    draft.follows.append(drop)
    return draft
