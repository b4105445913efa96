"""Before/after comparisons of scores: t tests, R-compatible rank tests, Friedman,
Cronbach's alpha and effect sizes (docs/analysis_plan.md).

Every test takes the data first and returns a one-row tidy frame with the
columns :data:`COMPARISON_COLUMNS`.  Differences are always *after minus
before*.  The rank tests reproduce R's ``wilcox.test`` (not scipy's defaults):
exact p-values only without ties or zeros and when n < 50, otherwise the normal
approximation with tie and continuity corrections.

Input values must be finite numbers: missing values are a data decision that
belongs to the caller (the analysis drops incomplete pairs before testing), so a
``NaN`` raises :class:`ValueError` rather than being dropped silently.  A test
that the data make undefined (every difference zero, no variance) returns
``status = insufficient_data`` with a ``note`` (and its ``note_code``,
:mod:`.notes`) instead of a p-value.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import special, stats

from .notes import Note, note, note_codes, note_text

#: Columns of every comparison frame.
COMPARISON_COLUMNS = (
    "method", "status", "n_pre", "n_post", "pre_value", "post_value", "estimate", "ci_low",
    "ci_high", "statistic", "df", "p_value", "effect_size", "se", "exact", "note", "note_code",
)

#: R's wilcox.test computes exact p-values only below this sample size.
EXACT_LIMIT = 50
#: Significant digits kept when ranking, so that floating-point noise cannot break a tie.
RANK_DIGITS = 12


def _as_array(x, name: str) -> np.ndarray:
    try:
        a = np.asarray(x, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must contain numbers only ({exc})") from exc
    if a.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, got shape {a.shape}")
    bad = ~np.isfinite(a)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ValueError(f"{name}[{i}] is {a[i]}: remove missing or infinite values before "
                         f"testing")
    return a


def _paired(before, after) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    b, a = _as_array(before, "before"), _as_array(after, "after")
    if b.shape != a.shape:
        raise ValueError(f"paired samples differ in length ({len(b)} before, {len(a)} after)")
    return a - b, b, a


def _rank_values(x: np.ndarray) -> np.ndarray:
    """Values rounded to :data:`RANK_DIGITS` significant digits, for ranking and ties.

    Scores that are means of items (e.g. 11/3 and 4) give differences such as
    ``4 - 11/3`` and ``3 - 8/3`` that are equal in exact arithmetic but differ in the
    last bit; unrounded, they would count as distinct values and switch the test to
    the wrong branch.
    """
    return np.array([float(f"{v:.{RANK_DIGITS}g}") for v in x], dtype=float)


def _frame(*, why: Note | None = None, **values) -> pd.DataFrame:
    """The one-row frame; ``why`` is the note of a test the data make undefined."""
    row = dict.fromkeys(COMPARISON_COLUMNS, np.nan)
    notes = [why] if why is not None else []
    row.update(status="ok", note=note_text(notes), note_code=note_codes(notes), exact=False)
    row.update(values)
    return pd.DataFrame({c: [row[c]] for c in COMPARISON_COLUMNS})


def paired_t(before, after, *, alpha: float = 0.05) -> pd.DataFrame:
    r"""Paired t test of ``after - before``.

    :math:`d_i = a_i - b_i`, :math:`t = \bar d / (s_d/\sqrt n)` on :math:`n-1` df;
    CI :math:`\bar d \pm t_{1-\alpha/2,n-1} s_d/\sqrt n`; effect size Cohen's
    :math:`d_z = \bar d / s_d`.  R: ``t.test(after, before, paired = TRUE)``.
    When every difference is the same (:math:`s_d = 0`) the test is undefined (R stops
    with "data are essentially constant"): ``status = insufficient_data``.

    Parameters
    ----------
    before, after
        Paired values (same length, finite).
    alpha
        1 - confidence level.

    Returns
    -------
    pandas.DataFrame
        One row, columns :data:`COMPARISON_COLUMNS`; ``pre_value``/``post_value`` are
        the means.

    References
    ----------
    Student (1908) Biometrika 6:1-25; Lakens D (2013) Front Psychol 4:863 (d_z).
    """
    _check_alpha(alpha)
    d, b, a = _paired(before, after)
    n = len(d)
    if n < 2:
        raise ValueError(f"paired_t needs at least 2 pairs, got {n}")
    mean = float(d.mean())
    sd = float(d.std(ddof=1))
    base = {"method": "paired_t", "n_pre": n, "n_post": n, "pre_value": float(b.mean()),
            "post_value": float(a.mean()), "estimate": mean, "df": float(n - 1)}
    if not sd > 1e-12 * max(1.0, abs(mean)):
        return _frame(**base, status="insufficient_data",
                      why=note("constant_differences", value=float(f"{mean:.6g}")))
    se = sd / np.sqrt(n)
    q = stats.t.ppf(1 - alpha / 2, n - 1)
    t = mean / se
    return _frame(**base, ci_low=mean - q * se, ci_high=mean + q * se, statistic=t,
                  p_value=float(2 * stats.t.sf(abs(t), n - 1)), effect_size=mean / sd,
                  se=se)


def wilcoxon_signed_rank(before, after) -> pd.DataFrame:
    r"""Wilcoxon signed-rank test of ``after - before``, as R's
    ``wilcox.test(after, before, paired = TRUE)``.

    Zero differences are dropped; :math:`V` = sum of the ranks of the positive
    differences among the :math:`n` non-zero ones.  Exact p-value when :math:`n < 50`
    and there are neither ties nor zeros; otherwise
    :math:`z = (V - n(n+1)/4 - \tfrac12\,\mathrm{sign}(V - n(n+1)/4)) /
    \sqrt{n(n+1)(2n+1)/24 - \sum_j (t_j^3 - t_j)/48}` (:math:`t_j` the sizes of the
    groups of tied absolute differences), :math:`p = 2\min(\Phi(z), 1-\Phi(z))`.
    Estimate: the median difference (docs/analysis_plan.md §10), zeros included.  Effect size: the
    matched-pairs rank-biserial correlation :math:`r = 4V/(n(n+1)) - 1` (Kerby 2014),
    from -1 (every change down) to 1 (every change up).  Differences are ranked at
    :data:`RANK_DIGITS` significant digits so that floating-point noise cannot break
    a tie.  When every difference is zero the test is undefined (R returns NaN):
    ``status = insufficient_data``.

    References
    ----------
    Wilcoxon F (1945) Biometrics Bulletin 1:80-83; Hollander M, Wolfe DA (1973)
    Nonparametric Statistical Methods, pp. 27-33; Kerby DS (2014) Compr Psychol 3:11.
    """
    d, b, a = _paired(before, after)
    if len(d) < 1:
        raise ValueError("wilcoxon_signed_rank needs at least one pair")
    dr = _rank_values(d)
    nz = dr[dr != 0]
    n = len(nz)
    base = {"method": "wilcoxon_signed_rank", "n_pre": len(d), "n_post": len(d),
            "pre_value": float(np.median(b)), "post_value": float(np.median(a)),
            "estimate": float(np.median(d))}
    if n == 0:
        return _frame(**base, status="insufficient_data", why=note("zero_differences"))
    ranks = stats.rankdata(np.abs(nz))
    v = float(ranks[nz > 0].sum())
    ties = len(np.unique(ranks)) < n
    exact = n < EXACT_LIMIT and not ties and n == len(d)
    if exact:
        p = float(stats.wilcoxon(nz, method="exact").pvalue)
    else:
        _, counts = np.unique(ranks, return_counts=True)
        sigma = np.sqrt(n * (n + 1) * (2 * n + 1) / 24 - np.sum(counts**3 - counts) / 48)
        z = v - n * (n + 1) / 4
        z = (z - np.sign(z) * 0.5) / sigma
        p = float(2 * min(stats.norm.cdf(z), stats.norm.sf(z)))
    return _frame(**base, statistic=v, p_value=min(p, 1.0), exact=exact,
                  effect_size=4 * v / (n * (n + 1)) - 1)


def welch_t(before, after, *, alpha: float = 0.05) -> pd.DataFrame:
    r"""Welch's unequal-variance t test of ``mean(after) - mean(before)``.

    :math:`t = (\bar a - \bar b)/\sqrt{s_a^2/n_a + s_b^2/n_b}` with
    Welch-Satterthwaite df; effect size Hedges' :math:`g = J\,(\bar a - \bar b)/s_p`,
    :math:`s_p^2 = ((n_a-1)s_a^2 + (n_b-1)s_b^2)/(n_a+n_b-2)`, with the exact
    small-sample factor :math:`J = \Gamma(m/2) / (\sqrt{m/2}\,\Gamma((m-1)/2))`,
    :math:`m = n_a+n_b-2` (as ``metafor::escalc(measure = "SMD")``).
    R: ``t.test(after, before)``.  Both groups constant: ``insufficient_data``.

    References
    ----------
    Welch BL (1947) Biometrika 34:28-35; Hedges LV (1981) J Educ Stat 6:107-128.
    """
    _check_alpha(alpha)
    b = _as_array(before, "before")
    a = _as_array(after, "after")
    if len(a) < 2 or len(b) < 2:
        raise ValueError(f"welch_t needs at least 2 values per group, got {len(b)} and {len(a)}")
    diff = float(a.mean() - b.mean())
    va, vb = a.var(ddof=1), b.var(ddof=1)
    se = float(np.sqrt(va / len(a) + vb / len(b)))
    base = {"method": "welch_t", "n_pre": len(b), "n_post": len(a),
            "pre_value": float(b.mean()), "post_value": float(a.mean()), "estimate": diff}
    if not se > 1e-12 * max(1.0, abs(diff)):
        return _frame(**base, status="insufficient_data", why=note("constant_groups"))
    res = stats.ttest_ind(a, b, equal_var=False)
    ci = res.confidence_interval(confidence_level=1 - alpha)
    m = len(a) + len(b) - 2
    j = np.exp(special.gammaln(m / 2) - 0.5 * np.log(m / 2) - special.gammaln((m - 1) / 2))
    sp = np.sqrt(((len(a) - 1) * va + (len(b) - 1) * vb) / m)
    return _frame(**base, ci_low=float(ci.low), ci_high=float(ci.high),
                  statistic=float(res.statistic), df=float(res.df), p_value=float(res.pvalue),
                  effect_size=float(j * diff / sp), se=se)


def mann_whitney(before, after) -> pd.DataFrame:
    r"""Wilcoxon rank-sum (Mann-Whitney) test, as R's ``wilcox.test(after, before)``.

    :math:`W` = sum of the ranks of ``after`` in the pooled sample minus
    :math:`n_a(n_a+1)/2`.  Exact when both samples are smaller than 50 and there are
    no ties; otherwise :math:`z = (W - n_a n_b/2 - \tfrac12\mathrm{sign}(W - n_a n_b/2))
    / \sqrt{\tfrac{n_a n_b}{12}\,(n_a+n_b+1 - \tfrac{\sum_j (t_j^3-t_j)}{(n_a+n_b)
    (n_a+n_b-1)})}`.  Estimate: the difference of medians (docs/analysis_plan.md
    §10).  Effect size: the
    rank-biserial correlation :math:`r = 2W/(n_a n_b) - 1` (the probability that an
    ``after`` value exceeds a ``before`` value, rescaled to -1..1).  Values are ranked
    at :data:`RANK_DIGITS` significant digits.

    References
    ----------
    Mann HB, Whitney DR (1947) Ann Math Stat 18:50-60; Hollander M, Wolfe DA (1973)
    pp. 67-74; Kerby DS (2014) Compr Psychol 3:11.
    """
    b = _as_array(before, "before")
    a = _as_array(after, "after")
    if len(a) < 1 or len(b) < 1:
        raise ValueError("mann_whitney needs at least one value per group")
    ra, rb = _rank_values(a), _rank_values(b)
    pooled = np.concatenate([ra, rb])
    base = {"method": "mann_whitney", "n_pre": len(b), "n_post": len(a),
            "pre_value": float(np.median(b)), "post_value": float(np.median(a)),
            "estimate": float(np.median(a) - np.median(b))}
    if len(np.unique(pooled)) == 1:
        return _frame(**base, status="insufficient_data", why=note("equal_values"))
    ties = len(np.unique(pooled)) < len(pooled)
    exact = len(a) < EXACT_LIMIT and len(b) < EXACT_LIMIT and not ties
    res = stats.mannwhitneyu(ra, rb, alternative="two-sided", use_continuity=True,
                             method="exact" if exact else "asymptotic")
    w = float(res.statistic)
    return _frame(**base, statistic=w, p_value=min(float(res.pvalue), 1.0), exact=exact,
                  effect_size=2 * w / (len(a) * len(b)) - 1)


def friedman(scores: pd.DataFrame) -> pd.DataFrame:
    r"""Friedman rank test across the columns (occasions) of a blocks × occasions table.

    Ranks within each block (row); with :math:`R_j` the rank sums of the :math:`k`
    occasions over the :math:`n` blocks and :math:`t` the sizes of the tie groups,
    :math:`Q = 12\sum_j (R_j - n(k+1)/2)^2 / (nk(k+1) - \sum(t^3-t)/(k-1))` on
    :math:`k-1` df; effect size Kendall's :math:`W = Q/(n(k-1))`.
    R: ``friedman.test(as.matrix(scores))``.  ``pre_value``/``post_value`` are the
    means of the first and last column.  When every block is tied throughout, the
    test is undefined (R returns NaN): ``status = insufficient_data``.

    Raises
    ------
    ValueError
        With missing values (drop incomplete blocks first), fewer than 3 occasions or
        fewer than 2 blocks.

    References
    ----------
    Friedman M (1937) J Am Stat Assoc 32:675-701; Hollander & Wolfe (1973) pp. 138-146.
    """
    if not isinstance(scores, pd.DataFrame):
        raise ValueError(f"scores must be a pandas DataFrame, got {type(scores).__name__}")
    values = np.column_stack([_as_array(scores[c], f"scores[{c!r}]") for c in scores.columns]) \
        if scores.shape[1] else np.empty((len(scores), 0))
    n, k = values.shape
    if k < 3:
        raise ValueError(f"friedman needs at least 3 occasions, got {k}")
    if n < 2:
        raise ValueError(f"friedman needs at least 2 blocks, got {n}")
    base = {"method": "friedman", "n_pre": n, "n_post": n, "df": float(k - 1),
            "pre_value": float(values[:, 0].mean()), "post_value": float(values[:, -1].mean())}
    rounded = np.vectorize(lambda v: float(f"{v:.{RANK_DIGITS}g}"))(values)
    if np.all(rounded == rounded[:, :1]):
        return _frame(**base, status="insufficient_data", why=note("friedman_all_tied"))
    res = stats.friedmanchisquare(*rounded.T)
    q = float(res.statistic)
    return _frame(**base, statistic=q, p_value=float(res.pvalue), effect_size=q / (n * (k - 1)))


def cronbach_alpha(items: pd.DataFrame) -> float:
    r"""Cronbach's alpha of the complete cases of an items table (respondents × items).

    :math:`\alpha = \frac{k}{k-1}\left(1 - \frac{\sum_i s_i^2}{s_T^2}\right)` with
    :math:`s_i^2` the item variances and :math:`s_T^2` the variance of the respondents'
    totals (both with :math:`n-1`).  Returns ``nan`` with fewer than 2 items, fewer
    than 2 complete cases or zero total variance; the caller says why.

    References
    ----------
    Cronbach LJ (1951) Psychometrika 16:297-334.
    """
    if not isinstance(items, pd.DataFrame):
        raise ValueError(f"items must be a pandas DataFrame, got {type(items).__name__}")
    m = items.dropna().to_numpy(dtype=float)
    if m.ndim != 2 or m.shape[1] < 2 or m.shape[0] < 2:
        return float("nan")
    k = m.shape[1]
    total = m.sum(axis=1).var(ddof=1)
    if total <= 0:
        return float("nan")
    return float(k / (k - 1) * (1 - m.var(axis=0, ddof=1).sum() / total))


def _check_alpha(alpha: float) -> None:
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must lie between 0 and 1, got {alpha}")
