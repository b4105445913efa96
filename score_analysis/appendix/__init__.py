"""The reviewer's appendix: the analysis recomputed step by step, with its code visible.

- :mod:`.tables` — the intermediate tables the appendix notebooks show (pure functions);
- :mod:`.controlled` — the controlled interrupted time series: the stacked model data and
  its counts, the fit with both standard errors, the comparison series;
- :mod:`.checks` — the recomputed numbers against the stored ones (``check = "fail"`` or
  ``"compare"``), keyed by indicator, method and column;
- :mod:`.implementation` — the implementation records of an enterprise as recorded;
- :mod:`.figures` — their seaborn figures;
- :mod:`.page` — the appendix page (an autoescaping template around the executed notebook).

The appendix notebooks call ``from score_analysis import appendix`` and use the table
functions below.  May import every room but :mod:`score_analysis.build`.
"""

from .checks import (
    CHECK_MODES,
    POOLED_KEY,
    CheckMode,
    assert_same_results,
    check_mode,
    check_results,
    checked,
    compare_results,
    compare_rows,
    difference_lines,
    settings_table,
    stored_settings,
)
from .controlled import (
    COMPARISON_TABLE_COLUMNS,
    CONTROLLED_FIT_COLUMNS,
    STACKED_COUNT_COLUMNS,
    comparison_members,
    comparison_table,
    controlled_fit,
    controlled_fit_table,
    stacked_counts,
    stacked_data,
)
from .implementation import IMPLEMENTATION_RECORD_COLUMNS, implementation_records
from .tables import (
    AUTOCORRELATION_COLUMNS,
    COMBINATION_COLUMNS,
    COUNTERFACTUAL_COLUMNS,
    DISTRIBUTION_COLUMNS,
    FIT_SUMMARY_COLUMNS,
    FOREST_COLUMNS,
    HEATMAP_COLUMNS,
    RESIDUAL_COLUMNS,
    RESULT_KEY,
    SENSITIVITY_COLUMNS,
    SENSITIVITY_METHODS,
    answer_distribution,
    combination_table,
    counterfactual_lines,
    design_matrix,
    fit_summary,
    five_s_heatmap,
    forest_rows,
    leave_one_out_table,
    model_formula,
    model_terms,
    pearson_residuals,
    pooled_inputs,
    residual_autocorrelation,
    results_rows,
    sensitivity_table,
    series_of,
)

__all__ = [
    "CHECK_MODES",
    "POOLED_KEY",
    "CheckMode",
    "check_mode",
    "check_results",
    "checked",
    "compare_results",
    "compare_rows",
    "difference_lines",
    "settings_table",
    "stored_settings",
    "COMBINATION_COLUMNS",
    "FIT_SUMMARY_COLUMNS",
    "RESIDUAL_COLUMNS",
    "AUTOCORRELATION_COLUMNS",
    "COUNTERFACTUAL_COLUMNS",
    "HEATMAP_COLUMNS",
    "DISTRIBUTION_COLUMNS",
    "FOREST_COLUMNS",
    "SENSITIVITY_METHODS",
    "SENSITIVITY_COLUMNS",
    "RESULT_KEY",
    "series_of",
    "model_terms",
    "model_formula",
    "design_matrix",
    "fit_summary",
    "combination_table",
    "pearson_residuals",
    "residual_autocorrelation",
    "counterfactual_lines",
    "sensitivity_table",
    "five_s_heatmap",
    "answer_distribution",
    "results_rows",
    "assert_same_results",
    "pooled_inputs",
    "forest_rows",
    "leave_one_out_table",
    "COMPARISON_TABLE_COLUMNS",
    "CONTROLLED_FIT_COLUMNS",
    "STACKED_COUNT_COLUMNS",
    "comparison_members",
    "comparison_table",
    "controlled_fit",
    "controlled_fit_table",
    "stacked_counts",
    "stacked_data",
    "IMPLEMENTATION_RECORD_COLUMNS",
    "implementation_records",
]
