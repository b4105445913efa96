"""One Excel workbook (``.xlsx``) with one sheet per table.

No cell is read as blank or as another value without a finding: formulas are read
as the value Excel saved with them (an error when none was saved), Excel error
values and merged ranges are errors, hidden sheets, rows and columns warnings.
Each cell's kind (number, number formatted as a percentage, date, text) is kept
beside its text, so that validation can tell a number stored as a number from
one typed as text, and a percentage from a count.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass
from pathlib import Path

from ...files import sha256_file
from ..contract import TABLES, RuleCode
from ..findings import WARNING, Finding
from .raw import (
    BOOLEAN_CELL,
    DATE_CELL,
    NUMBER_CELL,
    PERCENT_CELL,
    TEXT_CELL,
    RawData,
    RawTable,
)
from .records import header_of, records_to_frame

#: Sheets of the data-entry template that hold no data.
HELPER_SHEETS = ("codebook", "readme", "lists")


def sheet_key(sheet_name: str) -> str:
    """The table a sheet name stands for (case, spaces and a ``.csv`` ending ignored)."""
    return sheet_name.strip().lower().removesuffix(".csv")


def read_workbook(path: Path, out: RawData) -> None:
    """Read every contract sheet of the workbook at ``path`` into ``out``."""
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
        if isinstance(exc, zipfile.BadZipFile):
            out.findings.append(Finding(file=name, rule=RuleCode.NOT_XLSX))
        else:
            out.findings.append(Finding(file=name, rule=RuleCode.UNREADABLE_WORKBOOK,
                                        params={"error": exc.__class__.__name__}))
        out.unreadable.update(TABLES)
        return
    try:
        sheets = {sheet_key(s): s for s in book.sheetnames}
        for key, sheet_name in sheets.items():
            if key not in TABLES and key not in HELPER_SHEETS:
                close = get_close_matches(key.replace(" ", "_"), list(TABLES), n=1, cutoff=0.6)
                out.findings.append(Finding(
                    file=f"{name}[{sheet_name}]", rule=RuleCode.UNKNOWN_SHEET, severity=WARNING,
                    params={"suggestion": close[0]} if close else {}))
        for table, spec in TABLES.items():
            if table not in sheets:
                continue
            sheet = sheets[table]
            shown = f"{name}[{sheet}]"
            try:
                records, kinds, cells = _sheet_records(book[sheet],
                                                       formulas[sheet] if formulas else None)
            except Exception as exc:  # a damaged sheet inside a readable workbook
                out.findings.append(Finding(file=shown, rule=RuleCode.UNREADABLE_SHEET,
                                            params={"error": exc.__class__.__name__}))
                out.unreadable.add(table)
                continue
            if book[sheet].sheet_state != "visible":
                out.findings.append(Finding(file=shown, rule=RuleCode.HIDDEN_SHEET,
                                            severity=WARNING))
            start = len(out.findings)
            frame, kind_frame = records_to_frame(records, shown, ",", out.findings, spec,
                                                 kinds=kinds, workbook=True)
            header_row, header = header_of(records, spec)
            out.letters[shown] = {h: get_column_letter(j + 1) for j, h in enumerate(header) if h}
            named = functools.partial(_column_name, header)
            found, bad = [], set()
            for problem in cells:
                if problem.rule == RuleCode.MERGED_CELLS and problem.row < header_row:
                    continue  # a title above the header: reported as such
                bad.update((row, named(j)) for row, j in problem.cells)
                found.append(Finding(file=shown, row=problem.row, column=named(problem.column),
                                     value=problem.value, rule=problem.rule,
                                     params=problem.params))
            hidden = _hidden_rows(book[sheet], len(records))
            if hidden:
                found.append(Finding(file=shown, row=hidden[0], rule=RuleCode.HIDDEN_ROWS,
                                     severity=WARNING,
                                     params={"rows": _row_list(hidden), "n": len(hidden)}))
            for j, column_name in enumerate(header):
                if column_name and _column_hidden(book[sheet], j + 1):
                    found.append(Finding(file=shown, column=column_name,
                                         rule=RuleCode.HIDDEN_COLUMN, severity=WARNING))
            out.findings[start:start] = found
            if frame is None:
                out.unreadable.add(table)
                continue
            out.tables[table] = RawTable(table, shown, str(path), frame, ".", True,
                                         frozenset(bad), kind_frame)
    finally:
        book.close()
        if formulas is not None:
            formulas.close()


@dataclass(frozen=True)
class _CellProblem:
    row: int
    column: int  # 0-based column index
    value: str
    rule: RuleCode
    params: dict
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
    import zipfile

    pattern = re.compile(rb"<(?:\w+:)?f[\s>/]")
    with zipfile.ZipFile(path) as zf:
        for info in zf.infolist():
            if info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml"):
                with zf.open(info) as fh:
                    if pattern.search(fh.read()):
                        return True
    return False


def is_percent_format(number_format: str | None) -> bool:
    """Whether an Excel number format shows the value as a percentage (a ``%`` outside
    quoted text and escapes, e.g. ``0%`` or ``0.00%``, not ``"%"0`` or ``0\\%``)."""
    if not number_format:
        return False
    plain = re.sub(r'"[^"]*"|\\.|\[[^\]]*\]', "", number_format)
    return "%" in plain


def _sheet_records(sheet, formulas
                   ) -> tuple[list[list[str]], list[list[str]], list[_CellProblem]]:
    """The text and the kind of every cell of a sheet, and the cells whose value would be
    lost.

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
            rng.min_row, rng.min_col - 1, cell_text(first), RuleCode.MERGED_CELLS,
            {"cells": rng.coord},
            tuple((r, c - 1) for r in range(rng.min_row, rng.max_row + 1)
                  for c in range(rng.min_col, rng.max_col + 1))))
    records: list[list[str]] = []
    kinds: list[list[str]] = []
    for row in sheet.iter_rows():
        record, kind = [], []
        for cell in row:
            if isinstance(cell, MergedCell):
                record.append("")
                kind.append("")
                continue
            value = cell.value
            if cell.data_type == "e":
                problems.append(_CellProblem(
                    cell.row, cell.column - 1, str(value), RuleCode.EXCEL_ERROR,
                    {"error": str(value)}, ((cell.row, cell.column - 1),)))
                record.append("")
                kind.append("")
                continue
            if value is None and formulas is not None:
                formula = formulas[cell.coordinate].value
                text = getattr(formula, "text", formula)  # an ArrayFormula keeps its text
                # a formula whose saved result is empty text is marked t="str": it is blank
                saved_text = cell.data_type in ("s", "str")
                if isinstance(text, str) and text.startswith("=") and not saved_text:
                    problems.append(_CellProblem(
                        cell.row, cell.column - 1, text, RuleCode.FORMULA_WITHOUT_VALUE,
                        {"formula": text}, ((cell.row, cell.column - 1),)))
            record.append(cell_text(value))
            kind.append(_cell_kind(value, cell.number_format))
        records.append(record)
        kinds.append(kind)
    problems.sort(key=lambda p: (p.row, p.column))
    return records, kinds, problems


def _cell_kind(value: object, number_format: str | None) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return BOOLEAN_CELL
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return DATE_CELL
    if isinstance(value, (int, float)):
        return PERCENT_CELL if is_percent_format(number_format) else NUMBER_CELL
    return TEXT_CELL


def _column_name(header: list[str], j: int) -> str:
    """The name of column ``j`` (0-based) in a header, or ``#j+1`` when it has none."""
    return header[j] if j < len(header) and header[j] else f"#{j + 1}"


def cell_text(value: object) -> str:
    """A workbook cell's value as text (a whole float without its ``.0``)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    return str(value)
