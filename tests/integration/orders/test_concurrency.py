"""Many investors at once: supply and per-investor holding can never be oversubscribed, a double submit
places one order, and what an interrupted placement left is repaired. Real FerretDB and Redis."""

from __future__ import annotations

import random
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

from bson import ObjectId

from app.data import order_reservations
from app.domain import ordering
from app.domain.order_rules import Refusal
from tests.integration.orders.conftest import order_form, quick_investor


def race(calls) -> list:
    """Run every call at the same moment from its own thread; each result or the Refusal it raised."""
    barrier = threading.Barrier(len(calls))

    def run(call):
        barrier.wait()
        try:
            return call()
        except Refusal as refusal:
            return refusal

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))


def reserved(db, offering, user=None) -> int:
    key = (order_reservations.holding_key(offering["_id"], user["_id"]) if user
           else order_reservations.offering_key(offering["_id"]))
    return order_reservations.reserved(db, key)


def earlier_order(db, offering, tokens: int, status: str = "settled", **fields) -> dict:
    """An order placed before the test (by someone else), already counted in the reservations."""
    doc = {"_id": ObjectId(), "userId": ObjectId(), "offeringId": offering["_id"], "tokens": tokens,
           "quantity": tokens, "status": status, **fields}
    db.orders.insert_one(doc)
    order_reservations.add(db, order_reservations.offering_key(offering["_id"]), tokens, None)
    order_reservations.add(db, order_reservations.holding_key(offering["_id"], doc["userId"]), tokens, None)
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


def test_repair_removes_a_dead_placement_and_recounts_from_the_orders(app, db, offering):
    investor, other = quick_investor(db, offering), quick_investor(db, offering)
    placed = ordering.place(app.config, other, str(offering["_id"]), order_form(30))
    # a process died after reserving 25 tokens, before committing its order
    dead = {"_id": ObjectId.from_datetime(datetime.now(UTC) - timedelta(minutes=5)), "userId": investor["_id"],
            "offeringId": offering["_id"], "tokens": 25, "quantity": 25, "status": "placing",
            "idempotencyKey": ordering.new_form_key(), "paymentReference": ordering.new_payment_reference()}
    db.orders.insert_one(dead)
    order_reservations.add(db, order_reservations.offering_key(offering["_id"]), 25, None)
    order_reservations.add(db, order_reservations.holding_key(offering["_id"], investor["_id"]), 25, None)
    assert reserved(db, offering) == 55

    assert ordering.repair(app.config) == {"offerings": 1, "removed": 1, "corrected": 2}
    assert reserved(db, offering) == 30 and reserved(db, offering, investor) == 0
    assert reserved(db, offering, other) == 30
    assert db.orders.find_one({"_id": dead["_id"]}) is None
    assert db.orders.find_one({"_id": placed["_id"]})["status"] == "pending_payment"
    assert ordering.repair(app.config) == {"offerings": 1, "removed": 0, "corrected": 0}


def test_a_refusal_repairs_an_abandoned_placement_that_held_the_last_tokens(app, db, offering):
    earlier_order(db, offering, 9_980)
    ghost = earlier_order(db, offering, 20, status="placing", _id=ObjectId.from_datetime(
        datetime.now(UTC) - timedelta(minutes=2)))
    investor = quick_investor(db, offering)
    order = ordering.place(app.config, investor, str(offering["_id"]), order_form(20))
    assert order["status"] == "pending_payment"
    assert db.orders.find_one({"_id": ghost["_id"]}) is None and reserved(db, offering) == 10_000


def test_a_young_placement_in_flight_is_left_alone(app, db, offering):
    investor = quick_investor(db, offering)
    in_flight = {"_id": ObjectId(), "userId": investor["_id"], "offeringId": offering["_id"], "tokens": 10,
                 "status": "placing", "idempotencyKey": ordering.new_form_key()}
    db.orders.insert_one(in_flight)
    assert ordering.repair(app.config)["removed"] == 0
    assert db.orders.find_one({"_id": in_flight["_id"]}) is not None


def test_orders_without_the_new_keys_still_insert(db):
    """Older orders (and the chain tests' fixtures) lack idempotencyKey and paymentReference: the unique
    indexes are sparse, so any number of them can exist."""
    db.orders.insert_many([{"_id": ObjectId(), "quantity": 1, "status": "settled"} for _ in range(3)])
    assert db.orders.count_documents({}) == 3
