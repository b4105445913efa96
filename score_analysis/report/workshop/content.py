"""What the workshop pack says: the key figures of an enterprise and of the programme,
the timeline, the enterprises' own notes and the implementation at the last visit.

Pure selection from the pipeline's tables; no words here (:mod:`.wording` says them in
the page's language).  The selection rules are those of ``docs/workshop.md``:

- **Key figures of an enterprise** (three to five): its primary results with a before and
  an after value, taken in this order until five are chosen: every result the analysis
  judged worsened (a clear worsening is never left out); the largest change among the
  exploratory indicators when after is at least half as large again as before (or a third
  smaller), such as worker suggestions that went from almost none to several a month; the
  5S index (the programme set out to implement 5S); every result judged improved; the
  programme's other expected improvements (the confirmatory outcomes); then any other.
  Within each step the larger change comes first.  They are shown in the fixed order of
  the indicators.
- **Key figures of the programme**: the same steps over the indicators, each summarised
  across the enterprises (how many moved in the good direction, the range of their
  changes, and the pooled row when there is one).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ...settings import PLAN, AnalysisSettings
from ...stats.indicators import INDICATORS
from ...stats.outputs import EXACT
from ..formatting import missing
from ..wording import good_direction

#: An exploratory change is shown among the key figures from this ratio of after to
#: before on (or its inverse): half as large again, or a third smaller.
LARGE_CHANGE = 1.5
#: The order of the visits in the implementation records.
VISITS = ("baseline", "visit_1", "visit_2", "visit_3", "final_workshop")
#: At most this many notes of each kind on a one-page summary.
NOTES_PER_KIND = 3
_YES = {"yes", "ya", "true", "1", "y"}
_NO = {"no", "tidak", "false", "0", "n"}


def _number(value: object) -> float | None:
    """A finite float, or None for a missing or non-numeric value."""
    if missing(value):
        return None
    try:
        v = float(value)
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


def _number_or_inf(value: object) -> float | None:
    """A float (infinite allowed: an exact ratio from no event before), or None."""
    if missing(value):
        return None
    try:
        v = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(v) else v


@dataclass(frozen=True)
class KeyFigure:
    """One primary result as the pack shows it: the values before and after in natural
    units, and what the analysis found (estimate, interval, p-values, verdict)."""

    enterprise_id: str
    domain: str
    indicator: str
    method: str
    status: str
    confirmatory: bool
    direction: str
    before: float | None
    after: float | None
    estimate: float | None
    estimate_scale: str
    ci_low: float | None
    ci_high: float | None
    p_value: float | None
    p_holm: float | None
    n_pre: float | None
    n_post: float | None
    note: str
    scale: tuple[float, float] = (1.0, 5.0)  # the answer scale of a survey construct
    #: the exact comparison of the two rates (``rate_ratio_exact``: estimate, ci_low,
    #: ci_high, p_value), where the primary had too few events for a model
    exact: tuple[float | None, ...] | None = None

    @classmethod
    def of(cls, row: pd.Series, *, settings: AnalysisSettings = PLAN,
           scale: tuple[float, float] = (1.0, 5.0), exact: pd.Series | None = None
           ) -> KeyFigure:
        """The key figure of one results row; ``confirmatory`` from the row's column when
        the results have it, else from ``settings``; ``exact``: the row's
        ``rate_ratio_exact`` companion, if any."""
        confirmatory = (bool(row["confirmatory"]) if "confirmatory" in row.index
                        and not missing(row["confirmatory"])
                        else settings.is_confirmatory(str(row["indicator"])))
        note = row.get("note")
        return cls(enterprise_id=str(row["enterprise_id"]), domain=str(row["domain"]),
                   indicator=str(row["indicator"]), method=str(row["method"]),
                   status=str(row["status"]), confirmatory=confirmatory,
                   direction=str(row.get("direction") or ""),
                   before=_number(row.get("pre_value")), after=_number(row.get("post_value")),
                   estimate=_number_or_inf(row.get("estimate")),
                   estimate_scale=str(row.get("estimate_scale") or ""),
                   ci_low=_number_or_inf(row.get("ci_low")),
                   ci_high=_number_or_inf(row.get("ci_high")),
                   p_value=_number(row.get("p_value")), p_holm=_number(row.get("p_holm")),
                   n_pre=_number(row.get("n_pre")), n_post=_number(row.get("n_post")),
                   note=note if isinstance(note, str) else "", scale=scale,
                   exact=None if exact is None or _number_or_inf(exact.get("estimate")) is None
                   else tuple(_number_or_inf(exact.get(c))
                              for c in ("estimate", "ci_low", "ci_high", "p_value")))

    @property
    def key(self) -> tuple[str, str]:
        return (self.domain, self.indicator)

    @property
    def good(self) -> int:
        """+1 when a rise is good, -1 when a fall is good."""
        return good_direction(self.domain, self.indicator)

    @property
    def shown(self) -> bool:
        """Whether there is a before and an after value to show."""
        return self.before is not None and self.after is not None

    @property
    def judged(self) -> bool:
        """Whether the analysis judged this result improved or worsened."""
        return self.direction in ("improved", "worsened")

    @property
    def moved(self) -> int:
        """+1 when the after value is better than the before value, -1 worse, 0 equal."""
        if not self.shown or self.after == self.before:
            return 0
        return self.good * (1 if self.after > self.before else -1)

    @property
    def ratio(self) -> float | None:
        """After over before (rates only; None when the before value is not positive)."""
        if not self.shown or self.domain != "kpi" or self.before <= 0:
            return None
        return self.after / self.before

    @property
    def size(self) -> float:
        """How large the change from before to after is, comparable across kinds: the
        absolute log ratio for rates (from zero to more counts as large), the difference
        as a share of the scale for the 5S index (0-100) and survey scores."""
        if not self.shown:
            return 0.0
        if self.domain == "kpi":
            if self.before <= 0:
                return 0.0 if self.after <= 0 else 5.0
            if self.after <= 0:
                return 5.0
            return abs(math.log(self.after / self.before))
        width = 100.0 if self.domain == "five_s" else max(self.scale[1] - self.scale[0], 1.0)
        return abs(self.after - self.before) / width * 2.0

    @property
    def large(self) -> bool:
        return self.size >= math.log(LARGE_CHANGE)


def display_order(key: tuple[str, str]) -> tuple:
    """Monthly indicators in the order of the plan, then 5S, then the survey constructs."""
    domain, indicator = key
    order = list(INDICATORS)
    if domain == "kpi":
        return (0, order.index(indicator) if indicator in order else 99, indicator)
    return (1 if domain == "five_s" else 2, 0, indicator)


def survey_scales(codebook: pd.DataFrame | None) -> dict[str, tuple[float, float]]:
    """The lowest and highest answer of each construct's items (a construct the codebook
    does not hold is taken as 1 to 5)."""
    if codebook is None or codebook.empty or "construct" not in codebook.columns:
        return {}
    lows = codebook.groupby("construct")["scale_min"].min()
    highs = codebook.groupby("construct")["scale_max"].max()
    return {str(c): (float(lows[c]), float(highs[c])) for c in lows.index}


def primary_figures(results: pd.DataFrame, *, settings: AnalysisSettings = PLAN,
                    codebook: pd.DataFrame | None = None) -> list[KeyFigure]:
    """Every primary row of ``results`` that has a before and an after value to show
    (rows suppressed for privacy and indicators not tracked have none)."""
    if results.empty:
        return []
    scales = survey_scales(codebook)
    prim = results[results["primary"].astype(bool)]
    exact = results[(results["method"] == EXACT) & (results["status"] == "ok")]
    exact_rows = {(r["enterprise_id"], r["indicator"]): r for _i, r in exact.iterrows()}
    out = []
    for _i, row in prim.iterrows():
        fig = KeyFigure.of(row, settings=settings,
                           scale=scales.get(str(row["indicator"]), (1.0, 5.0)),
                           exact=exact_rows.get((row["enterprise_id"], row["indicator"]))
                           if row["status"] == "insufficient_data" else None)
        if fig.status not in ("suppressed", "not_reported") and fig.shown:
            out.append(fig)
    return out


def _choose(candidates: list, *, direction, five_s, exploratory_large, confirmatory,
            most: int) -> list:
    """The selection steps of the module docstring over any kind of candidate
    (``candidates`` sorted by the size of their change, largest first)."""
    chosen: list = []

    def take(items) -> None:
        for item in items:
            if len(chosen) < most and item not in chosen:
                chosen.append(item)

    take([c for c in candidates if direction(c) == "worsened"])
    take([c for c in candidates if exploratory_large(c)][:1])
    take([c for c in candidates if five_s(c)][:1])
    take([c for c in candidates if direction(c) == "improved"])
    take([c for c in candidates if confirmatory(c)])
    take(candidates)
    return chosen


def choose_key_figures(figures: list[KeyFigure], *, most: int = 5) -> list[KeyFigure]:
    """The three to five key figures among one enterprise's ``figures`` (module
    docstring), in display order."""
    chosen = _choose(sorted(figures, key=lambda f: -f.size), direction=lambda f: f.direction,
                     five_s=lambda f: f.domain == "five_s",
                     exploratory_large=lambda f: (not f.confirmatory and f.domain == "kpi"
                                                  and f.large),
                     confirmatory=lambda f: f.confirmatory, most=most)
    return sorted(chosen, key=lambda f: display_order(f.key))


def key_figures(results: pd.DataFrame, *, settings: AnalysisSettings = PLAN,
                codebook: pd.DataFrame | None = None, most: int = 5) -> list[KeyFigure]:
    """The three to five key figures of one enterprise's ``results`` (module docstring), in
    display order; fewer when the enterprise has fewer results to show."""
    return choose_key_figures(primary_figures(results, settings=settings, codebook=codebook),
                              most=most)


@dataclass(frozen=True)
class Spread:
    """One indicator across the enterprises: each enterprise's key figure, how many moved
    in the good direction, and the primary pooled row (None when not pooled)."""

    domain: str
    indicator: str
    figures: tuple[KeyFigure, ...]
    pooled: pd.Series | None
    confirmatory: bool

    @property
    def key(self) -> tuple[str, str]:
        return (self.domain, self.indicator)

    @property
    def n(self) -> int:
        return len(self.figures)

    @property
    def better(self) -> int:
        return sum(f.moved > 0 for f in self.figures)

    @property
    def worse(self) -> int:
        return sum(f.moved < 0 for f in self.figures)

    @property
    def changes(self) -> list[float]:
        """Each enterprise's change: after over before for rates (enterprises with a
        positive before value), after minus before otherwise."""
        if self.domain == "kpi":
            return [f.ratio for f in self.figures if f.ratio is not None]
        return [f.after - f.before for f in self.figures]

    @property
    def direction(self) -> str:
        """The pooled row's verdict (:func:`pooled_verdict`); ``""`` when not pooled."""
        return pooled_verdict(self.pooled) if self.pooled is not None else ""

    @property
    def judged(self) -> bool:
        """Whether the pooled estimate was judged improved or worsened."""
        return self.direction in ("improved", "worsened")

    @property
    def size(self) -> float:
        """The median size of the enterprises' changes (see :attr:`KeyFigure.size`)."""
        return float(np.median([f.size for f in self.figures])) if self.figures else 0.0

    @property
    def large(self) -> bool:
        return self.size >= math.log(LARGE_CHANGE)


