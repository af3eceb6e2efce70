"""``compare --engine migra``: migra's statements for the PostgreSQL objects the IR does not model.

migra (an optional extra: ``pip install 'schemadrift-db[migra]'``) is deprecated upstream, so it is
never a dependency of the core: it is imported only here, only when asked for.
"""
from __future__ import annotations

import re

import sqlalchemy as sa
from sqlalchemy.orm import Session

from .errors import SourceError, UsageError, redact

#: statement prefixes (lower case) of objects the IR models: the IR's own report covers them
MODELLED = re.compile(
    r"^\s*(alter\s+table|create\s+table|drop\s+table|create\s+(unique\s+)?index|drop\s+index|"
    r"create\s+type\s+\S+\s+as\s+enum|drop\s+type|alter\s+type|comment\s+on\s+(table|column))",
    re.I)


def require(from_url: str, to_url: str) -> None:
    """A clear error when migra is not installed or a side is not a PostgreSQL URL."""
    import importlib.util
    if importlib.util.find_spec("migra") is None:
        raise UsageError("--engine migra needs migra: pip install 'schemadrift-db[migra]' "
                         "(migra is not installed)")
    for url in (from_url, to_url):
        if not str(url).startswith("postgresql"):
            raise UsageError("--engine migra compares two PostgreSQL databases (URLs on both sides)")


def statements(from_url: str, to_url: str) -> list[str]:
    """Every statement migra prints to turn FROM into TO (unsafe ones included)."""
    require(from_url, to_url)
    from migra import Migration

    # Not sqlbag's S(): it caches one pooled engine per URL for the life of the process, which
    # keeps connections open (and scratch databases undroppable) long after the comparison.
    engines = [sa.create_engine(str(url), poolclass=sa.pool.NullPool) for url in (from_url, to_url)]
    try:
        with Session(engines[0]) as a, Session(engines[1]) as b:
            migration = Migration(a, b)
            migration.set_safety(False)
            migration.add_all_changes()
            sql = migration.sql
            a.rollback()
            b.rollback()
    except Exception as e:  # noqa: BLE001 - migra's own failures, reported on one line
        line = (str(e).strip().splitlines() or [type(e).__name__])[0]
        raise SourceError(f"migra failed: {redact(line)}") from e
    finally:
        for engine in engines:
            engine.dispose()
    return [s.strip() for s in sql.split(";\n\n") if s.strip()]


def unmodelled(stmts: list[str]) -> list[str]:
    """The statements about objects schemadrift's IR does not model (views, functions, triggers,
    sequences, extensions, privileges …)."""
    return [s for s in stmts if not MODELLED.match(s)]
