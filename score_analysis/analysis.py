"""Assemble the results table (SPEC §6, §7): one row per enterprise, indicator and method.

The functions here call the statistical methods of :mod:`models` and
:mod:`comparisons` on one enterprise's slice of the indicators, mark the
primary result of each indicator, adjust for multiplicity within the
enterprise and judge the direction of each result.
"""

from __future__ import annotations

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
from .contract import INDICATORS, RESULT_COLUMNS, WAVES
from .models import EFFECT_COLUMNS, its_lines, kpi_effects

#: Smallest group shown from the worker survey (privacy, SPEC §6).
MIN_CELL = 5
ALPHA = 0.05

#: Diagnostic columns kept beside the §7 columns in data/processed/results.parquet.
EXTRA_COLUMNS = ("std_error", "dispersion", "durbin_watson", "ljung_box_p", "hac_lag", "terms",
                 "statistic", "df", "exact")
INTERNAL_COLUMNS = RESULT_COLUMNS + EXTRA_COLUMNS


def _rows(frame: pd.DataFrame, **fixed) -> pd.DataFrame:
    out = frame.copy()
    for key, value in fixed.items():
        out[key] = value
    if "status" not in out.columns:
        out["status"] = "ok"
    if "note" not in out.columns:
        out["note"] = ""
    for col in INTERNAL_COLUMNS:
        if col not in out.columns:
            out[col] = np.nan
    return out[list(INTERNAL_COLUMNS)]


def _empty_row(method: str, status: str, note: str, **fixed) -> pd.DataFrame:
    row = dict.fromkeys(INTERNAL_COLUMNS, np.nan)
    row.update(method=method, status=status, note=note, **fixed)
    return pd.DataFrame([row], columns=list(INTERNAL_COLUMNS))


# --------------------------------------------------------------------------- KPIs


def kpi_results(monthly: pd.DataFrame, enterprise: pd.Series, *,
                harmonic: bool = False) -> pd.DataFrame:
    """KPI model rows of one enterprise: every §5 indicator × every KPI method."""
    eid = enterprise["enterprise_id"]
    own = monthly[monthly["enterprise_id"] == eid]
    frames = []
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
        effects = kpi_effects(series, enterprise["intervention_month"], harmonic=harmonic,
                              multiplier=ind.multiplier)
        frames.append(_rows(effects[list(EFFECT_COLUMNS)], **fixed))
    return pd.concat(frames, ignore_index=True)


def kpi_lines(monthly: pd.DataFrame, enterprise: pd.Series, *,
              harmonic: bool = False) -> pd.DataFrame:
    """Observed, fitted and counterfactual monthly values of every indicator (for charts)."""
    eid = enterprise["enterprise_id"]
    own = monthly[monthly["enterprise_id"] == eid]
    frames = []
    for ind in INDICATORS.values():
        series = own[own["indicator"] == ind.name]
        if series.empty:
            continue
        lines = its_lines(series, enterprise["intervention_month"], harmonic=harmonic,
                          multiplier=ind.multiplier)
        if lines.empty:
            lines = series[["month"]].assign(observed=series["value"].to_numpy(),
                                             fitted=np.nan, counterfactual=np.nan)
        frames.append(lines.assign(enterprise_id=eid, indicator=ind.name))
    if not frames:
        return pd.DataFrame(columns=["enterprise_id", "indicator", "month", "observed", "fitted",
                                     "counterfactual"])
    out = pd.concat(frames, ignore_index=True)
    return out[["enterprise_id", "indicator", "month", "observed", "fitted", "counterfactual"]]


# --------------------------------------------------------------------------- 5S


def five_s_results(items: pd.DataFrame, enterprise: pd.Series) -> pd.DataFrame:
    """5S rows of one enterprise: paired_t and wilcoxon_signed_rank on item percentages
    matched by area, pillar and item between the first and last audit, and friedman
    across all audits when there are at least three."""
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
        note = "needs at least two audits (first and last) to compare"
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
                                     "needs at least 2 items scored in every audit", **fixed))
        else:
            frames.append(_rows(friedman(complete), **fixed))
    out = pd.concat(frames, ignore_index=True)
    out["estimate_scale"] = out["estimate_scale"].where(out["method"] != "friedman", None)
    return out


# --------------------------------------------------------------------------- survey


