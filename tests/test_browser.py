"""The rendered reports, end to end: notebooks executed by the pipeline, pages opened in
headless Chromium from ``file://`` with no network.

The fixture ``tests/data/reports`` has three enterprises: one kept as
``enterprise_records`` (no banner), one with suppressed survey groups and an
untracked KPI, and ``xss-probe`` whose name, location, sector, output unit,
milestone, notes and a survey question carry ``<script>`` and
``<img src=x onerror=...>`` payloads.  The reports are built once per session.

Chromium is Debian's (``/usr/bin/chromium``, or ``$CHROMIUM``), driven through
playwright with ``executable_path``: playwright's own browsers are never
downloaded.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from score_analysis.report import SIMULATED_BANNER, esc

FIXTURE = Path(__file__).parent / "data" / "reports"
XSS_NAME = "PT <script>alert(\"name\")</script> Probe <img src=x onerror=alert(1)>"
MAX_PAGE_BYTES = 3 * 1024 * 1024


def _chromium() -> str | None:
    for candidate in (os.environ.get("CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium"),
                      shutil.which("chromium-browser")):
        if candidate and Path(candidate).exists():
            return candidate
    return None


@pytest.fixture(scope="session")
def built(built_reports) -> Path:
    """The reports of the fixture data: the session's one build (``conftest.built_reports``),
    notebooks, appendices and PDFs included."""
    return built_reports


def _pages(reports: Path, lang: str | None = None) -> list[Path]:
    """The pages of one language (English at the top, the others under ``<lang>/``), or of
    every language."""
    if lang is None:
        return [p for code in ("en", "id") for p in _pages(reports, code)]
    root = reports if lang == "en" else reports / lang
    return [root / "index.html", root / "synthesis.html",
            *sorted((root / "enterprises").glob("*.html"))]


@pytest.fixture(scope="session")
def browser():
    exe = _chromium()
    if exe is None:
        pytest.fail("Chromium is needed for the browser tests: run `make browser-deps` "
                    "(Debian: apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=exe, args=["--no-sandbox"])
        yield b
        b.close()


@contextmanager
def _opened(browser, path: Path, width: int = 1280) -> Iterator[tuple]:
    """Open a page; yield it with the console errors, page errors, dialogs and requests
    it caused, and its URL."""
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    events = {"console": [], "errors": [], "dialogs": [], "requests": []}
    page.on("console", lambda m: events["console"].append(f"{m.type}: {m.text}"))
    page.on("pageerror", lambda e: events["errors"].append(str(e)))
    page.on("dialog", lambda d: (events["dialogs"].append(d.message), d.dismiss()))
    page.on("request", lambda r: events["requests"].append(r.url))
    url = path.resolve().as_uri()
    try:
        page.goto(url, wait_until="load")
        page.wait_for_load_state("networkidle")
        yield page, events, url
    finally:
        context.close()


# --------------------------------------------------------------------------- static checks


@pytest.mark.slow
def test_every_report_is_built_with_its_index_entry(built):
    manifest = json.loads((built / "manifest.json").read_text(encoding="utf-8"))
    assert {r["status"] for r in manifest["reports"].values()} == {"ok"}
    assert manifest["synthesis"]["status"] == "ok"
    index = (built / "index.html").read_text(encoding="utf-8")
    for r in manifest["reports"].values():
        assert f"href='{esc(r['path'])}'" in index
        assert r["headline"] and esc(r["headline"]) in index


@pytest.mark.slow
def test_executed_notebooks_have_html_outputs_only(built):
    reports = [p for p in sorted((built / "notebooks").glob("*.ipynb"))
               if not p.name.startswith("appendix-")]  # the appendices show their code
    assert reports
    for nb_path in reports:
        nb = json.loads(nb_path.read_text(encoding="utf-8"))
        for cell in nb["cells"]:
            for out in cell.get("outputs", []):
                assert out["output_type"] == "execute_result", (nb_path.name, out)
                assert "text/html" in out["data"], (nb_path.name, out["data"].keys())


@pytest.mark.slow
def test_pages_are_small_and_carry_no_stray_output(built):
    for path in _pages(built):
        raw = path.read_bytes()
        assert len(raw) < MAX_PAGE_BYTES, (path.name, len(raw))
        text = raw.decode("utf-8")
        for stray in ("<Figure size", "Warning:", "output_stderr", "Traceback", "<pre>",
                      "object at 0x", "<html fragment>"):
            assert stray not in text, (path.name, stray)
        for remote in ("http://", "https://", "//cdn", "@import", "@font-face"):
            assert remote not in text, (path.name, remote)


# --------------------------------------------------------------------------- in the browser


@pytest.mark.browser
def test_pages_open_offline_without_errors(built, browser):
    for path in _pages(built):
        with _opened(browser, path) as (page, events, url):
            assert events["console"] == [] and events["errors"] == [], (path.name, events)
            assert events["dialogs"] == [], (path.name, events["dialogs"])
            # the document itself and nothing else: no network, no file, no font
            assert events["requests"] == [url], (path.name, events["requests"])
            images = page.evaluate(
                "Array.from(document.images).map(i => [i.complete, i.naturalWidth, i.alt])")
            for complete, width, alt in images:
                assert complete and width > 0, path.name
                assert alt.strip(), path.name
            assert page.locator("script").count() == 0, path.name
            code = page.locator(".input, .input_area, .prompt, .jp-InputArea, .highlight, "
                                "pre").count()
            assert code == 0, (path.name, code)
            assert page.locator("table").count() >= 1, path.name
            assert page.locator("table thead th").count() >= 2, path.name


@pytest.mark.browser
def test_banner_and_summary_table_on_enterprise_pages(built, browser):
    manifest = json.loads((built / "manifest.json").read_text(encoding="utf-8"))
    for report in manifest["reports"].values():
        with _opened(browser, built / report["path"]) as (page, _, _):
            banner = page.locator(".banner")
            if report["data_source"] == "simulated":
                assert banner.count() == 1 and SIMULATED_BANNER in banner.inner_text()
                # the banner comes first, before the title
                assert page.evaluate(
                    "document.querySelector('.banner').compareDocumentPosition("
                    "document.querySelector('h1')) & Node.DOCUMENT_POSITION_FOLLOWING")
            else:
                assert banner.count() == 0, report["path"]
            summary = page.locator("table.summary")
            assert summary.count() == 1
            assert summary.locator("tbody tr").count() >= 8
            assert page.locator("ul.sentences li").count() == summary.locator(
                "tbody tr").count()
            assert page.locator("details.methods").get_attribute("open") is None
            for title in ("Summary", "Monthly indicators",
                          "5S: Sort, Set in order, Shine, Standardize, Sustain", "Worker survey",
                          "Good practices, lessons learned and constraints", "Data quality",
                          "Methods and diagnostics", "Provenance"):
                assert page.get_by_role("heading", name=title, exact=True).count() == 1, title


@pytest.mark.browser
def test_synthesis_and_index_show_their_tables(built, browser):
    with _opened(browser, built / "synthesis.html") as (page, _, _):
        assert SIMULATED_BANNER in page.locator(".banner").inner_text()
        grid = page.locator("table.grid tbody tr")
        assert grid.count() == 3
        # one forest plot per monthly indicator that some enterprise could estimate (analysis
        # plan v3: the effect at the last month), the 5S index lines and the survey changes
        import pandas as pd

        res = pd.read_csv(built / "results.csv")
        kpis = res[(res["method"] == "its_effect_end") & (res["status"] == "ok")]["indicator"]
        assert page.locator("figure img").count() == kpis.nunique() + 2
    with _opened(browser, built / "index.html") as (page, _, _):
        # the synthesis, the workshop pack, three enterprises, and their four appendix pages
        rows = page.locator("table.index tbody tr")
        assert rows.count() == 9
        assert page.locator(".status.ok").count() == 9


@pytest.mark.browser
def test_hostile_text_is_shown_as_text_and_runs_nothing(built, browser):
    with _opened(browser, built / "enterprises" / "xss-probe.html") as (page, events, _):
        assert events["dialogs"] == [] and events["errors"] == []
        assert page.locator("h1").inner_text() == XSS_NAME
        assert page.title().startswith(XSS_NAME)
        body = page.locator("main").inner_text()
        for payload in ("<img src=x onerror=alert('location')>",
                        "\"><svg onload=alert('sector')> & tools",
                        "<script>alert('milestone')</script>",
                        "<script>alert('practice')</script> Daily huddles",
                        "</li></ul><a href=javascript:alert('link')>click</a>",
                        "Bonus of $5 and $10 for ideas & \"quotes\""):
            assert payload in body, payload
        assert page.locator("svg, iframe, script").count() == 0
        assert page.locator("img:not([src^='data:image/png;base64,'])").count() == 0
        assert page.locator("a[href^='javascript']").count() == 0
        handlers = page.evaluate(
            "Array.from(document.querySelectorAll('*')).flatMap(e => "
            "Array.from(e.attributes).map(a => a.name)).filter(n => n.startsWith('on'))")
        assert handlers == []
    with _opened(browser, built / "synthesis.html") as (page, events, _):
        assert events["dialogs"] == []
        assert XSS_NAME in page.locator("table.grid").inner_text()


@pytest.mark.browser
def test_pages_fit_a_phone_screen(built, browser):
    for path in _pages(built):
        with _opened(browser, path, width=390) as (page, _, _):
            # wide tables scroll inside their wrapper; the page itself never scrolls sideways
            assert page.evaluate("document.documentElement.scrollWidth") <= 390, path.name


@pytest.mark.browser
def test_collapsed_sections_print_open(built, browser):
    with _opened(browser, built / "enterprises" / "tesena_inovindo.html") as (page, _, _):
        inside = page.locator("details.methods table").first
        assert not inside.is_visible()
        page.emulate_media(media="print")
        assert inside.is_visible()


# --------------------------------------------------------------------------- Bahasa Indonesia


@pytest.mark.slow
def test_every_english_page_has_an_indonesian_twin(built):
    english, indonesian = _pages(built, "en"), _pages(built, "id")
    assert [p.relative_to(built) for p in english] == [
        p.relative_to(built / "id") for p in indonesian]
    for en, id_ in zip(english, indonesian, strict=True):
        a, b = en.read_text(encoding="utf-8"), id_.read_text(encoding="utf-8")
        assert '<html lang="en">' in a and '<html lang="id">' in b
        assert 'rel="alternate" hreflang="id"' in a and 'rel="alternate" hreflang="en"' in b


@pytest.mark.browser
def test_indonesian_pages_link_their_twin_and_speak_indonesian(built, browser):
    for path in _pages(built, "id"):
        with _opened(browser, path) as (page, events, _):
            assert events["errors"] == [] and events["dialogs"] == []
            assert page.locator("html").get_attribute("lang") == "id"
            twin = page.locator("p.language-switch a")
            assert twin.inner_text() == "English"
            target = (path.parent / twin.get_attribute("href")).resolve()
            assert target.exists() and "/id/" not in str(target), target
            assert page.locator("table").count() >= 1
    with _opened(browser, built / "id" / "enterprises" / "tesena_inovindo.html") as (page, _, _):
        for title in ("Ringkasan", "Indikator bulanan", "5R: Ringkas, Rapi, Resik, Rawat, Rajin",
                      "Survei pekerja",
                      "Praktik baik, pelajaran yang dipetik, dan kendala", "Kualitas data",
                      "Metode dan diagnostik", "Asal-usul"):
            assert page.get_by_role("heading", name=title, exact=True).count() == 1, title
        assert "Data simulasi untuk demonstrasi" in page.locator(".banner").inner_text()
        summary = page.locator("table.summary").inner_text()
        # Indonesian decimal commas, no decimal points
        assert re.search(r"\d,\d", summary) and not re.search(r"(?<![\d.])0\.\d", summary)


@pytest.mark.browser
def test_hostile_text_stays_text_on_the_indonesian_pages(built, browser):
    path = built / "id" / "enterprises" / "xss-probe.html"
    with _opened(browser, path) as (page, events, _):
        assert events["dialogs"] == [] and events["errors"] == []
        assert page.locator("h1").inner_text() == XSS_NAME
        body = page.locator("main").inner_text()
        for payload in ("<img src=x onerror=alert('location')>",
                        "<script>alert('milestone')</script>",
                        "</li></ul><a href=javascript:alert('link')>click</a>"):
            assert payload in body, payload
        assert page.locator("svg, iframe, script").count() == 0
        assert page.locator("a[href^='javascript']").count() == 0
        handlers = page.evaluate(
            "Array.from(document.querySelectorAll('*')).flatMap(e => "
            "Array.from(e.attributes).map(a => a.name)).filter(n => n.startsWith('on'))")
        assert handlers == []
    with _opened(browser, built / "id" / "synthesis.html") as (page, events, _):
        assert events["dialogs"] == []
        assert XSS_NAME in page.locator("table.grid").inner_text()


@pytest.mark.slow
def test_no_english_prose_is_left_on_the_built_indonesian_pages(built):
    """Data-provided text (names, notes, the analysis's English notes marked lang="en",
    code) excepted, the Indonesian pages read in Indonesian."""
    from test_reporting import ENGLISH, _data_text, _visible_text

    data_text = _data_text(built.parent / "processed")
    for path in _pages(built, "id"):
        html = path.read_text(encoding="utf-8")
        text = _visible_text(html[html.index("<body>"):], data_text)
        found = [text[max(0, m.start() - 50):m.end() + 20] for m in ENGLISH.finditer(text)]
        assert found == [], (path.name, found[:5])
