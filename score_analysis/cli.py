"""Command line: ``score-analysis validate | run | plan | template | demo-data | calibrate``.

The commands and their options are described in ``README.md`` and
``docs/data_contract.md``.  Exit codes: 0 success, 1 a report failed (the
others are still written), 2 invalid input or usage.  Heavy libraries are
imported only by the commands that need them, so ``--help`` and a no-op
``run`` answer at once.

Every message, and the help itself, is in the language chosen with
``--language`` (``en`` or ``id``) or else by the user's locale
(``LANG=id_ID.UTF-8`` gives Bahasa Indonesia).  The language is decided before
the parser is built, so that the help text is translated too.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from pathlib import Path

from . import __version__
from .i18n import LANGUAGES, language_from_environment, parse_languages, use_language
from .i18n import gettext as _

EXIT_OK, EXIT_FAILED, EXIT_INVALID = 0, 1, 2


def _defaults():
    from . import build

    return build


class _HelpFormatter(argparse.HelpFormatter):
    """argparse's help with its own words ("usage:") in the current language."""

    def add_usage(self, usage, actions, groups, prefix=None):
        return super().add_usage(usage, actions, groups,
                                 prefix=_("usage: ") if prefix is None else prefix)


class _Parser(argparse.ArgumentParser):
    """An argument parser whose titles, help option and errors are in the current language."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("formatter_class", _HelpFormatter)
        kwargs["add_help"] = False
        super().__init__(*args, **kwargs)
        self._positionals.title = _("positional arguments")
        self._optionals.title = _("options")
        self.add_argument("-h", "--help", action="help", default=argparse.SUPPRESS,
                          help=_("show this help and exit"))

    def error(self, message: str):
        self.print_usage(sys.stderr)
        self.exit(EXIT_INVALID, _("{prog}: error: {message}\n").format(
            prog=self.prog, message=_argparse_message(message)))


#: argparse's own error messages, and their words in the current language.
def _argparse_patterns() -> list[tuple[re.Pattern, str]]:
    return [
        (re.compile(r"the following arguments are required: (.+)"),
         _("the following arguments are required: {0}")),
        (re.compile(r"unrecognized arguments: (.+)"), _("unrecognized arguments: {0}")),
        (re.compile(r"argument (\S+): invalid choice: (.+) \(choose from (.+)\)"),
         _("argument {0}: invalid choice: {1} (choose from {2})")),
        (re.compile(r"argument (\S+): expected one argument"),
         _("argument {0}: expected one argument")),
        (re.compile(r"argument (\S+): (.+)"), _("argument {0}: {1}")),
    ]


def _argparse_message(message: str) -> str:
    for pattern, words in _argparse_patterns():
        if m := pattern.fullmatch(message):
            return words.format(*m.groups())
    return message


def _language_option(parser: argparse.ArgumentParser, *, pages: bool = False) -> None:
    if pages:
        text = _("language of the messages and the pages: en (English) or id (Bahasa "
                 "Indonesia); a comma list such as en,id builds the pages in each language "
                 "listed, and the first language listed decides the messages (default: the "
                 "language of your locale, else en)")
    else:
        text = _("language of the messages: en (English) or id (Bahasa Indonesia) (default: "
                 "the language of your locale, else en)")
    parser.add_argument("--language", type=_languages, default=None, metavar="LANG", help=text)


def _languages(text: str) -> tuple[str, ...]:
    try:
        return parse_languages(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            _("unknown language {language!r}: choose one of {choices}").format(
                language=text, choices=", ".join(LANGUAGES))) from None


def parser() -> argparse.ArgumentParser:
    """The command line's argument parser, its help in the current language."""
    p = _defaults()
    parser = _Parser(
        prog="score-analysis",
        description=_("Impact assessment of the ILO SCORE Module 1 pilot: validate enterprise "
                      "records, run the analysis plan and build the HTML reports."))
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}",
                        help=_("show the version and exit"))
    parser.add_argument("--debug", action="store_true",
                        help=_("show the full details (traceback) of an unexpected error"))
    sub = parser.add_subparsers(dest="command", required=True, metavar=_("COMMAND"),
                                parser_class=_Parser, title=_("commands"))
    data_help = _("directory of CSV files, or an .xlsx workbook (default: %(default)s)")

    v = sub.add_parser("validate", help=_("check the input data against the contract"),
                       description=_("Check every input table. Each problem is one line on "
                                     "the standard output (repeated problems of one cause "
                                     "on one line); the summary goes to the standard error."))
    v.add_argument("path", type=Path, nargs="?", default=None, metavar="PATH",
                   help=_("directory of CSV files, or an .xlsx workbook (the same as "
                          "--data-dir)"))
    v.add_argument("--data-dir", type=Path, default=None, help=data_help.replace(
        "%(default)s", str(p.DEFAULT_DATA)))
    _language_option(v)

    r = sub.add_parser("run", help=_("validate, analyse and build every report"),
                       description=_("Validate, analyse and build the reports; only what "
                                     "changed since the last run is rebuilt."))
    r.add_argument("--data-dir", type=Path, default=p.DEFAULT_DATA, help=data_help)
    r.add_argument("--reports-dir", type=Path, default=p.DEFAULT_REPORTS,
                   help=_("where the reports go (default: %(default)s)"))
    r.add_argument("--processed-dir", type=Path, default=p.DEFAULT_PROCESSED,
                   help=_("where the cleaned tables go (default: %(default)s)"))
    r.add_argument("--jobs", type=_positive, default=0, metavar="N",
                   help=_("reports built at once (default: the number of CPUs)"))
    r.add_argument("--plan", type=Path, default=None, metavar="PLAN.toml",
                   help=_("analysis settings that change the plan's (a TOML file; "
                          "score-analysis plan --show prints the plan's); the pages then "
                          "say that the settings are exploratory"))
    r.add_argument("--enterprise", action="append", default=[], metavar="ID",
                   help=_("build only this enterprise's pages (repeatable); every enterprise "
                          "is still analysed, and the synthesis still pools them all"))
    r.add_argument("--force", action="store_true", help=_("rebuild everything"))
    r.add_argument("--cell-timeout", type=_positive, default=600, metavar="SECONDS",
                   help=_("time limit per notebook cell (default: %(default)s)"))
    r.add_argument("--quiet", action="store_true", help=_("no progress bar"))
    r.add_argument("--scheduler", metavar="tcp://HOST:PORT", default=None,
                   help=_("build on this Dask scheduler's workers (default: "
                          "$SCORE_ANALYSIS_SCHEDULER, else this machine)"))
    _language_option(r, pages=True)
    r.add_argument("--no-pdf", dest="pdf", action="store_false",
                   help=_("do not print the A4 PDFs of the reports (reports/pdf/)"))
    r.add_argument("--no-appendix", dest="appendices", action="store_false",
                   help=_("do not build the reviewers' appendix pages (reports/appendix/)"))
    r.add_argument("--no-workshop", dest="workshop", action="store_false",
                   help=_("do not build the final result workshop pack (reports/workshop/)"))

    pl = sub.add_parser("plan", help=_("print the analysis settings as TOML"),
                        description=_("Print the settings of the analysis plan as TOML, to "
                                      "copy into a file for run --plan; with --plan, the "
                                      "settings of that file (checked)."))
    pl.add_argument("--show", action="store_true", required=True,
                    help=_("print the settings"))
    pl.add_argument("--plan", type=Path, default=None, metavar="PLAN.toml",
                    help=_("print the settings of this file instead of the plan's"))
    _language_option(pl)

    t = sub.add_parser("template", help=_("write a blank Excel workbook for data entry"),
                       description=_("Write a blank workbook: one sheet per table, drop-down "
                                     "lists, and a codebook sheet in English and Bahasa "
                                     "Indonesia."))
    t.add_argument("out", type=Path, metavar="OUT.xlsx",
                   help=_("the workbook to write (an existing file is never overwritten)"))
    _language_option(t)

    d = sub.add_parser("demo-data", help=_("write the simulated demonstration dataset"),
                       description=_("Write the seeded, simulated demonstration dataset "
                                     "(CSV)."))
    d.add_argument("out_dir", type=Path, metavar="OUT_DIR",
                   help=_("the directory to write the CSV files into"))
    d.add_argument("--enterprises", type=_positive, default=5, metavar="N",
                   help=_("number of enterprises (default: %(default)s; the first five are the "
                          "pilot enterprises)"))
    d.add_argument("--seed", type=_non_negative, default=None, metavar="S",
                   help=_("random seed (default: 20100322)"))
    d.add_argument("--comparison", type=_non_negative, default=3, metavar="N",
                   help=_("number of simulated comparison enterprises, which take no part "
                          "in the programme (default: %(default)s)"))
    _language_option(d)

    c = sub.add_parser("calibrate", help=_("measure how often the intervals cover a known "
                                           "effect, on simulated enterprises"),
                       description=_("Simulate enterprises with known effects over a grid of "
                                     "scenarios, analyse each as the run command does, and "
                                     "print the coverage of the intervals (confidence 95%), "
                                     "the rejection rate without an effect, the power, Holm's "
                                     "family-wise error and the coverage of alternative "
                                     "standard errors (docs/calibration.md)."))
    c.add_argument("--grid", choices=("default", "small"), default="default",
                   help=_("the grid of scenarios: default (the shipped table) or small (a "
                          "quick look) (default: %(default)s)"))
    c.add_argument("--reps", type=_positive, default=None, metavar="N",
                   help=_("simulated enterprises per scenario (default: 200 for the default "
                          "grid, 100 for the small one)"))
    c.add_argument("--seed", type=_non_negative, default=None, metavar="S",
                   help=_("random seed (default: 20100322)"))
    c.add_argument("--jobs", type=_positive, default=0, metavar="N",
                   help=_("processes at once (default: the number of CPUs)"))
    c.add_argument("--out", type=Path, default=None, metavar="FILE",
                   help=_("also write the table as CSV to FILE"))
    c.add_argument("--quiet", action="store_true", help=_("no progress bar"))
    _language_option(c)
    return parser


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            _("not a whole number: {value!r}").format(value=text)) from None
    if value < 1:
        raise argparse.ArgumentTypeError(_("must be at least 1: {value!r}").format(value=text))
    return value


