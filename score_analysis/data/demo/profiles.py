"""The simulated enterprises: the five pilot enterprises, synthetic ones and comparison ones.

**Enterprises.**  ``enterprises=5`` gives the five enterprises of the 2010 pilot
(names, locations and sectors as published; PT Tesena Inovindo has no known
location, left blank).  Employee counts (48-320) and output units are
plausible, not actual.  All five have ``intervention_month`` 2010-04, the
first month after the Module 1 workshop of 22-23 March 2010.  Enterprises
6, 7, ... are synthetic (``ent_006``, "PT Demo Enterprise 006"): sector drawn
uniformly from :data:`~.sectors.SECTORS`, location uniformly from
:data:`~.sectors.LOCATIONS`, employees uniform on 40-400, intervention month 2010-03,
-04, -05 or -06 with probabilities 0.15, 0.55, 0.20, 0.10.

**Effect strengths.**  Each enterprise has an effect strength ``s`` for its KPIs
(Tjokro 1.0, Lestari 0.8, Trijaya 0.65, Tesena 0.45, Inprintama 0; synthetic: 0 with
probability 0.15, else uniform 0.25-1.0), ``s5`` for its 5S audits and ``s_survey`` for
its worker survey (see :mod:`.five_s` and :mod:`.survey`).

**Data gaps.**  PT Trijaya Teknik has no row for 2009-11 (records lost); PT Tesena
Inovindo does not track rework (``units_reworked`` blank in every row).  Synthetic
enterprises lose one interior month with probability 0.10 and do not track rework with
probability 0.10.  Half of the synthetic enterprises work a six-day week.

**Comparison enterprises** (``cmp_001``, "PT Demo Comparison 001", ...) take no part in
the programme: ``role = comparison``, no intervention month, effect strength 0, monthly
KPIs only; each shares the sector and location of a programme enterprise (see
:func:`comparison_profile`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .draws import STREAM_COMPARISON_PROFILE, STREAM_PROFILE
from .months import FIRST_MONTH, MONTHS, PILOT_INTERVENTION, month_number
from .notes import GENERIC_NOTES, PILOT_NOTES
from .sectors import LOCATIONS, SCALES, SECTORS


@dataclass(frozen=True)
class Profile:
    """Everything that characterises one simulated enterprise.

    ``index`` numbers the enterprise within its role (0-based); with ``role`` it keys the
    enterprise's random streams.  A comparison enterprise has no ``intervention_month``,
    no effect and none of the programme's records (areas, survey, notes): the fields after
    ``six_day_week`` keep their defaults.
    """

    enterprise_id: str
    name: str
    location: str | None
    sector: str
    employees: int
    intervention_month: str | None
    missing_month: str | None
    tracks_rework: bool
    six_day_week: bool
    index: int
    role: str = "programme"
    strength: float = 0.0
    strength_5s: float = 0.0
    strength_survey: float = 0.0
    areas: tuple[str, ...] = ()
    scale: tuple[int, int] = (0, 4)
    baseline_audit_day: int = 1
    survey_sizes: tuple[int, int, int] = (0, 0, 0)  # baseline, follow-up, matched
    blank_codes_followup: int = 0
    notes: tuple[tuple[str, str, str], ...] = ()  # (kind, language, text)

    @property
    def output_unit(self) -> str:
        return SECTORS[self.sector].output_unit

    @property
    def is_comparison(self) -> bool:
        return self.role == "comparison"


def _pilot_profiles() -> tuple[Profile, ...]:
    """The five pilot enterprises of the 2010 pilot (fixed features, see module docstring)."""
    common = {"intervention_month": PILOT_INTERVENTION, "blank_codes_followup": 0,
              "missing_month": None, "tracks_rework": True}
    rows = (
        dict(enterprise_id="tjokro_bersaudara", name="PT Tjokro Bersaudara",
             location="Pulogadung", sector="automotive parts", employees=210,
             areas=("press", "machining", "assembly", "warehouse"), strength=1.0,
             strength_5s=1.0, strength_survey=1.0, scale=(0, 4), baseline_audit_day=24,
             six_day_week=True, survey_sizes=(32, 30, 26)),
        dict(enterprise_id="trijaya_teknik", name="PT Trijaya Teknik",
             location="Karawang Timur", sector="automotive parts", employees=150,
             areas=("press", "welding", "warehouse"), strength=0.65, strength_5s=0.8,
             strength_survey=0.7, scale=(1, 5), baseline_audit_day=25, six_day_week=False,
             survey_sizes=(24, 22, 19), missing_month="2009-11"),
        dict(enterprise_id="lestari_dini_tunggul", name="PT Lestari Dini Tunggul",
             location="Depok", sector="medical garment", employees=320,
             areas=("cutting", "sewing", "finishing", "warehouse"), strength=0.8,
             strength_5s=0.9, strength_survey=0.8, scale=(0, 5), baseline_audit_day=26,
             six_day_week=True, survey_sizes=(36, 28, 3), blank_codes_followup=2),
        dict(enterprise_id="inprintama_asri", name="PT Inprintama Asri",
             location="Cengkareng", sector="printing", employees=95,
             areas=("prepress", "printing", "finishing"), strength=0.0, strength_5s=0.1,
             strength_survey=0.0, scale=(1, 5), baseline_audit_day=29, six_day_week=False,
             survey_sizes=(20, 18, 15)),
        dict(enterprise_id="tesena_inovindo", name="PT Tesena Inovindo", location=None,
             sector="medical equipment", employees=48, areas=("assembly", "warehouse"),
             strength=0.45, strength_5s=0.7, strength_survey=0.5, scale=(0, 4),
             baseline_audit_day=30, six_day_week=False, survey_sizes=(17, 4, 4),
             tracks_rework=False),
    )
    return tuple(
        Profile(**{**common, **row, "index": i, "notes": PILOT_NOTES[row["enterprise_id"]]})
        for i, row in enumerate(rows)
    )


PILOTS = _pilot_profiles()


def synthetic_profile(index: int, seed: int) -> Profile:
    """Draw the profile of synthetic enterprise number ``index + 1`` (0-based ``index``)."""
    rng = np.random.default_rng([seed, STREAM_PROFILE, index])
    number = index + 1
    sector_names = tuple(SECTORS)
    sector = sector_names[int(rng.integers(len(sector_names)))]
    location = LOCATIONS[int(rng.integers(len(LOCATIONS)))]
    employees = int(rng.integers(40, 401))
    intervention = ("2010-03", "2010-04", "2010-05", "2010-06")[
        int(rng.choice(4, p=[0.15, 0.55, 0.20, 0.10]))]
    sector_areas = SECTORS[sector].areas
    n_areas = int(rng.integers(2, min(4, len(sector_areas)) + 1))
    picked = np.sort(rng.choice(len(sector_areas), size=n_areas, replace=False))
    areas = tuple(sector_areas[i] for i in picked)
    strength = 0.0 if rng.random() < 0.15 else float(rng.uniform(0.25, 1.0))
    strength_5s = float(np.clip(strength + rng.normal(0, 0.2), 0.05, 1.1))
    strength_survey = float(np.clip(strength + rng.normal(0, 0.2), 0.0, 1.1))
    scale = SCALES[int(rng.integers(len(SCALES)))]
    baseline_day = int(rng.integers(23, 31))
    t0 = month_number(intervention) - month_number(FIRST_MONTH)
    missing = None
    if rng.random() < 0.10:
        candidates = [t for t in range(1, len(MONTHS) - 1) if t != t0]
        missing = MONTHS[candidates[int(rng.integers(len(candidates)))]]
    tracks_rework = bool(rng.random() >= 0.10)
    six_day_week = bool(rng.random() < 0.5)
    n_base = int(rng.integers(15, 41))
    n_matched = int(round(n_base * rng.uniform(0.65, 0.90)))
    n_follow = int(np.clip(n_matched + rng.integers(0, 9), 15, 40))
    n_notes = int(rng.integers(2, 5))
    note_idx = np.sort(rng.choice(len(GENERIC_NOTES), size=n_notes, replace=False))
    return Profile(
        enterprise_id=f"ent_{number:03d}",
        name=f"PT Demo Enterprise {number:03d}",
        location=location,
        sector=sector,
        employees=employees,
        intervention_month=intervention,
        areas=areas,
        strength=strength,
        strength_5s=strength_5s,
        strength_survey=strength_survey,
        scale=scale,
        baseline_audit_day=baseline_day,
        missing_month=missing,
        tracks_rework=tracks_rework,
        six_day_week=six_day_week,
        survey_sizes=(n_base, n_follow, n_matched),
        blank_codes_followup=0,
        notes=tuple(GENERIC_NOTES[i] for i in note_idx),
        index=index,
    )


#: The order in which comparison enterprises are matched to the pilot enterprises: one in
#: each of the pilot's three sectors first (automotive parts, medical garment, printing).
_PILOT_MATCH_ORDER = ("tjokro_bersaudara", "lestari_dini_tunggul", "inprintama_asri",
                      "trijaya_teknik", "tesena_inovindo")


def comparison_profile(index: int, seed: int, programme: list[Profile]) -> Profile:
    """Draw the profile of comparison enterprise number ``index + 1`` (0-based ``index``).

    It shares the sector and the industrial estate (location) of a programme enterprise,
    its *twin*: the pilot enterprises in the order of :data:`_PILOT_MATCH_ORDER`, then the
    synthetic ones, in turn (comparison ``index`` takes twin ``index`` modulo the number
    of programme enterprises).  Employees: the twin's times uniform 0.7-1.4, kept in
    40-400; a six-day week with probability 0.5.  No missing month and every KPI tracked,
    so that the comparison series (summed over the comparison enterprises) never changes
    composition from one month to the next.
    """
    rng = np.random.default_rng([seed, STREAM_COMPARISON_PROFILE, index])
    rank = {e: i for i, e in enumerate(_PILOT_MATCH_ORDER)}
    order = sorted(programme, key=lambda p: (rank.get(p.enterprise_id, len(rank)), p.index))
    twin = order[index % len(order)]
    number = index + 1
    employees = int(np.clip(round(twin.employees * rng.uniform(0.7, 1.4)), 40, 400))
    return Profile(
        enterprise_id=f"cmp_{number:03d}",
        name=f"PT Demo Comparison {number:03d}",
        location=twin.location,
        sector=twin.sector,
        employees=employees,
        intervention_month=None,
        missing_month=None,
        tracks_rework=True,
        six_day_week=bool(rng.random() < 0.5),
        index=index,
        role="comparison",
    )
