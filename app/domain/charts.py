"""Server-drawn SVG charts (no script needed, so the page keeps its strict content security policy)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class LineChart:
    width: int
    height: int
    points: str  # the polyline's "x,y x,y ..." attribute
    labels: list[tuple[str, str]]  # (x label, y label) of first and last point
    minimum: int
    maximum: int


def line_chart(series: list[tuple[str, int]], width: int = 600, height: int = 160, pad: int = 8) -> LineChart | None:
    """Scale (label, integer value) pairs into a polyline; None for fewer than two points."""
    if len(series) < 2:
        return None
    values = [value for _label, value in series]
    low, high = min(values), max(values)
    span = (high - low) or 1
    step = (width - 2 * pad) / (len(series) - 1)
    points = " ".join(f"{pad + i * step:.1f},{height - pad - (value - low) * (height - 2 * pad) / span:.1f}"
                      for i, (_label, value) in enumerate(series))
    return LineChart(width, height, points, [(series[0][0], str(series[0][1])), (series[-1][0], str(series[-1][1]))],
                     low, high)
