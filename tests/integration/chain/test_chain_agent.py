"""Agent operations on a live suite, including the reverts an admin will meet."""

from __future__ import annotations

import uuid

import pytest

from app.chain import agent as ops
from app.chain.artifacts import contract
from app.chain.identity import add_claim, add_management_key, create_identity
from app.chain.suite import deploy_token_suite
from app.chain.tx import ChainRevert, function_call, send_call

FRANCE, USA = 250, 840
MAX_BALANCE = 1_000
SUPPLY_CAP = 10_000


@pytest.fixture(scope="module")
def agent(fund):
    return fund()


@pytest.fixture(scope="module")
def suite(w3, deployer, platform, agent):
    suite = deploy_token_suite(
        w3, deployer, platform, salt=f"agent-{uuid.uuid4()}", name="Agent Ops", symbol="AGO", decimals=0,
        owner=deployer.address, agents=[agent.address], authorized_countries=[FRANCE], max_balance=MAX_BALANCE,
        supply_cap=SUPPLY_CAP)
    ops.unpause(w3, agent, suite["token"])
    return suite


@pytest.fixture(scope="module")
def token(w3, suite):
    return contract(w3, "Token", suite["token"])


@pytest.fixture(scope="module")
def registry(w3, suite):
    return contract(w3, "IdentityRegistry", suite["identityRegistry"])


@pytest.fixture
def kyc_identity(w3, platform, deployer, claim_signer):
    """ONCHAINID with a valid platform KYC claim for a wallet (not yet registered in any suite)."""
    def make(wallet: str) -> str:
        identity = create_identity(w3, deployer, platform, wallet)
        add_claim(w3, deployer, platform, identity, claim_signer, data=b"kyc:ok")
        return identity
    return make


@pytest.fixture
def investor(w3, fund, agent, suite, kyc_identity):
    """A funded wallet, KYC'd and registered in the suite as a French resident."""
    account = fund()
    ops.register_identity(w3, agent, suite["identityRegistry"], account.address, kyc_identity(account.address), FRANCE)
    return account


def _transfer(w3, holder, token, to, amount):
    return send_call(w3, holder, function_call(token, "transfer", to, amount))


def test_register_and_mint(w3, agent, suite, token, registry, investor):
    assert registry.functions.isVerified(investor.address).call()
    ops.mint(w3, agent, suite["token"], investor.address, 400)
    assert token.functions.balanceOf(investor.address).call() == 400


def test_mint_to_unverified_wallet(w3, agent, suite, fund):
    with pytest.raises(ChainRevert) as caught:
        ops.mint(w3, agent, suite["token"], fund().address, 1)
    assert str(caught.value) == "Token.mint reverted: Identity is not verified."


def test_mint_refused_by_compliance(w3, agent, suite, investor, fund, kyc_identity):
    with pytest.raises(ChainRevert, match="Compliance not followed"):
        ops.mint(w3, agent, suite["token"], investor.address, MAX_BALANCE + 1)
    american = fund()
    ops.register_identity(w3, agent, suite["identityRegistry"], american.address, kyc_identity(american.address), USA)
    with pytest.raises(ChainRevert, match="Compliance not followed"):
        ops.mint(w3, agent, suite["token"], american.address, 1)
    ops.update_country(w3, agent, suite["identityRegistry"], american.address, FRANCE)
    ops.mint(w3, agent, suite["token"], american.address, 1)


def test_batch_register_and_batch_mint(w3, agent, suite, token, registry, fund, kyc_identity):
    wallets = [fund().address, fund().address]
    ops.batch_register_identity(w3, agent, suite["identityRegistry"], wallets,
                                [kyc_identity(w) for w in wallets], [FRANCE, FRANCE])
    assert all(registry.functions.isVerified(w).call() for w in wallets)
    ops.batch_mint(w3, agent, suite["token"], wallets, [10, 20])
    assert [token.functions.balanceOf(w).call() for w in wallets] == [10, 20]
    with pytest.raises(ValueError, match="same length"):
        ops.batch_mint(w3, agent, suite["token"], wallets, [1])


def test_paused_token_refuses_transfers(w3, agent, suite, token, investor, fund, kyc_identity):
    other = fund()
    ops.register_identity(w3, agent, suite["identityRegistry"], other.address, kyc_identity(other.address), FRANCE)
    ops.mint(w3, agent, suite["token"], investor.address, 100)
    ops.pause(w3, agent, suite["token"])
    try:
        with pytest.raises(ChainRevert) as caught:
            _transfer(w3, investor, token, other.address, 10)
        assert str(caught.value) == "Token.transfer reverted: Pausable: paused"
    finally:
        ops.unpause(w3, agent, suite["token"])
    _transfer(w3, investor, token, other.address, 10)
    assert token.functions.balanceOf(other.address).call() == 10


