"""The words of the workshop pack, in the language of the page (gettext): key messages
in plain words with the values before and after in natural units, what the evidence can
and cannot say, the timeline in one line, the implementation in one line, and the exact
figures for the speaker notes.

The plain words follow the results rows and never judge them: a clear improvement or
worsening is the ``direction`` the analysis wrote (from the adjusted p); everything else
is said to be not clear enough to rule out chance, exploratory, or described, as the row
is.  The slides and summaries carry no p-values and no τ², I² or Holm; the speaker notes
carry the exact figures.
"""

from __future__ import annotations

import math

import pandas as pd

from ...i18n import N_, ngettext
from ...i18n import gettext as _
from ..formatting import day, decimal, fmt, fmt_p, fmt_signed, join_words, month_name, percent
from ..wording import (
    direction_name,
    indicator_label,
    indicator_unit,
    method_name,
    milestone_label,
    ratio_change,
    ratio_interval,
)
from .content import Implementation, KeyFigure, Spread

#: The pack's name, on every page and the deck.
PACK_TITLE = N_("Final result workshop")
SUMMARY_TITLE = N_("Workshop summary")
PROGRAMME_KICKER = N_("SCORE Module 1 · Workplace Cooperation")
ARROW = "→"


# --------------------------------------------------------------------------- numbers


def _decimals(larger: float) -> int:
    """Decimals for the larger of two values: none from 100 on, one from 1 on, else two
    significant digits."""
    if larger >= 100:
        return 0
    if larger >= 1 or larger == 0:
        return 1
    return 1 - int(math.floor(math.log10(larger)))


def natural_pair(before: float, after: float, *, whole: bool = False) -> tuple[str, str]:
    """The values before and after with the same decimals (:func:`_decimals` of the
    larger; ``whole``: none), one more while the two would read the same or a value that
    is not zero would read as zero (at most 3 decimals): ``2.8 → 1.8``, ``0.2 → 3.9``,
    ``11.2 → 12.5``, ``247 → 254``."""
    d = 0 if whole else _decimals(max(abs(before), abs(after)))

    def unclear(d: int) -> bool:
        a, b = decimal(before, d), decimal(after, d)
        zero = decimal(0, d)
        return ((a == b and before != after) or (a in (zero, "−" + zero) and before != 0)
                or (b in (zero, "−" + zero) and after != 0))

    while d < 3 and unclear(d):
        d += 1
    return decimal(before, d), decimal(after, d)


def values_of(fig: KeyFigure) -> tuple[str, str]:
    """A key figure's values before and after as shown (the 5S index in whole points)."""
    return natural_pair(fig.before, fig.after, whole=fig.domain == "five_s")


def unit_of(fig: KeyFigure, output_unit: object = None) -> str:
    """The unit the values of a key figure are shown in, in the page's language."""
    if fig.domain == "kpi":
        return indicator_unit(fig.indicator, output_unit)
    if fig.domain == "five_s":
        return _("points out of 100")
    return _("mean score, {low} to {high}").format(low=decimal(fig.scale[0], 0),
                                                   high=decimal(fig.scale[1], 0))


def with_unit_text(text: str, unit: str) -> str:
    return f"{text}{unit}" if unit.startswith("%") else f"{text} {unit}"


def numbers_text(fig: KeyFigure, output_unit: object = None) -> str:
    """``2.4% → 1.8%``, ``0.34 → 3.4 per 100 workers per month``: before → after."""
    before, after = values_of(fig)
    unit = unit_of(fig, output_unit)
    if unit.startswith("%"):
        return f"{before}{unit} {ARROW} {after}{unit}"
    return f"{before} {ARROW} {after} {unit}"


