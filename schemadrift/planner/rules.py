"""The planner's rules: each Change becomes one or more draft steps, in the phase its safe pattern
puts it, with the neutral hazards it carries and the dependency facts the ordering needs.

The rules name no dialect. Where the answer depends on the server (is this type change a cheap
widening?), they ask the dialect through its hooks and capability flags.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from ..changes import Change
from ..dialects.base import Dialect
from ..differ import COLUMN_ATTRS
from ..ir import Column, Exclusion, ForeignKey, Index, Schema, Table
from . import ops as o
from .model import Hazard, HazardKind, Phase
from .names import add_draft, free_names, fresh, kind_of, lacking_exclusions, lacking_foreign_keys, without
from .order import cycles

H = HazardKind

#: placeholder a manual backfill step carries: harmless if run as is (fills nothing)
MANUAL_VALUE = "NULL /* TODO: the value for existing rows */"
#: placeholder value of a new key column in a manual copy: fails if run as is (NOT NULL)
MANUAL_KEY_VALUE = "NULL /* TODO: the key value for each copied row */"
#: placeholder USING of a manual type change: fails if run as is (never converts by a guess)
MANUAL_USING = "<expression> /* TODO: each row's new value, from its old one */"

#: kinds of hazard that mean a change is not a cheap, backward-compatible one
_COSTLY = {H.TABLE_REWRITE, H.BLOCKING_LOCK, H.DATA_LOSS}

# sooner first within a phase: adds before alters before data before drops (as pg-schema-diff),
# except foreign keys: the old one goes before a new one is added (MySQL moves its implicit
# index from one to the other otherwise)
PRIORITY = {k: i for i, k in enumerate((
    "create_enum", "add_enum_value", "create_table", "add_column", "alter_column",
    "create_sync_trigger", "create_table_sync", "drop_foreign_key", "add_primary_key",
    "create_index", "add_check", "add_exclusion", "add_foreign_key", "copy_rows", "copy_column",
    "fill_column", "set_table_comment", "set_table_options", "replace_enum", "drop_table_sync",
    "drop_check", "drop_exclusion", "drop_index", "drop_primary_key", "drop_sync_trigger", "drop_column",
    "drop_table", "rename_object", "create_trigger", "drop_enum"))}


@dataclass(eq=False)
class Draft:
    """A step before ordering and rendering: its ops carry no table state yet.

    ``target`` is the model key ``(schema, table)`` of the table the ops act on (None for
    schema-level ops); ``creates``/``drops``/``needs_new``/``needs_old`` are resources (hashable
    tuples such as ``("column", schema, table, name)``) that order the steps; ``follows`` lists
    drafts that must come first (the parts of one change)."""

    phase: Phase
    summary: str
    ops: tuple[o.Op, ...]
    target: tuple[str, str] | None = None
    name: str = ""
    hazards: tuple[Hazard, ...] = ()
    manual: bool = False
    source: Change | None = None
    creates: set = field(default_factory=set)
    drops: set = field(default_factory=set)
    needs_new: set = field(default_factory=set)
    needs_old: set = field(default_factory=set)
    #: resources that must be dropped before this step (a key before its column accepts NULL)
    needs_gone: set = field(default_factory=set)
    follows: list = field(default_factory=list)

    @property
    def priority(self) -> int:
        return PRIORITY[self.ops[0].kind]

    def sort_key(self) -> tuple:
        schema, table = self.target or ("", "")
        return (int(self.phase), self.priority, schema, table, self.name)


def hazard(kind: HazardKind, message: str) -> Hazard:
    return Hazard(kind, message)


class Rules:
    """Turns the changes of one diff into drafts. One method per change kind."""

    def __init__(self, dialect: Dialect, from_schema: Schema, to_schema: Schema,
                 backfill_values: dict[str, str] | None = None, batch_size: int | None = None):
        self.d = dialect
        self.a, self.b = from_schema, to_schema
        self.backfill_values = dict(backfill_values or {})
        self.batch_size = batch_size
        self.enum_names = {e.name for e in from_schema.enums + to_schema.enums}
        self.from_tables = {(t.schema or "", dialect.table_key(t.name)): t for t in from_schema.tables}
        self.to_tables = {(t.schema or "", dialect.table_key(t.name)): t for t in to_schema.tables}

    # -- entry point ---------------------------------------------------------------------------
    def drafts(self, changes: Iterable[Change]) -> list[Draft]:
        out: list[Draft] = []
        for change in changes:
            for draft in getattr(self, change.kind)(change):
                draft.source = change
                out.append(draft)
        out += self.implicit_indexes()
        out = self.after_name_is_free(out)  # first: a FK waiting for such a key is detached
        out = self.detach_created_fks(out)
        out = self.detach_dropped_fks(out)
        out = self.checks_around_type_changes(out)
        out = self.fks_around_type_changes(out)
        return _raise_dependents(self.after_name_is_free(out))

    # -- keys and resources --------------------------------------------------------------------
    def tkey(self, table: Table | ForeignKey | Change, name: str | None = None) -> tuple[str, str]:
        schema = table.ref_schema if isinstance(table, ForeignKey) else table.schema
        name = name or (table.ref_table if isinstance(table, ForeignKey) else
                        table.table if isinstance(table, Change) else table.name)
        return (schema or "", self.d.table_key(name))

    def col(self, tk, name: str) -> tuple:
        return ("column", *tk, self.d.column_key(name))

    def nk(self, name: str | None) -> str | None:
        """An index or constraint name as the dialect matches it (two names that clash there are
        one resource: the old object is dropped before the new one takes the name)."""
        return self.d.name_key(name) if name else name

    def named(self, tk, obj) -> set:
        """The name ``obj`` holds in its schema, where the dialect keeps that kind of name per
        schema (a name moving from one table to another is freed before it is taken)."""
        ns = self.d.name_namespace(kind_of(obj)) if obj is not None and obj.name else None
        return {("name", tk[0], ns, self.d.name_key(obj.name))} if ns else set()

    def fk_res(self, tk, fk: ForeignKey) -> tuple:
        return ("fk", *tk, self.nk(fk.name) or repr(fk.columns))

    def cols(self, tk, names: Iterable[str | None]) -> set:
        return {self.col(tk, n) for n in names if n is not None}

    def key(self, tk, names: Iterable[str]) -> tuple:
        return ("key", *tk, tuple(self.d.column_key(n) for n in names))

    def enum_of(self, column: Column) -> set:
        return {("enum", column.type.name)} if column.type.name in self.enum_names else set()

    def index_resources(self, tk, ix: Index) -> set:
        res = {("index", *tk, self.nk(ix.name) or repr(ix.parts))} | self.named(tk, ix)
        if ix.parts and ix.parts[0].column:
            res.add(("ix", *tk, self.d.column_key(ix.parts[0].column)))
        if ix.unique and ix.predicate is None and all(p.column for p in ix.parts):
            res.add(self.key(tk, ix.columns))
        return res

    def fk_needs(self, tk, fk: ForeignKey) -> set:
        rk = self.tkey(fk)
        needs = {("table", *rk), self.key(rk, fk.ref_columns)} | self.cols(rk, fk.ref_columns)
        needs |= self.cols(tk, fk.columns)
        if fk.columns:
            needs.add(("ix", *tk, self.d.column_key(fk.columns[0])))
        if not self.d.ALTER_TYPE_KEEPS_FOREIGN_KEYS:  # a new FK waits for its columns' types
            needs |= {("coltype", *r[1:]) for r in self.cols(tk, fk.columns) | self.cols(rk, fk.ref_columns)}
        return needs

    def table_resources(self, t: Table) -> set:
        """Everything a CreateTable creates (or a DropTable drops)."""
        tk = self.tkey(t)
        res = {("table", *tk)} | self.cols(tk, (c.name for c in t.columns))
        res |= {("notnull", *tk, self.d.column_key(c.name)) for c in t.columns if not c.nullable}
        if t.primary_key:
            res.add(self.key(tk, t.primary_key.columns))
            res |= self.named(tk, t.primary_key)
        for ix in t.indexes:
            res |= self.index_resources(tk, ix)
        res |= {self.fk_res(tk, fk) for fk in t.foreign_keys}
        for obj in t.foreign_keys + t.checks:
            res |= self.named(tk, obj)
        res |= {("check", *tk, self.nk(c.name) or c.expr) for c in t.checks}
        for x in t.exclusions:
            res |= self.exclusion_resources(tk, x)
        return res

    def exclusion_resources(self, tk, x: Exclusion) -> set:
        """An exclusion constraint, and the name its index holds where index names are schema-wide."""
        res = {("exclusion", *tk, self.nk(x.name) or repr(x.elements))}
        ns = self.d.name_namespace("exclusion") if x.name else None
        return res | ({("name", tk[0], ns, self.d.name_key(x.name))} if ns else set())

    def table_needs(self, t: Table) -> set:
        """What a new table needs to exist first: the tables its FKs point at, its enum types."""
        tk = self.tkey(t)
        needs = set()
        for fk in t.foreign_keys:
            if self.tkey(fk) != tk:
                needs |= self.fk_needs(tk, fk)
        needs = {r for r in needs if r[1:3] != tk}  # its own columns and indexes come with it
        for c in t.columns:
            needs |= self.enum_of(c)
        return needs

    def drop_needs(self, t: Table) -> set:
        """A table being dropped is still used by its FKs until it goes: it goes before the
        tables, keys and columns its FKs reference are dropped."""
        tk = self.tkey(t)
        needs = set()
        for fk in t.foreign_keys:
            if self.tkey(fk) != tk:
                needs |= self.referenced(fk)
        return needs

    def referenced(self, fk: ForeignKey) -> set:
        """What an FK uses on the table it points at."""
        rk = self.tkey(fk)
        return {("table", *rk), self.key(rk, fk.ref_columns)} | self.cols(rk, fk.ref_columns)

    # -- enums -----------------------------------------------------------------------------------
    def add_enum(self, c: Change) -> list[Draft]:
        e = c.after
        return [Draft(Phase.EXPAND, f"create enum type {_q(e.schema, e.name)}", (o.CreateEnum(None, e),),
                      name=e.name, creates={("enum", e.name)})]

    def drop_enum(self, c: Change) -> list[Draft]:
        e = c.before
        return [Draft(Phase.CONTRACT, f"drop enum type {_q(e.schema, e.name)}", (o.DropEnum(None, e),),
                      name=e.name, drops={("enum", e.name)})]

    def alter_enum(self, c: Change) -> list[Draft]:
        before, after = c.before, c.after
        if _is_subsequence(before.values, after.values):
            ops, current = [], list(before.values)
            for i, value in enumerate(after.values):
                if value not in current:
                    prev = after.values[i - 1] if i else None
                    ops.append(o.AddEnumValue(None, replace(before, values=tuple(current)), value, prev))
                    current.insert(current.index(prev) + 1 if prev else 0, value)
            added = ", ".join(v for v in after.values if v not in before.values)
            return [Draft(Phase.EXPAND, f"add value(s) {added} to enum type {_q(before.schema, before.name)}",
                          tuple(ops), name=before.name, needs_new={("enum", before.name)})]
        removed = [v for v in before.values if v not in after.values]
        what = f"remove value(s) {', '.join(removed)} from" if removed else "reorder the values of"
        hazards = [hazard(H.BLOCKING_LOCK, f"every column of type {before.name} is converted to the "
                          "new type while its table is locked")]
        if removed:
            hazards.append(hazard(H.BACKWARD_INCOMPATIBLE, f"old code that writes {', '.join(removed)} "
                                  "fails; rows holding such a value make the conversion fail"))
        return [Draft(Phase.CONTRACT, f"{what} enum type {_q(before.schema, before.name)} (recreate it)",
                      (o.ReplaceEnum(None, before, after),), name=before.name, hazards=tuple(hazards),
                      needs_old={("enum", before.name)})]

    # -- tables ----------------------------------------------------------------------------------
    def create_table(self, t: Table) -> list[Draft]:
        """A new table with its own constraints, then one step per plain index."""
        # an implicit index (MySQL's for a FK) is the server's own: it comes with the FK
        plain = [ix for ix in t.indexes if not ix.is_constraint and not ix.implicit]
        core = replace(t, indexes=tuple(ix for ix in t.indexes if ix.is_constraint))
        tk = self.tkey(t)
        out = [Draft(Phase.EXPAND, f"create table {t.qualified_name}", (o.CreateTable(core),), tk,
                     t.name, creates=self.table_resources(core), needs_new=self.table_needs(core))]
        for ix in plain:
            out.append(Draft(Phase.EXPAND, f"create index {ix.name or ''} on {t.qualified_name}",
                             (o.CreateIndex(None, ix),), tk, ix.name or "",
                             creates=self.index_resources(tk, ix),
                             needs_new={("table", *tk)} | self.cols(tk, ix.columns)))
        return out

    def add_table(self, c: Change) -> list[Draft]:
        return self.create_table(c.after)

    def drop_table(self, c: Change) -> list[Draft]:
        t = c.before
        return [Draft(Phase.CONTRACT, f"drop table {t.qualified_name}", (o.DropTable(None),),
                      self.tkey(t), t.name, hazards=(
                          hazard(H.DATA_LOSS, f"dropping table {t.qualified_name} deletes all its rows"),
                          hazard(H.BACKWARD_INCOMPATIBLE, f"old code that uses {t.qualified_name} fails"),
                          hazard(H.IRREVERSIBLE, "a rollback cannot bring the rows back")),
                      drops=self.table_resources(t), needs_old=self.drop_needs(t))]

    def rename_table(self, c: Change) -> list[Draft]:
        """Create the new table (expand), copy the rows (backfill), drop the old one (contract).

        The copy takes the columns both tables have and the confirmed renames of its columns
        (``c.columns``, old name → new name). A NOT NULL column the copy cannot fill (a new one
        without default, or one whose old column allows NULL) is created nullable, backfilled
        after the copy and set NOT NULL in contract, as ``add_column`` does for a new column. A new
        key column the server does not fill takes the user's backfill expression in the copy;
        without one the copy is manual, and the steps after it wait (``manual_copy``). A
        constraint the old table lacks is added in contract, before the old table's drop, as on
        a table that is not renamed (``names.fresh``): old code's writes reach the new table."""
        old, new = c.before, c.after
        tk, key = self.tkey(new), self.d.column_key
        pairs = self.copy_pairs(old, new, getattr(c, "columns", ()))
        values, unfilled = self.key_values(new, {key(t) for t, _ in pairs})
        loose = self.loosened(old, new, {key(t): s for t, s in pairs})
        later = fresh(self.d, old, new, pairs)
        # without TO's triggers: the old table holds their names until its drop, and a rebuild
        # of the twin before then would create them (carry_triggers creates them after the drop)
        created = without(replace(new, columns=tuple(replace(col, nullable=True) if key(col.name) in loose
                                                     else col for col in new.columns), triggers=()), later)
        out = self.create_table(created)
        added = [add_draft(self, new, obj) for obj in later]
        drop = self.drop_table(Change(old.name, old.name, before=old, schema=old.schema))[0]
        drop.summary = f"drop table {old.qualified_name} (renamed to {new.qualified_name})"
        late = free_names(self, old, new, out + added, drop)  # names both tables cannot hold at once
        # the keys the new table has from the start (free_names may create some later)
        # (a key column the copy fills by expression or by hand: mirrored rows would lack it)
        row_key = self.sync_key(old, out[0].ops[0].table, pairs) \
            if self.d.TABLE_SYNC and not values and not unfilled else ()
        copy = Draft(Phase.BACKFILL, f"copy rows of {old.qualified_name} into {new.qualified_name}",
                     (o.CopyRows(None, source=old, columns=pairs, batch_size=self.batch_size,
                                 key=row_key, values=values),),
                     tk, new.name, needs_new={("table", *tk)}, needs_old={("table", *self.tkey(old))},
                     follows=[out[0]] + [d for d in late if d.phase is Phase.EXPAND])  # keys first
        for draft in late:  # a foreign key to the table itself (see names._temporary_key)
            if draft.phase is Phase.BACKFILL:
                draft.follows.append(copy)
        window = self.table_sync(old, out[0].ops[0].table, pairs, row_key, copy) if row_key else []
        tighten = []
        for col in new.columns:
            if key(col.name) in loose:
                tighten += self.fill_after_copy(new, created.column(col.name), col, copy,
                                                required=loose[key(col.name)])
        for draft in tighten:  # old code is gone in contract: its triggers go first
            if draft.phase is Phase.CONTRACT:
                draft.follows += window[1:]
        carried = self.carry_triggers(old, new, pairs, back=bool(window) and window[0].ops[0].back)
        for i, draft in enumerate(carried):  # after the drop (see carry_triggers), in their order
            draft.follows = [drop] + tighten + carried[i - 1:i]
        drop.hazards = self.rename_drop_hazards(old, new, pairs, synced=bool(window),
                                                carried={d.name for d in carried})
        for draft in added:  # the triggers that carry old code's writes go first
            draft.follows += [copy] + window[1:]
        # what can fail on a row comes while the old table is still there
        drop.follows = [copy] + window[1:] + added + [t for t in tighten if t.phase is Phase.CONTRACT]
        if unfilled:
            self.manual_copy(copy, old, new, unfilled, tighten + window[1:] + added + [drop] + carried
                             + [d for d in late if d.phase is not Phase.EXPAND])
        return out + window[:1] + [copy] + tighten + window[1:] + added + [drop] + late + carried

    def carry_triggers(self, old: Table, new: Table, pairs, *, back: bool) -> list[Draft]:
        """The user's triggers of ``old`` (``Table.triggers``) created again on ``new`` as the
        dialect rewrites them (those it cannot are named by the drop's hazard), in contract right
        after the old table's drop: while both tables exist a trigger on each would fire twice for
        one write the sync triggers mirror, and where trigger names are per schema (MariaDB,
        SQLite) the old one holds the name until then. Until then the old table's trigger fires,
        for new code's writes too where the sync mirrors them back (``back``)."""
        tk, key = self.tkey(new), self.d.column_key
        columns = {key(s): t for t, s in pairs}
        out = []
        for trigger in old.triggers:
            sql = self.d.carried_trigger(self.a, old, new, trigger, columns)
            if sql is None:
                continue
            gap = () if back else (hazard(
                H.BACKWARD_INCOMPATIBLE, f"until this step new code's writes to {new.qualified_name} "
                f"do not fire trigger {trigger[0]} (they do not reach {old.qualified_name})"),)
            out.append(Draft(Phase.CONTRACT, f"create trigger {trigger[0]} on {new.qualified_name} "
                             f"(as it was on {old.qualified_name})",
                             (o.CreateTrigger(None, name=trigger[0], sql=sql),), tk, trigger[0],
                             hazards=gap, needs_new={("table", *tk)}))
        return out

    def sync_key(self, old: Table, new: Table, pairs) -> tuple[tuple[str, str], ...]:
        """(new column, old column) of a key that finds one row in each table: the primary key or
        a unique NOT NULL constraint of ``new`` whose columns the copy fills from the columns of
        a primary key or unique NOT NULL key of ``old``. Empty when there is none, or when
        ``new`` has a foreign key to itself (a mirrored row could point at one not copied yet:
        old code's write would fail)."""
        if any(self.tkey(fk) == self.tkey(new) for fk in new.foreign_keys):
            return ()
        key = self.d.column_key
        source = {key(t): s for t, s in pairs}
        olds = {frozenset(map(key, cols)) for cols in _row_keys(old, constraints_only=False)}
        for cols in _row_keys(new, constraints_only=True):
            if all(key(c) in source for c in cols) and \
                    frozenset(key(source[key(c)]) for c in cols) in olds:
                return tuple((c, source[key(c)]) for c in cols)
        return ()

    def table_sync(self, old: Table, new: Table, pairs, row_key, copy: Draft) -> list[Draft]:
        """The triggers that mirror old code's writes into the renamed table (``new``, as the plan
        creates it) while both exist
        (expand, before the copy, which then skips the rows they wrote), and their drop (contract,
        before anything else of the rename). New code's writes go back to the old table where the
        dialect can (``TABLE_SYNC_BACK``) and every column old code needs is there, as it was."""
        tk, back = self.tkey(new), self.syncs_back(old, new, pairs)
        what = f"the writes of {old.qualified_name} into {new.qualified_name}" + \
            (" and back" if back else "")
        fields = dict(source=old, columns=pairs, key=row_key, back=back)
        alone = () if back else (hazard(
            H.BACKWARD_INCOMPATIBLE, f"rows that new code writes to {new.qualified_name} are not "
            f"copied back: old code does not see them in {old.qualified_name}"
            + self.key_clash(old, new, row_key)),)
        stricter = self.stricter_old(old, new, pairs) if back else []
        if stricter:
            alone = (hazard(H.BACKWARD_INCOMPATIBLE, f"a write of new code's that {old.qualified_name} "
                            f"cannot hold ({', '.join(stricter)}, which {new.qualified_name} does not "
                            "have) is not copied back: old code does not see that row or that change, "
                            "and its own later update of the row writes its older values back"),)
        create = Draft(Phase.EXPAND, f"create triggers that copy {what}",
                       (o.CreateTableSync(None, **fields),), tk, new.name, hazards=alone,
                       needs_new={("table", *tk)}, needs_old={("table", *self.tkey(old))},
                       follows=list(copy.follows))
        copy.follows.append(create)
        remove = Draft(Phase.CONTRACT, f"drop the triggers that copy {what}",
                       (o.DropTableSync(None, **fields),), tk, new.name, follows=[copy])
        return [create, remove]

    def key_clash(self, old: Table, new: Table, row_key) -> str:
        """Where new code's rows do not go back and the server numbers the old table's key: old
        code's inserts take numbers new code's rows hold already in the new table."""
        counted = [s for _, s in row_key if (col := old.column(s)) is not None and (
            col.identity is not None or (col.default is not None and col.default.kind == "sequence"))]
        if not counted:
            return ""
        return (f"; once new code has taken the next AUTO_INCREMENT (sequence) value of "
                f"{', '.join(counted)}, old code's inserts into {old.qualified_name} that take that "
                "value fail with a duplicate key")

    def stricter_old(self, old: Table, new: Table, pairs) -> list[str]:
        """The CHECK, UNIQUE, foreign key and exclusion constraints of ``old`` that ``new`` (its
        columns as ``pairs`` fill them) has no twin of: a row of new code's may break them in
        ``old``."""
        key = self.d.column_key
        renamed = {key(s): key(t) for t, s in pairs}
        twin = lambda cols: frozenset(renamed.get(key(c), "") for c in cols)  # noqa: E731
        checks = {ch.expr for ch in new.checks}
        uniques = [frozenset(map(key, cols)) for cols in _row_keys(new, constraints_only=False)] + [
            frozenset(map(key, ix.columns)) for ix in new.indexes
            if ix.unique and ix.predicate is None and None not in ix.columns]
        out = [f"check {ch.name or ch.expr}" for ch in old.checks if ch.expr not in checks]
        out += [f"unique {ix.name or ', '.join(c or '?' for c in ix.columns)}" for ix in old.indexes
                if ix.unique and (None in ix.columns or ix.predicate is not None
                                  or not any(u <= twin(ix.columns) for u in uniques))]
        out += [f"foreign key {fk.name or ', '.join(fk.columns)}"
                for fk in lacking_foreign_keys(self.d, old, new, pairs)]
        out += [f"exclusion constraint {x.name or _elements(x)}"
                for x in lacking_exclusions(self.d, old, new, pairs)]
        return out

    def syncs_back(self, old: Table, new: Table, pairs) -> bool:
        """Whether new code's writes can go back to ``old`` unchanged: each column of ``old`` is
        filled from a column of ``new`` of the same type (that holds no NULL where ``old`` takes
        none), or may be left out (nullable, a default, an identity); none is generated."""
        if not self.d.TABLE_SYNC_BACK:
            return False
        key = self.d.column_key
        filled = {key(s): new.column(t) for t, s in pairs}
        for col in old.columns:
            twin = filled.get(key(col.name))
            if col.generated is not None and twin is not None:
                return False
            if twin is None and not (col.nullable or col.default is not None or col.identity
                                     or col.generated):
                return False
            if twin is not None and (not self.d.same_type(col.type, twin.type)
                                     or twin.nullable and not col.nullable):
                return False
        return True

    def copy_pairs(self, old: Table, new: Table, renamed) -> tuple[tuple[str, str], ...]:
        """(new column, old column) for each column of ``new`` the copy fills: the same name
        (as the dialect matches names), or the old name of a confirmed rename."""
        key = self.d.column_key
        sources = {key(col.name): col.name for col in old.columns}
        sources |= {key(b): a for a, b in renamed if key(a) in sources}
        return tuple((col.name, sources[key(col.name)]) for col in new.columns
                     if col.generated is None and key(col.name) in sources)

    def loosened(self, old: Table, new: Table, sources: dict) -> dict[str, bool]:
        """Column key → whether its backfill is required, for each NOT NULL column of ``new``
        that the copy may leave NULL: required for a column no old column fills and no default
        does; optional (the default, if any) where the old column allows NULL. A primary key
        column, an identity or a generated column is never loosened."""
        key = self.d.column_key
        pk = {key(n) for n in new.primary_key.columns} if new.primary_key else set()
        out = {}
        for col in new.columns:
            k = key(col.name)
            if col.nullable or col.generated or col.identity or k in pk:
                continue
            if k not in sources and col.default is None:
                out[k] = True
            elif k in sources and old.column(sources[k]).nullable:
                out[k] = False
        return out

    def fill_after_copy(self, new: Table, loose: Column, col: Column, copy: Draft, *,
                        required: bool) -> list[Draft]:
        """The backfill (after the copy) and the SET NOT NULL of a loosened column of ``new``."""
        tk = self.tkey(new)
        fill = self.fill(new.qualified_name, tk, loose, required=required,
                         default=None if required else col.default)
        if fill is not None:
            fill.follows = [copy]
        done = self.set_not_null(new.qualified_name, tk, loose, col, follows=fill or copy)
        return ([fill] if fill else []) + [done]

    def rename_drop_hazards(self, old: Table, new: Table, pairs, synced: bool = False,
                            carried: set = frozenset()) -> tuple[Hazard, ...]:
        """The drop of a renamed table's old version: what old code, late rows (unless
        ``synced``: triggers carried them over), the columns the copy does not keep and the old
        table's triggers (not modelled) that are not ``carried`` to the new one lose."""
        key = self.d.column_key
        copied = {key(s) for _, s in pairs} | {key(col.name) for col in new.columns}
        lost = [col.name for col in old.columns if key(col.name) not in copied]
        loss = f"rows written to {old.qualified_name} after the copy are lost" if not synced else (
            f"drops {old.qualified_name}: its rows live on in {new.qualified_name} (copied in the "
            "backfill, kept in step by the triggers until the contract)")
        if lost:
            loss += (f"; {new.qualified_name} has no column for {', '.join(lost)}: "
                     "their values are lost")
        use = f"old code that uses {old.qualified_name} fails"
        triggers = [t for t in _triggers_on(self.a, old, self.d) if t not in carried]
        if triggers:
            use += (f"; its triggers ({', '.join(triggers)}), which schemadrift does not model, go "
                    f"with it and are not created on {new.qualified_name} (they use a column it drops "
                    "or renames, or their text cannot be rewritten for it): create them by hand")
        return (hazard(H.BACKWARD_INCOMPATIBLE, use), hazard(H.DATA_LOSS, loss),
                hazard(H.IRREVERSIBLE, "a rollback cannot bring the old table back"))

    def key_values(self, new: Table, filled: set) -> tuple[tuple[tuple[str, str], ...], list[str]]:
        """The key columns of a renamed table's new version that the copy must give a value (no
        old column fills them, the server does not on insert, and a key cannot wait for a later
        backfill): ``(column, expression)`` for those the user gave a backfill, and the names of
        the others."""
        key = self.d.column_key
        pk = {key(n) for n in new.primary_key.columns} if new.primary_key else set()
        values, unfilled = [], []
        for col in new.columns:
            if key(col.name) in pk and key(col.name) not in filled and not self.d.fills_on_insert(new, col):
                value = self.backfill_values.get(f"{new.qualified_name}.{col.name}")
                if value is None:
                    unfilled.append(col.name)
                else:
                    values.append((col.name, value))
        return tuple(values), unfilled

    def manual_copy(self, copy: Draft, old: Table, new: Table, unfilled: list[str],
                    later: list[Draft]) -> None:
        """A copy that a new key column without a value stops: manual (its SQL a placeholder that
        fails if run as is), and the steps after it (the old table's drop first) wait for it."""
        op = copy.ops[0]
        copy.ops = (replace(op, values=op.values + tuple((n, MANUAL_KEY_VALUE) for n in unfilled)),)
        copy.manual = True
        copy.summary += f" (manual: no value for the new key column {', '.join(unfilled)})"
        keys = ", ".join(f"{new.qualified_name}.{n}" for n in unfilled)
        copy.hazards += (hazard(H.MANUAL, f"{keys}: a new primary key column that no column of "
                                f"{old.qualified_name} fills and that has no default: plan again with "
                                f"its value for each copied row, an SQL expression over the columns of "
                                f"{old.qualified_name} (--backfill {new.qualified_name}.{unfilled[0]}=SQL, "
                                "or backfills= in Python), or write it into this step and run it by hand"),)
        for d in later:
            d.manual = True
            d.hazards += (hazard(H.MANUAL, f"run it after the manual copy of {old.qualified_name} "
                                 f"into {new.qualified_name}"),)

    def alter_table(self, c: Change) -> list[Draft]:
        t, after = c.before, c.after
        tk, out = self.tkey(t), []
        if "comment" in c.what:
            out.append(Draft(Phase.EXPAND, f"set the comment of table {t.qualified_name}",
                             (o.SetTableComment(None, after.comment),), tk, t.name))
        if "options" in c.what:
            shown = ", ".join(f"{k}={v}" for k, v in after.options) or "defaults"
            out.append(Draft(Phase.CONTRACT, f"set options of table {t.qualified_name}: {shown}",
                             (o.SetTableOptions(None, after.options),), tk, t.name))
        return out

    # -- columns ---------------------------------------------------------------------------------
    def add_column(self, c: Change) -> list[Draft]:
        col, tk, where = c.after, self.tkey(c), f"{c.qualified_table}.{c.after.name}"
        creates = {self.col(tk, col.name)}
        needs = self.enum_of(col) | {("table", *tk)}
        if col.nullable or col.default is not None or col.identity or col.generated:
            if not col.nullable:
                creates.add(("notnull", *tk, self.d.column_key(col.name)))
            return [Draft(Phase.EXPAND, f"add column {where}", (o.AddColumn(None, col),), tk, col.name,
                          creates=creates, needs_new=needs)]
        loose = replace(col, nullable=True)
        add = Draft(Phase.EXPAND, f"add column {where} (nullable for now)", (o.AddColumn(None, loose),),
                    tk, col.name, creates=creates, needs_new=needs)
        fill = self.fill(c.qualified_table, tk, loose, required=True)
        fill.follows = [add]
        return [add, fill, self.set_not_null(c.qualified_table, tk, loose, col, follows=fill)]

    def fill(self, table: str, tk, col: Column, *, required: bool, default=None,
             backfill: bool = True) -> Draft | None:
        """Backfill NULLs of ``col``: a value the user supplied (unless ``backfill`` is false: it
        converts the column's type instead), else the default, else (when ``required``) a manual
        step whose SQL is a harmless placeholder, never a guess."""
        where = f"{table}.{col.name}"
        value = self.backfill_values.get(where) if backfill else None
        if value is None and default is not None and default.kind != "sequence":
            value = str(default)
        if value is None and not required:
            return None
        manual = value is None
        # the placeholder stays one plain UPDATE (harmless if run as is), never a batch loop
        op = o.FillColumn(None, column=col, expr=MANUAL_VALUE if manual else value,
                          batch_size=None if manual else self.batch_size)
        hazards = (hazard(H.MANUAL, f"{where} has no default: plan again with the value for existing "
                          f"rows (--backfill {where}=SQL, or backfills={{'{where}': 'SQL'}} in Python), "
                          "or write it into this step and run it by hand"),
                   ) if manual else ()
        summary = f"backfill {where} " + ("(manual: no default to fill existing rows)" if manual
                                          else f"with {value}")
        return Draft(Phase.BACKFILL, summary, (op,), tk, col.name, hazards=hazards, manual=manual,
                     needs_new={self.col(tk, col.name)})

    def set_not_null(self, table: str, tk, before: Column, after: Column, follows=None,
                     target: Column | None = None) -> Draft:
        """SET NOT NULL (contract). After an automatic backfill, the same fill runs again first:
        old code may have written NULLs since the backfill (it is idempotent)."""
        where = f"{table}.{after.name}"
        target = target or replace(before, nullable=False)
        ops: tuple = (o.AlterColumn(None, before=before, after=target,
                                    what=_differing(before, target) or frozenset({"nullable"})),)
        fill = follows.ops[0] if follows is not None and follows.ops[0].kind == "fill_column" \
            and not follows.manual else None
        if fill is not None:
            ops = (replace(fill, column=before),) + ops
        return Draft(Phase.CONTRACT, (f"fill what is still NULL in {where} and " if fill else "")
                     + f"set {where} NOT NULL", ops, tk, after.name,
                     hazards=(hazard(H.VALIDATION_SCAN, f"every row of {table} is checked for NULL in "
                                     f"{after.name}; the step fails if one is found"),
                              hazard(H.BACKWARD_INCOMPATIBLE, f"old code that leaves {where} out "
                                     "of its inserts fails")),
                     creates={("notnull", *tk, self.d.column_key(after.name))},
                     needs_new={self.col(tk, after.name)}, follows=[follows] if follows else [])

    def drop_column(self, c: Change) -> list[Draft]:
        col, tk, where = c.before, self.tkey(c), f"{c.qualified_table}.{c.before.name}"
        return [Draft(Phase.CONTRACT, f"drop column {where}", (o.DropColumn(None, col),), tk, col.name,
                      hazards=(hazard(H.DATA_LOSS, f"dropping {where} deletes its values"),
                               hazard(H.BACKWARD_INCOMPATIBLE,
                                      f"old code that reads or writes {where} fails"),
                               hazard(H.IRREVERSIBLE, "a rollback cannot bring the values back")),
                      drops={self.col(tk, col.name), ("notnull", *tk, self.d.column_key(col.name))},
                      needs_old=self.enum_of(col))]

    def rename_column(self, c: Change) -> list[Draft]:
        """Never a direct RENAME: add the new column and keep both in sync with triggers (expand),
        copy the data (backfill), set NOT NULL, drop the triggers and the old column (contract)."""
        old, new, tk, table = c.before, c.after, self.tkey(c), c.qualified_table
        # no default during the window: old code's inserts would get it in the new column,
        # and the sync trigger copies the old value only into a NULL
        loose = replace(new, nullable=True, default=None)
        out = [Draft(Phase.EXPAND, f"add column {table}.{new.name} (rename of {old.name})",
                     (o.AddColumn(None, loose),), tk, new.name, creates={self.col(tk, new.name)},
                     needs_new=self.enum_of(new))]
        old_now = old
        if not old.nullable and old.default is None and not self.d.BEFORE_TRIGGER_SETS_NEW:
            # new code leaves the old column out; without a BEFORE trigger to fill it, it must
            # accept NULL during the window (the sync trigger fills it right after the insert)
            old_now = replace(old, nullable=True)
            out.append(Draft(Phase.EXPAND, f"allow NULL in {table}.{old.name} during its rename",
                             (o.AlterColumn(None, before=old, after=old_now, what=frozenset({"nullable"})),),
                             tk, old.name, follows=[out[0]]))
        sync = Draft(Phase.EXPAND, f"create triggers that keep {table}.{old.name} and {new.name} in sync",
                     (o.CreateSyncTrigger(None, old=old_now, new=loose),), tk, new.name,
                     creates={("trigger", *tk, old.name, new.name)}, follows=[out[-1]])
        copy = Draft(Phase.BACKFILL, f"copy {table}.{old.name} into {new.name}",
                     (o.CopyColumn(None, source=old_now, target=loose, batch_size=self.batch_size),), tk,
                     new.name, follows=[sync])
        out += [sync, copy]
        last, current = copy, loose
        if new.default is not None:
            target = replace(current, default=new.default)
            last = Draft(Phase.CONTRACT, f"set the default of {table}.{new.name} to {new.default}",
                         (o.AlterColumn(None, before=current, after=target, what=frozenset({"default"})),),
                         tk, new.name, follows=[last])
            out.append(last)
            current = target
        if not new.nullable:
            last = self.set_not_null(table, tk, current, new, follows=last)
            out.append(last)
        out.append(Draft(Phase.CONTRACT, f"drop the sync triggers and the old column {table}.{old.name}",
                         (o.DropSyncTrigger(None, old=old_now, new=new), o.DropColumn(None, old_now)), tk,
                         old.name, hazards=(
                             hazard(H.DATA_LOSS, f"drops {table}.{old.name}: its values live on in "
                                                 f"{new.name} (copied in the backfill, kept in step by "
                                                 "the triggers until now)"),
                             hazard(H.BACKWARD_INCOMPATIBLE, f"old code that uses {table}.{old.name} fails"),
                             hazard(H.IRREVERSIBLE, "a rollback cannot bring the old column back")),
                         drops={self.col(tk, old.name), ("trigger", *tk, old.name, new.name)},
                         needs_old=self.enum_of(old), follows=[last]))
        return out

    def alter_column(self, c: Change) -> list[Draft]:
        """One draft per group of attributes, chained in phase order: relaxing and cheap parts in
        expand, a NOT NULL backfill in backfill, restricting and rewriting parts in contract."""
        before, after, tk, table = c.before, c.after, self.tkey(c), c.qualified_table
        if "generated" in c.what and after.generated is not None:
            return [self.recreate_generated(c)]
        groups = _column_groups(c.what, after)
        planned = self.plan_groups(tk, before, after, groups)
        # no conversion from the old type to the new one: the user's backfill expression is the
        # conversion (and so fills no NULLs), else the type change is left to a human
        converts = "type" not in c.what or self.d.converts_type(before.type, after.type)
        out: list[Draft] = []
        current = before
        for n, (phase, _, group) in enumerate(planned):
            # the last part lands on TO's column exactly: attributes the differ holds equal may
            # still be spelled for the old type (a default cast to it) and must follow the new one
            target = after if n == len(planned) - 1 else \
                replace(current, **{attr: getattr(after, attr) for attr in group})
            what = _differing(current, target) or frozenset(group)
            if "nullable" in group and not after.nullable:
                fill = self.fill(table, tk, current, required=False, default=after.default,
                                 backfill=converts)
                if fill is not None and out and out[-1].phase > fill.phase:
                    # the type changes in contract first (the new default may not fit the old
                    # type): the fill runs in the NOT NULL step only, right after it
                    draft = self.set_not_null(table, tk, current, after, follows=fill, target=target)
                    draft.follows = out[-1:]
                    out.append(draft)
                    current = target
                    continue
                if fill is not None:
                    fill.follows = out[-1:]
                    out.append(fill)
                draft = self.set_not_null(table, tk, current, after, follows=out[-1] if out else None,
                                          target=target)
            else:
                draft = Draft(phase, _alter_summary(table, current, target, group),
                              (o.AlterColumn(None, before=current, after=target, what=what),), tk,
                              after.name, hazards=self.column_hazards(table, current, target, group, phase),
                              needs_new={self.col(tk, after.name)} | self.enum_of(target),
                              needs_old=self.enum_of(current), follows=out[-1:])
                if group == ("nullable",):
                    draft.needs_gone = self.keys_forcing_not_null(tk, before)
                if "type" in what:
                    draft.creates.add(("coltype", *tk, self.d.column_key(after.name)))
                    if not converts:
                        self.convert(draft, table, current, target)
            out.append(draft)
            current = target
        return self.hold_after_manual_conversion(out, f"{table}.{after.name}")

    def convert(self, draft: Draft, table: str, before: Column, after: Column) -> None:
        """A type change the server has no conversion for: USING the user's backfill expression,
        else a manual step whose USING is a placeholder to fill in."""
        where = f"{table}.{after.name}"
        using = self.backfill_values.get(where)
        draft.ops = tuple(replace(op, using=using or MANUAL_USING) for op in draft.ops)
        if using is not None:
            draft.summary += f" (converted with {using})"
            return
        draft.manual = True
        draft.summary += " (manual: no conversion between the types)"
        draft.hazards += (hazard(H.MANUAL, f"the server has no conversion from {before.type} to "
                                 f"{after.type}: plan again with an SQL expression that computes each "
                                 f"row's new {after.name} from its old value (--backfill {where}=SQL, "
                                 f"or backfills={{'{where}': 'SQL'}} in Python: it becomes the USING "
                                 "expression), or write it into this step and run it by hand"),)

    @staticmethod
    def hold_after_manual_conversion(drafts: list[Draft], where: str) -> list[Draft]:
        """The parts of a column change after a manual type change wait for it: manual too."""
        held = False
        for d in drafts:
            if held:
                d.manual = True
                d.hazards += (hazard(H.MANUAL, f"run it after the manual type change of {where}"),)
            held = held or d.manual and any(getattr(op, "using", None) == MANUAL_USING for op in d.ops)
        return drafts

    def recreate_generated(self, c: Change) -> Draft:
        """A column that becomes generated, or whose expression changes: drop it and add it
        again (its values are computed, none are typed in by the application)."""
        before, after, tk, where = c.before, c.after, self.tkey(c), f"{c.qualified_table}.{c.after.name}"
        hazards = [hazard(H.TABLE_REWRITE, f"every row of {c.qualified_table} is computed again"),
                   hazard(H.BLOCKING_LOCK, f"{c.qualified_table} is locked while {where} is recomputed")]
        if before.generated is None:
            hazards.append(hazard(H.DATA_LOSS, f"the stored values of {where} are replaced by computed ones"))
        return Draft(Phase.CONTRACT, f"recreate {where} as a generated column ({after.generated.expr})",
                     (o.DropColumn(None, before), o.AddColumn(None, after)), tk, after.name,
                     hazards=tuple(hazards), creates={self.col(tk, after.name)},
                     needs_old=self.enum_of(before), needs_new=self.enum_of(after))

    def plan_groups(self, tk, before: Column, after: Column, groups: list[tuple]) -> list[tuple]:
        """``(phase, rank, group)`` in the order the parts of one column change run. Allowing
        NULL waits for what forbids NULL to go: the column's identity (dropped in the same change)
        and a primary key holding it (dropped by another change, in contract)."""
        phases = {g: self.column_phase(tk, before, after, g) for g in groups}
        ranks = {g: float(i) for i, g in enumerate(groups)}
        relax = ("nullable",) if ("nullable",) in phases and after.nullable else None
        if relax and ("identity",) in phases and before.identity is not None:
            phases[relax] = max(phases[relax], phases[("identity",)])
            ranks[relax] = ranks[("identity",)] + 0.5
        if relax and self.keys_forcing_not_null(tk, before):
            phases[relax] = Phase.CONTRACT
        if ("nullable",) in phases and not after.nullable and phases.get(_TYPE + ("default",)) == \
                Phase.CONTRACT:
            # NOT NULL with a new default and a rewriting type change: the existing rows are filled
            # with the new default once the column has the new type
            ranks[("nullable",)] = ranks[_TYPE + ("default",)] + 0.5
        return sorted((phases[g], ranks[g], g) for g in groups)

    def keys_forcing_not_null(self, tk, column: Column) -> set:
        """The primary key of FROM that holds ``column`` (as a key resource): a key column cannot
        accept NULL until the key is dropped."""
        table, new = self.from_tables.get(tk), self.to_tables.get(tk)
        pk = table.primary_key if table is not None else None
        if pk is None or self.d.column_key(column.name) not in {self.d.column_key(n) for n in pk.columns}:
            return set()
        kept = new is not None and new.primary_key is not None and \
            self.key(tk, new.primary_key.columns) == self.key(tk, pk.columns)
        return set() if kept else {self.key(tk, pk.columns)}

    def column_phase(self, tk, before: Column, after: Column, group: tuple[str, ...]) -> Phase:
        if group == ("comment",):
            return Phase.EXPAND
        if group == ("default",):
            return Phase.EXPAND if after.default is not None else Phase.CONTRACT
        if group == ("nullable",):
            return Phase.EXPAND if after.nullable else Phase.CONTRACT
        if group[:2] == _TYPE:
            return Phase.EXPAND if self.cheap_type_change(tk, before, after) else Phase.CONTRACT
        return Phase.CONTRACT

    def cheap_type_change(self, tk, before: Column, after: Column) -> bool:
        """Ask the dialect: a type change it reports no rewrite, lock or loss for is a widening."""
        table = self.from_tables.get(tk)
        target = replace(before, type=after.type, collation=after.collation)
        what = frozenset(a for a in ("type", "collation") if getattr(before, a) != getattr(target, a))
        op = o.AlterColumn(table, before=before, after=target, what=what)
        if _narrows(before, after):
            return False
        return not any(h.kind in _COSTLY for h in self.d.hazards(op))

    def column_hazards(self, table: str, before: Column, after: Column, group, phase: Phase) -> tuple:
        where = f"{table}.{after.name}"
        if group == ("default",) and after.default is None:
            return (hazard(H.BACKWARD_INCOMPATIBLE, f"old code that leaves {where} out gets NULL "
                           "(or an error) instead of the default"),)
        if group[:2] == _TYPE and phase == Phase.CONTRACT:
            out = [hazard(H.TABLE_REWRITE, f"changing the type of {where} from {before.type} to "
                          f"{after.type} may rewrite {table}"),
                   hazard(H.BLOCKING_LOCK, f"{table} is locked while {where} is converted")]
            if _narrows(before, after):
                out.append(hazard(H.DATA_LOSS, f"values of {where} that do not fit {after.type} are "
                                  "rejected or truncated"))
            return tuple(out)
        if phase == Phase.CONTRACT and group in (("identity",), ("generated",)):
            return (hazard(H.BLOCKING_LOCK, f"{table} is locked while {where} is changed"),)
        return ()

    # -- primary keys ----------------------------------------------------------------------------
    def add_primary_key(self, c: Change) -> list[Draft]:
        pk, tk = c.after, self.tkey(c)
        return [Draft(Phase.CONTRACT, f"add primary key ({', '.join(pk.columns)}) to {c.qualified_table}",
                      (o.AddPrimaryKey(None, pk),), tk, pk.name or "",
                      hazards=(hazard(H.VALIDATION_SCAN, f"every row of {c.qualified_table} is checked "
                                      "for NULL and duplicate keys; the step fails if one is found"),),
                      creates={self.key(tk, pk.columns)} | self.named(tk, pk),
                      needs_new=self.cols(tk, pk.columns) | {("notnull", *tk, self.d.column_key(n))
                                                             for n in pk.columns})]

    def drop_primary_key(self, c: Change) -> list[Draft]:
        pk, tk = c.before, self.tkey(c)
        return [Draft(Phase.CONTRACT, f"drop the primary key of {c.qualified_table}",
                      (o.DropPrimaryKey(None, pk),), tk, pk.name or "",
                      hazards=(hazard(H.BACKWARD_INCOMPATIBLE, "old code that relies on the key "
                                      "(upserts, lookups) may fail or slow down"),),
                      drops={self.key(tk, pk.columns)} | self.named(tk, pk),
                      needs_old=self.cols(tk, pk.columns))]

    def alter_primary_key(self, c: Change) -> list[Draft]:
        drop = self.drop_primary_key(Change(c.table, c.name, before=c.before, schema=c.schema))[0]
        add = self.add_primary_key(Change(c.table, c.name, after=c.after, schema=c.schema))[0]
        add.follows = [drop]
        return [drop, add]

    # -- indexes and unique constraints ---------------------------------------------------------
    def add_index(self, c: Change) -> list[Draft]:
        ix, tk = c.after, self.tkey(c)
        label = "unique constraint" if ix.is_constraint else "unique index" if ix.unique else "index"
        hazards = [hazard(H.INDEX_BUILD,
                          f"building {label} {ix.name or ''} reads all of {c.qualified_table}")]
        if ix.unique:
            hazards.append(hazard(H.VALIDATION_SCAN, f"the step fails if {c.qualified_table} holds "
                                  "duplicate values"))
        return [Draft(Phase.CONTRACT if ix.unique else Phase.EXPAND,
                      f"create {label} {ix.name or ''} on {c.qualified_table} ({_parts(ix)})",
                      (o.CreateIndex(None, ix),), tk, ix.name or "", hazards=tuple(hazards),
                      creates=self.index_resources(tk, ix), needs_new=self.cols(tk, ix.columns))]

    add_unique = add_index

    def drop_index(self, c: Change) -> list[Draft]:
        ix, tk = c.before, self.tkey(c)
        label = "unique constraint" if ix.is_constraint else "index"
        return [Draft(Phase.CONTRACT, f"drop {label} {ix.name or ''} on {c.qualified_table}",
                      (o.DropIndex(None, ix),), tk, ix.name or "", drops=self.index_resources(tk, ix),
                      needs_old=self.cols(tk, ix.columns))]

    drop_unique = drop_index

    def alter_index(self, c: Change) -> list[Draft]:
        drop = self.drop_index(Change(c.table, c.name, before=c.before, schema=c.schema))[0]
        add = self.add_index(Change(c.table, c.name, after=c.after, schema=c.schema))[0]
        add.phase, add.follows = Phase.CONTRACT, [drop]
        return [drop, add]

    # -- foreign keys and checks -----------------------------------------------------------------
    def add_foreign_key(self, c: Change, phase: Phase = Phase.CONTRACT) -> list[Draft]:
        fk, tk = c.after, self.tkey(c)
        hazards = (hazard(H.VALIDATION_SCAN, f"every row of {c.qualified_table} is checked against "
                          f"{fk.ref_table}; the step fails on a missing reference"),)
        return [Draft(phase, f"add foreign key {fk.name or ''} {c.qualified_table}({', '.join(fk.columns)}) "
                      f"-> {fk.ref_table}({', '.join(fk.ref_columns)})", (o.AddForeignKey(None, fk),), tk,
                      fk.name or "", hazards=hazards if phase is not Phase.EXPAND else (),
                      creates={self.fk_res(tk, fk)} | self.named(tk, fk), needs_new=self.fk_needs(tk, fk))]

    def drop_foreign_key(self, c: Change) -> list[Draft]:
        fk, tk = c.before, self.tkey(c)
        return [Draft(Phase.CONTRACT, f"drop foreign key {fk.name or ''} on {c.qualified_table}",
                      (o.DropForeignKey(None, fk),), tk, fk.name or "",
                      drops={self.fk_res(tk, fk)} | self.named(tk, fk), needs_old=self.fk_needs(tk, fk))]

    def alter_foreign_key(self, c: Change) -> list[Draft]:
        drop = self.drop_foreign_key(Change(c.table, c.name, before=c.before, schema=c.schema))[0]
        add = self.add_foreign_key(Change(c.table, c.name, after=c.after, schema=c.schema))[0]
        add.follows = [drop]
        return [drop, add]

    def add_check(self, c: Change) -> list[Draft]:
        ck, tk = c.after, self.tkey(c)
        return [Draft(Phase.CONTRACT, f"add check {ck.name or ''} on {c.qualified_table}: {ck.expr}",
                      (o.AddCheck(None, ck),), tk, ck.name or "",
                      hazards=(hazard(H.VALIDATION_SCAN, f"every row of {c.qualified_table} is checked; "
                                      "the step fails if one violates the check"),),
                      creates={("check", *tk, self.nk(ck.name) or ck.expr)} | self.named(tk, ck))]

    def drop_check(self, c: Change) -> list[Draft]:
        ck, tk = c.before, self.tkey(c)
        return [Draft(Phase.CONTRACT, f"drop check {ck.name or ck.expr} on {c.qualified_table}",
                      (o.DropCheck(None, ck),), tk, ck.name or "",
                      drops={("check", *tk, self.nk(ck.name) or ck.expr)} | self.named(tk, ck))]

    def alter_check(self, c: Change) -> list[Draft]:
        drop = self.drop_check(Change(c.table, c.name, before=c.before, schema=c.schema))[0]
        add = self.add_check(Change(c.table, c.name, after=c.after, schema=c.schema))[0]
        add.follows = [drop]
        return [drop, add]

    def add_exclusion(self, c: Change) -> list[Draft]:
        """Contract: it restricts what old code may write. There is no NOT VALID for it: the
        index is built and every row checked under a lock (the dialect says which)."""
        x, tk = c.after, self.tkey(c)
        return [Draft(Phase.CONTRACT, f"add exclusion constraint {x.name or ''} on {c.qualified_table} "
                      f"({_elements(x)})", (o.AddExclusion(None, x),), tk, x.name or "",
                      hazards=(hazard(H.VALIDATION_SCAN, f"every row of {c.qualified_table} is checked; the "
                                      "step fails if two rows conflict"),),
                      creates=self.exclusion_resources(tk, x),
                      needs_new=self.cols(tk, x.columns) | self.cols(tk, x.include))]

    def drop_exclusion(self, c: Change) -> list[Draft]:
        x, tk = c.before, self.tkey(c)
        return [Draft(Phase.CONTRACT, f"drop exclusion constraint {x.name or ''} on {c.qualified_table}",
                      (o.DropExclusion(None, x),), tk, x.name or "", drops=self.exclusion_resources(tk, x),
                      needs_old=self.cols(tk, x.columns) | self.cols(tk, x.include))]

    def alter_exclusion(self, c: Change) -> list[Draft]:
        drop = self.drop_exclusion(Change(c.table, c.name, before=c.before, schema=c.schema))[0]
        add = self.add_exclusion(Change(c.table, c.name, after=c.after, schema=c.schema))[0]
        add.follows = [drop]
        return [drop, add]

    def implicit_indexes(self) -> list[Draft]:
        """An index the server made by itself for a FK in TO (MySQL), where FROM's FK used an
        index of the application that TO drops: create it explicitly first, since the server
        refuses to drop an index a FK still needs."""
        out = []
        for tb in self.b.tables:
            ta = self.from_tables.get(self.tkey(tb))
            if ta is None:
                continue
            kept = {ix.name for ix in tb.indexes}
            dropped = [ix.columns for ix in ta.indexes if not ix.implicit and ix.name not in kept]
            names = {ix.name for ix in ta.indexes}
            for ix in tb.indexes:
                if ix.implicit and ix.name not in names and \
                        any(cols[:len(ix.columns)] == ix.columns for cols in dropped):
                    change = Change(tb.name, ix.name, after=ix, schema=tb.schema)
                    draft = self.add_index(change)[0]
                    draft.source = change
                    out.append(draft)
        return out

    # -- checks and foreign keys around type changes ---------------------------------------------
    def type_changes(self, drafts: list[Draft]) -> dict:
        """The drafts that change a column's type, by column resource."""
        changed: dict = {}
        for d in drafts:
            for op in d.ops:
                if op.kind == "alter_column" and "type" in op.what:
                    changed.setdefault(self.col(d.target, op.after.name), []).append(d)
        return changed

    def checks_around_type_changes(self, drafts: list[Draft]) -> list[Draft]:
        """A check (or exclusion constraint) that the plan drops goes before the type of a column
        it names changes, and one it adds comes after (PostgreSQL: ``CHECK (foo > 0)`` cannot hold
        once foo is text; an operator class fits one type), where the phases allow."""
        changed = self.type_changes(drafts)
        for d in drafts:
            kind = d.ops[0].kind
            if kind not in ("drop_check", "add_check", "drop_exclusion", "add_exclusion"):
                continue
            expr = d.ops[0].check.expr.lower() if kind.endswith("check") else \
                _exclusion_text(d.ops[0].exclusion).lower()
            for (_, *tk, name), users in changed.items():
                if tuple(tk) != d.target or name.lower() not in expr:
                    continue
                for u in users:
                    if kind.startswith("drop") and d.phase <= u.phase:
                        u.follows.append(d)
                    elif kind.startswith("add") and u.phase <= d.phase:
                        d.follows.append(u)
        return drafts

    def fks_around_type_changes(self, drafts: list[Draft]) -> list[Draft]:
        """Where the dialect cannot change the type of a column a foreign key uses (either side,
        ``ALTER_TYPE_KEEPS_FOREIGN_KEYS`` false), no such key exists while the type changes: a
        key the plan keeps is dropped before the type changes and added again after them; a key
        the plan drops goes first, a key it adds comes after (where the phases allow)."""
        changed = {} if self.d.ALTER_TYPE_KEEPS_FOREIGN_KEYS else self.type_changes(drafts)
        if not changed:
            return drafts
        dropped = {r: d for d in drafts for r in d.drops if r[0] == "fk"}
        out = list(drafts)
        for d in drafts:
            if d.ops[0].kind == "add_foreign_key":
                for u in self.type_changes_under(d.target, d.ops[0].foreign_key, changed):
                    if u.phase <= d.phase:
                        d.follows.append(u)
        for ta in self.a.tables:
            tk = self.tkey(ta)
            for fk in ta.foreign_keys:
                users = self.type_changes_under(tk, fk, changed)
                if not users:
                    continue
                drop = dropped.get(self.fk_res(tk, fk))
                if drop is not None:
                    for u in users:
                        if drop.phase <= u.phase:
                            u.follows.append(drop)
                    continue
                out += self.readd_foreign_key(ta, fk, users)
        return out

    def type_changes_under(self, tk, fk: ForeignKey, changed: dict) -> list[Draft]:
        """The type-change drafts of the columns ``fk`` (on table ``tk``) uses, on either side."""
        res = self.cols(tk, fk.columns) | self.cols(self.tkey(fk), fk.ref_columns)
        return [u for r in sorted(res) for u in changed.get(r, ())]

    def readd_foreign_key(self, ta: Table, fk: ForeignKey, users: list[Draft]) -> list[Draft]:
        """Drop ``fk`` before the type changes ``users`` and add it (as TO has it) after them."""
        tk = self.tkey(ta)
        tb, res = self.to_tables.get(tk), self.fk_res(tk, fk)
        after = next((f for f in (tb.foreign_keys if tb else ()) if self.fk_res(tk, f) == res), fk)
        drop = self.drop_foreign_key(Change(ta.name, fk.name, before=fk, schema=ta.schema))[0]
        add = self.add_foreign_key(Change(ta.name, fk.name, after=after, schema=ta.schema),
                                   max(u.phase for u in users))[0]
        drop.phase = min(u.phase for u in users)
        drop.summary += " (for the type change of a column it uses; added again after it)"
        add.summary += " (again, after the type change)"
        for u in users:
            u.follows.append(drop)
            add.follows.append(u)
        drop.source = add.source = users[0].source
        return [drop, add]

    @staticmethod
    def after_name_is_free(drafts: list[Draft]) -> list[Draft]:
        """An object created under a name that an object of FROM still holds until a later
        phase (a unique constraint that becomes a plain index of the same name) is created in
        that phase, after the drop."""
        droppers: dict = {}
        for d in drafts:
            for r in d.drops:
                if r[0] in _NAMED:
                    droppers.setdefault(r, []).append(d)
        for d in drafts:
            for r in d.creates:
                for x in droppers.get(r, ()):
                    if x.phase > d.phase:
                        d.phase = x.phase
                        d.follows.append(x)
        return drafts

    # -- cycles and late references ------------------------------------------------------------
    def detach_created_fks(self, drafts: list[Draft]) -> list[Draft]:
        """Create tables without the FKs that cannot be inline: those between tables that
        reference each other (a cycle), and those needing a key added in a later phase. Each
        becomes an AddForeignKey step once both ends exist (Atlas ``DetachCycles``)."""
        creators: dict = {}
        for d in drafts:
            for r in d.creates:
                creators[r] = max(creators.get(r, Phase.EXPAND), d.phase)
        new = {d.target: d for d in drafts if d.ops[0].kind == "create_table"}

        def successors(tk):
            return {self.tkey(fk) for fk in new[tk].ops[0].table.foreign_keys} & new.keys()
        in_cycle = {tk: group for group in cycles(new, successors) for tk in group}
        out = []
        for d in drafts:
            out.append(d)
            if d.target not in new or d is not new[d.target]:
                continue
            table = d.ops[0].table
            keep, late = [], []
            for fk in table.foreign_keys:
                phase = max((creators.get(r, Phase.EXPAND) for r in self.fk_needs(d.target, fk)),
                            default=Phase.EXPAND)
                if self.tkey(fk) in in_cycle.get(d.target, ()) or phase > d.phase:
                    late.append((fk, max(phase, d.phase)))
                else:
                    keep.append(fk)
            if not late:
                continue
            core = replace(table, foreign_keys=tuple(keep))
            d.ops = (o.CreateTable(core),)
            d.creates, d.needs_new = self.table_resources(core), self.table_needs(core)
            for fk, phase in late:
                step = self.add_foreign_key(Change(table.name, fk.name, after=fk, schema=table.schema),
                                            phase)[0]
                step.follows, step.source = [d], d.source
                out.append(step)
        return out

    def detach_dropped_fks(self, drafts: list[Draft]) -> list[Draft]:
        """Tables dropped together that reference each other: drop those FKs first."""
        gone = {d.target: d for d in drafts if d.ops[0].kind == "drop_table"}
        tables = {tk: self.from_tables.get(tk) for tk in gone}

        def successors(tk):
            return {self.tkey(fk) for fk in tables[tk].foreign_keys} & gone.keys()
        out = list(drafts)
        for group in cycles(gone, successors):
            for tk in sorted(group):
                t = tables[tk]
                for fk in t.foreign_keys:
                    if self.tkey(fk) in group and self.tkey(fk) != tk:
                        step = self.drop_foreign_key(Change(t.name, fk.name, before=fk, schema=t.schema))[0]
                        step.source = gone[tk].source
                        out.append(step)
                        gone[tk].needs_old -= self.referenced(fk)
                        gone[tk].follows.append(step)
        return out


