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
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
import pandas as pd

from ..i18n import N_
from ..i18n import gettext as _

#: Okabe-Ito colours (Okabe & Ito 2008, "Color universal design").
OKABE_ITO = ("#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7",
             "#000000")
PALETTE = {"observed": "#0072B2", "fitted": "#D55E00", "counterfactual": "#333333",
           "intervention": "#009E73", "visit": "#CC79A7", "eid": "#E69F00",
           "before": "#999999", "after": "#0072B2", "pooled": "#000000"}
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
def _style() -> Iterator[None]:
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


def _figure(width: float, height: float, **subplots):
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


def _month_axis(ax, *, numeric: bool = False) -> None:
    import matplotlib.dates as mdates
    from matplotlib.ticker import FuncFormatter

    locator = mdates.MonthLocator(bymonth=(1, 4, 7, 10))
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y-%m") if numeric
                                 else FuncFormatter(_month_tick))


def _month_tick(value: float, _pos=None) -> str:
    """A month tick in the page's language: the year at January, else the short month."""
    import matplotlib.dates as mdates
    from babel.dates import format_date

    from ..i18n import current_language

    day = mdates.num2date(value).date()
    if day.month == 1:
        return str(day.year)
    return format_date(day, "MMM", locale=current_language())


def locale_number(value: float, decimals: int | None = None) -> str:
    """A tick value in the current language's notation (``12.5`` / ``12,5``; ``−`` for minus),
    with ``decimals`` decimals or as few as it needs."""
    from babel.numbers import format_decimal

    from ..i18n import current_language

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


def _short_day(date: object) -> str:
    from .formatting import day

    return day(date)


# --------------------------------------------------------------------------- KPIs


#: The key of the KPI charts, in legend order: element -> label.
KPI_KEY = {"observed": N_("Observed month"), "fitted": N_("Fitted trend"),
           "counterfactual": N_("Trend without the programme"), "eid": N_("Lebaran month"),
           "intervention": N_("Programme start"), "visit": N_("Factory visit")}


def kpi_key_labels() -> dict[str, str]:
    """The key of the KPI charts in the current language (element -> label)."""
    return {k: _(v) for k, v in KPI_KEY.items()}


