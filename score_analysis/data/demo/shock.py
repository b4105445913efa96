"""A shock that hits every simulated enterprise in 2010: the ASEAN-China free-trade area.

The ASEAN-China Free Trade Area (ACFTA) came into force on 1 January 2010: import
duties on most manufactured goods from China fell to zero, and Indonesian manufacturers
met cheaper imports on their home market in the months that followed.  The programme's
own brief names it among the things that happened to the pilot enterprises in 2010.  The
simulated shock is a fall in demand that builds up over the first half of 2010 and stays:

- **output per worker-hour** falls by up to 14 % (``exp(-0.15)``): orders fall, and the
  enterprises keep their workers and most of their hours (labour hoarding), so each hour
  produces less;
- **hours** fall by up to 4 % (``exp(-0.04)``): less overtime;
- **rejects** rise by up to 22 % (``exp(+0.20)``) from May to October 2010 only, while
  the enterprises try cheaper imported materials under the price pressure, and fall back
  once they return to their usual suppliers.

Share of the full shock by month (:data:`SHOCK_PATH`; no shock before 2010): January
0.10, February 0.20, March 0.35, April 0.50, May 0.65, June 0.80, July 0.90, from August
2010 1.0; the rejects follow their own path (:data:`REJECT_SHOCK_PATH`).  The shock is
the same for every enterprise, programme or comparison: it is what a comparison group
can remove (docs/demo_data.md).  It sizes are design choices, not estimates of the
agreement's effect.
"""

from __future__ import annotations

import numpy as np

from .months import MONTHS

#: What the simulated shock stands for.
SHOCK_NAME = "ASEAN-China Free Trade Area (ACFTA), in force from 1 January 2010"

#: Share of the full demand shock in each month (months not listed: 0 before 2010, 1 after).
SHOCK_PATH: dict[str, float] = {
    "2010-01": 0.10, "2010-02": 0.20, "2010-03": 0.35, "2010-04": 0.50, "2010-05": 0.65,
    "2010-06": 0.80, "2010-07": 0.90,
}

#: Share of the full reject shock in each month (months not listed: 0).
REJECT_SHOCK_PATH: dict[str, float] = {
    "2010-05": 0.50, "2010-06": 1.0, "2010-07": 1.0, "2010-08": 1.0, "2010-09": 1.0,
    "2010-10": 0.50,
}

#: Full size of the shock, as a log multiplier of the monthly rate.
SHOCK_SIZES: dict[str, float] = {
    "productivity": -0.15,
    "hours": -0.04,
    "reject": 0.20,
}


def _share(path: dict[str, float], after: float) -> np.ndarray:
    return np.array([path.get(m, 0.0 if m < "2010-01" else after) for m in MONTHS])


def shock_log_multipliers(kind: str) -> np.ndarray:
    """The shock's log multiplier of ``kind`` (a key of :data:`SHOCK_SIZES`) in each
    simulated month (:data:`~.months.MONTHS`)."""
    if kind == "reject":
        return SHOCK_SIZES[kind] * _share(REJECT_SHOCK_PATH, 0.0)
    return SHOCK_SIZES[kind] * _share(SHOCK_PATH, 1.0)
