r"""The calibration of the intervals for a series like the one analysed: the nearest row of
the shipped calibration table, for the methods section of the pages and the reviewer's
appendix (docs/calibration.md).

Light on purpose (numpy and pandas only, no statistics library): the pages call it at
page time.  :func:`nearest_calibration` takes the diagnostics the results keep for every
segmented fit — the number of months, the raw dispersion (``raw_dispersion``) and the
Durbin-Watson statistic of the Pearson residuals (``durbin_watson``; about
:math:`2(1 - r_1)`, :math:`r_1` their lag-1 autocorrelation) — and returns the numbers of
the nearest simulated scenario; the pages word them through the catalog, e.g. "in
simulations of series like this one, the 95% intervals covered the true effect in 92 of
100 cases".
"""

from __future__ import annotations

import math
from functools import cache
from importlib import resources

import numpy as np
import pandas as pd

#: The shipped table (package data), written by ``make calibrate``.
SHIPPED_TABLE = "default_grid.csv"

#: The keys of the dict returned by :func:`nearest_calibration`.
NEAREST_KEYS = (
    "estimand", "scenario", "n_months", "dispersion", "dispersion_target", "rho",
    "effect_end", "coverage", "covered_per_100", "coverage_mc_se", "series",
    "confidence_percent", "null_rejection", "holm_fwer", "median_raw_dispersion",
    "median_durbin_watson", "coverage_independent", "coverage_lowest", "rho_lowest",
    "distance", "reps", "seed", "plan_version",
)

#: The columns of :func:`results_calibration`: the results row's keys and diagnostics, then
#: the keys of :func:`nearest_calibration`.
RESULTS_COLUMNS = ("enterprise_id", "indicator", "method", "series_months",
                   "series_raw_dispersion", "series_durbin_watson", *NEAREST_KEYS)

#: The results rows whose intervals the study checks, by method (= the table's estimand).
CALIBRATED_METHODS = ("its_effect_end", "its_level", "cits_effect_end")

#: The distance of one grid step in each dimension (see :func:`nearest_calibration`).
LENGTH_STEP = math.log(25 / 18)
DISPERSION_STEP = math.log(3.0)
DURBIN_WATSON_STEP = 0.25


def shipped_table() -> pd.DataFrame:
    """The calibration table shipped with the package (``default_grid.csv``, the default
    grid of ``score-analysis calibrate``; columns
    :data:`score_analysis.calibration.summary.TABLE_COLUMNS`).

    Raises
    ------
    FileNotFoundError
        When the installation has no shipped table.
    """
    return _shipped_table().copy()


@cache
def _shipped_table() -> pd.DataFrame:
    """The shipped table, read once per process (a page asks for it in every language)."""
    source = resources.files(__package__).joinpath(SHIPPED_TABLE)
    with resources.as_file(source) as path:
        return pd.read_csv(path)


def lag1_from_durbin_watson(durbin_watson: float) -> float:
    r"""The lag-1 autocorrelation of the residuals implied by a Durbin-Watson statistic,
    :math:`r_1 \approx 1 - d/2`."""
    return 1.0 - float(durbin_watson) / 2.0


def _positive(name: str, value: object) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number, got {value!r}") from None
    if not (math.isfinite(number) and number > 0):
        raise ValueError(f"{name} must be a positive number, got {value!r}")
    return number


