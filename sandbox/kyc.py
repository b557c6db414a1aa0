"""Local KYC provider in Sumsub's API shape, for development and tests only.

It answers the endpoints app.providers.sumsub calls (signed with X-App-Token / X-App-Access-Sig
exactly as Sumsub checks them) and offers a page where a tester approves or rejects an
applicant with reasons. Each decision is sent to the platform as a Sumsub webhook: the raw
JSON body's HMAC in X-Payload-Digest, the algorithm in X-Payload-Digest-Alg.

State lives in this process's memory (one gunicorn worker, threads): it is a stand-in, and
a restart starting empty is what a tester expects from a sandbox.
"""

from __future__ import annotations

import os
import secrets
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime

import requests
from flask import Blueprint, Flask, abort, jsonify, redirect, render_template_string, request, url_for

from app.providers.sumsub import signed_webhook, verify_request

REJECT_LABELS = ("DOCUMENT_PAGE_MISSING", "UNSATISFACTORY_PHOTOS", "FORGERY", "EXPIRATION_DATE",
                 "WRONG_USER_REGION", "SELFIE_MISMATCH", "PROBLEMATIC_APPLICANT_DATA")


@dataclass(frozen=True)
class KycSandboxConfig:
    app_token: str
    secret_key: str
    webhook_secret: str
    webhook_url: str


def now_ms() -> str:
    """Sumsub's createdAtMs format: 'YYYY-MM-DD HH:MM:SS.mmm' in UTC."""
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]


@dataclass
class Store:
    webhook_url: str = ""
    applicants: dict[str, dict] = field(default_factory=dict)
    deliveries: list[dict] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def by_external(self, external_user_id: str) -> dict | None:
        return next((a for a in self.applicants.values() if a["externalUserId"] == external_user_id), None)


def _applicant(external_user_id: str, level_name: str, email: str | None) -> dict:
    created = now_ms()
    return {"id": secrets.token_hex(12), "createdAt": created, "key": "SANDBOX", "clientId": "libertum",
            "inspectionId": secrets.token_hex(12), "externalUserId": external_user_id, "levelName": level_name,
            "email": email, "type": "individual",
            "review": {"reviewId": secrets.token_hex(4), "attemptId": secrets.token_hex(4), "attemptCnt": 0,
                       "levelName": level_name, "createDate": created, "reviewStatus": "init", "priority": 0}}


