"""Agent operations on a token suite: the back office's levers, one transaction each.

Why thin: the rules about who may do what, and the audit trail, live in the domain services
that call these; here each function maps to one T-REX call, sends it from the agent's key
and returns the receipt, or raises ChainRevert with the contract's own reason (e.g.
"Identity is not verified.", "wallet is frozen", "Pausable: paused",
"Insufficient Balance"). Amounts are integer base units.
"""

from __future__ import annotations

from collections.abc import Sequence

from eth_account.signers.local import LocalAccount
from web3 import Web3
from web3.types import TxReceipt

from app.chain.artifacts import contract
from app.chain.tx import function_call, send_call


def _token_call(w3: Web3, agent: LocalAccount, token: str, fn_name: str, *args) -> TxReceipt:
    return send_call(w3, agent, function_call(contract(w3, "Token", token), fn_name, *args))


def _registry_call(w3: Web3, agent: LocalAccount, registry: str, fn_name: str, *args) -> TxReceipt:
    return send_call(w3, agent, function_call(contract(w3, "IdentityRegistry", registry), fn_name, *args))


def _addresses(values: Sequence[str]) -> list[str]:
    return [Web3.to_checksum_address(v) for v in values]


def register_identity(w3: Web3, agent: LocalAccount, registry: str, wallet: str, identity: str,
                      country: int) -> TxReceipt:
    """Admit `wallet` (with its ONCHAINID and ISO 3166 numeric country) to the suite's registry."""
    return _registry_call(w3, agent, registry, "registerIdentity", Web3.to_checksum_address(wallet),
                          Web3.to_checksum_address(identity), country)


def batch_register_identity(w3: Web3, agent: LocalAccount, registry: str, wallets: Sequence[str],
                            identities: Sequence[str], countries: Sequence[int]) -> TxReceipt:
    if not len(wallets) == len(identities) == len(countries):
        raise ValueError("wallets, identities and countries must have the same length")
    return _registry_call(w3, agent, registry, "batchRegisterIdentity", _addresses(wallets),
                          _addresses(identities), list(countries))


def delete_identity(w3: Web3, agent: LocalAccount, registry: str, wallet: str) -> TxReceipt:
    """Remove `wallet` from the registry: it can no longer receive tokens."""
    return _registry_call(w3, agent, registry, "deleteIdentity", Web3.to_checksum_address(wallet))


def update_country(w3: Web3, agent: LocalAccount, registry: str, wallet: str, country: int) -> TxReceipt:
    return _registry_call(w3, agent, registry, "updateCountry", Web3.to_checksum_address(wallet), country)


def mint(w3: Web3, agent: LocalAccount, token: str, to: str, amount: int) -> TxReceipt:
    """Issue new tokens to a verified wallet, subject to the suite's compliance modules."""
    return _token_call(w3, agent, token, "mint", Web3.to_checksum_address(to), amount)


def batch_mint(w3: Web3, agent: LocalAccount, token: str, recipients: Sequence[str],
               amounts: Sequence[int]) -> TxReceipt:
    if len(recipients) != len(amounts):
        raise ValueError("recipients and amounts must have the same length")
    return _token_call(w3, agent, token, "batchMint", _addresses(recipients), list(amounts))


def burn(w3: Web3, agent: LocalAccount, token: str, holder: str, amount: int) -> TxReceipt:
    return _token_call(w3, agent, token, "burn", Web3.to_checksum_address(holder), amount)


def forced_transfer(w3: Web3, agent: LocalAccount, token: str, source: str, destination: str,
                    amount: int) -> TxReceipt:
    """Move tokens without the holder's signature (court order, error correction).

    It ignores the pause, wallet freezes and the compliance pre-check, and unfreezes frozen
    tokens on the source as far as needed; the destination must still be verified
    ("Transfer not possible" otherwise) and module actions still run, so a MaxBalance limit
    can still refuse it.
    """
    return _token_call(w3, agent, token, "forcedTransfer", Web3.to_checksum_address(source),
                       Web3.to_checksum_address(destination), amount)


def set_address_frozen(w3: Web3, agent: LocalAccount, token: str, wallet: str, frozen: bool) -> TxReceipt:
    """Freeze or unfreeze a whole wallet: a frozen wallet can neither send nor receive."""
    return _token_call(w3, agent, token, "setAddressFrozen", Web3.to_checksum_address(wallet), frozen)


def freeze_partial_tokens(w3: Web3, agent: LocalAccount, token: str, wallet: str, amount: int) -> TxReceipt:
    """Lock `amount` of a holder's balance; only the rest stays transferable."""
    return _token_call(w3, agent, token, "freezePartialTokens", Web3.to_checksum_address(wallet), amount)


def unfreeze_partial_tokens(w3: Web3, agent: LocalAccount, token: str, wallet: str, amount: int) -> TxReceipt:
    return _token_call(w3, agent, token, "unfreezePartialTokens", Web3.to_checksum_address(wallet), amount)


def pause(w3: Web3, agent: LocalAccount, token: str) -> TxReceipt:
    """Stop all holder transfers; agent mint, burn and forced transfers keep working."""
    return _token_call(w3, agent, token, "pause")


def unpause(w3: Web3, agent: LocalAccount, token: str) -> TxReceipt:
    return _token_call(w3, agent, token, "unpause")


def recovery_address(w3: Web3, agent: LocalAccount, token: str, lost_wallet: str, new_wallet: str,
                     identity: str) -> TxReceipt:
    """Move a holder who lost their key to a new wallet of the same identity.

    The new wallet must already be a management key of `identity`
    (identity.add_management_key); balance, frozen amount and frozen status move with it.
    """
    return _token_call(w3, agent, token, "recoveryAddress", Web3.to_checksum_address(lost_wallet),
                       Web3.to_checksum_address(new_wallet), Web3.to_checksum_address(identity))
