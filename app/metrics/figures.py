"""The System page's panels, built from one metrics snapshot (app/metrics/exposition.py). Pure: no server.

Each panel is a title and rows of (label, value); `bars` scales the values into widths for the
page's small inline-SVG bar charts (no script, so the strict content security policy holds).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    width: float  # 0..100, share of the panel's largest value


@dataclass(frozen=True)
class Panel:
    title: str
    bars: list[Bar]
    unit: str = ""


def bars(rows: list[tuple[str, float]]) -> list[Bar]:
    top = max((value for _label, value in rows), default=0) or 1
    return [Bar(label, value, round(100 * value / top, 1)) for label, value in rows]


def _by(snapshot: dict, metric: str, label: str, **only: str) -> list[tuple[str, float]]:
    """Values of `metric` summed per value of `label`, keeping samples whose labels match `only`."""
    totals: dict[str, float] = {}
    for labels, value in snapshot.get(metric, {}).items():
        found = dict(labels)
        if all(found.get(k) == v for k, v in only.items()):
            key = found.get(label, "")
            totals[key] = totals.get(key, 0) + value
    return sorted(totals.items())


def _value(snapshot: dict, metric: str) -> float | None:
    values = snapshot.get(metric)
    return sum(values.values()) if values else None


def route_latency(snapshot: dict, limit: int = 8) -> list[tuple[str, float]]:
    """Mean latency in ms of the busiest routes (histogram sum / count)."""
    counts = dict(_by(snapshot, "libertum_http_request_duration_seconds_count", "route"))
    sums = dict(_by(snapshot, "libertum_http_request_duration_seconds_sum", "route"))
    busiest = sorted(counts, key=lambda route: -counts[route])[:limit]
    return [(route, round(1000 * sums.get(route, 0) / counts[route], 1)) for route in busiest if counts[route]]


def chain_rows(snapshot: dict) -> list[tuple[str, float]]:
    rows = [("head block", _value(snapshot, "libertum_chain_head_block")),
            ("monitor published", _value(snapshot, "libertum_chain_monitor_block")),
            ("monitor lag (blocks)", _value(snapshot, "libertum_chain_monitor_lag_blocks")),
            ("chain-sync lag (messages)", _value(snapshot, "libertum_chain_sync_lag")),
            ("chain-sync applied", _value(snapshot, "libertum_chain_sync_events_applied"))]
    return [(label, value) for label, value in rows if value is not None]


def panels(snapshot: dict) -> list[Panel]:
    return [
        Panel("Requests by status", bars(_by(snapshot, "libertum_http_requests_total", "status"))),
        Panel("Mean latency of the busiest routes", bars(route_latency(snapshot)), "ms"),
        Panel("RQ queue depth", bars(_by(snapshot, "libertum_rq_queue_depth", "queue"))),
        Panel("RQ failed jobs", bars(_by(snapshot, "libertum_rq_jobs", "queue", state="failed"))),
        Panel("Chain jobs by state", bars(_by(snapshot, "libertum_chain_jobs", "state"))),
        Panel("Outbox backlog", bars(_by(snapshot, "libertum_outbox_backlog", "channel"))),
        Panel("Chain-sync lag per partition", bars(_by(snapshot, "libertum_chain_sync_lag", "partition"))),
        Panel("Chain", bars(chain_rows(snapshot))),
    ]


def sources_down(snapshot: dict) -> list[str]:
    return [label for label, value in _by(snapshot, "libertum_metrics_source_up", "source") if value < 1]
