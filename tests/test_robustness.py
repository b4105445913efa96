"""Robustness of a run (docs/data_contract.md, docs/reports.md: inputs, outputs, safety).

- failure isolation: one enterprise's failed analysis or notebook never takes
  the others down; its page says what failed, the index shows it, exit code 1;
- nothing lost: an interrupted run (Ctrl-C or kill -9) leaves the previous
  reports complete and readable, and the next run completes; raw data is never
  written;
- deterministic outputs; escaped HTML, formula-safe CSV cells, and enterprise
  ids that cannot leave ``reports/``.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import json
import os
import re
import shutil
import signal
import stat
import subprocess
import sys
import time
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from conftest import shared_build

from score_analysis import build, cli
from score_analysis.data.demo import demo_tables
from score_analysis.data.findings import QUALITY_COLUMNS
from score_analysis.files import write_tables_csv
from score_analysis.stats.outputs import POOLED_COLUMNS, RESULT_COLUMNS

MINIMAL = Path(__file__).parent / "data" / "minimal"
NOTEBOOKS = build.packaged_notebooks()
SCORE_ANALYSIS = Path(sys.executable).with_name("score-analysis")
EVIL_NAME = 'PT <script>alert("x")</script> & Sons'
EVIL_TEXT = "**Bold?** <img src=x onerror=alert(2)> [link](javascript:alert(3))"
FORMULA_COLUMN = '=HYPERLINK("http://example.org","click")'


# --------------------------------------------------------------------------- helpers


def snapshot(root: Path) -> dict[str, tuple[str, int]]:
    """Every file below ``root`` (hidden ones too): content hash and mode."""
    return {p.relative_to(root).as_posix(): (hashlib.sha256(p.read_bytes()).hexdigest(),
                                             stat.S_IMODE(p.stat().st_mode))
            for p in sorted(root.rglob("*")) if p.is_file()}


def visible(snap: dict) -> dict:
    """The files a reader of the reports sees (not the lock or staging trees)."""
    return {k: v for k, v in snap.items() if not any(part.startswith(".")
                                                     for part in k.split("/"))}


class _Links(HTMLParser):
    """The links of a page, and the words of each table row by the link it holds."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.rows: dict[str, list[str]] = {}
        self._row: list[str] | None = None
        self._href: str | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self.links += [v for k, v in attrs if k == "href" and v]
            if self._row is not None:
                self._href = dict(attrs).get("href")
        elif tag == "tr":
            self._row, self._href = [], None

    def handle_endtag(self, tag):
        if tag == "tr" and self._row is not None:
            if self._href:
                self.rows[self._href] = self._row
            self._row = None

    def handle_data(self, data):
        if self._row is not None and data.strip():
            self._row.append(data.strip())


def assert_complete(reports: Path) -> dict:
    """The reports are one complete, readable set: every page the manifest and the
    index name exists, is a whole HTML page and is readable by others; the tables
    parse with their §7 columns.  Returns the manifest."""
    manifest = json.loads((reports / "manifest.json").read_text(encoding="utf-8"))
    pages = [r["path"] for r in manifest["reports"].values()]
    if manifest.get("synthesis"):
        pages.append(manifest["synthesis"]["path"])
    pages += [a["path"] for a in manifest.get("appendices", {}).values()]
    pack = "workshop/en/programme.html"  # the workshop pack, linked from the index
    if (reports / pack).exists():
        pages.append(pack)
    twin = "id/index.html"  # the index in the other language, linked from this one
    for rel in pages + ["index.html"] + ([twin] if (reports / twin).exists() else []):
        text = (reports / rel).read_text(encoding="utf-8")
        assert text.startswith("<!DOCTYPE html>") and text.rstrip().endswith("</html>"), rel
        assert (reports / rel).stat().st_mode & stat.S_IROTH, rel
    for r in manifest["reports"].values():
        if r.get("notebook"):
            nbformat.read(reports / r["notebook"], as_version=4)
    parser = _Links()
    parser.feed((reports / "index.html").read_text(encoding="utf-8"))
    assert sorted(parser.links) == sorted(pages + ([twin] if (reports / twin).exists() else []))
    for name, columns in (("results.csv", RESULT_COLUMNS), ("pooled.csv", POOLED_COLUMNS),
                          ("quality_log.csv", QUALITY_COLUMNS)):
        assert list(pd.read_csv(reports / name).columns) == list(columns), name
        assert (reports / name).stat().st_mode & stat.S_IROTH, name
    return manifest


