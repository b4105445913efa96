"""The words of every rule and message of the data checks, rendered from the rule code.

Each :class:`~score_analysis.data.contract.RuleCode` has its rule in words
(:data:`RULES`) and its message (:data:`MESSAGES`, or a function in
:data:`_COMPOSED` when the message depends on the value, such as the fix of a
cell that is not a number).  Both are English msgids marked with ``N_`` and
translated when rendered, in the language current at that moment; numbers in
``params`` (floats) are written in that language's notation (``7,304`` in
English, ``7.304`` in Bahasa Indonesia), counts (ints) as they are.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from ..i18n import N_, current_language, ngettext
from ..i18n import gettext as _
from .contract import RuleCode as R

#: Each rule in words (the ``rule`` shown beside a message).
RULES: dict[R, str] = {
    R.DATA_LOCATION: N_("data location exists"),
    R.DATA_KIND: N_("a directory of CSV files or an .xlsx workbook"),
    R.READABLE_DIRECTORY: N_("readable directory"),
    R.ONE_WORKBOOK: N_("one workbook per data directory"),
    R.UNKNOWN_FILE: N_("known table names"),
    R.READABLE_FILE: N_("readable file"),
    R.MISSING_FILE: N_("required file"),
    R.MISSING_SHEET: N_("required sheet"),
    R.FILE_SIZE: N_("file size at most 200 MB"),
    R.CSV_NOT_WORKBOOK: N_("CSV text file"),
    R.CSV_BINARY: N_("CSV text file"),
    R.EMPTY_FILE: N_("file has a header row"),
    R.UNCLOSED_QUOTE: N_("readable CSV"),
    R.UTF16: N_("UTF-8 encoding"),
    R.BOM: N_("UTF-8 encoding"),
    R.NOT_TEXT: N_("UTF-8 encoding"),
    R.CP1252: N_("UTF-8 encoding"),
    R.HEADER_NOT_FIRST: N_("header on row 1"),
    R.HEADER_UNKNOWN: N_("header with the table's columns"),
    R.LINES_ABOVE_HEADER: N_("header on row 1"),
    R.UNNAMED_COLUMN: N_("every column has a name"),
    R.UNNAMED_COLUMN_VALUES: N_("every column has a name"),
    R.DUPLICATE_COLUMN: N_("column names are unique"),
    R.RESERVED_COLUMN: N_("column names are unique"),
    R.ROW_TOO_LONG: N_("same number of columns as the header"),
    R.EMPTY_ROWS: N_("no empty rows"),
    R.EMPTY_COLUMNS: N_("no empty columns"),
    R.WHITE_SPACE: N_("no surrounding white space"),
    R.MISSING_COLUMN: N_("required column"),
    R.UNKNOWN_COLUMN: N_("known columns"),
    R.NO_DATA_ROWS: N_("at least one data row"),
    R.NOT_XLSX: N_("readable .xlsx workbook"),
    R.UNREADABLE_WORKBOOK: N_("readable .xlsx workbook"),
    R.UNREADABLE_SHEET: N_("readable .xlsx workbook"),
    R.UNKNOWN_SHEET: N_("known sheet names"),
    R.HIDDEN_SHEET: N_("visible sheet"),
    R.HIDDEN_ROWS: N_("visible rows"),
    R.HIDDEN_COLUMN: N_("visible columns"),
    R.MERGED_CELLS: N_("no merged cells"),
    R.EXCEL_ERROR: N_("no Excel error values"),
    R.FORMULA_WITHOUT_VALUE: N_("formula with its computed value"),
    R.REQUIRED_VALUE: N_("required value"),
    R.NOT_A_NUMBER: N_("number"),
    R.DECIMAL_COMMA: N_("number with '.' decimals"),
    R.THOUSANDS_AMBIGUOUS: N_("a number that reads one way only"),
    R.PERCENT_CELL: N_("no percentage in a column that is not a percentage"),
    R.SCIENTIFIC_NOTATION: N_("number written in full"),
    R.WHOLE_NUMBER: N_("whole number"),
    R.NUMBER_TOO_LARGE: N_("whole number below 2^53"),
    R.MONTH_FORMAT: N_("month as YYYY-MM"),
    R.MONTH_TOO_EARLY: N_("month from {first}"),
    R.MONTH_IN_FUTURE: N_("month not in the future"),
    R.DATE_FORMAT: N_("date as YYYY-MM-DD or DD/MM/YYYY"),
    R.DATE_ORDER_AMBIGUOUS: N_("the day first in every date of a column"),
    R.DATE_TOO_EARLY: N_("date from {first}"),
    R.DATE_IN_FUTURE: N_("date not in the future"),
    R.BOOLEAN: N_("true or false"),
    R.ONE_OF: N_("one of {choices}"),
    R.ENTERPRISE_ID: N_("matches {pattern}"),
    R.PATTERN: N_("matches {pattern}"),
    R.MINIMUM: "≥ {minimum}",
    R.MAXIMUM: "≤ {maximum}",
    R.TEXT_TOO_LONG: N_("at most {limit} characters"),
    R.AT_MOST: "{column} ≤ {bound}",
    R.SCALE_ORDER: "{low} < {high}",
    R.WITHIN_SCALE: "{low} ≤ {column} ≤ {high}",
    R.DUPLICATE_KEY: N_("unique ({columns})"),
    R.UNKNOWN_ENTERPRISE: N_("enterprise listed in enterprises"),
    R.PROGRAMME_WITHOUT_START: N_("intervention month of every programme enterprise"),
    R.COMPARISON_WITH_START: N_("no intervention month for a comparison enterprise"),
    R.COMPARISON_ROWS: N_("no programme records for a comparison enterprise"),
    R.COMPARISON_ROWS_UNUSED: N_("comparison enterprises: monthly records only"),
    R.CODEBOOK_MISSING: N_("codebook present with the survey"),
    R.ITEM_NOT_IN_CODEBOOK: N_("item in the codebook"),
    R.ANSWER_WHOLE_NUMBER: N_("answer as a whole number on the item's scale {scale}"),
    R.ANSWER_IN_SCALE: N_("answer within the item's scale {scale}"),
    R.YES_NO: N_("yes or no"),
    R.ITEM_AT_MOST: N_("{item} ≤ {bound} within an enterprise and visit"),
    R.VISIT_DATES_DIFFER: N_("one date per visit"),
    R.VISITS_OUT_OF_ORDER: N_("visits in order of their dates"),
    R.MONTH_APART: N_("months of an enterprise within 12 months of each other"),
    R.START_APART: N_("intervention month within 12 months of the monthly records"),
    R.NO_KPI_ROWS: N_("KPI rows per enterprise"),
    R.MISSING_MONTH: N_("no missing month inside a series"),
    R.IMPLAUSIBLE_JUMP: N_("plausible month-to-month values"),
}

#: Each message, unless :data:`_COMPOSED` composes it.
MESSAGES: dict[R, str] = {
    R.DATA_LOCATION: N_("no such file or directory: {path}"),
    R.DATA_KIND: N_("give a directory of CSV files or an .xlsx workbook"),
    R.READABLE_DIRECTORY: N_("the directory cannot be read ({error})"),
    R.ONE_WORKBOOK: N_("several workbooks found; keep only one"),
    R.READABLE_FILE: N_("the file cannot be read ({error})"),
    R.MISSING_FILE: N_("the required table is missing"),
    R.MISSING_SHEET: N_("the workbook has no sheet named '{sheet}'"),
    R.FILE_SIZE: N_("file is too large to be a table of this contract"),
    R.CSV_NOT_WORKBOOK: N_("this is an Excel workbook with a .csv name; save it as CSV or "
                           "rename it .xlsx"),
    R.CSV_BINARY: N_("file is binary, not a CSV text file"),
    R.EMPTY_FILE: N_("file is empty"),
    R.UNCLOSED_QUOTE: N_("the row cannot be read: a quote (\") is not closed, or is followed "
                         "by other text in the same cell ({error})"),
    R.UTF16: N_("file is UTF-16 text; read as UTF-16"),
    R.BOM: N_("byte-order mark (BOM) removed"),
    R.NOT_TEXT: N_("file is neither UTF-8 nor Windows-1252 text"),
    R.CP1252: N_("file is not UTF-8; read as Windows-1252 (cp1252): check accented "
                 "characters, and save as 'CSV UTF-8' next time"),
    R.HEADER_NOT_FIRST: N_("the header is on row {row}, not on the first row: remove the "
                           "title or merged rows above it"),
    R.UNNAMED_COLUMN: N_("column {number} has no name in the header"),
    R.UNNAMED_COLUMN_VALUES: N_("column {number} has no name in the header but has values "
                                "(the first on row {row})"),
    R.DUPLICATE_COLUMN: N_("the column appears more than once in the header"),
    R.RESERVED_COLUMN: N_("'{name}' is a reserved column name: rename the column"),
    R.UNKNOWN_COLUMN: N_("column is not part of the data contract and was ignored"),
    R.NO_DATA_ROWS: N_("the table has a header but no data rows"),
    R.NOT_XLSX: N_("not an Excel .xlsx workbook; save it again from Excel as .xlsx, or give "
                   "a directory of CSV files"),
    R.UNREADABLE_WORKBOOK: N_("the workbook cannot be read ({error}); save it again from "
                              "Excel as .xlsx, or give a directory of CSV files"),
    R.UNREADABLE_SHEET: N_("the sheet cannot be read ({error})"),
    R.HIDDEN_SHEET: N_("the sheet is hidden in Excel; its rows were read as data: unhide it "
                       "and check them"),
    R.HIDDEN_COLUMN: N_("the column is hidden in Excel and was read as data: unhide it and "
                        "check it"),
    R.MERGED_CELLS: N_("the cells {cells} are merged: only the first holds the value and the "
                       "others would be read as blank; unmerge them and type the value in "
                       "every cell"),
    R.EXCEL_ERROR: N_("the cell holds the Excel error {error} (the formula or the value that "
                      "was pasted failed): correct it or leave the cell blank"),
    R.FORMULA_WITHOUT_VALUE: N_("the cell holds the formula {formula} but no computed value "
                                "was saved with it: open and save the workbook in Excel, or "
                                "type the value"),
    R.REQUIRED_VALUE: N_("the value is required and the cell is blank"),
    R.DECIMAL_COMMA: N_("a decimal comma in a comma-separated file: use '.' for decimals, or "
                        "';' to separate columns"),
    R.SCIENTIFIC_NOTATION: N_("Excel saved this number in scientific notation ({number}), "
                              "which keeps only about six digits: format the column as a "
                              "number before saving as CSV, and check the value"),
    R.WHOLE_NUMBER: N_("must be a whole number"),
    R.NUMBER_TOO_LARGE: N_("the number is too large"),
    R.MONTH_TOO_EARLY: N_("the month is before {year}"),
    R.MONTH_IN_FUTURE: N_("the month is in the future"),
    R.DATE_ORDER_AMBIGUOUS: N_("read day first this is {date}, but row {row} of this column "
                               "writes the month first ({other}): write every date of the "
                               "column as YYYY-MM-DD"),
    R.DATE_TOO_EARLY: N_("the date is before {year}"),
    R.DATE_IN_FUTURE: N_("the date is in the future"),
    R.BOOLEAN: N_("must be true or false (1/0, yes/no and ya/tidak are accepted too)"),
    R.PATTERN: N_("has characters the rule does not allow ({pattern})"),
    R.MAXIMUM: N_("must be at most {maximum}"),
    R.TEXT_TOO_LONG: N_("the text is too long (at most {limit} characters)"),
    R.AT_MOST: N_("{column} is larger than {bound} ({bound_value})"),
    R.SCALE_ORDER: N_("{high} must be greater than {low}"),
    R.WITHIN_SCALE: N_("{column} is outside the scale {low_value}-{high_value} of its row "
                       "({low} to {high})"),
    R.DUPLICATE_KEY: N_("duplicate of row {first_row}"),
    R.PROGRAMME_WITHOUT_START: N_("a programme enterprise needs its intervention_month (the "
                                  "first month counted as 'after' the programme); if the "
                                  "enterprise took no part in the programme, set its role to "
                                  "comparison"),
    R.COMPARISON_WITH_START: N_("a comparison enterprise took no part in the programme, so it "
                                "has no intervention_month: leave the cell blank, or set its "
                                "role to programme if it did take part"),
    R.COMPARISON_ROWS: N_("'{enterprise}' is a comparison enterprise (role comparison in "
                          "enterprises): it took no part in the programme, so it has no "
                          "{table} rows; remove them, or correct its role or enterprise_id"),
    R.CODEBOOK_MISSING: N_("{table} needs the codebook {codebook}"),
    R.ITEM_NOT_IN_CODEBOOK: N_("the survey column is not an item of {codebook}"),
    R.ANSWER_IN_SCALE: N_("the answer is outside the item's scale {scale}"),
    R.YES_NO: N_("{item} is yes or no (ya or tidak)"),
    R.ITEM_AT_MOST: N_("{item} ({value}) is larger than {bound} ({bound_value}) of the same "
                       "enterprise and visit"),
    R.VISIT_DATES_DIFFER: N_("the rows of {visit} of {enterprise} give different dates "
                             "({dates}): check them"),
    R.VISITS_OUT_OF_ORDER: N_("{visit} of {enterprise} is dated {date}, before {earlier} "
                              "({earlier_date}): check the dates"),
    R.NO_KPI_ROWS: N_("the enterprise has no monthly KPI rows"),
    R.MISSING_MONTH: N_("{enterprise}: month {month} is missing (left out of the models)"),
    R.IMPLAUSIBLE_JUMP: N_("{column} per {per} this month ({rate}) is more than {factor} "
                           "times away from the enterprise's median ({median}): check the "
                           "record"),
}


def number(value: float) -> str:
    """``value`` in the notation of the current language, grouped, up to six decimals."""
    from babel.numbers import format_decimal

    return format_decimal(value, format="#,##0.######", locale=current_language())


def percent(share: float) -> str:
    """A share (0.032) as the percentage a workbook shows, in the current language."""
    return number(round(share * 100, 6)) + "%"


def _values(params: Mapping[str, object]) -> dict[str, object]:
    """The params ready for a message: floats in the current language's notation."""
    return {k: number(v) if isinstance(v, float) else v for k, v in params.items()}


