"""Reading the input data: CSV files or one Excel workbook (docs/data_contract.md).

Readers return every cell as text (``""`` for blank) together with the
spreadsheet row number of each record, so that validation can name the exact
file, row and column of every problem.  The program's own files are written and
read by :mod:`score_analysis.files`.
"""

from __future__ import annotations

import csv
import datetime as _dt
import functools
import io as _io
import os
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..files import sha256_file
from ..i18n import gettext as _
from ..i18n import ngettext
from .contract import TABLES, Table
from .findings import Finding

ROW = "_row"  # the spreadsheet row of each record, kept beside the data
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_UTF8_BOM = b"\xef\xbb\xbf"
_MAX_FILE_BYTES = 200 * 1024 * 1024


@dataclass(frozen=True)
class RawTable:
    """One input table as read: text cells plus where each came from.

    ``frame`` has one column per header cell (stripped of surrounding white
    space), every value a ``str`` (``""`` for blank), and the column ``_row``
    with the spreadsheet row number.  ``decimal`` is ``"."`` or ``","``.
    """

    name: str
    source: str
    path: str
    frame: pd.DataFrame
    decimal: str = "."
    from_excel: bool = False
    #: cells already reported by the reader (``(row, column)``), not to be reported again
    bad_cells: frozenset[tuple[int, str]] = frozenset()


@dataclass
class RawData:
    """Every table read from a data directory or workbook, with read findings.

    ``unreadable`` names the tables whose file or sheet exists but could not
    be read (the reason is among ``findings``); ``workbook`` is the name of
    the workbook when the tables came from one.
    """

    tables: dict[str, RawTable] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    files: dict[str, str] = field(default_factory=dict)  # shown name -> sha256
    unreadable: set[str] = field(default_factory=set)
    workbook: str | None = None
    #: for each sheet shown in findings, the column letter of each header name
    letters: dict[str, dict[str, str]] = field(default_factory=dict)

    def shown_name(self, table: str) -> str:
        """How a table's file or sheet is named in findings."""
        if self.workbook is not None:
            return f"{self.workbook}[{table}]"
        return TABLES[table].file_name


# --------------------------------------------------------------------------- reading


def read_raw(data: str | os.PathLike) -> RawData:
    """Read every contract table from a directory of CSV files or a workbook.

    A directory may hold the CSV files of docs/data_contract.md, or, when it holds none of
    them, exactly one ``.xlsx`` workbook with one sheet per table.  ``data``
    may also name the workbook itself.  Problems are returned as findings,
    never raised.
    """
    path = Path(data)
    out = RawData()
    if not path.exists():
        out.findings.append(Finding(path.name or str(path), None, "", "",
                                    "data location exists", "error",
                                    _("no such file or directory: {path}")
                                    .format(path=path)))
        out.unreadable.update(TABLES)
        return out
    if path.is_file():
        if path.suffix.lower() in (".xlsx", ".xlsm"):
            _read_workbook(path, out)
        else:
            out.findings.append(Finding(path.name, None, "", "", "data is a directory or .xlsx",
                                        "error", _("give a directory of CSV files or an .xlsx "
                                                   "workbook")))
            out.unreadable.update(TABLES)
        return out
    try:
        entries = sorted(p for p in path.iterdir() if p.is_file())
    except OSError as exc:
        out.findings.append(Finding(path.name or str(path), None, "", "", "readable directory",
                                    "error", _("the directory cannot be read ({error})")
                                    .format(error=exc.strerror or exc)))
        out.unreadable.update(TABLES)
        return out
    csvs = {p.name: p for p in entries
            if p.suffix.lower() == ".csv" and not p.name.startswith((".", "~$"))}
    books = [p for p in entries
             if p.suffix.lower() in (".xlsx", ".xlsm") and not p.name.startswith(("~$", "."))]
    known = {t.file_name: t.name for t in TABLES.values()}
    if not any(name in known for name in csvs) and books:
        if len(books) > 1:
            out.findings.append(Finding(path.name, None, "", ", ".join(b.name for b in books),
                                        "one workbook per data directory", "error",
                                        _("several workbooks found; keep only one")))
            out.unreadable.update(TABLES)
            return out
        _read_workbook(books[0], out)
        return out
    for name, p in csvs.items():
        if name not in known:
            lowered = {k.lower(): k for k in known}
            hint = (_("; did you mean {suggestion}?").format(suggestion=lowered[name.lower()])
                    if name.lower() in lowered else "")
            out.findings.append(Finding(name, None, "", "", "known table names", "warning",
                                        _("file is not part of the data contract and was "
                                          "ignored") + hint))
            continue
        try:
            table = _read_csv(p, known[name], out.findings)
            out.files[name] = sha256_file(p)
        except OSError as exc:
            out.findings.append(Finding(name, None, "", "", "readable file", "error",
                                        _("the file cannot be read ({error})")
                                        .format(error=exc.strerror or exc)))
            table = None
        if table is not None:
            out.tables[table.name] = table
        else:
            out.unreadable.add(known[name])
    return out


