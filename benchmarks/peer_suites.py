"""How many peer-suite cases converge, per file and scope (both directions).

    python benchmarks/peer_suites.py                # every case of every file (several minutes)
    python benchmarks/peer_suites.py --sample 200   # a stable 20% sample
    python benchmarks/peer_suites.py --file sqldef-sqlite --failures
    python benchmarks/peer_suites.py --case 'migra/constraints'      # one case, both directions

Each direction builds FROM and TO on scratch databases of the real servers (PG_URL, MY_URL),
compares, applies the plan and compares again (see tests/peercases.py).
"""
from __future__ import annotations

import argparse
import contextlib
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from peercases import FILES, ScratchPool, in_sample, load_cases, run_direction  # noqa: E402


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--file", action="append", choices=sorted(FILES), help="only these files")
    p.add_argument("--scope", choices=("core", "extended", "all"), default="all")
    p.add_argument("--sample", type=int, default=1000, help="per-mille of each file (stable sample)")
    p.add_argument("--failures", action="store_true", help="list every failing direction")
    p.add_argument("--case", action="append", metavar="ID", help="only these case ids (repeatable)")
    args = p.parse_args()
    table: dict[tuple[str, str], Counter] = defaultdict(Counter)
    failures = []
    with contextlib.ExitStack() as held:
        _run(args, ScratchPool(held), table, failures)
    print(f"{'file':<26} {'scope':<9} {'converged':>12} {'%':>5}  failures by stage")
    for (name, scope), c in sorted(table.items()):
        stages = ", ".join(f"{k} {v}" for k, v in sorted(c.items()) if k not in ("total", "ok"))
        share = 100 * c["ok"] / c["total"]
        print(f"{name:<26} {scope:<9} {c['ok']:>5}/{c['total']:<6} {share:>4.0f}%  {stages}")
    if args.failures:
        for scope, o in failures:
            print(f"- {o.case} [{o.direction}] ({scope}) {o.stage}: {o.detail}")
    return 0


def _run(args, pool: ScratchPool, table, failures) -> None:
    for name in args.file or FILES:
        dialect = FILES[name]
        for case in load_cases(name):
            if args.scope != "all" and case["scope"] != args.scope:
                continue
            if not in_sample(case["id"], args.sample) or args.case and case["id"] not in args.case:
                continue
            for direction in ("forward", "backward"):
                with contextlib.ExitStack() as stack:
                    try:
                        outcome = run_direction(case, direction, pool.factory(case, dialect, stack))
                    except Exception as e:  # noqa: BLE001 - count it, go on
                        outcome = type("O", (), {"ok": False, "stage": "crash", "detail": str(e)[:200],
                                                 "case": case["id"], "direction": direction})()
                cell = table[(name, case["scope"])]
                cell["total"] += 1
                cell["ok"] += outcome.ok
                if not outcome.ok:
                    cell[outcome.stage] += 1
                    failures.append((case["scope"], outcome))
                print(".", end="", flush=True, file=sys.stderr)
    print(file=sys.stderr)


if __name__ == "__main__":
    raise SystemExit(main())
