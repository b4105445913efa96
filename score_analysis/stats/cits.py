r"""Controlled interrupted time series (docs/analysis_plan.md, plan version 3: the
controlled interrupted time series with a comparison group).

A single enterprise's series cannot tell the programme apart from anything else that hit
every enterprise in the same months (a demand shock, a trade agreement, a wage change).
When the data include enterprises that did not take part, or had not started yet, their
records give a **comparison series**, and the enterprise's series and the comparison
series are fitted together with one effect per calendar month, which absorbs whatever hit
both (Lopez Bernal, Cummins & Gasparrini 2018).

The pieces, each a pure function (the data in :mod:`.cits_data`, the fit in
:mod:`.cits_fit`, both re-exported here):

* :func:`comparison_pool` — the enterprises that can serve as comparison for enterprise
  ``e``: every ``role = comparison`` enterprise and every programme enterprise whose
  ``intervention_month`` is later than ``e``'s last month (not yet treated while ``e`` is
  observed);
* :func:`comparison_series` — per month of ``e``, the sum of the numerators and of the
  exposures over the pool members that report both that month;
* :func:`stacked_model_data` — the two series stacked (``s = 1`` for ``e``, ``s = 0`` for
  the comparison) over the months where both are present, with ``t``, ``post`` and
  ``t_after`` from ``e``'s calendar;
* :func:`cits_fit` — the quasi-Poisson fit
  ``num ~ factor(month) + s + s:t + s:post + s:t_after + offset(log(exposure))`` with the
  model-based and the panel Newey-West covariance;
* :func:`cits_rows` — the three results rows ``cits_effect_end``, ``cits_level`` and
  ``cits_slope``, in the format of the single-series rows (:func:`cits_results`: those of
  every indicator of one enterprise at once);
* :func:`comparison_lines` — chart data: the comparison series scaled to the enterprise's
  level before the programme (:func:`comparison_charts`: every indicator at once; in
  :mod:`.cits_lines`, which needs no statistics library, so the pages can draw it).

References
----------
Lopez Bernal J, Cummins S, Gasparrini A (2018). The use of controls in interrupted time
series studies of public health interventions. Int J Epidemiol 47(6):2082-2093.
doi:10.1093/ije/dyy135.

Zeileis A, Köll S, Graham N (2020). Various versatile variances: an object-oriented
implementation of clustered covariances in R. J Stat Softw 95(1):1-36.
doi:10.18637/jss.v095.i01.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..settings import PLAN, AnalysisSettings
from .cits_data import (
    COMPARISON_COLUMNS,
    STACKED_COLUMNS,
    CitsPanel,
    comparison_pool,
    comparison_series,
    enterprise_roles,
    stacked_model_data,
)
from .cits_fit import CITS_TERMS, CitsFit, NotEstimable, cits_fit, fit_columns, wald
from .cits_lines import CHART_COLUMNS, check_multiplier, comparison_charts, comparison_lines
from .notes import Note, note, note_codes, note_text

__all__ = [
    "CHART_COLUMNS", "CITS_METHODS", "CITS_TERMS", "COMPARISON_COLUMNS", "ROW_COLUMNS",
    "STACKED_COLUMNS", "CitsFit", "CitsPanel", "cits_fit", "cits_results", "cits_rows",
    "comparison_charts", "panel_rows", "comparison_lines", "comparison_pool", "comparison_series",
    "enterprise_roles", "stacked_model_data",
]

#: The three rows of the controlled model, in the order of the results table.
CITS_METHODS = ("cits_effect_end", "cits_level", "cits_slope")

#: Keys of each row dict of :func:`cits_rows`: the columns of the single-series rows
#: (:data:`score_analysis.stats.models.EFFECT_COLUMNS`), the note's code, and the degrees
#: of freedom of the t inference.
ROW_COLUMNS = (
    "method", "status", "n_pre", "n_post", "pre_value", "post_value", "estimate",
    "estimate_scale", "se", "ci_low", "ci_high", "p_value", "dispersion", "raw_dispersion",
    "se_model", "se_newey_west", "durbin_watson", "ljung_box_p", "hac_lag", "terms", "note",
    "note_code", "df",
)

_SCALES = {"cits_effect_end": "rate_ratio", "cits_level": "rate_ratio",
           "cits_slope": "slope_ratio"}


# --------------------------------------------------------------------------- rows


def _row(method: str, **values) -> dict:
    row = dict.fromkeys(ROW_COLUMNS, np.nan)
    row.update(method=method, status="ok", note="", note_code="", terms=CITS_TERMS,
               estimate_scale=_SCALES[method])
    row.update(values)
    return row


def _period(cols: dict[str, np.ndarray], multiplier: float) -> dict:
    """n and ``e``'s pooled rates before and after, over the months the model uses."""
    own = cols["s"] == 1
    after = cols["post"] == 1
    out = {"n_pre": int((own & ~after).sum()), "n_post": int((own & after).sum())}
    for key, mask in (("pre_value", own & ~after), ("post_value", own & after)):
        out[key] = (float(cols["numerator"][mask].sum() / cols["exposure"][mask].sum()
                          * multiplier) if mask.any() else np.nan)
    return out