def _read_csv(path: Path, table: str, findings: list[Finding]) -> RawTable | None:
    name = path.name
    size = path.stat().st_size
    if size > _MAX_FILE_BYTES:
        findings.append(Finding(name, None, "", f"{size} bytes", "file size at most 200 MB",
                                "error", _("file is too large to be a table of this contract")))
        return None
    raw = path.read_bytes()
    if raw.startswith(b"PK\x03\x04"):
        findings.append(Finding(name, None, "", "", "CSV text file", "error",
                                _("this is an Excel workbook with a .csv name; save it as CSV "
                                  "or rename it .xlsx")))
        return None
    text = _decode(raw, name, findings)
    if text is None:
        return None
    if not text.strip():
        findings.append(Finding(name, None, "", "", "file has a header row", "error",
                                _("file is empty")))
        return None
    delimiter = _sniff_delimiter(text)
    decimal = "," if delimiter == ";" else "."
    if csv.field_size_limit() < _MAX_FILE_BYTES:  # a long cell is a rule break, not a crash
        csv.field_size_limit(_MAX_FILE_BYTES)
    records: list[list[str]] = []
    reader = csv.reader(_io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        for record in reader:
            records.append(record)
    except csv.Error as exc:
        findings.append(Finding(name, len(records) + 1, "", "", "readable CSV", "error",
                                _("the row cannot be read: a quote (\") is not closed, or is "
                                  "followed by other text in the same cell ({error})")
                                .format(error=exc)))
        return None
    frame = _records_to_frame(records, name, delimiter, findings, TABLES[table])
    if frame is None:
        return None
    return RawTable(table, name, str(path), frame, decimal)


def _decode(raw: bytes, name: str, findings: list[Finding]) -> str | None:
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = raw.decode("utf-16")
        except UnicodeDecodeError:
            pass
        else:
            findings.append(Finding(name, None, "", "", "UTF-8 encoding", "info",
                                    _("file is UTF-16 text; read as UTF-16")))
            return text
    if b"\x00" in raw[:65536]:
        findings.append(Finding(name, None, "", "", "CSV text file", "error",
                                _("file is binary, not a CSV text file")))
        return None
    if raw.startswith(_UTF8_BOM):
        raw = raw[len(_UTF8_BOM):]
        findings.append(Finding(name, None, "", "", "UTF-8 encoding", "info",
                                _("byte-order mark (BOM) removed")))
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        text = raw.decode("cp1252")
    except UnicodeDecodeError:
        findings.append(Finding(name, None, "", "", "UTF-8 encoding", "error",
                                _("file is neither UTF-8 nor Windows-1252 text")))
        return None
    findings.append(Finding(name, None, "", "", "UTF-8 encoding", "warning",
                            _("file is not UTF-8; read as Windows-1252 (cp1252): check accented "
                              "characters, and save as 'CSV UTF-8' next time")))
    return text


def _sniff_delimiter(text: str) -> str:
    header = next((line for line in text.splitlines() if line.strip()), "")
    counts = {d: _count_outside_quotes(header, d) for d in (",", ";", "\t")}
    if counts[";"] > 0 and counts[";"] >= counts[","]:
        return ";"
    if counts["\t"] > counts[","]:
        return "\t"
    return ","


def _count_outside_quotes(line: str, char: str) -> int:
    n, quoted = 0, False
    for c in line:
        if c == '"':
            quoted = not quoted
        elif c == char and not quoted:
            n += 1
    return n


def _records_to_frame(records: list[list[str]], name: str, delimiter: str,
                      findings: list[Finding], spec: Table) -> pd.DataFrame | None:
    """Turn CSV records (header first) into a text frame with a ``_row`` column.

    Rows are numbered as a spreadsheet shows them (header = 1).  Blank lines
    above the header, empty rows, empty columns at the end and white space
    around values are removed and logged as ``info``; a header that is not on
    the first row (a title or merged rows above it), unnamed or repeated
    columns and rows longer than the header are errors.
    """
    numbered = [(i + 1, r) for i, r in enumerate(records)]
    # the header is the first row with any content; blank lines above it are noise
    while numbered and not any(c.strip() for c in numbered[0][1]):
        numbered.pop(0)
    if not numbered:
        findings.append(Finding(name, None, "", "", "file has a header row", "error",
                                _("file is empty")))
        return None
    header_row, header = numbered[0]
    header = [h.strip().lstrip("\ufeff").strip() for h in header]
    empty_columns = 0
    while header and header[-1] == "":
        header.pop()
        empty_columns += 1
    if not _has_expected_columns(header, spec):
        later = next((row for row, rec in numbered[1:11]
                      if _has_expected_columns([c.strip() for c in rec], spec)), None)
        if later is not None:
            findings.append(Finding(name, later, "", "", "header on row 1", "error",
                                    _("the header is on row {row}, not on the first row: "
                                      "remove the title or merged rows above it")
                                    .format(row=later)))
        else:
            findings.append(Finding(name, header_row, "", delimiter.join(header),
                                    "header with the table's columns", "error",
                                    _("none of the expected columns ({columns}) is in the "
                                      "first row: is this the right file, and is it a table "
                                      "saved as CSV?").format(columns=", ".join(
                                          c.name for c in spec.columns if c.required))))
        return None
    if header_row != 1:
        findings.append(Finding(name, header_row, "", "", "header on row 1", "info",
                                ngettext("{n} empty line above the header ignored",
                                         "{n} empty lines above the header ignored",
                                         header_row - 1).format(n=header_row - 1)))
    width = len(header)
    ok = True
    for j, h in enumerate(header):
        if h == "":
            findings.append(Finding(name, header_row, f"#{j + 1}", "",
                                    "every column has a name", "error",
                                    _("column {number} has no name in the header")
                                    .format(number=j + 1)))
            ok = False
    seen: set[str] = set()
    for h in header:
        if h and h in seen:
            findings.append(Finding(name, header_row, h, h, "column names are unique", "error",
                                    _("the column appears more than once in the header")))
            ok = False
        seen.add(h)
    if ROW in seen:
        findings.append(Finding(name, header_row, ROW, ROW, "column names are unique", "error",
                                _("'{name}' is a reserved column name: rename the column")
                                .format(name=ROW)))
        ok = False
    if not ok:
        return None
    rows: list[list[str]] = []
    numbers: list[int] = []
    stripped: dict[str, int] = {}
    unnamed: dict[int, int] = {}  # column index -> first row with a value under no name
    empty_rows = 0
    trailing = empty_columns
    for row_no, rec in numbered[1:]:
        cells = [c.strip() for c in rec]
        if not any(cells):
            empty_rows += 1
            continue
        if len(cells) > width:
            extra = cells[width:]
            if any(extra[:empty_columns]) and not any(extra[empty_columns:]):
                for j, cell in enumerate(extra[:empty_columns]):
                    if cell:
                        unnamed.setdefault(width + j, row_no)
                continue
            if any(extra):
                hint = (_(" (a decimal comma in a number, or a comma inside a text without "
                          "double quotes around it? use '.' for decimals and put such text in "
                          "quotes, or separate columns with ';')") if delimiter == "," else
                        _(" (a '{separator}' inside a text without double quotes around it?)")
                        .format(separator=delimiter))
                findings.append(Finding(name, row_no, "", delimiter.join(rec)[:80],
                                        "same number of columns as the header", "error",
                                        _("row has {values} values but the header has "
                                          "{columns} columns").format(values=len(cells),
                                                                      columns=width) + hint))
                continue
            trailing = max(trailing, len(cells) - width)
            cells = cells[:width]
        cells = cells + [""] * (width - len(cells))
        for col, raw_cell, cell in zip(header, rec, cells, strict=False):
            if raw_cell != cell:
                stripped[col] = stripped.get(col, 0) + 1
        rows.append(cells)
        numbers.append(row_no)
    for j, first in sorted(unnamed.items()):
        findings.append(Finding(name, header_row, f"#{j + 1}", "", "every column has a name",
                                "error", _("column {number} has no name in the header but has "
                                           "values (the first on row {row})")
                                .format(number=j + 1, row=first)))
    if unnamed:
        return None
    if empty_rows:
        findings.append(Finding(name, None, "", "", "no empty rows", "info",
                                ngettext("{n} empty row ignored", "{n} empty rows ignored",
                                         empty_rows).format(n=empty_rows)))
    if trailing:
        findings.append(Finding(name, None, "", "", "no empty columns", "info",
                                ngettext("{n} empty column at the end ignored",
                                         "{n} empty columns at the end ignored", trailing)
                                .format(n=trailing)))
    for col, n in stripped.items():
        findings.append(Finding(name, None, col, "", "no surrounding white space", "info",
                                ngettext("white space around {n} value removed",
                                         "white space around {n} values removed", n)
                                .format(n=n)))
    frame = pd.DataFrame(rows, columns=header, dtype=object)
    frame[ROW] = numbers
    return frame


def _has_expected_columns(header: list[str], spec: Table) -> bool:
    """Whether a row names at least one of the table's columns (so it is the header)."""
    names = set(spec.column_names)
    return any(h.lower().replace(" ", "_") in names for h in header)


#: Sheets of the data-entry template that hold no data.
HELPER_SHEETS = ("codebook", "readme", "lists")


def _sheet_key(sheet_name: str) -> str:
    return sheet_name.strip().lower().removesuffix(".csv")


def _read_workbook(path: Path, out: RawData) -> None:
    import zipfile
    from difflib import get_close_matches

    from openpyxl import load_workbook
    from openpyxl.utils import get_column_letter

    name = path.name
    out.workbook = name
    try:
        out.files[name] = sha256_file(path)
        # full (not read-only) mode: merged ranges, hidden rows and cell types are needed
        book = load_workbook(path, data_only=True)
        formulas = load_workbook(path, data_only=False) if _has_formulas(path) else None
    except Exception as exc:  # openpyxl raises many kinds on a damaged file
        kind = (_("not an Excel .xlsx workbook") if isinstance(exc, zipfile.BadZipFile)
                else _("the workbook cannot be read ({error})").format(
                    error=exc.__class__.__name__))
        out.findings.append(Finding(name, None, "", "", "readable .xlsx workbook", "error",
                                    _("{problem}; save it again from Excel as .xlsx, or give a "
                                      "directory of CSV files").format(problem=kind)))
        out.unreadable.update(TABLES)
        return
    try:
        sheets = {_sheet_key(s): s for s in book.sheetnames}
        for sheet_key, sheet_name in sheets.items():
            if sheet_key not in TABLES and sheet_key not in HELPER_SHEETS:
                close = get_close_matches(sheet_key.replace(" ", "_"), list(TABLES), n=1,
                                          cutoff=0.6)
                hint = (_("; did you mean '{suggestion}'?").format(suggestion=close[0])
                        if close else "")
                out.findings.append(Finding(f"{name}[{sheet_name}]", None, "", "",
                                            "known sheet names", "warning",
                                            _("sheet is not part of the data contract and was "
                                              "ignored") + hint))
        for table, spec in TABLES.items():
            if table not in sheets:
                continue
            sheet = sheets[table]
            shown = f"{name}[{sheet}]"
            try:
                records, cells = _sheet_records(book[sheet],
                                                formulas[sheet] if formulas else None)
            except Exception as exc:  # a damaged sheet inside a readable workbook
                out.findings.append(Finding(shown, None, "", "", "readable .xlsx workbook",
                                            "error", _("the sheet cannot be read ({error})")
                                            .format(error=exc.__class__.__name__)))
                out.unreadable.add(table)
                continue
            if book[sheet].sheet_state != "visible":
                out.findings.append(Finding(shown, None, "", "", "visible sheet", "warning",
                                            _("the sheet is hidden in Excel; its rows were read "
                                              "as data: unhide it and check them")))
            start = len(out.findings)
            frame = _records_to_frame(records, shown, ",", out.findings, spec)
            header_row, header = _header_of(records, spec)
            letters = {h: get_column_letter(j + 1) for j, h in enumerate(header) if h}
            out.letters[shown] = letters
            named = functools.partial(_column_name, header)
            found, bad = [], set()
            for problem in cells:
                if problem.rule == "no merged cells" and problem.row < header_row:
                    continue  # a title above the header: reported as such
                column = named(problem.column)
                bad.update((row, named(j)) for row, j in problem.cells)
                found.append(Finding(shown, problem.row, column, problem.value, problem.rule,
                                     "error", problem.message))
            hidden = _hidden_rows(book[sheet], len(records))
            if hidden:
                found.append(Finding(shown, hidden[0], "", "", "visible rows", "warning",
                                     ngettext("row {rows} is hidden in Excel and was read as "
                                              "data: unhide it and check it",
                                              "rows {rows} are hidden in Excel and were read as "
                                              "data: unhide them and check them", len(hidden))
                                     .format(rows=_row_list(hidden))))
            for j, column_name in enumerate(header):
                if column_name and _column_hidden(book[sheet], j + 1):
                    found.append(Finding(shown, None, column_name, "", "visible columns",
                                         "warning",
                                         _("the column is hidden in Excel and was read as "
                                           "data: unhide it and check it")))
            out.findings[start:start] = found
            if frame is None:
                out.unreadable.add(table)
                continue
            out.tables[table] = RawTable(table, shown, str(path), frame, ".", True,
                                         frozenset(bad))
    finally:
        book.close()
        if formulas is not None:
            formulas.close()


@dataclass(frozen=True)
class _CellProblem:
    row: int
    column: int  # 0-based column index
    value: str
    rule: str
    message: str
    cells: tuple[tuple[int, int], ...] = ()  # every (row, column index) whose value is lost


def _hidden_rows(sheet, n_rows: int) -> list[int]:
    """The rows (1-based) up to ``n_rows`` that Excel hides."""
    return sorted(r for r, dim in sheet.row_dimensions.items()
                  if dim.hidden and 1 <= r <= n_rows)


def _column_hidden(sheet, number: int) -> bool:
    """Whether Excel hides column ``number`` (1-based), alone or in a hidden range."""
    from openpyxl.utils import get_column_letter

    for dim in sheet.column_dimensions.values():
        if dim.hidden and (dim.min or 0) <= number <= (dim.max or 0):
            return True
    dim = sheet.column_dimensions.get(get_column_letter(number))
    return bool(dim is not None and dim.hidden)


def _row_list(rows: list[int], limit: int = 5) -> str:
    shown = ", ".join(str(r) for r in rows[:limit])
    return shown + (", …" if len(rows) > limit else "")


def _has_formulas(path: Path) -> bool:
    """Whether any worksheet of the workbook holds a formula (a ``<f>`` element)."""
    import re
    import zipfile

    pattern = re.compile(rb"<(?:\w+:)?f[\s>/]")
    with zipfile.ZipFile(path) as zf:
        for info in zf.infolist():
            if info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml"):
                with zf.open(info) as fh:
                    if pattern.search(fh.read()):
                        return True
    return False


def _sheet_records(sheet, formulas) -> tuple[list[list[str]], list[_CellProblem]]:
    """The text of every row of a sheet, and the cells whose value would be lost.

    A formula is read as the value Excel computed and saved with it; a formula
    saved without that value (by a program that does not calculate, or with
    calculation turned off), an Excel error value (``#N/A``, ``#DIV/0!``, …) and
    a merged range holding a value (its other cells would read as blank) are
    errors, so that no value silently becomes blank.
    """
    from openpyxl.cell.cell import MergedCell

    problems: list[_CellProblem] = []
    for rng in sheet.merged_cells.ranges:
        first = sheet.cell(rng.min_row, rng.min_col).value
        if first is None or str(first).strip() == "":
            continue
        problems.append(_CellProblem(
            rng.min_row, rng.min_col - 1, _cell_text(first), "no merged cells",
            _("the cells {cells} are merged: only the first holds the value and the others "
              "would be read as blank; unmerge them and type the value in every cell")
            .format(cells=rng.coord),
            tuple((r, c - 1) for r in range(rng.min_row, rng.max_row + 1)
                  for c in range(rng.min_col, rng.max_col + 1))))
    records: list[list[str]] = []
    for row in sheet.iter_rows():
        record = []
        for cell in row:
            if isinstance(cell, MergedCell):
                record.append("")
                continue
            value = cell.value
            if cell.data_type == "e":
                problems.append(_CellProblem(
                    cell.row, cell.column - 1, str(value), "no Excel error values",
                    _("the cell holds the Excel error {error} (the formula or the value "
                      "that was pasted failed): correct it or leave the cell blank")
                    .format(error=value),
                    ((cell.row, cell.column - 1),)))
                record.append("")
                continue
            if value is None and formulas is not None:
                formula = formulas[cell.coordinate].value
                text = getattr(formula, "text", formula)  # an ArrayFormula keeps its text
                # a formula whose saved result is empty text is marked t="str": it is blank
                saved_text = cell.data_type in ("s", "str")
                if isinstance(text, str) and text.startswith("=") and not saved_text:
                    problems.append(_CellProblem(
                        cell.row, cell.column - 1, text, "formula with its computed value",
                        _("the cell holds the formula {formula} but no computed value was "
                          "saved with it: open and save the workbook in Excel, or type the "
                          "value").format(formula=text),
                        ((cell.row, cell.column - 1),)))
            record.append(_cell_text(value))
        records.append(record)
    problems.sort(key=lambda p: (p.row, p.column))
    return records, problems


def _column_name(header: list[str], j: int) -> str:
    """The name of column ``j`` (0-based) in a header, or ``#j+1`` when it has none."""
    return header[j] if j < len(header) and header[j] else f"#{j + 1}"


def _header_of(records: list[list[str]], spec: Table) -> tuple[int, list[str]]:
    """The row number and cells of a sheet's header: the first row with any content, or
    (when a title stands above it) the first of the next ten that names the table's columns."""
    filled = [(i + 1, [c.strip() for c in rec]) for i, rec in enumerate(records)
              if any(c.strip() for c in rec)]
    if not filled:
        return 1, []
    for row, cells in filled[:11]:
        if _has_expected_columns(cells, spec):
            return row, cells
    return filled[0]


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, _dt.datetime):
        return value.date().isoformat() if value.time() == _dt.time() else value.isoformat()
    if isinstance(value, _dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    return str(value)


# --------------------------------------------------------------------------- places


def column_letters(data: str | os.PathLike) -> tuple[dict[str, dict[str, str]], str | None]:
    """For a workbook (or a directory holding one and no contract CSV files): the column
    letter of each header name of each contract sheet, keyed as findings name the sheet
    (``book.xlsx[kpi_monthly]``), and the workbook's name.  ``({}, None)`` for CSV files
    or when the workbook cannot be read."""
    path = Path(data)
    if path.is_dir():
        known = {t.file_name for t in TABLES.values()}
        entries = [p for p in path.iterdir() if p.is_file()]
        if any(p.name in known for p in entries):
            return {}, None
        books = [p for p in entries if p.suffix.lower() in (".xlsx", ".xlsm")
                 and not p.name.startswith(("~$", "."))]
        if len(books) != 1:
            return {}, None
        path = books[0]
    if path.suffix.lower() not in (".xlsx", ".xlsm") or not path.is_file():
        return {}, None
    from openpyxl import load_workbook
    from openpyxl.utils import get_column_letter

    letters: dict[str, dict[str, str]] = {}
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception:  # the reader has reported why already
        return {}, path.name
    try:
        for sheet_name in book.sheetnames:
            spec = TABLES.get(_sheet_key(sheet_name))
            if spec is None:
                continue
            records = [[_cell_text(v) for v in row] for row in
                       book[sheet_name].iter_rows(max_row=12, values_only=True)]
            _, header = _header_of(records, spec)
            letters[f"{path.name}[{sheet_name}]"] = {
                h: get_column_letter(j + 1) for j, h in enumerate(header) if h}
    finally:
        book.close()
    return letters, path.name
