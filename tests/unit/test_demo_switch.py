"""make run seeds the demo in development unless LIBERTUM_DEMO turns it off, and never in another environment."""

import pytest

from infra.demo import enabled, where


@pytest.mark.parametrize(("environ", "on"), [
    ({}, True),
    ({"LIBERTUM_DEMO": "1"}, True),
    ({"LIBERTUM_DEMO": "0"}, False),
    ({"LIBERTUM_DEMO": "off"}, False),
    ({"LIBERTUM_DEMO": "False"}, False),
    ({"LIBERTUM_ENV": "production"}, False),
    ({"LIBERTUM_ENV": "production", "LIBERTUM_DEMO": "1"}, False),
    ({"LIBERTUM_ENV": "test"}, False),
])
def test_the_demo_switch(environ, on):
    assert enabled(environ) is on


def test_the_ready_message_names_the_password_and_the_sandbox_index():
    text = where({"DEMO_PASSWORD": "demo-abc123def456", "SANDBOX_HTTP_PORT": "9025"}, 8001)
    assert "http://127.0.0.1:8001/auth/login" in text
    assert "demo-abc123def456" in text
    assert "http://127.0.0.1:9025/" in text
