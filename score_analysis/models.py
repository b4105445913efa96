r"""KPI models of the statistical analysis plan, version 2 (docs/analysis_plan.md §3).

Every monthly KPI is a rate, numerator / exposure.  Every model is a GLM with a log
link, quasi-Poisson family, the numerator as the response and ``log(exposure)`` as
offset.  Version 2 of the plan fixes how uncertainty is measured:

* the dispersion is the Pearson :math:`X^2/(n-p)` **floored at 1**, so an interval is
  never narrower than the Poisson one;
* the standard error of every coefficient and of every linear combination is the
  **larger** of the model-based one (with that dispersion) and the Newey-West one
  (``sandwich::NeweyWest(fit, lag = L, prewhite = FALSE, adjust = TRUE)``,
  :math:`L = \lfloor 4 (n/100)^{2/9} \rfloor`), with Wald intervals and p-values on
  the normal quantile;
* a model is fitted only when its numerator sums to at least :data:`MIN_EVENTS` over
  the months before and over the months after that it uses (the events rule).

Rows returned by :func:`kpi_effects` (one per method, :data:`KPI_METHODS`):

``its_level``, ``its_slope``, ``its_effect_end``
    segmented regression ``num ~ t + post + t_after [+ eid]``: the step at the
    programme start ``exp(b_post)``, the change of the monthly trend
    ``exp(b_t_after)`` and the fitted-over-counterfactual ratio at the last month
    ``exp(b_post + b_t_after (t_last - t0))``.  At least 6 months before and 6 after.
``rate_ratio_step``
    ``num ~ post [+ eid]``: the naive before/after ratio, a sensitivity row (3 + 3 months).
``its_level_harmonic``, ``its_level_phase_in``, ``its_level_no_eid``, ``placebo_level``
    sensitivity rows of ``its_level``: with two sine/cosine pairs of the calendar month;
    without the three months of phase-in (the step then measured at t0 + 3); without the
    Idul Fitri months; and a placebo start halfway through the months before the
    programme (expected near 1).

References
----------
Lopez Bernal J, Cummins S, Gasparrini A (2017). Interrupted time series regression for
the evaluation of public health interventions: a tutorial. Int J Epidemiol
46(1):348-355. doi:10.1093/ije/dyw098.

Wagner AK, Soumerai SB, Zhang F, Ross-Degnan D (2002). Segmented regression analysis of
interrupted time series studies in medication use research. J Clin Pharm Ther
27(4):299-309.

Newey WK, West KD (1987). A simple, positive semi-definite, heteroskedasticity and
autocorrelation consistent covariance matrix. Econometrica 55(3):703-708; Newey WK, West
KD (1994). Automatic lag selection in covariance matrix estimation. Rev Econ Stud
61(4):631-653; Zeileis A (2004). Econometric computing with HC and HAC covariance matrix
estimators. J Stat Softw 11(10).
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
MIN_PLACEBO = 4  # months each side of the placebo start
MIN_EVENTS = 10  # events before and after that a model needs (the events rule)
PHASE_IN = 3  # months left out after the programme start by its_level_phase_in
LJUNG_BOX_LAG = 6
#: Terms a KPI model may contain besides the intercept and the harmonic pairs.
MODEL_TERMS = ("t", "post", "t_after", "eid")

#: The KPI methods of the plan, in the order of the results table.
KPI_METHODS = ("its_level", "its_slope", "its_effect_end", "rate_ratio_step",
               "its_level_harmonic", "its_level_phase_in", "its_level_no_eid", "placebo_level")
#: The sensitivity rows of ``its_level`` ("How robust is this?"), in the order shown.
SENSITIVITY_METHODS = ("its_level_harmonic", "its_level_phase_in", "its_level_no_eid",
                       "rate_ratio_step", "placebo_level")

#: Columns of the frame returned by :func:`kpi_effects`.
EFFECT_COLUMNS = (
    "method", "status", "n_pre", "n_post", "pre_value", "post_value", "estimate",
    "estimate_scale", "se", "ci_low", "ci_high", "p_value", "dispersion", "raw_dispersion",
    "se_model", "se_newey_west", "durbin_watson", "ljung_box_p", "hac_lag", "terms", "note",
)

#: Columns of the frame returned by :func:`its_lines`.
LINE_COLUMNS = ("month", "observed", "fitted", "counterfactual")

#: Columns of the frame returned by :func:`rate_model_coefficients`.
COEFFICIENT_COLUMNS = ("term", "coefficient", "se_model", "se_newey_west", "se", "se_used",
                       "estimate", "ci_low", "ci_high", "p_value", "dispersion",
                       "raw_dispersion", "hac_lag", "n")

_MONTH = re.compile(r"\d{4}-(0[1-9]|1[0-2])")
_SCALES = dict.fromkeys(KPI_METHODS, "rate_ratio") | {"its_slope": "slope_ratio"}


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



def model_data(series: pd.DataFrame, intervention_month: str) -> pd.DataFrame:
    """The months a KPI model uses, with the columns of the plan (docs/analysis_plan.md §3).

    ``month``, ``numerator``, ``exposure``, ``t`` (months since the first usable month,
    gaps keep their numbering), ``post``, ``t_after``, ``eid`` and ``calendar_month``;
    months whose numerator or exposure is missing, or whose exposure is zero, are left
    out.  Raises ValueError for malformed input (see :func:`kpi_effects`).
    """
    return _prepare(series, intervention_month)[0]


def _design(s: pd.DataFrame, terms, *, harmonic: bool = False) -> tuple[np.ndarray, list[str]]:
    names = ["const", *terms]
    cols = [np.ones(len(s))] + [s[t].to_numpy(dtype=float) for t in terms]
    if harmonic:
        h = harmonic_terms(s["calendar_month"].to_numpy())
        names += list(h.columns)
        cols += [h[c].to_numpy() for c in h.columns]
    return np.column_stack(cols), names


def _design_matrix(s: pd.DataFrame, terms, *, harmonic: bool) -> pd.DataFrame:
    X, names = _design(s, terms, harmonic=harmonic)
    return pd.DataFrame(X, columns=names)


#: A fitted count below this fraction of the mean count has collapsed to zero.
_COLLAPSED = 1e-8


@dataclass(frozen=True)
class RateFit:
    r"""One quasi-Poisson rate model with the standard errors of plan version 2.

    ``params`` are the log-scale coefficients (named by ``names``); ``cov_model`` is
    :math:`\phi (X^\top W X)^{-1}` with :math:`\phi = \max(1, X^2/(n-p))`
    (``dispersion``; ``raw_dispersion`` is :math:`X^2/(n-p)` itself) and
    ``cov_newey_west`` the Newey-West covariance with lag ``lag``.  :meth:`combination`
    gives the estimate and both standard errors of any :math:`c^\top\beta`.
    ``dropped`` names a coefficient that is not estimable (the eid term when every Idul
    Fitri month is zero) and is left out of the covariances.
    """

    names: tuple[str, ...]
    params: np.ndarray
    cov_model: np.ndarray
    cov_newey_west: np.ndarray
    dispersion: float
    raw_dispersion: float
    lag: int
    n: int
    fitted: np.ndarray
    pearson: np.ndarray
    note: str = ""

    def combination(self, weights: dict[str, float]) -> dict:
        """Estimate ``b`` and the standard errors of ``sum(w * beta)`` over ``weights``."""
        c = np.zeros(len(self.names))
        for name, w in weights.items():
            c[self.names.index(name)] = w
        b = float(c @ self.params)
        se_m = float(np.sqrt(max(c @ self.cov_model @ c, 0.0)))
        se_nw = float(np.sqrt(max(c @ self.cov_newey_west @ c, 0.0)))
        return {"coefficient": b, "se_model": se_m, "se_newey_west": se_nw,
                "se": max(se_m, se_nw)}


def fit_rate_model(data: pd.DataFrame, terms, *, harmonic: bool = False) -> RateFit:
    r"""Fit ``glm(numerator ~ <terms> [+ H] + offset(log(exposure)), quasipoisson)``.

    ``data`` is :func:`model_data` (or a subset of its rows); ``terms`` a list of its
    columns.  The dispersion is floored at 1 and both covariances are returned (see
    :class:`RateFit`).  The Newey-West covariance is statsmodels'
    ``cov_hac(fit, nlags=L, use_correction=True)`` (Bartlett weights
    :math:`1 - j/(L+1)`, small-sample factor :math:`n/(n-p)`), which equals R's
    ``sandwich::NeweyWest(fit, lag = L, prewhite = FALSE, adjust = TRUE)``.

    Raises
    ------
    ValueError
        When the model cannot be estimated (the message says why in plain words).
    """
    try:
        return _fit(data, list(terms), harmonic=harmonic)
    except _NoFit as exc:
        raise ValueError(str(exc)) from exc


def _fit(s: pd.DataFrame, terms: list[str], *, harmonic: bool = False) -> RateFit:
    import statsmodels.api as sm
    from statsmodels.stats.sandwich_covariance import cov_hac
    from statsmodels.tools.sm_exceptions import PerfectSeparationError

    X, names = _design(s, terms, harmonic=harmonic)
    n, p = X.shape
    if p >= n:
        raise _NoFit(f"{n} months are too few for the {p} model coefficients")
    y = s["numerator"].to_numpy(float)
    offset = np.log(s["exposure"].to_numpy(float))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            res = sm.GLM(y, X, family=sm.families.Poisson(), offset=offset).fit(scale="X2")
        except (np.linalg.LinAlgError, ValueError, PerfectSeparationError) as exc:
            raise _NoFit(f"the model could not be estimated ({exc})") from exc
    note, keep = _check_usable(res, y, X, names)
    if not keep.all():
        # the eid coefficient ran off to -inf: the limit of the model is the fit without
        # the (all-zero) Idul Fitri months and without the term, which is what R converges to
        rows = X[:, names.index("eid")] == 0
        X, names = X[rows][:, keep], [nm for nm, k in zip(names, keep, strict=True) if k]
        y, offset = y[rows], offset[rows]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = sm.GLM(y, X, family=sm.families.Poisson(), offset=offset).fit(scale="X2")
        n, p = X.shape
    raw = float(res.scale)
    phi = max(1.0, raw)
    lag = newey_west_lag(n)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        nw = np.asarray(cov_hac(res, nlags=lag, use_correction=True), dtype=float)
    return RateFit(names=tuple(names), params=np.asarray(res.params, dtype=float),
                   cov_model=phi * np.asarray(res.normalized_cov_params, dtype=float),
                   cov_newey_west=nw, dispersion=phi, raw_dispersion=raw, lag=lag, n=n,
                   fitted=np.asarray(res.fittedvalues, dtype=float),
                   pearson=np.asarray(res.resid_pearson, dtype=float), note=note)


def _check_usable(res, y: np.ndarray, X: np.ndarray, names: list[str]) -> tuple[str, np.ndarray]:
    """Raise :class:`_NoFit` when a fit has no finite, identifiable estimate.

    Fitted counts that collapse to zero mean that a coefficient ran off to infinity
    (the events are confined to one part of the series).  The one harmless case is
    the eid term when every Idul Fitri month has no event: its coefficient diverges,
    those months carry no weight in the other estimates (as in R), and the term is
    dropped with a note.  Returns the note and the mask of coefficients kept.
    """
    keep = np.ones(len(names), dtype=bool)
    params = np.asarray(res.params, dtype=float)
    bse = np.asarray(res.bse, dtype=float)
    if not (np.all(np.isfinite(params)) and np.all(np.isfinite(bse))):
        raise _NoFit("the model could not be estimated (non-finite coefficients)")
    mu = np.asarray(res.fittedvalues, dtype=float)
    collapsed = mu < _COLLAPSED * max(float(np.mean(y)), 1e-300)
    eid_col = X[:, names.index("eid")] if "eid" in names else None
    eid_only = bool(collapsed.any() and eid_col is not None
                    and np.all((eid_col[collapsed] == 1) & (y[collapsed] == 0)))
    if collapsed.any() and not eid_only:
        raise _NoFit("the events are confined to part of the series (fitted counts collapse "
                     "to zero), so the model has no finite estimate")
    if not res.converged:
        raise _NoFit("the model did not converge")
    if np.any(bse <= 0):
        raise _NoFit("the model could not be estimated (zero standard error)")
    if eid_only:
        keep[names.index("eid")] = False
        return ("every Idul Fitri month is zero, so the eid effect is not estimable and "
                "those months carry no weight"), keep
    return "", keep


def _wald(fit: RateFit, weights: dict[str, float], alpha: float) -> dict:
    """Exponentiated Wald estimate, CI and p of ``c'b`` with the larger standard error."""
    comb = fit.combination(weights)
    b, se = comb["coefficient"], comb["se"]
    z = stats.norm.ppf(1 - alpha / 2)
    with np.errstate(over="ignore", under="ignore"):
        est, lo, hi = np.exp([b, b - z * se, b + z * se])
    if not (np.isfinite(hi) and lo > 0):
        raise _NoFit("the interval is unbounded: the data cannot pin down this effect")
    return {"estimate": float(est), "ci_low": float(lo), "ci_high": float(hi),
            "p_value": float(2 * stats.norm.sf(abs(b / se))), "se": se,
            "se_model": comb["se_model"], "se_newey_west": comb["se_newey_west"],
            "dispersion": fit.dispersion, "raw_dispersion": fit.raw_dispersion,
            "hac_lag": fit.lag}


