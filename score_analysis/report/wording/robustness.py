""""How robust is this?" in words: the sensitivity analyses of a monthly indicator.

The analysis answers the question (``score_analysis.stats``, the rule of analysis plan
version 3): the primary estimate is *consistent* when every sensitivity estimate (seasons,
phase-in, without the Lebaran months and, with a comparison group, the single series) has
its sign; the naive step, biased by trends, and the placebo are shown but not counted.  A
placebo whose p is below the plan's alpha means the trend before the programme was not
stable.  This module only words that answer.
"""

from __future__ import annotations

from ...i18n import N_, ngettext
from ...i18n import gettext as _
from ...settings import PLAN, AnalysisSettings
from .evidence import p_text
from .names import in_sentence

#: The names of the rows of "How robust is this?" (which rows, and in which order, is the
#: analysis's answer: :func:`score_analysis.stats.robustness.robustness_table`);
#: ``{months}``: the phase-in months of the run.
ROBUSTNESS_NAMES = {
    "cits_effect_end": N_("Against the trend before and the comparison enterprises"),
    "its_effect_end": N_("Against the trend before the programme"),
    "its_effect_end_harmonic": N_("Allowing for seasons"),
    "its_effect_end_phase_in": N_("Leaving out the first {months} months (phase-in)"),
    "its_effect_end_no_eid": N_("Without the Lebaran months"),
    "placebo_effect_end": N_("Placebo: a pretend start before the programme (expected: no "
                             "change)"),
    "rate_ratio_step": N_("Naive step: after against before, ignoring the trend (biased, for "
                          "comparison)"),
}


def robustness_name(method: str, primary: bool, settings: AnalysisSettings = PLAN) -> str:
    """The name of a row of "How robust is this?" (``Primary: …`` on the primary's row)."""
    if not primary and method == "its_effect_end":  # the controlled estimate is primary
        return _("Without the comparison group (the enterprise's own series only)")
    if primary and method == "rate_ratio_step":
        return _("Primary: after against before (the series is too short for the trend "
                 "model)")
    name = _(ROBUSTNESS_NAMES[method]).format(months=settings.phase_in_months) \
        if method in ROBUSTNESS_NAMES else method
    return _("Primary: {name}").format(name=in_sentence(name)) if primary else name


def robustness_sentence(*, counted: int, agreeing: int, consistent: bool | None,
                        placebo_p: object, placebo_unstable: bool,
                        settings: AnalysisSettings = PLAN) -> str:
    """The verdict under the table: consistent or not (the sensitivity analyses that have
    the primary's sign, of those estimated), and what the placebo says."""
    if counted == 0:
        text = _("No sensitivity analysis could be estimated, so robustness cannot be judged.")
    elif consistent:
        text = ngettext("Consistent: the {n} sensitivity analysis points the same way as the "
                        "primary estimate, so the result does not hinge on that modelling "
                        "choice.",
                        "Consistent: all {n} sensitivity analyses point the same way as the "
                        "primary estimate, so the result does not hinge on one modelling "
                        "choice.", counted).format(n=counted)
    else:
        text = ngettext("Not consistent: {same} of {n} sensitivity analysis points the same "
                        "way as the primary estimate; read the primary estimate with "
                        "caution.",
                        "Not consistent: {same} of {n} sensitivity analyses point the same "
                        "way as the primary estimate; read the primary estimate with "
                        "caution.", counted).format(same=agreeing, n=counted)
    text += " " + _("The naive step is biased by any trend and is shown for comparison only.")
    if placebo_unstable:
        text += " " + _("The placebo, at a pretend start before the programme, shows a change "
                        "({p}): the trend before the programme was not stable.").format(
            p=p_text(placebo_p))
    elif placebo_p is not None:
        text += " " + _("The placebo, at a pretend start before the programme, is compatible "
                        "with no change ({p}).").format(p=p_text(placebo_p))
    return text
