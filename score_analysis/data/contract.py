"""The input data contract (docs/data_contract.md): tables, columns, types and rules.

This module is declarative: it says *what* the data must look like, in one
place, so that validation, the Excel template, the codebook sheet and the
documentation all read the same definition.  It imports nothing heavy.
"""

from __future__ import annotations

from dataclasses import dataclass, field

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


@dataclass(frozen=True)
class Column:
    """One column of an input table.

    ``kind`` is one of ``text``, ``integer``, ``number``, ``month``, ``date``,
    ``boolean`` or ``choice``.  ``required`` means the column must be present
    in the file; ``nullable`` means a cell may be blank.
    """

    name: str
    kind: str
    required: bool = True
    nullable: bool = False
    minimum: float | None = None
    choices: tuple[str, ...] = ()
    pattern: str | None = None
    at_most: str | None = None  # name of a column this one may not exceed
    max_length: int | None = None
    en: str = ""
    id: str = ""
    #: the value a blank cell stands for in the typed table (``role``: programme)
    default: str | None = None


@dataclass(frozen=True)
class Item:
    """One item of a long table whose ``value`` column is read by item (``implementation``).

    ``kind`` is ``integer`` or ``boolean``; ``at_most`` names another item of the same
    enterprise and visit that this one may not exceed.
    """

    name: str
    kind: str
    minimum: float | None = None
    maximum: float | None = None
    at_most: str | None = None
    en: str = ""
    id: str = ""


@dataclass(frozen=True)
class FilledFor:
    """A column that must hold a value in the rows where ``by`` is one of ``filled`` and
    must be blank where ``by`` is one of ``blank`` (blank ``by`` counts as its default)."""

    column: str
    by: str
    filled: tuple[str, ...] = ()
    blank: tuple[str, ...] = ()


@dataclass(frozen=True)
class Table:
    """One input table: a CSV file or a sheet of the workbook."""

    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()
    required: bool = True
    extra_columns_allowed: bool = False  # the survey has one column per codebook item
    en: str = ""
    id: str = ""
    rules: tuple[str, ...] = field(default_factory=tuple)
    #: rows of comparison enterprises: ``expected`` (their monthly records), ``allowed``,
    #: ``unused`` (kept, not analysed: a warning) or ``forbidden`` (an error)
    comparison_rows: str = "allowed"
    #: the items of a long table whose ``value`` column is read by item
    items: tuple[Item, ...] = ()
    #: columns filled or blank depending on another column
    filled_for: tuple[FilledFor, ...] = ()

    @property
    def file_name(self) -> str:
        return f"{self.name}.csv"

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)


_TEXT_MAX = 5000

ENTERPRISES = Table(
    name="enterprises",
    key=("enterprise_id",),
    filled_for=(FilledFor("intervention_month", by="role", filled=(PROGRAMME,),
                          blank=(COMPARISON,)),),
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
                  "(pembanding: tidak ikut program)."),
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
        Column("enterprise_id", "text", pattern=ENTERPRISE_ID_PATTERN,
               en="Enterprise code.", id="Kode perusahaan."),
        Column("milestone", "text", max_length=80,
               en="training, visit_1, visit_2, visit_3, final_workshop, ...",
               id="training, visit_1, visit_2, visit_3, final_workshop, ..."),
        Column("date", "date", en="Date (YYYY-MM-DD or DD/MM/YYYY).",
               id="Tanggal (YYYY-MM-DD atau DD/MM/YYYY)."),
    ),
)


def _kpi(name: str, kind: str, en: str, id_: str, at_most: str | None = None) -> Column:
    return Column(name, kind, required=False, nullable=True, minimum=0, at_most=at_most,
                  en=en, id=id_)


