"""The analysis's answers that the pages show as they are: "How robust is this?" per
monthly indicator (:mod:`score_analysis.stats.robustness`, the rule of analysis plan
version 3) and the risk of bias (:mod:`score_analysis.stats.risk_of_bias`), read, never
judged again here.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ..settings import PLAN, AnalysisSettings
from ..stats.robustness import robustness_table
from .loading import result_row


@dataclass(frozen=True)
class RobustRow:
    """One row of "How robust is this?": the results row, whether it is the primary,
    whether it counts in the verdict (a sensitivity estimate) and, when it counts and has
    an estimate, whether it has the primary's sign."""

    row: pd.Series
    primary: bool
    counted: bool
    agrees: bool | None


@dataclass(frozen=True)
class Robustness:
    """The robustness answer of one monthly indicator."""

    indicator: str
    rows: tuple[RobustRow, ...]
    #: sensitivity estimates that could be compared with the primary, and those with its sign
    counted: int
    agreeing: int
    #: every compared sensitivity estimate has the primary's sign (None: none compared)
    consistent: bool | None
    placebo_p: float | None
    placebo_unstable: bool


def _value(v):
    return None if v is pd.NA or v is None or (isinstance(v, float) and v != v) else v


def robustness(results: pd.DataFrame, indicator: str,
               settings: AnalysisSettings = PLAN) -> Robustness | None:
    """The robustness answer of one monthly indicator of one enterprise, None when its
    primary row has no estimate (nothing to check)."""
    if results.empty:
        return None
    own = results[results["indicator"] == indicator]
    table = robustness_table(own, settings=settings)
    if table.empty:
        return None
    primary = table[table["role"] == "primary"].iloc[0]
    if primary["status"] != "ok":
        return None
    rows = []
    for r in table.itertuples(index=False):
        if r.method == primary["method"] and r.role != "primary":
            continue  # a short series: the naive step is the primary itself
        full = result_row(own, indicator, r.method)
        counted = r.role == "sensitivity"
        rows.append(RobustRow(full, r.role == "primary", counted,
                              _value(r.same_sign) if counted else None))
    compared = [x.agrees for x in rows if x.counted and x.agrees is not None]
    placebo = table[table["role"] == "placebo"]
    placebo_p = (float(placebo["p_value"].iloc[0]) if len(placebo)
                 and placebo["status"].iloc[0] == "ok" and placebo["p_value"].notna().iloc[0]
                 else None)
    consistent = _value(primary["consistent"])
    return Robustness(indicator, tuple(rows), len(compared), sum(bool(x) for x in compared),
                      None if consistent is None else bool(consistent), placebo_p,
                      bool(primary["placebo_warning"]))
