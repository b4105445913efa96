"""The sections of the synthesis report across enterprises, one function per notebook cell."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..i18n import gettext as _
from ..settings import PLAN, AnalysisSettings
from ..stats.indicators import INDICATORS
from .figures import figure_html, forest_alt
from .formatting import (
    fmt,
    fmt_count,
    fmt_plain,
    fmt_signed,
    missing,
    month_name,
    signed_percent,
)
from .loading import SynthesisData, primary_rows
from .rendering import Html, in_each_language, render
from .sections import findings_rows, marker, note_groups, short_note
from .wording import (
    Family,
    adjusting_for,
    direction_name,
    evidence_level,
    family_of,
    finite,
    indicator_label,
    is_confirmatory,
    p_holm_text,
    p_text,
    p_unadjusted_text,
    pooled_direction,
    ratio_interval,
)


def _enterprise_rows(data: SynthesisData) -> list[dict]:
    return [{"id": e.enterprise_id, "name": e.name,
             "href": None if e.enterprise_id in data.missing_pages
             else f"enterprises/{e.enterprise_id}.html"}
            for e in data.enterprises.itertuples(index=False)]


@in_each_language
def synthesis_header(data: SynthesisData) -> Html:
    """Banner, title, the enterprises and what a before/after synthesis can show."""
    rows = [[{"html": render("link.html", href=f"enterprises/{e.enterprise_id}.html",
                             text=e.name) if e.enterprise_id not in data.missing_pages
              else None, "text": e.name, "head": True},
             e.sector, e.location, month_name(e.intervention_month)]
            for e in data.enterprises.itertuples(index=False)]
    missing_names = [e.name for e in data.enterprises.itertuples(index=False)
                     if e.enterprise_id in data.missing_pages]
    from ..i18n import current_language
    from .sections.summary import caveat_values
    from .workshop.pages import synthesis_link

    comparison = (list(data.comparison_enterprises["name"])
                  if "name" in data.comparison_enterprises else [])
    return Html(render("sections/synthesis_header.html", simulated=data.simulated,
                       n=len(data.enterprises), rows=rows, missing_names=missing_names,
                       comparison_names=comparison,
                       **caveat_values(data.results, data.settings))
                + render("workshop/link.html", href=synthesis_link(current_language())))


_GRID_SHORT = {"inconclusive": "○", "described": "·"}


def _grid_cell(row, settings: AnalysisSettings = PLAN) -> dict:
    """A compact grid cell: the marker for clear results, a short sign with its words for
    screen readers otherwise (an exploratory estimate: its arrow, no verdict)."""
    cls, mark = marker(row, settings)
    if cls in ("improved", "worsened"):
        return {"text": mark, "cls": "mark " + cls}
    words = mark.lstrip("▲▼● ")
    if cls == "na":
        note = short_note(row, settings)
        short = {_("not tracked"): "n/t", _("no data"): "n/d"}.get(
            note, f"<{settings.min_cell}" if row["status"] == "suppressed" else "—")
    elif cls in ("described", "exploratory"):
        short = mark[:1]
    else:
        short = _GRID_SHORT.get(cls, "—")
    return {"html": render("grid_cell.html", short=short, words=words), "cls": "mark " + cls}


@in_each_language
def synthesis_grid(data: SynthesisData) -> Html:
    """Enterprise × indicator grid of the primary results' directions."""
    prim = primary_rows(data.results)
    if prim.empty:
        return render("sections/grid.html", head=[], rows=[])
    indicators = list(dict.fromkeys(zip(prim["domain"], prim["indicator"], strict=True)))
    rows = []
    for ent in _enterprise_rows(data):
        own = prim[prim["enterprise_id"] == ent["id"]]
        cells = [{"html": render("link.html", href=ent["href"], text=ent["name"])
                  if ent["href"] else None, "text": ent["name"], "head": True}]
        for d, i in indicators:
            r = own[(own["domain"] == d) & (own["indicator"] == i)]
            cells.append({"text": "—", "cls": "na"} if r.empty
                         else _grid_cell(r.iloc[0], data.settings))
        rows.append(cells)
    conf = [indicator_label(d, i) for d, i in indicators
            if data.settings.is_confirmatory(i)]
    return render("sections/grid.html", head=[indicator_label(d, i) for d, i in indicators],
                  rows=rows, privacy=data.settings.min_cell, alpha=fmt_plain(data.settings.alpha),
                  confirmatory=", ".join(conf))


