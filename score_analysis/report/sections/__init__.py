"""The sections of an enterprise report, one function per notebook cell.

Each function selects the rows it shows, words them (:mod:`..wording`) and renders its
template (``score_analysis/report/templates/sections``); it returns
:class:`~score_analysis.report.rendering.Html`, or one per language
(:class:`~score_analysis.report.rendering.Translated`) when the data were loaded for
several languages.

Modules, in the order of a page: :mod:`.header` (banner, profile, timeline),
:mod:`.summary` (sentences and key results), :mod:`.kpi` (monthly charts and "How robust
is this?"), :mod:`.five_s`, :mod:`.survey`, :mod:`.qualitative`, :mod:`.quality` (data
quality), :mod:`.methods` (risk of bias, diagnostics, every row, the plan) and
:mod:`.provenance` (provenance and footer).
"""

from __future__ import annotations

from .five_s import five_s_section, tests_rows
from .header import banner, header, timeline_events
from .kpi import kpi_charts, kpi_key, robustness_rows, robustness_sentence
from .methods import (
    RISK_JUDGEMENTS,
    analysis_plan,
    appendix_href,
    diagnostics_rows,
    methods_section,
    results_rows,
    risk_rows,
)
from .provenance import footer, provenance_section
from .qualitative import note_groups, qualitative_section
from .quality import coverage_rows, data_quality_section, findings_rows
from .summary import (
    caveat_values,
    executive_summary,
    marker,
    sentence_of,
    short_note,
    sign_of,
    summary_table,
)
from .survey import (
    attrition_rows,
    construct_rows,
    item_text,
    likert_shares,
    survey_section,
    wave_sizes,
)

__all__ = [
    "RISK_JUDGEMENTS", "analysis_plan", "appendix_href", "attrition_rows", "banner",
    "caveat_values", "construct_rows", "coverage_rows", "data_quality_section",
    "diagnostics_rows", "executive_summary", "findings_rows", "five_s_section", "footer",
    "header", "item_text", "kpi_charts", "kpi_key", "likert_shares", "marker",
    "methods_section", "note_groups", "provenance_section", "qualitative_section",
    "results_rows", "risk_rows", "robustness_rows", "robustness_sentence", "sentence_of",
    "short_note", "sign_of", "summary_table", "survey_section", "tests_rows", "timeline_events",
    "wave_sizes",
]