def kpi_figure(lines: pd.DataFrame, *, title: str | None, unit: str | None,
               intervention_month: str, lebaran_months: list[str] = (),
               visits: list[pd.Timestamp] = (), legend: bool = True):
    """Monthly values of one indicator as in Lopez Bernal et al. (2017, Fig. 2).

    Observed months as points; the fitted segmented trend as solid lines before
    and after the programme; the counterfactual (the pre-programme trend
    continued) as a dashed line after it; the programme start, the factory
    visits and the Lebaran months marked.

    Parameters
    ----------
    lines : DataFrame
        One indicator's rows of ``kpi_lines``: ``month``, ``observed``,
        ``fitted``, ``counterfactual`` (the last two blank when the segmented
        model could not be fitted).
    legend : bool
        Draw the key in the figure; a page that shows several of these charts
        can give one key for all of them instead (:data:`KPI_KEY`).
    """
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    lines = lines.sort_values("month")
    x = month_middle(lines["month"])
    start = month_start([intervention_month])[0]
    post = np.asarray(lines["month"] >= intervention_month)
    with _style():
        fig, ax = _figure(6.6, 3.5)
        handles = []
        for m in sorted(set(lebaran_months)):
            m0 = month_start([m])[0]
            ax.axvspan(m0, m0 + pd.offsets.MonthBegin(1), color=PALETTE["eid"], alpha=0.22,
                       lw=0, zorder=0)
        if len(lebaran_months):
            handles.append(Patch(color=PALETTE["eid"], alpha=0.35, label=_(KPI_KEY["eid"])))
        ax.axvline(start, color=PALETTE["intervention"], lw=2, zorder=1)
        handles.append(Line2D([], [], color=PALETTE["intervention"], lw=2,
                              label=_(KPI_KEY["intervention"])))
        for v in visits:
            ax.axvline(v, color=PALETTE["visit"], lw=1.3, ls=":", zorder=1)
        if len(visits):
            handles.append(Line2D([], [], color=PALETTE["visit"], lw=1.3, ls=":",
                                  label=_(KPI_KEY["visit"])))
        ax.plot(x, lines["observed"], "o", color=PALETTE["observed"], ms=4.5, zorder=3)
        handles.insert(0, Line2D([], [], color=PALETTE["observed"], marker="o", ls="",
                                 ms=4.5, label=_(KPI_KEY["observed"])))
        fitted = lines["fitted"].to_numpy(float)
        if np.isfinite(fitted).any():
            for part in (~post, post):
                ax.plot(x[part], fitted[part], "-", color=PALETTE["fitted"], lw=2, zorder=2)
            counter = lines["counterfactual"].to_numpy(float)
            # start the dashed line at the last month before, so it joins the pre trend
            before = np.flatnonzero(~post)
            show = post.copy()
            if len(before):
                show[before[-1]] = True
            ax.plot(x[show], counter[show], "--", color=PALETTE["counterfactual"], lw=1.6,
                    zorder=2)
            handles[1:1] = [Line2D([], [], color=PALETTE["fitted"], lw=2,
                                   label=_(KPI_KEY["fitted"])),
                            Line2D([], [], color=PALETTE["counterfactual"], lw=1.6, ls="--",
                                   label=_(KPI_KEY["counterfactual"]))]
        if title:
            ax.set_title(literal(title))
        if unit:
            ax.set_ylabel(literal(unit))
        ax.yaxis.set_major_formatter(locale_ticks())
        # without a title and a unit the picture holds no words: numeric month ticks
        # (2010-04) keep it the same in every language, so one drawing serves every page
        _month_axis(ax, numeric=not (title or unit))
        observed = lines["observed"].to_numpy(float)
        low, high = np.nanmin(observed), np.nanmax(observed)
        if low >= 0 and low < 0.5 * high:  # near zero anyway: show the zero line
            ax.set_ylim(bottom=0)
        if legend:
            ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=3,
                      handlelength=1.8, columnspacing=1.2)
    return fig


# --------------------------------------------------------------------------- 5S

PILLAR_LABELS = {"sort": N_("Sort"), "set_in_order": N_("Set in order"), "shine": N_("Shine"),
                 "standardize": N_("Standardize"), "sustain": N_("Sustain")}


def pillar_name(pillar: str) -> str:
    """The name of a 5S pillar in the current language."""
    return _(PILLAR_LABELS[pillar]) if pillar in PILLAR_LABELS else pillar.replace("_", " ")


def _audit_label(visit: object, date: object) -> str:
    day = _short_day(date)
    name = str(visit).replace("_", " ").capitalize() if isinstance(visit, str) and visit else ""
    return f"{name}, {day}" if name else day


def five_s_pillar_figure(pillars: pd.DataFrame):
    """Grouped bars: the score of each 5S pillar (0-100) at each audit.

    ``pillars`` is one enterprise's rows of ``five_s_pillars``.
    """
    from ..data.contract import PILLARS

    audits = (pillars[["audit_date", "visit"]].drop_duplicates()
              .sort_values("audit_date").reset_index(drop=True))
    n = len(audits)
    blues = _sequential(n)
    width = 0.8 / max(n, 1)
    with _style():
        fig, ax = _figure(6.6, 3.4)
        for i, a in audits.iterrows():
            sub = pillars[pillars["audit_date"] == a["audit_date"]].set_index("pillar")
            values = [sub["score"].get(p, np.nan) for p in PILLARS]
            xs = np.arange(len(PILLARS)) + (i - (n - 1) / 2) * width
            ax.bar(xs, values, width * 0.92, color=blues[i], edgecolor="white", lw=0.5,
                   label=literal(_audit_label(a["visit"], a["audit_date"])))
        ax.set_xticks(np.arange(len(PILLARS)), [wrap(pillar_name(p), 8, 2) for p in PILLARS])
        ax.set_ylim(0, 100)
        ax.set_ylabel(_("Score (percent of the maximum)"))
        ax.set_title(_("5S pillar scores at each audit"))
        ax.grid(axis="x", visible=False)
        fig.legend(loc="outside lower center", ncol=min(n, 2))
    return fig


