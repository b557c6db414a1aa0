"""Order placement speed, as a ratio measured in one run on a throw-away stack.

32 signed-in, whitelisted investors place orders at once in one offering (POST the confirmed
order form, each with a fresh idempotency key: insert, the offering's reservation lock, two
counters, the commit, the cache version bump; answered by a 303 to the order page) vs a bare
authenticated page (`/auth/account`: session from Redis, user from MongoDB, a small template),
both against the web process's gunicorn settings, with the same 32 threads of Python
clients. Reports requests per second, the ratio, and the p99 latency of each side.

    .venv/bin/python -m bench.orders
"""

from __future__ import annotations

import re
import secrets
import statistics

import requests

from bench.accounts import PASSWORD, TOKEN, run
from bench.harness import gunicorn, stack_env
from tests.factories import offering_doc

INVESTORS = 32
SECONDS = 8


def setup(env: dict) -> tuple[str, list[str]]:
    """An offering too large to sell out during the run, and INVESTORS approved investors; (offering id, emails)."""
    from bson import ObjectId
    from eth_account import Account

    from app import create_app
    from app.data import init_db, user_details
    from app.data.mongo import get_db
    from app.domain.accounts.service import create_account
    from app.events.topics import create_topics
    from tests.factories import list_offering

    app = create_app()
    with app.app_context():
        db = get_db()
        init_db(db)
        create_topics(env["KAFKA_BOOTSTRAP_SERVERS"])
        offering = list_offering(db, offering_doc(fee=150, details={
            "tokenSupply": 10**11, "maxTokenHolding": 10**9, "minInvestment": 100_00, "maxInvestment": 10**12}))
        emails = []
        for n in range(INVESTORS):
            user = create_account({"email": f"orders{n}@example.com", "country_code": "+44",
                                   "mobile": f"77008{n:05d}", "legal_name": f"Investor {n}", "password": PASSWORD})
            wallet = Account.create().address
            user_details.add_verified_wallet(db, user["_id"], wallet, "EIP-1193")
            db.whitelists.insert_one({"_id": ObjectId(), "userId": user["_id"], "offeringId": offering["_id"],
                                      "address": wallet, "status": "approved", "taStatus": "approved"})
            emails.append(user["email"])
    return str(offering["_id"]), emails


def main() -> None:
    with stack_env() as env:
        offering_id, emails = setup(env)
        with gunicorn("wsgi:app", {**env, "RATELIMIT_ENABLED": "false"}) as url:
            tokens: dict[int, str] = {}

            def sign_in(n: int, session: requests.Session) -> None:
                token = TOKEN.search(session.get(url + "/auth/login").text).group(1)
                response = session.post(url + "/auth/login", allow_redirects=False,
                                        data={"csrf_token": token, "email": emails[n], "password": PASSWORD})
                assert response.status_code == 303, response.status_code
                form = session.get(f"{url}/invest/{offering_id}/order").text
                tokens[n] = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)

            def timed(session: requests.Session, method: str, path: str, expect: int, **kwargs) -> float:
                response = session.request(method, url + path, allow_redirects=False, **kwargs)
                assert response.status_code == expect, (response.status_code, response.text[:300])
                return response.elapsed.total_seconds() * 1000

            def account_page(n: int, session: requests.Session) -> float:
                if n not in tokens or "session" not in session.cookies:
                    sign_in(n, session)
                return timed(session, "GET", "/auth/account", 200)

            def place_order(n: int, session: requests.Session) -> float:
                if n not in tokens or "session" not in session.cookies:
                    sign_in(n, session)
                form = {"csrf_token": tokens[n], "tokens": "1", "method": "fiat", "key": secrets.token_hex(16)}
                return timed(session, "POST", f"/invest/{offering_id}/order", 303, data=form)

            run(account_page, 2, clients=INVESTORS)  # warm up: sign everyone in, open connections
            page_rate, page_ms = run(account_page, SECONDS, clients=INVESTORS)
            order_rate, order_ms = run(place_order, SECONDS, clients=INVESTORS)
    p99 = statistics.quantiles(order_ms, n=100)[98]
    page_p99 = statistics.quantiles(page_ms, n=100)[98]
    print(f"bare authenticated page: {page_rate:.1f} req/s, median {statistics.median(page_ms):.1f} ms, "
          f"p99 {page_p99:.0f} ms ({INVESTORS} clients)")
    print(f"order placement: {order_rate:.1f} orders/s, median {statistics.median(order_ms):.1f} ms, "
          f"p99 {p99:.0f} ms ({INVESTORS} investors, one offering)")
    print(f"ratio placement / authenticated page: {order_rate / page_rate:.3f}")


if __name__ == "__main__":
    main()
