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

    ``records`` are the rows of :func:`kpi_effects` as dicts and ``effects`` the same as a
    frame; ``lines`` is the frame of :func:`its_lines` (empty when the segmented model
    cannot be fitted).
    """

    records: tuple[dict, ...]
    lines: pd.DataFrame

    @property
    def effects(self) -> pd.DataFrame:
        return pd.DataFrame(list(self.records), columns=list(EFFECT_COLUMNS))


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


def _events(s: _Data) -> tuple[float, float]:
    after = s["post"] == 1
    num = s["numerator"]
    return float(num[~after].sum()), float(num[after].sum())


def _fmt_events(x: float) -> str:
    return f"{x:g}"


def _check_events(s: _Data) -> None:
    """The events rule: at least :data:`MIN_EVENTS` events before and after."""
    before, after = _events(s)
    if before < MIN_EVENTS or after < MIN_EVENTS:
        raise _NoFit(f"too few events ({_fmt_events(before)} before, {_fmt_events(after)} "
                     f"after; a model needs {MIN_EVENTS} on each side)")


def _check_months(s: _Data, least: int, what: str = "") -> None:
    after = int((s["post"] == 1).sum())
    before = len(s) - after
    if before < least or after < least:
        raise _NoFit(f"needs at least {least} months before and {least} after{what}; "
                     f"has {before} before and {after} after")


def _degenerate(s: _Data) -> str | None:
    """Why a series cannot give a rate ratio (a constant rate), or None."""
    rate = s["numerator"] / s["exposure"]
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


def _eid_terms(s: _Data, eid: bool) -> list[str]:
    """The eid rule (plan v2): the term enters a model whose months include at least one
    eid month and at least one other month."""
    if not eid or s.empty:
        return []
    flags = s["eid"]
    return ["eid"] if (flags == 1).any() and (flags == 0).any() else []


def _period(s: _Data, multiplier: float) -> dict:
    """n and pooled rates (sum of numerators / sum of exposures) each side of ``post``."""
    after = s["post"] == 1
    num, exp_ = s["numerator"], s["exposure"]
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
        return KpiFit(tuple(rows), _empty_lines())
    rows, its = _its_rows(s, eid, alpha, multiplier)
    rows.append(_step_row(s, eid, alpha, multiplier))
    rows.append(_variant_row("its_level_harmonic", s, eid, alpha, multiplier, harmonic=True))
    rows.append(_phase_in_row(s, eid, alpha, multiplier))
    rows.append(_no_eid_row(s, alpha, multiplier))
    rows.append(_placebo_row(s, eid, alpha, multiplier))
    for row in rows:
        row["note"] = _joined(row["note"], gap_note)
    lines = _lines(s, its, multiplier) if its is not None else _empty_lines()
    return KpiFit(tuple(rows), lines)


def kpi_effects(series: pd.DataFrame, intervention_month: str, *, eid: bool = True,
                multiplier: float = 1.0, alpha: float = 0.05) -> pd.DataFrame:
    r"""Effects of the programme on one monthly rate (plan version 2).

    Parameters
    ----------
    series
        One enterprise's indicator: columns ``month`` (``YYYY-MM``), ``numerator``,
        ``exposure`` and optionally ``eid`` (0/1; by default taken from
        :func:`score_analysis.data.eid.eid_months`).  Months whose numerator or exposure is
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


def _its_model(s: _Data, eid: bool, *, harmonic: bool = False,
               least: int = MIN_ITS, what: str = "") -> tuple[RateFit, list[str]]:
    """The fitted segmented regression and its terms, or :class:`_NoFit` saying why not."""
    _check_months(s, least, what=what)
    _check_events(s)
    why = _degenerate(s)
    if why:
        raise _NoFit(why)
    terms = [*_ITS, *_eid_terms(s, eid)]
    return _fit(s, terms, harmonic=harmonic), terms


def _its_rows(s: _Data, eid: bool, alpha: float,
              multiplier: float) -> tuple[list[dict], RateFit | None]:
    common = _period(s, multiplier)
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


def _level_row(method: str, s: _Data, eid: bool, alpha: float, multiplier: float, *,
               harmonic: bool = False, least: int = MIN_ITS, what: str = "",
               note: str = "") -> dict:
    """An ``its_level``-type row (exp(b_post)) of the segmented model on ``s``."""
    common = _period(s, multiplier)
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


def _step_row(s: _Data, eid: bool, alpha: float, multiplier: float) -> dict:
    common = _period(s, multiplier)
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


def _phase_in_row(s: _Data, eid: bool, alpha: float, multiplier: float) -> dict:
    t0 = _t0(s)
    start = t0 + PHASE_IN
    kept = s[(s["t"] < t0) | (s["t"] >= start)]
    kept = kept.assign(post=kept["t"] >= start, t_after=np.maximum(0.0, kept["t"] - start))
    return _level_row("its_level_phase_in", kept, eid, alpha,
                      multiplier, what=f" the {PHASE_IN} phase-in months",
                      note=f"sensitivity: the {PHASE_IN} months from the programme start left "
                           f"out; the step is the level once the programme is in place")


def _no_eid_row(s: _Data, alpha: float, multiplier: float) -> dict:
    kept = s[s["eid"] != 1]
    left = len(s) - len(kept)
    return _level_row("its_level_no_eid", kept, False, alpha, multiplier,
                      note=f"sensitivity: {left} Idul Fitri month(s) left out, no eid term")


def _t0(s: _Data) -> float:
    """``t`` of the intervention month (``t - t_after`` of any month after it)."""
    after = s[s["post"] == 1]
    if len(after):
        return float(after["t"][0] - after["t_after"][0])
    return float(s["t"].max() + 1)  # every month is before: t0 lies past the data


def _placebo_row(s: _Data, eid: bool, alpha: float, multiplier: float) -> dict:
    pre = s[s["post"] == 0]
    tp = float(pre["t"].min() + len(pre) // 2) if len(pre) else np.nan
    pre = pre.assign(post=pre["t"] >= tp, t_after=np.maximum(0.0, pre["t"] - tp))
    if len(pre):
        start_n = _month_number(s["month"][0], "month") + int(tp - s["t"][0])
        start = f"{start_n // 12:04d}-{start_n % 12 + 1:02d}"
        note = (f"placebo: a pretend start in {start}, halfway through the months before the "
                f"programme (expected near 1)")
    else:
        note = "placebo: no month before the programme"
    return _level_row("placebo_level", pre, eid, alpha, multiplier,
                      least=MIN_PLACEBO, what=" the pretend start", note=note)


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



def _lines(s: _Data, fit: RateFit, multiplier: float) -> pd.DataFrame:
    terms = [n for n in fit.names if n in MODEL_TERMS]
    X, _ = _design(s, terms)
    beta = fit.params
    Xc, _ = _design(s.assign(post=np.zeros(len(s)), t_after=np.zeros(len(s))), terms)
    return pd.DataFrame({
        "month": s["month"],
        "observed": s["numerator"] / s["exposure"] * multiplier,
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
