"""The calibration study from end to end: a named grid, its replicates, the table and its
cost (``score-analysis calibrate``, ``make calibrate``)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ..settings import PLAN, AnalysisSettings
from .running import StudyOutcome, cpu_count, run_study
from .scenarios import DEFAULT_REPS, grid
from .summary import calibration_table


@dataclass(frozen=True)
class Calibration:
    """A finished study: its ``table`` (:data:`~.summary.TABLE_COLUMNS`) and its raw
    ``outcome`` (with the cost: wall and processor seconds, processes)."""

    table: pd.DataFrame
    outcome: StudyOutcome

    @property
    def enterprises(self) -> int:
        """Simulated enterprises (replicates over every scenario)."""
        return len(self.outcome.families)

    @property
    def series(self) -> int:
        """Simulated series analysed (every KPI and estimand of every enterprise)."""
        return len(self.outcome.series)


def calibrate(grid_name: str = "default", *, reps: int | None = None, seed: int,
              jobs: int | None = None, settings: AnalysisSettings = PLAN,
              progress: bool = False) -> Calibration:
    """Run the calibration study of the grid ``grid_name`` (``default`` or ``small``).

    ``reps`` simulated enterprises per scenario (default: the grid's,
    :data:`~.scenarios.DEFAULT_REPS`), seeded by ``seed``, in ``jobs`` processes (default:
    the number of CPUs), analysed with ``settings``; ``progress`` shows a progress bar on
    the standard error.  The same ``seed`` gives the same table, whatever ``jobs``.

    Raises
    ------
    ValueError
        For an unknown grid, or ``reps`` or ``jobs`` below 1.
    """
    from tqdm.auto import tqdm

    from ..i18n import gettext as _

    scenarios = grid(grid_name)
    reps = DEFAULT_REPS[grid_name] if reps is None else int(reps)
    jobs = cpu_count() if jobs is None else int(jobs)
    if reps < 1 or jobs < 1:
        raise ValueError(f"reps and jobs must be at least 1, got {reps} and {jobs}")
    with tqdm(total=len(scenarios) * reps, desc=_("Simulating"), unit=_("enterprise"),
              disable=not progress, leave=False) as bar:
        outcome = run_study(scenarios, reps=reps, seed=seed, jobs=jobs, settings=settings,
                            progress=bar.update)
    return Calibration(calibration_table(outcome, plan_version=settings.plan_version),
                       outcome)
