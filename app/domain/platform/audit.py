"""The security audit trail: each event is written to `auditLogs` and published to Kafka `platform.events`.

MongoDB holds the record admins browse; Kafka carries it to monitoring. The write comes first,
so a broker outage loses no audit entry (the failed publish is logged with the entry's id).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from flask import current_app
from kafka.errors import KafkaError

from app.data import audit_logs
from app.data.mongo import get_db
from app.domain.accounts.permissions import has_permission
from app.events.producer import publish
from app.events.topics import PLATFORM_EVENTS

log = logging.getLogger(__name__)

EVENTS = {
    "signup": "Sign-up",
    "signup.refused": "Sign-up with an email or mobile already in use (the email's owner was mailed)",
    "login.unlock_sent": "Sign-in slowed for an account under attack; its owner was mailed an unlock link",
    "login.ok": "Sign-in",
    "login.failed": "Failed sign-in",
    "logout": "Sign-out",
    "email.verified": "Email verified",
    "mobile.verified": "Mobile verified",
    "2fa.enabled": "2FA turned on",
    "2fa.disabled": "2FA turned off",
    "2fa.recovery_used": "Recovery code used",
    "password.changed": "Password changed",
    "password.reset_requested": "Password reset requested",
    "password.reset": "Password reset",
    "user.deactivated": "Account deactivated",
    "user.reactivated": "Account reactivated",
    "user.deleted": "Account deleted",
    "role.created": "Admin or sub-admin created",
    "permissions.changed": "Permissions changed",
    "kyc.submitted": "KYC application submitted",
    "kyc.approved": "KYC approved by a reviewer",
    "kyc.rejected": "KYC rejected by a reviewer",
    "kyc.changes_requested": "KYC changes requested",
    "kyc.document_viewed": "KYC document downloaded",
    "wallet.verified": "Wallet proven",
    "issuer.applied": "Issuer application sent",
    "issuer.approved": "Issuer application approved",
    "offering.created": "Offering draft created",
    "offering.submitted": "Offering submitted for review",
    "offering.assigned": "Offering assigned to a reviewer",
    "offering.commented": "Offering review comment",
    "offering.changes_requested": "Offering changes requested",
    "offering.approved": "Offering approved",
    "offering.rejected": "Offering rejected",
    "offering.deployment_requested": "Offering token deployment started",
    "offering.conversion_enabled": "Conversion to ERC-20 enabled by the issuer (the ERC-20 deployment started)",
    "conversion.requested": "A holder asked to convert tokens to the ERC-20 or back",
    "offering.raise_closed": "Offering raise closed by staff (unpaid orders cancelled)",
    "offering.opening_scheduled": "When an offering's token opens after the sale was set",
    "offering.token_opening": "Offering token opening (unpause) started",
    "offering.compliance_limit_requested": "Compliance limit change of a deployed token requested",
    "offering.compliance_limit_confirmed": "A compliance limit change confirmed on chain (stored settings updated)",
    "offering.compliance_limit_failed": "A compliance limit change refused by the chain",
    "issuer.rejected": "Issuer application rejected",
    "whitelist.requested": "Whitelisting requested",
    "whitelist.ta_approved": "Whitelisting approved by the transfer agent",
    "whitelist.ta_rejected": "Whitelisting rejected by the transfer agent",
    "whitelist.approved": "Whitelisting approved",
    "whitelist.rejected": "Whitelisting rejected",
    "order.payment_received": "Bank transfer for an order marked received by an admin",
    "order.frozen": "Order's tokens frozen by an admin",
    "order.unfrozen": "Order's tokens unfrozen by an admin",
    "order.cancelled_by_admin": "Unpaid order cancelled by an admin, with a reason",
    "order.mint_retried": "Held order's mint retried by an admin after its cause was fixed",
    "chain_job.retried": "Failed chain job sent again once by staff (a mint: its held orders, in one new job)",
    "chain_job.resolved": "Failed chain job resolved by hand by staff, with a reason",
    "agent_action.created": "Agent action case made (reason and evidence), waiting for approval",
    "agent_action.approved": "Agent action case approved (or confirmed by its maker for a one-person kind)",
    "agent_action.rejected": "Agent action case rejected by a checker, with a reason",
    "agent_action.cancelled": "Agent action case cancelled (withdrawn, or during its time lock), with a reason",
    "agent_action.retried": "Failed agent action case sent again as a new attempt",
    "agent_action.executed": "Agent action executed on chain",
    "agent_action.failed": "Agent action failed on chain (the contract's reason kept)",
    "order.expired": "Unpaid order cancelled when its payment window lapsed",
    "orders.exported": "Orders exported as CSV",
    "payment.settled": "Order paid in full and settled",
    "payment.flagged": "Order payment flagged (under- or overpaid)",
    "payment.flag_accepted": "Flagged payment accepted by an admin",
    "payment.refunded": "Flagged payment refused by an admin (to be refunded)",
    "payment.retracted": "Payment dropped by a chain reorganisation",
    "payment.unmatched": "Stablecoin transfer matching no order",
    "payment.matched_by_admin": "Unmatched stablecoin transfer matched to an order by an admin",
    "payment.refund_marked": "Unmatched stablecoin transfer marked for refund by an admin",
    "payment.tokens_minted": "Order's tokens minted",
    "statement.uploaded": "Bank statement uploaded and matched",
    "statement.refused": "Bank statement upload refused (kept for audit, with the reason)",
    "statement.duplicate": "Bank statement uploaded again (nothing applied twice)",
    "bank_entry.assign": "Bank statement entry assigned to an order by staff",
    "bank_entry.refund": "Bank statement entry marked to be refunded by staff",
    "bank_entry.ignore": "Bank statement entry ignored by staff, with a reason",
    "kyc.revoked": "Approved KYC revoked by staff, with a reason",
    "kyc.expired": "Approved KYC reached the end of its validity (re-KYC needed)",
    "kyc.renewal_started": "KYC renewal started by the investor (a new check at the provider)",
    "offering.ta_assigned": "Transfer agent assigned to an offering",
    "nav.proposed": "New NAV per token proposed by the issuer, with its valuation report",
    "nav.approved": "NAV proposal approved by staff (the offering's NAV changed)",
    "nav.rejected": "NAV proposal rejected by staff, with a reason",
    "wallet.held_created": "Platform-held wallet created for an investor",
    "transfer.requested": "Transfer of holdings requested (second factor checked)",
    "transfer.refused_second_factor": "Transfer out of a held wallet refused: second factor wrong",
    "transfer.approved": "Transfer request approved",
    "transfer.rejected": "Transfer request rejected",
    "transfer.completed": "Transfer request executed on chain",
    "transfer.saved": "Transfer to another investor saved, waiting for the recipient",
    "transfer.saved_withdrawn": "Saved transfer withdrawn by its sender",
    "transfer.saved_declined": "Saved transfer declined by its recipient",
    "transfer.saved_confirmed": "Saved transfer confirmed by its recipient, sent for review",
    "distribution.declared": "Distribution declared by its issuer",
    "distribution.approved": "Distribution approved",
    "distribution.rejected": "Distribution rejected",
    "distribution.snapshotted": "Distribution holders fixed at the record block",
    "distribution.withholding_rate": "Withholding rate of a country set",
    "distribution.payment_file": "Distribution's bank payment file issued",
    "distribution.line_paid": "Distribution line marked paid by bank transfer",
    "distribution.payout_started": "Distribution's stablecoin payout started by staff",
    "distribution.line_repaid": "Held or reorged distribution line paid again by staff",
}


def _who(user: dict | None) -> tuple[str | None, str | None]:
    return (str(user["_id"]), user.get("email")) if user else (None, None)


def record(event: str, *, actor: dict | None = None, subject: dict | None = None, ip: str | None = None,
           details: dict | None = None) -> dict:
    """Write one audit entry and publish it; returns the entry. `actor` did it, `subject` it was done to."""
    if event not in EVENTS:
        raise ValueError(f"unknown audit event {event!r}")
    actor_id, actor_email = _who(actor)
    subject_id, subject_email = _who(subject or actor)
    entry = {"event": event, "at": datetime.now(UTC), "actorId": actor_id, "actorEmail": actor_email,
             "subjectId": subject_id, "subjectEmail": subject_email, "ip": ip, "details": details or {}}
    db = get_db()
    entry["_id"] = audit_logs.insert(db, entry)
    message = {"id": str(entry["_id"]), "type": f"security.{event}", "at": entry["at"].isoformat(),
               "actorId": actor_id, "subjectId": subject_id, "ip": ip, "details": entry["details"]}
    try:
        publish(PLATFORM_EVENTS.name, subject_id, message, current_app.config)
    except KafkaError as error:
        log.error("audit event %s not published to %s: %s", entry["_id"], PLATFORM_EVENTS.name, error)
    return entry


def browse(actor: dict, *, event: str = "", email: str = "", limit: int = 100) -> list[dict]:
    """Entries for the back office, newest first, filtered by event and by email (part of it)."""
    if not has_permission(actor, "audit"):
        raise PermissionError("the audit log needs the audit permission")
    return audit_logs.search(get_db(), event=event if event in EVENTS else "", email=email[:100], limit=limit)