#: resources named by the schema (a name two objects cannot hold at once)
_NAMED = ("index", "fk", "check", "name")

_TYPE = ("type", "collation")
_COLUMN_GROUPS = (("default",), ("nullable",), _TYPE, ("identity",), ("generated",),
                  ("comment",))


def _raise_dependents(drafts: list[Draft]) -> list[Draft]:
    """A draft that needs an object created in a later phase (a key whose name was freed only
    in contract), or follows a later draft, moves to that phase: phases are strict barriers."""
    creators: dict = {}
    for d in drafts:
        for r in d.creates:
            creators.setdefault(r, []).append(d)
    changed = True
    while changed:
        changed = False
        for d in drafts:
            later = [c.phase for r in d.needs_new for c in creators.get(r, ()) if c is not d]
            phase = max([d.phase, *later, *(f.phase for f in d.follows)])
            if phase > d.phase:
                d.phase, changed = phase, True
    return drafts


def _triggers_on(schema: Schema, t: Table, dialect: Dialect) -> list[str]:
    """The user's triggers on ``t``, as introspection lists them in ``not_compared``
    (``trigger NAME on [SCHEMA.]TABLE``)."""
    want = dialect.table_key(t.qualified_name)
    out = []
    for entry in schema.not_compared:
        if entry.startswith("trigger ") and " on " in entry:
            name, _, table = entry[len("trigger "):].rpartition(" on ")
            if dialect.table_key(table) == want:
                out.append(name)
    return out


