"""An investor moves their holdings out of the wallet Libertum holds to a wallet they proved by signature.

Why a second factor: the held wallet's key is on the server, so the password alone (a phished
session) must not be enough to send its tokens elsewhere. The code is checked (and spent) after
every other rule passed, so a refused request wastes no code. One request per offering held,
each decided by staff (app.domain.transfers.review) and executed once on chain (execution.py).
"""

from __future__ import annotations

from web3 import Web3

from app.data import custody_wallets, holdings, offerings, transfer_requests, user_details
from app.data.mongo import get_db
from app.domain import errors
from app.domain.accounts import two_factor
from app.domain.custody import rules as custody_rules
from app.domain.platform import audit
from app.domain.transfers import notices, rules


class TransferRefused(errors.Refused):
    """The move cannot be requested as asked (the reason is shown next to the form)."""


def movable(config: dict, user_id) -> dict:
    """What the move page offers: the held wallet, its positions, the investor's own wallets."""
    db = get_db(config)
    held = custody_wallets.of_user(db, user_id)
    positions = [_with_offering(db, h) for h in holdings.of_wallets(db, [held["address"]]) if h["balance"] > 0] \
        if held else []
    return {"held": held, "positions": positions,
            "own_wallets": custody_rules.own_wallets(user_details.wallets_of(db, user_id)),
            "requests": [r for r in transfer_requests.of_user(db, user_id)  # other kinds: /account/transfers/
                         if r.get("kind", rules.CUSTODY_EXIT) == rules.CUSTODY_EXIT]}


def request_move(config: dict, user: dict, target: str, code: str, ip: str | None = None) -> list[dict]:
    """Open one request per offering held in the held wallet, to `target`; returns them. Raises TransferRefused."""
    state = movable(config, user["_id"])
    if state["held"] is None:
        raise TransferRefused("Libertum holds no wallet for you, so there is nothing to move.")
    target = Web3.to_checksum_address(target) if Web3.is_address((target or "").strip()) else ""
    if target not in state["own_wallets"]:
        raise TransferRefused("Choose one of your own verified wallets (connect and prove it first).", "wallet")
    if not state["positions"]:
        raise TransferRefused("Your held wallet has no tokens to move yet.")
    if any(position["offering"] is None for position in state["positions"]):
        raise TransferRefused("One of your holdings belongs to no offering on Libertum; contact support.")
    if not user.get("is2FAActive"):
        raise TransferRefused("Turn on two-factor authentication first: moving tokens out of the wallet Libertum "
                              "holds needs a code from your authenticator app.", "code")
    try:
        confirmed = two_factor.confirm_sensitive_action(user, code or "")
    except two_factor.SecondFactorRefused as refusal:
        raise TransferRefused(str(refusal), "code") from None
    if not confirmed:
        audit.record("transfer.refused_second_factor", actor=user, ip=ip, details={"newWalletAddress": target})
        raise TransferRefused("This code is not right. Enter the current code from your authenticator app.", "code")
    return [_open(config, user, position, state["held"]["address"], target, ip) for position in state["positions"]]


def _with_offering(db, position: dict) -> dict:
    """A held position with its offering (title and decimals for the page; None for a token no offering has)."""
    ids = offerings.ids_by_token(db, position["token"])
    offering = offerings.by_id(db, ids[0]) if ids else None
    return {**position, "offering": offering, "title": ((offering or {}).get("overview") or {}).get("title") or "",
            "decimals": int(((offering or {}).get("projectDetails") or {}).get("tokenDecimals") or 0)}


def _open(config: dict, user: dict, position: dict, held: str, target: str, ip: str | None) -> dict:
    offering = position["offering"]
    request = transfer_requests.insert_open(get_db(config), rules.custody_exit_doc(user, offering, held, target,
                                                                                   position["balance"]))
    audit.record("transfer.requested", actor=user, ip=ip, details={
        "offeringId": str(offering["_id"]), "newWalletAddress": target, "tokenQuantity": str(position["balance"])})
    notices.request_waiting(config, request)
    return request
