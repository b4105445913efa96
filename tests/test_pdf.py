"""The A4 PDFs of the reports (score_analysis.build.printing, score_analysis.build.pdfs).

The reports of ``tests/data/reports`` are built once per session (``built_reports``,
PDFs included) and read with pypdf; the runs that change something work on a copy.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import unicodedata
from html.parser import HTMLParser
from pathlib import Path

import pytest

from score_analysis import build
from score_analysis.build import pdfs
from score_analysis.build import printing as pdf

pypdf = pytest.importorskip("pypdf", reason="pypdf is a dev dependency: make install")

browser = pytest.mark.browser  # needs Chromium (and the fixture build)

A4_POINTS = (595.28, 841.89)  # 210 mm x 297 mm
ENTERPRISES = ("inprintama_asri", "tesena_inovindo", "xss-probe")
PAGE_OF = {"en": "Page {page} of {pages}", "id": "Halaman {page} dari {pages}"}


def _text(value: str) -> str:
    """Text as compared: ligatures unfolded (pypdf gives 'ﬁ'), whitespace collapsed."""
    return " ".join(unicodedata.normalize("NFKC", value).split())


class _BannerText(HTMLParser):
    """The visible text of the page's ``.banner`` element."""

    def __init__(self) -> None:
        super().__init__()
        self.depth = 0
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        classes = (dict(attrs).get("class") or "").split()
        if self.depth or "banner" in classes:
            self.depth += 1

    def handle_endtag(self, tag):
        if self.depth:
            self.depth -= 1

    def handle_data(self, data):
        if self.depth:
            self.parts.append(data)


def banner_text(page: Path) -> str:
    parser = _BannerText()
    parser.feed(page.read_text(encoding="utf-8"))
    return _text(" ".join(parser.parts))


def expected_pdfs(reports: Path) -> dict[str, Path]:
    """Every PDF the fixture's run must have written, with its page."""
    out = {}
    for lang in ("en", "id"):
        prefix = "" if lang == "en" else f"{lang}/"
        if lang != "en" and not (reports / lang).is_dir():
            continue
        out[f"pdf/{lang}/synthesis.pdf"] = reports / f"{prefix}synthesis.html"
        for eid in ENTERPRISES:
            out[f"pdf/{lang}/{eid}.pdf"] = reports / f"{prefix}enterprises/{eid}.html"
    return out


def pages_text(path: Path) -> list[str]:
    return [_text(p.extract_text() or "") for p in pypdf.PdfReader(path).pages]


def _copy_run(built: Path, dest: Path, *, appendices: bool = True) -> build.Options:
    """A writable copy of the built fixture (raw data, processed tables, reports), and the
    options of a run there: those of the fixture's build, or without the appendix pages
    (cheaper, and every report page is then rebuilt: its link to the appendix goes)."""
    root = built.parent
    for name in ("raw", "processed", "reports"):
        shutil.copytree(root / name, dest / name)
    return build.Options(data_dir=dest / "raw", reports_dir=dest / "reports",
                         processed_dir=dest / "processed", jobs=2, progress=False,
                         appendices=appendices)


def _change_enterprise(raw: Path, eid: str) -> None:
    """One more accident in the first month of ``eid``: its page (and the synthesis) change."""
    path = raw / "kpi_monthly.csv"
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
    first = next(r for r in rows if r["enterprise_id"] == eid)
    first["accidents"] = str(int(first["accidents"]) + 1)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")


def _stamps(reports: Path) -> dict[str, int]:
    return {p.relative_to(reports).as_posix(): p.stat().st_mtime_ns
            for p in (reports / "pdf").rglob("*.pdf")}


# --------------------------------------------------------------------------- the PDFs of a run


@browser
def test_every_report_has_its_pdf_with_pages_and_text(built_reports):
    want = expected_pdfs(built_reports)
    found = {p.relative_to(built_reports).as_posix()
             for p in (built_reports / "pdf").rglob("*.pdf")}
    assert found == set(want)
    for name in want:
        texts = pages_text(built_reports / name)
        assert len(texts) >= 2, name  # a whole report does not fit on one A4 page
        assert len(texts[0]) > 300, f"{name}: page 1 has no text"
        # the text of the page is text in the PDF (a page of figures holds only its footer)
        assert sum(len(t) for t in texts) > 500 * len(texts), name


