"""A small tokenizer and parser for the SQL text SQLite keeps in ``sqlite_schema``.

SQLite's pragmas report columns, indexes and foreign keys, but CHECK constraints, constraint
names, generated-column expressions, column collations, AUTOINCREMENT, deferrability, table
options and index expressions/predicates exist only in the ``CREATE TABLE`` / ``CREATE INDEX``
text. This module reads just those facts; it respects quotes, comments and parentheses and
otherwise skips what it does not need.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from typing import NamedTuple

__all__ = ["Tok", "tokenize", "parse_create_table", "parse_create_index", "canonical_expr",
           "split_top", "close", "ascii_lower", "TableText", "ColumnText", "FKText"]

_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
_SIMPLE_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")

#: words printed upper-case in canonical expressions (all other bare words are lower-cased)
KEYWORDS = frozenset("""AND OR NOT IS NULL IN BETWEEN LIKE GLOB REGEXP MATCH ESCAPE CASE WHEN THEN ELSE
END CAST AS COLLATE EXISTS DISTINCT TRUE FALSE CURRENT_TIMESTAMP CURRENT_DATE CURRENT_TIME ISNULL
NOTNULL ASC DESC SELECT FROM WHERE""".split())
#: every SQLite keyword (sqlite.org/lang_keywords.html): a name spelled like one stays quoted
SQLITE_KEYWORDS = frozenset("""ABORT ACTION ADD AFTER ALL ALTER ALWAYS ANALYZE AND AS ASC ATTACH
AUTOINCREMENT BEFORE BEGIN BETWEEN BY CASCADE CASE CAST CHECK COLLATE COLUMN COMMIT CONFLICT CONSTRAINT
CREATE CROSS CURRENT CURRENT_DATE CURRENT_TIME CURRENT_TIMESTAMP DATABASE DEFAULT DEFERRABLE DEFERRED
DELETE DESC DETACH DISTINCT DO DROP EACH ELSE END ESCAPE EXCEPT EXCLUDE EXCLUSIVE EXISTS EXPLAIN FAIL
FILTER FIRST FOLLOWING FOR FOREIGN FROM FULL GENERATED GLOB GROUP GROUPS HAVING IF IGNORE IMMEDIATE IN
INDEX INDEXED INITIALLY INNER INSERT INSTEAD INTERSECT INTO IS ISNULL JOIN KEY LAST LEFT LIKE LIMIT MATCH
MATERIALIZED NATURAL NO NOT NOTHING NOTNULL NULL NULLS OF OFFSET ON OR ORDER OTHERS OUTER OVER PARTITION
PLAN PRAGMA PRECEDING PRIMARY QUERY RAISE RANGE RECURSIVE REFERENCES REGEXP REINDEX RELEASE RENAME
REPLACE RESTRICT RETURNING RIGHT ROLLBACK ROW ROWS SAVEPOINT SELECT SET TABLE TEMP TEMPORARY THEN TIES TO
TRANSACTION TRIGGER UNBOUNDED UNION UNIQUE UPDATE USING VACUUM VALUES VIEW VIRTUAL WHEN WHERE WINDOW WITH
WITHOUT TRUE FALSE""".split())
_COLUMN_STOP = frozenset("CONSTRAINT PRIMARY NOT NULL UNIQUE CHECK DEFAULT COLLATE REFERENCES "
                         "GENERATED AS".split())
_TABLE_CONSTRAINT = frozenset("CONSTRAINT PRIMARY UNIQUE CHECK FOREIGN".split())


def ascii_lower(text: str) -> str:
    """SQLite folds only ASCII letters when it compares identifiers."""
    return text.lower() if text.isascii() else text.translate(_ASCII_LOWER)


class Tok(NamedTuple):
    """One token: ``kind`` is word, ident (quoted), string, blob, number or op; ``text`` as
    written, at offset ``start`` of ``src``."""

    kind: str
    text: str
    start: int
    src: str

    @property
    def value(self) -> str:
        """The identifier or string without its quotes (anything else: as written)."""
        text = self.text
        if self.kind == "string":
            return text[1:-1].replace("''", "'")
        if self.kind == "ident":
            return text[1:-1] if text[0] == "[" else text[1:-1].replace(text[0] * 2, text[0])
        return text

    @property
    def upper(self) -> str:
        return self.text.upper() if self.kind == "word" else ""


_TOKEN = re.compile(r"""
 (?P<space>\s+|--[^\n]*|/\*.*?(?:\*/|\Z))
