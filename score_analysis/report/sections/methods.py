"""The methods section (collapsed): risk of bias, diagnostics, the calibration of the intervals,
every results row and the analysis plan.
"""

from __future__ import annotations

import math

import pandas as pd

from ...calibration import CALIBRATED_METHODS, median_calibration
from ...i18n import N_, current_language, ngettext
from ...i18n import gettext as _
from ...settings import PLAN, AnalysisSettings
from ...stats.notes import parse_note_codes
from ..formatting import day, fmt, fmt_count, fmt_p, fmt_plain, join_words, missing
from ..loading import EnterpriseData
from ..notes import note_cell, note_lang
from ..rendering import Html, in_each_language, render
from ..wording import (
    direction_name,
    in_sentence,
    indicator_label,
    indicator_name,
    is_confirmatory,
    method_name,
    status_name,
)


def plan_facts(settings: AnalysisSettings = PLAN) -> dict:
    """The values of the run's settings that the plan's text and the methods name, formatted
    for the page (numbers in its locale, the plan's date as a day)."""
    return {
        "version": settings.plan_version, "date": day(settings.plan_date),
        "alpha": fmt_plain(settings.alpha), "strong": fmt_plain(settings.strong_evidence),
        "confidence": _whole(100 * settings.confidence), "its": settings.min_months_its,
        "step": settings.min_months_step, "placebo": settings.min_months_placebo,
        "events": settings.min_events, "phase_in": settings.phase_in_months,
        "pairs": settings.harmonic_pairs, "ljung_box": settings.ljung_box_lag,
        "min_cell": settings.min_cell, "min_pooled": settings.min_pooled,
        "pi_offset": settings.prediction_df_offset,
        "attrition": _whole(100 * settings.attrition_high),
        "confirmatory": join_words([in_sentence(indicator_name(i))
                                    for i in settings.confirmatory]),
        "n_confirmatory": len(settings.confirmatory),
    }


def _whole(value: float) -> str:
    """A percentage as a whole number when it is one (``95``, ``70``), else to 3 digits."""
    return fmt_count(value) if float(value).is_integer() else fmt(value)


def plan_statement(settings: AnalysisSettings = PLAN) -> str:
    """Which plan the results follow (its version and date), and every setting of the run
    that differs from the shipped plan."""
    text = _("These results follow analysis plan version {version} of {date}, fixed before "
             "the analysis (its log of versions and deviations is in "
             "docs/analysis_plan.md).").format(version=settings.plan_version,
                                               date=day(settings.plan_date))
    changed = settings.differences()
    if changed:
        text += " " + _("This run changed the plan's settings: {changes}.").format(
            changes="; ".join(_("{name} {value} instead of {plan}").format(
                name=_setting_name(name), value=_setting_value(name, value),
                plan=_setting_value(name, plan)) for name, value, plan in changed))
    return text


#: The settings of the plan in words (``score_analysis.settings.AnalysisSettings``).
SETTING_NAMES = {
    "plan_version": N_("plan version"), "plan_date": N_("plan date"),
    "alpha": N_("significance level"), "strong_evidence": N_("threshold of strong evidence"),
    "confirmatory": N_("confirmatory outcomes"),
    "min_months_its": N_("months needed on each side for the trend model"),
    "min_months_step": N_("months needed on each side for the naive step"),
    "min_months_placebo": N_("months needed on each side of the placebo"),
    "min_events": N_("events needed on each side"),
    "phase_in_months": N_("phase-in months left out"),
    "eid": N_("Lebaran term"), "harmonic_pairs": N_("sine/cosine pairs for seasons"),
    "newey_west_lag": N_("Newey-West lag"), "se_rule": N_("rule for standard errors"),
    "inference": N_("distribution of intervals and p-values"),
    "ljung_box_lag": N_("Ljung-Box lag"), "comparison_group": N_("comparison group used"),
    "min_cell": N_("smallest group of respondents shown"),
    "min_pooled": N_("enterprises needed to pool"),
    "prediction_df_offset": N_("degrees of freedom taken from k for the prediction interval"),
    "attrition_high": N_("share of baseline respondents below which attrition is high risk"),
}


def _setting_name(name: str) -> str:
    return _(SETTING_NAMES[name]) if name in SETTING_NAMES else name


