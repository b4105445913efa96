"""The final result workshop pack (score_analysis.report.workshop, score_analysis.build.workshop).

The pack of ``tests/data/reports`` is built once per session by the real pipeline
(``built_reports``) and read here: the one-page PDFs with pypdf, the decks with
python-pptx and, converted to PDF, with LibreOffice; the summary pages in the browser with
axe.  The stage's incremental rules run on a copy of that build, without the notebooks.
"""

from __future__ import annotations

import csv
import json
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest

from score_analysis import build
from score_analysis.build import workshop as stage
from score_analysis.i18n import use_language
from score_analysis.report.workshop import content, deck, wording
from score_analysis.report.workshop.charts import PNG_DPI, png_size

pypdf = pytest.importorskip("pypdf", reason="pypdf is a dev dependency: make install")
from pptx import Presentation  # noqa: E402 (after the dev dependency check)
from pptx.util import Emu, Pt  # noqa: E402

browser = pytest.mark.browser  # needs Chromium (the fixture build prints the PDFs)
LANGS = ("en", "id")
DATA = Path(__file__).parent / "data" / "reports"
A4_POINTS = (595.28, 841.89)
#: Words of English that never occur in the Indonesian text of the deck.
ENGLISH = {"the", "and", "of", "before", "after", "with", "enterprise", "enterprises",
           "programme", "change", "changes", "chance", "clear", "higher", "lower", "workers",
           "month", "results", "what", "how", "not", "analysis", "trend", "good", "practices",
           "lessons", "learned", "constraints", "simulated", "timeline", "achievements",
           "slides", "points", "rate", "improvement", "was", "were", "each", "evidence"}


# --------------------------------------------------------------------------- helpers


def enterprises() -> list[dict]:
    with (DATA / "enterprises.csv").open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def results(reports: Path) -> pd.DataFrame:
    return pd.read_csv(reports / "results.csv", keep_default_na=True)


def pack_dir(reports: Path, lang: str) -> Path:
    return reports / "workshop" / lang


def slide_title(slide) -> str:
    return slide.shapes.title.text_frame.text if slide.shapes.title is not None else ""


def slide_runs(slide):
    """Every text run of a slide's shapes (not the notes): (run, shape)."""
    for shape in slide.shapes:
        if shape.has_text_frame:
            for p in shape.text_frame.paragraphs:
                for r in p.runs:
                    yield r, shape


def run_lang(run) -> str:
    return run._r.get_or_add_rPr().get("lang") or ""


def number(text: str, lang: str) -> float:
    """A number as the page shows it (English 1,234.5; Indonesian 1.234,5; − for minus)."""
    text = text.replace("−", "-")
    if lang == "id":
        text = text.replace(".", "").replace(",", ".")
    else:
        text = text.replace(",", "")
    return float(text)


def decimals(text: str, lang: str) -> int:
    mark = "," if lang == "id" else "."
    return len(text.split(mark)[1]) if mark in text else 0


def labels(lang: str) -> dict[str, tuple[str, str]]:
    """Indicator names as shown in ``lang`` → (domain, indicator)."""
    from score_analysis.report.wording import indicator_label
    from score_analysis.stats.indicators import INDICATORS

    keys = [("kpi", i) for i in INDICATORS] + [("five_s", "five_s_index")] + [
        ("survey", c) for c in ("communication", "working_conditions", "cooperation",
                                "job_satisfaction")]
    with use_language(lang):
        return {indicator_label(d, i): (d, i) for d, i in keys}


