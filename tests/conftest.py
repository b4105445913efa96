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
