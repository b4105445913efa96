"""Tests of the report sections, their wording and the page shell (score_analysis.report).

The fast tests here render every section in-process from the fixture in
``tests/data/reports`` (three enterprises, one of them with hostile text in
every free-text field); the notebooks and the browser are exercised by
``tests/test_browser.py``.
"""

from __future__ import annotations

import json
import math
import re
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from score_analysis import build, report
from score_analysis.report import (
    Html,
    charts,
    esc,
    evidence,
    headline,
    likert_shares,
    ratio_change,
    ratio_interval,
    signed_percent,
    summary_sentence,
    synthesis_headline,
)

FIXTURE = Path(__file__).parent / "data" / "reports"
NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
XSS = "xss-probe"


# --------------------------------------------------------------------------- helpers


class Elements(HTMLParser):
    """Collects every start tag with its attributes, and the text, of an HTML fragment."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def parse(fragment: str) -> Elements:
    p = Elements()
    p.feed(fragment)
    p.close()
    return p


def assert_inert(fragment: str) -> Elements:
    """No script, no event handler, no foreign image or link in an HTML fragment."""
    doc = parse(fragment)
    for tag, attrs in doc.tags:
        assert tag not in ("script", "svg", "iframe", "object", "embed", "base", "form"), tag
        assert not any(a.lower().startswith("on") for a in attrs), (tag, attrs)
        if tag == "img":
            assert attrs["src"].startswith("data:image/png;base64,"), attrs["src"][:40]
            assert attrs.get("alt"), "every image needs alt text"
        if tag == "a":
            href = attrs.get("href", "")
            assert not href.lower().startswith(("javascript:", "http:", "https:", "//")), href
    return doc


def primary_row(**values) -> pd.Series:
    """A primary results row of plan version 3 (a confirmatory KPI's effect at the last
    month, by default), with ``values`` changed."""
    row = {"enterprise_id": "e", "domain": "kpi", "indicator": "reject_rate",
           "method": "its_effect_end", "primary": True, "confirmatory": True, "status": "ok",
           "n_pre": 12, "n_post": 12, "pre_value": 3.0, "post_value": 2.0, "estimate": 0.66,
           "estimate_scale": "rate_ratio", "ci_low": 0.55, "ci_high": 0.79, "p_value": 0.0004,
           "p_holm": 0.002, "q_bh": 0.002, "effect_size": np.nan, "direction": "improved",
           "note": "", "note_code": ""}
    row.update(values)
    return pd.Series(row)


@pytest.fixture(scope="module")
def processed(tmp_path_factory) -> Path:
    """The fixture data validated, analysed and written as the pipeline writes it."""
    out = tmp_path_factory.mktemp("processed")
    validated = build.validate_inputs(FIXTURE)
    assert validated.ok, [f.line() for f in validated.errors]
    analysed = build.analyse(validated.tables)
    build.write_processed(out, validated, analysed, build.Options(data_dir=FIXTURE),
                          code="test", run_date="2026-01-01T00:00:00+00:00")
    return out


@pytest.fixture(scope="module")
def xss(processed) -> report.EnterpriseData:
    return report.load_enterprise(XSS, processed_dir=str(processed))


SECTIONS = ("header", "executive_summary", "kpi_charts", "five_s_section", "survey_section",
            "qualitative_section", "data_quality_section", "methods_section")


# --------------------------------------------------------------------------- numbers and words


def test_esc_escapes_markup_and_blanks_missing_values():
    assert esc('<a href="x">&</a>') == "&lt;a href=&quot;x&quot;&gt;&amp;&lt;/a&gt;"
    assert esc("it's") == "it&#x27;s"
    assert esc(None) == esc(float("nan")) == esc(pd.NA) == ""


def test_html_fragments_show_as_html_only():
    h = Html("<p>x</p>")
    assert h._repr_html_() == "<p>x</p>"
    assert repr(h) == "<html fragment>"


@pytest.mark.parametrize(("ratio", "text"), [
    (0.66, "34% fall"), (1.4, "40% rise"), (0.955, "4.5% fall"), (1.0, "no change"),
    (1.94, "94% rise"), (2.94, "2.9-fold rise"), (12.0, "12-fold rise"),
    (250.0, "over 100-fold rise"), (0.0005, "over 99% fall"),
    (float("nan"), "no estimate"), (-1.0, "no estimate"),
])
def test_ratio_change_reads_rate_ratios_as_percent_changes(ratio, text):
    assert ratio_change(ratio) == text


def test_ratio_interval_turns_fall_bounds_round_and_names_both_sides():
    # a fall of (1 - RR): the upper ratio is the smaller fall
    assert ratio_interval(0.55, 0.79) == "21% to 45% fall"
    assert ratio_interval(1.1, 1.5) == "10% to 50% rise"
    assert ratio_interval(2.42, 150.0) == "2.4-fold to over 100-fold rise"
    assert ratio_interval(0.57, 1.036) == "43% fall to 3.6% rise"
    assert ratio_interval(np.nan, 1.2) == ""


def test_signed_percent_for_tables():
    assert signed_percent(0.7) == "−30%"
    assert signed_percent(1.051) == "+5.1%"
    assert signed_percent(16.0) == "×16"
    assert signed_percent(2.94) == "×2.9"
    assert signed_percent(0.0001) == "< −99%"
    assert signed_percent(np.nan) == ""


@pytest.mark.parametrize(("p", "word"), [(0.0099, "strong"), (0.01, "moderate"),
                                         (0.049, "moderate"), (0.05, "not significant"),
                                         (np.nan, "not significant"),
                                         (None, "not significant")])
def test_evidence_wording_thresholds(p, word):
    assert evidence(p) == word


def test_kpi_sentence_leads_with_the_effect_at_the_last_month():
    text = summary_sentence(primary_row(), family=6, last_month="2011-01")
    assert text.startswith("Reject rate: at the last month (Jan 2011), 34% below where the "
                           "trend before the programme pointed (95% CI 21% to 45% fall)")
    assert "it averaged 3.00% before and 2.00% after" in text
    assert text.endswith("the evidence is strong after adjusting for the 6 confirmatory "
                         "outcomes (Holm): p (Holm) = 0.002.")
    # the words follow the numbers: another estimate, another sentence
    other = summary_sentence(primary_row(estimate=1.1, ci_low=1.05, ci_high=1.15, p_holm=0.03,
                                         pre_value=2.0, post_value=3.0), family=6)
    assert "10% above where the trend" in other and "5.0% to 15% rise" in other
    assert "the evidence is moderate after adjusting for the 6 confirmatory outcomes" in other


def test_kpi_sentence_says_both_directions_when_the_averages_moved_the_other_way():
    """Plan v3: the rate rose on average while the primary estimate is below the earlier
    trend: the sentence says both, never "fell" next to a rising average."""
    row = primary_row(estimate=0.87, ci_low=0.7, ci_high=1.08, pre_value=3.08, post_value=4.41,
                      p_holm=0.4, p_value=0.2, direction="inconclusive")
    text = summary_sentence(row, family=6, trend_end=5.0)
    assert text.startswith("Reject rate rose from 3.08% before to 4.41% after on average, but "
                           "less than the trend before the programme predicted: at the last "
                           "month it was 13% below that trend (95% CI")
    assert "fell" not in text
    # where the earlier trend did not point above the average after, no such claim
    plain = summary_sentence(row, family=6, trend_end=4.0)
    assert "less than the trend" not in plain and "but at the last month it was 13% below" \
        in plain


def test_naive_step_primary_says_it_ignores_the_trend():
    text = summary_sentence(primary_row(method="rate_ratio_step", estimate=1.25, ci_low=1.1,
                                        ci_high=1.42, indicator="labour_productivity",
                                        pre_value=16.5, post_value=18.2, direction="improved"),
                            output_unit="pcs", family=4)
    assert text.startswith("Labour productivity was 25% higher after the programme than before "
                           "(95% CI 10% to 42% rise; the series is too short for the trend "
                           "model, so this ignores any trend)")
    assert "16.5 pcs per worker-hour before" in text


def test_unclear_results_say_they_could_be_chance():
    """A confirmatory result that is not significant after the Holm adjustment is worded as
    such, with its estimate and the size of its family, never as "no change"."""
    text = summary_sentence(primary_row(estimate=0.8, ci_low=0.6, ci_high=1.07, p_value=0.13,
                                        p_holm=0.4, direction="inconclusive", pre_value=3.0,
                                        post_value=2.5), family=5)
    assert text.startswith("Reject rate: at the last month, 20% below where the trend before "
                           "the programme pointed (95% CI 40% fall to 7.0% rise)")
    assert ("not significant after adjusting for the 5 confirmatory outcomes (Holm): "
            "p (Holm) = 0.400") in text
    assert "no change" not in text and "no clear change" not in text
    assert text.endswith("could be chance.")
    adjusted = summary_sentence(primary_row(estimate=0.8, ci_low=0.65, ci_high=0.98,
                                            p_value=0.03, p_holm=0.2, post_value=2.5))
    assert "significant on its own (p = 0.030) but not after adjusting for the confirmatory " \
        "outcomes (Holm): p (Holm) = 0.200" in adjusted


def test_exploratory_results_show_their_unadjusted_p_and_no_verdict():
    text = summary_sentence(primary_row(indicator="turnover_rate", confirmatory=False,
                                        p_holm=np.nan, p_value=0.04, direction="not_tested",
                                        estimate=0.8, ci_low=0.65, ci_high=0.98,
                                        pre_value=3.0, post_value=2.5), family=6)
    assert text.endswith("an exploratory estimate, outside the confirmatory outcomes: "
                         "p = 0.040, not adjusted for multiple testing.")
    assert "Holm" not in text and "evidence" not in text


def test_sparse_counts_show_the_rates_and_the_exact_comparison_never_inf():
    """Plan v3: with too few events for the model, the rates in their unit and the exact
    comparison (descriptive); no event before: the exact lower limit, never ×inf."""
    row = primary_row(indicator="suggestion_rate", confirmatory=False, status="insufficient_data",
                      estimate=np.nan, ci_low=np.nan, ci_high=np.nan, p_value=np.nan,
                      p_holm=np.nan, pre_value=0.0, post_value=8.1, direction="not_tested",
                      note_code="too_few_events(before=0,after=67,needed=10)")
    exact = primary_row(indicator="suggestion_rate", method="rate_ratio_exact", primary=False,
                        confirmatory=False, estimate=np.inf, ci_low=15.2, ci_high=np.inf,
                        p_value=1e-9, pre_value=0.0, post_value=8.1)
    text = summary_sentence(row, exact=exact)
    assert ("from none before to 8.10 per 100 workers per month after (at least ×15, the "
            "exact lower limit)") in text
    assert "a description" in text and "not evidence of an effect" in text
    assert "too few events (0 before, 67 after; a model needs 10 on each side)" in text
    assert "inf" not in text.replace("infinite", "")
    finite_exact = exact.copy()
    finite_exact[["estimate", "ci_low", "ci_high", "pre_value"]] = [19.7, 7.9, 62.0, 0.198]
    text = summary_sentence(row.copy().replace({0.0: 0.198}), exact=finite_exact)
    assert "(×20, exact 95% CI ×7.9 to ×62)" in text


def test_the_placebo_warning_is_carried_into_the_sentence():
    text = summary_sentence(primary_row(), family=6, placebo_p=0.008)
    assert "Caution: at a pretend start before the programme (the placebo) the series already " \
        "changed (p = 0.008)" in text


def test_rows_without_an_estimate_say_why_with_their_rates():
    assert summary_sentence(primary_row(status="not_reported", estimate=np.nan)) == (
        "Reject rate: not tracked by the enterprise.")
    short = summary_sentence(primary_row(status="insufficient_data", estimate=np.nan,
                                         note_code="too_few_months(needed=6,before=3,after=5)",
                                         note="needs at least 6 months before and 6 after; "
                                              "has 3 before and 5 after"), family=6)
    assert short == ("Reject rate: not enough data for the trend model: needs at least 6 "
                     "months before and 6 after; has 3 before and 5 after; it averaged 3.00% "
                     "before and 2.00% after; counted with p = 1 after adjusting for the 6 "
                     "confirmatory outcomes (Holm).")
    hidden = summary_sentence(primary_row(domain="survey", indicator="communication",
                                          method="mann_whitney", status="suppressed",
                                          estimate=3.0, pre_value=3.2, post_value=4.1))
    assert "fewer than 5 respondents" in hidden
    assert not any(ch.isdigit() for ch in hidden.replace("5 respondents", ""))


def test_notes_render_from_their_code_in_the_page_language():
    from score_analysis.i18n import use_language

    row = primary_row(status="insufficient_data", estimate=np.nan,
                      note="an English note nobody should see",
                      note_code="too_few_events(before=5,after=1234,needed=10)")
    assert report.note_words(row) == ("too few events (5 before, 1,234 after; a model needs "
                                      "10 on each side)", "")
    with use_language("id"):
        text, lang = report.note_words(row)
    assert (text, lang) == ("kejadian terlalu sedikit (5 sebelum, 1.234 sesudah; model "
                            "memerlukan 10 di setiap sisi)", "")
    # a row without a readable code falls back to the English note, marked as English
    with use_language("id"):
        assert report.note_words(primary_row(note="as written", note_code="((")) == (
            "as written", "en")


def test_five_s_and_survey_sentences_use_points():
    five = pd.DataFrame({"audit_date": pd.to_datetime(["2010-03-24", "2010-12-06"]),
                         "five_s_index": [30.6, 70.8]})
    text = summary_sentence(primary_row(domain="five_s", indicator="five_s_index",
                                        method="five_s_change", estimate=40.2,
                                        pre_value=30.6, post_value=70.8, p_value=np.nan,
                                        p_holm=np.nan, direction="not_tested",
                                        estimate_scale="difference", ci_low=np.nan,
                                        ci_high=np.nan), five_s=five)
    assert ("the 5S index rose by 40 points out of 100, from 31 at the first audit to 71 at "
            "the last (24 Mar 2010 and 6 Dec 2010)") in text
    assert "not a test" in text
    book = pd.DataFrame({"construct": ["cooperation"], "scale_min": [1], "scale_max": [5]})
    survey = summary_sentence(primary_row(domain="survey", indicator="cooperation",
                                          method="paired_t", estimate=-0.5, ci_low=-0.9,
                                          ci_high=-0.1, pre_value=3.5, post_value=3.0,
                                          p_holm=0.3, estimate_scale="difference"),
                              codebook=book)
    assert survey.startswith("Cooperation (worker survey): the mean score fell by "
                             "0.50 points on the 1 to 5 scale (mean 3.50 before, 3.00 after")


def test_headline_leads_with_what_changed_not_a_count_of_verdicts():
    rows = pd.DataFrame([
        primary_row(indicator="reject_rate", direction="improved"),
        primary_row(indicator="absenteeism_rate", direction="worsened", estimate=1.2),
        primary_row(indicator="labour_productivity", direction="inconclusive", estimate=1.041),
        primary_row(indicator="rework_rate", status="not_reported", direction=np.nan,
                    confirmatory=False),
        primary_row(indicator="turnover_rate", confirmatory=False, direction="not_tested"),
        primary_row(indicator="accident_frequency", primary=False, direction="improved"),
    ])
    assert headline(rows) == ("Reject rate −34% (improved after adjustment); absenteeism +20% "
                              "(worsened after adjustment); labour productivity +4.1% (could "
                              "be chance). Monthly indicators at the last month, against the "
                              "trend before the programme.")
    assert headline(rows.iloc[3:4]) == "No confirmatory outcome could be estimated."
    # with the controlled estimate as every monthly primary, the comparison is named too
    controlled = rows.iloc[:3].assign(method="cits_effect_end")
    assert headline(controlled).endswith("Monthly indicators at the last month, against the "
                                         "trend before the programme and the comparison "
                                         "enterprises.")


def test_synthesis_headline_reads_the_pooled_direction():
    pooled = pd.DataFrame([
        {"domain": "kpi", "indicator": "reject_rate", "primary": True, "confirmatory": True,
         "status": "ok", "k": 5, "estimate": 0.8, "estimate_scale": "rate_ratio",
         "p_value": 0.005, "p_holm": 0.01, "direction": "improved"},
        # the verdict is read, never recomputed: a table that says worsened is shown so
        {"domain": "kpi", "indicator": "labour_productivity", "primary": True,
         "confirmatory": True, "status": "ok", "k": 5, "estimate": 0.9,
         "estimate_scale": "rate_ratio", "p_value": 0.01, "p_holm": 0.02,
         "direction": "worsened"},
        {"domain": "survey", "indicator": "cooperation", "primary": True, "confirmatory": False,
         "status": "ok", "k": 4, "estimate": 0.2, "estimate_scale": "difference",
         "p_value": 0.2, "p_holm": np.nan, "direction": "not_tested"},
        {"domain": "kpi", "indicator": "rework_rate", "primary": True, "confirmatory": True,
         "status": "insufficient_data", "k": 2, "estimate": np.nan,
         "estimate_scale": "rate_ratio", "p_value": np.nan, "p_holm": np.nan,
         "direction": "inconclusive"},
        # a sensitivity row is not part of the headline
        {"domain": "kpi", "indicator": "reject_rate", "primary": False, "confirmatory": False,
         "status": "ok", "k": 5, "estimate": 0.5, "estimate_scale": "rate_ratio",
         "p_value": 0.001, "p_holm": np.nan, "direction": "not_tested"},
    ])
    assert synthesis_headline(pooled) == ("Mean change across 5 enterprises: reject rate −20% "
                                          "(improved after adjustment); labour productivity "
                                          "−10% (worsened after adjustment).")


# --------------------------------------------------------------------------- tables


def test_likert_shares_are_percentages_and_hide_small_groups():
    survey = pd.DataFrame({
        "wave": ["baseline"] * 6 + ["followup"] * 4,
        "q1": [1, 2, 2, 5, 5, pd.NA, 4, 4, 4, 4],
        "q2": [3, 3, 3, 3, 3, 3, 1, 1, 1, 1],
    }).astype({"q1": "Int64", "q2": "Int64"})
    book = pd.DataFrame({"item_id": ["q1", "q2"], "construct": ["c", "c"],
                         "scale_min": [1, 1], "scale_max": [5, 5]})
    shares = likert_shares(survey, book).set_index(["item_id", "wave"])
    levels = ["1", "2", "3", "4", "5"]
    assert shares.loc[("q1", "baseline"), levels].tolist() == [20.0, 40.0, 0.0, 0.0, 40.0]
    assert shares.loc[("q1", "baseline"), "n"] == 5
    assert shares.loc[("q2", "baseline"), "3"] == 100.0
    # four follow-up answers: below the privacy threshold, nothing kept
    assert shares.loc[("q1", "followup"), levels].isna().all()
    assert pd.isna(shares.loc[("q1", "followup"), "n"])
    assert list(dict.fromkeys(shares.reset_index()["item_id"])) == ["q1", "q2"]


def test_enterprise_findings_match_whole_ids_or_the_id_column():
    log = pd.DataFrame({"file": ["k.csv"] * 3, "row": [None, None, 4], "column": ["month"] * 3,
                        "value": ["abc 2009-11", "abcd 2009-11", "12"], "rule": ["r"] * 3,
                        "severity": ["warning"] * 3,
                        "message": ["abc: month missing", "abcd: month missing", "jump"]})
    assert report.enterprise_findings(log, "abc")["value"].tolist() == ["abc 2009-11"]
    tagged = log.assign(enterprise_id=["abcd", "abcd", "abc"])
    assert report.enterprise_findings(tagged, "abc")["value"].tolist() == ["12"]


# --------------------------------------------------------------------------- charts


def test_literal_keeps_dollar_signs_out_of_mathtext():
    from matplotlib.text import Text

    label = charts.literal("cost $5 and $10")
    shown, is_math = Text(text=label)._preprocess_math(label)
    assert not is_math and shown == "cost $5 and $10"


def test_kpi_figure_draws_the_counterfactual_dashed_after_the_start():
    months = [f"2009-{m:02d}" for m in range(1, 13)] + [f"2010-{m:02d}" for m in range(1, 13)]
    lines = pd.DataFrame({"month": months, "observed": np.linspace(5, 3, 24),
                          "fitted": np.linspace(5, 3, 24),
                          "counterfactual": np.linspace(5, 4, 24)})
    fig = charts.kpi_figure(lines, title="Reject rate $x$", unit="%",
                            intervention_month="2010-01", lebaran_months=["2009-09"],
                            visits=[pd.Timestamp("2010-10-14")])
    ax = fig.axes[0]
    dashed = [ln for ln in ax.get_lines() if ln.get_linestyle() == "--"]
    assert len(dashed) == 1
    # from the last month before the start to the end: 1 + 12 points
    assert len(dashed[0].get_xdata()) == 13
    assert ax.get_title(loc="left") == r"Reject rate \$x\$"
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["Observed month", "Fitted trend", "Trend without the programme",
                      "Lebaran month", "Programme start", "Factory visit"]


def test_forest_figure_uses_a_log_axis_for_ratios_and_marks_the_pool():
    studies = pd.DataFrame({"name": ["A", "B", "C"], "estimate": [0.8, 1.1, np.nan],
                            "ci_low": [0.6, 0.9, np.nan], "ci_high": [1.0, 1.3, np.nan],
                            "note": ["", "", "not tracked"]})
    pooled = pd.Series({"estimate": 0.95, "ci_low": 0.7, "ci_high": 1.2})
    fig = charts.forest_figure(studies, pooled, title="Reject rate", ratio=True,
                               xlabel="Rate ratio")
    ax = fig.axes[0]
    assert ax.get_xscale() == "log"
    assert [t.get_text() for t in ax.get_yticklabels()] == ["A", "B", "C", "Pooled"]
    assert any(t.get_text() == "not tracked" for t in ax.texts)


def _many_studies(n: int) -> pd.DataFrame:
    est = np.linspace(0.7, 1.4, n)
    studies = pd.DataFrame({"name": [f"E{i:03d}" for i in range(n)], "estimate": est,
                            "ci_low": est * 0.9, "ci_high": est * 1.1, "note": ""})
    studies.loc[3, ["estimate", "ci_low", "ci_high"]] = np.nan
    studies.loc[3, "note"] = "not tracked"
    return studies.sample(frac=1, random_state=1).reset_index(drop=True)


def test_forest_figure_with_many_enterprises_sorts_unnamed_rows_at_a_bounded_height():
    studies = _many_studies(charts.MANY_ROWS + 10)
    pooled = pd.Series({"estimate": 1.05, "ci_low": 1.0, "ci_high": 1.1})
    fig = charts.forest_figure(studies, pooled, title="Reject rate", ratio=True,
                               xlabel="Rate ratio")
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Pooled"]
    assert ax.get_ylabel() == "39 of 40 enterprises, sorted by estimate"
    assert fig.get_size_inches()[1] <= 7.0
    squares = [ln for ln in ax.get_lines() if ln.get_marker() == "s"]
    assert len(squares) == 1
    x, y = np.asarray(squares[0].get_xdata()), np.asarray(squares[0].get_ydata())
    assert len(x) == 39
    # the largest estimate at the top, the smallest just above the pooled row
    top_down = x[np.argsort(-y)]
    assert np.all(np.diff(top_down) < 0)
    assert y.min() == 2.0  # a gap row between the enterprises and the pooled diamond (0)
    # one interval per estimable enterprise, all in one collection
    assert [len(c.get_segments()) for c in ax.collections
            if hasattr(c, "get_segments")] == [39]


def test_forest_figure_names_every_row_up_to_the_threshold():
    studies = _many_studies(charts.MANY_ROWS)
    fig = charts.forest_figure(studies, None, title="Reject rate", ratio=True,
                               xlabel="Rate ratio")
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert labels == list(studies["name"])
    assert "not tracked" in [t.get_text() for t in fig.axes[0].texts]


def test_survey_changes_figure_with_many_enterprises_sorts_each_panel():
    a, b = _many_studies(charts.MANY_ROWS + 1), _many_studies(charts.MANY_ROWS + 1)
    b["estimate"] = -b["estimate"]
    b[["ci_low", "ci_high"]] = -b[["ci_high", "ci_low"]].to_numpy()
    fig = charts.survey_changes_figure([("Communication", a, None), ("Cooperation", b, None)])
    for ax in fig.axes[:2]:
        assert [t.get_text() for t in ax.get_yticklabels()] == ["Pooled"]
        (sq,) = [ln for ln in ax.get_lines() if ln.get_marker() == "s"]
        x, y = np.asarray(sq.get_xdata()), np.asarray(sq.get_ydata())
        assert np.all(np.diff(x[np.argsort(-y)]) < 0)


def test_survey_changes_figure_aligns_named_rows_across_panels():
    a = pd.DataFrame({"name": ["A", "B", "C"], "estimate": [0.1, 0.2, np.nan],
                      "ci_low": [0.0, 0.1, np.nan], "ci_high": [0.2, 0.3, np.nan],
                      "note": ["", "", "no data"]})
    b = a[a["name"] != "A"].assign(estimate=[0.5, 0.6], ci_low=[0.4, 0.5], ci_high=[0.6, 0.7])
    fig = charts.survey_changes_figure([("One", a, None), ("Two", b, None)])
    left, right = fig.axes[:2]
    assert [t.get_text() for t in left.get_yticklabels()] == ["A", "B", "C", "Pooled"]
    (sq,) = [ln for ln in right.get_lines() if ln.get_marker() == "s"]
    # B and C keep the rows they have in the left panel; A's row stays empty
    assert list(np.asarray(sq.get_ydata())) == [2.0, 1.0]
    assert "no data" in [t.get_text() for t in left.texts]


def test_five_s_index_figure_drops_the_legend_when_series_would_repeat():
    def index(n):
        return pd.DataFrame({"enterprise_id": np.repeat([f"E{i}" for i in range(n)], 2),
                             "audit_date": ["2010-03-01", "2010-11-01"] * n,
                             "five_s_index": np.tile([40.0, 60.0], n)})

    few = charts.five_s_index_figure(index(3), {"E0": "PT A", "E1": "PT B", "E2": "PT C"})
    assert [t.get_text() for t in few.legends[0].get_texts()] == ["PT A", "PT B", "PT C"]
    many = charts.five_s_index_figure(index(len(charts.SERIES) + 1))
    assert not many.legends
    assert len(many.axes[0].get_lines()) == len(charts.SERIES) + 1
    assert "8 enterprises" in many.axes[0].get_title(loc="left")


def test_pooling_caveat_speaks_of_few_enterprises_only_when_they_are_few():
    few = report.small_k_note(pd.DataFrame({"k": [5, 4]}))
    assert "What can and cannot be concluded from 5 enterprises" in few
    # the Knapp-Hartung interval on k - 1, the prediction interval on k - 2 (plan v3)
    assert "4 degrees of freedom and the prediction interval one with 3" in few
    assert "could expect" not in few
    many = report.small_k_note(pd.DataFrame({"k": [50]}))
    assert "so few" not in many and "not drawn at random" in many
    assert report.many_note(charts.MANY_ROWS) == ""
    assert "sorted by its estimate" in report.many_note(charts.MANY_ROWS + 1)


def test_forest_alt_text_keeps_the_capital_of_5s():
    studies = pd.DataFrame({"name": ["A"], "estimate": [1.5], "ci_low": [0.5],
                            "ci_high": [2.5], "note": [""]})
    alt = report.forest_alt("5S mean change", studies, None, False)
    assert alt.startswith("Forest plot of 5S mean change: ")
    assert alt.endswith("A: +1.5 (95% CI +0.50 to +2.5).")


# --------------------------------------------------------------------------- sections


def test_every_enterprise_section_escapes_hostile_text(xss):
    for name in SECTIONS:
        fragment = getattr(report, name)(xss)
        assert isinstance(fragment, Html)
        assert_inert(fragment)
    assert_inert(report.provenance_section(xss.provenance))
    text = " ".join(parse(report.header(xss)).text)
    assert "PT <script>alert(\"name\")</script> Probe <img src=x onerror=alert(1)>" in text
    assert "<script>alert('milestone')</script>" in text
    notes = parse(report.qualitative_section(xss))
    assert "</li></ul><a href=javascript:alert('link')>click</a>" in " ".join(notes.text)
    # an invalid language code gives no lang attribute at all
    assert all(a.get("lang") in (None, "en", "id") for _, a in notes.tags)


def test_synthesis_sections_escape_hostile_text(processed):
    data = report.load_synthesis(processed_dir=str(processed))
    for name in ("synthesis_header", "synthesis_grid", "forest_plots", "five_s_overview",
                 "survey_overview", "qualitative_overview", "synthesis_quality"):
        assert_inert(getattr(report, name)(data))
    assert "<img src=x onerror=alert('lesson')>" in " ".join(
        parse(report.qualitative_overview(data)).text)


def test_enterprise_summary_has_one_sentence_and_row_per_primary_result(xss):
    prim = xss.results[xss.results["primary"]]
    doc = parse(report.executive_summary(xss))
    items = [a for t, a in doc.tags if t == "li"]
    rows = [a for t, a in doc.tags if t == "tr"]
    assert len(items) == len(prim)
    assert len(rows) == len(prim) + 1  # and the header
    assert ("table", {"class": "summary"}) in doc.tags


def test_sentences_count_the_confirmatory_family_not_every_primary_row(xss):
    """"after adjusting for the N confirmatory outcomes": N is the family the analysis
    adjusted (stats.decisions.in_holm_family: the confirmatory primaries, planned but not
    estimable ones included), not every primary row; the lead states the plan's six."""
    from score_analysis.report.wording import family_size
    from score_analysis.stats.decisions import in_holm_family

    res = xss.results
    n = int(in_holm_family(res).sum())
    assert family_size(res) == n == int(res["confirmatory"].sum())
    assert n < int((res["primary"] & res["status"].isin(["ok", "insufficient_data"])).sum())
    text = " ".join(parse(report.executive_summary(xss)).text)
    counts = {int(m) for m in re.findall(r"adjusting for the (\d+) confirmatory outcomes", text)}
    assert counts == {n}
    assert f"Of the 6 confirmatory outcomes of the plan (the programme's expected " \
        f"improvements), {n} could be judged here" in text
    assert "exploratory estimates with their unadjusted p-values" in text


