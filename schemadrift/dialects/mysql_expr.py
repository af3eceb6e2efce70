r"""MySQL/MariaDB expression text → one canonical spelling (CHECK bodies, generated columns,
defaults, functional index parts).

MariaDB prints expressions with the fewest parentheses and backquoted names, MySQL 8
parenthesizes everything and adds charset introducers (``_utf8mb4'a'``), and models write what
their authors typed. A small precedence parser reads all three and prints one form:
lowercase, unquoted identifiers where they are plain, one space around binary operators and the
fewest parentheses. Text it cannot parse is only re-tokenized.
"""
from __future__ import annotations

import functools
import re

_TOKEN = re.compile(r"""
    (?P<ws>\s+)
  | (?P<str>_[a-z0-9]+\s*'(?:[^'\\]|\\.|'')*'|[nN]?'(?:[^'\\]|\\.|'')*'|"(?:[^"\\]|\\.|"")*")
  | (?P<ident>`(?:[^`]|``)*`)
  | (?P<num>(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?|0x[0-9a-fA-F]+|[bB]'[01]*'|[xX]'[0-9a-fA-F]*')
  | (?P<word>[A-Za-z_$\u0080-\uffff][\w$\u0080-\uffff]*)
  | (?P<op><=>|<=|>=|<>|!=|\|\||&&|<<|>>|->>|->|:=|[-+*/%=<>!~^&|(),.])
""", re.X)
_BINARY = {"or": 1, "||": 1, "xor": 2, "and": 3, "&&": 3,
           "=": 5, "<=>": 5, ">=": 5, ">": 5, "<=": 5, "<": 5, "<>": 5, "!=": 5, "like": 5, "regexp": 5,
           "rlike": 5, "|": 6, "&": 7, "<<": 8, ">>": 8, "-": 9, "+": 9, "*": 10, "/": 10, "div": 10,
           "%": 10, "mod": 10, "^": 11, "->": 13, "->>": 13}
_NEGATABLE = ("in", "like", "between", "regexp")
_OP_ALIASES = {"!=": "<>", "&&": "and", "||": "or", "%": "mod", "rlike": "regexp"}
_FUNC_ALIASES = {"now": "current_timestamp", "localtime": "current_timestamp",
                 "localtimestamp": "current_timestamp", "lcase": "lower", "ucase": "upper",
                 "character_length": "char_length", "substring": "substr", "length": "octet_length"}
_NILADIC = frozenset({"current_timestamp", "current_date", "current_time", "current_user", "localtime",
                      "localtimestamp", "utc_timestamp", "utc_date", "utc_time"})


class _Unparsed(Exception):
    pass


def _tokens(text: str) -> list[tuple[str, str]]:
    out, pos = [], 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m:
            raise _Unparsed(text[pos:])
        pos = m.end()
        kind = m.lastgroup
        value = m.group()
        if kind == "ws":
            continue
        if kind == "str":
            out.append(("str", unquote(value)))
        elif kind == "ident":
            out.append(("id", value[1:-1].replace("``", "`").lower()))
        elif kind == "word":
            out.append(("id", value.lower()))
        elif kind == "num":
            out.append(("num", value.lower() if value[:2].lower() in ("0x", "b'", "x'") else value))
        else:
            out.append(("op", value.lower()))
    return out


def unquote(literal: str) -> str:
    """The value of a SQL string literal (``'it''s'``, ``'it\\'s'``, ``_utf8mb4'x'``, ``"x"``)."""
    body = _INTRODUCER.sub("", literal)
    q, inner = body[0], body[1:-1]
    inner = inner.replace(q + q, q)
    return _ESCAPE.sub(_unescape, inner) if "\\" in inner else inner


_INTRODUCER = re.compile(r"^(?:_[A-Za-z0-9]+\s*|[nN](?='))")
_ESCAPE = re.compile(r"\\(.)")
_ESCAPES = {"n": "\n", "t": "\t", "0": "\0", "r": "\r"}


