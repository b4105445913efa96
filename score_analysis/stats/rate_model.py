r"""The quasi-Poisson rate model of every monthly KPI (docs/analysis_plan.md §3): the
model data, one fit with its two covariance matrices, and the inference on a coefficient or
a linear combination of coefficients.

Every monthly KPI is a rate, numerator / exposure.  Every model is a GLM with a log link,
quasi-Poisson family, the numerator as the response and ``log(exposure)`` as offset.  Plan
version 3 fixes how uncertainty is measured (each choice a field of
:class:`~score_analysis.settings.AnalysisSettings`):

* the dispersion is the Pearson :math:`X^2/(n-p)` **floored at 1**, so an interval is
  never narrower than the Poisson one;
* the standard error of every coefficient and of every linear combination is the
  **larger** of the model-based one (with that dispersion) and the Newey-West one
  (``sandwich::NeweyWest(fit, lag = L, prewhite = FALSE, adjust = TRUE)``,
  :math:`L = \lfloor 4 (n/100)^{2/9} \rfloor`; ``settings.se_rule``);
* intervals and p-values use the **t distribution with** :math:`n - p` **degrees of
  freedom**, as R's ``summary.glm`` does for quasi-families (``settings.inference``).

The rows of the results table built from these fits are in :mod:`.its`.  Warnings raised
inside a fit are captured and kept with it (``RateFit.warnings``), never silenced.

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
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import special

from ..settings import PLAN, AnalysisSettings
from .glm import Poisson, irls, newey_west_covariance
from .notes import Note, note

#: Terms a KPI model may contain besides the intercept and the harmonic pairs.
MODEL_TERMS = ("t", "post", "t_after", "eid")

#: The terms of the segmented model (the eid term is added by the eid rule).
ITS_TERMS = ("t", "post", "t_after")

#: Columns of the frame returned by :func:`rate_model_coefficients`.
COEFFICIENT_COLUMNS = ("term", "coefficient", "se_model", "se_newey_west", "se", "se_used",
                       "estimate", "ci_low", "ci_high", "p_value", "df", "dispersion",
                       "raw_dispersion", "hac_lag", "n")

#: The keys of :func:`inference`.
INFERENCE_KEYS = ("coefficient", "estimate", "ci_low", "ci_high", "p_value", "se", "se_model",
                  "se_newey_west", "df", "dispersion", "raw_dispersion", "hac_lag")

_MONTH = re.compile(r"\d{4}-(0[1-9]|1[0-2])")


class NotEstimable(ValueError):
    """A model or an estimate that the data cannot support; ``note`` says why (a
    :class:`~score_analysis.stats.notes.Note`, its English text is the message) and
    ``warnings`` are the warnings the failed fit raised (``"Category: message"``)."""

    def __init__(self, why: Note, warnings: tuple[str, ...] = ()) -> None:
        super().__init__(why.text)
        self.note = why
        self.warnings = tuple(warnings)


def newey_west_lag(n: int, settings: AnalysisSettings = PLAN) -> int:
    """Newey-West truncation lag for ``n`` months: ``floor(4 * (n / 100) ** (2 / 9))``
    (Newey & West 1994), or the fixed lag of ``settings.newey_west_lag``."""
    if n < 1:
        raise ValueError(f"newey_west_lag needs at least one observation, got {n}")
    return settings.hac_lag(n)


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


def _design(s: _Data, terms, *, harmonic_pairs: int = 0) -> tuple[np.ndarray, list[str]]:
    names = ["const", *terms]
    cols = [np.ones(len(s))] + [s[t] for t in terms]
    if harmonic_pairs:
        m = s["calendar_month"]
        for k in range(1, harmonic_pairs + 1):
            names += [f"sin{k}", f"cos{k}"]
            cols += [np.sin(2 * np.pi * k * m / 12), np.cos(2 * np.pi * k * m / 12)]
    return np.column_stack(cols), names


def eid_terms(s: _Data, settings: AnalysisSettings = PLAN) -> list[str]:
    """The eid rule (docs/analysis_plan.md §3): ``["eid"]`` when ``settings.eid`` allows it
    and the months of ``s`` include at least one Idul Fitri month and one other month."""
    if not settings.eid or s.empty:
        return []
    flags = s["eid"]
    return ["eid"] if (flags == 1).any() and (flags == 0).any() else []


#: A fitted count below this fraction of the mean count has collapsed to zero.
_COLLAPSED = 1e-8


@dataclass(frozen=True)
class RateFit:
    r"""One quasi-Poisson rate model with the two covariance matrices of the plan.

    ``params`` are the log-scale coefficients (named by ``names``); ``cov_model`` is
    :math:`\phi (X^\top W X)^{-1}` with :math:`\phi = \max(1, X^2/(n-p))`
    (``dispersion``; ``raw_dispersion`` is :math:`X^2/(n-p)` itself) and
    ``cov_newey_west`` the Newey-West covariance with lag ``lag``.  ``n`` months and
    ``df_resid`` = :math:`n - p` residual degrees of freedom (those of the t inference).
    :meth:`combination` gives the estimate and the standard errors of any
    :math:`c^\top\beta`.  ``notes`` say what the fit did beyond the plain model (the eid
    term dropped when every Idul Fitri month is zero: its coefficient is not estimable and
    those months are left out); ``warnings`` are the warnings raised while fitting
    (``"Category: message"``), kept for the diagnostics; ``design``, ``response`` and
    ``offset`` are the model's X, y and log exposure (the months it used).
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
    notes: tuple[Note, ...] = ()
    warnings: tuple[str, ...] = ()
    design: np.ndarray = field(default=None, repr=False, compare=False)
    response: np.ndarray = field(default=None, repr=False, compare=False)
    offset: np.ndarray = field(default=None, repr=False, compare=False)

    @property
    def df_resid(self) -> int:
        """Residual degrees of freedom :math:`n - p`."""
        return self.n - len(self.names)

    def contrast(self, weights: dict[str, float]) -> np.ndarray:
        """The vector :math:`c` of ``weights`` (coefficient name → weight)."""
        c = np.zeros(len(self.names))
        for name, w in weights.items():
            if name not in self.names:
                raise ValueError(f"the model has no coefficient {name!r}; it has "
                                 f"{', '.join(self.names)}")
            c[self.names.index(name)] = w
        return c

    def combination(self, weights: dict[str, float], *, se_rule: str = "max") -> dict:
        """Estimate ``b`` and the standard errors of ``sum(w * beta)`` over ``weights``:
        ``se_model``, ``se_newey_west`` and ``se``, the one ``se_rule`` uses (``max``: the
        larger; ``model``; ``newey_west``)."""
        c = self.contrast(weights)
        b = float(c @ self.params)
        se_m = float(np.sqrt(max(c @ self.cov_model @ c, 0.0)))
        se_nw = float(np.sqrt(max(c @ self.cov_newey_west @ c, 0.0)))
        se = {"max": max(se_m, se_nw), "model": se_m, "newey_west": se_nw}.get(se_rule)
        if se is None:
            raise ValueError(f"se_rule must be max, model or newey_west, got {se_rule!r}")
        return {"coefficient": b, "se_model": se_m, "se_newey_west": se_nw, "se": se}