def demo_dir(target: Path, enterprises: int = 2) -> Path:
    """Demonstration data with an enterprise name and a note that are HTML (and Markdown),
    and an unknown column whose name is a spreadsheet formula."""
    tables = demo_tables(enterprises)
    ents = tables["enterprises"].copy()
    ents.loc[0, "name"] = EVIL_NAME
    ents[FORMULA_COLUMN] = "x"
    tables["enterprises"] = ents
    notes = tables["qualitative"].copy()
    notes.loc[0, "text"] = EVIL_TEXT
    tables["qualitative"] = notes
    write_tables_csv(tables, target)
    return target


def run_cli(data: Path, out: Path, *extra: str) -> int:
    """``score-analysis run`` in this process (no PDFs: they are test_pdf's)."""
    return cli.main(["run", "--data-dir", str(data), "--reports-dir", str(out / "reports"),
                     "--processed-dir", str(out / "processed"), "--quiet", "--no-pdf",
                     *extra])


# --------------------------------------------------------------------------- fast


def test_analysis_failure_is_isolated(monkeypatch):
    from score_analysis.stats import analysis

    real = analysis.enterprise_analysis

    def flaky(enterprise, **kwargs):
        if enterprise["enterprise_id"] == "beta":
            raise ZeroDivisionError("division by zero")
        return real(enterprise, **kwargs)

    monkeypatch.setattr(analysis, "enterprise_analysis", flaky)
    tables = build.validate_inputs(MINIMAL).tables
    out = build.analyse(tables)
    assert out.failed == {"beta": "the analysis failed: ZeroDivisionError: division by zero"}
    assert set(out.results["enterprise_id"]) == {"alpha"}
    assert set(out.analysis_keys) == {"alpha"}


@pytest.mark.parametrize("bad", ["../x", "..", "a/b", "a b", "", "A", "x" * 41, "a\\b",
                                 "/etc/passwd", "alpha.html", None, 7])
def test_enterprise_ids_cannot_leave_the_reports(bad):
    with pytest.raises(build.UsageError, match="invalid enterprise id"):
        build.report_path(bad)
    if bad is not None:  # None is the synthesis notebook's
        with pytest.raises((build.UsageError, TypeError)):
            build.notebook_parameters(bad, Path("p"))


def test_valid_ids_stay_inside(tmp_path):
    rel = build.report_path("tjokro_bersaudara-2")
    assert rel == "enterprises/tjokro_bersaudara-2.html"
    assert (tmp_path / rel).resolve().is_relative_to(tmp_path / "enterprises")


def test_notebook_parameters_are_a_checked_typed_dict(tmp_path):
    params = build.notebook_parameters("alpha", tmp_path / "p")
    assert params == {"processed_dir": str((tmp_path / "p").resolve()),
                      "enterprise_id": "alpha"}
    assert all(type(v) is str for v in params.values())
    # relative to the folder the notebook runs in, so that no page shows where it was built
    assert build.notebook_parameters(None, tmp_path / "data" / "processed",
                                     base=tmp_path) == {"processed_dir": "data/processed"}


def test_unknown_enterprise_option_writes_nothing(tmp_path, capsys):
    assert run_cli(MINIMAL, tmp_path / "out", "--enterprise", "../alpha") == 2
    err = capsys.readouterr().err
    assert "unknown enterprise(s): ../alpha; known: alpha, beta" in err
    assert "Traceback" not in err
    assert not (tmp_path / "out").exists()


