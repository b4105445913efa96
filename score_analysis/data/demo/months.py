"""The simulated calendar: months, working days, Lebaran months and the pilot's milestones.

**Milestones.**  training 2010-03-22, visit_1 2010-10-14, visit_2 2010-11-09,
visit_3 2010-12-06 (the first day of each factory-visit window of the pilot) and
final_workshop 2011-01-27 (assumed; the pilot's schedule gives no date).  Synthetic
enterprises' dates shift by the number of months between their intervention
month and 2010-04.
"""

from __future__ import annotations

import calendar
import datetime as dt

import numpy as np

from ..eid import eid_months

#: First and last month of the simulated KPI series.
FIRST_MONTH = "2009-01"
LAST_MONTH = "2011-01"

#: Milestones of the pilot (docs/demo_data.md), for an intervention month of 2010-04.
MILESTONE_DATES: tuple[tuple[str, str], ...] = (
    ("training", "2010-03-22"),
    ("visit_1", "2010-10-14"),
    ("visit_2", "2010-11-09"),
    ("visit_3", "2010-12-06"),
    ("final_workshop", "2011-01-27"),
)

PILOT_INTERVENTION = "2010-04"
VISITS = ("visit_1", "visit_2", "visit_3")


def month_number(month: str) -> int:
    """``YYYY-MM`` as a running month number (year * 12 + month - 1)."""
    return int(month[:4]) * 12 + int(month[5:7]) - 1


def month_text(number: int) -> str:
    year, month0 = divmod(number, 12)
    return f"{year:04d}-{month0 + 1:02d}"


def shift_date(date: str, months: int) -> str:
    """Move a ``YYYY-MM-DD`` date by whole months (day clamped to the month's length)."""
    year, month0 = divmod(month_number(date[:7]) + months, 12)
    day = min(int(date[8:10]), calendar.monthrange(year, month0 + 1)[1])
    return dt.date(year, month0 + 1, day).isoformat()


MONTHS: tuple[str, ...] = tuple(
    month_text(n) for n in range(month_number(FIRST_MONTH), month_number(LAST_MONTH) + 1)
)
N_MONTHS = len(MONTHS)


def _calendar() -> dict[str, np.ndarray]:
    """Per-month calendar arrays shared by all enterprises."""
    starts = np.array([f"{m}-01" for m in MONTHS], dtype="datetime64[D]")
    ends = np.array(
        [f"{month_text(month_number(m) + 1)}-01" for m in MONTHS], dtype="datetime64[D]"
    )
    eid_set = eid_months()
    eid = np.array([m in eid_set for m in MONTHS])
    after_eid = np.array([month_text(month_number(m) - 1) in eid_set for m in MONTHS])
    before_eid = np.array([month_text(month_number(m) + 1) in eid_set for m in MONTHS])
    return {
        "days5": np.busday_count(starts, ends, weekmask="1111100").astype(float),
        "days6": np.busday_count(starts, ends, weekmask="1111110").astype(float),
        "eid": eid,
        "after_eid": after_eid,
        "before_eid": before_eid,
    }


CAL = _calendar()


def milestone_dates(intervention_month: str) -> dict[str, str]:
    """The milestones of an enterprise whose programme starts in ``intervention_month``:
    the pilot's dates shifted by whole months."""
    shift = month_number(intervention_month) - month_number(PILOT_INTERVENTION)
    return {name: shift_date(date, shift) for name, date in MILESTONE_DATES}


def visit_dates(intervention_month: str, baseline_day: int) -> dict[str, str]:
    """The dates of the trainers' visits: ``baseline`` (day ``baseline_day`` of the training
    month, clamped to the month's length: the baseline 5S audit and implementation
    record), ``visit_1``, ``visit_2``, ``visit_3`` and ``final_workshop``."""
    milestones = milestone_dates(intervention_month)
    training = milestones["training"]
    last_day = calendar.monthrange(int(training[:4]), int(training[5:7]))[1]
    baseline = f"{training[:7]}-{min(baseline_day, last_day):02d}"
    return {"baseline": baseline, **{v: milestones[v] for v in (*VISITS, "final_workshop")}}
