"""Benchmarks: schemadrift and its peers, in the same run, on the same databases.

    python benchmarks/run.py                # default sizes (100 and 1,000 tables) + corpus, < 10 min
    python benchmarks/run.py --quick        # 50 tables, no corpus, fewer runs, < 1 min
    python benchmarks/run.py --sizes 100,1000,5000 --dialects postgresql

Prints one table (median wall time, runs, peak memory, and per peer the ratio peer time /
schemadrift time as ``12.3x``) and the targets of issue 6, met or missed. A piece that is missing
or fails shows as ``n/a (reason)``; the run never stops for it. Every database it creates has a
unique ``sdbench_`` name and is dropped at the end. See benchmarks/README.md.
"""
from __future__ import annotations

import argparse
import contextlib
import datetime
import gc
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, replace
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:0] = [str(HERE), str(ROOT)]

import dbs  # noqa: E402
import peers  # noqa: E402
import synth  # noqa: E402
from measure import Budget, Result, measure, measure_command, traced_peak  # noqa: E402

SD = "schemadrift"
DIALECTS = ("postgresql", "mariadb", "sqlite")
IN_MEMORY_TABLES = 10_000
IN_MEMORY_QUICK = 1_000  # --quick: building two 10,000-table IRs alone takes seconds
#: from this many tables on, every cell runs once (a peer takes tens of seconds a run there)
SINGLE_RUN_TABLES = 5_000
STARTED = time.perf_counter()


def frozen_setup() -> None:
    """Move what a workload set up (models, IRs) out of the collector's sight until the workload
    ends (``thawed``): each timed run starts with gc.collect(), which would otherwise walk these
    millions of objects every time (about a second each with two 1,000-table MetaData alive)."""
    gc.collect()
    gc.freeze()


@contextlib.contextmanager
def thawed():
    """Run a workload; afterwards its frozen objects are collectable again."""
    try:
        yield
    finally:
        gc.unfreeze()
        gc.collect()


def progress(text: str) -> None:
    """One line on stderr, stamped with the seconds since the run started."""
    print(f"[{time.perf_counter() - STARTED:6.1f}s] {text}", file=sys.stderr, flush=True)


def _schemadrift():
    """The schemadrift package, or None (every schemadrift cell then says why)."""
    try:
        import schemadrift
        return schemadrift
    except Exception as e:  # noqa: BLE001
        print(f"schemadrift cannot be imported: {type(e).__name__}: {e}", file=sys.stderr)
        return None


sd = _schemadrift()


def _warm_imports() -> None:
    """Import the peers' modules, and schemadrift's dialects (which ``import schemadrift`` leaves
    to the first load: compiling their regular expressions took a first SQLite run 0.15 s), up
    front so that no timed run pays for an import."""
    for name in ("alembic.autogenerate", "migra", "sqlbag", "psycopg", "pymysql",
                 "schemadrift.dialects.postgresql", "schemadrift.dialects.mysql",
                 "schemadrift.dialects.sqlite"):
        try:
            __import__(name)
        except Exception:  # noqa: BLE001 - the peer's cell will say n/a
            pass


# -- the report ---------------------------------------------------------------------------------
@dataclass
class Row:
    workload: str
    operation: str
    tool: str
    result: Result
    note: str = ""


