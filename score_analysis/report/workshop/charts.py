"""The charts of the workshop pack: drawn for a projector and a printed page, saved as
files (PNG at 200 dpi for the slides, SVG for editing) and embedded in the summaries.

Each chart holds its title, its units and its legend inside the image, in the page's
language (numbers and months in its locale).  Colours are the Okabe-Ito palette of
:mod:`score_analysis.report.charts`; before and after also differ by hatching and by
marker shape, so the charts read in grey print and for colour-blind readers.  The type
is large (at least 13 pt at the figure's size), so it stays readable projected.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from ...i18n import gettext as _
from ..charts import PALETTE, literal, locale_ticks, png_bytes, wrap
from .content import KeyFigure, Spread
from .wording import ARROW, unit_of, values_of

#: Resolution of the PNG files (the slides).
PNG_DPI = 200
BEFORE = "#BBBBBB"
BEFORE_EDGE = "#57606a"
AFTER = PALETTE["after"]  # Okabe-Ito blue
BETTER = PALETTE["after"]
WORSE = "#D55E00"  # Okabe-Ito vermillion
SAME = "#57606a"
STYLE = {
    "font.size": 14, "axes.titlesize": 14.5, "axes.titleweight": "bold",
    "axes.labelsize": 13.5, "xtick.labelsize": 13, "ytick.labelsize": 13,
    "legend.fontsize": 13.5, "figure.titlesize": 17, "figure.titleweight": "bold",
    "axes.spines.top": False, "axes.spines.right": False, "axes.edgecolor": "#57606a",
    "axes.labelcolor": "#1b1f24", "xtick.color": "#57606a", "ytick.color": "#57606a",
    "xtick.labelcolor": "#1b1f24", "ytick.labelcolor": "#1b1f24", "legend.frameon": False,
    "axes.grid": True, "grid.color": "#e6e9ec", "grid.linewidth": 0.8, "axes.axisbelow": True,
    "svg.fonttype": "none", "svg.hashsalt": "score-analysis", "text.usetex": False,
    "hatch.color": BEFORE_EDGE, "hatch.linewidth": 0.8,
}
#: More enterprises than this in the programme chart: the rows are not named.
NAMED_ROWS = 15


def _figure(width: float, height: float, *, margins: tuple[float, float, float, float],
            wspace: float, **subplots):
    """A figure outside pyplot's registry with its axes placed by fixed margins in inches
    (left, right, top, bottom): the layout of these charts is known in advance, so no
    layout engine runs (it was most of the drawing time)."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height))
    left, right, top, bottom = margins
    fig.subplots_adjust(left=left / width, right=1 - right / width, top=1 - top / height,
                        bottom=bottom / height, wspace=wspace)
    return fig, fig.subplots(**subplots)


def _title_chars(fig, panels: int) -> int:
    """Characters of a panel title per line: as many as the panel's width and the gap to
    the next panel hold at the title's size (bold: about 0.62 of the size each)."""
    left, right = fig.subplotpars.left, fig.subplotpars.right
    pitch = (right - left) * fig.get_size_inches()[0] / max(panels, 1)
    return max(int(pitch * 72 / (0.62 * STYLE["axes.titlesize"])), 8)


def _title_and_legend(fig, title: str, handles: list, ncol: int) -> None:
    """The figure's title at its top left and its legend along its bottom."""
    width, height = fig.get_size_inches()
    fig.suptitle(literal(title), x=0.12 / width, y=1 - 0.12 / height, ha="left", va="top")
    fig.legend(handles=handles, loc="lower center", bbox_to_anchor=(0.5, 0.06 / height),
               ncol=ncol)


def _style():
    import matplotlib

    return matplotlib.rc_context(STYLE)


def _axis_top(low: float, high: float, fig: KeyFigure) -> tuple[float, float]:
    """The value axis of a panel: from zero (or the scale's lowest answer) to a little
    above the larger value (the whole scale for 5S and the survey)."""
    if fig.domain == "five_s":
        return 0.0, 100.0
    if fig.domain == "survey":
        return fig.scale
    top = max(low, high)
    return 0.0, top * 1.22 if top > 0 else 1.0


