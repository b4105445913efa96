"""The one-page summaries of the workshop pack: one per enterprise and one for the
programme, rendered from the templates under ``templates/workshop/`` (autoescaping).

A page is self-contained like every report page (inline stylesheets, the chart as an
embedded SVG image, the reports' Content-Security-Policy) and prints on one A4 page: the
key messages are at most five, the notes at most three of each kind (with how many more
the full report holds), and a printed note longer than four lines is cut there.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from importlib import resources

import pandas as pd
from markupsafe import Markup

from ...i18n import current_language, ngettext, use_language
from ...i18n import gettext as _
from ...settings import PLAN, AnalysisSettings
from ..formatting import fmt_count, missing
from ..pages import CSP, exploratory_changes, print_stylesheet, stylesheet, twin_link
from ..rendering import render
from ..wording import KIND_TITLES, LANGUAGE_NAMES, SIMULATED_BANNER
from . import content
from .content import own_notes
from .loading import WorkshopData
from .wording import (
    PACK_TITLE,
    PROGRAMME_KICKER,
    SUMMARY_TITLE,
    evidence_sentence,
    implementation_text,
    message,
    programme_message,
    timeline_line,
)

#: The kinds of note on a one-page summary (the deck shows the constraints too).
SUMMARY_KINDS = ("good_practice", "lesson_learned")
_LANG_CODE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")


@dataclass(frozen=True)
class Chart:
    """A chart of the pack: the PNG and SVG files, its alt text and its size in inches."""

    name: str
    png: bytes
    svg: bytes
    alt: str
    width_in: float
    height_in: float

    def image(self) -> dict:
        """What the page's ``<img>`` needs: the SVG as a data URI (vector: sharp on screen
        and in the printed PDF, and lighter to print than the PNG; the PNG when there is no
        SVG) and the size in CSS pixels."""
        kind, data = ("svg+xml", self.svg) if self.svg else ("png", self.png)
        return {"src": f"data:image/{kind};base64," + base64.b64encode(data).decode("ascii"),
                "width": round(self.width_in * 96), "height": round(self.height_in * 96),
                "alt": self.alt}


@dataclass(frozen=True)
class Link:
    href: str
    text: str
    lang: str = ""


def synthesis_link(lang: str) -> str:
    """The programme summary of the pack in ``lang`` as seen from the synthesis page in that
    language (``reports/synthesis.html`` in English, ``reports/<lang>/synthesis.html``
    otherwise; the pack is ``reports/workshop/<lang>/``)."""
    return ("" if lang == "en" else "../") + f"workshop/{lang}/programme.html"


def workshop_stylesheet() -> str:
    return resources.files("score_analysis.report").joinpath(
        "templates/workshop/workshop.css").read_text(encoding="utf-8")


def note_language(code: object) -> tuple[str, str]:
    """``(lang attribute, visible tag)`` of a note written in ``code``: the tag names the
    language when it is not the page's; an invalid code gives neither."""
    if not isinstance(code, str) or not _LANG_CODE.fullmatch(code.strip()):
        return "", ""
    lang = code.strip()
    tag = "" if lang.split("-")[0].lower() == current_language() else LANGUAGE_NAMES.get(
        lang.lower(), lang)
    return lang, tag


def note_groups(qualitative: pd.DataFrame, kinds: tuple[str, ...], *,
                names: dict[str, str] | None = None,
                per_kind: int = content.NOTES_PER_KIND) -> list[dict]:
    """The notes of each kind as written, at most ``per_kind`` of each (with how many
    more there are)."""
    groups = []
    for kind, notes, more in own_notes(qualitative, kinds, per_kind):
        items = []
        for r in notes.itertuples(index=False):
            lang, tag = note_language(getattr(r, "language", None))
            items.append({"text": str(r.text), "lang": lang, "tag": tag,
                          "who": names.get(r.enterprise_id, r.enterprise_id) if names else ""})
        groups.append({"title": _(KIND_TITLES[kind]), "items": items,
                       "more": ngettext("and {n} more in the full report",
                                        "and {n} more in the full report", more).format(n=more)
                       if more else ""})
    return groups


def _facts(e: pd.Series) -> str:
    items = [e.get("sector"), e.get("location")]
    if not missing(e.get("employees")):
        items.append(ngettext("{n} employee", "{n} employees", int(e["employees"])).format(
            n=fmt_count(e["employees"])))
    return " · ".join(str(v) for v in items if not missing(v) and str(v).strip())


