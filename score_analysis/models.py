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

import re
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

MIN_STEP = 3  # months before and after for rate_ratio_step
MIN_ITS = 6  # months before and after for the segmented regression
LJUNG_BOX_LAG = 6
#: Ljung-Box p below which the Newey-West sensitivity row is added.
LJUNG_BOX_ALPHA = 0.05
#: Terms a KPI model may contain besides the intercept and the harmonic pairs.
MODEL_TERMS = ("t", "post", "t_after", "eid")

#: Columns of the frame returned by :func:`kpi_effects`.
EFFECT_COLUMNS = (
    "method", "status", "n_pre", "n_post", "pre_value", "post_value", "estimate",
    "estimate_scale", "ci_low", "ci_high", "p_value", "std_error", "dispersion",
    "durbin_watson", "ljung_box_p", "hac_lag", "terms", "note",
)

#: Columns of the frame returned by :func:`its_lines`.
LINE_COLUMNS = ("month", "observed", "fitted", "counterfactual")

#: Columns of the frame returned by :func:`rate_model_coefficients`.
COEFFICIENT_COLUMNS = ("term", "estimate", "ci_low", "ci_high", "p_value", "std_error",
                       "dispersion", "n")

_MONTH = re.compile(r"\d{4}-(0[1-9]|1[0-2])")
_SCALES = {"rate_ratio_step": "rate_ratio", "its_level": "rate_ratio",
           "its_slope": "slope_ratio", "its_level_hac": "rate_ratio"}


@dataclass(frozen=True)
class KpiFit:
    """Effects and chart lines of one monthly rate, from a single set of model fits.

    ``effects`` is the frame of :func:`kpi_effects`, ``lines`` the frame of
    :func:`its_lines` (empty when the segmented model cannot be fitted).
    """

    effects: pd.DataFrame
    lines: pd.DataFrame


class _NoFit(Exception):
    """A model that the data cannot support; the message says why, in plain words."""


def newey_west_lag(n: int) -> int:
    """Newey-West truncation lag ``floor(4 * (n / 100) ** (2 / 9))`` (Newey & West 1994)."""
    if n < 1:
        raise ValueError(f"newey_west_lag needs at least one observation, got {n}")
    return int(np.floor(4.0 * (n / 100.0) ** (2.0 / 9.0)))


def harmonic_terms(calendar_month, pairs: int = 2, period: int = 12) -> pd.DataFrame:
    r"""Fourier terms of the calendar month for the optional seasonality (SPEC §6).

    Columns ``sin1, cos1, ..., sin{pairs}, cos{pairs}`` with
    :math:`\sin(2\pi k m / P)` and :math:`\cos(2\pi k m / P)`, :math:`k = 1..\mathrm{pairs}`,
    :math:`m` the calendar month (1-12) and :math:`P` the period: the columns of R's
    ``tsModel::harmonic(month, pairs, period)`` (Lopez Bernal et al. 2017), in another order.
    """
    m = np.asarray(calendar_month, dtype=float)
    if pairs < 1 or period <= 0:
        raise ValueError(f"harmonic_terms needs pairs >= 1 and period > 0, got {pairs}, {period}")
    cols = {}
    for k in range(1, pairs + 1):
        cols[f"sin{k}"] = np.sin(2 * np.pi * k * m / period)
        cols[f"cos{k}"] = np.cos(2 * np.pi * k * m / period)
    return pd.DataFrame(cols)


def _month_number(month, what: str) -> int:
    if not isinstance(month, str) or not _MONTH.fullmatch(month):
        raise ValueError(f"{what} must be a month written YYYY-MM, got {month!r}")
    return int(month[:4]) * 12 + int(month[5:7]) - 1


def _numbers(s: pd.DataFrame, col: str) -> pd.Series:
    """A numeric column; text, infinite or negative values raise ValueError."""
    raw = s[col]
    num = pd.to_numeric(raw, errors="coerce").astype(float)
    for bad, rule in ((num.isna() & raw.notna(), "is not a number"),
                      (np.isinf(num), "is infinite"),
                      (num < 0, "is negative (rates need non-negative counts and exposures)")):
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            raise ValueError(f"series: {col} of month {s['month'].iloc[i]} {rule}: "
                             f"{raw.iloc[i]!r}")
    return num


