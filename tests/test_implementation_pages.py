"""Tests of the implementation records on the pages: the enterprise section, the synthesis
section, the appendix table and the workshop pack's line and slide (docs/reports.md)."""

from __future__ import annotations

import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest

from score_analysis import appendix, build, report
from score_analysis.data import readers, validation
from score_analysis.i18n import use_language
from score_analysis.report import synthesis_implementation as synth
from score_analysis.report.sections import implementation as section

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = Path(__file__).parent / "data" / "reports"
SHIPPED = ROOT / "data" / "raw"
XSS = "xss-probe"
VISITS = ("baseline", "visit_1", "visit_2", "visit_3", "final_workshop")
DATES = ("2010-03-22", "2010-10-14", "2010-11-09", "2010-12-06", "2011-01-27")


def _records(eid: str, planned, done, rating, *, visits=VISITS) -> list[tuple]:
    rows = []
    for k, visit in enumerate(visits):
        date = DATES[VISITS.index(visit)]
        values = {"eit_members": 8, "eit_worker_members": 2 + k // 2, "eit_meetings": k,
                  "actions_planned": planned[k], "actions_done": done[k],
                  "suggestion_scheme": "ya" if k else "tidak", "communication_board": "no",
                  "bipartite_meetings": 1, "trainer_rating": rating[k]}
        rows += [(eid, visit, date, item, value) for item, value in values.items()]
    return rows


