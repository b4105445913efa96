"""One plain sentence per primary result (plain text, escaped later by the templates).

The sentences follow the numbers of the results rows and never judge them (analysis plan
version 3, ``docs/analysis_plan.md``):

- a monthly indicator leads with its primary estimate, the effect at the last month against
  the trend before the programme (``its_effect_end``); the averages before and after are
  always given in the indicator's unit, and when they moved the other way than the primary
  estimate, the sentence says both ("rose from 3.1% to 4.4%, but at the last month it was
  13% below where the trend before the programme pointed");
- a monthly indicator with too few events for a model shows the rates and, when the
  analysis wrote one, the exact comparison of the two rates, labelled descriptive;
- a confirmatory outcome's evidence is worded from its adjusted p (labelled, with the size
  of the family); every other result is called an exploratory estimate with its
  unadjusted p;
- when the placebo (a pretend start before the programme) differs from no change, the
  indicator's sentence carries the warning that the trend before was not stable;
- a before/after comparison is never said to prove that the programme caused a change.
"""

from __future__ import annotations

import pandas as pd

from ...i18n import gettext as _
from ...settings import PLAN, AnalysisSettings
from ..formatting import day, fmt, fmt_signed, missing, month_name
from ..notes import note_words
from .changes import amount, exact_change, finite, rate_text, ratio_interval, ratio_sign
from .evidence import (
    Family,
    adjusting_for,
    first_time,
    is_confirmatory,
    p_text,
    significance_clause,
)
from .names import indicator_label, indicator_unit

#: The primary methods that estimate the effect at the last month against a trend.
EFFECT_END = ("its_effect_end", "cits_effect_end")


def scale_of(codebook: pd.DataFrame, construct: str) -> tuple[float, float]:
    """(lowest, highest) answer of a survey construct's scale (1 to 5 when unknown)."""
    items = codebook[codebook["construct"] == construct] if not codebook.empty else codebook
    if items.empty:
        return (1.0, 5.0)
    return float(items["scale_min"].min()), float(items["scale_max"].max())


def estimated(row) -> bool:
    """Whether a row has an estimate to put in words (status ok and a finite estimate)."""
    return row["status"] == "ok" and finite(row["estimate"])


def rates_moved(row) -> int:
    """How the averages of the two periods moved as shown (+1 up, -1 down, 0 the same when
    written with the page's digits, or unknown)."""
    before, after = row["pre_value"], row["post_value"]
    if not (finite(before) and finite(after)) or fmt(before) == fmt(after):
        return 0
    return 1 if float(after) > float(before) else -1


def averages(row, unit: str) -> str:
    """``it averaged 3.08% before and 4.41% after``."""
    return _("it averaged {before} before and {after} after").format(
        before=rate_text(row["pre_value"], unit), after=rate_text(row["post_value"], unit))


def placebo_warning(placebo_p: object) -> str:
    """The warning carried into an indicator's sentence when its placebo differs from no
    change (empty otherwise)."""
    if not finite(placebo_p):
        return ""
    return " " + _("Caution: at a pretend start before the programme (the placebo) the series "
                   "already changed ({p}), so the trend before the programme was not stable "
                   "and the comparison with it is less reliable.").format(p=p_text(placebo_p))


def _where(row) -> str:
    if row["method"] == "cits_effect_end":
        return _("where the trend before the programme and the comparison enterprises pointed")
    return _("where the trend before the programme pointed")


def effect_end_sentence(row, label: str, unit: str, family: Family | int | None, *,
                        settings: AnalysisSettings = PLAN, last_month: str | None = None,
                        trend_end: object = None, said: set | None = None) -> str:
    """The sentence of a monthly indicator whose primary row is the effect at the last month.

    ``last_month`` (``YYYY-MM``) names the last month of the series; ``trend_end`` is the
    trend before the programme continued to that month (the counterfactual of the chart),
    in the indicator's unit: when the averages rose (fell) but the primary estimate is
    below (above) 1 and that trend pointed even higher (lower) than the average after, the
    sentence says the rate rose (fell) less than the trend before predicted.
    """
    rr = float(row["estimate"])
    sign = ratio_sign(rr)
    moved = rates_moved(row)
    at_end = (_("at the last month ({month})").format(month=month_name(last_month))
              if last_month else _("at the last month"))
    values = dict(label=label, at_end=at_end, amount=amount(rr), where=_where(row),
                  ci=ratio_interval(row["ci_low"], row["ci_high"]),
                  before=rate_text(row["pre_value"], unit),
                  after=rate_text(row["post_value"], unit))
    evidence = significance_clause(row, family, settings, said=said)
    if sign == 0:
        return _("{label}: {at_end}, at the level {where} (95% CI {ci}); {averages}; "
                 "{evidence}").format(**values, averages=averages(row, unit),
                                      evidence=evidence)
    if moved == 0 or moved == sign:
        lead = (_("{label}: {at_end}, {amount} below {where} (95% CI {ci})") if sign < 0 else
                _("{label}: {at_end}, {amount} above {where} (95% CI {ci})")).format(**values)
        return _("{lead}; {averages}; {evidence}").format(
            lead=lead, averages=averages(row, unit), evidence=evidence)
    less = (finite(trend_end) and finite(row["post_value"])
            and (float(trend_end) - float(row["post_value"])) * moved > 0)
    if moved > 0:
        text = (_("{label} rose from {before} before to {after} after on average, but less "
                  "than the trend before the programme predicted: {at_end} it was {amount} "
                  "below that trend (95% CI {ci})") if less else
                _("{label} rose from {before} before to {after} after on average, but "
                  "{at_end} it was {amount} below {where} (95% CI {ci})"))
    else:
        text = (_("{label} fell from {before} before to {after} after on average, but less "
                  "than the trend before the programme predicted: {at_end} it was {amount} "
                  "above that trend (95% CI {ci})") if less else
                _("{label} fell from {before} before to {after} after on average, but "
                  "{at_end} it was {amount} above {where} (95% CI {ci})"))
    return _("{change}; {evidence}").format(change=text.format(**values), evidence=evidence)


