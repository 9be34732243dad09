"""Figure specifications: data to draw, each with its own ``draw()``.

Evidence and claims build these from numbers measured in the run (and theory curves
evaluated from the paper's definitions); reporting only calls ``draw()`` and saves the PNG.
matplotlib is imported when a figure is drawn, never on import.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

if TYPE_CHECKING:
    from matplotlib.figure import Figure as MplFigure


def pyplot() -> Any:
    """matplotlib's pyplot on the Agg backend (no display needed)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


@dataclass(frozen=True)
class Curve:
    """A theory curve: ``label`` drawn over ``x`` in the panel ``panel``."""

    label: str
    x: list[float]
    y: list[float]
    panel: str | None = None


@dataclass(frozen=True)
class Region:
    """A predicted range of the x axis, shaded (e.g. "mild pruning")."""

    label: str
    low: float
    high: float


@dataclass(frozen=True)
class SeriesPoint:
    """A measured mean with its 95% interval at one x, for one quantity and panel."""

    quantity: str
    x: float
    mean: float
    ci: tuple[float, float]
    panel: str | None = None


class Figure:
    """Base of figure specifications: ``name`` (file stem suffix) and ``draw()``."""

    name: str = "figure"

    def draw(self) -> MplFigure:
        raise NotImplementedError


@dataclass
class SeriesFigure(Figure):
    """Measured means with 95% CIs (markers) over theory curves (lines), panel by panel."""

    title: str
    x_label: str
    y_label: str
    points: list[SeriesPoint]
    theory: list[Curve] = field(default_factory=list)
    regions: list[Region] = field(default_factory=list)
    logx: bool = False
    logy: bool = False
    name: str = "series"

    def draw(self) -> MplFigure:
        plt = pyplot()
        panels = list(dict.fromkeys([p.panel for p in self.points]
                                    + [c.panel for c in self.theory])) or [None]
        fig, axes = plt.subplots(1, len(panels), figsize=(5.2 * len(panels), 3.8),
                                 squeeze=False)
        for ax, panel in zip(axes[0], panels):
            colors = {}
            for curve in (c for c in self.theory if c.panel == panel):
                (line,) = ax.plot(curve.x, curve.y, lw=1.6, label=f"theory: {curve.label}")
                colors[curve.label] = line.get_color()
            for q in dict.fromkeys(p.quantity for p in self.points):
                pts = sorted((p for p in self.points if p.quantity == q and p.panel == panel),
                             key=lambda p: p.x)
                if not pts:
                    continue
                x = np.array([p.x for p in pts])
                y = np.array([p.mean for p in pts], dtype=float)
                lo = np.array([p.ci[0] for p in pts], dtype=float)
                hi = np.array([p.ci[1] for p in pts], dtype=float)
                err = np.vstack([np.clip(y - lo, 0, None), np.clip(hi - y, 0, None)])
                err[~np.isfinite(err)] = 0
                ax.errorbar(x, y, yerr=err, fmt="o", ms=4, capsize=2, color=colors.get(q),
                            label=f"measured: {q}")
            for i, region in enumerate(self.regions):
                ax.axvspan(region.low, region.high, alpha=0.12, color=f"C{i + 3}",
                           label=f"predicted: {region.label}")
            ax.set_xscale("log" if self.logx else "linear")
            ax.set_yscale("log" if self.logy else "linear")
            ax.set_xlabel(self.x_label)
            ax.set_ylabel(self.y_label)
            if panel is not None:
                ax.set_title(str(panel), fontsize=9)
            ax.grid(alpha=0.3)
            ax.legend(fontsize=7)
        fig.suptitle(self.title, fontsize=10)
        fig.tight_layout()
        return fig


@dataclass
class HistogramFigure(Figure):
    """A histogram of standardized samples against the N(0, 1) density."""

    title: str
    samples: list[float]
    name: str = "histogram"

    def draw(self) -> MplFigure:
        from scipy import stats as sps

        plt = pyplot()
        fig, ax = plt.subplots(figsize=(5.2, 3.8))
        ax.hist(self.samples, bins=60, density=True, alpha=0.6, label="measured (standardized)")
        t = np.linspace(-4.5, 4.5, 400)
        ax.plot(t, sps.norm.pdf(t), "k", lw=1.5, label="N(0, 1)")
        ax.set_title(self.title, fontsize=10)
        ax.legend(fontsize=8)
        fig.tight_layout()
        return fig