def change_text(fig: KeyFigure) -> str:
    """The change from before to after in plain words (``25% lower``, ``10 times as
    high``, ``+4.1 points``)."""
    if fig.domain != "kpi":
        diff = fig.after - fig.before
        if diff == 0:
            return _("the same before and after")
        return (_("{points} points higher") if diff > 0 else _("{points} points lower")).format(
            points=fmt(abs(diff), 2))
    if fig.before == 0:
        return _("none before") if fig.after == 0 else _("up from none before")
    ratio = fig.after / fig.before
    if ratio == 1:
        return _("the same before and after")
    if ratio < 1:
        return _("{pct} lower").format(pct=percent((1 - ratio) * 100))
    if ratio >= 2:
        return _("{times} times as high").format(times=fmt(ratio, 2))
    return _("{pct} higher").format(pct=percent((ratio - 1) * 100))


def _estimate_moves_with_values(fig: KeyFigure) -> bool:
    """Whether the analysis's estimate points the same way as the values before and after."""
    if fig.estimate is None or not math.isfinite(fig.estimate) or not fig.shown:
        return True
    ratio = fig.estimate_scale in ("rate_ratio", "slope_ratio")
    change = math.log(fig.estimate) if ratio and fig.estimate > 0 else fig.estimate
    raw = fig.after - fig.before
    return change == 0 or raw == 0 or (change > 0) == (raw > 0)


def verdict_text(fig: KeyFigure) -> str:
    """What the analysis says of a key figure, in one plain sentence (no p-values)."""
    kpi = fig.domain == "kpi"
    if fig.domain == "five_s":
        return _("The 5S audits describe the workplace; they are not a test of the programme.")
    if fig.status == "insufficient_data":
        if fig.exact is not None and fig.domain == "kpi":
            return exact_text(fig.exact)
        return _("Too few events were recorded to test this change; the figures describe it.")
    if fig.judged:
        better = fig.direction == "improved"
        if not _estimate_moves_with_values(fig):
            return (_("Allowing for the trend before the programme, the analysis finds a "
                      "clear improvement: the trend before explains why the averages moved "
                      "the other way.") if better else
                    _("Allowing for the trend before the programme, the analysis finds a "
                      "clear worsening: the trend before explains why the averages moved the "
                      "other way."))
        if kpi:
            return (_("Allowing for the trend before the programme, the analysis finds a "
                      "clear improvement.") if better else
                    _("Allowing for the trend before the programme, the analysis finds a "
                      "clear worsening."))
        return (_("The analysis finds a clear improvement.") if better else
                _("The analysis finds a clear worsening."))
    if not fig.confirmatory:
        return _("An exploratory figure: described, not tested as one of the programme's "
                 "expected improvements.")
    if kpi:
        return _("Allowing for the trend before the programme, the change is not clear "
                 "enough to rule out chance.")
    return _("The change is not clear enough to rule out chance.")


def exact_text(exact: tuple) -> str:
    """The exact comparison of the two rates in plain words, labelled a description (never
    "×inf": with no event before, the exact lower limit)."""
    estimate, low, high, _p = exact

    def times(v: float | None) -> str:
        return "∞" if v is None or math.isinf(v) else fmt(v, 2)

    if math.isinf(estimate):
        found = _("none before, and after at least {low} times the rate before (the exact "
                  "lower limit)").format(low=times(low))
    elif estimate == 0:
        found = _("none after (the rate after is at most {high} times the rate before)"
                  ).format(high=times(high))
    else:
        found = _("the rate after is {estimate} times the rate before (plausible range "
                  "{low} to {high} times)").format(estimate=times(estimate), low=times(low),
                                                   high=times(high))
    return _("Too few events for the monthly model; compared exactly, {found}: a "
             "description, not evidence of an effect.").format(found=found)


def message(fig: KeyFigure, output_unit: object = None) -> dict:
    """One key message: ``label``, ``numbers`` (before → after), ``change`` and
    ``verdict`` (plain text), ``tone`` (``improved``, ``worsened`` or ``neutral``)."""
    tone = fig.direction if fig.judged else "neutral"
    return {"label": indicator_label(fig.domain, fig.indicator),
            "numbers": numbers_text(fig, output_unit), "change": change_text(fig),
            "verdict": verdict_text(fig), "tone": tone}


# --------------------------------------------------------------------------- programme


