"""Cells into their contract types: whole numbers, numbers, months, dates, booleans,
codes of a list; every cell that cannot be, or that would be read as another value than
the one typed, is a finding naming file (sheet), row (cell), column and value.

What would be read as another number is an error, never a guess: a cell Excel shows
as a percentage in a column that is not one (``5%`` is stored as 0.05), a number typed
as text with a ``.`` before three digits (``7.304``: 7304 or 7.304?), a ``1.234`` in a
file that writes ``,`` decimals but also ``12.5`` with a ``.``, a date written day
first in a column that writes the month first elsewhere.  A number Excel saved to a CSV
file in scientific notation (``1.23457E+11``, six digits kept) is a warning.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..contract import BOOLEAN_FALSE, BOOLEAN_TRUE, FIRST_MONTH, Column, RuleCode, Table
from ..findings import ERROR, WARNING, Finding, Severity
from ..readers import ROW, RawTable
from ..readers.raw import DATE_CELL, NUMBER_CELL, PERCENT_CELL
from .suggestions import choice_suggestion, date_suggestion, drop_down_codes, month_suggestion

_NUMBER_DOT = r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?"
_NUMBER_COMMA = r"[+-]?(\d{1,3}(\.\d{3})+|\d+)(,\d+)?"
_THOUSANDS = r"[+-]?\d{1,3}(\.\d{3})+"
#: a number as Excel writes it to a CSV file when its column is too narrow
_EXCEL_SCIENTIFIC = r"[+-]?\d\.\d{1,5}E[+-]\d{2,3}"
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_EXCEL_MONTH = re.compile(r"^(\d{4})-(\d{2})-01$")


@dataclass(frozen=True)
class Cells:
    """One column's cells: their text (``""`` blank), spreadsheet rows, the kind of each
    workbook cell (``None`` for CSV), and which the reader reported already."""

    table: RawTable
    column: str
    text: pd.Series
    rows: pd.Series
    kinds: pd.Series | None
    reported: pd.Series

    @property
    def blank(self) -> pd.Series:
        return self.text == ""

    def subset(self, mask: pd.Series) -> Cells:
        """The cells of ``mask`` only."""
        return Cells(self.table, self.column, self.text[mask], self.rows[mask],
                     None if self.kinds is None else self.kinds[mask], self.reported[mask])

    def report(self, mask: pd.Series, rule: RuleCode, findings: list[Finding], *,
               params: Mapping | Callable[[str, object], Mapping] | None = None,
               severity: Severity = ERROR) -> None:
        """One finding per cell of ``mask`` (cells the reader reported are skipped);
        ``params`` may be a function of the cell's text and index."""
        mask = mask & ~self.reported
        for idx in mask.index[mask.to_numpy()]:
            value = self.text.at[idx]
            found = params(value, idx) if callable(params) else (params or {})
            findings.append(Finding(file=self.table.source, row=int(self.rows.at[idx]),
                                    column=self.column, value=value, rule=rule,
                                    severity=severity, params=found))


def column_cells(table: RawTable, column: str, values: pd.Series | None = None) -> Cells:
    """The cells of ``column`` of a raw table (or ``values`` standing in its place)."""
    frame = table.frame
    s = (frame[column] if values is None else values).astype(object).fillna("").astype(str)
    kinds = (table.kinds[column].reindex(frame.index).fillna("")
             if table.kinds is not None and column in table.kinds.columns else None)
    rows = frame[ROW]
    reported = (pd.Series([(int(r), column) in table.bad_cells for r in rows], index=s.index,
                          dtype=bool) if table.bad_cells else pd.Series(False, index=s.index))
    return Cells(table, column, s, rows, kinds, reported)


def text_numbers(s: pd.Series, decimal: str) -> pd.Series:
    """Parse text numbers (NaN when not one); ``decimal=','`` accepts ``1.234,5`` and
    ``12,5`` (and ``12.5``)."""
    if decimal == ",":
        comma = s.str.fullmatch(_NUMBER_COMMA)
        converted = s.where(~comma, s.str.replace(".", "", regex=False)
                            .str.replace(",", ".", regex=False))
        ok = comma | s.str.fullmatch(_NUMBER_DOT)
    else:
        converted = s
        ok = s.str.fullmatch(_NUMBER_DOT)
    values = pd.to_numeric(converted.where(ok), errors="coerce")
    return values.where(np.isfinite(values.astype(float)))


