"""The command line: ``schemadrift compare | plan | inspect`` (also ``python -m schemadrift``).

Exit codes, like diff(1): ``compare`` 0 in sync, 1 differences, 2 error; ``plan`` and ``inspect``
0, or 2 on error. An error is one line on stderr starting with ``schemadrift: error:`` (the
traceback only with ``--debug``), and never shows a password.
"""
from __future__ import annotations

import argparse
import os
import sys
import traceback

from . import dialects, output, snapshot, sources
from .errors import SchemadriftError, UsageError, redact, url_secrets

PROG = "schemadrift"
PHASES = ("expand", "backfill", "contract", "all")
COMPARE_FORMATS = output.FORMATS
PLAN_FORMATS = ("sql", "json", "text")

_EXAMPLES = {
    "compare": """\
examples:
  # drift of a live database against the models (exit 1 when they differ)
  schemadrift compare postgresql://app@db/app myapp.models:Base
  # two databases, as Markdown for a pull-request comment
  schemadrift compare mysql+pymysql://root@prod/shop mysql+pymysql://root@staging/shop --format markdown
  # a snapshot against models, only the billing tables, with a confirmed column rename
  schemadrift compare prod.json app/models.py:metadata --include 'billing_*' --rename users.name=full_name
""",
    "plan": """\
examples:
  # the whole expand/backfill/contract script that turns the database into the models
  schemadrift plan postgresql://app@db/app myapp.models:Base > migrate.sql
  # only the expand phase, as JSON for an executor
  schemadrift plan sqlite:///app.db myapp.models:Base --phase expand --format json
  # the script that undoes the expand and backfill phases
  schemadrift plan postgresql://app@db/app myapp.models:Base --rollback
  # fill the existing rows of the new NOT NULL column users.email (no manual step)
  schemadrift plan postgresql://app@db/app myapp.models:Base --backfill "users.email=name || '@example.com'"
""",
    "inspect": """\
examples:
  # snapshot a live database (read-only) into a JSON file
  schemadrift inspect postgresql://app@db/app -o prod.json
  # what the models look like to MariaDB
  schemadrift inspect myapp.models:Base --dialect mariadb
""",
}


class ArgumentParser(argparse.ArgumentParser):
    """argparse with errors raised as UsageError (one line, exit 2) instead of usage + exit."""

    def error(self, message: str):
        raise UsageError(message)


# -- the parser ------------------------------------------------------------------------------------
def build_parser() -> ArgumentParser:
    """The argument parser of the three commands."""
    parser = ArgumentParser(
        prog=PROG, description="How a database differs from the schema your code declares, and an "
        "expand/backfill/contract plan to close the gap. FROM is the current state, TO the desired one.",
        epilog="run 'schemadrift COMMAND --help' for a command's options and examples",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND",
                                parser_class=ArgumentParser)

    common = _common_options()
    pair = _pair_options()
    compare = _command(sub, "compare", [common, pair], "print the differences FROM → TO",
                       "Print the differences that turn FROM into TO. Exit code 0 when in sync, "
                       "1 when they differ, 2 on error.")
    _two_sources(compare)
    compare.add_argument("--format", choices=COMPARE_FORMATS, default="text",
                         help="text (default: grouped by table, colored on a terminal), json, "
                         "markdown, or sql (the migration plan of the differences)")
    compare.add_argument("--engine", choices=("native", "migra"), default="native",
                         help="'migra' also prints migra's statements for PostgreSQL objects "
                         "schemadrift does not model (optional extra)")

    plan = _command(sub, "plan", [common, pair], "print the migration plan FROM → TO",
                    "Print the ordered expand/backfill/contract plan that turns FROM into TO. "
                    "Reads only; never runs anything. Exit code 0, or 2 on error.")
    _two_sources(plan)
    plan.add_argument("--format", choices=PLAN_FORMATS, default="sql",
                      help="sql (default: a script the dialect's own client runs), json, or text")
    plan.add_argument("--phase", choices=PHASES, default="all",
                      help="print only this phase (default: all)")
    plan.add_argument("--rollback", action="store_true",
                      help="print the SQL that undoes the expand and backfill phases instead")
    plan.add_argument("--backfill", action="append", metavar="TABLE.COLUMN=SQL", default=[],
                      type=_backfill, dest="backfills",
                      help="the SQL expression that fills the existing rows of a column before it "
                      "becomes NOT NULL (a new NOT NULL column without a default), instead of a "
                      "manual step; or the USING expression of a type change the server cannot convert; "
                      "SCHEMA.TABLE.COLUMN outside the default schema; repeatable")

    inspect = _command(sub, "inspect", [common], "print a source's schema as a JSON snapshot",
                       f"Print SOURCE's schema as a JSON snapshot (format {snapshot.FORMAT}), usable "
                       "as a source later. Exit code 0, or 2 on error.")
    inspect.add_argument("source", metavar="SOURCE", help="a database URL, a snapshot file, or models "
                         "(package.module:attr or path/to/file.py:attr)")
    inspect.add_argument("--format", choices=("json",), default="json", help="json (the only format)")
    return parser


