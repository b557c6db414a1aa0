"""The System page's two-hour history: samples of the headline figures, counters shown as rates (pure)."""

from __future__ import annotations

from app.metrics import history


def labels(**pairs: str) -> tuple:
    return tuple(sorted(pairs.items()))


def snapshot(ok: float, errors: float, mail: float = 0, pending: float = 0) -> dict:
    return {
        "libertum_http_requests_total": {labels(route="/", status="200"): ok, labels(route="/x", status="503"): errors},
        "libertum_rq_queue_depth": {labels(queue="mail"): mail},
        "libertum_chain_jobs": {labels(state="pending"): pending, labels(state="sent"): 1.0,
                                labels(state="done"): 40.0, labels(state="failed"): 2.0},
    }


def test_a_sample_keeps_totals_and_the_chain_jobs_not_done_yet():
    sample = history.headline(snapshot(90, 10, mail=3, pending=4), at=1000)
    assert sample["requests"] == 100 and sample["server_errors"] == 10
    assert sample["rq_depth"] == 3 and sample["chain_jobs_open"] == 5  # pending + sent, not done or failed
    assert sample["outbox"] is None and sample["monitor_lag"] is None  # those sources were not in the scrape


def test_counters_become_rates_between_samples_and_a_restart_starts_again():
    samples = [history.headline(snapshot(0, 0), at=0), history.headline(snapshot(600, 6), at=60),
               history.headline(snapshot(30, 0), at=120),  # an instance restarted: its counters began again
               history.headline(snapshot(150, 2), at=180)]
    trends = {trend.field: trend for trend in history.series(samples)}
    assert trends["requests_per_s"].points == [(60, 10.1), (180, 2.03)]
    assert trends["server_errors_per_min"].points == [(60, 6.0), (180, 2.0)]
    assert trends["rq_depth"].points == [(0, 0), (60, 0), (120, 0), (180, 0)]
    assert trends["outbox"].points == [] and trends["outbox"].latest is None


def test_a_sparkline_spans_the_box_and_needs_two_points():
    assert history.sparkline([(5, 1.0)]) == ""
    line = history.sparkline([(0, 0.0), (30, 5.0), (60, 10.0)], width=120, height=24)
    assert line == "0.0,23.0 60.0,12.0 120.0,1.0"
    assert history.sparkline([(0, 0.0), (60, 0.0)]) == "0.0,23.0 120.0,23.0"  # all zero: a flat line, no division
