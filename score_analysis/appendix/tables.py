"""What the reviewer's appendix shows, step by step (analysis plan version 2).

The appendix notebooks (``notebooks/enterprise_appendix.ipynb`` and
``notebooks/synthesis_appendix.ipynb``) recompute the analysis from ``data/raw`` with the
package's public functions and show every intermediate table.  The functions here return
those tables; they are pure (data in, new tidy frame out) and never write files.  The
figures drawn from them are in :mod:`score_analysis.appendix.figures`.

KPI model, as in ``docs/analysis_plan.md``:
``glm(numerator ~ t + post + t_after [+ eid] + offset(log(exposure)), family = quasipoisson)``,
dispersion :math:`\\phi = \\max(1, X^2/(n-p))`, and for every coefficient or linear
combination the larger of the model-based standard error and the Newey-West one
(``sandwich::NeweyWest(fit, lag = L, prewhite = FALSE, adjust = TRUE)``,
:math:`L = \\lfloor 4 (n/100)^{2/9} \\rfloor`).

References
----------
Lopez Bernal J, Cummins S, Gasparrini A (2017). Interrupted time series regression for the
evaluation of public health interventions: a tutorial. Int J Epidemiol 46(1):348-355.

Newey WK, West KD (1987). A simple, positive semi-definite, heteroskedasticity and
autocorrelation consistent covariance matrix. Econometrica 55(3):703-708.

Zeileis A (2004). Econometric computing with HC and HAC covariance matrix estimators.
J Stat Softw 11(10).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from ..data.contract import MIN_CELL, PILLARS, WAVES
from ..stats.models import MODEL_TERMS, harmonic_terms

#: Columns of :func:`combination_table`.
COMBINATION_COLUMNS = ("label", "coefficient", "se_model", "se_newey_west", "se_used", "se",
                       "estimate", "ci_low", "ci_high", "p_value")

#: Columns of :func:`fit_summary`.
FIT_SUMMARY_COLUMNS = ("n", "n_coefficients", "dispersion_raw", "dispersion", "newey_west_lag")

#: Columns of :func:`pearson_residuals`.
RESIDUAL_COLUMNS = ("month", "t", "fitted_count", "pearson_residual")

#: Columns of :func:`residual_autocorrelation`.
AUTOCORRELATION_COLUMNS = ("lag", "acf", "pacf", "bound")

#: Columns of :func:`counterfactual_lines`.
COUNTERFACTUAL_COLUMNS = ("month", "t", "post", "observed", "fitted", "counterfactual",
                          "counterfactual_low", "counterfactual_high")

#: Columns of :func:`five_s_heatmap`.
HEATMAP_COLUMNS = ("area", "pillar", "audit_date", "visit", "audit", "pct", "n_items")

#: Columns of :func:`answer_distribution`.
DISTRIBUTION_COLUMNS = ("construct", "item_id", "wave", "answer", "n", "percent", "status")

#: Columns of :func:`forest_rows`.
FOREST_COLUMNS = ("label", "kind", "estimate", "ci_low", "ci_high", "weight_percent")

#: The KPI methods of the sensitivity table (analysis plan version 3): the primary, its
#: sensitivity rows, the placebo and the naive step.
SENSITIVITY_METHODS = ("its_effect_end", "its_effect_end_harmonic", "its_effect_end_phase_in",
                       "its_effect_end_no_eid", "placebo_effect_end", "rate_ratio_step")

#: Columns of :func:`sensitivity_table`.
SENSITIVITY_COLUMNS = ("method", "status", "n_pre", "n_post", "estimate", "se", "ci_low",
                       "ci_high", "p_value", "note")

#: Key columns that identify one results row.
RESULT_KEY = ("enterprise_id", "domain", "indicator", "method")


# --------------------------------------------------------------------------- model data


def series_of(monthly: pd.DataFrame, enterprise_id: str, indicator: str) -> pd.DataFrame:
    """One enterprise's monthly indicator (``month``, ``numerator``, ``exposure``) from
    :func:`score_analysis.stats.indicators.monthly_indicators`, in month order.

    Raises
    ------
    ValueError
        When ``monthly`` has no row for the series.
    """
    _require(monthly, ("enterprise_id", "indicator", "month", "numerator", "exposure"),
             "monthly")
    own = monthly[(monthly["enterprise_id"] == enterprise_id)
                  & (monthly["indicator"] == indicator)]
    if own.empty:
        raise ValueError(f"no monthly {indicator!r} for enterprise {enterprise_id!r}")
    return own[["month", "numerator", "exposure"]].sort_values("month", ignore_index=True)


def model_terms(terms: str) -> tuple[list[str], bool]:
    """The model terms and the harmonic flag of a results row's ``terms`` text.

    ``"t + post + t_after + eid"`` gives ``(["t", "post", "t_after", "eid"], False)``;
    a ``harmonic`` part sets the flag.  The results row says which terms its model used
    (the eid term enters only with an Idul Fitri month and another month), so the
    appendix refits exactly that model.
    """
    if not isinstance(terms, str) or not terms.strip():
        raise ValueError(f"a results row's terms must be text like 't + post', got {terms!r}")
    parts = [p.strip() for p in terms.split("+")]
    unknown = [p for p in parts if p not in (*MODEL_TERMS, "harmonic")]
    if unknown:
        raise ValueError(f"unknown model term(s) {unknown} in {terms!r}")
    return [p for p in parts if p != "harmonic"], "harmonic" in parts


def model_formula(terms=("t", "post", "t_after"), *, harmonic: bool = False) -> str:
    """The R formula of a KPI model, e.g.
    ``numerator ~ t + post + t_after + eid + offset(log(exposure))``
    (fitted with ``glm(..., family = quasipoisson)``)."""
    parts = list(terms)
    if harmonic:
        parts += ["harmonic(calendar_month, 2, 12)"]
    if not parts:
        parts = ["1"]
    return "numerator ~ " + " + ".join([*parts, "offset(log(exposure))"])


def design_matrix(data: pd.DataFrame, names) -> pd.DataFrame:
    """The model matrix of a fit's coefficient ``names`` (``const``, model terms and the
    harmonic ``sin1, cos1, sin2, cos2`` of :func:`score_analysis.stats.models.harmonic_terms`)
    on the months of ``data`` (:func:`score_analysis.stats.models.model_data`)."""
    cols = {}
    harmonic = harmonic_terms(data["calendar_month"].to_numpy()) if any(
        n.startswith(("sin", "cos")) for n in names) else None
    for name in names:
        if name == "const":
            cols[name] = np.ones(len(data))
        elif name in data.columns:
            cols[name] = data[name].to_numpy(dtype=float)
        elif harmonic is not None and name in harmonic.columns:
            cols[name] = harmonic[name].to_numpy(dtype=float)
        else:
            raise ValueError(f"the model data lack the column {name!r}")
    return pd.DataFrame(cols, index=range(len(data)))


def fit_summary(fit) -> pd.DataFrame:
    """One row: months used, coefficients, raw and floored dispersion and the Newey-West
    lag of a :class:`score_analysis.stats.models.RateFit` (:data:`FIT_SUMMARY_COLUMNS`)."""
    return pd.DataFrame([{
        "n": fit.n, "n_coefficients": len(fit.names), "dispersion_raw": fit.raw_dispersion,
        "dispersion": fit.dispersion, "newey_west_lag": fit.lag,
    }], columns=list(FIT_SUMMARY_COLUMNS))


def combination_table(fit, combinations: dict[str, dict[str, float]], *,
                      alpha: float = 0.05) -> pd.DataFrame:
    r"""Named linear combinations :math:`c'\hat\beta` of a fit with both standard errors.

    For example ``{"its_effect_end": {"post": 1, "t_after": t_last - t0}}``.  The
    standard errors come from :meth:`score_analysis.stats.models.RateFit.combination`;
    ``se`` is the larger, ``se_used`` says which, and the estimate and Wald interval are
    exponentiated.  Columns :data:`COMBINATION_COLUMNS`.
    """
    _check_alpha(alpha)
    z = stats.norm.ppf(1 - alpha / 2)
    rows = []
    for label, weights in combinations.items():
        comb = fit.combination(weights)
        b, se = comb["coefficient"], comb["se"]
        rows.append({"label": label, "coefficient": b, "se_model": comb["se_model"],
                     "se_newey_west": comb["se_newey_west"],
                     "se_used": ("newey_west" if comb["se_newey_west"] > comb["se_model"]
                                 else "model"),
                     "se": se, "estimate": float(np.exp(b)), "ci_low": float(np.exp(b - z * se)),
                     "ci_high": float(np.exp(b + z * se)),
                     "p_value": float(2 * stats.norm.sf(abs(b / se)))})
    return pd.DataFrame(rows, columns=list(COMBINATION_COLUMNS))


def pearson_residuals(fit, data: pd.DataFrame) -> pd.DataFrame:
    r"""Pearson residuals :math:`(y_t - \hat\mu_t)/\sqrt{\hat\mu_t}` of a fit on the
    months of ``data``, in month order (:data:`RESIDUAL_COLUMNS`); R
    ``residuals(fit, type = "pearson")``."""
    if len(data) != len(fit.pearson):
        raise ValueError(f"the fit has {len(fit.pearson)} months, the data {len(data)}")
    return pd.DataFrame({
        "month": data["month"].to_numpy(), "t": data["t"].to_numpy(float),
        "fitted_count": np.asarray(fit.fitted, dtype=float),
        "pearson_residual": np.asarray(fit.pearson, dtype=float),
    }, columns=list(RESIDUAL_COLUMNS))


def residual_autocorrelation(residuals, *, nlags: int | None = None) -> pd.DataFrame:
    r"""Autocorrelation and partial autocorrelation of residuals, lags 1..``nlags``.

    ``acf`` as R's ``acf(e)`` (mean-centred, divided by n), ``pacf`` by the Yule-Walker
    equations as R's ``pacf(e)``; ``bound`` the approximate 95% limit
    :math:`1.96/\sqrt{n}` of white noise.  Default ``nlags = min(12, n // 2 - 1)``.
    Columns :data:`AUTOCORRELATION_COLUMNS`.
    """
    from statsmodels.tsa.stattools import acf, pacf

    e = np.asarray(residuals, dtype=float)
    n = len(e)
    if n < 4 or not np.all(np.isfinite(e)):
        raise ValueError(f"autocorrelation needs at least 4 finite residuals, got {n}")
    if nlags is None:
        nlags = min(12, n // 2 - 1)
    if not 1 <= nlags < n // 2:
        raise ValueError(f"nlags must lie between 1 and {n // 2 - 1} for {n} residuals")
    return pd.DataFrame({
        "lag": np.arange(1, nlags + 1),
        "acf": acf(e, nlags=nlags, fft=False)[1:],
        "pacf": pacf(e, nlags=nlags, method="ywm")[1:],
        "bound": 1.96 / np.sqrt(n),
    }, columns=list(AUTOCORRELATION_COLUMNS))


def counterfactual_lines(fit, data: pd.DataFrame, *, multiplier: float = 1.0,
                         alpha: float = 0.05) -> pd.DataFrame:
    r"""Observed, fitted and counterfactual rates with a band on the counterfactual.

    The counterfactual continues the pre-programme trend: the model's rate with ``post``
    and ``t_after`` set to 0 (eid and seasonal terms kept), as Lopez Bernal et al.
    (2017, Fig. 2).  Its band is :math:`\exp(x_0'\hat\beta \pm z\,\mathrm{se})` with
    :math:`x_0` the counterfactual row and :math:`\mathrm{se} = \max(\sqrt{x_0'V_{model}
    x_0}, \sqrt{x_0'V_{NW}x_0})`, the plan's rule for a linear combination.  ``fit`` is a
    :class:`score_analysis.stats.models.RateFit` of ``data``
    (:func:`score_analysis.stats.models.model_data`); rates are multiplied by ``multiplier``
    (the scale shown in reports).  Columns :data:`COUNTERFACTUAL_COLUMNS`.
    """
    _check_alpha(alpha)
    if len(data) != fit.n:
        raise ValueError(f"the fit has {fit.n} months, the data {len(data)}")
    X = design_matrix(data, fit.names).to_numpy(float)
    X0 = design_matrix(data.assign(post=0.0, t_after=0.0), fit.names).to_numpy(float)
    beta = np.asarray(fit.params, dtype=float)
    se = np.sqrt(np.maximum(np.einsum("ij,jk,ik->i", X0, fit.cov_model, X0),
                            np.einsum("ij,jk,ik->i", X0, fit.cov_newey_west, X0)))
    z = stats.norm.ppf(1 - alpha / 2)
    eta0 = X0 @ beta
    return pd.DataFrame({
        "month": data["month"].to_numpy(), "t": data["t"].to_numpy(float),
        "post": data["post"].to_numpy(float),
        "observed": (data["numerator"].to_numpy(float) / data["exposure"].to_numpy(float)
                     * multiplier),
        "fitted": np.exp(X @ beta) * multiplier,
        "counterfactual": np.exp(eta0) * multiplier,
        "counterfactual_low": np.exp(eta0 - z * se) * multiplier,
        "counterfactual_high": np.exp(eta0 + z * se) * multiplier,
    }, columns=list(COUNTERFACTUAL_COLUMNS))


def sensitivity_table(results: pd.DataFrame, enterprise_id: str, indicator: str) -> pd.DataFrame:
    """The ``its_effect_end`` row of one KPI and its sensitivity rows (analysis plan
    version 3), in :data:`SENSITIVITY_METHODS` order; columns :data:`SENSITIVITY_COLUMNS`
    (a column absent from ``results`` is left empty)."""
    _require(results, RESULT_KEY, "results")
    own = results[(results["enterprise_id"] == enterprise_id) & (results["domain"] == "kpi")
                  & (results["indicator"] == indicator)
                  & results["method"].isin(SENSITIVITY_METHODS)].copy()
    order = {m: i for i, m in enumerate(SENSITIVITY_METHODS)}
    own = own.sort_values("method", key=lambda s: s.map(order), ignore_index=True)
    for col in SENSITIVITY_COLUMNS:
        if col not in own:
            own[col] = np.nan
    return own[list(SENSITIVITY_COLUMNS)]


# --------------------------------------------------------------------------- 5S and survey


def five_s_heatmap(items: pd.DataFrame, enterprise_id: str) -> pd.DataFrame:
    """Mean item percentage by area and pillar in every audit of one enterprise.

    ``items`` is :func:`score_analysis.stats.indicators.five_s_items`.  ``audit`` labels the
    audit as ``YYYY-MM-DD (visit)``.  Pillars in 5S order.  Columns
    :data:`HEATMAP_COLUMNS`; empty when the enterprise has no audit.
    """
    _require(items, ("enterprise_id", "audit_date", "visit", "area", "pillar", "pct"), "items")
    own = items[items["enterprise_id"] == enterprise_id]
    if own.empty:
        return pd.DataFrame(columns=list(HEATMAP_COLUMNS))
    own = own.assign(visit=own["visit"].fillna("").astype(str),
                     audit_date=own["audit_date"].astype(str).str.slice(0, 10))
    out = (own.groupby(["area", "pillar", "audit_date", "visit"], sort=True)["pct"]
           .agg(pct="mean", n_items="count").reset_index())
    out["audit"] = np.where(out["visit"] != "", out["audit_date"] + " (" + out["visit"] + ")",
                            out["audit_date"])
    rank = {p: i for i, p in enumerate(PILLARS)}
    out = out.sort_values(["audit_date", "area", "pillar"],
                          key=lambda s: s.map(rank) if s.name == "pillar" else s,
                          ignore_index=True)
    return out[list(HEATMAP_COLUMNS)]


def answer_distribution(answers: pd.DataFrame, enterprise_id: str, *,
                        min_cell: int = MIN_CELL) -> pd.DataFrame:
    """How many respondents gave each answer to each item, per wave.

    ``answers`` is :func:`score_analysis.stats.indicators.survey_answers` (reverse-coded items
    already turned round, so a higher answer is always the favourable one).  ``percent``
    is of the item's answered questionnaires in that wave.  An item and wave answered by
    fewer than ``min_cell`` respondents is ``suppressed``: its counts are left empty, as
    in the reports.  Columns :data:`DISTRIBUTION_COLUMNS`.
    """
    _require(answers, ("enterprise_id", "wave", "item_id", "construct", "answer"), "answers")
    own = answers[(answers["enterprise_id"] == enterprise_id) & answers["answer"].notna()]
    if own.empty:
        return pd.DataFrame(columns=list(DISTRIBUTION_COLUMNS))
    counts = (own.groupby(["construct", "item_id", "wave", "answer"], sort=True).size()
              .rename("n").reset_index())
    total = counts.groupby(["construct", "item_id", "wave"])["n"].transform("sum")
    counts["percent"] = 100.0 * counts["n"] / total
    counts["status"] = np.where(total < min_cell, "suppressed", "ok")
    counts.loc[counts["status"] == "suppressed", ["n", "percent"]] = np.nan
    rank = {w: i for i, w in enumerate(WAVES)}
    counts = counts.sort_values(["construct", "item_id", "wave", "answer"],
                                key=lambda s: s.map(rank) if s.name == "wave" else s,
                                ignore_index=True)
    return counts[list(DISTRIBUTION_COLUMNS)]


# --------------------------------------------------------------------------- results check


def results_rows(results: pd.DataFrame, enterprise_id: str) -> pd.DataFrame:
    """One enterprise's results rows in a fixed order (by domain, indicator and method),
    index reset, columns as given: the form in which recomputed and stored rows are
    compared."""
    _require(results, RESULT_KEY, "results")
    own = results[results["enterprise_id"] == enterprise_id]
    return own.sort_values(list(RESULT_KEY), ignore_index=True, kind="stable")


def assert_same_results(recomputed: pd.DataFrame, stored: pd.DataFrame, enterprise_id: str, *,
                        rtol: float = 1e-9) -> None:
    """Fail when the recomputed rows of an enterprise differ from the stored ones.

    Both frames are reduced to the enterprise's rows (:func:`results_rows`) and to the
    columns of ``stored``; then ``pandas.testing.assert_frame_equal`` compares them
    value by value, numbers with relative tolerance ``rtol`` and no absolute tolerance
    (a p-value of 1e-12 must match as closely as an estimate of 1.2).  Types are not
    compared (a parquet file may store text as another string type).

    Raises
    ------
    AssertionError
        Naming the column and the differing values.
    """
    from pandas.testing import assert_frame_equal

    stored_rows = results_rows(stored, enterprise_id)
    missing = [c for c in stored_rows.columns if c not in recomputed.columns]
    if missing:
        raise AssertionError(f"the recomputed results lack the column(s) {missing}")
    mine = results_rows(recomputed[list(stored_rows.columns)], enterprise_id)
    if stored_rows.empty:
        raise AssertionError(f"the stored results have no row for {enterprise_id!r}")
    assert_frame_equal(_comparable(mine), _comparable(stored_rows), check_dtype=False,
                       check_exact=False, rtol=rtol, atol=0.0)


def _comparable(frame: pd.DataFrame) -> pd.DataFrame:
    """Text columns as plain objects with one missing marker, so that string types and
    ``None``/``NaN`` spellings of a blank do not count as differences."""
    out = frame.copy()
    for col in out.columns:
        if not pd.api.types.is_numeric_dtype(out[col]) or pd.api.types.is_bool_dtype(out[col]):
            values = out[col].astype(object)
            out[col] = values.where(pd.notna(values), None)
    return out


# --------------------------------------------------------------------------- synthesis


def pooled_inputs(inputs: pd.DataFrame, indicator: str, source_method: str) -> pd.DataFrame:
    """The rows of ``pooled_inputs`` (``reports/pooled_inputs.csv``) entering one pooling,
    with the within-enterprise standard error ``sqrt(vi)``, ordered by enterprise."""
    _require(inputs, ("indicator", "source_method", "enterprise_id", "yi", "vi"), "inputs")
    own = inputs[(inputs["indicator"] == indicator) & (inputs["source_method"] == source_method)]
    own = own.sort_values("enterprise_id", ignore_index=True)
    return own.assign(sei=np.sqrt(own["vi"].astype(float)))


def forest_rows(inputs: pd.DataFrame, pooled_row: pd.Series, *, ratio: bool,
                alpha: float = 0.05) -> pd.DataFrame:
    r"""The rows of a forest plot: each enterprise with its Wald interval
    :math:`y_i \pm z_{1-\alpha/2}\sqrt{v_i}`, the pooled estimate with its interval
    (``kind = pooled``) and the prediction interval (``kind = prediction``), all
    exponentiated when ``ratio`` (KPI rate ratios).  ``inputs`` is :func:`pooled_inputs`,
    ``pooled_row`` the matching row of ``pooled`` (already on the reported scale).
    Columns :data:`FOREST_COLUMNS`."""
    _check_alpha(alpha)
    z = stats.norm.ppf(1 - alpha / 2)
    y = inputs["yi"].to_numpy(float)
    se = np.sqrt(inputs["vi"].to_numpy(float))
    back = np.exp if ratio else (lambda x: x)
    studies = pd.DataFrame({
        "label": inputs["enterprise_id"].astype(str).to_numpy(), "kind": "enterprise",
        "estimate": back(y), "ci_low": back(y - z * se), "ci_high": back(y + z * se),
        "weight_percent": (inputs["weight_percent"].to_numpy(float)
                           if "weight_percent" in inputs else np.nan),
    })
    summary = pd.DataFrame([
        {"label": "pooled", "kind": "pooled", "estimate": float(pooled_row["estimate"]),
         "ci_low": float(pooled_row["ci_low"]), "ci_high": float(pooled_row["ci_high"]),
         "weight_percent": 100.0},
        {"label": "prediction interval", "kind": "prediction",
         "estimate": float(pooled_row["estimate"]), "ci_low": float(pooled_row["pi_low"]),
         "ci_high": float(pooled_row["pi_high"]), "weight_percent": np.nan},
    ])
    return pd.concat([studies, summary], ignore_index=True)[list(FOREST_COLUMNS)]


def leave_one_out_table(inputs: pd.DataFrame, *, ratio: bool,
                        alpha: float = 0.05) -> pd.DataFrame:
    """:func:`score_analysis.stats.pooling.leave_one_out` on the rows of :func:`pooled_inputs`,
    labelled by the enterprise left out; with ``ratio`` (KPI rate ratios, pooled on the
    log scale) the estimate and both intervals are exponentiated back to rate ratios.
    R: ``metafor::leave1out(rma(yi, vi, method = "REML", test = "adhoc"))``."""
    from ..stats.pooling import leave_one_out

    out = leave_one_out(inputs["yi"].to_numpy(float), inputs["vi"].to_numpy(float),
                        inputs["enterprise_id"].astype(str).tolist(), alpha=alpha)
    if ratio:
        for col in ("estimate", "ci_low", "ci_high", "pi_low", "pi_high"):
            out[col] = np.exp(out[col])
    return out


# --------------------------------------------------------------------------- helpers


def _require(frame: pd.DataFrame, columns, name: str) -> None:
    if not isinstance(frame, pd.DataFrame):
        raise ValueError(f"{name} must be a pandas DataFrame, got {type(frame).__name__}")
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"{name} lacks the column(s) {missing}")


def _check_alpha(alpha: float) -> None:
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must lie between 0 and 1, got {alpha}")
