"""Printing: HTML pages printed to A4 PDFs by headless Chromium (the browser, nothing else).

A page is opened from ``file://`` (it needs no network) and printed with playwright
driving Debian's Chromium (``/usr/bin/chromium``, or ``$CHROMIUM``): playwright's own
browser builds are never used.  One browser prints every PDF of a run.

The print stylesheet (``templates/print.css``, :func:`score_analysis.report.pages.print_stylesheet`)
keeps tables and figures whole, hides the navigation and opens page 1 with the banners;
it is added to a page that does not already carry it.  A table wider than a portrait
page even so is printed on landscape pages.  The footer of every page reads "Page n of
N" in the page's language.  :func:`print_settings_key` hashes everything besides the
page that shapes a PDF.

Which PDFs a run prints, and the keys that say which are up to date, are the PDF
stage's (:mod:`.pdfs`).
"""

from __future__ import annotations

import contextvars
import hashlib
import json
import os
import shutil
from collections.abc import Iterable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from ..i18n import LANGUAGES, use_language
from ..i18n import gettext as _

#: Paper and margins (the bottom margin holds the footer).
FORMAT = {"format": "A4", "margin": {"top": "14mm", "right": "14mm", "bottom": "18mm",
                                      "left": "14mm"}}
#: Width of the printed text on a portrait page, in CSS pixels (96 per inch).
TEXT_WIDTH_PX = (210 - 14 - 14) / 25.4 * 96
#: Marks the tables wider than the text of a portrait page: print.css puts them on
#: landscape pages.  Returns how many were marked.
MARK_WIDE = """width => {
  let n = 0;
  for (const table of document.querySelectorAll('table')) {
    if (table.getBoundingClientRect().width > width + 0.5) {
      (table.closest('.table-wrap') || table).classList.add('print-wide');
      n += 1;
    }
  }
  return n;
}"""
#: Marks a page that already carries the print stylesheet (first line of print.css).
PRINT_CSS_MARK = "score-analysis print stylesheet"
#: Chromium switches: no sandbox (containers), and no network of its own.
CHROMIUM_ARGS = ("--no-sandbox", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync",
                 "--disable-default-apps", "--disable-extensions", "--mute-audio")


class PdfError(RuntimeError):
    """A PDF could not be printed; the message says why in one line."""


class ChromiumMissing(PdfError):
    """No Chromium to print with (or no playwright to drive it)."""


@dataclass(frozen=True)
class PdfJob:
    """One PDF to print: the page, the PDF and the page's language."""

    page: Path
    pdf: Path
    lang: str


def chromium_path(environ: Mapping[str, str] | None = None) -> str | None:
    """The Chromium executable: ``$CHROMIUM`` when set (``None`` if it is not an
    executable), else Debian's ``/usr/bin/chromium`` or one on ``PATH``; ``None`` when
    there is none."""
    env = os.environ if environ is None else environ
    if env.get("CHROMIUM"):  # chosen by the user: that one or none
        chosen = env["CHROMIUM"]
        return chosen if Path(chosen).is_file() and os.access(chosen, os.X_OK) else None
    for candidate in ("/usr/bin/chromium", shutil.which("chromium"),
                      shutil.which("chromium-browser")):
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    return None


def footer_template(lang: str) -> str:
    """The footer of every printed page, in ``lang``: the page title and "Page n of N".

    Rendered from the autoescaping template ``print/footer.html``; Chromium fills the
    ``pageNumber``, ``totalPages`` and ``title`` spans.
    """
    from markupsafe import escape

    from ..report.rendering import render

    with use_language(lang):
        words = _("Page {page} of {pages}")
        page_of = escape(words).format(page=render("print/number.html", kind="pageNumber"),
                                       pages=render("print/number.html", kind="totalPages"))
        return str(render("print/footer.html", page_of=page_of))


def header_template() -> str:
    """The header of every printed page: none (``print/header.html``)."""
    from ..report.rendering import render

    return str(render("print/header.html"))


def print_stylesheet() -> str:
    """The print stylesheet: the reports' own
    (:func:`score_analysis.report.pages.print_stylesheet`)."""
    from ..report.pages import print_stylesheet as stylesheet

    return stylesheet()


