"""Figures of the reports: matplotlib charts embedded as PNG, the HTML Likert chart, and the
alt text that says in words what each figure shows."""

from __future__ import annotations

import base64

import numpy as np
import pandas as pd

from ..i18n import gettext as _
from .formatting import day, fmt, fmt_signed, join_words, month_name, with_unit
from .rendering import Html, render
from .wording import PRIVACY_MIN, WAVE_TITLES


def figure_html(fig, alt: str, caption: str = "") -> Html:
    """Embed a matplotlib figure as a PNG ``<figure>`` with alt text and caption.

    The image is declared at the figure's size in CSS pixels (96 per inch), so
    every chart shows its text at the same size; it shrinks on narrow screens.
    """
    return picture_html(png_image(fig), alt, caption)


def png_image(fig) -> dict:
    """A figure drawn once as an embeddable PNG: ``src`` (data URI), ``width``, ``height``."""
    from .charts import png_bytes

    data = base64.b64encode(png_bytes(fig)).decode("ascii")
    width, height = (round(v * 96) for v in fig.get_size_inches())
    return {"src": "data:image/png;base64," + data, "width": width, "height": height}


def picture_html(image: dict, alt: str, caption: str = "") -> Html:
    """The ``<figure>`` of an image made by :func:`png_image`, with alt text and caption."""
    return render("figure.html", alt=alt, caption=caption, **image)


def visits_of(milestones: pd.DataFrame) -> list[pd.Timestamp]:
    """The dates of the factory visits (``visit_<n>`` milestones), in order."""
    if milestones.empty:
        return []
    sub = milestones[milestones["milestone"].astype(str).str.fullmatch(r"visit_\d+")]
    return sorted(pd.Timestamp(d) for d in sub["date"])


def kpi_alt(lines: pd.DataFrame, *, label: str, unit: str, intervention_month: str,
            lebaran: list[str], visits: list[pd.Timestamp]) -> str:
    """Alt text of a KPI chart: what it shows, in numbers."""
    months = sorted(lines["month"])
    pre = lines[lines["month"] < intervention_month]["observed"]
    post = lines[lines["month"] >= intervention_month]["observed"]
    parts = [_("Chart of {label} by month, {first} to {last}, in {unit}. Monthly values ranged "
               "from {low} to {high}").format(
        label=label, first=month_name(months[0]), last=month_name(months[-1]), unit=unit,
        low=with_unit(lines["observed"].min(), unit),
        high=with_unit(lines["observed"].max(), unit))]
    if len(pre) and len(post):
        parts.append(_("; the mean of the monthly values was {before} before the programme "
                       "start in {start} and {after} after").format(
            before=with_unit(pre.mean(), unit), start=month_name(intervention_month),
            after=with_unit(post.mean(), unit)))
    parts.append(". ")
    if lines["fitted"].notna().any():
        parts.append(_("A fitted segmented trend is drawn before and after the start, and a "
                       "dashed line continues the trend from before the programme. "))
    if lebaran:
        parts.append(_("Lebaran months shaded: {months}. ").format(
            months=join_words([month_name(m) for m in lebaran])))
    if visits:
        parts.append(_("Factory visits marked on {dates}.").format(
            dates=join_words([day(v) for v in visits])))
    return "".join(parts).strip()


def forest_alt(title: str, studies: pd.DataFrame, pooled: pd.Series | None, ratio: bool) -> str:
    """Alt text of a forest plot: every enterprise's estimate and interval, and the pool."""
    def one(e, a, b):
        if ratio:
            return _("{estimate} (95% CI {low} to {high})").format(estimate=fmt(e), low=fmt(a),
                                                                   high=fmt(b))
        return _("{estimate} (95% CI {low} to {high})").format(
            estimate=fmt_signed(e), low=fmt_signed(a), high=fmt_signed(b))

    what = title[:1].lower() + title[1:] if title[1:2].islower() else title
    parts = [(_("Forest plot of {what}: each enterprise's estimate with its 95% CI on a ratio "
                "scale where 1 means no difference.") if ratio else
              _("Forest plot of {what}: each enterprise's estimate with its 95% CI, where 0 "
                "means no difference.")).format(what=what)]
    for r in studies.itertuples(index=False):
        parts.append(f"{r.name}: " + (one(r.estimate, r.ci_low, r.ci_high)
                                      if np.isfinite(r.estimate) else r.note) + ".")
    if pooled is not None:
        parts.append(_("Estimated mean effect: {value}.").format(
            value=one(pooled["estimate"], pooled["ci_low"], pooled["ci_high"])))
    return " ".join(parts)