def _pooled_sorted(pooled: pd.DataFrame) -> pd.DataFrame:
    order = {name: i for i, name in enumerate(INDICATORS)}
    if pooled.empty:
        return pooled
    primary = (pooled["primary"].astype(bool) if "primary" in pooled.columns
               else pd.Series(True, index=pooled.index))
    key = [((0, order.get(i, 99), i) if d == "kpi" else (1 if d == "five_s" else 2, 0, i))
           + (0 if p else 1,)
           for d, i, p in zip(pooled["domain"], pooled["indicator"], primary, strict=True)]
    return pooled.assign(_order=key).sort_values("_order").drop(columns="_order")


def _value(v, ratio: bool) -> str:
    if missing(v):
        return ""
    return fmt(v) if ratio else fmt_signed(v)


def pooled_family(pooled: pd.DataFrame, settings: AnalysisSettings = PLAN) -> Family:
    """The confirmatory pooled outcomes adjusted together (Holm)."""
    if pooled.empty:
        return Family((), (), ())
    rows = pooled.copy()
    if "status" not in rows:
        rows["status"] = np.where(rows["estimate"].notna(), "ok", "insufficient_data")
    if "primary" not in rows:
        rows["primary"] = True
    return family_of(rows, settings)


def tau2_zero(row) -> bool:
    """Whether the pooling estimated the variance between enterprises as 0 (read from
    ``tau2``, or from the ``tau2_zero`` note the pooling wrote)."""
    code = row.get("note_code") if hasattr(row, "get") else None
    if isinstance(code, str) and "tau2_zero" in code:
        return True
    return finite(row.get("tau2")) and float(row["tau2"]) == 0.0


def pooled_table(data: SynthesisData) -> Html:
    """The table of pooled estimates (also part of :func:`forest_plots`)."""
    from .rendering import environment

    macro = environment().get_template("macros.html").module.data_table
    return Html(macro(_("Pooled estimates"), [_("Indicator"), "k", _("Estimated mean effect"),
                                              _("95% CI"), _("Prediction interval"), "p", "τ²",
                                              _("I² (%)"), _("Result")],
                      pooled_rows(data.pooled, data.settings)))


def design_name(source: str) -> str:
    """The design a pooled monthly result rests on, by the method it pools."""
    return (_("controlled design: against the comparison enterprises")
            if source == "cits_effect_end" else
            _("single series: each enterprise against its own past"))


def _analysis_name(source: str, primary: bool, confirmatory: bool,
                   designs: bool = False) -> str:
    """The second line of a pooled row's name: primary or which sensitivity analysis, and
    (``designs``: the table pools controlled estimates somewhere) the design of a primary
    monthly result."""
    if primary:
        name = _("primary, confirmatory") if confirmatory else _("primary, exploratory")
        if designs and source in ("cits_effect_end", "its_effect_end"):
            return _("{analysis}; {design}").format(analysis=name, design=design_name(source))
        return name
    if source == "cits_effect_end":
        return _("sensitivity: with the comparison group")
    if source == "rate_ratio_step":
        return _("sensitivity: naive step")
    if source == "its_level":
        return _("sensitivity: step at the programme start")
    if source == "welch_t":
        return _("sensitivity: all respondents (Welch)")
    if source == "its_effect_end":
        return _("sensitivity: without the comparison group")
    return _("sensitivity")


def pooled_rows(pooled: pd.DataFrame, settings: AnalysisSettings = PLAN) -> list[list]:
    """Rows of the pooled table: estimated mean effect, CI, prediction interval, p (adjusted
    for the confirmatory outcomes, unadjusted for the others), τ², I² and the verdict read
    from ``pooled.csv``."""
    rows = []
    designs = has_controlled_pooling(pooled)
    for _i, r in _pooled_sorted(pooled).iterrows():
        ratio = r["estimate_scale"] == "rate_ratio"
        primary = bool(r["primary"]) if "primary" in r else True
        source = r["source_method"] if "source_method" in r else ""
        confirmatory = primary and is_confirmatory(r, settings)
        name = indicator_label(r["domain"], r["indicator"])
        analysis = _analysis_name(source, primary, confirmatory, designs)
        if missing(r["estimate"]):
            rows.append([{"text": name, "sub": analysis}, r["k"],
                         {"text": _("not pooled (k = {k}, fewer than {n})").format(
                             k=fmt_count(r["k"]), n=settings.min_pooled), "colspan": 7}])
            continue
        est = _value(r["estimate"], ratio)
        if ratio and r["estimate"] < 2:
            est += f" ({signed_percent(r['estimate'])})"
        ci = _("{a} to {b}").format(a=_value(r["ci_low"], ratio), b=_value(r["ci_high"], ratio))
        pi = (_("{a} to {b}").format(a=_value(r.get("pi_low"), ratio),
                                     b=_value(r.get("pi_high"), ratio))
              if not missing(r.get("pi_low")) else "")
        pi_cell = {"text": pi, "sub": _("τ² estimated as 0") if tau2_zero(r) else ""}
        p = (p_holm_text(r["p_holm"]) if confirmatory and not missing(r.get("p_holm"))
             else p_unadjusted_text(r["p_value"]))
        direction = (direction_name(pooled_direction(r)) if confirmatory
                     else _("exploratory, no verdict") if primary
                     else _("no verdict (sensitivity)"))
        rows.append([{"text": name, "sub": analysis}, r["k"], est, ci, pi_cell, p,
                     fmt(r["tau2"]), fmt(r["i2"], 2), direction])
    return rows


