"""Write tests/data/kpi_tjokro.csv: one shipped enterprise's monthly absences and
suggestions, pinned against R in tests/r/reference.R (plan version 3).

Run once from the repository root (``.venv/bin/python tests/r/make_tjokro_fixture.py``);
the CSV is committed, so the tests never depend on this script or on ``data/raw``.  The
rows are PT Tjokro Bersaudara's (simulated demonstration data, docs/demo_data.md):
intervention 2010-04, Idul Fitri months flagged in ``eid``.
"""

from pathlib import Path

import pandas as pd

from score_analysis.data.eid import eid_months

ROOT = Path(__file__).resolve().parents[2]
kpi = pd.read_csv(ROOT / "data" / "raw" / "kpi_monthly.csv", dtype={"month": str})
own = kpi[kpi["enterprise_id"] == "tjokro_bersaudara"].sort_values("month")
out = own[["month", "workdays_absent", "workdays_scheduled", "suggestions_submitted",
           "headcount"]].assign(eid=own["month"].isin(eid_months()).astype(int))
out.to_csv(ROOT / "tests" / "data" / "kpi_tjokro.csv", index=False)
