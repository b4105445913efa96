r"""Random-effects meta-analysis across enterprises (docs/analysis_plan.md §7, synthesis).

REML between-enterprise variance :math:`\tau^2` and the Knapp-Hartung interval and test
on :math:`t_{k-1}`, never narrower than the standard random-effects interval
(``metafor::rma(yi, vi, method = "REML", test = "adhoc")``), with the prediction interval
of Higgins, Thompson & Spiegelhalter (2009) on :math:`k - 2` degrees of freedom.  Pooled
per indicator (plan version 3, :data:`KPI_SOURCES`): the KPIs' log effect at the last
month (``cits_effect_end`` when at least ``settings.min_pooled`` enterprises have it, else
``its_effect_end``; the other of the two, ``its_level`` and ``rate_ratio_step`` as
sensitivity rows), the survey's mean change from each enterprise's primary comparison
(``mean_change``: paired or Welch, each with its own standard error; ``welch_t`` on all
respondents as the sensitivity row).  5S is not pooled.  Holm over the confirmatory
primary pooled rows, and their direction, come from :mod:`.decisions`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from ..settings import PLAN, AnalysisSettings
from .decisions import FAMILY_STATUSES, direction, directions, family_adjusted
from .notes import note, note_codes, note_text
from .outputs import (
    CITS_PRIMARY,
    ITS_PRIMARY,
    MEAN_CHANGE,
    NAIVE_STEP,
    POOLED_COLUMNS,
    POOLED_INPUT_COLUMNS,
)

#: Convergence of the REML Fisher scoring (change of tau² between two steps).
REML_TOLERANCE = 1e-12
REML_MAX_ITER = 200

#: The method label written to pooled.csv.
POOLED_METHOD = "random_effects_reml_knapp_hartung_adhoc"

#: Columns of :func:`random_effects` (``pi_df``: the degrees of freedom of the prediction
#: interval, ``k - settings.prediction_df_offset``).
META_COLUMNS = ("k", "estimate", "ci_low", "ci_high", "pi_low", "pi_high", "p_value", "tau2",
                "i2", "q", "se", "pi_df")

#: Columns of :func:`leave_one_out`.
LEAVE_ONE_OUT_COLUMNS = ("left_out", "estimate", "ci_low", "ci_high", "p_value", "tau2", "i2",
                         "q", "pi_low", "pi_high")

#: The KPI methods pooled, in order: the two candidates for the primary (the controlled
#: estimate when at least ``settings.min_pooled`` enterprises have it), then the sensitivity
#: rows.
KPI_SOURCES = (CITS_PRIMARY, ITS_PRIMARY, "its_level", NAIVE_STEP)
#: The survey's pooled rows: the primary mean change, then Welch on all respondents.
SURVEY_SOURCES = (MEAN_CHANGE, "welch_t")

#: Columns of :func:`pooled_results`: ``pooled.csv`` plus the ``note`` and its
#: ``note_code`` (``tau2_zero`` when the between-enterprise variance is estimated as 0).
POOLED_RESULT_COLUMNS = (*POOLED_COLUMNS, "note", "note_code")


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


def random_effects(effects, variances, *, settings: AnalysisSettings = PLAN,
                   alpha: float | None = None) -> pd.DataFrame:
    r"""REML random-effects pooling with the Knapp-Hartung (adhoc) interval and test, and
    the prediction interval on :math:`k - 2` degrees of freedom.

    With :math:`k` studies, effects :math:`y_i`, within-study variances :math:`v_i`,
    :math:`\hat\tau^2` = :func:`reml_tau2`, :math:`W_i = 1/(v_i + \hat\tau^2)`,
    :math:`\hat\mu = \sum W_i y_i / \sum W_i`,
    :math:`s^2 = \sum W_i (y_i - \hat\mu)^2 / (k-1)` and
    :math:`\widehat{\mathrm{se}} = \sqrt{\max(1, s^2) / \sum W_i}` (the Knapp-Hartung
    standard error, never smaller than the standard one); CI
    :math:`\hat\mu \pm t_{k-1,1-\alpha/2}\widehat{\mathrm{se}}`, p from
    :math:`\hat\mu/\widehat{\mathrm{se}}` on :math:`t_{k-1}`; prediction interval
    :math:`\hat\mu \pm t_{k-d,1-\alpha/2}\sqrt{\hat\tau^2 + \widehat{\mathrm{se}}^2}` with
    :math:`d` = ``settings.prediction_df_offset`` (2 in the plan: Higgins, Thompson &
    Spiegelhalter 2009; metafor's ``predict()`` uses :math:`k - 1`), none when
    :math:`k - d < 1`; Cochran's :math:`Q = \sum w_i (y_i - \bar y_w)^2` with
    :math:`w_i = 1/v_i`; :math:`I^2 = 100\,\hat\tau^2/(\hat\tau^2 + \tilde v)`,
    :math:`\tilde v = (k-1)\sum w_i / ((\sum w_i)^2 - \sum w_i^2)`.
    R: ``res <- metafor::rma(yi, vi, method = "REML", test = "adhoc")``;
    ``res$b + c(-1, 1) * qt(0.975, res$k - 2) * sqrt(res$tau2 + res$se^2)``.
    ``alpha`` (default ``settings.alpha``) is 1 - the confidence level.

    Returns
    -------
    pandas.DataFrame
        One row, columns :data:`META_COLUMNS`.

    References
    ----------
    Hartung J, Knapp G (2001) Stat Med 20:3875-3889; Knapp G, Hartung J (2003) Stat Med
    22:2693-2710 (the ad hoc truncation); Röver C, Knapp G, Friede T (2015) BMC Med Res
    Methodol 15:99; Higgins JPT, Thompson SG, Spiegelhalter DJ (2009) J R Stat Soc A
    172:137-159 (prediction interval); Riley RD, Higgins JPT, Deeks JJ (2011) BMJ 342:d549;
    Viechtbauer W (2010) J Stat Softw 36(3) (metafor).
    """
    alpha = settings.alpha if alpha is None else alpha
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
    pi_df = k - settings.prediction_df_offset
    half_pi = (stats.t.ppf(1 - alpha / 2, pi_df) * np.sqrt(tau2 + se**2) if pi_df >= 1
               else np.nan)
    return pd.DataFrame([{
        "k": k, "estimate": mu, "ci_low": mu - crit * se, "ci_high": mu + crit * se,
        "pi_low": mu - half_pi, "pi_high": mu + half_pi,
        "p_value": float(2 * stats.t.sf(abs(mu / se), k - 1)), "tau2": tau2, "i2": i2,
        "q": q, "se": se, "pi_df": pi_df,
    }], columns=list(META_COLUMNS))


def study_weights(effects, variances) -> np.ndarray:
    r"""Each study's weight in percent, :math:`100\,W_i/\sum W_i` with
    :math:`W_i = 1/(v_i + \hat\tau^2_{REML})`.  R: ``weights(rma(yi, vi, method = "REML"))``."""
    y, v = _checked(effects, variances, 0.05)
    w = 1.0 / (v + reml_tau2(y, v))
    return 100.0 * w / w.sum()


def leave_one_out(effects, variances, labels=None, *, settings: AnalysisSettings = PLAN,
                  alpha: float | None = None) -> pd.DataFrame:
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
    alpha = settings.alpha if alpha is None else alpha
    y, v = _checked(effects, variances, alpha)
    if len(y) < 3:
        raise ValueError(f"leave_one_out needs at least 3 studies, got {len(y)}")
    labels = list(range(1, len(y) + 1)) if labels is None else list(labels)
    if len(labels) != len(y):
        raise ValueError("labels must name every study once")
    rows = []
    for i, label in enumerate(labels):
        keep = np.arange(len(y)) != i
        fit = random_effects(y[keep], v[keep], settings=settings, alpha=alpha).iloc[0]
        rows.append({"left_out": label, **{c: float(fit[c]) for c in LEAVE_ONE_OUT_COLUMNS[1:]}})
    return pd.DataFrame(rows, columns=list(LEAVE_ONE_OUT_COLUMNS))


# --------------------------------------------------------------------------- the synthesis


def _kpi_sources(group: pd.DataFrame, settings: AnalysisSettings) -> list[tuple[str, bool]]:
    """``(source method, primary)`` of every pooled row of one KPI: the controlled estimate
    is the primary when at least ``settings.min_pooled`` enterprises have it estimated,
    else the single-series one; the other of the two (the controlled one only when some
    enterprise has its rows), ``its_level`` and ``rate_ratio_step`` are sensitivity rows."""
    controlled = group[group["method"] == CITS_PRIMARY]
    enough = int((controlled["status"] == "ok").sum()) >= settings.min_pooled
    primary = CITS_PRIMARY if enough else ITS_PRIMARY
    out = [(primary, True)]
    other = ITS_PRIMARY if enough else CITS_PRIMARY
    if other == ITS_PRIMARY or len(controlled):
        out.append((other, False))
    return [*out, ("its_level", False), (NAIVE_STEP, False)]


def _studies(results: pd.DataFrame, settings: AnalysisSettings):
    """``(domain, indicator, source method, primary, tracked, studies)`` for every pooled
    row; ``studies`` has ``enterprise_id``, ``input_method``, ``yi``, ``vi``."""
    wanted = results[results["domain"].isin(["kpi", "survey"])]
    for (domain, indicator), group in wanted.groupby(["domain", "indicator"], sort=True):
        tracked = bool((group["status"] != "not_reported").any())
        sources = (_kpi_sources(group, settings) if domain == "kpi"
                   else [(MEAN_CHANGE, True), ("welch_t", False)])
        for method, primary in sources:
            if method == MEAN_CHANGE:
                rows = group[group["primary"].astype(bool)
                             & group["method"].isin(["paired_t", "welch_t"])]
            else:
                rows = group[group["method"] == method]
            use = rows[rows["status"] == "ok"]
            est = use["estimate"].to_numpy(float)
            with np.errstate(divide="ignore", invalid="ignore"):
                y = np.log(est) if domain == "kpi" else est
            v = use["se"].to_numpy(float) ** 2
            keep = np.isfinite(y) & np.isfinite(v) & (v > 0)
            studies = pd.DataFrame({"enterprise_id": use["enterprise_id"].to_numpy()[keep],
                                    "input_method": use["method"].to_numpy()[keep],
                                    "yi": y[keep], "vi": v[keep]})
            yield domain, indicator, method, primary, tracked, studies


def pooled_results(results: pd.DataFrame, *,
                   settings: AnalysisSettings = PLAN) -> pd.DataFrame:
    """Pool each indicator across enterprises (plan version 3) with :func:`random_effects`.

    KPI rows are pooled on the log scale (:math:`y = \\log RR`, :math:`v = \\mathrm{se}^2`,
    the standard error of the plan) and the estimate and intervals exponentiated back to
    rate ratios; the survey's mean changes are pooled on their own scale.  Only rows with
    ``status = ok`` and a positive standard error count.  A row is ``ok`` with at least
    ``settings.min_pooled`` enterprises, ``insufficient_data`` with fewer (``k`` and a note,
    no numbers) and ``not_reported`` when no enterprise tracks the indicator.
    ``confirmatory`` marks the primary rows of ``settings.confirmatory`` that are ``ok`` or
    ``insufficient_data``: ``p_holm`` is Holm's adjustment across them (an
    ``insufficient_data`` one counting with p = 1), and ``direction`` is judged on them only
    (:func:`~score_analysis.stats.decisions.direction`).  A row whose :math:`\\tau^2` is
    estimated as 0 carries the note ``tau2_zero``: the spread between enterprises could not
    be estimated, which does not show that the effects are equal.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`POOLED_RESULT_COLUMNS`, one row per (domain, indicator, source
        method).
    """
    rows = []
    for domain, indicator, method, primary, tracked, studies in _studies(results, settings):
        k = len(studies)
        row = dict.fromkeys(POOLED_RESULT_COLUMNS, np.nan)
        is_kpi = domain == "kpi"
        row.update(domain=domain, indicator=indicator, source_method=method, primary=primary,
                   k=k, estimate_scale="rate_ratio" if is_kpi else "difference",
                   method=POOLED_METHOD, status="ok")
        notes = []
        if method == MEAN_CHANGE and k:
            paired = int((studies["input_method"] == "paired_t").sum())
            notes.append(note("mean_change_inputs", paired=paired, welch=k - paired))
        if not tracked:
            row["status"] = "not_reported"
            notes = [note("not_tracked_anywhere")]
        elif k < settings.min_pooled:
            row["status"] = "insufficient_data"
            notes.append(note("too_few_to_pool", k=k, needed=settings.min_pooled))
        else:
            meta = random_effects(studies["yi"], studies["vi"], settings=settings).iloc[0]
            back = np.exp if is_kpi else float
            for col in ("estimate", "ci_low", "ci_high", "pi_low", "pi_high"):
                row[col] = float(back(meta[col]))
            row.update(p_value=float(meta["p_value"]), tau2=float(meta["tau2"]),
                       i2=float(meta["i2"]), q=float(meta["q"]))
            if meta["tau2"] == 0:
                notes.append(note("tau2_zero", k=k))
        row["note"], row["note_code"] = note_text(notes), note_codes(notes)
        rows.append(row)
    out = pd.DataFrame(rows, columns=list(POOLED_RESULT_COLUMNS))
    out["primary"] = out["primary"].astype(bool)
    out["confirmatory"] = (out["primary"] & out["indicator"].isin(list(settings.confirmatory))
                           & out["status"].isin(FAMILY_STATUSES))
    family = out["confirmatory"].to_numpy(dtype=bool)
    if family.any():
        holm_p, _ = family_adjusted(out.loc[family, "p_value"].to_numpy(float),
                                    out.loc[family, "status"].to_numpy(object))
        out.loc[family, "p_holm"] = holm_p
    out["direction"] = directions(out, settings)
    return out[list(POOLED_RESULT_COLUMNS)]


def pooled_inputs(results: pd.DataFrame, *,
                  settings: AnalysisSettings = PLAN) -> pd.DataFrame:
    """Every (indicator, source method, enterprise) that enters a pooling, with the results
    row it comes from (``input_method``), ``yi``, ``vi`` and its weight in percent
    (:func:`study_weights`), so that a reviewer can rerun
    ``metafor::rma(yi, vi, method = "REML", test = "adhoc")`` by hand.  Columns
    :data:`~score_analysis.stats.outputs.POOLED_INPUT_COLUMNS`."""
    frames = []
    for domain, indicator, method, _, tracked, studies in _studies(results, settings):
        if not tracked or len(studies) < settings.min_pooled:
            continue
        frames.append(studies.assign(domain=domain, indicator=indicator, source_method=method,
                                     weight_percent=study_weights(studies["yi"],
                                                                  studies["vi"])))
    if not frames:
        return pd.DataFrame({c: pd.Series(dtype=float if c in ("yi", "vi", "weight_percent")
                                          else object) for c in POOLED_INPUT_COLUMNS})
    return pd.concat(frames, ignore_index=True)[list(POOLED_INPUT_COLUMNS)]


def pooled_direction(row, settings: AnalysisSettings = PLAN) -> str:
    """The direction of one pooled row: the stored ``direction`` when the row has one (the
    pages read it, never judge again), else judged by
    :func:`~score_analysis.stats.decisions.direction` from its ``confirmatory``,
    ``status``, ``p_holm`` and estimate."""
    get = row.get if hasattr(row, "get") else (lambda c, d=None: getattr(row, c, d))
    stored = get("direction", None)
    if isinstance(stored, str) and stored:
        return stored
    return direction(confirmatory=bool(get("confirmatory", False)),
                     status=str(get("status", "ok")), p_holm=get("p_holm", np.nan),
                     estimate=get("estimate", np.nan),
                     estimate_scale=str(get("estimate_scale", "")), domain=get("domain"),
                     indicator=get("indicator"), settings=settings)
