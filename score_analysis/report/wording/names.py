"""Names for people: indicators, units, methods, statuses, directions, milestones, visits.

Every name is marked for the catalog (``N_``) and translated when it is shown, in the
language of :func:`score_analysis.i18n.current_language`; a monthly KPI's label and unit,
in both languages, are those of its declaration
(:class:`score_analysis.stats.indicators.Indicator`, docs/extending.md).
"""

from __future__ import annotations

import re

from ...data.contract import MIN_CELL
from ...i18n import N_, current_language, pgettext
from ...i18n import gettext as _
from ...settings import PLAN, AnalysisSettings
from ...stats.indicators import INDICATORS
from ..formatting import missing

#: Smallest group of survey respondents shown by the shipped plan (a run's own value is
#: ``settings.min_cell``).
PRIVACY_MIN = MIN_CELL

SIMULATED_BANNER = N_("Simulated demonstration data — not enterprise results")

CONSTRUCT_LABELS = {"communication": N_("Communication"),
                    "working_conditions": N_("Working conditions"),
                    "cooperation": N_("Cooperation"),
                    "job_satisfaction": N_("Job satisfaction")}
FIVE_S_LABEL = N_("5S index")
#: The monthly record columns that are numerators and exposures of the KPIs, in words.
COLUMN_LABELS = {
    "output_units": N_("units produced for output"), "worker_hours": N_("worker-hours"),
    "units_produced": N_("units produced"), "units_rejected": N_("units rejected"),
    "units_reworked": N_("units reworked"), "workdays_absent": N_("workdays absent"),
    "workdays_scheduled": N_("workdays scheduled"), "headcount": N_("headcount"),
    "suggestions_submitted": N_("suggestions submitted"),
    "suggestions_implemented": N_("suggestions implemented"), "accidents": N_("accidents"),
    "separations": N_("separations (workers who left)"),
}
#: The methods of the analysis plan, for people (``{months}``: the phase-in months).
METHOD_NAMES = {
    "its_effect_end": N_("Effect at the last month, against the trend before the programme"),
    "its_level": N_("Step at the programme start (component of the effect)"),
    "its_slope": N_("Change of the monthly trend (component of the effect)"),
    "its_effect_end_harmonic": N_("Effect at the last month, allowing for seasons"),
    "its_effect_end_phase_in": N_("Effect at the last month, leaving out the first {months} "
                                  "months of the programme (phase-in)"),
    "its_effect_end_no_eid": N_("Effect at the last month, without the Lebaran months"),
    "placebo_effect_end": N_("Placebo: a pretend start halfway through the months before"),
    "rate_ratio_step": N_("Naive step: after compared with before, ignoring the trend"),
    "rate_ratio_exact": N_("Exact comparison of the two rates (descriptive)"),
    "cits_effect_end": N_("Effect at the last month, against the trend before and the "
                          "comparison enterprises"),
    "cits_level": N_("Step at the programme start, against the comparison enterprises"),
    "cits_slope": N_("Change of the monthly trend, against the comparison enterprises"),
    "five_s_change": N_("Change of the 5S index, first to last audit (described)"),
    "paired_t": N_("Paired t test (mean change, same workers or items)"),
    "wilcoxon_signed_rank": N_("Wilcoxon signed-rank test (median change)"),
    "friedman": N_("Friedman test across all audits"),
    "welch_t": N_("Welch t test (mean difference, all respondents)"),
    "mann_whitney": N_("Mann-Whitney test (difference of medians)"),
    "mean_change": N_("Mean change of each enterprise's primary analysis"),
}
STATUS_NAMES = {"ok": N_("estimated"), "insufficient_data": N_("not enough data"),
                "suppressed": N_("suppressed (privacy)"), "not_reported": N_("not tracked")}
DIRECTION_NAMES = {"improved": N_("improved"), "worsened": N_("worsened"),
                   "inconclusive": N_("not significant"), "not_tested": N_("no verdict")}