def _non_negative(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            _("not a whole number: {value!r}").format(value=text)) from None
    if value < 0:
        raise argparse.ArgumentTypeError(
            _("must not be negative: {value!r}").format(value=text))
    return value


def _err(text: str) -> None:
    print(text, file=sys.stderr)


def _print_findings(findings, letters=None, workbook=None) -> None:
    """The findings on the standard output, one line per cause (repeated findings of one
    cause on one line, with their count and first places)."""
    from .data.findings import finding_lines

    for line in finding_lines(findings, letters, workbook):
        print(line)


def _counts(errors: int, warnings: int) -> str:
    from .i18n import ngettext

    return _("{errors}, {warnings}").format(
        errors=ngettext("{n} error", "{n} errors", errors).format(n=errors),
        warnings=ngettext("{n} warning", "{n} warnings", warnings).format(n=warnings))


def cmd_validate(args) -> int:
    from .build import validate_inputs
    from .data.findings import cause_counts

    if args.path is not None and args.data_dir is not None and args.path != args.data_dir:
        _err(_("score-analysis: give the data either as PATH or with --data-dir, not both"))
        return EXIT_INVALID
    data = args.path or args.data_dir or _defaults().DEFAULT_DATA
    result = validate_inputs(data)
    # errors, then warnings, then what was cleaned; the summary counts causes (lines)
    _print_findings(result.findings, result.letters, result.workbook)
    counts = cause_counts(result.findings)
    errors, warnings = counts["error"], counts["warning"]
    if errors:
        _err(_("{counts} in {data}: fix the errors and run again.").format(
            counts=_counts(errors, warnings), data=data))
        return EXIT_INVALID
    from .i18n import ngettext

    _err(_("{data}: valid ({tables}, {warnings}).").format(
        data=data, tables=ngettext("{n} table", "{n} tables", len(result.tables))
        .format(n=len(result.tables)),
        warnings=ngettext("{n} warning", "{n} warnings", warnings).format(n=warnings)))
    return EXIT_OK


