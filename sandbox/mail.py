"""Local mail and SMS sinks: a real SMTP server (aiosmtpd) and a Twilio-style Messages API that keep
what they receive, with pages listing the mailbox and the texts. Development and tests only.

Run: `python -m sandbox.mail --smtp-port 1025 --http-port 8025` (the Procfile's `sandbox` process).
Pages: /mail/ (mailbox), /mail/<id> (one message, its links clickable), /sms/ (texts), /kyc/ (the KYC
sandbox of sandbox/kyc.py) and /esign/ (the e-signature sandbox of sandbox/esign.py), both mounted here by `main`.
JSON for tests: /mail/messages.json, /sms/messages.json (newest first, `?to=` filters).
Messages live in this process's memory: a restarted sandbox starts with an empty mailbox.
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import threading
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import message_from_bytes, policy

from aiosmtpd.controller import Controller
from flask import Blueprint, Flask, abort, jsonify, render_template, request
from jinja2 import DictLoader
from werkzeug.serving import make_server

from sandbox.esign import EsignSandbox
from sandbox.esign import config_from_env as esign_config_from_env
from sandbox.kyc import KycSandbox
from sandbox.kyc import config_from_env as kyc_config_from_env

_URL = re.compile(r"https?://[^\s<>\"]+")


@dataclass
class Box:
    """Received messages, newest first, shared by the SMTP thread and the web threads."""

    items: list[dict] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, item: dict) -> dict:
        item = {"id": uuid.uuid4().hex, "receivedAt": datetime.now(UTC).isoformat(), **item}
        with self.lock:
            self.items.insert(0, item)
            del self.items[1000:]
        return item

    def list(self, to: str = "") -> list[dict]:
        with self.lock:
            return [m for m in self.items if not to or to.lower() in " ".join(m["to"]).lower()]

    def get(self, item_id: str) -> dict | None:
        with self.lock:
            return next((m for m in self.items if m["id"] == item_id), None)


class SmtpHandler:
    """aiosmtpd handler: parse each accepted message into the mailbox."""

    def __init__(self, box: Box):
        self.box = box

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd's hook name
        parsed = message_from_bytes(envelope.content, policy=policy.default)
        body = parsed.get_body(preferencelist=("plain", "html"))
        self.box.add({"from": envelope.mail_from, "to": list(envelope.rcpt_tos),
                      "subject": str(parsed.get("Subject", "")), "body": body.get_content() if body else ""})
        return "250 Message accepted for delivery"


PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{{ title }} · Sandbox</title></head>
<body><h1>{{ title }}</h1>{% block body %}{% endblock %}</body></html>"""

MAILBOX = """{% extends "layout.html" %}{% block body %}
{% if not messages %}<p>No mail yet.</p>{% endif %}
<table><thead><tr><th>Received</th><th>To</th><th>Subject</th></tr></thead><tbody>
{% for m in messages %}<tr><td>{{ m.receivedAt }}</td><td>{{ m.to | join(", ") }}</td>
<td><a href="{{ url_for('mail_sandbox.show_message', message_id=m.id) }}">{{ m.subject }}</a></td></tr>{% endfor %}
</tbody></table>{% endblock %}"""

MESSAGE = """{% extends "layout.html" %}{% block body %}
<p>From {{ m.from }} to {{ m.to | join(", ") }}, {{ m.receivedAt }}</p>
<pre>{% for part in parts %}{% if part.url %}<a href="{{ part.text }}">{{ part.text }}</a>
{%- else %}{{ part.text }}{% endif %}{% endfor %}</pre>
<p><a href="{{ url_for('mail_sandbox.list_mail') }}">Back to the mailbox</a></p>{% endblock %}"""

INDEX = """{% extends "layout.html" %}{% block body %}
<p>Local stand-ins for the outside providers; nothing here leaves this machine.</p>
<ul>{% for href, label, what in pages %}<li><a href="{{ href }}">{{ label }}</a>: {{ what }}</li>{% endfor %}</ul>
{% endblock %}"""