def decimal_evidence(table: RawTable, spec: Table) -> tuple[int, str] | None:
    """In a file with ``,`` decimals: the first number written with a ``.`` decimal point
    (``12.5``), which makes every ``1.234`` of the file ambiguous."""
    if table.decimal != ",":
        return None
    for col in spec.columns:
        if col.kind not in ("integer", "number") or col.name not in table.frame.columns:
            continue
        s = table.frame[col.name].astype(object).fillna("").astype(str)
        dotted = s.str.fullmatch(r"[+-]?\d*\.\d+") & ~s.str.fullmatch(_THOUSANDS)
        if dotted.any():
            idx = dotted.index[dotted.to_numpy()][0]
            return int(table.frame.at[idx, ROW]), s.at[idx]
    return None


def read_numbers(cells: Cells, findings: list[Finding], *, percent_ok: bool = False,
                 scale: pd.Series | None = None, evidence: tuple[int, str] | None = None,
                 not_a_number: Callable[[str, object], tuple[RuleCode, Mapping]] | None = None,
                 ) -> pd.Series:
    """The cells as numbers (NaN for blank cells and for every cell reported), with a
    finding for each cell that is not a number or would be read as another one.

    ``scale`` gives, for a score, the scale of its row (``0-4``) for the message of a
    percentage cell; ``evidence`` the ``(row, value)`` of a ``.`` decimal in a file with
    ``,`` decimals; ``not_a_number`` the rule and params of a cell that is not a number
    (default :attr:`RuleCode.NOT_A_NUMBER` with the fix).
    """
    table = cells.table
    s, blank, kinds = cells.text, cells.blank, cells.kinds
    values = text_numbers(s, table.decimal)
    bad = pd.Series(False, index=s.index)
    if kinds is not None:
        percent = kinds == PERCENT_CELL
        if not percent_ok and percent.any():
            cells.report(percent, RuleCode.PERCENT_CELL, findings, params=lambda v, i: {
                "stored": float(v), "column": cells.column,
                **({"scale": scale.at[i]} if scale is not None and scale.at[i] else {})})
            bad |= percent
        dates = (kinds == DATE_CELL) & ~blank
        cells.report(dates, RuleCode.NOT_A_NUMBER, findings,
                     params={"date": True, "workbook": True})
        bad |= dates
        typed_as_text = ~blank & (kinds != NUMBER_CELL) & ~percent & ~dates
    else:
        typed_as_text = ~blank
    failed = ~blank & values.isna() & ~bad
    if table.decimal == "." and not table.from_excel:
        comma = failed & s.str.fullmatch(r"[+-]?\d+,\d+")
        cells.report(comma, RuleCode.DECIMAL_COMMA, findings)
        failed &= ~comma
        bad |= comma

    def not_number(value: str, idx: object) -> Mapping:
        return {"decimal": table.decimal, "workbook": table.from_excel}

    if not_a_number is None:
        cells.report(failed, RuleCode.NOT_A_NUMBER, findings, params=not_number)
    else:
        for idx in failed.index[(failed & ~cells.reported).to_numpy()]:
            rule, params = not_a_number(s.at[idx], idx)
            findings.append(Finding(file=table.source, row=int(cells.rows.at[idx]),
                                    column=cells.column, value=s.at[idx], rule=rule,
                                    params=params))
    bad |= failed
    grouped = ~bad & typed_as_text & s.str.fullmatch(_THOUSANDS)
    if table.from_excel:
        # a number cell never reads "17.100": this was typed as text, and "." may separate
        # thousands (17100, as Indonesian writes it) or be a decimal point
        ambiguous = grouped
    elif table.decimal == "," and evidence is not None:
        ambiguous = grouped  # read as thousands by the file's notation, but it writes "12.5"
    else:
        ambiguous = pd.Series(False, index=s.index)
    if table.decimal == "," and evidence is not None:
        # "1,234" is 1.234 in the file's notation, but 1234 where "." is the decimal point
        ambiguous |= ~bad & s.str.fullmatch(r"[+-]?\d{1,3},\d{3}")
    cells.report(ambiguous, RuleCode.THOUSANDS_AMBIGUOUS, findings, params=lambda v, i: {
        "thousands": float(re.sub(r"[.,]", "", v)),
        "decimal_value": float(v.replace(".", "").replace(",", ".")) if "," in v else float(v),
        "workbook": table.from_excel,
        **({"row": evidence[0], "other": evidence[1]} if evidence else {})})
    bad |= ambiguous
    if not table.from_excel:
        scientific = ~bad & s.str.fullmatch(_EXCEL_SCIENTIFIC if table.decimal == "."
                                             else _EXCEL_SCIENTIFIC.replace(r"\.", ","))
        cells.report(scientific, RuleCode.SCIENTIFIC_NOTATION, findings, severity=WARNING,
                     params=lambda v, i: {"number": float(values.at[i])}
                     if pd.notna(values.at[i]) else {"number": v})
    return values.where(~bad & ~blank).astype("float64")


