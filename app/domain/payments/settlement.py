"""Settlement: record a payment once, compare it with what is due, settle or flag, then mint.

Used by chain-sync for stablecoin transfers (app/domain/payments/stablecoin.py) and by the admin's
"mark payment received" for bank transfers. Exactly once without transactions: the
payment is appended under its natural key with one conditional update; the outcome is
written only if the paid total it was computed from is unchanged; the raise counters move
once per order (app/data/offering_payments.py); each mail and audit entry is noted on the
order before it goes out. A replay of the same payment re-runs only what a crash may have
left undone (counting the raise, enqueueing the mint).

Over- and underpayments are never accepted silently: the order goes to `payment_review`
with `paymentFlag`; a later top-up that makes an underpaid order exact settles it; an
admin with the orders permission accepts a flagged payment as it is, or refuses it (the
payment is to be refunded and the order waits for the right amount again). A payment
whose block a reorg dropped flags the order `reorged`: a settled order stays settled (its
tokens may be minted already) and an admin checks it; an open one waits until the same
log is back on chain or an admin acknowledges it.
"""

from __future__ import annotations

from datetime import UTC, datetime

from bson import ObjectId

from app import locks
from app.cache import offering_changed
from app.data import mint_txs, offering_payments, offerings, order_payments, users
from app.data.ids import parse_id
from app.data.mongo import get_db
from app.domain.accounts.permissions import has_permission
from app.domain.onboarding import revocation
from app.domain.payments.rules import (
    EXACT,
    PaymentRefused,
    compare,
    due_of,
    flag_reason,
    format_units,
    payment_key,
    stablecoin_decimals,
)
from app.domain.platform import audit
from app.domain.platform.chain import current_platform
from app.domain.platform.notifications import send_email
from app.domain.portfolio.rules import decimals_of
from app.formatting import tokens
from app.tasks import settlement as settlement_jobs

FLAGS = ("underpaid", "overpaid", "reorged")
RETRIES = 5  # another payment landing between read and write makes the outcome write retry


SettlementBusy = locks.Busy  # its former own class: another payment on the order held its lock past the wait


def settle(config: dict, order_id, *, paid_amount: int, source: dict) -> str:
    """Record one payment on the order and settle or flag it; returns the order's status after.

    `paid_amount` is in the order's payment unit (cents for fiat, stablecoin base units for
    crypto); `source` is {"kind": "crypto", "txHash", "logIndex", "from"} or {"kind": "fiat",
    "reference", "by"[, "transferId"]}. Raises PaymentRefused when the order takes no payment.
    """
    if type(paid_amount) is not int or paid_amount <= 0:
        raise PaymentRefused("A payment must be a positive amount.")
    db, order_id = get_db(config), parse_id(order_id)
    if order_id is None:
        raise LookupError("no such order")
    key = payment_key(source)
    entry = {**{k: v for k, v in source.items() if k in ("kind", "txHash", "logIndex", "from", "reference", "by",
                                                         "transferId")},
             "amount": paid_amount, "at": datetime.now(UTC)}
    with locks.order(order_id, config):
        order = order_payments.record_payment(db, order_id, key, entry)
        if order is None:
            order = order_payments.get(db, order_id)
            if order is None:
                raise LookupError(f"no order {order_id}")
            if key not in (order.get("paymentKeys") or []):
                raise PaymentRefused(f"This order is {order['status'].replace('_', ' ')} and takes no payment.")
        return _evaluate(config, db, order)


