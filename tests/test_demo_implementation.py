"""Tests of the demonstration data's implementation records (docs/demo_data.md)."""

from __future__ import annotations

import pandas as pd
import pytest

from score_analysis.data.demo import demo_tables, demo_true_effects

VISITS = ["baseline", "visit_1", "visit_2", "visit_3", "final_workshop"]
ITEMS = [
    "eit_members", "eit_worker_members", "eit_meetings", "actions_planned", "actions_done",
    "suggestion_scheme", "communication_board", "bipartite_meetings", "trainer_rating",
]
YES_NO = ["suggestion_scheme", "communication_board"]


@pytest.fixture(scope="module")
def shipped() -> dict[str, pd.DataFrame]:
    """The shipped dataset: five pilot enterprises and three comparison enterprises."""
    return demo_tables(comparison=3)


# --------------------------------------------------------------------------- implementation


def _implementation(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    imp = tables["implementation"]
    wide = imp.pivot(index=["enterprise_id", "visit"], columns="item", values="value")
    counts = wide.drop(columns=YES_NO).astype(int)
    return pd.concat([counts, wide[YES_NO] == "yes"], axis=1)


def test_implementation_records(shipped) -> None:
    imp = shipped["implementation"]
    assert len(imp) == 5 * len(VISITS) * len(ITEMS)
    for e, rows in imp.groupby("enterprise_id", sort=False):
        assert list(rows["visit"].unique()) == VISITS
        assert list(rows.loc[rows["visit"] == "baseline", "item"]) == ITEMS
        dates = rows.drop_duplicates("visit").set_index("visit")["date"]
        assert dates.is_monotonic_increasing
        ms = shipped["milestones"]
        ms = ms[ms["enterprise_id"] == e].set_index("milestone")["date"]
        for visit in VISITS[1:]:
            assert dates[visit] == ms[visit]
        audits = shipped["five_s_audits"]
        audits = audits[(audits["enterprise_id"] == e) & (audits["visit"] == "baseline")]
        assert dates["baseline"] == audits["audit_date"].iloc[0]
    wide = _implementation(shipped)
    for _, rows in wide.groupby(level="enterprise_id"):
        rows = rows.droplevel(0).loc[VISITS]
        # the plan and the actions done accumulate
        assert rows["actions_planned"].is_monotonic_increasing
        assert rows["actions_done"].is_monotonic_increasing
        assert rows.loc["baseline", "actions_done"] == 0
        assert not rows.loc["baseline", "suggestion_scheme"]


def test_implementation_follows_the_effects(shipped) -> None:
    wide = _implementation(shipped)
    final = wide.xs("final_workshop", level="visit")
    completion = final["actions_done"] / final["actions_planned"]
    after = wide.drop(index="baseline", level="visit").groupby(level="enterprise_id").sum()
    # the enterprise without improvement implemented little
    low = "inprintama_asri"
    assert completion.idxmin() == low and completion[low] < 0.25
    assert final["trainer_rating"].idxmin() == low and final.at[low, "trainer_rating"] <= 2
    assert after.at[low, "eit_meetings"] <= 2  # the improvement team rarely met
    assert after.at[low, "bipartite_meetings"] == 1  # "met only once after the training"
    assert after.at[low, "suggestion_scheme"] == 0  # "never started"
    assert after.at[low, "communication_board"] == 0
    improvers = completion.drop(low)
    assert (improvers >= 0.4).all()
    assert (final.drop(low)["trainer_rating"] >= 3).all()
    assert (after.drop(low)["eit_meetings"] >= 5).all()
    assert (after.drop(low)["suggestion_scheme"] == 4).all()
    # the most improved enterprise went furthest
    assert completion.idxmax() in ("tjokro_bersaudara", "lestari_dini_tunggul")
    assert final["trainer_rating"]["tjokro_bersaudara"] == final["trainer_rating"].max()


def test_implementation_follows_the_effects_of_synthetic_enterprises() -> None:
    from scipy.stats import spearmanr

    tables = demo_tables(60, seed=4)
    wide = _implementation(tables)
    final = wide.xs("final_workshop", level="visit")
    completion = final["actions_done"] / final["actions_planned"]
    truth = demo_true_effects(60, seed=4).set_index(["enterprise_id", "indicator"])
    rejects = truth.xs("reject_rate", level="indicator")["effect_end"][completion.index]
    # more implementation, larger improvements (lower reject-rate ratios)
    assert spearmanr(completion, rejects).statistic < -0.6
    assert spearmanr(final["trainer_rating"], rejects).statistic < -0.6
    no_effect = rejects[rejects == 1.0].index
    assert len(no_effect) >= 3
    assert (completion[no_effect] < 0.25).all()
    assert (~final.loc[no_effect, "suggestion_scheme"]).all()
