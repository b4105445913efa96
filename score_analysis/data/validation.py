"""Validation and cleaning of the input tables (docs/data_contract.md).

Three passes, all of which collect findings instead of stopping at the first:

1. *parsing*: every text cell is turned into its contract type (whole number,
   number, month, date, boolean, choice); a cell that cannot be is an error
   naming file, spreadsheet row, column, value and rule;
2. *rules*: the typed tables are checked with pandera schemas built from
   :mod:`score_analysis.data.contract` (ranges, patterns, "at most" relations,
   lengths), lazily, so every failure is reported;
3. *cross-table* rules: unknown enterprises, duplicate keys, survey items
   missing from the codebook, answers outside an item's scale; and the
   warnings of docs/data_contract.md (missing months inside a series, implausible jumps,
   unknown extra columns).
"""

from __future__ import annotations

import datetime as _dt
import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..i18n import gettext as _
from ..i18n import ngettext, pgettext
from ..stats.indicators import INDICATORS
from .contract import (
    BOOLEAN_FALSE,
    BOOLEAN_TRUE,
    ENTERPRISE_ID_PATTERN,
    FIRST_MONTH,
    TABLES,
    Column,
    Table,
)
from .findings import Finding
from .readers import ROW, RawData, RawTable

#: A monthly rate more than this many times away from the enterprise's median
#: rate for the indicator is flagged as an implausible jump (a warning).
JUMP_FACTOR = 5.0
#: ... but only for indicators whose median monthly numerator is at least this:
#: small counts (accidents, separations) swing by chance alone.
JUMP_MIN_COUNT = 20

_NUMBER_DOT = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
_NUMBER_COMMA = re.compile(r"^[+-]?(\d{1,3}(\.\d{3})+|\d+)(,\d+)?$")
#: The rule code of an enterprise id that is not in the enterprises table.
UNKNOWN_ENTERPRISE = "enterprise listed in enterprises.csv"

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_EXCEL_MONTH = re.compile(r"^(\d{4})-(\d{2})-01$")


@dataclass
class Validated:
    """The outcome of validation: typed tables and every finding."""

    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    files: dict[str, str] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)  # table -> file shown
    #: for each sheet of a workbook (as named in findings), the column letter of each column
    letters: dict[str, dict[str, str]] = field(default_factory=dict)
    workbook: str | None = None

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]

    @property
    def ok(self) -> bool:
        return not self.errors


def validate(raw: RawData, today: _dt.date | None = None) -> Validated:
    """Validate and clean every table read by :func:`score_analysis.data.readers.read_raw`.

    Parameters
    ----------
    raw
        The tables as text, with read findings.
    today
        The date that "in the future" is judged against (default: today).

    Returns
    -------
    Validated
        Typed tables (``None`` never; a table absent from the input is absent
        here) and every finding, errors first in file order.
    """
    today = today or _dt.date.today()
    out = Validated(findings=list(raw.findings), files=dict(raw.files),
                    letters=dict(raw.letters), workbook=raw.workbook)
    known_ids = _known_ids(raw)
    for spec in TABLES.values():
        table = raw.tables.get(spec.name)
        if table is None:
            if spec.required and spec.name not in raw.unreadable:
                out.findings.append(_missing_table(raw, spec))
            continue
        out.sources[spec.name] = table.source
        typed = _parse(table, spec, today, out.findings)
        if typed is not None:
            _check_rules(typed, spec, table, out.findings, known_ids)
            _check_filled_for(typed, spec, table, out.findings)
            out.tables[spec.name] = typed
    _check_survey_pair(out, raw)
    _check_cross_table(out, raw)
    for spec in TABLES.values():
        if spec.items and spec.name in out.tables:
            out.tables[spec.name] = _check_items(out.tables[spec.name], spec,
                                                 raw.tables[spec.name], out.findings)
    _check_comparison_rows(out, raw)
    _warn_series(out)
    out.findings = _with_enterprises(out.findings, raw)
    if not out.ok:
        out.tables = {}
    else:
        out.tables = {name: t.drop(columns=[ROW]) for name, t in out.tables.items()}
    out.findings.sort(key=lambda f: (_SEVERITY_ORDER[f.severity], _file_order(f.file),
                                     f.row if f.row is not None else -1))
    return out


_SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}


def _missing_table(raw: RawData, spec: Table) -> Finding:
    if raw.workbook is not None:
        return Finding(raw.shown_name(spec.name), None, "", "", "required sheet", "error",
                       _("the workbook has no sheet named '{sheet}'").format(sheet=spec.name))
    return Finding(spec.file_name, None, "", "", "required file", "error",
                   _("the required table is missing"))


def _file_order(name: str) -> int:
    for i, t in enumerate(TABLES.values()):
        if name.startswith(t.name) or f"[{t.name}" in name:
            return i
    return len(TABLES)


# --------------------------------------------------------------------------- parsing


def _parse(table: RawTable, spec: Table, today: _dt.date,
           findings: list[Finding]) -> pd.DataFrame | None:
    frame = table.frame
    src = table.source
    present = [c for c in frame.columns if c != ROW]
    missing = [c.name for c in spec.columns if c.required and c.name not in present]
    for name in missing:
        hint = _header_hint(frame, name)
        findings.append(Finding(src, 1, name, "", "required column", "error",
                                _("the required column '{column}' is missing from the header")
                                .format(column=name) + hint))
    if missing:
        return None
    if not spec.extra_columns_allowed:
        for name in present:
            if name not in spec.column_names:
                findings.append(Finding(src, 1, name, "", "known columns", "warning",
                                        _("column is not part of the data contract and was "
                                          "ignored")))
    if frame.empty and spec.name == "enterprises":
        findings.append(Finding(src, None, "", "", "at least one data row", "error",
                                _("the table has a header but no data rows")))
        return None
    rows = frame[ROW]
    out = pd.DataFrame({ROW: rows.to_numpy()}, index=frame.index)
    for col in spec.columns:
        if col.name not in frame.columns:
            out[col.name] = (_empty(col) if col.default is None
                             else pd.Series(col.default, index=frame.index, dtype=object))
            continue
        out[col.name] = _parse_column(frame[col.name], rows, col, table, today, findings)
        if col.default is not None:  # a blank cell stands for the default (role: programme)
            blank = frame[col.name].astype(object).fillna("").astype(str) == ""
            out[col.name] = out[col.name].where(~blank, col.default)
    if spec.extra_columns_allowed:
        for name in present:
            if name not in spec.column_names:
                out[name] = frame[name].astype(object)  # survey items: parsed against codebook
    return out


