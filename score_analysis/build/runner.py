"""The run: validate, plan, analyse, stage, execute, publish.

::

    data/raw ──read──▶ validate ──▶ plan (content keys: what to build)
                                      │
                                      ▼
                        analyse (indicators, results per enterprise, cached, pooled)
                                      │
          stage: data/processed/*.parquet, reports/results.csv, pooled.csv, ...
                                      │
                                      ▼
          execute: notebooks (papermill, one per report, in a process pool or on Dask)
                   ──nbconvert──▶ HTML pages in every language; the appendices
                                      │
                                      ▼
          publish: further outputs (PDFs) ─▶ manifest.json, index.html ─▶ commit

Incremental (:mod:`.plan`): a page whose content key is unchanged and whose file
exists is not rebuilt, and an enterprise whose key is unchanged keeps its analysis
rows.  A run whose raw files, code, notebooks, settings and options are all unchanged
stops after hashing them, without importing the scientific stack.

Parallel: ``--jobs`` spawned workers start before the analysis and import the
notebook machinery meanwhile; they run the notebooks (and, with many enterprises to
analyse, the analysis), the synthesis last.  Each kernel's own output goes to
``reports/logs/<id>.log``.  With ``--scheduler`` the same work runs on the workers of a
Dask cluster, which return every output to this process (:mod:`.executors`,
:mod:`.jobs`, ``docs/scaling.md``).

Safe: invalid input is rejected before anything is written.  Outputs are built under
``<reports>/.staging-*``; once everything is built the staging tree is marked complete
and moved into place file by file with atomic renames, the index and manifest last,
with Ctrl-C held back meanwhile (:mod:`.staging`).  One enterprise's failed analysis or
notebook gives a failed page for it and exit code 1; the other pages are still built.
See ``docs/architecture.md``.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import os
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..i18n import use_language
from ..settings import AnalysisSettings
from . import appendices, keys, pdfs, workshop
from . import manifest as manifests
from . import pages as run_pages
from .comparisons import comparison_records
from .enterprises import Analysis, analyse
from .executors import (
    Executor,
    dask_cluster,
    execute_all,
    progress_bar,
    scheduler_address,
    worker_pool,
    workers_for,
)
from .jobs import Inputs
from .notebooks import NotebookJob
from .options import (
    APPENDIX_NOTEBOOKS,
    COMPLETE,
    MANIFEST,
    REPORT_NOTEBOOKS,
    SCHEMA,
    InvalidInput,
    Options,
    UsageError,
    language_path,
    report_path,
)
from .plan import RunPlan, plan_run
from .records import ReportOutcome, Summary
from .staging import interrupted_commit, interrupts_deferred, move_reports, recover, run_lock


def validate_inputs(data_dir: Path, today: _dt.date | None = None):
    """Read and validate the raw data; the :class:`~score_analysis.data.validation.Validated`."""
    from ..data.readers import read_raw
    from ..data.validation import validate

    return validate(read_raw(data_dir), today=today)


def quality_log(findings: list):
    """The findings of the validation as the quality-log table (one row per finding)."""
    from ..data.findings import quality_log_frame

    return quality_log_frame(findings)


def write_processed(directory: Path, validated, analysis: Analysis, options: Options, *,
                    code: str, run_date: str) -> None:
    """Write what the notebooks read into ``directory``: the validated tables, the tables of
    the analysis, the quality log, the provenance and the analysis cache."""
    from ..files import write_json, write_parquet

    for name, frame in validated.tables.items():
        write_parquet(frame, directory / f"{name}.parquet")
    for name, frame in analysis.processed_tables().items():
        write_parquet(frame, directory / f"{name}.parquet")
    write_parquet(quality_log(validated.findings), directory / "quality_log.parquet")
    write_json(manifests.provenance(options, validated, code, run_date=run_date),
               directory / "provenance.json")
    keys.write_analysis_cache(directory, analysis.analysis_keys)


def write_tables(directory: Path, validated, analysis: Analysis) -> None:
    """Write the tables for reuse beside the pages (:data:`.manifest.TABLES`)."""
    from ..data.findings import QUALITY_COLUMNS
    from ..files import write_csv
    from ..stats.outputs import POOLED_COLUMNS, POOLED_INPUT_COLUMNS, RESULT_COLUMNS

    write_csv(analysis.results[list(RESULT_COLUMNS)], directory / "results.csv")
    write_csv(analysis.pooled[list(POOLED_COLUMNS)], directory / "pooled.csv")
    write_csv(analysis.pooled_inputs[list(POOLED_INPUT_COLUMNS)],
              directory / "pooled_inputs.csv")
    write_csv(quality_log(validated.findings)[list(QUALITY_COLUMNS)],
              directory / "quality_log.csv")


@dataclass
class Run:
    """A run under way: what its stages share.  Each stage fills in its part."""

    options: Options
    validated: object
    plan: RunPlan
    previous: dict | None
    run_key: str
    started: float
    echo: Callable[[str], None]
    stage_reports: Path
    stage_processed: Path
    run_date: str = ""
    analysis: Analysis | None = None
    outcomes: dict[str, ReportOutcome] = field(default_factory=dict)
    synthesis: ReportOutcome | None = None
    appendices: list[ReportOutcome] = field(default_factory=list)
    pack: workshop.PackOutcome | None = None

    @property
    def tables(self) -> dict:
        return self.validated.tables

    @property
    def enterprises(self):
        """The enterprises table indexed by id."""
        return self.tables["enterprises"].set_index("enterprise_id")

    def summary(self) -> Summary:
        failed = [k for k, o in self.outcomes.items() if o.status == "failed"]
        failed += [o.key for o in self.appendices if o.status == "failed"]
        if self.synthesis is not None and self.synthesis.status == "failed":
            failed.append("synthesis")
        return Summary(built=sum(o.built for o in self.outcomes.values()),
                       unchanged=sum(o.status == "unchanged" for o in self.outcomes.values()),
                       failed=len(failed), failures=failed,
                       warnings=sum(f.severity == "warning" for f in self.validated.findings),
                       duration_s=time.perf_counter() - self.started)


def run(options: Options, *, echo: Callable[[str], None] = print) -> Summary:
    """Run the whole pipeline; see the module docstring.

    Safe to call from a script, a REPL, a notebook or standard input
    (``python - < script.py``): the worker processes never need the caller's
    ``__main__``.  With a Dask scheduler (``options.scheduler`` or
    ``SCORE_ANALYSIS_SCHEDULER``) it is contacted first, and the work goes to its
    workers instead of the local pool (:mod:`.executors`).

    Raises
    ------
    InvalidInput
        The data broke the contract (nothing is written).
    UsageError
        An unknown enterprise was selected, another run holds the lock, the worker
        processes cannot start, or the Dask scheduler cannot be reached.
    """
    options = options.resolved()
    address = scheduler_address(options)
    with contextlib.ExitStack() as stack:
        cluster = stack.enter_context(dask_cluster(address)) if address else None
        return _run(options, echo, cluster)


def _nothing_to_do(options: Options, previous: dict | None, key: str) -> bool:
    """Whether the previous run's outputs are those this run would build."""
    reports = options.reports_dir
    return (not options.force and bool(previous) and previous.get("run_key") == key
            and previous.get("schema") == SCHEMA
            and manifests.outputs_exist(reports, previous) and manifests.all_ok(previous)
            and not interrupted_commit(reports) and pdfs.up_to_date(reports, options)
            and workshop.up_to_date(reports, options))


