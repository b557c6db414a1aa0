"""The `dividends` collection (seed: Dividend): one line per holder per distribution, written at the record-date
snapshot (app/domain/distributions/snapshot.py) and paid by the payout (payout.py, fiat.py).

`_id` is "<distribution id>:<wallet>" and (distributionId, walletAddress) is unique, so the snapshot writes each
line once however often it runs. `balance` is in token base units, stored as a decimal string (app/data/amounts.py);
the money fields are integer cents.
"""

from __future__ import annotations

from pymongo.database import Database

from app.data import amounts, bulk
from app.data.indexes import ASC, DESC, Index

NAME = "dividends"
INDEXES = (
    Index((("offeringId", ASC), ("recordDate", DESC))),
    Index((("walletAddress", ASC),)),
    Index((("issuerId", ASC),)),
    Index((("distributionId", ASC), ("walletAddress", ASC)), unique=True, sparse=True),
    Index((("userId", ASC),)),
)
_AMOUNTS = ("balance",)


def line_id(distribution_id, wallet: str) -> str:
    return f"{distribution_id}:{wallet}"


def of_wallets(db, wallets: list[str]) -> list[dict]:
    """Dividends paid or due to the wallets (the portfolio; the `walletAddress` index, one query)."""
    return [_decoded(d) for d in db[NAME].find({"walletAddress": {"$in": wallets}})] if wallets else []


def insert_lines(db: Database, lines: list[dict]) -> int:
    """Insert the snapshot's lines not written yet (by `_id`); returns how many were new."""
    docs = [amounts.encode(line, _AMOUNTS) for line in lines]
    return len(docs) - len(bulk.insert_new(db[NAME], docs))


def of_distribution(db: Database, distribution_id) -> list[dict]:
    return [_decoded(d) for d in db[NAME].find({"distributionId": distribution_id}).sort("walletAddress", ASC)]


def of_user(db: Database, user_id) -> list[dict]:
    return [_decoded(d) for d in db[NAME].find({"userId": user_id}).sort("recordDate", DESC)]


def _decoded(doc: dict) -> dict:
    return amounts.decode(doc, _AMOUNTS)