def parse_table(table: RawTable, spec: Table, today: dt.date,
                findings: list[Finding]) -> pd.DataFrame | None:
    """The table with every declared column in its contract type (and ``_row``), or
    ``None`` when a required column is missing (or ``enterprises`` has no rows)."""
    frame = table.frame
    src = table.source
    present = [c for c in frame.columns if c != ROW]
    missing = [c.name for c in spec.columns if c.required and c.name not in present]
    for name in missing:
        findings.append(Finding(file=src, row=1, column=name, rule=RuleCode.MISSING_COLUMN,
                                params={"column": name, **_header_hint(frame, name)}))
    if missing:
        return None
    if not spec.extra_columns_allowed:
        for name in present:
            if name not in spec.column_names:
                findings.append(Finding(file=src, row=1, column=name,
                                        rule=RuleCode.UNKNOWN_COLUMN, severity=WARNING))
    if frame.empty and spec.needs_rows:
        findings.append(Finding(file=src, rule=RuleCode.NO_DATA_ROWS))
        return None
    out = pd.DataFrame({ROW: frame[ROW].to_numpy()}, index=frame.index)
    evidence = decimal_evidence(table, spec)
    scales = _scales(table, spec)
    for col in spec.columns:
        if col.name not in frame.columns:
            out[col.name] = (_empty(col) if col.default is None
                             else pd.Series(col.default, index=frame.index, dtype=object))
            continue
        cells = column_cells(table, col.name)
        out[col.name] = parse_column(cells, col, today, findings, evidence=evidence,
                                     scale=scales.get(col.name))
        if col.default is not None:  # a blank cell stands for the default (role: programme)
            out[col.name] = out[col.name].where(~cells.blank, col.default)
    if spec.extra_columns_allowed:
        for name in present:
            if name not in spec.column_names:
                out[name] = frame[name].astype(object)  # survey items: read by the codebook
    return out


def _scales(table: RawTable, spec: Table) -> dict[str, pd.Series]:
    """For each bounded column (a score), the scale of each row as text (``0-4``)."""
    out = {}
    for rule in spec.within:
        if rule.low in table.frame.columns and rule.high in table.frame.columns:
            low = table.frame[rule.low].astype(object).fillna("").astype(str)
            high = table.frame[rule.high].astype(object).fillna("").astype(str)
            out[rule.column] = (low + "-" + high).where((low != "") & (high != ""), "")
    return out


def _header_hint(frame: pd.DataFrame, name: str) -> dict:
    lowered = {c.lower().replace(" ", "_"): c for c in frame.columns if c != ROW}
    if name in lowered:
        return {"found": lowered[name]}
    for _i, rec in frame.head(5).iterrows():
        if name in [str(v).strip() for v in rec.to_numpy()]:
            return {"header_row": int(rec[ROW])}
    return {}


def _empty(col: Column) -> pd.Series:
    return {"integer": pd.Series(dtype="Int64"), "number": pd.Series(dtype="float64"),
            "date": pd.Series(dtype="datetime64[ns]"),
            "boolean": pd.Series(dtype="boolean")}.get(col.kind, pd.Series(dtype=object))


def parse_column(cells: Cells, col: Column, today: dt.date, findings: list[Finding], *,
                 evidence: tuple[int, str] | None = None,
                 scale: pd.Series | None = None) -> pd.Series:
    """One column's cells in the column's contract type (missing where not valid)."""
    s, blank = cells.text, cells.blank
    if not col.nullable:
        cells.report(blank, RuleCode.REQUIRED_VALUE, findings)
    if col.kind in ("integer", "number"):
        values = read_numbers(cells, findings, percent_ok=col.percent, scale=scale,
                              evidence=evidence)
        if col.kind == "number":
            return values
        return whole_numbers(cells, values, findings)
    if col.kind == "month":
        return _months(cells, today, findings)
    if col.kind == "date":
        return _dates(cells, today, findings)
    if col.kind == "boolean":
        low = s.str.lower()
        truth, falsity = low.isin(BOOLEAN_TRUE), low.isin(BOOLEAN_FALSE)
        cells.report(~blank & ~truth & ~falsity, RuleCode.BOOLEAN, findings)
        return pd.Series(np.where(truth, True, np.where(falsity, False, None)),
                         index=s.index).astype("boolean")
    if col.kind == "choice":
        entries = drop_down_codes(col)
        codes = s.map(lambda v: entries.get(v))
        cells.report(~blank & codes.isna(), RuleCode.ONE_OF, findings, params=lambda v, i: {
            "choices": ", ".join(col.choices),
            **({"suggestion": found} if (found := choice_suggestion(v, col)) else {})})
        return codes.where(codes.notna(), None).astype(object)
    return s.where(~blank, None).astype(object)


