"""The tables the workshop pack shows, read from the pipeline's processed outputs (never
recomputed), and one enterprise's slice of them."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path

import pandas as pd

from ...settings import PLAN, AnalysisSettings
from ..loading import read_table
from . import content

#: The processed tables the pack reads (``<processed>/<name>.parquet``); ``implementation``
#: is optional (plan version 3): without it the pack says that no records were provided.
TABLES = ("enterprises", "results", "pooled", "milestones", "qualitative", "kpi_monthly",
          "survey_items", "implementation")


@dataclass(frozen=True)
class WorkshopData:
    """What the pack is made of: the enterprises, their results rows, the pooled rows,
    milestones, the enterprises' own notes, the months of records and, when the data have
    them, the trainers' implementation records."""

    enterprises: pd.DataFrame
    results: pd.DataFrame
    pooled: pd.DataFrame = field(default_factory=pd.DataFrame)
    milestones: pd.DataFrame = field(default_factory=pd.DataFrame)
    qualitative: pd.DataFrame = field(default_factory=pd.DataFrame)
    months: pd.DataFrame = field(default_factory=pd.DataFrame)
    implementation: pd.DataFrame = field(default_factory=pd.DataFrame)
    codebook: pd.DataFrame = field(default_factory=pd.DataFrame)
    settings: AnalysisSettings = PLAN

    @property
    def simulated(self) -> bool:
        """Whether any enterprise's data are simulated (the banner of the whole pack)."""
        return bool((self.enterprises["data_source"].astype(str) == "simulated").any())

    @property
    def names(self) -> dict[str, str]:
        return dict(zip(self.enterprises["enterprise_id"].astype(str),
                        self.enterprises["name"].astype(str), strict=True))

    @property
    def programme_ids(self) -> list[str]:
        """The enterprises that took part in the programme (not comparison enterprises),
        in the order of the enterprises table."""
        ents = self.enterprises
        if "role" in ents.columns:
            ents = ents[ents["role"].fillna("").astype(str).isin(["", "programme"])]
        return [str(e) for e in ents["enterprise_id"]]

    @cached_property
    def primary_figures(self) -> list[content.KeyFigure]:
        """Every primary result with values to show, of every enterprise (made once)."""
        return content.primary_figures(self.results, settings=self.settings,
                                       codebook=self.codebook)

    def key_figures(self, enterprise_id: str) -> list[content.KeyFigure]:
        """The three to five key figures of one enterprise (:mod:`.content`)."""
        return content.choose_key_figures(
            [f for f in self.primary_figures if f.enterprise_id == enterprise_id])

    @cached_property
    def spreads(self) -> list[content.Spread]:
        """The three to five key indicators across the programme's enterprises."""
        return content.choose_spreads(content.spreads_of(self.primary_figures, self.pooled,
                                                         self.programme_ids))

    def enterprise(self, enterprise_id: str) -> pd.Series:
        """The enterprises row of ``enterprise_id`` (ValueError when unknown)."""
        rows = self.enterprises[self.enterprises["enterprise_id"] == enterprise_id]
        if rows.empty:
            raise ValueError(f"enterprise {enterprise_id!r} is not among the enterprises")
        return rows.iloc[0]

    def only(self, enterprise_id: str) -> WorkshopData:
        """The same data restricted to one enterprise (pooled rows left out)."""
        def own(frame: pd.DataFrame) -> pd.DataFrame:
            if frame.empty or "enterprise_id" not in frame.columns:
                return frame
            return frame[frame["enterprise_id"] == enterprise_id].reset_index(drop=True)

        return replace(self, enterprises=own(self.enterprises), results=own(self.results),
                       pooled=pd.DataFrame(), milestones=own(self.milestones),
                       qualitative=own(self.qualitative), months=own(self.months),
                       implementation=own(self.implementation))


def load_workshop(processed_dir: str | Path, *,
                  settings: AnalysisSettings = PLAN) -> WorkshopData:
    """Read the tables of the pack from ``processed_dir`` (no computation).

    ``months`` holds the ``enterprise_id`` and ``month`` of every monthly record; a
    missing optional table is an empty frame.
    """
    p = Path(processed_dir)
    tables = {name: read_table(p, name) for name in TABLES}
    if tables["enterprises"].empty:
        raise ValueError(f"no enterprises in {p / 'enterprises.parquet'}")
    kpi = tables["kpi_monthly"]
    months = (kpi[["enterprise_id", "month"]].astype(str).reset_index(drop=True)
              if not kpi.empty else pd.DataFrame(columns=["enterprise_id", "month"]))
    return WorkshopData(enterprises=tables["enterprises"], results=tables["results"],
                        pooled=tables["pooled"], milestones=tables["milestones"],
                        qualitative=tables["qualitative"], months=months,
                        implementation=tables["implementation"],
                        codebook=tables["survey_items"], settings=settings)
