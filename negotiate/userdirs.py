"""Where negotiate keeps a user's own files: the platform's per-user data directory, or ``$NEGOTIATE_DATA``.

Nothing is ever written inside the installed package (site-packages may be read-only, and is replaced
by the next install): what a user adds lives here.
"""

from __future__ import annotations

import os
from pathlib import Path


def data_dir() -> Path:
    """``$NEGOTIATE_DATA``, else the user data directory (``~/.local/share/negotiate`` on Linux)."""
    if os.environ.get("NEGOTIATE_DATA"):
        return Path(os.environ["NEGOTIATE_DATA"])
    import platformdirs

    return platformdirs.user_data_path("negotiate", appauthor=False)
