"""Shared fixtures, and the guard that keeps the fast tests fast.

The whole-pipeline builds (:func:`small_run`, :func:`built_reports`, and the recorded
builds of test_pipeline_cache and test_build_comparison) are made once per test session and
shared read-only by every test that needs them, also across the processes of ``pytest -n 2``
(pytest-xdist, :func:`shared_build`): the first process that needs a build makes it under a
file lock in the session's shared temporary folder, the others wait for it and read it.  A
test that changes a build works on a copy.

A test that starts a notebook kernel or a browser must be marked ``slow`` (a kernel) or
``browser`` (Chromium): ``make test-fast`` deselects both, and an unmarked test that tries
to start either fails (:func:`_no_kernel_or_browser_unless_marked`).
"""

from __future__ import annotations

import json
import shutil
import traceback
from collections.abc import Callable
from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"
SMALL = DATA / "small"
REPORTS_FIXTURE = DATA / "reports"


def shared_build(tmp_path_factory, worker_id: str, name: str, make: Callable[[Path], dict]) -> dict:
    """The result of ``make(root)``, made once for the whole session.

    Without xdist, ``root`` is a fresh temporary folder.  Under xdist it is one folder for
    every worker process: the first to get the lock makes it and writes its result (or its
    error) beside it; the others wait on the lock and read that.
    """
    if worker_id == "master":
        root = tmp_path_factory.mktemp(name)
        return make(root)
    from filelock import FileLock

    base = tmp_path_factory.getbasetemp().parent  # shared by the workers of this session
    root, record = base / name, base / f"{name}.json"
    with FileLock(str(base / f"{name}.lock")):
        if not record.exists():
            try:
                root.mkdir()
                result = {"ok": True, "value": make(root)}
            except BaseException:
                result = {"ok": False, "error": traceback.format_exc()}
            record.write_text(json.dumps(result, default=str), encoding="utf-8")
    result = json.loads(record.read_text(encoding="utf-8"))
    if not result["ok"]:
        pytest.fail(f"the shared build {name} failed:\n{result['error']}")
    return result["value"]


def _build_small(root: Path) -> dict:
    from score_analysis import build

    raw = root / "raw"
    shutil.copytree(SMALL, raw)
    options = build.Options(data_dir=raw, reports_dir=root / "reports",
                            processed_dir=root / "processed", jobs=2, progress=False,
                            pdf=False)
    summary = build.run(options, echo=lambda _: None)
    return {"root": str(root), "summary": {"built": summary.built, "failed": summary.failed,
                                           "unchanged": summary.unchanged,
                                           "failures": summary.failures}}


@pytest.fixture(scope="session")
def small_run(tmp_path_factory, worker_id) -> dict:
    """The whole pipeline run once on the two-enterprise fixture in tests/data/small (no PDFs,
    no appendices): ``root``, ``options`` and ``summary``.  Read-only."""
    from score_analysis import build

    done = shared_build(tmp_path_factory, worker_id, "small_run", _build_small)
    root = Path(done["root"])
    options = build.Options(data_dir=root / "raw", reports_dir=root / "reports",
                            processed_dir=root / "processed", jobs=2, progress=False,
                            pdf=False)
    return {"root": root, "options": options, "summary": build.Summary(**done["summary"])}


def _build_reports(root: Path) -> dict:
    from score_analysis import build

    raw = root / "raw"
    shutil.copytree(REPORTS_FIXTURE, raw)
    options = build.Options(data_dir=raw, reports_dir=root / "reports",
                            processed_dir=root / "processed", jobs=2, progress=False,
                            appendices=True)  # every page and PDF, as the command line builds
    summary = build.run(options, echo=lambda _: None)
    manifest = json.loads((root / "reports" / "manifest.json").read_text(encoding="utf-8"))
    errors = {k: r.get("error") for k, r in manifest["reports"].items() if r["status"] != "ok"}
    errors |= {f"appendix {k}": r.get("error")
               for k, r in manifest.get("appendices", {}).items() if r["status"] != "ok"}
    assert summary.failed == 0, errors or manifest.get("synthesis")
    return {"root": str(root)}


@pytest.fixture(scope="session")
def built_reports_run(tmp_path_factory, worker_id) -> tuple[Path, object]:
    """The folder of the one session-wide build of tests/data/reports (``raw``, ``processed``,
    ``reports``) and its options."""
    from score_analysis import build

    root = Path(shared_build(tmp_path_factory, worker_id, "built_reports", _build_reports)["root"])
    return root, build.Options(data_dir=root / "raw", reports_dir=root / "reports",
                               processed_dir=root / "processed", jobs=2, progress=False,
                               appendices=True)


@pytest.fixture(scope="session")
def built_reports(built_reports_run) -> Path:
    """The reports of tests/data/reports (pages in both languages, appendix pages and PDFs),
    built once per session by the real pipeline; read-only for the tests (copy it to change
    it)."""
    return built_reports_run[1].reports_dir


@pytest.fixture(scope="session")
def in_browser():
    """``in_browser(work)``: ``work(browser)`` run with Debian's Chromium in a thread of its
    own, so that it never meets another playwright session of the test run (playwright's
    synchronous API allows one per thread)."""
    from concurrent.futures import ThreadPoolExecutor

    from score_analysis.build.printing import CHROMIUM_ARGS, chromium_path

    exe = chromium_path()
    if exe is None:
        pytest.fail("Chromium is needed for the browser tests: run `make browser-deps` "
                    "(Debian: apt-get install chromium)")

    def run(work):
        from playwright.sync_api import sync_playwright

        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=exe, args=list(CHROMIUM_ARGS))
            try:
                return work(browser)
            finally:
                browser.close()

    def in_browser(work):
        with ThreadPoolExecutor(max_workers=1) as pool:
            return pool.submit(run, work).result()

    return in_browser


class StartedUnmarked(AssertionError):
    """An unmarked (fast) test started a notebook kernel or a browser."""


@pytest.fixture(autouse=True)
def _no_kernel_or_browser_unless_marked(request, monkeypatch):
    """Fail a test not marked ``slow`` or ``browser`` that starts a notebook kernel or
    Chromium in this process (the fast tests must start neither)."""
    marks = {m.name for m in request.node.iter_markers()}
    if marks & {"slow", "browser"}:
        yield
        return

    def refuse(what: str):
        def refused(*args, **kwargs):
            raise StartedUnmarked(f"{request.node.nodeid} starts {what}: mark it slow "
                                  f"(a kernel) or browser (Chromium)")
        return refused

    from jupyter_client.manager import AsyncKernelManager

    from score_analysis.build import printing

    monkeypatch.setattr(AsyncKernelManager, "_async_launch_kernel", refuse("a notebook kernel"))
    monkeypatch.setattr(printing.Printer, "__enter__", refuse("Chromium"))
    yield
