"""The plain-language text of the reports: names, units, sentences and headlines.

Every function returns plain text (escaped later by the templates) in the language of
:func:`score_analysis.i18n.current_language`.  The words follow the numbers of the results
rows and never judge them: ``confirmatory``, ``direction`` and ``p_holm`` come from the
analysis (``docs/analysis_plan.md``, version 3), and a result that is not significant after
the adjustment is said to be exactly that, never "no change".

Modules: :mod:`.names` (indicators, units, methods, statuses, visits), :mod:`.changes`
(ratios, intervals, rates in their units), :mod:`.evidence` (p-values, the confirmatory
family), :mod:`.sentences` (one sentence per primary result), :mod:`.robustness` ("How
robust is this?") and :mod:`.headlines` (the summary's lead, index and synthesis lines).
"""

from __future__ import annotations

from .changes import (
    amount,
    exact_change,
    exact_short,
    finite,
    rate_text,
    ratio_change,
    ratio_interval,
    ratio_sign,
    times_text,
)
from .evidence import (
    EXPLANATIONS,
    Family,
    adjusting_for,
    evidence,
    evidence_level,
    exploratory_sentence,
    family_of,
    family_sentence,
    family_size,
    first_time,
    is_confirmatory,
    p_holm_text,
    p_text,
    p_unadjusted_text,
    significance_clause,
)
from .headlines import (
    change_words,
    headline,
    lead_sentence,
    pooled_direction,
    synthesis_headline,
    verdict_words,
)
from .names import (
    AGREEMENT_LABELS,
    CONSTRUCT_LABELS,
    DIRECTION_NAMES,
    KIND_TITLES,
    LANGUAGE_NAMES,
    METHOD_NAMES,
    MILESTONE_LABELS,
    PRIVACY_MIN,
    SEVERITY_NAMES,
    SIMULATED_BANNER,
    STATUS_NAMES,
    WAVE_SHORT,
    WAVE_TITLES,
    agreement_labels,
    column_label,
    direction_name,
    good_direction,
    in_sentence,
    indicator_label,
    indicator_name,
    indicator_unit,
    method_name,
    milestone_label,
    severity_name,
    status_name,
    visit_label,
)
from .robustness import (
    ROBUSTNESS_NAMES,
    robustness_name,
    robustness_sentence,
)
from .sentences import (
    EFFECT_END,
    estimated,
    five_s_sentence,
    kpi_sentence,
    placebo_warning,
    rates_moved,
    scale_of,
    summary_sentence,
    survey_sentence,
)

__all__ = [
    "AGREEMENT_LABELS", "CONSTRUCT_LABELS", "DIRECTION_NAMES", "EFFECT_END", "EXPLANATIONS",
    "Family", "KIND_TITLES", "LANGUAGE_NAMES",
    "METHOD_NAMES", "MILESTONE_LABELS", "PRIVACY_MIN", "ROBUSTNESS_NAMES", "SEVERITY_NAMES",
    "SIMULATED_BANNER", "STATUS_NAMES", "WAVE_SHORT", "WAVE_TITLES", "adjusting_for",
    "agreement_labels", "amount", "change_words", "column_label", "direction_name", "estimated",
    "evidence", "evidence_level", "exact_change", "exact_short", "exploratory_sentence",
    "family_of", "family_sentence", "family_size", "finite", "first_time", "five_s_sentence",
    "good_direction", "headline", "in_sentence", "indicator_label", "indicator_name",
    "indicator_unit", "is_confirmatory", "kpi_sentence", "lead_sentence", "method_name",
    "milestone_label", "p_holm_text", "p_text", "p_unadjusted_text", "placebo_warning",
    "pooled_direction", "rate_text", "rates_moved", "ratio_change", "ratio_interval",
    "ratio_sign", "robustness_name", "robustness_sentence", "scale_of", "severity_name",
    "significance_clause", "status_name", "summary_sentence", "survey_sentence",
    "synthesis_headline", "times_text", "verdict_words", "visit_label",
]
