"""Figures of ``negotiate sensitivity`` and ``negotiate sweep`` (matplotlib; the backend is left alone).

Each function takes ``ax=None`` (draws into a new figure) or an Axes, and returns the figure.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from negotiate.report.figures import figure_and_axes, new_figure, plain_text

COLOURS = ("#1f77b4", "#d62728")  # row party, column party


def _short(path: str) -> str:
    return path.replace("levers.", "").replace("options.", "").replace("interactions.", "interaction ").replace("parties.", "")


@plain_text
def tornado_chart(result: dict[str, Any], ax=None, top: int = 15, greyscale: bool = False):
    """Each side's gain when each input swings to its low and high value, largest swings on top.

    Parameters
    ----------
    result : dict
        From ``negotiate.game.sensitivity.sensitivity``.
    ax : matplotlib Axes, optional
    top : int
        How many inputs to show, by rank.
    greyscale : bool
        Black and grey, the column party's bars hatched (prints in black and white; the report's charts).

    Notes
    -----
    Bars are changes of the gain over the threat point (at the predicted outcome) against the
    baseline: pale with the input at its low value, dark at its high value; one pair per side. Inputs marked * change the predicted terms, ** also the threat equilibrium or
    whether a zone of agreement exists.
    """
    entries = result["inputs"][:top]
    fig, ax = figure_and_axes(ax, (8.0, 0.42 * max(len(entries), 4) + 1.6))
    parties = result["parties"]
    base = result["baseline"]["gains"]
    y = np.arange(len(entries))[::-1]
    height = 0.38
    for k, party in enumerate(parties):
        offset = height / 2 if k == 0 else -height / 2
        low = [e["at_low"]["gains"][party] - base[party] for e in entries]
        high = [e["at_high"]["gains"][party] - base[party] for e in entries]
        if greyscale:
            style = {"hatch": "////" if k else None, "edgecolor": "black", "linewidth": 0.5}
            lo_style, hi_style = style | {"color": "0.8"}, style | {"color": "0.35"}
        else:
            lo_style, hi_style = {"color": COLOURS[k], "alpha": 0.35}, {"color": COLOURS[k], "alpha": 0.9}
        ax.barh(y + offset + height / 4, low, height=height / 2, label=f"{party}: input at its low value", **lo_style)
        ax.barh(y + offset - height / 4, high, height=height / 2, label=f"{party}: input at its high value", **hi_style)
    labels = []
    for e in entries:
        c = e["changes"]
        mark = "**" if c["predicted_terms"] and (c["threat_equilibrium"] or c["zopa_nonempty"]) else "*" if c["predicted_terms"] else ""
        labels.append(f"{_short(e['input'])}{mark}")
    ax.set_yticks(y, labels, fontsize=8)
    ax.axvline(0, color="black", linewidth=0.8)
    gains = ", ".join(f"{p} {base[p]:.2f}" for p in parties)
    ax.set_xlabel(f"change of the gain over the threat point (baseline gains: {gains})")
    ax.set_title("One-at-a-time swings (* changes the predicted terms; ** also the threat equilibrium or the zone)", fontsize=9)
    ax.legend(fontsize=7, loc="lower right")
    return fig


@plain_text
def sweep_heatmap(result: dict[str, Any], quantity: str = "gain", party: str | None = None, ax=None):
    """One outcome over a sweep's grid: a heat map for two grids, a line for one.

    Parameters
    ----------
    result : dict
        From ``negotiate.game.sweep.sweep``.
    quantity : {"gain", "zopa_size", "critical_discount", "terms"}
        What to show; ``gain`` needs ``party``. ``terms`` colours each predicted agreement (key in
        the result's ``agreements``).
    party : str, optional
    ax : matplotlib Axes, optional
    """
    fig, ax = figure_and_axes(ax, (6.0, 4.5))
    grids = result["grids"]
    points = result["points"]

    def value(p: dict) -> float:
        if quantity == "gain":
            return p["gains"][party]
        if quantity == "terms":
            return float(p["agreement"]) if p["agreement"] is not None else np.nan
        v = p[quantity]
        return np.nan if v is None else float(v)

    z = np.array([value(p) for p in points], float)
    title = {"gain": f"gain of {party} over the threat point", "zopa_size": "agreements in the zone",
             "critical_discount": "critical discount factor", "terms": "predicted agreement (#, see the key)"}[quantity]
    if len(grids) == 1:
        x = np.array(grids[0]["values"])
        if quantity == "terms":
            ax.scatter(x, z + 1, s=8, color="black")
            ax.set_yticks(range(1, len(result["agreements"]) + 1))
        else:
            ax.plot(x, z, color="black")
        ax.set_xlabel(grids[0]["path"])
        ax.set_ylabel(title)
    else:
        from matplotlib.colors import BoundaryNorm, ListedColormap

        x, y = np.array(grids[0]["values"]), np.array(grids[1]["values"])
        Z = z.reshape(len(x), len(y)).T
        if quantity == "terms":
            k = max(len(result["agreements"]), 1)
            palette = [f"C{i % 10}" for i in range(k)]
            mesh = ax.pcolormesh(x, y, Z, shading="nearest", cmap=ListedColormap(palette),
                                 norm=BoundaryNorm(np.arange(-0.5, k), k))
            bar = fig.colorbar(mesh, ax=ax, label=title, ticks=range(k))
            bar.ax.set_yticklabels([f"#{i + 1}" for i in range(k)])
        else:
            mesh = ax.pcolormesh(x, y, Z, shading="nearest", cmap="viridis")
            fig.colorbar(mesh, ax=ax, label=title)
        ax.set_xlabel(grids[0]["path"])
        ax.set_ylabel(grids[1]["path"])
    ax.set_title(title, fontsize=10)
    return fig


@plain_text
def sweep_figure(result: dict[str, Any]):
    """All of a sweep's outcomes in one figure: predicted agreement, zone size, critical discount, gains."""
    panels = [("terms", None), ("zopa_size", None), ("critical_discount", None)] + [("gain", p) for p in result["parties"]]
    fig, axes = new_figure((4.6 * len(panels), 4.2), ncols=len(panels))
    for ax, (quantity, party) in zip(axes, panels):
        sweep_heatmap(result, quantity, party, ax=ax)
    return fig
