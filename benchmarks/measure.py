"""Timing and memory: median wall time of several runs (time.perf_counter) and peak memory.

In-process work is timed first, then run once more under tracemalloc for its peak (tracemalloc
slows Python down, so that run is never timed; it is skipped for work slower than
``Budget.memory_limit``). A command is timed as a subprocess and its peak is the child's
maximum resident set size (``os.wait4``).
"""
from __future__ import annotations

import gc
import os
import statistics
import subprocess
import time
import tracemalloc
from dataclasses import dataclass, field


@dataclass
class Budget:
    """How many runs to make: at most ``repeats``, stopping early once ``seconds`` are spent."""

    repeats: int = 5
    seconds: float = 15.0
    memory_limit: float = 5.0


@dataclass
class Result:
    """The outcome of one measurement; ``error`` set (and no times) when it could not run."""

    times: list[float] = field(default_factory=list)
    peak: int | None = None  # bytes
    peak_kind: str = ""  # "py" (tracemalloc) or "rss" (child process)
    error: str | None = None
    value: object = None

    @property
    def median(self) -> float | None:
        return statistics.median(self.times) if self.times else None

    @classmethod
    def na(cls, reason: str) -> Result:
        return cls(error=reason)


def _reason(e: BaseException) -> str:
    text = (str(e).strip().splitlines() or [""])[0]
    return f"{type(e).__name__}: {text}"[:90]


def measure(fn, budget: Budget, memory: bool = True) -> Result:
    """Time ``fn()`` (median of up to ``budget.repeats`` runs), then its tracemalloc peak."""
    result = Result()
    spent = 0.0
    try:
        while len(result.times) < budget.repeats and (not result.times or spent < budget.seconds):
            gc.collect()
            start = time.perf_counter()
            result.value = fn()
            elapsed = time.perf_counter() - start
            result.times.append(elapsed)
            spent += elapsed
        if memory and result.median < budget.memory_limit:
            result.peak, result.peak_kind = traced_peak(fn), "py"
    except Exception as e:  # noqa: BLE001 - a peer or a missing piece must not stop the run
        return Result.na(_reason(e))
    return result


def traced_peak(fn) -> int:
    """Peak bytes allocated by Python while ``fn()`` runs (tracemalloc)."""
    gc.collect()
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


GNU_TIME = "/usr/bin/time"
_RSS_MARK = "@@maxrss "


def measure_command(args: list[str], budget: Budget, ok_codes=(0, 1), cwd=None, env=None) -> Result:
    """Time a command as a subprocess. Its peak is its max RSS as GNU time reports it: the
    ``ru_maxrss`` that ``wait4`` gives for a direct child of this process starts from this (big)
    process's own RSS on Linux, since the forked copy's high-water mark survives exec. An exit
    code outside ``ok_codes`` makes the result n/a with the command's last line of stderr."""
    result = Result(peak_kind="rss")
    spent = 0.0
    wrap = [GNU_TIME, "-f", _RSS_MARK + "%M"] if os.path.exists(GNU_TIME) else []
    while len(result.times) < budget.repeats and (not result.times or spent < budget.seconds):
        start = time.perf_counter()
        proc = subprocess.run([*wrap, *args], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                              cwd=cwd, env={**os.environ, **(env or {})})
        elapsed = time.perf_counter() - start
        lines = proc.stderr.decode(errors="replace").strip().splitlines()
        rss = [int(x[len(_RSS_MARK):]) for x in lines if x.startswith(_RSS_MARK)]
        lines = [x for x in lines if not x.startswith(_RSS_MARK) and not x.startswith("Command exited")]
        if proc.returncode not in ok_codes:
            return Result.na(f"exit {proc.returncode}: {(lines or ['(no message)'])[-1][:80]}")
        result.times.append(elapsed)
        if rss:
            result.peak = max(result.peak or 0, rss[-1] * 1024)
        result.value = proc.returncode
        spent += elapsed
    return result
