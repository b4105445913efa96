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
unchanged and whose page exists is not rebuilt.  A run whose raw files, code,
notebooks and options are all unchanged stops after hashing them, without
importing the scientific stack.

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
_CACHED = ("results", "kpi_lines", "survey_reliability")
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
    harmonic: bool = False
    cell_timeout: int = 600
    progress: bool = True

    def analysis_parameters(self) -> dict:
        """The options that change numbers (part of every cache key)."""
        return {"harmonic": self.harmonic}


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
    extra: dict = field(default_factory=dict)


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


def run_key(options: Options) -> str:
    """Hash of everything a whole run depends on, computed without pandas."""
    from .io import sha256_file

    files = {p.name: sha256_file(p) for p in _raw_files(options.data_dir)}
    notebooks = {n: sha256_file(options.notebooks_dir / n)
                 for n in (ENTERPRISE_NOTEBOOK, SYNTHESIS_NOTEBOOK)
                 if (options.notebooks_dir / n).exists()}
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


def analyse(tables: dict, *, harmonic: bool = False, previous: dict | None = None,
            slices: dict[str, str] | None = None, code: str = "",
            progress: Callable[[str], None] | None = None) -> dict:
    """Indicators and results for every enterprise, reusing unchanged enterprises' rows.

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
    prev_results = previous.get("results")
    prev_lines = previous.get("kpi_lines")
    prev_rel = previous.get("survey_reliability")
    results, lines, reliability = [], [], []
    failed: dict[str, str] = {}
    keys: dict[str, str] = {}
    params = {"harmonic": harmonic}
    for _, ent in ents.sort_values("enterprise_id").iterrows():
        eid = ent["enterprise_id"]
        key = _sha((slices or {}).get(eid), code, params)
        keys[eid] = key
        if (prev_keys.get(eid) == key and prev_results is not None and prev_lines is not None
                and prev_rel is not None):
            results.append(prev_results[prev_results["enterprise_id"] == eid])
            lines.append(prev_lines[prev_lines["enterprise_id"] == eid])
            reliability.append(prev_rel[prev_rel["enterprise_id"] == eid])
            continue
        if progress:
            progress(eid)
        try:
            done = analysis.enterprise_analysis(
                ent, monthly=monthly, items=items, scores=scores, constructs=constructs,
                harmonic=harmonic)
            results.append(done.results)
            lines.append(done.lines)
            reliability.append(analysis.survey_reliability(answers, eid))
        except Exception as exc:  # isolate one enterprise's failure from the others
            failed[eid] = f"the analysis failed: {exc.__class__.__name__}: {exc}"
            keys.pop(eid)
    non_empty = [r for r in results if not r.empty]
    res = (pd.concat(non_empty, ignore_index=True) if non_empty
           else pd.DataFrame(columns=list(analysis.INTERNAL_COLUMNS)))
    from .pooling import pooled_results

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
        "pooled": pooled_results(res),
        "failed": failed,
        "analysis_keys": keys,
    }


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
    """One notebook to execute and convert; every path absolute."""

    key: str
    kind: str
    title: str
    notebook: str
    executed: str
    html: str
    parameters: dict
    cwd: str
    cell_timeout: int


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


def execute_notebook(job: NotebookJob) -> ReportOutcome:
    """Execute one notebook with papermill and convert it to HTML (runs in a worker).

    A kernel that fails to start is retried once.  On failure the partly
    executed notebook is kept and a failed page is written in place of the
    report.
    """
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    from .reporting import failed_page

    start = time.perf_counter()
    Path(job.executed).parent.mkdir(parents=True, exist_ok=True)
    Path(job.html).parent.mkdir(parents=True, exist_ok=True)
    rel_nb = os.path.relpath(job.executed, Path(job.html).parent)
    error = None
    for attempt in (1, 2):
        try:
            pm.execute_notebook(job.notebook, job.executed, parameters=job.parameters,
                                kernel_name="python3", progress_bar=False, cwd=job.cwd,
                                execution_timeout=job.cell_timeout, log_output=False,
                                request_save_on_cell_execute=False, start_timeout=120)
            error = None
            break
        except PapermillExecutionError as exc:
            error = f"{exc.ename}: {exc.evalue}"
            break
        except Exception as exc:  # kernel start-up, timeouts, I/O: retry once
            error = f"{exc.__class__.__name__}: {exc}".strip()
            if attempt == 2 or not _kernel_start_problem(exc):
                break
    if error is None:
        try:
            body = notebook_html(job.executed)
            from .reporting import page

            Path(job.html).write_text(page(body, job.title), encoding="utf-8")
        except Exception as exc:
            error = f"conversion to HTML failed: {exc.__class__.__name__}: {exc}"
    if error is not None:
        Path(job.html).write_text(failed_page(job.title, error, rel_nb
                                              if Path(job.executed).exists() else None,
                                              home=_home(job.kind)),
                                  encoding="utf-8")
    return ReportOutcome(key=job.key, kind=job.kind, status="failed" if error else "ok",
                         path=job.html, title=job.title,
                         duration_s=time.perf_counter() - start, error=error,
                         notebook=job.executed)


def _kernel_start_problem(exc: Exception) -> bool:
    text = f"{exc.__class__.__name__} {exc}".lower()
    return any(w in text for w in ("kernel", "timeout", "zmq", "connection", "died"))


def notebook_html(executed: str) -> str:
    """The body of an executed notebook as HTML, code and prompts hidden."""
    import nbformat
    from nbconvert import HTMLExporter

    nb = nbformat.read(executed, as_version=4)
    exporter = HTMLExporter(template_name="basic", exclude_input=True,
                            exclude_input_prompt=True, exclude_output_prompt=True,
                            exclude_markdown=False)
    body, _ = exporter.from_notebook_node(nb)
    return body


# --------------------------------------------------------------------------- the run


def _write_processed(tables: dict, analysed: dict, staging: Path) -> None:
    from .io import write_parquet

    for name, frame in tables.items():
        write_parquet(frame, staging / f"{name}.parquet")
    for name in ("indicators_monthly", "five_s_items", "five_s_pillars", "five_s_index",
                 "survey_scores", "survey_reliability", "kpi_lines", "results", "pooled"):
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
    from .io import read_json

    started = time.perf_counter()
    reports = options.reports_dir
    manifest_path = reports / MANIFEST
    previous = read_json(manifest_path)
    key = run_key(options)
    if (not options.force and previous and previous.get("run_key") == key
            and previous.get("schema") == SCHEMA and _outputs_exist(reports, previous)
            and not _interrupted_commit(reports)):
        n = len(previous.get("reports", {}))
        return Summary(unchanged=n, nothing_changed=True,
                       failed=sum(r.get("status") == "failed"
                                  for r in previous.get("reports", {}).values()),
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
        previous = read_json(manifest_path)  # as the recovery may have left it
        return _run_locked(options, previous, key, started, echo, validated)


def _outputs_exist(reports: Path, manifest: dict) -> bool:
    paths = [r.get("path") for r in manifest.get("reports", {}).values()]
    paths += ["index.html", "results.csv", "pooled.csv", "quality_log.csv"]
    return all(p and (reports / p).exists() for p in paths)


def _run_locked(options: Options, previous: dict | None, key: str, started: float,
                echo: Callable[[str], None], validated) -> Summary:
    from .io import replace_tree, write_csv, write_json, write_parquet, write_text
    from .reporting import index_page, synthesis_headline

    reports, processed = options.reports_dir, options.processed_dir
    tables = validated.tables
    known = set(tables["enterprises"]["enterprise_id"])

    code = code_fingerprint()
    slices = enterprise_slices(tables)
    prev = {} if options.force else _previous_analysis(processed)
    analysed = analyse(tables, harmonic=options.harmonic, previous=prev, slices=slices,
                       code=code)
    from .analysis import INTERNAL_COLUMNS  # noqa: F401  (documented column order)
    from .contract import POOLED_COLUMNS, QUALITY_COLUMNS, RESULT_COLUMNS

    results = analysed["results"]
    stage_p = processed / f".staging-{os.getpid()}"
    stage_r = reports / f".staging-{os.getpid()}"
    stage_p.mkdir(parents=True, exist_ok=True)
    stage_r.mkdir(parents=True, exist_ok=True)
    try:
        _write_processed(tables, analysed, stage_p)
        write_parquet(_quality_log(validated.findings), stage_p / "quality_log.parquet")
        write_json(_provenance(options, validated, code), stage_p / "provenance.json")
        write_csv(results[list(RESULT_COLUMNS)], stage_r / "results.csv")
        write_csv(analysed["pooled"][list(POOLED_COLUMNS)], stage_r / "pooled.csv")
        write_csv(_quality_log(validated.findings)[list(QUALITY_COLUMNS)],
                  stage_r / "quality_log.csv")
        _write_analysis_cache(stage_p, analysed["analysis_keys"])
        replace_tree(stage_p, processed)

        ents = tables["enterprises"].set_index("enterprise_id")
        nb_dir = options.notebooks_dir
        nb_hash = {n: _file_hash(nb_dir / n) for n in (ENTERPRISE_NOTEBOOK, SYNTHESIS_NOTEBOOK)}
        old_reports = (previous or {}).get("reports", {})
        selected = list(options.enterprises) or sorted(known)
        jobs: list[NotebookJob] = []
        outcomes: dict[str, ReportOutcome] = {}
        report_keys: dict[str, str] = {}
        for eid in sorted(known):
            title = str(ents.at[eid, "name"])
            rel = report_path(eid)
            rkey = _sha(slices[eid], nb_hash[ENTERPRISE_NOTEBOOK], code,
                        options.analysis_parameters(), eid)
            report_keys[eid] = rkey
            old = old_reports.get(eid, {})
            fresh = (not options.force and old.get("key") == rkey and old.get("status") == "ok"
                     and (reports / rel).exists())
            if eid not in selected or fresh:
                outcomes[eid] = ReportOutcome(
                    key=eid, kind="enterprise", status="unchanged" if old else "not built",
                    path=rel, title=title, duration_s=old.get("duration_s", 0.0),
                    error=old.get("error"), notebook=old.get("notebook"),
                    extra={"built": old.get("built"), "report_key": old.get("key")})
                continue
            if eid in analysed["failed"]:
                body = analysed["failed"][eid]
                write_text(_failed(title, body), stage_r / rel)
                outcomes[eid] = ReportOutcome(key=eid, kind="enterprise", status="failed",
                                              path=rel, title=title, error=body)
                continue
            jobs.append(NotebookJob(
                key=eid, kind="enterprise", title=f"{title} — impact assessment",
                notebook=str((nb_dir / ENTERPRISE_NOTEBOOK).resolve()),
                executed=str((stage_r / "notebooks" / f"{eid}.ipynb").resolve()),
                html=str((stage_r / rel).resolve()),
                parameters=notebook_parameters(eid, processed, reports),
                cwd=str(nb_dir.resolve()), cell_timeout=options.cell_timeout))
        changed = bool(jobs) or any(o.status == "failed" for o in outcomes.values())
        syn_key = _sha(sorted(report_keys.values()), nb_hash[SYNTHESIS_NOTEBOOK], code)
        old_syn = (previous or {}).get("synthesis", {})
        synthesis_needed = (options.force or changed or old_syn.get("key") != syn_key
                            or not (reports / "synthesis.html").exists())
        synthesis_job = None
        if synthesis_needed and nb_hash[SYNTHESIS_NOTEBOOK]:
            synthesis_job = NotebookJob(
                key="synthesis", kind="synthesis", title="SCORE Module 1 — synthesis",
                notebook=str((nb_dir / SYNTHESIS_NOTEBOOK).resolve()),
                executed=str((stage_r / "notebooks" / "synthesis.ipynb").resolve()),
                html=str((stage_r / "synthesis.html").resolve()),
                parameters=notebook_parameters(None, processed, reports),
                cwd=str(nb_dir.resolve()), cell_timeout=options.cell_timeout)

        for outcome in _execute_all(jobs, options, stage_r):
            outcomes[outcome.key] = outcome
        syn_outcome = None
        if synthesis_job is not None:
            syn_outcome = _execute_all([synthesis_job], replace_jobs(options, 1), stage_r,
                                       label="synthesis")[0]

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

    built = sum(o.status in ("ok", "failed") and o.key != "synthesis" and o.duration_s >= 0
                and o.status != "unchanged" and (o.key in {j.key for j in jobs}
                                                 or o.status == "failed")
                for o in outcomes.values())
    failed = [k for k, o in outcomes.items() if o.status == "failed"]
    if syn_outcome is not None and syn_outcome.status == "failed":
        failed.append("synthesis")
    return Summary(built=built, unchanged=sum(o.status == "unchanged" for o in outcomes.values()),
                   failed=len(failed), failures=failed,
                   warnings=sum(f.severity == "warning" for f in validated.findings),
                   duration_s=time.perf_counter() - started)


def replace_jobs(options: Options, jobs: int) -> Options:
    from dataclasses import replace

    return replace(options, jobs=jobs)


def _failed(title: str, error: str, kind: str = "enterprise") -> str:
    from .reporting import failed_page

    return failed_page(title, error, home=_home(kind))


def _home(kind: str) -> str:
    """The index seen from a report page (enterprise pages are one folder down)."""
    return "index.html" if kind == "synthesis" else "../index.html"


def _file_hash(path: Path) -> str | None:
    from .io import sha256_file

    return sha256_file(path) if path.exists() else None


def _sources(ents) -> str:
    values = sorted(set(ents["data_source"]))
    return ", ".join(values)


def _execute_all(jobs: list[NotebookJob], options: Options, stage: Path,
                 label: str = "reports") -> list[ReportOutcome]:
    """Execute notebooks in a bounded process pool with an overall progress bar."""
    if not jobs:
        return []
    from tqdm.auto import tqdm

    workers = max(1, min(options.jobs or os.cpu_count() or 1, len(jobs)))
    bar = tqdm(total=len(jobs), desc=f"Building {label}", unit="report",
               disable=not options.progress, leave=False)
    outcomes = []
    try:
        if workers == 1:
            for job in jobs:
                outcomes.append(execute_notebook(job))
                bar.update(1)
        else:
            import multiprocessing as mp
            from concurrent.futures import ProcessPoolExecutor, as_completed

            ctx = mp.get_context("spawn")
            with ProcessPoolExecutor(max_workers=workers, mp_context=ctx,
                                     initializer=_worker_ignores_ctrl_c) as pool, \
                    _cancel_on_interrupt(pool):
                futures = {pool.submit(execute_notebook, job): job for job in jobs}
                for fut in as_completed(futures):
                    job = futures[fut]
                    try:
                        outcomes.append(fut.result())
                    except Exception as exc:  # a worker died: the others go on
                        err = f"the report worker failed: {exc.__class__.__name__}: {exc}"
                        Path(job.html).parent.mkdir(parents=True, exist_ok=True)
                        Path(job.html).write_text(_failed(job.title, err, job.kind),
                                                  encoding="utf-8")
                        outcomes.append(ReportOutcome(key=job.key, kind=job.kind,
                                                      status="failed", path=job.html,
                                                      title=job.title, error=err))
                    bar.update(1)
    finally:
        bar.close()
    for o in outcomes:  # paths relative to the reports directory
        o.path = Path(o.path).relative_to(stage.resolve()).as_posix()
        if o.notebook and Path(o.notebook).is_absolute():
            o.notebook = Path(o.notebook).relative_to(stage.resolve()).as_posix()
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
                     "notebook": syn_outcome.notebook, "built": now}
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
