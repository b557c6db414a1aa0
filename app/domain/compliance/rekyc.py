"""Re-KYC: an approved KYC lapses at the end of its validity (app.domain.compliance.kyc_validity).

What the daily sweep does, as of an explicit `now` (the periodic job passes the clock; tests pass a date):
- before the end, the investor is mailed at 60, 30 and 7 days (once per threshold and approval: the mail's
  key) and the app shows the end date (`kycValidUntil`, `kycWarningDays` on the user);
- at the end, under the user's lock and only while the same approval stands, the KYC becomes `expired`
  (isKyc false, with the reason); then, as for a staff revocation, the investor's settled orders no mint
  job claimed are held (`kycHold`), and the KYC claim is revoked on chain by a chain-queue job
  (app.domain.compliance.claims), so tokens refuse the wallets too.
Grace policy: an expired investor may not order (placement) or receive minted tokens (held), and on chain
their wallets are no longer verified, so they can neither buy nor transfer; what they hold stays theirs and
distributions are still paid to them. A renewal goes through the KYC provider (the same webhooks); its
approval adds a new claim, then the held orders are released to minting (`release_held_orders`).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from app import locks
from app.data import orders, user_details, users
from app.data.mongo import get_db
from app.domain.compliance import kyc_validity as validity
from app.domain.onboarding import kyc_rules, revocation
from app.domain.platform import audit
from app.domain.platform.notifications import send_email
from app.tasks import rekyc as rekyc_jobs
from app.tasks import settlement as settlement_jobs

log = logging.getLogger(__name__)


def valid_until(config: dict, db, user: dict) -> datetime | None:
    """The end of the user's current approval (None when not approved or the approval has no date)."""
    approved = validity.approved_at(user)
    if user.get("kycStatus") != kyc_rules.APPROVED or approved is None:
        return None
    details = user_details.get(db, user["_id"]) or {}
    document = validity.parse_day((details.get("mainInformation") or {}).get("documentExpiration"))
    return validity.valid_until(approved, config["KYC_VALIDITY_MONTHS"], document)


def generation(user: dict) -> str:
    """Names the approval (its time): warnings and claims are per approval."""
    approved = validity.approved_at(user)
    return approved.strftime("%Y%m%d%H%M%S%f") if approved else "none"


def sweep(config: dict, now: datetime) -> dict[str, list]:
    """Warn investors whose KYC ends soon and expire the lapsed ones, as of `now`; what was done."""
    db = get_db(config)
    done: dict[str, list] = {"warned": [], "expired": []}
    for user in users.with_kyc_status(db, kyc_rules.APPROVED):
        until = valid_until(config, db, user)
        if until is None:
            continue
        if now >= until:
            if expire(config, user, until):
                done["expired"].append(user["_id"])
        elif _warn(db, user, until, now):
            done["warned"].append(user["_id"])
    return done


def _warn(db, user: dict, until: datetime, now: datetime) -> bool:
    days = validity.warning_due(now, until)
    if days is None:
        return False
    users.set_fields(db, user["_id"], {"kycValidUntil": until, "kycWarningDays": days})
    send_email(user["email"], f"Libertum: Renew your identity verification within {days} days", "kyc_expiring",
               {"until": until.strftime("%d %b %Y"), "days": days, "days_left": validity.days_left(now, until)},
               user["_id"], key=f"kyc-expiring:{user['_id']}:{generation(user)}:{days}")
    return True


def expire(config: dict, user: dict, until: datetime) -> bool:
    """End the approval `user` holds (if it still stands); True when this call ended it."""
    db = get_db(config)
    reason = (f"Your identity verification expired on {until:%d %b %Y}. Renew it from the Onboarding page: "
              "the provider checks your identity again.")
    with locks.user(user["_id"], config):
        ended = users.set_if(db, user["_id"], {"kycStatus": kyc_rules.APPROVED, "kycEventAt": user.get("kycEventAt")},
                             {"kycStatus": validity.EXPIRED, "isKyc": False, "kycReason": reason,
                              "kycExpiredAt": until, "kycWarningDays": None, "updatedAt": datetime.now(UTC)})
    if not ended:
        return False
    current = users.by_id(db, user["_id"])
    held = revocation.hold_settled_orders(current)
    enqueue_claim_revocation(user["_id"], generation(user))
    audit.record("kyc.expired", subject=current, details={"validUntil": until.isoformat(), "heldOrders": held})
    send_email(current["email"], "Libertum: Your identity verification expired", "kyc_expired",
               {"until": until.strftime("%d %b %Y"), "held_orders": held}, current["_id"],
               key=f"kyc-expired:{user['_id']}:{generation(user)}")
    log.info("KYC of user %s expired (valid until %s); %d order(s) held", user["_id"], until, held)
    return True


def enqueue_claim_revocation(user_id, approval: str) -> None:
    """The on-chain claim follows the KYC: one revocation job per ended approval."""
    rekyc_jobs.revoke_kyc_claims.delay(str(user_id), job_id=f"revoke-claims-{user_id}-{approval}",
                                       description=f"revoke the KYC claims of user {user_id}")


def ended_by_provider(user: dict) -> None:
    """The provider rejected an investor it had approved: held and revoked on chain, like an expiry."""
    revocation.hold_settled_orders(user)
    enqueue_claim_revocation(user["_id"], "rejected-" + "".join(c for c in str(user.get("kycEventAt")) if c.isdigit()))


def release_held_orders(config: dict, user_id) -> int:
    """After a new approval (and its claim on chain): the user's held orders go back to minting; how many."""
    db = get_db(config)
    user = users.by_id(db, user_id)
    if user is None or not user.get("isKyc") or user.get("kycStatus") != kyc_rules.APPROVED:
        return 0
    released, offerings = 0, set()
    for order in orders.of_user(db, user["_id"]):
        if not order.get("kycHold") or order.get("isMinted"):
            continue
        with locks.order(order["_id"], config):
            if orders.transition(db, order["_id"], {"kycHold": True},
                                 {"kycHold": False, "kycHoldReason": "", "kycReleasedAt": datetime.now(UTC)}):
                released += 1
                offerings.add(order["offeringId"])
    for offering_id in offerings:
        settlement_jobs.enqueue_minting(config, offering_id)
    return released
