"""The blank Excel workbook for data entry (``score-analysis template``, docs/data_contract.md).

One sheet per table of the data contract (:mod:`score_analysis.data.contract`), with
its header, drop-down lists for the coded columns, text-formatted month and
identifier columns (so that Excel does not turn ``2010-04`` into a date), a
``codebook`` sheet that describes every column in English and Bahasa
Indonesia, and a ``readme`` sheet with the instructions.  The reader skips the
``codebook`` and ``readme`` sheets, so a filled-in template is read as it is.
"""

from __future__ import annotations

import os

from ..i18n import gettext as _
from .contract import (
    BOOLEAN_FALSE,
    BOOLEAN_TRUE,
    KIND_LABELS,
    TABLES,
    Column,
    item_rule_text,
    rule_text,
)

#: Rows of each data sheet that get the drop-down lists and formats.
ENTRY_ROWS = 5000

README = (
    ("SCORE Module 1 — data entry workbook", "SCORE Modul 1 — buku kerja entri data"),
    ("Fill in one sheet per table. Row 1 is the header: do not change, move or translate it.",
     "Isi satu lembar per tabel. Baris 1 adalah judul kolom: jangan diubah, dipindah atau "
     "diterjemahkan."),
    ("Leave a cell blank when the value is not recorded; never write 0 for 'not recorded'.",
     "Kosongkan sel bila nilainya tidak dicatat; jangan menulis 0 untuk 'tidak dicatat'."),
    ("Months as YYYY-MM (2010-04); dates as YYYY-MM-DD or DD/MM/YYYY (day first).",
     "Bulan ditulis YYYY-MM (2010-04); tanggal YYYY-MM-DD atau DD/MM/YYYY (hari dahulu)."),
    ("enterprise_id: a short code of lower-case letters, digits, _ or -; the same code in "
     "every sheet.",
     "enterprise_id: kode singkat dari huruf kecil, angka, _ atau -; kode yang sama di setiap "
     "lembar."),
    ("worker_survey: after the five columns, add one column per item_id of survey_items.",
     "worker_survey: setelah lima kolom pertama, tambahkan satu kolom per item_id dari "
     "survey_items."),
    ("Sheets enterprises and kpi_monthly are required; the others are optional.",
     "Lembar enterprises dan kpi_monthly wajib diisi; lembar lain opsional."),
    ("The codebook sheet describes every column. Check the file with: "
     "score-analysis validate --data-dir THIS_FILE.xlsx",
     "Lembar codebook menjelaskan setiap kolom. Periksa file dengan: "
     "score-analysis validate --data-dir FILE_INI.xlsx"),
)

CODEBOOK_HEADER = ("table", "column", "type", "jenis", "required", "rule",
                   "description (English)", "keterangan (Bahasa Indonesia)")


def drop_down_choices(column: Column) -> tuple[str, ...]:
    """The values offered in a column's drop-down list (empty: no list)."""
    if column.kind == "choice":
        return column.choices
    if column.kind == "boolean":
        return (BOOLEAN_TRUE[0], BOOLEAN_FALSE[0])
    return ()


def codebook_rows() -> list[tuple[str, ...]]:
    """One row per table and column: type, rule and descriptions in both languages."""
    rows = []
    for table in TABLES.values():
        rows.append((table.name, "", "table", "tabel", "yes" if table.required else "no",
                     "; ".join(table.rules), table.en, table.id))
        for col in table.columns:
            en, id_ = KIND_LABELS[col.kind]
            rows.append((table.name, col.name, en, id_, "yes" if col.required else "no",
                         rule_text(table, col), col.en, col.id))
        for item in table.items:
            en, id_ = KIND_LABELS["boolean" if item.kind == "boolean" else item.kind]
            rows.append((table.name, f"value ({item.name})", en, id_, "no",
                         item_rule_text(item), item.en, item.id))
    return rows


def template_workbook():
    """The blank data-entry workbook (an :class:`openpyxl.Workbook`, not yet saved)."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDEBF7")
    book = Workbook()
    readme = book.active
    readme.title = "readme"
    for en, id_ in README:
        readme.append((en, id_))
    readme["A1"].font = readme["B1"].font = bold
    readme.column_dimensions["A"].width = readme.column_dimensions["B"].width = 90

    for table in TABLES.values():
        sheet = book.create_sheet(table.name)
        sheet.append([c.name for c in table.columns])
        sheet.freeze_panes = "A2"
        for j, col in enumerate(table.columns, start=1):
            letter = get_column_letter(j)
            cell = sheet.cell(row=1, column=j)
            cell.font, cell.fill = bold, fill
            cell.comment = Comment(f"{col.en}\n\n{col.id}\n\n({rule_text(table, col)})",
                                   "score-analysis", width=320, height=160)
            sheet.column_dimensions[letter].width = max(14, len(col.name) + 4)
            cells = f"{letter}2:{letter}{ENTRY_ROWS}"
            if col.kind in ("text", "month", "choice"):  # kept as typed, not made a date
                sheet.column_dimensions[letter].number_format = "@"
            choices = drop_down_choices(col)
            if choices:
                rule = DataValidation(type="list", formula1='"' + ",".join(choices) + '"',
                                      allow_blank=col.nullable, showErrorMessage=True,
                                      errorTitle=f"{col.name}",
                                      error=f"Choose one of: {', '.join(choices)} / "
                                            f"Pilih salah satu: {', '.join(choices)}")
                rule.add(cells)
                sheet.add_data_validation(rule)

    codebook = book.create_sheet("codebook")
    codebook.append(CODEBOOK_HEADER)
    for row in codebook_rows():
        codebook.append(row)
        if row[1] == "":
            for cell in codebook[codebook.max_row]:
                cell.font = bold
    for j, width in enumerate((16, 24, 22, 22, 10, 60, 60, 60), start=1):
        codebook.column_dimensions[get_column_letter(j)].width = width
    for cell in codebook[1]:
        cell.font, cell.fill = bold, fill
    for row in codebook.iter_rows(min_row=2):
        for cell in row[5:]:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    codebook.freeze_panes = "A2"
    return book


def write_template(path: str | os.PathLike) -> None:
    """Write the blank data-entry workbook to ``path`` (an ``.xlsx`` name).

    Raises
    ------
    ValueError
        ``path`` does not end in ``.xlsx``, or a file is already there (a
        filled-in workbook is never overwritten).
    """
    from pathlib import Path

    from ..files import write_workbook

    target = Path(path)
    if target.suffix.lower() != ".xlsx":
        raise ValueError(_("the template's name must end in .xlsx"))
    if target.exists():
        raise ValueError(_("a file with that name exists already; choose another name (a "
                           "filled-in workbook is never overwritten)"))
    write_workbook(template_workbook(), target)