def fit_rate_model(data: pd.DataFrame, terms, *, harmonic: bool = False,
                   settings: AnalysisSettings = PLAN) -> RateFit:
    r"""Fit ``glm(numerator ~ <terms> [+ H] + offset(log(exposure)), quasipoisson)``.

    ``data`` is :func:`model_data` (or a subset of its rows); ``terms`` a list of its
    columns; ``harmonic`` adds ``settings.harmonic_pairs`` sine/cosine pairs of the
    calendar month (H).  The dispersion is floored at 1 and both covariances are returned
    (see :class:`RateFit`).  The fit is R's ``glm.fit`` IRLS iterated to convergence
    (:func:`~.glm.irls`); the Newey-West covariance (:func:`~.glm.newey_west_covariance`: Bartlett
    weights :math:`1 - j/(L+1)`, small-sample factor :math:`n/(n-p)`) equals R's
    ``sandwich::NeweyWest(fit, lag = L, prewhite = FALSE, adjust = TRUE)`` and statsmodels'
    ``cov_hac(fit, nlags=L, use_correction=True)``; ``L`` is ``settings.hac_lag(n)``.

    Raises
    ------
    ValueError
        When the model cannot be estimated (:class:`NotEstimable`, whose ``note`` says
        why).
    """
    return fit_model(_Data.of(data), list(terms),
                     harmonic_pairs=settings.harmonic_pairs if harmonic else 0,
                     settings=settings)


