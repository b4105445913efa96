"""The data-entry workbook (``score-analysis template``, docs/data_contract.md; issue #5 item 6)."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from score_analysis import cli
from score_analysis.build import validate_inputs
from score_analysis.data.contract import TABLES
from score_analysis.data.template import codebook_rows, template_workbook, write_template

MINIMAL = Path(__file__).parent / "data" / "minimal"


def _excel_value(table: str, column: str, text: str) -> object:
    """A cell as someone typing ``text`` into the template would leave it."""
    if text == "":
        return None
    spec = TABLES[table]
    kind = spec.column(column).kind if column in spec.column_names else "integer"
    if kind in ("integer", "number"):
        return float(text) if "." in text else int(text)
    if kind == "date":
        fmt = "%Y-%m-%d" if "-" in text else "%d/%m/%Y"
        return dt.datetime.strptime(text, fmt)
    return text


def fill_template(template: Path, tables: dict[str, list[dict[str, str]]], target: Path) -> None:
    """Type rows into the template's sheets (extra survey item columns after the header)."""
    book = load_workbook(template)
    for name, rows in tables.items():
        sheet = book[name]
        header = [c.value for c in sheet[1]]
        for extra in (k for k in rows[0] if k not in header):
            sheet.cell(row=1, column=len(header) + 1, value=extra)
            header.append(extra)
        for row in rows:
            sheet.append([_excel_value(name, h, row.get(h, "")) for h in header])
    book.save(target)


def _csv_rows(directory: Path) -> dict[str, list[dict[str, str]]]:
    out = {}
    for p in sorted(directory.glob("*.csv")):
        with open(p, newline="", encoding="utf-8") as f:
            out[p.stem] = list(csv.DictReader(f))
    return out


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("template") / "score_data.xlsx"
    assert cli.main(["template", str(path)]) == 0
    return path


def test_one_sheet_per_table_with_its_header(template: Path):
    book = load_workbook(template)
    assert set(TABLES) | {"codebook", "readme", "lists"} == set(book.sheetnames)
    assert book["lists"].sheet_state == "hidden"
    for name, spec in TABLES.items():
        header = [c.value for c in book[name][1]]
        assert header == list(spec.column_names)
        assert book[name].max_row == 1  # blank: nothing below the header
        assert book[name].freeze_panes == "A2"


def _drop_downs(path: Path) -> dict[tuple[str, str], list[str]]:
    """Each drop-down list of a template: (sheet, column) -> its entries."""
    import re

    book = load_workbook(path)
    lists = {}
    for name in TABLES:
        header = [c.value for c in book[name][1]]
        for rule in book[name].data_validations.dataValidation:
            (cells,) = rule.sqref.ranges
            assert cells.min_col == cells.max_col and cells.min_row == 2
            assert cells.max_row >= 1000
            assert rule.type == "list" and rule.showErrorMessage
            m = re.fullmatch(r"lists!\$([A-Z]+)\$(\d+):\$([A-Z]+)\$(\d+)", rule.formula1)
            entries = [c.value for (c,) in book["lists"][f"{m[1]}{m[2]}:{m[3]}{m[4]}"]]
            lists[(name, header[cells.min_col - 1])] = entries
    return lists


def test_drop_down_lists_for_coded_columns(template: Path):
    lists = _drop_downs(template)
    assert lists == {
        ("enterprises", "role"): ["programme", "comparison"],
        ("enterprises", "data_source"): ["enterprise_records", "simulated"],
        ("five_s_audits", "pillar"): ["sort", "set_in_order", "shine", "standardize",
                                      "sustain"],
        ("survey_items", "reverse"): ["true", "false"],
        ("worker_survey", "wave"): ["baseline", "followup"],
        ("implementation", "visit"): ["baseline", "visit_1", "visit_2", "visit_3",
                                      "final_workshop"],
        ("implementation", "item"): [i.name for i in TABLES["implementation"].items],
        ("qualitative", "kind"): ["good_practice", "lesson_learned", "constraint"],
    }


