"""schemadrift: how a live database differs from the schema its code declares, and how to close
the gap without downtime.

    import schemadrift
    s = schemadrift.load("postgresql://…/app")          # -> Schema (the IR)
    d = schemadrift.compare("sqlite:///app.db", "app.models:Base")   # -> Diff
    p = schemadrift.plan(d)                             # -> Plan
"""
from __future__ import annotations

from .errors import PlanError, SchemadriftError, SourceError, UsageError
from .ir import Schema
from .sources import load

__all__ = ["Schema", "load", "SchemadriftError", "SourceError", "UsageError", "PlanError"]
__version__ = "0.1.0"