def _prepare(series: pd.DataFrame, intervention_month: str) -> tuple[pd.DataFrame, int]:
    """Validate the model input and derive t, post, t_after, eid and the calendar month.

    Returns the usable months (sorted) and how many months were left out because their
    numerator or exposure is missing or the exposure is zero (SPEC §5).
    """
    if not isinstance(series, pd.DataFrame):
        raise ValueError(f"series must be a pandas DataFrame, got {type(series).__name__}")
    missing = {"month", "numerator", "exposure"} - set(series.columns)
    if missing:
        raise ValueError(f"series lacks the column(s) {sorted(missing)}")
    i0 = _month_number(intervention_month, "intervention_month")
    s = series[["month", "numerator", "exposure", *(["eid"] if "eid" in series else [])]]
    s = s.reset_index(drop=True)
    for month in s["month"]:
        _month_number(month, "every month of the series")
    if s["month"].duplicated().any():
        dup = s.loc[s["month"].duplicated(), "month"].iloc[0]
        raise ValueError(f"series: month {dup} appears more than once")
    s = s.assign(numerator=_numbers(s, "numerator"), exposure=_numbers(s, "exposure"))
    if "eid" in s:
        eid = pd.to_numeric(s["eid"], errors="coerce")
        if not eid.isin([0, 1]).all():
            raise ValueError("series: eid must be 0 or 1 in every month")
        s = s.assign(eid=eid.astype(float))
    s = s.sort_values("month", ignore_index=True)
    keep = s["numerator"].notna() & s["exposure"].notna() & (s["exposure"] > 0)
    left_out = int((~keep).sum())
    s = s[keep].reset_index(drop=True)
    idx = s["month"].map(lambda m: _month_number(m, "month")).astype(int)
    first = int(idx.min()) if len(idx) else i0
    s["t"] = (idx - first).astype(float)
    s["post"] = (idx >= i0).astype(float)
    s["t_after"] = np.maximum(0, idx - i0).astype(float)
    s["calendar_month"] = s["month"].str.slice(5, 7).astype(int)
    if "eid" not in s:
        from .eid import eid_months

        s["eid"] = s["month"].isin(eid_months()).astype(float)
    return s, left_out


def _design_matrix(s: pd.DataFrame, terms, *, harmonic: bool) -> pd.DataFrame:
    X = pd.DataFrame({"const": np.ones(len(s))})
    for term in terms:
        X[term] = s[term].to_numpy(dtype=float)
    if harmonic:
        X = pd.concat([X, harmonic_terms(s["calendar_month"].to_numpy())], axis=1)
    return X


