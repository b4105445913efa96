"""The executive summary: the confirmatory family, one sentence per indicator and the key
results table.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ...i18n import gettext as _
from ...settings import PLAN, AnalysisSettings
from ..answers import robustness
from ..formatting import fmt, fmt_plain, fmt_signed, signed_percent
from ..loading import EnterpriseData, primary_rows, result_row
from ..rendering import Html, in_each_language, render
from ..wording import (
    EFFECT_END,
    direction_name,
    estimated,
    evidence,
    exact_short,
    family_of,
    finite,
    indicator_label,
    indicator_unit,
    is_confirmatory,
    lead_sentence,
    p_holm_text,
    p_unadjusted_text,
    rate_text,
    summary_sentence,
    times_text,
)

_ARROW = {1: "▲", -1: "▼", 0: "●"}


def sign_of(row) -> int:
    """The direction of a row's estimate: -1, 0 or +1 (a ratio's against 1)."""
    est = float(row["estimate"])
    if row["estimate_scale"] in ("rate_ratio", "slope_ratio"):
        return (int(np.sign(math.log(est))) if math.isfinite(est) else 1) if est > 0 else 0
    return int(np.sign(est))


def marker(row, settings: AnalysisSettings = PLAN) -> tuple[str, str]:
    """(css class, text) of the result marker of a primary row: the verdict of a
    confirmatory outcome, ``exploratory`` for the other estimates, ``described`` for 5S."""
    status = row["status"]
    if status == "not_reported":
        return "na", _("not tracked") if row["domain"] == "kpi" else _("no data")
    if status == "suppressed":
        return "na", _("fewer than {n} respondents").format(n=settings.min_cell)
    if not estimated(row):
        return "na", _("not enough data")
    arrow = _ARROW[sign_of(row)]
    if row["domain"] == "five_s":
        return "described", f"{arrow} " + _("described, not tested")
    if not is_confirmatory(row, settings):
        return "exploratory", f"{arrow} " + _("exploratory")
    direction = row["direction"] if isinstance(row["direction"], str) else "inconclusive"
    if direction in ("improved", "worsened"):
        return direction, f"{arrow} {direction_name(direction)}"
    return "inconclusive", f"{arrow} " + _("not significant (Holm)")


def short_note(row, settings: AnalysisSettings = PLAN) -> str:
    """Why a row has no estimate, in a few words."""
    if row["status"] == "not_reported":
        return _("not tracked") if row["domain"] == "kpi" else _("no data")
    if row["status"] == "suppressed":
        return _("fewer than {n} respondents").format(n=settings.min_cell)
    return _("not enough data")


def _measure(row, unit: str = "") -> str:
    method = row["method"]
    unit = f"{unit} · " if unit and unit != "%" else ""
    if method == "cits_effect_end":
        return unit + _("at the last month vs. the trend before and the comparison "
                        "enterprises")
    if method in EFFECT_END:
        return unit + _("at the last month vs. the trend before")
    if method == "rate_ratio_step":
        return unit + _("after vs. before (short series)")
    if row["domain"] == "five_s":
        return _("5S index (0-100), first vs. last audit")
    if method == "paired_t":
        return _("mean score, same workers")
    return _("mean score, all respondents")


def _interval(low, high, show) -> str:
    if not (finite(low) and finite(high)):
        return ""
    return _("{a} to {b}").format(a=show(low), b=show(high))


def _change_cells(row, unit: str, exact: pd.Series | None) -> tuple[str, str, str, str]:
    """(before, after, change, 95% CI) of a primary row, as text: the rates of a monthly
    indicator always, in its unit; its change from the primary row, or from the exact
    comparison of the two rates (marked as such) when the model had too few events."""
    if row["domain"] == "kpi":
        before = rate_text(row["pre_value"], unit)
        after = rate_text(row["post_value"], unit)
        if estimated(row):
            return (before, after, signed_percent(row["estimate"]),
                    _interval(row["ci_low"], row["ci_high"], signed_percent))
        if exact is not None and exact["status"] == "ok" and finite(exact["ci_low"]):
            return (rate_text(exact["pre_value"], unit), rate_text(exact["post_value"], unit),
                    _("{change} (exact)").format(change=exact_short(exact)),
                    _interval(exact["ci_low"], exact["ci_high"], times_text)
                    if finite(exact["ci_high"]) else
                    _("from {low}").format(low=times_text(exact["ci_low"])))
        return before, after, "", ""
    if not estimated(row):
        return "", "", "", ""
    return (fmt(row["pre_value"]), fmt(row["post_value"]), fmt_signed(row["estimate"]),
            _interval(row["ci_low"], row["ci_high"], fmt_signed) or "—")


def _result_sub(row, settings, has_exact: bool = False) -> str:
    """The second line of the Result cell: the adjusted p of a confirmatory outcome with its
    evidence, the unadjusted p of an exploratory estimate."""
    if row["domain"] == "five_s":
        return ""
    if not estimated(row):
        return (_("exact comparison of the rates: a description") if has_exact
                else "")
    if not is_confirmatory(row, settings):
        return p_unadjusted_text(row["p_value"])
    p = row["p_holm"]
    if not finite(p):
        return ""
    if float(p) < settings.alpha:
        return _("{evidence} evidence, {p}").format(evidence=evidence(p, settings),
                                                    p=p_holm_text(p))
    return p_holm_text(p)


def _summary_rows(data: EnterpriseData) -> list[list]:
    settings = data.settings
    rows = []
    for _i, r in primary_rows(data.results).iterrows():
        unit = (indicator_unit(r["indicator"], data.enterprise.get("output_unit"))
                if r["domain"] == "kpi" else "")
        exact = result_row(data.results, r["indicator"], "rate_ratio_exact")
        before, after, change, ci = _change_cells(r, unit, exact)
        cls, mark = marker(r, settings)
        measure = _measure(r, unit) if estimated(r) else short_note(r, settings)
        rows.append([{"text": indicator_label(r["domain"], r["indicator"]), "sub": measure},
                     {"text": before, "label": _("Before")},
                     {"text": after, "label": _("After")},
                     {"text": change, "label": _("Change")},
                     {"text": ci, "label": _("95% CI")},
                     {"text": mark, "cls": "mark " + cls,
                      "sub": _result_sub(r, settings, bool(change))}])
    return rows


def summary_table(data: EnterpriseData) -> Html:
    """The compact table of every primary result: before, after, change, CI, result."""
    return render("sections/summary_table.html", rows=_summary_rows(data),
                  alpha=fmt_plain(data.settings.alpha), controlled=data.controlled)


def kpi_lines_end(lines: pd.DataFrame, indicator: str) -> tuple[str | None, float | None]:
    """(last month, the trend before the programme continued to it) of one indicator's
    chart lines (None when the chart has no such line)."""
    if lines.empty:
        return None, None
    own = lines[lines["indicator"] == indicator].sort_values("month")
    if own.empty:
        return None, None
    last = own.iloc[-1]
    trend = last["counterfactual"] if "counterfactual" in own else None
    return str(last["month"]), (float(trend) if finite(trend) else None)


def sentence_of(data: EnterpriseData, row, *, family=None, with_note: bool = True,
                said: set | None = None) -> str:
    """The summary sentence of one primary row, with everything the sentence needs from the
    enterprise's tables: the confirmatory family, the exact comparison of sparse counts,
    the placebo warning, the last month and where the earlier trend pointed then."""
    settings = data.settings
    family = family if family is not None else family_of(data.results, settings)
    extra = {}
    if row["domain"] == "kpi":
        answer = robustness(data.results, row["indicator"], settings)
        last_month, trend_end = kpi_lines_end(data.lines, row["indicator"])
        extra = dict(exact=result_row(data.results, row["indicator"], "rate_ratio_exact"),
                     placebo_p=answer.placebo_p if answer and answer.placebo_unstable
                     else None, last_month=last_month if row["method"] in EFFECT_END
                     else None, trend_end=trend_end)
    return summary_sentence(row, output_unit=data.enterprise.get("output_unit"),
                            codebook=data.codebook, five_s=data.five_s, family=family,
                            settings=settings, with_note=with_note, said=said, **extra)


def _sentences(data: EnterpriseData) -> list[dict]:
    family = family_of(data.results, data.settings)
    said: set = set()  # each explanation in full once on the page, then briefly
    out = []
    for _i, r in primary_rows(data.results).iterrows():
        cls, _m = marker(r, data.settings)
        out.append({"cls": cls, "text": sentence_of(data, r, family=family, said=said),
                    "indicator": r["indicator"]})
    return out


@in_each_language
def executive_summary(data: EnterpriseData) -> Html:
    """Section 2: the confirmatory family, one plain sentence per indicator, the caveat and
    the key results table."""
    return render("sections/summary.html", lead=lead_sentence(data.results, data.settings),
                  sentences=_sentences(data), table=summary_table(data),
                  **caveat_values(data.results, data.settings))


def caveat_values(results: pd.DataFrame, settings: AnalysisSettings = PLAN) -> dict:
    """What the "How to read these results" box needs: the plan's thresholds in the page's
    locale, and whether a primary result is controlled by comparison enterprises."""
    controlled = (not results.empty and bool(
        (results["primary"].astype(bool) & results["method"].astype(str).str.startswith("cits_")
         & (results["status"] == "ok")).any()))
    return {"alpha": fmt_plain(settings.alpha), "strong": fmt_plain(settings.strong_evidence),
            "controlled": controlled}
