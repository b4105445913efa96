"""Assembly of the results table (analysis plan version 3): the primary-row chain, the
confirmatory family with Holm and BH (pinned to R's p.adjust), direction, the settings
passed through, survey privacy and attrition, 5S change, "How robust is this?", the risk of
bias, the researcher's fit_its, and the shipped data's results."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import reference_values as R

from score_analysis.settings import PLAN
from score_analysis.stats import analysis, decisions
from score_analysis.stats.analysis import (
    ATTRITION_COLUMNS,
    FIVE_S_NOTE,
    INTERNAL_COLUMNS,
    KPI_LINE_COLUMNS,
    RELIABILITY_COLUMNS,
    adjusted,
    enterprise_analysis,
    five_s_results,
    kpi_lines,
    kpi_results,
    primary_method,
    survey_attrition,
    survey_reliability,
    survey_results,
)
from score_analysis.stats.indicators import INDICATORS
from score_analysis.stats.notes import parse_note_codes
from score_analysis.stats.outputs import (
    CITS_METHODS,
    DIRECTIONS,
    KPI_METHODS,
    POOLED_COLUMNS,
    POOLED_INPUT_COLUMNS,
    RESULT_COLUMNS,
    STATUSES,
)

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).parent / "data"
ENTERPRISE = pd.Series({"enterprise_id": "e1", "intervention_month": "2010-01",
                        "data_source": "simulated"})
NO_ITEMS = pd.DataFrame(columns=["enterprise_id", "audit_date"])
NO_SCORES = pd.DataFrame(columns=["enterprise_id", "score"])


def rows_of(specs: list[dict]) -> pd.DataFrame:
    out = []
    for spec in specs:
        row = dict.fromkeys(INTERNAL_COLUMNS, np.nan)
        row.update({"enterprise_id": "e1", "status": "ok", "primary": False, **spec})
        out.append(row)
    return pd.DataFrame(out, columns=list(INTERNAL_COLUMNS))


# --------------------------------------------------------------------------- multiplicity


def test_holm_and_bh_match_r_p_adjust():
    p = pd.read_csv(DATA / "p_values.csv")["p"].to_numpy()
    expected_holm = [R.P_ADJUST[f"holm_{i + 1}"] for i in range(len(p))]
    expected_bh = [R.P_ADJUST[f"bh_{i + 1}"] for i in range(len(p))]
    np.testing.assert_allclose(decisions.holm(p), expected_holm, rtol=1e-12)
    np.testing.assert_allclose(decisions.benjamini_hochberg(p), expected_bh, rtol=1e-12)
    assert decisions.holm([]).size == 0
    with pytest.raises(ValueError, match="between 0 and 1"):
        decisions.holm([0.1, np.nan])
    with pytest.raises(ValueError, match="between 0 and 1"):
        decisions.benjamini_hochberg([1.2])


def test_planned_rows_that_were_not_estimable_count_as_p_one():
    """R: p.adjust(c(p, 1, 1), ...): two rows with status insufficient_data enter Holm and
    BH with p = 1 and get no adjusted value."""
    p = pd.read_csv(DATA / "p_values.csv")["p"].to_numpy()
    statuses = ["ok"] * len(p) + ["insufficient_data"] * 2
    holm_p, bh_q = decisions.family_adjusted(np.r_[p, np.nan, np.nan], statuses)
    np.testing.assert_allclose(holm_p[:len(p)], [R.P_ADJUST_PLANNED[f"holm_{i + 1}"]
                                                 for i in range(len(p))], rtol=1e-12)
    np.testing.assert_allclose(bh_q[:len(p)], [R.P_ADJUST_PLANNED[f"bh_{i + 1}"]
                                               for i in range(len(p))], rtol=1e-12)
    assert np.isnan(holm_p[len(p):]).all() and np.isnan(bh_q[len(p):]).all()


CONFIRMATORY_P = [0.0125, 0.00139, 0.000233, 0.19, 0.0026]


def confirmatory_rows_spec() -> list[dict]:
    """One enterprise: the six confirmatory primaries (the fifth KPI not estimable) and
    exploratory primaries with small p-values that must stay outside the family."""
    kpis = ["labour_productivity", "reject_rate", "rework_rate", "absenteeism_rate"]
    specs = [{"domain": "kpi", "indicator": ind, "method": "its_effect_end", "primary": True,
              "p_value": p, "estimate": 0.8, "estimate_scale": "rate_ratio"}
             for ind, p in zip(kpis, CONFIRMATORY_P[:4], strict=True)]
    specs.append({"domain": "survey", "indicator": "working_conditions", "method": "paired_t",
                  "primary": True, "p_value": CONFIRMATORY_P[4], "estimate": 0.4,
                  "estimate_scale": "difference"})
    specs.append({"domain": "survey", "indicator": "communication", "method": "paired_t",
                  "primary": True, "status": "insufficient_data",
                  "estimate_scale": "difference"})
    specs += [
        {"domain": "kpi", "indicator": "suggestion_rate", "method": "its_effect_end",
         "primary": True, "p_value": 1e-6, "estimate": 3.0, "estimate_scale": "rate_ratio"},
        {"domain": "kpi", "indicator": "turnover_rate", "method": "its_effect_end",
         "primary": True, "p_value": 0.001, "estimate": 0.5, "estimate_scale": "rate_ratio"},
        {"domain": "survey", "indicator": "cooperation", "method": "paired_t", "primary": True,
         "p_value": 0.001, "estimate": 0.3, "estimate_scale": "difference"},
        {"domain": "kpi", "indicator": "reject_rate", "method": "its_level", "p_value": 1e-6,
         "estimate": 0.7, "estimate_scale": "rate_ratio"},
        {"domain": "kpi", "indicator": "reject_rate", "method": "rate_ratio_exact",
         "p_value": 1e-6, "estimate": 0.7, "estimate_scale": "rate_ratio"},
        {"domain": "five_s", "indicator": "five_s_index", "method": "five_s_change",
         "primary": True, "estimate": 30.0, "estimate_scale": "difference"},
    ]
    return specs


def test_holm_and_bh_over_the_confirmatory_family_match_r():
    out = adjusted(rows_of(confirmatory_rows_spec()))
    family = out[out["confirmatory"]]
    assert sorted(family["indicator"]) == sorted(PLAN.confirmatory)
    for i in range(5):
        assert family.iloc[i]["p_holm"] == pytest.approx(R.P_ADJUST_CONFIRMATORY[
            f"holm_{i + 1}"], rel=1e-12)
        assert family.iloc[i]["q_bh"] == pytest.approx(R.P_ADJUST_CONFIRMATORY[
            f"bh_{i + 1}"], rel=1e-12)
    insufficient = family[family["status"] == "insufficient_data"].iloc[0]
    assert np.isnan(insufficient["p_holm"]) and insufficient["direction"] == "inconclusive"
    # exploratory primaries keep their unadjusted p only, and are not judged
    rest = out[~out["confirmatory"]]
    assert rest[["p_holm", "q_bh"]].isna().all().all()
    assert (rest["direction"] == "not_tested").all()
    assert rest.loc[rest["indicator"] == "suggestion_rate", "p_value"].iloc[0] == 1e-6


def test_directions_of_the_confirmatory_family():
    out = adjusted(rows_of(confirmatory_rows_spec())).set_index("indicator")
    fam = out[out["confirmatory"]]
    # p_holm 0.0375, 0.00695, 0.0014, 0.38, 0.0104 (and the not estimable row)
    assert fam.loc["labour_productivity", "p_holm"] == pytest.approx(0.0375)
    assert fam.loc["labour_productivity", "direction"] == "worsened"  # 0.8: good is up
    assert fam.loc["reject_rate", "direction"] == "improved"  # a rate ratio 0.8, good down
    assert fam.loc["rework_rate", "direction"] == "improved"
    assert fam.loc["absenteeism_rate", "direction"] == "inconclusive"
    assert fam.loc["working_conditions", "direction"] == "improved"


def test_the_family_follows_the_settings():
    """An indicator added to the confirmatory family enters Holm and is judged; one taken
    out is reported with its unadjusted p only."""
    settings = PLAN.replace(confirmatory=("reject_rate", "suggestion_rate"))
    out = adjusted(rows_of(confirmatory_rows_spec()), settings=settings)
    family = out[out["confirmatory"]].set_index("indicator")
    assert sorted(family.index) == ["reject_rate", "suggestion_rate"]
    assert family.loc["suggestion_rate", "p_holm"] == pytest.approx(2e-6)
    assert family.loc["suggestion_rate", "direction"] == "improved"
    assert out.loc[out["indicator"] == "labour_productivity", "direction"].iloc[0] == (
        "not_tested")
    strict = adjusted(rows_of(confirmatory_rows_spec()),
                      settings=PLAN.replace(alpha=0.001, strong_evidence=0.001))
    assert (strict.loc[strict["confirmatory"], "direction"] != "improved").all()


def test_adjusted_does_not_mutate():
    rows = rows_of([{"domain": "survey", "indicator": "communication", "method": "paired_t",
                     "primary": True, "p_value": 0.01, "estimate": 0.3}])
    before = rows.copy()
    adjusted(rows)
    pd.testing.assert_frame_equal(rows, before)


@pytest.mark.parametrize("kwargs, expected", [
    (dict(domain="kpi", indicator="reject_rate", estimate=0.7, estimate_scale="rate_ratio",
          p_holm=0.02), "improved"),
    (dict(domain="kpi", indicator="labour_productivity", estimate=0.7,
          estimate_scale="rate_ratio", p_holm=0.02), "worsened"),
    (dict(domain="kpi", indicator="reject_rate", estimate=0.7, estimate_scale="rate_ratio",
          p_holm=0.06), "inconclusive"),
    (dict(domain="survey", indicator="communication", estimate=-0.4,
          estimate_scale="difference", p_holm=0.003), "worsened"),
    (dict(domain="kpi", indicator="reject_rate", estimate=np.nan, estimate_scale="rate_ratio",
          p_holm=np.nan, status="insufficient_data"), "inconclusive"),
    (dict(domain="kpi", indicator="reject_rate", estimate=0.7, estimate_scale="rate_ratio",
          p_holm=0.001, confirmatory=False), "not_tested"),
])
def test_direction(kwargs, expected):
    args = {"confirmatory": True, "status": "ok"} | kwargs
    assert decisions.direction(**args) == expected
    assert expected in DIRECTIONS


@pytest.mark.parametrize("estimate, scale, sign", [
    (0.7, "rate_ratio", -1), (1.3, "slope_ratio", 1), (1.0, "rate_ratio", 0),
    (np.inf, "rate_ratio", 1), (0.0, "rate_ratio", -1), (-0.2, "difference", -1),
    (np.nan, "difference", np.nan),
])
def test_change_sign(estimate, scale, sign):
    got = decisions.change_sign(estimate, scale)
    assert (np.isnan(got) and np.isnan(sign)) or got == sign


# --------------------------------------------------------------------------- primary


def monthly_of(series: pd.DataFrame, indicator: str) -> pd.DataFrame:
    rate = series["numerator"] / series["exposure"]
    return series.assign(enterprise_id="e1", indicator=indicator, value=rate)


def test_kpi_primary_chain():
    """its_effect_end when estimable, else rate_ratio_step when estimable, else the
    its_effect_end row with status insufficient_data."""
    kpi = pd.read_csv(DATA / "kpi_eid.csv")
    kpi = kpi[kpi["exposure"] > 0]
    short = kpi[kpi["month"] <= "2010-05"]  # 11 months before, 4 after: step only
    sparse = kpi.assign(numerator=np.r_[np.ones(5), np.zeros(len(kpi) - 5)])  # 5 events
    monthly = pd.concat([monthly_of(kpi, "reject_rate"), monthly_of(short, "rework_rate"),
                         monthly_of(sparse, "accident_frequency")])
    rows = kpi_results(monthly, ENTERPRISE)
    primary = rows[rows["primary"]].set_index("indicator")
    assert primary.loc["reject_rate", "method"] == "its_effect_end"
    assert primary.loc["reject_rate", "status"] == "ok"
    assert primary.loc["rework_rate", "method"] == "rate_ratio_step"
    assert primary.loc["accident_frequency", "method"] == "its_effect_end"
    assert primary.loc["accident_frequency", "status"] == "insufficient_data"
    assert "too few events" in primary.loc["accident_frequency", "note"]
    # the exact comparison, descriptive, where the primary fails the events rule
    exact = rows[(rows["indicator"] == "accident_frequency")
                 & (rows["method"] == "rate_ratio_exact")]
    assert len(exact) == 1 and not exact["primary"].iloc[0]
    # one primary per tracked indicator, none for the others
    assert sorted(primary.index) == ["accident_frequency", "reject_rate", "rework_rate"]
    untracked = rows[rows["indicator"] == "turnover_rate"]
    assert len(untracked) == 1 and untracked["status"].iloc[0] == "not_reported"
    assert untracked["method"].iloc[0] == "its_effect_end"
    assert not untracked["primary"].iloc[0]


@pytest.mark.parametrize("statuses, expected", [
    ({"cits_effect_end": "ok", "its_effect_end": "ok"}, "cits_effect_end"),
    ({"cits_effect_end": "insufficient_data", "its_effect_end": "ok"}, "its_effect_end"),
    ({"its_effect_end": "insufficient_data", "rate_ratio_step": "ok"}, "rate_ratio_step"),
    ({"cits_effect_end": "insufficient_data", "its_effect_end": "insufficient_data",
      "rate_ratio_step": "insufficient_data"}, "its_effect_end"),
])
def test_primary_method_chain(statuses, expected):
    assert primary_method(statuses) == expected


def test_controlled_rows_take_the_primary_when_estimable(monkeypatch):
    """The controlled design's rows enter at analysis.controlled_rows; when its
    cits_effect_end is estimable it is the primary and its_effect_end becomes a
    sensitivity row ("without the comparison group")."""
    kpi = pd.read_csv(DATA / "kpi_eid.csv")
    kpi = kpi[kpi["exposure"] > 0]

    def fake(enterprise, indicator, **kwargs):
        return [{"method": m, "status": "ok", "estimate": 0.8, "ci_low": 0.7, "ci_high": 0.9,
                 "p_value": 0.001, "se": 0.05, "estimate_scale": "rate_ratio", "note": "",
                 "note_code": ""} for m in CITS_METHODS]

    monkeypatch.setattr(analysis, "controlled_rows", fake)
    rows = kpi_results(monthly_of(kpi, "reject_rate"), ENTERPRISE)
    own = rows[rows["indicator"] == "reject_rate"].set_index("method")
    assert list(own.index[:3]) == list(CITS_METHODS)
    assert own.loc["cits_effect_end", "primary"] and not own.loc["its_effect_end", "primary"]
    assert "without_comparison_group" in own.loc["its_effect_end", "note_code"]
    assert own["primary"].sum() == 1


def test_no_controlled_rows_without_comparison_data():
    assert analysis.controlled_rows(ENTERPRISE, "reject_rate", multiplier=100.0,
                                    comparison=None, enterprises=None) == []
    assert analysis.controlled_rows(ENTERPRISE, "reject_rate", multiplier=100.0,
                                    comparison=pd.DataFrame(), enterprises=pd.DataFrame(),
                                    settings=PLAN.replace(comparison_group=False)) == []


def test_settings_reach_every_kpi_row():
    """A changed phase-in and minimum of months change the rows that follow them."""
    kpi = pd.read_csv(DATA / "kpi_eid.csv")
    kpi = kpi[kpi["exposure"] > 0]
    monthly = monthly_of(kpi, "reject_rate")
    def rows(settings=PLAN):
        out = kpi_results(monthly, ENTERPRISE, settings=settings)
        return out[out["indicator"] == "reject_rate"].set_index("method")

    base = rows()
    longer = rows(PLAN.replace(phase_in_months=6))
    assert base.loc["its_effect_end_phase_in", "n_post"] == 14
    assert longer.loc["its_effect_end_phase_in", "n_post"] == 12  # 2010-06 has no exposure
    assert "sensitivity_phase_in(months=6)" in longer.loc["its_effect_end_phase_in",
                                                          "note_code"]
    assert longer.loc["its_effect_end", "estimate"] == base.loc["its_effect_end", "estimate"]
    strict = rows(PLAN.replace(min_months_its=12))
    assert strict.loc["its_effect_end", "status"] == "insufficient_data"  # 11 months before
    assert "too_few_months(needed=12,before=11,after=17)" in strict.loc["its_effect_end",
                                                                        "note_code"]
    assert strict.loc["rate_ratio_step", "primary"]  # the chain moves on


# --------------------------------------------------------------------------- survey


def scores_of(base: list[tuple], follow: list[tuple]) -> pd.DataFrame:
    rows = [{"enterprise_id": "e1", "wave": "baseline", "respondent_id": r, "construct": "c",
             "score": s} for r, s in base]
    rows += [{"enterprise_id": "e1", "wave": "followup", "respondent_id": r, "construct": "c",
              "score": s} for r, s in follow]
    return pd.DataFrame(rows)


def test_survey_matched_uses_paired_tests():
    base = [(f"R{i}", 2.0 + 0.25 * (i % 4)) for i in range(8)]
    follow = [(f"R{i}", 2.5 + 0.25 * (i % 3)) for i in range(8)]
    out = pd.DataFrame(survey_results(scores_of(base, follow), ENTERPRISE, ["c"]))
    out = out.set_index("method")
    assert list(out.index) == ["paired_t", "wilcoxon_signed_rank", "welch_t"]
    assert out["primary"].tolist() == [True, False, False]
    assert (out.loc[["paired_t", "wilcoxon_signed_rank"], "n_pre"] == 8).all()
    assert out.loc[["paired_t", "wilcoxon_signed_rank"], "note"].str.contains(
        "matched comparison of the 8 respondents").all()
    assert "attrition sensitivity" in out.loc["welch_t", "note"]


def test_survey_matched_welch_uses_every_respondent():
    """Two extra baseline respondents who left: the paired test ignores them, welch_t (all
    respondents of each wave) counts them."""
    base = [(f"R{i}", 2.0 + 0.25 * (i % 4)) for i in range(8)] + [("L1", 1.0), ("L2", 1.5)]
    follow = [(f"R{i}", 2.5 + 0.25 * (i % 3)) for i in range(8)]
    out = pd.DataFrame(survey_results(scores_of(base, follow), ENTERPRISE, ["c"]))
    out = out.set_index("method")
    assert out.loc["paired_t", "n_pre"] == 8
    assert out.loc["welch_t", "n_pre"] == 10 and out.loc["welch_t", "n_post"] == 8
    b = np.array([s for _, s in base])
    assert out.loc["welch_t", "pre_value"] == pytest.approx(b.mean())


def test_survey_attrition_table():
    base = [(f"R{i}", 3.0 + 0.1 * i) for i in range(8)]
    base += [(f"L{i}", 2.0 + 0.1 * i) for i in range(6)] + [(None, 4.0)]
    follow = [(f"R{i}", 3.5) for i in range(8)] + [(None, 2.0)]
    out = survey_attrition(scores_of(base, follow), "e1", ["c", "absent"])
    assert list(out.columns) == list(ATTRITION_COLUMNS)
    assert len(out) == 1  # no answers for "absent"
    row = out.iloc[0]
    assert (row["n_baseline"], row["n_followup"], row["n_matched"]) == (15, 9, 8)
    assert row["n_left"] == 6  # the anonymous baseline answer counts in neither
    assert row["baseline_mean_stayed"] == pytest.approx(np.mean([3.0 + 0.1 * i
                                                                 for i in range(8)]))
    assert row["baseline_mean_left"] == pytest.approx(np.mean([2.0 + 0.1 * i
                                                               for i in range(6)]))
    assert row["status"] == "ok"


def test_survey_attrition_hides_small_groups():
    base = [(f"R{i}", 3.0) for i in range(8)] + [("L1", 1.0), ("L2", 1.5)]
    follow = [(f"R{i}", 3.5) for i in range(8)]
    row = survey_attrition(scores_of(base, follow), "e1", ["c"]).iloc[0]
    assert row["n_matched"] == 8 and np.isnan(row["baseline_mean_left"])
    assert "fewer than 5 baseline respondents left" in row["note"]
    assert "left_mean_hidden(min_cell=5)" in row["note_code"]


def test_survey_unmatched_uses_welch_and_mann_whitney():
    u = pd.read_csv(DATA / "survey_unmatched.csv")
    base = [(None, s) for s in u.loc[u["wave"] == "baseline", "score"]]
    follow = [(f"N{i}", s) for i, s in enumerate(u.loc[u["wave"] == "followup", "score"])]
    out = pd.DataFrame(survey_results(scores_of(base, follow), ENTERPRISE, ["c"]))
    out = out.set_index("method")
    assert list(out.index) == ["welch_t", "mann_whitney"]
    assert out["primary"].tolist() == [True, False]
    assert out.loc["welch_t", "estimate"] == pytest.approx(R.UNMATCHED_WELCH["estimate"])
    assert out.loc["mann_whitney", "p_value"] == pytest.approx(
        R.UNMATCHED_MANN_WHITNEY["p_value"], rel=1e-6)
    assert out["note"].str.contains("unmatched comparison: fewer than 5 respondents").all()


@pytest.mark.parametrize("n_base, n_follow", [(4, 9), (9, 4), (1, 1)])
def test_small_groups_are_suppressed_without_numbers(n_base, n_follow):
    base = [(None, 3.0 + 0.1 * i) for i in range(n_base)]
    follow = [(None, 3.5 + 0.1 * i) for i in range(n_follow)]
    scores = scores_of(base, follow)
    enterprise = ENTERPRISE.copy()
    out = enterprise_analysis(enterprise, monthly=pd.DataFrame(columns=["enterprise_id",
                                                                        "indicator"]),
                              items=pd.DataFrame(columns=["enterprise_id", "audit_date"]),
                              scores=scores, constructs=["c"]).results
    survey = out[out["domain"] == "survey"]
    assert (survey["status"] == "suppressed").all()
    assert survey[list(analysis.SUPPRESSED_NUMBERS)].isna().all().all()
    assert (survey["direction"] == "not_tested").all()
    assert survey["note"].str.contains("privacy").all()


def test_survey_missing_wave_is_insufficient():
    out = pd.DataFrame(survey_results(scores_of([(None, 3.0)] * 6, []), ENTERPRISE, ["c", "d"]))
    assert set(out.loc[out["indicator"] == "c", "status"]) == {"insufficient_data"}
    assert set(out.loc[out["indicator"] == "d", "status"]) == {"not_reported"}


def test_duplicate_respondent_raises():
    with pytest.raises(ValueError, match="R1"):
        survey_results(scores_of([("R1", 3.0), ("R1", 4.0)], [("R1", 3.0)]), ENTERPRISE, ["c"])


def test_reliability_alpha_suppression_and_note():
    items = pd.read_csv(DATA / "survey_alpha.csv")
    long = items.melt(id_vars="respondent_id", var_name="item_id", value_name="answer")
    long["answer"] = np.where(long["item_id"] == "com4", 6 - long["answer"], long["answer"])
    long = long.assign(enterprise_id="e1", construct="communication", wave="baseline",
                       response=long["respondent_id"])
    small = long[long["respondent_id"].isin(["R01", "R02", "R03"])].assign(wave="followup")
    single = long[long["item_id"] == "com1"].assign(construct="one_item")
    out = survey_reliability(pd.concat([long, small, single]), "e1")
    assert list(out.columns) == list(RELIABILITY_COLUMNS)
    out = out.set_index(["construct", "wave"])
    ok = out.loc[("communication", "baseline")]
    assert ok["alpha"] == pytest.approx(R.SURVEY_ALPHA["alpha"], rel=1e-6)
    assert ok["n_complete"] == R.SURVEY_ALPHA["n"]
    tiny = out.loc[("communication", "followup")]
    assert tiny["status"] == "suppressed" and np.isnan(tiny["alpha"])
    assert np.isnan(tiny["n_complete"])
    one = out.loc[("one_item", "baseline")]
    assert one["status"] == "insufficient_data" and "2 items" in one["note"]

def test_the_privacy_threshold_follows_the_settings():
    base = [(f"R{i}", 2.0 + 0.25 * (i % 4)) for i in range(6)]
    follow = [(f"R{i}", 2.5 + 0.25 * (i % 3)) for i in range(6)]
    scores = scores_of(base, follow)
    assert pd.DataFrame(survey_results(scores, ENTERPRISE, ["c"]))["status"].eq("ok").all()
    strict = pd.DataFrame(survey_results(scores, ENTERPRISE, ["c"],
                                         settings=PLAN.replace(min_cell=7)))
    assert (strict["status"] == "suppressed").all()
    assert "suppressed_small_group(min_cell=7)" in strict["note_code"].iloc[0]


# --------------------------------------------------------------------------- 5S


def items_of(audits: dict[str, list[float]], pillars=("sort",)) -> pd.DataFrame:
    rows = []
    for date, pcts in audits.items():
        for i, pct in enumerate(pcts):
            rows.append({"enterprise_id": "e1", "audit_date": date, "visit": date,
                         "area": "a", "pillar": pillars[i % len(pillars)], "item": f"i{i}",
                         "pct": pct})
    return pd.DataFrame(rows)


def test_five_s_secondary_tests_and_friedman():
    fix = pd.read_csv(DATA / "five_s_three_audits.csv")
    items = items_of({"2010-03-24": list(fix["audit_1"]), "2010-10-14": list(fix["audit_2"]),
                      "2010-12-08": list(fix["audit_3"])})
    out = pd.DataFrame(five_s_results(items, ENTERPRISE)).set_index("method")
    assert list(out.index) == ["five_s_change", "paired_t", "wilcoxon_signed_rank", "friedman"]
    tests = out.drop(index="five_s_change")
    assert (tests["status"] == "ok").all() and not tests["primary"].any()
    assert tests["note"].str.contains(FIVE_S_NOTE.text, regex=False).all()
    assert tests["note_code"].str.contains("five_s_not_independent", regex=False).all()
    assert out.loc["friedman", "p_value"] == pytest.approx(R.FIVE_S_FRIEDMAN["p_value"],
                                                           rel=1e-6)
    assert out.loc["paired_t", "estimate"] == pytest.approx(
        (fix["audit_3"] - fix["audit_1"]).mean())
    assert pd.isna(out.loc["friedman", "estimate_scale"])
    # one pillar only: no 5S index, so the change is not available
    assert out.loc["five_s_change", "status"] == "insufficient_data"


def test_five_s_change_is_the_descriptive_primary():
    """The 5S index (mean of the five pillar scores, each the mean over areas) of the last
    audit minus the first; no interval, no p-value."""
    from score_analysis.data.contract import PILLARS

    first = [10.0, 20.0, 30.0, 40.0, 50.0, 60.0, 70.0, 80.0, 90.0, 100.0]
    last = [50.0] * 9 + [75.0]
    items = items_of({"2010-03-24": first, "2010-12-08": last}, pillars=PILLARS)
    out = pd.DataFrame(five_s_results(items, ENTERPRISE)).set_index("method")
    change = out.loc["five_s_change"]
    pillar_first = [np.mean(first[i::5]) for i in range(5)]
    pillar_last = [np.mean(last[i::5]) for i in range(5)]
    assert change["primary"] and change["status"] == "ok"
    assert change["pre_value"] == pytest.approx(np.mean(pillar_first))
    assert change["post_value"] == pytest.approx(np.mean(pillar_last))
    assert change["estimate"] == pytest.approx(np.mean(pillar_last) - np.mean(pillar_first))
    assert change[["ci_low", "ci_high", "p_value", "se"]].isna().all()
    assert change["note_code"] == "five_s_change(first=2010-03-24,last=2010-12-08)"
    assert out.loc["friedman", "status"] == "insufficient_data"  # two audits


def test_five_s_too_few_audits():
    out = pd.DataFrame(five_s_results(items_of({"2010-03-24": [25.0, 50.0]}), ENTERPRISE))
    assert (out["status"] == "insufficient_data").all()
    assert out["note"].str.len().gt(0).all()
    none = pd.DataFrame(five_s_results(
        items_of({}).reindex(columns=["enterprise_id", "audit_date", "area", "pillar", "item",
                                      "pct"]), ENTERPRISE))
    assert (none["status"] == "not_reported").all()


# --------------------------------------------------------------------------- KPIs


def test_each_kpi_model_is_fitted_once(monkeypatch):
    kpi = pd.read_csv(DATA / "kpi_eid.csv")
    kpi = kpi[kpi["exposure"] > 0]
    monthly = pd.concat([monthly_of(kpi, "reject_rate"), monthly_of(kpi, "absenteeism_rate")])
    calls = []
    real = analysis.kpi_fit

    def counting(*args, **kwargs):
        calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(analysis, "kpi_fit", counting)
    done = enterprise_analysis(ENTERPRISE, monthly=monthly, items=NO_ITEMS, scores=NO_SCORES,
                               constructs=[])
    assert len(calls) == 2
    assert list(done.lines.columns) == list(KPI_LINE_COLUMNS)
    assert set(done.lines["indicator"]) == {"reject_rate", "absenteeism_rate"}
    pd.testing.assert_frame_equal(done.lines, kpi_lines(monthly, ENTERPRISE))
    kpi_rows = done.results[done.results["domain"] == "kpi"]
    # every method for the two tracked indicators, one not_reported row for the others
    assert len(kpi_rows) == 2 * len(KPI_METHODS) + len(INDICATORS) - 2
    expected = kpi_results(monthly, ENTERPRISE)
    assert kpi_rows["estimate"].tolist() == pytest.approx(expected["estimate"].tolist(),
                                                          nan_ok=True)
    assert list(done.results.columns) == list(INTERNAL_COLUMNS)
    assert done.results["confirmatory"].dtype == bool


def test_untracked_indicator_rows_and_lines():
    kpi = pd.read_csv(DATA / "kpi_eid.csv").iloc[:8]
    monthly = monthly_of(kpi[kpi["exposure"] > 0], "reject_rate")
    rows = kpi_results(monthly, ENTERPRISE)
    untracked = rows[rows["indicator"] == "rework_rate"]
    assert len(untracked) == 1 and (untracked["status"] == "not_reported").all()
    assert untracked["note"].str.contains("not tracked").all()
    assert untracked["note_code"].iloc[0] == ("not_tracked(numerator=units_reworked,"
                                              "exposure=units_produced)")
    lines = kpi_lines(monthly, ENTERPRISE)  # 8 months before, none after: no model
    assert lines["fitted"].isna().all() and len(lines) == 8
    assert lines["observed"].tolist() == pytest.approx(monthly["value"].tolist())


def test_months_left_out_are_counted_in_the_note():
    """A month of the enterprise's records without this KPI's numerator is left out of it,
    and the note says how many."""
    kpi = pd.read_csv(DATA / "kpi_eid.csv")
    kpi = kpi[kpi["exposure"] > 0]
    monthly = pd.concat([monthly_of(kpi, "absenteeism_rate"),
                         monthly_of(kpi.iloc[3:], "reject_rate")])
    rows = kpi_results(monthly, ENTERPRISE)
    reject = rows[rows["indicator"] == "reject_rate"]
    assert reject["note"].str.contains("3 month(s) of the enterprise's records without "
                                       "units_rejected", regex=False).all()
    assert reject["note_code"].str.contains("records_left_out(months=3,", regex=False).all()
    absent = rows[rows["indicator"] == "absenteeism_rate"]
    assert not absent["note"].str.contains("records without", regex=False).any()


def test_every_note_is_a_known_code_with_its_english_text():
    kpi = pd.read_csv(DATA / "kpi_eid.csv")
    kpi = kpi[kpi["exposure"] > 0]
    rows = kpi_results(monthly_of(kpi.iloc[:14], "reject_rate"), ENTERPRISE)
    assert rows["note_code"].str.len().gt(0).any()
    for row in rows.itertuples():
        notes = parse_note_codes(row.note_code)  # raises for an unknown code
        assert row.note == "; ".join(n.text for n in notes)


# --------------------------------------------------------------------------- robustness


def robust_rows(primary=0.8, harmonic=0.85, phase=0.9, no_eid=0.7, placebo=(1.3, 0.2),
                step=1.2, primary_status="ok") -> pd.DataFrame:
    def row(method, estimate, p=0.01, status="ok", primary_=False):
        return {"domain": "kpi", "indicator": "reject_rate", "method": method,
                "estimate": estimate, "estimate_scale": "rate_ratio", "p_value": p,
                "status": status, "primary": primary_}

    return rows_of([
        row("its_effect_end", primary, status=primary_status, primary_=True),
        row("its_effect_end_harmonic", harmonic), row("its_effect_end_phase_in", phase),
        row("its_effect_end_no_eid", no_eid,
            status="insufficient_data" if no_eid is None else "ok"),
        row("placebo_effect_end", placebo[0], p=placebo[1]), row("rate_ratio_step", step),
    ])


def test_robustness_counts_the_sensitivity_rows_only():
    """The naive step and the placebo point the other way: shown, never counted; every
    sensitivity row agrees, so the primary is consistent."""
    from score_analysis.stats.robustness import (
        ROBUSTNESS_COLUMNS,
        VERDICT_COLUMNS,
        robustness_table,
        robustness_verdicts,
    )

    table = robustness_table(robust_rows())
    assert list(table.columns) == list(ROBUSTNESS_COLUMNS)
    assert table["role"].tolist() == ["primary", "sensitivity", "sensitivity", "sensitivity",
                                      "placebo", "naive"]
    assert table["same_sign"].tolist()[1:] == [True, True, True, False, False]
    assert table["consistent"].all() and not table["placebo_warning"].any()
    verdict = robustness_verdicts(robust_rows()).iloc[0]
    assert list(robustness_verdicts(robust_rows()).columns) == list(VERDICT_COLUMNS)
    assert (verdict["n_sensitivity"], verdict["n_same_sign"]) == (3, 3)
    assert verdict["consistent"] and verdict["placebo_p"] == 0.2


@pytest.mark.parametrize("kwargs, consistent, warning", [
    ({"phase": 1.1}, False, False),                   # a sensitivity row disagrees
    ({"no_eid": None}, True, False),                  # one could not be estimated
    ({"placebo": (0.7, 0.008)}, True, True),          # the placebo is significant
    ({"placebo": (0.7, 0.008)}, True, True),
    ({"primary_status": "insufficient_data"}, None, False),
])
def test_robustness_verdicts(kwargs, consistent, warning):
    from score_analysis.stats.robustness import robustness_verdicts

    verdict = robustness_verdicts(robust_rows(**kwargs)).iloc[0]
    if consistent is None:
        assert pd.isna(verdict["consistent"])
    else:
        assert bool(verdict["consistent"]) is consistent
    assert bool(verdict["placebo_warning"]) is warning


def test_robustness_placebo_follows_alpha():
    from score_analysis.stats.robustness import robustness_verdicts

    rows = robust_rows(placebo=(0.7, 0.03))
    assert robustness_verdicts(rows)["placebo_warning"].iloc[0]
    assert not robustness_verdicts(rows, settings=PLAN.replace(alpha=0.01))[
        "placebo_warning"].iloc[0]


# --------------------------------------------------------------------------- risk of bias


def _kpi(months: list[str], **blank) -> pd.DataFrame:
    """Monthly KPI rows of enterprise ``e1`` with every KPI column; ``blank`` names a
    column and the months where it is left empty."""
    frame = pd.DataFrame({"enterprise_id": "e1", "month": months})
    for ind in INDICATORS.values():
        frame[ind.numerator] = 20.0
        frame[ind.exposure] = 100.0
    for col, empty in blank.items():
        frame.loc[frame["month"].isin(empty), col] = np.nan
    return frame


def _planned(p_placebo: float = 0.5, drop: tuple = (), harmonic: float = 0.8,
             survey: bool = False) -> pd.DataFrame:
    from score_analysis.stats.risk_of_bias import PLANNED_KPI_METHODS

    specs = [{"domain": "kpi", "indicator": ind, "method": m, "status": "ok",
              "primary": m == "its_effect_end", "estimate_scale": "rate_ratio",
              "estimate": harmonic if m == "its_effect_end_harmonic" else 0.8,
              "p_value": p_placebo if m == "placebo_effect_end" else 0.01}
             for ind in INDICATORS for m in PLANNED_KPI_METHODS if (ind, m) not in drop]
    if survey:
        specs.append({"domain": "survey", "indicator": "communication", "method": "paired_t",
                      "status": "ok", "primary": True, "estimate": 0.2,
                      "estimate_scale": "difference", "p_value": 0.2})
    return rows_of(specs)


MONTHS = [str(p) for p in pd.period_range("2009-01", "2011-01", freq="M")]
RISK_ENTERPRISE = pd.Series({"enterprise_id": "e1", "intervention_month": "2010-04"})
NO_FINDINGS = pd.DataFrame(columns=["severity", "enterprise_id"])


def _risk(**kw) -> pd.DataFrame:
    from score_analysis.stats.risk_of_bias import JUDGEMENTS, RISK_COLUMNS, risk_of_bias

    args = {"results": _planned(), "kpi": _kpi(MONTHS), "quality_log": NO_FINDINGS} | kw
    table = risk_of_bias(RISK_ENTERPRISE, **args)
    assert list(table.columns) == list(RISK_COLUMNS)
    assert set(table["judgement"]) <= set(JUDGEMENTS)
    for row in table.itertuples():  # the English text is the text of the codes
        assert row.support == "; ".join(n.text for n in parse_note_codes(row.reason_code))
    return table


def _judgements(**kw) -> dict:
    table = _risk(**kw)
    return dict(zip(zip(table["criterion"], table["outcome"], strict=True), table["judgement"],
                    strict=True))


def test_complete_data_and_rows_give_the_v3_judgements():
    got = _judgements()
    assert got == {("independent", "all"): "unclear", ("shape", "all"): "low",
                   ("data_collection", "all"): "unclear", ("blinding", "kpi"): "unclear",
                   ("incomplete", "kpi"): "low", ("selective", "all"): "low",
                   ("other", "all"): "low"}
    table = _risk().set_index("criterion")
    assert table.loc["shape", "reason_code"] == "rob_prespecified(version=3,date=2026-12-06)"
    assert table.loc["independent", "reason_code"] == "rob_single_series"
    assert list(dict.fromkeys(table.index)) == ["independent", "shape", "data_collection",
                                                "blinding", "incomplete", "selective", "other"]


def test_a_significant_placebo_means_other_changes():
    table = _risk(results=_planned(p_placebo=0.01)).set_index("criterion")
    assert table.loc["independent", "judgement"] == "high"
    assert "rob_placebo_hit(indicator=reject_rate,p=0.01,alpha=0.05)" in table.loc[
        "independent", "reason_code"]
    # the rule is the plan's significance level, unadjusted
    assert _judgements(results=_planned(p_placebo=0.04))[("independent", "all")] == "high"
    assert _judgements(results=_planned(p_placebo=0.04),
                       settings=PLAN.replace(alpha=0.01))[("independent", "all")] == "unclear"


def test_a_comparison_group_primary_makes_independence_low():
    results = _planned()
    results.loc[results["method"] == "its_effect_end", "primary"] = False
    cits = results[results["method"] == "its_effect_end"].assign(method="cits_effect_end",
                                                                 primary=True)
    got = _judgements(results=pd.concat([results, cits], ignore_index=True))
    assert got[("independent", "all")] == "low"


def test_survey_outcomes_are_high_risk_for_knowledge_and_attrition():
    attrition = pd.DataFrame({"enterprise_id": "e1", "construct": ["communication", "other"],
                              "n_baseline": [17, 20], "n_followup": [4, 18],
                              "n_matched": [4, 15], "n_left": [13, 5]})
    table = _risk(results=_planned(survey=True), attrition=attrition)
    got = dict(zip(zip(table["criterion"], table["outcome"], strict=True), table["judgement"],
                   strict=True))
    assert got[("blinding", "survey")] == "high" and got[("blinding", "kpi")] == "unclear"
    assert got[("incomplete", "survey")] == "high"  # 4 of 17 answered the follow-up
    reason = table.set_index(["criterion", "outcome"]).loc[("incomplete", "survey"),
                                                            "reason_code"]
    assert reason == "rob_attrition(construct=communication,answered=4,baseline=17,threshold=70)"
    kept = attrition.iloc[[1]]  # 15 of 20: 75%
    assert _judgements(results=_planned(survey=True), attrition=kept)[
        ("incomplete", "survey")] == "low"
    assert _judgements(results=_planned(survey=True), attrition=kept,
                       settings=PLAN.replace(attrition_high=0.8))[
        ("incomplete", "survey")] == "high"
    anonymous = kept.assign(n_matched=0, n_left=0)
    assert _judgements(results=_planned(survey=True), attrition=anonymous)[
        ("incomplete", "survey")] == "unclear"


def test_missing_months_raise_the_risk_of_incomplete_data():
    from score_analysis.stats.risk_of_bias import missing_months

    early = MONTHS[:8]  # 8 of 25 months without absences recorded
    got = _judgements(kpi=_kpi(MONTHS, workdays_absent=early))
    assert got[("incomplete", "kpi")] == "high" and got[("data_collection", "all")] == "unclear"
    gaps = missing_months(_kpi(MONTHS, workdays_absent=early), "e1", "2010-04")
    row = gaps.set_index("indicator").loc["absenteeism_rate"]
    assert (row["missing_before"], row["missing_after"]) == (8, 0)
    assert (row["n_before"], row["n_after"]) == (15, 10)
    some = _judgements(kpi=_kpi(MONTHS, workdays_absent=MONTHS[:4]))  # 16%
    assert some[("incomplete", "kpi")] == "unclear"
    assert _judgements(kpi=_kpi(MONTHS, workdays_absent=MONTHS[:4]),
                       settings=PLAN.replace(missing_months_high=0.15))[
        ("incomplete", "kpi")] == "high"


def test_a_month_missing_from_the_file_counts_and_a_zero_exposure_does_not():
    from score_analysis.stats.risk_of_bias import missing_months

    kpi = _kpi([m for m in MONTHS if m != "2009-06"])
    kpi.loc[kpi["month"] == "2010-06", "suggestions_submitted"] = 0.0
    gaps = missing_months(kpi, "e1", "2010-04").set_index("indicator")
    assert gaps.loc["reject_rate", "missing_before"] == 1
    assert gaps.loc["implementation_rate", "zero_exposure"] == 1
    assert gaps.loc["implementation_rate", "missing_after"] == 0
    assert _judgements(kpi=kpi)[("incomplete", "kpi")] == "low"  # 1 of 25 months: 4%


def test_a_planned_row_missing_from_the_results_is_selective_reporting():
    got = _judgements(results=_planned(drop={("reject_rate", "its_effect_end_phase_in")}))
    assert got[("selective", "all")] == "high"
    table = _risk(results=_planned(drop={("reject_rate", "its_effect_end")}))
    assert table.set_index("criterion").loc["shape", "judgement"] == "unclear"


def test_seasonality_disagreeing_in_sign_is_other_bias():
    table = _risk(results=_planned(harmonic=1.1)).set_index("criterion")
    assert table.loc["other", "judgement"] == "high"
    assert "rob_harmonic_disagrees(indicator=reject_rate)" in table.loc["other",
                                                                         "reason_code"]
    no_harmonic = _planned(drop={(i, "its_effect_end_harmonic") for i in INDICATORS})
    assert _judgements(results=no_harmonic)[("other", "all")] == "unclear"


def test_quality_log_counts_are_given_as_reasons():
    log = pd.DataFrame({"severity": ["warning", "info", "warning"],
                        "enterprise_id": ["e1", "e1", "other"]})
    table = _risk(quality_log=log).set_index("criterion")
    assert "rob_quality_log(warnings=1,notes=1)" in table.loc["data_collection",
                                                              "reason_code"]
    assert "trains the staff who keep the records" in table.loc["data_collection", "support"]


def test_risk_of_bias_names_a_missing_column():
    from score_analysis.stats.risk_of_bias import risk_of_bias

    with pytest.raises(ValueError, match="results lacks"):
        risk_of_bias(RISK_ENTERPRISE, results=pd.DataFrame({"x": [1]}), kpi=_kpi(MONTHS),
                     quality_log=NO_FINDINGS)


def test_the_plan_document_is_the_version_of_the_settings():
    """docs/analysis_plan.md states the version and date that the settings carry (and that
    reports and manifest.json print), and logs every version up to it."""
    text = (ROOT / "docs" / "analysis_plan.md").read_text(encoding="utf-8")
    assert text.startswith(f"# Statistical analysis plan, version {PLAN.plan_version}\n")
    assert f"**Version {PLAN.plan_version}, {PLAN.plan_date}.**" in text
    log = text[text.index("## 15. Versions and deviations"):]
    for version in range(1, PLAN.plan_version + 1):
        assert f"\n| {version} | 20" in log, version
    assert f"| {PLAN.plan_version} | {PLAN.plan_date} |" in log


def test_what_the_pages_may_call_imports_no_scipy():
    """The decisions, notes, outputs, robustness and risk of bias are light: the pages may
    call them at page time without importing scipy or statsmodels."""
    import subprocess
    import sys

    code = ("import sys\n"
            "import score_analysis.stats.decisions, score_analysis.stats.notes\n"
            "import score_analysis.stats.outputs, score_analysis.stats.robustness\n"
            "import score_analysis.stats.risk_of_bias\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in "
            "('scipy', 'statsmodels')))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip() == "[]"


def test_the_statistics_room_translates_nothing():
    """No gettext in stats: the risk of bias returns codes and English only."""
    import ast

    for path in (ROOT / "score_analysis" / "stats").glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                assert "i18n" not in node.module and "report" not in node.module, path.name


# --------------------------------------------------------------------------- shipped data


@pytest.fixture(scope="module")
def validated():
    from score_analysis.build import validate_inputs

    done = validate_inputs(ROOT / "data" / "raw")
    assert done.ok
    return done


@pytest.fixture(scope="module")
def shipped(validated) -> dict:
    from score_analysis.build import analyse

    out = analyse(validated.tables)
    assert out.failed == {}
    return out


def test_shipped_results_are_complete(shipped):
    res = shipped.results
    assert list(res.columns[:len(RESULT_COLUMNS)]) == list(RESULT_COLUMNS)
    assert set(res["status"]) <= set(STATUSES)
    ok = res[res["status"] == "ok"]
    number = ["estimate", "p_value"]
    tests = ~ok["method"].isin(["friedman", "five_s_change"])
    assert ok.loc[tests, number].notna().all().all()
    assert ok.loc[ok["method"] == "five_s_change", "estimate"].notna().all()
    assert ok.loc[ok["method"] == "friedman", "p_value"].notna().all()
    assert ok["direction"].isin(DIRECTIONS).all()
    # every other row says why, with a code
    assert res.loc[res["status"] != "ok", "note_code"].str.len().gt(0).all()
    models = ok["method"].isin([*KPI_METHODS, "paired_t", "welch_t"])
    assert ok.loc[models, ["ci_low", "ci_high", "se", "df"]].notna().all().all()
    every = {*KPI_METHODS, "rate_ratio_exact", "five_s_change", "paired_t",
             "wilcoxon_signed_rank", "friedman", "welch_t", "mann_whitney"}
    assert every <= set(ok["method"])
    # exactly one primary per tracked indicator; direction and Holm only on the
    # confirmatory family
    tracked = res[res["status"] != "not_reported"]
    counts = tracked.groupby(["enterprise_id", "domain", "indicator"])["primary"].sum()
    assert (counts[counts.index.get_level_values("domain") != "survey"] == 1).all()
    judged = res["direction"] != "not_tested"
    assert res.loc[judged, "confirmatory"].all()
    assert res.loc[~res["confirmatory"], "p_holm"].isna().all()
    family = res[res["confirmatory"]]
    assert set(family["indicator"]) <= set(PLAN.confirmatory)
    assert (family.groupby("enterprise_id").size() <= 6).all()
    assert family.loc[family["status"] == "ok", "p_holm"].notna().all()


def test_shipped_demo_features(shipped):
    res = shipped.results.set_index(["enterprise_id", "indicator", "method"]).sort_index()
    tesena_survey = shipped.results.query("enterprise_id == 'tesena_inovindo' "
                                             "and domain == 'survey'")
    assert (tesena_survey["status"] == "suppressed").all()
    assert tesena_survey[["estimate", "p_value", "n_pre", "n_post"]].isna().all().all()
    lestari = shipped.results.query("enterprise_id == 'lestari_dini_tunggul' "
                                       "and domain == 'survey'")
    assert set(lestari["method"]) == {"welch_t", "mann_whitney"}
    assert set(lestari.loc[lestari["primary"], "method"]) == {"welch_t"}
    rework = res.loc["tesena_inovindo", "rework_rate"]
    assert (rework["status"] == "not_reported").all()
    assert res.loc[("trijaya_teknik", "reject_rate", "its_effect_end"), "terms"] == (
        "t + post + t_after + eid")
    # Tjokro's suggestions: 5 before, 67 after, too few for a model; the exact comparison
    # shows them (pinned to R on the same months in test_models)
    exact = res.loc[("tjokro_bersaudara", "suggestion_rate", "rate_ratio_exact")]
    ref = R.TJOKRO_SUGGESTIONS_EXACT
    for key in ("estimate", "ci_low", "ci_high", "p_value", "pre_value", "post_value"):
        assert exact[key] == pytest.approx(ref[key], rel=1e-9), key
    primary = res.loc[("tjokro_bersaudara", "suggestion_rate", "its_effect_end")]
    assert primary["primary"] and primary["status"] == "insufficient_data"
    assert not primary["confirmatory"]
    # Tjokro's productivity (docs/demo_data.md): the controlled estimate is the primary,
    # near the simulated x 1.09; the single series, misled by the 2010 shock, is below 1
    end = res.loc[("tjokro_bersaudara", "labour_productivity", "cits_effect_end")]
    assert end["estimate"] == pytest.approx(1.0465, abs=5e-4)
    assert end["primary"] and end["confirmatory"]
    single = res.loc[("tjokro_bersaudara", "labour_productivity", "its_effect_end")]
    assert single["estimate"] == pytest.approx(0.9622, abs=5e-4) and not single["primary"]


def test_shipped_pooled(shipped):
    pooled = shipped.pooled
    assert list(pooled.columns[:len(POOLED_COLUMNS)]) == list(POOLED_COLUMNS)
    assert set(pooled["status"]) <= set(STATUSES)
    assert (pooled["tau2"].dropna() >= 0).all()
    assert pooled["i2"].dropna().between(0, 100).all()
    ok = pooled[pooled["status"] == "ok"]
    assert (ok["k"] >= PLAN.min_pooled).all()
    assert ok[["estimate", "ci_low", "ci_high", "pi_low", "pi_high", "p_value",
               "q"]].notna().all().all()
    assert (ok["pi_low"] <= ok["ci_low"]).all() and (ok["pi_high"] >= ok["ci_high"]).all()
    assert set(pooled["domain"]) == {"kpi", "survey"}  # 5S is not pooled
    primary = pooled[pooled["primary"]]
    # the controlled estimate where at least min_pooled enterprises have it (every KPI the
    # shipped data let be estimated), else the single series
    kpi = primary[primary["domain"] == "kpi"].set_index("indicator")
    assert set(kpi["source_method"]) == {"cits_effect_end", "its_effect_end"}
    assert (kpi.loc[kpi["status"] == "ok", "source_method"] == "cits_effect_end").all()
    assert set(primary.loc[primary["domain"] == "survey", "source_method"]) == {"mean_change"}
    family = pooled[pooled["confirmatory"]]
    assert sorted(family["indicator"]) == sorted(PLAN.confirmatory)
    assert pooled.loc[~pooled["confirmatory"], "p_holm"].isna().all()
    assert (pooled.loc[~pooled["confirmatory"], "direction"] == "not_tested").all()
    zero = pooled[pooled["tau2"] == 0]
    assert len(zero) and zero["note_code"].str.contains("tau2_zero(k=", regex=False).all()
    inputs = shipped.pooled_inputs
    assert list(inputs.columns) == list(POOLED_INPUT_COLUMNS)
    sums = inputs.groupby(["indicator", "source_method"])["weight_percent"].sum()
    np.testing.assert_allclose(sums, 100.0)
    change = inputs[inputs["source_method"] == "mean_change"]
    assert set(change["input_method"]) == {"paired_t", "welch_t"}
    assert (pooled.loc[pooled["status"] != "ok", "note_code"].str.len() > 0).all()


def test_the_family_definition_reproduces_p_holm(shipped):
    """decisions.in_holm_family is the one definition of the family (the pages count it
    to say "of the N confirmatory outcomes"): Holm over exactly those rows, the not
    estimable ones at p = 1, gives the stored p_holm."""
    res = shipped.results
    for _, own in res.groupby("enterprise_id"):
        family = own[decisions.in_holm_family(own)]
        assert family["confirmatory"].all() and own["confirmatory"].sum() == len(family)
        p = family["p_value"].where(family["status"] == "ok").fillna(1.0).to_numpy(float)
        expected = decisions.holm(p)
        has = family["p_value"].notna().to_numpy()
        np.testing.assert_allclose(family["p_holm"].to_numpy(float)[has], expected[has],
                                   rtol=1e-12)


def test_csv_writes_inf_for_no_event_before(tmp_path):
    """results.csv writes ``inf`` for an infinite ratio (no event before the programme)."""
    from score_analysis.files import write_csv

    rows = rows_of([{"domain": "kpi", "indicator": "suggestion_rate",
                     "method": "rate_ratio_exact", "estimate": np.inf, "ci_low": 15.2,
                     "ci_high": np.inf, "estimate_scale": "rate_ratio"}])
    write_csv(rows[list(RESULT_COLUMNS)], tmp_path / "results.csv")
    back = pd.read_csv(tmp_path / "results.csv")
    assert np.isinf(back["estimate"].iloc[0]) and np.isinf(back["ci_high"].iloc[0])
    assert "inf" in (tmp_path / "results.csv").read_text()


def test_an_enterprise_subset_is_analysed_alone(validated, shipped):
    from score_analysis.build import analyse

    some = analyse(validated.tables, enterprises=["tjokro_bersaudara", "trijaya_teknik"])
    assert set(some.results["enterprise_id"]) == {"tjokro_bersaudara", "trijaya_teknik"}
    full = shipped.results
    own = full[full["enterprise_id"] == "tjokro_bersaudara"].reset_index(drop=True)
    mine = some.results[some.results["enterprise_id"] == "tjokro_bersaudara"]
    pd.testing.assert_frame_equal(mine.reset_index(drop=True), own)
    assert (some.pooled["status"] != "ok").all()  # two enterprises cannot be pooled
    with pytest.raises(ValueError, match="unknown enterprise"):
        analyse(validated.tables, enterprises=["nobody"])


def test_settings_pass_through_the_build(validated):
    from score_analysis.build import analyse

    out = analyse(validated.tables, enterprises=["tjokro_bersaudara"],
                  settings=PLAN.replace(phase_in_months=6, min_months_its=10))
    res = out.results.set_index(["indicator", "method"])
    assert res.loc[("reject_rate", "its_effect_end_phase_in"), "n_post"] == 4
    assert res.loc[("reject_rate", "its_effect_end"), "status"] == "ok"  # 15 and 10 months
    assert res.loc[("reject_rate", "its_effect_end_phase_in"), "status"] == (
        "insufficient_data")  # 4 months after the phase-in, 10 needed


# --------------------------------------------------------------------------- fit_its


@pytest.mark.parametrize("enterprise_id, indicator", [
    ("tjokro_bersaudara", "reject_rate"), ("tjokro_bersaudara", "labour_productivity"),
    ("inprintama_asri", "absenteeism_rate"), ("tesena_inovindo", "absenteeism_rate"),
])
def test_fit_its_reproduces_the_published_row(validated, shipped, enterprise_id, indicator):
    """The researcher's fit: the statsmodels results of exactly the published primary
    row's model, both covariances attached; its estimate and SE equal the row's to 1e-9."""
    from score_analysis.stats.models import fit_its, published_estimate

    res = fit_its(validated.tables, enterprise_id, indicator)
    rows = shipped.results
    rows = rows[(rows["enterprise_id"] == enterprise_id) & (rows["indicator"] == indicator)]
    # the controlled row is the primary; fit_its is the single series' model beside it
    assert rows.loc[rows["primary"], "method"].tolist() == ["cits_effect_end"]
    row = rows[rows["method"] == res.published_method].iloc[0]
    assert res.published_method == "its_effect_end"
    assert res.model.exog_names == ["const", *(t.strip() for t in row["terms"].split("+"))]
    estimate, se = published_estimate(res)
    assert estimate == pytest.approx(row["estimate"], rel=1e-9)
    assert se == pytest.approx(row["se"], rel=1e-9)
    c = np.array([res.published_weights.get(n, 0.0) for n in res.model.exog_names])
    assert np.sqrt(c @ res.cov_model @ c) == pytest.approx(row["se_model"], rel=1e-9)
    assert np.sqrt(c @ res.cov_newey_west @ c) == pytest.approx(row["se_newey_west"],
                                                                 rel=1e-9)
    assert res.df_resid == row["df"]
    assert res.published["p_value"] == pytest.approx(row["p_value"], rel=1e-9)


def test_fit_its_refuses_what_has_no_model(validated):
    from score_analysis.stats.models import fit_its

    with pytest.raises(ValueError, match="insufficient_data"):
        fit_its(validated.tables, "tjokro_bersaudara", "suggestion_rate")
    with pytest.raises(ValueError, match="does not track"):
        fit_its(validated.tables, "tesena_inovindo", "rework_rate")
    with pytest.raises(ValueError, match="unknown"):
        fit_its(validated.tables, "nobody", "reject_rate")
    with pytest.raises(ValueError, match="unknown monthly indicator"):
        fit_its(validated.tables, "tjokro_bersaudara", "happiness")