KPI_MONTHLY = Table(
    name="kpi_monthly",
    key=("enterprise_id", "month"),
    comparison_rows="expected",
    en="One row per enterprise and month; leave a KPI blank when it is not tracked.",
    id="Satu baris per perusahaan dan bulan; kosongkan KPI yang tidak dicatat.",
    columns=(
        Column("enterprise_id", "text", pattern=ENTERPRISE_ID_PATTERN,
               en="Enterprise code.", id="Kode perusahaan."),
        Column("month", "month", en="Month (YYYY-MM).", id="Bulan (YYYY-MM)."),
        _kpi("headcount", "integer", "Production workers on payroll.",
             "Jumlah pekerja produksi."),
        _kpi("worker_hours", "number", "Hours worked by production workers.",
             "Jam kerja pekerja produksi."),
        _kpi("output_units", "number", "Good output, in output_unit.",
             "Hasil produksi yang baik, dalam output_unit."),
        _kpi("units_produced", "integer", "Units produced or inspected.",
             "Unit yang diproduksi atau diperiksa."),
        _kpi("units_rejected", "integer", "Units rejected (at most units_produced).",
             "Unit yang ditolak (maksimal units_produced).", at_most="units_produced"),
        _kpi("units_reworked", "integer", "Units reworked (at most units_produced).",
             "Unit yang dikerjakan ulang (maksimal units_produced).", at_most="units_produced"),
        _kpi("workdays_scheduled", "number", "Person-days scheduled.",
             "Hari-orang yang dijadwalkan."),
        _kpi("workdays_absent", "number", "Person-days absent (at most workdays_scheduled).",
             "Hari-orang tidak hadir (maksimal workdays_scheduled).",
             at_most="workdays_scheduled"),
        _kpi("suggestions_submitted", "integer", "Worker suggestions received.",
             "Saran pekerja yang diterima."),
        _kpi("suggestions_implemented", "integer",
             "Suggestions implemented (at most suggestions_submitted).",
             "Saran yang dilaksanakan (maksimal suggestions_submitted).",
             at_most="suggestions_submitted"),
        _kpi("accidents", "integer", "Lost-time accidents.",
             "Kecelakaan kerja dengan hari hilang."),
        _kpi("separations", "integer", "Workers who left.", "Pekerja yang keluar."),
    ),
)

