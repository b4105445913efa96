"""The pipeline: validate, plan, analyse, stage, execute, publish.

The package's modules, in the order a run uses them (``docs/architecture.md``):

- :mod:`.options`: what a run is asked to do, default folders, errors;
- :mod:`.keys`: content keys (what each page depends on) and the analysis cache;
- :mod:`.plan`: what to build (:class:`RunPlan`);
- :mod:`.enterprises`: the analysis of every enterprise (:class:`Analysis`);
- :mod:`.pages`: the pages of a run in every language, their notebook jobs, the index;
- :mod:`.notebooks`: one notebook's execution and its HTML pages;
- :mod:`.executors`: where analysis chunks and notebook jobs run (the local pool or a
  Dask cluster); :mod:`.jobs`: what a notebook job receives and returns;
- :mod:`.appendices`: the reviewer's appendix pages;
- :mod:`.pdfs`: the PDF stage (which PDFs, their keys); :mod:`.printing`: Chromium;
- :mod:`.manifest`: provenance of the run and of every page; :mod:`.records`: the
  typed outcomes and manifest entries;
- :mod:`.staging`: the run lock, staging, the atomic commit and recovery;
- :mod:`.runner`: the run itself (:func:`run`).

``from score_analysis import build; build.run(build.Options(...))`` is the entry point;
the names below are the package's public surface.  Importing it imports no scientific
library (a run with nothing to do never does).
"""

from .enterprises import (
    PARALLEL_ANALYSIS,
    PROCESSED_TABLES,
    Analysis,
    analyse,
    analyse_chunk,
    analyse_enterprise,
    by_enterprise,
)
from .executors import (
    DaskCluster,
    Executor,
    LocalPool,
    check_workers,
    dask_cluster,
    execute_all,
    progress_bar,
    scheduler_address,
    worker_pool,
    workers_for,
)
from .jobs import Inputs, JobResult, run_job
from .keys import (
    ANALYSIS_CACHE,
    CACHED_TABLES,
    code_fingerprint,
    enterprise_slices,
    previous_analysis,
    report_key,
    run_key,
    sha,
    write_analysis_cache,
)
from .manifest import provenance, read_manifest
from .notebooks import (
    KernelStartError,
    NotebookJob,
    execute_notebook,
    kernel_spec,
    notebook_html,
    retried,
    warm_up,
)
from .options import (
    APPENDIX_NOTEBOOKS,
    COMPLETE,
    DEFAULT_DATA,
    DEFAULT_PROCESSED,
    DEFAULT_REPORTS,
    ENTERPRISE_APPENDIX,
    ENTERPRISE_NOTEBOOK,
    KERNEL_NAME,
    MANIFEST,
    PACKAGES,
    REPORT_NOTEBOOKS,
    SCHEMA,
    SYNTHESIS_APPENDIX,
    SYNTHESIS_NOTEBOOK,
    InvalidInput,
    Options,
    UsageError,
    language_path,
    notebook_parameters,
    packaged_notebooks,
    report_path,
)
from .pages import LanguagePage, language_pages
from .plan import RunPlan, plan_run
from .records import (
    REPORT_KINDS,
    REPORT_STATUSES,
    ManifestEntry,
    ReportKind,
    ReportOutcome,
    ReportStatus,
    Summary,
)
from .runner import quality_log, run, validate_inputs, write_processed, write_tables
from .staging import interrupted_commit, interrupts_deferred, move_reports, recover, run_lock

__all__ = [
    "ANALYSIS_CACHE", "APPENDIX_NOTEBOOKS", "CACHED_TABLES", "COMPLETE", "DEFAULT_DATA",
    "DEFAULT_PROCESSED", "DEFAULT_REPORTS", "ENTERPRISE_APPENDIX", "ENTERPRISE_NOTEBOOK",
    "KERNEL_NAME", "MANIFEST", "PACKAGES", "PARALLEL_ANALYSIS", "PROCESSED_TABLES",
    "REPORT_KINDS", "REPORT_NOTEBOOKS", "REPORT_STATUSES", "SCHEMA", "SYNTHESIS_APPENDIX",
    "SYNTHESIS_NOTEBOOK", "Analysis", "DaskCluster", "Executor", "Inputs", "InvalidInput",
    "JobResult", "KernelStartError", "LanguagePage", "LocalPool", "ManifestEntry",
    "NotebookJob", "Options", "ReportKind", "ReportOutcome", "ReportStatus", "RunPlan",
    "Summary", "UsageError", "analyse", "analyse_chunk", "analyse_enterprise", "by_enterprise",
    "check_workers", "code_fingerprint", "dask_cluster", "enterprise_slices", "execute_all",
    "execute_notebook", "interrupted_commit", "interrupts_deferred",
    "kernel_spec", "language_pages", "language_path", "move_reports", "notebook_html",
    "notebook_parameters", "packaged_notebooks", "plan_run", "previous_analysis",
    "progress_bar", "provenance", "quality_log", "read_manifest", "recover", "report_key",
    "report_path", "retried", "run", "run_job", "run_key", "run_lock", "scheduler_address",
    "sha", "validate_inputs", "warm_up", "worker_pool", "workers_for", "write_analysis_cache",
    "write_processed", "write_tables",
]