def test_unexpected_errors_are_one_plain_line(monkeypatch, tmp_path, capsys):
    def broken(options, **kwargs):
        raise RuntimeError("something inside broke")

    monkeypatch.setattr(build, "run", broken)
    assert run_cli(MINIMAL, tmp_path) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert "something inside broke" in err and "--debug" in err
    with pytest.raises(RuntimeError, match="something inside broke"):
        cli.main(["--debug", "run", "--data-dir", str(MINIMAL), "--quiet"])


def test_unwritable_reports_directory_is_a_plain_message(tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    code = cli.main(["run", "--data-dir", str(MINIMAL), "--reports-dir", str(blocker / "r"),
                     "--processed-dir", str(tmp_path / "p"), "--quiet"])
    err = capsys.readouterr().err
    assert code == 1
    assert "Traceback" not in err and "cannot write" in err and str(blocker) in err


def test_a_failed_page_escapes_the_name_and_the_error():
    from score_analysis.report import failed_page

    page = failed_page(EVIL_NAME, "ValueError: bad value '<img src=x onerror=alert(1)>'",
                       "../notebooks/a.ipynb")
    assert "<script>" not in page and "<img" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "This report could not be built." in page


def test_the_image_cache_is_bounded_by_its_named_size():
    from score_analysis.report.rendering import IMAGE_CACHE_SIZE, BoundedCache

    cache = BoundedCache(IMAGE_CACHE_SIZE)
    made = []
    for i in range(IMAGE_CACHE_SIZE + 10):
        cache.get(i, lambda i=i: made.append(i) or f"png {i}")
    assert len(cache) == IMAGE_CACHE_SIZE
    assert 0 not in cache and IMAGE_CACHE_SIZE + 9 in cache
    assert cache.get(IMAGE_CACHE_SIZE + 9, lambda: "again") == f"png {IMAGE_CACHE_SIZE + 9}"
    assert len(made) == IMAGE_CACHE_SIZE + 10  # made once each, reused after
    cache.get(10, lambda: "png 10")  # used again: now the most recent
    cache.get("new", lambda: "png new")  # the least recently used goes, not everything
    assert 10 in cache and 11 not in cache and 12 in cache and len(cache) == IMAGE_CACHE_SIZE
    with pytest.raises(ValueError):
        BoundedCache(0)


def test_every_setting_is_named_in_the_exploratory_banner_in_both_languages():
    from dataclasses import fields

    from score_analysis.i18n import use_language
    from score_analysis.report.pages import SETTING_CHANGES, exploratory_changes
    from score_analysis.settings import PLAN, AnalysisSettings

    assert set(SETTING_CHANGES) == {f.name for f in fields(AnalysisSettings)}
    changed = PLAN.replace(phase_in_months=6, alpha=0.1, eid=False)
    with use_language("en"):
        assert exploratory_changes(changed) == [
            "significance level 0.1 instead of 0.05", "phase-in 6 months instead of 3",
            "Lebaran (Idul Fitri) term off instead of on"]
    with use_language("id"):
        assert exploratory_changes(changed) == [
            "taraf signifikansi 0,1, bukan 0,05", "masa penerapan 6 bulan, bukan 3",
            "suku Lebaran (Idul Fitri) nonaktif, bukan aktif"]
    assert exploratory_changes(PLAN) == [] and exploratory_changes(None) == []


def test_a_template_typo_fails_instead_of_printing_nothing():
    import jinja2

    from score_analysis.report.rendering import environment

    env = environment()
    assert env.undefined is jinja2.StrictUndefined
    with pytest.raises(jinja2.UndefinedError, match="titel"):
        env.from_string("<h1>{{ titel }}</h1>").render(title="PT A")
    with pytest.raises(jinja2.UndefinedError, match="nmae"):
        env.from_string("{{ row.nmae }}").render(row={"name": "PT A"})
    # an optional key is read with .get(): absent, it is empty
    assert env.from_string("{{ row.get('note') }}").render(row={}) == ""


def _stage(reports: Path, files: dict[str, str], complete: bool) -> Path:
    stage = reports / ".staging-999"
    for rel, text in files.items():
        (stage / rel).parent.mkdir(parents=True, exist_ok=True)
        (stage / rel).write_text(text)
    if complete:
        (stage / build.COMPLETE).write_text("")
    return stage


NEW = {"enterprises/a.html": "new a", "enterprises/b.html": "new b", "results.csv": "new",
       "index.html": "new index", "manifest.json": '{"new": true}'}


def test_a_move_stopped_halfway_is_finished_by_the_next_run(tmp_path, monkeypatch):
    reports = tmp_path / "reports"
    for rel in NEW:
        (reports / rel).parent.mkdir(parents=True, exist_ok=True)
        (reports / rel).write_text("old")
    stage = _stage(reports, NEW, complete=True)
    moved = []
    real_replace = os.replace

    def crash_after_two(src, dst):
        if len(moved) == 2:
            raise KeyboardInterrupt  # as if the power went here
        moved.append(dst)
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", crash_after_two)
    with pytest.raises(KeyboardInterrupt):
        build.move_reports(stage, reports)
    monkeypatch.setattr(os, "replace", real_replace)
    # the index and manifest go last: the reader still sees the previous set's
    assert (reports / "manifest.json").read_text() == "old"
    assert (reports / "index.html").read_text() == "old"
    assert build.interrupted_commit(reports)

    build.recover(reports, tmp_path / "processed")
    assert {rel: (reports / rel).read_text() for rel in NEW} == NEW
    assert not stage.exists()
    assert not build.interrupted_commit(reports)


def test_an_unfinished_build_is_discarded(tmp_path):
    reports = tmp_path / "reports"
    stage = _stage(reports, NEW, complete=False)
    (tmp_path / "processed" / ".staging-5").mkdir(parents=True)
    build.recover(reports, tmp_path / "processed")
    assert not stage.exists() and not (tmp_path / "processed" / ".staging-5").exists()
    assert not (reports / "index.html").exists()


def test_ctrl_c_waits_for_the_move_to_finish():
    done = []
    with pytest.raises(KeyboardInterrupt):
        with build.interrupts_deferred():
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(0.05)
            done.append("moved")
    assert done == ["moved"]
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_a_second_run_on_the_same_reports_is_refused_at_once(tmp_path):
    from filelock import FileLock

    reports = tmp_path / "reports"
    reports.mkdir()
    with FileLock(reports / ".lock"):  # another run (another lock object) holds it
        with pytest.raises(build.UsageError, match="another run is writing to"):
            with build.run_lock(reports):
                pass
    with build.run_lock(reports):  # free again: taken, and released after the block
        with pytest.raises(build.UsageError):
            with build.run_lock(reports):
                pass
    with build.run_lock(reports):
        pass


def test_the_analysis_cache_is_reused_only_with_its_own_files(tmp_path):
    tables = build.validate_inputs(MINIMAL).tables
    analysed = build.analyse(tables)
    for name in build.CACHED_TABLES:
        getattr(analysed, name).to_parquet(tmp_path / f"{name}.parquet")
    build.write_analysis_cache(tmp_path, analysed.analysis_keys)
    cached = build.previous_analysis(tmp_path)
    assert cached["analysis_keys"] == analysed.analysis_keys
    pd.testing.assert_frame_equal(cached["results"], pd.read_parquet(tmp_path / "results.parquet"))
    # a run stopped after replacing results.parquet but not the cache record
    analysed.results.head(3).to_parquet(tmp_path / "results.parquet")
    assert build.previous_analysis(tmp_path) == {}
    (tmp_path / "results.parquet").unlink()
    assert build.previous_analysis(tmp_path) == {}


# --------------------------------------------------------------------------- slow: whole runs


class _NoWrites:
    """An audit hook that records every attempt of this process to write under a folder."""

    active: Path | None = None
    attempts: list = []

    @classmethod
    def hook(cls, event: str, args: tuple) -> None:
        if cls.active is None:
            return
        paths = []
        if event == "open" and isinstance(args[0], (str, bytes, os.PathLike)):
            mode, flags = args[1], args[2]
            if (mode and any(c in str(mode) for c in "wax+")) or (flags or 0) & (
                    os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND):
                paths.append(args[0])
        elif event in ("os.rename", "os.replace", "os.remove", "os.rmdir", "os.mkdir",
                       "os.chmod", "os.truncate", "shutil.rmtree", "os.unlink"):
            paths += [a for a in args[:2] if isinstance(a, (str, bytes, os.PathLike))]
        for p in paths:
            p = os.fsdecode(p) if isinstance(p, (bytes, os.PathLike)) else p
            if Path(os.path.abspath(p)).is_relative_to(cls.active):
                cls.attempts.append((event, p))


sys.addaudithook(_NoWrites.hook)


def _build_read_only(root: Path) -> dict:
    raw = demo_dir(root / "raw")
    for p in raw.iterdir():
        p.chmod(0o444)
    raw.chmod(0o555)
    before = snapshot(raw)
    _NoWrites.active, _NoWrites.attempts = raw.resolve(), []
    try:
        code = run_cli(raw, root)
    finally:
        _NoWrites.active = None
    return {"root": str(root), "raw": str(raw), "code": code, "raw_before": before,
            "raw_writes": list(_NoWrites.attempts)}


@pytest.fixture(scope="module")
def built(tmp_path_factory, worker_id):
    """One full run on read-only raw data, with a guard on every write of the process that
    made it; made once per session and shared read-only by the test processes
    (``conftest.shared_build``)."""
    done = shared_build(tmp_path_factory, worker_id, "read_only_built", _build_read_only)
    return {"root": Path(done["root"]), "raw": Path(done["raw"]), "code": done["code"],
            "raw_before": {k: tuple(v) for k, v in done["raw_before"].items()},
            "raw_writes": [tuple(a) for a in done["raw_writes"]]}


@pytest.mark.slow
def test_a_run_on_read_only_data_completes_and_writes_nothing_under_it(built):
    assert built["code"] == 0
    assert built["raw_writes"] == []
    assert snapshot(built["raw"]) == built["raw_before"]
    manifest = assert_complete(built["root"] / "reports")
    assert {r["status"] for r in manifest["reports"].values()} == {"ok"}
    assert not list((built["root"] / "reports").glob(".staging-*"))
    assert not list((built["root"] / "processed").glob(".staging-*"))


@pytest.mark.slow
def test_names_are_escaped_in_every_page(built):
    reports = built["root"] / "reports"
    pages = list(reports.rglob("*.html"))
    # index, synthesis and two enterprises in two languages; two enterprise appendices and
    # the synthesis appendix; the workshop pack's programme and two enterprise summaries in
    # two languages
    assert len(pages) == 4 * 2 + 3 + 3 * 2
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert "<script>alert" not in text and "<img src=x" not in text, page
        assert 'href="javascript:' not in text and "<strong>Bold?" not in text, page
    # the quote is escaped as &quot; or &#34; (Jinja's autoescaping writes the latter)
    escaped = re.compile(r"PT &lt;script&gt;alert\((?:&quot;|&#34;)x(?:&quot;|&#34;)\)"
                         r"&lt;/script&gt; &amp; Sons")
    for rel in ("index.html", "enterprises/tjokro_bersaudara.html", "id/index.html",
                "id/enterprises/tjokro_bersaudara.html"):
        assert escaped.search((reports / rel).read_text(encoding="utf-8")), rel
    note = "**Bold?** &lt;img src=x onerror=alert(2)&gt; [link](javascript:alert(3))"
    assert note in (reports / "enterprises" / "tjokro_bersaudara.html").read_text(
        encoding="utf-8")  # shown as typed: neither HTML nor Markdown


@pytest.mark.slow
def test_csv_text_cells_cannot_start_a_formula(built):
    reports = built["root"] / "reports"
    with open(reports / "quality_log.csv", newline="", encoding="utf-8") as f:
        log = list(csv.DictReader(f))
    (warning,) = [r for r in log if r["rule"] == "unknown_column"]
    assert warning["column"] == "'" + FORMULA_COLUMN
    text_columns = {"results.csv": ("enterprise_id", "domain", "indicator", "method", "status",
                                    "estimate_scale", "direction", "note", "data_source"),
                    "pooled.csv": ("domain", "indicator", "estimate_scale", "method"),
                    "quality_log.csv": ("file", "column", "value", "rule", "severity",
                                        "message")}
    for name, columns in text_columns.items():
        with open(reports / name, newline="", encoding="utf-8") as f:
            for row in csv.DictReader(f):
                for column in columns:
                    assert not row[column].startswith(("=", "+", "-", "@")), (name, row)


#: The build's time stamps in pages: ISO date-times (provenance), "29 Nov 2026 20:55" and, on
#: the Indonesian pages, "29 November 2026 20.55".
_STAMPS = re.compile(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\+00:00|Z)?"
                     rb"|\b\d{1,2} [A-Z][a-z]+ \d{4} \d\d[:.]\d\d\b")


