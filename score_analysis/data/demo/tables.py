"""The simulated demonstration dataset: :func:`demo_tables`."""

from __future__ import annotations

import operator

import pandas as pd

from .columns import TABLE_COLUMNS
from .five_s import five_s_table
from .implementation import implementation_table
from .kpi import kpi_table, true_effects
from .months import milestone_dates
from .profiles import PILOTS, Profile, comparison_profile, synthetic_profile
from .survey import survey_items_table, survey_table

#: Default seed: the date of the Module 1 workshop (22 March 2010).
DEFAULT_SEED = 20100322

#: Largest number of programme enterprises, and of comparison enterprises, that
#: :func:`demo_tables` accepts.
MAX_ENTERPRISES = 10_000


def milestones_table(profiles: list[Profile]) -> pd.DataFrame:
    rows = [
        (p.enterprise_id, name, date)
        for p in profiles if not p.is_comparison
        for name, date in milestone_dates(p.intervention_month).items()
    ]
    return pd.DataFrame(rows, columns=list(TABLE_COLUMNS["milestones"]))


def enterprises_table(profiles: list[Profile]) -> pd.DataFrame:
    rows = [
        (p.enterprise_id, p.name, p.location, p.sector, p.employees, p.intervention_month,
         p.role, p.output_unit, "simulated")
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


def _whole_number(value: object, name: str, least: int) -> int:
    from ...i18n import gettext as _

    messages = {
        "enterprises": (_("enterprises must be a whole number, got {value!r}"),
                        _("enterprises must be between 1 and {most}, got {value}")),
        "comparison": (_("comparison must be a whole number, got {value!r}"),
                       _("comparison must be between 0 and {most}, got {value}")),
    }
    not_whole, out_of_range = messages[name]
    if isinstance(value, bool):
        raise ValueError(not_whole.format(value=value))
    try:
        n = operator.index(value)
    except TypeError:
        raise ValueError(not_whole.format(value=value)) from None
    if not least <= n <= MAX_ENTERPRISES:
        raise ValueError(out_of_range.format(most=MAX_ENTERPRISES, value=n))
    return n


def _seed(seed: object) -> int:
    from ...i18n import gettext as _

    bad = ValueError(_("seed must be a non-negative whole number, got {value!r}").format(
        value=seed))
    if isinstance(seed, bool):
        raise bad
    try:
        s = operator.index(seed)
    except TypeError:
        raise bad from None
    if s < 0:
        raise bad
    return s


def _profiles(enterprises: object, seed: object,
              comparison: object = 0) -> tuple[list[Profile], int]:
    """The profiles of the programme enterprises, then of the comparison enterprises, and
    the seed, after checking the arguments."""
    n = _whole_number(enterprises, "enterprises", 1)
    seed = _seed(seed)
    k = _whole_number(comparison, "comparison", 0)
    programme = list(PILOTS[:n]) + [synthetic_profile(i, seed) for i in range(5, n)]
    return programme + [comparison_profile(j, seed, programme) for j in range(k)], seed


def demo_tables(enterprises: int = 5, seed: int = DEFAULT_SEED, *, comparison: int = 0,
                shock: bool = True) -> dict[str, pd.DataFrame]:
    """Simulate the demonstration dataset of docs/demo_data.md.

    Parameters
    ----------
    enterprises : int, default 5
        Number of programme enterprises, 1-10000.  The first five are the pilot
        enterprises of the 2010 pilot (in the order Tjokro, Trijaya, Lestari,
        Inprintama, Tesena); the others are synthetic (``ent_006``, ...).
    seed : int, default :data:`DEFAULT_SEED`
        Non-negative seed.  The same arguments always give identical tables, the rows of
        the first programme enterprises do not depend on ``enterprises`` and those of the
        programme enterprises do not depend on ``comparison``.
    comparison : int, default 0
        Number of simulated comparison enterprises, 0-10000 (``cmp_001``, ...; the shipped
        data has 3): ``role = comparison``, no intervention month, the monthly KPIs only,
        in the sectors and locations of the programme enterprises (:mod:`.profiles`).
    shock : bool, default True
        Simulate the 2010 shock that hits every enterprise (:mod:`.shock`).  Without it
        the KPIs are those of a 2010 without the free-trade agreement (the other tables
        are the same).

    Returns
    -------
    dict of str to pandas.DataFrame
        The tables ``enterprises``, ``milestones``, ``kpi_monthly``, ``five_s_audits``,
        ``survey_items``, ``worker_survey``, ``implementation`` and ``qualitative``, each
        with exactly the columns of docs/data_contract.md in order (``worker_survey``: the
        five fixed columns, then one column per codebook ``item_id``).  Programme
        enterprises come first, comparison enterprises after them.  Values are as written
        to CSV: months ``YYYY-MM`` and dates ``YYYY-MM-DD`` as text, integer columns as
        nullable ``Int64`` (blank = ``<NA>``), other numbers as ``float``, the codebook's
        ``reverse`` as ``'true'``/``'false'``, the implementation ``value`` as text.

    Raises
    ------
    ValueError
        If ``enterprises`` is not a whole number between 1 and 10000, ``comparison`` not
        one between 0 and 10000, or ``seed`` is not a non-negative whole number.

    Notes
    -----
    The function writes no files.  The simulation assumptions (distributions,
    effect sizes, the features built in on purpose) are listed in the docstrings of the
    modules of this package and in ``docs/demo_data.md``; :func:`demo_true_effects` gives
    the simulated effects that the analysis estimates.

    Examples
    --------
    >>> tables = demo_tables()
    >>> sorted(tables["enterprises"]["enterprise_id"])[:2]
    ['inprintama_asri', 'lestari_dini_tunggul']
    >>> tables["kpi_monthly"]["month"].min(), tables["kpi_monthly"]["month"].max()
    ('2009-01', '2011-01')
    >>> list(demo_tables(comparison=3)["enterprises"]["role"].iloc[4:])
    ['programme', 'comparison', 'comparison', 'comparison']
    """
    profiles, seed = _profiles(enterprises, seed, comparison)
    shock = bool(shock)
    return {
        "enterprises": enterprises_table(profiles),
        "milestones": milestones_table(profiles),
        "kpi_monthly": kpi_table(profiles, seed, shock=shock),
        "five_s_audits": five_s_table([p for p in profiles if not p.is_comparison], seed),
        "survey_items": survey_items_table(),
        "worker_survey": survey_table([p for p in profiles if not p.is_comparison], seed),
        "implementation": implementation_table(profiles, seed),
        "qualitative": qualitative_table(profiles),
    }


def demo_true_effects(enterprises: int = 5, seed: int = DEFAULT_SEED, *,
                      shock: bool = True) -> pd.DataFrame:
    """The simulated effects of the programme on the monthly indicators, at each programme
    enterprise's last month, for the data of ``demo_tables(enterprises, seed, shock=shock)``
    (whatever its ``comparison``).

    Returns
    -------
    pandas.DataFrame
        One row per programme enterprise and indicator of docs/analysis_plan.md, columns
        ``enterprise_id, indicator, effect_end, shock_end, effect_end_with_shock``:
        ``effect_end`` is the true ratio that ``its_effect_end`` and ``cits_effect_end``
        estimate (the expected indicator in the last month with the programme over the
        same without it), ``shock_end`` the shock's multiplier of the indicator in that
        month, ``effect_end_with_shock`` their product (see :func:`.kpi.true_effects`).

    Raises
    ------
    ValueError
        As :func:`demo_tables`.

    Examples
    --------
    >>> truth = demo_true_effects().set_index(["enterprise_id", "indicator"])
    >>> round(truth.loc[("inprintama_asri", "labour_productivity"), "effect_end"], 6)
    1.0
    """
    profiles, seed = _profiles(enterprises, seed)
    return true_effects(profiles, seed, shock=bool(shock))
