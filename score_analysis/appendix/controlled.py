r"""The controlled interrupted time series opened up for the reviewer (docs/analysis_plan.md
§3.10): the stacked model data with its counts, the fit with both standard errors (model
and panel Newey-West) and the comparison series beside the enterprise's own.

Pure functions of the monthly indicators of every enterprise and the enterprises table
(the tables the appendix notebook recomputes from ``data/raw``); each returns a tidy
DataFrame with fixed columns.  The fit is :func:`score_analysis.stats.cits.cits_fit`, the
rows of ``results.csv`` are :func:`score_analysis.stats.cits.cits_rows`: the tables here
show their steps, they decide nothing.

R, for one enterprise and indicator (``stacked`` = :func:`stacked_data`)::

    fit <- glm(numerator ~ factor(month) + s + s:t + s:post + s:t_after +
               offset(log(exposure)), family = quasipoisson, data = stacked)
    V_panel <- sandwich::vcovPL(fit, cluster = ~ s, order.by = ~ t, lag = L, adjust = TRUE)

References
----------
Lopez Bernal J, Cummins S, Gasparrini A (2018). The use of controls in interrupted time
series studies of public health interventions. Int J Epidemiol 47(6):2082-2093.

Zeileis A, Köll S, Graham N (2020). Various versatile variances: an object-oriented
implementation of clustered covariances in R. J Stat Softw 95(1):1-36.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..settings import PLAN, AnalysisSettings

#: Columns of :func:`stacked_counts`.
STACKED_COUNT_COLUMNS = ("series", "period", "months", "numerator", "exposure", "rate")

#: Columns of :func:`controlled_fit_table`.
CONTROLLED_FIT_COLUMNS = ("label", "terms", "coefficient", "se_model", "se_newey_west", "se",
                          "se_used", "df", "estimate", "ci_low", "ci_high", "p_value")

#: Columns of :func:`comparison_table`.
COMPARISON_TABLE_COLUMNS = ("month", "observed", "comparison", "comparison_unscaled",
                            "comparison_numerator", "comparison_exposure", "n_members")

_SERIES = {1: "enterprise", 0: "comparison"}


def comparison_members(monthly: pd.DataFrame, enterprises: pd.DataFrame,
                       enterprise_id: str) -> tuple[str, ...]:
    """The enterprises whose records form the comparison series of ``enterprise_id``
    (:func:`score_analysis.stats.cits.comparison_pool` at its last month; empty when it
    has no month or no pool)."""
    from ..stats.cits import comparison_pool

    months = monthly.loc[monthly["enterprise_id"] == enterprise_id, "month"]
    if months.empty:
        return ()
    return comparison_pool(enterprises, enterprise_id, last_month=str(months.max()))


def stacked_data(monthly: pd.DataFrame, enterprises: pd.DataFrame, enterprise_id: str,
                 indicator: str) -> pd.DataFrame:
    """The rows of the controlled model of one enterprise and indicator:
    :func:`score_analysis.stats.cits.stacked_model_data` (``s`` = 1 the enterprise, 0 the
    comparison series; only the months where both are present)."""
    from ..stats.cits import stacked_model_data

    return stacked_model_data(monthly, enterprises, enterprise_id, indicator)


def stacked_counts(stacked: pd.DataFrame, *, multiplier: float = 1.0) -> pd.DataFrame:
    r"""The counts of the stacked rows by series and period: months, summed numerator and
    exposure and the pooled rate :math:`\sum y / \sum E` (times ``multiplier``), the
    numbers the rules of the controlled model read (at least ``min_months_its`` months and
    ``min_events`` events on each side in each series).
    R: ``aggregate(cbind(numerator, exposure) ~ s + post, stacked, sum)``.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`STACKED_COUNT_COLUMNS`; ``series`` ``enterprise`` or
        ``comparison``, ``period`` ``before`` or ``after``; empty when ``stacked`` is.
    """
    if not np.isfinite(multiplier) or multiplier <= 0:
        raise ValueError(f"multiplier must be a positive number, got {multiplier}")
    missing = [c for c in ("s", "post", "numerator", "exposure") if c not in stacked]
    if missing:
        raise ValueError(f"stacked lacks the column(s) {missing} (see stacked_data)")
    rows = []
    for s in (1, 0):
        for post, period in ((0, "before"), (1, "after")):
            part = stacked[(stacked["s"] == s) & (stacked["post"] == post)]
            if part.empty:
                continue
            num, exp_ = float(part["numerator"].sum()), float(part["exposure"].sum())
            rows.append({"series": _SERIES[s], "period": period, "months": len(part),
                         "numerator": num, "exposure": exp_,
                         "rate": num / exp_ * multiplier if exp_ > 0 else np.nan})
    return pd.DataFrame(rows, columns=list(STACKED_COUNT_COLUMNS))


def controlled_fit(stacked: pd.DataFrame, *, settings: AnalysisSettings = PLAN):
    """The fit of the controlled model on the stacked rows
    (:func:`score_analysis.stats.cits.cits_fit`; raises its ``NotEstimable`` when the
    data cannot support it)."""
    from ..stats.cits import cits_fit

    return cits_fit(stacked, settings=settings)


def controlled_fit_table(fit, *, settings: AnalysisSettings = PLAN) -> pd.DataFrame:
    r"""The coefficients of the enterprise's series in the controlled model (``s``,
    ``s:t``, ``s:post``, ``s:t_after``) and the three published combinations
    (``cits_effect_end`` :math:`= \beta_{s:post} + \beta_{s:t\_after}(t_{last} - t_0)`,
    ``cits_level``, ``cits_slope``), each with **both** standard errors: model-based
    :math:`\sqrt{c^\top \phi (X^\top W X)^{-1} c}` and panel Newey-West
    :math:`\sqrt{c^\top V_{PL} c}`; ``se`` is the one ``settings.se_rule`` uses
    (``se_used`` says which) and the interval and p are on ``df`` = n − p degrees of
    freedom (``settings.inference``), exponentiated.  The calendar-month effects, nuisance
    terms, are left out (``fit.coefficients()`` has them).
    R: ``exp(b + c(-1, 1) * qt(0.975, df.residual(fit)) * se)``.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`CONTROLLED_FIT_COLUMNS`, one row per coefficient and combination.
    """
    from ..stats.cits_fit import S_TERMS, NotEstimable, wald

    span = float(fit.t_last - fit.t0)
    combos = {**{term: {term: 1.0} for term in S_TERMS},
              "cits_effect_end": {"s:post": 1.0, "s:t_after": span},
              "cits_level": {"s:post": 1.0}, "cits_slope": {"s:t_after": 1.0}}
    rows = []
    for label, weights in combos.items():
        comb = fit.combination(weights)
        try:
            values = wald(fit, weights, settings=settings)
        except NotEstimable:
            values = {}
        se = values.get("se", np.nan)
        used = ("newey_west" if se == comb["se_newey_west"] != comb["se_model"] else "model")
        rows.append({"label": label,
                     "terms": " + ".join(f"{w:g}·{t}" if w != 1 else t
                                         for t, w in weights.items()),
                     **comb, "se": se, "se_used": used if values else "",
                     "df": fit.df, **{k: values.get(k, np.nan)
                                      for k in ("estimate", "ci_low", "ci_high", "p_value")}})
    return pd.DataFrame(rows, columns=list(CONTROLLED_FIT_COLUMNS))


def comparison_table(monthly: pd.DataFrame, enterprises: pd.DataFrame, enterprise_id: str,
                     indicator: str, *, multiplier: float = 1.0) -> pd.DataFrame:
    """Month by month: the enterprise's value, the comparison series scaled to its level
    before the programme (the line of the report's chart), unscaled, and the summed
    numerator, exposure and number of members behind it
    (:func:`score_analysis.stats.cits_lines.comparison_lines`,
    :func:`score_analysis.stats.cits.comparison_series`).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`COMPARISON_TABLE_COLUMNS`; empty without a comparison pool.
    """
    from ..stats.cits import comparison_series
    from ..stats.cits_lines import comparison_lines

    lines = comparison_lines(monthly, enterprises, enterprise_id, indicator,
                             multiplier=multiplier)
    series = comparison_series(monthly, enterprises, enterprise_id, indicator)
    out = lines.merge(series[["month", "numerator", "exposure", "n_members"]].rename(
        columns={"numerator": "comparison_numerator", "exposure": "comparison_exposure"}),
        on="month", how="left")
    return out.reindex(columns=list(COMPARISON_TABLE_COLUMNS))
