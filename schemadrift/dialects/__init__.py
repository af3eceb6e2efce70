"""The dialect registry: find a dialect by name, or from a SQLAlchemy connection."""
from __future__ import annotations

import importlib

from .base import Dialect

ALIASES = {
    "postgresql": "postgresql", "postgres": "postgresql", "pg": "postgresql",
    "mysql": "mysql", "mariadb": "mysql",
    "sqlite": "sqlite", "sqlite3": "sqlite",
}
NAMES = ("postgresql", "mysql", "mariadb", "sqlite")


def get(name: str, version: str | None = None) -> Dialect:
    """The dialect called ``name`` (``postgresql``, ``mysql``, ``mariadb``, ``sqlite``)."""
    from ..errors import UsageError

    key = (name or "").lower().split("+")[0]
    module_name = ALIASES.get(key)
    if module_name is None:
        raise UsageError(f"unknown dialect {name!r} (known: {', '.join(NAMES)})")
    module = importlib.import_module(f"{__name__}.{module_name}")
    return module.DIALECT(version=version, flavour=key if key in NAMES else None)


def for_connection(conn) -> Dialect:
    """The dialect (with its flavour and server version) of a live SQLAlchemy connection."""
    sa_dialect = conn.dialect
    name = sa_dialect.name
    version = ".".join(str(x) for x in (sa_dialect.server_version_info or ()) if isinstance(x, int))
    if name in ("mysql", "mariadb"):
        name = "mariadb" if getattr(sa_dialect, "is_mariadb", False) else "mysql"
    return get(name, version or None)


__all__ = ["Dialect", "get", "for_connection", "NAMES"]
