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


@dataclass(frozen=True)
class SynthesisData:
    """The cross-enterprise tables the synthesis report shows.

    ``missing_pages``: ids of enterprises whose report page was not built (not linked).
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
    return EnterpriseData(
        enterprise=ents.iloc[0],
        results=read_table(p, "results", enterprise_id),
        lines=read_table(p, "kpi_lines", enterprise_id),
        milestones=read_table(p, "milestones", enterprise_id),
        monthly=read_table(p, "indicators_monthly", enterprise_id),
        pillars=read_table(p, "five_s_pillars", enterprise_id),
        five_s=read_table(p, "five_s_index", enterprise_id),
        survey=read_table(p, "worker_survey", enterprise_id),
        codebook=read_table(p, "survey_items"),
        reliability=read_table(p, "survey_reliability", enterprise_id),
        attrition=read_table(p, "survey_attrition", enterprise_id),
        qualitative=read_table(p, "qualitative", enterprise_id),
        quality=enterprise_findings(log, enterprise_id),
        provenance=read_json(p / "provenance.json") or {},
        implementation=read_table(p, "implementation", enterprise_id),
        quality_unlinked=len(unlinked_findings(log, list(everyone["enterprise_id"]))),
        languages=languages_of(language),
        kpi=read_table(p, "kpi_monthly", enterprise_id),
        quality_log=log,
        appendix=bool(appendix),
    )


def load_synthesis(*, processed_dir: str, language: str | tuple[str, ...] | None = None,
                   missing_pages: str | tuple[str, ...] = "") -> SynthesisData:
    """Read the tables of the synthesis report (no computation).

    ``missing_pages``: the enterprises whose report page was not built (``"a,b"`` or a
    tuple); the synthesis names them instead of linking them.
    """
    from ..files import read_json, resolve_repo_path

    p = resolve_repo_path(processed_dir)
    enterprises = read_table(p, "enterprises")
    if isinstance(missing_pages, str):
        missing_pages = tuple(m.strip() for m in missing_pages.split(",") if m.strip())
    missing = frozenset(missing_pages)
    return SynthesisData(enterprises=enterprises, results=read_table(p, "results"),
                         pooled=read_table(p, "pooled"), five_s=read_table(p, "five_s_index"),
                         qualitative=read_table(p, "qualitative"),
                         quality=read_table(p, "quality_log"),
                         provenance=read_json(p / "provenance.json") or {},
                         languages=languages_of(language), missing_pages=missing,
                         implementation=read_table(p, "implementation"))


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
