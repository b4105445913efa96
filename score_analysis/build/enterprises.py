"""The analysis of every enterprise: indicators once, then results per enterprise,
reusing unchanged enterprises' rows, in chunks on the executor when there are many."""

from __future__ import annotations

from collections.abc import Callable

from ..settings import PLAN, AnalysisSettings
from .keys import _CACHED, _sha


def analyse(tables: dict, *, previous: dict | None = None,
            slices: dict[str, str] | None = None, code: str = "",
            progress: Callable[[str], None] | None = None, pool=None,
            workers: int = 1, settings: AnalysisSettings = PLAN,
            enterprises: list[str] | None = None) -> dict:
    """Indicators and results for every enterprise, reusing unchanged enterprises' rows.

    ``settings`` is the analysis plan every statistic follows (part of each cache key).
    ``enterprises`` restricts the analysis (results, pooling) to those enterprise ids (an
    unknown id raises ValueError); by default every enterprise of ``tables``.
    An enterprise whose key (its data slice, ``code`` and the settings) equals
    its key in ``previous["analysis_keys"]`` keeps its previous rows.  When
    ``pool`` (a process pool of ``workers`` processes) is given and at least
    :data:`PARALLEL_ANALYSIS` enterprises need analysing, they are analysed
    in the pool, in chunks; otherwise here.  ``progress`` is called with the id
    of each enterprise that is analysed (not reused).

    Returns a dict of processed tables plus ``failed`` (enterprise → error text)
    and ``analysis_keys`` (enterprise → cache key).
    """
    import pandas as pd

    from ..stats import analysis, indicators

    ents = tables["enterprises"]
    if enterprises is not None:
        unknown = sorted(set(enterprises) - set(ents["enterprise_id"]))
        if unknown:
            raise ValueError(f"unknown enterprise(s) {', '.join(unknown)}; known: "
                             f"{', '.join(sorted(ents['enterprise_id']))}")
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

    previous = previous or {}
    prev_keys = previous.get("analysis_keys", {})
    cached = ({name: _by_enterprise(previous[name]) for name in _CACHED}
              if slices is not None and all(previous.get(n) is not None for n in _CACHED)
              else None)  # without the slices, keys cannot tell enterprises' data apart
    own = {"monthly": _by_enterprise(monthly), "items": _by_enterprise(items),
           "scores": _by_enterprise(scores), "answers": _by_enterprise(answers)}
    empty = {"monthly": monthly.iloc[:0], "items": items.iloc[:0], "scores": scores.iloc[:0],
             "answers": answers.iloc[:0]}
    failed: dict[str, str] = {}
    keys: dict[str, str] = {}
    params = {"analysis_plan": settings.as_dict()}
    done: dict[str, tuple] = {}
    todo = []
    chosen = ents if enterprises is None else ents[ents["enterprise_id"].isin(enterprises)]
    for _, ent in chosen.sort_values("enterprise_id").iterrows():
        eid = ent["enterprise_id"]
        key = _sha((slices or {}).get(eid), code, params)
        if cached is not None and prev_keys.get(eid) == key:
            done[eid] = tuple(cached[name].get(eid, previous[name].iloc[:0]) for name in _CACHED)
        else:
            todo.append((ent, {name: frames.get(eid, empty[name])
                               for name, frames in own.items()}))
        keys[eid] = key
    for eid, outcome in _analyse_all(todo, constructs=constructs, pool=pool, workers=workers,
                                     progress=progress, settings=settings):
        if isinstance(outcome, str):
            failed[eid] = outcome
            keys.pop(eid, None)
        else:
            done[eid] = outcome
    results, lines, reliability, attrition = ([done[eid][i] for eid in sorted(done)]
                                              for i in range(4))
    non_empty = [r for r in results if not r.empty]
    res = (pd.concat(non_empty, ignore_index=True) if non_empty
           else pd.DataFrame(columns=list(analysis.INTERNAL_COLUMNS)))
    from ..stats.pooling import pooled_inputs, pooled_results

    return {
        "indicators_monthly": monthly, "five_s_items": items, "five_s_pillars": pillars,
        "five_s_index": index, "survey_answers": answers, "survey_scores": scores,
        "results": res,
        "kpi_lines": pd.concat([x for x in lines if not x.empty], ignore_index=True)
        if any(not x.empty for x in lines) else pd.DataFrame(
            columns=["enterprise_id", "indicator", "month", "observed", "fitted",
                     "counterfactual"]),
        "survey_reliability": pd.concat([x for x in reliability if not x.empty],
                                        ignore_index=True)
        if any(not x.empty for x in reliability) else pd.DataFrame(
            columns=["enterprise_id", "construct", "wave", "n_complete", "n_items", "alpha",
                     "status"]),
        "survey_attrition": pd.concat([x for x in attrition if not x.empty],
                                      ignore_index=True)
        if any(not x.empty for x in attrition) else pd.DataFrame(
            columns=list(analysis.ATTRITION_COLUMNS)),
        "pooled": pooled_results(res, settings=settings),
        "pooled_inputs": pooled_inputs(res, settings=settings),
        "failed": failed,
        "analysis_keys": keys,
    }


