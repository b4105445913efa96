"""Charts of the reports: matplotlib figures drawn from the pipeline's tables.

Every function takes tidy frames that the pipeline has already computed and
returns a :class:`matplotlib.figure.Figure` (never registered with pyplot, so
nothing is shown or kept by accident); :func:`score_analysis.report.figure_html`
embeds it in the page with its alt text.  Nothing is estimated here: the
figures only draw estimates and lines from ``results`` and ``kpi_lines``.

Colours are the Okabe-Ito palette (Okabe & Ito 2008), safe for the common
forms of colour blindness; every series also differs by marker or line style,
so the charts read in grey print too.  Text from the data (names, survey
items) is drawn literally: ``$`` never starts mathematical notation.

Modules: :mod:`.base` (palette, style, ticks in the page's language, PNG output),
:mod:`.enterprise` (monthly indicators, 5S, survey) and :mod:`.synthesis` (forest
plots, survey changes side by side).
"""

from __future__ import annotations

from .base import (
    FIGURE_DPI,
    LIKERT_NEGATIVE,
    LIKERT_NEUTRAL,
    LIKERT_POSITIVE,
    MARKERS,
    OKABE_ITO,
    PALETTE,
    SERIES,
    STYLE,
    chart_style,
    light_text,
    literal,
    locale_number,
    locale_ticks,
    month_axis,
    month_middle,
    month_start,
    month_year_formatter,
    new_figure,
    png_bytes,
    tick_labels,
    wrap,
)
from .enterprise import (
    KPI_KEY,
    PILLAR_LABELS,
    construct_figure,
    diverging_segments,
    five_s_index_figure,
    five_s_pillar_figure,
    kpi_figure,
    kpi_key_labels,
    likert_colours,
    likert_extent,
    pillar_name,
)
from .synthesis import MANY_ROWS, forest_figure, many_rows, survey_changes_figure

__all__ = [
    "FIGURE_DPI", "KPI_KEY", "LIKERT_NEGATIVE", "LIKERT_NEUTRAL", "LIKERT_POSITIVE",
    "MANY_ROWS", "MARKERS", "OKABE_ITO", "PALETTE", "PILLAR_LABELS", "SERIES", "STYLE",
    "chart_style", "construct_figure", "diverging_segments", "five_s_index_figure",
    "five_s_pillar_figure", "forest_figure", "kpi_figure", "kpi_key_labels", "light_text",
    "likert_colours", "likert_extent", "literal", "locale_number", "locale_ticks", "many_rows",
    "month_axis", "month_middle", "month_start", "month_year_formatter", "new_figure",
    "pillar_name", "png_bytes", "survey_changes_figure", "tick_labels", "wrap",
]
