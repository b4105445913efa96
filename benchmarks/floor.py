"""The floor: what executing and converting a report notebook costs with no analysis.

The floor notebook is derived from a real report run, so that it stays honest
as the report grows:

- its figures: as many as the built enterprise pages embed on average
  (``<img>`` PNGs counted in ``reports/enterprises/*.html``), of their mean
  pixel size, each with the elements of a report chart (points, a line, a
  dashed vertical line, a title; no legend: the report's monthly charts share one
  key in the page), drawn and saved as the report's
  are (a constrained-layout ``Figure`` saved by :func:`score_analysis.report.charts.png_bytes`,
  PNG at the report's resolution);
- its imports: exactly the modules that the enterprise notebook loads into
  its kernel, found by running the real notebook once with a cell before and
  after it that compare ``sys.modules`` (the package's own modules excluded).

It is then executed and converted by the same function as every report,
:func:`score_analysis.build.execute_notebook` (papermill, a fresh kernel,
nbconvert, the page shell): the floor is that cost alone.
"""

from __future__ import annotations

import base64
import json
import re
import resource
import statistics
import time
from pathlib import Path

import nbformat

from score_analysis import build
from score_analysis.report import charts

_IMG = re.compile(r'<img[^>]*\bsrc="data:image/png;base64,([A-Za-z0-9+/=]+)"')
_PNG = b"\x89PNG\r\n\x1a\n"
DPI = charts.FIGURE_DPI  # the resolution of the report's PNG figures


def page_figures(html: str) -> list[tuple[int, int]]:
    """Pixel width and height of every PNG embedded in a page."""
    sizes = []
    for encoded in _IMG.findall(html):
        data = base64.b64decode(encoded)
        if data[:8] == _PNG:
            sizes.append((int.from_bytes(data[16:20], "big"),
                          int.from_bytes(data[20:24], "big")))
    return sizes


def report_figures(pages: list[Path]) -> dict:
    """How many figures the built report pages embed (mean, rounded) and their mean size."""
    if not pages:
        raise ValueError("no report page to count the figures of")
    per_page = [page_figures(p.read_text(encoding="utf-8")) for p in pages]
    sizes = [s for page in per_page for s in page]
    count = round(len(sizes) / len(pages))
    if not sizes:
        return {"count": 0, "width": 0, "height": 0, "per_page": [0] * len(pages)}
    return {"count": count, "width": round(statistics.fmean(w for w, _ in sizes)),
            "height": round(statistics.fmean(h for _, h in sizes)),
            "per_page": [len(page) for page in per_page]}


def _code(source: str, tags: tuple[str, ...] = ()) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_code_cell(source)
    if tags:
        cell.metadata["tags"] = list(tags)
    return cell


def report_modules(notebook: Path, parameters: dict, workdir: Path) -> list[str]:
    """The modules that running ``notebook`` loads into a fresh kernel, beyond those
    the kernel starts with (the score_analysis package's own modules left out)."""
    nb = nbformat.read(notebook, as_version=4)
    nb.cells.insert(0, _code("import sys as _bench_sys\n"
                             "_bench_before = set(_bench_sys.modules)"))
    nb.cells.append(_code("import json as _bench_json\n"
                          "print(_bench_json.dumps(sorted(set(_bench_sys.modules)"
                          " - _bench_before)))"))
    probe = workdir / "probe.ipynb"
    nbformat.write(nb, probe)
    outcome = build.execute_notebook(_job("probe", probe, workdir, parameters))
    if outcome.status != "ok":
        raise RuntimeError(f"the probe of the report's imports failed: {outcome.error}")
    executed = nbformat.read(outcome.notebook, as_version=4)
    text = "".join(o.get("text", "") for o in executed.cells[-1].outputs)
    loaded = json.loads(text.strip().splitlines()[-1])
    return [m for m in loaded if not m.startswith(("score_analysis", "_bench"))]


def floor_notebook(modules: list[str], figures: dict, path: Path) -> Path:
    """Write the floor notebook: the report's parameters, its imports, its number of
    figures of its size; no data read, no analysis."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": build.KERNEL_NAME, "language": "python",
                                 "display_name": "Python 3 (score-analysis)"}
    nb.cells = [
        _code('enterprise_id = "floor"\nprocessed_dir = "."',
              tags=("parameters",)),
        _code("import importlib\n"
              f"MODULES = {json.dumps(modules)}\n"
              "for _name in MODULES:\n"
              "    try:\n"
              "        importlib.import_module(_name)\n"
              "    except Exception:  # a module that only loads as part of another\n"
              "        pass\n"),
        _code("import base64\n"
              "import io\n\n"
              "import numpy as np\n"
              "from IPython.display import HTML\n"
              "from matplotlib.figure import Figure\n\n"
              "from score_analysis.report.charts import png_bytes  # the reports' own save\n\n"
              f"N, WIDTH, HEIGHT, DPI = {figures['count']}, {figures['width']}, "
              f"{figures['height']}, {DPI}\n"
              "parts = []\n"
              "x = np.arange(25)\n"
              "for i in range(N):\n"
              "    fig = Figure(figsize=(WIDTH / DPI, HEIGHT / DPI), layout='constrained')\n"
              "    ax = fig.subplots()\n"
              "    ax.plot(x, 10 + np.sin(x + i), 'o', ms=4, label='Observed')\n"
              "    ax.plot(x, 10 + 0.1 * x, '-', label='Fitted trend')\n"
              "    ax.axvline(15, ls='--', label='Programme start')\n"
              "    ax.set_ylabel('units')\n"
              "    ax.set_title(f'Figure {i + 1}', loc='left', fontsize=11)\n"
              "    data = base64.b64encode(png_bytes(fig, DPI)).decode('ascii')\n"
              "    parts.append(f'<figure><img src=\"data:image/png;base64,{data}\" "
              "alt=\"figure\"></figure>')\n"
              "HTML(''.join(parts))\n"),
    ]
    nbformat.write(nb, path)
    return path


def _job(key: str, notebook: Path, workdir: Path, parameters: dict) -> build.NotebookJob:
    return build.NotebookJob(
        key=key, kind="enterprise", title=f"Benchmark {key}", notebook=str(notebook),
        executed=str(workdir / "notebooks" / f"{key}.ipynb"),
        html=str(workdir / "pages" / f"{key}.html"), parameters=parameters,
        cwd=str(workdir), cell_timeout=600, log=str(workdir / "logs" / f"{key}.log"))


def _cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def measure(notebook: Path, workdir: Path, *, parameters: dict, repeat: int = 3) -> dict:
    """Execute and convert ``notebook`` with ``parameters`` ``repeat`` times (after one
    untimed run that loads the notebook machinery, as the pipeline's workers do
    before their first report): wall and CPU seconds of each run, and medians."""
    build.warm_up()
    first = build.execute_notebook(_job("floor-0", notebook, workdir, parameters))
    if first.status != "ok":
        raise RuntimeError(f"the floor notebook failed: {first.error}")
    walls, cpus = [], []
    for i in range(1, repeat + 1):
        cpu, start = _cpu(), time.perf_counter()
        outcome = build.execute_notebook(_job(f"floor-{i}", notebook, workdir, parameters))
        walls.append(time.perf_counter() - start)
        cpus.append(_cpu() - cpu)
        if outcome.status != "ok":
            raise RuntimeError(f"the floor notebook failed: {outcome.error}")
    return {"runs_s": walls, "cpu_s": cpus, "median_s": statistics.median(walls),
            "cpu_median_s": statistics.median(cpus)}