def pooled_verdict(row, family: Family, settings: AnalysisSettings = PLAN) -> str:
    """The verdict clause of a pooled sentence: the adjusted p of a confirmatory outcome
    (with the size of the family and the direction read from ``pooled.csv``), or the
    unadjusted p of an exploratory one."""
    if not is_confirmatory(row, settings):
        return _("an exploratory estimate: {p}, not adjusted for multiple testing").format(
            p=p_text(row["p_value"]))
    direction = pooled_direction(row)
    adjusting = adjusting_for(family)
    if direction in ("improved", "worsened"):
        level = evidence_level(row["p_holm"], settings)
        return (_("{direction} {adjusting}, strong evidence: {p}") if level == "strong" else
                _("{direction} {adjusting}, moderate evidence: {p}")).format(
            direction=direction_name(direction), adjusting=adjusting,
            p=p_holm_text(row["p_holm"]))
    return _("not significant {adjusting}: {p}, so it could be chance").format(
        adjusting=adjusting, p=p_holm_text(row["p_holm"]))


def pooled_sentences(pooled: pd.DataFrame, domain: str,
                     settings: AnalysisSettings = PLAN) -> list[dict]:
    """One sentence per primary pooled estimate of ``domain``: the estimated mean change for
    enterprises like these, its interval and verdict, and the prediction interval: where the
    change of a further enterprise like these would lie (never what it "could expect" from
    the programme, which a before/after design cannot promise); each as ``{"text",
    "indicator"}``."""
    out = []
    if pooled.empty:
        return out
    family = pooled_family(pooled, settings)
    designs = has_controlled_pooling(pooled)
    pooled = pooled[pooled["domain"] == domain]
    prim = pooled[pooled["primary"].astype(bool)] if "primary" in pooled.columns else pooled
    for _i, r in _pooled_sorted(prim).iterrows():
        if missing(r["estimate"]):
            continue
        name = indicator_label(r["domain"], r["indicator"])
        ratio = r["estimate_scale"] == "rate_ratio"
        show = signed_percent if ratio else _points
        k = int(r["k"])
        source = r.get("source_method", "")
        if not ratio:
            text = _("{name}: across the {k} enterprises, the estimated mean change is "
                     "{estimate} (95% CI {low} to {high}); {verdict}.")
        elif source == "cits_effect_end":
            text = _("{name}: across the {k} enterprises, the estimated mean change at the "
                     "last month against each enterprise's trend before the programme and the "
                     "comparison enterprises (the controlled design) is {estimate} (95% CI "
                     "{low} to {high}); {verdict}.")
        elif designs:
            text = _("{name}: across the {k} enterprises, the estimated mean change at the "
                     "last month against each enterprise's trend before the programme (the "
                     "single series: fewer than {n} enterprises had the controlled estimate) "
                     "is {estimate} (95% CI {low} to {high}); {verdict}.")
        else:
            text = _("{name}: across the {k} enterprises, the estimated mean change at the "
                     "last month against each enterprise's trend before the programme is "
                     "{estimate} (95% CI {low} to {high}); {verdict}.")
        text = text.format(n=settings.min_pooled,
            name=name, k=k, estimate=show(r["estimate"]), low=show(r["ci_low"]),
            high=show(r["ci_high"]), verdict=pooled_verdict(r, family, settings))
        if tau2_zero(r):
            text += " " + _("The spread between enterprises could not be estimated from {k} "
                            "enterprises (τ² estimated as 0), so the prediction interval is no "
                            "wider than the confidence interval; this does not show that the "
                            "enterprises changed alike.").format(k=k)
        elif not missing(r.get("pi_low")) and not missing(r.get("pi_high")):
            interval = (ratio_interval(r["pi_low"], r["pi_high"]) if ratio else
                        _("{a} to {b}").format(a=_points(r["pi_low"]), b=_points(r["pi_high"])))
            text += " " + _("In a further enterprise like these, the change would lie in the "
                            "range {interval} (95% prediction interval), if it followed the "
                            "same pattern as these {k}.").format(interval=interval, k=k)
        out.append({"text": text, "indicator": r["indicator"]})
    return out


