"""Comparison enterprises through the build (docs/analysis_plan.md §3.10).

Comparison enterprises (``role = comparison``) are not analysed and get no page; every
programme enterprise's analysis is given its comparison pool's records (here, in the worker
pool and on Dask); the analysis and page keys of a programme enterprise hold its pool's
data; the index lists the comparison series in both languages and the manifest records them;
data without comparison enterprises build as plan version 3 without §3.10.

Most tests replace notebook execution with the recorder of tests/test_pipeline_cache.py
(what is built and analysed does not depend on what a notebook does).
"""

from __future__ import annotations

import json
import shutil
from dataclasses import asdict, replace
from pathlib import Path

import pandas as pd
import pytest
from conftest import shared_build
from test_pipeline_cache import REPO_NOTEBOOKS, Recorder, Workspace, _edit_csv

from score_analysis import build
from score_analysis.build import enterprises
from score_analysis.data.demo import demo_tables
from score_analysis.data.readers import read_raw
from score_analysis.data.validation import validate
from score_analysis.files import write_tables_csv
from score_analysis.stats.cits import comparison_pool

PROGRAMME = ("lestari_dini_tunggul", "tjokro_bersaudara", "trijaya_teknik")
COMPARISON = ("cmp_001", "cmp_002")
CITS = ("cits_effect_end", "cits_level", "cits_slope")
DATA = Path(__file__).parent / "data"
TABLES = ("results", "kpi_lines", "survey_reliability", "pooled", "indicators_monthly")


def _options(root: Path) -> build.Options:
    return build.Options(data_dir=root / "raw", reports_dir=root / "reports",
                         processed_dir=root / "processed",
                         notebooks_dir=root / "notebooks", jobs=1, progress=False, pdf=False)


def _workspace(root: Path, comparison: int) -> Workspace:
    write_tables_csv(demo_tables(3, comparison=comparison), root / "raw")
    shutil.copytree(REPO_NOTEBOOKS, root / "notebooks")
    return Workspace(root, _options(root))


def _run(options: build.Options, monkeypatch: pytest.MonkeyPatch | None = None
         ) -> tuple[Recorder, build.Summary]:
    recorder = Recorder()
    with pytest.MonkeyPatch.context() as mp:
        recorder.install(monkeypatch or mp)
        summary = build.run(options, echo=lambda _: None)
    return recorder, summary


def _build_recorded(root: Path) -> dict:
    recorder, summary = _run(_workspace(root, comparison=2).options)
    return {"root": str(root), "executed": recorder.executed, "analysed": recorder.analysed,
            "summary": asdict(summary)}


@pytest.fixture(scope="module")
def built(tmp_path_factory, worker_id) -> tuple[Workspace, Recorder, build.Summary]:
    """Three programme and two comparison enterprises, built once per session (notebooks
    recorded) and shared read-only by the test processes (``conftest.shared_build``)."""
    done = shared_build(tmp_path_factory, worker_id, "comparison_built", _build_recorded)
    recorder = Recorder()
    recorder.executed, recorder.analysed = done["executed"], done["analysed"]
    root = Path(done["root"])
    return Workspace(root, _options(root)), recorder, build.Summary(**done["summary"])


@pytest.fixture
def ws(built, tmp_path) -> Workspace:
    """A copy of the built workspace that a test may change, with options that build no
    workshop pack (the pack's own rebuilds are test_workshop's)."""
    src = built[0]
    root = tmp_path / "ws"
    shutil.copytree(src.root, root, symlinks=True)
    options = replace(src.options, data_dir=root / "raw", reports_dir=root / "reports",
                      processed_dir=root / "processed", notebooks_dir=root / "notebooks",
                      workshop=False)
    manifest = options.reports_dir / build.MANIFEST
    record = json.loads(manifest.read_text())
    record["run_key"] = build.run_key(options.resolved())
    manifest.write_text(json.dumps(record))
    return Workspace(root, options)


@pytest.fixture(scope="module")
def validated_tables(tmp_path_factory) -> dict:
    raw = tmp_path_factory.mktemp("raw")
    write_tables_csv(demo_tables(3, comparison=2), raw)
    validated = validate(read_raw(raw))
    assert validated.ok
    return validated.tables


# --------------------------------------------------------------------------- the run


def test_comparison_enterprises_get_no_analysis_and_no_page(built):
    ws, recorder, summary = built
    assert summary.failed == 0
    assert recorder.executed == [*PROGRAMME, "synthesis"]
    assert sorted(recorder.analysed) == list(PROGRAMME)
    results = pd.read_csv(ws.options.reports_dir / "results.csv")
    assert sorted(results["enterprise_id"].unique()) == list(PROGRAMME)
    manifest = ws.manifest()
    assert sorted(manifest["reports"]) == list(PROGRAMME)
    assert sorted(manifest["analysis_keys"]) == list(PROGRAMME)
    for eid in COMPARISON:
        assert not (ws.options.reports_dir / "enterprises" / f"{eid}.html").exists()
    # their monthly indicators are processed: the pages draw the comparison series
    monthly = pd.read_parquet(ws.options.processed_dir / "indicators_monthly.parquet")
    assert set(COMPARISON) <= set(monthly["enterprise_id"])