@browser
def test_pdfs_are_a4_and_open_in_portrait(built_reports):
    for name in expected_pdfs(built_reports):
        for page in pypdf.PdfReader(built_reports / name).pages:
            size = sorted((float(page.mediabox.width), float(page.mediabox.height)))
            assert size == pytest.approx(A4_POINTS, abs=2.0), (name, size)  # either way up
        first = pypdf.PdfReader(built_reports / name).pages[0]
        assert float(first.mediabox.width) < float(first.mediabox.height), name  # portrait


@browser
def test_every_page_is_numbered_in_its_language(built_reports):
    for name in expected_pdfs(built_reports):
        lang = name.split("/")[1]
        texts = pages_text(built_reports / name)
        for i, text in enumerate(texts, start=1):
            assert PAGE_OF[lang].format(page=i, pages=len(texts)) in text, (name, i)


@browser
def test_the_banner_opens_page_one_and_only_where_the_page_has_it(built_reports):
    seen = 0
    for name, page in expected_pdfs(built_reports).items():
        first = pages_text(built_reports / name)[0]
        banner = banner_text(page)
        if banner:
            seen += 1
            assert banner in first, name
        elif "inprintama_asri" in name:  # enterprise records: no banner in the page or PDF
            assert "Simulated" not in first and "simulasi" not in first.lower(), name
    assert seen >= 3  # the simulated enterprises and the synthesis


@browser
def test_hostile_text_is_printed_as_text(built_reports):
    text = " ".join(pages_text(built_reports / "pdf/en/xss-probe.pdf"))
    assert '<script>alert("name")</script>' in text


@browser
def test_keys_cover_every_pdf(built_reports):
    state = json.loads((built_reports / "pdf" / "keys.json").read_text(encoding="utf-8"))
    assert state["complete"] is True
    assert set(state["keys"]) == set(expected_pdfs(built_reports))
    assert state["printed"] == len(state["keys"]) and state["duration_s"] > 0


# --------------------------------------------------------------------------- incremental, --no-pdf


@browser
def test_an_unchanged_page_is_not_printed_again(built_reports, tmp_path):
    options = _copy_run(built_reports, tmp_path)
    reports = options.reports_dir
    before = _stamps(reports)
    _change_enterprise(options.data_dir, "tesena_inovindo")
    lines: list[str] = []
    summary = build.run(options, echo=lines.append)
    assert summary.failed == 0 and summary.built == 1
    after = _stamps(reports)
    assert set(after) == set(before)
    reprinted = {name for name in after if after[name] != before[name]}
    langs = {name.split("/")[1] for name in after}
    assert reprinted == {f"pdf/{lang}/{n}.pdf" for lang in langs
                         for n in ("tesena_inovindo", "synthesis")}
    state = pdfs.read_state(reports)
    assert state["printed"] == len(reprinted)
    assert any(re.search(rf"PDFs: {len(reprinted)} printed", line) for line in lines), lines


@browser
def test_no_pdf_writes_none(built_reports, tmp_path):
    options = _copy_run(built_reports, tmp_path, appendices=False)
    shutil.rmtree(options.reports_dir / "pdf")
    shutil.rmtree(options.reports_dir / "workshop")  # the workshop pack's PDFs too
    _change_enterprise(options.data_dir, "xss-probe")
    lines: list[str] = []
    summary = build.run(build.Options(**{**options.__dict__, "pdf": False}),
                        echo=lines.append)
    assert summary.failed == 0 and summary.built == 3
    assert not (options.reports_dir / "pdf").exists()
    assert not list(options.reports_dir.rglob("*.pdf"))
    assert not any("PDF" in line for line in lines)


def test_no_pdf_flag_reaches_the_run(monkeypatch, tmp_path):
    from score_analysis import cli

    seen = {}

    def fake_run(options, **_):
        seen["pdf"] = options.pdf
        return build.Summary(nothing_changed=True)

    monkeypatch.setattr(build, "run", fake_run)
    args = ["run", "--data-dir", str(tmp_path), "--reports-dir", str(tmp_path / "r"),
            "--processed-dir", str(tmp_path / "p"), "--quiet"]
    cli.main([*args, "--no-pdf"])
    assert seen["pdf"] is False
    cli.main(args)
    assert seen["pdf"] is True


