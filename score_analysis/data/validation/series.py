"""Checks of each enterprise's monthly series.

Errors, because each would otherwise be read silently as another month: a month more
than 12 months away from the rest of its enterprise's months (a typed year: ``2001-04``
among 2009-2011), and an intervention month more than 12 months away from its
enterprise's monthly records.  Warnings, when the data are otherwise valid: an
enterprise without monthly rows, a month missing inside a series, and an implausible
jump of a count against its exposure.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..contract import MONTH_GAP, PROGRAMME, TABLES, RuleCode, Table
from ..findings import WARNING, Finding
from ..readers import ROW
from .rules import shown
from .suggestions import year_suggestion

#: A monthly rate more than this many times away from the enterprise's median rate for
#: the indicator is flagged as an implausible jump (a warning).
JUMP_FACTOR = 5.0
#: ... but only for counts whose median monthly value is at least this: small counts
#: (accidents, separations) swing by chance alone.
JUMP_MIN_COUNT = 20


def _index(months: pd.Series) -> pd.Series:
    """``YYYY-MM`` as a count of months."""
    return months.str.slice(0, 4).astype(int) * 12 + months.str.slice(5, 7).astype(int) - 1


def main_months(months: pd.Series) -> list[str]:
    """An enterprise's months without those more than :data:`MONTH_GAP` months away from
    the rest: the largest run of months whose gaps are at most that (the later one of two
    of the same size)."""
    unique = sorted(set(months.dropna()))
    if not unique:
        return []
    index = _index(pd.Series(unique)).tolist()
    runs, current = [], [unique[0]]
    for k in range(1, len(unique)):
        if index[k] - index[k - 1] > MONTH_GAP:
            runs.append(current)
            current = []
        current.append(unique[k])
    runs.append(current)
    return max(reversed(runs), key=len)


def check_months_apart(typed: pd.DataFrame, spec: Table, source: str,
                       findings: list[Finding]) -> None:
    """Each month far from the rest of its enterprise's months is an error on its cell."""
    month = spec.series.month if spec.series else None
    if month is None:
        return
    valid = typed.dropna(subset=["enterprise_id", month])
    for eid, group in valid.groupby("enterprise_id", sort=True):
        main = main_months(group[month])
        apart = group[~group[month].isin(main)]
        if apart.empty:
            continue
        main_index = _index(pd.Series(main))
        for idx in apart.index:
            m = str(group.at[idx, month])
            i = int(_index(pd.Series([m])).iloc[0])
            suggestion = year_suggestion(m, main)
            months = (abs(int(_index(pd.Series([suggestion])).iloc[0]) - i) if suggestion
                      else int((main_index - i).abs().min()))
            findings.append(Finding(
                file=source, row=int(group.at[idx, ROW]), column=month, value=m,
                rule=RuleCode.MONTH_APART, enterprise_id=str(eid),
                params={"month": m, "months": months, "before": bool(i < main_index.min()),
                        **({"suggestion": suggestion} if suggestion else {})}))


def check_start_apart(tables: dict[str, pd.DataFrame], sources: dict[str, str],
                      findings: list[Finding]) -> None:
    """A programme enterprise whose first month "after" lies more than :data:`MONTH_GAP`
    months before or after its monthly records is an error on that cell."""
    for name, frame in tables.items():
        series = TABLES[name].series
        if series is None or series.start[0] not in tables:
            continue
        starts_table, start_column = series.start
        ents = tables[starts_table]
        by_enterprise = {eid: main_months(g[series.month])
                         for eid, g in frame.dropna(subset=["enterprise_id", series.month])
                         .groupby("enterprise_id")}
        programme = ents[(ents.get("role", PROGRAMME) == PROGRAMME)
                         & ents[start_column].notna()]
        for _, ent in programme.iterrows():
            months = by_enterprise.get(ent["enterprise_id"])
            if not months:
                continue
            start = str(ent[start_column])
            i = int(_index(pd.Series([start])).iloc[0])
            first, last = _index(pd.Series([months[0], months[-1]])).tolist()
            if first - MONTH_GAP <= i <= last + MONTH_GAP:
                continue
            distance = first - i if i < first else i - last
            findings.append(Finding(
                file=sources[starts_table], row=int(ent[ROW]), column=start_column,
                value=start, rule=RuleCode.START_APART, enterprise_id=str(ent["enterprise_id"]),
                params={"months": distance, "before": bool(i < first), "first": months[0],
                        "last": months[-1]}))


def warn_series(tables: dict[str, pd.DataFrame], sources: dict[str, str],
                findings: list[Finding]) -> None:
    """Warnings on valid data: enterprises without monthly rows, months missing inside a
    series, implausible month-to-month jumps."""
    for name, frame in tables.items():
        spec = TABLES[name]
        if spec.series is None:
            continue
        month = spec.series.month
        src = sources[name]
        starts_table = spec.series.start[0]
        series = frame.dropna(subset=["enterprise_id", month])
        if starts_table in tables:
            listed = set(tables[starts_table]["enterprise_id"].dropna())
            for eid in sorted(listed - set(series["enterprise_id"])):
                findings.append(Finding(file=src, column="enterprise_id", value=eid,
                                        rule=RuleCode.NO_KPI_ROWS, severity=WARNING,
                                        enterprise_id=eid))
        for eid, group in series.groupby("enterprise_id", sort=True):
            months = pd.PeriodIndex(sorted(group[month]), freq="M")
            full = pd.period_range(months.min(), months.max(), freq="M")
            for m in full.difference(months):
                findings.append(Finding(file=src, column=month, value=str(m),
                                        rule=RuleCode.MISSING_MONTH, severity=WARNING,
                                        params={"enterprise": str(eid), "month": str(m)},
                                        enterprise_id=str(eid)))
            _warn_jumps(group, spec, src, str(eid), findings)


def _warn_jumps(group: pd.DataFrame, spec: Table, source: str, eid: str,
                findings: list[Finding]) -> None:
    for col in spec.columns:
        if not col.per or col.name not in group or col.per not in group:
            continue
        num, exp = group[col.name].astype(float), group[col.per].astype(float)
        rate = num / exp.where(exp > 0)
        med = rate.median()
        if (not np.isfinite(med) or med <= 0 or rate.notna().sum() < 6
                or not num.median() >= JUMP_MIN_COUNT):
            continue
        jump = ((rate > med * JUMP_FACTOR) | (rate < med / JUMP_FACTOR)).fillna(False)
        for idx in group.index[jump.to_numpy()]:
            findings.append(Finding(
                file=source, row=int(group.at[idx, ROW]), column=col.name,
                value=shown(group.at[idx, col.name]), rule=RuleCode.IMPLAUSIBLE_JUMP,
                severity=WARNING, enterprise_id=eid,
                params={"column": col.name, "per": col.per, "rate": float(f"{rate[idx]:.3g}"),
                        "median": float(f"{med:.3g}"), "factor": float(JUMP_FACTOR)}))
