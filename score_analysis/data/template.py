"""The blank Excel workbook for data entry (``score-analysis template``, docs/data_contract.md).

One sheet per table of the data contract (:mod:`score_analysis.data.contract`), with
its header, drop-down lists for the coded columns, text-formatted month and
identifier columns (so that Excel does not turn ``2010-04`` into a date), a
``codebook`` sheet that describes every column (and every item of the
implementation records), a ``readme`` sheet with the instructions in both languages
(the current one in the first column, each column headed by its language's name), and a
hidden ``lists`` sheet holding the drop-down lists.  The codebook's headings, types,
rules and yes/no, the drop-downs and their messages are in the current language (the
Indonesian drop-downs offer ``sort (ringkas)``, which validation reads as ``sort``); the
descriptions are in both languages, the other language's marked with its name.  The reader
skips the ``codebook``, ``readme`` and ``lists`` sheets, so a filled-in template is
read as it is.
"""

from __future__ import annotations

import os

from ..i18n import current_language, pgettext
from ..i18n import gettext as _
from .contract import (
    TABLES,
    Column,
    drop_down_entry,
    item_rule_text,
    kind_label,
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
    ("Type counts and amounts as numbers, never as percentages (no % sign or % format).",
     "Ketik jumlah sebagai angka, jangan sebagai persentase (tanpa tanda % atau format %)."),
    ("Months as YYYY-MM (2010-04); dates as YYYY-MM-DD or DD/MM/YYYY (day first).",
     "Bulan ditulis YYYY-MM (2010-04); tanggal YYYY-MM-DD atau DD/MM/YYYY (hari dahulu)."),
    ("enterprise_id: a short code of lower-case letters, digits, _ or -; the same code in "
     "every sheet.",
     "enterprise_id: kode singkat dari huruf kecil, angka, _ atau -; kode yang sama di setiap "
     "lembar."),
    ("enterprises: role is programme (blank) or comparison; a comparison enterprise leaves "
     "intervention_month blank and needs only its kpi_monthly rows.",
     "enterprises: role diisi programme (atau kosong) atau comparison (pembanding); perusahaan "
     "pembanding mengosongkan intervention_month dan cukup mengisi baris kpi_monthly."),
    ("worker_survey: after the five columns, add one column per item_id of survey_items.",
     "worker_survey: setelah lima kolom pertama, tambahkan satu kolom per item_id dari "
     "survey_items."),
    ("implementation: one row per enterprise, visit and item, as the trainer recorded it at "
     "each visit.",
     "implementation: satu baris per perusahaan, kunjungan dan butir, sesuai catatan pelatih "
     "pada setiap kunjungan."),
    ("Sheets enterprises and kpi_monthly are required; the others are optional.",
     "Lembar enterprises dan kpi_monthly wajib diisi; lembar lain opsional."),
    ("The codebook sheet describes every column. Check the file with: "
     "score-analysis validate THIS_FILE.xlsx",
     "Lembar codebook menjelaskan setiap kolom. Periksa file dengan: "
     "score-analysis validate --language id FILE_INI.xlsx"),
)


def codebook_header() -> tuple[str, ...]:
    """The codebook's column headings, in the current language."""
    return (pgettext("codebook", "table"), pgettext("codebook", "column"),
            pgettext("codebook", "type"), pgettext("codebook", "required"),
            pgettext("codebook", "rule"), "description (English)",
            "keterangan (Bahasa Indonesia)")


def readme_rows() -> list[tuple[str, str]]:
    """The ``readme`` sheet: a row naming the two columns' languages, then the instructions,
    the current language in the first column and the other language in the second."""
    rows = [("English", "Bahasa Indonesia"), *README]
    return rows if current_language() == "en" else [(b, a) for a, b in rows]


def column_comment(table, column: Column) -> str:
    """The note on a column's heading: its description and rule in the current language,
    then the description in the other language, marked with its language's name."""
    rule = rule_text(table, column)
    if current_language() == "en":
        return f"{column.en}\n\n({rule})\n\nBahasa Indonesia: {column.id}"
    return f"{column.id}\n\n({rule})\n\nEnglish: {column.en}"


