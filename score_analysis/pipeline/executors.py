"""Executors: where the analysis chunks and the notebook jobs run."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

from . import notebooks as notebook_runs
from .notebooks import NotebookJob, _failed
from .options import Options, ReportOutcome


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
            notebook_runs.warm_up()


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
        notebook_runs.warm_up()  # imports and templates once, not inside the first report's time
        for job in jobs:
            outcomes.append(notebook_runs.execute_notebook(job))
            bar.update(1)
    elif jobs:
        from concurrent.futures import as_completed

        futures = {pool.submit(notebook_runs.execute_notebook, job): job for job in jobs}
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
