"""Running the calibration study: every simulated enterprise through the analysis of ``run``.

Each replicate (:func:`replicate`) draws one enterprise (:mod:`.simulation`) and analyses it
with the functions that produce the results rows of ``score-analysis run``, with the
:class:`~score_analysis.settings.AnalysisSettings` given:

* the single-series design: :func:`score_analysis.stats.indicators.monthly_indicators` on
  the simulated ``kpi_monthly`` table, then
  :func:`score_analysis.stats.analysis.enterprise_analysis` (every KPI row, the survey's
  tests, the confirmatory family with Holm's adjustment);
* the controlled design: the same indicators of the enterprise with the common shock and of
  the comparison enterprises, then :func:`score_analysis.stats.cits.cits_results`; its
  confirmatory family (the four ``cits_effect_end`` rows and the two survey rows) is
  adjusted by :func:`score_analysis.stats.decisions.family_adjusted`, the function the
  analysis adjusts every family with.

A replicate's random numbers come from ``numpy.random.default_rng([seed, *scenario.key,
replicate])`` only, so the table is the same whatever the number of processes and
whichever grid a scenario is part of.  :func:`run_study` runs a grid, in ``jobs`` spawned
processes, with a progress bar, and returns the outcomes with the cost.
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..settings import PLAN, AnalysisSettings
from .alternatives import ALTERNATIVES, fixed_b_critical_value, half_lag, wide_lag
from .scenarios import ESTIMANDS, Scenario
from .simulation import CONSTRUCTS, ENTERPRISE_ID, KPIS, simulate_enterprise

#: Columns of the outcome of every (replicate, KPI, estimand): the scenario's position in
#: the grid, the replicate, the KPI and the estimand (positions in :data:`KPIS` and
#: :data:`ESTIMANDS`), whether the row was estimated, its log estimate, whether its interval
#: covered the true value and whether p < alpha, the diagnostics of its fit, then each
#: alternative's coverage and rejection (NaN where not computed).
SERIES_COLUMNS = ("scenario", "replicate", "kpi", "estimand", "estimated", "log_estimate",
                  "covered", "rejected", "raw_dispersion", "durbin_watson",
                  *(f"covered_{a}" for a in ALTERNATIVES),
                  *(f"rejected_{a}" for a in ALTERNATIVES))

#: Columns of the outcome of every replicate's two confirmatory families: whether Holm's
#: adjustment rejected at least one of the six null hypotheses (single-series design,
#: controlled design).
FAMILY_COLUMNS = ("scenario", "replicate", "family_rejected_its", "family_rejected_cits")

#: The id under which the enterprise without the shock is read with the others.
PLAIN_ID = "simulated_single_series"

_EMPTY_ITEMS_COLUMNS = ["enterprise_id", "audit_date", "visit", "area", "pillar", "item", "pct"]


@dataclass(frozen=True)
class StudyOutcome:
    """The raw outcome of a study: ``series`` (:data:`SERIES_COLUMNS`) and ``families``
    (:data:`FAMILY_COLUMNS`) as arrays, in the order of the grid and the replicates, and
    the cost: ``wall_seconds``, ``cpu_seconds`` (summed over the processes) and ``jobs``."""

    grid: tuple[Scenario, ...]
    reps: int
    seed: int
    series: np.ndarray
    families: np.ndarray
    wall_seconds: float
    cpu_seconds: float
    jobs: int


def _interval_outcome(log_estimate: float, se: float, q: float, truth: float) -> tuple:
    """(covered, rejected) of ``log_estimate ± q se`` for the true value ``truth``."""
    if not (math.isfinite(log_estimate) and math.isfinite(se) and math.isfinite(q) and se > 0):
        return math.nan, math.nan
    half = q * se
    return (float(abs(log_estimate - math.log(truth)) <= half),
            float(abs(log_estimate) > half))


def _row_outcome(row: dict, truth: float, alpha: float) -> tuple:
    """(estimated, log estimate, covered, rejected) of one results row."""
    if row.get("status") != "ok" or not np.isfinite(row.get("ci_low", np.nan)):
        return 0.0, math.nan, math.nan, math.nan
    covered = float(row["ci_low"] <= truth <= row["ci_high"])
    return 1.0, math.log(row["estimate"]), covered, float(row["p_value"] < alpha)


def _its_outcomes(analysis, scenario: Scenario, settings: AnalysisSettings) -> list[tuple]:
    from .alternatives import alternative_fits, alternative_intervals

    records = analysis.results.to_dict("records")
    out = []
    for k, kpi in enumerate(KPIS):
        by_method = {r["method"]: r for r in records
                     if r["indicator"] == kpi and r["domain"] == "kpi"}
        fits = analysis.fits.get(kpi)
        shared: dict[int, object] = {}  # the alternatives of each fit, computed once
        for e, estimand in enumerate(ESTIMANDS[:2]):
            truth = scenario.true_value(estimand)
            row = by_method.get(estimand, {})
            estimated, log_est, covered, rejected = _row_outcome(row, truth, settings.alpha)
            alt = [(math.nan, math.nan)] * len(ALTERNATIVES)
            fit = fits.fits.get(estimand) if fits is not None else None
            if estimated and fit is not None:
                if id(fit) not in shared:
                    shared[id(fit)] = alternative_fits(fit)
                values = alternative_intervals(shared[id(fit)], fits.weights[estimand],
                                               alpha=settings.alpha, se_rule=settings.se_rule)
                alt = [_interval_outcome(*values[a], truth) for a in ALTERNATIVES]
            out.append((k, e, estimated, log_est, covered, rejected,
                        float(row.get("raw_dispersion", math.nan)),
                        float(row.get("durbin_watson", math.nan)),
                        *(a[0] for a in alt), *(a[1] for a in alt)))
    return out


def _row(rows: dict, kpi: str, method: str) -> dict:
    return next((r for r in rows.get(kpi, []) if r["method"] == method), {})


def _fixed_b(row: dict, n_months: int, alpha: float) -> float:
    """The fixed-b critical value at the lag of a controlled row (NaN: none)."""
    try:
        return fixed_b_critical_value(min(1.0, (int(row["hac_lag"]) + 1) / n_months),
                                      alpha=alpha)
    except ValueError:
        return math.nan


def _cits_outcomes(plan_rows: dict, wide_rows: dict, half_rows: dict, scenario: Scenario,
                   settings: AnalysisSettings) -> list[tuple]:
    """The outcomes of ``cits_effect_end``; its alternatives from the rows refitted with
    the wider lags (the GLS alternative is not computed for the controlled model)."""
    estimand = ESTIMANDS[2]
    truth = scenario.true_value(estimand)
    e = ESTIMANDS.index(estimand)
    out = []
    for k, kpi in enumerate(KPIS):
        row = _row(plan_rows, kpi, estimand)
        wide, half = _row(wide_rows, kpi, estimand), _row(half_rows, kpi, estimand)
        estimated, log_est, covered, rejected = _row_outcome(row, truth, settings.alpha)
        alt = [(math.nan, math.nan)] * len(ALTERNATIVES)
        if estimated and wide.get("status") == "ok" and half.get("status") == "ok":
            q_t = float(np.log(wide["ci_high"] / wide["estimate"]) / wide["se"])
            b = math.log(wide["estimate"])
            alt = [_interval_outcome(b, float(wide["se"]), q_t, truth),
                   _interval_outcome(b, float(wide["se"]),
                                     _fixed_b(wide, scenario.n_months, settings.alpha), truth),
                   _interval_outcome(b, float(half["se"]),
                                     _fixed_b(half, scenario.n_months, settings.alpha), truth),
                   (math.nan, math.nan)]
        out.append((k, e, estimated, log_est, covered, rejected,
                    float(row.get("raw_dispersion", math.nan)),
                    float(row.get("durbin_watson", math.nan)),
                    *(a[0] for a in alt), *(a[1] for a in alt)))
    return out


def _controlled_family(plan_rows: dict, survey: list[tuple[float, str]],
                       settings: AnalysisSettings) -> bool:
    """Holm over the four ``cits_effect_end`` rows and the two survey primaries."""
    from ..stats.decisions import family_adjusted

    p, status = [], []
    for kpi in KPIS:
        row = next((r for r in plan_rows.get(kpi, []) if r["method"] == ESTIMANDS[2]), None)
        p.append(row["p_value"] if row is not None else math.nan)
        status.append(row["status"] if row is not None else "insufficient_data")
    for value, state in survey:
        p.append(value)
        status.append(state)
    holm, _ = family_adjusted(np.asarray(p, dtype=float), np.asarray(status, dtype=object))
    return bool(np.any(np.nan_to_num(holm, nan=1.0) < settings.alpha))


def replicate(scenario: Scenario, seed: int, rep: int, *,
              settings: AnalysisSettings = PLAN) -> tuple[list[tuple], tuple[bool, bool]]:
    """Simulate and analyse one enterprise of ``scenario``.

    Returns the outcome of every (KPI, estimand) — a tuple of the columns of
    :data:`SERIES_COLUMNS` after ``scenario`` and ``replicate`` — and whether Holm's
    adjustment rejected any hypothesis of the single-series and of the controlled
    confirmatory family.
    """
    import pandas as pd

    from ..stats import cits
    from ..stats.analysis import enterprise_analysis
    from ..stats.indicators import INDICATORS, monthly_indicators

    rng = np.random.default_rng([seed, *scenario.key, rep])
    sim = simulate_enterprise(scenario, rng)
    # one call for both designs: the enterprise without the shock has its own id
    both = monthly_indicators(pd.concat([sim.kpi.assign(enterprise_id=PLAIN_ID),
                                         sim.controlled_kpi], ignore_index=True),
                              pd.concat([sim.enterprises.assign(enterprise_id=PLAIN_ID),
                                         sim.controlled_enterprises], ignore_index=True))
    plain = both["enterprise_id"].to_numpy() == PLAIN_ID
    monthly = both[plain].assign(enterprise_id=ENTERPRISE_ID)
    controlled = both[~plain]
    analysis = enterprise_analysis(sim.enterprise, monthly=monthly,
                                   items=pd.DataFrame(columns=_EMPTY_ITEMS_COLUMNS),
                                   scores=sim.scores, constructs=list(CONSTRUCTS),
                                   settings=settings)
    outcomes = _its_outcomes(analysis, scenario, settings)
    rows = analysis.results
    family = rows[rows["confirmatory"]]
    rejected_its = bool(np.any(np.nan_to_num(family["p_holm"].to_numpy(float), nan=1.0)
                               < settings.alpha))
    survey = [(float(r["p_value"]), r["status"]) for r in
              family[family["domain"] == "survey"].to_dict("records")]

    multipliers = {k: INDICATORS[k].multiplier for k in KPIS}
    plan_rows = cits.cits_results(controlled, sim.controlled_enterprises, ENTERPRISE_ID,
                                  multipliers=multipliers, settings=settings)
    n = scenario.n_months
    wide_rows, half_rows = (
        cits.cits_results(controlled, sim.controlled_enterprises, ENTERPRISE_ID,
                          multipliers=multipliers, settings=settings.replace(newey_west_lag=lag))
        for lag in (wide_lag(n), half_lag(n)))
    outcomes += _cits_outcomes(plan_rows, wide_rows, half_rows, scenario, settings)
    rejected_cits = _controlled_family(plan_rows, survey, settings)
    return outcomes, (rejected_its, rejected_cits)


def run_chunk(grid: tuple[Scenario, ...], index: int, first: int, stop: int, seed: int,
              settings: AnalysisSettings = PLAN) -> tuple[np.ndarray, np.ndarray, float]:
    """Replicates ``first .. stop - 1`` of scenario ``grid[index]``: the rows of the series
    and family outcomes, and the CPU seconds they took."""
    start = time.process_time()
    series, families = [], []
    for rep in range(first, stop):
        outcomes, (its, cit) = replicate(grid[index], seed, rep, settings=settings)
        series += [(index, rep, *o) for o in outcomes]
        families.append((index, rep, float(its), float(cit)))
    return (np.asarray(series, dtype=float).reshape(-1, len(SERIES_COLUMNS)),
            np.asarray(families, dtype=float).reshape(-1, len(FAMILY_COLUMNS)),
            time.process_time() - start)


def _chunks(grid: tuple[Scenario, ...], reps: int, size: int) -> list[tuple[int, int, int]]:
    return [(i, first, min(first + size, reps)) for i in range(len(grid))
            for first in range(0, reps, size)]


def _worker_start() -> None:
    """Pool initializer: Ctrl-C is the main process's to handle."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)


