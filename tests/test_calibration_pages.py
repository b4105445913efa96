"""The calibration of the intervals on the pages (docs/calibration.md): the methods section of
every enterprise page states the coverage of the grid scenario nearest to its data, in both
languages, with the numbers of the shipped table (read here at run time, never copied); the
synthesis appendix shows the grid row closest to the data; the lookup loads no statistics
library at page time."""

from __future__ import annotations

import html
import math
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from score_analysis import i18n
from score_analysis.appendix import calibration as appendix_calibration
from score_analysis.calibration import median_calibration, nearest_calibration, shipped_table
from score_analysis.report.sections.methods import calibration_rows, calibration_sentences
from score_analysis.settings import PLAN, AnalysisSettings

ROOT = Path(__file__).resolve().parents[1]
CONFIRMATORY_KPIS = [i for i in PLAN.confirmatory if i.endswith("_rate")
                     or i == "labour_productivity"]


def results_of(series: list[tuple]) -> pd.DataFrame:
    """Results rows of one enterprise: (indicator, method, months, raw dispersion,
    Durbin-Watson, status), primary monthly rows."""
    rows = []
    for indicator, method, months, dispersion, dw, status in series:
        rows.append({"enterprise_id": "e1", "domain": "kpi", "indicator": indicator,
                     "method": method, "primary": True, "status": status,
                     "n_pre": months - 10, "n_post": 10, "raw_dispersion": dispersion,
                     "durbin_watson": dw})
    return pd.DataFrame(rows)


def per_100(share: float) -> str:
    return str(math.floor(100 * share + 0.5))


#: Strongly overdispersed series with independent-looking residuals, of the kind shipped.
STRONG = results_of([("labour_productivity", "its_effect_end", 25, 150.0, 2.3, "ok"),
                     ("reject_rate", "its_effect_end", 25, 90.0, 2.2, "ok"),
                     ("rework_rate", "its_effect_end", 25, 120.0, 2.25, "ok"),
                     ("absenteeism_rate", "rate_ratio_exact", 25, float("nan"), None, "ok"),
                     ("turnover_rate", "its_effect_end", 25, 2.0, 1.0, "ok")])


def test_the_methods_sentence_states_the_nearest_scenario_from_the_shipped_table():
    table = shipped_table()
    rows = calibration_rows(STRONG, PLAN)
    # the confirmatory family's modelled primaries; the exact row and exploratory KPI not
    assert sorted(rows["indicator"]) == ["labour_productivity", "reject_rate", "rework_rate"]
    expected = nearest_calibration(25, 120.0, 2.25, table=table)
    assert expected == median_calibration(rows)
    independent = table[(table["estimand"] == "its_effect_end") & (table["n_months"] == 25)
                        & (table["dispersion"] == expected["dispersion"])
                        & (table["rho"] == 0) & (table["effect_end"] == 1)]["coverage"]
    with i18n.use_language("en"):
        text = " ".join(calibration_sentences(STRONG, PLAN))
    assert f"covered the true effect in {per_100(independent.iloc[0])} of 100 cases" in text
    if expected["coverage_lowest"] < expected["coverage_independent"]:
        assert (f"in {per_100(expected['coverage_lowest'])} of 100 when neighbouring months "
                f"were strongly correlated (ρ = {expected['rho_lowest']:g})") in text
    assert "25 months" in text and "95% intervals" in text
    with i18n.use_language("id"):
        text_id = " ".join(calibration_sentences(STRONG, PLAN))
    assert f"dalam {per_100(independent.iloc[0])} dari 100 kasus" in text_id
    assert "25 bulan" in text_id and "selang kepercayaan 95%" in text_id


def test_a_correlated_nearest_scenario_is_named_beside_the_range():
    correlated = results_of([(i, "its_effect_end", 25, 100.0, 1.5, "ok")
                             for i in CONFIRMATORY_KPIS])
    c = median_calibration(correlated)
    assert c["rho"] > 0  # a Durbin-Watson of 1.5 is nearest a correlated scenario
    with i18n.use_language("en"):
        sentences = calibration_sentences(correlated, PLAN)
    assert len(sentences) == 2
    assert f"(neighbouring months correlated with ρ = {c['rho']:g}) gave " \
           f"{per_100(c['coverage'])} of 100" in sentences[1]
    assert f"in {per_100(c['coverage_independent'])} of 100 cases when the months were " \
           "independent" in sentences[0]