def _setting_value(name: str, value: object) -> str:
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, list | tuple):
        return join_words([in_sentence(indicator_name(str(v))) for v in value]) \
            if name == "confirmatory" else ", ".join(str(v) for v in value)
    if value is None:
        return _("the plan's rule")
    if isinstance(value, int | float):
        return fmt_plain(value)
    return str(value)


def methods_paragraphs(settings: AnalysisSettings = PLAN) -> list[str]:
    """The methods in plain words, each number the value of the run's settings."""
    f = plan_facts(settings)
    se = {"max": _("every standard error is the larger of the model-based and the "
                   "Newey-West one, which allows for months that resemble their neighbours"),
          "model": _("standard errors are model-based"),
          "newey_west": _("standard errors are Newey-West, which allows for months that "
                          "resemble their neighbours")}[settings.se_rule]
    inference = (_("intervals and p-values use the t distribution with the residual degrees "
                   "of freedom") if settings.inference == "t" else
                 _("intervals and p-values use the normal distribution"))
    kpi = _("Monthly indicators are rates (numerator over exposure), modelled with a "
            "quasi-Poisson GLM with log link and log(exposure) as offset; the dispersion is "
            "never taken below 1, {se}, and {inference}.").format(se=se, inference=inference)
    kpi += " " + _("The primary estimate is the effect at the last month: where the series "
                   "ended, as a ratio to where the trend before the programme pointed, from a "
                   "segmented model with a step and a change of trend at the programme start "
                   "(at least {its} months before and {its} after); for shorter series, the "
                   "after-versus-before rate ratio (at least {step} months on each side).").format(
        **f)
    if settings.eid:
        kpi += " " + _("A Lebaran term enters when the months include Lebaran and other "
                       "months.")
    kpi += " " + _("A model needs at least {events} events before and {events} after; with "
                   "fewer, the two rates are compared exactly, as a description, not a "
                   "test.").format(**f)
    kpi += " " + ngettext(
        "Sensitivity analyses estimate the same effect allowing for seasons ({pairs} "
        "sine/cosine pair of the calendar month), without the first {phase_in} months of the "
        "programme, without the Lebaran months, and at a pretend start halfway through the "
        "months before the programme (placebo, at least {placebo} months on each side).",
        "Sensitivity analyses estimate the same effect allowing for seasons ({pairs} "
        "sine/cosine pairs of the calendar month), without the first {phase_in} months of the "
        "programme, without the Lebaran months, and at a pretend start halfway through the "
        "months before the programme (placebo, at least {placebo} months on each side).",
        settings.harmonic_pairs).format(**f)
    rest = _("5S is described from the first to the last audit. Survey: the t test of the "
             "mean change (paired on workers matched by code when at least {min_cell} can be "
             "matched, otherwise Welch's test on all respondents), with rank tests as "
             "secondary analyses; groups of fewer than {min_cell} respondents are not "
             "shown.").format(**f)
    family = _("The confirmatory outcomes, the programme's expected improvements, are {n}: "
               "{confirmatory}. Holm's method adjusts their primary results together within "
               "each enterprise (Benjamini-Hochberg q-values beside); a confirmatory result "
               "is called improved or worsened when its adjusted p is below {alpha}, and the "
               "evidence strong below {strong}. Every other indicator is an exploratory "
               "estimate with its unadjusted p-value and no verdict.").format(
        n=f["n_confirmatory"], confirmatory=f["confirmatory"], alpha=f["alpha"],
        strong=f["strong"])
    return [kpi, rest, family]


def single_series_indicators(results: pd.DataFrame) -> list[str]:
    """The tracked monthly indicators whose primary is not the controlled estimate (their
    controlled model could not be estimated), by label, when the results have controlled
    rows at all (empty otherwise)."""
    from ..loading import has_controlled_rows

    if not has_controlled_rows(results):
        return []
    prim = results[results["primary"].astype(bool) & (results["domain"] == "kpi")
                   & (results["status"] != "not_reported")]
    return [in_sentence(indicator_label("kpi", i)) for i in
            dict.fromkeys(prim.loc[prim["method"] != "cits_effect_end", "indicator"])]


def comparison_members(results: pd.DataFrame) -> int:
    """The most enterprises a comparison series of these results sums (read from the
    ``cits_comparison`` notes of the controlled rows; 0 without any)."""
    most = 0
    for code in results.loc[results["method"].astype(str).str.startswith("cits_"), "note_code"] \
            if "note_code" in results else ():
        try:
            notes = parse_note_codes(code) if isinstance(code, str) else []
        except ValueError:
            continue
        most = max([most, *(int(n.values.get("members", 0)) for n in notes
                            if n.code == "cits_comparison")])
    return most


