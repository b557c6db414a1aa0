"""The `orders` collection (seed: Order). Investment orders from placement through payment to minting."""

from __future__ import annotations

from app.data.indexes import ASC, DESC, Index

NAME = "orders"
INDEXES = (
    Index((("userId", ASC), ("createdAt", DESC))),
    Index((("offeringId", ASC), ("status", ASC))),
    Index((("status", ASC),)),
    Index((("tx_hash", ASC),)),
)
