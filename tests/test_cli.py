"""The command line (README.md, docs/data_contract.md): commands, messages, languages and
exit codes."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest
from conftest import SMALL

from score_analysis.build import Summary
from score_analysis.cli import main, message_language, run_summary


def _env(lang: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")}
    env["LANG"] = lang
    return env


def _copy(tmp_path):
    raw = tmp_path / "raw"
    shutil.copytree(SMALL, raw)
    return raw


def test_validate_accepts_the_small_fixture(tmp_path, capsys):
    assert main(["validate", "--data-dir", str(_copy(tmp_path))]) == 0
    out, err = capsys.readouterr()
    assert "valid (7 tables, 1 warning)" in err  # the summary on stderr ...
    assert out.startswith("warning: kpi_monthly.csv")  # ... the findings on stdout


def test_validate_takes_the_data_as_a_positional_path(tmp_path, capsys):
    raw = _copy(tmp_path)
    assert main(["validate", str(raw)]) == 0
    assert f"{raw}: valid" in capsys.readouterr().err
    assert main(["validate", str(raw), "--data-dir", str(tmp_path / "other")]) == 2
    assert "not both" in capsys.readouterr().err


def test_problems_go_to_stdout_so_they_can_be_saved_to_a_file(tmp_path):
    raw = _copy(tmp_path)
    (raw / "enterprises.csv").write_text(
        "enterprise_id,name,sector,intervention_month,data_source\n"
        "tjokro_bersaudara,PT X,auto,2010-4,simulated\n"
        "trijaya_teknik,PT Y,auto,2010-04,simulated\n")
    done = subprocess.run([sys.executable, "-m", "score_analysis.cli", "validate", str(raw)],
                          capture_output=True, text=True, env=_env("C.UTF-8"))
    assert done.returncode == 2
    assert done.stdout.splitlines()[0] == (
        "error: enterprises.csv, row 2, column intervention_month: value '2010-4': not a "
        "month in the form YYYY-MM; did you mean 2010-04? (rule: month as YYYY-MM)")
    assert done.stderr.startswith("1 error, 0 warnings in ")


def test_validate_reports_file_row_column_value_and_rule(tmp_path, capsys):
    raw = _copy(tmp_path)
    path = raw / "kpi_monthly.csv"
    lines = path.read_text().splitlines()
    header = lines[0].split(",")
    cells = lines[3].split(",")  # spreadsheet row 4
    cells[header.index("units_rejected")] = "lots"
    lines[3] = ",".join(cells)
    path.write_text("\n".join(lines) + "\n")
    assert main(["validate", "--data-dir", str(raw)]) == 2
    out, err = capsys.readouterr()
    assert ("error: kpi_monthly.csv, row 4, column units_rejected: value 'lots': not a number: "
            "type the number with digits (0-9), or leave the cell blank when it is not "
            "recorded (rule: number)") in out
    assert "Traceback" not in out + err


def test_run_on_invalid_data_exits_2_and_writes_nothing(tmp_path, capsys):
    raw = _copy(tmp_path)
    (raw / "enterprises.csv").write_text(
        "enterprise_id,name,sector,intervention_month,data_source\n"
        "tjokro_bersaudara,PT X,auto,2010-13,simulated\n"
        "trijaya_teknik,PT Y,auto,2010-04,simulated\n")
    reports, processed = tmp_path / "reports", tmp_path / "processed"
    code = main(["run", "--data-dir", str(raw), "--reports-dir", str(reports),
                 "--processed-dir", str(processed), "--quiet"])
    assert code == 2
    out, err = capsys.readouterr()
    assert "enterprises.csv, row 2, column intervention_month: value '2010-13'" in out
    assert "nothing was written" in err
    written = [p for p in reports.rglob("*") if p.is_file() and p.name != ".lock"] \
        if reports.exists() else []
    assert written == []
    assert not processed.exists() or not any(processed.iterdir())


def test_demo_data_writes_every_table(tmp_path, capsys):
    assert main(["demo-data", str(tmp_path / "demo"), "--enterprises", "3", "--seed", "1"]) == 0
    names = sorted(p.name for p in (tmp_path / "demo").iterdir())
    assert names == ["enterprises.csv", "five_s_audits.csv", "implementation.csv",
                     "kpi_monthly.csv", "milestones.csv", "qualitative.csv", "survey_items.csv",
                     "worker_survey.csv"]
    assert main(["validate", "--data-dir", str(tmp_path / "demo")]) == 0


@pytest.mark.parametrize("argv", [[], ["run", "--jobs", "0"], ["demo-data"], ["nope"]])
def test_usage_errors_exit_2(argv):
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2


def test_console_script_help_answers():
    out = subprocess.run([sys.executable, "-m", "score_analysis.cli", "--help"],
                         capture_output=True, text=True, check=True).stdout
    for command in ("validate", "run", "plan", "template", "demo-data"):
        assert command in out


@pytest.mark.parametrize(("argv", "environ", "language"), [
    (["validate"], {}, "en"),
    (["validate"], {"LANG": "id_ID.UTF-8"}, "id"),
    (["validate", "--language", "en"], {"LANG": "id_ID.UTF-8"}, "en"),
    (["validate", "--language=id"], {"LANG": "C.UTF-8"}, "id"),
    (["run", "--language", "id,en"], {}, "id"),  # the first language listed
    (["run", "--language", "en,id"], {"LANG": "id_ID.UTF-8"}, "en"),
    (["run", "--language", "xx"], {"LANG": "id_ID.UTF-8"}, "id"),  # the parser says why
])
def test_the_language_of_the_messages(argv, environ, language):
    assert message_language(argv, environ) == language


def test_help_is_in_indonesian_for_an_indonesian_locale():
    done = subprocess.run([sys.executable, "-m", "score_analysis.cli", "validate", "--help"],
                          capture_output=True, text=True, check=True, env=_env("id_ID.UTF-8"))
    assert "cara pakai: score-analysis validate" in done.stdout
    assert "folder berisi file CSV" in done.stdout
    assert "tampilkan bantuan ini lalu keluar" in done.stdout
    for english in ("usage:", "directory of CSV files", "show this help", "options:"):
        assert english not in done.stdout


@pytest.mark.parametrize("command", ["validate", "run", "plan", "template", "demo-data"])
def test_every_command_takes_language_and_its_help_is_translated(command, capsys):
    with pytest.raises(SystemExit):
        main([command, "--help"])
    english = capsys.readouterr().out
    with pytest.raises(SystemExit):
        main([command, "--language", "id", "--help"])
    indonesian = capsys.readouterr().out
    assert "--language LANG" in english and "--language LANG" in indonesian
    assert "usage:" in english and "cara pakai:" in indonesian
    english_help, indonesian_help = _help_texts(command, "en"), _help_texts(command, "id")
    assert len(english_help) >= 2
    for option, text in english_help.items():  # every help text is translated
        assert indonesian_help[option] and indonesian_help[option] != text, option


def _help_texts(command: str, language: str) -> dict[str, str]:
    from score_analysis.cli import parser as make_parser
    from score_analysis.i18n import use_language

    with use_language(language):
        parser = make_parser()
    (sub,) = [a for a in parser._actions if a.dest == "command"]
    texts = {a.dest: a.help for a in sub.choices[command]._actions if a.help}
    texts["description"] = sub.choices[command].description
    return texts


def test_run_help_names_the_rule_for_a_list_of_languages(capsys):
    with pytest.raises(SystemExit):
        main(["run", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert "the first language listed decides the messages" in out


def test_usage_errors_are_in_the_chosen_language(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["run", "--language", "id", "--jobs", "0"])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "cara pakai:" in err and "kesalahan: argumen --jobs: minimal 1: '0'" in err
    with pytest.raises(SystemExit):
        main(["validate", "--language", "fr"])
    assert "unknown language 'fr'" in capsys.readouterr().err


def test_validate_in_indonesian_names_sheet_and_cell(tmp_path, capsys):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "enterprises"
    sheet.append(["enterprise_id", "name", "sector", "intervention_month", "data_source",
                  "employees"])
    sheet.append(["maju_jaya", "PT Maju Jaya", "garmen", "2010-04", "simulated", "=100+5"])
    kpi = book.create_sheet("kpi_monthly")
    kpi.append(["enterprise_id", "month", "headcount"])
    kpi.append(["maju_jaya", "Mar-2010", 50])
    book.save(tmp_path / "data.xlsx")
    assert main(["validate", "--language", "id", str(tmp_path / "data.xlsx")]) == 2
    out, err = capsys.readouterr()
    assert out.splitlines() == [
        "kesalahan: data.xlsx, enterprises!F2, kolom employees: nilai '=100+5': sel berisi "
        "rumus =100+5 tetapi nilai hasil hitungnya tidak ikut tersimpan: buka dan simpan buku "
        "kerja di Excel, atau ketik nilainya (aturan: rumus beserta nilai hasil hitungnya)",
        "kesalahan: data.xlsx, kpi_monthly!B2, kolom month: nilai 'Mar-2010': bukan bulan "
        "dalam bentuk YYYY-MM; maksud Anda 2010-03? (aturan: bulan sebagai YYYY-MM)"]
    assert err == f"2 kesalahan, 0 peringatan di {tmp_path / 'data.xlsx'}: perbaiki " \
                  "kesalahannya lalu jalankan lagi.\n"


def test_the_run_summary_names_the_quality_log_and_the_first_warning(tmp_path):
    log = tmp_path / "quality_log.csv"
    log.write_text("file,row,column,value,rule,severity,message\n"
                   "kpi_monthly.csv,,month,a 2009-11,no missing month inside a series,warning,"
                   "a: month 2009-11 is missing (left out of the models)\n"
                   "enterprises.csv,,,,,info,byte-order mark (BOM) removed\n")
    summary = Summary(built=6, unchanged=0, failed=0, warnings=1, duration_s=12.34)
    assert run_summary(summary, tmp_path) == (
        f"6 reports built, 0 unchanged, 0 failed in 12.3 s. 1 data warning, listed in {log}; "
        "the first: kpi_monthly.csv: a: month 2009-11 is missing (left out of the models).")
    from score_analysis.i18n import use_language

    with use_language("id"):
        text = run_summary(Summary(built=1, warnings=0, duration_s=1.0), tmp_path)
    assert text == "1 laporan dibuat, 0 tidak berubah, 0 gagal dalam 1.0 dtk."


def test_template_and_demo_data_answer_in_indonesian(tmp_path, capsys):
    target = tmp_path / "isian.xlsx"
    assert main(["template", "--language", "id", str(target)]) == 0
    assert capsys.readouterr().out == f"{target} sudah ditulis\n"
    assert main(["template", "--language", "id", str(target)]) == 2
    assert "file dengan nama itu sudah ada" in capsys.readouterr().err
    assert main(["demo-data", "--language", "id", str(tmp_path / "demo"), "--enterprises",
                 "100000"]) == 2
    assert "jumlah perusahaan harus antara 1 dan" in capsys.readouterr().err


# --------------------------------------------------------------------------- analysis settings


def test_plan_show_prints_the_plan_as_toml_that_run_plan_reads(tmp_path, capsys):
    import tomllib

    from score_analysis.settings import PLAN, AnalysisSettings, load_settings

    assert main(["plan", "--show"]) == 0
    out = capsys.readouterr().out
    assert "phase_in_months = 3" in out and "plan_version = 3" in out
    assert AnalysisSettings.from_mapping(tomllib.loads(out)) == PLAN
    (tmp_path / "mine.toml").write_text(out.replace("phase_in_months = 3",
                                                    "phase_in_months = 6"))
    assert load_settings(tmp_path / "mine.toml") == PLAN.replace(phase_in_months=6)
    assert main(["plan", "--show", "--plan", str(tmp_path / "mine.toml")]) == 0
    assert "phase_in_months = 6" in capsys.readouterr().out
    with pytest.raises(SystemExit) as exc:
        main(["plan"])  # --show is what the command does
    assert exc.value.code == 2


@pytest.mark.parametrize(("text", "says"), [
    ("phase_in = 6\n", "unknown setting(s) phase_in"),
    ("phase_in_months = \"six\"\n", "phase_in_months must be a whole number"),
    ("phase_in_months = \n", "not valid TOML"),
    ("alpha = 2.0\n", "alpha must lie between 0 and 1"),
    (None, "cannot be read"),
])
def test_run_with_a_bad_plan_exits_2_and_writes_nothing(tmp_path, capsys, text, says):
    raw = _copy(tmp_path)
    plan = tmp_path / "plan.toml"
    if text is not None:
        plan.write_text(text)
    reports, processed = tmp_path / "reports", tmp_path / "processed"
    code = main(["run", "--data-dir", str(raw), "--reports-dir", str(reports),
                 "--processed-dir", str(processed), "--quiet", "--plan", str(plan)])
    assert code == 2
    err = capsys.readouterr().err
    assert err.startswith("score-analysis: the analysis settings cannot be used: ")
    assert says in err and str(plan) in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert not reports.exists() and not processed.exists()
    assert main(["plan", "--show", "--plan", str(plan)]) == 2
