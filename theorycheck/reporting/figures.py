"""Figures for the report: measured points with CIs over theory curves, histograms, fits.

Everything is drawn from a verdict's evidence (measured in the run that made it) and the
theory curves the checker evaluated; nothing is recomputed here.
"""

from __future__ import annotations

import io
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from scipy import stats as sps  # noqa: E402


def _find(evidence: dict[str, Any], key: str) -> Any:
    if key in evidence:
        return evidence[key]
    for part in evidence.get("parts", []):
        found = _find(part, key)
        if found is not None:
            return found
    return None


def _panels(plot: dict[str, Any]) -> list[Any]:
    names = [p["panel"] for p in plot["points"]] + [c["panel"] for c in plot["theory"]]
    return list(dict.fromkeys(names)) or [None]


def curve_figure(plot: dict[str, Any], title: str) -> plt.Figure:
    """Measured means with 95% CIs (markers) and theory curves (lines), panel by panel."""
    panels = _panels(plot)
    fig, axes = plt.subplots(1, len(panels), figsize=(5.2 * len(panels), 3.8), squeeze=False)
    for ax, panel in zip(axes[0], panels):
        colors = {}
        for curve in (c for c in plot["theory"] if c["panel"] == panel):
            (line,) = ax.plot(curve["x"], curve["y"], lw=1.6, label=f"theory: {curve['label']}")
            colors[curve["label"]] = line.get_color()
        quantities = list(dict.fromkeys(p["quantity"] for p in plot["points"]))
        for q in quantities:
            pts = sorted((p for p in plot["points"] if p["quantity"] == q and p["panel"] == panel),
                         key=lambda p: p["x"])
            if not pts:
                continue
            x = np.array([p["x"] for p in pts])
            y = np.array([p["mean"] for p in pts])
            lo = np.array([p["ci"][0] for p in pts])
            hi = np.array([p["ci"][1] for p in pts])
            err = np.vstack([np.clip(y - lo, 0, None), np.clip(hi - y, 0, None)])
            err[~np.isfinite(err)] = 0
            ax.errorbar(x, y, yerr=err, fmt="o", ms=4, capsize=2, color=colors.get(q),
                        label=f"measured: {q}")
        for i, region in enumerate(plot.get("regions", [])):
            ax.axvspan(region["low"], region["high"], alpha=0.12, color=f"C{i + 3}",
                       label=f"predicted: {region['label']}")
        ax.set_xscale("log" if plot["logx"] else "linear")
        ax.set_yscale("log" if plot["logy"] else "linear")
        ax.set_xlabel(plot["x"])
        ax.set_ylabel(plot["y"])
        if panel is not None:
            ax.set_title(str(panel), fontsize=9)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7)
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    return fig


def histogram_figure(samples: list[float], title: str) -> plt.Figure:
    """Histogram of standardized samples against the N(0, 1) density."""
    fig, ax = plt.subplots(figsize=(5.2, 3.8))
    ax.hist(samples, bins=60, density=True, alpha=0.6, label="measured (standardized)")
    t = np.linspace(-4.5, 4.5, 400)
    ax.plot(t, sps.norm.pdf(t), "k", lw=1.5, label="N(0, 1)")
    ax.set_title(title, fontsize=10)
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def order_figure(evidence: dict[str, Any], title: str) -> plt.Figure:
    """Log-log plot of the measured maxima with the fitted and the predicted slopes."""
    rows = evidence["rows"]
    x = np.array([r["x"] for r in rows])
    y = np.array([r["measured"] for r in rows])
    fig, ax = plt.subplots(figsize=(5.2, 3.8))
    ax.loglog(x, y, "o", label="measured (mean over seeds)")
    if np.all(y > 0):
        gx, gy = np.exp(np.mean(np.log(x))), np.exp(np.mean(np.log(y)))
        for slope, style, name in ((evidence.get("measured_slope"), "-", "fitted"),
                                   (evidence["predicted_exponent"], "--", "predicted")):
            if slope is not None:
                ax.loglog(x, gy * (x / gx) ** slope, style, label=f"{name} slope {slope:.3g}")
    ax.set_xlabel(evidence["parameter"])
    ax.set_ylabel(evidence["quantity"])
    ax.set_title(title, fontsize=10)
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def trajectory_figure(trajectories: list[dict[str, Any]], title: str) -> plt.Figure:
    """Coefficient maxima and training loss over gradient-descent steps, one line per run."""
    keys = [("signal_per_class", "max_r gamma_{j,r,j} (min over j)"),
            ("zeta_max", "max zeta"), ("omega_max", "max |omega|"), ("train_loss", "loss")]
    fig, axes = plt.subplots(1, len(keys), figsize=(16, 3.6))
    for traj in trajectories:
        name = ", ".join(f"{k}={v:g}" if isinstance(v, float) else f"{k}={v}"
                         for k, v in traj["labels"].items())
        for ax, (key, label) in zip(axes, keys):
            values = traj[key]
            if values and isinstance(values[0], list):
                values = [min(v) for v in values]
            ax.plot(traj["step"], values, label=name)
            ax.set_xlabel("GD step")
            ax.set_title(label, fontsize=9)
            ax.set_yscale("log" if key == "train_loss" else "symlog")
    axes[0].legend(fontsize=7)
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    return fig


