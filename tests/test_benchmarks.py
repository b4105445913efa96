"""The benchmark's own pieces: figures counted from report pages, the floor notebook,
and the table of targets (the timings themselves are measured by ``make bench``)."""

from __future__ import annotations

import base64
import io
import json

import nbformat
import pytest

from benchmarks import floor, run

CITS = ("analysis CPU seconds per programme enterprise, with 3 comparison enterprises "
        "(plan v3)")


def _png(width: int, height: int) -> str:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig = plt.figure(figsize=(width / 100, height / 100))
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100)
    plt.close(fig)
    return base64.b64encode(buf.getvalue()).decode("ascii")


def _page(*sizes: tuple[int, int]) -> str:
    figures = "".join(f'<figure><img src="data:image/png;base64,{_png(w, h)}" alt="x">'
                      f"</figure>" for w, h in sizes)
    return f"<html><body><h1>Report</h1>{figures}<img src='logo.svg'></body></html>"


def test_page_figures_reads_the_size_of_every_embedded_png():
    assert floor.page_figures(_page((700, 350), (640, 300))) == [(700, 350), (640, 300)]
    assert floor.page_figures("<p>no figure</p>") == []


def test_report_figures_counts_the_mean_number_and_size(tmp_path):
    pages = []
    for i, sizes in enumerate([[(700, 350)] * 8, [(700, 350)] * 8, [(600, 250)] * 7]):
        page = tmp_path / f"r{i}.html"
        page.write_text(_page(*sizes))
        pages.append(page)
    shape = floor.report_figures(pages)
    assert shape["count"] == 8  # 23 figures over 3 pages, rounded
    assert shape["per_page"] == [8, 8, 7]
    assert (shape["width"], shape["height"]) == (670, 320)  # means over the 23 figures
    with pytest.raises(ValueError, match="no report page"):
        floor.report_figures([])


def test_the_floor_notebook_imports_the_modules_and_draws_the_figures(tmp_path):
    modules = ["numpy", "pandas.core.frame", "matplotlib.pyplot"]
    path = floor.floor_notebook(modules, {"count": 7, "width": 770, "height": 352},
                                tmp_path / "floor.ipynb")
    nb = nbformat.read(path, as_version=4)
    assert nb.cells[0].metadata["tags"] == ["parameters"]
    assert f"MODULES = {json.dumps(modules)}" in nb.cells[1].source
    assert f"N, WIDTH, HEIGHT, DPI = 7, 770, 352, {floor.DPI}" in nb.cells[2].source
    assert "read_parquet" not in "".join(c.source for c in nb.cells)  # no data, no analysis
    namespace: dict = {}
    exec(compile(nb.cells[2].source.replace("HTML(''.join(parts))", "html = ''.join(parts)"),
                 "floor", "exec"), namespace)
    drawn = floor.page_figures(namespace["html"])
    assert len(drawn) == 7
    assert all(abs(w - 770) <= 1 and abs(h - 352) <= 1 for w, h in drawn)  # their size


def _figures(**changes) -> dict:
    figures = {
        "cpus": 2, "load_start": 1.0, "load_end": 1.0,
        "floor": {"median_s": 3.0, "cpu_median_s": 2.8, "runs_s": [3.0, 2.9, 3.1],
                  "modules": 600, "figures": {"count": 8, "width": 677, "height": 341}},
        "full": {"wall_s": 20.0, "cpu_s": 18.0, "mean_report_s": 3.6, "reports": 5, "ok": 5,
                 "noise": []},
        "noop": {"wall_s": 0.3, "cpu_s": 0.2,
                 "summary": "Nothing changed since the last run: 5 report(s)"},
        "scaling": {"enterprises": 50, "jobs": 2, "wall_s": 90.0, "cpu_s": 170.0,
                    "reports": 50, "ok": 50, "mean_report_s": 3.4, "noise": []},
        "library": {"enterprises": 503, "programme": 500, "comparison": 3, "workers": 2,
                    "total_s": 140.0, "cpu_s": 125.0, "validate_s": 9.0, "failed": 0,
                    "peak_pss_mb": 900.0, "rss_main_mb": 400.0, "rss_worker_mb": 250.0},
        "library_plain": {"enterprises": 500, "programme": 500, "comparison": 0,
                          "workers": 2, "total_s": 120.0, "cpu_s": 100.0, "validate_s": 8.0,
                          "failed": 0, "peak_pss_mb": 880.0, "rss_main_mb": 390.0,
                          "rss_worker_mb": 240.0},
        "distributed": {"workers": 2, "wall_s": 108.0, "cpu_s": 180.0, "reports": 50, "ok": 50,
                        "mean_report_s": 3.6, "cluster_start_s": 2.0,
                        "built_on": ["tcp://127.0.0.1:1", "tcp://127.0.0.1:2"]},
    }
    for path, value in changes.items():
        part, key = path.split("__")
        figures[part][key] = value
    return figures


