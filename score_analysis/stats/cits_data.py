r"""The data of the controlled interrupted time series (docs/analysis_plan.md, plan version 3):
the comparison pool of a programme enterprise, the comparison series and the stacked rows
the model uses.  The model and the results rows are in :mod:`.cits_fit` and :mod:`.cits`.

References
----------
Lopez Bernal J, Cummins S, Gasparrini A (2018). The use of controls in interrupted time
series studies of public health interventions. Int J Epidemiol 47(6):2082-2093.
doi:10.1093/ije/dyy135.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

#: Columns of :func:`comparison_series`.
COMPARISON_COLUMNS = ("month", "numerator", "exposure", "rate", "n_members")

#: Columns of :func:`stacked_model_data` (the rows the controlled model uses).
STACKED_COLUMNS = ("month", "s", "t", "post", "t_after", "numerator", "exposure", "rate")

_ROLES = ("programme", "comparison")
_MONTH = re.compile(r"\d{4}-(0[1-9]|1[0-2])")
_MONTHLY_NEEDS = ("enterprise_id", "indicator", "month", "numerator", "exposure")


def _month_number(month: object, what: str) -> int:
    if not isinstance(month, str) or not _MONTH.fullmatch(month):
        raise ValueError(f"{what} must be a month written YYYY-MM, got {month!r}")
    return int(month[:4]) * 12 + int(month[5:7]) - 1


def month_text(number: int) -> str:
    """``YYYY-MM`` of a month number ``year * 12 + month - 1``."""
    return f"{number // 12:04d}-{number % 12 + 1:02d}"


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, float) and np.isnan(value)) or (
        isinstance(value, str) and not value.strip()) or value is pd.NA


def enterprise_roles(enterprises: pd.DataFrame) -> pd.Series:
    """The role of every enterprise, ``programme`` or ``comparison``, indexed by
    ``enterprise_id``.

    A blank ``role``, or a table without the column, means ``programme``
    (docs/data_contract.md).

    Raises
    ------
    ValueError
        When ``enterprise_id`` is missing or repeated, or a role is another word.
    """
    if not isinstance(enterprises, pd.DataFrame):
        raise ValueError(f"enterprises must be a pandas DataFrame, got "
                         f"{type(enterprises).__name__}")
    for col in ("enterprise_id", "intervention_month"):
        if col not in enterprises:
            raise ValueError(f"enterprises lacks the column {col!r}")
    ids = enterprises["enterprise_id"]
    if ids.duplicated().any():
        raise ValueError(f"enterprises: enterprise_id {ids[ids.duplicated()].iloc[0]!r} "
                         f"appears more than once")
    raw = enterprises["role"] if "role" in enterprises else pd.Series(
        [None] * len(enterprises), index=enterprises.index, dtype=object)
    roles = []
    for eid, value in zip(ids, raw, strict=True):
        role = "programme" if _blank(value) else str(value).strip()
        if role not in _ROLES:
            raise ValueError(f"enterprises: role of {eid!r} must be programme, comparison or "
                             f"blank, got {value!r}")
        roles.append(role)
    return pd.Series(roles, index=pd.Index(ids.to_numpy(dtype=object), name="enterprise_id"),
                     name="role", dtype=object)


def _starts(enterprises: pd.DataFrame) -> dict:
    """``intervention_month`` by ``enterprise_id`` (as given, unparsed)."""
    return dict(zip(enterprises["enterprise_id"].to_numpy(dtype=object),
                    enterprises["intervention_month"].to_numpy(dtype=object), strict=True))


def _start(starts: dict, enterprise_id: str) -> int:
    return _month_number(starts[enterprise_id],
                         f"intervention_month of programme enterprise {enterprise_id!r}")


def comparison_pool(enterprises: pd.DataFrame, enterprise_id: str, *,
                    last_month: str) -> tuple[str, ...]:
    """The enterprises whose records form the comparison series of ``enterprise_id``.

    The pool of a programme enterprise ``e`` is every enterprise with ``role =
    comparison`` plus every other programme enterprise whose ``intervention_month`` is
    later than ``e``'s last month (``last_month``): one that had not started the
    programme while ``e`` was observed (docs/analysis_plan.md, the controlled interrupted
    time series; Lopez Bernal, Cummins & Gasparrini 2018 call these "not yet treated"
    controls).  An enterprise without any month has no last month and so no pool (the
    analysis functions then give no controlled rows).
    R: ``subset(enterprises, enterprise_id != e & (role == "comparison" |
    intervention_month > last_month))$enterprise_id`` (months as ``YYYY-MM`` text compare
    in time order).

    Parameters
    ----------
    enterprises
        The enterprises table: ``enterprise_id``, ``intervention_month`` and optionally
        ``role`` (blank or absent = programme).
    enterprise_id
        A programme enterprise.
    last_month
        ``e``'s last month (``YYYY-MM``), e.g. its last row in the monthly indicators.

    Returns
    -------
    tuple of str
        The pool's enterprise ids in the order of the table (empty: no comparison group).

    Raises
    ------
    ValueError
        An unknown or comparison ``enterprise_id``, a malformed month, or a programme
        enterprise without a valid ``intervention_month``.
    """
    return _pool(enterprise_roles(enterprises), _starts(enterprises), enterprise_id,
                 _month_number(last_month, "last_month"))


def _pool(roles: pd.Series, starts: dict, enterprise_id: str, last: int) -> tuple[str, ...]:
    if enterprise_id not in roles.index:
        raise ValueError(f"enterprise {enterprise_id!r} is not in the enterprises table")
    if roles[enterprise_id] != "programme":
        raise ValueError(f"enterprise {enterprise_id!r} is a comparison enterprise: only a "
                         f"programme enterprise has a comparison pool")
    return tuple(eid for eid, role in roles.items() if eid != enterprise_id and (
        role == "comparison" or _start(starts, eid) > last))


class _Monthly:
    """The columns of the monthly indicators the controlled analysis uses, as numpy arrays
    (months as numbers ``year * 12 + month - 1``), read once per call."""

    __slots__ = ("ids", "id_code", "id_index", "indicator", "month", "numerator", "exposure",
                 "frame")

    def __init__(self, monthly: pd.DataFrame) -> None:
        if not isinstance(monthly, pd.DataFrame):
            raise ValueError(f"monthly must be a pandas DataFrame, got "
                             f"{type(monthly).__name__}")
        missing = [c for c in _MONTHLY_NEEDS if c not in monthly]
        if missing:
            raise ValueError(f"monthly lacks the column(s) {missing} (see "
                             f"stats.indicators.monthly_indicators)")
        self.frame = monthly
        self.ids = monthly["enterprise_id"].to_numpy(dtype=object)
        self.id_code, id_names = pd.factorize(self.ids)
        self.id_index = {name: k for k, name in enumerate(id_names)}
        self.indicator = monthly["indicator"].to_numpy(dtype=object)
        codes, uniques = pd.factorize(monthly["month"], use_na_sentinel=True)
        numbers = np.empty(len(uniques), dtype=int)
        for k, value in enumerate(uniques):
            if not isinstance(value, str) or not _MONTH.fullmatch(value):
                i = int(np.flatnonzero(codes == k)[0])
                raise ValueError(f"monthly: the month of {self.ids[i]!r} must be written "
                                 f"YYYY-MM, got {value!r}")
            numbers[k] = int(value[:4]) * 12 + int(value[5:7]) - 1
        if (codes < 0).any():
            i = int(np.flatnonzero(codes < 0)[0])
            raise ValueError(f"monthly: a row of {self.ids[i]!r} has no month")
        self.month = numbers[codes]
        self.numerator = pd.to_numeric(monthly["numerator"], errors="coerce").to_numpy(
            dtype=float)
        self.exposure = pd.to_numeric(monthly["exposure"], errors="coerce").to_numpy(
            dtype=float)

    def rows(self, ids, indicator: str) -> _Series:
        """Every row of ``ids`` for ``indicator``, validated, as arrays (unsorted)."""
        codes = [self.id_index[i] for i in ids if i in self.id_index]
        mask = (self.indicator == indicator) & np.isin(self.id_code, codes)
        who, number = self.ids[mask], self.month[mask]
        num, exp_ = self.numerator[mask], self.exposure[mask]
        bad = ~np.isfinite(num) | ~np.isfinite(exp_) | (num < 0) | (exp_ <= 0)
        if bad.any():
            i = int(np.flatnonzero(mask)[np.flatnonzero(bad)[0]])
            raise ValueError(f"monthly: {indicator} of {self.ids[i]!r} in "
                             f"{self.frame['month'].iloc[i]} needs a non-negative numerator "
                             f"and a positive exposure, got "
                             f"{self.frame['numerator'].iloc[i]!r} / "
                             f"{self.frame['exposure'].iloc[i]!r}")
        key = self.id_code[mask].astype(np.int64) * 1_000_000 + number
        if len(np.unique(key)) < len(key):
            _, first = np.unique(key, return_index=True)
            i = int(np.setdiff1d(np.arange(len(key)), first)[0])
            raise ValueError(f"monthly: {indicator} of {who[i]!r} in "
                             f"{month_text(int(number[i]))} appears more than once")
        return _Series(number, num, exp_, who)


class _Series:
    """One enterprise's or the pool's indicator by month number, as numpy arrays."""

    __slots__ = ("month", "numerator", "exposure", "members")

    def __init__(self, month, numerator, exposure, members=None) -> None:
        self.month = month
        self.numerator = numerator
        self.exposure = exposure
        self.members = members


def _summed(rows: _Series) -> _Series:
    """Sum of numerators and of exposures per month, and how many members report."""
    months, inverse = np.unique(rows.month, return_inverse=True)
    num = np.bincount(inverse, weights=rows.numerator, minlength=len(months))
    exp_ = np.bincount(inverse, weights=rows.exposure, minlength=len(months))
    count = np.bincount(inverse, minlength=len(months))
    return _Series(months, num, exp_, count)


def _sorted(rows: _Series) -> _Series:
    order = np.argsort(rows.month, kind="stable")
    return _Series(rows.month[order], rows.numerator[order], rows.exposure[order])


class CitsPanel:
    """The monthly indicators and the enterprises, read once for the controlled analyses
    of many enterprises and indicators (:meth:`data`).

    Parameters
    ----------
    monthly
        The monthly indicators (``enterprise_id``, ``indicator``, ``month``,
        ``numerator``, ``exposure``; other columns are ignored).
    enterprises
        The enterprises table (``enterprise_id``, ``intervention_month``, optional
        ``role``).

    Raises
    ------
    ValueError
        For a missing column, a malformed month or role, or a repeated enterprise.
    """

    def __init__(self, monthly: pd.DataFrame, enterprises: pd.DataFrame) -> None:
        self.table = _Monthly(monthly)
        self.roles = enterprise_roles(enterprises)
        self.starts = _starts(enterprises)

    def data(self, enterprise_id: str, indicator: str) -> ControlledData:
        """The :class:`ControlledData` of one programme enterprise and indicator."""
        return ControlledData(self, enterprise_id, indicator)


class ControlledData:
    """The controlled analysis's data of one programme enterprise ``e`` and indicator:
    ``e``'s calendar (``first``, ``last`` month numbers, ``calendar``), its ``pool``
    (:func:`comparison_pool`), ``t0``, its own series ``own`` and the ``comparison``
    series (``None`` when the pool is empty), months as numbers
    (``year * 12 + month - 1``).  :meth:`stacked` gives the stacked rows as arrays."""

    def __init__(self, panel: CitsPanel, enterprise_id: str, indicator: str) -> None:
        table = panel.table
        months = table.month[table.ids == enterprise_id]
        if not len(months):  # no KPI month at all: no last month, so no pool
            _pool(panel.roles, panel.starts, enterprise_id, 0)  # still checks the id
            empty = np.empty(0)
            self.first = self.last = self.t0 = 0
            self.calendar, self.pool, self.comparison = empty, (), None
            self.own = _Series(empty.astype(int), empty, empty)
            return
        #: e's calendar: its first and last month over every indicator, its months
        self.first, self.last = int(months.min()), int(months.max())
        self.calendar = np.unique(months)
        self.pool = _pool(panel.roles, panel.starts, enterprise_id, self.last)
        self.t0 = _start(panel.starts, enterprise_id) - self.first
        self.own = _sorted(table.rows([enterprise_id], indicator))
        pooled = _summed(table.rows(self.pool, indicator)) if self.pool else None
        if pooled is not None:
            keep = np.isin(pooled.month, self.calendar)
            pooled = _Series(pooled.month[keep], pooled.numerator[keep],
                             pooled.exposure[keep], pooled.members[keep])
        self.comparison = pooled

    def stacked(self) -> dict[str, np.ndarray]:
        """The stacked rows (columns of :data:`STACKED_COLUMNS`, months as numbers)."""
        own, comp = self.own, self.comparison
        if comp is None:
            common = np.empty(0, dtype=int)
        else:
            common = np.intersect1d(own.month, comp.month)
        i_own = np.searchsorted(own.month, common)
        i_comp = np.searchsorted(comp.month, common) if comp is not None else i_own
        m = len(common)
        t = np.concatenate([common, common]) - self.first
        s = np.concatenate([np.ones(m), np.zeros(m)])
        num = np.concatenate([own.numerator[i_own],
                              comp.numerator[i_comp] if m else np.empty(0)])
        exp_ = np.concatenate([own.exposure[i_own],
                               comp.exposure[i_comp] if m else np.empty(0)])
        # one month after the other, the enterprise's row first (as R orders by month)
        order = np.argsort(np.concatenate([2 * np.arange(m), 2 * np.arange(m) + 1]),
                           kind="stable")
        cols = {"month": np.concatenate([common, common]), "s": s, "t": t.astype(float),
                "post": (t >= self.t0).astype(float),
                "t_after": np.maximum(0, t - self.t0).astype(float),
                "numerator": num, "exposure": exp_}
        return {k: v[order] for k, v in cols.items()}


def comparison_series(monthly: pd.DataFrame, enterprises: pd.DataFrame, enterprise_id: str,
                      indicator: str) -> pd.DataFrame:
    r"""The comparison series of one programme enterprise and indicator.

    For each month of ``e`` (a month in which ``e`` has any row of ``monthly``), the
    numerators and the exposures of the pool members (:func:`comparison_pool`) that report
    both that month are summed:

    .. math::

        y^{c}_m = \sum_{j \in P_m} y_{jm}, \qquad E^{c}_m = \sum_{j \in P_m} E_{jm},

    with :math:`P_m` the members with a row for the indicator in month :math:`m` (a row
    of :func:`score_analysis.stats.indicators.monthly_indicators` has both, with an
    exposure above zero).  ``e``'s last month is its last month in ``monthly``.
    R: ``aggregate(cbind(numerator, exposure) ~ month, data = subset(monthly, enterprise_id
    %in% pool & indicator == ind), FUN = sum)``.

    Parameters
    ----------
    monthly
        The monthly indicators: ``enterprise_id``, ``indicator``, ``month``,
        ``numerator``, ``exposure`` (other columns are ignored).
    enterprises
        The enterprises table (``enterprise_id``, ``intervention_month``, ``role``).
    enterprise_id, indicator
        The programme enterprise and the indicator (e.g. ``reject_rate``).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`COMPARISON_COLUMNS` (``rate`` = numerator / exposure,
        ``n_members`` = members summed), one row per month of ``e`` in which at least one
        member reports; empty when the pool is.

    Raises
    ------
    ValueError
        For malformed input (see :func:`comparison_pool`), or a numerator or exposure
        that is missing, negative, or an exposure of zero.

    References
    ----------
    Lopez Bernal, Cummins & Gasparrini (2018) Int J Epidemiol 47(6):2082-2093.
    """
    comp = CitsPanel(monthly, enterprises).data(enterprise_id, indicator).comparison
    if comp is None:
        return pd.DataFrame({c: pd.Series(dtype=object if c == "month" else float)
                             for c in COMPARISON_COLUMNS})
    return pd.DataFrame({"month": [month_text(int(m)) for m in comp.month],
                         "numerator": comp.numerator, "exposure": comp.exposure,
                         "rate": comp.numerator / comp.exposure,
                         "n_members": comp.members.astype(int)})


def stacked_frame(cols: dict[str, np.ndarray]) -> pd.DataFrame:
    """The frame of :func:`stacked_model_data` from :meth:`ControlledData.stacked`."""
    out = pd.DataFrame({"month": [month_text(int(m)) for m in cols["month"]],
                        **{k: cols[k] for k in STACKED_COLUMNS[1:-1]}})
    out["s"] = out["s"].astype(int)
    for k in ("t", "post", "t_after"):
        out[k] = out[k].astype(int)
    out["rate"] = out["numerator"] / out["exposure"]
    return out[list(STACKED_COLUMNS)]


def stacked_model_data(monthly: pd.DataFrame, enterprises: pd.DataFrame, enterprise_id: str,
                       indicator: str) -> pd.DataFrame:
    """The rows of the controlled model: ``e``'s series and the comparison series stacked.

    Only the months where both series are present are used.  ``s`` = 1 for ``e``, 0 for
    the comparison series (:func:`comparison_series`); ``t`` counts months from ``e``'s
    first month (gaps keep their numbering), ``post = (month >= intervention_month)``,
    ``t_after = max(0, t - t0)``, all from ``e``'s calendar on both rows of a month.
    R: ``stacked <- rbind(cbind(own, s = 1), cbind(comparison, s = 0))`` on the common
    months, then ``t``, ``post``, ``t_after`` as above.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`STACKED_COLUMNS`, month by month, ``e``'s row first; empty when the
        pool is empty or no month has both series.

    Raises
    ------
    ValueError
        As :func:`comparison_series`.
    """
    return stacked_frame(CitsPanel(monthly, enterprises).data(enterprise_id, indicator).stacked())
