"""The `whitelists` collection (seed: Whitelist). An investor's request to invest in one offering,
with its e-signature and approvals.
"""

from __future__ import annotations

from app.data.indexes import ASC, Index

NAME = "whitelists"
INDEXES = (
    Index((("userId", ASC), ("offeringId", ASC)), unique=True),
    Index((("offeringId", ASC), ("status", ASC))),
    Index((("envelopeId", ASC),)),
)