def _command(sub, name: str, parents: list, summary: str, description: str) -> ArgumentParser:
    return sub.add_parser(name, parents=parents, help=summary, description=description,
                          epilog=_EXAMPLES[name], formatter_class=argparse.RawDescriptionHelpFormatter)


def _common_options() -> ArgumentParser:
    p = ArgumentParser(add_help=False)
    g = p.add_argument_group("common options")
    g.add_argument("--schema", action="append", metavar="NAME", dest="schemas",
                   help="compare only this schema (PostgreSQL namespace); repeatable")
    g.add_argument("--include", action="append", metavar="GLOB", default=[],
                   help="only tables whose name matches GLOB (e.g. 'billing_*'); repeatable")
    g.add_argument("--exclude", action="append", metavar="GLOB", default=[],
                   help="leave out tables whose name matches GLOB; repeatable")
    g.add_argument("--dialect", type=_dialect_name, metavar="NAME",
                   help="dialect for sources without one of their own, such as models "
                   f"({', '.join(dialects.NAMES)})")
    g.add_argument("--connect-timeout", type=_seconds, default=10, metavar="SECONDS",
                   help="give up connecting to a server after SECONDS (default 10)")
    g.add_argument("-o", "--output", metavar="FILE", help="write the output to FILE instead of stdout")
    g.add_argument("--debug", action="store_true", help="show the traceback of an error")
    return p


def _pair_options() -> ArgumentParser:
    p = ArgumentParser(add_help=False)
    p.add_argument("--rename", action="append", metavar="TABLE.OLD=NEW", default=[], type=_rename,
                   help="confirm a column rename (TABLE.OLD=NEW) or a table rename (OLD=NEW); repeatable")
    return p


def _two_sources(p: argparse.ArgumentParser) -> None:
    p.add_argument("from_source", metavar="FROM", help="the current state: a database URL, a snapshot "
                   "file, or models (package.module:attr or path/to/file.py:attr)")
    p.add_argument("to_source", metavar="TO", help="the desired state (same kinds as FROM)")


def _dialect_name(text: str) -> str:
    key = text.lower()
    if key not in dialects.ALIASES:
        raise argparse.ArgumentTypeError(f"unknown dialect {text!r} (known: {', '.join(dialects.NAMES)})")
    return key if key in dialects.NAMES else dialects.ALIASES[key]


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1
    if not value > 0:
        raise argparse.ArgumentTypeError(f"not a positive number of seconds: {text!r}")
    return value


def _rename(text: str) -> tuple[str, str]:
    old, sep, new = text.partition("=")
    if not sep or not old.strip() or not new.strip() or "=" in new:
        raise argparse.ArgumentTypeError(f"expected TABLE.OLD=NEW or OLD=NEW, got {text!r}")
    return old.strip(), new.strip()


def _backfill(text: str) -> tuple[str, str]:
    column, sep, expr = text.partition("=")
    if not sep or "." not in column.strip(".") or not expr.strip():
        raise argparse.ArgumentTypeError(f"expected TABLE.COLUMN=SQL, got {text!r}")
    return column.strip(), expr.strip()


# -- running ----------------------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in argv
    secrets = url_secrets(argv)
    try:
        args = build_parser().parse_args(argv)
        return COMMANDS[args.command](args)
    except SystemExit as e:  # --help and --version
        return e.code if isinstance(e.code, int) else 0
    except KeyboardInterrupt:
        _error("interrupted", secrets)
        return 130
    except SchemadriftError as e:
        if debug:
            traceback.print_exc()
        _error(str(e), secrets)
        return 2
    except Exception as e:  # noqa: BLE001 - every error is one line, even our own bugs
        if debug:
            traceback.print_exc()
        first = (str(e).strip().splitlines() or [""])[0]
        hint = "" if debug else " (run with --debug for the traceback)"
        _error(f"unexpected {type(e).__name__}: {first}{hint}", secrets)
        return 2


def _error(message: str, secrets: tuple[str, ...]) -> None:
    line = redact(" ".join(message.split()), secrets)
    if sys.stderr.isatty():
        sys.stderr.write("\r\x1b[K")  # clear a progress line left by the failed step
    print(f"{PROG}: error: {line}", file=sys.stderr)


def run_compare(args) -> int:
    """``compare FROM TO``: 0 in sync, 1 differences."""
    if args.engine == "migra":
        from . import migra_engine
        migra_engine.require(args.from_source, args.to_source)  # before any connection is made
    d = _diff(args)
    extra = _migra_statements(args) if args.engine == "migra" else None
    color = args.format == "text" and not args.output and output.use_color(sys.stdout)
    if args.format == "sql":
        text = _plan(d).to_sql() + output.extra_sql(extra)
    else:
        text = output.render_diff(d, args.format, color=color, extra=extra)
    _write(args, text)
    return 0 if d.in_sync and not extra else 1


