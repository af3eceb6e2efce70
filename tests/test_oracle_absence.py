"""migra and squawk are optional: without them the core works, --engine migra names the extra to
install, and the oracle tests skip with a reason — or fail under CI=true, where both are installed."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

TESTS = Path(__file__).resolve().parent
# a Python that cannot import migra/sqlbag/schemainspect and finds no squawk binary
HIDE = """
import sys
for name in ('migra', 'sqlbag', 'schemainspect'):
    sys.modules[name] = None  # import raises ImportError; find_spec says absent
import shutil
shutil.which = lambda *a, **k: None
sys.executable = '/nonexistent/python'
"""


def _run(code: str, ci: bool = False) -> subprocess.CompletedProcess:
    env = {**os.environ, "CI": "true" if ci else "false", "NO_COLOR": "1"}
    return subprocess.run([sys.executable, "-c", HIDE + code], capture_output=True, text=True, env=env,
                          cwd=TESTS, timeout=120)


def test_the_core_compares_without_migra(tmp_path):
    db = tmp_path / "a.db"
    import sqlite3
    sqlite3.connect(db).execute("create table t (id integer primary key)")
    run = _run(f"import schemadrift; d = schemadrift.compare('sqlite:///{db}', 'sqlite:///{db}'); "
               "print(d.in_sync, sys.modules.get('migra'))")
    assert run.stdout.split() == ["True", "None"], run.stderr


def test_engine_migra_without_migra_names_the_extra():
    run = _run("from schemadrift.cli import main; sys.exit(main(['compare', 'postgresql://x@127.0.0.1:1/a', "
               "'postgresql://x@127.0.0.1:1/b', '--engine', 'migra']))")
    assert run.returncode == 2
    line = run.stderr.strip().splitlines()
    assert len(line) == 1 and line[0].startswith("schemadrift: error:"), run.stderr
    assert "[migra]" in line[0]


def _oracle_verdict(tool: str, ci: bool) -> str:
    code = ("import pytest, oracles\n"
            "try:\n"
            f"    oracles.require({tool!r}); print('present')\n"
            "except pytest.skip.Exception as e: print('skipped:', e)\n"
            "except pytest.fail.Exception as e: print('failed:', e)\n")
    return _run(code, ci=ci).stdout.strip()


def test_oracle_tests_skip_without_the_tools_and_fail_under_ci():
    for tool, extra in (("migra", "[migra]"), ("squawk", "[lint]")):
        assert _oracle_verdict(tool, ci=False).startswith("skipped:"), tool
        assert extra in _oracle_verdict(tool, ci=False)
        assert _oracle_verdict(tool, ci=True).startswith("failed:"), tool
