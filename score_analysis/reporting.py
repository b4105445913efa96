"""Presentation: the HTML sections of the reports, their plain-language text and the page shell.

Notebooks call one function per section; each returns an :class:`Html` object
that Jupyter displays as HTML.  Every piece of text that comes from the data
(enterprise names, free text, survey items, ids, milestone names) is escaped
with :func:`esc`.  Nothing is estimated here: the pipeline has already written
every number to ``data/processed`` (see :mod:`score_analysis.pipeline`), and
these functions only select, word and draw them (charts: :mod:`.charts`).

Imports stay light (pandas, no statsmodels or scipy): a report notebook costs
a kernel start, the imports, the figures and the conversion, nothing more.
"""

from __future__ import annotations

import base64
import html
import math
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from .contract import INDICATORS, MIN_CELL, QUALITATIVE_KINDS

SIMULATED_BANNER = "Simulated demonstration data — not enterprise results"
#: Smallest group of survey respondents shown (SPEC §6, privacy).
PRIVACY_MIN = MIN_CELL  # the same threshold as the analysis (contract.MIN_CELL)
#: Significance level of the direction judgement (SPEC §7).
ALPHA = 0.05
#: Evidence wording from the (Holm-adjusted) p-value: below 0.01 strong, below 0.05 moderate.
STRONG = 0.01
#: Content-Security-Policy of every page: no scripts, no network, only inline styles and
#: embedded images (a second line of defence behind escaping).
CSP = ("default-src 'none'; img-src data:; style-src 'unsafe-inline'; base-uri 'none'; "
       "form-action 'none'")
#: Answer labels of the usual agreement scales, by number of points.
AGREEMENT_LABELS = {
    4: ("Strongly disagree", "Disagree", "Agree", "Strongly agree"),
    5: ("Strongly disagree", "Disagree", "Neither", "Agree", "Strongly agree"),
    7: ("Strongly disagree", "Disagree", "Somewhat disagree", "Neither", "Somewhat agree",
        "Agree", "Strongly agree"),
}
MILESTONE_LABELS = {"training": "Module 1 workshop", "final_workshop": "Final result workshop"}
KIND_TITLES = {"good_practice": "Good practices", "lesson_learned": "Lessons learned",
               "constraint": "Constraints"}
METHOD_NAMES = {
    "rate_ratio_step": "Rate ratio, after vs before (quasi-Poisson GLM)",
    "its_level": "Interrupted time series: step at programme start",
    "its_slope": "Interrupted time series: change in monthly trend",
    "its_level_hac": "Step at programme start, Newey-West standard errors (sensitivity)",
    "paired_t": "Paired t test (mean change)",
    "wilcoxon_signed_rank": "Wilcoxon signed-rank test (median change)",
    "friedman": "Friedman test across all audits",
    "welch_t": "Welch t test (unmatched, mean difference)",
    "mann_whitney": "Mann-Whitney test (unmatched, difference of medians)",
}
_LANG = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")
LANGUAGE_NAMES = {"en": "English", "id": "Bahasa Indonesia"}


class Html(str):
    """A string that Jupyter shows as HTML (and nothing else)."""

    def _repr_html_(self) -> str:
        return str(self)

    def __repr__(self) -> str:  # keeps stray text/plain reprs short and harmless
        return "<html fragment>"


def esc(value: object) -> str:
    """Escape any value for HTML text or attribute context (blank for missing values)."""
    if _missing(value):
        return ""
    return html.escape(str(value), quote=True)


def _missing(value: object) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and math.isnan(value)


# --------------------------------------------------------------------------- numbers


def fmt(x: object, digits: int = 3) -> str:
    """A number for people: significant digits, no scientific notation for usual sizes."""
    if _missing(x):
        return ""
    try:
        v = float(x)
    except (TypeError, ValueError):
        return esc(x)
    if math.isnan(v):
        return ""
    if math.isinf(v):
        return "∞" if v > 0 else "−∞"
    if v == 0:
        return "0"
    if abs(v) >= 1e6 or abs(v) < 1e-4:
        return f"{v:.{digits}g}".replace("-", "−")
    decimals = max(0, digits - 1 - int(math.floor(math.log10(abs(v)))))
    return f"{v:,.{decimals}f}".replace("-", "−")


def fmt_p(p: object) -> str:
    """A p-value for people: three decimals, ``< 0.001`` below that."""
    try:
        v = float(p)
    except (TypeError, ValueError):
        return ""
    if math.isnan(v):
        return ""
    return "< 0.001" if v < 0.001 else f"{v:.3f}"


def fmt_count(x: object) -> str:
    """A count (``15``), blank when missing."""
    if _missing(x):
        return ""
    try:
        return f"{int(round(float(x))):,}"
    except (TypeError, ValueError):
        return esc(x)


def fmt_signed(x: float, digits: int = 2) -> str:
    """A difference with its sign (``+0.33``, ``−4.1``)."""
    if _missing(x) or not np.isfinite(x):
        return ""
    text = fmt(abs(x), digits)
    return text if text == "0" else ("+" if x > 0 else "−") + text


def _percent(v: float) -> str:
    return f"{v:.0f}%" if v >= 9.5 else f"{v:.1f}%"


def ratio_change(ratio: float) -> str:
    """A rate ratio as a change people read: ``0.66`` → ``34% fall``, ``1.4`` → ``40% rise``.

    ``(1 - ratio) * 100`` percent fall below 1, ``(ratio - 1) * 100`` percent rise
    above it; from a doubling on, ``"2.9-fold rise"``.
    """
    if _missing(ratio) or not np.isfinite(ratio) or ratio <= 0:
        return "no estimate"
    if ratio < 1:
        fall = (1 - ratio) * 100
        return "over 99% fall" if fall > 99 else f"{_percent(fall)} fall"
    if ratio >= 2:
        return "over 100-fold rise" if ratio > 100 else f"{_times(ratio)}-fold rise"
    return "no change" if ratio == 1 else f"{_percent((ratio - 1) * 100)} rise"


def _times(ratio: float) -> str:
    return f"{ratio:.1f}" if ratio < 9.95 else f"{ratio:.0f}"


def ratio_interval(low: float, high: float) -> str:
    """A rate-ratio confidence interval in words: ``21% to 45% fall`` or
    ``43% fall to 4.0% rise``."""
    if _missing(low) or _missing(high) or not (np.isfinite(low) and np.isfinite(high)):
        return ""
    a, b = ratio_change(low), ratio_change(high)
    if high < 1:  # both falls: the smaller fall first
        return f"{b.removesuffix(' fall')} to {a}"
    if low > 1:
        return f"{a.removesuffix(' rise')} to {b}"
    return f"{a} to {b}"


def signed_percent(ratio: float) -> str:
    """A rate ratio as a signed percentage change for tables: ``−34%``, ``+40%``, ``×2.9``."""
    if _missing(ratio) or not np.isfinite(ratio) or ratio <= 0:
        return ""
    if ratio >= 2:
        return f"×{_times(ratio)}" if ratio <= 100 else "> ×100"
    change = (ratio - 1) * 100
    if change < -99:
        return "< −99%"
    return ("+" if change > 0 else "−" if change < 0 else "") + _percent(abs(change))


def evidence(p: object) -> str:
    """``strong`` (p < 0.01), ``moderate`` (p < 0.05) or ``not clear``."""
    try:
        v = float(p)
    except (TypeError, ValueError):
        return "not clear"
    if not np.isfinite(v):
        return "not clear"
    return "strong" if v < STRONG else "moderate" if v < ALPHA else "not clear"


def with_unit(value: object, unit: str, digits: int = 3) -> str:
    """A value with its unit: ``2.89%``, ``16.5 pcs per worker-hour``."""
    text = fmt(value, digits)
    if not text:
        return ""
    return f"{text}{unit}" if unit.startswith("%") else f"{text} {unit}"


def indicator_label(domain: str, indicator: str) -> str:
    """The plain name of an indicator of the results table."""
    if domain == "kpi" and indicator in INDICATORS:
        return INDICATORS[indicator].label
    if domain == "five_s":
        return "5S index"
    return str(indicator).replace("_", " ").capitalize()


def indicator_unit(indicator: str, output_unit: object = None) -> str:
    """The unit of a KPI as shown, the enterprise's output unit in productivity."""
    unit = INDICATORS[indicator].unit
    if indicator == "labour_productivity" and not _missing(output_unit) and str(output_unit):
        return f"{output_unit} per worker-hour"
    return unit


def good_direction(domain: str, indicator: str) -> int:
    """+1 when a rise is good, -1 when a fall is good (SPEC §5; 5S and survey: up)."""
    if domain == "kpi" and indicator in INDICATORS:
        return INDICATORS[indicator].good_direction
    return +1


def _month_name(month: object) -> str:
    return pd.Period(str(month), freq="M").strftime("%b %Y")


def _day(date: object) -> str:
    return pd.Timestamp(date).strftime("%-d %b %Y")


# --------------------------------------------------------------------------- data


@dataclass(frozen=True)
class EnterpriseData:
    """One enterprise's slice of the processed tables (read, never recomputed)."""

    enterprise: pd.Series
    results: pd.DataFrame
    lines: pd.DataFrame
    milestones: pd.DataFrame = field(default_factory=pd.DataFrame)
    monthly: pd.DataFrame = field(default_factory=pd.DataFrame)
    pillars: pd.DataFrame = field(default_factory=pd.DataFrame)
    five_s: pd.DataFrame = field(default_factory=pd.DataFrame)
    survey: pd.DataFrame = field(default_factory=pd.DataFrame)
    codebook: pd.DataFrame = field(default_factory=pd.DataFrame)
    reliability: pd.DataFrame = field(default_factory=pd.DataFrame)
    qualitative: pd.DataFrame = field(default_factory=pd.DataFrame)
    quality: pd.DataFrame = field(default_factory=pd.DataFrame)
    provenance: dict = field(default_factory=dict)
    #: findings of the data checks that name no enterprise (shown as a count)
    quality_unlinked: int = 0

    @property
    def simulated(self) -> bool:
        return self.enterprise["data_source"] == "simulated"

    @property
    def enterprise_id(self) -> str:
        return str(self.enterprise["enterprise_id"])


def _read(processed: Path, name: str, enterprise_id: str | None = None) -> pd.DataFrame:
    from .io import read_parquet

    path = processed / f"{name}.parquet"
    if not path.exists():
        return pd.DataFrame()
    frame = read_parquet(path)
    if enterprise_id is not None and "enterprise_id" in frame.columns:
        frame = frame[frame["enterprise_id"] == enterprise_id].reset_index(drop=True)
    return frame