def _points(value) -> str:
    return _("{change} points").format(change=fmt_signed(value))


def small_k_note(pooled: pd.DataFrame, settings: AnalysisSettings = PLAN) -> Html:
    """What pooling over these enterprises can and cannot support (HTML).

    Below 10 enterprises the note says what so few cannot support; from 10 on it
    keeps only what holds for any number (the enterprises were not sampled).
    """
    k = int(pooled["k"].max()) if not pooled.empty else 0
    return render("sections/small_k.html", k=k, df=max(k - 1, 1),
                  pi_df=max(k - settings.prediction_df_offset, 1), min_pooled=settings.min_pooled)


def studies(data: SynthesisData, domain: str, indicator: str, methods: tuple[str, ...], *,
            primary_only: bool = False) -> pd.DataFrame:
    """One row per enterprise: name, estimate, ci_low, ci_high, note (for forest plots), from
    the rows of ``methods`` (only the primary ones with ``primary_only``)."""
    res = data.results
    sub = res[(res["domain"] == domain) & (res["indicator"] == indicator)
              & res["method"].isin(methods)]
    if primary_only:
        sub = sub[sub["primary"].astype(bool)]
    sub = sub.drop_duplicates("enterprise_id")
    rows = []
    by_id = dict(zip(sub["enterprise_id"], sub.to_dict("records"), strict=True))
    for e in data.enterprises.itertuples(index=False):
        r = by_id.get(e.enterprise_id)
        if r is None:
            rows.append({"name": e.name, "estimate": np.nan, "ci_low": np.nan,
                         "ci_high": np.nan, "note": _("no data")})
            continue
        ok = r["status"] == "ok" and not missing(r["estimate"]) and np.isfinite(
            float(r["estimate"]))
        rows.append({"name": e.name, "estimate": float(r["estimate"]) if ok else np.nan,
                     "ci_low": float(r["ci_low"]) if ok else np.nan,
                     "ci_high": float(r["ci_high"]) if ok else np.nan,
                     "note": "" if ok else short_note(r, data.settings)})
    return pd.DataFrame(rows, columns=["name", "estimate", "ci_low", "ci_high", "note"])


def pooled_row(data: SynthesisData, domain: str, indicator: str,
               method: str | None = None) -> pd.Series | None:
    """The primary pooled row of an indicator (or that of ``method``), None if not pooled."""
    p = data.pooled
    if p.empty:
        return None
    sub = p[(p["domain"] == domain) & (p["indicator"] == indicator)]
    if method is not None and "source_method" in sub.columns:
        sub = sub[sub["source_method"] == method]
    elif "primary" in sub.columns:
        sub = sub[sub["primary"].astype(bool)]
    if sub.empty or missing(sub.iloc[0]["estimate"]):
        return None
    return sub.iloc[0]


def pool_subtitle(pooled: pd.Series | None, k_fallback: int,
                  settings: AnalysisSettings = PLAN) -> str:
    """The subtitle of a forest plot: k, τ², I², or why it is not pooled."""
    if pooled is None:
        return _("Not pooled: k = {k} enterprises with an estimate (needs {n}).").format(
            k=k_fallback, n=settings.min_pooled)
    return f"k = {int(pooled['k'])}, τ² = {fmt(pooled['tau2'])}, I² = {fmt(pooled['i2'], 2)}%"


def many_note(n: int) -> str:
    """What the forest plots do with many enterprises (empty when each row is named)."""
    from .charts import MANY_ROWS, many_rows

    if not many_rows(n):
        return ""
    return _("With more than {n} enterprises the rows are not named: each line is one "
             "enterprise, sorted by its estimate; every enterprise's figures are in its own "
             "report and in results.csv.").format(n=MANY_ROWS)