def _unescape(m: re.Match) -> str:
    return _ESCAPES.get(m[1], m[1])


def quote_string(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "''") + "'"


class _Parser:
    """A small precedence parser: canonical text with the fewest parentheses, so that MariaDB's
    minimal form, MySQL 8's fully parenthesized form and what models write all print the same."""

    def __init__(self, tokens):
        self.t, self.i = tokens, 0

    def peek(self, k=0):
        j = self.i + k
        return self.t[j] if j < len(self.t) else ("eof", "")

    def take(self, value=None):
        tok = self.peek()
        if value is not None and tok[1] != value:
            raise _Unparsed(value)
        self.i += 1
        return tok

    def parse(self):
        node = self.expr(0)
        if self.peek()[0] != "eof":
            raise _Unparsed(self.peek()[1])
        return node

    def expr(self, min_prec):
        left = self.unary()
        while True:
            kind, value = self.peek()
            negated = kind == "id" and value == "not" and self.peek(1)[1] in _NEGATABLE
            op = self.peek(1)[1] if negated else value
            if kind in ("id", "op") and op in ("is", "in", "between") or negated:
                if 4 < min_prec:
                    return left
                self.take()
                if negated:
                    self.take()
                left = self.postfix(op, left, negated)
                continue
            if kind not in ("id", "op") or value not in _BINARY or _BINARY[value] < min_prec:
                return left
            prec = _BINARY[self.take()[1]]
            right = self.expr(prec + 1)
            left = ("bin", _OP_ALIASES.get(value, value), left, right)

    def postfix(self, op, left, negated):
        if op == "is":
            neg = self.peek()[1] == "not" and bool(self.take())
            return ("is", left, ("not " if neg else "") + self.take()[1])
        if op == "in":
            self.take("(")
            items = [self.expr(0)]
            while self.peek()[1] == ",":
                self.take()
                items.append(self.expr(0))
            self.take(")")
            if len(items) == 1:  # the server prints x IN (v) as x = v
                return ("bin", "<>" if negated else "=", left, items[0])
            return ("in", left, tuple(items), negated)
        if op == "between":
            low = self.expr(5)
            self.take("and")
            return ("between", left, low, self.expr(5), negated)
        right = self.expr(6)
        return ("bin", ("not " if negated else "") + _OP_ALIASES.get(op, op), left, right)

    def unary(self):
        kind, value = self.peek()
        if kind == "id" and value == "not" or value == "!":
            self.take()
            return _negate(self.expr(4))
        if value in ("-", "+", "~"):
            self.take()
            operand = self.unary()
            if value == "+":
                return operand
            if value == "-" and operand[0] == "num":
                return ("num", "-" + operand[1])
            return ("neg", value, operand)
        return self.primary()

    def primary(self):
        kind, value = self.take()
        if kind in ("num", "str"):
            return (kind, value)
        if value == "(":
            node = self.expr(0)
            self.take(")")
            return node
        if kind != "id":
            raise _Unparsed(value)
        if value == "case":
            return self.case()
        if self.peek()[1] == "(":
            self.take()
            args = []
            if self.peek()[1] != ")":
                args.append(self.expr(0))
                while self.peek()[1] == ",":
                    self.take()
                    args.append(self.expr(0))
            self.take(")")
            return ("call", _FUNC_ALIASES.get(value, value), tuple(args))
        if value in _NILADIC:
            return ("call", _FUNC_ALIASES.get(value, value), ())
        if value in ("true", "false"):
            return ("num", "1" if value == "true" else "0")  # MySQL's TRUE is the integer 1
        if value == "null":
            return ("kw", value)
        while self.peek()[1] == "." and self.peek(1)[0] == "id":
            self.take()
            value = self.take()[1]  # a qualified column: the table name adds nothing here
        return ("id", value)

    def case(self):
        subject = None if self.peek()[1] == "when" else self.expr(0)
        arms = []
        while self.peek()[1] == "when":
            self.take()
            cond = self.expr(0)
            self.take("then")
            arms.append((cond, self.expr(0)))
        other = None
        if self.peek()[1] == "else":
            self.take()
            other = self.expr(0)
        self.take("end")
        return ("case", subject, tuple(arms), other)