def _settings(path: Path | None):
    """The analysis settings of ``--plan`` (the plan's without it); ``None`` after printing
    why the file cannot be used."""
    from .settings import PLAN, load_settings

    if path is None:
        return PLAN
    try:
        return load_settings(path)
    except ValueError as exc:
        _err(_("score-analysis: the analysis settings cannot be used: {error}").format(
            error=exc))
        return None


def cmd_plan(args) -> int:
    settings = _settings(args.plan)
    if settings is None:
        return EXIT_INVALID
    sys.stdout.write(settings.to_toml())
    return EXIT_OK


def cmd_run(args) -> int:
    from .build import InvalidInput, Options, UsageError, run

    settings = _settings(args.plan)
    if settings is None:  # a bad settings file: nothing is written
        return EXIT_INVALID
    # the pages: the languages listed with --language (already parsed), else both
    languages = tuple(args.language) if args.language else LANGUAGES
    options = Options(languages=languages, data_dir=args.data_dir, reports_dir=args.reports_dir,
                      processed_dir=args.processed_dir, jobs=args.jobs,
                      enterprises=tuple(args.enterprise), force=args.force,
                      cell_timeout=args.cell_timeout, appendices=args.appendices,
                      progress=not args.quiet and sys.stderr.isatty(),
                      scheduler=args.scheduler, pdf=args.pdf, settings=settings,
                      workshop=args.workshop)
    try:
        summary = run(options)
    except InvalidInput as exc:
        from .data.readers import column_letters

        letters, workbook = column_letters(args.data_dir)
        _print_findings(exc.findings, letters, workbook)
        from .i18n import ngettext

        n = len(exc.findings)
        _err(ngettext("{n} error in the input data: nothing was written. Fix it and run again "
                      "(score-analysis validate lists it too).",
                      "{n} errors in the input data: nothing was written. Fix them and run "
                      "again (score-analysis validate lists them too).", n).format(n=n))
        return EXIT_INVALID
    except UsageError as exc:
        _err(f"score-analysis: {exc}")
        return EXIT_INVALID
    except OSError as exc:  # e.g. a reports directory that cannot be written
        if args.debug:
            raise
        where = f": {exc.filename}" if exc.filename else ""
        _err(_("score-analysis: cannot write the outputs ({error}); the previous reports are "
               "left as they were.").format(error=f"{exc.strerror or exc}{where}"))
        return EXIT_FAILED
    print(run_summary(summary, args.reports_dir))
    if not summary.nothing_changed:
        print(_("Open {path}").format(path=args.reports_dir / "index.html"))
    return summary.exit_code


