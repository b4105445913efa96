"""Assembly of the results table (analysis plan version 2): primary results, Holm and BH over
the planned family (pinned to R's p.adjust), direction, survey privacy and attrition, 5S
change, and the shipped data's results."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import reference_values as R

from score_analysis.stats import analysis
from score_analysis.stats.analysis import (
    ATTRITION_COLUMNS,
    FIVE_S_NOTE,
    INTERNAL_COLUMNS,
    KPI_LINE_COLUMNS,
    RELIABILITY_COLUMNS,
    adjusted,
    direction,
    enterprise_analysis,
    five_s_results,
    kpi_lines,
    kpi_results,
    survey_attrition,
    survey_reliability,
    survey_results,
)
from score_analysis.stats.indicators import INDICATORS
from score_analysis.stats.models import KPI_METHODS
from score_analysis.stats.outputs import DIRECTIONS, RESULT_COLUMNS, STATUSES

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).parent / "data"
ENTERPRISE = pd.Series({"enterprise_id": "e1", "intervention_month": "2010-01",
                        "data_source": "simulated"})


def rows_of(specs: list[dict]) -> pd.DataFrame:
    out = []
    for spec in specs:
        row = dict.fromkeys(INTERNAL_COLUMNS, np.nan)
        row.update({"enterprise_id": "e1", "status": "ok", "primary": False, **spec})
        out.append(row)
    return pd.DataFrame(out, columns=list(INTERNAL_COLUMNS))


# --------------------------------------------------------------------------- multiplicity


def test_holm_and_bh_match_r_p_adjust():
    p = pd.read_csv(DATA / "p_values.csv")["p"]
    specs = [{"domain": "survey", "indicator": f"c{i}", "method": "paired_t",
              "primary": True, "p_value": v, "estimate": 1.0,
              "estimate_scale": "difference"} for i, v in enumerate(p)]
    # rows that must not enter the family: not primary, descriptive, suppressed, another
    # enterprise
    specs += [{"domain": "survey", "indicator": "c0", "method": "welch_t", "p_value": 1e-6},
              {"domain": "five_s", "indicator": "five_s_index", "method": "five_s_change",
               "primary": True, "estimate": 3.0},
              {"domain": "survey", "indicator": "cx", "method": "paired_t", "primary": True,
               "status": "suppressed"},
              {"enterprise_id": "e2", "domain": "kpi", "indicator": "reject_rate",
               "method": "its_level", "primary": True, "p_value": 0.04, "estimate": 0.8,
               "estimate_scale": "rate_ratio"}]
    out = adjusted(rows_of(specs))
    for i in range(len(p)):
        assert out.loc[i, "p_holm"] == pytest.approx(R.P_ADJUST[f"holm_{i + 1}"], rel=1e-12)
        assert out.loc[i, "q_bh"] == pytest.approx(R.P_ADJUST[f"bh_{i + 1}"], rel=1e-12)
    assert out.loc[len(p):len(p) + 2, ["p_holm", "q_bh"]].isna().all().all()
    # a family of one: unadjusted
    assert out.iloc[-1]["p_holm"] == pytest.approx(0.04)


def test_planned_primaries_that_were_not_estimable_count_as_p_one():
    """The family is what was planned: two primaries with status insufficient_data enter
    Holm and BH with p = 1 (R: p.adjust(c(p, 1, 1), ...)), and get no adjusted value."""
    p = pd.read_csv(DATA / "p_values.csv")["p"]
    specs = [{"domain": "survey", "indicator": f"c{i}", "method": "paired_t",
              "primary": True, "p_value": v, "estimate": 1.0,
              "estimate_scale": "difference"} for i, v in enumerate(p)]
    specs += [{"domain": "kpi", "indicator": ind, "method": "its_level", "primary": True,
               "status": "insufficient_data"} for ind in ("accident_frequency", "reject_rate")]
    out = adjusted(rows_of(specs))
    for i in range(len(p)):
        assert out.loc[i, "p_holm"] == pytest.approx(R.P_ADJUST_PLANNED[f"holm_{i + 1}"],
                                                     rel=1e-12)
        assert out.loc[i, "q_bh"] == pytest.approx(R.P_ADJUST_PLANNED[f"bh_{i + 1}"],
                                                   rel=1e-12)
    tail = out.iloc[len(p):]
    assert tail[["p_holm", "q_bh"]].isna().all().all()
    assert (tail["direction"] == "inconclusive").all()


def test_adjusted_does_not_mutate():
    rows = rows_of([{"domain": "survey", "indicator": "c", "method": "paired_t",
                     "primary": True, "p_value": 0.01, "estimate": 0.3}])
    before = rows.copy()
    adjusted(rows)
    pd.testing.assert_frame_equal(rows, before)


# --------------------------------------------------------------------------- primary


def monthly_of(series: pd.DataFrame, indicator: str) -> pd.DataFrame:
    rate = series["numerator"] / series["exposure"]
    return series.assign(enterprise_id="e1", indicator=indicator, value=rate)


def test_kpi_primary_rule():
    """its_level when estimable, else rate_ratio_step when estimable, else its_level."""
    kpi = pd.read_csv(DATA / "kpi_eid.csv")
    kpi = kpi[kpi["exposure"] > 0]
    short = kpi[kpi["month"] <= "2010-05"]  # 11 months before, 4 after: step only
    sparse = kpi.assign(numerator=np.r_[np.ones(5), np.zeros(len(kpi) - 5)])  # 5 events
    monthly = pd.concat([monthly_of(kpi, "reject_rate"), monthly_of(short, "rework_rate"),
                         monthly_of(sparse, "accident_frequency")])
    rows = kpi_results(monthly, ENTERPRISE)
    primary = rows[rows["primary"]].set_index("indicator")
    assert primary.loc["reject_rate", "method"] == "its_level"
    assert primary.loc["reject_rate", "status"] == "ok"
    assert primary.loc["rework_rate", "method"] == "rate_ratio_step"
    assert primary.loc["accident_frequency", "method"] == "its_level"
    assert primary.loc["accident_frequency", "status"] == "insufficient_data"
    assert "too few events" in primary.loc["accident_frequency", "note"]
    # one primary per tracked indicator, none for the others
    assert sorted(primary.index) == ["accident_frequency", "reject_rate", "rework_rate"]
    untracked = rows[rows["indicator"] == "turnover_rate"]
    assert len(untracked) == 1 and untracked["status"].iloc[0] == "not_reported"
    assert not untracked["primary"].iloc[0]


# --------------------------------------------------------------------------- direction


@pytest.mark.parametrize("spec, expected", [
    # KPI: the sign of log(rate ratio) against the good direction, on p_holm
    ({"domain": "kpi", "indicator": "reject_rate", "method": "its_level", "estimate": 0.7,
      "estimate_scale": "rate_ratio", "p_value": 0.01, "primary": True, "p_holm": 0.02},
     "improved"),
    ({"domain": "kpi", "indicator": "labour_productivity", "method": "its_level",
      "estimate": 0.7, "estimate_scale": "rate_ratio", "p_value": 0.01, "primary": True,
      "p_holm": 0.02}, "worsened"),
    ({"domain": "kpi", "indicator": "reject_rate", "method": "its_level", "estimate": 0.7,
      "estimate_scale": "rate_ratio", "p_value": 0.01, "primary": True, "p_holm": 0.06},
     "inconclusive"),
    ({"domain": "survey", "indicator": "communication", "method": "welch_t",
      "estimate": -0.4, "estimate_scale": "difference", "p_value": 0.001, "primary": True,
      "p_holm": 0.003}, "worsened"),
    # secondary and descriptive rows are not judged, however small their p
    ({"domain": "kpi", "indicator": "reject_rate", "method": "its_slope", "estimate": 0.9,
      "estimate_scale": "slope_ratio", "p_value": 1e-6}, "not_tested"),
    ({"domain": "five_s", "indicator": "five_s_index", "method": "wilcoxon_signed_rank",
      "estimate": 0.0, "effect_size": 0.8, "p_value": 0.01}, "not_tested"),
    ({"domain": "five_s", "indicator": "five_s_index", "method": "friedman",
      "pre_value": 40.0, "post_value": 60.0, "p_value": 0.001}, "not_tested"),
    ({"domain": "five_s", "indicator": "five_s_index", "method": "five_s_change",
      "estimate": 20.0, "primary": True}, "not_tested"),
    # a planned primary that could not be estimated
    ({"domain": "kpi", "indicator": "reject_rate", "method": "its_level", "primary": True,
      "status": "insufficient_data"}, "inconclusive"),
    ({"domain": "survey", "indicator": "communication", "method": "welch_t",
      "primary": True, "status": "suppressed"}, "not_tested"),
])
def test_direction(spec, expected):
    row = rows_of([spec]).iloc[0]
    assert direction(row) == expected
    assert expected in DIRECTIONS


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
    assert tests["note"].str.contains(FIVE_S_NOTE, regex=False).all()
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
    done = enterprise_analysis(ENTERPRISE, monthly=monthly,
                               items=pd.DataFrame(columns=["enterprise_id", "audit_date"]),
                               scores=pd.DataFrame(columns=["enterprise_id", "score"]),
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


def test_untracked_indicator_rows_and_lines():
    kpi = pd.read_csv(DATA / "kpi_eid.csv").iloc[:8]
    monthly = monthly_of(kpi[kpi["exposure"] > 0], "reject_rate")
    rows = kpi_results(monthly, ENTERPRISE)
    untracked = rows[rows["indicator"] == "rework_rate"]
    assert len(untracked) == 1 and (untracked["status"] == "not_reported").all()
    assert untracked["note"].str.contains("not tracked").all()
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
    absent = rows[rows["indicator"] == "absenteeism_rate"]
    assert not absent["note"].str.contains("records without", regex=False).any()


# --------------------------------------------------------------------------- shipped data


@pytest.fixture(scope="module")
def shipped() -> pd.DataFrame:
    from score_analysis.build import analyse, validate_inputs

    validated = validate_inputs(ROOT / "data" / "raw")
    assert validated.ok
    out = analyse(validated.tables)
    assert out["failed"] == {}
    return out


def test_shipped_results_are_complete(shipped):
    res = shipped["results"]
    assert list(res.columns[:len(RESULT_COLUMNS)]) == list(RESULT_COLUMNS)
    assert set(res["status"]) <= set(STATUSES)
    ok = res[res["status"] == "ok"]
    number = ["estimate", "p_value"]
    # every ok row has its numbers (friedman has a statistic, not an estimate; the 5S
    # change is described, not tested)
    tests = ~ok["method"].isin(["friedman", "five_s_change"])
    assert ok.loc[tests, number].notna().all().all()
    assert ok.loc[ok["method"] == "five_s_change", "estimate"].notna().all()
    assert ok.loc[ok["method"] == "friedman", "p_value"].notna().all()
    assert ok["direction"].isin(DIRECTIONS).all()
    # every other row says why
    assert res.loc[res["status"] != "ok", "note"].str.len().gt(0).all()
    interval = ok["method"].isin([*KPI_METHODS, "paired_t", "welch_t"])
    assert ok.loc[interval, ["ci_low", "ci_high", "se"]].notna().all().all()
    tested = res[res["primary"] & (res["status"] == "ok") & (res["method"] != "five_s_change")]
    assert tested[["p_holm", "q_bh"]].notna().all().all()
    every = {*KPI_METHODS, "five_s_change", "paired_t", "wilcoxon_signed_rank", "friedman",
             "welch_t", "mann_whitney"}
    assert every <= set(ok["method"])
    # exactly one primary per tracked indicator, and direction only there
    tracked = res[res["status"] != "not_reported"]
    counts = tracked.groupby(["enterprise_id", "domain", "indicator"])["primary"].sum()
    assert (counts[counts.index.get_level_values("domain") != "survey"] == 1).all()
    judged = res["direction"] != "not_tested"
    assert res.loc[judged, "primary"].all()


def test_shipped_demo_features(shipped):
    res = shipped["results"].set_index(["enterprise_id", "indicator", "method"]).sort_index()
    tesena_survey = shipped["results"].query("enterprise_id == 'tesena_inovindo' "
                                             "and domain == 'survey'")
    assert (tesena_survey["status"] == "suppressed").all()
    assert tesena_survey[["estimate", "p_value", "n_pre", "n_post"]].isna().all().all()
    lestari = shipped["results"].query("enterprise_id == 'lestari_dini_tunggul' "
                                       "and domain == 'survey'")
    assert set(lestari["method"]) == {"welch_t", "mann_whitney"}
    assert (lestari["status"] == "ok").all()
    assert set(lestari.loc[lestari["primary"], "method"]) == {"welch_t"}
    rework = res.loc["tesena_inovindo", "rework_rate"]
    assert (rework["status"] == "not_reported").all()
    attrition = shipped["survey_attrition"]
    assert set(attrition["enterprise_id"]) >= {"inprintama_asri", "lestari_dini_tunggul"}
    assert res.loc[("trijaya_teknik", "reject_rate", "its_level"), "terms"] == (
        "t + post + t_after + eid")


def test_shipped_pooled(shipped):
    pooled = shipped["pooled"]
    assert (pooled["tau2"].dropna() >= 0).all()
    assert pooled["i2"].dropna().between(0, 100).all()
    enough = pooled[pooled["k"] >= 3]
    assert enough[["estimate", "ci_low", "ci_high", "pi_low", "pi_high", "p_value",
                   "q"]].notna().all().all()
    assert (enough["pi_low"] <= enough["ci_low"]).all()
    assert (enough["pi_high"] >= enough["ci_high"]).all()
    assert set(pooled["domain"]) == {"kpi", "survey"}  # 5S is not pooled
    assert pooled.loc[pooled["primary"] & pooled["p_value"].notna(), "p_holm"].notna().all()
    inputs = shipped["pooled_inputs"]
    sums = inputs.groupby(["indicator", "source_method"])["weight_percent"].sum()
    np.testing.assert_allclose(sums, 100.0)
    assert pooled.loc[pooled["k"] < 3, "note"].str.len().gt(0).all()


def test_the_shared_family_definition_reproduces_p_holm(shipped):
    """contract.in_holm_family is the one definition of the family (the pages count it to
    say "after adjusting for N indicators"): Holm over exactly those rows, the not
    estimable ones at p = 1, gives the stored p_holm."""
    from statsmodels.stats.multitest import multipletests

    from score_analysis.stats.decisions import in_holm_family

    res = shipped["results"]
    for _, own in res.groupby("enterprise_id"):
        family = own[in_holm_family(own)]
        assert "five_s_change" not in set(family["method"])
        p = family["p_value"].where(family["status"] == "ok").fillna(1.0).to_numpy(float)
        expected = multipletests(p, method="holm")[1]
        has = family["p_value"].notna().to_numpy()
        np.testing.assert_allclose(family["p_holm"].to_numpy(float)[has], expected[has],
                                   rtol=1e-12)
        assert family["p_holm"][~has].isna().all()
