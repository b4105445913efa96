"""The analysis of every enterprise: indicators once, then results per enterprise,
reusing unchanged enterprises' rows, in chunks on the executor when there are many.

:func:`analyse` returns an :class:`Analysis`: every processed table of the run, the
enterprises whose analysis failed and the cache key of each enterprise analysed.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..settings import PLAN, AnalysisSettings
from .keys import CACHED_TABLES, analysis_key, with_comparison

if TYPE_CHECKING:  # pandas is imported when the analysis runs, not with the package
    import pandas as pd

#: The tables of an :class:`Analysis` written to ``data/processed`` (besides the validated
#: input tables), in this order.
PROCESSED_TABLES = ("indicators_monthly", "five_s_items", "five_s_pillars", "five_s_index",
                    "survey_scores", "survey_reliability", "survey_attrition", "kpi_lines",
                    "results", "pooled", "pooled_inputs")


@dataclass(frozen=True)
class Analysis:
    """The analysis of a run: every processed table, the failures and the cache keys.

    ``failed`` maps an enterprise whose analysis raised to the error text (its rows are
    absent); ``analysis_keys`` maps every other enterprise to the key its rows were
    computed under (:func:`~.keys.analysis_key`).  ``pools`` maps every analysed
    enterprise to its comparison pool (an empty tuple: no comparison group);
    ``comparison_ids`` are the enterprises with ``role = comparison`` (not analysed).
    """

    indicators_monthly: pd.DataFrame
    five_s_items: pd.DataFrame
    five_s_pillars: pd.DataFrame
    five_s_index: pd.DataFrame
    survey_answers: pd.DataFrame
    survey_scores: pd.DataFrame
    results: pd.DataFrame
    kpi_lines: pd.DataFrame
    survey_reliability: pd.DataFrame
    survey_attrition: pd.DataFrame
    pooled: pd.DataFrame
    pooled_inputs: pd.DataFrame
    failed: dict[str, str] = dataclasses.field(default_factory=dict)
    analysis_keys: dict[str, str] = dataclasses.field(default_factory=dict)
    settings: AnalysisSettings = PLAN
    pools: dict[str, tuple[str, ...]] = dataclasses.field(default_factory=dict)
    comparison_ids: tuple[str, ...] = ()

    def processed_tables(self) -> dict[str, pd.DataFrame]:
        """The tables written to ``data/processed`` (:data:`PROCESSED_TABLES`), by name."""
        return {name: getattr(self, name) for name in PROCESSED_TABLES}

    def enterprise_results(self, enterprise_id: str) -> pd.DataFrame:
        """The results rows of one enterprise."""
        return self.results[self.results["enterprise_id"] == enterprise_id]


@dataclass(frozen=True)
class Indicators:
    """The indicators of every enterprise, computed once for the run."""

    monthly: pd.DataFrame
    items: pd.DataFrame
    pillars: pd.DataFrame
    index: pd.DataFrame
    answers: pd.DataFrame
    scores: pd.DataFrame
    constructs: list[str]


def indicators_of(tables: dict, *, monthly: pd.DataFrame | None = None) -> Indicators:
    """Monthly rates, 5S item, pillar and index scores and survey scores of every enterprise
    (:mod:`score_analysis.stats.indicators`); empty tables with their columns where a
    table is absent.  ``monthly``: the monthly rates when already computed."""
    import pandas as pd

    from ..stats import indicators

    ents = tables["enterprises"]
    if monthly is None:
        kpi = tables.get("kpi_monthly", pd.DataFrame(columns=["enterprise_id", "month"]))
        monthly = indicators.monthly_indicators(kpi, ents)
    audits = tables.get("five_s_audits")
    items = (indicators.five_s_items(audits) if audits is not None and not audits.empty
             else pd.DataFrame(columns=["enterprise_id", "audit_date", "visit", "area", "pillar",
                                        "item", "pct"]))
    pillars = indicators.five_s_pillar_scores(items) if not items.empty else pd.DataFrame(
        columns=["enterprise_id", "audit_date", "visit", "pillar", "score", "n_items"])
    index = indicators.five_s_index(pillars) if not pillars.empty else pd.DataFrame(
        columns=["enterprise_id", "audit_date", "visit", "five_s_index", "n_pillars"])
    survey, codebook = tables.get("worker_survey"), tables.get("survey_items")
    if survey is not None and codebook is not None and not survey.empty:
        answers = indicators.survey_answers(survey, codebook)
        scores = indicators.construct_scores(answers, codebook)
        constructs = sorted(codebook["construct"].dropna().unique())
    else:
        answers = pd.DataFrame(columns=["enterprise_id", "wave", "response", "item_id",
                                        "construct", "answer"])
        scores = pd.DataFrame(columns=["enterprise_id", "wave", "respondent_id", "construct",
                                       "score"])
        constructs = []
    return Indicators(monthly, items, pillars, index, answers, scores, constructs)


@dataclass(frozen=True)
class Comparison:
    """The comparison group of a run (docs/analysis_plan.md §3.10).

    ``roles``: every enterprise's role (``programme`` or ``comparison``); ``pools``: the
    comparison pool of every programme enterprise with monthly records
    (:func:`score_analysis.stats.analysis.comparison_pools`; an empty tuple: none);
    ``monthly``: the monthly indicators of every enterprise.
    """

    roles: dict[str, str]
    pools: dict[str, tuple[str, ...]]
    monthly: pd.DataFrame

    @property
    def programme(self) -> list[str]:
        """The programme enterprises (the subjects of the analysis), sorted."""
        return sorted(e for e, role in self.roles.items() if role == "programme")

    @property
    def comparison_only(self) -> list[str]:
        """The enterprises with ``role = comparison`` (no analysis, no page), sorted."""
        return sorted(e for e, role in self.roles.items() if role == "comparison")

    def pool(self, enterprise_id: str) -> tuple[str, ...]:
        """The comparison pool of one programme enterprise (empty: none)."""
        return self.pools.get(enterprise_id, ())

    def used_by(self, enterprise_id: str) -> list[str]:
        """The programme enterprises whose comparison pool holds ``enterprise_id``."""
        return sorted(e for e, pool in self.pools.items() if enterprise_id in pool)


def comparison_of(tables: dict) -> Comparison:
    """The roles, the monthly indicators of every enterprise and every programme
    enterprise's comparison pool, from the validated tables."""
    import pandas as pd

    from ..stats import indicators
    from ..stats.analysis import comparison_pools
    from ..stats.cits_data import enterprise_roles

    ents = tables["enterprises"]
    kpi = tables.get("kpi_monthly", pd.DataFrame(columns=["enterprise_id", "month"]))
    monthly = indicators.monthly_indicators(kpi, ents)
    return Comparison(roles=enterprise_roles(ents).to_dict(),
                      pools=comparison_pools(ents, monthly), monthly=monthly)


