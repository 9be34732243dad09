"""Figure specifications: data to draw, each with its own ``draw()``.

Evidence and claims build these from numbers measured in the run (and theory curves
evaluated from the paper's definitions); reporting only calls ``draw()`` and saves the PNG.
matplotlib is imported when a figure is drawn, never on import.

Every figure is laid out the same way (``finish``): its title wrapped to the figure's width,
one legend below the axes, log axes labelled at a few round values, and tick labels thinned
until no two overlap; markers keep a margin from the axes' edges.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.axis import Axis
    from matplotlib.figure import Figure as MplFigure

TITLE_SIZE = 10
PANEL_SIZE = 9
LEGEND_SIZE = 8
MARGIN = 0.08  # of the axes' data range (log range on log axes), left free around markers


def pyplot() -> Any:
    """matplotlib's pyplot on the Agg backend (no display needed)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def wrap(text: str, width_in: float, fontsize: float) -> str:
    """``text`` wrapped into lines that fit ``width_in`` inches at ``fontsize`` points."""
    chars = max(12, int(width_in * 72 / (0.62 * fontsize)))
    return "\n".join(textwrap.wrap(text, chars)) or text


def subplots(panels: int, size: tuple[float, float], columns: int = 2
             ) -> tuple[MplFigure, list[Axes]]:
    """A constrained-layout figure of ``panels`` axes, ``columns`` to a row, each about
    ``size`` inches."""
    cols = max(1, min(columns, panels))
    rows = math.ceil(panels / cols)
    fig, grid = pyplot().subplots(rows, cols, figsize=(size[0] * cols, size[1] * rows),
                                  squeeze=False, layout="constrained")
    axes = list(grid.flat)
    for extra in axes[panels:]:
        fig.delaxes(extra)
    return fig, axes[:panels]


def tick_text(value: float, _pos: Any = None, powers: bool = False) -> str:
    """A tick label: plain digits for ordinary magnitudes, a x 10^k otherwise (always 10^k
    with ``powers``, for axes labelled at powers of ten only)."""
    if value == 0 or (not powers and 1e-3 <= abs(value) < 1e5):
        return f"{value:g}"
    exponent = math.floor(math.log10(abs(value)) + 1e-9)
    mantissa = value / 10 ** exponent
    if abs(mantissa - round(mantissa)) < 1e-6 and round(mantissa) == 1:
        return f"$10^{{{exponent}}}$"
    return f"${mantissa:.2g}\\times10^{{{exponent}}}$"


def log_subs(low: float, high: float) -> tuple[float, ...]:
    """Where in each decade a log axis spanning [low, high] is labelled: every digit over
    less than half a decade, 1-2-5 over up to two decades, the powers of ten beyond."""
    decades = math.log10(high / low) if low > 0 and high > low else 0.0
    if decades <= 0.5:
        return tuple(float(d) for d in range(1, 10))
    return (1.0, 2.0, 5.0) if decades <= 2 else (1.0,)


def tidy_ticks(ax: Axes) -> None:
    """Round-valued, compact tick labels on the log and symlog axes of ``ax``; minor ticks
    unlabelled."""
    from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

    for axis, limits in ((ax.xaxis, ax.get_xlim()), (ax.yaxis, ax.get_ylim())):
        scale = axis.get_scale()
        subs = log_subs(min(limits), max(limits)) if scale == "log" else (1.0,)
        if scale == "log":
            axis.set_major_locator(LogLocator(base=10, subs=subs))
        if scale in ("log", "symlog"):
            powers = scale == "symlog" or (subs == (1.0,) and max(limits) / min(limits) > 1e3)
            axis.set_major_formatter(FuncFormatter(partial(tick_text, powers=powers)))
            axis.set_minor_formatter(NullFormatter())


def overlapping(labels: Sequence[Any], renderer: Any, pad: float = 2.0) -> bool:
    """Whether any two of the text artists ``labels`` overlap (``pad`` pixels apart at
    least)."""
    boxes = [t.get_window_extent(renderer).padded(pad / 2) for t in labels
             if t.get_visible() and t.get_text()]
    return any(a.overlaps(b) for i, a in enumerate(boxes) for b in boxes[i + 1:])


