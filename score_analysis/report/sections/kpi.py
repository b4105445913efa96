"""The monthly indicators: one chart per tracked KPI with its "How robust is this?" table."""

from __future__ import annotations

import pandas as pd

from ...i18n import gettext as _
from ...i18n import ngettext
from ...settings import PLAN, AnalysisSettings
from ...stats.indicators import INDICATORS
from ..answers import Robustness, robustness
from ..figures import kpi_alt, picture_html, png_image, visits_of
from ..formatting import join_words, signed_percent
from ..loading import EnterpriseData, primary_rows
from ..rendering import IMAGE_CACHE_SIZE, BoundedCache, Html, in_each_language, render
from ..wording import (
    EXPLANATIONS,
    estimated,
    family_of,
    indicator_label,
    indicator_unit,
    p_text,
    robustness_name,
    robustness_sentence,
)
from .summary import sentence_of, short_note


def robustness_rows(answer: Robustness | None, settings: AnalysisSettings = PLAN
                    ) -> list[list]:
    """The cells of one indicator's "How robust is this?" table: each analysis, its change
    at the last month (or its naive step), interval, p and whether it has the primary's
    sign (counted rows only)."""
    if answer is None:
        return []
    body = []
    for item in answer.rows:
        r = item.row
        ok = estimated(r)
        same = ("" if item.primary else
                _("not counted") if not item.counted else
                "" if item.agrees is None else _("yes") if item.agrees else _("no"))
        body.append([robustness_name(r["method"], item.primary, settings),
                     signed_percent(r["estimate"]) if ok else short_note(r, settings),
                     _("{a} to {b}").format(a=signed_percent(r["ci_low"]),
                                            b=signed_percent(r["ci_high"]))
                     if ok and signed_percent(r["ci_low"]) else "",
                     p_text(r["p_value"]) if ok else "", same])
    return body


def robustness_verdict(answer: Robustness | None, settings: AnalysisSettings = PLAN) -> str:
    """The sentence under one indicator's "How robust is this?" table."""
    if answer is None:
        return ""
    return robustness_sentence(counted=answer.counted, agreeing=answer.agreeing,
                               consistent=answer.consistent, placebo_p=answer.placebo_p,
                               placebo_unstable=answer.placebo_unstable, settings=settings)


def kpi_key(*, lebaran: bool, visits: bool, comparison: bool = False) -> Html:
    """One key (legend) for all the monthly charts of a page, in HTML: the same labels,
    colours and line styles as the charts (``charts.kpi_key_labels``, ``charts.PALETTE``);
    the comparison series only when a chart draws it."""
    from ..charts import kpi_key_labels

    labels = kpi_key_labels()
    shown = [(k, labels[k]) for k in labels if (k != "eid" or lebaran)
             and (k != "visit" or visits) and (k != "comparison" or comparison)]
    return render("sections/kpi_key.html", items=shown)


def comparison_lines_of(data: EnterpriseData, indicator: str) -> pd.DataFrame:
    """One indicator's comparison series of the page (``month``, ``comparison``: scaled to
    the enterprise's level before the programme), only its months with a value; empty
    without a comparison group."""
    comp = data.comparison
    if comp.empty or "indicator" not in comp:
        return pd.DataFrame(columns=["month", "comparison"])
    own = comp[(comp["indicator"] == indicator) & comp["comparison"].notna()]
    return own[["month", "comparison"]].sort_values("month").reset_index(drop=True)


def comparison_alt(comparison: pd.DataFrame, *, unit: str, intervention_month: str,
                   members: int) -> str:
    """The sentence of a chart's alt text about its comparison series (empty without one)."""
    from ..formatting import with_unit

    if comparison.empty:
        return ""
    after = comparison[comparison["month"] >= intervention_month]["comparison"]
    before = comparison[comparison["month"] < intervention_month]["comparison"]
    if not len(before) or not len(after):
        return ""
    return ngettext("A dash-dot line shows the comparison series of {n} enterprise that did "
                    "not take part, scaled to this enterprise's level before the programme: "
                    "its mean was {before} before the start and {after} after.",
                    "A dash-dot line shows the comparison series of {n} enterprises that did "
                    "not take part, scaled to this enterprise's level before the programme: "
                    "its mean was {before} before the start and {after} after.",
                    members).format(n=members, before=with_unit(before.mean(), unit),
                                    after=with_unit(after.mean(), unit))


#: Drawings of monthly charts by content and by the labels of their axes (months and numbers
#: in the page's language): languages whose labels read the same share one drawing.
_KPI_IMAGES = BoundedCache(IMAGE_CACHE_SIZE)


