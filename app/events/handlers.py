"""Handlers chain-sync uses to apply `chain.events` messages to MongoDB."""

from __future__ import annotations

from app.data import chain_events
from app.domain.offerings import deployment as offering_deployment
from app.domain.transfers import holder_transfers
from app.events import distribution_payouts, payments, projections

REQUIRED_LOG_FIELDS = ("id", "event", "address", "blockNumber", "blockHash", "logIndex", "transactionHash")


def problem(message: dict) -> str | None:
    """Why a message cannot be a chain event at all (None: it is well formed)."""
    kind = message.get("kind")
    if kind == "log":
        missing = [f for f in REQUIRED_LOG_FIELDS if f not in message]
        return f"log message lacks {', '.join(missing)}" if missing else None
    if kind == "retract":
        return None if message.get("address") and message.get("blockHash") else "retraction lacks address or blockHash"
    return f"unknown message kind {kind!r}"


def _store(db, logs: list[dict]) -> None:
    """Event store first, then what the events decide (a crash between them is repaired by the replay)."""
    chain_events.store(db, logs)
    platform_logs = [log for log in logs if not payments.is_payment(log)]  # payments are not token holdings
    projections.apply_logs(db, platform_logs)
    offering_deployment.apply_deployments(db, platform_logs)
    payments.apply_logs(logs)
    holder_transfers.apply_logs(platform_logs)  # after the holdings took them
    distribution_payouts.apply_logs(db, platform_logs)  # payout lines paid or held


def apply_chain_messages(db, messages: list[dict]) -> list[tuple[dict, str]]:
    """Apply messages of one partition in order; returns (message, error) for those that cannot be applied.

    Consecutive logs are written in one bulk upsert; a retraction flushes the logs before it,
    so a log and the retraction of its block are applied in the order they were published.
    """
    failures: list[tuple[dict, str]] = []
    pending: list[dict] = []
    for message in messages:
        why = problem(message)
        if why:
            failures.append((message, why))
        elif message["kind"] == "log":
            pending.append(message)
        else:
            _store(db, pending)
            pending = []
            dropped = chain_events.in_block(db, message["address"], message["blockHash"])
            chain_events.retract_block(db, message["address"], message["blockHash"])
            if payments.is_payment(message):
                payments.retract(dropped)
            else:
                projections.recompute(db, message["address"], dropped)
                holder_transfers.retract(dropped)
                if any(e["event"] in distribution_payouts.EVENTS for e in dropped):
                    distribution_payouts.retract(db, dropped, chain_events.live_for_address(db, message["address"]))
    _store(db, pending)
    return failures


def apply_chain_message(db, message: dict) -> None:
    """Apply one message or raise (a replay of a parked event: app/events/parking.py)."""
    why = problem(message)
    if why:
        raise ValueError(why)
    apply_chain_messages(db, [message])
