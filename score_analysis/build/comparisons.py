"""The comparison enterprises of a run (docs/analysis_plan.md §3.10): what the manifest
records and the index lists about each of them.

A comparison enterprise (``role = comparison``) took no part in the programme: it has no
analysis, page, appendix or PDF of its own; its monthly records form the comparison
series of the programme enterprises whose pool holds it.  The index lists it in a short
table of its own with the months it covers and the data-quality findings on its records.
"""

from __future__ import annotations

from collections.abc import Mapping

#: The keys of each record of :func:`comparison_records` (the manifest's
#: ``comparison_series``).
RECORD_KEYS = ("title", "data_source", "first_month", "last_month", "months",
               "missing_months", "warnings", "info", "used_by")


def _month_number(month: str) -> int:
    return int(month[:4]) * 12 + int(month[5:7]) - 1


def comparison_records(tables: dict, findings: list, *, comparison_ids: tuple[str, ...],
                       pools: Mapping[str, tuple[str, ...]]) -> dict[str, dict]:
    """One record per comparison enterprise (:data:`RECORD_KEYS`), in id order.

    ``first_month``/``last_month``: its first and last month in ``kpi_monthly`` (blank
    without any); ``months``: the months it has records for; ``missing_months``: the
    months without a record between the first and the last; ``warnings``/``info``: the
    data-quality findings of those severities on its records (a run has no errors);
    ``used_by``: the programme enterprises whose comparison pool holds it (``pools``).
    """
    ents = tables["enterprises"].set_index("enterprise_id")
    kpi = tables.get("kpi_monthly")
    out = {}
    for eid in sorted(comparison_ids):
        months = (sorted(set(kpi.loc[kpi["enterprise_id"] == eid, "month"].astype(str)))
                  if kpi is not None and not kpi.empty else [])
        span = (_month_number(months[-1]) - _month_number(months[0]) + 1) if months else 0
        own = [f for f in findings if getattr(f, "enterprise_id", "") == eid]
        out[eid] = {
            "title": str(ents.at[eid, "name"]),
            "data_source": str(ents.at[eid, "data_source"]),
            "first_month": months[0] if months else "",
            "last_month": months[-1] if months else "",
            "months": len(months),
            "missing_months": span - len(months),
            "warnings": sum(str(f.severity) == "warning" for f in own),
            "info": sum(str(f.severity) == "info" for f in own),
            "used_by": sorted(p for p, pool in pools.items() if eid in pool),
        }
    return out
