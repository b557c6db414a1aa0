"""An offering on the live token suite and settled orders of it (tests/fixtures/suite_offering.py), for the
transactions record's tests."""

from tests.fixtures.suite_offering import offering, token  # noqa: F401 - fixtures