def run_study(grid: tuple[Scenario, ...], *, reps: int, seed: int, jobs: int = 1,
              settings: AnalysisSettings = PLAN, chunk: int = 10,
              progress: Callable[[int], None] | None = None) -> StudyOutcome:
    """Run ``reps`` replicates of every scenario of ``grid`` (in ``jobs`` spawned
    processes when ``jobs`` > 1, in chunks of ``chunk`` replicates); ``progress`` is
    called with the number of replicates each finished chunk did.

    Raises
    ------
    ValueError
        For an empty grid, or ``reps``, ``jobs`` or ``chunk`` below 1.
    """
    if not grid:
        raise ValueError("the grid has no scenario")
    for name, value in (("reps", reps), ("jobs", jobs), ("chunk", chunk)):
        if int(value) < 1:
            raise ValueError(f"{name} must be at least 1, got {value}")
    work = _chunks(tuple(grid), reps, chunk)
    wall, cpu = time.perf_counter(), time.process_time()
    results: dict[tuple[int, int], tuple] = {}
    if jobs == 1:
        for i, first, stop in work:
            results[(i, first)] = run_chunk(tuple(grid), i, first, stop, seed, settings)
            if progress:
                progress(stop - first)
        workers_cpu = 0.0
    else:
        import multiprocessing as mp
        from concurrent.futures import ProcessPoolExecutor, as_completed

        with ProcessPoolExecutor(max_workers=jobs, mp_context=mp.get_context("spawn"),
                                 initializer=_worker_start) as pool:
            try:
                futures = {pool.submit(run_chunk, tuple(grid), i, first, stop, seed,
                                       settings): (i, first, stop) for i, first, stop in work}
                for fut in as_completed(futures):
                    i, first, stop = futures[fut]
                    results[(i, first)] = fut.result()
                    if progress:
                        progress(stop - first)
            except BaseException:
                pool.shutdown(wait=False, cancel_futures=True)
                raise
        workers_cpu = sum(r[2] for r in results.values())
    order = sorted(results)
    series = np.vstack([results[k][0] for k in order])
    families = np.vstack([results[k][1] for k in order])
    return StudyOutcome(grid=tuple(grid), reps=reps, seed=seed, series=series,
                        families=families, wall_seconds=time.perf_counter() - wall,
                        cpu_seconds=time.process_time() - cpu + workers_cpu, jobs=jobs)


def cpu_count() -> int:
    """The processes to use by default: the machine's CPUs."""
    return os.cpu_count() or 1