def comparison_paragraph(results: pd.DataFrame, names: tuple[str, ...] | list[str],
                         settings: AnalysisSettings = PLAN) -> str:
    """The comparison group in the methods: which enterprises form it, how the controlled
    interrupted time series uses them, what it can and cannot rule out; or that there was
    none, and what that means.  ``names``: the comparison enterprises (data: escaped by
    the template)."""
    from ..loading import has_controlled_rows

    if not has_controlled_rows(results):
        if not settings.comparison_group:
            return _("Comparison group: this run left it out (a setting of the analysis), so "
                     "every monthly estimate compares an enterprise with its own past only.")
        return _("Comparison group: none was available, as the data hold no enterprise that "
                 "did not take part in the programme or had not started it yet. Every monthly "
                 "estimate therefore compares an enterprise with its own past only, and a "
                 "change that hit every enterprise in the same months, such as the ASEAN-China "
                 "free-trade agreement of 2010, cannot be told apart from the programme.")
    n = len(names) or comparison_members(results)
    text = ngettext(
        "Comparison group: the monthly indicators are also modelled together with a "
        "comparison series, the summed records of {n} enterprise that did not take part in "
        "the programme or had not started it yet ({names}), with one effect per calendar "
        "month (a controlled interrupted time series; at least {its} months before and "
        "{its} after with both series present and {events} events on each side in each "
        "series; the Newey-West standard error is computed across both series).",
        "Comparison group: the monthly indicators are also modelled together with a "
        "comparison series, the summed records of {n} enterprises that did not take part in "
        "the programme or had not started it yet ({names}), with one effect per calendar "
        "month (a controlled interrupted time series; at least {its} months before and "
        "{its} after with both series present and {events} events on each side in each "
        "series; the Newey-West standard error is computed across both series).",
        n).format(n=n, names=join_words(list(names)) if names else
                  _("named in the enterprises table"), its=settings.min_months_its,
                  events=settings.min_events)
    text += " " + _("The month effects absorb whatever hit every enterprise in the same "
                    "months, such as a change in demand or the ASEAN-China free-trade "
                    "agreement of 2010, so the controlled estimate is the primary wherever it "
                    "can be estimated, and the estimate from the enterprise's own series is "
                    "shown beside it, without the comparison group. It cannot rule out a "
                    "change in one enterprise alone at the same time as the programme, and it "
                    "assumes that without the programme the enterprise would have moved like "
                    "the comparison enterprises.")
    single = single_series_indicators(results)
    if single:
        text += " " + _("Where the controlled model could not be estimated ({indicators}), the "
                        "primary estimate rests on the enterprise's own series.").format(
            indicators=join_words(single))
    return text


def analysis_plan(settings: AnalysisSettings = PLAN) -> Html:
    """The pre-specified analysis plan in the current language (from the package templates),
    its numbers the run's settings."""
    return render(f"plan/analysis_plan.{current_language()}.html", **plan_facts(settings),
                  changed=plan_statement(settings) if not settings.is_plan else "")


def results_rows(results: pd.DataFrame, settings: AnalysisSettings = PLAN) -> list[list]:
    """Every results row (numbers rounded for reading), sensitivity rows included."""
    body = []
    for _i, r in results.iterrows():
        ci = (_("{a} to {b}").format(a=fmt(r["ci_low"]), b=fmt(r["ci_high"]))
              if not missing(r["ci_low"]) and not missing(r["ci_high"]) else "")
        n = (f"{fmt_count(r['n_pre'])} / {fmt_count(r['n_post'])}"
             if not (missing(r["n_pre"]) and missing(r["n_post"])) else "")
        method = method_name(r["method"], settings)
        if r["primary"]:
            method = (_("{name} (primary, confirmatory)") if is_confirmatory(r, settings)
                      else _("{name} (primary)")).format(name=method)
        direction = r["direction"] if isinstance(r["direction"], str) else ""
        body.append([{"text": indicator_label(r["domain"], r["indicator"]), "head": False},
                     {"text": method, **note_cell(r)},
                     status_name(r["status"]), n, fmt(r["pre_value"]), fmt(r["post_value"]),
                     {"text": fmt(r["estimate"]), "sub": ci}, fmt_p(r["p_value"]),
                     fmt_p(r["p_holm"]), fmt_p(r["q_bh"]), fmt(r["effect_size"]),
                     {"text": direction_name(direction), "cls": direction}])
    return body


