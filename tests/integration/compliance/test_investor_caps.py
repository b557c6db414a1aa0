"""Investor caps on chain through the real T-REX token: the 11th investor is refused with a cap of 10,
per-country caps, seats freed by investors who leave, and forced transfers held to the caps too."""

from __future__ import annotations

import pytest

from app.chain import agent as ops
from app.chain import compliance as modules
from app.chain.artifacts import contract
from app.chain.tx import ChainRevert, function_call, send_call
from tests.integration.compliance.conftest import FRANCE, GERMANY


def _transfer(w3, holder, token: str, to: str, amount: int):
    return send_call(w3, holder, function_call(contract(w3, "Token", token), "transfer", to, amount))


def test_the_eleventh_investor_is_refused_with_a_cap_of_ten(wallet, platform, make_suite, investor):
    w3, agent = wallet.w3, wallet.account
    suite = make_suite(investor_cap=10)
    holders = [investor(suite) for _ in range(10)]
    for holder in holders:
        ops.mint(w3, agent, suite["token"], holder.address, 5)
    assert modules.investor_count(w3, platform, suite["modularCompliance"]) == 10
    eleventh = investor(suite)
    with pytest.raises(ChainRevert, match="Compliance not followed"):
        ops.mint(w3, agent, suite["token"], eleventh.address, 5)
    with pytest.raises(ChainRevert, match="Transfer not possible"):
        _transfer(w3, holders[0], suite["token"], eleventh.address, 1)
    ops.mint(w3, agent, suite["token"], holders[0].address, 5)  # an existing investor may still buy more
    # the agent's forced transfer is held to the cap as well, with the reason in words
    with pytest.raises(ChainRevert) as refused:
        ops.forced_transfer(w3, agent, suite["token"], holders[1].address, eleventh.address, 1)
    assert "This would make 11 investors, above the cap of 10." in str(refused.value)
    # an investor who sells everything frees a seat
    _transfer(w3, holders[2], suite["token"], eleventh.address, 5)
    assert contract(w3, "Token", suite["token"]).functions.balanceOf(eleventh.address).call() == 5
    assert modules.investor_count(w3, platform, suite["modularCompliance"]) == 10


def test_a_country_cap_refuses_the_next_investor_of_that_country_only(wallet, platform, make_suite, investor):
    w3, agent = wallet.w3, wallet.account
    suite = make_suite(investor_cap=10, country_investor_caps={GERMANY: 2})
    for _ in range(2):
        ops.mint(w3, agent, suite["token"], investor(suite, GERMANY).address, 1)
    third_german = investor(suite, GERMANY)
    with pytest.raises(ChainRevert, match="Compliance not followed"):
        ops.mint(w3, agent, suite["token"], third_german.address, 1)
    ops.mint(w3, agent, suite["token"], investor(suite, FRANCE).address, 1)
    compliance = suite["modularCompliance"]
    assert modules.investor_count(w3, platform, compliance, GERMANY) == 2
    assert modules.investor_count(w3, platform, compliance, FRANCE) == 1
    assert modules.investor_count(w3, platform, compliance) == 3


def test_the_issuer_sets_a_cap_later_and_cannot_set_it_below_the_holders(wallet, platform, make_suite, investor):
    w3, agent = wallet.w3, wallet.account
    suite = make_suite()  # no cap at deployment
    for _ in range(3):
        ops.mint(w3, agent, suite["token"], investor(suite).address, 1)
    with pytest.raises(ChainRevert) as refused:
        modules.set_investor_cap(w3, agent, platform, suite["modularCompliance"], 2)
    assert refused.value.error_name == "InvestorCapBelowCount"
    assert "An investor cap of 2 is below the 3 investors who already hold tokens." in str(refused.value)
    with pytest.raises(ChainRevert) as refused_country:
        modules.set_country_investor_cap(w3, agent, platform, suite["modularCompliance"], FRANCE, 1)
    assert "An investor cap of 1 for France (250) is below the 3 investors there" in str(refused_country.value)
    modules.set_investor_cap(w3, agent, platform, suite["modularCompliance"], 3)
    with pytest.raises(ChainRevert, match="Compliance not followed"):
        ops.mint(w3, agent, suite["token"], investor(suite).address, 1)
