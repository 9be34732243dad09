"""Theory of pruning papers: symbols, conditions, claims and closed forms.

Imports sympy, numpy and scipy only (never torch), so regime queries stay instant.
"""
