"""The worker survey: its codebook and the simulated answers of each enterprise.

A codebook of 15 five-point Likert items in four constructs (:data:`SURVEY_ITEMS`), three
of them reverse-worded.  Each respondent has a general attitude N(0, 0.45) and one latent
score per construct N(0, 0.55) around an enterprise mean uniform 3.0-3.4 (plus a construct
offset of -0.15 to +0.10); an answer is the latent score + a fixed item bias + N(0, 0.75)
noise, rounded and clipped to 1-5, and reversed (6 - x) for reverse-worded items.  This
gives Cronbach's alpha of about 0.7-0.8 in large samples (0.6-0.85 typical with 20-40
respondents).  Follow-up latent scores move by ``s_survey`` x (communication 0.50, working
conditions 0.50, cooperation 0.40, job satisfaction 0.25) + N(0, 0.30) per respondent,
where ``s_survey`` is 1.0 (Tjokro), 0.8 (Lestari), 0.7 (Trijaya), 0.5 (Tesena), 0
(Inprintama; synthetic: ``s`` + N(0, 0.2), kept in 0-1.1); matched respondents start from
their own baseline latent scores and keep their gender and department.  2.5 % of answers
are blank.  Wave sizes (baseline / follow-up / matched): Tjokro 32/30/26, Trijaya
24/22/19, Lestari 36/28/3 (high turnover after Lebaran: fewer than 5 matched respondents,
so the unmatched tests apply; two follow-up questionnaires have no code), Inprintama
20/18/15, Tesena 17/4/4 (follow-up below 5 respondents: the comparison is suppressed).
Synthetic: baseline 15-40, 65-90 % of them matched, plus 0-8 new respondents (at least 15
in total).  Gender is ``f`` with the sector's female share; department is one of the
enterprise's 5S areas (warehouse half as likely).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .columns import TABLE_COLUMNS
from .draws import STREAM_SURVEY, concat, int64
from .profiles import Profile
from .sectors import SECTORS


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


def survey_items_table() -> pd.DataFrame:
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


def _survey_block(p: Profile, seed: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng([seed, STREAM_SURVEY, p.index])
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


def survey_table(profiles: list[Profile], seed: int) -> pd.DataFrame:
    blocks = [_survey_block(p, seed) for p in profiles]
    ids = np.repeat([p.enterprise_id for p in profiles], [len(b["wave"]) for b in blocks])
    data: dict[str, object] = {"enterprise_id": ids}
    for col in TABLE_COLUMNS["worker_survey"][1:]:
        data[col] = concat([b[col] for b in blocks], object)
    answers = (np.vstack([b["answers"] for b in blocks]) if blocks
               else np.empty((0, len(SURVEY_ITEMS))))
    for j, item in enumerate(SURVEY_ITEMS):
        data[item.item_id] = int64(answers[:, j])
    columns = [*TABLE_COLUMNS["worker_survey"], *(i.item_id for i in SURVEY_ITEMS)]
    return pd.DataFrame(data, columns=columns)
