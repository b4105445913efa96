"""The 5S audits of the simulated enterprises.

Four audits per enterprise: ``baseline`` a few days after the training (24-30 March 2010;
synthetic enterprises: day 23-30 of their training month) and one at each factory visit,
on the visit date.  Two to four areas per enterprise, every pillar with two or three
checklist items (the same items in every area and audit).  Scales: 0-4 (Tjokro, Tesena),
1-5 (Trijaya, Inprintama), 0-5 (Lestari); synthetic enterprises draw one of the three.  A
latent item percentage starts at uniform 25-45 % + an area effect N(0, 8) + an item
effect N(0, 10) + N(0, 6), gains ``s5`` x 18, 30 and 40 points at the three visits
(+ N(0, 7) noise per cell and visit), and is rounded to the enterprise's scale.  ``s5`` is
1.0 (Tjokro), 0.9 (Lestari), 0.8 (Trijaya), 0.7 (Tesena), 0.1 (Inprintama; synthetic:
``s`` + N(0, 0.2), kept in 0.05-1.1).  3 % of the scores are blank (not assessed).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .columns import TABLE_COLUMNS
from .draws import STREAM_5S, concat, int64
from .months import VISITS, visit_dates
from .profiles import Profile
from .sectors import PILLAR_ITEMS


def _five_s_block(p: Profile, seed: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng([seed, STREAM_5S, p.index])
    pillars: list[str] = []
    items: list[str] = []
    for pillar, names in PILLAR_ITEMS.items():
        n_items = int(rng.integers(2, 4))
        chosen = np.sort(rng.choice(len(names), size=n_items, replace=False))
        pillars.extend([pillar] * n_items)
        items.extend(names[i] for i in chosen)
    n_areas, n_items = len(p.areas), len(items)
    base = (rng.uniform(25.0, 45.0)
            + rng.normal(0.0, 8.0, (n_areas, 1))
            + rng.normal(0.0, 10.0, (1, n_items))
            + rng.normal(0.0, 6.0, (n_areas, n_items))).ravel()
    gains = np.array([0.0, 18.0, 30.0, 40.0]) * p.strength_5s
    noise = np.vstack([np.zeros(base.size), rng.normal(0.0, 7.0, (3, base.size))])
    percent = np.clip(base[None, :] + gains[:, None] + noise, 0.0, 100.0)  # audits x cells
    low, high = p.scale
    score = np.rint(low + percent / 100.0 * (high - low))
    score[rng.random(score.shape) < 0.03] = np.nan

    visits = ["baseline", *VISITS]
    on = visit_dates(p.intervention_month, p.baseline_audit_day)
    dates = [on[v] for v in visits]
    n_cells = base.size
    return {
        "audit_date": np.repeat(np.array(dates, dtype=object), n_cells),
        "visit": np.repeat(np.array(visits, dtype=object), n_cells),
        "area": np.tile(np.repeat(np.array(p.areas, dtype=object), n_items), 4),
        "pillar": np.tile(np.array(pillars, dtype=object), 4 * n_areas),
        "item": np.tile(np.array(items, dtype=object), 4 * n_areas),
        "score": score.ravel(),
        "scale_min": np.full(4 * n_cells, float(low)),
        "scale_max": np.full(4 * n_cells, float(high)),
    }


def five_s_table(profiles: list[Profile], seed: int) -> pd.DataFrame:
    """The ``five_s_audits`` table of ``profiles`` (in their order)."""
    blocks = [_five_s_block(p, seed) for p in profiles]
    ids = np.repeat([p.enterprise_id for p in profiles], [len(b["score"]) for b in blocks])
    data: dict[str, object] = {"enterprise_id": ids}
    for col in TABLE_COLUMNS["five_s_audits"][1:]:
        if col in ("score", "scale_min", "scale_max"):
            data[col] = int64(concat([b[col] for b in blocks]))
        else:
            data[col] = concat([b[col] for b in blocks], object)
    return pd.DataFrame(data, columns=list(TABLE_COLUMNS["five_s_audits"]))