def _rule_notes(cols: dict[str, np.ndarray], settings: AnalysisSettings) -> list[Note]:
    """The notes of the rules the stacked rows fail (none: the model may be fitted)."""
    own = cols["s"] == 1
    after = cols["post"] == 1
    before_n, after_n = int((own & ~after).sum()), int((own & after).sum())
    least = settings.min_months_its
    out = []
    if before_n < least or after_n < least:
        out.append(note("cits_too_few_months", before=before_n, after=after_n, needed=least))
    for series, code in ((own, "too_few_events"), (~own, "cits_too_few_comparison_events")):
        before = float(cols["numerator"][series & ~after].sum())
        after_sum = float(cols["numerator"][series & after].sum())
        if before < settings.min_events or after_sum < settings.min_events:
            out.append(note(code, before=before, after=after_sum, needed=settings.min_events))
    return out


def _with_notes(row: dict, notes: list[Note]) -> dict:
    row["note"] = note_text(notes)
    row["note_code"] = note_codes(notes)
    return row


def cits_rows(monthly: pd.DataFrame, enterprises: pd.DataFrame, enterprise_id: str,
              indicator: str, *, multiplier: float = 1.0,
              settings: AnalysisSettings = PLAN) -> list[dict]:
    r"""The controlled interrupted time series rows of one programme enterprise and
    indicator: ``cits_effect_end``, ``cits_level`` and ``cits_slope``.

    The stacked rows (:func:`stacked_model_data`) are fitted by :func:`cits_fit`,

    .. math::

        \log \mu_{sm} = \log E_{sm} + \alpha_m + \beta_0 s + \beta_1 s\,t_m
                        + \beta_2 s\,\mathrm{post}_m + \beta_3 s\,t_{\mathrm{after},m},

    with :math:`\alpha_m` one effect per calendar month (absorbing whatever hit both
    series that month) and :math:`\mathrm{Var}(y) = \phi\mu`,
    :math:`\phi = \max(1, X^2/(n-p))`.  The rows are

    * ``cits_effect_end`` :math:`= e^{\beta_2 + \beta_3 (t_{last} - t_0)}`: where ``e``'s
      series ended, relative to the comparison, as a ratio to where its trend relative to
      the comparison before the programme pointed (:math:`t_{last}` = ``e``'s last month
      in the model);
    * ``cits_level`` :math:`= e^{\beta_2}` (the step at the programme start) and
      ``cits_slope`` :math:`= e^{\beta_3}` (the change of the monthly trend, a ratio per
      month).

    For each :math:`c^\top\beta` the standard error is (``settings.se_rule = "max"``) the
    larger of the model-based one and the panel Newey-West one
    (``sandwich::vcovPL(fit, cluster = ~ s, order.by = ~ t, lag = L, adjust = TRUE)``,
    :math:`L` = ``settings.hac_lag`` of the number of months in the model); interval
    :math:`\exp(c^\top\hat\beta \pm t_{0.975,\,n-p}\,\mathrm{se})` and p
    :math:`2\,P(T_{n-p} > |c^\top\hat\beta/\mathrm{se}|)` with :math:`n` the stacked
    rows (``settings.inference = "t"``).

    R::

        fit <- glm(numerator ~ factor(month) + s + s:t + s:post + s:t_after +
                   offset(log(exposure)), family = quasipoisson, data = stacked)
        phi <- max(1, summary(fit)$dispersion)
        V_model <- vcov(fit) * phi / summary(fit)$dispersion
        V_panel <- sandwich::vcovPL(fit, cluster = ~ s, order.by = ~ t, lag = L,
                                    adjust = TRUE)
        # se <- pmax(sqrt(c %*% V_model %*% c), sqrt(c %*% V_panel %*% c))
        # ci <- exp(b + c(-1, 1) * qt(0.975, df.residual(fit)) * se)

    The rules (each makes the three rows ``insufficient_data``, with a note saying why,
    ``pre_value``/``post_value`` still given): at least ``settings.min_months_its`` months
    before and as many after in which both series are present; at least
    ``settings.min_events`` events before and after in each series over those months.

    Parameters
    ----------
    monthly
        The monthly indicators of every enterprise
        (:func:`score_analysis.stats.indicators.monthly_indicators`; the columns
        ``enterprise_id``, ``indicator``, ``month``, ``numerator`` and ``exposure`` are
        used).
    enterprises
        The enterprises table (``enterprise_id``, ``intervention_month``, optional
        ``role``).
    enterprise_id
        A programme enterprise (one without any row in ``monthly`` has no pool, so no
        controlled rows).
    indicator
        The indicator's name.
    multiplier
        Scale of ``pre_value`` and ``post_value`` (e.g. 100 for %).
    settings
        The analysis settings (``comparison_group``, ``min_months_its``, ``min_events``,
        ``alpha``, ``se_rule``, ``inference``, ``hac_lag``).

    Returns
    -------
    list of dict
        Three rows with the keys :data:`ROW_COLUMNS` (``se`` on the log scale,
        ``estimate_scale`` ``rate_ratio`` or ``slope_ratio``, ``df`` = n - p), in the order
        of :data:`CITS_METHODS`; ``status`` ``not_reported`` when ``e`` has no month of
        the indicator.  An empty list when the pool is empty or
        ``settings.comparison_group`` is false.

    Raises
    ------
    ValueError
        For malformed input (see :func:`comparison_series`) or a non-positive
        ``multiplier``.

    References
    ----------
    Lopez Bernal J, Cummins S, Gasparrini A (2018) The use of controls in interrupted time
    series studies of public health interventions. Int J Epidemiol 47(6):2082-2093.
    Zeileis A, Köll S, Graham N (2020) Various versatile variances. J Stat Softw 95(1).
    """
    check_multiplier(multiplier)
    if not settings.comparison_group:
        return []
    return _rows(CitsPanel(monthly, enterprises), enterprise_id, indicator,
                 multiplier=multiplier, settings=settings)