class _Page(HTMLParser):
    """The elements of a page: tag, attributes, and the text of elements with ``lang``."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def parse(page: Path) -> _Page:
    p = _Page()
    p.feed(page.read_text(encoding="utf-8"))
    return p


# --------------------------------------------------------------------------- content


def test_values_read_in_natural_units_with_enough_decimals():
    assert wording.natural_pair(2.758, 1.806) == ("2.8", "1.8")
    assert wording.natural_pair(0.198, 3.904) == ("0.2", "3.9")
    assert wording.natural_pair(246.9, 253.76) == ("247", "254")
    assert wording.natural_pair(11.17, 12.46) == ("11.2", "12.5")
    assert wording.natural_pair(4.94, 4.91) == ("4.94", "4.91")  # one more decimal
    assert wording.natural_pair(0.03, 3.9) == ("0.03", "3.90")  # never a false zero
    assert wording.natural_pair(30.6, 70.8, whole=True) == ("31", "71")
    with use_language("id"):
        assert wording.natural_pair(2.758, 1.806) == ("2,8", "1,8")


def _row(indicator, *, domain="kpi", method="its_level", status="ok", pre=1.0, post=1.0,
         direction="inconclusive", estimate=1.0, p_holm=0.5, eid="e1"):
    return {"enterprise_id": eid, "domain": domain, "indicator": indicator, "method": method,
            "primary": True, "status": status, "pre_value": pre, "post_value": post,
            "estimate": estimate, "estimate_scale": "rate_ratio" if domain == "kpi"
            else "difference", "ci_low": estimate * 0.8, "ci_high": estimate * 1.2,
            "p_value": 0.01, "p_holm": p_holm, "direction": direction, "n_pre": 15,
            "n_post": 10, "note": ""}


def test_key_figures_keep_a_worsening_and_the_largest_exploratory_change():
    rows = pd.DataFrame([
        _row("labour_productivity", pre=10.0, post=10.5),
        _row("reject_rate", pre=2.8, post=1.8, direction="improved", p_holm=0.01),
        _row("rework_rate", pre=4.2, post=2.7, direction="improved", p_holm=0.01),
        _row("absenteeism_rate", pre=3.0, post=3.9, direction="worsened", p_holm=0.02,
             estimate=1.3),
        _row("suggestion_rate", status="insufficient_data", pre=0.2, post=3.9,
             estimate=float("nan"), p_holm=float("nan")),
        _row("accident_frequency", pre=10.0, post=30.0),  # larger, but not the largest
        _row("turnover_rate", status="not_reported", pre=float("nan"), post=float("nan")),
        _row("five_s_index", domain="five_s", method="five_s_change", pre=30.0, post=70.0,
             direction="not_tested", estimate=40.0),
        _row("communication", domain="survey", method="paired_t", pre=3.0, post=3.2,
             estimate=0.2),
    ])
    chosen = [f.indicator for f in content.key_figures(rows)]
    assert len(chosen) == 5
    assert "absenteeism_rate" in chosen  # a clear worsening is never left out
    assert "suggestion_rate" in chosen and "accident_frequency" not in chosen
    assert "five_s_index" in chosen and "turnover_rate" not in chosen
    # shown in the fixed order of the indicators
    assert chosen == ["reject_rate", "rework_rate", "absenteeism_rate", "suggestion_rate",
                      "five_s_index"]
    # fewer results: all of them
    assert len(content.key_figures(rows.iloc[:2])) == 2


def test_plain_words_follow_the_verdict_and_never_say_no_change():
    rows = {
        "improved": _row("reject_rate", pre=2.8, post=1.8, direction="improved",
                         estimate=0.7),
        "inconclusive": _row("reject_rate", pre=2.8, post=2.7),
        "insufficient": _row("suggestion_rate", status="insufficient_data", pre=0.2,
                             post=3.9),
        "exploratory": _row("turnover_rate", pre=2.0, post=1.5, direction="not_tested"),
        "five_s": _row("five_s_index", domain="five_s", method="five_s_change", pre=30.0,
                       post=70.0, direction="not_tested", estimate=40.0),
        "against": _row("turnover_rate", pre=2.0, post=2.5, direction="improved",
                        estimate=0.8),
    }
    words = {k: wording.message(content.KeyFigure.of(pd.Series(r))) for k, r in rows.items()}
    assert words["improved"]["numbers"] == "2.8% → 1.8%"
    assert words["improved"]["change"] == "36% lower" and words["improved"]["tone"] == "improved"
    assert "clear improvement" in words["improved"]["verdict"]
    assert "not clear enough to rule out chance" in words["inconclusive"]["verdict"]
    assert "Too few events" in words["insufficient"]["verdict"]
    assert words["insufficient"]["numbers"] == "0.2 → 3.9 per 100 workers per month"
    assert "exploratory" in words["exploratory"]["verdict"]
    assert "not a test" in words["five_s"]["verdict"]
    assert words["five_s"]["numbers"] == "30 → 70 points out of 100"
    assert "the other way" in words["against"]["verdict"]  # the averages rose, the estimate fell
    for w in words.values():
        assert "no change" not in " ".join(w.values()).lower()
        assert not re.search(r"\bp\s*[=<]|Holm|τ²|I²", " ".join(w.values()))


def test_the_implementation_line_reads_the_last_visit_or_says_none_were_provided():
    assert wording.implementation_text(None) == "No implementation records were provided."
    table = pd.DataFrame(
        [("e1", "visit_1", "2010-10-14", "actions_planned", "6"),
         ("e1", "visit_1", "2010-10-14", "actions_done", "1"),
         ("e1", "visit_3", "2010-12-06", "actions_planned", "10"),
         ("e1", "visit_3", "2010-12-06", "actions_done", "8"),
         ("e1", "visit_3", "2010-12-06", "eit_members", "7"),
         ("e1", "visit_3", "2010-12-06", "eit_worker_members", "4"),
         ("e1", "visit_3", "2010-12-06", "suggestion_scheme", "ya"),
         ("e1", "visit_3", "2010-12-06", "communication_board", "no"),
         ("e1", "visit_3", "2010-12-06", "bipartite_meetings", "2"),
         ("e1", "visit_3", "2010-12-06", "trainer_rating", "4"),
         ("e2", "baseline", "2010-03-22", "actions_planned", "0")],
        columns=["enterprise_id", "visit", "date", "item", "value"])
    impl = content.implementation_at_last_visit(table, "e1")
    assert impl.visit == "visit_3" and impl.completion == 0.8 and impl.worker_share == 4 / 7
    text = wording.implementation_text(impl)
    assert text.startswith("At the last visit (Factory visit 3, 6 Dec 2010): 8 of 10 planned")
    for part in ("4 of its 7 members", "a working suggestion scheme",
                 "no communication board kept up to date", "2 bipartite committee meetings",
                 "rating 4 of 5"):
        assert part in text
    assert content.implementation_at_last_visit(table, "e3") is None
    assert content.implementation_at_last_visit(pd.DataFrame(), "e1") is None


def test_a_long_list_continues_on_the_next_slide():
    paras = [deck.Para([("x" * 300, False, None, None)]) for _ in range(9)]
    slides = deck.paginate("Notes", paras, width_in=12.2, height_in=5.2)
    assert len(slides) > 1 and sum(len(s.paras) for s in slides) == 9
    assert slides[0].title == "Notes" and slides[1].title == "Notes (continued, 2)"
    for s in slides:
        assert deck.text_height(s.paras, 12.2) <= 5.2 or len(s.paras) == 1


def test_cost_is_the_extra_time_over_the_build_without_the_pack():
    figures = stage.cost(110.0, 100.0)
    assert figures["extra_s"] == pytest.approx(10.0) and figures["ratio"] == pytest.approx(0.1)
    assert figures["ok"] and figures["target"] == stage.COST_MAX
    assert not stage.cost(120.0, 100.0)["ok"]
    with pytest.raises(ValueError):
        stage.cost(1.0, 0.0)


def test_no_workshop_builds_nothing_and_is_always_up_to_date(tmp_path, capsys):
    from score_analysis.cli import main

    with pytest.raises(SystemExit):
        main(["run", "--help"])
    assert "--no-workshop" in capsys.readouterr().out
    options = build.Options(reports_dir=tmp_path / "reports", processed_dir=tmp_path / "p",
                            workshop=False)
    outcome = stage.stage_workshop(options, tmp_path / "stage", echo=lambda _: None)
    assert outcome.status == "skipped" and outcome.index_entries("en") == []
    assert not (tmp_path / "stage").exists()
    assert stage.up_to_date(tmp_path / "reports", options)
    assert not stage.up_to_date(tmp_path / "reports", build.Options(
        reports_dir=tmp_path / "reports", processed_dir=tmp_path / "p"))


# --------------------------------------------------------------------------- the built pack


@browser
def test_the_pack_holds_every_output_in_both_languages(built_reports):
    ids = [e["enterprise_id"] for e in enterprises()]
    for lang in LANGS:
        d = pack_dir(built_reports, lang)
        for name in ["programme", *ids]:
            for suffix in (".html", ".pdf"):
                assert (d / f"{name}{suffix}").is_file(), (lang, name, suffix)
            png, svg = d / "charts" / f"{name}.png", d / "charts" / f"{name}.svg"
            assert png.is_file() and svg.is_file(), (lang, name)
            width, _height = png_size(png.read_bytes())
            assert width >= 6 * PNG_DPI  # drawn at 200 dpi, at least 6 inches wide
            assert svg.read_bytes().lstrip().startswith((b"<?xml", b"<svg"))
        assert (d / "final_workshop.pptx").is_file()
    state = json.loads((built_reports / "workshop" / "keys.json").read_text())
    assert state["complete"] and set(state["options"]["languages"]) == set(LANGS)
    assert all((built_reports / f).is_file() for f in state["files"])


@browser
def test_every_summary_prints_on_one_a4_page(built_reports):
    pdfs = sorted((built_reports / "workshop").rglob("*.pdf"))
    assert len(pdfs) == 2 * (len(enterprises()) + 1)
    for path in pdfs:
        reader = pypdf.PdfReader(path)
        assert len(reader.pages) == 1, f"{path.relative_to(built_reports)}: " \
                                       f"{len(reader.pages)} pages"
        box = reader.pages[0].mediabox
        assert (float(box.width), float(box.height)) == pytest.approx(A4_POINTS, abs=1)
        text = reader.pages[0].extract_text()
        assert ("Workshop summary" if "/en/" in str(path) else "Ringkasan untuk lokakarya") \
            in text


@browser
def test_summary_pages_show_notes_as_written_in_their_language(built_reports):
    page = pack_dir(built_reports, "en") / "xss-probe.html"
    html = page.read_text(encoding="utf-8")
    assert "<script" not in html.lower() and "onerror=" not in html.replace(
        "onerror=alert", "")  # only escaped
    assert "&lt;script&gt;alert(&#39;practice&#39;)&lt;/script&gt; Daily huddles" in html
    doc = parse(page)
    assert not any(t in ("script", "iframe", "object") for t, _a in doc.tags)
    spans = [a for t, a in doc.tags if t == "span" and "lang" in a]
    assert {a["lang"] for a in spans} == {"en"}  # the note with an invalid code has none
    # a note in the other language carries its code and is named as such
    doc = parse(pack_dir(built_reports, "en") / "inprintama_asri.html")
    assert "id" in {a["lang"] for t, a in doc.tags if t == "span" and "lang" in a}
    assert "Bahasa Indonesia" in doc.text
    doc = parse(pack_dir(built_reports, "id") / "inprintama_asri.html")
    assert "English" in doc.text and "Bahasa Indonesia" not in doc.text
    for lang in LANGS:
        for p in pack_dir(built_reports, lang).glob("*.html"):
            tags = parse(p).tags
            assert tags[0] == ("html", {"lang": lang}), p
            images = [a for t, a in tags if t == "img"]
            assert images and all(a.get("alt") and a["src"].startswith("data:image/svg+xml")
                                  for a in images), p


@browser
def test_the_indonesian_summaries_speak_indonesian_except_the_data(built_reports):
    from test_reporting import ENGLISH, _data_text, _visible_text

    data_text = _data_text(built_reports.parent / "processed")
    pages = sorted(pack_dir(built_reports, "id").glob("*.html"))
    assert len(pages) == len(enterprises()) + 1
    for page in pages:
        html = page.read_text(encoding="utf-8")
        text = _visible_text(html[html.index("<body"):], data_text)
        found = [text[max(0, m.start() - 50):m.end() + 20] for m in ENGLISH.finditer(text)]
        assert found == [], (page.name, found[:5])
    english = (pack_dir(built_reports, "en") / "programme.html").read_text(encoding="utf-8")
    assert ENGLISH.search(_visible_text(english[english.index("<body"):], data_text))


@browser
def test_the_banner_follows_the_data_source(built_reports):
    for lang in LANGS:
        d = pack_dir(built_reports, lang)
        for e in enterprises():
            html = (d / f"{e['enterprise_id']}.html").read_text(encoding="utf-8")
            assert ('class="banner"' in html) == (e["data_source"] == "simulated"), e
        assert 'class="banner"' in (d / "programme.html").read_text(encoding="utf-8")


@browser
def test_the_index_and_the_synthesis_link_the_pack(built_reports):
    for lang, index, synthesis in (("en", "index.html", "synthesis.html"),
                                   ("id", "id/index.html", "id/synthesis.html")):
        for page in (index, synthesis):
            path = built_reports / page
            hrefs = [a.get("href", "") for t, a in parse(path).tags if t == "a"]
            pack = [h for h in hrefs if f"workshop/{lang}/programme.html" in h]
            assert pack, (page, hrefs)
            assert (path.parent / pack[0]).resolve().is_file()
        programme = pack_dir(built_reports, lang) / "programme.html"
        for t, a in parse(programme).tags:
            if t == "a" and not a["href"].startswith("#"):
                assert (programme.parent / a["href"]).resolve().is_file(), a["href"]


@browser
def test_each_summary_shows_three_to_five_key_messages_from_the_results(built_reports):
    res = results(built_reports)
    for e in enterprises():
        own = res[res["enterprise_id"] == e["enterprise_id"]]
        expected = content.key_figures(own)
        assert 3 <= len(expected) <= 5
        html = (pack_dir(built_reports, "en") / f"{e['enterprise_id']}.html").read_text(
            encoding="utf-8")
        items = re.findall(r"<li class='tone-[a-z]+'>(.*?)</li>", html, flags=re.S)
        assert len(items) == len(expected)
        for f, item in zip(expected, items, strict=True):
            before, after = wording.values_of(f)
            assert re.search(rf"{re.escape(before)}%? → {re.escape(after)}\b", item), item


# --------------------------------------------------------------------------- the deck


@pytest.fixture(scope="module")
def decks(built_reports):
    return {lang: Presentation(str(pack_dir(built_reports, lang) / "final_workshop.pptx"))
            for lang in LANGS}


def expected_titles(lang: str) -> list[str]:
    names = [e["name"] for e in enterprises()]
    with use_language(lang):
        from score_analysis.i18n import gettext as _

        titles = [_("Final result workshop"), _("The programme and its timeline")]
        for n in names:
            titles += [_("{name}: achievements").format(name=n),
                       _("{name}: before and after").format(name=n)]
        titles += [_("What changed across the enterprises"),
                   _("How much the enterprises differed"), _("What the evidence supports"),
                   _("What was put in place"), _("Good practices"), _("Lessons learned"),
                   _("Constraints"), _("How to read these results")]
    return titles


@browser
def test_the_deck_has_its_slides_in_order_on_16_9(decks):
    for lang, prs in decks.items():
        assert prs.slide_width / prs.slide_height == pytest.approx(16 / 9, abs=0.01)
        titles = [slide_title(s) for s in prs.slides]
        expected = expected_titles(lang)
        # a list too long for one slide continues on the next, titled as continued
        cont = re.compile(r"(.*) \((continued|lanjutan), \d+\)$")
        base = [m.group(1) if (m := cont.match(t)) else t for t in titles]
        assert list(dict.fromkeys(base)) == expected, titles
        assert len(titles) == len(prs.slides) <= len(expected) + 6


@browser
def test_every_slide_carries_the_banner_and_readable_type(decks):
    for lang, prs in decks.items():
        banner = "Simulated demonstration data" if lang == "en" else "Data simulasi"
        for i, slide in enumerate(prs.slides, start=1):
            texts = [shape.text_frame.text for shape in slide.shapes if shape.has_text_frame]
            assert any(t.startswith(banner) for t in texts), (lang, i)
            for run, shape in slide_runs(slide):
                assert run.font.size is not None and run.font.size >= Pt(deck.MIN_BODY_PT), (
                    lang, i, shape.name, run.text)
                # inside the slide
                assert shape.left >= 0 and shape.top >= 0
                assert shape.left + shape.width <= prs.slide_width + Emu(1)
                assert shape.top + shape.height <= prs.slide_height + Emu(1)


@browser
def test_every_picture_has_alt_text(decks):
    for lang, prs in decks.items():
        pictures = [shape for slide in prs.slides for shape in slide.shapes
                    if shape.shape_type == 13]  # MSO_SHAPE_TYPE.PICTURE
        assert len(pictures) == len(enterprises()) + 1, lang
        for pic in pictures:
            descr = pic._element.nvPicPr.cNvPr.get("descr") or ""
            assert len(descr) > 40 and "→" in descr, (lang, pic.name)


@browser
def test_slides_speak_plainly_and_the_notes_carry_the_exact_figures(decks, built_reports):
    from score_analysis.report.formatting import fmt_p

    res = results(built_reports)
    forbidden = re.compile(r"τ²|I²|Holm|\bp\s*[=<]|p-value|nilai p")
    for lang, prs in decks.items():
        with use_language(lang):
            for slide in prs.slides:
                text = " ".join(r.text for r, _s in slide_runs(slide))
                assert not forbidden.search(text), (lang, slide_title(slide), text)
            names = {e["name"]: e["enterprise_id"] for e in enterprises()}
            marker = "achievements" if lang == "en" else "capaian"
            for slide in prs.slides:
                title = slide_title(slide)
                if not title.endswith(marker):
                    continue
                eid = names[title.rsplit(":", 1)[0]]
                notes = slide.notes_slide.notes_text_frame.text
                own = res[(res["enterprise_id"] == eid) & res["primary"]]
                for f in content.key_figures(own):
                    if f.p_holm is not None:
                        assert f"(Holm) = {fmt_p(f.p_holm)}" in notes, (eid, f.indicator)
                    assert ("95% CI" if lang == "en" else "SK 95%") in notes


@browser
def test_the_key_numbers_on_the_slides_equal_results_csv(decks, built_reports):
    res = results(built_reports)
    names = {e["name"]: e["enterprise_id"] for e in enterprises()}
    pattern = re.compile(r"^(?P<label>[^:]+): (?P<a>[−\d.,]+)%? → (?P<b>[−\d.,]+)")
    for lang, prs in decks.items():
        marker = "achievements" if lang == "en" else "capaian"
        shown = 0
        for slide in prs.slides:
            title = slide_title(slide)
            if not title.endswith(marker):
                continue
            eid = names[title.rsplit(":", 1)[0]]
            for shape in slide.shapes:
                if shape.name != "Body":
                    continue
                for p in shape.text_frame.paragraphs:
                    m = pattern.match(p.text)
                    if not m:
                        continue
                    domain, indicator = labels(lang)[m.group("label")]
                    row = res[(res["enterprise_id"] == eid) & (res["indicator"] == indicator)
                              & res["primary"]].iloc[0]
                    for key, column in (("a", "pre_value"), ("b", "post_value")):
                        text = m.group(key)
                        tolerance = 0.5 * 10 ** -decimals(text, lang) + 1e-9
                        assert abs(number(text, lang) - row[column]) <= tolerance, (
                            lang, eid, indicator, column, text, row[column])
                    shown += 1
        assert shown >= 3 * len(enterprises()), (lang, shown)


@browser
def test_the_indonesian_deck_speaks_indonesian_except_the_data(decks):
    data = []
    for e in enterprises():
        data += [e["name"], e["sector"], e["location"], e["output_unit"]]
    with (DATA / "qualitative.csv").open(encoding="utf-8") as f:
        data += [r["text"] for r in csv.DictReader(f)]

    def words(prs, skip_english_runs: bool) -> set[str]:
        found = set()
        for slide in prs.slides:
            for run, _shape in slide_runs(slide):
                if skip_english_runs and run_lang(run).startswith("en"):
                    continue  # a note written in English, marked as such
                text = run.text
                for d in sorted(filter(None, data), key=len, reverse=True):
                    text = text.replace(d, " ")
                found |= {w.lower() for w in re.findall(r"[A-Za-z]+", text)}
        return found

    assert words(decks["en"], False) & ENGLISH  # the list would find English
    leftover = words(decks["id"], True) & ENGLISH
    assert not leftover, leftover
    langs = {run_lang(r) for s in decks["id"].slides for r, _sh in slide_runs(s)}
    assert "id-ID" in langs and "en-US" in langs  # the English notes are marked


@browser
def test_libreoffice_renders_every_slide(built_reports, tmp_path):
    """The deck converted by LibreOffice Impress (soffice --headless): one PDF page per
    slide, each with its slide's title."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.fail("LibreOffice is needed to check the deck: run `bash .ci/install-libreoffice`"
                    " (Debian: apt-get install libreoffice-impress)")
    for lang in LANGS:
        src = pack_dir(built_reports, lang) / "final_workshop.pptx"
        work = tmp_path / lang
        work.mkdir()
        shutil.copy(src, work / "deck.pptx")
        done = subprocess.run(
            [soffice, "--headless", "--norestore",
             f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}",
             "--convert-to", "pdf", "--outdir", str(work), str(work / "deck.pptx")],
            capture_output=True, text=True, timeout=300)
        assert done.returncode == 0 and (work / "deck.pdf").is_file(), done.stderr
        pages = pypdf.PdfReader(work / "deck.pdf").pages
        prs = Presentation(str(src))
        assert len(pages) == len(prs.slides)
        for page, slide in zip(pages, prs.slides, strict=True):
            text = " ".join((page.extract_text() or "").split())
            title = " ".join(slide_title(slide).split())
            assert title[:25] in text, (lang, title, text[:200])
            width, height = float(page.mediabox.width), float(page.mediabox.height)
            assert width / height == pytest.approx(16 / 9, abs=0.01)


