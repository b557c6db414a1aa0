"""Sumsub request and webhook signatures: what the provider computes, and every alteration refused."""

import hashlib
import hmac
import json

import pytest

from app.providers.sumsub import (
    payload_digest,
    request_signature,
    signed_webhook,
    verify_request,
    verify_webhook,
)

SECRET = "webhook-secret-of-at-least-32-characters!"


def test_request_signature_is_hmac_sha256_over_ts_method_path_and_body():
    body = b'{"externalUserId":"u1"}'
    expected = hmac.new(b"app-secret", b"1700000000POST/resources/applicants?levelName=basic" + body,
                        hashlib.sha256).hexdigest()
    signature = request_signature("app-secret", 1700000000, "post", "/resources/applicants?levelName=basic", body)
    assert signature == expected


def test_verify_request_accepts_a_fresh_signed_request_and_refuses_changes():
    body = b"{}"
    headers = {"X-App-Token": "tok", "X-App-Access-Ts": "1000",
               "X-App-Access-Sig": request_signature("s", 1000, "POST", "/p?x=1", body)}
    assert verify_request("s", "tok", headers, "POST", "/p?x=1", body, now=1000)
    assert not verify_request("s", "tok", headers, "POST", "/p?x=2", body, now=1000)
    assert not verify_request("s", "tok", headers, "POST", "/p?x=1", b"{ }", now=1000)
    assert not verify_request("s", "other", headers, "POST", "/p?x=1", body, now=1000)
    assert not verify_request("s", "tok", headers, "POST", "/p?x=1", body, now=1000 + 301)  # stale timestamp


@pytest.mark.parametrize("alg, digestmod", [("HMAC_SHA1_HEX", hashlib.sha1), ("HMAC_SHA256_HEX", hashlib.sha256),
                                            ("HMAC_SHA512_HEX", hashlib.sha512)])
def test_webhook_digest_follows_the_named_algorithm(alg, digestmod):
    raw = b'{"type":"applicantReviewed"}'
    assert payload_digest(SECRET, raw, alg) == hmac.new(SECRET.encode(), raw, digestmod).hexdigest()
    assert verify_webhook(SECRET, raw, payload_digest(SECRET, raw, alg), alg)


def test_webhook_altered_forged_or_unknown_algorithm_is_refused():
    body, headers = signed_webhook(SECRET, {"applicantId": "a1", "type": "applicantReviewed"})
    digest, alg = headers["X-Payload-Digest"], headers["X-Payload-Digest-Alg"]
    assert verify_webhook(SECRET, body, digest, alg)
    assert not verify_webhook(SECRET, body.replace(b"a1", b"a2"), digest, alg)
    assert not verify_webhook("another-secret-of-at-least-32-chars!!", body, digest, alg)
    assert not verify_webhook(SECRET, body, digest, "MD5")
    assert not verify_webhook(SECRET, body, None, alg)
    assert json.loads(body)["applicantId"] == "a1"
