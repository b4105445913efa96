"""The calibration study (score_analysis/calibration, docs/calibration.md).

Fast tests: the grid of scenarios, the simulation's assumptions, seeding, the alternative
standard errors (pinned to R), the summary, the nearest-row lookup and the command's exit
codes.  The slow test runs the independent-month null scenario through the analysis and
fails when the primary's intervals stop covering the truth about 95 % of the time.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import reference_values as R

from score_analysis.calibration import (
    DEFAULT_SEED,
    NEAREST_KEYS,
    lookup,
    nearest_calibration,
    running,
    scenarios,
    simulation,
    summary,
)
from score_analysis.calibration import alternatives as alt
from score_analysis.calibration.scenarios import DEFAULT_GRID, SMALL_GRID, Scenario
from score_analysis.cli import main

# --------------------------------------------------------------------------- scenarios


def test_default_grid_spans_lengths_dispersions_autocorrelations_and_effects():
    grid = DEFAULT_GRID
    assert len(grid) == 3 * (1 + 2 * 3) * 2 == 42
    assert {s.n_months for s in grid} == {18, 25, 36}
    assert {s.dispersion for s in grid} == {"none", "moderate", "strong"}
    assert {s.rho for s in grid} == {0.0, 0.3, 0.6}
    assert {s.effect_end for s in grid} == {1.0, 0.75}
    # Poisson counts have no month effects, so no autocorrelation either
    assert {s.rho for s in grid if s.dispersion == "none"} == {0.0}
    assert len({s.name for s in grid}) == len({s.key for s in grid}) == len(grid)
    assert all(s.n_before >= 6 and s.n_after >= 6 for s in grid)
    assert set(SMALL_GRID) <= set(grid)


def test_scenario_months_and_true_values():
    s = Scenario(25, "moderate", 0.3, 0.75)
    assert (s.n_before, s.n_after) == (15, 10)  # as the shipped data: 2009-01 .. 2011-01
    months = simulation.months_of(s)
    assert (months[0], months[15], months[-1]) == ("2009-01", "2010-04", "2011-01")
    assert Scenario(18, "none", 0.0, 1.0).n_before == 11
    assert Scenario(36, "none", 0.0, 1.0).n_before == 22
    # the effect at the last month is the step plus the slope over n_after - 1 months
    assert s.log_step + s.log_slope * (s.n_after - 1) == pytest.approx(math.log(0.75))
    assert s.true_value("its_effect_end") == s.true_value("cits_effect_end") == 0.75
    assert s.true_value("its_level") == pytest.approx(math.sqrt(0.75))
    null = Scenario(25, "strong", 0.6, 1.0)
    assert null.is_null and null.true_value("its_level") == 1.0


@pytest.mark.parametrize("args, words", [
    ((25, "huge", 0.0, 1.0), "dispersion"),
    ((25, "moderate", 1.0, 1.0), "rho"),
    ((25, "none", 0.3, 1.0), "no month effects"),
    ((25, "moderate", 0.0, 0.0), "effect_end"),
    ((12, "moderate", 0.0, 1.0), "needs 6"),
])
def test_impossible_scenarios_are_refused(args, words):
    with pytest.raises(ValueError, match=words):
        Scenario(*args)


def test_grid_by_name():
    assert scenarios.grid("small") == SMALL_GRID
    with pytest.raises(ValueError, match="unknown grid"):
        scenarios.grid("huge")


# --------------------------------------------------------------------------- simulation


def test_month_effects_give_the_intended_dispersion_and_autocorrelation():
    rng = np.random.default_rng(1)
    mean, phi = 200.0, 3.0
    sigma = simulation.month_effect_sd(mean, phi)
    u = simulation.ar1(rng, 400_000, 0.6, sigma)
    assert np.std(u) == pytest.approx(sigma, rel=0.01)
    assert np.corrcoef(u[1:], u[:-1])[0, 1] == pytest.approx(0.6, abs=0.01)
    y = rng.poisson(mean * np.exp(u - sigma**2 / 2))
    assert y.mean() == pytest.approx(mean, rel=0.01)
    assert y.var() / y.mean() == pytest.approx(phi, rel=0.03)
    with pytest.raises(ValueError):
        simulation.month_effect_sd(mean, 0.5)


def test_simulated_enterprise_has_the_tables_the_analysis_reads():
    s = Scenario(18, "moderate", 0.3, 0.75)
    sim = simulation.simulate_enterprise(s, np.random.default_rng(3))
    assert len(sim.kpi) == 18 and set(sim.kpi["enterprise_id"]) == {"simulated"}
    for numerator, exposure in simulation.KPI_COLUMNS.values():
        assert (sim.kpi[exposure] > 0).all() and (sim.kpi[numerator] >= 0).all()
    assert sim.enterprise["intervention_month"] == "2010-04"
    assert len(sim.controlled_kpi) == 18 * (1 + simulation.COMPARISONS)
    roles = sim.controlled_enterprises.set_index("enterprise_id")["role"]
    assert roles["simulated"] == "programme" and (roles.drop("simulated") == "comparison").all()
    assert set(sim.scores["construct"]) == set(simulation.CONSTRUCTS)
    assert set(sim.scores["wave"]) == {"baseline", "followup"}
    assert sim.scores["score"].between(1, 5).all()


def test_the_simulated_effect_is_the_estimand_of_the_analysis():
    """Poisson counts in the hundreds of thousands: the estimate is the true value."""
    from score_analysis.stats.indicators import monthly_indicators
    from score_analysis.stats.its import kpi_fit

    s = Scenario(25, "none", 0.0, 0.75)
    sim = simulation.simulate_enterprise(s, np.random.default_rng(5))
    monthly = monthly_indicators(sim.kpi, sim.enterprises)
    series = monthly[monthly["indicator"] == "labour_productivity"]
    rows = kpi_fit(series, "2010-04").effects.set_index("method")
    assert rows.loc["its_effect_end", "estimate"] == pytest.approx(0.75, abs=0.01)
    assert rows.loc["its_level", "estimate"] == pytest.approx(math.sqrt(0.75), abs=0.01)


# --------------------------------------------------------------------------- seeding


def test_a_replicate_depends_on_the_seed_the_scenario_and_its_number_only():
    s = SMALL_GRID[1]
    first, families = running.replicate(s, 7, 0)
    again, families_again = running.replicate(s, 7, 0)
    assert np.array_equal(np.array(first, dtype=float), np.array(again, dtype=float),
                          equal_nan=True) and families == families_again
    other, _ = running.replicate(s, 7, 1)
    assert not np.array_equal(np.array(first, dtype=float), np.array(other, dtype=float),
                              equal_nan=True)
    # 4 KPIs x (its_effect_end, its_level) and 4 x cits_effect_end
    assert len(first) == 12 and all(len(o) == len(running.SERIES_COLUMNS) - 2 for o in first)


def test_chunks_do_not_change_the_outcome():
    grid = (SMALL_GRID[0],)
    a = running.run_study(grid, reps=3, seed=11, chunk=1)
    b = running.run_study(grid, reps=3, seed=11, chunk=2)
    assert np.array_equal(a.series, b.series, equal_nan=True)
    assert np.array_equal(a.families, b.families)
    with pytest.raises(ValueError, match="reps"):
        running.run_study(grid, reps=0, seed=1)
    with pytest.raises(ValueError, match="no scenario"):
        running.run_study((), reps=1, seed=1)


# --------------------------------------------------------------------------- alternatives


def test_lags_of_the_alternatives():
    assert [alt.wide_lag(n) for n in (18, 25, 36, 59)] == [5, 6, 7, 9]
    assert [alt.half_lag(n) for n in (18, 25, 36, 59)] == [8, 12, 17, 29]
    assert alt.wide_lag(59) == R.CALIBRATION_NEWEY_WEST_SICILY["wide_lag"]
    assert alt.half_lag(59) == R.CALIBRATION_NEWEY_WEST_SICILY["half_lag"]


def test_fixed_b_critical_values_of_kiefer_and_vogelsang():
    assert alt.fixed_b_critical_value(1e-9) == pytest.approx(1.96)
    # the polynomial of Kiefer & Vogelsang (2005) for the Bartlett kernel, two-sided 5 %
    assert alt.fixed_b_critical_value(0.5) == pytest.approx(1.96 + 2.9694 * 0.5 + 0.4160 * 0.25
                                                            - 0.5324 * 0.125)
    assert alt.fixed_b_critical_value(1.0) == pytest.approx(4.813)
    for bad in (0.0, 1.5):
        with pytest.raises(ValueError, match="b must"):
            alt.fixed_b_critical_value(bad)
    with pytest.raises(ValueError, match="alpha"):
        alt.fixed_b_critical_value(0.5, alpha=0.1)


def _sicily():
    from pathlib import Path

    d = pd.read_csv(Path(__file__).parent / "data" / "sicily.csv")
    t = d["time"].to_numpy(float) - 1
    post = (t >= 36).astype(float)
    return d, np.column_stack([np.ones(len(d)), t, post, np.maximum(0, t - 36)])


def test_gls_ar1_matches_nlme():
    d, X = _sicily()
    fit = alt.gls_ar1(np.log(d["aces"] / d["stdpop"]), X)
    ref = R.CALIBRATION_GLS_AR1_SICILY
    names = ["(Intercept)", "t", "post", "t_after"]
    se = np.array([ref[f"se {n}"] for n in names])
    # both optimise rho numerically: the estimates agree to a millionth of their SE
    assert np.all(np.abs(fit.params - [ref[f"b {n}"] for n in names]) <= 1e-6 * se)
    assert np.sqrt(np.diag(fit.cov)) == pytest.approx(se, rel=1e-6)
    assert fit.rho == pytest.approx(ref["rho"], rel=1e-6)
    assert fit.sigma == pytest.approx(ref["sigma"], rel=1e-6)
    assert fit.df == ref["df"]
    with pytest.raises(ValueError, match="rows"):
        alt.gls_ar1(np.zeros(4), X[:4])
    with pytest.raises(ValueError, match="full rank"):
        alt.gls_ar1(np.log(d["aces"]), np.column_stack([X, X[:, 1]]))


def test_newey_west_at_the_wider_lags_matches_sandwich():
    from score_analysis.stats.rate_model import fit_rate_model

    d, X = _sicily()
    data = pd.DataFrame({"month": [f"{2002 + i // 12}-{i % 12 + 1:02d}" for i in range(len(d))],
                         "numerator": d["aces"], "exposure": d["stdpop"], "t": X[:, 1],
                         "post": X[:, 2], "t_after": X[:, 3], "eid": 0.0,
                         "calendar_month": d["month"]})
    fits = alt.alternative_fits(fit_rate_model(data, ["t", "post", "t_after"]))
    ref = R.CALIBRATION_NEWEY_WEST_SICILY
    for name, cov in (("wide", fits.cov_newey_west), ("half", fits.cov_newey_west_half)):
        se = np.sqrt(np.diag(cov))
        assert se[2] == pytest.approx(ref[f"se_post_{name}"], rel=1e-6)
        assert se[3] == pytest.approx(ref[f"se_t_after_{name}"], rel=1e-6)
    out = alt.alternative_intervals(fits, {"post": 1.0})
    assert set(out) == set(alt.ALTERNATIVES)
    b, se, q = out["fixed_b_half"]
    assert q == pytest.approx(alt.fixed_b_critical_value(30 / 59))
    assert se == pytest.approx(max(ref["se_post_half"],
                                   math.sqrt(fits.fit.cov_model[2, 2])), rel=1e-6)


# --------------------------------------------------------------------------- summary


def _outcome(covered, rejected, families, *, effect_end=1.0):
    """A study outcome of one scenario whose its_effect_end series have the given 0/1
    outcomes (the other estimands not estimated)."""
    grid = (Scenario(25, "moderate", 0.0, effect_end),)
    rows = []
    for i, (c, r) in enumerate(zip(covered, rejected, strict=True)):
        rows.append([0, i, 0, 0, 1, 0.0, c, r, 3.0, 2.0, c, c, c, np.nan, r, r, r, np.nan])
        rows.append([0, i, 0, 1, 0, *[np.nan] * 13])
        rows.append([0, i, 0, 2, 0, *[np.nan] * 13])
    fam = [[0, i, f, 0] for i, f in enumerate(families)]
    return running.StudyOutcome(grid=grid, reps=len(families), seed=1,
                                series=np.array(rows, dtype=float),
                                families=np.array(fam, dtype=float), wall_seconds=1.0,
                                cpu_seconds=1.0, jobs=1)


def test_the_table_counts_coverage_rejection_and_the_family_error():
    covered = [1] * 9 + [0]
    rejected = [0] * 9 + [1]
    table = summary.calibration_table(_outcome(covered, rejected, [1, 0, 0, 0, 0]))
    assert list(table.columns) == list(summary.TABLE_COLUMNS)
    row = table[table["estimand"] == "its_effect_end"].iloc[0]
    assert row["coverage"] == 0.9 and row["estimated"] == 10
    assert row["coverage_mc_se"] == pytest.approx(math.sqrt(0.9 * 0.1 / 10))
    assert row["null_rejection"] == 0.1 and np.isnan(row["power"])
    assert row["holm_fwer"] == 0.2
    assert row["coverage_gls_ar1"] != row["coverage_gls_ar1"]  # NaN: not computed
    level = table[table["estimand"] == "its_level"].iloc[0]
    assert level["estimated"] == 0 and np.isnan(level["coverage"]) and np.isnan(level["holm_fwer"])
    with_effect = summary.calibration_table(
        _outcome(covered, rejected, [1, 0, 0, 0, 0], effect_end=0.75))
    row = with_effect[with_effect["estimand"] == "its_effect_end"].iloc[0]
    assert row["power"] == 0.1 and np.isnan(row["null_rejection"]) and np.isnan(row["holm_fwer"])
    text = summary.table_text(table)
    assert "its_effect_end" in text and "0.900" in text


# --------------------------------------------------------------------------- lookup


def _table(rows):
    base = {c: np.nan for c in summary.TABLE_COLUMNS}
    out = []
    for n, dispersion, rho, dw, phi, coverage in rows:
        out.append({**base, "scenario": f"n{n}-{dispersion}-rho{rho}-null", "n_months": n,
                    "dispersion": dispersion, "dispersion_target": 3.0, "rho": rho,
                    "effect_end": 1.0, "estimand": "its_effect_end", "coverage": coverage,
                    "coverage_mc_se": 0.01, "estimated": 480, "null_rejection": 0.05,
                    "holm_fwer": 0.04, "median_raw_dispersion": phi,
                    "median_durbin_watson": dw, "reps": 120, "seed": 1, "plan_version": 3})
    return pd.DataFrame(out)


def test_nearest_calibration_finds_the_row_and_the_lowest_coverage_beside_it():
    table = _table([(25, "moderate", 0.0, 2.2, 3.0, 0.955), (25, "moderate", 0.6, 1.8, 2.2, 0.724),
                    (18, "moderate", 0.0, 2.2, 3.0, 0.95), (25, "strong", 0.0, 2.2, 30.0, 0.94)])
    got = nearest_calibration(25, 2.9, 2.3, table=table)
    assert set(got) == set(NEAREST_KEYS)
    assert got["scenario"] == "n25-moderate-rho0.0-null"
    assert got["coverage"] == 0.955 and got["covered_per_100"] == 96
    assert got["confidence_percent"] == 95
    assert (got["coverage_lowest"], got["rho_lowest"]) == (0.724, 0.6)
    assert got["coverage_independent"] == 0.955
    assert nearest_calibration(25, 2.3, 1.75, table=table)["rho"] == 0.6
    assert nearest_calibration(19, 3.0, None, table=table)["n_months"] == 18
    assert nearest_calibration(25, 200.0, 2.2, table=table)["dispersion"] == "strong"
    # a raw dispersion below 1 counts as 1 (the plan's floor)
    assert nearest_calibration(25, 0.5, 2.2, table=table)["dispersion"] == "moderate"
    # without a Durbin-Watson statistic (a controlled row) the dispersion alone does not pick
    # an autocorrelated scenario, however near its dispersion: the independent row, and the
    # range down to the lowest beside it
    blind = nearest_calibration(25, 2.2, None, table=table)
    assert (blind["rho"], blind["coverage"]) == (0.0, 0.955)
    assert (blind["coverage_lowest"], blind["rho_lowest"]) == (0.724, 0.6)


@pytest.mark.parametrize("args, words", [
    ((0, 3.0, 2.0), "n_months"), ((25, float("nan"), 2.0), "raw_dispersion"),
    ((25, "x", 2.0), "raw_dispersion"), ((25, 3.0, 5.0), "durbin_watson"),
])
def test_nearest_calibration_refuses_impossible_diagnostics(args, words):
    with pytest.raises(ValueError, match=words):
        nearest_calibration(*args, table=_table([(25, "moderate", 0.0, 2.2, 3.0, 0.95)]))


def test_nearest_calibration_refuses_an_estimand_the_table_lacks():
    with pytest.raises(ValueError, match="no row"):
        nearest_calibration(25, 3.0, 2.0, estimand="its_slope",
                            table=_table([(25, "moderate", 0.0, 2.2, 3.0, 0.95)]))


def test_results_calibration_matches_every_estimated_row_of_the_calibrated_methods():
    from score_analysis.calibration import RESULTS_COLUMNS, results_calibration

    table = _table([(25, "moderate", 0.0, 2.2, 3.0, 0.955), (18, "moderate", 0.0, 2.2, 3.0, 0.9)])
    cits_row = table.iloc[[0]].assign(estimand="cits_effect_end", coverage=0.97)
    table = pd.concat([table, cits_row], ignore_index=True)
    results = pd.DataFrame([
        {"enterprise_id": "a", "indicator": "reject_rate", "method": "its_effect_end",
         "status": "ok", "n_pre": 15, "n_post": 10, "raw_dispersion": 3.2,
         "durbin_watson": 2.1},
        {"enterprise_id": "a", "indicator": "reject_rate", "method": "cits_effect_end",
         "status": "ok", "n_pre": 15, "n_post": 10, "raw_dispersion": 3.2,
         "durbin_watson": np.nan},
        {"enterprise_id": "b", "indicator": "reject_rate", "method": "its_effect_end",
         "status": "ok", "n_pre": 11, "n_post": 7, "raw_dispersion": 3.0,
         "durbin_watson": 2.0},
        {"enterprise_id": "c", "indicator": "reject_rate", "method": "its_effect_end",
         "status": "insufficient_data", "n_pre": 15, "n_post": 10,
         "raw_dispersion": np.nan, "durbin_watson": np.nan},
        {"enterprise_id": "a", "indicator": "reject_rate", "method": "rate_ratio_step",
         "status": "ok", "n_pre": 15, "n_post": 10, "raw_dispersion": 3.2,
         "durbin_watson": 2.0},
    ])
    got = results_calibration(results, table=table)
    assert list(got.columns) == list(RESULTS_COLUMNS)
    assert list(zip(got["enterprise_id"], got["method"], strict=True)) == [
        ("a", "its_effect_end"), ("a", "cits_effect_end"), ("b", "its_effect_end")]
    assert list(got["coverage"]) == [0.955, 0.97, 0.9]
    assert list(got["series_months"]) == [25, 25, 18]
    assert got["series_durbin_watson"].isna().tolist() == [False, True, False]
    # the median series of the estimated its_effect_end rows: 18 or 25 months -> 21.5
    from score_analysis.calibration import median_calibration

    median = median_calibration(results, table=table)
    assert median["scenario"] == "n25-moderate-rho0.0-null"
    with pytest.raises(ValueError, match="no estimated row"):
        median_calibration(results, method="its_level", table=table)


def test_the_shipped_table_covers_the_default_grid():
    table = lookup.shipped_table()
    assert list(table.columns) == list(summary.TABLE_COLUMNS)
    assert len(table) == len(DEFAULT_GRID) * len(scenarios.ESTIMANDS)
    assert set(table["scenario"]) == {s.name for s in DEFAULT_GRID}
    assert table["coverage"].between(0, 1).all()
    assert (table["seed"] == DEFAULT_SEED).all() and (table["plan_version"] == 3).all()
    got = nearest_calibration(25, 100.0, 2.1)  # like the shipped reject rates
    assert got["n_months"] == 25 and got["estimand"] == "its_effect_end"


# --------------------------------------------------------------------------- command line


@pytest.mark.parametrize("argv", [
    ["calibrate", "--reps", "0"], ["calibrate", "--grid", "huge"],
    ["calibrate", "--jobs", "none"], ["calibrate", "--seed", "-1"],
])
def test_calibrate_refuses_bad_usage(argv, capsys):
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2
    assert "error" in capsys.readouterr().err


def test_calibrate_refuses_an_output_it_cannot_write_before_simulating(tmp_path, capsys):
    assert main(["calibrate", "--grid", "small", "--reps", "1", "--out", str(tmp_path)]) == 2
    assert "cannot write" in capsys.readouterr().err


def test_calibrate_prints_the_table_and_its_cost_and_writes_the_csv(tmp_path, capsys):
    out = tmp_path / "table.csv"
    code = main(["calibrate", "--grid", "small", "--reps", "1", "--jobs", "1", "--seed", "3",
                 "--out", str(out), "--quiet"])
    printed = capsys.readouterr().out
    assert code == 0
    assert "its_effect_end" in printed and "cits_effect_end" in printed
    assert "4 simulated enterprises (48 series)" in printed
    table = pd.read_csv(out)
    assert len(table) == len(SMALL_GRID) * 3 and (table["seed"] == 3).all()


# --------------------------------------------------------------------------- slow


#: Simulated enterprises of the slow test: 200 enterprises give 800 series of the primary
#: (four KPIs each), whose coverage has a Monte-Carlo standard error of about 0.008 around
#: 0.95; the band 0.93-0.97 is then 2.5 standard errors wide on either side, so a correct
#: rule fails it by chance in about 1 run of 100 (with this seed it does not), while a rule
#: whose intervals cover 0.92 or less fails it nearly always.  About 25 s of processor
#: time: under a minute on two processes of an idle machine.
SLOW_REPS = 200


@pytest.fixture(scope="module")
def independent_null():
    """The study's outcome for 25 months, moderate dispersion, independent months and no
    effect, in two processes, and the primary's row of its table."""
    grid = (SMALL_GRID[0],)
    assert grid[0].rho == 0.0 and grid[0].is_null and grid[0].n_months == 25
    outcome = running.run_study(grid, reps=SLOW_REPS, seed=DEFAULT_SEED, jobs=2)
    table = summary.calibration_table(outcome)
    return outcome, table[table["estimand"] == "its_effect_end"].iloc[0]


@pytest.mark.slow
def test_primary_intervals_cover_about_95_percent_under_independent_months(independent_null):
    _, row = independent_null
    assert 0.93 <= row["coverage"] <= 0.97, row["coverage"]
    assert row["null_rejection"] <= 0.07, row["null_rejection"]


@pytest.mark.slow
def test_primary_is_estimated_in_nearly_every_simulated_series(independent_null):
    """Counts of hundreds to millions a month over 15 + 10 months: the segmented model can
    always be fitted, and a primary that is not estimated falls back to the naive step."""
    _, row = independent_null
    assert row["estimated"] >= 0.99 * 4 * SLOW_REPS, row["estimated"]


@pytest.mark.slow
def test_one_process_gives_the_numbers_of_two(independent_null):
    outcome, _ = independent_null
    again = running.run_study((SMALL_GRID[0],), reps=4, seed=DEFAULT_SEED, jobs=1)
    assert np.array_equal(again.series, outcome.series[:len(again.series)], equal_nan=True)
    assert np.array_equal(again.families, outcome.families[:len(again.families)])