def diagnostics_rows(results: pd.DataFrame, settings: AnalysisSettings = PLAN) -> list[list]:
    """Model diagnostics of the KPI rows: dispersion, Durbin-Watson, Ljung-Box, HAC lag, terms."""
    rows = results[(results["domain"] == "kpi") & (results["status"] == "ok")] \
        if not results.empty else results
    cols = [c for c in ("terms", "dispersion", "durbin_watson", "ljung_box_p", "hac_lag")
            if c in rows.columns]
    if len(cols) < 5:
        return []
    return [[{"text": indicator_label("kpi", r.indicator), "head": False},
             method_name(r.method, settings),
             {"html": render("code.html", text=r.terms)}, fmt(r.dispersion),
             fmt(r.durbin_watson), fmt_p(r.ljung_box_p), fmt_count(r.hac_lag)]
            for r in rows.itertuples(index=False)]


#: The overdispersion levels of the calibration study (docs/calibration.md), in words.
DISPERSION_WORDS = {"none": N_("counts about as variable as Poisson counts"),
                    "moderate": N_("moderately overdispersed counts"),
                    "strong": N_("strongly overdispersed counts")}


def calibration_rows(results: pd.DataFrame, settings: AnalysisSettings = PLAN) -> pd.DataFrame:
    """The results rows the calibration sentence describes: the estimated primary rows of
    the monthly indicators whose method the calibration study simulated (the effect at the
    last month, single or controlled), those of the confirmatory family when there are
    any, of the method most of them use."""
    if results.empty or "raw_dispersion" not in results:
        return results.iloc[0:0]
    rows = results[(results["domain"] == "kpi") & results["primary"].astype(bool)
                   & (results["status"] == "ok")
                   & results["method"].isin([m for m in CALIBRATED_METHODS
                                             if m.endswith("_effect_end")])]
    family = rows[rows["indicator"].isin(list(settings.confirmatory))]
    rows = family if len(family) else rows
    if rows.empty:
        return rows
    method = rows["method"].value_counts().sort_index().idxmax()
    return rows[rows["method"] == method]


def calibration_sentences(results: pd.DataFrame, settings: AnalysisSettings = PLAN) -> list[str]:
    """How well calibrated the intervals are for series like this enterprise's, from the
    shipped calibration table (docs/calibration.md).

    The scenario nearest to the median length, raw dispersion and Durbin-Watson statistic
    of :func:`calibration_rows` (:func:`score_analysis.calibration.median_calibration`: the
    diagnostics come from the analysis and are only looked up here, without any statistics
    library).  As the study advises, the coverage is given as a range: with independent
    months, and with the most correlated months it simulated for that length and
    dispersion (one series' Durbin-Watson statistic cannot tell them apart); then the
    scenario the residuals are nearest to, when its months are correlated.  Empty when no
    row can be matched or no table is installed.
    """
    rows = calibration_rows(results, settings)
    if rows.empty:
        return []
    try:
        c = median_calibration(rows, method=rows["method"].iloc[0])
    except (ValueError, FileNotFoundError):
        return []
    months = fmt_count(c["n_months"])
    facts = {"months": months, "dispersion": _(DISPERSION_WORDS[c["dispersion"]]),
             "confidence": f"{fmt_count(c['confidence_percent'])}%"}
    independent, lowest = c["coverage_independent"], c["coverage_lowest"]
    if math.isfinite(independent) and c["rho_lowest"] > 0 and lowest < independent:
        out = [_("In simulations of series like this one ({months} months, {dispersion}), "
                 "the {confidence} intervals of the primary estimate, the effect at the "
                 "last month, covered the true effect in {independent} of 100 cases when "
                 "the months were independent, and in {lowest} of 100 when neighbouring "
                 "months were strongly correlated (ρ = {rho}), which {months} months of "
                 "data cannot rule out.").format(
            **facts, independent=_per_100(independent), lowest=_per_100(lowest),
            rho=fmt_plain(c["rho_lowest"]))]
        if c["rho"] > 0:
            out.append(_("The simulated scenario nearest to this enterprise's model "
                         "residuals (neighbouring months correlated with ρ = {rho}) gave "
                         "{covered} of 100.").format(rho=fmt_plain(c["rho"]),
                                                     covered=_per_100(c["coverage"])))
    else:
        out = [_("In simulations of series like this one ({months} months, {dispersion}, "
                 "independent months), the {confidence} intervals of the primary estimate, "
                 "the effect at the last month, covered the true effect in {covered} of 100 "
                 "cases.").format(**facts, covered=_per_100(c["coverage"]))]
    if not settings.is_plan:
        out.append(_("The study simulated the analysis plan's settings; this run changed "
                     "them, so its figures may not hold for these results."))
    return out


