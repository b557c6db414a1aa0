"""Staff revoke an approved KYC, with a reason: the investor can no longer order, and what they already paid
for is held rather than minted (issue 18; the compliance issue builds its blocking on this status).

Who: admins and sub-admins holding `kyc`, like the KYC decisions (app.domain.onboarding.review). The
revocation is applied like a reviewer's decision, as a KYC event stamped now (`users.apply_kyc_event`), under
the user's lock: a provider webhook older than it cannot undo it. Then, each under the order's lock (orders
come before users in app/locks.py's order, so never inside the user's lock), the investor's settled orders no
mint job has claimed yet are held (`kycHold`, with the reason): minting skips them
(app.data.mint_claims.ready), their payment stays recorded, and staff see why. An order whose mint a job
already claimed is on its way to the chain and is not stopped. Settlement holds the orders that settle later
(app.domain.payments.settlement). The on-chain KYC claim is not revoked here (another issue).
"""

from __future__ import annotations

from datetime import UTC, datetime

from app import locks
from app.data import mint_claims, orders, users
from app.data.ids import parse_id
from app.data.mongo import get_db
from app.domain import errors
from app.domain.accounts.permissions import has_permission
from app.domain.onboarding import kyc_rules
from app.domain.platform import audit, notifications
from app.tasks import rekyc as rekyc_jobs

REVOKED = "revoked"
EXPIRED = "expired"  # the approval's validity ended (app.domain.compliance.rekyc): blocked like a revocation
REASON_MAX = 500


def is_revoked(user: dict | None) -> bool:
    """Blocked from ordering and minting: revoked by staff, expired, or rejected by the provider (a renewal)."""
    return bool(user) and user.get("kycStatus") in (REVOKED, EXPIRED, kyc_rules.REJECTED)


def hold_reason(user: dict) -> str:
    if user.get("kycStatus") == EXPIRED:
        return "The investor's identity verification expired: minted once it is renewed."
    if user.get("kycStatus") == kyc_rules.REJECTED:
        return f"The investor's identity verification was not accepted: {user.get('kycReason') or 'no reason given'}"
    return f"The investor's identity verification was revoked: {user.get('kycReason') or 'no reason given'}"


def revoke(actor: dict, user_id: str, reason: str) -> dict:
    """Revoke the user's approved KYC with `reason` (the investor reads it); returns the user after."""
    if not has_permission(actor, "kyc"):
        raise errors.NotAllowed("Revoking a KYC needs the kyc permission.")
    reason = " ".join((reason or "").split())[:REASON_MAX]
    if not reason:
        raise errors.Refused("Give the reason for the revocation: the investor reads it.")
    oid = parse_id(user_id)
    db = get_db()
    if oid is None or users.by_id(db, oid) is None:
        raise errors.NotFound("no such user")
    now = datetime.now(UTC)
    with locks.user(oid):
        user = users.by_id(db, oid)
        if user.get("kycStatus") != kyc_rules.APPROVED:
            raise errors.Refused("Only an approved identity verification can be revoked; this one is "
                                 f"{(user.get('kycStatus') or 'not started')}.")
        applied = users.apply_kyc_event(db, oid, now.strftime("%Y-%m-%d %H:%M:%S.%f"), {
            "kycStatus": REVOKED, "isKyc": False, "kycReason": reason, "kycRevokedAt": now,
            "kycRevokedBy": str(actor["_id"])})
        if not applied:
            raise errors.Refused("A newer verification result arrived meanwhile; reload the page.")
    user = users.by_id(db, oid)
    held = hold_settled_orders(user)
    rekyc_jobs.revoke_kyc_claims.delay(str(oid), job_id=f"revoke-claims-{oid}-revoked-{now:%Y%m%d%H%M%S%f}",
                                       description=f"revoke the KYC claims of user {oid}")  # on chain too
    audit.record("kyc.revoked", actor=actor, subject=user, details={"reason": reason, "heldOrders": held})
    notifications.send_email(user["email"], "Libertum: Your identity verification was revoked", "kyc_revoked",
                             {"reason": reason, "held_orders": held}, user["_id"])
    return user


def hold_settled_orders(user: dict) -> int:
    """Hold the user's settled, unminted orders that no mint job claimed; returns how many were held."""
    db, held = get_db(), 0
    waiting = [o for o in orders.of_user(db, user["_id"]) if o.get("isSettled") and not o.get("isMinted")
               and not o.get("kycHold")]
    claimed = mint_claims.jobs_of(db, [o["_id"] for o in waiting])
    for order in waiting:
        if order["_id"] in claimed:
            continue
        with locks.order(order["_id"]):
            held += hold_order(db, order["_id"], user)
    return held


def hold_order(db, order_id, user: dict) -> int:
    """Mark one settled order held for the revoked KYC (the caller holds the order's lock); 1 if it was held."""
    updated = orders.transition(db, order_id, {"isMinted": {"$ne": True}, "kycHold": {"$ne": True}},
                                {"kycHold": True, "kycHoldReason": hold_reason(user), "kycHeldAt": datetime.now(UTC)})
    return 1 if updated is not None else 0
