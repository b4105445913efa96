"""Sector profiles, locations and 5S checklists of the simulated enterprises.

Baseline rates come from the sector profile (:data:`SECTORS`): absenteeism 3.5-5 %,
rejects 1.5-3.5 %, rework 2-7 %, productivity from about 0.9 units per worker-hour
(medical equipment) to about 260 sheets (printing).  Plausible magnitudes for Indonesian
SMEs, not measured values.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Sector:
    """Typical figures of a manufacturing sector, used to simulate its KPIs.

    Attributes
    ----------
    output_unit : str
        Unit of ``output_units``.
    areas : tuple of str
        Workplace areas (5S audit areas and survey departments).
    productivity : float
        Units produced per worker-hour.
    reject_rate, rework_rate, absence_rate : float
        Baseline monthly proportions.
    female_share : float
        Share of women among production workers.
    """

    output_unit: str
    areas: tuple[str, ...]
    productivity: float
    reject_rate: float
    rework_rate: float
    absence_rate: float
    female_share: float


#: Sector profiles (plausible magnitudes for Indonesian SMEs, not measured).
SECTORS: dict[str, Sector] = {
    "automotive parts": Sector(
        "pcs", ("press", "machining", "welding", "assembly", "painting", "warehouse"),
        14.0, 0.025, 0.045, 0.035, 0.20),
    "medical garment": Sector(
        "pcs", ("cutting", "sewing", "finishing", "packing", "warehouse"),
        3.2, 0.035, 0.060, 0.050, 0.85),
    "printing": Sector(
        "sheets", ("prepress", "printing", "finishing", "warehouse"),
        260.0, 0.020, 0.030, 0.040, 0.40),
    "medical equipment": Sector(
        "units", ("machining", "assembly", "quality_control", "warehouse"),
        0.9, 0.015, 0.035, 0.035, 0.35),
    "garment": Sector(
        "pcs", ("cutting", "sewing", "finishing", "packing", "warehouse"),
        3.5, 0.035, 0.065, 0.050, 0.85),
    "furniture": Sector(
        "pcs", ("cutting", "assembly", "finishing", "warehouse"),
        0.25, 0.030, 0.070, 0.045, 0.15),
    "food processing": Sector(
        "kg", ("receiving", "processing", "packing", "warehouse"),
        30.0, 0.020, 0.020, 0.045, 0.60),
    "footwear": Sector(
        "pairs", ("cutting", "stitching", "assembly", "packing"),
        1.6, 0.030, 0.050, 0.050, 0.70),
    "plastic packaging": Sector(
        "pcs", ("injection", "printing", "packing", "warehouse"),
        80.0, 0.020, 0.025, 0.040, 0.45),
    "metal fabrication": Sector(
        "pcs", ("cutting", "welding", "painting", "warehouse"),
        3.0, 0.025, 0.050, 0.040, 0.10),
    "textile weaving": Sector(
        "metres", ("warping", "weaving", "inspection", "warehouse"),
        7.0, 0.020, 0.040, 0.045, 0.60),
    "electronics assembly": Sector(
        "pcs", ("smt", "assembly", "testing", "packing"),
        12.0, 0.015, 0.040, 0.035, 0.75),
}

#: Locations drawn for synthetic enterprises (industrial areas of Indonesia).
LOCATIONS: tuple[str, ...] = (
    "Bekasi", "Cikarang", "Tangerang", "Bogor", "Karawang", "Purwakarta", "Serang", "Cilegon",
    "Bandung", "Cimahi", "Semarang", "Solo", "Klaten", "Jepara", "Surabaya", "Sidoarjo",
    "Gresik", "Pasuruan", "Medan", "Batam", "Makassar", "Palembang", "Balikpapan",
)

PILLAR_ITEMS: dict[str, tuple[str, ...]] = {
    "sort": (
        "unneeded_items_removed", "red_tag_area_in_use", "only_needed_stock_at_workstation",
    ),
    "set_in_order": (
        "storage_locations_labelled", "tools_on_shadow_board", "aisles_and_walkways_marked",
    ),
    "shine": (
        "floor_and_walls_clean", "machines_and_equipment_clean", "cleaning_schedule_followed",
    ),
    "standardize": (
        "5s_standards_displayed", "visual_controls_in_place", "responsibilities_assigned",
    ),
    "sustain": (
        "daily_5s_routine_followed", "audit_results_posted", "workers_trained_in_5s",
    ),
}

SCALES: tuple[tuple[int, int], ...] = ((0, 4), (1, 5), (0, 5))
