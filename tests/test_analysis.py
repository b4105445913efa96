"""Assembly of the results table (SPEC §6, §7): primary results, Holm and BH (pinned to R's
p.adjust), direction, survey privacy, and the shipped data's results."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import reference_values as R

from score_analysis import analysis
from score_analysis.analysis import (
    INTERNAL_COLUMNS,
    KPI_LINE_COLUMNS,
    RELIABILITY_COLUMNS,
    adjusted,
    direction,
    enterprise_analysis,
    five_s_results,
    kpi_lines,
    kpi_results,
    primary_method,
    survey_reliability,
    survey_results,
)
from score_analysis.contract import DIRECTIONS, INDICATORS, RESULT_COLUMNS, STATUSES

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
    specs = [{"domain": "survey", "indicator": f"c{i}", "method": "mann_whitney",
              "primary": True, "p_value": v, "estimate": 1.0, "effect_size": 0.5,
              "estimate_scale": "difference"} for i, v in enumerate(p)]
    # rows that must not enter the family: not primary, not ok, another enterprise
    specs += [{"domain": "survey", "indicator": "c0", "method": "welch_t", "p_value": 1e-6},
              {"domain": "kpi", "indicator": "reject_rate", "method": "rate_ratio_step",
               "primary": True, "status": "insufficient_data"},
              {"enterprise_id": "e2", "domain": "kpi", "indicator": "reject_rate",
               "method": "its_level", "primary": True, "p_value": 0.04, "estimate": 0.8,
               "estimate_scale": "rate_ratio"}]
    out = adjusted(rows_of(specs))
    for i in range(len(p)):
        assert out.loc[i, "p_holm"] == pytest.approx(R.P_ADJUST[f"holm_{i + 1}"], rel=1e-12)
        assert out.loc[i, "q_bh"] == pytest.approx(R.P_ADJUST[f"bh_{i + 1}"], rel=1e-12)
    assert out.loc[len(p):len(p) + 1, ["p_holm", "q_bh"]].isna().all().all()
    # a family of one: unadjusted
    assert out.iloc[-1]["p_holm"] == pytest.approx(0.04)


def test_adjusted_does_not_mutate():
    rows = rows_of([{"domain": "survey", "indicator": "c", "method": "mann_whitney",
                     "primary": True, "p_value": 0.01, "effect_size": 0.3}])
    before = rows.copy()
    adjusted(rows)
    pd.testing.assert_frame_equal(rows, before)


# --------------------------------------------------------------------------- primary


def test_primary_rule():
    rows = rows_of([
        {"domain": "kpi", "indicator": "reject_rate", "method": "rate_ratio_step"},
        {"domain": "kpi", "indicator": "reject_rate", "method": "its_level"},
        {"domain": "kpi", "indicator": "absenteeism_rate", "method": "rate_ratio_step"},
        {"domain": "kpi", "indicator": "absenteeism_rate", "method": "its_level",
         "status": "insufficient_data"},
        {"domain": "five_s", "indicator": "five_s_index", "method": "paired_t"},
        {"domain": "five_s", "indicator": "five_s_index", "method": "wilcoxon_signed_rank"},
        {"domain": "survey", "indicator": "communication", "method": "welch_t"},
        {"domain": "survey", "indicator": "communication", "method": "mann_whitney"},
    ])
    assert primary_method(rows).tolist() == [False, True, True, False, False, True, False, True]


# --------------------------------------------------------------------------- direction


@pytest.mark.parametrize("spec, expected", [
    # KPI: the sign of log(rate ratio) against the good direction
    ({"domain": "kpi", "indicator": "reject_rate", "method": "its_level", "estimate": 0.7,
      "estimate_scale": "rate_ratio", "p_value": 0.01}, "improved"),
    ({"domain": "kpi", "indicator": "labour_productivity", "method": "its_level",
      "estimate": 0.7, "estimate_scale": "rate_ratio", "p_value": 0.01}, "worsened"),
    ({"domain": "kpi", "indicator": "reject_rate", "method": "its_slope", "estimate": 1.02,
      "estimate_scale": "slope_ratio", "p_value": 0.2}, "inconclusive"),
    # primary rows are judged on p_holm, the others on p_value
    ({"domain": "kpi", "indicator": "reject_rate", "method": "its_level", "estimate": 0.7,
      "estimate_scale": "rate_ratio", "p_value": 0.01, "primary": True, "p_holm": 0.06},
     "inconclusive"),
    # rank tests: the side the ranks fall on, even with a zero median difference
    ({"domain": "five_s", "indicator": "five_s_index", "method": "wilcoxon_signed_rank",
      "estimate": 0.0, "effect_size": 0.8, "p_value": 0.01}, "improved"),
    ({"domain": "survey", "indicator": "communication", "method": "mann_whitney",
      "estimate": 0.0, "effect_size": -0.4, "p_value": 0.01}, "worsened"),
    # friedman: last audit against the first
    ({"domain": "five_s", "indicator": "five_s_index", "method": "friedman",
      "pre_value": 40.0, "post_value": 60.0, "p_value": 0.001}, "improved"),
    ({"domain": "five_s", "indicator": "five_s_index", "method": "paired_t",
      "estimate": -3.0, "p_value": 0.04}, "worsened"),
])
def test_direction(spec, expected):
    row = rows_of([spec]).iloc[0]
    assert direction(row) == expected
    assert expected in DIRECTIONS


@pytest.mark.parametrize("status", ["insufficient_data", "suppressed", "not_reported"])
def test_no_direction_without_a_result(status):
    row = rows_of([{"domain": "kpi", "indicator": "reject_rate", "method": "its_level",
                    "status": status}]).iloc[0]
    assert pd.isna(direction(row))


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
    out = survey_results(scores_of(base, follow), ENTERPRISE, ["c"]).set_index("method")
    assert list(out.index) == ["paired_t", "wilcoxon_signed_rank"]
    assert (out["n_pre"] == 8).all()
    assert out["note"].str.contains("matched comparison of the 8 respondents").all()


def test_survey_unmatched_uses_welch_and_mann_whitney():
    u = pd.read_csv(DATA / "survey_unmatched.csv")
    base = [(None, s) for s in u.loc[u["wave"] == "baseline", "score"]]
    follow = [(f"N{i}", s) for i, s in enumerate(u.loc[u["wave"] == "followup", "score"])]
    out = survey_results(scores_of(base, follow), ENTERPRISE, ["c"]).set_index("method")
    assert list(out.index) == ["welch_t", "mann_whitney"]
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
    assert survey["direction"].isna().all()
    assert survey["note"].str.contains("privacy").all()


def test_survey_missing_wave_is_insufficient():
    out = survey_results(scores_of([(None, 3.0)] * 6, []), ENTERPRISE, ["c", "d"])
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


def items_of(audits: dict[str, list[float]]) -> pd.DataFrame:
    rows = []
    for date, pcts in audits.items():
        for i, pct in enumerate(pcts):
            rows.append({"enterprise_id": "e1", "audit_date": date, "visit": date,
                         "area": "a", "pillar": "sort", "item": f"i{i}", "pct": pct})
    return pd.DataFrame(rows)


def test_five_s_first_and_last_audit_and_friedman():
    fix = pd.read_csv(DATA / "five_s_three_audits.csv")
    items = items_of({"2010-03-24": list(fix["audit_1"]), "2010-10-14": list(fix["audit_2"]),
                      "2010-12-08": list(fix["audit_3"])})
    out = five_s_results(items, ENTERPRISE).set_index("method")
    assert (out["status"] == "ok").all()
    assert out.loc["friedman", "p_value"] == pytest.approx(R.FIVE_S_FRIEDMAN["p_value"],
                                                           rel=1e-6)
    assert out.loc["paired_t", "estimate"] == pytest.approx(
        (fix["audit_3"] - fix["audit_1"]).mean())
    assert pd.isna(out.loc["friedman", "estimate_scale"])


def test_five_s_too_few_audits():
    out = five_s_results(items_of({"2010-03-24": [25.0, 50.0]}), ENTERPRISE)
    assert (out["status"] == "insufficient_data").all()
    assert out["note"].str.len().gt(0).all()
    none = five_s_results(items_of({}).reindex(columns=["enterprise_id", "audit_date", "area",
                                                        "pillar", "item", "pct"]), ENTERPRISE)
    assert (none["status"] == "not_reported").all()


# --------------------------------------------------------------------------- KPIs


def monthly_of(series: pd.DataFrame, indicator: str) -> pd.DataFrame:
    rate = series["numerator"] / series["exposure"]
    return series.assign(enterprise_id="e1", indicator=indicator, value=rate)


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
    assert len(kpi_rows) == 3 * len(INDICATORS) + 2  # two Newey-West rows
    expected = kpi_results(monthly, ENTERPRISE)
    assert kpi_rows["estimate"].tolist() == pytest.approx(expected["estimate"].tolist(),
                                                          nan_ok=True)


def test_untracked_indicator_rows_and_lines():
    kpi = pd.read_csv(DATA / "kpi_eid.csv").iloc[:8]
    monthly = monthly_of(kpi[kpi["exposure"] > 0], "reject_rate")
    rows = kpi_results(monthly, ENTERPRISE)
    untracked = rows[rows["indicator"] == "rework_rate"]
    assert (untracked["status"] == "not_reported").all()
    assert untracked["note"].str.contains("not tracked").all()
    lines = kpi_lines(monthly, ENTERPRISE)  # 8 months before, none after: no model
    assert lines["fitted"].isna().all() and len(lines) == 8
    assert lines["observed"].tolist() == pytest.approx(monthly["value"].tolist())


# --------------------------------------------------------------------------- shipped data


@pytest.fixture(scope="module")
def shipped() -> pd.DataFrame:
    from score_analysis.pipeline import analyse, validate_inputs

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
    # every ok row has its numbers (friedman has a statistic, not an estimate)
    assert ok.loc[ok["method"] != "friedman", number].notna().all().all()
    assert ok.loc[ok["method"] == "friedman", "p_value"].notna().all()
    assert ok["direction"].isin(DIRECTIONS).all()
    # every other row says why
    assert res.loc[res["status"] != "ok", "note"].str.len().gt(0).all()
    interval = ok["method"].isin(["rate_ratio_step", "its_level", "its_slope", "its_level_hac",
                                  "paired_t", "welch_t"])
    assert ok.loc[interval, ["ci_low", "ci_high"]].notna().all().all()
    primary = res[res["primary"] & (res["status"] == "ok")]
    assert primary[["p_holm", "q_bh"]].notna().all().all()
    every = {"rate_ratio_step", "its_level", "its_slope", "its_level_hac", "paired_t",
             "wilcoxon_signed_rank", "friedman", "welch_t", "mann_whitney"}
    assert every <= set(ok["method"])


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
    rework = res.loc["tesena_inovindo", "rework_rate"]
    assert (rework["status"] == "not_reported").all()
    assert res.loc[("trijaya_teknik", "reject_rate", "its_level"), "terms"] == (
        "t + post + t_after + eid")


def test_shipped_pooled(shipped):
    pooled = shipped["pooled"]
    assert (pooled["tau2"].dropna() >= 0).all()
    assert pooled["i2"].dropna().between(0, 100).all()
    enough = pooled[pooled["k"] >= 3]
    assert enough[["estimate", "ci_low", "ci_high", "p_value"]].notna().all().all()
    assert pooled.loc[pooled["k"] < 3, "note"].str.len().gt(0).all()
