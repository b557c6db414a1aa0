"""Read-only queries behind the issuer dashboard, the transactions record and the reports.

Why one module across collections: these pages only read, over several collections at once
(orders, whitelists, users, userdetails, auditLogs, dividends, transfer requests, chain jobs and
events). Each collection's own module keeps its writes and its indexes; nothing here writes.
Amounts come back decoded (int) through app/data/amounts.py.

FerretDB v1 matches every filter but a single `_id` equality in Go (a scan), so each page reads
each collection once with one filter, never one query per row.
"""

from __future__ import annotations

from datetime import datetime

from bson import ObjectId
from pymongo.database import Database

from app.data import amounts, orders

ORDER_FIELDS = {"userId": 1, "offeringId": 1, "status": 1, "paymentMethod": 1, "quantity": 1, "amount": 1,
                "totalAmount": 1, "feeAmount": 1, "orderReceived": 1, "settledAt": 1, "isMinted": 1, "orderMinted": 1,
                "walletAddress": 1, "investorEmail": 1, "mintHeld": 1, "paymentReference": 1, "tx_hash": 1,
                "isSettled": 1, "payments": 1}
WHITELIST_FIELDS = {"userId": 1, "offeringId": 1, "status": 1, "taStatus": 1, "adminStatus": 1, "is_signed": 1,
                    "address": 1, "userEmail": 1, "userName": 1, "onChainRegistered": 1, "template_id": 1,
                    "envelopeId": 1, "requestedAt": 1, "signedAt": 1, "decidedAt": 1, "createdAt": 1}
USER_FIELDS = {"email": 1, "name": 1, "kycEventAt": 1, "residenceCountry": 1, "userType": 1, "kycStatus": 1,
               "isKyc": 1, "createdAt": 1}


def _scoped(offering_ids: list | None) -> dict:
    return {} if offering_ids is None else {"offeringId": {"$in": list(offering_ids)}}


def orders_of(db: Database, offering_ids: list | None = None, user_id=None) -> list[dict]:
    """Orders of these offerings (None: every offering), optionally one investor's."""
    query = _scoped(offering_ids) | ({"userId": user_id} if user_id is not None else {})
    return [orders.decoded(d) for d in db[orders.NAME].find(query, ORDER_FIELDS)]


def whitelists_of(db: Database, offering_ids: list | None = None) -> list[dict]:
    return list(db["whitelists"].find(_scoped(offering_ids), WHITELIST_FIELDS))


def users_by_ids(db: Database, user_ids: list) -> dict:
    """{user id: user} for these ids (one query)."""
    ids = [i for i in {*user_ids} if isinstance(i, ObjectId)]
    return {u["_id"]: u for u in db["users"].find({"_id": {"$in": ids}}, USER_FIELDS)} if ids else {}


def investors(db: Database) -> list[dict]:
    """Every investor account (the platform-wide KYC funnel and investors' report)."""
    return list(db["users"].find({"userType": "investor"}, USER_FIELDS))


def details_by_user(db: Database, user_ids: list) -> dict:
    """{user id: its userdetails (account type and wallets)} for these ids."""
    if not user_ids:
        return {}
    found = db["userdetails"].find({"userId": {"$in": list({*user_ids})}},
                                   {"userId": 1, "accountType": 1, "wallets": 1, "submittedAt": 1})
    return {d["userId"]: d for d in found}


def wallet_owners(db: Database, wallets: list[str]) -> dict[str, ObjectId]:
    """{wallet (lower case): user id} of the proven wallets among `wallets` (one query)."""
    if not wallets:
        return {}
    variants = sorted({w for wallet in wallets for w in (wallet, wallet.lower())})
    owners = {}
    for details in db["userdetails"].find({"wallets.address": {"$in": variants}}, {"userId": 1, "wallets": 1}):
        for entry in details.get("wallets") or ():
            owners[str(entry.get("address", "")).lower()] = details["userId"]
    return owners


def holdings_of_token(db: Database, token: str) -> list[dict]:
    return [amounts.decode(d, ("balance", "frozen")) for d in db["holdings"].find({"token": token})]


def total_supply(db: Database, token: str) -> int | None:
    found = db["chainTokens"].find_one({"_id": token})
    return amounts.load(found["totalSupply"]) if found and found.get("totalSupply") is not None else None


def audit_of_offering(db: Database, offering_id, limit: int = 100) -> list[dict]:
    """The audit entries naming the offering (`details.offeringId`), newest first."""
    return list(db["auditLogs"].find({"details.offeringId": str(offering_id)}).sort("at", -1).limit(limit))


def dividends_of(db: Database, offering_ids: list | None = None, wallets: list[str] | None = None) -> list[dict]:
    query = _scoped(offering_ids) | ({"walletAddress": {"$in": wallets}} if wallets is not None else {})
    return list(db["dividends"].find(query))


def transfer_requests_of(db: Database, offering_ids: list | None = None) -> list[dict]:
    return list(db["transferrequets"].find(_scoped(offering_ids)))