def _poisson(y, X, offset, caught: list) -> Poisson:
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")  # record every warning of the fit (none is lost)
        try:
            return irls(y, X, offset)
        finally:
            caught += seen


def fit_model(s: _Data, terms: list[str], *, harmonic_pairs: int = 0,
              settings: AnalysisSettings = PLAN) -> RateFit:
    """:func:`fit_rate_model` on prepared months (:class:`_Data`); raises
    :class:`NotEstimable`."""
    X, names = _design(s, terms, harmonic_pairs=harmonic_pairs)
    n, p = X.shape
    if p >= n:
        raise NotEstimable(note("too_few_months_for_model", months=n, coefficients=p))
    y = s["numerator"]
    offset = np.log(s["exposure"])
    caught: list = []
    try:
        res = _poisson(y, X, offset, caught)
        notes, keep = _check_usable(res, y, X, names)
        if not keep.all():
            # the eid coefficient ran off to -inf: the limit of the model is the fit without
            # the (all-zero) Idul Fitri months and without the term, which is what R
            # converges to
            rows = X[:, names.index("eid")] == 0
            X, names = X[rows][:, keep], [nm for nm, k in zip(names, keep, strict=True) if k]
            y, offset = y[rows], offset[rows]
            res = _poisson(y, X, offset, caught)
            _check_usable(res, y, X, names)
            n, p = X.shape
    except np.linalg.LinAlgError as exc:
        raise NotEstimable(note("model_not_estimable"), warning_texts(caught)) from exc
    except NotEstimable as exc:
        raise NotEstimable(exc.note, warning_texts(caught)) from None
    mu = res.mu
    raw = float(np.sum((y - mu) ** 2 / mu) / (n - p))
    phi = max(1.0, raw)
    lag = settings.hac_lag(n)
    nw = newey_west_covariance(X, y, mu, res.cov_unscaled, lag)
    return RateFit(names=tuple(names), params=res.params, cov_model=phi * res.cov_unscaled,
                   cov_newey_west=nw, dispersion=phi, raw_dispersion=raw, lag=lag, n=n,
                   fitted=mu, pearson=(y - mu) / np.sqrt(mu), notes=notes,
                   warnings=warning_texts(caught), design=X, response=y, offset=offset)


def warning_texts(caught) -> tuple[str, ...]:
    """``"Category: message"`` of each distinct warning recorded, in order."""
    out = dict.fromkeys(f"{w.category.__name__}: {w.message}" for w in caught)
    return tuple(out)


def _check_usable(res: Poisson, y: np.ndarray, X: np.ndarray,
                  names: list[str]) -> tuple[tuple[Note, ...], np.ndarray]:
    """Raise :class:`NotEstimable` when a fit has no finite, identifiable estimate.

    Fitted counts that collapse to zero mean that a coefficient ran off to infinity
    (the events are confined to one part of the series).  The one harmless case is
    the eid term when every Idul Fitri month has no event: its coefficient diverges,
    those months carry no weight in the other estimates (as in R), and the term is
    dropped with a note.  Returns the notes and the mask of coefficients kept.
    """
    keep = np.ones(len(names), dtype=bool)
    mu = res.mu
    collapsed = mu < _COLLAPSED * max(float(np.mean(y)), 1e-300)
    eid_col = X[:, names.index("eid")] if "eid" in names else None
    eid_only = bool(collapsed.any() and eid_col is not None
                    and np.all((eid_col[collapsed] == 1) & (y[collapsed] == 0)))
    if collapsed.any() and not eid_only:
        raise NotEstimable(note("events_confined"))
    if not res.converged:
        raise NotEstimable(note("not_converged"))
    variances = np.diag(res.cov_unscaled)
    if not (np.all(np.isfinite(res.params)) and np.all(np.isfinite(variances))
            and np.all(variances > 0)):
        raise NotEstimable(note("model_not_estimable"))
    if eid_only:
        keep[names.index("eid")] = False
        return (note("eid_all_zero"),), keep
    return (), keep


