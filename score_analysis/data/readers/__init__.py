"""Reading the input data: CSV files or one Excel workbook (docs/data_contract.md).

Readers return every cell as text (``""`` for blank) together with the
spreadsheet row number of each record, so that validation can name the exact
file, row and column of every problem; for a workbook, also the kind of each
cell (a number, a percentage, a date, text).  The program's own files are
written and read by :mod:`score_analysis.files`.

- :mod:`.raw` — :class:`RawTable` and :class:`RawData`, what the readers return;
- :mod:`.records` — rows of cells into a text frame (header, rows, cleaned noise);
- :mod:`.csv_files` — CSV files (encoding, separator, decimal mark);
- :mod:`.workbook` — one ``.xlsx`` workbook with one sheet per table.
"""

from __future__ import annotations

import os
from pathlib import Path

from ...files import sha256_file
from ..contract import TABLES, RuleCode
from ..findings import WARNING, Finding
from .csv_files import read_csv_table
from .raw import ROW, RawData, RawTable
from .records import header_of
from .workbook import HELPER_SHEETS, cell_text, read_workbook, sheet_key

__all__ = ["HELPER_SHEETS", "ROW", "RawData", "RawTable", "cell_text", "column_letters",
           "read_raw"]


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
        out.findings.append(Finding(file=path.name or str(path), rule=RuleCode.DATA_LOCATION,
                                    params={"path": str(path)}))
        out.unreadable.update(TABLES)
        return out
    if path.is_file():
        if path.suffix.lower() in (".xlsx", ".xlsm"):
            read_workbook(path, out)
        else:
            out.findings.append(Finding(file=path.name, rule=RuleCode.DATA_KIND))
            out.unreadable.update(TABLES)
        return out
    try:
        entries = sorted(p for p in path.iterdir() if p.is_file())
    except OSError as exc:
        out.findings.append(Finding(file=path.name or str(path),
                                    rule=RuleCode.READABLE_DIRECTORY,
                                    params={"error": str(exc.strerror or exc)}))
        out.unreadable.update(TABLES)
        return out
    csvs = {p.name: p for p in entries
            if p.suffix.lower() == ".csv" and not p.name.startswith((".", "~$"))}
    books = [p for p in entries
             if p.suffix.lower() in (".xlsx", ".xlsm") and not p.name.startswith(("~$", "."))]
    known = {t.file_name: t.name for t in TABLES.values()}
    if not any(name in known for name in csvs) and books:
        if len(books) > 1:
            out.findings.append(Finding(file=path.name, value=", ".join(b.name for b in books),
                                        rule=RuleCode.ONE_WORKBOOK))
            out.unreadable.update(TABLES)
            return out
        read_workbook(books[0], out)
        return out
    for name, p in csvs.items():
        if name not in known:
            lowered = {k.lower(): k for k in known}
            out.findings.append(Finding(
                file=name, rule=RuleCode.UNKNOWN_FILE, severity=WARNING,
                params={"suggestion": lowered[name.lower()]} if name.lower() in lowered else {}))
            continue
        try:
            table = read_csv_table(p, known[name], out.findings)
            out.files[name] = sha256_file(p)
        except OSError as exc:
            out.findings.append(Finding(file=name, rule=RuleCode.READABLE_FILE,
                                        params={"error": str(exc.strerror or exc)}))
            table = None
        if table is not None:
            out.tables[table.name] = table
        else:
            out.unreadable.add(known[name])
    return out


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
            spec = TABLES.get(sheet_key(sheet_name))
            if spec is None:
                continue
            records = [[cell_text(v) for v in row] for row in
                       book[sheet_name].iter_rows(max_row=12, values_only=True)]
            _, header = header_of(records, spec)
            letters[f"{path.name}[{sheet_name}]"] = {
                h: get_column_letter(j + 1) for j, h in enumerate(header) if h}
    finally:
        book.close()
    return letters, path.name
