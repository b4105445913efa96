"""The Idul Fitri table (docs/analysis_plan.md §2.1: a dated table covering 1990-2035)."""

from __future__ import annotations

import datetime as dt

import pytest

from score_analysis.data.eid import (
    FIRST_YEAR,
    IDUL_FITRI,
    LAST_YEAR,
    eid_months,
    idul_fitri_dates,
    is_eid_month,
)


def test_table_covers_every_year_in_order():
    dates = idul_fitri_dates()
    assert dates == sorted(dates)
    years = [d.year for d in dates]
    assert set(years) == set(range(FIRST_YEAR, LAST_YEAR + 1))
    # 1 Syawal falls twice in a Gregorian year about every 33 years
    assert [y for y in set(years) if years.count(y) == 2] == [2000, 2033]


def test_lunar_year_spacing():
    """Consecutive 1 Syawal dates are one lunar year (354 or 355 days, +-1 for sighting)."""
    dates = idul_fitri_dates()
    gaps = {(b - a).days for a, b in zip(dates, dates[1:], strict=False)}
    assert gaps <= {353, 354, 355, 356}


@pytest.mark.parametrize("date", [
    # dates set by the Indonesian Ministry of Religious Affairs (sidang isbat)
    dt.date(2009, 9, 20), dt.date(2010, 9, 10), dt.date(2006, 10, 24), dt.date(2024, 4, 10),
])
def test_known_dates(date):
    assert date in idul_fitri_dates()


def test_months():
    months = eid_months()
    assert {"2009-09", "2010-09", "2000-01", "2000-12"} <= months
    assert len(months) == len(IDUL_FITRI)
    assert is_eid_month("2010-09") and not is_eid_month("2010-10")


@pytest.mark.parametrize("month", ["1989-12", "2036-01"])
def test_outside_the_table_raises(month):
    with pytest.raises(ValueError, match="outside the Idul Fitri table"):
        is_eid_month(month)


@pytest.mark.parametrize("month", ["2010-13", "2010/09", 201009, None])
def test_malformed_month_raises(month):
    with pytest.raises(ValueError, match="YYYY-MM"):
        is_eid_month(month)


def test_agrees_with_the_umm_al_qura_calendar():
    """An independent calendar: hijridate's Umm al-Qura tables (Saudi Arabia).

    Indonesia's sidang isbat fixes 1 Syawal on the same day as Umm al-Qura or up to two
    days later (moon sighting from Indonesia); in every year of the table the *month*,
    which is all the models use, is the same.
    """
    from hijridate import Gregorian, Hijri

    for date in idul_fitri_dates():
        hijri_year = Gregorian(date.year, date.month, date.day).to_hijri().year
        g = Hijri(hijri_year, 10, 1).to_gregorian()
        reference = dt.date(g.year, g.month, g.day)
        assert 0 <= (date - reference).days <= 2, (date, reference)
        assert (date.year, date.month) == (reference.year, reference.month), date