def pooled_verdict(row: pd.Series) -> str:
    """The verdict of a pooled row as the analysis wrote it (``direction`` of pooled.csv);
    for tables written before that column existed, as the pooling judges it."""
    if "direction" in row.index and isinstance(row["direction"], str) and row["direction"]:
        return row["direction"]
    from ..wording import pooled_direction

    return pooled_direction(row)


def pooled_primary(pooled: pd.DataFrame, domain: str, indicator: str) -> pd.Series | None:
    """The primary pooled row of an indicator with an estimate (None otherwise)."""
    if pooled.empty:
        return None
    sub = pooled[(pooled["domain"] == domain) & (pooled["indicator"] == indicator)]
    if "primary" in sub.columns:
        sub = sub[sub["primary"].astype(bool)]
    if sub.empty or _number(sub.iloc[0]["estimate"]) is None:
        return None
    return sub.iloc[0]


def spreads_of(figures: list[KeyFigure], pooled: pd.DataFrame, enterprise_ids: list[str]
               ) -> list[Spread]:
    """Every indicator that at least two of ``enterprise_ids`` show among ``figures``, in
    display order, each with its primary pooled row."""
    figures = [f for f in figures if f.enterprise_id in enterprise_ids]
    keys = sorted({f.key for f in figures}, key=display_order)
    out = []
    for key in keys:
        own = tuple(sorted((f for f in figures if f.key == key),
                           key=lambda f: enterprise_ids.index(f.enterprise_id)))
        if len(own) >= 2:
            out.append(Spread(domain=key[0], indicator=key[1], figures=own,
                              pooled=pooled_primary(pooled, *key),
                              confirmatory=any(f.confirmatory for f in own)))
    return out


