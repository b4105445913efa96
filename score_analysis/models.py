"""KPI models of the statistical analysis plan (SPEC §6).

Every monthly KPI is a rate, numerator / exposure.  The models are GLMs with a
log link, quasi-Poisson family (Pearson χ² dispersion), the numerator as the
response and ``log(exposure)`` as offset, with Wald intervals and tests using
the normal quantile and dispersion-scaled standard errors, as R's
``confint.default`` on a ``glm(..., family = quasipoisson)`` fit.

Rows returned by :func:`kpi_effects` (one per method):

``rate_ratio_step``
    ``glm(num ~ post [+ eid] + offset(log(exposure)), family = quasipoisson)``;
    estimate ``exp(b_post)``.  Needs at least 3 months before and 3 after.
``its_level`` / ``its_slope``
    segmented regression
    ``glm(num ~ t + post + t_after [+ eid] [+ H] + offset(log(exposure)))``;
    ``its_level = exp(b_post)`` (the step at the intervention month),
    ``its_slope = exp(b_t_after)`` (the change in the monthly trend, a ratio
    per month).  Needs at least 6 months before and 6 after.
``its_level_hac``
    sensitivity row for ``its_level`` with Newey-West standard errors (lag
    ``floor(4 (n/100)^(2/9))``, Bartlett kernel, small-sample factor
    ``n/(n-k)``), added only when the Ljung-Box test (lag 6) on the ITS model's
    Pearson residuals has p < 0.05.

References
----------
Lopez Bernal J, Cummins S, Gasparrini A (2017). Interrupted time series
regression for the evaluation of public health interventions: a tutorial.
Int J Epidemiol 46(1):348-355. doi:10.1093/ije/dyw098.

Wagner AK, Soumerai SB, Zhang F, Ross-Degnan D (2002). Segmented regression
analysis of interrupted time series studies in medication use research.
J Clin Pharm Ther 27(4):299-309.

Newey WK, West KD (1994). Automatic lag selection in covariance matrix
estimation. Rev Econ Stud 61(4):631-653.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

MIN_STEP = 3  # months before and after for rate_ratio_step
MIN_ITS = 6  # months before and after for the segmented regression
LJUNG_BOX_LAG = 6

#: Columns of the frame returned by :func:`kpi_effects`.
EFFECT_COLUMNS = (
    "method", "status", "n_pre", "n_post", "pre_value", "post_value", "estimate",
    "estimate_scale", "ci_low", "ci_high", "p_value", "std_error", "dispersion",
    "durbin_watson", "ljung_box_p", "hac_lag", "terms", "note",
)

#: Columns of the frame returned by :func:`its_lines`.
LINE_COLUMNS = ("month", "observed", "fitted", "counterfactual")


@dataclass(frozen=True)
class _Design:
    y: np.ndarray
    offset: np.ndarray
    X: pd.DataFrame
    months: np.ndarray
    post: np.ndarray


def newey_west_lag(n: int) -> int:
    """Newey-West truncation lag ``floor(4 * (n / 100) ** (2 / 9))`` (Newey & West 1994)."""
    return int(math.floor(4.0 * (n / 100.0) ** (2.0 / 9.0)))


def harmonic_terms(calendar_month: np.ndarray, pairs: int = 2, period: int = 12) -> pd.DataFrame:
    """Fourier terms of the calendar month: ``sin(2πkm/period)``, ``cos(2πkm/period)``,
    ``k = 1..pairs`` (R's ``tsModel::harmonic(month, pairs, period)``)."""
    m = np.asarray(calendar_month, dtype=float)
    cols = {}
    for k in range(1, pairs + 1):
        cols[f"sin{k}"] = np.sin(2 * np.pi * k * m / period)
        cols[f"cos{k}"] = np.cos(2 * np.pi * k * m / period)
    return pd.DataFrame(cols)


def _prepare(series: pd.DataFrame, intervention_month: str) -> pd.DataFrame:
    """Validate the model input and derive t, post, t_after, calendar month."""
    missing = {"month", "numerator", "exposure"} - set(series.columns)
    if missing:
        raise ValueError(f"series lacks the column(s) {sorted(missing)}")
    s = series[["month", "numerator", "exposure", *(["eid"] if "eid" in series else [])]]
    s = s.sort_values("month", ignore_index=True)
    if s["month"].duplicated().any():
        raise ValueError("series has duplicate months")
    num = pd.to_numeric(s["numerator"], errors="coerce").astype(float)
    exp = pd.to_numeric(s["exposure"], errors="coerce").astype(float)
    if (num < 0).any() or (exp < 0).any():
        raise ValueError("numerator and exposure must not be negative")
    keep = num.notna() & exp.notna() & (exp > 0)
    s = s[keep].reset_index(drop=True).assign(numerator=num[keep].to_numpy(),
                                              exposure=exp[keep].to_numpy())
    idx = s["month"].str.slice(0, 4).astype(int) * 12 + s["month"].str.slice(5, 7).astype(int) - 1
    i0 = int(intervention_month[:4]) * 12 + int(intervention_month[5:7]) - 1
    first = int(idx.min()) if len(idx) else i0
    s["t"] = (idx - first).astype(float)
    s["post"] = (idx >= i0).astype(float)
    s["t_after"] = np.maximum(0, idx - i0).astype(float)
    s["calendar_month"] = s["month"].str.slice(5, 7).astype(int)
    if "eid" not in s:
        from .eid import eid_months

        s["eid"] = s["month"].isin(eid_months()).astype(float)
    return s


def _design(s: pd.DataFrame, terms: list[str], *, harmonic: bool) -> _Design:
    X = pd.DataFrame({"const": np.ones(len(s))})
    for term in terms:
        X[term] = s[term].to_numpy(dtype=float)
    if harmonic:
        X = pd.concat([X, harmonic_terms(s["calendar_month"].to_numpy())], axis=1)
    return _Design(s["numerator"].to_numpy(float), np.log(s["exposure"].to_numpy(float)), X,
                   s["month"].to_numpy(), s["post"].to_numpy(float))


def _fit(design: _Design, cov_type: str = "nonrobust", cov_kwds: dict | None = None):
    import statsmodels.api as sm

    model = sm.GLM(design.y, design.X, family=sm.families.Poisson(), offset=design.offset)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if cov_type == "nonrobust":
            return model.fit(scale="X2")
        return model.fit(scale="X2", cov_type=cov_type, cov_kwds=cov_kwds)


def _row(method: str, **values) -> dict:
    row = dict.fromkeys(EFFECT_COLUMNS, np.nan)
    row.update(method=method, status="ok", note="", terms="", estimate_scale="rate_ratio")
    row.update(values)
    return row


def _wald(res, term: str, alpha: float) -> dict:
    """Wald estimate, CI and p for one coefficient, exponentiated (normal quantile)."""
    b = float(res.params[term])
    se = float(res.bse[term])
    z = stats.norm.ppf(1 - alpha / 2)
    p = float(2 * stats.norm.sf(abs(b / se))) if se > 0 else np.nan
    return {"estimate": math.exp(b), "ci_low": math.exp(b - z * se),
            "ci_high": math.exp(b + z * se), "p_value": p, "std_error": se}


def _degenerate(s: pd.DataFrame) -> str | None:
    """Why a series cannot give a rate ratio, or None."""
    pre, post = s[s["post"] == 0], s[s["post"] == 1]
    if pre["numerator"].sum() == 0 and post["numerator"].sum() == 0:
        return "every month is zero: no events, so no rate ratio can be estimated"
    if pre["numerator"].sum() == 0:
        return "every month before the intervention is zero: the rate ratio is not defined"
    if post["numerator"].sum() == 0:
        return "every month after the intervention is zero: the rate ratio is not defined"
    return None


def _usable(res, terms: tuple[str, ...]) -> str | None:
    params = np.asarray(res.params, dtype=float)
    bse = np.asarray(res.bse, dtype=float)
    if not (np.all(np.isfinite(params)) and np.all(np.isfinite(bse))):
        return "the model could not be estimated (non-finite coefficients)"
    if not res.converged:
        return "the model did not converge"
    if not np.isfinite(res.scale) or res.scale <= 1e-12:
        return ("the series has no variation around the model (e.g. a constant rate): "
                "no uncertainty can be estimated")
    if any(float(res.bse[t]) <= 0 for t in terms):
        return "the model could not be estimated (zero standard error)"
    return None


def kpi_effects(series: pd.DataFrame, intervention_month: str, *, harmonic: bool = False,
                eid: bool = True, multiplier: float = 1.0, alpha: float = 0.05) -> pd.DataFrame:
    r"""Before/after effects of the programme on one monthly rate (SPEC §6).

    Parameters
    ----------
    series
        One enterprise's indicator: columns ``month`` (``YYYY-MM``),
        ``numerator``, ``exposure`` and optionally ``eid`` (0/1).  Months whose
        numerator or exposure is missing, or whose exposure is zero, are left
        out.
    intervention_month
        First month counted as "after" (``YYYY-MM``).
    harmonic
        Add two sine/cosine pairs of calendar month (period 12) to the ITS model.
    eid
        Allow the Idul Fitri indicator.  It enters a model only when the
        series has at least one eid month both before and after.
    multiplier
        Scale of ``pre_value`` and ``post_value`` (e.g. 100 for %).
    alpha
        1 - confidence level of the Wald intervals.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`EFFECT_COLUMNS`; rows ``rate_ratio_step``, ``its_level``,
        ``its_slope`` and, when the ITS residuals are autocorrelated
        (Ljung-Box p < 0.05), ``its_level_hac``.  ``status`` is ``ok``,
        ``insufficient_data`` (with a ``note`` saying what is missing) or
        ``not_reported`` (no usable month at all).

    Notes
    -----
    With :math:`\mu_t = E(y_t)` and exposure :math:`E_t`:

    .. math::

        \log \mu_t = \log E_t + \beta_0 + \beta_1 \mathrm{post}_t
                     \;[+\; \gamma\, \mathrm{eid}_t]

        \log \mu_t = \log E_t + \beta_0 + \beta_1 t + \beta_2 \mathrm{post}_t
                     + \beta_3 t_{\mathrm{after}} \;[+\; \gamma\, \mathrm{eid}_t]
                     \;[+\; \textstyle\sum_k a_k \sin\tfrac{2\pi k m}{12}
                     + b_k \cos\tfrac{2\pi k m}{12}]

    :math:`\mathrm{Var}(y_t) = \phi\mu_t`, :math:`\hat\phi = X^2_{\mathrm{Pearson}}/(n-p)`;
    95% CI :math:`\exp(\hat\beta \pm 1.96\,\widehat{\mathrm{se}})`.

    References
    ----------
    Lopez Bernal, Cummins & Gasparrini (2017), Int J Epidemiol 46:348-355.
    """
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must lie between 0 and 1, got {alpha}")
    s = _prepare(series, intervention_month)
    n_pre = int((s["post"] == 0).sum())
    n_post = int((s["post"] == 1).sum())
    pre = s[s["post"] == 0]
    post = s[s["post"] == 1]
    pre_value = (pre["numerator"].sum() / pre["exposure"].sum() * multiplier
                 if n_pre else np.nan)
    post_value = (post["numerator"].sum() / post["exposure"].sum() * multiplier
                  if n_post else np.nan)
    common = {"n_pre": n_pre, "n_post": n_post, "pre_value": pre_value,
              "post_value": post_value}
    methods = ("rate_ratio_step", "its_level", "its_slope")
    scales = {"its_slope": "slope_ratio"}
    if n_pre + n_post == 0:
        return _frame([_row(m, status="not_reported", estimate_scale=scales.get(m, "rate_ratio"),
                            note="no month with both numerator and exposure", **common)
                       for m in methods])
    use_eid = eid and _eid_both_sides(s)
    eid_terms = ["eid"] if use_eid else []
    rows = [_step(s, eid_terms, common, alpha)]
    rows += _its(s, eid_terms, common, alpha, harmonic=harmonic)
    return _frame(rows)


def _eid_both_sides(s: pd.DataFrame) -> bool:
    """The eid rule: at least one eid month both before and after."""
    return bool(s.loc[s["post"] == 0, "eid"].any() and s.loc[s["post"] == 1, "eid"].any())


def _frame(rows: list[dict]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=list(EFFECT_COLUMNS))


def _step(s: pd.DataFrame, eid_terms: list[str], common: dict, alpha: float) -> dict:
    n_pre, n_post = common["n_pre"], common["n_post"]
    terms = ["post", *eid_terms]
    label = " + ".join(terms)
    if n_pre < MIN_STEP or n_post < MIN_STEP:
        return _row("rate_ratio_step", status="insufficient_data", terms=label,
                    note=f"needs at least {MIN_STEP} months before and {MIN_STEP} after; "
                         f"has {n_pre} before and {n_post} after", **common)
    why = _degenerate(s)
    if why:
        return _row("rate_ratio_step", status="insufficient_data", terms=label, note=why,
                    **common)
    try:
        res = _fit(_design(s, terms, harmonic=False))
    except (np.linalg.LinAlgError, ValueError) as exc:
        return _row("rate_ratio_step", status="insufficient_data", terms=label,
                    note=f"the model could not be estimated ({exc})", **common)
    why = _usable(res, ("post",))
    if why:
        return _row("rate_ratio_step", status="insufficient_data", terms=label, note=why,
                    **common)
    return _row("rate_ratio_step", terms=label, dispersion=float(res.scale),
                **_wald(res, "post", alpha), **common)


def _its_terms(eid_terms: list[str], harmonic: bool) -> str:
    return " + ".join(["t", "post", "t_after", *eid_terms, *(["harmonic"] if harmonic else [])])


def _its(s: pd.DataFrame, eid_terms: list[str], common: dict, alpha: float, *,
         harmonic: bool) -> list[dict]:
    n_pre, n_post = common["n_pre"], common["n_post"]
    label = _its_terms(eid_terms, harmonic)

    def failed(note: str) -> list[dict]:
        return [_row(m, status="insufficient_data", terms=label, note=note,
                     estimate_scale=sc, **common)
                for m, sc in (("its_level", "rate_ratio"), ("its_slope", "slope_ratio"))]

    if n_pre < MIN_ITS or n_post < MIN_ITS:
        return failed(f"needs at least {MIN_ITS} months before and {MIN_ITS} after; "
                      f"has {n_pre} before and {n_post} after")
    why = _degenerate(s)
    if why:
        return failed(why)
    design = _design(s, ["t", "post", "t_after", *eid_terms], harmonic=harmonic)
    if design.X.shape[1] >= len(s):
        return failed("too few months for the number of model terms")
    try:
        res = _fit(design)
    except (np.linalg.LinAlgError, ValueError) as exc:
        return failed(f"the model could not be estimated ({exc})")
    why = _usable(res, ("post", "t_after"))
    if why:
        return failed(why)
    diag = its_diagnostics(res)
    level = _row("its_level", terms=label, **_wald(res, "post", alpha), **diag, **common)
    slope = _row("its_slope", terms=label, estimate_scale="slope_ratio",
                 **_wald(res, "t_after", alpha), **diag, **common)
    rows = [level, slope]
    if np.isfinite(diag["ljung_box_p"]) and diag["ljung_box_p"] < 0.05:
        lag = newey_west_lag(len(s))
        hac = _fit(design, cov_type="HAC", cov_kwds={"maxlags": lag, "use_correction": True})
        rows.append(_row("its_level_hac", terms=label, hac_lag=lag,
                         note=f"sensitivity: Newey-West standard errors (lag {lag}) because the "
                              f"residuals are autocorrelated (Ljung-Box p = "
                              f"{diag['ljung_box_p']:.3g})",
                         **_wald(hac, "post", alpha), **diag, **common))
    return rows


def its_diagnostics(res) -> dict:
    """Dispersion, Durbin-Watson and Ljung-Box (lag 6) p on a fit's Pearson residuals.

    Durbin-Watson :math:`d = \\sum (e_t - e_{t-1})^2 / \\sum e_t^2`; Ljung-Box
    :math:`Q = n(n+2)\\sum_{k=1}^{6} \\hat\\rho_k^2/(n-k)` against :math:`\\chi^2_6`
    (R: ``Box.test(residuals(fit, "pearson"), lag = 6, type = "Ljung-Box")``).
    """
    from statsmodels.stats.diagnostic import acorr_ljungbox
    from statsmodels.stats.stattools import durbin_watson

    resid = np.asarray(res.resid_pearson, dtype=float)
    lb = np.nan
    if len(resid) > LJUNG_BOX_LAG + 1 and np.var(resid) > 0:
        lb = float(acorr_ljungbox(resid, lags=[LJUNG_BOX_LAG])["lb_pvalue"].iloc[0])
    return {"dispersion": float(res.scale), "durbin_watson": float(durbin_watson(resid)),
            "ljung_box_p": lb}


def its_lines(series: pd.DataFrame, intervention_month: str, *, harmonic: bool = False,
              eid: bool = True, multiplier: float = 1.0) -> pd.DataFrame:
    """Observed rates, the fitted segmented trend and the counterfactual, for charts.

    The counterfactual continues the pre-intervention trend (``post`` and
    ``t_after`` set to 0), keeping the eid and seasonal terms, as in Lopez
    Bernal et al. (2017, Fig. 2).  Rates are multiplied by ``multiplier``.
    Returns an empty frame when the segmented model cannot be fitted.
    """
    s = _prepare(series, intervention_month)
    empty = pd.DataFrame({c: pd.Series(dtype=float) for c in LINE_COLUMNS})
    n_pre = int((s["post"] == 0).sum())
    n_post = int((s["post"] == 1).sum())
    if n_pre < MIN_ITS or n_post < MIN_ITS or _degenerate(s):
        return empty
    use_eid = eid and _eid_both_sides(s)
    design = _design(s, ["t", "post", "t_after", *(["eid"] if use_eid else [])],
                     harmonic=harmonic)
    if design.X.shape[1] >= len(s):
        return empty
    try:
        res = _fit(design)
    except (np.linalg.LinAlgError, ValueError):
        return empty
    if _usable(res, ("post", "t_after")):
        return empty
    beta = np.asarray(res.params, dtype=float)
    X = design.X.to_numpy(float)
    Xc = design.X.copy()
    Xc["post"] = 0.0
    Xc["t_after"] = 0.0
    return pd.DataFrame({
        "month": s["month"].to_numpy(),
        "observed": s["numerator"].to_numpy() / s["exposure"].to_numpy() * multiplier,
        "fitted": np.exp(X @ beta) * multiplier,
        "counterfactual": np.exp(Xc.to_numpy(float) @ beta) * multiplier,
    })