class KycSandbox:
    """The sandbox's handlers around one store; `blueprint()` wires them to Sumsub's paths."""

    def __init__(self, config: KycSandboxConfig, store: Store | None = None):
        self.config, self.store = config, store or Store(webhook_url=config.webhook_url)

    def blueprint(self) -> Blueprint:
        bp = Blueprint("kyc_sandbox", __name__)
        bp.before_request(self.check_signature)
        routes = (("/resources/applicants", "create_applicant", ["POST"]),
                  ("/resources/applicants/-;externalUserId=<external>/one", "applicant_by_external", ["GET"]),
                  ("/resources/accessTokens", "access_token", ["POST"]),
                  ("/resources/applicants/<applicant_id>/status", "applicant_status", ["GET"]),
                  ("/resources/applicants/<applicant_id>/status/pending", "request_check", ["POST"]),
                  ("/", "list_applicants", ["GET"]),
                  ("/applicants/<applicant_id>/review", "review_applicant", ["POST"]),
                  ("/settings", "change_settings", ["POST"]),
                  ("/websdk", "web_sdk", ["GET"]))
        for rule, name, methods in routes:
            bp.add_url_rule(rule, name, getattr(self, name), methods=methods)
        return bp

    def send(self, applicant: dict, event_type: str, review_result: dict | None = None) -> dict:
        """POST one signed webhook to the platform and remember how it was answered."""
        payload = {"applicantId": applicant["id"], "inspectionId": applicant["inspectionId"],
                   "correlationId": secrets.token_hex(8), "externalUserId": applicant["externalUserId"],
                   "levelName": applicant["levelName"], "type": event_type,
                   "reviewStatus": applicant["review"]["reviewStatus"], "createdAtMs": now_ms(),
                   "sandboxMode": True, **({"reviewResult": review_result} if review_result else {})}
        body, headers = signed_webhook(self.config.webhook_secret, payload)
        try:
            status = requests.post(self.store.webhook_url, data=body, headers=headers, timeout=10).status_code
        except requests.RequestException as error:
            status = f"unreachable: {error}"
        delivery = {"at": payload["createdAtMs"], "type": event_type, "applicantId": applicant["id"],
                    "status": status}
        with self.store.lock:
            self.store.deliveries.append(delivery)
        return delivery

    def send_later(self, applicant: dict, event_type: str) -> None:
        """API-triggered webhooks go out after the answer, as Sumsub's do (the caller may be the webhook's target)."""
        threading.Thread(target=self.send, args=(applicant, event_type), daemon=True).start()

    def check_signature(self):
        """API calls must be signed like Sumsub's; the tester's pages are open."""
        if "/resources/" not in request.path:
            return None
        raw_path = request.environ.get("RAW_URI") or request.environ.get("REQUEST_URI") or request.full_path
        if not verify_request(self.config.secret_key, self.config.app_token, request.headers, request.method,
                              raw_path, request.get_data()):
            return jsonify(description="Request signature mismatch", code=401, errorCode=4003), 401
        return None

    def create_applicant(self):
        body = request.get_json(silent=True) or {}
        external, level = str(body.get("externalUserId") or ""), request.args.get("levelName", "")
        if not external or not level:
            return jsonify(description="externalUserId and levelName are required", code=400), 400
        with self.store.lock:
            if self.store.by_external(external):
                return jsonify(description=f"Applicant with external user id '{external}' already exists",
                               code=409), 409
            applicant = _applicant(external, level, body.get("email"))
            self.store.applicants[applicant["id"]] = applicant
        self.send_later(applicant, "applicantCreated")
        return jsonify(applicant), 201

    def applicant_by_external(self, external: str):
        applicant = self.store.by_external(external)
        return jsonify(applicant) if applicant else (jsonify(description="Not found", code=404), 404)

    def access_token(self):
        if not request.args.get("userId") or not request.args.get("levelName"):
            return jsonify(description="userId and levelName are required", code=400), 400
        return jsonify(token=f"_act-sbx-{secrets.token_urlsafe(24)}", userId=request.args["userId"])

    def applicant_status(self, applicant_id: str):
        applicant = self.store.applicants.get(applicant_id) or abort(404)
        review = applicant["review"]
        return jsonify({k: review.get(k) for k in ("createDate", "reviewDate", "reviewResult", "reviewStatus",
                                                    "levelName", "attemptCnt")})

    def request_check(self, applicant_id: str):
        applicant = self.store.applicants.get(applicant_id) or abort(404)
        with self.store.lock:
            review = applicant["review"]
            review.update(reviewStatus="pending", attemptCnt=review["attemptCnt"] + 1, reviewResult=None)
        self.send_later(applicant, "applicantPending")
        return jsonify(ok=1)

    def list_applicants(self):
        """The tester's page: every applicant, newest first, and the webhooks sent."""
        applicants = sorted(self.store.applicants.values(), key=lambda a: a["createdAt"], reverse=True)
        return render_template_string(PAGE, applicants=applicants, deliveries=self.store.deliveries[-20:][::-1],
                                      labels=REJECT_LABELS, webhook_url=self.store.webhook_url)

    def web_sdk(self):
        """Where the platform's identity-verification link leads: Sumsub's Web SDK, played by the tester here."""
        return render_template_string(
            "<!doctype html><title>KYC sandbox</title><h1>Identity verification (sandbox)</h1>"
            "<p>This stands in for the provider's Web SDK. A tester approves or rejects the applicant on "
            "<a href='{{ url_for(\"kyc_sandbox.list_applicants\") }}'>the applicants page</a>.</p>")

    def change_settings(self):
        """Where webhooks go, as set in Sumsub's dashboard (tests point it at the server they started)."""
        url = request.form.get("webhookUrl", "").strip()
        if not url.startswith(("http://", "https://")):
            abort(400)
        self.store.webhook_url = url
        return redirect(url_for("kyc_sandbox.list_applicants"))

    def review_applicant(self, applicant_id: str):
        """Approve (GREEN) or reject (RED, RETRY or FINAL, with labels and comments), then send the webhook."""
        applicant = self.store.applicants.get(applicant_id) or abort(404)
        answer = request.form.get("reviewAnswer")
        if answer not in ("GREEN", "RED"):
            abort(400)
        result = {"reviewAnswer": answer}
        if answer == "RED":
            result.update(reviewRejectType=request.form.get("reviewRejectType", "RETRY"),
                          rejectLabels=[x for x in request.form.getlist("rejectLabels") if x in REJECT_LABELS],
                          moderationComment=request.form.get("moderationComment", "")[:500],
                          clientComment=request.form.get("clientComment", "")[:500])
        with self.store.lock:
            applicant["review"].update(reviewStatus="completed", reviewResult=result, reviewDate=now_ms())
        self.send(applicant, "applicantReviewed", result)
        return redirect(url_for("kyc_sandbox.list_applicants"))


