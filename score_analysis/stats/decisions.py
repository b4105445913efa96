r"""The decisions of the analysis plan, each in one place (docs/analysis_plan.md §6):
the significance level, Holm's and Benjamini-Hochberg's adjustments, the confirmatory
family, the good direction of an indicator, the sign of a change, and the direction a
confirmatory result is judged to have.

The analysis (:mod:`.analysis`), the pooling (:mod:`.pooling`), the robustness verdicts
(:mod:`.robustness`) and the risk of bias (:mod:`.risk_of_bias`) all take these from here;
the pages read the stored results and never decide again.  Numpy only (no statsmodels), so
importing this module is cheap.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..settings import PLAN, AnalysisSettings
from .indicators import INDICATORS
from .outputs import DESCRIPTIVE_METHODS

#: The statuses of a planned row that count in a multiplicity family (a planned row that
#: could not be estimated counts with p = 1).
FAMILY_STATUSES = ("ok", "insufficient_data")


def significance_level(settings: AnalysisSettings = PLAN) -> float:
    """The significance level of every judgement (``settings.alpha``)."""
    return float(settings.alpha)


def holm(p) -> np.ndarray:
    r"""Holm's step-down adjusted p-values.

    With ordered :math:`p_{(1)} \le \dots \le p_{(m)}`,
    :math:`\tilde p_{(i)} = \max_{j \le i} \min\{1, (m - j + 1)\,p_{(j)}\}`.
    R: ``p.adjust(p, "holm")``.

    Raises
    ------
    ValueError
        When a p-value is missing or outside [0, 1].

    References
    ----------
    Holm S (1979). A simple sequentially rejective multiple test procedure. Scand J Stat
    6:65-70.
    """
    p = _checked(p)
    m = len(p)
    if m == 0:
        return p
    order = np.argsort(p, kind="stable")
    adjusted = np.minimum(1.0, np.maximum.accumulate((m - np.arange(m)) * p[order]))
    out = np.empty(m)
    out[order] = adjusted
    return out


def benjamini_hochberg(p) -> np.ndarray:
    r"""Benjamini-Hochberg adjusted p-values (q-values of the false discovery rate).

    With ordered :math:`p_{(1)} \le \dots \le p_{(m)}`,
    :math:`q_{(i)} = \min_{j \ge i} \min\{1, m\,p_{(j)} / j\}`.  R: ``p.adjust(p, "BH")``.

    References
    ----------
    Benjamini Y, Hochberg Y (1995). Controlling the false discovery rate. J R Stat Soc B
    57:289-300.
    """
    p = _checked(p)
    m = len(p)
    if m == 0:
        return p
    order = np.argsort(p, kind="stable")[::-1]
    ranks = np.arange(m, 0, -1)
    adjusted = np.minimum(1.0, np.minimum.accumulate(m * p[order] / ranks))
    out = np.empty(m)
    out[order] = adjusted
    return out


def _checked(p) -> np.ndarray:
    p = np.asarray(p, dtype=float).ravel()
    if np.any(~np.isfinite(p)) or np.any((p < 0) | (p > 1)):
        raise ValueError(f"p-values must be numbers between 0 and 1, got {p.tolist()}")
    return p


def good_direction(domain: str, indicator: str) -> int:
    """+1 when a higher value of the indicator is better, -1 when lower is better
    (docs/analysis_plan.md §2; 5S and survey scores: higher is better)."""
    if domain == "kpi":
        if indicator not in INDICATORS:
            raise ValueError(f"unknown KPI {indicator!r}")
        return INDICATORS[indicator].good_direction
    return +1


def change_sign(estimate: float, estimate_scale: str) -> float:
    """The sign of the change a row measures: of the log ratio for ``rate_ratio`` and
    ``slope_ratio`` rows (below 1: -1, above: +1), of the difference otherwise; NaN when
    there is no estimate (an infinite ratio is a rise: +1)."""
    try:
        value = float(estimate)
    except (TypeError, ValueError):
        return float("nan")
    if not (value == value):  # NaN
        return float("nan")
    if estimate_scale in ("rate_ratio", "slope_ratio"):
        if value <= 0:
            return float("nan") if value < 0 else -1.0
        return float(np.sign(np.log(value)))
    return float(np.sign(value))


def confirmatory_rows(results: pd.DataFrame, settings: AnalysisSettings = PLAN) -> pd.Series:
    """Which results rows form their enterprise's confirmatory family
    (docs/analysis_plan.md §6): the primary row of every indicator in
    ``settings.confirmatory`` whose status is ``ok`` or ``insufficient_data``
    (descriptive methods never).  A boolean Series aligned with ``results``; the
    ``confirmatory`` column of ``results.csv``."""
    return (results["primary"].astype(bool)
            & results["indicator"].isin(list(settings.confirmatory))
            & ~results["method"].isin(DESCRIPTIVE_METHODS)
            & results["status"].isin(FAMILY_STATUSES))


def in_holm_family(results: pd.DataFrame, settings: AnalysisSettings = PLAN) -> pd.Series:
    """The rows adjusted by Holm and BH: the confirmatory family (:func:`confirmatory_rows`).
    The pages count these to say "of the N confirmatory outcomes"."""
    return confirmatory_rows(results, settings)


def family_adjusted(p_values, statuses) -> tuple[np.ndarray, np.ndarray]:
    """Holm and BH over one family: rows whose status is not ``ok`` (or whose p is missing)
    count with p = 1 and get no adjusted value (NaN).  Returns ``(p_holm, q_bh)``.
    R: ``p.adjust(c(p, rep(1, n_insufficient)), "holm")``, likewise ``"BH"``."""
    p = np.asarray(p_values, dtype=float)
    has = np.isfinite(p) & (np.asarray(statuses, dtype=object) == "ok")
    used = np.where(has, p, 1.0)
    return (np.where(has, holm(used), np.nan), np.where(has, benjamini_hochberg(used), np.nan))


def direction(*, confirmatory: bool, status: str, p_holm: float, estimate: float,
              estimate_scale: str, domain: str, indicator: str,
              settings: AnalysisSettings = PLAN) -> str:
    """The direction of one row (docs/analysis_plan.md §6): judged on confirmatory rows
    only.  ``improved``/``worsened`` when the Holm-adjusted p is below the significance
    level and the sign of the change agrees/disagrees with the indicator's good direction;
    ``inconclusive`` otherwise (a confirmatory row that could not be estimated among them);
    every other row ``not_tested``."""
    if not confirmatory:
        return "not_tested"
    if status != "ok" or not (isinstance(p_holm, int | float) and np.isfinite(p_holm)):
        return "inconclusive"
    if p_holm >= significance_level(settings):
        return "inconclusive"
    sign = change_sign(estimate, estimate_scale)
    if not np.isfinite(sign) or sign == 0:
        return "inconclusive"
    return "improved" if sign == good_direction(domain, indicator) else "worsened"


def directions(frame: pd.DataFrame, settings: AnalysisSettings = PLAN) -> list[str]:
    """:func:`direction` of every row of a frame with the columns ``confirmatory``,
    ``status``, ``p_holm``, ``estimate``, ``estimate_scale``, ``domain``, ``indicator``."""
    return [direction(confirmatory=bool(r.confirmatory), status=r.status, p_holm=r.p_holm,
                      estimate=r.estimate, estimate_scale=r.estimate_scale, domain=r.domain,
                      indicator=r.indicator, settings=settings)
            for r in frame.itertuples(index=False)]