def run_summary(summary, reports_dir: Path) -> str:
    """The one-line summary of a run, in the current language: what was built, and where
    the data warnings are, with the first of them."""
    from .i18n import ngettext

    if summary.nothing_changed:
        return ngettext("Nothing changed since the last run: {n} report up to date ({s} s).",
                        "Nothing changed since the last run: {n} reports up to date ({s} s).",
                        summary.unchanged).format(n=summary.unchanged,
                                                  s=f"{summary.duration_s:.1f}")
    text = _("{built}, {unchanged}, {failed} in {s} s.").format(
        built=ngettext("{n} report built", "{n} reports built", summary.built)
        .format(n=summary.built),
        unchanged=_("{n} unchanged").format(n=summary.unchanged),
        failed=_("{n} failed").format(n=summary.failed), s=f"{summary.duration_s:.1f}")
    if summary.failures:
        text += " " + _("Failed: {names}.").format(names=", ".join(summary.failures))
    if summary.warnings:
        log = reports_dir / "quality_log.csv"
        text += " " + ngettext("{n} data warning, listed in {log}",
                               "{n} data warnings, listed in {log}", summary.warnings).format(
            n=summary.warnings, log=log)
        top = _top_warning(log)
        text += ("; " + _("the first: {warning}").format(warning=top) + ".") if top else "."
    return text


def _top_warning(log: Path) -> str | None:
    """The first warning of a quality log, as a short line (or ``None``)."""
    import csv

    try:
        with open(log, newline="", encoding="utf-8") as f:
            for row in csv.DictReader(f):
                if row.get("severity") == "warning":
                    where = row.get("file", "")
                    if row.get("row"):
                        where += ", " + _("row {row}").format(row=row["row"])
                    return f"{where}: {row.get('message', '')}"
    except OSError:
        return None
    return None