def render_rule(rule: R, params: Mapping[str, object]) -> str:
    """The rule of a code, in words, in the current language."""
    words = RULES[rule]
    if rule == R.NOT_A_NUMBER and params.get("decimal") == ",":
        words = N_("number with ',' decimals")
    return _(words).format_map(_Missing(_values(params)))


def render_message(rule: R, value: str, params: Mapping[str, object]) -> str:
    """The message of a finding, in the current language."""
    composed = _COMPOSED.get(rule)
    if composed is not None:
        return composed(value, _values(params), params)
    text = _(MESSAGES[rule]).format_map(_Missing(_values(params)))
    return text + _suggestion(params)


class _Missing(dict):
    """Format values; a placeholder without a value stays as written (never a KeyError)."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def _suggestion(params: Mapping[str, object], *, quoted: bool = False) -> str:
    suggestion = params.get("suggestion")
    if not suggestion:
        return ""
    shown = f"'{suggestion}'" if quoted else str(suggestion)
    return _("; did you mean {suggestion}?").format(suggestion=shown)


# --------------------------------------------------------------------------- composed messages


def _n(raw: Mapping) -> int:
    return int(raw.get("n", 1))  # type: ignore[call-overload]


def _unknown_file(value: str, shown: dict, raw: Mapping) -> str:
    return _("file is not part of the data contract and was ignored") + _suggestion(raw)


def _unknown_sheet(value: str, shown: dict, raw: Mapping) -> str:
    return (_("sheet is not part of the data contract and was ignored")
            + _suggestion(raw, quoted=True))


def _header_unknown(value: str, shown: dict, raw: Mapping) -> str:
    if raw.get("workbook"):
        return _("none of the expected columns ({columns}) is in the first row: is this the "
                 "right sheet?").format_map(_Missing(shown))
    return _("none of the expected columns ({columns}) is in the first row: is this the right "
             "file, and is it a table saved as CSV?").format_map(_Missing(shown))


def _row_too_long(value: str, shown: dict, raw: Mapping) -> str:
    text = _("row has {values} values but the header has {columns} columns").format_map(
        _Missing(shown))
    if raw.get("delimiter") == ",":
        return text + _(" (a decimal comma in a number, or a comma inside a text without "
                        "double quotes around it? use '.' for decimals and put such text in "
                        "quotes, or separate columns with ';')")
    return text + _(" (a '{separator}' inside a text without double quotes around it?)").format(
        separator=raw.get("delimiter", ""))


def _missing_column(value: str, shown: dict, raw: Mapping) -> str:
    text = _("the required column '{column}' is missing from the header").format_map(
        _Missing(shown))
    if raw.get("found"):
        text += _(" (found '{found}': rename it '{column}')").format_map(_Missing(shown))
    elif raw.get("header_row"):
        text += _(" (it appears on row {header_row}: the header must be the first row; remove "
                  "title or merged rows above it)").format_map(_Missing(shown))
    return text


def _not_a_number(value: str, shown: dict, raw: Mapping) -> str:
    return _("not a number: {fix}").format(fix=number_fix(value, raw))


def number_fix(value: str, params: Mapping[str, object]) -> str:
    """What to remove or type so that a cell that is not a number becomes one."""
    v = value.strip()
    decimal = params.get("decimal", ".")
    digits = re.sub(r"\D", "", v)
    if params.get("date") or re.fullmatch(r"\d{4}-\d{2}-\d{2}(T.*)?", v):
        return _("the cell holds a date; format it as a number in Excel and type the number")
    if "%" in v:
        return _("remove the '%' sign and type the number itself: this column is not a "
                 "percentage")
    if v.lower() in ("n/a", "na", "-", "--", "?", "none", "null", "nil", "tidak ada", "kosong",
                     "tad", "x"):
        return _("leave the cell blank when the value is not recorded")
    if v.lower().lstrip("+-") in ("inf", "infinity", "nan") or re.search(r"e\+?\d{3,}", v.lower()):
        return _("type an ordinary number with digits")
    if v.startswith(("−", "–")):
        return _("use the ordinary minus sign (-) instead of '{sign}'").format(sign=v[0])
    if re.fullmatch(r"[+-]?\d{1,3}([ \u00a0\u202f]\d{3})+([.,]\d+)?", v):
        return _("remove the spaces between the digits")
    if digits and re.search(r"[^\d\s.,+-]", v):
        return _("type the digits only, without units, currency or words")
    if params.get("workbook") and re.fullmatch(r"[+-]?\d+,\d+", v):
        return _("the cell holds text with a decimal comma; type the number as a number in "
                 "Excel, with Excel's own decimal separator")
    if v.count(".") + v.count(",") > 1:
        if decimal == ",":
            return _("type one number, with ',' for the decimals and at most one of them")
        return _("type one number, with '.' for the decimals and no thousands separators")
    if not digits:
        return _("type the number with digits (0-9), or leave the cell blank when it is not "
                 "recorded")
    if decimal == ",":
        return _("type digits only, with ',' for decimals")
    return _("type digits only, with '.' for decimals")


def _thousands(value: str, shown: dict, raw: Mapping) -> str:
    """``7.304``: 7304 or 7.304?  Both readings written as the reader writes numbers."""
    question = _("'{value}' can be read two ways: is it {thousands} (a whole number with a "
                 "thousands separator) or {decimal} (with decimals)?").format(
        value=value, thousands=number(float(raw["thousands"])),
        decimal=number(float(raw["decimal_value"])))
    if raw.get("workbook"):
        return question + " " + _("Type it as a number in Excel, without a thousands "
                                  "separator.")
    if raw.get("other"):
        question += " " + _("This file writes decimals with ',' but row {row} writes "
                            "'{other}' with '.'.").format(row=raw.get("row"),
                                                          other=raw.get("other"))
    return question + " " + _("Write it without the thousands separator.")


def _percent_cell(value: str, shown: dict, raw: Mapping) -> str:
    stored = float(raw["stored"])
    text = _("the cell is formatted as a percentage: Excel shows {shown} but stores {stored}, "
             "and {column} is not a percentage, so it would be read as {stored}. Format the "
             "cell as a number and type the value itself").format(
        shown=percent(stored), stored=number(stored), column=raw.get("column", ""))
    if raw.get("scale"):
        return text + " " + _("(a score on its scale {scale}, not a percentage)").format(
            scale=raw["scale"])
    return text + _("; did you mean {suggestion}?").format(
        suggestion=number(round(stored * 100, 6)))


def _one_of(value: str, shown: dict, raw: Mapping) -> str:
    return (_("must be one of: {choices}").format_map(_Missing(shown))
            + _suggestion(raw, quoted=True))


def _month_format(value: str, shown: dict, raw: Mapping) -> str:
    return _("not a month in the form YYYY-MM") + _suggestion(raw)


def _date_format(value: str, shown: dict, raw: Mapping) -> str:
    return (_("not a valid date (YYYY-MM-DD, or DD/MM/YYYY with the day first)")
            + _suggestion(raw))


def _enterprise_id(value: str, shown: dict, raw: Mapping) -> str:
    return (_("must be 1-40 lower-case letters, digits, '_' or '-' (no spaces, no '/' or '.')")
            + _suggestion(raw, quoted=True))


def _minimum(value: str, shown: dict, raw: Mapping) -> str:
    if float(raw.get("minimum", 0)) == 0:
        return _("must not be negative")
    return _("must be at least {minimum}").format_map(_Missing(shown))


def _unknown_enterprise(value: str, shown: dict, raw: Mapping) -> str:
    table = _("the enterprises sheet") if raw.get("workbook") else "enterprises.csv"
    return (_("unknown enterprise: add it to {table}").format(table=table)
            + _suggestion(raw, quoted=True))


def _comparison_unused(value: str, shown: dict, raw: Mapping) -> str:
    return ngettext("'{enterprise}' is a comparison enterprise: its {n} {table} row is kept "
                    "but not analysed (comparison enterprises serve only as monthly "
                    "comparison series)",
                    "'{enterprise}' is a comparison enterprise: its {n} {table} rows are kept "
                    "but not analysed (comparison enterprises serve only as monthly "
                    "comparison series)", _n(raw)).format_map(_Missing(shown))


#: Likert answers in words, in both languages, on the usual 1-5 agreement scale.
LIKERT_WORDS = {
    "strongly disagree": 1, "sangat tidak setuju": 1, "sts": 1,
    "disagree": 2, "tidak setuju": 2, "ts": 2,
    "neutral": 3, "neither agree nor disagree": 3, "netral": 3, "ragu-ragu": 3, "ragu": 3,
    "n": 3,
    "agree": 4, "setuju": 4, "s": 4,
    "strongly agree": 5, "sangat setuju": 5, "ss": 5,
}


def _answer_whole_number(value: str, shown: dict, raw: Mapping) -> str:
    text = _("the answer must be a whole number on the item's scale {scale}").format_map(
        _Missing(shown))
    if raw.get("suggestion") is not None:
        return text + ": " + _("type {number} ({word}) on the {scale} scale").format(
            number=raw["suggestion"], word=value.strip(), scale=raw.get("scale", ""))
    fix = number_fix(value, raw) if value.strip() else ""
    return text + (": " + fix if fix and not re.fullmatch(r"[+-]?[\d.,]+", value.strip())
                   else "")


def _distance(months: int) -> str:
    if months >= 24 or months % 12 == 0:
        years = round(months / 12)
        return ngettext("{n} year", "{n} years", years).format(n=years)
    return ngettext("{n} month", "{n} months", months).format(n=months)


def _month_apart(value: str, shown: dict, raw: Mapping) -> str:
    distance = _distance(int(raw["months"]))
    if raw.get("before"):
        text = _("{month}: {distance} before the other months of this enterprise: a typed "
                 "year?")
    else:
        text = _("{month}: {distance} after the other months of this enterprise: a typed year?")
    return text.format(month=raw.get("month", value), distance=distance) + _question(raw)


def _question(raw: Mapping) -> str:
    """`` did you mean 2010-04?`` after a question."""
    if not raw.get("suggestion"):
        return ""
    return " " + _("did you mean {suggestion}?").format(suggestion=raw["suggestion"])


def _start_apart(value: str, shown: dict, raw: Mapping) -> str:
    distance = _distance(int(raw["months"]))
    if raw.get("before"):
        text = _("the programme starts {distance} before the first monthly record of this "
                 "enterprise ({first}): is a year typed wrong, here or in the months?")
    else:
        text = _("the programme starts {distance} after the last monthly record of this "
                 "enterprise ({last}): is a year typed wrong, here or in the months?")
    return text.format(distance=distance, first=raw.get("first", ""), last=raw.get("last", ""))


def has_message(rule: R) -> bool:
    """Whether a rule code has its message (a template or a composed one)."""
    return rule in MESSAGES or rule in _COMPOSED


_COMPOSED: dict[R, Callable[[str, dict, Mapping], str]] = {
    R.UNKNOWN_FILE: _unknown_file,
    R.UNKNOWN_SHEET: _unknown_sheet,
    R.HEADER_UNKNOWN: _header_unknown,
    R.LINES_ABOVE_HEADER: lambda v, s, r: ngettext(
        "{n} empty line above the header ignored", "{n} empty lines above the header ignored",
        _n(r)).format_map(_Missing(s)),
    R.ROW_TOO_LONG: _row_too_long,
    R.EMPTY_ROWS: lambda v, s, r: ngettext(
        "{n} empty row ignored", "{n} empty rows ignored", _n(r)).format_map(_Missing(s)),
    R.EMPTY_COLUMNS: lambda v, s, r: ngettext(
        "{n} empty column at the end ignored", "{n} empty columns at the end ignored",
        _n(r)).format_map(_Missing(s)),
    R.WHITE_SPACE: lambda v, s, r: ngettext(
        "white space around {n} value removed", "white space around {n} values removed",
        _n(r)).format_map(_Missing(s)),
    R.MISSING_COLUMN: _missing_column,
    R.HIDDEN_ROWS: lambda v, s, r: ngettext(
        "row {rows} is hidden in Excel and was read as data: unhide it and check it",
        "rows {rows} are hidden in Excel and were read as data: unhide them and check them",
        _n(r)).format_map(_Missing(s)),
    R.NOT_A_NUMBER: _not_a_number,
    R.THOUSANDS_AMBIGUOUS: _thousands,
    R.PERCENT_CELL: _percent_cell,
    R.ONE_OF: _one_of,
    R.MONTH_FORMAT: _month_format,
    R.DATE_FORMAT: _date_format,
    R.ENTERPRISE_ID: _enterprise_id,
    R.MINIMUM: _minimum,
    R.UNKNOWN_ENTERPRISE: _unknown_enterprise,
    R.COMPARISON_ROWS_UNUSED: _comparison_unused,
    R.ANSWER_WHOLE_NUMBER: _answer_whole_number,
    R.MONTH_APART: _month_apart,
    R.START_APART: _start_apart,
}
