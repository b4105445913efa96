"""Whole pages: the shell around a report's sections, the index and the failed page.

Every page is self-contained: the stylesheet is inlined and a
Content-Security-Policy forbids scripts and any network request, so a page
opens the same from a USB stick.  Each page carries ``<html lang>``, and, when
it has a twin in the other language, a ``<link rel="alternate" hreflang>`` and
a visible link to it.  A page built with analysis settings other than the plan's
opens with a banner that names each of them (:func:`exploratory_changes`).
"""

from __future__ import annotations

from importlib import resources

from markupsafe import Markup

from ..i18n import N_, current_language, ngettext, use_language
from ..i18n import gettext as _
from ..settings import PLAN, AnalysisSettings
from .formatting import fmt_count, month_name, short_date
from .rendering import Html, render
from .wording import LANGUAGE_NAMES

#: Content-Security-Policy of every page (the reports, the index, the appendix pages): no
#: scripts, no network, only inline styles and embedded images (a second line of defence
#: behind escaping).
CSP = ("default-src 'none'; img-src data:; style-src 'unsafe-inline'; base-uri 'none'; "
       "form-action 'none'")

#: How the exploratory-settings banner names each setting that differs from the plan:
#: ``{used}`` is the value of the run, ``{plan}`` the plan's.
SETTING_CHANGES = {
    "plan_version": N_("analysis plan version {used} instead of {plan}"),
    "plan_date": N_("analysis plan dated {used} instead of {plan}"),
    "alpha": N_("significance level {used} instead of {plan}"),
    "strong_evidence": N_("strong evidence below an adjusted p of {used} instead of {plan}"),
    "confirmatory": N_("confirmatory family {used} instead of {plan}"),
    "min_months_its": N_("at least {used} months before and after for the segmented models "
                         "instead of {plan}"),
    "min_months_step": N_("at least {used} months before and after for the step change "
                          "instead of {plan}"),
    "min_months_placebo": N_("at least {used} months on each side of the placebo start "
                             "instead of {plan}"),
    "min_events": N_("at least {used} events before and after instead of {plan}"),
    "phase_in_months": N_("phase-in {used} months instead of {plan}"),
    "eid": N_("Lebaran (Idul Fitri) term {used} instead of {plan}"),
    "harmonic_pairs": N_("{used} seasonal harmonic pairs instead of {plan}"),
    "newey_west_lag": N_("Newey-West lag {used} instead of {plan}"),
    "se_rule": N_("standard-error rule {used} instead of {plan}"),
    "inference": N_("inference {used} instead of {plan}"),
    "ljung_box_lag": N_("Ljung-Box lag {used} instead of {plan}"),
    "comparison_group": N_("comparison series {used} instead of {plan}"),
    "min_cell": N_("smallest group of respondents shown {used} instead of {plan}"),
    "min_pooled": N_("at least {used} enterprises to pool instead of {plan}"),
    "prediction_df_offset": N_("prediction interval with k − {used} degrees of freedom "
                               "instead of k − {plan}"),
    "attrition_high": N_("high attrition risk below a share of {used} instead of {plan}"),
    "missing_months_low": N_("low risk from missing months up to a share of {used} instead "
                             "of {plan}"),
    "missing_months_high": N_("high risk from missing months above a share of {used} instead "
                              "of {plan}"),
}


def _setting_value(value: object) -> str:
    """A setting's value in the page's language: numbers in its notation, on/off, lists."""
    from babel.numbers import format_decimal

    from .formatting import locale

    if value is None:
        return _("the plan's rule")
    if isinstance(value, bool):
        return _("on") if value else _("off")
    if isinstance(value, int | float):
        return format_decimal(value, locale=locale())
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value) if value else _("none")
    return str(value)


def exploratory_changes(settings: AnalysisSettings | None) -> list[str]:
    """Each setting that differs from the shipped plan, in the current language
    ("phase-in 6 months instead of 3"); empty for the plan's settings."""
    if settings is None:
        return []
    out = []
    for name, used, plan in settings.differences(PLAN):
        words = SETTING_CHANGES.get(name)
        used_text, plan_text = _setting_value(used), _setting_value(plan)
        out.append(_(words).format(used=used_text, plan=plan_text) if words
                   else f"{name} {used_text} ≠ {plan_text}")
    return out


def _package_text(name: str) -> str | None:
    path = resources.files("score_analysis.report").joinpath(f"templates/{name}")
    return path.read_text(encoding="utf-8") if path.is_file() else None


def stylesheet() -> str:
    """The reports' CSS (inlined into every page: no network needed)."""
    return _package_text("report.css") or ""


def print_stylesheet() -> str:
    """The print stylesheet (``templates/print.css``), empty while there is none."""
    return _package_text("print.css") or ""


def twin_link(href: str | None, lang: str) -> dict | None:
    """The alternate-language link of a page: its address, language and visible name."""
    if not href:
        return None
    return {"href": href, "lang": lang, "name": LANGUAGE_NAMES.get(lang, lang)}


