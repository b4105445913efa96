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
``docs/performance.md``.

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
import functools
import hashlib
import json
import os
import re
import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

from . import __version__

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = REPO_ROOT / "data" / "raw"
DEFAULT_PROCESSED = REPO_ROOT / "data" / "processed"
DEFAULT_REPORTS = REPO_ROOT / "reports"
DEFAULT_NOTEBOOKS = REPO_ROOT / "notebooks"
ENTERPRISE_NOTEBOOK = "enterprise_report.ipynb"
SYNTHESIS_NOTEBOOK = "synthesis.ipynb"
MANIFEST = "manifest.json"
#: Marks a staging tree as complete: an interrupted move into place is finished later.
COMPLETE = ".complete"
#: In the processed directory: which enterprise keys the cached results hold.
ANALYSIS_CACHE = "analysis_cache.json"
_CACHED = ("results", "kpi_lines", "survey_reliability", "survey_attrition")
SCHEMA = 1
_ID = re.compile(r"^[a-z0-9_-]{1,40}$")
PACKAGES = ("numpy", "pandas", "scipy", "statsmodels", "matplotlib", "pandera", "pyarrow",
            "openpyxl", "papermill", "nbconvert", "nbclient", "nbformat", "ipykernel")


class InvalidInput(Exception):
    """The input data broke the contract; ``findings`` says where."""

    def __init__(self, findings: list) -> None:
        super().__init__(f"{len(findings)} problem(s) in the input data")
        self.findings = findings


class UsageError(Exception):
    """The command was asked for something it cannot do (exit code 2)."""


@dataclass(frozen=True)
class Options:
    """Everything a run depends on besides the data and the code."""

    data_dir: Path = DEFAULT_DATA
    reports_dir: Path = DEFAULT_REPORTS
    processed_dir: Path = DEFAULT_PROCESSED
    notebooks_dir: Path = DEFAULT_NOTEBOOKS
    jobs: int = 0  # 0 = number of CPUs
    enterprises: tuple[str, ...] = ()
    force: bool = False
    cell_timeout: int = 600
    progress: bool = True

    def analysis_parameters(self) -> dict:
        """The options that change numbers (part of every cache key)."""
        return {"analysis_plan": 2}


@dataclass
class ReportOutcome:
    """What happened to one report in a run."""

    key: str
    kind: str  # "enterprise" or "synthesis"
    status: str  # "ok", "failed" or "unchanged"
    path: str
    title: str
    duration_s: float = 0.0
    error: str | None = None
    notebook: str | None = None
    log: str | None = None


@dataclass
class Summary:
    """The outcome of a run, for the one-line summary and the exit code."""

    built: int = 0
    unchanged: int = 0
    failed: int = 0
    nothing_changed: bool = False
    warnings: int = 0
    duration_s: float = 0.0
    failures: list[str] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        return 1 if self.failed else 0

    def line(self) -> str:
        if self.nothing_changed:
            return (f"Nothing changed since the last run: {self.unchanged} report(s) up to date "
                    f"({self.duration_s:.1f} s).")
        text = (f"{self.built} report(s) built, {self.unchanged} unchanged, {self.failed} "
                f"failed, {self.warnings} data warning(s) in {self.duration_s:.1f} s.")
        if self.failures:
            text += " Failed: " + ", ".join(self.failures) + "."
        return text


# --------------------------------------------------------------------------- fingerprints


def _sha(*parts: object) -> str:
    h = hashlib.sha256()
    for p in parts:
        h.update(json.dumps(p, sort_keys=True, default=str).encode())
        h.update(b"\0")
    return h.hexdigest()


def code_fingerprint() -> str:
    """Hash of the package's source files and version: any code change rebuilds."""
    h = hashlib.sha256(__version__.encode())
    pkg = Path(__file__).resolve().parent
    for p in sorted(pkg.rglob("*")):
        if (p.is_file() and p.suffix in (".py", ".css", ".j2", ".html")
                and "__pycache__" not in p.parts):
            h.update(p.relative_to(pkg).as_posix().encode())
            h.update(p.read_bytes())
    return h.hexdigest()


def _raw_files(data_dir: Path) -> list[Path]:
    if data_dir.is_file():
        return [data_dir]
    if not data_dir.is_dir():
        return []
    return sorted(p for p in data_dir.iterdir()
                  if p.is_file() and p.suffix.lower() in (".csv", ".xlsx", ".xlsm"))


def _file_hash(path: Path) -> str | None:
    """SHA-256 of a file (``None`` when it does not exist), without importing pandas.

    The same digest as :func:`score_analysis.io.sha256_file`; kept here so that the
    no-op check of :func:`run` stays free of the scientific stack.
    """
    try:
        with open(path, "rb") as f:
            return hashlib.file_digest(f, "sha256").hexdigest()
    except FileNotFoundError:
        return None


def _read_manifest(path: Path) -> dict | None:
    """The previous run's manifest, or ``None`` when missing or unreadable."""
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return manifest if isinstance(manifest, dict) else None


def run_key(options: Options) -> str:
    """Hash of everything a whole run depends on, computed without pandas.

    The raw files' bytes, both notebooks, the code fingerprint, the analysis
    parameters, the enterprise selection and the processed directory: when it
    equals the previous manifest's ``run_key`` (and every output exists), the
    run has nothing to do.
    """
    files = {p.name: _file_hash(p) for p in _raw_files(options.data_dir)}
    notebooks = {n: _file_hash(options.notebooks_dir / n)
                 for n in (ENTERPRISE_NOTEBOOK, SYNTHESIS_NOTEBOOK)}
    return _sha(files, notebooks, code_fingerprint(), options.analysis_parameters(),
                sorted(options.enterprises), str(options.processed_dir.resolve()))