def load_enterprise(enterprise_id: str, *, processed_dir: str) -> EnterpriseData:
    """Read one enterprise's slice of the pipeline's outputs (no computation)."""
    from .io import read_json

    p = Path(processed_dir)
    everyone = _read(p, "enterprises")
    ents = everyone[everyone["enterprise_id"] == enterprise_id] if not everyone.empty \
        else everyone
    if ents.empty:
        raise ValueError(f"enterprise {enterprise_id!r} is not in {p / 'enterprises.parquet'}")
    log = _read(p, "quality_log")
    return EnterpriseData(
        enterprise=ents.iloc[0],
        results=_read(p, "results", enterprise_id),
        lines=_read(p, "kpi_lines", enterprise_id),
        milestones=_read(p, "milestones", enterprise_id),
        monthly=_read(p, "indicators_monthly", enterprise_id),
        pillars=_read(p, "five_s_pillars", enterprise_id),
        five_s=_read(p, "five_s_index", enterprise_id),
        survey=_read(p, "worker_survey", enterprise_id),
        codebook=_read(p, "survey_items"),
        reliability=_read(p, "survey_reliability", enterprise_id),
        qualitative=_read(p, "qualitative", enterprise_id),
        quality=enterprise_findings(log, enterprise_id),
        provenance=read_json(p / "provenance.json") or {},
        quality_unlinked=len(unlinked_findings(log, list(everyone["enterprise_id"]))),
    )


def enterprise_findings(log: pd.DataFrame, enterprise_id: str) -> pd.DataFrame:
    """The data-quality findings that concern one enterprise.

    Uses the log's ``enterprise_id`` column when it has one; otherwise a
    finding belongs to the enterprise when its value or message names the
    enterprise id as a whole word.
    """
    if log.empty:
        return log
    if "enterprise_id" in log.columns:
        return log[log["enterprise_id"] == enterprise_id].reset_index(drop=True)
    pattern = re.compile(rf"(?<![a-z0-9_-]){re.escape(enterprise_id)}(?![a-z0-9_-])")
    text = log["value"].fillna("").astype(str) + " " + log["message"].fillna("").astype(str)
    return log[text.map(lambda s: bool(pattern.search(s)))].reset_index(drop=True)


def unlinked_findings(log: pd.DataFrame, enterprise_ids: list[str]) -> pd.DataFrame:
    """The findings that :func:`enterprise_findings` links to none of the enterprises."""
    if log.empty:
        return log
    linked = pd.Series(False, index=log.index)
    for eid in enterprise_ids:
        found = enterprise_findings(log.assign(_i=log.index), eid)
        linked[found["_i"].to_numpy()] = True
    return log[~linked].reset_index(drop=True)


def _primary(results: pd.DataFrame) -> pd.DataFrame:
    if results.empty:
        return results
    return results[results["primary"].astype(bool)].reset_index(drop=True)


def _row(results: pd.DataFrame, indicator: str, method: str) -> pd.Series | None:
    sub = results[(results["indicator"] == indicator) & (results["method"] == method)]
    return None if sub.empty else sub.iloc[0]


# --------------------------------------------------------------------------- wording


def _ok(row) -> bool:
    return row["status"] == "ok" and np.isfinite(float(row["estimate"]))


def _scale_of(codebook: pd.DataFrame, construct: str) -> tuple[float, float]:
    items = codebook[codebook["construct"] == construct] if not codebook.empty else codebook
    if items.empty:
        return (1.0, 5.0)
    return float(items["scale_min"].min()), float(items["scale_max"].max())


def _ending(row) -> str:
    level = evidence(row["p_holm"] if row["primary"] else row["p_value"])
    if level == "not clear":
        return f"this {_chance(row)}: the evidence of a change is not clear."
    return f"the evidence is {level}."


def summary_sentence(row: pd.Series, *, output_unit: object = None,
                     codebook: pd.DataFrame | None = None,
                     five_s: pd.DataFrame | None = None) -> str:
    """One plain-language sentence (plain text, not yet escaped) for a primary result row.

    Rate ratios read as percentage changes (a fall of ``(1 - RR) * 100`` %, the
    interval bounds turned round); the evidence is worded from ``p_holm``
    (strong below 0.01, moderate below 0.05, otherwise not clear).  Rows that
    are not estimable say why: not tracked, not enough data (with the note),
    or fewer than 5 respondents.
    """
    domain, indicator = row["domain"], row["indicator"]
    label = indicator_label(domain, indicator)
    if domain == "survey":
        label = f"{label} (worker survey)"
    status = row["status"]
    if status == "not_reported":
        if domain == "kpi":
            return f"{label}: not tracked by the enterprise."
        return f"{label}: no data recorded."
    if status == "suppressed":
        return (f"{label}: fewer than {PRIVACY_MIN} respondents, so nothing is shown, to "
                f"protect the workers' privacy.")
    if status != "ok" or not _ok(row):
        note = str(row["note"]) if isinstance(row["note"], str) and row["note"] else ""
        return f"{label}: not enough data to estimate a change" + (f" ({note})." if note
                                                                    else ".")
    if domain == "kpi":
        return _kpi_sentence(row, label, indicator_unit(indicator, output_unit))
    if domain == "five_s":
        return _five_s_sentence(row, five_s)
    return _survey_sentence(row, label, _scale_of(codebook if codebook is not None
                                                  else pd.DataFrame(), indicator))


def _kpi_sentence(row, label: str, unit: str) -> str:
    rr = float(row["estimate"])
    change = ratio_change(rr)
    verb, amount = ("fell", change.removesuffix(" fall")) if rr < 1 else (
        "rose", change.removesuffix(" rise"))
    ci = ratio_interval(row["ci_low"], row["ci_high"])
    averages = (f"it averaged {with_unit(row['pre_value'], unit)} before and "
                f"{with_unit(row['post_value'], unit)} after")
    clear = evidence(row["p_holm"]) != "not clear"
    step = row["method"].startswith("its_level")
    if not clear:
        what = ("the estimated step at the programme start" if step
                else "the change after the programme")
        return (f"{label}: no clear change; {averages}, but {what} ({change}; 95% CI {ci}) "
                f"{_chance(row)}.")
    when = ("at the programme start, compared with its trend before" if step
            else "after the programme")
    return f"{label} {verb} by {amount} {when} (95% CI {ci}); {averages}; {_ending(row)}"


def _chance(row) -> str:
    """Why an unclear result is unclear: chance, or chance once multiplicity is allowed for."""
    p = float(row["p_value"])
    if np.isfinite(p) and p < ALPHA:
        return ("could be chance once the number of indicators tested is allowed for "
                f"(p = {fmt_p(p)}, Holm-adjusted {fmt_p(row['p_holm'])})")
    return "could be chance"


def _five_s_sentence(row, five_s: pd.DataFrame | None) -> str:
    est = float(row["estimate"])
    verb = "rose" if est > 0 else "fell" if est < 0 else "did not change"
    index_part = ""
    if five_s is not None and not five_s.empty:
        idx = five_s.dropna(subset=["five_s_index"]).sort_values("audit_date")
        if len(idx) >= 2:
            first, last = idx.iloc[0], idx.iloc[-1]
            index_part = (f"the 5S index went from {fmt(first['five_s_index'], 2)} at the first "
                          f"audit ({_day(first['audit_date'])}) to "
                          f"{fmt(last['five_s_index'], 2)} at the last "
                          f"({_day(last['audit_date'])}) out of 100; ")
    detail = (f"the typical checklist item {verb} by {fmt(abs(est), 2)} points (median change, "
              f"from {fmt(row['pre_value'], 2)} to {fmt(row['post_value'], 2)})" if est
              else "the typical checklist item did not change (median change 0)")
    text = f"5S: {index_part}{detail}; {_ending(row)}"
    return text


def _survey_sentence(row, label: str, scale: tuple[float, float]) -> str:
    est = float(row["estimate"])
    paired = row["method"] == "wilcoxon_signed_rank"
    scale_text = f"on the {scale[0]:g} to {scale[1]:g} scale"
    what = ("the typical worker's score" if paired else "the median score")
    if est == 0:
        change = f"{what} did not change {scale_text}"
    else:
        change = (f"{what} {'rose' if est > 0 else 'fell'} by {fmt(abs(est), 2)} points "
                  f"{scale_text}")
    medians = f"median {fmt(row['pre_value'], 3)} before, {fmt(row['post_value'], 3)} after"
    if not paired:
        medians += "; different workers answered the two surveys"
    return f"{label}: {change} ({medians}); {_ending(row)}"


def caveat() -> str:
    """What a before/after design without a comparison group can and cannot show (HTML)."""
    return (
        "<div class='caveat'><p><strong>How to read these results.</strong> Every result "
        "compares the same enterprise before and after the programme; there is no comparison "
        "group of enterprises that did not take part. A change can therefore also come from "
        "other things that happened at the same time, such as orders, prices, new machines or "
        "staff changes: the results show what changed, not for certain that the programme "
        "caused it. For the monthly indicators the main estimate allows for the trend before "
        "the programme and for Lebaran, which rules out some of these explanations but not "
        "all.</p><p>The evidence is judged after allowing for the number of indicators tested "
        "(Holm's method): <em>strong</em> when p &lt; 0.01, <em>moderate</em> when p &lt; 0.05; "
        "otherwise the change could be chance.</p></div>")


# --------------------------------------------------------------------------- enterprise: header


def banner(data: EnterpriseData | None = None, *, simulated: bool | None = None) -> Html:
    """The simulated-data banner (empty for enterprise records)."""
    show = data.simulated if data is not None else bool(simulated)
    if not show:
        return Html("")
    return Html(f'<div class="banner" role="note"><strong>{esc(SIMULATED_BANNER)}</strong>'
                "<span>These figures illustrate the method; they describe no real enterprise."
                "</span></div>")


def _nav(home: str, synthesis: str | None) -> str:
    links = [f'<a href="{esc(home)}">All reports</a>']
    if synthesis:
        links.append(f'<a href="{esc(synthesis)}">Synthesis across enterprises</a>')
    return f"<nav class='crumbs' aria-label='Reports'>{' · '.join(links)}</nav>"


def profile(data: EnterpriseData) -> Html:
    """Enterprise name, sector, location, size and data source."""
    e = data.enterprise
    items = [("Sector", e.get("sector")), ("Location", e.get("location")),
             ("Employees", e.get("employees")),
             ("Programme start", _month_name(e["intervention_month"])
              + " (first month counted as after)"),
             ("Data", "simulated demonstration data" if data.simulated
              else "enterprise records")]
    rows = "".join(f"<div><dt>{esc(k)}</dt><dd>{esc(v)}</dd></div>" for k, v in items
                   if not _missing(v) and str(v) != "")
    return Html(f"<p class='kicker'>SCORE Module 1 · Workplace Cooperation · impact "
                f"assessment</p><h1>{esc(e['name'])}</h1><dl class='profile'>{rows}</dl>")