def test_every_programme_enterprise_has_the_controlled_rows(built):
    ws = built[0]
    results = pd.read_csv(ws.options.reports_dir / "results.csv", keep_default_na=False)
    for eid in PROGRAMME:
        own = results[results["enterprise_id"] == eid]
        tracked = own[own["status"] != "not_reported"]
        for indicator in tracked.loc[tracked["domain"] == "kpi", "indicator"].unique():
            rows = own[(own["indicator"] == indicator) & own["method"].isin(CITS)]
            assert sorted(rows["method"]) == sorted(CITS), (eid, indicator)
            assert rows["note_code"].str.contains("cits_comparison(members=2)",
                                                  regex=False).all()
        primary = own[(own["domain"] == "kpi") & (own["primary"].astype(str) == "True")
                      & (own["status"] == "ok")]
        assert (primary["method"] == "cits_effect_end").all() and len(primary)


def test_the_manifest_records_the_comparison_series(built):
    ws = built[0]
    series = ws.manifest()["comparison_series"]
    assert sorted(series) == list(COMPARISON)
    kpi = pd.read_csv(ws.raw("kpi_monthly"), dtype=str)
    for eid, record in series.items():
        months = sorted(kpi.loc[kpi["enterprise_id"] == eid, "month"])
        assert record["title"] == f"PT Demo Comparison {eid[-3:]}"
        assert (record["first_month"], record["last_month"]) == (months[0], months[-1])
        assert record["months"] == len(months) and record["missing_months"] == 0
        assert record["used_by"] == list(PROGRAMME)
        assert record["warnings"] >= 0 and record["data_source"] == "simulated"


def test_the_index_lists_the_comparison_series_in_both_languages(built):
    reports = built[0].options.reports_dir
    english = (reports / "index.html").read_text(encoding="utf-8")
    assert "<h2>Comparison series</h2>" in english
    table = english[english.index("<h2>Comparison series</h2>"):]
    assert "PT Demo Comparison 001" in table and "PT Demo Comparison 002" in table
    assert "Jan 2009 – Jan 2011" in table and "25 months with records" in table
    assert "enterprises/cmp_001.html" not in english
    indonesian = (reports / "id" / "index.html").read_text(encoding="utf-8")
    assert "<h2>Deret pembanding</h2>" in indonesian
    assert "Januari 2009 – Januari 2011" in indonesian and "catatan 25 bulan" in indonesian


def test_a_changed_comparison_series_reanalyses_and_rebuilds_every_programme_enterprise(ws):
    _edit_csv(ws.raw("kpi_monthly"), "cmp_001", "output_units",
              lambda v: str(float(v) * 1.5))
    before = ws.manifest()["analysis_keys"]
    recorder, summary = _run(ws.options)
    assert summary.failed == 0
    assert sorted(recorder.analysed) == list(PROGRAMME)
    assert recorder.executed == [*PROGRAMME, "synthesis"]
    after = ws.manifest()["analysis_keys"]
    assert all(after[e] != before[e] for e in PROGRAMME)


def test_a_changed_programme_enterprise_reanalyses_itself_alone(ws):
    _edit_csv(ws.raw("kpi_monthly"), "trijaya_teknik", "output_units",
              lambda v: str(float(v) * 1.5))
    recorder, _ = _run(ws.options)
    assert recorder.analysed == ["trijaya_teknik"]
    assert recorder.executed == ["trijaya_teknik", "synthesis"]


def test_an_unchanged_run_reuses_the_analysis(ws):
    options = replace(ws.options, languages=("id", "en"))  # a new run key, the same analysis
    recorder, summary = _run(options)
    assert recorder.analysed == [] and summary.failed == 0


def test_a_comparison_enterprise_cannot_be_selected(ws):
    with pytest.raises(build.UsageError, match="cmp_001: a comparison enterprise has no "
                                               "report of its own"):
        build.run(replace(ws.options, enterprises=("cmp_001",)), echo=lambda _: None)
    with pytest.raises(ValueError, match="comparison enterprise"):
        build.analyse(read_raw_validated(ws.options.data_dir), enterprises=["cmp_002"])


def read_raw_validated(folder: Path) -> dict:
    validated = validate(read_raw(folder))
    assert validated.ok
    return validated.tables


# --------------------------------------------------------------------------- no comparison


def test_without_comparison_data_the_run_is_plan_v3_without_the_controlled_design(
        tmp_path):
    ws = _workspace(tmp_path, comparison=0)
    recorder, summary = _run(replace(ws.options, workshop=False))
    assert summary.failed == 0 and recorder.executed == [*PROGRAMME, "synthesis"]
    results = pd.read_csv(ws.options.reports_dir / "results.csv", keep_default_na=False)
    assert not results["method"].isin(CITS).any()
    assert not results["note_code"].str.contains("without_comparison_group").any()
    primary = results[(results["domain"] == "kpi") & (results["primary"].astype(str) == "True")]
    assert set(primary["method"]) <= {"its_effect_end", "rate_ratio_step"}
    pooled = pd.read_csv(ws.options.reports_dir / "pooled.csv")
    assert "cits_effect_end" not in set(pooled["source_method"])
    assert ws.manifest()["comparison_series"] == {}
    index = (ws.options.reports_dir / "index.html").read_text(encoding="utf-8")
    assert "Comparison series" not in index


