"""Transaction sending and revert decoding on real reverts (estimated and mined)."""

from __future__ import annotations

import uuid

import pytest

from app.chain.artifacts import contract
from app.chain.suite import deploy_token_suite
from app.chain.tx import ChainRevert, deploy, deploy_many, function_call, send_call, send_calls


@pytest.fixture(scope="module")
def agent(fund):
    return fund()


@pytest.fixture(scope="module")
def suite(w3, deployer, platform, agent):
    return deploy_token_suite(
        w3, deployer, platform, salt=f"tx-{uuid.uuid4()}", name="Tx Test", symbol="TXT", decimals=0,
        owner=deployer.address, agents=[agent.address], authorized_countries=[250], max_balance=100,
        supply_cap=1000)


def test_deploy_and_send(w3, deployer, fund):
    usd = contract(w3, "TestERC20", deploy(w3, deployer, "TestERC20", "Test USD", "tUSD"))
    holder = fund()
    receipt = send_call(w3, deployer, function_call(usd, "mint", holder.address, 25 * 10**18))
    assert receipt["status"] == 1
    assert usd.functions.balanceOf(holder.address).call() == 25 * 10**18
    assert usd.functions.owner().call() == deployer.address


def test_pipelined_batch_keeps_order_and_nonces(w3, deployer):
    nonce = w3.eth.get_transaction_count(deployer.address)
    first, second = deploy_many(w3, deployer, [("TestERC20", ("A", "A")), ("TestERC20", ("B", "B"))])
    assert contract(w3, "TestERC20", first).functions.symbol().call() == "A"
    assert contract(w3, "TestERC20", second).functions.symbol().call() == "B"
    assert w3.eth.get_transaction_count(deployer.address) == nonce + 2


def test_mint_to_unverified_wallet_is_refused_before_sending(w3, suite, agent, fund):
    token = contract(w3, "Token", suite["token"])
    nonce = w3.eth.get_transaction_count(agent.address)
    with pytest.raises(ChainRevert) as caught:
        send_call(w3, agent, function_call(token, "mint", fund().address, 10))
    assert str(caught.value) == "Token.mint reverted: Identity is not verified."
    assert caught.value.error_name == "Error"
    assert caught.value.tx_hash is None
    assert w3.eth.get_transaction_count(agent.address) == nonce


def test_mined_revert_is_decoded_from_replay(w3, suite, agent, fund):
    """With explicit gas the node mines the revert with status 0; the reason must still surface."""
    token = contract(w3, "Token", suite["token"])
    nonce = w3.eth.get_transaction_count(agent.address)
    with pytest.raises(ChainRevert) as caught:
        send_call(w3, agent, function_call(token, "mint", fund().address, 10, gas=300_000))
    assert caught.value.reason == "Identity is not verified."
    assert caught.value.tx_hash.startswith("0x")
    assert w3.eth.get_transaction_receipt(caught.value.tx_hash)["status"] == 0
    assert w3.eth.get_transaction_count(agent.address) == nonce + 1


def test_out_of_gas_is_named(w3, suite, agent):
    token = contract(w3, "Token", suite["token"])
    with pytest.raises(ChainRevert, match="ran out of gas"):
        send_call(w3, agent, function_call(token, "unpause", gas=22_000))


def test_custom_error_is_decoded_with_arguments(w3, suite, platform, fund):
    module = contract(w3, "IdentityMaxBalanceModule", platform["maxBalanceModule"])
    outsider = fund()
    with pytest.raises(ChainRevert) as caught:
        send_call(w3, outsider, function_call(module, "setMaxBalance", 5))
    assert caught.value.error_name == "OnlyBoundCompliance"
    assert caught.value.error_args == {"caller": outsider.address}
    assert "only the token's compliance contract" in caught.value.reason.lower()


def test_batch_with_a_reverting_call_sends_nothing(w3, suite, agent, fund):
    token = contract(w3, "Token", suite["token"])
    nonce = w3.eth.get_transaction_count(agent.address)
    with pytest.raises(ChainRevert, match="Identity is not verified"):
        send_calls(w3, agent, [function_call(token, "unpause"), function_call(token, "mint", fund().address, 1)])
    assert w3.eth.get_transaction_count(agent.address) == nonce
    assert token.functions.paused().call() is True
