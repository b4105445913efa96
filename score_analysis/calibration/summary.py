r"""Summarising a calibration study: one row per scenario and estimand (the shipped table).

:func:`calibration_table` turns the raw outcome of :func:`~.running.run_study` into the
table of :data:`TABLE_COLUMNS`; :func:`table_text` lays it out for the terminal.

How to read a row (docs/calibration.md): ``coverage`` is the share of the estimated
series whose 95 % interval contained the true value, with its Monte-Carlo standard error
:math:`\sqrt{c(1-c)/m}` (:math:`m` series); ``null_rejection`` (scenarios without an
effect) and ``power`` (with one) are the shares with :math:`p < \alpha`; ``holm_fwer`` is
the share of simulated enterprises, in the scenarios without any effect, in which Holm's
adjustment over the six confirmatory outcomes rejected at least one (on the rows of the two
primaries: ``its_effect_end`` for the single-series family, ``cits_effect_end`` for the
controlled one); the ``coverage_*`` and ``rejection_*`` columns are the same for each
alternative of :mod:`.alternatives`.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from .alternatives import ALTERNATIVES
from .running import FAMILY_COLUMNS, SERIES_COLUMNS, StudyOutcome
from .scenarios import ESTIMANDS

#: The columns of the calibration table, in order.
TABLE_COLUMNS = (
    "scenario", "n_months", "n_before", "n_after", "dispersion", "dispersion_target", "rho",
    "effect_end", "estimand", "true_value", "reps", "series", "estimated", "coverage",
    "coverage_mc_se", "null_rejection", "power", "rejection_mc_se", "holm_fwer",
    "holm_fwer_mc_se", "mean_log_error", "median_raw_dispersion", "median_durbin_watson",
    *(f"coverage_{a}" for a in ALTERNATIVES), *(f"rejection_{a}" for a in ALTERNATIVES),
    "seed", "plan_version",
)

#: The family whose error is reported on the row of each estimand (None: no family).
_FAMILY = {"its_effect_end": "family_rejected_its", "cits_effect_end": "family_rejected_cits",
           "its_level": None}


def _share(values: np.ndarray) -> tuple[float, float, int]:
    """Mean of the finite 0/1 values, its binomial standard error and their number."""
    values = values[np.isfinite(values)]
    m = len(values)
    if m == 0:
        return math.nan, math.nan, 0
    p = float(values.mean())
    return p, math.sqrt(p * (1.0 - p) / m), m


def calibration_table(outcome: StudyOutcome, *, plan_version: int = 3) -> pd.DataFrame:
    """The calibration table of a study (columns :data:`TABLE_COLUMNS`): one row per
    scenario of the grid and estimand of :data:`~.scenarios.ESTIMANDS`, in that order."""
    col = {name: i for i, name in enumerate(SERIES_COLUMNS)}
    fam = {name: i for i, name in enumerate(FAMILY_COLUMNS)}
    series, families = outcome.series, outcome.families
    rows = []
    for index, scenario in enumerate(outcome.grid):
        mine = series[series[:, col["scenario"]] == index]
        my_families = families[families[:, fam["scenario"]] == index]
        for e, estimand in enumerate(ESTIMANDS):
            part = mine[mine[:, col["estimand"]] == e]
            done = part[part[:, col["estimated"]] == 1]
            truth = scenario.true_value(estimand)
            coverage, coverage_se, _ = _share(done[:, col["covered"]])
            rejection, rejection_se, _ = _share(done[:, col["rejected"]])
            family = _FAMILY[estimand]
            fwer, fwer_se = math.nan, math.nan
            if family is not None and scenario.is_null:
                fwer, fwer_se, _ = _share(my_families[:, fam[family]])
            row = {
                "scenario": scenario.name, "n_months": scenario.n_months,
                "n_before": scenario.n_before, "n_after": scenario.n_after,
                "dispersion": scenario.dispersion,
                "dispersion_target": scenario.dispersion_target, "rho": scenario.rho,
                "effect_end": scenario.effect_end, "estimand": estimand, "true_value": truth,
                "reps": outcome.reps, "series": len(part), "estimated": len(done),
                "coverage": coverage, "coverage_mc_se": coverage_se,
                "null_rejection": rejection if scenario.is_null else math.nan,
                "power": math.nan if scenario.is_null else rejection,
                "rejection_mc_se": rejection_se, "holm_fwer": fwer, "holm_fwer_mc_se": fwer_se,
                "mean_log_error": (float(np.mean(done[:, col["log_estimate"]]) - math.log(truth))
                                   if len(done) else math.nan),
                "median_raw_dispersion": _median(done[:, col["raw_dispersion"]]),
                "median_durbin_watson": _median(done[:, col["durbin_watson"]]),
                "seed": outcome.seed, "plan_version": plan_version,
            }
            for a in ALTERNATIVES:
                row[f"coverage_{a}"] = _share(done[:, col[f"covered_{a}"]])[0]
                row[f"rejection_{a}"] = _share(done[:, col[f"rejected_{a}"]])[0]
            rows.append(row)
    return pd.DataFrame(rows, columns=list(TABLE_COLUMNS))


def _median(values: np.ndarray) -> float:
    values = values[np.isfinite(values)]
    return float(np.median(values)) if len(values) else math.nan


def _number(value: float, digits: int = 3) -> str:
    return "" if not np.isfinite(value) else f"{value:.{digits}f}"


def table_text(table: pd.DataFrame) -> str:
    """The calibration table laid out for the terminal, in the current language: a legend,
    then per estimand one line per scenario with the coverage of the 95 % intervals (and
    its Monte-Carlo standard error), the share with p < 0.05 (the rejection rate without
    an effect, the power with one), Holm's family-wise error and each alternative's
    coverage."""
    from ..i18n import gettext as _

    heads = [_("months"), _("dispersion"), _("rho"), _("effect"), _("coverage"), _("MC SE"),
             _("p < 0.05"), _("Holm FWER"), *ALTERNATIVES]
    out = [_("coverage: share of the intervals (confidence 95%) that contain the true "
             "effect (MC SE: its Monte-Carlo standard error); p < 0.05: the rejection rate "
             "without an effect, the power with one; Holm FWER: share of the simulated "
             "enterprises without any effect in which Holm's adjustment over the six "
             "confirmatory outcomes found one; {alternatives}: coverage of the alternative "
             "standard errors (docs/calibration.md).").format(
                 alternatives=", ".join(ALTERNATIVES)), ""]
    for estimand in dict.fromkeys(table["estimand"]):
        part = table[table["estimand"] == estimand]
        lines = [heads]
        for r in part.itertuples(index=False):
            rate = r.null_rejection if np.isfinite(r.null_rejection) else r.power
            lines.append([str(r.n_months), r.dispersion, f"{r.rho:g}",
                          _("none") if r.effect_end == 1 else f"{r.effect_end:g}",
                          _number(r.coverage), _number(r.coverage_mc_se), _number(rate),
                          _number(r.holm_fwer),
                          *(_number(getattr(r, f"coverage_{a}")) for a in ALTERNATIVES)])
        widths = [max(len(line[i]) for line in lines) for i in range(len(heads))]
        out.append(estimand)
        out += ["  ".join(cell.rjust(w) for cell, w in zip(line, widths, strict=True))
                for line in lines]
        out.append("")
    return "\n".join(out)
