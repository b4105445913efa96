"""What travels between the client and the executors for one notebook.

A notebook job never writes into the reports: it runs in a scratch directory
of its own wherever it runs, and returns its outputs (page, executed notebook,
log) as bytes in a :class:`JobResult`.  The client writes them into its staging
tree and commits them as always, so a worker needs no disk shared with the
client.

What a job reads is chosen explicitly: on the local pool, the processed tables
and notebooks where the client has them; on a Dask cluster, :class:`Inputs`,
their bytes, sent once to every worker and written by each job into its own scratch
directory, which the job then reads and removes: nothing is left on a worker.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import tempfile
from dataclasses import dataclass, field, replace
from pathlib import Path

from . import notebooks
from .notebooks import NotebookJob
from .records import ReportOutcome


@dataclass(frozen=True)
class Inputs:
    """The files notebook jobs read, as bytes: ``processed/<table>``, ``notebooks/<name>``
    and, for the appendices, ``raw/<file>`` (the input data they recompute from).

    ``digest`` names the set (SHA-256 of names and bytes).
    """

    files: dict[str, bytes]
    digest: str = ""

    @classmethod
    def of(cls, processed_dir: Path, notebooks_dir: Path, notebook_names: tuple[str, ...],
           data_dir: Path | None = None) -> Inputs:
        """The processed tables (every file of ``processed_dir``), the named notebooks and,
        with ``data_dir``, the raw input files (a directory's files, or the workbook)."""
        files = {f"processed/{p.name}": p.read_bytes() for p in sorted(processed_dir.iterdir())
                 if p.is_file() and not p.name.startswith(".")}
        for name in notebook_names:
            path = notebooks_dir / name
            if path.is_file():
                files[f"notebooks/{name}"] = path.read_bytes()
        if data_dir is not None:
            from .keys import raw_files

            files |= {f"raw/{p.name}": p.read_bytes() for p in raw_files(data_dir)}
        h = hashlib.sha256()
        for name, data in sorted(files.items()):
            h.update(name.encode() + b"\0" + hashlib.sha256(data).digest())
        return cls(files=files, digest=h.hexdigest())


@dataclass(frozen=True)
class JobResult:
    """A finished job: its outcome (paths relative to the reports directory) and the
    bytes of every file it wrote, by the same relative paths."""

    outcome: ReportOutcome
    files: dict[str, bytes] = field(default_factory=dict)


def materialised(inputs: Inputs, into: Path) -> Path:
    """Write ``inputs`` under the directory ``into`` (a job's own scratch directory, removed
    with it); ``into``.  A name that would leave ``into`` is refused."""
    root = into.resolve()
    for name, data in inputs.files.items():
        path = (root / name).resolve()
        if not path.is_relative_to(root):
            raise ValueError(f"an input file may not leave its directory: {name!r}")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return root


def run_job(job: NotebookJob, stage: str, inputs: Inputs | None = None) -> JobResult:
    """Execute one notebook job in a scratch directory and return its outputs (on an executor).

    ``job``'s output paths lie under ``stage`` (the client's staging tree): the
    job writes the same relative paths under its scratch directory instead.
    With ``inputs`` the notebook, the processed tables (and raw files) are read from a
    copy of them in the scratch directory (:func:`materialised`), else from ``job``'s
    paths.  The scratch directory is removed when the job is done.
    """
    scratch = Path(tempfile.mkdtemp(prefix="score-analysis-job-"))
    outputs = scratch / "out"
    try:
        rel = {name: os.path.relpath(getattr(job, name), stage)
               for name in ("html", "executed", "log") if getattr(job, name)}
        local = replace(job, **{name: str(outputs / r) for name, r in rel.items()})
        if job.pages:  # one page per language, each under the scratch directory too
            local = replace(local, pages=tuple(
                (lang, str(outputs / os.path.relpath(path, stage)), title)
                for lang, path, title in job.pages))
        if inputs is not None:
            copy = materialised(inputs, scratch / "in")
            notebook = copy / "notebooks" / Path(job.notebook).name
            params = dict(job.parameters, processed_dir="processed")
            if "data_dir" in params:
                params["data_dir"] = "raw"
            local = replace(local, notebook=str(notebook), cwd=str(copy), parameters=params)
        outcome = notebooks.execute_notebook(local)
        files = {p.relative_to(outputs).as_posix(): p.read_bytes()
                 for p in sorted(outputs.rglob("*")) if p.is_file()}
        for name in ("path", "notebook", "log"):
            value = getattr(outcome, name)
            if value and Path(value).is_absolute():
                outcome = outcome.replace(**{name: Path(value).relative_to(outputs).as_posix()})
        return JobResult(outcome=outcome, files=files)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def written(result: JobResult, stage: Path) -> ReportOutcome:
    """Write a job's files under ``stage`` (on the client); its outcome."""
    for name, data in result.files.items():
        path = (stage / name).resolve()
        if not path.is_relative_to(stage.resolve()):  # never outside the staging tree
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
        path.write_bytes(data)
    return result.outcome
