""""How robust is this?" for each monthly indicator, by the rule of analysis plan version 3
(docs/analysis_plan.md §3.5), as data: the pages only render it.

For each monthly KPI the plan shows the primary estimate beside its sensitivity estimates
(``its_effect_end_harmonic``, ``its_effect_end_phase_in``, ``its_effect_end_no_eid`` and,
when the controlled design is the primary, the single-series ``its_effect_end``), the
placebo and the naive step.  The primary is **consistent** when every one of those
sensitivity estimates that could be computed has its sign (the naive step, biased by
trends, and the placebo do not count); when the placebo's p is below the significance level
the trend before the programme was not stable and the indicator carries a **placebo
warning**.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..settings import PLAN, AnalysisSettings
from .decisions import change_sign, significance_level
from .outputs import CITS_PRIMARY, ITS_PRIMARY, ITS_SENSITIVITY, NAIVE_STEP, PLACEBO

#: Columns of :func:`robustness_table`: one row per indicator and method shown, with the
#: indicator's verdict repeated on each of its rows.
ROBUSTNESS_COLUMNS = ("enterprise_id", "indicator", "method", "role", "status", "estimate",
                      "ci_low", "ci_high", "p_value", "same_sign", "consistent",
                      "placebo_warning")

#: Columns of :func:`robustness_verdicts`: one row per indicator.
VERDICT_COLUMNS = ("enterprise_id", "indicator", "primary_method", "primary_status",
                   "primary_estimate", "n_sensitivity", "n_same_sign", "consistent",
                   "placebo_p", "placebo_warning")

#: The roles of the rows shown: the primary, a sensitivity estimate (counted), the placebo
#: and the naive step (shown, never counted).
ROLES = ("primary", "sensitivity", "placebo", "naive")

_NUMBERS = ("estimate", "ci_low", "ci_high", "p_value")


def _roles(primary_method: str) -> list[tuple[str, str]]:
    """``(method, role)`` of the rows shown for an indicator whose primary is
    ``primary_method``, in the order shown."""
    out = [(primary_method, "primary")]
    if primary_method == CITS_PRIMARY:
        out.append((ITS_PRIMARY, "sensitivity"))
    out += [(m, "sensitivity") for m in ITS_SENSITIVITY]
    return [*out, (PLACEBO, "placebo"), (NAIVE_STEP, "naive")]


def robustness_table(results: pd.DataFrame, *,
                     settings: AnalysisSettings = PLAN) -> pd.DataFrame:
    """The "How robust is this?" table of every monthly indicator with a primary row.

    Parameters
    ----------
    results
        Results rows (``results.csv`` or ``results.parquet``) of one or more enterprises.
    settings
        The analysis plan (its significance level judges the placebo).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`ROBUSTNESS_COLUMNS`.  ``same_sign`` (nullable boolean) says whether
        a row's estimate points the same way as the primary's (empty for the primary
        itself, and where either has no estimate); ``consistent`` is true when every
        sensitivity row with an estimate has the primary's sign (at least one needed),
        false when one does not, empty when the primary or every sensitivity row has no
        estimate; ``placebo_warning`` is true when the placebo's p is below
        ``settings.alpha``.  The naive step and the placebo are shown with ``same_sign``
        but never counted.
    """
    kpi = results[(results["domain"] == "kpi") & results["primary"].astype(bool)]
    alpha = significance_level(settings)
    out = []
    for (eid, indicator), prim in kpi.groupby(["enterprise_id", "indicator"], sort=False):
        own = results[(results["enterprise_id"] == eid) & (results["indicator"] == indicator)]
        by_method = {m: r for m, r in zip(own["method"], own.to_dict("records"), strict=True)}
        primary = prim.iloc[0]
        sign = (change_sign(primary["estimate"], primary["estimate_scale"])
                if primary["status"] == "ok" else np.nan)
        rows = []
        for method, role in _roles(primary["method"]):
            row = by_method.get(method)
            if row is None:
                continue
            own_sign = (change_sign(row["estimate"], row["estimate_scale"])
                        if row["status"] == "ok" else np.nan)
            same = (pd.NA if role == "primary" or not (np.isfinite(sign)
                                                         and np.isfinite(own_sign))
                    else bool(own_sign == sign))
            rows.append({"enterprise_id": eid, "indicator": indicator, "method": method,
                         "role": role, "status": row["status"],
                         **{c: row.get(c, np.nan) for c in _NUMBERS}, "same_sign": same})
        counted = [r["same_sign"] for r in rows if r["role"] == "sensitivity"
                   and r["same_sign"] is not pd.NA]
        consistent = all(counted) if counted else pd.NA
        placebo = by_method.get(PLACEBO)
        warning = bool(placebo is not None and placebo["status"] == "ok"
                       and np.isfinite(placebo["p_value"]) and placebo["p_value"] < alpha)
        for r in rows:
            r.update(consistent=consistent, placebo_warning=warning)
        out += rows
    frame = pd.DataFrame(out, columns=list(ROBUSTNESS_COLUMNS))
    for col in ("same_sign", "consistent"):
        frame[col] = frame[col].astype("boolean")
    frame["placebo_warning"] = frame["placebo_warning"].astype(bool)
    return frame


def robustness_verdicts(results: pd.DataFrame, *,
                        settings: AnalysisSettings = PLAN) -> pd.DataFrame:
    """One row per monthly indicator: its primary, how many sensitivity estimates could be
    computed and how many point its way, ``consistent`` and the placebo warning (with the
    placebo's p).  Columns :data:`VERDICT_COLUMNS`; see :func:`robustness_table`."""
    table = robustness_table(results, settings=settings)
    rows = []
    for (eid, indicator), own in table.groupby(["enterprise_id", "indicator"], sort=False):
        primary = own[own["role"] == "primary"].iloc[0]
        sens = own[(own["role"] == "sensitivity") & own["same_sign"].notna()]
        placebo = own[own["role"] == "placebo"]
        rows.append({
            "enterprise_id": eid, "indicator": indicator, "primary_method": primary["method"],
            "primary_status": primary["status"], "primary_estimate": primary["estimate"],
            "n_sensitivity": len(sens), "n_same_sign": int(sens["same_sign"].sum()),
            "consistent": primary["consistent"],
            "placebo_p": (float(placebo["p_value"].iloc[0])
                          if len(placebo) and placebo["status"].iloc[0] == "ok" else np.nan),
            "placebo_warning": bool(primary["placebo_warning"]),
        })
    frame = pd.DataFrame(rows, columns=list(VERDICT_COLUMNS))
    frame["consistent"] = frame["consistent"].astype("boolean")
    return frame
