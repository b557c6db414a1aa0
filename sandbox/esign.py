"""Local e-signature provider in DocuSign eSignature REST v2.1's shape, for development and tests only.

It answers the endpoints app.providers.docusign calls (bearer token, account id in the path):
envelopes from a template and embedded signing views. The signing URL opens a page where the
signer signs or declines; the tester's page (/esign/) can also expire an envelope. Each outcome
is sent to the platform as a Connect JSON delivery signed with every configured HMAC key
(X-DocuSign-Signature-1, -2, ...), then the signer is sent back to the returnUrl with
DocuSign's `event` query parameter.

State lives in this process's memory: it is a stand-in, and a restart starting empty is what a
tester expects from a sandbox.
"""

from __future__ import annotations

import os
import secrets
import threading
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urlencode, urlsplit, urlunsplit

import requests
from flask import Blueprint, Flask, abort, jsonify, redirect, render_template_string, request, url_for

from app.providers.docusign import bearer_token, signed_delivery


@dataclass(frozen=True)
class EsignSandboxConfig:
    access_token: str
    account_id: str
    hmac_keys: tuple[str, ...]
    webhook_url: str


def generated_now() -> str:
    """Connect's generatedDateTime format: seven decimals, UTC."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f") + "0Z"


@dataclass
class Store:
    webhook_url: str = ""
    envelopes: dict[str, dict] = field(default_factory=dict)
    views: dict[str, dict] = field(default_factory=dict)  # signing token -> {envelopeId, returnUrl}
    deliveries: list[dict] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def _with_event(url: str, event: str) -> str:
    """returnUrl with DocuSign's ?event=signing_complete (or decline, ttl_expired) appended."""
    parts = urlsplit(url)
    query = f"{parts.query}&" if parts.query else ""
    return urlunsplit(parts._replace(query=query + urlencode({"event": event})))


