"""The simulated demonstration dataset: :func:`demo_tables`."""

from __future__ import annotations

import operator

import pandas as pd

from .columns import TABLE_COLUMNS
from .five_s import five_s_table
from .kpi import kpi_table
from .months import milestone_dates
from .profiles import PILOTS, Profile, synthetic_profile
from .survey import survey_items_table, survey_table

#: Default seed: the date of the Module 1 workshop (22 March 2010).
DEFAULT_SEED = 20100322

#: Largest number of enterprises :func:`demo_tables` accepts.
MAX_ENTERPRISES = 10_000


def milestones_table(profiles: list[Profile]) -> pd.DataFrame:
    rows = [
        (p.enterprise_id, name, date)
        for p in profiles
        for name, date in milestone_dates(p.intervention_month).items()
    ]
    return pd.DataFrame(rows, columns=list(TABLE_COLUMNS["milestones"]))


def enterprises_table(profiles: list[Profile]) -> pd.DataFrame:
    rows = [
        (p.enterprise_id, p.name, p.location, p.sector, p.employees, p.intervention_month,
         p.output_unit, "simulated")
        for p in profiles
    ]
    frame = pd.DataFrame(rows, columns=list(TABLE_COLUMNS["enterprises"]))
    return frame.astype({"employees": "Int64"})


def qualitative_table(profiles: list[Profile]) -> pd.DataFrame:
    rows = [
        (p.enterprise_id, kind, text, language)
        for p in profiles
        for kind, language, text in p.notes
    ]
    return pd.DataFrame(rows, columns=list(TABLE_COLUMNS["qualitative"]))


def check_arguments(enterprises: object, seed: object) -> tuple[int, int]:
    from ...i18n import gettext as _

    def bad_enterprises() -> ValueError:
        return ValueError(_("enterprises must be a whole number, got {value!r}").format(
            value=enterprises))

    def bad_seed() -> ValueError:
        return ValueError(_("seed must be a non-negative whole number, got {value!r}").format(
            value=seed))

    if isinstance(enterprises, bool):
        raise bad_enterprises()
    try:
        n = operator.index(enterprises)
    except TypeError:
        raise bad_enterprises() from None
    if not 1 <= n <= MAX_ENTERPRISES:
        raise ValueError(_("enterprises must be between 1 and {most}, got {value}").format(
            most=MAX_ENTERPRISES, value=n))
    if isinstance(seed, bool):
        raise bad_seed()
    try:
        s = operator.index(seed)
    except TypeError:
        raise bad_seed() from None
    if s < 0:
        raise bad_seed()
    return n, s


def demo_tables(enterprises: int = 5, seed: int = DEFAULT_SEED) -> dict[str, pd.DataFrame]:
    """Simulate the demonstration dataset of docs/demo_data.md.

    Parameters
    ----------
    enterprises : int, default 5
        Number of enterprises, 1-10000.  The first five are the pilot
        enterprises of the 2010 pilot (in the order Tjokro, Trijaya, Lestari,
        Inprintama, Tesena); the others are synthetic (``ent_006``, ...).
    seed : int, default :data:`DEFAULT_SEED`
        Non-negative seed.  The same ``(enterprises, seed)`` always gives
        identical tables, and the rows of the first enterprises do not depend
        on ``enterprises``.

    Returns
    -------
    dict of str to pandas.DataFrame
        The tables ``enterprises``, ``milestones``, ``kpi_monthly``,
        ``five_s_audits``, ``survey_items``, ``worker_survey`` and
        ``qualitative``, each with exactly the columns of docs/data_contract.md in order
        (``worker_survey``: the five fixed columns, then one column per
        codebook ``item_id``).  Values are as written to CSV: months
        ``YYYY-MM`` and dates ``YYYY-MM-DD`` as text, integer columns as
        nullable ``Int64`` (blank = ``<NA>``), other numbers as ``float``,
        the codebook's ``reverse`` as ``'true'``/``'false'``.

    Raises
    ------
    ValueError
        If ``enterprises`` is not a whole number between 1 and 10000, or
        ``seed`` is not a non-negative whole number.

    Notes
    -----
    The function writes no files.  The simulation assumptions (distributions,
    effect sizes, the features built in on purpose) are listed in the module
    docstring and in ``docs/demo_data.md``.

    Examples
    --------
    >>> tables = demo_tables()
    >>> sorted(tables["enterprises"]["enterprise_id"])[:2]
    ['inprintama_asri', 'lestari_dini_tunggul']
    >>> tables["kpi_monthly"]["month"].min(), tables["kpi_monthly"]["month"].max()
    ('2009-01', '2011-01')
    """
    n, seed = check_arguments(enterprises, seed)
    profiles = list(PILOTS[:n]) + [synthetic_profile(i, seed) for i in range(5, n)]
    return {
        "enterprises": enterprises_table(profiles),
        "milestones": milestones_table(profiles),
        "kpi_monthly": kpi_table(profiles, seed),
        "five_s_audits": five_s_table(profiles, seed),
        "survey_items": survey_items_table(),
        "worker_survey": survey_table(profiles, seed),
        "qualitative": qualitative_table(profiles),
    }
