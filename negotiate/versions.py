"""Installed versions of packages, for fit keys and provenance, without importing them."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version


def package_versions(*names: str) -> dict[str, str]:
    """``{name: version}`` from the installed distributions' metadata ('not installed' if absent)."""
    out = {}
    for name in names:
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = "not installed"
    return out
