"""The back office's stablecoin transfers that no order took: match one to an open order of its sender, or
mark it for refund. Needs the `orders` permission; every decision is audited.

Why transfers end up here: the matcher (app/domain/payments/stablecoin.py) credits only an open crypto
order of the sending wallet whose amount fits, so a transfer made for an order that was
cancelled, or sent before the investor placed the order, waits for an admin. Matching goes
through settlement with the transfer itself as the source, under the key chain-sync uses
(crypto:<txHash>:<logIndex>): the payment is recorded on the order once, however often it
is matched, retried or replayed, and settlement settles or flags it as usual. Each decision
holds `locks.payment` on the transfer (app/locks.py): two admins could otherwise both pass the
`unmatched` condition.
"""

from __future__ import annotations

from datetime import UTC, datetime

from app import locks
from app.data import order_payments, payments, users
from app.data.ids import parse_id
from app.data.mongo import get_db
from app.domain.accounts.permissions import has_permission
from app.domain.orders.placement import NotFound
from app.domain.orders.rules import Refusal
from app.domain.payments import settlement
from app.domain.payments.rules import PAYABLE_FLAGS, PaymentRefused, due_of, format_units
from app.domain.platform import audit
from app.domain.platform.chain import current_platform

REASON_MAX = 500


def _require(actor: dict) -> None:
    if not has_permission(actor, "orders"):
        raise PermissionError("Stablecoin transfers need the orders permission.")


def _unit(config: dict) -> str:
    coin = (current_platform(config) or {}).get("stablecoin") or {"symbol": "USD", "decimals": 6}
    return f"{coin['symbol']}:{coin['decimals']}"


def amount_text(config: dict, order: dict, amount: int | str | None) -> str:
    """An order's payment amount for people: "$507.50" for a bank transfer (cents), "507.500000 tUSD" in the
    stablecoin's base units otherwise (app.domain.payments.rules.format_units)."""
    unit = "cents" if order.get("paymentMethod") == "fiat" else _unit(config)
    return format_units(int(amount or 0), unit)


def review_page(config: dict, actor: dict) -> dict:
    """Transfers awaiting a decision (newest first), each with the open orders of its sender it could pay,
    and the transfers marked for refund."""
    _require(actor)
    db, unit = get_db(config), _unit(config)
    waiting = payments.for_review(db)
    candidates = order_payments.open_crypto_orders_of(db, [t["from"] for t in waiting])
    rows = [{**t, "amount_text": format_units(int(t["amount"]), unit),
             "orders": [_choice(o, unit) for o in candidates if _fits(t, o) is None]} for t in waiting]
    refunds = [{**t, "amount_text": format_units(int(t["amount"]), unit)} for t in payments.refunds_due(db)]
    return {"transfers": rows, "refunds": refunds}


def _choice(order: dict, unit: str) -> dict:
    paid = int(order.get("paidAmount") or 0)
    label = (f"{order.get('paymentReference')} · {order.get('investorEmail') or 'investor'} · "
             f"{order.get('offeringTitle') or 'offering'} · due {format_units(due_of(order), unit)}")
    return {"id": str(order["_id"]), "label": label + (f", paid {format_units(paid, unit)}" if paid else "")}


def _fits(transfer: dict, order: dict) -> str | None:
    """Why the transfer cannot pay this order, or None when it can (the matcher's own conditions)."""
    if order.get("paymentMethod") != "crypto":
        return "This order is paid by bank transfer; a stablecoin transfer cannot pay it."
    if not _same(order.get("walletAddress"), transfer["from"]):
        return "This order is not the sender's: a transfer pays only an order of the wallet it came from."
    if not (_same(order.get("paymentToken"), transfer["token"]) and _same(order.get("paymentAddress"), transfer["to"])):
        return "This order is paid in another token or to another address."
    if order.get("status") not in order_payments.OPEN or order.get("paymentFlag") not in PAYABLE_FLAGS:
        return f"This order is {str(order.get('status')).replace('_', ' ')} and takes no further payment."
    return None


def _same(address, other) -> bool:
    return str(address or "").lower() == str(other or "").lower()


def _transfer(db, key: str) -> dict:
    found = payments.get(db, key)
    if found is None:
        raise NotFound(key)
    return found


def match(config: dict, actor: dict, key: str, order_id: str) -> str:
    """Credit the transfer to the order through settlement; returns the order's status after (settled, or
    payment review when the amount differs). Raises Refusal with the reason when it cannot."""
    _require(actor)
    db = get_db(config)
    oid = parse_id(order_id)
    if order_id and oid is None:
        raise NotFound(order_id)
    order = order_payments.get(db, oid) if oid else None
    if order is None:
        raise Refusal("Choose the order this transfer pays.", "order")
    with locks.payment(key, config):
        transfer = _transfer(db, key)
        _claim(db, transfer, order, actor)
        source = {"kind": "crypto", "txHash": transfer["txHash"], "logIndex": int(transfer["logIndex"]),
                  "from": transfer["from"]}
        try:
            status = settlement.settle(config, order["_id"], paid_amount=int(transfer["amount"]), source=source)
        except PaymentRefused as refused:  # nothing was recorded on the order
            payments.abandon_match(db, key, order["_id"])
            raise Refusal(str(refused)) from None
        except locks.Busy:  # the order's lock stayed busy: nothing recorded either, the admin tries again
            payments.abandon_match(db, key, order["_id"])
            raise
        payments.finish_match(db, key, order["_id"])
    audit.record("payment.matched_by_admin", actor=actor, subject=users.by_id(db, order["userId"]),
                 details={"payment": key, "order": str(order["_id"]), "amount": str(transfer["amount"]),
                          "status": status})
    return status


def _claim(db, transfer: dict, order: dict, actor: dict) -> None:
    """Tie the transfer to the order, or find it tied to this order by a match that did not finish."""
    if transfer["status"] == payments.MATCHING and transfer.get("orderId") == order["_id"]:
        return
    if transfer["status"] != payments.UNMATCHED:
        raise Refusal(f"This transfer is {transfer['status'].replace('_', ' ')} already; reload the page.")
    why = _fits(transfer, order)
    if why:
        raise Refusal(why, "order")
    if not payments.start_match(db, transfer["_id"], order["_id"], actor["_id"], datetime.now(UTC)):
        raise Refusal("This transfer was decided meanwhile; reload the page.")


def mark_refund(config: dict, actor: dict, key: str, reason: str) -> None:
    """Set the transfer aside to be sent back to its sender, with the admin's reason."""
    _require(actor)
    reason = (reason or "").strip()[:REASON_MAX]
    if not reason:
        raise Refusal("Give the reason for the refund.", "reason")
    db = get_db(config)
    with locks.payment(key, config):
        transfer = _transfer(db, key)
        if transfer["status"] != payments.UNMATCHED:
            raise Refusal(f"This transfer is {transfer['status'].replace('_', ' ')} already; reload the page.")
        if not payments.mark_refund_due(db, key, reason, actor["_id"], datetime.now(UTC)):
            raise Refusal("This transfer was decided meanwhile; reload the page.")
    audit.record("payment.refund_marked", actor=actor,
                 details={"payment": key, "from": transfer["from"], "amount": str(transfer["amount"]),
                          "reason": reason})