def survey_results(scores: pd.DataFrame, enterprise: pd.Series,
                   constructs: list[str]) -> pd.DataFrame:
    """Survey rows of one enterprise, per construct: paired tests when at least
    :data:`MIN_CELL` respondents are matched by ``respondent_id``, otherwise
    unmatched tests; a comparison with a group under :data:`MIN_CELL` is
    ``suppressed`` and carries no numbers."""
    eid = enterprise["enterprise_id"]
    own = scores[(scores["enterprise_id"] == eid) & scores["score"].notna()]
    frames = []
    for construct in constructs:
        fixed = {"enterprise_id": eid, "domain": "survey", "indicator": construct,
                 "estimate_scale": "difference"}
        sub = own[own["construct"] == construct]
        base = sub[sub["wave"] == WAVES[0]]
        follow = sub[sub["wave"] == WAVES[1]]
        coded_b = base.dropna(subset=["respondent_id"]).set_index("respondent_id")["score"]
        coded_f = follow.dropna(subset=["respondent_id"]).set_index("respondent_id")["score"]
        matched = coded_b.index.intersection(coded_f.index)
        if len(matched) >= MIN_CELL:
            b, f = coded_b.loc[matched].to_numpy(), coded_f.loc[matched].to_numpy()
            frames.append(_rows(paired_t(b, f, alpha=ALPHA), **fixed))
            frames.append(_rows(wilcoxon_signed_rank(b, f), **fixed))
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
            note = (f"unmatched comparison: only {len(matched)} respondent(s) could be matched "
                    f"across waves")
            frames.append(_rows(welch_t(b, f, alpha=ALPHA), note=note, **fixed))
            frames.append(_rows(mann_whitney(b, f), note=note, **fixed))
            continue
        frames += [_empty_row(m, status, note, **fixed) for m in ("welch_t", "mann_whitney")]
    if not frames:
        return pd.DataFrame(columns=list(INTERNAL_COLUMNS))
    return pd.concat(frames, ignore_index=True)


def survey_reliability(answers: pd.DataFrame, enterprise_id: str) -> pd.DataFrame:
    """Cronbach's alpha per construct and wave (complete cases); ``suppressed`` when
    fewer than :data:`MIN_CELL` complete cases."""
    own = answers[answers["enterprise_id"] == enterprise_id]
    rows = []
    for (construct, wave), sub in own.groupby(["construct", "wave"], sort=True):
        wide = sub.pivot_table(index="response", columns="item_id", values="answer")
        complete = wide.dropna()
        n = len(complete)
        status = "ok" if n >= MIN_CELL else "suppressed"
        rows.append({"enterprise_id": enterprise_id, "construct": construct, "wave": wave,
                     "n_complete": n if status == "ok" else np.nan, "n_items": wide.shape[1],
                     "alpha": cronbach_alpha(complete) if status == "ok" else np.nan,
                     "status": status})
    return pd.DataFrame(rows, columns=["enterprise_id", "construct", "wave", "n_complete",
                                       "n_items", "alpha", "status"])


# --------------------------------------------------------------------------- assembly


def primary_method(rows: pd.DataFrame) -> pd.Series:
    """Whether each row is its indicator's primary result (SPEC §6)."""
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
    """Add ``p_holm`` and ``q_bh`` over the enterprise's estimable primary results, and
    ``direction`` (SPEC §7).

    Holm (1979): ordered :math:`p_{(i)}`, :math:`\\tilde p_{(i)} = \\max_{j\\le i}
    \\min(1, (m-j+1)p_{(j)})`; Benjamini & Hochberg (1995):
    :math:`q_{(i)} = \\min_{j\\ge i} \\min(1, m p_{(j)}/j)`.
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
    """+1 when higher is better, -1 when lower is better."""
    if domain == "kpi":
        return INDICATORS[indicator].good_direction
    return +1


def direction(row) -> str | float:
    """improved / worsened / inconclusive from the (Holm-adjusted) p and the good direction."""
    if row.status != "ok":
        return np.nan
    p = row.p_holm if row.primary else row.p_value
    if row.estimate_scale in ("rate_ratio", "slope_ratio"):
        sign = np.sign(np.log(row.estimate)) if row.estimate > 0 else np.nan
    elif np.isfinite(row.estimate):
        sign = np.sign(row.estimate)
    else:
        sign = np.sign(row.post_value - row.pre_value)
    if not (np.isfinite(p) and np.isfinite(sign)) or p >= ALPHA or sign == 0:
        return "inconclusive"
    return "improved" if sign == good_direction(row.domain, row.indicator) else "worsened"


def enterprise_results(enterprise: pd.Series, *, monthly: pd.DataFrame, items: pd.DataFrame,
                       scores: pd.DataFrame, constructs: list[str],
                       harmonic: bool = False) -> pd.DataFrame:
    """Every results row of one enterprise, with primary flags, Holm, BH and direction.

    Returns the internal table (:data:`INTERNAL_COLUMNS`); its first
    :data:`~score_analysis.contract.RESULT_COLUMNS` are ``results.csv``.
    """
    parts = [kpi_results(monthly, enterprise, harmonic=harmonic),
             five_s_results(items, enterprise),
             survey_results(scores, enterprise, constructs)]
    rows = pd.concat([p for p in parts if not p.empty], ignore_index=True)
    rows["data_source"] = enterprise["data_source"]
    rows["primary"] = primary_method(rows)
    suppressed = rows["status"] == "suppressed"
    numbers = [c for c in ("n_pre", "n_post", "pre_value", "post_value", "estimate", "ci_low",
                           "ci_high", "p_value", "effect_size", "statistic", "df", "std_error")]
    rows.loc[suppressed, numbers] = np.nan
    return adjusted(rows)[list(INTERNAL_COLUMNS)]
