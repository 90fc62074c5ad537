"""The one parser of calendar dates (``YYYY-MM-DD``) used by every reader of files and flags."""

from __future__ import annotations

import datetime as dt
from typing import Any


def parse_date(value: Any) -> dt.date:
    """A ``datetime.date`` from a date, a datetime or an ISO ``YYYY-MM-DD`` string.

    Raises
    ------
    ValueError
        With the message ``found '...'; expected a date as YYYY-MM-DD``.
    """
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    shown = value if isinstance(value, str) else ("" if value is None else str(value))
    raise ValueError(f"found {shown!r}; expected a date as YYYY-MM-DD")
