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

APPROVED = "approved"


def is_approved(db, user_id, offering_id) -> bool:
    """Whether the investor's whitelisting for this offering is approved (by admin and transfer agent)."""
    return db[NAME].count_documents({"userId": user_id, "offeringId": offering_id, "status": APPROVED}, limit=1) > 0


def set_registered(db, offering_ids: list, wallet: str, registered: bool) -> None:
    """Chain-sync: whether the whitelisted wallet is in the offering's identity registry on chain."""
    if offering_ids:
        db[NAME].update_many({"offeringId": {"$in": offering_ids}, "address": wallet},
                             {"$set": {"onChainRegistered": registered}})