def phase_figure(evidence: dict[str, Any], title: str) -> plt.Figure:
    """Measured mean of the quantity over (curve parameter, swept parameter), with the
    measured crossing points and the predicted boundary."""
    rows = evidence["curves"]
    bys = sorted({r["by"] for r in rows})
    xs = sorted({r["x"] for r in rows})
    grid = np.full((len(xs), len(bys)), np.nan)
    for r in rows:
        grid[xs.index(r["x"]), bys.index(r["by"])] = r["measured"]
    fig, ax = plt.subplots(figsize=(5.6, 4.2))
    mesh = ax.pcolormesh(_edges(bys), _edges(xs), grid, cmap="viridis", shading="flat")
    fig.colorbar(mesh, ax=ax, label=f"mean {evidence['quantity']}")
    found = [(r["x"], r["measured"]) for r in evidence["rows"] if np.isfinite(r["measured"])]
    if found:
        ax.plot(*zip(*found), "wo-", label="measured transition")
    predicted = [(r["x"], r["predicted"]) for r in evidence["rows"]
                 if r.get("predicted") is not None]
    if predicted:
        ax.plot(*zip(*predicted), "r--", label="predicted boundary (named constants)")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel(evidence["parameter"])
    ax.set_ylabel(evidence["swept"])
    ax.set_title(title, fontsize=9)
    ax.legend(fontsize=7)
    fig.tight_layout()
    return fig


def _edges(values: list[float]) -> np.ndarray:
    """Cell edges (geometric midpoints) around sorted positive values."""
    v = np.asarray(values, float)
    if v.size == 1:
        return np.array([v[0] / 1.5, v[0] * 1.5])
    mids = np.sqrt(v[:-1] * v[1:])
    return np.concatenate([[v[0] ** 2 / mids[0]], mids, [v[-1] ** 2 / mids[-1]]])


def _all(evidence: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    """Every (part of the) evidence of a kind, parts and subsets included."""
    found = [evidence] if evidence.get("kind") == kind else []
    for part in evidence.get("parts", []):
        found += _all(part, kind)
    return found


def verdict_figures(verdict: dict[str, Any]) -> list[tuple[str, bytes]]:
    """(name, PNG bytes) for every figure a verdict's evidence supports."""
    ev, key = verdict["evidence"], verdict["claim"]
    title = f"{key}: {verdict['title']} [{verdict['status']}]"
    figs = []
    if ev.get("plot"):
        figs.append((f"{key}", curve_figure(ev["plot"], title)))
    samples = _find(ev, "histogram_samples")
    if samples:
        figs.append((f"{key}-histogram", histogram_figure(samples, title)))
    for i, order in enumerate(o for o in _all(ev, "order") if o.get("rows")):
        figs.append((f"{key}-loglog-{i}", order_figure(order, title)))
    for i, transition in enumerate(_all(ev, "transition")):
        figs.append((f"{key}-phase-{i}", phase_figure(transition, title)))
    if ev.get("plot", {}).get("trajectories"):
        figs.append((f"{key}-trajectories", trajectory_figure(ev["plot"]["trajectories"], title)))
    out = []
    for name, fig in figs:
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=110)
        plt.close(fig)
        out.append((name, buf.getvalue()))
    return out