def _run(options: Options, echo: Callable[[str], None], cluster: Executor | None) -> Summary:
    started = time.perf_counter()
    reports = options.reports_dir
    previous = manifests.read_manifest(reports / MANIFEST)
    key = keys.run_key(options)
    if _nothing_to_do(options, previous, key):
        return Summary(unchanged=len(previous.get("reports", {})), nothing_changed=True,
                       duration_s=time.perf_counter() - started)
    # validate before taking the lock: invalid input or usage writes nothing at all
    validated = validate_inputs(options.data_dir)
    if not validated.ok:
        raise InvalidInput(validated.errors)
    known = set(validated.tables["enterprises"]["enterprise_id"])
    unknown = [e for e in options.enterprises if e not in known]
    if unknown:
        raise UsageError("unknown enterprise(s): " + ", ".join(unknown)
                         + "; known: " + ", ".join(sorted(known)))
    compared = comparison_selected(validated.tables["enterprises"], options.enterprises)
    if compared:
        from ..i18n import gettext as _

        raise UsageError(_("{ids}: a comparison enterprise has no report of its own (its "
                           "records are the comparison series of the programme "
                           "enterprises)").format(ids=", ".join(compared)))
    warn_settings(options.settings, echo)
    with run_lock(reports):
        recover(reports, options.processed_dir)
        previous = manifests.read_manifest(reports / MANIFEST)  # as the recovery left it
        state = Run(options=options, validated=validated,
                    plan=plan_run(options, validated.tables, previous), previous=previous,
                    run_key=key, started=started, echo=echo,
                    stage_reports=reports / f".staging-{os.getpid()}",
                    stage_processed=options.processed_dir / f".staging-{os.getpid()}")
        _build(state, cluster)
        return state.summary()


def comparison_selected(enterprises, selected) -> list[str]:
    """The enterprises of ``selected`` whose ``role`` is ``comparison``."""
    if not selected:
        return []
    from ..stats.cits_data import enterprise_roles

    roles = enterprise_roles(enterprises)
    return [e for e in selected if roles.get(e) == "comparison"]


