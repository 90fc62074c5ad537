"""negotiate: scenario, game solution, P(deal), evidence updating and scoring.

Rooms, from the top layer down (a layer may import only the layers below it; an import-linter
contract in pyproject.toml enforces this):

- ``cli``       the `negotiate` command (click); nothing else imports click.
- ``models``    the deal models (PyMC); nothing below imports PyMC.
- ``report``    renders results: the text of ``solve``, charts, the HTML/Markdown/JSON report.
- ``record``    the track record of forecasts (SQLite) and their scores.
- ``game``      the posture game, equilibria and their algorithms, bargaining, Monte Carlo.
- ``evidence``  the event catalogue, ledgers, importers, the reference class, forecast result types.
- ``scenario``  the scenario file: schema, loading, cross-checks, the starter template.
- shared helpers: ``errors``, ``fileio`` (locks, atomic writes), ``yamlsource``, ``versions``, ``dates``.
"""