# --------------------------------------------------------------------------- without Chromium


@browser
def test_prints_from_a_thread_whose_event_loop_runs(built_reports, tmp_path):
    """As from a Jupyter kernel: the caller's thread runs an asyncio loop."""
    import asyncio
    import threading

    async def from_a_notebook():
        return pdf.print_pages([pdf.PdfJob(built_reports / "synthesis.html",
                                           tmp_path / "synthesis.pdf", "id")])

    # in a thread of its own: the session's browser fixture keeps playwright's own loop
    # running in the main thread, where asyncio.run would refuse to start
    outcome: dict = {}
    worker = threading.Thread(target=lambda: outcome.update(done=asyncio.run(from_a_notebook())))
    worker.start()
    worker.join(timeout=300)
    (done,) = outcome["done"]
    texts = pages_text(done)
    assert len(texts) >= 2 and PAGE_OF["id"].format(page=1, pages=len(texts)) in texts[0]


@browser
def test_missing_chromium_skips_the_pdfs_in_one_line(built_reports, tmp_path, monkeypatch):
    monkeypatch.setenv("CHROMIUM", str(tmp_path / "no-such-chromium"))
    assert pdf.chromium_path() is None
    with pytest.raises(pdf.ChromiumMissing, match=r"\$CHROMIUM .* is not an executable"):
        pdf.print_pages([pdf.PdfJob(built_reports / "synthesis.html", tmp_path / "s.pdf", "en")])
    lines: list[str] = []
    stage = tmp_path / "stage"
    stage.mkdir()
    empty = tmp_path / "reports"  # no PDFs yet: every one would be printed
    shutil.copytree(built_reports, empty, ignore=shutil.ignore_patterns("pdf"))
    outcome = pdfs.stage_pdfs(empty, stage, [("synthesis", "synthesis.html")],
                              echo=lines.append)
    assert outcome.skipped and outcome.printed == 0
    assert len(lines) == 1 and lines[0].startswith("PDFs skipped: ") and "\n" not in lines[0]
    assert not list(stage.rglob("*.pdf"))
    assert pdfs.read_state(stage) == {"complete": False, "printed": 0, "duration_s": 0.0,
                                     "keys": {}}
    # without Chromium a rerun has nothing more to do for the PDFs
    assert pdfs.up_to_date(empty, build.Options(reports_dir=empty))


def test_a_failed_print_is_done_by_the_next_run(tmp_path, monkeypatch):
    reports, stage = tmp_path / "reports", tmp_path / "stage"
    for rel in ("enterprises/a.html", "enterprises/b.html"):
        (reports / rel).parent.mkdir(parents=True, exist_ok=True)
        (reports / rel).write_text(f"<p>{rel}</p>", encoding="utf-8")
    pages = [("a", "enterprises/a.html"), ("b", "enterprises/b.html")]
    want = pdfs.wanted(reports, stage, pages, ("en",))
    keys, _todo = pdfs.stale(want, reports, {}, pdf.print_settings_key())
    (reports / "pdf/en").mkdir(parents=True)
    (reports / "pdf/en/a.pdf").write_bytes(b"%PDF a")  # a is printed and current
    pdfs.write_state({"pdf/en/a.pdf": keys["pdf/en/a.pdf"]}, reports)

    def broken(jobs, **_):
        raise pdf.PdfError("a page could not be printed: boom")

    monkeypatch.setattr(pdf, "print_pages", broken)
    monkeypatch.setenv("CHROMIUM", "/bin/sh")  # "a Chromium" is there
    outcome = pdfs.stage_pdfs(reports, stage, pages, languages=("en",), echo=lambda _: None)
    assert outcome.skipped == "a page could not be printed: boom"
    state = pdfs.read_state(stage)
    assert state["complete"] is False and state["keys"] == {"pdf/en/a.pdf": keys["pdf/en/a.pdf"]}
    shutil.copy(stage / "pdf/keys.json", reports / "pdf/keys.json")  # as the commit does
    assert not pdfs.up_to_date(reports, build.Options(reports_dir=reports))


