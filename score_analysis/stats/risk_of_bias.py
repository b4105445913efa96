"""Risk of bias of one enterprise's interrupted time series (Cochrane EPOC's seven
criteria), answered from the data by the rules of analysis plan version 3
(docs/analysis_plan.md §6.5).

:func:`risk_of_bias` returns codes, never translated words: each criterion (a key of
:data:`CRITERIA`), the outcomes it judges (``all``, ``kpi`` or ``survey``), the judgement
(``low``, ``high`` or ``unclear``) and the reasons as note codes (``rob_*`` in
:data:`~score_analysis.stats.notes.NOTE_TEXTS`, with their values).  The English text of
each is given too (``question``, ``support``) for a reader of the table; the pages render
the codes in their own language.

``independent`` — independent of other changes
    ``high`` when the placebo estimate of a tracked KPI differs from 1 (p below
    ``settings.alpha``); else ``low`` only when every tracked KPI's primary is the
    controlled estimate (a comparison group); else ``unclear`` (one series, no comparison).
``shape`` — shape of the effect pre-specified
    ``low``: this plan fixes the effect at the last month against the earlier trend in
    advance (``unclear`` when a tracked KPI lacks its pre-specified row).
``data_collection`` — intervention unlikely to affect data collection
    ``unclear``: the programme trains the staff who keep the records (with the quality
    log's counts).
``blinding`` — knowledge of the allocated intervention
    survey outcomes ``high`` (workers report on a programme they took part in); KPIs
    ``unclear`` (records kept by staff who know the programme).
``incomplete`` — incomplete outcome data
    KPIs, from the missing months: ``low`` when at most ``settings.missing_months_low`` of
    every tracked indicator's months are missing, ``high`` above
    ``settings.missing_months_high``, else ``unclear``; survey, from the attrition table:
    ``high`` when fewer than ``settings.attrition_high`` of the coded baseline respondents
    answered the follow-up (for some construct), else ``low`` (``unclear`` when the
    respondents carry no code).
``selective`` — free from selective outcome reporting
    ``low`` when every planned row of every tracked KPI is reported (those with too little
    data included), else ``high``.
``other`` — free from other bias
    ``high`` when the seasonality sensitivity estimate (``its_effect_end_harmonic``) points
    the other way from the primary for a tracked KPI, ``low`` when it agrees for every one
    where both exist, ``unclear`` when none can be compared.

References
----------
Cochrane Effective Practice and Organisation of Care (EPOC) (2017). Suggested risk of bias
criteria for EPOC reviews. EPOC Resources for review authors.
https://epoc.cochrane.org/resources/epoc-resources-review-authors
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..settings import PLAN, AnalysisSettings
from .decisions import change_sign, holm, significance_level
from .indicators import INDICATORS
from .notes import N_, Note, note, note_codes, note_text
from .outputs import CITS_METHODS, CITS_PRIMARY, ITS_PRIMARY, KPI_METHODS, PLACEBO

#: Columns of :func:`risk_of_bias`.
RISK_COLUMNS = ("criterion", "outcome", "judgement", "reason_code", "question", "support")
#: Judgements, EPOC's three levels.
JUDGEMENTS = ("low", "high", "unclear")
#: Columns of :func:`missing_months`.
MISSING_COLUMNS = ("indicator", "n_before", "missing_before", "n_after", "missing_after",
                   "zero_exposure")
#: The KPI methods every tracked indicator must report (its planned rows).
PLANNED_KPI_METHODS = KPI_METHODS

#: EPOC's seven criteria for interrupted time series, in order, with the English question
#: (marked for the catalog; the pages translate it).
CRITERIA = {
    "independent": N_("Intervention independent of other changes"),
    "shape": N_("Shape of the intervention effect pre-specified"),
    "data_collection": N_("Intervention unlikely to affect data collection"),
    "blinding": N_("Knowledge of the allocated intervention adequately prevented"),
    "incomplete": N_("Incomplete outcome data adequately addressed"),
    "selective": N_("Free from selective outcome reporting"),
    "other": N_("Free from other risks of bias"),
}
#: The same questions (the name earlier versions used).
QUESTIONS = CRITERIA

__all__ = ["CRITERIA", "JUDGEMENTS", "MISSING_COLUMNS", "PLANNED_KPI_METHODS", "QUESTIONS",
           "RISK_COLUMNS", "holm", "missing_months", "risk_of_bias"]


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


Answer = tuple[str, list[Note]]


def _independent(rows: pd.DataFrame, primaries: pd.DataFrame,
                 settings: AnalysisSettings) -> Answer:
    alpha = significance_level(settings)
    placebo = rows[(rows["method"] == PLACEBO) & (rows["status"] == "ok")
                   & rows["p_value"].notna()]
    hits = placebo[placebo["p_value"] < alpha]
    controlled = len(primaries) > 0 and (primaries["method"] == CITS_PRIMARY).all()
    base = note("rob_controlled") if controlled else note("rob_single_series")
    if len(hits):
        return "high", [*(note("rob_placebo_hit", indicator=r.indicator,
                               p=float(f"{r.p_value:.3g}"), alpha=alpha)
                          for r in hits.itertuples()), base]
    if placebo.empty:
        return ("low" if controlled else "unclear"), [base, note("rob_no_placebo")]
    return ("low" if controlled else "unclear"), [base]


def _shape(rows: pd.DataFrame, tracked: list[str], settings: AnalysisSettings) -> Answer:
    if not tracked:
        return "unclear", [note("rob_no_kpi")]
    have = set(rows.loc[rows["method"].isin([ITS_PRIMARY, CITS_PRIMARY]), "indicator"])
    lacking = [i for i in tracked if i not in have]
    why = [note("rob_prespecified", version=settings.plan_version, date=settings.plan_date)]
    if lacking:
        return "unclear", [*why, *(note("rob_not_prespecified", indicator=i) for i in lacking)]
    return "low", why


def _collection(quality: pd.DataFrame, enterprise_id: str) -> Answer:
    own = (quality[quality["enterprise_id"] == enterprise_id] if "enterprise_id" in quality
           else quality.iloc[:0])
    return "unclear", [note("rob_trains_record_keepers"),
                       note("rob_quality_log", warnings=int((own["severity"] == "warning").sum()),
                            notes=int((own["severity"] == "info").sum()))]


def _incomplete_kpi(kpi: pd.DataFrame, enterprise_id: str, intervention_month: str,
                    settings: AnalysisSettings) -> Answer:
    gaps = missing_months(kpi, enterprise_id, intervention_month)
    if gaps.empty:
        return "unclear", [note("rob_no_kpi")]
    months = gaps["n_before"] + gaps["n_after"]
    missing = gaps["missing_before"] + gaps["missing_after"]
    share = missing / months.where(months > 0)
    worst = gaps.assign(share=share.fillna(0.0), missing=missing, months=months).sort_values(
        "share", ascending=False, kind="stable").iloc[0]
    if worst["share"] == 0:
        return "low", [note("rob_no_missing_months")]
    why = [note("rob_missing_months", indicator=worst["indicator"], missing=int(worst["missing"]),
                months=int(worst["months"]), high=100 * settings.missing_months_high,
                low=100 * settings.missing_months_low)]
    if worst["share"] > settings.missing_months_high:
        return "high", why
    if worst["share"] <= settings.missing_months_low:
        return "low", why
    return "unclear", why


def _incomplete_survey(attrition: pd.DataFrame, settings: AnalysisSettings) -> Answer:
    coded = attrition.assign(coded=attrition["n_matched"] + attrition["n_left"])
    coded = coded[coded["coded"] > 0]
    if coded.empty:
        return "unclear", [note("rob_attrition_unknown")]
    coded = coded.assign(share=coded["n_matched"] / coded["coded"])
    worst = coded.sort_values("share", kind="stable").iloc[0]
    why = [note("rob_attrition", construct=worst["construct"], answered=int(worst["n_matched"]),
                baseline=int(worst["coded"]), threshold=100 * settings.attrition_high)]
    return ("high" if worst["share"] < settings.attrition_high else "low"), why


def _selective(rows: pd.DataFrame, tracked: list[str]) -> Answer:
    have = set(zip(rows["indicator"], rows["method"], strict=True))
    lacking = [(i, m) for i in tracked for m in PLANNED_KPI_METHODS if (i, m) not in have]
    if lacking:
        return "high", [note("rob_rows_missing", indicator=i, method=m) for i, m in lacking]
    planned = sum(1 for i in tracked for m in PLANNED_KPI_METHODS) + int(
        rows["method"].isin(CITS_METHODS).sum())
    return "low", [note("rob_all_rows_reported", rows=planned)]


def _other(rows: pd.DataFrame, primaries: pd.DataFrame) -> Answer:
    harmonic = rows[(rows["method"] == "its_effect_end_harmonic") & (rows["status"] == "ok")]
    by_indicator = dict(zip(harmonic["indicator"], harmonic.itertuples(), strict=True))
    disagree, compared = [], 0
    for p in primaries[primaries["status"] == "ok"].itertuples():
        h = by_indicator.get(p.indicator)
        if h is None:
            continue
        compared += 1
        if change_sign(h.estimate, h.estimate_scale) != change_sign(p.estimate,
                                                                    p.estimate_scale):
            disagree.append(p.indicator)
    if disagree:
        return "high", [note("rob_harmonic_disagrees", indicator=i) for i in disagree]
    if not compared:
        return "unclear", [note("rob_harmonic_unavailable")]
    return "low", [note("rob_harmonic_agrees")]


def risk_of_bias(enterprise: pd.Series, *, results: pd.DataFrame, kpi: pd.DataFrame,
                 quality_log: pd.DataFrame, attrition: pd.DataFrame | None = None,
                 settings: AnalysisSettings = PLAN) -> pd.DataFrame:
    """The EPOC risk-of-bias table of one enterprise, answered from its data.

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
    attrition
        The survey's attrition table (:func:`score_analysis.stats.survey.survey_attrition`,
        ``data/processed/survey_attrition.parquet``); without it (or without rows of this
        enterprise) there is no survey row for incomplete outcome data.
    settings
        The analysis plan: significance level, thresholds, plan version and date.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`RISK_COLUMNS`, the seven criteria of :data:`CRITERIA` in order
        (``blinding`` and ``incomplete`` once per kind of outcome the enterprise has:
        ``kpi``, ``survey``): ``criterion``, ``outcome``, ``judgement`` (one of
        :data:`JUDGEMENTS`), ``reason_code`` (the note codes of the reasons, with their
        values), and in English ``question`` and ``support`` (the reasons' text).  The rules
        are in the module docstring.

    Raises
    ------
    ValueError
        When a table lacks a column the judgement needs.
    """
    for name, frame, cols in (("results", results, ("enterprise_id", "domain", "indicator",
                                                     "method", "status", "p_value", "primary",
                                                     "estimate", "estimate_scale")),
                              ("kpi", kpi, ("enterprise_id", "month")),
                              ("quality_log", quality_log, ("severity",))):
        if not isinstance(frame, pd.DataFrame):
            raise ValueError(f"{name} must be a pandas DataFrame, got {type(frame).__name__}")
        missing = [c for c in cols if c not in frame.columns]
        if missing:
            raise ValueError(f"{name} lacks the column(s) {missing}")
    eid = enterprise["enterprise_id"]
    month = str(enterprise["intervention_month"])
    mine = results[results["enterprise_id"] == eid]
    own = mine[mine["domain"] == "kpi"]
    untracked = own.groupby("indicator")["status"].agg(lambda s: (s == "not_reported").all())
    tracked = [i for i in INDICATORS if i in untracked.index and not untracked[i]]
    rows = own[own["indicator"].isin(tracked)]
    primaries = rows[rows["primary"].astype(bool)]
    survey = mine[(mine["domain"] == "survey") & (mine["status"] != "not_reported")]
    answers: list[tuple[str, str, Answer]] = [
        ("independent", "all", _independent(rows, primaries, settings)),
        ("shape", "all", _shape(rows, tracked, settings)),
        ("data_collection", "all", _collection(quality_log, eid)),
        ("blinding", "kpi", ("unclear", [note("rob_kpi_records")])),
    ]
    if len(survey):
        answers.append(("blinding", "survey", ("high", [note("rob_survey_self_report")])))
    answers.append(("incomplete", "kpi", _incomplete_kpi(kpi, eid, month, settings)))
    own_attrition = (attrition[attrition["enterprise_id"] == eid]
                     if attrition is not None and "enterprise_id" in attrition else None)
    if own_attrition is not None and len(own_attrition):
        answers.append(("incomplete", "survey", _incomplete_survey(own_attrition, settings)))
    answers += [("selective", "all", _selective(rows, tracked)),
                ("other", "all", _other(rows, primaries))]
    out = [{"criterion": key, "outcome": outcome, "judgement": judgement,
            "reason_code": note_codes(why), "question": CRITERIA[key], "support": note_text(why)}
           for key, outcome, (judgement, why) in answers]
    return pd.DataFrame(out, columns=list(RISK_COLUMNS))