def _fit(X: pd.DataFrame, s: pd.DataFrame, cov_type: str = "nonrobust",
         cov_kwds: dict | None = None):
    """Quasi-Poisson GLM (log link, Pearson χ² dispersion, log exposure offset)."""
    import statsmodels.api as sm
    from statsmodels.tools.sm_exceptions import PerfectSeparationError

    y = s["numerator"].to_numpy(float)
    model = sm.GLM(y, X, family=sm.families.Poisson(),
                   offset=np.log(s["exposure"].to_numpy(float)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            res = model.fit(scale="X2", cov_type=cov_type, cov_kwds=cov_kwds)
        except (np.linalg.LinAlgError, ValueError, PerfectSeparationError) as exc:
            raise _NoFit(f"the model could not be estimated ({exc})") from exc
    return res, _check_usable(res, y, X)


#: A fitted count below this fraction of the mean count has collapsed to zero.
_COLLAPSED = 1e-8


def _check_usable(res, y: np.ndarray, X: pd.DataFrame) -> str:
    """Raise :class:`_NoFit` when a fit has no finite, identifiable estimate.

    Fitted counts that collapse to zero mean that a coefficient ran off to infinity
    (the events are confined to one part of the series).  The one harmless case is
    the eid term when every Idul Fitri month has no event: its coefficient diverges,
    those months drop out of the other estimates (as in R), and a note says so.
    """
    params = np.asarray(res.params, dtype=float)
    bse = np.asarray(res.bse, dtype=float)
    if not (np.all(np.isfinite(params)) and np.all(np.isfinite(bse))):
        raise _NoFit("the model could not be estimated (non-finite coefficients)")
    mu = np.asarray(res.fittedvalues, dtype=float)
    collapsed = mu < _COLLAPSED * max(float(np.mean(y)), 1e-300)
    eid_only = bool(collapsed.any() and "eid" in X
                    and np.all((X["eid"].to_numpy()[collapsed] == 1) & (y[collapsed] == 0)))
    if collapsed.any() and not eid_only:
        raise _NoFit("the events are confined to part of the series (fitted counts collapse "
                     "to zero), so the model has no finite estimate")
    if not res.converged:
        raise _NoFit("the model did not converge")
    if not np.isfinite(res.scale) or res.scale <= 1e-10:
        raise _NoFit("the series has no variation around the model (e.g. a constant rate): "
                     "no uncertainty can be estimated")
    if np.any(bse <= 0):
        raise _NoFit("the model could not be estimated (zero standard error)")
    if eid_only:
        return ("every Idul Fitri month is zero, so the eid effect is not estimable and "
                "those months carry no weight")
    return ""


def _wald(res, term: str, alpha: float) -> dict:
    """Wald estimate, CI and p for one coefficient, exponentiated (normal quantile)."""
    b = float(res.params[term])
    se = float(res.bse[term])
    z = stats.norm.ppf(1 - alpha / 2)
    with np.errstate(over="ignore", under="ignore"):
        est, lo, hi = np.exp([b, b - z * se, b + z * se])
    if not (np.isfinite(hi) and lo > 0):
        raise _NoFit("the interval is unbounded: the data cannot pin down this effect")
    return {"estimate": float(est), "ci_low": float(lo), "ci_high": float(hi),
            "p_value": float(2 * stats.norm.sf(abs(b / se))), "std_error": se}


def _degenerate(s: pd.DataFrame) -> str | None:
    """Why a series cannot give a rate ratio, or None."""
    pre = s.loc[s["post"] == 0, "numerator"].sum()
    post = s.loc[s["post"] == 1, "numerator"].sum()
    if pre == 0 and post == 0:
        return "every month is zero: no events, so no rate ratio can be estimated"
    if pre == 0:
        return "every month before the intervention is zero: the rate ratio is not defined"
    if post == 0:
        return "every month after the intervention is zero: the rate ratio is not defined"
    rate = (s["numerator"] / s["exposure"]).to_numpy(float)
    if np.ptp(rate) <= 1e-12 * np.max(rate):
        return ("the rate is the same in every month: no variation, so no uncertainty can "
                "be estimated")
    return None


def _row(method: str, **values) -> dict:
    row = dict.fromkeys(EFFECT_COLUMNS, np.nan)
    row.update(method=method, status="ok", note="", terms="", estimate_scale=_SCALES[method])
    row.update(values)
    return row


def _joined(*notes: str) -> str:
    return "; ".join(n for n in notes if n)


def _eid_terms(s: pd.DataFrame, eid: bool) -> tuple[list[str], str]:
    """The eid rule (SPEC §6): the term enters only with an eid month before and after."""
    before = bool(s.loc[s["post"] == 0, "eid"].any())
    after = bool(s.loc[s["post"] == 1, "eid"].any())
    if not eid or not (before or after):
        return [], ""
    if before and after:
        return ["eid"], ""
    side = "before" if before else "after"
    return [], f"eid term left out: Idul Fitri months only {side} the intervention"


def rate_model_coefficients(series: pd.DataFrame, intervention_month: str, *,
                            terms=("t", "post", "t_after"), harmonic: bool = False,
                            alpha: float = 0.05) -> pd.DataFrame:
    r"""Every coefficient of one quasi-Poisson rate model, exponentiated.

    A reviewer's helper: it fits
    ``glm(numerator ~ <terms> [+ H] + offset(log(exposure)), family = quasipoisson)``
    for any subset of :data:`MODEL_TERMS` (``t``, ``post``, ``t_after``, ``eid``) with the
    same data handling as :func:`kpi_effects`, e.g. the level-change-only model
    ``t + post + H`` of Lopez Bernal et al. (2017), which the analysis plan does not use.

    Parameters
    ----------
    series, intervention_month
        As for :func:`kpi_effects`.
    terms
        Model terms besides the intercept (and the harmonic pairs).
    harmonic
        Add two sine/cosine pairs of calendar month (period 12), see :func:`harmonic_terms`.
    alpha
        1 - confidence level of the Wald intervals.

    Returns
    -------
    pandas.DataFrame
        One row per coefficient, columns :data:`COEFFICIENT_COLUMNS`: ``estimate`` is
        :math:`\exp(\hat\beta)`, the interval :math:`\exp(\hat\beta \pm z_{1-\alpha/2}\,
        \widehat{\mathrm{se}})` with :math:`\widehat{\mathrm{se}}` scaled by the Pearson
        dispersion :math:`\hat\phi = X^2/(n-p)`, ``p_value`` the two-sided normal Wald p.

    Raises
    ------
    ValueError
        For bad input, an unknown term, or data that cannot support the model (the
        message says why).

    References
    ----------
    Lopez Bernal J, Cummins S, Gasparrini A (2017) Int J Epidemiol 46:348-355.
    """
    unknown = [t for t in terms if t not in MODEL_TERMS]
    if unknown or len(set(terms)) != len(terms):
        raise ValueError(f"terms must be distinct names among {MODEL_TERMS}, got {list(terms)}")
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must lie between 0 and 1, got {alpha}")
    s, _ = _prepare(series, intervention_month)
    X = _design_matrix(s, list(terms), harmonic=harmonic)
    if X.shape[1] >= len(s):
        raise ValueError(f"{len(s)} usable months cannot support {X.shape[1]} coefficients")
    try:
        res, collapsed_eid = _fit(X, s)
        rows = [{"term": term, **_wald(res, term, alpha)} for term in X.columns
                if not (term == "eid" and collapsed_eid)]
    except _NoFit as exc:
        raise ValueError(str(exc)) from exc
    out = pd.DataFrame(rows).assign(dispersion=float(res.scale), n=len(s))
    return out[list(COEFFICIENT_COLUMNS)]


def kpi_fit(series: pd.DataFrame, intervention_month: str, *, harmonic: bool = False,
            eid: bool = True, multiplier: float = 1.0, alpha: float = 0.05) -> KpiFit:
    """Effects (:func:`kpi_effects`) and chart lines (:func:`its_lines`) of one monthly rate,
    fitting each model once.  Parameters as for :func:`kpi_effects`."""
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must lie between 0 and 1, got {alpha}")
    if not np.isfinite(multiplier) or multiplier <= 0:
        raise ValueError(f"multiplier must be a positive number, got {multiplier}")
    s, left_out = _prepare(series, intervention_month)
    pre, post = s[s["post"] == 0], s[s["post"] == 1]
    common = {
        "n_pre": len(pre), "n_post": len(post),
        "pre_value": (pre["numerator"].sum() / pre["exposure"].sum() * multiplier
                      if len(pre) else np.nan),
        "post_value": (post["numerator"].sum() / post["exposure"].sum() * multiplier
                       if len(post) else np.nan),
    }
    gap_note = (f"{left_out} month(s) without a numerator or a non-zero exposure left out"
                if left_out else "")
    if s.empty:
        rows = [_row(m, status="not_reported", note="no month with both numerator and a "
                     "non-zero exposure", **common)
                for m in ("rate_ratio_step", "its_level", "its_slope")]
        return KpiFit(_frame(rows), _empty_lines())
    eid_terms, eid_note = _eid_terms(s, eid)
    rows = [_step(s, eid_terms, common, alpha)]
    its_rows, lines = _its(s, eid_terms, common, alpha, harmonic=harmonic,
                           multiplier=multiplier)
    rows += its_rows
    for row in rows:
        row["note"] = _joined(row["note"], gap_note, eid_note if row["status"] == "ok" else "")
    return KpiFit(_frame(rows), lines)


def kpi_effects(series: pd.DataFrame, intervention_month: str, *, harmonic: bool = False,
                eid: bool = True, multiplier: float = 1.0, alpha: float = 0.05) -> pd.DataFrame:
    r"""Before/after effects of the programme on one monthly rate (SPEC §6).

    Parameters
    ----------
    series
        One enterprise's indicator: columns ``month`` (``YYYY-MM``),
        ``numerator``, ``exposure`` and optionally ``eid`` (0/1; by default taken
        from :func:`score_analysis.eid.eid_months`).  Months whose numerator or
        exposure is missing, or whose exposure is zero, are left out (SPEC §5)
        and counted in ``note``.  ``t`` counts calendar months from the first
        usable month, so a gap keeps the numbering.
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

    Raises
    ------
    ValueError
        When a column is missing, a month is malformed or repeated, or a numerator or
        exposure is not a number, infinite or negative.

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
    95% CI :math:`\exp(\hat\beta \pm 1.96\,\widehat{\mathrm{se}})`, p from
    :math:`z = \hat\beta/\widehat{\mathrm{se}}`.  ``its_level_hac`` replaces
    :math:`\widehat{\mathrm{se}}` by the Newey-West standard error (Bartlett weights
    :math:`1 - j/(L+1)`, :math:`L` = :func:`newey_west_lag`, factor :math:`n/(n-p)`), as
    ``lmtest::coeftest(fit, vcov = sandwich::NeweyWest(fit, lag = L, prewhite = FALSE,
    adjust = TRUE))``.

    References
    ----------
    Lopez Bernal, Cummins & Gasparrini (2017), Int J Epidemiol 46:348-355;
    Newey & West (1987) Econometrica 55:703-708; Zeileis A (2004) J Stat Softw 11(10).
    """
    return kpi_fit(series, intervention_month, harmonic=harmonic, eid=eid,
                   multiplier=multiplier, alpha=alpha).effects


def _frame(rows: list[dict]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=list(EFFECT_COLUMNS))


def _empty_lines() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object if c == "month" else float)
                         for c in LINE_COLUMNS})


