"""The workshop pack stage of a run: the one-page summaries (HTML and A4 PDF), the slide
deck and the chart files of the final result workshop, in every language of the run
(``docs/workshop.md``; the content is :mod:`score_analysis.report.workshop`).

::

    reports/workshop/<lang>/programme.html, programme.pdf      the programme on one page
    reports/workshop/<lang>/<enterprise_id>.html, .pdf          each enterprise on one page
    reports/workshop/<lang>/final_workshop.pptx                 the editable deck (16:9)
    reports/workshop/<lang>/charts/<name>.png, .svg             every chart (PNG 200 dpi)
    reports/workshop/keys.json                                  what was built, from what

Incremental like the pages: each enterprise's summary (page, PDF and chart) has a key
made of its rows of the processed tables, the code, the catalog and the options; the
programme summary and the deck have the key of all of them.  An output whose key is
unchanged and whose files exist is not rebuilt.  Everything is written into the run's
staging tree and committed with the other outputs (atomically, file by file); a pack
that cannot be built leaves the previous one in place and says why in one line.
The PDFs are printed by :mod:`.printing` (one browser); without Chromium, or with
``--no-pdf``, the pack is built without them.

:func:`cost` gives ``make bench`` the pack's share of a full build (target
:data:`COST_MAX`).
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import hashlib
import json
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..i18n import gettext as _
from ..i18n import use_language
from .keys import sha
from .options import Options, language_path, report_path

#: The pack's folder inside the reports directory.
WORKSHOP_DIR = "workshop"
#: What the last build of the pack left: keys, files, options, time taken.
STATE = f"{WORKSHOP_DIR}/keys.json"
#: The pack may add at most this share to a full build (``make bench``).
COST_MAX = 0.15
#: The programme summary's and the deck's names.
PROGRAMME = "programme"
_TABLE_KEYS = ("results", "milestones", "qualitative", "months", "implementation")


@dataclass
class PackOutcome:
    """What the workshop stage of a run did."""

    status: str = "skipped"  # "ok", "unchanged", "failed" or "skipped" (--no-workshop)
    built: int = 0  # summaries, programme summaries and decks written
    unchanged: int = 0
    pdfs: int = 0
    pdf_skipped: str | None = None
    no_browser: bool = False  # the PDFs were skipped for want of Chromium
    duration_s: float = 0.0
    error: str | None = None
    built_at: str = ""
    data_source: str = ""
    languages: tuple[str, ...] = ()
    keys: dict[str, str] = field(default_factory=dict)
    #: the files of each output group, relative to the reports directory
    groups: dict[str, list[str]] = field(default_factory=dict)

    @property
    def files(self) -> list[str]:
        return sorted({f for paths in self.groups.values() for f in paths})

    def line(self) -> str:
        """One line for the terminal, in the current language."""
        if self.status == "failed":
            return _("Workshop pack not built: {error}").format(error=self.error)
        from ..report.formatting import decimal  # in the number format of the language

        text = _("Workshop pack: {built} built, {unchanged} unchanged ({s} s).").format(
            built=self.built, unchanged=self.unchanged, s=decimal(self.duration_s, 1))
        if self.pdf_skipped and not self.no_browser:  # a missing Chromium is said once
            text += " " + _("Its PDFs were skipped: {reason}").format(reason=self.pdf_skipped)
        return text

    def index_entries(self, lang: str, up: str = "") -> list[dict]:
        """The pack's row on the index in ``lang`` (``up``: the way from that index to the
        reports directory); none when this run did not build or keep a pack in ``lang``."""
        if self.status == "skipped" or lang not in self.languages:
            return []
        with use_language(lang):
            return [{"path": f"{up}{WORKSHOP_DIR}/{lang}/{PROGRAMME}.html",
                     "title": _("Final result workshop: summaries and slides"),
                     "status": "failed" if self.status == "failed" else self.status,
                     "data_source": self.data_source, "built": self.built_at,
                     "headline": _("One-page summaries of the programme and of each "
                                   "enterprise (HTML and PDF), the slide deck (PowerPoint) "
                                   "and the charts as files.")}]


# --------------------------------------------------------------------------- state


def read_state(reports: Path) -> dict:
    """What the last build of the pack left in ``workshop/keys.json`` (empty if none)."""
    try:
        state = json.loads((reports / STATE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return state if isinstance(state, dict) and isinstance(state.get("keys"), dict) else {}


def _run_options(options: Options) -> dict:
    return {"languages": list(options.languages), "pdf": bool(options.pdf)}


def up_to_date(reports: Path, options: Options) -> bool:
    """Whether the pack of the last run serves this run unchanged (always with
    ``--no-workshop``): built complete for the same languages and PDF option, every file
    there (PDFs that could not be printed for want of Chromium count as there)."""
    if not options.workshop:
        return True
    from .printing import chromium_path

    state = read_state(reports)
    if not state or state.get("options") != _run_options(options):
        return False
    files = [f for f in state.get("files", []) if not (f.endswith(".pdf")
                                                       and chromium_path() is None)]
    complete = bool(state.get("complete")) or chromium_path() is None
    return complete and all((reports / f).is_file() for f in files)


# --------------------------------------------------------------------------- keys


def _frame_hash(frame) -> str:
    import pandas as pd

    if frame is None or frame.empty:
        return ""
    return hashlib.sha256(pd.util.hash_pandas_object(frame.astype(str), index=False)
                          .to_numpy().tobytes() + ",".join(frame.columns).encode()).hexdigest()


def _catalog_hash() -> str:
    from ..i18n import LOCALE_DIR

    h = hashlib.sha256()
    for po in sorted(LOCALE_DIR.glob("*/LC_MESSAGES/*.po")):
        h.update(po.read_bytes())
    return h.hexdigest()


def pack_keys(data, options: Options, *, code: str, printing_key: str) -> dict[str, str]:
    """The key of every output group of the pack: ``summary:<lang>:<id>`` for each
    enterprise, ``programme:<lang>`` and ``deck:<lang>``."""
    common = (code, _catalog_hash(), printing_key, _run_options(options),
              _frame_hash(data.codebook), data.settings.as_dict())
    ids = data.programme_ids
    own = {}
    for eid in ids:
        part = data.only(eid)
        own[eid] = sha(_frame_hash(part.enterprises),
                           *(_frame_hash(getattr(part, name)) for name in _TABLE_KEYS))
    everything = sha(_frame_hash(data.enterprises), _frame_hash(data.pooled),
                         sorted(own.items()))
    keys = {}
    for lang in options.languages:
        for eid in ids:
            keys[f"summary:{lang}:{eid}"] = sha(common, lang, own[eid])
        keys[f"programme:{lang}"] = sha(common, lang, everything)
        keys[f"deck:{lang}"] = sha(common, lang, everything, "deck")
    return keys


# --------------------------------------------------------------------------- paths


def pack_path(lang: str, name: str) -> str:
    """``workshop/<lang>/<name>``, relative to the reports directory."""
    return f"{WORKSHOP_DIR}/{lang}/{name}"


def _group_name(group: str) -> tuple[str, str, str]:
    """``(kind, language, name)`` of an output group (``summary:id:<enterprise_id>``)."""
    kind, lang, *rest = group.split(":")
    return kind, lang, (rest[0] if rest else PROGRAMME if kind == "programme" else "")


# --------------------------------------------------------------------------- the stage


def stage_workshop(options: Options, stage: Path, *,
                   echo: Callable[[str], None] = print) -> PackOutcome:
    """Build the pack's outputs whose key changed into ``stage/workshop/`` and write its
    state; return what was done.  Never raises for a pack that cannot be built: the
    previous pack stays, the outcome says ``failed`` and one line says why."""
    if not options.workshop:
        return PackOutcome(status="skipped")
    started = time.perf_counter()
    try:
        outcome = _stage(options, stage, echo)
    except Exception as exc:  # the other outputs of the run are still committed
        shutil.rmtree(stage / WORKSHOP_DIR, ignore_errors=True)
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        outcome = PackOutcome(status="failed", error=f"{type(exc).__name__}: {first}",
                              languages=tuple(options.languages))
    outcome.duration_s = time.perf_counter() - started
    if outcome.status == "failed" or outcome.built:
        echo(outcome.line())
    if outcome.status != "failed":
        _write_state(stage, outcome, options)
    return outcome


def _stage(options: Options, stage: Path, echo: Callable[[str], None]) -> PackOutcome:
    from ..report import workshop as pack
    from . import keys as build_keys
    from . import printing

    reports = options.reports_dir
    data = pack.load_workshop(options.processed_dir, settings=options.settings)
    keys = pack_keys(data, options, code=build_keys.code_fingerprint(),
                     printing_key=printing.print_settings_key())
    state = read_state(reports)
    previous, files = state.get("keys", {}), state.get("groups", {})
    todo = [g for g, k in keys.items()
            if options.force or previous.get(g) != k or g not in files
            or not all((reports / f).is_file() for f in files[g])]
    sources = sorted(set(data.enterprises["data_source"].astype(str)))
    outcome = PackOutcome(status="ok" if todo else "unchanged", built=len(todo),
                          unchanged=len(keys) - len(todo), data_source=", ".join(sources),
                          languages=tuple(options.languages), keys=keys,
                          groups={g: files[g] for g in keys if g not in todo})
    if not todo:
        outcome.built_at = read_state(reports).get("built", "")
        return outcome
    outcome.built_at = _dt.datetime.now(_dt.UTC).replace(microsecond=0).isoformat()
    jobs: list[printing.PdfJob] = []
    with (OnePagePrinter() if options.pdf else contextlib.nullcontext()) as printer:
        for lang in options.languages:
            written = _stage_language(data, lang, [g for g in todo if g.split(":")[1] == lang],
                                      options, stage, submit=printer.submit if printer else None)
            for group, (paths, pdfs) in written.items():
                outcome.groups[group] = paths
                jobs += pdfs
    if printer is not None:
        outcome.pdfs = len(printer.printed)
        if printer.error:  # the missing PDFs are printed by the next run
            outcome.pdf_skipped, outcome.no_browser = printer.error, printer.no_browser
            for job in jobs:
                job.pdf.unlink(missing_ok=True)
    return outcome


#: Shrinks a page whose printed layout is taller than one A4 page until it fits (CSS zoom,
#: never below ``floor``); returns the zoom used.
_FIT = """([height, floor]) => {
  const root = document.documentElement;
  let zoom = 1;
  for (let i = 0; i < 4; i++) {
    const tall = root.getBoundingClientRect().height * zoom;
    if (tall <= height) break;
    zoom = Math.max(floor, zoom * height / tall * 0.99);
    root.style.zoom = String(zoom);
    if (zoom === floor) break;
  }
  return zoom;
}"""
#: The printed text's height on an A4 page with the printer's margins, in CSS pixels.
_PAGE_HEIGHT_PX = (297 - 14 - 18) / 25.4 * 96
#: The summaries are never printed smaller than this share of their size.
MIN_ZOOM = 0.8


class OnePagePrinter:
    """Prints the summaries while the next ones are being made: a thread of its own drives
    one headless Chromium (:mod:`.printing`: A4, the footer) and prints each page handed to
    :meth:`submit`, fitted to one page (a page whose printed layout would run onto a second
    page is shrunk until it fits, to :data:`MIN_ZOOM` at most).  Use as a context manager;
    on leaving, every submitted page has been printed, or :attr:`error` says why not (the
    pages not printed have no PDF)."""

    def __init__(self) -> None:
        import queue

        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._thread = None
        self.printed: list[Path] = []
        self.error: str | None = None
        self.no_browser = False

    def __enter__(self) -> OnePagePrinter:
        import contextvars
        import threading

        context = contextvars.copy_context()  # the current language goes along
        self._thread = threading.Thread(target=context.run, args=(self._work,),
                                        name="score-analysis-workshop-pdf", daemon=True)
        self._thread.start()
        return self

    def submit(self, job) -> None:
        self._queue.put(job)

    def __exit__(self, *exc) -> None:
        self._queue.put(None)
        self._thread.join()

    def _jobs(self):
        while (job := self._queue.get()) is not None:
            yield job

    def _work(self) -> None:
        from . import printing

        try:
            with _fitting_printer() as printer:
                from playwright.sync_api import Error  # there once the printer started

                for job in self._jobs():
                    try:
                        self.printed.append(printer.print_page(job.page, job.pdf, job.lang))
                    except Error as exc:
                        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
                        raise printing.PdfError(_("{page} could not be printed: {error}")
                                                .format(page=job.page, error=first)) from None
        except printing.PdfError as exc:
            self.error = str(exc)
            self.no_browser = isinstance(exc, printing.ChromiumMissing)
            for _job in self._jobs():  # the rest is not printed
                pass


def _fitting_printer():
    """A :class:`.printing.Printer` (not started) that fits each page to one A4 page
    before printing it, every page in one tab (no browser context made per page)."""
    from . import printing

    class FittingPrinter(printing.Printer):
        _tab = None

        def print_page(self, page: Path, pdf: Path, lang: str) -> Path:
            if self._tab is None:
                context = self._browser.new_context(
                    offline=True, viewport={"width": round(printing.TEXT_WIDTH_PX),
                                            "height": round(_PAGE_HEIGHT_PX)})
                self._tab = context.new_page()
                self._tab.emulate_media(media="print")
            tab = self._tab
            tab.goto(page.resolve().as_uri(), wait_until="load")
            tab.evaluate(_FIT, [_PAGE_HEIGHT_PX, MIN_ZOOM])
            pdf.parent.mkdir(parents=True, exist_ok=True)
            tmp = pdf.with_name(pdf.name + ".part")
            tab.pdf(path=str(tmp), print_background=True, display_header_footer=True,
                    header_template=printing.header_template(),
                    footer_template=printing.footer_template(lang),
                    prefer_css_page_size=True, **printing.FORMAT)
            tmp.replace(pdf)
            return pdf

        def __exit__(self, *exc) -> None:
            if self._tab is not None:
                self._tab.context.close()
                self._tab = None
            super().__exit__(*exc)

    return FittingPrinter()


def _write(path: Path, data: bytes | str) -> None:
    from ..files import atomic_path

    with atomic_path(path) as tmp:
        if isinstance(data, bytes):
            tmp.write_bytes(data)
        else:
            tmp.write_text(data, encoding="utf-8")


def _links(options: Options, stage: Path, lang: str, name: str, *, chart: bool) -> list:
    """The links at the foot of a summary page (to the page's own files and the others)."""
    from ..report.workshop import Link

    with use_language(lang):
        links = []
        reports = options.reports_dir
        if name == PROGRAMME:
            synthesis = language_path("synthesis.html", lang)
            if (stage / synthesis).is_file() or (reports / synthesis).is_file():
                links.append(Link(f"../../{synthesis}", _("Synthesis across enterprises")))
        else:
            page = language_path(report_path(name), lang)
            if (stage / page).is_file() or (reports / page).is_file():
                links.append(Link(f"../../{page}", _("Full report")))
            links.append(Link(f"{PROGRAMME}.html", _("The programme on one page")))
        if options.pdf:
            links.append(Link(f"{name}.pdf", _("This page as PDF")))
        links.append(Link("final_workshop.pptx", _("The slides (PowerPoint)")))
        if chart:
            links.append(Link(f"charts/{name}.png", _("The chart (PNG)")))
            links.append(Link(f"charts/{name}.svg", _("The chart (SVG)")))
    return links


def _twin(options: Options, lang: str, name: str) -> str | None:
    others = [o for o in options.languages if o != lang]
    return f"../{others[0]}/{name}.html" if others else None


def _stage_language(data, lang: str, groups: list[str], options: Options, stage: Path, *,
                    submit: Callable | None = None) -> dict[str, tuple[list[str], list]]:
    """Write the outputs of ``groups`` in ``lang`` under ``stage``, each page handed to
    ``submit`` to be printed as soon as it is written; for each group, its files (relative
    to the reports directory) and its PDF jobs."""
    from ..report import workshop as pack
    from ..report.workshop.pages import Chart
    from .printing import PdfJob

    reports = options.reports_dir
    charts: dict[str, Chart] = {}
    out: dict[str, tuple[list[str], list]] = {}
    for group in groups:
        kind, _lang, name = _group_name(group)
        if kind == "deck":
            continue
        chart = (pack.programme_chart(data, lang=lang) if kind == "programme"
                 else pack.enterprise_chart(data, name, lang=lang))
        paths = [pack_path(lang, f"{name}.html")]
        if chart is not None:
            charts[name] = chart
            paths += [pack_path(lang, f"charts/{name}.png"), pack_path(lang, f"charts/{name}.svg")]
            _write(stage / paths[-2], chart.png)
            _write(stage / paths[-1], chart.svg)
        links = _links(options, stage, lang, name, chart=chart is not None)
        twin = _twin(options, lang, name)
        html = (pack.programme_page(data, lang=lang, chart=chart, links=links, twin=twin)
                if kind == "programme" else
                pack.summary_page(data, name, lang=lang, chart=chart, links=links, twin=twin))
        _write(stage / paths[0], html)
        jobs = []
        if submit is not None:
            paths.append(pack_path(lang, f"{name}.pdf"))
            jobs.append(PdfJob(page=stage / paths[0], pdf=stage / paths[-1], lang=lang))
            submit(jobs[-1])
        out[group] = (paths, jobs)
    deck = [g for g in groups if g.startswith("deck:")]
    if deck:
        for name in [PROGRAMME, *data.programme_ids]:
            png = reports / pack_path(lang, f"charts/{name}.png")
            if name in charts or not png.is_file():
                continue
            # unchanged: the chart drawn by an earlier run, its alt text made anew
            charts[name] = (pack.programme_chart(data, lang=lang, png=png.read_bytes())
                            if name == PROGRAMME else
                            pack.enterprise_chart(data, name, lang=lang, png=png.read_bytes()))
        path = pack_path(lang, "final_workshop.pptx")
        _write(stage / path, pack.deck_bytes(data, {k: c for k, c in charts.items() if c},
                                             lang=lang))
        out[deck[0]] = ([path], [])
    return out


def _write_state(stage: Path, outcome: PackOutcome, options: Options) -> None:
    state = {"keys": dict(sorted(outcome.keys.items())), "files": outcome.files,
             "groups": dict(sorted(outcome.groups.items())),
             "options": _run_options(options), "complete": outcome.pdf_skipped is None,
             "built": outcome.built_at, "duration_s": round(outcome.duration_s, 3),
             "pdfs": outcome.pdfs}
    path = stage / STATE
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(state, indent=1) + "\n", encoding="utf-8")


