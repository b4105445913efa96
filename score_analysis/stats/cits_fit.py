r"""The fit of the controlled interrupted time series: a quasi-Poisson GLM with calendar-month
effects and the panel Newey-West covariance of ``sandwich::vcovPL`` (docs/analysis_plan.md,
the controlled interrupted time series).

The model has one coefficient per month, so it is fitted here by iteratively reweighted
least squares on numpy arrays (a 50 × 30 design: microseconds per iteration), iterated to
a relative change of the deviance below ``1e-12``, which is the maximum-likelihood fit R's
``glm`` approaches.  The panel Newey-West covariance follows the code of
``sandwich::meatPL`` (sandwich 3.0-2) line for line; see :func:`panel_newey_west`.

References
----------
McCullagh P, Nelder JA (1989). Generalized Linear Models, 2nd ed. Chapman & Hall (IRLS,
quasi-likelihood).

Newey WK, West KD (1987). A simple, positive semi-definite, heteroskedasticity and
autocorrelation consistent covariance matrix. Econometrica 55(3):703-708.

Driscoll JC, Kraay AC (1998). Consistent covariance matrix estimation with spatially
dependent panel data. Rev Econ Stat 80(4):549-560.

Zeileis A, Köll S, Graham N (2020). Various versatile variances: an object-oriented
implementation of clustered covariances in R. J Stat Softw 95(1):1-36.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import special

from ..settings import PLAN, AnalysisSettings
from .notes import Note, note

#: The right-hand side of the controlled model, as written in R.
CITS_TERMS = "factor(month) + s + s:t + s:post + s:t_after"
#: The coefficients of interest, in R's names.
S_TERMS = ("s", "s:t", "s:post", "s:t_after")

#: Columns of :meth:`CitsFit.coefficients`.
COEFFICIENT_COLUMNS = ("term", "coefficient", "se_model", "se_newey_west", "se", "estimate",
                       "ci_low", "ci_high", "p_value")

_STACKED = ("month", "s", "t", "post", "t_after", "numerator", "exposure")
_TOLERANCE = 1e-12  # relative change of the deviance at which IRLS stops
_MAX_ITERATIONS = 100
_COLLAPSED = 1e-8  # a fitted count below this fraction of the mean count has collapsed


class NotEstimable(Exception):
    """The data cannot support the controlled model; ``note`` says why."""

    def __init__(self, why: Note) -> None:
        super().__init__(why.text)
        self.note = why


@dataclass(frozen=True)
class CitsFit:
    r"""A fitted controlled model with both covariances.

    ``names`` are R's coefficient names (``(Intercept)``, ``factor(month)2010-02``, ...,
    ``s``, ``s:t``, ``s:post``, ``s:t_after``), ``params`` the log-scale coefficients,
    ``cov_model`` :math:`\phi (X^\top W X)^{-1}` with :math:`\phi` = ``dispersion`` =
    :math:`\max(1, X^2/(n-p))` (``raw_dispersion`` = :math:`X^2/(n-p)`), ``cov_panel``
    the panel Newey-West covariance (:func:`panel_newey_west`) with lag ``lag``.  ``n`` is
    the number of stacked rows, ``p`` of coefficients, ``df = n - p``; ``months`` the
    months in the model; ``t0`` and ``t_last`` ``e``'s intervention month and last month
    on its ``t`` scale.  A month without any event in either series has a month effect
    of minus infinity (``params`` NaN for it and, when it is the first month, for every
    month effect); it carries no weight in the other coefficients, as in R's limit, and
    ``notes`` says so.
    """

    names: tuple[str, ...]
    params: np.ndarray
    cov_model: np.ndarray
    cov_panel: np.ndarray
    dispersion: float
    raw_dispersion: float
    lag: int
    n: int
    p: int
    months: int
    t0: float
    t_last: float
    fitted: np.ndarray
    pearson: np.ndarray
    iterations: int
    notes: tuple[Note, ...] = field(default=())

    @property
    def df(self) -> int:
        """Residual degrees of freedom ``n - p`` (R's ``df.residual(fit)``)."""
        return self.n - self.p

    def combination(self, weights: dict[str, float]) -> dict:
        r"""Estimate and standard errors of :math:`c^\top\beta` (``weights`` by term name).

        Returns ``coefficient`` (:math:`c^\top\hat\beta`), ``se_model``
        (:math:`\sqrt{c^\top V_{model} c}`) and ``se_newey_west``
        (:math:`\sqrt{c^\top V_{panel} c}`).
        """
        c = np.zeros(len(self.names))
        for name, w in weights.items():
            if name not in self.names:
                raise ValueError(f"unknown term {name!r}; terms: {', '.join(self.names)}")
            c[self.names.index(name)] = w
        used = c != 0
        b = float(c[used] @ self.params[used])
        vm = self.cov_model[np.ix_(used, used)]
        vp = self.cov_panel[np.ix_(used, used)]
        return {"coefficient": b,
                "se_model": float(np.sqrt(max(c[used] @ vm @ c[used], 0.0))),
                "se_newey_west": float(np.sqrt(max(c[used] @ vp @ c[used], 0.0)))}

    def coefficients(self, *, settings: AnalysisSettings = PLAN) -> pd.DataFrame:
        """Every coefficient with both standard errors, the one used, and its exponentiated
        estimate, interval and p (as the rows), for the reviewer's appendix.

        Columns :data:`COEFFICIENT_COLUMNS`; month effects of months without any event
        are NaN.
        """
        rows = []
        for name in self.names:
            i = self.names.index(name)
            if not np.isfinite(self.params[i]):
                rows.append({"term": name})
                continue
            try:
                values = wald(self, {name: 1.0}, settings=settings)
            except NotEstimable:
                values = {}
            comb = self.combination({name: 1.0})
            rows.append({"term": name, "coefficient": comb["coefficient"],
                         "se_model": comb["se_model"],
                         "se_newey_west": comb["se_newey_west"], **values})
        return pd.DataFrame(rows, columns=list(COEFFICIENT_COLUMNS))


def chosen_se(se_model: float, se_newey_west: float, settings: AnalysisSettings) -> float:
    """The standard error the plan uses: the larger of the two (``se_rule = "max"``), or
    the one ``settings.se_rule`` names."""
    if settings.se_rule == "model":
        return se_model
    if settings.se_rule == "newey_west":
        return se_newey_west
    return max(se_model, se_newey_west)


def wald(fit: CitsFit, weights: dict[str, float], *,
         settings: AnalysisSettings = PLAN) -> dict:
    r"""Exponentiated estimate, interval and p of :math:`c^\top\beta` on a controlled fit.

    :math:`\mathrm{se}` by ``settings.se_rule`` (:func:`chosen_se`);
    interval :math:`\exp(c^\top\hat\beta \pm q\,\mathrm{se})` with
    :math:`q = t_{1-\alpha/2,\,n-p}` (``settings.inference = "t"``, R's ``qt``) or the
    normal quantile; p :math:`= 2\,P(T_{n-p} > |c^\top\hat\beta|/\mathrm{se})` (R's
    ``2 * pt(-abs(b / se), df)``).

    Returns
    -------
    dict
        ``estimate``, ``ci_low``, ``ci_high``, ``p_value``, ``se``, ``se_model``,
        ``se_newey_west``, ``dispersion``, ``raw_dispersion``, ``hac_lag``, ``df``.

    Raises
    ------
    NotEstimable
        When the interval is unbounded.
    """
    comb = fit.combination(weights)
    b = comb["coefficient"]
    se = chosen_se(comb["se_model"], comb["se_newey_west"], settings)
    if not se > 0:
        raise NotEstimable(note("cits_unbounded"))
    level = 1 - settings.alpha / 2
    # scipy.special's t and normal functions are what scipy.stats.t / norm call
    if settings.inference == "t":
        q, p = special.stdtrit(fit.df, level), 2 * special.stdtr(fit.df, -abs(b / se))
    else:
        q, p = special.ndtri(level), 2 * special.ndtr(-abs(b / se))
    with np.errstate(over="ignore", under="ignore"):
        est, lo, hi = np.exp([b, b - q * se, b + q * se])
    if not (np.isfinite(hi) and lo > 0):
        raise NotEstimable(note("cits_unbounded"))
    return {"estimate": float(est), "ci_low": float(lo), "ci_high": float(hi),
            "p_value": float(p), "se": float(se), "se_model": comb["se_model"],
            "se_newey_west": comb["se_newey_west"], "dispersion": fit.dispersion,
            "raw_dispersion": fit.raw_dispersion, "hac_lag": fit.lag, "df": fit.df}


def _irls(X: np.ndarray, y: np.ndarray, offset: np.ndarray) -> tuple[np.ndarray, np.ndarray,
                                                                       int]:
    """Poisson log-link IRLS from R's start (``mustart = y + 0.1``); returns the
    coefficients, the fitted counts and the iterations, or raises :class:`NotEstimable`."""
    mu = y + 0.1
    eta = np.log(mu)
    dev_old = np.inf
    ylogy = np.where(y > 0, y * np.log(np.where(y > 0, y, 1.0)), 0.0)
    for iteration in range(1, _MAX_ITERATIONS + 1):
        z = eta - offset + (y - mu) / mu
        xtw = X.T * mu
        try:
            beta = np.linalg.solve(xtw @ X, xtw @ z)
        except np.linalg.LinAlgError as exc:
            raise NotEstimable(note("cits_not_estimable")) from exc
        eta = X @ beta + offset
        with np.errstate(over="ignore"):
            mu = np.exp(eta)
        if not np.all(np.isfinite(mu)):
            raise NotEstimable(note("cits_not_estimable"))
        with np.errstate(divide="ignore"):
            dev = 2.0 * float(np.sum(ylogy - y * np.log(mu) - (y - mu)))
        if abs(dev - dev_old) / (abs(dev) + 0.1) < _TOLERANCE:
            return beta, mu, iteration
        dev_old = dev
    raise NotEstimable(note("cits_did_not_converge"))


def panel_newey_west(scores: np.ndarray, time: np.ndarray, bread: np.ndarray, *, lag: int,
                     n: int, k: int) -> np.ndarray:
    r"""The panel Newey-West covariance of ``sandwich::vcovPL`` (``adjust = TRUE``,
    Bartlett kernel, ``aggregate = TRUE``).

    With :math:`u_i = (y_i - \hat\mu_i) x_i` the score of row :math:`i`, the scores are
    summed over the rows of each time point (the clusters of one month),
    :math:`U_\tau = \sum_{i: t_i = \tau} u_i`, the :math:`n_t` distinct time points taken
    in order (by position: a gap in the months is not a lag), and

    .. math::

        S = \sum_\tau U_\tau U_\tau^\top + \sum_{j=1}^{L} w_j \sum_{\tau}
            (U_\tau U_{\tau+j}^\top + U_{\tau+j} U_\tau^\top),
        \qquad w_j = 1 - \frac{j}{L+1},

        V = \frac{n}{n-k}\,(X^\top W X)^{-1} S\,(X^\top W X)^{-1},

    :math:`n` the rows, :math:`k` the coefficients.  This is what ``vcovPL`` computes:
    ``sandwich(fit, meat. = meatPL(...))`` with ``bread.glm`` =
    :math:`n (X^\top W X)^{-1}` times the dispersion and ``estfun.glm`` = the scores over
    the dispersion, which cancels; ``meatPL`` sums the scores by ``order.by`` (``tapply``),
    weights lag :math:`j` by ``kweights(j / (lag + 1), "Bartlett")`` and scales by
    ``n / (n - k)`` (``adjust``) and ``1 / n``.
    R: ``sandwich::vcovPL(fit, cluster = ~ s, order.by = ~ t, lag = L, adjust = TRUE)``.

    Parameters
    ----------
    scores
        :math:`u_i`, one row per observation (rows whose fitted count is zero give zeros).
    time
        The ``order.by`` value of each row.
    bread
        :math:`(X^\top W X)^{-1}`, the unscaled covariance.
    lag
        :math:`L`.
    n, k
        Rows and coefficients of the model (the adjustment :math:`n/(n-k)`).

    References
    ----------
    Newey & West (1987) Econometrica 55:703-708; Driscoll & Kraay (1998) Rev Econ Stat
    80:549-560; Zeileis, Köll & Graham (2020) J Stat Softw 95(1).
    """
    if lag < 0:
        raise ValueError(f"the Newey-West lag must not be negative, got {lag}")
    _, inverse = np.unique(time, return_inverse=True)
    nt = int(inverse.max()) + 1 if len(inverse) else 0
    agg = np.zeros((nt, scores.shape[1]))
    np.add.at(agg, inverse, scores)
    meat = agg.T @ agg
    for j in range(1, min(lag, nt - 1) + 1):
        gamma = agg[:-j].T @ agg[j:]
        meat += (1.0 - j / (lag + 1.0)) * (gamma + gamma.T)
    return n / (n - k) * (bread @ meat @ bread)


def _label(level: object) -> str:
    if isinstance(level, str):
        return level
    number = int(level)
    return f"{number // 12:04d}-{number % 12 + 1:02d}"


def _t0(t: np.ndarray, post: np.ndarray, t_after: np.ndarray) -> float:
    """``t`` of the intervention month: ``t - t_after`` of a month after it."""
    after = post == 1
    if after.any():
        return float((t - t_after)[after][0])
    return float(t.max() + 1)  # every month is before: t0 lies past the data


def cits_fit(stacked: pd.DataFrame, *, settings: AnalysisSettings = PLAN) -> CitsFit:
    r"""Fit the controlled model to the stacked rows of
    :func:`score_analysis.stats.cits.stacked_model_data`.

    .. math::

        \log \mu_{sm} = \log E_{sm} + \alpha_m + \beta_0 s + \beta_1 s\,t_m
                        + \beta_2 s\,\mathrm{post}_m + \beta_3 s\,t_{\mathrm{after},m}

    by quasi-likelihood (Poisson variance times :math:`\phi`), with the dispersion
    :math:`\phi = \max(1, X^2/(n-p))` (Pearson :math:`X^2`), the model-based covariance
    :math:`\phi (X^\top W X)^{-1}` and the panel Newey-West covariance
    (:func:`panel_newey_west`, clusters ``s``, time ``t``, lag
    ``settings.hac_lag(months in the model)``).

    R::

        fit <- glm(numerator ~ factor(month) + s + s:t + s:post + s:t_after +
                   offset(log(exposure)), family = quasipoisson, data = stacked)
        sandwich::vcovPL(fit, cluster = ~ s, order.by = ~ t, lag = L, adjust = TRUE)

    Raises
    ------
    ValueError
        When a column of :data:`~score_analysis.stats.cits.STACKED_COLUMNS` is missing.
    NotEstimable
        When the model has no finite estimate (events confined to part of a series), does
        not converge, or has too few rows for its coefficients.

    References
    ----------
    Lopez Bernal, Cummins & Gasparrini (2018) Int J Epidemiol 47(6):2082-2093;
    Zeileis, Köll & Graham (2020) J Stat Softw 95(1).
    """
    cols = {}
    for col in _STACKED:
        if col not in stacked:
            raise ValueError(f"the stacked model data lack the column {col!r} (see "
                             f"stacked_model_data)")
        cols[col] = stacked[col].to_numpy(dtype=object if col == "month" else float)
    return fit_columns(cols, settings=settings)


def fit_columns(cols: dict[str, np.ndarray], *,
                settings: AnalysisSettings = PLAN) -> CitsFit:
    """:func:`cits_fit` on the stacked rows as numpy arrays (``month`` as ``YYYY-MM`` text
    or as month numbers ``year * 12 + month - 1``), without building a frame."""
    s, t, post, t_after = cols["s"], cols["t"], cols["post"], cols["t_after"]
    y = cols["numerator"]
    offset = np.log(cols["exposure"])
    levels, which = np.unique(cols["month"], return_inverse=True)
    m, n = len(levels), len(y)
    p = m + len(S_TERMS)
    if p >= n:
        raise NotEstimable(note("cits_too_few_rows", rows=n, coefficients=p))
    # cell-means parametrisation inside (one effect per month, no intercept): a month
    # without any event has an effect of -inf and leaves the others untouched
    totals = np.bincount(which, weights=y, minlength=m)
    live = totals > 0
    rows = live[which]
    s_cols = np.column_stack([s, s * t, s * post, s * t_after])
    cells = (which[:, None] == np.flatnonzero(live)[None, :]).astype(float)
    X = np.column_stack([cells, s_cols])[rows]
    beta, mu_live, iterations = _irls(X, y[rows], offset[rows])
    mean = max(float(np.mean(y[rows])), 1e-300)
    if np.any(mu_live < _COLLAPSED * mean):
        raise NotEstimable(note("cits_not_estimable"))
    xtw = X.T * mu_live
    try:
        unscaled = np.linalg.inv(xtw @ X)
    except np.linalg.LinAlgError as exc:
        raise NotEstimable(note("cits_not_estimable")) from exc
    mu = np.zeros(n)
    mu[rows] = mu_live
    pearson = np.zeros(n)
    pearson[rows] = (y[rows] - mu_live) / np.sqrt(mu_live)
    raw = float(pearson @ pearson) / (n - p)
    phi = max(1.0, raw)
    nt = len(np.unique(t))
    lag = settings.hac_lag(nt)
    # the empty months keep their place in time (zero scores), as in meatPL
    scores = np.zeros((n, X.shape[1]))
    scores[rows] = (y[rows] - mu_live)[:, None] * X
    panel = panel_newey_west(scores, t, unscaled, lag=lag, n=n, k=p)
    # back to R's treatment contrasts: intercept = the first month, then month - first
    q = X.shape[1]
    n_live = int(live.sum())
    transform = np.eye(q)
    if live[0]:
        transform[1:n_live, 0] = -1.0
    full = np.full(p, np.nan)
    full_model = np.full((p, p), np.nan)
    full_panel = np.full((p, p), np.nan)
    index = np.concatenate([np.flatnonzero(live), np.arange(m, p)])
    if not live[0]:  # month effects have no finite value: only the s terms are reported
        index = np.arange(m, p)
        transform = np.eye(q)[n_live:]
    full[index] = transform @ beta
    full_model[np.ix_(index, index)] = phi * (transform @ unscaled @ transform.T)
    full_panel[np.ix_(index, index)] = transform @ panel @ transform.T
    names = ("(Intercept)", *(f"factor(month){_label(lv)}" for lv in levels[1:]), *S_TERMS)
    own = s == 1
    notes = ((note("cits_empty_months", months=int((~live).sum())),) if not live.all()
             else ())
    return CitsFit(names=names, params=full, cov_model=full_model, cov_panel=full_panel,
                   dispersion=phi, raw_dispersion=raw, lag=lag, n=n, p=p, months=m,
                   t0=_t0(t[own], post[own], t_after[own]), t_last=float(t[own].max()),
                   fitted=mu, pearson=pearson, iterations=iterations, notes=notes)