def _step(s: pd.DataFrame, eid_terms: list[str], common: dict, alpha: float) -> dict:
    terms = ["post", *eid_terms]
    label = " + ".join(terms)
    try:
        if common["n_pre"] < MIN_STEP or common["n_post"] < MIN_STEP:
            raise _NoFit(f"needs at least {MIN_STEP} months before and {MIN_STEP} after; "
                         f"has {common['n_pre']} before and {common['n_post']} after")
        why = _degenerate(s)
        if why:
            raise _NoFit(why)
        res, note = _fit(_design_matrix(s, terms, harmonic=False), s)
        return _row("rate_ratio_step", terms=label, dispersion=float(res.scale), note=note,
                    **_wald(res, "post", alpha), **common)
    except _NoFit as exc:
        return _row("rate_ratio_step", status="insufficient_data", terms=label, note=str(exc),
                    **common)


def _its_terms(eid_terms: list[str], harmonic: bool) -> str:
    return " + ".join(["t", "post", "t_after", *eid_terms, *(["harmonic"] if harmonic else [])])


def _its_model(s: pd.DataFrame, eid_terms: list[str], *, harmonic: bool):
    """The fitted segmented regression and its design, or :class:`_NoFit` saying why not."""
    n_pre, n_post = int((s["post"] == 0).sum()), int((s["post"] == 1).sum())
    if n_pre < MIN_ITS or n_post < MIN_ITS:
        raise _NoFit(f"needs at least {MIN_ITS} months before and {MIN_ITS} after; "
                     f"has {n_pre} before and {n_post} after")
    why = _degenerate(s)
    if why:
        raise _NoFit(why)
    X = _design_matrix(s, ["t", "post", "t_after", *eid_terms], harmonic=harmonic)
    if X.shape[1] >= len(s):
        raise _NoFit(f"{len(s)} months are too few for the {X.shape[1]} model coefficients")
    res, note = _fit(X, s)
    return X, res, note


