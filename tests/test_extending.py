"""The extension point for indicators (docs/extending.md): one declaration
(:class:`score_analysis.stats.indicators.Indicator`) holds an indicator's numerator,
exposure, scale, good direction and both languages' labels and unit; a new indicator is
analysed, exploratory and labelled in both languages, and leaves the Holm family alone
unless the settings put it there, which is warned about and recorded."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from score_analysis import build, i18n
from score_analysis.build.enterprises import analyse
from score_analysis.build.manifest import settings_record
from score_analysis.build.runner import warn_settings
from score_analysis.report.wording import indicator_label, indicator_name, indicator_unit
from score_analysis.settings import PLAN, AnalysisSettings
from score_analysis.stats.indicators import (
    DECLARED,
    INDICATORS,
    LABEL_LANGUAGES,
    Indicator,
    monthly_indicators,
)

ROOT = Path(__file__).resolve().parents[1]

#: The indicator docs/extending.md adds: customer complaints per 1,000 units produced.
COMPLAINTS = Indicator("complaint_rate", "complaints", "units_produced", 1000.0,
                       "per 1,000 units", -1, "Customer complaints",
                       label_id="Keluhan pelanggan", unit_id="per 1.000 unit")


def test_every_declared_indicator_is_labelled_in_every_language():
    assert list(INDICATORS) == [i.name for i in DECLARED]  # one declaration per name
    for ind in DECLARED:
        for lang in LABEL_LANGUAGES:
            assert ind.label_in(lang).strip() and ind.unit_in(lang).strip()
        with i18n.use_language("en"):
            assert indicator_label("kpi", ind.name) == ind.label
        with i18n.use_language("id"):
            assert indicator_label("kpi", ind.name) == ind.label_id
    assert set(LABEL_LANGUAGES) == set(i18n.LANGUAGES)


@pytest.mark.parametrize("change, message", [
    ({"label_id": ""}, "label_id must be a non-empty text"),
    ({"unit_id": None}, "unit_id must be a non-empty text"),
    ({"good_direction": 0}, "good_direction must be +1 or -1"),
    ({"multiplier": -100.0}, "multiplier must be a positive number"),
    ({"name": "Complaint rate"}, "lower-case snake_case"),
])
def test_an_incomplete_declaration_is_refused(change, message):
    fields = {**COMPLAINTS.__dict__, **change}
    with pytest.raises(ValueError, match=re.escape(message)):
        Indicator(**fields)


@pytest.fixture(scope="module")
def tables() -> dict[str, pd.DataFrame]:
    """The shipped data, validated, with a ``complaints`` column (seeded counts)."""
    validated = build.validate_inputs(ROOT / "data" / "raw").tables
    kpi = validated["kpi_monthly"]
    rng = np.random.default_rng(20100322)
    produced = pd.to_numeric(kpi["units_produced"], errors="coerce").fillna(0.0)
    complaints = rng.poisson(produced.to_numpy(float) * 0.002)
    return {**validated, "kpi_monthly": kpi.assign(complaints=complaints.astype(float))}


@pytest.fixture(scope="module")
def plan_results(tables) -> pd.DataFrame:
    return analyse(tables, settings=PLAN).results


@pytest.fixture()
def declared(monkeypatch):
    """COMPLAINTS declared, as the one line docs/extending.md adds to ``DECLARED``."""
    monkeypatch.setitem(INDICATORS, COMPLAINTS.name, COMPLAINTS)
    return COMPLAINTS


FAMILY_COLUMNS = ["enterprise_id", "indicator", "method", "confirmatory", "p_holm", "q_bh",
                  "direction"]


def test_a_declared_indicator_is_analysed_exploratory_and_labelled(declared, tables,
                                                                   plan_results):
    monthly = monthly_indicators(tables["kpi_monthly"], tables["enterprises"])
    mine = monthly[monthly["indicator"] == "complaint_rate"]
    assert len(mine) and np.allclose(mine["value"], mine["numerator"] / mine["exposure"] * 1000)

    results = analyse(tables, settings=PLAN).results
    rows = results[results["indicator"] == "complaint_rate"]
    assert set(rows["enterprise_id"]) == set(plan_results["enterprise_id"])
    primaries = rows[rows["primary"].astype(bool)]
    assert len(primaries) == rows["enterprise_id"].nunique()
    assert (primaries["status"] == "ok").any()
    assert "its_effect_end" in set(rows["method"])
    # exploratory: no row in the confirmatory family, no adjusted p, no verdict
    assert not rows["confirmatory"].astype(bool).any()
    assert rows["p_holm"].isna().all()
    assert set(primaries["direction"].dropna()) <= {"not_tested"}
    # the Holm family and every adjusted p of the other indicators are unchanged
    before = plan_results[FAMILY_COLUMNS].reset_index(drop=True)
    after = results[results["indicator"] != "complaint_rate"][FAMILY_COLUMNS]
    pd.testing.assert_frame_equal(after.reset_index(drop=True), before)

    with i18n.use_language("en"):
        assert indicator_label("kpi", "complaint_rate") == "Customer complaints"
        assert indicator_name("complaint_rate") == "Customer complaints"
        assert indicator_unit("complaint_rate") == "per 1,000 units"
    with i18n.use_language("id"):
        assert indicator_label("kpi", "complaint_rate") == "Keluhan pelanggan"
        assert indicator_unit("complaint_rate") == "per 1.000 unit"


def test_a_declared_indicator_joins_the_family_only_by_the_settings(declared, tables,
                                                                    plan_results):
    wider = AnalysisSettings(confirmatory=(*PLAN.confirmatory, "complaint_rate"))
    said = []
    warn_settings(wider, said.append)
    assert any("Warning: the confirmatory family differs" in s and "complaint_rate" in s
               for s in said)
    record = settings_record(wider)
    assert record["confirmatory_family"] == {"changed": True, "added": ["complaint_rate"],
                                             "removed": []}
    assert "complaint_rate" in record["settings"]["confirmatory"]
    said_plan = []
    warn_settings(PLAN, said_plan.append)
    assert said_plan == [] and not settings_record(PLAN)["confirmatory_family"]["changed"]

    results = analyse(tables, settings=wider).results
    mine = results[(results["indicator"] == "complaint_rate") & results["primary"].astype(bool)]
    estimated = mine[mine["status"] == "ok"]
    assert len(estimated) and estimated["confirmatory"].astype(bool).all()
    assert estimated["p_holm"].notna().all()
    # a larger family: the other confirmatory rows' Holm p-values are never smaller
    key = ["enterprise_id", "indicator", "method"]
    both = plan_results[plan_results["confirmatory"].astype(bool)][[*key, "p_holm"]].merge(
        results[[*key, "p_holm"]], on=key, suffixes=("_plan", "_wider"))
    assert (both["p_holm_wider"] >= both["p_holm_plan"] - 1e-15).all()
    assert (both["p_holm_wider"] > both["p_holm_plan"] + 1e-12).any()