def _events(s: pd.DataFrame, post: str = "post") -> tuple[float, float]:
    after = s[post].to_numpy() == 1
    num = s["numerator"].to_numpy(float)
    return float(num[~after].sum()), float(num[after].sum())


def _fmt_events(x: float) -> str:
    return f"{x:g}"


def _check_events(s: pd.DataFrame, post: str = "post") -> None:
    """The events rule: at least :data:`MIN_EVENTS` events before and after."""
    before, after = _events(s, post)
    if before < MIN_EVENTS or after < MIN_EVENTS:
        raise _NoFit(f"too few events ({_fmt_events(before)} before, {_fmt_events(after)} "
                     f"after; a model needs {MIN_EVENTS} on each side)")


def _check_months(s: pd.DataFrame, least: int, post: str = "post", what: str = "") -> None:
    after = int((s[post] == 1).sum())
    before = len(s) - after
    if before < least or after < least:
        raise _NoFit(f"needs at least {least} months before and {least} after{what}; "
                     f"has {before} before and {after} after")


def _degenerate(s: pd.DataFrame) -> str | None:
    """Why a series cannot give a rate ratio (a constant rate), or None."""
    rate = (s["numerator"] / s["exposure"]).to_numpy(float)
    if len(rate) and np.ptp(rate) <= 1e-12 * np.max(rate) and np.max(rate) > 0:
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


