"""Headlines: the lead of an enterprise's summary, the index lines, the synthesis headline.

A headline leads with what changed (the estimates of the confirmatory outcomes, in their
own terms), and gives the verdict of the adjustment after it; it never leads with a count
of significance verdicts.  Verdicts are read from ``direction`` (``results.csv``,
``pooled.csv``), never judged here.
"""

from __future__ import annotations

import pandas as pd

from ...i18n import gettext as _
from ...settings import PLAN, AnalysisSettings
from ..formatting import fmt_signed, join_words, signed_percent
from .changes import finite
from .evidence import exploratory_sentence, family_of, family_sentence, is_confirmatory
from .names import in_sentence, indicator_label

#: The order in which verdicts are listed in a headline.
VERDICT_ORDER = ("improved", "worsened", "inconclusive")


def lead_sentence(results: pd.DataFrame, settings: AnalysisSettings = PLAN) -> str:
    """The lead of an enterprise's summary: the confirmatory family and what became of it,
    then what the other indicators are."""
    family = family_of(results, settings)
    text = family_sentence(family, results, settings)
    rest = exploratory_sentence(results, family, settings)
    return text + (" " + rest if rest else "")


def change_words(row) -> str:
    """A row's estimate as a short signed change (``−34%``, ``×2.9``, ``+0.41 points``);
    blank without an estimate (or with a status other than ``ok``)."""
    status = row.get("status", "ok")
    if (isinstance(status, str) and status != "ok") or not finite(row["estimate"]):
        return ""
    if row["estimate_scale"] in ("rate_ratio", "slope_ratio"):
        return signed_percent(row["estimate"])
    return _("{change} points").format(change=fmt_signed(row["estimate"]))


def verdict_words(direction: object) -> str:
    """The verdict of a confirmatory row in a headline's brackets."""
    return {"improved": _("improved after adjustment"),
            "worsened": _("worsened after adjustment"),
            "inconclusive": _("could be chance")}.get(direction, "")


def _grouped(rows: list[tuple[str, str, str]]) -> str:
    """``reject rate −34%, absenteeism −20% (improved after adjustment); …`` from
    (label, change, direction) in the order of :data:`VERDICT_ORDER`."""
    parts = []
    for verdict in VERDICT_ORDER:
        items = [f"{label} {change}" for label, change, d in rows if d == verdict]
        if items:
            parts.append(_("{items} ({verdict})").format(items=join_words(items),
                                                         verdict=verdict_words(verdict)))
    return "; ".join(parts)


def headline(results: pd.DataFrame, settings: AnalysisSettings = PLAN) -> str:
    """A one-line summary of one enterprise's primary results (for the index): the change
    of each confirmatory outcome (monthly indicators at the last month against the trend
    before the programme; survey constructs in points), then its verdict."""
    if results.empty:
        return _("No result was estimated.")
    prim = results[results["primary"].astype(bool)]
    family = family_of(results, settings)
    rows = []
    for _i, r in prim.iterrows():
        if r["indicator"] not in family.members or not change_words(r):
            continue
        rows.append((in_sentence(indicator_label(r["domain"], r["indicator"])), change_words(r),
                     r["direction"] if isinstance(r["direction"], str) else ""))
    if not rows:
        return _("No confirmatory outcome could be estimated.")
    text = _grouped(rows)
    kpi = [r["method"] for _i, r in prim.iterrows()
           if r["domain"] == "kpi" and r["indicator"] in family.members and change_words(r)]
    if kpi and all(m == "cits_effect_end" for m in kpi):
        text += ". " + _("Monthly indicators at the last month, against the trend before the "
                         "programme and the comparison enterprises.")
    elif kpi:
        text += ". " + _("Monthly indicators at the last month, against the trend before the "
                         "programme.")
    else:
        text += "."
    return text[0].upper() + text[1:]


def pooled_direction(row) -> str:
    """The direction of a pooled row as ``pooled.csv`` records it (never recomputed here);
    ``not_tested`` when the table has no verdict for it."""
    value = row.get("direction") if hasattr(row, "get") else getattr(row, "direction", None)
    return value if isinstance(value, str) and value else "not_tested"


def synthesis_headline(pooled: pd.DataFrame, settings: AnalysisSettings = PLAN) -> str:
    """A one-line summary of the pooled estimates (for the index): the estimated mean change
    of each confirmatory outcome across the enterprises, then its verdict."""
    if pooled.empty or "estimate" not in pooled or pooled["estimate"].isna().all():
        return _("Too few enterprises to pool any indicator.")
    prim = pooled[pooled["primary"].astype(bool)] if "primary" in pooled else pooled
    order = {name: i for i, name in enumerate(settings.confirmatory)}
    prim = prim.iloc[sorted(range(len(prim)),
                            key=lambda i: order.get(prim["indicator"].iloc[i], len(order)))]
    rows = []
    for _i, r in prim.iterrows():
        if not change_words(r) or not is_confirmatory(r, settings):
            continue
        rows.append((in_sentence(indicator_label(r["domain"], r["indicator"])),
                     change_words(r), pooled_direction(r)))
    if not rows:
        return _("No confirmatory outcome could be pooled.")
    k = int(pd.to_numeric(prim["k"], errors="coerce").max())
    text = _("Mean change across {k} enterprises: {items}.").format(k=k, items=_grouped(rows))
    return text
