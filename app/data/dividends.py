"""The `dividends` collection (seed: Dividend). Dividends declared per offering and paid per wallet."""

from __future__ import annotations

from app.data.indexes import ASC, DESC, Index

NAME = "dividends"
INDEXES = (
    Index((("offeringId", ASC), ("recordDate", DESC))),
    Index((("walletAddress", ASC),)),
    Index((("issuerId", ASC),)),
)


def of_wallets(db, wallets: list[str]) -> list[dict]:
    """Dividends paid or due to the wallets (the portfolio; the `walletAddress` index, one query)."""
    return list(db[NAME].find({"walletAddress": {"$in": wallets}})) if wallets else []
