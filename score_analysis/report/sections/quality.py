"""The data-quality section: the findings of the data checks and the months used."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ...i18n import gettext as _
from ...i18n import ngettext
from ...stats.indicators import INDICATORS
from ..formatting import (
    missing,
)
from ..loading import EnterpriseData
from ..notes import note_lang
from ..rendering import Html, in_each_language, render
from ..wording import indicator_label, severity_name


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
            note = ngettext("{n} month left out: its numerator is blank or its exposure "
                            "blank or zero",
                            "{n} months left out: their numerator is blank or their exposure "
                            "blank or zero", gap).format(n=gap)
        else:
            note = ""
        body.append([indicator_label("kpi", r.indicator), pre, post, note])
    return body


def findings_rows(findings: pd.DataFrame) -> list[list]:
    """The data-quality findings as table rows (the templates escape every cell)."""
    return [[{"text": severity_name(r.severity), "head": False}, r.file,
             r.row if not missing(r.row) else "", r.column,
             r.value if not missing(r.value) else "", finding_message(r)]
            for r in findings.itertuples(index=False)]


def finding_message(finding) -> dict:
    """A data-check finding's message as a cell: rendered in the page's language from the
    rule's code and values when the quality log records them (``rule`` and ``params``, see
    :func:`score_analysis.data.findings.logged_message`); else as the checks wrote it,
    marked ``lang="en"`` on a page in another language."""
    params = getattr(finding, "params", None)
    if isinstance(params, str):
        from ...data.findings import logged_message

        try:
            return {"text": logged_message(finding.rule, "" if missing(finding.value)
                                           else str(finding.value), params), "lang": ""}
        except (ValueError, KeyError):
            pass
    message = finding.message if isinstance(finding.message, str) else ""
    return {"text": message, "lang": note_lang() if message else ""}


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
