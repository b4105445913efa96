"""Changes in words: rate ratios as percentage changes, intervals, rates in their units.

A rate ratio ``RR`` reads as a fall of ``(1 - RR) * 100`` percent below 1 and a rise of
``(RR - 1) * 100`` percent above it; from a doubling on as a multiple (``2.9-fold``).
Rates are always shown in the indicator's own unit (``3.08%``, ``0.198 per 100 workers
per month``), never as a bare ratio.
"""

from __future__ import annotations

import math

import numpy as np

from ...i18n import gettext as _
from ..formatting import fmt, missing, percent, times, with_unit


def finite(value: object) -> bool:
    """Whether ``value`` is a finite number."""
    if missing(value):
        return False
    try:
        return math.isfinite(float(value))
    except (TypeError, ValueError):
        return False


def ratio_sign(ratio: object) -> int:
    """-1 below 1, +1 above 1, 0 at 1 or without a usable ratio (a ratio's direction)."""
    if missing(ratio):
        return 0
    v = float(ratio)
    if not v > 0 or math.isnan(v):
        return 0
    return int(np.sign(math.log(v))) if math.isfinite(v) else 1


def ratio_change(ratio: object) -> str:
    """A rate ratio as a change people read: ``0.66`` → ``34% fall``, ``1.4`` → ``40% rise``.

    ``(1 - ratio) * 100`` percent fall below 1, ``(ratio - 1) * 100`` percent rise
    above it; from a doubling on, ``"2.9-fold rise"``.
    """
    if not finite(ratio) or float(ratio) <= 0:
        return _("no estimate")
    ratio = float(ratio)
    if ratio < 1:
        return _("{pct} fall").format(pct=amount(ratio))
    if ratio >= 2:
        return _("{times}-fold rise").format(times=_("over 100") if ratio > 100
                                              else times(ratio))
    if ratio == 1:
        return _("no change")
    return _("{pct} rise").format(pct=amount(ratio))


def amount(ratio: float) -> str:
    """The size of a change without its direction (``34%``, ``2.9-fold``)."""
    ratio = float(ratio)
    if ratio < 1:
        fall = (1 - ratio) * 100
        return _("over 99%") if fall > 99 else percent(fall)
    if ratio >= 2:
        return _("{times}-fold").format(times=_("over 100") if ratio > 100 else times(ratio))
    return percent((ratio - 1) * 100)


def ratio_interval(low: object, high: object) -> str:
    """A rate-ratio confidence interval in words: ``21% to 45% fall`` or
    ``43% fall to 4.0% rise``."""
    if not (finite(low) and finite(high)):
        return ""
    low, high = float(low), float(high)
    if high < 1:  # both falls: the smaller fall first
        return _("{a} to {b} fall").format(a=amount(high), b=amount(low))
    if low > 1:
        return _("{a} to {b} rise").format(a=amount(low), b=amount(high))
    return _("{a} to {b}").format(a=ratio_change(low), b=ratio_change(high))


def rate_text(value: object, unit: str) -> str:
    """A rate in its unit (``3.08%``, ``0.198 per 100 workers per month``); ``none`` for a
    rate of 0 (no event recorded); blank when missing."""
    if missing(value):
        return ""
    if float(value) == 0:
        return _("none")
    return with_unit(value, unit)


def times_text(ratio: object) -> str:
    """A ratio as a multiple: ``×15``, ``×2.9``, ``×0.41``."""
    if not finite(ratio):
        return ""
    ratio = float(ratio)
    return "×" + (times(ratio) if ratio >= 1 else fmt(ratio, 2))


def exact_change(row) -> str:
    """The estimate of a ``rate_ratio_exact`` row in words, never ``×inf``: a finite ratio
    with its exact interval (``×20, exact 95% CI ×7.3 to ×71``); with no event before (an
    infinite ratio) only the exact lower limit (``at least ×15, the exact lower limit``) or,
    when that limit is below 1, the interval from it upwards."""
    est, low, high = row["estimate"], row["ci_low"], row["ci_high"]
    if finite(est):
        interval = (_("exact 95% CI {low} to {high}").format(low=times_text(low),
                                                           high=times_text(high))
                    if finite(low) and finite(high) else
                    _("exact 95% CI from {low}").format(low=times_text(low)) if finite(low)
                    else "")
        return times_text(est) + (", " + interval if interval else "")
    if finite(low) and float(low) >= 1:
        return _("at least {low}, the exact lower limit").format(low=times_text(low))
    if finite(low) and float(low) > 0:
        return _("no finite ratio; exact 95% CI from {low} upwards").format(
            low=times_text(low))
    return _("no finite estimate")


def exact_short(row) -> str:
    """The estimate of a ``rate_ratio_exact`` row for a table cell: ``×20``, or ``≥ ×15`` (the
    exact lower limit) when no event was recorded before."""
    if finite(row["estimate"]):
        return times_text(row["estimate"])
    if finite(row["ci_low"]) and float(row["ci_low"]) >= 1:
        return "≥ " + times_text(row["ci_low"])
    return "∞"
