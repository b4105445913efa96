"""The papermill commands of README.md and docs/appendix.md run as written, one per
notebook, from the project's folder and from ``notebooks/`` alike, on a project laid out as
``score-analysis run`` leaves it (``data/raw``, ``data/processed``, ``notebooks/``)."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import SMALL

from score_analysis import build

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ("enterprise_report", "synthesis", "enterprise_appendix", "synthesis_appendix")


def documented_commands() -> dict[str, list[str]]:
    """The first papermill command of the documentation for each notebook, as words, with
    the notebook given as its file name (the folder it runs from is the test's choice)."""
    found: dict[str, list[str]] = {}
    for doc in (ROOT / "README.md", ROOT / "docs" / "appendix.md"):
        for block in re.findall(r"```(?:bash|sh)\n(.*?)```", doc.read_text(encoding="utf-8"),
                                re.S):
            for line in block.replace("\\\n", " ").splitlines():
                if not line.startswith("papermill "):
                    continue
                words = shlex.split(line)
                name = Path(words[1]).stem
                found.setdefault(name, words)
    return found


def test_the_documentation_shows_a_command_for_every_notebook():
    assert sorted(documented_commands()) == sorted(NOTEBOOKS)


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    """A project folder as the pipeline leaves it: the raw data, the processed tables of its
    analysis, and the notebooks."""
    root = tmp_path_factory.mktemp("project")
    shutil.copytree(SMALL, root / "data" / "raw")
    shutil.copytree(build.packaged_notebooks(), root / "notebooks",
                    ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    options = build.Options(data_dir=root / "data" / "raw",
                            processed_dir=root / "data" / "processed",
                            reports_dir=root / "reports").resolved()
    validated = build.validate_inputs(options.data_dir)
    analysis = build.analyse(validated.tables)
    options.processed_dir.mkdir(parents=True)
    build.write_processed(options.processed_dir, validated, analysis, options, code="test",
                          run_date="2026-01-01T00:00:00+00:00")
    return root


@pytest.mark.parametrize("folder", ["project", "notebooks"])
@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_a_documented_command_runs_from_both_folders(project, tmp_path, notebook, folder):
    words = documented_commands()[notebook]
    cwd = project if folder == "project" else project / "notebooks"
    path = f"{notebook}.ipynb" if folder == "notebooks" else f"notebooks/{notebook}.ipynb"
    out = tmp_path / "out.ipynb"
    command = [sys.executable, "-m", "papermill", path, str(out), "--no-progress-bar",
               *words[3:]]
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, (words, done.stderr[-3000:])
    assert "unknown parameter" not in done.stderr.lower()  # papermill's own warning
    assert out.is_file()
