"""The pipeline: validate, clean and analyse once, then build every report.

The package's rooms:

- :mod:`.options`: paths, options, errors and what a run reports back;
- :mod:`.keys`: content keys (what each result depends on) and the analysis cache;
- :mod:`.enterprises`: the analysis of every enterprise, in chunks;
- :mod:`.notebooks`: one notebook's execution and its HTML page;
- :mod:`.executors`: where analysis chunks and notebook jobs run (the local pool or a
  Dask cluster);
- :mod:`.jobs`: what a notebook job receives and returns (no shared disk assumed);
- :mod:`.staging`: the run lock, staging, the atomic commit and recovery;
- :mod:`.manifest`: provenance of the run and of every report;
- :mod:`.pdfs`: the A4 PDFs of the changed pages, printed into the staging tree;
- :mod:`.runner`: the run itself (see its docstring for the whole flow).

``from score_analysis import build; build.run(build.Options(...))`` is the
entry point; the names below are the package's public surface.
"""

from .enterprises import (
    PARALLEL_ANALYSIS,
    _analyse_chunk,
    _analyse_enterprise,
    _by_enterprise,
    analyse,
)
from .executors import (
    DaskCluster,
    Executor,
    LocalPool,
    _execute_all,
    _progress,
    _workers,
    dask_cluster,
    scheduler_address,
    worker_pool,
)
from .jobs import Inputs, JobResult, run_job
from .keys import (
    _CACHED,
    ANALYSIS_CACHE,
    _previous_analysis,
    _sha,
    _write_analysis_cache,
    code_fingerprint,
    enterprise_slices,
    report_key,
    run_key,
)
from .manifest import _manifest, _provenance, _read_manifest
from .notebooks import (
    KernelStartError,
    NotebookJob,
    execute_notebook,
    notebook_html,
    retried,
    warm_up,
)
from .options import (
    COMPLETE,
    DEFAULT_DATA,
    DEFAULT_NOTEBOOKS,
    DEFAULT_PROCESSED,
    DEFAULT_REPORTS,
    ENTERPRISE_NOTEBOOK,
    MANIFEST,
    PACKAGES,
    REPO_ROOT,
    SCHEMA,
    SYNTHESIS_NOTEBOOK,
    InvalidInput,
    Options,
    ReportOutcome,
    Summary,
    UsageError,
    notebook_parameters,
    report_path,
)
from .runner import _quality_log, _write_processed, run, validate_inputs
from .staging import _interrupted_commit, _interrupts_deferred, _move_reports, _recover

__all__ = [
    "DaskCluster", "Executor", "Inputs", "JobResult", "KernelStartError", "LocalPool",
    "dask_cluster", "retried", "run_job", "scheduler_address",
    "ANALYSIS_CACHE", "COMPLETE", "_CACHED",
    "DEFAULT_DATA", "DEFAULT_NOTEBOOKS", "DEFAULT_PROCESSED",
    "DEFAULT_REPORTS", "ENTERPRISE_NOTEBOOK", "MANIFEST", "PACKAGES", "PARALLEL_ANALYSIS",
    "REPO_ROOT", "SCHEMA", "SYNTHESIS_NOTEBOOK", "InvalidInput", "NotebookJob", "Options",
    "ReportOutcome", "Summary", "UsageError", "_analyse_chunk", "_analyse_enterprise",
    "_by_enterprise", "_execute_all", "_interrupted_commit",
    "_interrupts_deferred", "_manifest", "_move_reports", "_previous_analysis", "_progress",
    "_provenance", "_quality_log", "_read_manifest", "_recover", "_sha",
    "_write_analysis_cache", "_write_processed", "_workers", "analyse", "code_fingerprint",
    "enterprise_slices", "execute_notebook", "notebook_html", "notebook_parameters",
    "report_key", "report_path", "run", "run_key", "validate_inputs", "warm_up",
    "worker_pool",
]
