"""The 5S section: pillar scores and the 5S index across audits, described."""

from __future__ import annotations

import pandas as pd

from ...i18n import gettext as _
from ...settings import PLAN, AnalysisSettings
from ..figures import (
    figure_html,
)
from ..formatting import (
    day,
    fmt,
    fmt_count,
    fmt_signed,
)
from ..loading import EnterpriseData
from ..notes import note_cell, note_words
from ..rendering import Html, in_each_language, render
from ..wording import (
    evidence,
    finite,
    is_confirmatory,
    method_name,
    p_holm_text,
    p_text,
    p_unadjusted_text,
)
from .summary import short_note


def tests_rows(rows: pd.DataFrame, settings: AnalysisSettings = PLAN) -> list[list]:
    """Rows of a table of tests: method, n, change, CI, p, evidence.  A confirmatory primary
    row shows its adjusted p (Holm) and evidence; every other row its unadjusted p and no
    verdict; the 5S change is described, not tested."""
    body = []
    for _i, r in rows.iterrows():
        name = method_name(r["method"], settings)
        if r["primary"] and r["method"] != "five_s_change":
            name = _("{name} (primary)").format(name=name)
        if r["status"] != "ok":
            text, lang = note_words(r)
            body.append([{"text": name, "head": False},
                         {"text": short_note(r, settings), "colspan": 5, "sub": text,
                          "sub_lang": lang}])
            continue
        ci = _("{a} to {b}").format(a=fmt_signed(r["ci_low"]), b=fmt_signed(r["ci_high"])) \
            if finite(r["ci_low"]) and finite(r["ci_high"]) else "—"
        if r["method"] == "five_s_change":
            p, ev = "—", _("described, not tested")
        elif r["primary"] and is_confirmatory(r, settings):
            p, ev = p_holm_text(r["p_holm"]), evidence(r["p_holm"], settings)
        elif r["primary"]:
            p, ev = p_unadjusted_text(r["p_value"]), _("exploratory, no verdict")
        else:
            p, ev = p_text(r["p_value"]), _("no verdict (secondary)")
        note = note_cell(r) if r["method"] != "five_s_change" else {}
        body.append([{"text": name, "head": False, **note}, fmt_count(r["n_pre"]),
                     fmt_signed(r["estimate"]), ci, p, ev])
    return body


@in_each_language
def five_s_section(data: EnterpriseData) -> Html:
    """Section 4: 5S pillar scores per audit, the 5S index across audits, described."""
    from ..charts import five_s_index_figure, five_s_pillar_figure, pillar_name

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
                  tests=tests_rows(rows, data.settings) if not rows.empty else [])