def test_suppressed_survey_groups_show_no_numbers(processed):
    data = report.load_enterprise("tesena_inovindo", processed_dir=str(processed))
    assert (data.results.loc[data.results["domain"] == "survey", "status"]
            == "suppressed").all()
    html = report.survey_section(data)
    assert "fewer than 5" in html
    followup = data.survey[data.survey["wave"] == "followup"]
    assert 0 < len(followup) < 5
    # the follow-up count is never printed: "After: fewer than 5"
    assert f"after: {len(followup)}" not in html.lower()
    table = html[html.index("<table"):]
    doc = parse(table)
    assert "fewer than 5 respondents" in " ".join(doc.text)


def test_timeline_lists_milestones_audits_and_periods_in_order(xss):
    events = report.timeline_events(xss)
    dates = [e[0] for e in events]
    assert dates == sorted(dates)
    whats = [e[2] for e in events]
    assert whats[0].startswith("Before: ") and "months of records" in whats[0]
    assert "Module 1 workshop" in whats
    assert "Factory visit 1 and 5S audit" in whats
    assert any(w.startswith("After: ") for w in whats)


def test_kpi_charts_have_one_figure_per_tracked_indicator_with_alt_text(processed):
    data = report.load_enterprise("tesena_inovindo", processed_dir=str(processed))
    doc = assert_inert(report.kpi_charts(data))
    imgs = [a for t, a in doc.tags if t == "img"]
    tracked = data.lines["indicator"].nunique()
    assert len(imgs) == tracked
    assert all("by month" in a["alt"] for a in imgs)
    assert "Not tracked by the enterprise: Rework rate." in " ".join(doc.text)


