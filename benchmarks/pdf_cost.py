"""``make bench``: what the PDFs add to a run (issue #12: at most 0.5 x the HTML build).

The full run of :mod:`benchmarks.run` prints the PDFs of every report with one
browser; ``reports/pdf/keys.json`` records how long the printing took.  The HTML
build time is the rest of that run's wall time.
"""

from __future__ import annotations

import json
from pathlib import Path

#: The target of issue #12: PDF printing time / HTML build time.
PDF_MAX = 0.5


def measure(reports: Path, run_wall_s: float) -> dict | None:
    """The PDF figures of a run whose reports are in ``reports`` and which took
    ``run_wall_s`` seconds: PDFs printed, seconds printing, seconds for the rest;
    ``None`` when the run printed no PDF (no Chromium)."""
    path = reports / "pdf" / "keys.json"
    if not path.is_file():
        return None
    state = json.loads(path.read_text(encoding="utf-8"))
    pdf_s = float(state["duration_s"])
    return {"pdfs": int(state["printed"]), "pdf_s": pdf_s, "html_s": run_wall_s - pdf_s}


def rows(figures: dict, row: type) -> list:
    """The line of the benchmark table (``row`` is :class:`benchmarks.run.Row`)."""
    f = figures.get("pdf")
    if not f:
        return [row("  PDFs / HTML build", "no PDF printed (Chromium missing?)", None,
                    f"<= {PDF_MAX}", False)] if "pdf" in figures else []
    ratio = f["pdf_s"] / f["html_s"]
    return [row(f"  PDFs ({f['pdfs']}, one browser) / HTML build",
                f"{f['pdf_s']:.2f} s vs {f['html_s']:.2f} s", ratio, f"<= {PDF_MAX}",
                ratio <= PDF_MAX)]