def _shell(template: str, *, lang: str, twin: dict | None,
           settings: AnalysisSettings | None = None, **context) -> str:
    with use_language(lang):
        return str(render(template, csp=Markup(CSP), css=Markup(stylesheet()),
                          print_css=Markup(print_stylesheet()), twin=twin,
                          exploratory=exploratory_changes(settings), **context)) + "\n"


def page(body: str, title: str, *, lang: str | None = None, alternate: str | None = None,
         alternate_lang: str | None = None, settings: AnalysisSettings | None = None) -> str:
    """A complete, self-contained HTML page around a body fragment (already safe HTML,
    as converted from the executed notebook).

    ``alternate``: the address of the same page in ``alternate_lang`` (from this page).
    ``settings``: the analysis settings of the run (a banner when they are not the plan's).
    """
    lang = lang or current_language()
    other = alternate_lang or ("id" if lang == "en" else "en")
    return _shell("page.html", lang=lang, twin=twin_link(alternate, other), settings=settings,
                  body=Markup(body), title=title)


def failed_page(title: str, error: str, notebook: str | None = None, *,
                home: str = "../index.html", lang: str | None = None,
                alternate: str | None = None, settings: AnalysisSettings | None = None) -> str:
    """The page shown in place of a report whose analysis or notebook failed.

    ``home`` is the index as seen from the page (``index.html`` for the synthesis).
    """
    lang = lang or current_language()
    with use_language(lang):
        full = _("{title} (failed)").format(title=title)
    return _shell("failed.html", lang=lang, twin=twin_link(alternate, "id" if lang == "en"
                                                           else "en"),
                  settings=settings, title=full, heading=title, error=error,
                  notebook=notebook, home=home)


def _status_cell(status: str) -> dict:
    cls = {"ok": "ok", "unchanged": "ok", "failed": "failed"}.get(status, "na")
    shown = {"ok": _("ok"), "unchanged": _("ok"), "failed": _("failed"),
             "not built": _("not built")}.get(status, status)
    return {"html": render("status.html", cls=cls, text=shown)}


def comparison_rows(series: list[dict]) -> list[list]:
    """The rows of the index's table of comparison series, in the current language: one
    per comparison enterprise (a record of the manifest's ``comparison_series``: ``title``,
    ``first_month``, ``last_month``, ``months``, ``missing_months``, ``warnings``,
    ``used_by``)."""
    rows = []
    for c in series:
        covered = (f"{month_name(c['first_month'])} – {month_name(c['last_month'])}"
                   if c.get("first_month") else _("no monthly records"))
        rows.append([
            {"text": c["title"], "head": True},
            {"text": covered, "sub": ngettext("%(num)d month with records",
                                              "%(num)d months with records",
                                              c["months"]) % {"num": c["months"]}},
            fmt_count(c["missing_months"]), fmt_count(c["warnings"]),
            fmt_count(len(c.get("used_by", [])))])
    return rows


def index_page(entries: list[dict], *, run_date: str, lang: str | None = None,
               alternate: str | None = None, years: tuple[int, int] | None = None,
               settings: AnalysisSettings | None = None,
               comparison: list[dict] | None = None) -> str:
    """``reports/index.html``: every report with its status, data source, date, headline,
    and the comparison series (:func:`comparison_rows`; none: no such table).

    ``years``: the first and last year of the data (shown in the header).  An entry with a
    ``lang`` (a page in another language) has its title and headline marked with it.
    ``settings``: the analysis settings of the run (a banner when they are not the plan's).
    """
    lang = lang or current_language()
    with use_language(lang):
        rows = []
        for e in entries:
            names = {"simulated": _("simulated"), "enterprise_records": _("enterprise records")}
            source = ", ".join(names.get(s.strip(), s.strip())
                               for s in str(e.get("data_source", "")).split(",") if s.strip())
            other = e.get("lang") or ""  # an entry written in another language (English)
            rows.append([{"html": render("link.html", href=e["path"], text=e["title"]),
                          "head": True, "lang": other}, _status_cell(e.get("status", "")),
                         source, {"text": short_date(e.get("built", "")), "cls": "date"},
                         {"text": e.get("headline", ""), "lang": other}])
        simulated = any("simulated" in str(e.get("data_source", "")) for e in entries)
        failed = sum(e.get("status") == "failed" for e in entries)
        kicker = _("ILO SCORE programme · Module 1 Workplace Cooperation · Indonesia")
        if years:
            first, last = years
            kicker += f" {first}" if first == last else f" {first}–{last}"
        html = _shell("index.html", lang=lang, settings=settings,
                      twin=twin_link(alternate, "id" if lang == "en" else "en"),
                      title=_("SCORE Module 1 — impact assessments"), rows=rows,
                      simulated=simulated, failed=failed, kicker=kicker,
                      date=short_date(run_date),
                      comparison=comparison_rows(comparison or []))
    return html


__all__ = ["CSP", "SETTING_CHANGES", "Html", "comparison_rows", "exploratory_changes",
           "failed_page", "index_page", "page", "print_stylesheet", "stylesheet"]
