"""Seeded generator of the simulated demonstration dataset (docs/demo_data.md).

The repository ships ``data/raw/`` with *simulated* data for the five
enterprises of the 2010 SCORE Module 1 pilot in Indonesia and three comparison
enterprises that took no part in the programme, so that every part of the
analysis (validation, indicators, models, the controlled comparison, reports)
can be run and inspected without confidential enterprise records.  No number
produced here is an enterprise result: every table carries
``data_source = simulated`` through the ``enterprises`` table, and the reports
say so in a banner.

:func:`demo_tables` is a pure function: it returns the input tables of
docs/data_contract.md as data frames, with the values as they would be written
to CSV, and writes nothing (``score-analysis demo-data OUT_DIR`` writes them).
The same arguments always give identical tables.  Every enterprise and table
draws from its own random stream (``numpy.random.default_rng([seed, table,
enterprise_index])``, comparison enterprises on streams of their own), so
adding synthetic enterprises never changes the five pilot enterprises, and
adding comparison enterprises never changes a programme enterprise.  The
default seed, 20100322, is the date of the Module 1 workshop.
:func:`demo_true_effects` gives the simulated effects that the analysis
estimates, for tests of the estimators.

The simulation assumptions are documented where they are made:

- :mod:`.profiles` — the enterprises (programme and comparison), their effect
  strengths and data gaps;
- :mod:`.sectors` — sector magnitudes, locations, 5S checklist items;
- :mod:`.months` — the months, working days, Lebaran months, milestones and visits;
- :mod:`.kpi` — the monthly KPIs: programme effects, trends, Lebaran, noise, and
  the true effects;
- :mod:`.shock` — the 2010 shock that hits every enterprise (the ASEAN-China
  free-trade area);
- :mod:`.five_s` — the 5S audits;
- :mod:`.survey` — the survey codebook and answers;
- :mod:`.implementation` — the trainers' implementation records;
- :mod:`.notes` — the qualitative notes;
- :mod:`.draws` — random streams and array conversions;
- :mod:`.columns` — the columns of every table;
- :mod:`.tables` — :func:`demo_tables` and :func:`demo_true_effects`, which put
  them together.
"""

from __future__ import annotations

from .columns import TABLE_COLUMNS
from .months import FIRST_MONTH, LAST_MONTH, MILESTONE_DATES
from .sectors import LOCATIONS, SECTORS
from .shock import SHOCK_NAME
from .survey import SURVEY_ITEMS
from .tables import DEFAULT_SEED, MAX_ENTERPRISES, demo_tables, demo_true_effects

__all__ = [
    "DEFAULT_SEED",
    "FIRST_MONTH",
    "LAST_MONTH",
    "LOCATIONS",
    "MAX_ENTERPRISES",
    "MILESTONE_DATES",
    "SECTORS",
    "SHOCK_NAME",
    "SURVEY_ITEMS",
    "TABLE_COLUMNS",
    "demo_tables",
    "demo_true_effects",
]