def _git_commit() -> str | None:
    """The commit the code was run from (with ``+dirty`` when tracked files were changed),
    or ``None`` outside a git checkout."""
    import subprocess

    try:
        head = subprocess.run(["git", "-C", str(REPO_ROOT), "rev-parse", "HEAD"],
                              capture_output=True, text=True, timeout=10)
        if head.returncode != 0:
            return None
        dirty = subprocess.run(["git", "-C", str(REPO_ROOT), "status", "--porcelain",
                                "--untracked-files=no", "--", "score_analysis", "notebooks"],
                               capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    return head.stdout.strip() + ("+dirty" if dirty.stdout.strip() else "")


def _package_versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    out = {}
    for name in PACKAGES:
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = "not installed"
    return out


# --------------------------------------------------------------------------- locking


@contextlib.contextmanager
def _lock(reports_dir: Path) -> Iterator[None]:
    import fcntl

    reports_dir.mkdir(parents=True, exist_ok=True)
    with open(reports_dir / ".lock", "w") as f:
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise UsageError(f"another run is writing to {reports_dir}; wait for it to "
                             f"finish") from exc
        yield


# --------------------------------------------------------------------------- stages


def validate_inputs(data_dir: Path, today: _dt.date | None = None):
    """Read and validate the raw data; the :class:`~score_analysis.validation.Validated`."""
    from .io import read_raw
    from .validation import validate

    return validate(read_raw(data_dir), today=today)


def enterprise_slices(tables: dict) -> dict[str, str]:
    """Content hash of each enterprise's rows across all cleaned tables (+ codebook)."""
    import pandas as pd

    ents = tables["enterprises"]
    keys: dict[str, hashlib._Hash] = {e: hashlib.sha256() for e in ents["enterprise_id"]}
    codebook = tables.get("survey_items")
    shared = (pd.util.hash_pandas_object(codebook, index=False).to_numpy().tobytes()
              if codebook is not None else b"")
    for name in sorted(tables):
        frame = tables[name]
        if "enterprise_id" not in frame.columns or frame.empty:
            continue
        hashed = pd.util.hash_pandas_object(frame.astype(str), index=False)
        for eid, part in hashed.groupby(frame["enterprise_id"].to_numpy(), sort=True):
            if eid in keys:
                keys[eid].update(name.encode())
                keys[eid].update(part.to_numpy().tobytes())
    return {e: _sha(h.hexdigest(), hashlib.sha256(shared).hexdigest()) for e, h in keys.items()}


def analyse(tables: dict, *, previous: dict | None = None,
            slices: dict[str, str] | None = None, code: str = "",
            progress: Callable[[str], None] | None = None, pool=None,
            workers: int = 1) -> dict:
    """Indicators and results for every enterprise, reusing unchanged enterprises' rows.

    An enterprise whose key (its data slice, ``code`` and the parameters) equals
    its key in ``previous["analysis_keys"]`` keeps its previous rows.  When
    ``pool`` (a process pool of ``workers`` processes) is given and at least
    :data:`PARALLEL_ANALYSIS` enterprises need analysing, they are analysed
    in the pool, in chunks; otherwise here.  ``progress`` is called with the id
    of each enterprise that is analysed (not reused).

    Returns a dict of processed tables plus ``failed`` (enterprise → error text)
    and ``analysis_keys`` (enterprise → cache key).
    """
    import pandas as pd

    from . import analysis, indicators

    ents = tables["enterprises"]
    kpi = tables.get("kpi_monthly", pd.DataFrame(columns=["enterprise_id", "month"]))
    monthly = indicators.monthly_indicators(kpi, ents)
    audits = tables.get("five_s_audits")
    items = (indicators.five_s_items(audits) if audits is not None and not audits.empty
             else pd.DataFrame(columns=["enterprise_id", "audit_date", "visit", "area", "pillar",
                                        "item", "pct"]))
    pillars = indicators.five_s_pillar_scores(items) if not items.empty else pd.DataFrame(
        columns=["enterprise_id", "audit_date", "visit", "pillar", "score", "n_items"])
    index = indicators.five_s_index(pillars) if not pillars.empty else pd.DataFrame(
        columns=["enterprise_id", "audit_date", "visit", "five_s_index", "n_pillars"])
    survey, codebook = tables.get("worker_survey"), tables.get("survey_items")
    if survey is not None and codebook is not None and not survey.empty:
        answers = indicators.survey_answers(survey, codebook)
        scores = indicators.construct_scores(answers, codebook)
        constructs = sorted(codebook["construct"].dropna().unique())
    else:
        answers = pd.DataFrame(columns=["enterprise_id", "wave", "response", "item_id",
                                        "construct", "answer"])
        scores = pd.DataFrame(columns=["enterprise_id", "wave", "respondent_id", "construct",
                                       "score"])
        constructs = []

    previous = previous or {}
    prev_keys = previous.get("analysis_keys", {})
    cached = ({name: _by_enterprise(previous[name]) for name in _CACHED}
              if slices is not None and all(previous.get(n) is not None for n in _CACHED)
              else None)  # without the slices, keys cannot tell enterprises' data apart
    own = {"monthly": _by_enterprise(monthly), "items": _by_enterprise(items),
           "scores": _by_enterprise(scores), "answers": _by_enterprise(answers)}
    empty = {"monthly": monthly.iloc[:0], "items": items.iloc[:0], "scores": scores.iloc[:0],
             "answers": answers.iloc[:0]}
    failed: dict[str, str] = {}
    keys: dict[str, str] = {}
    params = {"analysis_plan": 2}
    done: dict[str, tuple] = {}
    todo = []
    for _, ent in ents.sort_values("enterprise_id").iterrows():
        eid = ent["enterprise_id"]
        key = _sha((slices or {}).get(eid), code, params)
        if cached is not None and prev_keys.get(eid) == key:
            done[eid] = tuple(cached[name].get(eid, previous[name].iloc[:0]) for name in _CACHED)
        else:
            todo.append((ent, {name: frames.get(eid, empty[name])
                               for name, frames in own.items()}))
        keys[eid] = key
    for eid, outcome in _analyse_all(todo, constructs=constructs, pool=pool, workers=workers,
                                     progress=progress):
        if isinstance(outcome, str):
            failed[eid] = outcome
            keys.pop(eid, None)
        else:
            done[eid] = outcome
    results, lines, reliability, attrition = ([done[eid][i] for eid in sorted(done)]
                                              for i in range(4))
    non_empty = [r for r in results if not r.empty]
    res = (pd.concat(non_empty, ignore_index=True) if non_empty
           else pd.DataFrame(columns=list(analysis.INTERNAL_COLUMNS)))
    from .pooling import pooled_inputs, pooled_results

    return {
        "indicators_monthly": monthly, "five_s_items": items, "five_s_pillars": pillars,
        "five_s_index": index, "survey_answers": answers, "survey_scores": scores,
        "results": res,
        "kpi_lines": pd.concat([x for x in lines if not x.empty], ignore_index=True)
        if any(not x.empty for x in lines) else pd.DataFrame(
            columns=["enterprise_id", "indicator", "month", "observed", "fitted",
                     "counterfactual"]),
        "survey_reliability": pd.concat([x for x in reliability if not x.empty],
                                        ignore_index=True)
        if any(not x.empty for x in reliability) else pd.DataFrame(
            columns=["enterprise_id", "construct", "wave", "n_complete", "n_items", "alpha",
                     "status"]),
        "survey_attrition": pd.concat([x for x in attrition if not x.empty],
                                      ignore_index=True)
        if any(not x.empty for x in attrition) else pd.DataFrame(
            columns=list(analysis.ATTRITION_COLUMNS)),
        "pooled": pooled_results(res),
        "pooled_inputs": pooled_inputs(res),
        "failed": failed,
        "analysis_keys": keys,
    }


def _analyse_enterprise(enterprise, *, monthly, items, scores, answers,
                        constructs: list[str]) -> tuple:
    """The results rows, chart lines and survey reliability of one enterprise.

    ``monthly``, ``items``, ``scores`` and ``answers`` may hold only this
    enterprise's rows (the pipeline passes each enterprise its own slice).
    """
    from . import analysis

    done = analysis.enterprise_analysis(enterprise, monthly=monthly, items=items,
                                        scores=scores, constructs=constructs)
    eid = enterprise["enterprise_id"]
    return (done.results, done.lines, analysis.survey_reliability(answers, eid),
            analysis.survey_attrition(scores, eid, constructs))


#: Fewest enterprises to analyse for the analysis to go to the worker pool (below
#: it, importing the statistics libraries in every worker costs more than it saves).
PARALLEL_ANALYSIS = 10


def _analyse_chunk(chunk: list, *, constructs: list[str]) -> list:
    """Analyse several enterprises (in a worker); one ``(id, outcome)`` pair each,
    the outcome being the three tables or the error text."""
    out = []
    with _gc_frozen():
        for ent, parts in chunk:
            eid = ent["enterprise_id"]
            try:
                out.append((eid, _analyse_enterprise(ent, constructs=constructs, **parts)))
            except Exception as exc:  # isolate one enterprise's failure from the others
                out.append((eid, f"the analysis failed: {exc.__class__.__name__}: {exc}"))
    return out


def _analyse_all(todo: list, *, constructs: list[str], pool, workers: int,
                 progress: Callable[[str], None] | None) -> list:
    """``(id, outcome)`` for every enterprise of ``todo``: in ``pool`` when it is
    worth it, else in this process."""
    for ent, _ in todo:
        if progress:
            progress(ent["enterprise_id"])
    if pool is None or workers < 2 or len(todo) < PARALLEL_ANALYSIS:
        return _analyse_chunk(todo, constructs=constructs)
    size = -(-len(todo) // (4 * workers))  # about four chunks per worker: balanced ends
    futures = [(chunk, pool.submit(_analyse_chunk, chunk, constructs=constructs))
               for chunk in (todo[i:i + size] for i in range(0, len(todo), size))]
    out = []
    for chunk, fut in futures:
        try:
            out += fut.result()
        except Exception as exc:  # a worker died: its enterprises fail, the others go on
            out += [(ent["enterprise_id"], f"the analysis worker failed: "
                                          f"{exc.__class__.__name__}: {exc}")
                    for ent, _ in chunk]
    return out


def _by_enterprise(frame) -> dict:
    """``enterprise_id`` → that enterprise's rows, split once (not filtered per enterprise)."""
    if frame.empty or "enterprise_id" not in frame.columns:
        return {}
    return {eid: part for eid, part in frame.groupby("enterprise_id", sort=False)}


@contextlib.contextmanager
def _gc_frozen() -> Iterator[None]:
    """Keep the objects that exist now out of the garbage collector's full passes.

    statsmodels' ``multipletests(method="holm")`` calls ``gc.collect()`` on every
    call; with pandas, scipy and statsmodels loaded each of those passes walks
    millions of objects (about 0.1 s per enterprise).  Frozen objects are
    skipped (:func:`gc.freeze`) and handed back to the collector afterwards.
    """
    import gc

    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def _quality_log(findings: list):
    import pandas as pd

    from .contract import QUALITY_COLUMNS

    rows = [asdict(f) for f in findings]
    frame = pd.DataFrame(rows, columns=[*QUALITY_COLUMNS, "enterprise_id"])
    frame["row"] = frame["row"].astype("Int64")
    return frame


def _write_analysis_cache(staging: Path, keys: dict[str, str]) -> None:
    """Record which enterprise keys the staged results hold, with the files' hashes.

    The cache lives with the files it describes (not in the reports' manifest):
    a run stopped after moving the processed tables but before the reports
    would otherwise pair new results with the previous keys.
    """
    from .io import sha256_file, write_json

    write_json({"analysis_keys": keys,
                "files": {n: sha256_file(staging / f"{n}.parquet") for n in _CACHED}},
               staging / ANALYSIS_CACHE)


def _previous_analysis(processed: Path) -> dict:
    """The previous run's per-enterprise results, when the files are intact and are those
    the cache describes (else nothing is reused)."""
    import pandas as pd

    from .io import read_json, sha256_file

    cache = read_json(processed / ANALYSIS_CACHE)
    if not isinstance(cache, dict) or not isinstance(cache.get("files"), dict):
        return {}
    out = {"analysis_keys": cache.get("analysis_keys", {})}
    for name in _CACHED:
        path = processed / f"{name}.parquet"
        try:
            if sha256_file(path) != cache["files"].get(name):
                return {}
            out[name] = pd.read_parquet(path)
        except Exception:  # missing or damaged: recompute
            return {}
    return out


# --------------------------------------------------------------------------- notebooks


@dataclass(frozen=True)
class NotebookJob:
    """One notebook to execute and convert; every path absolute.

    ``log`` receives the kernel's own output (its stderr and stdout) and a
    line per attempt and outcome; empty means no log file.
    """

    key: str
    kind: str
    title: str
    notebook: str
    executed: str
    html: str
    parameters: dict
    cwd: str
    cell_timeout: int
    log: str = ""


def report_path(enterprise_id: str) -> str:
    """An enterprise's page, relative to the reports directory.

    The id is checked against the contract's pattern, so the path can never
    leave ``reports/enterprises/`` (no ``/``, ``..`` or spaces).
    """
    if not isinstance(enterprise_id, str) or not _ID.fullmatch(enterprise_id):
        raise UsageError(f"invalid enterprise id {enterprise_id!r}")
    return f"enterprises/{enterprise_id}.html"


def notebook_parameters(enterprise_id: str | None, processed_dir: Path,
                        reports_dir: Path) -> dict:
    """The typed, validated parameters passed to a notebook (never string-built code)."""
    if enterprise_id is not None and not _ID.fullmatch(enterprise_id):
        raise UsageError(f"invalid enterprise id {enterprise_id!r}")
    params = {"processed_dir": str(processed_dir.resolve()),
              "reports_dir": str(reports_dir.resolve())}
    if enterprise_id is not None:
        params["enterprise_id"] = enterprise_id
    return params


#: Loggers whose records about a notebook go to that notebook's log file.
_JOB_LOGGERS = ("papermill", "nbclient", "traitlets", "jupyter_client")


@contextlib.contextmanager
def _job_log(path: str) -> Iterator:
    """An open, line-buffered log file for one notebook, which also receives the
    warnings of papermill, nbclient and jupyter_client while it is open."""
    import logging

    target = path or os.devnull
    if path:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    with open(target, "w", encoding="utf-8", buffering=1) as log:
        handler = logging.StreamHandler(log)
        handler.setLevel(logging.WARNING)
        handler.setFormatter(logging.Formatter("[%(name)s] %(levelname)s | %(message)s"))
        loggers = [logging.getLogger(name) for name in _JOB_LOGGERS]
        for logger in loggers:
            logger.addHandler(handler)
        try:
            yield log
        finally:
            for logger in loggers:
                logger.removeHandler(handler)


def _logged_kernel_manager(log) -> type:
    """A kernel manager class whose kernels write their stdout and stderr to ``log``.

    The kernel's start-up warnings (``Kernel is running over TCP …``) and its
    shutdown messages (``KeyboardInterrupt caught in kernel``) then land in the
    report's log file instead of the terminal; errors raised by the notebook's
    cells still reach the pipeline through papermill.
    """
    from jupyter_client.manager import AsyncKernelManager

    class LoggedKernelManager(AsyncKernelManager):
        async def _async_launch_kernel(self, kernel_cmd, **kw):
            kw["stdout"] = log
            kw["stderr"] = log
            return await super()._async_launch_kernel(kernel_cmd, **kw)

    return LoggedKernelManager


def execute_notebook(job: NotebookJob) -> ReportOutcome:
    """Execute one notebook with papermill and convert it to HTML (runs in a worker).

    A kernel that fails to start is retried once.  On failure the partly
    executed notebook is kept and a failed page is written in place of the
    report.  The kernel's own output and one line per attempt go to ``job.log``.
    """
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    from .reporting import failed_page, page

    start = time.perf_counter()
    Path(job.executed).parent.mkdir(parents=True, exist_ok=True)
    Path(job.html).parent.mkdir(parents=True, exist_ok=True)
    rel_nb = os.path.relpath(job.executed, Path(job.html).parent)
    error = None
    with _job_log(job.log) as log:
        log.write(f"{job.title}\nnotebook: {job.notebook}\nparameters: "
                  f"{json.dumps(job.parameters, sort_keys=True)}\n")
        for attempt in (1, 2):
            log.write(f"--- attempt {attempt}: kernel output follows\n")
            try:
                pm.execute_notebook(job.notebook, job.executed, parameters=job.parameters,
                                    kernel_name="python3", progress_bar=False, cwd=job.cwd,
                                    execution_timeout=job.cell_timeout, log_output=False,
                                    request_save_on_cell_execute=False, start_timeout=120,
                                    kernel_manager_class=_logged_kernel_manager(log))
                error = None
                break
            except PapermillExecutionError as exc:
                error = f"{exc.ename}: {exc.evalue}"
                break
            except Exception as exc:  # kernel start-up, timeouts, I/O: retry once
                error = f"{exc.__class__.__name__}: {exc}".strip()
                retry = attempt == 1 and _kernel_start_problem(exc)
                log.write(f"--- attempt {attempt} failed: {error}"
                          f"{' (retrying)' if retry else ''}\n")
                if not retry:
                    if job.log:
                        error += (f" (the kernel's output is in logs/{Path(job.log).name} "
                                  f"in the reports directory)")
                    break
        if error is None:
            try:
                Path(job.html).write_text(page(notebook_html(job.executed), job.title),
                                          encoding="utf-8")
            except Exception as exc:
                error = f"conversion to HTML failed: {exc.__class__.__name__}: {exc}"
        duration = time.perf_counter() - start
        log.write(f"--- {'failed: ' + error if error else 'ok'} ({duration:.2f} s)\n")
    if error is not None:
        Path(job.html).write_text(failed_page(job.title, error, rel_nb
                                              if Path(job.executed).exists() else None,
                                              home=_home(job.kind)),
                                  encoding="utf-8")
    return ReportOutcome(key=job.key, kind=job.kind, status="failed" if error else "ok",
                         path=job.html, title=job.title, duration_s=duration, error=error,
                         notebook=job.executed, log=job.log or None)


def _kernel_start_problem(exc: Exception) -> bool:
    text = f"{exc.__class__.__name__} {exc}".lower()
    return any(w in text for w in ("kernel", "timeout", "zmq", "connection", "died"))


@functools.cache
def _html_exporter():
    """One HTML exporter per process (its templates are parsed once, not per report)."""
    from nbconvert import HTMLExporter

    return HTMLExporter(template_name="basic", exclude_input=True, exclude_input_prompt=True,
                        exclude_output_prompt=True, exclude_markdown=False)


def notebook_html(executed: str) -> str:
    """The body of an executed notebook as HTML, code and prompts hidden."""
    import nbformat

    body, _ = _html_exporter().from_notebook_node(nbformat.read(executed, as_version=4))
    return body


def warm_up() -> int:
    """Import the notebook machinery and load the HTML templates in this process.

    Runs in each worker as soon as the pool starts, while the main process
    validates and analyses the data, so that no report pays for it.  Returns
    the process id.
    """
    import nbformat
    import papermill  # noqa: F401
    from jupyter_client.manager import AsyncKernelManager  # noqa: F401

    from . import reporting  # noqa: F401

    _html_exporter().from_notebook_node(nbformat.v4.new_notebook())
    return os.getpid()


# --------------------------------------------------------------------------- the run


def _write_processed(tables: dict, analysed: dict, staging: Path) -> None:
    from .io import write_parquet

    for name, frame in tables.items():
        write_parquet(frame, staging / f"{name}.parquet")
    for name in ("indicators_monthly", "five_s_items", "five_s_pillars", "five_s_index",
                 "survey_scores", "survey_reliability", "survey_attrition", "kpi_lines",
                 "results", "pooled", "pooled_inputs"):
        write_parquet(analysed[name], staging / f"{name}.parquet")


def _headline(results, eid: str) -> str:
    from .reporting import headline

    return headline(results[results["enterprise_id"] == eid])


def run(options: Options, *, echo: Callable[[str], None] = print) -> Summary:
    """Run the whole pipeline; see the module docstring.

    Raises
    ------
    InvalidInput
        The data broke the contract (nothing is written).
    UsageError
        An unknown enterprise was selected, or another run holds the lock.
    """
    started = time.perf_counter()
    reports = options.reports_dir
    manifest_path = reports / MANIFEST
    previous = _read_manifest(manifest_path)
    key = run_key(options)
    if (not options.force and previous and previous.get("run_key") == key
            and previous.get("schema") == SCHEMA and _outputs_exist(reports, previous)
            and _all_ok(previous) and not _interrupted_commit(reports)):
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
    with _lock(reports):
        _recover(reports, options.processed_dir)
        previous = _read_manifest(manifest_path)  # as the recovery may have left it
        return _run_locked(options, previous, key, started, echo, validated)


def _all_ok(manifest: dict) -> bool:
    """Whether every report of a manifest was built (a failed one is retried)."""
    entries = [*manifest.get("reports", {}).values(), manifest.get("synthesis") or {}]
    return not any(e.get("status") == "failed" for e in entries)


def _outputs_exist(reports: Path, manifest: dict) -> bool:
    paths = [r.get("path") for r in manifest.get("reports", {}).values()]
    paths += ["index.html", "results.csv", "pooled.csv", "pooled_inputs.csv", "quality_log.csv"]
    return all(p and (reports / p).exists() for p in paths)


def _run_locked(options: Options, previous: dict | None, key: str, started: float,
                echo: Callable[[str], None], validated) -> Summary:
    from .contract import (
        POOLED_COLUMNS,
        POOLED_INPUT_COLUMNS,
        QUALITY_COLUMNS,
        RESULT_COLUMNS,
    )
    from .io import replace_tree, write_csv, write_json, write_parquet, write_text
    from .reporting import index_page, synthesis_headline

    reports, processed = options.reports_dir, options.processed_dir
    tables = validated.tables
    known = set(tables["enterprises"]["enterprise_id"])

    code = code_fingerprint()
    slices = enterprise_slices(tables)
    nb_dir = options.notebooks_dir
    nb_hash = {n: _file_hash(nb_dir / n) for n in (ENTERPRISE_NOTEBOOK, SYNTHESIS_NOTEBOOK)}
    report_keys = {eid: report_key(slices[eid], eid, notebook=nb_hash[ENTERPRISE_NOTEBOOK],
                                   code=code, parameters=options.analysis_parameters())
                   for eid in sorted(known)}
    old_reports = (previous or {}).get("reports", {})
    selected = set(options.enterprises or known)
    to_build = [eid for eid in sorted(selected)
                if options.force or not _fresh(old_reports.get(eid, {}), report_keys[eid],
                                               reports / report_path(eid))]
    syn_key = _sha(sorted(report_keys.values()), nb_hash[SYNTHESIS_NOTEBOOK], code)
    old_syn = (previous or {}).get("synthesis") or {}
    # the synthesis key holds every report key: any enterprise that changed changes it
    synthesis_needed = bool(nb_hash[SYNTHESIS_NOTEBOOK]) and (
        options.force or not _fresh(old_syn, syn_key, reports / "synthesis.html"))

    stage_p = processed / f".staging-{os.getpid()}"
    stage_r = reports / f".staging-{os.getpid()}"
    stage_p.mkdir(parents=True, exist_ok=True)
    stage_r.mkdir(parents=True, exist_ok=True)
    outcomes: dict[str, ReportOutcome] = {}
    syn_outcome = None
    workers = _workers(options, len(to_build) + synthesis_needed)
    try:
        # the workers start (and import the notebook machinery) during the analysis
        with worker_pool(workers) as pool:
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
                    write_text(_failed(title, body), stage_r / rel)
                    outcomes[eid] = ReportOutcome(key=eid, kind="enterprise", status="failed",
                                                  path=rel, title=title, error=body)
                else:
                    jobs.append(_job(eid, "enterprise", f"{title} — impact assessment",
                                     nb_dir / ENTERPRISE_NOTEBOOK, rel, stage_r, options))
            synthesis_job = (_job("synthesis", "synthesis", "SCORE Module 1 — synthesis",
                                  nb_dir / SYNTHESIS_NOTEBOOK, "synthesis.html", stage_r,
                                  options) if synthesis_needed else None)
            bar = _progress(len(jobs) + (synthesis_job is not None), options)
            try:
                for outcome in _execute_all(jobs, pool, stage_r, bar):
                    outcomes[outcome.key] = outcome
                if synthesis_job is not None:  # once every enterprise is done
                    syn_outcome = _execute_all([synthesis_job], pool, stage_r, bar)[0]
            finally:
                bar.close()

        now = _dt.datetime.now(_dt.UTC).replace(microsecond=0).isoformat()
        manifest = _manifest(options, validated, key, analysed, outcomes, report_keys,
                             syn_outcome, syn_key, previous, now, started, ents, results)
        entries = [{"path": r["path"], "title": r["title"], "status": r["status"],
                    "data_source": r.get("data_source", ""), "built": r.get("built") or "",
                    "headline": r.get("headline", "")}
                   for r in manifest["reports"].values()]
        if manifest.get("synthesis"):
            s = manifest["synthesis"]
            entries.insert(0, {"path": "synthesis.html", "title": "Synthesis across enterprises",
                               "status": s["status"], "data_source": _sources(ents),
                               "built": s.get("built") or "",
                               "headline": synthesis_headline(analysed["pooled"])})
        write_text(index_page(entries, run_date=now), stage_r / "index.html")
        write_json(manifest, stage_r / MANIFEST)
        with _interrupts_deferred():  # from here on the new reports are committed
            write_text("", stage_r / COMPLETE)
            _move_reports(stage_r, reports)
    finally:
        shutil.rmtree(stage_p, ignore_errors=True)
        if not (stage_r / COMPLETE).exists():  # a complete set is finished by the next run
            shutil.rmtree(stage_r, ignore_errors=True)

    failed = [k for k, o in outcomes.items() if o.status == "failed"]
    if syn_outcome is not None and syn_outcome.status == "failed":
        failed.append("synthesis")
    return Summary(built=sum(o.status in ("ok", "failed") for o in outcomes.values()),
                   unchanged=sum(o.status == "unchanged" for o in outcomes.values()),
                   failed=len(failed), failures=failed,
                   warnings=sum(f.severity == "warning" for f in validated.findings),
                   duration_s=time.perf_counter() - started)


def report_key(data_slice: str, enterprise_id: str, *, notebook: str | None, code: str,
               parameters: dict) -> str:
    """The content key of one enterprise report: its slice of the cleaned data, the
    notebook, the code fingerprint and the analysis parameters.  The report is
    rebuilt exactly when this key changes (or its page is missing, or it failed)."""
    return _sha(data_slice, notebook, code, parameters, enterprise_id)


def _fresh(old: dict, key: str, page: Path) -> bool:
    """Whether the previous build of a report can be kept."""
    return old.get("key") == key and old.get("status") == "ok" and page.exists()


def _job(key: str, kind: str, title: str, notebook: Path, rel: str, stage: Path,
         options: Options) -> NotebookJob:
    """The notebook job of one report, every output staged under ``stage``."""
    return NotebookJob(
        key=key, kind=kind, title=title, notebook=str(notebook.resolve()),
        executed=str((stage / "notebooks" / f"{key}.ipynb").resolve()),
        html=str((stage / rel).resolve()),
        parameters=notebook_parameters(key if kind == "enterprise" else None,
                                       options.processed_dir, options.reports_dir),
        cwd=str(notebook.parent.resolve()), cell_timeout=options.cell_timeout,
        log=str((stage / "logs" / f"{key}.log").resolve()))


def _failed(title: str, error: str, kind: str = "enterprise") -> str:
    from .reporting import failed_page

    return failed_page(title, error, home=_home(kind))


def _home(kind: str) -> str:
    """The index seen from a report page (enterprise pages are one folder down)."""
    return "index.html" if kind == "synthesis" else "../index.html"


def _sources(ents) -> str:
    values = sorted(set(ents["data_source"]))
    return ", ".join(values)


def _workers(options: Options, notebooks: int) -> int:
    """Worker processes for ``notebooks`` notebooks: ``--jobs`` (default: the number of
    CPUs), never more than there are notebooks; 1 means this process runs them."""
    return max(1, min(options.jobs or os.cpu_count() or 1, notebooks))


def _warm_worker(notebooks: bool) -> None:
    """Pool initializer: Ctrl-C is left to the main process; the notebook machinery is
    imported at once (a failure here is left to the job itself)."""
    _worker_ignores_ctrl_c()
    if notebooks:
        with contextlib.suppress(Exception):
            warm_up()


@contextlib.contextmanager
def worker_pool(workers: int, *, notebooks: bool = True) -> Iterator:
    """A pool of ``workers`` spawned processes, all started at once, or ``None`` (the
    work runs in this process) when ``workers`` is 1.

    With ``notebooks`` each worker imports the notebook machinery as it starts
    (:func:`warm_up`), so that this happens while the main process analyses.
    On Ctrl-C or an error the queued work is dropped and the workers stopped.
    """
    if workers <= 1:
        yield None
        return
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor

    pool = ProcessPoolExecutor(max_workers=workers, mp_context=mp.get_context("spawn"),
                               initializer=_warm_worker, initargs=(notebooks,))
    with pool, _cancel_on_interrupt(pool):
        for _ in range(workers):  # start every worker now, not at the first job
            pool.submit(os.getpid)
        yield pool


def _progress(total: int, options: Options):
    """The overall progress bar of the notebooks (enterprises, then the synthesis)."""
    from tqdm.auto import tqdm

    return tqdm(total=total, desc="Building reports", unit="report",
                disable=not options.progress or total == 0, leave=False)


def _execute_all(jobs: list[NotebookJob], pool, stage: Path, bar) -> list[ReportOutcome]:
    """Execute notebooks in ``pool`` (or here, when it is ``None``), advancing ``bar``.

    A worker that dies fails its report; the other reports go on.  Returned
    paths are relative to ``stage`` (the future reports directory).
    """
    outcomes = []
    if jobs and pool is None:
        warm_up()  # imports and templates once, not inside the first report's time
        for job in jobs:
            outcomes.append(execute_notebook(job))
            bar.update(1)
    elif jobs:
        from concurrent.futures import as_completed

        futures = {pool.submit(execute_notebook, job): job for job in jobs}
        for fut in as_completed(futures):
            job = futures[fut]
            try:
                outcomes.append(fut.result())
            except Exception as exc:  # a worker died: the others go on
                err = f"the report worker failed: {exc.__class__.__name__}: {exc}"
                Path(job.html).parent.mkdir(parents=True, exist_ok=True)
                Path(job.html).write_text(_failed(job.title, err, job.kind), encoding="utf-8")
                outcomes.append(ReportOutcome(key=job.key, kind=job.kind, status="failed",
                                              path=job.html, title=job.title, error=err,
                                              log=job.log))
            bar.update(1)
    for o in outcomes:  # paths relative to the reports directory
        for name in ("path", "notebook", "log"):
            value = getattr(o, name)
            if value and Path(value).is_absolute():
                setattr(o, name, Path(value).relative_to(stage.resolve()).as_posix())
    return outcomes


def _worker_ignores_ctrl_c() -> None:
    """Ctrl-C is the main process's to handle (it stops the workers); an idle worker
    would otherwise die printing a traceback."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)


@contextlib.contextmanager
def _cancel_on_interrupt(pool) -> Iterator[None]:
    """On Ctrl-C (or any error), drop the notebooks not yet started and stop the running
    ones, instead of waiting for them all when the pool shuts down."""
    try:
        yield
    except BaseException:
        pool.shutdown(wait=False, cancel_futures=True)
        terminate = getattr(pool, "terminate_workers", None)  # Python 3.14+
        if terminate is not None:
            terminate()
        else:
            for process in list((getattr(pool, "_processes", None) or {}).values()):
                process.terminate()
        raise


def _move_reports(stage: Path, reports: Path) -> None:
    """Move a complete staging tree into place, each file by an atomic rename, the index
    and then the manifest last, and remove it.  Safe to repeat: after a crash, calling it
    again on what is left of the staging tree finishes the move (see :func:`_recover`)."""
    from .io import replace_tree

    replace_tree(stage, reports, last=("index.html", MANIFEST), skip=(COMPLETE,))


def _interrupted_commit(reports: Path) -> bool:
    """Whether a run was stopped while moving its complete reports into place."""
    return reports.is_dir() and any(reports.glob(f".staging-*/{COMPLETE}"))


def _recover(reports: Path, processed: Path) -> None:
    """Clean up after interrupted runs (called under the lock).

    A staging tree marked complete was stopped while being moved into place:
    the move is finished, so the reports are again one consistent set.  Any
    other staging tree is an unfinished build and is removed.
    """
    stages = sorted(reports.glob(".staging-*"), key=lambda p: p.stat().st_mtime)
    for stage in stages:
        if (stage / COMPLETE).exists():
            _move_reports(stage, reports)
        else:
            shutil.rmtree(stage, ignore_errors=True)
    for stale in processed.glob(".staging-*") if processed.is_dir() else []:
        shutil.rmtree(stale, ignore_errors=True)


@contextlib.contextmanager
def _interrupts_deferred() -> Iterator[None]:
    """Hold Ctrl-C (SIGINT) back until the block is done; then raise it."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    received: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda signum, frame: received.append(signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
    if received:
        raise KeyboardInterrupt


def _provenance(options: Options, validated, code: str) -> dict:
    """What the reports show under "Provenance": inputs, versions, commit, parameters, date."""
    import platform

    return {
        "tool": {"name": "score-analysis", "version": __version__, "git_commit": _git_commit(),
                 "code_fingerprint": code},
        "python": platform.python_version(),
        "packages": _package_versions(),
        "inputs": validated.files,
        "parameters": {"data_dir": str(options.data_dir), **options.analysis_parameters()},
        "run_date": _dt.datetime.now(_dt.UTC).replace(microsecond=0).isoformat(),
    }


def _manifest(options, validated, key, analysed, outcomes, report_keys, syn_outcome, syn_key,
              previous, now, started, ents, results) -> dict:
    import platform

    prev_reports = (previous or {}).get("reports", {})
    reports = {}
    for eid, o in sorted(outcomes.items()):
        if o.status == "not built":  # not selected, never built: no page to list or link
            continue
        rebuilt = o.status in ("ok", "failed")
        old = prev_reports.get(eid, {})
        reports[eid] = {
            "title": str(ents.at[eid, "name"]),
            "path": o.path,
            "status": o.status if rebuilt else old.get("status", o.status),
            "key": report_keys[eid] if rebuilt else old.get("key"),
            "duration_s": round(o.duration_s, 3) if rebuilt else old.get("duration_s"),
            "error": o.error if rebuilt else old.get("error"),
            "notebook": o.notebook if rebuilt else old.get("notebook"),
            "log": o.log if rebuilt else old.get("log"),
            "built": now if rebuilt else old.get("built"),
            "data_source": str(ents.at[eid, "data_source"]),
            "headline": _headline(results, eid) if eid not in analysed["failed"]
            else "Analysis failed.",
            "parameters": notebook_parameters(eid, options.processed_dir, options.reports_dir)
            | options.analysis_parameters(),
        }
    synthesis = (previous or {}).get("synthesis")
    if syn_outcome is not None:
        synthesis = {"path": syn_outcome.path, "status": syn_outcome.status, "key": syn_key,
                     "duration_s": round(syn_outcome.duration_s, 3), "error": syn_outcome.error,
                     "notebook": syn_outcome.notebook, "log": syn_outcome.log, "built": now}
    return {
        "schema": SCHEMA,
        "tool": {"name": "score-analysis", "version": __version__, "git_commit": _git_commit(),
                 "code_fingerprint": code_fingerprint()},
        "python": platform.python_version(),
        "packages": _package_versions(),
        "run_key": key,
        "run": {"finished": now, "duration_s": round(time.perf_counter() - started, 3),
                "parameters": {"data_dir": str(options.data_dir),
                               "processed_dir": str(options.processed_dir),
                               "reports_dir": str(options.reports_dir),
                               "enterprises": list(options.enterprises), "force": options.force,
                               "jobs": options.jobs, **options.analysis_parameters()}},
        "inputs": validated.files,
        "analysis_keys": analysed["analysis_keys"],
        "reports": reports,
        "synthesis": synthesis,
    }
