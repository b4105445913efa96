"""The reviewer's appendix: its tables, the check of recomputed against stored results, the
leave-one-out pinned to R, the risk-of-bias answers, and (slow, browser) the appendix
notebooks executed by the pipeline and their pages opened in Chromium."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import reference_values as R

from score_analysis import appendix
from score_analysis.appendix.page import appendix_html, appendix_path
from score_analysis.stats import models

DATA = Path(__file__).parent / "data"
REPO_NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"


def close(a, b, rtol=1e-6):
    return np.allclose(np.asarray(a, dtype=float), np.asarray(b, dtype=float), rtol=rtol,
                       atol=0)


# --------------------------------------------------------------------------- KPI model steps


@pytest.fixture(scope="module")
def sicily_fit():
    """Lopez Bernal et al. (2017): acute coronary events in Sicily, smoking ban 2005-01."""
    raw = pd.read_csv(DATA / "sicily.csv")
    series = pd.DataFrame({
        "month": [f"{y:04d}-{m:02d}" for y, m in zip(raw["year"], raw["month"], strict=True)],
        "numerator": raw["aces"], "exposure": raw["stdpop"], "eid": 0})
    data = models.model_data(series, "2005-01")
    return data, models.fit_rate_model(data, ["t", "post", "t_after"])


def test_model_data_has_the_columns_of_the_plan(sicily_fit):
    data, _ = sicily_fit
    shown = data[["month", "t", "post", "t_after", "eid", "exposure", "numerator"]]
    assert len(shown) == 59
    assert shown["t"].tolist()[:3] == [0.0, 1.0, 2.0]
    assert shown["post"].sum() == 23 and shown.loc[36, "t_after"] == 0.0
    assert shown["t_after"].iloc[-1] == 22.0


def test_combinations_show_both_standard_errors_and_use_the_larger(sicily_fit):
    _, fit = sicily_fit
    table = appendix.combination_table(fit, {"its_level": {"post": 1.0},
                                             "its_effect_end": {"post": 1.0, "t_after": 22.0}})
    assert list(table.columns) == list(appendix.COMBINATION_COLUMNS)
    level, end = table.iloc[0], table.iloc[1]
    # tests/reference_values.py, with the R calls (plan v2, Sicily):
    # R> its <- glm(aces ~ t + post + t_after + offset(log(stdpop)), quasipoisson)
    # R> v2(its, c(post = 1)); v2(its, c(post = 1, t_after = 22))
    for row, ref in ((level, R.SICILY_V2_LEVEL), (end, R.SICILY_V2_EFFECT_END)):
        for col in ("estimate", "ci_low", "ci_high", "p_value", "se", "se_model",
                    "se_newey_west"):
            assert close(row[col], ref[col], rtol=1e-6), (row["label"], col)
    assert (table["se_used"] == "model").all()
    assert close(table["se"], table[["se_model", "se_newey_west"]].max(axis=1), rtol=0)


def test_fit_summary_reports_raw_and_floored_dispersion(sicily_fit):
    _, fit = sicily_fit
    row = appendix.fit_summary(fit).iloc[0]
    assert row["n"] == 59 and row["newey_west_lag"] == 3 and row["n_coefficients"] == 4
    assert close(row["dispersion_raw"], 3.6213771121590002)
    assert row["dispersion"] == max(1.0, row["dispersion_raw"])


def test_residual_autocorrelation_matches_r(sicily_fit):
    data, fit = sicily_fit
    residuals = appendix.pearson_residuals(fit, data)
    table = appendix.residual_autocorrelation(residuals["pearson_residual"], nlags=3)
    # R> e <- residuals(fit, type = "pearson")
    # R> acf(e, lag.max = 3, plot = FALSE)$acf[2:4]; pacf(e, lag.max = 3, plot = FALSE)$acf
    assert close(table["acf"], [0.2050519241, 0.3384202751, -0.0785734956], rtol=1e-8)
    assert close(table["pacf"], [0.2050519241, 0.3093823647, -0.2192613034], rtol=1e-8)
    assert close(table["bound"], 1.96 / np.sqrt(59))
    with pytest.raises(ValueError, match="nlags"):
        appendix.residual_autocorrelation(residuals["pearson_residual"], nlags=40)


def test_counterfactual_band_matches_r(sicily_fit):
    data, fit = sicily_fit
    lines = appendix.counterfactual_lines(fit, data)
    assert list(lines.columns) == list(appendix.COUNTERFACTUAL_COLUMNS)
    last = lines.iloc[-1]
    # R> x0 <- c(1, 58, 0, 0); V <- vcov(fit) * max(1, phi) / phi
    # R> N <- NeweyWest(fit, lag = 3, prewhite = FALSE, adjust = TRUE)
    # R> se <- max(sqrt(t(x0) %*% V %*% x0), sqrt(t(x0) %*% N %*% x0))
    # R> exp(sum(x0 * coef(fit)) + c(-1, 1) * qnorm(0.975) * se)
    assert close([last["counterfactual_low"], last["counterfactual_high"]],
                 [2.3774922981e-03, 2.8277547338e-03], rtol=1e-6)
    before = lines[lines["post"] == 0]
    assert close(before["fitted"], before["counterfactual"], rtol=1e-12)
    assert (lines["counterfactual_low"] < lines["counterfactual"]).all()
    assert (lines["counterfactual"] < lines["counterfactual_high"]).all()


def test_model_terms_and_formula():
    assert appendix.model_terms("t + post + t_after + eid") == (
        ["t", "post", "t_after", "eid"], False)
    assert appendix.model_terms("t + post + t_after + harmonic") == (
        ["t", "post", "t_after"], True)
    assert appendix.model_formula(["t", "post"]) == "numerator ~ t + post + offset(log(exposure))"
    for bad in ("", "t + bogus", None):
        with pytest.raises(ValueError):
            appendix.model_terms(bad)


# --------------------------------------------------------------------------- 5S and survey


def test_five_s_heatmap_averages_items_per_area_and_pillar():
    items = pd.DataFrame({
        "enterprise_id": "e", "audit_date": ["2010-03-01"] * 3 + ["2010-10-01"] * 3,
        "visit": ["baseline"] * 3 + ["visit_1"] * 3, "area": "press",
        "pillar": ["sort", "sort", "shine"] * 2, "item": ["a", "b", "c"] * 2,
        "pct": [0.0, 50.0, 25.0, 100.0, 50.0, 75.0]})
    table = appendix.five_s_heatmap(items, "e")
    assert list(table.columns) == list(appendix.HEATMAP_COLUMNS)
    sort_base = table[(table["pillar"] == "sort") & (table["visit"] == "baseline")].iloc[0]
    assert sort_base["pct"] == 25.0 and sort_base["n_items"] == 2
    assert sort_base["audit"] == "2010-03-01 (baseline)"
    assert table["pillar"].tolist()[:2] == ["sort", "shine"]  # 5S order, not alphabetical
    assert appendix.five_s_heatmap(items, "other").empty


def test_answer_distribution_suppresses_small_groups():
    rows = [("c", "q1", "baseline", a) for a in (1, 2, 2, 3, 4, 5)]
    rows += [("c", "q1", "followup", a) for a in (4, 5, 5)]
    answers = pd.DataFrame(rows, columns=["construct", "item_id", "wave", "answer"]).assign(
        enterprise_id="e")
    table = appendix.answer_distribution(answers, "e")
    base = table[table["wave"] == "baseline"]
    assert base["n"].sum() == 6 and close(base["percent"].sum(), 100.0)
    assert base.loc[base["answer"] == 2, "n"].item() == 2
    follow = table[table["wave"] == "followup"]
    assert (follow["status"] == "suppressed").all() and follow["n"].isna().all()


# --------------------------------------------------------------------------- results check


def _results() -> pd.DataFrame:
    return pd.DataFrame({
        "enterprise_id": ["e", "e", "f"], "domain": "kpi",
        "indicator": ["reject_rate", "absenteeism_rate", "reject_rate"],
        "method": "its_level", "status": "ok", "estimate": [0.8, 1.2345678901, 0.9],
        "p_value": [1e-12, 0.2, 0.3], "note": ["", None, ""],
        "primary": [True, True, True]})


def test_same_results_pass_in_any_order_and_string_type():
    stored = _results()
    recomputed = stored.iloc[[1, 0]].astype({"note": "string"}).reset_index(drop=True)
    recomputed = recomputed[stored.columns[::-1]]  # column order does not matter
    appendix.assert_same_results(recomputed, stored, "e")


@pytest.mark.parametrize("change", [
    ("estimate", 1, 1.2345678901 * (1 + 1e-8)),   # beyond rtol 1e-9
    ("p_value", 0, 2e-12),                         # tiny numbers are not absolutely close
    ("status", 0, "insufficient_data"),
    ("note", 1, "a note"),
])
def test_assertion_fails_when_a_value_differs(change):
    col, row, value = change
    stored = _results()
    recomputed = stored.copy()
    recomputed.loc[row, col] = value
    with pytest.raises(AssertionError):
        appendix.assert_same_results(recomputed, stored, "e")


def test_assertion_fails_on_a_missing_row_or_column():
    stored = _results()
    with pytest.raises(AssertionError):
        appendix.assert_same_results(stored.drop(index=1), stored, "e")
    with pytest.raises(AssertionError, match="lack the column"):
        appendix.assert_same_results(stored.drop(columns=["note"]), stored, "e")
    with pytest.raises(AssertionError, match="no row"):
        appendix.assert_same_results(stored, stored, "nobody")


# --------------------------------------------------------------------------- synthesis

KACKER_Y = [61.0, 61.4, 62.21, 62.3, 62.34, 62.6, 62.7, 62.84, 65.9]
KACKER_V = [0.2025, 1.21, 0.09, 0.2025, 0.3844, 0.5625, 0.0676, 0.0225, 1.8225]

# R (metafor 3.8-1), REML iterated to convergence as in tests/r/reference.R:
# R> ctl <- list(threshold = 1e-12, maxiter = 1000)
# R> res <- rma(y, v, method = "REML", test = "adhoc", control = ctl); l <- leave1out(res)
# R> for (i in seq_along(y)) { r <- rma(y[-i], v[-i], method = "REML", test = "adhoc",
# R>   control = ctl); p <- predict(r)
# R>   print(c(r$b, r$ci.lb, r$ci.ub, r$tau2, r$I2, r$QE, p$pi.lb, p$pi.ub)) }
# R> l$pval   # (the refits' estimates equal leave1out(res)$estimate: all.equal is TRUE)
# columns: estimate, ci_low, ci_high, tau2, i2, q, pi_low, pi_high
KACKER_LEAVE1OUT = [
    (62.6255062661, 62.2131943052, 63.0378182269, 0.0306947124371, 18.5702172582,
     11.6664888138, 62.0410158581, 63.209996674),
    (62.4330788994, 61.686981319, 63.1791764798, 0.309879691463, 71.7040205958, 23.6332857975,
     60.9200231389, 63.9461346599),
    (62.4258247487, 61.5689757277, 63.2826737696, 0.429830032679, 73.3242745654,
     23.0228160984, 60.65450816, 64.1971413373),
    (62.4053858156, 61.5649197569, 63.2458518743, 0.412005579663, 75.3759466959,
     24.381118123, 60.670424459, 64.1403471722),
    (62.3965759801, 61.5790558502, 63.2140961101, 0.382368463021, 75.0089168859,
     24.6429733218, 60.7213648043, 64.071787156),
    (62.3733477209, 61.5740713986, 63.1726240432, 0.358768761685, 74.163239055, 24.801397339,
     60.7470391829, 63.999656259),
    (62.3320991075, 61.4886722752, 63.1755259399, 0.395319506498, 69.7688041739,
     24.5589746256, 60.6227784159, 64.0414197991),
    (62.2844921578, 61.4738994685, 63.0950848471, 0.31477113379, 58.8904332099, 18.7440073243,
     60.729793831, 63.8391904847),
    (62.2997336644, 61.7494168659, 62.8500504629, 0.233702482704, 65.7918229234,
     18.7275472555, 61.0310399175, 63.5684274113),
]
KACKER_LEAVE1OUT_P = [3.42522964504e-16, 2.22261802713e-14, 5.86005504256e-14,
                      5.13121484684e-14, 4.23168922373e-14, 3.62282826594e-14,
                      5.30249396988e-14, 4.03750471525e-14, 2.68036726563e-15]

# A small case with tau² = 0 in some refits (the interval then equals the standard one),
# with the same R calls on
# R> y <- c(0.10, -0.05, 0.30, 0.02, 0.18); v <- c(0.010, 0.020, 0.015, 0.030, 0.012)
SMALL_Y = [0.10, -0.05, 0.30, 0.02, 0.18]
SMALL_V = [0.010, 0.020, 0.015, 0.030, 0.012]
SMALL_LEAVE1OUT = [
    (0.134567152803, -0.114490193333, 0.383624498939, 0.00683885198064, 27.8167986483,
     4.12392857143, -0.227776898686, 0.496911204292),
    (0.161176470588, -0.0278890128017, 0.350241953978, 0.0, 0.0, 2.35294117647,
     -0.0278890128017, 0.350241953978),
    (0.086875, -0.108009239544, 0.281759239544, 0.0, 0.0, 1.82572916667, -0.108009239544,
     0.281759239544),
    (0.141424647767, -0.0672320591182, 0.350081354652, 0.000957428237701, 6.57083619653,
     3.80416666667, -0.0893012079959, 0.37215050353),
    (0.108892747441, -0.128633093941, 0.346418588823, 0.00563237239914, 25.0245666142,
     3.96488888889, -0.227949935357, 0.445735430239),
]
SMALL_LEAVE1OUT_P = [0.18401447391, 0.0729790096494, 0.251041016227, 0.119911939019,
                     0.240664328619]


def _inputs(y, v) -> pd.DataFrame:
    return pd.DataFrame({"domain": "survey", "indicator": "x", "source_method": "welch_t",
                         "enterprise_id": [f"e{i + 1}" for i in range(len(y))], "yi": y,
                         "vi": v, "weight_percent": 100.0 / len(y)})


@pytest.mark.parametrize("y, v, ref, ref_p", [
    (KACKER_Y, KACKER_V, KACKER_LEAVE1OUT, KACKER_LEAVE1OUT_P),
    (SMALL_Y, SMALL_V, SMALL_LEAVE1OUT, SMALL_LEAVE1OUT_P),
])
def test_leave_one_out_matches_metafor(y, v, ref, ref_p):
    studies = appendix.pooled_inputs(_inputs(y, v), "x", "welch_t")
    table = appendix.leave_one_out_table(studies, ratio=False)
    assert table["left_out"].tolist() == studies["enterprise_id"].tolist()
    want = pd.DataFrame(ref, columns=["estimate", "ci_low", "ci_high", "tau2", "i2", "q",
                                      "pi_low", "pi_high"])
    # metafor's leave1out() gives the prediction interval on k - 1 df; plan version 3 uses
    # k - 2 (test_pooling pins each refit's k - 2 interval to R)
    for col in want.columns.drop(["pi_low", "pi_high"]):
        got, exp = table[col].to_numpy(float), want[col].to_numpy(float)
        tiny = np.abs(exp) < 1e-9  # tau² and I² are 0 in R: 0 up to the REML tolerance
        assert np.all(np.abs(got[tiny]) < 1e-8), col
        assert close(got[~tiny], exp[~tiny], rtol=1e-8), (col, got, exp)
    assert close(table["p_value"], ref_p, rtol=1e-8)


def test_leave_one_out_of_rate_ratios_is_exponentiated():
    studies = appendix.pooled_inputs(_inputs(SMALL_Y, SMALL_V), "x", "welch_t")
    logs = appendix.leave_one_out_table(studies, ratio=False)
    ratios = appendix.leave_one_out_table(studies, ratio=True)
    for col in ("estimate", "ci_low", "ci_high", "pi_low", "pi_high"):
        assert close(ratios[col], np.exp(logs[col]), rtol=1e-12)
    for col in ("tau2", "i2", "q", "p_value"):
        assert close(ratios[col], logs[col], rtol=1e-12)


def test_forest_rows_end_with_the_pooled_estimate_and_prediction_interval():
    studies = appendix.pooled_inputs(_inputs(SMALL_Y, SMALL_V), "x", "welch_t")
    pooled = pd.Series({"estimate": 0.13, "ci_low": -0.03, "ci_high": 0.29, "pi_low": -0.04,
                        "pi_high": 0.3})
    rows = appendix.forest_rows(studies, pooled, ratio=False)
    assert rows["kind"].tolist() == ["enterprise"] * 5 + ["pooled", "prediction"]
    assert close(rows.loc[0, ["ci_low", "ci_high"]],
                 [0.10 - 1.959963984540054 * 0.1, 0.10 + 1.959963984540054 * 0.1], rtol=1e-12)
    assert rows.iloc[-1]["ci_low"] == -0.04 and rows.iloc[-1]["ci_high"] == 0.3


# --------------------------------------------------------------------------- the page


def test_appendix_page_shows_code_escapes_text_and_forbids_scripts(tmp_path):
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook, new_output

    nb = new_notebook(cells=[new_code_cell("x = 1 + 1  # <b>bold</b>", outputs=[
        new_output("execute_result", {"text/plain": "2"}, execution_count=1)])])
    path = tmp_path / "nb.ipynb"
    nbformat.write(nb, path)
    html = appendix_html(str(path), "PT <script>alert(1)</script>", report_href="../r.html")
    assert "<script" not in html
    assert "PT &lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "default-src &#39;none&#39;" in html or "default-src 'none'" in html
    assert ("jp-InputArea" in html or "input_area" in html)
    assert "&lt;b&gt;bold&lt;/b&gt;" in html
    assert appendix_path("e1") == "appendix/e1.html"
    assert appendix_path(None) == "appendix/synthesis.html"


# --------------------------------------------------------------------------- end to end


@pytest.fixture(scope="module")
def appendix_run(tmp_path_factory):
    """The three-enterprise browser fixture built by the pipeline with the appendices."""
    from score_analysis import build

    root = tmp_path_factory.mktemp("appendix_run")
    shutil.copytree(DATA / "reports", root / "raw")
    options = build.Options(data_dir=root / "raw", reports_dir=root / "reports",
                               processed_dir=root / "processed", jobs=2, progress=False,
                               appendices=True)
    summary = build.run(options, echo=lambda _: None)
    manifest = json.loads((root / "reports" / "manifest.json").read_text(encoding="utf-8"))
    return root, options, summary, manifest


@pytest.mark.slow
def test_pipeline_builds_every_appendix_with_its_check_passing(appendix_run):
    root, _, summary, manifest = appendix_run
    entries = manifest["appendices"]
    errors = {k: e["error"] for k, e in entries.items() if e["status"] != "ok"}
    assert summary.failed == 0 and not errors, errors
    ids = set(manifest["reports"])
    assert set(entries) == ids | {"synthesis"}
    for key, entry in entries.items():
        assert entry["path"] == appendix_path(None if key == "synthesis" else key)
        page = root / "reports" / entry["path"]
        assert page.exists()
        executed = json.loads((root / "reports" / entry["notebook"]).read_text())
        if key != "synthesis":
            last = "".join(executed["cells"][-1]["outputs"][0]["text"])
            assert "equal the stored ones" in last, key


@pytest.mark.slow
def test_appendices_are_rebuilt_only_when_their_inputs_change(appendix_run):
    from score_analysis import build

    root, options, _, manifest = appendix_run
    again = build.run(options, echo=lambda _: None)
    assert again.nothing_changed
    page = root / "reports" / manifest["appendices"]["tesena_inovindo"]["path"]
    page.unlink()
    build.run(options, echo=lambda _: None)
    after = json.loads((root / "reports" / "manifest.json").read_text(encoding="utf-8"))
    rebuilt = {k for k, e in after["appendices"].items()
               if e["built"] != manifest["appendices"][k]["built"]}
    assert rebuilt == {"tesena_inovindo"} and page.exists()


@pytest.mark.slow
def test_the_check_cell_fails_when_the_stored_results_differ(appendix_run, tmp_path):
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    root, options, _, _ = appendix_run
    processed = tmp_path / "processed"
    shutil.copytree(options.processed_dir, processed)
    results = pd.read_parquet(processed / "results.parquet")
    own = (results["enterprise_id"] == "tesena_inovindo") & results["estimate"].notna()
    results.loc[results.index[own][0], "estimate"] *= 1 + 1e-7
    results.to_parquet(processed / "results.parquet")
    with pytest.raises(PapermillExecutionError) as failed:
        pm.execute_notebook(str(REPO_NOTEBOOKS / "enterprise_appendix.ipynb"),
                            str(tmp_path / "out.ipynb"), kernel_name="python3",
                            progress_bar=False, cwd=str(REPO_NOTEBOOKS),
                            parameters={"enterprise_id": "tesena_inovindo",
                                        "data_dir": str(options.data_dir),
                                        "processed_dir": str(processed)})
    assert failed.value.ename == "AssertionError"
    assert "estimate" in failed.value.evalue


@pytest.mark.browser
def test_appendix_pages_open_offline_with_code_and_figures(appendix_run):
    from test_browser import _chromium, _opened  # noqa: I001  (the browser helpers)

    exe = _chromium()
    if exe is None:
        pytest.fail("Chromium is needed for the browser tests: run `make browser-deps`")
    from playwright.sync_api import sync_playwright

    root, _, _, manifest = appendix_run
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=exe, args=["--no-sandbox"])
        try:
            for entry in manifest["appendices"].values():
                path = root / "reports" / entry["path"]
                with _opened(browser, path) as (page, events, url):
                    assert events["console"] == [] and events["errors"] == [], events
                    assert events["requests"] == [url], events["requests"]
                    images = page.evaluate("Array.from(document.images).map("
                                           "i => [i.complete, i.naturalWidth])")
                    assert len(images) >= 1, path.name
                    assert all(done and width > 0 for done, width in images), path.name
                    code = page.locator(".jp-InputArea pre, .input_area pre")
                    assert code.count() >= 3, path.name
                    assert code.first.is_visible(), path.name
                    assert any("import" in code.nth(i).inner_text()
                               for i in range(code.count())), path.name
                    assert page.locator("table").count() >= 1, path.name
                    assert page.locator("script").count() == 0, path.name
        finally:
            browser.close()
