"""Bayesian models of P(deal by the deadline) (PyMC, imported lazily). Imports negotiate, never cli."""