def _header_hint(frame: pd.DataFrame, name: str) -> str:
    lowered = {c.lower().replace(" ", "_"): c for c in frame.columns if c != ROW}
    if name in lowered:
        return _(" (found '{found}': rename it '{column}')").format(found=lowered[name],
                                                                   column=name)
    for _i, rec in frame.head(5).iterrows():
        if name in [str(v).strip() for v in rec.to_numpy()]:
            return _(" (it appears on row {row}: the header must be the first row; remove "
                     "title or merged rows above it)").format(row=rec[ROW])
    return ""


def _empty(col: Column) -> pd.Series:
    return {"integer": pd.Series(dtype="Int64"), "number": pd.Series(dtype="float64"),
            "date": pd.Series(dtype="datetime64[ns]"),
            "boolean": pd.Series(dtype="boolean")}.get(col.kind, pd.Series(dtype=object))


def _parse_column(s: pd.Series, rows: pd.Series, col: Column, table: RawTable,
                  today: _dt.date, findings: list[Finding]) -> pd.Series:
    s = s.astype(object).fillna("").astype(str)
    blank = s == ""
    src = table.source
    reported = pd.Series([(int(r), col.name) in table.bad_cells for r in rows], index=s.index,
                         dtype=bool) if table.bad_cells else pd.Series(False, index=s.index)

    def bad(mask: pd.Series, rule: str, message: str | Callable[[str], str]) -> None:
        mask = mask & ~reported  # a cell the reader reported already is not reported again
        if not mask.any():
            return
        for row, value in zip(rows[mask], s[mask], strict=True):
            text = message(value) if callable(message) else message
            findings.append(Finding(src, int(row), col.name, value, rule, "error", text))

    if not col.nullable:
        bad(blank, "required value", _("the value is required and the cell is blank"))

    if col.kind in ("integer", "number"):
        values = _numbers(s, table.decimal)
        failed = ~blank & values.isna()
        rule = "number with ',' decimals" if table.decimal == "," else "number"
        if table.decimal == "." and not table.from_excel:
            comma = failed & s.str.fullmatch(r"[+-]?\d+,\d+")
            bad(comma, "number with '.' decimals",
                _("a decimal comma in a comma-separated file: use '.' for decimals, or ';' to "
                  "separate columns"))
            failed &= ~comma
        bad(failed, rule, lambda value: _("not a number") + _date_in_number_hint(value))
        if table.from_excel:
            # a number cell would never read "17.100": this was typed as text, and "." may
            # separate thousands (17100) as Indonesian writes them, or be a decimal point
            grouped = ~failed & s.str.fullmatch(r"[+-]?\d{1,3}(\.\d{3})+")
            bad(grouped, "number typed as a number",
                lambda value: _("a number typed as text with a '.' before three digits is "
                                "ambiguous: is it {thousands} or {decimal}? Type it as a number "
                                "in Excel").format(thousands=value.replace(".", ""),
                                                   decimal=_shown(float(value))))
            values = values.where(~grouped)
        if col.kind == "integer":
            frac = values.notna() & (values != np.floor(values.fillna(0)))
            bad(frac, "whole number", _("must be a whole number"))
            values = values.where(~frac)
            big = values.abs() > 2**53
            bad(big, "whole number below 2^53", _("the number is too large"))
            values = values.where(~big)
            return values.round().astype("Int64")
        return values.astype("float64")
    if col.kind == "month":
        pattern = _EXCEL_MONTH if table.from_excel else None
        parsed = s.str.extract(_MONTH)
        if pattern is not None:
            alt = s.str.extract(pattern)
            parsed = parsed.fillna(alt)
        year = pd.to_numeric(parsed[0], errors="coerce")
        month = pd.to_numeric(parsed[1], errors="coerce")
        valid = year.notna() & month.between(1, 12)
        bad(~blank & ~valid, "month as YYYY-MM",
            lambda value: _("not a month in the form YYYY-MM")
            + _did_you_mean(month_suggestion(value, excel=table.from_excel)))
        text = pd.Series(np.where(valid, year.fillna(0).astype(int).astype(str).str.zfill(4)
                                  + "-" + month.fillna(0).astype(int).astype(str).str.zfill(2),
                                  None), index=s.index, dtype=object)
        this_month = f"{today.year:04d}-{today.month:02d}"
        early = valid & (text < FIRST_MONTH)
        bad(early, f"month from {FIRST_MONTH}",
            _("the month is before {year}").format(year=FIRST_MONTH[:4]))
        future = valid & (text > this_month)
        bad(future, "month not in the future", _("the month is in the future"))
        return text.where(valid & ~early & ~future)
    if col.kind == "date":
        iso = pd.to_datetime(s.where(s.str.fullmatch(r"\d{4}-\d{2}-\d{2}")), format="%Y-%m-%d",
                             errors="coerce")
        dmy = pd.to_datetime(s.where(s.str.fullmatch(r"\d{1,2}/\d{1,2}/\d{4}")),
                             format="%d/%m/%Y", errors="coerce")
        values = iso.fillna(dmy)
        bad(~blank & values.isna(), "date as YYYY-MM-DD or DD/MM/YYYY",
            lambda value: _("not a valid date (YYYY-MM-DD, or DD/MM/YYYY with the day first)")
            + _did_you_mean(date_suggestion(value, excel=table.from_excel)))
        early = values < pd.Timestamp(FIRST_MONTH + "-01")
        bad(early, "date from 1990", _("the date is before {year}").format(
            year=FIRST_MONTH[:4]))
        future = values > pd.Timestamp(today)
        bad(future, "date not in the future", _("the date is in the future"))
        return values.where(~early & ~future).astype("datetime64[ns]")
    if col.kind == "boolean":
        low = s.str.lower()
        truth = low.isin(BOOLEAN_TRUE)
        falsity = low.isin(BOOLEAN_FALSE)
        bad(~blank & ~truth & ~falsity, "true or false",
            _("must be true or false (1/0, yes/no and ya/tidak are accepted too)"))
        return pd.Series(np.where(truth, True, np.where(falsity, False, None)),
                         index=s.index).astype("boolean")
    if col.kind == "choice":
        known = s.isin(col.choices)
        bad(~blank & ~known, "one of " + ", ".join(col.choices),
            lambda value: _choice_message(col, value))
        return s.where(known, None).astype(object)
    return s.where(~blank, None).astype(object)


def _choice_message(col: Column, value: str) -> str:
    from difflib import get_close_matches

    close = get_close_matches(value.strip().lower().replace(" ", "_"), col.choices, n=1,
                              cutoff=0.6)
    return (_("must be one of: {choices}").format(choices=", ".join(col.choices))
            + _did_you_mean(close[0] if close else None, quoted=True))


