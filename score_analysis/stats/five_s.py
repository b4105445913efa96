"""The 5S rows of one enterprise (docs/analysis_plan.md §4): the audits are one pair of
observations of one workplace, so the 5S change is described, not tested."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..data.contract import PILLARS
from ..settings import PLAN, AnalysisSettings
from .comparisons import friedman, paired_t, wilcoxon_signed_rank
from .notes import note
from .outputs import FIVE_S_CHANGE
from .rows import empty, from_test, record

#: The note of the secondary 5S tests (its English text: ``NOTE_TEXTS``).
FIVE_S_NOTE = note("five_s_not_independent")

_TESTS = ("paired_t", "wilcoxon_signed_rank", "friedman")


def _audit_index(own: pd.DataFrame) -> pd.Series:
    """The 5S index of each audit date (mean of the five pillar scores, each the mean item
    percentage of the pillar over all areas); NaN when a pillar is missing."""
    pillars = own.groupby(["audit_date", "pillar"], sort=True)["pct"].mean().unstack()
    pillars = pillars.reindex(columns=list(PILLARS))
    index = pillars.mean(axis=1)
    return index.where(pillars.notna().all(axis=1))


def _day(value) -> str:
    """An audit date as ``YYYY-MM-DD``."""
    try:
        return pd.Timestamp(value).strftime("%Y-%m-%d")
    except (TypeError, ValueError):
        return str(value)


def five_s_results(items: pd.DataFrame, enterprise: pd.Series, *,
                   settings: AnalysisSettings = PLAN) -> list[dict]:
    """5S rows of one enterprise (plan version 3).

    Primary ``five_s_change`` (descriptive): the 5S index at the first and the last
    audit and their difference in points; no interval, no p-value.  Secondary
    ``paired_t`` and ``wilcoxon_signed_rank`` on the item percentages matched by area,
    pillar and item between the first and the last audit, and ``friedman`` across all
    audits (at least three) on the items scored in every audit, each with the note
    ``five_s_not_independent``.  ``items`` is
    :func:`score_analysis.stats.indicators.five_s_items`.
    """
    eid = enterprise["enterprise_id"]
    fixed = {"enterprise_id": eid, "domain": "five_s", "indicator": "five_s_index",
             "estimate_scale": "difference"}
    own = items[items["enterprise_id"] == eid]
    dates = sorted(own["audit_date"].dropna().unique())
    if len(dates) == 0:
        return [empty(m, "not_reported", [note("no_five_s_audit")],
                      primary=m == FIVE_S_CHANGE, **fixed) for m in (FIVE_S_CHANGE, *_TESTS)]
    rows = [_five_s_change(own, dates, fixed)]
    key = ["area", "pillar", "item"]
    wide = own.set_index([*key, "audit_date"])["pct"].groupby(level=[0, 1, 2, 3]).mean()
    wide = wide.unstack("audit_date")
    secondary = {"primary": False, "notes": [FIVE_S_NOTE], **fixed}
    if len(dates) < 2:
        why = [note("needs_two_audits", audits=len(dates))]
        rows += [empty(m, "insufficient_data", why, primary=False, **fixed) for m in _TESTS[:2]]
    else:
        pairs = wide[[dates[0], dates[-1]]].dropna()
        if len(pairs) < 2:
            why = [note("too_few_items_in_both", items=len(pairs))]
            rows += [empty(m, "insufficient_data", why, primary=False, **fixed)
                     for m in _TESTS[:2]]
        else:
            before, after = pairs[dates[0]].to_numpy(), pairs[dates[-1]].to_numpy()
            rows.append(from_test(paired_t(before, after, alpha=settings.alpha), **secondary))
            rows.append(from_test(wilcoxon_signed_rank(before, after), **secondary))
    if len(dates) < 3:
        rows.append(empty("friedman", "insufficient_data",
                          [note("needs_three_audits", audits=len(dates))], primary=False,
                          **fixed))
    else:
        complete = wide[dates].dropna()
        if len(complete) < 2:
            rows.append(empty("friedman", "insufficient_data",
                              [note("too_few_items_in_every", items=len(complete))],
                              primary=False, **fixed))
        else:
            rows.append(from_test(friedman(complete), **secondary))
    for row in rows:
        if row["method"] == "friedman":
            row["estimate_scale"] = None
    return rows


def _five_s_change(own: pd.DataFrame, dates: list, fixed: dict) -> dict:
    first, last = dates[0], dates[-1]
    counts = own.groupby("audit_date")["pct"].count()
    base = {"method": FIVE_S_CHANGE, "n_pre": int(counts[first]), "n_post": int(counts[last])}
    if len(dates) < 2:
        return record({**base, "status": "insufficient_data"}, primary=True,
                      notes=[note("needs_two_audits", audits=1)], **fixed)
    index = _audit_index(own)
    pre, post = float(index[first]), float(index[last])
    if not (np.isfinite(pre) and np.isfinite(post)):
        return record({**base, "status": "insufficient_data", "pre_value": pre,
                       "post_value": post}, primary=True, notes=[note("no_five_s_index")],
                      **fixed)
    return record({**base, "pre_value": pre, "post_value": post, "estimate": post - pre},
                  primary=True, notes=[note("five_s_change", first=_day(first),
                                            last=_day(last))], **fixed)