def thin(axis: Axis) -> None:
    """Keep every other labelled tick of ``axis`` (first and last kept); with two or fewer
    left, slant the x labels instead."""
    from matplotlib.ticker import FixedLocator

    low, high = sorted(axis.get_view_interval())
    locs = [v for v in axis.get_majorticklocs() if low <= v <= high]
    if len(locs) > 2:
        kept = locs[::2] if len(locs) % 2 else [*locs[:-1:2], locs[-1]]
        axis.set_major_locator(FixedLocator(kept))
    elif axis.axis_name == "x":
        axis.set_tick_params(labelrotation=30)
        for label in axis.get_ticklabels():
            label.set_horizontalalignment("right")
    else:
        axis.set_major_locator(FixedLocator(locs[:1]))


def declutter(fig: MplFigure, rounds: int = 6) -> None:
    """Thin the tick labels of every axis of ``fig`` until no two overlap."""
    for _ in range(rounds):
        fig.canvas.draw()
        renderer = fig.canvas.get_renderer()
        crowded = [axis for ax in fig.axes for axis in (ax.xaxis, ax.yaxis)
                   if overlapping(axis.get_ticklabels(), renderer)]
        if not crowded:
            return
        for axis in crowded:
            thin(axis)


def keep_margins(ax: Axes) -> None:
    """Leave ``MARGIN`` free around everything drawn, contour and mesh edges included."""
    ax.use_sticky_edges = False
    ax.margins(MARGIN)
    ax.autoscale_view()