def _evaluate(config: dict, db, order: dict) -> str:
    """Settle or flag the order from its paid total; finish a settlement a crash interrupted."""
    for _ in range(RETRIES):
        if order["status"] in ("settled", "minted"):
            _after_settlement(config, db, order)
            return order["status"]
        if order["status"] not in order_payments.OPEN or order.get("paymentFlag") == "reorged":
            return order["status"]
        paid, due = int(order.get("paidAmount") or 0), due_of(order)
        if paid == 0:
            return order["status"]  # nothing received (yet, or since a refund)
        outcome = compare(paid, due)
        if outcome == EXACT:
            updated = order_payments.mark_settled(db, order["_id"], paid, datetime.now(UTC))
        else:
            updated = order_payments.mark_flagged(db, order["_id"], paid, outcome,
                                                  flag_reason(outcome, paid, due, _unit(config, order)))
        if updated is not None:
            if outcome != EXACT:
                _tell(db, updated, f"flag:{outcome}:{paid}", "payment.flagged", "Your payment needs attention",
                      "payment_flagged", reason=updated["paymentFlagReason"])
            return _evaluate(config, db, updated) if outcome == EXACT else updated["status"]
        order = order_payments.get(db, order["_id"])
    raise RuntimeError(f"order {order['_id']}: its paid total kept changing; the payment is recorded, retry later")


def _after_settlement(config: dict, db, order: dict) -> None:
    """Count the raise once, enqueue minting (batched per offering), tell the investor once."""
    offering_id = order["offeringId"]
    if not order.get("raiseCounted"):
        with locks.offering(offering_id, config):
            offering_payments.count_settled_order(db, offering_id, order["_id"], order.get("userId"),
                                                  int(order.get("amount") or 0), int(order["quantity"]))
            order_payments.mark_raise_counted(db, order["_id"])
            offering_payments.forget_counted_order(db, offering_id, order["_id"])
        offering_changed(str(offering_id), config)
    offering = offerings.by_id(db, offering_id) or {}
    _tell(db, order, "settled", "payment.settled", "Payment received", "payment_received",
          tokens=_tokens(order, offering), offering_title=_title(offering), wallet=order.get("walletAddress"))
    if order["status"] == "settled":  # last: chain-sync writes the minted state on this order next
        _hold_if_revoked(db, order)
        settlement_jobs.enqueue_minting(config, offering_id)


def _hold_if_revoked(db, order: dict) -> None:
    """An investor whose KYC was revoked keeps their payment but gets no tokens for now: the order is held with
    the reason (app.domain.onboarding.revocation), and minting skips it. The caller holds the order's lock."""
    investor = _investor(db, order)
    if not order.get("kycHold") and revocation.is_revoked(investor):
        revocation.hold_order(db, order["_id"], investor)


def resolve_flag(config: dict, order_id, admin: dict, *, accept: bool, reason: str) -> str:
    """An admin decides a flagged payment: accept it as received, or refuse it (refund; the order awaits payment).

    A `reorged` flag can only be acknowledged (after checking the payment on chain).
    Returns the order's status after; raises PermissionError or PaymentRefused (with the admin's message).
    """
    if not has_permission(admin, "orders"):
        raise PermissionError("Deciding payments needs the orders permission.")
    reason = (reason or "").strip()
    if not reason:
        raise PaymentRefused("Give a reason: the investor reads it.")
    order_id = parse_id(order_id)
    if order_id is None:
        raise PaymentRefused("This order has no flagged payment to decide.")
    with locks.order(order_id, config):
        return _resolve(config, get_db(config), order_id, admin, accept, reason)


def _resolve(config: dict, db, order_id: ObjectId, admin: dict, accept: bool, reason: str) -> str:
    order = order_payments.get(db, order_id)
    if order is None or order.get("paymentFlag") not in FLAGS:
        raise PaymentRefused("This order has no flagged payment to decide.")
    flag, paid, now = order["paymentFlag"], int(order.get("paidAmount") or 0), datetime.now(UTC)
    resolution = {"flag": flag, "accepted": accept, "reason": reason[:500], "by": admin["_id"], "at": now}
    if flag == "reorged":
        if not accept:
            raise PaymentRefused("A payment dropped by a reorganisation can only be acknowledged once checked.")
        updated = order_payments.clear_flag(db, order_id, flag, resolution)
    elif accept:
        updated = order_payments.accept_flagged(db, order_id, flag, paid, now, resolution)
    else:
        updated = order_payments.refund_flagged(db, order_id, flag, paid, resolution)
    if updated is None:
        raise PaymentRefused("The order changed meanwhile; reload it and decide again.")
    event = "payment.flag_accepted" if accept else "payment.refunded"
    audit.record(event, actor=admin, subject=_investor(db, updated), details={"order": str(order_id), "flag": flag,
                                                                              "reason": reason[:500]})
    if not accept:
        _tell(db, updated, f"refund:{len(updated.get('resolutions') or [])}", None, "Your payment will be returned",
              "payment_refunded", order_id=order_id, reason=reason[:500],
              amount_due=format_units(due_of(updated), _unit(config, updated)))
    return _evaluate(config, db, updated)


