"""Assemble the results table of one enterprise (analysis plan version 3,
docs/analysis_plan.md §3-§6): one row per indicator and method.

The functions here call the statistical methods of :mod:`.its`, :mod:`.five_s` and
:mod:`.survey` on one enterprise's slice of the indicators, choose the single primary row
of each indicator (the primary-row chain of the monthly KPIs, :func:`primary_method`),
mark the confirmatory family, adjust it for multiplicity within the enterprise and judge
its direction (:mod:`.decisions`).  Every choice comes from the
:class:`~score_analysis.settings.AnalysisSettings` passed in (``settings=``).
"""

from __future__ import annotations

import importlib.util
import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..settings import PLAN, AnalysisSettings
from .decisions import confirmatory_rows, directions, family_adjusted
from .five_s import FIVE_S_NOTE, five_s_results
from .indicators import INDICATORS
from .its import LINE_COLUMNS, KpiFit, kpi_fit
from .notes import note
from .outputs import CITS_PRIMARY, ITS_PRIMARY, NAIVE_STEP
from .rows import EXTRA_COLUMNS, INTERNAL_COLUMNS, empty, frame_of, record
from .survey import (
    ATTRITION_COLUMNS,
    RELIABILITY_COLUMNS,
    survey_attrition,
    survey_reliability,
    survey_results,
)

_MONTH_TEXT = re.compile(r"\d{4}-(0[1-9]|1[0-2])")

#: Columns of :func:`kpi_lines`.
KPI_LINE_COLUMNS = ("enterprise_id", "indicator", *LINE_COLUMNS)

#: Numbers blanked in a suppressed row (no numbers shown anywhere).
SUPPRESSED_NUMBERS = ("n_pre", "n_post", "pre_value", "post_value", "estimate", "se", "ci_low",
                      "ci_high", "p_value", "effect_size", "statistic", "df")

__all__ = [
    "ATTRITION_COLUMNS", "EXTRA_COLUMNS", "FIVE_S_NOTE", "INTERNAL_COLUMNS", "KPI_LINE_COLUMNS",
    "RELIABILITY_COLUMNS", "SUPPRESSED_NUMBERS", "EnterpriseAnalysis", "adjusted",
    "comparison_pools", "controlled_rows", "enterprise_analysis", "enterprise_results",
    "five_s_results", "kpi_lines", "kpi_results", "primary_method", "survey_attrition",
    "survey_reliability", "survey_results",
]


@dataclass(frozen=True)
class EnterpriseAnalysis:
    """Everything computed for one enterprise: the results rows (:data:`INTERNAL_COLUMNS`)
    and the KPI chart lines (:data:`KPI_LINE_COLUMNS`), from one fit of each model;
    ``fits`` maps each tracked KPI to its :class:`~score_analysis.stats.its.KpiFit` (the
    fitted models, for :func:`score_analysis.stats.models.fit_its`)."""

    results: pd.DataFrame
    lines: pd.DataFrame
    fits: dict = field(default_factory=dict, compare=False, repr=False)


# --------------------------------------------------------------------------- KPIs


