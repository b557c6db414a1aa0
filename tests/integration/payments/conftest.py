"""Payments tests: the 18-decimal payment suite, its investors and orders (tests/fixtures/payment_suite.py)."""

from tests.fixtures.payment_suite import admin, hot, investor, offering, pay, place, suite, usd  # noqa: F401 - fixtures
