r"""Alternative standard errors and critical values, computed on the same simulated series
as the plan's intervals so that the calibration study can say which would restore the
nominal coverage (docs/calibration.md).  None of them is a rule of the analysis plan.

``nw_wide``
    The plan's rule (the larger of the model-based and the Newey-West standard error, t
    on :math:`n - p` degrees of freedom) with a wider Newey-West bandwidth,
    :math:`L = \lfloor 1.3\sqrt{n} \rfloor` (Lazarus, Lewis, Stock & Watson 2018) instead
    of :math:`\lfloor 4 (n/100)^{2/9} \rfloor`: 5, 6 and 7 instead of 2, 2 and 3 for 18, 25
    and 36 months.
``fixed_b``
    The same standard error with the fixed-b critical value of Kiefer & Vogelsang (2005)
    for the Bartlett kernel at :math:`b = (L + 1)/n` (:func:`fixed_b_critical_value`)
    instead of the t quantile.
``fixed_b_half``
    The same with half the series as bandwidth, :math:`L = \lceil n/2 \rceil - 1`
    (:math:`b \approx 0.5`; 8, 12 and 17 for 18, 25 and 36 months), and its fixed-b
    critical value (about 3.5): Kiefer & Vogelsang's trade-off of a smaller size distortion
    for less power, at its large-bandwidth end.
``gls_ar1``
    A different model: the log rate regressed on the same terms by generalised least
    squares with AR(1) errors, fitted by restricted maximum likelihood
    (:func:`gls_ar1`; Turner et al. 2021 found REML the best of the usual interrupted time
    series methods in short autocorrelated series), t on :math:`n - p` degrees of freedom.

References
----------
Kiefer NM, Vogelsang TJ (2005). A new asymptotic theory for heteroskedasticity-
autocorrelation robust tests. Econometric Theory 21(6):1130-1164.

Lazarus E, Lewis DJ, Stock JH, Watson MW (2018). HAR inference: recommendations for
practice. J Bus Econ Stat 36(4):541-559.

Turner SL, Forbes AB, Karahalios A, Taljaard M, McKenzie JE (2021). Evaluation of
statistical methods used in the analysis of interrupted time series studies: a simulation
study. BMC Med Res Methodol 21:181. doi:10.1186/s12874-021-01364-0.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import optimize, special

#: The alternatives, in the order of the table's columns.
ALTERNATIVES = ("nw_wide", "fixed_b", "fixed_b_half", "gls_ar1")

#: Kiefer & Vogelsang (2005): the 97.5 % quantile of the fixed-b limit of the t statistic
#: with the Bartlett kernel, ``1.96 + 2.9694 b + 0.4160 b^2 - 0.5324 b^3``.
_FIXED_B_BARTLETT_975 = (1.9600, 2.9694, 0.4160, -0.5324)


def wide_lag(n: int) -> int:
    r"""The wider Newey-West lag :math:`\lfloor 1.3\sqrt{n} \rfloor` (Lazarus, Lewis,
    Stock & Watson 2018 recommend a bandwidth of :math:`1.3\sqrt{n}`)."""
    if n < 1:
        raise ValueError(f"the lag needs at least one observation, got {n}")
    return int(math.floor(1.3 * math.sqrt(n)))


def half_lag(n: int) -> int:
    r"""The lag of a bandwidth of half the series, :math:`\lceil n/2 \rceil - 1`
    (:math:`b = (L + 1)/n \approx 0.5`)."""
    if n < 2:
        raise ValueError(f"the lag needs at least two observations, got {n}")
    return int(math.ceil(n / 2)) - 1


def fixed_b_critical_value(b: float, *, alpha: float = 0.05) -> float:
    r"""The fixed-b critical value of a two-sided test (interval) with the Bartlett kernel.

    .. math:: c(b) = 1.96 + 2.9694\,b + 0.4160\,b^2 - 0.5324\,b^3,

    :math:`b = (L + 1)/n` the bandwidth as a share of the sample (Kiefer & Vogelsang 2005,
    the polynomial fitted to the simulated quantiles of the fixed-b limit, two-sided 5 %;
    it gives 1.96 at :math:`b \to 0`).  The limit is that of the location model; applied to
    the coefficients of a segmented trend it is an approximation, which the calibration
    study measures.  R has no function for it; the same polynomial is
    ``1.96 + 2.9694 * b + 0.4160 * b^2 - 0.5324 * b^3``.

    Raises
    ------
    ValueError
        When ``b`` is not in (0, 1] or ``alpha`` is not 0.05 (the only level tabulated).

    References
    ----------
    Kiefer NM, Vogelsang TJ (2005) Econometric Theory 21(6):1130-1164.
    """
    if not 0 < b <= 1:
        raise ValueError(f"b must lie in (0, 1], got {b}")
    if abs(alpha - 0.05) > 1e-12:
        raise ValueError(f"the fixed-b critical values are tabulated for alpha = 0.05 only, "
                         f"got {alpha}")
    c0, c1, c2, c3 = _FIXED_B_BARTLETT_975
    return c0 + c1 * b + c2 * b * b + c3 * b ** 3


@dataclass(frozen=True)
class GlsFit:
    """A GLS fit with AR(1) errors: ``params``, their covariance ``cov``, the
    autocorrelation ``rho``, the residual standard deviation ``sigma`` and ``df = n - p``."""

    params: np.ndarray
    cov: np.ndarray
    rho: float
    sigma: float
    df: int


def _prais_winsten(z: np.ndarray, rho: float) -> np.ndarray:
    out = np.empty_like(z, dtype=float)
    out[0] = math.sqrt(1.0 - rho * rho) * z[0]
    out[1:] = z[1:] - rho * z[:-1]
    return out


def _reml_objective(rho: float, y: np.ndarray, X: np.ndarray) -> float:
    """``(n - p) log RSS - log(1 - rho^2) + log|Z'Z|`` (minus twice the profiled REML
    log-likelihood, up to a constant)."""
    n, p = X.shape
    w, Z = _prais_winsten(y, rho), _prais_winsten(X, rho)
    ztz = Z.T @ Z
    ztw = Z.T @ w
    try:
        chol = np.linalg.cholesky(ztz)
    except np.linalg.LinAlgError:
        return math.inf
    beta = np.linalg.solve(chol.T, np.linalg.solve(chol, ztw))
    r = w - Z @ beta
    rss = float(r @ r)
    if not rss > 0:
        return math.inf
    logdet = 2.0 * float(np.sum(np.log(np.diag(chol))))
    return (n - p) * math.log(rss) - math.log(1.0 - rho * rho) + logdet


def gls_ar1(y, X) -> GlsFit:
    r"""Linear model with stationary AR(1) errors, fitted by restricted maximum likelihood.

    :math:`y = X\beta + e`, :math:`\mathrm{Cov}(e) = \sigma^2 R`,
    :math:`R_{ij} = \rho^{|i-j|}` (rows in time order; a gap is not filled, as
    ``nlme::corAR1()``).  With the Prais-Winsten transform :math:`P` (:math:`P^\top P =
    (1-\rho^2) R^{-1}`), :math:`w = Py`, :math:`Z = PX`, the restricted log-likelihood
    profiled over :math:`\sigma^2` is, up to a constant,

    .. math::

        -\tfrac12\{(n-p)\log \mathrm{RSS}(\rho) - \log(1-\rho^2) + \log|Z^\top Z|\},

    maximised over :math:`\rho \in (-1, 1)` (a grid, then Brent's method);
    :math:`\hat\beta = (Z^\top Z)^{-1} Z^\top w`,
    :math:`\widehat{\mathrm{Cov}}(\hat\beta) = \hat s (Z^\top Z)^{-1}` with
    :math:`\hat s = \mathrm{RSS}/(n-p)` and :math:`\hat\sigma^2 = \hat s/(1-\hat\rho^2)`.
    R: ``nlme::gls(y ~ X, correlation = nlme::corAR1(), method = "REML")``
    (``vcov(fit)``, ``coef(fit$modelStruct$corStruct, unconstrained = FALSE)``,
    ``fit$sigma``; ``summary`` uses t on :math:`n - p` degrees of freedom).

    Raises
    ------
    ValueError
        When the data cannot support the model (fewer than ``p + 2`` rows, a design without
        full rank, or values that are not finite).

    References
    ----------
    Pinheiro JC, Bates DM (2000). Mixed-Effects Models in S and S-PLUS. Springer, §5.3;
    Turner SL et al. (2021) BMC Med Res Methodol 21:181.
    """
    y = np.asarray(y, dtype=float)
    X = np.asarray(X, dtype=float)
    n, p = X.shape
    if len(y) != n or n < p + 2:
        raise ValueError(f"gls_ar1 needs at least p + 2 = {p + 2} rows, got {n}")
    if not (np.all(np.isfinite(y)) and np.all(np.isfinite(X))):
        raise ValueError("gls_ar1 needs finite values")
    if np.linalg.matrix_rank(X) < p:
        raise ValueError("gls_ar1: the design does not have full rank")
    grid = np.linspace(-0.9, 0.9, 19)
    values = [_reml_objective(r, y, X) for r in grid]
    best = int(np.argmin(values))
    lo = grid[best - 1] if best > 0 else -0.999
    hi = grid[best + 1] if best < len(grid) - 1 else 0.999
    res = optimize.minimize_scalar(_reml_objective, bounds=(lo, hi), args=(y, X),
                                   method="bounded", options={"xatol": 1e-10})
    rho = float(res.x) if res.fun <= values[best] else float(grid[best])
    w, Z = _prais_winsten(y, rho), _prais_winsten(X, rho)
    ztz_inv = np.linalg.inv(Z.T @ Z)
    beta = ztz_inv @ (Z.T @ w)
    r = w - Z @ beta
    s = float(r @ r) / (n - p)
    return GlsFit(params=beta, cov=s * ztz_inv, rho=rho, sigma=math.sqrt(s / (1 - rho * rho)),
                  df=n - p)


def t_quantile(df: float, alpha: float = 0.05) -> float:
    """The ``1 - alpha/2`` quantile of the t distribution (R: ``qt(1 - alpha/2, df)``)."""
    return float(special.stdtrit(df, 1.0 - alpha / 2.0))


@dataclass(frozen=True)
class AlternativeFits:
    """What the alternatives need from one fitted segmented model: the fit itself (a
    :class:`score_analysis.stats.rate_model.RateFit`), the Newey-West covariance at the
    wider lag ``lag`` and the GLS fit with AR(1) errors (None when the data cannot support
    it, e.g. a month without any event)."""

    fit: object
    lag: int
    cov_newey_west: np.ndarray
    lag_half: int
    cov_newey_west_half: np.ndarray
    gls: GlsFit | None


def alternative_fits(fit) -> AlternativeFits:
    """The :class:`AlternativeFits` of a fitted segmented model (``fit``, a
    :class:`score_analysis.stats.rate_model.RateFit`, which keeps its design, counts,
    offset and fitted counts).

    The Newey-West covariances at the lags :func:`wide_lag` and :func:`half_lag` are
    computed by the plan's own function,
    :func:`score_analysis.stats.glm.newey_west_covariance` (R's
    ``sandwich::NeweyWest(fit, lag = L, prewhite = FALSE, adjust = TRUE)``); the GLS model
    (:func:`gls_ar1`) regresses the log rate, ``log(numerator) - log(exposure)``, on the
    same columns (intercept, ``t``, ``post``, ``t_after`` and ``eid`` when the fit has it).
    """
    from ..stats.glm import newey_west_covariance

    X, y, mu = fit.design, fit.response, fit.fitted
    unscaled = fit.cov_model / fit.dispersion
    lag, lag_half = wide_lag(fit.n), half_lag(fit.n)
    nw = newey_west_covariance(X, y, mu, unscaled, lag)
    nw_half = newey_west_covariance(X, y, mu, unscaled, lag_half)
    gls = None
    if np.all(y > 0):
        try:
            gls = gls_ar1(np.log(y) - fit.offset, X)
        except (ValueError, np.linalg.LinAlgError):
            gls = None
    return AlternativeFits(fit=fit, lag=lag, cov_newey_west=nw, lag_half=lag_half,
                           cov_newey_west_half=nw_half, gls=gls)


def alternative_intervals(alt: AlternativeFits, weights: dict[str, float], *,
                          alpha: float = 0.05,
                          se_rule: str = "max") -> dict[str, tuple[float, float, float]]:
    r"""The log-scale estimate, standard error and critical value of :math:`c^\top\beta`
    under each alternative (:data:`ALTERNATIVES`), ``weights`` the coefficients of
    :math:`c` by name: an interval is ``estimate ± critical value × se``.  An alternative
    the data cannot support gives NaNs.

    ``nw_wide``: the fit's estimate, the standard error of ``se_rule`` (the plan's: the
    larger of the model-based and the wide-lag Newey-West one) and
    :math:`t_{n-p,\,1-\alpha/2}`; ``fixed_b``: the same with
    :func:`fixed_b_critical_value` at :math:`b = (L + 1)/n`; ``fixed_b_half``: the same
    at the lag :func:`half_lag`; ``gls_ar1``: the GLS estimate, its standard error and
    :math:`t_{n-p,\,1-\alpha/2}`.
    """
    fit = alt.fit
    c = fit.contrast(weights)
    b = float(c @ fit.params)
    se_model = float(np.sqrt(max(c @ fit.cov_model @ c, 0.0)))

    def chosen(cov: np.ndarray) -> float:
        se_nw = float(np.sqrt(max(c @ cov @ c, 0.0)))
        return {"max": max(se_model, se_nw), "model": se_model, "newey_west": se_nw}[se_rule]

    se, se_half = chosen(alt.cov_newey_west), chosen(alt.cov_newey_west_half)
    out: dict[str, tuple[float, float, float]] = {
        "nw_wide": (b, se, t_quantile(fit.df_resid, alpha))}
    for name, lag, value in (("fixed_b", alt.lag, se), ("fixed_b_half", alt.lag_half, se_half)):
        try:
            out[name] = (b, value, fixed_b_critical_value(min(1.0, (lag + 1) / fit.n),
                                                          alpha=alpha))
        except ValueError:
            out[name] = (b, math.nan, math.nan)
    if alt.gls is None:
        out["gls_ar1"] = (math.nan, math.nan, math.nan)
    else:
        g = alt.gls
        out["gls_ar1"] = (float(c @ g.params), float(np.sqrt(max(c @ g.cov @ c, 0.0))),
                          t_quantile(g.df, alpha))
    return out
