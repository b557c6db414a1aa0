"""Unpaid orders expire: an order not paid within ORDER_PAYMENT_WINDOW_HOURS of its placement is cancelled.

Why: an order holds its tokens from placement (app.domain.orders.reservations), so a few accounts could
otherwise keep an offering's remaining supply forever. The investor reads the deadline on the
order ("pay by ..."), is mailed a reminder ORDER_PAYMENT_REMINDER_HOURS before it (once: a notice
on the order), and at the deadline the order is cancelled through ordering's own cancellation,
which releases the reservation under the same locks as the investor's cancel; a payment being
recorded at that moment wins (the cancel then refuses). A stablecoin transfer arriving after
that finds no open order and is kept as unmatched for staff to refund (app.events.payments).

`sweep` takes the clock as an argument; the periodic job (app.tasks.order_expiry) passes now.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from app import locks
from app.data import order_payments, orders, users
from app.data.mongo import get_db
from app.domain.marketplace.listing import aware
from app.domain.orders import placement as ordering
from app.domain.orders.rules import Refusal
from app.domain.platform import audit
from app.domain.platform.notifications import send_email

log = logging.getLogger(__name__)
REMINDER = "payment_reminder"  # the order's notice: the reminder went out


def payment_deadline(order: dict, window_hours: int) -> datetime | None:
    """When an unpaid order lapses: its placement plus the payment window (None for an order with no time)."""
    placed = aware(order.get("orderReceived") or order.get("createdAt"))
    return placed + timedelta(hours=window_hours) if placed else None


def deadline_text(deadline: datetime) -> str:
    return deadline.astimezone(UTC).strftime("%d %b %Y %H:%M UTC")


def sweep(config: dict, now: datetime) -> dict[str, list]:
    """Remind the investors of unpaid orders whose deadline is near and cancel the lapsed ones; what was done."""
    db = get_db(config)
    window, lead = config["ORDER_PAYMENT_WINDOW_HOURS"], timedelta(hours=config["ORDER_PAYMENT_REMINDER_HOURS"])
    done: dict[str, list] = {"reminded": [], "expired": []}
    for order in orders.unpaid_placed_before(db, now - timedelta(hours=window) + lead):
        deadline = payment_deadline(order, window)
        if deadline <= now:
            if _expire(config, db, order, deadline):
                done["expired"].append(order["_id"])
        elif order_payments.note_once(db, order["_id"], REMINDER):
            _mail(db, order, "Reminder: pay for your order by " + deadline_text(deadline), "order_payment_reminder",
                  amount=order.get("totalAmount"), deadline=deadline_text(deadline))
            done["reminded"].append(order["_id"])
    return done


def _expire(config: dict, db, order: dict, deadline: datetime) -> bool:
    reason = f"not paid by {deadline_text(deadline)}"
    try:
        ordering.cancel_expired(config, order, reason)
    except (Refusal, locks.Busy) as refused:  # paid (or being paid) meanwhile: the payment wins
        log.info("order %s not expired: %s", order["_id"], refused)
        return False
    audit.record("order.expired", details={"orderId": str(order["_id"]), "deadline": deadline.isoformat()})
    _mail(db, order, "Your order expired", "order_expired", reason=reason)
    return True


def _mail(db, order: dict, subject: str, template: str, **context) -> None:
    investor = users.by_id(db, order["userId"]) if order.get("userId") else None
    if investor and investor.get("email"):
        send_email(investor["email"], f"Libertum: {subject}", template,
                   {"reference": order["paymentReference"], "offering_title": _title(order), **context},
                   investor["_id"])


def _title(order: dict) -> str:
    return order.get("offeringTitle") or "an offering"