@pytest.mark.slow
def test_same_inputs_give_byte_identical_tables_and_pages(built, tmp_path):
    """The same data built in another folder gives the same tables and pages: no page
    depends on (or shows) where it was built."""
    raw = tmp_path / "raw"
    shutil.copytree(built["raw"], raw)
    assert run_cli(raw, tmp_path, "--force") == 0
    for name in ("results.csv", "pooled.csv", "quality_log.csv"):
        assert ((tmp_path / "reports" / name).read_bytes()
                == (built["root"] / "reports" / name).read_bytes()), name
    pages = sorted(p.relative_to(tmp_path / "reports")
                   for p in (tmp_path / "reports").rglob("*.html"))
    assert len(pages) == 4 * 2 + 3 + 3 * 2  # with the workshop pack's pages
    for rel in pages:  # papermill's injected cell no longer gets a random id
        ours, theirs = (path.read_bytes() for path in (tmp_path / "reports" / rel,
                                                       built["root"] / "reports" / rel))
        for text, folder in ((ours, tmp_path), (theirs, built["root"])):
            assert str(folder).encode() not in text, rel  # the appendix pages too
        assert _STAMPS.sub(b"", ours) == _STAMPS.sub(b"", theirs), rel
    executed = nbformat.read(tmp_path / "reports" / "notebooks" / "synthesis.ipynb",
                             as_version=4)
    injected = [c for c in executed.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert [c.id for c in injected] == ["injected-parameters"]


@pytest.mark.slow
def test_a_failed_analysis_or_notebook_spares_the_others(tmp_path, monkeypatch):
    from score_analysis.stats import analysis

    raw = demo_dir(tmp_path / "raw", enterprises=3)
    notebooks = tmp_path / "notebooks"
    shutil.copytree(NOTEBOOKS, notebooks)
    nb = nbformat.read(notebooks / build.ENTERPRISE_NOTEBOOK, as_version=4)
    nb.cells.insert(2, nbformat.v4.new_code_cell(
        'if enterprise_id == "trijaya_teknik":\n'
        '    raise RuntimeError("the chart data of this enterprise is damaged")'))
    nbformat.write(nb, notebooks / build.ENTERPRISE_NOTEBOOK)
    real = analysis.enterprise_analysis

    def flaky(enterprise, **kwargs):
        if enterprise["enterprise_id"] == "lestari_dini_tunggul":
            raise ValueError("a model could not be fitted")
        return real(enterprise, **kwargs)

    monkeypatch.setattr(analysis, "enterprise_analysis", flaky)
    reports = tmp_path / "reports"
    summary = build.run(build.Options(
        data_dir=raw, reports_dir=reports, processed_dir=tmp_path / "processed",
        notebooks_dir=notebooks, progress=False, pdf=False), echo=lambda text: None)

    assert summary.exit_code == 1
    assert sorted(summary.failures) == ["lestari_dini_tunggul", "trijaya_teknik"]
    manifest = assert_complete(reports)
    status = {k: r["status"] for k, r in manifest["reports"].items()}
    assert status == {"tjokro_bersaudara": "ok", "trijaya_teknik": "failed",
                      "lestari_dini_tunggul": "failed"}
    assert manifest["synthesis"]["status"] == "ok"

    ok_page = (reports / "enterprises" / "tjokro_bersaudara.html").read_text(encoding="utf-8")
    assert "could not be built" not in ok_page
    failed_nb = (reports / "enterprises" / "trijaya_teknik.html").read_text(encoding="utf-8")
    assert "This report could not be built." in failed_nb
    assert "RuntimeError: the chart data of this enterprise is damaged" in failed_nb
    assert 'href="../notebooks/trijaya_teknik.ipynb"' in failed_nb
    kept = nbformat.read(reports / "notebooks" / "trijaya_teknik.ipynb", as_version=4)
    assert any(o.get("ename") == "RuntimeError" for c in kept.cells
               for o in c.get("outputs", []))
    failed_analysis = (reports / "enterprises" / "lestari_dini_tunggul.html").read_text(
        encoding="utf-8")
    assert "the analysis failed: ValueError: a model could not be fitted" in failed_analysis

    index = _Links()
    index.feed((reports / "index.html").read_text(encoding="utf-8"))
    shown = {href: ("failed" if "failed" in words else "ok" if "ok" in words else words)
             for href, words in index.rows.items()}
    assert shown == {"synthesis.html": "ok", "enterprises/tjokro_bersaudara.html": "ok",
                     "enterprises/trijaya_teknik.html": "failed",
                     "enterprises/lestari_dini_tunggul.html": "failed",
                     "workshop/en/programme.html": "ok"}
    results = pd.read_csv(reports / "results.csv")
    assert set(results["enterprise_id"]) == {"tjokro_bersaudara", "trijaya_teknik"}


#: The options of the runs that are interrupted, and of the runs that complete after them
#: (no appendix pages and no PDFs: what is tested is the commit of whatever a run builds).
LEAN = ("--quiet", "--no-pdf", "--no-appendix")


def _start(data: Path, root: Path) -> subprocess.Popen:
    """``score-analysis run --force`` in its own process group, Ctrl-C enabled."""
    return subprocess.Popen(
        [str(SCORE_ANALYSIS), "run", "--data-dir", str(data), "--reports-dir",
         str(root / "reports"), "--processed-dir", str(root / "processed"), "--force",
         *LEAN],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))


