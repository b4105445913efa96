"""End to end: the whole pipeline on a small fixture (the outputs of docs/reports.md)."""

from __future__ import annotations

import json
from dataclasses import replace

import nbformat
import pandas as pd
import pytest

from score_analysis import build
from score_analysis.data.findings import QUALITY_COLUMNS
from score_analysis.files import sha256_file
from score_analysis.stats.outputs import POOLED_COLUMNS, RESULT_COLUMNS

pytestmark = pytest.mark.slow
ENTERPRISES = ("tjokro_bersaudara", "trijaya_teknik")


def test_run_succeeds(small_run):
    s = small_run["summary"]
    assert (s.built, s.failed, s.exit_code) == (2, 0, 0)


def test_every_expected_file_exists(small_run):
    reports = small_run["options"].reports_dir
    processed = small_run["options"].processed_dir
    expected = ["index.html", "synthesis.html", "results.csv", "pooled.csv", "quality_log.csv",
                "manifest.json", "notebooks/synthesis.ipynb"]
    expected += [f"enterprises/{e}.html" for e in ENTERPRISES]
    expected += [f"notebooks/{e}.ipynb" for e in ENTERPRISES]
    missing = [p for p in expected if not (reports / p).is_file()]
    assert missing == []
    for table in ("enterprises", "kpi_monthly", "indicators_monthly", "results", "kpi_lines",
                  "five_s_index", "survey_scores"):
        assert (processed / f"{table}.parquet").is_file(), table
    assert not list(reports.glob(".staging-*")), "staging directory left behind"


def test_csv_outputs_have_the_spec_columns(small_run):
    reports = small_run["options"].reports_dir
    results = pd.read_csv(reports / "results.csv")
    assert tuple(results.columns) == RESULT_COLUMNS
    assert tuple(pd.read_csv(reports / "pooled.csv").columns) == POOLED_COLUMNS
    assert tuple(pd.read_csv(reports / "quality_log.csv").columns) == QUALITY_COLUMNS
    assert set(results["enterprise_id"]) == set(ENTERPRISES)
    assert not results.duplicated(["enterprise_id", "domain", "indicator", "method"]).any()
    assert set(results["data_source"]) == {"simulated"}
    kpi = results[results["domain"] == "kpi"]
    assert set(kpi["method"]) >= {"rate_ratio_step", "its_level", "its_slope"}
    # the shipped KPI series are long enough: the primary reject-rate model is estimated
    rejects = kpi[(kpi["indicator"] == "reject_rate") & (kpi["method"] == "its_level")]
    assert (rejects["status"] == "ok").all()
    assert rejects["estimate"].gt(0).all()


def test_manifest_records_provenance(small_run):
    options = small_run["options"]
    manifest = json.loads((options.reports_dir / "manifest.json").read_text())
    for name, digest in manifest["inputs"].items():
        assert digest == sha256_file(options.data_dir / name)
    assert set(manifest["reports"]) == set(ENTERPRISES)
    for entry in manifest["reports"].values():
        assert entry["status"] == "ok"
        assert entry["duration_s"] > 0
        assert (options.reports_dir / entry["path"]).is_file()
    assert manifest["packages"]["pandas"] == pd.__version__
    assert manifest["synthesis"]["status"] == "ok"


def test_executed_notebook_received_typed_parameters(small_run):
    reports = small_run["options"].reports_dir
    nb = nbformat.read(reports / "notebooks" / "trijaya_teknik.ipynb", as_version=4)
    injected = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert len(injected) == 1
    assert 'enterprise_id = "trijaya_teknik"' in injected[0].source
    assert not any(c.get("outputs") and any(o.get("output_type") == "error" for o in c.outputs)
                   for c in nb.cells if c.cell_type == "code")


def test_report_shows_banner_and_no_code(small_run):
    html = (small_run["options"].reports_dir / "enterprises" / "tjokro_bersaudara.html").read_text()
    assert "Simulated demonstration data" in html
    assert "PT Tjokro Bersaudara" in html
    assert "from score_analysis import" not in html
    assert "<script src=" not in html


def test_second_run_with_nothing_changed_does_nothing(small_run):
    summary = build.run(small_run["options"], echo=lambda _: None)
    assert summary.nothing_changed
    assert summary.exit_code == 0
    assert "Nothing changed" in summary.line()


def test_unknown_enterprise_selection_is_a_usage_error(small_run):
    options = replace(small_run["options"], enterprises=("nope",), force=True)
    with pytest.raises(build.UsageError, match="unknown enterprise"):
        build.run(options, echo=lambda _: None)


# --------------------------------------------------------------------------- other settings


def test_a_run_with_other_settings_records_them_and_says_so_on_every_page(tmp_path, capsys):
    """score-analysis run --plan: the settings go whole into manifest.json and the
    provenance, every page and the index carry the exploratory banner in their language, and
    no sentence still states the plan's phase-in."""
    import re
    import shutil

    from conftest import SMALL

    from score_analysis import cli
    from score_analysis.settings import PLAN

    raw = tmp_path / "raw"
    shutil.copytree(SMALL, raw)
    plan = tmp_path / "explore.toml"
    plan.write_text(PLAN.replace(phase_in_months=6).to_toml())
    code = cli.main(["run", "--data-dir", str(raw), "--reports-dir", str(tmp_path / "reports"),
                     "--processed-dir", str(tmp_path / "processed"), "--quiet", "--no-pdf",
                     "--no-appendix", "--plan", str(plan)])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "Exploratory settings (not the analysis plan): phase_in_months = 6 (plan: 3)." in out
    reports = tmp_path / "reports"
    manifest = json.loads((reports / "manifest.json").read_text())
    assert manifest["run"]["settings"] == PLAN.replace(phase_in_months=6).as_dict()
    assert manifest["run"]["plan"] == {"version": 3, "date": PLAN.plan_date}
    assert manifest["run"]["exploratory"] == [
        {"setting": "phase_in_months", "used": 6, "plan": 3}]
    provenance = json.loads((tmp_path / "processed" / "provenance.json").read_text())
    assert provenance["settings"]["phase_in_months"] == 6
    results = pd.read_csv(reports / "results.csv")
    notes = results.loc[results["method"] == "its_effect_end_phase_in", "note_code"]
    assert notes.str.contains(r"sensitivity_phase_in\(months=6\)").all()
    banner = {"en": "Exploratory settings: phase-in 6 months instead of 3.",
              "id": "Pengaturan eksploratif: masa penerapan 6 bulan, bukan 3."}
    pages = sorted(reports.rglob("*.html"))
    # index, synthesis and two enterprises, and the workshop pack's programme and two
    # enterprise summaries, in two languages
    assert len(pages) == 2 * (2 + 2) + 2 * (1 + 2)
    for page in pages:
        parts = page.relative_to(reports).parts  # id/… and workshop/id/… are Indonesian
        lang = "id" if "id" in parts[:2] else "en"
        text = page.read_text(encoding="utf-8")
        assert banner[lang] in text, page
        words = re.sub(r"<[^>]+>", " ", text)
        for stale in ("first three months", "first 3 months", "tiga bulan pertama",
                      "3 bulan pertama"):
            assert stale not in words, (page, stale)  # the sentences state the new value
