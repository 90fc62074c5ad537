"""Figures (matplotlib, headless). Each function takes ``ax=None`` and returns the figure."""

from __future__ import annotations


def _axes(ax, size=(5.5, 5.0)):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    if ax is None:
        fig, ax = plt.subplots(figsize=size, layout="constrained")
        return fig, ax
    return ax.figure, ax


def plot_reliability(table: list[dict], ax=None, title: str = "Reliability of the deal model"):
    """Observed frequency against mean forecast per bin; marker area shows the count.

    Parameters
    ----------
    table : list of dict
        From :func:`negotiate.scoring.reliability`.
    ax : matplotlib Axes, optional
    """
    fig, ax = _axes(ax)
    ax.plot([0, 1], [0, 1], linestyle="--", color="0.5", linewidth=1, label="perfect calibration")
    rows = [r for r in table if r["count"]]
    xs = [r["mean_forecast"] for r in rows]
    ys = [r["observed"] for r in rows]
    counts = [r["count"] for r in rows]
    ax.plot(xs, ys, color="black", linewidth=1)
    ax.scatter(xs, ys, s=[20 + 8 * c for c in counts], facecolor="white", edgecolor="black", zorder=3,
               label="bins (area: number of forecasts)")
    for x, y, c in zip(xs, ys, counts):
        ax.annotate(str(c), (x, y), textcoords="offset points", xytext=(6, -12), fontsize=8)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_xlabel("forecast P(deal by the deadline)")
    ax.set_ylabel("observed frequency of a deal")
    ax.set_title(title)
    ax.legend(loc="upper left", fontsize=8, frameon=False)
    return fig
