"""Equilibrium algorithms for bimatrix games: one algorithm a module, pure functions over arrays."""
