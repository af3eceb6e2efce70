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


def measure_command(args: list[str], budget: Budget, ok_codes=(0, 1), cwd=None, env=None) -> Result:
    """Time a command as a subprocess; its peak is the child's max RSS. An exit code outside
    ``ok_codes`` makes the result n/a with the command's first line of stderr."""
    result = Result(peak_kind="rss")
    spent = 0.0
    while len(result.times) < budget.repeats and (not result.times or spent < budget.seconds):
        start = time.perf_counter()
        proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=cwd,
                                env={**os.environ, **(env or {})})
        stderr = proc.stderr.read()
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode not in ok_codes:
            line = (stderr.decode(errors="replace").strip().splitlines() or ["(no message)"])[-1]
            return Result.na(f"exit {proc.returncode}: {line[:80]}")
        result.times.append(elapsed)
        result.peak = max(result.peak or 0, usage.ru_maxrss * 1024)
        result.value = proc.returncode
        spent += elapsed
    return result
