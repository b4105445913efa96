"""The tables of the contract: their columns, keys and rules (docs/data_contract.md)."""

from __future__ import annotations

from ...i18n import N_
from .codes import RuleCode
from .declarations import (
    Answers,
    ByItem,
    Column,
    FilledFor,
    Item,
    Ordered,
    Series,
    Table,
    Within,
)

#: ``enterprise_id`` pattern (docs/data_contract.md).
ENTERPRISE_ID_PATTERN = r"[a-z0-9_-]{1,40}"

PILLARS = ("sort", "set_in_order", "shine", "standardize", "sustain")
WAVES = ("baseline", "followup")
QUALITATIVE_KINDS = ("good_practice", "lesson_learned", "constraint")
DATA_SOURCES = ("enterprise_records", "simulated")
#: The role of an enterprise (docs/data_contract.md): blank means ``programme``.
ROLES = ("programme", "comparison")
PROGRAMME, COMPARISON = ROLES
#: The trainers' visits at which the implementation is recorded, in order.
VISITS = ("baseline", "visit_1", "visit_2", "visit_3", "final_workshop")
BOOLEAN_TRUE = ("true", "1", "yes", "ya")
BOOLEAN_FALSE = ("false", "0", "no", "tidak")

#: Smallest group of survey respondents whose numbers are shown (privacy, docs/analysis_plan.md §5).
MIN_CELL = 5

#: Earliest month accepted anywhere (docs/data_contract.md).
FIRST_MONTH = "1990-01"

#: Months of one enterprise more than this far from all the others are a typed year.
MONTH_GAP = 12


_TEXT_MAX = 5000


def _id_column() -> Column:
    return Column("enterprise_id", "text", pattern=ENTERPRISE_ID_PATTERN,
                  en="Enterprise code.", id="Kode perusahaan.")


ENTERPRISES = Table(
    name="enterprises",
    key=("enterprise_id",),
    needs_rows=True,
    rules=(N_("intervention_month filled for programme enterprises, blank for comparison "
              "ones"),),
    filled_for=(FilledFor("intervention_month", by="role", filled=(PROGRAMME,),
                          blank=(COMPARISON,), missing=RuleCode.PROGRAMME_WITHOUT_START,
                          present=RuleCode.COMPARISON_WITH_START),),
    en="One row per enterprise.",
    id="Satu baris per perusahaan.",
    columns=(
        Column("enterprise_id", "text", pattern=ENTERPRISE_ID_PATTERN,
               en="Short code: lower-case letters, digits, _ or -, at most 40.",
               id="Kode singkat: huruf kecil, angka, _ atau -, maksimal 40."),
        Column("name", "text", max_length=200,
               en="Enterprise name.", id="Nama perusahaan."),
        Column("location", "text", required=False, nullable=True, max_length=200,
               en="Location (optional).", id="Lokasi (opsional)."),
        Column("sector", "text", max_length=200,
               en="Sector, e.g. automotive parts.", id="Sektor, mis. suku cadang otomotif."),
        Column("employees", "integer", required=False, nullable=True, minimum=1,
               en="Number of employees (optional, at least 1).",
               id="Jumlah karyawan (opsional, minimal 1)."),
        Column("intervention_month", "month", nullable=True,
               en="First month counted as 'after' the programme (YYYY-MM); blank for a "
                  "comparison enterprise.",
               id="Bulan pertama yang dihitung 'sesudah' program (YYYY-MM); kosongkan untuk "
                  "perusahaan pembanding."),
        Column("role", "choice", required=False, nullable=True, choices=ROLES,
               default=PROGRAMME,
               en="programme (took part; blank means programme) or comparison (took no part: "
                  "a comparison series).",
               id="programme (ikut program; kosong berarti programme) atau comparison "
                  "(tidak ikut program: sebuah deret pembanding)."),
        Column("output_unit", "text", required=False, nullable=True, max_length=60,
               en="Unit of output_units, e.g. pcs or sheets (optional).",
               id="Satuan output_units, mis. pcs atau lembar (opsional)."),
        Column("data_source", "choice", choices=DATA_SOURCES,
               en="enterprise_records or simulated.",
               id="enterprise_records (catatan perusahaan) atau simulated (simulasi)."),
    ),
)

