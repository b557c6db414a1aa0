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


@dataclass(frozen=True)
class ProgressChart:
    width: int
    height: int
    points: str  # the cumulative line, "x,y x,y ..."
    target_y: float  # where the target's horizontal line is drawn
    start: str  # first and last dates
    end: str


def progress_chart(series: list[tuple[datetime, int]], target: int, width: int = 600, height: int = 160,
                   pad: int = 8) -> ProgressChart | None:
    """A cumulative amount over time against a target, both on one scale from 0 to the larger of the two.

    Steps, not slopes: the amount holds until the next point. None without points."""
    if not series:
        return None
    start, end = series[0][0], series[-1][0]
    duration = (end - start).total_seconds() or 1
    top = max(target, max(value for _at, value in series)) or 1

    def y(value: int) -> float:
        return height - pad - value * (height - 2 * pad) / top

    coords, previous = [f"{pad:.1f},{y(0):.1f}"], 0
    for at, value in series:
        x = pad + (at - start).total_seconds() * (width - 2 * pad) / duration
        coords += [f"{x:.1f},{y(previous):.1f}", f"{x:.1f},{y(value):.1f}"]
        previous = value
    coords.append(f"{width - pad:.1f},{y(previous):.1f}")
    return ProgressChart(width, height, " ".join(coords), round(y(target), 1), start.strftime("%Y-%m-%d"),
                         end.strftime("%Y-%m-%d"))