def drop_down_choices(column: Column, language: str | None = None) -> tuple[str, ...]:
    """The values offered in a column's drop-down list, in ``language`` (default: the
    current one); empty: no list."""
    language = language or current_language()
    if column.kind == "choice":
        return tuple(drop_down_entry(c, language) for c in column.choices)
    if column.kind == "boolean":
        return ("ya", "tidak") if language == "id" else ("true", "false")
    return ()


def _yes_no(flag: bool) -> str:
    return pgettext("codebook", "yes") if flag else pgettext("codebook", "no")


def codebook_rows() -> list[tuple[str, ...]]:
    """One row per table, column and item: type, whether required and the rule in the
    current language, the descriptions in English and in Bahasa Indonesia."""
    rows = []
    for table in TABLES.values():
        rows.append((table.name, "", pgettext("codebook", "table"), _yes_no(table.required),
                     "; ".join(_(r) for r in table.rules), table.en, table.id))
        for col in table.columns:
            rows.append((table.name, col.name, kind_label(col.kind), _yes_no(col.required),
                         rule_text(table, col), col.en, col.id))
        for item in table.items:
            rows.append((table.name, f"value ({item.name})",
                         kind_label("yes_no" if item.kind == "boolean" else "integer"),
                         _yes_no(False), item_rule_text(item), item.en, item.id))
    return rows


def template_workbook():
    """The blank data-entry workbook in the current language (an
    :class:`openpyxl.Workbook`, not yet saved)."""
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
    for row in readme_rows():
        readme.append(row)
    for cell in (*readme[1], *readme[2]):
        cell.font = bold
    readme.column_dimensions["A"].width = readme.column_dimensions["B"].width = 90

    data_sheets = []
    lists: list[tuple[str, tuple[str, ...]]] = []
    for table in TABLES.values():
        sheet = book.create_sheet(table.name)
        data_sheets.append(sheet)
        sheet.append([c.name for c in table.columns])
        sheet.freeze_panes = "A2"
        for j, col in enumerate(table.columns, start=1):
            letter = get_column_letter(j)
            cell = sheet.cell(row=1, column=j)
            cell.font, cell.fill = bold, fill
            cell.comment = Comment(column_comment(table, col), "score-analysis", width=320,
                                   height=160)
            sheet.column_dimensions[letter].width = max(14, len(col.name) + 4)
            if col.kind in ("text", "month", "choice"):  # kept as typed, not made a date
                sheet.column_dimensions[letter].number_format = "@"
            choices = drop_down_choices(col)
            if not choices:
                continue
            lists.append((f"{table.name}.{col.name}", choices))
            list_letter = get_column_letter(len(lists))
            rule = DataValidation(
                type="list", formula1=f"lists!${list_letter}$2:${list_letter}${len(choices) + 1}",
                allow_blank=col.nullable, showErrorMessage=True, errorTitle=col.name,
                error=_("Choose one of: {choices}").format(choices=", ".join(choices)))
            rule.add(f"{letter}2:{letter}{ENTRY_ROWS}")
            sheet.add_data_validation(rule)

    codebook = book.create_sheet("codebook")
    codebook.append(codebook_header())
    for row in codebook_rows():
        codebook.append(row)
        if row[1] == "":
            for cell in codebook[codebook.max_row]:
                cell.font = bold
    for j, width in enumerate((16, 26, 22, 10, 60, 60, 60), start=1):
        codebook.column_dimensions[get_column_letter(j)].width = width
    for cell in codebook[1]:
        cell.font, cell.fill = bold, fill
    for row in codebook.iter_rows(min_row=2):
        for cell in row[4:]:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    codebook.freeze_panes = "A2"

    sheet = book.create_sheet("lists")
    for j, (name, choices) in enumerate(lists, start=1):
        sheet.cell(row=1, column=j, value=name).font = bold
        for i, choice in enumerate(choices, start=2):
            sheet.cell(row=i, column=j, value=choice)
    sheet.sheet_state = "hidden"
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