class Text(HTMLParser):
    """The visible text and the tags of an HTML fragment."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def parsed(fragment: str) -> Text:
    p = Text()
    p.feed(str(fragment))
    p.close()
    return p


def words(fragment: str) -> str:
    return re.sub(r"\s+", " ", " ".join(parsed(fragment).text))


def _write(raw: Path, processed: Path) -> Path:
    validated = build.validate_inputs(raw)
    assert validated.ok, [f.line() for f in validated.errors]
    analysed = build.analyse(validated.tables)
    build.write_processed(processed, validated, analysed, build.Options(data_dir=raw),
                          code="test", run_date="2026-01-01T00:00:00+00:00")
    return processed


@pytest.fixture(scope="module")
def processed(tmp_path_factory) -> dict[str, Path]:
    """The report fixture without implementation records, and with records for two of its
    three enterprises (one of them named with markup), written as the pipeline writes them."""
    root = tmp_path_factory.mktemp("implementation")
    raw = root / "raw"
    shutil.copytree(FIXTURE, raw)
    rows = (_records(XSS, (5, 10, 10, 11, 12), (0, 6, 7, 8, 11), (2, 3, 4, 4, 5))
            + _records("inprintama_asri", (8, 8, 9, 9, 9), (0, 0, 1, 1, 1), (1, 1, 2, 1, 1)))
    pd.DataFrame(rows, columns=["enterprise_id", "visit", "date", "item", "value"]).to_csv(
        raw / "implementation.csv", index=False)
    return {"with": _write(raw, root / "with"),
            "without": _write(FIXTURE, root / "without")}


# --------------------------------------------------------------------------- enterprise page


def test_the_section_shows_the_items_across_the_visits_in_both_languages(processed):
    data = report.load_enterprise(XSS, processed_dir=str(processed["with"]), language="en,id")
    html = report.implementation_section(data)
    en, idn = words(html["en"]), words(html["id"])
    assert en.startswith("Implementation By the last recorded visit (Final result workshop, "
                         "27 Jan 2011), 11 of the 12 planned actions (92%) were done and the "
                         "trainer rated the implementation 5 on a scale from 1 (little) to 5 "
                         "(full).")
    assert idn.startswith("Pelaksanaan Sampai kunjungan terakhir yang dicatat (Lokakarya hasil "
                          "akhir, 27 Januari 2011), 11 dari 12 tindakan yang direncanakan (92%) "
                          "telah selesai dan pelatih menilai pelaksanaannya 5")
    doc = parsed(html["en"])
    heads = [t for t in doc.text if t.startswith(("Baseline", "Visit", "Final result"))]
    assert heads[:5] == ["Baseline (22 Mar 2010)", "Visit 1 (14 Oct 2010)",
                         "Visit 2 (9 Nov 2010)", "Visit 3 (6 Dec 2010)",
                         "Final result workshop (27 Jan 2011)"]
    # action completion and the workers' share of the team at every visit
    assert re.search(r"Action completion \(done of planned\) 0% 60% 70% 73% 92%", en)
    assert re.search(r"Workers' share of the team 25% 25% 38% 38% 50%", en)
    assert re.search(r"A working suggestion scheme no yes yes yes yes", en)
    assert re.search(r"Sistem saran yang berjalan tidak ya ya ya ya", idn)
    (img,) = [a for t, a in doc.tags if t == "img"]
    assert img["src"].startswith("data:image/png;base64,")
    assert img["alt"] == ("Line chart of the share of the planned actions done at each visit. "
                          "Baseline 0%, Visit 1 60%, Visit 2 70%, Visit 3 73%, "
                          "Final result workshop 92%.")
    assert "Grafik garis" in [a for t, a in parsed(html["id"]).tags if t == "img"][0]["alt"]
    assert "English" not in idn and "were done" not in idn


def test_without_records_every_page_says_none_were_provided(processed):
    for path, eid in ((processed["without"], XSS), (processed["with"], "tesena_inovindo")):
        data = report.load_enterprise(eid, processed_dir=str(path), language="en,id")
        html = report.implementation_section(data)
        assert words(html["en"]) == "Implementation No implementation records were provided."
        assert words(html["id"]) == ("Pelaksanaan Tidak ada catatan pelaksanaan yang disediakan.")
    synthesis = report.load_synthesis(processed_dir=str(processed["without"]), language="en,id")
    html = report.implementation_overview(synthesis)
    assert words(html["en"]).endswith("No implementation records were provided.")
    assert words(html["id"]).endswith("Tidak ada catatan pelaksanaan yang disediakan.")


def test_the_sentence_says_how_far_the_implementation_went_and_nothing_more():
    rows = pd.DataFrame(_records("e", (4, 0, 0, 0, 0), (0, 0, 0, 0, 0), (1, 1, 1, 1, 3)),
                        columns=["enterprise_id", "visit", "date", "item", "value"])
    # the validated table: dates as dates, yes = 1 and no = 0 (docs/data_contract.md)
    flags = {"ya": 1.0, "tidak": 0.0, "no": 0.0}
    long = rows.assign(date=pd.to_datetime(rows["date"]),
                       value=[flags.get(v, v) for v in rows["value"]]).astype({"value": float})
    by_visit = validation.implementation_by_visit(long)
    assert section.implementation_sentence(by_visit) == (
        "By the last recorded visit (Final result workshop, 27 Jan 2011), no action had been "
        "planned and the trainer rated the implementation 3 on a scale from 1 (little) to 5 "
        "(full).")
    one = by_visit.assign(actions_planned=pd.array([4] * 5, "Int64"),
                          actions_done=pd.array([1] * 5, "Int64"),
                          trainer_rating=pd.array([pd.NA] * 5, "Int64"))
    one["action_completion"] = 0.25
    assert section.implementation_sentence(one) == (
        "By the last recorded visit (Final result workshop, 27 Jan 2011), 1 of the 4 planned "
        "actions (25%) was done.")
    blank = one.assign(actions_done=pd.array([pd.NA] * 5, "Int64"))
    assert section.implementation_sentence(blank) == (
        "At the last recorded visit (Final result workshop, 27 Jan 2011), neither the actions "
        "nor the trainer's rating were recorded.")
    assert section.implementation_sentence(by_visit.iloc[:0]) == (
        "No implementation records were provided.")
    # the last visit is the last in the order of the visits, whatever the row order
    shuffled = by_visit.iloc[::-1]
    assert section.last_visit(shuffled)["visit"] == "final_workshop"
    for text in (section.implementation_sentence(by_visit),
                 section.implementation_sentence(one)):
        assert not re.search(r"\bcaus|because|thanks to|led to|effect", text)


# --------------------------------------------------------------------------- synthesis


def _results(path: Path) -> pd.DataFrame:
    return pd.read_parquet(path / "results.parquet")


def test_the_synthesis_sets_the_enterprises_side_by_side_and_says_suggest_never_show(processed):
    data = report.load_synthesis(processed_dir=str(processed["with"]), language="en,id")
    html = report.implementation_overview(data)
    en, idn = words(html["en"]), words(html["id"])
    assert ("With 2 enterprises, this picture can suggest, never show, that the implementation "
            "explains the differences in the results") in en
    assert ("Dengan 2 perusahaan, gambaran ini dapat mengisyaratkan, tetapi tidak pernah "
            "menunjukkan, bahwa pelaksanaan menjelaskan perbedaan hasil") in idn
    assert ("At the last visit, the share of the planned actions done ranged from 11% "
            "(PT Inprintama Asri) to 92% (PT <script>") in en
    assert "No implementation records were provided for PT Tesena Inovindo." in en
    assert re.search(r"PT Inprintama Asri 0% \(0 of 8\) 0% \(0 of 8\) 11% \(1 of 9\) "
                     r"11% \(1 of 9\) 11% \(1 of 9\)", en)
    assert re.search(r"PT Inprintama Asri 0% \(0 dari 8\)", idn)
    assert "PT Tesena Inovindo no implementation records" in en
    # beside the results: the most complete first, completion and rating, then the
    # confirmatory outcomes' verdicts read from results.parquet
    columns, rows = synth.beside_results(section.own_records(data.implementation), data)
    labels = [c["label"] if isinstance(c, dict) else c for c in columns]
    assert labels[:4] == ["Enterprise", "Last visit", "Planned actions done",
                          "Trainer's rating (1-5)"]
    assert [r[0] for r in rows] == [data.names[XSS], "PT Inprintama Asri"]
    assert [r[2:4] for r in rows] == [["92% (11 of 12)", "5"], ["11% (1 of 9)", "1"]]
    results = _results(processed["with"])
    prim = results[results["primary"] & results["confirmatory"]]
    assert len(labels) - 4 == prim["indicator"].nunique() > 0
    for row, eid in zip(rows, (XSS, "inprintama_asri"), strict=True):
        own = prim[prim["enterprise_id"] == eid]
        verdicts = [c["cls"] for c in row[4:]]
        assert sum(v.endswith(("improved", "worsened")) for v in verdicts) == int(
            own["direction"].isin(["improved", "worsened"]).sum())
    assert "Implementation across enterprises" in en and "Pelaksanaan di seluruh" in idn


def test_the_design_sentence_never_claims_more_than_a_suggestion():
    for n in (1, 5):
        text = synth.design_sentence(n)
        assert "can suggest, never show" in text and f"With {n} enterprise" in text
        assert not re.search(r"\b(shows that|proves?|demonstrates?)\b", text)
        with use_language("id"):
            assert "tidak pernah menunjukkan" in synth.design_sentence(n)


def test_a_comparison_enterprise_is_not_listed_in_the_implementation():
    ents = pd.DataFrame({"enterprise_id": ["a", "c"], "name": ["A", "C"],
                         "role": ["programme", "comparison"]})
    assert list(synth.programme_enterprises(ents)["enterprise_id"]) == ["a"]
    assert list(synth.programme_enterprises(ents.drop(columns="role"))["enterprise_id"]) == [
        "a", "c"]


def test_free_text_is_escaped_in_every_implementation_fragment(processed):
    data = report.load_synthesis(processed_dir=str(processed["with"]), language="en,id")
    for lang in ("en", "id"):
        fragment = str(report.implementation_overview(data)[lang])
        assert "<script>" not in fragment and "&lt;script&gt;" in fragment
        doc = parsed(fragment)
        for tag, attrs in doc.tags:
            assert tag not in ("script", "svg", "iframe", "object", "embed"), tag
            assert not any(a.lower().startswith("on") for a in attrs), (tag, attrs)
            if tag == "img":
                assert attrs["src"].startswith("data:image/png;base64,")
                assert 'alert("name")' in attrs["alt"]  # in the alt text, as text
    own = report.load_enterprise(XSS, processed_dir=str(processed["with"]), language="en")
    fragment = str(report.implementation_section(own))
    assert all(t not in ("script", "svg") for t, _a in parsed(fragment).tags)


# --------------------------------------------------------------------------- chart, appendix


def test_the_completion_chart_draws_one_line_per_enterprise_in_visit_order():
    by_visit = pd.DataFrame({
        "enterprise_id": ["a", "a", "a", "b", "b"],
        "visit": ["final_workshop", "baseline", "visit_1", "baseline", "final_workshop"],
        "action_completion": [0.9, 0.0, float("nan"), 0.0, 0.1]})
    labels = section.visit_labels()
    one = report.charts.implementation.completion_figure(by_visit[by_visit.enterprise_id == "a"],
                                                         visit_labels=labels)
    (line,) = one.axes[0].get_lines()
    assert list(line.get_xdata()) == [0, 1, 2]
    assert [round(v) if v == v else None for v in line.get_ydata()] == [0, None, 90]
    assert [t.get_text() for t in one.axes[0].get_xticklabels()] == [
        "Baseline", "Visit 1", "Final result\nworkshop"]
    two = report.charts.implementation.completion_figure(by_visit, visit_labels=labels,
                                                         names={"a": "A $x$", "b": "B"})
    assert len(two.axes[0].get_lines()) == 2
    assert [t.get_text() for t in two.legends[0].get_texts()] == [r"A \$x\$", "B"]


def test_the_appendix_shows_the_rows_as_recorded(processed):
    table = pd.read_parquet(processed["with"] / "implementation.parquet")
    rows = appendix.implementation_records(table.iloc[::-1], XSS)
    assert tuple(rows.columns) == appendix.IMPLEMENTATION_RECORD_COLUMNS
    assert len(rows) == 5 * 9
    assert list(rows["visit"].drop_duplicates()) == list(VISITS)
    assert list(rows["item"][:9]) == [
        "eit_members", "eit_worker_members", "eit_meetings", "actions_planned", "actions_done",
        "suggestion_scheme", "communication_board", "bipartite_meetings", "trainer_rating"]
    first = dict(zip(rows["item"][:9], rows["value"][:9], strict=True))
    assert first["suggestion_scheme"] == "no" and first["actions_planned"] == 5
    assert rows["value"].iloc[9 + 5] == "yes"  # ya at visit 1
    assert appendix.implementation_records(None, XSS).empty
    assert appendix.implementation_records(table, "tesena_inovindo").empty
    with pytest.raises(ValueError, match="lacks the columns"):
        appendix.implementation_records(table.drop(columns="item"), XSS)


# --------------------------------------------------------------------------- workshop pack


@pytest.fixture(scope="module")
def shipped() -> dict[str, pd.DataFrame]:
    """The shipped data's validated tables."""
    validated = validation.validate(readers.read_raw(SHIPPED))
    assert validated.ok, [f.line() for f in validated.errors]
    return validated.tables