def nearest_calibration(n_months: int, raw_dispersion: float, durbin_watson: float | None,
                        *, estimand: str = "its_effect_end", effect_end: float = 1.0,
                        table: pd.DataFrame | None = None) -> dict:
    r"""The calibration of the scenario nearest to a series, as numbers.

    The distance of a scenario to the series is

    .. math::

        \frac{|\log(n / n_s)|}{\log(25/18)} + \frac{|\log(\max(1, \phi) / \phi_s)|}{\log 3}
        + \frac{|d - d_s|}{0.25},

    :math:`n_s`, :math:`\phi_s` and :math:`d_s` being the scenario's length and the median
    raw dispersion and Durbin-Watson statistic of its simulated fits (what the analysis
    saw, rather than the values the simulation was set to); each denominator is about one
    step of the grid.  Without a Durbin-Watson statistic (``None``, e.g. a controlled row)
    the last term is left out and only the scenarios with independent months are searched
    (the dispersion alone says nothing of the autocorrelation; ``coverage_lowest`` gives
    the other end of the range).  Only the rows of ``estimand`` and ``effect_end`` (by
    default the scenarios without an effect) are searched.

    Parameters
    ----------
    n_months
        Months the fit used.
    raw_dispersion
        The fit's Pearson :math:`X^2/(n-p)` (``raw_dispersion`` of the results).
    durbin_watson
        The Durbin-Watson statistic of its Pearson residuals, or None.
    estimand
        ``its_effect_end`` (default), ``its_level`` or ``cits_effect_end``.
    effect_end
        The scenarios' true effect at the last month (1: no effect; 0.75).
    table
        A calibration table (default: :func:`shipped_table`).

    Returns
    -------
    dict
        The keys of :data:`NEAREST_KEYS`: the scenario (``scenario``, ``n_months``,
        ``dispersion``, ``dispersion_target``, ``rho``, ``effect_end``), the share of its
        95 % intervals that covered the true value (``coverage``), the same per 100
        intervals, rounded (``covered_per_100``), its Monte-Carlo standard error, the
        number of simulated series, the confidence level in percent, the null rejection
        rate and Holm's family-wise error (NaN where the table has none), the scenario's
        median diagnostics, the coverage of the scenario of the same length and dispersion
        level with independent months (``coverage_independent``) and the lowest among
        those scenarios whatever their autocorrelation (``coverage_lowest`` at
        ``rho_lowest``: what the coverage may be when the months are more autocorrelated
        than the residuals show — a Durbin-Watson statistic of 25 months varies by about
        0.4 from one series to the next, more than between the scenarios), the distance,
        and the table's replicates, seed and plan version.

    Raises
    ------
    ValueError
        For a length, dispersion or Durbin-Watson statistic that is not a number in range,
        or an estimand or effect the table does not have.
    """
    n = _positive("n_months", n_months)
    phi = max(1.0, _positive("raw_dispersion", raw_dispersion))
    dw = None
    if durbin_watson is not None and not (isinstance(durbin_watson, float)
                                          and math.isnan(durbin_watson)):
        try:
            dw = float(durbin_watson)
        except (TypeError, ValueError):
            raise ValueError(f"durbin_watson must be a number, got {durbin_watson!r}") from None
        if not (math.isfinite(dw) and 0.0 <= dw <= 4.0):
            raise ValueError(f"durbin_watson must lie between 0 and 4, got {durbin_watson!r}")
    rows = shipped_table() if table is None else table
    rows = rows[(rows["estimand"] == estimand)
                & np.isclose(rows["effect_end"].astype(float), float(effect_end))
                & rows["coverage"].notna()]
    if rows.empty:
        raise ValueError(f"the calibration table has no row for estimand {estimand!r} with "
                         f"effect_end {effect_end}")
    distance = (np.abs(np.log(n / rows["n_months"].to_numpy(float))) / LENGTH_STEP
                + np.abs(np.log(phi / np.maximum(1.0, rows["median_raw_dispersion"]
                                                 .to_numpy(float)))) / DISPERSION_STEP)
    if dw is not None:
        scenario_dw = rows["median_durbin_watson"].to_numpy(float)
        distance = distance + np.where(np.isfinite(scenario_dw),
                                       np.abs(dw - scenario_dw) / DURBIN_WATSON_STEP, 0.0)
    else:  # nothing tells the autocorrelation: the independent-months rows (the range below)
        distance = np.where(rows["rho"].to_numpy(float) == 0.0, distance, np.inf)
    best = rows.iloc[int(np.argmin(distance))]
    same = rows[(rows["n_months"] == best["n_months"])
                & (rows["dispersion"] == best["dispersion"])]
    lowest = same.iloc[int(np.argmin(same["coverage"].to_numpy(float)))]
    independent = same[same["rho"].astype(float) == 0.0]
    return {
        "estimand": estimand, "scenario": best["scenario"], "n_months": int(best["n_months"]),
        "dispersion": best["dispersion"], "dispersion_target": float(best["dispersion_target"]),
        "rho": float(best["rho"]), "effect_end": float(best["effect_end"]),
        "coverage": float(best["coverage"]),
        "covered_per_100": int(math.floor(100.0 * float(best["coverage"]) + 0.5)),
        "coverage_mc_se": float(best["coverage_mc_se"]), "series": int(best["estimated"]),
        "confidence_percent": 95, "null_rejection": float(best["null_rejection"]),
        "holm_fwer": float(best["holm_fwer"]),
        "median_raw_dispersion": float(best["median_raw_dispersion"]),
        "median_durbin_watson": float(best["median_durbin_watson"]),
        "coverage_independent": (float(independent["coverage"].iloc[0]) if len(independent)
                                 else math.nan),
        "coverage_lowest": float(lowest["coverage"]), "rho_lowest": float(lowest["rho"]),
        "distance": float(np.min(distance)), "reps": int(best["reps"]),
        "seed": int(best["seed"]), "plan_version": int(best["plan_version"]),
    }