def step_sentence(row, label: str, unit: str, family: Family | int | None, *,
                  settings: AnalysisSettings = PLAN, said: set | None = None) -> str:
    """The sentence of a monthly indicator whose primary row is the naive step (a series too
    short for the trend model): after compared with before."""
    rr = float(row["estimate"])
    sign = ratio_sign(rr)
    values = dict(label=label, amount=amount(rr),
                  ci=ratio_interval(row["ci_low"], row["ci_high"]))
    if sign == 0:
        change = _("{label} was the same after the programme as before").format(**values)
    elif sign < 0:
        change = _("{label} was {amount} lower after the programme than before").format(
            **values)
    else:
        change = _("{label} was {amount} higher after the programme than before").format(
            **values)
    return _("{change} (95% CI {ci}; the series is too short for the trend model, so this "
             "ignores any trend); {averages}; {evidence}").format(
        change=change, ci=values["ci"], averages=averages(row, unit),
        evidence=significance_clause(row, family, settings, said=said))


def too_few_sentence(row, label: str, unit: str, family: Family | int | None, *,
                     exact: pd.Series | None = None, with_note: bool = True,
                     settings: AnalysisSettings = PLAN, said: set | None = None) -> str:
    """A monthly indicator without enough data for its primary estimate: why, the two rates
    in their unit and, when the analysis wrote it, the exact comparison of the two rates
    (descriptive: it ignores the trend before the programme)."""
    note, _lang = note_words(row)
    why = (_("not enough data for the trend model: {note}").format(note=note)
           if note and with_note else _("not enough data for the trend model"))
    text = _("{label}: {why}").format(label=label, why=why)
    before, after = row["pre_value"], row["post_value"]
    if exact is not None and exact["status"] == "ok" and not missing(exact["ci_low"]):
        values = dict(before=rate_text(exact["pre_value"], unit),
                      after=rate_text(exact["post_value"], unit), change=exact_change(exact))
        text += "; " + (_("it went from {before} before to {after} after ({change}): an "
                          "exact comparison of the two rates, a description that ignores the "
                          "trend before the programme, not evidence of an effect")
                        if first_time(said, "exact") else
                        _("it went from {before} before to {after} after ({change}; exact "
                          "comparison, descriptive)")).format(**values)
    elif finite(before) and finite(after):
        text += "; " + averages(row, unit)
    if is_confirmatory(row, settings):
        text += "; " + _("counted with p = 1 {adjusting}").format(
            adjusting=adjusting_for(family) if first_time(said, "family")
            else _("after adjustment (Holm)"))
    return text + "."


def kpi_sentence(row, label: str, unit: str, family: Family | int | None = None, *,
                 settings: AnalysisSettings = PLAN, exact: pd.Series | None = None,
                 placebo_p: object = None, last_month: str | None = None,
                 trend_end: object = None, with_note: bool = True,
                 said: set | None = None) -> str:
    """The sentence of a monthly indicator's primary row (see the module docstring)."""
    if not estimated(row):
        return too_few_sentence(row, label, unit, family, exact=exact, with_note=with_note,
                                settings=settings, said=said)
    if row["method"] in EFFECT_END:
        text = effect_end_sentence(row, label, unit, family, settings=settings,
                                   last_month=last_month, trend_end=trend_end, said=said)
    else:
        text = step_sentence(row, label, unit, family, settings=settings, said=said)
    return text + placebo_warning(placebo_p)


