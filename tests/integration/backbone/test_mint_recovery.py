"""A batch the token refuses for one recipient: the others mint once, that order is held with the reason, and
staff retry it once the cause is fixed (real anvil, RQ on Redis, FerretDB)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from eth_account import Account

from app.chain import agent as ops
from app.chain.identity import get_identity
from app.domain.orders import mint_recovery
from app.domain.orders.mint_recovery import recover_all
from app.domain.orders.minting import mint_ready_orders
from app.domain.orders.rules import Refusal
from app.domain.platform import chain_jobs as runner
from app.domain.portfolio.rules import order_rows
from tests.fixtures.accounts import BrowserClient, login, make_user, post, signed_in_client
from tests.fixtures.chain import FRANCE, minted_amounts
from tests.fixtures.processes import run_jobs
from tests.fixtures.suite_offering import settled_orders

REASON = "Token.mint reverted: Identity is not verified."


def _readable(db, order_ids) -> None:
    """The fields the back office shows for an order (settled_orders keeps only what minting reads)."""
    for n, order_id in enumerate(order_ids):
        db.orders.update_one({"_id": order_id}, {"$set": {
            "paymentReference": f"LIB-HELD-{n:04d}", "price": 100, "amount": 100, "feeAmount": 0, "totalAmount": 100,
            "paymentMethod": "fiat", "investorEmail": f"held{n}@example.com", "offeringTitle": "Backbone Flats"}})


def test_a_batch_with_an_unverified_recipient_mints_the_others_once_and_holds_that_order(
        app, db, platform, offering, token, verified, wallet, suite):
    holders = [verified() for _ in range(6)]
    removed = holders[3]  # whitelisted once, then taken out of the identity registry
    ops.delete_identity(wallet.w3, wallet.account, suite["identityRegistry"], removed)
    order_ids = settled_orders(db, offering, holders, [1, 2, 3, 4, 5, 6])
    _readable(db, order_ids)
    held_id = order_ids[3]

    [batch] = mint_ready_orders(app.config, offering)
    run_jobs("chain")  # the batch fails, is split, and the halves run, down to the one order that cannot mint

    assert db.chainJobs.find_one({"_id": batch})["status"] == "failed"
    for holder, amount in zip(holders, [1, 2, 3, 4, 5, 6], strict=True):
        assert minted_amounts(wallet.w3, token, holder) == ([] if holder == removed else [amount])
    held = db.orders.find_one({"_id": held_id})
    assert held["mintHeld"] is True and held["mintHoldReason"] == REASON
    claims = {c["_id"]: c["jobId"] for c in db.mintClaims.find({})}
    assert set(claims) == set(order_ids), "every order still claimed by exactly one job"
    assert claims[held_id] == held["mintHoldJob"]
    assert all(db.chainJobs.find_one({"_id": claims[o]})["status"] == "done" for o in order_ids if o != held_id)
    mint_ready_orders(app.config, offering)  # settlement's next run, or a requeue: it re-enqueues the same jobs
    run_jobs("chain")
    assert sum(len(minted_amounts(wallet.w3, token, h)) for h in holders) == 5

    app.test_client_class = BrowserClient  # each request in its own app context, as on a real server
    staff = app.test_client()
    assert login(staff, make_user("subadmin", permissions=["orders"])).status_code == 303
    page = staff.get(f"/admin/orders/{held_id}").text
    assert 'data-testid="mint-held"' in page and "Identity is not verified." in page
    listed = staff.get("/admin/orders/?held=1").text
    assert listed.count('data-testid="order-row"') == 1 and str(held_id) in listed

    post(staff, f"/admin/orders/{held_id}/retry-mint")  # the cause is not fixed yet: it fails and is held again
    run_jobs("chain")
    assert minted_amounts(wallet.w3, token, removed) == []
    assert db.orders.find_one({"_id": held_id})["mintHeld"] is True

    identity = get_identity(wallet.w3, platform, removed)
    ops.register_identity(wallet.w3, wallet.account, suite["identityRegistry"], removed, identity, FRANCE)
    post(staff, f"/admin/orders/{held_id}/retry-mint")
    post(staff, f"/admin/orders/{held_id}/retry-mint")  # a double click sends nothing more
    run_jobs("chain")
    assert minted_amounts(wallet.w3, token, removed) == [4]
    retried = db.orders.find_one({"_id": held_id})
    assert retried["mintHeld"] is False and retried["mintAttempts"] == 2
    assert db.auditLogs.count_documents({"event": "order.mint_retried"}) == 2
    assert "nothing to retry" in staff.get(f"/admin/orders/{held_id}").text


def test_requeue_recovers_a_failed_batch_whose_worker_died_before_splitting_it(app, db, offering, token, verified,
                                                                                wallet):
    holders = [verified(), Account.create().address, verified()]
    order_ids = settled_orders(db, offering, holders, [7, 8, 9])
    [batch] = mint_ready_orders(app.config, offering)
    assert runner.execute(app.config, batch)["status"] == "failed"  # the worker died before enqueueing recovery
    assert recover_all(app.config) == [batch]
    run_jobs("chain")
    assert [minted_amounts(wallet.w3, token, h) for h in holders] == [[7], [], [9]]
    assert db.orders.find_one({"_id": order_ids[1]})["mintHeld"] is True
    assert recover_all(app.config) == []


def test_a_batch_no_recipient_can_receive_is_held_whole_and_retried_as_one_job(app, db, platform, offering, token,
                                                                                verified, wallet, suite):
    """A token-wide refusal spends one failed transaction, not one per order, and one retry mints them all once."""
    holders = [verified() for _ in range(3)]
    for holder in holders:
        ops.delete_identity(wallet.w3, wallet.account, suite["identityRegistry"], holder)
    order_ids = settled_orders(db, offering, holders, [11, 12, 13])
    [batch] = mint_ready_orders(app.config, offering)
    run_jobs("chain")

    job = db.chainJobs.find_one({"_id": batch})
    assert job["status"] == "failed" and job["tokenWide"] is True and job["splitInto"] == []
    assert db.chainJobs.count_documents({}) == 1, "no transaction per order to find the cause"
    for order_id in order_ids:
        order = db.orders.find_one({"_id": order_id})
        assert order["mintHeld"] is True and order["mintHoldJob"] == batch and order["mintHoldReason"] == REASON

    for holder in holders:
        identity = get_identity(wallet.w3, platform, holder)
        ops.register_identity(wallet.w3, wallet.account, suite["identityRegistry"], holder, identity, FRANCE)
    retried = mint_recovery.retry_job(app.config, batch)
    with pytest.raises(Refusal, match="nothing to retry"):
        mint_recovery.retry_job(app.config, batch)  # a double click
    run_jobs("chain")
    assert [minted_amounts(wallet.w3, token, h) for h in holders] == [[11], [12], [13]]
    assert db.chainJobs.find_one({"_id": retried})["status"] == "done"
    assert not any(db.orders.find_one({"_id": o})["mintHeld"] for o in order_ids)


def test_the_investor_reads_a_delay_not_minting_for_a_held_mint(app, db, offering, token, verified, wallet):
    holders = [verified(), Account.create().address]
    order_ids = settled_orders(db, offering, holders, [1, 2])
    mint_ready_orders(app.config, offering)
    run_jobs("chain")
    [row] = order_rows([db.orders.find_one({"_id": order_ids[1]})], [])
    assert row["status"] == "mint_held" and row["status_label"] == "Paid, delivery delayed"
    [minted] = order_rows([db.orders.find_one({"_id": order_ids[0]})], [])
    assert minted["status_label"] != "Paid, delivery delayed"
    investor = make_user("investor")
    db.orders.update_one({"_id": order_ids[1]}, {"$set": {"userId": investor["_id"]}})
    status = signed_in_client(app, investor).get(f"/orders/{order_ids[1]}/status").text
    assert "Delivering your tokens is delayed" in status and "being minted" not in status


def test_concurrent_retries_of_a_held_batch_and_of_its_orders_mint_each_order_once(
        app, db, platform, offering, token, verified, wallet, suite):
    """Six staff at once: four retry the held job, two retry its first order from the order page (FerretDB's
    conditional updates alone let several through; the job's and the orders' locks must)."""
    holders = [verified() for _ in range(3)]
    for holder in holders:
        ops.delete_identity(wallet.w3, wallet.account, suite["identityRegistry"], holder)
    order_ids = settled_orders(db, offering, holders, [21, 22, 23])
    [batch] = mint_ready_orders(app.config, offering)
    run_jobs("chain")
    for holder in holders:
        identity = get_identity(wallet.w3, platform, holder)
        ops.register_identity(wallet.w3, wallet.account, suite["identityRegistry"], holder, identity, FRANCE)

    def attempt(kind: str):
        try:
            if kind == "job":
                return mint_recovery.retry_job(app.config, batch)
            return mint_recovery.retry(app.config, db.orders.find_one({"_id": order_ids[0]}))
        except Refusal:
            return None

    with ThreadPoolExecutor(max_workers=6) as pool:
        started = list(pool.map(attempt, ["job"] * 4 + ["order"] * 2))
    assert len({job for job in started if job}) >= 1
    run_jobs("chain")
    assert [minted_amounts(wallet.w3, token, h) for h in holders] == [[21], [22], [23]]
    claims = {c["_id"]: c["jobId"] for c in db.mintClaims.find({"_id": {"$in": order_ids}})}
    assert all(db.chainJobs.find_one({"_id": claims[o]})["status"] == "done" for o in order_ids)
