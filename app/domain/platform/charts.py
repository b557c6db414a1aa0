"""Server-drawn SVG charts (no script needed, so the page keeps its strict content security policy)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


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


def time_line_chart(series: list[tuple[datetime, int]], width: int = 600, height: int = 160,
                    pad: int = 8) -> LineChart | None:
    """Like `line_chart`, with x proportional to time (points are uneven: one per chain event or NAV change);
    labels are the first and last dates. None for fewer than two points or a zero time span."""
    if len(series) < 2:
        return None
    start, end = series[0][0], series[-1][0]
    duration = (end - start).total_seconds()
    if duration <= 0:
        return None
    values = [value for _at, value in series]
    low, high = min(values), max(values)
    span = (high - low) or 1
    points = " ".join(f"{pad + (at - start).total_seconds() * (width - 2 * pad) / duration:.1f},"
                      f"{height - pad - (value - low) * (height - 2 * pad) / span:.1f}" for at, value in series)
    labels = [(start.strftime("%Y-%m-%d"), str(series[0][1])), (end.strftime("%Y-%m-%d"), str(series[-1][1]))]
    return LineChart(width, height, points, labels, low, high)


@dataclass(frozen=True)
class Segment:
    label: str
    x: float
    width: float
    bps: int
    color: str


PALETTE = ("#0b6e4f", "#2a6fdb", "#e0a526", "#c2410c", "#7c3aed", "#0e7490", "#be185d", "#4d7c0f")


def share_bar(parts: list[tuple[str, int]], width: int = 600) -> list[Segment]:
    """One stacked bar of (label, basis points) parts summing to 10,000: each part's x offset and width."""
    segments, x = [], 0.0
    for i, (label, bps) in enumerate(parts):
        span = width * bps / 10_000
        segments.append(Segment(label, round(x, 1), round(span, 1), bps, PALETTE[i % len(PALETTE)]))
        x += span
    return segments
