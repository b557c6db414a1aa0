"""The gateway as a client meets it: routing, request id, client address, static files, headers, /readyz."""

from __future__ import annotations

import gzip
import json

import requests

from tests.fixtures.processes import wait_for
from tests.integration.gateway.conftest import client_from, form_post

# The sign-in page is never shared between visitors (test_page_cache.py), so every request reaches an instance.
PAGE = "/auth/login"


def test_pages_are_routed_to_the_instances_with_a_request_id(gateway):
    answer = requests.get(gateway.url + PAGE, timeout=10)
    assert answer.status_code == 200
    generated = answer.headers["X-Request-ID"]
    assert len(generated) >= 8
    mine = requests.get(gateway.url + PAGE, headers={"X-Request-ID": "trace-abc-12345"}, timeout=10)
    assert mine.headers["X-Request-ID"] == "trace-abc-12345"
    bad = requests.get(gateway.url + PAGE, headers={"X-Request-ID": "no spaces <allowed>"}, timeout=10)
    assert bad.headers["X-Request-ID"] != "no spaces <allowed>"
    log = gateway.logs / "nginx-access.log"
    line = wait_for(lambda: next((json.loads(raw) for raw in log.read_text().splitlines()
                                  if "trace-abc-12345" in raw), None), 10, "the access log line")
    assert line["status"] == 200 and line["path"] == PAGE and line["upstream"].startswith("127.0.0.1:")
    assert float(line["upstream_ms"]) >= 0


def test_both_instances_serve(gateway):
    requests.get(gateway.url + "/readyz", timeout=10)
    for _ in range(30):
        requests.get(gateway.url + PAGE, timeout=10)
    both = {f"127.0.0.1:{port}" for port in gateway.config.instance_ports}

    def served() -> set[str]:  # nginx flushes its access log every second
        return {json.loads(raw)["upstream"] for raw in (gateway.logs / "nginx-access.log").read_text().splitlines()
                if f'"path":"{PAGE}"' in raw}

    wait_for(lambda: served() == both, 10, "both instances in the access log")


def test_readiness_through_the_gateway_lists_every_instance(gateway):
    answer = requests.get(gateway.url + "/readyz", timeout=20)
    assert answer.status_code == 200, answer.text
    instances = answer.json()["instances"]
    assert sorted(i["url"] for i in instances) == sorted(gateway.instance_url(p) for p in gateway.config.instance_ports)
    assert all(i["up"] for i in instances)


def test_metrics_are_not_exposed_by_the_gateway(gateway):
    assert requests.get(gateway.url + "/metrics", timeout=10).status_code == 404
    direct = requests.get(gateway.instance_url(gateway.config.instance_ports[0]) + "/metrics", timeout=20)
    assert direct.status_code == 200 and "libertum_http_requests_total" in direct.text


def test_static_files_come_from_nginx_cached_and_compressed(gateway):
    answer = requests.get(gateway.url + "/static/css/app.css", headers={"Accept-Encoding": "gzip"}, timeout=10,
                          stream=True)
    assert answer.status_code == 200
    assert answer.headers["X-Served-By"] == "gateway"
    assert "max-age=2592000" in answer.headers["Cache-Control"]
    assert answer.headers["Content-Encoding"] == "gzip"
    raw = answer.raw.read()
    with open("app/static/css/app.css", "rb") as source:
        assert gzip.decompress(raw) == source.read()
    assert requests.get(gateway.url + "/static/nothing-here.css", timeout=10).status_code == 404


def test_security_headers_are_set_once(gateway):
    for path in ("/", "/static/css/app.css", "/auth/login"):
        answer = requests.get(gateway.url + path, timeout=10, stream=True)
        headers = answer.raw.headers  # urllib3's: repeated headers stay separate
        once = ("X-Content-Type-Options", "Referrer-Policy", "X-Request-ID", *(("Cache-Control",) if "static" in path
                                                                              else ()))
        for name in once:
            assert len(headers.getlist(name)) == 1, (path, name, headers.getlist(name))
    assert "Content-Security-Policy" in requests.get(gateway.url + "/", timeout=10).headers


def test_rate_limits_key_on_the_client_behind_the_gateway_not_on_a_forged_header(gateway):
    base, first, second = gateway.url, client_from("127.0.0.2"), client_from("127.0.0.3")
    # sign-up allows 10 per hour per address; a forged X-Forwarded-For does not buy a new bucket
    first.headers["X-Forwarded-For"] = "10.1.2.3"
    codes = [form_post(first, base, "/auth/signup", {"email": "x"}).status_code for _ in range(11)]
    assert 429 not in codes[:10] and codes[10] == 429
    first.headers["X-Forwarded-For"] = "10.9.9.9"
    assert form_post(first, base, "/auth/signup", {"email": "x"}).status_code == 429
    # another client behind the same gateway keeps its own bucket
    assert form_post(second, base, "/auth/signup", {"email": "x"}).status_code != 429