def t_inference(coefficient: float, se: float, df: float, *,
                settings: AnalysisSettings = PLAN) -> dict:
    r"""Interval and p of a log-scale estimate, exponentiated.

    With ``settings.inference == "t"`` (the plan): :math:`\exp(b \pm t_{df, 1-\alpha/2}
    \,\mathrm{se})` and :math:`p = 2\,P(T_{df} > |b/\mathrm{se}|)`; with ``"normal"``
    the normal quantile instead.  R: ``exp(b + c(-1, 1) * qt(0.975, df) * se)``,
    ``2 * pt(-abs(b / se), df)``.

    Returns
    -------
    dict
        ``estimate``, ``ci_low``, ``ci_high``, ``p_value``.

    Raises
    ------
    NotEstimable
        When the interval is unbounded on the ratio scale.
    """
    if not (np.isfinite(se) and se > 0):
        raise NotEstimable(note("model_not_estimable"))
    if settings.inference == "t":
        if not df >= 1:
            raise NotEstimable(note("model_not_estimable"))
        q = float(special.stdtrit(df, 1 - settings.alpha / 2))  # qt(1 - alpha/2, df)
        p = float(2 * special.stdtr(df, -abs(coefficient / se)))  # 2 pt(-|b/se|, df)
    else:
        q = float(special.ndtri(1 - settings.alpha / 2))
        p = float(2 * special.ndtr(-abs(coefficient / se)))
    with np.errstate(over="ignore", under="ignore"):
        est, lo, hi = np.exp([coefficient, coefficient - q * se, coefficient + q * se])
    if not (np.isfinite(hi) and lo > 0):
        raise NotEstimable(note("interval_unbounded"))
    return {"estimate": float(est), "ci_low": float(lo), "ci_high": float(hi), "p_value": p}


def inference(fit: RateFit, weights: dict[str, float], *,
              settings: AnalysisSettings = PLAN) -> dict:
    r"""The estimate, interval and p of :math:`\exp(c^\top\beta)` for one fit.

    ``weights`` names the coefficients of :math:`c` (``{"post": 1, "t_after": 9}`` is the
    effect at the last month, nine months after the start).  The standard error is the one
    of ``settings.se_rule`` (the plan: the larger of the model-based and the Newey-West
    one), the inference :func:`t_inference` on ``fit.df_resid`` degrees of freedom.
    R: ``b <- sum(c * coef(fit))``; ``se <- max(sqrt(c %*% (vcov(fit) * max(1, phi) / phi)
    %*% c), sqrt(c %*% NeweyWest(fit, lag = L, prewhite = FALSE, adjust = TRUE) %*% c))``;
    ``exp(b + c(-1, 1) * qt(0.975, df.residual(fit)) * se)``.

    Returns
    -------
    dict
        The keys of :data:`INFERENCE_KEYS`.
    """
    comb = fit.combination(weights, se_rule=settings.se_rule)
    out = t_inference(comb["coefficient"], comb["se"], fit.df_resid, settings=settings)
    return {"coefficient": comb["coefficient"], **out, "se": comb["se"],
            "se_model": comb["se_model"], "se_newey_west": comb["se_newey_west"],
            "df": float(fit.df_resid if settings.inference == "t" else np.inf),
            "dispersion": fit.dispersion, "raw_dispersion": fit.raw_dispersion,
            "hac_lag": fit.lag}


