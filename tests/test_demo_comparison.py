"""Tests of the demonstration data's comparison enterprises and 2010 shock, of the true
effects the generator gives, and of the estimates against them (docs/demo_data.md)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from score_analysis.data.demo import demo_tables, demo_true_effects
from score_analysis.data.eid import eid_months

PILOT_IDS = [
    "tjokro_bersaudara",
    "trijaya_teknik",
    "lestari_dini_tunggul",
    "inprintama_asri",
    "tesena_inovindo",
]


@pytest.fixture(scope="module")
def shipped() -> dict[str, pd.DataFrame]:
    """The shipped dataset: five pilot enterprises and three comparison enterprises."""
    return demo_tables(comparison=3)


def _months(first: str, last: str) -> list[str]:
    return [str(p) for p in pd.period_range(first, last, freq="M")]


def _post_pre_ratio(kpi: pd.DataFrame, num: str, den: str) -> pd.Series:
    post = kpi["month"] >= "2010-04"
    sums = kpi[[num, den]].astype(float).groupby([kpi["enterprise_id"], post]).sum()
    rate = sums[num] / sums[den]
    return rate.xs(True, level=1) / rate.xs(False, level=1)


# --------------------------------------------------------------------------- comparison


def test_comparison_enterprises(shipped: dict[str, pd.DataFrame]) -> None:
    ent = shipped["enterprises"]
    assert list(ent["role"]) == ["programme"] * 5 + ["comparison"] * 3
    cmp = ent[ent["role"] == "comparison"]
    assert list(cmp["enterprise_id"]) == ["cmp_001", "cmp_002", "cmp_003"]
    assert list(cmp["name"]) == [f"PT Demo Comparison {i:03d}" for i in (1, 2, 3)]
    assert cmp["intervention_month"].isna().all()
    assert cmp["employees"].between(40, 400).all()
    programme = ent[ent["role"] == "programme"]
    # in the industrial estates and sectors of the programme enterprises: one in each of
    # the pilot's three sectors
    pairs = set(zip(programme["location"], programme["sector"], strict=True))
    assert set(zip(cmp["location"], cmp["sector"], strict=True)) <= pairs
    assert set(cmp["sector"]) == {"automotive parts", "medical garment", "printing"}
    unit = programme.drop_duplicates("sector").set_index("sector")["output_unit"]
    assert list(cmp["output_unit"]) == list(unit[cmp["sector"]])
    # the same monthly KPI columns over the same months, every KPI tracked, no gap
    kpi = shipped["kpi_monthly"]
    own = kpi[kpi["enterprise_id"].isin(cmp["enterprise_id"])]
    for _, rows in own.groupby("enterprise_id"):
        assert list(rows["month"]) == _months("2009-01", "2011-01")
    assert own.notna().all().all()
    # and nothing else: no survey, 5S, milestones, implementation or notes
    for name in ("milestones", "five_s_audits", "worker_survey", "implementation",
                 "qualitative"):
        assert not shipped[name]["enterprise_id"].isin(cmp["enterprise_id"]).any(), name


def test_comparison_enterprises_have_no_programme_effect() -> None:
    tables = demo_tables(40, seed=11, comparison=40, shock=False)
    kpi = tables["kpi_monthly"]
    cmp = kpi["enterprise_id"].str.startswith("cmp_")
    for num, den in (("units_rejected", "units_produced"),
                     ("workdays_absent", "workdays_scheduled")):
        change = np.log(_post_pre_ratio(kpi, num, den))
        assert abs(change[cmp.groupby(kpi["enterprise_id"]).first()].mean()) < 0.05
        assert change[~cmp.groupby(kpi["enterprise_id"]).first()].mean() < -0.1
    sums = kpi[cmp][["suggestions_implemented", "suggestions_submitted"]].astype(float) \
        .groupby(kpi.loc[cmp, "month"] >= "2010-04").sum()
    share = sums["suggestions_implemented"] / sums["suggestions_submitted"]
    assert share.between(0.25, 0.35).all()  # 30 % implemented, before and after


def test_comparison_rows_are_deterministic_and_do_not_move_the_programme(shipped) -> None:
    plain = demo_tables()
    for name, frame in plain.items():
        if name == "enterprises":
            frame = frame.drop(columns="role")
            other = shipped[name].drop(columns="role").iloc[:5]
        else:
            other = shipped[name][~shipped[name].get(
                "enterprise_id", pd.Series("", index=shipped[name].index)
            ).astype(str).str.startswith("cmp_")]
        pd.testing.assert_frame_equal(frame.reset_index(drop=True),
                                      other.reset_index(drop=True), check_dtype=False)
    again = demo_tables(comparison=3)
    for name, frame in shipped.items():
        pd.testing.assert_frame_equal(frame, again[name])
    # the first comparison enterprises do not depend on how many are asked for, nor on
    # the number of programme enterprises (once the five pilot enterprises are in)
    more = demo_tables(12, comparison=5)
    for name in ("enterprises", "kpi_monthly"):
        first = more[name][more[name]["enterprise_id"].isin(["cmp_001", "cmp_002", "cmp_003"])]
        mine = shipped[name][shipped[name]["enterprise_id"].str.startswith("cmp_")]
        pd.testing.assert_frame_equal(first.reset_index(drop=True), mine.reset_index(drop=True))
    other_seed = demo_tables(seed=1, comparison=3)["kpi_monthly"]
    assert not other_seed[other_seed["enterprise_id"] == "cmp_001"].reset_index(drop=True) \
        .equals(shipped["kpi_monthly"].query("enterprise_id == 'cmp_001'").reset_index(drop=True))


def test_comparison_twins_cycle_through_the_programme_enterprises() -> None:
    tables = demo_tables(2, comparison=5)
    ent = tables["enterprises"].set_index("enterprise_id")
    twins = ["tjokro_bersaudara", "trijaya_teknik"]  # the match order among those present
    for i, cmp in enumerate(f"cmp_{j:03d}" for j in range(1, 6)):
        twin = twins[i % 2]
        assert ent.at[cmp, "sector"] == ent.at[twin, "sector"]
        assert ent.at[cmp, "location"] == ent.at[twin, "location"]


# --------------------------------------------------------------------------- 2010 shock


def test_the_shock_hits_every_enterprise(shipped) -> None:
    """Without the shock the same seed gives the same draws up to the first count whose
    mean the shock changes: output per worker-hour and hours differ by exactly the
    shock's multipliers, in every enterprise, programme or comparison."""
    from score_analysis.data.demo.shock import SHOCK_SIZES

    calm = demo_tables(comparison=3, shock=False)
    for name in ("enterprises", "milestones", "five_s_audits", "worker_survey",
                 "implementation", "qualitative"):
        pd.testing.assert_frame_equal(shipped[name], calm[name])
    hit, base = shipped["kpi_monthly"], calm["kpi_monthly"]
    assert list(hit["enterprise_id"]) == list(base["enterprise_id"])
    before = hit["month"] < "2010-01"
    same = ["headcount", "worker_hours", "units_produced", "units_rejected",
            "workdays_scheduled", "workdays_absent"]
    pd.testing.assert_frame_equal(hit.loc[before, same], base.loc[before, same])
    share = hit["month"].map(lambda m: 0.0 if m < "2010-01" else {
        "2010-01": 0.10, "2010-02": 0.20, "2010-03": 0.35, "2010-04": 0.50, "2010-05": 0.65,
        "2010-06": 0.80, "2010-07": 0.90}.get(m, 1.0))
    hours = hit["worker_hours"] / base["worker_hours"]
    np.testing.assert_allclose(hours, np.exp(SHOCK_SIZES["hours"] * share), rtol=2e-3)
    per_hour = (hit["units_produced"].astype(float) / hit["worker_hours"]) / (
        base["units_produced"].astype(float) / base["worker_hours"])
    np.testing.assert_allclose(per_hour, np.exp(SHOCK_SIZES["productivity"] * share),
                               rtol=2e-3)
    for e in hit["enterprise_id"].unique():  # every enterprise: 14 % less per hour
        last = (hit["enterprise_id"] == e) & (hit["month"] == "2011-01")
        assert float(per_hour[last].iloc[0]) == pytest.approx(np.exp(-0.15), rel=2e-3)


