"""Random-effects pooling (SPEC §6) pinned to metafor::rma(method = "DL", test = "knha");
each value with its R call is in tests/reference_values.py.  Relative tolerance 1e-6."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import reference_values as R

from score_analysis.analysis import INTERNAL_COLUMNS
from score_analysis.contract import POOLED_COLUMNS
from score_analysis.pooling import (
    META_COLUMNS,
    MIN_K,
    POOLED_RESULT_COLUMNS,
    pooled_results,
    random_effects,
)

DATA = Path(__file__).parent / "data"
KACKER_Y = [61.0, 61.4, 62.21, 62.3, 62.34, 62.6, 62.7, 62.84, 65.9]
KACKER_V = [0.2025, 1.21, 0.09, 0.2025, 0.3844, 0.5625, 0.0676, 0.0225, 1.8225]


def check(frame: pd.DataFrame, ref: dict):
    assert list(frame.columns) == list(META_COLUMNS)
    row = frame.iloc[0]
    for key, value in ref.items():
        if value == 0:
            assert row[key] == pytest.approx(0.0, abs=1e-12), key
        else:
            assert float(row[key]) == pytest.approx(value, rel=1e-6), (key, row[key], value)


@pytest.fixture(scope="module")
def sets():
    return pd.read_csv(DATA / "pooling.csv")


def test_kacker_matches_metafor():
    check(random_effects(KACKER_Y, KACKER_V), R.KACKER_META)


def test_kacker_published_values():
    """reference-data README: estimate 62.3901386045, CI 61.7103837981-63.0698934108,
    tau^2 0.2880492470, I^2 67.744404 %."""
    row = random_effects(KACKER_Y, KACKER_V).iloc[0]
    assert row["estimate"] == pytest.approx(62.3901386045, abs=1e-9)
    assert row["ci_low"] == pytest.approx(61.7103837981, abs=1e-9)
    assert row["ci_high"] == pytest.approx(63.0698934108, abs=1e-9)
    assert row["tau2"] == pytest.approx(0.2880492470, abs=1e-9)
    assert row["i2"] == pytest.approx(67.744404, abs=1e-6)


def test_log_rate_ratios_match_metafor(sets):
    s = sets[sets["set"] == "log_rate_ratio"]
    check(random_effects(s["yi"], s["vi"]), R.LOG_RR_META)


def test_tau2_truncated_at_zero_as_metafor(sets):
    """Q < k - 1: DerSimonian-Laird's moment estimate is negative and is set to 0 (and so is
    I^2); statsmodels' combine_effects keeps the negative value, which is why the estimator
    is written out in the package."""
    from statsmodels.stats.meta_analysis import combine_effects

    s = sets[sets["set"] == "homogeneous"]
    frame = random_effects(s["yi"], s["vi"])
    check(frame, R.HOMOGENEOUS_META)
    assert frame["tau2"].iloc[0] == 0 and frame["i2"].iloc[0] == 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # its negative variances
        library = combine_effects(s["yi"].to_numpy(), s["vi"].to_numpy(), method_re="dl")
    assert library.tau2 < 0


@pytest.mark.parametrize("y, v, message", [
    ([1.0], [0.1], "at least 2"),
    ([1.0, 2.0], [0.1], "equal length"),
    ([1.0, np.nan], [0.1, 0.1], "finite"),
    ([1.0, 2.0], [0.1, 0.0], "positive"),
])
def test_bad_input_raises(y, v, message):
    with pytest.raises(ValueError, match=message):
        random_effects(y, v)


def results_rows(rows: list[dict]) -> pd.DataFrame:
    full = []
    for r in rows:
        row = dict.fromkeys(INTERNAL_COLUMNS, np.nan)
        row.update({"status": "ok", **r})
        full.append(row)
    return pd.DataFrame(full, columns=list(INTERNAL_COLUMNS))


def test_pooled_results_on_the_log_scale(sets):
    s = sets[sets["set"] == "log_rate_ratio"].reset_index(drop=True)
    rows = [{"enterprise_id": f"e{i}", "domain": "kpi", "indicator": "reject_rate",
             "method": "rate_ratio_step", "estimate": float(np.exp(y)),
             "std_error": float(np.sqrt(v))}
            for i, (y, v) in enumerate(zip(s["yi"], s["vi"], strict=True))]
    # rows that must not count: another method, a row that is not ok
    rows += [{"enterprise_id": "e0", "domain": "kpi", "indicator": "reject_rate",
              "method": "its_level", "estimate": 0.1, "std_error": 0.01},
             {"enterprise_id": "e9", "domain": "kpi", "indicator": "reject_rate",
              "method": "rate_ratio_step", "status": "insufficient_data"}]
    pooled = pooled_results(results_rows(rows))
    assert list(pooled.columns) == list(POOLED_RESULT_COLUMNS)
    assert list(pooled.columns[:len(POOLED_COLUMNS)]) == list(POOLED_COLUMNS)
    row = pooled.iloc[0]
    assert row["k"] == 5 and row["estimate_scale"] == "rate_ratio"
    assert row["estimate"] == pytest.approx(np.exp(R.LOG_RR_META["estimate"]), rel=1e-6)
    assert row["ci_low"] == pytest.approx(np.exp(R.LOG_RR_META["ci_low"]), rel=1e-6)
    assert row["ci_high"] == pytest.approx(np.exp(R.LOG_RR_META["ci_high"]), rel=1e-6)
    assert row["p_value"] == pytest.approx(R.LOG_RR_META["p_value"], rel=1e-6)
    assert row["tau2"] == pytest.approx(R.LOG_RR_META["tau2"], rel=1e-6)
    assert row["i2"] == pytest.approx(R.LOG_RR_META["i2"], rel=1e-6)
    assert row["method"] == "random_effects_dl_hksj"


def test_pooled_results_score_differences_and_too_few():
    rows = [{"enterprise_id": f"e{i}", "domain": "survey", "indicator": "communication",
             "method": m, "estimate": y, "std_error": np.sqrt(v)}
            for i, (y, v, m) in enumerate(zip(KACKER_Y, KACKER_V,
                                              ["paired_t", "welch_t"] * 5, strict=False))]
    rows += [{"enterprise_id": f"e{i}", "domain": "five_s", "indicator": "five_s_index",
              "method": "paired_t", "estimate": 10.0 * i, "std_error": 2.0}
             for i in range(MIN_K - 1)]
    pooled = pooled_results(results_rows(rows)).set_index("indicator")
    survey = pooled.loc["communication"]
    assert survey["estimate_scale"] == "difference" and survey["k"] == 9
    assert survey["estimate"] == pytest.approx(R.KACKER_META["estimate"], rel=1e-6)
    five_s = pooled.loc["five_s_index"]
    assert five_s["k"] == MIN_K - 1
    assert np.isnan(five_s["estimate"]) and np.isnan(five_s["p_value"])
    assert "pooling needs at least 3" in five_s["note"]


def test_pooled_results_lists_indicators_nobody_estimated():
    rows = [{"enterprise_id": "e1", "domain": "kpi", "indicator": "rework_rate",
             "method": "rate_ratio_step", "status": "not_reported"}]
    pooled = pooled_results(results_rows(rows))
    assert pooled["k"].tolist() == [0]
    assert "0 enterprise(s)" in pooled["note"].iloc[0]
