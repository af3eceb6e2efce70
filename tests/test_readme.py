"""The README's quickstart shows real output: the commands it prints give exactly that output."""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BLOCK = re.compile(r"```console\n\$ (python -m schemadrift [^\n]+)\n(.*?)```", re.S)


def _examples():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return [(cmd, out.split("\n$ echo $?")[0].rstrip()) for cmd, out in BLOCK.findall(text)]


def test_the_readme_has_quickstart_examples():
    assert len(_examples()) >= 2


@pytest.mark.parametrize("command, shown", _examples())
def test_quickstart_output_is_what_the_tool_prints(command, shown):
    args = command.split()[3:]
    run = subprocess.run([sys.executable, "-m", "schemadrift", *args], capture_output=True, text=True,
                         cwd=ROOT, env={**os.environ, "NO_COLOR": "1"}, timeout=120)
    assert run.returncode in (0, 1), run.stderr
    assert run.stdout.rstrip() == shown
