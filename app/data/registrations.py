"""The `identityRegistrations` collection: whether a wallet is registered in an offering's identity registry.

Chain-sync's projection of IdentityRegistered / IdentityRemoved, keyed `registry:wallet`;
the whitelist pages read it (and `whitelists.onChainRegistered`) instead of asking the chain.
"""

from __future__ import annotations

from datetime import UTC, datetime

from pymongo import ReplaceOne
from pymongo.database import Database

from app.data import bulk
from app.data.indexes import ASC, Index

NAME = "identityRegistrations"
INDEXES = (Index((("wallet", ASC),)),)


def save(db: Database, registry: str, states: dict[str, dict]) -> None:
    """{wallet: {registered, identity, wm}} written whole, in FerretDB-safe chunks (app.data.bulk)."""
    now = datetime.now(UTC)
    bulk.write(db[NAME], [ReplaceOne({"_id": f"{registry}:{wallet}"},
                                     {"registry": registry, "wallet": wallet, "registered": s["registered"],
                                      "identity": s["identity"], "wmBlock": s["wm"][0], "wmLog": s["wm"][1],
                                      "updatedAt": now}, upsert=True)
                          for wallet, s in states.items()])


def load(db: Database, registry: str, wallets: list[str]) -> dict[str, dict]:
    return {d["wallet"]: d for d in db[NAME].find({"_id": {"$in": [f"{registry}:{w}" for w in wallets]}})}