def test_months_and_codes_are_kept_as_text(template: Path):
    book = load_workbook(template)
    header = [c.value for c in book["kpi_monthly"][1]]
    for column in ("enterprise_id", "month"):
        letter = chr(ord("A") + header.index(column))
        assert book["kpi_monthly"].column_dimensions[letter].number_format == "@"


def test_codebook_describes_every_column_in_both_languages(template: Path):
    sheet = load_workbook(template)["codebook"]
    rows = [tuple("" if v is None else v for v in r) for r in
            sheet.iter_rows(min_row=2, values_only=True)]
    assert rows == codebook_rows()
    described = {(r[0], r[1]) for r in rows if r[1]}
    assert described == ({(t.name, c.name) for t in TABLES.values() for c in t.columns}
                         | {(t.name, f"value ({i.name})") for t in TABLES.values()
                            for i in t.items})
    for r in rows:
        assert r[5].strip() and r[6].strip(), r  # English and Bahasa Indonesia
    pillar = next(r for r in rows if r[:2] == ("five_s_audits", "pillar"))
    assert "one of sort, set_in_order, shine, standardize, sustain" in pillar[4]
    assert "ringkas" in pillar[6]
    rejects = next(r for r in rows if r[:2] == ("kpi_monthly", "units_rejected"))
    assert rejects[2:5] == ("whole number", "no",
                            "optional column; blank allowed; ≥ 0; ≤ units_produced")
    rating = next(r for r in rows if r[:2] == ("implementation", "value (trainer_rating)"))
    assert rating[2:5] == ("whole number", "no", "whole number; ≥ 1; ≤ 5")


def test_the_indonesian_template_speaks_indonesian(tmp_path):
    """With --language id: the codebook's headings, types, rules and yes/no, the drop-downs
    (with the codes' Indonesian names) and their messages are in Bahasa Indonesia, and a
    value chosen from an Indonesian drop-down is read as its code."""
    path = tmp_path / "template_id.xlsx"
    assert cli.main(["template", "--language", "id", str(path)]) == 0
    book = load_workbook(path)
    header = [c.value for c in book["codebook"][1]]
    assert header[:5] == ["tabel", "kolom", "jenis", "wajib", "aturan"]
    rows = {(r[0], r[1]): r for r in book["codebook"].iter_rows(min_row=2, values_only=True)}
    rejects = rows[("kpi_monthly", "units_rejected")]
    assert rejects[2:5] == ("bilangan bulat", "tidak",
                            "kolom opsional; boleh kosong; ≥ 0; ≤ units_produced")
    assert rows[("enterprises", "enterprise_id")][3] == "ya"
    assert "salah satu dari sort" in rows[("five_s_audits", "pillar")][4]
    lists = _drop_downs(path)
    assert lists[("five_s_audits", "pillar")] == [
        "sort (ringkas)", "set_in_order (rapi)", "shine (resik)", "standardize (rawat)",
        "sustain (rajin)"]
    assert lists[("survey_items", "reverse")] == ["ya", "tidak"]
    assert lists[("enterprises", "role")] == ["programme (program)",
                                              "comparison (pembanding)"]
    rule = book["five_s_audits"].data_validations.dataValidation[0]
    assert rule.error.startswith("Pilih salah satu: ")
    # typed from those drop-downs, the data are read as the codes
    rows_ = _csv_rows(MINIMAL)
    for r in rows_["five_s_audits"]:
        r["pillar"] = {"sort": "sort (ringkas)", "shine": "shine (resik)"}.get(r["pillar"],
                                                                               r["pillar"])
    rows_["survey_items"][1]["reverse"] = "ya"
    filled = tmp_path / "filled_id.xlsx"
    fill_template(path, rows_, filled)
    result = validate_inputs(filled)
    assert result.ok, [f.line() for f in result.errors]
    assert set(result.tables["five_s_audits"]["pillar"]) <= {"sort", "shine", "sustain"}