def before_after_figure(figures: Sequence[KeyFigure], *, title: str,
                        periods: tuple[str, str], output_unit: object = None):
    """One small panel per key figure: the value before and after the programme as two
    bars with their values written on them, the unit under the panel's title.

    The bars start at zero for rates and the 5S index, and at the lowest answer of the
    scale for survey scores (the axis then spans the whole scale).
    """
    from matplotlib.patches import Patch

    n = max(len(figures), 1)
    with _style():
        fig, axes = _figure(max(2.25 * n, 6.0), 4.6, ncols=n, squeeze=False,
                            margins=(0.6, 0.3, 1.55, 1.25), wspace=0.5)
        for ax, f in zip(axes[0], figures, strict=False):
            low, high = _axis_top(f.before, f.after, f)
            base = low if f.domain == "survey" else 0.0
            values = [f.before, f.after]
            ax.bar([0, 1], [v - base for v in values], bottom=base, width=0.72,
                   color=[BEFORE, AFTER], edgecolor=[BEFORE_EDGE, AFTER], linewidth=1.2,
                   hatch=["//", ""])
            for x, text in zip((0, 1), values_of(f), strict=True):
                v = values[x]
                ax.annotate(text, (x, v), xytext=(0, 4), textcoords="offset points",
                            ha="center", va="bottom", fontsize=14, fontweight="bold",
                            color="#1b1f24")
            ax.set_ylim(low, high)
            ax.set_xlim(-0.6, 1.6)
            ax.set_xticks([])
            ax.grid(axis="x", visible=False)
            ax.yaxis.set_major_formatter(locale_ticks())
            ax.set_title(wrap(literal(_label(f)), _title_chars(fig, n), 3), loc="left", y=1.03)
            ax.set_xlabel(wrap(literal(unit_of(f, output_unit)), 17, 2))
        for ax in axes[0][len(figures):]:
            ax.set_visible(False)
        handles = [Patch(facecolor=BEFORE, edgecolor=BEFORE_EDGE, hatch="//",
                         label=literal(periods[0])),
                   Patch(facecolor=AFTER, edgecolor=AFTER, label=literal(periods[1]))]
        _title_and_legend(fig, title, handles, 2)
    return fig


def _label(f: KeyFigure | Spread) -> str:
    from ..wording import indicator_label

    return indicator_label(f.domain, f.indicator)


def programme_figure(spreads: Sequence[Spread], names: dict[str, str], *, title: str,
                     output_units: dict[str, object] | None = None):
    """What changed in each enterprise: one panel per indicator, one row per enterprise,
    an arrow from the value before (open circle) to the value after (filled: a circle in
    blue when better, a square in vermillion when worse)."""
    from matplotlib.lines import Line2D

    ids = list(dict.fromkeys(f.enterprise_id for s in spreads for f in s.figures))
    rows = len(ids)
    named = rows <= NAMED_ROWS
    n = max(len(spreads), 1)
    with _style():
        fig, axes = _figure(max(2.1 * n + (1.9 if named else 0.6), 6.5),
                            min(2.6 + 0.45 * rows, 7.5), ncols=n, squeeze=False, sharey=True,
                            margins=(1.9 if named else 0.6, 0.25, 1.55, 1.25), wspace=0.25)
        y_of = {e: rows - 1 - i for i, e in enumerate(ids)}
        for ax, s in zip(axes[0], spreads, strict=False):
            first = s.figures[0]
            values = [v for f in s.figures for v in (f.before, f.after)]
            if first.domain == "five_s":
                lo, hi = 0.0, 100.0
            elif first.domain == "survey":
                lo, hi = first.scale
            else:
                lo, hi = 0.0, max(values) * 1.12 if max(values) > 0 else 1.0
            ax.set_xlim(lo, hi)
            for f in s.figures:
                y = y_of[f.enterprise_id]
                colour = BETTER if f.moved > 0 else WORSE if f.moved < 0 else SAME
                if abs(f.after - f.before) > 0.04 * (hi - lo):  # an arrow where it shows
                    ax.annotate("", xy=(f.after, y), xytext=(f.before, y),
                                arrowprops={"arrowstyle": "-|>", "color": colour, "lw": 2,
                                            "shrinkA": 5, "shrinkB": 6, "mutation_scale": 14})
                ax.plot([f.before], [y], "o", mfc="white", mec=BEFORE_EDGE, mew=2, ms=9)
                ax.plot([f.after], [y], "o" if f.moved >= 0 else "s", color=colour, ms=9)
            ax.xaxis.set_major_formatter(locale_ticks())
            ax.set_title(wrap(literal(_label(s)), _title_chars(fig, n), 3), loc="left", y=1.03)
            unit = unit_of(first, (output_units or {}).get(first.enterprise_id)
                           if first.indicator == "labour_productivity" else None)
            if first.indicator == "labour_productivity" and len(
                    {str((output_units or {}).get(f.enterprise_id)) for f in s.figures}) > 1:
                unit = _("units per worker-hour (each enterprise's own unit)")
            ax.set_xlabel(wrap(literal(unit), 22, 2))
            ax.grid(axis="y", visible=False)
            ax.set_ylim(-0.6, rows - 0.4)
        for ax in axes[0][len(spreads):]:
            ax.set_visible(False)
        if named:
            axes[0][0].set_yticks([y_of[e] for e in ids],
                                  [wrap(literal(names.get(e, e)), 16, 2) for e in ids])
        else:
            axes[0][0].set_yticks([])
            axes[0][0].set_ylabel(_("{n} enterprises, one row each").format(n=rows))
        handles = [Line2D([], [], marker="o", ls="", mfc="white", mec=BEFORE_EDGE, mew=2, ms=9,
                          label=_("Before the programme")),
                   Line2D([], [], marker="o", ls="", color=BETTER, ms=9,
                          label=_("After: better")),
                   Line2D([], [], marker="s", ls="", color=WORSE, ms=9,
                          label=_("After: worse"))]
        _title_and_legend(fig, title, handles, 3)
    return fig


