"""Connect webhook signatures: DocuSign's HMAC shape, any key against any header (rotation), tampering refused."""

import base64
import hashlib
import hmac

from app.providers.docusign import bearer_token, connect_signature, signed_delivery, verify_connect

OLD, NEW, OTHER = "o" * 40, "n" * 40, "x" * 40


def test_the_signature_is_base64_hmac_sha256_of_the_raw_body():
    body = b'{"event":"envelope-completed"}'
    expected = base64.b64encode(hmac.new(NEW.encode(), body, hashlib.sha256).digest()).decode()
    assert connect_signature(NEW, body) == expected


def test_one_header_per_signing_key_numbered_from_one():
    _body, headers = signed_delivery([NEW, OLD], {"event": "envelope-sent"})
    assert sorted(h for h in headers if h.startswith("X-DocuSign-Signature-")) == [
        "X-DocuSign-Signature-1", "X-DocuSign-Signature-2"]


def test_any_configured_key_matching_any_header_is_accepted():
    body, headers = signed_delivery([OLD], {"event": "envelope-completed"})
    assert verify_connect([NEW, OLD], body, headers)  # rotation: the old key is still listed
    body, headers = signed_delivery([OTHER, NEW], {"event": "envelope-completed"})
    assert verify_connect([NEW], body, headers)  # the matching signature is in the second header


def test_a_removed_key_an_altered_body_or_no_signature_is_refused():
    body, headers = signed_delivery([OLD], {"event": "envelope-completed"})
    assert not verify_connect([NEW], body, headers)
    assert not verify_connect([OLD], body.replace(b"completed", b"declined"), headers)
    assert not verify_connect([OLD], body, {"Content-Type": "application/json"})
    assert not verify_connect([], body, headers)


def test_bearer_token_is_read_from_the_authorization_header_only():
    assert bearer_token({"Authorization": "Bearer abc"}) == "abc"
    assert bearer_token({"Authorization": "Basic abc"}) == ""
    assert bearer_token({}) == ""