def comparison_pools(enterprises: pd.DataFrame,
                     monthly: pd.DataFrame) -> dict[str, tuple[str, ...]]:
    """The comparison pool of every programme enterprise that has monthly records
    (docs/analysis_plan.md §3.10): every ``role = comparison`` enterprise and every other
    programme enterprise whose ``intervention_month`` is later than the enterprise's last
    month in ``monthly`` (not yet treated while it was observed).

    The pool of each enterprise is
    ``score_analysis.stats.cits.comparison_pool(enterprises, e, last_month=<e's last month>)``,
    computed here for every enterprise at once (one comparison per distinct last month, not
    one pass over the table per enterprise).  R: for each ``e``,
    ``subset(enterprises, enterprise_id != e & (role == "comparison" |
    intervention_month > last_month[e]))$enterprise_id``.

    Parameters
    ----------
    enterprises
        The enterprises table (``enterprise_id``, ``intervention_month``, optional
        ``role``: blank or absent = programme).
    monthly
        The monthly indicators (:func:`score_analysis.stats.indicators.monthly_indicators`;
        ``enterprise_id`` and ``month`` are used).

    Returns
    -------
    dict
        Programme enterprise id: the ids of its pool in the order of the table (an empty
        tuple: no comparison group).  Enterprises without any monthly row are absent.

    Raises
    ------
    ValueError
        A malformed role, a repeated enterprise, or a programme enterprise whose
        ``intervention_month`` is not written ``YYYY-MM``.
    """
    from .cits_data import enterprise_roles

    roles = enterprise_roles(enterprises)
    ids = roles.index.to_numpy(dtype=object)
    programme = roles.to_numpy(dtype=object) == "programme"
    starts = enterprises["intervention_month"].to_numpy(dtype=object)
    for eid, start, prog in zip(ids, starts, programme, strict=True):
        if prog and not (isinstance(start, str) and _MONTH_TEXT.fullmatch(start)):
            raise ValueError(f"intervention_month of programme enterprise {eid!r} must be a "
                             f"month written YYYY-MM, got {start!r}")
    if monthly.empty:
        return {}
    last = monthly.groupby("enterprise_id", sort=False)["month"].max()
    start_text = np.where(programme, starts, "")
    by_last: dict[str, np.ndarray] = {}
    out = {}
    for eid, prog in zip(ids, programme, strict=True):
        if not prog or eid not in last.index:
            continue
        month = str(last[eid])
        if month not in by_last:  # months as YYYY-MM text compare in time order
            by_last[month] = ~programme | (start_text > month)
        out[eid] = tuple(ids[by_last[month] & (ids != eid)])
    return out



def controlled_rows(enterprise: pd.Series, indicator: str, *, multiplier: float,
                    comparison: pd.DataFrame | None, enterprises: pd.DataFrame | None,
                    settings: AnalysisSettings = PLAN, panel=None) -> list[dict]:
    """The rows of the controlled interrupted time series of one KPI of one enterprise
    (``cits_effect_end``, ``cits_level``, ``cits_slope``; docs/analysis_plan.md §3.10):
    **the one place where they enter the results**.

    They are computed by ``score_analysis.stats.cits.cits_rows(monthly, enterprises,
    enterprise_id, indicator, multiplier=..., settings=...)`` from the monthly indicators
    of every enterprise (``comparison``) and the enterprises table (with its ``role``
    column); each row has the columns of :data:`score_analysis.stats.its.EFFECT_COLUMNS`.
    Returns no rows when ``settings.comparison_group`` is off, when the caller gave no
    comparison data, or when this installation has no controlled design.  Which row is
    primary is decided by :func:`primary_method`.  ``panel``: the
    :class:`~score_analysis.stats.cits.CitsPanel` of ``comparison`` and ``enterprises``
    when the caller already made it (the tables are then read once for every indicator;
    the rows are the same).
    """
    if not settings.comparison_group or comparison is None or enterprises is None:
        return []
    if importlib.util.find_spec(f"{__package__}.cits") is None:
        return []
    from . import cits  # type: ignore[attr-defined]

    if panel is None:
        return list(cits.cits_rows(comparison, enterprises, enterprise["enterprise_id"],
                                   indicator, multiplier=multiplier, settings=settings))
    return cits.panel_rows(panel, enterprise["enterprise_id"], indicator,
                           multiplier=multiplier, settings=settings)


def _controlled_panel(comparison: pd.DataFrame | None, enterprises: pd.DataFrame | None,
                      settings: AnalysisSettings):
    """The tables of the controlled design read once for every indicator (None: no
    controlled design here)."""
    if not settings.comparison_group or comparison is None or enterprises is None:
        return None
    if importlib.util.find_spec(f"{__package__}.cits") is None:
        return None
    from . import cits  # type: ignore[attr-defined]

    return cits.CitsPanel(comparison, enterprises)


def primary_method(statuses: dict[str, str]) -> str:
    """The primary row of a monthly KPI (docs/analysis_plan.md §6), from the status of each
    method: ``cits_effect_end`` when present and estimable, else ``its_effect_end`` when
    estimable, else ``rate_ratio_step`` when estimable, else ``its_effect_end`` (with its
    status ``insufficient_data``)."""
    for method in (CITS_PRIMARY, ITS_PRIMARY, NAIVE_STEP):
        if statuses.get(method) == "ok":
            return method
    return ITS_PRIMARY


