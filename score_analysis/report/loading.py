"""The tables a report shows, read from the pipeline's outputs (never recomputed)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..i18n import parse_languages
from ..settings import PLAN, AnalysisSettings


def run_settings(provenance: dict | None) -> AnalysisSettings:
    """The analysis settings a run used, as recorded in its provenance.

    ``provenance["settings"]`` holds every setting by name
    (:meth:`AnalysisSettings.as_dict`); settings also found among the run's
    ``parameters`` are taken from there.  Without a record the run used the
    shipped plan (:data:`score_analysis.settings.PLAN`).

    Raises
    ------
    ValueError
        When the record names an unknown setting or a value of the wrong type.
    """
    from dataclasses import fields

    provenance = provenance or {}
    known = {f.name for f in fields(AnalysisSettings)}
    values = {k: v for k, v in (provenance.get("parameters") or {}).items() if k in known}
    values.update(provenance.get("settings") or {})
    if not values:
        return PLAN
    return AnalysisSettings.from_mapping(values, source="provenance.json")


def languages_of(language: str | tuple[str, ...] | None) -> tuple[str, ...]:
    """``"en,id"`` or ``("en", "id")`` → ``("en", "id")``; None or ``""`` → ``()`` (the
    current language)."""
    if not language:
        return ()
    if isinstance(language, str):
        return parse_languages(language)
    return parse_languages(",".join(language))


@dataclass(frozen=True)
class EnterpriseData:
    """One enterprise's slice of the processed tables (read, never recomputed).

    ``languages``: the languages each section is rendered in (empty: the current one).
    """

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
    attrition: pd.DataFrame = field(default_factory=pd.DataFrame)
    qualitative: pd.DataFrame = field(default_factory=pd.DataFrame)
    quality: pd.DataFrame = field(default_factory=pd.DataFrame)
    provenance: dict = field(default_factory=dict)
    #: the trainers' implementation records (long; empty when none were provided)
    implementation: pd.DataFrame = field(default_factory=pd.DataFrame)
    #: findings of the data checks that name no enterprise (shown as a count)
    quality_unlinked: int = 0
    languages: tuple[str, ...] = ()
    #: the rows the risk-of-bias table is judged from (this enterprise's KPI records, all
    #: its results rows and the whole quality log)
    kpi: pd.DataFrame = field(default_factory=pd.DataFrame)
    quality_log: pd.DataFrame = field(default_factory=pd.DataFrame)
    #: whether the appendix page of this enterprise is built beside the report
    appendix: bool = False
    #: the comparison series of the monthly charts (``indicator`` and the columns of
    #: :data:`score_analysis.stats.cits_lines.CHART_COLUMNS`; empty without a comparison
    #: group) and the names of the enterprises they sum (:func:`comparison_of`)
    comparison: pd.DataFrame = field(default_factory=pd.DataFrame)
    comparison_names: tuple[str, ...] = ()

    @property
    def simulated(self) -> bool:
        return self.enterprise["data_source"] == "simulated"

    @property
    def settings(self) -> AnalysisSettings:
        """The analysis settings of the run that wrote these tables."""
        return run_settings(self.provenance)

    @property
    def enterprise_id(self) -> str:
        return str(self.enterprise["enterprise_id"])

    @property
    def controlled(self) -> bool:
        """Whether the analysis had a comparison group for this enterprise: its results
        hold the rows of the controlled model (``cits_*``, whatever their status)."""
        return has_controlled_rows(self.results)


@dataclass(frozen=True)
class SynthesisData:
    """The cross-enterprise tables the synthesis report shows.

    ``missing_pages``: ids of enterprises whose report page was not built (not linked).
    ``enterprises`` are the programme enterprises (the subjects of the synthesis);
    ``comparison_enterprises`` those whose records only serve as comparison series.
    """

    enterprises: pd.DataFrame
    results: pd.DataFrame
    pooled: pd.DataFrame
    five_s: pd.DataFrame = field(default_factory=pd.DataFrame)
    qualitative: pd.DataFrame = field(default_factory=pd.DataFrame)
    quality: pd.DataFrame = field(default_factory=pd.DataFrame)
    provenance: dict = field(default_factory=dict)
    languages: tuple[str, ...] = ()
    missing_pages: frozenset[str] = frozenset()
    comparison_enterprises: pd.DataFrame = field(default_factory=pd.DataFrame)
    #: the trainers' implementation records (long; empty when none were provided)
    implementation: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def simulated(self) -> bool:
        return bool((self.enterprises["data_source"] == "simulated").any())

    @property
    def settings(self) -> AnalysisSettings:
        """The analysis settings of the run that wrote these tables."""
        return run_settings(self.provenance)

    @property
    def names(self) -> dict[str, str]:
        return dict(zip(self.enterprises["enterprise_id"], self.enterprises["name"],
                        strict=True))


def read_table(processed: Path, name: str, enterprise_id: str | None = None) -> pd.DataFrame:
    """``<processed>/<name>.parquet`` (empty when absent), one enterprise's rows if asked."""
    from ..files import read_parquet

    path = processed / f"{name}.parquet"
    if not path.exists():
        return pd.DataFrame()
    frame = read_parquet(path)
    if enterprise_id is not None and "enterprise_id" in frame.columns:
        frame = frame[frame["enterprise_id"] == enterprise_id].reset_index(drop=True)
    return frame