# --------------------------------------------------------------------------- incremental


@pytest.fixture()
def copy_of_build(built_reports, tmp_path):
    """The built reports and processed tables copied, with options that point at them."""
    root = tmp_path / "copy"
    shutil.copytree(built_reports, root / "reports")
    shutil.copytree(built_reports.parent / "processed", root / "processed")
    options = build.Options(data_dir=built_reports.parent / "raw",
                            reports_dir=root / "reports", processed_dir=root / "processed",
                            progress=False)
    return options


@browser
def test_an_unchanged_pack_is_not_rebuilt_and_a_changed_enterprise_is(copy_of_build, tmp_path):
    options = copy_of_build
    reports = options.reports_dir
    assert stage.up_to_date(reports, options)
    first = tmp_path / "stage1"
    outcome = stage.stage_workshop(options, first, echo=lambda _: None)
    assert outcome.status == "unchanged" and outcome.built == 0
    assert [p.name for p in first.rglob("*") if p.is_file()] == ["keys.json"]
    assert outcome.index_entries("id", "../")[0]["path"] == "../workshop/id/programme.html"

    notes = pd.read_parquet(options.processed_dir / "qualitative.parquet")
    changed = notes.copy()
    changed.loc[changed["enterprise_id"] == "tesena_inovindo", "text"] += " (revised)"
    changed.to_parquet(options.processed_dir / "qualitative.parquet")
    second = tmp_path / "stage2"
    outcome = stage.stage_workshop(options, second, echo=lambda _: None)
    assert outcome.status == "ok"
    written = sorted(p.relative_to(second / "workshop").as_posix()
                     for p in second.rglob("*") if p.is_file())
    for lang in LANGS:
        for name in ("tesena_inovindo", "programme"):
            assert f"{lang}/{name}.html" in written and f"{lang}/{name}.pdf" in written
        assert f"{lang}/final_workshop.pptx" in written
        for name in ("inprintama_asri", "xss-probe"):  # unchanged: not rebuilt
            assert not any(w.startswith(f"{lang}/{name}") or f"/{name}." in w
                           for w in written), written
    assert "(revised)" in (second / "workshop/en/tesena_inovindo.html").read_text()


