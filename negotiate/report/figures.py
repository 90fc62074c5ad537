"""New matplotlib figures that leave the user's backend and pyplot state alone.

A ``matplotlib.figure.Figure`` made directly (not through pyplot) belongs to no window manager:
it is freed with its last reference, saves to any format, and shows inline in Jupyter when returned.
So the library never calls ``matplotlib.use`` and works the same in a terminal and a notebook.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any


def plain_text[F: Callable[..., Any]](func: F) -> F:
    """Draw with every text taken literally: a '$' in a scenario's names is a dollar sign, not the start
    of matplotlib's math notation (which fails on text such as '$\\x$'). The user's settings are restored."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        import matplotlib

        with matplotlib.rc_context({"text.parse_math": False}):
            return func(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def new_figure(figsize: tuple[float, float], ncols: int = 1) -> tuple[Any, Any]:
    """A figure of ``ncols`` axes side by side; returns ``(figure, axes)`` (one Axes or an array)."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=figsize, layout="constrained")
    return fig, fig.subplots(1, ncols)


def figure_and_axes(ax: Any, figsize: tuple[float, float]) -> tuple[Any, Any]:
    """The figure of ``ax``, or a new figure with one Axes when ``ax`` is None."""
    if ax is None:
        return new_figure(figsize)
    return ax.figure, ax