def _ratio_range(values: list[float]) -> str:
    def one(r: float) -> str:
        if r == 1:
            return _("no change")
        if r < 1:
            return _("{pct} lower").format(pct=percent((1 - r) * 100))
        if r >= 2:
            return _("{times} times as high").format(times=fmt(r, 2))
        return _("{pct} higher").format(pct=percent((r - 1) * 100))

    return _("from {low} to {high}").format(low=one(min(values)), high=one(max(values)))


def spread_counts(spread: Spread) -> str:
    """``lower in 4 of 5 enterprises`` (by the indicator's good direction)."""
    n = spread.n
    if spread.figures[0].good < 0:
        text = ngettext("lower in {k} of {n} enterprise", "lower in {k} of {n} enterprises", n)
    else:
        text = ngettext("higher in {k} of {n} enterprise", "higher in {k} of {n} enterprises",
                        n)
    return text.format(k=spread.better, n=n)


def spread_range(spread: Spread) -> str:
    """The range of the enterprises' own changes, before to after."""
    changes = spread.changes
    if not changes:
        return ""
    if spread.domain == "kpi":
        return _("each enterprise's change {range}").format(range=_ratio_range(changes))
    return _("each enterprise's change from {low} to {high} points").format(
        low=fmt_signed(min(changes)), high=fmt_signed(max(changes)))


def estimate_words(method: str) -> str:
    """What a pooled monthly estimate compares, in plain words."""
    if method.startswith("cits_"):
        return _("at the end, compared with where each enterprise's trend before the "
                 "programme pointed and with enterprises that did not take part")
    if method == "rate_ratio_step":
        return _("comparing the months after with the months before")
    if method.endswith("effect_end"):
        return _("at the end, compared with where each enterprise's trend before the "
                 "programme pointed")
    return _("allowing for each enterprise's trend before the programme")


def pooled_text(spread: Spread) -> str:
    """The pooled estimate in plain words with its plausible range, or why there is none."""
    p = spread.pooled
    if p is None:
        return _("Not combined: too few enterprises have an estimate.")
    source = str(p.get("source_method") or "")
    if spread.domain == "kpi":
        text = _("Taken together, {words}: {change} (plausible range: {interval}).").format(
            words=estimate_words(source), change=ratio_change(p["estimate"]),
            interval=ratio_interval(p["ci_low"], p["ci_high"]))
        spans = float(p["ci_low"]) <= 1 <= float(p["ci_high"])
    else:
        text = _("Taken together: {change} points (plausible range: {low} to {high}).").format(
            change=fmt_signed(p["estimate"]), low=fmt_signed(p["ci_low"]),
            high=fmt_signed(p["ci_high"]))
        spans = float(p["ci_low"]) <= 0 <= float(p["ci_high"])
    direction = spread.direction
    if direction == "improved":
        text += " " + _("Across these enterprises the evidence shows an improvement.")
    elif direction == "worsened":
        text += " " + _("Across these enterprises the evidence shows a worsening.")
    elif direction == "not_tested":
        text += " " + _("An exploratory figure, not tested.")
    elif spans:
        text += " " + _("This range includes no change, so chance cannot be ruled out.")
    else:
        text += " " + _("Once the number of outcomes compared is allowed for, this is not "
                        "clear enough to rule out chance.")
    return text


def programme_message(spread: Spread) -> dict:
    """One key message across the enterprises: ``label``, ``numbers`` (how many moved in
    the good direction), ``change`` (their range) and ``verdict`` (the pooled estimate,
    or for 5S that it is described)."""
    if spread.domain == "five_s":
        verdict = _("The 5S audits describe the workplaces; they are not combined or tested.")
    else:
        verdict = pooled_text(spread)
    tone = spread.direction if spread.judged else "neutral"
    return {"label": indicator_label(spread.domain, spread.indicator),
            "numbers": spread_counts(spread), "change": spread_range(spread),
            "verdict": verdict, "tone": tone}


# --------------------------------------------------------------------------- evidence


