"""Prometheus metrics: requests of the web app, and the platform's backlogs read at scrape time.

Request metrics live in prometheus-client's multiprocess mode when PROMETHEUS_MULTIPROC_DIR is
set (gunicorn workers and instances write files there; gunicorn.conf.py marks dead workers), so
any instance's `/metrics` shows the sum over all of them. Without it (tests, the flask command)
they are per process. Backlogs (RQ, chain monitor, chain-sync lag, chain jobs, outbox) are read
from Redis, MongoDB, Kafka and the node when scraped (app/metrics/platform.py).
"""

from __future__ import annotations

import time

from flask import Flask, g, request
from prometheus_client import Counter, Histogram

REQUESTS = Counter("libertum_http_requests", "HTTP requests answered by the web app",
                   ("method", "route", "status"))
LATENCY = Histogram("libertum_http_request_duration_seconds", "time to answer an HTTP request",
                    ("route",), buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10))


def route_of() -> str:
    """The URL rule (`/offerings/<offering_id>`), never the raw path: one series per route, whatever the ids."""
    return request.url_rule.rule if request.url_rule is not None else "unmatched"


def register_metrics(app: Flask) -> None:
    @app.before_request
    def start_timer() -> None:
        g.metrics_started = time.perf_counter()

    @app.after_request
    def count_request(response):
        started = g.get("metrics_started")
        if started is not None:
            route = route_of()
            REQUESTS.labels(request.method, route, str(response.status_code)).inc()
            LATENCY.labels(route).observe(time.perf_counter() - started)
        return response
