"""The `converts` collection (seed: Convert): the ERC-20 twin of each security token whose issuer enabled conversion.

`_id` is the security token's address (one ERC-20 per token: a second record of the same token is refused by the
key, so a retried enabling records once). Seed fields: erc20Address, createdAt, tokenAddress; offeringId beside.
"""

from __future__ import annotations

from datetime import UTC, datetime

from pymongo.database import Database
from pymongo.errors import DuplicateKeyError

from app.data.indexes import ASC, Index

NAME = "converts"
INDEXES = (
    Index((("tokenAddress", ASC),)),
)


def record(db: Database, offering_id, token: str, erc20: str, tx_hash: str | None = None) -> dict:
    """Record the token's ERC-20 once; a repeat returns the first record."""
    doc = {"_id": token, "tokenAddress": token, "erc20Address": erc20, "offeringId": offering_id,
           "deployTxHash": tx_hash, "createdAt": datetime.now(UTC)}
    try:
        db[NAME].insert_one(doc)
    except DuplicateKeyError:
        return db[NAME].find_one({"_id": token})
    return doc


def of_token(db: Database, token: str) -> dict | None:
    return db[NAME].find_one({"_id": token})


def all_pairs(db: Database) -> dict[str, str]:
    """{security token: its ERC-20} for every enabled conversion."""
    return {d["tokenAddress"]: d["erc20Address"] for d in db[NAME].find({}, {"tokenAddress": 1, "erc20Address": 1})}


def all_records(db: Database) -> list[dict]:
    return list(db[NAME].find({}))
