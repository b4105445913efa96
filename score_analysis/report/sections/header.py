"""The report's opening: the simulated-data banner, the enterprise profile and the programme
timeline.
"""

from __future__ import annotations

import pandas as pd

from ...i18n import gettext as _
from ...i18n import ngettext
from ..formatting import (
    day,
    fmt_count,
    missing,
    month_name,
)
from ..loading import EnterpriseData
from ..rendering import Html, in_each_language, render
from ..wording import (
    in_sentence,
    milestone_label,
    visit_label,
)


def banner(data: EnterpriseData | None = None, *, simulated: bool | None = None) -> Html:
    """The simulated-data banner (empty for enterprise records)."""
    show = data.simulated if data is not None else bool(simulated)
    return render("sections/banner.html", show=show)


def timeline_events(data: EnterpriseData) -> list[tuple[pd.Timestamp, str, str]]:
    """The programme timeline: (date, when as shown, what; plain text), in date order.

    Milestones, 5S audits and the months of KPI records before and after the
    programme start.
    """
    events: list[tuple[pd.Timestamp, str, str]] = []
    start = data.enterprise["intervention_month"]
    months = sorted(set(data.monthly["month"])) if not data.monthly.empty else []
    before = [m for m in months if m < start]
    after = [m for m in months if m >= start]
    if before:
        events.append((pd.Period(before[0], freq="M").to_timestamp(),
                       f"{month_name(before[0])} – {month_name(before[-1])}",
                       ngettext("Before: {n} month of records", "Before: {n} months of records",
                                len(before)).format(n=len(before))))
    events.append((pd.Period(start, freq="M").to_timestamp() + pd.Timedelta(hours=1),
                   month_name(start), _("Programme start: first month counted as after")))
    if after:
        events.append((pd.Period(after[0], freq="M").to_timestamp() + pd.Timedelta(hours=2),
                       f"{month_name(after[0])} – {month_name(after[-1])}",
                       ngettext("After: {n} month of records", "After: {n} months of records",
                                len(after)).format(n=len(after))))
    audits = {}
    if not data.five_s.empty:
        for a in data.five_s.itertuples(index=False):
            audits[pd.Timestamp(a.audit_date).normalize()] = a.visit
    seen_audits = set()
    if not data.milestones.empty:
        for m in data.milestones.sort_values("date").itertuples(index=False):
            when = pd.Timestamp(m.date).normalize()
            what = milestone_label(str(m.milestone))
            if when in audits:
                what = _("{milestone} and 5S audit").format(milestone=what)
                seen_audits.add(when)
            events.append((when, day(when), what))
    for when, visit in audits.items():
        if when not in seen_audits:
            what = (_("5S audit ({visit})").format(visit=in_sentence(visit_label(visit)))
                    if visit_label(visit) else _("5S audit"))
            events.append((when, day(when), what))
    return sorted(events, key=lambda e: e[0])


@in_each_language
def header(data: EnterpriseData) -> Html:
    """Section 1: banner, navigation, enterprise profile and programme timeline."""
    e = data.enterprise
    items = [(_("Sector"), e.get("sector")), (_("Location"), e.get("location")),
             (_("Employees"), fmt_count(e.get("employees"))),
             (_("Programme start"), _("{month} (first month counted as after)").format(
                 month=month_name(e["intervention_month"]))),
             (_("Data"), _("simulated demonstration data") if data.simulated
              else _("enterprise records"))]
    profile = [(k, v) for k, v in items if not missing(v) and str(v) != ""]
    events = [{"when": when, "what": what, "period": "–" in when}
              for _d, when, what in timeline_events(data)]
    return render("sections/header.html", simulated=data.simulated, name=e["name"],
                  profile=profile, events=events)
