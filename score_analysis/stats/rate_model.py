r"""The quasi-Poisson rate model of every monthly KPI (docs/analysis_plan.md §3): the
model data, one fit with its two covariance matrices, and the inference on a coefficient or
a linear combination of coefficients.

Every monthly KPI is a rate, numerator / exposure.  Every model is a GLM with a log link,
quasi-Poisson family, the numerator as the response and ``log(exposure)`` as offset; the
dispersion is the Pearson :math:`X^2/(n-p)` floored at 1 and the standard error of every
coefficient and linear combination is the larger of the model-based one and the Newey-West
one.  The rows of the results table built from these fits are in :mod:`.its`.

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

LJUNG_BOX_LAG = 6

#: Terms a KPI model may contain besides the intercept and the harmonic pairs.
MODEL_TERMS = ("t", "post", "t_after", "eid")

#: Columns of the frame returned by :func:`rate_model_coefficients`.
COEFFICIENT_COLUMNS = ("term", "coefficient", "se_model", "se_newey_west", "se", "se_used",
                       "estimate", "ci_low", "ci_high", "p_value", "dispersion",
                       "raw_dispersion", "hac_lag", "n")

_MONTH = re.compile(r"\d{4}-(0[1-9]|1[0-2])")


class _NoFit(Exception):
    """A model that the data cannot support; the message says why, in plain words."""


def newey_west_lag(n: int) -> int:
    """Newey-West truncation lag ``floor(4 * (n / 100) ** (2 / 9))`` (Newey & West 1994)."""
    if n < 1:
        raise ValueError(f"newey_west_lag needs at least one observation, got {n}")
    return int(np.floor(4.0 * (n / 100.0) ** (2.0 / 9.0)))


def harmonic_terms(calendar_month, pairs: int = 2, period: int = 12) -> pd.DataFrame:
    r"""Fourier terms of the calendar month for the optional seasonality (docs/analysis_plan.md).

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


class _Data:
    """The months a model uses, as numpy columns.

    The plan fits some eight models per indicator; doing their bookkeeping on small
    pandas frames cost far more than the fits themselves, so the models work on plain
    arrays: ``d["t"]`` is a column, ``d[mask]`` the months where ``mask`` holds.
    """

    __slots__ = ("cols",)

    def __init__(self, cols: dict[str, np.ndarray]) -> None:
        self.cols = cols

    def __len__(self) -> int:
        return len(self.cols["numerator"])

    def __getitem__(self, key):
        if isinstance(key, str):
            return self.cols[key]
        return _Data({k: v[key] for k, v in self.cols.items()})

    def __contains__(self, key: str) -> bool:
        return key in self.cols

    @property
    def empty(self) -> bool:
        return len(self) == 0

    def assign(self, **columns) -> _Data:
        return _Data({**self.cols, **{k: np.asarray(v, dtype=float)
                                      for k, v in columns.items()}})

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame(self.cols)

    @classmethod
    def of(cls, frame: pd.DataFrame) -> _Data:
        cols = {"month": frame["month"].to_numpy(dtype=object)}
        for col in ("numerator", "exposure", "t", "post", "t_after", "eid", "calendar_month"):
            if col not in frame:
                raise ValueError(f"the model data lack the column {col!r} (see model_data)")
            cols[col] = frame[col].to_numpy(dtype=float)
        return cls(cols)


def _numbers(values: np.ndarray, months: np.ndarray, col: str) -> np.ndarray:
    """A numeric column; text, infinite or negative values raise ValueError."""
    num = pd.to_numeric(pd.Series(values, dtype=object), errors="coerce").to_numpy(float)
    given = pd.notna(pd.Series(values, dtype=object)).to_numpy()
    for bad, rule in ((np.isnan(num) & given, "is not a number"),
                      (np.isinf(num), "is infinite"),
                      (num < 0, "is negative (rates need non-negative counts and exposures)")):
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise ValueError(f"series: {col} of month {months[i]} {rule}: {values[i]!r}")
    return num


