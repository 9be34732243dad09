"""Figure layout, measured on the rendered canvas (issue 17, "What a new user sees").

Each figure is drawn as the report draws it, then measured in pixels: no two tick labels of
an axis overlap, the titles, axis labels and legend lie inside the figure, every marker lies
inside its axes (none cut by an edge), every panel is wide enough to read once the report
scales the PNG to its page width, and a series measured at a single x shows one labelled
column per quantity instead of a near-empty numeric axis.

The figures: every figure of chang2021's smoke check and its probe (a real run, ~10 s), and
synthetic data for the other figure types, shaped like the reported cases (yang2023's S3
log-log over 1.7e6..1.7e7 with a long title, D5's phase plane with a colour bar, the probe
plane with regimes on the contour grid's edge, S1's one-x series and its trajectories).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import theorycheck
from theorycheck.figures import (
    Contour,
    Curve,
    HistogramFigure,
    LogLogFigure,
    PhaseFigure,
    ProbeFigure,
    RegimeFigure,
    RegimePoint,
    SeriesFigure,
    SeriesPoint,
    TrajectoryFigure,
    TrajectoryPanel,
    pyplot,
)

PNG_DPI = 110  # theorycheck.reporting.figures.png
PAGE_PX = 1060  # the HTML report's content width (max-width 1100px less padding)
MIN_PANEL_PX = 300  # the narrowest readable panel, as displayed on the page
LONG = ("S3: Noise correlations stay at sigma_0 sigma_n sqrt(p d) [inconclusive] "
        "(path in d), and the same again outside the claim's conditions")


def series(x: list[float], quantities: tuple[str, ...], panel: str | None = None
           ) -> list[SeriesPoint]:
    rng = np.random.default_rng(0)
    return [SeriesPoint(q, xi, m, (m - 0.05, m + 0.05), panel)
            for q in quantities for xi in x for m in [float(rng.uniform(0.5, 1.5))]]


def synthetic() -> dict[str, object]:
    kappa = [1.5, 2.0, 3.0, 5.0, 10.0, 20.0]
    curve = np.geomspace(1.4, 24, 40)
    grid = np.geomspace(0.15, 1.0, 12), np.geomspace(3.0, 20.0, 12)
    steps = list(range(0, 1750, 50))
    growth = [0.0, *[1e-3 * 1.01 ** s for s in steps[1:]]]
    return {
        "series-logx": SeriesFigure(
            "C3: Pruned risk without retraining (MP, HP, oracle)", "kappa", "test risk",
            series(kappa, ("prune_magnitude", "prune_hessian")),
            [Curve("prune_magnitude", list(curve), list(1 / curve + 0.5))], logx=True),
        "series-panels": SeriesFigure(
            "S4: Test error falls as the pruning fraction grows (mild range)", "fraction",
            "value", series([0.0, 0.15, 0.3], ("test_error",), "sparse")
            + series([0.0, 0.15, 0.3], ("test_error (outside conditions)",), "dense")),
        "series-one-x": SeriesFigure(
            "S1: Mild pruning: training converges and the network generalizes", "p", "value",
            series([0.7], ("test_error (outside conditions)", "train_loss (outside "
                                                                "conditions)"))),
        "loglog": LogLogFigure(LONG, "d", "omega_max", [1.71e6, 3.6e6, 7.5e6, 1.71e7],
                               [0.29, 0.41, 0.71, 0.85], [("fitted slope", 0.489),
                                                          ("predicted (O~) slope", 0.5)]),
        "phase": PhaseFigure(
            "D5: The benign/harmful boundary moves as sqrt(p) and n^(-1/q) [inconclusive] "
            "(curves in p)", "p", "mu", "mean alive_error",
            [(p, mu, p * mu / 40) for p in (0.1, 0.2, 0.4, 1.0) for mu in (1, 2, 4, 8, 16, 32)],
            [(0.1, 4.6), (0.2, 6.2), (0.4, 8.3), (1.0, 10.3)], [(0.1, 2.6), (1.0, 8.2)]),
        "regimes": RegimeFigure("simulated regimes against D6's condition d_large",
                                "C_3 m^a n^b log(d)^k (right side)", "p d (left side)",
                                [RegimePoint(1.2e6, 1.2e6, "n=100", True)],
                                [Curve("boundary p d = right side", [4e5, 3.6e6],
                                       [4e5, 3.6e6])]),
        "probe": ProbeFigure(
            "yang2023 probe mild-small-error: refuted", "p", "mu",
            [(0.9, 20.0, "consistent"), (0.9, 12.5, "inconclusive"), (0.45, 5.4, "inconsistent"),
             (0.9, 9.8, "inconsistent"), (1.0, 3.0, "inconsistent"), (0.15, 20.0, "consistent")],
            [Contour("mild_pruning (D4) (m = 10)", list(grid[0]), list(grid[1]),
                     [[x - 0.78 for x in grid[0]] for _ in grid[1]]),
             Contour("benign (D5) (m = 10)", list(grid[0]), list(grid[1]),
                     [[y - 8.2 * math.sqrt(x) for x in grid[0]] for y in grid[1]])],
            (0.9, 11.0), (0.9, 10.9), logx=True, logy=True),
        "trajectories": TrajectoryFigure(
            "S1: training trajectories",
            [TrajectoryPanel("gamma", "max_r gamma_{j,r,j} (weakest class)", "symlog", "min"),
             TrajectoryPanel("zeta", "max zeta", "symlog"),
             TrajectoryPanel("omega", "max |omega|", "symlog"),
             TrajectoryPanel("loss", "training loss", "log")],
            [("p=0.7, fraction=0.3, signal=sparse", steps,
              {"gamma": [[g, 2 * g] for g in growth], "zeta": growth,
               "omega": [0.7 * g for g in growth], "loss": [1.1 * 0.995 ** s for s in steps]})]),
        "histogram": HistogramFigure("C2: beta_hat standardized against N(0, 1)",
                                     list(np.random.default_rng(1).standard_normal(4000))),
    }


@pytest.fixture(scope="module")
def smoke_figures(tmp_path_factory) -> dict[str, object]:
    """Every figure of chang2021's smoke check, and its probe's plane."""
    store = str(tmp_path_factory.mktemp("store") / "runs.sqlite")
    res = theorycheck.check("chang2021", budget="smoke", device="cpu", store=store,
                            progress=False, seed=0)
    figures = {f"{v.claim}-{i}": fig for v in res.verdicts for i, fig in enumerate(v.figures())}
    for r in theorycheck.probe("chang2021", examples=2, budget="smoke", device="cpu",
                               store=store):
        figures[f"probe-{r.probe.key}"] = r.figure()
    return figures


SYNTHETIC = synthetic()


@pytest.fixture(params=sorted(SYNTHETIC))
def synthetic_figure(request):
    return request.param, SYNTHETIC[request.param]


def drawn(spec):
    fig = spec.draw()
    fig.set_dpi(PNG_DPI)
    fig.canvas.draw()
    return fig, fig.canvas.get_renderer()


def overlaps(texts, renderer) -> list[tuple[str, str]]:
    boxes = [(t.get_text(), t.get_window_extent(renderer)) for t in texts
             if t.get_visible() and t.get_text()]
    return [(a, b) for i, (a, ba) in enumerate(boxes) for b, bb in boxes[i + 1:]
            if ba.overlaps(bb)]


def layout_problems(spec) -> list[str]:
    """Everything wrong with the drawn figure, one line each."""
    fig, renderer = drawn(spec)
    problems = []
    page = fig.bbox.padded(0.5)
    scale = min(1.0, PAGE_PX / fig.bbox.width)
    texts = [fig._suptitle] if fig._suptitle is not None else []
    texts += [leg for leg in fig.legends]
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            clash = overlaps(axis.get_ticklabels(which="both"), renderer)
            if clash:
                problems.append(f"{axis.axis_name} tick labels overlap: {clash[:3]}")
        texts += [ax.title, ax.xaxis.label, ax.yaxis.label]
        if ax.get_label() != "<colorbar>" and ax.bbox.width * scale < MIN_PANEL_PX:
            problems.append(f"panel {ax.get_title()!r} is {ax.bbox.width * scale:.0f} px wide "
                            f"on the page (< {MIN_PANEL_PX})")
        problems += marker_problems(ax)
    for t in texts:
        if t.get_visible() and (not hasattr(t, "get_text") or t.get_text()):
            box = t.get_window_extent(renderer)
            if not (page.x0 <= box.x0 and box.x1 <= page.x1 and page.y0 <= box.y0
                    and box.y1 <= page.y1):
                name = t.get_text() if hasattr(t, "get_text") else "legend"
                problems.append(f"{name[:40]!r} extends past the figure: {box.extents} "
                                f"outside {page.extents}")
    pyplot().close(fig)
    return problems


def marker_problems(ax) -> list[str]:
    """Markers whose centre lies outside the axes limits or whose edge is cut by them."""
    out = []
    box = ax.bbox
    for line in ax.get_lines():
        if line.get_marker() in (None, "None", "", " ") or not line.get_visible():
            continue
        xy = np.column_stack([np.asarray(line.get_xdata(), float),
                              np.asarray(line.get_ydata(), float)])
        xy = xy[np.all(np.isfinite(xy), axis=1)]
        if not xy.size:
            continue
        radius = line.get_markersize() / 2 * ax.figure.dpi / 72
        for (x, y), (px, py) in zip(xy, ax.transData.transform(xy)):
            if not (box.x0 + radius <= px <= box.x1 - radius
                    and box.y0 + radius <= py <= box.y1 - radius):
                out.append(f"marker {line.get_marker()!r} at ({x:g}, {y:g}) is cut by the "
                           f"edge of the axes {ax.get_title()!r}")
    return out


def test_synthetic_figures_are_laid_out(synthetic_figure):
    name, spec = synthetic_figure
    assert layout_problems(spec) == [], name


def test_smoke_figures_are_laid_out(smoke_figures):
    problems = {name: p for name, spec in smoke_figures.items() if (p := layout_problems(spec))}
    assert problems == {}


def test_one_x_series_shows_a_column_per_quantity():
    """S1, S5, D1 measure one p: each quantity is a labelled column with its interval, and
    the x label names the value (not a numeric axis around one point)."""
    spec = SYNTHETIC["series-one-x"]
    fig, _ = drawn(spec)
    (ax,) = [a for a in fig.axes if a.get_label() != "<colorbar>"]
    ticks = [t.get_text().replace("\n", " ") for t in ax.get_xticklabels() if t.get_text()]
    assert ticks == [p.quantity for p in spec.points], ticks
    assert ax.get_xlabel() == "p = 0.7"
    pyplot().close(fig)
