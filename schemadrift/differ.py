"""The generic differ: match objects by name (or by definition where one side leaves the name to
the database), compare their fields, ask the dialect about equivalences, sort deterministically.

No dialect is named here: every dialect fact comes through the hooks of ``Dialect``.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Sequence

from . import changes as ch
from .dialects import Dialect, get
from .ir import Column, Exclusion, Index, Schema, Table, replace

COLUMN_ATTRS = ("type", "nullable", "default", "identity", "generated", "collation", "comment")
EXCLUSION_ATTRS = ("elements", "method", "predicate", "include", "deferrable", "initially_deferred")


def diff(from_schema: Schema, to_schema: Schema, renames: dict[str, str] | None = None,
         dialect: Dialect | None = None) -> ch.Diff:
    """The changes that turn ``from_schema`` into ``to_schema``.

    ``renames`` confirms renames: ``{"table.old": "new"}`` for a column, ``{"old": "new"}`` for a
    table (``schema.table.old`` and ``schema.old`` where the table is not in the default schema).
    """
    dialect = dialect or _dialect_for(from_schema, to_schema)
    return Differ(dialect, from_schema, to_schema, renames or {}).run()


def _dialect_for(a: Schema, b: Schema) -> Dialect:
    name = a.dialect or b.dialect
    return get(name, a.server_version or b.server_version) if name else Dialect()


class Differ:
    def __init__(self, dialect: Dialect, a: Schema, b: Schema, renames: dict[str, str]):
        self.d = dialect
        self.a, self.b = a, b
        self.renames = dict(renames)
        self.unknown = frozenset(a.unknown | b.unknown)
        self.out: list[ch.Change] = []
        self.candidates: list[ch.RenameCandidate] = []

    def run(self) -> ch.Diff:
        self.enums()
        self.tables()
        self.out.sort(key=lambda c: c.sort_key)
        not_compared = tuple(sorted(set(self.a.not_compared) | set(self.b.not_compared)))
        return ch.Diff(changes=tuple(self.out), from_schema=self.a, to_schema=self.b,
                       rename_candidates=tuple(sorted(self.candidates, key=lambda r: (
                           r.schema or "", r.table or "", r.old, r.new))),
                       not_compared=not_compared, unknown=self.unknown)

    # -- enums ---------------------------------------------------------------------------------
    def enums(self) -> None:
        a = {e.key: e for e in self.a.enums}
        b = {e.key: e for e in self.b.enums}
        for key in sorted(a.keys() | b.keys()):
            ea, eb = a.get(key), b.get(key)
            if ea is None:
                self.out.append(ch.AddEnum(None, eb.name, after=eb, schema=eb.schema))
            elif eb is None:
                self.out.append(ch.DropEnum(None, ea.name, before=ea, schema=ea.schema))
            elif ea.values != eb.values:
                self.out.append(ch.AlterEnum(None, ea.name, ea, eb, ("values",), schema=ea.schema))

    # -- tables --------------------------------------------------------------------------------
    def _tkey(self, t: Table) -> tuple[str, str]:
        return (t.schema or "", self.d.table_key(t.name))

    def tables(self) -> None:
        a = {self._tkey(t): t for t in self.a.tables}
        b = {self._tkey(t): t for t in self.b.tables}
        dropped = [a[k] for k in a.keys() - b.keys()]
        added = [b[k] for k in b.keys() - a.keys()]
        for old, new in self._confirmed_table_renames(dropped, added):
            dropped.remove(old)
            added.remove(new)
            self.out.append(ch.RenameTable(old.name, new.name, old, new, schema=old.schema,
                                           columns=self._renamed_columns(old, new)))
        for t in added:
            self.out.append(ch.AddTable(t.name, t.name, after=t, schema=t.schema))
        for t in dropped:
            self.out.append(ch.DropTable(t.name, t.name, before=t, schema=t.schema))
        self._table_candidates(dropped, added)
        for key in a.keys() & b.keys():
            if a[key] != b[key]:
                self.table(a[key], b[key])

    def _confirmed_table_renames(self, dropped: list[Table], added: list[Table]):
        by_name = {t.qualified_name: t for t in added}
        for old in list(dropped):
            new_name = self.renames.get(old.qualified_name)
            if new_name is None:
                continue
            qualified = f"{old.schema}.{new_name}" if old.schema and "." not in new_name else new_name
            if qualified in by_name:
                yield old, by_name[qualified]

    def _renamed_columns(self, old: Table, new: Table) -> tuple[tuple[str, str], ...]:
        """The confirmed column renames of a renamed table (keyed by its old name, as a column
        rename of a kept table): (old column, new column) pairs, where the old column is gone
        from the new table and the new one is not in the old table."""
        key = self.d.column_key
        ka, kb = {key(c.name) for c in old.columns}, {key(c.name) for c in new.columns}
        dropped = [c for c in old.columns if key(c.name) not in kb]
        added = [c for c in new.columns if key(c.name) not in ka]
        return tuple((a.name, b.name) for a, b in self._confirmed_column_renames(old, dropped, added))

    def _table_candidates(self, dropped: list[Table], added: list[Table]) -> None:
        for old in dropped:
            for new in added:
                if old.schema == new.schema and self._same_shape(old.columns, new.columns):
                    self.candidates.append(ch.RenameCandidate(
                        None, old.name, new.name, f"same {len(old.columns)} columns with the same types",
                        schema=old.schema))

    def _same_shape(self, ca: Sequence[Column], cb: Sequence[Column]) -> bool:
        if len(ca) != len(cb):
            return False
        key = self.d.column_key
        kb = {key(c.name): c for c in cb}
        return all(key(c.name) in kb and self.d.same_type(c.type, kb[key(c.name)].type) for c in ca)

    def table(self, ta: Table, tb: Table) -> None:
        self.columns(ta, tb)
        self.primary_key(ta, tb)
        self.indexes(ta, tb)
        self.foreign_keys(ta, tb)
        self.checks(ta, tb)
        self.exclusions(ta, tb)
        self.table_attrs(ta, tb)

    def _change(self, cls, t: Table, name, before=None, after=None, what=()) -> None:
        self.out.append(cls(t.name, name, before, after, tuple(what), schema=t.schema))

    def table_attrs(self, ta: Table, tb: Table) -> None:
        what = [attr for attr in ("comment", "options") if attr not in self.unknown
                and getattr(ta, attr) != getattr(tb, attr)]
        if what:
            self._change(ch.AlterTable, ta, ta.name, ta, tb, what)

    # -- columns -------------------------------------------------------------------------------
    def columns(self, ta: Table, tb: Table) -> None:
        key = self.d.column_key
        a = {key(c.name): c for c in ta.columns}
        b = {key(c.name): c for c in tb.columns}
        dropped = [a[k] for k in a if k not in b]
        added = [b[k] for k in b if k not in a]
        for old, new in self._confirmed_column_renames(ta, dropped, added):
            dropped.remove(old)
            added.remove(new)
            self._change(ch.RenameColumn, ta, old.name, old, new)
        for c in added:
            self._change(ch.AddColumn, ta, c.name, after=c)
        for c in dropped:
            self._change(ch.DropColumn, ta, c.name, before=c)
        for old in dropped:
            for new in added:
                if self.d.same_type(old.type, new.type):
                    self.candidates.append(ch.RenameCandidate(
                        ta.name, old.name, new.name,
                        f"dropped and added columns of the same type {new.type}", schema=ta.schema))
        for k, ca in a.items():
            cb = b.get(k)
            if cb is not None and ca != cb:
                what = self.column_what(ca, cb)
                if what:
                    self._change(ch.AlterColumn, ta, cb.name, ca, cb, what)

    def _confirmed_column_renames(self, t: Table, dropped, added):
        prefix = t.qualified_name + "."
        by_name = {c.name: c for c in added}
        for old in list(dropped):
            new_name = self.renames.get(prefix + old.name)
            if new_name is not None and new_name in by_name:
                yield old, by_name[new_name]

    def column_what(self, a: Column, b: Column) -> list[str]:
        what = []
        for attr in COLUMN_ATTRS:
            if attr in self.unknown:
                continue
            if attr == "type":
                same = self.d.same_type(a.type, b.type)
            elif attr == "default":
                same = self.d.same_default(a, b)
            elif attr == "generated" and a.generated and b.generated:
                same = a.generated.stored == b.generated.stored and self.d.same_expr(a.generated.expr,
                                                                                     b.generated.expr)
            else:
                same = getattr(a, attr) == getattr(b, attr)
            if not same:
                what.append(attr)
        return what

    # -- primary key ---------------------------------------------------------------------------
    def primary_key(self, ta: Table, tb: Table) -> None:
        pa, pb = ta.primary_key, tb.primary_key
        if pa is None and pb is None:
            return
        if pa is None:
            self._change(ch.AddPrimaryKey, ta, pb.name, after=pb)
        elif pb is None:
            self._change(ch.DropPrimaryKey, ta, pa.name, before=pa)
        else:
            key = self.d.column_key
            what = []
            if tuple(map(key, pa.columns)) != tuple(map(key, pb.columns)):
                what.append("columns")
            if pa.name and pb.name and pa.name != pb.name:
                what.append("name")
            if what:
                self._change(ch.AlterPrimaryKey, ta, pb.name or pa.name, pa, pb, what)

    # -- named objects: indexes, unique constraints, FKs, checks -------------------------------
    def indexes(self, ta: Table, tb: Table) -> None:
        pairs, only_a, only_b = match(ta.indexes, tb.indexes, self._index_signature, name_key=self.d.name_key)
        for ia in only_a:
            if not ia.implicit:
                self._change(ch.DropUnique if ia.is_constraint else ch.DropIndex, ta, ia.name, before=ia)
        for ib in only_b:
            if not ib.implicit:
                self._change(ch.AddUnique if ib.is_constraint else ch.AddIndex, ta, ib.name, after=ib)
        for ia, ib in pairs:
            # the server's own index for a FK follows the FK: any change of it is the FK's change
            if self._index_signature(ia) == self._index_signature(ib) or (ia.implicit and ib.implicit):
                continue
            if ia.is_constraint or ib.is_constraint:
                self._change(ch.DropUnique if ia.is_constraint else ch.DropIndex, ta, ia.name, before=ia)
                self._change(ch.AddUnique if ib.is_constraint else ch.AddIndex, ta, ib.name, after=ib)
            else:
                what = [f for f in ("parts", "unique", "predicate", "method", "include", "nulls_not_distinct")
                        if getattr(ia, f) != getattr(ib, f)]
                self._change(ch.AlterIndex, ta, ib.name, ia, ib, what)

    def _index_signature(self, ix: Index) -> tuple:
        key = self.d.column_key
        parts = tuple((key(p.column) if p.column else None, p.expr, p.descending, p.prefix_length,
                       p.opclass, p.collation, p.nulls) for p in ix.parts)
        return (parts, ix.unique, ix.is_constraint, ix.predicate, ix.method, ix.include,
                ix.nulls_not_distinct)

    def foreign_keys(self, ta: Table, tb: Table) -> None:
        sig = self._fk_signature
        pairs, only_a, only_b = match(ta.foreign_keys, tb.foreign_keys, sig, loose=self._fk_target,
                                       name_key=self.d.name_key)
        for fa in only_a:
            self._change(ch.DropForeignKey, ta, fa.name, before=fa)
        for fb in only_b:
            self._change(ch.AddForeignKey, ta, fb.name, after=fb)
        for fa, fb in pairs:
            if sig(fa) != sig(fb):
                what = [f for f in ("columns", "ref_table", "ref_schema", "ref_columns", "on_delete",
                                    "on_update", "deferrable", "initially_deferred")
                        if getattr(fa, f) != getattr(fb, f)]
                self._change(ch.AlterForeignKey, ta, fb.name or fa.name, fa, fb, what)

    def _fk_target(self, fk) -> tuple:
        key = self.d.column_key
        return (tuple(map(key, fk.columns)), fk.ref_schema or "", self.d.table_key(fk.ref_table),
                tuple(map(key, fk.ref_columns)))

    def _fk_signature(self, fk) -> tuple:
        return self._fk_target(fk) + (fk.on_delete, fk.on_update, fk.deferrable, fk.initially_deferred)

    def checks(self, ta: Table, tb: Table) -> None:
        pairs, only_a, only_b = match(ta.checks, tb.checks, lambda c: c.expr, name_key=self.d.name_key)
        for ca in only_a:
            self._change(ch.DropCheck, ta, ca.name, before=ca)
        for cb in only_b:
            self._change(ch.AddCheck, ta, cb.name, after=cb)
        for ca, cb in pairs:
            if not self.d.same_expr(ca.expr, cb.expr):
                self._change(ch.AlterCheck, ta, cb.name, ca, cb, ("expr",))

    def exclusions(self, ta: Table, tb: Table) -> None:
        if "exclusions" in self.unknown:  # a source that cannot record them (a drizzle snapshot)
            return
        sig = self._exclusion_signature
        pairs, only_a, only_b = match(ta.exclusions, tb.exclusions, sig, name_key=self.d.name_key)
        for xa in only_a:
            self._change(ch.DropExclusion, ta, xa.name, before=xa)
        for xb in only_b:
            self._change(ch.AddExclusion, ta, xb.name, after=xb)
        for xa, xb in pairs:
            sa, sb = sig(xa), sig(xb)
            if sa != sb:
                what = [f for f, va, vb in zip(EXCLUSION_ATTRS, sa, sb) if va != vb]
                self._change(ch.AlterExclusion, ta, xb.name or xa.name, xa, xb, what)

    def _exclusion_signature(self, x: Exclusion) -> tuple:
        """The values of EXCLUSION_ATTRS, column names folded as the dialect matches them."""
        key = self.d.column_key
        elements = tuple(replace(e, column=key(e.column)) if e.column else e for e in x.elements)
        return (elements, x.method, x.predicate, tuple(map(key, x.include)), x.deferrable,
                x.initially_deferred)


def match(a: Iterable, b: Iterable, signature: Callable, loose: Callable | None = None,
          name_key: Callable[[str], str] = str):
    """Pair objects of two collections: first by name (as ``name_key`` folds it) where both sides
    name them, then — where one side leaves the name to the database (None) — by ``signature``
    (the definition), then by ``loose`` (a weaker definition, so that a changed object is an
    alter, not drop + add).

    Returns (pairs, only in a, only in b)."""
    a, b = list(a), list(b)
    pairs = []
    b_named = {name_key(x.name): x for x in b if x.name is not None}
    rest_a = []
    for x in a:
        y = b_named.pop(name_key(x.name), None) if x.name is not None else None
        if y is not None:
            pairs.append((x, y))
        else:
            rest_a.append(x)
    rest_b = [y for y in b if y.name is None or name_key(y.name) in b_named]
    for key in (signature, loose):
        if key is None:
            continue
        unmatched_a = []
        for x in rest_a:
            y = next((y for y in rest_b if (x.name is None or y.name is None) and key(x) == key(y)), None)
            if y is None:
                unmatched_a.append(x)
            else:
                pairs.append((x, y))
                rest_b.remove(y)
        rest_a = unmatched_a
    return pairs, rest_a, rest_b


def explain(a, b) -> str:
    """A readable explanation of why two IR values differ (deepdiff), for --debug and tests."""
    from deepdiff import DeepDiff

    def plain(x):
        return dataclasses.asdict(x) if dataclasses.is_dataclass(x) else x
    return DeepDiff(plain(a), plain(b), ignore_order=False, verbose_level=2).pretty()