def kpi_source(pooled: pd.DataFrame, indicator: str) -> str:
    """The method whose estimates an indicator's primary pooling uses: ``cits_effect_end``
    when at least ``min_pooled`` enterprises have the controlled estimate, else
    ``its_effect_end`` (docs/analysis_plan.md §7), read from ``pooled.csv``."""
    if not pooled.empty and "source_method" in pooled.columns:
        prim = pooled[(pooled["domain"] == "kpi") & (pooled["indicator"] == indicator)
                      & pooled["primary"].astype(bool)]
        if not prim.empty and isinstance(prim["source_method"].iloc[0], str):
            return prim["source_method"].iloc[0]
    return "its_effect_end"


def has_controlled_pooling(pooled: pd.DataFrame) -> bool:
    """Whether the pooled table has rows of the controlled estimate (some enterprise had a
    comparison group)."""
    return (not pooled.empty and "source_method" in pooled.columns
            and bool((pooled["source_method"] == "cits_effect_end").any()))


@in_each_language
def forest_plots(data: SynthesisData) -> Html:
    """A forest plot per monthly indicator: each enterprise and the estimated mean effect."""
    from .charts import forest_figure

    figures = []
    for name, ind in INDICATORS.items():
        source = kpi_source(data.pooled, name)
        rows = studies(data, "kpi", name, (source,))
        if rows["estimate"].notna().sum() == 0:
            continue
        pooled = pooled_row(data, "kpi", name)
        label = indicator_label("kpi", name)
        xlabel = (_("Rate ratio (lower is better)") if ind.good_direction < 0
                  else _("Rate ratio (higher is better)"))
        fig = forest_figure(rows, pooled, title=label, ratio=True, xlabel=xlabel,
                            subtitle=pool_subtitle(pooled, int(rows["estimate"].notna().sum()),
                                                   data.settings))
        figures.append(figure_html(fig, forest_alt(label, rows, pooled, True)))
    return render("sections/forest.html", figures=figures,
                  design=forest_design(has_controlled_pooling(data.pooled), data.settings),
                  many=many_note(len(data.enterprises)),
                  note=small_k_note(data.pooled, data.settings),
                  sentences=pooled_sentences(data.pooled, "kpi", data.settings),
                  table=pooled_rows(data.pooled, data.settings) if not data.pooled.empty
                  else [])


def forest_design(controlled: bool, settings: AnalysisSettings = PLAN) -> str:
    """What the forest plots of the monthly indicators compare: the design each rests on."""
    if not controlled:
        return _("Each enterprise's effect at the last month, against its trend before the "
                 "programme (a rate ratio: 1 = no difference, below 1 = lower, above 1 = "
                 "higher), with its 95% CI, and the estimated mean effect for enterprises like "
                 "these as a diamond. No comparison group was available, so these effects "
                 "cannot be told apart from changes that hit every enterprise in the same "
                 "months.")
    text = _("Each enterprise's effect at the last month (a rate ratio: 1 = no difference, "
             "below 1 = lower, above 1 = higher), with its 95% CI, and the estimated mean "
             "effect for enterprises like these as a diamond. Where at least {n} enterprises "
             "have the controlled estimate, the effects are against each enterprise's trend "
             "before the programme and the comparison enterprises (the controlled design, "
             "which rules out changes that hit every enterprise in the same months but not a "
             "change in one enterprise alone); otherwise against the trend before the "
             "programme only (the single series). Each result below names its "
             "design.").format(n=settings.min_pooled)
    return text


def five_s_rows(data: SynthesisData) -> list[list]:
    """Each enterprise's 5S index at the first and last audit and the change (described)."""
    res = data.results
    sub = res[(res["domain"] == "five_s") & (res["method"] == "five_s_change")] \
        if not res.empty else res
    by_id = {r["enterprise_id"]: r for _i, r in sub.iterrows()} if not sub.empty else {}
    rows = []
    for e in data.enterprises.itertuples(index=False):
        r = by_id.get(e.enterprise_id)
        if r is None or r["status"] != "ok":
            rows.append([e.name, {"text": short_note(r, data.settings) if r is not None
                                  else _("no data"),
                                  "colspan": 3}])
            continue
        rows.append([e.name, fmt(r["pre_value"], 2), fmt(r["post_value"], 2),
                     fmt_signed(r["estimate"])])
    return rows


