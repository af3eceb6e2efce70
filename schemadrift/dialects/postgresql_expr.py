"""PostgreSQL expression text → one canonical spelling (CHECK bodies, index expressions and
predicates, defaults).

The server prints expressions with ``pg_get_expr(..., true)``: it adds the casts it resolved
(``'x'::text``, ``(a)::text``), turns ``IN (…)`` into ``= ANY (ARRAY[…])``, ``BETWEEN`` into two
comparisons and ``LIKE`` into ``~~``, and keeps only some parentheses. A model says the same thing
the way its author wrote it. ``normalize_sql`` brings both to one text that is still valid SQL with
the same meaning; it tokenizes, it does not parse, so it handles what the server does to ordinary
expressions and leaves anything it does not recognise as written.
"""
from __future__ import annotations

import functools
import re
from decimal import Decimal

_TOKEN = re.compile(r"""
    (?P<str>[eEbBxXnN]?'(?:[^']|'')*')
  | (?P<qid>"(?:[^"]|"")*")
  | (?P<num>(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)
  | (?P<word>[^\W\d][\w$]*)
  | (?P<cast>::)
  | (?P<punct>[()\[\],.;])
  | (?P<op>[-+*/<>=~!@#%^&|`?]+)
  | (?P<ws>\s+)
""", re.X)
#: words after which a "(" opens a grouping, not a call or a list
_CONNECTIVES = {"and", "or", "not", "when", "then", "else", "case", "between", "like", "ilike",
                "similar", "to", "is", "escape", "distinct", "from", "on", "where", "by"}
#: multi-word type names that may follow "::"
_TYPE_WORDS = {"varying", "precision", "with", "without", "time", "zone"}
#: casts the server adds to column references (implicit coercions of character types)
_TEXT_CASTS = {"text", "varchar", "character varying", "bpchar", "character", "name"}
#: widening casts the server adds to columns and expressions to match an operand's type
_WIDENING_CASTS = _TEXT_CASTS | {"numeric", "bigint", "double precision", "real"}
_NUMBER_CASTS = {"numeric", "bigint", "integer", "smallint", "double precision", "real"}
#: operators the server prints for keyword operators
_OPERATOR_WORDS = {"~~": ["like"], "~~*": ["ilike"], "!~~": ["not", "like"], "!~~*": ["not", "ilike"]}
_COMPARISONS = {"=", "<>", "!=", "<", ">", "<=", ">=", "like", "ilike"}
_LOOSE = _COMPARISONS | {"and", "or", "not", "is", "in", "between", "similar", "isnull", "notnull"}


def _tokens(text: str) -> list[str]:
    out, pos = [], 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None:  # a character no rule knows: keep it as its own token
            out.append(text[pos])
            pos += 1
            continue
        pos = m.end()
        if m.lastgroup == "ws":
            continue
        tok = m.group()
        if m.lastgroup == "word":
            out.append(tok.lower())
        elif m.lastgroup == "op" and tok in _OPERATOR_WORDS:
            out += _OPERATOR_WORDS[tok]
        elif m.lastgroup == "num" and tok[-1:].isdigit() and "e" in tok.lower():
            out.append(format(Decimal(tok), "f"))
        else:
            out.append(tok)
    return out


_ATOM = re.compile(r"[eEbBxXnN]?'.*'|\".*\"|\d[\w.]*|\.\d\w*|[^\W\d][\w$]*", re.S)


def _is_atom(tok: str) -> bool:
    """A literal, a quoted identifier, a number or a word."""
    return bool(_ATOM.fullmatch(tok))


def _close(toks: list[str], i: int) -> int:
    """Index of the bracket closing the one at ``i``."""
    depth, pair = 0, {"(": ")", "[": "]"}[toks[i]]
    for j in range(i, len(toks)):
        if toks[j] == toks[i]:
            depth += 1
        elif toks[j] == pair:
            depth -= 1
            if depth == 0:
                return j
    return len(toks) - 1


def _operand_start(toks: list[str], end: int) -> int:
    """Start index of the operand that ends at ``end`` (a cast's left side)."""
    if toks[end] in (")", "]"):
        depth = 0
        for i in range(end, -1, -1):
            depth += toks[i] in (")", "]")
            depth -= toks[i] in ("(", "[")
            if depth == 0:
                start = i
                break
        else:
            return 0
        if start > 0 and (toks[start - 1] == "array" or (_word(toks[start - 1])
                                                         and toks[start - 1] not in _CONNECTIVES)):
            start -= 1
        return start
    start = end
    while start >= 2 and toks[start - 1] == "." and _is_atom(toks[start - 2]):
        start -= 2
    return start


