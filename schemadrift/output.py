"""Reports of a Diff for people and machines: text (grouped by table, ``+``/``-``/``~`` markers,
a summary line first, colors on request), JSON (the contract's ``schemadrift-diff/1``), Markdown
(for a pull-request comment) and SQL (the plan of the diff).

Plans have their own formats on ``Plan`` (``to_sql``, ``to_json``, ``to_text``).
"""
from __future__ import annotations

import json
import os
import re
import shlex
import sys
from dataclasses import dataclass, field

from .changes import Change, Diff
from .ir import Check, Column, EnumType, Exclusion, ForeignKey, Index, PrimaryKey, Table

FORMATS = ("text", "json", "markdown", "sql")

ADD, DROP, ALTER = "+", "-", "~"
_ANSI = {ADD: "32", DROP: "31", ALTER: "33", "bold": "1", "dim": "2"}
_PLAIN_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_$]*")
_OPTIONAL_NAME = ("primary key", "table")
_NOUNS = {"table": "table", "column": "column", "primary_key": "primary key", "index": "index",
          "unique": "unique", "foreign_key": "foreign key", "check": "check", "enum": "enum type",
          "exclusion": "exclusion constraint"}


def use_color(stream=None) -> bool:
    """Colors only on a terminal, and never when ``NO_COLOR`` is set (https://no-color.org)."""
    stream = stream or sys.stdout
    if os.environ.get("NO_COLOR"):
        return False
    return bool(getattr(stream, "isatty", lambda: False)())


def render_diff(d: Diff, fmt: str = "text", color: bool = False, extra: list[str] | None = None) -> str:
    """``d`` in one of FORMATS. ``extra``: statements of another engine (``compare --engine migra``)
    for objects the IR does not model, reported after the diff."""
    if fmt == "text":
        return diff_text(d, color=color, extra=extra)
    if fmt == "json":
        return diff_json(d, extra=extra)
    if fmt == "markdown":
        return diff_markdown(d, extra=extra)
    if fmt == "sql":
        from . import plan
        return plan(d).to_sql() + extra_sql(extra)
    raise ValueError(f"unknown format {fmt!r}")


def diff_json(d: Diff, extra: list[str] | None = None) -> str:
    """The contract's ``schemadrift-diff/1`` object (with ``migra_statements`` when given)."""
    data = d.to_dict()
    if extra is not None:
        data["in_sync"] = data["in_sync"] and not extra
        data["migra_statements"] = list(extra)
    return json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n"


_EXTRA_TITLE = "Objects schemadrift does not model, as migra would change them"


def extra_sql(extra: list[str] | None) -> str:
    """``extra`` statements as an SQL script section (empty when there are none)."""
    if not extra:
        return ""
    return f"\n-- {_EXTRA_TITLE}:\n" + "\n".join(s.rstrip().rstrip(";") + ";" for s in extra) + "\n"


# -- one line per change ---------------------------------------------------------------------------
@dataclass
class Line:
    """A change described for people: marker, noun, object name, definition and altered attributes."""

    marker: str
    noun: str
    name: str | None = None
    definition: str = ""
    attrs: list[tuple[str, str, str]] = field(default_factory=list)
    target: str | None = None  # the new name of a rename


def describe(c: Change) -> Line:
    """A Change as a Line (the shared model of the text and Markdown reports)."""
    verb, _, noun = c.kind.partition("_")
    marker = {"add": ADD, "drop": DROP}.get(verb, ALTER)
    obj = c.after if c.after is not None else c.before
    line = Line(marker, _NOUNS.get(noun, noun.replace("_", " ")), c.name)
    if verb == "rename":
        line.name, line.target = _name_of(c.before), _name_of(c.after)
    elif verb == "alter":
        if noun == "table":
            line.name = None  # the group heading already names it
        line.attrs = [(attr, _value(attr, v["before"]), _value(attr, v["after"]))
                      for attr, v in c.attributes().items()]
    elif noun != "table":
        line.definition = definition(obj)
    return line