class EsignSandbox:
    """The sandbox's handlers around one store; `blueprint()` wires them to DocuSign's paths."""

    def __init__(self, config: EsignSandboxConfig, store: Store | None = None):
        self.config, self.store = config, store or Store(webhook_url=config.webhook_url)

    def blueprint(self) -> Blueprint:
        bp = Blueprint("esign_sandbox", __name__)
        bp.before_request(self.check_token)
        api = "/restapi/v2.1/accounts/<account_id>/envelopes"
        routes = ((api, "create_envelope", ["POST"]),
                  (f"{api}/<envelope_id>", "get_envelope", ["GET"]),
                  (f"{api}/<envelope_id>/views/recipient", "recipient_view", ["POST"]),
                  ("/", "list_envelopes", ["GET"]),
                  ("/settings", "change_settings", ["POST"]),
                  ("/envelopes/<envelope_id>/expire", "expire_envelope", ["POST"]),
                  ("/signing/<token>", "show_signing", ["GET"]),
                  ("/signing/<token>/sign", "sign", ["POST"]),
                  ("/signing/<token>/decline", "decline", ["POST"]))
        for rule, name, methods in routes:
            bp.add_url_rule(rule, name, getattr(self, name), methods=methods)
        return bp

    def check_token(self):
        """API calls need the bearer token and our account; the signer's and tester's pages are open."""
        if "/restapi/" not in request.path:
            return None
        if not secrets.compare_digest(bearer_token(request.headers), self.config.access_token):
            return jsonify(errorCode="AUTHORIZATION_INVALID_TOKEN",
                           message="The access token provided is expired, revoked or malformed."), 401
        if request.view_args and request.view_args.get("account_id") != self.config.account_id:
            return jsonify(errorCode="USER_LACKS_MEMBERSHIP",
                           message="The UserID does not have a valid membership in this Account."), 400
        return None

    def create_envelope(self, account_id: str):
        body = request.get_json(silent=True) or {}
        roles = body.get("templateRoles") or []
        if not body.get("templateId") or not roles or not all(r.get("email") and r.get("name") for r in roles):
            return jsonify(errorCode="INVALID_REQUEST_BODY", message="templateId and templateRoles are required"), 400
        now = generated_now()
        envelope = {"envelopeId": str(uuid.uuid4()), "templateId": body["templateId"], "status": "sent",
                    "emailSubject": body.get("emailSubject", ""), "sentDateTime": now, "statusDateTime": now,
                    "customFields": body.get("customFields") or {},
                    "signers": [{**{k: r.get(k) for k in ("email", "name", "roleName", "clientUserId")},
                                 "recipientId": str(n), "status": "sent"} for n, r in enumerate(roles, start=1)]}
        with self.store.lock:
            self.store.envelopes[envelope["envelopeId"]] = envelope
        return jsonify(envelopeId=envelope["envelopeId"], status="sent", statusDateTime=now,
                       uri=f"/envelopes/{envelope['envelopeId']}"), 201

    def _envelope(self, envelope_id: str) -> dict:
        return self.store.envelopes.get(envelope_id) or abort(404)

    def get_envelope(self, account_id: str, envelope_id: str):
        envelope = self._envelope(envelope_id)
        return jsonify({k: envelope[k] for k in ("envelopeId", "status", "statusDateTime", "emailSubject")})

    def recipient_view(self, account_id: str, envelope_id: str):
        """An embedded signing URL for a signer of the envelope (matched by clientUserId, email and name)."""
        envelope = self._envelope(envelope_id)
        body = request.get_json(silent=True) or {}
        signer = next((s for s in envelope["signers"] if s["clientUserId"] == body.get("clientUserId")
                       and s["email"] == body.get("email") and s["name"] == body.get("userName")), None)
        if signer is None or not str(body.get("returnUrl", "")).startswith(("http://", "https://")):
            return jsonify(errorCode="UNKNOWN_ENVELOPE_RECIPIENT",
                           message="The recipient you have identified is not a valid recipient of the envelope."), 400
        if envelope["status"] not in ("sent", "delivered"):
            return jsonify(errorCode="ENVELOPE_INVALID_STATUS", message=f"Envelope is {envelope['status']}."), 400
        token = secrets.token_urlsafe(24)
        with self.store.lock:
            self.store.views[token] = {"envelopeId": envelope_id, "returnUrl": body["returnUrl"]}
        return jsonify(url=url_for("esign_sandbox.show_signing", token=token, _external=True)), 201

    def _view(self, token: str) -> tuple[dict, dict]:
        view = self.store.views.get(token) or abort(404)
        return view, self._envelope(view["envelopeId"])

    def show_signing(self, token: str):
        """The signer's page: the agreement, and Sign / Decline (plain forms, no script)."""
        _view, envelope = self._view(token)
        return render_template_string(SIGNING_PAGE, e=envelope, token=token)

    def sign(self, token: str):
        view, envelope = self._view(token)
        self._finish(envelope, "completed", completedDateTime=generated_now())
        return redirect(_with_event(view["returnUrl"], "signing_complete"), code=303)

    def decline(self, token: str):
        view, envelope = self._view(token)
        reason = request.form.get("reason", "").strip()[:500] or "Declined by the signer"
        self._finish(envelope, "declined", declinedDateTime=generated_now(), declinedReason=reason)
        return redirect(_with_event(view["returnUrl"], "decline"), code=303)

    def expire_envelope(self, envelope_id: str):
        """The tester's shortcut for an envelope reaching its expiry date: DocuSign voids it."""
        envelope = self._envelope(envelope_id)
        self._finish(envelope, "voided", voidedDateTime=generated_now(), voidedReason="Envelope has expired")
        return redirect(url_for("esign_sandbox.list_envelopes"), code=303)

    def _finish(self, envelope: dict, status: str, **summary) -> None:
        """Move an open envelope to its outcome (once) and tell the platform."""
        with self.store.lock:
            if envelope["status"] not in ("sent", "delivered"):
                abort(409)
            envelope.update(status=status, statusDateTime=generated_now(), **summary)
            for signer in envelope["signers"]:
                signer["status"] = status
        self.send(envelope)

    def send(self, envelope: dict) -> dict:
        """POST one signed Connect delivery to the platform and remember how it was answered."""
        summary = {k: envelope.get(k) for k in ("envelopeId", "status", "emailSubject", "sentDateTime",
                                               "completedDateTime", "declinedDateTime", "declinedReason",
                                               "voidedDateTime", "voidedReason", "customFields") if envelope.get(k)}
        summary["recipients"] = {"signers": envelope["signers"]}
        payload = {"event": f"envelope-{envelope['status']}", "apiVersion": "v2.1",
                   "uri": f"/restapi/v2.1/accounts/{self.config.account_id}/envelopes/{envelope['envelopeId']}",
                   "retryCount": 0, "configurationId": 1, "generatedDateTime": generated_now(),
                   "data": {"accountId": self.config.account_id, "envelopeId": envelope["envelopeId"],
                            "envelopeSummary": summary}}
        body, headers = signed_delivery(self.config.hmac_keys, payload)
        try:
            status = requests.post(self.store.webhook_url, data=body, headers=headers, timeout=10).status_code
        except requests.RequestException as error:
            status = f"unreachable: {error}"
        delivery = {"at": payload["generatedDateTime"], "event": payload["event"],
                    "envelopeId": envelope["envelopeId"], "status": status}
        with self.store.lock:
            self.store.deliveries.append(delivery)
        return delivery

    def list_envelopes(self):
        """The tester's page: every envelope, newest first, an expiry button per open one, and the deliveries."""
        envelopes = sorted(self.store.envelopes.values(), key=lambda e: e["sentDateTime"], reverse=True)
        return render_template_string(LIST_PAGE, envelopes=envelopes, deliveries=self.store.deliveries[-20:][::-1],
                                      webhook_url=self.store.webhook_url)

    def change_settings(self):
        """Where Connect deliveries go, as set in DocuSign's Connect settings (tests point it at their server)."""
        url = request.form.get("webhookUrl", "").strip()
        if not url.startswith(("http://", "https://")):
            abort(400)
        self.store.webhook_url = url
        return redirect(url_for("esign_sandbox.list_envelopes"), code=303)


