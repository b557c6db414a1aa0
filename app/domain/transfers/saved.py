"""Saved transfers (seed: SaveTransferRequet): a holder prepares a transfer to another investor, named by that
investor's Libertum ID; the recipient confirms or declines; a confirmed one becomes a TransferRequet
(kind holderToHolder, a forced transfer) that the transfer agent or staff review (review.py) and the
chain backbone executes once (execution.py).

Why the ID and the same answer for every refused recipient: an ID that does not exist, or whose owner is
not verified and whitelisted for the offering, reads alike, so the form reveals nothing about who is
registered. The sender learns the recipient's name only once the request is saved.

Every change of a saved transfer is one conditional update from its status under its lock
(locks.transfer_request on the saved id), so a withdrawal and a confirmation cannot both win; the
confirmation inserts the TransferRequet under the natural key `saved:<id>` first, so a confirmation
retried after a crash finds the request it made.
"""

from __future__ import annotations

from web3 import Web3

from app import locks
from app.chain.node import web3_client
from app.data import holdings, offerings, saved_transfer_requests, transfer_requests, user_details, users, whitelists
from app.data.ids import parse_id
from app.data.mongo import get_db
from app.domain import errors
from app.domain.compliance import facts
from app.domain.platform import audit
from app.domain.platform.chain import current_platform
from app.domain.transfers import holder_transfers, notices, rules, unique_ids

UNKNOWN_RECIPIENT = ("No investor with this Libertum ID can receive this offering's tokens. Check the ID with the "
                     "recipient: they need a verified identity and to be whitelisted for this offering.")
MAX_REMARK = rules.MAX_REMARK


class SavedRefused(errors.Refused):
    """The saved transfer cannot be made or changed as asked (the reason is shown next to the form)."""


class NotFound(errors.NotFound):
    """No saved transfer of this person (404: someone else's reads as missing)."""


def unique_id_of(config: dict, user: dict) -> str:
    """The user's Libertum ID, drawn and stored the first time they ask for it (a POST: a page view writes nothing)."""
    if user.get("uniqueId"):
        return user["uniqueId"]
    db = get_db(config)
    for _ in range(5):  # a clash of 39 random bits is rare; draw again when it happens
        if users.claim_unique_id(db, user["_id"], unique_ids.generate()):
            break
    found = (users.by_id(db, user["_id"]) or {}).get("uniqueId")
    if not found:
        raise RuntimeError(f"could not give user {user['_id']} a Libertum ID")
    return found


def positions(config: dict, user: dict) -> list[dict]:
    """What the user may send: each (offering, wallet) they hold a balance of, with its title and decimals."""
    db = get_db(config)
    wallets = [w["address"] for w in user_details.wallets_of(db, user["_id"]) if w.get("isVerify")]
    found = []
    for holding in holdings.of_wallets(db, wallets):
        ids = offerings.ids_by_token(db, holding["token"]) if holding["balance"] > 0 else []
        offering = offerings.by_id(db, ids[0]) if ids else None
        if offering:
            details = offering.get("projectDetails") or {}
            found.append({"key": f"{offering['_id']}|{holding['wallet']}", "offering": offering,
                          "wallet": holding["wallet"], "balance": holding["balance"],
                          "title": (offering.get("overview") or {}).get("title") or "",
                          "ticker": details.get("tokenTicker") or "",
                          "decimals": int(details.get("tokenDecimals") or 0)})
    return found


def page(config: dict, user: dict) -> dict:
    """The investor's transfers page: their ID, what they hold, what they sent and received, their requests."""
    db = get_db(config)
    sent = saved_transfer_requests.sent_by(db, user["_id"])
    received = saved_transfer_requests.received_by(db, user["_id"])
    for item in sent + received:  # a confirmed one shows its review's stage too
        made = transfer_requests.by_id(db, item["transferRequestId"]) if item.get("transferRequestId") else None
        item["request"] = made
    return {"unique_id": user.get("uniqueId") or "", "positions": positions(config, user), "sent": sent,
            "received": received, "requests": transfer_requests.of_user(db, user["_id"]),
            "named": [r for r in transfer_requests.to_user(db, user["_id"]) if r.get("kind") == rules.NEW_OWNER],
            "wallet_transfers": holder_transfers.of_investor(config, user)}


def movable(config: dict, token: str, wallet: str) -> tuple[int, bool]:
    """(base units the wallet can move now: unfrozen and past lock-up, whether the token is paused), read on chain."""
    reader = facts.Reader(web3_client.get(config), current_platform(config), token)
    party = reader.party(wallet)
    free = 0 if party.frozen else min(party.balance - party.frozen_tokens, party.balance - party.locked)
    return max(free, 0), reader.token.functions.paused().call()


def eligible_recipient(config: dict, unique_id: str, offering: dict) -> tuple[dict, str] | None:
    """(recipient, their whitelisted wallet) when the ID names an approved investor whitelisted for the offering."""
    db = get_db(config)
    recipient = users.by_unique_id(db, unique_ids.normalize(unique_id))
    if not recipient or recipient.get("userType") != "investor" or not recipient.get("isActive", True):
        return None
    if not facts.user_kyc(config, recipient)[0] or not whitelists.is_approved(db, recipient["_id"], offering["_id"]):
        return None
    wallet = (whitelists.of_user(db, recipient["_id"], offering["_id"]) or {}).get("address") or ""
    return (recipient, Web3.to_checksum_address(wallet)) if Web3.is_address(wallet) else None


