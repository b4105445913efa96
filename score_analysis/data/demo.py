"""Seeded generator of the simulated demonstration dataset (docs/demo_data.md).

The repository ships ``data/raw/`` with *simulated* data for the five
enterprises of the 2010 SCORE Module 1 pilot in Indonesia, so that every part
of the analysis (validation, indicators, models, reports) can be run and
inspected without confidential enterprise records.  No number produced here is
an enterprise result: every table carries ``data_source = simulated`` through
the ``enterprises`` table, and the reports say so in a banner.

:func:`demo_tables` is a pure function: it returns the seven input tables of
docs/data_contract.md as data frames, with the values as they would be written to CSV, and
writes nothing (``score-analysis demo-data OUT_DIR`` writes them).  The same
``(enterprises, seed)`` always gives identical tables; the first five
enterprises are the same whatever ``enterprises`` is (every enterprise and
table draws from its own random stream, ``numpy.random.default_rng([seed,
table, enterprise_index])``), so adding synthetic enterprises never changes the
five pilot enterprises.  The default seed, 20100322, is the date of the
Module 1 workshop.

Simulation assumptions
----------------------
**Enterprises.**  ``enterprises=5`` gives the five enterprises of the 2010 pilot
(names, locations and sectors as published; PT Tesena Inovindo has no known
location, left blank).  Employee counts (48-320) and output units are
plausible, not actual.  All five have ``intervention_month`` 2010-04, the
first month after the Module 1 workshop of 22-23 March 2010.  Enterprises
6, 7, ... are synthetic (``ent_006``, "PT Demo Enterprise 006"): sector drawn
uniformly from :data:`SECTORS`, location uniformly from :data:`LOCATIONS`,
employees uniform on 40-400, intervention month 2010-03, -04, -05 or -06 with
probabilities 0.15, 0.55, 0.20, 0.10.

**Programme effect.**  Each enterprise has an effect strength ``s``
(Tjokro 1.0, Lestari 0.8, Trijaya 0.65, Tesena 0.45, Inprintama 0; synthetic:
0 with probability 0.15, else uniform 0.25-1.0).  Each KPI's own strength is
``s`` times a uniform 0.6-1.4 jitter, so enterprises improve to different
degrees on different KPIs.  The effect starts at 75 % of its full size in the
intervention month and ramps linearly to 100 % three months later (a step *and*
a slope change, as the ITS model of docs/analysis_plan.md expects).  Full effects for
``s = 1``, as multipliers of the monthly rate: reject rate x exp(-0.45)
(-36 %), rework rate x exp(-0.40) (-33 %), absenteeism x exp(-0.30) (-26 %),
labour productivity x exp(+0.12) (+13 %), accident frequency x exp(-0.30),
turnover x exp(-0.20).  Worker suggestions rise from 0.5 per 100 workers per
month (at least 0.5 a month per enterprise; many months with no suggestion)
by ``3 * s`` per 100 workers (times the jitter), and the share implemented
from 30 % to ``35 + 35 s`` %.

**Monthly KPIs** (January 2009 to January 2011, 25 months).  Production
headcount is 72-85 % of employees with a drift of N(0.002, 0.003) per month
(log scale) and a random walk of N(0, 0.012) steps.  Scheduled person-days =
headcount x working days (Monday-Friday, or Monday-Saturday for enterprises
on a six-day week), minus five days of collective leave (cuti bersama) in the
Lebaran month.  Hours = (scheduled - absent days) x 8 h (five-day week) or
7 h (six-day week) x an overtime factor N(1.06, 0.03), higher (+6 %) in the
month before Lebaran (order rush) and lower (-6 %) in the Lebaran month.
The absenteeism, reject, rework and turnover rates have a mild
enterprise-specific linear trend, N(0, 0.003) per month on the log scale
(productivity N(0.002, 0.002)), running through the whole series and
centred on the intervention month.  Baseline rates come from the sector
profile (:data:`SECTORS`) times a uniform 0.8-1.25 jitter: absenteeism
3.5-5 %, rejects 1.5-3.5 %, rework 2-7 %; accidents 8-25 per million hours
and turnover 1.2-3 % per month for every sector.  Half of the synthetic
enterprises work a six-day week.

Counts are overdispersed: gamma-Poisson (negative binomial) with gamma shape
120 for rejects and rework, 80 for absent days, 10 for separations, 5 for
accidents and 3 for suggestions; implemented suggestions are binomial given
those submitted.  Productivity has log-normal noise (sd 0.025).  Units
produced = productivity x hours; ``output_units`` (good output) = produced -
rejected.  Rejects and rework never exceed units produced, absent days never
exceed scheduled days, implemented suggestions never exceed submitted ones.

**Lebaran (Idul Fitri)**, from :func:`score_analysis.data.eid.eid_months`
(September 2009 and September 2010): absenteeism x 2.0-2.6 in the Lebaran
month (workers extend the home-coming trip, *mudik*) and x 1.3 in the month
after, productivity x 0.9, rejects x 1.15 and rework x 1.1 in the Lebaran
month (rejects x 1.1 the month after, with new and temporary workers), and
separations x 1.8 in both months (workers who do not come back after the
holiday bonus); with the collective leave this gives the output dip.

**Data gaps (pilot enterprises).**  PT Trijaya Teknik has no row for 2009-11
(records lost); PT Tesena Inovindo does not track rework (``units_reworked``
blank in every row).  Synthetic enterprises lose one interior month with
probability 0.10 and do not track rework with probability 0.10.

**Milestones.**  training 2010-03-22, visit_1 2010-10-14, visit_2 2010-11-09,
visit_3 2010-12-06 (the first day of each factory-visit window of the pilot) and
final_workshop 2011-01-27 (assumed; the pilot's schedule gives no date).  Synthetic
enterprises' dates shift by the number of months between their intervention
month and 2010-04.

**5S audits.**  Four audits per enterprise: ``baseline`` a few days after the
training (24-30 March 2010; synthetic enterprises: day 23-30 of their
training month) and one at each factory visit, on the visit date.
Two to four areas per enterprise, every pillar with two or three checklist
items (the same items in every area and audit).  Scales: 0-4 (Tjokro,
Tesena), 1-5 (Trijaya, Inprintama), 0-5 (Lestari); synthetic enterprises draw
one of the three.  A latent item percentage starts at uniform 25-45 % + an
area effect N(0, 8) + an item effect N(0, 10) + N(0, 6), gains ``s5`` x 18,
30 and 40 points at the three visits (+ N(0, 7) noise per cell and visit),
and is rounded to the enterprise's scale.  ``s5`` is 1.0 (Tjokro), 0.9
(Lestari), 0.8 (Trijaya), 0.7 (Tesena), 0.1 (Inprintama; synthetic: ``s`` +
N(0, 0.2), kept in 0.05-1.1).  3 % of the scores are blank (not assessed).

**Worker survey.**  A codebook of 15 five-point Likert items in four
constructs (:data:`SURVEY_ITEMS`), three of them reverse-worded.  Each
respondent has a general attitude N(0, 0.45) and one latent score per
construct N(0, 0.55) around an enterprise mean uniform 3.0-3.4 (plus a
construct offset of -0.15 to +0.10); an answer is the latent score + a fixed
item bias + N(0, 0.75) noise, rounded and clipped to 1-5, and reversed
(6 - x) for reverse-worded items.  This gives
Cronbach's alpha of about 0.7-0.8 in large samples (0.6-0.85 typical
with 20-40 respondents).  Follow-up latent scores move by
``s_survey`` x (communication 0.50, working conditions 0.50, cooperation 0.40,
job satisfaction 0.25) + N(0, 0.30) per respondent, where ``s_survey`` is
1.0 (Tjokro), 0.8 (Lestari), 0.7 (Trijaya), 0.5 (Tesena), 0 (Inprintama;
synthetic: ``s`` + N(0, 0.2), kept in 0-1.1); matched respondents start
from their own baseline latent scores and keep their gender and department.  2.5 % of answers are
blank.  Wave sizes (baseline / follow-up / matched): Tjokro 32/30/26,
Trijaya 24/22/19, Lestari 36/28/3 (high turnover after Lebaran: fewer than 5
matched respondents, so the unmatched tests apply; two follow-up
questionnaires have no code), Inprintama 20/18/15, Tesena 17/4/4 (follow-up
below 5 respondents: the comparison is suppressed).  Synthetic: baseline
15-40, 65-90 % of them matched, plus 0-8 new respondents (at least 15 in
total).  Gender is ``f`` with the sector's female share; department is one of
the enterprise's 5S areas (warehouse half as likely).

**Qualitative notes.**  Two to four notes per enterprise (good practices,
lessons learned, constraints) in English (``en``) or Bahasa Indonesia
(``id``), written for the pilot enterprises and consistent with the simulated
features; synthetic enterprises draw two to four from a generic bank.
"""

