"""Presentation: HTML fragments and charts for the reports, and the page shell.

Notebooks call these functions; each returns an :class:`Html` object that
Jupyter displays as HTML.  Every piece of text that comes from the data
(enterprise names, free text, ids) is escaped with :func:`html.escape`.  The
heavy statistics are never recomputed here: the pipeline has already written
them to ``data/processed`` and ``reports/results.csv``.
"""

from __future__ import annotations

import base64
import html
import io as _io
import math
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import pandas as pd

from .contract import INDICATORS

SIMULATED_BANNER = "Simulated demonstration data — not enterprise results"
#: Colour-blind-safe palette (Okabe & Ito 2008).
PALETTE = {"observed": "#0072B2", "fitted": "#D55E00", "counterfactual": "#555555",
           "intervention": "#009E73", "visit": "#CC79A7", "eid": "#E69F00"}


class Html(str):
    """A string that Jupyter shows as HTML (and nothing else)."""

    def _repr_html_(self) -> str:
        return str(self)

    def __repr__(self) -> str:  # keeps stray text/plain reprs short and harmless
        return "<html fragment>"


def esc(value: object) -> str:
    """Escape any value for HTML text or attribute context."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return html.escape(str(value), quote=True)


# --------------------------------------------------------------------------- data


@dataclass(frozen=True)
class EnterpriseData:
    """One enterprise's slice of the processed tables and results."""

    enterprise: pd.Series
    results: pd.DataFrame
    lines: pd.DataFrame
    milestones: pd.DataFrame

    @property
    def simulated(self) -> bool:
        return self.enterprise["data_source"] == "simulated"


def load_enterprise(enterprise_id: str, *, processed_dir: str) -> EnterpriseData:
    """Read one enterprise's slice of the pipeline's outputs (no computation)."""
    from .io import read_parquet

    p = Path(processed_dir)
    ents = read_parquet(p / "enterprises.parquet", enterprise_id)
    if ents.empty:
        raise ValueError(f"enterprise {enterprise_id!r} is not in {p / 'enterprises.parquet'}")
    return EnterpriseData(
        enterprise=ents.iloc[0],
        results=read_parquet(p / "results.parquet", enterprise_id),
        lines=read_parquet(p / "kpi_lines.parquet", enterprise_id),
        milestones=read_parquet(p / "milestones.parquet", enterprise_id)
        if (p / "milestones.parquet").exists() else pd.DataFrame(),
    )


# --------------------------------------------------------------------------- fragments


def banner(data: EnterpriseData) -> Html:
    """The simulated-data banner (empty for enterprise records)."""
    if not data.simulated:
        return Html("")
    return Html(f'<div class="banner" role="note">{esc(SIMULATED_BANNER)}</div>')


def profile(data: EnterpriseData) -> Html:
    """Enterprise name, sector, location, size and intervention month."""
    e = data.enterprise
    items = [("Sector", e.get("sector")), ("Location", e.get("location")),
             ("Employees", e.get("employees")), ("Programme start", e.get("intervention_month")),
             ("Data", "simulated" if data.simulated else "enterprise records")]
    rows = "".join(f"<dt>{esc(k)}</dt><dd>{esc(v)}</dd>" for k, v in items
                   if v is not None and not (isinstance(v, float) and math.isnan(v))
                   and v is not pd.NA)
    return Html(f'<h1>{esc(e["name"])}</h1><dl class="profile">{rows}</dl>')


def fmt(x: object, digits: int = 3) -> str:
    """A number for people: significant digits, no scientific notation for usual sizes."""
    if x is None or x is pd.NA:
        return ""
    try:
        v = float(x)
    except (TypeError, ValueError):
        return esc(x)
    if math.isnan(v):
        return ""
    if v == 0:
        return "0"
    if abs(v) >= 1e6 or abs(v) < 1e-4:
        return f"{v:.{digits}g}"
    decimals = max(0, digits - 1 - int(math.floor(math.log10(abs(v)))))
    return f"{v:,.{decimals}f}"


def fmt_p(p: object) -> str:
    try:
        v = float(p)
    except (TypeError, ValueError):
        return ""
    if math.isnan(v):
        return ""
    return "< 0.001" if v < 0.001 else f"{v:.3f}"


