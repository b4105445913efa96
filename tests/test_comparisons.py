"""Score comparisons (docs/analysis_plan.md) pinned to R: each value with its R call is in
tests/reference_values.py (made by tests/r/reference.R).  Relative tolerance 1e-6."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import reference_values as R

from score_analysis.stats.comparisons import (
    COMPARISON_COLUMNS,
    cronbach_alpha,
    friedman,
    mann_whitney,
    paired_t,
    welch_t,
    wilcoxon_signed_rank,
)

DATA = Path(__file__).parent / "data"
REL = 1e-6

# R's sleep data (Cushny & Peebles 1905): extra hours of sleep, drug 1 and drug 2.
SLEEP_1 = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0]
SLEEP_2 = [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4]
# Hollander & Wolfe (1973) p. 29: depression scale at the first (x) and second (y) visit.
DEPRESSION_X = [1.83, 0.50, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.30]
DEPRESSION_Y = [0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.14, 1.29]
# Hollander & Wolfe (1973) p. 69, the two-sample example of ?wilcox.test.
HW_X = [0.80, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46]
HW_Y = [1.15, 0.88, 0.90, 0.74, 1.21]
# ?friedman.test: RoundingTimes (Hollander & Wolfe 1973 p. 140), 22 players x 3 methods.
ROUNDING = [[5.40, 5.50, 5.55], [5.85, 5.70, 5.75], [5.20, 5.60, 5.50], [5.55, 5.50, 5.40],
            [5.90, 5.85, 5.70], [5.45, 5.55, 5.60], [5.40, 5.40, 5.35], [5.45, 5.50, 5.35],
            [5.25, 5.15, 5.00], [5.85, 5.80, 5.70], [5.25, 5.20, 5.10], [5.65, 5.55, 5.45],
            [5.60, 5.35, 5.45], [5.05, 5.00, 4.95], [5.50, 5.50, 5.40], [5.45, 5.55, 5.50],
            [5.55, 5.55, 5.35], [5.45, 5.50, 5.55], [5.50, 5.45, 5.25], [5.65, 5.60, 5.40],
            [5.70, 5.65, 5.55], [6.30, 6.30, 6.25]]


def check(frame: pd.DataFrame, ref: dict):
    assert list(frame.columns) == list(COMPARISON_COLUMNS)
    row = frame.iloc[0]
    assert row["status"] == "ok"
    for key, value in ref.items():
        if key not in row.index:
            continue
        if isinstance(value, bool):
            assert bool(row[key]) is value, key
        elif value == 0:
            assert row[key] == pytest.approx(0.0, abs=1e-12), key
        else:
            assert float(row[key]) == pytest.approx(value, rel=REL), (key, row[key], value)


@pytest.fixture(scope="module")
def five_s():
    return pd.read_csv(DATA / "five_s_pairs.csv")


@pytest.fixture(scope="module")
def unmatched():
    u = pd.read_csv(DATA / "survey_unmatched.csv")
    return u.loc[u["wave"] == "baseline", "score"], u.loc[u["wave"] == "followup", "score"]


# --------------------------------------------------------------------------- published


def test_sleep_paired_t_matches_r():
    check(paired_t(SLEEP_1, SLEEP_2), R.SLEEP_PAIRED_T)


def test_sleep_published_values():
    """reference-data README: t = 4.0621, df = 9, p = 0.002833, CI 0.7001142-2.4598858."""
    row = paired_t(SLEEP_1, SLEEP_2).iloc[0]
    assert row["statistic"] == pytest.approx(4.0621, abs=5e-5)
    assert row["p_value"] == pytest.approx(0.002833, abs=5e-7)
    assert row["ci_low"] == pytest.approx(0.7001142, abs=5e-8)
    assert row["ci_high"] == pytest.approx(2.4598858, abs=5e-8)
    w = wilcoxon_signed_rank(SLEEP_1, SLEEP_2).iloc[0]
    assert w["statistic"] == 45
    assert w["p_value"] == pytest.approx(0.009091, abs=5e-7)


def test_sleep_wilcoxon_matches_r_not_scipy_default():
    from scipy import stats

    check(wilcoxon_signed_rank(SLEEP_1, SLEEP_2), R.SLEEP_WILCOXON)
    row = wilcoxon_signed_rank(SLEEP_1, SLEEP_2).iloc[0]
    assert not row["exact"]  # a zero and ties: normal approximation
    scipy_default = stats.wilcoxon(np.subtract(SLEEP_2, SLEEP_1)).pvalue
    assert scipy_default != pytest.approx(row["p_value"], rel=1e-2)


def test_wilcoxon_exact_branch_matches_r():
    frame = wilcoxon_signed_rank(DEPRESSION_X, DEPRESSION_Y)
    check(frame, R.DEPRESSION_WILCOXON_EXACT)
    assert frame["statistic"].iloc[0] == 5


def test_mann_whitney_exact_branch_matches_r():
    check(mann_whitney(HW_Y, HW_X), R.HW_MANN_WHITNEY_EXACT)


def test_friedman_rounding_times_matches_r():
    check(friedman(pd.DataFrame(ROUNDING)), R.ROUNDING_FRIEDMAN)
    row = friedman(pd.DataFrame(ROUNDING)).iloc[0]
    assert row["statistic"] == pytest.approx(11.143, abs=5e-4)  # published
    assert row["p_value"] == pytest.approx(0.003805, abs=5e-7)


# --------------------------------------------------------------------------- own fixtures


def test_five_s_paired_t_matches_r(five_s):
    check(paired_t(five_s["before"], five_s["after"]), R.FIVE_S_PAIRED_T)


def test_five_s_wilcoxon_with_zeros_and_ties_matches_r(five_s):
    frame = wilcoxon_signed_rank(five_s["before"], five_s["after"])
    check(frame, R.FIVE_S_WILCOXON)
    row = frame.iloc[0]
    assert row["n_pre"] == 20  # zeros count as pairs, not in the ranks
    # three zero differences: 17 ranks
    assert row["effect_size"] == pytest.approx(4 * row["statistic"] / (17 * 18) - 1)


def test_ties_survive_floating_point_noise():
    """Scores that are means of three items tie exactly only in exact arithmetic."""
    thirds = pd.read_csv(DATA / "survey_thirds.csv")
    before = thirds[["b1", "b2", "b3"]].mean(axis=1)
    after = thirds[["f1", "f2", "f3"]].mean(axis=1)
    raw = (after - before).to_numpy()
    assert len(np.unique(np.abs(raw[raw != 0]))) > 2  # the noise is there
    frame = wilcoxon_signed_rank(before, after)
    check(frame, R.THIRDS_WILCOXON)
    assert not frame["exact"].iloc[0]


def test_welch_and_hedges_g_match_r(unmatched):
    check(welch_t(*unmatched), R.UNMATCHED_WELCH)


def test_mann_whitney_with_ties_matches_r(unmatched):
    frame = mann_whitney(*unmatched)
    check(frame, R.UNMATCHED_MANN_WHITNEY)
    assert frame["n_pre"].iloc[0] == 12 and frame["n_post"].iloc[0] == 9


def test_friedman_with_ties_matches_r():
    audits = pd.read_csv(DATA / "five_s_three_audits.csv").drop(columns="item")
    check(friedman(audits), R.FIVE_S_FRIEDMAN)


def test_cronbach_alpha_matches_r():
    items = pd.read_csv(DATA / "survey_alpha.csv").drop(columns="respondent_id")
    items["com4"] = 6 - items["com4"]  # reverse-coded, scale 1-5
    assert cronbach_alpha(items) == pytest.approx(R.SURVEY_ALPHA["alpha"], rel=REL)


# --------------------------------------------------------------------------- edge cases


def test_all_zero_differences():
    same = [50.0, 25.0, 75.0, 50.0]
    w = wilcoxon_signed_rank(same, same).iloc[0]
    assert w["status"] == "insufficient_data"
    assert "every difference is zero" in w["note"]
    assert w["note_code"] == "zero_differences"
    assert np.isnan(w["p_value"]) and w["estimate"] == 0
    t = paired_t(same, same).iloc[0]
    assert t["status"] == "insufficient_data" and np.isnan(t["p_value"])


def test_constant_differences_make_t_undefined():
    row = paired_t([1.0, 2.0, 3.0], [2.0, 3.0, 4.0]).iloc[0]
    assert row["status"] == "insufficient_data"
    assert "every difference equals 1" in row["note"]
    assert row["note_code"] == "constant_differences(value=1)"
    assert row["estimate"] == 1.0


def test_constant_groups():
    row = welch_t([3.0, 3.0, 3.0], [4.0, 4.0]).iloc[0]
    assert row["status"] == "insufficient_data" and np.isnan(row["p_value"])
    row = mann_whitney([3.0, 3.0], [3.0, 3.0, 3.0]).iloc[0]
    assert row["status"] == "insufficient_data" and "every value is the same" in row["note"]
    assert row["note_code"] == "equal_values"


def test_friedman_all_tied_blocks():
    row = friedman(pd.DataFrame([[25, 25, 25], [50, 50, 50]])).iloc[0]
    assert row["status"] == "insufficient_data"
    assert "same score in every audit" in row["note"]
    assert row["note_code"] == "friedman_all_tied"


@pytest.mark.parametrize("call, message", [
    (lambda: paired_t([1, 2, np.nan], [1, 2, 3]), "missing or infinite"),
    (lambda: wilcoxon_signed_rank([1, 2], [1, np.inf]), "missing or infinite"),
    (lambda: welch_t([1, "x", 3], [1, 2]), "numbers only"),
    (lambda: mann_whitney([], [1.0]), "at least one"),
    (lambda: paired_t([1, 2, 3], [1, 2]), "differ in length"),
    (lambda: paired_t([1], [2]), "at least 2"),
    (lambda: welch_t([1, 2], [3]), "at least 2"),
    (lambda: paired_t([[1, 2]], [[1, 2]]), "one-dimensional"),
    (lambda: paired_t([1, 2, 3], [2, 3, 5], alpha=0), "alpha"),
    (lambda: friedman(pd.DataFrame([[1, 2], [2, 1]])), "3 occasions"),
    (lambda: friedman(pd.DataFrame([[1, 2, 3]])), "2 blocks"),
    (lambda: friedman(pd.DataFrame([[1, 2, 3], [1, np.nan, 2]])), "missing"),
    (lambda: friedman([[1, 2, 3]]), "DataFrame"),
])
def test_bad_input_raises_value_error(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_cronbach_alpha_undefined_cases():
    assert np.isnan(cronbach_alpha(pd.DataFrame({"a": [1, 2, 3]})))
    assert np.isnan(cronbach_alpha(pd.DataFrame({"a": [1], "b": [2]})))
    assert np.isnan(cronbach_alpha(pd.DataFrame({"a": [2, 2], "b": [3, 3]})))


def test_inputs_not_mutated(five_s):
    before = five_s.copy()
    wilcoxon_signed_rank(five_s["before"], five_s["after"])
    paired_t(five_s["before"], five_s["after"])
    pd.testing.assert_frame_equal(five_s, before)
