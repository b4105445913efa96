"""The last step of an appendix notebook: the recomputed numbers against the stored ones.

Two modes (the notebooks' ``check`` parameter):

- ``fail`` (the pipeline's build): any difference fails the cell, and so the page; the
  message names the indicator, the method and the column of each difference;
- ``compare`` (exploring: the default when the notebook's settings differ from those of
  the stored run): a table of the stored against the recomputed values, keyed by
  indicator, method and column, and no failure.

A difference is a number whose relative difference exceeds ``rtol`` (no absolute
tolerance: a p-value of 1e-12 must match as closely as an estimate of 1.2), a text that
differs, or a row present on one side only.  Never a position in a frame.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from ..settings import PLAN, AnalysisSettings

CheckMode = Literal["fail", "compare"]
CHECK_MODES: tuple[str, ...] = ("fail", "compare")

#: Key columns that identify one results row.
RESULT_KEY = ("enterprise_id", "domain", "indicator", "method")
#: Key columns that identify one pooled row.
POOLED_KEY = ("domain", "indicator", "source_method")
#: Columns of :func:`compare_rows`: the row's key, the column, both values, and what
#: differs (``value``, ``missing row`` or ``extra row``).
DIFFERENCE_COLUMNS = ("column", "stored", "recomputed", "difference")


def stored_settings(processed_dir: str | Path) -> AnalysisSettings:
    """The analysis settings of the run that wrote ``processed_dir`` (its
    ``provenance.json``); the plan's when it records none."""
    from ..files import read_json, resolve_repo_path

    record = read_json(resolve_repo_path(processed_dir) / "provenance.json") or {}
    values = record.get("settings")
    if not values:
        return PLAN
    return AnalysisSettings.from_mapping(values, source="provenance.json")


#: Columns of :func:`settings_table`.
SETTINGS_COLUMNS = ("setting", "notebook", "stored_run", "plan")


def settings_table(settings: AnalysisSettings, stored: AnalysisSettings) -> pd.DataFrame:
    """The settings whose values differ between this notebook (``settings``), the stored run
    (``stored``) and the shipped plan; empty when all three agree.  Columns
    :data:`SETTINGS_COLUMNS`."""
    mine, theirs, plan = settings.as_dict(), stored.as_dict(), PLAN.as_dict()
    rows = [{"setting": name, "notebook": mine[name], "stored_run": theirs[name],
             "plan": plan[name]}
            for name in mine if not mine[name] == theirs[name] == plan[name]]
    return pd.DataFrame(rows, columns=list(SETTINGS_COLUMNS))


def check_mode(check: str | None, settings: AnalysisSettings,
               stored: AnalysisSettings) -> CheckMode:
    """The mode of the check: ``check`` when given (``"fail"`` or ``"compare"``), else
    ``compare`` when ``settings`` differ from the stored run's and ``fail`` when they are
    the same.

    Raises
    ------
    ValueError
        ``check`` is neither.
    """
    if check is None or (isinstance(check, str) and check.strip() in ("", "auto")):
        return "fail" if settings == stored else "compare"
    if check not in CHECK_MODES:
        raise ValueError(f"check must be 'fail' or 'compare', got {check!r}")
    return check  # type: ignore[return-value]


def _same(a: object, b: object, rtol: float) -> bool:
    """Whether two cells agree: both missing, equal numbers within ``rtol`` (relative, no
    absolute tolerance), or equal values."""
    a_missing, b_missing = _missing(a), _missing(b)
    if a_missing or b_missing:
        return a_missing and b_missing
    if _number(a) and _number(b):
        x, y = float(a), float(b)
        if math.isinf(x) or math.isinf(y):
            return x == y
        return abs(x - y) <= rtol * max(abs(x), abs(y))
    return a == b


def _missing(value: object) -> bool:
    try:
        return value is None or bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _number(value: object) -> bool:
    return isinstance(value, int | float | np.number) and not isinstance(value, bool | np.bool_)


