"""Parked events: a message chain-sync cannot apply is set aside, the consumer goes on, a replay applies it later.

The rule for the rest of a contract's events (Kafka key = contract address, so one
contract's events arrive in chain order). When an event of contract A fails for good, A's
later events are parked behind it (`held`), in the order they were consumed, and the
replay applies the whole line in that order once the cause is fixed. Why: the projections
fold each contract's events in chain order and skip events at or below a document's
watermark (app/events/projections.py); a later event applied ahead of a parked earlier one
would make the earlier one be skipped when it is replayed. Holding the line keeps every
projection of A equal to a fold of A's events up to the parked one, and after the replay
equal to the fold of the whole chain. Other contracts are not held. The stablecoin's
payment transfers share one contract address, so a parked payment holds the payments
after it the same way (an order waits, nothing is lost or credited twice).

Undecodable or malformed messages are parked as `rejected`: they have no place in a
contract's order, so they hold nothing; a replay tries them again as they are, and staff
can discard one they judge is not a chain event. A contract's line is held and released
under its `parked:<address>` lock, so the consumer never parks behind a line a replay has
just emptied.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from app import locks
from app.data import parked_contracts, parked_events
from app.data.mongo import get_db
from app.events.failures import describe, is_transient

log = logging.getLogger(__name__)

REPLAY_CHUNK = 50  # events replayed per hold of a contract's lock (each hold stays well under its TTL)
DLQ_TIMEOUT_S = 10


@dataclass(frozen=True)
class Where:
    """Where a message was consumed: its topic, partition, offset and key."""

    topic: str
    partition: int
    offset: int
    key: str | None = None

    def parked_id(self, message: dict | None) -> str:
        own = (message or {}).get("id")
        return own if isinstance(own, str) and own else f"{self.topic}:{self.partition}:{self.offset}"


def _doc(where: Where, message: dict | None, value: str, **fields) -> dict:
    return {"_id": where.parked_id(message), "topic": where.topic, "partition": where.partition,
            "offset": where.offset, "key": where.key, "value": value, **fields}


def _dead_letter(send: Callable, dlq: str, doc: dict, message: dict | str) -> None:
    """To the dead-letter topic, waiting for the broker (a lost DLQ message is a retry, not a silence)."""
    sent = send(dlq, doc.get("address") or doc.get("key"), {
        "message": message, "error": doc["error"], "trace": doc.get("trace", ""), "topic": doc["topic"],
        "partition": doc["partition"], "offset": doc["offset"], "parkedId": doc["_id"], "kind": doc["kind"]})
    if hasattr(sent, "get"):
        sent.get(timeout=DLQ_TIMEOUT_S)


def held(db, addresses) -> set[str]:
    """The addresses among these whose line is held behind a parked event."""
    return parked_contracts.held(db, sorted(a for a in addresses if isinstance(a, str)))


def reject(db, send: Callable, dlq: str, where: Where, value: bytes, problem: str) -> None:
    """An undecodable or malformed message: parked (holding nothing) and dead-lettered."""
    text = value.decode("utf-8", "backslashreplace")
    try:
        message = json.loads(text)
    except ValueError:
        message = None
    doc = _doc(where, message if isinstance(message, dict) else None, text, address=None,
               kind=parked_events.REJECTED, error=problem, trace="")
    log.error("chain event %s rejected and parked: %s", doc["_id"], problem)
    parked_events.park(db, doc)
    _dead_letter(send, dlq, doc, text)


def fail(config: dict | None, db, send: Callable, dlq: str, where: Where, message: dict, error: Exception) -> None:
    """A message whose handler failed for good: its contract's line is held behind it; parked and dead-lettered."""
    text, trace = describe(error)
    doc = _doc(where, message, json.dumps(message, default=str), address=message["address"],
               kind=parked_events.FAILED, error=text, trace=trace)
    log.error("chain event %s of %s parked: %s", doc["_id"], message["address"], text)
    with locks.parked(message["address"], config):
        parked_contracts.hold(db, message["address"], doc["_id"])
        parked_events.park(db, doc)
    _dead_letter(send, dlq, doc, message)


def hold(config: dict | None, db, where: Where, message: dict) -> bool:
    """Park `message` behind its contract's parked events; False if a replay released the line meanwhile."""
    address = message["address"]
    with locks.parked(address, config):
        if not parked_contracts.held(db, [address]):
            return False
        parked_events.park(db, _doc(where, message, json.dumps(message, default=str), address=address,
                                    kind=parked_events.HELD, error="held behind an earlier parked event", trace=""))
    return True


@dataclass
class ReplayReport:
    replayed: list[str] = field(default_factory=list)
    still_parked: dict[str, str] = field(default_factory=dict)  # parked id -> newest error


def replay(config: dict | None, db, apply: Callable[[dict], None], address: str | None = None) -> ReplayReport:
    """Apply what is parked, each contract's line in its order; once each (a replayed event is closed).

    `apply(message)` raises on failure. A contract's line stops at its first event that fails
    again (it stays parked with the new error, the rest stays held behind it); the others go on.
    """
    report = ReplayReport()
    lines = sorted({doc["address"] for doc in parked_events.waiting(db, address) if doc.get("address")}
                   | ({address} if address else {d["_id"] for d in parked_contracts.all_held(db)}))
    for contract in lines:
        _replay_line(config, db, apply, contract, report)
    if address is None:
        for doc in [d for d in parked_events.waiting(db) if not d.get("address")]:
            _replay_one(db, apply, doc, report)
    return report


def _replay_line(config: dict | None, db, apply: Callable, address: str, report: ReplayReport) -> None:
    while True:
        with locks.parked(address, config, ttl_s=120):
            line = parked_events.waiting(db, address, limit=REPLAY_CHUNK)
            for doc in line:
                if not _replay_one(db, apply, doc, report):
                    return
            if len(line) < REPLAY_CHUNK:
                parked_contracts.release(db, address)
                return


def _replay_one(db, apply: Callable, doc: dict, report: ReplayReport) -> bool:
    try:
        message = json.loads(doc["value"])
        if not isinstance(message, dict):
            raise ValueError("not a JSON object")
        apply(message)
    except Exception as error:  # classified, kept on the parked event with its trace, reported
        if is_transient(error):
            raise
        text, trace = describe(error)
        parked_events.failed_again(db, doc["_id"], text, trace)
        report.still_parked[doc["_id"]] = text
        return False
    if parked_events.close(db, doc["_id"], parked_events.REPLAYED):
        report.replayed.append(doc["_id"])
    return True


def staff_view(config: dict) -> dict:
    """What the back-office page shows: waiting events in replay order, the held contracts, the latest closed."""
    db = get_db(config)
    return {"waiting": parked_events.waiting(db, limit=500), "held": parked_contracts.all_held(db),
            "closed": parked_events.closed(db, limit=50)}


def discard(config: dict | None, db, parked_id: str, note: str) -> bool:
    """Staff judged a parked event is not to be applied: closed without applying (its line is not released)."""
    doc = parked_events.get(db, parked_id)
    if doc is None:
        return False
    if not doc.get("address"):
        return parked_events.close(db, parked_id, parked_events.DISCARDED, note)
    with locks.parked(doc["address"], config):
        return parked_events.close(db, parked_id, parked_events.DISCARDED, note)