def test_frozen_wallet_cannot_send(w3, agent, suite, token, investor, fund, kyc_identity):
    other = fund()
    ops.register_identity(w3, agent, suite["identityRegistry"], other.address, kyc_identity(other.address), FRANCE)
    ops.mint(w3, agent, suite["token"], investor.address, 100)
    ops.set_address_frozen(w3, agent, suite["token"], investor.address, True)
    assert token.functions.isFrozen(investor.address).call()
    with pytest.raises(ChainRevert, match="wallet is frozen"):
        _transfer(w3, investor, token, other.address, 1)
    ops.set_address_frozen(w3, agent, suite["token"], investor.address, False)
    _transfer(w3, investor, token, other.address, 1)


def test_partial_freeze_limits_free_balance(w3, agent, suite, token, investor, fund, kyc_identity):
    other = fund()
    ops.register_identity(w3, agent, suite["identityRegistry"], other.address, kyc_identity(other.address), FRANCE)
    ops.mint(w3, agent, suite["token"], investor.address, 100)
    ops.freeze_partial_tokens(w3, agent, suite["token"], investor.address, 60)
    assert token.functions.getFrozenTokens(investor.address).call() == 60
    with pytest.raises(ChainRevert) as caught:
        _transfer(w3, investor, token, other.address, 50)
    assert caught.value.reason == "Insufficient Balance"
    with pytest.raises(ChainRevert, match="Amount should be less than or equal to frozen tokens"):
        ops.unfreeze_partial_tokens(w3, agent, suite["token"], investor.address, 61)
    ops.unfreeze_partial_tokens(w3, agent, suite["token"], investor.address, 20)
    _transfer(w3, investor, token, other.address, 50)
    assert token.functions.balanceOf(investor.address).call() == 50


def test_forced_transfer_and_burn(w3, agent, suite, token, investor, fund, kyc_identity):
    other = fund()
    ops.register_identity(w3, agent, suite["identityRegistry"], other.address, kyc_identity(other.address), FRANCE)
    ops.mint(w3, agent, suite["token"], investor.address, 100)
    ops.freeze_partial_tokens(w3, agent, suite["token"], investor.address, 100)
    ops.forced_transfer(w3, agent, suite["token"], investor.address, other.address, 30)
    assert token.functions.getFrozenTokens(investor.address).call() == 70
    assert token.functions.balanceOf(other.address).call() == 30
    ops.burn(w3, agent, suite["token"], other.address, 30)
    assert token.functions.balanceOf(other.address).call() == 0
    with pytest.raises(ChainRevert, match="cannot burn more than balance"):
        ops.burn(w3, agent, suite["token"], other.address, 1)


def test_deleted_identity_can_no_longer_receive(w3, agent, suite, registry, investor):
    ops.delete_identity(w3, agent, suite["identityRegistry"], investor.address)
    assert not registry.functions.isVerified(investor.address).call()
    with pytest.raises(ChainRevert, match="Identity is not verified"):
        ops.mint(w3, agent, suite["token"], investor.address, 1)


def test_recovery_moves_balance_to_new_wallet(w3, agent, suite, token, registry, platform, deployer, investor, fund):
    ops.mint(w3, agent, suite["token"], investor.address, 70)
    ops.freeze_partial_tokens(w3, agent, suite["token"], investor.address, 20)
    identity = registry.functions.identity(investor.address).call()
    new_wallet = fund()
    with pytest.raises(ChainRevert, match="Recovery not possible"):
        ops.recovery_address(w3, agent, suite["token"], investor.address, new_wallet.address, identity)
    add_management_key(w3, deployer, identity, new_wallet.address)
    ops.recovery_address(w3, agent, suite["token"], investor.address, new_wallet.address, identity)
    assert token.functions.balanceOf(new_wallet.address).call() == 70
    assert token.functions.getFrozenTokens(new_wallet.address).call() == 20
    assert token.functions.balanceOf(investor.address).call() == 0
    assert registry.functions.identity(new_wallet.address).call() == identity
    assert not registry.functions.contains(investor.address).call()


def test_non_agent_cannot_mint(w3, suite, investor):
    with pytest.raises(ChainRevert) as caught:
        ops.mint(w3, investor, suite["token"], investor.address, 1)
    assert caught.value.reason == "AgentRole: caller does not have the Agent role"
