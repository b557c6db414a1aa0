"""Chain-sync's side of an order's freeze: `isFreezed` follows the token's TokensFrozen / TokensUnfrozen.

Why here and not when the job is sent: chain truth reaches MongoDB only through chain-monitor ->
Kafka -> chain-sync (DESIGN.md). The back office's freeze job (app.domain.orders.review) records its
transactions in `mintTxs` with the order, as mints do, so the event's transaction hash names the
order and the freeze's sequence number (the job id ends with it). An event applies only when its
number is above the last one confirmed, so a replayed older freeze never undoes a newer unfreeze;
the write holds the order's lock, as the admin's freeze does.
"""

from __future__ import annotations

from app import locks
from app.data import mint_txs, orders

EVENTS = ("TokensFrozen", "TokensUnfrozen")


def confirm(db, logs: list[dict]) -> None:
    """Set `isFreezed` on the orders whose freeze or unfreeze these token events confirm."""
    events = {log["transactionHash"]: log for log in logs if log["event"] in EVENTS}
    for tx_hash, doc in mint_txs.jobs_by_tx(db, sorted(events)).items():
        op, _, version = doc["jobId"].rpartition(":")
        if not op.startswith(("freezePartialTokens:", "unfreezePartialTokens:")) or not version.isdigit():
            continue
        for order_id in doc["orderIds"]:
            _apply(db, order_id, events[tx_hash]["event"] == "TokensFrozen", int(version))


def _apply(db, order_id, frozen: bool, version: int) -> None:
    with locks.order(order_id):
        order = orders.get(db, order_id)
        if order is None or int(order.get("freezeConfirmedVersion") or 0) >= version:
            return
        changes = {"isFreezed": frozen, "freezeConfirmedVersion": version}
        if int(order.get("freezeVersion") or 0) <= version:
            changes["freezePending"] = None
        orders.transition(db, order_id, {}, changes)
