"""The KPI models in one import, for researchers and the reviewer's appendix.

``from score_analysis.stats import models`` gives the model data, the rate model and the
rows of the plan: :mod:`.rate_model` holds the quasi-Poisson model (data preparation,
:class:`~.rate_model.RateFit`, the fit, the covariances, the inference) and :mod:`.its` the
rows of the segmented models.
"""

from __future__ import annotations

from .its import (
    EFFECT_COLUMNS,
    KPI_METHODS,
    LINE_COLUMNS,
    MIN_EVENTS,
    MIN_ITS,
    MIN_PLACEBO,
    MIN_STEP,
    PHASE_IN,
    SENSITIVITY_METHODS,
    KpiFit,
    its_lines,
    kpi_effects,
    kpi_fit,
)
from .rate_model import (
    COEFFICIENT_COLUMNS,
    LJUNG_BOX_LAG,
    MODEL_TERMS,
    RateFit,
    fit_rate_model,
    harmonic_terms,
    its_diagnostics,
    model_data,
    newey_west_lag,
    rate_model_coefficients,
)

__all__ = [
    "COEFFICIENT_COLUMNS", "EFFECT_COLUMNS", "KPI_METHODS", "LINE_COLUMNS", "LJUNG_BOX_LAG",
    "MIN_EVENTS", "MIN_ITS", "MIN_PLACEBO", "MIN_STEP", "MODEL_TERMS", "PHASE_IN",
    "SENSITIVITY_METHODS", "KpiFit", "RateFit", "fit_rate_model", "harmonic_terms",
    "its_diagnostics", "its_lines", "kpi_effects", "kpi_fit", "model_data", "newey_west_lag",
    "rate_model_coefficients",
]
