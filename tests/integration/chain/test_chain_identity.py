"""Investor identities and platform KYC claims against a real anvil."""

from __future__ import annotations

import pytest
from eth_account import Account

from app.chain.artifacts import contract
from app.chain.constants import CLAIM_KEY, KYC_CLAIM_TOPIC, MANAGEMENT_KEY
from app.chain.identity import (
    add_claim,
    add_management_key,
    claim_id,
    create_identity,
    get_identity,
    has_valid_claim,
    key_of,
    remove_claim,
)
from app.chain.tx import ChainRevert


@pytest.fixture
def wallet():
    return Account.create()


def test_identity_created_once_per_wallet(w3, platform, deployer, wallet):
    assert get_identity(w3, platform, wallet.address) is None
    identity = create_identity(w3, deployer, platform, wallet.address)
    nonce = w3.eth.get_transaction_count(deployer.address)
    assert create_identity(w3, deployer, platform, wallet.address) == identity
    assert w3.eth.get_transaction_count(deployer.address) == nonce
    factory = contract(w3, "IdFactory", platform["idFactory"])
    assert factory.functions.getWallets(identity).call() == [wallet.address]


def test_platform_manages_identity_wallet_does_not(w3, platform, deployer, wallet):
    identity = contract(w3, "Identity", create_identity(w3, deployer, platform, wallet.address))
    assert identity.functions.keyHasPurpose(key_of(deployer.address), MANAGEMENT_KEY).call()
    assert not identity.functions.keyHasPurpose(key_of(wallet.address), CLAIM_KEY).call()
    assert not identity.functions.keyHasPurpose(key_of(platform["idFactory"]), MANAGEMENT_KEY).call()


def test_kyc_claim_added_validated_and_removed(w3, platform, deployer, claim_signer, wallet):
    identity = create_identity(w3, deployer, platform, wallet.address)
    add_claim(w3, deployer, platform, identity, claim_signer, data=b"kyc:approved")
    assert has_valid_claim(w3, platform, identity)
    stored = contract(w3, "Identity", identity).functions.getClaim(
        claim_id(platform["claimIssuer"], KYC_CLAIM_TOPIC)).call()
    assert (stored[0], stored[2], stored[4]) == (KYC_CLAIM_TOPIC, platform["claimIssuer"], b"kyc:approved")
    remove_claim(w3, deployer, platform, identity)
    assert not has_valid_claim(w3, platform, identity)


def test_claim_signed_by_unknown_key_is_refused(w3, platform, deployer, wallet):
    identity = create_identity(w3, deployer, platform, wallet.address)
    with pytest.raises(ChainRevert) as caught:
        add_claim(w3, deployer, platform, identity, Account.create())
    assert str(caught.value) == "Identity.addClaim reverted: invalid claim"


def test_claim_from_a_key_without_permission_is_refused(w3, platform, deployer, claim_signer, fund):
    investor = fund()
    identity = create_identity(w3, deployer, platform, investor.address)
    with pytest.raises(ChainRevert) as caught:
        add_claim(w3, investor, platform, identity, claim_signer)
    assert caught.value.reason == "Permissions: Sender does not have claim signer key"


def test_management_key_can_be_added(w3, platform, deployer, wallet):
    identity = create_identity(w3, deployer, platform, wallet.address)
    add_management_key(w3, deployer, identity, wallet.address)
    assert contract(w3, "Identity", identity).functions.keyHasPurpose(
        key_of(wallet.address), MANAGEMENT_KEY).call()
