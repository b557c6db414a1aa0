"""The `holdings` collection: chain-sync's projection of balances per (token, wallet).

`_id` is `token:wallet`. Amounts are decimal strings in MongoDB (uint256 exceeds BSON's int64) and int
once read (app/data/amounts.py); the
watermark (`wmBlock`, `wmLog`) is the position of the last event folded in, written in the
same single-document update as the amounts, so a replayed event is recognised and skipped.
"""

from __future__ import annotations

from datetime import UTC, datetime

from pymongo import ReplaceOne
from pymongo.database import Database

from app.data import amounts, bulk
from app.data.indexes import ASC, Index

NAME = "holdings"
INDEXES = (Index((("token", ASC), ("wallet", ASC)), unique=True), Index((("wallet", ASC),)))


def holding_id(token: str, wallet: str) -> str:
    return f"{token}:{wallet}"


def load(db: Database, token: str, wallets: list[str]) -> dict[str, dict]:
    """Current projections of `wallets` for `token`, by wallet (missing ones absent)."""
    ids = [holding_id(token, w) for w in wallets]
    return {d["wallet"]: _decoded(d) for d in db[NAME].find({"_id": {"$in": ids}})}


def save(db: Database, token: str, states: dict[str, dict]) -> None:
    """Write the given wallets' states ({wallet: {balance, frozen, isFrozen, wm}}) whole."""
    if not states:
        return
    now = datetime.now(UTC)
    bulk.write(db[NAME], [ReplaceOne({"_id": holding_id(token, wallet)}, _doc(token, wallet, state, now), upsert=True)
                          for wallet, state in states.items()])


def replace_token(db: Database, token: str, states: dict[str, dict]) -> None:
    """A full recomputation of one token (after a reorg): wallets not in `states` are dropped."""
    db[NAME].delete_many({"token": token, "wallet": {"$nin": list(states)}})
    save(db, token, states)


def for_token(db: Database, token: str) -> list[dict]:
    return [_decoded(d) for d in db[NAME].find({"token": token})]


def tokens(db: Database) -> list[str]:
    return sorted(db[NAME].distinct("token"))


def _doc(token: str, wallet: str, state: dict, now: datetime) -> dict:
    return {"token": token, "wallet": wallet, "balance": amounts.store(state["balance"]),
            "frozen": amounts.store(state["frozen"]),
            "isFrozen": state["isFrozen"], "wmBlock": state["wm"][0], "wmLog": state["wm"][1], "updatedAt": now}


def of_wallets(db: Database, wallets: list[str]) -> list[dict]:
    """Every token position of the wallets (the portfolio; the `wallet` index, one query for all wallets)."""
    return [_decoded(d) for d in db[NAME].find({"wallet": {"$in": wallets}})] if wallets else []


def _decoded(doc: dict) -> dict:
    return amounts.decode(doc, ("balance", "frozen"))
