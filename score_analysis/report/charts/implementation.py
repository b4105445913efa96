"""The chart of the implementation records: the share of the planned actions done at each
visit, one line per enterprise (docs/reports.md)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ...data.contract import VISITS
from ...i18n import gettext as _
from .base import MARKERS, SERIES, chart_style, literal, new_figure, wrap


def completion_figure(by_visit: pd.DataFrame, *, visit_labels: dict[str, str],
                      names: dict[str, str] | None = None):
    """Action completion (``actions_done / actions_planned``, in percent) at each visit.

    ``by_visit`` holds rows of
    :func:`score_analysis.data.validation.implementation_by_visit` (one enterprise or
    several); ``visit_labels`` names each visit in the page's language; ``names`` maps
    enterprise ids to the names of the legend (one enterprise: no legend, the values
    written at the points).  The visits are evenly spaced in their order (baseline,
    visit 1 to 3, final result workshop), whatever their dates; a visit without a
    completion (nothing planned, or not recorded) leaves a gap.  With more enterprises
    than distinct series (:data:`SERIES`), the lines are thin and grey, without a legend.
    """
    present = [v for v in VISITS if v in set(by_visit["visit"])]
    position = {v: i for i, v in enumerate(present)}
    ents = list(dict.fromkeys(by_visit["enterprise_id"]))
    many = len(ents) > len(SERIES)
    with chart_style():
        fig, ax = new_figure(6.6, 3.4 if len(ents) > 1 else 3.0)
        for i, eid in enumerate(ents):
            sub = by_visit[by_visit["enterprise_id"] == eid]
            sub = sub.assign(_x=sub["visit"].map(position)).sort_values("_x")
            x = sub["_x"].to_numpy(float)
            y = 100.0 * sub["action_completion"].astype("float64").to_numpy()
            if many:
                ax.plot(x, y, color="#57606a", lw=0.8, alpha=0.6, marker="o", ms=2)
                continue
            ax.plot(x, y, marker=MARKERS[i % len(MARKERS)], color=SERIES[i % len(SERIES)],
                    lw=2, ms=6, label=literal((names or {}).get(eid, eid)))
            if len(ents) == 1:
                for xi, yi in zip(x, y, strict=True):
                    if np.isfinite(yi):
                        ax.annotate(f"{yi:.0f}%", (xi, yi), textcoords="offset points",
                                    xytext=(0, 7), ha="center", fontsize=9)
        ax.set_xticks(range(len(present)))
        ax.set_xticklabels([wrap(visit_labels.get(v, v), 14) for v in present])
        ax.set_xlim(-0.4, len(present) - 0.6)
        ax.set_ylim(0, 110)
        ax.set_yticks([0, 25, 50, 75, 100])
        ax.set_yticklabels([f"{t}%" for t in (0, 25, 50, 75, 100)])
        ax.set_ylabel(_("Actions done"))
        ax.set_title(wrap(_("Share of the planned actions done at each visit"), 60))
        if 1 < len(ents) and not many:
            fig.legend(loc="outside lower center", ncol=3)
    return fig