def _eid_terms(s: pd.DataFrame, eid: bool) -> list[str]:
    """The eid rule (plan v2): the term enters a model whose months include at least one
    eid month and at least one other month."""
    if not eid or s.empty:
        return []
    flags = s["eid"].to_numpy()
    return ["eid"] if (flags == 1).any() and (flags == 0).any() else []


def _period(s: pd.DataFrame, post: str, multiplier: float) -> dict:
    """n and pooled rates (sum of numerators / sum of exposures) each side of ``post``."""
    after = s[post].to_numpy() == 1
    num, exp_ = s["numerator"].to_numpy(float), s["exposure"].to_numpy(float)
    out = {"n_pre": int((~after).sum()), "n_post": int(after.sum())}
    for key, mask in (("pre_value", ~after), ("post_value", after)):
        out[key] = (num[mask].sum() / exp_[mask].sum() * multiplier) if mask.any() else np.nan
    return out


def rate_model_coefficients(series: pd.DataFrame, intervention_month: str, *,
                            terms=("t", "post", "t_after"), harmonic: bool = False,
                            alpha: float = 0.05) -> pd.DataFrame:
    r"""Every coefficient of one quasi-Poisson rate model, with both standard errors.

    A reviewer's table: it fits
    ``glm(numerator ~ <terms> [+ H] + offset(log(exposure)), family = quasipoisson)``
    for any subset of :data:`MODEL_TERMS` (``t``, ``post``, ``t_after``, ``eid``) with the
    same data handling and standard-error rule as :func:`kpi_effects`.

    Returns
    -------
    pandas.DataFrame
        One row per coefficient, columns :data:`COEFFICIENT_COLUMNS`: ``coefficient`` is
        :math:`\hat\beta` (log scale), ``se_model`` its model-based standard error with the
        dispersion :math:`\max(1, X^2/(n-p))`, ``se_newey_west`` the Newey-West one,
        ``se`` the larger (``se_used`` says which: ``model`` or ``newey_west``);
        ``estimate`` and the interval are :math:`\exp(\hat\beta \pm z_{1-\alpha/2}\,
        \mathrm{se})`, ``p_value`` the two-sided normal Wald p.

    Raises
    ------
    ValueError
        For bad input, an unknown term, or data that cannot support the model.

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
    try:
        fit = _fit(s, list(terms), harmonic=harmonic)
        rows = []
        for term in fit.names:
            w = _wald(fit, {term: 1.0}, alpha)
            rows.append({"term": term, "coefficient": float(np.log(w["estimate"])),
                         "se_used": ("newey_west" if w["se_newey_west"] > w["se_model"]
                                     else "model"), **w})
    except _NoFit as exc:
        raise ValueError(str(exc)) from exc
    out = pd.DataFrame(rows).assign(n=fit.n)
    out["coefficient"] = fit.params
    return out[list(COEFFICIENT_COLUMNS)]


def kpi_fit(series: pd.DataFrame, intervention_month: str, *, eid: bool = True,
            multiplier: float = 1.0, alpha: float = 0.05) -> KpiFit:
    """Effects (:func:`kpi_effects`) and chart lines (:func:`its_lines`) of one monthly rate,
    fitting each model once.  Parameters as for :func:`kpi_effects`."""
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must lie between 0 and 1, got {alpha}")
    if not np.isfinite(multiplier) or multiplier <= 0:
        raise ValueError(f"multiplier must be a positive number, got {multiplier}")
    s, left_out = _prepare(series, intervention_month)
    gap_note = (f"{left_out} month(s) without a numerator or a non-zero exposure left out"
                if left_out else "")
    if s.empty:
        rows = [_row(m, status="not_reported", n_pre=0, n_post=0,
                     note="no month with both numerator and a non-zero exposure")
                for m in KPI_METHODS]
        return KpiFit(_frame(rows), _empty_lines())
    rows, its = _its_rows(s, eid, alpha, multiplier)
    rows.append(_step_row(s, eid, alpha, multiplier))
    rows.append(_variant_row("its_level_harmonic", s, eid, alpha, multiplier, harmonic=True))
    rows.append(_phase_in_row(s, eid, alpha, multiplier))
    rows.append(_no_eid_row(s, alpha, multiplier))
    rows.append(_placebo_row(s, eid, alpha, multiplier))
    for row in rows:
        row["note"] = _joined(row["note"], gap_note)
    lines = _lines(s, its, multiplier) if its is not None else _empty_lines()
    return KpiFit(_frame(rows), lines)


def kpi_effects(series: pd.DataFrame, intervention_month: str, *, eid: bool = True,
                multiplier: float = 1.0, alpha: float = 0.05) -> pd.DataFrame:
    r"""Effects of the programme on one monthly rate (plan version 2).

    Parameters
    ----------
    series
        One enterprise's indicator: columns ``month`` (``YYYY-MM``), ``numerator``,
        ``exposure`` and optionally ``eid`` (0/1; by default taken from
        :func:`score_analysis.eid.eid_months`).  Months whose numerator or exposure is
        missing, or whose exposure is zero, are left out and counted in ``note``.
        ``t`` counts calendar months from the first usable month, so a gap keeps the
        numbering.
    intervention_month
        First month counted as "after" (``YYYY-MM``).
    eid
        Allow the Idul Fitri indicator.  It enters every model whose months include at
        least one eid month and at least one other month.
    multiplier
        Scale of ``pre_value`` and ``post_value`` (e.g. 100 for %).
    alpha
        1 - confidence level of the Wald intervals.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`EFFECT_COLUMNS`, one row per method of :data:`KPI_METHODS`.
        ``status`` is ``ok``, ``insufficient_data`` (with a ``note`` saying what is
        missing; ``pre_value``/``post_value`` still given) or ``not_reported`` (no usable
        month at all).  ``se`` is the standard error used, on the log scale.

    Raises
    ------
    ValueError
        When a column is missing, a month is malformed or repeated, or a numerator or
        exposure is not a number, infinite or negative.

    Notes
    -----
    With :math:`\mu_t = E(y_t)` and exposure :math:`E_t`, the segmented model is

    .. math::

        \log \mu_t = \log E_t + \beta_0 + \beta_1 t + \beta_2 \mathrm{post}_t
                     + \beta_3 t_{\mathrm{after}} \;[+\; \gamma\, \mathrm{eid}_t]

    :math:`\mathrm{Var}(y_t) = \phi\mu_t` with :math:`\phi = \max(1, X^2/(n-p))`.
    ``its_level`` = :math:`e^{\beta_2}`, ``its_slope`` = :math:`e^{\beta_3}`,
    ``its_effect_end`` = :math:`e^{\beta_2 + \beta_3 (t_{last} - t_0)}`.  For each
    :math:`c^\top\beta`, :math:`\mathrm{se} = \max(\mathrm{se}_{model},
    \mathrm{se}_{NW})`; 95% CI :math:`\exp(c^\top\hat\beta \pm 1.96\,\mathrm{se})`, p
    from :math:`z = c^\top\hat\beta/\mathrm{se}`.  R:
    ``fit <- glm(num ~ t + post + t_after + eid + offset(log(exposure)), quasipoisson)``;
    ``V <- sandwich::NeweyWest(fit, lag = L, prewhite = FALSE, adjust = TRUE)``;
    ``se <- pmax(sqrt(diag(vcov(fit)) * max(1, phi) / phi), sqrt(diag(V)))``.

    References
    ----------
    Lopez Bernal, Cummins & Gasparrini (2017), Int J Epidemiol 46:348-355;
    Newey & West (1987) Econometrica 55:703-708; Zeileis A (2004) J Stat Softw 11(10).
    """
    return kpi_fit(series, intervention_month, eid=eid, multiplier=multiplier,
                   alpha=alpha).effects


def _frame(rows: list[dict]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=list(EFFECT_COLUMNS))


def _empty_lines() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object if c == "month" else float)
                         for c in LINE_COLUMNS})


_ITS = ["t", "post", "t_after"]


def _label(terms: list[str], harmonic: bool = False) -> str:
    return " + ".join([*terms, *(["harmonic"] if harmonic else [])])


def _its_model(s: pd.DataFrame, eid: bool, *, harmonic: bool = False,
               least: int = MIN_ITS, what: str = "") -> tuple[RateFit, list[str]]:
    """The fitted segmented regression and its terms, or :class:`_NoFit` saying why not."""
    _check_months(s, least, what=what)
    _check_events(s)
    why = _degenerate(s)
    if why:
        raise _NoFit(why)
    terms = [*_ITS, *_eid_terms(s, eid)]
    return _fit(s, terms, harmonic=harmonic), terms


def _its_rows(s: pd.DataFrame, eid: bool, alpha: float,
              multiplier: float) -> tuple[list[dict], RateFit | None]:
    common = _period(s, "post", multiplier)
    label = _label([*_ITS, *_eid_terms(s, eid)])
    methods = ("its_level", "its_slope", "its_effect_end")
    try:
        fit, terms = _its_model(s, eid)
        label = _label([t for t in terms if t in fit.names])
        diag = its_diagnostics(fit)
        span = float(s["t_after"].max())
        weights = ({"post": 1.0}, {"t_after": 1.0}, {"post": 1.0, "t_after": span})
        rows = [_row(m, terms=label, note=fit.note, **_wald(fit, w, alpha), **diag, **common)
                for m, w in zip(methods, weights, strict=True)]
        rows[2]["note"] = _joined(f"at the last month, {int(span)} months after the start",
                                  rows[2]["note"])
        return rows, fit
    except _NoFit as exc:
        return [_row(m, status="insufficient_data", terms=label, note=str(exc), **common)
                for m in methods], None


def _level_row(method: str, s: pd.DataFrame, eid: bool, alpha: float, multiplier: float, *,
               harmonic: bool = False, least: int = MIN_ITS, what: str = "",
               note: str = "") -> dict:
    """An ``its_level``-type row (exp(b_post)) of the segmented model on ``s``."""
    common = _period(s, "post", multiplier)
    label = _label([*_ITS, *_eid_terms(s, eid)], harmonic)
    try:
        fit, terms = _its_model(s, eid, harmonic=harmonic, least=least, what=what)
        label = _label([t for t in terms if t in fit.names], harmonic)
        return _row(method, terms=label, note=_joined(note, fit.note),
                    **_wald(fit, {"post": 1.0}, alpha), **its_diagnostics(fit), **common)
    except _NoFit as exc:
        return _row(method, status="insufficient_data", terms=label,
                    note=_joined(note, str(exc)), **common)


def _variant_row(method: str, s, eid, alpha, multiplier, *, harmonic: bool) -> dict:
    return _level_row(method, s, eid, alpha, multiplier, harmonic=harmonic,
                      note="sensitivity: two sine/cosine pairs of the calendar month")


def _step_row(s: pd.DataFrame, eid: bool, alpha: float, multiplier: float) -> dict:
    common = _period(s, "post", multiplier)
    terms = ["post", *_eid_terms(s, eid)]
    note = "sensitivity: the naive before/after ratio, which ignores any trend"
    try:
        _check_months(s, MIN_STEP)
        _check_events(s)
        why = _degenerate(s)
        if why:
            raise _NoFit(why)
        fit = _fit(s, terms)
        return _row("rate_ratio_step", terms=_label([t for t in terms if t in fit.names]),
                    note=_joined(note, fit.note), **_wald(fit, {"post": 1.0}, alpha), **common)
    except _NoFit as exc:
        return _row("rate_ratio_step", status="insufficient_data", terms=_label(terms),
                    note=_joined(note, str(exc)), **common)


def _phase_in_row(s: pd.DataFrame, eid: bool, alpha: float, multiplier: float) -> dict:
    t0 = _t0(s)
    start = t0 + PHASE_IN
    kept = s[(s["t"] < t0) | (s["t"] >= start)].copy()
    kept["post"] = (kept["t"] >= start).astype(float)
    kept["t_after"] = np.maximum(0.0, kept["t"] - start)
    return _level_row("its_level_phase_in", kept.reset_index(drop=True), eid, alpha,
                      multiplier, what=f" the {PHASE_IN} phase-in months",
                      note=f"sensitivity: the {PHASE_IN} months from the programme start left "
                           f"out; the step is the level once the programme is in place")


def _no_eid_row(s: pd.DataFrame, alpha: float, multiplier: float) -> dict:
    kept = s[s["eid"] != 1].reset_index(drop=True)
    left = len(s) - len(kept)
    return _level_row("its_level_no_eid", kept, False, alpha, multiplier,
                      note=f"sensitivity: {left} Idul Fitri month(s) left out, no eid term")


def _t0(s: pd.DataFrame) -> float:
    """``t`` of the intervention month (``t - t_after`` of any month after it)."""
    after = s[s["post"] == 1]
    if len(after):
        return float((after["t"] - after["t_after"]).iloc[0])
    return float(s["t"].max() + 1)  # every month is before: t0 lies past the data


def _placebo_row(s: pd.DataFrame, eid: bool, alpha: float, multiplier: float) -> dict:
    pre = s[s["post"] == 0].copy()
    tp = float(pre["t"].min() + len(pre) // 2) if len(pre) else np.nan
    pre["post"] = (pre["t"] >= tp).astype(float)
    pre["t_after"] = np.maximum(0.0, pre["t"] - tp)
    if len(pre):
        first = pd.Period(s["month"].iloc[0], freq="M")
        start = str(first + int(tp - float(s["t"].iloc[0])))
        note = (f"placebo: a pretend start in {start}, halfway through the months before the "
                f"programme (expected near 1)")
    else:
        note = "placebo: no month before the programme"
    return _level_row("placebo_level", pre.reset_index(drop=True), eid, alpha, multiplier,
                      least=MIN_PLACEBO, what=" the pretend start", note=note)


def its_diagnostics(fit: RateFit) -> dict:
    r"""Durbin-Watson and Ljung-Box (lag 6) p of a fitted rate model (:class:`RateFit`).

    Reported beside each segmented fit, never used to choose a model (plan v2).  On the
    Pearson residuals :math:`e_t = (y_t - \hat\mu_t)/\sqrt{\hat\mu_t}`, in month order (a
    gap in the series is not filled): Durbin-Watson
    :math:`d = \sum_{t\ge2} (e_t - e_{t-1})^2 / \sum_t e_t^2`; Ljung-Box
    :math:`Q = n(n+2)\sum_{k=1}^{6} \hat\rho_k^2/(n-k)` against :math:`\chi^2_6`, with
    :math:`\hat\rho_k` the autocorrelations of the mean-centred residuals.
    R: ``sum(diff(e)^2)/sum(e^2)`` and
    ``Box.test(residuals(fit, "pearson"), lag = 6, type = "Ljung-Box")``.

    References
    ----------
    Durbin J, Watson GS (1950) Biometrika 37:409-428;
    Ljung GM, Box GEP (1978) Biometrika 65:297-303.
    """
    from statsmodels.stats.diagnostic import acorr_ljungbox
    from statsmodels.stats.stattools import durbin_watson

    resid = fit.pearson
    lb = np.nan
    if len(resid) > LJUNG_BOX_LAG and np.var(resid) > 0:
        lb = float(acorr_ljungbox(resid, lags=[LJUNG_BOX_LAG])["lb_pvalue"].iloc[0])
    dw = float(durbin_watson(resid)) if np.any(resid != 0) else np.nan
    return {"durbin_watson": dw, "ljung_box_p": lb}



def _lines(s: pd.DataFrame, fit: RateFit, multiplier: float) -> pd.DataFrame:
    terms = [n for n in fit.names if n != "const"]
    X, names = _design(s, [t for t in terms if t in MODEL_TERMS])
    beta = fit.params
    cf = s.assign(post=0.0, t_after=0.0)
    Xc, _ = _design(cf, [t for t in terms if t in MODEL_TERMS])
    return pd.DataFrame({
        "month": s["month"].to_numpy(),
        "observed": s["numerator"].to_numpy() / s["exposure"].to_numpy() * multiplier,
        "fitted": np.exp(X @ beta) * multiplier,
        "counterfactual": np.exp(Xc @ beta) * multiplier,
    })


def its_lines(series: pd.DataFrame, intervention_month: str, *, eid: bool = True,
              multiplier: float = 1.0) -> pd.DataFrame:
    """Observed rates, the fitted segmented trend and the counterfactual, for charts.

    The counterfactual continues the pre-intervention trend (``post`` and ``t_after`` set
    to 0), keeping the eid term, as in Lopez Bernal et al. (2017, Fig. 2).  Rates are
    multiplied by ``multiplier``.  Returns an empty frame (columns :data:`LINE_COLUMNS`)
    when the segmented model cannot be fitted.  :func:`kpi_fit` gives these lines
    together with the effects.
    """
    s, _ = _prepare(series, intervention_month)
    if s.empty:
        return _empty_lines()
    try:
        fit, _ = _its_model(s, eid)
    except _NoFit:
        return _empty_lines()
    return _lines(s, fit, multiplier)