def compare_rows(recomputed: pd.DataFrame, stored: pd.DataFrame, key: tuple[str, ...], *,
                 rtol: float = 1e-9) -> pd.DataFrame:
    """Every difference between two tables of rows identified by ``key``: one row per
    differing value (the key, the column, the stored and recomputed values), and one per
    row found on one side only.  Compared are the columns of ``stored``.  Columns
    ``key`` + :data:`DIFFERENCE_COLUMNS`, in the order of the key.

    Raises
    ------
    ValueError
        A key column is missing, or a key is repeated.
    """
    if not 0 <= rtol < 1:
        raise ValueError(f"rtol must lie in [0, 1), got {rtol}")
    for name, frame in (("recomputed", recomputed), ("stored", stored)):
        missing = [c for c in key if c not in frame.columns]
        if missing:
            raise ValueError(f"the {name} rows lack the key column(s) {missing}")
        if frame.duplicated(list(key)).any():
            raise ValueError(f"the {name} rows repeat a key ({', '.join(key)})")
    columns = [c for c in stored.columns if c not in key]
    mine = recomputed.set_index(list(key))
    theirs = stored.set_index(list(key))
    rows = []
    for k in sorted(set(theirs.index) | set(mine.index), key=lambda v: tuple(map(str, v))):
        ident = dict(zip(key, k if isinstance(k, tuple) else (k,), strict=True))
        if k not in mine.index:
            rows.append({**ident, "column": "", "stored": "row", "recomputed": None,
                         "difference": "missing row"})
            continue
        if k not in theirs.index:
            rows.append({**ident, "column": "", "stored": None, "recomputed": "row",
                         "difference": "extra row"})
            continue
        for col in columns:
            if col not in mine.columns:
                rows.append({**ident, "column": col, "stored": theirs.at[k, col],
                             "recomputed": None, "difference": "missing column"})
                continue
            a, b = theirs.at[k, col], mine.at[k, col]
            if not _same(a, b, rtol):
                rows.append({**ident, "column": col, "stored": a, "recomputed": b,
                             "difference": "value"})
    return pd.DataFrame(rows, columns=[*key, *DIFFERENCE_COLUMNS])


def compare_results(recomputed: pd.DataFrame, stored: pd.DataFrame, enterprise_id: str, *,
                    rtol: float = 1e-9) -> pd.DataFrame:
    """The differences between the recomputed and the stored results rows of one enterprise
    (:func:`compare_rows` keyed by :data:`RESULT_KEY`: indicator, method, column)."""
    mine = recomputed[recomputed["enterprise_id"] == enterprise_id]
    theirs = stored[stored["enterprise_id"] == enterprise_id]
    if theirs.empty:
        raise AssertionError(f"the stored results have no row for {enterprise_id!r}")
    return compare_rows(mine, theirs, RESULT_KEY, rtol=rtol)


def difference_lines(differences: pd.DataFrame, key: tuple[str, ...], *,
                     limit: int = 10) -> list[str]:
    """The differences as sentences naming indicator, method and column (at most
    ``limit``, then how many more)."""
    lines = []
    for _, d in differences.head(limit).iterrows():
        where = " / ".join(str(d[k]) for k in key if k not in ("enterprise_id", "domain"))
        if d["difference"] in ("missing row", "extra row"):
            side = "no recomputed row" if d["difference"] == "missing row" else "no stored row"
            lines.append(f"{where}: {side}")
        else:
            lines.append(f"{where}, {d['column']}: stored {_plain(d['stored'])!r}, "
                         f"recomputed {_plain(d['recomputed'])!r}")
    if len(differences) > limit:
        lines.append(f"... and {len(differences) - limit} more")
    return lines


def _plain(value: object) -> object:
    """A numpy scalar as the Python value it holds (so that a message shows ``1.5``)."""
    return value.item() if isinstance(value, np.generic) else value


def checked(differences: pd.DataFrame, key: tuple[str, ...], *, mode: CheckMode,
            what: str) -> pd.DataFrame:
    """Apply the check mode to a table of differences: ``fail`` raises when there is any,
    ``compare`` returns the table (shown by the notebook).

    Raises
    ------
    AssertionError
        In ``fail`` mode, naming every difference by its key and column.
    """
    if mode not in CHECK_MODES:
        raise ValueError(f"check must be 'fail' or 'compare', got {mode!r}")
    if mode == "fail" and not differences.empty:
        raise AssertionError(f"{len(differences)} recomputed value(s) of {what} differ from "
                             f"the stored ones: " + "; ".join(difference_lines(differences,
                                                                               key)))
    return differences


def check_results(recomputed: pd.DataFrame, stored: pd.DataFrame, enterprise_id: str, *,
                  mode: CheckMode = "fail", rtol: float = 1e-9) -> pd.DataFrame:
    """The check of the enterprise appendix: :func:`compare_results`, then :func:`checked`."""
    lacking = [c for c in stored.columns if c not in recomputed.columns]
    if lacking and mode == "fail":
        raise AssertionError(f"the recomputed results lack the column(s) {lacking}")
    differences = compare_results(recomputed, stored, enterprise_id, rtol=rtol)
    return checked(differences, RESULT_KEY, mode=mode, what=f"{enterprise_id}'s results")


def assert_same_results(recomputed: pd.DataFrame, stored: pd.DataFrame, enterprise_id: str, *,
                        rtol: float = 1e-9) -> None:
    """Fail when the recomputed rows of an enterprise differ from the stored ones
    (:func:`check_results` in ``fail`` mode).

    Raises
    ------
    AssertionError
        Naming the indicator, method and column of each difference.
    """
    check_results(recomputed, stored, enterprise_id, mode="fail", rtol=rtol)
