"""Request protection: rate limits with Retry-After and no lasting lockout, operator injection, no 500 on bad input."""

import json

import pytest

from app.extensions import redis_client
from tests.fixtures.accounts import PASSWORD, csrf, login, post


def test_sign_in_is_rate_limited_per_address_with_retry_after(app, investor):
    client = app.test_client()
    for _ in range(10):
        assert post(client, "/auth/login", {"email": investor["email"], "password": "wrong wrong wrong"}
                    ).status_code == 401
    limited = post(client, "/auth/login", {"email": investor["email"], "password": PASSWORD})
    assert limited.status_code == 429
    assert 0 < int(limited.headers["Retry-After"]) <= 900  # this account from this address: 10 per 15 minutes
    assert "Too many requests" in limited.text
    # no lasting lockout: the counters are Redis keys that expire with their window
    keys = redis_client.get().keys("*ratelimit*")
    assert keys and all(0 < redis_client.get().ttl(key) <= 3600 for key in keys)
    # the real user, from elsewhere, still gets in
    elsewhere = app.test_client()
    elsewhere.environ_base["REMOTE_ADDR"] = "10.0.0.7"
    assert login(elsewhere, investor).status_code == 303


@pytest.mark.parametrize(("path", "data", "limit"), [
    ("/auth/signup", {"email": "x"}, 10),
    ("/auth/forgot", {"email": "x@example.com"}, 3),  # per email; 5 per hour per address
    ("/auth/login/code", {"code": "123456"}, 10),
])
def test_other_sensitive_forms_are_limited(app, path, data, limit):
    client = app.test_client()
    codes = [post(client, path, data).status_code for _ in range(limit + 1)]
    assert 429 not in codes[:limit] and codes[limit] == 429


def test_limits_can_be_switched_off(services):
    from app import create_app
    app = create_app({"RATELIMIT_ENABLED": False})
    with app.app_context():
        client = app.test_client()
        assert all(client.post("/auth/forgot").status_code != 429 for _ in range(8))


INJECTIONS = [{"$ne": None}, {"$gt": ""}, {"$regex": ".*"}, ["a", "b"]]


@pytest.mark.parametrize("value", INJECTIONS)
def test_json_operator_injection_never_reaches_a_query(client, investor, value):
    token = csrf(client)
    response = client.post("/auth/login", data=json.dumps({"email": value, "password": value}),
                           content_type="application/json", headers={"X-CSRFToken": token})
    assert response.status_code == 422
    assert client.get("/auth/account").status_code == 302


@pytest.mark.parametrize("body", ['{"email": {"$ne": null}', "[1, 2]", '"text"', "null", "\xff\xfe"])
def test_malformed_json_bodies_get_a_clear_refusal(client, body):
    token = csrf(client)
    response = client.post("/auth/login", data=body, content_type="application/json",
                           headers={"X-CSRFToken": token})
    assert response.status_code in (400, 422)


def test_form_operator_injection_is_just_text(client, investor):
    response = post(client, "/auth/login", {"email[$ne]": "", "password[$ne]": "", "email": '{"$ne": null}',
                                            "password": '{"$ne": null}'})
    assert response.status_code == 422
    response = post(client, "/auth/forgot", {"email": '{"$gt": ""}'})
    assert response.status_code == 422


@pytest.mark.parametrize(("path", "data"), [
    ("/auth/signup", {"email": "a" * 5000, "mobile": "\x00", "country_code": "+" * 50, "legal_name": "\u202e",
                      "password": "p" * 10000}),
    ("/auth/login", {"email": "ä@ö.example", "password": "\x00\u202e"}),
    ("/auth/forgot", {"email": ""}),
    ("/auth/reset/%00", {"password": "x"}),
    ("/auth/verify-email/..%2F..%2Fetc", {}),
])
def test_odd_input_never_gives_500(client, path, data):
    assert post(client, path, data).status_code < 500


def test_next_parameter_cannot_send_people_elsewhere(client, investor):
    token = csrf(client)
    response = client.post("/auth/login?next=https://evil.example/", data={
        "csrf_token": token, "email": investor["email"], "password": PASSWORD})
    assert response.headers["Location"] == "/auth/account"
