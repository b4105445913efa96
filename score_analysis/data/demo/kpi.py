"""The monthly KPIs of the simulated enterprises.

**Programme effect.**  Each KPI's own strength is the enterprise's ``s`` (see
:mod:`.profiles`) times a uniform 0.6-1.4 jitter, so enterprises improve to different
degrees on different KPIs.  The effect starts at 75 % of its full size in the
intervention month and ramps linearly to 100 % three months later (a step *and* a slope
change, as the ITS model of docs/analysis_plan.md expects).  Full effects for ``s = 1``,
as multipliers of the monthly rate: reject rate x exp(-0.45) (-36 %), rework rate x
exp(-0.40) (-33 %), absenteeism x exp(-0.30) (-26 %), labour productivity x exp(+0.12)
(+13 %), accident frequency x exp(-0.30), turnover x exp(-0.20).  Worker suggestions rise
from 0.5 per 100 workers per month (at least 0.5 a month per enterprise; many months with
no suggestion) by ``3 * s`` per 100 workers (times the jitter), and the share implemented
from 30 % to ``35 + 35 s`` %.

**Monthly KPIs** (January 2009 to January 2011, 25 months).  Production headcount is
72-85 % of employees with a drift of N(0.002, 0.003) per month (log scale) and a random
walk of N(0, 0.012) steps.  Scheduled person-days = headcount x working days
(Monday-Friday, or Monday-Saturday for enterprises on a six-day week), minus five days of
collective leave (cuti bersama) in the Lebaran month.  Hours = (scheduled - absent days) x
8 h (five-day week) or 7 h (six-day week) x an overtime factor N(1.06, 0.03), higher
(+6 %) in the month before Lebaran (order rush) and lower (-6 %) in the Lebaran month.
The absenteeism, reject, rework and turnover rates have a mild enterprise-specific linear
trend, N(0, 0.003) per month on the log scale (productivity N(0.002, 0.002)), running
through the whole series and centred on the intervention month.  Baseline rates come from
the sector profile (:data:`~.sectors.SECTORS`) times a uniform 0.8-1.25 jitter;
accidents 8-25 per million hours and turnover 1.2-3 % per month for every sector.

Counts are overdispersed: gamma-Poisson (negative binomial) with gamma shape 120 for
rejects and rework, 80 for absent days, 10 for separations, 5 for accidents and 3 for
suggestions; implemented suggestions are binomial given those submitted.  Productivity has
log-normal noise (sd 0.025).  Units produced = productivity x hours; ``output_units``
(good output) = produced - rejected.  Rejects and rework never exceed units produced,
absent days never exceed scheduled days, implemented suggestions never exceed submitted
ones.

**Lebaran (Idul Fitri)**, from :func:`score_analysis.data.eid.eid_months` (September 2009
and September 2010): absenteeism x 2.0-2.6 in the Lebaran month (workers extend the
home-coming trip, *mudik*) and x 1.3 in the month after, productivity x 0.9, rejects x
1.15 and rework x 1.1 in the Lebaran month (rejects x 1.1 the month after, with new and
temporary workers), and separations x 1.8 in both months (workers who do not come back
after the holiday bonus); with the collective leave this gives the output dip.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .columns import TABLE_COLUMNS
from .draws import STREAM_COMPARISON_KPI, STREAM_KPI, concat, gamma_poisson, int64
from .months import CAL, FIRST_MONTH, MONTHS, N_MONTHS, PILOT_INTERVENTION, month_number
from .profiles import Profile
from .sectors import SECTORS
from .shock import SHOCK_SIZES, shock_log_multipliers

# Full effects (log multipliers of the monthly rate) for effect strength 1.
_EFFECTS: dict[str, float] = {
    "reject": -0.45,
    "rework": -0.40,
    "absence": -0.30,
    "productivity": 0.12,
    "accidents": -0.30,
    "separations": -0.20,
    "suggestions": 1.0,  # jitter only; the suggestion model is additive, see _kpi_block
}
_SUGGESTIONS_BEFORE = 0.005  # per worker per month
_SUGGESTIONS_FLOOR = 0.5  # per enterprise per month, before the programme
_SUGGESTIONS_GAIN = 0.03  # per worker per month, at full effect and strength 1


#: The monthly indicators of docs/analysis_plan.md whose true effects :func:`true_effects`
#: gives.
INDICATORS = (
    "labour_productivity", "reject_rate", "rework_rate", "absenteeism_rate", "suggestion_rate",
    "implementation_rate", "accident_frequency", "turnover_rate",
)


def _kpi_block(p: Profile, seed: int, *, shock: bool) -> dict[str, np.ndarray]:
    """Simulate one enterprise's monthly KPIs (arrays over the kept months), with the true
    effects at its last month under ``"truth"`` (see :func:`true_effects`)."""
    stream = STREAM_COMPARISON_KPI if p.is_comparison else STREAM_KPI
    rng = np.random.default_rng([seed, stream, p.index])
    sector = SECTORS[p.sector]
    t = np.arange(N_MONTHS, dtype=float)
    t0 = month_number(p.intervention_month or PILOT_INTERVENTION) - month_number(FIRST_MONTH)
    t_rel = t - t0
    post = (t >= t0) & (p.intervention_month is not None)
    ramp = np.where(post, np.minimum(1.0, 0.75 + 0.25 * np.maximum(t_rel, 0) / 3.0), 0.0)
    eid, after_eid, before_eid = CAL["eid"], CAL["after_eid"], CAL["before_eid"]
    zero = np.zeros(N_MONTHS)
    hit = {kind: shock_log_multipliers(kind) if shock else zero for kind in SHOCK_SIZES}

    jitter = {k: rng.uniform(0.6, 1.4) for k in _EFFECTS}

    def effect(kind: str) -> np.ndarray:
        return p.strength * jitter[kind] * _EFFECTS[kind] * ramp

    def trend(sd: float, centre: float = 0.0) -> np.ndarray:
        return rng.normal(centre, sd) * t_rel

    # Workforce and calendar.
    base_headcount = p.employees * rng.uniform(0.72, 0.85)
    drift = rng.normal(0.002, 0.003) * t + np.cumsum(rng.normal(0.0, 0.012, N_MONTHS))
    headcount = np.maximum(1.0, np.rint(base_headcount * np.exp(drift)))
    days = (CAL["days6"] if p.six_day_week else CAL["days5"]) - 5.0 * eid
    scheduled = headcount * days

    # Absenteeism (Lebaran peak) and hours (less overtime in the shock).
    absence_rate = (sector.absence_rate * rng.uniform(0.8, 1.25)
                    * np.exp(trend(0.003) + effect("absence"))
                    * np.where(eid, rng.uniform(2.0, 2.6), 1.0) * np.where(after_eid, 1.3, 1.0))
    absent = np.minimum(scheduled, gamma_poisson(rng, scheduled * absence_rate, 80.0))
    hours_per_day = 7.0 if p.six_day_week else 8.0
    overtime = (rng.normal(1.06, 0.03, N_MONTHS)
                * np.where(before_eid, 1.06, 1.0) * np.where(eid, 0.94, 1.0)
                * np.exp(hit["hours"]))
    hours = np.rint((scheduled - absent) * hours_per_day * overtime)

    # Production (less output per hour in the shock), rejects, rework.
    productivity = (sector.productivity * rng.uniform(0.8, 1.25)
                    * np.exp(trend(0.002, 0.002) + effect("productivity")
                             + rng.normal(0.0, 0.025, N_MONTHS))
                    * np.where(eid, 0.9, 1.0) * np.exp(hit["productivity"]))
    produced = np.rint(productivity * hours)
    reject_level = sector.reject_rate * rng.uniform(0.8, 1.25)
    reject_trend = trend(0.003)
    reject_rate = (reject_level * np.exp(reject_trend + effect("reject"))
                   * np.where(eid, 1.15, 1.0) * np.where(after_eid, 1.1, 1.0)
                   * np.exp(hit["reject"]))
    rejected = np.minimum(produced, gamma_poisson(rng, produced * reject_rate, 120.0))
    rework_rate = (sector.rework_rate * rng.uniform(0.8, 1.25)
                   * np.exp(trend(0.003) + effect("rework")) * np.where(eid, 1.1, 1.0))
    reworked = np.minimum(produced, gamma_poisson(rng, produced * rework_rate, 120.0))
    if not p.tracks_rework:
        reworked = np.full(N_MONTHS, np.nan)
    output = produced - rejected

    # Suggestions: few before the programme, more after (bipartite committee, suggestion box).
    suggestion_before = np.maximum(headcount * _SUGGESTIONS_BEFORE, _SUGGESTIONS_FLOOR)
    suggestion_mean = (
        suggestion_before
        + headcount * _SUGGESTIONS_GAIN * p.strength * jitter["suggestions"] * ramp
    )
    submitted = gamma_poisson(rng, suggestion_mean, 3.0)
    share = np.where(post, 0.35 + 0.35 * p.strength, 0.30)
    implemented = rng.binomial(submitted.astype(np.int64), share).astype(float)

    # Safety and turnover.
    accident_rate = rng.uniform(8.0, 25.0) / 1e6 * np.exp(effect("accidents"))
    accidents = gamma_poisson(rng, hours * accident_rate, 5.0)
    separation_rate = (rng.uniform(0.012, 0.03) * np.exp(trend(0.003) + effect("separations"))
                       * np.where(eid | after_eid, 1.8, 1.0))
    separations = gamma_poisson(rng, headcount * separation_rate, 10.0)

    keep = np.ones(N_MONTHS, dtype=bool)
    if p.missing_month is not None:
        keep[MONTHS.index(p.missing_month)] = False
    columns = {
        "headcount": headcount, "worker_hours": hours, "output_units": output,
        "units_produced": produced, "units_rejected": rejected, "units_reworked": reworked,
        "workdays_scheduled": scheduled, "workdays_absent": absent,
        "suggestions_submitted": submitted, "suggestions_implemented": implemented,
        "accidents": accidents, "separations": separations,
    }
    out = {k: v[keep] for k, v in columns.items()}
    out["month"] = np.array(MONTHS, dtype=object)[keep]

    # True effects at the last month: the expected indicator with the programme over the
    # same without it (and the shock's multiplier of the expected indicator).
    last = np.flatnonzero(keep)[-1]

    def good_share(effect_log: float, shock_log: float) -> float:
        lebaran = (1.15 if eid[last] else 1.0) * (1.1 if after_eid[last] else 1.0)
        rate = reject_level * np.exp(reject_trend[last] + effect_log) * lebaran * np.exp(shock_log)
        return 1.0 - min(1.0, rate)

    reject_effect = effect("reject")[last]
    out["truth"] = {
        "effect_end": {
            "labour_productivity": np.exp(effect("productivity")[last])
            * good_share(reject_effect, hit["reject"][last])
            / good_share(0.0, hit["reject"][last]),
            "reject_rate": np.exp(reject_effect),
            "rework_rate": np.exp(effect("rework")[last]),
            "absenteeism_rate": np.exp(effect("absence")[last]),
            "suggestion_rate": suggestion_mean[last] / suggestion_before[last],
            "implementation_rate": share[last] / 0.30,
            "accident_frequency": np.exp(effect("accidents")[last]),
            "turnover_rate": np.exp(effect("separations")[last]),
        },
        "shock_end": {
            "labour_productivity": np.exp(hit["productivity"][last])
            * good_share(reject_effect, hit["reject"][last]) / good_share(reject_effect, 0.0),
            "reject_rate": np.exp(hit["reject"][last]),
        },
    }
    return out


_KPI_INTEGER = (
    "headcount", "units_produced", "units_rejected", "units_reworked",
    "suggestions_submitted", "suggestions_implemented", "accidents", "separations",
)


def kpi_table(profiles: list[Profile], seed: int, *, shock: bool = True) -> pd.DataFrame:
    """The ``kpi_monthly`` table of ``profiles`` (in their order)."""
    blocks = [_kpi_block(p, seed, shock=shock) for p in profiles]
    ids = np.repeat([p.enterprise_id for p in profiles], [len(b["month"]) for b in blocks])
    data: dict[str, object] = {"enterprise_id": ids,
                               "month": concat([b["month"] for b in blocks], object)}
    for col in TABLE_COLUMNS["kpi_monthly"][2:]:
        values = concat([b[col] for b in blocks])
        data[col] = int64(values) if col in _KPI_INTEGER else values.astype(float)
    return pd.DataFrame(data, columns=list(TABLE_COLUMNS["kpi_monthly"]))


def true_effects(profiles: list[Profile], seed: int, *, shock: bool = True) -> pd.DataFrame:
    """The simulated effects of the programme at each programme enterprise's last month.

    One row per programme enterprise of ``profiles`` and indicator of :data:`INDICATORS`:
    ``effect_end`` is the expected indicator in the enterprise's last month with the
    programme over the same without it (everything else, the shock included, unchanged):
    the quantity that ``its_effect_end`` and ``cits_effect_end`` estimate.  ``shock_end``
    is the shock's multiplier of the expected indicator in that month (1 where the shock
    does not touch the indicator, or with ``shock=False``), and ``effect_end_with_shock``
    = ``effect_end * shock_end``: the change that a single series would show in that month
    if the shock were taken for the programme.  Given even for an indicator the
    enterprise does not record (rework at PT Tesena Inovindo).
    """
    rows = []
    for p in profiles:
        if p.is_comparison:
            continue
        truth = _kpi_block(p, seed, shock=shock)["truth"]
        for name in INDICATORS:
            effect = float(truth["effect_end"][name])
            hit = float(truth["shock_end"].get(name, 1.0))
            rows.append((p.enterprise_id, name, effect, hit, effect * hit))
    return pd.DataFrame(rows, columns=["enterprise_id", "indicator", "effect_end", "shock_end",
                                       "effect_end_with_shock"])
