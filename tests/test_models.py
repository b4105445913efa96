"""KPI models of analysis plan version 3 (docs/analysis_plan.md §3) pinned to R:
tests/reference_values.py holds each value with the R call that produced it
(tests/r/reference.R).  Version 3 is checked row by row (t inference on n - p degrees of
freedom); the settings with ``inference = "normal"`` reproduce the version 2 references.

Tolerance: relative 1e-6 everywhere.  R and statsmodels both iterate the GLM to
convergence (the R references use glm.control(epsilon = 1e-12)), so they agree to about
1e-9; the published Sicily table is checked at the digits it prints.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import reference_values as R

from score_analysis.settings import PLAN
from score_analysis.stats.models import (
    COEFFICIENT_COLUMNS,
    EFFECT_COLUMNS,
    KPI_METHODS,
    LINE_COLUMNS,
    fit_rate_model,
    harmonic_terms,
    its_diagnostics,
    its_lines,
    kpi_effects,
    kpi_fit,
    model_data,
    newey_west_lag,
    rate_model_coefficients,
)
from score_analysis.stats.notes import parse_note_codes

NO_EID = PLAN.replace(eid=False)
V2 = PLAN.replace(inference="normal")  # the Wald intervals of plan version 2
MIN_EVENTS = PLAN.min_events

DATA = Path(__file__).parent / "data"
REL = 1e-6


def close(actual, expected, rel=REL):
    return actual == pytest.approx(expected, rel=rel)


def check(row: pd.Series, ref: dict, keys=None):
    """Every reference value in ``ref`` (or ``keys`` of it) that the row also has."""
    keys = keys or [k for k in ref if k in row.index]
    assert keys
    for key in keys:
        assert close(float(row[key]), ref[key]), (key, row[key], ref[key])


@pytest.fixture(scope="module")
def sicily() -> pd.DataFrame:
    """Lopez Bernal et al. (2017): monthly acute coronary events, ban from 2005-01."""
    raw = pd.read_csv(DATA / "sicily.csv")
    return pd.DataFrame({
        "month": [f"{y:04d}-{m:02d}" for y, m in zip(raw["year"], raw["month"], strict=True)],
        "numerator": raw["aces"], "exposure": raw["stdpop"]})


@pytest.fixture(scope="module")
def kpi() -> pd.DataFrame:
    return pd.read_csv(DATA / "kpi_eid.csv")


def by_method(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.set_index("method")


V2_KEYS = ["estimate", "ci_low", "ci_high", "p_value", "se", "se_model", "se_newey_west",
           "dispersion", "raw_dispersion", "hac_lag"]
V3_KEYS = [*V2_KEYS, "df"]


def check_v2(row: pd.Series, ref: dict):
    assert row["status"] == "ok", row["note"]
    check(row, ref, [k for k in V2_KEYS if k in ref])


def check_v3(row: pd.Series, ref: dict):
    assert row["status"] == "ok", row["note"]
    check(row, ref, [k for k in V3_KEYS if k in ref])
    for key in ("n_pre", "n_post"):
        if key in ref:
            assert row[key] == ref[key], key


# --------------------------------------------------------------------------- Sicily


def test_every_method_has_a_row(sicily):
    rows = kpi_effects(sicily, "2005-01", settings=NO_EID)
    assert list(rows.columns) == list(EFFECT_COLUMNS)
    assert rows["method"].tolist() == list(KPI_METHODS)
    assert KPI_METHODS[0] == "its_effect_end"


@pytest.mark.parametrize("method, ref", [
    ("its_effect_end", "SICILY_V3_EFFECT_END"), ("its_level", "SICILY_V3_LEVEL"),
    ("its_slope", "SICILY_V3_SLOPE"), ("rate_ratio_step", "SICILY_V3_STEP"),
])
def test_sicily_v3_rows_match_r(sicily, method, ref):
    row = by_method(kpi_effects(sicily, "2005-01", settings=NO_EID)).loc[method]
    check_v3(row, getattr(R, ref))


def test_sicily_readme_v3_table(sicily):
    """reference-data README, plan v3 table (t with 55 df): its_effect_end 0.900754
    (0.812894-0.998109), p 0.0460617; its_level 0.892531 (0.832508-0.956882), p 0.00184335;
    its_slope 1.000417 (0.995800-1.005056), p 0.857356.  The estimates and limits at the
    printed digits; the p-values at 2e-5 relative: R gives 0.00184337 for the step (with its
    default stopping rule and converged alike, pinned at 1e-6 in
    test_sicily_v3_rows_match_r), one unit in the sixth digit from the printed value."""
    rows = by_method(kpi_effects(sicily, "2005-01", settings=NO_EID))
    for method, est, low, high, p in (
            ("its_effect_end", 0.900754, 0.812894, 0.998109, 0.0460617),
            ("its_level", 0.892531, 0.832508, 0.956882, 0.00184335),
            ("its_slope", 1.000417, 0.995800, 1.005056, 0.857356)):
        row = rows.loc[method]
        assert row["estimate"] == pytest.approx(est, abs=1e-6), method
        assert row["ci_low"] == pytest.approx(low, abs=1e-6), method
        assert row["ci_high"] == pytest.approx(high, abs=1e-6), method
        assert row["p_value"] == pytest.approx(p, rel=2e-5), method
        assert row["df"] == 55


def test_sicily_plan_v2_is_the_normal_quantile(sicily):
    """inference = "normal" gives the Wald intervals of plan version 2 (README v2 table)."""
    rows = by_method(kpi_effects(sicily, "2005-01", settings=NO_EID.replace(
        inference="normal")))
    check_v2(rows.loc["its_level"], R.SICILY_V2_LEVEL)
    check_v2(rows.loc["its_effect_end"], R.SICILY_V2_EFFECT_END)
    check_v2(rows.loc["rate_ratio_step"], R.SICILY_V2_STEP)
    assert rows.loc["its_effect_end", "ci_low"] == pytest.approx(0.814731, abs=1e-6)
    assert rows.loc["its_level", "se_newey_west"] == pytest.approx(0.034655, abs=1e-6)


def test_sicily_naive_step_takes_the_larger_newey_west_se(sicily):
    step = by_method(kpi_effects(sicily, "2005-01", settings=NO_EID)).loc["rate_ratio_step"]
    assert step["se_newey_west"] > step["se_model"] and step["se"] == step["se_newey_west"]
    assert close(step["estimate"], R.SICILY_STEP["estimate"])


@pytest.mark.parametrize("rule, column", [("model", "se_model"),
                                          ("newey_west", "se_newey_west")])
def test_the_se_rule_of_the_settings(sicily, rule, column):
    rows = kpi_effects(sicily, "2005-01", settings=NO_EID.replace(se_rule=rule))
    ok = rows[rows["status"] == "ok"]
    np.testing.assert_array_equal(ok["se"], ok[column])
    step = by_method(rows).loc["rate_ratio_step"]
    # the step's Newey-West SE is the larger: the model rule gives a narrower interval
    wider = by_method(kpi_effects(sicily, "2005-01", settings=NO_EID)).loc["rate_ratio_step"]
    if rule == "model":
        assert step["ci_high"] < wider["ci_high"]
    else:
        assert step["ci_high"] == pytest.approx(wider["ci_high"], rel=1e-12)


def test_sicily_harmonic_sensitivity_row(sicily):
    row = by_method(kpi_effects(sicily, "2005-01", settings=NO_EID)).loc[
        "its_effect_end_harmonic"]
    assert row["status"] == "ok"
    assert row["terms"] == "t + post + t_after + harmonic"
    assert row["df"] == 59 - 8
    # the step of the same fit is the published harmonic model's (its_level of v1)
    coef = rate_model_coefficients(sicily, "2005-01", terms=("t", "post", "t_after"),
                                   harmonic=True, settings=V2).set_index("term")
    check(coef.loc["post"], R.SICILY_ITS_H_LEVEL, ["estimate", "ci_low", "ci_high", "p_value",
                                                  "dispersion"])
    assert close(coef.loc["post", "se"], R.SICILY_ITS_H_LEVEL["std_error"])  # model SE larger


def test_sicily_main_model_without_slope_change_matches_r(sicily):
    """The tutorial's main model ``t + post + H`` (not a results row), via the helper, with
    the normal quantile of the published table."""
    coef = rate_model_coefficients(sicily, "2005-01", terms=("t", "post"), harmonic=True,
                                   settings=V2)
    assert list(coef.columns) == list(COEFFICIENT_COLUMNS)
    assert list(coef["term"]) == ["const", "t", "post", "sin1", "cos1", "sin2", "cos2"]
    post = coef.set_index("term").loc["post"]
    assert post["se_used"] == "model"
    check(post, R.SICILY_MAIN_H_LEVEL, ["estimate", "ci_low", "ci_high", "p_value",
                                         "dispersion"])
    assert (coef["n"] == 59).all()
    assert (coef["se"] == coef[["se_model", "se_newey_west"]].max(axis=1)).all()


@pytest.mark.parametrize("terms, estimate, low, high, p, dispersion", [
    # the published table of the reference data (Lopez Bernal et al. 2017 data, R 4.2.2,
    # normal quantile), at the digits it prints
    (("t", "post", "t_after"), 0.892531, 0.833784, 0.955417, 0.00106485, 3.6214),
    (("post",), 1.033844, 0.992118, 1.077326, 0.113309, 5.2004),
])
def test_sicily_published_table(sicily, terms, estimate, low, high, p, dispersion):
    """Within one unit of the last printed digit (the model-based SE, as the published
    table: the Newey-West rule is not part of it)."""
    row = rate_model_coefficients(sicily, "2005-01", terms=terms,
                                  settings=V2.replace(se_rule="model")).set_index(
        "term").loc["post"]
    assert row["estimate"] == pytest.approx(estimate, abs=1e-6)
    assert row["ci_low"] == pytest.approx(low, abs=1e-6)
    assert row["ci_high"] == pytest.approx(high, abs=1e-6)
    assert row["p_value"] == pytest.approx(p, rel=2e-5)
    assert row["dispersion"] == pytest.approx(dispersion, abs=5e-5)


def test_sicily_naive_contrast(sicily):
    """The worked example of docs/analysis_plan.md: the naive comparison finds nothing, the
    segmented regression a 10% drop at the end of the series."""
    rows = by_method(kpi_effects(sicily, "2005-01", settings=NO_EID))
    assert rows.loc["rate_ratio_step", "estimate"] > 1
    assert rows.loc["rate_ratio_step", "p_value"] > 0.05
    assert rows.loc["its_effect_end", "estimate"] < 0.91
    assert rows.loc["its_effect_end", "p_value"] < 0.05


# --------------------------------------------------------------------------- KPI fixture


def test_kpi_fixture_months_left_out_and_counted(kpi):
    rows = by_method(kpi_effects(kpi, "2010-01"))
    for method in ("its_effect_end", "its_level", "its_slope", "rate_ratio_step",
                   "its_effect_end_harmonic"):
        assert rows.loc[method, "n_pre"] == 11 and rows.loc[method, "n_post"] == 17
    assert rows["note"].str.contains("1 month(s) without a numerator or a non-zero exposure",
                                     regex=False).all()
    assert rows["note_code"].str.contains("months_left_out(months=1)", regex=False).all()


@pytest.mark.parametrize("method, ref", [
    ("its_effect_end", "KPI_V3_EFFECT_END"), ("its_level", "KPI_V3_LEVEL"),
    ("its_slope", "KPI_V3_SLOPE"), ("its_effect_end_harmonic", "KPI_V3_HARMONIC"),
    ("its_effect_end_phase_in", "KPI_V3_PHASE_IN"), ("its_effect_end_no_eid", "KPI_V3_NO_EID"),
    ("placebo_effect_end", "KPI_V3_PLACEBO"), ("rate_ratio_step", "KPI_V3_STEP"),
])
def test_kpi_v3_rows_match_r(kpi, method, ref):
    row = by_method(kpi_effects(kpi, "2010-01")).loc[method]
    check_v3(row, getattr(R, ref))
    assert row["se"] == max(row["se_model"], row["se_newey_west"])


@pytest.mark.parametrize("method, ref", [
    ("its_level", "KPI_V2_LEVEL"), ("its_slope", "KPI_V2_SLOPE"),
    ("its_effect_end", "KPI_V2_EFFECT_END"), ("rate_ratio_step", "KPI_V2_STEP"),
])
def test_kpi_normal_inference_matches_plan_v2(kpi, method, ref):
    check_v2(by_method(kpi_effects(kpi, "2010-01", settings=V2)).loc[method],
             getattr(R, ref))


def test_tjokro_t_inference_matches_r():
    """One shipped enterprise (tests/data/kpi_tjokro.csv): absenteeism on t with 20 df.  Its
    step was p = 0.0041 with the normal quantile of plan version 2; on t it is 0.0094."""
    tj = pd.read_csv(DATA / "kpi_tjokro.csv", dtype={"month": str})
    series = tj.rename(columns={"workdays_absent": "numerator",
                                "workdays_scheduled": "exposure"})
    rows = by_method(kpi_effects(series[["month", "numerator", "exposure", "eid"]], "2010-04",
                                 multiplier=100.0))
    for method, ref in (("its_effect_end", R.TJOKRO_V3_ABSENT_EFFECT_END),
                        ("its_level", R.TJOKRO_V3_ABSENT_LEVEL),
                        ("its_slope", R.TJOKRO_V3_ABSENT_SLOPE)):
        check_v3(rows.loc[method], ref)
    assert rows.loc["its_level", "p_value"] == pytest.approx(0.0094, abs=5e-5)
    v2 = by_method(kpi_effects(series[["month", "numerator", "exposure", "eid"]], "2010-04",
                               settings=V2)).loc["its_level"]
    assert v2["p_value"] == pytest.approx(0.0041, abs=5e-5)


def test_kpi_row_terms_and_notes(kpi):
    rows = by_method(kpi_effects(kpi, "2010-01"))
    assert rows.loc["its_effect_end", "terms"] == "t + post + t_after + eid"
    assert rows.loc["rate_ratio_step", "terms"] == "post + eid"
    assert rows.loc["its_effect_end_harmonic", "terms"] == "t + post + t_after + eid + harmonic"
    assert rows.loc["its_effect_end_no_eid", "terms"] == "t + post + t_after"
    span = int(R.KPI_V3_EFFECT_END["span"])
    codes = {m: [n.code for n in parse_note_codes(c)] for m, c in rows["note_code"].items()}
    assert f"{span} months after the start" in rows.loc["its_effect_end", "note"]
    assert f"effect_at_last_month(months={span})" in rows.loc["its_effect_end", "note_code"]
    assert "placebo(start=2009-06)" in rows.loc["placebo_effect_end", "note_code"]  # tp = 5
    assert codes["rate_ratio_step"][0] == "naive_step"
    assert codes["its_effect_end_phase_in"][0] == "sensitivity_phase_in"
    assert "sensitivity_harmonic(pairs=2)" in rows.loc["its_effect_end_harmonic", "note_code"]
    # the notes are the English text of the codes
    for _, row in rows.iterrows():
        assert row["note"] == "; ".join(n.text for n in parse_note_codes(row["note_code"]))


def test_the_effect_at_the_end_combines_step_and_slope(kpi):
    rows = by_method(kpi_effects(kpi, "2010-01"))
    span = R.KPI_V3_EFFECT_END["span"]
    level, slope, end = (rows.loc[m, "estimate"] for m in ("its_level", "its_slope",
                                                           "its_effect_end"))
    assert end == pytest.approx(level * slope**span, rel=1e-12)


def test_kpi_eid_coefficient_matches_r(kpi):
    coef = rate_model_coefficients(kpi, "2010-01", terms=("t", "post", "t_after", "eid"))
    assert close(coef.set_index("term").loc["eid", "estimate"], R.KPI_ITS_LEVEL_EID["eid_ratio"])


def test_coefficients_default_to_the_published_model(kpi):
    """rate_model_coefficients without terms fits the model of its_effect_end, eid included
    when the eid rule lets it in (here it does)."""
    default = rate_model_coefficients(kpi, "2010-01")
    assert list(default["term"]) == ["const", "t", "post", "t_after", "eid"]
    post = default.set_index("term").loc["post"]
    assert close(post["estimate"], R.KPI_V3_LEVEL["estimate"])
    assert close(post["p_value"], R.KPI_V3_LEVEL["p_value"])
    assert post["df"] == R.KPI_V3_LEVEL["df"]
    no_eid = rate_model_coefficients(kpi, "2010-01", settings=NO_EID)
    assert "eid" not in set(no_eid["term"])


def test_newey_west_standard_errors_match_r(kpi, sicily):
    """The Newey-West SE (lmtest::coeftest with sandwich::NeweyWest) of every row."""
    rows = by_method(kpi_effects(kpi, "2010-01"))
    assert close(rows.loc["its_level", "se_newey_west"], R.KPI_ITS_LEVEL_HAC["std_error"])
    assert rows.loc["its_level", "hac_lag"] == R.KPI_ITS_LEVEL_HAC["hac_lag"]
    rows = by_method(kpi_effects(sicily, "2005-01", settings=NO_EID))
    assert close(rows.loc["its_level", "se_newey_west"], R.SICILY_ITS_LEVEL_HAC["std_error"])


def test_a_fixed_newey_west_lag_from_the_settings(kpi):
    rows = by_method(kpi_effects(kpi, "2010-01", settings=PLAN.replace(newey_west_lag=5)))
    assert (rows.loc[rows["status"] == "ok", "hac_lag"] == 5).all()
    assert not close(rows.loc["its_level", "se_newey_west"], R.KPI_ITS_LEVEL_HAC["std_error"])


def test_dispersion_is_floored_at_one():
    """An underdispersed series: the Pearson dispersion is 0.015, the plan uses 1, so the
    interval is the Poisson one, never narrower."""
    series = pd.read_csv(DATA / "kpi_underdispersed.csv")
    row = by_method(kpi_effects(series, "2010-01", settings=NO_EID)).loc["its_effect_end"]
    check_v3(row, R.UNDERDISPERSED_V3_EFFECT_END)
    assert row["dispersion"] == 1.0 and row["raw_dispersion"] < 1
    level = by_method(kpi_effects(series, "2010-01", settings=NO_EID.replace(
        inference="normal"))).loc["its_level"]
    check_v2(level, R.UNDERDISPERSED_V2_LEVEL)


def test_standard_error_is_never_below_either(kpi, sicily):
    for frame in (kpi_effects(kpi, "2010-01"), kpi_effects(sicily, "2005-01", settings=NO_EID)):
        ok = frame[frame["status"] == "ok"]
        assert len(ok) == len(KPI_METHODS)
        np.testing.assert_array_equal(ok["se"], ok[["se_model", "se_newey_west"]].max(axis=1))
        assert (ok["dispersion"] >= 1).all()


def test_kpi_pooled_rates_and_multiplier(kpi):
    rows = kpi_effects(kpi, "2010-01", multiplier=100.0)
    assert close(rows["pre_value"].iloc[0], 100 * R.KPI_POOLED_RATES["pre_value"])
    assert close(rows["post_value"].iloc[0], 100 * R.KPI_POOLED_RATES["post_value"])


def test_gap_keeps_the_month_numbering(kpi):
    """t counts calendar months: dropping a month must not shift the later ones."""
    coef = rate_model_coefficients(kpi, "2010-01", terms=("t", "post", "t_after", "eid"))
    renumbered = kpi[kpi["exposure"] > 0].reset_index(drop=True)
    # the same months, written as if consecutive, give a different trend estimate
    months = pd.period_range("2009-01", periods=len(renumbered), freq="M").strftime("%Y-%m")
    shifted = renumbered.assign(month=months, eid=kpi.loc[kpi["exposure"] > 0, "month"]
                                .isin(["2009-09", "2010-09", "2011-08"]).astype(int).to_numpy())
    other = rate_model_coefficients(shifted, "2009-12", terms=("t", "post", "t_after", "eid"))
    assert not close(coef.set_index("term").loc["t", "estimate"],
                     other.set_index("term").loc["t", "estimate"], rel=1e-9)


def test_diagnostics_of_a_fit_match_r(kpi):
    data = model_data(kpi, "2010-01")
    assert list(data.columns[:3]) == ["month", "numerator", "exposure"]
    fit = fit_rate_model(data, ["t", "post", "t_after", "eid"])
    check(pd.Series(its_diagnostics(fit)), R.KPI_ITS_LEVEL_EID, ["durbin_watson", "ljung_box_p"])
    assert close(fit.raw_dispersion, R.KPI_ITS_LEVEL_EID["dispersion"])
    assert fit.df_resid == R.KPI_V3_LEVEL["df"]
    rows = by_method(kpi_effects(kpi, "2010-01"))
    check(rows.loc["its_effect_end"], R.KPI_ITS_LEVEL_EID, ["durbin_watson", "ljung_box_p"])
    other = its_diagnostics(fit, PLAN.replace(ljung_box_lag=3))
    assert other["durbin_watson"] == pytest.approx(R.KPI_ITS_LEVEL_EID["durbin_watson"])
    assert not close(other["ljung_box_p"], R.KPI_ITS_LEVEL_EID["ljung_box_p"])


# --------------------------------------------------------------------------- eid rule


def test_eid_enters_with_an_eid_month_and_another_month(kpi):
    """One Idul Fitri month (here only before the programme) is enough."""
    only_before = kpi[kpi["month"] < "2010-07"]  # the 2010-09 and 2011-08 peaks cut off
    rows = by_method(kpi_effects(only_before, "2010-01"))
    assert rows.loc["rate_ratio_step", "terms"] == "post + eid"
    # the placebo uses months before the programme, which hold 2009-09
    assert rows.loc["placebo_effect_end", "terms"].endswith("+ eid")
    no_eid = kpi[~kpi["month"].isin(["2009-09", "2010-09", "2011-08"])]
    rows = by_method(kpi_effects(no_eid, "2010-01"))
    assert rows.loc["its_effect_end", "terms"] == "t + post + t_after"


def test_the_eid_setting_keeps_the_term_out(kpi):
    rows = by_method(kpi_effects(kpi, "2010-01", settings=NO_EID))
    assert rows.loc["its_effect_end", "terms"] == "t + post + t_after"
    assert rows.loc["rate_ratio_step", "terms"] == "post"
    check(rows.loc["rate_ratio_step"], R.KPI_STEP_NO_EID, ["estimate", "dispersion"])


def test_explicit_eid_column_is_used(kpi):
    rows = by_method(kpi_effects(kpi.assign(eid=0), "2010-01"))
    assert rows.loc["rate_ratio_step", "terms"] == "post"
    check(rows.loc["rate_ratio_step"], R.KPI_STEP_NO_EID, ["estimate", "dispersion"])


def test_eid_months_all_zero_are_a_note_not_a_failure():
    months = pd.period_range("2009-01", "2011-01", freq="M").strftime("%Y-%m")
    rng = np.random.default_rng(1)
    num = rng.poisson(4, len(months)).astype(float) + 1
    num[np.isin(months, ["2009-09", "2010-09"])] = 0
    series = pd.DataFrame({"month": months, "numerator": num, "exposure": 100.0})
    rows = by_method(kpi_effects(series, "2010-04"))
    assert rows.loc["rate_ratio_step", "status"] == "ok"
    assert "every Idul Fitri month is zero" in rows.loc["rate_ratio_step", "note"]
    assert "eid_all_zero" in rows.loc["rate_ratio_step", "note_code"]
    # the limit of the eid model: the other months alone
    rest = series[~series["month"].isin(["2009-09", "2010-09"])]
    alone = by_method(kpi_effects(rest, "2010-04", settings=NO_EID))
    for method in ("rate_ratio_step", "its_effect_end"):
        assert close(rows.loc[method, "estimate"], alone.loc[method, "estimate"], rel=1e-9)
        assert close(rows.loc[method, "se"], alone.loc[method, "se"], rel=1e-9)


# --------------------------------------------------------------------------- minimum data


def series_of(pre: int, post: int, *, rate=None, seed=0) -> pd.DataFrame:
    months = pd.period_range(end="2010-03", periods=pre, freq="M").append(
        pd.period_range("2010-04", periods=post, freq="M")).strftime("%Y-%m")
    rng = np.random.default_rng(seed)
    exposure = rng.integers(900, 1100, pre + post).astype(float)
    num = rng.poisson(exposure * 0.05) if rate is None else exposure * rate
    return pd.DataFrame({"month": months, "numerator": num, "exposure": exposure})


@pytest.mark.parametrize("pre, post, step_ok, its_ok", [
    (3, 3, True, False), (2, 9, False, False), (9, 2, False, False),
    (6, 6, True, True), (5, 9, True, False), (9, 5, True, False),
])
def test_minimum_months_either_side(pre, post, step_ok, its_ok):
    rows = by_method(kpi_effects(series_of(pre, post), "2010-04", settings=NO_EID))
    assert (rows.loc["rate_ratio_step", "status"] == "ok") is step_ok
    for method in ("its_effect_end", "its_level", "its_slope", "its_effect_end_harmonic"):
        assert (rows.loc[method, "status"] == "ok") is its_ok
    for method in ("rate_ratio_step", "its_effect_end", "its_slope"):
        row = rows.loc[method]
        if row["status"] != "ok":
            assert row["status"] == "insufficient_data"
            assert f"has {pre} before and {post} after" in row["note"]
            assert np.isnan(row["estimate"]) and np.isnan(row["p_value"])
            # the rates are still given
            assert np.isfinite(row["pre_value"]) and np.isfinite(row["post_value"])
        else:
            assert np.isfinite(row[["estimate", "ci_low", "ci_high", "p_value"]]
                               .astype(float)).all()


def test_minimum_months_follow_the_settings():
    rows = by_method(kpi_effects(series_of(5, 9), "2010-04",
                                 settings=NO_EID.replace(min_months_its=5)))
    assert rows.loc["its_effect_end", "status"] == "ok"
    rows = by_method(kpi_effects(series_of(6, 6), "2010-04",
                                 settings=NO_EID.replace(min_months_its=7)))
    assert rows.loc["its_effect_end", "status"] == "insufficient_data"
    assert "too_few_months(needed=7,before=6,after=6)" in rows.loc["its_effect_end",
                                                                   "note_code"]


def test_phase_in_needs_six_months_after_the_phase_in():
    rows = by_method(kpi_effects(series_of(12, 8), "2010-04", settings=NO_EID))
    assert rows.loc["its_effect_end", "status"] == "ok"
    phase = rows.loc["its_effect_end_phase_in"]
    assert phase["status"] == "insufficient_data" and phase["n_post"] == 5
    assert "has 12 before and 5 after" in phase["note"]
    rows = by_method(kpi_effects(series_of(12, 9), "2010-04", settings=NO_EID))
    assert rows.loc["its_effect_end_phase_in", "status"] == "ok"
    assert rows.loc["its_effect_end_phase_in", "n_post"] == 6


def test_phase_in_months_follow_the_settings():
    """phase_in_months = 1 leaves out one month: the row uses 8 of 9 months after, and its
    effect is at the last month, 7 months after the new start."""
    settings = NO_EID.replace(phase_in_months=1)
    rows = by_method(kpi_effects(series_of(12, 9), "2010-04", settings=settings))
    phase = rows.loc["its_effect_end_phase_in"]
    assert phase["n_post"] == 8
    assert "sensitivity_phase_in(months=1)" in phase["note_code"]
    assert "effect_at_last_month(months=7)" in phase["note_code"]


def test_placebo_needs_four_months_each_side():
    rows = by_method(kpi_effects(series_of(7, 8), "2010-04", settings=NO_EID))
    placebo = rows.loc["placebo_effect_end"]
    assert placebo["status"] == "insufficient_data"  # 3 before and 4 after tp
    assert "has 3 before and 4 after" in placebo["note"]
    rows = by_method(kpi_effects(series_of(8, 8), "2010-04", settings=NO_EID))
    assert rows.loc["placebo_effect_end", "status"] == "ok"
    assert rows.loc["placebo_effect_end", "n_pre"] == 4
    assert rows.loc["placebo_effect_end", "n_post"] == 4


@pytest.mark.parametrize("before, after, fits", [
    (10, 10, True), (9, 30, False), (30, 9, False), (0, 0, False), (3, 0, False),
])
def test_events_rule(before, after, fits):
    """A model needs at least 10 events before and 10 after; otherwise the row says how
    many there were, and the pooled rates are still given."""
    base = series_of(12, 12)
    num = np.zeros(24)
    num[:12] = np.bincount(np.arange(before) % 12, minlength=12)
    num[12:] = np.bincount(np.arange(after) % 12, minlength=12)
    rows = by_method(kpi_effects(base.assign(numerator=num), "2010-04", settings=NO_EID))
    for method in ("its_effect_end", "rate_ratio_step"):
        row = rows.loc[method]
        if fits:
            assert row["status"] == "ok" or "too few events" not in row["note"]
        else:
            assert row["status"] == "insufficient_data"
            assert (f"too few events ({before} before, {after} after; a model needs "
                    f"{MIN_EVENTS} on each side)") in row["note"]
            assert np.isnan(row["estimate"])
            assert close(row["pre_value"], before / base["exposure"][:12].sum())
    exact = rows.index == "rate_ratio_exact"
    # the exact comparison where the primary fails the events rule and an event was recorded
    assert bool(exact.any()) is (not fits and before + after > 0)


def test_the_events_rule_follows_the_settings():
    base = series_of(12, 12)
    num = np.r_[np.full(12, 1.0), np.full(12, 2.0)]  # 12 before, 24 after
    rows = by_method(kpi_effects(base.assign(numerator=num), "2010-04",
                                 settings=NO_EID.replace(min_events=15)))
    assert rows.loc["its_effect_end", "status"] == "insufficient_data"
    assert "too_few_events(before=12,after=24,needed=15)" in rows.loc["its_effect_end",
                                                                      "note_code"]
    assert "rate_ratio_exact" in rows.index


def test_exact_comparison_of_sparse_counts():
    """Tjokro's suggestions: 5 before, 67 after; the primary fails the events rule, so the
    exact comparison (poisson.test) is given, labelled descriptive."""
    tj = pd.read_csv(DATA / "kpi_tjokro.csv", dtype={"month": str})
    series = tj.rename(columns={"suggestions_submitted": "numerator", "headcount": "exposure"})
    rows = by_method(kpi_effects(series[["month", "numerator", "exposure", "eid"]], "2010-04",
                                 multiplier=100.0))
    assert rows.loc["its_effect_end", "status"] == "insufficient_data"
    assert rows.loc["rate_ratio_step", "status"] == "insufficient_data"
    exact = rows.loc["rate_ratio_exact"]
    ref = R.TJOKRO_SUGGESTIONS_EXACT
    assert exact["status"] == "ok" and exact["estimate_scale"] == "rate_ratio"
    check(exact, ref, ["estimate", "ci_low", "ci_high", "p_value", "pre_value", "post_value"])
    assert exact["note_code"].startswith("exact_rates; events_counted(before=5,after=67)")
    assert "a description, not evidence of an effect" in exact["note"]
    assert np.isnan(exact["se"])


def test_exact_comparison_with_no_event_before():
    base = series_of(12, 12)
    num = np.r_[np.zeros(12), np.ones(12)]  # none before, 12 after
    rows = by_method(kpi_effects(base.assign(numerator=num), "2010-04", settings=NO_EID))
    exact = rows.loc["rate_ratio_exact"]
    assert np.isinf(exact["estimate"]) and np.isinf(exact["ci_high"])
    assert 0 < exact["ci_low"] < np.inf
    assert "no_event_before" in exact["note_code"]


def test_exact_comparison_matches_poisson_test():
    """reference-data README: poisson.test(c(67, 5), c(1720, 2520)) = 19.632558
    (8.007579 - 62.425432), p 6.09599e-21; and the two edge cases."""
    from score_analysis.stats.exact import poisson_rate_ratio

    got = poisson_rate_ratio(67, 1720, 5, 2520)
    check(pd.Series(got), R.POISSON_EXACT)
    for key, value in (("estimate", 19.632558), ("ci_low", 8.007579), ("ci_high", 62.425432)):
        assert got[key] == pytest.approx(value, abs=1e-6), key
    assert got["p_value"] == pytest.approx(6.09599e-21, rel=1e-5)
    none_before = poisson_rate_ratio(8, 1000, 0, 1200)
    assert np.isinf(none_before["estimate"]) and np.isinf(none_before["ci_high"])
    assert R.POISSON_EXACT_NONE_BEFORE["estimate_is_inf"]
    check(pd.Series(none_before), R.POISSON_EXACT_NONE_BEFORE, ["ci_low", "p_value"])
    check(pd.Series(poisson_rate_ratio(0, 1000, 3, 900)), R.POISSON_EXACT_NONE_AFTER,
          ["ci_high", "p_value"])
    assert poisson_rate_ratio(0, 1000, 3, 900)["estimate"] == 0
    for bad in ((1.5, 10, 2, 10), (0, 10, 0, 10), (1, 0, 2, 10), (-1, 10, 2, 10)):
        with pytest.raises(ValueError):
            poisson_rate_ratio(*bad)


def test_no_exact_row_when_the_primary_is_estimable(kpi):
    assert "rate_ratio_exact" not in set(kpi_effects(kpi, "2010-01")["method"])


def test_events_confined_to_one_end_of_the_series():
    """Events only in the last month before the programme make the pre trend run off to
    infinity."""
    num = np.r_[np.zeros(11), 12.0, np.full(12, 3.0)]
    rows = by_method(kpi_effects(series_of(12, 12, seed=3).assign(numerator=num), "2010-04",
                                 settings=NO_EID))
    assert rows.loc["rate_ratio_step", "status"] == "ok"
    assert rows.loc["its_effect_end", "status"] == "insufficient_data"
    assert "confined to part of the series" in rows.loc["its_effect_end", "note"]
    assert "rate_ratio_exact" not in rows.index  # the step is estimable


def test_constant_rate_has_no_uncertainty():
    rows = kpi_effects(series_of(12, 12, rate=0.05), "2010-04", settings=NO_EID)
    assert (rows["status"] == "insufficient_data").all()
    assert rows["note"].str.contains("the rate is the same in every month").all()


def test_zero_exposure_months_are_left_out():
    base = series_of(12, 12)
    rows = kpi_effects(base.assign(exposure=np.r_[0.0, 0.0, base["exposure"][2:]]),
                       "2010-04", settings=NO_EID)
    assert (rows.set_index("method").loc[["its_effect_end", "rate_ratio_step"],
                                         "n_pre"] == 10).all()
    assert rows["note"].str.contains("2 month(s)", regex=False).all()
    none = kpi_effects(base.assign(exposure=0.0), "2010-04")
    assert (none["status"] == "not_reported").all()
    assert none["note"].str.contains("no month with both numerator").all()


def test_missing_values_are_left_out():
    base = series_of(12, 12)
    rows = kpi_effects(base.assign(numerator=np.r_[np.nan, base["numerator"][1:]]),
                       "2010-04", settings=NO_EID)
    assert rows.set_index("method").loc["its_effect_end", "n_pre"] == 11


def test_harmonic_row_with_few_months():
    rows = by_method(kpi_effects(series_of(6, 6), "2010-04", settings=NO_EID))
    assert rows.loc["its_effect_end_harmonic", "status"] == "ok"  # 12 months, 8 coefficients
    assert rows.loc["its_effect_end_harmonic", "df"] == 4


def test_harmonic_pairs_and_minimum_months_of_the_settings():
    rows = by_method(kpi_effects(series_of(12, 12), "2010-04",
                                 settings=NO_EID.replace(harmonic_pairs=1)))
    harmonic = rows.loc["its_effect_end_harmonic"]
    assert harmonic["df"] == 24 - 6  # const, t, post, t_after, sin1, cos1
    assert "sensitivity_harmonic(pairs=1)" in harmonic["note_code"]
    rows = by_method(kpi_effects(series_of(4, 9), "2010-04",
                                 settings=NO_EID.replace(min_months_step=5)))
    assert rows.loc["rate_ratio_step", "status"] == "insufficient_data"
    rows = by_method(kpi_effects(series_of(8, 8), "2010-04",
                                 settings=NO_EID.replace(min_months_placebo=5)))
    assert rows.loc["placebo_effect_end", "status"] == "insufficient_data"


def test_warnings_of_a_fit_are_kept_not_silenced():
    """A fit that warns keeps its warnings in ``fit_warnings``, as R's glm.fit gives them:
    events confined to the last month before the programme make the fitted rates of the
    other months numerically 0; a quiet fit has none."""
    quiet = kpi_effects(series_of(12, 12), "2010-04", settings=NO_EID)
    assert (quiet["fit_warnings"] == "").all()
    num = np.r_[np.zeros(11), 12.0, np.full(12, 3.0)]
    rows = by_method(kpi_effects(series_of(12, 12, seed=3).assign(numerator=num), "2010-04",
                                 settings=NO_EID))
    its = rows.loc["its_effect_end"]
    assert its["status"] == "insufficient_data"
    assert "FitWarning: glm.fit: fitted rates numerically 0 occurred" in its["fit_warnings"]
    # each distinct warning once
    assert its["fit_warnings"].count("numerically 0") == 1
    assert rows.loc["rate_ratio_step", "fit_warnings"] == ""


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize("change, message", [
    ({"numerator": -1.0}, "negative"),
    ({"exposure": -5.0}, "negative"),
    ({"numerator": np.inf}, "infinite"),
    ({"numerator": "many"}, "not a number"),
    ({"month": "2010-13"}, "YYYY-MM"),
    ({"month": None}, "YYYY-MM"),
])
def test_bad_values_raise_value_error(change, message):
    series = series_of(6, 6).astype({"numerator": object, "month": object})
    for col, value in change.items():
        series.loc[3, col] = value
    with pytest.raises(ValueError, match=message):
        kpi_effects(series, "2010-04")


@pytest.mark.parametrize("kwargs, message", [
    ({"intervention_month": "April 2010"}, "intervention_month"),
    ({"intervention_month": float("nan")}, "intervention_month"),
    ({"intervention_month": "2010-04", "multiplier": 0}, "multiplier"),
])
def test_bad_options_raise_value_error(kwargs, message):
    with pytest.raises(ValueError, match=message):
        kpi_effects(series_of(6, 6), **kwargs)


def test_duplicate_months_and_missing_columns_raise():
    series = series_of(6, 6)
    with pytest.raises(ValueError, match="more than once"):
        kpi_effects(pd.concat([series, series.iloc[:1]]), "2010-04")
    with pytest.raises(ValueError, match="exposure"):
        kpi_effects(series.drop(columns="exposure"), "2010-04")
    with pytest.raises(ValueError, match="eid"):
        kpi_effects(series.assign(eid=2), "2010-04")
    with pytest.raises(ValueError, match="terms"):
        rate_model_coefficients(series, "2010-04", terms=("post", "season"))
    with pytest.raises(ValueError, match="too few"):
        fit_rate_model(model_data(series_of(2, 1), "2010-04"), ["t", "post", "t_after"])


def test_input_is_not_mutated(kpi):
    before = kpi.copy()
    kpi_fit(kpi, "2010-01")
    pd.testing.assert_frame_equal(kpi, before)


# --------------------------------------------------------------------------- lines


def test_lines_come_from_the_same_fit(kpi):
    fit = kpi_fit(kpi, "2010-01")
    assert list(fit.effects.columns) == list(EFFECT_COLUMNS)
    assert list(fit.lines.columns) == list(LINE_COLUMNS)
    pd.testing.assert_frame_equal(fit.lines, its_lines(kpi, "2010-01"))
    lines = fit.lines.set_index("month")
    pre = lines.index < "2010-01"
    # before the intervention the counterfactual is the fitted line
    np.testing.assert_allclose(lines.loc[pre, "fitted"], lines.loc[pre, "counterfactual"])
    effects = fit.effects.set_index("method")
    # at the intervention month the two differ by the level change, at the end by the
    # primary: the effect at the last month
    assert close(lines.loc["2010-01", "fitted"] / lines.loc["2010-01", "counterfactual"],
                 effects.loc["its_level", "estimate"])
    last = lines.index[-1]
    assert close(lines.loc[last, "fitted"] / lines.loc[last, "counterfactual"],
                 effects.loc["its_effect_end", "estimate"])
    observed = kpi[kpi["exposure"] > 0].set_index("month")
    np.testing.assert_allclose(lines["observed"],
                               observed["numerator"] / observed["exposure"])


def test_lines_empty_when_the_model_cannot_be_fitted():
    assert its_lines(series_of(3, 3), "2010-04").empty
    assert kpi_fit(series_of(3, 3), "2010-04").lines.empty
    assert list(its_lines(series_of(3, 3), "2010-04").columns) == list(LINE_COLUMNS)


# --------------------------------------------------------------------------- helpers


def test_the_numpy_fit_equals_statsmodels(kpi):
    """The IRLS and the Newey-West covariance written in numpy give statsmodels'
    ``GLM.fit`` and ``cov_hac(..., use_correction=True)`` (both pinned to R above)."""
    import statsmodels.api as sm
    from statsmodels.stats.sandwich_covariance import cov_hac

    from score_analysis.stats.glm import irls, newey_west_covariance

    data = model_data(kpi, "2010-01")
    X = data[["t", "post", "t_after", "eid"]].assign(const=1.0)[
        ["const", "t", "post", "t_after", "eid"]].to_numpy(float)
    y, offset = data["numerator"].to_numpy(float), np.log(data["exposure"].to_numpy(float))
    mine = irls(y, X, offset)
    theirs = sm.GLM(y, X, family=sm.families.Poisson(), offset=offset).fit(scale="X2",
                                                                          tol=1e-12)
    np.testing.assert_allclose(mine.params, theirs.params, rtol=1e-10)
    np.testing.assert_allclose(mine.cov_unscaled, theirs.normalized_cov_params, rtol=1e-8)
    for lag in (1, 3):
        np.testing.assert_allclose(newey_west_covariance(X, y, mine.mu, mine.cov_unscaled, lag),
                                   cov_hac(theirs, nlags=lag, use_correction=True), rtol=1e-8)


@pytest.mark.parametrize("n, lag", [(12, 2), (28, 3), (59, 3), (100, 4), (1000, 6)])
def test_newey_west_lag(n, lag):
    assert newey_west_lag(n) == lag
    assert newey_west_lag(n, PLAN.replace(newey_west_lag=1)) == 1


def test_harmonic_terms():
    h = harmonic_terms(np.array([3, 12]))
    assert list(h.columns) == ["sin1", "cos1", "sin2", "cos2"]
    assert h.loc[0, "sin1"] == pytest.approx(1.0)
    assert h.loc[1, "cos2"] == pytest.approx(1.0)
    with pytest.raises(ValueError):
        harmonic_terms([1], pairs=0)
