"""The methods section (collapsed): risk of bias, diagnostics, every results row and the analysis
plan.
"""

from __future__ import annotations

import pandas as pd

from ...i18n import N_, current_language
from ...i18n import gettext as _
from ..formatting import (
    fmt,
    fmt_count,
    fmt_p,
    missing,
)
from ..loading import EnterpriseData
from ..notes import note_cell
from ..rendering import Html, in_each_language, render
from ..wording import (
    direction_name,
    indicator_label,
    status_name,
)


def analysis_plan() -> Html:
    """The pre-specified analysis plan in the current language (from the package templates)."""
    from ...i18n import current_language

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
                     {"text": method, **note_cell({"note": r.note})},
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
    from ...stats.risk_of_bias import risk_of_bias

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
