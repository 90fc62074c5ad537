"""Installed versions of packages, for fit keys and provenance, without importing them."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

# This project's distribution on the package index ("negotiate" there is an unrelated project).
DISTRIBUTION = "negotiate-forecast"


def package_versions(*names: str) -> dict[str, str]:
    """``{name: version}`` from the installed distributions' metadata ('not installed' if absent).

    ``negotiate`` names this project, whose distribution is ``DISTRIBUTION``.
    """
    out = {}
    for name in names:
        try:
            out[name] = version(DISTRIBUTION if name == "negotiate" else name)
        except PackageNotFoundError:
            out[name] = "not installed"
    return out
