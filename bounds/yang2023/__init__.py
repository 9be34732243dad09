"""Theory of paper ``yang2023`` (Yang et al., ICLR 2023: random pruning before training).

Modules: ``symbols`` (regime symbols, named constants and their defaults, validation),
``conditions`` (D4/D5/D6 relations, ``classify``, D4 predictions), ``orders`` (S2/S3 orders,
D1/D2/D5 derived orders, sympy exponents). Provenance: ``docs/derivations/yang2023.md``.
"""
