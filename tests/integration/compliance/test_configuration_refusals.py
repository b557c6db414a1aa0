"""Bad compliance configuration is refused on chain and the platform says why in words: a lock-up that would
relock sold tokens, a code that is not ISO 3166, a call from anyone but the compliance owner."""

from __future__ import annotations

import pytest

from app.chain import agent as ops
from app.chain import compliance as modules
from app.chain.artifacts import contract
from app.chain.tx import ChainRevert, function_call, send_call
from tests.integration.compliance.conftest import FRANCE, USA

DAY = 86_400


def test_a_retroactive_lockup_is_refused_in_words(wallet, platform, make_suite, investor):
    w3, owner = wallet.w3, wallet.account
    suite = make_suite(lockup_seconds=DAY)
    ops.mint(w3, owner, suite["token"], investor(suite).address, 10)
    with pytest.raises(ChainRevert) as refused:
        modules.set_lockup_period(w3, owner, platform, suite["modularCompliance"], 30 * DAY)
    assert refused.value.error_name == "RetroactiveLockup"
    assert "A lock-up of 30 days (now 1 days) would lock again tokens already sold" in str(refused.value)
    modules.set_lockup_period(w3, owner, platform, suite["modularCompliance"], DAY // 2)  # shorter is fine
    lockup = contract(w3, "LockupModule", platform["lockupModule"])
    assert lockup.functions.lockupPeriod(suite["modularCompliance"]).call() == DAY // 2


def test_a_code_that_is_not_iso_3166_is_refused_in_words(wallet, platform, make_suite):
    w3, owner = wallet.w3, wallet.account
    suite = make_suite()
    with pytest.raises(ChainRevert) as refused:
        modules.allow_countries(w3, owner, platform, suite["modularCompliance"], [840, 999])
    assert refused.value.error_name == "NotIsoCountry"
    assert "999 is not an ISO 3166 numeric country code." in str(refused.value)
    with pytest.raises(ChainRevert, match="1000 is not an ISO 3166 numeric country code"):
        modules.set_country_investor_cap(w3, owner, platform, suite["modularCompliance"], 1000, 5)
    countries = contract(w3, "CountryAllowListModule", platform["countryAllowModule"])
    # the refused call changed nothing: not even the valid code in it was allowed
    assert countries.functions.isCountryAllowed(suite["modularCompliance"], 840).call() is False
    assert countries.functions.isCountryAllowed(suite["modularCompliance"], 999).call() is False


def test_only_the_compliance_owner_configures(wallet, platform, make_suite, fund_account):
    w3 = wallet.w3
    suite = make_suite(investor_cap=5)
    outsider = fund_account()
    with pytest.raises(ChainRevert, match="Ownable: caller is not the owner"):
        modules.set_investor_cap(w3, outsider, platform, suite["modularCompliance"], 100)
    module = contract(w3, "InvestorCapModule", platform["investorCapModule"])
    with pytest.raises(ChainRevert) as refused:
        send_call(w3, outsider, function_call(module, "setInvestorCap", 100))
    assert refused.value.error_name == "OnlyBoundCompliance"
    assert f"{outsider.address} is not a compliance contract bound to it" in str(refused.value)
    assert module.functions.investorCap(suite["modularCompliance"]).call() == 5


def test_a_forced_transfer_outside_the_country_list_is_refused_in_words(wallet, platform, make_suite, investor):
    w3, agent = wallet.w3, wallet.account
    suite = make_suite()  # France and Germany
    french, american = investor(suite, FRANCE), investor(suite, USA)
    ops.mint(w3, agent, suite["token"], french.address, 10)
    with pytest.raises(ChainRevert, match="Compliance not followed"):
        ops.mint(w3, agent, suite["token"], american.address, 1)
    with pytest.raises(ChainRevert) as refused:
        ops.forced_transfer(w3, agent, suite["token"], french.address, american.address, 1)
    assert f"Wallet {american.address} resides in United States (840), which is not on the offering's country " \
           "list." in str(refused.value)
    assert contract(w3, "Token", suite["token"]).functions.balanceOf(american.address).call() == 0