def config_from_env(environ) -> KycSandboxConfig:
    """The sandbox reads the same keys the platform uses to talk to it (development only)."""
    public = environ.get("PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")
    return KycSandboxConfig(app_token=environ["KYC_APP_TOKEN"], secret_key=environ["KYC_SECRET_KEY"],
                            webhook_secret=environ["KYC_WEBHOOK_SECRET"],
                            webhook_url=environ.get("SANDBOX_KYC_WEBHOOK_URL", f"{public}/webhooks/kyc/sumsub"))


def create_app(config: KycSandboxConfig | None = None, prefix: str = "/kyc") -> Flask:
    """The KYC sandbox on its own (`gunicorn 'sandbox.kyc:create_app()'`); mountable with its blueprint."""
    app = Flask(__name__)
    app.register_blueprint(KycSandbox(config or config_from_env(os.environ)).blueprint(), url_prefix=prefix)
    return app


PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>KYC sandbox</title></head>
<body>
<h1>KYC sandbox (Sumsub-style)</h1>
<p>Approve or reject applicants; each decision is sent to the platform as a signed webhook.</p>
<form method="post" action="{{ url_for('kyc_sandbox.change_settings') }}">
  <label for="webhook-url">Webhook URL</label>
  <input id="webhook-url" name="webhookUrl" value="{{ webhook_url }}" size="60">
  <button>Save</button>
</form>
{% for a in applicants %}
<section aria-label="Applicant {{ a.externalUserId }}">
  <h2>Applicant {{ a.externalUserId }}</h2>
  <p>Applicant id <code>{{ a.id }}</code>, level {{ a.levelName }}, email {{ a.email or "-" }},
     status <strong>{{ a.review.reviewStatus }}</strong>
     {% if a.review.reviewResult %}({{ a.review.reviewResult.reviewAnswer }}){% endif %}</p>
  <form method="post" action="{{ url_for('kyc_sandbox.review_applicant', applicant_id=a.id) }}">
    <label for="rt-{{ a.id }}">Reject type</label>
    <select id="rt-{{ a.id }}" name="reviewRejectType"><option>RETRY</option><option>FINAL</option></select>
    <fieldset><legend>Reject labels</legend>
      {% for label in labels %}<label><input type="checkbox" name="rejectLabels" value="{{ label }}">
      {{ label }}</label>{% endfor %}
    </fieldset>
    <label for="mc-{{ a.id }}">Comment for the applicant</label>
    <input id="mc-{{ a.id }}" name="moderationComment">
    <label for="cc-{{ a.id }}">Internal comment</label>
    <input id="cc-{{ a.id }}" name="clientComment">
    <button name="reviewAnswer" value="GREEN">Approve</button>
    <button name="reviewAnswer" value="RED">Reject</button>
  </form>
</section>
{% else %}<p>No applicants yet.</p>{% endfor %}
<h2>Webhooks sent</h2>
<ul>{% for d in deliveries %}<li>{{ d.at }} {{ d.type }} {{ d.applicantId }}: {{ d.status }}</li>{% endfor %}</ul>
</body></html>
"""