def _kpi_parts(monthly: pd.DataFrame, enterprise: pd.Series, *, settings: AnalysisSettings,
               comparison: pd.DataFrame | None = None,
               enterprises: pd.DataFrame | None = None
               ) -> tuple[list[dict], pd.DataFrame, dict[str, KpiFit]]:
    """KPI result rows, chart lines and fits of one enterprise, each model fitted once."""
    eid = enterprise["enterprise_id"]
    own = monthly[monthly["enterprise_id"] == eid]
    months = set(own["month"]) if "month" in own else set()
    by_indicator = dict(tuple(own.groupby("indicator", sort=False))) if len(own) else {}
    rows, lines, fits = [], [], {}
    panel = _controlled_panel(comparison, enterprises, settings)
    for ind in INDICATORS.values():
        series = by_indicator.get(ind.name, own.iloc[:0])
        fixed = {"enterprise_id": eid, "domain": "kpi", "indicator": ind.name}
        if series.empty:
            rows.append(empty(ITS_PRIMARY, "not_reported",
                              [note("not_tracked", numerator=ind.numerator,
                                    exposure=ind.exposure)],
                              primary=False, estimate_scale="rate_ratio", n_pre=0, n_post=0,
                              **fixed))
            continue
        fit = kpi_fit(series, enterprise["intervention_month"], multiplier=ind.multiplier,
                      settings=settings)
        fits[ind.name] = fit
        left = len(months - set(series["month"]))
        gap = ([note("records_left_out", months=left, numerator=ind.numerator,
                     exposure=ind.exposure)] if left else [])
        effects = [*controlled_rows(enterprise, ind.name, multiplier=ind.multiplier,
                                    comparison=comparison, enterprises=enterprises,
                                    settings=settings, panel=panel), *fit.records]
        primary = primary_method({r["method"]: r["status"] for r in effects})
        for r in effects:
            extra = list(gap)
            if primary == CITS_PRIMARY and r["method"] == ITS_PRIMARY:
                extra.insert(0, note("without_comparison_group"))
            rows.append(record(r, primary=r["method"] == primary, notes=extra, **fixed))
        chart = fit.lines
        if chart.empty:
            chart = pd.DataFrame({"month": series["month"].to_numpy(),
                                  "observed": series["value"].to_numpy(float),
                                  "fitted": np.nan, "counterfactual": np.nan})
        lines.append(chart.assign(enterprise_id=eid, indicator=ind.name))
    line_frame = (pd.concat(lines, ignore_index=True)[list(KPI_LINE_COLUMNS)] if lines
                  else pd.DataFrame(columns=list(KPI_LINE_COLUMNS)))
    return rows, line_frame, fits


def kpi_results(monthly: pd.DataFrame, enterprise: pd.Series, *,
                settings: AnalysisSettings = PLAN) -> pd.DataFrame:
    """KPI model rows of one enterprise: every tracked indicator × every KPI method of
    :data:`score_analysis.stats.outputs.KPI_METHODS` (and ``rate_ratio_exact`` where the
    primary fails the events rule), with the primary flag.

    ``monthly`` is :func:`score_analysis.stats.indicators.monthly_indicators`; ``enterprise``
    a row of the enterprises table.  An indicator the enterprise does not track gets one
    ``not_reported`` row (``its_effect_end``, not primary).
    """
    return frame_of(_kpi_parts(monthly, enterprise, settings=settings)[0])


def kpi_lines(monthly: pd.DataFrame, enterprise: pd.Series, *,
              settings: AnalysisSettings = PLAN) -> pd.DataFrame:
    """Observed, fitted and counterfactual monthly values of every tracked indicator, for
    charts (:data:`KPI_LINE_COLUMNS`); ``fitted`` and ``counterfactual`` are empty where
    the segmented model cannot be fitted."""
    return _kpi_parts(monthly, enterprise, settings=settings)[1]


# --------------------------------------------------------------------------- assembly