class Report:
    """Rows grouped by workload and operation; the first schemadrift row of a group is the base
    of its ratios."""

    def __init__(self):
        self.rows: list[Row] = []

    def add(self, workload: str, operation: str, tool: str, result: Result, note: str = "") -> Result:
        self.rows.append(Row(workload, operation, tool, result, note))
        status = f"{result.median:.3f}s x{len(result.times)}" if result.median is not None else result.error
        progress(f"  {workload:<22} {operation:<26} {tool:<22} {status}")
        return result

    def base(self, row: Row) -> Result | None:
        for r in self.rows:
            if (r.workload, r.operation, r.tool) == (row.workload, row.operation, SD):
                return r.result
        return None

    def ratio(self, row: Row) -> str:
        base = self.base(row)
        if row.tool == SD or base is None or base.median is None or row.result.median is None:
            return ""
        return f"{row.result.median / base.median:.1f}x" if row.result.median / base.median >= 0.95 \
            else f"{row.result.median / base.median:.2f}x"

    def find(self, workload: str, operation: str, tool: str = SD) -> Result | None:
        for r in self.rows:
            if (r.workload, r.operation, r.tool) == (workload, operation, tool):
                return r.result
        return None

    def table(self) -> str:
        head = ["workload", "operation", "tool", "median", "runs", "peak mem", "vs schemadrift"]
        lines = [head]
        last = (None, None)
        for r in self.rows:
            res = r.result
            key = (r.workload, r.operation)
            lines.append([
                r.workload if key[0] != last[0] else "",
                r.operation if key != last else "",
                r.tool + (f" ({r.note})" if r.note else ""),
                f"{res.median:.3f} s" if res.median is not None
                else "-" if res.error == "memory only" else f"n/a ({_short(res.error, 40)})",
                str(len(res.times)) if res.times else "",
                _mb(res), self.ratio(r)])
            last = key
        widths = [max(len(row[i]) for row in lines) for i in range(len(head))]
        out = ["| " + " | ".join(c.ljust(w) for c, w in zip(row, widths)) + " |" for row in lines]
        out.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
        return "\n".join(out)

    def to_json(self) -> list[dict]:
        return [{"workload": r.workload, "operation": r.operation, "tool": r.tool,
                 "times": r.result.times, "median": r.result.median, "peak_bytes": r.result.peak,
                 "peak_kind": r.result.peak_kind, "error": r.result.error,
                 "ratio": self.ratio(r) or None} for r in self.rows]


def _short(text: str, width: int = 60) -> str:
    return text if len(text) <= width else text[:width - 1] + "…"


def _mb(res: Result) -> str:
    if res.peak is None:
        return ""
    return f"{res.peak / 2**20:.1f} MB" + (" rss" if res.peak_kind == "rss" else "")


