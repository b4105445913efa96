"""The charts of an enterprise report: monthly indicators, 5S and the worker survey."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ...i18n import N_
from ...i18n import gettext as _
from ..formatting import day
from .base import (
    COMPARISON_DASHES,
    LIKERT_NEGATIVE,
    LIKERT_NEUTRAL,
    LIKERT_POSITIVE,
    MARKERS,
    PALETTE,
    SERIES,
    chart_style,
    literal,
    locale_ticks,
    month_axis,
    month_middle,
    month_start,
    month_year_formatter,
    new_figure,
    wrap,
)

#: The key of the KPI charts, in legend order: element -> label.
KPI_KEY = {"observed": N_("Observed month"), "fitted": N_("Fitted trend"),
           "counterfactual": N_("Trend without the programme"),
           "comparison": N_("Comparison enterprises, scaled to this enterprise's level before "
                            "the programme"),
           "eid": N_("Lebaran month"),
           "intervention": N_("Programme start"), "visit": N_("Factory visit")}


def kpi_key_labels() -> dict[str, str]:
    """The key of the KPI charts in the current language (element -> label)."""
    return {k: _(v) for k, v in KPI_KEY.items()}


def kpi_figure(lines: pd.DataFrame, *, title: str | None, unit: str | None,
               intervention_month: str, lebaran_months: list[str] = (),
               visits: list[pd.Timestamp] = (), legend: bool = True,
               comparison: pd.DataFrame | None = None):
    """Monthly values of one indicator as in Lopez Bernal et al. (2017, Fig. 2).

    Observed months as points; the fitted segmented trend as solid lines before
    and after the programme; the counterfactual (the pre-programme trend
    continued) as a dashed line after it; the programme start, the factory
    visits and the Lebaran months marked; with a comparison group, the comparison
    series as a dash-dot line with open squares (Lopez Bernal, Cummins & Gasparrini
    2018, Fig. 1).

    Parameters
    ----------
    lines : DataFrame
        One indicator's rows of ``kpi_lines``: ``month``, ``observed``,
        ``fitted``, ``counterfactual`` (the last two blank when the segmented
        model could not be fitted).
    legend : bool
        Draw the key in the figure; a page that shows several of these charts
        can give one key for all of them instead (:data:`KPI_KEY`).
    comparison : DataFrame, optional
        The indicator's comparison series (``month``, ``comparison``: scaled to the
        enterprise's level before the programme,
        :func:`score_analysis.stats.cits_lines.comparison_lines`); not drawn when
        absent or blank.
    """
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    lines = lines.sort_values("month")
    x = month_middle(lines["month"])
    start = month_start([intervention_month])[0]
    post = np.asarray(lines["month"] >= intervention_month)
    with chart_style():
        fig, ax = new_figure(6.6, 3.5)
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
        shown = _comparison_points(comparison)
        if shown is not None:
            ax.plot(month_middle(shown["month"]), shown["comparison"].to_numpy(float),
                    color=PALETTE["comparison"], lw=1.6, ls=COMPARISON_DASHES, marker="s",
                    ms=3.5, mfc="white", mew=1.1, zorder=2)
            handles.append(Line2D([], [], color=PALETTE["comparison"], lw=1.6,
                                  ls=COMPARISON_DASHES, marker="s", ms=3.5, mfc="white",
                                  label=_(KPI_KEY["comparison"])))
        if title:
            ax.set_title(literal(title))
        if unit:
            ax.set_ylabel(literal(unit))
        ax.yaxis.set_major_formatter(locale_ticks())
        month_axis(ax)
        observed = lines["observed"].to_numpy(float)
        low, high = np.nanmin(observed), np.nanmax(observed)
        if low >= 0 and low < 0.5 * high:  # near zero anyway: show the zero line
            ax.set_ylim(bottom=0)
        if legend:
            ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.14),
                      ncol=2 if shown is not None else 3,
                      handlelength=1.8, columnspacing=1.2)
    return fig


def _comparison_points(comparison: pd.DataFrame | None) -> pd.DataFrame | None:
    """The months of the comparison series with a value, in order (None: nothing to draw)."""
    if comparison is None or len(comparison) == 0 or "comparison" not in comparison:
        return None
    shown = comparison[np.isfinite(comparison["comparison"].to_numpy(float))]
    return shown.sort_values("month") if len(shown) else None


# --------------------------------------------------------------------------- 5S

PILLAR_LABELS = {"sort": N_("Sort"), "set_in_order": N_("Set in order"), "shine": N_("Shine"),
                 "standardize": N_("Standardize"), "sustain": N_("Sustain")}


def pillar_name(pillar: str) -> str:
    """The name of a 5S pillar in the current language."""
    return _(PILLAR_LABELS[pillar]) if pillar in PILLAR_LABELS else pillar.replace("_", " ")


def _audit_label(visit: object, date: object) -> str:
    from ..wording.names import visit_label

    when = day(date)
    name = visit_label(visit)
    return f"{name}, {when}" if name else when


def five_s_pillar_figure(pillars: pd.DataFrame):
    """Grouped bars: the score of each 5S pillar (0-100) at each audit.

    ``pillars`` is one enterprise's rows of ``five_s_pillars``.
    """
    from ...data.contract import PILLARS

    audits = (pillars[["audit_date", "visit"]].drop_duplicates()
              .sort_values("audit_date").reset_index(drop=True))
    n = len(audits)
    blues = _sequential(n)
    width = 0.8 / max(n, 1)
    with chart_style():
        fig, ax = new_figure(6.6, 3.4)
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
    with chart_style():
        fig, ax = new_figure(6.6, 3.4 if len(ents) > 1 else 3.0)
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
        ax.xaxis.set_major_formatter(month_year_formatter())
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
    with chart_style():
        fig, (a1, a2) = new_figure(8.0, 1.2 + 0.55 * len(rows), ncols=2, sharey=True,
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