def legend_below(fig: MplFigure, axes: Iterable[Axes]) -> None:
    """One legend under the axes for every labelled artist of ``axes`` (each label once),
    in as many columns as fit the figure's width; the figure grows by the legend's height."""
    entries: dict[str, Any] = {}
    for ax in axes:
        handles, labels = ax.get_legend_handles_labels()
        for handle, label in zip(handles, labels):
            entries.setdefault(label, handle)
    if not entries:
        return
    width = fig.get_figwidth()
    line = int(width * 72 / (0.55 * LEGEND_SIZE))
    labels = [wrap(label, width * 0.8, LEGEND_SIZE) for label in entries]
    longest = max(len(part) for label in labels for part in label.splitlines())
    ncols = max(1, min(len(labels), line // (longest + 8)))
    rows = math.ceil(len(labels) / ncols) * max(label.count("\n") + 1 for label in labels)
    fig.set_figheight(fig.get_figheight() + 1.6 * LEGEND_SIZE / 72 * rows)
    fig.legend(list(entries.values()), labels, loc="outside lower center", ncols=ncols,
               fontsize=LEGEND_SIZE, frameon=False)


def finish(fig: MplFigure, axes: Sequence[Axes], title: str) -> MplFigure:
    """Title (wrapped), legend below, tidy log ticks and no overlapping tick labels."""
    fig.suptitle(wrap(title, fig.get_figwidth(), TITLE_SIZE), fontsize=TITLE_SIZE)
    legend_below(fig, axes)
    for ax in fig.axes:
        tidy_ticks(ax)
    declutter(fig)
    return fig


def panel_title(ax: Axes, text: str) -> None:
    """A panel's title, wrapped to the panel's width."""
    width = ax.get_figure().get_figwidth() * ax.get_position().width
    ax.set_title(wrap(text, width, PANEL_SIZE), fontsize=PANEL_SIZE)


def palette(labels: Iterable[str]) -> dict[str, str]:
    """One colour per label, in order of first appearance (a theory curve and the measured
    quantity of the same name share theirs)."""
    return {label: f"C{i % 10}" for i, label in enumerate(dict.fromkeys(labels))}


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


def error_bars(points: Sequence[SeriesPoint]) -> np.ndarray:
    """The (below, above) lengths of the points' intervals, 0 where not finite."""
    y = np.array([p.mean for p in points], dtype=float)
    lo = np.array([p.ci[0] for p in points], dtype=float)
    hi = np.array([p.ci[1] for p in points], dtype=float)
    err = np.vstack([np.clip(y - lo, 0, None), np.clip(hi - y, 0, None)])
    err[~np.isfinite(err)] = 0
    return err


@dataclass
class SeriesFigure(Figure):
    """Measured means with 95% CIs (markers) over theory curves (lines), panel by panel.
    A panel measured at a single x shows one column per quantity (a point with its
    interval) instead of a near-empty axis."""

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
        panels = list(dict.fromkeys([p.panel for p in self.points]
                                    + [c.panel for c in self.theory])) or [None]
        fig, axes = subplots(len(panels), (5.2, 3.8))
        colors = palette([c.label for c in self.theory] + [p.quantity for p in self.points])
        for ax, panel in zip(axes, panels):
            points = [p for p in self.points if p.panel == panel]
            curves = [c for c in self.theory if c.panel == panel]
            if len({p.x for p in points}) == 1 and all(len(set(c.x)) <= 1 for c in curves):
                self.draw_one_x(ax, points, curves, colors)
            else:
                self.draw_sweep(ax, points, curves, colors)
            ax.set_yscale("log" if self.logy else "linear")
            ax.set_ylabel(self.y_label)
            if panel is not None:
                panel_title(ax, str(panel))
            ax.grid(alpha=0.3)
        return finish(fig, axes, self.title)

    def draw_sweep(self, ax: Axes, points: list[SeriesPoint], curves: list[Curve],
                   colors: dict[str, str]) -> None:
        """Theory curves, each quantity's points with intervals, shaded predicted ranges."""
        for curve in curves:
            ax.plot(curve.x, curve.y, lw=1.6, color=colors[curve.label],
                    label=f"theory: {curve.label}")
        for q in dict.fromkeys(p.quantity for p in points):
            pts = sorted((p for p in points if p.quantity == q), key=lambda p: p.x)
            ax.errorbar([p.x for p in pts], [p.mean for p in pts], yerr=error_bars(pts),
                        fmt="o", ms=4, capsize=2, color=colors[q], label=f"measured: {q}")
        for i, region in enumerate(self.regions):
            ax.axvspan(region.low, region.high, alpha=0.12, color=f"C{(len(colors) + i) % 10}",
                       label=f"predicted: {region.label}")
        ax.set_xscale("log" if self.logx else "linear")
        ax.set_xlabel(self.x_label)

    def draw_one_x(self, ax: Axes, points: list[SeriesPoint], curves: list[Curve],
                   colors: dict[str, str]) -> None:
        """One column per quantity at the single x: its mean and interval, and the theory
        value as a bar across the column of the same name (across all columns if none)."""
        from matplotlib.ticker import FixedLocator

        quantities = list(dict.fromkeys(p.quantity for p in points))
        for i, q in enumerate(quantities):
            pts = [p for p in points if p.quantity == q]
            ax.errorbar([i] * len(pts), [p.mean for p in pts], yerr=error_bars(pts), fmt="o",
                        ms=6, capsize=4, color=colors[q], label=f"measured: {q}")
        for curve in (c for c in curves if c.y):
            i = quantities.index(curve.label) if curve.label in quantities else None
            span = (i - 0.3, i + 0.3) if i is not None else (-0.4, len(quantities) - 0.6)
            ax.hlines(curve.y[0], *span, colors=colors[curve.label], lw=1.6,
                      linestyles="--", label=f"theory: {curve.label}")
        ax.xaxis.set_major_locator(FixedLocator(range(len(quantities))))
        ax.set_xticklabels([wrap(q, 1.3, 9) for q in quantities])
        ax.set_xlim(-0.6, len(quantities) - 0.4)
        x = points[0].x
        inside = [r.label for r in self.regions if r.low <= x <= r.high]
        ax.set_xlabel(f"{self.x_label} = {x:g}"
                      + (f" (predicted: {', '.join(inside)})" if inside else ""))


@dataclass
class HistogramFigure(Figure):
    """A histogram of standardized samples against the N(0, 1) density."""

    title: str
    samples: list[float]
    name: str = "histogram"

    def draw(self) -> MplFigure:
        from scipy import stats as sps

        fig, (ax,) = subplots(1, (5.2, 3.8))
        ax.hist(self.samples, bins=60, density=True, alpha=0.6, label="measured (standardized)")
        t = np.linspace(-4.5, 4.5, 400)
        ax.plot(t, sps.norm.pdf(t), "k", lw=1.5, label="N(0, 1)")
        return finish(fig, [ax], self.title)


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
    points_label: str = "measured (mean over seeds)"

    def draw(self) -> MplFigure:
        x, y = np.asarray(self.x, float), np.asarray(self.y, float)
        fig, (ax,) = subplots(1, (5.2, 3.8))
        ax.loglog(x, y, "o", label=self.points_label)
        if x.size and np.all(y > 0):
            gx, gy = np.exp(np.mean(np.log(x))), np.exp(np.mean(np.log(y)))
            for (label, slope), style in zip(self.slopes, ("-", "--", ":", "-.")):
                ax.loglog(x, gy * (x / gx) ** slope, style, label=f"{label} {slope:.3g}")
        ax.set_xlabel(self.x_label)
        ax.set_ylabel(self.y_label)
        ax.grid(alpha=0.3, which="both")
        keep_margins(ax)
        return finish(fig, [ax], self.title)


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
        bys = sorted({c[0] for c in self.cells})
        xs = sorted({c[1] for c in self.cells})
        grid = np.full((len(xs), len(bys)), np.nan)
        for by, x, value in self.cells:
            grid[xs.index(x), bys.index(by)] = value
        fig, (ax,) = subplots(1, (5.6, 4.2))
        mesh = ax.pcolormesh(_edges(bys), _edges(xs), grid, cmap="viridis", shading="flat")
        fig.colorbar(mesh, ax=ax, label=self.value_label)
        if self.measured:
            ax.plot(*zip(*self.measured), "wo-", mec="black", label="measured transition")
        if self.predicted:
            ax.plot(*zip(*self.predicted), "r--", label="predicted boundary (named constants)")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel(self.by_label)
        ax.set_ylabel(self.swept_label)
        return finish(fig, [ax], self.title)


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
        fig, (ax,) = subplots(1, (5.6, 4.2))
        for curve in self.boundary:
            ax.loglog(curve.x, curve.y, "k--", lw=1.2, label=curve.label)
        for inside, marker, what in ((True, "o", "inside"), (False, "x", "outside")):
            pts = [p for p in self.points if p.inside is inside]
            if pts:
                ax.loglog([p.x for p in pts], [p.y for p in pts], marker, ls="none",
                          label=f"simulated regimes {what} the conditions")
        ax.set_xlabel(self.x_label)
        ax.set_ylabel(self.y_label)
        ax.grid(alpha=0.3, which="both")
        keep_margins(ax)
        return finish(fig, [ax], self.title)


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
        fig, (ax,) = subplots(1, (5.6, 4.2))
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
        ax.grid(alpha=0.3, which="both")
        keep_margins(ax)
        return finish(fig, [ax], self.title)


@dataclass(frozen=True)
class TrajectoryPanel:
    """One panel of a training-trajectory figure: the recorded series ``key``; a per-class
    list is folded by ``reduce`` (e.g. the weakest class: ``"min"``)."""

    key: str
    label: str
    scale: Literal["linear", "log", "symlog"] = "linear"
    reduce: Literal["min", "max", "mean"] | None = None


def symlog_threshold(values: Iterable[float]) -> float | None:
    """The linear range of a symlog axis for ``values``: the power of ten at or below their
    smallest nonzero magnitude (at most four decades under the largest); None where a linear
    axis shows them as well (all 0, or all within a decade of that power)."""
    v = np.abs(np.asarray(list(values), dtype=float))
    v = v[np.isfinite(v) & (v > 0)]
    if not v.size:
        return None
    threshold = float(10.0 ** math.floor(math.log10(max(v.min(), v.max() * 1e-4))))
    return threshold if v.max() >= 10 * threshold else None


@dataclass
class TrajectoryFigure(Figure):
    """Recorded training trajectories (one line per run), one panel per ``TrajectoryPanel``,
    two panels to a row."""

    title: str
    panels: Sequence[TrajectoryPanel]
    runs: list[tuple[str, list[int], dict[str, list[Any]]]]  # (label, steps, series)
    name: str = "trajectories"

    def draw(self) -> MplFigure:
        fig, axes = subplots(len(self.panels), (5.0, 3.4))
        reducers = {"min": min, "max": max, "mean": lambda v: sum(v) / len(v)}
        for ax, panel in zip(axes, self.panels):
            drawn: list[float] = []
            for label, steps, series in self.runs:
                values = series.get(panel.key)
                if not values:
                    continue
                if panel.reduce is not None:
                    values = [reducers[panel.reduce](v) for v in values]
                ax.plot(steps, values, label=label)
                drawn += [float(v) for v in values]
            ax.set_xlabel("GD step")
            panel_title(ax, panel.label)
            threshold = symlog_threshold(drawn) if panel.scale == "symlog" else None
            if threshold is not None:
                ax.set_yscale("symlog", linthresh=threshold)
            else:
                ax.set_yscale("linear" if panel.scale == "symlog" else panel.scale)
            ax.grid(alpha=0.3)
        return finish(fig, axes, self.title)


def _edges(values: list[float]) -> np.ndarray:
    """Cell edges (geometric midpoints) around sorted positive values."""
    v = np.asarray(values, float)
    if v.size == 1:
        return np.array([v[0] / 1.5, v[0] * 1.5])
    mids = np.sqrt(v[:-1] * v[1:])
    return np.concatenate([[v[0] ** 2 / mids[0]], mids, [v[-1] ** 2 / mids[-1]]])
