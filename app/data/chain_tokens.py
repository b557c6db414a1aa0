"""The `chainTokens` collection: chain-sync's projection of each token's status and supply.

Same watermark rule as `holdings`; `totalSupply` is a decimal string in MongoDB, an int once read
(app/data/amounts.py). A T-REX token starts paused without emitting Paused, so
a token with no pause event yet is paused.
"""

from __future__ import annotations

from datetime import UTC, datetime

from pymongo.database import Database

from app.data import amounts

NAME = "chainTokens"
INDEXES = ()


def load(db: Database, token: str) -> dict | None:
    return amounts.decode(db[NAME].find_one({"_id": token}), ("totalSupply",))


def save(db: Database, token: str, state: dict) -> None:
    db[NAME].replace_one({"_id": token}, {"paused": state["paused"], "totalSupply": amounts.store(state["supply"]),
                                          "wmBlock": state["wm"][0], "wmLog": state["wm"][1],
                                          "updatedAt": datetime.now(UTC)}, upsert=True)


def all_tokens(db: Database) -> list[dict]:
    return [amounts.decode(d, ("totalSupply",)) for d in db[NAME].find({})]
