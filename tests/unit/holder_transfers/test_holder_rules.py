"""Holder transfers, the pure part: what an investor types (a pasted wallet address, a quantity with up to the
token's decimals) read exactly into base units, and each refusal said in plain words."""

from __future__ import annotations

import pytest
from eth_account import Account
from hypothesis import given
from hypothesis import strategies as st

from app.domain.compliance import checklist
from app.domain.compliance.checklist import Party, Suite
from app.domain.transfers import holder_rules
from app.domain.transfers.holder_rules import UINT256_MAX, InvalidInput, parse_quantity, parse_recipient
from app.formatting import units

ADDRESS = "0x52908400098527886E0F7030069857D2E4169EE7"


@pytest.mark.parametrize("typed", [ADDRESS, ADDRESS.lower(), ADDRESS.upper().replace("0X", "0x"),
                                   f"  {ADDRESS}\n", ADDRESS[2:], "0x52908400098527886e0f7030069857d2e4169Ee7"])
def test_a_pasted_address_is_read_whatever_its_case_and_spaces(typed):
    assert parse_recipient(typed) == ADDRESS


@pytest.mark.parametrize("typed", ["", "   ", "0x12", ADDRESS + "0", "0xZZ908400098527886E0F7030069857D2E4169EE7",
                                   "alice@example.com", "😀" * 40, "0x" + "é" * 40])
def test_a_malformed_address_gets_a_message(typed):
    with pytest.raises(InvalidInput) as refused:
        parse_recipient(typed)
    assert "wallet address" in str(refused.value)


@pytest.mark.parametrize(("typed", "decimals", "base"), [
    ("25", 0, 25), ("1,000", 0, 1000), ("2.5", 1, 25), ("2.50", 1, 25), (".5", 18, 5 * 10**17),
    ("1.000000000000000001", 18, 10**18 + 1), ("123 456.7", 2, 12_345_670), ("3.", 0, 3),
    ("10000000000000000000000", 18, 10**40),
])
def test_quantities_in_tokens_become_exact_base_units(typed, decimals, base):
    assert parse_quantity(typed, decimals) == base


@pytest.mark.parametrize(("typed", "decimals", "message"), [
    ("", 0, "how many"), ("0", 0, "above zero"), ("0.000", 3, "above zero"), ("-3", 0, "above zero"),
    ("2.5", 0, "whole tokens only"), ("1.0000001", 6, "at most 6 decimal places"), ("abc", 0, "such as 25"),
    ("1e5", 0, "such as 25"), (".", 2, "such as 25"), ("1.2.3", 2, "such as 25"), ("9" * 101, 0, "too large"),
    ("9" * 78, 0, "too large"), ("١٢", 0, "such as 25"), ("½", 0, "such as 25"),
])
def test_unreadable_quantities_say_what_to_type(typed, decimals, message):
    with pytest.raises(InvalidInput) as refused:
        parse_quantity(typed, decimals)
    assert message in str(refused.value)


@given(st.integers(min_value=1, max_value=UINT256_MAX), st.integers(min_value=0, max_value=18),
       st.booleans())
def test_any_amount_written_as_tokens_reads_back_exactly(base, decimals, grouping):
    assert parse_quantity(units(base, decimals, exact=True, grouping=grouping), decimals) == base
    assert parse_quantity(units(base, decimals, grouping=grouping), decimals) == base


@given(st.integers(min_value=0, max_value=10**30), st.integers(min_value=1, max_value=18),
       st.integers(min_value=1, max_value=8))
def test_more_decimals_than_the_token_has_are_refused(whole, decimals, extra):
    fraction = "1".rjust(decimals + extra, "0")
    with pytest.raises(InvalidInput):
        parse_quantity(f"{whole}.{fraction}", decimals)


@given(st.text(max_size=120))
def test_any_text_is_read_or_refused_with_a_message(text):
    for decimals in (0, 6, 18):
        try:
            base = parse_quantity(text, decimals)
        except InvalidInput as refused:
            assert str(refused)
        else:
            assert 0 < base <= UINT256_MAX
    try:
        parse_recipient(text)
    except InvalidInput as refused:
        assert str(refused)


def test_the_transaction_hash_is_checked_and_kept_in_lower_case():
    assert holder_rules.parse_tx_hash(" 0x" + "AB" * 32 + " ") == "0x" + "ab" * 32
    for bad in ("", "0x12", "0x" + "g" * 64, None):
        with pytest.raises(InvalidInput):
            holder_rules.parse_tx_hash(bad)


def test_not_to_oneself_whatever_the_case():
    mine = [Account.create().address, ADDRESS]
    assert not holder_rules.not_to_self(mine, ADDRESS.lower()).passed
    assert holder_rules.not_to_self(mine, Account.create().address).passed


def _party(**fields) -> Party:
    base = {"wallet": Account.create().address, "identity": "0x" + "11" * 20, "verified": True, "country": 250,
            "balance": 100, "holder": "", "identity_balance": 100, "kyc_valid": True}
    return Party(**{**base, **fields})


SUITE = Suite(allowed_countries=frozenset({250}))


@pytest.mark.parametrize(("suite", "sender", "to", "amount", "key", "words"), [
    (SUITE, {}, {"identity": None, "verified": False, "identity_balance": 0}, 5, "registered", "not registered"),
    (SUITE, {}, {"verified": False}, 5, "claim", "no valid identity claim"),
    (SUITE, {}, {"country": 840}, 5, "country", "country is not allowed"),
    (Suite(paused=True, allowed_countries=frozenset({250})), {}, {}, 5, "paused", "paused"),
    (SUITE, {"locked": 80}, {}, 30, "lockup", "locked up"),
    (SUITE, {"frozen_tokens": 90}, {}, 30, "balance", "unfrozen tokens"),
    (SUITE, {"frozen": True}, {}, 5, "frozen", "frozen wallet"),
    (SUITE, {}, {}, 500, "balance", "do not hold that many"),
    (Suite(allowed_countries=frozenset({250}), max_balance=120), {}, {}, 30, "holding_cap", "maximum per investor"),
    (SUITE, {}, {}, 0, "amount", "above zero"),
])
def test_each_refusal_has_a_plain_reason(suite, sender, to, amount, key, words):
    rules = checklist.transfer(suite, _party(**sender), _party(**to), amount)
    assert key in {r.key for r in checklist.failing(rules)}
    assert any(words in reason for reason in holder_rules.reasons(rules))


def test_the_token_refusing_the_exact_call_is_said_with_its_reason():
    rules = [holder_rules.chain_verdict("the compliance refused the transfer")]
    assert holder_rules.reasons(rules) == ["The token refused this transfer: the compliance refused the transfer."]
    assert holder_rules.reasons([holder_rules.chain_verdict(None)]) == []


def test_the_sender_never_reads_why_the_recipients_kyc_fails():
    rules = checklist.transfer(SUITE, _party(), _party(kyc_valid=False, kyc_reason="Expired on 3 Jan for Bob"), 5)
    shown = holder_rules.private(rules)
    recipient = next(r for r in shown if r.key == "kyc" and r.label.startswith("The recipient"))
    assert not recipient.passed and "Bob" not in recipient.detail + recipient.next_step
    assert "Bob" not in " ".join(holder_rules.reasons(shown))
