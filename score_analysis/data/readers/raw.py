"""The tables as read: text cells, the spreadsheet row of each record, and (for a
workbook) what kind of cell each value came from."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from ..contract import TABLES
from ..findings import Finding

ROW = "_row"  # the spreadsheet row of each record, kept beside the data

#: The kinds of workbook cells recorded in :attr:`RawTable.kinds`.
NUMBER_CELL, PERCENT_CELL, DATE_CELL, TEXT_CELL, BOOLEAN_CELL = "n", "%", "d", "s", "b"


@dataclass(frozen=True)
class RawTable:
    """One input table as read: text cells plus where each came from.

    ``frame`` has one column per header cell (stripped of surrounding white
    space), every value a ``str`` (``""`` for blank), and the column ``_row``
    with the spreadsheet row number.  ``decimal`` is ``"."`` or ``","``.  For a
    workbook, ``kinds`` has the same index and columns as ``frame`` (without
    ``_row``) and tells what each cell held: ``"n"`` a number, ``"%"`` a number
    formatted as a percentage, ``"d"`` a date, ``"s"`` text, ``"b"`` TRUE/FALSE,
    ``""`` nothing; for a CSV file it is ``None``.
    """

    name: str
    source: str
    path: str
    frame: pd.DataFrame
    decimal: str = "."
    from_excel: bool = False
    #: cells already reported by the reader (``(row, column)``), not to be reported again
    bad_cells: frozenset[tuple[int, str]] = frozenset()
    kinds: pd.DataFrame | None = None


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