def test_blank_template_needs_enterprises(template: Path):
    result = validate_inputs(template)
    assert [(f.file, f.rule) for f in result.errors] == [
        ("score_data.xlsx[enterprises]", "no_data_rows")]
    assert not [f for f in result.findings if f.severity == "warning"]


def test_filled_template_gives_the_same_tables_as_the_csv_files(template: Path, tmp_path):
    filled = tmp_path / "filled.xlsx"
    fill_template(template, _csv_rows(MINIMAL), filled)
    from_book, from_csv = validate_inputs(filled), validate_inputs(MINIMAL)
    assert from_book.ok, [f.line() for f in from_book.errors]
    assert not [f for f in from_book.findings if f.severity == "warning"]
    assert set(from_book.tables) == set(from_csv.tables) == set(TABLES)
    for name in TABLES:
        pd.testing.assert_frame_equal(from_book.tables[name], from_csv.tables[name],
                                      check_dtype=True, obj=name)
    assert cli.main(["validate", "--data-dir", str(filled)]) == 0


def test_filled_template_errors_name_the_sheet(template: Path, tmp_path):
    rows = _csv_rows(MINIMAL)
    rows["five_s_audits"][1]["pillar"] = "shinee"
    filled = tmp_path / "filled.xlsx"
    fill_template(template, rows, filled)
    result = validate_inputs(filled)
    assert [(f.file, f.row, f.column, f.value) for f in result.errors] == [
        ("filled.xlsx[five_s_audits]", 3, "pillar", "shinee")]


def test_template_never_overwrites(template: Path, capsys):
    before = template.read_bytes()
    assert cli.main(["template", str(template)]) == 2
    assert "exists already" in capsys.readouterr().err
    assert template.read_bytes() == before


def test_template_name_must_be_xlsx(tmp_path, capsys):
    assert cli.main(["template", str(tmp_path / "data.csv")]) == 2
    assert "must end in .xlsx" in capsys.readouterr().err
    assert not (tmp_path / "data.csv").exists()
    with pytest.raises(ValueError, match="must end in .xlsx"):
        write_template(tmp_path / "data.xls")


def test_template_workbook_is_built_in_memory():
    book = template_workbook()
    assert book.sheetnames[0] == "readme"
    assert book["readme"]["B2"].value.startswith("SCORE Modul 1")  # English first


@pytest.mark.slow
def test_filled_template_runs(template: Path, tmp_path):
    from score_analysis.data.demo import demo_tables

    tables = demo_tables(2)
    rows = {name: frame.astype(object).where(frame.notna(), "").astype(str)
            .to_dict("records") for name, frame in tables.items()}
    filled = tmp_path / "pilot.xlsx"
    fill_template(template, rows, filled)
    reports = tmp_path / "reports"
    code = cli.main(["run", "--data-dir", str(filled), "--reports-dir", str(reports),
                     "--processed-dir", str(tmp_path / "processed"), "--quiet",
                     "--enterprise", "tjokro_bersaudara",
                     "--no-pdf", "--no-workshop"])  # Chromium: test_pdf and test_workshop
    assert code == 0
    page = (reports / "enterprises" / "tjokro_bersaudara.html").read_text(encoding="utf-8")
    assert "PT Tjokro Bersaudara" in page
    results = pd.read_csv(reports / "results.csv")
    assert set(results["enterprise_id"]) == {"tjokro_bersaudara", "trijaya_teknik"}


def test_the_data_contract_page_agrees_with_the_contract():
    from score_analysis.data.contract import rule_text

    docs = (Path(__file__).parent.parent / "docs" / "data_contract.md").read_text(
        encoding="utf-8")
    for table in TABLES.values():
        section = docs.split(f"\n### {table.name}\n", 1)[1].split("\n### ", 1)[0]
        section = section.split("\n## ", 1)[0]
        for col in table.columns:
            (line,) = [x for x in section.splitlines() if x.startswith(f"| `{col.name}` |")]
            assert rule_text(table, col) in line, (table.name, col.name)
            assert col.en in line and col.id in line, (table.name, col.name)
