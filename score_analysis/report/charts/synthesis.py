"""The charts of the synthesis: forest plots and the survey changes side by side."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ...i18n import gettext as _
from .base import (
    PALETTE,
    SERIES,
    chart_style,
    literal,
    locale_number,
    locale_ticks,
    new_figure,
    wrap,
)

#: Above this many enterprises a forest plot no longer labels each row: the rows are
#: sorted by estimate and drawn thin (a caterpillar plot), at a bounded height.
MANY_ROWS = 30


def many_rows(n: int) -> bool:
    """Whether ``n`` enterprises are drawn as a caterpillar plot (see :data:`MANY_ROWS`)."""
    return n > MANY_ROWS


def _caterpillar(studies: pd.DataFrame) -> pd.DataFrame:
    """The estimable rows sorted by estimate (largest at the top once drawn)."""
    est = studies[np.isfinite(studies["estimate"].to_numpy(float))]
    return est.sort_values("estimate", ascending=False, kind="stable").reset_index(drop=True)


def _intervals(ax, rows: pd.DataFrame, y: np.ndarray, lo: float, hi: float, *,
               lw: float, ms: float) -> None:
    """Each row's interval (one line collection), estimate (one marker line) and an
    arrow where the interval runs past the axis."""
    est = rows["estimate"].to_numpy(float)
    a = rows["ci_low"].to_numpy(float)
    b = rows["ci_high"].to_numpy(float)
    ok = np.isfinite(est)
    ax.hlines(y[ok], np.clip(a[ok], lo, hi), np.clip(b[ok], lo, hi), color="#1b1f24", lw=lw)
    for past, edge, marker in ((ok & (a < lo), lo, "<"), (ok & (b > hi), hi, ">")):
        if past.any():
            ax.plot(np.full(past.sum(), edge), y[past], ls="none", marker=marker,
                    color="#1b1f24", ms=ms)
    ax.plot(est[ok], y[ok], ls="none", marker="s", color=SERIES[0], ms=ms)


def forest_figure(studies: pd.DataFrame, pooled: pd.Series | None, *, title: str,
                  ratio: bool, xlabel: str, subtitle: str = ""):
    """A forest plot: each enterprise's estimate and 95% CI, and the pooled estimate.

    Parameters
    ----------
    studies : DataFrame
        ``name``, ``estimate``, ``ci_low``, ``ci_high`` (one row per enterprise;
        a row with a blank estimate is listed with its ``note`` instead).
    pooled : Series or None
        The pooled row (``estimate``, ``ci_low``, ``ci_high``), drawn as a
        diamond; None when it was not pooled.
    ratio : bool
        Ratios are drawn on a log axis around 1, differences around 0.

    With more than :data:`MANY_ROWS` enterprises the rows are not labelled: the
    estimable ones are sorted by estimate and drawn thin, at a bounded height
    (a caterpillar plot), and the y axis says how many are shown.
    """
    studies = studies.reset_index(drop=True)
    many = many_rows(len(studies))
    if many:
        total, studies = len(studies), _caterpillar(studies)
    n = len(studies)
    rows = n + (1 if pooled is not None else 0)
    null = 1.0 if ratio else 0.0
    vals = pd.concat([studies[["estimate", "ci_low", "ci_high"]].stack(),
                      pd.Series([] if pooled is None else
                                [pooled["estimate"], pooled["ci_low"], pooled["ci_high"]],
                                dtype=float)]).to_numpy(float)
    vals = vals[np.isfinite(vals)]
    lo, hi = _forest_limits(vals, ratio=ratio)
    # many rows: a gap of one row between the enterprises and the pooled diamond
    y = (n + 1.0 if many else rows - 1.0) - np.arange(n, dtype=float)
    with chart_style():
        fig, ax = new_figure(5.4, min(2.4 + 0.06 * rows, 7.0) if many else 1.25 + 0.42 * rows)
        ax.axvline(null, color="#57606a", lw=1)
        if many:
            _intervals(ax, studies, y, lo, hi, lw=0.8, ms=2.5)
        else:
            _intervals(ax, studies, y, lo, hi, lw=1.5, ms=7)
            for i in np.flatnonzero(~np.isfinite(studies["estimate"].to_numpy(float))):
                ax.text(0.5, y[i], literal(studies.at[i, "note"] if "note" in studies
                                           else _("not estimable")),
                        ha="center", va="center", fontsize=8.5, color="#57606a",
                        transform=ax.get_yaxis_transform())
        if pooled is not None:
            e, a, b = pooled["estimate"], pooled["ci_low"], pooled["ci_high"]
            half = 0.6 if many else 0.28
            ax.fill([a, e, b, e], [0, half, 0, -half], color=PALETTE["pooled"])
            ax.axhline(1.0 if many else 0.62, color="#d0d7de", lw=0.8)
        if many:
            ax.set_yticks([0] if pooled is not None else [],
                          [_("Pooled")] if pooled is not None else [])
            ax.set_ylabel(_("{n} of {total} enterprises, sorted by estimate").format(
                n=n, total=total) if n < total else _("{n} enterprises, sorted by estimate")
                .format(n=n))
            ax.set_ylim(-1.2, n + 1.8)
        else:
            labels = [wrap(literal(s), 20, 2) for s in studies["name"]]
            if pooled is not None:
                labels.append(_("Pooled"))
            ax.set_yticks(range(rows)[::-1], labels)
            ax.set_ylim(-0.6, rows - 0.4)
        if ratio:
            ax.set_xscale("log")
            _ratio_ticks(ax, lo, hi)
        ax.set_xlim(lo, hi)
        ax.grid(axis="y", visible=False)
        ax.set_xlabel(literal(xlabel))
        ax.set_title(literal(title))
        if subtitle:
            ax.annotate(literal(subtitle), (0, 1), xycoords="axes fraction", xytext=(0, 5),
                        textcoords="offset points", fontsize=9, color="#57606a",
                        va="bottom")
            ax.set_title(literal(title), pad=20)
    return fig


def _clip(values, lo: float, hi: float) -> list[float]:
    return [min(max(v, lo), hi) for v in values]


def _forest_limits(values: np.ndarray, *, ratio: bool) -> tuple[float, float]:
    """Axis limits that show every interval, capped at 1/20 to 20 for ratios."""
    if ratio:
        vals = values[values > 0]
        lo = min(0.8, vals.min() * 0.9) if len(vals) else 0.5
        hi = max(1.25, vals.max() * 1.1) if len(vals) else 2.0
        return max(lo, 0.05), min(hi, 20.0)
    if not len(values):
        return -1.0, 1.0
    span = max(values.max(), 0) - min(values.min(), 0)
    pad = 0.08 * span if span > 0 else 1.0
    return min(values.min(), 0) - pad, max(values.max(), 0) + pad


def _ratio_ticks(ax, lo: float, hi: float) -> None:
    from matplotlib.ticker import FixedLocator, FuncFormatter, NullLocator

    candidates = [0.05, 0.1, 0.2, 0.25, 0.5, 0.67, 0.8, 1, 1.25, 1.5, 2, 4, 5, 10, 20]
    min_gap = (math.log(hi) - math.log(lo)) / 7  # at most about 7 ticks, never crowded
    chosen = [1.0]
    for side in (sorted(t for t in candidates if 1 < t <= hi),
                 sorted((t for t in candidates if lo <= t < 1), reverse=True)):
        last = 1.0
        for t in side:
            if abs(math.log(t) - math.log(last)) >= min_gap:
                chosen.append(t)
                last = t
    ax.xaxis.set_major_locator(FixedLocator(sorted(chosen)))
    ax.xaxis.set_minor_locator(NullLocator())
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: locale_number(v)))


def survey_changes_figure(panels: list[tuple[str, pd.DataFrame, pd.Series | None]]):
    """Survey construct changes side by side: one small forest plot per construct.

    ``panels`` holds (construct title, studies, pooled) as for
    :func:`forest_figure` (differences), drawn with one shared x axis.  The
    rows line up across panels (one enterprise per row); with more than
    :data:`MANY_ROWS` enterprises each panel is a caterpillar plot instead,
    sorted by its own estimates.
    """
    names = list(dict.fromkeys(n for _t, s, _p in panels for n in s["name"]))
    many = many_rows(len(names))
    rows = len(names) + 1
    vals = np.concatenate([
        np.concatenate([s[["estimate", "ci_low", "ci_high"]].to_numpy(float).ravel(),
                        np.array([] if p is None else
                                 [p["estimate"], p["ci_low"], p["ci_high"]], dtype=float)])
        for _t, s, p in panels]) if panels else np.array([])
    lo, hi = _forest_limits(vals[np.isfinite(vals)], ratio=False)
    ncols = min(len(panels), 2)
    nrows = int(np.ceil(len(panels) / ncols))
    height = min(2.0 + 0.05 * rows, 5.5) if many else 0.9 + 0.36 * rows
    half = 0.6 if many else 0.28
    with chart_style():
        fig, axes = new_figure(8.4, nrows * height + 0.3, nrows=nrows, ncols=ncols,
                            sharex=True, squeeze=False)
        for k, ax in enumerate(axes.ravel()):
            if k >= len(panels):
                ax.set_visible(False)
                continue
            title, studies, pooled = panels[k]
            ax.axvline(0, color="#57606a", lw=1)
            if many:
                shown = _caterpillar(studies)
                y = len(shown) + 1.0 - np.arange(len(shown), dtype=float)
                _intervals(ax, shown, y, lo, hi, lw=0.7, ms=2)
                ax.set_yticks([0], [_("Pooled")])
                ax.axhline(1.0, color="#d0d7de", lw=0.8)
                ax.set_ylim(-1.2, len(shown) + 1.8)
                ax.set_ylabel(_("{n} enterprises, sorted").format(n=len(shown)), fontsize=9)
            else:
                by_name = studies.drop_duplicates("name").set_index("name")
                rows_k = by_name.reindex(names).reset_index()
                y = rows - 1 - np.arange(len(names), dtype=float)
                _intervals(ax, rows_k, y, lo, hi, lw=1.4, ms=6)
                for i in np.flatnonzero(rows_k["name"].isin(by_name.index)
                                        & ~np.isfinite(rows_k["estimate"].to_numpy(float))):
                    ax.text(0.5, y[i], literal(rows_k.at[i, "note"] if "note" in rows_k
                                               else ""),
                            ha="center", va="center", fontsize=8, color="#57606a",
                            transform=ax.get_yaxis_transform(),
                            bbox={"facecolor": "white", "edgecolor": "none", "pad": 1})
                ax.set_yticks(range(rows)[::-1], [wrap(literal(n), 24, 1) for n in names]
                              + [_("Pooled")])
                ax.set_ylim(-0.6, rows - 0.4)
            if pooled is not None and np.isfinite(pooled["estimate"]):
                e, a, b = pooled["estimate"], pooled["ci_low"], pooled["ci_high"]
                ax.fill([a, e, b, e], [0, half, 0, -half], color=PALETTE["pooled"])
            ax.set_xlim(lo, hi)
            ax.xaxis.set_major_formatter(locale_ticks())
            ax.grid(axis="y", visible=False)
            ax.set_title(literal(title), fontsize=10.5)
            if k % ncols and not many:
                ax.tick_params(labelleft=False)
        for ax in axes[-1]:
            ax.set_xlabel(_("Change in score (after − before)"))
    return fig
