"""The common ground of the charts: palette, style, figure making, month and number ticks
in the page's language, and the PNG output."""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from contextlib import contextmanager

import pandas as pd

#: Okabe-Ito colours (Okabe & Ito 2008, "Color universal design").
OKABE_ITO = ("#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7",
             "#000000")
PALETTE = {"observed": "#0072B2", "fitted": "#D55E00", "counterfactual": "#333333",
           "intervention": "#009E73", "visit": "#CC79A7", "eid": "#E69F00",
           "before": "#999999", "after": "#0072B2", "pooled": "#000000",
           "comparison": "#56B4E9"}
#: The line style of the comparison series (dash-dot: apart from the dashed counterfactual
#: and the dotted visits also without colour).
COMPARISON_DASHES = (0, (6, 2, 1.5, 2))
#: Series colours for enterprises or audits, in order (Okabe-Ito without yellow).
SERIES = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")
MARKERS = ("o", "s", "^", "D", "v", "P", "X")
#: Diverging Likert colours, most negative to most positive (neutral grey in the middle).
LIKERT_NEGATIVE = ("#A6440A", "#D55E00", "#E69F00")
LIKERT_NEUTRAL = "#BBBBBB"
LIKERT_POSITIVE = ("#56B4E9", "#0072B2", "#004D7A")

STYLE = {
    "font.size": 10.5, "axes.titlesize": 11.5, "axes.titleweight": "bold",
    "axes.titlelocation": "left", "axes.labelsize": 10, "axes.spines.top": False,
    "axes.spines.right": False, "axes.edgecolor": "#57606a", "axes.labelcolor": "#1b1f24",
    "xtick.color": "#57606a", "ytick.color": "#57606a", "xtick.labelcolor": "#1b1f24",
    "ytick.labelcolor": "#1b1f24", "legend.frameon": False, "legend.fontsize": 9,
    "axes.grid": True, "grid.color": "#e6e9ec", "grid.linewidth": 0.8,
    "axes.axisbelow": True, "svg.fonttype": "path", "text.usetex": False,
}


@contextmanager
def chart_style() -> Iterator[None]:
    import matplotlib

    with matplotlib.rc_context(STYLE):
        yield


def light_text(fill: str) -> bool:
    """Whether white text contrasts more than black with the fill ``"#rrggbb"``.

    WCAG 2.1 contrast ratio (L1 + 0.05) / (L2 + 0.05), with relative luminance
    L = 0.2126 R + 0.7152 G + 0.0722 B of the linearised sRGB channels: white on
    the fill gives 1.05 / (L + 0.05), black (L + 0.05) / 0.05.  The better of the
    two is at least 4.58 for any fill, above the 4.5 of WCAG AA for small text.

    References: W3C, Web Content Accessibility Guidelines 2.1, definitions of
    "contrast ratio" and "relative luminance".
    """
    rgb = [int(fill[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    lum = 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]
    return 1.05 / (lum + 0.05) > (lum + 0.05) / 0.05


#: Resolution of the embedded PNG figures: 1.5 image pixels per CSS pixel (sharp on
#: high-density screens and in print).
FIGURE_DPI = 144


def png_bytes(fig, dpi: float = FIGURE_DPI) -> bytes:
    """The figure as PNG, laid out once and drawn once.

    With a layout engine set, matplotlib's ``savefig`` first draws a dry run
    and then the figure, running the constrained layout in both; here the
    layout is computed once at the saving resolution and frozen, so the figure
    is drawn once (the pixels are the same).
    """
    import io

    engine = fig.get_layout_engine()
    if engine is not None and type(engine).__name__ == "ConstrainedLayoutEngine":
        fig.set_dpi(dpi)
        engine.execute(fig)
        fig.set_layout_engine(None)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, metadata={"Software": None})
    return buf.getvalue()


def new_figure(width: float, height: float, **subplots):
    """A new figure outside pyplot's registry, and its axes."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), layout="constrained")
    axes = fig.subplots(**subplots)
    return fig, axes


def literal(text: object) -> str:
    """Text from the data made safe for matplotlib: ``$`` is shown, never parsed as math."""
    return str(text).replace("$", r"\$")


def wrap(text: object, width: int = 38, lines: int = 2) -> str:
    """Wrap a label to at most ``lines`` lines of ``width`` characters (then an ellipsis)."""
    parts = textwrap.wrap(str(text), width) or [""]
    if len(parts) > lines:
        parts = parts[:lines]
        parts[-1] = parts[-1][: width - 1].rstrip() + "…"
    return "\n".join(parts)


def month_start(months: pd.Series | list[str]) -> pd.DatetimeIndex:
    """``YYYY-MM`` strings as the first day of each month."""
    return pd.PeriodIndex(list(months), freq="M").to_timestamp()


def month_middle(months: pd.Series | list[str]) -> pd.DatetimeIndex:
    """``YYYY-MM`` strings as the 15th of each month (where a monthly point is drawn)."""
    return month_start(months) + pd.Timedelta(days=14)


def month_axis(ax) -> None:
    """Month ticks labelled ``Jan``/``2009`` and ``Jul``/``2009`` in the page's language, with
    unlabelled ticks at April and October.  January and July are spelled alike in English
    and Indonesian, so the pages of both languages share one drawing."""
    import matplotlib.dates as mdates

    ax.xaxis.set_major_locator(mdates.MonthLocator(bymonth=(1, 7)))
    ax.xaxis.set_minor_locator(mdates.MonthLocator(bymonth=(4, 10)))
    ax.xaxis.set_major_formatter(month_year_formatter())


def month_year_formatter():
    """Tick labels ``Mar`` over ``2010`` in the page's language."""
    import matplotlib.dates as mdates
    from babel.dates import format_date
    from matplotlib.ticker import FuncFormatter

    from ...i18n import current_language

    def label(value, _pos=None):
        date = mdates.num2date(value).date()
        return format_date(date, "MMM", locale=current_language()) + f"\n{date.year}"

    return FuncFormatter(label)


def locale_number(value: float, decimals: int | None = None) -> str:
    """A tick value in the current language's notation (``12.5`` / ``12,5``; ``−`` for minus),
    with ``decimals`` decimals or as few as it needs."""
    from babel.numbers import format_decimal

    from ...i18n import current_language

    pattern = "#,##0." + ("0" * decimals if decimals is not None else "###")
    text = format_decimal(round(float(value), 6), format=pattern.rstrip("."),
                          locale=current_language())
    return text.replace("-", "−")


def _tick_decimals(values) -> int:
    """The fewest decimals that tell every tick value apart (at most 4)."""
    out = 0
    for v in values:
        text = f"{float(v):.4f}".rstrip("0")
        out = max(out, len(text.split(".")[1]) if "." in text else 0)
    return out


def locale_ticks():
    """A tick formatter in the current language: every tick with the same number of
    decimals, the language's decimal and grouping marks (read when the figure is drawn)."""
    from matplotlib.ticker import Formatter

    class LocaleNumbers(Formatter):
        def format_ticks(self, values):
            self.set_locs(values)
            decimals = _tick_decimals(values)
            return [locale_number(v, decimals) for v in values]

        def __call__(self, x, pos=None):
            return locale_number(x, _tick_decimals(self.locs) if len(self.locs) else None)

    return LocaleNumbers()


def tick_labels(axis) -> tuple[str, ...]:
    """The labels of an axis's major ticks inside its view, as they will be drawn now."""
    lo, hi = sorted(axis.get_view_interval())
    values = [v for v in axis.get_major_locator()() if lo <= v <= hi]
    return tuple(axis.get_major_formatter().format_ticks(values))