@browser
def test_a_pack_that_cannot_be_built_leaves_the_previous_one(copy_of_build, tmp_path):
    options = copy_of_build
    (options.processed_dir / "results.parquet").write_bytes(b"not parquet")
    lines = []
    outcome = stage.stage_workshop(build.Options(
        reports_dir=options.reports_dir, processed_dir=options.processed_dir, force=True),
        tmp_path / "stage", echo=lines.append)
    assert outcome.status == "failed" and len(lines) == 1
    assert lines[0].startswith("Workshop pack not built:")
    assert not (tmp_path / "stage" / "workshop").exists()
    assert outcome.index_entries("en")[0]["status"] == "failed"


# --------------------------------------------------------------------------- browser


@browser
def test_summary_pages_pass_axe_and_show_their_chart(built_reports, in_browser):
    from test_accessibility import AXE, JS, blocking, violations

    if not AXE.exists():  # as test_accessibility installs it
        npm = shutil.which("npm")
        if npm is None:
            pytest.fail("npm is needed to install axe-core: run `bash .ci/install-axe`")
        subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=JS,
                       capture_output=True, timeout=300, check=True)
    pages = sorted((built_reports / "workshop").rglob("*.html"))
    assert len(pages) == 2 * (len(enterprises()) + 1)

    def check(browser):
        found, broken = {}, []
        for page in pages:
            lines = blocking(violations(browser, AXE, page))
            if lines:
                found[str(page.relative_to(built_reports))] = lines
            context = browser.new_context(offline=True)
            try:
                tab = context.new_page()
                tab.goto(page.resolve().as_uri(), wait_until="load")
                width = tab.evaluate("document.querySelector('figure.chart img').naturalWidth")
                if not width:
                    broken.append(page.name)
            finally:
                context.close()
        return found, broken

    problems, broken = in_browser(check)
    assert not broken, broken
    assert not problems, problems