def _word(tok: str) -> bool:
    return bool(re.fullmatch(r"[^\W\d][\w$]*", tok))


def _cast_end(toks: list[str], i: int) -> tuple[int, str]:
    """Given ``toks[i] == '::'``, the index after the type name and the type's base name."""
    j = i + 1
    words = []
    while j < len(toks) and (_word(toks[j]) or toks[j].startswith('"')) and (
            not words or toks[j] in _TYPE_WORDS):
        words.append(toks[j])
        j += 1
    while j + 1 < len(toks) and toks[j] == "." and (_word(toks[j + 1]) or toks[j + 1].startswith('"')):
        words.append(toks[j + 1])
        j += 2
    if j < len(toks) and toks[j] == "(":
        j = _close(toks, j) + 1
    while j + 1 < len(toks) and toks[j] == "[" and toks[j + 1] == "]":
        j += 2
    return j, " ".join(words)


def _strip_casts(toks: list[str]) -> list[str]:
    """Drop casts the server adds: on literals, on ARRAY[...] of literals, and text casts on columns."""
    i = 0
    while i < len(toks):
        if toks[i] != "::" or i == 0:
            i += 1
            continue
        end, type_name = _cast_end(toks, i)
        start = _operand_start(toks, i - 1)
        operand = toks[start:i]
        inner = operand[1:-1] if operand[0] == "(" and operand[-1] == ")" else operand
        literal = (len(inner) == 1 and (inner[0][-1] == "'" or inner[0][0].isdigit())
                   or len(inner) == 2 and inner[0] == "-" and inner[1][0].isdigit())
        array = inner[:1] == ["array"]
        column = all(_is_atom(t) or t == "." for t in inner) and inner and type_name in _TEXT_CASTS \
            and not (inner[0][-1] == "'")
        widened = (operand[0] == "(" and len(inner) > 1 and type_name in _WIDENING_CASTS - _TEXT_CASTS
                   and _arithmetic(inner) and any(t in "+-*/%" for t in inner))
        if literal or array or column or widened:
            del toks[i:end]
            if literal and inner[0][-1] == "'":
                toks[start:i] = [_literal_value(inner[0], type_name)]
                i = start + 1
            elif inner is not operand and len(inner) == 1:
                toks[start:i] = inner
                i = start + 1
            continue
        i = end
    return toks


def _literal_value(literal: str, type_name: str) -> str:
    """A string literal the server cast to ``type_name``, as a model would write it."""
    body = literal[1:-1]
    if type_name in _NUMBER_CASTS and re.fullmatch(r"[-+]?(\d+\.?\d*|\.\d+)", body):
        return body
    if type_name in ("timestamp", "timestamp without time zone") and body.endswith(" 00:00:00"):
        return f"'{body[:-9]}'"
    return literal


def _any_to_in(toks: list[str]) -> list[str]:
    """``x = ANY (ARRAY[a, b])`` → ``x in (a, b)``; ``x <> ALL (ARRAY[...])`` → ``x not in (...)``."""
    i = 0
    while i + 3 < len(toks):
        if toks[i] in ("=", "<>") and toks[i + 1] == ("any" if toks[i] == "=" else "all") \
                and toks[i + 2] == "(" and toks[i + 3] == "array" and i + 4 < len(toks) \
                and toks[i + 4] == "[":
            close_paren = _close(toks, i + 2)
            close_bracket = _close(toks, i + 4)
            if close_bracket == close_paren - 1:
                body = toks[i + 5:close_bracket]
                toks[i:close_paren + 1] = (["in"] if toks[i] == "=" else ["not", "in"]) + ["("] + body + [")"]
        i += 1
    return _single_in(toks)


def _enclosing_call(toks: list[str], i: int) -> str | None:
    """The word before the parenthesis that encloses ``toks[i]``, if any."""
    depth = 0
    for k in range(i - 1, -1, -1):
        depth += toks[k] == ")"
        depth -= toks[k] == "("
        if depth < 0:
            return toks[k - 1] if k else None
    return None


def _single_in(toks: list[str]) -> list[str]:
    """``x IN (a)`` → ``x = a`` and ``x NOT IN (a)`` → ``x <> a``, as the server stores them."""
    for i, tok in enumerate(toks):
        if tok == "in" and i + 1 < len(toks) and toks[i + 1] == "(":
            j = _close(toks, i + 1)
            if j == i + 3 and _is_atom(toks[i + 2]) and _enclosing_call(toks, i) != "position":
                negated = i > 0 and toks[i - 1] == "not"
                start = i - 1 if negated else i
                toks[start:j + 1] = ["<>" if negated else "=", toks[i + 2]]
                return _single_in(toks)
    return toks