def test_banner_only_for_simulated_data(processed):
    real = report.load_enterprise("inprintama_asri", processed_dir=str(processed))
    simulated = report.load_enterprise("tesena_inovindo", processed_dir=str(processed))
    assert report.banner(real) == ""
    assert report.SIMULATED_BANNER in report.banner(simulated)


def test_data_quality_section_lists_this_enterprise_s_findings(xss, processed):
    html = report.data_quality_section(xss)
    assert "month 2009-11 is missing" in html
    other = report.load_enterprise("tesena_inovindo", processed_dir=str(processed))
    assert "2009-11" not in report.data_quality_section(other)


def test_methods_are_collapsed_and_link_the_analysis_plan(xss):
    html = report.methods_section(xss)
    assert html.startswith("<details class='methods'>")
    assert "href='#analysis-plan'" in html and "id='analysis-plan'" in html
    assert "Durbin-Watson" in html


# --------------------------------------------------------------------------- pages


def test_page_is_self_contained_and_forbids_scripts():
    html = report.page("<p>body</p>", "T <b>")
    assert "Content-Security-Policy" in html and "default-src 'none'" in html
    assert "<title>T &lt;b&gt;</title>" in html
    assert "<script" not in html and "http://" not in html and "https://" not in html
    assert "@import" not in html and "url(" not in html


