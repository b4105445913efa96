"""The output tables' columns, the methods of the plan and the values their coded columns
take (docs/analysis_plan.md §10).

This module is the schema the pages read: it holds names only (no numerics), so the
presentation layer may import it freely.
"""

from __future__ import annotations

#: The columns of reports/results.csv, in order (docs/analysis_plan.md §10).
RESULT_COLUMNS = (
    "enterprise_id", "domain", "indicator", "method", "primary", "confirmatory", "status",
    "n_pre", "n_post", "pre_value", "post_value", "estimate", "estimate_scale", "se", "ci_low",
    "ci_high", "p_value", "p_holm", "q_bh", "effect_size", "direction", "note", "note_code",
    "data_source",
)

#: The columns of reports/pooled.csv (docs/analysis_plan.md §10).
POOLED_COLUMNS = (
    "domain", "indicator", "source_method", "primary", "confirmatory", "status", "k",
    "estimate", "estimate_scale", "ci_low", "ci_high", "pi_low", "pi_high", "p_value", "p_holm",
    "direction", "tau2", "i2", "q", "method",
)

#: The columns of reports/pooled_inputs.csv: every study entering a pooling, so that a
#: reviewer can rerun ``metafor::rma(yi, vi)`` by hand; ``input_method`` is the results
#: row each ``yi`` comes from (``paired_t`` or ``welch_t`` for the survey's mean change).
POOLED_INPUT_COLUMNS = ("domain", "indicator", "source_method", "enterprise_id",
                        "input_method", "yi", "vi", "weight_percent")

STATUSES = ("ok", "insufficient_data", "suppressed", "not_reported")

DIRECTIONS = ("improved", "worsened", "inconclusive", "not_tested")
ESTIMATE_SCALES = ("rate_ratio", "slope_ratio", "difference")

# --------------------------------------------------------------------------- methods

#: The primary estimate of a monthly KPI (single series) and its two components.
ITS_PRIMARY = "its_effect_end"
ITS_COMPONENTS = ("its_level", "its_slope")
#: The sensitivity rows of the primary ("How robust is this?"), in the order shown.
ITS_SENSITIVITY = ("its_effect_end_harmonic", "its_effect_end_phase_in",
                   "its_effect_end_no_eid")
#: The placebo (a pretend start before the programme; expected near 1).
PLACEBO = "placebo_effect_end"
#: The naive before/after ratio, biased by trends, shown for comparison.
NAIVE_STEP = "rate_ratio_step"
#: The exact comparison of the two rates, descriptive, where the primary fails the events
#: rule.
EXACT = "rate_ratio_exact"
#: The single-series KPI methods, in the order of the results table.
KPI_METHODS = (ITS_PRIMARY, *ITS_COMPONENTS, *ITS_SENSITIVITY, PLACEBO, NAIVE_STEP)
#: The controlled interrupted time series (comparison group; docs/analysis_plan.md §6.C).
CITS_PRIMARY = "cits_effect_end"
CITS_METHODS = (CITS_PRIMARY, "cits_level", "cits_slope")

#: The primary of the 5S audits: described, never tested.
FIVE_S_CHANGE = "five_s_change"
#: Methods that describe rather than test: never in a multiplicity family, never judged.
DESCRIPTIVE_METHODS = (FIVE_S_CHANGE, EXACT)
#: The survey's pooled estimand: each enterprise's primary mean change.
MEAN_CHANGE = "mean_change"

#: Every method a results row may carry.
METHODS = (*CITS_METHODS, *KPI_METHODS, EXACT, FIVE_S_CHANGE, "paired_t",
           "wilcoxon_signed_rank", "friedman", "welch_t", "mann_whitney")
