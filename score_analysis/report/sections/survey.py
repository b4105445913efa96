"""The worker survey: Likert answers, construct scores before and after, attrition and Cronbach's
alpha.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ...i18n import current_language
from ...i18n import gettext as _
from ...settings import PLAN, AnalysisSettings
from ..figures import (
    figure_html,
    likert_alt,
    likert_chart,
)
from ..formatting import (
    fmt,
    fmt_count,
    fmt_signed,
)
from ..loading import EnterpriseData
from ..notes import note_words
from ..rendering import Html, in_each_language, render
from ..wording import (
    PRIVACY_MIN,
    WAVE_SHORT,
    agreement_labels,
    evidence,
    indicator_label,
    is_confirmatory,
    p_holm_text,
    p_unadjusted_text,
)


def wave_sizes(survey: pd.DataFrame) -> dict[str, int]:
    """Respondents per survey wave."""
    if survey.empty:
        return {}
    return {str(k): int(v) for k, v in survey.groupby("wave").size().items()}


def likert_shares(survey: pd.DataFrame, codebook: pd.DataFrame, *,
                  minimum: int = PRIVACY_MIN) -> pd.DataFrame:
    """Percentage of each answer per item and wave, as answered (not reverse-coded).

    Returns one row per (item, wave) with ``item_id``, ``wave``, ``n`` and one
    column per answer value ``scale_min..scale_max`` (percent of the item's
    answers in that wave); an item answered by fewer than ``minimum`` people in
    a wave has blank percentages and ``n`` blank (privacy).
    """
    items = [i for i in codebook["item_id"] if i in survey.columns]
    if not items:
        return pd.DataFrame(columns=["item_id", "wave", "n"])
    lo = int(codebook["scale_min"].min())
    hi = int(codebook["scale_max"].max())
    values = list(range(lo, hi + 1))
    long = survey.melt(id_vars=["wave"], value_vars=items, var_name="item_id",
                       value_name="answer").dropna(subset=["answer"])
    long["answer"] = long["answer"].astype(int)
    counts = (long.groupby(["item_id", "wave", "answer"]).size()
              .unstack("answer", fill_value=0).reindex(columns=values, fill_value=0))
    n = counts.sum(axis=1)
    shares = counts.div(n, axis=0) * 100
    small = n < minimum
    shares[small] = np.nan
    shares.insert(0, "n", n.where(~small).astype("Float64"))
    shares.columns = [str(c) for c in shares.columns]
    out = shares.reset_index()
    order = {item: i for i, item in enumerate(items)}
    return out.sort_values(["item_id", "wave"], key=lambda s: s.map(order) if s.name ==
                           "item_id" else s).reset_index(drop=True)


def item_text(row, lang: str) -> str:
    """A survey statement in the page's language (``text_<lang>``, else English, else id)."""
    for column in (f"text_{lang}", "text_en"):
        value = getattr(row, column, None)
        if isinstance(value, str) and value:
            return value
    return str(row.item_id)


def _likert_figures(data: EnterpriseData, sizes: dict[str, int]) -> list[Html]:
    minimum = data.settings.min_cell
    codebook = data.codebook[data.codebook["item_id"].isin(data.survey.columns)]
    waves = [w for w in ("baseline", "followup") if w in sizes]
    out = []
    for (lo, hi), book in codebook.groupby(["scale_min", "scale_max"], sort=True):
        lo, hi = int(lo), int(hi)
        shares = likert_shares(data.survey, book, minimum=minimum)
        if shares.empty:
            continue
        labels = agreement_labels(hi - lo + 1, lo, hi)
        negative = _("(negatively worded)")
        names = {r.item_id: item_text(r, current_language())
                 + (f" {negative}" if r.reverse else "") for r in book.itertuples(index=False)}
        levels = [str(v) for v in range(lo, hi + 1)]
        plot = pd.DataFrame({"item": shares["item_id"].map(names),
                             "panel": shares["wave"].map(lambda w: _(WAVE_SHORT.get(w, w))),
                             **{lv: shares[lv] for lv in levels}})
        panels = [(_(WAVE_SHORT[w]), sizes.get(w, 0) >= minimum) for w in waves]
        alt = likert_alt(shares, book, sizes, levels, labels, minimum=minimum)
        caption = _("Answers to each question, in percent of the workers who answered it, from "
                    "{first} (left) to {last} (right), as worded (negatively worded questions "
                    "are not turned round here).").format(first=labels[0].lower(),
                                                          last=labels[-1].lower())
        if hi - lo + 1 in (4, 5, 7):
            caption += " " + _("Labels assume the usual agreement scale.")
        caption += " " + _("Groups of fewer than {n} respondents are not shown.").format(
            n=minimum)
        out.append(likert_chart(plot, labels=labels, panels=panels, alt=alt, caption=caption,
                                minimum=minimum))
    return out


def _alpha_cell(rel: pd.DataFrame, construct: str, wave: str,
                settings: AnalysisSettings = PLAN) -> str:
    sub = rel[(rel["construct"] == construct) & (rel["wave"] == wave)] if not rel.empty else rel
    if sub.empty:
        return ""
    r = sub.iloc[0]
    if r["status"] != "ok":
        return _("fewer than {n} respondents").format(n=settings.min_cell)
    return _("{alpha} (n = {n})").format(alpha=fmt(r["alpha"], 2), n=int(r["n_complete"]))