def test_index_and_failed_pages_escape_what_they_show():
    entries = [{"path": "enterprises/a.html", "title": "<script>x</script>", "status": "ok",
                "data_source": "simulated", "built": "2026-01-01T00:00:00+00:00",
                "headline": "<img src=x onerror=alert(1)>"},
               {"path": "enterprises/b.html", "title": "B", "status": "failed",
                "data_source": "enterprise_records", "built": "", "headline": "Analysis failed."}]
    html = report.index_page(entries, run_date="2026-01-01T00:00:00+00:00")
    body = html[html.index("<body>"):]
    assert_inert(body)
    assert report.SIMULATED_BANNER in body and "1 report could not be built" in body
    failed = report.failed_page("<b>T</b>", "KeyError: '<script>'", "../notebooks/a.ipynb")
    assert_inert(failed[failed.index("<body>"):])
    assert "KeyError: &#39;&lt;script&gt;&#39;" in failed
    assert "href=\"../index.html\"" in failed
    assert "href=\"index.html\"" in report.failed_page("Synthesis", "x", home="index.html")


# --------------------------------------------------------------------------- notebooks


@pytest.mark.parametrize("name", ["enterprise_report.ipynb", "synthesis.ipynb"])
def test_notebooks_are_thin_and_output_free(name):
    nb = json.loads((NOTEBOOKS / name).read_text(encoding="utf-8"))
    cells = nb["cells"]
    assert cells[0]["metadata"].get("tags") == ["parameters"]
    for cell in cells:
        assert cell["cell_type"] == "code"
        assert cell.get("outputs", []) == [] and cell.get("execution_count") is None
        source = "".join(cell["source"])
        assert "def " not in source and "import matplotlib" not in source
    imports = [c for c in cells if "import" in "".join(c["source"])]
    assert len(imports) == 1
    # one call per section after the parameters
    for cell in cells[2:]:
        assert len([ln for ln in "".join(cell["source"]).splitlines() if ln.strip()]) == 1


