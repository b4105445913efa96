"""The PDF stage of a run: which PDFs, which of them are stale, and their keys.

Each enterprise report and the synthesis, per language, becomes
``reports/pdf/<lang>/<enterprise_id>.pdf`` and ``reports/pdf/<lang>/synthesis.pdf``,
printed from ``enterprises/<id>.html`` and ``synthesis.html`` (English) and their twins
under ``<lang>/`` into the staging tree and committed with the pages.  The printing
itself is :mod:`.printing`'s (headless Chromium).

Incremental: a PDF's key is the hash of its page's bytes and of the print settings
(:func:`~.printing.print_settings_key`); :func:`stale` lists the PDFs whose key changed
or whose file is missing, and only those are printed.  The keys are kept in
``reports/pdf/keys.json`` with the time the printing took.  Without Chromium the run
goes on and says that the PDFs were skipped.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from ..i18n import LANGUAGES
from .options import Options, language_path

#: Where the PDFs go, inside the reports directory.
PDF_DIR = "pdf"
#: The keys of the PDFs printed last, inside :data:`PDF_DIR`.
KEYS = "keys.json"


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


def pdf_name(lang: str, name: str) -> str:
    """``pdf/<lang>/<name>.pdf``, relative to the reports directory."""
    return f"{PDF_DIR}/{lang}/{name}.pdf"


def pdf_key(page: Path, settings: str) -> str:
    """The key of the PDF of ``page``: its bytes and the print settings."""
    h = hashlib.sha256(settings.encode("ascii"))
    h.update(page.read_bytes())
    return h.hexdigest()


def read_state(reports_dir: Path) -> dict:
    """What the last PDF step left in ``reports/pdf/keys.json``: ``keys`` (``{"pdf/en/e01.pdf":
    key}``), ``complete`` (every wanted PDF was printed), ``printed`` and ``duration_s``
    (seconds spent printing); empty when there is none."""
    try:
        data = json.loads((reports_dir / PDF_DIR / KEYS).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or not isinstance(data.get("keys"), dict):
        return {}
    return data


def write_state(keys: Mapping[str, str], out_dir: Path, *, printed: int = 0,
                duration_s: float = 0.0, complete: bool = True) -> Path:
    """Write ``<out_dir>/pdf/keys.json``: the keys of every PDF now up to date, how many
    were printed and how long it took, and whether every wanted PDF is among them;
    return its path."""
    path = out_dir / PDF_DIR / KEYS
    path.parent.mkdir(parents=True, exist_ok=True)
    state = {"complete": complete, "printed": printed, "duration_s": round(duration_s, 3),
             "keys": dict(sorted(keys.items()))}
    path.write_text(json.dumps(state, indent=1) + "\n", encoding="utf-8")
    return path


def stale(wanted: Mapping[str, tuple[Path, str]], reports_dir: Path,
          previous: Mapping[str, str], settings: str) -> tuple[dict[str, str], list[str]]:
    """The keys of all wanted PDFs, and which of them must be printed.

    ``wanted`` maps a PDF's name (:func:`pdf_name`) to its page and language.  A PDF
    is printed again when its key differs from ``previous`` or its file is missing
    from ``reports_dir``.
    """
    keys = {name: pdf_key(page, settings) for name, (page, _lang) in wanted.items()}
    todo = [name for name, key in keys.items()
            if previous.get(name) != key or not (reports_dir / name).is_file()]
    return keys, todo


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
    from .printing import chromium_path

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
    from . import printing

    started = time.perf_counter()
    want = wanted(reports, stage, pages, languages)
    previous = read_state(reports).get("keys", {})
    keys, todo = stale(want, reports, previous, printing.print_settings_key())
    jobs = [printing.PdfJob(page=want[name][0], pdf=stage / name, lang=want[name][1])
            for name in todo]
    try:
        printing.print_pages(jobs)
    except printing.PdfError as exc:
        # the PDFs that needed no printing stay valid; the others are printed next time
        kept = {name: key for name, key in keys.items() if name not in todo}
        write_state(kept, stage, complete=False)
        outcome = PdfOutcome(skipped=str(exc))
        echo(outcome.line())
        return outcome
    outcome = PdfOutcome(printed=len(jobs), unchanged=len(keys) - len(jobs),
                         duration_s=time.perf_counter() - started)
    write_state(keys, stage, printed=outcome.printed, duration_s=outcome.duration_s)
    echo(outcome.line())
    return outcome
