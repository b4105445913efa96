"""The implementation across enterprises in the synthesis: the action completion of every
programme enterprise side by side at each visit, and its implementation at the last visit
beside its primary results, with the sentence the design allows (docs/reports.md).

Descriptive only: with a handful of enterprises, a picture of implementation beside the
results can suggest, never show, that the implementation explains the differences in the
results (no test is made on the implementation records).
"""

from __future__ import annotations

import pandas as pd

from ..i18n import gettext as _
from ..i18n import ngettext
from .formatting import fmt_count, join_words, missing
from .loading import SynthesisData, primary_rows
from .rendering import Html, in_each_language, render
from .sections import marker
from .sections.implementation import (
    cell_text,
    completion_alt,
    last_visit,
    own_records,
    visit_labels,
    whole_percent,
)
from .wording import indicator_label, visit_label


def programme_enterprises(enterprises: pd.DataFrame) -> pd.DataFrame:
    """The enterprises that took part in the programme (a comparison enterprise has no
    implementation to record)."""
    if "role" not in enterprises.columns:
        return enterprises
    return enterprises[enterprises["role"].fillna("programme") != "comparison"]


def last_visits(by_visit: pd.DataFrame) -> pd.DataFrame:
    """One row per enterprise: its last recorded visit (rows of ``implementation_by_visit``),
    sorted by action completion at that visit, highest first (none last)."""
    if by_visit.empty:
        return by_visit
    rows = [last_visit(sub) for _e, sub in by_visit.groupby("enterprise_id", sort=False)]
    out = pd.DataFrame(rows).reset_index(drop=True)
    return out.sort_values("action_completion", ascending=False, na_position="last",
                           kind="stable").reset_index(drop=True)


def done_of_planned(row) -> str:
    """``92% (11 of 12)``; "—" when not recorded or nothing was planned."""
    if missing(row["action_completion"]):
        return "—"
    return _("{share} ({done} of {planned})").format(
        share=whole_percent(row["action_completion"]), done=fmt_count(row["actions_done"]),
        planned=fmt_count(row["actions_planned"]))


def completion_rows(by_visit: pd.DataFrame, enterprises: pd.DataFrame
                    ) -> tuple[list, list[list]]:
    """The action completion of every programme enterprise (rows) at each visit (columns);
    an enterprise without records says so."""
    labels = visit_labels()
    visits = [v for v in labels if v in set(by_visit["visit"])]
    columns = [_("Enterprise")] + [{"label": labels[v], "num": True} for v in visits]
    rows = []
    for e in enterprises.itertuples(index=False):
        own = by_visit[by_visit["enterprise_id"] == e.enterprise_id]
        if own.empty:
            rows.append([e.name, {"text": _("no implementation records"),
                                  "colspan": len(visits)}])
            continue
        at = {r["visit"]: r for _i, r in own.iterrows()}
        rows.append([e.name] + [done_of_planned(at[v]) if v in at else "—" for v in visits])
    return columns, rows


def beside_results(by_visit: pd.DataFrame, data: SynthesisData) -> tuple[list, list[list]]:
    """Each enterprise's implementation at its last visit (completion, the trainer's rating)
    beside the verdicts of its confirmatory outcomes, sorted by completion."""
    settings = data.settings
    prim = primary_rows(data.results)
    confirmatory = [] if prim.empty else list(dict.fromkeys(
        (d, i) for d, i in zip(prim["domain"], prim["indicator"], strict=True)
        if settings.is_confirmatory(i)))
    columns = ([_("Enterprise"), _("Last visit"),
                {"label": _("Planned actions done"), "num": True},
                {"label": _("Trainer's rating (1-5)"), "num": True}]
               + [indicator_label(d, i) for d, i in confirmatory])
    names = data.names
    rows = []
    for r in last_visits(by_visit).itertuples(index=False):
        row = r._asdict()
        cells = [names.get(r.enterprise_id, r.enterprise_id), visit_label(r.visit),
                 done_of_planned(row), cell_text(r.trainer_rating, "count")]
        own = prim[prim["enterprise_id"] == r.enterprise_id] if not prim.empty else prim
        for d, i in confirmatory:
            hit = own[(own["domain"] == d) & (own["indicator"] == i)]
            if hit.empty:
                cells.append({"text": "—", "cls": "na"})
                continue
            cls, text = marker(hit.iloc[0], settings)
            cells.append({"text": text, "cls": "mark " + cls})
        rows.append(cells)
    return columns, rows


def completion_range(last: pd.DataFrame, names: dict[str, str]) -> str:
    """Where the completion at the last visit ranged, naming the lowest and the highest
    enterprise; "" with fewer than two completions."""
    known = last[last["action_completion"].notna()]
    if len(known) < 2:
        return ""
    top, low = known.iloc[0], known.iloc[-1]
    return _("At the last visit, the share of the planned actions done ranged from {low} "
             "({low_name}) to {high} ({high_name}).").format(
        low=whole_percent(low["action_completion"]),
        low_name=names.get(low["enterprise_id"], low["enterprise_id"]),
        high=whole_percent(top["action_completion"]),
        high_name=names.get(top["enterprise_id"], top["enterprise_id"]))


def design_sentence(n: int) -> str:
    """What a picture of implementation beside the results of ``n`` enterprises can say:
    it can suggest, never show, that the implementation explains the differences."""
    return ngettext(
        "With {n} enterprise, this picture can suggest, never show, that the implementation "
        "explains the differences in the results: the enterprises differ in many other ways "
        "(sector, size, orders, staff), the implementation was not assigned at random, and a "
        "trainer's rating may itself reflect how well the enterprise was doing.",
        "With {n} enterprises, this picture can suggest, never show, that the implementation "
        "explains the differences in the results: the enterprises differ in many other ways "
        "(sector, size, orders, staff), the implementation was not assigned at random, and a "
        "trainer's rating may itself reflect how well the enterprise was doing.", n).format(n=n)


@in_each_language
def implementation_overview(data: SynthesisData) -> Html:
    """The implementation of the programme enterprises side by side (completion at each
    visit, a chart) and beside their primary results, with what the design allows."""
    from .charts.implementation import completion_figure
    from .figures import figure_html

    enterprises = programme_enterprises(data.enterprises)
    by_visit = own_records(data.implementation)
    if not by_visit.empty:
        by_visit = by_visit[by_visit["enterprise_id"].isin(enterprises["enterprise_id"])]
    if by_visit.empty:
        return render("sections/implementation_overview.html", empty=True)
    names = data.names
    figure = ""
    if by_visit["action_completion"].notna().any():
        figure = figure_html(completion_figure(by_visit, visit_labels=visit_labels(),
                                               names=names),
                             completion_alt(by_visit, names))
    without = [e.name for e in enterprises.itertuples(index=False)
               if e.enterprise_id not in set(by_visit["enterprise_id"])]
    head, rows = completion_rows(by_visit, enterprises)
    beside_head, beside_rows = beside_results(by_visit, data)
    n = by_visit["enterprise_id"].nunique()
    return render("sections/implementation_overview.html", empty=False, figure=figure,
                  head=head, rows=rows, beside_head=beside_head, beside_rows=beside_rows,
                  summary=completion_range(last_visits(by_visit), names),
                  without=join_words(without), design=design_sentence(n))
