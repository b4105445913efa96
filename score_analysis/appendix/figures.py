"""Figures of the reviewer's appendix: seaborn on matplotlib and statsmodels' graphics.

Every function takes a table of :mod:`score_analysis.appendix` and returns a new
matplotlib Figure (the notebook displays it; nothing is written to disk).  One theme,
:func:`use_theme`, is set by the appendix notebooks before the first figure.  The forest
plot is the reports' own (:func:`pooling_figure`).  The enterprise report does not import
this module: its pages keep their light imports.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: The seaborn theme of every appendix figure.
THEME = {"style": "whitegrid", "context": "notebook", "palette": "colorblind"}
#: Figure width in inches (the notebook page is about this wide).
WIDTH = 9.0


def use_theme() -> None:
    """Set the appendix theme (seaborn ``whitegrid``, ``colorblind`` palette) globally, and,
    in a notebook, show every matplotlib figure as a PNG (also those drawn without pyplot,
    as the reports' charts are)."""
    import seaborn as sns

    sns.set_theme(**THEME, rc={"figure.dpi": 96, "savefig.dpi": 96})
    from IPython import get_ipython

    if get_ipython() is not None:
        from matplotlib_inline.backend_inline import set_matplotlib_formats

        set_matplotlib_formats("png")


def _figure(height: float, ncols: int = 1):
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, ncols, figsize=(WIDTH, height), layout="constrained")
    plt.close(fig)  # the notebook shows the returned figure once, not twice
    return fig, axes


def residual_figure(residuals: pd.DataFrame, *, title: str = ""):
    """Pearson residuals against month (left) and against the fitted count (right), from
    :func:`score_analysis.appendix.pearson_residuals`."""
    import seaborn as sns

    fig, (left, right) = _figure(3.4, 2)
    data = residuals.assign(order=np.arange(len(residuals)))
    sns.lineplot(data=data, x="t", y="pearson_residual", marker="o", ax=left)
    sns.scatterplot(data=data, x="fitted_count", y="pearson_residual", ax=right)
    for ax in (left, right):
        ax.axhline(0, color="0.3", linewidth=1)
        ax.set_ylabel("Pearson residual")
    left.set_xlabel("t (months since the first month)")
    right.set_xlabel("fitted count")
    if title:
        fig.suptitle(title)
    return fig


