"""Figures as PNG bytes: each figure specification draws itself."""

from __future__ import annotations

import io

from theorycheck.figures import Figure, pyplot


def png(figure: Figure, dpi: int = 110) -> bytes:
    """Draw ``figure`` and return the PNG bytes."""
    fig = figure.draw()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    pyplot().close(fig)
    return buf.getvalue()
