"""The trainers' implementation records of the simulated programme enterprises.

At each visit (``baseline`` on the day of the baseline 5S audit, ``visit_1``..``visit_3``
and ``final_workshop`` on their milestone dates) the trainer records the nine items of
docs/data_contract.md (``implementation``).  They follow the enterprise's
**implementation level** ``q = 0.1 + 0.9 s`` (``s``: the KPI effect strength of
:mod:`.profiles`; Tjokro 1.0, Lestari 0.82, Trijaya 0.69, Tesena 0.51, Inprintama 0.1),
so that what an enterprise put in place matches how much its KPIs improved, and
``progress`` = the share of the time from the training to the final workshop gone by
(0 at baseline, about 0.66, 0.75, 0.83 at the three visits, 1 at the final workshop):

- ``eit_members``: the enterprise improvement team formed at the workshop, 4-6 people,
  then ``round(members_0 + (6 q - 1.5) progress + N(0, 0.5))``, at least 2 (the team
  grows where the programme takes hold and loses members where it does not);
- ``eit_worker_members``: ``members x (0.3 + 0.25 q + 0.1 q progress + N(0, 0.03))``,
  rounded, at least 1 and at most the members;
- ``eit_meetings`` and ``bipartite_meetings`` since the previous visit (since the training
  at baseline): ``round(1.1 q m + N(0, 0.4))`` and ``round(q m)`` for ``m`` months, at
  least 0 (the best teams meet about monthly; PT Inprintama Asri's bipartite committee
  meets once after the training, as its note says);
- ``actions_planned`` (cumulative): 5-8 in the workshop's draft plan, then
  ``+ round(7 q progress)``; ``actions_done`` (cumulative, never falling, never above the
  planned): ``round(planned x q progress x uniform(0.85, 1.0))``;
- ``suggestion_scheme``: ``no`` at baseline, then ``yes`` where the programme raised the
  suggestions (``s > 0``, see :mod:`.kpi`), ``no`` where it did not;
- ``communication_board`` (kept up to date): ``yes`` at baseline with probability 0.25
  (a notice board the enterprise already had), then ``yes`` where ``q >= 0.4``, ``no``
  elsewhere;
- ``trainer_rating``: ``round(1 + 4 q (0.4 + 0.6 progress) + N(0, 0.3))`` in 1-5.

Values are written as text, as in the CSV file: whole numbers, ``yes`` or ``no``.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from .columns import TABLE_COLUMNS
from .draws import STREAM_IMPLEMENTATION
from .months import milestone_dates, visit_dates
from .profiles import Profile

#: The recorded items, in the order of docs/data_contract.md.
ITEMS = (
    "eit_members", "eit_worker_members", "eit_meetings", "actions_planned", "actions_done",
    "suggestion_scheme", "communication_board", "bipartite_meetings", "trainer_rating",
)

_DAYS_PER_MONTH = 365.25 / 12


def implementation_level(p: Profile) -> float:
    """The implementation level ``q = 0.1 + 0.9 s`` of a programme enterprise."""
    return 0.1 + 0.9 * p.strength


def _days(a: str, b: str) -> int:
    return (dt.date.fromisoformat(b) - dt.date.fromisoformat(a)).days


def _records(p: Profile, seed: int) -> list[tuple[str, str, str, str, str]]:
    rng = np.random.default_rng([seed, STREAM_IMPLEMENTATION, p.index])
    q = implementation_level(p)
    dates = visit_dates(p.intervention_month, p.baseline_audit_day)
    training = milestone_dates(p.intervention_month)["training"]
    span = _days(training, dates["final_workshop"])

    members_0 = int(rng.integers(4, 7))
    planned_0 = int(rng.integers(5, 9))
    board_0 = bool(rng.random() < 0.25)
    rows = []
    previous, done = training, 0
    for visit, date in dates.items():
        progress = _days(training, date) / span
        months = _days(previous, date) / _DAYS_PER_MONTH
        members = max(2, round(members_0 + (6 * q - 1.5) * progress + rng.normal(0, 0.5)))
        share = 0.3 + 0.25 * q + 0.1 * q * progress + rng.normal(0, 0.03)
        workers = int(np.clip(round(members * share), 1, members))
        eit_meetings = max(0, round(1.1 * q * months + rng.normal(0, 0.4)))
        planned = planned_0 + round(7 * q * progress)
        done = min(planned, max(done, round(planned * q * progress * rng.uniform(0.85, 1.0))))
        scheme = visit != "baseline" and p.strength > 0
        board = board_0 if visit == "baseline" else q >= 0.4
        bipartite = max(0, round(q * months))
        rating = int(np.clip(round(1 + 4 * q * (0.4 + 0.6 * progress) + rng.normal(0, 0.3)),
                             1, 5))
        values = (members, workers, eit_meetings, planned, done, "yes" if scheme else "no",
                  "yes" if board else "no", bipartite, rating)
        rows.extend((p.enterprise_id, visit, date, item, str(value))
                    for item, value in zip(ITEMS, values, strict=True))
        previous = date
    return rows


def implementation_table(profiles: list[Profile], seed: int) -> pd.DataFrame:
    """The ``implementation`` table of the programme enterprises of ``profiles``."""
    rows = [row for p in profiles if not p.is_comparison for row in _records(p, seed)]
    return pd.DataFrame(rows, columns=list(TABLE_COLUMNS["implementation"]))
