"""Fixtures for the atomicity tests: the payments suite's offering, orders and admin, and a thread race."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from tests.fixtures.payment_suite import admin, hot, offering, place, suite  # noqa: F401 - fixtures


def race(app, calls) -> list:
    """Run every call at the same moment, each in its own thread inside an app context; results or exceptions."""
    barrier = threading.Barrier(len(calls))

    def run(call):
        with app.app_context():
            barrier.wait()
            try:
                return call()
            except Exception as error:  # the tests assert which calls were refused, and how
                return error

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))