def test_report_time_imports_stay_light(processed):
    """The notebooks import only reporting: no statsmodels, scipy or pandera at report time,
    even when the sections read the analysis's answers (robustness, risk of bias) and the
    synthesis its verdicts."""
    import subprocess
    import sys

    code = ("import sys; from score_analysis import report; "
            "from score_analysis.report import charts; "
            f"d = report.load_enterprise('tesena_inovindo', processed_dir={str(processed)!r}); "
            "report.kpi_charts(d); report.methods_section(d); report.executive_summary(d); "
            f"s = report.load_synthesis(processed_dir={str(processed)!r}); "
            "report.forest_plots(s); report.synthesis_grid(s); "
            "print(','.join(m for m in ('statsmodels', 'scipy', 'pandera') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == ""


def test_fmt_rounds_for_reading():
    assert report.fmt(16.4987) == "16.5"
    assert report.fmt(-0.123456) == "−0.123"
    assert report.fmt(1234.5) == "1,234"
    assert report.fmt(math.inf) == "∞"
    assert report.fmt_count(15.0) == "15"
    assert report.fmt_p(0.0004) == "< 0.001"


def test_unlinked_findings_are_those_no_enterprise_claims():
    log = pd.DataFrame({"file": ["k.csv"] * 3, "row": [None, 7, None], "column": ["month"] * 3,
                        "value": ["abc 2009-11", "12", ""], "rule": ["r"] * 3,
                        "severity": ["warning"] * 3,
                        "message": ["abc: month missing", "jump", "cp1252 file"]})
    assert report.unlinked_findings(log, ["abc", "xyz"])["message"].tolist() == [
        "jump", "cp1252 file"]


def test_sections_of_an_enterprise_with_only_monthly_records(xss):
    from dataclasses import replace

    empty = pd.DataFrame()
    bare = replace(xss, milestones=empty, pillars=empty, five_s=empty, survey=empty,
                   qualitative=empty, reliability=empty, quality=xss.quality.iloc[0:0],
                   results=xss.results[xss.results["domain"] == "kpi"], provenance={})
    assert "No 5S audit was recorded" in report.five_s_section(bare)
    assert "No worker survey was recorded" in report.survey_section(bare)
    assert "No notes were recorded" in report.qualitative_section(bare)
    assert "found no missing months" in report.data_quality_section(bare)
    assert "No provenance record" in report.provenance_section(bare.provenance)
    for name in SECTIONS:
        assert_inert(getattr(report, name)(bare))
    whats = [w for _, _, w in report.timeline_events(bare)]
    assert not any("visit" in w.lower() for w in whats)


def test_one_key_serves_every_monthly_chart():
    key = report.kpi_key(lebaran=True, visits=False)
    assert re.findall(r"</span>([^<]+)</li>", key) == [
        "Observed month", "Fitted trend", "Trend without the programme", "Lebaran month",
        "Programme start"]
    months = [f"2009-{m:02d}" for m in range(1, 13)] + [f"2010-{m:02d}" for m in range(1, 13)]
    lines = pd.DataFrame({"month": months, "observed": np.linspace(5, 3, 24),
                          "fitted": np.linspace(5, 3, 24),
                          "counterfactual": np.linspace(5, 4, 24)})
    fig = charts.kpi_figure(lines, title="Reject rate", unit="%", intervention_month="2010-01",
                            legend=False)
    assert fig.axes[0].get_legend() is None


def test_likert_chart_places_segments_around_the_centre_and_escapes_text():
    shares = pd.DataFrame({"item": ["<b>Safe</b> & sound", "<b>Safe</b> & sound"],
                           "panel": ["Before", "After"],
                           "1": [10.0, 0.0], "2": [20.0, 10.0], "3": [40.0, 20.0],
                           "4": [20.0, 40.0], "5": [10.0, 30.0]})
    html = report.likert_chart(shares, labels=["SD", "D", "N", "A", "SA"],
                                  panels=[("Before", True), ("After", True)],
                                  alt="A <chart>", caption="c")
    assert "<b>" not in html and "&lt;b&gt;Safe&lt;/b&gt; &amp; sound" in html
    assert "aria-label='A &lt;chart&gt;'" in html
    # before: 10 + 20 + half of 40 = 50% left of centre; after reaches 80% right of it, so
    # the axis runs from -100% to +100% (the longest side rounded up to 25%)
    segs = re.findall(r"style='left:([\d.]+)%;width:([\d.]+)%;background:([^']+)'>(\d*)<", html)
    before = [(float(a), float(b), t) for a, b, _, t in segs[:5]]
    assert before[0][0] == pytest.approx(50 - 50 * 50 / 100)  # starts at -50%
    assert sum(w for _, w, _ in before) == pytest.approx(100 * 100 / 200)
    assert before[2][0] == pytest.approx(50 - 50 * 20 / 100)  # neutral straddles the centre
    assert [t for *_, t in before] == ["", "20", "40", "20", ""]  # 12% or more is labelled
    assert len(segs) == 9  # the empty level of the second bar is not drawn


def test_likert_chart_shows_only_the_privacy_note_for_small_groups():
    shares = pd.DataFrame({"item": ["Q", "Q"], "panel": ["Before", "After"],
                           "1": [50.0, np.nan], "2": [50.0, np.nan]})
    html = report.likert_chart(shares, labels=["No", "Yes"],
                                  panels=[("Before", True), ("After", False)], alt="a")
    after = html.split("After</span>")[1].split("</div>")[0]
    assert "fewer than 5 respondents" in after and "seg" not in after


# --------------------------------------------------------------------------- two languages


LOCALE = Path(report.__file__).resolve().parent.parent / "locale"
ROOT = Path(__file__).resolve().parent.parent
#: English words that never occur in Indonesian prose (whole words, any case).
ENGLISH = re.compile(r"\b(the|and|of|with|was|were|is|are|before|after|could|which|this|that|"
                     r"from|than|not|only|when|every|each|their)\b", re.IGNORECASE)


def _catalog():
    from babel.messages.pofile import read_po

    with (LOCALE / "id" / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        return read_po(fh, locale="id")


def _extracted() -> set:
    """The msgids of the code and templates, extracted as ``make messages`` does."""
    from babel.messages.extract import extract_from_dir
    from babel.messages.frontend import parse_mapping_cfg

    with (ROOT / "babel.cfg").open(encoding="utf-8") as fh:
        method_map, options_map = parse_mapping_cfg(fh)
    ids = set()
    for _f, _l, message, _c, context in extract_from_dir(ROOT, method_map, options_map):
        key = message if isinstance(message, str) else message[0]
        ids.add((context, key))
    return ids


def _page_messages() -> set:
    """The msgids shown on the pages: extracted from score_analysis/report (code and
    templates) and from the analysis's notes (score_analysis/stats)."""
    from babel.messages.extract import extract_from_dir
    from babel.messages.frontend import parse_mapping_cfg

    with (ROOT / "babel.cfg").open(encoding="utf-8") as fh:
        method_map, options_map = parse_mapping_cfg(fh)
    ids = set()
    for filename, _l, message, _c, context in extract_from_dir(ROOT, method_map, options_map):
        if filename.startswith(("score_analysis/report/", "score_analysis/stats/")):
            ids.add((context, message if isinstance(message, str) else message[0]))
    return ids


def _glossary_tables() -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(required, rejected) term pairs of docs/glossary.md's "Terms checked" section."""
    text = (ROOT / "docs" / "glossary.md").read_text(encoding="utf-8")
    section = text[text.index("## Terms checked in the catalog"):]
    tables, current = [], []
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("|") and len(cells) == 2 and not set(cells[0]) <= {"-"}:
            current.append((cells[0], cells[1]))
        elif current and not line.startswith("|"):
            tables.append(current[1:])  # without the header row
            current = []
    if current:
        tables.append(current[1:])
    return tables[0], tables[1]


def test_the_catalog_keeps_one_glossary_term_per_concept():
    """issue: one Indonesian term per concept (docs/glossary.md): every page message whose
    English holds a checked term says it with the glossary's Indonesian, and no Indonesian
    message uses a rejected alternative (deret waktu terputus, indeks 5S...)."""
    required, rejected = _glossary_tables()
    assert len(required) >= 10 and len(rejected) >= 5
    mine = _page_messages()
    problems = []
    for m in _catalog():
        if not m.id:
            continue
        english = m.id if isinstance(m.id, str) else " ".join(m.id)
        indonesian = m.string if isinstance(m.string, str) else " ".join(m.string)
        for bad, good in rejected:
            if bad.lower() in indonesian.lower():
                problems.append((indonesian[:60], f"uses {bad!r}, not {good!r}"))
        key = (m.context, m.id if isinstance(m.id, str) else m.id[0])
        if key not in mine:
            continue
        for term, term_id in required:
            if term.lower() in english.lower() and term_id.lower() not in indonesian.lower():
                problems.append((english[:60], f"{term!r} is not {term_id!r}"))
    assert problems == []


def test_indonesian_catalog_is_complete_without_fuzzy_or_unused_messages():
    catalog = _catalog()
    entries = [m for m in catalog if m.id]
    empty = [m.id for m in entries
             if not (all(m.string) if isinstance(m.string, tuple) else m.string)]
    assert empty == []
    assert [m.id for m in entries if m.fuzzy] == []
    # a fuzzy header makes `pybabel compile` skip the whole catalog: every page English
    assert not catalog.fuzzy, "remove '#, fuzzy' above the catalog header"
    # a text merge of two versions of the catalog can glue another entry's English source
    # onto a translation: no translation holds the English of another message
    sources = {m.id for m in entries if isinstance(m.id, str) and len(m.id) > 30}
    glued = [(m.id, s) for m in entries if isinstance(m.string, str)
             for s in sources if s != m.id and s[:30] in m.string]
    assert glued == []
    in_catalog = {(m.context, m.id if isinstance(m.id, str) else m.id[0]) for m in entries}
    extracted = _extracted()
    assert sorted(extracted - in_catalog, key=str) == [], "run make messages and translate"
    assert sorted(in_catalog - extracted, key=str) == [], "unused msgid in the catalog"
    # what `pybabel compile` (make install) checks: placeholders that agree
    problems = [(m.id, [str(e) for e in errors]) for m, errors in catalog.check()]
    assert problems == []


def test_numbers_and_dates_follow_the_page_locale():
    from score_analysis.i18n import use_language
    from score_analysis.report import formatting

    with use_language("id"):
        assert formatting.fmt(3.0812) == "3,08"
        assert formatting.fmt_count(1234567) == "1.234.567"
        assert formatting.percent(4.5) == "4,5%" and formatting.decimal(12.5, 1) + "%" == "12,5%"
        assert formatting.day("2010-03-15") == "15 Maret 2010"
        assert formatting.fmt_p(0.0004) == "< 0,001"
        assert ratio_change(0.955) == "turun 4,5%"
    with use_language("en"):
        assert formatting.fmt_count(1234567) == "1,234,567"
        assert formatting.day("2010-03-15") == "15 Mar 2010"


def _visible_text(fragment: str, data_text: set[str]) -> str:
    """The text of a fragment a reader sees as prose in the page's language: elements
    marked with another language, code and the data-check findings (data) left out, and
    every piece of text that comes from the data removed."""
    class Visible(HTMLParser):
        def __init__(self):
            super().__init__(convert_charrefs=True)
            self.stack: list[bool] = []
            self.parts: list[str] = []

        def handle_starttag(self, tag, attrs):
            a = dict(attrs)
            other = (a.get("lang") not in (None, "id") or tag in ("code", "style")
                     or "findings" in (a.get("class") or ""))
            self.parts.append(" ")
            if tag in ("img", "br", "meta", "link", "input"):
                return
            self.stack.append(other or (bool(self.stack) and self.stack[-1]))

        def handle_endtag(self, tag):
            self.parts.append(" ")
            if self.stack:
                self.stack.pop()

        def handle_data(self, data):
            if not (self.stack and self.stack[-1]):
                self.parts.append(data)

    p = Visible()
    p.feed(fragment)
    text = "".join(p.parts)
    for value in sorted(data_text, key=len, reverse=True):
        text = text.replace(value, " ")
    return text


def _data_text(processed: Path) -> set[str]:
    """Every text value of the fixture's tables (names, notes, codebook text): data."""
    out = set()
    for path in processed.glob("*.parquet"):
        frame = pd.read_parquet(path)
        for col in frame.columns:
            if pd.api.types.is_string_dtype(frame[col]) or frame[col].dtype == object:
                out.update(str(v) for v in frame[col].dropna().unique() if str(v).strip())
    return {v for v in out if len(v) > 2}


def test_indonesian_sections_leave_no_english_sentence(processed):
    from score_analysis.i18n import use_language

    data_text = _data_text(processed)
    with use_language("id"):
        for eid in ("xss-probe", "tesena_inovindo", "inprintama_asri"):
            data = report.load_enterprise(eid, processed_dir=str(processed))
            for name in SECTIONS + ("provenance_section", "footer"):
                text = _visible_text(getattr(report, name)(data), data_text)
                found = ENGLISH.findall(text)
                assert not found, (eid, name, found, text[:400])
        syn = report.load_synthesis(processed_dir=str(processed))
        for name in ("synthesis_header", "synthesis_grid", "forest_plots", "five_s_overview",
                     "survey_overview", "qualitative_overview", "synthesis_quality"):
            text = _visible_text(getattr(report, name)(syn), data_text)
            assert not ENGLISH.findall(text), (name, ENGLISH.findall(text), text[:400])


def test_indonesian_pages_use_indonesian_separators(xss):
    from score_analysis.i18n import use_language

    with use_language("id"):
        text = " ".join(parse(report.executive_summary(xss)).text)
    # decimal commas in every estimate and p-value; no English decimal point
    assert re.search(r"\d,\d", text)
    assert not re.search(r"(?<![\d.])0\.\d", text), re.findall(r"\S*0\.\d\S*", text)
    assert "p (Holm) = " in text and re.search(r"p \(Holm\) (= \d,\d{3}|< 0,001)", text)


def test_a_report_renders_in_both_languages_from_one_call(processed):
    data = report.load_enterprise("tesena_inovindo", processed_dir=str(processed),
                                     language="en,id")
    both = report.executive_summary(data)
    assert isinstance(both, report.Translated)
    bundle = both._repr_mimebundle_()
    assert bundle["text/html"] == str(both["en"])
    assert bundle[report.mime_type("id")] == str(both["id"])
    assert "Ringkasan" in both["id"] and "Summary" in both["en"]


def test_pages_name_their_language_and_link_their_twin():
    html = report.page("<p>isi</p>", "Judul", lang="id",
                          alternate="../../enterprises/a.html")
    assert '<html lang="id">' in html
    assert '<link rel="alternate" hreflang="en" href="../../enterprises/a.html">' in html
    doc = parse(html[html.index("<body>"):])
    links = [a for t, a in doc.tags if t == "a"]
    assert links[0]["href"] == "../../enterprises/a.html" and links[0]["lang"] == "en"
    assert "English" in doc.text
    assert "tidak membuktikan" in html  # the design note is on every page, translated


def test_index_header_takes_its_years_from_the_data():
    entries = [{"path": "enterprises/a.html", "title": "A", "status": "ok",
                "data_source": "simulated", "built": "", "headline": "h"}]
    html = report.index_page(entries, run_date="2026-01-01T00:00:00+00:00",
                                years=(2009, 2011))
    assert "Indonesia 2009–2011" in html and "Indonesia 2010<" not in html
    assert "Indonesia ·" not in report.index_page(entries, run_date="", years=(2012, 2012))


def test_synthesis_names_instead_of_links_the_pages_that_were_not_built(processed):
    data = report.load_synthesis(processed_dir=str(processed), missing_pages="xss-probe")
    html = report.synthesis_header(data) + report.synthesis_grid(data)
    assert "enterprises/xss-probe.html" not in html
    assert "enterprises/tesena_inovindo.html" in html
    assert "No report page was built for:" in html


def test_each_page_has_its_twin_under_the_other_language():
    from score_analysis.build import language_pages as _language_pages

    pages = _language_pages("enterprises/a.html", "PT A", "enterprise", ("en", "id"))
    assert pages == [
        ("en", "enterprises/a.html", "PT A — impact assessment", "../id/enterprises/a.html"),
        ("id", "id/enterprises/a.html", "PT A — penilaian dampak", "../../enterprises/a.html"),
    ]
    index = _language_pages("index.html", "", "index", ("en", "id"))
    assert [(p[1], p[3]) for p in index] == [("index.html", "id/index.html"),
                                             ("id/index.html", "../index.html")]
    assert _language_pages("synthesis.html", "", "synthesis", ("en",)) == [
        ("en", "synthesis.html", "SCORE Module 1 — synthesis", None)]


def test_visits_severities_and_chart_months_in_the_page_language():
    """issue: "baseline"/"Visit 1" in the 5S timeline and legend, the severity of a finding
    and the months of the chart axes in the page's language."""
    from score_analysis.i18n import use_language
    from score_analysis.report.wording import severity_name, visit_label

    months = [f"2009-{m:02d}" for m in range(1, 13)] + [f"2010-{m:02d}" for m in range(1, 13)]
    lines = pd.DataFrame({"month": months, "observed": np.linspace(1.2, 3.4, 24),
                          "fitted": np.nan, "counterfactual": np.nan})
    seen = {}
    for lang in ("en", "id"):
        with use_language(lang):
            fig = charts.kpi_figure(lines, title=None, unit=None, intervention_month="2010-01",
                                    legend=False)
            seen[lang] = (visit_label("baseline"), visit_label("visit_2"),
                          severity_name("warning"), charts.tick_labels(fig.axes[0].xaxis))
    assert seen["en"][:3] == ("Baseline", "Visit 2", "warning")
    assert seen["id"][:3] == ("Awal", "Kunjungan 2", "peringatan")
    assert "Jul\n2009" in seen["en"][3] and "Jan\n2010" in seen["id"][3]
    assert not any(re.fullmatch(r"\d{4}-\d{2}", t) for t in seen["id"][3])
    # the month names are the page's (Okt, Des in Indonesian), whichever months are ticked
    import matplotlib.dates as mdates

    october = mdates.date2num(pd.Timestamp("2010-10-15"))
    for lang, name in (("en", "Oct\n2010"), ("id", "Okt\n2010")):
        with use_language(lang):
            assert charts.month_year_formatter()(october) == name


def test_chart_axes_use_the_page_notation():
    from score_analysis.i18n import use_language

    months = [f"2009-{m:02d}" for m in range(1, 13)] + [f"2010-{m:02d}" for m in range(1, 13)]
    lines = pd.DataFrame({"month": months, "observed": np.linspace(1.2, 3.4, 24),
                          "fitted": np.nan, "counterfactual": np.nan})
    labels = {}
    for lang in ("en", "id"):
        with use_language(lang):
            fig = charts.kpi_figure(lines, title=None, unit=None, intervention_month="2010-01",
                                    legend=False)
            labels[lang] = charts.tick_labels(fig.axes[0].yaxis)
    assert any("." in t for t in labels["en"]) and not any("," in t for t in labels["en"])
    assert labels["id"] == tuple(t.replace(".", ",") for t in labels["en"])
    # a wordless chart: no title, no axis label, months as numbers
    assert fig.axes[0].get_title(loc="left") == "" and fig.axes[0].get_ylabel() == ""


def test_index_marks_entries_written_in_another_language():
    entries = [{"path": "../appendix/a.html", "title": "Appendix: A", "status": "ok",
                "data_source": "simulated", "built": "", "headline": "For reviewers.",
                "lang": "en"}]
    html = report.index_page(entries, run_date="", lang="id")
    doc = parse(html[html.index("<body>"):])
    marked = [a for t, a in doc.tags if a.get("lang") == "en" and t in ("th", "td")]
    assert len(marked) == 2


def test_methods_show_the_risk_of_bias_and_link_the_appendix(processed):
    """The EPOC risk-of-bias table (seven criteria, the blinding and incomplete-data ones
    for the monthly indicators and the survey apart) is in the methods section of every
    page, worded from the analysis's codes in the page's language; the plan's version and
    date are printed; the appendix is linked only when it is built, from the Indonesian page
    one folder higher."""
    from score_analysis.i18n import use_language

    data = report.load_enterprise(XSS, processed_dir=str(processed), appendix=True)
    with use_language("en"):
        html = str(report.methods_section(data))
    assert "Intervention independent of other changes" in html
    assert "Free from other risks of bias" in html
    assert len(re.findall(r"risk-(?:low|high|unclear)", html)) == 9
    assert "analysis plan version 3 of 6 Dec 2026" in html
    assert f'href="../appendix/{XSS}.html"' in html
    with use_language("id"):
        html_id = str(report.methods_section(data))
    assert "Intervensi tidak bergantung pada perubahan lain" in html_id
    assert "rencana analisis versi 3 tanggal 6 Desember 2026" in html_id
    assert "one series per indicator" not in html_id.lower()
    assert f'href="../../appendix/{XSS}.html"' in html_id
    without = report.load_enterprise(XSS, processed_dir=str(processed))
    with use_language("en"):
        assert "appendix/" not in str(report.methods_section(without))


def test_notebook_defaults_resolve_from_the_repository_root(processed, monkeypatch):
    """The report notebooks' default processed_dir ("data/processed") is found from the
    repository root and from notebooks/ alike."""
    from score_analysis.files import resolve_repo_path

    root = Path(__file__).resolve().parents[1]
    monkeypatch.chdir(root / "notebooks")
    assert resolve_repo_path("data/processed") == (root / "data" / "processed").resolve()
    monkeypatch.chdir(root)
    assert resolve_repo_path("data/processed").resolve() == (root / "data" / "processed")


# --------------------------------------------------------------------------- plan version 3


def _kpi_rows(**estimates) -> pd.DataFrame:
    """One indicator's KPI rows of plan v3: the primary and its sensitivity rows with the
    given estimates (``method=(estimate, p)``)."""
    rows = []
    for method, (est, p) in estimates.items():
        rows.append(primary_row(method=method, primary=method == "its_effect_end",
                                confirmatory=method == "its_effect_end", estimate=est,
                                ci_low=est * 0.8, ci_high=est * 1.2, p_value=p,
                                p_holm=p if method == "its_effect_end" else np.nan,
                                direction="inconclusive" if method == "its_effect_end"
                                else "not_tested"))
    return pd.DataFrame(rows)


def test_robustness_verdict_follows_the_v3_rule_and_the_placebo_warns():
    """Consistent only when every sensitivity estimate has the primary's sign (the naive
    step and the placebo not counted); a placebo p below alpha warns, in the table's note and
    in the indicator's sentence."""
    from score_analysis.report.answers import robustness
    from score_analysis.report.sections.kpi import robustness_rows, robustness_verdict

    rows = _kpi_rows(its_effect_end=(0.8, 0.01), its_effect_end_harmonic=(1.1, 0.5),
                     its_effect_end_phase_in=(0.9, 0.2), its_effect_end_no_eid=(0.85, 0.1),
                     placebo_effect_end=(0.6, 0.01), rate_ratio_step=(1.3, 0.01))
    answer = robustness(rows, "reject_rate")
    assert (answer.counted, answer.agreeing, answer.consistent) == (3, 2, False)
    assert answer.placebo_unstable and answer.placebo_p == 0.01
    verdict = robustness_verdict(answer)
    assert verdict.startswith("Not consistent: 2 of 3 sensitivity analyses point the same way")
    assert "shows a change (p = 0.010): the trend before the programme was not stable" in verdict
    cells = robustness_rows(answer)
    assert [c[0] for c in cells][0] == "Primary: against the trend before the programme"
    assert [c[-1] for c in cells] == ["", "no", "yes", "yes", "not counted", "not counted"]
    # the naive step pointing the other way does not count; agreeing sensitivity rows do
    fine = _kpi_rows(its_effect_end=(0.8, 0.01), its_effect_end_harmonic=(0.7, 0.5),
                     placebo_effect_end=(1.0, 0.9), rate_ratio_step=(1.3, 0.01))
    good = robustness(fine, "reject_rate")
    assert good.consistent and not good.placebo_unstable
    assert robustness_verdict(good).startswith("Consistent: the 1 sensitivity analysis")
    sentence = summary_sentence(rows.iloc[0], family=6, placebo_p=answer.placebo_p)
    assert "Caution: at a pretend start before the programme" in sentence


def test_pages_print_the_settings_the_run_used(processed, tmp_path):
    """The plan's version and date and every setting a sentence mentions come from the
    settings recorded with the run (provenance.json), never from a constant."""
    import shutil

    from score_analysis.files import read_json, write_json
    from score_analysis.i18n import use_language

    run = tmp_path / "processed"
    shutil.copytree(processed, run)
    provenance = read_json(run / "provenance.json")
    provenance["settings"] = {"phase_in_months": 6, "min_events": 12, "alpha": 0.1}
    write_json(provenance, run / "provenance.json")
    data = report.load_enterprise("inprintama_asri", processed_dir=str(run))
    assert data.settings.phase_in_months == 6 and data.settings.alpha == 0.1
    with use_language("en"):
        methods = str(report.methods_section(data))
        kpi = str(report.kpi_charts(data))
        summary = str(report.executive_summary(data))
    assert "without the first 6 months of the programme" in methods
    assert "at least 12 events before and 12 after" in methods
    assert "This run changed the plan&#39;s settings:" in methods
    assert "phase-in months left out 6 instead of 3" in methods
    assert "Leaving out the first 6 months (phase-in)" in kpi
    assert "moderate when it is below 0.1;" in summary
    with use_language("id"):
        methods_id = str(report.methods_section(data))
    assert "tanpa 6 bulan pertama program" in methods_id
    assert "0,1, bukan 0,05" in methods_id


def test_pooled_sentences_say_when_the_spread_could_not_be_estimated():
    from score_analysis.report.synthesis import pooled_sentences

    base = {"domain": "kpi", "indicator": "reject_rate", "source_method": "its_effect_end",
            "primary": True, "confirmatory": True, "status": "ok", "k": 4, "estimate": 0.8,
            "estimate_scale": "rate_ratio", "ci_low": 0.7, "ci_high": 0.92, "pi_low": 0.6,
            "pi_high": 1.07, "p_value": 0.004, "p_holm": 0.02, "direction": "improved",
            "tau2": 0.01, "i2": 30.0, "q": 4.0, "note_code": ""}
    spread = pooled_sentences(pd.DataFrame([base]), "kpi")[0]["text"]
    assert "estimated mean change at the last month against each enterprise's trend" in spread
    assert "−20% (95% CI −30% to −8.0%); improved after adjusting for the 1 confirmatory " \
        "outcome (Holm), moderate evidence: p (Holm) = 0.020" in spread
    assert "in the range 40% fall to 7.0% rise (95% prediction interval)" in spread
    assert "expect" not in spread
    zero = pooled_sentences(pd.DataFrame([{**base, "tau2": 0.0, "pi_low": 0.7,
                                           "pi_high": 0.92, "note_code": "tau2_zero(k=4)"}]),
                            "kpi")[0]["text"]
    assert "could not be estimated from 4 enterprises (τ² estimated as 0)" in zero
    assert "does not show that the enterprises changed alike" in zero
    assert "prediction interval)" not in zero
    # the verdict is read from pooled.csv, never recomputed
    read = pooled_sentences(pd.DataFrame([{**base, "direction": "inconclusive"}]), "kpi")
    assert "not significant after adjusting" in read[0]["text"]
