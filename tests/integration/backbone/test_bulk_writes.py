"""Bulk writes of chain-sync at sizes that used to wedge FerretDB (more than 100 existing documents per command)."""

from __future__ import annotations

import pymongo

from app.chain.constants import ZERO_ADDRESS
from app.data import chain_events, holdings

TOKEN = "0x" + "ab" * 20
WALLETS = [f"0x{n:040x}" for n in range(1, 251)]


def _event(n: int) -> dict:
    return {"id": f"31337:0x{n:064x}:0", "kind": "log", "chainId": 31337, "event": "Transfer", "address": TOKEN,
            "blockNumber": n, "blockHash": f"0x{n:064x}", "logIndex": 0, "transactionHash": f"0x{n:064x}",
            "args": {"from": ZERO_ADDRESS, "to": WALLETS[n % len(WALLETS)], "value": 10**30}}


def test_rewriting_hundreds_of_existing_holdings_completes(db):
    first = {w: {"balance": 1, "frozen": 0, "isFrozen": False, "wm": (1, n)} for n, w in enumerate(WALLETS)}
    with pymongo.timeout(60):  # the server used to wait forever for a 101st SQLite connection
        holdings.save(db, TOKEN, first)
        holdings.save(db, TOKEN, {w: {**s, "balance": 2, "wm": (2, 0)} for w, s in first.items()})
    assert {d["balance"] for d in holdings.for_token(db, TOKEN)} == {2}
    assert len(holdings.for_token(db, TOKEN)) == len(WALLETS)


def test_the_event_store_inserts_once_and_a_replay_restores_retracted_events(db):
    events = [_event(n) for n in range(300)]
    with pymongo.timeout(60):
        assert chain_events.store(db, events) == 300
        for n in range(0, 300, 2):
            chain_events.retract_block(db, TOKEN, f"0x{n:064x}")
        assert chain_events.store(db, events[:200]) == 0
    assert db.chainEvents.count_documents({"retracted": True}) == 50, "blocks back on the chain are live again"
    assert db.chainEvents.find_one({"_id": events[1]["id"]})["args"]["value"] == str(10**30)