def config_from_env(environ) -> EsignSandboxConfig:
    """The sandbox reads the same settings the platform uses to talk to it (development only)."""
    public = environ.get("PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")
    keys = tuple(k.strip() for k in environ["ESIGN_HMAC_KEYS"].split(",") if k.strip())
    return EsignSandboxConfig(access_token=environ["ESIGN_ACCESS_TOKEN"],
                              account_id=environ.get("ESIGN_ACCOUNT_ID", "sandbox-account"), hmac_keys=keys,
                              webhook_url=environ.get("SANDBOX_ESIGN_WEBHOOK_URL",
                                                      f"{public}/webhooks/esign/docusign"))


def create_app(config: EsignSandboxConfig | None = None, prefix: str = "/esign") -> Flask:
    """The e-signature sandbox on its own (`gunicorn 'sandbox.esign:create_app()'`); mountable with its blueprint."""
    app = Flask(__name__)
    app.register_blueprint(EsignSandbox(config or config_from_env(os.environ)).blueprint(), url_prefix=prefix)
    return app


SIGNING_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sign: {{ e.emailSubject or "agreement" }}</title></head>
<body>
<h1>{{ e.emailSubject or "Subscription agreement" }}</h1>
<p>E-signature sandbox (DocuSign-style). Template <code>{{ e.templateId }}</code>,
   envelope <code>{{ e.envelopeId }}</code>, status <strong>{{ e.status }}</strong>.</p>
<p>Signer: {{ e.signers[0].name }} ({{ e.signers[0].email }})</p>
{% if e.status in ("sent", "delivered") %}
<form method="post" action="{{ url_for('esign_sandbox.sign', token=token) }}">
  <button type="submit">Sign</button>
</form>
<form method="post" action="{{ url_for('esign_sandbox.decline', token=token) }}">
  <label for="reason">Reason for declining</label>
  <input id="reason" name="reason">
  <button type="submit">Decline</button>
</form>
{% else %}<p>This envelope is {{ e.status }}; there is nothing left to sign.</p>{% endif %}
</body></html>
"""

LIST_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>E-signature sandbox</title></head>
<body>
<h1>E-signature sandbox (DocuSign-style)</h1>
<form method="post" action="{{ url_for('esign_sandbox.change_settings') }}">
  <label for="webhook-url">Connect webhook URL</label>
  <input id="webhook-url" name="webhookUrl" value="{{ webhook_url }}" size="60">
  <button>Save</button>
</form>
{% for e in envelopes %}
<section aria-label="Envelope {{ e.envelopeId }}">
  <h2>{{ e.emailSubject or e.envelopeId }}</h2>
  <p>Envelope <code>{{ e.envelopeId }}</code> for {{ e.signers[0].email }}, status <strong>{{ e.status }}</strong></p>
  {% if e.status in ("sent", "delivered") %}
  <form method="post" action="{{ url_for('esign_sandbox.expire_envelope', envelope_id=e.envelopeId) }}">
    <button>Expire</button>
  </form>{% endif %}
</section>
{% else %}<p>No envelopes yet.</p>{% endfor %}
<h2>Connect deliveries</h2>
<ul>{% for d in deliveries %}<li>{{ d.at }} {{ d.event }} {{ d.envelopeId }}: {{ d.status }}</li>{% endfor %}</ul>
</body></html>
"""