def prepare(config: dict, sender: dict, form: dict, ip: str | None = None) -> dict:
    """Save a transfer from the form {position, uniqueId, quantity, remark}; returns it. Raises SavedRefused."""
    chosen = next((p for p in positions(config, sender) if p["key"] == str(form.get("position") or "")), None)
    if chosen is None:
        raise SavedRefused("Choose one of the holdings in your wallets.", "position")
    try:
        quantity = rules.parse_quantity(form.get("quantity"), chosen["decimals"])
    except ValueError as error:
        raise SavedRefused(str(error), "quantity") from None
    try:
        remark = rules.clean_remark(form.get("remark"), required=False)
    except ValueError as error:
        raise SavedRefused(str(error), "remark") from None
    typed = unique_ids.normalize(form.get("uniqueId"))
    if not typed:
        raise SavedRefused("Enter the recipient's Libertum ID, such as LIB-7KQ2-XM4D (they find it on their "
                           "transfers page).", "uniqueId")
    if typed == (sender.get("uniqueId") or ""):
        raise SavedRefused("This is your own Libertum ID: enter the recipient's.", "uniqueId")
    offering = chosen["offering"]
    found = eligible_recipient(config, typed, offering)
    if found is None:
        raise SavedRefused(UNKNOWN_RECIPIENT, "uniqueId")
    recipient, _wallet = found
    free, _paused = movable(config, offering["tokenAddress"], chosen["wallet"])
    refusal = rules.quantity_refusal(quantity, free)
    if refusal:
        raise SavedRefused(refusal, "quantity")
    saved = saved_transfer_requests.insert(get_db(config), {
        "fromUserId": sender["_id"], "toUserId": recipient["_id"], "offeringId": offering["_id"],
        "registeredName": sender.get("legalFullName") or sender.get("name") or "", "uniqueId": typed,
        "remark": remark, "tokenQuantity": quantity, "status": rules.AWAITING, "fromWallet": chosen["wallet"],
        "securityName": f"{chosen['title']} ({chosen['ticker']})" if chosen["ticker"] else chosen["title"],
        "recipientName": recipient.get("legalFullName") or recipient.get("name") or "",
        "tokenDecimals": chosen["decimals"]})
    audit.record("transfer.saved", actor=sender, subject=recipient, ip=ip, details={
        "savedTransferRequestId": str(saved["_id"]), "offeringId": str(offering["_id"]),
        "tokenQuantity": str(quantity)})
    notices.tell_saved(config, saved, rules.AWAITING)
    return saved


def withdraw(config: dict, sender: dict, saved_id: str, ip: str | None = None) -> str:
    """The sender takes back a transfer the recipient has not decided yet."""
    saved = _own(config, saved_id, "fromUserId", sender)
    return _close(config, sender, saved, rules.WITHDRAWN, "transfer.saved_withdrawn", ip)


def decline(config: dict, recipient: dict, saved_id: str, ip: str | None = None) -> str:
    saved = _own(config, saved_id, "toUserId", recipient)
    return _close(config, recipient, saved, rules.DECLINED, "transfer.saved_declined", ip)


def confirm(config: dict, recipient: dict, saved_id: str, ip: str | None = None) -> dict:
    """The recipient accepts: the saved transfer becomes a TransferRequet waiting for review; returns it."""
    saved = _own(config, saved_id, "toUserId", recipient)
    db = get_db(config)
    with locks.transfer_request(saved["_id"], config):
        saved = saved_transfer_requests.by_id(db, saved["_id"])
        _still_open(saved)
        offering = offerings.by_id(db, saved["offeringId"])
        found = eligible_recipient(config, saved["uniqueId"], offering) if offering else None
        if found is None or found[0]["_id"] != recipient["_id"]:
            raise SavedRefused("You cannot receive this offering's tokens now: your identity must be verified and "
                               "you must be whitelisted for this offering. Decline, or ask again once you are.")
        sender = users.by_id(db, saved["fromUserId"]) or {"_id": saved["fromUserId"]}
        request = transfer_requests.insert_open(db, rules.holder_to_holder_doc(saved, sender, recipient, offering,
                                                                               found[1]))
        saved_transfer_requests.transition(db, saved["_id"], rules.AWAITING,
                                           {"status": rules.CONFIRMED, "transferRequestId": request["_id"],
                                            "toWallet": found[1]})
    audit.record("transfer.saved_confirmed", actor=recipient, subject=sender, ip=ip, details={
        "savedTransferRequestId": str(saved["_id"]), "transferRequestId": str(request["_id"])})
    notices.tell_saved(config, saved, rules.CONFIRMED)
    notices.request_waiting(config, request)
    return request


def _own(config: dict, saved_id: str, side: str, user: dict) -> dict:
    sid = parse_id(saved_id)
    saved = saved_transfer_requests.by_id(get_db(config), sid) if sid else None
    if saved is None or saved[side] != user["_id"]:
        raise NotFound(saved_id)
    return saved


def _still_open(saved: dict) -> None:
    if saved["status"] != rules.AWAITING:
        label = rules.SAVED_LABELS.get(saved["status"], saved["status"]).lower()
        raise SavedRefused(f"This transfer can no longer change: it is {label}.")


def _close(config: dict, actor: dict, saved: dict, status: str, event: str, ip: str | None) -> str:
    with locks.transfer_request(saved["_id"], config):
        _still_open(saved_transfer_requests.by_id(get_db(config), saved["_id"]))
        saved_transfer_requests.transition(get_db(config), saved["_id"], rules.AWAITING, {"status": status})
    audit.record(event, actor=actor, ip=ip, details={"savedTransferRequestId": str(saved["_id"])})
    notices.tell_saved(config, saved, status)
    return status
