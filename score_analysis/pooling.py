"""Random-effects meta-analysis across enterprises (SPEC §6, synthesis).

DerSimonian-Laird between-enterprise variance τ² and the Hartung-Knapp-
Sidik-Jonkman (HKSJ) interval and test on t(k-1), as
``metafor::rma(yi, vi, method = "DL", test = "knha")``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from .contract import POOLED_COLUMNS

MIN_K = 3

#: Columns of :func:`random_effects`.
META_COLUMNS = ("k", "estimate", "ci_low", "ci_high", "p_value", "tau2", "i2", "q", "se")


def random_effects(effects, variances, *, alpha: float = 0.05) -> pd.DataFrame:
    r"""DerSimonian-Laird random-effects pooling with the HKSJ interval and test.

    With :math:`k` studies, effects :math:`y_i` and within-study variances :math:`v_i`:
    :math:`w_i = 1/v_i`, :math:`\bar y_w = \sum w_i y_i/\sum w_i`,
    :math:`Q = \sum w_i (y_i - \bar y_w)^2`,
    :math:`\hat\tau^2 = \max\{0, (Q - (k-1)) / (\sum w_i - \sum w_i^2/\sum w_i)\}`;
    :math:`w_i^* = 1/(v_i + \hat\tau^2)`, :math:`\hat\mu = \sum w_i^* y_i / \sum w_i^*`;
    Hartung-Knapp-Sidik-Jonkman
    :math:`\widehat{\mathrm{se}}^2 = \sum w_i^*(y_i-\hat\mu)^2 / ((k-1)\sum w_i^*)`,
    CI :math:`\hat\mu \pm t_{k-1,1-\alpha/2}\,\widehat{\mathrm{se}}`, p from
    :math:`\hat\mu/\widehat{\mathrm{se}}` on :math:`t_{k-1}`;
    :math:`I^2 = 100\max\{0, (Q-(k-1))/Q\}`.
    R: ``metafor::rma(yi, vi, method = "DL", test = "knha")``.

    statsmodels' ``combine_effects(method_re="dl")`` does not truncate
    :math:`\hat\tau^2` at zero (it reports a negative between-study variance and
    :math:`I^2` when :math:`Q < k-1`, and weights the studies with it), so the estimator
    is written out here; the tests pin it to metafor in both regimes.

    Parameters
    ----------
    effects, variances
        One value per study (enterprise): the effect and the square of its standard
        error.  Finite, variances positive.
    alpha
        1 - confidence level.

    Returns
    -------
    pandas.DataFrame
        One row, columns :data:`META_COLUMNS` (``se`` is the HKSJ standard error, ``q``
        Cochran's Q).

    References
    ----------
    DerSimonian R, Laird N (1986) Control Clin Trials 7:177-188;
    Hartung J, Knapp G (2001) Stat Med 20:3875-3889;
    Sidik K, Jonkman JN (2002) Stat Med 21:3153-3159;
    Higgins JPT, Thompson SG (2002) Stat Med 21:1539-1558 (I²);
    Viechtbauer W (2010) J Stat Softw 36(3) (metafor).
    """
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must lie between 0 and 1, got {alpha}")
    y = np.asarray(effects, dtype=float)
    v = np.asarray(variances, dtype=float)
    if y.shape != v.shape or y.ndim != 1:
        raise ValueError("effects and variances must be one-dimensional and of equal length")
    if not (np.all(np.isfinite(y)) and np.all(np.isfinite(v)) and np.all(v > 0)):
        raise ValueError("effects must be finite and variances finite and positive")
    k = len(y)
    if k < 2:
        raise ValueError(f"random_effects needs at least 2 studies, got {k}")
    w = 1.0 / v
    q = float(np.sum(w * (y - np.sum(w * y) / np.sum(w)) ** 2))
    c = float(np.sum(w) - np.sum(w**2) / np.sum(w))
    tau2 = max(0.0, (q - (k - 1)) / c)
    ws = 1.0 / (v + tau2)
    mu = float(np.sum(ws * y) / np.sum(ws))
    se = float(np.sqrt(np.sum(ws * (y - mu) ** 2) / ((k - 1) * np.sum(ws))))
    crit = stats.t.ppf(1 - alpha / 2, k - 1)
    p = float(2 * stats.t.sf(abs(mu / se), k - 1)) if se > 0 else np.nan
    i2 = 100.0 * max(0.0, (q - (k - 1)) / q) if q > 0 else 0.0
    return pd.DataFrame([{
        "k": k, "estimate": mu, "ci_low": mu - crit * se, "ci_high": mu + crit * se,
        "p_value": p, "tau2": tau2, "i2": i2, "q": q, "se": se,
    }], columns=list(META_COLUMNS))


#: Columns of :func:`pooled_results`: SPEC §7's ``pooled.csv`` plus a ``note``.
POOLED_RESULT_COLUMNS = (*POOLED_COLUMNS, "note")

#: The rows pooled per domain (SPEC §6): KPI step rate ratios, 5S and survey mean changes.
POOLED_METHODS = {"kpi": ("rate_ratio_step",), "five_s": ("paired_t", "welch_t"),
                  "survey": ("paired_t", "welch_t")}


def pooled_results(results: pd.DataFrame, *, alpha: float = 0.05) -> pd.DataFrame:
    """Pool each indicator across enterprises (SPEC §6) with :func:`random_effects`.

    KPI ``rate_ratio_step`` rows are pooled on the log scale (:math:`y = \\log RR`,
    :math:`v = \\mathrm{se}^2` of the log rate ratio) and the pooled estimate and interval
    are exponentiated back to a rate ratio; 5S and survey mean changes (``paired_t`` or,
    for an unmatched survey, ``welch_t``) are pooled on their own scale.  Only rows with
    ``status = ok`` and a positive standard error count.

    Parameters
    ----------
    results
        The internal results table (:data:`score_analysis.analysis.INTERNAL_COLUMNS`,
        with ``std_error``).
    alpha
        1 - confidence level.

    Returns
    -------
    pandas.DataFrame
        One row per (domain, indicator) in ``results``, columns
        :data:`POOLED_RESULT_COLUMNS`.  With fewer than :data:`MIN_K` estimable
        enterprises the row has ``k`` and a ``note`` but no numbers.
    """
    rows = []
    wanted = results[results["domain"].isin(list(POOLED_METHODS))]
    for (domain, indicator), group in wanted.groupby(["domain", "indicator"], sort=True):
        is_kpi = domain == "kpi"
        use = group[(group["status"] == "ok") & group["method"].isin(POOLED_METHODS[domain])]
        est = use["estimate"].to_numpy(float)
        with np.errstate(divide="ignore", invalid="ignore"):
            y = np.log(est) if is_kpi else est
        v = use["std_error"].to_numpy(float) ** 2
        keep = np.isfinite(y) & np.isfinite(v) & (v > 0)
        k = int(keep.sum())
        row = dict.fromkeys(POOLED_RESULT_COLUMNS, np.nan)
        row.update(domain=domain, indicator=indicator, k=k,
                   estimate_scale="rate_ratio" if is_kpi else "difference",
                   method="random_effects_dl_hksj", note="")
        if k < MIN_K:
            row["note"] = (f"{k} enterprise(s) with an estimate; pooling needs at least "
                           f"{MIN_K}")
        else:
            meta = random_effects(y[keep], v[keep], alpha=alpha).iloc[0]
            back = np.exp if is_kpi else float
            row.update(estimate=float(back(meta["estimate"])),
                       ci_low=float(back(meta["ci_low"])), ci_high=float(back(meta["ci_high"])),
                       p_value=float(meta["p_value"]), tau2=float(meta["tau2"]),
                       i2=float(meta["i2"]))
        rows.append(row)
    return pd.DataFrame(rows, columns=list(POOLED_RESULT_COLUMNS))