def construct_rows(data: EnterpriseData, rows: pd.DataFrame) -> list[list]:
    """Rows of the survey construct table: respondents, means, change, p, evidence, alpha.
    A confirmatory construct shows its adjusted p (Holm) and the evidence; the others their
    unadjusted p, as exploratory estimates."""
    settings = data.settings
    body = []
    for construct in sorted(rows["indicator"].unique()):
        sub = rows[rows["indicator"] == construct]
        name = indicator_label("survey", construct)
        prim = sub[sub["primary"].astype(bool)]
        if (sub["status"] == "suppressed").any():
            body.append([name, {"text": _("fewer than {n} respondents").format(
                n=settings.min_cell), "colspan": 6}])
            continue
        if prim.empty or prim.iloc[0]["status"] != "ok":
            text, lang = note_words(prim.iloc[0]) if not prim.empty else ("", "")
            body.append([name, {"text": _("not enough data"), "colspan": 6, "sub": text,
                                "sub_lang": lang}])
            continue
        t = prim.iloc[0]
        n = (_("{n} matched").format(n=int(t["n_pre"])) if t["method"] == "paired_t"
             else f"{int(t['n_pre'])} / {int(t['n_post'])}")
        change = _("{change} ({a} to {b})").format(change=fmt_signed(t["estimate"]),
                                                   a=fmt_signed(t["ci_low"]),
                                                   b=fmt_signed(t["ci_high"]))
        alpha = (_("before {a}").format(a=_alpha_cell(data.reliability, construct, "baseline",
                                                       settings))
                 + "; " + _("after {a}").format(
                     a=_alpha_cell(data.reliability, construct, "followup", settings)))
        if is_confirmatory(t, settings):
            p, ev = p_holm_text(t["p_holm"]), evidence(t["p_holm"], settings)
        else:
            p, ev = p_unadjusted_text(t["p_value"]), _("exploratory, no verdict")
        body.append([name, n, f"{fmt(t['pre_value'])} → {fmt(t['post_value'])}", change,
                     p, ev, alpha])
    return body


def attrition_rows(attrition: pd.DataFrame) -> list[list]:
    """Rows of the attrition table: who answered each survey and who left."""
    body = []
    if attrition.empty:
        return body
    for r in attrition.sort_values("construct").itertuples(index=False):
        text, lang = note_words(r)
        body.append([indicator_label("survey", r.construct), fmt_count(r.n_baseline),
                     fmt_count(r.n_followup), fmt_count(r.n_matched),
                     fmt(r.baseline_mean_stayed), fmt(r.baseline_mean_left),
                     {"text": text, "lang": lang}])
    return body


@in_each_language
def survey_section(data: EnterpriseData) -> Html:
    """Section 5: Likert answers by wave, construct scores before and after, attrition,
    Cronbach's alpha."""
    from ..charts import construct_figure

    if data.survey.empty or data.codebook.empty:
        return render("sections/survey.html", empty=True)
    sizes = wave_sizes(data.survey)
    minimum = data.settings.min_cell
    counts = [(_(WAVE_SHORT.get(w, w)).lower(),
               fmt_count(n) if n >= minimum else _("fewer than {n}").format(n=minimum))
              for w, n in sizes.items()]
    rows = data.results[data.results["domain"] == "survey"]
    prim = rows[rows["primary"].astype(bool) & (rows["status"] == "ok")]
    figure = None
    if not prim.empty:
        prim = prim.sort_values("indicator")
        lo, hi = (float(data.codebook["scale_min"].min()), float(data.codebook["scale_max"].max()))
        fig = construct_figure(prim.assign(label=[indicator_label("survey", c)
                                                  for c in prim["indicator"]]), scale=(lo, hi))
        alt = _("Dot chart of the mean score of each survey construct before and after, and its "
                "change with its 95% CI: {values}.").format(values="; ".join(
                    _("{name} {before} before, {after} after, change {change} (95% CI {low} to "
                      "{high})").format(name=indicator_label("survey", r.indicator).lower(),
                                        before=fmt(r.pre_value), after=fmt(r.post_value),
                                        change=fmt_signed(r.estimate), low=fmt_signed(r.ci_low),
                                        high=fmt_signed(r.ci_high))
                    for r in prim.itertuples(index=False)))
        caption = _("A construct's score is a worker's mean answer over its questions, with "
                    "negatively worded questions turned round so that higher is better.") + " " + (
            _("Same workers matched across the two surveys.")
            if (prim["method"] == "paired_t").all()
            else _("Paired where enough workers could be matched, otherwise all respondents of "
                   "each survey."))
        figure = figure_html(fig, alt, caption)
    return render("sections/survey.html", empty=False, counts=counts,
                  likert=_likert_figures(data, sizes), figure=figure,
                  constructs=construct_rows(data, rows) if not rows.empty else [],
                  attrition=attrition_rows(data.attrition))