def definition(obj) -> str:
    """A short SQL-like definition of an IR object, for reports."""
    if isinstance(obj, Column):
        return column_definition(obj)
    if isinstance(obj, PrimaryKey):
        return _cols(obj.columns)
    if isinstance(obj, Index):
        return index_definition(obj)
    if isinstance(obj, ForeignKey):
        return fk_definition(obj)
    if isinstance(obj, Check):
        return f"({obj.expr})"
    if isinstance(obj, Exclusion):
        return obj.raw or exclusion_definition(obj)
    if isinstance(obj, EnumType):
        return "(" + ", ".join(_sql_string(v) for v in obj.values) + ")"
    return ""


def exclusion_definition(x: Exclusion) -> str:
    elements = ", ".join(f"{e.column or e.expr} WITH {e.operator}" for e in x.elements)
    return f"EXCLUDE USING {x.method} ({elements})" + (f" WHERE ({x.predicate})" if x.predicate else "")


def column_definition(c: Column) -> str:
    parts = [str(c.type)]
    if not c.nullable:
        parts.append("NOT NULL")
    if c.default is not None:
        parts.append(f"DEFAULT {c.default}")
    if c.identity is not None:
        parts.append("AUTOINCREMENT" if c.identity.kind == "autoincrement"
                     else f"IDENTITY {c.identity.kind.replace('_', ' ')}")
    if c.generated is not None:
        parts.append(f"GENERATED ({c.generated.expr}){' STORED' if c.generated.stored else ''}")
    if c.collation:
        parts.append(f"COLLATE {c.collation}")
    if c.comment:
        parts.append(f"COMMENT {_sql_string(c.comment)}")
    return " ".join(parts)


def index_definition(ix: Index) -> str:
    parts = []
    for p in ix.parts:
        text = shown_name(p.column) if p.column is not None else f"({p.expr})"
        if p.prefix_length:
            text += f"({p.prefix_length})"
        if p.descending:
            text += " DESC"
        if p.nulls:
            text += f" NULLS {p.nulls.upper()}"
        parts.append(text)
    out = ("UNIQUE " if ix.unique and not ix.is_constraint else "") + "(" + ", ".join(parts) + ")"
    if ix.method:
        out += f" USING {ix.method}"
    if ix.include:
        out += " INCLUDE " + _cols(ix.include)
    if ix.predicate:
        out += f" WHERE {ix.predicate}"
    return out


def fk_definition(fk: ForeignKey) -> str:
    target = shown_name(fk.ref_table) if not fk.ref_schema else \
        f"{shown_name(fk.ref_schema)}.{shown_name(fk.ref_table)}"
    out = f"{_cols(fk.columns)} → {target}{_cols(fk.ref_columns)}"
    if fk.on_delete != "NO ACTION":
        out += f" ON DELETE {fk.on_delete}"
    if fk.on_update != "NO ACTION":
        out += f" ON UPDATE {fk.on_update}"
    if fk.deferrable:
        out += " DEFERRABLE" + (" INITIALLY DEFERRED" if fk.initially_deferred else "")
    return out


def shown_name(name: str | None) -> str:
    """A name as people read it: bare when it is a plain identifier, else in double quotes
    (inner quotes doubled, control characters escaped) so that spaces and quotes stay visible."""
    if name is None:
        return "(unnamed)"
    if _PLAIN_NAME.fullmatch(name):
        return name
    escaped = name.replace('"', '""')
    escaped = "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in escaped)
    return f'"{escaped}"'


def _cols(names) -> str:
    return "(" + ", ".join(shown_name(n) for n in names) + ")"


def _sql_string(text: str) -> str:
    return "'" + str(text).replace("'", "''") + "'"


def _name_of(obj) -> str | None:
    return getattr(obj, "name", obj)