def _month_year_formatter():
    """Tick labels ``Mar\\n2010`` in the page's language."""
    import matplotlib.dates as mdates
    from babel.dates import format_date
    from matplotlib.ticker import FuncFormatter

    from ..i18n import current_language

    def label(value, _pos=None):
        day = mdates.num2date(value).date()
        return format_date(day, "MMM", locale=current_language()) + f"\n{day.year}"

    return FuncFormatter(label)


def _sequential(n: int) -> list[str]:
    """``n`` blues from light to dark (single hue: readable in grey and by colour-blind readers)."""
    from matplotlib.colors import LinearSegmentedColormap

    cmap = LinearSegmentedColormap.from_list("blues", ["#b9d8ef", "#0072B2", "#00263d"])
    if n <= 1:
        return ["#0072B2"]
    return [cmap(v) for v in np.linspace(0.0, 0.85, n)]


def five_s_index_figure(index: pd.DataFrame, names: dict[str, str] | None = None):
    """The 5S index (0-100) across audits: one line per enterprise.

    ``index`` holds rows of ``five_s_index``; ``names`` maps enterprise ids to
    the names shown in the legend (one enterprise: no legend).  With more
    enterprises than there are distinct series (:data:`SERIES`), a legend could
    not tell them apart: the lines are drawn thin and grey, without a legend.
    """
    import matplotlib.dates as mdates

    ents = list(dict.fromkeys(index["enterprise_id"]))
    many = len(ents) > len(SERIES)
    with _style():
        fig, ax = _figure(6.6, 3.4 if len(ents) > 1 else 3.0)
        for i, (eid, sub) in enumerate(index.groupby("enterprise_id", sort=False)):
            sub = sub.sort_values("audit_date")
            x = pd.to_datetime(sub["audit_date"])
            if many:
                ax.plot(x, sub["five_s_index"], color="#57606a", lw=0.8, alpha=0.6,
                        marker="o", ms=2)
                continue
            label = literal((names or {}).get(eid, eid))
            ax.plot(x, sub["five_s_index"], marker=MARKERS[i % len(MARKERS)],
                    color=SERIES[i % len(SERIES)], lw=2, ms=6, label=label)
            if len(ents) == 1:
                for xi, yi in zip(x, sub["five_s_index"], strict=True):
                    if np.isfinite(yi):
                        ax.annotate(f"{yi:.0f}", (xi, yi), textcoords="offset points",
                                    xytext=(0, 7), ha="center", fontsize=9)
        ax.set_ylim(0, 100)
        ax.set_ylabel(_("5S index (0-100)"))
        ax.set_title(_("5S index at each audit: {n} enterprises, one line each").format(
            n=len(ents)) if many else _("5S index at each audit"))
        ax.xaxis.set_major_locator(mdates.AutoDateLocator(minticks=3, maxticks=8)
                                   if many else mdates.MonthLocator(bymonth=(1, 3, 5, 7, 9, 11)))
        ax.xaxis.set_major_formatter(_month_year_formatter())
        if 1 < len(ents) and not many:
            fig.legend(loc="outside lower center", ncol=3)
    return fig


# --------------------------------------------------------------------------- survey


