"""The System page's panels from a metrics snapshot (pure)."""

from __future__ import annotations

from app.metrics import figures


def labels(**pairs: str) -> tuple:
    return tuple(sorted(pairs.items()))


SNAPSHOT = {
    "libertum_http_requests_total": {labels(method="GET", route="/", status="200"): 8.0,
                                     labels(method="POST", route="/auth/login", status="200"): 2.0,
                                     labels(method="GET", route="unmatched", status="404"): 1.0},
    "libertum_http_request_duration_seconds_count": {labels(route="/"): 8.0, labels(route="/auth/login"): 2.0},
    "libertum_http_request_duration_seconds_sum": {labels(route="/"): 0.4, labels(route="/auth/login"): 1.0},
    "libertum_rq_queue_depth": {labels(queue="mail"): 3.0, labels(queue="chain"): 0.0},
    "libertum_metrics_source_up": {labels(source="rq"): 1.0, labels(source="chain_sync"): 0.0},
}


def test_panels_sum_by_the_label_shown_and_scale_bars_to_the_largest():
    panels = {panel.title: panel for panel in figures.panels(SNAPSHOT)}
    statuses = {bar.label: (bar.value, bar.width) for bar in panels["Requests by status"].bars}
    assert statuses == {"200": (10.0, 100.0), "404": (1.0, 10.0)}
    latency = {bar.label: bar.value for bar in panels["Mean latency of the busiest routes"].bars}
    assert latency == {"/": 50.0, "/auth/login": 500.0}
    assert [(bar.label, bar.value) for bar in panels["RQ queue depth"].bars] == [("chain", 0.0), ("mail", 3.0)]
    assert panels["Outbox backlog"].bars == []


def test_bars_of_nothing_but_zeros_do_not_divide_by_zero():
    assert [bar.width for bar in figures.bars([("a", 0), ("b", 0)])] == [0.0, 0.0]


def test_sources_that_failed_are_named():
    assert figures.sources_down(SNAPSHOT) == ["chain_sync"]
