"""Write tests/data/kpi_eid.csv, the small KPI series pinned against R in tests/r/reference.R.

Run once (``.venv/bin/python tests/r/make_kpi_fixture.py``); the CSV is committed, so the
tests never depend on this script.  30 calendar months (2009-01 to 2011-06), intervention
2010-01; 2009-05 is missing (a gap: t keeps its numbering) and 2010-06 has zero exposure
(left out of the models).  Idul Fitri months 2009-09, 2010-09 and 2011-08 carry an
absenteeism peak, so the eid term enters; AR(1) noise makes the residuals autocorrelated
(Ljung-Box p < 0.05), so the Newey-West row is produced.
"""

from pathlib import Path

import numpy as np
import pandas as pd

rng = np.random.default_rng(20100332)
months = pd.period_range("2009-01", "2011-06", freq="M").strftime("%Y-%m")
n = len(months)
t = np.arange(n)
post = (t >= 12).astype(float)
t_after = np.maximum(0, t - 12)
eid = np.isin(months, ["2009-09", "2010-09", "2011-08"]).astype(float)
ar = np.zeros(n)
for i in range(1, n):
    ar[i] = 0.85 * ar[i - 1] + rng.normal(0, 0.08)
exposure = rng.integers(3800, 4600, n).astype(float)
log_rate = np.log(0.045) + 0.004 * t - 0.18 * post - 0.01 * t_after + 0.55 * eid + ar
numerator = rng.poisson(exposure * np.exp(log_rate))
frame = pd.DataFrame({"month": months, "numerator": numerator, "exposure": exposure})
frame.loc[frame["month"] == "2010-06", "exposure"] = 0.0
frame = frame[frame["month"] != "2009-05"]
frame.to_csv(Path(__file__).resolve().parents[1] / "data" / "kpi_eid.csv", index=False)