def _row_keys(t: Table, *, constraints_only: bool) -> list[tuple[str, ...]]:
    """The column lists that find one row of ``t``: its primary key, then each unique constraint
    (or unique index, unless ``constraints_only``) of NOT NULL columns without a predicate."""
    out = [t.primary_key.columns] if t.primary_key else []
    for ix in t.indexes:
        cols = ix.columns
        if ix.unique and (ix.is_constraint or not constraints_only) and ix.predicate is None \
                and all(c is not None and t.column(c) is not None and not t.column(c).nullable
                        for c in cols):
            out.append(cols)
    return out


def _column_groups(what, after: Column) -> list[tuple[str, ...]]:
    """The parts of a column change that run as separate steps. A new default that comes with a
    type change goes with it, as one op (drop the old default, change the type, set the new
    one): set alone before, the new type's default may not fit the old type; after, the old
    default may not fit the new type. (A default only dropped stays its own contract step.)"""
    groups = [g for g in _COLUMN_GROUPS if set(g) & set(what)]
    if "type" in what and "default" in what and after.default is not None:
        groups = [_TYPE + ("default",) if g == _TYPE else g for g in groups if g != ("default",)]
    return groups


def _differing(a: Column, b: Column) -> frozenset[str]:
    return frozenset(attr for attr in COLUMN_ATTRS if getattr(a, attr) != getattr(b, attr))


