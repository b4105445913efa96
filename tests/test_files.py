"""The program's own files (score_analysis.files): atomic writes, hashes, formula-safe CSV,
the repository's paths."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pandas as pd
import pytest

from score_analysis import files

# --------------------------------------------------------------------------- writing


def test_atomic_write_is_all_or_nothing(tmp_path):
    target = tmp_path / "out" / "a.txt"
    files.write_text("first", target)
    with pytest.raises(RuntimeError), files.atomic_path(target) as tmp:
        tmp.write_text("half")
        raise RuntimeError("stopped")
    assert target.read_text() == "first"
    assert [p.name for p in target.parent.iterdir()] == ["a.txt"]


def test_written_files_are_readable_by_others(tmp_path):
    old = os.umask(0o022)
    try:
        files.write_text("x", tmp_path / "a.txt")
        files.write_json({"b": 1}, tmp_path / "b.json")
    finally:
        os.umask(old)
    for name in ("a.txt", "b.json"):
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o644


def test_json_is_stable(tmp_path):
    files.write_json({"b": 1, "a": "é"}, tmp_path / "x.json")
    assert (tmp_path / "x.json").read_text(encoding="utf-8") == '{\n  "a": "é",\n  "b": 1\n}\n'
    assert files.read_json(tmp_path / "x.json") == {"a": "é", "b": 1}
    (tmp_path / "bad.json").write_text("{")
    assert files.read_json(tmp_path / "bad.json") is None
    assert files.read_json(tmp_path / "missing.json") is None


@pytest.mark.parametrize("value, safe", [
    ("=1+2", "'=1+2"), ("+cmd", "'+cmd"), ("-x", "'-x"), ("@SUM(A1)", "'@SUM(A1)"),
    ("\tx", "'\tx"), ("\rx", "'\rx"), ("ok", "ok"), ("", ""), (-1.5, -1.5), (None, None),
])
def test_formula_cells_are_neutralised(value, safe):
    assert files.safe_csv_text(value) == safe


def test_write_csv_is_formula_safe_and_full_precision(tmp_path):
    frame = pd.DataFrame({"text": ["=HYPERLINK(1)", "plain"], "x": [0.1 + 0.2, -1 / 3],
                          "n": pd.array([1, None], dtype="Int64")})
    before = frame.copy()
    files.write_csv(frame, tmp_path / "t.csv")
    pd.testing.assert_frame_equal(frame, before)  # the input is not changed
    assert (tmp_path / "t.csv").read_bytes() == (
        b"text,x,n\n'=HYPERLINK(1),0.30000000000000004,1\nplain,-0.33333333333333331,\n")
    back = pd.read_csv(tmp_path / "t.csv")
    assert back["x"].tolist() == [0.1 + 0.2, -1 / 3]


def test_replace_tree_moves_the_named_files_last(tmp_path, monkeypatch):
    stage, target = tmp_path / "stage", tmp_path / "target"
    for rel in ("z.csv", "index.html", "manifest.json", "sub/a.html", ".complete"):
        (stage / rel).parent.mkdir(parents=True, exist_ok=True)
        (stage / rel).write_text(rel)
    order = []
    real = os.replace
    monkeypatch.setattr(os, "replace", lambda s, d: (order.append(Path(d).name), real(s, d)))
    files.replace_tree(stage, target, last=("index.html", "manifest.json"), skip=(".complete",))
    assert order == ["a.html", "z.csv", "index.html", "manifest.json"]
    assert not stage.exists() and not (target / ".complete").exists()
    assert (target / "sub" / "a.html").read_text() == "sub/a.html"


def test_workbook_is_written_atomically(tmp_path):
    from openpyxl import Workbook, load_workbook

    book = Workbook()
    book.active["A1"] = "x"
    files.write_workbook(book, tmp_path / "b.xlsx")
    assert load_workbook(tmp_path / "b.xlsx").active["A1"].value == "x"
    assert [p.name for p in tmp_path.iterdir()] == ["b.xlsx"]


def test_hash_of_several_files_ignores_their_order(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    a.write_text("1")
    b.write_text("2")
    first = files.sha256_files([a, b])
    assert first == files.sha256_files([b, a])
    b.write_text("3")
    assert files.sha256_files([a, b]) != first


def test_resolve_repo_path_tries_the_working_directory_then_the_repository(
        tmp_path, monkeypatch):
    root = Path(files.__file__).resolve().parent.parent
    minimal = root / "tests" / "data" / "minimal"
    monkeypatch.chdir(tmp_path)
    assert files.resolve_repo_path("tests/data/minimal") == minimal
    assert files.resolve_repo_path("../tests/data/minimal") == minimal  # a notebook's default
    assert files.resolve_repo_path(str(minimal)) == minimal
    (tmp_path / "tests" / "data" / "minimal").mkdir(parents=True)
    assert files.resolve_repo_path("tests/data/minimal") == Path("tests/data/minimal")
    with pytest.raises(FileNotFoundError, match="data/processed_nowhere was not found in the "
                                                "working directory"):
        files.resolve_repo_path("data/processed_nowhere")
    assert files.resolve_repo_path("reports_nowhere", must_exist=False) == root / "reports_nowhere"
