"""Unpaid orders expire: the order page says when, the investor is reminded once before, and at the deadline the
order is cancelled through ordering's cancellation (its tokens go back); a stablecoin payment arriving afterwards is
kept as unmatched for a refund. Real FerretDB, Redis and RQ; the clock is the order's own time plus the window."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from rq.registry import ScheduledJobRegistry

from app.domain.orders import placement as ordering
from app.domain.orders import reservations
from app.domain.orders.expiry import sweep
from app.domain.payments import stablecoin as payments
from app.extensions import redis_client
from app.tasks import queues
from app.tasks.order_expiry import sweep_unpaid_orders
from tests.fixtures.orders import order_form, quick_investor
from tests.fixtures.processes import run_jobs
from tests.integration.orders.test_unmatched_transfers import crypto_offering, crypto_order, key_of, transfer

__all__ = ["crypto_offering"]
WINDOW_H, REMINDER_H = 6, 2


def mails(db, subject: str) -> list[dict]:
    return [m for m in db.outbox.find({}) if subject in m["subject"]]


def reserved(app, offering, user=None) -> int:
    return reservations.reserved(app.config, offering["_id"], user["_id"] if user else None)


def test_an_unpaid_order_shows_its_deadline_is_reminded_once_then_expires_and_gives_its_tokens_back(
        app, db, offering, investor):
    app.config.update(ORDER_PAYMENT_WINDOW_HOURS=WINDOW_H, ORDER_PAYMENT_REMINDER_HOURS=REMINDER_H)
    order = ordering.place(app.config, investor, str(offering["_id"]), order_form(40, wallet=investor["wallet"]))
    placed = order["orderReceived"].replace(tzinfo=UTC)
    deadline = (placed + timedelta(hours=WINDOW_H)).strftime("%d %b %Y %H:%M UTC")
    page = investor["client"].get(f"/orders/{order['_id']}").text
    assert f'pay by <strong data-testid="pay-by">{deadline}</strong>' in page
    assert reserved(app, offering) == 40

    assert sweep(app.config, placed + timedelta(hours=WINDOW_H - REMINDER_H) - timedelta(minutes=1)) == {
        "reminded": [], "expired": []}
    soon = placed + timedelta(hours=WINDOW_H - REMINDER_H, minutes=1)
    assert sweep(app.config, soon) == {"reminded": [order["_id"]], "expired": []}
    assert sweep(app.config, soon + timedelta(minutes=30)) == {"reminded": [], "expired": []}, "reminded once"
    [reminder] = mails(db, "Reminder: pay for your order")
    assert reminder["to"] == investor["email"] and deadline in reminder["body"]

    lapsed = placed + timedelta(hours=WINDOW_H, seconds=1)
    assert sweep(app.config, lapsed) == {"reminded": [], "expired": [order["_id"]]}
    expired = db.orders.find_one({"_id": order["_id"]})
    assert (expired["status"], expired["expired"], expired["cancelledBy"]) == ("cancelled", True, "expiry")
    assert reserved(app, offering) == 0 == reserved(app, offering, investor), "the tokens are back on sale"
    assert len(mails(db, "Your order expired")) == 1
    assert db.auditLogs.count_documents({"event": "order.expired", "details.orderId": str(order["_id"])}) == 1
    assert "Expired: not paid by " + deadline in investor["client"].get(f"/orders/{order['_id']}").text
    assert sweep(app.config, placed + timedelta(days=30)) == {"reminded": [], "expired": []}


def test_the_periodic_job_expires_lapsed_orders_and_schedules_its_next_run(app, db, offering):
    app.config.update(ORDER_PAYMENT_WINDOW_HOURS=WINDOW_H, ORDER_PAYMENT_REMINDER_HOURS=REMINDER_H)
    lapsed_investor, fresh_investor = quick_investor(db, offering), quick_investor(db, offering)
    lapsed = ordering.place(app.config, lapsed_investor, str(offering["_id"]), order_form(30))
    fresh = ordering.place(app.config, fresh_investor, str(offering["_id"]), order_form(20))
    placed_long_ago = datetime.now(UTC) - timedelta(hours=WINDOW_H, minutes=5)  # relative to the order, not a date
    db.orders.update_one({"_id": lapsed["_id"]}, {"$set": {"orderReceived": placed_long_ago}})

    connection = redis_client.get()
    queues.queue(queues.DEFAULT).enqueue(sweep_unpaid_orders)
    assert run_jobs("default") == 1
    assert db.orders.find_one({"_id": lapsed["_id"]})["status"] == "cancelled"
    assert db.orders.find_one({"_id": fresh["_id"]})["status"] == "pending_payment"
    assert reserved(app, offering) == 20
    scheduled = ScheduledJobRegistry("default", connection=connection).get_job_ids()
    assert len([j for j in scheduled if j.startswith("order-expiry-")]) == 1, "the next run is scheduled once"


def test_a_stablecoin_payment_after_expiry_is_kept_unmatched_for_a_refund(app, db, crypto_offering):
    app.config.update(ORDER_PAYMENT_WINDOW_HOURS=WINDOW_H, ORDER_PAYMENT_REMINDER_HOURS=REMINDER_H)
    ivy = quick_investor(db, crypto_offering)
    order = crypto_order(app, ivy, crypto_offering, 10)
    sweep(app.config, order["orderReceived"].replace(tzinfo=UTC) + timedelta(hours=WINDOW_H, minutes=1))
    late = transfer(app, ivy["wallet"], int(db.orders.find_one({"_id": order["_id"]})["paymentDue"]))
    payments.apply_transfer(app.config, late)
    assert db.payments.find_one({"_id": key_of(late)})["status"] == "unmatched"
    stored = db.orders.find_one({"_id": order["_id"]})
    assert stored["status"] == "cancelled" and not stored.get("payments")
