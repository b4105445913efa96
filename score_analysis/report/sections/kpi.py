"""The monthly indicators: one chart per tracked KPI with its "How robust is this?" table."""

from __future__ import annotations

import pandas as pd

from ...i18n import current_language, ngettext
from ...i18n import gettext as _
from ...stats.indicators import INDICATORS
from ..figures import (
    kpi_alt,
    picture_html,
    png_image,
    visits_of,
)
from ..formatting import (
    missing,
    signed_percent,
)
from ..loading import EnterpriseData, primary_rows, result_row
from ..rendering import Html, in_each_language, render
from ..wording import (
    ROBUSTNESS_METHODS,
    ROBUSTNESS_NAMES,
    family_size,
    indicator_label,
    indicator_unit,
    p_text,
    summary_sentence,
)
from .summary import short_note, sign_of


def robustness_rows(results: pd.DataFrame, indicator: str) -> list[dict]:
    """The "How robust is this?" rows of one monthly indicator (those in the results)."""
    rows = []
    for method in ROBUSTNESS_METHODS:
        r = result_row(results, indicator, method)
        if r is None:
            continue
        ok = r["status"] == "ok" and not missing(r["estimate"])
        rows.append({"method": method, "name": _(ROBUSTNESS_NAMES[method]),
                     "change": signed_percent(r["estimate"]) if ok else short_note(r),
                     "ci": _("{a} to {b}").format(a=signed_percent(r["ci_low"]),
                                                  b=signed_percent(r["ci_high"]))
                     if ok and not missing(r["ci_low"]) else "",
                     "p": p_text(r["p_value"]) if ok else "",
                     "sign": sign_of(r) if ok else None})
    return rows


def robustness_sentence(rows: list[dict]) -> str:
    """What agreement or disagreement of the sensitivity analyses means, in one sentence."""
    primary = next((r for r in rows if r["method"] == "its_level"), None)
    others = [r for r in rows if r["method"] not in ("its_level", "placebo_level")
              and r["sign"] is not None]
    if primary is None or primary["sign"] is None or not others:
        return _("The other analyses of this indicator could not all be estimated, so its "
                 "robustness cannot be judged from them.")
    same = sum(r["sign"] == primary["sign"] for r in others)
    return ngettext(
        "{same} of {n} other analysis points the same way as the primary step: when they "
        "agree, the result does not hinge on one modelling choice; when they disagree, read "
        "the primary estimate with caution. The placebo step, at a pretend start before the "
        "programme, should be close to no change; a large placebo step means the trend "
        "before the programme was not stable.",
        "{same} of {n} other analyses point the same way as the primary step: when they "
        "agree, the result does not hinge on one modelling choice; when they disagree, read "
        "the primary estimate with caution. The placebo step, at a pretend start before the "
        "programme, should be close to no change; a large placebo step means the trend "
        "before the programme was not stable.", len(others)).format(same=same, n=len(others))


def kpi_key(*, lebaran: bool, visits: bool) -> Html:
    """One key (legend) for all the monthly charts of a page, in HTML: the same labels,
    colours and line styles as the charts (``charts.kpi_key_labels``, ``charts.PALETTE``)."""
    from ..charts import kpi_key_labels

    labels = kpi_key_labels()
    shown = [(k, labels[k]) for k in labels if (k != "eid" or lebaran)
             and (k != "visit" or visits)]
    return render("sections/kpi_key.html", items=shown)


#: Drawings of monthly charts by content (they hold no words, so every language shares one).
_KPI_IMAGES: dict[tuple, dict] = {}


def _kpi_image(lines: pd.DataFrame, *, start: str, lebaran: list[str],
               visits: list[pd.Timestamp]) -> dict:
    """The PNG of one monthly chart, drawn once for all the languages whose numbers on the
    axis read the same (``12`` does; ``12.5`` and ``12,5`` do not)."""
    from ..charts import kpi_figure, tick_labels

    fig = kpi_figure(lines, title=None, unit=None, intervention_month=start,
                     lebaran_months=lebaran, visits=visits, legend=False)
    cols = ["month", "observed", "fitted", "counterfactual"]
    key = (tuple(map(tuple, lines[cols].astype(str).to_numpy())), start, tuple(lebaran),
           tuple(str(v) for v in visits), tick_labels(fig.axes[0].yaxis))
    if key not in _KPI_IMAGES:
        if len(_KPI_IMAGES) > 64:
            _KPI_IMAGES.clear()
        _KPI_IMAGES[key] = png_image(fig)
    return _KPI_IMAGES[key]


@in_each_language
def kpi_charts(data: EnterpriseData) -> Html:
    """Section 3: one chart per tracked KPI, as in Lopez Bernal et al. (2017), each with its
    "How robust is this?" table.  The charts hold no words (title and unit are above them
    in the page), so one drawing serves every language."""

    start = data.enterprise["intervention_month"]
    visits = visits_of(data.milestones)
    lebaran_any = (not data.monthly.empty and "eid" in data.monthly
                   and bool((data.monthly["eid"] == 1).any()))
    family = family_size(data.results)
    prim = primary_rows(data.results)
    panels, untracked = [], []
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
        image = _kpi_image(lines, start=start, lebaran=lebaran, visits=visits)
        own = prim[prim["indicator"] == name] if not prim.empty else prim
        row = own.iloc[0] if len(own) else None
        caption = (summary_sentence(row, output_unit=data.enterprise.get("output_unit"),
                                    family=family, with_note=current_language() == "en")
                   if row is not None else "")
        primary_ok = row is not None and row["status"] == "ok"
        robust = robustness_rows(data.results, name) if primary_ok else []
        panels.append({"label": label,
                       "unit": unit,
                       "figure": picture_html(image, kpi_alt(
                           lines, label=label.lower(), unit=unit, intervention_month=start,
                           lebaran=lebaran, visits=visits), caption),
                       "robust_cells": [[r["name"], r["change"], r["ci"], r["p"]]
                                        for r in robust],
                       "robust_sentence": robustness_sentence(robust) if len(robust) > 1
                       else ""})
    from ..formatting import join_words

    return render("sections/kpi.html", key=kpi_key(lebaran=lebaran_any, visits=bool(visits)),
                  panels=panels, untracked=join_words(untracked))