# (url prefix, link text, what a tester does there), listed on / when mounted
PAGES = (("/mail/", "Mailbox", "every mail the platform sent (confirmation links, payment instructions, reviews)"),
         ("/sms/", "Text messages", "every SMS sent (mobile verification codes)"),
         ("/kyc/", "KYC provider", "approve or reject identity checks of applicants"),
         ("/esign/", "E-signature provider", "envelopes sent for signature and their state"))

TEXTS = """{% extends "layout.html" %}{% block body %}
{% if not texts %}<p>No text messages yet.</p>{% endif %}
<ul>{% for t in texts %}<li>{{ t.receivedAt }} to {{ t.to | join(", ") }}: {{ t.body }}</li>{% endfor %}</ul>
{% endblock %}"""


def _parts(body: str) -> list[dict]:
    """The body split into text and URLs, so the page links URLs without marking up anything else."""
    parts, last = [], 0
    for match in _URL.finditer(body):
        parts += [{"text": body[last:match.start()], "url": False}, {"text": match.group(0), "url": True}]
        last = match.end()
    return [*parts, {"text": body[last:], "url": False}]


def mail_blueprint(box: Box) -> Blueprint:
    bp = Blueprint("mail_sandbox", __name__)

    @bp.get("/")
    def list_mail():
        return render_template("mailbox.html", title="Mailbox", messages=box.list(request.args.get("to", "")))

    @bp.get("/messages.json")
    def list_mail_json():
        return jsonify(messages=box.list(request.args.get("to", "")))

    @bp.get("/<message_id>")
    def show_message(message_id: str):
        message = box.get(message_id) or abort(404)
        return render_template("message.html", title=message["subject"], m=message, parts=_parts(message["body"]))

    return bp


def sms_blueprint(box: Box) -> Blueprint:
    """The Twilio Messages API shape: POST form fields To, From, Body; 201 with the message resource."""
    bp = Blueprint("sms_sandbox", __name__)

    @bp.post("/Messages.json")
    def create_message():
        to, body = request.form.get("To", ""), request.form.get("Body", "")
        if not to or not body:
            return jsonify(code=21604, message="'To' and 'Body' are required", status=400), 400
        item = box.add({"from": request.form.get("From", ""), "to": [to], "body": body})
        return jsonify(sid="SM" + item["id"], to=to, body=body, status="queued", date_created=item["receivedAt"]), 201

    @bp.get("/")
    def list_texts():
        return render_template("texts.html", title="Text messages", texts=box.list())

    @bp.get("/messages.json")
    def list_texts_json():
        return jsonify(messages=box.list(request.args.get("to", "")))

    return bp


def create_app(mailbox: Box | None = None, texts: Box | None = None) -> Flask:
    app = Flask(__name__)
    app.jinja_loader = DictLoader({"layout.html": PAGE, "mailbox.html": MAILBOX, "message.html": MESSAGE,
                                   "texts.html": TEXTS, "index.html": INDEX})
    app.register_blueprint(mail_blueprint(mailbox or Box()), url_prefix="/mail")
    app.register_blueprint(sms_blueprint(texts or Box()), url_prefix="/sms")

    @app.get("/")
    def index():
        """Where a tester starts: a link to each stand-in this process serves."""
        served = {rule.rule.split("/")[1] for rule in app.url_map.iter_rules()}
        pages = [page for page in PAGES if page[0].strip("/") in served]
        return render_template("index.html", title="Sandbox", pages=pages)

    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--smtp-port", type=int, default=1025)
    parser.add_argument("--http-port", type=int, default=8025)
    args = parser.parse_args()
    mailbox = Box()
    smtp = Controller(SmtpHandler(mailbox), hostname=args.host, port=args.smtp_port)
    smtp.start()
    app = create_app(mailbox)
    app.register_blueprint(KycSandbox(kyc_config_from_env(os.environ)).blueprint(), url_prefix="/kyc")
    app.register_blueprint(EsignSandbox(esign_config_from_env(os.environ)).blueprint(), url_prefix="/esign")
    web = make_server(args.host, args.http_port, app, threaded=True)
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=web.shutdown, daemon=True).start())
    print(f"sandbox: SMTP on {args.host}:{args.smtp_port}, pages on http://{args.host}:{args.http_port}/mail/",
          flush=True)
    try:
        web.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        smtp.stop()


if __name__ == "__main__":
    main()
