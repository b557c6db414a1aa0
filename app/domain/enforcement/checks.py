"""Checks of a case's parameters against the token before anything is recorded or queued.

Why the chain is read here: these decisions (is the token paused, how much of a balance is free, is the
receiver verified) must match what the contract will decide a moment later, and the projections may lag a
block or two. The projection (`holdings`) still answers "is this a holder we know"; the chain answers the
rest. Each refusal names the form field at fault and says what to do.
"""

from __future__ import annotations

from web3 import Web3

from app.chain.artifacts import contract
from app.chain.constants import ZERO_ADDRESS
from app.chain.identity import key_of
from app.chain.node import web3_client
from app.data import holdings, user_details
from app.data.mongo import get_db
from app.domain import errors
from app.domain.enforcement import rules
from app.formatting.numbers import tokens


class CaseRefused(errors.Refused):
    """The case cannot be made as asked; the message says why, `field` names the form field."""


def deployed(offering: dict) -> None:
    if not offering.get("tokenAddress") or not offering.get("identityRegistry"):
        raise CaseRefused("This offering's token is not deployed yet: there is nothing on chain to act on.", "kind")


def check(config: dict, offering: dict, kind: str, params: dict) -> None:
    """Refuse (CaseRefused) what the token would refuse or what makes no sense; return None when the case may go."""
    deployed(offering)
    view = _TokenView(config, offering)
    if kind in (rules.PAUSE, rules.UNPAUSE):
        paused = view.token.functions.paused().call()
        if kind == rules.PAUSE and paused:
            raise CaseRefused("The token is already paused.", "kind")
        if kind == rules.UNPAUSE and not paused:
            raise CaseRefused("The token is not paused.", "kind")
        return
    wallet = params["wallet"]
    view.known(wallet, "wallet")
    _CHECKS[kind](view, params)


class _TokenView:
    def __init__(self, config: dict, offering: dict):
        self.config, self.offering = config, offering
        self.w3 = web3_client.get(config)
        self.token = contract(self.w3, "Token", Web3.to_checksum_address(offering["tokenAddress"]))
        self.registry = contract(self.w3, "IdentityRegistry", Web3.to_checksum_address(offering["identityRegistry"]))
        self.decimals = int((offering.get("projectDetails") or {}).get("tokenDecimals") or 0)

    def tokens(self, amount: int) -> str:
        return tokens(amount, self.decimals)

    def known(self, wallet: str, field: str) -> None:
        """A holder in the projection, or a wallet the token's registry holds; anything else is unknown."""
        held = holdings.load(get_db(self.config), self.offering["tokenAddress"], [wallet])
        if held.get(wallet) is None and not self.registry.functions.contains(wallet).call():
            raise CaseRefused(f"No holder or registered wallet {wallet} on this token: check the address.", field)

    def balance(self, wallet: str) -> tuple[int, int]:
        return (self.token.functions.balanceOf(wallet).call(), self.token.functions.getFrozenTokens(wallet).call())


def _freeze_address(view: _TokenView, params: dict) -> None:
    if view.token.functions.isFrozen(params["wallet"]).call():
        raise CaseRefused("This wallet is already frozen.", "wallet")


def _unfreeze_address(view: _TokenView, params: dict) -> None:
    if not view.token.functions.isFrozen(params["wallet"]).call():
        raise CaseRefused("This wallet is not frozen.", "wallet")


def _freeze_partial(view: _TokenView, params: dict) -> None:
    balance, frozen = view.balance(params["wallet"])
    if params["amount"] > balance - frozen:
        raise CaseRefused(f"The holder has {view.tokens(balance - frozen)} not frozen yet "
                          f"(of {view.tokens(balance)}); freeze at most that.", "amount")


def _unfreeze_partial(view: _TokenView, params: dict) -> None:
    _balance, frozen = view.balance(params["wallet"])
    if params["amount"] > frozen:
        verb = "is" if frozen == 10**view.decimals else "are"
        raise CaseRefused(f"Only {view.tokens(frozen)} of this holder {verb} frozen; unfreeze at most that.",
                          "amount")


def _within_balance(view: _TokenView, params: dict) -> None:
    balance, frozen = view.balance(params["wallet"])
    if params["amount"] > balance:
        held = f" ({view.tokens(frozen)} frozen)" if frozen else ""
        raise CaseRefused(f"The holder has only {view.tokens(balance)}{held}; enter at most that.", "amount")


def _forced_transfer(view: _TokenView, params: dict) -> None:
    if params["to_wallet"] == params["wallet"]:
        raise CaseRefused("The receiving wallet is the holder's own wallet: choose another one.", "to_wallet")
    _within_balance(view, params)
    if not view.registry.functions.isVerified(params["to_wallet"]).call():
        raise CaseRefused("The receiving wallet is not verified and registered for this token: whitelist its "
                          "investor first.", "to_wallet")


def _recovery(view: _TokenView, params: dict) -> None:
    lost, new = params["wallet"], params["new_wallet"]
    if lost == new:
        raise CaseRefused("The new wallet is the lost wallet itself.", "new_wallet")
    if view.token.functions.balanceOf(lost).call() == 0:
        raise CaseRefused("The lost wallet holds no tokens of this offering: there is nothing to recover.", "wallet")
    identity = view.registry.functions.identity(lost).call()
    if identity == ZERO_ADDRESS:
        raise CaseRefused("The lost wallet is not registered for this token, so its identity is unknown.", "wallet")
    db = get_db(view.config)
    owner = user_details.wallet_owner(db, lost)
    if owner is None or new not in user_details.verified_wallets(db, owner):
        raise CaseRefused("The investor has not proven this new wallet: they connect and sign with it in their "
                          "account first (Onboarding, wallets).", "new_wallet")
    if view.registry.functions.contains(new).call():
        raise CaseRefused("The new wallet is already registered for this token: the recovery would register it "
                          "again. Use a forced transfer to it instead.", "new_wallet")


_CHECKS = {rules.FREEZE_ADDRESS: _freeze_address, rules.UNFREEZE_ADDRESS: _unfreeze_address,
           rules.FREEZE_PARTIAL: _freeze_partial, rules.UNFREEZE_PARTIAL: _unfreeze_partial,
           rules.BURN: _within_balance, rules.FORCED_TRANSFER: _forced_transfer, rules.RECOVERY: _recovery}


def identity_of(config: dict, offering: dict, wallet: str) -> str:
    registry = contract(web3_client.get(config), "IdentityRegistry",
                        Web3.to_checksum_address(offering["identityRegistry"]))
    return registry.functions.identity(wallet).call()


def has_management_key(config: dict, identity: str, wallet: str) -> bool:
    return contract(web3_client.get(config), "Identity", identity).functions.keyHasPurpose(key_of(wallet), 1).call()
