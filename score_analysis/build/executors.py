"""Executors: where the analysis chunks and the notebook jobs run.

One interface, :class:`Executor` (``submit`` a function, get a future with
``result()``; ``as_completed``; ``ship`` data to every worker; ``cancel``), with
two backends:

- :class:`LocalPool`, the default: ``--jobs`` spawned processes on this
  machine (:func:`worker_pool`); one job runs here, without a pool;
- :class:`DaskCluster`: the workers of a Dask distributed scheduler
  (``--scheduler tcp://HOST:PORT`` or ``SCORE_ANALYSIS_SCHEDULER``;
  :func:`dask_cluster`).  A worker that dies has its tasks run again on
  another worker by the scheduler; nothing is assumed about shared disks
  (see :mod:`.jobs`).

Jobs return their outputs to this process, which stages and commits them.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable, Iterator
from pathlib import Path

from . import jobs as job_runs
from . import notebooks as notebook_runs
from .notebooks import NotebookJob
from .options import Options, UsageError
from .records import ReportOutcome

#: The environment variable naming the Dask scheduler when ``--scheduler`` is not given.
SCHEDULER_VARIABLE = "SCORE_ANALYSIS_SCHEDULER"
#: Seconds to wait for the scheduler to answer before giving up (exit code 2).
CONNECT_TIMEOUT = 10


class Executor:
    """Where work runs.  ``workers`` is how many jobs run at once; ``where`` names it
    (``local`` or the scheduler's address); ``ships_inputs`` says whether notebook
    jobs get their input files as bytes (:class:`~.jobs.Inputs`) instead of paths."""

    workers: int = 1
    where: str = "local"
    ships_inputs: bool = False

    def submit(self, fn, /, *args, **kwargs):
        """Run ``fn(*args, **kwargs)`` on a worker; a future with ``result()``."""
        raise NotImplementedError

    def as_completed(self, futures: Iterable) -> Iterator:
        """The futures, each as soon as it is done."""
        raise NotImplementedError

    def ship(self, value):
        """``value`` made available to every worker, to pass to :meth:`submit`."""
        return value

    def cancel(self) -> None:
        """Drop the work not yet done (Ctrl-C)."""

    def warm_up(self) -> None:
        """Let the workers import the notebook machinery now (if they need to)."""

    def check_started(self) -> None:
        """Raise :class:`UsageError` when the workers could not start (called before the
        run writes anything)."""


class LocalPool(Executor):
    """A :class:`concurrent.futures.ProcessPoolExecutor` of spawned processes."""

    def __init__(self, pool, workers: int, started: list | None = None) -> None:
        self.pool, self.workers = pool, workers
        self._started = started or []

    def check_started(self) -> None:
        """Wait for the worker processes' first answer; a pool that broke as its processes
        started (they could not import what they need) is a :class:`UsageError`."""
        from concurrent.futures.process import BrokenProcessPool

        try:
            for future in self._started:
                future.result()
        except BrokenProcessPool as exc:
            raise UsageError(f"the worker processes could not start ({exc}); run again "
                             f"with --jobs 1 to build in this process") from None

    def submit(self, fn, /, *args, **kwargs):
        return self.pool.submit(fn, *args, **kwargs)

    def as_completed(self, futures: Iterable) -> Iterator:
        from concurrent.futures import as_completed

        return as_completed(list(futures))

    def cancel(self) -> None:
        self.pool.shutdown(wait=False, cancel_futures=True)
        terminate = getattr(self.pool, "terminate_workers", None)  # Python 3.14+
        if terminate is not None:
            terminate()
        else:
            for process in list((getattr(self.pool, "_processes", None) or {}).values()):
                process.terminate()


class DaskCluster(Executor):
    """The workers of a Dask distributed scheduler, through a connected ``Client``."""

    ships_inputs = True

    def __init__(self, client) -> None:
        self.client = client
        self.where = client.scheduler.address
        self._futures: list = []

    @property
    def workers(self) -> int:
        """Threads across the workers now connected (at least 1)."""
        info = self.client.scheduler_info(n_workers=-1) if _takes_n_workers(self.client) \
            else self.client.scheduler_info()
        return max(1, sum(w.get("nthreads", 1) for w in info.get("workers", {}).values()))

    def submit(self, fn, /, *args, **kwargs):
        future = self.client.submit(fn, *args, pure=False, **kwargs)
        self._futures.append(future)
        return future

    def as_completed(self, futures: Iterable) -> Iterator:
        from distributed import as_completed

        return iter(as_completed(list(futures), loop=self.client.loop))

    def ship(self, value):
        return self.client.scatter(value, broadcast=True, hash=False)

    def warm_up(self) -> None:
        """Import the notebook machinery on every worker now, without waiting for it."""
        with contextlib.suppress(Exception):
            self.client.run(notebook_runs.warm_up, wait=False)

    def cancel(self) -> None:
        pending = [f for f in self._futures if not f.done()]
        if pending:
            with contextlib.suppress(Exception):
                self.client.cancel(pending, force=True)


def check_workers(client) -> None:
    """Refuse workers that would build different pages: each connected worker must run
    this very code (the same :func:`~.keys.code_fingerprint`: version and source files).

    Raises
    ------
    UsageError
        A worker cannot import score-analysis, or runs other code.
    """
    from . import keys

    ours = keys.code_fingerprint()
    try:
        theirs = client.run(keys.code_fingerprint)
    except Exception as exc:
        reason = " ".join(str(exc).split()) or exc.__class__.__name__
        raise UsageError(f"the Dask workers cannot run score-analysis ({reason}); install "
                         f"the project's locked environment on every worker") from None
    other = sorted(addr for addr, fp in theirs.items() if fp != ours)
    if other:
        raise UsageError(f"{len(other)} Dask worker(s) run other score-analysis code than "
                         f"this one ({', '.join(other)}); install the same version on every "
                         f"worker")


def _takes_n_workers(client) -> bool:
    import inspect

    return "n_workers" in inspect.signature(client.scheduler_info).parameters


def scheduler_address(options: Options) -> str | None:
    """The Dask scheduler to use: ``--scheduler``, else ``SCORE_ANALYSIS_SCHEDULER``, else
    ``None`` (the local pool)."""
    return options.scheduler or os.environ.get(SCHEDULER_VARIABLE) or None


@contextlib.contextmanager
def dask_cluster(address: str, *, timeout: float | None = None) -> Iterator[DaskCluster]:
    """A :class:`DaskCluster` connected to the scheduler at ``address``.

    Raises
    ------
    UsageError
        The scheduler cannot be reached within ``timeout`` seconds (or the address
        is not one), or a worker runs other code (:func:`check_workers`): a
        one-line message, before any work.
    """
    import logging

    from distributed import Client

    quiet = logging.getLogger("distributed")
    level = quiet.level
    quiet.setLevel(logging.CRITICAL)  # the one-line error below says it all
    try:
        client = Client(address, timeout=timeout or CONNECT_TIMEOUT, set_as_default=False)
    except Exception as exc:
        reason = " ".join(str(exc).split()) or exc.__class__.__name__
        raise UsageError(f"cannot reach the Dask scheduler at {address}: {reason}") from None
    finally:
        quiet.setLevel(level)
    cluster = DaskCluster(client)
    try:
        check_workers(client)
        with cancel_on_interrupt(cluster):
            yield cluster
    finally:
        with contextlib.suppress(Exception):
            client.close(timeout=5)


def workers_for(options: Options, notebooks: int) -> int:
    """Worker processes for ``notebooks`` notebooks: ``--jobs`` (default: the number of
    CPUs), never more than there are notebooks; 1 means this process runs them."""
    return max(1, min(options.jobs or os.cpu_count() or 1, notebooks))


#: In a worker of :func:`worker_pool`: the signal that every worker of its pool was started.
_POOL_STARTED = None


def _warm_worker(notebooks: bool, started=None) -> None:
    """Pool initializer: Ctrl-C is left to the main process; the notebook machinery is
    imported at once (a failure here is left to the job itself).  ``started``: the pool's
    start signal (an event of the spawn context), read by :func:`_started_pid`."""
    global _POOL_STARTED
    _POOL_STARTED = started
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

    context = mp.get_context("spawn")
    signal = context.Event()
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=context,
                               initializer=_warm_worker, initargs=(notebooks, signal))
    with pool:
        # start every worker now, not at the first job: no first job may finish before the
        # last is submitted, or the pool would reuse the idle worker and start the others
        # later, outside _main_not_rerun (on a busy machine a worker can start that fast)
        with _main_not_rerun():
            try:
                started = [pool.submit(_started_pid) for _ in range(workers)]
            finally:
                signal.set()
        executor = LocalPool(pool, workers, started)
        with cancel_on_interrupt(executor):
            yield executor


def _started_pid() -> int:
    """The worker's process id, once its pool has submitted a start job to every worker."""
    if _POOL_STARTED is not None:
        _POOL_STARTED.wait(60)
    return os.getpid()


@contextlib.contextmanager
def _main_not_rerun() -> Iterator[None]:
    """Start spawned processes without running the caller's main script or module again.

    A spawned process first imports the ``__main__`` of its parent, from its file or by
    its module name: a script without an ``if __name__ == "__main__":`` guard would run
    again in every worker, and ``python - < script`` (``__file__`` ``'<stdin>'``) would
    kill the workers at once (``FileNotFoundError: '<stdin>'``).  The workers run only
    functions of this package and never need the caller's ``__main__``, so while they
    start its file and module name are hidden from them.
    """
    import sys

    main = sys.modules.get("__main__")
    if main is None:
        yield
        return
    had_file, path, spec = hasattr(main, "__file__"), getattr(main, "__file__", None), \
        getattr(main, "__spec__", None)
    if had_file:
        del main.__file__
    main.__spec__ = None
    try:
        yield
    finally:
        main.__spec__ = spec
        if had_file:
            main.__file__ = path


def progress_bar(total: int, options: Options):
    """The overall progress bar of the notebooks (enterprises, then the synthesis)."""
    from tqdm.auto import tqdm

    return tqdm(total=total, desc="Building reports", unit="report",
                disable=not options.progress or total == 0, leave=False)


def execute_all(jobs: list[NotebookJob], pool: Executor | None, stage: Path, bar,
                 inputs=None) -> list[ReportOutcome]:
    """Execute notebook jobs on ``pool`` (or here, when it is ``None``), advancing ``bar``.

    Each job returns its files (:func:`~.jobs.run_job`), written here under
    ``stage``; ``inputs`` (shipped with :meth:`Executor.ship`) is passed to the
    jobs of an executor that ships inputs.  A job whose worker failed fails its
    report; the other reports go on.  Returned paths are relative to ``stage``
    (the future reports directory).
    """
    outcomes = []
    stage_name = str(stage.resolve())
    if jobs and pool is None:
        notebook_runs.warm_up()  # imports and templates once, not inside the first report's time
        for job in jobs:
            outcomes.append(job_runs.written(job_runs.run_job(job, stage_name), stage))
            bar.update(1)
    elif jobs:
        extra = (inputs,) if pool.ships_inputs else ()
        futures = {pool.submit(job_runs.run_job, job, stage_name, *extra): job for job in jobs}
        for fut in pool.as_completed(futures):
            job = futures[fut]
            try:
                outcomes.append(job_runs.written(fut.result(), stage))
            except Exception as exc:  # a worker died (too often): the others go on
                err = f"the report worker failed: {exc.__class__.__name__}: {exc}"
                notebook_runs.write_failed_pages(job, err)  # in every language of the job
                outcomes.append(ReportOutcome(key=job.key, kind=job.kind, status="failed",
                                              path=job.html, title=job.title, error=err,
                                              log=None))
            bar.update(1)
    return [_relative(o, stage.resolve()) for o in outcomes]


def _relative(outcome: ReportOutcome, stage: Path) -> ReportOutcome:
    """``outcome`` with its paths relative to the staging tree (the future reports
    directory)."""
    changes = {}
    for name in ("path", "notebook", "log"):
        value = getattr(outcome, name)
        if value and Path(value).is_absolute():
            changes[name] = Path(value).relative_to(stage).as_posix()
    return outcome.replace(**changes) if changes else outcome


def _worker_ignores_ctrl_c() -> None:
    """Ctrl-C is the main process's to handle (it stops the workers); an idle worker
    would otherwise die printing a traceback."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)


@contextlib.contextmanager
def cancel_on_interrupt(executor: Executor) -> Iterator[None]:
    """On Ctrl-C (or any error), drop the work not yet started and stop what runs
    (:meth:`Executor.cancel`), instead of waiting for it all."""
    try:
        yield
    except BaseException:
        executor.cancel()
        raise