def _did_you_mean(suggestion: str | None, *, quoted: bool = False) -> str:
    if not suggestion:
        return ""
    shown = f"'{suggestion}'" if quoted else suggestion
    return _("; did you mean {suggestion}?").format(suggestion=shown)


# Month names and their common abbreviations, in English and in Bahasa Indonesia.
_MONTH_NAMES = {
    name: number
    for number, names in enumerate((
        ("jan", "january", "januari"), ("feb", "february", "februari", "pebruari", "peb"),
        ("mar", "march", "maret"), ("apr", "april"), ("may", "mei"),
        ("jun", "june", "juni"), ("jul", "july", "juli"),
        ("aug", "august", "agu", "agt", "agustus", "ags"),
        ("sep", "sept", "september"), ("oct", "october", "okt", "oktober"),
        ("nov", "november", "nop", "nopember"), ("dec", "december", "des", "desember")), 1)
    for name in names}
_EXCEL_EPOCH = _dt.date(1899, 12, 30)


def _year(text: str) -> int:
    year = int(text)
    if len(text) == 2:  # a two-digit year: 10 is 2010, 95 is 1995
        year += 2000 if year <= _dt.date.today().year % 100 else 1900
    return year


def _excel_day(text: str) -> _dt.date | None:
    """The date of an Excel day number (a date cell that lost its date format)."""
    if not re.fullmatch(r"\d{5}(\.0+)?", text):
        return None
    day = _EXCEL_EPOCH + _dt.timedelta(days=int(float(text)))
    return day if _dt.date(1990, 1, 1) <= day <= _dt.date(2100, 1, 1) else None


def month_suggestion(text: str, *, excel: bool = False) -> str | None:
    """``YYYY-MM`` for a month written another common way, else ``None``.

    Recognises ``2010-4``, ``2010/10``, ``2010.04``, ``4/2010``, ``Mar-2010``,
    ``March 2010``, ``Maret 2010``, ``Mar-10``, a date such as ``2010-04-15`` or
    ``15/04/2010``, and (in a workbook) an Excel day number.
    """
    t = text.strip().lower()
    m = (re.fullmatch(r"(\d{4})\s*[-/.\s]\s*(\d{1,2})", t)
         or re.fullmatch(r"(\d{4})-(\d{1,2})-\d{1,2}(?:[t ].*)?", t))
    if m:
        year, month = int(m[1]), int(m[2])
    elif m := (re.fullmatch(r"(\d{1,2})\s*[-/.\s]\s*(\d{4})", t)
               or re.fullmatch(r"\d{1,2}[-/.](\d{1,2})[-/.](\d{4})", t)):
        year, month = int(m[2]), int(m[1])
    elif m := re.fullmatch(r"([a-z]+)\.?\s*[-/.,'\s]\s*'?(\d{4}|\d{2})", t):
        if m[1] not in _MONTH_NAMES:
            return None
        year, month = _year(m[2]), _MONTH_NAMES[m[1]]
    elif m := re.fullmatch(r"(\d{4})\s*[-/.\s]\s*([a-z]+)", t):
        if m[2] not in _MONTH_NAMES:
            return None
        year, month = int(m[1]), _MONTH_NAMES[m[2]]
    elif excel and (day := _excel_day(t)) is not None:
        year, month = day.year, day.month
    else:
        return None
    if not 1 <= month <= 12 or year < 1000:
        return None
    return f"{year:04d}-{month:02d}"


def date_suggestion(text: str, *, excel: bool = False) -> str | None:
    """``YYYY-MM-DD`` for a date written another common way, else ``None``.

    Recognises ``2010/03/22``, ``2010.3.22``, ``22-03-2010``, ``22.03.2010``,
    ``03/22/2010`` (month first, when the day is above 12), ``22 Maret 2010``,
    ``22-Mar-10``, ``March 22, 2010`` and (in a workbook) an Excel day number.
    """
    t = text.strip().lower()
    parts: tuple[int, int, int] | None = None
    if m := re.fullmatch(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[t ].*)?", t):
        parts = (int(m[1]), int(m[2]), int(m[3]))
    elif m := re.fullmatch(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{4}|\d{2})", t):
        first, second, year = int(m[1]), int(m[2]), _year(m[3])
        parts = (year, first, second) if second > 12 >= first else (year, second, first)
    elif m := re.fullmatch(r"(\d{1,2})\s*[-/.\s]\s*([a-z]+)\.?\s*[-/.,\s]\s*(\d{4}|\d{2})", t):
        if m[2] in _MONTH_NAMES:
            parts = (_year(m[3]), _MONTH_NAMES[m[2]], int(m[1]))
    elif m := re.fullmatch(r"([a-z]+)\.?\s+(\d{1,2}),?\s+(\d{4})", t):
        if m[1] in _MONTH_NAMES:
            parts = (int(m[3]), _MONTH_NAMES[m[1]], int(m[2]))
    elif excel and (day := _excel_day(t)) is not None:
        return day.isoformat()
    if parts is None:
        return None
    try:
        return _dt.date(*parts).isoformat()
    except ValueError:
        return None


def _date_in_number_hint(value: str) -> str:
    """A hint for a date where a number is expected (an Excel cell formatted as a date)."""
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}(T.*)?", value):
        return _(" (the cell holds a date: format it as a number in Excel)")
    return ""


def _numbers(s: pd.Series, decimal: str) -> pd.Series:
    """Parse text numbers; ``decimal=','`` accepts ``1.234,5`` and ``12,5`` (and ``12.5``)."""
    if decimal == ",":
        comma = s.str.fullmatch(_NUMBER_COMMA.pattern)
        converted = s.where(~comma, s.str.replace(".", "", regex=False)
                            .str.replace(",", ".", regex=False))
        ok = comma | s.str.fullmatch(_NUMBER_DOT.pattern)
    else:
        converted = s
        ok = s.str.fullmatch(_NUMBER_DOT.pattern)
    values = pd.to_numeric(converted.where(ok), errors="coerce")
    return values.where(np.isfinite(values.astype(float)))


# --------------------------------------------------------------------------- rules


