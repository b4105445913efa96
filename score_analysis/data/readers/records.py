"""Rows of cells (a CSV file's records or a sheet's rows) into a text frame: the header,
the spreadsheet row of each record, and the noise that is cleaned and logged."""

from __future__ import annotations

import pandas as pd

from ..contract import RuleCode, Table
from ..findings import INFO, Finding
from .raw import ROW


def has_expected_columns(header: list[str], spec: Table) -> bool:
    """Whether a row names at least one of the table's columns (so it is the header)."""
    names = set(spec.column_names)
    return any(h.lower().replace(" ", "_") in names for h in header)


def header_of(records: list[list[str]], spec: Table) -> tuple[int, list[str]]:
    """The row number and cells of a sheet's header: the first row with any content, or
    (when a title stands above it) the first of the next ten that names the table's columns."""
    filled = [(i + 1, [c.strip() for c in rec]) for i, rec in enumerate(records)
              if any(c.strip() for c in rec)]
    if not filled:
        return 1, []
    for row, cells in filled[:11]:
        if has_expected_columns(cells, spec):
            return row, cells
    return filled[0]


def records_to_frame(records: list[list[str]], name: str, delimiter: str,
                     findings: list[Finding], spec: Table, *,
                     kinds: list[list[str]] | None = None, workbook: bool = False,
                     ) -> tuple[pd.DataFrame | None, pd.DataFrame | None]:
    """Turn records (header first) into a text frame with a ``_row`` column, and (when
    ``kinds`` gives the kind of each cell) the frame of cell kinds beside it.

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
        findings.append(Finding(file=name, rule=RuleCode.EMPTY_FILE))
        return None, None
    header_row, header = numbered[0]
    header = [h.strip().lstrip("\ufeff").strip() for h in header]
    empty_columns = 0
    while header and header[-1] == "":
        header.pop()
        empty_columns += 1
    if not has_expected_columns(header, spec):
        later = next((row for row, rec in numbered[1:11]
                      if has_expected_columns([c.strip() for c in rec], spec)), None)
        if later is not None:
            findings.append(Finding(file=name, row=later, rule=RuleCode.HEADER_NOT_FIRST,
                                    params={"row": later}))
        else:
            findings.append(Finding(
                file=name, row=header_row, value=delimiter.join(header),
                rule=RuleCode.HEADER_UNKNOWN,
                params={"columns": ", ".join(c.name for c in spec.columns if c.required),
                        "workbook": workbook}))
        return None, None
    if header_row != 1:
        findings.append(Finding(file=name, row=header_row, rule=RuleCode.LINES_ABOVE_HEADER,
                                severity=INFO, params={"n": header_row - 1}))
    width = len(header)
    ok = True
    for j, h in enumerate(header):
        if h == "":
            findings.append(Finding(file=name, row=header_row, column=f"#{j + 1}",
                                    rule=RuleCode.UNNAMED_COLUMN, params={"number": j + 1}))
            ok = False
    seen: set[str] = set()
    for h in header:
        if h and h in seen:
            findings.append(Finding(file=name, row=header_row, column=h, value=h,
                                    rule=RuleCode.DUPLICATE_COLUMN))
            ok = False
        seen.add(h)
    if ROW in seen:
        findings.append(Finding(file=name, row=header_row, column=ROW, value=ROW,
                                rule=RuleCode.RESERVED_COLUMN, params={"name": ROW}))
        ok = False
    if not ok:
        return None, None
    kind_of = {i + 1: k for i, k in enumerate(kinds)} if kinds is not None else None
    rows: list[list[str]] = []
    row_kinds: list[list[str]] = []
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
                findings.append(Finding(
                    file=name, row=row_no, value=delimiter.join(rec)[:80],
                    rule=RuleCode.ROW_TOO_LONG,
                    params={"values": len(cells), "columns": width, "delimiter": delimiter}))
                continue
            trailing = max(trailing, len(cells) - width)
            cells = cells[:width]
        cells = cells + [""] * (width - len(cells))
        for col, raw_cell, cell in zip(header, rec, cells, strict=False):
            if raw_cell != cell:
                stripped[col] = stripped.get(col, 0) + 1
        rows.append(cells)
        if kind_of is not None:
            k = list(kind_of.get(row_no, []))[:width]
            row_kinds.append(k + [""] * (width - len(k)))
        numbers.append(row_no)
    for j, first in sorted(unnamed.items()):
        findings.append(Finding(file=name, row=header_row, column=f"#{j + 1}",
                                rule=RuleCode.UNNAMED_COLUMN_VALUES,
                                params={"number": j + 1, "row": first}))
    if unnamed:
        return None, None
    if empty_rows:
        findings.append(Finding(file=name, rule=RuleCode.EMPTY_ROWS, severity=INFO,
                                params={"n": empty_rows}))
    if trailing:
        findings.append(Finding(file=name, rule=RuleCode.EMPTY_COLUMNS, severity=INFO,
                                params={"n": trailing}))
    for col, n in stripped.items():
        findings.append(Finding(file=name, column=col, rule=RuleCode.WHITE_SPACE,
                                severity=INFO, params={"n": n}))
    frame = pd.DataFrame(rows, columns=header, dtype=object)
    frame[ROW] = numbers
    kind_frame = (pd.DataFrame(row_kinds, columns=header, dtype=object)
                  if kind_of is not None else None)
    return frame, kind_frame
