r"""Random-effects meta-analysis across enterprises (docs/analysis_plan.md §6, synthesis).

REML between-enterprise variance :math:`\tau^2` and the Knapp-Hartung interval and test
on :math:`t_{k-1}`, never narrower than the standard random-effects interval, with a
prediction interval: ``metafor::rma(yi, vi, method = "REML", test = "adhoc")`` and
``predict()``.  Pooled per indicator: the KPI ``its_level`` (log scale; the primary) and
``rate_ratio_step`` (a sensitivity row), and the survey ``welch_t`` mean difference of
every enterprise (all respondents: one estimand for matched and anonymous designs alike).
5S is not pooled.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from .indicators import INDICATORS
from .outputs import POOLED_COLUMNS, POOLED_INPUT_COLUMNS

MIN_K = 3
ALPHA = 0.05
#: Convergence of the REML Fisher scoring (change of tau² between two steps).
REML_TOLERANCE = 1e-12
REML_MAX_ITER = 200

#: The method label written to pooled.csv.
POOLED_METHOD = "random_effects_reml_knapp_hartung_adhoc"

#: Columns of :func:`random_effects`.
META_COLUMNS = ("k", "estimate", "ci_low", "ci_high", "pi_low", "pi_high", "p_value", "tau2",
                "i2", "q", "se")

#: Columns of :func:`leave_one_out`.
LEAVE_ONE_OUT_COLUMNS = ("left_out", "estimate", "ci_low", "ci_high", "p_value", "tau2", "i2",
                         "q", "pi_low", "pi_high")

#: What is pooled (plan v2): (domain, source method, primary).
POOLED_SOURCES = (("kpi", "its_level", True), ("kpi", "rate_ratio_step", False),
                  ("survey", "welch_t", True))

#: Columns of :func:`pooled_results`: ``pooled.csv`` plus a ``note``.
POOLED_RESULT_COLUMNS = (*POOLED_COLUMNS, "note")


def _checked(effects, variances, alpha: float) -> tuple[np.ndarray, np.ndarray]:
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must lie between 0 and 1, got {alpha}")
    y = np.asarray(effects, dtype=float)
    v = np.asarray(variances, dtype=float)
    if y.shape != v.shape or y.ndim != 1:
        raise ValueError("effects and variances must be one-dimensional and of equal length")
    if not (np.all(np.isfinite(y)) and np.all(np.isfinite(v)) and np.all(v > 0)):
        raise ValueError("effects must be finite and variances finite and positive")
    if len(y) < 2:
        raise ValueError(f"random_effects needs at least 2 studies, got {len(y)}")
    return y, v


def reml_tau2(effects, variances) -> float:
    r"""The REML estimate of the between-study variance :math:`\tau^2` (intercept only).

    Fisher scoring as in metafor, iterated to a change below :data:`REML_TOLERANCE`:
    with :math:`W_i = 1/(v_i + \tau^2)` and :math:`P = W - W\mathbf{1}\mathbf{1}^\top W /
    \sum W`, :math:`\tau^2 \leftarrow \tau^2 + (y^\top P P y - \mathrm{tr} P) /
    \mathrm{tr}(PP)`, truncated at 0.  R: ``metafor::rma(yi, vi, method = "REML")$tau2``.

    References
    ----------
    Viechtbauer W (2005) J Educ Behav Stat 30:261-293.
    """
    y, v = _checked(effects, variances, 0.05)
    tau2 = max(0.0, float(np.var(y, ddof=1) - np.mean(v)))  # Hedges' start, as metafor
    for _ in range(REML_MAX_ITER):
        w = 1.0 / (v + tau2)
        sw, sw2, sw3 = w.sum(), (w**2).sum(), (w**3).sum()
        mu = float(np.sum(w * y) / sw)
        ypppy = float(np.sum(w**2 * (y - mu) ** 2))
        tr_p = sw - sw2 / sw
        tr_pp = sw2 - 2 * sw3 / sw + sw2**2 / sw**2
        step = (ypppy - tr_p) / tr_pp
        new = tau2 + step
        while new < 0 and step < 0 and tau2 > 0:  # step halving, as metafor
            step /= 2
            new = tau2 + step
        new = max(0.0, new)
        if abs(new - tau2) < REML_TOLERANCE:
            return new
        tau2 = new
    raise ValueError("the REML estimate of tau² did not converge")


def random_effects(effects, variances, *, alpha: float = ALPHA) -> pd.DataFrame:
    r"""REML random-effects pooling with the Knapp-Hartung (adhoc) interval and test.

    With :math:`k` studies, effects :math:`y_i`, within-study variances :math:`v_i`,
    :math:`\hat\tau^2` = :func:`reml_tau2`, :math:`W_i = 1/(v_i + \hat\tau^2)`,
    :math:`\hat\mu = \sum W_i y_i / \sum W_i`,
    :math:`s^2 = \sum W_i (y_i - \hat\mu)^2 / (k-1)` and
    :math:`\widehat{\mathrm{se}} = \sqrt{\max(1, s^2) / \sum W_i}` (the Knapp-Hartung
    standard error, never smaller than the standard one); CI
    :math:`\hat\mu \pm t_{k-1,1-\alpha/2}\widehat{\mathrm{se}}`, p from
    :math:`\hat\mu/\widehat{\mathrm{se}}` on :math:`t_{k-1}`; prediction interval
    :math:`\hat\mu \pm t_{k-1,1-\alpha/2}\sqrt{\hat\tau^2 + \widehat{\mathrm{se}}^2}`;
    Cochran's :math:`Q = \sum w_i (y_i - \bar y_w)^2` with :math:`w_i = 1/v_i`;
    :math:`I^2 = 100\,\hat\tau^2/(\hat\tau^2 + \tilde v)`,
    :math:`\tilde v = (k-1)\sum w_i / ((\sum w_i)^2 - \sum w_i^2)`.
    R: ``res <- metafor::rma(yi, vi, method = "REML", test = "adhoc"); predict(res)``.

    Returns
    -------
    pandas.DataFrame
        One row, columns :data:`META_COLUMNS`.

    References
    ----------
    Hartung J, Knapp G (2001) Stat Med 20:3875-3889; Knapp G, Hartung J (2003) Stat Med
    22:2693-2710 (the ad hoc truncation); Röver C, Knapp G, Friede T (2015) BMC Med Res
    Methodol 15:99; Higgins JPT, Thompson SG, Spiegelhalter DJ (2009) J R Stat Soc A
    172:137-159 (prediction interval); Viechtbauer W (2010) J Stat Softw 36(3) (metafor).
    """
    y, v = _checked(effects, variances, alpha)
    k = len(y)
    tau2 = reml_tau2(y, v)
    w_star = 1.0 / (v + tau2)
    mu = float(np.sum(w_star * y) / np.sum(w_star))
    s2 = float(np.sum(w_star * (y - mu) ** 2) / (k - 1))
    se = float(np.sqrt(max(1.0, s2) / np.sum(w_star)))
    crit = stats.t.ppf(1 - alpha / 2, k - 1)
    w = 1.0 / v
    q = float(np.sum(w * (y - np.sum(w * y) / np.sum(w)) ** 2))
    typical = (k - 1) * np.sum(w) / (np.sum(w) ** 2 - np.sum(w**2))
    i2 = float(100.0 * tau2 / (tau2 + typical))
    half_pi = crit * np.sqrt(tau2 + se**2)
    return pd.DataFrame([{
        "k": k, "estimate": mu, "ci_low": mu - crit * se, "ci_high": mu + crit * se,
        "pi_low": mu - half_pi, "pi_high": mu + half_pi,
        "p_value": float(2 * stats.t.sf(abs(mu / se), k - 1)), "tau2": tau2, "i2": i2,
        "q": q, "se": se,
    }], columns=list(META_COLUMNS))


def study_weights(effects, variances) -> np.ndarray:
    r"""Each study's weight in percent, :math:`100\,W_i/\sum W_i` with
    :math:`W_i = 1/(v_i + \hat\tau^2_{REML})`.  R: ``weights(rma(yi, vi, method = "REML"))``."""
    y, v = _checked(effects, variances, ALPHA)
    w = 1.0 / (v + reml_tau2(y, v))
    return 100.0 * w / w.sum()


def leave_one_out(effects, variances, labels=None, *, alpha: float = ALPHA) -> pd.DataFrame:
    """:func:`random_effects` refitted with each study left out in turn.

    R: ``metafor::leave1out(rma(yi, vi, method = "REML", test = "adhoc"))``.

    Parameters
    ----------
    effects, variances
        At least three studies.
    labels
        The name of each study (default 1, 2, ...), returned as ``left_out``.

    Returns
    -------
    pandas.DataFrame
        One row per study, columns :data:`LEAVE_ONE_OUT_COLUMNS`.
    """
    y, v = _checked(effects, variances, alpha)
    if len(y) < 3:
        raise ValueError(f"leave_one_out needs at least 3 studies, got {len(y)}")
    labels = list(range(1, len(y) + 1)) if labels is None else list(labels)
    if len(labels) != len(y):
        raise ValueError("labels must name every study once")
    rows = []
    for i, label in enumerate(labels):
        keep = np.arange(len(y)) != i
        fit = random_effects(y[keep], v[keep], alpha=alpha).iloc[0]
        rows.append({"left_out": label, **{c: float(fit[c]) for c in LEAVE_ONE_OUT_COLUMNS[1:]}})
    return pd.DataFrame(rows, columns=list(LEAVE_ONE_OUT_COLUMNS))


# --------------------------------------------------------------------------- the synthesis


def _studies(results: pd.DataFrame):
    """(domain, indicator, method, primary, tracked, studies frame) for every pooling."""
    domains = {d for d, _, _ in POOLED_SOURCES}
    wanted = results[results["domain"].isin(domains)]
    for (domain, indicator), group in wanted.groupby(["domain", "indicator"], sort=True):
        for dom, method, primary in POOLED_SOURCES:
            if dom != domain:
                continue
            rows = group[group["method"] == method]
            tracked = bool((rows["status"] != "not_reported").any())
            use = rows[rows["status"] == "ok"]
            est = use["estimate"].to_numpy(float)
            with np.errstate(divide="ignore", invalid="ignore"):
                y = np.log(est) if domain == "kpi" else est
            v = use["se"].to_numpy(float) ** 2
            keep = np.isfinite(y) & np.isfinite(v) & (v > 0)
            studies = pd.DataFrame({"enterprise_id": use["enterprise_id"].to_numpy()[keep],
                                    "yi": y[keep], "vi": v[keep]})
            yield domain, indicator, method, primary, tracked, studies


def pooled_results(results: pd.DataFrame, *, alpha: float = ALPHA) -> pd.DataFrame:
    """Pool each indicator across enterprises (plan v2) with :func:`random_effects`.

    KPI ``its_level`` (primary) and ``rate_ratio_step`` (sensitivity) rows are pooled on
    the log scale (:math:`y = \\log RR`, :math:`v = \\mathrm{se}^2`, the standard error of
    plan v2) and the estimate and intervals exponentiated back to rate ratios; the survey
    ``welch_t`` mean differences are pooled on their own scale.  Only rows with
    ``status = ok`` and a positive standard error count.  ``p_holm`` is Holm's adjustment
    across the primary pooled rows whose indicator some enterprise tracks; a planned
    primary that cannot be pooled (fewer than :data:`MIN_K` enterprises) counts with p = 1.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`POOLED_RESULT_COLUMNS`, one row per (domain, indicator, source
        method); with fewer than :data:`MIN_K` estimable enterprises the row has ``k`` and a
        ``note`` but no numbers.
    """
    from statsmodels.stats.multitest import multipletests

    rows = []
    for domain, indicator, method, primary, tracked, studies in _studies(results):
        k = len(studies)
        row = dict.fromkeys(POOLED_RESULT_COLUMNS, np.nan)
        is_kpi = domain == "kpi"
        row.update(domain=domain, indicator=indicator, source_method=method, primary=primary,
                   k=k, estimate_scale="rate_ratio" if is_kpi else "difference",
                   method=POOLED_METHOD, note="", _tracked=tracked)
        if k < MIN_K:
            row["note"] = (f"{k} enterprise(s) with an estimate; pooling needs at least "
                           f"{MIN_K}")
        else:
            meta = random_effects(studies["yi"], studies["vi"], alpha=alpha).iloc[0]
            back = np.exp if is_kpi else float
            for col in ("estimate", "ci_low", "ci_high", "pi_low", "pi_high"):
                row[col] = float(back(meta[col]))
            row.update(p_value=float(meta["p_value"]), tau2=float(meta["tau2"]),
                       i2=float(meta["i2"]), q=float(meta["q"]))
        rows.append(row)
    out = pd.DataFrame(rows, columns=[*POOLED_RESULT_COLUMNS, "_tracked"])
    family = out["primary"].astype(bool) & out["_tracked"].astype(bool)
    if family.any():
        p = out.loc[family, "p_value"].fillna(1.0).to_numpy(float)
        adj = multipletests(p, method="holm")[1]
        filled = out.loc[family, "p_value"].notna().to_numpy()
        out.loc[out.index[family][filled], "p_holm"] = adj[filled]
    out["primary"] = out["primary"].astype(bool)
    return out[list(POOLED_RESULT_COLUMNS)]


def pooled_inputs(results: pd.DataFrame) -> pd.DataFrame:
    """Every (indicator, source method, enterprise) that enters a pooling, with ``yi``,
    ``vi`` and its weight in percent (:func:`study_weights`), so that a reviewer can rerun
    ``metafor::rma(yi, vi, method = "REML", test = "adhoc")`` by hand.  Columns
    :data:`~score_analysis.stats.outputs.POOLED_INPUT_COLUMNS`."""
    frames = []
    for domain, indicator, method, _, _, studies in _studies(results):
        if len(studies) < MIN_K:
            continue
        frames.append(studies.assign(domain=domain, indicator=indicator, source_method=method,
                                     weight_percent=study_weights(studies["yi"],
                                                                  studies["vi"])))
    if not frames:
        return pd.DataFrame({c: pd.Series(dtype=float if c in ("yi", "vi", "weight_percent")
                                          else object) for c in POOLED_INPUT_COLUMNS})
    return pd.concat(frames, ignore_index=True)[list(POOLED_INPUT_COLUMNS)]


def pooled_direction(row) -> str:
    """The direction of one pooled row: ``improved`` or ``worsened`` when its Holm-adjusted
    p is below 0.05 (by the indicator's good direction), else ``inconclusive``;
    ``not_tested`` for a sensitivity row or one that was not pooled."""
    get = row.get if hasattr(row, "get") else (lambda c: getattr(row, c, np.nan))
    if not bool(get("primary")):
        return "not_tested"
    p, est = get("p_holm"), get("estimate")
    if not (isinstance(p, (int, float)) and np.isfinite(p) and np.isfinite(est)):
        return "not_tested" if not np.isfinite(est) else "inconclusive"
    if p >= ALPHA:
        return "inconclusive"
    change = np.log(est) if get("estimate_scale") in ("rate_ratio", "slope_ratio") else est
    if change == 0:
        return "inconclusive"
    good = INDICATORS[get("indicator")].good_direction if get("domain") == "kpi" else 1
    return "improved" if np.sign(change) == good else "worsened"