@functools.cache
def _schema(spec: Table):
    """The pandera schema of a table's rules (built once per table)."""
    import pandera.pandas as pa

    columns = {}
    for col in spec.columns:
        checks = []
        if col.pattern:
            checks.append(pa.Check.str_matches(f"^(?:{col.pattern})$",
                                               error=f"matches {col.pattern}"))
        if col.minimum is not None:
            checks.append(pa.Check.ge(col.minimum, error=f"≥ {col.minimum:g}"))
        if col.max_length:
            checks.append(pa.Check.str_length(max_value=col.max_length,
                                               error=f"at most {col.max_length} characters"))
        columns[col.name] = pa.Column(checks=checks, nullable=True, required=False)
    frame_checks = []
    for col in spec.columns:
        if col.at_most:
            frame_checks.append(_at_most_check(col.name, col.at_most))
    if spec.name in ("five_s_audits", "survey_items"):
        frame_checks.append(pa.Check(lambda d: ~(d["scale_min"] >= d["scale_max"]).fillna(False),
                                     error="scale_min < scale_max"))
    if spec.name == "five_s_audits":
        frame_checks.append(pa.Check(
            lambda d: ~((d["score"] < d["scale_min"]) | (d["score"] > d["scale_max"]))
            .fillna(False), error="scale_min ≤ score ≤ scale_max"))
    return pa.DataFrameSchema(columns, checks=frame_checks, coerce=False, strict=False)


def _at_most_check(column: str, bound: str):
    import pandera.pandas as pa

    return pa.Check(lambda d: ~(d[column] > d[bound]).fillna(False),
                    error=f"{column} ≤ {bound}")


#: For a table-level rule, the column its failures are reported in.
def _rule_column(rule: str) -> str | None:
    if "≤ score ≤" in rule:
        return "score"
    if rule == "scale_min < scale_max":
        return "scale_max"
    if " ≤ " in rule:
        return rule.split(" ≤ ")[0]
    return None


def _known_ids(raw: RawData) -> list[str]:
    """The enterprise ids of the enterprises table as typed (for "did you mean")."""
    table = raw.tables.get("enterprises")
    if table is None or "enterprise_id" not in table.frame.columns:
        return []
    ids = table.frame["enterprise_id"].astype(str)
    return sorted(set(ids[ids.str.fullmatch(ENTERPRISE_ID_PATTERN)]))


def enterprise_suggestion(value: str, known: list[str]) -> str | None:
    """The known enterprise id closest to ``value`` (a typo, capitals, spaces), or ``None``."""
    from difflib import get_close_matches

    if not known:
        return None
    normal = re.sub(r"[\s.]+", "_", value.strip().lower())
    if normal in known and normal != value:
        return normal
    close = get_close_matches(normal, known, n=1, cutoff=0.75)
    return close[0] if close and close[0] != value else None


def _check_rules(typed: pd.DataFrame, spec: Table, table: RawTable,
                 findings: list[Finding], known_ids: list[str]) -> None:
    import pandera.pandas as pa

    source = table.source

    data = typed[[c.name for c in spec.columns]]
    try:
        _schema(spec).validate(data, lazy=True)
        return
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases
    for case in cases.itertuples(index=False):
        rule = str(case.check)
        target = _rule_column(rule)
        if target is not None and case.column != target:
            continue
        index = case.index
        if index is None or (isinstance(index, float) and np.isnan(index)):
            continue
        row = int(typed.at[index, ROW])
        if (row, str(case.column)) in table.bad_cells:
            continue
        value = _shown(case.failure_case)
        message = _message(rule, typed.loc[index], spec)
        if case.column == "enterprise_id" and rule.startswith("matches"):
            message += _did_you_mean(enterprise_suggestion(value, known_ids), quoted=True)
        findings.append(Finding(source, row, str(case.column), value, rule, "error", message))


def _message(rule: str, record: pd.Series, spec: Table) -> str:
    if rule.startswith("matches"):
        if spec.name != "survey_items" or "item_id" not in rule:
            return (_("must be 1-40 lower-case letters, digits, '_' or '-' (no spaces, no '/' "
                      "or '.')") if "a-z0-9_-" in rule
                    else _("has characters the rule does not allow"))
    if rule.startswith("≥"):
        return (_("must not be negative") if rule == "≥ 0"
                else _("must be {rule}").format(rule=rule))
    if rule.startswith("at most"):
        return _("the text is too long ({rule})").format(rule=rule_label(rule))
    if rule == "scale_min < scale_max":
        return _("scale_max must be greater than scale_min")
    if "≤ score ≤" in rule:
        return _("the score is outside the scale {low}-{high}").format(
            low=_shown(record["scale_min"]), high=_shown(record["scale_max"]))
    if " ≤ " in rule:
        column, bound = rule.split(" ≤ ")
        return _("{column} is larger than {bound} ({value})").format(
            column=column, bound=bound, value=_shown(record[bound]))
    return _("breaks the rule")


def _shown(value: object) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return ""
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat() if value == value.normalize() else value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _check_filled_for(typed: pd.DataFrame, spec: Table, table: RawTable,
                      findings: list[Finding]) -> None:
    """Columns that must be filled, or blank, depending on another column (a programme
    enterprise has an intervention month, a comparison enterprise none)."""
    for rule in spec.filled_for:
        by = typed[rule.by]
        filled = typed[rule.column].notna()
        raw_text = table.frame[rule.column].astype(object).fillna("").astype(str) \
            if rule.column in table.frame.columns else pd.Series("", index=typed.index)
        typed_blank = raw_text == ""  # a cell that failed to parse is reported already
        for idx in typed.index[by.isin(rule.filled) & typed_blank]:
            findings.append(Finding(
                table.source, int(typed.at[idx, ROW]), rule.column, "",
                f"{rule.column} required where {rule.by} is {'/'.join(rule.filled)}", "error",
                _("a programme enterprise needs its intervention_month (the first month counted "
                  "as 'after' the programme); if the enterprise took no part in the programme, "
                  "set its role to comparison")))
        for idx in typed.index[by.isin(rule.blank) & (filled | ~typed_blank)]:
            findings.append(Finding(
                table.source, int(typed.at[idx, ROW]), rule.column,
                str(raw_text.at[idx]),
                f"{rule.column} blank where {rule.by} is {'/'.join(rule.blank)}", "error",
                _("a comparison enterprise took no part in the programme, so it has no "
                  "intervention_month: leave the cell blank, or set its role to programme if "
                  "it did take part")))


