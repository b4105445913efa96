"""Before/after comparisons of scores: t tests, R-compatible rank tests, Friedman,
Cronbach's alpha and effect sizes (SPEC §6).

Every test takes the data first and returns a one-row tidy frame with the
columns :data:`COMPARISON_COLUMNS`.  Differences are always *after minus
before*.  The rank tests reproduce R's ``wilcox.test`` (not scipy's defaults):
exact p-values only without ties or zeros and when n < 50, otherwise the normal
approximation with tie and continuity corrections.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

#: Columns of every comparison frame.
COMPARISON_COLUMNS = (
    "method", "n_pre", "n_post", "pre_value", "post_value", "estimate", "ci_low", "ci_high",
    "statistic", "df", "p_value", "effect_size", "std_error", "exact",
)

EXACT_LIMIT = 50


def _as_array(x, name: str) -> np.ndarray:
    a = np.asarray(x, dtype=float)
    if a.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional")
    return a


def _paired(before, after) -> np.ndarray:
    b, a = _as_array(before, "before"), _as_array(after, "after")
    if b.shape != a.shape:
        raise ValueError(f"paired samples differ in length ({len(b)} before, {len(a)} after)")
    keep = np.isfinite(b) & np.isfinite(a)
    return a[keep] - b[keep], b[keep], a[keep]


def _frame(**values) -> pd.DataFrame:
    row = dict.fromkeys(COMPARISON_COLUMNS, np.nan)
    row.update(values)
    return pd.DataFrame([row], columns=list(COMPARISON_COLUMNS))


def paired_t(before, after, *, alpha: float = 0.05) -> pd.DataFrame:
    r"""Paired t test of ``after - before``.

    :math:`d_i = a_i - b_i`, :math:`t = \bar d / (s_d/\sqrt n)` on :math:`n-1` df;
    CI :math:`\bar d \pm t_{1-\alpha/2,n-1} s_d/\sqrt n`; effect size Cohen's
    :math:`d_z = \bar d / s_d`.  Pairs with a missing value are dropped.
    R: ``t.test(after, before, paired = TRUE)``.

    References
    ----------
    Student (1908); Lakens D (2013) Front Psychol 4:863 (d_z).
    """
    d, b, a = _paired(before, after)
    n = len(d)
    if n < 2:
        raise ValueError(f"paired_t needs at least 2 complete pairs, got {n}")
    mean = float(d.mean())
    sd = float(d.std(ddof=1))
    se = sd / np.sqrt(n)
    q = stats.t.ppf(1 - alpha / 2, n - 1)
    if se > 0:
        t = mean / se
        p = float(2 * stats.t.sf(abs(t), n - 1))
    else:
        t, p = np.nan, np.nan
    return _frame(method="paired_t", n_pre=n, n_post=n, pre_value=float(b.mean()),
                  post_value=float(a.mean()), estimate=mean, ci_low=mean - q * se,
                  ci_high=mean + q * se, statistic=t, df=float(n - 1), p_value=p,
                  effect_size=mean / sd if sd > 0 else np.nan, std_error=se, exact=False)


def wilcoxon_signed_rank(before, after) -> pd.DataFrame:
    r"""Wilcoxon signed-rank test of ``after - before``, as R's
    ``wilcox.test(after, before, paired = TRUE)``.

    Zero differences are dropped; :math:`V` = sum of the ranks of the positive
    differences.  Exact p-value when :math:`n < 50` and there are neither ties
    nor zeros; otherwise
    :math:`z = (V - n(n+1)/4 - \tfrac12\,\mathrm{sign}) / \sqrt{n(n+1)(2n+1)/24 -
    \sum (t^3 - t)/48}`.  Estimate: the median difference (SPEC §7).

    References
    ----------
    Wilcoxon F (1945) Biometrics Bulletin 1:80-83; Hollander M, Wolfe DA (1973)
    Nonparametric Statistical Methods, pp. 27-33.
    """
    d, b, a = _paired(before, after)
    if len(d) < 1:
        raise ValueError("wilcoxon_signed_rank needs at least one complete pair")
    nz = d[d != 0]
    n = len(nz)
    median = float(np.median(d))
    base = {"method": "wilcoxon_signed_rank", "n_pre": len(d), "n_post": len(d),
            "pre_value": float(np.median(b)), "post_value": float(np.median(a)),
            "estimate": median}
    if n == 0:
        return _frame(**base, statistic=0.0, p_value=1.0, exact=False)
    ranks = stats.rankdata(np.abs(nz))
    v = float(ranks[nz > 0].sum())
    ties = len(np.unique(np.abs(nz))) < n
    zeros = n < len(d)
    exact = n < EXACT_LIMIT and not ties and not zeros
    if exact:
        p = float(stats.wilcoxon(nz, method="exact").pvalue)
    else:
        _, counts = np.unique(ranks, return_counts=True)
        sigma = np.sqrt(n * (n + 1) * (2 * n + 1) / 24 - np.sum(counts**3 - counts) / 48)
        z = v - n * (n + 1) / 4
        z = (z - np.sign(z) * 0.5) / sigma if sigma > 0 else np.nan
        p = float(2 * min(stats.norm.cdf(z), stats.norm.sf(z))) if np.isfinite(z) else np.nan
    return _frame(**base, statistic=v, p_value=min(p, 1.0), exact=exact)


def welch_t(before, after, *, alpha: float = 0.05) -> pd.DataFrame:
    r"""Welch's unequal-variance t test of ``mean(after) - mean(before)``.

    :math:`t = (\bar a - \bar b)/\sqrt{s_a^2/n_a + s_b^2/n_b}` with
    Welch-Satterthwaite df; effect size Hedges' :math:`g = J\,(\bar a - \bar b)/s_p`,
    :math:`s_p^2 = ((n_a-1)s_a^2 + (n_b-1)s_b^2)/(n_a+n_b-2)`,
    :math:`J = 1 - 3/(4(n_a+n_b)-9)`.  R: ``t.test(after, before)``.

    References
    ----------
    Welch BL (1947) Biometrika 34:28-35; Hedges LV (1981) J Educ Stat 6:107-128.
    """
    b = _as_array(before, "before")
    a = _as_array(after, "after")
    b, a = b[np.isfinite(b)], a[np.isfinite(a)]
    if len(a) < 2 or len(b) < 2:
        raise ValueError(f"welch_t needs at least 2 values per group, got {len(b)} and {len(a)}")
    res = stats.ttest_ind(a, b, equal_var=False)
    ci = res.confidence_interval(confidence_level=1 - alpha)
    va, vb = a.var(ddof=1), b.var(ddof=1)
    se = float(np.sqrt(va / len(a) + vb / len(b)))
    sp = np.sqrt(((len(a) - 1) * va + (len(b) - 1) * vb) / (len(a) + len(b) - 2))
    j = 1 - 3 / (4 * (len(a) + len(b)) - 9)
    diff = float(a.mean() - b.mean())
    return _frame(method="welch_t", n_pre=len(b), n_post=len(a), pre_value=float(b.mean()),
                  post_value=float(a.mean()), estimate=diff, ci_low=float(ci.low),
                  ci_high=float(ci.high), statistic=float(res.statistic), df=float(res.df),
                  p_value=float(res.pvalue), effect_size=j * diff / sp if sp > 0 else np.nan,
                  std_error=se, exact=False)


def mann_whitney(before, after) -> pd.DataFrame:
    r"""Wilcoxon rank-sum (Mann-Whitney) test, as R's ``wilcox.test(after, before)``.

    :math:`W` = sum of the ranks of ``after`` minus :math:`n_a(n_a+1)/2`.  Exact
    when both samples are smaller than 50 and there are no ties; otherwise the
    normal approximation with tie and continuity corrections.  Estimate: the
    difference of medians (SPEC §7).

    References
    ----------
    Mann HB, Whitney DR (1947) Ann Math Stat 18:50-60.
    """
    b = _as_array(before, "before")
    a = _as_array(after, "after")
    b, a = b[np.isfinite(b)], a[np.isfinite(a)]
    if len(a) < 1 or len(b) < 1:
        raise ValueError("mann_whitney needs at least one value per group")
    pooled = np.concatenate([a, b])
    ties = len(np.unique(pooled)) < len(pooled)
    exact = len(a) < EXACT_LIMIT and len(b) < EXACT_LIMIT and not ties
    res = stats.mannwhitneyu(a, b, alternative="two-sided", use_continuity=True,
                             method="exact" if exact else "asymptotic")
    return _frame(method="mann_whitney", n_pre=len(b), n_post=len(a),
                  pre_value=float(np.median(b)), post_value=float(np.median(a)),
                  estimate=float(np.median(a) - np.median(b)), statistic=float(res.statistic),
                  p_value=float(res.pvalue), exact=exact)


def friedman(scores: pd.DataFrame) -> pd.DataFrame:
    r"""Friedman rank test across the columns (audits) of a blocks × occasions table.

    Rows with a missing value are dropped.
    :math:`Q = \frac{12}{nk(k+1)}\sum_j R_j^2 - 3n(k+1)`, corrected for ties, on
    :math:`k-1` df; effect size Kendall's :math:`W = Q/(n(k-1))`.
    R: ``friedman.test(as.matrix(scores))``.

    References
    ----------
    Friedman M (1937) J Am Stat Assoc 32:675-701.
    """
    m = scores.dropna()
    n, k = m.shape
    if k < 3:
        raise ValueError(f"friedman needs at least 3 occasions, got {k}")
    if n < 2:
        raise ValueError(f"friedman needs at least 2 complete blocks, got {n}")
    values = m.to_numpy(dtype=float)
    if np.all(values == values[:, :1]):
        return _frame(method="friedman", n_pre=n, n_post=n, statistic=0.0, df=float(k - 1),
                      p_value=1.0, effect_size=0.0, exact=False)
    res = stats.friedmanchisquare(*values.T)
    return _frame(method="friedman", n_pre=n, n_post=n,
                  pre_value=float(np.mean(values[:, 0])), post_value=float(np.mean(values[:, -1])),
                  statistic=float(res.statistic), df=float(k - 1), p_value=float(res.pvalue),
                  effect_size=float(res.statistic) / (n * (k - 1)), exact=False)


def cronbach_alpha(items: pd.DataFrame) -> float:
    r"""Cronbach's alpha of the complete cases of an items table (respondents × items).

    :math:`\alpha = \frac{k}{k-1}\left(1 - \frac{\sum_i s_i^2}{s_T^2}\right)`.
    Returns ``nan`` with fewer than 2 items, 2 complete cases or zero total variance.

    References
    ----------
    Cronbach LJ (1951) Psychometrika 16:297-334.
    """
    m = items.dropna().to_numpy(dtype=float)
    if m.ndim != 2 or m.shape[1] < 2 or m.shape[0] < 2:
        return float("nan")
    k = m.shape[1]
    total = m.sum(axis=1).var(ddof=1)
    if total <= 0:
        return float("nan")
    return float(k / (k - 1) * (1 - m.var(axis=0, ddof=1).sum() / total))
