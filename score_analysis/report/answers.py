"""The analysis's answers that the pages show as they are: "How robust is this?" per
monthly indicator, read from the results rows (never re-estimated).

:func:`robustness` gathers the rows of one indicator's robustness table and the verdict of
analysis plan version 3: the primary estimate is *consistent* when every estimated
sensitivity row (seasons, phase-in, without the Lebaran months and, when the primary is the
controlled estimate, the single series) has the primary's sign; the naive step and the
placebo are shown but not counted; the placebo warns when its p is below the plan's alpha.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ..settings import PLAN, AnalysisSettings
from .loading import result_row
from .wording.changes import finite, ratio_sign
from .wording.robustness import ROBUSTNESS_METHODS

#: Rows shown in "How robust is this?" but never counted in its verdict.
NOT_COUNTED = ("placebo_effect_end", "rate_ratio_step")


@dataclass(frozen=True)
class RobustRow:
    """One row of "How robust is this?": the results row, whether it is the primary,
    whether it counts in the verdict and, when it does and is estimated, whether it has the
    primary's sign."""

    row: pd.Series
    primary: bool
    counted: bool
    agrees: bool | None


@dataclass(frozen=True)
class Robustness:
    """The robustness answer of one monthly indicator."""

    indicator: str
    rows: tuple[RobustRow, ...]
    #: estimated sensitivity rows counted in the verdict, and those with the primary's sign
    counted: int
    agreeing: int
    placebo_p: float | None
    placebo_unstable: bool

    @property
    def consistent(self) -> bool | None:
        """Every counted sensitivity estimate has the primary's sign (None: none counted)."""
        return None if self.counted == 0 else self.agreeing == self.counted


def _estimated(row: pd.Series | None) -> bool:
    return row is not None and row["status"] == "ok" and finite(row["estimate"])


def robustness(results: pd.DataFrame, indicator: str,
               settings: AnalysisSettings = PLAN) -> Robustness | None:
    """The robustness answer of one monthly indicator, None when its primary row is not an
    estimated effect at the last month (nothing to check)."""
    prim = results[(results["indicator"] == indicator) & results["primary"].astype(bool)] \
        if not results.empty else results
    if prim.empty or not _estimated(prim.iloc[0]) \
            or prim.iloc[0]["method"] not in ("its_effect_end", "cits_effect_end"):
        return None
    primary = prim.iloc[0]
    sign = ratio_sign(primary["estimate"])
    rows, counted, agreeing = [], 0, 0
    for method in ROBUSTNESS_METHODS:
        r = result_row(results, indicator, method)
        if r is None:
            continue
        is_primary = method == primary["method"]
        counts = not is_primary and method not in NOT_COUNTED
        agrees = None
        if counts and _estimated(r):
            agrees = ratio_sign(r["estimate"]) == sign
            counted += 1
            agreeing += int(agrees)
        rows.append(RobustRow(r, is_primary, counts, agrees))
    placebo = result_row(results, indicator, "placebo_effect_end")
    placebo_p = (float(placebo["p_value"]) if _estimated(placebo)
                 and finite(placebo["p_value"]) else None)
    return Robustness(indicator, tuple(rows), counted, agreeing, placebo_p,
                      placebo_p is not None and placebo_p < settings.alpha)