def _check_items(typed: pd.DataFrame, spec: Table, table: RawTable,
                 findings: list[Finding]) -> pd.DataFrame:
    """Read the ``value`` column of a long table by its item (whole number in its range, or
    yes/no) and check the items bounded by another item of the same enterprise and visit.

    Returns the table with ``value`` as a number (yes = 1, no = 0)."""
    items = {i.name: i for i in spec.items}
    s = typed["value"].astype(object).fillna("").astype(str)
    blank = s == ""
    rows = typed[ROW]
    item = typed["item"]
    values = pd.Series(np.nan, index=typed.index, dtype="float64")
    src = table.source

    def bad(mask: pd.Series, rule: str, message: Callable[[str, str], str]) -> None:
        for idx in typed.index[mask]:
            findings.append(Finding(src, int(rows.at[idx]), "value", s.at[idx], rule, "error",
                                    message(s.at[idx], str(item.at[idx]))))

    for name, spec_item in items.items():
        of = (item == name) & ~blank
        if not of.any():
            continue
        if spec_item.kind == "boolean":
            low = s[of].str.lower()
            truth, falsity = low.isin(BOOLEAN_TRUE), low.isin(BOOLEAN_FALSE)
            bad(of & ~(truth | falsity).reindex(typed.index, fill_value=True),
                "yes or no", lambda v, i: _("{item} is yes or no (ya or tidak)").format(item=i))
            values[of] = np.where(truth, 1.0, np.where(falsity, 0.0, np.nan))
            continue
        numbers = _numbers(s[of], table.decimal)
        failed = numbers.isna()
        bad(of & failed.reindex(typed.index, fill_value=False), "whole number",
            lambda v, i: _("not a number: {item} is a whole number").format(item=i))
        frac = numbers.notna() & (numbers != np.floor(numbers.fillna(0)))
        bad(of & frac.reindex(typed.index, fill_value=False), "whole number",
            lambda v, i: _("{item} must be a whole number").format(item=i))
        ok = numbers.notna() & ~frac
        if spec_item.minimum is not None:
            low = ok & (numbers < spec_item.minimum)
            bad(of & low.reindex(typed.index, fill_value=False), f"≥ {spec_item.minimum:g}",
                lambda v, i, m=spec_item.minimum: _("{item} must be at least {minimum}")
                .format(item=i, minimum=f"{m:g}"))
            ok &= ~low
        if spec_item.maximum is not None:
            high = ok & (numbers > spec_item.maximum)
            bad(of & high.reindex(typed.index, fill_value=False), f"≤ {spec_item.maximum:g}",
                lambda v, i, m=spec_item.maximum: _("{item} must be at most {maximum}")
                .format(item=i, maximum=f"{m:g}"))
            ok &= ~high
        values[of] = numbers.where(ok)
    # an item bounded by another item of the same enterprise and visit
    group = ["enterprise_id", "visit"]
    for name, spec_item in items.items():
        if not spec_item.at_most:
            continue
        mine = typed.loc[item == name, group].assign(value=values[item == name],
                                                     row=rows[item == name], at=None)
        mine["at"] = mine.index
        bound = typed.loc[item == spec_item.at_most, group].assign(
            bound=values[item == spec_item.at_most])
        both = mine.merge(bound.drop_duplicates(group), on=group, how="inner")
        for rec in both[both["value"] > both["bound"]].to_dict("records"):
            findings.append(Finding(
                src, int(rec["row"]), "value", s.at[rec["at"]],
                f"{name} ≤ {spec_item.at_most}", "error",
                _("{item} ({value}) is larger than {bound} ({bound_value}) of the same "
                  "enterprise and visit").format(item=name, value=_shown(rec["value"]),
                                                 bound=spec_item.at_most,
                                                 bound_value=_shown(rec["bound"]))))
    out = typed.copy()
    out["value"] = values
    return out


def _check_comparison_rows(out: Validated, raw: RawData) -> None:
    """Rows of comparison enterprises in tables that say what to do with them: an error
    where they make no sense (programme milestones, implementation records), a warning
    where they are kept but not analysed (5S audits, worker survey)."""
    ents = out.tables.get("enterprises")
    if ents is None or "role" not in ents.columns:
        return
    comparison = set(ents.loc[ents["role"] == "comparison", "enterprise_id"].dropna())
    if not comparison:
        return
    for name, frame in out.tables.items():
        spec = TABLES[name]
        if spec.comparison_rows not in ("forbidden", "unused") or "enterprise_id" not in frame:
            continue
        src = out.sources[name]
        theirs = frame[frame["enterprise_id"].isin(comparison)]
        if spec.comparison_rows == "forbidden":
            for row, eid in zip(theirs[ROW], theirs["enterprise_id"], strict=True):
                out.findings.append(Finding(
                    src, int(row), "enterprise_id", str(eid),
                    "no rows of comparison enterprises", "error",
                    _("'{enterprise}' is a comparison enterprise (role comparison in "
                      "enterprises): it took no part in the programme, so it has no {table} "
                      "rows; remove them, or correct its role or enterprise_id")
                    .format(enterprise=eid, table=name), enterprise_id=str(eid)))
        else:
            for eid, rows in theirs.groupby("enterprise_id", sort=True):
                out.findings.append(Finding(
                    src, int(rows[ROW].min()), "enterprise_id", str(eid),
                    "rows of comparison enterprises are not analysed", "warning",
                    ngettext("'{enterprise}' is a comparison enterprise: its {n} {table} row "
                             "is kept but not analysed (comparison enterprises serve only as "
                             "monthly comparison series)",
                             "'{enterprise}' is a comparison enterprise: its {n} {table} rows "
                             "are kept but not analysed (comparison enterprises serve only as "
                             "monthly comparison series)", len(rows))
                    .format(enterprise=eid, n=len(rows), table=name), enterprise_id=str(eid)))


# --------------------------------------------------------------------------- cross-table


def _duplicates(frame: pd.DataFrame, keys: tuple[str, ...], source: str,
                findings: list[Finding], label: str | None = None) -> None:
    sub = frame.dropna(subset=list(keys))
    dup = sub.duplicated(list(keys), keep=False)
    if not dup.any():
        return
    first_row = sub[dup].groupby(list(keys), sort=False)[ROW].transform("min")
    for idx in sub.index[dup]:
        row = int(sub.at[idx, ROW])
        if row == int(first_row.at[idx]):
            continue
        value = ", ".join(_shown(sub.at[idx, k]) for k in keys)
        findings.append(Finding(source, row, label or keys[-1], value,
                                f"unique ({', '.join(keys)})", "error",
                                _("duplicate of row {row}").format(row=int(first_row.at[idx]))))


