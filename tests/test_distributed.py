"""End to end on a real Dask cluster: ``dask scheduler`` and two ``dask worker --nthreads 1``
processes from this environment on 127.0.0.1, one of them killed with SIGKILL while it builds
a report.  The run completes, and its pages and tables are those of a local run byte for
byte, apart from the time stamps of the build; and Ctrl-C on the client cancels its jobs on the
cluster."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from benchmarks.cluster import local_cluster

pytestmark = pytest.mark.slow

SCORE_ANALYSIS = Path(sys.executable).parent / "score-analysis"
#: The build's time stamps: ISO date-times (provenance, manifest), "29 Nov 2026 20:55" and,
#: on the Indonesian pages, "29 November 2026 20.55".
STAMPS = re.compile(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\+00:00|Z)?"
                    rb"|\b\d{1,2} [A-Z][a-z]+ \d{4} \d\d[:.]\d\d\b")


def _unstamped(data: bytes) -> bytes:
    return STAMPS.sub(b"<time>", data)


def _running_jobs(address: str) -> int:
    from distributed import Client

    with Client(address, timeout=10, set_as_default=False) as client:
        return sum(1 for keys in client.processing().values() for k in keys
                   if "run_job" in str(k))


def _tasks_on_the_scheduler(address: str) -> int:
    from distributed import Client

    with Client(address, timeout=10, set_as_default=False) as client:
        return client.run_on_scheduler(lambda dask_scheduler: sum(
            1 for key in dask_scheduler.tasks if "run_job" in str(key)))


def _kill_a_worker_building_a_report(address: str, pids: dict[str, int],
                                     run: subprocess.Popen, timeout: float = 240) -> str | None:
    """SIGKILL the first worker seen executing a notebook job; its address."""
    from distributed import Client

    with Client(address, timeout=10, set_as_default=False) as client:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and run.poll() is None:
            for worker, keys in client.processing().items():
                if any("run_job" in str(k) for k in keys):
                    time.sleep(1.0)  # well inside the notebook (a report takes seconds)
                    os.kill(pids[worker], signal.SIGKILL)
                    return worker
            time.sleep(0.1)
    return None


def test_reports_built_on_a_cluster_that_loses_a_worker_equal_a_local_run(small_run, tmp_path):
    local = small_run["options"]
    assert small_run["summary"].exit_code == 0
    out = tmp_path / "distributed"
    shutil.copytree(local.data_dir, out / "raw")  # the same layout as the local run's
    with local_cluster(2, nthreads=1) as cluster:
        pids = cluster.worker_pids()
        assert len(pids) == 2
        run = subprocess.Popen(  # the scheduler named by the environment this time
            [str(SCORE_ANALYSIS), "run", "--data-dir", str(out / "raw"), "--reports-dir",
             str(out / "reports"), "--processed-dir", str(out / "processed"), "--quiet",
             "--no-appendix", "--no-pdf"],  # as the local run
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            env=dict(os.environ, SCORE_ANALYSIS_SCHEDULER=cluster.address))
        killed = _kill_a_worker_building_a_report(cluster.address, pids, run)
        stdout, stderr = run.communicate(timeout=600)
    assert killed is not None, "no notebook job was seen running"
    assert run.returncode == 0, stdout + stderr
    assert "Traceback" not in stderr

    manifest = json.loads((out / "reports" / "manifest.json").read_text())
    survivor = next(a for a in pids if a != killed)
    built_on = {k: r["built_on"] for k, r in manifest["reports"].items()}
    built_on["synthesis"] = manifest["synthesis"]["built_on"]
    assert set(built_on.values()) == {survivor}, built_on  # the killed worker's job ran again
    assert all(r["status"] == "ok" for r in manifest["reports"].values())
    assert manifest["run"]["parameters"]["scheduler"] == cluster.address
    local_manifest = json.loads((local.reports_dir / "manifest.json").read_text())
    assert {r["built_on"] for r in local_manifest["reports"].values()} == {"local"}

    pages = sorted(p.relative_to(local.reports_dir) for p in local.reports_dir.rglob("*.html"))
    assert len(pages) >= 4  # index, synthesis and the two enterprises
    for rel in pages:
        ours, theirs = (out / "reports" / rel).read_bytes(), (local.reports_dir / rel).read_bytes()
        assert _unstamped(ours) == _unstamped(theirs), rel
    for name in ("results.csv", "pooled.csv", "quality_log.csv"):
        assert (out / "reports" / name).read_bytes() == (local.reports_dir / name).read_bytes()


def test_ctrl_c_cancels_the_reports_on_the_cluster_and_keeps_the_previous_ones(
        small_run, tmp_path):
    local = small_run["options"]
    reports = tmp_path / "reports"
    shutil.copytree(local.reports_dir, reports)  # the previous reports
    before = {p.relative_to(reports): p.read_bytes() for p in reports.rglob("*") if p.is_file()
              and not p.name.startswith(".")}
    with local_cluster(2, nthreads=1) as cluster:
        run = subprocess.Popen(
            [str(SCORE_ANALYSIS), "run", "--data-dir", str(local.data_dir), "--reports-dir",
             str(reports), "--processed-dir", str(tmp_path / "processed"), "--force",
             "--quiet", "--no-pdf", "--scheduler", cluster.address],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
        deadline = time.monotonic() + 240
        while _running_jobs(cluster.address) == 0 and run.poll() is None:
            assert time.monotonic() < deadline, "no notebook job was seen running"
            time.sleep(0.1)
        os.kill(run.pid, signal.SIGINT)
        _, stderr = run.communicate(timeout=120)
        assert run.returncode == 130, stderr
        assert "Interrupted: the previous reports are left as they were." in stderr
        assert "Traceback" not in stderr
        deadline = time.monotonic() + 30  # the scheduler forgets the cancelled jobs
        while _tasks_on_the_scheduler(cluster.address) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert _tasks_on_the_scheduler(cluster.address) == 0
    after = {p.relative_to(reports): p.read_bytes() for p in reports.rglob("*") if p.is_file()
             and not p.name.startswith(".")}
    assert after == before
