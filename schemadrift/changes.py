"""Changes (typed values that turn FROM into TO) and the Diff that holds them."""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import ClassVar

from .ir import ColumnType, Default, Exclusion, ExclusionElement, Schema

DIFF_FORMAT = "schemadrift-diff/1"

_PUBLIC_KINDS = {"add_exclusion": "add_index", "drop_exclusion": "drop_index",
                 "alter_exclusion": "alter_index"}

# rank of each kind inside one table, for a deterministic order
KIND_RANK = {k: i for i, k in enumerate((
    "add_enum", "alter_enum", "rename_table", "add_table", "alter_table",
    "drop_foreign_key", "drop_check", "drop_exclusion", "drop_index", "drop_unique", "drop_primary_key",
    "rename_column", "add_column", "alter_column", "drop_column",
    "add_primary_key", "alter_primary_key", "add_unique", "add_index", "alter_index",
    "add_check", "alter_check", "add_exclusion", "alter_exclusion", "add_foreign_key",
    "alter_foreign_key", "drop_table", "drop_enum"))}


@dataclass(frozen=True)
class Change:
    """One difference. ``table`` is the bare table name (None for schema-level objects such as
    enum types); ``schema`` the table's schema when it is not the default one; ``name`` the
    object's name; ``before``/``after`` the IR objects; ``what`` the attributes that differ for
    an ``alter_*`` change."""

    kind: ClassVar[str] = "change"
    table: str | None
    name: str | None = None
    before: object = None
    after: object = None
    what: tuple[str, ...] = ()
    schema: str | None = None

    @property
    def public_kind(self) -> str:
        """The kind as the contract names it (the JSON ``kind``): the contract has no kind for an
        exclusion constraint, an index with operators (PostgreSQL builds one for it), so its
        changes are ``add_index`` / ``drop_index`` / ``alter_index`` there, and their
        ``definition`` shows the operators."""
        return _PUBLIC_KINDS.get(self.kind, self.kind)

    @property
    def sort_key(self) -> tuple:
        return (self.schema or "", self.table or "", KIND_RANK[self.kind], self.name or "")

    @property
    def qualified_table(self) -> str | None:
        if self.table is None:
            return None
        return f"{self.schema}.{self.table}" if self.schema else self.table

    def attributes(self) -> dict[str, dict[str, object]]:
        """For an alter: each differing attribute with its before and after value."""
        out = {}
        for attr in self.what:
            out[attr] = {"before": _shown(_attr(self.before, attr)),
                         "after": _shown(_attr(self.after, attr))}
        return out

    def to_dict(self) -> dict:
        d: dict = {"kind": self.public_kind, "table": self.table, "name": self.name}
        if self.schema:
            d["schema"] = self.schema
        if self.what:
            d["attributes"] = self.attributes()
        elif self.after is not None or self.before is not None:
            d["definition"] = _plain(self.after if self.after is not None else self.before)
        if self.kind.startswith("rename_"):
            d["from"], d["to"] = _name_of(self.before), _name_of(self.after)
        return d


def _attr(obj, attr):
    if obj is None:
        return None
    return getattr(obj, attr, None)


def _shown(value):
    """Types and defaults as their SQL text; other values as plain data."""
    if isinstance(value, (ColumnType, Default)):
        return str(value)
    return _plain(value)


def _name_of(obj):
    return getattr(obj, "name", obj)


def _plain(value):
    """An IR value as plain JSON data (dataclasses → dicts without default-valued fields, except
    an exclusion constraint's method and operators, which say what it does even at their default)."""
    if isinstance(value, Exclusion):
        return _with_fields(value, method=value.method, elements=[_plain(e) for e in value.elements])
    if isinstance(value, ExclusionElement):
        return _with_fields(value, operator=value.operator)
    if dataclasses.is_dataclass(value):
        from .snapshot import _encode
        return _encode(value)
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    return value


def _with_fields(value, **shown) -> dict:
    """``value`` encoded as ``_plain`` does, with ``shown`` fields set, in field order."""
    from .snapshot import _encode
    out = {**_encode(value), **shown}
    return {f.name: out[f.name] for f in dataclasses.fields(value) if f.name in out}


def _kind(name: str):
    cls_name = "".join(p.capitalize() for p in name.split("_"))
    return dataclasses.dataclass(frozen=True)(type(cls_name, (Change,), {"kind": name,
                                                                        "__module__": __name__}))


AddTable = _kind("add_table")
DropTable = _kind("drop_table")


@dataclass(frozen=True)
class RenameTable(Change):
    """A confirmed table rename. ``columns`` pairs (old name, new name) of the confirmed renames
    of its columns (``renames={"old_table.old": "new"}``), whose values the plan copies across."""

    kind: ClassVar[str] = "rename_table"
    columns: tuple[tuple[str, str], ...] = ()

    def to_dict(self) -> dict:
        d = super().to_dict()
        if self.columns:
            d["columns"] = dict(self.columns)
        return d