def _check_cross_table(out: Validated, raw: RawData) -> None:
    tables = out.tables
    known: set[str] | None = None
    if "enterprises" in tables:
        ent = tables["enterprises"]
        _duplicates(ent, ("enterprise_id",), out.sources["enterprises"], out.findings)
        known = set(ent["enterprise_id"].dropna())
    for name, frame in tables.items():
        spec = TABLES[name]
        src = out.sources[name]
        if spec.key and name not in ("enterprises",):
            _duplicates(frame, spec.key, src, out.findings)
        if name == "worker_survey":
            coded = frame.dropna(subset=["respondent_id"])
            _duplicates(coded, ("enterprise_id", "wave", "respondent_id"), src, out.findings)
        if known is not None and "enterprise_id" in frame.columns and name != "enterprises":
            ids = frame["enterprise_id"]
            well_formed = ids.notna() & ids.astype(str).str.fullmatch(ENTERPRISE_ID_PATTERN)
            unknown = well_formed & ~ids.isin(known)  # malformed ids are reported already
            where = (_("the enterprises sheet") if raw.workbook is not None
                     else "enterprises.csv")
            for row, value in zip(frame.loc[unknown, ROW], frame.loc[unknown, "enterprise_id"],
                                  strict=True):
                out.findings.append(Finding(
                    src, int(row), "enterprise_id", str(value), UNKNOWN_ENTERPRISE, "error",
                    _("unknown enterprise: add it to {table}").format(table=where)
                    + _did_you_mean(enterprise_suggestion(str(value), sorted(known)),
                                    quoted=True)))


def _check_survey_pair(out: Validated, raw: RawData) -> None:
    """Parse survey answers against the codebook (item in codebook, whole number in scale)."""
    survey = out.tables.get("worker_survey")
    if survey is None:
        return
    src = out.sources["worker_survey"]
    base = set(TABLES["worker_survey"].column_names) | {ROW}
    items = [c for c in survey.columns if c not in base]
    codebook = out.tables.get("survey_items")
    if codebook is None:
        if "survey_items" not in raw.unreadable:
            out.findings.append(Finding(raw.shown_name("survey_items"), None, "", "",
                                        "codebook present with the survey", "error",
                                        _("worker_survey needs the codebook survey_items")))
        return
    book = codebook.dropna(subset=["item_id"]).drop_duplicates("item_id").set_index("item_id")
    decimal = "."
    typed = survey.copy()
    for item in items:
        if item not in book.index:
            out.findings.append(Finding(src, 1, item, item, "item in the codebook", "error",
                                        _("the survey column is not an item of survey_items")))
            typed = typed.drop(columns=[item])
            continue
        s = survey[item].astype(object).fillna("").astype(str)
        values = _numbers(s, decimal if "," not in "".join(s.head(50)) else ",")
        blank = s == ""
        lo, hi = book.at[item, "scale_min"], book.at[item, "scale_max"]
        failed = ~blank & (values.isna() | (values != np.floor(values.fillna(0))))
        outside = ~failed & values.notna()
        if pd.notna(lo) and pd.notna(hi):
            outside &= (values < lo) | (values > hi)
        else:
            outside &= False
        for row, value in zip(survey.loc[failed, ROW], s[failed], strict=True):
            out.findings.append(Finding(src, int(row), item, value, "whole number", "error",
                                        _("the answer must be a whole number")))
        scale = f"{_shown(lo)}-{_shown(hi)}"
        for row, value in zip(survey.loc[outside, ROW], s[outside], strict=True):
            out.findings.append(Finding(src, int(row), item, value,
                                        f"answer within the item's scale {scale}", "error",
                                        _("the answer is outside the item's scale {scale}")
                                        .format(scale=scale)))
        typed[item] = values.where(~failed & ~outside).round().astype("Int64")
    out.tables["worker_survey"] = typed


# --------------------------------------------------------------------------- warnings


def _warn_series(out: Validated) -> None:
    kpi = out.tables.get("kpi_monthly")
    if kpi is None or not out.ok:
        return
    src = out.sources["kpi_monthly"]
    ents = out.tables.get("enterprises")
    kpi = kpi.dropna(subset=["enterprise_id", "month"])
    if ents is not None:
        for eid in sorted(set(ents["enterprise_id"].dropna()) - set(kpi["enterprise_id"])):
            out.findings.append(Finding(src, None, "enterprise_id", eid,
                                        "KPI rows per enterprise", "warning",
                                        _("the enterprise has no monthly KPI rows"),
                                        enterprise_id=eid))
    for eid, group in kpi.groupby("enterprise_id", sort=True):
        months = pd.PeriodIndex(sorted(group["month"]), freq="M")
        full = pd.period_range(months.min(), months.max(), freq="M")
        for m in full.difference(months):
            out.findings.append(Finding(src, None, "month", f"{eid} {m}",
                                        "no missing month inside a series", "warning",
                                        _("{enterprise}: month {month} is missing (left out of "
                                          "the models)").format(enterprise=eid, month=m),
                                        enterprise_id=eid))
        for ind in INDICATORS.values():
            num, exp = group[ind.numerator].astype(float), group[ind.exposure].astype(float)
            rate = (num / exp.where(exp > 0))
            med = rate.median()
            if (not np.isfinite(med) or med <= 0 or rate.notna().sum() < 6
                    or not num.median() >= JUMP_MIN_COUNT):
                continue
            jump = (rate > med * JUMP_FACTOR) | (rate < med / JUMP_FACTOR)
            words = _indicator_words(ind.name)
            for idx in group.index[jump.fillna(False).to_numpy()]:
                out.findings.append(Finding(
                    src, int(group.at[idx, ROW]), ind.numerator,
                    _shown(group.at[idx, ind.numerator]), "plausible month-to-month values",
                    "warning", _("{indicator} this month ({rate} {unit}) is more than {factor} "
                                 "times away from the enterprise's median ({median}): check the "
                                 "record").format(indicator=words[0], unit=words[1],
                                                  rate=f"{rate[idx] * ind.multiplier:.3g}",
                                                  factor=f"{JUMP_FACTOR:g}",
                                                  median=f"{med * ind.multiplier:.3g}"),
                    enterprise_id=eid))


def _indicator_words(name: str) -> tuple[str, str]:
    """An indicator's name and unit in words, in the current language."""
    words = {
        "labour_productivity": (pgettext("data check", "labour productivity"),
                                pgettext("data check", "units per worker-hour")),
        "reject_rate": (pgettext("data check", "reject rate"), "%"),
        "rework_rate": (pgettext("data check", "rework rate"), "%"),
        "absenteeism_rate": (pgettext("data check", "absenteeism"), "%"),
        "suggestion_rate": (pgettext("data check", "worker suggestions"),
                            pgettext("data check", "per 100 workers per month")),
        "implementation_rate": (pgettext("data check", "suggestions implemented"), "%"),
        "accident_frequency": (pgettext("data check", "accident frequency"),
                               pgettext("data check", "per 1,000,000 hours")),
        "turnover_rate": (pgettext("data check", "staff turnover"),
                          pgettext("data check", "% per month")),
    }
    return words.get(name, (name, INDICATORS[name].unit if name in INDICATORS else ""))


