r"""The rows of the single-series KPI models of analysis plan version 3
(docs/analysis_plan.md §3); the rate model itself is in :mod:`.rate_model`.

Every row is one method of :data:`~score_analysis.stats.outputs.KPI_METHODS`, fitted on the
months it uses, each rule a field of :class:`~score_analysis.settings.AnalysisSettings`:

``its_effect_end`` (the primary of the single series), ``its_level``, ``its_slope``
    the segmented regression ``num ~ t + post + t_after [+ eid]`` (at least
    ``min_months_its`` months before and after): the effect at the last month
    ``exp(b_post + b_t_after (t_last - t0))`` (where the series ended, as a ratio to where
    the trend before the programme pointed), and its two components, the step at the start
    ``exp(b_post)`` and the change of the monthly trend ``exp(b_t_after)``.
``its_effect_end_harmonic``, ``its_effect_end_phase_in``, ``its_effect_end_no_eid``
    sensitivity rows of the primary: with ``harmonic_pairs`` sine/cosine pairs of the
    calendar month; without the ``phase_in_months`` months from the start (``post`` and
    ``t_after`` then count from ``t0 + phase_in_months``); without the Idul Fitri months
    and the eid term.
``placebo_effect_end``
    the months before the programme only, a pretend start ``tp = t_first + floor(n_pre /
    2)`` and the effect at the last month before the programme (at least
    ``min_months_placebo`` months each side of ``tp``; expected near 1).
``rate_ratio_step``
    ``num ~ post [+ eid]``: the naive before/after ratio, biased by trends, for comparison
    (at least ``min_months_step`` months each side).
``rate_ratio_exact`` (:mod:`.exact`)
    only where the primary fails the events rule: the exact comparison of the two rates
    (``poisson.test``), descriptive.

Every model row obeys the events rule (at least ``min_events`` events over the months
before and over the months after that it uses) and uses the standard errors and the t
inference of :func:`~score_analysis.stats.rate_model.inference`.  A row that the data
cannot support has status ``insufficient_data`` and a note saying why; its
``pre_value``/``post_value`` (the pooled rates of its own months) are still given.

References
----------
Lopez Bernal J, Cummins S, Gasparrini A (2017). Interrupted time series regression for
the evaluation of public health interventions: a tutorial. Int J Epidemiol
46(1):348-355. doi:10.1093/ije/dyw098.

Wagner AK, Soumerai SB, Zhang F, Ross-Degnan D (2002). Segmented regression analysis of
interrupted time series studies in medication use research. J Clin Pharm Ther
27(4):299-309.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..settings import PLAN, AnalysisSettings
from .exact import poisson_rate_ratio
from .notes import Note, note, note_codes, note_text
from .outputs import (
    EXACT,
    ITS_PRIMARY,
    ITS_SENSITIVITY,
    KPI_METHODS,
    NAIVE_STEP,
    PLACEBO,
)
from .rate_model import (
    ITS_TERMS,
    MODEL_TERMS,
    NotEstimable,
    RateFit,
    _Data,
    _design,
    _month_number,
    _prepare,
    eid_terms,
    fit_model,
    inference,
    its_diagnostics,
)

#: Columns of the frame returned by :func:`kpi_effects` (and of every KPI row dict).
EFFECT_COLUMNS = (
    "method", "status", "n_pre", "n_post", "pre_value", "post_value", "estimate",
    "estimate_scale", "se", "ci_low", "ci_high", "p_value", "df", "dispersion",
    "raw_dispersion", "se_model", "se_newey_west", "durbin_watson", "ljung_box_p", "hac_lag",
    "terms", "note", "note_code", "fit_warnings",
)

#: Columns of the frame returned by :func:`its_lines`.
LINE_COLUMNS = ("month", "observed", "fitted", "counterfactual")

_SCALES = dict.fromkeys((*KPI_METHODS, EXACT), "rate_ratio") | {"its_slope": "slope_ratio"}


@dataclass(frozen=True)
class KpiFit:
    """Effects and chart lines of one monthly rate, from a single set of model fits.

    ``records`` are the rows of :func:`kpi_effects` as dicts and ``effects`` the same as a
    frame; ``lines`` is the frame of :func:`its_lines` (empty when the segmented model
    cannot be fitted); ``fits`` maps each method whose model was fitted to its
    :class:`~score_analysis.stats.rate_model.RateFit` (``its_level``, ``its_slope`` and
    ``its_effect_end`` share one) and ``weights`` to the coefficients of its estimate.
    """

    records: tuple[dict, ...]
    lines: pd.DataFrame
    fits: dict = field(default_factory=dict, compare=False, repr=False)
    weights: dict = field(default_factory=dict, compare=False, repr=False)

    @property
    def effects(self) -> pd.DataFrame:
        return pd.DataFrame(list(self.records), columns=list(EFFECT_COLUMNS))


def kpi_fit(series: pd.DataFrame, intervention_month: str, *, multiplier: float = 1.0,
            settings: AnalysisSettings = PLAN) -> KpiFit:
    """Effects (:func:`kpi_effects`) and chart lines (:func:`its_lines`) of one monthly rate,
    fitting each model once.  Parameters as for :func:`kpi_effects`."""
    if not np.isfinite(multiplier) or multiplier <= 0:
        raise ValueError(f"multiplier must be a positive number, got {multiplier}")
    s, left_out = _prepare(series, intervention_month)
    gap = [note("months_left_out", months=left_out)] if left_out else []
    if s.empty:
        rows = [_finished(_row(m, status="not_reported", n_pre=0, n_post=0,
                               notes=[note("no_usable_month")]), []) for m in KPI_METHODS]
        return KpiFit(tuple(rows), _empty_lines())
    fits: dict[str, RateFit] = {}
    weights: dict[str, dict] = {}
    rows = _its_rows(s, settings, multiplier, fits, weights)
    rows.append(_effect_row("its_effect_end_harmonic", s, settings, multiplier,
                            harmonic_pairs=settings.harmonic_pairs, fits=fits, weights=weights,
                            notes=[note("sensitivity_harmonic",
                                        pairs=settings.harmonic_pairs)]))
    rows.append(_phase_in_row(s, settings, multiplier, fits, weights))
    rows.append(_no_eid_row(s, settings, multiplier, fits, weights))
    rows.append(_placebo_row(s, settings, multiplier, fits, weights))
    rows.append(_step_row(s, settings, multiplier, fits, weights))
    exact = _exact_row(s, rows, settings, multiplier)
    if exact is not None:
        rows.append(exact)
    rows = [_finished(r, gap) for r in rows]
    its = fits.get(ITS_PRIMARY) or fits.get("its_level") or fits.get("its_slope")
    lines = _lines(s, its, multiplier) if its is not None else _empty_lines()
    return KpiFit(tuple(rows), lines, fits, weights)


def kpi_effects(series: pd.DataFrame, intervention_month: str, *, multiplier: float = 1.0,
                settings: AnalysisSettings = PLAN) -> pd.DataFrame:
    r"""Effects of the programme on one monthly rate (plan version 3).

    Parameters
    ----------
    series
        One enterprise's indicator: columns ``month`` (``YYYY-MM``), ``numerator``,
        ``exposure`` and optionally ``eid`` (0/1; by default taken from
        :func:`score_analysis.data.eid.eid_months`).  Months whose numerator or exposure is
        missing, or whose exposure is zero, are left out and counted in ``note``.
        ``t`` counts calendar months from the first usable month, so a gap keeps the
        numbering.
    intervention_month
        First month counted as "after" (``YYYY-MM``).
    multiplier
        Scale of ``pre_value`` and ``post_value`` (e.g. 100 for %).
    settings
        The analysis plan (:class:`~score_analysis.settings.AnalysisSettings`): months and
        events needed, phase-in, eid, harmonics, standard-error rule, inference, alpha.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`EFFECT_COLUMNS`, one row per method of
        :data:`~score_analysis.stats.outputs.KPI_METHODS`, then ``rate_ratio_exact`` where
        the primary fails the events rule.  ``status`` is ``ok``, ``insufficient_data``
        (with a ``note`` saying what is missing; ``pre_value``/``post_value`` still given)
        or ``not_reported`` (no usable month at all).  ``se`` is the standard error used,
        on the log scale; ``df`` the degrees of freedom of the t inference.

    Raises
    ------
    ValueError
        When a column is missing, a month is malformed or repeated, or a numerator or
        exposure is not a number, infinite or negative.

    Notes
    -----
    With :math:`\mu_t = E(y_t)` and exposure :math:`E_t`, the segmented model is

    .. math::

        \log \mu_t = \log E_t + \beta_0 + \beta_1 t + \beta_2 \mathrm{post}_t
                     + \beta_3 t_{\mathrm{after}} \;[+\; \gamma\, \mathrm{eid}_t]

    :math:`\mathrm{Var}(y_t) = \phi\mu_t` with :math:`\phi = \max(1, X^2/(n-p))`.
    ``its_effect_end`` = :math:`e^{\beta_2 + \beta_3 (t_{last} - t_0)}`, ``its_level`` =
    :math:`e^{\beta_2}`, ``its_slope`` = :math:`e^{\beta_3}`.  For each
    :math:`c^\top\beta`, :math:`\mathrm{se} = \max(\mathrm{se}_{model},
    \mathrm{se}_{NW})`; 95% CI :math:`\exp(c^\top\hat\beta \pm t_{n-p,0.975}\,
    \mathrm{se})`, p from :math:`c^\top\hat\beta/\mathrm{se}` on :math:`t_{n-p}`.  R:
    ``fit <- glm(num ~ t + post + t_after + eid + offset(log(exposure)), quasipoisson)``;
    ``V <- sandwich::NeweyWest(fit, lag = L, prewhite = FALSE, adjust = TRUE)``;
    ``se <- max(sqrt(c %*% vcov(fit) %*% c) * sqrt(max(1, phi) / phi),
    sqrt(c %*% V %*% c))``; ``exp(sum(c * coef(fit)) + c(-1, 1) * qt(0.975,
    df.residual(fit)) * se)``.

    References
    ----------
    Lopez Bernal, Cummins & Gasparrini (2017), Int J Epidemiol 46:348-355;
    Newey & West (1987) Econometrica 55:703-708; Zeileis A (2004) J Stat Softw 11(10).
    """
    return kpi_fit(series, intervention_month, multiplier=multiplier,
                   settings=settings).effects


# --------------------------------------------------------------------------- rows


def _row(method: str, *, notes=(), **values) -> dict:
    row = dict.fromkeys(EFFECT_COLUMNS, np.nan)
    row.update(method=method, status="ok", terms="", estimate_scale=_SCALES[method],
               fit_warnings="")
    row.update(values)
    row["_notes"] = list(notes)
    return row


def _finished(row: dict, extra: list[Note]) -> dict:
    """The row with its notes written as ``note`` and ``note_code``."""
    out = {k: v for k, v in row.items() if k != "_notes"}
    notes = [*row.get("_notes", []), *extra]
    out["note"], out["note_code"] = note_text(notes), note_codes(notes)
    return out


def _warned(exc: NotEstimable) -> str:
    """The warnings a failed fit raised, for the ``fit_warnings`` column."""
    return " | ".join(exc.warnings)


def _label(terms: list[str], harmonic_pairs: int = 0) -> str:
    return " + ".join([*terms, *(["harmonic"] if harmonic_pairs else [])])


def _fitted(fit: RateFit, weights: dict, settings: AnalysisSettings) -> dict:
    """The inference columns of a row from ``fit``."""
    out = inference(fit, weights, settings=settings)
    out.pop("coefficient")
    return {**out, "fit_warnings": " | ".join(fit.warnings)}


def _its_model(s: _Data, settings: AnalysisSettings, *, least: int,
               harmonic_pairs: int = 0) -> tuple[RateFit, list[str]]:
    """The fitted segmented regression on the months ``s`` and its terms, or
    :class:`NotEstimable` saying why not."""
    _check_months(s, least)
    _check_events(s, settings)
    _check_varies(s)
    terms = [*ITS_TERMS, *eid_terms(s, settings)]
    return fit_model(s, terms, harmonic_pairs=harmonic_pairs, settings=settings), terms


def _span(s: _Data) -> float:
    """``t_last - start``: the months from the start to the last month of ``s``."""
    return float(s["t_after"].max()) if len(s) else 0.0


def _its_rows(s: _Data, settings: AnalysisSettings, multiplier: float, fits: dict,
              weights: dict) -> list[dict]:
    """``its_effect_end``, ``its_level`` and ``its_slope`` from one fit."""
    common = _period(s, multiplier)
    label = _label([*ITS_TERMS, *eid_terms(s, settings)])
    methods = (ITS_PRIMARY, "its_level", "its_slope")
    span = _span(s)
    combos = ({"post": 1.0, "t_after": span}, {"post": 1.0}, {"t_after": 1.0})
    try:
        fit, terms = _its_model(s, settings, least=settings.min_months_its)
    except NotEstimable as exc:
        return [_row(m, status="insufficient_data", terms=label, notes=[exc.note],
                     fit_warnings=_warned(exc), **common) for m in methods]
    label = _label([t for t in terms if t in fit.names])
    diag = its_diagnostics(fit, settings)
    rows = []
    for method, combo in zip(methods, combos, strict=True):
        notes = ([note("effect_at_last_month", months=int(span))] if method == ITS_PRIMARY
                 else [])
        try:
            values = _fitted(fit, combo, settings)
        except NotEstimable as exc:
            rows.append(_row(method, status="insufficient_data", terms=label,
                             notes=[*notes, exc.note], **common))
            continue
        fits[method], weights[method] = fit, combo
        rows.append(_row(method, terms=label, notes=[*notes, *fit.notes], **values, **diag,
                         **common))
    return rows


def _effect_row(method: str, s: _Data, settings: AnalysisSettings, multiplier: float, *,
                fits: dict, weights: dict, harmonic_pairs: int = 0, least: int | None = None,
                notes=()) -> dict:
    """An ``its_effect_end``-type row, ``exp(b_post + b_t_after * span)``, of the segmented
    model on the months ``s`` (whose ``post`` and ``t_after`` count from their own start);
    ``span`` is the last month's ``t_after``."""
    least = settings.min_months_its if least is None else least
    common = _period(s, multiplier)
    label = _label([*ITS_TERMS, *eid_terms(s, settings)], harmonic_pairs)
    span = _span(s)
    try:
        fit, terms = _its_model(s, settings, least=least, harmonic_pairs=harmonic_pairs)
        combo = {"post": 1.0, "t_after": span}
        values = _fitted(fit, combo, settings)
    except NotEstimable as exc:
        return _row(method, status="insufficient_data", terms=label,
                    notes=[*notes, exc.note], fit_warnings=_warned(exc), **common)
    fits[method], weights[method] = fit, combo
    label = _label([t for t in terms if t in fit.names], harmonic_pairs)
    return _row(method, terms=label,
                notes=[*notes, note("effect_at_last_month", months=int(span)), *fit.notes],
                **values, **its_diagnostics(fit, settings), **common)


