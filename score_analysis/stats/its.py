r"""The rows of the KPI models of the statistical analysis plan, version 2
(docs/analysis_plan.md §3); the model itself is in :mod:`.rate_model`.

Every monthly KPI is a rate, numerator / exposure.  Every model is a GLM with a log
link, quasi-Poisson family, the numerator as the response and ``log(exposure)`` as
offset.  Version 2 of the plan fixes how uncertainty is measured:

* the dispersion is the Pearson :math:`X^2/(n-p)` **floored at 1**, so an interval is
  never narrower than the Poisson one;
* the standard error of every coefficient and of every linear combination is the
  **larger** of the model-based one (with that dispersion) and the Newey-West one
  (``sandwich::NeweyWest(fit, lag = L, prewhite = FALSE, adjust = TRUE)``,
  :math:`L = \lfloor 4 (n/100)^{2/9} \rfloor`), with Wald intervals and p-values on
  the normal quantile;
* a model is fitted only when its numerator sums to at least :data:`MIN_EVENTS` over
  the months before and over the months after that it uses (the events rule).

Rows returned by :func:`kpi_effects` (one per method, :data:`KPI_METHODS`):

``its_level``, ``its_slope``, ``its_effect_end``
    segmented regression ``num ~ t + post + t_after [+ eid]``: the step at the
    programme start ``exp(b_post)``, the change of the monthly trend
    ``exp(b_t_after)`` and the fitted-over-counterfactual ratio at the last month
    ``exp(b_post + b_t_after (t_last - t0))``.  At least 6 months before and 6 after.
``rate_ratio_step``
    ``num ~ post [+ eid]``: the naive before/after ratio, a sensitivity row (3 + 3 months).
``its_level_harmonic``, ``its_level_phase_in``, ``its_level_no_eid``, ``placebo_level``
    sensitivity rows of ``its_level``: with two sine/cosine pairs of the calendar month;
    without the three months of phase-in (the step then measured at t0 + 3); without the
    Idul Fitri months; and a placebo start halfway through the months before the
    programme (expected near 1).

References
----------
Lopez Bernal J, Cummins S, Gasparrini A (2017). Interrupted time series regression for
the evaluation of public health interventions: a tutorial. Int J Epidemiol
46(1):348-355. doi:10.1093/ije/dyw098.

Wagner AK, Soumerai SB, Zhang F, Ross-Degnan D (2002). Segmented regression analysis of
interrupted time series studies in medication use research. J Clin Pharm Ther
27(4):299-309.

Newey WK, West KD (1987). A simple, positive semi-definite, heteroskedasticity and
autocorrelation consistent covariance matrix. Econometrica 55(3):703-708; Newey WK, West
KD (1994). Automatic lag selection in covariance matrix estimation. Rev Econ Stud
61(4):631-653; Zeileis A (2004). Econometric computing with HC and HAC covariance matrix
estimators. J Stat Softw 11(10).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .rate_model import (
    MODEL_TERMS,
    RateFit,
    _Data,
    _design,
    _fit,
    _month_number,
    _NoFit,
    _prepare,
    _wald,
    its_diagnostics,
)

MIN_STEP = 3  # months before and after for rate_ratio_step
MIN_ITS = 6  # months before and after for the segmented regression
MIN_PLACEBO = 4  # months each side of the placebo start
MIN_EVENTS = 10  # events before and after that a model needs (the events rule)
PHASE_IN = 3  # months left out after the programme start by its_level_phase_in


#: The KPI methods of the plan, in the order of the results table.
KPI_METHODS = ("its_level", "its_slope", "its_effect_end", "rate_ratio_step",
               "its_level_harmonic", "its_level_phase_in", "its_level_no_eid", "placebo_level")
#: The sensitivity rows of ``its_level`` ("How robust is this?"), in the order shown.
SENSITIVITY_METHODS = ("its_level_harmonic", "its_level_phase_in", "its_level_no_eid",
                       "rate_ratio_step", "placebo_level")

#: Columns of the frame returned by :func:`kpi_effects`.
EFFECT_COLUMNS = (
    "method", "status", "n_pre", "n_post", "pre_value", "post_value", "estimate",
    "estimate_scale", "se", "ci_low", "ci_high", "p_value", "dispersion", "raw_dispersion",
    "se_model", "se_newey_west", "durbin_watson", "ljung_box_p", "hac_lag", "terms", "note",
)

#: Columns of the frame returned by :func:`its_lines`.
LINE_COLUMNS = ("month", "observed", "fitted", "counterfactual")
_SCALES = dict.fromkeys(KPI_METHODS, "rate_ratio") | {"its_slope": "slope_ratio"}


@dataclass(frozen=True)
class KpiFit:
    """Effects and chart lines of one monthly rate, from a single set of model fits.

    ``records`` are the rows of :func:`kpi_effects` as dicts and ``effects`` the same as a
    frame; ``lines`` is the frame of :func:`its_lines` (empty when the segmented model
    cannot be fitted).
    """

    records: tuple[dict, ...]
    lines: pd.DataFrame

    @property
    def effects(self) -> pd.DataFrame:
        return pd.DataFrame(list(self.records), columns=list(EFFECT_COLUMNS))



def _events(s: _Data) -> tuple[float, float]:
    after = s["post"] == 1
    num = s["numerator"]
    return float(num[~after].sum()), float(num[after].sum())


def _fmt_events(x: float) -> str:
    return f"{x:g}"


def _check_events(s: _Data) -> None:
    """The events rule: at least :data:`MIN_EVENTS` events before and after."""
    before, after = _events(s)
    if before < MIN_EVENTS or after < MIN_EVENTS:
        raise _NoFit(f"too few events ({_fmt_events(before)} before, {_fmt_events(after)} "
                     f"after; a model needs {MIN_EVENTS} on each side)")


def _check_months(s: _Data, least: int, what: str = "") -> None:
    after = int((s["post"] == 1).sum())
    before = len(s) - after
    if before < least or after < least:
        raise _NoFit(f"needs at least {least} months before and {least} after{what}; "
                     f"has {before} before and {after} after")


def _degenerate(s: _Data) -> str | None:
    """Why a series cannot give a rate ratio (a constant rate), or None."""
    rate = s["numerator"] / s["exposure"]
    if len(rate) and np.ptp(rate) <= 1e-12 * np.max(rate) and np.max(rate) > 0:
        return ("the rate is the same in every month: no variation, so no uncertainty can "
                "be estimated")
    return None


def _row(method: str, **values) -> dict:
    row = dict.fromkeys(EFFECT_COLUMNS, np.nan)
    row.update(method=method, status="ok", note="", terms="", estimate_scale=_SCALES[method])
    row.update(values)
    return row


def _joined(*notes: str) -> str:
    return "; ".join(n for n in notes if n)


def _eid_terms(s: _Data, eid: bool) -> list[str]:
    """The eid rule (plan v2): the term enters a model whose months include at least one
    eid month and at least one other month."""
    if not eid or s.empty:
        return []
    flags = s["eid"]
    return ["eid"] if (flags == 1).any() and (flags == 0).any() else []


def _period(s: _Data, multiplier: float) -> dict:
    """n and pooled rates (sum of numerators / sum of exposures) each side of ``post``."""
    after = s["post"] == 1
    num, exp_ = s["numerator"], s["exposure"]
    out = {"n_pre": int((~after).sum()), "n_post": int(after.sum())}
    for key, mask in (("pre_value", ~after), ("post_value", after)):
        out[key] = (num[mask].sum() / exp_[mask].sum() * multiplier) if mask.any() else np.nan
    return out


def kpi_fit(series: pd.DataFrame, intervention_month: str, *, eid: bool = True,
            multiplier: float = 1.0, alpha: float = 0.05) -> KpiFit:
    """Effects (:func:`kpi_effects`) and chart lines (:func:`its_lines`) of one monthly rate,
    fitting each model once.  Parameters as for :func:`kpi_effects`."""
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must lie between 0 and 1, got {alpha}")
    if not np.isfinite(multiplier) or multiplier <= 0:
        raise ValueError(f"multiplier must be a positive number, got {multiplier}")
    s, left_out = _prepare(series, intervention_month)
    gap_note = (f"{left_out} month(s) without a numerator or a non-zero exposure left out"
                if left_out else "")
    if s.empty:
        rows = [_row(m, status="not_reported", n_pre=0, n_post=0,
                     note="no month with both numerator and a non-zero exposure")
                for m in KPI_METHODS]
        return KpiFit(tuple(rows), _empty_lines())
    rows, its = _its_rows(s, eid, alpha, multiplier)
    rows.append(_step_row(s, eid, alpha, multiplier))
    rows.append(_variant_row("its_level_harmonic", s, eid, alpha, multiplier, harmonic=True))
    rows.append(_phase_in_row(s, eid, alpha, multiplier))
    rows.append(_no_eid_row(s, alpha, multiplier))
    rows.append(_placebo_row(s, eid, alpha, multiplier))
    for row in rows:
        row["note"] = _joined(row["note"], gap_note)
    lines = _lines(s, its, multiplier) if its is not None else _empty_lines()
    return KpiFit(tuple(rows), lines)


def kpi_effects(series: pd.DataFrame, intervention_month: str, *, eid: bool = True,
                multiplier: float = 1.0, alpha: float = 0.05) -> pd.DataFrame:
    r"""Effects of the programme on one monthly rate (plan version 2).

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
    eid
        Allow the Idul Fitri indicator.  It enters every model whose months include at
        least one eid month and at least one other month.
    multiplier
        Scale of ``pre_value`` and ``post_value`` (e.g. 100 for %).
    alpha
        1 - confidence level of the Wald intervals.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`EFFECT_COLUMNS`, one row per method of :data:`KPI_METHODS`.
        ``status`` is ``ok``, ``insufficient_data`` (with a ``note`` saying what is
        missing; ``pre_value``/``post_value`` still given) or ``not_reported`` (no usable
        month at all).  ``se`` is the standard error used, on the log scale.

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
    ``its_level`` = :math:`e^{\beta_2}`, ``its_slope`` = :math:`e^{\beta_3}`,
    ``its_effect_end`` = :math:`e^{\beta_2 + \beta_3 (t_{last} - t_0)}`.  For each
    :math:`c^\top\beta`, :math:`\mathrm{se} = \max(\mathrm{se}_{model},
    \mathrm{se}_{NW})`; 95% CI :math:`\exp(c^\top\hat\beta \pm 1.96\,\mathrm{se})`, p
    from :math:`z = c^\top\hat\beta/\mathrm{se}`.  R:
    ``fit <- glm(num ~ t + post + t_after + eid + offset(log(exposure)), quasipoisson)``;
    ``V <- sandwich::NeweyWest(fit, lag = L, prewhite = FALSE, adjust = TRUE)``;
    ``se <- pmax(sqrt(diag(vcov(fit)) * max(1, phi) / phi), sqrt(diag(V)))``.

    References
    ----------
    Lopez Bernal, Cummins & Gasparrini (2017), Int J Epidemiol 46:348-355;
    Newey & West (1987) Econometrica 55:703-708; Zeileis A (2004) J Stat Softw 11(10).
    """
    return kpi_fit(series, intervention_month, eid=eid, multiplier=multiplier,
                   alpha=alpha).effects


def _frame(rows: list[dict]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=list(EFFECT_COLUMNS))


def _empty_lines() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object if c == "month" else float)
                         for c in LINE_COLUMNS})


_ITS = ["t", "post", "t_after"]


def _label(terms: list[str], harmonic: bool = False) -> str:
    return " + ".join([*terms, *(["harmonic"] if harmonic else [])])


def _its_model(s: _Data, eid: bool, *, harmonic: bool = False,
               least: int = MIN_ITS, what: str = "") -> tuple[RateFit, list[str]]:
    """The fitted segmented regression and its terms, or :class:`_NoFit` saying why not."""
    _check_months(s, least, what=what)
    _check_events(s)
    why = _degenerate(s)
    if why:
        raise _NoFit(why)
    terms = [*_ITS, *_eid_terms(s, eid)]
    return _fit(s, terms, harmonic=harmonic), terms


def _its_rows(s: _Data, eid: bool, alpha: float,
              multiplier: float) -> tuple[list[dict], RateFit | None]:
    common = _period(s, multiplier)
    label = _label([*_ITS, *_eid_terms(s, eid)])
    methods = ("its_level", "its_slope", "its_effect_end")
    try:
        fit, terms = _its_model(s, eid)
        label = _label([t for t in terms if t in fit.names])
        diag = its_diagnostics(fit)
        span = float(s["t_after"].max())
        weights = ({"post": 1.0}, {"t_after": 1.0}, {"post": 1.0, "t_after": span})
        rows = [_row(m, terms=label, note=fit.note, **_wald(fit, w, alpha), **diag, **common)
                for m, w in zip(methods, weights, strict=True)]
        rows[2]["note"] = _joined(f"at the last month, {int(span)} months after the start",
                                  rows[2]["note"])
        return rows, fit
    except _NoFit as exc:
        return [_row(m, status="insufficient_data", terms=label, note=str(exc), **common)
                for m in methods], None


def _level_row(method: str, s: _Data, eid: bool, alpha: float, multiplier: float, *,
               harmonic: bool = False, least: int = MIN_ITS, what: str = "",
               note: str = "") -> dict:
    """An ``its_level``-type row (exp(b_post)) of the segmented model on ``s``."""
    common = _period(s, multiplier)
    label = _label([*_ITS, *_eid_terms(s, eid)], harmonic)
    try:
        fit, terms = _its_model(s, eid, harmonic=harmonic, least=least, what=what)
        label = _label([t for t in terms if t in fit.names], harmonic)
        return _row(method, terms=label, note=_joined(note, fit.note),
                    **_wald(fit, {"post": 1.0}, alpha), **its_diagnostics(fit), **common)
    except _NoFit as exc:
        return _row(method, status="insufficient_data", terms=label,
                    note=_joined(note, str(exc)), **common)


def _variant_row(method: str, s, eid, alpha, multiplier, *, harmonic: bool) -> dict:
    return _level_row(method, s, eid, alpha, multiplier, harmonic=harmonic,
                      note="sensitivity: two sine/cosine pairs of the calendar month")


def _step_row(s: _Data, eid: bool, alpha: float, multiplier: float) -> dict:
    common = _period(s, multiplier)
    terms = ["post", *_eid_terms(s, eid)]
    note = "sensitivity: the naive before/after ratio, which ignores any trend"
    try:
        _check_months(s, MIN_STEP)
        _check_events(s)
        why = _degenerate(s)
        if why:
            raise _NoFit(why)
        fit = _fit(s, terms)
        return _row("rate_ratio_step", terms=_label([t for t in terms if t in fit.names]),
                    note=_joined(note, fit.note), **_wald(fit, {"post": 1.0}, alpha), **common)
    except _NoFit as exc:
        return _row("rate_ratio_step", status="insufficient_data", terms=_label(terms),
                    note=_joined(note, str(exc)), **common)


def _phase_in_row(s: _Data, eid: bool, alpha: float, multiplier: float) -> dict:
    t0 = _t0(s)
    start = t0 + PHASE_IN
    kept = s[(s["t"] < t0) | (s["t"] >= start)]
    kept = kept.assign(post=kept["t"] >= start, t_after=np.maximum(0.0, kept["t"] - start))
    return _level_row("its_level_phase_in", kept, eid, alpha,
                      multiplier, what=f" the {PHASE_IN} phase-in months",
                      note=f"sensitivity: the {PHASE_IN} months from the programme start left "
                           f"out; the step is the level once the programme is in place")


def _no_eid_row(s: _Data, alpha: float, multiplier: float) -> dict:
    kept = s[s["eid"] != 1]
    left = len(s) - len(kept)
    return _level_row("its_level_no_eid", kept, False, alpha, multiplier,
                      note=f"sensitivity: {left} Idul Fitri month(s) left out, no eid term")


def _t0(s: _Data) -> float:
    """``t`` of the intervention month (``t - t_after`` of any month after it)."""
    after = s[s["post"] == 1]
    if len(after):
        return float(after["t"][0] - after["t_after"][0])
    return float(s["t"].max() + 1)  # every month is before: t0 lies past the data


def _placebo_row(s: _Data, eid: bool, alpha: float, multiplier: float) -> dict:
    pre = s[s["post"] == 0]
    tp = float(pre["t"].min() + len(pre) // 2) if len(pre) else np.nan
    pre = pre.assign(post=pre["t"] >= tp, t_after=np.maximum(0.0, pre["t"] - tp))
    if len(pre):
        start_n = _month_number(s["month"][0], "month") + int(tp - s["t"][0])
        start = f"{start_n // 12:04d}-{start_n % 12 + 1:02d}"
        note = (f"placebo: a pretend start in {start}, halfway through the months before the "
                f"programme (expected near 1)")
    else:
        note = "placebo: no month before the programme"
    return _level_row("placebo_level", pre, eid, alpha, multiplier,
                      least=MIN_PLACEBO, what=" the pretend start", note=note)



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


def its_lines(series: pd.DataFrame, intervention_month: str, *, eid: bool = True,
              multiplier: float = 1.0) -> pd.DataFrame:
    """Observed rates, the fitted segmented trend and the counterfactual, for charts.

    The counterfactual continues the pre-intervention trend (``post`` and ``t_after`` set
    to 0), keeping the eid term, as in Lopez Bernal et al. (2017, Fig. 2).  Rates are
    multiplied by ``multiplier``.  Returns an empty frame (columns :data:`LINE_COLUMNS`)
    when the segmented model cannot be fitted.  :func:`kpi_fit` gives these lines
    together with the effects.
    """
    s, _ = _prepare(series, intervention_month)
    if s.empty:
        return _empty_lines()
    try:
        fit, _ = _its_model(s, eid)
    except _NoFit:
        return _empty_lines()
    return _lines(s, fit, multiplier)