@browser
def test_missing_chromium_run_still_builds_the_pages(built_reports, tmp_path, monkeypatch):
    monkeypatch.setenv("CHROMIUM", str(tmp_path / "no-such-chromium"))
    options = _copy_run(built_reports, tmp_path, appendices=False)
    shutil.rmtree(options.reports_dir / "pdf")
    shutil.rmtree(options.reports_dir / "workshop")  # the workshop pack's PDFs too
    _change_enterprise(options.data_dir, "tesena_inovindo")
    lines: list[str] = []
    summary = build.run(options, echo=lines.append)
    assert summary.failed == 0 and summary.built == 3 and summary.exit_code == 0
    assert [line for line in lines if "PDF" in line] == [
        line for line in lines if line.startswith("PDFs skipped: $CHROMIUM")]
    assert any(line.startswith("PDFs skipped: ") for line in lines), lines
    assert not list(options.reports_dir.rglob("*.pdf"))
    assert pdfs.read_state(options.reports_dir)["complete"] is False
    assert (options.reports_dir / "enterprises" / "tesena_inovindo.html").exists()


# --------------------------------------------------------------------------- pieces


def test_footer_says_page_n_of_total_in_each_language():
    for lang, words in (("en", "Page"), ("id", "Halaman")):
        footer = pdf.footer_template(lang)
        assert words in footer
        assert '<span class="pageNumber"></span>' in footer
        assert '<span class="totalPages"></span>' in footer


def test_a_changed_page_or_missing_file_is_stale(tmp_path):
    a, b = tmp_path / "a.html", tmp_path / "b.html"
    a.write_text("<p>a</p>", encoding="utf-8")
    b.write_text("<p>b</p>", encoding="utf-8")
    want = {"pdf/en/a.pdf": (a, "en"), "pdf/en/b.pdf": (b, "en")}
    keys, todo = pdfs.stale(want, tmp_path, {}, "s")
    assert sorted(todo) == sorted(want)
    for name in want:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(b"%PDF")
    assert pdfs.stale(want, tmp_path, keys, "s") == (keys, [])
    b.write_text("<p>b, changed</p>", encoding="utf-8")
    assert pdfs.stale(want, tmp_path, keys, "s")[1] == ["pdf/en/b.pdf"]
    assert sorted(pdfs.stale(want, tmp_path, keys, "other settings")[1]) == sorted(want)
    (tmp_path / "pdf/en/a.pdf").unlink()
    assert "pdf/en/a.pdf" in pdfs.stale(want, tmp_path, keys, "s")[1]


@browser
def test_every_table_fits_the_printed_page(built_reports, in_browser):
    """At the width of a portrait page's text every table fits, or it is marked to be
    printed on landscape pages and fits their width."""
    landscape = (297 - 14 - 14) / 25.4 * 96
    too_wide = """width => [...document.querySelectorAll('table')]
        .filter(t => !t.closest('.print-wide') && t.getBoundingClientRect().width > width + 1)
        .map(t => (t.querySelector('caption') || t).textContent.slice(0, 60))"""
    marked = "() => document.querySelectorAll('.print-wide').length"
    pages = sorted(set(expected_pdfs(built_reports).values()))

    def check(browser) -> dict:
        out = {}
        tab = browser.new_page(viewport={"width": round(pdf.TEXT_WIDTH_PX), "height": 900})
        for page in pages:
            tab.set_viewport_size({"width": round(pdf.TEXT_WIDTH_PX), "height": 900})
            tab.goto(page.as_uri())
            tab.emulate_media(media="print")
            tab.evaluate(pdf.MARK_WIDE, pdf.TEXT_WIDTH_PX)
            portrait, wide = tab.evaluate(too_wide, pdf.TEXT_WIDTH_PX), []
            if tab.evaluate(marked):
                tab.set_viewport_size({"width": round(landscape), "height": 900})
                tab.evaluate("() => document.querySelectorAll('.print-wide').forEach("
                             "e => e.classList.remove('print-wide'))")
                wide = tab.evaluate(too_wide, landscape)
            out[page] = (pdf.PRINT_CSS_MARK in tab.content(), portrait, wide)
        return out

    for page, (has_print_css, portrait, wide) in in_browser(check).items():
        assert has_print_css, page  # the page carries print.css itself
        assert portrait == [] and wide == [], (page, portrait, wide)


