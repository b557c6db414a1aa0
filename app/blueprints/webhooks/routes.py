"""Webhooks from outside providers (KYC, e-signature, payments): signed, enqueued, answered fast."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request

from app.access import access_default
from app.domain.accounts.permissions import PUBLIC
from app.domain.onboarding import kyc
from app.domain.whitelisting import webhooks as whitelisting_webhooks
from app.extensions import csrf

bp = Blueprint("webhooks", __name__, url_prefix="/webhooks")
csrf.exempt(bp)  # providers authenticate by signature over the raw body, not by a session
access_default(bp, PUBLIC)  # ... so no session rule applies either


@bp.get("/")
def list_webhooks():
    """The provider endpoints this blueprint serves, so an operator can configure them."""
    rules = sorted(r.rule for r in current_app.url_map.iter_rules()
                   if r.endpoint.startswith("webhooks.") and r.endpoint != "webhooks.list_webhooks")
    return jsonify(webhooks=rules)


@bp.post("/kyc/sumsub")
def receive_kyc():
    """Sumsub-style KYC webhook: HMAC of the raw body in X-Payload-Digest, algorithm in X-Payload-Digest-Alg."""
    answer = kyc.receive_webhook(request.get_data(cache=False), request.headers.get("X-Payload-Digest"),
                                 request.headers.get("X-Payload-Digest-Alg"))
    return jsonify(answer.body), answer.status


@bp.post("/esign/docusign")
def receive_esign():
    """DocuSign Connect-style webhook: base64 HMAC-SHA256 of the raw body in X-DocuSign-Signature-1, -2, ..."""
    answer = whitelisting_webhooks.receive_webhook(request.get_data(cache=False), request.headers)
    return jsonify(answer.body), answer.status
