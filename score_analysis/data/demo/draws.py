"""Random draws and array conversions shared by the simulated tables."""

from __future__ import annotations

import numpy as np
import pandas as pd


def gamma_poisson(rng: np.random.Generator, mean: np.ndarray, shape: float) -> np.ndarray:
    """Negative-binomial counts with the given means and gamma shape (overdispersion)."""
    mean = np.maximum(np.asarray(mean, dtype=float), 0.0)
    return rng.poisson(rng.gamma(shape, mean / shape)).astype(float)


def int64(values: np.ndarray) -> pd.arrays.IntegerArray:
    """Whole numbers as a nullable ``Int64`` array (NaN becomes ``<NA>``)."""
    values = np.asarray(values, dtype=float)
    mask = np.isnan(values)
    return pd.arrays.IntegerArray(np.where(mask, 0, np.rint(values)).astype(np.int64), mask)


def concat(parts: list[np.ndarray], dtype: object = float) -> np.ndarray:
    if not parts:
        return np.array([], dtype=dtype)
    return np.concatenate(parts)


# Random-stream numbers, one per table and role (see the package docstring): programme
# enterprises' profiles, KPIs, 5S audits, survey answers, then comparison enterprises'
# profiles and KPIs, then programme enterprises' implementation records.
(STREAM_PROFILE, STREAM_KPI, STREAM_5S, STREAM_SURVEY, STREAM_COMPARISON_PROFILE,
 STREAM_COMPARISON_KPI, STREAM_IMPLEMENTATION) = range(7)
