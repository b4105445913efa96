"""Idul Fitri (1 Syawal) dates in Indonesia, 1990-2035.

Lebaran is the main holiday of the Indonesian year: factories close for
several days around it and absenteeism peaks, so the KPI models of the
analysis plan (docs/analysis_plan.md) carry an indicator ``eid`` = 1 for the calendar month
that contains 1 Syawal.

The dates are the ones set by the Indonesian Ministry of Religious Affairs
(sidang isbat) where known, otherwise the Umm al-Qura / astronomical date; the
two never differ by more than a day, and only the *month* is used by the
models.  Years in which 1 Syawal falls twice in the Gregorian year (2000, 2033)
have two entries.
"""

from __future__ import annotations

import datetime as _dt
import re as _re

#: 1 Syawal dates, as (year, month, day).
IDUL_FITRI: tuple[tuple[int, int, int], ...] = (
    (1990, 4, 26),
    (1991, 4, 16),
    (1992, 4, 5),
    (1993, 3, 25),
    (1994, 3, 14),
    (1995, 3, 3),
    (1996, 2, 21),
    (1997, 2, 9),
    (1998, 1, 30),
    (1999, 1, 19),
    (2000, 1, 8),
    (2000, 12, 27),
    (2001, 12, 16),
    (2002, 12, 6),
    (2003, 11, 25),
    (2004, 11, 14),
    (2005, 11, 3),
    (2006, 10, 24),
    (2007, 10, 13),
    (2008, 10, 1),
    (2009, 9, 20),
    (2010, 9, 10),
    (2011, 8, 30),
    (2012, 8, 19),
    (2013, 8, 8),
    (2014, 7, 28),
    (2015, 7, 17),
    (2016, 7, 6),
    (2017, 6, 25),
    (2018, 6, 15),
    (2019, 6, 5),
    (2020, 5, 24),
    (2021, 5, 13),
    (2022, 5, 2),
    (2023, 4, 22),
    (2024, 4, 10),
    (2025, 3, 31),
    (2026, 3, 21),
    (2027, 3, 10),
    (2028, 2, 27),
    (2029, 2, 14),
    (2030, 2, 5),
    (2031, 1, 25),
    (2032, 1, 14),
    (2033, 1, 2),
    (2033, 12, 23),
    (2034, 12, 12),
    (2035, 12, 1),
)

FIRST_YEAR = 1990
LAST_YEAR = 2035
_MONTH = _re.compile(r"\d{4}-(0[1-9]|1[0-2])")


def idul_fitri_dates() -> list[_dt.date]:
    """Return every 1 Syawal date of the table, oldest first."""
    return [_dt.date(y, m, d) for y, m, d in IDUL_FITRI]


def eid_months() -> frozenset[str]:
    """Return the set of ``YYYY-MM`` months that contain 1 Syawal."""
    return frozenset(f"{y:04d}-{m:02d}" for y, m, _ in IDUL_FITRI)


def is_eid_month(month: str) -> bool:
    """Whether the ``YYYY-MM`` month contains Idul Fitri.

    Raises
    ------
    ValueError
        If the month is not written ``YYYY-MM`` or lies outside the table (1990-2035).
    """
    if not isinstance(month, str) or not _MONTH.fullmatch(month):
        raise ValueError(f"month must be written YYYY-MM, got {month!r}")
    year = int(month[:4])
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValueError(
            f"month {month!r} is outside the Idul Fitri table ({FIRST_YEAR}-{LAST_YEAR})"
        )
    return month in eid_months()