def cits_results(monthly: pd.DataFrame, enterprises: pd.DataFrame, enterprise_id: str, *,
                 multipliers: dict[str, float],
                 settings: AnalysisSettings = PLAN) -> dict[str, list[dict]]:
    """:func:`cits_rows` of every indicator of ``multipliers`` (name: multiplier) for one
    programme enterprise, reading the tables once (the analysis of an enterprise calls
    this, at a fraction of the cost of one :func:`cits_rows` call per indicator).

    Returns
    -------
    dict
        Indicator name: its list of row dicts (empty lists when the pool is empty or
        ``settings.comparison_group`` is false).
    """
    for multiplier in multipliers.values():
        check_multiplier(multiplier)
    if not settings.comparison_group:
        return {name: [] for name in multipliers}
    panel = CitsPanel(monthly, enterprises)
    return {name: _rows(panel, enterprise_id, name, multiplier=multiplier, settings=settings)
            for name, multiplier in multipliers.items()}


def panel_rows(panel: CitsPanel, enterprise_id: str, indicator: str, *, multiplier: float,
               settings: AnalysisSettings = PLAN) -> list[dict]:
    """:func:`cits_rows` of one indicator from a :class:`CitsPanel` already made (the
    comparison tables read once for every indicator of an enterprise; the rows are the
    same)."""
    check_multiplier(multiplier)
    return _rows(panel, enterprise_id, indicator, multiplier=multiplier, settings=settings)


def _rows(panel: CitsPanel, enterprise_id: str, indicator: str, *, multiplier: float,
          settings: AnalysisSettings) -> list[dict]:
    setup = panel.data(enterprise_id, indicator)
    if not setup.pool:
        return []
    members = note("cits_comparison", members=len(setup.pool))
    if not len(setup.own.month):
        return [_with_notes(_row(m, status="not_reported", n_pre=0, n_post=0),
                            [note("cits_not_tracked")]) for m in CITS_METHODS]
    cols = setup.stacked()
    common = int((cols["s"] == 1).sum())
    left = len(setup.own.month) - common
    extra = [note("cits_months_without_comparison", months=left)] if left else []
    period = _period(cols, multiplier)
    failed = _rule_notes(cols, settings)
    if not failed:
        try:
            fit = fit_columns(cols, settings=settings)
        except NotEstimable as exc:
            failed = [exc.note]
    if failed:
        return [_with_notes(_row(m, status="insufficient_data", **period),
                            [*failed, members, *extra]) for m in CITS_METHODS]
    span = fit.t_last - fit.t0
    weights = ({"s:post": 1.0, "s:t_after": float(span)}, {"s:post": 1.0},
               {"s:t_after": 1.0})
    rows = []
    for method, w in zip(CITS_METHODS, weights, strict=True):
        notes = [members, *fit.notes, *extra]
        if method == "cits_effect_end":
            notes.insert(0, note("cits_at_last_month", months=int(span)))
        try:
            values = wald(fit, w, settings=settings)
        except NotEstimable as exc:
            rows.append(_with_notes(_row(method, status="insufficient_data", **period),
                                    [exc.note, *notes]))
            continue
        rows.append(_with_notes(_row(method, **values, **period), notes))
    return rows
