"""The pipeline: validate, clean and analyse once, then build every report.

::

    data/raw ──read──▶ validate ──▶ indicators ──▶ results (per enterprise, cached)
                                                     │
          data/processed/*.parquet ◀─────────────────┤
          reports/results.csv, pooled.csv, quality_log.csv
                                                     ▼
          notebooks (papermill, one per enterprise, in a process pool) ──nbconvert──▶ HTML
          synthesis notebook ──▶ synthesis.html;  index.html;  manifest.json

Incremental: every report has a content key (its slice of the cleaned data, the
notebook, the package code and version, its parameters); a report whose key is
unchanged and whose page exists is not rebuilt, and an enterprise whose key is
unchanged keeps its analysis rows.  A run whose raw files, code, notebooks and
options are all unchanged stops after hashing them, without importing the
scientific stack.

Parallel: ``--jobs`` spawned workers start before the analysis and import the
notebook machinery meanwhile; they run the notebooks (and, with many
enterprises to analyse, the analysis), the synthesis last.  Each kernel's own
output goes to ``reports/logs/<id>.log``, not the terminal.  See
``docs/performance.md``.  With ``--scheduler`` the same work runs on the
workers of a Dask cluster, which return every output to this process
(:mod:`.executors`, :mod:`.jobs`, ``docs/scaling.md``).

Safe: invalid input is rejected before anything is written.  Outputs are
built under ``<reports>/.staging-*``; once everything is built the staging tree
is marked complete and moved into place file by file with atomic renames, the
index and manifest last, with Ctrl-C held back meanwhile.  A run interrupted
at any moment leaves the previous reports complete and readable; the next run
(under the lock) finishes a move that was under way, or discards an unfinished
build.  One enterprise's failed analysis or notebook gives a failed page for it
and exit code 1; the other reports are still built.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import os
import shutil
import time
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path

from ..i18n import gettext as _
from ..i18n import use_language
from . import appendices, keys, pdfs, workshop
from .enterprises import analyse
from .executors import (
    Executor,
    _execute_all,
    _progress,
    _workers,
    dask_cluster,
    scheduler_address,
    worker_pool,
)
from .jobs import Inputs
from .keys import _fresh, _previous_analysis, _sha, _write_analysis_cache, report_key
from .manifest import _all_ok, _manifest, _outputs_exist, _provenance, _read_manifest, _sources
from .notebooks import NotebookJob, _failed
from .options import (
    COMPLETE,
    ENTERPRISE_NOTEBOOK,
    MANIFEST,
    SCHEMA,
    SYNTHESIS_NOTEBOOK,
    InvalidInput,
    Options,
    ReportOutcome,
    Summary,
    UsageError,
    language_path,
    notebook_parameters,
    report_path,
)
from .staging import _interrupted_commit, _interrupts_deferred, _lock, _move_reports, _recover


def validate_inputs(data_dir: Path, today: _dt.date | None = None):
    """Read and validate the raw data; the :class:`~score_analysis.data.validation.Validated`."""
    from ..data.readers import read_raw
    from ..data.validation import validate

    return validate(read_raw(data_dir), today=today)


def _quality_log(findings: list):
    import pandas as pd

    from ..data.findings import QUALITY_COLUMNS

    rows = [asdict(f) for f in findings]
    frame = pd.DataFrame(rows, columns=[*QUALITY_COLUMNS, "enterprise_id"])
    frame["row"] = frame["row"].astype("Int64")
    return frame


def _write_processed(tables: dict, analysed: dict, staging: Path) -> None:
    from ..files import write_parquet

    for name, frame in tables.items():
        write_parquet(frame, staging / f"{name}.parquet")
    for name in ("indicators_monthly", "five_s_items", "five_s_pillars", "five_s_index",
                 "survey_scores", "survey_reliability", "survey_attrition", "kpi_lines",
                 "results", "pooled", "pooled_inputs"):
        write_parquet(analysed[name], staging / f"{name}.parquet")


def run(options: Options, *, echo: Callable[[str], None] = print) -> Summary:
    """Run the whole pipeline; see the module docstring.

    With a Dask scheduler (``options.scheduler`` or ``SCORE_ANALYSIS_SCHEDULER``)
    it is contacted first, and the work goes to its workers instead of the local
    pool (:mod:`.executors`).

    Raises
    ------
    InvalidInput
        The data broke the contract (nothing is written).
    UsageError
        An unknown enterprise was selected, another run holds the lock, or the
        Dask scheduler cannot be reached.
    """
    address = scheduler_address(options)
    with contextlib.ExitStack() as stack:
        cluster = stack.enter_context(dask_cluster(address)) if address else None
        return _run(options, echo, cluster)


def _run(options: Options, echo: Callable[[str], None], cluster: Executor | None) -> Summary:
    started = time.perf_counter()
    reports = options.reports_dir
    manifest_path = reports / MANIFEST
    previous = _read_manifest(manifest_path)
    key = keys.run_key(options)
    if (not options.force and previous and previous.get("run_key") == key
            and previous.get("schema") == SCHEMA and _outputs_exist(reports, previous)
            and _all_ok(previous) and not _interrupted_commit(reports)
            and pdfs.up_to_date(reports, options) and workshop.up_to_date(reports, options)):
        return Summary(unchanged=len(previous.get("reports", {})), nothing_changed=True,
                       duration_s=time.perf_counter() - started)
    # validate before taking the lock: invalid input or usage writes nothing at all
    from .. import build

    validated = build.validate_inputs(options.data_dir)
    if not validated.ok:
        raise InvalidInput(validated.errors)
    known = set(validated.tables["enterprises"]["enterprise_id"])
    unknown = [e for e in options.enterprises if e not in known]
    if unknown:
        raise UsageError("unknown enterprise(s): " + ", ".join(unknown)
                         + "; known: " + ", ".join(sorted(known)))
    with _lock(reports):
        _recover(reports, options.processed_dir)
        previous = _read_manifest(manifest_path)  # as the recovery may have left it
        return _run_locked(options, previous, key, started, echo, validated, cluster)


def _run_locked(options: Options, previous: dict | None, key: str, started: float,
                echo: Callable[[str], None], validated, cluster: Executor | None = None
                ) -> Summary:
    from ..data.findings import QUALITY_COLUMNS
    from ..files import replace_tree, write_csv, write_json, write_parquet, write_text
    from ..report import headline, index_page, synthesis_headline
    from ..stats.outputs import POOLED_COLUMNS, POOLED_INPUT_COLUMNS, RESULT_COLUMNS

    reports, processed = options.reports_dir, options.processed_dir
    tables = validated.tables
    known = set(tables["enterprises"]["enterprise_id"])

    code = keys.code_fingerprint()
    slices = keys.enterprise_slices(tables)
    nb_dir = options.notebooks_dir
    nb_hash = {n: keys._file_hash(nb_dir / n) for n in (ENTERPRISE_NOTEBOOK, SYNTHESIS_NOTEBOOK)}
    page_parameters = {**options.analysis_parameters(), "languages": list(options.languages)}
    report_keys = {eid: report_key(slices[eid], eid, notebook=nb_hash[ENTERPRISE_NOTEBOOK],
                                   code=code, parameters=page_parameters)
                   for eid in sorted(known)}
    main_lang = options.languages[0]
    old_reports = (previous or {}).get("reports", {})
    selected = set(options.enterprises or known)
    to_build = [eid for eid in sorted(selected)
                if options.force or not _fresh(old_reports.get(eid, {}), report_keys[eid],
                                               reports / language_path(report_path(eid),
                                                                       main_lang))]
    # enterprises whose page will not exist after this run: the synthesis does not link them
    unbuilt = sorted(eid for eid in known - selected if not old_reports.get(eid))
    syn_key = _sha(sorted(report_keys.values()), nb_hash[SYNTHESIS_NOTEBOOK], code, unbuilt,
                   list(options.languages))
    old_syn = (previous or {}).get("synthesis") or {}
    # the synthesis key holds every report key: any enterprise that changed changes it
    synthesis_needed = bool(nb_hash[SYNTHESIS_NOTEBOOK]) and (
        options.force or not _fresh(old_syn, syn_key,
                                    reports / language_path("synthesis.html", main_lang)))

    stage_p = processed / f".staging-{os.getpid()}"
    stage_r = reports / f".staging-{os.getpid()}"
    stage_p.mkdir(parents=True, exist_ok=True)
    stage_r.mkdir(parents=True, exist_ok=True)
    outcomes: dict[str, ReportOutcome] = {}
    appendix_outcomes: list[ReportOutcome] = []
    syn_outcome = None
    appendix_keys = appendices.appendix_keys(options, report_keys, syn_key)
    appendix_todo = appendices.to_build(appendix_keys, previous, reports, force=options.force,
                                        selected=selected)
    workers = (cluster.workers if cluster is not None
               else _workers(options, len(to_build) + synthesis_needed + len(appendix_todo)))
    try:
        # the workers start (and import the notebook machinery) during the analysis
        with (contextlib.nullcontext(cluster) if cluster is not None
              else worker_pool(workers)) as pool:
            if cluster is not None:
                cluster.warm_up()
            prev = {} if options.force else _previous_analysis(processed)
            analysed = analyse(tables, previous=prev, slices=slices,
                               code=code, pool=pool, workers=workers)
            results = analysed["results"]
            _write_processed(tables, analysed, stage_p)
            write_parquet(_quality_log(validated.findings), stage_p / "quality_log.parquet")
            write_json(_provenance(options, validated, code), stage_p / "provenance.json")
            write_csv(results[list(RESULT_COLUMNS)], stage_r / "results.csv")
            write_csv(analysed["pooled"][list(POOLED_COLUMNS)], stage_r / "pooled.csv")
            write_csv(analysed["pooled_inputs"][list(POOLED_INPUT_COLUMNS)],
                      stage_r / "pooled_inputs.csv")
            write_csv(_quality_log(validated.findings)[list(QUALITY_COLUMNS)],
                      stage_r / "quality_log.csv")
            _write_analysis_cache(stage_p, analysed["analysis_keys"])
            replace_tree(stage_p, processed)
            inputs = (pool.ship(Inputs.of(processed, nb_dir, (ENTERPRISE_NOTEBOOK,
                                                              SYNTHESIS_NOTEBOOK,
                                                              *appendices.NOTEBOOKS)))
                      if pool is not None and pool.ships_inputs else None)

            ents = tables["enterprises"].set_index("enterprise_id")
            jobs: list[NotebookJob] = []
            for eid in sorted(known):
                title = str(ents.at[eid, "name"])
                rel = report_path(eid)
                if eid not in to_build:
                    old = old_reports.get(eid, {})
                    outcomes[eid] = ReportOutcome(
                        key=eid, kind="enterprise", status="unchanged" if old else "not built",
                        path=rel, title=title, duration_s=old.get("duration_s", 0.0),
                        error=old.get("error"), notebook=old.get("notebook"), log=old.get("log"))
                elif eid in analysed["failed"]:
                    body = analysed["failed"][eid]
                    for lang, path, _title, twin in _language_pages(rel, title, "enterprise",
                                                                    options.languages):
                        write_text(_failed(title, body, lang=lang, alternate=twin),
                                   stage_r / path)
                    outcomes[eid] = ReportOutcome(key=eid, kind="enterprise", status="failed",
                                                  path=rel, title=title, error=body)
                else:
                    jobs.append(_job(eid, "enterprise", title,
                                     nb_dir / ENTERPRISE_NOTEBOOK, rel, stage_r, options))
            synthesis_job = (_job("synthesis", "synthesis", "",
                                  nb_dir / SYNTHESIS_NOTEBOOK, "synthesis.html", stage_r,
                                  options, unbuilt=unbuilt) if synthesis_needed else None)
            appendix_jobs = appendices.jobs(
                [k for k in appendix_todo if k not in analysed["failed"]], options, stage_r,
                {eid: str(ents.at[eid, "name"]) for eid in known})
            bar = _progress(len(jobs) + (synthesis_job is not None) + len(appendix_jobs),
                            options)
            try:
                for outcome in _execute_all(jobs, pool, stage_r, bar, inputs):
                    outcomes[outcome.key] = outcome
                if synthesis_job is not None:  # once every enterprise is done
                    syn_outcome = _execute_all([synthesis_job], pool, stage_r, bar, inputs)[0]
                appendix_outcomes = _execute_all(appendix_jobs, pool, stage_r, bar, inputs)
            finally:
                bar.close()

        if options.pdf:  # from the pages of this run, committed with them
            pdfs.stage_pdfs(reports, stage_r, pdfs.report_pages(outcomes),
                            languages=options.languages, echo=echo)
        pack = workshop.stage_workshop(options, stage_r, echo=echo)  # --no-workshop: nothing
        now = _dt.datetime.now(_dt.UTC).replace(microsecond=0).isoformat()
        manifest = _manifest(options, validated, key, analysed, outcomes, report_keys,
                             syn_outcome, syn_key, previous, now, started, ents, results)
        if appendix_keys:
            manifest[appendices.MANIFEST_KEY] = appendices.manifest_entries(
                appendix_keys, appendix_outcomes, previous, now)
        for lang, path, _title, twin in _language_pages("index.html", "", "index",
                                                        options.languages):
            with use_language(lang):
                entries = [{"path": r["path"], "title": r["title"], "status": r["status"],
                            "data_source": r.get("data_source", ""),
                            "built": r.get("built") or "",
                            "headline": (headline(results[results["enterprise_id"] == eid])
                                         if eid not in analysed["failed"]
                                         else _("Analysis failed."))}
                           for eid, r in manifest["reports"].items()]
                if manifest.get("synthesis"):
                    s = manifest["synthesis"]
                    entries.insert(0, {"path": "synthesis.html",
                                       "title": _("Synthesis across enterprises"),
                                       "status": s["status"], "data_source": _sources(ents),
                                       "built": s.get("built") or "",
                                       "headline": synthesis_headline(analysed["pooled"])})
            # the appendix pages are in English only: linked from every index, marked English
            up = "../" * path.count("/")
            entries += [dict(e, path=up + e["path"]) | ({"lang": "en"} if lang != "en" else {})
                        for e in appendices.index_entries(manifest, ents)]
            entries[1 if manifest.get("synthesis") else 0:0] = pack.index_entries(lang, up)
            write_text(index_page(entries, run_date=now, lang=lang, alternate=twin,
                                  years=_years(tables)), stage_r / path)
        write_json(manifest, stage_r / MANIFEST)
        with _interrupts_deferred():  # from here on the new reports are committed
            write_text("", stage_r / COMPLETE)
            _move_reports(stage_r, reports)
    finally:
        shutil.rmtree(stage_p, ignore_errors=True)
        if not (stage_r / COMPLETE).exists():  # a complete set is finished by the next run
            shutil.rmtree(stage_r, ignore_errors=True)

    failed = [k for k, o in outcomes.items() if o.status == "failed"]
    failed += [o.key for o in appendix_outcomes if o.status == "failed"]
    if syn_outcome is not None and syn_outcome.status == "failed":
        failed.append("synthesis")
    return Summary(built=sum(o.status in ("ok", "failed") for o in outcomes.values()),
                   unchanged=sum(o.status == "unchanged" for o in outcomes.values()),
                   failed=len(failed), failures=failed,
                   warnings=sum(f.severity == "warning" for f in validated.findings),
                   duration_s=time.perf_counter() - started)


def _job(key: str, kind: str, name: str, notebook: Path, rel: str, stage: Path,
         options: Options, unbuilt: list[str] = ()) -> NotebookJob:
    """The notebook job of one report, every output staged under ``stage``: one kernel
    renders the report in every language of the run, one page per language."""
    pages = tuple((lang, str((stage / path).resolve()), title)
                  for lang, path, title, _twin in _language_pages(rel, name, kind,
                                                                  options.languages))
    parameters = {**notebook_parameters(key if kind == "enterprise" else None,
                                        options.processed_dir, options.reports_dir),
                  "language": ",".join(options.languages)}
    if kind == "synthesis":
        parameters["missing_pages"] = ",".join(unbuilt)
    else:
        parameters["appendix"] = bool(options.appendices)
    return NotebookJob(
        key=key, kind=kind, title=pages[0][2], notebook=str(notebook.resolve()),
        executed=str((stage / "notebooks" / f"{key}.ipynb").resolve()),
        html=pages[0][1], parameters=parameters,
        cwd=str(notebook.parent.resolve()), cell_timeout=options.cell_timeout,
        log=str((stage / "logs" / f"{key}.log").resolve()), pages=pages)


def _language_pages(rel: str, name: str, kind: str, languages: tuple[str, ...]
                    ) -> list[tuple[str, str, str, str | None]]:
    """(language, path relative to the reports, title, address of the twin page) of one
    page in each language; the twin is the page in the other language of the first two."""
    out = []
    for lang in languages:
        with use_language(lang):
            title = (_("{name} — impact assessment").format(name=name) if kind == "enterprise"
                     else _("SCORE Module 1 — synthesis") if kind == "synthesis" else "")
        path = language_path(rel, lang)
        others = [o for o in languages if o != lang]
        twin = (os.path.relpath(language_path(rel, others[0]), os.path.dirname(path) or ".")
                if others else None)
        out.append((lang, path, title, twin))
    return out


def _years(tables: dict) -> tuple[int, int] | None:
    """The first and last year of the monthly records (None without any)."""
    monthly = tables.get("kpi_monthly")
    if monthly is None or monthly.empty or "month" not in monthly:
        return None
    years = monthly["month"].astype(str).str[:4].astype(int)
    return int(years.min()), int(years.max())