def _wait_for(condition, proc: subprocess.Popen, timeout: float = 120) -> None:
    end = time.monotonic() + timeout
    while not condition():
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < end, "the run never reached the point to stop it"
        time.sleep(0.05)


def _copy_with_new_data(built: dict, tmp_path: Path, enterprise: str, kpi: str,
                        value: str) -> tuple[Path, Path]:
    """A writable copy of the built reports and their data, with one KPI of one enterprise
    set to ``value`` in every month."""
    root = tmp_path / "copy"
    for part in ("reports", "processed"):
        shutil.copytree(built["root"] / part, root / part)
    data = tmp_path / "raw"
    shutil.copytree(built["raw"], data)
    for p in [data, *data.iterdir()]:
        p.chmod(0o755 if p.is_dir() else 0o644)
    table = pd.read_csv(data / "kpi_monthly.csv", dtype=str, keep_default_na=False)
    table.loc[table["enterprise_id"] == enterprise, kpi] = value
    table.to_csv(data / "kpi_monthly.csv", index=False)
    return root, data


def _notebooks_started(reports: Path, proc: subprocess.Popen):
    return lambda: any(reports.glob(f".staging-{proc.pid}/notebooks/*.ipynb"))


def _staging_made(reports: Path, proc: subprocess.Popen):
    return lambda: (reports / f".staging-{proc.pid}").exists()