def likert_chart(shares: pd.DataFrame, *, labels: list[str], panels: list[tuple[str, bool]],
                 alt: str, caption: str = "", minimum: int = PRIVACY_MIN) -> Html:
    """Diverging stacked bars of Likert answers, drawn in HTML and CSS (no image).

    One row per item (in order of first appearance), one bar per survey wave;
    levels below the middle extend left of the centre line, above it right, a
    neutral middle level straddles it.  Segments of at least 12% carry their
    percentage.  A wave whose ``shown`` is False says "fewer than 5
    respondents" instead of a bar.  The chart is text, so it stays sharp at
    any size and prints; ``alt`` describes it for screen readers.

    Parameters
    ----------
    shares : DataFrame
        Columns ``item``, ``panel`` and one column per answer level (in scale
        order) holding the percentage of that item's answers in that wave.
    labels : list of str
        The key's label of each answer level, lowest first.
    panels : list of (wave label, shown)
        The waves in order (e.g. ``("Before", True)``).
    """
    from .charts import diverging_segments, light_text, likert_colours, likert_extent

    levels = [c for c in shares.columns if c not in ("item", "panel")]
    k = len(levels)
    neg, pos = likert_colours(k)
    colours = neg + pos
    extent = likert_extent(shares[levels].to_numpy(float), k)

    def at(value: float) -> str:  # a position on the track, in percent of its width
        return f"{50.0 + 50.0 * value / extent:.3f}%"

    rows = []
    for item in dict.fromkeys(shares["item"]):
        bars = []
        for wave, shown in panels:
            sub = shares[(shares["item"] == item) & (shares["panel"] == wave)]
            pct = sub[levels].to_numpy(float)[0] if len(sub) else np.full(k, np.nan)
            if not shown:
                bars.append({"wave": wave, "note": _("fewer than {n} respondents").format(
                    n=minimum), "segments": []})
            elif not np.isfinite(pct).all():
                bars.append({"wave": wave, "note": _("fewer than {n} answers").format(
                    n=minimum), "segments": []})
            else:
                bars.append({"wave": wave, "note": "", "segments": [
                    {"left": at(left), "width": f"{50.0 * width / extent:.3f}%",
                     "colour": colours[i], "dark": light_text(colours[i]),
                     "text": f"{width:.0f}" if width >= 12 else ""}
                    for i, left, width in diverging_segments(pct)]})
        rows.append({"item": item, "bars": bars})
    ticks = [t for t in (-100, -75, -50, -25, 0, 25, 50, 75, 100) if abs(t) <= extent]
    axis = [{"left": at(t), "text": f"{abs(t)}%",
             "cls": "first" if t == ticks[0] else "last" if t == ticks[-1] else ""}
            for t in ticks]
    key = [{"colour": colours[i], "label": labels[i]} for i in range(k)]
    return render("likert.html", rows=rows, axis=axis, key=key, alt=alt, caption=caption)


def likert_alt(shares: pd.DataFrame, book: pd.DataFrame, sizes: dict[str, int],
               levels: list[str], labels: list[str], *, minimum: int = PRIVACY_MIN) -> str:
    """Alt text of a Likert chart: how many agreed, per wave."""
    half = len(levels) // 2
    parts = [_("Diverging bar chart of {n} survey questions answered on a {points}-point "
               "scale, one panel per survey wave.").format(n=len(book), points=len(levels))]
    for wave, size in sizes.items():
        title = _(WAVE_TITLES[wave]) if wave in WAVE_TITLES else wave
        if size < minimum:
            parts.append(_("{wave}: fewer than {n} respondents, not shown.").format(
                wave=title, n=minimum))
            continue
        sub = shares[(shares["wave"] == wave) & shares["n"].notna()]
        if sub.empty:
            continue
        agree = sub[levels[len(levels) - half:]].sum(axis=1)
        parts.append(_("{wave}: between {low} and {high} of the workers chose {a} or {b}, "
                       "depending on the question.").format(
            wave=title, low=fmt(round(agree.min()), 3) + "%", high=fmt(round(agree.max()), 3) + "%",
            a=labels[-half].lower(), b=labels[-1].lower()))
    return " ".join(parts)
