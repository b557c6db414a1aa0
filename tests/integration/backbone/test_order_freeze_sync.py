"""An order's freeze is the chain's: `isFreezed` changes when chain-sync applies TokensFrozen / TokensUnfrozen, the
order shows freezing… until then, and `flask chain reconcile` checks orders' minted and frozen marks."""

from __future__ import annotations

from app.domain.orders.minting import mint_ready_orders
from app.domain.orders.review import set_frozen
from app.domain.orders.rules import Refusal
from app.domain.platform import chain_jobs as runner
from app.domain.platform.reconcile import reconcile
from tests.fixtures.accounts import make_user
from tests.fixtures.processes import wait_for
from tests.fixtures.suite_offering import settled_orders


def _order(db, order_id) -> dict:
    return db.orders.find_one({"_id": order_id})


def order_drifts(app, block: int) -> dict:
    """Reconcile's differences about orders (the suite was unpaused before the monitor followed it: its pause
    state is another check's business)."""
    return {(d.wallet, d.field): (d.mongo, d.chain) for d in reconcile(app.config, block)[1]
            if d.field.startswith(("order ", "frozen by orders"))}


def test_an_order_is_frozen_when_the_chain_confirms_it_and_reconcile_checks_orders(app, db, monitor, sync, suite,
                                                                                 offering, verified, wallet):
    alice, bob = verified(), verified()
    freezing, other = settled_orders(db, offering, [alice, bob], [30, 20])
    for job_id in mint_ready_orders(app.config, offering):
        assert runner.execute(app.config, job_id)["status"] == "done"
    wait_for(lambda: all(_order(db, o).get("isMinted") for o in (freezing, other)), what="the minted marks")
    staff = make_user("subadmin", permissions=["orders"])

    job_id = set_frozen(app.config, staff, str(freezing), True)
    sent = _order(db, freezing)
    assert (bool(sent.get("isFreezed")), sent["freezePending"]) == (False, "freezing"), "not frozen before the chain"
    try:
        set_frozen(app.config, staff, str(freezing), False)
        raise AssertionError("an unfreeze was accepted while the freeze was on its way")
    except Refusal as refusal:
        assert "already freezing" in str(refusal)
    assert runner.execute(app.config, job_id)["status"] == "done"
    frozen = wait_for(lambda: (o := _order(db, freezing)).get("isFreezed") and o, what="the confirmed freeze")
    assert frozen["freezePending"] is None and frozen["freezeConfirmedVersion"] == 1

    assert runner.execute(app.config, set_frozen(app.config, staff, str(freezing), False))["status"] == "done"
    assert _order(db, freezing)["freezePending"] == "unfreezing"
    wait_for(lambda: _order(db, freezing)["isFreezed"] is False, what="the confirmed unfreeze")
    assert _order(db, freezing)["freezePending"] is None

    head = wallet.w3.eth.block_number
    wait_for(lambda: not order_drifts(app, head), what="no order difference once chain-sync caught up")
    db.orders.update_one({"_id": other}, {"$set": {"isFreezed": True}})  # frozen in MongoDB only
    db.orders.update_one({"_id": freezing}, {"$set": {"isMinted": False}})  # its mint is on chain
    assert order_drifts(app, head) == {(alice, f"order {freezing} minted"): (False, True),
                      (bob, "frozen by orders (at most the frozen amount)"): (20, 0)}
