"""Incremental runs (issue #6): what is rebuilt, what is reused, and when.

Every report has a content key (its slice of the cleaned data, the notebook,
the code fingerprint, the parameters).  These tests change one input at a time
and check which notebooks ran and which enterprises were analysed again.

Most tests replace notebook execution with a recorder (the caching decisions
do not depend on what a notebook does); the ``slow`` test at the end runs the
real notebooks.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import pandas as pd
import pytest
from conftest import shared_build

from score_analysis import build
from score_analysis.build import enterprises, keys, notebooks
from score_analysis.data.demo import demo_tables
from score_analysis.files import write_tables_csv

ENTERPRISES = ("lestari_dini_tunggul", "tjokro_bersaudara", "trijaya_teknik")
CHANGED = "trijaya_teknik"
REPO_NOTEBOOKS = build.packaged_notebooks()


@dataclass
class Workspace:
    root: Path
    options: build.Options

    def manifest(self) -> dict:
        return json.loads((self.options.reports_dir / "manifest.json").read_text())

    def results(self) -> pd.DataFrame:
        return pd.read_parquet(self.options.processed_dir / "results.parquet")

    def raw(self, table: str) -> Path:
        return self.options.data_dir / f"{table}.csv"


class Recorder:
    """Stands in for notebook execution and remembers what ran and what was analysed."""

    def __init__(self, fail: tuple[str, ...] = ()) -> None:
        self.executed: list[str] = []
        self.analysed: list[str] = []
        self.fail = set(fail)

    def execute(self, job: build.NotebookJob) -> build.ReportOutcome:
        self.executed.append(job.key)
        failed = job.key in self.fail
        for path, text in ((job.html, f"<p>{job.key}</p>"), (job.executed, "{}"),
                           (job.log, "recorded\n")):
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            Path(path).write_text(text, encoding="utf-8")
        return build.ReportOutcome(
            key=job.key, kind=job.kind, status="failed" if failed else "ok", path=job.html,
            title=job.title, duration_s=0.001, error="RuntimeError: boom" if failed else None,
            notebook=job.executed, log=job.log)

    def install(self, monkeypatch: pytest.MonkeyPatch) -> None:
        analyse_one = build.analyse_enterprise

        def counted(enterprise, **kwargs):
            self.analysed.append(enterprise["enterprise_id"])
            return analyse_one(enterprise, **kwargs)

        monkeypatch.setattr(notebooks, "execute_notebook", self.execute)
        monkeypatch.setattr(notebooks, "warm_up", lambda: 0)
        monkeypatch.setattr(enterprises, "analyse_enterprise", counted)


def _workspace(root: Path) -> Workspace:
    options = build.Options(data_dir=root / "raw", reports_dir=root / "reports",
                            processed_dir=root / "processed",
                            notebooks_dir=root / "notebooks", jobs=1, progress=False,
                            pdf=False)  # the PDFs are test_pdf's: no browser here
    return Workspace(root, options)


def _fresh_workspace(root: Path) -> Workspace:
    write_tables_csv(demo_tables(3), root / "raw")
    shutil.copytree(REPO_NOTEBOOKS, root / "notebooks")
    return _workspace(root)


def _build_recorded(root: Path) -> dict:
    ws = _fresh_workspace(root)
    recorder = Recorder()
    with pytest.MonkeyPatch.context() as mp:
        recorder.install(mp)
        summary = build.run(ws.options)
    return {"root": str(root), "executed": recorder.executed, "analysed": recorder.analysed,
            "summary": asdict(summary)}


@pytest.fixture(scope="module")
def built(tmp_path_factory, worker_id) -> tuple[Workspace, Recorder, build.Summary]:
    """Three enterprises, built once per session (notebooks recorded, not executed) and
    shared read-only by the test processes (``conftest.shared_build``)."""
    done = shared_build(tmp_path_factory, worker_id, "cache_built", _build_recorded)
    recorder = Recorder()
    recorder.executed, recorder.analysed = done["executed"], done["analysed"]
    return _workspace(Path(done["root"])), recorder, build.Summary(**done["summary"])


def test_a_build_moved_to_another_folder_rebuilds_nothing(built, tmp_path):
    src = built[0]
    shutil.copytree(src.root, tmp_path / "ws", symlinks=True)
    options = replace(src.options, data_dir=tmp_path / "ws" / "raw",
                      reports_dir=tmp_path / "ws" / "reports",
                      processed_dir=tmp_path / "ws" / "processed",
                      notebooks_dir=tmp_path / "ws" / "notebooks")
    moved = Recorder()
    with pytest.MonkeyPatch.context() as mp:
        moved.install(mp)
        summary = build.run(options)  # new paths: checked, but nothing to rebuild
    assert (moved.executed, moved.analysed, summary.built) == ([], [], 0)
    assert build.run(options).nothing_changed


@pytest.fixture
def ws(built, tmp_path) -> Workspace:
    """A copy of the built workspace (its workshop pack included) that a test may change,
    with options that build no pack, its manifest's run key that of the copy's folders
    (test_a_build_moved_to_another_folder_rebuilds_nothing shows that a run there would
    rebuild nothing and record just that)."""
    src = built[0]
    root = tmp_path / "ws"
    shutil.copytree(src.root, root, symlinks=True)
    options = replace(src.options, data_dir=root / "raw", reports_dir=root / "reports",
                      processed_dir=root / "processed", notebooks_dir=root / "notebooks",
                      workshop=False)  # the pack's own rebuilds are test_workshop's
    manifest = options.reports_dir / build.MANIFEST
    record = json.loads(manifest.read_text())
    record["run_key"] = build.run_key(options.resolved())
    manifest.write_text(json.dumps(record))
    return Workspace(root, options)


@pytest.fixture
def recorder(monkeypatch) -> Recorder:
    rec = Recorder()
    rec.install(monkeypatch)
    return rec


def _edit_csv(path: Path, enterprise: str | None, column: str, change) -> None:
    """Change ``column`` in the first row of ``enterprise`` (every row when None)."""
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    rows = (frame.index[frame["enterprise_id"] == enterprise][:1] if enterprise
            else frame.index)
    assert len(rows), f"no row to change in {path.name}"
    frame.loc[rows, column] = [change(v) for v in frame.loc[rows, column]]
    frame.to_csv(path, index=False, lineterminator="\n")


def _built_times(manifest: dict) -> dict[str, str]:
    return {k: v["built"] for k, v in manifest["reports"].items()}


# --------------------------------------------------------------------------- first run


def test_first_run_builds_every_report_then_the_synthesis(built):
    ws, recorder, summary = built
    assert recorder.executed == [*ENTERPRISES, "synthesis"]
    assert sorted(recorder.analysed) == list(ENTERPRISES)
    assert (summary.built, summary.failed, summary.exit_code) == (3, 0, 0)
    manifest = ws.manifest()
    assert {k: v["status"] for k, v in manifest["reports"].items()} == dict.fromkeys(
        ENTERPRISES, "ok")
    assert manifest["synthesis"]["status"] == "ok"
    assert set(manifest["analysis_keys"]) == set(ENTERPRISES)
    for eid, entry in manifest["reports"].items():
        assert entry["log"] == f"logs/{eid}.log"
        assert (ws.options.reports_dir / entry["log"]).is_file()


# --------------------------------------------------------------------------- nothing changed


def test_nothing_changed_rebuilds_nothing_and_says_so(ws, recorder):
    before = ws.manifest()
    summary = build.run(ws.options)
    assert summary.nothing_changed
    assert summary.line().startswith("Nothing changed since the last run: 3 report(s)")
    assert (recorder.executed, recorder.analysed) == ([], [])
    assert ws.manifest() == before


def test_nothing_changed_does_not_import_the_scientific_stack(ws, tmp_path):
    import subprocess
    import sys

    script = (
        "import sys\n"
        "from pathlib import Path\n"
        "from score_analysis import build\n"
        f"o = build.Options(data_dir=Path({str(ws.options.data_dir)!r}),"
        f" reports_dir=Path({str(ws.options.reports_dir)!r}),"
        f" processed_dir=Path({str(ws.options.processed_dir)!r}),"
        f" notebooks_dir=Path({str(ws.options.notebooks_dir)!r}), jobs=1, progress=False,"
        " pdf=False)\n"
        "s = build.run(o)\n"
        "heavy = sorted(m for m in ('pandas', 'numpy', 'scipy', 'statsmodels', 'papermill')"
        " if m in sys.modules)\n"
        "print(s.nothing_changed, heavy)\n")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         check=True, cwd=tmp_path)
    assert out.stdout.strip() == "True []"


# --------------------------------------------------------------------------- one enterprise


EDITS = {  # table → (column, change) applied to one row of the changed enterprise
    "kpi_monthly": ("output_units", lambda v: str(float(v or 0) + 1.0)),
    "five_s_audits": ("score", lambda v: "" if v else "1"),
    "worker_survey": ("gender", lambda v: "f" if v != "f" else "m"),
    "milestones": ("date", lambda v: v[:8] + ("02" if v[8:] != "02" else "03")),
    "qualitative": ("text", lambda v: v + " (edited)"),
    "enterprises": ("name", lambda v: v + " Edited"),
}


def _pages(ws: Workspace) -> dict[str, tuple[int, int]]:
    """Every page with its inode and modification time: a rewritten page changes both."""
    reports = ws.options.reports_dir
    return {p.relative_to(reports).as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns)
            for p in [*reports.glob("*.html"), *reports.glob("enterprises/*.html")]}


@pytest.mark.parametrize("table", sorted(EDITS))
def test_changing_one_enterprise_rebuilds_only_its_report_and_the_synthesis(ws, recorder,
                                                                          table):
    before, pages = ws.manifest(), _pages(ws)
    column, change = EDITS[table]
    _edit_csv(ws.raw(table), CHANGED, column, change)
    summary = build.run(ws.options)
    assert summary.exit_code == 0, summary.failures
    assert recorder.executed == [CHANGED, "synthesis"]
    assert recorder.analysed == [CHANGED]
    assert (summary.built, summary.unchanged) == (1, 2)
    after = ws.manifest()
    unchanged = [e for e in ENTERPRISES if e != CHANGED]
    for eid in unchanged:
        assert after["reports"][eid] == before["reports"][eid]
        assert after["analysis_keys"][eid] == before["analysis_keys"][eid]
    assert after["reports"][CHANGED]["key"] != before["reports"][CHANGED]["key"]
    assert after["analysis_keys"][CHANGED] != before["analysis_keys"][CHANGED]
    assert after["synthesis"]["key"] != before["synthesis"]["key"]
    rewritten = {p for p, stamp in _pages(ws).items() if pages.get(p) != stamp}
    assert rewritten == {f"enterprises/{CHANGED}.html", "synthesis.html", "index.html"}


def test_the_analysis_cache_keeps_the_rows_of_unchanged_enterprises(ws, recorder):
    old = ws.results()
    _edit_csv(ws.raw("kpi_monthly"), CHANGED, "units_rejected", lambda v: str(int(v or 0) // 2))
    build.run(ws.options)
    new = ws.results()
    assert recorder.analysed == [CHANGED]
    for eid in ENTERPRISES:
        a = old[old["enterprise_id"] == eid].reset_index(drop=True)
        b = new[new["enterprise_id"] == eid].reset_index(drop=True)
        if eid == CHANGED:
            assert not a["estimate"].equals(b["estimate"])
        else:
            pd.testing.assert_frame_equal(a, b)


def test_a_new_enterprise_builds_only_its_report_and_the_synthesis(ws, recorder):
    four = demo_tables(4)
    new_id = sorted(set(four["enterprises"]["enterprise_id"]) - set(ENTERPRISES))[0]
    write_tables_csv({name: frame for name, frame in four.items()}, ws.options.data_dir)
    summary = build.run(ws.options)
    assert recorder.executed == [new_id, "synthesis"]
    assert recorder.analysed == [new_id]
    assert summary.built == 1


def test_a_missing_page_is_rebuilt_alone(ws, recorder):
    (ws.options.reports_dir / "enterprises" / f"{CHANGED}.html").unlink()
    build.run(ws.options)
    assert recorder.executed == [CHANGED]
    assert recorder.analysed == []


def test_a_failed_report_is_tried_again_on_the_next_run(ws, monkeypatch):
    failing = Recorder(fail=(CHANGED,))
    failing.install(monkeypatch)
    _edit_csv(ws.raw("kpi_monthly"), CHANGED, "output_units", lambda v: str(float(v or 0) + 2.0))
    first = build.run(ws.options)
    assert (first.failed, first.failures, first.exit_code) == (1, [CHANGED], 1)
    retry = Recorder()
    retry.install(monkeypatch)
    second = build.run(ws.options)  # the data did not change, the report failed
    assert not second.nothing_changed
    assert retry.executed == [CHANGED]
    assert retry.analysed == []
    assert (second.failed, second.exit_code) == (0, 0)


def test_selecting_enterprises_builds_only_those(ws, recorder):
    other = ENTERPRISES[0]
    for eid in (other, CHANGED):
        _edit_csv(ws.raw("kpi_monthly"), eid, "output_units", lambda v: str(float(v or 0) + 3.0))
    build.run(replace(ws.options, enterprises=(CHANGED,)))
    assert recorder.executed == [CHANGED, "synthesis"]
    assert sorted(recorder.analysed) == sorted([other, CHANGED])  # all numbers stay current
    recorder.executed.clear()
    recorder.analysed.clear()
    build.run(ws.options)  # the stale report of the other enterprise is built now
    assert recorder.executed == [other]
    assert recorder.analysed == []


def test_a_first_run_of_selected_enterprises_lists_only_their_pages(ws, recorder, tmp_path):
    import re

    options = replace(ws.options, enterprises=(CHANGED,), reports_dir=tmp_path / "reports",
                      processed_dir=tmp_path / "processed")
    build.run(options)
    manifest = json.loads((options.reports_dir / "manifest.json").read_text())
    assert sorted(manifest["reports"]) == [CHANGED]
    index = (options.reports_dir / "index.html").read_text()
    links = re.findall(r"href='([^']+\.html)'", index)
    assert f"enterprises/{CHANGED}.html" in links
    assert all((options.reports_dir / link).is_file() for link in links)
    again = build.run(options)  # the same selection again: nothing to do
    assert again.nothing_changed


# --------------------------------------------------------------------------- everything


def test_changing_the_shared_codebook_rebuilds_every_report(ws, recorder):
    _edit_csv(ws.raw("survey_items"), None, "text_en", lambda v: v + ".")
    build.run(ws.options)
    assert recorder.executed == [*ENTERPRISES, "synthesis"]
    assert sorted(recorder.analysed) == list(ENTERPRISES)


def test_changing_the_enterprise_notebook_rebuilds_every_report_from_the_cached_analysis(
        ws, recorder):
    nb = ws.options.notebooks_dir / build.ENTERPRISE_NOTEBOOK
    content = json.loads(nb.read_text())
    content["cells"].append({"cell_type": "markdown", "metadata": {}, "source": ["Note."]})
    nb.write_text(json.dumps(content))
    summary = build.run(ws.options)
    assert recorder.executed == [*ENTERPRISES, "synthesis"]
    assert recorder.analysed == []
    assert summary.built == 3


def test_changing_only_the_synthesis_notebook_rebuilds_only_the_synthesis(ws, recorder):
    nb = ws.options.notebooks_dir / build.SYNTHESIS_NOTEBOOK
    nb.write_text(nb.read_text().replace("Parameters: papermill", "Parameters (edited): papermill"))
    summary = build.run(ws.options)
    assert recorder.executed == ["synthesis"]
    assert recorder.analysed == []
    assert (summary.built, summary.unchanged) == (0, 3)


def test_a_code_change_rebuilds_and_reanalyses_everything(ws, recorder, monkeypatch):
    monkeypatch.setattr(keys, "code_fingerprint", lambda: "another version of the code")
    build.run(ws.options)
    assert recorder.executed == [*ENTERPRISES, "synthesis"]
    assert sorted(recorder.analysed) == list(ENTERPRISES)


def test_the_code_fingerprint_follows_the_package_source(tmp_path, monkeypatch):
    package = tmp_path / "score_analysis"
    shutil.copytree(Path(keys.__file__).parent.parent, package,
                    ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(keys, "__file__", str(package / "build" / "keys.py"))
    first = build.code_fingerprint()
    assert build.code_fingerprint() == first
    models = package / "stats" / "models.py"
    models.write_text(models.read_text() + "\n# edited\n")
    assert build.code_fingerprint() != first


def test_an_edited_translation_changes_the_code_fingerprint(tmp_path, monkeypatch):
    package = tmp_path / "score_analysis"
    shutil.copytree(Path(keys.__file__).parent.parent, package,
                    ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
    monkeypatch.setattr(keys, "__file__", str(package / "build" / "keys.py"))
    first = build.code_fingerprint()
    catalog = package / "locale" / "id" / "LC_MESSAGES" / "messages.po"
    catalog.write_text(catalog.read_text(encoding="utf-8").replace(
        'msgstr "Laporan"', 'msgstr "Laporan-laporan"', 1), encoding="utf-8")
    assert build.code_fingerprint() != first


def test_a_changed_setting_reanalyses_and_rebuilds_everything(ws, recorder):
    from score_analysis.settings import PLAN

    changed = replace(ws.options, settings=PLAN.replace(phase_in_months=6))
    summary = build.run(changed)
    assert recorder.executed == [*ENTERPRISES, "synthesis"]
    assert sorted(recorder.analysed) == list(ENTERPRISES)
    assert summary.built == 3
    manifest = ws.manifest()
    assert manifest["run"]["settings"]["phase_in_months"] == 6
    assert manifest["run"]["exploratory"] == [
        {"setting": "phase_in_months", "used": 6, "plan": 3}]
    recorder.executed.clear()
    recorder.analysed.clear()
    assert build.run(changed).nothing_changed  # the same settings again: nothing to do
    build.run(ws.options)  # back to the plan: everything again
    assert recorder.executed == [*ENTERPRISES, "synthesis"]
    assert sorted(recorder.analysed) == list(ENTERPRISES)


def test_a_changed_confirmatory_family_is_warned_about_and_recorded(ws, recorder):
    from score_analysis.settings import PLAN

    family = (*PLAN.confirmatory, "turnover_rate")
    lines: list[str] = []
    build.run(replace(ws.options, settings=PLAN.replace(confirmatory=family)),
              echo=lines.append)
    warnings = [line for line in lines if line.startswith("Warning: the confirmatory family")]
    assert len(warnings) == 1 and "added: turnover_rate; removed: -" in warnings[0]
    assert ws.manifest()["run"]["confirmatory_family"] == {
        "changed": True, "added": ["turnover_rate"], "removed": []}
    lines.clear()
    build.run(replace(ws.options, settings=PLAN.replace(phase_in_months=4)),
              echo=lines.append)
    assert not any(line.startswith("Warning") for line in lines)  # the family is the plan's
    assert ws.manifest()["run"]["confirmatory_family"]["changed"] is False


def test_building_the_appendices_rebuilds_the_reports_that_link_them(ws, recorder):
    build.run(replace(ws.options, appendices=True))
    assert recorder.executed[:4] == [*ENTERPRISES, "synthesis"]
    assert sorted(recorder.executed[4:]) == sorted(
        [f"appendix-{e}" for e in ENTERPRISES] + ["appendix-synthesis"])


def test_force_rebuilds_and_reanalyses_everything(ws, recorder):
    summary = build.run(replace(ws.options, force=True))
    assert recorder.executed == [*ENTERPRISES, "synthesis"]
    assert sorted(recorder.analysed) == list(ENTERPRISES)
    assert summary.built == 3


# --------------------------------------------------------------------------- real notebooks


@pytest.mark.slow
def test_real_notebooks_change_one_enterprise(small_run, tmp_path, capfd):
    """On a copy of the session's real build (tests/data/small): one enterprise's data
    changed rebuilds its page, the synthesis and the index, with the real notebooks."""
    for part in ("raw", "processed", "reports"):
        shutil.copytree(small_run["root"] / part, tmp_path / part)
    options = replace(small_run["options"], data_dir=tmp_path / "raw",
                      reports_dir=tmp_path / "reports", processed_dir=tmp_path / "processed")
    reports = options.reports_dir
    log = (reports / "logs" / "trijaya_teknik.log").read_text()
    assert "Kernel is running over TCP" in log  # the kernel's own output is kept here
    assert log.rstrip().splitlines()[-1].startswith("--- ok")
    moved = build.run(options)  # another folder: nothing to rebuild
    assert (moved.built, moved.unchanged, moved.failed) == (0, 2, 0)
    pages = {p: (reports / p).stat().st_mtime_ns
             for p in ("enterprises/tjokro_bersaudara.html", "enterprises/trijaya_teknik.html",
                       "synthesis.html", "index.html")}
    _edit_csv(options.data_dir / "kpi_monthly.csv", "trijaya_teknik", "output_units",
              lambda v: str(float(v or 0) + 1.0))
    second = build.run(options)
    assert (second.built, second.unchanged, second.failed) == (1, 1, 0)
    changed = {p for p, t in pages.items() if (reports / p).stat().st_mtime_ns != t}
    assert changed == {"enterprises/trijaya_teknik.html", "synthesis.html", "index.html"}
    third = build.run(options)
    assert third.nothing_changed
    err = capfd.readouterr().err
    assert "Kernel is running over TCP" not in err
    assert "KeyboardInterrupt" not in err
