"""The calibration of the intervals in the synthesis appendix (docs/calibration.md): the row
of the shipped calibration grid closest to the data of a run, and the nearest row of every
series.

Pure functions over the stored results (``data/processed/results.parquet``, which keeps the
diagnostics of every segmented fit: ``raw_dispersion``, ``durbin_watson``) and the shipped
table (:func:`score_analysis.calibration.shipped_table`); nothing is estimated here.
"""

from __future__ import annotations

import pandas as pd

from ..calibration import median_calibration, results_calibration
from ..settings import PLAN, AnalysisSettings

#: The columns of :func:`data_calibration`: what the data look like (the median series),
#: then the grid row closest to it.
DATA_CALIBRATION_COLUMNS = (
    "estimand", "series_in_median", "series_months", "series_raw_dispersion",
    "series_durbin_watson", "scenario", "n_months", "dispersion", "rho",
    "median_raw_dispersion", "median_durbin_watson", "distance", "series", "coverage",
    "coverage_mc_se", "covered_per_100", "null_rejection", "holm_fwer",
    "coverage_independent", "coverage_lowest", "rho_lowest", "reps", "seed", "plan_version",
)

#: The columns of :func:`series_calibration`.
SERIES_CALIBRATION_COLUMNS = (
    "enterprise_id", "indicator", "method", "series_months", "series_raw_dispersion",
    "series_durbin_watson", "scenario", "rho", "coverage", "coverage_mc_se",
    "coverage_independent", "coverage_lowest", "rho_lowest", "distance",
)


def _calibrated(results: pd.DataFrame, method: str, settings: AnalysisSettings) -> pd.DataFrame:
    """The estimated primary rows of ``method`` of the confirmatory monthly indicators (all
    monthly indicators when none is confirmatory), with a dispersion."""
    rows = results[(results["domain"] == "kpi") & results["primary"].astype(bool)
                   & (results["method"] == method) & (results["status"] == "ok")]
    rows = rows[pd.to_numeric(rows["raw_dispersion"], errors="coerce") > 0]
    family = rows[rows["indicator"].isin(list(settings.confirmatory))]
    return family if len(family) else rows


def data_calibration(results: pd.DataFrame, *, settings: AnalysisSettings = PLAN,
                     methods=("its_effect_end", "cits_effect_end")) -> pd.DataFrame:
    """The row of the calibration grid closest to the data: for each estimand of
    ``methods`` that is the primary of some confirmatory monthly indicator, the scenario
    nearest to the median length, raw dispersion and Durbin-Watson statistic of those
    primary rows (:func:`score_analysis.calibration.median_calibration`).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`DATA_CALIBRATION_COLUMNS`, one row per estimand found (none when no
        such row is estimated): ``series_in_median`` rows were summarised by their median
        ``series_months``, ``series_raw_dispersion`` and ``series_durbin_watson``; the
        other columns are those of :func:`~score_analysis.calibration.nearest_calibration`.
    """
    out = []
    for method in methods:
        rows = _calibrated(results, method, settings)
        if rows.empty:
            continue
        nearest = median_calibration(rows, method=method)
        dw = pd.to_numeric(rows["durbin_watson"], errors="coerce").dropna()
        out.append({**nearest, "series_in_median": len(rows),
                    "series_months": float((rows["n_pre"].astype(float)
                                            + rows["n_post"].astype(float)).median()),
                    "series_raw_dispersion": float(rows["raw_dispersion"].astype(float)
                                                   .median()),
                    "series_durbin_watson": float(dw.median()) if len(dw) else float("nan")})
    return pd.DataFrame(out, columns=list(DATA_CALIBRATION_COLUMNS))


def series_calibration(results: pd.DataFrame, *,
                       settings: AnalysisSettings = PLAN) -> pd.DataFrame:
    """The nearest grid row of every estimated primary effect at the last month of a
    confirmatory monthly indicator (:func:`score_analysis.calibration.results_calibration`),
    in the order of ``results``; columns :data:`SERIES_CALIBRATION_COLUMNS`."""
    rows = pd.concat([_calibrated(results, m, settings)
                      for m in ("its_effect_end", "cits_effect_end")])
    rows = rows.loc[results.index.intersection(rows.index)]
    return results_calibration(rows)[list(SERIES_CALIBRATION_COLUMNS)]