FIVE_S_AUDITS = Table(
    name="five_s_audits",
    required=False,
    comparison_rows="unused",
    key=("enterprise_id", "audit_date", "area", "pillar", "item"),
    rules=("scale_min < scale_max", "scale_min ≤ score ≤ scale_max"),
    en="5S audits, one row per checklist item scored; leave score blank when not assessed.",
    id="Audit 5S, satu baris per butir yang dinilai; kosongkan nilai bila tidak dinilai.",
    columns=(
        Column("enterprise_id", "text", pattern=ENTERPRISE_ID_PATTERN,
               en="Enterprise code.", id="Kode perusahaan."),
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
               id="true (ya) bila butir dibalik."),
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
    rules=("every other column is an item_id of survey_items",
           "answers are whole numbers within the item's scale, or blank",
           "respondent_id unique within an enterprise and wave"),
    en="Worker survey: one row per respondent and wave, then one column per codebook item.",
    id="Survei pekerja: satu baris per responden dan gelombang, lalu satu kolom per butir.",
    columns=(
        Column("enterprise_id", "text", pattern=ENTERPRISE_ID_PATTERN,
               en="Enterprise code.", id="Kode perusahaan."),
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

QUALITATIVE = Table(
    name="qualitative",
    required=False,
    en="Good practices, lessons learned and constraints reported by the enterprise.",
    id="Praktik baik, pelajaran dan kendala yang dilaporkan perusahaan.",
    columns=(
        Column("enterprise_id", "text", pattern=ENTERPRISE_ID_PATTERN,
               en="Enterprise code.", id="Kode perusahaan."),
        Column("kind", "choice", choices=QUALITATIVE_KINDS,
               en="good_practice, lesson_learned or constraint.",
               id="good_practice (praktik baik), lesson_learned (pelajaran) atau "
                  "constraint (kendala)."),
        Column("text", "text", max_length=_TEXT_MAX, en="Free text.", id="Teks bebas."),
        Column("language", "text", nullable=True, max_length=20,
               en="Language code, e.g. en or id.", id="Kode bahasa, mis. en atau id."),
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
    en="Progress of the implementation recorded by the trainer at each visit (optional): "
       "one row per enterprise, visit and item.",
    id="Kemajuan penerapan yang dicatat pelatih pada setiap kunjungan (opsional): satu baris "
       "per perusahaan, kunjungan dan butir.",
    columns=(
        Column("enterprise_id", "text", pattern=ENTERPRISE_ID_PATTERN,
               en="Enterprise code.", id="Kode perusahaan."),
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

#: How each column kind is named for people, in English and Bahasa Indonesia.
KIND_LABELS: dict[str, tuple[str, str]] = {
    "text": ("text", "teks"),
    "integer": ("whole number", "bilangan bulat"),
    "number": ("number", "angka"),
    "month": ("month YYYY-MM", "bulan YYYY-MM"),
    "date": ("date YYYY-MM-DD or DD/MM/YYYY", "tanggal YYYY-MM-DD atau DD/MM/YYYY"),
    "boolean": ("true or false", "benar (true) atau salah (false)"),
    "choice": ("one of a list", "salah satu dari daftar"),
    "item": ("by item", "menurut butir"),
}


def rule_text(table: Table, column: Column) -> str:
    """Every rule a column must meet, in words (for the codebook sheet and the docs)."""
    parts = ["required column" if column.required else "optional column",
             "blank allowed" if column.nullable else "a value in every row"]
    for rule in table.filled_for:
        if rule.column == column.name:
            parts[1] = (f"a value where {rule.by} is {' or '.join(rule.filled)}, blank where "
                        f"it is {' or '.join(rule.blank)}")
    if column.default is not None:
        parts.append(f"blank means {column.default}")
    if column.kind == "item":
        parts.append("as its item says (see the items)")
    if column.kind == "choice":
        parts.append("one of " + ", ".join(column.choices))
    if column.kind == "boolean":
        parts.append("true/false (1/0, yes/no, ya/tidak accepted)")
    if column.kind == "month":
        parts.append(f"from {FIRST_MONTH}, not in the future")
    if column.kind == "date":
        parts.append("from 1990-01-01, not in the future")
    if column.pattern:
        parts.append(f"matches {column.pattern}")
    if column.minimum is not None:
        parts.append(f"≥ {column.minimum:g}")
    if column.at_most:
        parts.append(f"≤ {column.at_most}")
    if column.max_length:
        parts.append(f"at most {column.max_length} characters")
    if column.name in table.key:
        parts.append("unique" if len(table.key) == 1
                     else "(" + ", ".join(table.key) + ") unique together")
    if column.name == "enterprise_id" and table.name != "enterprises":
        parts.append("listed in enterprises")
    return "; ".join(parts)


def item_rule_text(item: Item) -> str:
    """The rule of one item's value, in words."""
    if item.kind == "boolean":
        parts = ["yes or no (ya/tidak, true/false, 1/0 accepted)"]
    else:
        parts = ["whole number"]
    if item.minimum is not None:
        parts.append(f"≥ {item.minimum:g}")
    if item.maximum is not None:
        parts.append(f"≤ {item.maximum:g}")
    if item.at_most:
        parts.append(f"≤ {item.at_most} of the same enterprise and visit")
    return "; ".join(parts)


#: Every table of the contract, in the order they are read and validated.
TABLES: dict[str, Table] = {
    t.name: t
    for t in (ENTERPRISES, MILESTONES, KPI_MONTHLY, FIVE_S_AUDITS, SURVEY_ITEMS,
              WORKER_SURVEY, IMPLEMENTATION, QUALITATIVE)
}
