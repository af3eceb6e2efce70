"""The names PostgreSQL gives objects the user leaves unnamed, computed as the server does.

``object_name`` is ``makeObjectName`` and ``index_column_names`` is ``ChooseIndexColumnNames`` with
``FigureIndexColname`` (src/backend/commands/indexcmds.c, src/backend/parser/parse_target.c): an
expression element is named after its function (``lower(note)`` → ``lower``), a cast after its
operand or else its type, anything else ``expr``. The counter the server appends when the name is
taken already (``…_excl1``) depends on the database's other objects and is not computed.
"""
from __future__ import annotations

from .postgresql_expr import _cast_end, _close, _tokens, _word

MAX_IDENT = 63  # NAMEDATALEN - 1, in bytes

#: keyword operators: an expression with one of them at its top level is named ``expr``
_OPERATOR_WORDS = {"and", "or", "not", "is", "in", "like", "ilike", "similar", "between", "isnull",
                   "notnull", "overlaps", "at", "escape"}
#: SQL type names → the catalog name the grammar turns them into (a cast's column name)
_TYPE_NAMES = {"int": "int4", "integer": "int4", "smallint": "int2", "bigint": "int8",
               "real": "float4", "float": "float8", "double precision": "float8",
               "boolean": "bool", "character varying": "varchar", "char": "bpchar",
               "character": "bpchar", "decimal": "numeric", "dec": "numeric",
               "timestamp with time zone": "timestamptz", "timestamp without time zone": "timestamp",
               "time with time zone": "timetz", "time without time zone": "time"}
_TRIM = {"both": "btrim", "leading": "ltrim", "trailing": "rtrim"}


def _clip(data: bytes, limit: int) -> str:
    """The longest whole-character prefix of ``data`` within ``limit`` bytes (``pg_mbcliplen``)."""
    return data[:limit].decode(errors="ignore")


def object_name(name1: str, name2: str | None, label: str | None) -> str:
    """``name1_name2_label`` within 63 bytes, the longer of the two names cut first."""
    b1, b2 = name1.encode(), (name2 or "").encode()
    overhead = (name2 is not None) + (len(label.encode()) + 1 if label else 0)
    n1, n2 = len(b1), len(b2)
    while n1 + n2 > MAX_IDENT - overhead:
        if n1 > n2:
            n1 -= 1
        else:
            n2 -= 1
    name = _clip(b1, n1)
    if name2 is not None:
        name += "_" + _clip(b2, n2)
    return name + ("_" + label if label else "")


def name_addition(colnames: list[str]) -> str:
    """The column names joined with ``_``, stopping once 64 bytes are reached."""
    buf = b""
    for name in colnames:
        if buf:
            buf += b"_"
        buf += name.encode()[:MAX_IDENT]
        if len(buf) > MAX_IDENT:
            break
    return buf.decode(errors="ignore")


def index_column_names(elements: list[tuple[str | None, str | None]]) -> list[str]:
    """The name of each (column, expression) element, a repeated one numbered (``lower1``)."""
    out: list[str] = []
    for column, expr in elements:
        orig = column if column is not None else (figure_colname(expr or "") or "expr")
        name, i = orig, 1
        while name in out:
            name = _clip(orig.encode(), MAX_IDENT - len(str(i))) + str(i)
            i += 1
        out.append(name)
    return out


def figure_colname(expr: str) -> str | None:
    """The name the server gives an index expression's column; None where it is ``expr``."""
    return _colname(_tokens(expr))[0]


def _unquote(tok: str) -> str:
    return tok[1:-1].replace('""', '"') if tok.startswith('"') else tok


def _name_tok(tok: str) -> bool:
    return _word(tok) or tok.startswith('"')


def _dotted(toks: list[str]) -> bool:
    """``a``, ``s.t.c``: names joined by dots."""
    return len(toks) % 2 == 1 and all(
        _name_tok(t) if i % 2 == 0 else t == "." for i, t in enumerate(toks))


def _top(toks: list[str]):
    """(index, token) of each token outside brackets."""
    depth = 0
    for i, t in enumerate(toks):
        if t in ("(", "["):
            depth += 1
        elif t in (")", "]"):
            depth -= 1
        elif depth == 0:
            yield i, t


def _colname(toks: list[str]) -> tuple[str | None, int]:
    """``FigureColnameInternal``: (name, strength); strength 1 is a type name, 0 none."""
    if not toks:
        return None, 0
    if toks[0] == "(" and _close(toks, 0) == len(toks) - 1:
        return _colname(toks[1:-1])
    if toks[0] == "case" and toks[-1] == "end" and _case_end(toks) == len(toks) - 1:
        return "case", 2
    top = list(_top(toks))
    if any(t in _OPERATOR_WORDS or not (_name_tok(t) or t in ("::", ".", "(", "["))
           for _, t in top):
        return None, 0  # an operator or a constant at the top level
    casts = [i for i, t in top if t == "::"]
    if casts:
        return _cast(toks[:casts[-1]], toks[casts[-1] + 1:])
    collate = [i for i, t in top if t == "collate"]
    if collate:
        return _colname(toks[:collate[-1]])
    if toks[-1] == "]":
        last = len(toks) - 1
        start = max((i for i, t in enumerate(toks) if t == "[" and _close(toks, i) == last), default=0)
        return ("array", 2) if toks[:start] == ["array"] else _colname(toks[:start])
    return _call_or_name(toks)


def _case_end(toks: list[str]) -> int:
    """Index of the ``end`` that closes the ``case`` at 0."""
    depth = 0
    for i, t in _top(toks):
        depth += t == "case"
        depth -= t == "end"
        if depth == 0:
            return i
    return -1


def _cast(operand: list[str], type_toks: list[str]) -> tuple[str | None, int]:
    """``operand::type``: the operand's name, else (a constant, an operator) the type's."""
    end, _ = _cast_end(["::"] + type_toks, 0)
    if end != len(type_toks) + 1:
        return None, 0
    name, strength = _colname(operand)
    if strength > 1:
        return name, strength
    head = type_toks[:type_toks.index("(")] if "(" in type_toks else type_toks
    words = [t for t in head if t not in ("[", "]")]
    if "." in words:
        return _unquote(words[-1]), 1
    spelled = " ".join(words)
    return _TYPE_NAMES.get(spelled, _unquote(spelled)), 1


def _call_or_name(toks: list[str]) -> tuple[str | None, int]:
    if _dotted(toks):
        return (None, 0) if toks in (["true"], ["false"], ["null"]) else (_unquote(toks[-1]), 2)
    if len(toks) >= 3 and toks[-2] == "." and _name_tok(toks[-1]) and toks[0] == "(" \
            and _close(toks, 0) == len(toks) - 3:
        return _unquote(toks[-1]), 2  # (composite).field
    paren = toks.index("(") if "(" in toks else -1
    if paren < 1 or not _dotted(toks[:paren]) or _close(toks, paren) != len(toks) - 1:
        return None, 0
    name, args = toks[paren - 1], toks[paren + 1:-1]
    if name == "cast" and paren == 1:
        as_at = [i for i, t in _top(args) if t == "as"]
        return _cast(args[:as_at[-1]], args[as_at[-1] + 1:]) if as_at else (None, 0)
    if name == "trim" and paren == 1:
        return _TRIM.get(args[0] if args else "", "btrim"), 2
    return _unquote(name), 2