from __future__ import annotations

import calendar
import datetime as dt
import operator
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .eid import eid_months

__all__ = [
    "DEFAULT_SEED",
    "FIRST_MONTH",
    "LAST_MONTH",
    "LOCATIONS",
    "MAX_ENTERPRISES",
    "MILESTONE_DATES",
    "SECTORS",
    "SURVEY_ITEMS",
    "TABLE_COLUMNS",
    "demo_tables",
]

#: Default seed: the date of the Module 1 workshop (22 March 2010).
DEFAULT_SEED = 20100322

#: Largest number of enterprises :func:`demo_tables` accepts.
MAX_ENTERPRISES = 10_000

#: First and last month of the simulated KPI series.
FIRST_MONTH = "2009-01"
LAST_MONTH = "2011-01"

#: Columns of every table, in order (docs/data_contract.md).  ``worker_survey`` continues
#: with one column per codebook ``item_id``.
TABLE_COLUMNS: dict[str, tuple[str, ...]] = {
    "enterprises": (
        "enterprise_id", "name", "location", "sector", "employees", "intervention_month",
        "output_unit", "data_source",
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
    "qualitative": ("enterprise_id", "kind", "text", "language"),
}

#: Milestones of the pilot (docs/demo_data.md), for an intervention month of 2010-04.
MILESTONE_DATES: tuple[tuple[str, str], ...] = (
    ("training", "2010-03-22"),
    ("visit_1", "2010-10-14"),
    ("visit_2", "2010-11-09"),
    ("visit_3", "2010-12-06"),
    ("final_workshop", "2011-01-27"),
)

_PILOT_INTERVENTION = "2010-04"
_VISITS = ("visit_1", "visit_2", "visit_3")


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

_PILLAR_ITEMS: dict[str, tuple[str, ...]] = {
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

_SCALES: tuple[tuple[int, int], ...] = ((0, 4), (1, 5), (0, 5))


@dataclass(frozen=True)
class SurveyItem:
    """One codebook item: id, construct, wording, reverse flag and a fixed bias."""

    item_id: str
    construct: str
    text_en: str
    text_id: str
    reverse: bool
    bias: float


#: The survey codebook (five-point Likert: 1 = strongly disagree ... 5 = strongly agree).
SURVEY_ITEMS: tuple[SurveyItem, ...] = (
    SurveyItem("com1", "communication",
               "My supervisor informs me about changes that affect my work.",
               "Atasan saya memberi tahu saya tentang perubahan yang mempengaruhi pekerjaan saya.",
               False, 0.10),
    SurveyItem("com2", "communication",
               "I can raise a problem with management without fear.",
               "Saya dapat menyampaikan masalah kepada manajemen tanpa rasa takut.",
               False, -0.20),
    SurveyItem("com3", "communication",
               "Management listens to workers' suggestions.",
               "Manajemen mendengarkan saran dari pekerja.",
               False, 0.00),
    SurveyItem("com4", "communication",
               "I often learn about important decisions only after they have been made.",
               "Saya sering baru mengetahui keputusan penting setelah keputusan itu diambil.",
               True, -0.10),
    SurveyItem("wc1", "working_conditions",
               "My work area is clean and orderly.",
               "Area kerja saya bersih dan rapi.",
               False, -0.15),
    SurveyItem("wc2", "working_conditions",
               "I have the tools and materials I need to do my job well.",
               "Saya memiliki alat dan bahan yang saya perlukan untuk bekerja dengan baik.",
               False, 0.10),
    SurveyItem("wc3", "working_conditions",
               "I waste time looking for tools or materials.",
               "Saya membuang waktu untuk mencari alat atau bahan.",
               True, -0.25),
    SurveyItem("wc4", "working_conditions",
               "My workplace is safe.",
               "Tempat kerja saya aman.",
               False, 0.20),
    SurveyItem("coo1", "cooperation",
               "Workers and management work together to solve problems.",
               "Pekerja dan manajemen bekerja sama untuk menyelesaikan masalah.",
               False, 0.00),
    SurveyItem("coo2", "cooperation",
               "The bipartite committee represents the interests of workers.",
               "Lembaga kerja sama (LKS) bipartit mewakili kepentingan pekerja.",
               False, -0.20),
    SurveyItem("coo3", "cooperation",
               "Colleagues in other departments help when needed.",
               "Rekan kerja di bagian lain membantu bila diperlukan.",
               False, 0.15),
    SurveyItem("sat1", "job_satisfaction",
               "Overall, I am satisfied with my job.",
               "Secara keseluruhan, saya puas dengan pekerjaan saya.",
               False, 0.15),
    SurveyItem("sat2", "job_satisfaction",
               "I would recommend this company as a place to work.",
               "Saya akan merekomendasikan perusahaan ini sebagai tempat bekerja.",
               False, 0.00),
    SurveyItem("sat3", "job_satisfaction",
               "I am thinking about leaving this company.",
               "Saya berpikir untuk keluar dari perusahaan ini.",
               True, 0.10),
    SurveyItem("sat4", "job_satisfaction",
               "I feel that my work is appreciated.",
               "Saya merasa pekerjaan saya dihargai.",
               False, -0.15),
)

_CONSTRUCT_GAIN: dict[str, float] = {
    "communication": 0.50,
    "working_conditions": 0.50,
    "cooperation": 0.40,
    "job_satisfaction": 0.25,
}
_CONSTRUCT_OFFSET: dict[str, float] = {
    "communication": 0.0,
    "working_conditions": -0.15,
    "cooperation": 0.05,
    "job_satisfaction": 0.10,
}

# Full effects (log multipliers of the monthly rate) for effect strength 1.
_EFFECTS: dict[str, float] = {
    "reject": -0.45,
    "rework": -0.40,
    "absence": -0.30,
    "productivity": 0.12,
    "accidents": -0.30,
    "separations": -0.20,
    "suggestions": 1.0,  # jitter only; the suggestion model is additive, see _kpi_block
}
_SUGGESTIONS_BEFORE = 0.005  # per worker per month
_SUGGESTIONS_FLOOR = 0.5  # per enterprise per month, before the programme
_SUGGESTIONS_GAIN = 0.03  # per worker per month, at full effect and strength 1

# Random-stream numbers, one per table (see the module docstring).
_STREAM_PROFILE, _STREAM_KPI, _STREAM_5S, _STREAM_SURVEY = range(4)


@dataclass(frozen=True)
class _Profile:
    """Everything that characterises one simulated enterprise."""

    enterprise_id: str
    name: str
    location: str | None
    sector: str
    employees: int
    intervention_month: str
    areas: tuple[str, ...]
    strength: float
    strength_5s: float
    strength_survey: float
    scale: tuple[int, int]
    baseline_audit_day: int
    missing_month: str | None
    tracks_rework: bool
    six_day_week: bool
    survey_sizes: tuple[int, int, int]  # baseline, follow-up, matched
    blank_codes_followup: int
    notes: tuple[tuple[str, str, str], ...]  # (kind, language, text)

    @property
    def output_unit(self) -> str:
        return SECTORS[self.sector].output_unit


_PILOT_NOTES: dict[str, tuple[tuple[str, str, str], ...]] = {
    "tjokro_bersaudara": (
        ("good_practice", "en",
         "The bipartite committee (LKS Bipartit) now meets every month; the minutes are "
         "posted on the communication board next to the canteen."),
        ("good_practice", "id",
         "Program 5S di area press berhasil mempersingkat waktu mencari cetakan (dies) dari "
         "sekitar 15 menit menjadi kurang dari 5 menit."),
        ("lesson_learned", "en",
         "Involving line leaders in the 5S audits made the standards stick better than "
         "audits by management alone."),
    ),
    "trijaya_teknik": (
        ("good_practice", "en",
         "A suggestion box with a monthly prize for the best idea; most implemented "
         "suggestions concern jig handling and material flow."),
        ("constraint", "id",
         "Data produksi bulan November 2009 hilang karena kerusakan komputer di bagian PPIC."),
        ("lesson_learned", "en",
         "Shift workers could not attend committee meetings held after the day shift; the "
         "meetings were moved to the shift changeover."),
    ),
    "lestari_dini_tunggul": (
        ("good_practice", "id",
         "Papan komunikasi di setiap lini jahit menampilkan target harian, hasil produksi "
         "dan tingkat reject, sehingga operator mengetahui kinerja lininya."),
        ("constraint", "en",
         "High turnover among sewing operators after Lebaran: many of the workers surveyed "
         "at baseline had left before the follow-up survey."),
        ("lesson_learned", "en",
         "A five-minute briefing at the start of each shift was the cheapest and most "
         "effective communication channel."),
        ("good_practice", "en",
         "Cutting tables were rearranged with the operators so that fabric rolls no longer "
         "block the aisle & the fire exit."),
    ),
    "inprintama_asri": (
        ("constraint", "en",
         "Management changed twice in 2010 and the bipartite committee met only once after "
         "the training; the suggestion scheme was never started."),
        ("lesson_learned", "id",
         "Tanpa dukungan langsung dari pimpinan, kegiatan 5S berhenti setelah kunjungan "
         "pertama."),
    ),
    "tesena_inovindo": (
        ("constraint", "en",
         "Rework is not recorded separately: repaired units are counted as good output, so "
         "the rework rate cannot be measured."),
        ("constraint", "id",
         "Survei lanjutan hanya diisi oleh empat pekerja karena sebagian besar operator "
         "sedang lembur untuk memenuhi pesanan akhir tahun."),
        ("good_practice", "en",
         "Shadow boards for hand tools in the assembly area; the 5S checklist is now part of "
         "the shift handover."),
    ),
}

_GENERIC_NOTES: tuple[tuple[str, str, str], ...] = (
    ("good_practice", "en",
     "A bipartite committee with equal numbers of worker and management members was formed "
     "and meets monthly; the minutes are posted on the notice board."),
    ("good_practice", "id",
     "Kotak saran dipasang di setiap bagian dan saran yang diterapkan diumumkan pada rapat "
     "pagi."),
    ("good_practice", "en",
     "A red-tag campaign in the warehouse freed about a third of the floor space that was "
     "used for obsolete stock."),
    ("good_practice", "id",
     "Papan komunikasi di area produksi menampilkan target harian, hasil produksi dan jumlah "
     "produk cacat."),
    ("good_practice", "en",
     "Supervisors hold a ten-minute meeting at the start of each shift to share targets, "
     "quality problems and safety reminders."),
    ("lesson_learned", "en",
     "5S lasted only where a named person was responsible for each area and the audit "
     "results were posted."),
    ("lesson_learned", "id",
     "Keterlibatan pekerja sejak awal membuat perubahan tata letak lebih mudah diterima."),
    ("lesson_learned", "en",
     "Recognising good suggestions publicly, even with a small prize, kept the suggestion "
     "scheme alive."),
    ("lesson_learned", "id",
     "Pelatihan singkat bagi pengawas lini tentang cara berkomunikasi dengan operator sangat "
     "membantu."),
    ("constraint", "en",
     "Peak orders before Lebaran left little time for committee meetings and 5S activities."),
    ("constraint", "id",
     "Sebagian besar pekerja adalah pekerja kontrak sehingga sulit menjaga kesinambungan "
     "program."),
    ("constraint", "en",
     "Production records were kept on paper in each department, which made monthly "
     "reporting slow."),
    ("constraint", "id",
     "Rapat komite bipartit sering ditunda karena manajemen sibuk melayani pelanggan."),
)


def _pilot_profiles() -> tuple[_Profile, ...]:
    """The five pilot enterprises of the 2010 pilot (fixed features, see module docstring)."""
    common = {"intervention_month": _PILOT_INTERVENTION, "blank_codes_followup": 0,
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
        _Profile(**{**common, **row, "notes": _PILOT_NOTES[row["enterprise_id"]]})
        for row in rows
    )


_PILOTS = _pilot_profiles()


def _synthetic_profile(index: int, seed: int) -> _Profile:
    """Draw the profile of synthetic enterprise number ``index + 1`` (0-based ``index``)."""
    rng = np.random.default_rng([seed, _STREAM_PROFILE, index])
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
    scale = _SCALES[int(rng.integers(len(_SCALES)))]
    baseline_day = int(rng.integers(23, 31))
    t0 = _month_number(intervention) - _month_number(FIRST_MONTH)
    missing = None
    if rng.random() < 0.10:
        candidates = [t for t in range(1, len(_MONTHS) - 1) if t != t0]
        missing = _MONTHS[candidates[int(rng.integers(len(candidates)))]]
    tracks_rework = bool(rng.random() >= 0.10)
    six_day_week = bool(rng.random() < 0.5)
    n_base = int(rng.integers(15, 41))
    n_matched = int(round(n_base * rng.uniform(0.65, 0.90)))
    n_follow = int(np.clip(n_matched + rng.integers(0, 9), 15, 40))
    n_notes = int(rng.integers(2, 5))
    note_idx = np.sort(rng.choice(len(_GENERIC_NOTES), size=n_notes, replace=False))
    return _Profile(
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
        notes=tuple(_GENERIC_NOTES[i] for i in note_idx),
    )


# --------------------------------------------------------------------------- months


def _month_number(month: str) -> int:
    """``YYYY-MM`` as a running month number (year * 12 + month - 1)."""
    return int(month[:4]) * 12 + int(month[5:7]) - 1


def _month_text(number: int) -> str:
    year, month0 = divmod(number, 12)
    return f"{year:04d}-{month0 + 1:02d}"


def _shift_date(date: str, months: int) -> str:
    """Move a ``YYYY-MM-DD`` date by whole months (day clamped to the month's length)."""
    year, month0 = divmod(_month_number(date[:7]) + months, 12)
    day = min(int(date[8:10]), calendar.monthrange(year, month0 + 1)[1])
    return dt.date(year, month0 + 1, day).isoformat()


_MONTHS: tuple[str, ...] = tuple(
    _month_text(n) for n in range(_month_number(FIRST_MONTH), _month_number(LAST_MONTH) + 1)
)
_N_MONTHS = len(_MONTHS)


def _calendar() -> dict[str, np.ndarray]:
    """Per-month calendar arrays shared by all enterprises."""
    starts = np.array([f"{m}-01" for m in _MONTHS], dtype="datetime64[D]")
    ends = np.array(
        [f"{_month_text(_month_number(m) + 1)}-01" for m in _MONTHS], dtype="datetime64[D]"
    )
    eid_set = eid_months()
    eid = np.array([m in eid_set for m in _MONTHS])
    after_eid = np.array([_month_text(_month_number(m) - 1) in eid_set for m in _MONTHS])
    before_eid = np.array([_month_text(_month_number(m) + 1) in eid_set for m in _MONTHS])
    return {
        "days5": np.busday_count(starts, ends, weekmask="1111100").astype(float),
        "days6": np.busday_count(starts, ends, weekmask="1111110").astype(float),
        "eid": eid,
        "after_eid": after_eid,
        "before_eid": before_eid,
    }


_CAL = _calendar()


# --------------------------------------------------------------------------- helpers


def _gamma_poisson(rng: np.random.Generator, mean: np.ndarray, shape: float) -> np.ndarray:
    """Negative-binomial counts with the given means and gamma shape (overdispersion)."""
    mean = np.maximum(np.asarray(mean, dtype=float), 0.0)
    return rng.poisson(rng.gamma(shape, mean / shape)).astype(float)


def _int64(values: np.ndarray) -> pd.arrays.IntegerArray:
    """Whole numbers as a nullable ``Int64`` array (NaN becomes ``<NA>``)."""
    values = np.asarray(values, dtype=float)
    mask = np.isnan(values)
    return pd.arrays.IntegerArray(np.where(mask, 0, np.rint(values)).astype(np.int64), mask)


def _concat(parts: list[np.ndarray], dtype: object = float) -> np.ndarray:
    if not parts:
        return np.array([], dtype=dtype)
    return np.concatenate(parts)


# --------------------------------------------------------------------------- KPI


def _kpi_block(p: _Profile, seed: int, index: int) -> dict[str, np.ndarray]:
    """Simulate one enterprise's monthly KPIs (arrays over the kept months)."""
    rng = np.random.default_rng([seed, _STREAM_KPI, index])
    sector = SECTORS[p.sector]
    t = np.arange(_N_MONTHS, dtype=float)
    t0 = _month_number(p.intervention_month) - _month_number(FIRST_MONTH)
    t_rel = t - t0
    post = t >= t0
    ramp = np.where(post, np.minimum(1.0, 0.75 + 0.25 * np.maximum(t_rel, 0) / 3.0), 0.0)
    eid, after_eid, before_eid = _CAL["eid"], _CAL["after_eid"], _CAL["before_eid"]

    jitter = {k: rng.uniform(0.6, 1.4) for k in _EFFECTS}

    def effect(kind: str) -> np.ndarray:
        return p.strength * jitter[kind] * _EFFECTS[kind] * ramp

    def trend(sd: float, centre: float = 0.0) -> np.ndarray:
        return rng.normal(centre, sd) * t_rel

    # Workforce and calendar.
    base_headcount = p.employees * rng.uniform(0.72, 0.85)
    drift = rng.normal(0.002, 0.003) * t + np.cumsum(rng.normal(0.0, 0.012, _N_MONTHS))
    headcount = np.maximum(1.0, np.rint(base_headcount * np.exp(drift)))
    days = (_CAL["days6"] if p.six_day_week else _CAL["days5"]) - 5.0 * eid
    scheduled = headcount * days

    # Absenteeism (Lebaran peak) and hours.
    absence_rate = (sector.absence_rate * rng.uniform(0.8, 1.25)
                    * np.exp(trend(0.003) + effect("absence"))
                    * np.where(eid, rng.uniform(2.0, 2.6), 1.0) * np.where(after_eid, 1.3, 1.0))
    absent = np.minimum(scheduled, _gamma_poisson(rng, scheduled * absence_rate, 80.0))
    hours_per_day = 7.0 if p.six_day_week else 8.0
    overtime = (rng.normal(1.06, 0.03, _N_MONTHS)
                * np.where(before_eid, 1.06, 1.0) * np.where(eid, 0.94, 1.0))
    hours = np.rint((scheduled - absent) * hours_per_day * overtime)

    # Production, rejects, rework.
    productivity = (sector.productivity * rng.uniform(0.8, 1.25)
                    * np.exp(trend(0.002, 0.002) + effect("productivity")
                             + rng.normal(0.0, 0.025, _N_MONTHS))
                    * np.where(eid, 0.9, 1.0))
    produced = np.rint(productivity * hours)
    reject_rate = (sector.reject_rate * rng.uniform(0.8, 1.25)
                   * np.exp(trend(0.003) + effect("reject"))
                   * np.where(eid, 1.15, 1.0) * np.where(after_eid, 1.1, 1.0))
    rejected = np.minimum(produced, _gamma_poisson(rng, produced * reject_rate, 120.0))
    rework_rate = (sector.rework_rate * rng.uniform(0.8, 1.25)
                   * np.exp(trend(0.003) + effect("rework")) * np.where(eid, 1.1, 1.0))
    reworked = np.minimum(produced, _gamma_poisson(rng, produced * rework_rate, 120.0))
    if not p.tracks_rework:
        reworked = np.full(_N_MONTHS, np.nan)
    output = produced - rejected

    # Suggestions: few before the programme, more after (bipartite committee, suggestion box).
    suggestion_mean = (
        np.maximum(headcount * _SUGGESTIONS_BEFORE, _SUGGESTIONS_FLOOR)
        + headcount * _SUGGESTIONS_GAIN * p.strength * jitter["suggestions"] * ramp
    )
    submitted = _gamma_poisson(rng, suggestion_mean, 3.0)
    share = np.where(post, 0.35 + 0.35 * p.strength, 0.30)
    implemented = rng.binomial(submitted.astype(np.int64), share).astype(float)

    # Safety and turnover.
    accident_rate = rng.uniform(8.0, 25.0) / 1e6 * np.exp(effect("accidents"))
    accidents = _gamma_poisson(rng, hours * accident_rate, 5.0)
    separation_rate = (rng.uniform(0.012, 0.03) * np.exp(trend(0.003) + effect("separations"))
                       * np.where(eid | after_eid, 1.8, 1.0))
    separations = _gamma_poisson(rng, headcount * separation_rate, 10.0)

    keep = np.ones(_N_MONTHS, dtype=bool)
    if p.missing_month is not None:
        keep[_MONTHS.index(p.missing_month)] = False
    columns = {
        "headcount": headcount, "worker_hours": hours, "output_units": output,
        "units_produced": produced, "units_rejected": rejected, "units_reworked": reworked,
        "workdays_scheduled": scheduled, "workdays_absent": absent,
        "suggestions_submitted": submitted, "suggestions_implemented": implemented,
        "accidents": accidents, "separations": separations,
    }
    out = {k: v[keep] for k, v in columns.items()}
    out["month"] = np.array(_MONTHS, dtype=object)[keep]
    return out


_KPI_INTEGER = (
    "headcount", "units_produced", "units_rejected", "units_reworked",
    "suggestions_submitted", "suggestions_implemented", "accidents", "separations",
)


def _kpi_table(profiles: list[_Profile], seed: int) -> pd.DataFrame:
    blocks = [_kpi_block(p, seed, i) for i, p in enumerate(profiles)]
    ids = np.repeat([p.enterprise_id for p in profiles], [len(b["month"]) for b in blocks])
    data: dict[str, object] = {"enterprise_id": ids,
                               "month": _concat([b["month"] for b in blocks], object)}
    for col in TABLE_COLUMNS["kpi_monthly"][2:]:
        values = _concat([b[col] for b in blocks])
        data[col] = _int64(values) if col in _KPI_INTEGER else values.astype(float)
    return pd.DataFrame(data, columns=list(TABLE_COLUMNS["kpi_monthly"]))


# --------------------------------------------------------------------------- milestones


def _milestone_dates(p: _Profile) -> dict[str, str]:
    shift = _month_number(p.intervention_month) - _month_number(_PILOT_INTERVENTION)
    return {name: _shift_date(date, shift) for name, date in MILESTONE_DATES}


def _milestones_table(profiles: list[_Profile]) -> pd.DataFrame:
    rows = [
        (p.enterprise_id, name, date)
        for p in profiles
        for name, date in _milestone_dates(p).items()
    ]
    return pd.DataFrame(rows, columns=list(TABLE_COLUMNS["milestones"]))


# --------------------------------------------------------------------------- 5S


def _five_s_block(p: _Profile, seed: int, index: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng([seed, _STREAM_5S, index])
    pillars: list[str] = []
    items: list[str] = []
    for pillar, names in _PILLAR_ITEMS.items():
        n_items = int(rng.integers(2, 4))
        chosen = np.sort(rng.choice(len(names), size=n_items, replace=False))
        pillars.extend([pillar] * n_items)
        items.extend(names[i] for i in chosen)
    n_areas, n_items = len(p.areas), len(items)
    base = (rng.uniform(25.0, 45.0)
            + rng.normal(0.0, 8.0, (n_areas, 1))
            + rng.normal(0.0, 10.0, (1, n_items))
            + rng.normal(0.0, 6.0, (n_areas, n_items))).ravel()
    gains = np.array([0.0, 18.0, 30.0, 40.0]) * p.strength_5s
    noise = np.vstack([np.zeros(base.size), rng.normal(0.0, 7.0, (3, base.size))])
    percent = np.clip(base[None, :] + gains[:, None] + noise, 0.0, 100.0)  # audits x cells
    low, high = p.scale
    score = np.rint(low + percent / 100.0 * (high - low))
    score[rng.random(score.shape) < 0.03] = np.nan

    milestones = _milestone_dates(p)
    training = milestones["training"]
    last_day = calendar.monthrange(int(training[:4]), int(training[5:7]))[1]
    baseline_date = f"{training[:7]}-{min(p.baseline_audit_day, last_day):02d}"
    dates = [baseline_date] + [milestones[v] for v in _VISITS]
    visits = ["baseline", *_VISITS]
    n_cells = base.size
    return {
        "audit_date": np.repeat(np.array(dates, dtype=object), n_cells),
        "visit": np.repeat(np.array(visits, dtype=object), n_cells),
        "area": np.tile(np.repeat(np.array(p.areas, dtype=object), n_items), 4),
        "pillar": np.tile(np.array(pillars, dtype=object), 4 * n_areas),
        "item": np.tile(np.array(items, dtype=object), 4 * n_areas),
        "score": score.ravel(),
        "scale_min": np.full(4 * n_cells, float(low)),
        "scale_max": np.full(4 * n_cells, float(high)),
    }


def _five_s_table(profiles: list[_Profile], seed: int) -> pd.DataFrame:
    blocks = [_five_s_block(p, seed, i) for i, p in enumerate(profiles)]
    ids = np.repeat([p.enterprise_id for p in profiles], [len(b["score"]) for b in blocks])
    data: dict[str, object] = {"enterprise_id": ids}
    for col in TABLE_COLUMNS["five_s_audits"][1:]:
        if col in ("score", "scale_min", "scale_max"):
            data[col] = _int64(_concat([b[col] for b in blocks]))
        else:
            data[col] = _concat([b[col] for b in blocks], object)
    return pd.DataFrame(data, columns=list(TABLE_COLUMNS["five_s_audits"]))


# --------------------------------------------------------------------------- survey


def _survey_items_table() -> pd.DataFrame:
    rows = [
        (i.item_id, i.construct, i.text_en, i.text_id, "true" if i.reverse else "false", 1, 5)
        for i in SURVEY_ITEMS
    ]
    frame = pd.DataFrame(rows, columns=list(TABLE_COLUMNS["survey_items"]))
    return frame.astype({"scale_min": "Int64", "scale_max": "Int64"})


_CONSTRUCTS: tuple[str, ...] = tuple(dict.fromkeys(i.construct for i in SURVEY_ITEMS))
_ITEM_CONSTRUCT = np.array([_CONSTRUCTS.index(i.construct) for i in SURVEY_ITEMS])
_ITEM_BIAS = np.array([i.bias for i in SURVEY_ITEMS])
_ITEM_REVERSE = np.array([i.reverse for i in SURVEY_ITEMS])
_GAIN = np.array([_CONSTRUCT_GAIN[c] for c in _CONSTRUCTS])
_OFFSET = np.array([_CONSTRUCT_OFFSET[c] for c in _CONSTRUCTS])


def _survey_block(p: _Profile, seed: int, index: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng([seed, _STREAM_SURVEY, index])
    n_base, n_follow, n_matched = p.survey_sizes
    n_new = n_follow - n_matched
    n_people = n_base + n_new
    n_constructs = len(_CONSTRUCTS)

    codes = rng.choice(999, size=n_people, replace=False) + 1
    code_text = np.array([f"R{c:03d}" for c in codes], dtype=object)
    # People 0..n_base-1 answer at baseline; the first n_matched of a random order also
    # at follow-up, with the n_new newcomers (people n_base..).
    order = rng.permutation(n_base)
    follow_people = np.concatenate([order[:n_matched], np.arange(n_base, n_people)])
    if p.blank_codes_followup:
        code_text[n_people - min(p.blank_codes_followup, n_new):] = None

    sector = SECTORS[p.sector]
    gender = np.where(rng.random(n_people) < sector.female_share, "f", "m").astype(object)
    weights = np.array([0.5 if a == "warehouse" else 1.0 for a in p.areas])
    department = np.array(p.areas, dtype=object)[
        rng.choice(len(p.areas), size=n_people, p=weights / weights.sum())]

    mean = rng.uniform(3.0, 3.4)
    latent_base = (mean + _OFFSET[None, :] + rng.normal(0.0, 0.45, (n_people, 1))
                   + rng.normal(0.0, 0.55, (n_people, n_constructs)))
    change = p.strength_survey * _GAIN[None, :] + rng.normal(0.0, 0.30, (n_people, n_constructs))
    latent = np.vstack([latent_base[:n_base], (latent_base + change)[follow_people]])
    people = np.concatenate([np.arange(n_base), follow_people])
    n_rows = people.size

    answers = np.clip(
        np.rint(latent[:, _ITEM_CONSTRUCT] + _ITEM_BIAS[None, :]
                + rng.normal(0.0, 0.75, (n_rows, len(SURVEY_ITEMS)))),
        1.0, 5.0,
    )
    answers = np.where(_ITEM_REVERSE[None, :], 6.0 - answers, answers)
    answers[rng.random(answers.shape) < 0.025] = np.nan

    wave = np.array(["baseline"] * n_base + ["followup"] * n_follow, dtype=object)
    # Rows sorted by wave, then code (questionnaires without a code last).
    sort_code = np.where(pd.isna(code_text[people]), "~", code_text[people]).astype(str)
    row_order = np.lexsort((sort_code, wave != "baseline"))
    return {
        "wave": wave[row_order],
        "respondent_id": code_text[people][row_order],
        "gender": gender[people][row_order],
        "department": department[people][row_order],
        "answers": answers[row_order],
    }


def _survey_table(profiles: list[_Profile], seed: int) -> pd.DataFrame:
    blocks = [_survey_block(p, seed, i) for i, p in enumerate(profiles)]
    ids = np.repeat([p.enterprise_id for p in profiles], [len(b["wave"]) for b in blocks])
    data: dict[str, object] = {"enterprise_id": ids}
    for col in TABLE_COLUMNS["worker_survey"][1:]:
        data[col] = _concat([b[col] for b in blocks], object)
    answers = (np.vstack([b["answers"] for b in blocks]) if blocks
               else np.empty((0, len(SURVEY_ITEMS))))
    for j, item in enumerate(SURVEY_ITEMS):
        data[item.item_id] = _int64(answers[:, j])
    columns = [*TABLE_COLUMNS["worker_survey"], *(i.item_id for i in SURVEY_ITEMS)]
    return pd.DataFrame(data, columns=columns)


# --------------------------------------------------------------------------- tables


def _enterprises_table(profiles: list[_Profile]) -> pd.DataFrame:
    rows = [
        (p.enterprise_id, p.name, p.location, p.sector, p.employees, p.intervention_month,
         p.output_unit, "simulated")
        for p in profiles
    ]
    frame = pd.DataFrame(rows, columns=list(TABLE_COLUMNS["enterprises"]))
    return frame.astype({"employees": "Int64"})


def _qualitative_table(profiles: list[_Profile]) -> pd.DataFrame:
    rows = [
        (p.enterprise_id, kind, text, language)
        for p in profiles
        for kind, language, text in p.notes
    ]
    return pd.DataFrame(rows, columns=list(TABLE_COLUMNS["qualitative"]))


def _check_arguments(enterprises: object, seed: object) -> tuple[int, int]:
    from ..i18n import gettext as _

    def bad_enterprises() -> ValueError:
        return ValueError(_("enterprises must be a whole number, got {value!r}").format(
            value=enterprises))

    def bad_seed() -> ValueError:
        return ValueError(_("seed must be a non-negative whole number, got {value!r}").format(
            value=seed))

    if isinstance(enterprises, bool):
        raise bad_enterprises()
    try:
        n = operator.index(enterprises)
    except TypeError:
        raise bad_enterprises() from None
    if not 1 <= n <= MAX_ENTERPRISES:
        raise ValueError(_("enterprises must be between 1 and {most}, got {value}").format(
            most=MAX_ENTERPRISES, value=n))
    if isinstance(seed, bool):
        raise bad_seed()
    try:
        s = operator.index(seed)
    except TypeError:
        raise bad_seed() from None
    if s < 0:
        raise bad_seed()
    return n, s


def demo_tables(enterprises: int = 5, seed: int = DEFAULT_SEED) -> dict[str, pd.DataFrame]:
    """Simulate the demonstration dataset of docs/demo_data.md.

    Parameters
    ----------
    enterprises : int, default 5
        Number of enterprises, 1-10000.  The first five are the pilot
        enterprises of the 2010 pilot (in the order Tjokro, Trijaya, Lestari,
        Inprintama, Tesena); the others are synthetic (``ent_006``, ...).
    seed : int, default :data:`DEFAULT_SEED`
        Non-negative seed.  The same ``(enterprises, seed)`` always gives
        identical tables, and the rows of the first enterprises do not depend
        on ``enterprises``.

    Returns
    -------
    dict of str to pandas.DataFrame
        The tables ``enterprises``, ``milestones``, ``kpi_monthly``,
        ``five_s_audits``, ``survey_items``, ``worker_survey`` and
        ``qualitative``, each with exactly the columns of docs/data_contract.md in order
        (``worker_survey``: the five fixed columns, then one column per
        codebook ``item_id``).  Values are as written to CSV: months
        ``YYYY-MM`` and dates ``YYYY-MM-DD`` as text, integer columns as
        nullable ``Int64`` (blank = ``<NA>``), other numbers as ``float``,
        the codebook's ``reverse`` as ``'true'``/``'false'``.

    Raises
    ------
    ValueError
        If ``enterprises`` is not a whole number between 1 and 10000, or
        ``seed`` is not a non-negative whole number.

    Notes
    -----
    The function writes no files.  The simulation assumptions (distributions,
    effect sizes, the features built in on purpose) are listed in the module
    docstring and in ``docs/demo_data.md``.

    Examples
    --------
    >>> tables = demo_tables()
    >>> sorted(tables["enterprises"]["enterprise_id"])[:2]
    ['inprintama_asri', 'lestari_dini_tunggul']
    >>> tables["kpi_monthly"]["month"].min(), tables["kpi_monthly"]["month"].max()
    ('2009-01', '2011-01')
    """
    n, seed = _check_arguments(enterprises, seed)
    profiles = list(_PILOTS[:n]) + [_synthetic_profile(i, seed) for i in range(5, n)]
    return {
        "enterprises": _enterprises_table(profiles),
        "milestones": _milestones_table(profiles),
        "kpi_monthly": _kpi_table(profiles, seed),
        "five_s_audits": _five_s_table(profiles, seed),
        "survey_items": _survey_items_table(),
        "worker_survey": _survey_table(profiles, seed),
        "qualitative": _qualitative_table(profiles),
    }