|(?P<blob>[xX]'[^']*')
|(?P<string>'(?:[^']|'')*')
|(?P<ident>"(?:[^"]|"")*"|`(?:[^`]|``)*`|\[[^\]]*\])
|(?P<number>0[xX][0-9a-fA-F]+|(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?)
|(?P<word>[A-Za-z_\u0080-\uffff][\w$\u0080-\uffff]*)
|(?P<op>->>|\|\||<=|>=|<>|!=|==|<<|>>|->|.)
""", re.S | re.X)


_new_tok = tuple.__new__  # Tok(...) without the Python-level NamedTuple.__new__ frame


def tokenize(sql: str) -> list[Tok]:
    """Tokens of ``sql``, comments and whitespace dropped."""
    return [_new_tok(Tok, (m.lastgroup, m.group(), m.start(), sql)) for m in _TOKEN.finditer(sql)
            if m.lastgroup != "space"]


def close(toks: list[Tok], i: int) -> int:
    """Index of the ``)`` matching the ``(`` at ``i``."""
    depth = 0
    for j in range(i, len(toks)):
        t = toks[j]
        if t.kind == "op":  # (an op's value is its text)
            if t.text == "(":
                depth += 1
            elif t.text == ")":
                depth -= 1
                if depth == 0:
                    return j
    return len(toks) - 1


def split_top(toks: list[Tok], sep: str = ",") -> list[list[Tok]]:
    """Split on ``sep`` outside parentheses."""
    parts: list[list[Tok]] = [[]]
    depth = 0
    for t in toks:
        if t.kind == "op":  # (an op's value is its text)
            if t.text == "(":
                depth += 1
            elif t.text == ")":
                depth -= 1
            if depth == 0 and t.text == sep:
                parts.append([])
                continue
        parts[-1].append(t)
    return [p for p in parts if p]


def _text(toks: list[Tok]) -> str:
    """The source text a run of tokens spans (comments inside it included)."""
    if not toks:
        return ""
    return toks[0].src[toks[0].start:toks[-1].start + len(toks[-1].text)]


# -- canonical expressions -------------------------------------------------------------------
def _canonical_tok(t: Tok, call: bool) -> str:
    """One token in canonical spelling; ``call``: it names a function (a ``(`` follows)."""
    if t.kind == "word" and t.value.upper() in KEYWORDS and not call:
        return t.value.upper()
    if t.kind in ("word", "ident"):
        name = ascii_lower(t.value)
        if call or (_SIMPLE_IDENT.fullmatch(name) and name.upper() not in SQLITE_KEYWORDS):
            return name
        return '"' + name.replace('"', '""') + '"'
    if t.kind == "op":
        return {"==": "=", "!=": "<>"}.get(t.value, t.value)
    return t.text


def _strip_parens(toks: list[Tok]) -> list[Tok]:
    while len(toks) >= 2 and toks[0].kind == "op" and toks[0].value == "(" \
            and close(toks, 0) == len(toks) - 1:
        toks = toks[1:-1]
    return toks


@functools.lru_cache(maxsize=4096)
def canonical_expr(sql: str) -> str:
    """SQLite expression text in one canonical spelling: operator keywords upper-case, names
    lower-case (SQLite folds ASCII case of names) and unquoted unless they need quotes (not a
    plain identifier, or spelled like an SQLite keyword), ``==``/``!=``
    as ``=``/``<>``, one space between tokens except around parentheses, commas and dots, and
    redundant outer parentheses removed. String literals are kept as written."""
    out: list[str] = []
    before: Tok | None = None
    prev: Tok | None = None
    toks = _strip_parens(tokenize(sql))
    for i, t in enumerate(toks):
        if prev is not None and not _glued(before, prev, t):
            out.append(" ")
        nxt = toks[i + 1] if i + 1 < len(toks) else None
        call = t.kind == "word" and nxt is not None and nxt.kind == "op" and nxt.value == "(" \
            and t.value.upper() not in KEYWORDS
        out.append(_canonical_tok(t, call))
        before, prev = prev, t
    return "".join(out)


def _glued(before: Tok | None, prev: Tok, t: Tok) -> bool:
    """No space between ``prev`` and ``t`` (``before`` precedes ``prev``)."""
    if prev.kind == "op" and prev.value in ("(", "."):
        return True
    if t.kind == "op" and t.value in (")", ",", "."):
        return True
    if t.kind == "op" and t.value == "(" and prev.kind in ("word", "ident") and prev.upper not in KEYWORDS:
        return True  # a function call
    if prev.kind == "op" and prev.value in ("-", "+"):  # a sign, not a binary operator
        return before is None or (before.kind == "op" and before.value != ")") or before.upper in KEYWORDS
    return False


# -- CREATE TABLE ----------------------------------------------------------------------------
@dataclass
class FKText:
    name: str | None
    columns: tuple[str, ...]
    ref_table: str
    ref_columns: tuple[str, ...]
    deferred: bool = False


@dataclass
class ColumnText:
    name: str
    collation: str | None = None
    autoincrement: bool = False
    pk_name: str | None = None
    is_pk: bool = False
    generated: tuple[str, bool] | None = None  # (expr, stored)


@dataclass
class TableText:
    #: the columns with a fact (collation, AUTOINCREMENT, PRIMARY KEY, generated), by ascii-lower
    #: name; a column without any is left out (most are: this saves an object per column)
    columns: dict[str, ColumnText] = field(default_factory=dict)
    pk_name: str | None = None
    uniques: list[tuple[str | None, tuple[str, ...]]] = field(default_factory=list)
    checks: list[tuple[str | None, str]] = field(default_factory=list)
    foreign_keys: list[FKText] = field(default_factory=list)
    without_rowid: bool = False
    strict: bool = False


def parse_create_table(sql: str) -> TableText:
    """The facts of a ``CREATE TABLE`` statement that only its text holds."""
    sql = sql or ""
    if "--" not in sql and "/*" not in sql:  # (a comment could hide a parenthesis from the fast path)
        fast = _parse_create_table_fast(sql)
        if fast is not None:
            return fast
    return _parse_create_table(sql)


# The fast path skips plain column definitions (a name, type words, numbers, strings, flat
# parentheses and none of the words that carry a fact), every one in a row, with one regular
# expression instead of tokens: the token parser would find no fact in them. Any other item goes
# through the tokens. (The fact words as a trie behind a first-letter test: a third faster.
# Only keywords are matched without case, ``(?i:…)``: the rest has no letter whose case matters
# under re.ASCII, and matching it with IGNORECASE was slower.)
_FACT_WORD = (r"(?i:(?=[ACFGPRU])(?:A(?:S|UTOINCREMENT)|C(?:O(?:NSTRAINT|LLATE)|HECK)|PRIMARY|UNIQUE"
              r"|FOREIGN|REFERENCES|GENERATED))")
#: (no letter case in these classes: ``(?-i:…)`` spares compiling IGNORECASE's case tables for
#: the 65k-character range each time, which made compiling ``_PLAIN_STEP`` twice as slow)
_END_WORD = r"(?-i:(?![\w$\u0080-\uffff']))"
_PLAIN_WORD = rf"(?!{_FACT_WORD}{_END_WORD})[A-Za-z_][A-Za-z0-9_$]*{_END_WORD}"
_PLAIN_NUMBER = r"\d+(?:\.\d*)?(?-i:(?![\w$\u0080-\uffff.']))"
_PLAIN_ITEM = rf"""
    \s*(?:{_PLAIN_WORD}|"(?:[^"]|"")*"|`(?:[^`]|``)*`|\[[^\]]*\])
    (?:\s*(?:{_PLAIN_WORD}|{_PLAIN_NUMBER}|'(?:[^']|'')*'(?!')|[-+]
           |\((?:\s|{_PLAIN_WORD}|{_PLAIN_NUMBER}|[,+-])*\)))*
    \s*"""


_ANY_WORD = rf"[A-Za-z_][A-Za-z0-9_$]*{_END_WORD}"
_QUOTED = r'"(?:[^"]|"")*"|`(?:[^`]|``)*`|\[[^\]]*\]'
_NAME = rf"(?:{_ANY_WORD}|{_QUOTED})"
_NAMES = rf"{_NAME}(?:\s*,\s*{_NAME})*"
#: (a run of plain characters is taken whole, ``++``: no other item starts with one of them)
_ATOM = r"""[^()'"`\[\]]++|'(?:[^']|'')*'(?!')|""" + _QUOTED
_NESTED = rf"\((?:{_ATOM}|\((?:{_ATOM})*\))*\)"
#: a table constraint of the common shapes (an FK without MATCH / DEFERRABLE / schema)
_PLAIN_CONSTRAINT = rf"""
    \s*(?:(?i:CONSTRAINT)\s+(?P<name>{_NAME})\s+)?
    (?:(?P<pk>(?i:PRIMARY\s+KEY)\s*\((?:{_ATOM})*\))
      |(?i:UNIQUE)\s*\(\s*(?P<unique>{_NAMES})\s*\)
      |(?i:CHECK)\s*\((?P<check>(?:{_ATOM}|{_NESTED})*)\)
      |(?i:FOREIGN\s+KEY)\s*\(\s*(?P<fk>{_NAMES})\s*\)\s*(?i:REFERENCES)\s+(?P<ref>{_NAME})
       (?:\s*\(\s*(?P<ref_cols>{_NAMES})\s*\))?
       (?:\s+(?i:ON\s+(?:DELETE|UPDATE)\s+(?:CASCADE|RESTRICT|NO\s+ACTION|SET\s+NULL|SET\s+DEFAULT))
          {_END_WORD})*)
    \s*(?P<end>[,)])"""
#: one step of the fast path: the plain column definitions from a position on, then the last
#: one of the body (``colend``) or a plain table constraint (``item``), if either is there
_PLAIN_STEP = re.compile(
    rf"(?:{_PLAIN_ITEM},)*(?:{_PLAIN_ITEM}(?P<colend>\))|(?P<item>{_PLAIN_CONSTRAINT}))?", re.A | re.X)
#: the text up to the body's "(" when no quote or bracket comes before it
_PLAIN_HEAD = re.compile(r"[^(\"'`\[]*\(")
_NAME_RE = re.compile(_NAME, re.A)


def _name_value(text: str) -> str:
    return _new_tok(Tok, ("ident", text, 0, text)).value if text[0] in "\"`[" else text


def _name_values(text: str) -> tuple[str, ...]:
    if "," not in text:  # one name (names are separated by commas)
        return (_name_value(text),)
    return tuple(_name_value(m.group()) for m in _NAME_RE.finditer(text))


_ASCII_SPACE = " \t\n\r\f\v\x1c\x1d\x1e\x1f"


def _plain_constraint(groups: tuple, out: TableText) -> bool:
    """What ``_table_constraint`` reads from an item ``_PLAIN_CONSTRAINT`` matched (``_PLAIN_STEP``'s
    groups); False (and nothing read) when a CHECK body ends in non-ASCII white space, which the
    tokenizer may read as part of a word."""
    _, _, name, pk, unique, check, fk, ref, ref_cols, _ = groups
    if check is not None:
        check = check.strip(_ASCII_SPACE)
        if not check.isascii() and check != check.strip():
            return False
    name = _name_value(name) if name is not None else None
    if pk is not None:
        out.pk_name = name
    elif unique is not None:
        out.uniques.append((name, _name_values(unique)))
    elif check is not None:
        out.checks.append((name, check))
    else:
        out.foreign_keys.append(FKText(name, _name_values(fk), _name_value(ref),
                                       _name_values(ref_cols) if ref_cols is not None else ()))
    return True


def _parse_create_table_fast(sql: str) -> TableText | None:
    """``parse_create_table`` with plain column definitions skipped by ``_PLAIN_STEP``; None when
    the text does not have the shape the fast path needs (the token parser then reads it)."""
    out = TableText()
    m = _PLAIN_HEAD.match(sql)
    pos = m.end() if m is not None else next(
        (m.end() for m in _TOKEN.finditer(sql) if m.lastgroup == "op" and m.group() == "("), None)
    if pos is None:
        return None
    while True:
        m = _PLAIN_STEP.match(sql, pos)
        groups = m.groups()  # colend, item, name … ref_cols, end
        if groups[0] is not None or (groups[1] is not None and _plain_constraint(groups, out)):
            pos = m.end()
            if groups[0] is not None or groups[9] == ")":
                break
            continue
        pos = m.start("item") if groups[1] is not None else m.end()
        # the first item that is not plain: the rest of the body goes through the tokens
        rest = [_new_tok(Tok, (m.lastgroup, m.group(), m.start(), sql)) for m in _TOKEN.finditer(sql, pos)
                if m.lastgroup != "space"]
        end = close([_OPEN, *rest], 0) - 1  # unclosed: the last token, as the token parser does
        _items(rest[:end], out)
        _options(rest[end + 1:], out)
        return out
    tail = sql[pos:]
    if tail and not tail.isspace():  # (no options: TableText's defaults)
        _options(tokenize(tail), out)
    return out


_OPEN = Tok("op", "(", -1, "(")


def _parse_create_table(sql: str) -> TableText:
    """``parse_create_table`` on the tokens of the whole statement."""
    toks = tokenize(sql)
    out = TableText()
    start = next((i for i, t in enumerate(toks) if t.kind == "op" and t.value == "("), None)
    if start is None:
        return out  # CREATE TABLE … AS SELECT: nothing beyond the pragmas
    end = close(toks, start)
    _items(toks[start + 1:end], out)
    _options(toks[end + 1:], out)
    return out


def _items(body: list[Tok], out: TableText) -> None:
    """The column definitions and table constraints of a table body."""
    for item in split_top(body):
        if item[0].upper in _TABLE_CONSTRAINT and not (item[0].upper == "CONSTRAINT" and len(item) < 3):
            _table_constraint(item, out)
        else:
            _column(item, out)


def _options(after: list[Tok], out: TableText) -> None:
    """WITHOUT ROWID / STRICT from the tokens after the table body."""
    options = {t.upper for t in after if t.kind == "word"}
    out.without_rowid = "ROWID" in options
    out.strict = "STRICT" in options


def _names_in_parens(toks: list[Tok], i: int) -> tuple[tuple[str, ...], int]:
    """Column names of the parenthesised list at ``i`` (first token of each part) and the index
    after it."""
    j = close(toks, i)
    return tuple(p[0].value for p in split_top(toks[i + 1:j])), j + 1


def _table_constraint(item: list[Tok], out: TableText) -> None:
    name = None
    i = 0
    if item[0].upper == "CONSTRAINT":
        name, i = item[1].value, 2
    head = item[i].upper if i < len(item) else ""
    if head == "PRIMARY":
        out.pk_name = name
    elif head == "UNIQUE":
        j = next(k for k in range(i, len(item)) if item[k].value == "(")
        cols, _ = _names_in_parens(item, j)
        out.uniques.append((name, cols))
    elif head == "CHECK":
        j = i + 1
        out.checks.append((name, _text(item[j + 1:close(item, j)])))
    elif head == "FOREIGN":
        j = next(k for k in range(i, len(item)) if item[k].value == "(")
        cols, k = _names_in_parens(item, j)
        out.foreign_keys.append(_references(item, k + 1, name, cols))


def _references(toks: list[Tok], i: int, name: str | None, cols: tuple[str, ...]) -> FKText:
    """The REFERENCES clause whose table name is at ``i``."""
    ref_table = toks[i].value
    i += 1
    if i < len(toks) and toks[i].kind == "op" and toks[i].value == ".":  # schema-qualified
        ref_table, i = toks[i + 1].value, i + 2
    ref_cols: tuple[str, ...] = ()
    if i < len(toks) and toks[i].value == "(" and toks[i].kind == "op":
        ref_cols, i = _names_in_parens(toks, i)
    words = [t.upper for t in toks[i:]]
    deferred = any(words[k:k + 3] == ["DEFERRABLE", "INITIALLY", "DEFERRED"] for k in range(len(words)))
    deferred = deferred and not any(words[k:k + 2] == ["NOT", "DEFERRABLE"] for k in range(len(words)))
    return FKText(name, cols, ref_table, ref_cols, deferred)


def _column(item: list[Tok], out: TableText) -> None:
    col = ColumnText(name=item[0].value)
    i = 1
    while i < len(item) and item[i].upper not in _COLUMN_STOP:
        i = close(item, i) + 1 if item[i].value == "(" and item[i].kind == "op" else i + 1
    name = None
    while i < len(item):
        word = item[i].upper
        if word == "CONSTRAINT":
            name, i = item[i + 1].value, i + 2
            continue
        if word == "PRIMARY":
            col.is_pk, col.pk_name = True, name
        elif word == "AUTOINCREMENT":
            col.autoincrement = True
        elif word == "COLLATE" and i + 1 < len(item):
            col.collation = item[i + 1].value
            i += 1
        elif word == "UNIQUE":
            out.uniques.append((name, (col.name,)))
        elif word == "CHECK":
            j = close(item, i + 1)
            out.checks.append((name, _text(item[i + 2:j])))
            i = j
        elif word == "REFERENCES":
            rest = _until_constraint(item, i + 1)
            out.foreign_keys.append(_references(item[:rest], i + 1, name, (col.name,)))
            i = rest - 1
        elif word == "AS" and i + 1 < len(item) and item[i + 1].value == "(":
            j = close(item, i + 1)
            stored = j + 1 < len(item) and item[j + 1].upper == "STORED"
            col.generated = (_text(item[i + 2:j]), stored)
            i = j
        elif word in ("DEFAULT",) and i + 1 < len(item) and item[i + 1].value == "(":
            i = close(item, i + 1)
        if word in ("PRIMARY", "UNIQUE", "CHECK", "REFERENCES", "NOT", "NULL", "DEFAULT", "COLLATE", "AS"):
            name = None if word not in ("NOT",) else name
        i += 1
    if col.is_pk or col.autoincrement or col.collation is not None or col.generated is not None:
        out.columns[ascii_lower(col.name)] = col


def _until_constraint(item: list[Tok], i: int) -> int:
    """Index of the next column constraint after a REFERENCES clause starting at ``i``."""
    stops = _COLUMN_STOP - {"NOT", "NULL"}
    j = i
    while j < len(item):
        if item[j].kind == "op" and item[j].value == "(":
            j = close(item, j) + 1
            continue
        if item[j].upper in stops and not (item[j].upper == "DEFAULT" and item[j - 1].upper == "SET"):
            return j
        if item[j].upper == "NOT" and j + 1 < len(item) and item[j + 1].upper == "NULL":
            return j
        j += 1
    return j


# -- CREATE INDEX ----------------------------------------------------------------------------
_KEY = rf"(?!(?:ASC|DESC|COLLATE){_END_WORD}){_NAME}"  # (an index key named like these is no name)
_PLAIN_INDEX = re.compile(rf"""\s*CREATE\s+(?:UNIQUE\s+)?INDEX\s+{_NAME}(?:\s*\.\s*{_NAME})?\s+ON\s+{_NAME}
    \s*\(\s*(?P<columns>{_KEY}(?:\s*,\s*{_KEY})*)\s*\)\s*""", re.A | re.I | re.X)


def parse_create_index(sql: str) -> tuple[list[tuple[str, str | None]], str | None]:
    """The parts of a ``CREATE INDEX`` as (expression text without ASC/DESC/COLLATE, explicit
    collation) and its WHERE predicate text (None when it has none)."""
    m = _PLAIN_INDEX.fullmatch(sql or "")
    if m is not None:  # a list of plain column names: the fast path
        return [(n.group(), None) for n in _NAME_RE.finditer(m.group("columns"))], None
    return _parse_create_index(sql or "")


def _parse_create_index(sql: str) -> tuple[list[tuple[str, str | None]], str | None]:
    """``parse_create_index`` on the tokens of the whole statement."""
    toks = tokenize(sql)
    on = next(i for i, t in enumerate(toks) if t.upper == "ON")
    start = next(i for i in range(on, len(toks)) if toks[i].kind == "op" and toks[i].value == "(")
    end = close(toks, start)
    parts = []
    for part in split_top(toks[start + 1:end]):
        collation = None
        while part and part[-1].upper in ("ASC", "DESC"):
            part = part[:-1]
        if len(part) >= 2 and part[-2].upper == "COLLATE":
            collation, part = part[-1].value, part[:-2]
        parts.append((_text(part), collation))
    rest = toks[end + 1:]
    where = _text(rest[1:]) if rest and rest[0].upper == "WHERE" else None
    return parts, where


# -- CREATE TRIGGER ----------------------------------------------------------------------------
class TriggerRefs(NamedTuple):
    """What a ``CREATE TRIGGER`` uses: ``table``, the table it is on, and ``columns``, the
    ``(table, column)`` pairs (ASCII-lower) its WHEN clause and body may refer to by name."""

    table: str
    columns: frozenset[tuple[str, str]]
    #: every name (ASCII-lower) its WHEN clause and body may use as a table (``named``)
    tables: frozenset[str] = frozenset()

    def uses(self, table: str, column: str) -> bool:
        return (ascii_lower(table), ascii_lower(column)) in self.columns


def _is_name(t: Tok) -> bool:
    return t.kind == "ident" or (t.kind == "word" and t.upper not in SQLITE_KEYWORDS)


def _is_op(t: Tok | None, text: str) -> bool:
    return t is not None and t.kind == "op" and t.text == text


@functools.lru_cache(maxsize=1024)
def trigger_refs(sql: str) -> TriggerRefs | None:
    """The columns a trigger's text uses, as SQLite resolves them when a column is dropped:
    ``NEW.c`` / ``OLD.c`` (and a bare name in WHEN) are columns of the trigger's own table;
    ``x.c`` is a column of table ``x`` (or of the table aliased ``x``); a bare name in a body
    statement is a column of any table that statement names, except the column list of an
    ``INSERT INTO x (…)``, which is ``x``'s. Over-approximates (a name of another table's column
    in the same statement counts too) rather than missing one; ``UPDATE OF`` columns do not count
    (SQLite keeps the trigger when one is dropped). None when the text is not a trigger."""
    toks = tokenize(sql or "")
    head = _trigger_head(toks)
    if head is None:
        return None
    on, begin, name = head
    table = ascii_lower(toks[name].value)
    when = next((i for i in range(name + 1, begin) if toks[i].upper == "WHEN"), None)
    columns: set[tuple[str, str]] = set()
    if when is not None:
        _part_refs(toks[when + 1:begin], table, columns, own=True)
    for statement in split_top(toks[begin + 1:-1], ";"):
        _part_refs(statement, table, columns, own=False)
    return TriggerRefs(table, frozenset(columns), named(toks[name + 1:]))


def _trigger_head(toks: list[Tok]) -> tuple[int, int, int] | None:
    """Token positions of a CREATE TRIGGER's ``ON``, ``BEGIN`` and table name (the name after a
    ``schema.`` qualifier); None when the tokens are not a trigger."""
    on = next((i for i, t in enumerate(toks) if t.upper == "ON"), None)
    begin = next((i for i, t in enumerate(toks) if t.upper == "BEGIN"), None)
    if on is None or begin is None or on + 1 >= begin or toks[-1].upper != "END":
        return None
    return on, begin, on + 3 if _is_op(toks[on + 2] if on + 2 < begin else None, ".") else on + 1


def named(toks: list[Tok]) -> frozenset[str]:
    """The names (ASCII-lower) that ``toks`` may use as a table: each name that is not a
    function call nor a column after a qualifier (more than the tables, rather than fewer: the
    caller keeps those that are tables)."""
    return frozenset(ascii_lower(t.value) for i, t in enumerate(toks)
                     if _is_name(t) and not (i and _is_op(toks[i - 1], "."))
                     and not _is_op(toks[i + 1] if i + 1 < len(toks) else None, "("))


class ViewRefs(NamedTuple):
    """What a ``CREATE VIEW`` uses: the names it may use as tables, and the ``(table, column)``
    pairs (ASCII-lower) it may use, read as ``trigger_refs`` reads a body statement."""

    tables: frozenset[str]
    columns: frozenset[tuple[str, str]]


@functools.lru_cache(maxsize=1024)
def view_refs(sql: str) -> ViewRefs | None:
    """The tables and columns a view's SELECT names (over-approximated as ``trigger_refs`` is:
    a bare name counts for every table the SELECT names). None when the text is not a view."""
    toks = tokenize(sql or "")
    start = next((i for i, t in enumerate(toks) if t.upper == "AS"), None)
    if not toks or toks[0].upper != "CREATE" or start is None:
        return None
    columns: set[tuple[str, str]] = set()
    _part_refs(toks[start + 1:], "", columns, own=False)
    return ViewRefs(named(toks[start + 1:]), frozenset(columns))


def _part_refs(toks: list[Tok], table: str, out: set[tuple[str, str]], *, own: bool) -> None:
    """Add the (table, column) pairs of one part of a trigger (its WHEN clause, with ``own``, or
    one statement of its body) to ``out``."""
    names: set[str] = {table} if own else set()
    bare: set[str] = set()
    aliases: dict[str, str] = {}
    qualified: list[tuple[str, str]] = []
    n, i = len(toks), 0
    while i < n:
        t = toks[i]
        nxt = toks[i + 1] if i + 1 < n else None
        if t.upper == "INTO" and nxt is not None and _is_name(nxt):
            target = ascii_lower(nxt.value)
            names.add(target)
            j = i + 2
            if j < n and toks[j].upper == "AS":
                j += 2
            if j < n and _is_op(toks[j], "("):
                end = close(toks, j)
                out.update((target, ascii_lower(c.value)) for c in toks[j + 1:end] if _is_name(c))
                j = end + 1
            i = j
            continue
        if _is_name(t) or (t.kind == "word" and _is_op(nxt, ".")):
            value = ascii_lower(t.value)
            if _is_op(nxt, ".") and i + 2 < n and toks[i + 2].kind in ("word", "ident"):
                qualified.append((value, ascii_lower(toks[i + 2].value)))
                i += 3
                continue
            if _is_op(nxt, "("):  # a function call
                i += 1
                continue
            names.add(value)
            bare.add(value)
            k = i + 2 if nxt is not None and nxt.upper == "AS" else i + 1
            if k < n and _is_name(toks[k]) and not _is_op(toks[k + 1] if k + 1 < n else None, "."):
                aliases[ascii_lower(toks[k].value)] = value
        i += 1
    for q, column in qualified:
        out.add((table if q in ("new", "old") else aliases.get(q, q), column))
    out.update((t, column) for t in names for column in bare)


#: words after which a trigger's body names a table
_TABLE_AFTER = frozenset({"UPDATE", "INTO", "FROM", "JOIN"})


def retarget_trigger(sql: str, old: str, new: str) -> str | None:
    """``sql`` (a CREATE TRIGGER on table ``old``) for the table ``new`` (quoted as it is to be
    written): the table after ON, and each use of ``old`` as a table in the WHEN clause and the
    body (after UPDATE, INTO, FROM or JOIN, or qualifying a column: ``old.c``), also qualified
    by its schema (``main.old``, ``main.old.c``: the schema stays). None when the text is not a
    trigger on ``old``, or names ``old`` anywhere else (it could be a column or an alias: the
    text cannot be rewritten safely). A table named ``new`` or ``old``: ``NEW.c`` / ``OLD.c``
    is the trigger's row, not the table, and stays, unless the same statement also names the
    table (SQLite then reads the qualifier as the table: None)."""
    toks = tokenize(sql or "")
    head = _trigger_head(toks)
    if head is None:
        return None
    on, begin, name = head
    key = ascii_lower(old)
    if not _is_name(toks[name]) or ascii_lower(toks[name].value) != key:
        return None
    edits = [(toks[on + 1].start, toks[name].start + len(toks[name].text))]
    row = key in ("new", "old")  # NEW.c / OLD.c: the trigger's row
    part, rows, tables = 0, set(), set()  # (part: the WHEN clause, then each body statement)
    for i in range(name + 1, len(toks)):
        t = toks[i]
        if i == begin or _is_op(t, ";"):
            part += 1
        if t.kind not in ("word", "ident") or ascii_lower(t.value) != key:
            continue
        dotted = _is_op(toks[i + 1] if i + 1 < len(toks) else None, ".")
        if _is_op(toks[i - 1], "."):
            if ascii_lower(toks[i - 2].value) != "main":
                continue  # a column (NEW.old, alias.old) or another schema's table
            if not (dotted or toks[i - 3].upper in _TABLE_AFTER):
                return None  # main.old where neither a table nor a column's qualifier is expected
        elif row and dotted and toks[i - 1].upper not in _TABLE_AFTER:
            rows.add(part)
            continue
        elif not (toks[i - 1].upper in _TABLE_AFTER or dotted):
            return None
        tables.add(part)
        edits.append((t.start, t.start + len(t.text)))
    if rows & tables:
        return None
    for start, end in reversed(edits):
        sql = sql[:start] + new + sql[end:]
    return sql
