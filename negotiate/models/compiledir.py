"""A writable compile directory for PyTensor before it is imported.

PyTensor compiles C code into ``~/.pytensor`` and fails at import when that cannot be created (a
read-only or missing home directory, as in some containers and CI runners), even when the fits go to a
writable directory. This points it at a writable directory instead, unless the user configured one.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path


def _writable(directory: Path) -> bool:
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError:
        return False
    return os.access(directory, os.W_OK | os.X_OK)


def ensure_compiledir() -> Path | None:
    """Set PyTensor's ``base_compiledir`` to a writable directory when its default is not writable.

    Returns the directory chosen, or None when nothing was changed (PyTensor already imported, the
    user's own setting, or a writable default).
    """
    flags = os.environ.get("PYTENSOR_FLAGS", "")
    if "pytensor" in sys.modules or "compiledir" in flags or os.environ.get("PYTENSORRC"):
        return None
    if _writable(Path.home() / ".pytensor"):
        return None
    from platformdirs import user_cache_dir

    candidates = [Path(user_cache_dir("negotiate")) / "pytensor",
                  Path(tempfile.gettempdir()) / f"negotiate-pytensor-{os.getuid() if hasattr(os, 'getuid') else 0}"]
    for directory in candidates:
        if _writable(directory):
            os.environ["PYTENSOR_FLAGS"] = ",".join(filter(None, [flags, f"base_compiledir={directory}"]))
            return directory
    return None
