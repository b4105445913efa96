"""The PDFs of a run: each enterprise report and the synthesis, per language, printed
from the pages of the run into the staging tree and committed with them.

``reports/pdf/<lang>/<enterprise_id>.pdf`` and ``reports/pdf/<lang>/synthesis.pdf``
come from ``enterprises/<id>.html`` and ``synthesis.html`` (English) and their
twins under ``<lang>/`` (``id/enterprises/<id>.html``...).  A PDF is printed only
when its page changed (or the print stylesheet, or the file is missing): see
:mod:`score_analysis.build.printing`.  One browser prints all of them.  Without Chromium the
run goes on and says that the PDFs were skipped.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from ..i18n import LANGUAGES
from .options import Options, language_path


@dataclass
class PdfOutcome:
    """What the PDF step of a run did."""

    printed: int = 0
    unchanged: int = 0
    skipped: str | None = None  # why no PDF was printed (Chromium missing...)
    duration_s: float = 0.0

    def line(self) -> str:
        """One line for the terminal, in the current language."""
        from ..i18n import gettext as _

        if self.skipped:
            return _("PDFs skipped: {reason}").format(reason=self.skipped)
        return _("PDFs: {printed} printed, {unchanged} unchanged ({s} s).").format(
            printed=self.printed, unchanged=self.unchanged, s=f"{self.duration_s:.1f}")


def report_pages(outcomes: Mapping[str, object]) -> list[tuple[str, str]]:
    """``(name, English page path)`` of every report of a run, the synthesis last.

    A failed report's page (which says so) is printed too, so that a PDF never shows
    results that its page no longer shows; a page that does not exist is left out by
    :func:`wanted`.
    """
    return [*((key, o.path) for key, o in sorted(outcomes.items())),
            ("synthesis", "synthesis.html")]


def wanted(reports: Path, stage: Path, pages: Iterable[tuple[str, str]],
           languages: Iterable[str] = LANGUAGES) -> dict[str, tuple[Path, str]]:
    """The PDFs of this run: ``{"pdf/<lang>/<name>.pdf": (page, lang)}``.

    ``pages`` holds ``(name, English page path)`` of the reports to print; a page
    is taken from ``stage`` when this run built it, else from ``reports``; a
    language whose page does not exist is left out.
    """
    from .printing import pdf_name

    out = {}
    for name, rel in pages:
        for lang in languages:
            path = language_path(rel, lang)
            page = stage / path if (stage / path).is_file() else reports / path
            if page.is_file():
                out[pdf_name(lang, name)] = (page, lang)
    return out


def up_to_date(reports: Path, options: Options) -> bool:
    """Whether the PDFs of the last run are all there, or cannot be printed here anyway
    (no Chromium); always with ``--no-pdf``."""
    if not options.pdf:
        return True
    from .printing import chromium_path, read_state

    state = read_state(reports)
    complete = bool(state.get("complete")) and all(
        (reports / name).is_file() for name in state.get("keys", {}))
    return complete or chromium_path() is None


def stage_pdfs(reports: Path, stage: Path, pages: Iterable[tuple[str, str]], *,
               languages: Iterable[str] = LANGUAGES,
               echo: Callable[[str], None] = print) -> PdfOutcome:
    """Print the PDFs whose page changed into ``stage/pdf/`` and write their keys.

    The keys of every PDF that exists after the commit go to ``stage/pdf/keys.json``.
    When Chromium cannot start or a page cannot be printed, the reason is echoed in
    one line and keys.json keeps only the PDFs that needed no printing, marked
    incomplete: the next run prints the others.  ``languages``: those of the run.
    """
    from . import printing as pdf

    started = time.perf_counter()
    want = wanted(reports, stage, pages, languages)
    previous = pdf.read_state(reports).get("keys", {})
    keys, todo = pdf.stale(want, reports, previous, pdf.settings_key())
    jobs = [pdf.PdfJob(page=want[name][0], pdf=stage / name, lang=want[name][1])
            for name in todo]
    try:
        pdf.print_pages(jobs)
    except pdf.PdfError as exc:
        # the PDFs that needed no printing stay valid; the others are printed next time
        kept = {name: key for name, key in keys.items() if name not in todo}
        pdf.write_state(kept, stage, complete=False)
        outcome = PdfOutcome(skipped=str(exc))
        echo(outcome.line())
        return outcome
    outcome = PdfOutcome(printed=len(jobs), unchanged=len(keys) - len(jobs),
                         duration_s=time.perf_counter() - started)
    pdf.write_state(keys, stage, printed=outcome.printed, duration_s=outcome.duration_s)
    echo(outcome.line())
    return outcome