def _its(s: pd.DataFrame, eid_terms: list[str], common: dict, alpha: float, *,
         harmonic: bool, multiplier: float) -> tuple[list[dict], pd.DataFrame]:
    label = _its_terms(eid_terms, harmonic)
    try:
        X, res, note = _its_model(s, eid_terms, harmonic=harmonic)
        diag = its_diagnostics(res)
        rows = [_row("its_level", terms=label, note=note, **_wald(res, "post", alpha), **diag,
                     **common),
                _row("its_slope", terms=label, note=note, **_wald(res, "t_after", alpha),
                     **diag, **common)]
    except _NoFit as exc:
        return [_row(m, status="insufficient_data", terms=label, note=str(exc), **common)
                for m in ("its_level", "its_slope")], _empty_lines()
    if diag["ljung_box_p"] < LJUNG_BOX_ALPHA:
        rows.append(_hac_row(s, X, diag, label, common, alpha))
    return rows, _lines(s, X, res, multiplier)


def _hac_row(s: pd.DataFrame, X: pd.DataFrame, diag: dict, label: str, common: dict,
             alpha: float) -> dict:
    lag = newey_west_lag(len(s))
    why = (f"sensitivity: Newey-West standard errors (lag {lag}) because the residuals are "
           f"autocorrelated (Ljung-Box p = {diag['ljung_box_p']:.3g})")
    try:
        hac, note = _fit(X, s, cov_type="HAC",
                         cov_kwds={"maxlags": lag, "use_correction": True})
        return _row("its_level_hac", terms=label, hac_lag=lag, note=_joined(why, note),
                    **_wald(hac, "post", alpha), **diag, **common)
    except _NoFit as exc:
        return _row("its_level_hac", status="insufficient_data", terms=label, hac_lag=lag,
                    note=_joined(why, str(exc)), **diag, **common)


