"""Pure rules of transfer requests (no server)."""

from __future__ import annotations

PENDING, APPROVED, COMPLETED, REJECTED, FAILED = "pending", "approved", "completed", "rejected", "failed"
CUSTODY_EXIT = "custodyExit"  # kind: from the platform-held wallet to the investor's own wallet
CUSTODY_EXIT_REASON = "Move my holdings from the wallet Libertum holds for me to my own wallet"
STATUS_LABELS = {PENDING: "Waiting for approval", APPROVED: "Approved, being executed on chain",
                 COMPLETED: "Completed", REJECTED: "Rejected", FAILED: "Failed"}
MAX_REMARK = 500


def is_maker(actor_id, request: dict) -> bool:
    """Four eyes: the person who made the request, or whose tokens it moves, never decides it."""
    return actor_id in (request.get("createdBy"), request.get("userId"))


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