def _between(toks: list[str]) -> list[str]:
    """``x BETWEEN a AND b`` → ``x >= a AND x <= b`` (as the server stores it), for simple operands."""
    i = 1
    while i + 3 < len(toks):
        if toks[i] == "between" and toks[i + 2] == "and" and _is_atom(toks[i - 1]) \
                and _is_atom(toks[i + 1]) and _is_atom(toks[i + 3]) \
                and toks[i - 1] not in _CONNECTIVES and (i < 2 or toks[i - 2] != ".") \
                and (i + 4 >= len(toks) or toks[i + 4] != "."):
            x = toks[i - 1]
            toks[i - 1:i + 4] = [x, ">=", toks[i + 1], "and", x, "<=", toks[i + 3]]
        i += 1
    return toks


def _level(toks: list[str]) -> int:
    """Loosest top-level connective in ``toks``: 2 for OR, 1 for AND, 0 for neither."""
    depth, level, between = 0, 0, False
    for t in toks:
        depth += t in ("(", "[")
        depth -= t in (")", "]")
        if depth:
            continue
        if t == "between":
            between = True
        elif t == "and":
            if between:
                between = False
            else:
                level = max(level, 1)
        elif t == "or":
            level = 2
    return level


def _arithmetic(toks: list[str]) -> bool:
    """No comparison or logic at the top level of ``toks``."""
    depth = 0
    for t in toks:
        depth += t in ("(", "[")
        depth -= t in (")", "]")
        if depth == 0 and t in _LOOSE:
            return False
    return True


def _single(toks: list[str]) -> bool:
    if len(toks) == 1:
        return toks[0] not in "()[],"
    if len(toks) >= 3 and _word(toks[0]) and toks[0] not in _CONNECTIVES and toks[1] == "(":
        return _close(toks, 1) == len(toks) - 1
    return all(_is_atom(t) or t == "." for t in toks) and len(toks) % 2 == 1


def _drop_parens(toks: list[str]) -> list[str]:
    """Remove parentheses that group nothing: around one operand, the whole text, or a conjunct."""
    changed = True
    while changed:
        changed = False
        for i, tok in enumerate(toks):
            if tok != "(":
                continue
            prev = toks[i - 1] if i else "^"
            if i and (prev in ("in", "any", "all", "array", "exists") or prev == "]"
                      or (_word(prev) and prev not in _CONNECTIVES) or prev[0] in "\"'"):
                continue
            j = _close(toks, i)
            nxt = toks[j + 1] if j + 1 < len(toks) else "$"
            inner = toks[i + 1:j]
            if not inner or nxt == "::" and not _single(inner):
                continue
            level = _level(inner)
            outer = {"^", "(", ","} | ({"or"} if level == 2 else {"and", "or"})
            after = {"$", ")", ","} | ({"or"} if level == 2 else {"and", "or"})
            if level == 0:
                outer.add("not")
                if _arithmetic(inner):  # binds tighter than any comparison around it
                    outer |= _COMPARISONS | {"is"}
                    after |= _COMPARISONS | {"is"}
            if _single(inner) or (prev in outer and nxt in after):
                toks[i:j + 1] = inner
                changed = True
                break
    return toks


def _render(toks: list[str]) -> str:
    out: list[str] = []
    for i, t in enumerate(toks):
        prev = toks[i - 1] if i else ""
        glue = (not out or t in (")", "]", ",", ".", "::") or prev in ("(", "[", ".", "::")
                or (t == "(" and (_word(prev) and prev not in _CONNECTIVES | {"in"} or prev == "]"))
                or (t == "[" and prev == "array")
                or (prev in ("-", "+") and (i < 2 or toks[i - 2] in ("(", ",", "[", "::")
                                            or toks[i - 2] in _CONNECTIVES or not _is_atom(toks[i - 2])
                                            and toks[i - 2] not in (")", "]"))))
        out.append(t if glue else " " + t)
    return "".join(out)


_SIMPLE = re.compile(r"[-+]?\d+(\.\d+)?|[a-z_][a-z0-9_]*|'[^'\\]*'")


@functools.lru_cache(maxsize=8192)
def normalize_sql(text: str) -> str:
    """Canonical text of a SQL expression: lower-case keywords, the server's casts and redundant
    parentheses removed. The result is still valid SQL with the same meaning."""
    text = text.strip()
    if _SIMPLE.fullmatch(text):
        return text
    toks = _tokens(text)
    for _ in range(3):
        before = list(toks)
        toks = _drop_parens(_between(_any_to_in(_strip_casts(_drop_parens(toks)))))
        if toks == before:
            break
    return _render(toks)
