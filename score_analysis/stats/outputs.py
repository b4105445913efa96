"""The output tables' columns and the values their coded columns take
(docs/analysis_plan.md, outputs)."""

from __future__ import annotations

#: The columns of reports/results.csv, in order (docs/analysis_plan.md §10).
RESULT_COLUMNS = (
    "enterprise_id", "domain", "indicator", "method", "primary", "status", "n_pre", "n_post",
    "pre_value", "post_value", "estimate", "estimate_scale", "se", "ci_low", "ci_high",
    "p_value", "p_holm", "q_bh", "effect_size", "direction", "note", "data_source",
)

#: The columns of reports/pooled.csv (docs/analysis_plan.md §10).
POOLED_COLUMNS = (
    "domain", "indicator", "source_method", "primary", "k", "estimate", "estimate_scale",
    "ci_low", "ci_high", "pi_low", "pi_high", "p_value", "p_holm", "tau2", "i2", "q", "method",
)

#: The columns of reports/pooled_inputs.csv: every study entering a pooling, so that a
#: reviewer can rerun ``metafor::rma(yi, vi)`` by hand.
POOLED_INPUT_COLUMNS = ("domain", "indicator", "source_method", "enterprise_id", "yi", "vi",
                        "weight_percent")

STATUSES = ("ok", "insufficient_data", "suppressed", "not_reported")

DIRECTIONS = ("improved", "worsened", "inconclusive", "not_tested")
ESTIMATE_SCALES = ("rate_ratio", "slope_ratio", "difference")