def warn_settings(settings: AnalysisSettings, echo: Callable[[str], None]) -> None:
    """Say which settings differ from the shipped plan, and warn when the confirmatory
    family differs from the plan's (its adjusted p-values then differ from the plan's)."""
    from ..i18n import gettext as _
    from ..settings import PLAN

    changed = settings.differences()
    if not changed:
        return
    echo(_("Exploratory settings (not the analysis plan): {changes}.").format(
        changes=", ".join(f"{name} = {used!r} (plan: {plan!r})"
                          for name, used, plan in changed)))
    if set(settings.confirmatory) != set(PLAN.confirmatory):
        added = sorted(set(settings.confirmatory) - set(PLAN.confirmatory))
        removed = sorted(set(PLAN.confirmatory) - set(settings.confirmatory))
        echo(_("Warning: the confirmatory family differs from the analysis plan (added: "
               "{added}; removed: {removed}): its multiplicity-adjusted p-values are not "
               "the plan's.").format(added=", ".join(added) or "-",
                                     removed=", ".join(removed) or "-"))


def _build(run: Run, cluster: Executor | None) -> None:
    """The stages of a run under the lock; the staging trees are removed unless complete."""
    run.stage_processed.mkdir(parents=True, exist_ok=True)
    run.stage_reports.mkdir(parents=True, exist_ok=True)
    workers = (cluster.workers if cluster is not None
               else workers_for(run.options, run.plan.notebook_count))
    try:
        # the workers start (and import the notebook machinery) during the analysis
        with (contextlib.nullcontext(cluster) if cluster is not None
              else worker_pool(workers)) as pool:
            if cluster is not None:
                cluster.warm_up()
            analyse_stage(run, pool, workers)
            if pool is not None:
                pool.check_started()  # workers that cannot start: stop before writing
            stage(run)
            execute(run, pool)
        publish(run)
    finally:
        shutil.rmtree(run.stage_processed, ignore_errors=True)
        if not (run.stage_reports / COMPLETE).exists():  # a complete set is finished later
            shutil.rmtree(run.stage_reports, ignore_errors=True)


def analyse_stage(run: Run, pool: Executor | None, workers: int) -> None:
    """Analyse every enterprise, reusing the cached rows of unchanged ones."""
    options = run.options
    previous = {} if options.force else keys.previous_analysis(options.processed_dir)
    run.analysis = analyse(run.tables, settings=options.settings, previous=previous,
                           slices=run.plan.slices, code=run.plan.code, pool=pool,
                           workers=workers)


def stage(run: Run) -> None:
    """Write the processed tables (moved into place at once: the notebooks read them) and
    stage the tables beside the pages."""
    from ..files import replace_tree

    run.run_date = _now()
    write_processed(run.stage_processed, run.validated, run.analysis, run.options,
                    code=run.plan.code, run_date=run.run_date)
    write_tables(run.stage_reports, run.validated, run.analysis)
    replace_tree(run.stage_processed, run.options.processed_dir)


def execute(run: Run, pool: Executor | None) -> None:
    """Build the pages: every enterprise report to build (a failed page for a failed
    analysis), then the synthesis, then the appendices."""
    options, plan, analysis, stage_r = run.options, run.plan, run.analysis, run.stage_reports
    old_reports = (run.previous or {}).get("reports", {})
    names = run.enterprises["name"].astype(str)
    jobs: list[NotebookJob] = []
    for eid in sorted(plan.report_keys):
        rel = report_path(eid)
        if eid not in plan.to_build:
            old = old_reports.get(eid, {})
            run.outcomes[eid] = ReportOutcome(
                key=eid, kind="enterprise", status="unchanged" if old else "not built",
                path=rel, title=names[eid], duration_s=old.get("duration_s") or 0.0,
                error=old.get("error"), notebook=old.get("notebook"), log=old.get("log"))
        elif eid in analysis.failed:
            run_pages.write_failed_analysis(stage_r, rel, names[eid], analysis.failed[eid],
                                            options)
            run.outcomes[eid] = ReportOutcome(key=eid, kind="enterprise", status="failed",
                                              path=rel, title=names[eid],
                                              error=analysis.failed[eid])
        else:
            jobs.append(run_pages.report_job(eid, "enterprise", names[eid], rel, stage_r,
                                             options))
    synthesis_job = (run_pages.report_job("synthesis", "synthesis", "", "synthesis.html",
                                          stage_r, options, unbuilt=plan.unbuilt)
                     if plan.synthesis_needed else None)
    appendix_jobs = appendices.jobs([k for k in plan.appendix_todo if k not in analysis.failed],
                                    options, stage_r, run.tables["enterprises"])
    inputs = _inputs(options, pool)
    bar = progress_bar(len(jobs) + (synthesis_job is not None) + len(appendix_jobs), options)
    try:
        for outcome in execute_all(jobs, pool, stage_r, bar, inputs):
            run.outcomes[outcome.key] = outcome
        if synthesis_job is not None:  # once every enterprise is done
            run.synthesis = execute_all([synthesis_job], pool, stage_r, bar, inputs)[0]
        run.appendices = execute_all(appendix_jobs, pool, stage_r, bar, inputs)
    finally:
        bar.close()