def _phase_in_row(s: _Data, settings: AnalysisSettings, multiplier: float, fits: dict,
                  weights: dict) -> dict:
    """``its_effect_end_phase_in``: the months ``t0 .. t0 + k - 1`` left out, ``post`` and
    ``t_after`` counted from ``t0 + k`` (``k = settings.phase_in_months``)."""
    k = settings.phase_in_months
    t0 = _t0(s)
    start = t0 + k
    kept = s[(s["t"] < t0) | (s["t"] >= start)]
    kept = kept.assign(post=kept["t"] >= start, t_after=np.maximum(0.0, kept["t"] - start))
    return _effect_row("its_effect_end_phase_in", kept, settings, multiplier, fits=fits,
                       weights=weights, notes=[note("sensitivity_phase_in", months=k)])


def _no_eid_row(s: _Data, settings: AnalysisSettings, multiplier: float, fits: dict,
                weights: dict) -> dict:
    """``its_effect_end_no_eid``: the Idul Fitri months left out, no eid term."""
    kept = s[s["eid"] != 1]
    return _effect_row("its_effect_end_no_eid", kept, settings.replace(eid=False), multiplier,
                       fits=fits, weights=weights,
                       notes=[note("sensitivity_no_eid", months=len(s) - len(kept))])


def _placebo_row(s: _Data, settings: AnalysisSettings, multiplier: float, fits: dict,
                 weights: dict) -> dict:
    """``placebo_effect_end``: the months before the programme, a pretend start
    ``tp = t_first + floor(n_pre / 2)``, the effect at the last month before ``t0``."""
    pre = s[s["post"] == 0]
    if not len(pre):
        return _row(PLACEBO, status="insufficient_data", n_pre=0, n_post=0,
                    terms=_label(list(ITS_TERMS)), notes=[note("placebo_no_months")])
    tp = float(pre["t"].min() + len(pre) // 2)
    pre = pre.assign(post=pre["t"] >= tp, t_after=np.maximum(0.0, pre["t"] - tp))
    start_n = _month_number(s["month"][0], "month") + int(tp - s["t"][0])
    start = f"{start_n // 12:04d}-{start_n % 12 + 1:02d}"
    return _effect_row(PLACEBO, pre, settings, multiplier, fits=fits, weights=weights,
                       least=settings.min_months_placebo, notes=[note("placebo", start=start)])


def _step_row(s: _Data, settings: AnalysisSettings, multiplier: float, fits: dict,
              weights: dict) -> dict:
    """``rate_ratio_step``: ``num ~ post [+ eid]``, the naive before/after ratio."""
    common = _period(s, multiplier)
    terms = ["post", *eid_terms(s, settings)]
    notes = [note("naive_step")]
    try:
        _check_months(s, settings.min_months_step)
        _check_events(s, settings)
        _check_varies(s)
        fit = fit_model(s, terms, settings=settings)
        values = _fitted(fit, {"post": 1.0}, settings)
    except NotEstimable as exc:
        return _row(NAIVE_STEP, status="insufficient_data", terms=_label(terms),
                    notes=[*notes, exc.note], fit_warnings=_warned(exc), **common)
    fits[NAIVE_STEP], weights[NAIVE_STEP] = fit, {"post": 1.0}
    return _row(NAIVE_STEP, terms=_label([t for t in terms if t in fit.names]),
                notes=[*notes, *fit.notes], **values, **common)


def _exact_row(s: _Data, rows: list[dict], settings: AnalysisSettings,
               multiplier: float) -> dict | None:
    """``rate_ratio_exact`` when the single-series primary fails the events rule: the
    primary (``its_effect_end``, else ``rate_ratio_step``) has no estimate and the
    numerator sums to fewer than ``settings.min_events`` events before or after over the
    months it uses (all usable months), both periods have months with exposure and at
    least one event was recorded.  (A controlled primary, when one is estimable, passes
    the events rule on a subset of these months, so it never coexists with this row.)"""
    status = {r["method"]: r["status"] for r in rows}
    if status.get(ITS_PRIMARY) == "ok" or status.get(NAIVE_STEP) == "ok":
        return None
    before, after = _events(s)
    if before >= settings.min_events and after >= settings.min_events:
        return None
    post = s["post"] == 1
    e_before, e_after = float(s["exposure"][~post].sum()), float(s["exposure"][post].sum())
    if not (e_before > 0 and e_after > 0) or before + after < 1:
        return None
    if not (float(before).is_integer() and float(after).is_integer()):
        return None  # poisson.test counts events: whole numbers only
    exact = poisson_rate_ratio(after, e_after, before, e_before, alpha=settings.alpha)
    notes = [note("exact_rates"), note("events_counted", before=int(before), after=int(after))]
    if before == 0:
        notes.append(note("no_event_before"))
    return _row(EXACT, **_period(s, multiplier), estimate=exact["estimate"],
                ci_low=exact["ci_low"], ci_high=exact["ci_high"], p_value=exact["p_value"],
                notes=notes)


# --------------------------------------------------------------------------- rules


def _events(s: _Data) -> tuple[float, float]:
    after = s["post"] == 1
    num = s["numerator"]
    return float(num[~after].sum()), float(num[after].sum())


def _check_events(s: _Data, settings: AnalysisSettings) -> None:
    """The events rule: at least ``settings.min_events`` events before and after."""
    before, after = _events(s)
    if before < settings.min_events or after < settings.min_events:
        raise NotEstimable(note("too_few_events", before=before, after=after,
                                needed=settings.min_events))


def _check_months(s: _Data, least: int) -> None:
    after = int((s["post"] == 1).sum())
    before = len(s) - after
    if before < least or after < least:
        raise NotEstimable(note("too_few_months", needed=least, before=before, after=after))


def _check_varies(s: _Data) -> None:
    """A constant rate gives no rate ratio with an uncertainty."""
    rate = s["numerator"] / s["exposure"]
    if len(rate) and np.ptp(rate) <= 1e-12 * np.max(rate) and np.max(rate) > 0:
        raise NotEstimable(note("constant_rate"))


def _t0(s: _Data) -> float:
    """``t`` of the intervention month (``t - t_after`` of any month after it)."""
    after = s[s["post"] == 1]
    if len(after):
        return float(after["t"][0] - after["t_after"][0])
    return float(s["t"].max() + 1)  # every month is before: t0 lies past the data


def _period(s: _Data, multiplier: float) -> dict:
    """n and pooled rates (sum of numerators / sum of exposures) each side of ``post``."""
    after = s["post"] == 1
    num, exp_ = s["numerator"], s["exposure"]
    out = {"n_pre": int((~after).sum()), "n_post": int(after.sum())}
    for key, mask in (("pre_value", ~after), ("post_value", after)):
        out[key] = (num[mask].sum() / exp_[mask].sum() * multiplier) if mask.any() else np.nan
    return out


# --------------------------------------------------------------------------- lines


def _empty_lines() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object if c == "month" else float)
                         for c in LINE_COLUMNS})


