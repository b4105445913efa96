"""Random-effects meta-analysis across enterprises (SPEC §6, synthesis).

DerSimonian-Laird between-enterprise variance τ² and the Hartung-Knapp-
Sidik-Jonkman (HKSJ) interval and test on t(k-1), as
``metafor::rma(yi, vi, method = "DL", test = "knha")``; computed with
statsmodels' ``combine_effects`` (its "random effect wls" row is HKSJ).
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
    r"""DerSimonian-Laird random-effects pooling with the HKSJ interval.

    :math:`w_i = 1/v_i`, :math:`Q = \sum w_i (y_i - \bar y_w)^2`,
    :math:`\hat\tau^2 = \max\{0, (Q - (k-1)) / (\sum w_i - \sum w_i^2/\sum w_i)\}`;
    :math:`w_i^* = 1/(v_i + \hat\tau^2)`, :math:`\hat\mu = \sum w_i^* y_i / \sum w_i^*`;
    HKSJ :math:`\widehat{\mathrm{Var}}(\hat\mu) = \sum w_i^*(y_i-\hat\mu)^2 / ((k-1)\sum w_i^*)`,
    CI :math:`\hat\mu \pm t_{k-1,1-\alpha/2}\,\widehat{\mathrm{se}}`;
    :math:`I^2 = \max\{0, (Q-(k-1))/Q\}` (in %).

    References
    ----------
    DerSimonian R, Laird N (1986) Control Clin Trials 7:177-188;
    Hartung J, Knapp G (2001) Stat Med 20:3875-3889;
    Sidik K, Jonkman JN (2002) Stat Med 21:3153-3159;
    Viechtbauer W (2010) J Stat Softw 36(3) (metafor).
    """
    from statsmodels.stats.meta_analysis import combine_effects

    y = np.asarray(effects, dtype=float)
    v = np.asarray(variances, dtype=float)
    if y.shape != v.shape or y.ndim != 1:
        raise ValueError("effects and variances must be one-dimensional and of equal length")
    keep = np.isfinite(y) & np.isfinite(v) & (v > 0)
    y, v = y[keep], v[keep]
    k = len(y)
    if k < 2:
        raise ValueError(f"random_effects needs at least 2 studies with a positive variance, "
                         f"got {k}")
    res = combine_effects(y, v, method_re="dl", use_t=True, alpha=alpha)
    mu = float(res.mean_effect_re)
    se = float(res.sd_eff_w_re_hksj)
    q_crit = stats.t.ppf(1 - alpha / 2, k - 1)
    p = float(2 * stats.t.sf(abs(mu / se), k - 1)) if se > 0 else np.nan
    return pd.DataFrame([{
        "k": k, "estimate": mu, "ci_low": mu - q_crit * se, "ci_high": mu + q_crit * se,
        "p_value": p, "tau2": float(res.tau2), "i2": 100.0 * float(res.i2), "q": float(res.q),
        "se": se,
    }], columns=list(META_COLUMNS))


def pooled_results(results: pd.DataFrame, *, alpha: float = 0.05) -> pd.DataFrame:
    """Pool each indicator across enterprises (SPEC §6): KPI ``rate_ratio_step`` on the
    log scale, 5S and survey mean changes (``paired_t``/``welch_t``) on their own scale.

    ``results`` is the internal results table (with ``std_error``).  Indicators
    with fewer than :data:`MIN_K` estimable enterprises are listed with ``k``
    and no numbers.
    """
    rows = []
    ok = results[results["status"] == "ok"]
    kpi = ok[(ok["domain"] == "kpi") & (ok["method"] == "rate_ratio_step")]
    scores = ok[ok["domain"].isin(["five_s", "survey"])
                & ok["method"].isin(["paired_t", "welch_t"])]
    for (domain, indicator), group in pd.concat([kpi, scores]).groupby(
            ["domain", "indicator"], sort=True):
        is_kpi = domain == "kpi"
        y = np.log(group["estimate"].to_numpy(float)) if is_kpi else group["estimate"].to_numpy(
            float)
        v = group["std_error"].to_numpy(float) ** 2
        k = int((np.isfinite(y) & np.isfinite(v) & (v > 0)).sum())
        row = dict.fromkeys(POOLED_COLUMNS, np.nan)
        row.update(domain=domain, indicator=indicator, k=k,
                   estimate_scale="rate_ratio" if is_kpi else "difference",
                   method="random_effects_dl_hksj")
        if k >= MIN_K:
            meta = random_effects(y, v, alpha=alpha).iloc[0]
            tr = np.exp if is_kpi else (lambda x: x)
            row.update(estimate=float(tr(meta["estimate"])), ci_low=float(tr(meta["ci_low"])),
                       ci_high=float(tr(meta["ci_high"])), p_value=float(meta["p_value"]),
                       tau2=float(meta["tau2"]), i2=float(meta["i2"]))
        rows.append(row)
    return pd.DataFrame(rows, columns=list(POOLED_COLUMNS))