def _verdicts(figures: dict) -> dict[str, bool]:
    return {r.measure.strip(): r.ok for r in run.rows(figures) if r.ok is not None}


def test_the_table_compares_each_figure_with_its_target():
    assert _verdicts(_figures()) == {
        "mean per-report time / floor": True,                   # 3.6 / 3.0 = 1.2
        "no-op rerun / full run": True,                         # 0.3 / 20 = 0.015
        "scaling efficiency (n x floor / jobs) / wall": True,   # 75 / 90 = 0.83
        "time per enterprise / floor": True,                    # 0.28 / 3.0 = 0.093
        CITS: True,  # 125 / 500 = 0.25 s
        "peak memory (PSS of all its processes)": True,         # 900 MB
        "Dask wall / local pool wall": True,                    # 108 / 90 = 1.2
    }


@pytest.mark.parametrize(("changes", "missed"), [
    ({"full__mean_report_s": 4.0}, "mean per-report time / floor"),
    ({"full__ok": 4}, "mean per-report time / floor"),  # a failed report is no pass
    ({"noop__wall_s": 1.2}, "no-op rerun / full run"),
    ({"noop__summary": "0 report(s) built, 5 unchanged"}, "no-op rerun / full run"),
    ({"scaling__wall_s": 100.0}, "scaling efficiency (n x floor / jobs) / wall"),
    ({"library__total_s": 160.0}, "time per enterprise / floor"),
    ({"library__peak_pss_mb": 1100.0}, "peak memory (PSS of all its processes)"),
    ({"library__cpu_s": 160.0}, CITS),  # 0.32 s per programme enterprise
    ({"distributed__wall_s": 115.0}, "Dask wall / local pool wall"),  # 1.28 > 1.25
    ({"distributed__ok": 49}, "Dask wall / local pool wall"),  # a failed report is no pass
])
def test_a_figure_beyond_its_target_is_a_miss(changes, missed):
    verdicts = _verdicts(_figures(**changes))
    assert [k for k, ok in verdicts.items() if not ok] == [missed]



def test_the_analysis_is_measured_per_programme_enterprise_against_the_run_without():
    rows = {r.measure.strip(): r for r in run.rows(_figures())}
    plain = rows["without comparison data; ratio with / without"]
    assert plain.value == "0.200 s" and plain.ratio == pytest.approx(1.25)  # 0.25 / 0.2
    assert plain.ok is None  # no target of its own
    figures = _figures()
    figures.pop("library_plain")
    assert not any("without comparison" in r.measure for r in run.rows(figures))


def test_without_a_dask_measurement_the_table_has_no_dask_rows():
    figures = _figures()
    figures.pop("distributed")
    assert not any("Dask" in r.measure for r in run.rows(figures))


def test_the_report_notebooks_start_without_the_statistics_stack():
    # the floor imports whatever the report imports, so the ratio cannot catch this one
    import subprocess
    import sys

    script = ("import sys\nimport score_analysis.report\n"
              "print([m for m in ('scipy', 'statsmodels', 'pandera', 'papermill', 'nbconvert')"
              " if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "[]"