def test_the_exact_comparison_reads_as_a_description_never_as_infinity():
    inf = float("inf")
    assert wording.exact_text((inf, 15.2, inf, 0.001)) == (
        "Too few events for the monthly model; compared exactly, none before, and after at "
        "least 15 times the rate before (the exact lower limit): a description, not evidence "
        "of an effect.")
    assert "20 times the rate before (plausible range 8.0 to 63 times)" in \
        wording.exact_text((19.7, 8.04, 63.1, 0.0))
    assert "none after" in wording.exact_text((0.0, 0.0, 7.2, 0.5))
    for text in (wording.exact_text((inf, 15.2, inf, 0.001)),
                 wording.exact_text((0.0, 0.0, inf, 0.5))):
        assert "inf" not in text and "×" not in text
    rows = pd.DataFrame([
        _row("suggestion_rate", method="its_effect_end", status="insufficient_data", pre=0.0,
             post=8.1, estimate=float("nan"), p_holm=float("nan")),
        {**_row("suggestion_rate", method="rate_ratio_exact", pre=0.0, post=8.1,
                estimate=inf, direction="not_tested"), "primary": False, "ci_low": 15.2,
         "ci_high": inf},
    ])
    (fig,) = content.primary_figures(rows)
    assert fig.exact[:3] == (inf, 15.2, inf)
    assert wording.verdict_text(fig).startswith("Too few events for the monthly model")
    assert "none before" in wording.message(fig)["change"] + wording.verdict_text(fig)


