"""Jobs of NAV updates: mail an approved NAV to the offering's holders (ids in, safe to run twice)."""

from __future__ import annotations

from bson import ObjectId

from app.domain.nav import holder_mails
from app.tasks.queues import MAIL, job


@job(MAIL, timeout=600)
def mail_holders(proposal_id: str) -> int:
    return holder_mails.mail_holders(ObjectId(proposal_id))
