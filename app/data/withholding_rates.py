"""The `withholdingRates` collection: the tax withheld from distributions per investor residence country.

`_id` is the ISO 3166 alpha-2 code, `rateBps` the rate in basis points (1500 = 15%); a country without a
document withholds nothing (0 by default).
"""

from __future__ import annotations

from datetime import UTC, datetime

from pymongo.database import Database

NAME = "withholdingRates"
INDEXES = ()


def all_rates(db: Database) -> dict[str, int]:
    return {doc["_id"]: int(doc["rateBps"]) for doc in db[NAME].find({})}


def set_rate(db: Database, country: str, rate_bps: int, actor_id) -> None:
    """One country's rate (an upsert on its own `_id`: the last decision wins, which is what staff expect)."""
    db[NAME].update_one({"_id": country}, {"$set": {"rateBps": rate_bps, "updatedBy": actor_id,
                                                    "updatedAt": datetime.now(UTC)}}, upsert=True)
