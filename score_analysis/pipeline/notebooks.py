"""Notebook execution: one papermill run and its conversion to an HTML page."""

from __future__ import annotations

import contextlib
import functools
import json
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from .options import ReportOutcome


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

    from ..reporting import failed_page, page

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

    from .. import reporting  # noqa: F401

    _html_exporter().from_notebook_node(nbformat.v4.new_notebook())
    return os.getpid()


def _failed(title: str, error: str, kind: str = "enterprise") -> str:
    from ..reporting import failed_page

    return failed_page(title, error, home=_home(kind))


def _home(kind: str) -> str:
    """The index seen from a report page (enterprise pages are one folder down)."""
    return "index.html" if kind == "synthesis" else "../index.html"