def _prepare(series: pd.DataFrame, intervention_month: str) -> tuple[_Data, int]:
    """Validate the model input and derive t, post, t_after, eid and the calendar month.

    Returns the usable months (sorted) and how many months were left out because their
    numerator or exposure is missing or the exposure is zero (docs/analysis_plan.md §2).
    """
    if not isinstance(series, pd.DataFrame):
        raise ValueError(f"series must be a pandas DataFrame, got {type(series).__name__}")
    missing = {"month", "numerator", "exposure"} - set(series.columns)
    if missing:
        raise ValueError(f"series lacks the column(s) {sorted(missing)}")
    i0 = _month_number(intervention_month, "intervention_month")
    months = series["month"].to_numpy(dtype=object)
    idx = np.array([_month_number(m, "every month of the series") for m in months], dtype=int)
    uniq, counts = np.unique(idx, return_counts=True)
    if (counts > 1).any():
        dup = months[np.flatnonzero(idx == uniq[counts > 1][0])[0]]
        raise ValueError(f"series: month {dup} appears more than once")
    num = _numbers(series["numerator"].to_numpy(dtype=object), months, "numerator")
    exp_ = _numbers(series["exposure"].to_numpy(dtype=object), months, "exposure")
    if "eid" in series:
        eid = pd.to_numeric(series["eid"], errors="coerce").to_numpy(float)
        if not np.isin(eid, [0, 1]).all():
            raise ValueError("series: eid must be 0 or 1 in every month")
    else:
        from ..data.eid import eid_months

        flagged = eid_months()
        eid = np.array([m in flagged for m in months], dtype=float)
    order = np.argsort(idx, kind="stable")
    keep = ~np.isnan(num) & ~np.isnan(exp_) & (exp_ > 0)
    left_out = int((~keep).sum())
    order = order[keep[order]]
    idx = idx[order]
    first = int(idx.min()) if len(idx) else i0
    return _Data({
        "month": months[order], "numerator": num[order], "exposure": exp_[order],
        "t": (idx - first).astype(float), "post": (idx >= i0).astype(float),
        "t_after": np.maximum(0, idx - i0).astype(float), "eid": eid[order],
        "calendar_month": (idx % 12 + 1).astype(float),
    }), left_out


def model_data(series: pd.DataFrame, intervention_month: str) -> pd.DataFrame:
    """The months a KPI model uses, with the columns of the plan (docs/analysis_plan.md §3).

    ``month``, ``numerator``, ``exposure``, ``t`` (months since the first usable month,
    gaps keep their numbering), ``post``, ``t_after``, ``eid`` and ``calendar_month``;
    months whose numerator or exposure is missing, or whose exposure is zero, are left
    out.  Raises ValueError for malformed input (see :func:`kpi_effects`).
    """
    return _prepare(series, intervention_month)[0].frame()


def _design(s: _Data, terms, *, harmonic: bool = False) -> tuple[np.ndarray, list[str]]:
    names = ["const", *terms]
    cols = [np.ones(len(s))] + [s[t] for t in terms]
    if harmonic:
        m = s["calendar_month"]
        for k in (1, 2):
            names += [f"sin{k}", f"cos{k}"]
            cols += [np.sin(2 * np.pi * k * m / 12), np.cos(2 * np.pi * k * m / 12)]
    return np.column_stack(cols), names


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
        return _fit(_Data.of(data), list(terms), harmonic=harmonic)
    except _NoFit as exc:
        raise ValueError(str(exc)) from exc


def _fit(s: _Data, terms: list[str], *, harmonic: bool = False) -> RateFit:
    import statsmodels.api as sm
    from statsmodels.stats.sandwich_covariance import cov_hac
    from statsmodels.tools.sm_exceptions import PerfectSeparationError

    X, names = _design(s, terms, harmonic=harmonic)
    n, p = X.shape
    if p >= n:
        raise _NoFit(f"{n} months are too few for the {p} model coefficients")
    y = s["numerator"]
    offset = np.log(s["exposure"])
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



def its_diagnostics(fit: RateFit) -> dict:
    r"""Durbin-Watson and Ljung-Box (lag 6) p of a fitted rate model (:class:`RateFit`).

    Reported beside each segmented fit, never used to choose a model (plan v2).  On the
    Pearson residuals :math:`e_t = (y_t - \hat\mu_t)/\sqrt{\hat\mu_t}`, in month order (a
    gap in the series is not filled): Durbin-Watson
    :math:`d = \sum_{t\ge2} (e_t - e_{t-1})^2 / \sum_t e_t^2`; Ljung-Box
    :math:`Q = n(n+2)\sum_{k=1}^{6} \hat\rho_k^2/(n-k)` against :math:`\chi^2_6`, with
    :math:`\hat\rho_k` the autocorrelations of the mean-centred residuals (written out
    with numpy: statsmodels' ``acorr_ljungbox`` gives the same value at twenty times the
    cost, and the plan computes it for every fit).
    R: ``sum(diff(e)^2)/sum(e^2)`` and
    ``Box.test(residuals(fit, "pearson"), lag = 6, type = "Ljung-Box")``.

    References
    ----------
    Durbin J, Watson GS (1950) Biometrika 37:409-428;
    Ljung GM, Box GEP (1978) Biometrika 65:297-303.
    """
    resid = fit.pearson
    n = len(resid)
    lb = np.nan
    centred = resid - resid.mean()
    denom = float(centred @ centred)
    if n > LJUNG_BOX_LAG and denom > 0:
        lags = np.arange(1, LJUNG_BOX_LAG + 1)
        rho = np.array([centred[k:] @ centred[:-k] for k in lags]) / denom
        q = n * (n + 2) * np.sum(rho**2 / (n - lags))
        lb = float(stats.chi2.sf(q, LJUNG_BOX_LAG))
    ss = float(resid @ resid)
    dw = float(np.sum(np.diff(resid) ** 2) / ss) if ss > 0 else np.nan
    return {"durbin_watson": dw, "ljung_box_p": lb}


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
