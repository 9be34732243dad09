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
from theorycheck.params import described

GROUP = "theorycheck.papers"


class PluginError(ValueError):
    """An installed paper that cannot be used: its key registered by two distributions, its
    entry point failing to load, or loading something that is not its Paper. The message is
    one line naming the paper and the distribution(s)."""


@dataclass(frozen=True)
class InstalledPaper:
    """An installed paper's key, the distribution that provides it and its entry point
    (for a key two distributions register: both, joined by `` and ``)."""

    key: str
    distribution: str
    target: str


def _distribution(ep: EntryPoint) -> str:
    """``name version`` of the distribution that provides ``ep``."""
    return f"{ep.dist.name} {ep.dist.version}" if ep.dist is not None else "?"


def _entry_points() -> dict[str, list[EntryPoint]]:
    """Every key of the group with the entry points registering it (one unless duplicated;
    the same distribution seen twice on the path counts once)."""
    found: dict[str, list[EntryPoint]] = {}
    for ep in entry_points(group=GROUP):
        known = found.setdefault(ep.name, [])
        if all((_distribution(e), e.value) != (_distribution(ep), ep.value) for e in known):
            known.append(ep)
    return found


def _duplicate_error(key: str, eps: list[EntryPoint]) -> PluginError:
    providers = " and ".join(f"{_distribution(ep)} ({ep.value})" for ep in eps)
    return PluginError(f"paper {key!r} is registered by {len(eps)} distributions: {providers}; "
                       "uninstall one of them (no paper is used under a shared key)")


def installed() -> list[InstalledPaper]:
    """Every installed paper, sorted by key."""
    return [InstalledPaper(key, " and ".join(_distribution(ep) for ep in eps),
                           " and ".join(ep.value for ep in eps))
            for key, eps in sorted(_entry_points().items())]


def papers() -> list[str]:
    """The keys of the installed papers."""
    return sorted(_entry_points())


@cache
def _load(key: str, ep: EntryPoint) -> Paper:
    try:
        obj = ep.load()
    except Exception as err:  # noqa: BLE001 - any failure of plugin code: named, one line
        raise PluginError(f"paper {key!r} ({_distribution(ep)}, entry point {ep.value}) "
                          f"failed to load: {described(err)}") from err
    if not isinstance(obj, Paper):
        raise PluginError(f"the entry point of paper {key!r} must be a theorycheck.paper.Paper, "
                          f"got {type(obj).__name__} ({_distribution(ep)}, {ep.value})")
    if obj.key != key:
        raise PluginError(f"the entry point {key!r} loads a paper whose key is {obj.key!r} "
                          f"({_distribution(ep)}, {ep.value})")
    return obj


def get_paper(paper: str | Paper) -> Paper:
    """The installed paper ``paper`` (or ``paper`` itself when it is a Paper object);
    ValueError listing the installed keys for an unknown one; PluginError for a key two
    distributions register or a plugin that fails to load."""
    if isinstance(paper, Paper):
        return paper
    found = _entry_points()
    if not isinstance(paper, str) or paper not in found:
        raise ValueError(f"paper must be one of the installed papers {sorted(found)}, "
                         f"got {paper!r}")
    eps = found[paper]
    if len(eps) > 1:
        raise _duplicate_error(paper, eps)
    return _load(paper, eps[0])