def results_table(data: EnterpriseData) -> Html:
    """The results rows of the enterprise as a table (numbers rounded for reading)."""
    r = data.results
    head = ("<tr><th scope='col'>Indicator</th><th scope='col'>Method</th>"
            "<th scope='col'>Status</th><th scope='col'>Before</th><th scope='col'>After</th>"
            "<th scope='col'>Estimate</th><th scope='col'>95% CI</th><th scope='col'>p</th>"
            "<th scope='col'>p (Holm)</th><th scope='col'>Direction</th></tr>")
    body = []
    for row in r.itertuples(index=False):
        ci = (f"{fmt(row.ci_low)} to {fmt(row.ci_high)}"
              if pd.notna(row.ci_low) and pd.notna(row.ci_high) else "")
        direction = row.direction if isinstance(row.direction, str) else ""
        body.append(
            f"<tr><td>{esc(_label(row.domain, row.indicator))}</td><td>{esc(row.method)}"
            f"{' (primary)' if row.primary else ''}</td><td>{esc(row.status)}</td>"
            f"<td class='num'>{fmt(row.pre_value)}</td><td class='num'>{fmt(row.post_value)}</td>"
            f"<td class='num'>{fmt(row.estimate)}</td><td class='num'>{ci}</td>"
            f"<td class='num'>{fmt_p(row.p_value)}</td><td class='num'>{fmt_p(row.p_holm)}</td>"
            f"<td class='{esc(direction)}'>{esc(direction)}</td></tr>")
    return Html("<h2>Results</h2><div class='table-wrap'><table><caption>Every estimate of the "
                "analysis plan for this enterprise</caption><thead>" + head + "</thead><tbody>"
                + "".join(body) + "</tbody></table></div>")


def _label(domain: str, indicator: str) -> str:
    if domain == "kpi" and indicator in INDICATORS:
        return INDICATORS[indicator].label
    if domain == "five_s":
        return "5S index"
    return str(indicator).replace("_", " ").capitalize()


# --------------------------------------------------------------------------- charts


def figure_html(fig, alt: str, caption: str = "") -> str:
    """Embed a matplotlib figure as a PNG ``<figure>`` with alt text, then close it."""
    import matplotlib.pyplot as plt

    buf = _io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight", metadata={"Software": None})
    plt.close(fig)
    data = base64.b64encode(buf.getvalue()).decode("ascii")
    cap = f"<figcaption>{esc(caption)}</figcaption>" if caption else ""
    return (f'<figure><img src="data:image/png;base64,{data}" alt="{esc(alt)}">'
            f"{cap}</figure>")


def kpi_charts(data: EnterpriseData) -> Html:
    """One chart per KPI: monthly values, intervention month, fitted segmented trend."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    start = data.enterprise["intervention_month"]
    parts = ["<h2>Monthly indicators</h2>"]
    for name, ind in INDICATORS.items():
        lines = data.lines[data.lines["indicator"] == name]
        if lines.empty:
            continue
        x = pd.PeriodIndex(lines["month"], freq="M").to_timestamp()
        fig, ax = plt.subplots(figsize=(7, 3.2))
        ax.plot(x, lines["observed"], "o", color=PALETTE["observed"], ms=4, label="Observed")
        if lines["fitted"].notna().any():
            ax.plot(x, lines["fitted"], "-", color=PALETTE["fitted"], label="Fitted trend")
        ax.axvline(pd.Period(start, freq="M").to_timestamp(), color=PALETTE["intervention"],
                   ls="--", label="Programme start")
        ax.set_ylabel(ind.unit)
        ax.set_title(ind.label, loc="left", fontsize=11)
        ax.legend(loc="best", fontsize=8, frameon=False)
        ax.spines[["top", "right"]].set_visible(False)
        alt = (f"{ind.label} by month, {lines['month'].iloc[0]} to {lines['month'].iloc[-1]}, "
               f"in {ind.unit}, with the programme start in {start} marked")
        parts.append(figure_html(fig, alt))
    return Html("".join(parts))


# --------------------------------------------------------------------------- pages


def stylesheet() -> str:
    """The reports' CSS (inlined into every page: no network needed)."""
    return resources.files("score_analysis").joinpath("templates/report.css").read_text(
        encoding="utf-8")


def page(body: str, title: str, *, lang: str = "en") -> str:
    """A complete, self-contained HTML page around a body fragment."""
    return (f'<!DOCTYPE html>\n<html lang="{esc(lang)}">\n<head>\n<meta charset="utf-8">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{esc(title)}</title>\n<style>\n{stylesheet()}</style>\n</head>\n<body>\n"
            f"<main>\n{body}\n</main>\n</body>\n</html>\n")


def failed_page(title: str, error: str, notebook: str | None = None) -> str:
    """The page shown in place of a report whose analysis or notebook failed."""
    link = (f'<p>The partly executed notebook is kept for diagnosis: '
            f'<a href="{esc(notebook)}">{esc(notebook)}</a>.</p>' if notebook else "")
    body = (f"<h1>{esc(title)}</h1><div class='failed' role='alert'><strong>This report could "
            f"not be built.</strong><p>{esc(error)}</p></div>{link}"
            f"<p><a href='../index.html'>Back to all reports</a></p>")
    return page(body, f"{title} (failed)")