_IDENT_OK = re.compile(r"[a-z_][a-z0-9_$]*")


def _prec(node) -> int:
    kind = node[0]
    if kind == "bin":
        return _BINARY.get(node[1].replace("not ", ""), 5)
    return {"not": 4, "is": 5, "in": 5, "between": 5, "neg": 12}.get(kind, 99)


def _show(node, parent: int = 0) -> str:
    kind = node[0]
    if kind == "num":
        text = node[1]
    elif kind == "str":
        text = quote_string(node[1])
    elif kind == "kw":
        text = node[1]
    elif kind == "id":
        text = node[1] if _IDENT_OK.fullmatch(node[1]) else "`" + node[1].replace("`", "``") + "`"
    elif kind == "call":
        text = f"{node[1]}({', '.join(_show(a) for a in node[2])})"
    elif kind == "bin":
        p = _prec(node)
        text = f"{_show(node[2], p)} {node[1]} {_show(node[3], p + 1)}"
    elif kind == "not":
        text = f"not {_show(node[1], 5)}"
    elif kind == "neg":
        text = f"{node[1]}{_show(node[2], 12)}"
    elif kind == "is":
        text = f"{_show(node[1], 6)} is {node[2]}"
    elif kind == "in":
        text = f"{_show(node[1], 6)} {'not in' if node[3] else 'in'} ({', '.join(_show(x) for x in node[2])})"
    elif kind == "between":
        text = (f"{_show(node[1], 6)} {'not between' if node[4] else 'between'} "
                f"{_show(node[2], 6)} and {_show(node[3], 6)}")
    else:  # case
        parts = ["case"] + ([_show(node[1])] if node[1] is not None else [])
        parts += [f"when {_show(c)} then {_show(v)}" for c, v in node[2]]
        parts += [f"else {_show(node[3])}"] if node[3] is not None else []
        text = " ".join(parts + ["end"])
    return f"({text})" if _prec(node) < parent else text


_INVERSE = {"=": "<>", "<>": "=", "<": ">=", ">=": "<", ">": "<=", "<=": ">"}


def _negate(node):
    """NOT pushed inwards as MariaDB prints it (``NOT (a > 0 AND b > 0)`` → ``a <= 0 or b <= 0``);
    each rewrite holds in SQL's three-valued logic."""
    kind = node[0]
    if kind == "bin" and node[1] in _INVERSE:
        return ("bin", _INVERSE[node[1]], node[2], node[3])
    if kind == "bin" and node[1] in ("and", "or"):
        return ("bin", "or" if node[1] == "and" else "and", _negate(node[2]), _negate(node[3]))
    if kind == "bin" and node[1].replace("not ", "") in ("like", "regexp"):
        op = node[1]
        return ("bin", op[4:] if op.startswith("not ") else "not " + op, node[2], node[3])
    if kind == "not":
        return node[1]
    if kind == "is":
        test = node[2]
        return ("is", node[1], test[4:] if test.startswith("not ") else "not " + test)
    if kind == "in":
        return ("in", node[1], node[2], not node[3])
    if kind == "between":
        return ("between", node[1], node[2], node[3], not node[4])
    return ("not", node)


@functools.lru_cache(maxsize=4096)  # a schema repeats a few texts thousands of times
def canonical_expr(text: str) -> str:
    """Canonical text of a MySQL expression: lowercase, unquoted identifiers, one space around
    operators, string introducers dropped and the fewest parentheses; token-joined if unparsable."""
    try:
        tokens = _tokens(text)
    except _Unparsed:
        return " ".join(text.split())
    try:
        return _show(_Parser(tokens).parse())
    except (_Unparsed, IndexError, RecursionError):
        return " ".join(quote_string(v) if k == "str" else v for k, v in tokens)