def _milestone_label(name: str) -> str:
    if name in MILESTONE_LABELS:
        return MILESTONE_LABELS[name]
    m = re.fullmatch(r"visit_(\d+)", name)
    if m:
        return f"Factory visit {m.group(1)}"
    return name.replace("_", " ").capitalize()


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
                       f"{_month_name(before[0])} – {_month_name(before[-1])}",
                       f"Before: {len(before)} month{'s' * (len(before) != 1)} of records"))
    events.append((pd.Period(start, freq="M").to_timestamp() + pd.Timedelta(hours=1),
                   _month_name(start), "Programme start: first month counted as after"))
    if after:
        events.append((pd.Period(after[0], freq="M").to_timestamp() + pd.Timedelta(hours=2),
                       f"{_month_name(after[0])} – {_month_name(after[-1])}",
                       f"After: {len(after)} month{'s' * (len(after) != 1)} of records"))
    audits = {}
    if not data.five_s.empty:
        for a in data.five_s.itertuples(index=False):
            audits[pd.Timestamp(a.audit_date).normalize()] = a.visit
    seen_audits = set()
    if not data.milestones.empty:
        for m in data.milestones.sort_values("date").itertuples(index=False):
            when = pd.Timestamp(m.date).normalize()
            what = _milestone_label(str(m.milestone))
            if when in audits:
                what += " and 5S audit"
                seen_audits.add(when)
            events.append((when, _day(when), what))
    for when, visit in audits.items():
        if when not in seen_audits:
            label = f" ({str(visit).replace('_', ' ')})" if isinstance(visit, str) and visit else ""
            events.append((when, _day(when), f"5S audit{label}"))
    return sorted(events, key=lambda e: e[0])


def timeline(data: EnterpriseData) -> Html:
    """The programme timeline as an ordered list."""
    items = "".join(
        f"<li class='{'period' if '–' in when else 'event'}'><span class='when'>{esc(when)}"
        f"</span><span class='what'>{esc(what)}</span></li>"
        for _, when, what in timeline_events(data))
    return Html(f"<h2>Programme timeline</h2><ol class='timeline'>{items}</ol>")


def header(data: EnterpriseData) -> Html:
    """Section 1: banner, navigation, enterprise profile and programme timeline."""
    return Html(banner(data) + _nav("../index.html", "../synthesis.html") + profile(data)
                + timeline(data))


# --------------------------------------------------------------------------- enterprise: summary


_ARROW = {1: "▲", -1: "▼", 0: "●"}


def _marker(row) -> tuple[str, str]:
    """(css class, text) of the result marker of a primary row."""
    status = row["status"]
    if status == "not_reported":
        return "na", "not tracked" if row["domain"] == "kpi" else "no data"
    if status == "suppressed":
        return "na", f"fewer than {PRIVACY_MIN} respondents"
    if status != "ok" or not _ok(row):
        return "na", "not enough data"
    est = float(row["estimate"])
    sign = int(np.sign(math.log(est))) if row["estimate_scale"] in (
        "rate_ratio", "slope_ratio") and est > 0 else int(np.sign(est))
    direction = row["direction"] if isinstance(row["direction"], str) else "inconclusive"
    if direction == "inconclusive":
        return "inconclusive", "● no clear change"
    return direction, f"{_ARROW[sign]} {direction}"


def _change_cells(row, unit: str) -> tuple[str, str, str, str]:
    """(before, after, change, 95% CI) of a primary row, as text (percent units kept,
    other units named in the indicator cell)."""
    if row["status"] != "ok" or not _ok(row):
        return "", "", "", ""
    if row["domain"] == "kpi":
        ci = (f"{signed_percent(row['ci_low'])} to {signed_percent(row['ci_high'])}"
              if np.isfinite(row["ci_low"]) else "")
        pct = "%" if unit.startswith("%") else ""
        return (fmt(row["pre_value"]) + pct, fmt(row["post_value"]) + pct,
                signed_percent(row["estimate"]), ci)
    ci = (f"{fmt_signed(row['ci_low'])} to {fmt_signed(row['ci_high'])}"
          if np.isfinite(row["ci_low"]) else "—")
    return (fmt(row["pre_value"]), fmt(row["post_value"]), fmt_signed(row["estimate"]), ci)


def _measure(row, unit: str = "") -> str:
    method = row["method"]
    unit = f"{unit} · " if unit and unit != "%" else ""
    if method == "its_level":
        return f"{unit}step at programme start vs. earlier trend"
    if method == "rate_ratio_step":
        return f"{unit}after vs. before"
    if row["domain"] == "five_s":
        return "median item score (0-100), first vs. last audit"
    if method == "wilcoxon_signed_rank":
        return "median score, same workers"
    return "median score, all respondents"


def summary_table(data: EnterpriseData) -> Html:
    """The compact table of every primary result: before, after, change, CI, result."""
    prim = _primary(data.results)
    rows = []
    for _, r in prim.iterrows():
        unit = (indicator_unit(r["indicator"], data.enterprise.get("output_unit"))
                if r["domain"] == "kpi" else "")
        before, after, change, ci = _change_cells(r, unit)
        cls, mark = _marker(r)
        p = float(r["p_holm"]) if r["status"] == "ok" else np.nan
        level = evidence(p)
        ev = ((f"{level} evidence, " if level != "not clear" else "")
              + f"p = {fmt_p(p)}".replace("= <", "<")) if np.isfinite(p) else ""
        name = indicator_label(r["domain"], r["indicator"])
        measure = _measure(r, unit) if r["status"] == "ok" else _short_note(r)
        cells = "".join(
            f"<td class='num'{_label_attr(label, value)}>{esc(value)}</td>"
            for label, value in (("Before", before), ("After", after), ("Change", change),
                                 ("95% CI", ci)))
        rows.append(
            f"<tr><th scope='row'>{esc(name)}<span class='measure'>{esc(measure)}</span></th>"
            f"{cells}<td class='mark {esc(cls)}'>{esc(mark)}<span class='measure'>{esc(ev)}"
            f"</span></td></tr>")
    if not rows:
        return Html("<p>No results were estimated for this enterprise.</p>")
    return Html(
        "<div class='table-wrap'><table class='summary'><caption>Key results (the "
        "pre-specified primary result of each indicator)</caption><thead><tr>"
        "<th scope='col'>Indicator</th><th scope='col'>Before</th><th scope='col'>After</th>"
        "<th scope='col'>Change</th><th scope='col'>95% CI</th>"
        "<th scope='col'>Result</th></tr></thead><tbody>" + "".join(rows) + "</tbody></table>"
        "</div><p class='note'>Monthly indicators: before and after are the average rates of "
        "the two periods; the change is the estimated step at the programme start compared "
        "with the trend before it (or, for short series, after compared with before), in "
        "percent. 5S and survey: medians, change in points; rank tests give no interval "
        "(the mean change with its interval is in the sections below). ▲ rose, ▼ fell; "
        "improved or worsened only when the evidence is at least moderate; p is adjusted "
        "for the number of indicators (Holm).</p>")


def _label_attr(label: str, value: str) -> str:
    """A ``data-label`` for the phone layout of a table cell (none for an empty cell)."""
    return f" data-label='{esc(label)}'" if value else ""


def _short_note(row) -> str:
    if row["status"] == "not_reported":
        return "not tracked" if row["domain"] == "kpi" else "no data"
    if row["status"] == "suppressed":
        return f"fewer than {PRIVACY_MIN} respondents"
    return "not enough data"


def executive_summary(data: EnterpriseData) -> Html:
    """Section 2: one plain sentence per indicator, the caveat and the key results table."""
    prim = _primary(data.results)
    items = []
    for _, r in prim.iterrows():
        cls, _ = _marker(r)
        sentence = summary_sentence(r, output_unit=data.enterprise.get("output_unit"),
                                    codebook=data.codebook, five_s=data.five_s)
        items.append(f"<li class='s-{esc(cls)}'>{esc(sentence)}</li>")
    counts = prim[prim["status"] == "ok"]["direction"].value_counts() if not prim.empty else {}
    lead = (f"<p class='lead'>Of {int(sum(counts.values) if len(counts) else 0)} indicators "
            f"that could be estimated, {int(counts.get('improved', 0))} improved, "
            f"{int(counts.get('worsened', 0))} worsened and "
            f"{int(counts.get('inconclusive', 0))} showed no clear change.</p>")
    return Html("<h2>Summary</h2>" + lead + "<ul class='sentences'>" + "".join(items)
                + "</ul>" + caveat() + summary_table(data))


# --------------------------------------------------------------------------- figures




def figure_html(fig, alt: str, caption: str = "") -> str:
    """Embed a matplotlib figure as a PNG ``<figure>`` with alt text and caption.

    The image is declared at the figure's size in CSS pixels (96 per inch), so
    every chart shows its text at the same size; it shrinks on narrow screens.
    """
    from .charts import png_bytes

    data = base64.b64encode(png_bytes(fig)).decode("ascii")
    width, height = (round(v * 96) for v in fig.get_size_inches())
    cap = f"<figcaption>{esc(caption)}</figcaption>" if caption else ""
    return (f'<figure><img src="data:image/png;base64,{data}" width="{width}" '
            f'height="{height}" alt="{esc(alt)}">{cap}</figure>')


def _visits(milestones: pd.DataFrame) -> list[pd.Timestamp]:
    if milestones.empty:
        return []
    sub = milestones[milestones["milestone"].astype(str).str.fullmatch(r"visit_\d+")]
    return sorted(pd.Timestamp(d) for d in sub["date"])