def whole_numbers(cells: Cells, values: pd.Series, findings: list[Finding], *,
                  rule: RuleCode = RuleCode.WHOLE_NUMBER,
                  params: Mapping | None = None) -> pd.Series:
    """Numbers that must be whole: a fraction is ``rule``, beyond 2^53 too large."""
    frac = values.notna() & (values != np.floor(values.fillna(0)))
    cells.report(frac, rule, findings, params=params)
    values = values.where(~frac)
    big = values.abs() > 2**53
    cells.report(big, RuleCode.NUMBER_TOO_LARGE, findings)
    return values.where(~big).round().astype("Int64")


def _months(cells: Cells, today: dt.date, findings: list[Finding]) -> pd.Series:
    s, blank, excel = cells.text, cells.blank, cells.table.from_excel
    parsed = s.str.extract(_MONTH)
    if excel:
        parsed = parsed.fillna(s.str.extract(_EXCEL_MONTH))
    year = pd.to_numeric(parsed[0], errors="coerce")
    month = pd.to_numeric(parsed[1], errors="coerce")
    valid = year.notna() & month.between(1, 12)
    cells.report(~blank & ~valid, RuleCode.MONTH_FORMAT, findings, params=lambda v, i: (
        {"suggestion": found} if (found := month_suggestion(v, excel=excel)) else {}))
    text = pd.Series(np.where(valid, year.fillna(0).astype(int).astype(str).str.zfill(4)
                              + "-" + month.fillna(0).astype(int).astype(str).str.zfill(2),
                              None), index=s.index, dtype=object)
    this_month = f"{today.year:04d}-{today.month:02d}"
    early = valid & (text < FIRST_MONTH)
    cells.report(early, RuleCode.MONTH_TOO_EARLY, findings,
                 params={"year": FIRST_MONTH[:4], "first": FIRST_MONTH})
    future = valid & (text > this_month)
    cells.report(future, RuleCode.MONTH_IN_FUTURE, findings)
    return text.where(valid & ~early & ~future)


def _dates(cells: Cells, today: dt.date, findings: list[Finding]) -> pd.Series:
    s, blank, excel = cells.text, cells.blank, cells.table.from_excel
    iso = pd.to_datetime(s.where(s.str.fullmatch(r"\d{4}-\d{2}-\d{2}")), format="%Y-%m-%d",
                         errors="coerce")
    day_first = s.str.fullmatch(r"\d{1,2}/\d{1,2}/\d{4}")
    dmy = pd.to_datetime(s.where(day_first), format="%d/%m/%Y", errors="coerce")
    values = iso.fillna(dmy)
    cells.report(~blank & values.isna(), RuleCode.DATE_FORMAT, findings, params=lambda v, i: (
        {"suggestion": found} if (found := date_suggestion(v, excel=excel)) else {}))
    # a column that writes the month first somewhere (03/22/2010) makes 04/03/2010 ambiguous
    parts = s.where(day_first).str.extract(r"^(\d{1,2})/(\d{1,2})/")
    first, second = (pd.to_numeric(parts[0], errors="coerce"),
                     pd.to_numeric(parts[1], errors="coerce"))
    month_first = (second > 12) & (first <= 12)
    if month_first.any():
        at = month_first.index[month_first.to_numpy()][0]
        ambiguous = values.notna() & day_first & (first <= 12) & (second <= 12) & (first != second)
        cells.report(ambiguous, RuleCode.DATE_ORDER_AMBIGUOUS, findings, params=lambda v, i: {
            "date": values.at[i].date().isoformat(), "row": int(cells.rows.at[at]),
            "other": s.at[at]})
        values = values.where(~ambiguous)
    early = values < pd.Timestamp(FIRST_MONTH + "-01")
    cells.report(early, RuleCode.DATE_TOO_EARLY, findings,
                 params={"year": FIRST_MONTH[:4], "first": FIRST_MONTH[:4]})
    future = values > pd.Timestamp(today)
    cells.report(future, RuleCode.DATE_IN_FUTURE, findings)
    return values.where(~early & ~future).astype("datetime64[ns]")