def test_an_enterprise_without_results_gets_a_summary_without_a_chart():
    from score_analysis.report import workshop as pack

    ents = pd.DataFrame([
        {"enterprise_id": "e1", "name": "PT Satu", "sector": "printing", "location": "Depok",
         "employees": 40, "intervention_month": "2010-04", "output_unit": "pcs",
         "data_source": "enterprise_records"},
        {"enterprise_id": "e2", "name": "PT Dua", "sector": "garment", "location": "",
         "employees": 60, "intervention_month": "2010-04", "output_unit": "pcs",
         "data_source": "enterprise_records"}])
    res = pd.DataFrame([_row("reject_rate", pre=2.8, post=1.8, direction="improved"),
                        _row("rework_rate", pre=4.2, post=2.7),
                        _row("absenteeism_rate", pre=5.0, post=4.0)])
    data = pack.WorkshopData(enterprises=ents, results=res)
    assert pack.enterprise_chart(data, "e2", lang="en") is None
    html = pack.summary_page(data, "e2", lang="id", chart=None)
    assert "Tidak ada hasil yang memiliki nilai sebelum dan sesudah" in html
    assert "<img" not in html and 'class="banner"' not in html
    assert "Tidak ada catatan pelaksanaan yang disediakan." in html
    chart = pack.enterprise_chart(data, "e1", lang="en")
    assert chart is not None and chart.png.startswith(b"\x89PNG") and b"<svg" in chart.svg
    assert "PT Satu: before and after the programme" in chart.svg.decode()  # text kept as text
    with use_language("en"):
        slides = deck.deck_slides(data, {"e1": chart})
    titles = [s.title for s in slides]
    assert "PT Dua: achievements" in titles and "PT Dua: before and after" not in titles
    assert "PT Satu: before and after" in titles
    assert sum(s.picture is not None for s in slides) == 1
    assert not pack.deck_bytes(data, {"e1": chart}, lang="id").startswith(b"\x89PNG")


