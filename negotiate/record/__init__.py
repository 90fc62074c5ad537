"""The track record: forecasts and resolutions in SQLite, and their scores (Brier, log, reliability).

May import ``negotiate.evidence``, ``negotiate.scenario`` and the shared helpers; never game or report.
"""