def _alter_summary(table: str, before: Column, after: Column, group) -> str:
    where = f"{table}.{after.name}"
    if group == ("default",):
        return f"set the default of {where} to {after.default}" if after.default else \
            f"drop the default of {where}"
    if group == ("nullable",):
        return f"allow NULL in {where}" if after.nullable else f"set {where} NOT NULL"
    if group[:2] == _TYPE:
        if before.type != after.type:
            also = f" (its default dropped first, then set to {after.default})" \
                if "default" in group else ""
            return f"change the type of {where} from {before.type} to {after.type}{also}"
        return f"change the collation of {where} to {after.collation}"
    if group == ("comment",):
        return f"set the comment of {where}"
    return f"change the {group[0]} of {where}"


def _narrows(before: Column, after: Column) -> bool:
    """Same base type with a smaller length or precision: values may no longer fit."""
    a, b = before.type, after.type
    if a.name != b.name:
        return False
    if a.values and not set(a.values) <= set(b.values):
        return True
    return bool(a.args and b.args) and any(y < x for x, y in zip(a.args, b.args))


def _is_subsequence(short: tuple, long: tuple) -> bool:
    it = iter(long)
    return all(x in it for x in short)


def _q(schema: str | None, name: str) -> str:
    return f"{schema}.{name}" if schema else name


def _elements(x: Exclusion) -> str:
    return ", ".join(f"{e.column or e.expr or '?'} WITH {e.operator}" for e in x.elements)


def _exclusion_text(x: Exclusion) -> str:
    """What of an exclusion constraint names columns: its elements, INCLUDE and predicate."""
    return " ".join([_elements(x), *x.include, x.predicate or ""])


def _parts(ix: Index) -> str:
    return ", ".join(p.column or p.expr or "?" for p in ix.parts)
