"""Chain-sync: the DividendDistributor's events decide the payout lines (app/domain/distributions/payout.py).

DividendPaid makes its line "paid" (the transaction hash, the block's time); DividendHeld makes a line not paid
("declared" or "scheduled": the scheduled marks are bookkeeping that may lag the chain) "held" with the coin's
refusal in words. A reorg that drops a DividendPaid no live event
repeats puts its line in "reorged", a state staff see: the payout job is not sent again by itself, and if the
transaction is mined again its event pays the line again; the contract's mapping refuses a second payment anyway.

Each move is a conditional update under the distribution's lock, so replaying a message changes nothing, and the
paid-line mail goes out once per line (its outbox key).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import UTC, datetime

from flask import current_app

from app import locks
from app.data import distribution_payouts, distributions, dividends
from app.domain.distributions import payout, rules

log = logging.getLogger(__name__)

PAID_EVENT, HELD_EVENT = "DividendPaid", "DividendHeld"
EVENTS = {PAID_EVENT, HELD_EVENT}
_PAYABLE = (dividends.DECLARED, dividends.SCHEDULED, dividends.HELD, dividends.REORGED)


def apply_logs(db, logs: list[dict]) -> None:
    by_distribution: dict[object, list[dict]] = defaultdict(list)
    for event in logs:
        if event["event"] not in EVENTS:
            continue
        distribution_id = distribution_payouts.distribution_of_key(db, _hex(event["args"]["distributionId"]))
        if distribution_id is None:
            log.warning("%s for an unknown distribution key %s", event["event"], event["args"]["distributionId"])
            continue
        by_distribution[distribution_id].append(event)
    for distribution_id, events in by_distribution.items():
        _apply_distribution(db, distribution_id, events)


def _apply_distribution(db, distribution_id, events: list[dict]) -> None:
    """One update per transaction and kind (a batch's lines share both), all under the distribution's lock."""
    paid: dict[tuple, list[str]] = defaultdict(list)
    held: list[tuple[str, dict]] = []
    for event in sorted(events, key=lambda e: (int(e["blockNumber"]), int(e["logIndex"]))):
        line = dividends.line_id(distribution_id, event["args"]["recipient"])
        if event["event"] == PAID_EVENT:
            paid[(event["transactionHash"], _block_time(event))].append(line)
        else:
            held.append((line, event))
    paid_lines: list[str] = []
    with locks.distribution(distribution_id):
        for (tx_hash, at), lines in paid.items():
            fresh = [d["_id"] for d in dividends.with_status(db, lines, _PAYABLE)]
            dividends.set_status(db, fresh, _PAYABLE, {"status": dividends.PAID, "txHash": tx_hash, "paidAt": at,
                                                      "heldReason": None})
            paid_lines += fresh
        for line, event in held:
            dividends.set_status(db, [line], (dividends.DECLARED, dividends.SCHEDULED),  # marks may lag the chain
                                 {"status": dividends.HELD, "heldAt": _block_time(event),
                                  "heldReason": payout.held_reason(event["args"].get("reason")),
                                  "heldTxHash": event["transactionHash"]})
        payout.close_if_done(db, distribution_id)
    _mail_paid(db, paid_lines)


def retract(db, dropped: list[dict], live: list[dict]) -> None:
    """After a reorg: lines whose DividendPaid left the chain and is not live elsewhere are flagged "reorged"."""
    still = {(e["args"]["distributionId"], e["args"]["recipient"]) for e in live if e["event"] == PAID_EVENT}
    for event in dropped:
        if event["event"] != PAID_EVENT or (event["args"]["distributionId"], event["args"]["recipient"]) in still:
            continue
        distribution_id = distribution_payouts.distribution_of_key(db, _hex(event["args"]["distributionId"]))
        if distribution_id is None:
            continue
        with locks.distribution(distribution_id):
            line = dividends.line_id(distribution_id, event["args"]["recipient"])
            if dividends.set_status(db, [line], (dividends.PAID,),
                                    {"status": dividends.REORGED, "reorgedTxHash": event["transactionHash"],
                                     "reorgedAt": datetime.now(UTC)}):
                # "paid" no longer holds: back to "paying", with the line for staff to check
                distributions.transition(db, distribution_id, rules.PAID, {"status": rules.PAYING})
            log.error("payout line %s: its payment %s left the chain in a reorg", line, event["transactionHash"])


def _mail_paid(db, line_ids: list[str]) -> None:
    if not line_ids:
        return
    from app.domain.distributions import statements  # the investor-facing side; imported late (mail templates)
    for line_id in line_ids:
        statements.mail_paid(current_app.config, line_id)


def _block_time(event: dict) -> datetime:
    stamp = event.get("blockTimestamp")
    return datetime.fromtimestamp(int(stamp), UTC) if stamp is not None else datetime.now(UTC)


def _hex(value) -> str:
    if isinstance(value, bytes | bytearray):
        return "0x" + bytes(value).hex()
    return str(value).lower() if str(value).startswith("0x") else "0x" + str(value).lower()
