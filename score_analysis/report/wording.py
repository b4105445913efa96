"""The plain-language text of the reports: names, units, sentences and headlines.

Every function returns plain text (escaped later by the templates) in the
language of :func:`score_analysis.i18n.current_language`.  The words follow
the numbers of the results rows, and never judge them: ``direction`` and
``p_holm`` come from the analysis (``docs/analysis_plan.md``), and a result
that is not significant after the Holm adjustment is said to be exactly that,
never "no change".
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from ..data.contract import MIN_CELL
from ..i18n import N_, ngettext, pgettext
from ..i18n import gettext as _
from ..stats.decisions import in_holm_family
from ..stats.indicators import INDICATORS
from .formatting import fmt, fmt_p, fmt_signed, missing, percent, times, with_unit

#: Smallest group of survey respondents shown (the analysis's contract.MIN_CELL).
PRIVACY_MIN = MIN_CELL
#: Significance level the analysis judged direction by (docs/analysis_plan.md).
ALPHA = 0.05
#: Evidence wording from the Holm-adjusted p-value: below 0.01 strong, below 0.05 moderate.
STRONG = 0.01

SIMULATED_BANNER = N_("Simulated demonstration data — not enterprise results")

INDICATOR_LABELS = {
    "labour_productivity": N_("Labour productivity"),
    "reject_rate": N_("Reject rate"),
    "rework_rate": N_("Rework rate"),
    "absenteeism_rate": N_("Absenteeism"),
    "suggestion_rate": N_("Worker suggestions"),
    "implementation_rate": N_("Suggestions implemented"),
    "accident_frequency": N_("Accident frequency"),
    "turnover_rate": N_("Staff turnover"),
}
INDICATOR_UNITS = {
    "labour_productivity": N_("units per worker-hour"),
    "reject_rate": "%", "rework_rate": "%", "absenteeism_rate": "%",
    "suggestion_rate": N_("per 100 workers per month"),
    "implementation_rate": "%",
    "accident_frequency": N_("per 1,000,000 hours"),
    "turnover_rate": N_("% per month"),
}
CONSTRUCT_LABELS = {"communication": N_("Communication"),
                    "working_conditions": N_("Working conditions"),
                    "cooperation": N_("Cooperation"),
                    "job_satisfaction": N_("Job satisfaction")}
#: Notes the analysis writes on every row of a kind (docs/analysis_plan.md), translated where
#: shown; any other note is shown as written.
KNOWN_NOTES = (
    N_("checklist items of one audit are not independent: a description of consistency, not "
       "evidence of an effect"),
)
METHOD_NAMES = {
    "its_level": N_("Step at programme start, compared with the trend before (primary)"),
    "its_slope": N_("Change in the monthly trend"),
    "its_effect_end": N_("Effect at the last month (step and change of trend)"),
    "rate_ratio_step": N_("Naive step: after compared with before"),
    "its_level_harmonic": N_("Step, allowing for seasons"),
    "its_level_phase_in": N_("Step, leaving out the first three months of the programme"),
    "its_level_no_eid": N_("Step, without the Lebaran months"),
    "placebo_level": N_("Placebo: a pretend start halfway through the months before"),
    "five_s_change": N_("Change of the 5S index, first to last audit (described)"),
    "paired_t": N_("Paired t test (mean change, same workers or items)"),
    "wilcoxon_signed_rank": N_("Wilcoxon signed-rank test (median change)"),
    "friedman": N_("Friedman test across all audits"),
    "welch_t": N_("Welch t test (mean difference, all respondents)"),
    "mann_whitney": N_("Mann-Whitney test (difference of medians)"),
}
STATUS_NAMES = {"ok": N_("estimated"), "insufficient_data": N_("not enough data"),
                "suppressed": N_("suppressed (privacy)"), "not_reported": N_("not tracked")}
DIRECTION_NAMES = {"improved": N_("improved"), "worsened": N_("worsened"),
                   "inconclusive": N_("not significant"), "not_tested": N_("no verdict")}
MILESTONE_LABELS = {"training": N_("Module 1 workshop"),
                    "final_workshop": N_("Final result workshop")}
KIND_TITLES = {"good_practice": N_("Good practices"), "lesson_learned": N_("Lessons learned"),
               "constraint": N_("Constraints")}
WAVE_SHORT = {"baseline": N_("Before"), "followup": N_("After")}
WAVE_TITLES = {"baseline": N_("Before (baseline survey)"),
               "followup": N_("After (follow-up survey)")}
LANGUAGE_NAMES = {"en": "English", "id": "Bahasa Indonesia"}
#: Answer labels of the usual agreement scales, by number of points.
AGREEMENT_LABELS = {
    4: (N_("Strongly disagree"), N_("Disagree"), N_("Agree"), N_("Strongly agree")),
    5: (N_("Strongly disagree"), N_("Disagree"), N_("Neither"), N_("Agree"),
        N_("Strongly agree")),
    7: (N_("Strongly disagree"), N_("Disagree"), N_("Somewhat disagree"), N_("Neither"),
        N_("Somewhat agree"), N_("Agree"), N_("Strongly agree")),
}
#: The sensitivity analyses of a monthly indicator, in the order of "How robust is this?".
ROBUSTNESS_METHODS = ("its_level", "its_level_harmonic", "its_level_phase_in",
                      "its_level_no_eid", "rate_ratio_step", "placebo_level")
ROBUSTNESS_NAMES = {
    "its_level": N_("Primary: step at the programme start"),
    "its_level_harmonic": N_("Allowing for seasons"),
    "its_level_phase_in": N_("Leaving out the first three months (phase-in)"),
    "its_level_no_eid": N_("Without the Lebaran months"),
    "rate_ratio_step": N_("Naive step: after against before, ignoring the trend"),
    "placebo_level": N_("Placebo: a pretend start before the programme"),
}


# --------------------------------------------------------------------------- names


def indicator_label(domain: str, indicator: str) -> str:
    """The plain name of an indicator of the results table."""
    if domain == "kpi" and indicator in INDICATOR_LABELS:
        return _(INDICATOR_LABELS[indicator])
    if domain == "five_s":
        return _("5S index")
    if domain == "survey" and indicator in CONSTRUCT_LABELS:
        return _(CONSTRUCT_LABELS[indicator])
    return str(indicator).replace("_", " ").capitalize()


def indicator_unit(indicator: str, output_unit: object = None) -> str:
    """The unit of a KPI as shown, the enterprise's output unit in productivity."""
    if indicator == "labour_productivity" and not missing(output_unit) and str(output_unit):
        return _("{unit} per worker-hour").format(unit=output_unit)
    unit = INDICATOR_UNITS.get(indicator, "")
    return unit if unit == "%" else _(unit) if unit else ""