@dataclass
class LogLogFigure(Figure):
    """Measured means on log-log axes with straight lines of the given slopes through their
    geometric centre (e.g. the fitted slope and the predicted exponent or bound)."""

    title: str
    x_label: str
    y_label: str
    x: list[float]
    y: list[float]
    slopes: list[tuple[str, float]]
    name: str = "loglog"

    def draw(self) -> MplFigure:
        plt = pyplot()
        x, y = np.asarray(self.x, float), np.asarray(self.y, float)
        fig, ax = plt.subplots(figsize=(5.2, 3.8))
        ax.loglog(x, y, "o", label="measured (mean over seeds)")
        if x.size and np.all(y > 0):
            gx, gy = np.exp(np.mean(np.log(x))), np.exp(np.mean(np.log(y)))
            for (label, slope), style in zip(self.slopes, ("-", "--", ":", "-.")):
                ax.loglog(x, gy * (x / gx) ** slope, style, label=f"{label} {slope:.3g}")
        ax.set_xlabel(self.x_label)
        ax.set_ylabel(self.y_label)
        ax.set_title(self.title, fontsize=10)
        ax.grid(alpha=0.3, which="both")
        ax.legend(fontsize=8)
        fig.tight_layout()
        return fig


@dataclass
class PhaseFigure(Figure):
    """A measured quantity over a grid (curve parameter ``by`` on x, swept parameter on y),
    with the measured transition and the predicted boundary."""

    title: str
    by_label: str
    swept_label: str
    value_label: str
    cells: list[tuple[float, float, float]]  # (by, swept, mean value)
    measured: list[tuple[float, float]] = field(default_factory=list)
    predicted: list[tuple[float, float]] = field(default_factory=list)
    name: str = "phase"

    def draw(self) -> MplFigure:
        plt = pyplot()
        bys = sorted({c[0] for c in self.cells})
        xs = sorted({c[1] for c in self.cells})
        grid = np.full((len(xs), len(bys)), np.nan)
        for by, x, value in self.cells:
            grid[xs.index(x), bys.index(by)] = value
        fig, ax = plt.subplots(figsize=(5.6, 4.2))
        mesh = ax.pcolormesh(_edges(bys), _edges(xs), grid, cmap="viridis", shading="flat")
        fig.colorbar(mesh, ax=ax, label=self.value_label)
        if self.measured:
            ax.plot(*zip(*self.measured), "wo-", label="measured transition")
        if self.predicted:
            ax.plot(*zip(*self.predicted), "r--", label="predicted boundary (named constants)")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel(self.by_label)
        ax.set_ylabel(self.swept_label)
        ax.set_title(self.title, fontsize=9)
        ax.legend(fontsize=7)
        fig.tight_layout()
        return fig


@dataclass(frozen=True)
class RegimePoint:
    """A simulated regime placed on a condition's plane; ``inside``: the condition holds."""

    x: float
    y: float
    label: str
    inside: bool


@dataclass
class RegimeFigure(Figure):
    """Simulated regimes (not measurements) on log-log axes, with a condition's boundary
    curves: where the regimes lie relative to the conditions of a claim."""

    title: str
    x_label: str
    y_label: str
    points: list[RegimePoint]
    boundary: list[Curve] = field(default_factory=list)
    name: str = "regimes"

    def draw(self) -> MplFigure:
        plt = pyplot()
        fig, ax = plt.subplots(figsize=(5.6, 4.2))
        for curve in self.boundary:
            ax.loglog(curve.x, curve.y, "k--", lw=1.2, label=curve.label)
        for inside, marker, what in ((True, "o", "inside"), (False, "x", "outside")):
            pts = [p for p in self.points if p.inside is inside]
            if pts:
                ax.loglog([p.x for p in pts], [p.y for p in pts], marker, ls="none",
                          label=f"simulated regimes {what} the conditions")
        ax.set_xlabel(self.x_label)
        ax.set_ylabel(self.y_label)
        ax.set_title(self.title, fontsize=9)
        ax.grid(alpha=0.3, which="both")
        ax.legend(fontsize=7)
        fig.tight_layout()
        return fig


@dataclass(frozen=True)
class Contour:
    """A condition's boundary on a plane: the zero level of ``z`` (rows along ``y``)."""

    label: str
    x: list[float]
    y: list[float]
    z: list[list[float]]


