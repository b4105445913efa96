"""The execution layer: the Dask backend on an in-process LocalCluster, the shipping of
inputs and outputs of notebook jobs, the retry rule, and an unreachable scheduler."""

from __future__ import annotations

import threading
import time
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest

from score_analysis import build, cli
from score_analysis.build import enterprises, executors, jobs, notebooks
from score_analysis.data.demo import demo_tables
from score_analysis.data.validation import validate

distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def cluster():
    """A Dask cluster of two one-thread workers in this process, as a DaskCluster."""
    from distributed import Client, LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                      dashboard_address=None) as lc, Client(lc, set_as_default=False) as client:
        yield executors.DaskCluster(client)


def _square(x: int) -> int:
    return x * x


def _length(value: dict, extra: int = 0) -> int:
    return len(value["files"]) + extra


def test_the_dask_backend_runs_functions_and_returns_their_results(cluster):
    assert cluster.workers == 2
    assert cluster.where.startswith("inproc://") or cluster.where.startswith("tcp://")
    futures = [cluster.submit(_square, i) for i in range(6)]
    assert sorted(f.result() for f in cluster.as_completed(futures)) == [0, 1, 4, 9, 16, 25]
    shipped = cluster.ship({"files": ["a", "b", "c"]})  # sent once to every worker
    assert cluster.submit(_length, shipped, extra=1).result() == 4


def test_an_exception_in_a_task_reaches_the_client_with_its_type(cluster):
    def broken():
        raise ValueError("a model could not be fitted")

    with pytest.raises(ValueError, match="a model could not be fitted"):
        cluster.submit(broken).result()


_RELEASE = threading.Event()


def _blocked(i: int) -> int:
    _RELEASE.wait(30)
    return i


def test_ctrl_c_cancels_the_tasks_on_the_cluster(cluster):
    with pytest.raises(KeyboardInterrupt):
        with executors.cancel_on_interrupt(cluster):
            futures = [cluster.submit(_blocked, i) for i in range(4)]
            time.sleep(0.2)
            raise KeyboardInterrupt
    _RELEASE.set()
    deadline = time.monotonic() + 10
    while not all(f.cancelled() for f in futures) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert [f.status for f in futures] == ["cancelled"] * 4


@pytest.fixture(scope="module")
def tables(tmp_path_factory) -> dict:
    from score_analysis.data.readers import read_raw
    from score_analysis.files import write_tables_csv

    raw = tmp_path_factory.mktemp("raw")
    write_tables_csv(demo_tables(4), raw)
    validated = validate(read_raw(raw))
    assert validated.ok
    return validated.tables


def test_the_analysis_on_dask_gives_the_same_tables_as_here(tables, cluster, monkeypatch):
    here = build.analyse(tables, slices=build.enterprise_slices(tables))
    monkeypatch.setattr(enterprises, "PARALLEL_ANALYSIS", 2)
    there = build.analyse(tables, slices=build.enterprise_slices(tables), pool=cluster,
                             workers=cluster.workers)
    assert there.failed == here.failed == {}
    assert there.analysis_keys == here.analysis_keys
    for name in ("results", "kpi_lines", "survey_reliability", "pooled"):
        pd.testing.assert_frame_equal(getattr(there, name), getattr(here, name),
                                      check_exact=True)


# --------------------------------------------------------------------------- notebook jobs


def _fake_execute(job: notebooks.NotebookJob) -> build.ReportOutcome:
    """Writes what the notebook saw (its notebook and processed table) into its outputs."""
    seen = (Path(job.cwd) / job.parameters["processed_dir"] / "results.parquet").read_text()
    nb = Path(job.notebook).read_text()
    for path, text in ((job.html, f"<p>{job.key}: {seen} / {nb}</p>"), (job.executed, "{}"),
                       (job.log, "log\n")):
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        Path(path).write_text(text, encoding="utf-8")
    return build.ReportOutcome(key=job.key, kind=job.kind, status="ok", path=job.html,
                                  title=job.title, notebook=job.executed, log=job.log,
                                  where=notebooks.where())


def _workspace(root: Path) -> tuple[Path, Path, Path]:
    processed, nbs, stage = root / "processed", root / "notebooks", root / "stage"
    processed.mkdir(parents=True)
    nbs.mkdir()
    (processed / "results.parquet").write_text("the processed rows")
    (processed / ".staging-1").mkdir()  # never shipped
    (nbs / "enterprise_report.ipynb").write_text("the notebook")
    return processed, nbs, stage


def _job(stage: Path, nbs: Path, processed: Path, key: str) -> notebooks.NotebookJob:
    return notebooks.NotebookJob(
        key=key, kind="enterprise", title=key, notebook=str(nbs / "enterprise_report.ipynb"),
        executed=str(stage / "notebooks" / f"{key}.ipynb"),
        html=str(stage / "enterprises" / f"{key}.html"),
        parameters={"enterprise_id": key, "processed_dir": str(processed)},
        cwd=str(nbs), cell_timeout=10, log=str(stage / "logs" / f"{key}.log"))