def likert_extent(pct: np.ndarray, k: int) -> float:
    """Half-width of the x axis: the longest bar side, rounded up to 25%."""
    if not len(pct):
        return 100.0
    half = k // 2
    mid = pct[:, half] / 2 if k % 2 else 0.0
    left = np.nansum(pct[:, :half], axis=1) + mid
    right = np.nansum(pct[:, k - half:], axis=1) + mid
    longest = np.nanmax(np.concatenate([left, right, [1.0]]))
    return float(min(100.0, 25.0 * np.ceil(longest / 25.0)))


def likert_colours(k: int) -> tuple[list[str], list[str]]:
    half = k // 2
    neg = list(LIKERT_NEGATIVE[-half:]) if half <= 3 else _ramp("#A6440A", "#F5C89A", half)
    pos = list(LIKERT_POSITIVE[:half]) if half <= 3 else _ramp("#9ACBEB", "#004D7A", half)
    middle = [LIKERT_NEUTRAL] if k % 2 else []
    return neg + middle, pos


def _ramp(a: str, b: str, n: int) -> list[str]:
    from matplotlib.colors import LinearSegmentedColormap, to_hex

    cmap = LinearSegmentedColormap.from_list("ramp", [a, b])
    return [to_hex(cmap(v)) for v in np.linspace(0, 1, n)]


def diverging_segments(pct: np.ndarray) -> list[tuple[int, float, float]]:
    """The segments of one diverging Likert bar as ``(level, left, width)`` in percent
    of answers: levels below the middle to the left of zero, above it to the right, a
    neutral middle level split across zero; empty levels left out."""
    k = len(pct)
    half = k // 2
    left = -(pct[:half].sum() + (pct[half] / 2 if k % 2 else 0.0))
    out = []
    for i, p in enumerate(pct):
        if p > 0:
            out.append((i, float(left), float(p)))
        left += p
    return out


def construct_figure(rows: pd.DataFrame, *, scale: tuple[float, float]):
    """Survey constructs: mean before and after (left) and the change with its
    95% interval (right).

    ``rows`` holds one t-test row of ``results`` per construct (``indicator``,
    ``pre_value``, ``post_value``, ``estimate``, ``ci_low``, ``ci_high``,
    ``method``), already filtered to shown (not suppressed) constructs.
    """
    rows = rows.reset_index(drop=True)
    names = [literal(str(i)) for i in (rows["label"] if "label" in rows else
                                       [str(i).replace("_", " ").capitalize()
                                        for i in rows["indicator"]])]
    y = np.arange(len(rows))[::-1]
    with _style():
        fig, (a1, a2) = _figure(8.0, 1.2 + 0.55 * len(rows), ncols=2, sharey=True,
                                width_ratios=[1.1, 1])
        for yi, r in zip(y, rows.itertuples(index=False), strict=True):
            a1.plot([r.pre_value, r.post_value], [yi, yi], color="#8c959f", lw=1.5, zorder=1)
        a1.plot(rows["pre_value"], y, "o", mfc="white", mec=PALETTE["before"], mew=2, ms=8,
                label=_("Before (baseline)"), zorder=2)
        a1.plot(rows["post_value"], y, "o", color=PALETTE["after"], ms=8,
                label=_("After (follow-up)"), zorder=3)
        a1.set_xlim(scale[0], scale[1])
        a1.xaxis.set_major_formatter(locale_ticks())
        a1.set_yticks(y, names)
        a1.set_title(_("Mean score"))
        a1.set_xlabel(_("Score ({low} = lowest, {high} = highest)").format(
            low=f"{scale[0]:g}", high=f"{scale[1]:g}"))
        a1.legend(loc="upper center", bbox_to_anchor=(0.5, -0.28), ncol=2)
        a2.axvline(0, color="#57606a", lw=1)
        a2.errorbar(rows["estimate"], y,
                    xerr=[rows["estimate"] - rows["ci_low"], rows["ci_high"] - rows["estimate"]],
                    fmt="s", color=PALETTE["after"], ecolor="#1b1f24", capsize=4, ms=7)
        a2.set_title(_("Change (95% CI)"))
        a2.set_xlabel(_("After minus before (score points)"))
        a2.set_ylim(-0.7, len(rows) - 0.3)
        a2.xaxis.set_major_formatter(locale_ticks())
    return fig


