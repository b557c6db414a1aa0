"""Token suite deployment through the TREXFactory against a real anvil."""

from __future__ import annotations

import uuid

import pytest

from app.chain.artifacts import contract
from app.chain.constants import KYC_CLAIM_TOPIC
from app.chain.events import EventDecoder
from app.chain.suite import deploy_token_suite, pause_token, suite_from_token, unpause_token
from app.chain.tx import ChainRevert

FRANCE, GERMANY, USA = 250, 276, 840
DECIMALS = 6
MAX_BALANCE = 1_000 * 10**DECIMALS
SUPPLY_CAP = 1_000_000 * 10**DECIMALS


@pytest.fixture(scope="module")
def agent(fund):
    return fund()


@pytest.fixture(scope="module")
def issuer_owner(fund):
    return fund()


@pytest.fixture(scope="module")
def suite(w3, deployer, platform, agent, issuer_owner):
    return deploy_token_suite(
        w3, deployer, platform, salt=f"suite-{uuid.uuid4()}", name="Rue de Rivoli 12", symbol="RIV12",
        decimals=DECIMALS, owner=issuer_owner.address, agents=[agent.address],
        authorized_countries=[FRANCE, GERMANY], max_balance=MAX_BALANCE, supply_cap=SUPPLY_CAP)


def test_token_metadata_and_paused(w3, suite, issuer_owner, agent):
    token = contract(w3, "Token", suite["token"])
    assert token.functions.name().call() == "Rue de Rivoli 12"
    assert token.functions.symbol().call() == "RIV12"
    assert token.functions.decimals().call() == DECIMALS
    assert token.functions.totalSupply().call() == 0
    assert token.functions.paused().call() is True
    assert token.functions.owner().call() == issuer_owner.address
    assert token.functions.isAgent(agent.address).call()
    assert token.functions.onchainID().call() != "0x" + "00" * 20


def test_registries_are_linked(w3, suite, platform, agent):
    token = contract(w3, "Token", suite["token"])
    assert token.functions.identityRegistry().call() == suite["identityRegistry"]
    assert token.functions.compliance().call() == suite["modularCompliance"]
    registry = contract(w3, "IdentityRegistry", suite["identityRegistry"])
    assert registry.functions.isAgent(agent.address).call()
    assert registry.functions.identityStorage().call() == suite["identityRegistryStorage"]
    topics = contract(w3, "ClaimTopicsRegistry", suite["claimTopicsRegistry"])
    assert topics.functions.getClaimTopics().call() == [KYC_CLAIM_TOPIC]
    issuers = contract(w3, "TrustedIssuersRegistry", suite["trustedIssuersRegistry"])
    assert issuers.functions.getTrustedIssuers().call() == [platform["claimIssuer"]]
    assert issuers.functions.hasClaimTopic(platform["claimIssuer"], KYC_CLAIM_TOPIC).call()


def test_compliance_modules_bound_and_configured(w3, suite, platform):
    compliance = contract(w3, "ModularCompliance", suite["modularCompliance"])
    assert compliance.functions.getTokenBound().call() == suite["token"]
    assert compliance.functions.getModules().call() == [
        platform["countryAllowModule"], platform["supplyLimitModule"], platform["maxBalanceModule"],
        platform["investorCapModule"], platform["lockupModule"]]
    countries = contract(w3, "CountryAllowListModule", platform["countryAllowModule"])
    assert countries.functions.isCountryAllowed(compliance.address, FRANCE).call()
    assert countries.functions.isCountryAllowed(compliance.address, GERMANY).call()
    assert not countries.functions.isCountryAllowed(compliance.address, USA).call()
    supply = contract(w3, "SupplyCapModule", platform["supplyLimitModule"])
    assert supply.functions.supplyCap(compliance.address).call() == SUPPLY_CAP
    max_balance = contract(w3, "IdentityMaxBalanceModule", platform["maxBalanceModule"])
    assert max_balance.functions.maxBalance(compliance.address).call() == MAX_BALANCE


def test_max_balance_visible_in_events(w3, suite, platform):
    """The MaxBalanceSet event records each configuration of the limit."""
    logs = w3.eth.get_logs({"fromBlock": 0, "address": platform["maxBalanceModule"]})
    events = [e for e in map(EventDecoder().decode, logs) if e and e["event"] == "MaxBalanceSet"]
    mine = [e for e in events if e["args"]["compliance"] == suite["modularCompliance"]]
    assert [e["args"]["maxBalance"] for e in mine] == [MAX_BALANCE]


def test_same_salt_returns_existing_suite_without_transaction(w3, suite, deployer, platform, agent, issuer_owner):
    nonce = w3.eth.get_transaction_count(deployer.address)
    again = deploy_token_suite(
        w3, deployer, platform, salt=suite["salt"], name="ignored", symbol="IGN", decimals=0,
        owner=issuer_owner.address, agents=[agent.address], authorized_countries=[], max_balance=0, supply_cap=0)
    assert again == suite
    assert suite_from_token(w3, suite["token"], suite["salt"]) == suite
    assert w3.eth.get_transaction_count(deployer.address) == nonce


def test_suite_without_optional_modules(w3, deployer, platform, agent):
    """No country list and no supply cap: only the modules that must count holdings from the first mint."""
    bare = deploy_token_suite(
        w3, deployer, platform, salt=f"bare-{uuid.uuid4()}", name="Bare", symbol="BARE", decimals=0,
        owner=deployer.address, agents=[agent.address], authorized_countries=[], max_balance=0, supply_cap=0)
    compliance = contract(w3, "ModularCompliance", bare["modularCompliance"])
    assert compliance.functions.getModules().call() == [
        platform["maxBalanceModule"], platform["investorCapModule"], platform["lockupModule"]]


def test_agent_unpauses_and_pauses(w3, suite, agent):
    token = contract(w3, "Token", suite["token"])
    assert unpause_token(w3, agent, suite["token"])["status"] == 1
    assert token.functions.paused().call() is False
    pause_token(w3, agent, suite["token"])
    assert token.functions.paused().call() is True


def test_non_agent_gets_readable_revert(w3, suite, fund):
    with pytest.raises(ChainRevert) as caught:
        unpause_token(w3, fund(), suite["token"])
    assert caught.value.reason == "AgentRole: caller does not have the Agent role"
    assert str(caught.value) == "Token.unpause reverted: AgentRole: caller does not have the Agent role"


def test_invalid_arguments_fail_before_any_transaction(w3, deployer, platform):
    with pytest.raises(ValueError, match="decimals"):
        deploy_token_suite(w3, deployer, platform, salt="x", name="X", symbol="X", decimals=19,
                           owner=deployer.address, agents=[], authorized_countries=[], max_balance=0, supply_cap=0)
    with pytest.raises(ValueError, match="country"):
        deploy_token_suite(w3, deployer, platform, salt="x", name="X", symbol="X", decimals=0,
                           owner=deployer.address, agents=[], authorized_countries=[70000], max_balance=0,
                           supply_cap=0)
    with pytest.raises(ValueError, match=r"ISO 3166 numeric, got \[999\]"):
        deploy_token_suite(w3, deployer, platform, salt="x", name="X", symbol="X", decimals=0,
                           owner=deployer.address, agents=[], authorized_countries=[250], max_balance=0,
                           supply_cap=0, country_investor_caps={999: 3})