def method_name(method: str) -> str:
    """The name of a method of the analysis plan, for people."""
    return _(METHOD_NAMES[method]) if method in METHOD_NAMES else str(method)


def status_name(status: str) -> str:
    return _(STATUS_NAMES[status]) if status in STATUS_NAMES else str(status)


def direction_name(direction: object) -> str:
    if isinstance(direction, str) and direction in DIRECTION_NAMES:
        return _(DIRECTION_NAMES[direction])
    return ""


def good_direction(domain: str, indicator: str) -> int:
    """+1 when a rise is good, -1 when a fall is good (5S and survey: up)."""
    if domain == "kpi" and indicator in INDICATORS:
        return INDICATORS[indicator].good_direction
    return +1


def milestone_label(name: str) -> str:
    if name in MILESTONE_LABELS:
        return _(MILESTONE_LABELS[name])
    m = re.fullmatch(r"visit_(\d+)", name)
    if m:
        return _("Factory visit {n}").format(n=m.group(1))
    return name.replace("_", " ").capitalize()


def agreement_labels(points: int, lo: int, hi: int) -> list[str]:
    """The answer labels of a scale of ``points`` points (the numbers when unusual)."""
    if points in AGREEMENT_LABELS:
        return [_(label) for label in AGREEMENT_LABELS[points]]
    return [str(v) for v in range(lo, hi + 1)]


