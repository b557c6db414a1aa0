"""An investor who lost (or fears for) a wallet asks to move its holdings to a new wallet of their own.

The new wallet must be proven by signature first (the EIP-4361 proof of app.domain.onboarding.wallets: the
investor connects it on the onboarding page), so a hijacked session cannot name an attacker's address
that was never signed for. Once the transfer agent approves, execution.py makes the new wallet a management
key of the lost wallet's ONCHAINID and calls the token's `recoveryAddress(lost, new, identity)`: balance,
frozen amount and frozen status move, the new wallet is registered with the same identity and the lost one
is deleted from the registry. One request per lost wallet and offering (the open key).
"""

from __future__ import annotations

from web3 import Web3

from app.chain.artifacts import contract
from app.chain.constants import ZERO_ADDRESS
from app.chain.node import web3_client
from app.data import transfer_requests, user_details
from app.data.mongo import get_db
from app.domain import errors
from app.domain.custody import rules as custody_rules
from app.domain.platform import audit
from app.domain.transfers import notices, rules, saved

PROVE_FIRST = ("Choose a new wallet you have proven is yours: connect it on your onboarding page and sign the "
               "message, then come back.")


class RecoveryRefused(errors.Refused):
    """The recovery cannot be requested as asked (the reason is shown next to the form)."""


def own_wallets(config: dict, user: dict) -> list[str]:
    """Wallets the investor proved by signature (not one Libertum holds): where holdings may be recovered to."""
    return custody_rules.own_wallets(user_details.wallets_of(get_db(config), user["_id"]))


def request_recovery(config: dict, user: dict, form: dict, ip: str | None = None) -> dict:
    """Open a recovery of the holding `position` ("<offeringId>|<lost wallet>") to `newWallet`. Raises
    RecoveryRefused with the field at fault."""
    chosen = next((p for p in saved.positions(config, user) if p["key"] == str(form.get("position") or "")), None)
    if chosen is None:
        raise RecoveryRefused("Choose the holding of the wallet you lost.", "position")
    typed = str(form.get("newWallet") or "").strip()
    new = Web3.to_checksum_address(typed) if Web3.is_address(typed) else ""
    if not new or new not in own_wallets(config, user):
        raise RecoveryRefused(PROVE_FIRST, "newWallet")
    if new == chosen["wallet"]:
        raise RecoveryRefused("The new wallet must differ from the lost one.", "newWallet")
    offering = chosen["offering"]
    registry = contract(web3_client.get(config), "IdentityRegistry",
                        Web3.to_checksum_address(offering["identityRegistry"]))
    identity = registry.functions.identity(chosen["wallet"]).call()
    if identity == ZERO_ADDRESS:
        raise RecoveryRefused("The lost wallet is not registered for this offering any more; contact support.",
                              "position")
    if registry.functions.contains(new).call():
        raise RecoveryRefused("This new wallet is already registered for this offering, so the holding cannot be "
                              "recovered into it: choose another proven wallet.", "newWallet")
    try:
        note = rules.clean_remark(form.get("reason"), required=False)
    except ValueError as error:
        raise RecoveryRefused(str(error), "reason") from None
    doc = rules.lost_wallet_doc(user, offering, chosen["wallet"], new, chosen["balance"], identity, note)
    request = transfer_requests.insert_open(get_db(config), doc)
    audit.record("transfer.requested", actor=user, ip=ip, details={
        "kind": rules.LOST_WALLET, "offeringId": str(offering["_id"]), "walletAddress": chosen["wallet"],
        "newWalletAddress": new, "tokenQuantity": str(chosen["balance"])})
    notices.request_waiting(config, request)
    return request
