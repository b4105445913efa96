"""Indicators (docs/analysis_plan.md §2): monthly rates, 5S item/pillar/index scores,
survey scores."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from score_analysis.stats.indicators import (
    MONTHLY_COLUMNS,
    construct_scores,
    five_s_index,
    five_s_items,
    five_s_pillar_scores,
    monthly_indicators,
    survey_answers,
)

ENTERPRISES = pd.DataFrame({"enterprise_id": ["a"], "intervention_month": ["2009-11"]})


def kpi_table() -> pd.DataFrame:
    months = ["2009-07", "2009-08", "2009-09", "2009-11", "2009-12"]  # 2009-10 missing
    return pd.DataFrame({
        "enterprise_id": "a", "month": months,
        "units_produced": [1000, 0, 800, 900, 1000],
        "units_rejected": [20, 0, 16, np.nan, 10],
        "workdays_scheduled": [400.0, 400.0, 380.0, 390.0, 400.0],
        "workdays_absent": [8.0, 9.0, 30.0, 7.0, 6.0],
        "accidents": [0, 1, 0, 0, 1],
        "worker_hours": [30000.0, 31000.0, 29000.0, 30500.0, 30000.0],
    })


def test_monthly_rates_time_terms_and_exclusions():
    kpi = kpi_table()
    before = kpi.copy()
    out = monthly_indicators(kpi, ENTERPRISES)
    pd.testing.assert_frame_equal(kpi, before)
    assert list(out.columns) == list(MONTHLY_COLUMNS)
    rej = out[out["indicator"] == "reject_rate"].set_index("month")
    # zero exposure (2009-08) and a blank numerator (2009-11) are left out
    assert list(rej.index) == ["2009-07", "2009-09", "2009-12"]
    assert rej.loc["2009-07", "value"] == pytest.approx(2.0)  # per cent
    assert rej.loc["2009-07", "rate"] == pytest.approx(0.02)
    absent = out[out["indicator"] == "absenteeism_rate"].set_index("month")
    # t counts calendar months from the first month: the gap keeps the numbering
    assert absent["t"].tolist() == [0, 1, 2, 4, 5]
    assert absent["post"].tolist() == [0, 0, 0, 1, 1]
    assert absent["t_after"].tolist() == [0, 0, 0, 0, 1]
    assert absent["eid"].tolist() == [0, 0, 1, 0, 0]  # Idul Fitri 2009-09-20
    assert absent["calendar_month"].tolist() == [7, 8, 9, 11, 12]
    acc = out[out["indicator"] == "accident_frequency"].set_index("month")
    assert acc.loc["2009-08", "value"] == pytest.approx(1e6 / 31000)
    assert "rework_rate" not in set(out["indicator"])  # not tracked: no rows


def audits_table() -> pd.DataFrame:
    rows = []
    # two areas, a 0-4 and a 1-5 checklist; the second audit lacks the sustain pillar
    for date, base in (("2010-03-24", 1), ("2010-10-14", 3)):
        for area, (lo, hi) in (("press", (0, 4)), ("assembly", (1, 5))):
            for pillar in ("sort", "set_in_order", "shine", "standardize", "sustain"):
                if date == "2010-10-14" and pillar == "sustain":
                    continue
                rows.append({"enterprise_id": "a", "audit_date": date, "visit": "v",
                             "area": area, "pillar": pillar, "item": "i1",
                             "score": float(base + lo), "scale_min": float(lo),
                             "scale_max": float(hi)})
    rows.append({**rows[0], "item": "i2", "score": np.nan})  # not assessed
    rows.append({**rows[0], "item": "i3", "score": 5.0, "scale_min": 0.0, "scale_max": 5.0})
    return pd.DataFrame(rows)


def test_five_s_items_pillars_and_index():
    audits = audits_table()
    items = five_s_items(audits)
    assert items["pct"].notna().all() and len(items) == len(audits) - 1
    first = items[items["audit_date"] == "2010-03-24"]
    sort = first[first["pillar"] == "sort"]
    # 100 (score - min) / (max - min): 1/4 on 0-4, 1/4 on 1-5, 5/5 on 0-5
    assert sorted(sort["pct"]) == [25.0, 25.0, 100.0]
    pillars = five_s_pillar_scores(items)
    p = pillars.set_index(["audit_date", "pillar"])
    assert p.loc[("2010-03-24", "sort"), "score"] == pytest.approx(50.0)  # mean over areas
    assert p.loc[("2010-03-24", "shine"), "score"] == pytest.approx(25.0)
    index = five_s_index(pillars).set_index("audit_date")
    assert index.loc["2010-03-24", "five_s_index"] == pytest.approx((50 + 25 * 4) / 5)
    assert index.loc["2010-03-24", "n_pillars"] == 5
    assert np.isnan(index.loc["2010-10-14", "five_s_index"])  # a pillar missing
    assert index.loc["2010-10-14", "n_pillars"] == 4


CODEBOOK = pd.DataFrame({
    "item_id": ["c1", "c2", "c3", "c4", "w1", "w2", "w3", "x1"],
    "construct": ["com"] * 4 + ["wc"] * 3 + ["extra"],
    "reverse": pd.array([False, False, False, True, False, True, False, False],
                        dtype="boolean"),
    "scale_min": pd.array([1] * 7 + [0], dtype="Int64"),
    "scale_max": pd.array([5] * 7 + [4], dtype="Int64"),
})


def survey_table() -> pd.DataFrame:
    return pd.DataFrame({
        "enterprise_id": "a", "wave": ["baseline", "baseline", "followup"],
        "respondent_id": ["R1", None, "R1"], "gender": "f", "department": "press",
        "c1": pd.array([4, 3, None], dtype="Int64"), "c2": pd.array([5, None, None], "Int64"),
        "c3": pd.array([3, None, 2], "Int64"), "c4": pd.array([2, 1, 1], "Int64"),
        "w1": pd.array([1, None, 5], "Int64"), "w2": pd.array([5, None, 1], "Int64"),
        "w3": pd.array([None, 2, 4], "Int64"),
    })


def test_reverse_coding_and_half_answered_rule():
    survey = survey_table()
    before = survey.copy()
    answers = survey_answers(survey, CODEBOOK)
    pd.testing.assert_frame_equal(survey, before)
    first = answers[answers["response"] == 0].set_index("item_id")["answer"]
    assert first["c4"] == 4.0  # 1 + 5 - 2
    assert first["w2"] == 1.0  # 1 + 5 - 5
    assert np.isnan(first["w3"])
    scores = construct_scores(answers, CODEBOOK).set_index(["response", "construct"])
    assert scores.loc[(0, "com"), "score"] == pytest.approx((4 + 5 + 3 + 4) / 4)
    assert scores.loc[(0, "wc"), "score"] == pytest.approx((1 + 1) / 2)  # 2 of 3 answered
    assert scores.loc[(1, "com"), "score"] == pytest.approx((3 + 5) / 2)  # 2 of 4: kept
    assert np.isnan(scores.loc[(1, "wc"), "score"])  # 1 of 3: dropped
    assert scores.loc[(1, "wc"), "n_answered"] == 1
    assert scores.loc[(2, "com"), "score"] == pytest.approx((2 + 5) / 2)
    # the codebook's x1 is not asked by this survey: no construct score, no count
    assert "extra" not in set(scores.index.get_level_values("construct"))
