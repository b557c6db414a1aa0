"""Hostile values the probe sent, at the pure layer: each is refused with a reason, none raises an unexpected error."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from cryptography.fernet import Fernet
from eth_account import Account
from eth_account.messages import encode_defunct

from app.blueprints.auth import local_path
from app.domain.accounts import two_factor
from app.domain.marketplace import query as market_query
from app.domain.onboarding import sensitive, siwe
from app.domain.orders import rules as order_rules
from app.domain.platform import numerals
from app.providers import payloads
from app.providers.sumsub import payload_digest, verify_webhook

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
KEY = Account.from_key("0x" + "11" * 32)
UNICODE_DIGITS = ["²", "¹²", "１２", "١٢", "১২", "𝟏𝟐", "12²"]


@pytest.mark.parametrize(("typed", "cents"), [("1,250.00", 125000), ("1250", 125000), ("1250.5", 125050),
                                              ("$1,250", 125000), ("12,500,000", 1_250_000_000), ("0.05", 5)])
def test_money_is_read_in_the_formats_people_type(typed, cents):
    assert order_rules.parse_money(typed) == cents


@pytest.mark.parametrize("typed", ["10,5", "1,25", "1,2500", ",100", "100,", "1.234", "-5", "1e3", "$-1",
                                   "1 250", *UNICODE_DIGITS, "12\x00", "1" * 14])
def test_money_in_other_shapes_is_refused_not_misread(typed):
    """ "10,5" once became $105 (commas were dropped anywhere): a comma separates thousands or it is refused."""
    assert order_rules.parse_money(typed) is None
    assert "1,250.00" in numerals.MONEY_FORMAT  # the refusal message says the format


@pytest.mark.parametrize("typed", [*UNICODE_DIGITS, "1,25", "+3", " "])
def test_whole_numbers_are_ascii_digits_only(typed):
    assert order_rules.parse_tokens(typed) is None and numerals.parse_int(typed) is None
    assert not numerals.is_digits(typed)


def test_a_superscript_page_number_falls_back_to_the_first_page():
    assert market_query.parse({"page": "²"}).page == 1 and market_query.parse({"page": "3"}).page == 3
    query = market_query.parse({"min_yield": "７", "max_min_investment": "10,5"})
    assert query.min_yield_bps is None and query.max_min_investment is None and len(query.problems) == 2


@pytest.mark.parametrize("code", ["１２３４５６", "²²²²²²", "١٢٣٤٥٦"])
def test_two_factor_codes_in_other_digits_do_not_match(code):
    assert two_factor.matching_step("JBSWY3DPEHPK3PXP", code, now=NOW.timestamp()) is None


@pytest.mark.parametrize("target", ["/\t/evil.example/phish", "/\t/evil.example", "//evil.example", "/\\evil.example",
                                    "/a\r\nSet-Cookie: x=1", "/a\nb", "https://evil.example", "/\x00", "evil.example",
                                    "/\u202eelpmaxe.live", " /x", "/x y"])
def test_next_refuses_anything_a_browser_could_read_as_another_site_or_that_splits_a_header(target):
    assert local_path(target) is None


@pytest.mark.parametrize("target", ["/portfolio/", "/offerings/abc?tab=docs#x", "/offerings?q=a%20b"])
def test_next_keeps_paths_on_this_site(target):
    assert local_path(target) == target


def _message(expiry: str) -> str:
    text = siwe.build("app.example", KEY.address, "https://app.example", 31337, "abcdef0123456789", NOW, NOW).text()
    return text.replace("Expiration Time: 2026-11-25T10:00:00Z", f"Expiration Time: {expiry}")


def _verify(text: str, signature: str):
    return siwe.verify(text, signature, domain="app.example", uri="https://app.example", chain_id=31337,
                       now=datetime(2026, 11, 25, 9, 0, tzinfo=UTC))


def test_a_wallet_message_whose_expiry_names_no_time_zone_is_refused():
    text = _message("2026-11-25T10:00:00")
    signature = "0x" + bytes(KEY.sign_message(encode_defunct(text=text)).signature).hex()
    with pytest.raises(siwe.SiweError, match="time zone"):
        _verify(text, signature)


@pytest.mark.parametrize("signature", ["0x", "", "0x00", "zz", "0x" + "00" * 65, "0x" + "ff" * 65, "0x" + "ab" * 64])
def test_unreadable_signatures_are_refused_with_a_message(signature):
    with pytest.raises(siwe.SiweError, match="could not be read"):
        _verify(_message("2026-11-25T10:00:00Z"), signature)


def test_a_huge_chain_id_is_not_a_message():
    text = _message("2026-11-25T10:00:00Z").replace("Chain ID: 31337", "Chain ID: " + "9" * 5000)
    with pytest.raises(siwe.SiweError):
        siwe.parse(text)


def test_a_non_ascii_webhook_digest_is_a_mismatch_not_an_error():
    body = b'{"a":1}'
    assert verify_webhook("secret", body, "é" * 64, "HMAC_SHA256_HEX") is False
    assert verify_webhook("secret", body, payload_digest("secret", body), "HMAC_SHA256_HEX") is True


def test_a_body_nested_deeper_than_the_bound_is_refused_before_parsing():
    deep = b"[" * 100_000 + b"]" * 100_000
    assert payloads.depth(deep) == 100_000
    with pytest.raises(payloads.BadPayload, match="deeper"):
        payloads.load_object(b'{"a":' + deep + b"}")
    assert payloads.depth(b'{"s": "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[", "t": "\\"{{"}') == 1


@pytest.mark.parametrize("body", [b"[]", b'"text"', b"3", b'{"a.b": 1}', b'{"$where": 1}', b'{"a": [[1]]}',
                                  b'{"a": NaN}', b'{"a": 1e999}', b'{"a": 99999999999999999999}', b"\xff\xfe"])
def test_bodies_that_cannot_be_read_or_stored_are_refused(body):
    with pytest.raises(payloads.BadPayload):
        payloads.load_object(body)


def test_a_plain_object_passes():
    assert payloads.load_object(json.dumps({"type": "applicantReviewed", "list": [1, {"x": [2]}]}).encode())


def test_a_typed_value_that_looks_like_ciphertext_is_still_encrypted():
    """Stored as typed, "enc:v1:x" failed to decrypt and every page showing the applicant answered 500."""
    key = Fernet.generate_key().decode()
    stored = sensitive.encrypt_fields(key, {"nationalIdNumber": "enc:v1:not-a-token"})
    assert stored["nationalIdNumber"] != "enc:v1:not-a-token"
    assert sensitive.reveal_fields(key, stored, clear=True) == {"nationalIdNumber": "enc:v1:not-a-token"}
    assert sensitive.encrypt_fields(key, stored) == stored  # real ciphertext is never encrypted twice