@pytest.mark.slow
def test_an_interrupted_run_leaves_the_previous_reports_and_the_next_run_completes(
        built, tmp_path):
    # new data for one enterprise: the interrupted runs are building something new
    root, data = _copy_with_new_data(built, tmp_path, "trijaya_teknik", "accidents", "0")
    reports = root / "reports"
    previous = visible(snapshot(reports))

    for sig, point in ((signal.SIGKILL, _notebooks_started), (signal.SIGINT, _notebooks_started),
                       (signal.SIGKILL, _staging_made)):
        proc = _start(data, root)
        _wait_for(point(reports, proc), proc)
        os.killpg(proc.pid, sig)
        _, err = proc.communicate(timeout=60)
        assert proc.returncode == (-sig if sig == signal.SIGKILL else 130), err.decode()[-4000:]
        if sig == signal.SIGINT:
            assert b"Interrupted: the previous reports are left as they were." in err
            assert b"Traceback" not in err
        assert visible(snapshot(reports)) == previous
        assert_complete(reports)

    proc = subprocess.run([str(SCORE_ANALYSIS), "run", "--data-dir", str(data),
                           "--reports-dir", str(reports), "--processed-dir",
                           str(root / "processed"), *LEAN],
                          capture_output=True,
                          timeout=600)
    assert proc.returncode == 0, proc.stderr
    assert b"Traceback" not in proc.stderr
    manifest = assert_complete(reports)
    assert {r["status"] for r in manifest["reports"].values()} == {"ok"}
    assert not list(reports.glob(".staging-*"))
    assert not list((root / "processed").glob(".staging-*"))
    new = pd.read_csv(reports / "results.csv")
    old = pd.read_csv(built["root"] / "reports" / "results.csv")
    same = new["enterprise_id"] == "tjokro_bersaudara"
    pd.testing.assert_frame_equal(new[same].reset_index(drop=True),
                                  old[old["enterprise_id"] == "tjokro_bersaudara"]
                                  .reset_index(drop=True))
    changed = [frame[(frame["enterprise_id"] == "trijaya_teknik")
                     & (frame["indicator"] == "accident_frequency")].reset_index(drop=True)
               for frame in (new, old)]
    assert not changed[0].equals(changed[1])
    assert (changed[0]["pre_value"].dropna() == 0).all()


