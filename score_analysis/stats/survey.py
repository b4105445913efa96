"""The survey rows of one enterprise, per construct, and the survey's attrition and
reliability tables (docs/analysis_plan.md §5)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..data.contract import WAVES
from ..settings import PLAN, AnalysisSettings
from .comparisons import cronbach_alpha, mann_whitney, paired_t, welch_t, wilcoxon_signed_rank
from .notes import note, note_codes, note_text
from .rows import empty, from_test

#: Columns of :func:`survey_reliability`.
RELIABILITY_COLUMNS = ("enterprise_id", "construct", "wave", "n_complete", "n_items", "alpha",
                       "status", "note", "note_code")

#: Columns of :func:`survey_attrition`.
ATTRITION_COLUMNS = ("enterprise_id", "construct", "n_baseline", "n_followup", "n_matched",
                     "n_left", "baseline_mean_stayed", "baseline_mean_left", "status", "note",
                     "note_code")


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


def survey_results(scores: pd.DataFrame, enterprise: pd.Series, constructs: list[str], *,
                   settings: AnalysisSettings = PLAN) -> list[dict]:
    """Survey rows of one enterprise, per construct (plan version 3).

    With at least ``settings.min_cell`` respondents matched by ``respondent_id``: primary
    ``paired_t`` (mean change, t interval), secondary ``wilcoxon_signed_rank`` and, when
    both waves have at least ``min_cell`` respondents, a secondary ``welch_t`` on all
    respondents (the attrition sensitivity).  Otherwise primary ``welch_t`` and secondary
    ``mann_whitney`` on all scores of each wave.  A comparison in which a group has fewer
    than ``min_cell`` respondents is ``suppressed`` and carries no numbers.  ``scores`` is
    :func:`score_analysis.stats.indicators.construct_scores`.
    """
    eid = enterprise["enterprise_id"]
    waves = _survey_waves(scores, eid)
    least = settings.min_cell
    rows = []
    for construct in constructs:
        fixed = {"enterprise_id": eid, "domain": "survey", "indicator": construct,
                 "estimate_scale": "difference"}
        w = waves.get(construct, _NO_ANSWERS)
        base, follow, matched = w.base, w.follow, w.matched
        both = len(base) >= least and len(follow) >= least
        if len(matched) >= least:
            b = np.array([w.coded_base[r] for r in matched])
            f = np.array([w.coded_follow[r] for r in matched])
            why = [note("matched_comparison", respondents=len(matched))]
            rows.append(from_test(paired_t(b, f, alpha=settings.alpha), primary=True,
                                  notes=why, **fixed))
            rows.append(from_test(wilcoxon_signed_rank(b, f), primary=False, notes=why,
                                  **fixed))
            if both:
                rows.append(from_test(welch_t(base, follow, alpha=settings.alpha),
                                      primary=False, notes=[note("attrition_sensitivity")],
                                      **fixed))
            continue
        if not len(base) and not len(follow):
            why, status = note("no_survey_answers"), "not_reported"
        elif not len(base) or not len(follow):
            why = note("no_baseline_answers" if not len(base) else "no_followup_answers")
            status = "insufficient_data"
        elif not both:
            why, status = note("suppressed_small_group", min_cell=least), "suppressed"
        else:
            # the small count of matched respondents itself is not shown
            why = [note("unmatched_comparison", min_cell=least)]
            rows.append(from_test(welch_t(base, follow, alpha=settings.alpha), primary=True,
                                  notes=why, **fixed))
            rows.append(from_test(mann_whitney(base, follow), primary=False, notes=why,
                                  **fixed))
            continue
        rows += [empty(m, status, [why], primary=m == "welch_t", **fixed)
                 for m in ("welch_t", "mann_whitney")]
    return rows


def survey_attrition(scores: pd.DataFrame, enterprise_id: str, constructs: list[str], *,
                     settings: AnalysisSettings = PLAN) -> pd.DataFrame:
    """Who answered each wave, per construct: the attrition table.

    ``n_baseline`` and ``n_followup`` count the respondents with a score in each wave,
    ``n_matched`` those matched by ``respondent_id`` across the waves and ``n_left`` the
    coded baseline respondents missing at follow-up (so ``n_matched / (n_matched +
    n_left)`` is the share of the coded baseline respondents who answered the follow-up;
    anonymous answers cannot be followed and count in neither);
    ``baseline_mean_stayed`` is the baseline mean score of the matched respondents and
    ``baseline_mean_left`` that of the respondents who left.  A mean of fewer than
    ``settings.min_cell`` respondents is not shown (``note`` says so).  Columns
    :data:`ATTRITION_COLUMNS`.
    """
    least = settings.min_cell
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
        if len(matched) < least:
            stayed_mean = np.nan
            notes.append(note("matched_mean_hidden", min_cell=least))
        if len(left) < least:
            left_mean = np.nan
            notes.append(note("left_mean_hidden", min_cell=least))
        if len(matched) < least and len(left) < least:
            status = "suppressed"
        rows.append({"enterprise_id": enterprise_id, "construct": construct,
                     "n_baseline": len(base), "n_followup": len(follow),
                     "n_matched": len(matched), "n_left": len(left),
                     "baseline_mean_stayed": stayed_mean, "baseline_mean_left": left_mean,
                     "status": status, "note": note_text(notes),
                     "note_code": note_codes(notes)})
    return pd.DataFrame(rows, columns=list(ATTRITION_COLUMNS))


def survey_reliability(answers: pd.DataFrame, enterprise_id: str, *,
                       settings: AnalysisSettings = PLAN) -> pd.DataFrame:
    """Cronbach's alpha per construct and wave on the complete cases.

    ``answers`` is :func:`score_analysis.stats.indicators.survey_answers` (reverse-coded items
    already turned round).  ``status`` is ``suppressed`` (no numbers) with fewer than
    ``settings.min_cell`` complete cases and ``insufficient_data`` (with a ``note``) when
    alpha is undefined (a single item, or no variance in the totals).  Columns
    :data:`RELIABILITY_COLUMNS`.
    """
    least = settings.min_cell
    own = answers[answers["enterprise_id"] == enterprise_id]
    rows = []
    if own.empty:
        return pd.DataFrame(rows, columns=list(RELIABILITY_COLUMNS))
    construct = own["construct"].to_numpy(dtype=object)
    wave = own["wave"].to_numpy(dtype=object)
    response = own["response"].to_numpy()
    item = own["item_id"].to_numpy(dtype=object)
    answer = own["answer"].to_numpy(dtype=float)
    for c, w in sorted(set(zip(construct, wave, strict=True))):
        mine = (construct == c) & (wave == w)
        r_codes, r_uniques = pd.factorize(response[mine])
        i_codes, i_uniques = pd.factorize(item[mine])
        wide = np.full((len(r_uniques), len(i_uniques)), np.nan)
        wide[r_codes, i_codes] = answer[mine]
        wide = wide[:, ~np.isnan(wide).all(axis=0)]
        wide = wide[~np.isnan(wide).all(axis=1)]
        complete = wide[~np.isnan(wide).any(axis=1)]
        n = len(complete)
        row = {"enterprise_id": enterprise_id, "construct": c, "wave": w,
               "n_complete": n, "n_items": wide.shape[1], "alpha": np.nan, "status": "ok",
               "note": "", "note_code": ""}
        why = None
        if n < least:
            row.update(n_complete=np.nan, status="suppressed")
            why = note("reliability_suppressed", min_cell=least)
        else:
            row["alpha"] = cronbach_alpha(pd.DataFrame(complete))
            if not np.isfinite(row["alpha"]):
                row["status"] = "insufficient_data"
                why = note("alpha_undefined")
        if why is not None:
            row.update(note=why.text, note_code=note_codes([why]))
        rows.append(row)
    return pd.DataFrame(rows, columns=list(RELIABILITY_COLUMNS))
