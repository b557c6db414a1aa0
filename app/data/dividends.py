"""The `dividends` collection (seed: Dividend). Dividends declared per offering and paid per wallet."""

from __future__ import annotations

from app.data.indexes import ASC, DESC, Index

NAME = "dividends"
INDEXES = (
    Index((("offeringId", ASC), ("recordDate", DESC))),
    Index((("walletAddress", ASC),)),
    Index((("issuerId", ASC),)),
)


def of_wallet(db, wallet: str) -> list[dict]:
    """Dividends paid or due to one wallet (the portfolio; by the `walletAddress` index)."""
    return list(db[NAME].find({"walletAddress": wallet}))