def _lines(s: _Data, fit: RateFit, multiplier: float) -> pd.DataFrame:
    terms = [n for n in fit.names if n in MODEL_TERMS]
    X, _ = _design(s, terms)
    beta = fit.params
    Xc, _ = _design(s.assign(post=np.zeros(len(s)), t_after=np.zeros(len(s))), terms)
    return pd.DataFrame({
        "month": s["month"],
        "observed": s["numerator"] / s["exposure"] * multiplier,
        "fitted": np.exp(X @ beta) * multiplier,
        "counterfactual": np.exp(Xc @ beta) * multiplier,
    })


def its_lines(series: pd.DataFrame, intervention_month: str, *, multiplier: float = 1.0,
              settings: AnalysisSettings = PLAN) -> pd.DataFrame:
    """Observed rates, the fitted segmented trend and the counterfactual, for charts.

    The counterfactual continues the pre-intervention trend (``post`` and ``t_after`` set
    to 0), keeping the eid term, as in Lopez Bernal et al. (2017, Fig. 2); at the last
    month, fitted over counterfactual is ``its_effect_end``.  Rates are multiplied by
    ``multiplier``.  Returns an empty frame (columns :data:`LINE_COLUMNS`) when the
    segmented model cannot be fitted.  :func:`kpi_fit` gives these lines together with the
    effects.
    """
    s, _ = _prepare(series, intervention_month)
    if s.empty:
        return _empty_lines()
    try:
        fit, _ = _its_model(s, settings, least=settings.min_months_its)
    except NotEstimable:
        return _empty_lines()
    return _lines(s, fit, multiplier)


__all__ = ["EFFECT_COLUMNS", "ITS_SENSITIVITY", "KPI_METHODS", "LINE_COLUMNS", "KpiFit",
           "its_lines", "kpi_effects", "kpi_fit"]
