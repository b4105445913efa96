"""The controlled rows of the shipped demonstration data (data/raw) pinned to R: PT Tjokro
Bersaudara's labour productivity against the comparison series of cmp_001-cmp_003, as the
build computes them (the results rows of the run), against ``glm(quasipoisson)`` +
``sandwich::vcovPL`` + ``qt``/``pt`` on the same records (tests/reference_values.py,
``CITS_SHIPPED_*``, the R calls beside the values).

Tolerance: relative 1e-6.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import reference_values as R

from score_analysis import build

RAW = Path(__file__).resolve().parents[1] / "data" / "raw"
REL = 1e-6
KEYS = ("estimate", "ci_low", "ci_high", "p_value", "se", "se_model", "se_newey_west",
        "dispersion", "raw_dispersion", "df", "hac_lag")


@pytest.fixture(scope="module")
def shipped():
    validated = build.validate_inputs(RAW)
    assert validated.ok
    out = build.analyse(validated.tables)
    assert out.failed == {}
    return out


@pytest.mark.parametrize("method, ref", [
    ("cits_effect_end", R.CITS_SHIPPED_TJOKRO_PRODUCTIVITY_EFFECT_END),
    ("cits_level", R.CITS_SHIPPED_TJOKRO_PRODUCTIVITY_LEVEL),
    ("cits_slope", R.CITS_SHIPPED_TJOKRO_PRODUCTIVITY_SLOPE),
])
def test_the_shipped_controlled_rows_reproduce_r(shipped, method, ref):
    res = shipped.results
    rows = res[(res["enterprise_id"] == "tjokro_bersaudara")
               & (res["indicator"] == "labour_productivity") & (res["method"] == method)]
    assert len(rows) == 1
    row = rows.iloc[0]
    assert row["status"] == "ok"
    for key in KEYS:
        assert row[key] == pytest.approx(ref[key], rel=REL), key
    assert row["n_pre"] + row["n_post"] == ref["n"] / 2  # both series, month by month
    assert "cits_comparison(members=3)" in row["note_code"]


def test_every_programme_enterprise_of_the_shipped_data_has_controlled_rows(shipped):
    res = shipped.results
    assert not res["enterprise_id"].str.startswith("cmp_").any()
    for eid, own in res.groupby("enterprise_id"):
        tracked = own[(own["domain"] == "kpi") & (own["method"] == "its_effect_end")
                      & (own["status"] != "not_reported")]["indicator"]
        controlled = own[own["method"] == "cits_effect_end"].set_index("indicator")
        assert set(tracked) <= set(controlled.index), eid
        assert (controlled["status"] == "ok").sum() >= 3, eid
    pooled = shipped.pooled
    primary = pooled[pooled["primary"] & (pooled["domain"] == "kpi")
                     & (pooled["status"] == "ok")]
    assert len(primary) and (primary["source_method"] == "cits_effect_end").all()
    assert (primary["k"] >= 3).all()
