r"""Simulated enterprises with known effects, for the calibration study (docs/calibration.md).

:func:`simulate_enterprise` draws one enterprise of a :class:`~.scenarios.Scenario`: the
input tables of the analysis (a ``kpi_monthly`` table in the format of the data contract and
the survey's construct scores), so that the analysis reads them exactly as it reads the
shipped data.  The generator follows the demonstration generator
(:mod:`score_analysis.data.demo`, docs/demo_data.md) where it can:

**Workforce and exposures.**  A sector drawn from
:data:`score_analysis.data.demo.SECTORS` (its baseline reject, rework and absence rates
and productivity, each times a uniform 0.8-1.25 jitter), 40-400 employees, a production
headcount of 72-85 % of them with a drift of N(0.002, 0.003) per month and a random walk of
N(0, 0.012) steps (log scale), a five- or six-day week, five days of collective leave in the
Lebaran month, scheduled person-days = headcount x working days, worker-hours = the days
worked x 8 h (7 h on a six-day week) x an overtime factor N(1.06, 0.03), units produced =
worker-hours x productivity.

**Monthly counts.**  The four confirmatory KPIs (labour productivity, reject, rework and
absenteeism rate), each a count given its exposure :math:`E_t`:

.. math::

    \mu_t = E_t\, r \exp\{\beta (t - t_0) + \gamma\,\mathrm{eid}_t
            + \delta_1 \mathrm{post}_t + \delta_2 t_{\mathrm{after},t}\},
    \qquad y_t \sim \mathrm{Poisson}(\mu_t e^{u_t - \sigma^2/2}),

with a pre-existing trend :math:`\beta \sim N(0, 0.003)` per month (productivity
N(0.002, 0.002)), the Lebaran month's effect :math:`e^\gamma` of the demonstration
generator (absenteeism x 2.3, productivity x 0.9, rejects x 1.15, rework x 1.1), and the
programme's effect: :math:`\delta_1 = \tfrac12 \log R` (a step at the start) and
:math:`\delta_2 = \tfrac12 \log R / (n_{after} - 1)` (a change of trend), so that the rate
ratio at the last month is :math:`R` (the scenario's ``effect_end``).  The mean model is
exactly the plan's segmented model (the eid term included), so the study measures the
intervals, not a misspecified mean.

**Overdispersion and autocorrelation.**  The month effects :math:`u_t` are a stationary
Gaussian AR(1) process, :math:`u_t = \rho u_{t-1} + \sqrt{1-\rho^2}\,\sigma\varepsilon_t`,
with :math:`\sigma^2 = \log\{1 + (\phi - 1)/\bar\mu\}` (:math:`\bar\mu` the mean of
:math:`\mu_t`), so that the variance of a count is about :math:`\phi` times its mean:
:math:`\phi` = 1 (``none``: Poisson counts, no month effects), 3 (``moderate``) or 30
(``strong``).  The autocorrelation is that of the month effects; the Poisson part of the
counts is independent, so the autocorrelation of the residuals is about
:math:`\rho(\phi - 1)/\phi`.

**Comparison group and a common shock.** For the controlled design three comparison
enterprises of the same sector (no programme) are drawn the same way, and a shock hits
every enterprise from January 2010 on (the month the ASEAN-China free-trade agreement took
effect; rejects and rework x 1.25, absenteeism x 1.15, productivity x 0.9). The programme
enterprise's series of the controlled design is drawn from the same month effects as its
series without the shock (new Poisson draws).

**Survey.**  The two confirmatory constructs (``communication``, ``working_conditions``),
with no change (the study's global null for the Holm family): 15-40 respondents at
baseline, 65-90 % of them answering the follow-up with 0-8 new respondents; each
respondent's construct score is the mean of four five-point items, each the respondent's
latent score N(3.2, 0.55) + a general attitude N(0, 0.45) + the item's bias
(:data:`score_analysis.data.demo.SURVEY_ITEMS`) + N(0, 0.75), rounded and kept in 1-5; a
matched respondent's latent score moves by N(0, 0.30) between the waves.

Everything is drawn from the one :class:`numpy.random.Generator` passed in.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..data.demo import SECTORS, SURVEY_ITEMS
from ..data.eid import eid_months
from .scenarios import INTERVENTION_MONTH, Scenario

#: The confirmatory monthly KPIs simulated for every enterprise.
KPIS = ("labour_productivity", "reject_rate", "rework_rate", "absenteeism_rate")

#: The confirmatory survey constructs simulated for every enterprise (no change).
CONSTRUCTS = ("communication", "working_conditions")

#: Comparison enterprises of the controlled design.
COMPARISONS = 3

#: The month from which the common shock hits every enterprise, and its size per KPI.
SHOCK_MONTH = "2010-01"
SHOCK: dict[str, float] = {"labour_productivity": 0.90, "reject_rate": 1.25,
                           "rework_rate": 1.25, "absenteeism_rate": 1.15}

#: The Lebaran (Idul Fitri) month's effect on each rate (docs/demo_data.md).
EID_EFFECT: dict[str, float] = {"labour_productivity": 0.90, "reject_rate": 1.15,
                                "rework_rate": 1.10, "absenteeism_rate": 2.3}

#: Mean and standard deviation of each KPI's trend (log scale, per month).
TREND: dict[str, tuple[float, float]] = {"labour_productivity": (0.002, 0.002),
                                         "reject_rate": (0.0, 0.003),
                                         "rework_rate": (0.0, 0.003),
                                         "absenteeism_rate": (0.0, 0.003)}

#: The columns of the ``kpi_monthly`` table written for each KPI: numerator, exposure.
KPI_COLUMNS: dict[str, tuple[str, str]] = {
    "labour_productivity": ("output_units", "worker_hours"),
    "reject_rate": ("units_rejected", "units_produced"),
    "rework_rate": ("units_reworked", "units_produced"),
    "absenteeism_rate": ("workdays_absent", "workdays_scheduled"),
}

#: The programme enterprise's id in the simulated tables.
ENTERPRISE_ID = "simulated"

_ITEMS = {c: np.array([i.bias for i in SURVEY_ITEMS if i.construct == c]) for c in CONSTRUCTS}


@dataclass(frozen=True)
class SimulatedEnterprise:
    """One simulated enterprise of a scenario, as the analysis reads it.

    ``kpi`` is the programme enterprise's ``kpi_monthly`` table (no shock) and
    ``enterprise`` its row of the enterprises table; ``controlled_kpi`` and
    ``controlled_enterprises`` are the tables of the controlled design (the programme
    enterprise with the common shock, and :data:`COMPARISONS` comparison enterprises);
    ``scores`` the survey's construct scores (the columns of
    :func:`score_analysis.stats.indicators.construct_scores` that the analysis reads).
    """

    kpi: pd.DataFrame
    enterprise: pd.Series
    controlled_kpi: pd.DataFrame
    controlled_enterprises: pd.DataFrame
    scores: pd.DataFrame

    @property
    def enterprises(self) -> pd.DataFrame:
        """The enterprises table of the single-series design (one row)."""
        return self.enterprise.to_frame().T.reset_index(drop=True)


def months_of(scenario: Scenario) -> list[str]:
    """The months of the scenario's series (``YYYY-MM``): ``n_before`` months before
    :data:`~.scenarios.INTERVENTION_MONTH` and ``n_after`` from it on."""
    start = _number(INTERVENTION_MONTH) - scenario.n_before
    return [_text(m) for m in range(start, start + scenario.n_months)]


def _number(month: str) -> int:
    return int(month[:4]) * 12 + int(month[5:7]) - 1


def _text(number: int) -> str:
    return f"{number // 12:04d}-{number % 12 + 1:02d}"


def ar1(rng: np.random.Generator, n: int, rho: float, sigma: float) -> np.ndarray:
    r"""A stationary Gaussian AR(1) path of length ``n``: :math:`u_1 \sim N(0, \sigma^2)`,
    :math:`u_t = \rho u_{t-1} + \sqrt{1 - \rho^2}\,\sigma\varepsilon_t`."""
    eps = rng.standard_normal(n) * sigma
    u = np.empty(n)
    u[0] = eps[0]
    scale = math.sqrt(1.0 - rho * rho)
    for t in range(1, n):
        u[t] = rho * u[t - 1] + scale * eps[t]
    return u


def month_effect_sd(mean_count: float, dispersion: float) -> float:
    r"""The standard deviation :math:`\sigma` of the log month effects that makes a count
    of mean ``mean_count`` about ``dispersion`` times as variable as a Poisson count:
    :math:`\sigma^2 = \log\{1 + (\phi - 1)/\bar\mu\}` (for a log-normal
    :math:`e^u` with mean 1, :math:`\mathrm{Var}(y) = \bar\mu + \bar\mu^2(e^{\sigma^2}-1)
    = \phi\bar\mu`)."""
    if dispersion < 1 or mean_count <= 0:
        raise ValueError(f"need dispersion >= 1 and a positive mean count, got {dispersion}, "
                         f"{mean_count}")
    return math.sqrt(math.log1p((dispersion - 1.0) / mean_count))


@dataclass(frozen=True)
class _Calendar:
    months: list[str]
    t: np.ndarray  # months since the programme start (negative before)
    eid: np.ndarray
    shock: np.ndarray
    days5: np.ndarray
    days6: np.ndarray


def _calendar(scenario: Scenario) -> _Calendar:
    months = months_of(scenario)
    numbers = np.array([_number(m) for m in months])
    starts = np.array([f"{m}-01" for m in months], dtype="datetime64[D]")
    ends = np.array([f"{_text(n + 1)}-01" for n in numbers], dtype="datetime64[D]")
    flagged = eid_months()
    return _Calendar(
        months=months, t=(numbers - _number(INTERVENTION_MONTH)).astype(float),
        eid=np.array([m in flagged for m in months]),
        shock=numbers >= _number(SHOCK_MONTH),
        days5=np.busday_count(starts, ends, weekmask="1111100").astype(float),
        days6=np.busday_count(starts, ends, weekmask="1111110").astype(float))


def _workforce(rng: np.random.Generator, cal: _Calendar, sector: str) -> dict:
    """Exposures and baseline rates of one enterprise of ``sector`` (docs/demo_data.md)."""
    sector = SECTORS[sector]
    n = len(cal.months)
    employees = int(rng.integers(40, 401))
    six_day = bool(rng.random() < 0.5)
    steps = np.arange(n, dtype=float)
    drift = rng.normal(0.002, 0.003) * steps + np.cumsum(rng.normal(0.0, 0.012, n))
    headcount = np.maximum(1.0, np.rint(employees * rng.uniform(0.72, 0.85) * np.exp(drift)))
    days = (cal.days6 if six_day else cal.days5) - 5.0 * cal.eid
    scheduled = headcount * days
    absence = sector.absence_rate * rng.uniform(0.8, 1.25)
    hours = np.rint(scheduled * (1.0 - absence) * (7.0 if six_day else 8.0)
                    * rng.normal(1.06, 0.03, n))
    productivity = sector.productivity * rng.uniform(0.8, 1.25)
    produced = np.rint(hours * productivity)
    exposures = {"worker_hours": hours, "units_produced": produced,
                 "workdays_scheduled": scheduled}
    rates = {"labour_productivity": productivity,
             "reject_rate": sector.reject_rate * rng.uniform(0.8, 1.25),
             "rework_rate": sector.rework_rate * rng.uniform(0.8, 1.25),
             "absenteeism_rate": absence}
    return {"exposures": exposures, "rates": rates}


def _expected(kpi: str, cal: _Calendar, work: dict, trend: float, effect: np.ndarray,
              shocked: bool) -> np.ndarray:
    exposure = work["exposures"][KPI_COLUMNS[kpi][1]]
    log_mu = (np.log(work["rates"][kpi]) + trend * cal.t
              + math.log(EID_EFFECT[kpi]) * cal.eid + effect)
    if shocked:
        log_mu = log_mu + math.log(SHOCK[kpi]) * cal.shock
    return exposure * np.exp(log_mu)


def _enterprise_counts(rng: np.random.Generator, scenario: Scenario, cal: _Calendar,
                       effect: np.ndarray, sector: str, *,
                       programme: bool) -> tuple[dict, dict | None]:
    """The ``kpi_monthly`` columns of one enterprise.

    A ``programme`` enterprise gets two sets: without the common shock (the single-series
    design) and with it (the controlled design), from the same workforce, trends and month
    effects; a comparison enterprise one set, with the shock (and the second is None).
    """
    work = _workforce(rng, cal, sector)
    first = dict(work["exposures"])
    second = dict(work["exposures"]) if programme else None
    for kpi in KPIS:
        mean, sd = TREND[kpi]
        trend = rng.normal(mean, sd)
        mu = _expected(kpi, cal, work, trend, effect, shocked=not programme)
        sigma = (month_effect_sd(float(mu.mean()), scenario.dispersion_target)
                 if scenario.dispersion_target > 1 else 0.0)
        u = ar1(rng, len(mu), scenario.rho, sigma) - sigma * sigma / 2.0
        column = KPI_COLUMNS[kpi][0]
        first[column] = rng.poisson(mu * np.exp(u)).astype(float)
        if programme:
            mu_shock = _expected(kpi, cal, work, trend, effect, shocked=True)
            second[column] = rng.poisson(mu_shock * np.exp(u)).astype(float)
    return first, second


def _kpi_frame(enterprise_id: str, months: list[str], columns: dict) -> pd.DataFrame:
    data = {"enterprise_id": [enterprise_id] * len(months), "month": months}
    for kpi in KPIS:
        for col in KPI_COLUMNS[kpi]:
            data[col] = columns[col]
    return pd.DataFrame(data)


def _scores(rng: np.random.Generator) -> pd.DataFrame:
    """Construct scores of both waves, no change between them."""
    n_base = int(rng.integers(15, 41))
    n_matched = int(round(n_base * rng.uniform(0.65, 0.90)))
    n_new = int(rng.integers(0, 9))
    people = n_base + n_new
    ids = np.array([f"R{i:03d}" for i in range(1, people + 1)], dtype=object)
    follow = np.concatenate([rng.permutation(n_base)[:n_matched], np.arange(n_base, people)])
    attitude = rng.normal(0.0, 0.45, people)
    rows = []
    for construct in CONSTRUCTS:
        bias = _ITEMS[construct]
        latent = 3.2 + attitude + rng.normal(0.0, 0.55, people)
        moved = latent + rng.normal(0.0, 0.30, people)
        for wave, who, level in (("baseline", np.arange(n_base), latent),
                                 ("followup", follow, moved)):
            answers = np.clip(np.rint(level[who, None] + bias[None, :]
                                      + rng.normal(0.0, 0.75, (len(who), len(bias)))), 1, 5)
            rows.append(pd.DataFrame({"enterprise_id": ENTERPRISE_ID, "wave": wave,
                                      "respondent_id": ids[who], "construct": construct,
                                      "score": answers.mean(axis=1)}))
    return pd.concat(rows, ignore_index=True)


def simulate_enterprise(scenario: Scenario, rng: np.random.Generator) -> SimulatedEnterprise:
    """Draw one enterprise of ``scenario`` (see the module's description) from ``rng``."""
    cal = _calendar(scenario)
    post = cal.t >= 0
    t_after = np.maximum(0.0, cal.t)
    effect = scenario.log_step * post + scenario.log_slope * t_after
    names = tuple(SECTORS)
    sector = names[int(rng.integers(len(names)))]
    plain, shocked = _enterprise_counts(rng, scenario, cal, effect, sector, programme=True)
    kpi = _kpi_frame(ENTERPRISE_ID, cal.months, plain)
    frames = [_kpi_frame(ENTERPRISE_ID, cal.months, shocked)]
    ids = [f"comparison_{i + 1}" for i in range(COMPARISONS)]
    no_effect = np.zeros(len(cal.months))
    for cid in ids:
        columns, _ = _enterprise_counts(rng, scenario, cal, no_effect, sector,
                                        programme=False)
        frames.append(_kpi_frame(cid, cal.months, columns))
    enterprise = pd.Series({"enterprise_id": ENTERPRISE_ID,
                            "intervention_month": INTERVENTION_MONTH, "role": "programme",
                            "data_source": "simulated"})
    controlled = pd.DataFrame({"enterprise_id": [ENTERPRISE_ID, *ids],
                               "intervention_month": [INTERVENTION_MONTH,
                                                      *([None] * COMPARISONS)],
                               "role": ["programme", *(["comparison"] * COMPARISONS)],
                               "data_source": "simulated"})
    return SimulatedEnterprise(kpi=kpi, enterprise=enterprise,
                               controlled_kpi=pd.concat(frames, ignore_index=True),
                               controlled_enterprises=controlled, scores=_scores(rng))
