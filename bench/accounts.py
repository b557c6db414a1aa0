"""Sign-in speed, as a ratio measured in one run on a throw-away stack.

Sign-ins per second (GET the form, POST email and password: argon2id check, new session,
audit entry to MongoDB and Kafka) vs requests per second of a bare authenticated page
(`/auth/account`: session from Redis, user from MongoDB, a small template), both against the
web process's gunicorn settings with the same threads of Python clients. Rate limits are off
for the run. Goal: a sign-in POST under 300 ms (p95 with one client; the 8-client run shows
the throughput and how queueing on the machine's cores adds to it).

    .venv/bin/python -m bench.accounts
"""

from __future__ import annotations

import re
import statistics
import threading
import time

import requests

from bench.harness import gunicorn, stack_env

CLIENTS = 8
SECONDS = 8
PASSWORD = "a long benchmark passphrase"  # noqa: S105 (the bench accounts' throw-away password)
TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def run(work, seconds: float = SECONDS, clients: int = CLIENTS) -> tuple[float, list[float]]:
    """Run `work(n)` in `clients` threads for `seconds`; returns operations per second and latencies (ms)."""
    latencies: list[float] = []
    lock, stop = threading.Lock(), time.monotonic() + seconds

    def client(n: int) -> None:
        session = requests.Session()
        while time.monotonic() < stop:
            elapsed = work(n, session)
            with lock:
                latencies.append(elapsed)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return len(latencies) / (time.monotonic() - started), latencies


def main() -> None:
    with stack_env() as env:
        from app import create_app
        from app.data import init_db
        from app.data.mongo import get_db
        from app.domain.accounts.service import create_account
        from app.events.topics import create_topics

        app = create_app()
        with app.app_context():
            init_db(get_db())
            create_topics(env["KAFKA_BOOTSTRAP_SERVERS"])
            emails = [create_account({"email": f"bench{n}@example.com", "country_code": "+44",
                                      "mobile": f"77009{n:05d}", "legal_name": f"Bench {n}",
                                      "password": PASSWORD})["email"] for n in range(CLIENTS)]
        with gunicorn("wsgi:app", {**env, "RATELIMIT_ENABLED": "false"}) as url:

            def sign_in(n: int, session: requests.Session) -> float:
                session.cookies.clear()
                token = TOKEN.search(session.get(url + "/auth/login").text).group(1)
                started = time.perf_counter()
                response = session.post(url + "/auth/login", allow_redirects=False,
                                        data={"csrf_token": token, "email": emails[n], "password": PASSWORD})
                assert response.status_code == 303, response.status_code
                return (time.perf_counter() - started) * 1000

            def account_page(n: int, session: requests.Session) -> float:
                if "session" not in session.cookies:
                    sign_in(n, session)
                started = time.perf_counter()
                response = session.get(url + "/auth/account", allow_redirects=False)
                assert response.status_code == 200, response.status_code
                return (time.perf_counter() - started) * 1000

            run(account_page, 1)  # warm up workers and connections
            _, alone_ms = run(sign_in, 3, clients=1)
            login_rate, login_ms = run(sign_in)
            page_rate, page_ms = run(account_page)
    p95 = statistics.quantiles(alone_ms, n=20)[18]
    print(f"sign-in alone: POST median {statistics.median(alone_ms):.0f} ms, p95 {p95:.0f} ms")
    print(f"sign-in: {login_rate:.1f}/s, POST median {statistics.median(login_ms):.0f} ms ({CLIENTS} clients)")
    print(f"bare authenticated page: {page_rate:.1f} req/s, median {statistics.median(page_ms):.1f} ms")
    print(f"ratio sign-in / authenticated page: {login_rate / page_rate:.3f} "
          f"(1 sign-in costs about {page_rate / login_rate:.0f} page views)")
    print("goal: a sign-in POST under 300 ms:", "met" if p95 < 300 else "NOT met", "(p95, one client)")


if __name__ == "__main__":
    main()
