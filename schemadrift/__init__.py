"""schemadrift: how a live database differs from the schema its code declares, and how to close
the gap without downtime.

    import schemadrift
    s = schemadrift.load("postgresql://…/app")                    # -> Schema (the IR)
    d = schemadrift.compare("sqlite:///app.db", "app.models:Base")  # -> Diff
    p = schemadrift.plan(d)                                       # -> Plan
    print(p.to_sql())

FROM is the current state, TO the desired one: changes and plans turn FROM into TO.
"""
from __future__ import annotations

from .changes import Change, Diff, RenameCandidate
from .differ import diff
from .errors import PlanError, SchemadriftError, SourceError, UsageError
from .ir import Schema
from .sources import load, load_pair


def compare(from_source, to_source, *, renames: dict[str, str] | None = None,
            dialect: str | None = None, schemas: list[str] | None = None,
            connect_timeout: float = 10) -> Diff:
    """Load two sources (URL, snapshot path, ``module:attr``, Engine, MetaData, Schema …) and diff
    them. A side without a dialect of its own (models) takes the other side's."""
    a, b = load_pair(from_source, to_source, dialect=dialect, schemas=schemas,
                     connect_timeout=connect_timeout)
    return diff(a, b, renames=renames)


def plan(d: Diff, **options):
    """Turn a Diff into an ordered expand/backfill/contract Plan (see ``schemadrift.plan``)."""
    from .planner import make_plan
    return make_plan(d, **options)


__all__ = ["Change", "Diff", "RenameCandidate", "Schema", "compare", "diff", "load", "load_pair",
           "plan", "SchemadriftError", "SourceError", "UsageError", "PlanError"]
__version__ = "0.1.0"
