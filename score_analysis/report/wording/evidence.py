"""Evidence in words: p-values labelled adjusted or not, the confirmatory family.

The plan (``docs/analysis_plan.md``, version 3) fixes the confirmatory outcomes: the
programme's expected improvements (``settings.confirmatory``).  Their primary rows of one
enterprise form the family that Holm's method adjusts (rows planned but without enough data
count with p = 1); only they get a verdict (``direction``), and their p-values are shown as
adjusted.  Every other primary row is an exploratory estimate, shown with its unadjusted
p-value and no verdict.  The words read the columns the analysis wrote (``confirmatory``,
``p_holm``, ``direction``); they never judge a result themselves.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ...i18n import gettext as _
from ...i18n import ngettext
from ...settings import PLAN, AnalysisSettings
from ..formatting import fmt_p, join_words, missing
from .names import in_sentence, indicator_name

#: Statuses of the primary rows that the adjustment counts (a planned row that could not be
#: estimated counts with p = 1).
FAMILY_STATUSES = ("ok", "insufficient_data")


def evidence_level(p: object, settings: AnalysisSettings = PLAN) -> str:
    """``strong`` (below ``settings.strong_evidence``), ``moderate`` (below
    ``settings.alpha``) or ``none`` from an adjusted p-value (not translated)."""
    try:
        v = float(p)
    except (TypeError, ValueError):
        return "none"
    if not np.isfinite(v):
        return "none"
    return ("strong" if v < settings.strong_evidence else "moderate" if v < settings.alpha
            else "none")


def evidence(p: object, settings: AnalysisSettings = PLAN) -> str:
    """``strong``, ``moderate`` or ``not significant`` (translated) from an adjusted p."""
    level = evidence_level(p, settings)
    return {"strong": _("strong"), "moderate": _("moderate")}.get(level, _("not significant"))


def p_holm_text(p: object) -> str:
    """``p (Holm) = 0.012`` / ``p (Holm) < 0.001``: an adjusted p, labelled; blank when
    missing."""
    text = fmt_p(p)
    if not text:
        return ""
    return _("p (Holm) {p}").format(p=text if text.startswith("<") else "= " + text)


def p_text(p: object) -> str:
    """``p = 0.012`` / ``p < 0.001`` (unadjusted)."""
    text = fmt_p(p)
    if not text:
        return ""
    return "p " + (text if text.startswith("<") else "= " + text)


def p_unadjusted_text(p: object) -> str:
    """``p = 0.012 (unadjusted)``; blank when missing."""
    text = p_text(p)
    return _("{p} (unadjusted)").format(p=text) if text else ""


def is_confirmatory(row, settings: AnalysisSettings = PLAN) -> bool:
    """Whether a results row belongs to the confirmatory family: its ``confirmatory`` column,
    else (tables written before the column existed) a primary row of a confirmatory
    indicator of ``settings``."""
    value = row.get("confirmatory") if hasattr(row, "get") else None
    if value is not None and not missing(value):
        return bool(value) if not isinstance(value, str) else value.lower() == "true"
    return bool(row["primary"]) and settings.is_confirmatory(str(row["indicator"]))


@dataclass(frozen=True)
class Family:
    """The confirmatory family of one enterprise (or of the pooled rows).

    ``planned``: the plan's confirmatory outcomes that this enterprise's results have rows
    for; ``members``: those adjusted together (Holm), in the order of the results;
    ``left_out``: ``(indicator, status)`` of the planned ones outside the adjustment (not
    tracked, or suppressed for privacy).
    """

    planned: tuple[str, ...]
    members: tuple[str, ...]
    left_out: tuple[tuple[str, str], ...]

    @property
    def size(self) -> int:
        """How many outcomes share the adjustment."""
        return len(self.members)


def family_of(results: pd.DataFrame, settings: AnalysisSettings = PLAN) -> Family:
    """The confirmatory family of a results table (one enterprise's rows, or pooled rows):
    ``planned`` are the plan's confirmatory indicators (``settings.confirmatory``) that have
    a row, ``members`` those whose primary row is in the family
    (:func:`is_confirmatory`: the ``confirmatory`` column the analysis wrote)."""
    if results.empty:
        return Family((), (), ())
    prim = results[results["primary"].astype(bool)]
    planned = tuple(i for i in settings.confirmatory if i in set(results["indicator"]))
    inside = {r["indicator"] for _i, r in prim.iterrows()
              if r["indicator"] in planned and is_confirmatory(r, settings)
              and r["status"] in FAMILY_STATUSES}
    members = tuple(i for i in planned if i in inside)
    # an indicator outside the family: why, from its primary row (or any row when none of
    # its rows is primary, e.g. a KPI that is not tracked)
    status = dict(zip(results["indicator"], results["status"], strict=False))
    status.update(zip(prim["indicator"], prim["status"], strict=False))
    left_out = tuple((i, status[i]) for i in planned if i not in inside)
    return Family(planned, members, left_out)


def family_size(results: pd.DataFrame, settings: AnalysisSettings = PLAN) -> int | None:
    """How many confirmatory outcomes share one enterprise's Holm adjustment (None: none)."""
    return family_of(results, settings).size or None


def adjusting_for(family: Family | int | None) -> str:
    """``after adjusting for the 6 confirmatory outcomes (Holm)``."""
    n = family.size if isinstance(family, Family) else family
    if not n:
        return _("after adjusting for the confirmatory outcomes (Holm)")
    return ngettext("after adjusting for the {n} confirmatory outcome (Holm)",
                    "after adjusting for the {n} confirmatory outcomes (Holm)", n).format(n=n)


def first_time(said: set | None, key: str) -> bool:
    """Whether an explanation is given here in full: always without a record of what the
    page has said (``said`` None), else only the first time (and recorded)."""
    if said is None:
        return True
    if key in said:
        return False
    said.add(key)
    return True


#: The explanations a page gives once in full (then briefly): the size of the family, "so it
#: could be chance", what an exploratory estimate is, what the exact comparison is.
EXPLANATIONS = frozenset({"family", "exploratory", "exact"})


def significance_clause(row, family: Family | int | None,
                        settings: AnalysisSettings = PLAN, *, said: set | None = None) -> str:
    """How the evidence of a primary row reads: for a confirmatory outcome from its
    Holm-adjusted p (labelled adjusted; the first time on a page with the size of the
    family and "so it could be chance"); for any other row as an exploratory estimate with
    its unadjusted p (explained the first time).  ``said`` records what the page has
    explained already (see :func:`first_time`)."""
    if not is_confirmatory(row, settings):
        p = p_text(row["p_value"])
        if not first_time(said, "exploratory"):
            return (_("exploratory: {p} (unadjusted).").format(p=p) if p else
                    _("exploratory, no p-value."))
        if not p:
            return _("an exploratory estimate, outside the confirmatory outcomes.")
        return _("an exploratory estimate, outside the confirmatory outcomes: {p}, not "
                 "adjusted for multiple testing.").format(p=p)
    p_holm = row["p_holm"]
    level = evidence_level(p_holm, settings)
    full = first_time(said, "family")
    adjusting = adjusting_for(family) if full else _("after adjustment (Holm)")
    if level == "strong":
        return _("the evidence is strong {adjusting}: {p_holm}.").format(
            adjusting=adjusting, p_holm=p_holm_text(p_holm))
    if level == "moderate":
        return _("the evidence is moderate {adjusting}: {p_holm}.").format(
            adjusting=adjusting, p_holm=p_holm_text(p_holm))
    raw = float(row["p_value"]) if not missing(row["p_value"]) else float("nan")
    if np.isfinite(raw) and raw < settings.alpha:
        if not full:
            return _("significant on its own ({p}) but not {adjusting}: {p_holm}.").format(
                p=p_text(raw), adjusting=adjusting, p_holm=p_holm_text(p_holm))
        return _("this is significant on its own ({p}) but not {adjusting}: {p_holm}, so it "
                 "could be chance.").format(p=p_text(raw), adjusting=adjusting,
                                            p_holm=p_holm_text(p_holm))
    if not full:
        return _("not significant {adjusting}: {p_holm}.").format(adjusting=adjusting,
                                                                 p_holm=p_holm_text(p_holm))
    return _("this is not significant {adjusting}: {p_holm}, so it could be chance.").format(
        adjusting=adjusting, p_holm=p_holm_text(p_holm))


def family_sentence(family: Family, results: pd.DataFrame,
                    settings: AnalysisSettings = PLAN) -> str:
    """The enterprise's confirmatory family and what became of it: ``Of the 6 confirmatory
    outcomes (the programme's expected improvements, adjusted together, Holm), 2 improved,
    0 worsened, 3 changed by amounts that could be chance and 1 had too little data to
    estimate (counted with p = 1).``  Outcomes outside the adjustment are named with why."""
    if not family.planned:
        return _("This enterprise has none of the plan's confirmatory outcomes: every result "
                 "below is an exploratory estimate with its unadjusted p-value.")
    prim = results[results["primary"].astype(bool) & results["indicator"].isin(family.members)]
    ok = prim[prim["status"] == "ok"]
    counts = ok["direction"].value_counts() if not ok.empty else pd.Series(dtype=int)
    short = int((prim["status"] == "insufficient_data").sum())
    text = ngettext(
        "Of the {n} confirmatory outcome of the plan (the programme's expected improvement), "
        "{m} could be judged here, adjusted for multiple testing (Holm)",
        "Of the {n} confirmatory outcomes of the plan (the programme's expected "
        "improvements), {m} could be judged here, adjusted together for multiple testing "
        "(Holm)", len(family.planned)).format(n=len(family.planned), m=family.size)
    text += ": " + _("{improved} improved, {worsened} worsened, {unclear} changed by amounts "
                     "that could be chance").format(
        improved=int(counts.get("improved", 0)), worsened=int(counts.get("worsened", 0)),
        unclear=int(counts.get("inconclusive", 0)))
    if short:
        text += " " + ngettext("and {n} had too little data (counted with p = 1)",
                               "and {n} had too little data (counted with p = 1)",
                               short).format(n=short)
    text += "."
    if family.left_out:
        reasons = {"not_reported": _("not tracked"),
                   "suppressed": _("fewer than {n} respondents").format(n=settings.min_cell)}
        text += " " + _("Not judged: {items}.").format(items=join_words([
            _("{name} ({why})").format(name=in_sentence(indicator_name(i)),
                                       why=reasons.get(s, _("no data")))
            for i, s in family.left_out]))
    return text


def exploratory_sentence(results: pd.DataFrame, family: Family,
                         settings: AnalysisSettings = PLAN) -> str:
    """What the other primary results are: exploratory estimates with unadjusted p."""
    prim = results[results["primary"].astype(bool)] if not results.empty else results
    others = [i for i, d, m in zip(prim["indicator"], prim["domain"], prim["method"],
                                   strict=True)
              if i not in family.planned and d != "five_s"] if not prim.empty else []
    if not others:
        return ""
    return ngettext(
        "The other {n} indicator is an exploratory estimate with its unadjusted p-value and "
        "no verdict; 5S is described, not tested.",
        "The other {n} indicators are exploratory estimates with their unadjusted p-values "
        "and no verdict; 5S is described, not tested.", len(others)).format(n=len(others))
