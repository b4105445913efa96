"""Installable: the wheel built from this tree, installed in a fresh virtual environment,
runs ``score-analysis run`` in a folder that holds only ``data/raw`` (a copy of the shipped
data): the notebooks and templates come from the installed package, the default folders
from the working directory, the kernel is the installed ``score-analysis`` one.

The fresh environment gets the third-party libraries from this one (a ``.pth`` line naming
its site-packages, and nbconvert's templates, so nothing is downloaded) and score-analysis
only from the wheel.
"""

from __future__ import annotations

import json
import shutil
import site
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
#: What a source tree holds besides the project (environments, outputs, caches).
NOT_SOURCE = (".venv", ".git", "reports", "processed", "__pycache__", ".pytest_cache",
              ".ruff_cache", ".hypothesis", "*.egg-info", "node_modules", "*.mo")
#: Folders of packaging output, at the top of the tree only (score_analysis/build is code).
NOT_SOURCE_AT_TOP = ("build", "dist")


def _not_source(folder: str, names: list[str]) -> set[str]:
    ignored = set(shutil.ignore_patterns(*NOT_SOURCE)(folder, names))
    if Path(folder) == ROOT:
        ignored |= set(NOT_SOURCE_AT_TOP) & set(names)
    return ignored


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """A fresh virtual environment with the wheel of this tree installed; its folder."""
    work = tmp_path_factory.mktemp("wheel")
    source = work / "source"
    shutil.copytree(ROOT, source, ignore=_not_source)
    dist = work / "dist"
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet",
                            "--wheel-dir", str(dist), str(source)],
                           capture_output=True, text=True, timeout=900)
    assert built.returncode == 0, built.stderr[-3000:]
    (wheel,) = dist.glob("score_analysis-*.whl")
    venv = work / "venv"
    base = Path(sys.base_prefix) / "bin" / "python3"
    subprocess.run([str(base), "-m", "venv", "--without-pip", str(venv)], check=True,
                   timeout=300)
    (purelib,) = (venv / "lib").glob("python3*/site-packages")
    (purelib / "libraries.pth").write_text(
        "\n".join(p for p in site.getsitepackages() if Path(p).is_dir()) + "\n")
    # the libraries' data files (nbconvert's templates), as their installation puts them
    (venv / "share" / "jupyter").mkdir(parents=True)
    (venv / "share" / "jupyter" / "nbconvert").symlink_to(
        Path(sys.prefix) / "share" / "jupyter" / "nbconvert")
    done = subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "--no-deps",
                           "--no-index", "--quiet", str(wheel)],
                          capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    return venv


def test_the_wheel_holds_the_notebooks_templates_catalogs_and_the_kernel(installed):
    script = ("import json, score_analysis\n"
              "from importlib import resources\n"
              "from score_analysis import build\n"
              "print(json.dumps({'package': score_analysis.__file__,"
              " 'notebooks': sorted(p.name for p in build.packaged_notebooks()"
              ".glob('*.ipynb')),"
              " 'base': resources.files('score_analysis.report').joinpath('templates/base.html')"
              ".is_file(),"
              " 'catalog': resources.files('score_analysis').joinpath("
              "'locale/id/LC_MESSAGES/messages.po').is_file()}))\n")
    out = subprocess.run([str(installed / "bin" / "python"), "-c", script], cwd=installed,
                         capture_output=True, text=True, check=True).stdout
    found = json.loads(out)
    assert Path(found["package"]).is_relative_to(installed)  # the wheel's, not this tree's
    assert found["notebooks"] == ["enterprise_appendix.ipynb", "enterprise_report.ipynb",
                                  "synthesis.ipynb", "synthesis_appendix.ipynb"]
    assert found["base"] and found["catalog"]
    spec = installed / "share" / "jupyter" / "kernels" / "score-analysis" / "kernel.json"
    assert json.loads(spec.read_text())["argv"][0] == "python"  # the environment's own


def test_score_analysis_run_in_a_folder_with_data_raw(installed, tmp_path):
    project = tmp_path / "project"
    shutil.copytree(ROOT / "data" / "raw", project / "data" / "raw",
                    ignore=shutil.ignore_patterns(".gitkeep"))
    # every enterprise analysed, one enterprise's pages and the synthesis built (the
    # notebooks, templates and kernel of the installed package; no PDFs, no appendices)
    done = subprocess.run([str(installed / "bin" / "score-analysis"), "run", "--quiet",
                           "--no-pdf", "--no-appendix", "--jobs", "2", "--enterprise",
                           "tjokro_bersaudara"], cwd=project,
                          capture_output=True, text=True, timeout=1800)
    assert done.returncode == 0, (done.stdout + done.stderr)[-4000:]
    assert "Traceback" not in done.stderr
    reports = project / "reports"
    manifest = json.loads((reports / "manifest.json").read_text())
    assert list(manifest["reports"]) == ["tjokro_bersaudara"]
    assert manifest["reports"]["tjokro_bersaudara"]["status"] == "ok"
    assert (reports / "enterprises" / "tjokro_bersaudara.html").is_file()
    assert manifest["synthesis"]["status"] == "ok"
    assert manifest["tool"]["git_commit"] is None  # an installed package, not a checkout
    for rel in ("index.html", "synthesis.html", "id/index.html", "results.csv"):
        assert (reports / rel).is_file(), rel
    assert (project / "data" / "processed" / "results.parquet").is_file()
    executed = json.loads((reports / manifest["synthesis"]["notebook"]).read_text())
    assert executed["metadata"]["kernelspec"]["name"] == "score-analysis"
    log = (reports / manifest["synthesis"]["log"]).read_text()
    assert "--- ok" in log
