"""The game a scenario implies: posture game, equilibria (``algorithms/``), bargaining, Monte Carlo.

May import ``negotiate.scenario`` and the shared helpers; never evidence, record or report.
"""