def _per_100(share: float) -> str:
    """A share as a whole number of cases per 100 (0.947 → ``95``)."""
    return fmt_count(math.floor(100.0 * share + 0.5))


RISK_JUDGEMENTS = {"low": N_("low risk"), "high": N_("high risk"),
                   "unclear": N_("unclear risk")}
RISK_OUTCOMES = {"kpi": N_("monthly indicators"), "survey": N_("worker survey")}


def risk_rows(data: EnterpriseData) -> list[list]:
    """The risk-of-bias table (Cochrane EPOC's seven criteria for interrupted time series),
    answered from the data by :func:`score_analysis.stats.risk_of_bias.risk_of_bias` as
    codes, and worded here in the page's language: the criterion's question, the
    outcomes it judges, the judgement and its reasons (note codes, values in the page's
    locale)."""
    from ...stats.notes import NOTE_TEXTS
    from ...stats.risk_of_bias import CRITERIA, risk_of_bias
    from ..notes import note_sentence

    if data.results.empty or "domain" not in data.results:
        return []
    table = risk_of_bias(data.enterprise, results=data.results, kpi=data.kpi,
                         quality_log=data.quality_log, attrition=data.attrition,
                         settings=data.settings)
    body = []
    for r in table.itertuples(index=False):
        question = _(CRITERIA[r.criterion]) if r.criterion in CRITERIA else r.question
        if r.outcome in RISK_OUTCOMES:
            question = _("{question} ({outcomes})").format(question=question,
                                                          outcomes=_(RISK_OUTCOMES[r.outcome]))
        try:
            reasons = [n for n in parse_note_codes(r.reason_code) if n.code in NOTE_TEXTS]
            why, lang = "; ".join(note_sentence(n) for n in reasons), ""
        except ValueError:
            reasons, why, lang = [], r.support, note_lang()
        if r.criterion == "independent" and not lang:
            why = "; ".join(filter(None, (why, independence_reason(
                data.results, controlled=any(n.code == "rob_controlled" for n in reasons)))))
        body.append([{"text": question, "head": True},
                     {"text": _(RISK_JUDGEMENTS[r.judgement]), "cls": f"risk-{r.judgement}"},
                     {"text": why[:1].upper() + why[1:] if why else "", "lang": lang}])
    return body


def independence_reason(results: pd.DataFrame, *, controlled: bool) -> str:
    """What the comparison group rules out and what it cannot, for the risk-of-bias row
    "independent of other changes" (or what its absence means)."""
    if controlled:
        return _("the comparison enterprises rule out changes that hit every enterprise in "
                 "the same months, such as the ASEAN-China free-trade agreement of 2010, but "
                 "not a change in this enterprise alone, such as a new machine or a large "
                 "order")
    single = single_series_indicators(results)
    if single:
        return _("a comparison group was available, but the controlled model could not be "
                 "estimated for {indicators}, whose results rest on the enterprise's own "
                 "series").format(indicators=join_words(single))
    return _("no comparison group was available, so a change that hit every enterprise in "
             "the same months, such as the ASEAN-China free-trade agreement of 2010, cannot be "
             "told apart from the programme")


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
    settings = data.settings
    return render("sections/methods.html",
                  diagnostics=diagnostics_rows(data.results, settings),
                  results=results_rows(data.results, settings),
                  plan=analysis_plan(settings), plan_statement=plan_statement(settings),
                  methods=[*methods_paragraphs(settings), comparison_paragraph(
                      data.results, data.comparison_names, settings)],
                  ljung_box=settings.ljung_box_lag,
                  calibration=" ".join(calibration_sentences(data.results, settings)),
                  risk=risk_rows(data), appendix=appendix_href(data))
