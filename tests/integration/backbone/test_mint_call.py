"""The mint calls minting encodes itself (eth_abi, for speed) are byte for byte what web3 encodes from the ABI."""

from __future__ import annotations

from eth_account import Account
from web3 import Web3

from app.chain.artifacts import contract
from app.domain.orders.minting import mint_call

TOKEN = Account.create().address


def test_mint_and_batch_mint_match_the_abi_encoding():
    bound = contract(Web3(), "Token", TOKEN)
    wallets = [Account.create().address for _ in range(3)]
    single, batch = mint_call(TOKEN, wallets[:1], [7]), mint_call(TOKEN, wallets, [1, 2, 10**30])
    assert (single.to, single.label, single.data) == (TOKEN, "Token.mint", bound.encode_abi("mint", [wallets[0], 7]))
    assert batch.label == "Token.batchMint"
    assert batch.data == bound.encode_abi("batchMint", [wallets, [1, 2, 10**30]])