def choose_spreads(every: list[Spread], *, most: int = 5) -> list[Spread]:
    """The three to five key indicators across the enterprises (module docstring)."""
    chosen = _choose(sorted(every, key=lambda s: -s.size), direction=lambda s: s.direction,
                     five_s=lambda s: s.domain == "five_s",
                     exploratory_large=lambda s: (not s.confirmatory and s.domain == "kpi"
                                                  and s.large),
                     confirmatory=lambda s: s.confirmatory, most=most)
    return sorted(chosen, key=lambda s: display_order(s.key))


def programme_figures(results: pd.DataFrame, pooled: pd.DataFrame, enterprise_ids: list[str],
                      *, settings: AnalysisSettings = PLAN,
                      codebook: pd.DataFrame | None = None, most: int = 5) -> list[Spread]:
    """The three to five key indicators across ``enterprise_ids`` (module docstring)."""
    figures = primary_figures(results, settings=settings, codebook=codebook)
    return choose_spreads(spreads_of(figures, pooled, enterprise_ids), most=most)


# --------------------------------------------------------------------------- timeline


def milestone_dates(milestones: pd.DataFrame) -> dict[str, pd.Timestamp]:
    """Each milestone's date: the date most enterprises share (the earliest on a tie)."""
    if milestones.empty:
        return {}
    out = {}
    for name, sub in milestones.groupby("milestone", sort=False):
        dates = pd.to_datetime(sub["date"]).dt.normalize()
        counts = dates.value_counts()
        best = counts[counts == counts.max()].index.min()
        out[str(name)] = pd.Timestamp(best)
    return dict(sorted(out.items(), key=lambda item: item[1]))