def its_diagnostics(res) -> dict:
    r"""Dispersion, Durbin-Watson and Ljung-Box (lag 6) p of a fitted rate model.

    On the Pearson residuals :math:`e_t = (y_t - \hat\mu_t)/\sqrt{\hat\mu_t}`, in month
    order (a gap in the series is not filled):
    Durbin-Watson :math:`d = \sum_{t\ge2} (e_t - e_{t-1})^2 / \sum_t e_t^2`; Ljung-Box
    :math:`Q = n(n+2)\sum_{k=1}^{6} \hat\rho_k^2/(n-k)` against :math:`\chi^2_6`, with
    :math:`\hat\rho_k` the autocorrelations of the mean-centred residuals; dispersion
    :math:`\hat\phi = \sum_t e_t^2/(n-p)`.
    R: ``sum(diff(e)^2)/sum(e^2)`` and
    ``Box.test(residuals(fit, "pearson"), lag = 6, type = "Ljung-Box")``.

    References
    ----------
    Durbin J, Watson GS (1950) Biometrika 37:409-428;
    Ljung GM, Box GEP (1978) Biometrika 65:297-303.
    """
    from statsmodels.stats.diagnostic import acorr_ljungbox
    from statsmodels.stats.stattools import durbin_watson

    resid = np.asarray(res.resid_pearson, dtype=float)
    lb = np.nan
    if len(resid) > LJUNG_BOX_LAG and np.var(resid) > 0:
        lb = float(acorr_ljungbox(resid, lags=[LJUNG_BOX_LAG])["lb_pvalue"].iloc[0])
    dw = float(durbin_watson(resid)) if np.any(resid != 0) else np.nan
    return {"dispersion": float(res.scale), "durbin_watson": dw, "ljung_box_p": lb}


def _lines(s: pd.DataFrame, X: pd.DataFrame, res, multiplier: float) -> pd.DataFrame:
    beta = np.asarray(res.params, dtype=float)
    counterfactual = X.assign(post=0.0, t_after=0.0)
    return pd.DataFrame({
        "month": s["month"].to_numpy(),
        "observed": s["numerator"].to_numpy() / s["exposure"].to_numpy() * multiplier,
        "fitted": np.exp(X.to_numpy(float) @ beta) * multiplier,
        "counterfactual": np.exp(counterfactual.to_numpy(float) @ beta) * multiplier,
    })


def its_lines(series: pd.DataFrame, intervention_month: str, *, harmonic: bool = False,
              eid: bool = True, multiplier: float = 1.0) -> pd.DataFrame:
    """Observed rates, the fitted segmented trend and the counterfactual, for charts.

    The counterfactual continues the pre-intervention trend (``post`` and
    ``t_after`` set to 0), keeping the eid and seasonal terms, as in Lopez
    Bernal et al. (2017, Fig. 2).  Rates are multiplied by ``multiplier``.
    Returns an empty frame (columns :data:`LINE_COLUMNS`) when the segmented model
    cannot be fitted.  :func:`kpi_fit` gives these lines together with the effects.
    """
    s, _ = _prepare(series, intervention_month)
    if s.empty:
        return _empty_lines()
    eid_terms, _ = _eid_terms(s, eid)
    try:
        X, res, _ = _its_model(s, eid_terms, harmonic=harmonic)
    except _NoFit:
        return _empty_lines()
    return _lines(s, X, res, multiplier)