def evidence_sentence(*, comparison: bool, enterprises: int | None = None) -> str:
    """What the evidence can and cannot say, in one sentence (``enterprises``: the number
    of enterprises of the programme summary; None for one enterprise)."""
    if enterprises is None:
        if comparison:
            return _("The monthly figures are compared with the enterprise's own trend "
                     "before the programme and with enterprises that did not take part: this "
                     "rules out changes that hit every enterprise at once, but not everything "
                     "else that happened in this enterprise at the same time.")
        return _("These figures compare the enterprise with itself before and after the "
                 "programme: they show what changed, but cannot prove that the programme "
                 "caused it, because orders, prices, machines or staff may have changed at "
                 "the same time.")
    return ngettext(
        "These figures compare {n} enterprise with itself before and after the programme: "
        "they show what changed, not that the programme caused it, and one enterprise is "
        "too few to say how much another enterprise would gain.",
        "These figures compare {n} enterprises with themselves before and after the "
        "programme: they show what changed, not that the programme caused it, and {n} "
        "enterprises are too few to say how much another enterprise would gain.",
        enterprises).format(n=enterprises)


# --------------------------------------------------------------------------- timeline


def _days(dates: list[pd.Timestamp]) -> str:
    """``14 Oct, 9 Nov and 6 Dec 2010`` (the year once when all share it)."""
    from babel.dates import format_date

    from ...i18n import current_language

    if len({d.year for d in dates}) == 1 and len(dates) > 1:
        pattern = "d MMM" if current_language() == "en" else "d MMMM"
        shown = [format_date(d.date(), pattern, locale=current_language()) for d in dates[:-1]]
        return join_words([*shown, day(dates[-1])])
    return join_words([day(d) for d in dates])


def timeline_line(milestones: dict[str, pd.Timestamp], *, period: tuple[str, str] | None,
                  start: str | None) -> str:
    """The programme timeline in one line: workshop, factory visits, final workshop, and
    the months of records with the programme start."""
    parts = []
    visits = [d for name, d in milestones.items() if name.startswith("visit_")]
    visit_done = False
    for name, when in milestones.items():
        if name.startswith("visit_"):
            if not visit_done:
                parts.append(ngettext("factory visit {dates}", "factory visits {dates}",
                                      len(visits)).format(dates=_days(visits)))
                visit_done = True
            continue
        parts.append(_("{milestone} {date}").format(milestone=milestone_label(name),
                                                    date=day(when)))
    if period:
        records = _("monthly records {first} – {last}").format(
            first=month_name(period[0]), last=month_name(period[1]))
        if start:
            records += " " + _("(programme start {month})").format(month=month_name(start))
        parts.append(records)
    return " · ".join(parts)


def periods_text(period: tuple[str, str] | None, start: str | None) -> tuple[str, str]:
    """The legend labels of the periods: ``Before (Jan 2009 – Mar 2010)`` and ``After``."""
    if not period or not start:
        return _("Before the programme"), _("After the programme start")
    first, last = period
    before_end = (pd.Period(start, freq="M") - 1).strftime("%Y-%m")
    return (_("Before ({first} – {last})").format(first=month_name(first),
                                                  last=month_name(before_end)),
            _("After ({first} – {last})").format(first=month_name(start),
                                                 last=month_name(last)))


# --------------------------------------------------------------------------- implementation

VISIT_NAMES = {"baseline": N_("baseline"), "final_workshop": N_("final result workshop")}


def visit_name(visit: str) -> str:
    if visit in VISIT_NAMES:
        return _(VISIT_NAMES[visit])
    return milestone_label(visit)