def test_the_workshop_line_and_slide_read_the_shipped_records_in_both_languages(shipped):
    """The one-page summary's line and the deck's slide "What was put in place" from the
    shipped records (the validated table writes yes/no as 1/0)."""
    from score_analysis.report.workshop import deck, pages
    from score_analysis.report.workshop.loading import WorkshopData
    from score_analysis.stats.outputs import RESULT_COLUMNS

    data = WorkshopData(enterprises=shipped["enterprises"],
                        results=pd.DataFrame(columns=list(RESULT_COLUMNS)),
                        milestones=shipped["milestones"], qualitative=shipped["qualitative"],
                        implementation=shipped["implementation"])
    expected = {
        "en": ("At the last visit (final result workshop, 27 Jan 2011): 1 of 9 planned actions "
               "done; workers on the enterprise improvement team (EIT): 1 of its 3 members; "
               "no working suggestion scheme; no communication board kept up to date; 0 bipartite "
               "committee meetings since the previous visit; the trainer's rating 1 of 5."),
        "id": ("Pada kunjungan terakhir (lokakarya hasil akhir, 27 Januari 2011): 1 dari 9 "
               "tindakan yang direncanakan telah selesai; pekerja dalam tim peningkatan "
               "perusahaan (EIT): 1 dari 3 anggotanya; tidak ada sistem saran yang berjalan; "
               "tidak ada papan komunikasi yang selalu diperbarui; 0 rapat LKS Bipartit sejak "
               "kunjungan sebelumnya; penilaian pelatih 1 dari 5.")}
    titles = {"en": "What was put in place", "id": None}
    for lang, line in expected.items():
        page = pages.summary_page(data, "inprintama_asri", lang=lang, chart=None)
        assert f"<p class='implementation'>{line}</p>" in page.replace("&#39;", "'")
        with use_language(lang):
            slides = deck.deck_slides(data, {})
            title = titles[lang] or deck_title()
        put = [s for s in slides if s.title.startswith(title)]
        assert put, [s.title for s in slides]
        runs = [run[0] for s in put for p in s.paras for run in p.runs]
        assert runs[runs.index("PT Inprintama Asri: ") + 1] == line
        names = [r for r in runs if r.endswith(": ")]
        assert len(names) == 5 and not any("Comparison" in n for n in names)
        with use_language(lang):
            top = pages.summary_page(data, "tjokro_bersaudara", lang=lang, chart=None)
        assert ("a working suggestion scheme" if lang == "en"
                else "sistem saran yang berjalan") in top


def deck_title() -> str:
    from score_analysis.i18n import gettext

    return gettext("What was put in place")