def chart_files(fig) -> tuple[bytes, bytes]:
    """The figure as PNG (:data:`PNG_DPI`) and as SVG (its text kept as text, so that it
    can be edited; the fonts are those of the reader's system)."""
    import matplotlib

    with matplotlib.rc_context({"svg.hashsalt": STYLE["svg.hashsalt"],
                                "svg.fonttype": STYLE["svg.fonttype"]}):
        png = png_bytes(fig, dpi=PNG_DPI)
        buf = io.BytesIO()
        fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None})
    return png, buf.getvalue()


def png_size(png: bytes) -> tuple[int, int]:
    """Width and height in pixels of a PNG (from its header)."""
    if png[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG image")
    return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")


def before_after_alt(figures: Sequence[KeyFigure], *, title: str,
                     output_unit: object = None) -> str:
    """Alt text of :func:`before_after_figure`: every panel's values in words."""
    parts = [_("{title}. Bar chart, one panel per indicator, the value before and after "
               "the programme:").format(title=title)]
    for f in figures:
        before, after = values_of(f)
        unit = unit_of(f, output_unit)
        parts.append(f"{_label(f)} ({unit}): {before} {ARROW} {after}.")
    return " ".join(parts)


def programme_alt(spreads: Sequence[Spread], names: dict[str, str], *, title: str) -> str:
    """Alt text of :func:`programme_figure`: each enterprise's values in words."""
    parts = [_("{title}. One panel per indicator, one row per enterprise, an arrow from "
               "the value before the programme to the value after:").format(title=title)]
    for s in spreads:
        items = []
        for f in s.figures:
            before, after = values_of(f)
            items.append(f"{names.get(f.enterprise_id, f.enterprise_id)} {before} {ARROW} "
                         f"{after}")
        parts.append(f"{_label(s)}: " + "; ".join(items) + ".")
    return " ".join(parts)


def _chart(name: str, fig_or_png, alt: str, svg: bytes = b""):
    """A :class:`.pages.Chart` of a drawn figure, or of a PNG drawn before (its size from
    the PNG at :data:`PNG_DPI`; no SVG)."""
    from .pages import Chart

    if isinstance(fig_or_png, bytes):
        width, height = (v / PNG_DPI for v in png_size(fig_or_png))
        return Chart(name=name, png=fig_or_png, svg=svg, alt=alt, width_in=width,
                     height_in=height)
    png, svg = chart_files(fig_or_png)
    width, height = fig_or_png.get_size_inches()
    return Chart(name=name, png=png, svg=svg, alt=alt, width_in=float(width),
                 height_in=float(height))


def enterprise_chart(data, enterprise_id: str, *, lang: str, png: bytes | None = None):
    """The chart of one enterprise's key figures in ``lang``: a :class:`.pages.Chart`
    named ``<enterprise_id>`` (None when no key figure has values to draw).  ``png``:
    the chart drawn before (not drawn again; its alt text is made anew)."""
    from ...i18n import use_language
    from .content import record_period
    from .wording import periods_text

    with use_language(lang):
        e = data.enterprise(enterprise_id)
        own = data.only(enterprise_id)
        figures = data.key_figures(enterprise_id)
        if not figures:
            return None
        title = _("{name}: before and after the programme").format(name=e["name"])
        alt = before_after_alt(figures, title=title, output_unit=e.get("output_unit"))
        if png is not None:
            return _chart(enterprise_id, png, alt)
        start = None if e.get("intervention_month") is None else str(e["intervention_month"])
        fig = before_after_figure(figures, title=title, output_unit=e.get("output_unit"),
                                  periods=periods_text(record_period(own.months), start))
        return _chart(enterprise_id, fig, alt)


def programme_chart(data, *, lang: str, png: bytes | None = None):
    """The chart across the enterprises in ``lang``: a :class:`.pages.Chart` named
    ``programme`` (None when no indicator is shown by two enterprises); ``png`` as for
    :func:`enterprise_chart`."""
    from ...i18n import use_language
    with use_language(lang):
        spreads = data.spreads
        if not spreads:
            return None
        title = _("What changed in each enterprise: before and after the programme")
        alt = programme_alt(spreads, data.names, title=title)
        if png is not None:
            return _chart("programme", png, alt)
        units = dict(zip(data.enterprises["enterprise_id"].astype(str),
                         data.enterprises["output_unit"] if "output_unit"
                         in data.enterprises.columns else [None] * len(data.enterprises),
                         strict=True))
        fig = programme_figure(spreads, data.names, title=title, output_units=units)
        return _chart("programme", fig, alt)


__all__ = ["PNG_DPI", "before_after_alt", "before_after_figure", "chart_files",
           "enterprise_chart", "png_size", "programme_alt", "programme_chart",
           "programme_figure"]