# --------------------------------------------------------------------------- synthesis


#: Above this many enterprises a forest plot no longer labels each row: the rows are
#: sorted by estimate and drawn thin (a caterpillar plot), at a bounded height.
MANY_ROWS = 30


def many_rows(n: int) -> bool:
    """Whether ``n`` enterprises are drawn as a caterpillar plot (see :data:`MANY_ROWS`)."""
    return n > MANY_ROWS


def _caterpillar(studies: pd.DataFrame) -> pd.DataFrame:
    """The estimable rows sorted by estimate (largest at the top once drawn)."""
    est = studies[np.isfinite(studies["estimate"].to_numpy(float))]
    return est.sort_values("estimate", ascending=False, kind="stable").reset_index(drop=True)


def _intervals(ax, rows: pd.DataFrame, y: np.ndarray, lo: float, hi: float, *,
               lw: float, ms: float) -> None:
    """Each row's interval (one line collection), estimate (one marker line) and an
    arrow where the interval runs past the axis."""
    est = rows["estimate"].to_numpy(float)
    a = rows["ci_low"].to_numpy(float)
    b = rows["ci_high"].to_numpy(float)
    ok = np.isfinite(est)
    ax.hlines(y[ok], np.clip(a[ok], lo, hi), np.clip(b[ok], lo, hi), color="#1b1f24", lw=lw)
    for past, edge, marker in ((ok & (a < lo), lo, "<"), (ok & (b > hi), hi, ">")):
        if past.any():
            ax.plot(np.full(past.sum(), edge), y[past], ls="none", marker=marker,
                    color="#1b1f24", ms=ms)
    ax.plot(est[ok], y[ok], ls="none", marker="s", color=SERIES[0], ms=ms)


