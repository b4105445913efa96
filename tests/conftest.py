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
    from score_analysis import pipeline

    root = tmp_path_factory.mktemp("small_run")
    raw = root / "raw"
    shutil.copytree(SMALL, raw)
    options = pipeline.Options(data_dir=raw, reports_dir=root / "reports",
                               processed_dir=root / "processed", jobs=2, progress=False)
    summary = pipeline.run(options, echo=lambda _: None)
    return {"root": root, "options": options, "summary": summary}


@pytest.fixture(scope="session")
def built_reports(tmp_path_factory) -> Path:
    """The reports of tests/data/reports (pages and PDFs), built once per session by the
    real pipeline; read-only for the tests (copy it to change it)."""
    import json

    from score_analysis import pipeline

    root = tmp_path_factory.mktemp("built_reports")
    raw = root / "raw"
    shutil.copytree(DATA / "reports", raw)
    options = pipeline.Options(data_dir=raw, reports_dir=root / "reports",
                               processed_dir=root / "processed", jobs=2, progress=False)
    summary = pipeline.run(options, echo=lambda _: None)
    manifest = json.loads((root / "reports" / "manifest.json").read_text(encoding="utf-8"))
    errors = {k: r.get("error") for k, r in manifest["reports"].items() if r["status"] != "ok"}
    assert summary.failed == 0, errors or manifest.get("synthesis")
    return root / "reports"