# --------------------------------------------------------------------------- changes


def ratio_change(ratio: object) -> str:
    """A rate ratio as a change people read: ``0.66`` → ``34% fall``, ``1.4`` → ``40% rise``.

    ``(1 - ratio) * 100`` percent fall below 1, ``(ratio - 1) * 100`` percent rise
    above it; from a doubling on, ``"2.9-fold rise"``.
    """
    if missing(ratio) or not np.isfinite(float(ratio)) or float(ratio) <= 0:
        return _("no estimate")
    ratio = float(ratio)
    if ratio < 1:
        fall = (1 - ratio) * 100
        return _("{pct} fall").format(pct=_("over 99%") if fall > 99 else percent(fall))
    if ratio >= 2:
        return _("{times}-fold rise").format(times=_("over 100") if ratio > 100
                                              else times(ratio))
    if ratio == 1:
        return _("no change")
    return _("{pct} rise").format(pct=percent((ratio - 1) * 100))


def _amount(ratio: float) -> str:
    """The size of a change without its direction (``34%``, ``2.9-fold``)."""
    if ratio < 1:
        fall = (1 - ratio) * 100
        return _("over 99%") if fall > 99 else percent(fall)
    if ratio >= 2:
        return _("{times}-fold").format(times=_("over 100") if ratio > 100 else times(ratio))
    return percent((ratio - 1) * 100)


def ratio_interval(low: object, high: object) -> str:
    """A rate-ratio confidence interval in words: ``21% to 45% fall`` or
    ``43% fall to 4.0% rise``."""
    if missing(low) or missing(high) or not (np.isfinite(float(low))
                                             and np.isfinite(float(high))):
        return ""
    low, high = float(low), float(high)
    if high < 1:  # both falls: the smaller fall first
        return _("{a} to {b} fall").format(a=_amount(high), b=_amount(low))
    if low > 1:
        return _("{a} to {b} rise").format(a=_amount(low), b=_amount(high))
    return _("{a} to {b}").format(a=ratio_change(low), b=ratio_change(high))


def evidence(p: object) -> str:
    """``strong`` (p < 0.01), ``moderate`` (p < 0.05) or ``not significant`` (translated)."""
    level = evidence_level(p)
    return {"strong": _("strong"), "moderate": _("moderate")}.get(level, _("not significant"))


def evidence_level(p: object) -> str:
    """``strong``, ``moderate`` or ``none`` from an adjusted p-value (not translated)."""
    try:
        v = float(p)
    except (TypeError, ValueError):
        return "none"
    if not np.isfinite(v):
        return "none"
    return "strong" if v < STRONG else "moderate" if v < ALPHA else "none"


def p_holm_text(p: object) -> str:
    """``p (Holm) = 0.012`` / ``p (Holm) < 0.001``; blank when missing."""
    text = fmt_p(p)
    if not text:
        return ""
    return _("p (Holm) {p}").format(p=text if text.startswith("<") else "= " + text)


def p_text(p: object) -> str:
    """``p = 0.012`` / ``p < 0.001`` (unadjusted)."""
    text = fmt_p(p)
    if not text:
        return ""
    return "p " + (text if text.startswith("<") else "= " + text)


# --------------------------------------------------------------------------- sentences


def _ok(row) -> bool:
    return row["status"] == "ok" and not missing(row["estimate"]) and np.isfinite(
        float(row["estimate"]))