def analyse(tables: dict, *, settings: AnalysisSettings = PLAN,
            enterprises: Iterable[str] | None = None, previous: dict | None = None,
            slices: dict[str, str] | None = None, code: str = "",
            progress: Callable[[str], None] | None = None, pool=None,
            workers: int = 1) -> Analysis:
    """Indicators and results for every programme enterprise, reusing unchanged
    enterprises' rows.

    Comparison enterprises (``role = comparison``) are not analysed: their monthly
    records form the comparison series of the programme enterprises
    (docs/analysis_plan.md §3.10), and each programme enterprise's analysis is given the
    records of its comparison pool (:func:`comparison_of`).  ``indicators_monthly`` holds
    the rows of the analysed enterprises and of their pools.

    Parameters
    ----------
    tables
        The validated tables (:func:`score_analysis.build.validate_inputs`).
    settings
        The analysis settings (default: the shipped plan).
    enterprises
        Analyse only these programme enterprises (default: every one); the pooled rows
        then pool only them.
    previous, slices, code
        The cache: an enterprise whose key (its data slice and those of its comparison
        pool, ``code`` and ``settings``) equals its key in ``previous["analysis_keys"]``
        keeps its previous rows.
    pool, workers
        An executor of ``workers`` processes: when at least :data:`PARALLEL_ANALYSIS`
        enterprises need analysing, they are analysed there in chunks, else here.
    progress
        Called with the id of each enterprise that is analysed (not reused).

    Raises
    ------
    ValueError
        An unknown enterprise, or a comparison enterprise, among ``enterprises``.
    """
    from ..stats import analysis
    from ..stats.pooling import pooled_inputs, pooled_results

    ents = tables["enterprises"]
    group = comparison_of(tables)
    subjects = set(group.programme)
    if enterprises is not None:
        wanted = set(enterprises)
        unknown = sorted(wanted - set(ents["enterprise_id"]))
        if unknown:
            raise ValueError(f"unknown enterprise(s): {', '.join(unknown)}")
        compared = sorted(wanted - subjects)
        if compared:
            raise ValueError(f"comparison enterprise(s) have no analysis of their own: "
                             f"{', '.join(compared)}")
        subjects = wanted
    used = {c for eid in subjects for c in group.pool(eid)}
    monthly = group.monthly[group.monthly["enterprise_id"].isin(subjects | used)]
    ind = indicators_of({**tables, "enterprises": ents[ents["enterprise_id"].isin(subjects)]},
                        monthly=monthly.reset_index(drop=True))
    previous = previous or {}
    prev_keys = previous.get("analysis_keys", {})
    cached = ({name: by_enterprise(previous[name]) for name in CACHED_TABLES}
              if slices is not None and all(previous.get(n) is not None for n in CACHED_TABLES)
              else None)  # without the slices, keys cannot tell enterprises' data apart
    own = {"monthly": by_enterprise(ind.monthly), "items": by_enterprise(ind.items),
           "scores": by_enterprise(ind.scores), "answers": by_enterprise(ind.answers)}
    empty = {"monthly": ind.monthly.iloc[:0], "items": ind.items.iloc[:0],
             "scores": ind.scores.iloc[:0], "answers": ind.answers.iloc[:0]}
    controls = _controls(group, ents, own["monthly"], subjects)
    failed: dict[str, str] = {}
    keys: dict[str, str] = {}
    done: dict[str, tuple] = {}
    todo = []
    for _, ent in ents[ents["enterprise_id"].isin(subjects)].sort_values(
            "enterprise_id").iterrows():
        eid = ent["enterprise_id"]
        key = analysis_key(_slice(slices, eid, group.pool(eid)), code=code,
                           settings=settings.as_dict())
        if cached is not None and prev_keys.get(eid) == key:
            done[eid] = tuple(cached[name].get(eid, previous[name].iloc[:0])
                              for name in CACHED_TABLES)
        else:
            parts = {name: frames.get(eid, empty[name]) for name, frames in own.items()}
            todo.append((ent, parts | controls.get(eid, {})))
        keys[eid] = key
    for eid, outcome in _analyse_all(todo, constructs=ind.constructs, settings=settings,
                                     pool=pool, workers=workers, progress=progress):
        if isinstance(outcome, str):
            failed[eid] = outcome
            keys.pop(eid, None)
        else:
            done[eid] = outcome
    results, lines, reliability, attrition = ([done[eid][i] for eid in sorted(done)]
                                              for i in range(4))
    res = _concat(results, analysis.INTERNAL_COLUMNS)
    return Analysis(
        indicators_monthly=ind.monthly, five_s_items=ind.items, five_s_pillars=ind.pillars,
        five_s_index=ind.index, survey_answers=ind.answers, survey_scores=ind.scores,
        results=res,
        kpi_lines=_concat(lines, analysis.KPI_LINE_COLUMNS),
        survey_reliability=_concat(reliability, analysis.RELIABILITY_COLUMNS),
        survey_attrition=_concat(attrition, analysis.ATTRITION_COLUMNS),
        pooled=pooled_results(res, settings=settings),
        pooled_inputs=pooled_inputs(res, settings=settings),
        failed=failed, analysis_keys=keys, settings=settings,
        pools={eid: group.pool(eid) for eid in sorted(subjects)},
        comparison_ids=tuple(group.comparison_only))


