"""The decisions of the analysis plan, each in one place: which rows form the family
that is adjusted for multiple testing (docs/analysis_plan.md)."""

from __future__ import annotations

#: Methods that describe rather than test: never in the Holm family, never judged.
DESCRIPTIVE_METHODS = ("five_s_change",)


def in_holm_family(results):
    """Which rows of a results table form their enterprise's Holm family (analysis plan
    §6): the primary rows with status ``ok`` or ``insufficient_data`` (a planned primary
    that could not be estimated counts with p = 1), descriptive rows excepted.  Takes and
    returns pandas objects (a boolean Series aligned with ``results``)."""
    return (results["primary"].astype(bool) & ~results["method"].isin(DESCRIPTIVE_METHODS)
            & results["status"].isin(["ok", "insufficient_data"]))
