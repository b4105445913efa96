"""``make bench``: the cost of the reports against the floor of the notebook approach.

Measures, in one run on this machine, each in a scratch directory:

1. a full run on the shipped data (``score-analysis run --jobs 1``: one report
   at a time, so that each report's time is comparable with the floor);
2. a no-op rerun of the same command;
3. the floor (:mod:`benchmarks.floor`), derived from the pages of run 1;
4. a run on 50 simulated enterprises with ``--jobs 2``;
5. the run of 4 again on a Dask scheduler and two ``dask worker --nthreads 1``
   processes on 127.0.0.1 (:mod:`benchmarks.cluster`; ``--scheduler``), against
   the wall time of 4 on the same cores (target of issue #13: at most 1.25 times);
6. the library alone on 500 simulated programme enterprises with 3 comparison enterprises
   (every programme enterprise's controlled fits), then on the same programme enterprises
   without comparison enterprises (:mod:`benchmarks.library`): the analysis's CPU seconds
   per programme enterprise with the comparison fits (target of analysis plan version 3:
   at most 0.3 s) and their ratio to those without;

and prints the figures, their ratios and the targets of issue #6.  The
commands run as a user runs them (subprocesses of the installed
``score-analysis``), so every wall time includes starting Python.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from score_analysis import build

from . import floor, pdf_cost

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ROOT / "data" / "raw"
KERNEL_NOISE = ("Kernel is running over TCP", "KeyboardInterrupt caught in kernel")

#: The targets of issue #6.
PER_REPORT_MAX = 1.3      # mean per-report time / floor
NOOP_MAX = 0.05           # no-op rerun / full run
EFFICIENCY_MIN = 0.8      # (n x floor / jobs) / wall time
LIBRARY_MAX = 0.1         # library time per enterprise / floor
MEMORY_MAX_MB = 1024.0    # peak memory of the library run
LANGUAGES_MAX = 1.5       # both languages / English alone (full run on the shipped data)
#: The target of issue #13: the Dask run within this multiple of the local pool's wall time.
DISTRIBUTED_MAX = 1.25
#: The target of analysis plan version 3 (the controlled interrupted time series): CPU
#: seconds per programme enterprise of the analysis, its comparison fits included.
CPU_PER_ENTERPRISE_MAX = 0.3
#: Simulated comparison enterprises of the library run (as in the shipped data).
LIBRARY_COMPARISON = 3


@dataclass
class Row:
    """One line of the table: a measure, its value, its ratio and its target."""

    measure: str
    value: str
    ratio: float | None = None
    target: str = ""
    ok: bool | None = None

    def cells(self) -> list[str]:
        ratio = "" if self.ratio is None else f"{self.ratio:.3f}"
        verdict = "" if self.ok is None else ("PASS" if self.ok else "MISS")
        return [self.measure, self.value, ratio, self.target, verdict]


def _cli() -> list[str]:
    script = Path(sys.executable).with_name("score-analysis")
    return [str(script)] if script.exists() else [sys.executable, "-m", "score_analysis.cli"]


def _children_cpu() -> float:
    use = resource.getrusage(resource.RUSAGE_CHILDREN)
    return use.ru_utime + use.ru_stime


def _timed(args: list[str], **kwargs) -> tuple[float, float, subprocess.CompletedProcess]:
    """Run a command; its wall seconds, the CPU seconds of it and everything it started
    (workers and kernels are waited for, so their time is counted), and the result."""
    start, cpu = time.perf_counter(), _children_cpu()
    done = subprocess.run(args, capture_output=True, text=True, **kwargs)
    return time.perf_counter() - start, _children_cpu() - cpu, done


def run_cli(*args: str) -> tuple[float, float, str, str]:
    """Run ``score-analysis ARGS``; wall and CPU seconds, stdout, stderr (fails loudly)."""
    seconds, cpu, done = _timed([*_cli(), *args])
    if done.returncode != 0:
        raise SystemExit(f"score-analysis {' '.join(args)} exited with {done.returncode}:\n"
                         f"{done.stdout}{done.stderr}")
    return seconds, cpu, done.stdout, done.stderr


def pipeline_run(raw: Path, out: Path, jobs: int, *extra: str) -> dict:
    """A full ``score-analysis run`` of ``raw`` into ``out``; timings and the manifest."""
    seconds, cpu, stdout, stderr = run_cli(
        "run", "--data-dir", str(raw), "--reports-dir", str(out / "reports"),
        "--processed-dir", str(out / "processed"), "--jobs", str(jobs), "--quiet", *extra)
    manifest = json.loads((out / "reports" / "manifest.json").read_text())
    durations = [r["duration_s"] for r in manifest["reports"].values() if r["status"] == "ok"]
    appendices = [a["duration_s"] for a in manifest.get("appendices", {}).values()
                  if a.get("status") == "ok" and a.get("duration_s") is not None]
    return {"appendices": len(appendices),
            "mean_appendix_s": (sum(appendices) / len(appendices) if appendices
                                else float("nan")),
            "wall_s": seconds, "cpu_s": cpu, "summary": stdout.strip().splitlines()[0],
            "noise": [n for n in KERNEL_NOISE if n in stderr],
            "reports": len(manifest["reports"]), "ok": len(durations),
            "mean_report_s": sum(durations) / len(durations) if durations else float("nan"),
            "synthesis_s": (manifest.get("synthesis") or {}).get("duration_s"),
            "manifest": manifest}


def measure_all(work: Path, *, scaling: int, library: int, jobs: int, repeat: int) -> dict:
    """Every figure of the benchmark, measured in ``work``."""
    figures: dict = {"cpus": os.cpu_count(), "load_start": os.getloadavg()[0]}
    shipped = work / "shipped"
    shutil.copytree(SHIPPED, shipped / "raw")
    say(f"1/6 full run on the shipped data ({SHIPPED.relative_to(ROOT)}, --jobs 1) ...")
    full = figures["full"] = pipeline_run(shipped / "raw", shipped, 1)
    figures["pdf"] = pdf_cost.measure(shipped / "reports", full["wall_s"])
    say("1/6 ... and the same in English alone (--language en) ...")
    english = work / "english"
    shutil.copytree(SHIPPED, english / "raw")
    figures["english"] = pipeline_run(english / "raw", english, 1, "--language", "en",
                                       "--no-pdf")
    figures["english"].pop("manifest")
    say("2/6 no-op rerun ...")
    seconds, cpu, stdout, _ = run_cli(
        "run", "--data-dir", str(shipped / "raw"), "--reports-dir", str(shipped / "reports"),
        "--processed-dir", str(shipped / "processed"), "--jobs", "1", "--quiet")
    figures["noop"] = {"wall_s": seconds, "cpu_s": cpu,
                       "summary": stdout.strip().splitlines()[0]}

    say("3/6 floor: probing the report's imports and figures, then timing the floor ...")
    pages = sorted((shipped / "reports" / "enterprises").glob("*.html"))
    first = next(iter(full["manifest"]["reports"]))
    params = build.notebook_parameters(first, shipped / "processed")
    probe = work / "floor"
    probe.mkdir()
    modules = floor.report_modules(build.packaged_notebooks() / build.ENTERPRISE_NOTEBOOK,
                                   params, probe)
    shape = floor.report_figures(pages)
    notebook = floor.floor_notebook(modules, shape, probe / "floor.ipynb")
    figures["floor"] = {**floor.measure(notebook, probe, parameters=params, repeat=repeat),
                        "modules": len(modules), "figures": shape}

    figures.update(measure_scaling(work, scaling=scaling, jobs=jobs))

    figures.update(measure_library(work, library=library, jobs=jobs))
    figures["load_end"] = os.getloadavg()[0]
    full.pop("manifest")
    return figures


def measure_library(work: Path, *, library: int, jobs: int) -> dict:
    """Step 6: the library alone on ``library`` simulated programme enterprises with
    :data:`LIBRARY_COMPARISON` comparison enterprises (every programme enterprise's
    controlled fits), then on the same programme enterprises without comparison
    enterprises (the demonstration generator draws them the same either way)."""
    out = {}
    for name, comparison in (("library", LIBRARY_COMPARISON), ("library_plain", 0)):
        say(f"6/6 the library alone on {library} simulated enterprises and {comparison} "
            f"comparison enterprises, --jobs {jobs} ...")
        lib = work / f"e{library}-c{comparison}"
        run_cli("demo-data", str(lib / "raw"), "--enterprises", str(library),
                "--comparison", str(comparison))
        seconds, _, done = _timed([sys.executable, "-m", "benchmarks.library",
                                   str(lib / "raw"), "--jobs", str(jobs)], cwd=ROOT)
        if done.returncode != 0:
            raise SystemExit(f"the library run failed:\n{done.stdout}{done.stderr}")
        out[name] = {**json.loads(done.stdout), "process_wall_s": seconds}
    return out


def measure_scaling(work: Path, *, scaling: int, jobs: int) -> dict:
    """Steps 4 and 5: ``scaling`` simulated enterprises on the local pool of ``jobs``
    processes, then on a Dask scheduler with ``jobs`` one-thread workers on 127.0.0.1."""
    from .cluster import local_cluster

    say(f"4/6 {scaling} simulated enterprises, --jobs {jobs} ...")
    many = work / f"e{scaling}"
    run_cli("demo-data", str(many / "raw"), "--enterprises", str(scaling))
    figures = {"scaling": {**pipeline_run(many / "raw", many, jobs, "--no-pdf"),
                           "enterprises": scaling,
                           "jobs": jobs}}
    figures["scaling"].pop("manifest")
    say(f"5/6 the same on a Dask scheduler and {jobs} workers (--nthreads 1) on 127.0.0.1 ...")
    started = time.perf_counter()
    with local_cluster(jobs, nthreads=1) as cluster:
        start_s = time.perf_counter() - started
        dist = pipeline_run(many / "raw", work / f"e{scaling}-dask", jobs, "--no-pdf",
                            "--scheduler", cluster.address)
    where = {r.get("built_on") for r in dist.pop("manifest")["reports"].values()}
    figures["distributed"] = {**dist, "workers": jobs, "cluster_start_s": start_s,
                              "built_on": sorted(w for w in where if w)}
    return figures


def rows(f: dict) -> list[Row]:
    """The table: figures, ratios to the floor or the full run, targets.

    The targets are judged on wall times, as the issue states them.  The CPU
    lines beside them (no target) say how much of the machine each run got
    ("cores": CPU seconds per wall second) and what the work itself costs,
    which other work on a shared machine does not change.
    """
    fl, fl_cpu = f["floor"]["median_s"], f["floor"]["cpu_median_s"]
    full, noop, sc, lib = f["full"], f["noop"], f["scaling"], f["library"]
    per_report = full["mean_report_s"] / fl
    noop_ratio = noop["wall_s"] / full["wall_s"]
    ideal = sc["enterprises"] * fl / sc["jobs"]
    efficiency = ideal / sc["wall_s"]
    per_ent = lib["total_s"] / lib["enterprises"]
    memory = lib["peak_pss_mb"]
    shape, runs = f["floor"]["figures"], f["floor"]["runs_s"]
    return [
        Row(f"floor: execute + convert (median of {len(runs)})",
            f"{fl:.2f} s (CPU {fl_cpu:.2f} s; runs " + ", ".join(f"{x:.2f}" for x in runs)
            + ")"),
        Row("  imports / figures of the floor",
            f"{f['floor']['modules']} modules, {shape['count']} figures of "
            f"{shape['width']}x{shape['height']} px"),
        Row(f"full run, {full['reports']} reports (--jobs 1)",
            f"{full['wall_s']:.2f} s wall, CPU {full['cpu_s']:.1f} s"),
        Row("  mean per-report time / floor", f"{full['mean_report_s']:.2f} s", per_report,
            f"<= {PER_REPORT_MAX}", per_report <= PER_REPORT_MAX and full["ok"] == full["reports"]),
        Row(f"  appendix pages ({full.get('appendices', 0)}): mean time per page / floor",
            f"{full.get('mean_appendix_s', float('nan')):.2f} s",
            full.get("mean_appendix_s", float("nan")) / fl),
        *pdf_cost.rows(f, Row),
        *language_rows(f),
        Row("no-op rerun / full run", f"{noop['wall_s']:.2f} s", noop_ratio,
            f"<= {NOOP_MAX}", noop_ratio <= NOOP_MAX and noop["summary"].startswith("Nothing")),
        Row(f"{sc['enterprises']} enterprises, --jobs {sc['jobs']}",
            f"{sc['wall_s']:.1f} s wall ({sc['ok']}/{sc['reports']} ok, mean report "
            f"{sc['mean_report_s']:.2f} s)"),
        Row("  scaling efficiency (n x floor / jobs) / wall", f"ideal {ideal:.1f} s",
            efficiency, f">= {EFFICIENCY_MIN}", efficiency >= EFFICIENCY_MIN),
        Row("  CPU: (n x floor CPU) / run CPU; cores obtained",
            f"CPU {sc['cpu_s']:.0f} s, {sc['cpu_s'] / sc['wall_s']:.2f} cores",
            sc["enterprises"] * fl_cpu / sc["cpu_s"]),
        *distributed_rows(f),
        Row(f"library alone, {lib['enterprises']} enterprises ({lib['workers']} processes)",
            f"{lib['total_s']:.1f} s (validation {lib['validate_s']:.1f} s), "
            f"{lib['failed']} failed"),
        Row("  time per enterprise / floor", f"{per_ent * 1000:.0f} ms", per_ent / fl,
            f"<= {LIBRARY_MAX}", per_ent / fl <= LIBRARY_MAX),
        *analysis_rows(f),
        Row("  CPU per enterprise / floor CPU; cores obtained",
            f"{lib['cpu_s'] / lib['enterprises'] * 1000:.0f} ms, "
            f"{lib['cpu_s'] / lib['total_s']:.2f} cores",
            lib["cpu_s"] / lib["enterprises"] / fl_cpu),
        Row("  peak memory (PSS of all its processes)",
            f"{memory:.0f} MB (ru_maxrss: main {lib['rss_main_mb']:.0f}, worker "
            f"{lib['rss_worker_mb']:.0f})", None, f"<= {MEMORY_MAX_MB:.0f} MB",
            memory <= MEMORY_MAX_MB),
    ]


def _per_programme(lib: dict) -> float:
    """Analysis CPU seconds per programme enterprise of a library run."""
    return lib["cpu_s"] / lib.get("programme", lib["enterprises"])


def analysis_rows(f: dict) -> list[Row]:
    """The analysis's CPU seconds per programme enterprise with the comparison fits
    (target of plan v3), and, when measured, without comparison data and the ratio."""
    lib = f["library"]
    cpu = _per_programme(lib)
    out = [Row(f"  analysis CPU seconds per programme enterprise, with "
               f"{lib.get('comparison', 0)} comparison enterprises (plan v3)",
               f"{cpu:.3f} s", None, f"<= {CPU_PER_ENTERPRISE_MAX} s",
               cpu <= CPU_PER_ENTERPRISE_MAX)]
    if "library_plain" in f:
        plain = _per_programme(f["library_plain"])
        out.append(Row("  without comparison data; ratio with / without",
                       f"{plain:.3f} s", cpu / plain))
    return out


def language_rows(f: dict) -> list[Row]:
    """Both languages (the default) against English alone, on the shipped data."""
    if "english" not in f:
        return []
    # the HTML of both languages (the PDFs of the full run are measured apart)
    both = f["full"]["wall_s"] - (f.get("pdf") or {}).get("pdf_s", 0.0)
    english = f["english"]["wall_s"]
    return [Row("  both languages / English alone", f"{english:.2f} s in English alone",
                both / english, f"<= {LANGUAGES_MAX}", both / english <= LANGUAGES_MAX)]


def distributed_rows(f: dict) -> list[Row]:
    """The Dask run against the local pool (no rows when it was not measured)."""
    if "distributed" not in f:
        return []
    sc, d = f["scaling"], f["distributed"]
    ratio = d["wall_s"] / sc["wall_s"]
    return [
        Row(f"{sc['enterprises']} enterprises on Dask, {d['workers']} workers x 1 thread",
            f"{d['wall_s']:.1f} s wall ({d['ok']}/{d['reports']} ok, mean report "
            f"{d['mean_report_s']:.2f} s; cluster start {d['cluster_start_s']:.1f} s, "
            f"built on {len(d['built_on'])} workers)"),
        Row("  Dask wall / local pool wall", f"{d['wall_s']:.1f} / {sc['wall_s']:.1f} s", ratio,
            f"<= {DISTRIBUTED_MAX}", ratio <= DISTRIBUTED_MAX and d["ok"] == d["reports"]),
    ]


def table(lines: list[Row]) -> str:
    head = ["measure", "value", "ratio", "target", "result"]
    cells = [head] + [r.cells() for r in lines]
    widths = [max(len(c[i]) for c in cells) for i in range(len(head))]
    out = []
    for i, c in enumerate(cells):
        out.append("  ".join(x.ljust(w) for x, w in zip(c, widths, strict=True)).rstrip())
        if i == 0:
            out.append("  ".join("-" * w for w in widths))
    return "\n".join(out)


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run",
                                     description="Measure score-analysis against the "
                                                 "notebook floor (issue #6).")
    parser.add_argument("--scaling", type=int, default=50, metavar="N",
                        help="simulated enterprises of the parallel run (default: 50)")
    parser.add_argument("--library", type=int, default=500, metavar="N",
                        help="simulated enterprises of the library run (default: 500)")
    parser.add_argument("--jobs", type=int, default=2,
                        help="processes of the parallel and library runs (default: 2)")
    parser.add_argument("--repeat", type=int, default=3,
                        help="timed executions of the floor notebook (default: 3)")
    parser.add_argument("--json", type=Path, metavar="PATH",
                        help="also write every figure as JSON to PATH")
    parser.add_argument("--keep", type=Path, metavar="DIR",
                        help="work in DIR and keep it (default: a temporary directory)")
    parser.add_argument("--distributed-only", action="store_true",
                        help="measure only the local pool against Dask (steps 4 and 5)")
    parser.add_argument("--analysis-only", action="store_true",
                        help="measure only the analysis with and without comparison "
                             "enterprises (step 6)")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    if args.analysis_only:
        with tempfile.TemporaryDirectory(prefix="score-bench-") as work:
            figures = measure_library(Path(work), library=args.library, jobs=args.jobs)
        lib = figures["library"]
        print(f"\nscore-analysis benchmark, the analysis alone: {os.cpu_count()} CPUs, "
              f"load average {os.getloadavg()[0]:.1f}, "
              f"{time.perf_counter() - started:.0f} s in all.\n")
        print(table([Row(f"library alone, {lib.get('programme', lib['enterprises'])} "
                         f"programme enterprises ({lib['workers']} processes)",
                         f"{lib['total_s']:.1f} s (validation {lib['validate_s']:.1f} s), "
                         f"{lib['failed']} failed"), *analysis_rows(figures)]))
        if args.json:
            args.json.write_text(json.dumps(figures, indent=2, sort_keys=True) + "\n")
        return 0
    if args.distributed_only:
        with tempfile.TemporaryDirectory(prefix="score-bench-") as work:
            figures = measure_scaling(Path(work), scaling=args.scaling, jobs=args.jobs)
        lines = distributed_rows(figures)
        print(f"\nscore-analysis benchmark, local pool against Dask: {os.cpu_count()} CPUs, "
              f"load average {os.getloadavg()[0]:.1f}, "
              f"{time.perf_counter() - started:.0f} s in all.\n")
        print(table([Row(f"{args.scaling} enterprises, --jobs {args.jobs}",
                         f"{figures['scaling']['wall_s']:.1f} s wall"), *lines]))
        if args.json:
            args.json.write_text(json.dumps(figures, indent=2, sort_keys=True) + "\n")
        return 0
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=False)
        figures = measure_all(args.keep, scaling=args.scaling, library=args.library,
                              jobs=args.jobs, repeat=args.repeat)
    else:
        with tempfile.TemporaryDirectory(prefix="score-bench-") as work:
            figures = measure_all(Path(work), scaling=args.scaling, library=args.library,
                                  jobs=args.jobs, repeat=args.repeat)
    lines = rows(figures)
    noise = sorted({n for part in ("full", "scaling") for n in figures[part]["noise"]})
    print(f"\nscore-analysis benchmark: {figures['cpus']} CPUs, load average "
          f"{figures['load_start']:.1f} at the start and {figures['load_end']:.1f} at the end, "
          f"{time.perf_counter() - started:.0f} s in all.")
    print("Every figure comes from this one run on this machine; other work on the machine "
          "makes them noisy.\n")
    print(table(lines))
    missed = [r.measure.strip() for r in lines if r.ok is False]
    print(f"\n{len([r for r in lines if r.ok is not None]) - len(missed)} target(s) met"
          + (f"; missed: {'; '.join(missed)}." if missed else "."))
    print("Kernel output on the terminal: " + (", ".join(noise) if noise else "none") + ".")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2, sort_keys=True) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
