"""EIP-4361 messages: the exact text, strict parsing, and every way a signature is refused."""

from datetime import UTC, datetime, timedelta

import pytest
from eth_account import Account
from eth_account.messages import encode_defunct

from app.domain.onboarding import siwe

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
KEY = Account.from_key("0x" + "11" * 32)
OTHER = Account.from_key("0x" + "22" * 32)


def message(address=KEY.address, **overrides):
    fields = {"domain": "app.example", "address": address, "uri": "https://app.example", "chain_id": 31337,
              "nonce": "abcdef0123456789", "issued_at": NOW, "expires_at": NOW + timedelta(minutes=5), **overrides}
    return siwe.build(**fields).text()


def sign(text, account=KEY):
    return "0x" + bytes(account.sign_message(encode_defunct(text=text)).signature).hex()


def verify(text, signature, **expected):
    return siwe.verify(text, signature, **{"domain": "app.example", "uri": "https://app.example",
                                           "chain_id": 31337, "now": NOW, **expected})


def test_message_text_follows_the_eip():
    assert message().split("\n") == [
        "app.example wants you to sign in with your Ethereum account:", KEY.address, "", siwe.STATEMENT, "",
        "URI: https://app.example", "Version: 1", "Chain ID: 31337", "Nonce: abcdef0123456789",
        "Issued At: 2026-11-25T10:00:00Z", "Expiration Time: 2026-11-25T10:05:00Z"]


def test_a_good_signature_verifies_and_parses_back():
    text = message(address=KEY.address.lower())  # built messages carry the checksum address
    parsed = verify(text, sign(text))
    assert parsed.address == KEY.address and parsed.nonce == "abcdef0123456789"


@pytest.mark.parametrize("tamper, complaint", [
    (lambda t: t, "not made by this wallet"),
    (lambda t: t.replace("Chain ID: 31337", "Chain ID: 1"), "another site or chain"),
    (lambda t: t.replace("app.example wants", "evil.example wants"), "another site or chain"),
    (lambda t: t.replace("Nonce: abcdef0123456789", "Nonce: x"), "not a Sign-In with Ethereum message"),
])
def test_wrong_signer_or_edited_messages_are_refused(tamper, complaint):
    text = message()
    signature = sign(text, OTHER) if complaint.startswith("not made") else sign(text)
    with pytest.raises(siwe.SiweError, match=complaint):
        verify(tamper(text), signature)


def test_expired_message_and_garbage_signature_are_refused():
    text = message(expires_at=NOW - timedelta(seconds=1))
    with pytest.raises(siwe.SiweError, match="expired"):
        verify(text, sign(text))
    with pytest.raises(siwe.SiweError, match="could not be read"):
        verify(message(), "0x1234")