def _analyse_enterprise(enterprise, *, monthly, items, scores, answers,
                        constructs: list[str], settings: AnalysisSettings = PLAN) -> tuple:
    """The results rows, chart lines and survey reliability of one enterprise.

    ``monthly``, ``items``, ``scores`` and ``answers`` may hold only this
    enterprise's rows (the pipeline passes each enterprise its own slice).
    """
    from ..stats import analysis

    done = analysis.enterprise_analysis(enterprise, monthly=monthly, items=items,
                                        scores=scores, constructs=constructs,
                                        settings=settings)
    eid = enterprise["enterprise_id"]
    return (done.results, done.lines,
            analysis.survey_reliability(answers, eid, settings=settings),
            analysis.survey_attrition(scores, eid, constructs, settings=settings))


#: Fewest enterprises to analyse for the analysis to go to the worker pool (below
#: it, importing the statistics libraries in every worker costs more than it saves).
PARALLEL_ANALYSIS = 10


def _analyse_chunk(chunk: list, *, constructs: list[str],
                   settings: AnalysisSettings = PLAN) -> list:
    """Analyse several enterprises (in a worker); one ``(id, outcome)`` pair each,
    the outcome being the three tables or the error text."""
    out = []
    for ent, parts in chunk:
        eid = ent["enterprise_id"]
        try:
            out.append((eid, _analyse_enterprise(ent, constructs=constructs, settings=settings,
                                                 **parts)))
        except Exception as exc:  # isolate one enterprise's failure from the others
            out.append((eid, f"the analysis failed: {exc.__class__.__name__}: {exc}"))
    return out


def _analyse_all(todo: list, *, constructs: list[str], pool, workers: int,
                 progress: Callable[[str], None] | None,
                 settings: AnalysisSettings = PLAN) -> list:
    """``(id, outcome)`` for every enterprise of ``todo``: in ``pool`` when it is
    worth it, else in this process."""
    for ent, _ in todo:
        if progress:
            progress(ent["enterprise_id"])
    if pool is None or workers < 2 or len(todo) < PARALLEL_ANALYSIS:
        return _analyse_chunk(todo, constructs=constructs, settings=settings)
    size = -(-len(todo) // (4 * workers))  # about four chunks per worker: balanced ends
    futures = [(chunk, pool.submit(_analyse_chunk, chunk, constructs=constructs,
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


def _by_enterprise(frame) -> dict:
    """``enterprise_id`` → that enterprise's rows, split once (not filtered per enterprise)."""
    if frame.empty or "enterprise_id" not in frame.columns:
        return {}
    return {eid: part for eid, part in frame.groupby("enterprise_id", sort=False)}
