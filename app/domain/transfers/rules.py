"""Pure rules of transfer requests (no server)."""

from __future__ import annotations

import re

PENDING, APPROVED, COMPLETED, REJECTED, FAILED = "pending", "approved", "completed", "rejected", "failed"
CUSTODY_EXIT = "custodyExit"  # kind: from the platform-held wallet to the investor's own wallet
CUSTODY_EXIT_REASON = "Move my holdings from the wallet Libertum holds for me to my own wallet"
STATUS_LABELS = {PENDING: "Waiting for approval", APPROVED: "Approved, being executed on chain",
                 COMPLETED: "Completed", REJECTED: "Rejected", FAILED: "Failed"}
MAX_REMARK = 500


def is_maker(actor_id, request: dict) -> bool:
    """Four eyes: the person who made the request, whose tokens it moves, or who receives them, never decides it."""
    parties = (request.get("createdBy"), request.get("userId"), request.get("toUserId"))
    return actor_id is not None and actor_id in parties


def state_refusal(request: dict) -> str | None:
    """Why the request cannot be decided any more, or None while it waits for a decision."""
    status = request.get("status")
    if status != PENDING:
        return f"This request was already decided: {STATUS_LABELS.get(status, status).lower()}."
    return None


def clean_remark(text: str | None, *, required: bool) -> str:
    """The staff's remark, trimmed; a rejection needs one. Raises ValueError with the message."""
    remark = " ".join(str(text or "").split())
    if required and not remark:
        raise ValueError("Say why the request is rejected; the investor reads it.")
    if len(remark) > MAX_REMARK:
        raise ValueError(f"Keep the remark under {MAX_REMARK} characters.")
    return remark


def custody_exit_doc(user: dict, offering: dict, held: str, target: str, quantity: int) -> dict:
    """A request's seed fields for moving `quantity` base units of `offering` from `held` to `target`."""
    name = user.get("legalFullName") or user.get("name") or ""
    title = (offering.get("overview") or {}).get("title") or ""
    ticker = (offering.get("projectDetails") or {}).get("tokenTicker") or ""
    return {"userId": user["_id"], "offeringId": offering["_id"], "kind": CUSTODY_EXIT,
            "securityName": f"{title} ({ticker})" if ticker else title, "registeredName": name,
            "reason": CUSTODY_EXIT_REASON, "status": PENDING, "isForceTransfer": True,
            "registeredEmailId": user.get("email"), "walletAddress": held, "newRegisteredName": name,
            "newRegisteredEmailId": user.get("email"), "newWalletAddress": target, "tokenQuantity": quantity,
            "remark": "", "createdBy": user["_id"], "tokenAddress": offering.get("tokenAddress"),
            "tokenDecimals": int((offering.get("projectDetails") or {}).get("tokenDecimals") or 0)}


# --- investor-initiated kinds (issue 14) ------------------------------------------------------------------
HOLDER_TO_HOLDER = "holderToHolder"  # a saved transfer the recipient confirmed
HOLDER_TO_HOLDER_REASON = "Transfer to another registered investor, confirmed by the recipient"
KIND_LABELS = {CUSTODY_EXIT: "Move out of the held wallet", HOLDER_TO_HOLDER: "Transfer to another investor"}

# SaveTransferRequet statuses: the recipient decides first, then it becomes a TransferRequet
AWAITING, CONFIRMED, DECLINED, WITHDRAWN = "awaitingRecipient", "confirmed", "declined", "withdrawn"
SAVED_LABELS = {AWAITING: "Waiting for the recipient", CONFIRMED: "Confirmed by the recipient, sent for review",
                DECLINED: "Declined by the recipient", WITHDRAWN: "Withdrawn by the sender"}
MAX_QUANTITY_CHARS = 60
_QUANTITY = re.compile(r"(?P<whole>[0-9]*)(?:\.(?P<fraction>[0-9]*))?", re.ASCII)


def parse_quantity(text: str | None, decimals: int) -> int:
    """Typed tokens ("12", "0.5", "1,000.25") as exact base units of a `decimals` token. Raises ValueError
    with the message the person reads: empty, not a number, negative, zero, or more decimals than the token has."""
    raw = "".join(str(text or "").split()).replace(",", "")
    if not raw:
        raise ValueError("Enter how many tokens to transfer.")
    if len(raw) > MAX_QUANTITY_CHARS:
        raise ValueError("This number is too long; enter the tokens to transfer, such as 25 or 0.5.")
    if raw.startswith("-"):
        raise ValueError("Enter a positive number of tokens.")
    shape = _QUANTITY.fullmatch(raw)
    if shape is None or not (shape["whole"] or shape["fraction"]):
        raise ValueError("Enter a number of tokens, such as 25 or 0.5.")
    whole, fraction = shape["whole"], shape["fraction"] or ""
    fraction = fraction.rstrip("0")
    if len(fraction) > decimals:
        raise ValueError("This token has no fractions: enter whole tokens." if decimals == 0 else
                         f"This token has {decimals} decimals: enter at most {decimals} digits after the point.")
    units = int(whole or "0") * 10 ** decimals + int((fraction or "0").ljust(decimals, "0") or "0")
    if units == 0:
        raise ValueError("Enter more than zero tokens.")
    return units


