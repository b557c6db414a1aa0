"""The `savetransferrequets` collection (seed: SaveTransferRequet). Transfers between two platform
users, saved for approval.
"""

from __future__ import annotations

from app.data.indexes import ASC, Index

NAME = "savetransferrequets"
INDEXES = (
    Index((("fromUserId", ASC),)),
    Index((("toUserId", ASC),)),
    Index((("offeringId", ASC),)),
    Index((("uniqueId", ASC),), unique=True),
)
