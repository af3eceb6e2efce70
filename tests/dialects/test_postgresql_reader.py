"""The PostgreSQL reader on a real server: its catalog queries run with JIT off (their cost
estimates pass the JIT thresholds on large schemas, and compiling them cost 1.1 s of a 1.2 s
query at 5,000 tables), and the cyclic garbage collector is paused while it reads (restored
after), as the other readers do."""
from __future__ import annotations

import gc

import pytest
import sqlalchemy as sa
from conftest import execute, scratch_database

import schemadrift
from schemadrift.dialects import postgresql as P


@pytest.mark.parametrize("enabled", [True, False])
def test_the_catalog_is_read_without_jit_and_without_the_collector(monkeypatch, enabled):
    seen = []
    original = P.PostgresDialect._assemble

    def assemble(self, rows):
        seen.append(gc.isenabled())
        return original(self, rows)

    monkeypatch.setattr(P.PostgresDialect, "_assemble", assemble)
    with scratch_database("postgresql") as url:
        execute(url, ["CREATE TABLE t (a int)", "ALTER DATABASE " + url.rsplit("/", 1)[1] + " SET jit = on"])
        engine = sa.create_engine(url)
        try:
            with engine.connect() as conn:
                (gc.enable if enabled else gc.disable)()
                schema = P.PostgresDialect().introspect(conn)
                assert gc.isenabled() is enabled and seen == [False]
                assert conn.exec_driver_sql("SELECT current_setting('jit')").scalar() == "off"
            with engine.connect() as conn:  # SET LOCAL: the setting ends with the transaction
                assert conn.exec_driver_sql("SELECT current_setting('jit')").scalar() == "on"
        finally:
            gc.enable()
            engine.dispose()
        assert schema.table("t") is not None and schemadrift.load(url).table("t") is not None
