"""The qualitative notes of the simulated enterprises.

Two to four notes per enterprise (good practices, lessons learned, constraints) in English
(``en``) or Bahasa Indonesia (``id``), written for the pilot enterprises and consistent with
the simulated features; synthetic enterprises draw two to four from a generic bank.
"""

from __future__ import annotations

PILOT_NOTES: dict[str, tuple[tuple[str, str, str], ...]] = {
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

GENERIC_NOTES: tuple[tuple[str, str, str], ...] = (
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