def load_enterprise(enterprise_id: str, *, processed_dir: str,
                    language: str | tuple[str, ...] | None = None,
                    appendix: bool = False) -> EnterpriseData:
    """Read one enterprise's slice of the pipeline's outputs (no computation).

    ``language``: ``"en"``, ``"id"`` or ``"en,id"``, the languages the sections render in.
    ``processed_dir`` may be relative to the working directory, the repository or
    ``notebooks/`` (:func:`score_analysis.files.resolve_repo_path`).  ``appendix``: the
    appendix page is built beside the report, so the methods section links it.
    """
    from ..files import read_json, resolve_repo_path

    p = resolve_repo_path(processed_dir)
    everyone = read_table(p, "enterprises")
    ents = everyone[everyone["enterprise_id"] == enterprise_id] if not everyone.empty \
        else everyone
    if ents.empty:
        raise ValueError(f"enterprise {enterprise_id!r} is not in {p / 'enterprises.parquet'}")
    log = read_table(p, "quality_log")
    provenance = read_json(p / "provenance.json") or {}
    monthly = read_table(p, "indicators_monthly")
    own = (monthly[monthly["enterprise_id"] == enterprise_id].reset_index(drop=True)
           if "enterprise_id" in monthly else monthly)
    comparison, names = (comparison_of(monthly, everyone, enterprise_id)
                         if run_settings(provenance).comparison_group else (pd.DataFrame(), ()))
    return EnterpriseData(
        enterprise=ents.iloc[0],
        results=read_table(p, "results", enterprise_id),
        lines=read_table(p, "kpi_lines", enterprise_id),
        milestones=read_table(p, "milestones", enterprise_id),
        monthly=own,
        pillars=read_table(p, "five_s_pillars", enterprise_id),
        five_s=read_table(p, "five_s_index", enterprise_id),
        survey=read_table(p, "worker_survey", enterprise_id),
        codebook=read_table(p, "survey_items"),
        reliability=read_table(p, "survey_reliability", enterprise_id),
        attrition=read_table(p, "survey_attrition", enterprise_id),
        qualitative=read_table(p, "qualitative", enterprise_id),
        quality=enterprise_findings(log, enterprise_id),
        provenance=provenance,
        implementation=read_table(p, "implementation", enterprise_id),
        quality_unlinked=len(unlinked_findings(log, list(everyone["enterprise_id"]))),
        languages=languages_of(language),
        kpi=read_table(p, "kpi_monthly", enterprise_id),
        quality_log=log,
        appendix=bool(appendix),
        comparison=comparison,
        comparison_names=names,
    )


