"""Risk of bias of one enterprise's interrupted time series (Cochrane EPOC criteria).

EPOC's criteria for interrupted time series studies ask six questions of a design like
this one.  :func:`risk_of_bias` answers each with ``low``, ``high`` or ``unclear`` and
the reason, from the data wherever the data can say:

``independent``
    Was the intervention independent of other changes?  A single series without a
    control cannot rule out other changes at the same time, so at best ``unclear``;
    ``high`` when the placebo step (a pretend start halfway through the months before the
    programme, ``placebo_level``) differs from 1 after Holm's adjustment across the
    enterprise's indicators: the series already moved without the programme.
``shape``
    Was the shape of the effect pre-specified?  ``low`` when every tracked indicator has
    its pre-specified ``its_level`` row (analysis plan version 2: a step and a change of
    slope at the intervention month, a phase-in sensitivity row), else ``unclear``.
``data_collection``
    Was the intervention unlikely to affect data collection?  The programme itself
    teaches record-keeping, so never ``low``: ``high`` when, for some tracked indicator,
    the share of months missing differs by more than :data:`COLLECTION_GAP` between the
    months before and after the intervention, else ``unclear``; the support counts the
    quality log's warnings and cleaning notes.
``blinding``
    Was knowledge of the allocated intervention prevented?  The KPIs are counts from the
    enterprise's own records (objective outcomes in EPOC's sense): ``low``.  The 5S
    audits and the survey are not objective and are described, not tested.
``incomplete``
    Were incomplete outcome data adequately addressed?  ``low`` when at most
    :data:`MISSING_LOW` of the months of every tracked indicator are missing, ``high``
    when more than :data:`MISSING_HIGH` of one indicator's months are, else ``unclear``.
``selective``
    Was the study free from selective outcome reporting?  ``low`` when every planned
    (indicator, method) row is in the results, including those with too little data;
    ``high`` when one is missing.

References
----------
Cochrane Effective Practice and Organisation of Care (EPOC) (2017). Suggested risk of bias
criteria for EPOC reviews. EPOC Resources for review authors.
https://epoc.cochrane.org/resources/epoc-resources-review-authors
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..i18n import N_
from ..i18n import gettext as _
from .indicators import INDICATORS

#: Columns of :func:`risk_of_bias`.
RISK_COLUMNS = ("criterion", "question", "judgement", "support")
#: Judgements, EPOC's three levels.
JUDGEMENTS = ("low", "high", "unclear")
#: Columns of :func:`missing_months`.
MISSING_COLUMNS = ("indicator", "n_before", "missing_before", "n_after", "missing_after",
                   "zero_exposure")
#: Difference in the share of affected months (after minus before) judged ``high``.
COLLECTION_GAP = 0.20
#: Share of missing months at or below which incomplete data are ``low`` risk.
MISSING_LOW = 0.10
#: Share of missing months above which incomplete data are ``high`` risk.
MISSING_HIGH = 0.20
#: The KPI methods every tracked indicator must report (analysis plan version 2).
PLANNED_KPI_METHODS = ("its_level", "its_slope", "its_effect_end", "rate_ratio_step",
                       "its_level_harmonic", "its_level_phase_in", "its_level_no_eid",
                       "placebo_level")
#: Significance level of the placebo check.
ALPHA = 0.05

QUESTIONS = {
    "independent": N_("Intervention independent of other changes"),
    "shape": N_("Shape of the intervention effect pre-specified"),
    "data_collection": N_("Intervention unlikely to affect data collection"),
    "blinding": N_("Knowledge of the allocated intervention adequately prevented"),
    "incomplete": N_("Incomplete outcome data adequately addressed"),
    "selective": N_("Free from selective outcome reporting"),
}


def _month_number(month: pd.Series) -> pd.Series:
    return month.str.slice(0, 4).astype(int) * 12 + month.str.slice(5, 7).astype(int) - 1


def missing_months(kpi: pd.DataFrame, enterprise_id: str,
                   intervention_month: str) -> pd.DataFrame:
    """Months of the enterprise's span whose value is not recorded, per indicator.

    The span runs from the enterprise's first to its last KPI month.  A month is
    ``missing`` for an indicator when it has no row in ``kpi`` or a blank numerator or
    exposure; a recorded zero exposure (e.g. no suggestion submitted, so no
    implementation rate) is not missing data and is counted apart in ``zero_exposure``.
    Indicators whose columns are absent or never recorded are left out (not tracked).

    Parameters
    ----------
    kpi
        The validated ``kpi_monthly`` table (``data/processed/kpi_monthly.parquet``).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`MISSING_COLUMNS`, one row per tracked indicator.
    """
    if "month" not in kpi or "enterprise_id" not in kpi:
        raise ValueError("kpi lacks the column(s) enterprise_id and month")
    own = kpi[kpi["enterprise_id"] == enterprise_id]
    if own.empty:
        return pd.DataFrame(columns=list(MISSING_COLUMNS))
    idx = _month_number(own["month"].astype(str)).to_numpy()
    span = np.arange(int(idx.min()), int(idx.max()) + 1)
    start = int(_month_number(pd.Series([intervention_month])).iloc[0])
    after = span >= start
    rows = []
    for ind in INDICATORS.values():
        if ind.numerator not in own or ind.exposure not in own:
            continue
        num = pd.to_numeric(own[ind.numerator], errors="coerce").to_numpy(float)
        exp = pd.to_numeric(own[ind.exposure], errors="coerce").to_numpy(float)
        recorded = np.isfinite(num) & np.isfinite(exp)
        if not (recorded & (exp > 0)).any():
            continue
        have = set(idx[recorded])
        zero = set(idx[recorded & (exp == 0)])
        miss = np.array([m not in have for m in span])
        rows.append({"indicator": ind.name, "n_before": int((~after).sum()),
                     "missing_before": int((miss & ~after).sum()),
                     "n_after": int(after.sum()), "missing_after": int((miss & after).sum()),
                     "zero_exposure": len(zero)})
    return pd.DataFrame(rows, columns=list(MISSING_COLUMNS))


def holm_adjusted(p) -> np.ndarray:
    r"""Holm's adjusted p-values, :math:`\tilde p_{(i)} = \max_{j \le i} \min\{1,
    (m - j + 1) p_{(j)}\}` (R ``p.adjust(p, "holm")``), written out so that the reports
    that show this table need not import statsmodels."""
    p = np.asarray(p, dtype=float)
    order = np.argsort(p, kind="stable")
    m = len(p)
    adjusted = np.minimum(1.0, np.maximum.accumulate((m - np.arange(m)) * p[order]))
    out = np.empty(m)
    out[order] = adjusted
    return out


def _independent(results: pd.DataFrame) -> tuple[str, str]:
    placebo = results[(results["method"] == "placebo_level") & (results["status"] == "ok")
                      & results["p_value"].notna()]
    base = _("One series per indicator and no control series: other changes at the same "
             "time (orders, staff, Idul Fitri, which the eid term absorbs) cannot be ruled out.")
    if placebo.empty:
        return "unclear", base + " " + _("No placebo step could be estimated.")
    holm = holm_adjusted(placebo["p_value"].to_numpy(float))
    hits = placebo.loc[holm < ALPHA, "indicator"].tolist()
    text = " " + _("Placebo step halfway through the months before the programme: {hits} of "
                   "{n} indicators differ from 1 (p < {alpha}, Holm)").format(
        hits=len(hits), n=len(placebo), alpha=f"{ALPHA:g}")
    if hits:
        return "high", base + text + ": " + ", ".join(hits) + "."
    return "unclear", base + text + "."


def _shape(results: pd.DataFrame, tracked: list[str], intervention_month: str
           ) -> tuple[str, str]:
    have = set(results.loc[results["method"] == "its_level", "indicator"])
    lacking = [i for i in tracked if i not in have]
    text = _("Analysis plan version 2 fixes the model before the data are seen: a step "
             "(its_level) and a change of slope (its_slope) at the intervention month "
             "{month}, with a phase-in sensitivity row that leaves out its first three "
             "months.").format(month=intervention_month)
    if lacking or not tracked:
        return "unclear", text + " " + (
            _("No indicator is tracked.") if not tracked else
            _("No pre-specified step row for: {names}.").format(names=", ".join(lacking)))
    return "low", text


def _collection(kpi: pd.DataFrame, quality: pd.DataFrame, enterprise_id: str,
                intervention_month: str) -> tuple[str, str]:
    gaps = missing_months(kpi, enterprise_id, intervention_month)
    text = _("The programme itself teaches record-keeping, so the way months are recorded "
             "may have changed with it.")
    own = quality[quality["enterprise_id"] == enterprise_id] if "enterprise_id" in quality \
        else quality.iloc[:0]
    flagged = own[own["severity"] == "warning"]
    cleaned = own[own["severity"] == "info"]
    text += " " + _("Quality log: {warnings} warning(s) and {notes} cleaning note(s) for this "
                    "enterprise.").format(warnings=len(flagged), notes=len(cleaned))
    if gaps.empty:
        return "unclear", text + " " + _("No monthly KPI data.")
    nb, na = int(gaps["n_before"].sum()), int(gaps["n_after"].sum())
    mb, ma = int(gaps["missing_before"].sum()), int(gaps["missing_after"].sum())
    text += " " + _("Missing indicator-months: {mb} of {nb} before the programme, {ma} of "
                    "{na} after.").format(mb=mb, nb=nb, ma=ma, na=na)
    before = gaps["missing_before"] / gaps["n_before"].where(gaps["n_before"] > 0)
    after = gaps["missing_after"] / gaps["n_after"].where(gaps["n_after"] > 0)
    gap = (after - before).abs().fillna(0.0)
    worst = gaps.assign(before=before, after=after, gap=gap).sort_values(
        "gap", ascending=False).iloc[0]
    if worst["gap"] > COLLECTION_GAP:
        return "high", text + " " + _(
            "Recording differs between the two periods: {indicator} is missing in "
            "{before} of the months before and {after} after.").format(
            indicator=worst["indicator"], before=f"{100 * worst['before']:.0f}%",
            after=f"{100 * worst['after']:.0f}%")
    return "unclear", text


def _blinding() -> tuple[str, str]:
    return "low", _("The KPIs are counts from the enterprise's own records (output, rejects, "
                     "absences, accidents): objective outcomes. The 5S audits are scored by the "
                     "programme's trainers and the survey is answered by workers who know the "
                     "programme; those are described, not tested.")


def _incomplete(kpi: pd.DataFrame, enterprise_id: str, intervention_month: str,
                not_reported: list[str]) -> tuple[str, str]:
    gaps = missing_months(kpi, enterprise_id, intervention_month)
    untracked = (" " + _("Not tracked (no month recorded, outside the analysis): {names}.")
                 .format(names=", ".join(not_reported))) if not_reported else ""
    if gaps.empty:
        return "unclear", _("No monthly KPI data.") + untracked
    share = ((gaps["missing_before"] + gaps["missing_after"])
             / (gaps["n_before"] + gaps["n_after"]))
    worst = gaps.assign(share=share).sort_values("share", ascending=False).iloc[0]
    zero = int(gaps["zero_exposure"].sum())
    zero_text = (" " + _("{n} indicator-month(s) with a recorded zero exposure have no rate "
                         "(not missing data).").format(n=zero) if zero else "")
    if worst["share"] == 0:
        return "low", (_("No month is missing in any tracked indicator.") + zero_text
                       + untracked)
    text = _("Months are left out of a model when their numerator or exposure is missing, "
             "never imputed. Most incomplete tracked indicator: {indicator}, {missing} of "
             "{months} months missing ({share}%).").format(
        indicator=worst["indicator"],
        missing=int(worst["missing_before"] + worst["missing_after"]),
        months=int(worst["n_before"] + worst["n_after"]), share=f"{100 * worst['share']:.0f}")
    if worst["share"] > MISSING_HIGH:
        return "high", text + zero_text + untracked
    if worst["share"] <= MISSING_LOW:
        return "low", text + zero_text + untracked
    return "unclear", text + zero_text + untracked


def _selective(results: pd.DataFrame, tracked: list[str]) -> tuple[str, str]:
    have = set(zip(results["indicator"], results["method"], strict=True))
    lacking = [f"{i} {m}" for i in tracked for m in PLANNED_KPI_METHODS if (i, m) not in have]
    n_rows = len(tracked) * len(PLANNED_KPI_METHODS)
    if lacking:
        return "high", _("Planned rows missing from the results: {rows}.").format(
            rows=", ".join(lacking))
    return "low", _("All {rows} planned KPI rows are reported ({methods} methods for each of "
                    "{tracked} tracked indicators), including those with too little data, with "
                    "one pre-specified primary row per indicator.").format(
        rows=n_rows, methods=len(PLANNED_KPI_METHODS), tracked=len(tracked))


def risk_of_bias(enterprise: pd.Series, *, results: pd.DataFrame, kpi: pd.DataFrame,
                 quality_log: pd.DataFrame) -> pd.DataFrame:
    """The EPOC risk-of-bias table of one enterprise's interrupted time series.

    Parameters
    ----------
    enterprise
        The enterprise's row of the enterprises table (``enterprise_id``,
        ``intervention_month``).
    results
        The results rows (``data/processed/results.parquet``); other enterprises' rows
        are ignored.
    kpi
        The validated ``kpi_monthly`` table (``data/processed/kpi_monthly.parquet``).
    quality_log
        ``data/processed/quality_log.parquet`` (with its ``enterprise_id`` column).

    Returns
    -------
    pandas.DataFrame
        Six rows, columns :data:`RISK_COLUMNS`: ``criterion`` (a key of
        :data:`QUESTIONS`), ``question``, ``judgement`` (one of :data:`JUDGEMENTS`) and
        ``support`` (why, with the numbers from the data).  The rules are in the module
        docstring.

    Raises
    ------
    ValueError
        When a table lacks a column the judgement needs.
    """
    for name, frame, cols in (("results", results, ("enterprise_id", "domain", "indicator",
                                                     "method", "status", "p_value")),
                              ("kpi", kpi, ("enterprise_id", "month")),
                              ("quality_log", quality_log, ("severity",))):
        if not isinstance(frame, pd.DataFrame):
            raise ValueError(f"{name} must be a pandas DataFrame, got {type(frame).__name__}")
        missing = [c for c in cols if c not in frame.columns]
        if missing:
            raise ValueError(f"{name} lacks the column(s) {missing}")
    eid = enterprise["enterprise_id"]
    month = str(enterprise["intervention_month"])
    own = results[(results["enterprise_id"] == eid) & (results["domain"] == "kpi")]
    untracked = own.groupby("indicator")["status"].agg(lambda s: (s == "not_reported").all())
    tracked = [i for i in INDICATORS if i in untracked.index and not untracked[i]]
    not_reported = [i for i in INDICATORS if i in untracked.index and untracked[i]]
    tracked_rows = own[own["indicator"].isin(tracked)]
    answers = {
        "independent": _independent(tracked_rows),
        "shape": _shape(tracked_rows, tracked, month),
        "data_collection": _collection(kpi, quality_log, eid, month),
        "blinding": _blinding(),
        "incomplete": _incomplete(kpi, eid, month, not_reported),
        "selective": _selective(tracked_rows, tracked),
    }
    rows = [{"criterion": key, "question": _(QUESTIONS[key]), "judgement": judgement,
             "support": support} for key, (judgement, support) in answers.items()]
    return pd.DataFrame(rows, columns=list(RISK_COLUMNS))