def payment_retracted(config: dict, order_id, key: str) -> None:
    """A reorg dropped the block of a recorded payment: flag the order for an admin (documented above)."""
    db = get_db(config)
    with locks.order(order_id, config):
        updated = order_payments.set_reorg_flag(db, order_id, key, "The block holding payment "
                                                f"{key.split(':')[1]} was dropped by a chain reorganisation; "
                                                "check it is on chain again before minting or refunding.")
    if updated is not None:
        audit.record("payment.retracted", subject=_investor(db, updated),
                     details={"order": str(order_id), "payment": key, "status": updated["status"]})


def payment_restored(config: dict, order_id, key: str) -> str | None:
    """The dropped payment is back on the canonical chain: clear the flag and settle or flag as usual."""
    db = get_db(config)
    with locks.order(order_id, config):
        updated = order_payments.clear_reorg_flag(db, order_id, key)
        return _evaluate(config, db, updated) if updated is not None else None


def notify_minted(config: dict, tx_hashes: list[str]) -> int:
    """Chain-sync, after it marked orders minted by `tx_hashes`: tell each investor once; returns how many."""
    db = get_db(config)
    told = 0
    order_ids = [oid for ids in mint_txs.orders_by_tx(db, tx_hashes).values() for oid in ids]
    for order in order_payments.minted_unnoticed(db, order_ids):
        offering = offerings.by_id(db, order["offeringId"]) or {}
        with locks.order(order["_id"], config):  # an admin's freeze may write the order now
            told += _tell(db, order, "minted", "payment.tokens_minted", "Your tokens are minted", "tokens_minted",
                          tokens=_tokens(order, offering), offering_title=_title(offering),
                          wallet=order.get("walletAddress"), tx_hash=order.get("tx_hash"))
    return told


def _tell(db, order: dict, notice: str, event: str | None, subject: str, template: str, **context) -> bool:
    """Mail the investor (the mail `template` with `context`; and audit `event`) once per `notice` for this order."""
    if not order_payments.note_once(db, order["_id"], notice):
        return False
    investor = _investor(db, order)
    if investor and investor.get("email"):
        send_email(investor["email"], f"Libertum: {subject}", template, context, investor["_id"])
    if event:
        audit.record(event, subject=investor, details={"order": str(order["_id"]), "status": order["status"]})
    return True


def _investor(db, order: dict) -> dict | None:
    return users.by_id(db, order["userId"]) if order.get("userId") else None


def _unit(config: dict, order: dict) -> str:
    """How this order's amounts read: cents, or "<symbol>:<decimals>" of the stablecoin."""
    if order.get("paymentMethod") != "crypto":
        return "cents"
    coin = (current_platform(config) or {}).get("stablecoin") or {"symbol": "USD"}
    return f"{coin['symbol']}:{stablecoin_decimals(order)}"


def _tokens(order: dict, offering: dict) -> str:
    """"1 token", "2.5 tokens": exact from base units, without the 18 trailing zeros of a fixed format."""
    return tokens(int(order["quantity"]), decimals_of(offering))


def _title(offering: dict) -> str:
    return (offering.get("overview") or {}).get("title") or "the offering"