def test_the_shock_raises_rejects_for_a_few_months_of_2010() -> None:
    hit = demo_tables(20, seed=5, comparison=20)["kpi_monthly"]
    base = demo_tables(20, seed=5, comparison=20, shock=False)["kpi_monthly"]

    def log_rate(kpi: pd.DataFrame, months: list[str]) -> float:
        rows = kpi[kpi["month"].isin(months)]
        return float(np.log(rows["units_rejected"].astype(float).sum()
                            / rows["units_produced"].astype(float).sum()))

    summer = ["2010-06", "2010-07", "2010-08", "2010-09"]
    assert log_rate(hit, summer) - log_rate(base, summer) == pytest.approx(0.20, abs=0.05)
    later = ["2010-11", "2010-12", "2011-01"]
    assert log_rate(hit, later) - log_rate(base, later) == pytest.approx(0.0, abs=0.05)


# --------------------------------------------------------------------------- true effects


def test_true_effects() -> None:
    truth = demo_true_effects()
    assert list(truth.columns) == ["enterprise_id", "indicator", "effect_end", "shock_end",
                                   "effect_end_with_shock"]
    assert list(truth["enterprise_id"].unique()) == PILOT_IDS
    assert set(truth["indicator"]) == {
        "labour_productivity", "reject_rate", "rework_rate", "absenteeism_rate",
        "suggestion_rate", "implementation_rate", "accident_frequency", "turnover_rate"}
    t = truth.set_index(["enterprise_id", "indicator"])
    # the enterprise without improvement: no effect but the implemented share (30 -> 35 %)
    flat = t.loc["inprintama_asri", "effect_end"]
    np.testing.assert_allclose(flat.drop("implementation_rate"), 1.0)
    assert flat["implementation_rate"] == pytest.approx(0.35 / 0.30)
    # the others improve in the good direction, to different degrees
    improvers = t.drop(index="inprintama_asri", level=0)["effect_end"].unstack()
    assert (improvers[["reject_rate", "rework_rate", "absenteeism_rate", "accident_frequency",
                       "turnover_rate"]] < 1).all().all()
    assert (improvers[["labour_productivity", "suggestion_rate", "implementation_rate"]]
            > 1).all().all()
    assert improvers["reject_rate"].max() - improvers["reject_rate"].min() > 0.05
    # the shock: 14 % less output per hour at the last month, nothing else by then
    shock = t["shock_end"].unstack()
    np.testing.assert_allclose(shock["labour_productivity"], np.exp(-0.15))
    np.testing.assert_allclose(shock.drop(columns="labour_productivity"), 1.0)
    np.testing.assert_allclose(t["effect_end_with_shock"], t["effect_end"] * t["shock_end"])
    # without the shock: the same effects, no shock
    calm = demo_true_effects(shock=False).set_index(["enterprise_id", "indicator"])
    np.testing.assert_allclose(calm["effect_end"], t["effect_end"])
    np.testing.assert_allclose(calm["shock_end"], 1.0)
    # synthetic enterprises too, and the first five unchanged
    twelve = demo_true_effects(12)
    assert twelve["enterprise_id"].nunique() == 12
    pd.testing.assert_frame_equal(twelve.iloc[:len(truth)], truth)


