"""Jobs of the `mail` queue: deliver one outbox message (mail or SMS) by id; safe to run twice."""

from __future__ import annotations

from app.domain.platform import notifications
from app.tasks.queues import MAIL, job


@job(MAIL, timeout=60)
def deliver_message(message_id: str) -> str:
    return notifications.deliver(message_id)
