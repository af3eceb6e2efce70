"""The IR as a versioned, stably ordered JSON snapshot (``"format": "schemadrift/1"``).

``from_json(to_json(s)) == s`` for every schema; the text is byte-identical for equal inputs.
"""
from __future__ import annotations

import dataclasses
import json
import typing

from . import ir
from .errors import SourceError

FORMAT = "schemadrift/1"
FORMAT_NAME, FORMAT_VERSION = FORMAT.split("/")


def to_dict(schema: ir.Schema) -> dict:
    schema = schema.sorted()
    body = _encode(schema)
    return {"format": FORMAT, **body}


def to_json(schema: ir.Schema) -> str:
    return json.dumps(to_dict(schema), indent=2, ensure_ascii=False, sort_keys=False) + "\n"


def from_dict(data: dict) -> ir.Schema:
    check_format(data)
    body = {k: v for k, v in data.items() if k != "format"}
    return _decode(ir.Schema, body)


def from_json(text: str) -> ir.Schema:
    return from_dict(json.loads(text))


def is_snapshot(data: object) -> bool:
    return isinstance(data, dict) and str(data.get("format", "")).startswith(FORMAT_NAME + "/")


def check_format(data: dict) -> None:
    fmt = str(data.get("format", ""))
    name, _, version = fmt.partition("/")
    if name != FORMAT_NAME:
        raise SourceError(f"not a schemadrift snapshot (format {fmt or 'missing'!r})")
    if not version.isdigit() or int(version) > int(FORMAT_VERSION):
        raise SourceError(f"snapshot format {fmt!r} is newer than this schemadrift reads ({FORMAT}); "
                          "upgrade schemadrift")


_FIELDS: dict[type, tuple] = {}


def _fields(cls) -> tuple:
    if cls not in _FIELDS:
        _FIELDS[cls] = dataclasses.fields(cls)
    return _FIELDS[cls]


def _encode(value):
    if hasattr(type(value), "__dataclass_fields__"):
        out = {}
        for f in _fields(type(value)):
            v = getattr(value, f.name)
            if f.default is not dataclasses.MISSING and v == f.default and type(v) is type(f.default):
                continue
            out[f.name] = _encode(v)
        return out
    if isinstance(value, frozenset):
        return sorted(value)
    if isinstance(value, tuple):
        return [_encode(v) for v in value]
    return value


_HINTS: dict[type, dict[str, object]] = {}


def _hints(cls) -> dict[str, object]:
    if cls not in _HINTS:
        _HINTS[cls] = typing.get_type_hints(cls, vars(ir))
    return _HINTS[cls]


def _decode(tp, value):
    if value is None:
        return None
    origin = typing.get_origin(tp)
    if origin in (typing.Union, getattr(__import__("types"), "UnionType", None)):
        inner = [a for a in typing.get_args(tp) if a is not type(None)]
        return _decode(inner[0], value)
    if dataclasses.is_dataclass(tp):
        hints = _hints(tp)
        unknown = set(value) - set(hints)
        if unknown:
            raise SourceError(f"snapshot has unknown {tp.__name__} field(s): {', '.join(sorted(unknown))}")
        return tp(**{k: _decode(hints[k], v) for k, v in value.items()})
    if origin is tuple:
        args = typing.get_args(tp)
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_decode(args[0], v) for v in value)
        return tuple(_decode(a, v) for a, v in zip(args, value))
    if origin is frozenset:
        return frozenset(value)
    return value