def test_true_effects_match_the_data_without_noise() -> None:
    """The true reject-rate effects are what the data show: across many enterprises, the
    log ratio of the reject rate after the ramp to the rate before (Lebaran months left
    out) averages the true effects (the enterprises' trends have mean zero) and follows
    them."""
    tables = demo_tables(60, seed=2, shock=False)
    truth = demo_true_effects(60, seed=2, shock=False).set_index(
        ["enterprise_id", "indicator"])["effect_end"]
    kpi = tables["kpi_monthly"].merge(tables["enterprises"][["enterprise_id",
                                                            "intervention_month"]])
    lebaran = kpi["month"].isin(eid_months()) | kpi["month"].isin(["2009-10", "2010-10"])
    kpi = kpi[~lebaran]
    start = pd.PeriodIndex(kpi["intervention_month"], freq="M")
    month = pd.PeriodIndex(kpi["month"], freq="M")
    since = np.array([(m - s).n for m, s in zip(month, start, strict=True)])
    kpi = kpi.assign(period=np.select([since < 0, since >= 3], ["before", "after"], "ramp"))
    rates = kpi[kpi["period"] != "ramp"].groupby(["enterprise_id", "period"])[
        ["units_rejected", "units_produced"]].sum().astype(float)
    ratio = (rates["units_rejected"] / rates["units_produced"]).unstack()
    observed = np.log(ratio["after"] / ratio["before"])
    expected = np.log(truth.xs("reject_rate", level="indicator"))[observed.index]
    # the trends (mean zero across enterprises) and the noise average out
    assert observed.mean() == pytest.approx(expected.mean(), abs=0.04)
    assert np.corrcoef(observed, expected)[0, 1] > 0.7


