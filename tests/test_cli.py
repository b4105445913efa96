"""The command line (SPEC §8): commands, messages and exit codes."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest
from conftest import SMALL

from score_analysis.cli import main


def _copy(tmp_path):
    raw = tmp_path / "raw"
    shutil.copytree(SMALL, raw)
    return raw


def test_validate_accepts_the_small_fixture(tmp_path, capsys):
    assert main(["validate", "--data-dir", str(_copy(tmp_path))]) == 0
    assert "valid" in capsys.readouterr().out


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
    err = capsys.readouterr().err
    assert ("error: kpi_monthly.csv, row 4, column units_rejected: value 'lots': not a number "
            "(rule: number)") in err
    assert "Traceback" not in err


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
    err = capsys.readouterr().err
    assert "enterprises.csv, row 2, column intervention_month: value '2010-13'" in err
    assert "nothing was written" in err
    written = [p for p in reports.rglob("*") if p.is_file() and p.name != ".lock"] \
        if reports.exists() else []
    assert written == []
    assert not processed.exists() or not any(processed.iterdir())


def test_demo_data_writes_every_table(tmp_path, capsys):
    assert main(["demo-data", str(tmp_path / "demo"), "--enterprises", "3", "--seed", "1"]) == 0
    names = sorted(p.name for p in (tmp_path / "demo").iterdir())
    assert names == ["enterprises.csv", "five_s_audits.csv", "kpi_monthly.csv", "milestones.csv",
                     "qualitative.csv", "survey_items.csv", "worker_survey.csv"]
    assert main(["validate", "--data-dir", str(tmp_path / "demo")]) == 0


@pytest.mark.parametrize("argv", [[], ["run", "--jobs", "0"], ["demo-data"], ["nope"]])
def test_usage_errors_exit_2(argv):
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2


def test_console_script_help_answers():
    out = subprocess.run([sys.executable, "-m", "score_analysis.cli", "--help"],
                         capture_output=True, text=True, check=True).stdout
    for command in ("validate", "run", "template", "demo-data"):
        assert command in out