@browser
def test_print_stylesheet_keeps_tables_and_figures_whole(built_reports, in_browser):
    page = built_reports / "enterprises" / "tesena_inovindo.html"

    def styles(browser) -> dict:
        tab = browser.new_page()
        tab.goto(page.as_uri())
        tab.add_style_tag(content=pdf.print_stylesheet())
        tab.emulate_media(media="print")
        return tab.evaluate("""() => {
            const first = s => document.querySelector(s);
            const css = (s, p) => first(s) && getComputedStyle(first(s))[p];
            return {table: css('table', 'breakInside'), figure: css('figure', 'breakInside'),
                    nav: css('nav', 'display'), banner: css('.banner', 'breakInside'),
                    smallest: Math.min(...[...document.querySelectorAll(
                        'main p, main td, main th, main li')].map(
                        e => parseFloat(getComputedStyle(e).fontSize)))};
        }""")

    found = in_browser(styles)
    assert found["table"] == "avoid" and found["figure"] == "avoid"
    assert found["banner"] == "avoid"
    assert found["nav"] == "none"
    assert found["smallest"] >= 8 * 96 / 72 - 0.01  # 8pt in CSS pixels


def test_bench_ratio_of_pdfs_to_the_html_build(tmp_path):
    from benchmarks import pdf_cost
    from benchmarks.run import Row

    pdfs.write_state({"pdf/en/a.pdf": "k", "pdf/en/b.pdf": "k"}, tmp_path, printed=2,
                    duration_s=3.0)
    figures = {"pdf": pdf_cost.measure(tmp_path, run_wall_s=15.0)}
    assert figures["pdf"] == {"pdfs": 2, "pdf_s": 3.0, "html_s": 12.0}
    (line,) = pdf_cost.rows(figures, Row)
    assert line.ratio == pytest.approx(0.25) and line.ok is True
    figures["pdf"]["pdf_s"] = 7.0
    assert pdf_cost.rows(figures, Row)[0].ok is False
    assert pdf_cost.rows({}, Row) == []
    assert pdf_cost.measure(tmp_path / "nothing", run_wall_s=15.0) is None
    assert pdf_cost.rows({"pdf": None}, Row)[0].ok is False


def test_every_report_page_that_exists_is_wanted_in_each_language(tmp_path):
    from score_analysis.build import ReportOutcome

    reports, stage = tmp_path / "reports", tmp_path / "stage"
    outcomes = {e: ReportOutcome(key=e, kind="enterprise", status=s, path=f"enterprises/{e}.html",
                                 title=e)
                for e, s in (("a", "ok"), ("b", "failed"), ("c", "unchanged"), ("d", "not built"))}
    pages = pdfs.report_pages(outcomes)
    assert pages[-1] == ("synthesis", "synthesis.html")
    for rel in ("enterprises/a.html", "enterprises/b.html", "id/enterprises/a.html",
                "synthesis.html"):
        (stage / rel).parent.mkdir(parents=True, exist_ok=True)
        (stage / rel).write_text("<p>new</p>", encoding="utf-8")
    for rel in ("enterprises/c.html", "id/enterprises/c.html", "id/synthesis.html"):
        (reports / rel).parent.mkdir(parents=True, exist_ok=True)
        (reports / rel).write_text("<p>kept</p>", encoding="utf-8")
    want = pdfs.wanted(reports, stage, pages, ("en", "id"))
    assert want == {
        "pdf/en/a.pdf": (stage / "enterprises/a.html", "en"),
        "pdf/id/a.pdf": (stage / "id/enterprises/a.html", "id"),
        "pdf/en/b.pdf": (stage / "enterprises/b.html", "en"),  # a failed page says so
        "pdf/en/c.pdf": (reports / "enterprises/c.html", "en"),
        "pdf/id/c.pdf": (reports / "id/enterprises/c.html", "id"),
        "pdf/en/synthesis.pdf": (stage / "synthesis.html", "en"),
        "pdf/id/synthesis.pdf": (reports / "id/synthesis.html", "id"),
    }
    assert set(pdfs.wanted(reports, stage, pages, ("en",))) == {
        "pdf/en/a.pdf", "pdf/en/b.pdf", "pdf/en/c.pdf", "pdf/en/synthesis.pdf"}
