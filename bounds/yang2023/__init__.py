"""Paper ``yang2023`` (Yang, Liang, Guo, Wu, Wang, arXiv 2301.00335, 2023): random pruning at
initialization of a two-layer network, and its effect on generalization.

A theorycheck paper plugin (entry point ``theorycheck.papers: yang2023``). Modules: ``model``
(the typed network config: defaults, step size, chance level), ``symbols`` (sympy symbols,
named constants and their defaults), ``conditions`` (D4/D5/D6 relations, ``classify``, D4
predictions), ``orders`` (S2/S3 orders, D1/D2/D5 derived orders, sympy exponents),
``plan`` (the cheapest network inside the theorem's conditions), ``claims``, ``query``,
``budgets``, ``measurements`` (the simulator, imported only when a measurement runs) and
``probes`` (S1 and S5 tested regime by regime near the D4 / D5 boundaries).
Provenance: ``docs/derivations/yang2023.md``.
"""

from theorycheck.paper import Paper

from . import claims, measurements, model, plan, probes, query

CITATION = (
    "Yang, Liang, Guo, Wu, Wang, \"Theoretical Characterization of How Neural Network Pruning "
    "Affects its Generalization\", arXiv 2301.00335 (2023; an ICLR 2023 submission that was "
    "not accepted), extended as \"Random Pruning Over-parameterized Neural Networks Can "
    "Improve Generalization: A Training Dynamics Analysis\", JMLR 26(84), 2025. The project "
    "has the abstract and a few sentences of the main theorem: claims tagged `paper` are "
    "those statements; `derived` ones are our reconstruction in the framework of Cao, Chen, "
    "Belkin, Gu (NeurIPS 2022), docs/derivations/yang2023.md.")

PAPER = Paper(
    key="yang2023",
    title="yang2023: random pruning at initialization of a two-layer network",
    citation=CITATION,
    claims=claims.claims,
    measurements=measurements.MEASUREMENTS,
    query=query.query,
    plan=plan.plan,
    query_parameters=query.PARAMETERS,
    probes=probes.probes,
    invariances=model.canonical,
)

__all__ = ["PAPER"]