def quantity_refusal(units: int, available: int) -> str | None:
    """Why `units` cannot be moved out of `available` (unfrozen, unlocked) base units, or None."""
    if units > available:
        return "This is more than you can transfer now: only your unfrozen, unlocked tokens can move."
    return None


def holder_to_holder_doc(saved: dict, sender: dict, recipient: dict, offering: dict, to_wallet: str) -> dict:
    """The TransferRequet a confirmed saved transfer becomes: a forced transfer from the sender's wallet to the
    recipient's whitelisted wallet, executed once approved. `requestKey` names it after the saved request."""
    title = (offering.get("overview") or {}).get("title") or ""
    ticker = (offering.get("projectDetails") or {}).get("tokenTicker") or ""
    return {"userId": sender["_id"], "offeringId": offering["_id"], "kind": HOLDER_TO_HOLDER,
            "securityName": f"{title} ({ticker})" if ticker else title,
            "registeredName": sender.get("legalFullName") or sender.get("name") or "",
            "reason": HOLDER_TO_HOLDER_REASON, "status": PENDING, "isForceTransfer": True,
            "registeredEmailId": sender.get("email"), "walletAddress": saved["fromWallet"],
            "newRegisteredName": recipient.get("legalFullName") or recipient.get("name") or "",
            "newRegisteredEmailId": recipient.get("email"), "newWalletAddress": to_wallet,
            "tokenQuantity": saved["tokenQuantity"], "remark": "", "createdBy": sender["_id"],
            "toUserId": recipient["_id"], "savedTransferRequestId": saved["_id"],
            "requestKey": f"saved:{saved['_id']}", "tokenAddress": offering.get("tokenAddress"),
            "tokenDecimals": int((offering.get("projectDetails") or {}).get("tokenDecimals") or 0)}


LOST_WALLET = "lostWallet"  # recovery of a lost or compromised wallet to a new proven wallet of the same investor
LOST_WALLET_REASON = "My wallet is lost or compromised: recover my holdings to my new wallet"
KIND_LABELS[LOST_WALLET] = "Recovery of a lost wallet"


def lost_wallet_doc(user: dict, offering: dict, lost: str, new: str, quantity: int, identity: str,
                    note: str = "") -> dict:
    """The TransferRequet of a recovery: the token's recoveryAddress moves the whole balance of `lost`."""
    title = (offering.get("overview") or {}).get("title") or ""
    ticker = (offering.get("projectDetails") or {}).get("tokenTicker") or ""
    name = user.get("legalFullName") or user.get("name") or ""
    return {"userId": user["_id"], "offeringId": offering["_id"], "kind": LOST_WALLET,
            "securityName": f"{title} ({ticker})" if ticker else title, "registeredName": name,
            "reason": f"{LOST_WALLET_REASON}: {note}" if note else LOST_WALLET_REASON, "status": PENDING,
            "isForceTransfer": False, "registeredEmailId": user.get("email"), "walletAddress": lost,
            "newRegisteredName": name, "newRegisteredEmailId": user.get("email"), "newWalletAddress": new,
            "tokenQuantity": quantity, "remark": "", "createdBy": user["_id"], "investorOnchainID": identity,
            "tokenAddress": offering.get("tokenAddress"),
            "tokenDecimals": int((offering.get("projectDetails") or {}).get("tokenDecimals") or 0)}


NEW_OWNER = "newOwner"  # register a new owner (inheritance, private sale): a forced transfer to their wallet
NEW_OWNER_REASON = "Register a new owner of my holding"
KIND_LABELS[NEW_OWNER] = "Register a new owner"
MAX_NAME = 200


def new_owner_doc(user: dict, offering: dict, wallet: str, quantity: int, owner: dict, note: str = "") -> dict:
    """The TransferRequet registering `owner` ({name, email, wallet}) as owner of `quantity` base units held in
    `wallet`. Who the new owner is on the platform is checked when staff approve (review.py), never here: the
    investor's form must not tell them who is registered."""
    title = (offering.get("overview") or {}).get("title") or ""
    ticker = (offering.get("projectDetails") or {}).get("tokenTicker") or ""
    return {"userId": user["_id"], "offeringId": offering["_id"], "kind": NEW_OWNER,
            "securityName": f"{title} ({ticker})" if ticker else title,
            "registeredName": user.get("legalFullName") or user.get("name") or "",
            "reason": f"{NEW_OWNER_REASON}: {note}" if note else NEW_OWNER_REASON, "status": PENDING,
            "isForceTransfer": True, "registeredEmailId": user.get("email"), "walletAddress": wallet,
            "newRegisteredName": owner["name"], "newRegisteredEmailId": owner["email"],
            "newWalletAddress": owner["wallet"], "tokenQuantity": quantity, "remark": "", "createdBy": user["_id"],
            "tokenAddress": offering.get("tokenAddress"),
            "tokenDecimals": int((offering.get("projectDetails") or {}).get("tokenDecimals") or 0)}
