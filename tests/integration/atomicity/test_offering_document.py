"""Two writers of different fields of one offering: chain-sync mirroring the token's pause state and
settlement counting the raise. FerretDB v1 rewrites the whole document on each update, so without the
offering's lock on both sides a pause write put back counters read before an increment."""

from __future__ import annotations

import threading

from bson import ObjectId
from eth_account import Account

from app.data import offerings as offering_docs
from app.domain.payments.settlement import settle
from app.events.projections import apply_logs
from tests.fixtures.payment_suite import UNIT, Investor
from tests.integration.atomicity.conftest import race

ORDERS = 12


def pause_event(token: str, n: int) -> dict:
    return {"address": token, "event": "Paused" if n % 2 else "Unpaused", "args": {"_userAddress": token},
            "blockNumber": n + 1, "logIndex": 0, "transactionHash": "0x" + f"{n:064x}"}


def test_pause_mirroring_never_loses_a_counted_settlement(app, db, offering, suite, place, admin):
    people = []
    for n in range(4):
        user = {"_id": ObjectId(), "email": f"a{n}@example.com", "userType": "investor"}
        db.users.insert_one(user)
        people.append(Investor(user, Account.create()))
    orders = [place(people[n % 4], 1 + n, method="fiat") for n in range(ORDERS)]

    def pay(order):
        return lambda: settle(app.config, order["_id"], paid_amount=order["totalAmount"], source={
            "kind": "fiat", "reference": order["paymentReference"], "by": admin["_id"]})

    settled = threading.Event()
    flips: list[int] = []

    def chain_sync() -> None:
        """One consumer folding pause events in chain order, for as long as the settlements run."""
        while not settled.is_set():
            apply_logs(db, [pause_event(suite["token"], len(flips))])
            flips.append(len(flips))

    def settlements() -> list:
        try:
            return race(app, [pay(order) for order in orders * 2])
        finally:
            settled.set()

    with app.app_context():
        syncing = threading.Thread(target=lambda: _in_context(app, chain_sync))
        syncing.start()
        outcomes = settlements()
        syncing.join()
    assert set(outcomes) == {"settled"}, outcomes
    doc = offering_docs.by_id(db, offering)
    assert (doc["tokensSold"], doc["raisedAmount"], doc["investorCount"]) == (
        sum(range(1, ORDERS + 1)) * UNIT, sum(range(1, ORDERS + 1)) * 10_000, 4)
    assert len(flips) > 3 and doc["tokenPaused"] is (flips[-1] % 2 == 1)


def _in_context(app, work) -> None:
    with app.app_context():
        work()