def forest_figure(studies: pd.DataFrame, pooled: pd.Series | None, *, title: str,
                  ratio: bool, xlabel: str, subtitle: str = ""):
    """A forest plot: each enterprise's estimate and 95% CI, and the pooled estimate.

    Parameters
    ----------
    studies : DataFrame
        ``name``, ``estimate``, ``ci_low``, ``ci_high`` (one row per enterprise;
        a row with a blank estimate is listed with its ``note`` instead).
    pooled : Series or None
        The pooled row (``estimate``, ``ci_low``, ``ci_high``), drawn as a
        diamond; None when it was not pooled.
    ratio : bool
        Ratios are drawn on a log axis around 1, differences around 0.

    With more than :data:`MANY_ROWS` enterprises the rows are not labelled: the
    estimable ones are sorted by estimate and drawn thin, at a bounded height
    (a caterpillar plot), and the y axis says how many are shown.
    """
    studies = studies.reset_index(drop=True)
    many = many_rows(len(studies))
    if many:
        total, studies = len(studies), _caterpillar(studies)
    n = len(studies)
    rows = n + (1 if pooled is not None else 0)
    null = 1.0 if ratio else 0.0
    vals = pd.concat([studies[["estimate", "ci_low", "ci_high"]].stack(),
                      pd.Series([] if pooled is None else
                                [pooled["estimate"], pooled["ci_low"], pooled["ci_high"]],
                                dtype=float)]).to_numpy(float)
    vals = vals[np.isfinite(vals)]
    lo, hi = _forest_limits(vals, ratio=ratio)
    # many rows: a gap of one row between the enterprises and the pooled diamond
    y = (n + 1.0 if many else rows - 1.0) - np.arange(n, dtype=float)
    with _style():
        fig, ax = _figure(5.4, min(2.4 + 0.06 * rows, 7.0) if many else 1.25 + 0.42 * rows)
        ax.axvline(null, color="#57606a", lw=1)
        if many:
            _intervals(ax, studies, y, lo, hi, lw=0.8, ms=2.5)
        else:
            _intervals(ax, studies, y, lo, hi, lw=1.5, ms=7)
            for i in np.flatnonzero(~np.isfinite(studies["estimate"].to_numpy(float))):
                ax.text(0.5, y[i], literal(studies.at[i, "note"] if "note" in studies
                                           else _("not estimable")),
                        ha="center", va="center", fontsize=8.5, color="#57606a",
                        transform=ax.get_yaxis_transform())
        if pooled is not None:
            e, a, b = pooled["estimate"], pooled["ci_low"], pooled["ci_high"]
            half = 0.6 if many else 0.28
            ax.fill([a, e, b, e], [0, half, 0, -half], color=PALETTE["pooled"])
            ax.axhline(1.0 if many else 0.62, color="#d0d7de", lw=0.8)
        if many:
            ax.set_yticks([0] if pooled is not None else [],
                          [_("Pooled")] if pooled is not None else [])
            ax.set_ylabel(_("{n} of {total} enterprises, sorted by estimate").format(
                n=n, total=total) if n < total else _("{n} enterprises, sorted by estimate")
                .format(n=n))
            ax.set_ylim(-1.2, n + 1.8)
        else:
            labels = [wrap(literal(s), 20, 2) for s in studies["name"]]
            if pooled is not None:
                labels.append(_("Pooled"))
            ax.set_yticks(range(rows)[::-1], labels)
            ax.set_ylim(-0.6, rows - 0.4)
        if ratio:
            ax.set_xscale("log")
            _ratio_ticks(ax, lo, hi)
        ax.set_xlim(lo, hi)
        ax.grid(axis="y", visible=False)
        ax.set_xlabel(literal(xlabel))
        ax.set_title(literal(title))
        if subtitle:
            ax.annotate(literal(subtitle), (0, 1), xycoords="axes fraction", xytext=(0, 5),
                        textcoords="offset points", fontsize=9, color="#57606a",
                        va="bottom")
            ax.set_title(literal(title), pad=20)
    return fig


def _clip(values, lo: float, hi: float) -> list[float]:
    return [min(max(v, lo), hi) for v in values]


def _forest_limits(values: np.ndarray, *, ratio: bool) -> tuple[float, float]:
    """Axis limits that show every interval, capped at 1/20 to 20 for ratios."""
    if ratio:
        vals = values[values > 0]
        lo = min(0.8, vals.min() * 0.9) if len(vals) else 0.5
        hi = max(1.25, vals.max() * 1.1) if len(vals) else 2.0
        return max(lo, 0.05), min(hi, 20.0)
    if not len(values):
        return -1.0, 1.0
    span = max(values.max(), 0) - min(values.min(), 0)
    pad = 0.08 * span if span > 0 else 1.0
    return min(values.min(), 0) - pad, max(values.max(), 0) + pad


def _ratio_ticks(ax, lo: float, hi: float) -> None:
    from matplotlib.ticker import FixedLocator, FuncFormatter, NullLocator

    candidates = [0.05, 0.1, 0.2, 0.25, 0.5, 0.67, 0.8, 1, 1.25, 1.5, 2, 4, 5, 10, 20]
    min_gap = (math.log(hi) - math.log(lo)) / 7  # at most about 7 ticks, never crowded
    chosen = [1.0]
    for side in (sorted(t for t in candidates if 1 < t <= hi),
                 sorted((t for t in candidates if lo <= t < 1), reverse=True)):
        last = 1.0
        for t in side:
            if abs(math.log(t) - math.log(last)) >= min_gap:
                chosen.append(t)
                last = t
    ax.xaxis.set_major_locator(FixedLocator(sorted(chosen)))
    ax.xaxis.set_minor_locator(NullLocator())
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: locale_number(v)))