# -- workloads ----------------------------------------------------------------------------------
class Bench:
    def __init__(self, args):
        self.args = args
        self.budget = Budget(repeats=args.repeats, seconds=args.budget, memory_limit=args.memory_limit)
        self.report = Report()
        self.tmp = Path(tempfile.mkdtemp(prefix="sdbench_snap_"))

    def run(self, label, operation, tool, fn, memory=True, note="") -> Result:
        """Measure ``fn`` unless schemadrift is missing for a schemadrift cell."""
        if tool == SD and sd is None:
            return self.report.add(label, operation, tool, Result.na("schemadrift not importable"))
        # peak memory for schemadrift's cells only: re-running a slow peer under tracemalloc
        # would cost more time than the whole default run may take
        result = measure(fn, self.budget, memory and tool == SD)
        if tool != SD:
            result.value = None  # (a reflected MetaData is big: kept, it makes every gc.collect slow)
        return self.report.add(label, operation, tool, result, note)

    def release(self, label: str) -> None:
        """Drop the values (IRs, diffs, plans) a finished workload kept for its later cells: the
        heap stays small, so the gc.collect() before each timed run stays cheap."""
        for row in self.report.rows:
            if row.workload == label:
                row.result.value = None

    def na(self, label, operation, tool, reason) -> Result:
        return self.report.add(label, operation, tool, Result.na(reason))

    def cli(self, label, *argv) -> Result:
        cmd = [sys.executable, "-m", "schemadrift", *argv]
        return self.report.add(label, "CLI compare (process)", SD,
                               measure_command(cmd, self.budget, cwd=ROOT))

    # -- synthetic -----------------------------------------------------------------------------
    def synthetic(self, dialect: str, n: int) -> None:
        default = self.budget
        if n >= SINGLE_RUN_TABLES:
            self.budget = replace(self.budget, repeats=1)
        try:
            with thawed():
                self._synthetic(dialect, n)
        finally:
            self.budget = default
            self.release(f"{dialect} synth {n}")

    def _synthetic(self, dialect: str, n: int) -> None:
        label = f"{dialect} synth {n}"
        reason = dbs.reachable(dialect)
        if reason:
            self.na(label, "introspect", SD, reason)
            return
        models, drifted = synth.build(n, dialect), synth.build(n, dialect, drift=True)
        frozen_setup()
        start = time.perf_counter()
        try:
            url = dbs.build_synthetic(dialect, models, f"{dialect[:2]}{n}")
        except Exception as e:  # noqa: BLE001
            self.na(label, "introspect", SD, f"could not build the database: {e}"[:100])
            return
        progress(f"{label}: built in {time.perf_counter() - start:.1f} s")
        self.introspection(label, dialect, url)
        models_ir = self.run(label, "load models", SD, lambda: sd.load(drifted, dialect=dialect))
        self.run(label, "compare DB vs models", SD, lambda: sd.compare(url, drifted))
        self.run(label, "compare DB vs models", "alembic compare",
                 lambda: peers.alembic_compare(url, drifted))
        self.diff_and_plan(label, self.report.find(label, "introspect"), models_ir)
        if dialect == "postgresql":
            changed = [synth.table_name(i) for i in synth.drifted_tables(n)]
            try:
                url2 = dbs.build_drifted(dialect, url, drifted, changed, f"pgd{n}")
            except Exception as e:  # noqa: BLE001
                self.na(label, "compare DB vs DB", SD, f"could not build the drifted copy: {e}"[:100])
            else:
                self.db_vs_db(label, url, url2)
        self.cli(label, "compare", url, f"{HERE / 'synth.py'}:models_{dialect}_{n}_drift")
        self.report.add(label, "CLI: of which building the models", "SQLAlchemy (synth.py)", measure(
            lambda: synth.build(n, dialect, drift=True), self.budget, memory=False))

    def introspection(self, label, dialect, url, schemas=None) -> None:
        self.run(label, "introspect", SD, lambda: sd.load(url))
        self.run(label, "introspect", "SA MetaData.reflect", lambda: peers.sa_reflect(url, schemas))
        self.run(label, "introspect", "floor (driver+SQL)", lambda: peers.floor(dialect, url))

    def diff_and_plan(self, label, a: Result | None, b: Result | None) -> None:
        if a is None or b is None or a.value is None or b.value is None:
            self.na(label, "diff (1% drift)", SD, "no IR to diff")
            self.na(label, "plan", SD, "no diff to plan")
            return
        d = self.run(label, "diff (1% drift)", SD, lambda: sd.diff(a.value, b.value))
        if d.value is None:
            self.na(label, "plan", SD, "no diff to plan")
            return
        self.run(label, "plan", SD, lambda: sd.plan(d.value))

    def db_vs_db(self, label, url, url2) -> None:
        self.run(label, "compare DB vs DB", SD, lambda: sd.compare(url, url2))
        self.run(label, "compare DB vs DB", "migra", lambda: peers.migra_compare(url, url2))

    # -- corpus --------------------------------------------------------------------------------
    def corpus(self, label: str, dialect: str, loader) -> None:
        try:
            with thawed():
                self._corpus(label, dialect, loader)
        finally:
            self.release(label)

    def _corpus(self, label: str, dialect: str, loader) -> None:
        reason = dbs.reachable(dialect)
        if reason:
            self.na(label, "introspect", SD, reason)
            return
        start = time.perf_counter()
        try:
            url = loader()
        except Exception as e:  # noqa: BLE001
            self.na(label, "introspect", SD, f"not loaded: {e}"[:110])
            return
        progress(f"{label}: loaded in {time.perf_counter() - start:.1f} s")
        schemas = [s for s, _ in dbs.list_tables(url)]
        schemas = sorted({s for s in schemas if s}) or None
        self.introspection(label, dialect, url, schemas)
        md = self.corpus_models(url, schemas)
        frozen_setup()
        if md is not None:
            note = "models = reflected"
            self.run(label, "compare DB vs models", SD, lambda: sd.compare(url, md), note=note)
            self.run(label, "compare DB vs models", "alembic compare",
                     lambda: peers.alembic_compare(url, md, schemas), note=note)
        base = self.report.find(label, "introspect")
        if dialect in ("postgresql", "sqlite"):
            url2 = dbs.copy_database(dialect, url, label.split()[0][:6] + "d")
            dbs.drift_corpus(url2, _quote(dialect))
            drifted = self.run(label, "introspect drifted copy", SD, lambda: sd.load(url2))
            if dialect == "postgresql":
                self.db_vs_db(label, url, url2)
            self.diff_and_plan(label, base, drifted)
            self.cli(label, "compare", url, url2)
        elif base is not None and base.value is not None:
            drifted_ir = drift_ir(base.value)
            self.diff_and_plan(label, base, Result(value=drifted_ir))
            snap = self.tmp / f"{label.split()[0]}-drifted.json"
            try:
                from schemadrift import snapshot
                snap.write_text(snapshot.to_json(drifted_ir), encoding="utf-8")
                self.cli(label, "compare", url, str(snap))
            except Exception as e:  # noqa: BLE001
                self.na(label, "CLI compare (process)", SD, f"snapshot: {e}"[:100])

    def corpus_models(self, url: str, schemas: list[str] | None):
        """Models for a corpus database: its own reflection, ordinary tables only (a SQLite
        virtual table cannot be created back from its reflection)."""
        wanted = {(s, t) for s, t in dbs.list_tables(url)}
        try:
            return peers.sa_reflect(url, schemas, only=lambda schema, name: (schema, name) in wanted,
                                    named_unknown_types=True)
        except Exception as e:  # noqa: BLE001
            print(f"could not reflect models: {e}", file=sys.stderr)
            return None

    # -- in memory -----------------------------------------------------------------------------
    def in_memory(self, n: int) -> None:
        """Diff and plan of two n-table IRs built in memory, and the peak memory of the whole."""
        label = f"in-memory IR {n}"
        if sd is None:
            self.na(label, "diff (1% drift)", SD, "schemadrift not importable")
            return
        with thawed():
            plan_time = self._in_memory_times(label, n)
        self.release(label)
        with_plan = plan_time is not None and plan_time < self.budget.memory_limit

        def whole():
            x, y = synth.build_ir(n), synth.build_ir(n, drift=True)
            diff = sd.diff(x, y)
            return sd.plan(diff) if with_plan else diff

        operation = "2 IRs + diff" + (" + plan" if with_plan else "")  # memory
        try:
            self.report.add(label, operation, SD, Result(peak=traced_peak(whole), peak_kind="py",
                                                         error="memory only"),
                            note="" if with_plan else "plan too slow to trace")
        except Exception as e:  # noqa: BLE001
            self.na(label, operation, SD, f"{type(e).__name__}: {e}"[:90])

    def _in_memory_times(self, label: str, n: int) -> float | None:
        """Time diff and plan of two n-table IRs; returns the plan's median (None: no plan)."""
        start = time.perf_counter()
        a, b = synth.build_ir(n), synth.build_ir(n, drift=True)
        frozen_setup()
        progress(f"{label}: built in {time.perf_counter() - start:.1f} s")
        d = self.run(label, "diff (1% drift)", SD, lambda: sd.diff(a, b), memory=False)
        if d.value is None:
            self.na(label, "plan", SD, "no diff to plan")
            return None
        p = self.run(label, "plan", SD, lambda: sd.plan(d.value), memory=False)
        if p.median is not None:
            self.report.add(label, "diff + plan", SD, Result(times=[d.median + p.median]),
                            note="sum of medians")
        return p.median

    # -- targets -------------------------------------------------------------------------------
    def targets(self) -> list[str]:
        rep, out = self.report, []

        def check(name, value, ok, shown):
            out.append(f"- {name}: {shown} -> {'met' if ok(value) else 'MISSED'}" if value is not None
                       else f"- {name}: n/a")

        def med(workload, operation, tool=SD):
            r = rep.find(workload, operation, tool)
            return r.median if r is not None else None

        for dialect in self.args.dialects:
            big = max(self.args.sizes)
            label = f"{dialect} synth {big}"
            intro = med(label, "introspect")
            alembic = med(label, "compare DB vs models", "alembic compare")
            compare = med(label, "compare DB vs models")
            floor = med(label, "introspect", "floor (driver+SQL)")
            if intro and alembic:
                check(f"{label}: alembic compare / schemadrift introspect >= 5", alembic / intro,
                      lambda v: v >= 5, f"{alembic / intro:.1f}x")
            if compare and alembic:
                check(f"{label}: alembic compare / schemadrift compare (same job) >= 5",
                      alembic / compare, lambda v: v >= 5, f"{alembic / compare:.1f}x")
            if dialect == "postgresql":
                migra, dbdb = med(label, "compare DB vs DB", "migra"), med(label, "compare DB vs DB")
                if intro and migra:
                    check(f"{label}: migra / schemadrift introspect >= 2", migra / intro,
                          lambda v: v >= 2, f"{migra / intro:.1f}x")
                if dbdb and migra:
                    check(f"{label}: migra / schemadrift compare DB vs DB (same job) >= 2", migra / dbdb,
                          lambda v: v >= 2, f"{migra / dbdb:.1f}x")
            if intro and floor:
                check(f"{label}: schemadrift introspect / floor <= 2", intro / floor,
                      lambda v: v <= 2, f"{intro / floor:.1f}x")
            sizes = sorted(self.args.sizes)
            for small, large in zip(sizes, sizes[1:]):
                a = med(f"{dialect} synth {small}", "introspect")
                b = med(f"{dialect} synth {large}", "introspect")
                if a and b:
                    limit = 1.1 * large / small
                    check(f"{dialect}: introspect growth {small} -> {large} tables <= {limit:.1f}x", b / a,
                          lambda v, limit=limit: v <= limit, f"{b / a:.1f}x")
        label = f"in-memory IR {IN_MEMORY_QUICK if self.args.quick else IN_MEMORY_TABLES}"
        both = med(label, "diff + plan")
        check(f"{label}: diff + plan < 1 s", both, lambda v: v < 1, f"{both:.3f} s" if both else "")
        mem = [r for r in rep.rows if r.workload == label and r.operation.startswith("2 IRs")]
        peak = mem[0].result.peak if mem else None
        check(f"{label}: peak memory ({mem[0].operation if mem else '2 IRs'}) < 200 MB", peak,
              lambda v: v < 200 * 2**20, f"{peak / 2**20:.0f} MB" if peak else "")
        return out