MILESTONES = Table(
    name="milestones",
    required=False,
    comparison_rows="forbidden",
    key=("enterprise_id", "milestone", "date"),
    en="Programme events used to annotate charts (optional).",
    id="Kegiatan program untuk keterangan grafik (opsional).",
    columns=(
        _id_column(),
        Column("milestone", "text", max_length=80,
               en="training, visit_1, visit_2, visit_3, final_workshop, ...",
               id="training, visit_1, visit_2, visit_3, final_workshop, ..."),
        Column("date", "date", en="Date (YYYY-MM-DD or DD/MM/YYYY).",
               id="Tanggal (YYYY-MM-DD atau DD/MM/YYYY)."),
    ),
)


def _kpi(name: str, kind: str, en: str, id_: str, *, at_most: str | None = None,
         per: str | None = None) -> Column:
    return Column(name, kind, required=False, nullable=True, minimum=0, at_most=at_most,
                  per=per, en=en, id=id_)


KPI_MONTHLY = Table(
    name="kpi_monthly",
    key=("enterprise_id", "month"),
    comparison_rows="expected",
    series=Series(month="month", start=("enterprises", "intervention_month")),
    en="One row per enterprise and month; leave a KPI blank when it is not tracked.",
    id="Satu baris per perusahaan dan bulan; kosongkan KPI yang tidak dicatat.",
    columns=(
        _id_column(),
        Column("month", "month", en="Month (YYYY-MM).", id="Bulan (YYYY-MM)."),
        _kpi("headcount", "integer", "Production workers on payroll.",
             "Jumlah pekerja produksi."),
        _kpi("worker_hours", "number", "Hours worked by production workers.",
             "Jam kerja pekerja produksi."),
        _kpi("output_units", "number", "Good output, in output_unit.",
             "Hasil produksi yang baik, dalam output_unit.", per="worker_hours"),
        _kpi("units_produced", "integer", "Units produced or inspected.",
             "Unit yang diproduksi atau diperiksa."),
        _kpi("units_rejected", "integer", "Units rejected (at most units_produced).",
             "Unit yang ditolak (maksimal units_produced).", at_most="units_produced",
             per="units_produced"),
        _kpi("units_reworked", "integer", "Units reworked (at most units_produced).",
             "Unit yang dikerjakan ulang (maksimal units_produced).", at_most="units_produced",
             per="units_produced"),
        _kpi("workdays_scheduled", "number", "Person-days scheduled.",
             "Hari-orang yang dijadwalkan."),
        _kpi("workdays_absent", "number", "Person-days absent (at most workdays_scheduled).",
             "Hari-orang tidak hadir (maksimal workdays_scheduled).",
             at_most="workdays_scheduled", per="workdays_scheduled"),
        _kpi("suggestions_submitted", "integer", "Worker suggestions received.",
             "Saran pekerja yang diterima.", per="headcount"),
        _kpi("suggestions_implemented", "integer",
             "Suggestions implemented (at most suggestions_submitted).",
             "Saran yang dilaksanakan (maksimal suggestions_submitted).",
             at_most="suggestions_submitted", per="suggestions_submitted"),
        _kpi("accidents", "integer", "Lost-time accidents.",
             "Kecelakaan kerja dengan hari hilang.", per="worker_hours"),
        _kpi("separations", "integer", "Workers who left.", "Pekerja yang keluar.",
             per="headcount"),
    ),
)

