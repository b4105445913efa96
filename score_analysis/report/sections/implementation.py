"""The implementation section: what the enterprise put in place, visit by visit, as the
trainers recorded it (``implementation`` table, docs/data_contract.md).

Descriptive only: the records are shown and counted, never tested (docs/reports.md).
"""

from __future__ import annotations

import pandas as pd

from ...data.contract import VISITS
from ...data.validation import implementation_by_visit
from ...i18n import N_, ngettext
from ...i18n import gettext as _
from ..figures import figure_html
from ..formatting import day, decimal, fmt_count, join_words, missing
from ..loading import EnterpriseData
from ..rendering import Html, in_each_language, render
from ..wording import visit_label

#: The rows of the implementation table: (item or derived column, label, kind).
TABLE_ROWS = (
    ("eit_members", N_("Members of the enterprise improvement team (EIT)"), "count"),
    ("eit_worker_members", N_("of them, workers"), "count"),
    ("eit_worker_share", N_("Workers' share of the team"), "share"),
    ("eit_meetings", N_("Team meetings since the previous visit"), "count"),
    ("actions_planned", N_("Actions planned so far"), "count"),
    ("actions_done", N_("of them, done"), "count"),
    ("action_completion", N_("Action completion (done of planned)"), "share"),
    ("suggestion_scheme", N_("A working suggestion scheme"), "flag"),
    ("communication_board", N_("A communication board kept up to date"), "flag"),
    ("bipartite_meetings",
     N_("Bipartite committee (LKS Bipartit) meetings since the previous visit"), "count"),
    ("trainer_rating", N_("The trainer's rating, 1 (little) to 5 (full)"), "count"),
)


def visit_labels() -> dict[str, str]:
    """Every visit of the implementation records named in the page's language."""
    return {v: visit_label(v) for v in VISITS}


def whole_percent(share: object) -> str:
    """A share of 0 to 1 as a whole percentage (``92%``)."""
    return decimal(100.0 * float(share), 0) + "%"


def cell_text(value: object, kind: str) -> str:
    """One cell of the implementation table: a count, a percentage, yes or no; "—" when
    not recorded (or, for a share, when its denominator is missing or zero)."""
    if missing(value):
        return "—"
    if kind == "share":
        return whole_percent(value)
    if kind == "flag":
        return _("yes") if bool(value) else _("no")
    return fmt_count(value)


def implementation_table(by_visit: pd.DataFrame) -> tuple[list, list[list]]:
    """The columns and rows of one enterprise's implementation table: one column per
    recorded visit (in the order of the visits, with its date), one row per item and per
    derived share (:data:`TABLE_ROWS`)."""
    rows = by_visit.reset_index(drop=True)
    columns = [_("Recorded at")] + [
        {"label": visit_label(r.visit) + (f" ({day(r.date)})" if not missing(r.date) else ""),
         "num": True} for r in rows.itertuples(index=False)]
    body = [[{"text": _(label), "head": True}]
            + [cell_text(v, kind) for v in rows[column]] for column, label, kind in TABLE_ROWS]
    return columns, body


def last_visit(by_visit: pd.DataFrame) -> pd.Series | None:
    """The row of the last recorded visit (in the order of the visits), None when none."""
    if by_visit.empty:
        return None
    order = {v: i for i, v in enumerate(VISITS)}
    ranked = by_visit.assign(_rank=by_visit["visit"].map(order).fillna(len(VISITS)))
    return ranked.sort_values("_rank", kind="stable").iloc[-1].drop("_rank")


def implementation_sentence(by_visit: pd.DataFrame) -> str:
    """How far the implementation went, in one plain sentence: the actions done of those
    planned and the trainer's rating at the last recorded visit (what the records say,
    never why)."""
    last = last_visit(by_visit)
    if last is None:
        return _("No implementation records were provided.")
    when = visit_label(last["visit"]) + ("" if missing(last["date"])
                                         else ", " + day(last["date"]))
    parts = []
    planned, done = last["actions_planned"], last["actions_done"]
    if not missing(planned) and int(planned) == 0:
        parts.append(_("no action had been planned"))
    elif not missing(planned) and not missing(done):
        parts.append(ngettext(
            "{done} of the {planned} planned actions ({share}) was done",
            "{done} of the {planned} planned actions ({share}) were done", int(done)).format(
            done=fmt_count(done), planned=fmt_count(planned),
            share=whole_percent(int(done) / int(planned))))
    if not missing(last["trainer_rating"]):
        parts.append(_("the trainer rated the implementation {rating} on a scale from 1 "
                       "(little) to 5 (full)").format(rating=fmt_count(last["trainer_rating"])))
    if not parts:
        return _("At the last recorded visit ({when}), neither the actions nor the trainer's "
                 "rating were recorded.").format(when=when)
    return _("By the last recorded visit ({when}), {what}.").format(when=when,
                                                                  what=join_words(parts))


def completion_alt(by_visit: pd.DataFrame, names: dict[str, str] | None = None) -> str:
    """Alt text of the completion chart: every enterprise's completion at every visit."""
    labels = visit_labels()
    parts = [_("Line chart of the share of the planned actions done at each visit.")]
    for eid, sub in by_visit.groupby("enterprise_id", sort=False):
        values = ", ".join(
            f"{labels.get(r.visit, r.visit)} " + cell_text(r.action_completion, "share")
            for r in sub.itertuples(index=False))
        parts.append((f"{names.get(eid, eid)}: " if names else "") + values + ".")
    return " ".join(parts)


def own_records(implementation: pd.DataFrame) -> pd.DataFrame:
    """The implementation table by visit (:func:`implementation_by_visit`), empty when the
    data have no implementation records."""
    if implementation.empty or "item" not in implementation.columns:
        return pd.DataFrame()
    return implementation_by_visit(implementation)


@in_each_language
def implementation_section(data: EnterpriseData) -> Html:
    """The implementation before the results: the items across the visits with action
    completion and the workers' share of the team, a chart of completion over the visits
    and one sentence on how far the implementation went."""
    from ..charts.implementation import completion_figure

    by_visit = own_records(data.implementation)
    if by_visit.empty:
        return render("sections/implementation.html", empty=True)
    figure = ""
    if by_visit["action_completion"].notna().any():
        figure = figure_html(completion_figure(by_visit, visit_labels=visit_labels()),
                             completion_alt(by_visit))
    columns, rows = implementation_table(by_visit)
    return render("sections/implementation.html", empty=False,
                  sentence=implementation_sentence(by_visit), figure=figure,
                  columns=columns, rows=rows)
