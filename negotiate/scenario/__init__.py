"""The scenario file: pydantic schema, loading with file:line messages, cross-checks, starter template.

May import the shared helpers (``negotiate.errors``, ``fileio``, ``yamlsource``, ``dates``) only.
"""
