r"""The exact comparison of two Poisson rates (docs/analysis_plan.md §3.6,
``rate_ratio_exact``).

Where a KPI's primary model fails the events rule (e.g. worker suggestions 5 before and 67
after), the plan still shows how the two rates compare: the conditional exact test of R's
``poisson.test(c(x_after, x_before), c(E_after, E_before))``.  Given the total
:math:`n = x_a + x_b`, :math:`x_a` is binomial with
:math:`\pi = E_a / (E_a + E_b)` under equal rates, so the test and the Clopper-Pearson
interval of :math:`\pi` give the p-value and the interval of the rate ratio
:math:`\rho = (x_a/E_a) / (x_b/E_b)` through :math:`\rho = \pi/(1-\pi) \cdot E_b/E_a`.
It ignores the trend before the programme and overdispersion: a description, not evidence
of an effect.

References
----------
Przyborowski J, Wilenski H (1940). Homogeneity of results in testing samples from Poisson
series. Biometrika 31:313-323.  Clopper CJ, Pearson ES (1934). Biometrika 26:404-413.
"""

from __future__ import annotations

import numpy as np
from scipy import stats

#: R's binom.test counts outcomes as extreme as the observed one up to this relative error.
_REL_ERR = 1 + 1e-7


def binomial_two_sided_p(x: int, n: int, p: float) -> float:
    """The two-sided p of R's ``binom.test(x, n, p)``: the probability of every outcome no
    more likely than ``x`` (within a relative 1e-7)."""
    if p == 0:
        return float(x == 0)
    if p == 1:
        return float(x == n)
    d = stats.binom.pmf(x, n, p)
    m = n * p
    if x == m:
        return 1.0
    if x < m:
        i = np.arange(int(np.ceil(m)), n + 1)
        y = int(np.sum(stats.binom.pmf(i, n, p) <= d * _REL_ERR))
        value = stats.binom.cdf(x, n, p) + stats.binom.sf(n - y, n, p)
    else:
        i = np.arange(0, int(np.floor(m)) + 1)
        y = int(np.sum(stats.binom.pmf(i, n, p) <= d * _REL_ERR))
        value = stats.binom.cdf(y - 1, n, p) + stats.binom.sf(x - 1, n, p)
    return float(min(1.0, value))


def poisson_rate_ratio(x_after: float, exposure_after: float, x_before: float,
                       exposure_before: float, *, alpha: float = 0.05) -> dict:
    r"""Exact comparison of the rate after with the rate before, as R's
    ``poisson.test(c(x_after, x_before), c(exposure_after, exposure_before))``.

    Parameters
    ----------
    x_after, x_before
        Event counts (whole numbers, not both zero).
    exposure_after, exposure_before
        Positive exposures (worker-hours, headcount-months...).
    alpha
        1 - confidence level of the interval.

    Returns
    -------
    dict
        ``estimate`` the rate ratio :math:`(x_a/E_a)/(x_b/E_b)` (``inf`` with no event
        before), ``ci_low`` and ``ci_high`` its exact interval
        :math:`\pi_{L,U}/(1-\pi_{L,U}) \cdot E_b/E_a` from the Clopper-Pearson limits of
        :math:`\pi` (``ci_high`` is ``inf`` with no event before, ``ci_low`` 0 with none
        after), and ``p_value`` the two-sided exact p of equal rates.

    Raises
    ------
    ValueError
        For negative or non-integer counts, no event at all, or non-positive exposures.

    References
    ----------
    R Core Team, ``?poisson.test`` and ``?binom.test`` (stats package).
    """
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must lie between 0 and 1, got {alpha}")
    for name, x in (("x_after", x_after), ("x_before", x_before)):
        if not (np.isfinite(x) and x >= 0 and float(x).is_integer()):
            raise ValueError(f"{name} must be a whole number of events, got {x!r}")
    for name, e in (("exposure_after", exposure_after), ("exposure_before", exposure_before)):
        if not (np.isfinite(e) and e > 0):
            raise ValueError(f"{name} must be a positive number, got {e!r}")
    xa, xb = int(x_after), int(x_before)
    n = xa + xb
    if n == 0:
        raise ValueError("poisson_rate_ratio needs at least one event")
    pi0 = exposure_after / (exposure_after + exposure_before)
    half = alpha / 2
    lower = 0.0 if xa == 0 else float(stats.beta.ppf(half, xa, n - xa + 1))
    upper = 1.0 if xa == n else float(stats.beta.ppf(1 - half, xa + 1, n - xa))
    scale = exposure_before / exposure_after
    with np.errstate(divide="ignore"):
        estimate = (xa / exposure_after) / (xb / exposure_before) if xb else float("inf")
        high = upper / (1 - upper) * scale if upper < 1 else float("inf")
    return {"estimate": float(estimate), "ci_low": lower / (1 - lower) * scale,
            "ci_high": float(high), "p_value": binomial_two_sided_p(xa, n, pi0)}