def _migra_statements(args) -> list[str]:
    """migra's statements for the PostgreSQL objects the IR does not model (``--engine migra``)."""
    from . import migra_engine

    progress = Progress()
    progress("asking migra")
    try:
        return migra_engine.unmodelled(migra_engine.statements(args.from_source, args.to_source))
    finally:
        progress.done()


def run_plan(args) -> int:
    """``plan FROM TO``: the plan in the chosen format."""
    if args.rollback and args.format != "sql":
        raise UsageError("--rollback prints SQL: leave out --format or use --format sql")
    d = _diff(args)
    backfills = dict(args.backfills)
    p = _plan(d, backfills)
    _warn_unused_backfills(p, backfills, d)
    phase = None if args.phase == "all" else args.phase
    if args.rollback:
        text = p.to_rollback_sql()
    elif args.format == "json":
        text = p.to_json(phase)
    elif args.format == "text":
        text = p.to_text(phase)
    else:
        text = p.to_sql(phase)
    _write(args, text)
    return 0


def run_inspect(args) -> int:
    """``inspect SOURCE``: the JSON snapshot."""
    progress = Progress()
    source = sources.resolve(args.source)
    progress(f"reading {source.label}")
    schema = source.load(args.dialect, args.schemas, args.connect_timeout)
    progress.done()
    schema = _filtered([schema], args)[0]
    _write(args, snapshot.to_json(schema))
    return 0


COMMANDS = {"compare": run_compare, "plan": run_plan, "inspect": run_inspect}


def _diff(args):
    from .differ import diff

    progress = Progress()
    a, b = sources.load_pair(args.from_source, args.to_source, dialect=args.dialect,
                             schemas=args.schemas, connect_timeout=args.connect_timeout,
                             progress=progress)
    a, b = _filtered([a, b], args)
    progress("comparing")
    result = diff(a, b, renames=dict(args.rename))
    progress.done()
    _warn_unused_renames(args.rename, result)
    return result


def _warn_unused_renames(renames: list[tuple[str, str]], d) -> None:
    """A warning for each --rename that matched no dropped-and-added pair (a typo, most likely)."""
    used = set()
    for c in d.changes:
        if c.kind == "rename_column":
            used.add(f"{c.qualified_table}.{c.name}")
        elif c.kind == "rename_table":
            used.add(c.qualified_table)  # the old name
            used |= {f"{c.qualified_table}.{old}" for old, _ in c.columns}
    for old, new in renames:
        if old not in used:
            print(f"{PROG}: warning: --rename {old}={new} matches no dropped and added pair; ignored",
                  file=sys.stderr)


def _warn_unused_backfills(p, backfills: dict[str, str], d) -> None:
    """A warning for each --backfill of a column the plan does not fill (it needs no backfill)."""
    if not backfills:
        return
    from .dialects import get
    from .planner import unused_backfills
    dialect = get(d.dialect, d.from_schema.server_version or d.to_schema.server_version)
    for key in unused_backfills(p, backfills, dialect, d.to_schema):
        print(f"{PROG}: warning: --backfill {key}=… fills no column of this plan (it needs no "
              "backfill); ignored", file=sys.stderr)


def _plan(d, backfills: dict[str, str] | None = None):
    from . import plan
    try:
        return plan(d, backfills=backfills) if backfills else plan(d)
    except ModuleNotFoundError as e:
        if not (e.name or "").startswith(__package__ + "."):
            raise
        raise SchemadriftError(f"planning is not available in this build ({e.name} is missing)") from e
    except NotImplementedError as e:
        raise SchemadriftError(f"cannot plan this change for {d.dialect}: {e}") from e


def _filtered(schemas: list, args) -> list:
    """Apply --include/--exclude; warn on stderr when an --include glob matches no table."""
    if not args.include and not args.exclude:
        return schemas
    for pattern in args.include:
        if not any(sources.table_matches(t, [pattern], None) for s in schemas for t in s.tables):
            print(f"{PROG}: warning: --include {pattern!r} matches no table", file=sys.stderr)
    return [sources.filter_tables(s, args.include, args.exclude) for s in schemas]


def _write(args, text: str) -> None:
    if not args.output:
        try:
            sys.stdout.write(text)
            sys.stdout.flush()
        except BrokenPipeError:  # the reader (head, less) went away: not an error
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return
    try:
        with open(args.output, "w", encoding="utf-8") as f:
            f.write(text)
    except OSError as e:
        raise UsageError(f"cannot write {args.output}: {e.strerror or e}") from e


class Progress:
    """A one-line progress indication on stderr, shown only when stderr is a terminal."""

    def __init__(self, stream=None):
        self.stream = stream or sys.stderr
        self.enabled = bool(getattr(self.stream, "isatty", lambda: False)())
        self.shown = False

    def __call__(self, message: str) -> None:
        if self.enabled:
            self.stream.write("\r\x1b[K" + redact(message) + " …")
            self.stream.flush()
            self.shown = True

    def done(self) -> None:
        if self.shown:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
            self.shown = False


def _version() -> str:
    from . import __version__
    return __version__


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