# --------------------------------------------------------------------------- the analysis


def test_pools_equal_the_pool_of_each_enterprise():
    from score_analysis.stats.analysis import comparison_pools

    monthly = pd.read_csv(DATA / "cits_monthly.csv")
    ents = pd.read_csv(DATA / "cits_enterprises.csv", dtype=str, keep_default_na=False)
    pools = comparison_pools(ents, monthly)
    last = monthly.groupby("enterprise_id")["month"].max()
    assert sorted(pools) == ["e1", "p2", "p3"]
    for eid, pool in pools.items():
        assert pool == comparison_pool(ents, eid, last_month=last[eid]), eid
    assert pools["e1"] == ("c1", "c2", "p2")  # p2 starts after e1's last month


def test_pools_refuse_a_programme_enterprise_without_a_start():
    from score_analysis.stats.analysis import comparison_pools

    ents = pd.DataFrame({"enterprise_id": ["a", "b"], "intervention_month": ["2010-04", ""],
                         "role": ["programme", ""]})
    monthly = pd.DataFrame({"enterprise_id": ["a"], "month": ["2010-05"]})
    with pytest.raises(ValueError, match="intervention_month of programme enterprise 'b'"):
        comparison_pools(ents, monthly)


def test_a_programme_enterprise_that_starts_later_is_the_comparison_of_an_earlier_one(
        validated_tables):
    """Tjokro observed to 2009-12 (programme from 2009-06); Trijaya and Lestari start in
    2010-04, after Tjokro's last month: both are in Tjokro's pool, and their data in
    Tjokro's key; Tjokro started before their last months, so it is in neither pool."""
    tables = {name: frame.copy() for name, frame in validated_tables.items()}
    ents, kpi = tables["enterprises"], tables["kpi_monthly"]
    ents.loc[ents["enterprise_id"] == "tjokro_bersaudara", "intervention_month"] = "2009-06"
    tables["kpi_monthly"] = kpi[(kpi["enterprise_id"] != "tjokro_bersaudara")
                                | (kpi["month"] <= "2009-12")].reset_index(drop=True)
    slices = build.enterprise_slices(tables)
    out = build.analyse(tables, slices=slices)
    assert out.failed == {}
    assert out.pools["tjokro_bersaudara"] == ("trijaya_teknik", "lestari_dini_tunggul",
                                              *COMPARISON)
    assert out.pools["trijaya_teknik"] == out.pools["lestari_dini_tunggul"] == COMPARISON
    rows = out.results[(out.results["enterprise_id"] == "tjokro_bersaudara")
                       & out.results["method"].isin(CITS)]
    assert len(rows)
    assert rows["note_code"].str.contains("cits_comparison(members=4)", regex=False).all()
    changed = dict(slices, trijaya_teknik="another slice")
    again = build.analyse(tables, slices=changed)
    assert again.analysis_keys["tjokro_bersaudara"] != out.analysis_keys["tjokro_bersaudara"]


def test_the_inputs_are_not_changed(validated_tables):
    copies = {name: frame.copy() for name, frame in validated_tables.items()}
    build.analyse(validated_tables)
    for name, frame in copies.items():
        pd.testing.assert_frame_equal(validated_tables[name], frame)


def test_analysis_in_the_worker_pool_equals_the_analysis_here(validated_tables, monkeypatch):
    tables = validated_tables
    here = build.analyse(tables, slices=build.enterprise_slices(tables))
    monkeypatch.setattr(enterprises, "PARALLEL_ANALYSIS", 2)
    with build.worker_pool(2, notebooks=False) as pool:
        there = build.analyse(tables, slices=build.enterprise_slices(tables), pool=pool,
                              workers=2)
    assert there.failed == {} and here.failed == {}
    assert there.analysis_keys == here.analysis_keys
    assert here.results["method"].isin(CITS).any()
    for name in TABLES:
        pd.testing.assert_frame_equal(getattr(there, name), getattr(here, name),
                                      check_exact=True)


@pytest.mark.slow
def test_analysis_on_dask_equals_the_analysis_here(validated_tables, monkeypatch):
    from distributed import Client, LocalCluster

    from score_analysis.build.executors import DaskCluster

    tables = validated_tables
    here = build.analyse(tables)
    monkeypatch.setattr(enterprises, "PARALLEL_ANALYSIS", 2)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster, Client(cluster) as client:
        there = build.analyse(tables, pool=DaskCluster(client), workers=2)
    assert there.failed == {}
    for name in TABLES:
        pd.testing.assert_frame_equal(getattr(there, name), getattr(here, name),
                                      check_exact=True)