FIVE_S_AUDITS = Table(
    name="five_s_audits",
    required=False,
    comparison_rows="unused",
    key=("enterprise_id", "audit_date", "area", "pillar", "item"),
    ordered=(Ordered("scale_min", "scale_max"),),
    within=(Within("score", "scale_min", "scale_max"),),
    rules=("scale_min < scale_max", "scale_min ≤ score ≤ scale_max"),
    en="5S audits, one row per checklist item scored; leave score blank when not assessed.",
    id="Audit 5R (Ringkas, Rapi, Resik, Rawat, Rajin), satu baris per butir yang dinilai; "
       "kosongkan nilai bila tidak dinilai.",
    columns=(
        _id_column(),
        Column("audit_date", "date", en="Audit date.", id="Tanggal audit."),
        Column("visit", "text", nullable=True, max_length=80,
               en="baseline, visit_1, visit_2, visit_3, ...",
               id="baseline, visit_1, visit_2, visit_3, ..."),
        Column("area", "text", max_length=120, en="Workplace area audited.",
               id="Area kerja yang diaudit."),
        Column("pillar", "choice", choices=PILLARS,
               en="sort, set_in_order, shine, standardize or sustain.",
               id="sort (ringkas), set_in_order (rapi), shine (resik), standardize (rawat) "
                  "atau sustain (rajin)."),
        Column("item", "text", max_length=200, en="Checklist item.", id="Butir daftar periksa."),
        Column("score", "number", nullable=True, en="Score, between scale_min and scale_max.",
               id="Nilai, antara scale_min dan scale_max."),
        Column("scale_min", "number", en="Lowest possible score.", id="Nilai terendah."),
        Column("scale_max", "number", en="Highest possible score (above scale_min).",
               id="Nilai tertinggi (di atas scale_min)."),
    ),
)

SURVEY_ITEMS = Table(
    name="survey_items",
    required=False,
    key=("item_id",),
    ordered=(Ordered("scale_min", "scale_max"),),
    rules=("scale_min < scale_max",),
    en="Survey codebook: one row per question.",
    id="Buku kode survei: satu baris per pertanyaan.",
    columns=(
        Column("item_id", "text", pattern=r"[A-Za-z][A-Za-z0-9_]{0,39}",
               en="Column name of the item in worker_survey.",
               id="Nama kolom butir di worker_survey."),
        Column("construct", "text", pattern=r"[a-z][a-z0-9_]{0,39}",
               en="Construct, e.g. communication.", id="Konstruk, mis. communication."),
        Column("text_en", "text", nullable=True, max_length=_TEXT_MAX,
               en="Question in English.", id="Pertanyaan dalam bahasa Inggris."),
        Column("text_id", "text", nullable=True, max_length=_TEXT_MAX,
               en="Question in Bahasa Indonesia.", id="Pertanyaan dalam Bahasa Indonesia."),
        Column("reverse", "boolean", en="true if the item is reverse-coded.",
               id="ya bila skor butir dibalik."),
        Column("scale_min", "integer", en="Lowest answer.", id="Jawaban terendah."),
        Column("scale_max", "integer", en="Highest answer (above scale_min).",
               id="Jawaban tertinggi (di atas scale_min)."),
    ),
)

WORKER_SURVEY = Table(
    name="worker_survey",
    required=False,
    comparison_rows="unused",
    extra_columns_allowed=True,
    unique=(("enterprise_id", "wave", "respondent_id"),),
    answers=Answers(codebook="survey_items", item="item_id", low="scale_min",
                    high="scale_max"),
    rules=(N_("every other column is an item_id of survey_items"),
           N_("answers are whole numbers within the item's scale, or blank"),
           N_("respondent_id unique within an enterprise and wave")),
    en="Worker survey: one row per respondent and wave, then one column per codebook item.",
    id="Survei pekerja: satu baris per responden dan gelombang, lalu satu kolom per butir.",
    columns=(
        _id_column(),
        Column("wave", "choice", choices=WAVES, en="baseline or followup.",
               id="baseline (awal) atau followup (lanjutan)."),
        Column("respondent_id", "text", nullable=True, max_length=40,
               en="Pseudonymous code; the same code in both waves is the same worker.",
               id="Kode samaran; kode yang sama di kedua gelombang adalah pekerja yang sama."),
        Column("gender", "text", required=False, nullable=True, max_length=40,
               en="Gender (optional).", id="Jenis kelamin (opsional)."),
        Column("department", "text", required=False, nullable=True, max_length=120,
               en="Department (optional).", id="Bagian (opsional)."),
    ),
)

