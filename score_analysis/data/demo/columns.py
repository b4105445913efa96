"""The columns of every simulated table, in the order of docs/data_contract.md."""

from __future__ import annotations

#: Columns of every table, in order (docs/data_contract.md).  ``worker_survey`` continues
#: with one column per codebook ``item_id``.
TABLE_COLUMNS: dict[str, tuple[str, ...]] = {
    "enterprises": (
        "enterprise_id", "name", "location", "sector", "employees", "intervention_month",
        "role", "output_unit", "data_source",
    ),
    "milestones": ("enterprise_id", "milestone", "date"),
    "kpi_monthly": (
        "enterprise_id", "month", "headcount", "worker_hours", "output_units",
        "units_produced", "units_rejected", "units_reworked", "workdays_scheduled",
        "workdays_absent", "suggestions_submitted", "suggestions_implemented", "accidents",
        "separations",
    ),
    "five_s_audits": (
        "enterprise_id", "audit_date", "visit", "area", "pillar", "item", "score",
        "scale_min", "scale_max",
    ),
    "survey_items": (
        "item_id", "construct", "text_en", "text_id", "reverse", "scale_min", "scale_max",
    ),
    "worker_survey": ("enterprise_id", "wave", "respondent_id", "gender", "department"),
    "implementation": ("enterprise_id", "visit", "date", "item", "value"),
    "qualitative": ("enterprise_id", "kind", "text", "language"),
}