def survey_changes_figure(panels: list[tuple[str, pd.DataFrame, pd.Series | None]]):
    """Survey construct changes side by side: one small forest plot per construct.

    ``panels`` holds (construct title, studies, pooled) as for
    :func:`forest_figure` (differences), drawn with one shared x axis.  The
    rows line up across panels (one enterprise per row); with more than
    :data:`MANY_ROWS` enterprises each panel is a caterpillar plot instead,
    sorted by its own estimates.
    """
    names = list(dict.fromkeys(n for _t, s, _p in panels for n in s["name"]))
    many = many_rows(len(names))
    rows = len(names) + 1
    vals = np.concatenate([
        np.concatenate([s[["estimate", "ci_low", "ci_high"]].to_numpy(float).ravel(),
                        np.array([] if p is None else
                                 [p["estimate"], p["ci_low"], p["ci_high"]], dtype=float)])
        for _t, s, p in panels]) if panels else np.array([])
    lo, hi = _forest_limits(vals[np.isfinite(vals)], ratio=False)
    ncols = min(len(panels), 2)
    nrows = int(np.ceil(len(panels) / ncols))
    height = min(2.0 + 0.05 * rows, 5.5) if many else 0.9 + 0.36 * rows
    half = 0.6 if many else 0.28
    with _style():
        fig, axes = _figure(8.4, nrows * height + 0.3, nrows=nrows, ncols=ncols,
                            sharex=True, squeeze=False)
        for k, ax in enumerate(axes.ravel()):
            if k >= len(panels):
                ax.set_visible(False)
                continue
            title, studies, pooled = panels[k]
            ax.axvline(0, color="#57606a", lw=1)
            if many:
                shown = _caterpillar(studies)
                y = len(shown) + 1.0 - np.arange(len(shown), dtype=float)
                _intervals(ax, shown, y, lo, hi, lw=0.7, ms=2)
                ax.set_yticks([0], [_("Pooled")])
                ax.axhline(1.0, color="#d0d7de", lw=0.8)
                ax.set_ylim(-1.2, len(shown) + 1.8)
                ax.set_ylabel(_("{n} enterprises, sorted").format(n=len(shown)), fontsize=9)
            else:
                by_name = studies.drop_duplicates("name").set_index("name")
                rows_k = by_name.reindex(names).reset_index()
                y = rows - 1 - np.arange(len(names), dtype=float)
                _intervals(ax, rows_k, y, lo, hi, lw=1.4, ms=6)
                for i in np.flatnonzero(rows_k["name"].isin(by_name.index)
                                        & ~np.isfinite(rows_k["estimate"].to_numpy(float))):
                    ax.text(0.5, y[i], literal(rows_k.at[i, "note"] if "note" in rows_k
                                               else ""),
                            ha="center", va="center", fontsize=8, color="#57606a",
                            transform=ax.get_yaxis_transform(),
                            bbox={"facecolor": "white", "edgecolor": "none", "pad": 1})
                ax.set_yticks(range(rows)[::-1], [wrap(literal(n), 24, 1) for n in names]
                              + [_("Pooled")])
                ax.set_ylim(-0.6, rows - 0.4)
            if pooled is not None and np.isfinite(pooled["estimate"]):
                e, a, b = pooled["estimate"], pooled["ci_low"], pooled["ci_high"]
                ax.fill([a, e, b, e], [0, half, 0, -half], color=PALETTE["pooled"])
            ax.set_xlim(lo, hi)
            ax.xaxis.set_major_formatter(locale_ticks())
            ax.grid(axis="y", visible=False)
            ax.set_title(literal(title), fontsize=10.5)
            if k % ncols and not many:
                ax.tick_params(labelleft=False)
        for ax in axes[-1]:
            ax.set_xlabel(_("Change in score (after − before)"))
    return fig
