"""drizzle-kit's PostgreSQL identity spec: every sequence option reaches the IR, and the defaults it
spells out normalize away (a model that keeps them is in sync with the database it creates)."""
from __future__ import annotations

from schemadrift import dialects
from schemadrift.drizzle import _pg_identity
from schemadrift.ir import Column, Identity, Schema, Table

PG = dialects.get("postgresql")


def _normalized(spec: dict, type_raw: str = "integer") -> Identity:
    col = Column("id", PG.parse_type(type_raw), nullable=False, identity=_pg_identity(spec))
    return PG.normalize(Schema("postgresql", (Table("t", columns=(col,)),))).tables[0].columns[0].identity


def test_drizzle_identity_options_reach_the_ir():
    spec = {"type": "byDefault", "startWith": "3", "increment": "4", "minValue": "2", "maxValue": "9",
            "cache": "5", "cycle": True}
    assert _normalized(spec, "bigint") == Identity("by_default", 3, 4, minvalue=2, maxvalue=9, cycle=True,
                                                   cache=5)


def test_drizzle_identity_spelled_defaults_normalize_away():
    spec = {"type": "always", "startWith": "1", "increment": "1", "minValue": "1",
            "maxValue": "2147483647", "cache": "1", "cycle": False}
    assert _normalized(spec) == Identity("always")
