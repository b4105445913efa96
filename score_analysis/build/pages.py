"""The pages of a run: each page in every language, the notebook job that makes a report's
pages, the failed pages of an analysis that failed, and the index.

A page is written in every language of the run: English where it always was, the others
mirrored under ``<lang>/`` (:func:`~.options.language_path`), each linking its twin in
the other language.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import NamedTuple

from ..i18n import gettext as _
from ..i18n import use_language
from .notebooks import NotebookJob, home_link
from .options import (
    ENTERPRISE_NOTEBOOK,
    SYNTHESIS_NOTEBOOK,
    Options,
    language_path,
    notebook_parameters,
)
from .records import ReportKind


class LanguagePage(NamedTuple):
    """One page in one language: its path relative to the reports directory, its title and
    the address of its twin in the other language (relative to the page)."""

    lang: str
    path: str
    title: str
    twin: str | None


def language_pages(rel: str, name: str, kind: ReportKind | str,
                   languages: tuple[str, ...]) -> list[LanguagePage]:
    """The page ``rel`` in each language; the twin is the page in the other language of the
    first two.  ``name``: the enterprise's name (for the title of its report)."""
    out = []
    for lang in languages:
        with use_language(lang):
            title = (_("{name} — impact assessment").format(name=name) if kind == "enterprise"
                     else _("SCORE Module 1 — synthesis") if kind == "synthesis" else "")
        path = language_path(rel, lang)
        others = [o for o in languages if o != lang]
        twin = (os.path.relpath(language_path(rel, others[0]), os.path.dirname(path) or ".")
                if others else None)
        out.append(LanguagePage(lang, path, title, twin))
    return out


def report_job(key: str, kind: ReportKind, name: str, rel: str, stage: Path,
               options: Options, *, unbuilt: tuple[str, ...] = ()) -> NotebookJob:
    """The notebook job of one report, every output staged under ``stage``: one kernel
    renders the report in every language of the run, one page per language.

    The notebook runs in the run's folder (:attr:`Options.project_dir`) and is given its
    folders relative to it.
    """
    notebook = options.notebooks_dir / (ENTERPRISE_NOTEBOOK if kind == "enterprise"
                                        else SYNTHESIS_NOTEBOOK)
    pages = tuple((p.lang, str((stage / p.path).resolve()), p.title)
                  for p in language_pages(rel, name, kind, options.languages))
    parameters = {**notebook_parameters(key if kind == "enterprise" else None,
                                        options.processed_dir, base=options.project_dir),
                  "language": ",".join(options.languages)}
    if kind == "synthesis":
        parameters["missing_pages"] = ",".join(unbuilt)
    else:
        parameters["appendix"] = bool(options.appendices)
    return NotebookJob(
        key=key, kind=kind, title=pages[0][2], notebook=str(notebook.resolve()),
        executed=str((stage / "notebooks" / f"{key}.ipynb").resolve()),
        html=pages[0][1], parameters=parameters, cwd=str(options.project_dir),
        cell_timeout=options.cell_timeout,
        log=str((stage / "logs" / f"{key}.log").resolve()), pages=pages,
        settings=options.settings)


def write_failed_analysis(stage: Path, rel: str, name: str, error: str,
                          options: Options) -> None:
    """The failed page, in every language, of an enterprise whose analysis failed."""
    from ..files import write_text
    from ..report import failed_page

    for p in language_pages(rel, name, "enterprise", options.languages):
        write_text(failed_page(p.title, error, home=home_link("enterprise"), lang=p.lang,
                               alternate=p.twin, settings=options.settings), stage / p.path)


def index_entries(manifest: dict, *, analysis, ents, lang: str) -> list[dict]:
    """The rows of the index in ``lang``: the synthesis, then every enterprise report (the
    appendix pages are added by the caller)."""
    from ..report import headline, synthesis_headline

    with use_language(lang):
        entries = [{"path": r["path"], "title": r["title"], "status": r["status"],
                    "data_source": r.get("data_source", ""), "built": r.get("built") or "",
                    "headline": (headline(analysis.enterprise_results(eid))
                                 if eid not in analysis.failed else _("Analysis failed."))}
                   for eid, r in manifest["reports"].items()]
        if manifest.get("synthesis"):
            s = manifest["synthesis"]
            entries.insert(0, {"path": "synthesis.html",
                               "title": _("Synthesis across enterprises"),
                               "status": s["status"], "data_source": data_sources(ents),
                               "built": s.get("built") or "",
                               "headline": synthesis_headline(analysis.pooled)})
    return entries


def data_sources(ents) -> str:
    """The data sources of the enterprises, comma-separated."""
    return ", ".join(sorted(set(ents["data_source"])))


def years(tables: dict) -> tuple[int, int] | None:
    """The first and last year of the monthly records (None without any)."""
    monthly = tables.get("kpi_monthly")
    if monthly is None or monthly.empty or "month" not in monthly:
        return None
    values = monthly["month"].astype(str).str[:4].astype(int)
    return int(values.min()), int(values.max())