def _page(template: str, *, lang: str, twin: str | None, title: str, heading: str,
          simulated: bool, links: list[Link], settings: AnalysisSettings = PLAN,
          **context) -> str:
    other = "id" if lang == "en" else "en"
    return str(render(template, csp=Markup(CSP), css=Markup(stylesheet()),
                      exploratory=exploratory_changes(settings),
                      print_css=Markup(print_stylesheet()),
                      workshop_css=Markup(workshop_stylesheet()),
                      twin=twin_link(twin, other), title=title, heading=heading,
                      simulated=simulated, links=links, **context)) + "\n"


def enterprise_messages(data: WorkshopData, enterprise_id: str) -> list[dict]:
    """The key messages of one enterprise in the current language."""
    unit = data.enterprise(enterprise_id).get("output_unit")
    return [message(f, unit) for f in data.key_figures(enterprise_id)]


def enterprise_timeline(data: WorkshopData, enterprise_id: str) -> str:
    e = data.enterprise(enterprise_id)
    own = data.milestones[data.milestones["enterprise_id"] == enterprise_id] \
        if not data.milestones.empty else data.milestones
    return timeline_line(content.milestone_dates(own),
                         period=content.record_period(data.months, enterprise_id),
                         start=None if missing(e.get("intervention_month"))
                         else str(e["intervention_month"]))


def summary_page(data: WorkshopData, enterprise_id: str, *, lang: str, chart: Chart | None,
                 links: list[Link] = (), twin: str | None = None) -> str:
    """The one-page workshop summary of one enterprise (a whole HTML page)."""
    with use_language(lang):
        e = data.enterprise(enterprise_id)
        own = data.only(enterprise_id)
        simulated = str(e["data_source"]) == "simulated"
        heading = _("{title}: {name}").format(title=_(SUMMARY_TITLE), name=e["name"])
        return _page(
            "workshop/summary.html", lang=lang, twin=twin, heading=heading,
            title=heading, simulated=simulated, links=list(links), settings=data.settings,
            kicker=_(PACK_TITLE) + " · " + _(PROGRAMME_KICKER), facts=_facts(e),
            timeline=enterprise_timeline(data, enterprise_id), kind="enterprise",
            messages=enterprise_messages(data, enterprise_id),
            evidence=evidence_sentence(comparison=content.comparison_design(own.results)),
            figure=chart.image() if chart is not None else None,
            implementation=implementation_text(content.implementation_at_last_visit(
                data.implementation, enterprise_id)),
            groups=note_groups(own.qualitative, SUMMARY_KINDS))


def programme_timeline(data: WorkshopData) -> str:
    ids = data.programme_ids
    ents = data.enterprises[data.enterprises["enterprise_id"].isin(ids)]
    starts = sorted(set(ents["intervention_month"].dropna().astype(str)))
    months = data.months[data.months["enterprise_id"].isin(ids)] if not data.months.empty \
        else data.months
    miles = data.milestones[data.milestones["enterprise_id"].isin(ids)] \
        if not data.milestones.empty else data.milestones
    return timeline_line(content.milestone_dates(miles), period=content.record_period(months),
                         start=starts[0] if len(starts) == 1 else None)


def programme_page(data: WorkshopData, *, lang: str, chart: Chart | None,
                   links: list[Link] = (), twin: str | None = None) -> str:
    """The one-page workshop summary of the programme across its enterprises."""
    with use_language(lang):
        ids = data.programme_ids
        names = data.names
        spreads = data.spreads
        results = data.results[data.results["enterprise_id"].isin(ids)] \
            if not data.results.empty else data.results
        impl = [(eid, content.implementation_at_last_visit(data.implementation, eid))
                for eid in ids]
        heading = ngettext("{title}: the programme in {n} enterprise",
                           "{title}: the programme in {n} enterprises", len(ids)).format(
            title=_(SUMMARY_TITLE), n=len(ids))
        notes = data.qualitative[data.qualitative["enterprise_id"].isin(ids)] \
            if not data.qualitative.empty else data.qualitative
        return _page(
            "workshop/programme.html", lang=lang, twin=twin, heading=heading, title=heading,
            simulated=data.simulated, links=list(links), settings=data.settings,
            kicker=_(PACK_TITLE) + " · " + _(PROGRAMME_KICKER),
            facts=", ".join(names[e] for e in ids), timeline=programme_timeline(data),
            kind="programme",
            messages=[programme_message(s) for s in spreads],
            evidence=evidence_sentence(comparison=content.comparison_design(results),
                                       enterprises=len(ids)),
            figure=chart.image() if chart is not None else None,
            implementation=[{"who": names[eid], "text": implementation_text(i)}
                            for eid, i in impl if i is not None],
            groups=note_groups(notes, SUMMARY_KINDS, names=names, per_kind=1))


def simulated_banner() -> str:
    """The simulated-data banner's words in the current language."""
    return _(SIMULATED_BANNER)