def scale_of(codebook: pd.DataFrame, construct: str) -> tuple[float, float]:
    """(lowest, highest) answer of a survey construct's scale (1 to 5 when unknown)."""
    items = codebook[codebook["construct"] == construct] if not codebook.empty else codebook
    if items.empty:
        return (1.0, 5.0)
    return float(items["scale_min"].min()), float(items["scale_max"].max())


def analysis_note(row) -> str:
    """The note the analysis wrote on a row that could not be estimated (English), else ""."""
    if row["status"] in ("ok", "not_reported", "suppressed"):
        return ""
    return str(row["note"]) if isinstance(row["note"], str) and row["note"] else ""


def family_size(results: pd.DataFrame) -> int | None:
    """How many primary results of one enterprise share its Holm adjustment (those estimated
    or planned but not estimable); None when there are none."""
    if results.empty:
        return None
    return int(in_holm_family(results).sum()) or None


def significance_clause(row, family: int | None) -> str:
    """How the evidence reads after the Holm adjustment, with its p-value labelled."""
    p_holm = row["p_holm"]
    level = evidence_level(p_holm)
    if level == "strong":
        return _("the evidence is strong.")
    if level == "moderate":
        return _("the evidence is moderate.")
    raw = float(row["p_value"]) if not missing(row["p_value"]) else float("nan")
    adjusting = (ngettext("after adjusting for {n} indicator", "after adjusting for {n} indicators",
                          family).format(n=family)
                 if family else _("after adjusting for the number of indicators tested"))
    if np.isfinite(raw) and raw < ALPHA:
        return _("this is significant on its own ({p}) but not {adjusting}: {p_holm}, so it "
                 "could be chance.").format(p=p_text(raw), adjusting=adjusting,
                                            p_holm=p_holm_text(p_holm))
    return _("this is not significant {adjusting}: {p_holm}, so it could be chance.").format(
        adjusting=adjusting, p_holm=p_holm_text(p_holm))


def summary_sentence(row: pd.Series, *, output_unit: object = None,
                     codebook: pd.DataFrame | None = None,
                     five_s: pd.DataFrame | None = None, family: int | None = None,
                     with_note: bool = True) -> str:
    """One plain-language sentence (plain text, not yet escaped) for a primary result row.

    Rate ratios read as percentage changes (a fall of ``(1 - RR) * 100`` %, the
    interval bounds turned round); the sentence's verb follows the estimate, and
    the evidence is worded from ``p_holm`` (strong below 0.01, moderate below
    0.05, otherwise "not significant after adjusting for ``family`` indicators
    (Holm)").  5S is described, not tested.  Rows that are not estimable say
    why: not tracked, not enough data (with the note), or fewer than 5
    respondents.  ``with_note=False`` leaves the analysis's note out (pages in another
    language than the note's show it beside the sentence, marked as English).
    """
    domain, indicator = row["domain"], row["indicator"]
    label = indicator_label(domain, indicator)
    if domain == "survey":
        label = _("{label} (worker survey)").format(label=label)
    status = row["status"]
    if status == "not_reported":
        if domain == "kpi":
            return _("{label}: not tracked by the enterprise.").format(label=label)
        return _("{label}: no data recorded.").format(label=label)
    if status == "suppressed":
        return _("{label}: fewer than {n} respondents, so nothing is shown, to protect the "
                 "workers' privacy.").format(label=label, n=PRIVACY_MIN)
    if status != "ok" or not _ok(row):
        note = str(row["note"]) if isinstance(row["note"], str) and row["note"] else ""
        if note and with_note:
            return _("{label}: not enough data to estimate a change ({note}).").format(
                label=label, note=note)
        return _("{label}: not enough data to estimate a change.").format(label=label)
    if domain == "kpi":
        return kpi_sentence(row, label, indicator_unit(indicator, output_unit), family)
    if domain == "five_s":
        return five_s_sentence(row, five_s)
    return survey_sentence(row, label, scale_of(codebook if codebook is not None
                                                else pd.DataFrame(), indicator), family)


