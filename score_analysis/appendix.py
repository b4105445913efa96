"""What the reviewer's appendix shows, step by step (analysis plan version 2).

The appendix notebooks (``notebooks/enterprise_appendix.ipynb`` and
``notebooks/synthesis_appendix.ipynb``) recompute the analysis from ``data/raw`` with the
package's public functions and show every intermediate table.  The functions here return
those tables; they are pure (data in, new tidy frame out) and never write files.  The
figures drawn from them are in :mod:`score_analysis.appendix_figures`.

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

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from .contract import MIN_CELL, PILLARS, WAVES
from .models import harmonic_terms, newey_west_lag

#: Columns of :func:`model_data`: what a KPI model sees, one row per usable month.
MODEL_DATA_COLUMNS = ("month", "t", "post", "t_after", "eid", "calendar_month", "numerator",
                      "exposure", "rate")

#: Columns of :func:`coefficient_table`.
COEFFICIENT_COLUMNS = ("term", "coef", "se_model", "se_newey_west", "se_used", "se",
                       "estimate", "ci_low", "ci_high", "p_value")

#: Columns of :func:`linear_combination`.
COMBINATION_COLUMNS = ("label", "coef", "se_model", "se_newey_west", "se_used", "se",
                       "estimate", "ci_low", "ci_high", "p_value")

#: Columns of :func:`fit_summary`.
FIT_SUMMARY_COLUMNS = ("n", "n_coefficients", "pearson_chi2", "df_resid", "dispersion_raw",
                       "dispersion", "newey_west_lag")

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

#: The KPI methods of the sensitivity table (analysis plan version 2).
SENSITIVITY_METHODS = ("its_level", "its_level_harmonic", "its_level_phase_in",
                       "its_level_no_eid", "placebo_level", "rate_ratio_step")

#: Columns of :func:`sensitivity_table`.
SENSITIVITY_COLUMNS = ("method", "status", "n_pre", "n_post", "estimate", "se", "ci_low",
                       "ci_high", "p_value", "note")

#: Key columns that identify one results row.
RESULT_KEY = ("enterprise_id", "domain", "indicator", "method")


# --------------------------------------------------------------------------- model data


def model_data(monthly: pd.DataFrame, enterprise_id: str, indicator: str) -> pd.DataFrame:
    """The data of one KPI model: one row per usable month of one enterprise's indicator.

    Parameters
    ----------
    monthly
        :func:`score_analysis.indicators.monthly_indicators`.
    enterprise_id, indicator
        Which series.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`MODEL_DATA_COLUMNS`, in month order: ``t`` months since the
        enterprise's first month, ``post = 1`` from the intervention month on,
        ``t_after = max(0, t - t0)``, ``eid = 1`` in the month of Idul Fitri, ``rate =
        numerator / exposure``.  Months without a numerator or a non-zero exposure are
        not in ``monthly`` (``docs/analysis_plan.md``).

    Raises
    ------
    ValueError
        When ``monthly`` has no row for the series.
    """
    _require(monthly, ("enterprise_id", "indicator", *MODEL_DATA_COLUMNS), "monthly")
    own = monthly[(monthly["enterprise_id"] == enterprise_id)
                  & (monthly["indicator"] == indicator)]
    if own.empty:
        raise ValueError(f"no monthly {indicator!r} for enterprise {enterprise_id!r}")
    out = own[list(MODEL_DATA_COLUMNS)].sort_values("month", ignore_index=True)
    return out.astype({c: float for c in ("t", "post", "t_after", "eid", "numerator",
                                           "exposure", "rate")})


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


# --------------------------------------------------------------------------- fits


@dataclass(frozen=True)
class RateFit:
    """One quasi-Poisson rate model fitted as the analysis plan says.

    ``poisson`` is the statsmodels GLM fit with scale 1 (its covariance times
    ``dispersion`` is the model-based covariance); ``newey_west`` the same model with the
    Newey-West covariance (lag ``lag``, small-sample factor ``n/(n-p)``).
    """

    data: pd.DataFrame
    design: pd.DataFrame
    poisson: object
    newey_west: object
    dispersion_raw: float
    dispersion: float
    lag: int

    @property
    def cov_model(self) -> pd.DataFrame:
        """Model-based covariance :math:`\\phi (X'WX)^{-1}`."""
        return self.poisson.cov_params() * self.dispersion

    @property
    def cov_newey_west(self) -> pd.DataFrame:
        """Newey-West covariance, as ``sandwich::NeweyWest(prewhite = FALSE, adjust = TRUE)``."""
        return self.newey_west.cov_params()


def design_matrix(data: pd.DataFrame, terms=("t", "post", "t_after"), *,
                  harmonic: bool = False) -> pd.DataFrame:
    """The model matrix: an intercept ``const``, the ``terms`` columns of ``data`` and,
    with ``harmonic``, ``sin1, cos1, sin2, cos2`` of the calendar month
    (:func:`score_analysis.models.harmonic_terms`)."""
    missing = [t for t in terms if t not in data.columns]
    if missing:
        raise ValueError(f"the model data lack the column(s) {missing}")
    X = pd.DataFrame({"const": np.ones(len(data))})
    for term in terms:
        X[term] = data[term].to_numpy(dtype=float)
    if harmonic:
        X = pd.concat([X, harmonic_terms(data["calendar_month"].to_numpy())], axis=1)
    return X


def fit_rate_model(data: pd.DataFrame, terms=("t", "post", "t_after"), *,
                   harmonic: bool = False) -> RateFit:
    r"""Fit ``glm(numerator ~ terms + offset(log(exposure)), family = quasipoisson)``.

    Parameters
    ----------
    data
        :func:`model_data` (or any frame with ``numerator``, ``exposure`` and the terms).
    terms
        Columns of ``data`` entering the model besides the intercept.
    harmonic
        Add two sine/cosine pairs of calendar month (period 12).

    Returns
    -------
    RateFit
        With :math:`\hat\phi_{raw} = X^2_{Pearson}/(n-p)`, :math:`\phi = \max(1,
        \hat\phi_{raw})` and :math:`L = \lfloor 4 (n/100)^{2/9}\rfloor`.

    Raises
    ------
    ValueError
        When the data cannot support the model (too few months, no events, a fit that
        does not converge).
    """
    import statsmodels.api as sm

    _require(data, ("numerator", "exposure"), "data")
    X = design_matrix(data, terms, harmonic=harmonic)
    n, p = X.shape
    if n <= p:
        raise ValueError(f"{n} months cannot support {p} coefficients")
    y = data["numerator"].to_numpy(float)
    exposure = data["exposure"].to_numpy(float)
    if not (np.all(np.isfinite(y)) and np.all(y >= 0) and np.all(exposure > 0)):
        raise ValueError("numerators must be non-negative and exposures positive")
    if y.sum() == 0:
        raise ValueError("every month is zero: the model has no finite estimate")
    lag = newey_west_lag(n)
    model = sm.GLM(y, X, family=sm.families.Poisson(), offset=np.log(exposure))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        poisson = model.fit()
        hac = model.fit(cov_type="HAC", cov_kwds={"maxlags": lag, "use_correction": True})
    if not poisson.converged or not np.all(np.isfinite(poisson.params)):
        raise ValueError("the model did not converge to finite estimates")
    raw = float(poisson.pearson_chi2 / poisson.df_resid)
    return RateFit(data=data.reset_index(drop=True), design=X, poisson=poisson,
                   newey_west=hac, dispersion_raw=raw, dispersion=max(1.0, raw), lag=lag)


def fit_summary(fit: RateFit) -> pd.DataFrame:
    """One row: n, number of coefficients, Pearson :math:`X^2`, residual df, raw and floored
    dispersion and the Newey-West lag (:data:`FIT_SUMMARY_COLUMNS`)."""
    n, p = fit.design.shape
    return pd.DataFrame([{
        "n": n, "n_coefficients": p, "pearson_chi2": float(fit.poisson.pearson_chi2),
        "df_resid": float(fit.poisson.df_resid), "dispersion_raw": fit.dispersion_raw,
        "dispersion": fit.dispersion, "newey_west_lag": fit.lag,
    }], columns=list(FIT_SUMMARY_COLUMNS))


def _wald(coef: float, se_model: float, se_nw: float, alpha: float) -> dict:
    se = max(se_model, se_nw)
    z = stats.norm.ppf(1 - alpha / 2)
    with np.errstate(over="ignore", under="ignore"):
        est, lo, hi = np.exp([coef, coef - z * se, coef + z * se])
    return {"coef": coef, "se_model": se_model, "se_newey_west": se_nw,
            "se_used": "newey_west" if se_nw > se_model else "model", "se": se,
            "estimate": float(est), "ci_low": float(lo), "ci_high": float(hi),
            "p_value": float(2 * stats.norm.sf(abs(coef / se)))}


def coefficient_table(fit: RateFit, *, alpha: float = 0.05) -> pd.DataFrame:
    r"""Every coefficient with both standard errors side by side and the one the plan uses.

    Returns
    -------
    pandas.DataFrame
        One row per term, columns :data:`COEFFICIENT_COLUMNS`: ``coef`` :math:`\hat\beta`
        (log scale); ``se_model`` :math:`\sqrt{\phi}\,\mathrm{se}_{Poisson}`;
        ``se_newey_west``; ``se_used`` (``model`` or ``newey_west``, whichever is larger)
        and ``se`` its value; ``estimate`` :math:`e^{\hat\beta}` with the Wald interval
        :math:`e^{\hat\beta \pm z_{1-\alpha/2}\,se}` and the two-sided normal p.

    Notes
    -----
    R: ``se_model = sqrt(diag(vcov(fit)))`` of the quasi-Poisson fit with the dispersion
    floored at 1; ``se_newey_west = sqrt(diag(sandwich::NeweyWest(fit, lag = L,
    prewhite = FALSE, adjust = TRUE)))``.
    """
    _check_alpha(alpha)
    se_model = np.sqrt(np.diag(fit.cov_model))
    se_nw = np.sqrt(np.diag(fit.cov_newey_west))
    rows = [{"term": term, **_wald(float(fit.poisson.params[term]), float(sm_), float(nw),
                                   alpha)}
            for term, sm_, nw in zip(fit.design.columns, se_model, se_nw, strict=True)]
    return pd.DataFrame(rows, columns=list(COEFFICIENT_COLUMNS))


def linear_combination(fit: RateFit, weights: dict[str, float], *, label: str = "",
                       alpha: float = 0.05) -> pd.DataFrame:
    r"""A linear combination :math:`c'\hat\beta` with both standard errors and the larger used.

    For example ``its_effect_end`` is ``{"post": 1, "t_after": t_last - t0}``: the fitted
    rate over the counterfactual at the last month.  :math:`\mathrm{se} =
    \max(\sqrt{c'V_{model}c}, \sqrt{c'V_{NW}c})`.  One row, :data:`COMBINATION_COLUMNS`.
    """
    _check_alpha(alpha)
    unknown = [k for k in weights if k not in fit.design.columns]
    if unknown:
        raise ValueError(f"unknown term(s) {unknown}; the model has {list(fit.design.columns)}")
    c = np.array([float(weights.get(term, 0.0)) for term in fit.design.columns])
    coef = float(c @ np.asarray(fit.poisson.params, dtype=float))
    se_model = float(np.sqrt(c @ fit.cov_model.to_numpy() @ c))
    se_nw = float(np.sqrt(c @ fit.cov_newey_west.to_numpy() @ c))
    row = {"label": label, **_wald(coef, se_model, se_nw, alpha)}
    return pd.DataFrame([row], columns=list(COMBINATION_COLUMNS))


def pearson_residuals(fit: RateFit) -> pd.DataFrame:
    r"""Pearson residuals :math:`(y_t - \hat\mu_t)/\sqrt{\hat\mu_t}` in month order
    (:data:`RESIDUAL_COLUMNS`); R ``residuals(fit, type = "pearson")``."""
    mu = np.asarray(fit.poisson.fittedvalues, dtype=float)
    return pd.DataFrame({
        "month": fit.data["month"].to_numpy() if "month" in fit.data else np.arange(len(mu)),
        "t": fit.data["t"].to_numpy(float) if "t" in fit.data else np.arange(len(mu)),
        "fitted_count": mu,
        "pearson_residual": np.asarray(fit.poisson.resid_pearson, dtype=float),
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


def counterfactual_lines(fit: RateFit, *, multiplier: float = 1.0,
                         alpha: float = 0.05) -> pd.DataFrame:
    r"""Observed, fitted and counterfactual rates with a band on the counterfactual.

    The counterfactual continues the pre-programme trend: the model's rate with ``post``
    and ``t_after`` set to 0 (eid and seasonal terms kept), as Lopez Bernal et al.
    (2017, Fig. 2).  Its band is :math:`\exp(x_0'\hat\beta \pm z\,\mathrm{se})` with
    :math:`x_0` the counterfactual row and :math:`\mathrm{se} = \max(\sqrt{x_0'V_{model}
    x_0}, \sqrt{x_0'V_{NW}x_0})`, the plan's rule for a linear combination.  Rates are
    multiplied by ``multiplier`` (the scale shown in reports).  Columns
    :data:`COUNTERFACTUAL_COLUMNS`.
    """
    _check_alpha(alpha)
    X = fit.design
    beta = np.asarray(fit.poisson.params, dtype=float)
    X0 = X.assign(**{c: 0.0 for c in ("post", "t_after") if c in X}).to_numpy(float)
    vm, vn = fit.cov_model.to_numpy(), fit.cov_newey_west.to_numpy()
    se = np.sqrt(np.maximum(np.einsum("ij,jk,ik->i", X0, vm, X0),
                            np.einsum("ij,jk,ik->i", X0, vn, X0)))
    z = stats.norm.ppf(1 - alpha / 2)
    eta0 = X0 @ beta
    d = fit.data
    return pd.DataFrame({
        "month": d["month"].to_numpy() if "month" in d else np.arange(len(d)),
        "t": d["t"].to_numpy(float) if "t" in d else np.arange(len(d), dtype=float),
        "post": d["post"].to_numpy(float) if "post" in d else np.zeros(len(d)),
        "observed": d["numerator"].to_numpy(float) / d["exposure"].to_numpy(float) * multiplier,
        "fitted": np.exp(X.to_numpy(float) @ beta) * multiplier,
        "counterfactual": np.exp(eta0) * multiplier,
        "counterfactual_low": np.exp(eta0 - z * se) * multiplier,
        "counterfactual_high": np.exp(eta0 + z * se) * multiplier,
    }, columns=list(COUNTERFACTUAL_COLUMNS))


def sensitivity_table(results: pd.DataFrame, enterprise_id: str, indicator: str) -> pd.DataFrame:
    """The primary ``its_level`` row of one KPI and its sensitivity rows (analysis plan
    version 2), in :data:`SENSITIVITY_METHODS` order; columns :data:`SENSITIVITY_COLUMNS`
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

    ``items`` is :func:`score_analysis.indicators.five_s_items`.  ``audit`` labels the
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

    ``answers`` is :func:`score_analysis.indicators.survey_answers` (reverse-coded items
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
