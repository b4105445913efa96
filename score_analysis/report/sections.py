"""The sections of an enterprise report, one function per notebook cell.

Each function selects the rows it shows, words them (:mod:`.wording`) and
renders its template (``score_analysis/report/templates/sections``); it returns
:class:`~.rendering.Html`, or one per language (:class:`~.rendering.Translated`)
when the data were loaded for several languages.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ..data.contract import QUALITATIVE_KINDS
from ..i18n import N_, current_language, ngettext
from ..i18n import gettext as _
from ..stats.indicators import INDICATORS
from .figures import (
    figure_html,
    kpi_alt,
    likert_alt,
    likert_chart,
    picture_html,
    png_image,
    visits_of,
)
from .formatting import (
    day,
    fmt,
    fmt_count,
    fmt_p,
    fmt_signed,
    missing,
    month_name,
    short_date,
    signed_percent,
)
from .loading import EnterpriseData, primary_rows, result_row
from .rendering import IMAGE_CACHE_SIZE, BoundedCache, Html, in_each_language, render
from .wording import (
    KIND_TITLES,
    LANGUAGE_NAMES,
    PRIVACY_MIN,
    ROBUSTNESS_METHODS,
    ROBUSTNESS_NAMES,
    WAVE_SHORT,
    agreement_labels,
    analysis_note,
    direction_name,
    evidence,
    family_size,
    indicator_label,
    indicator_unit,
    method_name,
    milestone_label,
    p_holm_text,
    p_text,
    status_name,
    summary_sentence,
)

_ARROW = {1: "▲", -1: "▼", 0: "●"}
_LANG_CODE = r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$"


# --------------------------------------------------------------------------- header


def banner(data: EnterpriseData | None = None, *, simulated: bool | None = None) -> Html:
    """The simulated-data banner (empty for enterprise records)."""
    show = data.simulated if data is not None else bool(simulated)
    return render("sections/banner.html", show=show)


def timeline_events(data: EnterpriseData) -> list[tuple[pd.Timestamp, str, str]]:
    """The programme timeline: (date, when as shown, what; plain text), in date order.

    Milestones, 5S audits and the months of KPI records before and after the
    programme start.
    """
    events: list[tuple[pd.Timestamp, str, str]] = []
    start = data.enterprise["intervention_month"]
    months = sorted(set(data.monthly["month"])) if not data.monthly.empty else []
    before = [m for m in months if m < start]
    after = [m for m in months if m >= start]
    if before:
        events.append((pd.Period(before[0], freq="M").to_timestamp(),
                       f"{month_name(before[0])} – {month_name(before[-1])}",
                       ngettext("Before: {n} month of records", "Before: {n} months of records",
                                len(before)).format(n=len(before))))
    events.append((pd.Period(start, freq="M").to_timestamp() + pd.Timedelta(hours=1),
                   month_name(start), _("Programme start: first month counted as after")))
    if after:
        events.append((pd.Period(after[0], freq="M").to_timestamp() + pd.Timedelta(hours=2),
                       f"{month_name(after[0])} – {month_name(after[-1])}",
                       ngettext("After: {n} month of records", "After: {n} months of records",
                                len(after)).format(n=len(after))))
    audits = {}
    if not data.five_s.empty:
        for a in data.five_s.itertuples(index=False):
            audits[pd.Timestamp(a.audit_date).normalize()] = a.visit
    seen_audits = set()
    if not data.milestones.empty:
        for m in data.milestones.sort_values("date").itertuples(index=False):
            when = pd.Timestamp(m.date).normalize()
            what = milestone_label(str(m.milestone))
            if when in audits:
                what = _("{milestone} and 5S audit").format(milestone=what)
                seen_audits.add(when)
            events.append((when, day(when), what))
    for when, visit in audits.items():
        if when not in seen_audits:
            what = (_("5S audit ({visit})").format(visit=str(visit).replace("_", " "))
                    if isinstance(visit, str) and visit else _("5S audit"))
            events.append((when, day(when), what))
    return sorted(events, key=lambda e: e[0])


@in_each_language
def header(data: EnterpriseData) -> Html:
    """Section 1: banner, navigation, enterprise profile and programme timeline."""
    e = data.enterprise
    items = [(_("Sector"), e.get("sector")), (_("Location"), e.get("location")),
             (_("Employees"), fmt_count(e.get("employees"))),
             (_("Programme start"), _("{month} (first month counted as after)").format(
                 month=month_name(e["intervention_month"]))),
             (_("Data"), _("simulated demonstration data") if data.simulated
              else _("enterprise records"))]
    profile = [(k, v) for k, v in items if not missing(v) and str(v) != ""]
    events = [{"when": when, "what": what, "period": "–" in when}
              for _d, when, what in timeline_events(data)]
    return render("sections/header.html", simulated=data.simulated, name=e["name"],
                  profile=profile, events=events)


# --------------------------------------------------------------------------- summary


def _sign(row) -> int:
    est = float(row["estimate"])
    if row["estimate_scale"] in ("rate_ratio", "slope_ratio"):
        return int(np.sign(math.log(est))) if est > 0 else 0
    return int(np.sign(est))


def marker(row) -> tuple[str, str]:
    """(css class, text) of the result marker of a primary row."""
    status = row["status"]
    if status == "not_reported":
        return "na", _("not tracked") if row["domain"] == "kpi" else _("no data")
    if status == "suppressed":
        return "na", _("fewer than {n} respondents").format(n=PRIVACY_MIN)
    if status != "ok" or missing(row["estimate"]) or not np.isfinite(float(row["estimate"])):
        return "na", _("not enough data")
    arrow = _ARROW[_sign(row)]
    direction = row["direction"] if isinstance(row["direction"], str) else "inconclusive"
    if direction == "not_tested":
        return "described", f"{arrow} " + _("described, not tested")
    if direction == "inconclusive":
        return "inconclusive", f"{arrow} " + _("not significant (Holm)")
    return direction, f"{arrow} {direction_name(direction)}"


def short_note(row) -> str:
    """Why a row has no estimate, in a few words."""
    if row["status"] == "not_reported":
        return _("not tracked") if row["domain"] == "kpi" else _("no data")
    if row["status"] == "suppressed":
        return _("fewer than {n} respondents").format(n=PRIVACY_MIN)
    return _("not enough data")


def _measure(row, unit: str = "") -> str:
    method = row["method"]
    unit = f"{unit} · " if unit and unit != "%" else ""
    if method.startswith("its_level"):
        return unit + _("step at programme start vs. earlier trend")
    if method == "rate_ratio_step":
        return unit + _("after vs. before")
    if row["domain"] == "five_s":
        return _("5S index (0-100), first vs. last audit")
    if method == "paired_t":
        return _("mean score, same workers")
    return _("mean score, all respondents")


def _note(row) -> dict:
    """A row's note as a cell's second line: translated when it is one of the analysis's
    fixed notes, else as written (English, marked as such on other pages)."""
    from .wording import KNOWN_NOTES

    note = row["note"] if isinstance(row["note"], str) else ""
    if note in KNOWN_NOTES:
        return {"sub": _(note), "sub_lang": ""}
    return {"sub": note, "sub_lang": _note_lang() if note else ""}


def _note_lang() -> str:
    """The ``lang`` of the analysis's notes (written in English) on a page in another
    language; empty on English pages."""
    return "" if current_language() == "en" else "en"


def _change_cells(row, unit: str) -> tuple[str, str, str, str]:
    """(before, after, change, 95% CI) of a primary row, as text."""
    if row["status"] != "ok" or missing(row["estimate"]):
        return "", "", "", ""
    finite = not missing(row["ci_low"]) and np.isfinite(float(row["ci_low"]))
    if row["domain"] == "kpi":
        ci = (_("{a} to {b}").format(a=signed_percent(row["ci_low"]),
                                     b=signed_percent(row["ci_high"])) if finite else "")
        pct = "%" if unit.startswith("%") else ""
        return (fmt(row["pre_value"]) + pct, fmt(row["post_value"]) + pct,
                signed_percent(row["estimate"]), ci)
    ci = (_("{a} to {b}").format(a=fmt_signed(row["ci_low"]), b=fmt_signed(row["ci_high"]))
          if finite else "—")
    return (fmt(row["pre_value"]), fmt(row["post_value"]), fmt_signed(row["estimate"]), ci)


def _summary_rows(data: EnterpriseData) -> list[list]:
    rows = []
    for _i, r in primary_rows(data.results).iterrows():
        unit = (indicator_unit(r["indicator"], data.enterprise.get("output_unit"))
                if r["domain"] == "kpi" else "")
        before, after, change, ci = _change_cells(r, unit)
        cls, mark = marker(r)
        p = r["p_holm"] if r["status"] == "ok" and not missing(r["p_holm"]) else np.nan
        level = evidence(p)
        ev = ""
        if not missing(p):
            ev = (_("{evidence} evidence, {p}").format(evidence=level, p=p_holm_text(p))
                  if float(p) < 0.05 else p_holm_text(p))
        measure = _measure(r, unit) if r["status"] == "ok" else short_note(r)
        rows.append([{"text": indicator_label(r["domain"], r["indicator"]), "sub": measure},
                     {"text": before, "label": _("Before")},
                     {"text": after, "label": _("After")},
                     {"text": change, "label": _("Change")},
                     {"text": ci, "label": _("95% CI")},
                     {"text": mark, "cls": "mark " + cls, "sub": ev}])
    return rows


def summary_table(data: EnterpriseData) -> Html:
    """The compact table of every primary result: before, after, change, CI, result."""
    return render("sections/summary_table.html", rows=_summary_rows(data))


def _sentences(data: EnterpriseData) -> list[dict]:
    family = family_size(data.results)
    english = current_language() == "en"
    out = []
    for _i, r in primary_rows(data.results).iterrows():
        cls, _m = marker(r)
        out.append({"cls": cls, "text": summary_sentence(
            r, output_unit=data.enterprise.get("output_unit"), codebook=data.codebook,
            five_s=data.five_s, family=family, with_note=english),
            "note": "" if english else analysis_note(r)})
    return out


@in_each_language
def executive_summary(data: EnterpriseData) -> Html:
    """Section 2: one plain sentence per indicator, the caveat and the key results table."""
    from .wording import lead_sentence

    return render("sections/summary.html", lead=lead_sentence(data.results),
                  sentences=_sentences(data), table=summary_table(data))


# --------------------------------------------------------------------------- monthly indicators


def robustness_rows(results: pd.DataFrame, indicator: str) -> list[dict]:
    """The "How robust is this?" rows of one monthly indicator (those in the results)."""
    rows = []
    for method in ROBUSTNESS_METHODS:
        r = result_row(results, indicator, method)
        if r is None:
            continue
        ok = r["status"] == "ok" and not missing(r["estimate"])
        rows.append({"method": method, "name": _(ROBUSTNESS_NAMES[method]),
                     "change": signed_percent(r["estimate"]) if ok else short_note(r),
                     "ci": _("{a} to {b}").format(a=signed_percent(r["ci_low"]),
                                                  b=signed_percent(r["ci_high"]))
                     if ok and not missing(r["ci_low"]) else "",
                     "p": p_text(r["p_value"]) if ok else "",
                     "sign": _sign(r) if ok else None})
    return rows


def robustness_sentence(rows: list[dict]) -> str:
    """What agreement or disagreement of the sensitivity analyses means, in one sentence."""
    primary = next((r for r in rows if r["method"] == "its_level"), None)
    others = [r for r in rows if r["method"] not in ("its_level", "placebo_level")
              and r["sign"] is not None]
    if primary is None or primary["sign"] is None or not others:
        return _("The other analyses of this indicator could not all be estimated, so its "
                 "robustness cannot be judged from them.")
    same = sum(r["sign"] == primary["sign"] for r in others)
    return ngettext(
        "{same} of {n} other analysis points the same way as the primary step: when they "
        "agree, the result does not hinge on one modelling choice; when they disagree, read "
        "the primary estimate with caution. The placebo step, at a pretend start before the "
        "programme, should be close to no change; a large placebo step means the trend "
        "before the programme was not stable.",
        "{same} of {n} other analyses point the same way as the primary step: when they "
        "agree, the result does not hinge on one modelling choice; when they disagree, read "
        "the primary estimate with caution. The placebo step, at a pretend start before the "
        "programme, should be close to no change; a large placebo step means the trend "
        "before the programme was not stable.", len(others)).format(same=same, n=len(others))


def kpi_key(*, lebaran: bool, visits: bool) -> Html:
    """One key (legend) for all the monthly charts of a page, in HTML: the same labels,
    colours and line styles as the charts (``charts.kpi_key_labels``, ``charts.PALETTE``)."""
    from .charts import kpi_key_labels

    labels = kpi_key_labels()
    shown = [(k, labels[k]) for k in labels if (k != "eid" or lebaran)
             and (k != "visit" or visits)]
    return render("sections/kpi_key.html", items=shown)


#: Drawings of monthly charts by content (they hold no words, so every language shares one).
_KPI_IMAGES = BoundedCache(IMAGE_CACHE_SIZE)


def _kpi_image(lines: pd.DataFrame, *, start: str, lebaran: list[str],
               visits: list[pd.Timestamp]) -> dict:
    """The PNG of one monthly chart, drawn once for all the languages whose numbers on the
    axis read the same (``12`` does; ``12.5`` and ``12,5`` do not)."""
    from .charts import kpi_figure, tick_labels

    fig = kpi_figure(lines, title=None, unit=None, intervention_month=start,
                     lebaran_months=lebaran, visits=visits, legend=False)
    cols = ["month", "observed", "fitted", "counterfactual"]
    key = (tuple(map(tuple, lines[cols].astype(str).to_numpy())), start, tuple(lebaran),
           tuple(str(v) for v in visits), tick_labels(fig.axes[0].yaxis))
    return _KPI_IMAGES.get(key, lambda: png_image(fig))


@in_each_language
def kpi_charts(data: EnterpriseData) -> Html:
    """Section 3: one chart per tracked KPI, as in Lopez Bernal et al. (2017), each with its
    "How robust is this?" table.  The charts hold no words (title and unit are above them
    in the page), so one drawing serves every language."""

    start = data.enterprise["intervention_month"]
    visits = visits_of(data.milestones)
    lebaran_any = (not data.monthly.empty and "eid" in data.monthly
                   and bool((data.monthly["eid"] == 1).any()))
    family = family_size(data.results)
    prim = primary_rows(data.results)
    panels, untracked = [], []
    for name in INDICATORS:
        label = indicator_label("kpi", name)
        lines = data.lines[data.lines["indicator"] == name] if not data.lines.empty else []
        if len(lines) == 0:
            untracked.append(label)
            continue
        monthly = data.monthly[data.monthly["indicator"] == name] if not data.monthly.empty \
            else pd.DataFrame(columns=["month", "eid"])
        lebaran = sorted(monthly.loc[monthly["eid"] == 1, "month"]) if "eid" in monthly else []
        unit = indicator_unit(name, data.enterprise.get("output_unit"))
        image = _kpi_image(lines, start=start, lebaran=lebaran, visits=visits)
        own = prim[prim["indicator"] == name] if not prim.empty else prim
        row = own.iloc[0] if len(own) else None
        caption = (summary_sentence(row, output_unit=data.enterprise.get("output_unit"),
                                    family=family, with_note=current_language() == "en")
                   if row is not None else "")
        primary_ok = row is not None and row["status"] == "ok"
        robust = robustness_rows(data.results, name) if primary_ok else []
        panels.append({"label": label,
                       "unit": unit,
                       "figure": picture_html(image, kpi_alt(
                           lines, label=label.lower(), unit=unit, intervention_month=start,
                           lebaran=lebaran, visits=visits), caption),
                       "robust_cells": [[r["name"], r["change"], r["ci"], r["p"]]
                                        for r in robust],
                       "robust_sentence": robustness_sentence(robust) if len(robust) > 1
                       else ""})
    from .formatting import join_words

    return render("sections/kpi.html", key=kpi_key(lebaran=lebaran_any, visits=bool(visits)),
                  panels=panels, untracked=join_words(untracked))


# --------------------------------------------------------------------------- 5S


def tests_rows(rows: pd.DataFrame) -> list[list]:
    """Rows of a table of tests: method, n, change, CI, p (Holm on primary rows), evidence."""
    body = []
    for _i, r in rows.iterrows():
        name = method_name(r["method"])
        if r["primary"] and r["direction"] != "not_tested":
            name = _("{name} (primary)").format(name=name)
        if r["status"] != "ok":
            note = r["note"] if isinstance(r["note"], str) and r["note"] else ""
            body.append([{"text": name, "head": False},
                         {"text": short_note(r), "colspan": 5, "sub": note,
                          "sub_lang": _note_lang()}])
            continue
        finite = not missing(r["ci_low"]) and np.isfinite(float(r["ci_low"]))
        ci = _("{a} to {b}").format(a=fmt_signed(r["ci_low"]), b=fmt_signed(r["ci_high"])) \
            if finite else "—"
        if r["primary"]:
            p, ev = p_holm_text(r["p_holm"]), evidence(r["p_holm"])
        else:
            p, ev = p_text(r["p_value"]), _("no verdict (secondary)")
        if r["direction"] == "not_tested" and r["primary"]:
            p, ev = "—", _("described, not tested")
        note = _note(r) if r["method"] != "five_s_change" else {}
        body.append([{"text": name, "head": False, **note},
                     fmt_count(r["n_pre"]),
            fmt_signed(r["estimate"]), ci, p, ev])
    return body


@in_each_language
def five_s_section(data: EnterpriseData) -> Html:
    """Section 4: 5S pillar scores per audit, the 5S index across audits, described."""
    from .charts import five_s_index_figure, five_s_pillar_figure, pillar_name

    if data.pillars.empty:
        return render("sections/five_s.html", empty=True)
    pillars = data.pillars.sort_values("audit_date")
    n_audits = len(pillars[["audit_date", "visit"]].drop_duplicates())
    alt_p = _("Grouped bar chart of the five 5S pillar scores (0 to 100) at each of {n} "
              "audits.").format(n=n_audits) + " " + " ".join(
        f"{day(d)}: " + ", ".join(f"{pillar_name(p)} {fmt(s, 2)}" for p, s in zip(
            g["pillar"], g["score"], strict=True)) + "."
        for d, g in pillars.groupby("audit_date", sort=True))
    figures = [figure_html(five_s_pillar_figure(pillars), alt_p)]
    idx = data.five_s.sort_values("audit_date") if not data.five_s.empty else data.five_s
    if not idx.empty:
        alt_i = _("Line chart of the 5S index at each audit: {values}.").format(
            values="; ".join(f"{day(r.audit_date)} {fmt(r.five_s_index, 2)}"
                             for r in idx.itertuples(index=False)))
        figures.append(figure_html(five_s_index_figure(idx), alt_i))
    rows = data.results[data.results["domain"] == "five_s"] if not data.results.empty \
        else data.results
    return render("sections/five_s.html", empty=False, figures=figures,
                  tests=tests_rows(rows) if not rows.empty else [])


# --------------------------------------------------------------------------- survey


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
    from ..i18n import current_language

    codebook = data.codebook[data.codebook["item_id"].isin(data.survey.columns)]
    waves = [w for w in ("baseline", "followup") if w in sizes]
    out = []
    for (lo, hi), book in codebook.groupby(["scale_min", "scale_max"], sort=True):
        lo, hi = int(lo), int(hi)
        shares = likert_shares(data.survey, book)
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
        panels = [(_(WAVE_SHORT[w]), sizes.get(w, 0) >= PRIVACY_MIN) for w in waves]
        alt = likert_alt(shares, book, sizes, levels, labels)
        caption = _("Answers to each question, in percent of the workers who answered it, from "
                    "{first} (left) to {last} (right), as worded (negatively worded questions "
                    "are not turned round here).").format(first=labels[0].lower(),
                                                          last=labels[-1].lower())
        if hi - lo + 1 in (4, 5, 7):
            caption += " " + _("Labels assume the usual agreement scale.")
        caption += " " + _("Groups of fewer than {n} respondents are not shown.").format(
            n=PRIVACY_MIN)
        out.append(likert_chart(plot, labels=labels, panels=panels, alt=alt, caption=caption))
    return out


def _alpha_cell(rel: pd.DataFrame, construct: str, wave: str) -> str:
    sub = rel[(rel["construct"] == construct) & (rel["wave"] == wave)] if not rel.empty else rel
    if sub.empty:
        return ""
    r = sub.iloc[0]
    if r["status"] != "ok":
        return _("fewer than {n} respondents").format(n=PRIVACY_MIN)
    return _("{alpha} (n = {n})").format(alpha=fmt(r["alpha"], 2), n=int(r["n_complete"]))


def construct_rows(data: EnterpriseData, rows: pd.DataFrame) -> list[list]:
    """Rows of the survey construct table: respondents, means, change, p (Holm), alpha."""
    body = []
    for construct in sorted(rows["indicator"].unique()):
        sub = rows[rows["indicator"] == construct]
        name = indicator_label("survey", construct)
        prim = sub[sub["primary"].astype(bool)]
        if (sub["status"] == "suppressed").any():
            body.append([name, {"text": _("fewer than {n} respondents").format(n=PRIVACY_MIN),
                                "colspan": 6}])
            continue
        if prim.empty or prim.iloc[0]["status"] != "ok":
            note = prim.iloc[0]["note"] if not prim.empty else ""
            body.append([name, {"text": _("not enough data"), "colspan": 6,
                                "sub": note if isinstance(note, str) else "",
                                "sub_lang": _note_lang()}])
            continue
        t = prim.iloc[0]
        n = (_("{n} matched").format(n=int(t["n_pre"])) if t["method"] == "paired_t"
             else f"{int(t['n_pre'])} / {int(t['n_post'])}")
        change = _("{change} ({a} to {b})").format(change=fmt_signed(t["estimate"]),
                                                   a=fmt_signed(t["ci_low"]),
                                                   b=fmt_signed(t["ci_high"]))
        alpha = (_("before {a}").format(a=_alpha_cell(data.reliability, construct, "baseline"))
                 + "; " + _("after {a}").format(
                     a=_alpha_cell(data.reliability, construct, "followup")))
        body.append([name, n, f"{fmt(t['pre_value'])} → {fmt(t['post_value'])}", change,
                     p_holm_text(t["p_holm"]), evidence(t["p_holm"]), alpha])
    return body


def attrition_rows(attrition: pd.DataFrame) -> list[list]:
    """Rows of the attrition table: who answered each survey and who left."""
    body = []
    if attrition.empty:
        return body
    for r in attrition.sort_values("construct").itertuples(index=False):
        note = r.note if isinstance(r.note, str) else ""
        body.append([indicator_label("survey", r.construct), fmt_count(r.n_baseline),
                     fmt_count(r.n_followup), fmt_count(r.n_matched),
                     fmt(r.baseline_mean_stayed), fmt(r.baseline_mean_left),
                     {"text": note, "lang": _note_lang()}])
    return body


@in_each_language
def survey_section(data: EnterpriseData) -> Html:
    """Section 5: Likert answers by wave, construct scores before and after, attrition,
    Cronbach's alpha."""
    from .charts import construct_figure

    if data.survey.empty or data.codebook.empty:
        return render("sections/survey.html", empty=True)
    sizes = wave_sizes(data.survey)
    counts = [(_(WAVE_SHORT.get(w, w)).lower(),
               fmt_count(n) if n >= PRIVACY_MIN else _("fewer than {n}").format(n=PRIVACY_MIN))
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


# --------------------------------------------------------------------------- qualitative


def note_groups(frame: pd.DataFrame, names: dict[str, str] | None = None) -> list[dict]:
    """Qualitative notes by kind: each note as written, with its language."""
    import re

    groups = []
    for kind in QUALITATIVE_KINDS:
        sub = frame[frame["kind"] == kind]
        if sub.empty:
            continue
        items = []
        for r in sub.itertuples(index=False):
            code = getattr(r, "language", None)
            lang = tag = ""
            if isinstance(code, str) and re.fullmatch(_LANG_CODE, code.strip()):
                lang = code.strip()
                from ..i18n import current_language

                if lang.split("-")[0].lower() != current_language():
                    tag = LANGUAGE_NAMES.get(lang.lower(), lang)
            items.append({"text": r.text, "lang": lang, "tag": tag,
                          "who": names.get(r.enterprise_id, r.enterprise_id)
                          if names is not None else ""})
        groups.append({"title": _(KIND_TITLES[kind]), "items": items})
    return groups


@in_each_language
def qualitative_section(data: EnterpriseData) -> Html:
    """Section 6: good practices, lessons learned and constraints, as the enterprise wrote them."""
    groups = note_groups(data.qualitative) if not data.qualitative.empty else []
    return render("sections/qualitative.html", groups=groups, synthesis=False)


# --------------------------------------------------------------------------- data quality


def coverage_rows(results: pd.DataFrame, monthly: pd.DataFrame, start: str) -> list[list]:
    """Months of records used per KPI, and how many months were left out of each."""
    rows = results[(results["domain"] == "kpi") & (results["method"] == "rate_ratio_step")] \
        if not results.empty else results
    months = sorted(set(monthly["month"])) if not monthly.empty else []
    body = []
    for r in rows.itertuples(index=False):
        ind = INDICATORS.get(r.indicator)
        pre = int(r.n_pre) if np.isfinite(r.n_pre) else 0
        post = int(r.n_post) if np.isfinite(r.n_post) else 0
        if r.status == "not_reported":
            note = _("not tracked")
        elif months and pre + post < len(months) and ind is not None:
            gap = len(months) - pre - post
            note = ngettext("{n} month without {numerator} or with no {exposure} left out",
                            "{n} months without {numerator} or with no {exposure} left out",
                            gap).format(n=gap, numerator=ind.numerator, exposure=ind.exposure)
        else:
            note = ""
        body.append([indicator_label("kpi", r.indicator), pre, post, note])
    return body


def findings_rows(findings: pd.DataFrame) -> list[list]:
    """The data-quality findings as table rows (the templates escape every cell)."""
    return [[{"text": r.severity, "head": False}, r.file, r.row if not missing(r.row) else "",
             r.column, r.value if not missing(r.value) else "", r.message]
            for r in findings.itertuples(index=False)]


@in_each_language
def data_quality_section(data: EnterpriseData) -> Html:
    """Section 7: the data-quality findings for this enterprise and the months used."""
    start = data.enterprise["intervention_month"]
    months = sorted(set(data.monthly["month"])) if not data.monthly.empty else []
    n_before = sum(m < start for m in months)
    return render("sections/quality.html", findings=findings_rows(data.quality),
                  unlinked=data.quality_unlinked,
                  coverage=coverage_rows(data.results, data.monthly, start),
                  coverage_caption=_(
                      "Months of records used per indicator (the enterprise reported {before} "
                      "before the programme start and {after} after)").format(
                      before=ngettext("{n} month", "{n} months", n_before).format(n=n_before),
                      after=ngettext("{n} month", "{n} months", len(months) - n_before).format(
                          n=len(months) - n_before)))


# --------------------------------------------------------------------------- methods


def analysis_plan() -> Html:
    """The pre-specified analysis plan in the current language (from the package templates)."""
    from ..i18n import current_language

    return render(f"plan/analysis_plan.{current_language()}.html")


def results_rows(results: pd.DataFrame) -> list[list]:
    """Every results row (numbers rounded for reading), sensitivity rows included."""
    body = []
    for r in results.itertuples(index=False):
        ci = (_("{a} to {b}").format(a=fmt(r.ci_low), b=fmt(r.ci_high))
              if not missing(r.ci_low) and not missing(r.ci_high) else "")
        n = (f"{fmt_count(r.n_pre)} / {fmt_count(r.n_post)}"
             if not (missing(r.n_pre) and missing(r.n_post)) else "")
        method = r.method + (" " + _("(primary)") if r.primary else "")
        direction = r.direction if isinstance(r.direction, str) else ""
        body.append([{"text": indicator_label(r.domain, r.indicator), "head": False},
                     {"text": method, **_note({"note": r.note})},
                     status_name(r.status), n, fmt(r.pre_value), fmt(r.post_value),
                     {"text": fmt(r.estimate), "sub": ci}, fmt_p(r.p_value), fmt_p(r.p_holm),
                     fmt_p(r.q_bh), fmt(r.effect_size),
                     {"text": direction_name(direction), "cls": direction}])
    return body


def diagnostics_rows(results: pd.DataFrame) -> list[list]:
    """Model diagnostics of the KPI rows: dispersion, Durbin-Watson, Ljung-Box, HAC lag, terms."""
    rows = results[(results["domain"] == "kpi") & (results["status"] == "ok")] \
        if not results.empty else results
    cols = [c for c in ("terms", "dispersion", "durbin_watson", "ljung_box_p", "hac_lag")
            if c in rows.columns]
    if len(cols) < 5:
        return []
    return [[{"text": indicator_label("kpi", r.indicator), "head": False}, r.method,
             {"html": render("code.html", text=r.terms)}, fmt(r.dispersion),
             fmt(r.durbin_watson), fmt_p(r.ljung_box_p), fmt_count(r.hac_lag)]
            for r in rows.itertuples(index=False)]


RISK_JUDGEMENTS = {"low": N_("low risk"), "high": N_("high risk"),
                   "unclear": N_("unclear risk")}


def risk_rows(data: EnterpriseData) -> list[list]:
    """The risk-of-bias table of the enterprise's interrupted time series (Cochrane EPOC
    criteria), in the current language, from :func:`score_analysis.stats.risk_of_bias`."""
    from ..stats.risk_of_bias import risk_of_bias

    if data.results.empty or "domain" not in data.results:
        return []
    table = risk_of_bias(data.enterprise, results=data.results, kpi=data.kpi,
                         quality_log=data.quality_log)
    return [[{"text": r.question, "head": True},
             {"text": _(RISK_JUDGEMENTS[r.judgement]), "cls": f"risk-{r.judgement}"},
             r.support] for r in table.itertuples(index=False)]


def appendix_href(data: EnterpriseData) -> str | None:
    """The address of the enterprise's appendix page from this page, when it is built (the
    appendix is in English only: the pages of other languages sit one folder deeper)."""
    if not data.appendix:
        return None
    up = "../" if current_language() != "en" else ""
    return f"{up}../appendix/{data.enterprise_id}.html"


@in_each_language
def methods_section(data: EnterpriseData) -> Html:
    """Section 8 (collapsed): risk of bias, models, diagnostics, every results row, the
    appendix with the code, and the analysis plan."""
    return render("sections/methods.html", diagnostics=diagnostics_rows(data.results),
                  results=results_rows(data.results), plan=analysis_plan(),
                  risk=risk_rows(data), appendix=appendix_href(data))


# --------------------------------------------------------------------------- provenance


def _provenance_of(source) -> dict:
    if isinstance(source, dict):
        return source
    return getattr(source, "provenance", None) or {}


def _provenance_html(provenance: dict) -> Html:
    if not provenance:
        return render("sections/provenance.html", facts=[], inputs=[], packages="")
    tool = provenance.get("tool", {})
    facts = [(_("Run date (UTC)"), provenance.get("run_date")),
             (_("Program"), f"{tool.get('name', '')} {tool.get('version', '')}".strip()),
             (_("Git commit"), tool.get("git_commit") or _("not recorded")),
             (_("Code fingerprint"), tool.get("code_fingerprint")),
             ("Python", provenance.get("python"))]
    facts += [(_("Parameter: {name}").format(name=k), v)
              for k, v in sorted(provenance.get("parameters", {}).items())]
    return render("sections/provenance.html",
                  facts=[(k, v) for k, v in facts if not missing(v)],
                  inputs=sorted(provenance.get("inputs", {}).items()),
                  packages=", ".join(f"{k} {v}" for k, v in
                                     sorted(provenance.get("packages", {}).items())))


def provenance_section(source) -> Html:
    """Section 9 (collapsed): input file hashes, package versions, commit, parameters, date.

    ``source``: the report's data (rendered in its languages) or a provenance dict.
    """
    if isinstance(source, dict):
        return _provenance_html(source)
    return in_each_language(lambda d: _provenance_html(_provenance_of(d)))(source)


def _footer_html(provenance: dict) -> Html:
    tool = provenance.get("tool", {})
    return render("sections/footer.html", name=tool.get("name", "score-analysis"),
                  version=tool.get("version", ""), date=short_date(provenance.get("run_date")))


def footer(data=None, *, provenance: dict | None = None) -> Html:
    """The page footer: when and from what the report was made."""
    if data is None:
        return _footer_html(provenance or {})
    return in_each_language(lambda d: _footer_html(_provenance_of(d)))(data)
