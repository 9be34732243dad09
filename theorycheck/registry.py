"""Installed papers, found through the entry-point group ``theorycheck.papers``.

A distribution registers a paper in its ``pyproject.toml``::

    [project.entry-points."theorycheck.papers"]
    mykey = "mypackage:PAPER"

where ``PAPER`` is a :class:`theorycheck.paper.Paper` whose ``key`` is ``mykey``. The built-in
papers register the same way. Nothing here imports a paper until it is asked for.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib.metadata import EntryPoint, entry_points

from theorycheck.paper import Paper

GROUP = "theorycheck.papers"


@dataclass(frozen=True)
class InstalledPaper:
    """An installed paper's key, the distribution that provides it and its entry point."""

    key: str
    distribution: str
    target: str


def _entry_points() -> dict[str, EntryPoint]:
    found: dict[str, EntryPoint] = {}
    for ep in entry_points(group=GROUP):
        found.setdefault(ep.name, ep)
    return found


def installed() -> list[InstalledPaper]:
    """Every installed paper, sorted by key."""
    out = []
    for key, ep in sorted(_entry_points().items()):
        dist = f"{ep.dist.name} {ep.dist.version}" if ep.dist is not None else "?"
        out.append(InstalledPaper(key, dist, ep.value))
    return out


def papers() -> list[str]:
    """The keys of the installed papers."""
    return sorted(_entry_points())


@cache
def _load(key: str) -> Paper:
    obj = _entry_points()[key].load()
    if not isinstance(obj, Paper):
        raise ValueError(f"the entry point of paper {key!r} must be a theorycheck.paper.Paper, "
                         f"got {type(obj).__name__}")
    if obj.key != key:
        raise ValueError(f"the entry point {key!r} loads a paper whose key is {obj.key!r}")
    return obj


def get_paper(paper: str | Paper) -> Paper:
    """The installed paper ``paper`` (or ``paper`` itself when it is a Paper object);
    ValueError listing the installed keys for an unknown one."""
    if isinstance(paper, Paper):
        return paper
    if not isinstance(paper, str) or paper not in _entry_points():
        raise ValueError(f"paper must be one of the installed papers {papers()}, got {paper!r}")
    return _load(paper)
