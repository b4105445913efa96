"""Tests of the simulated demonstration dataset (docs/data_contract.md, docs/demo_data.md)."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from score_analysis.data.demo import DEFAULT_SEED, demo_tables
from score_analysis.data.eid import eid_months

PILOT_IDS = [
    "tjokro_bersaudara",
    "trijaya_teknik",
    "lestari_dini_tunggul",
    "inprintama_asri",
    "tesena_inovindo",
]

COLUMNS = {
    "enterprises": [
        "enterprise_id", "name", "location", "sector", "employees", "intervention_month",
        "role", "output_unit", "data_source",
    ],
    "milestones": ["enterprise_id", "milestone", "date"],
    "kpi_monthly": [
        "enterprise_id", "month", "headcount", "worker_hours", "output_units",
        "units_produced", "units_rejected", "units_reworked", "workdays_scheduled",
        "workdays_absent", "suggestions_submitted", "suggestions_implemented", "accidents",
        "separations",
    ],
    "five_s_audits": [
        "enterprise_id", "audit_date", "visit", "area", "pillar", "item", "score",
        "scale_min", "scale_max",
    ],
    "survey_items": [
        "item_id", "construct", "text_en", "text_id", "reverse", "scale_min", "scale_max",
    ],
    "worker_survey": ["enterprise_id", "wave", "respondent_id", "gender", "department"],
    "implementation": ["enterprise_id", "visit", "date", "item", "value"],
    "qualitative": ["enterprise_id", "kind", "text", "language"],
}
VISITS = ["baseline", "visit_1", "visit_2", "visit_3", "final_workshop"]
ITEMS = [
    "eit_members", "eit_worker_members", "eit_meetings", "actions_planned", "actions_done",
    "suggestion_scheme", "communication_board", "bipartite_meetings", "trainer_rating",
]
YES_NO = ["suggestion_scheme", "communication_board"]

KPI_INTEGER = [
    "headcount", "units_produced", "units_rejected", "units_reworked",
    "suggestions_submitted", "suggestions_implemented", "accidents", "separations",
]
KPI_NUMBER = ["worker_hours", "output_units", "workdays_scheduled", "workdays_absent"]
AT_MOST = [
    ("units_rejected", "units_produced"),
    ("units_reworked", "units_produced"),
    ("workdays_absent", "workdays_scheduled"),
    ("suggestions_implemented", "suggestions_submitted"),
]
PILLARS = {"sort", "set_in_order", "shine", "standardize", "sustain"}
CONSTRUCTS = {"communication", "working_conditions", "cooperation", "job_satisfaction"}
MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@pytest.fixture(scope="module")
def tables() -> dict[str, pd.DataFrame]:
    return demo_tables()


@pytest.fixture(scope="module")
def tables12() -> dict[str, pd.DataFrame]:
    return demo_tables(12)


def _months(first: str, last: str) -> list[str]:
    return [str(p) for p in pd.period_range(first, last, freq="M")]


def _rates(kpi: pd.DataFrame, num: str, den: str) -> pd.Series:
    ok = kpi[num].notna() & kpi[den].notna() & (kpi[den].astype(float) > 0)
    return kpi.loc[ok, num].astype(float) / kpi.loc[ok, den].astype(float)


def _matched(survey: pd.DataFrame) -> pd.Series:
    coded = survey[survey["respondent_id"].notna()]
    base = coded[coded["wave"] == "baseline"].groupby("enterprise_id")["respondent_id"]
    follow = coded[coded["wave"] == "followup"].groupby("enterprise_id")["respondent_id"]
    return pd.Series({
        e: len(set(base.get_group(e)) & set(follow.get_group(e)))
        for e in survey["enterprise_id"].unique()
    })


def _check_contract(t: dict[str, pd.DataFrame]) -> None:
    """Every rule of docs/data_contract.md, written out with pandas."""
    assert list(t) == list(COLUMNS)
    for name, cols in COLUMNS.items():
        if name == "worker_survey":
            assert list(t[name].columns[: len(cols)]) == cols
        else:
            assert list(t[name].columns) == cols, name

    ent = t["enterprises"]
    all_ids = set(ent["enterprise_id"])
    assert ent["enterprise_id"].is_unique
    assert ent["enterprise_id"].str.fullmatch(r"[a-z0-9_-]{1,40}").all()
    assert ent["name"].notna().all() and ent["sector"].notna().all()
    assert str(ent["employees"].dtype) == "Int64"
    assert (ent["employees"].dropna() >= 1).all()
    assert set(ent["role"]) <= {"programme", "comparison"}
    programme = ent["role"] == "programme"
    assert ent.loc[programme, "intervention_month"].str.fullmatch(MONTH).all()
    assert ent.loc[~programme, "intervention_month"].isna().all()
    assert (ent["data_source"] == "simulated").all()
    # programme enterprises first, comparison enterprises after them
    assert list(programme) == sorted(programme, reverse=True)
    ids = set(ent.loc[programme, "enterprise_id"])

    ms = t["milestones"]
    assert set(ms["enterprise_id"]) == ids
    assert ms["date"].str.fullmatch(DATE).all()
    pd.to_datetime(ms["date"], format="%Y-%m-%d")  # valid calendar dates
    assert not ms.duplicated(["enterprise_id", "milestone", "date"]).any()

    kpi = t["kpi_monthly"]
    assert set(kpi["enterprise_id"]) == all_ids
    assert not kpi.duplicated(["enterprise_id", "month"]).any()
    assert kpi["month"].str.fullmatch(MONTH).all()
    assert kpi["month"].min() >= "2009-01" and kpi["month"].max() <= "2011-01"
    for col in KPI_INTEGER:
        assert str(kpi[col].dtype) == "Int64", col
    for col in KPI_NUMBER:
        assert kpi[col].dtype == np.float64, col
    for col in KPI_INTEGER + KPI_NUMBER:
        assert (kpi[col].dropna() >= 0).all(), col
    for col, limit in AT_MOST:
        both = kpi[col].notna() & kpi[limit].notna()
        assert (kpi.loc[both, col].astype(float) <= kpi.loc[both, limit].astype(float)).all()

    fs = t["five_s_audits"]
    assert set(fs["enterprise_id"]) == ids
    assert fs["audit_date"].str.fullmatch(DATE).all()
    assert set(fs["pillar"]) == PILLARS
    for col in ("score", "scale_min", "scale_max"):
        assert str(fs[col].dtype) == "Int64"
    assert fs["scale_min"].notna().all() and fs["scale_max"].notna().all()
    assert (fs["scale_min"] < fs["scale_max"]).all()
    scored = fs[fs["score"].notna()]
    assert (scored["score"] >= scored["scale_min"]).all()
    assert (scored["score"] <= scored["scale_max"]).all()
    assert not fs.duplicated(["enterprise_id", "audit_date", "area", "pillar", "item"]).any()

    items = t["survey_items"]
    assert items["item_id"].is_unique
    assert set(items["reverse"]) <= {"true", "false"}
    assert (items["scale_min"] < items["scale_max"]).all()
    survey = t["worker_survey"]
    item_cols = list(survey.columns[5:])
    assert item_cols == list(items["item_id"])
    assert set(survey["enterprise_id"]) <= ids
    assert set(survey["wave"]) == {"baseline", "followup"}
    assert not survey.dropna(subset=["respondent_id"]).duplicated(
        ["enterprise_id", "wave", "respondent_id"]).any()
    scale = items.set_index("item_id")
    for col in item_cols:
        assert str(survey[col].dtype) == "Int64"
        answered = survey[col].dropna()
        assert answered.between(scale.at[col, "scale_min"], scale.at[col, "scale_max"]).all()

    qual = t["qualitative"]
    assert set(qual["enterprise_id"]) <= ids
    assert set(qual["kind"]) <= {"good_practice", "lesson_learned", "constraint"}
    assert qual["text"].str.len().gt(0).all()

    imp = t["implementation"]
    assert set(imp["enterprise_id"]) == ids
    assert set(imp["visit"]) == set(VISITS) and set(imp["item"]) == set(ITEMS)
    assert imp["date"].str.fullmatch(DATE).all()
    assert not imp.duplicated(["enterprise_id", "visit", "item"]).any()
    assert imp.groupby(["enterprise_id", "visit"])["date"].nunique().eq(1).all()
    wide = imp.pivot(index=["enterprise_id", "visit"], columns="item", values="value")
    assert wide.notna().all().all()
    assert wide[YES_NO].isin(["yes", "no"]).all().all()
    counts = wide.drop(columns=YES_NO)
    assert counts.apply(lambda c: c.str.fullmatch(r"\d+")).all().all()  # whole numbers >= 0
    counts = counts.astype(int)
    assert (counts["eit_worker_members"] <= counts["eit_members"]).all()
    assert (counts["actions_done"] <= counts["actions_planned"]).all()
    assert counts["trainer_rating"].between(1, 5).all()


# --------------------------------------------------------------------------- basics


def test_default_seed() -> None:
    assert DEFAULT_SEED == 20100322


def test_same_seed_gives_identical_tables(tables: dict[str, pd.DataFrame]) -> None:
    again = demo_tables(seed=DEFAULT_SEED)
    for name, frame in tables.items():
        pd.testing.assert_frame_equal(frame, again[name])


def test_other_seed_gives_other_tables(tables: dict[str, pd.DataFrame]) -> None:
    other = demo_tables(seed=1)
    for name in ("kpi_monthly", "five_s_audits", "worker_survey"):
        assert not tables[name].equals(other[name]), name
    pd.testing.assert_frame_equal(tables["enterprises"], other["enterprises"])


def test_contract_five(tables: dict[str, pd.DataFrame]) -> None:
    _check_contract(tables)


def test_contract_twelve(tables12: dict[str, pd.DataFrame]) -> None:
    _check_contract(tables12)


def test_contract_other_seeds() -> None:
    for seed in (0, 7, 99):
        _check_contract(demo_tables(8, seed=seed))


@pytest.mark.parametrize("bad", [0, -3, 10_001, 2.5, "5", True, None])
def test_bad_enterprise_count(bad: object) -> None:
    with pytest.raises(ValueError, match="enterprises"):
        demo_tables(bad)  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", [-1, 1.5, "x"])
def test_bad_seed(bad: object) -> None:
    with pytest.raises(ValueError, match="seed"):
        demo_tables(seed=bad)  # type: ignore[arg-type]


def test_limits_accepted() -> None:
    one = demo_tables(1)
    assert list(one["enterprises"]["enterprise_id"]) == PILOT_IDS[:1]


# --------------------------------------------------------------------------- enterprises


def test_pilot_enterprises(tables: dict[str, pd.DataFrame]) -> None:
    ent = tables["enterprises"].set_index("enterprise_id")
    assert list(ent.index) == PILOT_IDS
    assert ent.at["tjokro_bersaudara", "name"] == "PT Tjokro Bersaudara"
    assert ent.at["trijaya_teknik", "location"] == "Karawang Timur"
    assert ent.at["lestari_dini_tunggul", "sector"] == "medical garment"
    assert ent.at["inprintama_asri", "sector"] == "printing"
    assert pd.isna(ent.at["tesena_inovindo", "location"])
    assert ent["employees"].between(40, 400).all()
    assert (ent["intervention_month"] == "2010-04").all()
    assert ent["output_unit"].notna().all()


def test_synthetic_enterprises(
    tables: dict[str, pd.DataFrame], tables12: dict[str, pd.DataFrame]
) -> None:
    ent = tables12["enterprises"]
    assert list(ent["enterprise_id"]) == PILOT_IDS + [f"ent_{i:03d}" for i in range(6, 13)]
    synth = ent.iloc[5:]
    assert list(synth["name"]) == [f"PT Demo Enterprise {i:03d}" for i in range(6, 13)]
    assert synth["intervention_month"].between("2010-03", "2010-06").all()
    assert synth["location"].notna().all()
    assert synth["employees"].between(40, 400).all()
    for name in COLUMNS:
        frame = tables12[name]
        if "enterprise_id" in frame.columns:
            assert set(frame["enterprise_id"]) == set(ent["enterprise_id"]), name
    # Adding synthetic enterprises leaves the five pilot enterprises unchanged.
    for name in ("enterprises", "kpi_monthly", "five_s_audits", "worker_survey", "milestones"):
        first = tables12[name][tables12[name]["enterprise_id"].isin(PILOT_IDS)]
        pd.testing.assert_frame_equal(first.reset_index(drop=True), tables[name])


# --------------------------------------------------------------------------- KPIs


def test_kpi_period_and_gaps(tables: dict[str, pd.DataFrame]) -> None:
    kpi = tables["kpi_monthly"]
    full = _months("2009-01", "2011-01")
    counts = kpi.groupby("enterprise_id").size()
    assert sorted(counts) == [24, 25, 25, 25, 25]
    gappy = counts.idxmin()
    months = list(kpi.loc[kpi["enterprise_id"] == gappy, "month"])
    missing = sorted(set(full) - set(months))
    assert len(missing) == 1 and full[0] < missing[0] < full[-1]
    for e in set(counts.index) - {gappy}:
        assert list(kpi.loc[kpi["enterprise_id"] == e, "month"]) == full


def test_one_enterprise_without_rework(tables: dict[str, pd.DataFrame]) -> None:
    kpi = tables["kpi_monthly"]
    blank = kpi["units_reworked"].isna().groupby(kpi["enterprise_id"]).all()
    assert list(blank[blank].index) == ["tesena_inovindo"]
    assert kpi.drop(columns="units_reworked").notna().all().all()
    tracked = kpi[kpi["enterprise_id"] != "tesena_inovindo"]
    assert tracked["units_reworked"].notna().all()


def test_lebaran_absenteeism_peak_and_output_dip(tables: dict[str, pd.DataFrame]) -> None:
    kpi = tables["kpi_monthly"].assign(
        absence=lambda d: _rates(d, "workdays_absent", "workdays_scheduled"),
        eid=lambda d: d["month"].isin(eid_months()),
    )
    assert kpi["eid"].sum() == 2 * 5
    by = kpi.groupby(["enterprise_id", "eid"])["absence"].mean().unstack()
    assert (by[True] / by[False]).mean() > 1.5
    output = kpi.groupby(["enterprise_id", "eid"])["output_units"].mean().unstack()
    assert (output[True] < output[False]).all()


def test_realistic_magnitudes(tables: dict[str, pd.DataFrame]) -> None:
    kpi = tables["kpi_monthly"]
    absence = _rates(kpi, "workdays_absent", "workdays_scheduled")
    assert absence.median() == pytest.approx(0.04, abs=0.02)
    rejects = _rates(kpi, "units_rejected", "units_produced")
    assert rejects.between(0.003, 0.1).all()
    hours_per_worker = kpi["worker_hours"] / kpi["headcount"].astype(float)
    assert hours_per_worker.between(100, 220).all()
    assert (kpi["headcount"] <= 400).all()
    assert (kpi["suggestions_submitted"] <= 60).all()
    pre = kpi[kpi["month"] < "2010-04"]
    assert (pre["suggestions_submitted"] == 0).any()
    assert pre["suggestions_submitted"].max() <= 10


def _post_pre_ratio(kpi: pd.DataFrame, num: str, den: str) -> pd.Series:
    post = kpi["month"] >= "2010-04"
    sums = kpi[[num, den]].astype(float).groupby([kpi["enterprise_id"], post]).sum()
    rate = sums[num] / sums[den]
    return rate.xs(True, level=1) / rate.xs(False, level=1)


def test_heterogeneous_effects(tables: dict[str, pd.DataFrame]) -> None:
    kpi = tables["kpi_monthly"]
    rejects = _post_pre_ratio(kpi, "units_rejected", "units_produced")
    absence = _post_pre_ratio(kpi, "workdays_absent", "workdays_scheduled")
    suggestions = _post_pre_ratio(kpi, "suggestions_submitted", "headcount")
    improvers = [e for e in PILOT_IDS if e != "inprintama_asri"]
    assert (rejects[improvers] < 0.9).all()
    assert (absence[improvers] < 1.0).all()  # every improver in the right direction ...
    assert absence[improvers].mean() < 0.9  # ... and clearly so on average
    assert absence[improvers].max() - absence[improvers].min() > 0.05  # to different degrees
    assert (suggestions[improvers] > 2).all()
    assert rejects[improvers].max() - rejects[improvers].min() > 0.05  # different degrees
    assert 0.9 < rejects["inprintama_asri"] < 1.1
    assert 0.9 < absence["inprintama_asri"] < 1.1
    assert suggestions["inprintama_asri"] < 1.5


# --------------------------------------------------------------------------- milestones, 5S


def test_milestones(tables: dict[str, pd.DataFrame], tables12: dict[str, pd.DataFrame]) -> None:
    expected = {
        "training": "2010-03-22", "visit_1": "2010-10-14", "visit_2": "2010-11-09",
        "visit_3": "2010-12-06", "final_workshop": "2011-01-27",
    }
    for _, group in tables["milestones"].groupby("enterprise_id"):
        assert dict(zip(group["milestone"], group["date"], strict=True)) == expected
    ms = tables12["milestones"].merge(tables12["enterprises"], on="enterprise_id")
    training = ms[ms["milestone"] == "training"]
    shift = (pd.PeriodIndex(training["intervention_month"], freq="M")
             - pd.PeriodIndex(training["date"].str[:7], freq="M"))
    assert all(s.n == 1 for s in shift)


def test_five_s_audits(tables: dict[str, pd.DataFrame]) -> None:
    fs = tables["five_s_audits"]
    ms = tables["milestones"].set_index(["enterprise_id", "milestone"])["date"]
    for e, group in fs.groupby("enterprise_id"):
        audits = group.drop_duplicates(["audit_date", "visit"])
        assert list(audits["visit"]) == ["baseline", "visit_1", "visit_2", "visit_3"]
        assert audits["audit_date"].is_unique
        assert "2010-03-23" <= audits["audit_date"].iloc[0] <= "2010-03-31"
        for visit in ("visit_1", "visit_2", "visit_3"):
            assert (group.loc[group["visit"] == visit, "audit_date"] == ms[(e, visit)]).all()
        assert 2 <= group["area"].nunique() <= 4
        per_pillar = group.drop_duplicates(["pillar", "item"]).groupby("pillar").size()
        assert set(per_pillar.index) == PILLARS and per_pillar.between(2, 3).all()
        cells = [set(zip(a["area"], a["pillar"], a["item"], strict=True))
                 for _, a in group.groupby("audit_date")]
        assert all(c == cells[0] for c in cells)  # audits match by area, pillar, item
        assert group[["scale_min", "scale_max"]].drop_duplicates().shape[0] == 1
    scales = set(map(tuple, fs[["scale_min", "scale_max"]].drop_duplicates().to_numpy()))
    assert scales == {(0, 4), (1, 5), (0, 5)}
    assert 0 < fs["score"].isna().sum() < 0.1 * len(fs)


def test_every_audit_date_is_a_real_date() -> None:
    # synthetic enterprises trained in February used to get a baseline audit on 29 or 30 Feb
    tables = demo_tables(100)
    dates = pd.Series(pd.concat([tables["five_s_audits"]["audit_date"],
                                 tables["milestones"]["date"]]).unique())
    parsed = pd.to_datetime(dates, format="%Y-%m-%d", errors="coerce")
    assert list(dates[parsed.isna()]) == []


def test_five_s_improves_for_most(tables: dict[str, pd.DataFrame]) -> None:
    fs = tables["five_s_audits"]
    pct = 100 * (fs["score"] - fs["scale_min"]) / (fs["scale_max"] - fs["scale_min"])
    index = pct.astype(float).groupby([fs["enterprise_id"], fs["visit"]]).mean().unstack()
    gain = index["visit_3"] - index["baseline"]
    assert (gain > 10).sum() >= 4
    assert gain["inprintama_asri"] < 10


# --------------------------------------------------------------------------- survey


def test_codebook(tables: dict[str, pd.DataFrame]) -> None:
    items = tables["survey_items"]
    assert set(items["construct"]) == CONSTRUCTS
    assert items.groupby("construct").size().between(3, 4).all()
    assert 1 <= (items["reverse"] == "true").sum() <= 5
    assert (items["scale_min"] == 1).all() and (items["scale_max"] == 5).all()
    assert items["text_en"].notna().all() and items["text_id"].notna().all()


def test_worker_survey_design(tables: dict[str, pd.DataFrame]) -> None:
    survey = tables["worker_survey"]
    sizes = survey.groupby(["enterprise_id", "wave"]).size().unstack()
    small = sizes[(sizes < 5).any(axis=1)]
    assert list(small.index) == ["tesena_inovindo"]
    others = sizes.drop(index="tesena_inovindo")
    assert others.stack().between(15, 40).all()
    assert sizes.loc["tesena_inovindo", "baseline"] >= 15

    matched = _matched(survey)
    few = matched[matched < 5]
    assert "lestari_dini_tunggul" in few.index
    assert few.drop(index="tesena_inovindo", errors="ignore").index.tolist() == [
        "lestari_dini_tunggul"]
    assert (matched.drop(index=["lestari_dini_tunggul", "tesena_inovindo"]) >= 10).all()

    codes = survey["respondent_id"].dropna()
    assert codes.str.fullmatch(r"R\d{3}").all()
    assert set(survey["gender"]) <= {"f", "m"}
    areas = tables["five_s_audits"].groupby("enterprise_id")["area"].agg(set)
    for e, group in survey.groupby("enterprise_id"):
        assert set(group["department"]) <= areas[e]
    item_cols = list(survey.columns[5:])
    blanks = survey[item_cols].isna().to_numpy().mean()
    assert 0 < blanks < 0.06


def test_matched_respondents_keep_gender_and_department(
    tables: dict[str, pd.DataFrame],
) -> None:
    survey = tables["worker_survey"].dropna(subset=["respondent_id"])
    both = survey.groupby(["enterprise_id", "respondent_id"]).agg(
        n=("wave", "size"), genders=("gender", "nunique"), depts=("department", "nunique"))
    matched = both[both["n"] == 2]
    assert (matched["genders"] == 1).all() and (matched["depts"] == 1).all()


def _construct_scores(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    items = tables["survey_items"]
    survey = tables["worker_survey"]
    out = survey[["enterprise_id", "wave", "respondent_id"]].copy()
    for construct, group in items.groupby("construct"):
        answers = survey[list(group["item_id"])].astype(float)
        reverse = list(group.loc[group["reverse"] == "true", "item_id"])
        answers[reverse] = 6 - answers[reverse]
        out[construct] = answers.mean(axis=1)
    return out


def _alpha(answers: pd.DataFrame) -> float:
    x = answers.dropna().astype(float)
    k = x.shape[1]
    return k / (k - 1) * (1 - x.var(ddof=1).sum() / x.sum(axis=1).var(ddof=1))


def test_survey_reliability_and_change(tables: dict[str, pd.DataFrame]) -> None:
    items = tables["survey_items"]
    survey = tables["worker_survey"]
    baseline = survey[survey["wave"] == "baseline"]
    for construct, group in items.groupby("construct"):
        answers = baseline[list(group["item_id"])].astype(float)
        reverse = list(group.loc[group["reverse"] == "true", "item_id"])
        answers[reverse] = 6 - answers[reverse]
        # Reverse items correlate positively with the rest only after reverse coding.
        assert 0.6 <= _alpha(answers) <= 0.9, construct
    scores = _construct_scores(tables)
    means = scores.groupby(["enterprise_id", "wave"])[sorted(CONSTRUCTS)].mean()
    change = (means.xs("followup", level="wave") - means.xs("baseline", level="wave"))
    improving = change.drop(index=["inprintama_asri", "tesena_inovindo"])
    assert (improving > 0).to_numpy().mean() >= 0.6
    assert improving.to_numpy().mean() > 0.15


# --------------------------------------------------------------------------- qualitative


def test_qualitative(tables: dict[str, pd.DataFrame], tables12: dict[str, pd.DataFrame]) -> None:
    for t in (tables, tables12):
        qual = t["qualitative"]
        counts = qual.groupby("enterprise_id").size()
        assert set(counts.index) == set(t["enterprises"]["enterprise_id"])
        assert counts.between(2, 4).all()
    qual = tables["qualitative"]
    assert set(qual["kind"]) == {"good_practice", "lesson_learned", "constraint"}
    assert set(qual["language"]) == {"en", "id"}
    assert not qual["text"].str.match(r"[=+\-@]").any()


@pytest.fixture(scope="module")
def shipped() -> dict[str, pd.DataFrame]:
    """The shipped dataset: five pilot enterprises and three comparison enterprises."""
    return demo_tables(comparison=3)


def test_contract_with_comparison(shipped: dict[str, pd.DataFrame]) -> None:
    _check_contract(shipped)
    _check_contract(demo_tables(12, seed=3, comparison=7))


@pytest.mark.parametrize("bad", [-1, 10_001, 1.5, "3", True, None])
def test_bad_comparison_count(bad: object) -> None:
    with pytest.raises(ValueError, match="comparison"):
        demo_tables(comparison=bad)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- shipped files


def test_make_data_reproduces_the_shipped_files(tmp_path, capsys) -> None:
    """``make data`` (``score-analysis demo-data data/raw``) writes data/raw byte for byte."""
    from pathlib import Path

    from score_analysis.cli import main

    shipped_dir = Path(__file__).resolve().parents[1] / "data" / "raw"
    assert main(["demo-data", str(tmp_path)]) == 0
    written = sorted(p.name for p in tmp_path.iterdir())
    assert written == sorted(p.name for p in shipped_dir.glob("*.csv"))
    assert "implementation.csv" in written
    for name in written:
        assert (tmp_path / name).read_bytes() == (shipped_dir / name).read_bytes(), name


def test_demo_data_command_options(tmp_path, capsys) -> None:
    from score_analysis.cli import main

    assert main(["demo-data", str(tmp_path / "none"), "--comparison", "0",
                 "--enterprises", "2"]) == 0
    ent = pd.read_csv(tmp_path / "none" / "enterprises.csv")
    assert list(ent["role"]) == ["programme", "programme"]
    assert main(["demo-data", str(tmp_path / "five"), "--comparison", "5", "--seed", "3"]) == 0
    ent = pd.read_csv(tmp_path / "five" / "enterprises.csv")
    assert list(ent["role"]) == ["programme"] * 5 + ["comparison"] * 5
    capsys.readouterr()
    with pytest.raises(SystemExit) as exit_:
        main(["demo-data", str(tmp_path / "bad"), "--comparison", "-1"])
    assert exit_.value.code == 2
    assert "--comparison: must not be negative" in capsys.readouterr().err
    assert main(["demo-data", str(tmp_path / "many"), "--comparison", "20000"]) == 2
    assert "comparison must be between 0 and 10000" in capsys.readouterr().err
    assert not (tmp_path / "many").exists()
    assert main(["demo-data", "--language", "id", str(tmp_path / "banyak"),
                 "--comparison", "20000"]) == 2
    assert "jumlah perusahaan pembanding harus antara 0 dan" in capsys.readouterr().err


def test_the_shipped_data_passes_the_data_contract() -> None:
    """data/raw against the contract's own validation: no error, the one warning built in
    on purpose (Trijaya's lost month), the comparison enterprises and the implementation
    records read as the contract types them."""
    from pathlib import Path

    from score_analysis.data.readers import read_raw
    from score_analysis.data.validation import implementation_by_visit, validate

    validated = validate(read_raw(Path(__file__).resolve().parents[1] / "data" / "raw"))
    assert validated.ok
    problems = [(f.file, f.rule) for f in validated.findings]
    assert problems == [("kpi_monthly.csv", "no missing month inside a series")]
    ent = validated.tables["enterprises"].set_index("enterprise_id")
    assert list(ent.loc[ent["role"] == "comparison"].index) == ["cmp_001", "cmp_002", "cmp_003"]
    visits = implementation_by_visit(validated.tables["implementation"])
    assert len(visits) == 5 * len(VISITS)
    final = visits[visits["visit"] == "final_workshop"].set_index("enterprise_id")
    assert final["action_completion"].idxmin() == "inprintama_asri"
    assert final["action_completion"]["inprintama_asri"] < 0.25
    assert final.drop(index="inprintama_asri")["action_completion"].min() >= 0.4
    assert final["eit_worker_share"].between(0, 1).all()
