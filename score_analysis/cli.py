"""Command line: ``score-analysis validate | run | template | demo-data`` (SPEC §8).

Exit codes: 0 success, 1 a report failed (the others are still written),
2 invalid input or usage.  Heavy libraries are imported only by the commands
that need them, so ``--help`` and a no-op ``run`` answer at once.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from . import __version__

EXIT_OK, EXIT_FAILED, EXIT_INVALID = 0, 1, 2


def _defaults():
    from . import pipeline

    return pipeline


def _parser() -> argparse.ArgumentParser:
    p = _defaults()
    parser = argparse.ArgumentParser(
        prog="score-analysis",
        description="Impact assessment of the ILO SCORE Module 1 pilot: validate enterprise "
                    "records, run the analysis plan and build the HTML reports.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--debug", action="store_true",
                        help="show the full details (traceback) of an unexpected error")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    v = sub.add_parser("validate", help="check the input data against the contract",
                       description="Check every input table; print one line per problem.")
    v.add_argument("--data-dir", type=Path, default=p.DEFAULT_DATA,
                   help="directory of CSV files, or an .xlsx workbook (default: %(default)s)")

    r = sub.add_parser("run", help="validate, analyse and build every report",
                       description="Validate, analyse and build the reports; only what "
                                   "changed since the last run is rebuilt.")
    r.add_argument("--data-dir", type=Path, default=p.DEFAULT_DATA,
                   help="directory of CSV files, or an .xlsx workbook (default: %(default)s)")
    r.add_argument("--reports-dir", type=Path, default=p.DEFAULT_REPORTS,
                   help="where the reports go (default: %(default)s)")
    r.add_argument("--processed-dir", type=Path, default=p.DEFAULT_PROCESSED,
                   help="where the cleaned tables go (default: %(default)s)")
    r.add_argument("--jobs", type=_positive, default=0, metavar="N",
                   help="reports built at once (default: the number of CPUs)")
    r.add_argument("--enterprise", action="append", default=[], metavar="ID",
                   help="build only this enterprise's report (repeatable)")
    r.add_argument("--force", action="store_true", help="rebuild everything")
    r.add_argument("--cell-timeout", type=_positive, default=600, metavar="SECONDS",
                   help="time limit per notebook cell (default: %(default)s)")
    r.add_argument("--quiet", action="store_true", help="no progress bar")
    r.add_argument("--language", default="en,id", metavar="LANGS",
                   help="languages of the pages, comma-separated; the first also decides the "
                        "language of the messages (default: %(default)s)")
    r.add_argument("--scheduler", metavar="tcp://HOST:PORT", default=None,
                   help="build on this Dask scheduler's workers (default: "
                        "$SCORE_ANALYSIS_SCHEDULER, else this machine)")
    r.add_argument("--no-pdf", dest="pdf", action="store_false",
                   help="do not print the A4 PDFs of the reports (reports/pdf/)")

    t = sub.add_parser("template", help="write a blank Excel workbook for data entry",
                       description="Write a blank workbook: one sheet per table, drop-down "
                                   "lists, and a codebook sheet in English and Bahasa "
                                   "Indonesia.")
    t.add_argument("out", type=Path, metavar="OUT.xlsx")

    d = sub.add_parser("demo-data", help="write the simulated demonstration dataset",
                       description="Write the seeded, simulated demonstration dataset (CSV).")
    d.add_argument("out_dir", type=Path, metavar="OUT_DIR")
    d.add_argument("--enterprises", type=_positive, default=5, metavar="N",
                   help="number of enterprises (default: %(default)s; the first five are the "
                        "pilot enterprises)")
    d.add_argument("--seed", type=_non_negative, default=None, metavar="S",
                   help="random seed (default: 20100322)")
    return parser


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1: {text!r}")
    return value


def _non_negative(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must not be negative: {text!r}")
    return value


def _err(text: str) -> None:
    print(text, file=sys.stderr)


def _print_findings(findings) -> None:
    for f in findings:
        print(f.line(), file=sys.stderr)


def cmd_validate(args) -> int:
    from .pipeline import validate_inputs

    result = validate_inputs(args.data_dir)
    _print_findings(result.findings)  # errors, then warnings, then what was cleaned
    errors = len(result.errors)
    warnings = sum(f.severity == "warning" for f in result.findings)
    if errors:
        _err(f"{errors} error(s), {warnings} warning(s) in {args.data_dir}: fix the errors "
             f"and run again.")
        return EXIT_INVALID
    print(f"{args.data_dir}: valid ({len(result.tables)} tables, {warnings} warning(s)).")
    return EXIT_OK


def cmd_run(args) -> int:
    from .i18n import parse_languages
    from .pipeline import InvalidInput, Options, UsageError, run

    try:
        languages = parse_languages(args.language)
    except ValueError as exc:
        _err(f"score-analysis: {exc}")
        return EXIT_INVALID
    options = Options(languages=languages, data_dir=args.data_dir, reports_dir=args.reports_dir,
                      processed_dir=args.processed_dir, jobs=args.jobs,
                      enterprises=tuple(args.enterprise), force=args.force,
                      cell_timeout=args.cell_timeout,
                      progress=not args.quiet and sys.stderr.isatty(),
                      scheduler=args.scheduler, pdf=args.pdf)
    try:
        summary = run(options)
    except InvalidInput as exc:
        _print_findings(exc.findings)
        _err(f"{len(exc.findings)} error(s) in the input data: nothing was written. Fix them "
             f"and run again (score-analysis validate lists them too).")
        return EXIT_INVALID
    except UsageError as exc:
        _err(f"score-analysis: {exc}")
        return EXIT_INVALID
    except OSError as exc:  # e.g. a reports directory that cannot be written
        if args.debug:
            raise
        where = f": {exc.filename}" if exc.filename else ""
        _err(f"score-analysis: cannot write the outputs ({exc.strerror or exc}{where}); the "
             f"previous reports are left as they were.")
        return EXIT_FAILED
    print(summary.line())
    if not summary.nothing_changed:
        print(f"Open {args.reports_dir / 'index.html'}")
    return summary.exit_code


def cmd_template(args) -> int:
    from .template import write_template

    try:
        write_template(args.out)
    except (OSError, ValueError) as exc:
        _err(f"score-analysis: cannot write {args.out}: {exc}")
        return EXIT_INVALID
    print(f"Wrote {args.out}")
    return EXIT_OK


def cmd_demo_data(args) -> int:
    from .demo import DEFAULT_SEED, demo_tables
    from .io import write_tables_csv

    try:
        tables = demo_tables(args.enterprises,
                             DEFAULT_SEED if args.seed is None else args.seed)
        written = write_tables_csv(tables, args.out_dir)
    except (OSError, ValueError) as exc:
        _err(f"score-analysis: {exc}")
        return EXIT_INVALID
    print(f"Wrote {len(written)} files for {args.enterprises} enterprise(s) to {args.out_dir}")
    return EXIT_OK


COMMANDS = {"validate": cmd_validate, "run": cmd_run, "template": cmd_template,
            "demo-data": cmd_demo_data}


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``score-analysis`` command."""
    args = _parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except KeyboardInterrupt:
        _err("Interrupted: the previous reports are left as they were.")
        return 130
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except Exception as exc:  # a fault of the program: one plain line unless --debug
        if args.debug:
            raise
        _err(f"score-analysis: unexpected error ({exc.__class__.__name__}: "
             f"{' '.join(str(exc).split())}). This is a fault in the program, not in your "
             f"data: run the same command with --debug for the details and report them.")
        return EXIT_FAILED


if __name__ == "__main__":
    sys.exit(main())
