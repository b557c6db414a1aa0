"""Wallet proof (EIP-4361): the page's script asks for a message, the wallet signs it, the server checks it.

The domain and URI in the message are this site's public address from configuration (`PUBLIC_URL`),
never from the request: a `Host` header is the client's to choose, and a message issued for
"evil.example" and signed there would link the victim's wallet to whoever collected it. The server
checks the signed message against the same values, so a message made for another site is refused.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, jsonify, request
from flask_login import current_user

from app.access import access
from app.domain.accounts.permissions import SIGNED_IN
from app.domain.onboarding import siwe, wallets
from app.domain.platform import audit

MAX_MESSAGE_CHARS = 2000


def _site() -> tuple[str, str]:
    """(domain, URI) of this site for EIP-4361: host[:port] and origin of PUBLIC_URL."""
    public = urlsplit(current_app.config["PUBLIC_URL"])
    return public.netloc, f"{public.scheme}://{public.netloc}"


def message_for_wallet():
    """A fresh sign-in message for the address the wallet reported."""
    domain, uri = _site()
    try:
        text = wallets.message_for(current_user.doc, request.form.get("address", ""), domain=domain, uri=uri)
    except siwe.SiweError as error:
        return jsonify(error=str(error)), 400
    return jsonify(message=text)


def prove_wallet():
    """Check the signed message; on success the wallet is stored with isVerify."""
    domain, uri = _site()
    try:
        address = wallets.prove_wallet(current_user.doc, request.form.get("message", "")[:MAX_MESSAGE_CHARS],
                                       request.form.get("signature", ""), domain=domain, uri=uri)
    except siwe.SiweError as error:
        return jsonify(error=str(error)), 400
    audit.record("wallet.verified", actor=current_user.doc, details={"address": address})
    return jsonify(address=address, message=f"Wallet {address} is verified.")


def register(bp: Blueprint) -> None:
    bp.add_url_rule("/wallets/message", "message_for_wallet", access(SIGNED_IN)(message_for_wallet),
                    methods=["POST"])  # issues a single-use nonce: a state change, so POST
    bp.add_url_rule("/wallets", "prove_wallet", access(SIGNED_IN)(prove_wallet), methods=["POST"])
