"""A short history of the System page's headline figures, kept in Redis, for operators without Prometheus.

Why: the panels show the figures of this moment; after an incident an operator asks what they were
ten minutes ago. A sample of the headline figures is taken every SAMPLE_S seconds by a periodic RQ job
(app/tasks/metrics_history.py, which runs whether or not anyone watches) and when the page renders,
at most one per time slot (a Redis SET NX names the slot), and the last KEEP samples are kept
(two hours). Counters (requests, server errors) are stored as totals and shown as rates between
samples; a total that went down (an instance restarted) starts a new rate, never a negative one.

`headline` and `series` are pure; `record` and `samples` touch Redis only.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass

KEY = "libertum:metrics:history"
SLOT_KEY = "libertum:metrics:history:slot:{slot}"
SAMPLE_S = 60
KEEP = 120  # two hours of one-minute samples
OPEN_CHAIN_JOB_STATES = ("pending", "sent")

# (field, title, unit); the counters are turned into rates by `series`
TRENDS = (
    ("requests_per_s", "Requests per second", "/s"),
    ("server_errors_per_min", "Server errors (5xx) per minute", "/min"),
    ("rq_depth", "Jobs waiting in RQ", ""),
    ("chain_jobs_open", "Chain jobs not done", ""),
    ("outbox", "Mail and SMS not sent", ""),
    ("sync_lag", "Chain-sync lag (messages)", ""),
    ("monitor_lag", "Chain monitor lag (blocks)", ""),
)


def _total(snapshot: dict, metric: str, **only: str) -> float | None:
    values = snapshot.get(metric)
    if not values:
        return None
    return sum(value for labels, value in values.items() if all(dict(labels).get(k) == v for k, v in only.items()))


def headline(snapshot: dict, at: float) -> dict:
    """The sample of one metrics snapshot (app/metrics/exposition.snapshot) taken at unix time `at`."""
    requests = snapshot.get("libertum_http_requests_total", {})
    errors = sum(value for labels, value in requests.items() if dict(labels).get("status", "").startswith("5"))
    chain_jobs = snapshot.get("libertum_chain_jobs")
    return {
        "t": round(at, 1),
        "requests": _total(snapshot, "libertum_http_requests_total"),
        "server_errors": errors if requests else None,
        "rq_depth": _total(snapshot, "libertum_rq_queue_depth"),
        "chain_jobs_open": sum(v for labels, v in chain_jobs.items() if dict(labels).get("state") in
                               OPEN_CHAIN_JOB_STATES) if chain_jobs else None,
        "outbox": _total(snapshot, "libertum_outbox_backlog"),
        "sync_lag": _total(snapshot, "libertum_chain_sync_lag"),
        "monitor_lag": _total(snapshot, "libertum_chain_monitor_lag_blocks"),
    }


@dataclass(frozen=True)
class Trend:
    field: str
    title: str
    unit: str
    points: list[tuple[float, float]]  # (unix time, value), oldest first; gaps where a source was down

    @property
    def latest(self) -> float | None:
        return self.points[-1][1] if self.points else None

    @property
    def peak(self) -> float | None:
        return max(value for _t, value in self.points) if self.points else None


def _rate(samples: list[dict], field: str, per_s: float) -> list[tuple[float, float]]:
    points = []
    for before, after in itertools.pairwise(samples):
        if before.get(field) is None or after.get(field) is None or after["t"] <= before["t"]:
            continue
        grown = after[field] - before[field]
        if grown < 0:  # an instance restarted and its counters began again: no rate for this gap
            continue
        points.append((after["t"], round(grown * per_s / (after["t"] - before["t"]), 2)))
    return points


def series(samples: list[dict]) -> list[Trend]:
    """One trend per headline figure from samples oldest first."""
    trends = []
    for field, title, unit in TRENDS:
        if field == "requests_per_s":
            points = _rate(samples, "requests", 1)
        elif field == "server_errors_per_min":
            points = _rate(samples, "server_errors", 60)
        else:
            points = [(sample["t"], sample[field]) for sample in samples if sample.get(field) is not None]
        trends.append(Trend(field, title, unit, points))
    return trends


def sparkline(points: list[tuple[float, float]], width: int = 120, height: int = 24) -> str:
    """SVG polyline coordinates of `points` scaled into width x height (empty when fewer than two)."""
    if len(points) < 2:
        return ""
    t0, t1 = points[0][0], points[-1][0]
    top = max(value for _t, value in points) or 1
    span = (t1 - t0) or 1
    return " ".join(f"{(t - t0) * width / span:.1f},{height - value * (height - 2) / top - 1:.1f}"
                    for t, value in points)


def record(redis, snapshot: dict, at: float) -> bool:
    """Keep one sample for the slot `at` falls in; False when that slot has one already."""
    slot = int(at) // SAMPLE_S
    if not redis.set(SLOT_KEY.format(slot=slot), 1, nx=True, ex=SAMPLE_S * 4):
        return False
    pipe = redis.pipeline()
    pipe.rpush(KEY, json.dumps(headline(snapshot, at)))
    pipe.ltrim(KEY, -KEEP, -1)
    pipe.execute()
    return True


def samples(redis) -> list[dict]:
    """The kept samples, oldest first (a line that does not parse is skipped, not fatal)."""
    kept = []
    for raw in redis.lrange(KEY, 0, -1):
        try:
            kept.append(json.loads(raw))
        except (TypeError, ValueError):
            continue
    return kept
