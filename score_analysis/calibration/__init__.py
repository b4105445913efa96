"""The calibration study: how often do the plan's 95 % intervals cover the truth on series
like the shipped ones? (docs/calibration.md)

Agreeing with R shows that the numbers are computed as specified; it does not show that a
95 % interval covers the true effect 95 % of the time on 18 to 36 overdispersed,
autocorrelated monthly counts.  This package simulates enterprises with known effects
(:mod:`.simulation`) over a grid of scenarios (:mod:`.scenarios`), runs each through the
analysis of ``score-analysis run`` (:mod:`.running`), and summarises the coverage of the
intervals, the rejection rate under the null, the power, Holm's family-wise error and the
coverage of alternative standard errors (:mod:`.alternatives`) per scenario and estimand
(:mod:`.summary`).  ``score-analysis calibrate`` and ``make calibrate`` run it; the table of
the default grid ships with the package (``default_grid.csv``), and :mod:`.lookup` finds
the row nearest to a series for the pages.

Importing this package is cheap: the statistics are imported by the modules that run the
study, not by :mod:`.lookup`.
"""

from __future__ import annotations

from .lookup import (
    CALIBRATED_METHODS,
    NEAREST_KEYS,
    RESULTS_COLUMNS,
    lag1_from_durbin_watson,
    median_calibration,
    nearest_calibration,
    results_calibration,
    shipped_table,
)

#: The default seed of the study: the date of the Module 1 workshop (22 March 2010).
DEFAULT_SEED = 20100322

__all__ = ["CALIBRATED_METHODS", "DEFAULT_SEED", "NEAREST_KEYS", "RESULTS_COLUMNS",
           "lag1_from_durbin_watson", "median_calibration", "nearest_calibration",
           "results_calibration", "shipped_table"]
