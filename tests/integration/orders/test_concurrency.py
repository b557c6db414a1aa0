"""Many investors at once: supply and per-investor holding can never be oversubscribed, a double submit
places one order, and what an interrupted placement left is repaired. Real FerretDB and Redis."""

from __future__ import annotations

import random
import threading
from concurrent.futures import ThreadPoolExecutor

from bson import ObjectId
from flask import current_app

from app.domain.orders import placement as ordering
from app.domain.orders import reservations
from app.domain.orders.rules import Refusal
from app.extensions import redis_client
from tests.fixtures.orders import order_form, quick_investor


def race(calls) -> list:
    """Run every call at the same moment from its own thread, each inside the app's context as a request
    would be (placement mails the investor through the app); each result or the Refusal it raised."""
    barrier = threading.Barrier(len(calls))
    app = current_app._get_current_object()

    def run(call):
        with app.app_context():
            barrier.wait()
            try:
                return call()
            except Refusal as refusal:
                return refusal

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))


def reserved(db, offering, user=None) -> int:
    return reservations.reserved(current_app.config, offering["_id"], user["_id"] if user else None)


def earlier_order(db, offering, tokens: int, status: str = "settled", **fields) -> dict:
    """An order placed before the test (by someone else): the first placement counts it (the counters are
    built from the orders when Redis has none)."""
    doc = {"_id": ObjectId(), "userId": ObjectId(), "offeringId": offering["_id"], "tokens": tokens,
           "quantity": tokens, "status": status, **fields}
    db.orders.insert_one(doc)
    return doc


def test_a_hundred_investors_racing_for_the_last_units_never_oversubscribe(app, db, offering):
    earlier_order(db, offering, 9_750)  # 250 tokens left
    investors = [quick_investor(db, offering) for _ in range(100)]
    wanted = [random.Random(n).randint(10, 30) for n in range(100)]
    target = str(offering["_id"])
    results = race([lambda u=u, t=t: ordering.place(app.config, u, target, order_form(t, wallet=u["wallet"]))
                    for u, t in zip(investors, wanted, strict=True)])

    accepted = [r for r in results if isinstance(r, dict)]
    refused = [(r, t) for r, t in zip(results, wanted, strict=True) if isinstance(r, Refusal)]
    assert len(accepted) + len(refused) == 100 and accepted and refused
    assert sum(o["tokens"] for o in accepted) <= 250
    for refusal, _ in refused:
        assert "remain in this offering" in str(refusal) or str(refusal) == "This offering is sold out.", refusal
    stored = list(db.orders.find({"offeringId": offering["_id"], "userId": {"$in": [u["_id"] for u in investors]}}))
    assert {o["status"] for o in stored} == {"pending_payment"} and len(stored) == len(accepted)
    assert reserved(db, offering) == 9_750 + sum(o["tokens"] for o in stored) <= 10_000
    # each refused investor wanted more than was left when refused, so more than is left now
    assert 10_000 - reserved(db, offering) < min(t for _, t in refused)
    assert ordering.repair(app.config)["corrected"] == 0  # the counters agree with the orders
    assert redis_client.get().get(f"orders:inflight:{offering['_id']}") is None


def test_one_investor_cannot_pass_the_holding_limit_with_simultaneous_orders(app, db, offering):
    db.offerings.update_one({"_id": offering["_id"]}, {"$set": {"projectDetails.maxTokenHolding": 100}})
    investor = quick_investor(db, offering)
    results = race([lambda: ordering.place(app.config, investor, str(offering["_id"]), order_form(20))
                    for _ in range(10)])
    assert sum(isinstance(r, dict) for r in results) == 5
    assert all("at most 100 tokens" in str(r) for r in results if isinstance(r, Refusal))
    assert reserved(db, offering, investor) == 100 == reserved(db, offering)


def test_the_same_form_submitted_five_times_at_once_places_one_order(app, db, offering):
    investor = quick_investor(db, offering)
    form = order_form(15)
    results = race([lambda: ordering.place(app.config, investor, str(offering["_id"]), form) for _ in range(5)])
    assert len({str(r["_id"]) for r in results}) == 1
    assert db.orders.count_documents({"userId": investor["_id"]}) == 1
    assert reserved(db, offering) == 15 == reserved(db, offering, investor)