def test_a_pooled_estimate_is_worded_by_the_verdict_the_pooling_wrote():
    def spread(direction, low, high):
        pooled = pd.Series({"domain": "kpi", "indicator": "reject_rate", "primary": True,
                            "source_method": "its_effect_end", "k": 5, "estimate": 0.7,
                            "ci_low": low, "ci_high": high, "p_value": 0.01, "p_holm": 0.18,
                            "direction": direction, "estimate_scale": "rate_ratio"})
        fig = content.KeyFigure.of(pd.Series(_row("reject_rate", pre=2.8, post=1.8)))
        return content.Spread("kpi", "reject_rate", (fig, fig), pooled, True)

    # the interval excludes no change but the adjusted p does not: not called clear
    text = wording.pooled_text(spread("inconclusive", 0.52, 0.95))
    assert "30% fall" in text and "not clear enough to rule out chance" in text
    assert "includes no change" in wording.pooled_text(spread("inconclusive", 0.5, 1.2))
    assert "shows an improvement" in wording.pooled_text(spread("improved", 0.52, 0.95))
    assert "exploratory" in wording.pooled_text(spread("not_tested", 0.52, 0.95))


def test_the_stage_share_reads_the_time_of_the_stage(tmp_path):
    assert stage.stage_share(tmp_path, 100.0) is None
    (tmp_path / "workshop").mkdir()
    (tmp_path / "workshop" / "keys.json").write_text(json.dumps({"keys": {}, "duration_s": 10}))
    share = stage.stage_share(tmp_path, 110.0)
    assert share["pack_s"] == 10 and share["ratio"] == pytest.approx(10 / 100)
    assert share["ok"]


def test_the_pack_line_writes_its_seconds_in_the_number_format_of_the_language():
    from score_analysis.build.workshop import PackOutcome

    outcome = PackOutcome(status="ok", built=3, unchanged=1, duration_s=1234.62)
    with use_language("en"):
        assert "(1,234.6 s)" in outcome.line()
    with use_language("id"):
        line = outcome.line()
        assert "1.234,6" in line and "1,234.6" not in line
