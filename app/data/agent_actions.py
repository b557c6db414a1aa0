"""The `agentActions` collection: enforcement cases, one document per agent operation asked for.

Fields: offeringId, tokenAddress, kind, params {wallet, to_wallet, new_wallet, amount (base units: a
decimal string here, an int in Python, app/data/amounts.py)}, reason, evidence [{name, contentType, size,
sha256}], makerId/makerEmail, approvals [{userId, email, at, remark}], timeLockHours, executeAfter,
state, attempt (the chain steps' attempt number), jobIds, txHash, blockNumber, error, history
[{state, at, by, note}], createdAt, updatedAt.

The `_id` comes from the new-case form (an ObjectId drawn when the form is shown), so a form posted twice
inserts once and the second post finds the first case. State changes are conditional updates made
under `locks.agent_action` (FerretDB v1's conditional updates alone are not exclusive, app/locks.py).
"""

from __future__ import annotations

from datetime import UTC, datetime

from bson import ObjectId
from pymongo.database import Database
from pymongo.errors import DuplicateKeyError

from app.data import amounts
from app.data.indexes import ASC, DESC, Index

NAME = "agentActions"
INDEXES = (Index((("state", ASC), ("createdAt", DESC))), Index((("offeringId", ASC),)))


def insert(db: Database, doc: dict) -> tuple[dict, bool]:
    """Insert the case; (the stored case, True) or, when its id exists (the form posted twice), (that one, False)."""
    now = datetime.now(UTC)
    doc = {**doc, "createdAt": now, "updatedAt": now}
    try:
        db[NAME].insert_one(_encoded(doc))
    except DuplicateKeyError:
        return by_id(db, doc["_id"]), False
    return doc, True


def by_id(db: Database, case_id: ObjectId) -> dict | None:
    return _decoded(db[NAME].find_one({"_id": case_id}))


def listing(db: Database, state: str = "", offering_id: ObjectId | None = None, limit: int = 200) -> list[dict]:
    """The back office's list, newest first, optionally one state and one offering."""
    query: dict = {}
    if state:
        query["state"] = state
    if offering_id is not None:
        query["offeringId"] = offering_id
    return [_decoded(d) for d in db[NAME].find(query).sort("_id", -1).limit(limit)]


def in_states(db: Database, states: tuple[str, ...], limit: int = 10_000) -> list[dict]:
    return [_decoded(d) for d in db[NAME].find({"state": {"$in": list(states)}}).limit(limit)]


def executed_unmailed(db: Database, since: datetime, until: datetime, limit: int = 1_000) -> list[dict]:
    """Cases executed between `since` and `until` whose affected people were not all mailed yet (no `mailedAt`)."""
    query = {"state": "executed", "mailedAt": {"$exists": False}, "executedAt": {"$gte": since, "$lte": until}}
    return [_decoded(d) for d in db[NAME].find(query).limit(limit)]


def transition(db: Database, case_id: ObjectId, from_state: str, changes: dict, *, by=None, note: str = "",
               push: dict | None = None) -> bool:
    """Move the case from `from_state` (callers hold locks.agent_action), appending the step to its history."""
    now = datetime.now(UTC)
    step = {"state": changes.get("state", from_state), "at": now, "by": by, "note": note}
    pushes = {"history": step, **(push or {})}
    update = {"$set": {**changes, "updatedAt": now}, "$push": pushes}
    return db[NAME].update_one({"_id": case_id, "state": from_state}, update).modified_count == 1


def note(db: Database, case_id: ObjectId, **fields) -> None:
    """Progress without a state change (the chain job ids of the running attempt)."""
    db[NAME].update_one({"_id": case_id}, {"$set": fields})


def count_state(db: Database, state: str, cap: int) -> int:
    return db[NAME].count_documents({"state": state}, limit=cap)


def _encoded(doc: dict) -> dict:
    params = doc.get("params") or {}
    return {**doc, "params": amounts.encode(params, ("amount",))}


def _decoded(doc: dict | None) -> dict | None:
    if doc is not None and doc.get("params"):
        amounts.decode(doc["params"], ("amount",))
    return doc
