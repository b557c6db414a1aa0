"""The gateway's cost and its failover, measured in one run with 1,000 offerings.

1. Marketplace throughput (`/offerings`, 32 connections, wrk, best of 5 runs taken in turns) through nginx
   with two gunicorn instances against one instance directly. Goal on two cores: ratio >= 0.9 (no loss).
   Measured three ways: as anonymous visitors send it (the gateway's page cache shares the catalogue for
   GATEWAY_PAGE_CACHE_SECONDS); as a signed-in investor sends it (their session cookie: every request reaches
   an instance, which renders the page for them); and, the worst case for the ratio, anonymous with some
   cookie (every request reaches an instance, which serves its cheapest page: its own in-process copy).
2. Latency the gateway adds: `/healthz` over one connection, p50 and p99 via nginx minus direct.
3. Failover: wrk on `/offerings` through the gateway for 8 s (with a cookie, so every request reaches an
   instance), one instance killed (-9) after 3 s; failed requests (socket errors, non-2xx) during the run.

    .venv/bin/python -m bench.gateway
"""

from __future__ import annotations

import os
import re
import secrets
import signal
import subprocess
import tempfile
import time
from pathlib import Path

import requests

from bench.harness import gunicorn, stack_env, wrk_best
from bench.marketplace import seed
from infra.gateway import GatewayConfig, topology
from tests.fixtures.processes import free_port

UNITS_MS = {"us": 0.001, "ms": 1, "s": 1000}
ROUNDS = 5


def _ms(out: str, percentile: str) -> float:
    value, unit = re.search(rf"{percentile}%\s+([\d.]+)(us|ms|s)", out).groups()
    return float(value) * UNITS_MS[unit]


def latency(url: str, seconds: int = 4) -> tuple[float, float]:
    """p50 and p99 in ms over one connection (the request's own time, no queueing)."""
    out = subprocess.run(["wrk", "-t1", "-c1", f"-d{seconds}s", "--latency", url], capture_output=True, text=True,
                         check=True).stdout
    return _ms(out, "50"), _ms(out, "99")


def failover(gateway, path: str = "/offerings", seconds: int = 8, kill_after: float = 3) -> dict[str, int]:
    # --timeout 10s: on a busy machine a slow answer is not a failed one
    # with a cookie: every request reaches an instance (served from the page cache it would not meet the kill)
    run = subprocess.Popen(["wrk", "-t2", "-c16", f"-d{seconds}s", "--timeout", "10s", "-H", "Cookie: visitor=1",
                            gateway.url + path],
                           stdout=subprocess.PIPE, text=True)
    time.sleep(kill_after)
    victim = gateway.instances[gateway.config.instance_ports[0]]
    os.killpg(victim.pid, signal.SIGKILL)
    out = run.communicate()[0]
    total = int(re.search(r"(\d+) requests in", out).group(1))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    sockets = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    kinds = dict(zip(("connect", "read", "write", "timeout"), map(int, sockets.groups()), strict=True)) if sockets \
        else {}
    return {"requests": total, "non_2xx": int(non_2xx.group(1)) if non_2xx else 0, "socket_errors": kinds}


def _in_turns(direct: str, through: str, headers: dict[str, str] | None = None) -> tuple[dict, dict]:
    """Best of ROUNDS runs of each, taken in turns, so a busy neighbour on the machine weighs on both alike."""
    turns = [(wrk_best(direct, runs=1, headers=headers), wrk_best(through, runs=1, headers=headers))
             for _ in range(ROUNDS)]
    best = [max((pair[side] for pair in turns), key=lambda r: r["rps"]) for side in (0, 1)]
    return best[0], best[1]


def _session_cookie(app, base: str) -> str:
    """A new investor signed in through the sign-in form, as a browser would: their session cookie."""
    from app.domain.accounts import service as accounts  # imported once stack_env has set the settings

    email, password = "bench.investor@example.com", secrets.token_urlsafe(16)
    with app.app_context():
        accounts.create_account({"email": email, "country_code": "+44", "mobile": "7700900999",
                                 "legal_name": "Bench Investor", "password": password, "user_type": "investor"})
    browser = requests.Session()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', browser.get(base + "/auth/login").text)
    answer = browser.post(base + "/auth/login", data={"csrf_token": token.group(1), "email": email,
                                                      "password": password}, allow_redirects=False)
    if answer.status_code != 303:
        raise RuntimeError(f"the bench investor could not sign in: {answer.status_code}")
    return "; ".join(f"{name}={value}" for name, value in browser.cookies.items())


def main() -> None:
    with stack_env() as env:
        from app import create_app
        from app.data import init_db
        from app.data.mongo import get_db

        app = create_app()
        with app.app_context():
            init_db(get_db())
            seed(get_db())
        base = Path(tempfile.mkdtemp(prefix="libertum-gateway-bench-"))
        config = GatewayConfig(base=base, port=free_port(), instance_ports=[free_port(), free_port()],
                               rate=100_000, burst=100_000, connections=10_000)
        # The direct instance runs as each instance behind the gateway does (multiprocess metrics on), so the
        # ratio is the gateway's cost alone. Both stay up and are measured in turns.
        direct_metrics = base / "direct-metrics"
        direct_metrics.mkdir()
        with gunicorn("wsgi:app", {**env, "PROMETHEUS_MULTIPROC_DIR": str(direct_metrics)}) as direct, \
                topology(env, config, instance_access_log=False) as gateway:  # as the direct one: nginx logs
            for url in (direct, gateway.url):
                wrk_best(url + "/offerings", runs=1, seconds=2)  # warm up
            anonymous = _in_turns(direct + "/offerings", gateway.url + "/offerings")
            investor = {"Cookie": _session_cookie(app, direct)}  # sessions live in Redis: good on every instance
            signed_in = _in_turns(direct + "/offerings", gateway.url + "/offerings", investor)
            # any cookie makes nginx pass the request on
            with_cookie = _in_turns(direct + "/offerings", gateway.url + "/offerings", {"Cookie": "visitor=1"})
            direct_p50, direct_p99 = latency(direct + "/healthz")
            via_p50, via_p99 = latency(gateway.url + "/healthz")
            failed = failover(gateway)

    for label, (alone, through) in (("anonymous visitors (page cache on)", anonymous),
                                    ("a signed-in investor (rendered for them)", signed_in),
                                    ("anonymous with a cookie (reaches an instance, cheapest page)", with_cookie)):
        print(f"{label}: one instance directly {alone['rps']:.0f} req/s (p99 {alone['p99_ms']:.1f} ms), "
              f"gateway + two instances {through['rps']:.0f} req/s (p99 {through['p99_ms']:.1f} ms, "
              f"non-2xx {through['non_2xx']}); ratio {through['rps'] / alone['rps']:.2f} (goal >= 0.9)")
    print(f"added latency (/healthz, one connection): p50 {via_p50 - direct_p50:+.2f} ms "
          f"({direct_p50:.2f} -> {via_p50:.2f}), p99 {via_p99 - direct_p99:+.2f} ms "
          f"({direct_p99:.2f} -> {via_p99:.2f})")
    print(f"failover (kill -9 of one instance during 8 s of load): {failed['requests']} requests, "
          f"{failed['non_2xx']} non-2xx, socket errors {failed['socket_errors'] or 'none'}")


if __name__ == "__main__":
    main()