def _quote(dialect: str):
    if dialect in ("mariadb", "mysql"):
        return lambda s: "`" + s.replace("`", "``") + "`"
    return lambda s: '"' + s.replace('"', '""') + '"'


def drift_ir(schema):
    """``schema`` with one column added to 1% of its tables (a copy of the table's first column)."""
    tables = list(schema.tables)
    for k in range(len(tables) // 200, len(tables), 100):
        t = tables[k]
        if t.columns:
            extra = replace(t.columns[0], name="bench_drift", nullable=True, default=None, identity=None,
                            generated=None, comment=None)
            tables[k] = replace(t, columns=t.columns + (extra,))
    return replace(schema, tables=tuple(tables))


# -- command line -------------------------------------------------------------------------------
def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--quick", action="store_true", help="50 tables, no corpus, fewer runs (< 1 min)")
    p.add_argument("--sizes", help="comma-separated table counts (default 100,1000; --quick 100)")
    p.add_argument("--dialects", help="comma-separated, of " + ", ".join(DIALECTS))
    p.add_argument("--no-corpus", action="store_true", help="skip musicbrainz, orangehrm, synapse")
    p.add_argument("--repeats", type=int, help="runs per measurement (median; default 3)")
    p.add_argument("--budget", type=float, help="seconds per measurement before fewer runs (4; quick 1)")
    p.add_argument("--memory-limit", type=float,
                   help="skip the tracemalloc run for work slower than this (s; default 2, quick 0.5)")
    p.add_argument("--json", help="also write the raw results to this file")
    p.add_argument("--output", help="write the report (Markdown) here; default benchmarks/results.md "
                                    "(--quick: benchmarks/results-quick.md); '-' for none")
    args = p.parse_args(argv)
    args.sizes = [int(s) for s in (args.sizes or ("50" if args.quick else "100,1000")).split(",")]
    args.dialects = (args.dialects or ",".join(DIALECTS)).split(",")
    args.repeats = args.repeats or 3
    args.budget = args.budget if args.budget is not None else (1.0 if args.quick else 4.0)
    args.memory_limit = args.memory_limit if args.memory_limit is not None else (0.5 if args.quick else 2.0)
    args.corpus = not (args.quick or args.no_corpus)
    if args.output is None:
        args.output = str(HERE / ("results-quick.md" if args.quick else "results.md"))
    return args


def _stop(signum, frame):
    raise SystemExit(f"stopped by signal {signum}")  # so that the databases are still dropped


def main(argv=None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _stop)
    load_before = _load()
    _warm_imports()
    bench = Bench(args)
    started = time.perf_counter()
    try:
        for dialect in args.dialects:
            for n in args.sizes:
                bench.synthetic(dialect, n)
        if args.corpus:
            if "postgresql" in args.dialects:
                bench.corpus("musicbrainz-pg", "postgresql", dbs.load_musicbrainz)
            if "mariadb" in args.dialects:
                bench.corpus("orangehrm-mysql", "mariadb", dbs.load_orangehrm)
            if "sqlite" in args.dialects:
                bench.corpus("synapse-sqlite", "sqlite", dbs.load_synapse)
        bench.in_memory(IN_MEMORY_QUICK if args.quick else IN_MEMORY_TABLES)
    finally:
        dbs.drop_all()
        shutil.rmtree(bench.tmp, ignore_errors=True)
    elapsed = time.perf_counter() - started
    text = render(args, bench, elapsed, load_before)
    print("\n" + text)
    if args.output != "-":
        Path(args.output).write_text(text, encoding="utf-8")
        progress(f"report written to {args.output}")
    if args.json:
        Path(args.json).write_text(json.dumps(bench.report.to_json(), indent=1), encoding="utf-8")
    return 0


def render(args, bench: Bench, elapsed: float, load_before: tuple[float, ...]) -> str:
    """The report: a header with the run's conditions, the table, the targets."""
    load_after = _load()
    cpu = os.times()
    head = (f"schemadrift benchmarks ({'quick' if args.quick else 'default'}; sizes "
            f"{', '.join(map(str, args.sizes))}; median of up to {args.repeats} runs, "
            f"{args.budget:g} s budget per cell; total {elapsed:.0f} s)")
    facts = (f"{datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC; schemadrift "
             f"{_commit()}; Python {platform.python_version()}; {os.cpu_count()} CPUs; load average "
             f"{' / '.join(f'{x:.1f}' for x in load_before)} at the start, "
             f"{' / '.join(f'{x:.1f}' for x in load_after)} at the end; CPU time of this run "
             f"{cpu.user + cpu.system:.0f} s (+ {cpu.children_user + cpu.children_system:.0f} s in "
             f"child processes; the database servers' own time is not counted)")
    targets = ("Targets (issue 6)" + (": --quick sizes, indicative only; the targets are set at 1,000 "
                                      "and 10,000 tables" if args.quick else ":"))
    return "\n".join([head, "", facts, "", "```", bench.report.table(), "```", "", targets, "",
                      "```", *bench.targets(), "```", ""])


def _load() -> tuple[float, ...]:
    try:
        return os.getloadavg()
    except OSError:
        return ()


def _commit() -> str:
    try:
        out = subprocess.run(["git", "describe", "--always", "--dirty"], cwd=ROOT, capture_output=True,
                             text=True, timeout=5)
        return out.stdout.strip() or "(unknown commit)"
    except (OSError, subprocess.SubprocessError):
        return "(unknown commit)"


if __name__ == "__main__":
    raise SystemExit(main())
