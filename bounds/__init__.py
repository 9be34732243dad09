"""Theory of pruning papers: symbols, conditions, claims and closed forms (sympy/numpy/scipy only)."""