def _with_enterprises(findings: list[Finding], raw: RawData) -> list[Finding]:
    """Name the enterprise of every row-level finding whose record has a valid id."""
    import dataclasses
    import re as _re

    pattern = _re.compile(r"[a-z0-9_-]{1,40}")
    owners: dict[str, dict[int, str]] = {}
    for table in raw.tables.values():
        frame = table.frame
        if "enterprise_id" in frame.columns:
            owners[table.source] = {
                int(row): str(eid) for row, eid in zip(frame[ROW], frame["enterprise_id"],
                                                        strict=True)
                if isinstance(eid, str) and pattern.fullmatch(eid)}
    out = []
    for f in findings:
        if not f.enterprise_id and f.row is not None:
            eid = owners.get(f.file, {}).get(f.row)
            if eid:
                f = dataclasses.replace(f, enterprise_id=eid)
        out.append(f)
    return out


# --------------------------------------------------------------------------- showing findings


def _rule_words() -> dict[str, str]:
    """Each fixed rule code in words, in the current language."""
    return {
        "data location exists": pgettext("rule", "data location exists"),
        "data is a directory or .xlsx": pgettext("rule", "data is a directory or .xlsx"),
        "readable directory": pgettext("rule", "readable directory"),
        "one workbook per data directory": pgettext("rule", "one workbook per data directory"),
        "known table names": pgettext("rule", "known table names"),
        "readable file": pgettext("rule", "readable file"),
        "file size at most 200 MB": pgettext("rule", "file size at most 200 MB"),
        "CSV text file": pgettext("rule", "CSV text file"),
        "file has a header row": pgettext("rule", "file has a header row"),
        "readable CSV": pgettext("rule", "readable CSV"),
        "UTF-8 encoding": pgettext("rule", "UTF-8 encoding"),
        "header on row 1": pgettext("rule", "header on row 1"),
        "header with the table's columns": pgettext("rule", "header with the table's columns"),
        "every column has a name": pgettext("rule", "every column has a name"),
        "column names are unique": pgettext("rule", "column names are unique"),
        "same number of columns as the header":
            pgettext("rule", "same number of columns as the header"),
        "no empty rows": pgettext("rule", "no empty rows"),
        "no empty columns": pgettext("rule", "no empty columns"),
        "no surrounding white space": pgettext("rule", "no surrounding white space"),
        "readable .xlsx workbook": pgettext("rule", "readable .xlsx workbook"),
        "known sheet names": pgettext("rule", "known sheet names"),
        "visible sheet": pgettext("rule", "visible sheet"),
        "visible rows": pgettext("rule", "visible rows"),
        "visible columns": pgettext("rule", "visible columns"),
        "no merged cells": pgettext("rule", "no merged cells"),
        "no Excel error values": pgettext("rule", "no Excel error values"),
        "formula with its computed value": pgettext("rule", "formula with its computed value"),
        "required sheet": pgettext("rule", "required sheet"),
        "required file": pgettext("rule", "required file"),
        "required column": pgettext("rule", "required column"),
        "known columns": pgettext("rule", "known columns"),
        "at least one data row": pgettext("rule", "at least one data row"),
        "required value": pgettext("rule", "required value"),
        "number with ',' decimals": pgettext("rule", "number with ',' decimals"),
        "number with '.' decimals": pgettext("rule", "number with '.' decimals"),
        "number": pgettext("rule", "number"),
        "whole number": pgettext("rule", "whole number"),
        "number typed as a number": pgettext("rule", "number typed as a number"),
        "whole number below 2^53": pgettext("rule", "whole number below 2^53"),
        "month as YYYY-MM": pgettext("rule", "month as YYYY-MM"),
        "month not in the future": pgettext("rule", "month not in the future"),
        "date as YYYY-MM-DD or DD/MM/YYYY": pgettext("rule", "date as YYYY-MM-DD or DD/MM/YYYY"),
        "date from 1990": pgettext("rule", "date from 1990"),
        "date not in the future": pgettext("rule", "date not in the future"),
        "true or false": pgettext("rule", "true or false"),
        UNKNOWN_ENTERPRISE: pgettext("rule", "enterprise listed in enterprises.csv"),
        "codebook present with the survey": pgettext("rule", "codebook present with the survey"),
        "item in the codebook": pgettext("rule", "item in the codebook"),
        "KPI rows per enterprise": pgettext("rule", "KPI rows per enterprise"),
        "no missing month inside a series":
            pgettext("rule", "no missing month inside a series"),
        "plausible month-to-month values": pgettext("rule", "plausible month-to-month values"),
    }


def _rule_patterns() -> list[tuple[re.Pattern, str]]:
    """Rule codes with a variable part, and their words in the current language."""
    return [
        (re.compile(r"one of (.+)"), pgettext("rule", "one of {0}")),
        (re.compile(r"matches (.+)"), pgettext("rule", "matches {0}")),
        (re.compile(r"at most (\d+) characters"), pgettext("rule", "at most {0} characters")),
        (re.compile(r"unique \((.+)\)"), pgettext("rule", "unique ({0})")),
        (re.compile(r"answer within the item's scale (.+)"),
         pgettext("rule", "answer within the item's scale {0}")),
        (re.compile(r"month from (.+)"), pgettext("rule", "month from {0}")),
    ]


def rule_label(rule: str) -> str:
    """A finding's rule code in words, in the current language.

    The code itself (``Finding.rule``, the ``rule`` column of ``quality_log.csv``)
    never changes with the language; formulas such as ``units_rejected ≤
    units_produced`` read the same in every language and are shown as they are.
    """
    words = _rule_words().get(rule)
    if words is not None:
        return words
    for pattern, template in _rule_patterns():
        if m := pattern.fullmatch(rule):
            return template.format(*m.groups())
    return rule


def _severity_word(severity: str) -> str:
    return {"error": pgettext("severity", "error"), "warning": pgettext("severity", "warning"),
            "info": pgettext("severity", "info")}.get(severity, severity)


_SHEET = re.compile(r"^(?P<book>.+)\[(?P<sheet>[^\[\]]+)\]$")