# --------------------------------------------------------------------------- estimates


def _monthly(kpi: pd.DataFrame) -> pd.DataFrame:
    """The monthly numerators and exposures of every enterprise and indicator (the columns
    of ``monthly_indicators`` that the models read), months without them left out."""
    from score_analysis.stats.indicators import INDICATORS

    parts = []
    for ind in INDICATORS.values():
        part = pd.DataFrame({
            "enterprise_id": kpi["enterprise_id"], "indicator": ind.name,
            "month": kpi["month"], "numerator": kpi[ind.numerator].astype(float),
            "exposure": kpi[ind.exposure].astype(float)})
        parts.append(part[part["numerator"].notna() & (part["exposure"] > 0)])
    return pd.concat(parts, ignore_index=True)


def _estimates(tables: dict[str, pd.DataFrame], truth: pd.DataFrame,
               indicator: str) -> pd.DataFrame:
    """The single-series (``its_effect_end``) and controlled (``cits_effect_end``) estimates
    of every programme enterprise, beside the true effects."""
    from score_analysis.stats.cits import cits_rows
    from score_analysis.stats.models import kpi_effects

    ent = tables["enterprises"]
    monthly = _monthly(tables["kpi_monthly"])
    truth = truth.set_index(["enterprise_id", "indicator"])
    rows = []
    for e, start in ent.loc[ent["role"] == "programme",
                            ["enterprise_id", "intervention_month"]].itertuples(index=False):
        own = monthly[(monthly["enterprise_id"] == e) & (monthly["indicator"] == indicator)]
        single = kpi_effects(own[["month", "numerator", "exposure"]], start)
        single = single.set_index("method").loc["its_effect_end"]
        controlled = {r["method"]: r for r in cits_rows(monthly, ent, e, indicator)}
        controlled = controlled["cits_effect_end"]
        rows.append({
            "enterprise_id": e, **truth.loc[(e, indicator)].to_dict(),
            "single": single["estimate"], "single_low": single["ci_low"],
            "single_high": single["ci_high"], "single_status": single["status"],
            "controlled": controlled["estimate"], "controlled_low": controlled["ci_low"],
            "controlled_high": controlled["ci_high"],
            "controlled_status": controlled["status"]})
    return pd.DataFrame(rows).set_index("enterprise_id")


def _covers(est: pd.DataFrame, which: str) -> pd.Series:
    return (est[f"{which}_low"] <= est["effect_end"]) & (est["effect_end"] <= est[f"{which}_high"])