# --------------------------------------------------------------------------- cost


def cost(with_pack_s: float, without_pack_s: float) -> dict:
    """The pack's cost for ``make bench``: two full builds of the same data at the same
    moment, one with the pack and one with ``--no-workshop``; the extra seconds, their
    share of the build without the pack, and whether it is within :data:`COST_MAX`."""
    if without_pack_s <= 0:
        raise ValueError(f"the build without the pack took {without_pack_s} s; expected > 0")
    extra = with_pack_s - without_pack_s
    ratio = extra / without_pack_s
    return {"with_s": with_pack_s, "without_s": without_pack_s, "extra_s": extra,
            "ratio": ratio, "target": COST_MAX, "ok": ratio <= COST_MAX}


def stage_seconds(reports: Path) -> float | None:
    """The seconds the last build of the pack took (its own stage), from its state."""
    state = read_state(reports)
    value = state.get("duration_s")
    return float(value) if isinstance(value, (int, float)) else None


def stage_share(reports: Path, run_wall_s: float) -> dict | None:
    """The pack's share of one full run that took ``run_wall_s`` seconds and wrote
    ``reports``: the stage's own seconds against the rest of the run (the same figure as
    :func:`cost` without a second build; ``None`` when the run built no pack)."""
    pack_s = stage_seconds(reports)
    if pack_s is None:
        return None
    figures = cost(run_wall_s, run_wall_s - pack_s)
    return {**figures, "pack_s": pack_s}
