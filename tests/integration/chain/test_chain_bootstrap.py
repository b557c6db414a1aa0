"""Platform bootstrap against a real anvil: wiring, idempotency, redeploy after a reset."""

from __future__ import annotations

import pytest
from eth_abi import encode
from eth_account import Account
from eth_utils import keccak

from app.chain.artifacts import contract, load_artifact
from app.chain.bootstrap import (
    CONTRACT_KEYS,
    PlatformMismatch,
    bootstrap_platform,
    platform_is_deployed,
)
from app.chain.constants import CLAIM_KEY, MANAGEMENT_KEY


def test_record_is_plain_and_complete(w3, platform, deployer, claim_signer):
    assert platform["version"] == 2
    assert platform["chainId"] == w3.eth.chain_id
    assert platform["trexVersion"] == "4.0.0"
    assert platform["accounts"] == {"deployer": deployer.address, "claimSigner": claim_signer.address}
    for key in CONTRACT_KEYS:
        assert w3.is_checksum_address(platform[key]), key
        assert w3.eth.get_code(platform[key]), key
    assert len({platform[key] for key in CONTRACT_KEYS}) == len(CONTRACT_KEYS)


def test_factories_and_authorities_are_wired(w3, platform):
    id_factory = contract(w3, "IdFactory", platform["idFactory"])
    assert id_factory.functions.isTokenFactory(platform["trexFactory"]).call()
    assert id_factory.functions.implementationAuthority().call() == platform["identityImplementationAuthority"]
    identity_ia = contract(w3, "ImplementationAuthority", platform["identityImplementationAuthority"])
    assert identity_ia.functions.getImplementation().call() == platform["identityImplementation"]

    trex_ia = contract(w3, "TREXImplementationAuthority", platform["implementationAuthority"])
    assert trex_ia.functions.isReferenceContract().call()
    assert trex_ia.functions.getCurrentVersion().call() == (4, 0, 0)
    assert trex_ia.functions.getTokenImplementation().call() == platform["tokenImplementation"]
    assert trex_ia.functions.getIRImplementation().call() == platform["identityRegistryImplementation"]
    assert trex_ia.functions.getIRSImplementation().call() == platform["identityRegistryStorageImplementation"]
    assert trex_ia.functions.getMCImplementation().call() == platform["modularComplianceImplementation"]
    assert trex_ia.functions.getTIRImplementation().call() == platform["trustedIssuersRegistryImplementation"]
    assert trex_ia.functions.getCTRImplementation().call() == platform["claimTopicsRegistryImplementation"]
    assert trex_ia.functions.getTREXFactory().call() == platform["trexFactory"]

    factory = contract(w3, "TREXFactory", platform["trexFactory"])
    assert factory.functions.getImplementationAuthority().call() == platform["implementationAuthority"]
    assert factory.functions.getIdFactory().call() == platform["idFactory"]


def test_claim_issuer_keys(w3, platform, deployer, claim_signer):
    issuer = contract(w3, "ClaimIssuer", platform["claimIssuer"])

    def key(account):
        return keccak(encode(["address"], [account.address]))

    assert issuer.functions.keyHasPurpose(key(deployer), MANAGEMENT_KEY).call()
    assert issuer.functions.keyHasPurpose(key(claim_signer), CLAIM_KEY).call()
    assert not issuer.functions.keyHasPurpose(key(claim_signer), MANAGEMENT_KEY).call()


@pytest.mark.parametrize("key, name", [("countryAllowModule", "CountryAllowListModule"),
                                       ("maxBalanceModule", "IdentityMaxBalanceModule"),
                                       ("supplyLimitModule", "SupplyCapModule"),
                                       ("investorCapModule", "InvestorCapModule"),
                                       ("lockupModule", "LockupModule")])
def test_platform_deploys_its_own_modules(w3, platform, key, name):
    """One instance of each of our GPL modules (contracts/src/compliance), none of T-REX's CC BY-NC ones."""
    module = contract(w3, name, platform[key])
    assert module.functions.name().call() == name
    assert load_artifact(name)["sourcePath"].startswith("contracts/src/compliance/")


def test_second_bootstrap_sends_nothing(w3, platform, deployer, claim_signer):
    nonce = w3.eth.get_transaction_count(deployer.address)
    again = bootstrap_platform(w3, deployer, claim_signer, existing=platform)
    assert again is platform
    assert w3.eth.get_transaction_count(deployer.address) == nonce


def test_lost_contract_triggers_full_redeploy(w3, platform, deployer, claim_signer):
    stale = dict(platform, trexFactory=Account.create().address)  # an address with no code, as after a reset
    assert not platform_is_deployed(w3, stale)
    nonce = w3.eth.get_transaction_count(deployer.address)
    fresh = bootstrap_platform(w3, deployer, claim_signer, existing=stale)
    assert platform_is_deployed(w3, fresh)
    assert w3.eth.get_transaction_count(deployer.address) > nonce
    assert all(fresh[key] != platform[key] for key in CONTRACT_KEYS)


@pytest.mark.parametrize("change", [{"chainId": 1}, {"version": 0}, {"idFactory": None}])
def test_foreign_or_incomplete_record_is_not_deployed(w3, platform, change):
    assert not platform_is_deployed(w3, dict(platform, **change))
    assert not platform_is_deployed(w3, None)


def test_record_for_another_claim_signer_is_refused(w3, platform, deployer):
    with pytest.raises(PlatformMismatch, match="claimSigner"):
        bootstrap_platform(w3, deployer, Account.create(), existing=platform)