def _join(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def kpi_alt(lines: pd.DataFrame, *, label: str, unit: str, intervention_month: str,
            lebaran: list[str], visits: list[pd.Timestamp]) -> str:
    """Alt text of a KPI chart: what it shows, in numbers."""
    months = sorted(lines["month"])
    pre = lines[lines["month"] < intervention_month]["observed"]
    post = lines[lines["month"] >= intervention_month]["observed"]
    text = (f"Chart of {label.lower()} by month, {_month_name(months[0])} to "
            f"{_month_name(months[-1])}, in {unit}. Monthly values ranged from "
            f"{with_unit(lines['observed'].min(), unit)} to "
            f"{with_unit(lines['observed'].max(), unit)}")
    if len(pre) and len(post):
        text += (f"; the mean of the monthly values was {with_unit(pre.mean(), unit)} before "
                 f"the programme start in {_month_name(intervention_month)} and "
                 f"{with_unit(post.mean(), unit)} after")
    text += ". "
    if lines["fitted"].notna().any():
        text += ("A fitted segmented trend is drawn before and after the start, and a dashed "
                 "line continues the trend from before the programme. ")
    if lebaran:
        text += f"Lebaran months shaded: {_join([_month_name(m) for m in lebaran])}. "
    if visits:
        text += f"Factory visits marked on {_join([_day(v) for v in visits])}."
    return text.strip()


def kpi_charts(data: EnterpriseData) -> Html:
    """Section 3: one chart per tracked KPI, as in Lopez Bernal et al. (2017)."""
    from .charts import kpi_figure

    start = data.enterprise["intervention_month"]
    visits = _visits(data.milestones)
    lebaran_any = (not data.monthly.empty and "eid" in data.monthly
                   and bool((data.monthly["eid"] == 1).any()))
    parts = ["<h2>Monthly indicators</h2><p>Each point is one month. The solid line is the "
             "trend fitted before and after the programme start; the dashed line continues the "
             "trend from before the programme, which is what would be expected without it if "
             "nothing else changed. The gap between the two is the estimated effect.</p>",
             kpi_key(lebaran=lebaran_any, visits=bool(visits)),
             "<div class='figures'>"]
    untracked = []
    for name, ind in INDICATORS.items():
        lines = data.lines[data.lines["indicator"] == name] if not data.lines.empty else []
        if len(lines) == 0:
            untracked.append(ind.label)
            continue
        monthly = data.monthly[data.monthly["indicator"] == name] if not data.monthly.empty \
            else pd.DataFrame(columns=["month", "eid"])
        lebaran = sorted(monthly.loc[monthly["eid"] == 1, "month"]) if "eid" in monthly else []
        unit = indicator_unit(name, data.enterprise.get("output_unit"))
        fig = kpi_figure(lines, title=ind.label, unit=unit, intervention_month=start,
                         lebaran_months=lebaran, visits=visits, legend=False)
        row = _row(_primary(data.results), name, _primary_method(data.results, name))
        caption = (summary_sentence(row, output_unit=data.enterprise.get("output_unit"))
                   if row is not None else "")
        parts.append(figure_html(fig, kpi_alt(lines, label=ind.label, unit=unit,
                                               intervention_month=start, lebaran=lebaran,
                                               visits=visits), caption))
    parts.append("</div>")
    if untracked:
        parts.append(f"<p class='muted'>Not tracked by the enterprise: "
                     f"{esc(_join(untracked))}.</p>")
    return Html("".join(parts))


def kpi_key(*, lebaran: bool, visits: bool) -> Html:
    """One key (legend) for all the monthly charts of a page, in HTML: the same labels,
    colours and line styles as the charts (``charts.KPI_KEY``, ``charts.PALETTE``)."""
    from .charts import KPI_KEY

    shown = [k for k in KPI_KEY if (k != "eid" or lebaran) and (k != "visit" or visits)]
    items = "".join(f"<li><span class='key-mark key-{k}' aria-hidden='true'></span>"
                    f"{esc(KPI_KEY[k])}</li>" for k in shown)
    return Html(f"<ul class='chart-key' aria-label='Key to the monthly charts'>{items}</ul>")


def _primary_method(results: pd.DataFrame, indicator: str) -> str:
    prim = _primary(results)
    sub = prim[prim["indicator"] == indicator]
    return str(sub["method"].iloc[0]) if not sub.empty else ""


# --------------------------------------------------------------------------- 5S


def five_s_section(data: EnterpriseData) -> Html:
    """Section 4: 5S pillar scores per audit, the 5S index across audits and the tests."""
    from .charts import five_s_index_figure, five_s_pillar_figure

    head = "<h2>5S</h2>"
    if data.pillars.empty:
        return Html(head + "<p>No 5S audit was recorded for this enterprise.</p>")
    pillars = data.pillars.sort_values("audit_date")
    audits = pillars[["audit_date", "visit"]].drop_duplicates()
    n_audits = len(audits)
    alt_p = (f"Grouped bar chart of the five 5S pillar scores (0 to 100) at each of {n_audits} "
             f"audits. " + " ".join(
                 f"{_day(d)}: " + ", ".join(
                     f"{p.replace('_', ' ')} {fmt(s, 2)}" for p, s in zip(
                         g["pillar"], g["score"], strict=True)) + "."
                 for d, g in pillars.groupby("audit_date", sort=True)))
    parts = [head, "<p>Each audit scores checklist items in every area; an item's score is "
             "expressed as a percentage of its scale, a pillar's score is the mean over its "
             "items, and the 5S index is the mean of the five pillars (0 = nothing in place, "
             "100 = everything in place).</p><div class='figures'>",
             figure_html(five_s_pillar_figure(pillars), alt_p)]
    idx = data.five_s.sort_values("audit_date")
    if not idx.empty:
        alt_i = ("Line chart of the 5S index at each audit: " + "; ".join(
            f"{_day(r.audit_date)} {fmt(r.five_s_index, 2)}" for r in idx.itertuples(index=False))
            + ".")
        parts.append(figure_html(five_s_index_figure(idx), alt_i))
    parts.append("</div>")
    rows = data.results[data.results["domain"] == "five_s"]
    parts.append(_tests_table(rows, "5S tests: first against last audit (items matched by "
                              "area, pillar and item), and across all audits"))
    return Html("".join(parts))


def _tests_table(rows: pd.DataFrame, caption: str) -> str:
    body = []
    for _, r in rows.iterrows():
        if r["status"] != "ok":
            body.append(f"<tr><td>{esc(METHOD_NAMES.get(r['method'], r['method']))}</td>"
                        f"<td colspan='5'>{esc(_short_note(r))}: {esc(r['note'])}</td></tr>")
            continue
        ci = (f"{fmt_signed(r['ci_low'])} to {fmt_signed(r['ci_high'])}"
              if np.isfinite(r["ci_low"]) else "—")
        p = r["p_holm"] if r["primary"] else r["p_value"]
        body.append(
            f"<tr><td>{esc(METHOD_NAMES.get(r['method'], r['method']))}"
            f"{' <strong>(primary)</strong>' if r['primary'] else ''}</td>"
            f"<td class='num'>{fmt_count(r['n_pre'])}</td>"
            f"<td class='num'>{esc(fmt_signed(r['estimate']))}</td><td class='num'>{esc(ci)}</td>"
            f"<td class='num'>{fmt_p(p)}{' (Holm)' if r['primary'] else ''}</td>"
            f"<td>{esc(evidence(p))}</td></tr>")
    return ("<div class='table-wrap'><table><caption>" + esc(caption) + "</caption><thead><tr>"
            "<th scope='col'>Test</th><th scope='col'>n</th><th scope='col'>Change</th>"
            "<th scope='col'>95% CI</th><th scope='col'>p</th><th scope='col'>Evidence</th>"
            "</tr></thead><tbody>" + "".join(body) + "</tbody></table></div>")


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
    a wave has blank percentages and ``n`` blank (privacy, SPEC §6).
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


def _wave_title(wave: str) -> str:
    return {"baseline": "Before (baseline survey)",
            "followup": "After (follow-up survey)"}.get(wave, wave)


def _wave_short(wave: str) -> str:
    return {"baseline": "Before", "followup": "After"}.get(wave, wave)


def _likert_figures(data: EnterpriseData, sizes: dict[str, int]) -> str:
    codebook = data.codebook[data.codebook["item_id"].isin(data.survey.columns)]
    waves = [w for w in ("baseline", "followup") if w in sizes]
    out = []
    for (lo, hi), book in codebook.groupby(["scale_min", "scale_max"], sort=True):
        lo, hi = int(lo), int(hi)
        shares = likert_shares(data.survey, book)
        if shares.empty:
            continue
        labels = list(AGREEMENT_LABELS.get(hi - lo + 1, [str(v) for v in range(lo, hi + 1)]))
        names = {r.item_id: (r.text_en if isinstance(r.text_en, str) and r.text_en
                             else r.item_id)
                 + (" (negatively worded)" if r.reverse else "")
                 for r in book.itertuples(index=False)}
        levels = [str(v) for v in range(lo, hi + 1)]
        plot = pd.DataFrame({"item": shares["item_id"].map(names),
                             "panel": shares["wave"].map(_wave_short),
                             **{lv: shares[lv] for lv in levels}})
        panels = [(_wave_short(w), sizes.get(w, 0) >= PRIVACY_MIN) for w in waves]
        alt = _likert_alt(shares, book, sizes, levels, labels)
        caption = (f"Answers to each question, in percent of the workers who answered it, "
                   f"from {labels[0].lower()} (left) to {labels[-1].lower()} (right), as "
                   f"worded (negatively worded questions are not turned round here). "
                   + ("Labels assume the usual agreement scale. "
                      if hi - lo + 1 in AGREEMENT_LABELS else "")
                   + f"Groups of fewer than {PRIVACY_MIN} respondents are not shown.")
        out.append(likert_chart(plot, labels=labels, panels=panels, alt=alt, caption=caption))
    return "".join(out)


def likert_chart(shares: pd.DataFrame, *, labels: list[str], panels: list[tuple[str, bool]],
                 alt: str, caption: str = "") -> str:
    """Diverging stacked bars of Likert answers, drawn in HTML and CSS (no image).

    One row per item (in order of first appearance), one bar per survey wave;
    levels below the middle extend left of the centre line, above it right, a
    neutral middle level straddles it.  Segments of at least 12% carry their
    percentage.  A wave whose ``shown`` is False says "fewer than 5
    respondents" instead of a bar.  The chart is text, so it stays sharp at
    any size and prints; ``alt`` describes it for screen readers.

    Parameters
    ----------
    shares : DataFrame
        Columns ``item``, ``panel`` and one column per answer level (in scale
        order) holding the percentage of that item's answers in that wave.
    labels : list of str
        The key's label of each answer level, lowest first.
    panels : list of (wave label, shown)
        The waves in order (e.g. ``("Before", True)``).
    """
    from .charts import LIKERT_DARK, diverging_segments, likert_colours, likert_extent

    levels = [c for c in shares.columns if c not in ("item", "panel")]
    k = len(levels)
    neg, pos = likert_colours(k)
    colours = neg + pos
    extent = likert_extent(shares[levels].to_numpy(float), k)

    def at(value: float) -> str:  # a position on the track, in percent of its width
        return f"{50.0 + 50.0 * value / extent:.3f}%"

    rows = []
    for item in dict.fromkeys(shares["item"]):
        bars = []
        for wave, shown in panels:
            sub = shares[(shares["item"] == item) & (shares["panel"] == wave)]
            pct = sub[levels].to_numpy(float)[0] if len(sub) else np.full(k, np.nan)
            if not shown:
                inner = f"<span class='likert-note'>fewer than {PRIVACY_MIN} respondents</span>"
            elif not np.isfinite(pct).all():
                inner = f"<span class='likert-note'>fewer than {PRIVACY_MIN} answers</span>"
            else:
                inner = "".join(
                    f"<span class='seg{' dark' if colours[i] in LIKERT_DARK else ''}' "
                    f"style='left:{at(left)};width:{50.0 * width / extent:.3f}%;"
                    f"background:{colours[i]}'>{f'{width:.0f}' if width >= 12 else ''}</span>"
                    for i, left, width in diverging_segments(pct))
            bars.append(f"<div class='likert-wave'><span class='likert-wave-label'>"
                        f"{esc(wave)}</span><div class='likert-track'>{inner}</div></div>")
        rows.append(f"<div class='likert-row'><div class='likert-item'>{esc(item)}</div>"
                    f"<div class='likert-bars'>{''.join(bars)}</div></div>")
    ticks = [t for t in (-100, -75, -50, -25, 0, 25, 50, 75, 100) if abs(t) <= extent]
    edge = {ticks[0]: " class='first'", ticks[-1]: " class='last'"}  # kept inside the track
    axis = "".join(f"<span{edge.get(t, '')} style='left:{at(t)}'>{abs(t)}%</span>"
                   for t in ticks)
    key = "".join(f"<li><span class='key-swatch' style='background:{colours[i]}' "
                  f"aria-hidden='true'></span>{esc(labels[i])}</li>" for i in range(k))
    cap = f"<figcaption>{esc(caption)}</figcaption>" if caption else ""
    return (f"<figure class='likert'><div class='likert-chart' role='img' "
            f"aria-label='{esc(alt)}'><ul class='likert-key'>{key}</ul>{''.join(rows)}"
            f"<div class='likert-axis'><div></div><div class='likert-scale'>"
            f"<div class='likert-ticks'>{axis}</div><div class='likert-direction'>"
            f"<span>← disagree</span><span>percent of answers</span><span>agree →</span>"
            f"</div></div></div></div>{cap}</figure>")


def _likert_alt(shares: pd.DataFrame, book: pd.DataFrame, sizes: dict[str, int],
                levels: list[str], labels: list[str]) -> str:
    half = len(levels) // 2
    parts = [f"Diverging bar chart of {len(book)} survey questions answered on a "
             f"{len(levels)}-point scale, one panel per survey wave."]
    for wave, size in sizes.items():
        if size < PRIVACY_MIN:
            parts.append(f"{_wave_title(wave)}: fewer than {PRIVACY_MIN} respondents, not "
                         f"shown.")
            continue
        sub = shares[(shares["wave"] == wave) & shares["n"].notna()]
        if sub.empty:
            continue
        agree = sub[levels[len(levels) - half:]].sum(axis=1)
        parts.append(f"{_wave_title(wave)}: between {agree.min():.0f}% and {agree.max():.0f}% "
                     f"of the workers chose {labels[-half].lower()} or "
                     f"{labels[-1].lower()}, depending on the question.")
    return " ".join(parts)


def survey_section(data: EnterpriseData) -> Html:
    """Section 5: Likert answers by wave, construct scores before and after, Cronbach's alpha."""
    from .charts import construct_figure

    head = "<h2>Worker survey</h2>"
    if data.survey.empty or data.codebook.empty:
        return Html(head + "<p>No worker survey was recorded for this enterprise.</p>")
    sizes = wave_sizes(data.survey)
    shown = {w: (str(n) if n >= PRIVACY_MIN else f"fewer than {PRIVACY_MIN}")
             for w, n in sizes.items()}
    intro = ("<p>Workers answered the same questions before the programme (baseline) and "
             "after it (follow-up). Respondents: " + "; ".join(
                 f"{esc(_wave_title(w).split(' (')[0].lower())}: {esc(v)}"
                 for w, v in shown.items()) + ".</p>")
    parts = [head, intro, "<div class='figures wide'>" + _likert_figures(data, sizes) + "</div>"]
    rows = data.results[data.results["domain"] == "survey"]
    t_rows = rows[rows["method"].isin(["paired_t", "welch_t"]) & (rows["status"] == "ok")]
    if not t_rows.empty:
        t_rows = t_rows.sort_values("indicator")
        lo, hi = (float(data.codebook["scale_min"].min()), float(data.codebook["scale_max"].max()))
        fig = construct_figure(t_rows, scale=(lo, hi))
        alt = ("Dot chart of the average score of each survey construct before and after, "
               "and its change with a 95% confidence interval: " + "; ".join(
                   f"{indicator_label('survey', r.indicator).lower()} {fmt(r.pre_value)} before, "
                   f"{fmt(r.post_value)} after, change {fmt_signed(r.estimate)} "
                   f"(95% CI {fmt_signed(r.ci_low)} to {fmt_signed(r.ci_high)})"
                   for r in t_rows.itertuples(index=False)) + ".")
        caption = ("A construct's score is a worker's mean answer over its questions, with "
                   "negatively worded questions turned round so that higher is better. "
                   + ("Same workers matched across the two surveys."
                      if (t_rows["method"] == "paired_t").all()
                      else "Paired where enough workers could be matched, otherwise all "
                      "respondents of each survey."))
        parts.append("<div class='figures'>" + figure_html(fig, alt, caption) + "</div>")
    parts.append(_construct_table(data, rows))
    return Html("".join(parts))


def _alpha_cell(rel: pd.DataFrame, construct: str, wave: str) -> str:
    sub = rel[(rel["construct"] == construct) & (rel["wave"] == wave)] if not rel.empty else rel
    if sub.empty:
        return ""
    r = sub.iloc[0]
    if r["status"] != "ok":
        return f"fewer than {PRIVACY_MIN} respondents"
    return f"{fmt(r['alpha'], 2)} <span class='muted'>(n = {int(r['n_complete'])})</span>"


def _construct_table(data: EnterpriseData, rows: pd.DataFrame) -> str:
    body = []
    for construct in sorted(rows["indicator"].unique()):
        sub = rows[rows["indicator"] == construct]
        name = esc(indicator_label("survey", construct))
        t = sub[sub["method"].isin(["paired_t", "welch_t"])]
        rank = sub[sub["primary"].astype(bool)]
        if (sub["status"] == "suppressed").any():
            body.append(f"<tr><th scope='row'>{name}</th><td colspan='6'>fewer than "
                        f"{PRIVACY_MIN} respondents</td></tr>")
            continue
        if t.empty or t.iloc[0]["status"] != "ok":
            note = t.iloc[0]["note"] if not t.empty else ""
            body.append(f"<tr><th scope='row'>{name}</th><td colspan='6'>not enough data"
                        f"{': ' + esc(note) if note else ''}</td></tr>")
            continue
        t = t.iloc[0]
        n = (f"{int(t['n_pre'])} matched" if t["method"] == "paired_t"
             else f"{int(t['n_pre'])} / {int(t['n_post'])}")
        change = (f"{fmt_signed(t['estimate'])} ({fmt_signed(t['ci_low'])} to "
                  f"{fmt_signed(t['ci_high'])})")
        p = rank.iloc[0]["p_holm"] if not rank.empty else np.nan
        body.append(
            f"<tr><th scope='row'>{name}</th><td class='num'>{esc(n)}</td>"
            f"<td class='num'>{fmt(t['pre_value'])} → {fmt(t['post_value'])}</td>"
            f"<td class='num'>{esc(change)}</td>"
            f"<td class='num'>{fmt_p(p)}</td><td>{esc(evidence(p))}</td>"
            f"<td class='num'>before {_alpha_cell(data.reliability, construct, 'baseline')}<br>"
            f"after {_alpha_cell(data.reliability, construct, 'followup')}</td></tr>")
    return ("<div class='table-wrap'><table><caption>Survey constructs: mean score before → "
            "after, mean change (95% CI), rank test of the primary analysis (Holm-adjusted p) "
            "and Cronbach's alpha (baseline, follow-up)</caption><thead><tr>"
            "<th scope='col'>Construct</th><th scope='col'>Respondents</th>"
            "<th scope='col'>Mean score</th><th scope='col'>Change (95% CI)</th>"
            "<th scope='col'>p (Holm)</th><th scope='col'>Evidence</th>"
            "<th scope='col'>Cronbach's α</th></tr></thead><tbody>" + "".join(body)
            + "</tbody></table></div><p class='note'>Cronbach's alpha measures how consistently "
            "a construct's questions were answered (complete answers only); 0.7 or more is "
            "usually taken as acceptable.</p>")


# --------------------------------------------------------------------------- qualitative


def _lang(value: object) -> tuple[str, str]:
    """(lang attribute, visible language tag) of a qualitative entry; no tag for English."""
    if isinstance(value, str) and _LANG.fullmatch(value.strip()):
        code = value.strip()
        tag = "" if code.lower().startswith("en") else LANGUAGE_NAMES.get(code.lower(), code)
        return f" lang='{esc(code)}'", tag
    return "", ""


def _qualitative_lists(frame: pd.DataFrame, names: dict[str, str] | None = None) -> str:
    parts = []
    for kind in QUALITATIVE_KINDS:
        sub = frame[frame["kind"] == kind]
        if sub.empty:
            continue
        items = []
        for r in sub.itertuples(index=False):
            attr, tag = _lang(getattr(r, "language", None))
            who = (f"<span class='who'>{esc(names.get(r.enterprise_id, r.enterprise_id))}"
                   f"</span> " if names is not None else "")
            tag_html = f" <span class='tag'>{esc(tag)}</span>" if tag else ""
            items.append(f"<li>{who}<span{attr}>{esc(r.text)}</span>{tag_html}</li>")
        parts.append(f"<h3>{esc(KIND_TITLES[kind])}</h3><ul class='notes'>{''.join(items)}</ul>")
    return "".join(parts)


def qualitative_section(data: EnterpriseData) -> Html:
    """Section 6: good practices, lessons learned and constraints, as the enterprise wrote them."""
    head = "<h2>Good practices, lessons learned and constraints</h2>"
    if data.qualitative.empty:
        return Html(head + "<p>No notes were recorded for this enterprise.</p>")
    return Html(head + "<p class='muted'>As written by the enterprise and the trainers.</p>"
                + _qualitative_lists(data.qualitative))


# --------------------------------------------------------------------------- data quality


def _coverage_table(results: pd.DataFrame, monthly: pd.DataFrame, start: str) -> str:
    """Months of records used per KPI, and how many months were left out of each."""
    rows = results[(results["domain"] == "kpi") & (results["method"] == "rate_ratio_step")]
    months = sorted(set(monthly["month"])) if not monthly.empty else []
    n_before = sum(m < start for m in months)
    n_after = len(months) - n_before
    body = []
    for r in rows.itertuples(index=False):
        ind = INDICATORS.get(r.indicator)
        pre = int(r.n_pre) if np.isfinite(r.n_pre) else 0
        post = int(r.n_post) if np.isfinite(r.n_post) else 0
        if r.status == "not_reported":
            note = "not tracked"
        elif months and pre + post < len(months) and ind is not None:
            gap = len(months) - pre - post
            note = (f"{gap} month{'s' * (gap != 1)} without {ind.numerator} or with no "
                    f"{ind.exposure} left out")
        else:
            note = ""
        body.append(f"<tr><th scope='row'>{esc(indicator_label('kpi', r.indicator))}</th>"
                    f"<td class='num'>{pre}</td><td class='num'>{post}</td>"
                    f"<td>{esc(note)}</td></tr>")
    if not body:
        return ""
    return ("<div class='table-wrap'><table><caption>Months of records used per indicator "
            f"(the enterprise reported {n_before} month{'s' * (n_before != 1)} before the "
            f"programme start and {n_after} after)</caption><thead><tr>"
            "<th scope='col'>Indicator</th><th scope='col'>Before</th><th scope='col'>After</th>"
            "<th scope='col'>Note</th></tr></thead><tbody>" + "".join(body)
            + "</tbody></table></div>")


def findings_table(findings: pd.DataFrame) -> str:
    """The data-quality findings as a table (every cell escaped)."""
    body = "".join(
        f"<tr><td>{esc(r.severity)}</td><td>{esc(r.file)}</td>"
        f"<td class='num'>{esc(r.row)}</td><td>{esc(r.column)}</td>"
        f"<td>{esc(r.value)}</td><td>{esc(r.message)}</td></tr>"
        for r in findings.itertuples(index=False))
    return ("<div class='table-wrap'><table><caption>Warnings and corrections from the data "
            "checks</caption><thead><tr><th scope='col'>Severity</th><th scope='col'>File</th>"
            "<th scope='col'>Row</th><th scope='col'>Column</th><th scope='col'>Value</th>"
            "<th scope='col'>What was found</th></tr></thead><tbody>" + body
            + "</tbody></table></div>")


def data_quality_section(data: EnterpriseData) -> Html:
    """Section 7: the data-quality findings for this enterprise and the months used."""
    parts = ["<h2>Data quality</h2>"]
    if data.quality.empty:
        parts.append("<p>The data checks found no missing months, implausible values or "
                     "corrections for this enterprise.</p>")
    else:
        parts.append(f"<p>The data checks found {len(data.quality)} issue"
                     f"{'s' * (len(data.quality) != 1)} for this enterprise. Warnings do not "
                     f"stop the analysis; a missing month is left out of the models.</p>")
        parts.append(findings_table(data.quality))
    if data.quality_unlinked:
        n = data.quality_unlinked
        parts.append(f"<p>{n} further finding{'s' * (n != 1)} of the data checks "
                     f"{'do' if n != 1 else 'does'} not name an enterprise (a whole file, or a "
                     "row of a table); see the data-quality log.</p>")
    parts.append(_coverage_table(data.results, data.monthly,
                                 data.enterprise["intervention_month"]))
    parts.append("<p class='muted'>Every finding of every enterprise is in "
                 "<code>quality_log.csv</code> beside the reports.</p>")
    return Html("".join(parts))


# --------------------------------------------------------------------------- methods


def analysis_plan() -> str:
    """The pre-specified analysis plan as an HTML fragment (from the package templates)."""
    return resources.files("score_analysis").joinpath("templates/analysis_plan.html").read_text(
        encoding="utf-8")


def results_table(results: pd.DataFrame) -> Html:
    """Every results row (numbers rounded for reading), sensitivity rows included."""
    head = ("<tr><th scope='col'>Indicator</th><th scope='col'>Method</th>"
            "<th scope='col'>Status</th><th scope='col'>n before / after</th>"
            "<th scope='col'>Before</th><th scope='col'>After</th>"
            "<th scope='col'>Estimate (95% CI)</th><th scope='col'>p</th>"
            "<th scope='col'>p (Holm)</th><th scope='col'>q (BH)</th>"
            "<th scope='col'>Effect size</th><th scope='col'>Direction</th></tr>")
    body = []
    for r in results.itertuples(index=False):
        ci = (f"<span class='measure'>{fmt(r.ci_low)} to {fmt(r.ci_high)}</span>"
              if pd.notna(r.ci_low) and pd.notna(r.ci_high) else "")
        direction = r.direction if isinstance(r.direction, str) else ""
        note = (f"<span class='measure'>{esc(r.note)}</span>"
                if isinstance(r.note, str) and r.note else "")
        n = (f"{fmt_count(r.n_pre)} / {fmt_count(r.n_post)}"
             if not (_missing(r.n_pre) and _missing(r.n_post)) else "")
        body.append(
            f"<tr><td>{esc(indicator_label(r.domain, r.indicator))}</td><td>{esc(r.method)}"
            f"{' (primary)' if r.primary else ''}{note}</td><td>{esc(r.status)}</td>"
            f"<td class='num'>{n}</td>"
            f"<td class='num'>{fmt(r.pre_value)}</td><td class='num'>{fmt(r.post_value)}</td>"
            f"<td class='num'>{fmt(r.estimate)}{ci}</td>"
            f"<td class='num'>{fmt_p(r.p_value)}</td><td class='num'>{fmt_p(r.p_holm)}</td>"
            f"<td class='num'>{fmt_p(r.q_bh)}</td><td class='num'>{fmt(r.effect_size)}</td>"
            f"<td class='{esc(direction)}'>{esc(direction)}</td></tr>")
    return Html("<div class='table-wrap'><table class='dense'><caption>Every estimate of the "
                "analysis plan (rate ratios for monthly indicators, differences in points for "
                "5S and the survey)</caption><thead>" + head + "</thead><tbody>"
                + "".join(body) + "</tbody></table></div>")


def diagnostics_table(results: pd.DataFrame) -> str:
    """Model diagnostics of the KPI rows: dispersion, Durbin-Watson, Ljung-Box, HAC lag, terms."""
    rows = results[(results["domain"] == "kpi") & (results["status"] == "ok")]
    body = "".join(
        f"<tr><td>{esc(indicator_label('kpi', r.indicator))}</td><td>{esc(r.method)}</td>"
        f"<td><code>{esc(r.terms)}</code></td><td class='num'>{fmt(r.dispersion)}</td>"
        f"<td class='num'>{fmt(r.durbin_watson)}</td><td class='num'>{fmt_p(r.ljung_box_p)}</td>"
        f"<td class='num'>{fmt(r.hac_lag)}</td></tr>"
        for r in rows.itertuples(index=False))
    if not body:
        return ""
    return ("<div class='table-wrap'><table class='dense'><caption>Model diagnostics of the "
            "monthly indicators</caption><thead><tr><th scope='col'>Indicator</th>"
            "<th scope='col'>Model</th><th scope='col'>Terms</th>"
            "<th scope='col'>Dispersion</th><th scope='col'>Durbin-Watson</th>"
            "<th scope='col'>Ljung-Box p (lag 6)</th><th scope='col'>HAC lag</th></tr></thead>"
            "<tbody>" + body + "</tbody></table></div>")


METHODS_TEXT = (
    "<p>Monthly indicators are rates (numerator over exposure), modelled with a quasi-Poisson "
    "GLM with log link and log(exposure) as offset; Wald intervals use the dispersion-scaled "
    "standard errors. The primary estimate is the step of the segmented (interrupted time "
    "series) model at the programme start when there are at least 6 months before and 6 "
    "after, otherwise the after-versus-before rate ratio; a Lebaran term enters when Lebaran "
    "months lie on both sides. Dispersion far above 1 means more month-to-month variation "
    "than counts alone; a Durbin-Watson value far from 2 or a Ljung-Box p below 0.05 points "
    "to autocorrelation, in which case a sensitivity row with Newey-West standard errors "
    "(<code>its_level_hac</code>) is added. 5S: items matched by area, pillar and item "
    "between the first and last audit (paired t and Wilcoxon signed-rank tests) and the "
    "Friedman test across all audits. Survey: paired tests on workers matched by code, "
    "otherwise Welch and Mann-Whitney tests. Holm's method adjusts the primary results of "
    "the enterprise for multiplicity; Benjamini-Hochberg q-values are shown beside.</p>")


def methods_section(data: EnterpriseData) -> Html:
    """Section 8 (collapsed): models, diagnostics, every results row and the analysis plan."""
    return Html(
        "<details class='methods'><summary><h2>Methods and diagnostics</h2></summary>"
        + METHODS_TEXT
        + "<p>The full pre-specified plan is <a href='#analysis-plan'>at the end of this "
          "section</a>.</p>"
        + diagnostics_table(data.results) + results_table(data.results)
        + "<details id='analysis-plan' class='plan'><summary>Analysis plan</summary>"
        + analysis_plan() + "</details></details>")


# --------------------------------------------------------------------------- provenance


def provenance_section(provenance: dict) -> Html:
    """Section 9 (collapsed): input file hashes, package versions, commit, parameters, date."""
    if not provenance:
        return Html("<details class='provenance'><summary><h2>Provenance</h2></summary>"
                    "<p>No provenance record was found.</p></details>")
    tool = provenance.get("tool", {})
    commit = tool.get("git_commit") or "not recorded"
    facts = [("Run date (UTC)", provenance.get("run_date")),
             ("Program", f"{tool.get('name', '')} {tool.get('version', '')}".strip()),
             ("Git commit", commit), ("Code fingerprint", tool.get("code_fingerprint")),
             ("Python", provenance.get("python"))]
    facts += [(f"Parameter: {k}", v) for k, v in sorted(provenance.get("parameters", {}).items())]
    dl = "".join(f"<div><dt>{esc(k)}</dt><dd><code>{esc(v)}</code></dd></div>"
                 for k, v in facts if not _missing(v))
    inputs = "".join(f"<tr><td>{esc(k)}</td><td><code class='hash'>{esc(v)}</code></td></tr>"
                     for k, v in sorted(provenance.get("inputs", {}).items()))
    packages = ", ".join(f"{esc(k)} {esc(v)}"
                         for k, v in sorted(provenance.get("packages", {}).items()))
    return Html(
        "<details class='provenance'><summary><h2>Provenance</h2></summary>"
        f"<dl class='profile'>{dl}</dl>"
        "<div class='table-wrap'><table><caption>Input files (SHA-256)</caption><thead><tr>"
        "<th scope='col'>File</th><th scope='col'>SHA-256</th></tr></thead><tbody>"
        f"{inputs}</tbody></table></div><p><strong>Packages:</strong> {packages}.</p>"
        "</details>")


def footer(data: EnterpriseData | None = None, *, provenance: dict | None = None) -> Html:
    """The page footer: when and from what the report was made."""
    prov = data.provenance if data is not None else (provenance or {})
    tool = prov.get("tool", {})
    return Html(f"<footer>Made with {esc(tool.get('name', 'score-analysis'))} "
                f"{esc(tool.get('version', ''))} on {esc(_short_date(prov.get('run_date')))} "
                "(UTC). "
                "SCORE is a programme of the International Labour Organization.</footer>")


# --------------------------------------------------------------------------- pages


def stylesheet() -> str:
    """The reports' CSS (inlined into every page: no network needed)."""
    return resources.files("score_analysis").joinpath("templates/report.css").read_text(
        encoding="utf-8")


def page(body: str, title: str, *, lang: str = "en") -> str:
    """A complete, self-contained HTML page around a body fragment.

    The stylesheet is inlined and a Content-Security-Policy forbids scripts and
    any network request, so a page opens the same from a USB stick.
    """
    return (f'<!DOCTYPE html>\n<html lang="{esc(lang)}">\n<head>\n<meta charset="utf-8">\n'
            f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f'<meta name="referrer" content="no-referrer">\n'
            f"<title>{esc(title)}</title>\n<style>\n{stylesheet()}</style>\n</head>\n<body>\n"
            f"<main>\n{body}\n</main>\n</body>\n</html>\n")


def failed_page(title: str, error: str, notebook: str | None = None, *,
                home: str = "../index.html") -> str:
    """The page shown in place of a report whose analysis or notebook failed.

    ``home`` is the index as seen from the page (``index.html`` for the synthesis).
    """
    link = (f'<p>The partly executed notebook is kept for diagnosis: '
            f'<a href="{esc(notebook)}">{esc(notebook)}</a>.</p>' if notebook else "")
    body = (_nav(home, None) + f"<h1>{esc(title)}</h1><div class='failed' "
            f"role='alert'><strong>This report could not be built.</strong><p>{esc(error)}</p>"
            f"</div>{link}<p>The other reports are not affected. Correct the cause and run "
            f"the analysis again.</p>")
    return page(body, f"{title} (failed)")


def headline(results: pd.DataFrame) -> str:
    """A one-line summary of one enterprise's primary results (for the index)."""
    prim = _primary(results)
    ok = prim[prim["status"] == "ok"] if not prim.empty else prim
    if ok.empty:
        return "No estimable result."
    names = {d: [indicator_label(r.domain, r.indicator) for r in ok.itertuples(index=False)
                 if r.direction == d] for d in ("improved", "worsened")}
    unclear = int((ok["direction"] == "inconclusive").sum())

    def listed(items: list[str]) -> str:
        shown = items[:3]
        more = f" and {len(items) - 3} more" if len(items) > 3 else ""
        return ", ".join(shown) + more

    parts = []
    if names["improved"]:
        parts.append("Improved: " + listed(names["improved"]))
    if names["worsened"]:
        parts.append("worsened: " + listed(names["worsened"]))
    if unclear:
        parts.append(f"no clear change in {unclear} of {len(ok)}")
    text = "; ".join(parts)
    return text[0].upper() + text[1:] + "."


def synthesis_headline(pooled: pd.DataFrame) -> str:
    """A one-line summary of the pooled estimates (for the index)."""
    if pooled.empty or pooled["estimate"].isna().all():
        return "Too few enterprises to pool any indicator."
    est = pooled.dropna(subset=["estimate"])
    better, worse = [], []
    for r in est.itertuples(index=False):
        if not (np.isfinite(r.p_value) and r.p_value < ALPHA):
            continue
        sign = np.sign(math.log(r.estimate)) if r.estimate_scale == "rate_ratio" else np.sign(
            r.estimate)
        (better if sign == good_direction(r.domain, r.indicator) else worse).append(
            indicator_label(r.domain, r.indicator))
    k = int(est["k"].max())
    text = f"Pooled over up to {k} enterprises: "
    text += (f"{len(better)} of {len(est)} indicators improved on average"
             + (f" ({', '.join(better[:3])}{' and more' if len(better) > 3 else ''})"
                if better else ""))
    if worse:
        text += f", {len(worse)} worsened ({', '.join(worse[:3])})"
    return text + "."


def index_page(entries: list[dict], *, run_date: str) -> str:
    """``reports/index.html``: every report with its status, data source, date, headline."""
    rows = []
    for e in entries:
        status = e.get("status", "")
        cls = {"ok": "ok", "unchanged": "ok", "failed": "failed"}.get(status, "na")
        shown = {"unchanged": "ok"}.get(status, status)
        source = {"simulated": "simulated", "enterprise_records": "enterprise records"}.get(
            e.get("data_source", ""), e.get("data_source", ""))
        built = e.get("built", "")
        rows.append(
            f"<tr><th scope='row'><a href='{esc(e['path'])}'>{esc(e['title'])}</a></th>"
            f"<td><span class='status {cls}'>{esc(shown)}</span></td>"
            f"<td>{esc(source)}</td><td class='date'>{esc(_short_date(built))}</td>"
            f"<td>{esc(e.get('headline', ''))}</td></tr>")
    simulated = any("simulated" in str(e.get("data_source", "")) for e in entries)
    failed = sum(e.get("status") == "failed" for e in entries)
    body = (str(banner(simulated=simulated))
            + "<p class='kicker'>ILO SCORE programme · Module 1 Workplace Cooperation · "
            "Indonesia 2010</p><h1>Impact assessments</h1>"
            "<p class='lead'>One report per enterprise, and a synthesis across enterprises for "
            "the final result workshop. Each report compares the enterprise before and after "
            "the programme.</p>"
            + (f"<div class='failed' role='alert'>{failed} report"
               f"{'s' * (failed != 1)} could not be built; see "
               "the status column.</div>" if failed else "")
            + "<div class='table-wrap'><table class='index'><caption>Reports</caption><thead>"
            "<tr><th scope='col'>Report</th><th scope='col'>Status</th>"
            "<th scope='col'>Data</th><th scope='col'>Built</th><th scope='col'>Headline</th>"
            "</tr></thead><tbody>" + "".join(rows) + "</tbody></table></div>"
            "<p class='muted'>Tables for reuse beside this page: <code>results.csv</code> "
            "(every estimate), <code>pooled.csv</code>, <code>quality_log.csv</code>; the "
            "executed notebooks are in <code>notebooks/</code> and the provenance in "
            "<code>manifest.json</code>.</p>"
            f"<footer>Index written {esc(_short_date(run_date))} (UTC).</footer>")
    return page(body, "SCORE Module 1 — impact assessments")


def _short_date(stamp: object) -> str:
    if _missing(stamp) or not str(stamp):
        return ""
    try:
        return pd.Timestamp(str(stamp)).strftime("%-d %b %Y %H:%M")
    except ValueError:
        return str(stamp)


# --------------------------------------------------------------------------- synthesis


@dataclass(frozen=True)
class SynthesisData:
    """The cross-enterprise tables the synthesis report shows."""

    enterprises: pd.DataFrame
    results: pd.DataFrame
    pooled: pd.DataFrame
    five_s: pd.DataFrame = field(default_factory=pd.DataFrame)
    qualitative: pd.DataFrame = field(default_factory=pd.DataFrame)
    quality: pd.DataFrame = field(default_factory=pd.DataFrame)
    provenance: dict = field(default_factory=dict)

    @property
    def simulated(self) -> bool:
        return bool((self.enterprises["data_source"] == "simulated").any())

    @property
    def names(self) -> dict[str, str]:
        return dict(zip(self.enterprises["enterprise_id"], self.enterprises["name"],
                        strict=True))


def load_synthesis(*, processed_dir: str) -> SynthesisData:
    """Read the tables of the synthesis report (no computation)."""
    from .io import read_json

    p = Path(processed_dir)
    return SynthesisData(enterprises=_read(p, "enterprises"), results=_read(p, "results"),
                         pooled=_read(p, "pooled"), five_s=_read(p, "five_s_index"),
                         qualitative=_read(p, "qualitative"), quality=_read(p, "quality_log"),
                         provenance=read_json(p / "provenance.json") or {})


def synthesis_header(data: SynthesisData) -> Html:
    """Banner, title, the enterprises and what a before/after synthesis can show."""
    rows = "".join(
        f"<tr><th scope='row'><a href='enterprises/{esc(e.enterprise_id)}.html'>"
        f"{esc(e.name)}</a></th><td>{esc(e.sector)}</td><td>{esc(e.location)}</td>"
        f"<td>{esc(_month_name(e.intervention_month))}</td></tr>"
        for e in data.enterprises.itertuples(index=False))
    return Html(
        str(banner(simulated=data.simulated)) + _nav("index.html", None)
        + "<p class='kicker'>SCORE Module 1 · Workplace Cooperation · final result workshop"
        "</p><h1>Synthesis across enterprises</h1>"
        f"<p class='lead'>What changed in the {len(data.enterprises)} enterprises after the "
        "programme, side by side, and on average across them.</p>"
        "<div class='table-wrap'><table><caption>Enterprises</caption><thead><tr>"
        "<th scope='col'>Enterprise</th><th scope='col'>Sector</th><th scope='col'>Location"
        "</th><th scope='col'>Programme start</th></tr></thead><tbody>" + rows
        + "</tbody></table></div>" + caveat())


_MARK = {"improved": "improved", "worsened": "worsened", "inconclusive": "no clear change"}


_GRID_SHORT = {"inconclusive": "○", "not tracked": "n/t", "no data": "n/d",
               "not enough data": "—", f"fewer than {PRIVACY_MIN} respondents": f"<{PRIVACY_MIN}"}


def _grid_cell(row) -> str:
    """A compact grid cell: the marker for clear results, a short sign with its words for
    screen readers otherwise."""
    cls, mark = _marker(row)
    if cls in ("improved", "worsened"):
        return f"<td class='mark {esc(cls)}'>{esc(mark)}</td>"
    words = mark.removeprefix("● ")
    short = _GRID_SHORT.get(cls) or _GRID_SHORT.get(words, "—")
    return (f"<td class='mark {esc(cls)}'><span aria-hidden='true'>{esc(short)}</span>"
            f"<span class='sr-only'>{esc(words)}</span></td>")


def synthesis_grid(data: SynthesisData) -> Html:
    """Enterprise × indicator grid of the primary results' directions."""
    prim = _primary(data.results)
    if prim.empty:
        return Html("<h2>Summary grid</h2><p>No results.</p>")
    indicators = list(dict.fromkeys(zip(prim["domain"], prim["indicator"], strict=True)))
    head = "".join(f"<th scope='col'>{esc(indicator_label(d, i))}</th>" for d, i in indicators)
    rows = []
    for ent in data.enterprises.itertuples(index=False):
        own = prim[prim["enterprise_id"] == ent.enterprise_id]
        cells = []
        for d, i in indicators:
            r = own[(own["domain"] == d) & (own["indicator"] == i)]
            if r.empty:
                cells.append("<td class='na'>—</td>")
                continue
            cells.append(_grid_cell(r.iloc[0]))
        rows.append(f"<tr><th scope='row'><a href='enterprises/{esc(ent.enterprise_id)}.html'>"
                    f"{esc(ent.name)}</a></th>{''.join(cells)}</tr>")
    return Html(
        "<h2>Summary grid</h2><p>The primary result of each indicator in each enterprise: "
        "▲ rose, ▼ fell; <span class='improved'>improved</span> or "
        "<span class='worsened'>worsened</span> only when the evidence is at least moderate "
        "(Holm-adjusted p &lt; 0.05 within the enterprise); ○ no clear change; n/t not "
        f"tracked; — not enough data; &lt;{PRIVACY_MIN} fewer than {PRIVACY_MIN} survey "
        "respondents.</p>"
        "<div class='table-wrap'><table class='grid'><caption>Primary results by enterprise "
        f"and indicator</caption><thead><tr><th scope='col'>Enterprise</th>{head}</tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table></div>")


def pooled_table(data: SynthesisData) -> Html:
    """Pooled random-effects estimates per indicator, with k, τ² and I²."""
    rows = []
    order = {name: i for i, name in enumerate(INDICATORS)}
    pooled = data.pooled.assign(
        _order=[(0, order.get(i, 99), i) if d == "kpi" else (1 if d == "five_s" else 2, 0, i)
                for d, i in zip(data.pooled["domain"], data.pooled["indicator"], strict=True)])
    for r in pooled.sort_values("_order").itertuples(index=False):
        ratio = r.estimate_scale == "rate_ratio"
        if pd.notna(r.estimate):
            est = (f"{fmt(r.estimate)} ({signed_percent(r.estimate)})"
                   if ratio and r.estimate < 2 else fmt(r.estimate) if ratio
                   else fmt_signed(r.estimate))
            ci = f"{fmt(r.ci_low)} to {fmt(r.ci_high)}"
        else:
            est, ci = "", f"not pooled (k = {r.k} < 3)"
        rows.append(f"<tr><th scope='row'>{esc(indicator_label(r.domain, r.indicator))}</th>"
                    f"<td class='num'>{r.k}</td><td class='num'>{esc(est)}</td>"
                    f"<td class='num'>{esc(ci)}</td><td class='num'>{fmt_p(r.p_value)}</td>"
                    f"<td class='num'>{fmt(r.tau2)}</td><td class='num'>{fmt(r.i2, 2)}</td></tr>")
    return Html("<div class='table-wrap'><table><caption>Pooled estimates: random-effects "
                "meta-analysis (DerSimonian-Laird τ², Hartung-Knapp-Sidik-Jonkman interval); "
                "rate ratios after vs. before for monthly indicators, mean change in points for "
                "5S and survey</caption><thead><tr><th scope='col'>Indicator</th>"
                "<th scope='col'>k</th><th scope='col'>Estimate</th><th scope='col'>95% CI</th>"
                "<th scope='col'>p</th><th scope='col'>τ²</th><th scope='col'>I² (%)</th></tr>"
                "</thead><tbody>" + "".join(rows) + "</tbody></table></div>")


def small_k_note(pooled: pd.DataFrame) -> str:
    """What pooling over these enterprises can and cannot support (HTML).

    Below 10 enterprises the note says what so few cannot support; from 10 on it
    keeps only what holds for any number (the enterprises were not sampled).
    """
    k = int(pooled["k"].max()) if not pooled.empty else 0
    meaning = ("The pooled estimate is the average effect across these "
               f"{k} enterprises, allowing for their differences (τ² is the variance of the "
               "true effects between enterprises, I² the share of the variation that is not "
               "chance).")
    if k >= 10:
        return (f"<div class='caveat'><p><strong>What the pooled estimate means.</strong> "
                f"{meaning} The enterprises were not drawn at random, so the average does not "
                "generalise to other Indonesian SMEs. Indicators with fewer than 3 estimable "
                "enterprises are not pooled.</p></div>")
    return (
        f"<div class='caveat'><p><strong>What k = {k} can and cannot support.</strong> "
        f"{meaning} With so few enterprises τ² and I² "
        f"are very imprecise, and the Hartung-Knapp interval uses a t distribution with "
        f"{max(k - 1, 1)} degrees of freedom, so it is wide. The enterprises were not drawn at "
        "random, so the average does not generalise to other Indonesian SMEs, and k this small "
        "cannot explain why some enterprises gained more than others. Indicators with fewer "
        "than 3 estimable enterprises are not pooled.</p></div>")


def _studies(data: SynthesisData, domain: str, indicator: str, methods: tuple[str, ...]
             ) -> pd.DataFrame:
    """One row per enterprise: name, estimate, ci_low, ci_high, note (for forest plots)."""
    res = data.results
    sub = res[(res["domain"] == domain) & (res["indicator"] == indicator)
              & res["method"].isin(methods)].drop_duplicates("enterprise_id")
    rows = []
    by_id = dict(zip(sub["enterprise_id"], sub.to_dict("records"), strict=True))
    for e in data.enterprises.itertuples(index=False):
        r = by_id.get(e.enterprise_id)
        if r is None:
            rows.append({"name": e.name, "estimate": np.nan, "ci_low": np.nan,
                         "ci_high": np.nan, "note": "no data"})
            continue
        ok = r["status"] == "ok" and np.isfinite(float(r["estimate"]))
        rows.append({"name": e.name, "estimate": float(r["estimate"]) if ok else np.nan,
                     "ci_low": float(r["ci_low"]) if ok else np.nan,
                     "ci_high": float(r["ci_high"]) if ok else np.nan,
                     "note": "" if ok else _short_note(r)})
    return pd.DataFrame(rows, columns=["name", "estimate", "ci_low", "ci_high", "note"])


def _pooled_row(data: SynthesisData, domain: str, indicator: str) -> pd.Series | None:
    sub = data.pooled[(data.pooled["domain"] == domain) & (data.pooled["indicator"] == indicator)]
    if sub.empty or not np.isfinite(float(sub.iloc[0]["estimate"])):
        return None
    return sub.iloc[0]


def _pool_subtitle(pooled: pd.Series | None, k_fallback: int) -> str:
    if pooled is None:
        return f"Not pooled: k = {k_fallback} enterprises with an estimate (needs 3)."
    return (f"k = {int(pooled['k'])}, τ² = {fmt(pooled['tau2'])}, "
            f"I² = {fmt(pooled['i2'], 2)}%")


def _forest_alt(title: str, studies: pd.DataFrame, pooled: pd.Series | None, ratio: bool) -> str:
    def one(e, a, b):
        if ratio:
            return f"{fmt(e)} (95% CI {fmt(a)} to {fmt(b)})"
        return f"{fmt_signed(e)} (95% CI {fmt_signed(a)} to {fmt_signed(b)})"

    what = title[:1].lower() + title[1:]  # "5S mean change" keeps its capital S
    parts = [f"Forest plot of {what}: each enterprise's estimate with its 95% "
             f"confidence interval" + (" on a ratio scale where 1 means no change"
                                       if ratio else ", where 0 means no change") + "."]
    for r in studies.itertuples(index=False):
        parts.append(f"{r.name}: " + (one(r.estimate, r.ci_low, r.ci_high)
                                      if np.isfinite(r.estimate) else r.note) + ".")
    if pooled is not None:
        parts.append("Pooled: " + one(pooled["estimate"], pooled["ci_low"], pooled["ci_high"])
                     + ".")
    return " ".join(parts)


def _many_note(n: int) -> str:
    """What the forest plots do with many enterprises (empty when each row is named)."""
    from .charts import MANY_ROWS, many_rows

    if not many_rows(n):
        return ""
    return (f" With more than {MANY_ROWS} enterprises the rows are not named: each line is "
            "one enterprise, sorted by its estimate; every enterprise's figures are in its "
            "own report and in <code>results.csv</code>.")


def forest_plots(data: SynthesisData) -> Html:
    """A forest plot per monthly indicator: each enterprise and the pooled estimate."""
    from .charts import forest_figure

    parts = ["<h2>Monthly indicators across enterprises</h2><p>Each enterprise's rate ratio "
             "after versus before the programme (1 = no change, below 1 = fewer, above 1 = "
             "more) with its 95% interval, and the pooled random-effects estimate as a "
             "diamond. These are the after-versus-before ratios that enter the pooling; the "
             "enterprise reports lead with the step at the programme start."
             + _many_note(len(data.enterprises)) + "</p>",
             small_k_note(data.pooled), "<div class='figures two'>"]
    for name, ind in INDICATORS.items():
        studies = _studies(data, "kpi", name, ("rate_ratio_step",))
        if studies["estimate"].notna().sum() == 0:
            continue
        pooled = _pooled_row(data, "kpi", name)
        better = "lower" if ind.good_direction < 0 else "higher"
        fig = forest_figure(studies, pooled, title=ind.label, ratio=True,
                            xlabel=f"Rate ratio, after / before ({better} is better)",
                            subtitle=_pool_subtitle(pooled, int(studies["estimate"].notna()
                                                                .sum())))
        parts.append(figure_html(fig, _forest_alt(ind.label, studies, pooled, True)))
    parts.append("</div>")
    parts.append(pooled_table(data))
    return Html("".join(parts))


def five_s_overview(data: SynthesisData) -> Html:
    """The 5S index of every enterprise across audits, and the pooled mean change."""
    from .charts import five_s_index_figure, forest_figure

    parts = ["<h2>5S across enterprises</h2>"]
    if data.five_s.empty:
        return Html(parts[0] + "<p>No 5S audits were recorded.</p>")
    idx = data.five_s.sort_values(["enterprise_id", "audit_date"])
    names = data.names
    alt = ("Line chart of the 5S index (0 to 100) at each audit, one line per enterprise. "
           + " ".join(f"{names.get(e, e)}: " + ", ".join(
               f"{fmt(v, 2)}" for v in g["five_s_index"]) + "."
               for e, g in idx.groupby("enterprise_id", sort=False)))
    parts.append("<div class='figures'>" + figure_html(five_s_index_figure(idx, names), alt))
    studies = _studies(data, "five_s", "five_s_index", ("paired_t",))
    if studies["estimate"].notna().any():
        pooled = _pooled_row(data, "five_s", "five_s_index")
        fig = forest_figure(studies, pooled, title="5S: mean change of item scores",
                            ratio=False, xlabel="Change in points (0-100), last minus first audit",
                            subtitle=_pool_subtitle(pooled,
                                                    int(studies["estimate"].notna().sum())))
        parts.append(figure_html(fig, _forest_alt("5S mean change", studies, pooled, False)))
    parts.append("</div>")
    return Html("".join(parts))


def survey_overview(data: SynthesisData) -> Html:
    """Survey construct changes side by side, each with the pooled mean change."""
    from .charts import survey_changes_figure

    res = data.results[data.results["domain"] == "survey"] if not data.results.empty \
        else data.results
    head = "<h2>Worker survey across enterprises</h2>"
    if res.empty:
        return Html(head + "<p>No worker survey was recorded.</p>")
    panels, alts = [], []
    for construct in sorted(res["indicator"].unique()):
        studies = _studies(data, "survey", construct, ("paired_t", "welch_t"))
        pooled = _pooled_row(data, "survey", construct)
        title = indicator_label("survey", construct)
        panels.append((title, studies, pooled))
        alts.append(_forest_alt(title, studies, pooled, False))
    fig = survey_changes_figure(panels)
    return Html(head + "<p>Mean change of each construct score (after minus before, in points "
                "of the answer scale) with its 95% interval; the diamond is the pooled "
                "estimate. Enterprises with fewer than 5 respondents in a survey wave are not "
                "shown." + _many_note(len(data.enterprises)) + "</p><div class='figures wide'>"
                + figure_html(fig, "Survey construct changes side by side. " + " ".join(alts))
                + "</div>")


def qualitative_overview(data: SynthesisData) -> Html:
    """Good practices, lessons learned and constraints of every enterprise, by kind."""
    head = "<h2>Good practices, lessons learned and constraints</h2>"
    if data.qualitative.empty:
        return Html(head + "<p>No notes were recorded.</p>")
    return Html(head + "<p class='muted'>As written by the enterprises and the trainers.</p>"
                + _qualitative_lists(data.qualitative, data.names))


def synthesis_quality(data: SynthesisData) -> Html:
    """Data-quality findings across enterprises, and the methods of the synthesis (collapsed)."""
    parts = ["<h2>Data quality</h2>"]
    if data.quality.empty:
        parts.append("<p>The data checks found no warnings.</p>")
    else:
        parts.append(f"<p>The data checks found {len(data.quality)} issue"
                     f"{'s' * (len(data.quality) != 1)}; none stopped the analysis.</p>")
        parts.append(findings_table(data.quality))
    parts.append(
        "<details class='methods'><summary><h2>Methods</h2></summary>" + METHODS_TEXT
        + "<p>Pooling: random-effects meta-analysis of each indicator's after-versus-before "
          "rate ratio on the log scale (variance = squared standard error), and of the 5S and "
          "survey mean changes on their own scale, with DerSimonian-Laird τ² and the "
          "Hartung-Knapp-Sidik-Jonkman interval and test on t(k − 1), as "
          "<code>metafor::rma(yi, vi, method = \"DL\", test = \"knha\")</code>.</p>"
        + "<details id='analysis-plan' class='plan'><summary>Analysis plan</summary>"
        + analysis_plan() + "</details></details>")
    return Html("".join(parts))