def _kpi_image(lines: pd.DataFrame, *, start: str, lebaran: list[str],
               visits: list[pd.Timestamp], comparison: pd.DataFrame | None = None) -> dict:
    """The PNG of one monthly chart, drawn once for all the languages whose axis labels read
    the same (``12`` does; ``12.5`` and ``12,5`` do not, nor ``Oct`` and ``Okt``)."""
    from ..charts import kpi_figure, tick_labels

    fig = kpi_figure(lines, title=None, unit=None, intervention_month=start,
                     lebaran_months=lebaran, visits=visits, legend=False,
                     comparison=comparison)
    cols = ["month", "observed", "fitted", "counterfactual"]
    drawn = (tuple(map(tuple, comparison[["month", "comparison"]].astype(str).to_numpy()))
             if comparison is not None and len(comparison) else ())
    key = (tuple(map(tuple, lines[cols].astype(str).to_numpy())), start, tuple(lebaran),
           tuple(str(v) for v in visits), drawn, tick_labels(fig.axes[0].yaxis),
           tick_labels(fig.axes[0].xaxis))
    return _KPI_IMAGES.get(key, lambda: png_image(fig))


@in_each_language
def kpi_charts(data: EnterpriseData) -> Html:
    """Section 3: one chart per tracked KPI, as in Lopez Bernal et al. (2017), each with its
    "How robust is this?" table.  Title and unit are above each chart in the page, its
    axes are labelled in the page's language."""

    start = data.enterprise["intervention_month"]
    visits = visits_of(data.milestones)
    lebaran_any = (not data.monthly.empty and "eid" in data.monthly
                   and bool((data.monthly["eid"] == 1).any()))
    settings = data.settings
    family = family_of(data.results, settings)
    prim = primary_rows(data.results)
    panels, untracked = [], []
    members = len(data.comparison_names)
    any_comparison = False
    for name in INDICATORS:
        label = indicator_label("kpi", name)
        lines = data.lines[data.lines["indicator"] == name] if not data.lines.empty else []
        if len(lines) == 0:
            untracked.append(label)
            continue
        monthly = data.monthly[data.monthly["indicator"] == name] if not data.monthly.empty \
            else pd.DataFrame(columns=["month", "eid"])
        lebaran = sorted(monthly.loc[monthly["eid"] == 1, "month"]) if "eid" in monthly else []
        unit = indicator_unit(name, data.enterprise.get("output_unit"))
        comparison = comparison_lines_of(data, name)
        any_comparison = any_comparison or not comparison.empty
        image = _kpi_image(lines, start=start, lebaran=lebaran, visits=visits,
                           comparison=comparison)
        own = prim[prim["indicator"] == name] if not prim.empty else prim
        row = own.iloc[0] if len(own) else None
        # the summary above explains the family, the exact comparison and what is
        # exploratory: the captions say each briefly
        caption = (sentence_of(data, row, family=family, said=set(EXPLANATIONS))
                   if row is not None else "")
        answer = robustness(data.results, name, settings)
        panels.append({"label": label, "indicator": name,
                       "unit": unit,
                       "figure": picture_html(image, " ".join(filter(None, (kpi_alt(
                           lines, label=label.lower(), unit=unit, intervention_month=start,
                           lebaran=lebaran, visits=visits), comparison_alt(
                           comparison, unit=unit, intervention_month=start,
                           members=members)))), caption),
                       "robust_cells": robustness_rows(answer, settings),
                       "robust_sentence": robustness_verdict(answer, settings)})
    return render("sections/kpi.html", key=kpi_key(lebaran=lebaran_any, visits=bool(visits),
                                                    comparison=any_comparison),
                  panels=panels, untracked=join_words(untracked),
                  design=design_paragraph(data, charted=any_comparison))


def design_paragraph(data: EnterpriseData, *, charted: bool) -> str:
    """What the monthly charts compare, and what that can and cannot rule out: with a
    comparison group (the comparison series drawn, the controlled estimate primary where it
    could be estimated) or without one."""
    if not data.controlled:
        if not data.settings.comparison_group:
            return _("This run left the comparison group out (a setting of the analysis): "
                     "each enterprise is compared with its own past only, which cannot tell "
                     "the programme apart from anything else that changed at the same time.")
        return _("No comparison group was available: the data hold no enterprise that did "
                 "not take part in the programme, or had not started it yet. Each enterprise "
                 "is compared with its own past only, which cannot tell the programme apart "
                 "from anything else that changed at the same time, in this enterprise or in "
                 "every enterprise at once (such as the ASEAN-China free-trade agreement, in force "
                 "from 2010).")
    text = _("Where a comparison group was available, the main estimate compares the "
             "enterprise with its own trend before the programme and with the comparison "
             "enterprises over the same months (a controlled interrupted time series). This "
             "rules out changes that hit every enterprise in the same months, such as a change "
             "in demand or the ASEAN-China free-trade agreement of 2010; it cannot rule out a "
             "change in this enterprise alone at the same time, such as a new machine, a new "
             "manager or a large order.")
    if charted:
        text += " " + _("The dash-dot line is the comparison series, scaled to this "
                        "enterprise's level before the programme: where the two lines part "
                        "after the start, the enterprise moved differently from the "
                        "comparison enterprises.")
    return text
