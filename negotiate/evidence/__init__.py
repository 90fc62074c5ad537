"""Evidence: the event catalogue, ledgers, importers (GDELT, ICEWS, POLECAT), the reference class,
country codes, and the typed results of a forecast that ``models`` returns and ``report`` reads.

May import ``negotiate.scenario`` and the shared helpers; never game, record or report.
"""
