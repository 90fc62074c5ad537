"""Figures (matplotlib). Each function takes ``ax=None`` and returns the figure; none switches the backend."""

from __future__ import annotations

from negotiate.evidence.forecast import UpdateResult
from negotiate.report.figures import figure_and_axes, plain_text


@plain_text
def plot_reliability(table: list[dict], ax=None, title: str = "Reliability of the deal model"):
    """Observed frequency against mean forecast per bin; marker area shows the count.

    Parameters
    ----------
    table : list of dict
        From ``negotiate.record.scoring.reliability``.
    ax : matplotlib Axes, optional
    """
    fig, ax = figure_and_axes(ax, (5.5, 5.0))
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


COOPERATIVE = {"agree", "consult", "support", "concede", "cooperate", "aid", "retreat"}


@plain_text
def plot_path(update: UpdateResult, ax=None):
    """The model's P(deal) after each day's events, with its 5-95% band over parameter draws; events marked.

    Parameters
    ----------
    update : UpdateResult
        The result of ``negotiate update --json``.
    """
    import datetime as dt

    fig, ax = figure_and_axes(ax, (10.5, 4.6))
    path = update["path"]
    prior = update["prior"]
    if not path:
        ax.axhline(prior["mean"], color="black")
        ax.text(0.5, 0.5, "no events in the ledger yet", transform=ax.transAxes, ha="center")
    else:
        days = [dt.date.fromisoformat(p["date"]) for p in path]
        ps = [p["p_deal"] for p in path]
        lo = [p["interval"][0] for p in path]
        hi = [p["interval"][1] for p in path]
        as_of = dt.date.fromisoformat(update["scenario"]["as_of"])
        # the line starts where the model stands before any event, and runs on to the as-of date
        start = days[0] - max(dt.timedelta(days=3), (as_of - days[0]) / 20)
        p_start = ps[0] - path[0]["change"]
        ax.fill_between(days + [as_of], lo + lo[-1:], hi + hi[-1:], step="post", color="0.85",
                        label="posterior uncertainty (5–95% of draws)")
        ax.step([start] + days + [as_of], [p_start] + ps + ps[-1:], where="post", color="black", linewidth=1.5,
                label="model's P(deal by the deadline)")
        ax.plot(start, p_start, marker="o", color="black", markersize=4, linestyle="none",
                label=f"before any event {p_start:.0%}")
        for day, p, point in zip(days, ps, path):
            coop = sum(t in COOPERATIVE for t in point["types"]) >= len(point["types"]) / 2
            ax.plot(day, p, marker="^" if coop else "v", color="white" if coop else "black",
                    markeredgecolor="black", markersize=7, linestyle="none", zorder=3)
        # number the days that moved P(deal) by 5 points or more; the key beside the chart names them
        big = [(day, p, point) for day, p, point in zip(days, ps, path) if abs(point["change"]) >= 0.05]
        key = []
        for k, (day, p, point) in enumerate(big, 1):
            ax.annotate(str(k), (day, p), textcoords="offset points", xytext=(0, 8 if point["change"] > 0 else -14),
                        ha="center", fontsize=7, fontweight="bold")
            types = ", ".join(dict.fromkeys(point["types"]))
            key.append(f"{k}  {day:%d %b}  {types} {point['change'] * 100:+.0f}")
        if key:
            ax.text(1.02, 1.0, "Moves of 5 points or more\n" + "\n".join(key), transform=ax.transAxes, va="top",
                    ha="left", fontsize=7, family="monospace")
        ax.plot([], [], marker="^", color="white", markeredgecolor="black", linestyle="none", label="cooperative events")
        ax.plot([], [], marker="v", color="black", linestyle="none", label="conflictual events")
    if prior["deal_probability"] is None:
        prior_label = f"model's P with no events {prior['mean']:.0%}"
    else:
        prior_label = f"{'game' if prior['source'] == 'game' else 'your'} prior {prior['mean']:.0%}"
    ax.axhline(prior["mean"], color="0.4", linestyle=":", linewidth=1, label=prior_label)
    deadline = dt.date.fromisoformat(update["scenario"]["deadline"])
    ax.axvline(deadline, color="black", linestyle="--", linewidth=1, label=f"deadline {deadline:%d %b %Y}")
    ax.set_ylim(0, 1)
    ax.set_ylabel("P(deal by the deadline)")
    ax.set_xlabel("date of the events (UTC)")
    ax.set_title("The model's P(deal) after each day's events")
    # beside the chart, below the key of big moves: inside, it would hide the top of the band
    ax.legend(loc="lower left", bbox_to_anchor=(1.02, 0.0), fontsize=7, frameon=False)
    fig.autofmt_xdate()
    return fig