def test_other_settings_are_said_not_to_be_those_simulated():
    with i18n.use_language("en"):
        plan = calibration_sentences(STRONG, PLAN)
        other = calibration_sentences(STRONG, AnalysisSettings(phase_in_months=6))
    assert other[:-1] == plan
    assert "this run changed them" in other[-1]


def test_no_sentence_without_a_series_the_study_simulated():
    exact = results_of([("reject_rate", "rate_ratio_exact", 25, float("nan"), None, "ok"),
                        ("rework_rate", "its_effect_end", 25, 50.0, 2.0,
                         "insufficient_data")])
    assert calibration_sentences(exact, PLAN) == []
    assert calibration_sentences(pd.DataFrame(), PLAN) == []


def test_the_lookup_at_page_time_loads_no_statistics_library():
    script = ("import sys, pandas as pd\n"
              "from score_analysis.report.sections.methods import calibration_sentences\n"
              "r = pd.DataFrame([{'enterprise_id': 'e', 'domain': 'kpi', 'indicator': "
              "'reject_rate', 'method': 'its_effect_end', 'primary': True, 'status': 'ok', "
              "'n_pre': 15, 'n_post': 10, 'raw_dispersion': 80.0, 'durbin_watson': 2.1}])\n"
              "assert calibration_sentences(r)\n"
              "print(sorted(m for m in ('scipy', 'statsmodels') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         check=True, cwd=ROOT).stdout
    assert out.strip() == "[]"


def test_the_appendix_shows_the_grid_row_closest_to_the_data():
    data = STRONG.assign(confirmatory=True)
    row = appendix_calibration.data_calibration(data)
    assert list(row.columns) == list(appendix_calibration.DATA_CALIBRATION_COLUMNS)
    assert row["estimand"].tolist() == ["its_effect_end"]
    nearest = median_calibration(calibration_rows(STRONG, PLAN))
    assert row.iloc[0]["scenario"] == nearest["scenario"]
    assert row.iloc[0]["coverage"] == nearest["coverage"]
    assert row.iloc[0]["series_in_median"] == 3
    assert row.iloc[0]["series_raw_dispersion"] == 120.0
    series = appendix_calibration.series_calibration(data)
    assert series["indicator"].tolist() == ["labour_productivity", "reject_rate", "rework_rate"]
    assert series.loc[1, "scenario"] == nearest_calibration(25, 90.0, 2.2)["scenario"]


def _text(page: Path) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ",
                                                     page.read_text(encoding="utf-8"))))


@pytest.mark.slow  # the session's fixture build runs the notebooks
@pytest.mark.parametrize("lang", ["en", "id"])
def test_every_enterprise_page_states_the_calibration_of_its_data(built_reports_run, lang):
    root, _options = built_reports_run
    results = pd.read_parquet(root / "processed" / "results.parquet")
    pages = root / "reports" / ("" if lang == "en" else "id/") / "enterprises"
    checked = 0
    for enterprise, rows in results.groupby("enterprise_id"):
        expected = calibration_rows(rows, PLAN)
        page = pages / f"{enterprise}.html"
        if expected.empty or not page.exists():
            continue
        with i18n.use_language(lang):
            sentences = calibration_sentences(rows, PLAN)
        text = _text(page)
        assert all(s in text for s in sentences), enterprise
        assert "docs/calibration.md" in text
        checked += 1
    assert checked >= 1


@pytest.mark.slow  # the session's fixture build runs the notebooks
def test_the_synthesis_appendix_shows_the_closest_grid_row(built_reports_run):
    root, _options = built_reports_run
    results = pd.read_parquet(root / "processed" / "results.parquet")
    row = appendix_calibration.data_calibration(results).iloc[0]
    text = _text(root / "reports" / "appendix" / "synthesis.html")
    assert "The calibration of the intervals" in text and "docs/calibration.md" in text
    assert row["scenario"] in text
