"""/metrics of any instance: requests of every instance by route (the rule, not the path), status and latency,
and the platform's backlogs as they are when scraped (RQ, outbox, chain jobs, chain monitor, chain-sync)."""

from __future__ import annotations

import requests
from prometheus_client.parser import text_string_to_metric_families

from app.domain.platform import notifications
from tests.fixtures.accounts import run_mail_jobs


def scrape(gateway) -> dict[tuple[str, frozenset], float]:
    text = requests.get(gateway.instance_url(gateway.config.instance_ports[-1]) + "/metrics", timeout=20).text
    return {(sample.name, frozenset(sample.labels.items())): sample.value
            for family in text_string_to_metric_families(text) for sample in family.samples}


def value(figures: dict, name: str, **labels: str) -> float:
    return figures.get((name, frozenset(labels.items())), 0.0)


def test_requests_of_every_instance_are_counted_by_route_and_status(app, gateway):
    before = scrape(gateway)
    for _ in range(10):  # the sign-in page: never shared by the gateway's page cache, so every one is counted
        assert requests.get(gateway.url + "/auth/login", timeout=10).status_code == 200
    assert requests.get(gateway.url + "/offerings/65f000000000000000000000", timeout=10).status_code == 404
    assert requests.get(gateway.url + "/no/such/page", timeout=10).status_code == 404
    after = scrape(gateway)
    home = {"method": "GET", "route": "/auth/login", "status": "200"}
    # ten requests spread over two instances, all seen from one instance's scrape
    assert value(after, "libertum_http_requests_total", **home) - value(before, "libertum_http_requests_total",
                                                                        **home) == 10
    assert value(after, "libertum_http_requests_total", method="GET", route="/offerings/<offering_id>",
                 status="404") >= 1
    assert value(after, "libertum_http_requests_total", method="GET", route="unmatched", status="404") >= 1
    assert not any(name == "libertum_http_requests_total" and ("route", "/no/such/page") in labels
                   for name, labels in after)
    count = value(after, "libertum_http_request_duration_seconds_count", route="/auth/login")
    assert count >= 10 and value(after, "libertum_http_request_duration_seconds_bucket", route="/auth/login",
                                 le="+Inf") == count
    assert value(after, "libertum_http_request_duration_seconds_sum", route="/auth/login") > 0


def test_backlogs_are_read_when_scraped(app, gateway, mail_sandbox):
    notifications.send_sms("+447700900123", "Your code is 123456")
    waiting = scrape(gateway)
    assert value(waiting, "libertum_outbox_backlog", channel="sms") == 1
    assert value(waiting, "libertum_rq_queue_depth", queue="mail") == 1
    assert run_mail_jobs() == 1
    done = scrape(gateway)
    assert value(done, "libertum_outbox_backlog", channel="sms") == 0
    assert value(done, "libertum_rq_queue_depth", queue="mail") == 0
    assert value(done, "libertum_rq_jobs", queue="mail", state="finished") == 1
    assert value(done, "libertum_chain_jobs", state="pending") == 0
    for source in ("rq", "chain_monitor", "chain_sync", "store"):
        assert value(done, "libertum_metrics_source_up", source=source) == 1, source
    assert value(done, "libertum_chain_head_block") >= 0
    assert ("libertum_chain_sync_lag", frozenset({("partition", "0")})) in done
