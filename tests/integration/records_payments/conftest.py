"""Payments received in the transactions record: the payment suite's investors and orders
(tests/fixtures/payment_suite.py)."""

from tests.fixtures.payment_suite import admin, hot, investor, offering, place, suite, usd  # noqa: F401 - fixtures