def test_notebook_jobs_on_dask_read_shipped_inputs_and_return_their_outputs(
        tmp_path, cluster, monkeypatch):
    from tqdm import tqdm

    monkeypatch.setattr(notebooks, "execute_notebook", _fake_execute)
    processed, nbs, stage = _workspace(tmp_path)
    inputs = jobs.Inputs.of(processed, nbs, ("enterprise_report.ipynb", "synthesis.ipynb"))
    assert sorted(inputs.files) == ["notebooks/enterprise_report.ipynb",
                                    "processed/results.parquet"]
    todo = [_job(stage, nbs, processed, k) for k in ("alpha", "beta", "gamma")]
    # the worker must not read the client's files: remove them once shipped
    shipped = cluster.ship(inputs)
    (processed / "results.parquet").unlink()
    with tqdm(total=3, disable=True) as bar:
        outcomes = {o.key: o for o in executors.execute_all(todo, cluster, stage, bar,
                                                              shipped)}
    for key in ("alpha", "beta", "gamma"):
        o = outcomes[key]
        assert (o.status, o.path, o.notebook, o.log) == (
            "ok", f"enterprises/{key}.html", f"notebooks/{key}.ipynb", f"logs/{key}.log")
        assert o.where in cluster.client.scheduler_info()["workers"]
        page = (stage / "enterprises" / f"{key}.html").read_text()
        assert page == f"<p>{key}: the processed rows / the notebook</p>"
        assert (stage / "logs" / f"{key}.log").read_text() == "log\n"


def test_a_job_on_the_local_pool_reads_the_clients_paths_and_runs_in_a_scratch_dir(
        tmp_path, monkeypatch):
    monkeypatch.setattr(notebooks, "execute_notebook", _fake_execute)
    processed, nbs, stage = _workspace(tmp_path)
    result = jobs.run_job(_job(stage, nbs, processed, "alpha"), str(stage))
    assert not stage.exists()  # nothing written by the job itself
    assert sorted(result.files) == ["enterprises/alpha.html", "logs/alpha.log",
                                    "notebooks/alpha.ipynb"]
    assert result.outcome.where == "local"
    outcome = jobs.written(result, stage)
    assert outcome.path == "enterprises/alpha.html"
    assert (stage / outcome.path).read_text() == "<p>alpha: the processed rows / the notebook</p>"


def test_a_job_result_cannot_write_outside_the_staging_tree(tmp_path):
    stage = tmp_path / "stage"
    stage.mkdir()
    outcome = build.ReportOutcome(key="x", kind="enterprise", status="ok", path="a", title="x")
    jobs.written(jobs.JobResult(outcome, {"../escaped.html": b"x", "ok.html": b"y"}), stage)
    assert not (tmp_path / "escaped.html").exists()
    assert (stage / "ok.html").read_bytes() == b"y"


def test_a_job_with_shipped_inputs_leaves_nothing_in_the_temporary_directory(
        tmp_path, monkeypatch):
    import tempfile

    temp = tmp_path / "tmp"
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    monkeypatch.setattr(notebooks, "execute_notebook", _fake_execute)
    processed, nbs, stage = _workspace(tmp_path)
    inputs = jobs.Inputs.of(processed, nbs, ("enterprise_report.ipynb",))
    for key in ("alpha", "beta"):  # every job writes its own copy and removes it
        result = jobs.run_job(_job(stage, nbs, processed, key), str(stage), inputs)
        assert result.outcome.status == "ok"
        page = result.files[f"enterprises/{key}.html"].decode()
        assert page == f"<p>{key}: the processed rows / the notebook</p>"
        assert list(temp.iterdir()) == []


def test_shipped_inputs_cannot_be_written_outside_their_directory(tmp_path):
    bad = jobs.Inputs(files={"../escaped": b"x"}, digest="a" * 64)
    with pytest.raises(ValueError, match="may not leave"):
        jobs.materialised(bad, tmp_path / "in")
    assert not (tmp_path / "escaped").exists()


class _DeadWorkers(executors.Executor):
    """An executor whose every job dies with its worker."""

    workers = 2

    def submit(self, fn, /, *args, **kwargs):
        from concurrent.futures import Future

        future = Future()
        future.set_exception(RuntimeError("the worker died"))
        return future

    def as_completed(self, futures):
        return iter(list(futures))


