"""Notebook execution: one papermill run and its conversion to HTML pages.

Every notebook runs on the kernel :data:`~.options.KERNEL_NAME` (``score-analysis``),
started with this very interpreter (:func:`kernel_spec`), so that the kernel runs the
code that the pipeline fingerprints, whichever kernels are registered.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from ..settings import PLAN, AnalysisSettings
from .options import KERNEL_NAME
from .records import ReportKind, ReportOutcome


@dataclass(frozen=True)
class NotebookJob:
    """One notebook to execute and convert; every path absolute.

    ``log`` receives the kernel's own output (its stderr and stdout) and a
    line per attempt and outcome; empty means no log file.
    """

    key: str
    kind: ReportKind
    title: str
    notebook: str
    executed: str
    html: str
    parameters: dict
    cwd: str
    cell_timeout: int
    log: str = ""
    #: (language, page path, title) of each page made from the notebook; empty: one page
    #: ``html`` titled ``title`` in the current language
    pages: tuple[tuple[str, str, str], ...] = ()
    #: the run's analysis settings (a banner on every page when they are not the plan's)
    settings: AnalysisSettings = PLAN
    #: an appendix page: the report it belongs to (relative to the page), and whether it
    #: shows simulated data
    report_href: str | None = None
    simulated: bool = False


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


class KernelStartError(RuntimeError):
    """The kernel of a notebook did not start (or never answered): worth one more try.

    Raised in place of whatever the kernel manager or the kernel client raised
    while starting the kernel and waiting for it to answer, such as the
    ``zmq.error.ZMQError: Address already in use`` of two kernels that picked
    the same free port at the same time.  An error once the kernel runs (a cell
    that raises, or a :class:`nbclient.exceptions.CellTimeoutError`) is never
    one of these.
    """


def _start_checked_client() -> type:
    """An asynchronous kernel client whose wait for the kernel's first answer raises
    :class:`KernelStartError` when the kernel does not answer."""
    from jupyter_client.asynchronous import AsyncKernelClient

    class StartCheckedKernelClient(AsyncKernelClient):
        async def _async_wait_for_ready(self, timeout=None):
            try:
                return await super()._async_wait_for_ready(timeout=timeout)
            except Exception as exc:
                raise KernelStartError(f"{exc.__class__.__name__}: {exc}") from exc

        wait_for_ready = _async_wait_for_ready

    return StartCheckedKernelClient


def kernel_spec():
    """The kernel spec of :data:`~.options.KERNEL_NAME`: the package's ``kernel.json``
    (also installed as a Jupyter kernel), whose ``python`` is this very interpreter."""
    from importlib import resources

    from jupyter_client.kernelspec import KernelSpec

    spec = json.loads(resources.files("score_analysis.build").joinpath("kernel.json")
                      .read_text(encoding="utf-8"))
    return KernelSpec(resource_dir="", name=KERNEL_NAME, **spec)


def _logged_kernel_manager(log) -> type:
    """A kernel manager class whose kernels write their stdout and stderr to ``log``.

    The kernel's start-up warnings (``Kernel is running over TCP …``) and its
    shutdown messages (``KeyboardInterrupt caught in kernel``) then land in the
    report's log file instead of the terminal; errors raised by the notebook's
    cells still reach the pipeline through papermill.  A failure to start the
    kernel, or of the started kernel to answer, is a :class:`KernelStartError`.
    """
    from jupyter_client.manager import AsyncKernelManager

    client = _start_checked_client()

    class LoggedKernelManager(AsyncKernelManager):
        @property
        def kernel_spec(self):  # this interpreter, whatever kernels are registered
            if self._kernel_spec is None:
                self._kernel_spec = kernel_spec()
            return self._kernel_spec

        def client(self, **kwargs):
            self.client_factory = client
            return super().client(**kwargs)

        async def _async_launch_kernel(self, kernel_cmd, **kw):
            kw["stdout"] = log
            kw["stderr"] = log
            return await super()._async_launch_kernel(kernel_cmd, **kw)

        async def _async_start_kernel(self, **kw):
            try:
                return await super()._async_start_kernel(**kw)
            except Exception as exc:
                raise KernelStartError(f"{exc.__class__.__name__}: {exc}") from exc

        start_kernel = _async_start_kernel

    return LoggedKernelManager


def retried(exc: BaseException) -> bool:
    """Whether a notebook that failed with ``exc`` is run once more, by the exception's type.

    A kernel that did not start (:class:`KernelStartError`, which covers the
    ZMQ port race of ``jupyter_client``) or a ZMQ error is retried; a cell that
    timed out (``nbclient``'s ``CellTimeoutError``, itself a ``TimeoutError``)
    or raised, a missing notebook or any other error is not: running it again
    would fail the same way, only later.
    """
    from nbclient.exceptions import CellTimeoutError

    if isinstance(exc, CellTimeoutError):
        return False
    if isinstance(exc, KernelStartError):
        return True
    try:
        from zmq.error import ZMQError
    except ImportError:  # pragma: no cover - pyzmq comes with jupyter_client
        return False
    return isinstance(exc, ZMQError)


#: The id given to papermill's injected-parameters cell (papermill draws a random one).
INJECTED_CELL_ID = "injected-parameters"


def _settled_cell_ids(executed: str) -> None:
    """Give papermill's injected-parameters cell a fixed id, in place.

    Every other cell keeps the id it has in the source notebook, so two runs on
    the same input give the same executed notebook cells and pages.
    """
    import nbformat

    nb = nbformat.read(executed, as_version=4)
    changed = False
    for cell in nb.cells:
        if ("injected-parameters" in cell.get("metadata", {}).get("tags", [])
                and cell.get("id") != INJECTED_CELL_ID):
            cell["id"] = INJECTED_CELL_ID
            changed = True
    if changed:
        nbformat.write(nb, executed)


def execute_notebook(job: NotebookJob) -> ReportOutcome:
    """Execute one notebook with papermill and convert it to HTML (runs in a worker).

    A kernel that fails to start is retried once (see :func:`retried`).  On failure the partly
    executed notebook is kept and a failed page is written in place of the
    report.  The kernel's own output and one line per attempt go to ``job.log``.
    """
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    from .. import parameters

    stem = Path(job.notebook).stem
    if stem in parameters.NOTEBOOK_PARAMETERS:  # the package's notebooks take no other
        extra = parameters.unknown(job.parameters, stem)
        if extra:
            raise ValueError(f"{stem} takes no parameter(s) {', '.join(extra)}")
    start = time.perf_counter()
    Path(job.executed).parent.mkdir(parents=True, exist_ok=True)
    Path(job.html).parent.mkdir(parents=True, exist_ok=True)
    error = None
    with _job_log(job.log) as log:
        log.write(f"{job.title}\nnotebook: {job.notebook}\nparameters: "
                  f"{json.dumps(job.parameters, sort_keys=True)}\n")
        for attempt in (1, 2):
            log.write(f"--- attempt {attempt}: kernel output follows\n")
            try:
                pm.execute_notebook(job.notebook, job.executed, parameters=job.parameters,
                                    kernel_name=KERNEL_NAME, progress_bar=False, cwd=job.cwd,
                                    execution_timeout=job.cell_timeout, log_output=False,
                                    request_save_on_cell_execute=False, start_timeout=120,
                                    kernel_manager_class=_logged_kernel_manager(log))
                error = None
                break
            except PapermillExecutionError as exc:
                error = f"{exc.ename}: {exc.evalue}"
                break
            except Exception as exc:  # a kernel that did not start is retried once
                error = f"{exc.__class__.__name__}: {exc}".strip()
                retry = attempt == 1 and retried(exc)
                log.write(f"--- attempt {attempt} failed: {error}"
                          f"{' (retrying)' if retry else ''}\n")
                if not retry:
                    if job.log:
                        error += (f" (the kernel's output is in logs/{Path(job.log).name} "
                                  f"in the reports directory)")
                    break
        if Path(job.executed).exists():
            with contextlib.suppress(Exception):  # a damaged notebook fails just below
                _settled_cell_ids(job.executed)
        if error is None:
            try:
                write_pages(job)
            except Exception as exc:
                error = f"conversion to HTML failed: {exc.__class__.__name__}: {exc}"
        duration = time.perf_counter() - start
        log.write(f"--- {'failed: ' + error if error else 'ok'} ({duration:.2f} s)\n")
    if error is not None:
        write_failed_pages(job, error)
    return ReportOutcome(key=job.key, kind=job.kind, status="failed" if error else "ok",
                         path=job.html, title=job.title, duration_s=duration, error=error,
                         notebook=job.executed, log=job.log or None, where=where())


def write_pages(job: NotebookJob) -> None:
    """Write the pages of an executed notebook: one per language of the job (the
    reviewer's appendix page, which shows the code, for a job of kind ``appendix``)."""
    from ..report import page

    if job.kind == "appendix":
        from ..appendix.page import appendix_html

        Path(job.html).write_text(
            appendix_html(job.executed, job.title, simulated=job.simulated,
                          report_href=job.report_href, settings=job.settings),
            encoding="utf-8")
        return
    for lang, path, title, twin in _pages(job):
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        Path(path).write_text(page(notebook_html(job.executed, lang), title, lang=lang,
                                   settings=job.settings, **twin), encoding="utf-8")


def write_failed_pages(job: NotebookJob, error: str) -> None:
    """Write the failed page of ``job`` in every language of the job, each linking the
    partly executed notebook when there is one."""
    from ..report import failed_page

    for lang, path, title, twin in _pages(job):
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        rel = (os.path.relpath(job.executed, Path(path).parent)
               if Path(job.executed).exists() else None)
        Path(path).write_text(failed_page(title, error, rel, home=home_link(job.kind),
                                          lang=lang, alternate=twin.get("alternate"),
                                          settings=job.settings),
                              encoding="utf-8")


def where() -> str:
    """Where this code runs: the address of the Dask worker running it, else ``"local"``."""
    import sys

    if "distributed" in sys.modules:  # only ever imported in a Dask worker or client
        from distributed import get_worker

        with contextlib.suppress(ValueError):
            return get_worker().address
    return "local"


@functools.cache
def _html_exporter():
    """One HTML exporter per process (its templates are parsed once, not per report)."""
    from nbconvert import HTMLExporter

    return HTMLExporter(template_name="basic", exclude_input=True, exclude_input_prompt=True,
                        exclude_output_prompt=True, exclude_markdown=False)


def _pages(job: NotebookJob) -> list[tuple[str, str, str, dict]]:
    """(language, path, title, link to the twin page) of each page of a job."""
    from ..i18n import current_language

    pages = job.pages or ((current_language(), job.html, job.title),)
    out = []
    for lang, path, title in pages:
        twin = next(((other, p) for other, p, _t in pages if other != lang), None)
        link = ({"alternate": os.path.relpath(twin[1], Path(path).parent),
                 "alternate_lang": twin[0]} if twin else {})
        out.append((lang, path, title, link))
    return out


def notebook_html(executed: str, language: str | None = None) -> str:
    """The body of an executed notebook as HTML, code and prompts hidden.

    A section rendered in several languages carries each in its own MIME type
    (``report.mime_type``); ``language`` picks that one as the HTML shown.
    """
    import nbformat

    from ..report import mime_type

    nb = nbformat.read(executed, as_version=4)
    if language is not None:
        wanted = mime_type(language)
        for cell in nb.cells:
            for output in cell.get("outputs", []):
                data = output.get("data", {})
                if wanted in data:
                    data["text/html"] = data[wanted]
                for key in [k for k in data if k.startswith("text/x-score-analysis-html-")]:
                    del data[key]
    body, _resources = _html_exporter().from_notebook_node(nb)
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

    _html_exporter().from_notebook_node(nbformat.v4.new_notebook())
    return os.getpid()


def home_link(kind: ReportKind) -> str:
    """The index seen from a report page (enterprise pages are one folder down)."""
    return "index.html" if kind == "synthesis" else "../index.html"
