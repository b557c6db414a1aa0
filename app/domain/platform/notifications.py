"""Outgoing mail and SMS: recorded in the outbox, then delivered by an RQ job on the `mail` queue.

Mail bodies are templates, app/templates/emails/<name>.txt and .html, rendered here by `render_mail`;
a mail goes out as multipart/alternative (the plain part first, as the outbox stores it).

Delivery speaks real protocols: SMTP to `SMTP_SERVER` and a Twilio-style Messages API at
`SMS_API_URL`; locally both are the sandbox process, so switching to a real relay or SMS
provider is configuration.
"""

from __future__ import annotations

import smtplib
from email.message import EmailMessage

import requests
from bson import ObjectId
from flask import current_app

from app.data import mail_keys, outbox
from app.data.mongo import get_db
from app.tasks import notifications as notification_jobs

SEND_TIMEOUT_S = 10


def render_mail(template: str, **context) -> tuple[str, str]:
    """The plain and HTML parts of the mail `template` (app/templates/emails/<template>.txt and .html).

    The app's Jinja environment (its filters; HTML autoescaped, text not) without the request's
    context processors: RQ jobs and chain-sync send mail too, outside any request."""
    env = current_app.jinja_env
    return (env.get_template(f"emails/{template}.txt").render(context),
            env.get_template(f"emails/{template}.html").render(context))


def send_email(to: str, subject: str, template: str, context: dict, user_id: ObjectId | None = None, *,
               key: str | None = None) -> ObjectId:
    """Record the mail `template` rendered with `context` in the outbox, then enqueue its delivery.

    With `key` (the event, e.g. "order-placed:<id>") the event is mailed once however often this runs:
    the first message claims the key (app/data/mail_keys.py), a later one is dropped before it is
    enqueued, and the holder is enqueued again in case the first run stopped before it (delivery
    skips a sent message)."""
    text, html = render_mail(template, **context)
    db = get_db()
    message_id = outbox.insert(db, "email", to, subject, text, user_id, html=html)
    if key is not None:
        holder = mail_keys.claim(db, key, message_id)
        if holder is not None:
            outbox.discard_unsent(db, message_id)
            message_id = holder
    return _enqueue(message_id)


def send_sms(to: str, body: str, user_id: ObjectId | None = None) -> ObjectId:
    return _enqueue(outbox.insert(get_db(), "sms", to, "", body, user_id))


def _enqueue(message_id: ObjectId) -> ObjectId:
    notification_jobs.deliver_message.delay(str(message_id), job_id=f"message-{message_id}")
    return message_id


def deliver(message_id: str) -> str:
    """Send one outbox message unless already sent; returns "sent", "already sent" or raises on failure
    (RQ records the failure; the message stays unsent in the outbox)."""
    db = get_db()
    message = outbox.by_id(db, ObjectId(message_id))
    if message is None:
        raise LookupError(f"no outbox message {message_id}")
    if message["sentAt"] is not None:
        return "already sent"
    outbox.count_attempt(db, message["_id"])
    if message["channel"] == "email":
        _deliver_email(message)
    else:
        _deliver_sms(message)
    outbox.mark_sent(db, message["_id"])
    return "sent"


def _deliver_email(message: dict) -> None:
    config = current_app.config
    email = EmailMessage()
    email["From"], email["To"], email["Subject"] = config["MAIL_FROM"], message["to"], message["subject"]
    email["Message-ID"] = f"<{message['_id']}@libertum>"
    email.set_content(message["body"])
    if message.get("html"):  # messages recorded before the HTML part have text only
        email.add_alternative(message["html"], subtype="html")
    host, _, port = config["SMTP_SERVER"].rpartition(":")
    with smtplib.SMTP(host, int(port), timeout=SEND_TIMEOUT_S) as smtp:
        smtp.send_message(email)


def _deliver_sms(message: dict) -> None:
    config = current_app.config
    response = requests.post(config["SMS_API_URL"].rstrip("/") + "/Messages.json", timeout=SEND_TIMEOUT_S,
                             data={"To": message["to"], "From": "Libertum", "Body": message["body"]})
    response.raise_for_status()