def comparison_of(monthly: pd.DataFrame, enterprises: pd.DataFrame,
                  enterprise_id: str) -> tuple[pd.DataFrame, tuple[str, ...]]:
    """The comparison series of one programme enterprise's monthly charts, and the names of
    the enterprises it sums (docs/analysis_plan.md §3.10: every comparison enterprise and
    every programme enterprise that started after this one's last month).

    The lines are :func:`score_analysis.stats.cits_lines.comparison_charts` of the
    processed monthly indicators of every enterprise: the comparison series scaled to the
    enterprise's level before the programme (chart data, no model).  Empty, with no names,
    when the enterprise has no month or no comparison pool, or is itself a comparison
    enterprise.
    """
    from ..stats.cits_data import comparison_pool, enterprise_roles
    from ..stats.cits_lines import comparison_charts
    from ..stats.indicators import INDICATORS

    empty = pd.DataFrame()
    if monthly.empty or enterprises.empty or "intervention_month" not in enterprises:
        return empty, ()
    months = monthly.loc[monthly["enterprise_id"] == enterprise_id, "month"]
    if months.empty or enterprise_roles(enterprises).get(enterprise_id) != "programme":
        return empty, ()
    pool = comparison_pool(enterprises, enterprise_id, last_month=str(months.max()))
    if not pool:
        return empty, ()
    lines = comparison_charts(monthly, enterprises, enterprise_id,
                              multipliers={n: i.multiplier for n, i in INDICATORS.items()})
    names = dict(zip(enterprises["enterprise_id"], enterprises.get(
        "name", enterprises["enterprise_id"]), strict=True))
    return lines, tuple(str(names.get(e, e)) for e in pool)


def has_controlled_rows(results: pd.DataFrame) -> bool:
    """Whether a results table holds rows of the controlled model (``cits_*``): the
    analysis had a comparison group for some monthly indicator."""
    return (not results.empty and "method" in results
            and bool(results["method"].astype(str).str.startswith("cits_").any()))


def load_synthesis(*, processed_dir: str, language: str | tuple[str, ...] | None = None,
                   missing_pages: str | tuple[str, ...] = "") -> SynthesisData:
    """Read the tables of the synthesis report (no computation).

    ``missing_pages``: the enterprises whose report page was not built (``"a,b"`` or a
    tuple); the synthesis names them instead of linking them.
    """
    from ..files import read_json, resolve_repo_path

    p = resolve_repo_path(processed_dir)
    enterprises, comparison = split_roles(read_table(p, "enterprises"))
    if isinstance(missing_pages, str):
        missing_pages = tuple(m.strip() for m in missing_pages.split(",") if m.strip())
    missing = frozenset(missing_pages)
    return SynthesisData(enterprises=enterprises, results=read_table(p, "results"),
                         pooled=read_table(p, "pooled"), five_s=read_table(p, "five_s_index"),
                         qualitative=read_table(p, "qualitative"),
                         quality=read_table(p, "quality_log"),
                         provenance=read_json(p / "provenance.json") or {},
                         languages=languages_of(language), missing_pages=missing,
                         comparison_enterprises=comparison,
                         implementation=read_table(p, "implementation"))


def split_roles(enterprises: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(programme enterprises, comparison enterprises) of the enterprises table (a blank
    or absent ``role`` is a programme enterprise; docs/data_contract.md)."""
    if enterprises.empty or "role" not in enterprises:
        return enterprises, enterprises.iloc[:0]
    role = enterprises["role"].fillna("").astype(str).str.strip()
    comparison = role == "comparison"
    return (enterprises[~comparison].reset_index(drop=True),
            enterprises[comparison].reset_index(drop=True))


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


def primary_rows(results: pd.DataFrame) -> pd.DataFrame:
    """The primary rows of a results table."""
    if results.empty:
        return results
    return results[results["primary"].astype(bool)].reset_index(drop=True)


def result_row(results: pd.DataFrame, indicator: str, method: str) -> pd.Series | None:
    """The row of one indicator and method (None when absent)."""
    if results.empty:
        return None
    sub = results[(results["indicator"] == indicator) & (results["method"] == method)]
    return None if sub.empty else sub.iloc[0]
