"""Shared fixtures."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"
SMALL = DATA / "small"


@pytest.fixture(scope="session")
def small_run(tmp_path_factory):
    """The whole pipeline run once on the two-enterprise fixture in tests/data/small."""
    from score_analysis import build

    root = tmp_path_factory.mktemp("small_run")
    raw = root / "raw"
    shutil.copytree(SMALL, raw)
    options = build.Options(data_dir=raw, reports_dir=root / "reports",
                               processed_dir=root / "processed", jobs=2, progress=False)
    summary = build.run(options, echo=lambda _: None)
    return {"root": root, "options": options, "summary": summary}


@pytest.fixture(scope="session")
def built_reports(tmp_path_factory) -> Path:
    """The reports of tests/data/reports (pages, appendix pages and PDFs), built once per
    session by the real pipeline; read-only for the tests (copy it to change it)."""
    import json

    from score_analysis import build

    root = tmp_path_factory.mktemp("built_reports")
    raw = root / "raw"
    shutil.copytree(DATA / "reports", raw)
    options = build.Options(data_dir=raw, reports_dir=root / "reports",
                               processed_dir=root / "processed", jobs=2, progress=False,
                               appendices=True)  # every page, as the command line builds
    summary = build.run(options, echo=lambda _: None)
    manifest = json.loads((root / "reports" / "manifest.json").read_text(encoding="utf-8"))
    errors = {k: r.get("error") for k, r in manifest["reports"].items() if r["status"] != "ok"}
    assert summary.failed == 0, errors or manifest.get("synthesis")
    return root / "reports"


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