def _value(attr: str, value) -> str:
    """An attribute value of an alter change, as text."""
    if attr == "nullable" and isinstance(value, bool):
        return "NULL" if value else "NOT NULL"
    if value is None:
        return "(none)"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if attr == "comment":
        return _sql_string(value)
    if isinstance(value, dict):
        if attr == "identity":
            kind = str(value.get("kind", "")).replace("_", " ")
            return " ".join([kind] + [f"{k} {v}" for k, v in value.items() if k != "kind"])
        return "{" + ", ".join(f"{k}={_value(k, v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        if attr == "options":
            return ", ".join(f"{k}={v}" for k, v in value) if value else "(none)"
        if attr in ("columns", "ref_columns", "include"):
            return _cols(value)
        if attr == "values":
            return "(" + ", ".join(_sql_string(v) for v in value) + ")"
        if attr == "parts":
            return index_definition(Index(None, tuple(_part(p) for p in value)))
        return "[" + ", ".join(_value(attr, v) for v in value) + "]"
    return str(value)


def _part(data):
    from .ir import IndexPart
    return IndexPart(**data) if isinstance(data, dict) else IndexPart(column=str(data))


# -- grouping ----------------------------------------------------------------------------------------
@dataclass
class Group:
    """The changes of one table (or of the schema-level objects, ``table`` None)."""

    title: str
    marker: str
    note: str = ""
    lines: list[Line] = field(default_factory=list)
    is_table: bool = True

    @property
    def heading(self) -> str:
        """The group's note as a phrase: ``new table: 2 columns``, ``renamed to x``…"""
        if self.marker == ADD:
            return f"new table: {self.note}"
        if self.marker == DROP:
            return f"dropped table: {self.note}"
        return self.note


def groups(d: Diff) -> list[Group]:
    """The changes grouped by table, in the Diff's order; schema-level objects (enum types) first."""
    out: dict[tuple, Group] = {}
    for c in d.changes:
        if c.table is None:
            group = out.setdefault(("", ""), Group("schema-level objects", ALTER, is_table=False))
            group.lines.append(describe(c))
            continue
        key = (c.schema or "", c.table)
        title = ".".join(shown_name(p) for p in (c.schema, c.table) if p)
        if c.kind in ("add_table", "drop_table"):
            table = c.after if c.kind == "add_table" else c.before
            marker = ADD if c.kind == "add_table" else DROP
            out[key] = Group(title, marker, _table_note(table))
            continue
        if c.kind == "rename_table":
            moved = ", ".join(f"{shown_name(a)} → {shown_name(b)}" for a, b in getattr(c, "columns", ()))
            out[key] = Group(title, ALTER, f"renamed to {shown_name(_name_of(c.after))}"
                             + (f" (column {moved})" if moved else ""))
            continue
        group = out.setdefault(key, Group(title, ALTER))
        group.lines.append(describe(c))
    return list(out.values())


def _table_note(t: Table) -> str:
    if not isinstance(t, Table):
        return ""
    counts = [f"{len(t.columns)} column{'s' if len(t.columns) != 1 else ''}"]
    if t.indexes:
        counts.append(f"{len(t.indexes)} index{'es' if len(t.indexes) != 1 else ''}")
    if t.foreign_keys:
        counts.append(f"{len(t.foreign_keys)} foreign key{'s' if len(t.foreign_keys) != 1 else ''}")
    return ", ".join(counts)


def summary(d: Diff, extra: list[str] | None = None) -> str:
    """The summary line: ``Diff.summary()``, or what another engine found when the IR is in sync."""
    if d.in_sync and extra:
        n = len(extra)
        return (f"In sync for the objects schemadrift models; migra reports {n} more "
                f"statement{'s' * (n != 1)}.")
    return d.summary()


# -- text ----------------------------------------------------------------------------------------
def diff_text(d: Diff, color: bool = False, extra: list[str] | None = None) -> str:
    """The report for people: summary line, then one block per table, then rename candidates
    and what was not compared (and ``extra`` statements of another engine)."""
    paint = _painter(color)
    out = [paint("bold", summary(d, extra))]
    previous: Group | None = None
    for g in groups(d):
        if previous is None or previous.lines or g.lines:  # added/dropped tables stay one list
            out.append("")
        previous = g
        head = f"{g.marker} {g.title}" + (f"  ({g.heading})" if g.heading else "")
        out.append(paint(g.marker, paint("bold", head)))
        out += [paint(line.marker, "    " + text_line(line)) for line in g.lines]
    out += _text_footer(d, paint)
    if extra:
        out += ["", paint("bold", _EXTRA_TITLE + ":")]
        out += ["    " + line for s in extra for line in s.strip().splitlines()]
    return "\n".join(out) + "\n"


def text_line(line: Line) -> str:
    """One change as plain text."""
    head = f"{line.marker} {line.noun}"
    if line.name is not None or line.noun not in _OPTIONAL_NAME:
        head += f" {shown_name(line.name)}"
    if line.target is not None:
        return f"{head} → {shown_name(line.target)} (rename)"
    if line.attrs:
        return head + ": " + "; ".join(f"{a} {b} → {c}" for a, b, c in line.attrs)
    return f"{head} {line.definition}".rstrip()


def _text_footer(d: Diff, paint) -> list[str]:
    out = []
    if d.rename_candidates:
        out += ["", paint("bold", "Possible renames (reported as drop + add; confirm with --rename):")]
        for r in d.rename_candidates:
            where = ".".join(shown_name(p) for p in (r.schema, r.table) if p)
            what = f"column {where}." if r.table else ("table " + (f"{shown_name(r.schema)}." if r.schema
                                                                   else ""))
            out.append(f"    {what}{shown_name(r.old)} → {shown_name(r.new)}: {r.evidence}   "
                       + paint("dim", rename_option(r)))
    if d.not_compared:
        out += ["", paint("bold", "Not compared (schemadrift does not model these objects):")]
        out += [f"    {item}" for item in d.not_compared]
    if d.unknown:
        out += ["", paint("bold", "Not compared (one side cannot record it): ")
                + ", ".join(sorted(d.unknown))]
    return out


def rename_option(r) -> str:
    """The option that confirms rename candidate ``r``, quoted for a POSIX shell where needed."""
    return "--rename " + shlex.quote(r.confirm_with)


def _painter(color: bool):
    def paint(style: str, text: str) -> str:
        code = _ANSI.get(style)
        return f"\x1b[{code}m{text}\x1b[0m" if color and code else text
    return paint


# -- markdown ------------------------------------------------------------------------------------
def diff_markdown(d: Diff, extra: list[str] | None = None) -> str:
    """The report as Markdown, for a pull-request comment."""
    title = "in sync" if d.in_sync and not extra else "schema drift"
    out = [f"### schemadrift: {title}", "", f"**{_md_escape(summary(d, extra))}**"]
    for g in groups(d):
        note = f" ({_md_escape(g.note)})" if g.note else ""
        title = f"{_MD_WORD[g.marker]} table {code(g.title)}" if g.is_table else "Schema-level objects"
        out += ["", f"#### {title}{note}"]
        if g.lines:
            out.append("")
        out += [f"- {md_line(line)}" for line in g.lines]
    if d.rename_candidates:
        out += ["", "#### Possible renames", "",
                "Reported as drop + add; confirm a rename with the option shown.", ""]
        for r in d.rename_candidates:
            where = f"{r.table}." if r.table else ""
            out.append(f"- {code(where + r.old)} → {code(r.new)}: {_md_escape(r.evidence)} "
                       f"({code(rename_option(r))})")
    if d.not_compared:
        out += ["", "<details><summary>Not compared</summary>", ""]
        out += [f"- {code(item)}" for item in d.not_compared]
        out += ["", "</details>"]
    if d.unknown:
        out += ["", "Not compared (one side cannot record it): "
                + ", ".join(code(x) for x in sorted(d.unknown))]
    if extra:
        fence = "~~~~"
        out += ["", f"#### {_EXTRA_TITLE}", "", fence + "sql"]
        out += [s.strip() for s in extra]
        out += [fence]
    return "\n".join(out) + "\n"


_MD_WORD = {ADD: "Added", DROP: "Dropped", ALTER: "Changed"}


def md_line(line: Line) -> str:
    """One change as a Markdown list item."""
    verb = {ADD: "added", DROP: "dropped", ALTER: "changed"}[line.marker]
    name = "" if line.name is None and line.noun in _OPTIONAL_NAME else " " + code(line.name or "(unnamed)")
    head = f"{line.noun}{name}"
    if line.target is not None:
        return f"**renamed** {head} → {code(line.target)}"
    if line.attrs:
        return f"**{verb}** {head}: " + "; ".join(f"{a} {code(b)} → {code(c)}" for a, b, c in line.attrs)
    return f"**{verb}** {head}" + (f" {code(line.definition)}" if line.definition else "")


def code(text: str) -> str:
    """``text`` as a Markdown code span, whatever backticks it holds."""
    text = " ".join(str(text).splitlines())
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") or not text.strip() else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _md_escape(text: str) -> str:
    return re.sub(r"([\\`*_\[\]<>|#])", r"\\\1", text)
