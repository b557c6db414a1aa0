"""A worker SIGKILLed while it executes an approved forced transfer: the case is requeued (`flask chain requeue`
does the same) and another worker finishes it; each case moves its tokens exactly once on chain."""

from __future__ import annotations

import random
import time

from bson import ObjectId

from app.domain.enforcement import cases
from app.domain.platform import chain_ops
from tests.fixtures.chain import kill_group, start_worker
from tests.fixtures.processes import stop_process, wait_for
from tests.integration.enforcement.conftest import TOKEN, case_id_of, decide, make_case, staff

ROUNDS = 4


def state_of(db, cid: str) -> str:
    return db.agentActions.find_one({"_id": ObjectId(cid)}, {"state": 1})["state"]


def executing(db, cid: str, timeout: float = 60) -> str:
    """Poll the case until its execution has started; the state it was found in (the kill lands right after)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = state_of(db, cid)
        if state != "approved":
            return state
        time.sleep(0.005)
    raise AssertionError(f"case {cid} was not picked up by the worker in {timeout} s")


def test_killing_the_worker_during_execution_moves_the_tokens_exactly_once(app, db, book, services, tmp_path):
    offering, token = book["offering"], book["token"]
    a, b = book["a"]["account"].address, book["b"]["account"].address
    maker, checker = staff(app), staff(app)
    rng = random.Random(14)
    ids, landed = [], []
    for n in range(ROUNDS):
        cid = case_id_of(make_case(maker, offering, "forced_transfer", wallet=a, to_wallet=b, amount="1"))
        assert decide(checker, cid, "approve").status_code == 303
        worker = start_worker(services, tmp_path, f"killed-{n}")
        landed.append(executing(db, cid))
        time.sleep(rng.uniform(0, 0.05))  # a forced transfer takes ~0.1 s: most kills land inside it
        kill_group(worker)
        ids.append(cid)
    print(f"kills landed with the cases {landed}")
    requeued = cases.requeue_unfinished(app.config)  # what an operator's `flask chain requeue` does
    chain_ops.requeue_open(app.config)
    print(f"requeued {len(requeued)} unfinished case(s)")
    survivor = start_worker(services, tmp_path, "survivor")
    try:
        for cid in ids:
            wait_for(lambda c=cid: state_of(db, c) in ("executed", "failed"), timeout=120, what=f"case {cid} finished")
    finally:
        stop_process(survivor)
    states = [state_of(db, c) for c in ids]
    assert states == ["executed"] * ROUNDS
    moves = [log["args"]["value"] for log in token.events.Transfer().get_logs(from_block=0)
             if log["args"]["from"] == a and log["args"]["to"] == b]
    assert moves == [TOKEN] * ROUNDS, "each case moved its token exactly once"
    assert token.functions.balanceOf(b).call() == (5 + ROUNDS) * TOKEN