def five_s_sentence(row, five_s: pd.DataFrame | None = None) -> str:
    """The description of the 5S index from the first to the last audit (not a test)."""
    est = float(row["estimate"])
    first_date = last_date = ""
    if five_s is not None and not five_s.empty:
        idx = five_s.dropna(subset=["five_s_index"]).sort_values("audit_date")
        if len(idx) >= 2:
            first_date, last_date = day(idx.iloc[0]["audit_date"]), day(idx.iloc[-1]["audit_date"])
    values = dict(points=fmt(abs(est), 2), before=fmt(row["pre_value"], 2),
                  after=fmt(row["post_value"], 2))
    if est > 0:
        text = _("5S: the 5S index rose by {points} points out of 100, from {before} at the "
                 "first audit to {after} at the last")
    elif est < 0:
        text = _("5S: the 5S index fell by {points} points out of 100, from {before} at the "
                 "first audit to {after} at the last")
    else:
        text = _("5S: the 5S index was {before} out of 100 at the first audit and the same at "
                 "the last")
    text = text.format(**values)
    if first_date:
        text += " " + _("({first} and {last})").format(first=first_date, last=last_date)
    return text + _("; one pair of audits describes the workplace and is not a test of the "
                    "programme's effect.")


def _scale_end(v: float) -> str:
    from ..formatting import decimal

    return decimal(v, 0) if float(v).is_integer() else fmt(v)


def survey_sentence(row, label: str, scale: tuple[float, float],
                    family: Family | int | None = None, *,
                    settings: AnalysisSettings = PLAN, said: set | None = None) -> str:
    """The sentence of a survey construct's primary row: the mean change of the t test."""
    est = float(row["estimate"])
    paired = row["method"] == "paired_t"
    values = dict(label=label, points=fmt(abs(est), 2), lo=_scale_end(scale[0]),
                  hi=_scale_end(scale[1]),
                  before=fmt(row["pre_value"], 3), after=fmt(row["post_value"], 3),
                  ci=_("{a} to {b}").format(a=fmt_signed(row["ci_low"]),
                                            b=fmt_signed(row["ci_high"])))
    if est > 0:
        text = _("{label}: the mean score rose by {points} points on the {lo} to {hi} scale")
    elif est < 0:
        text = _("{label}: the mean score fell by {points} points on the {lo} to {hi} scale")
    else:
        text = _("{label}: the mean score was the same before and after on the {lo} to {hi} "
                 "scale")
    means = (_("mean {before} before, {after} after, the same workers in both surveys; "
               "95% CI {ci}") if paired else
             _("mean {before} before, {after} after, all respondents of each survey; "
               "95% CI {ci}"))
    return (text.format(**values) + " (" + means.format(**values) + "); "
            + significance_clause(row, family, settings, said=said))


def summary_sentence(row: pd.Series, *, output_unit: object = None,
                     codebook: pd.DataFrame | None = None,
                     five_s: pd.DataFrame | None = None, family: Family | int | None = None,
                     settings: AnalysisSettings = PLAN, exact: pd.Series | None = None,
                     placebo_p: object = None, last_month: str | None = None,
                     trend_end: object = None, with_note: bool = True,
                     said: set | None = None) -> str:
    """One plain-language sentence (plain text, not yet escaped) for a primary result row.

    ``family``: the enterprise's confirmatory family (its size is said with every adjusted
    p); ``exact``: the indicator's ``rate_ratio_exact`` row; ``placebo_p``: the placebo's p
    when it is below the plan's alpha (the warning); ``last_month``/``trend_end``: the last
    month of the series and where the earlier trend pointed then (from the chart's lines).
    ``with_note=False`` leaves the analysis's note out of the sentence.  ``said``: what
    the page has explained already (the size of the family, what an exploratory estimate
    or the exact comparison is), said in full only the first time; None: always in full.
    """
    domain, indicator = row["domain"], row["indicator"]
    label = indicator_label(domain, indicator)
    if domain == "survey":
        label = _("{label} (worker survey)").format(label=label)
    status = row["status"]
    if status == "not_reported":
        if domain == "kpi":
            return _("{label}: not tracked by the enterprise.").format(label=label)
        return _("{label}: no data recorded.").format(label=label)
    if status == "suppressed":
        return _("{label}: fewer than {n} respondents, so nothing is shown, to protect the "
                 "workers' privacy.").format(label=label, n=settings.min_cell)
    if domain == "kpi":
        return kpi_sentence(row, label, indicator_unit(indicator, output_unit), family,
                            settings=settings, exact=exact, placebo_p=placebo_p,
                            last_month=last_month, trend_end=trend_end, with_note=with_note,
                            said=said)
    if not estimated(row):
        note, _lang = note_words(row)
        if note and with_note:
            return _("{label}: not enough data to estimate a change ({note}).").format(
                label=label, note=note)
        return _("{label}: not enough data to estimate a change.").format(label=label)
    if domain == "five_s":
        return five_s_sentence(row, five_s)
    return survey_sentence(row, label, scale_of(codebook if codebook is not None
                                                else pd.DataFrame(), indicator), family,
                           settings=settings, said=said)


__all__ = ["EFFECT_END", "averages", "effect_end_sentence", "estimated", "five_s_sentence",
           "kpi_sentence", "placebo_warning", "rates_moved", "scale_of",
           "step_sentence", "summary_sentence", "survey_sentence", "too_few_sentence"]
