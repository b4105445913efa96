"""The executive summary: the result marker of each primary row, one sentence per indicator and the
key results table.
"""

from __future__ import annotations

import math

import numpy as np

from ...i18n import current_language
from ...i18n import gettext as _
from ..formatting import (
    fmt,
    fmt_signed,
    missing,
    signed_percent,
)
from ..loading import EnterpriseData, primary_rows
from ..rendering import Html, in_each_language, render
from ..wording import (
    PRIVACY_MIN,
    analysis_note,
    direction_name,
    evidence,
    family_size,
    indicator_label,
    indicator_unit,
    p_holm_text,
    summary_sentence,
)

_ARROW = {1: "▲", -1: "▼", 0: "●"}


def sign_of(row) -> int:
    est = float(row["estimate"])
    if row["estimate_scale"] in ("rate_ratio", "slope_ratio"):
        return int(np.sign(math.log(est))) if est > 0 else 0
    return int(np.sign(est))


def marker(row) -> tuple[str, str]:
    """(css class, text) of the result marker of a primary row."""
    status = row["status"]
    if status == "not_reported":
        return "na", _("not tracked") if row["domain"] == "kpi" else _("no data")
    if status == "suppressed":
        return "na", _("fewer than {n} respondents").format(n=PRIVACY_MIN)
    if status != "ok" or missing(row["estimate"]) or not np.isfinite(float(row["estimate"])):
        return "na", _("not enough data")
    arrow = _ARROW[sign_of(row)]
    direction = row["direction"] if isinstance(row["direction"], str) else "inconclusive"
    if direction == "not_tested":
        return "described", f"{arrow} " + _("described, not tested")
    if direction == "inconclusive":
        return "inconclusive", f"{arrow} " + _("not significant (Holm)")
    return direction, f"{arrow} {direction_name(direction)}"


def short_note(row) -> str:
    """Why a row has no estimate, in a few words."""
    if row["status"] == "not_reported":
        return _("not tracked") if row["domain"] == "kpi" else _("no data")
    if row["status"] == "suppressed":
        return _("fewer than {n} respondents").format(n=PRIVACY_MIN)
    return _("not enough data")


def _measure(row, unit: str = "") -> str:
    method = row["method"]
    unit = f"{unit} · " if unit and unit != "%" else ""
    if method.startswith("its_level"):
        return unit + _("step at programme start vs. earlier trend")
    if method == "rate_ratio_step":
        return unit + _("after vs. before")
    if row["domain"] == "five_s":
        return _("5S index (0-100), first vs. last audit")
    if method == "paired_t":
        return _("mean score, same workers")
    return _("mean score, all respondents")


def _change_cells(row, unit: str) -> tuple[str, str, str, str]:
    """(before, after, change, 95% CI) of a primary row, as text."""
    if row["status"] != "ok" or missing(row["estimate"]):
        return "", "", "", ""
    finite = not missing(row["ci_low"]) and np.isfinite(float(row["ci_low"]))
    if row["domain"] == "kpi":
        ci = (_("{a} to {b}").format(a=signed_percent(row["ci_low"]),
                                     b=signed_percent(row["ci_high"])) if finite else "")
        pct = "%" if unit.startswith("%") else ""
        return (fmt(row["pre_value"]) + pct, fmt(row["post_value"]) + pct,
                signed_percent(row["estimate"]), ci)
    ci = (_("{a} to {b}").format(a=fmt_signed(row["ci_low"]), b=fmt_signed(row["ci_high"]))
          if finite else "—")
    return (fmt(row["pre_value"]), fmt(row["post_value"]), fmt_signed(row["estimate"]), ci)


def _summary_rows(data: EnterpriseData) -> list[list]:
    rows = []
    for _i, r in primary_rows(data.results).iterrows():
        unit = (indicator_unit(r["indicator"], data.enterprise.get("output_unit"))
                if r["domain"] == "kpi" else "")
        before, after, change, ci = _change_cells(r, unit)
        cls, mark = marker(r)
        p = r["p_holm"] if r["status"] == "ok" and not missing(r["p_holm"]) else np.nan
        level = evidence(p)
        ev = ""
        if not missing(p):
            ev = (_("{evidence} evidence, {p}").format(evidence=level, p=p_holm_text(p))
                  if float(p) < 0.05 else p_holm_text(p))
        measure = _measure(r, unit) if r["status"] == "ok" else short_note(r)
        rows.append([{"text": indicator_label(r["domain"], r["indicator"]), "sub": measure},
                     {"text": before, "label": _("Before")},
                     {"text": after, "label": _("After")},
                     {"text": change, "label": _("Change")},
                     {"text": ci, "label": _("95% CI")},
                     {"text": mark, "cls": "mark " + cls, "sub": ev}])
    return rows


def summary_table(data: EnterpriseData) -> Html:
    """The compact table of every primary result: before, after, change, CI, result."""
    return render("sections/summary_table.html", rows=_summary_rows(data))


def _sentences(data: EnterpriseData) -> list[dict]:
    family = family_size(data.results)
    english = current_language() == "en"
    out = []
    for _i, r in primary_rows(data.results).iterrows():
        cls, _m = marker(r)
        out.append({"cls": cls, "text": summary_sentence(
            r, output_unit=data.enterprise.get("output_unit"), codebook=data.codebook,
            five_s=data.five_s, family=family, with_note=english),
            "note": "" if english else analysis_note(r)})
    return out


@in_each_language
def executive_summary(data: EnterpriseData) -> Html:
    """Section 2: one plain sentence per indicator, the caveat and the key results table."""
    from ..wording import lead_sentence

    return render("sections/summary.html", lead=lead_sentence(data.results),
                  sentences=_sentences(data), table=summary_table(data))
