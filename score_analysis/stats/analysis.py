"""Assemble the results table of analysis plan version 2 (docs/analysis_plan.md §3-§5):
one row per enterprise, indicator and method.

The functions here call the statistical methods of :mod:`models` and
:mod:`comparisons` on one enterprise's slice of the indicators, mark the single primary
result of each indicator, adjust the primary results for multiplicity within the
enterprise and judge the direction of each primary result.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..data.contract import MIN_CELL, PILLARS, WAVES
from .comparisons import (
    cronbach_alpha,
    friedman,
    mann_whitney,
    paired_t,
    welch_t,
    wilcoxon_signed_rank,
)
from .decisions import DESCRIPTIVE_METHODS, in_holm_family
from .indicators import INDICATORS
from .its import LINE_COLUMNS, kpi_fit
from .outputs import RESULT_COLUMNS

ALPHA = 0.05

#: Diagnostic columns kept beside the results.csv columns in data/processed/results.parquet.
EXTRA_COLUMNS = ("dispersion", "raw_dispersion", "se_model", "se_newey_west", "durbin_watson",
                 "ljung_box_p", "hac_lag", "terms", "statistic", "df", "exact")
INTERNAL_COLUMNS = RESULT_COLUMNS + EXTRA_COLUMNS

#: Columns of :func:`kpi_lines`.
KPI_LINE_COLUMNS = ("enterprise_id", "indicator", *LINE_COLUMNS)

#: Columns of :func:`survey_reliability`.
RELIABILITY_COLUMNS = ("enterprise_id", "construct", "wave", "n_complete", "n_items", "alpha",
                       "status", "note")

#: Columns of :func:`survey_attrition`.
ATTRITION_COLUMNS = ("enterprise_id", "construct", "n_baseline", "n_followup", "n_matched",
                     "baseline_mean_stayed", "baseline_mean_left", "status", "note")

#: Numbers blanked in a suppressed row (no numbers shown anywhere).
SUPPRESSED_NUMBERS = ("n_pre", "n_post", "pre_value", "post_value", "estimate", "se", "ci_low",
                      "ci_high", "p_value", "effect_size", "statistic", "df")

#: The note of the secondary 5S tests (plan v2).
FIVE_S_NOTE = ("checklist items of one audit are not independent: a description of "
               "consistency, not evidence of an effect")


@dataclass(frozen=True)
class EnterpriseAnalysis:
    """Everything computed for one enterprise: the results rows (:data:`INTERNAL_COLUMNS`)
    and the KPI chart lines (:data:`KPI_LINE_COLUMNS`), from one fit of each model."""

    results: pd.DataFrame
    lines: pd.DataFrame


def _joined(*notes) -> str:
    return "; ".join(n for n in notes if isinstance(n, str) and n)


def _record(values: dict, *, primary: bool, extra_note: str = "", **fixed) -> dict:
    row = dict.fromkeys(INTERNAL_COLUMNS, np.nan)
    row.update({k: v for k, v in values.items() if k in row})
    row.update(fixed)
    row["primary"] = primary
    if not isinstance(row.get("status"), str):
        row["status"] = "ok"
    row["note"] = _joined(values.get("note", ""), extra_note)
    return row


def _test(frame: pd.DataFrame, *, primary: bool, extra_note: str = "", **fixed) -> dict:
    return _record(frame.iloc[0].to_dict(), primary=primary, extra_note=extra_note, **fixed)


def _empty(method: str, status: str, note: str, *, primary: bool, **fixed) -> dict:
    return _record({"method": method, "status": status, "note": note}, primary=primary,
                   **fixed)


def _frame(rows: list[dict]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=list(INTERNAL_COLUMNS))


# --------------------------------------------------------------------------- KPIs


def _kpi_parts(monthly: pd.DataFrame, enterprise: pd.Series) -> tuple[list[dict], pd.DataFrame]:
    """KPI result rows and chart lines of one enterprise, each model fitted once."""
    eid = enterprise["enterprise_id"]
    own = monthly[monthly["enterprise_id"] == eid]
    months = set(own["month"]) if "month" in own else set()
    by_indicator = dict(tuple(own.groupby("indicator", sort=False))) if len(own) else {}
    rows, lines = [], []
    for ind in INDICATORS.values():
        series = by_indicator.get(ind.name, own.iloc[:0])
        fixed = {"enterprise_id": eid, "domain": "kpi", "indicator": ind.name}
        if series.empty:
            rows.append(_empty("its_level", "not_reported",
                               f"not tracked: no month with both {ind.numerator} and a "
                               f"non-zero {ind.exposure}", primary=False,
                               estimate_scale="rate_ratio", n_pre=0, n_post=0, **fixed))
            continue
        fit = kpi_fit(series, enterprise["intervention_month"], multiplier=ind.multiplier)
        left = len(months - set(series["month"]))
        gap = (f"{left} month(s) of the enterprise's records without {ind.numerator} or "
               f"with no {ind.exposure} left out" if left else "")
        effects = list(fit.records)
        status = {r["method"]: r["status"] for r in effects}
        primary = ("its_level" if status["its_level"] == "ok" else
                   "rate_ratio_step" if status["rate_ratio_step"] == "ok" else "its_level")
        rows += [_record(r, primary=r["method"] == primary, extra_note=gap, **fixed)
                 for r in effects]
        chart = fit.lines
        if chart.empty:
            chart = pd.DataFrame({"month": series["month"].to_numpy(),
                                  "observed": series["value"].to_numpy(float),
                                  "fitted": np.nan, "counterfactual": np.nan})
        lines.append(chart.assign(enterprise_id=eid, indicator=ind.name))
    line_frame = (pd.concat(lines, ignore_index=True)[list(KPI_LINE_COLUMNS)] if lines
                  else pd.DataFrame(columns=list(KPI_LINE_COLUMNS)))
    return rows, line_frame


def kpi_results(monthly: pd.DataFrame, enterprise: pd.Series) -> pd.DataFrame:
    """KPI model rows of one enterprise: every tracked indicator × every KPI method of
    :data:`score_analysis.stats.models.KPI_METHODS`, with the primary flag.

    ``monthly`` is :func:`score_analysis.stats.indicators.monthly_indicators`; ``enterprise``
    a row of the enterprises table.  An indicator the enterprise does not track gets one
    ``not_reported`` row (``its_level``, not primary).
    """
    return _frame(_kpi_parts(monthly, enterprise)[0])


def kpi_lines(monthly: pd.DataFrame, enterprise: pd.Series) -> pd.DataFrame:
    """Observed, fitted and counterfactual monthly values of every tracked indicator, for
    charts (:data:`KPI_LINE_COLUMNS`); ``fitted`` and ``counterfactual`` are empty where
    the segmented model cannot be fitted."""
    return _kpi_parts(monthly, enterprise)[1]


# --------------------------------------------------------------------------- 5S


def _audit_index(own: pd.DataFrame) -> pd.Series:
    """The 5S index of each audit date (mean of the five pillar scores, each the mean item
    percentage of the pillar over all areas); NaN when a pillar is missing."""
    pillars = own.groupby(["audit_date", "pillar"], sort=True)["pct"].mean().unstack()
    pillars = pillars.reindex(columns=list(PILLARS))
    index = pillars.mean(axis=1)
    return index.where(pillars.notna().all(axis=1))


def five_s_results(items: pd.DataFrame, enterprise: pd.Series) -> list[dict]:
    """5S rows of one enterprise (plan v2).

    Primary ``five_s_change`` (descriptive): the 5S index at the first and the last
    audit and their difference in points; no interval, no p-value.  Secondary
    ``paired_t`` and ``wilcoxon_signed_rank`` on the item percentages matched by area,
    pillar and item between the first and the last audit, and ``friedman`` across all
    audits (at least three) on the items scored in every audit, each with the note
    :data:`FIVE_S_NOTE`.  ``items`` is :func:`score_analysis.stats.indicators.five_s_items`.
    """
    eid = enterprise["enterprise_id"]
    fixed = {"enterprise_id": eid, "domain": "five_s", "indicator": "five_s_index",
             "estimate_scale": "difference"}
    own = items[items["enterprise_id"] == eid]
    dates = sorted(own["audit_date"].dropna().unique())
    tests = ("paired_t", "wilcoxon_signed_rank", "friedman")
    if len(dates) == 0:
        return [_empty(m, "not_reported", "no 5S audit", primary=m == "five_s_change", **fixed)
                for m in ("five_s_change", *tests)]
    rows = [_five_s_change(own, dates, fixed)]
    key = ["area", "pillar", "item"]
    wide = own.set_index([*key, "audit_date"])["pct"].groupby(level=[0, 1, 2, 3]).mean()
    wide = wide.unstack("audit_date")
    secondary = {"primary": False, "extra_note": FIVE_S_NOTE, **fixed}
    if len(dates) < 2:
        note = "needs at least two audits (first and last) to compare; has 1"
        rows += [_empty(m, "insufficient_data", note, primary=False, **fixed)
                 for m in tests[:2]]
    else:
        pairs = wide[[dates[0], dates[-1]]].dropna()
        if len(pairs) < 2:
            note = (f"needs at least 2 items scored in both the first and the last audit; "
                    f"has {len(pairs)}")
            rows += [_empty(m, "insufficient_data", note, primary=False, **fixed)
                     for m in tests[:2]]
        else:
            before, after = pairs[dates[0]].to_numpy(), pairs[dates[-1]].to_numpy()
            rows.append(_test(paired_t(before, after, alpha=ALPHA), **secondary))
            rows.append(_test(wilcoxon_signed_rank(before, after), **secondary))
    if len(dates) < 3:
        rows.append(_empty("friedman", "insufficient_data",
                           f"needs at least 3 audits; has {len(dates)}", primary=False,
                           **fixed))
    else:
        complete = wide[dates].dropna()
        if len(complete) < 2:
            rows.append(_empty("friedman", "insufficient_data",
                               f"needs at least 2 items scored in every audit; has "
                               f"{len(complete)}", primary=False, **fixed))
        else:
            rows.append(_test(friedman(complete), **secondary))
    for row in rows:
        if row["method"] == "friedman":
            row["estimate_scale"] = None
    return rows


def _five_s_change(own: pd.DataFrame, dates: list, fixed: dict) -> dict:
    first, last = dates[0], dates[-1]
    counts = own.groupby("audit_date")["pct"].count()
    base = {"method": "five_s_change", "n_pre": int(counts[first]),
            "n_post": int(counts[last])}
    if len(dates) < 2:
        return _record({**base, "status": "insufficient_data",
                        "note": "needs at least two audits (first and last); has 1"},
                       primary=True, **fixed)
    index = _audit_index(own)
    pre, post = float(index[first]), float(index[last])
    if not (np.isfinite(pre) and np.isfinite(post)):
        return _record({**base, "status": "insufficient_data", "pre_value": pre,
                        "post_value": post,
                        "note": "the first or the last audit does not score all five "
                                "pillars, so it has no 5S index"}, primary=True, **fixed)
    return _record({**base, "pre_value": pre, "post_value": post, "estimate": post - pre,
                    "note": f"descriptive: the 5S index of the last audit ({last}) minus the "
                            f"first ({first}), in points; not tested"}, primary=True, **fixed)


# --------------------------------------------------------------------------- survey


@dataclass(frozen=True)
class _Waves:
    """The scores of one construct in each wave, and who answered (numpy, for speed)."""

    base: np.ndarray
    follow: np.ndarray
    coded_base: dict
    coded_follow: dict

    @property
    def matched(self) -> list:
        return [r for r in self.coded_base if r in self.coded_follow]


def _coded(ids: np.ndarray, scores: np.ndarray, label: str) -> dict:
    out: dict = {}
    for rid, score in zip(ids, scores, strict=True):
        if rid in out:
            raise ValueError(f"respondent_id {rid!r} appears twice in the {label} survey of "
                             f"one construct")
        out[rid] = score
    return out


def _survey_waves(scores: pd.DataFrame, enterprise_id: str) -> dict[str, _Waves]:
    """Per construct, the scored answers of one enterprise in each wave."""
    own = scores[(scores["enterprise_id"] == enterprise_id) & scores["score"].notna()]
    if own.empty:
        return {}
    construct = own["construct"].to_numpy(dtype=object)
    wave = own["wave"].to_numpy(dtype=object)
    rid = own["respondent_id"].to_numpy(dtype=object)
    coded = ~pd.isna(own["respondent_id"]).to_numpy()
    score = own["score"].to_numpy(dtype=float)
    out = {}
    for c in dict.fromkeys(construct):
        mine = construct == c
        b, f = mine & (wave == WAVES[0]), mine & (wave == WAVES[1])
        out[c] = _Waves(score[b], score[f], _coded(rid[b & coded], score[b & coded], WAVES[0]),
                        _coded(rid[f & coded], score[f & coded], WAVES[1]))
    return out


_NO_ANSWERS = _Waves(np.empty(0), np.empty(0), {}, {})


def survey_results(scores: pd.DataFrame, enterprise: pd.Series,
                   constructs: list[str]) -> list[dict]:
    """Survey rows of one enterprise, per construct (plan v2).

    With at least :data:`MIN_CELL` respondents matched by ``respondent_id``: primary
    ``paired_t`` (mean change, t interval), secondary ``wilcoxon_signed_rank`` and, when
    both waves have at least :data:`MIN_CELL` respondents, a secondary ``welch_t`` on all
    respondents (the attrition sensitivity; the one pooled across enterprises).
    Otherwise primary ``welch_t`` and secondary ``mann_whitney`` on all scores of each
    wave.  A comparison in which a group has fewer than :data:`MIN_CELL` respondents is
    ``suppressed`` and carries no numbers.  ``scores`` is
    :func:`score_analysis.stats.indicators.construct_scores`.
    """
    eid = enterprise["enterprise_id"]
    waves = _survey_waves(scores, eid)
    rows = []
    for construct in constructs:
        fixed = {"enterprise_id": eid, "domain": "survey", "indicator": construct,
                 "estimate_scale": "difference"}
        w = waves.get(construct, _NO_ANSWERS)
        base, follow, matched = w.base, w.follow, w.matched
        both = len(base) >= MIN_CELL and len(follow) >= MIN_CELL
        if len(matched) >= MIN_CELL:
            b = np.array([w.coded_base[r] for r in matched])
            f = np.array([w.coded_follow[r] for r in matched])
            note = (f"matched comparison of the {len(matched)} respondents present in both "
                    f"waves")
            rows.append(_test(paired_t(b, f, alpha=ALPHA), primary=True, extra_note=note,
                              **fixed))
            rows.append(_test(wilcoxon_signed_rank(b, f), primary=False, extra_note=note,
                              **fixed))
            if both:
                rows.append(_test(welch_t(base, follow, alpha=ALPHA), primary=False,
                                  extra_note="all respondents of each wave (attrition "
                                             "sensitivity)", **fixed))
            continue
        if not len(base) and not len(follow):
            note, status = "no survey answers for this construct", "not_reported"
        elif not len(base) or not len(follow):
            note = f"no {'baseline' if not len(base) else 'follow-up'} survey answers"
            status = "insufficient_data"
        elif not both:
            note = f"fewer than {MIN_CELL} respondents in a group: suppressed to protect privacy"
            status = "suppressed"
        else:
            b, f = base, follow
            note = (f"unmatched comparison: fewer than {MIN_CELL} respondents could be "
                    f"matched across waves")  # the small count itself is not shown
            rows.append(_test(welch_t(b, f, alpha=ALPHA), primary=True, extra_note=note,
                              **fixed))
            rows.append(_test(mann_whitney(b, f), primary=False, extra_note=note, **fixed))
            continue
        rows += [_empty(m, status, note, primary=m == "welch_t", **fixed)
                 for m in ("welch_t", "mann_whitney")]
    return rows


def survey_attrition(scores: pd.DataFrame, enterprise_id: str,
                     constructs: list[str]) -> pd.DataFrame:
    """Who answered each wave, per construct: the attrition table of plan v2.

    ``n_baseline`` and ``n_followup`` count the respondents with a score in each wave,
    ``n_matched`` those matched by ``respondent_id`` across the waves;
    ``baseline_mean_stayed`` is the baseline mean score of the matched respondents and
    ``baseline_mean_left`` that of the coded baseline respondents missing at follow-up
    (anonymous answers cannot be followed and count in neither).  A mean of fewer than
    :data:`MIN_CELL` respondents is not shown (``note`` says so).  Columns
    :data:`ATTRITION_COLUMNS`.
    """
    waves = _survey_waves(scores, enterprise_id)
    rows = []
    for construct in constructs:
        w = waves.get(construct, _NO_ANSWERS)
        base, follow, matched = w.base, w.follow, w.matched
        if not len(base) and not len(follow):
            continue
        left = [r for r in w.coded_base if r not in w.coded_follow]
        notes, status = [], "ok"
        stayed_mean = (float(np.mean([w.coded_base[r] for r in matched])) if matched
                       else np.nan)
        left_mean = float(np.mean([w.coded_base[r] for r in left])) if left else np.nan
        if len(matched) < MIN_CELL:
            stayed_mean = np.nan
            notes.append(f"fewer than {MIN_CELL} matched respondents: their mean is not shown")
        if len(left) < MIN_CELL:
            left_mean = np.nan
            notes.append(f"fewer than {MIN_CELL} baseline respondents left: their mean is not "
                         f"shown")
        if len(matched) < MIN_CELL and len(left) < MIN_CELL:
            status = "suppressed"
        rows.append({"enterprise_id": enterprise_id, "construct": construct,
                     "n_baseline": len(base), "n_followup": len(follow),
                     "n_matched": len(matched), "baseline_mean_stayed": stayed_mean,
                     "baseline_mean_left": left_mean, "status": status,
                     "note": "; ".join(notes)})
    return pd.DataFrame(rows, columns=list(ATTRITION_COLUMNS))


def survey_reliability(answers: pd.DataFrame, enterprise_id: str) -> pd.DataFrame:
    """Cronbach's alpha per construct and wave on the complete cases.

    ``answers`` is :func:`score_analysis.stats.indicators.survey_answers` (reverse-coded items
    already turned round).  ``status`` is ``suppressed`` (no numbers) with fewer than
    :data:`MIN_CELL` complete cases and ``insufficient_data`` (with a ``note``) when
    alpha is undefined (a single item, or no variance in the totals).  Columns
    :data:`RELIABILITY_COLUMNS`.
    """
    own = answers[answers["enterprise_id"] == enterprise_id]
    rows = []
    if own.empty:
        return pd.DataFrame(rows, columns=list(RELIABILITY_COLUMNS))
    every = own.set_index(["construct", "wave", "response", "item_id"])["answer"]
    every = every.unstack("item_id")
    for (construct, wave), sub in every.groupby(level=[0, 1], sort=True):
        wide = sub.dropna(axis=1, how="all").dropna(axis=0, how="all")
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


def adjusted(rows: pd.DataFrame) -> pd.DataFrame:
    r"""Add ``p_holm`` and ``q_bh`` over each enterprise's family of primary results, and
    ``direction`` (plan v2).  Returns a new frame.

    The family of one enterprise is its primary rows with ``status`` ``ok`` or
    ``insufficient_data`` (descriptive rows excepted): the family is what was planned, not
    what the data happened to allow, so a planned primary that could not be estimated
    counts with :math:`p = 1`.  ``p_holm``/``q_bh`` are filled where ``p_value`` is.
    Holm (1979), with ordered :math:`p_{(1)} \le \dots \le p_{(m)}`:
    :math:`\tilde p_{(i)} = \max_{j\le i} \min\{1, (m-j+1)p_{(j)}\}`;
    Benjamini & Hochberg (1995): :math:`q_{(i)} = \min_{j\ge i} \min\{1, m p_{(j)}/j\}`.
    R: ``p.adjust(c(p, rep(1, n_insufficient)), "holm")``, likewise ``"BH"``.

    References
    ----------
    Holm S (1979) Scand J Stat 6:65-70; Benjamini Y, Hochberg Y (1995) J R Stat Soc B
    57:289-300.
    """
    from statsmodels.stats.multitest import multipletests

    out = rows.copy()
    out["p_holm"] = np.nan
    out["q_bh"] = np.nan
    family = in_holm_family(out).to_numpy()
    for _, group in out[family].groupby("enterprise_id", sort=False):
        idx = group.index
        p = out.loc[idx, "p_value"].to_numpy(float)
        has = np.isfinite(p) & (out.loc[idx, "status"].to_numpy() == "ok")
        p_used = np.where(has, p, 1.0)
        out.loc[idx[has], "p_holm"] = multipletests(p_used, method="holm")[1][has]
        out.loc[idx[has], "q_bh"] = multipletests(p_used, method="fdr_bh")[1][has]
    out["direction"] = [direction(r) for r in out.itertuples(index=False)]
    return out


def good_direction(domain: str, indicator: str) -> int:
    """+1 when higher is better, -1 when lower is better (5S and survey: up)."""
    if domain == "kpi":
        return INDICATORS[indicator].good_direction
    return +1


def _sign(row) -> float:
    """The sign of the change a row measures (see :func:`direction`)."""
    if row.estimate_scale in ("rate_ratio", "slope_ratio"):
        return float(np.sign(np.log(row.estimate))) if row.estimate > 0 else np.nan
    return float(np.sign(row.estimate))


def direction(row) -> str:
    """``improved``, ``worsened``, ``inconclusive`` or ``not_tested`` for one results row.

    Only primary rows that are tests are judged (plan v2); descriptive and secondary rows
    are ``not_tested``, and so are primary rows that were ``suppressed`` or
    ``not_reported``.  A judged row is ``improved``/``worsened`` when its Holm-adjusted p
    is below :data:`ALPHA` and the sign of its change (the log rate ratio, or the mean
    difference) agrees/disagrees with the indicator's good direction, else
    ``inconclusive`` (a planned primary that could not be estimated among them).
    """
    if not (row.primary and row.method not in DESCRIPTIVE_METHODS
            and row.status in ("ok", "insufficient_data")):
        return "not_tested"
    p = row.p_holm
    if row.status != "ok" or not np.isfinite(p) or p >= ALPHA:
        return "inconclusive"
    sign = _sign(row)
    if not np.isfinite(sign) or sign == 0:
        return "inconclusive"
    return "improved" if sign == good_direction(row.domain, row.indicator) else "worsened"


def enterprise_analysis(enterprise: pd.Series, *, monthly: pd.DataFrame, items: pd.DataFrame,
                        scores: pd.DataFrame, constructs: list[str]) -> EnterpriseAnalysis:
    """Every results row of one enterprise, with primary flags, Holm, BH and direction, and
    the KPI chart lines, fitting each model once.

    ``monthly``, ``items`` and ``scores`` are the tables of
    :mod:`score_analysis.stats.indicators`; ``constructs`` the survey constructs of the
    codebook.  The results' first :data:`~score_analysis.stats.outputs.RESULT_COLUMNS` are
    ``results.csv``.
    """
    kpi_rows, lines = _kpi_parts(monthly, enterprise)
    rows = _frame(kpi_rows + five_s_results(items, enterprise)
                  + survey_results(scores, enterprise, constructs))
    rows["data_source"] = enterprise["data_source"]
    rows["primary"] = rows["primary"].astype(bool)
    suppressed = rows["status"] == "suppressed"
    rows.loc[suppressed, list(SUPPRESSED_NUMBERS)] = np.nan
    return EnterpriseAnalysis(adjusted(rows)[list(INTERNAL_COLUMNS)], lines)


def enterprise_results(enterprise: pd.Series, *, monthly: pd.DataFrame, items: pd.DataFrame,
                       scores: pd.DataFrame, constructs: list[str]) -> pd.DataFrame:
    """The results rows of :func:`enterprise_analysis` (:data:`INTERNAL_COLUMNS`)."""
    return enterprise_analysis(enterprise, monthly=monthly, items=items, scores=scores,
                               constructs=constructs).results
