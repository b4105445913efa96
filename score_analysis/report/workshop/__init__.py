"""The final result workshop pack: one-page summaries, an editable slide deck and the
charts as files, in each language (``docs/workshop.md``).

Rooms:

- :mod:`.loading` — the tables the pack shows, read from the processed outputs;
- :mod:`.content` — what it shows: the key figures of each enterprise and of the
  programme, the timeline, the notes, the implementation at the last visit (no words);
- :mod:`.wording` — the plain words, in the page's language (gettext);
- :mod:`.charts` — the charts, drawn for a projector, saved as PNG (200 dpi) and SVG;
- :mod:`.pages` — the one-page summaries (HTML, printed to one A4 page by the build);
- :mod:`.deck` — the 16:9 slide deck (python-pptx).

Nothing is estimated here: every number comes from ``results`` and ``pooled``.  The
build stage that writes the files is :mod:`score_analysis.build.workshop`.
"""

from __future__ import annotations

from .charts import PNG_DPI, enterprise_chart, programme_chart
from .deck import DECK_NAME, deck_bytes, deck_slides
from .loading import WorkshopData, load_workshop
from .pages import Chart, Link, programme_page, summary_page

__all__ = ["DECK_NAME", "PNG_DPI", "Chart", "Link", "WorkshopData", "deck_bytes",
           "deck_slides", "enterprise_chart", "load_workshop", "programme_chart",
           "programme_page", "summary_page"]