IMPLEMENTATION_ITEMS = (
    Item("eit_members", "integer", minimum=0,
         en="People on the enterprise improvement team (EIT).",
         id="Jumlah anggota tim peningkatan perusahaan (EIT)."),
    Item("eit_worker_members", "integer", minimum=0, at_most="eit_members",
         en="Of them, non-management workers (at most eit_members).",
         id="Di antaranya, pekerja non-manajemen (maksimal eit_members)."),
    Item("eit_meetings", "integer", minimum=0,
         en="EIT meetings held since the previous visit.",
         id="Rapat EIT sejak kunjungan sebelumnya."),
    Item("actions_planned", "integer", minimum=0,
         en="Actions in the enterprise's improvement plan so far.",
         id="Jumlah tindakan dalam rencana perbaikan perusahaan sejauh ini."),
    Item("actions_done", "integer", minimum=0, at_most="actions_planned",
         en="Of them, completed (at most actions_planned).",
         id="Di antaranya, yang sudah selesai (maksimal actions_planned)."),
    Item("suggestion_scheme", "boolean",
         en="A working suggestion scheme: yes or no.",
         id="Sistem saran yang berjalan: ya atau tidak."),
    Item("communication_board", "boolean",
         en="A communication board kept up to date: yes or no.",
         id="Papan komunikasi yang selalu diperbarui: ya atau tidak."),
    Item("bipartite_meetings", "integer", minimum=0,
         en="Bipartite committee (LKS Bipartit) meetings since the previous visit.",
         id="Rapat LKS Bipartit sejak kunjungan sebelumnya."),
    Item("trainer_rating", "integer", minimum=1, maximum=5,
         en="The trainer's overall rating of the implementation, 1 (little) to 5 (full).",
         id="Penilaian umum pelatih atas penerapan, 1 (sedikit) sampai 5 (penuh)."),
)

IMPLEMENTATION = Table(
    name="implementation",
    required=False,
    key=("enterprise_id", "visit", "item"),
    comparison_rows="forbidden",
    items=IMPLEMENTATION_ITEMS,
    by_item=ByItem(item="item", value="value", visit="visit", date="date"),
    rules=(N_("one row per enterprise, visit and item"),
           N_("eit_worker_members ≤ eit_members and actions_done ≤ actions_planned within "
              "an enterprise and visit")),
    en="Progress of the implementation recorded by the trainer at each visit (optional): "
       "one row per enterprise, visit and item.",
    id="Catatan pelaksanaan: kemajuan yang dicatat pelatih pada setiap kunjungan (opsional); "
       "satu baris per perusahaan, kunjungan dan butir.",
    columns=(
        _id_column(),
        Column("visit", "choice", choices=VISITS,
               en="baseline, visit_1, visit_2, visit_3 or final_workshop.",
               id="baseline (awal), visit_1, visit_2, visit_3 (kunjungan 1-3) atau "
                  "final_workshop (lokakarya hasil akhir)."),
        Column("date", "date", en="Date of the visit.", id="Tanggal kunjungan."),
        Column("item", "choice", choices=tuple(i.name for i in IMPLEMENTATION_ITEMS),
               en="What was recorded (see the items below).",
               id="Yang dicatat (lihat daftar butir di bawah)."),
        Column("value", "item", nullable=True,
               en="The value, as the item says: a whole number, or yes/no (ya/tidak); blank "
                  "when not recorded.",
               id="Nilainya, sesuai butir: bilangan bulat, atau ya/tidak (yes/no); kosongkan "
                  "bila tidak dicatat."),
    ),
)

QUALITATIVE = Table(
    name="qualitative",
    required=False,
    en="Good practices, lessons learned and constraints reported by the enterprise.",
    id="Praktik baik, pelajaran yang dipetik dan kendala yang dilaporkan perusahaan.",
    columns=(
        _id_column(),
        Column("kind", "choice", choices=QUALITATIVE_KINDS,
               en="good_practice, lesson_learned or constraint.",
               id="good_practice (praktik baik), lesson_learned (pelajaran yang dipetik) atau "
                  "constraint (kendala)."),
        Column("text", "text", max_length=_TEXT_MAX, en="Free text.", id="Teks bebas."),
        Column("language", "text", nullable=True, max_length=20,
               en="Language code, e.g. en or id.", id="Kode bahasa, mis. en atau id."),
    ),
)

#: Every table of the contract, in the order they are read and validated.
TABLES: dict[str, Table] = {
    t.name: t
    for t in (ENTERPRISES, MILESTONES, KPI_MONTHLY, FIVE_S_AUDITS, SURVEY_ITEMS,
              WORKER_SURVEY, IMPLEMENTATION, QUALITATIVE)
}