def its_diagnostics(fit: RateFit, settings: AnalysisSettings = PLAN) -> dict:
    r"""Durbin-Watson and Ljung-Box p of a fitted rate model (:class:`RateFit`).

    Reported beside each segmented fit, never used to choose a model.  On the
    Pearson residuals :math:`e_t = (y_t - \hat\mu_t)/\sqrt{\hat\mu_t}`, in month order (a
    gap in the series is not filled): Durbin-Watson
    :math:`d = \sum_{t\ge2} (e_t - e_{t-1})^2 / \sum_t e_t^2`; Ljung-Box
    :math:`Q = n(n+2)\sum_{k=1}^{h} \hat\rho_k^2/(n-k)` against :math:`\chi^2_h`
    (:math:`h` = ``settings.ljung_box_lag``, 6 in the plan), with :math:`\hat\rho_k` the
    autocorrelations of the mean-centred residuals (written out with numpy: statsmodels'
    ``acorr_ljungbox`` gives the same value at twenty times the cost).
    R: ``sum(diff(e)^2)/sum(e^2)`` and
    ``Box.test(residuals(fit, "pearson"), lag = 6, type = "Ljung-Box")``.

    References
    ----------
    Durbin J, Watson GS (1950) Biometrika 37:409-428;
    Ljung GM, Box GEP (1978) Biometrika 65:297-303.
    """
    h = settings.ljung_box_lag
    resid = fit.pearson
    n = len(resid)
    lb = np.nan
    centred = resid - resid.mean()
    denom = float(centred @ centred)
    if n > h and denom > 0:
        lags = np.arange(1, h + 1)
        rho = np.array([centred[k:] @ centred[:-k] for k in lags]) / denom
        q = n * (n + 2) * np.sum(rho**2 / (n - lags))
        lb = float(special.chdtrc(h, q))  # pchisq(q, h, lower.tail = FALSE)
    ss = float(resid @ resid)
    dw = float(np.sum(np.diff(resid) ** 2) / ss) if ss > 0 else np.nan
    return {"durbin_watson": dw, "ljung_box_p": lb}


def published_terms(s: _Data, settings: AnalysisSettings = PLAN) -> list[str]:
    """The terms of the published segmented model on the months ``s``: ``t``, ``post``,
    ``t_after`` and ``eid`` when the eid rule lets it in."""
    return [*ITS_TERMS, *eid_terms(s, settings)]


def rate_model_coefficients(series: pd.DataFrame, intervention_month: str, *,
                            terms=None, harmonic: bool = False,
                            settings: AnalysisSettings = PLAN) -> pd.DataFrame:
    r"""Every coefficient of one quasi-Poisson rate model, with both standard errors.

    A reviewer's table: it fits
    ``glm(numerator ~ <terms> [+ H] + offset(log(exposure)), family = quasipoisson)``
    for any subset of :data:`MODEL_TERMS` (``t``, ``post``, ``t_after``, ``eid``) with the
    same data handling, standard-error rule and inference as the results rows.  By
    default (``terms=None``) it is the published segmented model: ``t + post + t_after``
    and ``eid`` when the eid rule lets it in (the model of ``its_effect_end``).

    Returns
    -------
    pandas.DataFrame
        One row per coefficient, columns :data:`COEFFICIENT_COLUMNS`: ``coefficient`` is
        :math:`\hat\beta` (log scale), ``se_model`` its model-based standard error with the
        dispersion :math:`\max(1, X^2/(n-p))`, ``se_newey_west`` the Newey-West one,
        ``se`` the one ``settings.se_rule`` uses (``se_used`` says which: ``model`` or
        ``newey_west``); ``estimate`` and the interval are
        :math:`\exp(\hat\beta \pm t_{n-p,1-\alpha/2}\,\mathrm{se})`, ``p_value`` the
        two-sided t p on ``df`` = :math:`n - p` (:func:`t_inference`).

    Raises
    ------
    ValueError
        For bad input, an unknown term, or data that cannot support the model.

    References
    ----------
    Lopez Bernal J, Cummins S, Gasparrini A (2017) Int J Epidemiol 46:348-355.
    """
    s, _ = _prepare(series, intervention_month)
    terms = published_terms(s, settings) if terms is None else list(terms)
    unknown = [t for t in terms if t not in MODEL_TERMS]
    if unknown or len(set(terms)) != len(terms):
        raise ValueError(f"terms must be distinct names among {MODEL_TERMS}, got {list(terms)}")
    fit = fit_model(s, terms, harmonic_pairs=settings.harmonic_pairs if harmonic else 0,
                    settings=settings)
    rows = []
    for term in fit.names:
        w = inference(fit, {term: 1.0}, settings=settings)
        rows.append({**w, "term": term,
                     "se_used": "newey_west" if w["se"] == w["se_newey_west"]
                     and w["se_newey_west"] != w["se_model"] else "model"})
    return pd.DataFrame(rows).assign(n=fit.n)[list(COEFFICIENT_COLUMNS)]