def results_calibration(results: pd.DataFrame, *, methods=CALIBRATED_METHODS,
                        table: pd.DataFrame | None = None) -> pd.DataFrame:
    """:func:`nearest_calibration` of every estimated results row of ``methods``.

    ``results`` has the columns of ``data/processed/results.parquet`` that are used:
    ``enterprise_id``, ``indicator``, ``method``, ``status``, ``n_pre``, ``n_post``,
    ``raw_dispersion`` and ``durbin_watson`` (a row without a Durbin-Watson statistic, such
    as a controlled row, is matched on its length and dispersion).  Rows whose status is
    not ``ok`` or that have no dispersion are left out.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`RESULTS_COLUMNS`, one row per calibrated results row, in the order
        of ``results``: ``series_months`` = ``n_pre + n_post``, the row's diagnostics, then
        the numbers of the nearest scenario (without an effect).
    """
    table = shipped_table() if table is None else table
    rows = []
    for r in results.to_dict("records"):
        if r.get("method") not in methods or r.get("status") != "ok":
            continue
        dispersion = r.get("raw_dispersion")
        if dispersion is None or not np.isfinite(float(dispersion)) or float(dispersion) <= 0:
            continue
        months = int(r["n_pre"]) + int(r["n_post"])
        dw = r.get("durbin_watson")
        dw = float(dw) if dw is not None and np.isfinite(float(dw)) else None
        nearest = nearest_calibration(months, float(dispersion), dw, estimand=r["method"],
                                      table=table)
        rows.append({"enterprise_id": r["enterprise_id"], "indicator": r["indicator"],
                     "method": r["method"], "series_months": months,
                     "series_raw_dispersion": float(dispersion), "series_durbin_watson": dw,
                     **nearest})
    return pd.DataFrame(rows, columns=list(RESULTS_COLUMNS))


def median_calibration(results: pd.DataFrame, *, method: str = "its_effect_end",
                       indicators=None, table: pd.DataFrame | None = None) -> dict:
    """:func:`nearest_calibration` of the median series of a results table: the scenario
    nearest to the median length, raw dispersion and Durbin-Watson statistic of its
    estimated rows of ``method`` (optionally only those of ``indicators``), e.g. for the
    synthesis appendix ("the row of the grid closest to the shipped data").  Columns of
    ``results`` as for :func:`results_calibration`.

    Raises
    ------
    ValueError
        When ``results`` has no estimated row of ``method`` with a dispersion.
    """
    rows = results[(results["method"] == method) & (results["status"] == "ok")]
    if indicators is not None:
        rows = rows[rows["indicator"].isin(list(indicators))]
    dispersion = pd.to_numeric(rows["raw_dispersion"], errors="coerce")
    rows = rows[np.isfinite(dispersion) & (dispersion > 0)]
    if rows.empty:
        raise ValueError(f"the results have no estimated row of {method!r} with a dispersion")
    months = float(np.median(rows["n_pre"].astype(float) + rows["n_post"].astype(float)))
    dw = pd.to_numeric(rows["durbin_watson"], errors="coerce").dropna()
    return nearest_calibration(months, float(np.median(rows["raw_dispersion"].astype(float))),
                               float(np.median(dw)) if len(dw) else None, estimand=method,
                               table=table)