def print_settings_key() -> str:
    """The hash of everything besides the page that shapes a PDF: the print stylesheet,
    the header, the footer in every language, the paper and the marking of wide tables."""
    parts = [print_stylesheet(), header_template(), MARK_WIDE, json.dumps(FORMAT, sort_keys=True),
             *(footer_template(lang) for lang in LANGUAGES)]
    return hashlib.sha256("\x00".join(parts).encode("utf-8")).hexdigest()


class Printer:
    """One headless Chromium that prints pages to PDF; use as a context manager."""

    def __init__(self, executable: str | None = None) -> None:
        self.executable = executable or chromium_path()
        self._playwright = None
        self._browser = None
        self._css = print_stylesheet()

    def __enter__(self) -> Printer:
        if self.executable is None:
            if os.environ.get("CHROMIUM"):
                raise ChromiumMissing(_(
                    "$CHROMIUM ({path}) is not an executable: install Debian's chromium "
                    "(apt-get install chromium) or set $CHROMIUM").format(
                        path=os.environ["CHROMIUM"]))
            raise ChromiumMissing(_("Chromium not found: install Debian's chromium "
                                    "(apt-get install chromium) or set $CHROMIUM"))
        try:
            from playwright.sync_api import Error, sync_playwright
        except ImportError:
            raise ChromiumMissing(_("playwright is not installed: pip install playwright")
                                  ) from None
        try:
            self._playwright = sync_playwright().start()
        except Error as exc:
            first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
            raise ChromiumMissing(_("playwright could not start: {error}").format(
                error=first)) from None
        try:
            self._browser = self._playwright.chromium.launch(
                executable_path=self.executable, args=list(CHROMIUM_ARGS))
        except Error as exc:
            self._playwright.stop()
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise ChromiumMissing(_("Chromium ({path}) did not start: {error}").format(
                path=self.executable, error=first)) from None
        return self

    def __exit__(self, *exc) -> None:
        if self._browser is not None:
            self._browser.close()
        if self._playwright is not None:
            self._playwright.stop()
        self._browser = self._playwright = None

    def print_page(self, page: Path, pdf: Path, lang: str) -> Path:
        """Print ``page`` (an HTML file) to ``pdf`` (A4, backgrounds, page numbers)."""
        context = self._browser.new_context(
            offline=True, viewport={"width": round(TEXT_WIDTH_PX), "height": 1000})
        try:
            tab = context.new_page()
            tab.goto(page.resolve().as_uri(), wait_until="load")
            if PRINT_CSS_MARK.encode("ascii") not in page.read_bytes():
                tab.add_style_tag(content=self._css)
            tab.emulate_media(media="print")
            tab.evaluate(MARK_WIDE, TEXT_WIDTH_PX)
            pdf.parent.mkdir(parents=True, exist_ok=True)
            tmp = pdf.with_name(pdf.name + ".part")
            tab.pdf(path=str(tmp), print_background=True, display_header_footer=True,
                    header_template=header_template(), footer_template=footer_template(lang),
                    prefer_css_page_size=True, **FORMAT)
            tmp.replace(pdf)
        finally:
            context.close()
        return pdf


@contextmanager
def printer(executable: str | None = None) -> Iterator[Printer]:
    """A started :class:`Printer` (raises :class:`ChromiumMissing` when it cannot start);
    in a thread without a running asyncio loop (see :func:`print_pages`)."""
    with Printer(executable) as p:
        yield p


def print_pages(jobs: Iterable[PdfJob], *, executable: str | None = None) -> list[Path]:
    """Print every job with one browser; the PDFs written.

    The browser is driven from a thread of its own: playwright's synchronous API
    refuses a thread whose asyncio loop runs (a Jupyter kernel, or another
    playwright session of the caller).  The current language goes along.
    """
    jobs = list(jobs)
    if not jobs:
        return []
    context = contextvars.copy_context()
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="score-analysis-pdf") as pool:
        return pool.submit(context.run, _print_all, jobs, executable).result()


def _print_all(jobs: list[PdfJob], executable: str | None) -> list[Path]:
    with printer(executable) as p:
        from playwright.sync_api import Error

        done = []
        for job in jobs:
            try:
                done.append(p.print_page(job.page, job.pdf, job.lang))
            except Error as exc:
                first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
                raise PdfError(_("{page} could not be printed: {error}").format(
                    page=job.page, error=first)) from None
        return done