def test_cancelling_gives_the_tokens_back_once(app, db, offering):
    investor = quick_investor(db, offering)
    order = ordering.place(app.config, investor, str(offering["_id"]), order_form(40))
    results = race([lambda: ordering.cancel(app.config, investor, str(order["_id"])) for _ in range(4)])
    assert sum(isinstance(r, dict) for r in results) == 1
    assert all("waiting for its payment" in str(r) for r in results if isinstance(r, Refusal))
    assert reserved(db, offering) == 0 == reserved(db, offering, investor)
    assert db.orders.find_one({"_id": order["_id"]})["status"] == "cancelled"


def test_a_placement_that_died_inside_the_lock_is_recounted_by_the_next_one(app, db, offering):
    earlier_order(db, offering, 9_980)
    investor, other = quick_investor(db, offering), quick_investor(db, offering)
    ordering.repair(app.config)  # the counters as the orders say: 9,980 reserved
    # a process reserved 20 tokens for `other` and died before inserting its order
    assert reservations.reserve(app.config, offering["_id"], other["_id"], 20, None, 10_000) == reservations.FITS
    redis_client.get().set(f"orders:inflight:{offering['_id']}", str(ObjectId()))

    order = ordering.place(app.config, investor, str(offering["_id"]), order_form(20))
    assert order["status"] == "pending_payment"
    assert reserved(db, offering) == 10_000 and reserved(db, offering, other) == 0
    assert redis_client.get().get(f"orders:inflight:{offering['_id']}") is None


def test_repair_recounts_every_offering_from_its_orders(app, db, offering):
    investor = quick_investor(db, offering)
    placed = ordering.place(app.config, investor, str(offering["_id"]), order_form(30))
    cancelled = ordering.place(app.config, investor, str(offering["_id"]), order_form(12))
    ordering.cancel(app.config, investor, str(cancelled["_id"]))
    reservations.reserve(app.config, offering["_id"], ObjectId(), 7, None, 10_000)  # drifted: total and a ghost
    assert ordering.repair(app.config) == {"offerings": 1, "corrected": 2}
    assert reserved(db, offering) == 30 == reserved(db, offering, investor)
    assert db.orders.find_one({"_id": placed["_id"]})["status"] == "pending_payment"
    assert ordering.repair(app.config) == {"offerings": 1, "corrected": 0}


def test_orders_without_the_new_keys_still_insert(db):
    """Older orders (and the chain tests' fixtures) lack idempotencyKey and paymentReference: the unique
    indexes are sparse, so any number of them can exist."""
    db.orders.insert_many([{"_id": ObjectId(), "quantity": 1, "status": "settled"} for _ in range(3)])
    assert db.orders.count_documents({}) == 3


def test_a_cancel_racing_a_payment_leaves_one_outcome_and_true_counters(app, db, offering):
    from app.domain.payments import settlement
    from app.domain.payments.rules import PaymentRefused

    for _ in range(8):
        investor = quick_investor(db, offering)
        order = ordering.place(app.config, investor, str(offering["_id"]), order_form(20))
        def pay(o=order):
            with app.app_context():  # settlement audits and mails through the app
                try:
                    return settlement.settle(app.config, o["_id"], paid_amount=o["totalAmount"],
                                             source={"kind": "fiat", "reference": o["paymentReference"], "by": "t"})
                except PaymentRefused as refused:  # the order was cancelled first
                    return refused

        results = race([lambda o=order, u=investor: ordering.cancel(app.config, u, str(o["_id"])), pay])
        status = db.orders.find_one({"_id": order["_id"]})["status"]
        assert status in ("cancelled", "settled")
        assert (status == "cancelled") == isinstance(results[0], dict) == isinstance(results[1], PaymentRefused)
        assert reserved(db, offering, investor) == (0 if status == "cancelled" else 20)
    assert ordering.repair(app.config)["corrected"] == 0
