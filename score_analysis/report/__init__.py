"""Presentation: the report pages, rendered from Jinja2 templates in English and Indonesian.

Notebooks call one function per section; each returns an :class:`Html` object
that Jupyter displays as HTML (or one per language, :class:`Translated`, when
the data were loaded for several languages).  Nothing is estimated here: the
pipeline has already written every number to ``data/processed``, and this
package only selects, words and draws them.

Rooms:

- :mod:`.loading` — the tables a report shows (read, never recomputed);
- :mod:`.formatting` — numbers, percentages and dates in the page's locale (Babel);
- :mod:`.wording` — names, sentences and headlines, through gettext;
- :mod:`.notes` — the analysis's notes rendered from their codes in the page's language;
- :mod:`.answers` — "How robust is this?" read from the results rows;
- :mod:`.figures` — charts embedded as PNG with alt text, the HTML Likert chart;
- :mod:`.sections` (a package, one module per section) / :mod:`.synthesis` and
  :mod:`.synthesis_implementation` — the sections of the two kinds of report;
  :mod:`.charts` (a package) — the matplotlib figures;
- :mod:`.pages` — the page shell, the index and the failed page;
- :mod:`.rendering` — the Jinja2 environment (autoescaping, gettext).

The HTML itself is in ``score_analysis/report/templates`` (one base layout, macros for
the repeated tables); every value from the data is escaped by the templates.
Imports stay light (pandas, Jinja2, Babel; no statsmodels or scipy).
"""

from __future__ import annotations

from .figures import figure_html, forest_alt, kpi_alt, likert_alt, likert_chart
from .formatting import esc, fmt, fmt_count, fmt_p, fmt_signed, signed_percent, with_unit
from .loading import (
    EnterpriseData,
    SynthesisData,
    enterprise_findings,
    load_enterprise,
    load_synthesis,
    run_settings,
    unlinked_findings,
)
from .notes import note_words
from .pages import CSP, failed_page, index_page, page, stylesheet
from .rendering import Html, Translated, mime_type, render
from .sections import (
    analysis_plan,
    banner,
    data_quality_section,
    executive_summary,
    five_s_section,
    footer,
    header,
    kpi_charts,
    kpi_key,
    likert_shares,
    methods_section,
    provenance_section,
    qualitative_section,
    summary_table,
    survey_section,
    timeline_events,
    wave_sizes,
)
from .sections.implementation import implementation_section
from .synthesis import (
    five_s_overview,
    forest_plots,
    many_note,
    pooled_table,
    qualitative_overview,
    small_k_note,
    survey_overview,
    synthesis_grid,
    synthesis_header,
    synthesis_quality,
)
from .synthesis_implementation import implementation_overview
from .wording import (
    PRIVACY_MIN,
    SIMULATED_BANNER,
    evidence,
    family_of,
    good_direction,
    headline,
    indicator_label,
    indicator_unit,
    lead_sentence,
    ratio_change,
    ratio_interval,
    summary_sentence,
    synthesis_headline,
)

#: Kept for the notebooks and tests written against the single module.
_many_note = many_note
_forest_alt = forest_alt

__all__ = [
    "CSP", "EnterpriseData", "Html", "PRIVACY_MIN", "SIMULATED_BANNER", "SynthesisData",
    "Translated", "analysis_plan", "banner", "data_quality_section", "enterprise_findings",
    "esc", "evidence", "executive_summary", "failed_page", "family_of", "figure_html",
    "five_s_overview", "five_s_section", "fmt", "fmt_count", "fmt_p", "fmt_signed", "footer",
    "implementation_overview", "implementation_section",
    "forest_alt", "forest_plots", "good_direction", "header", "headline", "index_page",
    "indicator_label", "indicator_unit", "kpi_alt", "kpi_charts", "kpi_key", "lead_sentence",
    "likert_alt", "likert_chart", "likert_shares", "load_enterprise", "load_synthesis",
    "methods_section", "mime_type", "note_words", "page", "pooled_table", "provenance_section",
    "qualitative_overview", "qualitative_section", "ratio_change", "ratio_interval", "render",
    "run_settings", "signed_percent", "small_k_note", "stylesheet", "summary_sentence",
    "summary_table", "survey_overview", "survey_section", "synthesis_grid", "synthesis_header",
    "synthesis_headline", "synthesis_quality", "timeline_events", "unlinked_findings",
    "wave_sizes", "with_unit",
]