def index_page(entries: list[dict], *, run_date: str) -> str:
    """``reports/index.html``: every report with its status, data source, date, headline."""
    rows = []
    for e in entries:
        status = e.get("status", "")
        rows.append(
            f"<tr><td><a href='{esc(e['path'])}'>{esc(e['title'])}</a></td>"
            f"<td class='{'improved' if status == 'ok' else 'worsened'}'>{esc(status)}</td>"
            f"<td>{esc(e.get('data_source', ''))}</td><td>{esc(e.get('built', ''))}</td>"
            f"<td>{esc(e.get('headline', ''))}</td></tr>")
    simulated = any(e.get("data_source") == "simulated" for e in entries)
    body = ((f'<div class="banner" role="note">{esc(SIMULATED_BANNER)}</div>' if simulated
             else "")
            + "<h1>SCORE Module 1 — impact assessments</h1>"
            "<p>Workplace Cooperation pilot, Indonesia 2010. One report per enterprise and a "
            "synthesis across enterprises.</p>"
            "<div class='table-wrap'><table><caption>Reports</caption><thead><tr>"
            "<th scope='col'>Report</th><th scope='col'>Status</th><th scope='col'>Data</th>"
            "<th scope='col'>Built</th><th scope='col'>Headline</th></tr></thead><tbody>"
            + "".join(rows) + "</tbody></table></div>"
            f"<footer>Index written {esc(run_date)}.</footer>")
    return page(body, "SCORE Module 1 — impact assessments")


# --------------------------------------------------------------------------- synthesis


@dataclass(frozen=True)
class SynthesisData:
    """The cross-enterprise tables the synthesis report shows."""

    enterprises: pd.DataFrame
    results: pd.DataFrame
    pooled: pd.DataFrame

    @property
    def simulated(self) -> bool:
        return bool((self.enterprises["data_source"] == "simulated").any())


def load_synthesis(*, processed_dir: str) -> SynthesisData:
    """Read the tables of the synthesis report (no computation)."""
    from .io import read_parquet

    p = Path(processed_dir)
    return SynthesisData(enterprises=read_parquet(p / "enterprises.parquet"),
                         results=read_parquet(p / "results.parquet"),
                         pooled=read_parquet(p / "pooled.parquet"))


def synthesis_header(data: SynthesisData) -> Html:
    """Banner, title and scope of the synthesis."""
    banner_html = (f'<div class="banner" role="note">{esc(SIMULATED_BANNER)}</div>'
                   if data.simulated else "")
    names = ", ".join(esc(n) for n in data.enterprises["name"])
    return Html(f"{banner_html}<h1>SCORE Module 1 — synthesis across enterprises</h1>"
                f"<p>{len(data.enterprises)} enterprises: {names}.</p>")


_MARK = {"improved": "▲ improved", "worsened": "▼ worsened", "inconclusive": "● inconclusive"}


def synthesis_grid(data: SynthesisData) -> Html:
    """Enterprise × indicator grid of the primary results' directions."""
    prim = data.results[data.results["primary"].astype(bool)]
    indicators = list(dict.fromkeys(zip(prim["domain"], prim["indicator"], strict=True)))
    head = "".join(f"<th scope='col'>{esc(_label(d, i))}</th>" for d, i in indicators)
    rows = []
    for ent in data.enterprises.itertuples(index=False):
        own = prim[prim["enterprise_id"] == ent.enterprise_id]
        cells = []
        for d, i in indicators:
            r = own[(own["domain"] == d) & (own["indicator"] == i)]
            if r.empty:
                cells.append("<td></td>")
                continue
            r = r.iloc[0]
            if r["status"] != "ok":
                cells.append(f"<td class='inconclusive'>{esc(r['status'].replace('_', ' '))}</td>")
            else:
                cells.append(f"<td class='{esc(r['direction'])}'>"
                             f"{esc(_MARK.get(r['direction'], r['direction']))}</td>")
        rows.append(f"<tr><th scope='row'>{esc(ent.name)}</th>{''.join(cells)}</tr>")
    return Html("<h2>Summary grid</h2><div class='table-wrap'><table><caption>Primary result "
                "of each indicator (Holm-adjusted within enterprise)</caption><thead><tr>"
                f"<th scope='col'>Enterprise</th>{head}</tr></thead><tbody>{''.join(rows)}"
                "</tbody></table></div>")


def pooled_table(data: SynthesisData) -> Html:
    """Pooled random-effects estimates per indicator."""
    rows = []
    for r in data.pooled.itertuples(index=False):
        ci = (f"{fmt(r.ci_low)} to {fmt(r.ci_high)}" if pd.notna(r.ci_low) else
              f"not pooled (k = {r.k} < 3)")
        rows.append(f"<tr><td>{esc(_label(r.domain, r.indicator))}</td><td class='num'>{r.k}</td>"
                    f"<td class='num'>{fmt(r.estimate)}</td><td class='num'>{ci}</td>"
                    f"<td class='num'>{fmt_p(r.p_value)}</td><td class='num'>{fmt(r.tau2)}</td>"
                    f"<td class='num'>{fmt(r.i2)}</td></tr>")
    return Html("<h2>Pooled estimates</h2><div class='table-wrap'><table><caption>Random-effects "
                "meta-analysis (DerSimonian-Laird, Hartung-Knapp-Sidik-Jonkman)</caption><thead>"
                "<tr><th scope='col'>Indicator</th><th scope='col'>k</th>"
                "<th scope='col'>Estimate</th><th scope='col'>95% CI</th><th scope='col'>p</th>"
                "<th scope='col'>τ²</th><th scope='col'>I² (%)</th></tr></thead><tbody>"
                + "".join(rows) + "</tbody></table></div>")