def record_period(months: pd.DataFrame, enterprise_id: str | None = None
                  ) -> tuple[str, str] | None:
    """The first and last month of the monthly records (of one enterprise, or of all)."""
    if months.empty:
        return None
    sub = months if enterprise_id is None else months[months["enterprise_id"] == enterprise_id]
    if sub.empty:
        return None
    values = sorted(sub["month"].astype(str))
    return values[0], values[-1]


# --------------------------------------------------------------------------- notes


def own_notes(qualitative: pd.DataFrame, kinds: tuple[str, ...],
              per_kind: int = NOTES_PER_KIND) -> list[tuple[str, pd.DataFrame, int]]:
    """``(kind, first notes, how many more)`` for each kind with notes, in ``kinds`` order."""
    if qualitative.empty:
        return []
    out = []
    for kind in kinds:
        sub = qualitative[qualitative["kind"] == kind]
        if not sub.empty:
            out.append((kind, sub.head(per_kind).reset_index(drop=True),
                        max(len(sub) - per_kind, 0)))
    return out


# --------------------------------------------------------------------------- implementation


@dataclass(frozen=True)
class Implementation:
    """What an enterprise had put in place at its last recorded visit (the trainers'
    implementation records); a field is None when it was not recorded."""

    enterprise_id: str
    visit: str
    date: pd.Timestamp | None
    actions_planned: int | None
    actions_done: int | None
    eit_members: int | None
    eit_worker_members: int | None
    suggestion_scheme: bool | None
    communication_board: bool | None
    bipartite_meetings: int | None
    trainer_rating: float | None

    @property
    def completion(self) -> float | None:
        """Share of the planned actions done (``actions_done / actions_planned``)."""
        if not self.actions_planned or self.actions_done is None:
            return None
        return self.actions_done / self.actions_planned

    @property
    def worker_share(self) -> float | None:
        """Share of non-management workers on the enterprise improvement team."""
        if not self.eit_members or self.eit_worker_members is None:
            return None
        return self.eit_worker_members / self.eit_members


def _flag(value: object) -> bool | None:
    """Yes or no, as written or as the validated number (yes = 1, no = 0)."""
    number = _number(value)
    if number is not None:
        return True if number == 1 else False if number == 0 else None
    text = str(value).strip().lower() if not missing(value) else ""
    return True if text in _YES else False if text in _NO else None


def _count(value: object) -> int | None:
    v = _number(value)
    return None if v is None else int(round(v))


def implementation_at_last_visit(implementation: pd.DataFrame, enterprise_id: str
                                 ) -> Implementation | None:
    """The implementation of ``enterprise_id`` at its last recorded visit (None when the
    data have no implementation records for it)."""
    if implementation.empty or "enterprise_id" not in implementation.columns:
        return None
    sub = implementation[implementation["enterprise_id"] == enterprise_id]
    if sub.empty:
        return None
    rank = {v: i for i, v in enumerate(VISITS)}
    visits = sorted(set(sub["visit"].astype(str)), key=lambda v: (rank.get(v, len(VISITS)), v))
    last = visits[-1]
    rows = sub[sub["visit"].astype(str) == last]
    values = dict(zip(rows["item"].astype(str), rows["value"], strict=True))
    dates = pd.to_datetime(rows["date"], errors="coerce").dropna() if "date" in rows else []
    return Implementation(
        enterprise_id=enterprise_id, visit=last,
        date=pd.Timestamp(dates.max()) if len(dates) else None,
        actions_planned=_count(values.get("actions_planned")),
        actions_done=_count(values.get("actions_done")),
        eit_members=_count(values.get("eit_members")),
        eit_worker_members=_count(values.get("eit_worker_members")),
        suggestion_scheme=_flag(values.get("suggestion_scheme")),
        communication_board=_flag(values.get("communication_board")),
        bipartite_meetings=_count(values.get("bipartite_meetings")),
        trainer_rating=_number(values.get("trainer_rating")))


def comparison_design(results: pd.DataFrame) -> bool:
    """Whether a primary result of ``results`` used a comparison group (controlled
    interrupted time series, ``cits_*`` methods)."""
    if results.empty:
        return False
    prim = results[results["primary"].astype(bool)]
    return bool(prim["method"].astype(str).str.startswith("cits_").any())