@in_each_language
def five_s_overview(data: SynthesisData) -> Html:
    """The 5S index of every enterprise across audits, side by side (described, not pooled)."""
    from .charts import five_s_index_figure

    if data.five_s.empty:
        return render("sections/five_s_overview.html", empty=True)
    idx = data.five_s.sort_values(["enterprise_id", "audit_date"])
    names = data.names
    alt = _("Line chart of the 5S index (0 to 100) at each audit, one line per enterprise.") \
        + " " + " ".join(f"{names.get(e, e)}: " + ", ".join(
            fmt(v, 2) for v in g["five_s_index"]) + "."
            for e, g in idx.groupby("enterprise_id", sort=False))
    changes = data.results[(data.results["domain"] == "five_s")
                           & (data.results["method"] == "five_s_change")
                           & (data.results["status"] == "ok")]["estimate"]
    summary = ""
    if len(changes):
        summary = _("The 5S index changed by {mean} points on average (from {low} to {high} "
                    "across {n} enterprises); 5S is described side by side, not pooled or "
                    "tested.").format(mean=fmt_signed(changes.mean()),
                                      low=fmt_signed(changes.min()),
                                      high=fmt_signed(changes.max()), n=len(changes))
    return render("sections/five_s_overview.html", empty=False,
                  figure=figure_html(five_s_index_figure(idx, names), alt),
                  rows=five_s_rows(data), summary=summary)


@in_each_language
def survey_overview(data: SynthesisData) -> Html:
    """Survey construct changes side by side, each with the estimated mean effect."""
    from .charts import survey_changes_figure

    res = data.results[data.results["domain"] == "survey"] if not data.results.empty \
        else data.results
    if res.empty:
        return render("sections/survey_overview.html", empty=True)
    panels, alts = [], []
    for construct in sorted(res["indicator"].unique()):
        rows = studies(data, "survey", construct, ("paired_t", "welch_t"), primary_only=True)
        pooled = pooled_row(data, "survey", construct)
        title = indicator_label("survey", construct)
        panels.append((title, rows, pooled))
        alts.append(forest_alt(title, rows, pooled, False))
    fig = survey_changes_figure(panels)
    return render("sections/survey_overview.html", empty=False,
                  many=many_note(len(data.enterprises)), privacy=data.settings.min_cell,
                  sentences=pooled_sentences(data.pooled, "survey", data.settings),
                  figure=figure_html(fig, _("Survey construct changes side by side.") + " "
                                     + " ".join(alts)))


@in_each_language
def qualitative_overview(data: SynthesisData) -> Html:
    """Good practices, lessons learned and constraints of every enterprise, by kind."""
    groups = note_groups(data.qualitative, data.names) if not data.qualitative.empty else []
    return render("sections/qualitative.html", groups=groups, synthesis=True)


@in_each_language
def synthesis_quality(data: SynthesisData) -> Html:
    """Data-quality findings across enterprises, and the methods of the synthesis (collapsed)."""
    from .sections import analysis_plan
    from .sections.methods import methods_paragraphs, plan_statement

    settings = data.settings
    from .sections.methods import comparison_paragraph

    names = (tuple(data.comparison_enterprises["name"])
             if "name" in data.comparison_enterprises else ())
    return render("sections/synthesis_quality.html", findings=findings_rows(data.quality),
                  plan=analysis_plan(settings), plan_statement=plan_statement(settings),
                  methods=[*methods_paragraphs(settings),
                           comparison_paragraph(data.results, names, settings)],
                  pooling=pooling_paragraph(settings))


def pooling_paragraph(settings: AnalysisSettings = PLAN) -> str:
    """How the synthesis pools, each number the run's setting."""
    return _("Pooling: random-effects meta-analysis, with REML τ² and the Knapp-Hartung "
             "interval, never narrower than the standard one, as {call}, of each monthly "
             "indicator's effect at the last month (log rate ratio, variance = squared standard "
             "error) and of each enterprise's primary survey mean change with its own standard "
             "error, over at least {min_pooled} enterprises. The prediction interval uses "
             "k − {offset} degrees of freedom; where τ² is estimated as 0 the spread between "
             "enterprises could not be estimated. The step at the programme start and the "
             "naive step (monthly indicators) and Welch's differences of all respondents "
             "(survey) are pooled as sensitivity analyses; 5S is not pooled. Holm's method "
             "adjusts the confirmatory pooled outcomes together.").format(
        call='metafor::rma(yi, vi, method = "REML", test = "adhoc")',
        min_pooled=settings.min_pooled, offset=settings.prediction_df_offset)
