"""Indicators (docs/analysis_plan.md §2): monthly KPI rates, 5S scores and survey construct scores.

Pure functions: each takes validated tables and returns a new tidy frame.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..data.contract import PILLARS
from ..data.eid import eid_months


#: Monthly KPI indicators (docs/analysis_plan.md §2): numerator, exposure, display multiplier,
#: unit shown, good direction (+1 up, -1 down), plain-language label.
@dataclass(frozen=True)
class Indicator:
    name: str
    numerator: str
    exposure: str
    multiplier: float
    unit: str
    good_direction: int
    label: str


INDICATORS: dict[str, Indicator] = {
    i.name: i
    for i in (
        Indicator("labour_productivity", "output_units", "worker_hours", 1.0,
                  "units per worker-hour", +1, "Labour productivity"),
        Indicator("reject_rate", "units_rejected", "units_produced", 100.0, "%", -1,
                  "Reject rate"),
        Indicator("rework_rate", "units_reworked", "units_produced", 100.0, "%", -1,
                  "Rework rate"),
        Indicator("absenteeism_rate", "workdays_absent", "workdays_scheduled", 100.0, "%", -1,
                  "Absenteeism"),
        Indicator("suggestion_rate", "suggestions_submitted", "headcount", 100.0,
                  "per 100 workers per month", +1, "Worker suggestions"),
        Indicator("implementation_rate", "suggestions_implemented", "suggestions_submitted",
                  100.0, "%", +1, "Suggestions implemented"),
        Indicator("accident_frequency", "accidents", "worker_hours", 1_000_000.0,
                  "per 1,000,000 hours", -1, "Accident frequency"),
        Indicator("turnover_rate", "separations", "headcount", 100.0, "% per month", -1,
                  "Staff turnover"),
    )
}

MONTHLY_COLUMNS = (
    "enterprise_id", "indicator", "month", "t", "post", "t_after", "eid", "calendar_month",
    "numerator", "exposure", "rate", "value",
)


def month_index(month: pd.Series) -> pd.Series:
    """Months as integers (year * 12 + month - 1), for counting months between two."""
    return month.str.slice(0, 4).astype(int) * 12 + month.str.slice(5, 7).astype(int) - 1


def monthly_indicators(kpi: pd.DataFrame, enterprises: pd.DataFrame) -> pd.DataFrame:
    """Every monthly KPI rate (docs/analysis_plan.md §2), one row per enterprise, indicator
    and month.

    ``rate = numerator / exposure``; ``value = rate * multiplier`` on the scale
    shown in reports (%, per 100 workers, per 1,000,000 hours).  A month whose
    numerator is blank, or whose exposure is blank or zero, is left out of
    that indicator, and an indicator whose columns are absent has no rows.
    ``t`` counts months from the enterprise's first KPI month (gaps keep their
    numbering), ``post = month >= intervention_month``,
    ``t_after = max(0, t - t0)``, ``eid`` = 1 in the month of Idul Fitri.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`MONTHLY_COLUMNS`, sorted by enterprise, indicator, month.
    """
    if kpi.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in MONTHLY_COLUMNS})
    base = kpi.merge(enterprises[["enterprise_id", "intervention_month"]], on="enterprise_id",
                     how="inner")
    idx = month_index(base["month"])
    first = idx.groupby(base["enterprise_id"]).transform("min")
    t = idx - first
    # a comparison enterprise has no programme start (blank): none of its months is "after"
    start = base["intervention_month"].astype(object)
    blank = start.isna() | (start.astype(str).str.strip() == "")
    t0 = month_index(start.where(~blank, "9999-12").astype(str)) - first
    eids = eid_months()
    frames = []
    for ind in INDICATORS.values():
        if ind.numerator not in base or ind.exposure not in base:
            continue  # a KPI column absent from the file: not reported (docs/data_contract.md)
        num = pd.to_numeric(base[ind.numerator], errors="coerce").astype(float)
        exp = pd.to_numeric(base[ind.exposure], errors="coerce").astype(float)
        keep = num.notna() & exp.notna() & (exp > 0)
        if not keep.any():
            continue
        rate = num / exp
        frames.append(pd.DataFrame({
            "enterprise_id": base["enterprise_id"][keep],
            "indicator": ind.name,
            "month": base["month"][keep],
            "t": t[keep].astype(int),
            "post": (t[keep] >= t0[keep]).astype(int),
            "t_after": np.maximum(0, t[keep] - t0[keep]).astype(int),
            "eid": base["month"][keep].isin(eids).astype(int),
            "calendar_month": base["month"][keep].str.slice(5, 7).astype(int),
            "numerator": num[keep],
            "exposure": exp[keep],
            "rate": rate[keep],
            "value": rate[keep] * ind.multiplier,
        }))
    if not frames:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in MONTHLY_COLUMNS})
    out = pd.concat(frames, ignore_index=True)
    return out.sort_values(["enterprise_id", "indicator", "month"], ignore_index=True)


def five_s_items(audits: pd.DataFrame) -> pd.DataFrame:
    """Item percentages of every scored 5S checklist item.

    ``pct = 100 * (score - scale_min) / (scale_max - scale_min)``; items not
    assessed (blank score) are left out.
    """
    scored = audits.dropna(subset=["score"])
    pct = 100.0 * (scored["score"] - scored["scale_min"]) / (
        scored["scale_max"] - scored["scale_min"])
    out = scored[["enterprise_id", "audit_date", "visit", "area", "pillar", "item"]].copy()
    out["pct"] = pct.astype(float)
    return out.sort_values(["enterprise_id", "audit_date", "area", "pillar", "item"],
                           ignore_index=True)


def five_s_pillar_scores(items: pd.DataFrame) -> pd.DataFrame:
    """Pillar score of each audit: the mean item percentage of the pillar over all areas."""
    keys = ["enterprise_id", "audit_date", "visit", "pillar"]
    out = (items.assign(visit=items["visit"].fillna(""))
           .groupby(keys, sort=True, dropna=False)["pct"]
           .agg(score="mean", n_items="count").reset_index())
    out["pillar"] = pd.Categorical(out["pillar"], categories=PILLARS, ordered=True)
    out = out.sort_values(["enterprise_id", "audit_date", "pillar"], ignore_index=True)
    out["pillar"] = out["pillar"].astype(str)
    return out


def five_s_index(pillars: pd.DataFrame) -> pd.DataFrame:
    """5S index of each audit: the mean of its five pillar scores.

    An audit that lacks a pillar gets no index (``NaN``) and ``n_pillars`` says
    how many it had.
    """
    keys = ["enterprise_id", "audit_date", "visit"]
    out = pillars.groupby(keys, sort=True)["score"].agg(["mean", "count"]).reset_index()
    out = out.rename(columns={"mean": "five_s_index", "count": "n_pillars"})
    out.loc[out["n_pillars"] < len(PILLARS), "five_s_index"] = np.nan
    return out


def survey_answers(survey: pd.DataFrame, codebook: pd.DataFrame) -> pd.DataFrame:
    """Survey answers in long form, reverse-coded items turned round (docs/analysis_plan.md §2).

    One row per questionnaire (``response``, its row number in ``survey``) and item
    column of the survey; a reverse-coded answer ``x`` becomes
    ``scale_min + scale_max - x``; a blank answer stays missing.  Item columns not in
    the codebook are ignored (validation reports them).
    """
    id_cols = ["enterprise_id", "wave", "respondent_id", "gender", "department"]
    items = [c for c in survey.columns if c in set(codebook["item_id"])]
    wide = survey.reset_index(drop=True).reset_index(names="response")
    long = wide.melt(id_vars=["response", *id_cols], value_vars=items, var_name="item_id",
                     value_name="answer")
    long = long.merge(codebook[["item_id", "construct", "reverse", "scale_min", "scale_max"]],
                      on="item_id", how="left")
    answer = pd.to_numeric(long["answer"], errors="coerce").astype(float).to_numpy()
    low = pd.to_numeric(long["scale_min"], errors="coerce").astype(float).to_numpy()
    high = pd.to_numeric(long["scale_max"], errors="coerce").astype(float).to_numpy()
    rev = long["reverse"].astype("boolean").fillna(False).to_numpy(dtype=bool)
    long["answer"] = np.where(rev, low + high - answer, answer)
    return long.drop(columns=["reverse"])


def construct_scores(answers: pd.DataFrame, codebook: pd.DataFrame) -> pd.DataFrame:
    """Each respondent's score per construct (docs/analysis_plan.md §2).

    The score is the mean of the construct's answered items (after reverse coding),
    kept only when at least half of the construct's items asked in the survey are
    answered (2 of 4, 2 of 3); otherwise ``score`` is missing and ``n_answered`` says
    why.  Codebook items that the survey does not ask do not count.
    """
    asked = codebook[codebook["item_id"].isin(answers["item_id"].unique())]
    n_items = asked.groupby("construct")["item_id"].nunique().rename("n_items")
    keys = ["enterprise_id", "wave", "response", "respondent_id", "gender", "department",
            "construct"]
    g = answers.groupby(keys, sort=True, dropna=False)["answer"]
    out = g.agg(score="mean", n_answered="count").reset_index()
    out = out.merge(n_items, left_on="construct", right_index=True, how="left")
    keep = out["n_answered"] >= out["n_items"] / 2.0
    out.loc[~keep, "score"] = np.nan
    return out