def adjusted(rows: pd.DataFrame, *, settings: AnalysisSettings = PLAN) -> pd.DataFrame:
    r"""Add ``confirmatory``, ``p_holm`` and ``q_bh`` over each enterprise's confirmatory
    family, and ``direction`` (plan version 3).  Returns a new frame.

    The family of one enterprise is the primary rows of the indicators in
    ``settings.confirmatory`` with status ``ok`` or ``insufficient_data``
    (:func:`~score_analysis.stats.decisions.confirmatory_rows`): the family is what was
    planned, not what the data happened to allow, so a planned primary that could not be
    estimated counts with :math:`p = 1`.  ``p_holm``/``q_bh`` are filled on its rows that
    have a p-value; every other row keeps its unadjusted p only.  Holm (1979):
    :math:`\tilde p_{(i)} = \max_{j\le i} \min\{1, (m-j+1)p_{(j)}\}`; Benjamini & Hochberg
    (1995): :math:`q_{(i)} = \min_{j\ge i} \min\{1, m p_{(j)}/j\}`.
    R: ``p.adjust(c(p, rep(1, n_insufficient)), "holm")``, likewise ``"BH"``.
    ``direction`` is judged on the confirmatory rows only
    (:func:`~score_analysis.stats.decisions.direction`); every other row is ``not_tested``.

    References
    ----------
    Holm S (1979) Scand J Stat 6:65-70; Benjamini Y, Hochberg Y (1995) J R Stat Soc B
    57:289-300.
    """
    out = rows.copy()
    out["confirmatory"] = confirmatory_rows(out, settings).to_numpy(dtype=bool)
    out["p_holm"] = np.nan
    out["q_bh"] = np.nan
    for _, group in out[out["confirmatory"]].groupby("enterprise_id", sort=False):
        holm_p, bh_q = family_adjusted(group["p_value"].to_numpy(float),
                                       group["status"].to_numpy(object))
        out.loc[group.index, "p_holm"] = holm_p
        out.loc[group.index, "q_bh"] = bh_q
    out["direction"] = directions(out, settings)
    return out


def enterprise_analysis(enterprise: pd.Series, *, monthly: pd.DataFrame, items: pd.DataFrame,
                        scores: pd.DataFrame, constructs: list[str],
                        settings: AnalysisSettings = PLAN,
                        comparison: pd.DataFrame | None = None,
                        enterprises: pd.DataFrame | None = None) -> EnterpriseAnalysis:
    """Every results row of one enterprise, with primary flags, the confirmatory family,
    Holm, BH and direction, and the KPI chart lines, fitting each model once.

    ``monthly``, ``items`` and ``scores`` are the tables of
    :mod:`score_analysis.stats.indicators` (they may hold only this enterprise's rows);
    ``constructs`` the survey constructs of the codebook; ``settings`` the analysis plan.
    ``comparison`` (the monthly indicators of every enterprise) and ``enterprises`` (the
    enterprises table) are the data of the controlled design (:func:`controlled_rows`).
    The results' first :data:`~score_analysis.stats.outputs.RESULT_COLUMNS` are
    ``results.csv``.
    """
    kpi_rows, lines, fits = _kpi_parts(monthly, enterprise, settings=settings,
                                       comparison=comparison, enterprises=enterprises)
    rows = frame_of(kpi_rows + five_s_results(items, enterprise, settings=settings)
                    + survey_results(scores, enterprise, constructs, settings=settings))
    rows["data_source"] = enterprise.get("data_source", np.nan)
    rows["primary"] = rows["primary"].astype(bool)
    suppressed = rows["status"] == "suppressed"
    rows.loc[suppressed, list(SUPPRESSED_NUMBERS)] = np.nan
    out = adjusted(rows, settings=settings)[list(INTERNAL_COLUMNS)]
    out["confirmatory"] = out["confirmatory"].astype(bool)
    return EnterpriseAnalysis(out, lines, fits)


def enterprise_results(enterprise: pd.Series, *, monthly: pd.DataFrame, items: pd.DataFrame,
                       scores: pd.DataFrame, constructs: list[str],
                       settings: AnalysisSettings = PLAN) -> pd.DataFrame:
    """The results rows of :func:`enterprise_analysis` (:data:`INTERNAL_COLUMNS`)."""
    return enterprise_analysis(enterprise, monthly=monthly, items=items, scores=scores,
                               constructs=constructs, settings=settings).results
