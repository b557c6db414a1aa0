"""The `transferrequets` collection (seed: TransferRequet). Investor transfer requests and forced transfers."""

from __future__ import annotations

from app.data.indexes import ASC, Index

NAME = "transferrequets"
INDEXES = (
    Index((("userId", ASC),)),
    Index((("offeringId", ASC), ("status", ASC))),
)
