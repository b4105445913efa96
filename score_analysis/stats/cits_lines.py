r"""Chart data of the controlled interrupted time series (docs/analysis_plan.md, plan
version 3): the comparison series scaled to a programme enterprise's level before the
programme, beside the enterprise's own monthly values.

Only numpy and pandas (no statistics library): the report pages draw these lines from the
processed monthly indicators.  The model and its rows are in :mod:`.cits`.

References
----------
Lopez Bernal J, Cummins S, Gasparrini A (2018). The use of controls in interrupted time
series studies of public health interventions. Int J Epidemiol 47(6):2082-2093.
doi:10.1093/ije/dyy135.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .cits_data import CitsPanel, ControlledData, month_text

__all__ = ["CHART_COLUMNS", "check_multiplier", "comparison_charts", "comparison_lines"]

#: Columns of :func:`comparison_lines`.
CHART_COLUMNS = ("month", "observed", "comparison", "comparison_unscaled")


def check_multiplier(multiplier: float) -> None:
    """Raise ValueError unless ``multiplier`` (the scale of a rate, e.g. 100 for %) is a
    positive finite number."""
    if not np.isfinite(multiplier) or multiplier <= 0:
        raise ValueError(f"multiplier must be a positive number, got {multiplier}")


# --------------------------------------------------------------------------- chart


def comparison_lines(monthly: pd.DataFrame, enterprises: pd.DataFrame, enterprise_id: str,
                     indicator: str, *, multiplier: float = 1.0) -> pd.DataFrame:
    r"""Chart data: ``e``'s monthly values beside the comparison series scaled to ``e``'s
    level before the programme.

    The comparison rate :math:`r^c_m = y^c_m / E^c_m` (:func:`comparison_series`) is
    multiplied by

    .. math::

        k = \frac{\sum_{m<t_0} y^e_m / \sum_{m<t_0} E^e_m}
                 {\sum_{m<t_0} y^c_m / \sum_{m<t_0} E^c_m},

    the ratio of the two pooled rates over the months before the programme in which both
    series are present, so that the two lines start at the same level and a reader sees
    whether they part after the start.  Values are rates times ``multiplier``.  When no
    month before the programme has both series (or the comparison has no event there),
    ``comparison`` is empty and ``comparison_unscaled`` still given.
    R: ``k <- with(subset(stacked, post == 0), (sum(numerator[s == 1]) /
    sum(exposure[s == 1])) / (sum(numerator[s == 0]) / sum(exposure[s == 0])))``.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`CHART_COLUMNS`, one row per month of ``e`` in which ``e`` or the
        comparison series has a value for the indicator; ``observed`` is ``e``'s value
        (empty where ``e`` has none).  Empty when the pool is empty.

    References
    ----------
    Lopez Bernal, Cummins & Gasparrini (2018) Int J Epidemiol 47(6):2082-2093, Fig. 1.
    """
    check_multiplier(multiplier)
    return _lines(CitsPanel(monthly, enterprises).data(enterprise_id, indicator), multiplier)


def comparison_charts(monthly: pd.DataFrame, enterprises: pd.DataFrame, enterprise_id: str, *,
                      multipliers: dict[str, float]) -> pd.DataFrame:
    """:func:`comparison_lines` of every indicator of ``multipliers`` (name: multiplier),
    reading the tables once: one frame with the columns ``indicator`` and
    :data:`CHART_COLUMNS` (no rows for an indicator without comparison series)."""
    for multiplier in multipliers.values():
        check_multiplier(multiplier)
    panel = CitsPanel(monthly, enterprises)
    parts = [(name, _line_arrays(panel.data(enterprise_id, name), multiplier))
             for name, multiplier in multipliers.items()]
    parts = [(name, cols) for name, cols in parts if cols is not None]
    columns = {"indicator": np.concatenate([np.full(len(c["month"]), name, dtype=object)
                                            for name, c in parts] or [np.empty(0, object)])}
    for key in CHART_COLUMNS:
        columns[key] = np.concatenate([c[key] for _, c in parts]
                                      or [np.empty(0, object if key == "month" else float)])
    return pd.DataFrame(columns)


def _lines(setup: ControlledData, multiplier: float) -> pd.DataFrame:
    cols = _line_arrays(setup, multiplier)
    if cols is None:
        return pd.DataFrame({c: pd.Series(dtype=object if c == "month" else float)
                             for c in CHART_COLUMNS})
    return pd.DataFrame(cols)


def _line_arrays(setup: ControlledData, multiplier: float) -> dict[str, np.ndarray] | None:
    """The columns of :func:`comparison_lines` as arrays (None: no comparison series)."""
    comp, own = setup.comparison, setup.own
    if comp is None:
        return None
    cols = setup.stacked()
    before = cols["post"] == 0
    own_b, comp_b = before & (cols["s"] == 1), before & (cols["s"] == 0)
    num, exp_ = cols["numerator"], cols["exposure"]
    scale = np.nan
    if own_b.any() and num[comp_b].sum() > 0:
        scale = ((num[own_b].sum() / exp_[own_b].sum())
                 / (num[comp_b].sum() / exp_[comp_b].sum()))
    months = np.union1d(own.month, comp.month)
    observed = np.full(len(months), np.nan)
    observed[np.searchsorted(months, own.month)] = own.numerator / own.exposure * multiplier
    unscaled = np.full(len(months), np.nan)
    unscaled[np.searchsorted(months, comp.month)] = comp.numerator / comp.exposure * multiplier
    return {"month": np.array([month_text(int(m)) for m in months], dtype=object),
            "observed": observed, "comparison": unscaled * scale,
            "comparison_unscaled": unscaled}