AlterTable = _kind("alter_table")
AddColumn = _kind("add_column")
DropColumn = _kind("drop_column")
RenameColumn = _kind("rename_column")
AlterColumn = _kind("alter_column")
AddPrimaryKey = _kind("add_primary_key")
DropPrimaryKey = _kind("drop_primary_key")
AlterPrimaryKey = _kind("alter_primary_key")
AddIndex = _kind("add_index")
DropIndex = _kind("drop_index")
AlterIndex = _kind("alter_index")
AddUnique = _kind("add_unique")
DropUnique = _kind("drop_unique")
AddForeignKey = _kind("add_foreign_key")
DropForeignKey = _kind("drop_foreign_key")
AlterForeignKey = _kind("alter_foreign_key")
AddCheck = _kind("add_check")
DropCheck = _kind("drop_check")
AlterCheck = _kind("alter_check")
AddExclusion = _kind("add_exclusion")
DropExclusion = _kind("drop_exclusion")
AlterExclusion = _kind("alter_exclusion")
AddEnum = _kind("add_enum")
DropEnum = _kind("drop_enum")
AlterEnum = _kind("alter_enum")

KINDS = {cls.kind: cls for cls in (
    AddTable, DropTable, RenameTable, AlterTable, AddColumn, DropColumn, RenameColumn, AlterColumn,
    AddPrimaryKey, DropPrimaryKey, AlterPrimaryKey, AddIndex, DropIndex, AlterIndex, AddUnique,
    DropUnique, AddForeignKey, DropForeignKey, AlterForeignKey, AddCheck, DropCheck, AlterCheck,
    AddExclusion, DropExclusion, AlterExclusion, AddEnum, DropEnum, AlterEnum)}


@dataclass(frozen=True)
class RenameCandidate:
    """A drop and an add of the same shape: maybe a rename. Reported, never applied unless the
    caller confirms it (``renames=`` / ``--rename``)."""

    table: str | None
    old: str
    new: str
    evidence: str
    schema: str | None = None

    @property
    def confirm_with(self) -> str:
        return f"{self.table}.{self.old}={self.new}" if self.table else f"{self.old}={self.new}"

    def to_dict(self) -> dict:
        d = {"table": self.table, "from": self.old, "to": self.new, "evidence": self.evidence,
             "confirm_with": "--rename " + self.confirm_with}
        if self.schema:
            d["schema"] = self.schema
        return d


@dataclass(frozen=True)
class Diff:
    """The ordered, deterministic changes that turn ``from_schema`` into ``to_schema``."""

    changes: tuple[Change, ...]
    from_schema: Schema = field(compare=False)
    to_schema: Schema = field(compare=False)
    rename_candidates: tuple[RenameCandidate, ...] = ()
    not_compared: tuple[str, ...] = ()
    unknown: frozenset[str] = frozenset()

    def __iter__(self):
        return iter(self.changes)

    def __len__(self) -> int:
        return len(self.changes)

    def __bool__(self) -> bool:
        return bool(self.changes)

    @property
    def in_sync(self) -> bool:
        return not self.changes

    @property
    def dialect(self) -> str | None:
        return self.from_schema.dialect or self.to_schema.dialect

    def to_dict(self) -> dict:
        d = {"format": DIFF_FORMAT, "dialect": self.dialect, "in_sync": self.in_sync,
             "changes": [c.to_dict() for c in self.changes],
             "rename_candidates": [r.to_dict() for r in self.rename_candidates],
             "not_compared": list(self.not_compared)}
        if self.unknown:
            d["not_known_by_source"] = sorted(self.unknown)
        return d

    def summary(self) -> str:
        """One line: how many tables were added, dropped and changed, and so on."""
        from collections import Counter
        kinds = Counter(c.kind for c in self.changes)
        changed = {c.qualified_table for c in self.changes if c.table is not None
                   and c.kind not in ("add_table", "drop_table", "rename_table")}
        parts = []
        enums = kinds["add_enum"] + kinds["drop_enum"] + kinds["alter_enum"]
        for label, n in (("tables added", kinds["add_table"]), ("tables dropped", kinds["drop_table"]),
                         ("tables renamed", kinds["rename_table"]), ("tables changed", len(changed)),
                         ("enum types changed", enums)):
            if n:
                one = label.replace("tables", "table").replace("types", "type")
                parts.append(f"{n} {label if n != 1 else one}")
        if not parts:
            return "In sync: no differences."
        return f"{len(self.changes)} change{'s' if len(self.changes) != 1 else ''}: " + ", ".join(parts) + "."