def _inputs(options: Options, pool: Executor | None) -> Inputs | None:
    """The files the notebook jobs read, shipped to executors without a shared disk."""
    if pool is None or not pool.ships_inputs:
        return None
    notebooks = REPORT_NOTEBOOKS + (APPENDIX_NOTEBOOKS if options.appendices else ())
    return pool.ship(Inputs.of(options.processed_dir, options.notebooks_dir, notebooks,
                               options.data_dir if options.appendices else None))


def further_outputs(run: Run) -> None:
    """The outputs made from the pages of this run, each written into the staging tree and
    committed with the pages: the A4 PDFs and the workshop pack.  Every further build
    stage is called here."""
    if run.options.pdf:
        pdfs.stage_pdfs(run.options.reports_dir, run.stage_reports,
                        pdfs.report_pages(run.outcomes), languages=run.options.languages,
                        echo=run.echo)
    # from the pages and PDFs of this run; --no-workshop: nothing
    run.pack = workshop.stage_workshop(run.options, run.stage_reports, echo=run.echo)


def publish(run: Run) -> None:
    """Make the further outputs, write the manifest and the index in every language, then
    commit the staging tree (Ctrl-C held back)."""
    from ..files import write_json

    further_outputs(run)
    record = _manifest(run)
    _write_index(run, record)
    write_json(record, run.stage_reports / MANIFEST)
    with interrupts_deferred():  # from here on the new reports are committed
        from ..files import write_text

        write_text("", run.stage_reports / COMPLETE)
        move_reports(run.stage_reports, run.options.reports_dir)


def _manifest(run: Run) -> dict:
    from ..report import headline

    analysis, plan = run.analysis, run.plan
    with use_language("en"):
        headlines = {eid: headline(analysis.enterprise_results(eid))
                     for eid in plan.report_keys if eid not in analysis.failed}
    headlines |= dict.fromkeys(analysis.failed, "Analysis failed.")
    now = _now()
    record = manifests.manifest(
        options=run.options, run_key=run.run_key, code=plan.code, inputs=run.validated.files,
        analysis_keys=analysis.analysis_keys,
        reports=manifests.report_entries(run.outcomes, report_keys=plan.report_keys,
                                         previous=run.previous, now=now,
                                         ents=run.enterprises, headlines=headlines,
                                         options=run.options),
        synthesis=manifests.synthesis_entry(run.synthesis, key=plan.synthesis_key,
                                            previous=run.previous, now=now),
        finished=now, duration_s=time.perf_counter() - run.started)
    record["comparison_series"] = comparison_records(
        run.tables, run.validated.findings, comparison_ids=plan.comparison_ids,
        pools=plan.pools)
    if plan.appendix_keys:
        record[appendices.MANIFEST_KEY] = appendices.manifest_entries(
            plan.appendix_keys, run.appendices, run.previous, now)
    return record


def _write_index(run: Run, record: dict) -> None:
    """``index.html`` in every language of the run."""
    from ..files import write_text
    from ..report import index_page

    ents = run.enterprises
    for p in run_pages.language_pages("index.html", "", "index", run.options.languages):
        entries = run_pages.index_entries(record, analysis=run.analysis, ents=ents,
                                          lang=p.lang)
        # the appendix pages are in English only: linked from every index in its language
        up = "../" * p.path.count("/")
        entries += [dict(e, path=up + e["path"])
                    for e in appendices.index_entries(record, ents, lang=p.lang)]
        if run.pack is not None:  # the pack after the synthesis
            entries[1 if record.get("synthesis") else 0:0] = run.pack.index_entries(
                p.lang, up)
        write_text(index_page(entries, run_date=record["run"]["finished"], lang=p.lang,
                              alternate=p.twin, years=run_pages.years(run.tables),
                              settings=run.options.settings,
                              comparison=list(record["comparison_series"].values())),
                   run.stage_reports / p.path)


def _now() -> str:
    return _dt.datetime.now(_dt.UTC).replace(microsecond=0).isoformat()


__all__ = ["Run", "language_path", "quality_log", "run", "validate_inputs", "warn_settings",
           "write_processed", "write_tables"]