def _slice(slices: dict[str, str] | None, enterprise_id: str,
           pool: tuple[str, ...]) -> str | None:
    """The data slice an enterprise's analysis depends on: its own and its pool's."""
    if slices is None:
        return None
    return with_comparison(slices.get(enterprise_id), [slices.get(c) for c in pool])


def _controls(group: Comparison, ents: pd.DataFrame, monthly: dict[str, pd.DataFrame],
              subjects: set[str]) -> dict[str, dict]:
    """The controlled design's data of every subject with a comparison pool: the monthly
    rows of its pool (``comparison``) and the enterprises rows of it and its pool
    (``enterprises``), made once per distinct pool."""
    import pandas as pd

    made: dict[tuple[str, ...], pd.DataFrame] = {}
    out = {}
    for eid in subjects:
        members = group.pool(eid)
        if not members:
            continue
        if members not in made:
            frames = [monthly[c] for c in members if c in monthly]
            made[members] = (pd.concat(frames, ignore_index=True) if frames
                             else group.monthly.iloc[:0])
        out[eid] = {"comparison": made[members],
                    "enterprises": ents[ents["enterprise_id"].isin((eid, *members))]}
    return out


def _concat(frames: list[pd.DataFrame], columns: tuple[str, ...]) -> pd.DataFrame:
    """The non-empty frames one below the other, or an empty frame of ``columns``."""
    import pandas as pd

    non_empty = [f for f in frames if not f.empty]
    return (pd.concat(non_empty, ignore_index=True) if non_empty
            else pd.DataFrame(columns=list(columns)))


