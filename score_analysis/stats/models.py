"""The KPI models in one import, for researchers and the reviewer's appendix.

``from score_analysis.stats import models`` gives the model data, the rate model, the rows
of the plan and :func:`fit_its`, the statsmodels fit behind a published results row.
:mod:`.rate_model` holds the quasi-Poisson model (data preparation,
:class:`~.rate_model.RateFit`, the fit, the covariances, the inference) and :mod:`.its`
the rows of the segmented models.

>>> from score_analysis.build import validate_inputs
>>> tables = validate_inputs("data/raw").tables                       # doctest: +SKIP
>>> res = fit_its(tables, "tjokro_bersaudara", "reject_rate")        # doctest: +SKIP
>>> res.summary()                                                     # doctest: +SKIP
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..settings import PLAN, AnalysisSettings
from .its import EFFECT_COLUMNS, LINE_COLUMNS, KpiFit, its_lines, kpi_effects, kpi_fit
from .outputs import CITS_METHODS, KPI_METHODS
from .rate_model import (
    COEFFICIENT_COLUMNS,
    MODEL_TERMS,
    NotEstimable,
    RateFit,
    fit_rate_model,
    harmonic_terms,
    inference,
    its_diagnostics,
    model_data,
    newey_west_lag,
    rate_model_coefficients,
    t_inference,
)

__all__ = [
    "COEFFICIENT_COLUMNS", "EFFECT_COLUMNS", "KPI_METHODS", "LINE_COLUMNS", "MODEL_TERMS",
    "KpiFit", "NotEstimable", "RateFit", "fit_its", "fit_rate_model", "harmonic_terms",
    "inference", "its_diagnostics", "its_lines", "kpi_effects", "kpi_fit", "model_data",
    "newey_west_lag", "published_estimate", "rate_model_coefficients", "statsmodels_fit",
    "t_inference",
]


def fit_its(tables: dict, enterprise_id: str, indicator: str, *,
            settings: AnalysisSettings = PLAN):
    """The statsmodels fit behind the published primary row of one monthly KPI.

    Computes the enterprise's monthly indicator from the validated ``tables`` (as
    ``score_analysis.build.analyse`` does), fits the plan's models and returns the
    ``statsmodels`` ``GLMResults`` of exactly the model of the KPI's primary row
    (``its_effect_end``: ``num ~ t + post + t_after [+ eid]``; ``rate_ratio_step`` when
    the segmented model cannot be estimated), with the plan's parts attached:

    ``cov_model``
        :math:`\\max(1, \\phi)\\,(X^\\top W X)^{-1}`, the model-based covariance with the
        dispersion floored at 1 (statsmodels' own ``cov_params()`` uses :math:`\\phi`
        unfloored);
    ``cov_newey_west``
        the Newey-West covariance (``sandwich::NeweyWest(fit, lag = L, prewhite = FALSE,
        adjust = TRUE)``);
    ``published_method``, ``published_weights``, ``published``
        the row's method, the coefficients of its estimate (``{"post": 1, "t_after": 9}``
        for the effect at the last month, nine months after the start) and the row's
        numbers recomputed from this fit (:func:`~.rate_model.inference`);
    ``rate_fit``, ``settings``
        the :class:`~.rate_model.RateFit` and the settings used.

    So ``c = [w.get(n, 0) for n in res.model.exog_names]``,
    ``np.exp(c @ res.params)`` is the published estimate and
    ``max(sqrt(c @ res.cov_model @ c), sqrt(c @ res.cov_newey_west @ c))`` its standard
    error.  The columns of ``res.model.exog`` are named ``const``, ``t``, ``post``,
    ``t_after``, ``eid``.

    Raises
    ------
    ValueError
        For an unknown enterprise or indicator, an indicator the enterprise does not
        track, or a primary row with no model (``insufficient_data``, or the controlled
        design, whose fit is in ``score_analysis.stats.cits``).
    """
    from .indicators import INDICATORS, monthly_indicators

    if indicator not in INDICATORS:
        raise ValueError(f"unknown monthly indicator {indicator!r}; known: "
                         f"{', '.join(INDICATORS)}")
    enterprises = tables.get("enterprises")
    if enterprises is None or enterprise_id not in set(enterprises["enterprise_id"]):
        raise ValueError(f"unknown enterprise {enterprise_id!r}")
    kpi = tables.get("kpi_monthly", pd.DataFrame(columns=["enterprise_id", "month"]))
    own = enterprises[enterprises["enterprise_id"] == enterprise_id]
    monthly = monthly_indicators(kpi[kpi["enterprise_id"] == enterprise_id], own)
    series = monthly[monthly["indicator"] == indicator]
    if series.empty:
        raise ValueError(f"{enterprise_id} does not track {indicator}")
    spec = INDICATORS[indicator]
    fit = kpi_fit(series, own["intervention_month"].iloc[0], multiplier=spec.multiplier,
                  settings=settings)
    from .analysis import primary_method

    method = primary_method({r["method"]: r["status"] for r in fit.records})
    if method in CITS_METHODS or method not in fit.fits:
        row = fit.effects.set_index("method").loc[method]
        raise ValueError(f"the primary row of {enterprise_id} {indicator} ({method}) has no "
                         f"single-series model: {row['status']}, {row['note']}")
    rate = fit.fits[method]
    res = statsmodels_fit(rate)
    weights = fit.weights[method]
    res.cov_model = rate.cov_model
    res.cov_newey_west = rate.cov_newey_west
    res.published_method = method
    res.published_weights = dict(weights)
    res.published = inference(rate, weights, settings=settings)
    res.rate_fit = rate
    res.settings = settings
    return res


def statsmodels_fit(rate: RateFit):
    """The statsmodels ``GLMResults`` of a :class:`~.rate_model.RateFit`'s model: the
    Poisson GLM with ``scale="X2"`` (quasi-Poisson) on the same months, started at the fit's
    coefficients and iterated to convergence, with the columns named as the fit's
    coefficients (``const``, ``t``, ``post``...)."""
    import pandas as pd
    import statsmodels.api as sm

    X = pd.DataFrame(rate.design, columns=list(rate.names))
    model = sm.GLM(rate.response, X, family=sm.families.Poisson(), offset=rate.offset)
    return model.fit(start_params=rate.params, scale="X2", tol=1e-12)


def published_estimate(res) -> tuple[float, float]:
    """``(estimate, se)`` of the published row from a :func:`fit_its` result, computed from
    its coefficients and the two attached covariances (the plan's rule for the SE)."""
    c = np.array([res.published_weights.get(n, 0.0) for n in res.model.exog_names])
    b = float(c @ np.asarray(res.params))
    se_m = float(np.sqrt(c @ res.cov_model @ c))
    se_nw = float(np.sqrt(c @ res.cov_newey_west @ c))
    se = {"max": max(se_m, se_nw), "model": se_m, "newey_west": se_nw}[res.settings.se_rule]
    return float(np.exp(b)), se