def finding_place(finding: Finding, letters: dict[str, dict[str, str]] | None = None) -> str:
    """Where a finding is, as a person finds it: ``kpi_monthly.csv, row 7, column x`` for a
    CSV file, ``book.xlsx, kpi_monthly!F7, column x`` (the sheet and cell) for a workbook."""
    from .findings import _printable

    letters = letters or {}
    sheet = _SHEET.match(finding.file) if finding.file in letters else None
    column = _printable(finding.column)
    if sheet is not None:
        where = sheet["book"]
        letter = letters[finding.file].get(finding.column)
        if finding.row is not None and letter:
            where += f", {sheet['sheet']}!{letter}{finding.row}"
        else:
            where += ", " + _("sheet {sheet}").format(sheet=sheet["sheet"])
            if finding.row is not None:
                where += ", " + _("row {row}").format(row=finding.row)
    else:
        where = _printable(finding.file)
        if finding.row is not None:
            where += ", " + _("row {row}").format(row=finding.row)
    if column:
        where += ", " + _("column {column}").format(column=column)
    return where


def finding_line(finding: Finding, letters: dict[str, dict[str, str]] | None = None) -> str:
    """A finding as one line for the terminal, in the current language (control characters
    made visible)."""
    from .findings import _printable, _shorten

    value = (" " + _("value {value}:").format(value=repr(_shorten(finding.value)))
             if finding.value != "" else "")
    return _("{severity}: {place}:{value} {message} (rule: {rule})").format(
        severity=_severity_word(finding.severity), place=finding_place(finding, letters),
        value=value, message=_printable(finding.message),
        rule=_printable(rule_label(finding.rule)))


#: Repeated findings of one cause are shown on one line from this many on.
GROUP_FROM = 4
#: ... naming this many of their rows.
FIRST_ROWS = 3


def finding_lines(findings: list[Finding], letters: dict[str, dict[str, str]] | None = None,
                  workbook: str | None = None) -> list[str]:
    """The findings as lines for the terminal, repeated findings of one cause grouped.

    An enterprise id missing from the enterprises table is one line however many rows on
    however many sheets use it; other findings of one rule in one column of one table
    become one line (the first finding, the count and the first rows) when there are at
    least :data:`GROUP_FROM` of them.  Every finding is still in ``quality_log.csv``.
    """
    groups: dict[tuple, list[Finding]] = {}
    for f in findings:
        if f.rule == UNKNOWN_ENTERPRISE:
            key = ("enterprise", f.severity, f.value)
        elif f.row is not None:
            key = ("column", f.severity, f.file, f.column, f.rule)
        else:
            key = ("one", id(f))
        groups.setdefault(key, []).append(f)
    lines = []
    for key, group in groups.items():
        first = group[0]
        if key[0] == "enterprise" and len(group) > 1:
            lines.append(_unknown_enterprise_line(group, letters or {}, workbook))
        elif key[0] == "column" and len(group) >= GROUP_FROM:
            rows = [f.row for f in group[1:]]
            more = ", ".join(str(r) for r in rows[:FIRST_ROWS]) + (
                ", …" if len(rows) > FIRST_ROWS else "")
            lines.append(finding_line(first, letters) + " " + ngettext(
                "[and {n} more row like it: {rows}]", "[and {n} more rows like it: {rows}]",
                len(rows)).format(n=len(rows), rows=more))
        else:
            lines.extend(finding_line(f, letters) for f in group)
    return lines


def _unknown_enterprise_line(group: list[Finding], letters: dict[str, dict[str, str]],
                             workbook: str | None) -> str:
    from .findings import _printable, _shorten

    first = group[0]
    places = []
    for f in group:
        sheet = _SHEET.match(f.file) if f.file in letters else None
        places.append(sheet["sheet"] if sheet else f.file)
    tables = list(dict.fromkeys(places))
    shown = ", ".join(_("{place} row {row}").format(place=p, row=f.row)
                      for p, f in list(zip(places, group, strict=True))[:FIRST_ROWS])
    if workbook is not None:
        table = _("the enterprises sheet")
        spread = ngettext("{n} sheet", "{n} sheets", len(tables)).format(n=len(tables))
    else:
        table = "enterprises.csv"
        spread = ngettext("{n} file", "{n} files", len(tables)).format(n=len(tables))
    message = _("enterprise '{enterprise}' is missing from {table}; used by {rows} on "
                "{spread}, first: {first}").format(
        enterprise=_printable(_shorten(first.value)), table=table,
        rows=ngettext("{n} row", "{n} rows", len(group)).format(n=len(group)),
        spread=spread, first=shown)
    hint = first.message.partition(";")[2]  # the "did you mean" of the single finding
    if hint:
        message += ";" + hint
    return _("{severity}: {message} (rule: {rule})").format(
        severity=_severity_word(first.severity), message=message,
        rule=rule_label(first.rule))


# --------------------------------------------------------------------------- derived


def implementation_by_visit(implementation: pd.DataFrame) -> pd.DataFrame:
    """The validated ``implementation`` table (long) as one row per enterprise and visit.

    Columns: ``enterprise_id``, ``visit`` (in the order baseline, visit_1, visit_2,
    visit_3, final_workshop), ``date`` (the earliest date recorded for the visit), one
    column per item (``Int64`` counts and rating, ``boolean`` yes/no; missing when not
    recorded), ``action_completion`` = actions_done / actions_planned and
    ``eit_worker_share`` = eit_worker_members / eit_members (missing when the
    denominator is missing or zero).  Descriptive only (docs/data_contract.md).
    """
    from .contract import IMPLEMENTATION_ITEMS, VISITS

    items = [i.name for i in IMPLEMENTATION_ITEMS]
    base = implementation.dropna(subset=["enterprise_id", "visit"])
    keys = base.groupby(["enterprise_id", "visit"], sort=False)["date"].min().reset_index()
    wide = base.pivot_table(index=["enterprise_id", "visit"], columns="item", values="value",
                            aggfunc="first", dropna=False, observed=True)
    wide = wide.reindex(columns=items).reset_index()
    out = keys.merge(wide, on=["enterprise_id", "visit"], how="left")
    for item in IMPLEMENTATION_ITEMS:
        col = out[item.name].astype("float64")
        out[item.name] = (col.map(lambda v: pd.NA if pd.isna(v) else bool(v)).astype("boolean")
                          if item.kind == "boolean" else col.round().astype("Int64"))
    planned = out["actions_planned"].astype("float64")
    members = out["eit_members"].astype("float64")
    out["action_completion"] = out["actions_done"].astype("float64") / planned.where(planned > 0)
    out["eit_worker_share"] = (out["eit_worker_members"].astype("float64")
                               / members.where(members > 0))
    order = {v: i for i, v in enumerate(VISITS)}
    out = out.sort_values(["enterprise_id", "visit"], key=lambda c: c.map(order)
                          if c.name == "visit" else c, kind="stable")
    return out[["enterprise_id", "visit", "date", *items, "action_completion",
                "eit_worker_share"]].reset_index(drop=True)