@plain_text
def plot_payoffs(solution: dict, axes=None):
    """Heat maps of both parties' payoffs in the posture game (rows: first party's strategies).

    Parameters
    ----------
    solution : dict
        The result of ``negotiate solve --json``.
    axes : pair of Axes, optional
    """
    import numpy as np

    g = solution["game"]
    row, col = g["row_party"], g["column_party"]
    m, n = g["shape"]
    if axes is None:
        # one panel above the other, each the full width: numbers and labels stay legible at page size
        from matplotlib.figure import Figure

        fig = Figure(figsize=(min(6 + 0.75 * n, 16), 2 * (1.8 + 0.42 * m)), layout="constrained")
        axes = fig.subplots(2, 1)
    else:
        fig = axes[0].figure
    cell_font = 10 if n <= 10 else 8 if n <= 20 else 0  # beyond 20 columns numbers would overlap: colours only
    for ax, party in zip(axes, (row, col)):
        M = np.array(g["payoffs"][party])
        image = ax.imshow(M, cmap="Greys", aspect="auto")
        if cell_font:
            for (i, j), v in np.ndenumerate(M):
                shade = (v - M.min()) / ((M.max() - M.min()) or 1)
                ax.text(j, i, f"{v:.1f}", ha="center", va="center", fontsize=cell_font,
                        color="white" if shade > 0.55 else "black")
        ax.set_xticks(range(n), [_label(s) for s in g["strategies"][col]], rotation=30, ha="right", fontsize=9)
        ax.set_yticks(range(m), [_label(s) for s in g["strategies"][row]], fontsize=9)
        ax.set_xlabel(f"{col}'s strategy", fontsize=10)
        ax.set_ylabel(f"{row}'s strategy", fontsize=10)
        ax.set_title(f"Payoff to {party} (change against the status quo; darker is higher)", fontsize=11)
        fig.colorbar(image, ax=ax, shrink=0.9)
    return fig


def _label(strategy: str) -> str:
    """'impose 100 + expand': option names read as words (underscores are for files)."""
    return strategy.replace("_", " ")


@plain_text
def plot_frontier(solution: dict, ax=None):
    """Agreements' payoffs, the bargaining frontier, the threat point, Nash and Kalai-Smorodinsky."""
    import numpy as np

    fig, ax = figure_and_axes(ax, (8.5, 5.5))
    g = solution["game"]
    row, col = g["row_party"], g["column_party"]
    A, B = np.array(g["payoffs"][row]), np.array(g["payoffs"][col])
    ax.scatter(A.ravel(), B.ravel(), s=12, color="0.6", label="agreements (one option per lever)")
    front = solution["hull_frontier"]
    if front:
        ax.plot([a["payoffs"][row] for a in front], [a["payoffs"][col] for a in front], color="black", linewidth=1,
                label="bargaining frontier (lotteries)")
    t = solution["threat_point"]["payoffs"]
    ax.scatter([t[row]], [t[col]], marker="s", s=60, facecolor="white", edgecolor="black", zorder=3, label="threat point")
    ax.axvline(t[row], color="0.7", linewidth=0.8, linestyle=":")
    ax.axhline(t[col], color="0.7", linewidth=0.8, linestyle=":")
    nb = solution["nash_bargaining"]
    marked = [(t[row], t[col])] + [(a["payoffs"][row], a["payoffs"][col]) for a in front]
    if nb and nb.get("payoffs"):
        ax.scatter([nb["payoffs"][row]], [nb["payoffs"][col]], marker="*", s=180, color="black", zorder=4,
                   label="Nash bargaining (pure)")
        marked.append((nb["payoffs"][row], nb["payoffs"][col]))
    if nb and nb.get("hull"):
        h = nb["hull"]["payoffs"]
        # a wide ring: where it falls on the pure solution the star still shows inside it
        ax.scatter([h[row]], [h[col]], marker="o", s=320, facecolor="none", edgecolor="black", linewidth=1.2, zorder=5,
                   label="Nash bargaining (lotteries)")
        marked.append((h[row], h[col]))
    ks = solution["kalai_smorodinsky"]
    if ks:
        ax.scatter([ks["payoffs"][row]], [ks["payoffs"][col]], marker="D", s=50, facecolor="white", edgecolor="black",
                   zorder=4, label="Kalai-Smorodinsky")
        marked.append((ks["payoffs"][row], ks["payoffs"][col]))
    # zoom on what bargaining is about: the threat point, the frontier and the solutions
    xs, ys = np.array(marked).T
    pad_x, pad_y = 0.15 * ((xs.max() - xs.min()) or 1.0), 0.15 * ((ys.max() - ys.min()) or 1.0)
    box = (xs.min() - pad_x, xs.max() + pad_x, ys.min() - pad_y, ys.max() + pad_y)
    ax.set_xlim(box[0], box[1])
    ax.set_ylim(box[2], box[3])
    outside = int(((box[0] > A) | (box[1] < A) | (box[2] > B) | (box[3] < B)).sum())
    if outside:
        ax.text(0.01, 0.01, f"{outside} of {A.size} agreements lie outside this view (each worse than the threat point for a side)",
                transform=ax.transAxes, fontsize=7, color="0.3", va="bottom")
    ax.set_xlabel(f"payoff to {row}")
    ax.set_ylabel(f"payoff to {col}")
    ax.set_title("Agreements and the bargaining frontier")
    ax.legend(fontsize=7, frameon=False, loc="upper left", bbox_to_anchor=(1.02, 1.0))
    return fig