def cmd_template(args) -> int:
    from .data.template import write_template

    try:
        write_template(args.out)
    except (OSError, ValueError) as exc:
        _err(_("score-analysis: cannot write {path}: {error}").format(path=args.out, error=exc))
        return EXIT_INVALID
    print(_("Wrote {path}").format(path=args.out))
    return EXIT_OK


def cmd_demo_data(args) -> int:
    from .data.demo import DEFAULT_SEED, demo_tables
    from .files import write_tables_csv
    from .i18n import ngettext

    try:
        tables = demo_tables(args.enterprises,
                             DEFAULT_SEED if args.seed is None else args.seed,
                             comparison=args.comparison)
        written = write_tables_csv(tables, args.out_dir)
    except (OSError, ValueError) as exc:
        _err(f"score-analysis: {exc}")
        return EXIT_INVALID
    print(ngettext("Wrote {files} files for {n} enterprise to {path}",
                   "Wrote {files} files for {n} enterprises to {path}", args.enterprises)
          .format(files=len(written), n=args.enterprises, path=args.out_dir))
    return EXIT_OK


def _writable(path: Path) -> bool:
    """Whether a file can be written at ``path`` (its nearest existing folder is writable)."""
    folder = path.resolve().parent
    while not folder.exists():
        folder = folder.parent
    return folder.is_dir() and os.access(folder, os.W_OK)


def cmd_calibrate(args) -> int:
    from .calibration import DEFAULT_SEED
    from .calibration.study import calibrate
    from .calibration.summary import table_text
    from .files import write_csv

    if args.out is not None and (args.out.is_dir() or not _writable(args.out)):
        _err(_("score-analysis: cannot write {path}: it is a directory or its folder cannot "
               "be written").format(path=args.out))
        return EXIT_INVALID
    done = calibrate(args.grid, reps=args.reps,
                     seed=DEFAULT_SEED if args.seed is None else args.seed,
                     jobs=args.jobs or None,
                     progress=not args.quiet and sys.stderr.isatty())
    print(table_text(done.table))
    cost = done.outcome
    print(_("{enterprises} simulated enterprises ({series} series) in {wall} s ({cpu} s of "
            "processor time, {jobs} processes).").format(
        enterprises=done.enterprises, series=done.series, wall=f"{cost.wall_seconds:.0f}",
        cpu=f"{cost.cpu_seconds:.0f}", jobs=cost.jobs))
    if args.out is not None:
        try:
            write_csv(done.table, args.out)
        except OSError as exc:
            _err(_("score-analysis: cannot write {path}: {error}").format(
                path=args.out, error=exc.strerror or exc))
            return EXIT_INVALID
        print(_("Wrote {path}").format(path=args.out))
    return EXIT_OK


COMMANDS = {"validate": cmd_validate, "run": cmd_run, "plan": cmd_plan,
            "template": cmd_template, "demo-data": cmd_demo_data, "calibrate": cmd_calibrate}


def message_language(argv: list[str], environ=None) -> str:
    """The language of the messages: the first listed with ``--language`` in ``argv``, else
    the language of the locale (``LANG=id_ID.UTF-8`` → ``id``), else English."""
    for i, arg in enumerate(argv):
        text = None
        if arg == "--language" and i + 1 < len(argv):
            text = argv[i + 1]
        elif arg.startswith("--language="):
            text = arg.partition("=")[2]
        if text is not None:
            try:
                return parse_languages(text)[0]
            except ValueError:
                break  # the parser reports it
        if arg == "--":
            break
    return language_from_environment(environ)


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``score-analysis`` command."""
    argv = sys.argv[1:] if argv is None else list(argv)
    with use_language(message_language(argv)):
        args = parser().parse_args(argv)
        try:
            return COMMANDS[args.command](args)
        except KeyboardInterrupt:
            _err(_("Interrupted: the previous reports are left as they were."))
            return 130
        except BrokenPipeError:
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return EXIT_OK
        except Exception as exc:  # a fault of the program: one plain line unless --debug
            if args.debug:
                raise
            _err(_("score-analysis: unexpected error ({error}). This is a fault in the program, "
                   "not in your data: run the same command with --debug for the details and "
                   "report them.").format(
                error=f"{exc.__class__.__name__}: {' '.join(str(exc).split())}"))
            return EXIT_FAILED


if __name__ == "__main__":
    sys.exit(main())