@dataclass
class ProbeFigure(Figure):
    """The regimes a probe judged on a plane of two of its axes, marked by verdict, with the
    conditions' boundaries and the counterexample (and its passing neighbour)."""

    title: str
    x_label: str
    y_label: str
    points: list[tuple[float, float, str]]  # (x, y, status)
    contours: list[Contour] = field(default_factory=list)
    counterexample: tuple[float, float] | None = None
    neighbour: tuple[float, float] | None = None
    logx: bool = False
    logy: bool = False
    name: str = "probe"

    STYLE = {"consistent": ("o", "tab:green"), "inconclusive": ("s", "tab:olive"),
             "inconsistent": ("x", "tab:red")}

    def draw(self) -> MplFigure:
        plt = pyplot()
        fig, ax = plt.subplots(figsize=(5.6, 4.2))
        for i, c in enumerate(self.contours):
            z = np.asarray(c.z, dtype=float)
            if np.nanmin(z) < 0 < np.nanmax(z):
                ax.contour(c.x, c.y, z, levels=[0.0], colors=[f"C{i}"], linestyles="--")
                ax.plot([], [], "--", color=f"C{i}", label=f"boundary: {c.label}")
        for status, (marker, color) in self.STYLE.items():
            pts = [(x, y) for x, y, s in self.points if s == status]
            if pts:
                ax.plot(*zip(*pts), marker, color=color, ls="none", alpha=0.8,
                        label=f"{status} ({len(pts)})")
        if self.counterexample is not None:
            ax.plot(*self.counterexample, "*", color="black", ms=14, ls="none",
                    label="counterexample")
        if self.neighbour is not None:
            ax.plot(*self.neighbour, "P", color="black", ms=9, ls="none",
                    label="passing neighbour")
        ax.set_xscale("log" if self.logx else "linear")
        ax.set_yscale("log" if self.logy else "linear")
        ax.set_xlabel(self.x_label)
        ax.set_ylabel(self.y_label)
        ax.set_title(self.title, fontsize=9)
        ax.grid(alpha=0.3, which="both")
        ax.legend(fontsize=7)
        fig.tight_layout()
        return fig


@dataclass(frozen=True)
class TrajectoryPanel:
    """One panel of a training-trajectory figure: the recorded series ``key``; a per-class
    list is folded by ``reduce`` (e.g. the weakest class: ``"min"``)."""

    key: str
    label: str
    scale: Literal["linear", "log", "symlog"] = "linear"
    reduce: Literal["min", "max", "mean"] | None = None


@dataclass
class TrajectoryFigure(Figure):
    """Recorded training trajectories (one line per run), one panel per ``TrajectoryPanel``."""

    title: str
    panels: Sequence[TrajectoryPanel]
    runs: list[tuple[str, list[int], dict[str, list[Any]]]]  # (label, steps, series)
    name: str = "trajectories"

    def draw(self) -> MplFigure:
        plt = pyplot()
        fig, axes = plt.subplots(1, len(self.panels), figsize=(4 * len(self.panels), 3.6),
                                 squeeze=False)
        reducers = {"min": min, "max": max, "mean": lambda v: sum(v) / len(v)}
        for label, steps, series in self.runs:
            for ax, panel in zip(axes[0], self.panels):
                values = series.get(panel.key)
                if not values:
                    continue
                if panel.reduce is not None:
                    values = [reducers[panel.reduce](v) for v in values]
                ax.plot(steps, values, label=label)
        for ax, panel in zip(axes[0], self.panels):
            ax.set_xlabel("GD step")
            ax.set_title(panel.label, fontsize=9)
            ax.set_yscale(panel.scale)
        axes[0][0].legend(fontsize=7)
        fig.suptitle(self.title, fontsize=10)
        fig.tight_layout()
        return fig


def _edges(values: list[float]) -> np.ndarray:
    """Cell edges (geometric midpoints) around sorted positive values."""
    v = np.asarray(values, float)
    if v.size == 1:
        return np.array([v[0] / 1.5, v[0] * 1.5])
    mids = np.sqrt(v[:-1] * v[1:])
    return np.concatenate([[v[0] ** 2 / mids[0]], mids, [v[-1] ** 2 / mids[-1]]])