def test_a_job_lost_with_its_worker_fails_its_page_in_every_language(tmp_path):
    from tqdm import tqdm

    stage = tmp_path / "stage"
    pages = (("en", str(stage / "enterprises" / "alpha.html"), "PT Alpha — impact assessment"),
             ("id", str(stage / "id" / "enterprises" / "alpha.html"),
              "PT Alpha — penilaian dampak"))
    job = notebooks.NotebookJob(
        key="alpha", kind="enterprise", title=pages[0][2], notebook=str(tmp_path / "nb.ipynb"),
        executed=str(stage / "notebooks" / "alpha.ipynb"), html=pages[0][1], parameters={},
        cwd=str(tmp_path), cell_timeout=10, pages=pages)
    with tqdm(total=1, disable=True) as bar:
        (outcome,) = executors.execute_all([job], _DeadWorkers(), stage, bar)
    assert (outcome.status, outcome.path) == ("failed", "enterprises/alpha.html")
    assert "the report worker failed: RuntimeError: the worker died" in outcome.error
    for lang, path, _title in pages:
        text = Path(path).read_text(encoding="utf-8")
        assert f'<html lang="{lang}">' in text, lang
        assert "the worker died" in text, lang


# --------------------------------------------------------------------------- retries


def _cell_timeout():
    from nbclient.exceptions import CellTimeoutError

    return CellTimeoutError("A cell timed out while it was being executed, after 600 seconds.")


def _zmq_error():
    import zmq

    return zmq.error.ZMQError(98, "Address already in use")


@pytest.mark.parametrize(("make", "expected"), [
    (lambda: notebooks.KernelStartError("RuntimeError: Kernel died before replying"), True),
    (_zmq_error, True),
    (_cell_timeout, False),
    (lambda: TimeoutError("timed out"), False),
    (lambda: RuntimeError("Kernel died"), False),  # the text no longer decides
    (lambda: FileNotFoundError("none.ipynb"), False),
])
def test_retries_are_decided_by_the_exception_type(make, expected):
    assert notebooks.retried(make()) is expected


def test_a_cell_that_times_out_is_not_retried(tmp_path, monkeypatch):
    import papermill

    calls = []

    def timing_out(*args, **kwargs):
        calls.append(1)
        raise _cell_timeout()

    monkeypatch.setattr(papermill, "execute_notebook", timing_out)
    nb = tmp_path / "x.ipynb"
    nb.write_text("{}")
    job = _job(tmp_path / "stage", tmp_path, tmp_path, "slow")
    job = replace(job, notebook=str(nb))
    outcome = notebooks.execute_notebook(job)
    assert (outcome.status, len(calls)) == ("failed", 1)
    assert outcome.error.startswith("CellTimeoutError: A cell timed out")
    assert "(retrying)" not in Path(outcome.log).read_text()


# --------------------------------------------------------------------------- no scheduler


def test_an_unreachable_scheduler_is_one_line_and_exit_2_before_any_work(tmp_path, capsys,
                                                                        monkeypatch):
    from benchmarks.cluster import free_port

    monkeypatch.setattr(executors, "CONNECT_TIMEOUT", 2)  # the wait, not its length, is tested

    address = f"tcp://127.0.0.1:{free_port()}"
    reports = tmp_path / "reports"
    started = time.monotonic()
    code = cli.main(["run", "--data-dir", str(tmp_path / "no-such-data"), "--reports-dir",
                     str(reports), "--processed-dir", str(tmp_path / "processed"), "--quiet",
                     "--scheduler", address])
    out, err = capsys.readouterr()
    assert code == 2
    assert len(err.strip().splitlines()) == 1
    assert err.startswith(f"score-analysis: cannot reach the Dask scheduler at {address}: ")
    assert "Traceback" not in out + err
    assert not reports.exists() and not (tmp_path / "processed").exists()
    assert time.monotonic() - started < executors.CONNECT_TIMEOUT + 20


def test_the_scheduler_comes_from_the_option_or_the_environment(monkeypatch):
    monkeypatch.delenv(executors.SCHEDULER_VARIABLE, raising=False)
    assert executors.scheduler_address(build.Options()) is None
    monkeypatch.setenv(executors.SCHEDULER_VARIABLE, "tcp://10.0.0.1:8786")
    assert executors.scheduler_address(build.Options()) == "tcp://10.0.0.1:8786"
    assert executors.scheduler_address(
        build.Options(scheduler="tcp://10.0.0.2:8786")) == "tcp://10.0.0.2:8786"


class _FakeClient:
    def __init__(self, answer):
        self.answer = answer

    def run(self, fn):
        if isinstance(self.answer, Exception):
            raise self.answer
        return self.answer


def test_workers_running_other_code_are_refused_before_any_work(cluster):
    from score_analysis.build import keys

    executors.check_workers(cluster.client)  # these run this very code
    ours = keys.code_fingerprint()
    executors.check_workers(_FakeClient({"tcp://10.0.0.1:1": ours}))
    with pytest.raises(build.UsageError, match=r"1 Dask worker\(s\) run other "
                                                  r"score-analysis code .*tcp://10.0.0.2:1"):
        executors.check_workers(_FakeClient({"tcp://10.0.0.1:1": ours,
                                              "tcp://10.0.0.2:1": "0.0.9"}))
    with pytest.raises(build.UsageError, match="cannot run score-analysis .*No module named"):
        executors.check_workers(_FakeClient(ModuleNotFoundError(
            "No module named 'score_analysis'")))