def kpi_sentence(row, label: str, unit: str, family: int | None = None) -> str:
    """The sentence of a monthly indicator's primary row (a rate ratio)."""
    rr = float(row["estimate"])
    ci = ratio_interval(row["ci_low"], row["ci_high"])
    averages = _("it averaged {before} before and {after} after").format(
        before=with_unit(row["pre_value"], unit), after=with_unit(row["post_value"], unit))
    step = str(row["method"]).startswith("its_level")
    if rr == 1:
        change = (_("{label} stayed at the level of its trend at the programme start")
                  if step else _("{label} was the same after the programme as before")
                  ).format(label=label)
    elif step:
        change = (_("{label} fell by {amount} at the programme start, compared with its trend "
                    "before") if rr < 1 else
                  _("{label} rose by {amount} at the programme start, compared with its trend "
                    "before")).format(label=label, amount=_amount(rr))
    else:
        change = (_("{label} fell by {amount} after the programme") if rr < 1 else
                  _("{label} rose by {amount} after the programme")).format(
            label=label, amount=_amount(rr))
    return _("{change} (95% CI {ci}); {averages}; {evidence}").format(
        change=change, ci=ci, averages=averages, evidence=significance_clause(row, family))


def five_s_sentence(row, five_s: pd.DataFrame | None = None) -> str:
    """The description of the 5S index from the first to the last audit (not a test)."""
    est = float(row["estimate"])
    first_date = last_date = ""
    if five_s is not None and not five_s.empty:
        idx = five_s.dropna(subset=["five_s_index"]).sort_values("audit_date")
        if len(idx) >= 2:
            from .formatting import day

            first_date, last_date = day(idx.iloc[0]["audit_date"]), day(idx.iloc[-1]["audit_date"])
    values = dict(points=fmt(abs(est), 2), before=fmt(row["pre_value"], 2),
                  after=fmt(row["post_value"], 2))
    if est > 0:
        text = _("5S: the 5S index rose by {points} points out of 100, from {before} at the "
                 "first audit to {after} at the last")
    elif est < 0:
        text = _("5S: the 5S index fell by {points} points out of 100, from {before} at the "
                 "first audit to {after} at the last")
    else:
        text = _("5S: the 5S index was {before} out of 100 at the first audit and the same at "
                 "the last")
    text = text.format(**values)
    if first_date:
        text += " " + _("({first} and {last})").format(first=first_date, last=last_date)
    return text + _("; one pair of audits describes the workplace and is not a test of the "
                    "programme's effect.")


def _scale_end(v: float) -> str:
    from .formatting import decimal

    return decimal(v, 0) if float(v).is_integer() else fmt(v)


def survey_sentence(row, label: str, scale: tuple[float, float],
                    family: int | None = None) -> str:
    """The sentence of a survey construct's primary row: the mean change of the t test."""
    est = float(row["estimate"])
    paired = row["method"] == "paired_t"
    values = dict(label=label, points=fmt(abs(est), 2), lo=_scale_end(scale[0]),
                  hi=_scale_end(scale[1]),
                  before=fmt(row["pre_value"], 3), after=fmt(row["post_value"], 3),
                  ci=_("{a} to {b}").format(a=fmt_signed(row["ci_low"]),
                                            b=fmt_signed(row["ci_high"])))
    if est > 0:
        text = _("{label}: the mean score rose by {points} points on the {lo} to {hi} scale")
    elif est < 0:
        text = _("{label}: the mean score fell by {points} points on the {lo} to {hi} scale")
    else:
        text = _("{label}: the mean score was the same before and after on the {lo} to {hi} "
                 "scale")
    means = (_("mean {before} before, {after} after, the same workers in both surveys; "
               "95% CI {ci}") if paired else
             _("mean {before} before, {after} after, all respondents of each survey; "
               "95% CI {ci}"))
    return (text.format(**values) + " (" + means.format(**values) + "); "
            + significance_clause(row, family))


