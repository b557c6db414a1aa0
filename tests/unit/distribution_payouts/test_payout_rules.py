"""Pure parts of the stablecoin payout: batching, the chain key, cents -> stablecoin units, the distribute call's
encoding and the coin's refusal in words."""

from __future__ import annotations

import pytest
from eth_abi import decode, encode
from eth_utils import function_signature_to_4byte_selector, keccak, to_checksum_address
from hypothesis import given, settings
from hypothesis import strategies as st

from app.domain.distributions import payout, rules

CENTS = st.integers(min_value=0, max_value=10**30)  # far past int64: a huge payout must not overflow
DECIMALS = st.integers(min_value=2, max_value=36)


@given(st.lists(st.integers(), max_size=500), st.integers(min_value=1, max_value=200))
def test_batches_keep_every_line_once_in_order_and_within_size(lines, size):
    chunks = payout.batches(lines, size)
    assert [item for chunk in chunks for item in chunk] == lines
    assert all(0 < len(chunk) <= size for chunk in chunks)
    assert len(chunks) == -(-len(lines) // size)


def test_a_batch_of_zero_lines_is_refused():
    with pytest.raises(ValueError):
        payout.batches([1], 0)


@given(CENTS, DECIMALS)
def test_cents_to_stablecoin_units_is_exact_and_reversible(cents, decimals):
    units = rules.stablecoin_units(cents, decimals)
    assert units % 10 ** (decimals - 2) == 0
    assert units // 10 ** (decimals - 2) == cents


@given(st.lists(CENTS, max_size=50), DECIMALS)
def test_the_sum_of_converted_lines_is_the_converted_sum(lines, decimals):
    assert sum(rules.stablecoin_units(c, decimals) for c in lines) == rules.stablecoin_units(sum(lines), decimals)


def test_a_coin_without_cents_cannot_pay():
    with pytest.raises(ValueError):
        rules.stablecoin_units(1, 1)


def test_the_chain_key_is_fixed_per_distribution_and_differs_between_them():
    assert payout.chain_key("abc") == "0x" + keccak(text="abc").hex()
    assert payout.chain_key("abc") == payout.chain_key("abc")
    assert payout.chain_key("abc") != payout.chain_key("abd")
    assert len(bytes.fromhex(payout.chain_key("x")[2:])) == 32


@settings(deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=2**256 - 1), min_size=1, max_size=20))
def test_the_distribute_call_carries_exactly_the_lines(amounts):
    wallets = [to_checksum_address((n + 1).to_bytes(20, "big")) for n in range(len(amounts))]
    coin, treasury, distributor = (to_checksum_address(bytes([n]) * 20) for n in (0xC0, 0x7E, 0xD1))
    key = payout.chain_key("d")
    call = payout.distribute_call(distributor, coin, treasury, key, wallets, amounts)
    raw = bytes.fromhex(call.data[2:])
    assert raw[:4] == function_signature_to_4byte_selector("distribute(address,address,bytes32,address[],uint256[])")
    got = decode(["address", "address", "bytes32", "address[]", "uint256[]"], raw[4:])
    assert [got[0].lower(), got[1].lower()] == [coin.lower(), treasury.lower()]
    assert "0x" + got[2].hex() == key
    assert [w.lower() for w in got[3]] == [w.lower() for w in wallets]
    assert list(got[4]) == amounts
    assert call.to == distributor


def test_the_coin_refusal_is_said_in_words():
    reason = "0x08c379a0" + encode(["string"], ["blocked"]).hex()
    assert payout.held_reason(reason) == "The stablecoin refused the transfer to this wallet: blocked."
    assert payout.held_reason("0x") == "The stablecoin refused the transfer to this wallet (it cannot receive)."
    assert payout.held_reason("0x08c379a0ffff").startswith("The stablecoin refused")
