"""The rows of the results table: their columns and how a row is assembled from a
method's output (used by :mod:`.analysis`, :mod:`.five_s` and :mod:`.survey`)."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from .notes import Note, with_notes
from .outputs import RESULT_COLUMNS

#: Diagnostic columns kept beside the results.csv columns in data/processed/results.parquet:
#: the dispersion (floored and raw), both standard errors, Durbin-Watson and Ljung-Box of the
#: model's Pearson residuals, the Newey-West lag, the model's terms, the test statistic and
#: its degrees of freedom (``df``: also those of a KPI row's t inference), whether a rank
#: test's p is exact, and the warnings raised while fitting (``fit_warnings``).
EXTRA_COLUMNS = ("dispersion", "raw_dispersion", "se_model", "se_newey_west", "durbin_watson",
                 "ljung_box_p", "hac_lag", "terms", "statistic", "df", "exact",
                 "fit_warnings")
#: Every column of data/processed/results.parquet.
INTERNAL_COLUMNS = RESULT_COLUMNS + EXTRA_COLUMNS


def record(values: dict, *, primary: bool, notes: Iterable[Note] = (), **fixed) -> dict:
    """A results row: ``values`` (a method's output, with its ``note``/``note_code``),
    ``fixed`` columns (enterprise, domain, indicator...), the primary flag, and ``notes``
    appended to the row's own notes."""
    row = dict.fromkeys(INTERNAL_COLUMNS, np.nan)
    row.update({k: v for k, v in values.items() if k in row})
    row.update(fixed)
    row["primary"] = primary
    row["confirmatory"] = False
    if not isinstance(row.get("status"), str):
        row["status"] = "ok"
    row["note"] = values.get("note") if isinstance(values.get("note"), str) else ""
    row["note_code"] = (values.get("note_code") if isinstance(values.get("note_code"), str)
                        else "")
    return with_notes(row, notes)


def from_test(frame: pd.DataFrame, *, primary: bool, notes: Iterable[Note] = (),
              **fixed) -> dict:
    """A results row from the one-row frame of a test of :mod:`.comparisons`."""
    return record(frame.iloc[0].to_dict(), primary=primary, notes=notes, **fixed)


def empty(method: str, status: str, why: Iterable[Note], *, primary: bool, **fixed) -> dict:
    """A row without numbers (``status`` says why, ``why`` are its notes)."""
    return record({"method": method, "status": status}, primary=primary, notes=why, **fixed)


def frame_of(rows: list[dict]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=list(INTERNAL_COLUMNS))
