"""The scenarios of the calibration study: what is simulated, and the grids of scenarios.

A :class:`Scenario` fixes everything the simulation of one enterprise needs besides the
random numbers: the length of the monthly series, how overdispersed the counts are, how
autocorrelated the month effects are, and the true effect of the programme at the last
month.  A grid is a tuple of scenarios; :data:`GRIDS` names the two the command line knows
(``default``, the shipped table, and ``small``, a quick look and the test's grid).

Nothing here draws a random number; :mod:`.simulation` does, from a stream that depends on
the seed, the scenario's :attr:`Scenario.key` and the replicate's number only, so a
scenario gives the same enterprises in every grid and with any number of processes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

#: The month the simulated programme starts (that of the shipped data).
INTERVENTION_MONTH = "2010-04"

#: Share of the months that lie before the programme (15 of the shipped data's 25).
SHARE_BEFORE = 0.6

#: Series lengths of the default grid (months).
LENGTHS = (18, 25, 36)

#: Overdispersion levels: the dispersion ``phi`` (variance over mean of a monthly count)
#: that the month effects are set to produce (see :mod:`.simulation`).
DISPERSIONS: dict[str, float] = {"none": 1.0, "moderate": 3.0, "strong": 30.0}

#: Lag-1 autocorrelations of the month effects (AR(1)).
RHOS = (0.0, 0.3, 0.6)

#: True effects at the last month, as rate ratios: no effect, and -25 %.
EFFECTS = (1.0, 0.75)

#: The estimands whose intervals are checked, in the order of the table.
ESTIMANDS = ("its_effect_end", "its_level", "cits_effect_end")

#: The share of the effect at the last month that is a step at the programme start (the
#: rest builds up linearly over the months after it).
STEP_SHARE = 0.5


@dataclass(frozen=True, order=True)
class Scenario:
    """One simulated setting.

    Attributes
    ----------
    n_months
        Length of every monthly series (the programme starts after
        ``round(0.6 * n_months)`` months, as in the shipped data: 15 of 25).
    dispersion
        ``none``, ``moderate`` or ``strong`` (:data:`DISPERSIONS`).
    rho
        Lag-1 autocorrelation of the month effects, an AR(1) process.
    effect_end
        The true rate ratio at the last month (1 = no effect).
    """

    n_months: int
    dispersion: str
    rho: float
    effect_end: float

    def __post_init__(self) -> None:
        if self.dispersion not in DISPERSIONS:
            raise ValueError(f"dispersion must be one of {', '.join(DISPERSIONS)}, "
                             f"got {self.dispersion!r}")
        if not 0.0 <= self.rho < 1.0:
            raise ValueError(f"rho must lie in [0, 1), got {self.rho}")
        if not self.effect_end > 0:
            raise ValueError(f"effect_end must be a positive ratio, got {self.effect_end}")
        if self.dispersion == "none" and self.rho != 0.0:
            raise ValueError("with Poisson counts (dispersion none) there are no month "
                             "effects, so rho must be 0")
        before, after = self.n_before, self.n_months - self.n_before
        if before < 6 or after < 6:
            raise ValueError(f"a series of {self.n_months} months has {before} months before "
                             f"and {after} after the start; the model needs 6 on each side")

    # ------------------------------------------------------------------ derived

    @property
    def n_before(self) -> int:
        """Months before the programme start."""
        return int(math.floor(SHARE_BEFORE * self.n_months + 0.5))

    @property
    def n_after(self) -> int:
        """Months from the programme start on (the start month included)."""
        return self.n_months - self.n_before

    @property
    def dispersion_target(self) -> float:
        """The dispersion the month effects are set to produce (:data:`DISPERSIONS`)."""
        return DISPERSIONS[self.dispersion]

    @property
    def is_null(self) -> bool:
        """True when the programme has no effect."""
        return self.effect_end == 1.0

    @property
    def log_step(self) -> float:
        """The true step at the start, on the log scale: ``STEP_SHARE * log(effect_end)``."""
        return STEP_SHARE * math.log(self.effect_end)

    @property
    def log_slope(self) -> float:
        """The true change of the monthly trend, on the log scale: the rest of
        ``log(effect_end)`` spread over the ``n_after - 1`` months to the last."""
        return (1.0 - STEP_SHARE) * math.log(self.effect_end) / (self.n_after - 1)

    def true_value(self, estimand: str) -> float:
        """The true value of an estimand (a rate ratio): ``its_effect_end`` and
        ``cits_effect_end`` are ``effect_end``; ``its_level`` is ``exp(log_step)``."""
        if estimand in ("its_effect_end", "cits_effect_end"):
            return self.effect_end
        if estimand == "its_level":
            return math.exp(self.log_step)
        raise ValueError(f"unknown estimand {estimand!r}; known: {', '.join(ESTIMANDS)}")

    @property
    def key(self) -> tuple[int, int, int, int]:
        """Whole numbers that name the scenario in the random stream (independent of the
        grid it is part of)."""
        return (self.n_months, list(DISPERSIONS).index(self.dispersion),
                int(round(self.rho * 100)), int(round(self.effect_end * 100)))

    @property
    def name(self) -> str:
        """A short identifier, e.g. ``n25-moderate-rho0.6-effect0.75``."""
        return (f"n{self.n_months}-{self.dispersion}-rho{self.rho:g}-"
                f"{'null' if self.is_null else f'effect{self.effect_end:g}'}")


def full_grid(lengths=LENGTHS, rhos=RHOS, effects=EFFECTS) -> tuple[Scenario, ...]:
    """Every combination of ``lengths``, dispersion levels, ``rhos`` and ``effects``; the
    level ``none`` (Poisson counts, no month effects) only with ``rho = 0``."""
    out = []
    for n in lengths:
        for dispersion in DISPERSIONS:
            for rho in (rhos if dispersion != "none" else (0.0,)):
                for effect in effects:
                    out.append(Scenario(n, dispersion, float(rho), float(effect)))
    return tuple(out)


#: The shipped grid: 3 lengths x (Poisson + 2 dispersions x 3 autocorrelations) x 2 effects.
DEFAULT_GRID = full_grid()

#: A quick grid: the shipped length, moderate dispersion, independent and strongly
#: autocorrelated months, with and without an effect (the slow test runs its first row).
SMALL_GRID = (
    Scenario(25, "moderate", 0.0, 1.0),
    Scenario(25, "moderate", 0.6, 1.0),
    Scenario(25, "moderate", 0.0, 0.75),
    Scenario(25, "moderate", 0.6, 0.75),
)

#: The grids the command line knows, with their default number of replicates (simulated
#: enterprises per scenario; each has four monthly KPIs, so four series per estimand).
GRIDS: dict[str, tuple[Scenario, ...]] = {"default": DEFAULT_GRID, "small": SMALL_GRID}
DEFAULT_REPS: dict[str, int] = {"default": 200, "small": 100}


def grid(name: str) -> tuple[Scenario, ...]:
    """The grid called ``name`` (:data:`GRIDS`); ValueError for an unknown name."""
    try:
        return GRIDS[name]
    except KeyError:
        raise ValueError(f"unknown grid {name!r}; known: {', '.join(GRIDS)}") from None