@pytest.mark.slow
def test_a_run_killed_while_moving_its_reports_is_finished_by_the_next_run(built, tmp_path):
    root, data = _copy_with_new_data(built, tmp_path, "tjokro_bersaudara", "separations", "1")
    reports = root / "reports"

    staged = None
    for _ in range(3):  # stop it between marking its set complete and the last rename
        proc = _start(data, root)
        marker = reports / f".staging-{proc.pid}" / build.COMPLETE
        end = time.monotonic() + 300
        while not marker.exists() and proc.poll() is None and time.monotonic() < end:
            time.sleep(0.0005)  # the move takes milliseconds: look often
        with contextlib.suppress(ProcessLookupError):  # it may have finished already
            os.killpg(proc.pid, signal.SIGSTOP)
        if marker.parent.exists():
            staged = snapshot(marker.parent)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate(timeout=60)
        if staged is not None:
            break
    assert staged is not None, "the run was never caught while moving its reports"
    assert_complete(reports)  # whatever was moved, the set is readable and complete

    proc = subprocess.run([str(SCORE_ANALYSIS), "run", "--data-dir", str(data),
                           "--reports-dir", str(reports), "--processed-dir",
                           str(root / "processed"), *LEAN],
                          capture_output=True,
                          timeout=600)
    assert proc.returncode == 0, proc.stderr
    assert b"0 reports built, 2 unchanged" in proc.stdout  # finished, not rebuilt
    assert not list(reports.glob(".staging-*"))
    assert_complete(reports)
    now = snapshot(reports)
    for rel in ("results.csv", "enterprises/tjokro_bersaudara.html", "synthesis.html"):
        if rel in staged:  # not yet moved when the run was stopped: moved by the next run
            assert now[rel] == staged[rel], rel
    results = pd.read_csv(reports / "results.csv")
    old = pd.read_csv(built["root"] / "reports" / "results.csv")
    assert not results.equals(old)  # the new set, not the previous one
