"""Hostile clients meet nginx, not the app: a burst from one address, slowloris, oversized headers and bodies.
Each time another client, from another address, is still served promptly."""

from __future__ import annotations

import socket
import time
from concurrent.futures import ThreadPoolExecutor

from tests.integration.gateway.conftest import client_from


def _served_promptly(gateway, source: str = "127.0.0.9") -> None:
    started = time.monotonic()
    answer = client_from(source).get(gateway.url + "/", timeout=10)
    assert answer.status_code == 200 and time.monotonic() - started < 3


def test_a_burst_of_1000_requests_from_one_address_is_limited(strict_gateway):
    hammer = client_from("127.0.0.4")
    with ThreadPoolExecutor(16) as pool:
        codes = list(pool.map(lambda _: hammer.get(strict_gateway.url + "/healthz", timeout=10).status_code,
                              range(1000)))
    assert codes.count(429) >= 800 and set(codes) <= {200, 429}
    _served_promptly(strict_gateway)


def _slow_socket(gateway, source: str) -> socket.socket:
    sock = socket.create_connection((gateway.config.host, gateway.config.port), timeout=10,
                                    source_address=(source, 0))
    sock.sendall(b"GET / HTTP/1.1\r\nHost: libertum\r\n")  # and never the blank line
    return sock


def test_slowloris_connections_are_capped_and_timed_out(strict_gateway):
    slow = [_slow_socket(strict_gateway, "127.0.0.5") for _ in range(strict_gateway.config.connections + 20)]
    try:
        _served_promptly(strict_gateway)
        # the server cuts each slow client after client_header_timeout (408 or a plain close)
        first = slow[0]
        first.settimeout(strict_gateway.config.client_timeout + 5)
        started = time.monotonic()
        answer = first.recv(1024)
        assert answer == b"" or answer.startswith(b"HTTP/1.1 408")
        assert time.monotonic() - started <= strict_gateway.config.client_timeout + 5
    finally:
        for sock in slow:
            sock.close()


def _slow_body(gateway, source: str) -> socket.socket:
    """A request whose headers arrived (so nginx counts it) and whose body trickles."""
    sock = socket.create_connection((gateway.config.host, gateway.config.port), timeout=10,
                                    source_address=(source, 0))
    sock.sendall(b"POST /auth/signup HTTP/1.1\r\nHost: libertum\r\nContent-Length: 100\r\n\r\nemail=")
    return sock


def test_more_connections_than_allowed_from_one_address_are_refused(strict_gateway):
    hammer = client_from("127.0.0.6")
    slow = [_slow_body(strict_gateway, "127.0.0.6") for _ in range(strict_gateway.config.connections)]
    time.sleep(0.5)  # nginx has read every one's headers
    try:
        assert hammer.get(strict_gateway.url + "/healthz", timeout=10).status_code == 429
        _served_promptly(strict_gateway)
    finally:
        for sock in slow:
            sock.close()


def test_an_oversized_header_is_refused(strict_gateway):
    answer = client_from("127.0.0.7").get(strict_gateway.url + "/", headers={"Cookie": "a=" + "x" * 20000},
                                          timeout=10)
    assert answer.status_code in (400, 431, 494)
    _served_promptly(strict_gateway)


def test_an_oversized_body_is_refused_before_it_is_read(strict_gateway):
    limit = strict_gateway.config.body_limit
    with socket.create_connection((strict_gateway.config.host, strict_gateway.config.port), timeout=10,
                                  source_address=("127.0.0.8", 0)) as sock:
        sock.sendall(f"POST /auth/signup HTTP/1.1\r\nHost: libertum\r\nContent-Type: application/x-www-form-urlencoded"
                     f"\r\nContent-Length: {limit + 1}\r\n\r\n".encode())
        assert sock.recv(1024).startswith(b"HTTP/1.1 413")
    _served_promptly(strict_gateway)