def token_events(db: Database, tokens: list[str], names: tuple[str, ...]) -> list[dict]:
    """Live chain events `names` (e.g. Transfer) of these token contracts, in chain order."""
    if not tokens:
        return []
    found = db["chainEvents"].find({"address": {"$in": tokens}, "event": {"$in": list(names)}, "retracted": False})
    return sorted(found, key=lambda e: (e.get("blockNumber") or 0, e.get("logIndex") or 0))


def chain_jobs_page(db: Database, query: dict, after: tuple[datetime, str] | None, limit: int) -> list[dict]:
    """One page of chain jobs, newest first, continuing after (createdAt, _id) of the last row shown.

    Keyset, not skip: a batch of jobs shares one createdAt, so the key is (createdAt, _id)."""
    if after is not None:
        at, last_id = after
        query = {**query, "$or": [{"createdAt": {"$lt": at}}, {"createdAt": at, "_id": {"$lt": last_id}}]}
    return list(db["chainJobs"].find(query).sort([("createdAt", -1), ("_id", -1)]).limit(limit))


def stablecoin_payments_page(db: Database, query: dict, before_id: str | None, limit: int) -> list[dict]:
    """Stablecoin transfers received (`payments`), by key descending (keyset on `_id`)."""
    if before_id is not None:
        query = {**query, "_id": {"$lt": before_id}}
    return [amounts.decode(d, ("amount",)) for d in db["payments"].find(query).sort("_id", -1).limit(limit)]


def offering_tokens(db: Database, offering_ids: list | None) -> list[dict]:
    """These offerings' token addresses and decimals (None: every offering), in one query."""
    query = {"_id": {"$in": list(offering_ids)}} if offering_ids is not None else {}
    return list(db["offerings"].find(query, {"tokenAddress": 1, "projectDetails.tokenDecimals": 1}))


def offerings_by_ids_or_tokens(db: Database, ids: list, tokens: list[str]) -> list[dict]:
    """Offerings by id or token address (titles and decimals for a statement), in one query."""
    ids = [i for i in {*ids} if i is not None]
    if not ids and not tokens:
        return []
    query = {"$or": [{"_id": {"$in": ids}}, {"tokenAddress": {"$in": list(tokens)}}]}
    fields = {"overview.title": 1, "tokenAddress": 1, "projectDetails.tokenDecimals": 1}
    return list(db["offerings"].find(query, fields))


def paid_orders_page(db: Database, method: str, before_id, limit: int) -> list[dict]:
    """Orders paid by `method` ("fiat" or "crypto") that recorded at least one payment, newest first,
    continuing below `before_id` (keyset on `_id`)."""
    query: dict = {"paymentMethod": method, "payments.0": {"$exists": True}}
    if before_id is not None:
        query["_id"] = {"$lt": before_id}
    fields = {"payments": 1, "paymentReference": 1, "investorEmail": 1, "offeringTitle": 1, "status": 1,
              "paymentDecimals": 1, "paymentMethod": 1}
    return [orders.decoded(d) for d in db[orders.NAME].find(query, fields).sort("_id", -1).limit(limit)]


def stablecoin_transfers_not_on_an_order(db: Database, limit: int = 200) -> list[dict]:
    """Stablecoin transfers received that no order took (unmatched, being matched, to refund, retracted)."""
    found = db["payments"].find({"status": {"$in": ["unmatched", "matching", "refund_due", "retracted"]}})
    return [amounts.decode(d, ("amount",)) for d in found.sort("receivedAt", -1).limit(limit)]


def chain_events_page(db: Database, event: str, after: tuple[int, int] | None, limit: int) -> list[dict]:
    """Live chain events (optionally one event name), newest first, continuing after (blockNumber, logIndex)
    of the last row shown (a log index is unique within its block: keyset, not skip)."""
    query: dict = {"retracted": False}
    if event:
        query["event"] = event
    if after is not None:
        block, index = after
        query["$or"] = [{"blockNumber": {"$lt": block}}, {"blockNumber": block, "logIndex": {"$lt": index}}]
    return list(db["chainEvents"].find(query).sort([("blockNumber", -1), ("logIndex", -1)]).limit(limit))


def jobs_of_transactions(db: Database, tx_hashes: list[str]) -> dict[str, str]:
    """{tx hash: chain job id} for the hashes the platform sent (a job's final hash, or one recorded in mintTxs)."""
    if not tx_hashes:
        return {}
    sent = {d["txHash"]: d["_id"] for d in db["chainJobs"].find({"txHash": {"$in": tx_hashes}}, {"txHash": 1})}
    for doc in db["mintTxs"].find({"_id": {"$in": tx_hashes}}, {"jobId": 1}):
        sent.setdefault(doc["_id"], doc["jobId"])
    return sent


def offering_titles(db: Database) -> list[dict]:
    """Every submitted offering (not drafts, not deleted), newest first, with its title."""
    query = {"status": {"$nin": ["draft", "changes_requested"]}, "isDelete": {"$ne": True}}
    return list(db["offerings"].find(query, {"overview.title": 1}).sort("_id", -1))