MILESTONE_LABELS = {"training": N_("Module 1 workshop"),
                    "final_workshop": N_("Final result workshop")}
SEVERITY_NAMES = {"error": N_("error"), "warning": N_("warning"), "info": N_("correction")}
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


def indicator_label(domain: str, indicator: str) -> str:
    """The plain name of an indicator of the results table."""
    if domain == "kpi" and indicator in INDICATORS:
        return INDICATORS[indicator].label_in(current_language())
    if domain == "five_s":
        return _(FIVE_S_LABEL)
    if domain == "survey" and indicator in CONSTRUCT_LABELS:
        return _(CONSTRUCT_LABELS[indicator])
    return str(indicator).replace("_", " ").capitalize()


def indicator_name(indicator: str) -> str:
    """The plain name of an indicator known by its name alone (a KPI, ``five_s_index`` or a
    survey construct)."""
    domain = ("kpi" if indicator in INDICATORS else "five_s"
              if indicator == "five_s_index" else "survey")
    return indicator_label(domain, indicator)


def in_sentence(label: str) -> str:
    """A name inside a sentence: the first letter lower-cased unless the second is upper-case
    too (``Reject rate`` → ``reject rate``; ``5S index`` and ``ITS`` stay)."""
    if len(label) > 1 and label[0].isupper() and not label[1].isupper():
        return label[0].lower() + label[1:]
    return label


def column_label(column: str) -> str:
    """A monthly record column in words (``units_rejected`` → ``units rejected``)."""
    return _(COLUMN_LABELS[column]) if column in COLUMN_LABELS else column.replace("_", " ")


def indicator_unit(indicator: str, output_unit: object = None) -> str:
    """The unit of a KPI as shown, the enterprise's output unit in productivity."""
    if indicator == "labour_productivity" and not missing(output_unit) and str(output_unit):
        return _("{unit} per worker-hour").format(unit=output_unit)
    return INDICATORS[indicator].unit_in(current_language()) if indicator in INDICATORS else ""


def method_name(method: str, settings: AnalysisSettings = PLAN) -> str:
    """The name of a method of the analysis plan, for people (with the run's settings)."""
    if method in METHOD_NAMES:
        return _(METHOD_NAMES[method]).format(months=settings.phase_in_months)
    return str(method)


def status_name(status: str) -> str:
    return _(STATUS_NAMES[status]) if status in STATUS_NAMES else str(status)


def direction_name(direction: object) -> str:
    if isinstance(direction, str) and direction in DIRECTION_NAMES:
        return _(DIRECTION_NAMES[direction])
    return ""


def severity_name(severity: object) -> str:
    """The severity of a data-check finding in the page's language."""
    if isinstance(severity, str) and severity in SEVERITY_NAMES:
        return _(SEVERITY_NAMES[severity])
    return "" if missing(severity) else str(severity)


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


def visit_label(visit: object) -> str:
    """An audit's or survey's visit for people: ``baseline`` → ``Baseline``, ``visit_2`` →
    ``Visit 2`` (``Kunjungan 2``); other names as written, without underscores."""
    if missing(visit) or not str(visit):
        return ""
    visit = str(visit)
    if visit == "baseline":
        return pgettext("visit", "Baseline")
    if visit == "followup":
        return pgettext("visit", "Follow-up")
    if visit == "final_workshop":
        return pgettext("visit", "Final result workshop")
    m = re.fullmatch(r"visit_(\d+)", visit)
    if m:
        return _("Visit {n}").format(n=m.group(1))
    return visit.replace("_", " ").capitalize()


def agreement_labels(points: int, lo: int, hi: int) -> list[str]:
    """The answer labels of a scale of ``points`` points (the numbers when unusual)."""
    if points in AGREEMENT_LABELS:
        return [_(label) for label in AGREEMENT_LABELS[points]]
    return [str(v) for v in range(lo, hi + 1)]