def implementation_text(impl: Implementation | None) -> str:
    """What the enterprise had put in place at its last visit, in one line; or that no
    implementation records were provided."""
    if impl is None:
        return _("No implementation records were provided.")
    parts = []
    if impl.actions_planned is not None and impl.actions_done is not None:
        parts.append(_("{done} of {planned} planned actions done").format(
            done=impl.actions_done, planned=impl.actions_planned))
    if impl.eit_members is not None and impl.eit_worker_members is not None:
        parts.append(_("workers on the enterprise improvement team (EIT): {workers} of its "
                       "{members} members").format(workers=impl.eit_worker_members,
                                                   members=impl.eit_members))
    if impl.suggestion_scheme is not None:
        parts.append(_("a working suggestion scheme") if impl.suggestion_scheme
                     else _("no working suggestion scheme"))
    if impl.communication_board is not None:
        parts.append(_("a communication board kept up to date") if impl.communication_board
                     else _("no communication board kept up to date"))
    if impl.bipartite_meetings is not None:
        parts.append(ngettext("{n} bipartite committee meeting since the previous visit",
                              "{n} bipartite committee meetings since the previous visit",
                              impl.bipartite_meetings).format(n=impl.bipartite_meetings))
    if impl.trainer_rating is not None:
        rating = impl.trainer_rating
        parts.append(_("the trainer's rating {rating} of 5").format(
            rating=decimal(rating, 0) if float(rating).is_integer() else fmt(rating, 2)))
    when = visit_name(impl.visit) + (f", {day(impl.date)}" if impl.date is not None else "")
    if not parts:
        return _("At the last visit ({when}) nothing was recorded.").format(when=when)
    return _("At the last visit ({when}): {items}.").format(when=when, items="; ".join(parts))


# --------------------------------------------------------------------------- speaker notes


def _interval(fig_low: float | None, fig_high: float | None) -> str:
    return _("{low} to {high}").format(low=fmt(fig_low, 4), high=fmt(fig_high, 4))


def exact_figures(fig: KeyFigure, output_unit: object = None) -> str:
    """The exact figures of a key figure for the speaker notes: the values before and
    after, the estimate of the analysis with its 95% interval, p and the adjusted p."""
    label = indicator_label(fig.domain, fig.indicator)
    unit = unit_of(fig, output_unit)
    parts = [_("{label}: before {before}, after {after}").format(
        label=label, before=with_unit_text(fmt(fig.before, 4), unit),
        after=with_unit_text(fmt(fig.after, 4), unit))]
    if fig.estimate is not None:
        parts.append(_("{method}: {estimate} (95% CI {interval})").format(
            method=method_name(fig.method), estimate=fmt(fig.estimate, 4),
            interval=_interval(fig.ci_low, fig.ci_high)))
    if fig.p_value is not None:
        parts.append(_("p = {p}").format(p=fmt_p(fig.p_value)))
    if fig.p_holm is not None:
        parts.append(_("adjusted p (Holm) = {p}").format(p=fmt_p(fig.p_holm)))
    if fig.direction:
        parts.append(_("result: {direction}").format(
            direction=direction_name(fig.direction) or fig.direction))
    if fig.exact is not None:
        estimate, low, high, p = fig.exact
        parts.append(_("{method}: {estimate} (95% CI {interval})").format(
            method=_("Exact comparison of the two rates (descriptive)"),
            estimate=fmt(estimate, 4),
            interval=_interval(low, high)) + (
            "; " + _("p = {p}").format(p=fmt_p(p)) if p is not None else ""))
    return "; ".join(parts) + "."


def pooled_figures(spread: Spread) -> str:
    """The exact pooled figures of an indicator for the speaker notes."""
    label = indicator_label(spread.domain, spread.indicator)
    p = spread.pooled
    if p is None:
        return _("{label}: not pooled.").format(label=label)
    parts = [_("{label}, pooled over {k} enterprises ({method}): {estimate} (95% CI "
               "{interval})").format(label=label, k=int(p["k"]),
                                     method=method_name(str(p.get("source_method") or "")),
                                     estimate=fmt(p["estimate"], 4),
                                     interval=_interval(p["ci_low"], p["ci_high"]))]
    if not pd.isna(p.get("pi_low")) and not pd.isna(p.get("pi_high")):
        parts.append(_("prediction interval {interval}").format(
            interval=_interval(p["pi_low"], p["pi_high"])))
    parts.append(_("p = {p}").format(p=fmt_p(p["p_value"])))
    if not pd.isna(p.get("p_holm")):
        parts.append(_("adjusted p (Holm) = {p}").format(p=fmt_p(p["p_holm"])))
    parts.append(f"τ² = {fmt(p['tau2'], 3)}, I² = {fmt(p['i2'], 3)}%")
    return "; ".join(parts) + "."
