"""The `userdetails` collection (seed: userDetails). KYC/KYB data of one user: main information,
institution, wallets, documents.
"""

from __future__ import annotations

from app.data.indexes import ASC, Index

NAME = "userdetails"
INDEXES = (
    Index((("userId", ASC),), unique=True),
    Index((("wallets.address", ASC),)),
    Index((("isFinalSubmission", ASC),)),
)
