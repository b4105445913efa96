"""The comparison group on the pages: the enterprise page's charts, sentences, robustness
table, methods and risk of bias, the synthesis and the reviewer's appendix, with comparison
data (the shipped demonstration data: five programme enterprises and three comparison
enterprises) and without (the fixture in ``tests/data/reports``), in both languages.

The processed tables with comparison data are written here as the pipeline writes them,
the rows of every programme enterprise coming from
``stats.analysis.enterprise_analysis(..., comparison=, enterprises=)``.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from score_analysis import appendix, build, report
from score_analysis.i18n import use_language

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ROOT / "data" / "raw"
FIXTURE = Path(__file__).parent / "data" / "reports"
ENTERPRISE = "tjokro_bersaudara"
COMPARISON_NAMES = ("PT Demo Comparison 001", "PT Demo Comparison 002",
                    "PT Demo Comparison 003")


def _text(fragment: str) -> str:
    """The visible text of an HTML fragment, one space between words (images dropped)."""
    from html import unescape

    text = re.sub(r"<img[^>]*>", " ", str(fragment))
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", text))).strip()


def _alts(fragment: str) -> list[str]:
    from html import unescape

    return [unescape(a) for a in re.findall(r"<img [^>]*alt=\"([^\"]*)\"", str(fragment))]


@pytest.fixture(scope="module")
def controlled(tmp_path_factory) -> Path:
    """The shipped data analysed with its comparison enterprises, written as the pipeline
    writes its processed tables."""
    from score_analysis.build.enterprises import indicators_of
    from score_analysis.stats import analysis
    from score_analysis.stats.pooling import pooled_inputs, pooled_results

    validated = build.validate_inputs(SHIPPED)
    assert validated.ok, [f.line() for f in validated.errors]
    tables = validated.tables
    ents = tables["enterprises"]
    programme = ents[ents["role"].fillna("programme") != "comparison"]
    ind = indicators_of(tables)
    base = build.analyse(tables, enterprises=list(programme["enterprise_id"]))
    done = [analysis.enterprise_analysis(
        e, monthly=ind.monthly[ind.monthly["enterprise_id"] == e["enterprise_id"]],
        items=ind.items, scores=ind.scores, constructs=ind.constructs,
        comparison=ind.monthly, enterprises=ents) for _, e in programme.iterrows()]
    results = pd.concat([d.results for d in done], ignore_index=True)
    assert (results["method"] == "cits_effect_end").any()
    analysed = dataclasses.replace(
        base, results=results, kpi_lines=pd.concat([d.lines for d in done], ignore_index=True),
        indicators_monthly=ind.monthly, pooled=pooled_results(results),
        pooled_inputs=pooled_inputs(results))
    out = tmp_path_factory.mktemp("controlled")
    build.write_processed(out, validated, analysed, build.Options(data_dir=SHIPPED),
                          code="test", run_date="2026-01-01T00:00:00+00:00")
    return out


@pytest.fixture(scope="module")
def uncontrolled(tmp_path_factory) -> Path:
    """The three-enterprise fixture, which has no comparison group."""
    out = tmp_path_factory.mktemp("uncontrolled")
    validated = build.validate_inputs(FIXTURE)
    build.write_processed(out, validated, build.analyse(validated.tables),
                          build.Options(data_dir=FIXTURE), code="test",
                          run_date="2026-01-01T00:00:00+00:00")
    return out


@pytest.fixture(scope="module")
def page(controlled) -> report.EnterpriseData:
    return report.load_enterprise(ENTERPRISE, processed_dir=str(controlled))


# --------------------------------------------------------------------------- loading


def test_the_page_reads_the_comparison_series_scaled_to_the_enterprise(page, controlled):
    from score_analysis.stats.cits_lines import comparison_lines

    assert page.controlled
    assert page.comparison_names == COMPARISON_NAMES
    monthly = pd.read_parquet(controlled / "indicators_monthly.parquet")
    ents = pd.read_parquet(controlled / "enterprises.parquet")
    own = page.comparison[page.comparison["indicator"] == "reject_rate"].reset_index(drop=True)
    expected = comparison_lines(monthly, ents, ENTERPRISE, "reject_rate", multiplier=100.0)
    pd.testing.assert_frame_equal(own.drop(columns="indicator"), expected)
    # scaled to the enterprise's level before the programme: the pooled rates agree there
    stacked = appendix.stacked_data(monthly, ents, ENTERPRISE, "reject_rate")
    before = stacked[stacked["post"] == 0]
    rate = {s: g["numerator"].sum() / g["exposure"].sum() for s, g in before.groupby("s")}
    assert np.nanmean(expected["comparison"] / expected["comparison_unscaled"]) == \
        pytest.approx(rate[1] / rate[0], rel=1e-12)


def test_comparison_enterprises_are_not_subjects_of_the_synthesis(controlled):
    syn = report.load_synthesis(processed_dir=str(controlled))
    assert not syn.enterprises["enterprise_id"].str.startswith("cmp_").any()
    assert list(syn.comparison_enterprises["name"]) == list(COMPARISON_NAMES)
    header = _text(report.synthesis_header(syn))
    assert "Comparison series" in header and all(n in header for n in COMPARISON_NAMES)
    assert "5 enterprises" in header


# --------------------------------------------------------------------------- charts


def test_kpi_figure_draws_the_comparison_series_dash_dot_in_its_own_colour():
    from score_analysis.report import charts
    from score_analysis.report.charts.base import COMPARISON_DASHES, PALETTE

    months = [f"2009-{m:02d}" for m in range(1, 13)] + [f"2010-{m:02d}" for m in range(1, 13)]
    lines = pd.DataFrame({"month": months, "observed": np.linspace(5, 3, 24),
                          "fitted": np.linspace(5, 3, 24),
                          "counterfactual": np.linspace(5, 4, 24)})
    comparison = pd.DataFrame({"month": months, "comparison": np.r_[np.nan, np.full(23, 5.0)]})
    fig = charts.kpi_figure(lines, title=None, unit=None, intervention_month="2010-01",
                            comparison=comparison)
    ax = fig.axes[0]
    drawn = [ln for ln in ax.get_lines() if ln.get_color() == PALETTE["comparison"]]
    assert len(drawn) == 1 and len(drawn[0].get_xdata()) == 23  # the blank month left out
    # dash-dot (a dash, a gap, a dot, a gap), open squares: apart from the dashed
    # counterfactual also without colour
    assert len(drawn[0]._unscaled_dash_pattern[1]) == 4
    assert drawn[0].get_marker() == "s" and drawn[0].get_markerfacecolor() == "white"
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels[-1] == ("Comparison enterprises, scaled to this enterprise's level before "
                          "the programme")
    # without comparison data the chart is the single-series one
    plain = charts.kpi_figure(lines, title=None, unit=None, intervention_month="2010-01")
    assert not [ln for ln in plain.axes[0].get_lines()
                if ln.get_color() == PALETTE["comparison"]]
    assert len(COMPARISON_DASHES[1]) == 4


@pytest.mark.parametrize(("language", "key", "line"), [
    ("en", "Comparison enterprises, scaled to this enterprise's level before the programme",
     "dash-dot line shows the comparison series of 3 enterprises"),
    ("id", "Perusahaan pembanding, diskalakan ke tingkat perusahaan ini sebelum program",
     "Garis titik-strip menunjukkan deret pembanding dari 3 perusahaan"),
])
def test_monthly_charts_show_the_comparison_series_in_the_key_and_alt_text(page, language,
                                                                            key, line):
    with use_language(language):
        html = report.kpi_charts(page)
    assert key in _text(html)
    alts = _alts(html)
    assert len(alts) >= 4
    assert sum(line in a for a in alts) == len(page.comparison["indicator"].unique())


def test_without_comparison_data_the_charts_say_none_was_available(uncontrolled):
    data = report.load_enterprise("tesena_inovindo", processed_dir=str(uncontrolled))
    assert not data.controlled and data.comparison.empty and data.comparison_names == ()
    with use_language("en"):
        text = _text(report.kpi_charts(data))
    assert "No comparison group was available" in text
    assert "in this enterprise or in every enterprise at once" in text
    assert "scaled to this enterprise's level" not in text  # no line, no key entry
    with use_language("id"):
        text = _text(report.kpi_charts(data))
    assert "Kelompok pembanding tidak tersedia" in text


# --------------------------------------------------------------------------- words


def test_the_controlled_estimate_leads_the_sentence_and_the_single_series_is_a_sensitivity(
        page):
    results = page.results
    row = results[(results["indicator"] == "reject_rate") & results["primary"]].iloc[0]
    assert row["method"] == "cits_effect_end"
    single = results[(results["indicator"] == "reject_rate")
                     & (results["method"] == "its_effect_end")].iloc[0]
    with use_language("en"):
        html = report.kpi_charts(page)
        summary = _text(report.executive_summary(page))
    panel = _text(html.split("data-indicator='reject_rate'")[1].split("data-indicator=")[0])
    change = report.signed_percent(row["estimate"])
    assert change.lstrip("−-+") in panel.split("How robust")[0]
    assert ("below where the trend before the programme and the comparison enterprises "
            "pointed") in panel
    assert "Primary: against the trend before and the comparison enterprises" in panel
    own = panel.split("Without the comparison group (the enterprise's own series only)")[1]
    assert own.split()[0] == report.signed_percent(single["estimate"])
    assert "at the last month vs. the trend before and the comparison enterprises" in summary
    with use_language("id"):
        panel = _text(report.kpi_charts(page))
    assert "Tanpa kelompok pembanding (hanya deret perusahaan itu sendiri)" in panel
    assert "perusahaan pembanding" in panel


@pytest.mark.parametrize(("language", "method_words", "risk_words"), [
    ("en", ("Comparison group: the monthly indicators are also modelled together",
            "It cannot rule out a change in one enterprise alone"),
     ("the comparison enterprises rule out changes that hit every enterprise in the same "
      "months", "a comparison group was available, but the controlled model could not be "
      "estimated")),
    ("id", ("Kelompok pembanding: indikator bulanan juga dimodelkan bersama",
            "tidak dapat menyingkirkan perubahan di satu perusahaan saja"),
     ("perusahaan pembanding menyingkirkan perubahan",
      "kelompok pembanding tersedia, tetapi model terkontrol tidak dapat diestimasi")),
])
def test_methods_and_risk_of_bias_say_what_the_comparison_group_rules_out(page, language,
                                                                         method_words,
                                                                         risk_words):
    from score_analysis.report.sections.methods import risk_rows

    with use_language(language):
        text = _text(report.methods_section(page))
        rows = risk_rows(page)
    assert all(w in text for w in method_words), text[:600]
    assert all(n in text for n in COMPARISON_NAMES)
    independent = rows[0][2]["text"]
    # tjokro's controlled model is estimable for some indicators only: the row says which
    assert risk_words[1] in independent
    from score_analysis.report.sections.methods import independence_reason

    with use_language(language):
        assert independence_reason(page.results, controlled=True).startswith(risk_words[0])


def test_without_comparison_data_methods_and_risk_of_bias_say_none_was_available(uncontrolled):
    from score_analysis.report.sections.methods import risk_rows

    data = report.load_enterprise("tesena_inovindo", processed_dir=str(uncontrolled))
    with use_language("en"):
        text = _text(report.methods_section(data))
        why = risk_rows(data)[0][2]["text"]
    assert "Comparison group: none was available" in text
    assert "no comparison group was available, so a change that hit every enterprise" in why
    with use_language("id"):
        why = risk_rows(data)[0][2]["text"]
    assert "kelompok pembanding tidak tersedia" in why


# --------------------------------------------------------------------------- synthesis


def test_the_synthesis_names_the_design_of_each_pooled_result(controlled, uncontrolled):
    syn = report.load_synthesis(processed_dir=str(controlled))
    pooled = syn.pooled
    prim = pooled[(pooled["domain"] == "kpi") & pooled["primary"].astype(bool)
                  & pooled["estimate"].notna()]
    assert set(prim["source_method"]) == {"cits_effect_end"}
    with use_language("en"):
        text = _text(report.forest_plots(syn))
    for name, k in zip(prim["indicator"], prim["k"], strict=True):
        label = report.indicator_label("kpi", name)
        assert f"{label}: across the {int(k)} enterprises, the estimated mean change at the " \
               "last " \
               "month against each enterprise's trend before the programme and the " \
               "comparison enterprises (the controlled design)" in text
    assert text.count("controlled design: against the comparison enterprises") == len(prim)
    assert "sensitivity: without the comparison group" in text
    with use_language("id"):
        text = _text(report.forest_plots(syn))
    assert "(desain terkontrol)" in text
    # without comparison data: the single series, and the page says so
    plain = report.load_synthesis(processed_dir=str(uncontrolled))
    with use_language("en"):
        text = _text(report.forest_plots(plain))
    assert "No comparison group was available" in text
    assert "controlled design" not in text


def test_indonesian_pages_with_a_comparison_group_leave_no_english_sentence(controlled, page):
    from test_reporting import ENGLISH, _data_text, _visible_text

    data_text = _data_text(controlled)
    with use_language("id"):
        for name in ("executive_summary", "kpi_charts", "methods_section"):
            text = _visible_text(getattr(report, name)(page), data_text)
            assert not ENGLISH.findall(text), (name, ENGLISH.findall(text), text[:400])
        syn = report.load_synthesis(processed_dir=str(controlled))
        for name in ("synthesis_header", "forest_plots", "synthesis_quality"):
            text = _visible_text(getattr(report, name)(syn), data_text)
            assert not ENGLISH.findall(text), (name, ENGLISH.findall(text), text[:400])


# --------------------------------------------------------------------------- appendix


def test_the_appendix_opens_up_the_controlled_model(controlled, page):
    monthly = pd.read_parquet(controlled / "indicators_monthly.parquet")
    ents = pd.read_parquet(controlled / "enterprises.parquet")
    assert appendix.comparison_members(monthly, ents, ENTERPRISE) == (
        "cmp_001", "cmp_002", "cmp_003")
    stacked = appendix.stacked_data(monthly, ents, ENTERPRISE, "reject_rate")
    counts = appendix.stacked_counts(stacked, multiplier=100.0)
    assert list(counts.columns) == list(appendix.STACKED_COUNT_COLUMNS)
    assert counts["months"].sum() == len(stacked)
    assert counts["numerator"].sum() == pytest.approx(stacked["numerator"].sum())
    row = page.results[(page.results["indicator"] == "reject_rate")
                       & (page.results["method"] == "cits_effect_end")].iloc[0]
    own = counts[counts["series"] == "enterprise"].set_index("period")
    assert own.loc["before", "months"] == row["n_pre"]
    assert own.loc["after", "rate"] == pytest.approx(row["post_value"], rel=1e-12)

    fit = appendix.controlled_fit(stacked, settings=page.settings)
    table = appendix.controlled_fit_table(fit, settings=page.settings).set_index("label")
    assert list(table.index) == ["s", "s:t", "s:post", "s:t_after", "cits_effect_end",
                                 "cits_level", "cits_slope"]
    for method in ("cits_effect_end", "cits_level", "cits_slope"):
        stored = page.results[(page.results["indicator"] == "reject_rate")
                              & (page.results["method"] == method)].iloc[0]
        got = table.loc[method]
        for column in ("estimate", "ci_low", "ci_high", "p_value", "se_model",
                       "se_newey_west"):
            assert got[column] == pytest.approx(stored[column], rel=1e-9), (method, column)
        assert got["se"] == max(got["se_model"], got["se_newey_west"])  # the plan's rule
    assert table.loc["cits_level", "coefficient"] == table.loc["s:post", "coefficient"]

    comp = appendix.comparison_table(monthly, ents, ENTERPRISE, "reject_rate",
                                     multiplier=100.0)
    drawn = page.comparison[page.comparison["indicator"] == "reject_rate"]
    np.testing.assert_allclose(comp["comparison"], drawn["comparison"], rtol=1e-12)
    assert (comp["n_members"] == 3).all()
    np.testing.assert_allclose(comp["comparison_unscaled"],
                               comp["comparison_numerator"] / comp["comparison_exposure"]
                               * 100.0, rtol=1e-12)


def test_appendix_tables_refuse_malformed_input():
    with pytest.raises(ValueError, match="multiplier"):
        appendix.stacked_counts(pd.DataFrame({"s": [1], "post": [0], "numerator": [1.0],
                                              "exposure": [1.0]}), multiplier=0)
    with pytest.raises(ValueError, match="lacks the column"):
        appendix.stacked_counts(pd.DataFrame({"s": [1]}))


def test_pages_with_a_comparison_group_load_no_statistics_library(controlled):
    """The comparison lines are chart data (stats.cits_lines): drawing them loads neither
    scipy nor statsmodels at page time."""
    import subprocess
    import sys

    code = ("import sys; from score_analysis import report; "
            f"d = report.load_enterprise({ENTERPRISE!r}, processed_dir={str(controlled)!r}); "
            "assert not d.comparison.empty; "
            "report.kpi_charts(d); report.methods_section(d); report.executive_summary(d); "
            f"s = report.load_synthesis(processed_dir={str(controlled)!r}); "
            "report.forest_plots(s); report.synthesis_header(s); "
            "print(','.join(m for m in ('statsmodels', 'scipy') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == ""