def analyse_enterprise(enterprise, *, monthly, items, scores, answers, constructs: list[str],
                       settings: AnalysisSettings = PLAN, comparison=None,
                       enterprises=None) -> tuple:
    """The results rows, chart lines, survey reliability and attrition of one enterprise.

    ``monthly``, ``items``, ``scores`` and ``answers`` may hold only this
    enterprise's rows (the pipeline passes each enterprise its own slice).
    ``comparison``: the monthly rows of the enterprise's comparison pool, ``enterprises``
    the enterprises rows of it and its pool (both ``None``: no comparison group, the
    analysis of plan version 3 without §3.10).
    """
    import pandas as pd

    from ..stats import analysis

    controlled = ({} if comparison is None or enterprises is None else
                  {"comparison": pd.concat([monthly, comparison], ignore_index=True),
                   "enterprises": enterprises})
    done = analysis.enterprise_analysis(enterprise, monthly=monthly, items=items,
                                        scores=scores, constructs=constructs,
                                        settings=settings, **controlled)
    eid = enterprise["enterprise_id"]
    return (done.results, done.lines,
            analysis.survey_reliability(answers, eid, settings=settings),
            analysis.survey_attrition(scores, eid, constructs, settings=settings))


#: Fewest enterprises to analyse for the analysis to go to the worker pool (below
#: it, importing the statistics libraries in every worker costs more than it saves).
PARALLEL_ANALYSIS = 10


def analyse_chunk(chunk: list, *, constructs: list[str],
                  settings: AnalysisSettings = PLAN) -> list:
    """Analyse several enterprises (in a worker); one ``(id, outcome)`` pair each,
    the outcome being the four tables or the error text."""
    out = []
    for ent, parts in chunk:
        eid = ent["enterprise_id"]
        try:
            out.append((eid, analyse_enterprise(ent, constructs=constructs, settings=settings,
                                                **parts)))
        except Exception as exc:  # isolate one enterprise's failure from the others
            out.append((eid, f"the analysis failed: {exc.__class__.__name__}: {exc}"))
    return out


def _analyse_all(todo: list, *, constructs: list[str], settings: AnalysisSettings, pool,
                 workers: int, progress: Callable[[str], None] | None) -> list:
    """``(id, outcome)`` for every enterprise of ``todo``: in ``pool`` when it is
    worth it, else in this process."""
    for ent, _ in todo:
        if progress:
            progress(ent["enterprise_id"])
    if pool is None or workers < 2 or len(todo) < PARALLEL_ANALYSIS:
        return analyse_chunk(todo, constructs=constructs, settings=settings)
    size = -(-len(todo) // (4 * workers))  # about four chunks per worker: balanced ends
    futures = [(chunk, pool.submit(analyse_chunk, chunk, constructs=constructs,
                                   settings=settings))
               for chunk in (todo[i:i + size] for i in range(0, len(todo), size))]
    out = []
    for chunk, fut in futures:
        try:
            out += fut.result()
        except Exception as exc:  # a worker died: its enterprises fail, the others go on
            out += [(ent["enterprise_id"], f"the analysis worker failed: "
                                          f"{exc.__class__.__name__}: {exc}")
                    for ent, _ in chunk]
    return out


def by_enterprise(frame: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """``enterprise_id`` → that enterprise's rows, split once (not filtered per enterprise)."""
    if frame.empty or "enterprise_id" not in frame.columns:
        return {}
    return {eid: part for eid, part in frame.groupby("enterprise_id", sort=False)}