# --------------------------------------------------------------------------- headlines


def lead_sentence(results: pd.DataFrame) -> str:
    """How many of the primary results improved, worsened or were not significant."""
    prim = results[results["primary"].astype(bool)] if not results.empty else results
    ok = prim[(prim["status"] == "ok") & prim["direction"].isin(
        ["improved", "worsened", "inconclusive"])] if not prim.empty else prim
    counts = ok["direction"].value_counts() if not ok.empty else pd.Series(dtype=int)
    return ngettext(
        "Of {n} indicator tested, {improved} improved, {worsened} worsened and {unclear} "
        "changed by an amount that is not significant after adjusting for the number of "
        "indicators (Holm).",
        "Of {n} indicators tested, {improved} improved, {worsened} worsened and {unclear} "
        "changed by amounts that are not significant after adjusting for the number of "
        "indicators (Holm).", len(ok)).format(
        n=len(ok), improved=int(counts.get("improved", 0)),
        worsened=int(counts.get("worsened", 0)), unclear=int(counts.get("inconclusive", 0)))


def headline(results: pd.DataFrame) -> str:
    """A one-line summary of one enterprise's primary results (for the index)."""
    prim = results[results["primary"].astype(bool)] if not results.empty else results
    ok = prim[(prim["status"] == "ok") & (prim["direction"] != "not_tested")] \
        if not prim.empty else prim
    if ok.empty:
        return _("No tested result.")
    names = {d: [indicator_label(r.domain, r.indicator) for r in ok.itertuples(index=False)
                 if r.direction == d] for d in ("improved", "worsened")}
    unclear = int((ok["direction"] == "inconclusive").sum())

    def listed(items: list[str]) -> str:
        shown = ", ".join(items[:3])
        if len(items) > 3:
            return _("{items} and {n} more").format(items=shown, n=len(items) - 3)
        return shown

    parts = []
    if names["improved"]:
        parts.append(_("improved: {items}").format(items=listed(names["improved"])))
    if names["worsened"]:
        parts.append(_("worsened: {items}").format(items=listed(names["worsened"])))
    if unclear:
        parts.append(_("not significant (Holm): {n} of {total}").format(n=unclear,
                                                                         total=len(ok)))
    text = "; ".join(parts)
    return text[0].upper() + text[1:] + "."


def pooled_direction(row) -> str:
    """improved / worsened / inconclusive / not_tested of a pooled row, as the pooling judges
    it (:func:`score_analysis.stats.pooling.pooled_direction`): the pages never judge themselves."""
    from ..stats.pooling import pooled_direction as judge

    return judge(row)


def synthesis_headline(pooled: pd.DataFrame) -> str:
    """A one-line summary of the primary pooled estimates (for the index)."""
    if not pooled.empty and "primary" in pooled.columns:
        pooled = pooled[pooled["primary"].astype(bool)]
    if pooled.empty or pooled["estimate"].isna().all():
        return _("Too few enterprises to pool any indicator.")
    est = pooled.dropna(subset=["estimate"])
    better, worse = [], []
    for _i, r in est.iterrows():
        direction = pooled_direction(r)
        if direction == "improved":
            better.append(indicator_label(r["domain"], r["indicator"]))
        elif direction == "worsened":
            worse.append(indicator_label(r["domain"], r["indicator"]))
    text = _("Pooled over up to {k} enterprises: {n} of {total} estimated mean effects "
             "improved").format(k=int(est["k"].max()), n=len(better), total=len(est))
    if better:
        text += " (" + ", ".join(better[:3]) + (pgettext("list", " and more")
                                                 if len(better) > 3 else "") + ")"
    if worse:
        text += _(", {n} worsened ({items})").format(n=len(worse), items=", ".join(worse[:3]))
    return text + "."