def test_on_the_shipped_data_the_shock_misleads_the_single_series_not_the_controlled(
    shipped,
) -> None:
    """Labour productivity: every enterprise's single series takes the 14 % fall in output
    per hour for the programme's doing and looks worse than it did; every controlled
    interval holds the simulated effect."""
    est = _estimates(shipped, demo_true_effects(), "labour_productivity")
    assert (est["single_status"] == "ok").all() and (est["controlled_status"] == "ok").all()
    assert _covers(est, "controlled").all()
    single_error = np.log(est["single"] / est["effect_end"])
    assert (single_error < -0.05).all()  # every enterprise looks worse than it did
    assert (np.log(est["controlled"] / est["effect_end"]).abs() < single_error.abs()).all()
    # the single series is nearer the effect with the shock than the effect alone
    assert (np.log(est["single"] / est["effect_end_with_shock"]).abs()
            < single_error.abs()).all()
    # most single-series intervals miss the simulated effect ...
    assert (~_covers(est, "single")).sum() >= 3
    # ... and two enterprises seem to have lost productivity, the one without improvement
    # among them, while the controlled estimate sees no change
    for e in ("inprintama_asri", "tesena_inovindo"):
        assert est.at[e, "single_high"] < 1 <= est.at[e, "effect_end"]
        assert est.at[e, "controlled_low"] < 1 < est.at[e, "controlled_high"]


@pytest.mark.parametrize("shock", [True, False])
def test_under_a_common_shock_the_controlled_estimate_is_close_to_the_truth(shock) -> None:
    """Thirty programme and ten comparison enterprises: with the shock, the single-series
    estimates are off by about the shock (log -0.15) and their intervals rarely hold the
    truth; the controlled ones are near it.  Without the shock both are near it, so the
    bias is the shock's."""
    tables = demo_tables(30, seed=8, comparison=10, shock=shock)
    est = _estimates(tables, demo_true_effects(30, seed=8, shock=shock), "labour_productivity")
    est = est[(est["single_status"] == "ok") & (est["controlled_status"] == "ok")]
    assert len(est) >= 20
    controlled_error = np.log(est["controlled"] / est["effect_end"]).mean()
    single_error = np.log(est["single"] / est["effect_end"]).mean()
    assert abs(controlled_error) < 0.05
    assert _covers(est, "controlled").mean() >= 0.75
    if shock:
        assert single_error < -0.08
        assert _covers(est, "single").mean() <= 0.35
    else:
        assert abs(single_error) < 0.03
        assert _covers(est, "single").mean() >= 0.75


def test_without_comparison_enterprises_there_is_no_controlled_estimate() -> None:
    from score_analysis.stats.cits import cits_rows

    tables = demo_tables(2)
    monthly = _monthly(tables["kpi_monthly"])
    assert cits_rows(monthly, tables["enterprises"], "tjokro_bersaudara", "reject_rate") == []


def test_the_reject_shock_moves_the_single_series_step_not_the_controlled_one() -> None:
    from score_analysis.stats.cits import cits_rows
    from score_analysis.stats.models import kpi_effects

    levels = {}
    for shock in (True, False):
        tables = demo_tables(comparison=3, shock=shock)
        monthly = _monthly(tables["kpi_monthly"])
        rejects = monthly[monthly["indicator"] == "reject_rate"]
        for e in PILOT_IDS:
            own = rejects[rejects["enterprise_id"] == e][["month", "numerator", "exposure"]]
            single = kpi_effects(own, "2010-04").set_index("method").at["its_level", "estimate"]
            controlled = {r["method"]: r["estimate"]
                          for r in cits_rows(monthly, tables["enterprises"], e, "reject_rate")}
            levels[shock, e] = (single, controlled["cits_level"])
    single = np.array([np.log(levels[True, e][0] / levels[False, e][0]) for e in PILOT_IDS])
    controlled = np.array([np.log(levels[True, e][1] / levels[False, e][1])
                           for e in PILOT_IDS])
    assert (single > 0.08).all()  # the bump after the start looks like a smaller step
    assert (np.abs(controlled) < 0.03).all()