def autocorrelation_figure(residuals: pd.DataFrame, *, nlags: int | None = None,
                           title: str = ""):
    """ACF and PACF of the Pearson residuals with statsmodels' ``plot_acf`` and
    ``plot_pacf`` (95% bands), lags 1..``nlags`` (default ``min(12, n // 2 - 1)``)."""
    from statsmodels.graphics.tsaplots import plot_acf, plot_pacf

    e = residuals["pearson_residual"].to_numpy(float)
    lags = nlags if nlags is not None else min(12, len(e) // 2 - 1)
    fig, (left, right) = _figure(3.2, 2)
    plot_acf(e, lags=lags, zero=False, ax=left, title="ACF of Pearson residuals")
    plot_pacf(e, lags=lags, zero=False, method="ywm", ax=right,
              title="PACF of Pearson residuals")
    for ax in (left, right):
        ax.set_xlabel("lag (months)")
    if title:
        fig.suptitle(title)
    return fig


def counterfactual_figure(lines: pd.DataFrame, *, intervention_t: float | None = None,
                          ylabel: str = "rate", title: str = ""):
    """Observed rate (points), fitted segmented trend and the counterfactual with its 95%
    band, from :func:`score_analysis.appendix.counterfactual_lines`."""
    import seaborn as sns

    fig, ax = _figure(3.8)
    ax.fill_between(lines["t"], lines["counterfactual_low"], lines["counterfactual_high"],
                    alpha=0.2, color="C1", label="counterfactual, 95% band")
    sns.scatterplot(data=lines, x="t", y="observed", ax=ax, color="0.25", label="observed")
    for (_, part) in lines.groupby("post", sort=True):
        ax.plot(part["t"], part["fitted"], color="C0")
    ax.plot([], [], color="C0", label="fitted")
    ax.plot(lines["t"], lines["counterfactual"], color="C1", linestyle="--",
            label="counterfactual (trend before the programme)")
    if intervention_t is not None:
        ax.axvline(intervention_t - 0.5, color="0.4", linestyle=":", label="programme start")
    ax.set_xlabel("t (months since the first month)")
    ax.set_ylabel(ylabel)
    ax.legend(loc="best", fontsize="small")
    if title:
        ax.set_title(title)
    return fig


def comparison_figure(table: pd.DataFrame, *, intervention_month: str | None = None,
                      ylabel: str = "rate", title: str = ""):
    """The enterprise's monthly values (points) and the comparison series scaled to its level
    before the programme (dash-dot line, open squares), by month, from
    :func:`score_analysis.appendix.comparison_table`."""
    fig, ax = _figure(3.6)
    x = pd.to_datetime(table["month"] + "-15")
    ax.plot(x, table["observed"], "o", color="0.25", label="enterprise")
    ax.plot(x, table["comparison"], color="C9", linestyle=(0, (6, 2, 1.5, 2)), marker="s",
            markerfacecolor="white", label="comparison series, scaled to the enterprise's "
            "level before the programme")
    if intervention_month:
        ax.axvline(pd.Timestamp(intervention_month + "-01"), color="0.4", linestyle=":",
                   label="programme start")
    ax.set_xlabel("month")
    ax.set_ylabel(ylabel)
    ax.legend(loc="best", fontsize="small")
    if title:
        ax.set_title(title)
    return fig


def heatmap_figure(heatmap: pd.DataFrame, *, title: str = ""):
    """Mean item percentage by area and pillar (rows) and audit (columns), from
    :func:`score_analysis.appendix.five_s_heatmap`."""
    import seaborn as sns

    table = heatmap.pivot_table(index=["area", "pillar"], columns="audit", values="pct",
                                sort=False)
    fig, ax = _figure(max(3.0, 0.28 * len(table) + 1.5))
    sns.heatmap(table, vmin=0, vmax=100, cmap="viridis", annot=True, fmt=".0f",
                annot_kws={"fontsize": 7}, cbar_kws={"label": "item score (%)"}, ax=ax)
    ax.set_ylabel("area · pillar")
    ax.set_xlabel("audit")
    if title:
        ax.set_title(title)
    return fig


def distribution_figure(distribution: pd.DataFrame, construct: str, *, title: str = ""):
    """Share of each answer per item and wave for one construct (suppressed cells left
    out), from :func:`score_analysis.appendix.answer_distribution`."""

    own = distribution[(distribution["construct"] == construct)
                       & (distribution["status"] == "ok")]
    if own.empty:
        fig, ax = _figure(1.2)
        ax.set_axis_off()
        ax.text(0.5, 0.5, "fewer than 5 respondents per item and wave: not shown",
                ha="center", va="center")
        return fig
    fig = _facet_waves(own, list(dict.fromkeys(own["wave"])))
    if title:
        fig.suptitle(title)
    return fig


def _facet_waves(own: pd.DataFrame, waves: list[str]):
    import seaborn as sns

    labelled = own.assign(answer=own["answer"].map(lambda a: f"{a:g}"))
    order = [f"{a:g}" for a in sorted(own["answer"].unique())]
    colors = dict(zip(order, sns.color_palette("RdYlGn", len(order)), strict=True))
    fig, axes = _figure(3.4, len(waves))
    for ax, wave in zip(np.atleast_1d(axes), waves, strict=True):
        sns.barplot(data=labelled[labelled["wave"] == wave], x="item_id", y="percent",
                    hue="answer", hue_order=order, palette=colors, ax=ax, errorbar=None)
        ax.set_title(wave)
        ax.set_ylim(0, 100)
        ax.set_xlabel("item")
        ax.set_ylabel("% of respondents")
        ax.legend(title="answer", fontsize="x-small", title_fontsize="x-small")
    return fig


def pooling_figure(rows: pd.DataFrame, *, ratio: bool, xlabel: str, title: str = ""):
    """The forest plot of one pooling, from :func:`score_analysis.appendix.forest_rows`: the
    reports' own forest plot (:func:`score_analysis.report.charts.forest_figure`: each
    enterprise with its interval, the pooled estimate as a diamond), with the prediction
    interval drawn as a bar through the diamond."""
    from ..i18n import use_language
    from ..report.charts import forest_figure

    studies = rows[rows["kind"] == "enterprise"].rename(columns={"label": "name"})
    pooled = rows[rows["kind"] == "pooled"].iloc[0]
    prediction = rows[rows["kind"] == "prediction"].iloc[0]
    with use_language("en"):  # the appendix pages are in English
        fig = forest_figure(studies.reset_index(drop=True), pooled, title=title, ratio=ratio,
                            xlabel=xlabel, subtitle="bar: prediction interval")
    ax = fig.axes[0]
    low, high = float(prediction["ci_low"]), float(prediction["ci_high"])
    if np.isfinite(low) and np.isfinite(high):
        ax.hlines(0, low, high, color="0.25", linewidth=2.5, alpha=0.6, zorder=1)
        left, right = ax.get_xlim()
        if ratio:
            ax.set_xlim(min(left, low / 1.1), max(right, high * 1.1))
        else:
            pad = 0.05 * (high - low)
            ax.set_xlim(min(left, low - pad), max(right, high + pad))
    return fig
