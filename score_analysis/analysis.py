"""Assemble the results table (SPEC §6, §7): one row per enterprise, indicator and method.

The functions here call the statistical methods of :mod:`models` and
:mod:`comparisons` on one enterprise's slice of the indicators, mark the
primary result of each indicator, adjust for multiplicity within the
enterprise and judge the direction of each result.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .comparisons import (
    cronbach_alpha,
    friedman,
    mann_whitney,
    paired_t,
    welch_t,
    wilcoxon_signed_rank,
)
from .contract import INDICATORS, MIN_CELL, RESULT_COLUMNS, WAVES
from .models import EFFECT_COLUMNS, LINE_COLUMNS, kpi_fit

#: Smallest group shown from the worker survey (privacy, SPEC §6).
ALPHA = 0.05

#: Diagnostic columns kept beside the §7 columns in data/processed/results.parquet.
EXTRA_COLUMNS = ("std_error", "dispersion", "durbin_watson", "ljung_box_p", "hac_lag", "terms",
                 "statistic", "df", "exact")
INTERNAL_COLUMNS = RESULT_COLUMNS + EXTRA_COLUMNS

#: Columns of :func:`kpi_lines`.
KPI_LINE_COLUMNS = ("enterprise_id", "indicator", *LINE_COLUMNS)

#: Columns of :func:`survey_reliability`.
RELIABILITY_COLUMNS = ("enterprise_id", "construct", "wave", "n_complete", "n_items", "alpha",
                       "status", "note")

#: Numbers blanked in a suppressed row (SPEC §6: no numbers shown anywhere).
SUPPRESSED_NUMBERS = ("n_pre", "n_post", "pre_value", "post_value", "estimate", "ci_low",
                      "ci_high", "p_value", "effect_size", "statistic", "df", "std_error")

#: Methods whose direction is read from the sign of the rank-biserial effect size.
RANK_METHODS = ("wilcoxon_signed_rank", "mann_whitney")


@dataclass(frozen=True)
class EnterpriseAnalysis:
    """Everything computed for one enterprise: the results rows (:data:`INTERNAL_COLUMNS`)
    and the KPI chart lines (:data:`KPI_LINE_COLUMNS`), from one fit of each model."""

    results: pd.DataFrame
    lines: pd.DataFrame


def _joined(*notes) -> str:
    return "; ".join(n for n in notes if isinstance(n, str) and n)


def _rows(frame: pd.DataFrame, *, extra_note: str = "", **fixed) -> pd.DataFrame:
    out = frame.copy()
    for key, value in fixed.items():
        out[key] = value
    if "status" not in out.columns:
        out["status"] = "ok"
    out["note"] = [_joined(n, extra_note) for n in out.get("note", [""] * len(out))]
    for col in INTERNAL_COLUMNS:
        if col not in out.columns:
            out[col] = np.nan
    return out[list(INTERNAL_COLUMNS)]


def _empty_row(method: str, status: str, note: str, **fixed) -> pd.DataFrame:
    row = dict.fromkeys(INTERNAL_COLUMNS, np.nan)
    row.update(method=method, status=status, note=note, **fixed)
    return pd.DataFrame([row], columns=list(INTERNAL_COLUMNS))


# --------------------------------------------------------------------------- KPIs


def _kpi_parts(monthly: pd.DataFrame, enterprise: pd.Series, *,
               harmonic: bool) -> tuple[pd.DataFrame, pd.DataFrame]:
    """KPI result rows and chart lines of one enterprise, each model fitted once."""
    eid = enterprise["enterprise_id"]
    own = monthly[monthly["enterprise_id"] == eid]
    frames, lines = [], []
    for ind in INDICATORS.values():
        series = own[own["indicator"] == ind.name]
        fixed = {"enterprise_id": eid, "domain": "kpi", "indicator": ind.name}
        if series.empty:
            note = (f"not tracked: no month with both {ind.numerator} and a non-zero "
                    f"{ind.exposure}")
            for method, scale in (("rate_ratio_step", "rate_ratio"),
                                  ("its_level", "rate_ratio"), ("its_slope", "slope_ratio")):
                frames.append(_empty_row(method, "not_reported", note, estimate_scale=scale,
                                         n_pre=0, n_post=0, **fixed))
            continue
        fit = kpi_fit(series, enterprise["intervention_month"], harmonic=harmonic,
                      multiplier=ind.multiplier)
        frames.append(_rows(fit.effects[list(EFFECT_COLUMNS)], **fixed))
        chart = fit.lines
        if chart.empty:
            chart = pd.DataFrame({"month": series["month"].to_numpy(),
                                  "observed": series["value"].to_numpy(float),
                                  "fitted": np.nan, "counterfactual": np.nan})
        lines.append(chart.assign(enterprise_id=eid, indicator=ind.name))
    line_frame = (pd.concat(lines, ignore_index=True)[list(KPI_LINE_COLUMNS)] if lines
                  else pd.DataFrame(columns=list(KPI_LINE_COLUMNS)))
    return pd.concat(frames, ignore_index=True), line_frame


def kpi_results(monthly: pd.DataFrame, enterprise: pd.Series, *,
                harmonic: bool = False) -> pd.DataFrame:
    """KPI model rows of one enterprise: every §5 indicator × every KPI method.

    ``monthly`` is :func:`score_analysis.indicators.monthly_indicators`; ``enterprise``
    a row of the enterprises table.  An indicator the enterprise does not track gets
    ``not_reported`` rows.
    """
    return _kpi_parts(monthly, enterprise, harmonic=harmonic)[0]


def kpi_lines(monthly: pd.DataFrame, enterprise: pd.Series, *,
              harmonic: bool = False) -> pd.DataFrame:
    """Observed, fitted and counterfactual monthly values of every tracked indicator, for
    charts (:data:`KPI_LINE_COLUMNS`); ``fitted`` and ``counterfactual`` are empty where
    the segmented model cannot be fitted.  :func:`enterprise_analysis` gives these lines
    with the results without fitting the models twice."""
    return _kpi_parts(monthly, enterprise, harmonic=harmonic)[1]


# --------------------------------------------------------------------------- 5S


def five_s_results(items: pd.DataFrame, enterprise: pd.Series) -> pd.DataFrame:
    """5S rows of one enterprise (SPEC §6).

    ``paired_t`` and ``wilcoxon_signed_rank`` on the item percentages matched by area,
    pillar and item between the first and the last audit (differences last minus first),
    and ``friedman`` across all audits on the items scored in every audit, when there are
    at least three audits.  ``items`` is :func:`score_analysis.indicators.five_s_items`.
    """
    eid = enterprise["enterprise_id"]
    fixed = {"enterprise_id": eid, "domain": "five_s", "indicator": "five_s_index",
             "estimate_scale": "difference"}
    own = items[items["enterprise_id"] == eid]
    dates = sorted(own["audit_date"].dropna().unique())
    methods = ("paired_t", "wilcoxon_signed_rank", "friedman")
    if len(dates) == 0:
        return pd.concat([_empty_row(m, "not_reported", "no 5S audit", **fixed)
                          for m in methods], ignore_index=True)
    key = ["area", "pillar", "item"]
    wide = own.pivot_table(index=key, columns="audit_date", values="pct", aggfunc="mean")
    frames = []
    if len(dates) < 2:
        note = "needs at least two audits (first and last) to compare; has 1"
        frames += [_empty_row(m, "insufficient_data", note, **fixed) for m in methods[:2]]
    else:
        pairs = wide[[dates[0], dates[-1]]].dropna()
        if len(pairs) < 2:
            note = (f"needs at least 2 items scored in both the first and the last audit; "
                    f"has {len(pairs)}")
            frames += [_empty_row(m, "insufficient_data", note, **fixed) for m in methods[:2]]
        else:
            before, after = pairs[dates[0]].to_numpy(), pairs[dates[-1]].to_numpy()
            frames.append(_rows(paired_t(before, after, alpha=ALPHA), **fixed))
            frames.append(_rows(wilcoxon_signed_rank(before, after), **fixed))
    if len(dates) < 3:
        frames.append(_empty_row("friedman", "insufficient_data",
                                 f"needs at least 3 audits; has {len(dates)}", **fixed))
    else:
        complete = wide[dates].dropna()
        if len(complete) < 2:
            frames.append(_empty_row("friedman", "insufficient_data",
                                     f"needs at least 2 items scored in every audit; has "
                                     f"{len(complete)}", **fixed))
        else:
            frames.append(_rows(friedman(complete), **fixed))
    out = pd.concat(frames, ignore_index=True)
    out["estimate_scale"] = out["estimate_scale"].where(out["method"] != "friedman", None)
    return out


# --------------------------------------------------------------------------- survey


def _by_respondent(wave: pd.DataFrame, label: str) -> pd.Series:
    coded = wave.dropna(subset=["respondent_id"])
    dup = coded["respondent_id"].duplicated()
    if dup.any():
        raise ValueError(f"respondent_id {coded.loc[dup, 'respondent_id'].iloc[0]!r} appears "
                         f"twice in the {label} survey of one construct")
    return coded.set_index("respondent_id")["score"]


def survey_results(scores: pd.DataFrame, enterprise: pd.Series,
                   constructs: list[str]) -> pd.DataFrame:
    """Survey rows of one enterprise, per construct (SPEC §6).

    With at least :data:`MIN_CELL` respondents matched by ``respondent_id`` across the
    waves: ``paired_t`` and ``wilcoxon_signed_rank`` on the matched scores.  Otherwise
    ``welch_t`` and ``mann_whitney`` on all scores of each wave.  A comparison in which
    a group has fewer than :data:`MIN_CELL` respondents is ``suppressed`` and carries
    no numbers.  ``scores`` is :func:`score_analysis.indicators.construct_scores`
    (respondents without a score for the construct are left out).
    """
    eid = enterprise["enterprise_id"]
    own = scores[(scores["enterprise_id"] == eid) & scores["score"].notna()]
    frames = []
    for construct in constructs:
        fixed = {"enterprise_id": eid, "domain": "survey", "indicator": construct,
                 "estimate_scale": "difference"}
        sub = own[own["construct"] == construct]
        base = sub[sub["wave"] == WAVES[0]]
        follow = sub[sub["wave"] == WAVES[1]]
        coded_b = _by_respondent(base, WAVES[0])
        coded_f = _by_respondent(follow, WAVES[1])
        matched = coded_b.index.intersection(coded_f.index)
        if len(matched) >= MIN_CELL:
            b, f = coded_b.loc[matched].to_numpy(), coded_f.loc[matched].to_numpy()
            note = (f"matched comparison of the {len(matched)} respondents present in both "
                    f"waves")
            frames.append(_rows(paired_t(b, f, alpha=ALPHA), extra_note=note, **fixed))
            frames.append(_rows(wilcoxon_signed_rank(b, f), extra_note=note, **fixed))
            continue
        if base.empty and follow.empty:
            note = "no survey answers for this construct"
            status = "not_reported"
        elif base.empty or follow.empty:
            note = f"no {'baseline' if base.empty else 'follow-up'} survey answers"
            status = "insufficient_data"
        elif len(base) < MIN_CELL or len(follow) < MIN_CELL:
            note = f"fewer than {MIN_CELL} respondents in a group: suppressed to protect privacy"
            status = "suppressed"
        else:
            b, f = base["score"].to_numpy(), follow["score"].to_numpy()
            note = (f"unmatched comparison: fewer than {MIN_CELL} respondents could be "
                    f"matched across waves")  # the small count itself is not shown
            frames.append(_rows(welch_t(b, f, alpha=ALPHA), extra_note=note, **fixed))
            frames.append(_rows(mann_whitney(b, f), extra_note=note, **fixed))
            continue
        frames += [_empty_row(m, status, note, **fixed) for m in ("welch_t", "mann_whitney")]
    if not frames:
        return pd.DataFrame(columns=list(INTERNAL_COLUMNS))
    return pd.concat(frames, ignore_index=True)


def survey_reliability(answers: pd.DataFrame, enterprise_id: str) -> pd.DataFrame:
    """Cronbach's alpha per construct and wave on the complete cases (SPEC §6).

    ``answers`` is :func:`score_analysis.indicators.survey_answers` (reverse-coded items
    already turned round).  ``status`` is ``suppressed`` (no numbers) with fewer than
    :data:`MIN_CELL` complete cases and ``insufficient_data`` (with a ``note``) when
    alpha is undefined (a single item, or no variance in the totals).  Columns
    :data:`RELIABILITY_COLUMNS`.
    """
    own = answers[answers["enterprise_id"] == enterprise_id]
    rows = []
    for (construct, wave), sub in own.groupby(["construct", "wave"], sort=True):
        wide = sub.pivot_table(index="response", columns="item_id", values="answer")
        complete = wide.dropna()
        n = len(complete)
        row = {"enterprise_id": enterprise_id, "construct": construct, "wave": wave,
               "n_complete": n, "n_items": wide.shape[1], "alpha": np.nan, "status": "ok",
               "note": ""}
        if n < MIN_CELL:
            row.update(n_complete=np.nan, status="suppressed",
                       note=f"fewer than {MIN_CELL} complete answers: suppressed to protect "
                            f"privacy")
        else:
            row["alpha"] = cronbach_alpha(complete)
            if not np.isfinite(row["alpha"]):
                row.update(status="insufficient_data",
                           note="alpha needs at least 2 items and some variance in the totals")
        rows.append(row)
    return pd.DataFrame(rows, columns=list(RELIABILITY_COLUMNS))


# --------------------------------------------------------------------------- assembly


def primary_method(rows: pd.DataFrame) -> pd.Series:
    """Whether each row is its indicator's primary result (SPEC §6).

    KPI: ``its_level`` when its status is ``ok``, else ``rate_ratio_step``; 5S:
    ``wilcoxon_signed_rank``; survey: the rank test (``wilcoxon_signed_rank`` when
    matched, else ``mann_whitney``).  The flag is set whatever the row's status.
    """
    primary = pd.Series(False, index=rows.index)
    for _, group in rows.groupby(["enterprise_id", "domain", "indicator"], sort=False):
        domain = group["domain"].iloc[0]
        methods = dict(zip(group["method"], group.index, strict=False))
        status = dict(zip(group["method"], group["status"], strict=False))
        if domain == "kpi":
            pick = "its_level" if status.get("its_level") == "ok" else "rate_ratio_step"
        else:
            pick = ("wilcoxon_signed_rank" if "wilcoxon_signed_rank" in methods
                    else "mann_whitney")
        if pick in methods:
            primary[methods[pick]] = True
    return primary


def adjusted(rows: pd.DataFrame) -> pd.DataFrame:
    r"""Add ``p_holm`` and ``q_bh`` over each enterprise's estimable primary results, and
    ``direction`` (SPEC §6, §7).  Returns a new frame.

    Within one enterprise, the :math:`m` primary rows with ``status = ok`` are adjusted
    together; other rows get no adjusted value.  Holm (1979), with ordered
    :math:`p_{(1)} \le \dots \le p_{(m)}`:
    :math:`\tilde p_{(i)} = \max_{j\le i} \min\{1, (m-j+1)p_{(j)}\}`;
    Benjamini & Hochberg (1995): :math:`q_{(i)} = \min_{j\ge i} \min\{1, m p_{(j)}/j\}`.
    R: ``p.adjust(p, "holm")``, ``p.adjust(p, "BH")``.

    References
    ----------
    Holm S (1979) Scand J Stat 6:65-70; Benjamini Y, Hochberg Y (1995) J R Stat Soc B
    57:289-300.
    """
    from statsmodels.stats.multitest import multipletests

    out = rows.copy()
    out["p_holm"] = np.nan
    out["q_bh"] = np.nan
    for _, group in out.groupby("enterprise_id", sort=False):
        mask = group["primary"] & (group["status"] == "ok") & group["p_value"].notna()
        idx = group.index[mask]
        if len(idx):
            p = out.loc[idx, "p_value"].to_numpy(float)
            out.loc[idx, "p_holm"] = multipletests(p, method="holm")[1]
            out.loc[idx, "q_bh"] = multipletests(p, method="fdr_bh")[1]
    out["direction"] = [direction(r) for r in out.itertuples(index=False)]
    return out


def good_direction(domain: str, indicator: str) -> int:
    """+1 when higher is better, -1 when lower is better (SPEC §5; 5S and survey: up)."""
    if domain == "kpi":
        return INDICATORS[indicator].good_direction
    return +1


def _sign(row) -> float:
    """The sign of the change a row measures (see :func:`direction`)."""
    if row.method in RANK_METHODS:
        return float(np.sign(row.effect_size))
    if row.method == "friedman":
        return float(np.sign(row.post_value - row.pre_value))
    if row.estimate_scale in ("rate_ratio", "slope_ratio"):
        return float(np.sign(np.log(row.estimate))) if row.estimate > 0 else np.nan
    return float(np.sign(row.estimate))


def direction(row) -> str | float:
    """``improved``, ``worsened`` or ``inconclusive`` for one results row (SPEC §7).

    Only rows with ``status = ok`` are judged; the others get no direction (``NaN``,
    an empty cell).  The p-value judged is ``p_holm`` for a primary row and
    ``p_value`` otherwise; the result is ``inconclusive`` unless it is below
    :data:`ALPHA`.  The sign of the change is: the log rate ratio (KPI rows); the mean
    difference (t tests); the rank-biserial effect size, i.e. the side the ranks fall
    on, for the rank tests (their median difference can be 0 while the ranks are
    lopsided); last audit mean minus first for ``friedman`` (an omnibus test: a
    significant result whose last audit is better than the first counts as improved).
    ``improved`` when that sign agrees with the indicator's good direction.
    """
    if row.status != "ok":
        return np.nan
    p = row.p_holm if row.primary else row.p_value
    sign = _sign(row)
    if not (np.isfinite(p) and np.isfinite(sign)) or p >= ALPHA or sign == 0:
        return "inconclusive"
    return "improved" if sign == good_direction(row.domain, row.indicator) else "worsened"


def enterprise_analysis(enterprise: pd.Series, *, monthly: pd.DataFrame, items: pd.DataFrame,
                        scores: pd.DataFrame, constructs: list[str],
                        harmonic: bool = False) -> EnterpriseAnalysis:
    """Every results row of one enterprise, with primary flags, Holm, BH and direction, and
    the KPI chart lines, fitting each model once.

    ``monthly``, ``items`` and ``scores`` are the tables of
    :mod:`score_analysis.indicators`; ``constructs`` the survey constructs of the
    codebook.  The results' first :data:`~score_analysis.contract.RESULT_COLUMNS` are
    ``results.csv``.
    """
    kpi_rows, lines = _kpi_parts(monthly, enterprise, harmonic=harmonic)
    parts = [kpi_rows, five_s_results(items, enterprise),
             survey_results(scores, enterprise, constructs)]
    rows = pd.concat([p for p in parts if not p.empty], ignore_index=True)
    rows["data_source"] = enterprise["data_source"]
    rows["primary"] = primary_method(rows)
    suppressed = rows["status"] == "suppressed"
    rows.loc[suppressed, list(SUPPRESSED_NUMBERS)] = np.nan
    return EnterpriseAnalysis(adjusted(rows)[list(INTERNAL_COLUMNS)], lines)


def enterprise_results(enterprise: pd.Series, *, monthly: pd.DataFrame, items: pd.DataFrame,
                       scores: pd.DataFrame, constructs: list[str],
                       harmonic: bool = False) -> pd.DataFrame:
    """The results rows of :func:`enterprise_analysis` (:data:`INTERNAL_COLUMNS`)."""
    return enterprise_analysis(enterprise, monthly=monthly, items=items, scores=scores,
                               constructs=constructs, harmonic=harmonic).results
