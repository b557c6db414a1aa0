"""What a chain job means to staff, and the record's filters and keyset cursor. Pure: no server needed.

A record row is a chain job (`chainJobs`): a new kind of transaction (a dividend payout, a stablecoin
conversion) is a new `op` with its purpose here and its references (`dividendId`, `convertId`) among
RELATED; nothing else changes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from bson import ObjectId

PURPOSES = {
    "deployTREXSuite": "Token deployment", "mint": "Mint of settled orders",
    "registerIdentity": "Whitelist registration", "batchRegisterIdentity": "Whitelist registration",
    "deleteIdentity": "Removal from the identity registry", "updateCountry": "Investor country update",
    "freezePartialTokens": "Order freeze", "unfreezePartialTokens": "Order unfreeze",
    "setAddressFrozen": "Wallet freeze", "forcedTransfer": "Forced transfer", "transfer": "Transfer",
    "burn": "Burn", "pause": "Token pause", "unpause": "Token unpause", "recoveryAddress": "Wallet recovery",
    "createIdentity": "Investor identity creation", "addClaim": "KYC claim", "payout": "Distribution payout",
    "distribute": "Distribution payout (stablecoin batch)",
    "approve": "Stablecoin approval of the distribution contract",
    "convert": "Stablecoin conversion", "revokeClaimBySignature": "KYC claim revocation",
    "setComplianceLimit": "Compliance limit change", "addComplianceModule": "Compliance rule added to a token",
}
# How a failed job of each kind is retried from the record (app.domain.transactions.retries): the kinds here are
# sent again at most once, after the chain (or the chain-synced document) shows the operation did not happen.
RETRYABLE = {
    "mint": "Retry the held orders",
    "batchRegisterIdentity": "Register the wallet again",
    "freezePartialTokens": "Freeze again", "unfreezePartialTokens": "Unfreeze again",
    "deployTREXSuite": "Deploy again", "createIdentity": "Create the identity again", "addClaim": "Add the claim again",
    "revokeClaimBySignature": "Revoke the claim again",
    "registerIdentity": "Reopen the transfer and register again",
    "forcedTransfer": "Reopen the transfer and send again",
    "addKey": "Reopen the recovery and add the key again",
    "recoveryAddress": "Reopen the recovery and send again",
}
# kinds retried here only as a step of an investor's transfer request (another owner's job of the kind, such as an
# enforcement case's, is not: its retry is its owner's)
TRANSFER_REQUEST_ONLY = frozenset({"addKey", "recoveryAddress"})
# Any other kind (no page or job records it as a chain job yet, so no retry knows its chain check): resolved by hand.
NOT_RETRYABLE = ("This kind of operation is not sent again from here: the platform has no check of the chain for "
                 "it that would prove it did not happen meanwhile.")
# An enforcement case's step is sent again from its case page, as a new attempt (app.domain.enforcement.cases.retry).
CASE_RETRY = "Sent again from its agent action case (Send again there): a new attempt, once."
STATES = {"pending": "queued", "sent": "sent", "done": "mined", "failed": "failed"}
# reference field on the job -> (what it is, endpoint of its back-office page, the endpoint's argument)
RELATED = (("orderId", "order", "orders_admin.show_order", "order_id"),
           ("orderIds", "order", "orders_admin.show_order", "order_id"),
           ("offeringId", "offering", "offering_admin.show_offering", "offering_id"),
           ("whitelistId", "whitelist request", "whitelist_admin.show_request", "whitelist_id"),
           ("transferRequestId", "transfer request", "transfers_admin.show_request", "request_id"),
           ("agentActionId", "agent action", "enforcement_admin.show_case", "case_id"),
           ("userId", "user", "admin.show_user", "user_id"),
           ("dividendId", "distribution", None, None), ("convertId", "conversion", None, None),
           ("distributionId", "distribution", "distribution_payouts.show_payout", "distribution_id"))
PAGE_SIZE = 50
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)  # cursors count integer microseconds from it (a float would drift)
_HASH = re.compile(r"0x[0-9a-fA-F]{64}")
_OBJECT_ID = re.compile(r"[0-9a-f]{24}")


@dataclass(frozen=True)
class Filters:
    op: str = ""
    state: str = ""  # a key of STATES
    search: str = ""  # a transaction hash, an order/offering id, or a job id


def parse_filters(args: dict) -> Filters:
    """Filters from the query string; unknown values are ignored rather than refused (a stale bookmark)."""
    op = str(args.get("op") or "")
    state = str(args.get("state") or "")
    search = str(args.get("q") or "").strip()[:200]
    return Filters(op if op in PURPOSES else "", state if state in STATES else "", search)


def query_of(filters: Filters) -> dict:
    """The MongoDB filter of `filters` (chainJobs fields)."""
    parts: list[dict] = []
    if filters.op:
        parts.append({"op": filters.op})
    if filters.state:
        parts.append({"status": filters.state})
    if filters.search:
        if _HASH.fullmatch(filters.search):
            parts.append({"$or": [{"txHash": filters.search}, {"txs.hash": filters.search}]})
        elif _OBJECT_ID.fullmatch(filters.search):
            oid = ObjectId(filters.search)
            parts.append({"$or": [{"orderId": oid}, {"orderIds": oid}, {"offeringId": oid},
                                  {"offeringId": filters.search}, {"whitelistId": oid}, {"userId": oid}]})
        else:
            parts.append({"_id": filters.search})
    if not parts:
        return {}
    return parts[0] if len(parts) == 1 else {"$and": parts}


def cursor_of(job: dict) -> str:
    """The keyset cursor after `job`: its creation time (microseconds) and id."""
    created = job["createdAt"]
    if created.tzinfo is None:
        created = created.replace(tzinfo=UTC)
    return f"{(created - EPOCH) // timedelta(microseconds=1)}~{job['_id']}"


def parse_cursor(text: str | None) -> tuple[datetime, str] | None:
    """(createdAt, job id) from a cursor; None for no cursor or a malformed one (the first page then)."""
    if not text or "~" not in text:
        return None
    micros, _, job_id = str(text).partition("~")
    if not micros.isascii() or not micros.isdigit() or len(micros) > 18 or not job_id:
        return None
    return (EPOCH + timedelta(microseconds=int(micros))).replace(tzinfo=None), job_id


def related(job: dict) -> list[tuple[str, str, str | None, str | None]]:
    """(what, id, endpoint, argument) of each document the job belongs to."""
    found = []
    for field, what, endpoint, argument in RELATED:
        values = job.get(field)
        for value in values if isinstance(values, list) else [values] if values else []:
            found.append((what, str(value), endpoint, argument))
    return found


def row_of(job: dict) -> dict:
    """One line of the record."""
    status = job.get("status") or "pending"
    txs = job.get("txs") or []
    return {"id": job["_id"], "op": job.get("op") or "", "purpose": PURPOSES.get(job.get("op"), job.get("op") or ""),
            "label": (job.get("call") or {}).get("label") or "", "state": STATES.get(status, status),
            "reason": job.get("error") or "", "block": job.get("blockNumber"), "gas": job.get("gasUsed"),
            "tx_hash": job.get("txHash") or (txs[-1]["hash"] if txs else ""), "created": job.get("createdAt"),
            "finished": job.get("finishedAt"), "related": related(job),
            "held": _held(job), "split_into": job.get("splitInto") or [],
            "token_wide": bool(job.get("tokenWide")), "retried_as": job.get("retriedAs") or "",
            "resolved": bool(job.get("resolvedAt")), "resolved_reason": job.get("resolvedReason") or "",
            "resolved_by": job.get("resolvedByEmail") or "",
            "retryable": retryable(job), "retry_label": RETRYABLE.get(job.get("op"), ""),
            "not_retryable": "" if job.get("op") in RETRYABLE and not job.get("agentActionId") and not (
                job.get("op") in TRANSFER_REQUEST_ONLY and not job.get("transferRequestId")) else NOT_RETRYABLE}


def retryable(job: dict) -> bool:
    """Whether the failed-jobs page offers a retry: a kind in RETRYABLE still needing staff (a mint while it
    still holds orders), never one retried already (`retriedAs`: that job is the one to follow)."""
    if job.get("op") not in RETRYABLE or not needs_attention(job):
        return False
    if job.get("agentActionId"):  # its case sends it again (CASE_RETRY)
        return False
    if job.get("op") in TRANSFER_REQUEST_ONLY and not job.get("transferRequestId"):
        return False
    return bool(job.get("heldOrders")) if job.get("op") == "mint" else True


def _held(job: dict) -> list[dict]:
    """The orders a failed mint job holds, each with the token's own reason (older jobs recorded ids only)."""
    if job.get("heldReasons"):
        return [{"order": str(h["orderId"]), "reason": h.get("reason") or ""} for h in job["heldReasons"]]
    return [{"order": str(o), "reason": ""} for o in job.get("heldOrders") or []]


def needs_attention(job: dict) -> bool:
    """A failed job staff must look at: not resolved by hand, and for a mint, one still holding orders (a mint
    whose orders all went to other jobs, or were retried, needs nothing more)."""
    if job.get("status") != "failed" or job.get("resolvedAt"):
        return False
    if job.get("op") != "mint":
        return not job.get("retriedAs")  # retried: its retry job is the one to follow (itself listed if it fails)
    if not job.get("recovered"):
        return True
    return bool(job.get("heldOrders")) and not job.get("retriedAs")


def resolution_refusal(job: dict | None, reason: str) -> str | None:
    """Why the job may not be resolved by hand with `reason`, or None."""
    if job is None or job.get("status") != "failed":
        return "Only a failed chain job can be resolved by hand."
    if job.get("resolvedAt"):
        return "This job was already resolved by hand."
    if len(reason.strip()) < 10:
        return "Say what was done about it (at least 10 characters): the reason is kept in the audit log."
    return None
